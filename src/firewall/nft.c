/* The lab's rules in nf_tables through libnftnl: its own table ip ovslab-LAB
 * and accepts in the forward chains that drop (nft.h).  One transaction per
 * change, so a failure leaves nothing half made. */
#include "firewall/nft.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <libnftnl/batch.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/x_tables.h>
#include <linux/netfilter/xt_conntrack.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/err.h"

#define FILTER_TABLE "filter"
#define FORWARD_CHAIN "FORWARD"
#define DOCKER_CHAIN "DOCKER-USER"
#define OWN_NAT_CHAIN "postrouting"
#define OWN_FWD_CHAIN "forward"
#define NAME_MAX_LEN 256
#define TEXT_MAX 1024
/* A dump that raced a change (EINTR) is retried this often. */
#define DUMP_TRIES 5

struct nft_chain {
	uint32_t family;
	char table[NAME_MAX_LEN], name[NAME_MAX_LEN];
	bool base, drop;
	uint32_t hook;
};

struct nft_rule {
	uint32_t family;
	char table[NAME_MAX_LEN], chain[NAME_MAX_LEN];
	uint64_t handle;
	char comment[128];
	char text[TEXT_MAX];
};

/* What one look at nf_tables found. */
struct nft_view {
	struct nft_chain *chains;
	size_t n_chains;
	struct nft_rule *rules;
	size_t n_rules;
	bool nomem;
};

static bool lab_ok(const char *lab)
{
	size_t n = lab ? strlen(lab) : 0;

	return n > 0 && n + sizeof(FW_NFT_TABLE_PREFIX) < NAME_MAX_LEN;
}

static bool ifname_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	return n > 0 && n < IFNAMSIZ;
}

static bool gw_ok(const struct lab_addr *gw)
{
	return gw && gw->family == AF_INET && gw->prefix <= 32;
}

static void own_table(const char *lab, char *buf, size_t len)
{
	snprintf(buf, len, FW_NFT_TABLE_PREFIX "%s", lab);
}

/* ---- building rules ------------------------------------------------------ */

static bool expr_add(struct nftnl_rule *r, struct nftnl_expr *e)
{
	if (!e)
		return false;
	nftnl_rule_add_expr(r, e);
	return true;
}

/* meta iifname/oifname == name, the name's NUL included as iptables-nft
 * does: an exact match ("br0" is not "br01"). */
