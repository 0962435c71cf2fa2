/* Neighbour (ARP / NDP) entries that probes make, removed again.  The kernel
 * keeps the entries of every namespace in one table (gc_thresh3, 1024 by
 * default, settable only in the machine's namespace) and will not evict an
 * entry younger than 5 s: a 100-host matrix needs 9900 of them and would
 * overflow it.  `check --all` removes the entries each pair of probes made as
 * soon as the pair is done; entries that were there before are kept. */
#ifndef OVSLAB_NEIGH_H
#define OVSLAB_NEIGH_H

#include "model/lab.h"

struct neigh;

/* Opens rtnetlink in the calling thread's namespace and notes the entries
 * that exist now (never removed). */
int neigh_open(struct neigh **out);
/* Removes the entry for a on ifindex unless it was noted; no wait for the
 * kernel's answer.  Returns 0 or -errno of the send. */
int neigh_forget(struct neigh *n, int ifindex, const struct lab_addr *a);
void neigh_close(struct neigh *n);

/* A gratuitous ARP for a (IPv4) from ifname of the namespace behind
 * netns_fd: switches that snoop ARP (Open vSwitch's tunnel neighbour cache)
 * learn the interface's MAC address for a at once, e.g. after it was made
 * anew with a new one. */
int neigh_announce(int netns_fd, const char *ifname, const struct lab_addr *a);

#endif
