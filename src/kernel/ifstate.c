/* An interface's own state, captured and put back (ifstate.h).  Addresses
 * and routes are kept as the kernel dumped them (the rtnetlink payload) and
 * replayed, so that flags, lifetimes, metrics and protocols come back as
 * they were without this file knowing each of them. */
#include "kernel/ifstate.h"

#include <errno.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kernel/ethtool.h"
#include "kernel/rtnl_int.h"
#include "util/err.h"

#define IFSTATE_VERSION "ifstate1"
/* The flags a lab may change (ovs-vswitchd sets a port up and promiscuous). */
#define IFSTATE_FLAGS (IFF_UP | IFF_PROMISC | IFF_ALLMULTI | IFF_NOARP | IFF_MULTICAST)
#define IFSTATE_HW_MAX 32
/* A payload larger than this would not fit a request (RTNL_REQ_SIZE). */
#define IFSTATE_MSG_MAX 768
/* An address lifetime that never runs out (the kernel's IFSTATE_FOREVER). */
#define IFSTATE_FOREVER 0xFFFFFFFFu

/* One address or route as dumped: its ifaddrmsg or rtmsg and attributes. */
struct ifstate_msg {
	size_t len;
	unsigned char *buf;
};

struct ifstate {
	char name[IF_NAMESIZE];
	int ifindex, master;
	unsigned int flags, mtu;
	uint8_t mac[IFSTATE_HW_MAX], perm[IFSTATE_HW_MAX];
	size_t mac_len, perm_len;
	int txcsum;               /* 1 on, 0 off, -1 not known */
	long long at;             /* when captured (CLOCK_REALTIME s): lifetimes run on */
	struct ifstate_msg *addrs, *routes;
	size_t n_addrs, n_routes;
	int err;                  /* while capturing: a failure inside a callback */
};

void ifstate_free(struct ifstate *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n_addrs; i++)
		free(s->addrs[i].buf);
	for (size_t i = 0; i < s->n_routes; i++)
		free(s->routes[i].buf);
	free(s->addrs);
	free(s->routes);
	free(s);
}

const char *ifstate_name(const struct ifstate *s)
{
	return s->name;
}

int ifstate_ifindex(const struct ifstate *s)
{
	return s->ifindex;
}

int ifstate_master(const struct ifstate *s)
{
	return s->master;
}

static int ifstate_push(struct ifstate_msg **v, size_t *n, const void *buf, size_t len)
{
	struct ifstate_msg *nv;
	unsigned char *copy;

	if (len > IFSTATE_MSG_MAX)
		return -EMSGSIZE;
	nv = realloc(*v, (*n + 1) * sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	*v = nv;
	copy = malloc(len);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, buf, len);
	nv[*n].buf = copy;
	nv[(*n)++].len = len;
	return 0;
}

/* ---- capture ----------------------------------------------------------- */

static void ifstate_hw(const struct nlattr *a, uint8_t *to, size_t *len)
{
	size_t n = a ? mnl_attr_get_payload_len(a) : 0;

	if (n > IFSTATE_HW_MAX)
		n = 0;
	if (n)
		memcpy(to, mnl_attr_get_payload(a), n);
	*len = n;
}

static int ifstate_link_cb(const struct nlmsghdr *nlh, void *data)
{
	struct ifstate *s = data;
	const struct ifinfomsg *ifm = mnl_nlmsg_get_payload(nlh);
	struct rtnl_attrs a;

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return MNL_CB_OK;
	rtnl_attrs_parse(nlh, sizeof(*ifm), &a);
	s->ifindex = ifm->ifi_index;
	s->flags = ifm->ifi_flags;
	if (a.tb[IFLA_IFNAME])
		snprintf(s->name, sizeof(s->name), "%s", mnl_attr_get_str(a.tb[IFLA_IFNAME]));
	if (a.tb[IFLA_MTU])
		s->mtu = mnl_attr_get_u32(a.tb[IFLA_MTU]);
	if (a.tb[IFLA_MASTER])
		s->master = (int)mnl_attr_get_u32(a.tb[IFLA_MASTER]);
	ifstate_hw(a.tb[IFLA_ADDRESS], s->mac, &s->mac_len);
	ifstate_hw(a.tb[IFLA_PERM_ADDRESS], s->perm, &s->perm_len);
	return MNL_CB_OK;
}