static bool add_ifname(struct nftnl_rule *r, uint32_t key, const char *name)
{
	struct nftnl_expr *m = nftnl_expr_alloc("meta"), *c = nftnl_expr_alloc("cmp");

	if (!m || !c) {
		nftnl_expr_free(m);
		nftnl_expr_free(c);
		return false;
	}
	nftnl_expr_set_u32(m, NFTNL_EXPR_META_KEY, key);
	nftnl_expr_set_u32(m, NFTNL_EXPR_META_DREG, NFT_REG_1);
	nftnl_rule_add_expr(r, m);
	nftnl_expr_set_u32(c, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
	nftnl_expr_set_u32(c, NFTNL_EXPR_CMP_OP, NFT_CMP_EQ);
	nftnl_expr_set(c, NFTNL_EXPR_CMP_DATA, name, strlen(name) + 1);
	nftnl_rule_add_expr(r, c);
	return true;
}

/* ip saddr/daddr SUBNET, as iptables-nft spells a prefix: whole bytes are
 * loaded and compared, other prefixes go through a mask. */
static bool add_subnet(struct nftnl_rule *r, bool dst, const struct lab_addr *gw)
{
	uint32_t mask = gw->prefix ? htonl(0xffffffffu << (32 - gw->prefix)) : 0;
	uint32_t net = gw->v4.s_addr & mask, zero = 0;
	uint32_t len = gw->prefix % 8 ? 4 : gw->prefix / 8;
	struct nftnl_expr *p, *c;

	if (!gw->prefix)
		return true;
	p = nftnl_expr_alloc("payload");
	if (!p)
		return false;
	nftnl_expr_set_u32(p, NFTNL_EXPR_PAYLOAD_BASE, NFT_PAYLOAD_NETWORK_HEADER);
	nftnl_expr_set_u32(p, NFTNL_EXPR_PAYLOAD_OFFSET, dst ? 16 : 12);
	nftnl_expr_set_u32(p, NFTNL_EXPR_PAYLOAD_LEN, len);
	nftnl_expr_set_u32(p, NFTNL_EXPR_PAYLOAD_DREG, NFT_REG_1);
	nftnl_rule_add_expr(r, p);
	if (gw->prefix % 8) {
		struct nftnl_expr *b = nftnl_expr_alloc("bitwise");

		if (!b)
			return false;
		nftnl_expr_set_u32(b, NFTNL_EXPR_BITWISE_SREG, NFT_REG_1);
		nftnl_expr_set_u32(b, NFTNL_EXPR_BITWISE_DREG, NFT_REG_1);
		nftnl_expr_set_u32(b, NFTNL_EXPR_BITWISE_LEN, 4);
		nftnl_expr_set(b, NFTNL_EXPR_BITWISE_MASK, &mask, 4);
		nftnl_expr_set(b, NFTNL_EXPR_BITWISE_XOR, &zero, 4);
		nftnl_rule_add_expr(r, b);
	}
	c = nftnl_expr_alloc("cmp");
	if (!c)
		return false;
	nftnl_expr_set_u32(c, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
	nftnl_expr_set_u32(c, NFTNL_EXPR_CMP_OP, NFT_CMP_EQ);
	nftnl_expr_set(c, NFTNL_EXPR_CMP_DATA, &net, len);
	nftnl_rule_add_expr(r, c);
	return true;
}

#define CT_REPLY_STATES \
	(NF_CT_STATE_BIT(IP_CT_ESTABLISHED) | NF_CT_STATE_BIT(IP_CT_RELATED))

/* ct state related,established: iptables-nft 1.8 can only show it as its
 * xt conntrack match, native nftables as ct + bitwise + cmp. */
static bool add_ctstate(struct nftnl_rule *r, bool compat)
{
	if (compat) {
		size_t sz = XT_ALIGN(sizeof(struct xt_entry_match) +
				     sizeof(struct xt_conntrack_mtinfo3)) -
			    sizeof(struct xt_entry_match);
		struct xt_conntrack_mtinfo3 *ct = calloc(1, sz);
		struct nftnl_expr *m = nftnl_expr_alloc("match");

		if (!ct || !m) {
			free(ct);
			nftnl_expr_free(m);
			return false;
		}
		ct->match_flags = XT_CONNTRACK_STATE;
		ct->state_mask = XT_CONNTRACK_STATE_BIT(IP_CT_RELATED) |
				 XT_CONNTRACK_STATE_BIT(IP_CT_ESTABLISHED);
		nftnl_expr_set_str(m, NFTNL_EXPR_MT_NAME, "conntrack");
		nftnl_expr_set_u32(m, NFTNL_EXPR_MT_REV, 3);
		/* The expression keeps this buffer and frees it. */
		nftnl_expr_set(m, NFTNL_EXPR_MT_INFO, ct, sz);
		nftnl_rule_add_expr(r, m);
		return true;
	}

	struct nftnl_expr *c = nftnl_expr_alloc("ct"), *b = nftnl_expr_alloc("bitwise"),
			  *q = nftnl_expr_alloc("cmp");
	uint32_t mask = CT_REPLY_STATES, zero = 0;

	if (!c || !b || !q) {
		nftnl_expr_free(c);
		nftnl_expr_free(b);
		nftnl_expr_free(q);
		return false;
	}
	nftnl_expr_set_u32(c, NFTNL_EXPR_CT_KEY, NFT_CT_STATE);
	nftnl_expr_set_u32(c, NFTNL_EXPR_CT_DREG, NFT_REG_1);
	nftnl_rule_add_expr(r, c);
	nftnl_expr_set_u32(b, NFTNL_EXPR_BITWISE_SREG, NFT_REG_1);
	nftnl_expr_set_u32(b, NFTNL_EXPR_BITWISE_DREG, NFT_REG_1);
	nftnl_expr_set_u32(b, NFTNL_EXPR_BITWISE_LEN, 4);
	nftnl_expr_set(b, NFTNL_EXPR_BITWISE_MASK, &mask, 4);
	nftnl_expr_set(b, NFTNL_EXPR_BITWISE_XOR, &zero, 4);
	nftnl_rule_add_expr(r, b);
	nftnl_expr_set_u32(q, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
	nftnl_expr_set_u32(q, NFTNL_EXPR_CMP_OP, NFT_CMP_NEQ);
	nftnl_expr_set(q, NFTNL_EXPR_CMP_DATA, &zero, 4);
	nftnl_rule_add_expr(r, q);
	return true;
}

static bool add_accept(struct nftnl_rule *r)
{
	struct nftnl_expr *c = nftnl_expr_alloc("counter"), *i = nftnl_expr_alloc("immediate");

	if (!c || !i) {
		nftnl_expr_free(c);
		nftnl_expr_free(i);
		return false;
	}
	/* iptables-nft counts every rule; so do we, for `iptables -v`. */
	nftnl_rule_add_expr(r, c);
	nftnl_expr_set_u32(i, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
	nftnl_expr_set_u32(i, NFTNL_EXPR_IMM_VERDICT, NF_ACCEPT);
	nftnl_rule_add_expr(r, i);
	return true;
}

/* The comment lives in the rule's user data, where both nft and iptables-nft
 * read it ("comment" / "-m comment"). */
static bool set_comment(struct nftnl_rule *r, const char *lab)
{
	struct nftnl_udata_buf *u = nftnl_udata_buf_alloc(NFT_USERDATA_MAXLEN);
	char c[NAME_MAX_LEN];
	bool ok;

	if (!u)
		return false;
	snprintf(c, sizeof(c), FW_COMMENT_PREFIX "%s", lab);
	ok = nftnl_udata_put_strz(u, NFTNL_UDATA_RULE_COMMENT, c) &&
	     nftnl_rule_set_data(r, NFTNL_RULE_USERDATA, nftnl_udata_buf_data(u),
				 nftnl_udata_buf_len(u)) == 0;
	nftnl_udata_buf_free(u);
	return ok;
}

static struct nftnl_rule *rule_new(uint32_t family, const char *table, const char *chain)
{
	struct nftnl_rule *r = nftnl_rule_alloc();

	if (!r)
		return NULL;
	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, family);
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, table);
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, chain);
	return r;
}

static struct nftnl_rule *rule_done(struct nftnl_rule *r, bool ok)
{
	if (!ok) {
		nftnl_rule_free(r);
		errno = ENOMEM;
		return NULL;
	}
	return r;
}

struct nftnl_rule *fw_nft_rule_masquerade(const char *lab, const char *table,
					  const char *chain, const struct lab_addr *gw,
					  const char *uplink)
{
	struct nftnl_rule *r;

	if (!lab_ok(lab) || !ifname_ok(uplink) || !gw_ok(gw)) {
		errno = EINVAL;
		return NULL;
	}
	r = rule_new(NFPROTO_IPV4, table, chain);
	if (!r)
		return rule_done(r, false);
	return rule_done(r, add_ifname(r, NFT_META_OIFNAME, uplink) && add_subnet(r, false, gw) &&
			    expr_add(r, nftnl_expr_alloc("counter")) &&
			    expr_add(r, nftnl_expr_alloc("masq")) && set_comment(r, lab));
}

/* An inet table sees IPv6 too: the IPv4 header's addresses are looked at
 * only after meta nfproto ipv4, as nft does for `ip saddr` there. */
static bool add_nfproto_ipv4(struct nftnl_rule *r)
{
	struct nftnl_expr *m = nftnl_expr_alloc("meta"), *c = nftnl_expr_alloc("cmp");
	uint8_t v4 = NFPROTO_IPV4;

	if (!m || !c) {
		nftnl_expr_free(m);
		nftnl_expr_free(c);
		return false;
	}
	nftnl_expr_set_u32(m, NFTNL_EXPR_META_KEY, NFT_META_NFPROTO);
	nftnl_expr_set_u32(m, NFTNL_EXPR_META_DREG, NFT_REG_1);
	nftnl_rule_add_expr(r, m);
	nftnl_expr_set_u32(c, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
	nftnl_expr_set_u32(c, NFTNL_EXPR_CMP_OP, NFT_CMP_EQ);
	nftnl_expr_set(c, NFTNL_EXPR_CMP_DATA, &v4, 1);
	nftnl_rule_add_expr(r, c);
	return true;
}

static struct nftnl_rule *rule_forward(uint32_t family, const char *lab, const char *table,
				       const char *chain, const char *bridge,
				       const struct lab_addr *gw, const char *uplink, bool back,
				       bool compat)
{
	struct nftnl_rule *r;
	bool ok;

	if (!lab_ok(lab) || !ifname_ok(bridge) || !ifname_ok(uplink) || !gw_ok(gw)) {
		errno = EINVAL;
		return NULL;
	}
	r = rule_new(family, table, chain);
	if (!r)
		return rule_done(r, false);
	ok = (family == NFPROTO_IPV4 || add_nfproto_ipv4(r)) &&
	     add_ifname(r, NFT_META_IIFNAME, back ? uplink : bridge) &&
	     add_ifname(r, NFT_META_OIFNAME, back ? bridge : uplink) &&
	     add_subnet(r, back, gw) && (!back || add_ctstate(r, compat)) && add_accept(r) &&
	     set_comment(r, lab);
	return rule_done(r, ok);
}

struct nftnl_rule *fw_nft_rule_forward(const char *lab, const char *table, const char *chain,
				       const char *bridge, const struct lab_addr *gw,
				       const char *uplink, bool back, bool compat)
{
	return rule_forward(NFPROTO_IPV4, lab, table, chain, bridge, gw, uplink, back, compat);
}

/* ---- reading rules back as text ------------------------------------------ */

struct text {
	char *p;
	size_t len, used;
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
		t->used += (size_t)n < t->len - t->used ? (size_t)n : t->len - t->used - 1;
}

/* What the expressions before the current one loaded, to print a match
 * when its cmp comes. */
struct decode {
	struct text t;
	enum { LOAD_NONE, LOAD_IIF, LOAD_OIF, LOAD_SADDR, LOAD_DADDR, LOAD_CTSTATE,
	       LOAD_NFPROTO } load;
	uint32_t mask;     /* of a bitwise after the load, in network order */
	bool masked;
	uint32_t plen;     /* bytes loaded by a payload */
};

static void ct_states(struct text *t, uint32_t bits)
{
	static const struct {
		uint32_t bit;
		const char *name;
	} st[] = {
		{ NF_CT_STATE_INVALID_BIT, "invalid" },
		{ NF_CT_STATE_BIT(IP_CT_ESTABLISHED), "established" },
		{ NF_CT_STATE_BIT(IP_CT_RELATED), "related" },
		{ NF_CT_STATE_BIT(IP_CT_NEW), "new" },
		{ NF_CT_STATE_UNTRACKED_BIT, "untracked" },
	};
	const char *sep = " ";

	for (size_t i = 0; i < sizeof(st) / sizeof(st[0]); i++) {
		if (bits & st[i].bit) {
			text_add(t, "%s%s", sep, st[i].name);
			sep = ",";
		}
	}
}

static void decode_cmp(struct decode *d, struct nftnl_expr *e)
{
	uint32_t len = 0, op = nftnl_expr_get_u32(e, NFTNL_EXPR_CMP_OP);
	const void *data = nftnl_expr_get(e, NFTNL_EXPR_CMP_DATA, &len);
	const char *neg = op == NFT_CMP_NEQ ? "!= " : "";
	char buf[INET_ADDRSTRLEN];

	switch (d->load) {
	case LOAD_IIF:
	case LOAD_OIF:
		text_add(&d->t, " %s %s\"%.*s\"", d->load == LOAD_IIF ? "iifname" : "oifname", neg,
			 (int)strnlen(data, len), (const char *)data);
		break;
	case LOAD_SADDR:
	case LOAD_DADDR: {
		uint32_t a = 0, m = d->masked ? d->mask :
				    d->plen >= 4 ? 0xffffffffu : htonl(~(0xffffffffu >> (8 * d->plen)));

		memcpy(&a, data, len < 4 ? len : 4);
		inet_ntop(AF_INET, &a, buf, sizeof(buf));
		text_add(&d->t, " ip %s %s%s", d->load == LOAD_SADDR ? "saddr" : "daddr", neg, buf);
		if (m != 0xffffffffu)
			text_add(&d->t, "/%d", __builtin_popcount(m));
		break;
	}
	case LOAD_NFPROTO:
		text_add(&d->t, " meta nfproto %s%s", neg,
			 len && *(const uint8_t *)data == NFPROTO_IPV4 ? "ipv4" : "?");
		break;
	case LOAD_CTSTATE:
		text_add(&d->t, " ct state");
		ct_states(&d->t, d->mask);
		break;
	default:
		text_add(&d->t, " cmp");
	}
	d->load = LOAD_NONE;
	d->masked = false;
}

static int decode_expr(struct nftnl_expr *e, void *arg)
{
	struct decode *d = arg;
	const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);
	uint32_t len;

	if (!strcmp(name, "meta")) {
		uint32_t key = nftnl_expr_get_u32(e, NFTNL_EXPR_META_KEY);

		d->load = key == NFT_META_IIFNAME ? LOAD_IIF :
			  key == NFT_META_OIFNAME ? LOAD_OIF :
			  key == NFT_META_NFPROTO ? LOAD_NFPROTO : LOAD_NONE;
	} else if (!strcmp(name, "payload")) {
		uint32_t off = nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET);

		d->plen = nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_LEN);
		d->load = off == 12 ? LOAD_SADDR : off == 16 ? LOAD_DADDR : LOAD_NONE;
	} else if (!strcmp(name, "ct")) {
		d->load = nftnl_expr_get_u32(e, NFTNL_EXPR_CT_KEY) == NFT_CT_STATE ? LOAD_CTSTATE
										   : LOAD_NONE;
	} else if (!strcmp(name, "bitwise")) {
		const void *m = nftnl_expr_get(e, NFTNL_EXPR_BITWISE_MASK, &len);

		d->mask = 0;
		if (m)
			memcpy(&d->mask, m, len < 4 ? len : 4);
		d->masked = true;
	} else if (!strcmp(name, "cmp")) {
		decode_cmp(d, e);
	} else if (!strcmp(name, "match")) {
		const char *mt = nftnl_expr_get_str(e, NFTNL_EXPR_MT_NAME);
		const struct xt_conntrack_mtinfo3 *ct = nftnl_expr_get(e, NFTNL_EXPR_MT_INFO, &len);

		if (!strcmp(mt, "conntrack") && ct && len >= sizeof(*ct) &&
		    (ct->match_flags & XT_CONNTRACK_STATE)) {
			/* What iptables -S shows as --ctstate, in nft's words. */
			text_add(&d->t, " xt conntrack ctstate");
			ct_states(&d->t, ct->state_mask);
		} else {
			text_add(&d->t, " xt match \"%s\"", mt);
		}
	} else if (!strcmp(name, "counter")) {
		text_add(&d->t, " counter");
	} else if (!strcmp(name, "masq")) {
		text_add(&d->t, " masquerade");
	} else if (!strcmp(name, "immediate")) {
		int v = (int)nftnl_expr_get_u32(e, NFTNL_EXPR_IMM_VERDICT);

		if (v == NF_ACCEPT)
			text_add(&d->t, " accept");
		else if (v == NF_DROP)
			text_add(&d->t, " drop");
		else if (v == NFT_JUMP || v == NFT_GOTO)
			text_add(&d->t, " %s %s", v == NFT_JUMP ? "jump" : "goto",
				 nftnl_expr_get_str(e, NFTNL_EXPR_IMM_CHAIN));
		else
			text_add(&d->t, " verdict %d", v);
	} else {
		text_add(&d->t, " %s", name);
	}
	return 0;
}

