/* Making and removing the lab's objects on the machine, one host, link or
 * bridge at a time.  Every object is entered in the lab's journal before it
 * is made, so a run that stops midway can always be undone. */
#ifndef OVSLAB_BUILD_H
#define OVSLAB_BUILD_H

#include <net/if.h>

#include "model/lab.h"
#include "kernel/rtnl.h"
#include "journal/journal.h"

struct build {
	const struct lab *lab;
	struct journal *st;
	const char *datapath; /* "netdev" or "system" */
	struct rtnl *nl;      /* the machine's namespace */
	int self_fd;          /* to come back to the machine's namespace */
	int net_fd;           /* the machine's /proc/sys/net (sysctl_net_open); -1: the
			       * bridge ends are in a simulated machine, whose
			       * interfaces need no sysctl */
};

/* An interface's sysctl in the machine's namespace (family "ipv4" or "ipv6",
 * key under conf/IFNAME/); nothing in a simulated machine's. */
int build_sysctl_if(struct build *b, const char *ifname, const char *family, const char *key,
		    const char *value);

int build_open(struct build *b, const struct lab *lab, struct journal *st, const char *datapath);
void build_close(struct build *b);

/* The namespace, lo, sysctls and every interface that is not a link end. */
int build_host(struct build *b, const struct lab_host *h);

/* A host's set-up happens in one visit to its namespace: the sockets opened
 * there stay there, so the rest is done from the machine's side. */
struct build_ns {
	struct build *b;
	const struct lab_host *h;
	struct rtnl *nl;  /* NETLINK_ROUTE in the host */
	int sock;         /* AF_INET in the host, for ethtool ioctls */
	int fd;           /* the namespace, for IFLA_NET_NS_FD */
};

/* build_host in two halves, so that many namespaces can be made before any
 * of their interfaces: the namespace with lo up and its sockets in ns (closed
 * on failure); then the interfaces and routes.  The caller closes ns. */
int build_host_ns(struct build *b, const struct lab_host *h, struct build_ns *ns);
int build_host_ifaces(struct build *b, struct build_ns *ns);
void build_ns_close(struct build_ns *ns);
/* A direct cable between two existing hosts, both ends configured. */
int build_link(struct build *b, const struct lab_link *l);
/* The host's routes (all interfaces must exist). */
int build_host_routes(struct build *b, const struct lab_host *h);
/* Runs the host's exec: commands in order, each to its end. */
int build_host_exec(struct build *b, const struct lab_host *h);
/* The gateway addresses on a bridge's internal port, once the switch made it. */
int build_gateway(struct build *b, const struct lab_bridge *br);

/* Addresses and routes of an existing host moved from old to new in place:
 * the namespace and everything running in it stay. */
int build_host_update(struct build *b, const struct lab *old_lab, const struct lab_host *old,
		      const struct lab_host *h);
/* The same, putting back whatever of h is missing (a repair: every address
 * and route of h added, those already there left as they are). */
int build_host_repair(struct build *b, const struct lab *old_lab, const struct lab_host *old,
		      const struct lab_host *h);
/* build_gateway, an address already there left as it is. */
int build_gateway_repair(struct build *b, const struct lab_bridge *br);
/* Every host of the lab, and the machine on every bridge's internal port,
 * forgets the neighbour entries of these addresses: an interface made anew
 * has a new MAC address, and an entry would send traffic to the old one for
 * half a minute.  Best effort. */
void build_forget_neighbours(struct build *b, const struct lab_addr *addrs, size_t n);
/* Takes down the host's interfaces declared `state: down`, once its routes
 * are in (a route cannot be added through a link that is down). */
int build_host_state(struct build *b, const struct lab_host *h);
/* One interface of a host that is up, from link properties o to n in place:
 * its qdiscs and loss filter, its state (back up: its addresses and routes
 * put back). */
int build_iface_change(struct build *b, const struct lab_host *h, const struct lab_iface *o,
		       const struct lab_iface *n);
/* Stops what runs in the host, removes its outside ends and namespace, and
 * withdraws them from the journal. */
int build_host_remove(struct build *b, const struct lab_host *h);
/* Removes a direct cable (from the first end's namespace). */
int build_link_remove(struct build *b, const struct lab_link *l);
/* Takes the gateway addresses off a bridge's internal port. */
int build_gateway_remove(struct build *b, const struct lab_bridge *br);

#endif
