/* The nftables backend (libnftnl over libmnl): the lab's own table
 * `ip ovslab-LAB` (MASQUERADE at postrouting, its FORWARD accepts at forward)
 * and, in every forward chain that drops, the two accepts again, written the
 * way iptables-nft writes them so `iptables -S` lists them. */
#ifndef OVSLAB_FW_NFT_H
#define OVSLAB_FW_NFT_H

#include <stdbool.h>
#include <stddef.h>

#include "firewall/firewall.h"
#include "model/lab.h"
#include "util/strset.h"

#define FW_NFT_TABLE_PREFIX "ovslab-"

/* The lab's rules for one NAT bridge: with guards_only, only the accepts in
 * chains that drop (the lab's main rules live in legacy xtables then).
 * Everything in one netlink transaction.  Idempotent. */
int fw_nft_add(const char *lab, const char *bridge, const struct lab_addr *gw,
	       const char *uplink, bool guards_only);
/* Deletes the lab's table and every rule with the comment ovslab:LAB, in
 * one transaction; returns how many objects went, or -errno. */
int fw_nft_remove(const char *lab);
int fw_nft_lab_names(struct strset *ln);
/* table: "FAMILY TABLE"; rule: "chain CHAIN: RULE" in nft's syntax. */
int fw_nft_list(const char *lab, fw_rule_fn *fn, void *arg);

/* What nf_tables holds: rules at all, filter/nat tables of iptables-nft
 * with rules, a forward base chain with policy drop (other than ovslab's),
 * a chain DOCKER-USER.  -errno (-EPERM without root). */
struct fw_nft_seen {
	size_t rules;
	bool ipt_rules;
	bool forward_drop;
	bool docker;
	size_t drop_chains;   /* chains a guard goes in */
};
int fw_nft_seen(struct fw_nft_seen *s);

/* Rule building, without the kernel (tests).  compat: iptables-nft's form
 * (xt conntrack match) for chains of `ip filter`, else native expressions.
 * NULL with errno EINVAL (bad name, non-IPv4 gateway) or ENOMEM. */
struct nftnl_rule;
struct nftnl_rule *fw_nft_rule_masquerade(const char *lab, const char *table,
					  const char *chain, const struct lab_addr *gw,
					  const char *uplink);
struct nftnl_rule *fw_nft_rule_forward(const char *lab, const char *table, const char *chain,
				       const char *bridge, const struct lab_addr *gw,
				       const char *uplink, bool back, bool compat);
/* The rule in nft's syntax (without counters' values), for show and to find
 * a rule already present. */
void fw_nft_rule_text(struct nftnl_rule *r, char *buf, size_t len);
/* The rule's comment, "" when it has none. */
void fw_nft_rule_comment(struct nftnl_rule *r, char *buf, size_t len);

#endif