static int comment_cb(const struct nftnl_udata *attr, void *data)
{
	char **c = data;

	if (nftnl_udata_type(attr) == NFTNL_UDATA_RULE_COMMENT) {
		const char *v = nftnl_udata_get(attr);
		uint8_t n = nftnl_udata_len(attr);

		if (n && memchr(v, '\0', n))
			*c = (char *)v;
	}
	return 0;
}

void fw_nft_rule_comment(struct nftnl_rule *r, char *buf, size_t len)
{
	uint32_t n = 0;
	const void *u = nftnl_rule_get_data(r, NFTNL_RULE_USERDATA, &n);
	char *c = NULL;

	if (u)
		nftnl_udata_parse(u, n, comment_cb, &c);
	snprintf(buf, len, "%s", c ? c : "");
}

void fw_nft_rule_text(struct nftnl_rule *r, char *buf, size_t len)
{
	struct decode d = { .t = { .p = buf, .len = len } };
	char c[NAME_MAX_LEN];

	buf[0] = '\0';
	nftnl_expr_foreach(r, decode_expr, &d);
	fw_nft_rule_comment(r, c, sizeof(c));
	if (*c)
		text_add(&d.t, " comment \"%s\"", c);
	/* Without the leading blank. */
	if (buf[0] == ' ')
		memmove(buf, buf + 1, strlen(buf));
}