/* The link as it is now, by name (ifindex 0) or by index. */
static int ifstate_link(struct rtnl *nl, const char *name, int ifindex, struct ifstate *s)
{
	struct rtnl_req req;
	struct nlmsghdr *nlh = rtnl_msg(&req, RTM_GETLINK, 0);
	struct ifinfomsg *ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));

	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_index = ifindex;
	if (!ifindex)
		mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	return rtnl_talk(nl, nlh, ifstate_link_cb, s);
}

static int ifstate_addr_cb(const struct nlmsghdr *nlh, void *data)
{
	struct ifstate *s = data;
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	struct rtnl_attrs a;
	int r;

	if (nlh->nlmsg_type != RTM_NEWADDR || (int)ifa->ifa_index != s->ifindex ||
	    (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6) || s->err)
		return MNL_CB_OK;
	rtnl_attrs_parse(nlh, sizeof(*ifa), &a);
	/* What the kernel makes by itself (link-local, from router
	 * advertisements) it makes again: not ours to replay. */
	if (a.tb[IFA_PROTO] && mnl_attr_get_u8(a.tb[IFA_PROTO]) != IFAPROT_UNSPEC)
		return MNL_CB_OK;
	r = ifstate_push(&s->addrs, &s->n_addrs, ifa, mnl_nlmsg_get_payload_len(nlh));
	if (r < 0)
		s->err = r;
	return MNL_CB_OK;
}

/* Whether the route leaves through ifindex (alone or as one of its paths). */
static bool ifstate_route_via(const struct rtnl_attrs *a, int ifindex)
{
	if (a->tb[RTA_OIF])
		return (int)mnl_attr_get_u32(a->tb[RTA_OIF]) == ifindex;
	if (a->tb[RTA_MULTIPATH]) {
		const struct rtnexthop *nh = mnl_attr_get_payload(a->tb[RTA_MULTIPATH]);
		int left = (int)mnl_attr_get_payload_len(a->tb[RTA_MULTIPATH]);

		for (; RTNH_OK(nh, left); left -= NLMSG_ALIGN(nh->rtnh_len), nh = RTNH_NEXT(nh))
			if (nh->rtnh_ifindex == ifindex)
				return true;
	}
	return false;
}

static int ifstate_route_cb(const struct nlmsghdr *nlh, void *data)
{
	struct ifstate *s = data;
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	struct rtnl_attrs a;
	int r;

	if (nlh->nlmsg_type != RTM_NEWROUTE || s->err ||
	    (rtm->rtm_family != AF_INET && rtm->rtm_family != AF_INET6) ||
	    (rtm->rtm_flags & RTM_F_CLONED) || rtm->rtm_type != RTN_UNICAST ||
	    rtm->rtm_protocol == RTPROT_KERNEL || rtm->rtm_protocol == RTPROT_RA)
		return MNL_CB_OK;
	rtnl_attrs_parse(nlh, sizeof(*rtm), &a);
	if (!ifstate_route_via(&a, s->ifindex))
		return MNL_CB_OK;
	r = ifstate_push(&s->routes, &s->n_routes, rtm, mnl_nlmsg_get_payload_len(nlh));
	if (r < 0)
		s->err = r;
	return MNL_CB_OK;
}

static int ifstate_dump(struct rtnl *nl, int type, int family, mnl_cb_t cb, struct ifstate *s)
{
	struct rtnl_req req;
	struct nlmsghdr *nlh = rtnl_msg(&req, type, NLM_F_DUMP);
	int ret;

	if (type == RTM_GETADDR) {
		struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));

		ifa->ifa_family = (unsigned char)family;
	} else {
		struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));

		rtm->rtm_family = (unsigned char)family;
	}
	ret = rtnl_talk(nl, nlh, cb, s);
	return ret < 0 ? ret : s->err;
}

