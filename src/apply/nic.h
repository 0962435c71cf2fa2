/* The machine's own interfaces a lab borrows: a bridge's `interfaces:`
 * (ports of the switch, their addresses optionally moved to the bridge's
 * internal port) and a host's `physical:` interfaces (moved into its
 * namespace).  Each one's state is in the journal before it is touched, and
 * it is given back as it was by down, gc and a failed up. */
#ifndef OVSLAB_NIC_H
#define OVSLAB_NIC_H

#include <stddef.h>

#include "apply/build.h"
#include "journal/journal.h"

struct ifstate;
/* Captures ifname and records its state in the journal (role, owner)
 * before anything changes it; the state in *out too unless out is NULL
 * (the caller frees it). */
int nic_record(struct rtnl *nl, struct journal *st, enum journal_nic_role role,
	       const char *owner, const char *ifname, struct ifstate **out);
/* Records the state of every bridge's interfaces before the switch gets
 * them as ports, which are then up without ARP. */
int nic_take_ports(struct build *b);
/* Moves the addresses and routes of the interfaces with take_address to
 * their bridge's internal port (which the switch made by now). */
int nic_take_addresses(struct build *b);
/* Records the host interface's machine interface and moves it into the
 * host's namespace (ns), renamed to its ifname. */
int nic_take_host(struct build *b, struct build_ns *ns, const struct lab_iface *ifc);

/* Gives back the interfaces the journal records from entry `from` on, the
 * latest first: those moved into hosts (only host's if host is not NULL),
 * or the bridges' ports.  A host's is moved back from its namespace if it
 * is still there, or found on the machine by its MAC address if the kernel
 * gave it back already (the namespace was deleted by hand); each is then
 * put back as it was and its entry withdrawn.  Goes on after a failure and
 * returns the first. */
int nic_give_back_hosts(struct journal *st, size_t from, const char *host);
/* The ports: once the switch has let go of them and of the bridges'
 * internal ports (which hold the moved addresses and routes until then). */
int nic_give_back_ports(struct journal *st, size_t from);

#endif