/* ---- talking to the kernel ----------------------------------------------- */

struct nl {
	struct mnl_socket *s;
	uint32_t portid, seq;
};

static int nl_open(struct nl *nl)
{
	nl->s = mnl_socket_open(NETLINK_NETFILTER);
	if (!nl->s || mnl_socket_bind(nl->s, 0, MNL_SOCKET_AUTOPID) < 0) {
		int ret = -errno;

		err_set("nftables: cannot open a netlink socket: %s", strerror(errno));
		if (nl->s)
			mnl_socket_close(nl->s);
		nl->s = NULL;
		return ret;
	}
	nl->portid = mnl_socket_get_portid(nl->s);
	nl->seq = (uint32_t)time(NULL);
	return 0;
}

static void nl_close(struct nl *nl)
{
	if (nl->s)
		mnl_socket_close(nl->s);
	nl->s = NULL;
}

static void *view_grow(void **v, size_t *n, size_t sz, bool *nomem)
{
	void *nv = realloc(*v, (*n + 1) * sz);

	if (!nv) {
		*nomem = true;
		return NULL;
	}
	*v = nv;
	memset((char *)nv + *n * sz, 0, sz);
	return (char *)nv + (*n)++ * sz;
}

static int chain_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct nft_view *v = arg;
	struct nftnl_chain *c = nftnl_chain_alloc();
	struct nft_chain *nc;

	if (!c || nftnl_chain_nlmsg_parse(nlh, c) < 0) {
		nftnl_chain_free(c);
		return MNL_CB_OK;
	}
	nc = view_grow((void **)&v->chains, &v->n_chains, sizeof(*nc), &v->nomem);
	if (nc) {
		nc->family = nftnl_chain_get_u32(c, NFTNL_CHAIN_FAMILY);
		snprintf(nc->table, sizeof(nc->table), "%s", nftnl_chain_get_str(c, NFTNL_CHAIN_TABLE));
		snprintf(nc->name, sizeof(nc->name), "%s", nftnl_chain_get_str(c, NFTNL_CHAIN_NAME));
		nc->base = nftnl_chain_is_set(c, NFTNL_CHAIN_HOOKNUM);
		nc->hook = nc->base ? nftnl_chain_get_u32(c, NFTNL_CHAIN_HOOKNUM) : 0;
		nc->drop = nftnl_chain_is_set(c, NFTNL_CHAIN_POLICY) &&
			   nftnl_chain_get_u32(c, NFTNL_CHAIN_POLICY) == NF_DROP;
	}
	nftnl_chain_free(c);
	return MNL_CB_OK;
}

