/* The lab commands: what `ovslab up/down/show/exec` do, on top of the
 * modules that each own one kind of object. */
#ifndef OVSLAB_CMD_H
#define OVSLAB_CMD_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "model/lab.h"
#include "journal/journal.h"
#include "kernel/rtnl.h"


/* Builds the lab described by the file.  Lab-file problems go to diag as
 * file:line:col lines; on any failure everything this run made is removed. */
int cmd_up(const char *path, FILE *diag, FILE *out);
/* The same on a real computer that plays machine `machine` of the file
 * (NULL: cmd_up); 1 (a usage error, message set) when the file lacks it. */
int cmd_up_as(const char *path, const char *machine, FILE *diag, FILE *out);
/* --firewall=auto|iptables|nftables for the up or plan of this process;
 * -EINVAL (message set) for another name. */
int cmd_up_firewall(const char *name);
/* `ovslab doctor [--json]`: the machine checked for what labs need; 1 when
 * something would stop a lab from working, 0 when not, -errno. */
int cmd_doctor(bool json, FILE *out);
/* One line about what doctor would flag that up cannot work around, or ""
 * (buf). */
void cmd_doctor_warning(char *buf, size_t len);

/* `gen TOPOLOGY ARGS` (argv[0] the topology): prints a lab file with its
 * checks; 1 (usage, message set) for an unknown topology or bad sizes. */
int cmd_gen(int argc, char **argv, FILE *out);

/* Prints what `up` would change, and changes nothing. */
int cmd_plan(const char *path, FILE *diag, FILE *out);

/* Removes everything the lab's journal records; the lab file is not needed. */
int cmd_down(const char *lab);
/* Undoes what an open journal records; used by down and by a failed up. */
int cmd_teardown(struct journal *st);
/* Undoes the namespaces and interfaces recorded from journal entry `from`
 * on (what one run made), and withdraws them from the journal. */
int cmd_teardown_from(struct journal *st, size_t from);

int cmd_show(const char *lab, bool json, FILE *out);

/* Whether the namespace of the journal's entry i (a JOURNAL_NETNS one) is
 * still the one the lab made: 1 if so (or the journal recorded no
 * identity), 0 if its name now holds someone else's, -errno (-ENOENT: gone). */
int cmd_netns_ours(const struct journal *st, size_t i);
/* An fd on the namespace of a host the journal says the lab made, only if
 * it is still the lab's: -ENOENT for no such host, -ESTALE for another
 * namespace under its name (message set). */
int cmd_host_open(const struct journal *st, const char *host);
/* -ESTALE, naming the first, if a namespace the journal records now holds
 * someone else's under its name: not one to enter. */
int cmd_hosts_ours(const struct journal *st);

/* Runs argv inside the host's namespace, or a machine's with the
 * environment of its switch; returns only on failure. */
int cmd_exec(const char *lab, const char *host, char *const argv[]);

/* One line per lab record (name, hosts, switch, up/busy/incomplete), or a
 * JSON array of objects. */
int cmd_ls(bool json, FILE *out);
/* Removes what killed or crashed runs left: incomplete records, and marked
 * rows, rules and private switch daemons of labs without a record. */
int cmd_gc(FILE *out);

/* How `ovslab check` runs and reports. */
struct cmd_check_opts {
	bool all;            /* every host from every host (ICMP), not the checks */
	bool json, tap;      /* instead of the table (or the matrix) */
	const char *junit;   /* also writes JUnit XML there */
};
/* Runs the checks of LAB (its saved lab file) or of FILE (whose lab must be
 * up), all at once, and prints the results.  Returns how many did not hold
 * (message set when some did not), or -errno. */
int cmd_check(const char *arg, const struct cmd_check_opts *o, FILE *out);

/* ---- link properties at run time (link.c) ---- */

/* `ovslab link LAB TARGET set KEY=VALUE...|down|up`: words[0] is "set",
 * "down" or "up"; TARGET is HOST:IF, or HOST for all its interfaces. */
int cmd_link(const char *lab, const char *target, char *const words[], size_t n, FILE *out);
/* `ovslab link LAB [--json]`: every interface of the lab as the kernel has it. */
int cmd_link_list(const char *lab, bool json, FILE *out);
/* What `ovslab link` recorded in the journal, laid over the lab as its
 * file declares it (iface props, props_changed, file_props). */
int cmd_link_overlay(const struct journal *st, struct lab *lab);
/* An interface of a host that is up, as the kernel has it. */
struct cmd_link_state {
	struct rtnl_link_info info;
	struct lab_linkprops props;
};
int cmd_link_read(const struct journal *st, const char *host, const char *ifname,
		  struct cmd_link_state *out);
