/* rtnetlink through libmnl: links, veth pairs, addresses, routes (rtnl.h). */
#include "kernel/rtnl.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/err.h"
#include "kernel/netns.h"
#include "kernel/rtnl_int.h"

struct nlmsghdr *rtnl_msg(struct rtnl_req *req, int type, int flags)
{
	struct nlmsghdr *nlh;

	/* libmnl leaves attribute padding as it was: send no stack garbage. */
	memset(req->buf, 0, sizeof(req->buf));
	nlh = mnl_nlmsg_put_header(req->buf);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	/* A dump ends with NLMSG_DONE; anything else is answered by an ACK
	 * (after its reply, for a GET), which tells rtnl_talk() it is done. */
	if (flags != NLM_F_DUMP)
		nlh->nlmsg_flags |= NLM_F_ACK;
	return nlh;
}

/* Sends one request and runs cb on every reply until its ACK or the end of
 * its dump.  Replies are matched by sequence number, so each call drains
 * exactly its own answer and the socket is clean for the next request. */
int rtnl_talk(struct rtnl *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	unsigned int seq = ++nl->seq;
	int ret;

	nlh->nlmsg_seq = seq;
	if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		ssize_t n = mnl_socket_recvfrom(nl->sock, nl->buf, sizeof(nl->buf));

		if (n < 0)
			return -errno;
		ret = mnl_cb_run(nl->buf, (size_t)n, seq, nl->portid, cb, data);
	} while (ret > MNL_CB_STOP);
	return ret < 0 ? -errno : 0;
}

static int rtnl_attr_cb(const struct nlattr *attr, void *data)
{
	struct rtnl_attrs *a = data;
	int type = mnl_attr_get_type(attr);

	if (type <= RTNL_ATTR_MAX)
		a->tb[type] = attr;
	return MNL_CB_OK;
}

void rtnl_attrs_parse(const struct nlmsghdr *nlh, size_t hdrlen, struct rtnl_attrs *a)
{
	memset(a, 0, sizeof(*a));
	mnl_attr_parse(nlh, (unsigned int)hdrlen, rtnl_attr_cb, a);
}

int rtnl_open(struct rtnl **out)
{
	struct rtnl *nl;
	int ret = 0;

	nl = calloc(1, sizeof(*nl));
	if (!nl) {
		ret = -ENOMEM;
		err_set("netlink: cannot allocate a socket: %s", strerror(ENOMEM));
		goto out;
	}
	nl->sock = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!nl->sock || mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		err_set("netlink: cannot open a routing socket: %s", strerror(errno));
		goto out;
	}
	nl->portid = mnl_socket_get_portid(nl->sock);
	nl->seq = (unsigned int)time(NULL);
	*out = nl;
	nl = NULL;
out:
	rtnl_close(nl);
	return ret;
}

int rtnl_open_in(int netns_fd, struct rtnl **out)
{
	int self;
	int ret;

	self = netns_self();
	if (self < 0) {
		ret = self;
		err_set("netlink: cannot open the current network namespace: %s", strerror(-ret));
		goto out;
	}
	ret = netns_enter(netns_fd);
	if (ret < 0)
		goto out;
	ret = rtnl_open(out);
	/* The socket stays bound to the namespace it was made in. */
	if (setns(self, CLONE_NEWNET) < 0 && ret == 0) {
		ret = -errno;
		err_set("netlink: cannot return to the original network namespace: %s",
			strerror(errno));
		rtnl_close(*out);
		*out = NULL;
	}
out:
	if (self >= 0)
		close(self);
	return ret;
}

void rtnl_close(struct rtnl *nl)
{
	if (!nl)
		return;
	if (nl->sock)
		mnl_socket_close(nl->sock);
	free(nl);
}

static int rtnl_link_name_cb(const struct nlmsghdr *nlh, void *data)
{
	struct rtnl_attrs a;
	char *name = data;

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return MNL_CB_OK;
	rtnl_attrs_parse(nlh, sizeof(struct ifinfomsg), &a);
	if (a.tb[IFLA_IFNAME])
		snprintf(name, IF_NAMESIZE, "%s", mnl_attr_get_str(a.tb[IFLA_IFNAME]));
	return MNL_CB_OK;
}

