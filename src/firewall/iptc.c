/* The lab's MASQUERADE and FORWARD rules through libiptc (legacy xtables),
 * each marked with the comment ovslab:LAB (iptc.h). */
#include "firewall/iptc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <libiptc/libiptc.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/xt_comment.h>
#include <linux/netfilter/xt_conntrack.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "util/err.h"
#include "util/strset.h"

#define NAT_TABLE "nat"
#define NAT_CHAIN "POSTROUTING"
#define FILTER_TABLE "filter"
#define FILTER_CHAIN "FORWARD"
/* Docker's documented place for the user's own rules, jumped to first from FORWARD. */
#define DOCKER_CHAIN "DOCKER-USER"

/* iptables' own default; it honours XTABLES_LOCKFILE and so do we, so both
 * agree on which file serialises changes. */
#define XTABLES_LOCK_PATH "/run/xtables.lock"
#define XTABLES_LOCK_TRIES 100 /* of 50 ms: give up after 5 s */

#define RULE_TEXT_MAX 1024

struct rule_spec {
	const char *lab;
	const char *in;       /* NULL: any input interface */
	const char *out;      /* NULL: any output interface */
	struct in_addr src, smsk; /* 0/0: any source */
	struct in_addr dst, dmsk; /* 0/0: any destination */
	bool ctstate;         /* -m conntrack --ctstate RELATED,ESTABLISHED */
	bool masquerade;      /* -j MASQUERADE, else -j ACCEPT */
};

static bool ifname_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	return n > 0 && n < IFNAMSIZ;
}

static bool lab_ok(const char *lab)
{
	size_t n = lab ? strlen(lab) : 0;

	return n > 0 && sizeof(FW_COMMENT_PREFIX) - 1 + n < XT_MAX_COMMENT_LEN;
}

/* Exact interface match, as iptables sets it: the mask covers the name and
 * its terminating NUL, so "br0" does not also match "br01". */
static void iface_set(char name[IFNAMSIZ], unsigned char mask[IFNAMSIZ], const char *s)
{
	size_t n = strlen(s);

	memcpy(name, s, n + 1);
	memset(mask, 0xff, n + 1);
}

static struct in_addr prefix_mask(unsigned prefix)
{
	struct in_addr m;

	/* A shift by 32 is undefined, so /0 is spelled out. */
	m.s_addr = prefix ? htonl(0xffffffffu << (32 - prefix)) : 0;
	return m;
}

static struct ipt_entry *rule_build(const struct rule_spec *s)
{
	size_t comment_sz = XT_ALIGN(sizeof(struct xt_entry_match) + sizeof(struct xt_comment_info));
	size_t ct_sz = s->ctstate ?
		XT_ALIGN(sizeof(struct xt_entry_match) + sizeof(struct xt_conntrack_mtinfo3)) : 0;
	size_t target_sz = s->masquerade ?
		XT_ALIGN(sizeof(struct xt_entry_target) + sizeof(struct nf_nat_ipv4_multi_range_compat)) :
		XT_ALIGN(sizeof(struct xt_standard_target));
	size_t off = XT_ALIGN(sizeof(struct ipt_entry));
	struct xt_entry_match *m;
	struct xt_entry_target *t;
	struct ipt_entry *e;

	e = calloc(1, off + ct_sz + comment_sz + target_sz);
	if (!e)
		return NULL;
	e->ip.src = s->src;
	e->ip.smsk = s->smsk;
	e->ip.dst = s->dst;
	e->ip.dmsk = s->dmsk;
	if (s->in)
		iface_set(e->ip.iniface, e->ip.iniface_mask, s->in);
	if (s->out)
		iface_set(e->ip.outiface, e->ip.outiface_mask, s->out);

	if (s->ctstate) {
		struct xt_conntrack_mtinfo3 *ct;

		m = (struct xt_entry_match *)((char *)e + off);
		m->u.user.match_size = ct_sz;
		strcpy(m->u.user.name, "conntrack");
		/* Revision 3 is what iptables 1.8 sends for --ctstate. */
		m->u.user.revision = 3;
		ct = (struct xt_conntrack_mtinfo3 *)m->data;
		ct->match_flags = XT_CONNTRACK_STATE;
		ct->state_mask = XT_CONNTRACK_STATE_BIT(IP_CT_RELATED) |
				 XT_CONNTRACK_STATE_BIT(IP_CT_ESTABLISHED);
		off += ct_sz;
	}

