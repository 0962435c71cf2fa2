/* An interface's state before ovslab borrows it (a real NIC that becomes a
 * switch port), put back exactly afterwards: its MTU, the flags a switch
 * changes (up, promiscuous, all-multicast, no ARP), its IPv4 addresses and
 * the IPv4 routes through it.  Addresses and routes are kept as the
 * kernel's own messages (as `ip address save` does), so that they come back
 * with every attribute they had; IPv6 is never touched. */
#ifndef OVSLAB_IFSTATE_H
#define OVSLAB_IFSTATE_H

#include <net/if.h>
#include <stddef.h>

#include "kernel/rtnl.h"
#include "model/lab.h"

struct ifstate_msg {
	unsigned char *buf;      /* a whole netlink message, RTM_NEWADDR or RTM_NEWROUTE */
	size_t len;
};

struct ifstate {
	char name[IF_NAMESIZE];
	unsigned int mtu;
	unsigned int flags;      /* only IFSTATE_FLAGS */
	struct ifstate_msg *msgs;
	size_t n_msgs;
};

/* The flags that are recorded and put back. */
#define IFSTATE_FLAGS (IFF_UP | IFF_PROMISC | IFF_ALLMULTI | IFF_NOARP)

/* The longest line ifstate_line() writes. */
#define IFSTATE_LINE_MAX 2100

/* The state of name now; -ENODEV (message set) when there is none. */
int ifstate_capture(struct rtnl *nl, const char *name, struct ifstate *out);
/* As text, one line at a time (0 .. ifstate_lines()-1), for a record
 * (the journal), and back: ifstate_parse_line() on each line in order into
 * a zeroed struct whose name the caller set.  -EINVAL for a line it did not
 * write. */
size_t ifstate_lines(const struct ifstate *s);
int ifstate_line(const struct ifstate *s, size_t i, char *buf, size_t len);
int ifstate_parse_line(struct ifstate *s, const char *line);
/* The interface's IPv4 addresses and routes move to interface `to`
 * (deleted here, added there, the labels left behind), and `extra` is added
 * there unless it is among them (family 0: none). */
int ifstate_move(struct rtnl *nl, const struct ifstate *s, const char *to,
		 const struct lab_addr *extra);
/* Sets the MTU and brings the interface up (a switch reads it), without
 * ARP: the kernel must not answer on it for the addresses that move to the
 * switch's internal port, or peers would send there, to a MAC address the
 * switch's tunnels do not end at. */
int ifstate_take(struct rtnl *nl, const struct ifstate *s, unsigned int mtu);
/* Puts everything back as captured: MTU, flags, then addresses and routes
 * (those that are there already stay).  The first failure, message set;
 * it goes on past it. */
int ifstate_restore(struct rtnl *nl, const struct ifstate *s);
/* The interface that has IPv4 address a; -ENOENT when none has. */
int ifstate_find_addr(struct rtnl *nl, const struct lab_addr *a, char name[IF_NAMESIZE]);
void ifstate_free(struct ifstate *s);

#endif
