/* Which packet filter holds the lab's rules, and the two together: a packet
 * the lab forwards must be accepted by the FORWARD hooks of both (firewall.h). */
#include "firewall/firewall.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "firewall/iptc.h"
#include "firewall/nft.h"
#include "util/err.h"
#include "util/strset.h"

#define IPTABLES_PATH "/usr/sbin/iptables"

const char *fw_backend_name(enum fw_backend b)
{
	return b == FW_NFTABLES ? "nftables" : "iptables";
}

int fw_backend_parse(const char *s, enum fw_backend *b)
{
	if (!strcmp(s, "nftables") || !strcmp(s, "nft"))
		*b = FW_NFTABLES;
	else if (!strcmp(s, "iptables") || !strcmp(s, "legacy"))
		*b = FW_IPTABLES;
	else
		return -EINVAL;
	return 0;
}

/* The basename of what /usr/sbin/iptables finally is, through Debian's
 * alternatives symlinks: xtables-nft-multi or xtables-legacy-multi. */
static void iptables_flavour(char *buf, size_t len)
{
	char path[PATH_MAX];
	const char *slash;

	if (!realpath(IPTABLES_PATH, path)) {
		snprintf(buf, len, "none");
		return;
	}
	slash = strrchr(path, '/');
	snprintf(buf, len, "%s", slash ? slash + 1 : path);
}

enum fw_backend fw_detect(char *why, size_t len)
{
	struct fw_nft_seen seen;
	char flavour[PATH_MAX];

	iptables_flavour(flavour, sizeof(flavour));
	if (fw_nft_seen(&seen) == 0 && seen.ipt_rules) {
		snprintf(why, len, "nf_tables holds the machine's filter/nat rules");
		return FW_NFTABLES;
	}
	err_clear();
	if (strstr(flavour, "legacy")) {
		snprintf(why, len, "%s is %s", IPTABLES_PATH, flavour);
		return FW_IPTABLES;
	}
	if (strstr(flavour, "nft")) {
		snprintf(why, len, "%s is %s", IPTABLES_PATH, flavour);
		return FW_NFTABLES;
	}
	if (fw_iptc_table_present("filter") || fw_iptc_table_present("nat")) {
		snprintf(why, len, "legacy xtables tables are present");
		return FW_IPTABLES;
	}
	snprintf(why, len, "no iptables and no rules: nftables, the default");
	return FW_NFTABLES;
}

int fw_add(enum fw_backend b, const char *lab, const char *bridge, const struct lab_addr *gw,
	   const char *uplink)
{
	struct fw_nft_seen seen;
	int ret;

	if (b == FW_NFTABLES) {
		ret = fw_nft_add(lab, bridge, gw, uplink, false);
		if (ret == 0 && fw_iptc_forward_drops() > 0)
			ret = fw_iptc_add(lab, bridge, gw, uplink, true);
		return ret;
	}
	ret = fw_iptc_add(lab, bridge, gw, uplink, false);
	if (ret < 0)
		return ret;
	/* A kernel without nf_tables cannot drop anything there. */
	if (fw_nft_seen(&seen) < 0) {
		err_clear();
		return 0;
	}
	return seen.forward_drop ? fw_nft_add(lab, bridge, gw, uplink, true) : 0;
}

int fw_remove(const char *lab)
{
	int n, ret;

	n = fw_iptc_remove(lab);
	if (n < 0)
		return n;
	ret = fw_nft_remove(lab);
	/* No nf_tables in this kernel: none of its rules to remove. */
	if (ret == -EPROTONOSUPPORT || ret == -EAFNOSUPPORT) {
		err_clear();
		ret = 0;
	}
	return ret < 0 ? ret : n + ret;
}

static void fw_names_add(struct strset *ln, int (*names)(struct strset *), int *ret)
{
	int r = names(ln);

	if (r == -EPROTONOSUPPORT || r == -EAFNOSUPPORT) {
		err_clear();
		r = 0;
	}
	if (*ret == 0)
		*ret = r;
}