/* "up  up  mtu 1500  delay 20ms ..." and what differs from the declaration
 * (json: the members of the interface's object, without braces). */
void cmd_link_show(const struct lab_iface *ifc, const struct cmd_link_state *k, bool json,
		   FILE *out);

/* `ovslab complete LAB|FILE KIND`: the names of KIND (hosts, bridges,
 * machines) one a line, for the shell's completion; CMD_USAGE for another KIND. */
int cmd_complete(const char *arg, const char *kind, FILE *out);

/* Loads the copy of the lab file saved when the lab came up, with what
 * `ovslab link` changed since laid over it. */
int cmd_load_saved(const struct journal *st, struct lab **out);

/* A mistake in the command's words found once the lab is read (a machine
 * or bridge the lab lacks, or one to choose): main exits 2 as for usage. */
#define CMD_USAGE 1

/* What the commands need of a lab: its declaration and its switch. */
struct cmd_lab {
	struct journal st;
	struct lab *lab;
	char rundir[PATH_MAX];              /* the switch's: the lab's or the machine's */
	const struct lab_machine *machine;  /* with machines: whose switch; NULL: none yet */
};
/* Reads the lab's journal and saved file and finds its switch's run directory
 * (-ENOENT when the lab has no switch); cmd_lab_close frees it.  In a lab
 * with machines, machine (--machine, or NULL) names whose switch: a name
 * the lab lacks is CMD_USAGE; none leaves the choice to cmd_lab_bridge or
 * cmd_lab_switch. */
int cmd_lab_open(struct cmd_lab *c, const char *lab, const char *machine);
void cmd_lab_close(struct cmd_lab *c);
/* 0 when c points at a switch; CMD_USAGE naming the lab's machines when
 * the lab has machines and none was chosen. */
int cmd_lab_switch(const struct cmd_lab *c);
/* 0 when this process may reach the lab's switch, else -errno with a message
 * that says why (permission: not run as root). */
int cmd_lab_reachable(const struct cmd_lab *c);
/* arg names a bridge of the lab, *bridge set to its name: -ENOENT with a
 * message if the lab lacks it.  With machines arg may be MACHINE:BRIDGE;
 * a bridge alone picks the one machine that has it, or is CMD_USAGE
 * naming the machines that do; c then points at that machine's switch. */
int cmd_lab_bridge(struct cmd_lab *c, const char *arg, const char **bridge);
/* The environment Open vSwitch's tools read (OVS_RUNDIR, OVS_DBDIR,
 * OVS_LOGDIR, OVS_SYSCONFDIR), all pointed at a machine's switch's dir. */
int cmd_machine_env(const char *dir);
/* Enters a namespace the journal records as the lab's (a host's or a
 * machine's), with its own /sys as `ip netns exec` does. */
int cmd_netns_enter(const struct journal *st, const char *ns);

/* Dumps the flows of every bridge of the lab, or of one (BRIDGE or
 * MACHINE:BRIDGE; those that match filter, if not NULL), in each bridge's
 * OpenFlow version or `version`; machine: only that machine's (NULL: every
 * machine's). */
int cmd_flows(const char *lab, const char *machine, const char *version, const char *bridge,
	      const char *filter, FILE *out);

/* ofproto/trace BRIDGE ARGS... in the lab's switch (or the machine's). */
int cmd_trace(const char *lab, const char *machine, const char *bridge,
	      const char *const *args, size_t n_args,
	      FILE *out);

/* Runs ovs-vsctl, ovs-ofctl or ovs-appctl (argv[0]: vsctl, ofctl, appctl)
 * with the rest of argv, pointed at the lab's switch, or run inside a
 * machine's namespace pointed at its switch.  Returns only on failure. */
int cmd_ovs(const char *lab, const char *machine, char *const argv[]);

/* `ovslab capture LAB TARGET...`: a target is HOST (all its interfaces),
 * HOST:IF, a bridge port (a host interface's `port`) or a bridge's internal
 * port, and with machines MACHINE:BRIDGE|PORT, MACHINE:underlay (its ul0)
 * and `underlay` (the Linux bridge joining the machines). */
struct cmd_capture_opts {
	const char *write;   /* pcapng file, "-" for stdout; NULL: one line per packet */
	const char *filter;  /* pcap filter expression, or NULL */
	uint64_t count;      /* 0: no limit */
	double duration;     /* seconds; 0: no limit */
};
int cmd_capture(const char *lab, char *const targets[], size_t n, const struct cmd_capture_opts *o);
/* Draws the lab (LAB, or FILE: the lab it names, live when that lab is up)
 * as format (NULL: dot; mermaid, json, svg) to path (NULL: out). */
int cmd_graph(const char *arg, const char *format, const char *path, FILE *out);

#endif
