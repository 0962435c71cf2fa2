/* An interface's state captured before ovslab borrows it and put back
 * afterwards (ifstate.h): the kernel's own messages, rewritten only in the
 * interface they name. */
#include "kernel/ifstate.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"

/* Any address or route message is far smaller; a request must fit rtnl's. */
#define IFSTATE_MSG_MAX 1024

struct ifstate_dump {
	struct ifstate *s;
	int index;
};

static int ifstate_keep(struct ifstate *s, const struct nlmsghdr *nlh)
{
	struct ifstate_msg *v;

	if (nlh->nlmsg_len > IFSTATE_MSG_MAX)
		return -EMSGSIZE;
	v = realloc(s->msgs, (s->n_msgs + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	s->msgs = v;
	v[s->n_msgs].buf = malloc(nlh->nlmsg_len);
	if (!v[s->n_msgs].buf)
		return -ENOMEM;
	memcpy(v[s->n_msgs].buf, nlh, nlh->nlmsg_len);
	v[s->n_msgs++].len = nlh->nlmsg_len;
	return 0;
}

static int ifstate_link_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct ifstate_dump *d = arg;
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a;

	if (ifi->ifi_index != d->index)
		return 0;
	d->s->flags = ifi->ifi_flags & IFSTATE_FLAGS;
	mnl_attr_for_each(a, nlh, sizeof(*ifi))
		if (mnl_attr_get_type(a) == IFLA_MTU)
			d->s->mtu = mnl_attr_get_u32(a);
	return 0;
}

static int ifstate_addr_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct ifstate_dump *d = arg;
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);

	if (ifa->ifa_family != AF_INET || (int)ifa->ifa_index != d->index)
		return 0;
	return ifstate_keep(d->s, nlh);
}

/* The routes the kernel does not make by itself from an address, through
 * the interface alone (no multipath), in any table but local. */
static int ifstate_route_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct ifstate_dump *d = arg;
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	unsigned int table = rtm->rtm_table;
	int oif = 0;
	const struct nlattr *a;

	if (rtm->rtm_family != AF_INET || rtm->rtm_protocol == RTPROT_KERNEL ||
	    rtm->rtm_flags & RTM_F_CLONED)
		return 0;
	mnl_attr_for_each(a, nlh, sizeof(*rtm)) {
		if (mnl_attr_get_type(a) == RTA_OIF)
			oif = (int)mnl_attr_get_u32(a);
		else if (mnl_attr_get_type(a) == RTA_TABLE)
			table = mnl_attr_get_u32(a);
		else if (mnl_attr_get_type(a) == RTA_MULTIPATH)
			return 0;
	}
	if (oif != d->index || table == RT_TABLE_LOCAL)
		return 0;
	return ifstate_keep(d->s, nlh);
}

int ifstate_capture(struct rtnl *nl, const char *name, struct ifstate *out)
{
	struct ifstate_dump d = { out, 0 };
	int ret;

	memset(out, 0, sizeof(*out));
	snprintf(out->name, sizeof(out->name), "%s", name);
	d.index = rtnl_link_index(nl, name);
	if (d.index < 0) {
		err_set("%s: no such interface on this computer", name);
		return d.index;
	}
	ret = rtnl_dump(nl, RTM_GETLINK, AF_UNSPEC, ifstate_link_cb, &d);
	if (ret == 0)
		ret = rtnl_dump(nl, RTM_GETADDR, AF_INET, ifstate_addr_cb, &d);
	if (ret == 0)
		ret = rtnl_dump(nl, RTM_GETROUTE, AF_INET, ifstate_route_cb, &d);
	if (ret < 0)
		err_set("%s: cannot read its state: %s", name, strerror(-ret));
	return ret;
}

size_t ifstate_lines(const struct ifstate *s)
{
	return 1 + s->n_msgs;
}

int ifstate_line(const struct ifstate *s, size_t i, char *buf, size_t len)
{
	const struct ifstate_msg *m;
	size_t at;

	if (i == 0) {
		snprintf(buf, len, "link mtu=%u flags=%#x", s->mtu, s->flags);
		return 0;
	}
	m = &s->msgs[i - 1];
	if (len < 2 * m->len + 8)
		return -ENOSPC;
	at = (size_t)snprintf(buf, len, "%s ",
			      ((const struct nlmsghdr *)m->buf)->nlmsg_type == RTM_NEWROUTE ? "route"
											 : "addr");
	for (size_t b = 0; b < m->len; b++)
		at += (size_t)snprintf(buf + at, len - at, "%02x", m->buf[b]);
	return 0;
}

