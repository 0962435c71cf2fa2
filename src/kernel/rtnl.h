/* rtnetlink through libmnl.  A struct rtnl is a NETLINK_ROUTE socket bound to
 * the network namespace that was current when it was opened; it keeps working
 * there whatever namespace the thread moves to later. */
#ifndef OVSLAB_RTNL_H
#define OVSLAB_RTNL_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#include "model/lab.h"

struct rtnl;

/* Opens a socket in the calling thread's current network namespace. */
int rtnl_open(struct rtnl **out);
/* Opens a socket inside the namespace behind netns_fd (moves there and back). */
int rtnl_open_in(int netns_fd, struct rtnl **out);
void rtnl_close(struct rtnl *nl);

/* Creates a veth pair: `name` in this socket's namespace, `peer` created
 * directly inside the namespace behind peer_netns_fd (IFLA_NET_NS_FD).
 * -EEXIST when either name is taken. */
int rtnl_veth_create(struct rtnl *nl, const char *name, const char *peer,
		     int peer_netns_fd);
/* The same, this end up from birth (the peer still down).  A switch port's
 * end is also born promiscuous and without ARP: the switch reads it through
 * a packet socket, and the kernel must never answer ARP on it for an address
 * of its namespace (the gateway), or hosts would send their traffic to the
 * kernel behind the switch's back. */
int rtnl_veth_create_up(struct rtnl *nl, const char *name, const char *peer, int peer_netns_fd,
			bool switch_port);
/* An 802.1Q sub-interface `name` of parent_index tagged vlan_id, born
 * down.  -EOPNOTSUPP, with no message, when the kernel has no 802.1Q
 * (CONFIG_VLAN_8021Q): the caller names the interface it wanted. */
int rtnl_vlan_create(struct rtnl *nl, const char *name, int parent_index, unsigned int vlan_id);
/* Whether the kernel makes 802.1Q links: tried once, in a child process in
 * a network namespace of its own.  1, 0, or -errno with a message. */
int rtnl_vlan_available(void);
/* Moves ifindex into the namespace behind netns_fd, renamed to name there
 * (NULL: its name stays).  The kernel takes its addresses and routes away. */
int rtnl_link_move(struct rtnl *nl, int ifindex, int netns_fd, const char *name);
/* -ENODEV, with no message, when there is no such interface. */
int rtnl_link_del(struct rtnl *nl, const char *name);
/* A Linux bridge (kind "bridge"), born up, with that MTU (0: the default). */
int rtnl_bridge_create(struct rtnl *nl, const char *name, unsigned int mtu);
/* Enslaves ifindex to the bridge master (an ifindex of this namespace). */
int rtnl_link_set_master(struct rtnl *nl, int ifindex, int master);
/* ifindex of name in this socket's namespace, -ENODEV if none. */
int rtnl_link_index(struct rtnl *nl, const char *name);
int rtnl_link_up(struct rtnl *nl, int ifindex);
/* Sets the interface administratively up or down (IFF_UP). */
int rtnl_link_set_up(struct rtnl *nl, int ifindex, bool up);
/* An interface as the kernel has it, for `show` and `ovslab link`. */
struct rtnl_link_info {
	bool found, admin_up, carrier;
	unsigned int mtu;
	unsigned int operstate;  /* IF_OPER_* */
};
int rtnl_link_info(struct rtnl *nl, int ifindex, struct rtnl_link_info *out);
/* "up", "down", "lowerlayerdown", ... (IF_OPER_*, as ip link prints it). */
const char *rtnl_operstate_name(unsigned int operstate);
/* Sets the flags (IFF_*) in change to their values in flags; no message. */
int rtnl_link_flags(struct rtnl *nl, int ifindex, unsigned int flags, unsigned int change);
int rtnl_addr_add(struct rtnl *nl, int ifindex, const struct lab_addr *addr);
int rtnl_addr_del(struct rtnl *nl, int ifindex, const struct lab_addr *addr);
/* Deletes the neighbour (ARP / NDP) entry for addr on ifindex; -ENOENT
 * when there is none.  No message set: callers try many. */
int rtnl_neigh_del(struct rtnl *nl, int ifindex, const struct lab_addr *addr);
/* Sets the MAC address (mac non-NULL, 6 bytes) and/or the MTU (mtu > 0);
 * no_ll6: the interface never makes an IPv6 link-local address (address
 * generation mode none), so it sends no IPv6 at all.  Set before the link
 * goes up: the kernel applies the link's flags before the mode. */
int rtnl_link_set(struct rtnl *nl, int ifindex, const uint8_t *mac, unsigned int mtu,
		  bool no_ll6);
/* Adds a route to dst (family 0 or prefix 0 with a zero address: default)
 * through gateway gw (family 0: none) out of ifindex (0: let the kernel pick). */
int rtnl_route_add(struct rtnl *nl, const struct lab_addr *dst,
		   const struct lab_addr *gw, int ifindex);
int rtnl_route_del(struct rtnl *nl, const struct lab_addr *dst,
		   const struct lab_addr *gw, int ifindex);
/* Name of the device the IPv4 default route leaves through; -ENOENT if none. */
int rtnl_default_route_dev(struct rtnl *nl, char name[IF_NAMESIZE]);

/* Calls fn for each unicast route of the main table (family AF_INET,
 * AF_INET6 or AF_UNSPEC), with the name of its device ("" if none). */
int rtnl_route_list(struct rtnl *nl, int family,
		    void (*fn)(const struct lab_addr *dst, const char *dev, void *arg), void *arg);

/* Address listing for `show`: calls fn for each address on ifindex (0: on
 * every interface). */
int rtnl_addr_list(struct rtnl *nl, int ifindex,
		   void (*fn)(const struct lab_addr *a, void *arg), void *arg);

#endif
