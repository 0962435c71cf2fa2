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
#include "journal/journal.h"

/* What each machine is named in its own namespace and the underlay's. */
#define MACHINES_PHY_BRIDGE "br-phy" /* OVS bridge holding the underlay port */
#define MACHINES_PHY_PORT "ul0"      /* the machine's end of its underlay cable */
#define MACHINES_UL_BRIDGE "ul"      /* the Linux bridge in the underlay namespace */

/* Whether the lab (as declared, or as it is up) has machines. */
bool machines_in(const struct lab *lab, const struct lab *old);

/* Names the machines and the underlay take that are already namespaces of
 * this computer, on diag; -EEXIST when any is. */
int machines_preflight(const struct lab *lab, FILE *diag);

/* An `up` over a lab with machines that is up: the same file changes
 * nothing (1); any other is refused (-EBUSY, message set): edits of such a
 * lab are not supported yet. */
int machines_check_edit(const struct lab *lab, const struct journal *st, const char *text,
			size_t len);

/* Builds a new lab with machines: the underlay, each machine's namespace
 * and switch (started all at once), its hosts, and its rows in one
 * transaction; then the hosts' exec.  Every object is journalled before it
 * is made; on failure the caller tears the lab down from the journal. */
int machines_build(const struct lab *lab, struct journal *st);

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
