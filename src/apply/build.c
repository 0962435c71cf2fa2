/* Making and removing a lab's hosts, cables, routes and gateways through the
 * kernel backend, each entered in the journal before it is made (build.h). */
#include "apply/build.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/pidfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "apply/nic.h"
#include "util/err.h"
#include "kernel/ethtool.h"
#include "kernel/tc.h"
#include "kernel/netns.h"
#include "kernel/sysctl.h"
#include "util/timing.h"

/* How long one exec: command may take before up gives up on it. */
#define BUILD_EXEC_TIMEOUT_MS 30000

int build_open(struct build *b, const struct lab *lab, struct journal *st, const char *datapath)
{
	memset(b, 0, sizeof(*b));
	b->lab = lab;
	b->st = st;
	b->datapath = datapath;
	b->net_fd = -1;
	b->self_fd = netns_self();
	if (b->self_fd < 0)
		return b->self_fd;
	b->net_fd = sysctl_net_open();
	if (b->net_fd < 0)
		return b->net_fd;
	return rtnl_open(&b->nl);
}

void build_close(struct build *b)
{
	rtnl_close(b->nl);
	b->nl = NULL;
	if (b->self_fd >= 0)
		close(b->self_fd);
	if (b->net_fd >= 0)
		close(b->net_fd);
	b->self_fd = b->net_fd = -1;
}

/* Runs fn inside the namespace behind nsfd and comes back, whatever happens. */
static int build_in_ns(struct build *b, int nsfd, int (*fn)(void *arg), void *arg)
{
	int ret = netns_enter(nsfd);

	if (ret < 0)
		return ret;
	ret = fn(arg);
	if (netns_enter(b->self_fd) < 0 && ret == 0)
		ret = -errno;
	return ret;
}

int build_sysctl_if(struct build *b, const char *ifname, const char *family,
			   const char *key, const char *value)
{
	char path[128];
	int ret;

	/* A simulated machine's namespace: /proc/sys/net names the calling
	 * thread's namespace whatever fd it is reached through, and the
	 * machine has IPv6 off by default (apply/machines.c). */
	if (b->net_fd < 0)
		return 0;
	snprintf(path, sizeof(path), "%s/conf/%s/%s", family, ifname, key);
	ret = sysctl_net_write(b->net_fd, path, value);
	return ret == -ENOENT ? 0 : ret; /* a kernel without IPv6 */
}

/* A conf/default or conf/all sysctl inside a new host. */
static int build_sysctl_ns(const char *which, const char *key, const char *value)
{
	char path[128];
	int ret;

	snprintf(path, sizeof(path), "net/ipv6/conf/%s/%s", which, key);
	ret = sysctl_write(path, value);
	return ret == -ENOENT ? 0 : ret; /* a kernel without IPv6 */
}

/* In a new host, before any interface exists: no IPv6 duplicate address
 * detection when the lab has IPv6 (addresses would stay unusable for a
 * second).  A lab without IPv6 sets no sysctl here: its interfaces are kept
 * from making link-local addresses through netlink (build_iface_inside),
 * which spares every host a walk past all other hosts' /proc/sys/net. */
static int build_ns_defaults(void *arg)
{
	const struct lab *lab = arg;
	int ret;

	if (!lab->has_ipv6)
		return 0;
	ret = build_sysctl_ns("default", "accept_dad", "0");
	if (ret == 0)
		ret = build_sysctl_ns("all", "accept_dad", "0");
	return ret;
}

static int build_ns_sysctls(void *arg)
{
	const struct lab_host *h = arg;

	for (size_t i = 0; i < h->n_sysctls; i++) {
		const struct lab_sysctl *sc = &h->sysctls[i];
		char path[256];
		int ret;

		snprintf(path, sizeof(path), "%s", sc->key);
		for (char *p = path; *p; p++)
			if (*p == '.')
				*p = '/';
		ret = sysctl_write(path, sc->value);
		if (ret < 0) {
			err_set("%s: sysctl %s=%s: %s", h->name, sc->key, sc->value, strerror(-ret));
			return ret;
		}
	}
	return 0;
}

void build_ns_close(struct build_ns *ns)
{
	rtnl_close(ns->nl);
	ns->nl = NULL;
	if (ns->sock >= 0)
		close(ns->sock);
	if (ns->fd >= 0)
		close(ns->fd);
	ns->sock = ns->fd = -1;
}