static int rule_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct nft_view *v = arg;
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct nft_rule *nr;

	if (!r || nftnl_rule_nlmsg_parse(nlh, r) < 0) {
		nftnl_rule_free(r);
		return MNL_CB_OK;
	}
	nr = view_grow((void **)&v->rules, &v->n_rules, sizeof(*nr), &v->nomem);
	if (nr) {
		nr->family = nftnl_rule_get_u32(r, NFTNL_RULE_FAMILY);
		snprintf(nr->table, sizeof(nr->table), "%s", nftnl_rule_get_str(r, NFTNL_RULE_TABLE));
		snprintf(nr->chain, sizeof(nr->chain), "%s", nftnl_rule_get_str(r, NFTNL_RULE_CHAIN));
		nr->handle = nftnl_rule_get_u64(r, NFTNL_RULE_HANDLE);
		fw_nft_rule_comment(r, nr->comment, sizeof(nr->comment));
		fw_nft_rule_text(r, nr->text, sizeof(nr->text));
	}
	nftnl_rule_free(r);
	return MNL_CB_OK;
}

static int dump(struct nl *nl, uint16_t type, mnl_cb_t cb, struct nft_view *v)
{
	char buf[MNL_SOCKET_BUFFER_SIZE * 4];
	struct nlmsghdr *nlh;
	uint32_t seq = ++nl->seq;
	int ret;

	nlh = nftnl_nlmsg_build_hdr(buf, type, NFPROTO_UNSPEC, NLM_F_DUMP, seq);
	if (mnl_socket_sendto(nl->s, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		ret = mnl_socket_recvfrom(nl->s, buf, sizeof(buf));
		if (ret <= 0)
			break;
		ret = mnl_cb_run(buf, ret, seq, nl->portid, cb, v);
	} while (ret > 0);
	return ret < 0 ? -errno : 0;
}

static void view_free(struct nft_view *v)
{
	free(v->chains);
	free(v->rules);
	memset(v, 0, sizeof(*v));
}

/* Chains and rules of every table, consistent with each other: a change
 * between the two dumps (EINTR, the ruleset's generation moved) reads again. */
static int view_read(struct nl *nl, struct nft_view *v)
{
	int ret = -EINTR;

	for (int i = 0; i < DUMP_TRIES && ret == -EINTR; i++) {
		view_free(v);
		ret = dump(nl, NFT_MSG_GETCHAIN, chain_cb, v);
		if (ret == 0)
			ret = dump(nl, NFT_MSG_GETRULE, rule_cb, v);
	}
	if (ret == 0 && v->nomem)
		ret = -ENOMEM;
	if (ret == -EPERM)
		err_set("nftables: reading the ruleset needs root (CAP_NET_ADMIN)");
	else if (ret < 0)
		err_set("nftables: cannot read the ruleset: %s", strerror(-ret));
	return ret;
}

static const struct nft_chain *view_chain(const struct nft_view *v, uint32_t family,
					  const char *table, const char *name)
{
	for (size_t i = 0; i < v->n_chains; i++)
		if (v->chains[i].family == family && !strcmp(v->chains[i].table, table) &&
		    !strcmp(v->chains[i].name, name))
			return &v->chains[i];
	return NULL;
}

static bool view_has_rule(const struct nft_view *v, uint32_t family, const char *table,
			  const char *chain, const char *text)
{
	for (size_t i = 0; i < v->n_rules; i++) {
		const struct nft_rule *r = &v->rules[i];

		if (r->family == family && !strcmp(r->table, table) && !strcmp(r->chain, chain) &&
		    !strcmp(r->text, text))
			return true;
	}
	return false;
}

static bool own_table_name(const char *table)
{
	return !strncmp(table, FW_NFT_TABLE_PREFIX, sizeof(FW_NFT_TABLE_PREFIX) - 1);
}

static bool is_ipt_filter(const struct nft_chain *c)
{
	return c->family == NFPROTO_IPV4 && !strcmp(c->table, FILTER_TABLE);
}

/* The chain a guard for the drop of base chain c goes in: Docker's
 * DOCKER-USER when c is iptables-nft's FORWARD and it exists (Docker's own
 * rules after it drop otherwise), else c itself. */
static const char *guard_chain(const struct nft_view *v, const struct nft_chain *c)
{
	if (is_ipt_filter(c) && !strcmp(c->name, FORWARD_CHAIN) &&
	    view_chain(v, c->family, c->table, DOCKER_CHAIN))
		return DOCKER_CHAIN;
	return c->name;
}

/* A forward hook's base chain whose policy drops what nobody accepted (not
 * ovslab's own tables, and only families IPv4 goes through). */
static bool drop_chain(const struct nft_chain *c)
{
	return c->base && c->drop && c->hook == NF_INET_FORWARD &&
	       (c->family == NFPROTO_IPV4 || c->family == NFPROTO_INET) && !own_table_name(c->table);
}

/* ---- the transaction ----------------------------------------------------- */

struct batch {
	struct nftnl_batch *b;
	struct nl *nl;
	uint32_t first_seq;
	size_t n;        /* messages between begin and end */
};

static int batch_start(struct batch *bt, struct nl *nl)
{
	bt->nl = nl;
	bt->n = 0;
	bt->b = nftnl_batch_alloc(MNL_SOCKET_BUFFER_SIZE, MNL_SOCKET_BUFFER_SIZE);
	if (!bt->b)
		return -ENOMEM;
	memset(nftnl_batch_buffer(bt->b), 0, MNL_SOCKET_BUFFER_SIZE);
	nftnl_batch_begin(nftnl_batch_buffer(bt->b), ++nl->seq);
	nftnl_batch_update(bt->b);
	bt->first_seq = nl->seq + 1;
	return 0;
}

static struct nlmsghdr *batch_msg(struct batch *bt, uint16_t type, uint16_t family,
				  uint16_t flags)
{
	/* libnftnl leaves some bytes of what it builds unwritten (valgrind saw
	 * uninitialised bytes sent by sendmsg); a message starts where a page
	 * of the batch still has at least its overrun room, one socket buffer,
	 * so clearing that much before each message sends no stale bytes. */
	memset(nftnl_batch_buffer(bt->b), 0, MNL_SOCKET_BUFFER_SIZE);
	bt->n++;
	return nftnl_nlmsg_build_hdr(nftnl_batch_buffer(bt->b), type, family,
				     flags | NLM_F_ACK, ++bt->nl->seq);
}

static void batch_rule(struct batch *bt, uint16_t type, uint16_t flags, struct nftnl_rule *r)
{
	struct nlmsghdr *nlh = batch_msg(bt, type, nftnl_rule_get_u32(r, NFTNL_RULE_FAMILY), flags);

	nftnl_rule_nlmsg_build_payload(nlh, r);
	nftnl_batch_update(bt->b);
}

/* Sends the transaction and reads one answer per message: the kernel applies
 * all of it or, at the first error, nothing. */
static int batch_commit(struct batch *bt)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	size_t acks = 0;
	int ret = 0;

	memset(nftnl_batch_buffer(bt->b), 0, MNL_SOCKET_BUFFER_SIZE);
	nftnl_batch_end(nftnl_batch_buffer(bt->b), ++bt->nl->seq);
	nftnl_batch_update(bt->b);
	if (!bt->n)
		goto out;
	{
		int iovlen = nftnl_batch_iovec_len(bt->b);
		struct iovec iov[iovlen];
		struct sockaddr_nl snl = { .nl_family = AF_NETLINK };
		struct msghdr msg = { .msg_name = &snl, .msg_namelen = sizeof(snl),
				      .msg_iov = iov, .msg_iovlen = (size_t)iovlen };

		nftnl_batch_iovec(bt->b, iov, (uint32_t)iovlen);
		if (sendmsg(mnl_socket_get_fd(bt->nl->s), &msg, 0) < 0) {
			ret = -errno;
			goto out;
		}
	}
	while (acks < bt->n) {
		int n = (int)mnl_socket_recvfrom(bt->nl->s, buf, sizeof(buf));
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;

		if (n < 0) {
			ret = -errno;
			goto out;
		}
		for (; mnl_nlmsg_ok(nlh, n); nlh = mnl_nlmsg_next(nlh, &n)) {
			const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);

			if (nlh->nlmsg_type != NLMSG_ERROR)
				continue;
			if (e->error) {
				ret = e->error;
				goto out;
			}
			acks++;
		}
	}
