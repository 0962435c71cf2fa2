/* The legacy xtables backend (libiptc): the lab's rules in nat/POSTROUTING
 * and filter/FORWARD (or DOCKER-USER), each with -m comment ovslab:LAB. */
#ifndef OVSLAB_FW_IPTC_H
#define OVSLAB_FW_IPTC_H

#include <stdbool.h>
#include <stddef.h>

#include "firewall/firewall.h"
#include "model/lab.h"
#include "util/strset.h"

/* Adds, for the subnet of gw leaving through uplink:
 *   nat/POSTROUTING -s SUBNET -o UPLINK -j MASQUERADE   (not if forward_only)
 *   filter/F -s SUBNET -i BRIDGE -o UPLINK -j ACCEPT
 *   filter/F -d SUBNET -i UPLINK -o BRIDGE -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
 * each with -m comment --comment ovslab:LAB, F being DOCKER-USER when it
 * exists, else FORWARD (inserted first).  A rule already present is not
 * added twice. */
int fw_iptc_add(const char *lab, const char *bridge, const struct lab_addr *gw,
		const char *uplink, bool forward_only);
/* Deletes every rule whose comment is exactly "ovslab:LAB" from the chains
 * above.  Returns the number removed or -errno. */
int fw_iptc_remove(const char *lab);
/* Adds to ln the name of each lab with a rule in those chains. */
int fw_iptc_lab_names(struct strset *ln);
/* Calls fn with an iptables-save line of each rule of the lab; table is
 * "nat" or "filter". */
int fw_iptc_list(const char *lab, fw_rule_fn *fn, void *arg);
/* 1 when legacy filter/FORWARD has policy DROP, 0 when not (or there is no
 * legacy filter table), -errno. */
int fw_iptc_forward_drops(void);
/* 1 when legacy filter has Docker's chain DOCKER-USER, 0 when not, -errno. */
int fw_iptc_docker(void);
/* Whether legacy xtables has the table (nat, filter) in this namespace:
 * looked up in /proc/net/ip_tables_names, never made by looking. */
bool fw_iptc_table_present(const char *table);

/* The three rules as libiptc entries, built without touching the kernel so
 * they can be tested without root.  Each is malloc'd (the caller frees it);
 * NULL with errno EINVAL for a bad name or a non-IPv4 gateway, ENOMEM. */
struct ipt_entry;
struct ipt_entry *fw_iptc_rule_masquerade(const char *lab, const struct lab_addr *gw,
					  const char *uplink);
struct ipt_entry *fw_iptc_rule_forward_out(const char *lab, const char *bridge,
					   const struct lab_addr *gw, const char *uplink);
struct ipt_entry *fw_iptc_rule_forward_back(const char *lab, const char *bridge,
					    const struct lab_addr *gw, const char *uplink);

/* The comment of an entry when it is an ovslab one ("ovslab:LAB"), else NULL. */
const char *fw_iptc_rule_comment(const struct ipt_entry *e);

#endif
