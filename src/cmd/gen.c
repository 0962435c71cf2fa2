/* `ovslab gen TOPOLOGY ARGS`: a complete lab file of a classic topology, with
 * checks that prove it works, written with ranges so that it stays short. */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "cmd/cmd.h"

#define GEN_HOSTS_MAX 4096   /* what one lab of one machine takes in seconds */
#define GEN_CHAIN_MAX 16     /* up to this many hosts, each host checks the next */

/* One subnet for the whole lab: a /16, 250 addresses per third byte. */
static void gen_pool(FILE *out, unsigned long n)
{
	if (n <= 250)
		fprintf(out, "    address: 10.0.0.[1-250]/16\n");
	else
		fprintf(out, "    address: 10.0.[0-%lu].[1-250]/16\n", (n - 1) / 250);
}

/* Each host reaches the next (a range of checks) while they are few, else
 * the two ends and the middle: enough to cross every kind of hop. */
static void gen_checks_stp(FILE *out, unsigned long n, bool stp)
{
	/* Spanning tree keeps ports from forwarding for 2 x forward delay after
	 * up: a check keeps asking (every 200 ms) until then. */
	const char *wait = stp ? ", timeout: 20, count: 100" : "";

	fprintf(out, "checks:\n");
	if (n <= GEN_CHAIN_MAX) {
		if (n > 2)
			fprintf(out, "  - {from: h%lu, to: h1%s}\n", n, wait);
		if (n == 2)
			fprintf(out, "  - {from: h1, to: h2%s}\n", wait);
		else
			fprintf(out, "  - {from: \"h[1-%lu]\", to: \"h[2-%lu]\"%s}\n", n - 1, n,
				wait);
		return;
	}
	fprintf(out, "  - {from: h1, to: h%lu%s}\n  - {from: h%lu, to: h1%s}\n"
		"  - {from: h1, to: h%lu%s}\n", n, wait, n, wait, n / 2 + 1, wait);
}

static void gen_checks(FILE *out, unsigned long n)
{
	gen_checks_stp(out, n, false);
}

/* A ring or a mesh under NORMAL loops broadcasts: spanning tree blocks
 * ports until one path is left.  STP with the shortest timers OVS takes
 * (forwarding 8 s after up); RSTP was tried and the userspace switch did
 * not apply the lab in time. */
static const char gen_stp[] =
	"    stp: true\n"
	"    other_config: {stp-forward-delay: \"4\", stp-hello-time: \"1\", stp-max-age: \"6\"}\n";

/* Hosts h[1-n] spread in blocks over the bridges `bridges` (a range). */
static void gen_hosts(FILE *out, unsigned long n, const char *bridges)
{
	fprintf(out, "hosts:\n  h[1-%lu]:\n    bridge: %s\n", n, bridges);
	gen_pool(out, n);
}

static int gen_single(FILE *out, const unsigned long *a)
{
	fprintf(out, "# ovslab gen single %lu: one bridge, %lu host%s (Mininet's single)\n"
		"name: single\nbridges:\n  s1:\n    gateway: 10.0.255.254/16\n"
		"hosts:\n  h[1-%lu]:\n    bridge: s1\n    address: auto\n",
		a[0], a[0], a[0] == 1 ? "" : "s", a[0]);
	if (a[0] == 1)
		fprintf(out, "checks:\n  - {from: h1, to: 10.0.255.254}\n");
	else
		gen_checks(out, a[0]);
	return 0;
}

static int gen_linear(FILE *out, const unsigned long *a)
{
	unsigned long n = a[0];
	char br[64];

	fprintf(out, "# ovslab gen linear %lu: %lu bridges in a line joined by patch ports,\n"
		"# one host on each (Mininet's linear); one subnet.\n"
		"name: linear\nbridges:\n  s[1-%lu]:\npatches:\n  - [\"s[1-%lu]\", \"s[2-%lu]\"]\n",
		n, n, n, n - 1, n);
	snprintf(br, sizeof(br), "s[1-%lu]", n);
	gen_hosts(out, n, br);
	gen_checks(out, n);
	return 0;
}