out:
	nftnl_batch_free(bt->b);
	bt->b = NULL;
	return ret;
}

static void batch_table(struct batch *bt, uint16_t type, uint16_t flags, const char *name)
{
	struct nftnl_table *t = nftnl_table_alloc();
	struct nlmsghdr *nlh;

	if (!t)
		return;
	nftnl_table_set_u32(t, NFTNL_TABLE_FAMILY, NFPROTO_IPV4);
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, name);
	nlh = batch_msg(bt, type, NFPROTO_IPV4, flags);
	nftnl_table_nlmsg_build_payload(nlh, t);
	nftnl_batch_update(bt->b);
	nftnl_table_free(t);
}

static void batch_base_chain(struct batch *bt, const char *table, const char *name,
			     const char *type, uint32_t hook, int prio)
{
	struct nftnl_chain *c = nftnl_chain_alloc();
	struct nlmsghdr *nlh;

	if (!c)
		return;
	nftnl_chain_set_u32(c, NFTNL_CHAIN_FAMILY, NFPROTO_IPV4);
	nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, table);
	nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, name);
	nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, type);
	nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, hook);
	nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, prio);
	nftnl_chain_set_u32(c, NFTNL_CHAIN_POLICY, NF_ACCEPT);
	nlh = batch_msg(bt, NFT_MSG_NEWCHAIN, NFPROTO_IPV4, NLM_F_CREATE);
	nftnl_chain_nlmsg_build_payload(nlh, c);
	nftnl_batch_update(bt->b);
	nftnl_chain_free(c);
}