	m = (struct xt_entry_match *)((char *)e + off);
	m->u.user.match_size = comment_sz;
	strcpy(m->u.user.name, "comment");
	snprintf(((struct xt_comment_info *)m->data)->comment, XT_MAX_COMMENT_LEN, "%s%s",
		 FW_COMMENT_PREFIX, s->lab);
	off += comment_sz;

	e->target_offset = off;
	e->next_offset = off + target_sz;
	t = (struct xt_entry_target *)((char *)e + off);
	t->u.user.target_size = target_sz;
	if (s->masquerade) {
		/* IPv4 MASQUERADE exists only as revision 0, with the compat range. */
		struct nf_nat_ipv4_multi_range_compat *r = (void *)t->data;

		strcpy(t->u.user.name, "MASQUERADE");
		r->rangesize = 1;
	} else {
		/* libiptc turns the ACCEPT label into the standard verdict. */
		strcpy(t->u.user.name, IPTC_LABEL_ACCEPT);
	}
	return e;
}

struct ipt_entry *fw_iptc_rule_masquerade(const char *lab, const struct lab_addr *gw,
				      const char *uplink)
{
	struct rule_spec s = { .lab = lab, .out = uplink, .masquerade = true };

	if (!lab_ok(lab) || !ifname_ok(uplink) || !gw || gw->family != AF_INET ||
	    gw->prefix > 32) {
		errno = EINVAL;
		return NULL;
	}
	s.smsk = prefix_mask(gw->prefix);
	s.src.s_addr = gw->v4.s_addr & s.smsk.s_addr;
	return rule_build(&s);
}

static bool gw_ok(const struct lab_addr *gw)
{
	return gw && gw->family == AF_INET && gw->prefix <= 32;
}

struct ipt_entry *fw_iptc_rule_forward_out(const char *lab, const char *bridge,
					   const struct lab_addr *gw, const char *uplink)
{
	struct rule_spec s = { .lab = lab, .in = bridge, .out = uplink };

	if (!lab_ok(lab) || !ifname_ok(bridge) || !ifname_ok(uplink) || !gw_ok(gw)) {
		errno = EINVAL;
		return NULL;
	}
	s.smsk = prefix_mask(gw->prefix);
	s.src.s_addr = gw->v4.s_addr & s.smsk.s_addr;
	return rule_build(&s);
}

struct ipt_entry *fw_iptc_rule_forward_back(const char *lab, const char *bridge,
					    const struct lab_addr *gw, const char *uplink)
{
	struct rule_spec s = { .lab = lab, .in = uplink, .out = bridge, .ctstate = true };

	if (!lab_ok(lab) || !ifname_ok(bridge) || !ifname_ok(uplink) || !gw_ok(gw)) {
		errno = EINVAL;
		return NULL;
	}
	s.dmsk = prefix_mask(gw->prefix);
	s.dst.s_addr = gw->v4.s_addr & s.dmsk.s_addr;
	return rule_build(&s);
}

/* Walks the matches of e; *off starts at 0.  Stops at a malformed size so a
 * corrupt entry cannot make us read past it. */
static const struct xt_entry_match *match_next(const struct ipt_entry *e, size_t *off)
{
	const struct xt_entry_match *m;

	if (*off == 0)
		*off = sizeof(struct ipt_entry);
	if (*off + sizeof(*m) > e->target_offset)
		return NULL;
	m = (const struct xt_entry_match *)((const char *)e + *off);
	if (m->u.match_size < sizeof(*m) || *off + m->u.match_size > e->target_offset)
		return NULL;
	*off += m->u.match_size;
	return m;
}