/* Runs inside the new namespace, once. */
static int build_ns_setup(void *arg)
{
	struct build_ns *ns = arg;
	int ret;

	ret = build_ns_defaults((void *)ns->b->lab);
	if (ret == 0)
		ret = build_ns_sysctls((void *)ns->h);
	if (ret == 0)
		ret = rtnl_open(&ns->nl);
	if (ret < 0)
		return ret;
	ns->sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ns->fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	return ns->sock < 0 || ns->fd < 0 ? -errno : 0;
}

/* Sockets in an existing namespace (a cable's ends). */
static int build_ns_sockets(void *arg)
{
	struct build_ns *ns = arg;
	int ret = rtnl_open(&ns->nl);

	if (ret < 0)
		return ret;
	ns->sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	return ns->sock < 0 ? -errno : 0;
}

/* By ioctl rather than netlink: the kernel answers it without its routing
 * lock, which ovs-vswitchd is contending for while a lab comes up. */
static int build_ifindex(int sock, const char *name)
{
	struct ifreq ifr = { 0 };

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(sock, SIOCGIFINDEX, &ifr) < 0)
		return -errno;
	return ifr.ifr_ifindex;
}

/* What an interface sends shaped as its link properties say (its state is
 * set once the host's routes are in: build_host_state). */
static int build_iface_shape(struct rtnl *nsnl, int idx, const struct lab_iface *ifc)
{
	int netem;

	if (!lab_linkprops_shaped(&ifc->props))
		return 0;
	netem = tc_netem_available();
	if (netem < 0)
		return netem;
	return tc_set(nsnl, idx, &ifc->props, ifc->mtu, netem);
}

/* The host end of an interface: offloads, MAC, MTU, addresses.  idx is its
 * index in the host, 0 when it has to be looked up; up says whether it
 * still has to be brought up. */
static int build_iface_inside(struct build *b, struct build_ns *ns, const struct lab_iface *ifc,
			      int idx, bool up)
{
	/* A sub-interface sends through its parent's port. */
	const struct lab_iface *port = ifc->attach == LAB_ATTACH_VLAN && ns->h
		? lab_find_iface(ns->h, ifc->parent) : ifc;
	const struct lab_bridge *br = port && port->attach == LAB_ATTACH_BRIDGE
		? lab_find_bridge(b->lab, port->bridge) : NULL;
	int ret = 0;

	/* The userspace datapath forwards what the veth hands it as is, so a
	 * checksum the sender left to the hardware would never be filled in. */
	if (br && !strcmp(br->settings.datapath ? br->settings.datapath : b->datapath, "netdev"))
		ret = ethtool_tx_csum_off_fd(ns->sock, ifc->ifname);
	if (ret < 0)
		return ret;
	if (idx <= 0)
		idx = build_ifindex(ns->sock, ifc->ifname);
	if (idx < 0) {
		err_set("%s: interface missing in the host", ifc->ifname);
		return idx;
	}
	/* Without IPv6 in the lab, the link-local address chatter of a
	 * thousand hosts would flood the bridge: no address generation, set
	 * while the link is still down (in the same request as the flags, the
	 * kernel brings the link up first and 299 of 300 hosts made one). */
	bool no_ll6 = !b->lab->has_ipv6 && ifc->attach != LAB_ATTACH_PHYSICAL;

	/* (A machine's own interface keeps its address generation: it is
	 * given back as it came.) */
	if (ifc->has_mac || ifc->mtu || no_ll6)
		ret = rtnl_link_set(ns->nl, idx, ifc->has_mac ? ifc->mac : NULL, ifc->mtu, no_ll6);
	if (ret == 0 && up)
		ret = rtnl_link_up(ns->nl, idx);
	for (size_t i = 0; ret == 0 && i < ifc->n_addrs; i++)
		ret = rtnl_addr_add(ns->nl, idx, &ifc->addrs[i]);
	if (ret == 0)
		ret = build_iface_shape(ns->nl, idx, ifc);
	return ret;
}

static struct lab_addr build_host_prefix(const struct lab_addr *a)
{
	struct lab_addr r = *a;

	r.prefix = a->family == AF_INET ? 32 : 128;
	return r;
}

/* The machine end, born up: a bridge port needs no IP at all; a machine
 * attachment routes the host's addresses to it and answers ARP for the
 * machine. */
