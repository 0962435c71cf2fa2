/* The NAT rules as libiptc entries, checked field by field without root. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <libiptc/libiptc.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/xt_comment.h>
#include <linux/netfilter/xt_conntrack.h>
#include <stdlib.h>
#include <string.h>

#include "firewall/iptc.h"

#define MATCH_COMMENT_SZ XT_ALIGN(sizeof(struct xt_entry_match) + sizeof(struct xt_comment_info))
#define MATCH_CT_SZ XT_ALIGN(sizeof(struct xt_entry_match) + sizeof(struct xt_conntrack_mtinfo3))
#define TARGET_MASQ_SZ \
	XT_ALIGN(sizeof(struct xt_entry_target) + sizeof(struct nf_nat_ipv4_multi_range_compat))
#define TARGET_STD_SZ XT_ALIGN(sizeof(struct xt_standard_target))

static struct lab_addr gw4(const char *addr, uint8_t prefix)
{
	struct lab_addr a = { .family = AF_INET, .prefix = prefix };

	cr_assert_eq(inet_pton(AF_INET, addr, &a.v4), 1);
	return a;
}

static const struct xt_entry_match *match_at(const struct ipt_entry *e, size_t off)
{
	return (const struct xt_entry_match *)((const char *)e + off);
}

static const struct xt_entry_target *target_of(const struct ipt_entry *e)
{
	return (const struct xt_entry_target *)((const char *)e + e->target_offset);
}

/* The name is exact: the mask covers it and its NUL, nothing more. */
static void assert_iface(const char *name, const unsigned char *mask, const char *want)
{
	size_t n = strlen(want);

	cr_assert_str_eq(name, want);
	for (size_t i = 0; i < IFNAMSIZ; i++)
		cr_assert_eq(mask[i], i <= n ? 0xff : 0, "mask byte %zu of %s", i, want);
}

static void assert_empty_iface(const char *name, const unsigned char *mask)
{
	for (size_t i = 0; i < IFNAMSIZ; i++) {
		cr_assert_eq(name[i], 0);
		cr_assert_eq(mask[i], 0);
	}
}

static void assert_comment(const struct xt_entry_match *m, const char *want)
{
	cr_assert_eq(m->u.match_size, MATCH_COMMENT_SZ);
	cr_assert_str_eq(m->u.user.name, "comment");
	cr_assert_eq(m->u.user.revision, 0);
	cr_assert_str_eq(((const struct xt_comment_info *)m->data)->comment, want);
}

Test(nat_rules, masquerade)
{
	struct lab_addr gw = gw4("192.168.100.254", 24);
	struct ipt_entry *e = fw_iptc_rule_masquerade("seed", &gw, "eth0");
	const struct xt_entry_target *t;
	const struct nf_nat_ipv4_multi_range_compat *r;
	size_t off = sizeof(struct ipt_entry);

	cr_assert_not_null(e);
	cr_assert_str_eq(inet_ntoa(e->ip.src), "192.168.100.0");
	cr_assert_str_eq(inet_ntoa(e->ip.smsk), "255.255.255.0");
	cr_assert_eq(e->ip.dst.s_addr, 0);
	cr_assert_eq(e->ip.dmsk.s_addr, 0);
	cr_assert_eq(e->ip.proto, 0);
	cr_assert_eq(e->ip.invflags, 0);
	assert_iface(e->ip.outiface, e->ip.outiface_mask, "eth0");
	assert_empty_iface(e->ip.iniface, e->ip.iniface_mask);

	assert_comment(match_at(e, off), "ovslab:seed");
	off += MATCH_COMMENT_SZ;
	cr_assert_eq(e->target_offset, off);
	cr_assert_eq(e->next_offset, off + TARGET_MASQ_SZ);

	t = target_of(e);
	cr_assert_str_eq(t->u.user.name, "MASQUERADE");
	cr_assert_eq(t->u.user.revision, 0);
	cr_assert_eq(t->u.user.target_size, TARGET_MASQ_SZ);
	r = (const void *)t->data;
	cr_assert_eq(r->rangesize, 1);
	cr_assert_eq(r->range[0].flags, 0);

	cr_assert_str_eq(fw_iptc_rule_comment(e), "ovslab:seed");
	cr_assert_eq(e->counters.pcnt, 0);
	free(e);
}