int ifstate_capture(struct rtnl *nl, const char *ifname, struct ifstate **out)
{
	struct ifstate *s = calloc(1, sizeof(*s));
	int ret;

	if (!s) {
		ret = -ENOMEM;
		goto out;
	}
	ret = ifstate_link(nl, ifname, 0, s);
	if (ret == 0 && !s->ifindex)
		ret = -ENODEV;
	if (ret == -ENODEV) {
		err_set("%s: no such interface on the machine", ifname);
		goto out;
	}
	s->txcsum = ethtool_tx_csum_get(ifname);
	if (s->txcsum < 0)
		s->txcsum = -1;
	s->at = (long long)time(NULL);
	if (ret == 0)
		ret = ifstate_dump(nl, RTM_GETADDR, AF_UNSPEC, ifstate_addr_cb, s);
	if (ret == 0)
		ret = ifstate_dump(nl, RTM_GETROUTE, AF_INET, ifstate_route_cb, s);
	if (ret == 0)
		ret = ifstate_dump(nl, RTM_GETROUTE, AF_INET6, ifstate_route_cb, s);
out:
	if (ret < 0 && ret != -ENODEV)
		err_set("%s: cannot read the interface's state: %s", ifname, strerror(-ret));
	if (ret < 0)
		ifstate_free(s);
	else
		*out = s;
	return ret;
}

bool ifstate_has_default_route(const struct ifstate *s)
{
	for (size_t i = 0; i < s->n_routes; i++) {
		const struct rtmsg *rtm = (const struct rtmsg *)s->routes[i].buf;

		if (rtm->rtm_dst_len == 0)
			return true;
	}
	return false;
}

/* ---- text ---------------------------------------------------------------- */

static int ifstate_hex(char *buf, size_t len, size_t *at, const char *key, const uint8_t *v,
		       size_t n)
{
	int w = snprintf(buf + *at, len - *at, " %s=", key);

	if (w < 0 || (size_t)w >= len - *at)
		return -ENOSPC;
	*at += (size_t)w;
	if (*at + 2 * n + 1 > len)
		return -ENOSPC;
	for (size_t i = 0; i < n; i++)
		snprintf(buf + *at + 2 * i, 3, "%02x", v[i]);
	*at += 2 * n;
	return 0;
}

int ifstate_to_text(const struct ifstate *s, char *buf, size_t len)
{
	size_t at;
	int w, ret = 0;

	w = snprintf(buf, len, IFSTATE_VERSION " name=%s ifindex=%d master=%d flags=%u mtu=%u "
		     "tx=%d at=%lld", s->name, s->ifindex, s->master, s->flags, s->mtu, s->txcsum,
		     s->at);
	if (w < 0 || (size_t)w >= len) {
		ret = -ENOSPC;
		goto out;
	}
	at = (size_t)w;
	ret = ifstate_hex(buf, len, &at, "mac", s->mac, s->mac_len);
	if (ret == 0 && s->perm_len)
		ret = ifstate_hex(buf, len, &at, "perm", s->perm, s->perm_len);
	for (size_t i = 0; ret == 0 && i < s->n_addrs; i++)
		ret = ifstate_hex(buf, len, &at, "addr", s->addrs[i].buf, s->addrs[i].len);
	for (size_t i = 0; ret == 0 && i < s->n_routes; i++)
		ret = ifstate_hex(buf, len, &at, "route", s->routes[i].buf, s->routes[i].len);
out:
	if (ret < 0)
		err_set("%s: too many addresses and routes to record (%zu and %zu)", s->name,
			s->n_addrs, s->n_routes);
	return ret;
}