/* Adds r unless the view shows it there already; takes r. */
static int batch_rule_once(struct batch *bt, const struct nft_view *v, struct nftnl_rule *r,
			   bool append)
{
	char text[TEXT_MAX];

	if (!r)
		return -errno;
	fw_nft_rule_text(r, text, sizeof(text));
	if (!view_has_rule(v, nftnl_rule_get_u32(r, NFTNL_RULE_FAMILY),
			   nftnl_rule_get_str(r, NFTNL_RULE_TABLE),
			   nftnl_rule_get_str(r, NFTNL_RULE_CHAIN), text))
		/* Without NLM_F_APPEND a rule goes first in its chain. */
		batch_rule(bt, NFT_MSG_NEWRULE, NLM_F_CREATE | (append ? NLM_F_APPEND : 0), r);
	nftnl_rule_free(r);
	return 0;
}

int fw_nft_add(const char *lab, const char *bridge, const struct lab_addr *gw,
	       const char *uplink, bool guards_only)
{
	struct nft_view v = { 0 };
	struct batch bt = { 0 };
	struct nl nl = { 0 };
	char table[NAME_MAX_LEN];
	int ret;

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
	own_table(lab, table, sizeof(table));
	ret = nl_open(&nl);
	if (ret == 0)
		ret = view_read(&nl, &v);
	if (ret == 0)
		ret = batch_start(&bt, &nl);
	if (ret < 0)
		goto out;
	if (!guards_only) {
		batch_table(&bt, NFT_MSG_NEWTABLE, NLM_F_CREATE, table);
		batch_base_chain(&bt, table, OWN_NAT_CHAIN, "nat", NF_INET_POST_ROUTING,
				 NF_IP_PRI_NAT_SRC);
		batch_base_chain(&bt, table, OWN_FWD_CHAIN, "filter", NF_INET_FORWARD,
				 NF_IP_PRI_FILTER);
		ret = batch_rule_once(&bt, &v, fw_nft_rule_masquerade(lab, table, OWN_NAT_CHAIN, gw,
								      uplink), true);
		for (int back = 0; ret == 0 && back < 2; back++)
			ret = batch_rule_once(&bt, &v, fw_nft_rule_forward(lab, table, OWN_FWD_CHAIN,
									    bridge, gw, uplink,
									    back, false), true);
	}
	for (size_t i = 0; ret == 0 && i < v.n_chains; i++) {
		const struct nft_chain *c = &v.chains[i];
		const char *into;

		if (!drop_chain(c))
			continue;
		into = guard_chain(&v, c);
		/* An inet table gets native expressions: iptables-nft never reads it. */
		for (int back = 0; ret == 0 && back < 2; back++) {
			struct nftnl_rule *r = rule_forward(c->family, lab, c->table, into, bridge,
							    gw, uplink, back, is_ipt_filter(c));

			ret = batch_rule_once(&bt, &v, r, false);
		}
	}
	if (ret == 0)
		ret = batch_commit(&bt);
	if (ret < 0)
		err_set("bridge %s: cannot add the nftables rules of lab %s: %s", bridge, lab,
			strerror(-ret));
out:
	if (bt.b)
		nftnl_batch_free(bt.b);
	view_free(&v);
	nl_close(&nl);
	return ret;
}

static bool comment_is(const char *comment, const char *lab)
{
	return !strncmp(comment, FW_COMMENT_PREFIX, sizeof(FW_COMMENT_PREFIX) - 1) &&
	       !strcmp(comment + sizeof(FW_COMMENT_PREFIX) - 1, lab);
}