Test(nat_rules, masquerade_other_prefixes)
{
	struct lab_addr gw = gw4("10.1.2.3", 8);
	struct ipt_entry *e = fw_iptc_rule_masquerade("x", &gw, "wan0");

	cr_assert_not_null(e);
	cr_assert_str_eq(inet_ntoa(e->ip.src), "10.0.0.0");
	cr_assert_str_eq(inet_ntoa(e->ip.smsk), "255.0.0.0");
	free(e);

	gw = gw4("10.1.2.3", 32);
	e = fw_iptc_rule_masquerade("x", &gw, "wan0");
	cr_assert_not_null(e);
	cr_assert_str_eq(inet_ntoa(e->ip.src), "10.1.2.3");
	cr_assert_str_eq(inet_ntoa(e->ip.smsk), "255.255.255.255");
	free(e);

	gw = gw4("10.1.2.3", 0);
	e = fw_iptc_rule_masquerade("x", &gw, "wan0");
	cr_assert_not_null(e);
	cr_assert_eq(e->ip.src.s_addr, 0);
	cr_assert_eq(e->ip.smsk.s_addr, 0);
	free(e);
}

Test(nat_rules, forward_out)
{
	struct lab_addr gw = gw4("192.168.100.254", 24);
	struct ipt_entry *e = fw_iptc_rule_forward_out("seed", "br0", &gw, "eth0");
	const struct xt_entry_target *t;
	size_t off = sizeof(struct ipt_entry);

	cr_assert_not_null(e);
	/* Only the lab's subnet: -s 192.168.100.0/24, any destination. */
	cr_assert_eq(e->ip.src.s_addr, htonl(0xc0a86400));
	cr_assert_eq(e->ip.smsk.s_addr, htonl(0xffffff00));
	cr_assert_eq(e->ip.dst.s_addr, 0);
	cr_assert_eq(e->ip.dmsk.s_addr, 0);
	assert_iface(e->ip.iniface, e->ip.iniface_mask, "br0");
	assert_iface(e->ip.outiface, e->ip.outiface_mask, "eth0");

	assert_comment(match_at(e, off), "ovslab:seed");
	off += MATCH_COMMENT_SZ;
	cr_assert_eq(e->target_offset, off);
	cr_assert_eq(e->next_offset, off + TARGET_STD_SZ);

	t = target_of(e);
	cr_assert_str_eq(t->u.user.name, "ACCEPT");
	cr_assert_eq(t->u.user.target_size, TARGET_STD_SZ);
	cr_assert_str_eq(fw_iptc_rule_comment(e), "ovslab:seed");
	free(e);
}

Test(nat_rules, forward_back)
{
	struct lab_addr gw = gw4("192.168.100.254", 24);
	struct ipt_entry *e = fw_iptc_rule_forward_back("seed", "br0", &gw, "eth0");
	const struct xt_conntrack_mtinfo3 *ct;
	const struct xt_entry_match *m;
	size_t off = sizeof(struct ipt_entry);

	cr_assert_not_null(e);
	/* Replies to the lab's subnet only: -d 192.168.100.0/24. */
	cr_assert_eq(e->ip.dst.s_addr, htonl(0xc0a86400));
	cr_assert_eq(e->ip.dmsk.s_addr, htonl(0xffffff00));
	cr_assert_eq(e->ip.src.s_addr, 0);
	assert_iface(e->ip.iniface, e->ip.iniface_mask, "eth0");
	assert_iface(e->ip.outiface, e->ip.outiface_mask, "br0");

	m = match_at(e, off);
	cr_assert_str_eq(m->u.user.name, "conntrack");
	cr_assert_eq(m->u.user.revision, 3);
	cr_assert_eq(m->u.match_size, MATCH_CT_SZ);
	ct = (const void *)m->data;
	cr_assert_eq(ct->match_flags, XT_CONNTRACK_STATE);
	cr_assert_eq(ct->invert_flags, 0);
	cr_assert_eq(ct->state_mask,
		     XT_CONNTRACK_STATE_BIT(IP_CT_RELATED) | XT_CONNTRACK_STATE_BIT(IP_CT_ESTABLISHED));
	cr_assert_eq(ct->state_mask, (1 << 2) | (1 << 1));
	off += MATCH_CT_SZ;

	assert_comment(match_at(e, off), "ovslab:seed");
	off += MATCH_COMMENT_SZ;
	cr_assert_eq(e->target_offset, off);
	cr_assert_eq(e->next_offset, off + TARGET_STD_SZ);
	cr_assert_str_eq(target_of(e)->u.user.name, "ACCEPT");
	cr_assert_str_eq(fw_iptc_rule_comment(e), "ovslab:seed");
	free(e);
}