static int ifstate_unhex(const char *hex, size_t n, uint8_t *out)
{
	for (size_t i = 0; i < n; i++) {
		unsigned int v;

		if (sscanf(hex + 2 * i, "%2x", &v) != 1)
			return -EINVAL;
		out[i] = (uint8_t)v;
	}
	return 0;
}

static int ifstate_token(struct ifstate *s, const char *tok, size_t n)
{
	const char *eq = memchr(tok, '=', n);
	const char *v;
	size_t klen, vlen;
	uint8_t buf[IFSTATE_MSG_MAX];
	char num[32];

	if (!eq)
		return -EINVAL;
	klen = (size_t)(eq - tok);
	v = eq + 1;
	vlen = n - klen - 1;
#define KEY(k) (klen == sizeof(k) - 1 && !memcmp(tok, k, klen))
	if (KEY("name")) {
		if (vlen >= IF_NAMESIZE)
			return -EINVAL;
		memcpy(s->name, v, vlen);
		s->name[vlen] = '\0';
		return 0;
	}
	if (KEY("mac") || KEY("perm") || KEY("addr") || KEY("route")) {
		size_t max = KEY("mac") || KEY("perm") ? IFSTATE_HW_MAX : IFSTATE_MSG_MAX;

		if (vlen % 2 || vlen / 2 > max || ifstate_unhex(v, vlen / 2, buf) < 0)
			return -EINVAL;
		if (KEY("mac"))
			memcpy(s->mac, buf, s->mac_len = vlen / 2);
		else if (KEY("perm"))
			memcpy(s->perm, buf, s->perm_len = vlen / 2);
		else if (KEY("addr"))
			return vlen / 2 >= sizeof(struct ifaddrmsg)
				       ? ifstate_push(&s->addrs, &s->n_addrs, buf, vlen / 2)
				       : -EINVAL;
		else
			return vlen / 2 >= sizeof(struct rtmsg)
				       ? ifstate_push(&s->routes, &s->n_routes, buf, vlen / 2)
				       : -EINVAL;
		return 0;
	}
	if (vlen >= sizeof(num))
		return -EINVAL;
	memcpy(num, v, vlen);
	num[vlen] = '\0';
	if (KEY("ifindex"))
		return sscanf(num, "%d", &s->ifindex) == 1 ? 0 : -EINVAL;
	if (KEY("master"))
		return sscanf(num, "%d", &s->master) == 1 ? 0 : -EINVAL;
	if (KEY("flags"))
		return sscanf(num, "%u", &s->flags) == 1 ? 0 : -EINVAL;
	if (KEY("mtu"))
		return sscanf(num, "%u", &s->mtu) == 1 ? 0 : -EINVAL;
	if (KEY("tx"))
		return sscanf(num, "%d", &s->txcsum) == 1 ? 0 : -EINVAL;
	if (KEY("at"))
		return sscanf(num, "%lld", &s->at) == 1 ? 0 : -EINVAL;
#undef KEY
	return 0; /* written by a newer ovslab: what it adds is not needed here */
}

int ifstate_from_text(const char *text, struct ifstate **out)
{
	struct ifstate *s = calloc(1, sizeof(*s));
	const char *p = text;
	int ret = 0;

	if (!s)
		return -ENOMEM;
	if (strncmp(p, IFSTATE_VERSION " ", sizeof(IFSTATE_VERSION)))
		ret = -EINVAL;
	else
		p += sizeof(IFSTATE_VERSION);
	while (ret == 0 && *p) {
		size_t n = strcspn(p, " ");

		if (n)
			ret = ifstate_token(s, p, n);
		p += n;
		p += strspn(p, " ");
	}
	if (ret == 0 && (!s->name[0] || !s->ifindex))
		ret = -EINVAL;
	if (ret < 0) {
		ifstate_free(s);
		return ret;
	}
	*out = s;
	return 0;
}

/* ---- find and restore ------------------------------------------------- */

struct ifstate_find {
	const struct ifstate *s;
	int by_perm, by_name, by_mac;
};

