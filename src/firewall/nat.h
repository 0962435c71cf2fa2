/* NAT for a lab bridge, through libiptc (legacy xtables).  Every rule carries
 * the comment "ovslab:<lab>" and only such rules are ever deleted. */
#ifndef OVSLAB_NAT_H
#define OVSLAB_NAT_H

#include <stddef.h>

#include "model/lab.h"

#define NAT_COMMENT_PREFIX "ovslab:"

/* Adds, for the subnet of gw leaving through uplink:
 *   nat/POSTROUTING -s SUBNET -o UPLINK -j MASQUERADE
 *   filter/FORWARD  -i BRIDGE -o UPLINK -j ACCEPT
 *   filter/FORWARD  -i UPLINK -o BRIDGE -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
 * each with -m comment --comment ovslab:LAB.  Idempotent: a rule already
 * present (same match, same comment) is not added twice. */
int nat_add(const char *lab, const char *bridge, const struct lab_addr *gw,
	    const char *uplink);

/* Deletes every rule whose comment is exactly "ovslab:LAB" from
 * nat/POSTROUTING and filter/FORWARD.  Returns the number removed or -errno. */
int nat_remove(const char *lab);

/* Calls fn once for each distinct lab that has a rule (comment "ovslab:LAB")
 * in nat/POSTROUTING or filter/FORWARD. */
int nat_lab_names(void (*fn)(const char *lab, void *arg), void *arg);

/* Calls fn with a one-line iptables-save-like text of each rule of the lab. */
int nat_list(const char *lab, void (*fn)(const char *table, const char *rule,
					 void *arg), void *arg);

/* The three rules as libiptc entries, built without touching the kernel so
 * they can be tested without root.  Each is malloc'd (the caller frees it);
 * NULL with errno EINVAL for a bad name or a non-IPv4 gateway, ENOMEM. */
struct ipt_entry;
struct ipt_entry *nat_rule_masquerade(const char *lab, const struct lab_addr *gw,
				      const char *uplink);
struct ipt_entry *nat_rule_forward_out(const char *lab, const char *bridge,
				       const char *uplink);
struct ipt_entry *nat_rule_forward_back(const char *lab, const char *bridge,
					const char *uplink);

/* The comment of an entry when it is an ovslab one ("ovslab:LAB"), else NULL. */
const char *nat_rule_comment(const struct ipt_entry *e);

#endif
