/* Removing the neighbour entries the probes made (neigh.h). */
#include "kernel/neigh.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if_arp.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <libmnl/libmnl.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "kernel/netns.h"
#include "util/err.h"

struct neigh_key {
	int ifindex;
	struct lab_addr a;
};

struct neigh {
	struct mnl_socket *sock;
	struct neigh_key *keep; /* sorted */
	size_t n_keep;
	unsigned int seq;
	char buf[16384];
};

static int neigh_key_cmp(const void *x, const void *y)
{
	const struct neigh_key *a = x, *b = y;

	if (a->ifindex != b->ifindex)
		return a->ifindex < b->ifindex ? -1 : 1;
	if (a->a.family != b->a.family)
		return a->a.family < b->a.family ? -1 : 1;
	return memcmp(&a->a.v6, &b->a.v6, a->a.family == AF_INET ? 4 : 16);
}

static int neigh_dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct neigh *n = data;
	const struct ndmsg *ndm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *attr;
	struct neigh_key k = { .ifindex = ndm->ndm_ifindex, .a.family = ndm->ndm_family };
	struct neigh_key *nk;

	mnl_attr_for_each(attr, nlh, sizeof(*ndm)) {
		size_t len = mnl_attr_get_payload_len(attr);

		if (mnl_attr_get_type(attr) != NDA_DST)
			continue;
		if ((k.a.family == AF_INET && len == 4) || (k.a.family == AF_INET6 && len == 16)) {
			memcpy(&k.a.v6, mnl_attr_get_payload(attr), len);
			nk = realloc(n->keep, (n->n_keep + 1) * sizeof(*nk));
			if (!nk)
				return MNL_CB_ERROR;
			n->keep = nk;
			n->keep[n->n_keep++] = k;
		}
	}
	return MNL_CB_OK;
}

static int neigh_dump(struct neigh *n, int family)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(n->buf);
	struct ndmsg *ndm;
	unsigned int seq = ++n->seq;
	unsigned int portid = mnl_socket_get_portid(n->sock);
	ssize_t got;
	int ret;

	nlh->nlmsg_type = RTM_GETNEIGH;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));
	ndm->ndm_family = (unsigned char)family;
	if (mnl_socket_sendto(n->sock, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		got = mnl_socket_recvfrom(n->sock, n->buf, sizeof(n->buf));
		if (got < 0)
			return -errno;
		ret = mnl_cb_run(n->buf, (size_t)got, seq, portid, neigh_dump_cb, n);
	} while (ret > MNL_CB_STOP);
	return ret < 0 ? -errno : 0;
}

int neigh_open(struct neigh **out)
{
	struct neigh *n = calloc(1, sizeof(*n));
	int ret = 0;

	if (!n) {
		ret = -ENOMEM;
		goto out;
	}
	n->seq = (unsigned int)time(NULL);
	n->sock = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!n->sock || mnl_socket_bind(n->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		goto out;
	}
	ret = neigh_dump(n, AF_INET);
	if (ret == 0)
		ret = neigh_dump(n, AF_INET6);
	if (ret < 0)
		goto out;
	if (n->n_keep)
		qsort(n->keep, n->n_keep, sizeof(*n->keep), neigh_key_cmp);
	*out = n;
	n = NULL;
out:
	if (ret < 0)
		err_set("check: cannot read the neighbour table: %s", strerror(-ret));
	neigh_close(n);
	return ret;
}

int neigh_forget(struct neigh *n, int ifindex, const struct lab_addr *a)
{
	struct neigh_key k = { .ifindex = ifindex, .a = *a };
	struct nlmsghdr *nlh;
	struct ndmsg *ndm;
	char junk[4096];

	if (n->n_keep && bsearch(&k, n->keep, n->n_keep, sizeof(*n->keep), neigh_key_cmp))
		return 0;
	/* Errors (an entry already gone) queue up as answers: drop them. */
	while (recv(mnl_socket_get_fd(n->sock), junk, sizeof(junk), MSG_DONTWAIT) > 0)
		;
	nlh = mnl_nlmsg_put_header(n->buf);
	nlh->nlmsg_type = RTM_DELNEIGH;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	nlh->nlmsg_seq = ++n->seq;
	ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));
	ndm->ndm_family = (unsigned char)a->family;
	ndm->ndm_ifindex = ifindex;
	mnl_attr_put(nlh, NDA_DST, a->family == AF_INET ? 4 : 16, &a->v6);
	if (mnl_socket_sendto(n->sock, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	return 0;
}

void neigh_close(struct neigh *n)
{
	if (!n)
		return;
	if (n->sock)
		mnl_socket_close(n->sock);
	free(n->keep);
	free(n);
}

/* An ARP packet for Ethernet and IPv4, as on the wire after the header. */
struct neigh_arp {
	struct arphdr h;
	unsigned char sha[ETH_ALEN], spa[4], tha[ETH_ALEN], tpa[4];
} __attribute__((packed));

int neigh_announce(int netns_fd, const char *ifname, const struct lab_addr *a)
{
	struct sockaddr_ll to = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ARP),
				  .sll_halen = ETH_ALEN };
	struct neigh_arp arp = { .h = { htons(ARPHRD_ETHER), htons(ETH_P_IP), ETH_ALEN, 4,
					htons(ARPOP_REQUEST) } };
	struct ifreq ifr = { 0 };
	int self = netns_self(), s = -1, ret;

	if (a->family != AF_INET)
		return 0;
	ret = self < 0 ? self : netns_enter(netns_fd);
	if (ret == 0) {
		/* Opened inside: the socket stays in that namespace. */
		s = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, htons(ETH_P_ARP));
		ret = s < 0 ? -errno : 0;
		if (netns_enter(self) < 0 && ret == 0)
			ret = -errno;
	}
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ret == 0 && (ioctl(s, SIOCGIFHWADDR, &ifr) < 0 || ioctl(s, SIOCGIFINDEX, &ifr) < 0))
		ret = -errno;
	if (ret == 0) {
		to.sll_ifindex = ifr.ifr_ifindex;
		memset(to.sll_addr, 0xff, ETH_ALEN);
		/* ioctl SIOCGIFINDEX overwrote the union: the address again. */
		memset(&ifr.ifr_ifru, 0, sizeof(ifr.ifr_ifru));
		if (ioctl(s, SIOCGIFHWADDR, &ifr) < 0)
			ret = -errno;
	}
	if (ret == 0) {
		memcpy(arp.sha, ifr.ifr_hwaddr.sa_data, ETH_ALEN);
		memcpy(arp.spa, &a->v4, 4);
		memcpy(arp.tpa, &a->v4, 4);
		if (sendto(s, &arp, sizeof(arp), 0, (struct sockaddr *)&to, sizeof(to)) < 0)
			ret = -errno;
	}
	if (s >= 0)
		close(s);
	if (self >= 0)
		close(self);
	if (ret < 0)
		err_set("%s: cannot announce %s's address: %s", ifname, ifname, strerror(-ret));
	return ret;
}