static int ifstate_find_cb(const struct nlmsghdr *nlh, void *data)
{
	struct ifstate_find *f = data;
	struct ifstate now = { 0 };

	ifstate_link_cb(nlh, &now);
	if (!now.ifindex)
		return MNL_CB_OK;
	if (f->s->perm_len && now.perm_len == f->s->perm_len &&
	    !memcmp(now.perm, f->s->perm, now.perm_len))
		f->by_perm = now.ifindex;
	if (now.mac_len == f->s->mac_len && !memcmp(now.mac, f->s->mac, now.mac_len)) {
		if (!strcmp(now.name, f->s->name))
			f->by_name = now.ifindex;
		else if (!f->by_mac)
			f->by_mac = now.ifindex;
	}
	return MNL_CB_OK;
}

int ifstate_find(struct rtnl *nl, const struct ifstate *s)
{
	struct rtnl_req req;
	struct nlmsghdr *nlh = rtnl_msg(&req, RTM_GETLINK, NLM_F_DUMP);
	struct ifinfomsg *ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	struct ifstate_find f = { .s = s };
	int ret;

	ifm->ifi_family = AF_UNSPEC;
	mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	ret = rtnl_talk(nl, nlh, ifstate_find_cb, &f);
	if (ret < 0)
		return ret;
	if (f.by_perm)
		return f.by_perm;
	if (f.by_name)
		return f.by_name;
	return f.by_mac ? f.by_mac : -ENODEV;
}

static int ifstate_tolerate(int ret, int ok1, int ok2)
{
	return ret == ok1 || ret == ok2 ? 0 : ret;
}

/* The lifetimes left of an address captured `elapsed` seconds ago; false
 * when it would have expired by now. */
static bool ifstate_lifetimes(const struct nlattr *a, long long elapsed, struct ifa_cacheinfo *ci)
{
	memcpy(ci, mnl_attr_get_payload(a), sizeof(*ci));
	ci->cstamp = ci->tstamp = 0;
	if (ci->ifa_valid == IFSTATE_FOREVER)
		return true;
	if (elapsed < 0)
		elapsed = 0;
	if ((long long)ci->ifa_valid <= elapsed)
		return false;
	ci->ifa_valid -= (uint32_t)elapsed;
	if (ci->ifa_prefered != IFSTATE_FOREVER)
		ci->ifa_prefered = (long long)ci->ifa_prefered > elapsed
					   ? ci->ifa_prefered - (uint32_t)elapsed : 0;
	return true;
}

/* Replays a captured address as type (RTM_NEWADDR, RTM_DELADDR) on ifindex;
 * keep_label: its label too (a label names the interface it was on). */
static int ifstate_addr_send(struct rtnl *nl, const struct ifstate *s,
			     const struct ifstate_msg *m, int type, int ifindex, bool keep_label)
{
	struct rtnl_req req;
	struct nlmsghdr *nlh = rtnl_msg(&req, type, type == RTM_NEWADDR ?
					NLM_F_CREATE | NLM_F_EXCL : 0);
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	const struct nlattr *attr;

	memcpy(ifa, m->buf, sizeof(*ifa));
	ifa->ifa_index = (unsigned int)ifindex;
	mnl_attr_for_each_payload((const void *)(m->buf + NLMSG_ALIGN(sizeof(*ifa))),
				  m->len - NLMSG_ALIGN(sizeof(*ifa))) {
		int t = mnl_attr_get_type(attr);

		if (t == IFA_LABEL && !keep_label)
			continue;
		if (t == IFA_CACHEINFO && mnl_attr_get_payload_len(attr) >= sizeof(struct ifa_cacheinfo)) {
			struct ifa_cacheinfo ci;

			if (type != RTM_NEWADDR)
				continue;
			if (!ifstate_lifetimes(attr, (long long)time(NULL) - s->at, &ci))
				return 0; /* it would have expired meanwhile */
			mnl_attr_put(nlh, IFA_CACHEINFO, sizeof(ci), &ci);
			continue;
		}
		mnl_attr_put(nlh, attr->nla_type, mnl_attr_get_payload_len(attr),
			     mnl_attr_get_payload(attr));
	}
	return rtnl_talk(nl, nlh, NULL, NULL);
}