/* The name is asked through the socket: if_indextoname() would look in the
 * calling thread's namespace, which need not be the socket's. */
int rtnl_link_name(struct rtnl *nl, int ifindex, char name[IF_NAMESIZE])
{
	struct rtnl_req req;
	struct nlmsghdr *nlh = rtnl_msg(&req, RTM_GETLINK, 0);
	struct ifinfomsg *ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	int ret;

	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_index = ifindex;
	name[0] = '\0';
	ret = rtnl_talk(nl, nlh, rtnl_link_name_cb, name);
	if (ret == 0 && !name[0])
		ret = -ENODEV;
	return ret;
}

const char *rtnl_ifname(struct rtnl *nl, int ifindex, char buf[RTNL_IFNAME_STR])
{
	if (rtnl_link_name(nl, ifindex, buf) < 0)
		snprintf(buf, RTNL_IFNAME_STR, "ifindex %d", ifindex);
	return buf;
}

static const char *rtnl_addr_str(const struct lab_addr *a, char *buf, size_t len)
{
	if (!a || !a->family)
		return "default";
	return lab_addr_str(a, buf, len);
}

/* The request for a veth pair; peer_netns_fd < 0: the peer stays here. */
static struct nlmsghdr *rtnl_veth_msg(struct rtnl_req *req, const char *name, const char *peer,
				      int peer_netns_fd, unsigned int flags)
{
	struct nlmsghdr *nlh = rtnl_msg(req, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
	struct ifinfomsg *ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	struct nlattr *linkinfo, *data, *peerinfo;

	ifm->ifi_family = AF_UNSPEC;
	/* Born up (and promiscuous): no second request for this end. */
	ifm->ifi_flags = flags;
	ifm->ifi_change = flags;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	peerinfo = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
	/* The peer's attributes follow an ifinfomsg of their own.  The kernel
	 * refuses IFF_UP there (ENOTCONN): the peer is brought up apart. */
	mnl_nlmsg_put_extra_header(nlh, sizeof(struct ifinfomsg));
	mnl_attr_put_strz(nlh, IFLA_IFNAME, peer);
	if (peer_netns_fd >= 0)
		mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)peer_netns_fd);
	mnl_attr_nest_end(nlh, peerinfo);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, linkinfo);
	return nlh;
}

static int rtnl_veth(struct rtnl *nl, const char *name, const char *peer, int peer_netns_fd,
		     unsigned int flags)
{
	struct rtnl_req req;
	int ret;

	ret = rtnl_talk(nl, rtnl_veth_msg(&req, name, peer, peer_netns_fd, flags), NULL, NULL);
	if (ret == -EEXIST) {
		/* The kernel does not say which end clashed: look for ours. */
		const char *taken = rtnl_link_index(nl, name) >= 0 ? name : peer;

		err_set("%s: interface name \"%s\" already exists", name, taken);
	} else if (ret < 0) {
		err_set("%s: cannot create veth pair with peer %s: %s", name, peer,
			strerror(-ret));
	}
	return ret;
}

/* A change to an existing link, by index; *ifm (if ifm is not NULL) for
 * its flags. */
static struct nlmsghdr *rtnl_link_msg(struct rtnl_req *req, int ifindex, struct ifinfomsg **ifm)
{
	struct nlmsghdr *nlh = rtnl_msg(req, RTM_NEWLINK, 0);
	struct ifinfomsg *m = mnl_nlmsg_put_extra_header(nlh, sizeof(*m));

	m->ifi_family = AF_UNSPEC;
	m->ifi_index = ifindex;
	if (ifm)
		*ifm = m;
	return nlh;
}

int rtnl_bridge_create(struct rtnl *nl, const char *name, unsigned int mtu)
{
	struct rtnl_req req;
	struct nlmsghdr *nlh = rtnl_msg(&req, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
	struct ifinfomsg *ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	struct nlattr *linkinfo;
	int ret;

	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_flags = IFF_UP;
	ifm->ifi_change = IFF_UP;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	if (mtu)
		mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
	linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "bridge");
	mnl_attr_nest_end(nlh, linkinfo);
	ret = rtnl_talk(nl, nlh, NULL, NULL);
	if (ret < 0)
		err_set("%s: cannot create the Linux bridge: %s", name, strerror(-ret));
	return ret;
}

