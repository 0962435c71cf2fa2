/* A lab's record under /run/ovslab/<lab>/: a copy of its lab file and a
 * journal of what the lab created.  Each entry is appended before the change
 * it names, so a run that dies midway leaves a record that `down` can undo.
 * An entry is withdrawn ("forget") when the change turned out not to be ours
 * (the name was taken by something else). */
#ifndef OVSLAB_JOURNAL_H
#define OVSLAB_JOURNAL_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define JOURNAL_RUN_DIR "/run/ovslab"

/* The directory the labs' records live in: JOURNAL_RUN_DIR, unless a test
 * moved it with journal_set_root() (a call, not an environment variable: a
 * command run as root must not be steered to another directory).  The locks
 * (lock.h) stay in JOURNAL_RUN_DIR. */
const char *journal_root(void);
void journal_set_root(const char *dir);

enum journal_kind {
	JOURNAL_NETNS,      /* value: namespace name */
	JOURNAL_LINK,       /* value: interface name in the machine's namespace */
	JOURNAL_SWITCH,     /* value: "private <rundir>" or "shared" (journal_add_switch) */
	JOURNAL_REMOTE,     /* value: OVSDB remote the lab's rows live in */
	JOURNAL_DATAPATH,   /* value: datapath type */
	JOURNAL_NAT,        /* value: bridge name */
	JOURNAL_UPLINK,     /* value: bridge=uplink device as resolved (journal_add_uplink) */
	JOURNAL_COMPLETE,   /* value: unix time; an `up` ran to its end (journal_add_complete) */
	JOURNAL_NETNS_ID,   /* value: namespace name and identity (journal_add_netns_id) */
	JOURNAL_MACHINE,    /* value: a simulated machine's name (journal_add_machine) */
	JOURNAL_PLAYS,      /* value: the machine of the file this computer is (up --machine) */
	JOURNAL_LINKPROPS,  /* value: host, interface and the link properties `ovslab link`
			     * gave it (journal_add_linkprops) */
	JOURNAL_FIREWALL,   /* value: the backend holding the NAT rules: iptables or nftables */
	JOURNAL_NIC,        /* value: a borrowed machine interface (journal_add_nic) */
	JOURNAL_TAP,        /* value: a TAP device the lab made in the machine's namespace
			     * (journal_add_tap) */
	JOURNAL_KIND_MAX
};

struct journal_entry {
	enum journal_kind kind;
	bool forgotten;
	char value[PATH_MAX + 32];
};

struct journal {
	char name[32];
	char dir[PATH_MAX];       /* /run/ovslab/<lab> */
	FILE *journal;            /* open for appending while a command changes things */
	struct journal_entry *entries;
	size_t n_entries;
	/* The last line had no newline: a write cut short by a crash.  It is
	 * not an entry (its change was never made: entries come first), and
	 * journal_open() cuts it off so that the next entry starts a line. */
	bool torn;
};

/* Which Open vSwitch the lab's rows live in. */
enum journal_switch {
	JOURNAL_SWITCH_NONE,    /* not recorded: the lab has no bridge, or got no switch yet */
	JOURNAL_SWITCH_PRIVATE, /* ovslab's private switch, run from its directory */
	JOURNAL_SWITCH_SHARED,  /* the machine's own switch */
};

/* Path of the lab's directory. */
void journal_dir(const char *lab, char *buf, size_t len);
bool journal_exists(const char *lab);

/* Creates /run/ovslab/<lab>/ with the lab file's text in lab.yaml and an
 * empty journal.  -EEXIST if the lab already has a record. */