static int build_iface_outside(struct build *b, const struct lab_iface *ifc)
{
	bool machine = ifc->attach == LAB_ATTACH_MACHINE;
	int idx = 0;
	int ret;

	ret = build_sysctl_if(b, ifc->port, "ipv6", "disable_ipv6",
			      machine && lab_iface_has_family(ifc, AF_INET6) ? "0" : "1");
	if (ret == 0 && machine)
		ret = build_sysctl_if(b, ifc->port, "ipv4", "proxy_arp", "1");
	if (ret == 0 && (machine || ifc->mtu))
		idx = rtnl_link_index(b->nl, ifc->port);
	if (idx < 0)
		return idx;
	if (ret == 0 && ifc->mtu)
		ret = rtnl_link_set(b->nl, idx, NULL, ifc->mtu, false);
	for (size_t i = 0; ret == 0 && machine && i < ifc->n_addrs; i++) {
		struct lab_addr dst = build_host_prefix(&ifc->addrs[i]);

		ret = rtnl_route_add(b->nl, &dst, NULL, idx);
	}
	return ret;
}

/* A VLAN sub-interface on its parent, which an earlier item of the host's
 * interfaces made (the lab file is validated so).  It lives and dies with
 * the namespace: nothing to journal. */
static int build_vlan(struct build *b, struct build_ns *ns, const struct lab_iface *ifc)
{
	int parent = build_ifindex(ns->sock, ifc->parent);
	int ret;

	if (parent < 0) {
		err_set("%s:%s: parent %s missing in the host", ns->h->name, ifc->ifname, ifc->parent);
		return parent;
	}
	ret = rtnl_vlan_create(ns->nl, ifc->ifname, parent, ifc->vlan_id);
	if (ret == -EOPNOTSUPP)
		err_set("%s:%s: cannot create the VLAN sub-interface: this kernel has no 802.1Q support (module 8021q, CONFIG_VLAN_8021Q)",
			ns->h->name, ifc->ifname);
	if (ret == 0)
		ret = build_iface_inside(b, ns, ifc, 0, true);
	return ret;
}

static bool build_has_links(const struct lab_host *h)
{
	for (size_t i = 0; i < h->n_ifaces; i++)
		if (h->ifaces[i].attach == LAB_ATTACH_LINK)
			return true;
	return false;
}

static int build_routes_with(struct build *b, const struct lab_host *h, struct rtnl *nsnl,
			     int sock);

int build_host_ns(struct build *b, const struct lab_host *h, struct build_ns *ns)
{
	struct netns_id id;
	int ret;

	*ns = (struct build_ns){ .b = b, .h = h, .sock = -1, .fd = -1 };
	ret = journal_add(b->st, JOURNAL_NETNS, "%s", h->name);
	if (ret < 0)
		goto out;
	ret = netns_add_in(h->name, build_ns_setup, ns, &id);
	if (ret < 0) {
		if (ret == -EEXIST)
			journal_forget(b->st, JOURNAL_NETNS, h->name);
		goto out;
	}
	/* What down, gc and exec compare before they touch a namespace of this
	 * name: one made anew by someone else is not the lab's. */
	ret = journal_add_netns_id(b->st, h->name, id.ino, id.id);
	if (ret < 0)
		goto out;
	ret = rtnl_link_up(ns->nl, 1); /* lo */
	timing_phase("namespaces");
out:
	if (ret < 0) {
		err_set("%s: cannot set up the host: %s", h->name, strerror(-ret));
		build_ns_close(ns);
	}
	return ret;
}