int rtnl_link_set_master(struct rtnl *nl, int ifindex, int master)
{
	struct rtnl_req req;
	struct nlmsghdr *nlh = rtnl_link_msg(&req, ifindex, NULL);
	char name[RTNL_IFNAME_STR];
	int ret;

	mnl_attr_put_u32(nlh, IFLA_MASTER, (uint32_t)master);
	ret = rtnl_talk(nl, nlh, NULL, NULL);
	if (ret < 0)
		err_set("%s: cannot attach it to its bridge: %s", rtnl_ifname(nl, ifindex, name),
			strerror(-ret));
	return ret;
}

int rtnl_link_move(struct rtnl *nl, int ifindex, int netns_fd, const char *name)
{
	struct rtnl_req req;
	struct nlmsghdr *nlh = rtnl_link_msg(&req, ifindex, NULL);
	char was[RTNL_IFNAME_STR];
	int ret;

	rtnl_ifname(nl, ifindex, was);
	mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)netns_fd);
	/* The name it gets there, in the same request: no moment under a
	 * name that clashes with one of the namespace's. */
	if (name)
		mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	ret = rtnl_talk(nl, nlh, NULL, NULL);
	if (ret < 0)
		err_set("%s: cannot move the interface to another namespace%s%s: %s", was,
			name ? " as " : "", name ? name : "",
			ret == -EEXIST ? "an interface of that name is there already"
				       : strerror(-ret));
	return ret;
}

int rtnl_veth_create(struct rtnl *nl, const char *name, const char *peer, int peer_netns_fd)
{
	return rtnl_veth(nl, name, peer, peer_netns_fd, 0);
}

int rtnl_veth_create_up(struct rtnl *nl, const char *name, const char *peer, int peer_netns_fd,
			bool switch_port)
{
	return rtnl_veth(nl, name, peer, peer_netns_fd,
			 IFF_UP | (switch_port ? IFF_PROMISC | IFF_NOARP : 0));
}

static struct nlmsghdr *rtnl_vlan_msg(struct rtnl_req *req, const char *name, int parent_index,
				      unsigned int vlan_id)
{
	struct nlmsghdr *nlh = rtnl_msg(req, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
	struct ifinfomsg *ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	struct nlattr *linkinfo, *data;

	ifm->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	mnl_attr_put_u32(nlh, IFLA_LINK, (uint32_t)parent_index);
	linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "vlan");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	mnl_attr_put_u16(nlh, IFLA_VLAN_ID, (uint16_t)vlan_id);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, linkinfo);
	return nlh;
}

int rtnl_vlan_create(struct rtnl *nl, const char *name, int parent_index, unsigned int vlan_id)
{
	struct rtnl_req req;
	int ret;

	ret = rtnl_talk(nl, rtnl_vlan_msg(&req, name, parent_index, vlan_id), NULL, NULL);
	if (ret == -EEXIST)
		err_set("%s: interface name \"%s\" already exists", name, name);
	else if (ret < 0 && ret != -EOPNOTSUPP)
		err_set("%s: cannot create VLAN %u sub-interface: %s", name, vlan_id, strerror(-ret));
	return ret;
}

int rtnl_probe_talk(int s, const struct nlmsghdr *nlh)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	char ack[1024] __attribute__((aligned(NLMSG_ALIGNTO)));
	const struct nlmsgerr *e;
	ssize_t n;

	if (sendto(s, nlh, nlh->nlmsg_len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return 1;
	n = recv(s, ack, sizeof(ack), 0);
	if (n < (ssize_t)(NLMSG_HDRLEN + sizeof(*e)) ||
	    ((struct nlmsghdr *)ack)->nlmsg_type != NLMSG_ERROR)
		return 1;
	e = mnl_nlmsg_get_payload((struct nlmsghdr *)ack);
	return e->error;
}

/* In the child: a namespace of its own, so nothing of the machine is
 * touched and whatever the probe makes dies with it. */
static int rtnl_probe_child(int (*probe)(int sock))
{
	int s;

	if (unshare(CLONE_NEWNET) < 0)
		return 2;
	s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (s < 0)
		return 2;
	return probe(s);
}

int rtnl_probe(int (*probe)(int sock), const char *what)
{
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0)
		_exit(rtnl_probe_child(probe));
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	if (!WIFEXITED(status) || WEXITSTATUS(status) == 2) {
		err_set("cannot probe the kernel for %s in a namespace of its own", what);
		return -EPERM;
	}
	return WEXITSTATUS(status) == 0;
}