/* Replays a captured route as type (RTM_NEWROUTE, RTM_DELROUTE), its paths
 * through the captured interface moved to ifindex. */
static int ifstate_route_send(struct rtnl *nl, const struct ifstate *s,
			      const struct ifstate_msg *m, int type, int ifindex)
{
	struct rtnl_req req;
	struct nlmsghdr *nlh = rtnl_msg(&req, type, type == RTM_NEWROUTE ?
					NLM_F_CREATE | NLM_F_EXCL : 0);
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	const struct nlattr *attr;

	memcpy(rtm, m->buf, sizeof(*rtm));
	mnl_attr_for_each_payload((const void *)(m->buf + NLMSG_ALIGN(sizeof(*rtm))),
				  m->len - NLMSG_ALIGN(sizeof(*rtm))) {
		int t = mnl_attr_get_type(attr);
		uint16_t len = mnl_attr_get_payload_len(attr);

		if (t == RTA_CACHEINFO)
			continue; /* the kernel's counters, not a setting */
		if (t == RTA_OIF && len == sizeof(uint32_t)) {
			uint32_t oif = mnl_attr_get_u32(attr);

			mnl_attr_put_u32(nlh, RTA_OIF, (int)oif == s->ifindex ? (uint32_t)ifindex : oif);
			continue;
		}
		if (t == RTA_MULTIPATH) {
			unsigned char paths[IFSTATE_MSG_MAX];
			struct rtnexthop *nh = (struct rtnexthop *)paths;
			int left = len;

			memcpy(paths, mnl_attr_get_payload(attr), len);
			for (; RTNH_OK(nh, left); left -= NLMSG_ALIGN(nh->rtnh_len), nh = RTNH_NEXT(nh))
				if (nh->rtnh_ifindex == s->ifindex)
					nh->rtnh_ifindex = ifindex;
			mnl_attr_put(nlh, attr->nla_type, len, paths);
			continue;
		}
		mnl_attr_put(nlh, attr->nla_type, len, mnl_attr_get_payload(attr));
	}
	return rtnl_talk(nl, nlh, NULL, NULL);
}

static int ifstate_family(const struct ifstate_msg *m)
{
	return ((const struct ifaddrmsg *)m->buf)->ifa_family;
}

/* Adds the addresses to ifindex: IPv4 in the order they were listed; IPv6
 * backwards, since the kernel lists the latest of a scope first. */
static int ifstate_addrs_add(struct rtnl *nl, const struct ifstate *s, int ifindex, bool restore)
{
	int ret = 0;

	for (size_t i = 0; ret == 0 && i < 2 * s->n_addrs; i++) {
		bool v6 = i >= s->n_addrs;
		const struct ifstate_msg *m = v6 ? &s->addrs[2 * s->n_addrs - 1 - i] : &s->addrs[i];
		const struct ifaddrmsg *ifa = (const struct ifaddrmsg *)m->buf;

		if (ifstate_family(m) != (v6 ? AF_INET6 : AF_INET))
			continue;
		/* A link-local address belongs to its own link. */
		if (!restore && v6 && ifa->ifa_scope == RT_SCOPE_LINK)
			continue;
		ret = ifstate_tolerate(ifstate_addr_send(nl, s, m, RTM_NEWADDR, ifindex, restore),
				       -EEXIST, 0);
	}
	return ret;
}

static int ifstate_routes_add(struct rtnl *nl, const struct ifstate *s, int ifindex)
{
	int ret = 0;

	for (size_t i = 0; ret == 0 && i < s->n_routes; i++)
		ret = ifstate_tolerate(ifstate_route_send(nl, s, &s->routes[i], RTM_NEWROUTE,
							  ifindex), -EEXIST, 0);
	return ret;
}