int build_host_ifaces(struct build *b, struct build_ns *ns)
{
	const struct lab_host *h = ns->h;
	int ret = 0;

	for (size_t i = 0; ret == 0 && i < h->n_ifaces; i++) {
		const struct lab_iface *ifc = &h->ifaces[i];

		if (ifc->attach == LAB_ATTACH_LINK)
			continue;
		if (ifc->attach == LAB_ATTACH_VLAN) {
			ret = build_vlan(b, ns, ifc);
			continue;
		}
		if (ifc->attach == LAB_ATTACH_PHYSICAL) {
			ret = nic_take_host(b, ns, ifc);
			if (ret == 0)
				ret = build_iface_inside(b, ns, ifc, 0, true);
			continue;
		}
		ret = journal_add(b->st, JOURNAL_LINK, "%s", ifc->port);
		if (ret < 0)
			break;
		/* A bridge port born promiscuous: ovs-vswitchd would set the
		 * flag itself, and each such change in its namespace makes it
		 * reconfigure every port it has (1000 hosts: switch CPU
		 * 1.5-1.8 s -> 1.3-1.5 s).  Born without ARP too: otherwise the
		 * kernel answers a host's ARP for the gateway on this end, and
		 * the host's traffic bypasses the switch from then on.  (IPv6
		 * is off on it: build_iface_outside.) */
		ret = rtnl_veth_create_up(b->nl, ifc->port, ifc->ifname, ns->fd,
					  ifc->attach == LAB_ATTACH_BRIDGE);
		if (ret == -EEXIST)
			journal_forget(b->st, JOURNAL_LINK, ifc->port);
		timing_phase("links");
		if (ret == 0)
			ret = build_iface_outside(b, ifc);
		if (ret == 0)
			ret = build_iface_inside(b, ns, ifc, 0, true);
		timing_phase("addresses");
	}
	/* Routes through cables wait until the cables exist. */
	if (ret == 0 && !build_has_links(h))
		ret = build_routes_with(b, h, ns->nl, ns->sock);
	timing_phase("routes");
	if (ret < 0)
		err_set("%s: cannot set up the host: %s", h->name, strerror(-ret));
	return ret;
}

int build_host(struct build *b, const struct lab_host *h)
{
	struct build_ns ns;
	int ret = build_host_ns(b, h, &ns);

	if (ret == 0)
		ret = build_host_ifaces(b, &ns);
	build_ns_close(&ns);
	return ret;
}

static int build_link_end(struct build *b, const char *host, const char *ifname, int nsfd)
{
	const struct lab_host *h = lab_find_host(b->lab, host);
	const struct lab_iface *ifc = h ? lab_find_iface(h, ifname) : NULL;
	struct build_ns ns = { .b = b, .h = h, .sock = -1, .fd = -1 };
	int ret;

	if (!ifc) {
		err_set("%s: no interface %s in the lab", host, ifname);
		return -ENOENT;
	}
	ret = build_in_ns(b, nsfd, build_ns_sockets, &ns);
	if (ret == 0)
		ret = build_iface_inside(b, &ns, ifc, 0, true);
	build_ns_close(&ns);
	return ret;
}

int build_link(struct build *b, const struct lab_link *l)
{
	struct rtnl *nl0 = NULL;
	int fd0 = netns_open(l->host[0]);
	int fd1 = netns_open(l->host[1]);
	int ret;

	if (fd0 < 0 || fd1 < 0) {
		ret = fd0 < 0 ? fd0 : fd1;
		goto out;
	}
	/* Both ends are born in their hosts: the first end through a socket in
	 * the first host, the peer straight into the second. */
	ret = rtnl_open_in(fd0, &nl0);
	if (ret == 0)
		ret = rtnl_veth_create(nl0, l->ifname[0], l->ifname[1], fd1);
	if (ret == 0)
		ret = build_link_end(b, l->host[0], l->ifname[0], fd0);
	if (ret == 0)
		ret = build_link_end(b, l->host[1], l->ifname[1], fd1);
out:
	if (ret < 0)
		err_set("link %s:%s - %s:%s: cannot set it up: %s", l->host[0], l->ifname[0],
			l->host[1], l->ifname[1], strerror(-ret));
	rtnl_close(nl0);
	if (fd0 >= 0)
		close(fd0);
	if (fd1 >= 0)
		close(fd1);
	return ret;
}

int build_link_remove(struct build *b, const struct lab_link *l)
{
	struct rtnl *nl0 = NULL;
	int fd0 = netns_open(l->host[0]);
	int ret;

	(void)b;
	if (fd0 < 0)
		return fd0 == -ENOENT ? 0 : fd0;
	ret = rtnl_open_in(fd0, &nl0);
	if (ret == 0)
		ret = rtnl_link_del(nl0, l->ifname[0]);
	if (ret == -ENODEV)
		ret = 0;
	rtnl_close(nl0);
	close(fd0);
	return ret;
}

/* sock: an AF_INET socket in the host, or -1 to look the device up over
 * netlink. */
static int build_route_apply(struct rtnl *nsnl, int sock, const char *host,
			     const struct lab_host_route *r, bool add)
{
	int idx = 0;

	if (r->dev) {
		idx = sock >= 0 ? build_ifindex(sock, r->dev) : rtnl_link_index(nsnl, r->dev);
		if (idx < 0) {
			err_set("%s: route through %s: no such interface in the host", host, r->dev);
			return idx;
		}
	}
	if (add)
		return rtnl_route_add(nsnl, &r->dst, &r->via, idx);
	return rtnl_route_del(nsnl, &r->dst, &r->via, idx);
}