/* In the probe's namespace: a VLAN on a veth (not on lo, which refuses
 * VLANs on any kernel). */
static int rtnl_vlan_probe(int s)
{
	struct rtnl_req req;
	unsigned int idx;
	int r;

	if (rtnl_probe_talk(s, rtnl_veth_msg(&req, "probe0", "probe1", -1, 0)) != 0)
		return 2;
	idx = if_nametoindex("probe0");
	if (!idx)
		return 2;
	r = rtnl_probe_talk(s, rtnl_vlan_msg(&req, "probe0.5", (int)idx, 5));
	return r == 0 ? 0 : r == -EOPNOTSUPP ? 1 : 2;
}

int rtnl_vlan_available(void)
{
	static int known = -1;

	if (known < 0)
		known = rtnl_probe(rtnl_vlan_probe, "802.1Q VLANs (8021q)");
	return known;
}

int rtnl_link_del(struct rtnl *nl, const char *name)
{
	struct rtnl_req req;
	struct nlmsghdr *nlh = rtnl_msg(&req, RTM_DELLINK, 0);
	struct ifinfomsg *ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	int ret;

	ifm->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	ret = rtnl_talk(nl, nlh, NULL, NULL);
	/* A missing name is an answer (every caller counts it as gone), and a
	 * message set for it would outlive it and name a later failure. */
	if (ret < 0 && ret != -ENODEV)
		err_set("%s: cannot delete interface: %s", name, strerror(-ret));
	return ret;
}

static int rtnl_link_index_cb(const struct nlmsghdr *nlh, void *data)
{
	int *ifindex = data;

	if (nlh->nlmsg_type == RTM_NEWLINK) {
		const struct ifinfomsg *ifm = mnl_nlmsg_get_payload(nlh);

		*ifindex = ifm->ifi_index;
	}
	return MNL_CB_OK;
}

int rtnl_link_index(struct rtnl *nl, const char *name)
{
	struct rtnl_req req;
	struct nlmsghdr *nlh = rtnl_msg(&req, RTM_GETLINK, 0);
	struct ifinfomsg *ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	int ifindex = 0;
	int ret;

	ifm->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	/* Only the name is wanted: spare the kernel the statistics. */
	mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	ret = rtnl_talk(nl, nlh, rtnl_link_index_cb, &ifindex);
	if (ret == 0)
		ret = ifindex > 0 ? ifindex : -ENODEV;
	/* A missing name is an answer, not a failure: the caller decides. */
	if (ret < 0 && ret != -ENODEV)
		err_set("%s: cannot look up the interface: %s", name, strerror(-ret));
	return ret;
}

int rtnl_link_flags(struct rtnl *nl, int ifindex, unsigned int flags, unsigned int change)
{
	struct rtnl_req req;
	struct ifinfomsg *ifm;
	struct nlmsghdr *nlh = rtnl_link_msg(&req, ifindex, &ifm);

	ifm->ifi_change = change;
	ifm->ifi_flags = flags & change;
	return rtnl_talk(nl, nlh, NULL, NULL);
}

int rtnl_link_up(struct rtnl *nl, int ifindex)
{
	return rtnl_link_set_up(nl, ifindex, true);
}

int rtnl_link_set_up(struct rtnl *nl, int ifindex, bool up)
{
	struct rtnl_req req;
	struct ifinfomsg *ifm;
	struct nlmsghdr *nlh = rtnl_link_msg(&req, ifindex, &ifm);
	char name[RTNL_IFNAME_STR];
	int ret;

	ifm->ifi_change = IFF_UP;
	ifm->ifi_flags = up ? IFF_UP : 0;
	ret = rtnl_talk(nl, nlh, NULL, NULL);
	if (ret < 0)
		err_set("%s: cannot bring the interface %s: %s", rtnl_ifname(nl, ifindex, name),
			up ? "up" : "down", strerror(-ret));
	return ret;
}

