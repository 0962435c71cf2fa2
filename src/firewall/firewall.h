/* The lab's NAT and FORWARD rules, whichever packet filter the machine uses:
 * legacy xtables through libiptc (iptc.c) or nftables through libnftnl
 * (nft.c).  Every rule carries the comment "ovslab:LAB" (nftables: also the
 * table ovslab-LAB) and only such rules are ever deleted. */
#ifndef OVSLAB_FIREWALL_H
#define OVSLAB_FIREWALL_H

#include <stdbool.h>
#include <stddef.h>

#include "model/lab.h"

#define FW_COMMENT_PREFIX "ovslab:"

/* table: where the rule is, as the backend's tool names it ("nat", "filter"
 * for iptables; "ip ovslab-LAB", "ip filter" for nftables); rule: the line
 * that tool prints for it. */
typedef void fw_rule_fn(const char *table, const char *rule, void *arg);

enum fw_backend {
	FW_IPTABLES = LAB_FIREWALL_IPTABLES,
	FW_NFTABLES = LAB_FIREWALL_NFTABLES,
};

/* "iptables" or "nftables". */
const char *fw_backend_name(enum fw_backend b);
/* The backend named s (iptables, legacy, nftables, nft); -EINVAL otherwise. */
int fw_backend_parse(const char *s, enum fw_backend *b);
/* The backend the machine's own tools use (`auto`): nftables when
 * /usr/sbin/iptables resolves to the nf_tables variant or nf_tables holds
 * filter/nat rules, iptables when the machine uses iptables-legacy; why gets
 * the reason in words.  Never fails: unknown means nftables, the default of
 * every current distribution. */
enum fw_backend fw_detect(char *why, size_t len);

/* The lab's rules for one NAT bridge in backend b: MASQUERADE of the
 * bridge's subnet through uplink, and the two FORWARD accepts (out from the
 * subnet, replies back).  A FORWARD policy DROP in the other backend gets
 * the two accepts there too, and so do nftables chains that drop (Docker's
 * DOCKER-USER first).  Idempotent. */
int fw_add(enum fw_backend b, const char *lab, const char *bridge, const struct lab_addr *gw,
	   const char *uplink);
/* Removes every rule of the lab from both backends; returns how many or -errno. */
int fw_remove(const char *lab);
/* Calls fn once for each distinct lab with a rule in either backend. */
int fw_lab_names(void (*fn)(const char *lab, void *arg), void *arg);
/* Calls fn for each rule of the lab, both backends. */
int fw_list(const char *lab, fw_rule_fn *fn, void *arg);
/* 1 when some rule fw_add would make for the n_nat NAT bridges of the lab
 * in backend b is missing (flushed, or a DROP policy appeared since), 0 when
 * all are there, -errno when the rules cannot be read (no root). */
int fw_missing(enum fw_backend b, const char *lab, size_t n_nat);

/* What each backend's FORWARD hook does to a packet nobody accepted. */
struct fw_state {
	bool legacy_tables;   /* legacy xtables hold tables (ip_tables_names) */
	bool legacy_drop;     /* legacy filter/FORWARD policy DROP */
	bool nft_rules;       /* nf_tables holds rules */
	bool nft_drop;        /* some nftables forward base chain has policy drop */
	bool docker;          /* a DOCKER-USER chain exists (either backend) */
	char iptables[64];    /* what /usr/sbin/iptables resolves to */
};
int fw_state(struct fw_state *s);

#endif