static int build_ns_socket(const char *host, struct rtnl **nsnl)
{
	int fd = netns_open(host);
	int ret;

	if (fd < 0)
		return fd;
	ret = rtnl_open_in(fd, nsnl);
	close(fd);
	return ret;
}

static int build_routes_with(struct build *b, const struct lab_host *h, struct rtnl *nsnl,
			     int sock)
{
	struct lab_host_route *routes = NULL;
	int n;
	int ret = 0;

	n = lab_host_routes(b->lab, h, &routes);
	for (int i = 0; ret == 0 && i < n; i++)
		if (!lab_route_down(h, &routes[i]))
			ret = build_route_apply(nsnl, sock, h->name, &routes[i], true);
	if (ret < 0)
		err_set("%s: cannot add its routes: %s", h->name, strerror(-ret));
	free(routes);
	return n < 0 ? n : ret;
}

int build_host_routes(struct build *b, const struct lab_host *h)
{
	struct rtnl *nsnl = NULL;
	int ret;

	/* A host without cables got its routes when it was made. */
	if (!build_has_links(h))
		return 0;
	ret = build_ns_socket(h->name, &nsnl);
	if (ret == 0)
		ret = build_routes_with(b, h, nsnl, -1);
	rtnl_close(nsnl);
	return ret;
}

static bool build_addr_in(const struct lab_addr *a, const struct lab_addr *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (lab_addr_eq(a, &v[i]))
			return true;
	return false;
}

static bool build_route_in(const struct lab_host_route *r, const struct lab_host_route *v, int n)
{
	for (int i = 0; i < n; i++)
		if (lab_host_route_eq(r, &v[i]))
			return true;
	return false;
}

/* A repair puts back what is missing whatever the journal says was made:
 * an object already there, or already gone, is as wanted. */
static int build_tolerate(int ret, bool repair)
{
	return repair && (ret == -EEXIST || ret == -EADDRNOTAVAIL || ret == -ESRCH) ? 0 : ret;
}

/* Addresses of one interface from old to new, and the machine-side routes
 * of a machine attachment with them; a repair adds every address. */
static int build_iface_update(struct build *b, struct rtnl *nsnl, const struct lab_iface *o,
			      const struct lab_iface *n, bool repair)
{
	int idx = rtnl_link_index(nsnl, n->ifname);
	int pidx = n->attach == LAB_ATTACH_MACHINE ? rtnl_link_index(b->nl, n->port) : 0;
	int ret = 0;

	if (idx < 0 || pidx < 0)
		return idx < 0 ? idx : pidx;
	for (size_t i = 0; ret == 0 && i < o->n_addrs; i++) {
		struct lab_addr dst = build_host_prefix(&o->addrs[i]);

		if (build_addr_in(&o->addrs[i], n->addrs, n->n_addrs))
			continue;
		ret = build_tolerate(rtnl_addr_del(nsnl, idx, &o->addrs[i]), repair);
		if (ret == 0 && pidx > 0)
			ret = build_tolerate(rtnl_route_del(b->nl, &dst, NULL, pidx), repair);
	}
	for (size_t i = 0; ret == 0 && i < n->n_addrs; i++) {
		struct lab_addr dst = build_host_prefix(&n->addrs[i]);

		if (!repair && build_addr_in(&n->addrs[i], o->addrs, o->n_addrs))
			continue;
		ret = build_tolerate(rtnl_addr_add(nsnl, idx, &n->addrs[i]), repair);
		if (ret == 0 && pidx > 0)
			ret = build_tolerate(rtnl_route_add(b->nl, &dst, NULL, pidx), repair);
	}
	return ret;
}