/* linux/if.h has it, but clashes with net/if.h. */
#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP 0x10000
#endif

static int rtnl_link_info_cb(const struct nlmsghdr *nlh, void *data)
{
	struct rtnl_link_info *li = data;
	const struct ifinfomsg *ifm = mnl_nlmsg_get_payload(nlh);
	struct rtnl_attrs a;

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return MNL_CB_OK;
	rtnl_attrs_parse(nlh, sizeof(*ifm), &a);
	li->found = true;
	li->admin_up = ifm->ifi_flags & IFF_UP;
	li->carrier = ifm->ifi_flags & IFF_LOWER_UP;
	if (a.tb[IFLA_MTU])
		li->mtu = mnl_attr_get_u32(a.tb[IFLA_MTU]);
	if (a.tb[IFLA_OPERSTATE])
		li->operstate = mnl_attr_get_u8(a.tb[IFLA_OPERSTATE]);
	return MNL_CB_OK;
}

int rtnl_link_info(struct rtnl *nl, int ifindex, struct rtnl_link_info *out)
{
	struct rtnl_req req;
	struct nlmsghdr *nlh = rtnl_msg(&req, RTM_GETLINK, 0);
	struct ifinfomsg *ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	char name[RTNL_IFNAME_STR];
	int ret;

	memset(out, 0, sizeof(*out));
	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_index = ifindex;
	ret = rtnl_talk(nl, nlh, rtnl_link_info_cb, out);
	if (ret == 0 && !out->found)
		ret = -ENODEV;
	if (ret < 0)
		err_set("%s: cannot read the interface's state: %s", rtnl_ifname(nl, ifindex, name),
			strerror(-ret));
	return ret;
}

const char *rtnl_operstate_name(unsigned int operstate)
{
	static const char *const names[] = { "unknown", "notpresent", "down", "lowerlayerdown",
					     "testing", "dormant", "up" };

	return operstate < sizeof(names) / sizeof(*names) ? names[operstate] : "unknown";
}

static size_t rtnl_addr_len(int family)
{
	return family == AF_INET ? sizeof(struct in_addr) : sizeof(struct in6_addr);
}

static int rtnl_addr_change(struct rtnl *nl, int type, int flags, int ifindex,
			    const struct lab_addr *addr)
{
	struct rtnl_req req;
	struct nlmsghdr *nlh = rtnl_msg(&req, type, flags);
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	char name[RTNL_IFNAME_STR], str[64];
	int ret;

	if (addr->family != AF_INET && addr->family != AF_INET6) {
		ret = -EAFNOSUPPORT;
		err_set("ifindex %d: address family %d not supported", ifindex, addr->family);
		goto out;
	}
	ifa->ifa_family = (unsigned char)addr->family;
	ifa->ifa_prefixlen = addr->prefix;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = (unsigned int)ifindex;
	/* A lab sets its addresses up before anything uses them: duplicate
	 * address detection would only hold IPv6 addresses back a second. */
	if (addr->family == AF_INET6)
		ifa->ifa_flags = IFA_F_NODAD;
	/* For IPv4, IFA_LOCAL is the address and IFA_ADDRESS the peer, which
	 * is the same one on a broadcast link. */
	if (addr->family == AF_INET)
		mnl_attr_put(nlh, IFA_LOCAL, sizeof(addr->v4), &addr->v4);
	mnl_attr_put(nlh, IFA_ADDRESS, rtnl_addr_len(addr->family), &addr->v4);
	ret = rtnl_talk(nl, nlh, NULL, NULL);
	if (ret < 0)
		err_set("%s: cannot %s address %s: %s", rtnl_ifname(nl, ifindex, name),
			type == RTM_NEWADDR ? "add" : "remove", rtnl_addr_str(addr, str, sizeof(str)),
			strerror(-ret));
out:
	return ret;
}

int rtnl_addr_add(struct rtnl *nl, int ifindex, const struct lab_addr *addr)
{
	return rtnl_addr_change(nl, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, ifindex, addr);
}

int rtnl_addr_del(struct rtnl *nl, int ifindex, const struct lab_addr *addr)
{
	return rtnl_addr_change(nl, RTM_DELADDR, 0, ifindex, addr);
}

