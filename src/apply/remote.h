/* `ovslab up FILE --machine M` on a real computer: the computer plays
 * machine M of the file (model: lab_play).  Its part is built as any lab
 * without machines; this adds the underlay: the computer's own interface
 * (the machine's `interface`, or the one holding its underlay address),
 * borrowed into an OVS bridge br-phy whose internal port takes over its
 * addresses and routes, and the tunnels to the other machines' declared
 * addresses.  The interface's state is journalled before it is changed (a
 * port of br-phy among the machine's borrowed interfaces, apply/nic.h), and
 * down and gc put it back exactly (nic_give_back_ports). */
#ifndef OVSLAB_REMOTE_H
#define OVSLAB_REMOTE_H

#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>

#include "journal/journal.h"
#include "kernel/ifstate.h"
#include "kernel/rtnl.h"
#include "model/lab.h"
#include "switch/ovsdb.h"

struct remote {
	const struct lab *lab;         /* a played lab (lab->play) */
	char ifname[IF_NAMESIZE];      /* the borrowed interface */
	struct ifstate *before;        /* as it was, once borrowed */
	struct ovsdb_tunnel *tunnels;
	struct ovsdb_machine om;       /* for ovsdb_set_machine */
};

/* Pre-flight: the interface to borrow (-ENODEV, message set, when the
 * computer lacks it or nothing holds the underlay address) and the rows
 * the switch will get, none of whose names the switch may have already
 * (names: its rows, NULL when it does not run yet; -EEXIST); nothing is
 * changed. */
int remote_prepare(struct remote *r, const struct lab *lab, struct rtnl *nl,
		   const struct ovsdb_row_names *names);
/* Journals which machine the computer plays; first thing after the
 * journal is made (commands read the lab back through it). */
int remote_record(const struct lab *lab, struct journal *st);
/* Before the switch gets the rows: the interface's state into the journal,
 * then its MTU (the underlay's), up, without ARP. */
int remote_borrow(struct remote *r, struct journal *st, struct rtnl *nl);
/* Once the switch applied the rows: the interface's addresses and routes
 * move to br-phy's internal port, with the machine's underlay address. */
int remote_settle(struct remote *r, struct rtnl *nl);
void remote_free(struct remote *r);
/* An `up --machine` over the played lab that is up: the same file changes
 * nothing (1); any other is refused (-EBUSY, message set): a played lab is
 * not changed in place yet. */
int remote_check_edit(const struct lab *lab, const struct journal *st, const char *text,
		      size_t len);

/* show: which machine this computer plays, its underlay and tunnels. */
void remote_show(const struct lab *lab, const struct journal *st, bool json, FILE *out);

#endif