int fw_nft_remove(const char *lab)
{
	struct nft_view v = { 0 };
	struct batch bt = { 0 };
	struct nl nl = { 0 };
	char table[NAME_MAX_LEN];
	bool own = false;
	int ret, n = 0;

	if (!lab_ok(lab)) {
		ret = -EINVAL;
		err_set("lab \"%s\": invalid name for nftables rules", lab ? lab : "");
		goto out;
	}
	own_table(lab, table, sizeof(table));
	ret = nl_open(&nl);
	if (ret == 0)
		ret = view_read(&nl, &v);
	if (ret == 0)
		ret = batch_start(&bt, &nl);
	if (ret < 0)
		goto out;
	for (size_t i = 0; i < v.n_chains; i++)
		own |= v.chains[i].family == NFPROTO_IPV4 && !strcmp(v.chains[i].table, table);
	for (size_t i = 0; i < v.n_rules; i++) {
		const struct nft_rule *r = &v.rules[i];
		struct nftnl_rule *d;

		if (r->family == NFPROTO_IPV4 && !strcmp(r->table, table)) {
			n++; /* goes with its table */
			continue;
		}
		if (!comment_is(r->comment, lab))
			continue;
		d = rule_new(r->family, r->table, r->chain);
		if (!d) {
			ret = -ENOMEM;
			goto out;
		}
		nftnl_rule_set_u64(d, NFTNL_RULE_HANDLE, r->handle);
		batch_rule(&bt, NFT_MSG_DELRULE, 0, d);
		nftnl_rule_free(d);
		n++;
	}
	if (own)
		batch_table(&bt, NFT_MSG_DELTABLE, 0, table);
	ret = batch_commit(&bt);
	if (ret < 0) {
		err_set("lab %s: cannot delete its nftables rules: %s", lab, strerror(-ret));
		goto out;
	}
	ret = n;
out:
	if (bt.b)
		nftnl_batch_free(bt.b);
	view_free(&v);
	nl_close(&nl);
	return ret;
}

int fw_nft_lab_names(struct strset *ln)
{
	struct nft_view v = { 0 };
	struct nl nl = { 0 };
	int ret;

	ret = nl_open(&nl);
	if (ret == 0)
		ret = view_read(&nl, &v);
	for (size_t i = 0; ret == 0 && i < v.n_chains; i++)
		if (v.chains[i].family == NFPROTO_IPV4 && own_table_name(v.chains[i].table))
			ret = strset_add(ln, v.chains[i].table + sizeof(FW_NFT_TABLE_PREFIX) - 1);
	for (size_t i = 0; ret == 0 && i < v.n_rules; i++) {
		const char *c = v.rules[i].comment;

		if (!strncmp(c, FW_COMMENT_PREFIX, sizeof(FW_COMMENT_PREFIX) - 1))
			ret = strset_add(ln, c + sizeof(FW_COMMENT_PREFIX) - 1);
	}
	view_free(&v);
	nl_close(&nl);
	return ret;
}

static const char *family_name(uint32_t f)
{
	return f == NFPROTO_IPV4 ? "ip" : f == NFPROTO_INET ? "inet" : f == NFPROTO_IPV6 ? "ip6"
											 : "?";
}

int fw_nft_list(const char *lab, fw_rule_fn *fn, void *arg)
{
	struct nft_view v = { 0 };
	struct nl nl = { 0 };
	char table[NAME_MAX_LEN], where[NAME_MAX_LEN + 8], line[TEXT_MAX + NAME_MAX_LEN + 16];
	int ret;

	if (!lab_ok(lab)) {
		ret = -EINVAL;
		err_set("lab \"%s\": invalid name for nftables rules", lab ? lab : "");
		goto out;
	}
	own_table(lab, table, sizeof(table));
	ret = nl_open(&nl);
	if (ret == 0)
		ret = view_read(&nl, &v);
	for (size_t i = 0; ret == 0 && i < v.n_rules; i++) {
		const struct nft_rule *r = &v.rules[i];

		if (!comment_is(r->comment, lab) &&
		    !(r->family == NFPROTO_IPV4 && !strcmp(r->table, table)))
			continue;
		snprintf(where, sizeof(where), "%s %s", family_name(r->family), r->table);
		snprintf(line, sizeof(line), "chain %s: %s", r->chain, r->text);
		fn(where, line, arg);
	}
out:
	view_free(&v);
	nl_close(&nl);
	return ret;
}

int fw_nft_seen(struct fw_nft_seen *s)
{
	struct nft_view v = { 0 };
	struct nl nl = { 0 };
	int ret;

	memset(s, 0, sizeof(*s));
	ret = nl_open(&nl);
	if (ret == 0)
		ret = view_read(&nl, &v);
	if (ret < 0)
		goto out;
	for (size_t i = 0; i < v.n_rules; i++) {
		const struct nft_rule *r = &v.rules[i];

		s->rules++;
		s->ipt_rules |= r->family == NFPROTO_IPV4 &&
				(!strcmp(r->table, FILTER_TABLE) || !strcmp(r->table, "nat"));
	}
	for (size_t i = 0; i < v.n_chains; i++) {
		s->docker |= is_ipt_filter(&v.chains[i]) && !strcmp(v.chains[i].name, DOCKER_CHAIN);
		if (drop_chain(&v.chains[i])) {
			s->forward_drop = true;
			s->drop_chains++;
		}
	}
out:
	view_free(&v);
	nl_close(&nl);
	return ret;
}