static int build_host_change(struct build *b, const struct lab *old_lab, const struct lab_host *old,
			     const struct lab_host *h, bool repair)
{
	struct lab_host_route *ro = NULL, *rn = NULL;
	struct rtnl *nsnl = NULL;
	int nsfd = -1;
	int no, nn;
	int ret;

	no = lab_host_routes(old_lab, old, &ro);
	nn = lab_host_routes(b->lab, h, &rn);
	if (no < 0 || nn < 0) {
		ret = -ENOMEM;
		goto out;
	}
	nsfd = netns_open(h->name);
	ret = nsfd < 0 ? nsfd : rtnl_open_in(nsfd, &nsnl);
	/* Old routes first: a changed address may be what they went through. */
	for (int i = 0; ret == 0 && i < no; i++)
		if (!build_route_in(&ro[i], rn, nn)) {
			ret = build_route_apply(nsnl, -1, h->name, &ro[i], false);
			if (ret == -ESRCH) /* gone with a removed address */
				ret = 0;
		}
	for (size_t i = 0; ret == 0 && i < h->n_ifaces; i++)
		ret = build_iface_update(b, nsnl, &old->ifaces[i], &h->ifaces[i], repair);
	/* Routes kept are added again too: removing an address takes with it
	 * the routes through a gateway it made reachable (an edit that moved
	 * a host's address lost its default route). */
	for (int i = 0; ret == 0 && i < nn; i++) {
		bool kept = build_route_in(&rn[i], ro, no);

		if (lab_route_down(h, &rn[i]))
			continue;
		ret = build_tolerate(build_route_apply(nsnl, -1, h->name, &rn[i], true),
				     repair || kept);
	}
	if (ret == 0)
		ret = build_in_ns(b, nsfd, build_ns_sysctls, (void *)h);
out:
	if (ret < 0)
		err_set("%s: cannot change the host in place: %s", h->name, strerror(-ret));
	rtnl_close(nsnl);
	if (nsfd >= 0)
		close(nsfd);
	free(ro);
	free(rn);
	return ret;
}

int build_host_update(struct build *b, const struct lab *old_lab, const struct lab_host *old,
		      const struct lab_host *h)
{
	return build_host_change(b, old_lab, old, h, false);
}

int build_host_repair(struct build *b, const struct lab *old_lab, const struct lab_host *old,
		      const struct lab_host *h)
{
	return build_host_change(b, old_lab, old, h, true);
}

int build_host_state(struct build *b, const struct lab_host *h)
{
	struct rtnl *nsnl = NULL;
	int ret = 0, idx;

	(void)b;
	for (size_t i = 0; ret == 0 && i < h->n_ifaces; i++) {
		if (h->ifaces[i].props.state != LAB_LINK_DOWN)
			continue;
		if (!nsnl)
			ret = build_ns_socket(h->name, &nsnl);
		idx = ret < 0 ? ret : rtnl_link_index(nsnl, h->ifaces[i].ifname);
		ret = idx < 0 ? idx : rtnl_link_set_up(nsnl, idx, false);
	}
	rtnl_close(nsnl);
	if (ret < 0)
		err_set("%s: cannot take an interface down: %s", h->name, strerror(-ret));
	return ret;
}

int build_iface_change(struct build *b, const struct lab_host *h, const struct lab_iface *o,
		       const struct lab_iface *n)
{
	struct lab_linkprops so = o->props, sn = n->props;
	struct rtnl *nsnl = NULL;
	int ret, idx = -ENODEV;

	so.state = sn.state = LAB_LINK_UP;
	ret = build_ns_socket(h->name, &nsnl);
	if (ret == 0)
		ret = idx = rtnl_link_index(nsnl, n->ifname);
	if (ret >= 0 && !lab_linkprops_eq(&so, &sn)) {
		int netem = tc_netem_available();

		ret = netem < 0 ? netem : tc_set(nsnl, idx, &n->props, n->mtu, netem);
	}
	if (ret >= 0 && o->props.state != n->props.state)
		ret = rtnl_link_set_up(nsnl, idx, n->props.state == LAB_LINK_UP);
	rtnl_close(nsnl);
	/* Down took the interface's IPv6 addresses and every route through it
	 * away: up puts them back. */
	if (ret >= 0 && o->props.state == LAB_LINK_DOWN && n->props.state == LAB_LINK_UP)
		ret = build_host_repair(b, b->lab, h, h);
	if (ret < 0) {
		char why[256];

		snprintf(why, sizeof(why), "%s", err_isset() ? err_get() : strerror(-ret));
		err_reset("%s:%s: cannot change its link properties: %s", h->name, n->ifname, why);
	}
	return ret < 0 ? ret : 0;
}

static void build_neigh_forget(struct rtnl *nl, int ifindex, const struct lab_addr *addrs,
			       size_t n)
{
	for (size_t i = 0; ifindex > 0 && i < n; i++)
		rtnl_neigh_del(nl, ifindex, &addrs[i]);
}