/* Name, MAC and MTU as captured, in one request; a name or MAC change
 * needs the link down first. */
static int ifstate_restore_link(struct rtnl *nl, const struct ifstate *s, int ifindex,
				const struct ifstate *now)
{
	bool rename = strcmp(now->name, s->name) != 0;
	bool remac = s->mac_len && (now->mac_len != s->mac_len ||
				    memcmp(now->mac, s->mac, s->mac_len));
	struct rtnl_req req;
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifm;
	int ret = 0;

	if ((rename || remac) && (now->flags & IFF_UP))
		ret = rtnl_link_flags(nl, ifindex, 0, IFF_UP);
	if (ret < 0 || (!rename && !remac && now->mtu == s->mtu))
		return ret;
	nlh = rtnl_msg(&req, RTM_NEWLINK, 0);
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_index = ifindex;
	if (rename)
		mnl_attr_put_strz(nlh, IFLA_IFNAME, s->name);
	if (remac)
		mnl_attr_put(nlh, IFLA_ADDRESS, s->mac_len, s->mac);
	if (now->mtu != s->mtu && s->mtu)
		mnl_attr_put_u32(nlh, IFLA_MTU, s->mtu);
	return rtnl_talk(nl, nlh, NULL, NULL);
}

int ifstate_restore(struct rtnl *nl, const struct ifstate *s)
{
	struct ifstate now = { 0 };
	int idx, ret;

	idx = ifstate_find(nl, s);
	if (idx < 0) {
		err_set("%s: cannot find the interface to give back (no interface has its MAC "
			"address any more)", s->name);
		return idx;
	}
	ret = ifstate_link(nl, NULL, idx, &now);
	if (ret == 0)
		ret = ifstate_restore_link(nl, s, idx, &now);
	if (ret == 0 && s->txcsum >= 0 && ethtool_tx_csum_get(s->name) != s->txcsum)
		ret = ethtool_tx_csum_set(s->name, s->txcsum);
	/* Up before the routes: the kernel refuses a route through a link
	 * that is down (and a link that was down had none). */
	if (ret == 0)
		ret = rtnl_link_flags(nl, idx, s->flags, IFSTATE_FLAGS);
	if (ret == 0)
		ret = ifstate_addrs_add(nl, s, idx, true);
	if (ret == 0)
		ret = ifstate_routes_add(nl, s, idx);
	if (ret < 0)
		err_set("%s: cannot put the interface back as it was: %s", s->name, strerror(-ret));
	return ret;
}

/* Whether the captured addresses include a (its local address). */
static bool ifstate_has_addr(const struct ifstate *s, const struct lab_addr *a)
{
	size_t len = a->family == AF_INET ? sizeof(a->v4) : sizeof(a->v6);

	for (size_t i = 0; i < s->n_addrs; i++) {
		const struct ifstate_msg *m = &s->addrs[i];
		const struct nlattr *attr;
		const void *local = NULL;

		if (ifstate_family(m) != a->family)
			continue;
		/* IFA_LOCAL is the address itself; IFA_ADDRESS only without
		 * it (the far end of a point-to-point address otherwise). */
		mnl_attr_for_each_payload((const void *)(m->buf + NLMSG_ALIGN(sizeof(struct ifaddrmsg))),
					  m->len - NLMSG_ALIGN(sizeof(struct ifaddrmsg))) {
			int t = mnl_attr_get_type(attr);

			if ((t == IFA_LOCAL || (t == IFA_ADDRESS && !local)) &&
			    mnl_attr_get_payload_len(attr) == len)
				local = mnl_attr_get_payload(attr);
		}
		if (local && !memcmp(local, &a->v4, len))
			return true;
	}
	return false;
}