int rtnl_neigh_del(struct rtnl *nl, int ifindex, const struct lab_addr *addr)
{
	struct rtnl_req req;
	struct nlmsghdr *nlh = rtnl_msg(&req, RTM_DELNEIGH, 0);
	struct ndmsg *ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));

	ndm->ndm_family = (unsigned char)addr->family;
	ndm->ndm_ifindex = ifindex;
	mnl_attr_put(nlh, NDA_DST, rtnl_addr_len(addr->family), &addr->v4);
	return rtnl_talk(nl, nlh, NULL, NULL);
}

static int rtnl_route_change(struct rtnl *nl, int type, int flags, const struct lab_addr *dst,
			     const struct lab_addr *gw, int ifindex)
{
	struct rtnl_req req;
	struct nlmsghdr *nlh = rtnl_msg(&req, type, flags);
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	bool has_gw = gw && gw->family;
	bool has_dst = dst && dst->family && dst->prefix > 0;
	char dstr[64], gstr[64], name[RTNL_IFNAME_STR];
	int family = has_dst ? dst->family : has_gw ? gw->family : AF_INET;
	int ret;

	if (has_dst && has_gw && dst->family != gw->family) {
		ret = -EINVAL;
		err_set("route to %s via %s: address families differ",
			rtnl_addr_str(dst, dstr, sizeof(dstr)), rtnl_addr_str(gw, gstr, sizeof(gstr)));
		goto out;
	}
	rtm->rtm_family = (unsigned char)family;
	rtm->rtm_dst_len = has_dst ? dst->prefix : 0;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_STATIC;
	/* Without a gateway the destination is on the link itself. */
	rtm->rtm_scope = has_gw ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
	rtm->rtm_type = RTN_UNICAST;
	if (has_dst)
		mnl_attr_put(nlh, RTA_DST, rtnl_addr_len(family), &dst->v4);
	if (has_gw)
		mnl_attr_put(nlh, RTA_GATEWAY, rtnl_addr_len(family), &gw->v4);
	if (ifindex > 0)
		mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)ifindex);
	ret = rtnl_talk(nl, nlh, NULL, NULL);
	if (ret < 0)
		err_set("route to %s%s%s%s%s: cannot %s: %s",
			has_dst ? rtnl_addr_str(dst, dstr, sizeof(dstr)) : "default",
			has_gw ? " via " : "", has_gw ? rtnl_addr_str(gw, gstr, sizeof(gstr)) : "",
			ifindex > 0 ? " dev " : "", ifindex > 0 ? rtnl_ifname(nl, ifindex, name) : "",
			type == RTM_NEWROUTE ? "add" : "remove", strerror(-ret));
out:
	return ret;
}

int rtnl_route_add(struct rtnl *nl, const struct lab_addr *dst, const struct lab_addr *gw,
		   int ifindex)
{
	return rtnl_route_change(nl, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, dst, gw, ifindex);
}

int rtnl_route_del(struct rtnl *nl, const struct lab_addr *dst, const struct lab_addr *gw,
		   int ifindex)
{
	return rtnl_route_change(nl, RTM_DELROUTE, 0, dst, gw, ifindex);
}

int rtnl_link_set(struct rtnl *nl, int ifindex, const uint8_t *mac, unsigned int mtu,
		  bool no_ll6)
{
	struct rtnl_req req;
	struct nlmsghdr *nlh = rtnl_link_msg(&req, ifindex, NULL);
	char name[RTNL_IFNAME_STR];
	int ret;

	if (mac)
		mnl_attr_put(nlh, IFLA_ADDRESS, 6, mac);
	if (mtu)
		mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
	if (no_ll6) {
		struct nlattr *spec = mnl_attr_nest_start(nlh, IFLA_AF_SPEC);
		struct nlattr *in6 = mnl_attr_nest_start(nlh, AF_INET6);

		mnl_attr_put_u8(nlh, IFLA_INET6_ADDR_GEN_MODE, IN6_ADDR_GEN_MODE_NONE);
		mnl_attr_nest_end(nlh, in6);
		mnl_attr_nest_end(nlh, spec);
	}
	ret = rtnl_talk(nl, nlh, NULL, NULL);
	if (ret < 0)
		err_set("%s: cannot set the MAC address, MTU or IPv6 address generation: %s",
			rtnl_ifname(nl, ifindex, name), strerror(-ret));
	return ret;
}