void build_forget_neighbours(struct build *b, const struct lab_addr *addrs, size_t n)
{
	for (size_t i = 0; n && i < b->lab->n_hosts; i++) {
		const struct lab_host *h = &b->lab->hosts[i];
		struct rtnl *nsnl = NULL;

		if (build_ns_socket(h->name, &nsnl) < 0)
			continue;
		for (size_t j = 0; j < h->n_ifaces; j++)
			build_neigh_forget(nsnl, rtnl_link_index(nsnl, h->ifaces[j].ifname), addrs, n);
		rtnl_close(nsnl);
	}
	for (size_t i = 0; n && i < b->lab->n_bridges; i++)
		build_neigh_forget(b->nl, rtnl_link_index(b->nl, b->lab->bridges[i].name), addrs, n);
	err_clear();
}

int build_host_remove(struct build *b, const struct lab_host *h)
{
	int ret = 0;
	int r;

	if (netns_exists(h->name)) {
		r = netns_kill_pids(h->name, NETNS_KILL_GRACE_MS);
		if (r < 0)
			ret = r;
	}
	/* Before the namespace goes: the kernel would delete a virtual one
	 * and give a real one back bare. */
	r = nic_give_back_hosts(b->st, 0, h->name);
	if (r < 0 && ret == 0)
		ret = r;
	for (size_t i = 0; i < h->n_ifaces; i++) {
		const struct lab_iface *ifc = &h->ifaces[i];

		if (ifc->attach == LAB_ATTACH_LINK || ifc->attach == LAB_ATTACH_PHYSICAL ||
		    ifc->attach == LAB_ATTACH_VLAN)
			continue;
		r = rtnl_link_del(b->nl, ifc->port);
		if (r < 0 && r != -ENODEV && ret == 0)
			ret = r;
		if (r == 0 || r == -ENODEV)
			journal_forget(b->st, JOURNAL_LINK, ifc->port);
	}
	r = netns_del(h->name);
	if (r < 0 && r != -ENOENT && ret == 0)
		ret = r;
	if (r == 0 || r == -ENOENT)
		journal_forget(b->st, JOURNAL_NETNS, h->name);
	if (ret < 0)
		err_set("%s: cannot remove the host: %s", h->name, strerror(-ret));
	return ret;
}

/* exec: children enter the host's namespace and a mount namespace of their
 * own with the host's /sys, as `ovslab exec` does; output goes to the lab's
 * exec.log so a command that leaves a daemon behind does not hold up up.
 * They run in the lab file's directory: paths in them are relative to it,
 * as flows_file's is. */
static pid_t build_exec_start(struct build *b, int nsfd, const struct lab_cmd *cmd, int logfd)
{
	pid_t pid = fork();

	if (pid != 0)
		return pid < 0 ? -errno : pid;
	if (netns_enter(nsfd) < 0)
		_exit(126);
	if (unshare(CLONE_NEWNS) == 0 && mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) == 0 &&
	    umount2("/sys", MNT_DETACH) == 0)
		mount("sysfs", "/sys", "sysfs", 0, NULL);
	setsid();
	dup2(logfd, 1);
	dup2(logfd, 2);
	close(0);
	open("/dev/null", O_RDONLY);
	if (b->lab->file && strrchr(b->lab->file, '/')) {
		char dir[PATH_MAX];

		snprintf(dir, sizeof(dir), "%.*s", (int)(strrchr(b->lab->file, '/') - b->lab->file),
			 b->lab->file);
		if (chdir(dir[0] ? dir : "/") < 0) {
			dprintf(2, "%s: cannot enter the lab file's directory: %s\n", dir,
				strerror(errno));
			_exit(126);
		}
	}
	execvp(cmd->argv[0], cmd->argv);
	dprintf(2, "%s: %s\n", cmd->argv[0], strerror(errno));
	_exit(127);
}

static int build_exec_wait(pid_t pid, int timeout_ms, int *status)
{
	int fd = pidfd_open(pid, 0);
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	int ret = 0;

	if (fd >= 0 && poll(&pfd, 1, timeout_ms) == 0) {
		kill(pid, SIGKILL);
		ret = -ETIMEDOUT;
	}
	while (waitpid(pid, status, 0) < 0 && errno == EINTR)
		;
	if (fd >= 0)
		close(fd);
	return ret;
}

/* The last lines a failed command wrote to the log (from offset `from` on),
 * joined with " | " into out: a failed up removes the journal directory and
 * the log with it, so the message itself carries what the command said. */