int ifstate_move_addresses(struct rtnl *nl, const struct ifstate *s, int to,
			   const struct lab_addr *extra)
{
	int ret;

	ret = rtnl_link_flags(nl, to, IFF_UP, IFF_UP);
	if (ret == 0)
		ret = ifstate_addrs_add(nl, s, to, false);
	if (ret == 0 && extra && extra->family && !ifstate_has_addr(s, extra))
		ret = rtnl_addr_add(nl, to, extra);
	/* Its routes go first, so that none is left to clash with its copy
	 * through `to`; those the kernel took with the addresses are gone. */
	for (size_t i = 0; ret == 0 && i < s->n_routes; i++)
		ret = ifstate_tolerate(ifstate_route_send(nl, s, &s->routes[i], RTM_DELROUTE,
							  s->ifindex), -ESRCH, -ENOENT);
	for (size_t i = 0; ret == 0 && i < s->n_addrs; i++) {
		const struct ifaddrmsg *ifa = (const struct ifaddrmsg *)s->addrs[i].buf;

		if (ifa->ifa_family == AF_INET6 && ifa->ifa_scope == RT_SCOPE_LINK)
			continue;
		ret = ifstate_tolerate(ifstate_addr_send(nl, s, &s->addrs[i], RTM_DELADDR,
							 s->ifindex, true), -EADDRNOTAVAIL, -ENOENT);
	}
	if (ret == 0)
		ret = ifstate_routes_add(nl, s, to);
	if (ret < 0)
		err_set("%s: cannot move its addresses and routes to the bridge: %s", s->name,
			strerror(-ret));
	return ret;
}

/* ---- borrowing: the interface with an address, a port taken ------------- */

struct ifstate_by_addr {
	const struct lab_addr *a;
	int ifindex;
};

static int ifstate_by_addr_cb(const struct nlmsghdr *nlh, void *data)
{
	struct ifstate_by_addr *f = data;
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	struct ifstate one = { .ifindex = (int)ifa->ifa_index };
	struct ifstate_msg m = { mnl_nlmsg_get_payload_len(nlh),
				 (unsigned char *)mnl_nlmsg_get_payload(nlh) };

	if (nlh->nlmsg_type != RTM_NEWADDR || f->ifindex)
		return MNL_CB_OK;
	one.addrs = &m;
	one.n_addrs = 1;
	if (ifstate_has_addr(&one, f->a))
		f->ifindex = (int)ifa->ifa_index;
	return MNL_CB_OK;
}

int ifstate_find_addr(struct rtnl *nl, const struct lab_addr *a, char name[IF_NAMESIZE])
{
	struct rtnl_req req;
	struct nlmsghdr *nlh = rtnl_msg(&req, RTM_GETADDR, NLM_F_DUMP);
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	struct ifstate_by_addr f = { .a = a };
	int ret;

	ifa->ifa_family = (unsigned char)a->family;
	ret = rtnl_talk(nl, nlh, ifstate_by_addr_cb, &f);
	if (ret < 0)
		return ret;
	if (!f.ifindex)
		return -ENOENT;
	ret = rtnl_link_name(nl, f.ifindex, name);
	return ret == -ENODEV ? -ENOENT : ret;
}

int ifstate_take(struct rtnl *nl, const struct ifstate *s, unsigned int mtu)
{
	struct rtnl_req req;
	struct nlmsghdr *nlh = rtnl_msg(&req, RTM_NEWLINK, 0);
	struct ifinfomsg *ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	int ret;

	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_index = s->ifindex;
	ifm->ifi_flags = IFF_UP | IFF_NOARP;
	ifm->ifi_change = IFF_UP | IFF_NOARP;
	if (mtu)
		mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
	ret = rtnl_talk(nl, nlh, NULL, NULL);
	if (ret < 0 && mtu)
		err_set("%s: cannot set its MTU to %u and bring it up without ARP: %s", s->name,
			mtu, strerror(-ret));
	else if (ret < 0)
		err_set("%s: cannot bring it up without ARP: %s", s->name, strerror(-ret));
	return ret;
}