Test(nat_rules, offsets_are_aligned)
{
	struct lab_addr gw = gw4("192.168.100.254", 24);
	struct ipt_entry *e[3] = {
		fw_iptc_rule_masquerade("seed", &gw, "eth0"),
		fw_iptc_rule_forward_out("seed", "br0", &gw, "eth0"),
		fw_iptc_rule_forward_back("seed", "br0", &gw, "eth0"),
	};

	for (int i = 0; i < 3; i++) {
		cr_assert_not_null(e[i]);
		cr_assert_eq(e[i]->target_offset % XT_ALIGN(1), 0);
		cr_assert_eq(e[i]->next_offset % XT_ALIGN(1), 0);
		cr_assert_gt(e[i]->next_offset, e[i]->target_offset);
		cr_assert_eq(e[i]->next_offset - e[i]->target_offset,
			     target_of(e[i])->u.user.target_size);
		free(e[i]);
	}
}

Test(nat_rules, comment_of_foreign_entry)
{
	size_t msz = MATCH_COMMENT_SZ;
	struct ipt_entry *e = calloc(1, sizeof(*e) + msz + TARGET_STD_SZ);
	struct xt_entry_match *m = (struct xt_entry_match *)e->elems;

	cr_assert_not_null(e);
	/* No match at all. */
	e->target_offset = sizeof(*e);
	e->next_offset = sizeof(*e) + TARGET_STD_SZ;
	cr_assert_null(fw_iptc_rule_comment(e));

	/* A comment that is not ours. */
	m->u.user.match_size = msz;
	strcpy(m->u.user.name, "comment");
	strcpy(((struct xt_comment_info *)m->data)->comment, "docker rule");
	e->target_offset = sizeof(*e) + msz;
	e->next_offset = e->target_offset + TARGET_STD_SZ;
	cr_assert_null(fw_iptc_rule_comment(e));

	strcpy(((struct xt_comment_info *)m->data)->comment, "ovslab:other");
	cr_assert_str_eq(fw_iptc_rule_comment(e), "ovslab:other");
	free(e);
}

Test(nat_rules, bad_input)
{
	struct lab_addr gw = gw4("192.168.100.254", 24);
	struct lab_addr v6 = { .family = AF_INET6, .prefix = 64 };
	char long_lab[300];

	memset(long_lab, 'a', sizeof(long_lab) - 1);
	long_lab[sizeof(long_lab) - 1] = '\0';

	errno = 0;
	cr_assert_null(fw_iptc_rule_masquerade("seed", &v6, "eth0"));
	cr_assert_eq(errno, EINVAL);
	cr_assert_null(fw_iptc_rule_masquerade("seed", &gw, "an-uplink-name-too-long"));
	cr_assert_null(fw_iptc_rule_masquerade("", &gw, "eth0"));
	cr_assert_null(fw_iptc_rule_masquerade(long_lab, &gw, "eth0"));
	cr_assert_null(fw_iptc_rule_forward_out("seed", "", &gw, "eth0"));
	cr_assert_null(fw_iptc_rule_forward_back("seed", "br0", &gw, NULL));
	cr_assert_null(fw_iptc_rule_forward_out("seed", "br0", &v6, "eth0"));
}