int ifstate_parse_line(struct ifstate *s, const char *line)
{
	unsigned char msg[IFSTATE_MSG_MAX];
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)msg;
	size_t n = 0;
	unsigned int byte;
	const char *hex;
	int type;

	if (sscanf(line, "link mtu=%u flags=%x", &s->mtu, &s->flags) == 2)
		return 0;
	if (!strncmp(line, "addr ", 5)) {
		type = RTM_NEWADDR;
		hex = line + 5;
	} else if (!strncmp(line, "route ", 6)) {
		type = RTM_NEWROUTE;
		hex = line + 6;
	} else {
		return -EINVAL;
	}
	for (; hex[0] && hex[1] && n < sizeof(msg); hex += 2) {
		if (sscanf(hex, "%2x", &byte) != 1)
			return -EINVAL;
		msg[n++] = (unsigned char)byte;
	}
	if (*hex || n < sizeof(*nlh) || nlh->nlmsg_len != n || nlh->nlmsg_type != type)
		return -EINVAL;
	return ifstate_keep(s, nlh);
}

/* The message m as a request on interface index: the same header and
 * attributes, the interface replaced; moving, the address's label (the old
 * interface's name) is left out. */
static struct nlmsghdr *ifstate_rewrite(const struct ifstate_msg *m, int index, bool moving,
					 char *buf)
{
	const struct nlmsghdr *src = (const struct nlmsghdr *)m->buf;
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	bool route = src->nlmsg_type == RTM_NEWROUTE;
	size_t hdr = route ? sizeof(struct rtmsg) : sizeof(struct ifaddrmsg);
	void *body = mnl_nlmsg_put_extra_header(nlh, hdr);
	const struct nlattr *a;

	memcpy(body, mnl_nlmsg_get_payload(src), hdr);
	if (!route)
		((struct ifaddrmsg *)body)->ifa_index = (unsigned int)index;
	mnl_attr_for_each(a, src, hdr) {
		unsigned int type = mnl_attr_get_type(a);

		if (route && type == RTA_OIF)
			mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)index);
		else if (!(moving && !route && type == IFA_LABEL))
			mnl_attr_put(nlh, (uint16_t)type, mnl_attr_get_payload_len(a),
				     mnl_attr_get_payload(a));
	}
	return nlh;
}

static bool ifstate_is_route(const struct ifstate_msg *m)
{
	return ((const struct nlmsghdr *)m->buf)->nlmsg_type == RTM_NEWROUTE;
}

/* Adds (or deletes) the addresses, then the routes (deleting: the routes
 * first), on index; what is there already (or gone already) is no failure. */
static int ifstate_put(struct rtnl *nl, const struct ifstate *s, int index, bool moving, bool del)
{
	char buf[IFSTATE_MSG_MAX + 64] __attribute__((aligned(4)));
	int ret = 0;

	for (int pass = 0; pass < 2; pass++) {
		bool routes = del ? pass == 0 : pass == 1;

		for (size_t i = 0; i < s->n_msgs; i++) {
			const struct ifstate_msg *m = &s->msgs[i];
			struct nlmsghdr *nlh;
			int type, r;

			if (ifstate_is_route(m) != routes)
				continue;
			memset(buf, 0, sizeof(buf));
			nlh = ifstate_rewrite(m, index, moving, buf);
			type = del ? (routes ? RTM_DELROUTE : RTM_DELADDR)
				   : (routes ? RTM_NEWROUTE : RTM_NEWADDR);
			r = rtnl_request(nl, nlh, type, del ? 0 : NLM_F_CREATE | NLM_F_EXCL);
			if (r == -EEXIST || (del && (r == -ESRCH || r == -EADDRNOTAVAIL)))
				r = 0;
			if (r < 0 && ret == 0) {
				ret = r;
				err_set("%s: cannot %s %s: %s", s->name, del ? "remove" : "put back",
					routes ? "a route" : "an address", strerror(-r));
			}
		}
	}
	return ret;
}