const char *fw_iptc_rule_comment(const struct ipt_entry *e)
{
	const struct xt_entry_match *m;
	size_t off = 0;

	while ((m = match_next(e, &off))) {
		const struct xt_comment_info *c = (const void *)m->data;

		if (strcmp(m->u.user.name, "comment") != 0 ||
		    m->u.match_size < sizeof(*m) + sizeof(*c) ||
		    !memchr(c->comment, '\0', sizeof(c->comment)))
			continue;
		if (strncmp(c->comment, FW_COMMENT_PREFIX, sizeof(FW_COMMENT_PREFIX) - 1) == 0)
			return c->comment;
	}
	return NULL;
}

static bool rule_of_lab(const struct ipt_entry *e, const char *lab)
{
	const char *c = fw_iptc_rule_comment(e);

	/* Exact: lab "a" must never take "ovslab:ab" with it. */
	return c && strcmp(c + sizeof(FW_COMMENT_PREFIX) - 1, lab) == 0;
}

static bool match_same(const struct xt_entry_match *a, const struct xt_entry_match *b)
{
	return a->u.match_size == b->u.match_size &&
	       a->u.user.revision == b->u.user.revision &&
	       strncmp(a->u.user.name, b->u.user.name, sizeof(a->u.user.name)) == 0 &&
	       memcmp(a->data, b->data, a->u.match_size - sizeof(*a)) == 0;
}

/* Compares what we set, not raw bytes: the kernel hands entries back with
 * counters, and the name fields of matches may carry bytes we never wrote. */
static bool rule_same(const struct ipt_entry *have, const char *have_target,
		      const struct ipt_entry *want)
{
	const struct xt_entry_match *mh, *mw;
	const struct xt_entry_target *th, *tw;
	size_t oh = 0, ow = 0;

	if (memcmp(&have->ip, &want->ip, sizeof(want->ip)) != 0)
		return false;
	for (;;) {
		mh = match_next(have, &oh);
		mw = match_next(want, &ow);
		if (!mh || !mw)
			break;
		if (!match_same(mh, mw))
			return false;
	}
	if (mh || mw)
		return false;
	tw = (const struct xt_entry_target *)((const char *)want + want->target_offset);
	if (strcmp(have_target, tw->u.user.name) != 0)
		return false;
	if (strcmp(tw->u.user.name, IPTC_LABEL_ACCEPT) == 0)
		return true;
	th = (const struct xt_entry_target *)((const char *)have + have->target_offset);
	return th->u.target_size == tw->u.target_size &&
	       th->u.user.revision == tw->u.user.revision &&
	       memcmp(th->data, tw->data, tw->u.target_size - sizeof(*tw)) == 0;
}

static int neg_errno(void)
{
	return errno > 0 ? -errno : -EIO;
}

static int xtables_lock(void)
{
	const char *path = getenv("XTABLES_LOCKFILE");
	struct timespec pause = { .tv_nsec = 50 * 1000 * 1000 };
	int fd, ret;

	if (!path || !*path)
		path = XTABLES_LOCK_PATH;
	fd = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0) {
		ret = -errno;
		err_set("%s: cannot open the xtables lock: %s", path, strerror(-ret));
		goto out;
	}
	for (int i = 0;; i++) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
			ret = fd;
			goto out;
		}
		if (errno != EWOULDBLOCK && errno != EINTR) {
			ret = -errno;
			err_set("%s: cannot take the xtables lock: %s", path, strerror(-ret));
			goto out;
		}
		if (i == XTABLES_LOCK_TRIES) {
			ret = -EBUSY;
			err_set("%s: another iptables program has held the xtables lock for 5 s",
				path);
			goto out;
		}
		nanosleep(&pause, NULL);
	}
out:
	if (ret < 0 && fd >= 0)
		close(fd);
	return ret;
}

static void xtables_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}

static bool table_missing(int e)
{
	return e == ENOENT || e == ENOPROTOOPT;
}

/* missing_ok: a kernel without the table cannot hold any rule of ours, which
 * is not an error when we only read or delete; errno tells the caller. */
/* Whether the kernel holds the legacy table in this namespace.  Opening one
 * that is not there would make it (and load its module): on a machine that
 * uses nftables, iptables-nft then warns "iptables-legacy tables present". */