int journal_create(const char *lab, const char *labfile_text, size_t len, struct journal *st);
/* Reads the journal of an existing lab; the journal stays open for appending. */
int journal_open(const char *lab, struct journal *st);
/* Reads it only: for commands that change nothing, and works without root. */
int journal_read(const char *lab, struct journal *st);
/* Appends an entry (and keeps it in memory) before the change is made. */
int journal_add(struct journal *st, enum journal_kind kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Withdraws the latest entry of that kind and value. */
int journal_forget(struct journal *st, enum journal_kind kind, const char *value);
/* The value of the latest live entry of a kind, or NULL. */
const char *journal_get(const struct journal *st, enum journal_kind kind);
/* The typed entries: only these functions know how their values are spelt.
 * The switch: ovslab's private one run from rundir, or with rundir NULL the
 * machine's shared one. */
int journal_add_switch(struct journal *st, const char *rundir);
/* Withdraws the latest switch entry (a private switch that was not started
 * because the machine has one). */
int journal_forget_switch(struct journal *st);
/* The latest switch entry; *rundir (if rundir is not NULL) is the private
 * switch's directory, or NULL. */
enum journal_switch journal_get_switch(const struct journal *st, const char **rundir);
/* The uplink device a NAT bridge masquerades through, as resolved. */
int journal_add_uplink(struct journal *st, const char *bridge, const char *device);
/* The bridge's latest uplink among the first n entries (st->n_entries: all),
 * or NULL. */
const char *journal_get_uplink(const struct journal *st, const char *bridge, size_t n);
/* The identity of a namespace the lab made (kernel/netns.h: inode and id),
 * recorded after the namespace entry, once the namespace exists. */
int journal_add_netns_id(struct journal *st, const char *name, uint64_t ino, uint64_t id);
/* The identity recorded for the namespace entry at index i (the latest one
 * of its name, if i is SIZE_MAX); false when there is none: a journal of an
 * older ovslab, or a run that died between the two entries. */
bool journal_get_netns_id(const struct journal *st, size_t i, const char *name, uint64_t *ino,
			  uint64_t *id);
/* Marks the end of an `up` that made everything it had to, with its time. */
int journal_add_complete(struct journal *st);
/* Takes that mark away while a command changes the lab (an edit, a down):
 * killed midway, the lab shows as incomplete, and gc finishes the job. */
int journal_forget_complete(struct journal *st);

/* A simulated machine, recorded before its namespace and switch are made;
 * its switch runs from journal_machine_dir(). */
int journal_add_machine(struct journal *st, const char *machine);
/* Calls fn for each recorded machine, in the order they were made; stops
 * at the first non-zero return and returns it. */
int journal_for_each_machine(const struct journal *st,
			     int (*fn)(const char *machine, void *arg), void *arg);
/* The machine's switch directory, <lab's directory>/machines/<machine>;
 * journal_machines_mkdir() makes its parent. */
void journal_machine_dir(const struct journal *st, const char *machine, char *buf, size_t len);
int journal_machines_mkdir(const struct journal *st);
/* Whether s names a path in some lab's machines directory (a machine's
 * switch has one in its command line, e.g. --pidfile=PATH); lab (32 bytes)
 * gets that lab's name. */
bool journal_machine_path(const char *path, char lab[32]);

/* Link properties `ovslab link` set on a host's interface, in place of the
 * file's: props is "key=value ..." (model/lab.h's keys), every property of
 * the interface; "" puts the file's values back.  A qdisc dies with its
 * interface, so nothing here is for down or gc: only for what the lab is
 * (plan, show, repairs). */
int journal_add_linkprops(struct journal *st, const char *host, const char *ifname,
			  const char *props);
/* Calls fn for each such entry, oldest first (a later one replaces an
 * earlier one of the same interface); stops at the first non-zero return. */
int journal_for_each_linkprops(const struct journal *st,
			       int (*fn)(const char *host, const char *ifname, const char *props,
					 void *arg), void *arg);
/* A machine interface the lab borrows: as a port of a bridge (owner: the
 * bridge; br-phy for the underlay interface of a computer that plays a
 * machine, up --machine) or moved into a host (owner: the host), with its
 * own state as captured (kernel/ifstate.h's text), recorded before the lab
 * touches it. */
enum journal_nic_role {
	JOURNAL_NIC_PORT,
	JOURNAL_NIC_HOST,
};
int journal_add_nic(struct journal *st, enum journal_nic_role role, const char *owner,
		    const char *ifname, const char *state);
/* Withdraws that entry once the interface is given back. */
int journal_forget_nic(struct journal *st, enum journal_nic_role role, const char *owner,
		       const char *ifname, const char *state);
/* Calls fn for each live interface entry from entry `from` on, the latest
 * first (given back in the reverse order of taking); stops at the first
 * non-zero return and returns it. */
int journal_for_each_nic(const struct journal *st, size_t from,
			 int (*fn)(enum journal_nic_role role, const char *owner,
				   const char *ifname, const char *state, void *arg),
			 void *arg);
/* The lab other than except (NULL: any) that has borrowed ifname: its name
 * in lab (32 bytes) and true; an unreadable or torn record counts (lab
 * then "?"). */
bool journal_nic_held(const char *ifname, const char *except, char lab[32]);

/* A TAP device (a bridge's taps:), recorded before it is made;
 * journal_for_each_tap() calls fn for each live one among the entries from
 * index `from` on, stopping at a non-zero return and returning it. */
int journal_add_tap(struct journal *st, const char *name);
int journal_for_each_tap(const struct journal *st, size_t from,
			 int (*fn)(const char *name, void *arg), void *arg);

/* Replaces the saved copy of the lab file (after an up that changed it). */
int journal_save_labfile(struct journal *st, const char *text, size_t len);
/* Path of the saved copy of the lab file. */
void journal_labfile(const struct journal *st, char *buf, size_t len);
void journal_close(struct journal *st);
/* Removes the lab's directory (journal, lab file, what else ovslab put there). */
int journal_remove(struct journal *st);

/* Calls fn for every lab that has a record. */
int journal_for_each_lab(int (*fn)(const char *lab, void *arg), void *arg);

/* Whether ovslab's private switch in rundir is used by a lab other than
 * except (NULL: by any lab).  Reads the other labs' journals only.  A record
 * that cannot be read, or whose last line was cut short, counts as a user:
 * a switch another lab may need is never stopped.  A record that went away
 * meanwhile does not. */
bool journal_private_switch_used(const char *rundir, const char *except);
/* The same for any fact: whether holds() is true of the journal of a lab
 * other than except (NULL: any lab), an unreadable or torn one counting. */
bool journal_any_lab(bool (*holds)(const struct journal *other, const void *arg), const void *arg,
		     const char *except);

const char *journal_kind_name(enum journal_kind kind);

#endif