static int ifstate_set_link(struct rtnl *nl, int index, unsigned int mtu, unsigned int flags,
			    unsigned int change)
{
	char buf[128] __attribute__((aligned(4))) = { 0 };
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = index;
	ifi->ifi_flags = flags;
	ifi->ifi_change = change;
	if (mtu)
		mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
	return rtnl_request(nl, nlh, RTM_NEWLINK, 0);
}

int ifstate_take(struct rtnl *nl, const struct ifstate *s, unsigned int mtu)
{
	int index = rtnl_link_index(nl, s->name);
	int ret = index < 0 ? index
			    : ifstate_set_link(nl, index, mtu, IFF_UP | IFF_NOARP, IFF_UP | IFF_NOARP);

	if (ret < 0)
		err_set("%s: cannot set its MTU to %u and bring it up: %s", s->name, mtu,
			strerror(-ret));
	return ret;
}

int ifstate_move(struct rtnl *nl, const struct ifstate *s, const char *to,
		 const struct lab_addr *extra)
{
	int from = rtnl_link_index(nl, s->name), index = rtnl_link_index(nl, to);
	bool have = false;
	int ret;

	if (from < 0 || index < 0) {
		err_set("%s: no such interface on this computer", from < 0 ? s->name : to);
		return from < 0 ? from : index;
	}
	ret = ifstate_put(nl, s, from, false, true);
	if (ret == 0)
		ret = ifstate_set_link(nl, index, 0, IFF_UP, IFF_UP);
	if (ret == 0)
		ret = ifstate_put(nl, s, index, true, false);
	for (size_t i = 0; extra->family && i < s->n_msgs; i++) {
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)s->msgs[i].buf;
		const struct nlattr *a;

		if (ifstate_is_route(&s->msgs[i]))
			continue;
		mnl_attr_for_each(a, nlh, sizeof(struct ifaddrmsg))
			if (mnl_attr_get_type(a) == IFA_LOCAL &&
			    mnl_attr_get_payload_len(a) == sizeof(extra->v4) &&
			    !memcmp(mnl_attr_get_payload(a), &extra->v4, sizeof(extra->v4)))
				have = true;
	}
	if (ret == 0 && extra->family && !have)
		ret = rtnl_addr_add(nl, index, extra);
	if (ret < 0 && !err_isset())
		err_set("%s: cannot move its addresses to %s: %s", s->name, to, strerror(-ret));
	return ret;
}

int ifstate_restore(struct rtnl *nl, const struct ifstate *s)
{
	int index = rtnl_link_index(nl, s->name);
	int ret, r;

	if (index < 0) {
		err_set("%s: cannot put it back as it was: it is gone", s->name);
		return index;
	}
	ret = ifstate_set_link(nl, index, s->mtu, s->flags, IFSTATE_FLAGS);
	if (ret < 0)
		err_set("%s: cannot put its MTU and flags back: %s", s->name, strerror(-ret));
	r = ifstate_put(nl, s, index, false, false);
	return ret < 0 ? ret : r;
}

struct ifstate_find {
	const struct lab_addr *a;
	int index;
};

static int ifstate_find_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct ifstate_find *f = arg;
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a;

	if (ifa->ifa_family != AF_INET || f->index)
		return 0;
	mnl_attr_for_each(a, nlh, sizeof(*ifa))
		if (mnl_attr_get_type(a) == IFA_LOCAL && mnl_attr_get_payload_len(a) == 4 &&
		    !memcmp(mnl_attr_get_payload(a), &f->a->v4, 4))
			f->index = (int)ifa->ifa_index;
	return 0;
}

int ifstate_find_addr(struct rtnl *nl, const struct lab_addr *a, char name[IF_NAMESIZE])
{
	struct ifstate_find f = { a, 0 };
	int ret = rtnl_dump(nl, RTM_GETADDR, AF_INET, ifstate_find_cb, &f);

	if (ret < 0)
		return ret;
	if (!f.index || !if_indextoname((unsigned int)f.index, name))
		return -ENOENT;
	return 0;
}

void ifstate_free(struct ifstate *s)
{
	for (size_t i = 0; i < s->n_msgs; i++)
		free(s->msgs[i].buf);
	free(s->msgs);
	s->msgs = NULL;
	s->n_msgs = 0;
}