bool fw_iptc_table_present(const char *table)
{
	FILE *f = fopen("/proc/net/ip_tables_names", "re");
	char line[64];
	bool found = false;

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		found = !strcmp(line, table);
	}
	fclose(f);
	return found;
}

static struct xtc_handle *table_open(const char *table, bool missing_ok)
{
	struct xtc_handle *h;
	int e;

	if (missing_ok && !fw_iptc_table_present(table)) {
		errno = ENOENT;
		return NULL;
	}
	h = iptc_init(table);

	if (h)
		return h;
	e = errno > 0 ? errno : EIO;
	if (!table_missing(e))
		err_set("iptables table %s: cannot read it: %s", table, iptc_strerror(e));
	else if (!missing_ok)
		err_set("iptables table %s: not available in this kernel (legacy xtables "
			"module ip_tables/iptable_%s missing)", table, table);
	errno = e;
	return NULL;
}

/* Where the lab's FORWARD rules go: Docker's DOCKER-USER when it exists
 * (FORWARD jumps there before Docker's own drops), else FORWARD itself. */
static const char *forward_chain(struct xtc_handle *h)
{
	return iptc_is_chain(DOCKER_CHAIN, h) ? DOCKER_CHAIN : FILTER_CHAIN;
}

/* Adds to table/chain (NULL: the forward chain) each rule not already there;
 * returns how many it added. */
static int table_add(const char *table, const char *chain, struct ipt_entry *const *rules,
		     size_t n, bool insert, const char *what)
{
	struct xtc_handle *h;
	int added = 0, ret;

	h = table_open(table, false);
	if (!h) {
		ret = neg_errno();
		goto out;
	}
	if (!chain)
		chain = forward_chain(h);
	for (size_t i = 0; i < n; i++) {
		const struct ipt_entry *e;
		bool present = false;
		int ok;

		for (e = iptc_first_rule(chain, h); e && !present; e = iptc_next_rule(e, h))
			present = rule_same(e, iptc_get_target(e, h), rules[i]);
		if (present)
			continue;
		/* Inserted first in FORWARD so a DROP rule or policy set by the
		 * machine's own firewall cannot shadow the lab's traffic. */
		ok = insert ? iptc_insert_entry(chain, rules[i], 0, h) :
			      iptc_append_entry(chain, rules[i], h);
		if (!ok) {
			ret = neg_errno();
			err_set("%s/%s: cannot add %s: %s", table, chain, what, iptc_strerror(-ret));
			goto out;
		}
		added++;
	}
	if (added && !iptc_commit(h)) {
		ret = neg_errno();
		err_set("%s/%s: cannot add %s: %s", table, chain, what, iptc_strerror(-ret));
		goto out;
	}
	ret = added;
out:
	if (h)
		iptc_free(h);
	return ret;
}

/* The chains a lab's rules may be in, per table. */
static const char *const nat_chains[] = { NAT_CHAIN, NULL };
static const char *const filter_chains[] = { FILTER_CHAIN, DOCKER_CHAIN, NULL };

static int table_remove(const char *table, const char *const *chains, const char *lab)
{
	struct xtc_handle *h;
	int removed = 0, ret;

	h = table_open(table, true);
	if (!h) {
		ret = table_missing(errno) ? 0 : neg_errno();
		goto out;
	}
	for (const char *const *chain = chains; *chain; chain++) {
		if (!iptc_is_chain(*chain, h))
			continue;
		for (;;) {
			const struct ipt_entry *e;
			unsigned int num = 0;
			bool found = false;

			/* Deleting invalidates the walk, so start over after each one. */
			for (e = iptc_first_rule(*chain, h); e; e = iptc_next_rule(e, h), num++) {
				if (rule_of_lab(e, lab)) {
					found = true;
					break;
				}
			}
			if (!found)
				break;
			if (!iptc_delete_num_entry(*chain, num, h)) {
				ret = neg_errno();
				err_set("%s/%s: cannot delete rule %u of lab %s: %s", table, *chain,
					num + 1, lab, iptc_strerror(-ret));
				goto out;
			}
			removed++;
		}
	}
	if (removed && !iptc_commit(h)) {
		ret = neg_errno();
		err_set("%s: cannot delete the rules of lab %s: %s", table, lab,
			iptc_strerror(-ret));
		goto out;
	}
	ret = removed;
out:
	if (h)
		iptc_free(h);
	return ret;
}