static int gen_tree(FILE *out, const unsigned long *a)
{
	unsigned long depth = a[0], fan = a[1], level, width = 1, hosts;
	char br[64];

	for (level = 1; level < depth; level++)
		width *= fan;
	hosts = width * fan;
	fprintf(out, "# ovslab gen tree %lu %lu: bridges in a tree %lu deep, %lu below each,\n"
		"# joined by patch ports, %lu hosts on each bottom bridge (Mininet's tree);\n"
		"# one subnet.  Bridge sL_I is the I-th of level L.\n"
		"name: tree\nbridges:\n", depth, fan, depth, fan, fan);
	fprintf(out, "  s1_1:\n");
	for (level = 2, width = fan; level <= depth; level++, width *= fan)
		fprintf(out, "  s%lu_[1-%lu]:\n", level, width);
	if (depth > 1)
		fprintf(out, "patches:                  # each bridge to its parent, in blocks\n");
	for (level = 2, width = fan; level <= depth; level++, width *= fan)
		if (level == 2)
			fprintf(out, "  - [s1_1, \"s2_[1-%lu]\"]\n", width);
		else
			fprintf(out, "  - [\"s%lu_[1-%lu]\", \"s%lu_[1-%lu]\"]\n", level - 1,
				width / fan, level, width);
	if (depth == 1)
		snprintf(br, sizeof(br), "s1_1");
	else
		snprintf(br, sizeof(br), "s%lu_[1-%lu]", depth, hosts / fan);
	gen_hosts(out, hosts, br);
	gen_checks(out, hosts);
	return 0;
}

static int gen_ring(FILE *out, const unsigned long *a)
{
	unsigned long n = a[0];
	char br[64];

	fprintf(out, "# ovslab gen ring %lu: %lu bridges in a ring of patch ports, one host on\n"
		"# each; spanning tree (STP) blocks one port so the ring does not loop\n"
		"# broadcasts (the checks wait the 8 s it takes to forward).\n"
		"name: ring\nbridges:\n  s[1-%lu]:\n%spatches:\n"
		"  - [\"s[1-%lu]\", \"s[2-%lu]\"]\n  - [s%lu, s1]\n", n, n, n, gen_stp, n - 1,
		n, n);
	snprintf(br, sizeof(br), "s[1-%lu]", n);
	gen_hosts(out, n, br);
	gen_checks_stp(out, n, true);
	return 0;
}

static int gen_star(FILE *out, const unsigned long *a)
{
	unsigned long n = a[0];
	char br[64];

	fprintf(out, "# ovslab gen star %lu: a core bridge and %lu bridges around it, joined\n"
		"# by patch ports, one host on each; one subnet.\n"
		"name: star\nbridges:\n  core:\n  s[1-%lu]:\npatches:\n  - [core, \"s[1-%lu]\"]\n",
		n, n, n, n);
	snprintf(br, sizeof(br), "s[1-%lu]", n);
	gen_hosts(out, n, br);
	gen_checks(out, n);
	return 0;
}

/* Bridged: every leaf joined to every spine by patch ports, one subnet;
 * STP keeps one path and blocks the others (a routed fabric would need a
 * router host per switch and their routes: not done yet). */
static int gen_clos(FILE *out, const unsigned long *a)
{
	unsigned long spines = a[0], leaves = a[1], per = a[2], i;
	char br[64];

	fprintf(out, "# ovslab gen clos %lu %lu %lu: a bridged leaf/spine fabric: %lu spine and\n"
		"# %lu leaf bridges, each leaf joined to each spine by patch ports, %lu hosts\n"
		"# per leaf, one subnet; spanning tree (STP) blocks the redundant paths (the\n"
		"# checks wait the 8 s it takes to forward).\n"
		"name: clos\nbridges:\n  spine[1-%lu]:\n%s  leaf[1-%lu]:\n%spatches:\n",
		spines, leaves, per, spines, leaves, per, spines, gen_stp, leaves, gen_stp);
	for (i = 1; i <= spines; i++)
		fprintf(out, "  - [spine%lu, \"leaf[1-%lu]\"]\n", i, leaves);
	snprintf(br, sizeof(br), "leaf[1-%lu]", leaves);
	gen_hosts(out, leaves * per, br);
	gen_checks_stp(out, leaves * per, true);
	return 0;
}

