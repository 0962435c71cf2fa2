/* A machine interface's own state, captured before a lab borrows it and put
 * back afterwards: name, MAC, MTU, flags (up, promiscuous, ...), TX checksum
 * offload, its addresses (flags and lifetimes) and the routes through it.
 * For a bridge's `interfaces:`, a host's `physical:` (apply/nic.c) and a
 * computer's underlay interface under up --machine (apply/remote.c). */
#ifndef OVSLAB_IFSTATE_H
#define OVSLAB_IFSTATE_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>

#include "kernel/rtnl.h"
#include "model/lab.h"

struct ifstate;

/* The state of ifname in nl's namespace (which must be the calling
 * thread's: offloads are read through an ioctl).  -ENODEV, with a message,
 * when there is no such interface. */
int ifstate_capture(struct rtnl *nl, const char *ifname, struct ifstate **out);
void ifstate_free(struct ifstate *s);

/* One line of text without spaces at its ends, for the journal; -ENOSPC
 * (message set) when it does not fit in len. */
int ifstate_to_text(const struct ifstate *s, char *buf, size_t len);
/* The state a line of ifstate_to_text describes; -EINVAL if it is not one. */
int ifstate_from_text(const char *text, struct ifstate **out);

const char *ifstate_name(const struct ifstate *s);
/* The ifindex it had when captured; the master it was enslaved to (0:
 * none). */
int ifstate_ifindex(const struct ifstate *s);
int ifstate_master(const struct ifstate *s);
/* Whether a default route (IPv4 or IPv6) leaves through it. */
bool ifstate_has_default_route(const struct ifstate *s);

/* The interface the state was captured from, in nl's namespace: its
 * permanent MAC address if it has one, else its name with the same MAC,
 * else its MAC (the kernel gives a device back from a deleted namespace as
 * devN, without addresses).  Its ifindex, or -ENODEV (no message). */
int ifstate_find(struct rtnl *nl, const struct ifstate *s);

/* The interface that has address a (IPv4 or IPv6), in nl's namespace;
 * -ENOENT (no message) when none has. */
int ifstate_find_addr(struct rtnl *nl, const struct lab_addr *a, char name[IF_NAMESIZE]);

/* Makes the captured interface a switch's port: up, its MTU mtu (0: left
 * as it is), and without ARP: the kernel must not answer on it for the
 * addresses that move to the bridge's internal port, or peers would send
 * there and the switch would never see the traffic. */
int ifstate_take(struct rtnl *nl, const struct ifstate *s, unsigned int mtu);

/* Puts the interface back as captured, in nl's namespace (the calling
 * thread's): name, MAC, MTU, offload, flags, then every address and route
 * it lacks; what is already there is left as it is. */
int ifstate_restore(struct rtnl *nl, const struct ifstate *s);

/* Moves the captured addresses (not link-local ones) and the routes through
 * the interface to the interface `to` (an ifindex of nl's namespace):
 * added there first, then taken off the interface, so the machine keeps
 * its connectivity through `to`.  extra (NULL or family 0: none) is added
 * to `to` as well unless it is among them (a played machine's underlay
 * address, which its interface need not have). */
int ifstate_move_addresses(struct rtnl *nl, const struct ifstate *s, int to,
			   const struct lab_addr *extra);

#endif