static int mask_prefix(struct in_addr m)
{
	uint32_t v = ntohl(m.s_addr);
	int n = __builtin_popcount(v);

	/* Only a contiguous mask has a prefix length. */
	return (n == 0 || v == 0xffffffffu << (32 - n)) ? n : -1;
}

struct text {
	char *p;
	size_t len;
	size_t used;
};

static void __attribute__((format(printf, 2, 3))) text_add(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (t->used >= t->len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(t->p + t->used, t->len - t->used, fmt, ap);
	va_end(ap);
	if (n > 0)
		t->used += (size_t)n < t->len - t->used ? (size_t)n : t->len - t->used;
}

/* Quoted the way iptables-save does, so the line can be fed back to it. */
static void text_word(struct text *t, const char *s, size_t max)
{
	static const char plain[] = "_-0123456789abcdefghijklmnopqrstuvwxyz"
				    "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
	size_t n = strnlen(s, max), i = 0;

	while (i < n && strchr(plain, s[i]))
		i++;
	if (n && i == n) {
		text_add(t, " %.*s", (int)n, s);
		return;
	}
	text_add(t, " \"");
	for (i = 0; i < n; i++)
		text_add(t, "%s%c", strchr("\"\\'", s[i]) ? "\\" : "", s[i]);
	text_add(t, "\"");
}

static void text_addr(struct text *t, const char *opt, bool inv, struct in_addr a,
		      struct in_addr m)
{
	char buf[INET_ADDRSTRLEN];
	int len = mask_prefix(m);

	if (!a.s_addr && !m.s_addr)
		return;
	inet_ntop(AF_INET, &a, buf, sizeof(buf));
	text_add(t, " %s%s %s", inv ? "! " : "", opt, buf);
	if (len >= 0) {
		text_add(t, "/%d", len);
	} else {
		inet_ntop(AF_INET, &m, buf, sizeof(buf));
		text_add(t, "/%s", buf);
	}
}

static void text_iface(struct text *t, const char *opt, bool inv, const char *name,
		       const unsigned char *mask)
{
	size_t n = strnlen(name, IFNAMSIZ);

	if (!n)
		return;
	/* A mask that stops before the NUL is iptables' "name+" wildcard. */
	text_add(t, " %s%s %.*s%s", inv ? "! " : "", opt, (int)n, name,
		 n < IFNAMSIZ && !mask[n] ? "+" : "");
}

static void text_ctstate(struct text *t, const struct xt_conntrack_mtinfo3 *ct)
{
	static const struct {
		unsigned bit;
		const char *name;
	} states[] = {
		{ XT_CONNTRACK_STATE_INVALID, "INVALID" },
		{ XT_CONNTRACK_STATE_BIT(IP_CT_NEW), "NEW" },
		{ XT_CONNTRACK_STATE_BIT(IP_CT_RELATED), "RELATED" },
		{ XT_CONNTRACK_STATE_BIT(IP_CT_ESTABLISHED), "ESTABLISHED" },
		{ XT_CONNTRACK_STATE_UNTRACKED, "UNTRACKED" },
		{ XT_CONNTRACK_STATE_SNAT, "SNAT" },
		{ XT_CONNTRACK_STATE_DNAT, "DNAT" },
	};
	const char *sep = "";

	if (!(ct->match_flags & XT_CONNTRACK_STATE))
		return;
	text_add(t, " %s--ctstate ", ct->invert_flags & XT_CONNTRACK_STATE ? "! " : "");
	for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
		if (ct->state_mask & states[i].bit) {
			text_add(t, "%s%s", sep, states[i].name);
			sep = ",";
		}
	}
}