static void build_exec_tail(int logfd, off_t from, char *out, size_t len)
{
	char text[512];
	off_t end = lseek(logfd, 0, SEEK_END);
	off_t start = end - (off_t)sizeof(text) + 1 > from ? end - (off_t)sizeof(text) + 1 : from;
	ssize_t n = end > start ? pread(logfd, text, (size_t)(end - start), start) : 0;
	size_t used = 0;
	char *line, *save = NULL;

	out[0] = '\0';
	if (n <= 0)
		return;
	text[n] = '\0';
	/* A cut first line is dropped unless it is the only one. */
	line = start > from && strchr(text, '\n') ? strchr(text, '\n') + 1 : text;
	for (line = strtok_r(line, "\n", &save); line && used < len; line = strtok_r(NULL, "\n", &save))
		used += (size_t)snprintf(out + used, len - used, "%s%s", used ? " | " : "", line);
}

int build_host_exec(struct build *b, const struct lab_host *h)
{
	char log[PATH_MAX + 16];
	int logfd = -1, nsfd = -1;
	int ret = 0;

	if (!h->n_exec)
		return 0;
	snprintf(log, sizeof(log), "%s/exec.log", b->st->dir);
	logfd = open(log, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	nsfd = netns_open(h->name);
	if (logfd < 0 || nsfd < 0) {
		ret = logfd < 0 ? -errno : nsfd;
		goto out;
	}
	for (size_t i = 0; ret == 0 && i < h->n_exec; i++) {
		const struct lab_cmd *cmd = &h->exec[i];
		char tail[320];
		int status = 0;
		off_t from;
		pid_t pid;

		dprintf(logfd, "== %s: %s\n", h->name, cmd->argv[0]);
		from = lseek(logfd, 0, SEEK_END);
		pid = build_exec_start(b, nsfd, cmd, logfd);
		ret = pid < 0 ? pid : build_exec_wait(pid, BUILD_EXEC_TIMEOUT_MS, &status);
		if (ret == -ETIMEDOUT || (ret == 0 && (!WIFEXITED(status) || WEXITSTATUS(status) != 0)))
			build_exec_tail(logfd, from, tail, sizeof(tail));
		if (ret == -ETIMEDOUT)
			err_set("%s: exec %s: still running after %d s (%s%s)", h->name,
				cmd->argv[0], BUILD_EXEC_TIMEOUT_MS / 1000,
				tail[0] ? "its last output: " : "no output", tail);
		else if (ret == 0 && (!WIFEXITED(status) || WEXITSTATUS(status) != 0)) {
			ret = -ECANCELED;
			err_set("%s: exec %s: exited with status %d (%s%s)", h->name,
				cmd->argv[0], WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status),
				tail[0] ? "its last output: " : "no output", tail);
		}
	}
out:
	if (logfd >= 0)
		close(logfd);
	if (nsfd >= 0)
		close(nsfd);
	return ret;
}

static int build_gateway_change(struct build *b, const struct lab_bridge *br, bool add,
				bool repair)
{
	const struct lab_addr *gws[2] = { &br->gateway, &br->gateway6 };
	int idx;
	int ret;

	if ((!br->gateway.family && !br->gateway6.family) || br->gateway_elsewhere)
		return 0;
	idx = rtnl_link_index(b->nl, br->name);
	if (idx < 0) {
		if (!add)
			return 0;
		err_set("%s: the switch did not create the bridge's internal port", br->name);
		return idx;
	}
	ret = add ? build_sysctl_if(b, br->name, "ipv6", "disable_ipv6",
				    br->gateway6.family ? "0" : "1") : 0;
	for (int i = 0; ret == 0 && i < 2; i++)
		if (gws[i]->family)
			ret = build_tolerate(add ? rtnl_addr_add(b->nl, idx, gws[i])
						 : rtnl_addr_del(b->nl, idx, gws[i]), repair);
	if (ret == 0 && add)
		ret = rtnl_link_up(b->nl, idx);
	if (ret < 0)
		err_set("%s: cannot %s the bridge's gateway address: %s", br->name,
			add ? "set" : "remove", strerror(-ret));
	return ret;
}

int build_gateway(struct build *b, const struct lab_bridge *br)
{
	return build_gateway_change(b, br, true, false);
}

int build_gateway_repair(struct build *b, const struct lab_bridge *br)
{
	return build_gateway_change(b, br, true, true);
}

int build_gateway_remove(struct build *b, const struct lab_bridge *br)
{
	return build_gateway_change(b, br, false, false);
}