int fw_lab_names(void (*fn)(const char *lab, void *arg), void *arg)
{
	struct strset ln = { NULL, 0 };
	int ret = 0;

	fw_names_add(&ln, fw_iptc_lab_names, &ret);
	fw_names_add(&ln, fw_nft_lab_names, &ret);
	/* Called after the walk: fn may change the very tables walked. */
	for (size_t i = 0; ret == 0 && i < ln.n; i++)
		fn(ln.v[i], arg);
	strset_free(&ln);
	return ret;
}

struct fw_list_arg {
	fw_rule_fn *fn;
	void *arg;
	const char *backend;
};

static void fw_list_cb(const char *table, const char *rule, void *arg)
{
	struct fw_list_arg *a = arg;
	char where[300];

	snprintf(where, sizeof(where), "%s %s", a->backend, table);
	a->fn(where, rule, a->arg);
}

int fw_list(const char *lab, fw_rule_fn *fn, void *arg)
{
	struct fw_list_arg a = { fn, arg, "iptables" };
	int ret;

	ret = fw_iptc_list(lab, fw_list_cb, &a);
	if (ret < 0)
		return ret;
	a.backend = "nftables";
	ret = fw_nft_list(lab, fw_list_cb, &a);
	if (ret == -EPROTONOSUPPORT || ret == -EAFNOSUPPORT) {
		err_clear();
		ret = 0;
	}
	return ret;
}

struct fw_count {
	size_t legacy_nat, legacy_filter, nft_own, nft_guards;
};

static void fw_count_cb(const char *table, const char *rule, void *arg)
{
	struct fw_count *c = arg;

	(void)rule;
	if (!strcmp(table, "nat"))
		c->legacy_nat++;
	else if (!strcmp(table, "filter"))
		c->legacy_filter++;
	else if (!strncmp(table, "ip " FW_NFT_TABLE_PREFIX, 3 + sizeof(FW_NFT_TABLE_PREFIX) - 1))
		c->nft_own++;
	else
		c->nft_guards++;
}

int fw_missing(enum fw_backend b, const char *lab, size_t n_nat)
{
	struct fw_count c = { 0 };
	struct fw_nft_seen seen;
	int ret, drops;

	ret = fw_iptc_list(lab, fw_count_cb, &c);
	if (ret == 0)
		ret = fw_nft_list(lab, fw_count_cb, &c);
	if (ret == 0)
		ret = fw_nft_seen(&seen);
	if (ret < 0)
		return ret;
	drops = fw_iptc_forward_drops();
	if (drops < 0)
		return drops;
	if (b == FW_NFTABLES)
		return c.nft_own < 3 * n_nat || (drops && c.legacy_filter < 2 * n_nat) ||
		       c.nft_guards < 2 * n_nat * seen.drop_chains;
	return c.legacy_nat < n_nat || c.legacy_filter < 2 * n_nat ||
	       c.nft_guards < 2 * n_nat * seen.drop_chains;
}

int fw_state(struct fw_state *s)
{
	struct fw_nft_seen seen;
	int ret;

	memset(s, 0, sizeof(*s));
	iptables_flavour(s->iptables, sizeof(s->iptables));
	s->legacy_tables = fw_iptc_table_present("filter") || fw_iptc_table_present("nat");
	ret = fw_iptc_forward_drops();
	if (ret < 0)
		return ret;
	s->legacy_drop = ret > 0;
	ret = fw_iptc_docker();
	if (ret < 0)
		return ret;
	s->docker = ret > 0;
	ret = fw_nft_seen(&seen);
	if (ret < 0)
		return ret;
	s->nft_rules = seen.rules > 0;
	s->nft_drop = seen.forward_drop;
	s->docker |= seen.docker;
	return 0;
}