static void rule_text(const char *chain, const struct ipt_entry *e, const char *target,
		      char *buf, size_t len)
{
	struct text t = { .p = buf, .len = len };
	const struct xt_entry_match *m;
	size_t off = 0;

	buf[0] = '\0';
	text_add(&t, "-A %s", chain);
	text_addr(&t, "-s", e->ip.invflags & IPT_INV_SRCIP, e->ip.src, e->ip.smsk);
	text_addr(&t, "-d", e->ip.invflags & IPT_INV_DSTIP, e->ip.dst, e->ip.dmsk);
	text_iface(&t, "-i", e->ip.invflags & IPT_INV_VIA_IN, e->ip.iniface, e->ip.iniface_mask);
	text_iface(&t, "-o", e->ip.invflags & IPT_INV_VIA_OUT, e->ip.outiface,
		   e->ip.outiface_mask);
	if (e->ip.proto)
		text_add(&t, " %s-p %u", e->ip.invflags & XT_INV_PROTO ? "! " : "", e->ip.proto);
	while ((m = match_next(e, &off))) {
		text_add(&t, " -m %.*s", (int)sizeof(m->u.user.name), m->u.user.name);
		if (strcmp(m->u.user.name, "comment") == 0 &&
		    m->u.match_size >= sizeof(*m) + sizeof(struct xt_comment_info)) {
			const struct xt_comment_info *c = (const void *)m->data;

			text_add(&t, " --comment");
			text_word(&t, c->comment, sizeof(c->comment));
		} else if (strcmp(m->u.user.name, "conntrack") == 0 && m->u.user.revision == 3 &&
			   m->u.match_size >= sizeof(*m) + sizeof(struct xt_conntrack_mtinfo3)) {
			text_ctstate(&t, (const void *)m->data);
		}
	}
	if (target && *target)
		text_add(&t, " -j %s", target);
}

static int table_list(const char *table, const char *const *chains, const char *lab,
		      fw_rule_fn *fn, void *arg)
{
	const struct ipt_entry *e;
	struct xtc_handle *h;
	char text[RULE_TEXT_MAX];
	int ret;

	h = table_open(table, true);
	if (!h) {
		ret = table_missing(errno) ? 0 : neg_errno();
		goto out;
	}
	for (const char *const *chain = chains; *chain; chain++) {
		if (!iptc_is_chain(*chain, h))
			continue;
		for (e = iptc_first_rule(*chain, h); e; e = iptc_next_rule(e, h)) {
			if (!rule_of_lab(e, lab))
				continue;
			rule_text(*chain, e, iptc_get_target(e, h), text, sizeof(text));
			fn(table, text, arg);
		}
	}
	ret = 0;
out:
	if (h)
		iptc_free(h);
	return ret;
}

int fw_iptc_add(const char *lab, const char *bridge, const struct lab_addr *gw,
		const char *uplink, bool forward_only)
{
	struct ipt_entry *masq = NULL, *fwd[2] = { NULL, NULL };
	char net[INET_ADDRSTRLEN], subnet[INET_ADDRSTRLEN + 8], what[64];
	struct in_addr a;
	int lock = -1, ret;

	if (!gw_ok(gw)) {
		ret = -EAFNOSUPPORT;
		err_set("bridge %s: NAT needs an IPv4 gateway address", bridge);
		goto out;
	}
	if (!lab_ok(lab) || !ifname_ok(bridge) || !ifname_ok(uplink)) {
		ret = -EINVAL;
		err_set("bridge %s: invalid lab, bridge or uplink name for NAT (uplink \"%s\")",
			bridge ? bridge : "", uplink ? uplink : "");
		goto out;
	}
	a.s_addr = gw->v4.s_addr & prefix_mask(gw->prefix).s_addr;
	inet_ntop(AF_INET, &a, net, sizeof(net));
	snprintf(subnet, sizeof(subnet), "%s/%u", net, gw->prefix);

	masq = fw_iptc_rule_masquerade(lab, gw, uplink);
	/* Each goes to the top of FORWARD, so the reply rule ends up first. */
	fwd[0] = fw_iptc_rule_forward_out(lab, bridge, gw, uplink);
	fwd[1] = fw_iptc_rule_forward_back(lab, bridge, gw, uplink);
	if (!masq || !fwd[0] || !fwd[1]) {
		ret = -ENOMEM;
		err_set("bridge %s: cannot build the NAT rules: out of memory", bridge);
		goto out;
	}

	lock = xtables_lock();
	if (lock < 0) {
		ret = lock;
		goto out;
	}
	if (!forward_only) {
		snprintf(what, sizeof(what), "the masquerade rule for %s", subnet);
		ret = table_add(NAT_TABLE, NAT_CHAIN, &masq, 1, false, what);
		if (ret < 0)
			goto out;
	}
	snprintf(what, sizeof(what), "the forwarding rules for bridge %s", bridge);
	ret = table_add(FILTER_TABLE, NULL, fwd, 2, true, what);
	if (ret < 0)
		goto out;
	ret = 0;
out:
	xtables_unlock(lock);
	free(masq);
	free(fwd[0]);
	free(fwd[1]);
	return ret;
}

