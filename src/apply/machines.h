/* Simulated machines (a lab's `machines:`): each a named namespace with its
 * own private Open vSwitch, joined by tunnels over an underlay network (a
 * Linux bridge in a namespace of its own), and the hosts placed on them.
 * The commands call in here; a lab without machines never does. */
#ifndef OVSLAB_MACHINES_H
#define OVSLAB_MACHINES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "model/lab.h"
#include "apply/build.h"
#include "journal/journal.h"
#include "switch/ovsdb.h"
#include "switch/switchd.h"

/* What each machine is named in its own namespace and the underlay's. */
#define MACHINES_PHY_BRIDGE "br-phy" /* OVS bridge holding the underlay port */
#define MACHINES_PHY_PORT "ul0"      /* the machine's end of its underlay cable */
#define MACHINES_UL_BRIDGE "ul"      /* the Linux bridge in the underlay namespace */

/* Whether the lab (as declared, or as it is up) has machines. */
bool machines_in(const struct lab *lab, const struct lab *old);

/* Names the machines and the underlay take that are already namespaces of
 * this computer, on diag; -EEXIST when any is.  old: the lab as it is up,
 * whose own machines are not clashes. */
int machines_preflight(const struct lab *lab, const struct lab *old, FILE *diag);


/* Builds a new lab with machines: the underlay, each machine's namespace
 * and switch (started all at once), its hosts, and its rows in one
 * transaction; then the hosts' exec.  Every object is journalled before it
 * is made; on failure the caller tears the lab down from the journal. */
int machines_build(const struct lab *lab, struct journal *st);

/* ---- a lab that is up, one machine at a time (up's edits and repairs) */

/* A build on a machine's part (view): the bridge ends of its hosts are made
 * in the machine's namespace through nl.  build_close must not be called:
 * close b->self_fd. */
void machines_build_init(struct build *b, const struct lab *view, struct journal *st,
			 struct rtnl *nl);
/* The tunnel ports machine m needs on the bridges of its view: one to each
 * machine the bridge joins it to (every other one with the bridge, or the
 * bridge's pairs), and with key: flow the bridge's flow port.  Free *out. */
int machines_tunnels_of(const struct lab *lab, const struct lab_machine *m,
			const struct lab *view, struct ovsdb_tunnel **out, size_t *n);
/* The machine's namespace (fd) and a netlink socket in it; close with
 * build_ns_close. */
int machines_enter(const char *machine, struct build_ns *ns);
/* A machine added to a lab that is up: recorded, its namespace, its cable
 * to the underlay, its switch started; *ns as machines_enter's.  Its hosts
 * and rows come from its steps. */
int machines_add(const struct lab *lab, struct journal *st, const struct lab_machine *m,
		 struct build_ns *ns, struct switchd *sw);
/* Once its switch made br-phy (anew): br-phy up with the machine's
 * underlay address (an address already there is fine); announce_fd >= 0
 * (the machine's namespace): a gratuitous ARP of it, for a br-phy that may
 * have a new MAC address. */
int machines_address(struct rtnl *nl, int announce_fd, const struct lab_machine *m);
/* A machine removed from a lab that is up: its switch stopped, the hosts of
 * view (those that go with it) removed, its namespace and directory gone,
 * its record withdrawn. */
int machines_remove(struct journal *st, const struct lab *view, const struct lab_machine *m);
/* The network node's way out for bridge b's NAT: a cable from machine m
 * (namespace ns) to the lab's root namespace (root), LAB_UPLINK_PORT on
 * its side with the machine's default route, a link-local /30
 * (lab_machine_uplink_addr), and in the root namespace a route to b's
 * subnet through it; the root namespace's NAT masquerades that subnet as
 * for a lab without machines.  The cable is made once per machine. */
int machines_uplink(const struct lab *lab, struct journal *st, const struct lab_machine *m,
		    struct rtnl *root, struct build_ns *ns, const struct lab_bridge *b);
/* Starts the machine's dead daemons again, in its namespace, on its
 * database as it was. */
int machines_revive(const struct journal *st, const char *machine);

/* Stops the switch of every machine the journal records; the namespaces
 * and hosts go with the rest of the teardown. */
int machines_teardown(struct journal *st);

/* OVSDB remote of a recorded machine's switch. */
void machines_remote(const struct journal *st, const char *machine, char *buf, size_t len);

/* show's machines section: each machine, its switch's daemons, its underlay
 * address and its tunnels; json: a ",\"machines\":[...]" member. */
void machines_show(const struct lab *lab, const struct journal *st, bool json, FILE *out);

/* How many daemons of the lab's machines' switches are not running; one
 * line each on out (when not NULL) naming the machine and the daemon, and
 * the first in words in first ("machine hv2's ovs-vswitchd is not running"). */
int machines_dead(const struct lab *lab, const struct journal *st, FILE *out, char *first,
		  size_t len);

/* Whether a namespace the journal records is a host's, not a machine's or
 * the underlay's. */
bool machines_netns_is_host(const struct journal *st, const char *ns);
/* Whether the journal records machines. */
bool machines_recorded(const struct journal *st);

/* For gc: whether a daemon's command-line word names the directory of a
 * machine of a lab that has no record any more (a crashed run's). */
bool machines_orphan_word(const char *word);

#endif