static int gen_multihost(FILE *out, const unsigned long *a)
{
	unsigned long machines = a[0], n = a[0] * a[1];

	fprintf(out, "# ovslab gen multihost %lu %lu: %lu simulated machines, each with its own\n"
		"# Open vSwitch, %lu hosts on each, one bridge joined across them by Geneve.\n"
		"name: multihost\nmachines:\n  hv[1-%lu]:\nbridges:\n  int_br: {key: 100}\n"
		"hosts:\n  h[1-%lu]:\n    machine: hv[1-%lu]\n    bridge: int_br\n",
		a[0], a[1], machines, a[1], machines, n, machines);
	gen_pool(out, n);
	gen_checks(out, n);
	return 0;
}

static const struct gen_topo {
	const char *name, *args;
	int n_args;
	unsigned long min[3]; /* the least each argument may be */
	int (*fn)(FILE *out, const unsigned long *a);
} topos[] = {
	{ "single", "N", 1, { 1 }, gen_single },
	{ "linear", "N", 1, { 2 }, gen_linear },
	{ "tree", "DEPTH FANOUT", 2, { 1, 2 }, gen_tree },
	{ "ring", "N", 1, { 3 }, gen_ring },
	{ "star", "N", 1, { 2 }, gen_star },
	{ "clos", "SPINES LEAVES HOSTS_PER_LEAF", 3, { 1, 1, 1 }, gen_clos },
	{ "multihost", "MACHINES HOSTS", 2, { 2, 1 }, gen_multihost },
};

/* The hosts a topology makes, or ULONG_MAX past any sane size. */
static unsigned long gen_count(const struct gen_topo *t, const unsigned long *a)
{
	unsigned long n = 1, i;

	if (!strcmp(t->name, "tree")) {
		for (i = 0; i < a[0] && n <= GEN_HOSTS_MAX; i++)
			n *= a[1];
		return n;
	}
	if (!strcmp(t->name, "clos"))
		return a[1] > GEN_HOSTS_MAX || a[2] > GEN_HOSTS_MAX ? ULONG_MAX :
		       a[0] > 64 ? ULONG_MAX : a[1] * a[2];
	if (!strcmp(t->name, "multihost"))
		return a[0] > 64 || a[1] > GEN_HOSTS_MAX ? ULONG_MAX : a[0] * a[1];
	return a[0];
}

int cmd_gen(int argc, char **argv, FILE *out)
{
	unsigned long a[3] = { 0 };
	const struct gen_topo *t = NULL;
	char *end;
	size_t i;
	int k;

	for (i = 0; argc > 0 && i < sizeof(topos) / sizeof(topos[0]); i++)
		if (!strcmp(argv[0], topos[i].name))
			t = &topos[i];
	if (!t) {
		err_set("gen: %s%s%s: the topologies are single N, linear N, tree DEPTH FANOUT, "
			"ring N, star N, clos SPINES LEAVES HOSTS_PER_LEAF, multihost MACHINES HOSTS",
			argc ? "no topology \"" : "a topology is needed", argc ? argv[0] : "",
			argc ? "\"" : "");
		return 1;
	}
	if (argc - 1 != t->n_args) {
		err_set("gen %s: give %s", t->name, t->args);
		return 1;
	}
	for (k = 0; k < t->n_args; k++) {
		errno = 0;
		a[k] = strtoul(argv[k + 1], &end, 10);
		if (errno || end == argv[k + 1] || *end || argv[k + 1][0] == '-' ||
		    a[k] < t->min[k] || a[k] > GEN_HOSTS_MAX) {
			err_set("gen %s: %s must be a number from %lu to %d, not \"%s\"", t->name,
				t->args, t->min[k], GEN_HOSTS_MAX, argv[k + 1]);
			return 1;
		}
	}
	if (gen_count(t, a) > GEN_HOSTS_MAX) {
		err_set("gen %s: that makes more than %d hosts", t->name, GEN_HOSTS_MAX);
		return 1;
	}
	return t->fn(out, a);
}