int fw_iptc_forward_drops(void)
{
	struct xt_counters c;
	struct xtc_handle *h;
	const char *policy;
	int ret;

	h = table_open(FILTER_TABLE, true);
	if (!h) {
		ret = table_missing(errno) ? 0 : neg_errno();
		goto out;
	}
	policy = iptc_get_policy(FILTER_CHAIN, &c, h);
	ret = policy && !strcmp(policy, IPTC_LABEL_DROP);
out:
	if (h)
		iptc_free(h);
	return ret;
}

int fw_iptc_remove(const char *lab)
{
	int lock = -1, ret, n;

	if (!lab_ok(lab)) {
		ret = -EINVAL;
		err_set("lab \"%s\": invalid name for NAT rules", lab ? lab : "");
		goto out;
	}
	lock = xtables_lock();
	if (lock < 0) {
		ret = lock;
		goto out;
	}
	n = table_remove(NAT_TABLE, nat_chains, lab);
	if (n < 0) {
		ret = n;
		goto out;
	}
	ret = table_remove(FILTER_TABLE, filter_chains, lab);
	if (ret < 0)
		goto out;
	ret += n;
out:
	xtables_unlock(lock);
	return ret;
}

static int table_lab_names(const char *table, const char *const *chains, struct strset *ln)
{
	const struct ipt_entry *e;
	struct xtc_handle *h;
	int ret = 0;

	h = table_open(table, true);
	if (!h) {
		ret = table_missing(errno) ? 0 : neg_errno();
		goto out;
	}
	for (const char *const *chain = chains; *chain && ret == 0; chain++) {
		if (!iptc_is_chain(*chain, h))
			continue;
		for (e = iptc_first_rule(*chain, h); e && ret == 0; e = iptc_next_rule(e, h)) {
			const char *c = fw_iptc_rule_comment(e);

			if (c)
				ret = strset_add(ln, c + sizeof(FW_COMMENT_PREFIX) - 1);
		}
	}
out:
	if (h)
		iptc_free(h);
	return ret;
}

int fw_iptc_lab_names(struct strset *ln)
{
	int ret;

	ret = table_lab_names(NAT_TABLE, nat_chains, ln);
	if (ret == 0)
		ret = table_lab_names(FILTER_TABLE, filter_chains, ln);
	return ret;
}

int fw_iptc_list(const char *lab, fw_rule_fn *fn, void *arg)
{
	int ret;

	if (!lab_ok(lab)) {
		ret = -EINVAL;
		err_set("lab \"%s\": invalid name for NAT rules", lab ? lab : "");
		goto out;
	}
	/* Each iptc_init is an atomic snapshot, so reading needs no lock. */
	ret = table_list(NAT_TABLE, nat_chains, lab, fn, arg);
	if (ret < 0)
		goto out;
	ret = table_list(FILTER_TABLE, filter_chains, lab, fn, arg);
out:
	return ret;
}

int fw_iptc_docker(void)
{
	struct xtc_handle *h;
	int ret;

	h = table_open(FILTER_TABLE, true);
	if (!h) {
		ret = table_missing(errno) ? 0 : neg_errno();
		goto out;
	}
	ret = iptc_is_chain(DOCKER_CHAIN, h) ? 1 : 0;
out:
	if (h)
		iptc_free(h);
	return ret;
}
