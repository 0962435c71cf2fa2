/* The nftables backend's rules as libnftnl objects, built without the kernel:
 * their expressions (the form iptables-nft can list) and their text. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <linux/netfilter.h>
#include <string.h>

#include "firewall/nft.h"

static struct lab_addr gw4(const char *a, unsigned prefix)
{
	struct lab_addr g = { .family = AF_INET, .prefix = prefix };

	inet_pton(AF_INET, a, &g.v4);
	return g;
}

static int names_cb(struct nftnl_expr *e, void *arg)
{
	char *s = arg;

	strcat(s, nftnl_expr_get_str(e, NFTNL_EXPR_NAME));
	strcat(s, " ");
	return 0;
}

static void names(struct nftnl_rule *r, char *buf)
{
	buf[0] = '\0';
	nftnl_expr_foreach(r, names_cb, buf);
}

Test(nft_rules, masquerade)
{
	struct lab_addr gw = gw4("192.168.100.254", 24);
	struct nftnl_rule *r = fw_nft_rule_masquerade("seed", "ovslab-seed", "postrouting", &gw,
						      "eth0");
	char text[1024], ex[256], c[64];

	cr_assert_not_null(r);
	cr_assert_eq(nftnl_rule_get_u32(r, NFTNL_RULE_FAMILY), NFPROTO_IPV4);
	cr_assert_str_eq(nftnl_rule_get_str(r, NFTNL_RULE_TABLE), "ovslab-seed");
	cr_assert_str_eq(nftnl_rule_get_str(r, NFTNL_RULE_CHAIN), "postrouting");
	names(r, ex);
	/* A /24 is 3 bytes of the source address compared, as iptables-nft does. */
	cr_assert_str_eq(ex, "meta cmp payload cmp counter masq ");
	fw_nft_rule_text(r, text, sizeof(text));
	cr_assert_str_eq(text, "oifname \"eth0\" ip saddr 192.168.100.0/24 counter masquerade "
			       "comment \"ovslab:seed\"");
	fw_nft_rule_comment(r, c, sizeof(c));
	cr_assert_str_eq(c, "ovslab:seed");
	nftnl_rule_free(r);
}

Test(nft_rules, odd_prefix_uses_a_mask)
{
	struct lab_addr gw = gw4("10.1.2.3", 20);
	struct nftnl_rule *r = fw_nft_rule_masquerade("x", "t", "c", &gw, "up0");
	char text[1024], ex[256];

	cr_assert_not_null(r);
	names(r, ex);
	cr_assert_str_eq(ex, "meta cmp payload bitwise cmp counter masq ");
	fw_nft_rule_text(r, text, sizeof(text));
	cr_assert_str_eq(text, "oifname \"up0\" ip saddr 10.1.0.0/20 counter masquerade "
			       "comment \"ovslab:x\"");
	nftnl_rule_free(r);
}

Test(nft_rules, forward_out)
{
	struct lab_addr gw = gw4("192.168.100.254", 24);
	struct nftnl_rule *r = fw_nft_rule_forward("seed", "filter", "DOCKER-USER", "br0", &gw,
						   "eth0", false, true);
	char text[1024], ex[256];

	cr_assert_not_null(r);
	names(r, ex);
	cr_assert_str_eq(ex, "meta cmp meta cmp payload cmp counter immediate ");
	fw_nft_rule_text(r, text, sizeof(text));
	cr_assert_str_eq(text, "iifname \"br0\" oifname \"eth0\" ip saddr 192.168.100.0/24 "
			       "counter accept comment \"ovslab:seed\"");
	nftnl_rule_free(r);
}

/* In a chain iptables-nft reads, the reply state is its xt conntrack match
 * (native ct state makes `iptables -S` refuse the whole table). */
Test(nft_rules, forward_back_compat_and_native)
{
	struct lab_addr gw = gw4("192.168.100.254", 24);
	struct nftnl_rule *r = fw_nft_rule_forward("seed", "filter", "FORWARD", "br0", &gw,
						   "eth0", true, true);
	char text[1024], ex[256];

	cr_assert_not_null(r);
	names(r, ex);
	cr_assert_str_eq(ex, "meta cmp meta cmp payload cmp match counter immediate ");
	fw_nft_rule_text(r, text, sizeof(text));
	cr_assert_str_eq(text, "iifname \"eth0\" oifname \"br0\" ip daddr 192.168.100.0/24 "
			       "xt conntrack ctstate established,related counter accept "
			       "comment \"ovslab:seed\"");
	nftnl_rule_free(r);

	r = fw_nft_rule_forward("seed", "ovslab-seed", "forward", "br0", &gw, "eth0", true, false);
	cr_assert_not_null(r);
	names(r, ex);
	cr_assert_str_eq(ex, "meta cmp meta cmp payload cmp ct bitwise cmp counter immediate ");
	fw_nft_rule_text(r, text, sizeof(text));
	cr_assert_str_eq(text, "iifname \"eth0\" oifname \"br0\" ip daddr 192.168.100.0/24 "
			       "ct state established,related counter accept comment \"ovslab:seed\"");
	nftnl_rule_free(r);
}

Test(nft_rules, refuses_bad_input)
{
	struct lab_addr gw = gw4("192.168.100.254", 24);
	struct lab_addr v6 = { .family = AF_INET6, .prefix = 64 };

	errno = 0;
	cr_assert_null(fw_nft_rule_masquerade("seed", "t", "c", &v6, "eth0"));
	cr_assert_eq(errno, EINVAL);
	cr_assert_null(fw_nft_rule_masquerade("", "t", "c", &gw, "eth0"));
	cr_assert_null(fw_nft_rule_masquerade("seed", "t", "c", &gw, "an-uplink-name-too-long"));
	cr_assert_null(fw_nft_rule_forward("seed", "t", "c", "", &gw, "eth0", false, true));
	cr_assert_null(fw_nft_rule_forward("seed", "t", "c", "br0", &gw, NULL, true, false));
}