/* The message as a unicast route of the main table, its attributes parsed
 * into a; NULL for anything else in a route dump. */
static const struct rtmsg *rtnl_main_route(const struct nlmsghdr *nlh, struct rtnl_attrs *a)
{
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	uint32_t table = rtm->rtm_table;

	if (nlh->nlmsg_type != RTM_NEWROUTE || rtm->rtm_type != RTN_UNICAST ||
	    (rtm->rtm_family != AF_INET && rtm->rtm_family != AF_INET6))
		return NULL;
	rtnl_attrs_parse(nlh, sizeof(*rtm), a);
	if (a->tb[RTA_TABLE])
		table = mnl_attr_get_u32(a->tb[RTA_TABLE]);
	return table == RT_TABLE_MAIN ? rtm : NULL;
}

struct rtnl_defroute {
	int ifindex;
	uint32_t priority;
};

static int rtnl_defroute_cb(const struct nlmsghdr *nlh, void *data)
{
	struct rtnl_defroute *d = data;
	struct rtnl_attrs a;
	const struct rtmsg *rtm = rtnl_main_route(nlh, &a);
	uint32_t priority = 0;
	int ifindex = 0;

	if (!rtm || rtm->rtm_family != AF_INET || rtm->rtm_dst_len != 0)
		return MNL_CB_OK;
	if (a.tb[RTA_PRIORITY])
		priority = mnl_attr_get_u32(a.tb[RTA_PRIORITY]);
	if (a.tb[RTA_OIF]) {
		ifindex = (int)mnl_attr_get_u32(a.tb[RTA_OIF]);
	} else if (a.tb[RTA_MULTIPATH] &&
		   mnl_attr_get_payload_len(a.tb[RTA_MULTIPATH]) >= sizeof(struct rtnexthop)) {
		const struct rtnexthop *nh = mnl_attr_get_payload(a.tb[RTA_MULTIPATH]);

		ifindex = nh->rtnh_ifindex;
	}
	/* Like the kernel, prefer the route with the lowest metric. */
	if (ifindex > 0 && (!d->ifindex || priority < d->priority)) {
		d->ifindex = ifindex;
		d->priority = priority;
	}
	return MNL_CB_OK;
}

int rtnl_default_route_dev(struct rtnl *nl, char name[IF_NAMESIZE])
{
	struct rtnl_req req;
	struct nlmsghdr *nlh = rtnl_msg(&req, RTM_GETROUTE, NLM_F_DUMP);
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	struct rtnl_defroute d = { 0 };
	int ret;

	rtm->rtm_family = AF_INET;
	rtm->rtm_table = RT_TABLE_MAIN;
	ret = rtnl_talk(nl, nlh, rtnl_defroute_cb, &d);
	if (ret < 0) {
		err_set("IPv4 default route: cannot list routes: %s", strerror(-ret));
		goto out;
	}
	if (!d.ifindex) {
		ret = -ENOENT;
		err_set("IPv4 default route: there is none to find the uplink from");
		goto out;
	}
	ret = rtnl_link_name(nl, d.ifindex, name);
	if (ret < 0)
		err_set("IPv4 default route: cannot name its device (ifindex %d): %s", d.ifindex,
			strerror(-ret));
out:
	return ret;
}

struct rtnl_routes {
	struct lab_addr *v;
	int *oif;
	size_t n;
	int err;
};

/* Unicast routes of the main table that lead somewhere: what a lab subnet
 * must not collide with. */
static int rtnl_route_list_cb(const struct nlmsghdr *nlh, void *data)
{
	struct rtnl_routes *l = data;
	struct rtnl_attrs a;
	const struct rtmsg *rtm = rtnl_main_route(nlh, &a);
	struct lab_addr dst = { 0 };
	struct lab_addr *nv;
	int *no;

	if (!rtm || l->err)
		return MNL_CB_OK;
	dst.family = rtm->rtm_family;
	dst.prefix = rtm->rtm_dst_len;
	if (a.tb[RTA_DST] && mnl_attr_get_payload_len(a.tb[RTA_DST]) == rtnl_addr_len(dst.family))
		memcpy(&dst.v6, mnl_attr_get_payload(a.tb[RTA_DST]), rtnl_addr_len(dst.family));
	nv = realloc(l->v, (l->n + 1) * sizeof(*nv));
	no = realloc(l->oif, (l->n + 1) * sizeof(*no));
	if (nv)
		l->v = nv;
	if (no)
		l->oif = no;
	if (!nv || !no) {
		l->err = -ENOMEM;
		return MNL_CB_OK;
	}
	l->v[l->n] = dst;
	l->oif[l->n++] = a.tb[RTA_OIF] ? (int)mnl_attr_get_u32(a.tb[RTA_OIF]) : 0;
	return MNL_CB_OK;
}

int rtnl_route_list(struct rtnl *nl, int family,
		    void (*fn)(const struct lab_addr *dst, const char *dev, void *arg), void *arg)
{
	struct rtnl_req req;
	struct nlmsghdr *nlh = rtnl_msg(&req, RTM_GETROUTE, NLM_F_DUMP);
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	struct rtnl_routes l = { 0 };
	int ret;

	rtm->rtm_family = (unsigned char)family;
	rtm->rtm_table = RT_TABLE_MAIN;
	ret = rtnl_talk(nl, nlh, rtnl_route_list_cb, &l);
	if (ret == 0)
		ret = l.err;
	if (ret < 0) {
		err_set("the machine's routes: cannot list them: %s", strerror(-ret));
		goto out;
	}
	/* After the dump: fn may use the socket. */
	for (size_t i = 0; i < l.n; i++) {
		char name[IF_NAMESIZE] = "";

		if (l.oif[i] > 0)
			rtnl_link_name(nl, l.oif[i], name);
		fn(&l.v[i], name, arg);
	}
out:
	free(l.v);
	free(l.oif);
	return ret;
}

struct rtnl_addrs {
	int ifindex;
	struct lab_addr *v;
	size_t n, cap;
	int err;
};

static int rtnl_addr_list_cb(const struct nlmsghdr *nlh, void *data)
{
	struct rtnl_addrs *l = data;
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *attr;
	struct rtnl_attrs a;
	struct lab_addr addr = { 0 };

	if (nlh->nlmsg_type != RTM_NEWADDR || (l->ifindex && (int)ifa->ifa_index != l->ifindex) ||
	    (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6) || l->err)
		return MNL_CB_OK;
	rtnl_attrs_parse(nlh, sizeof(*ifa), &a);
	attr = a.tb[IFA_LOCAL] ? a.tb[IFA_LOCAL] : a.tb[IFA_ADDRESS];
	if (!attr || mnl_attr_get_payload_len(attr) != rtnl_addr_len(ifa->ifa_family))
		return MNL_CB_OK;
	addr.family = ifa->ifa_family;
	addr.prefix = ifa->ifa_prefixlen;
	memcpy(&addr.v6, mnl_attr_get_payload(attr), rtnl_addr_len(ifa->ifa_family));
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		struct lab_addr *v = realloc(l->v, cap * sizeof(*v));

		if (!v) {
			/* Keep reading: the rest of the dump must be drained. */
			l->err = -ENOMEM;
			return MNL_CB_OK;
		}
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = addr;
	return MNL_CB_OK;
}

int rtnl_addr_list(struct rtnl *nl, int ifindex,
		   void (*fn)(const struct lab_addr *a, void *arg), void *arg)
{
	struct rtnl_req req;
	struct nlmsghdr *nlh = rtnl_msg(&req, RTM_GETADDR, NLM_F_DUMP);
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	struct rtnl_addrs l = { .ifindex = ifindex };
	char name[RTNL_IFNAME_STR];
	int ret;

	ifa->ifa_family = AF_UNSPEC;
	ifa->ifa_index = (unsigned int)ifindex;
	ret = rtnl_talk(nl, nlh, rtnl_addr_list_cb, &l);
	if (ret == 0)
		ret = l.err;
	if (ret < 0) {
		err_set("%s: cannot list addresses: %s", rtnl_ifname(nl, ifindex, name),
			strerror(-ret));
		goto out;
	}
	/* fn runs after the dump so that it may use the socket itself. */
	for (size_t i = 0; i < l.n; i++)
		fn(&l.v[i], arg);
out:
	free(l.v);
	return ret;
}
