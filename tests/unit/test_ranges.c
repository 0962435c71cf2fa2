/* Ranges in the lab file (h[1-100], address: auto): what they expand to,
 * the addresses given out, collisions, positions and limits. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "model/lab.h"
#include "labparse.h"
#include "sandbox.h"

static void expect_problems(const char *yaml, const char *diag)
{
	struct result r = parse_as("t.yaml", yaml);

	cr_expect_eq(r.ret, -EINVAL, "ret %d for:\n%s", r.ret, yaml);
	cr_expect_str_eq(r.diag, diag, "for:\n%sgot:\n%swant:\n%s", yaml, r.diag, diag);
	lab_free(r.lab);
	free(r.diag);
	err_clear();
}

static const char *addr(const struct lab_addr *a)
{
	static char b[64];

	return lab_addr_str(a, b, sizeof(b));
}

static const struct lab_host *host(const struct lab *lab, const char *name)
{
	size_t i;

	for (i = 0; i < lab->n_hosts; i++)
		if (!strcmp(lab->hosts[i].name, name))
			return &lab->hosts[i];
	cr_assert_fail("no host %s", name);
	return NULL;
}

Test(ranges, hosts_bridges_spread_and_padding)
{
	struct result r = parse_as("t.yaml",
		"name: r\n"
		"bridges:\n"
		"  leaf[1-2]:\n"
		"    gateway: 10.0.[1-2].254/24\n"
		"hosts:\n"
		"  h[001-004]:\n"
		"    bridge: leaf[1-2]\n"
		"    address: 10.0.[1-2].[1-2]/24\n"
		"  x:\n"
		"    bridge: leaf1\n"
		"    address: 10.0.1.9/24\n");
	const struct lab *lab = r.lab;

	cr_assert_eq(r.ret, 0, "%s", r.diag);
	cr_assert_eq(lab->n_bridges, 2);
	cr_expect_str_eq(lab->bridges[1].name, "leaf2");
	cr_expect_str_eq(addr(&lab->bridges[1].gateway), "10.0.2.254/24");
	cr_assert_eq(lab->n_hosts, 5);
	cr_expect_str_eq(lab->hosts[0].name, "h001");
	cr_expect_str_eq(lab->hosts[3].name, "h004");
	cr_expect_str_eq(lab->hosts[4].name, "x");
	/* Four hosts on two bridges: in blocks, h001-h002 on leaf1. */
	cr_expect_str_eq(host(lab, "h002")->ifaces[0].bridge, "leaf1");
	cr_expect_str_eq(host(lab, "h003")->ifaces[0].bridge, "leaf2");
	/* A pool of as many addresses as hosts: one each, in order. */
	cr_expect_str_eq(addr(&host(lab, "h002")->ifaces[0].addrs[0]), "10.0.1.2/24");
	cr_expect_str_eq(addr(&host(lab, "h004")->ifaces[0].addrs[0]), "10.0.2.2/24");
	cr_expect_str_eq(host(lab, "h004")->ifaces[0].port, "h004_tap");
	/* The template's position. */
	cr_expect_eq(lab->hosts[2].pos.line, 6);
	lab_free(r.lab);
	free(r.diag);
}

Test(ranges, address_auto_skips_gateway_and_explicit)
{
	struct result r = parse_as("t.yaml",
		"name: r\n"
		"bridges:\n"
		"  b: {gateway: 10.1.0.1/29}\n"
		"hosts:\n"
		"  fixed:\n"
		"    bridge: b\n"
		"    address: 10.1.0.3/29\n"
		"  h[1-4]:\n"
		"    bridge: b\n"
		"    address: auto\n");
	const struct lab *lab = r.lab;

	cr_assert_eq(r.ret, 0, "%s", r.diag);
	cr_expect_str_eq(addr(&host(lab, "h1")->ifaces[0].addrs[0]), "10.1.0.2/29");
	cr_expect_str_eq(addr(&host(lab, "h2")->ifaces[0].addrs[0]), "10.1.0.4/29");
	cr_expect_str_eq(addr(&host(lab, "h4")->ifaces[0].addrs[0]), "10.1.0.6/29");
	lab_free(r.lab);
	free(r.diag);
}

Test(ranges, address_auto_runs_out)
{
	expect_problems("name: r\n"
			"bridges:\n"
			"  b: {gateway: 10.1.0.1/30}\n"
			"hosts:\n"
			"  h[1-2]:\n"
			"    bridge: b\n"
			"    address: auto\n"
			"  m:\n"
			"    bridge: none\n"
			"    address: auto\n",
			"t.yaml:7:14: host h2: address: auto finds no free address left in 10.1.0.0/30 of bridge b\n"
			"t.yaml:10:14: host m: address: auto is only for an interface on a bridge with a gateway\n");
}

Test(ranges, links_and_checks_pairwise)
{
	struct result r = parse_as("t.yaml",
		"name: r\n"
		"bridges:\n"
		"  b:\n"
		"hosts:\n"
		"  r[1-4]:\n"
		"    bridge: b\n"
		"    address: 10.0.0.[1-4]/24\n"
		"links:\n"
		"  - [\"r[1-3]:eth1\", \"r[2-4]:eth2\"]\n"
		"checks:\n"
		"  - from: r[1-3]\n"
		"    to: r[2-4]\n");
	const struct lab *lab = r.lab;

	cr_assert_eq(r.ret, 0, "%s", r.diag);
	cr_assert_eq(lab->n_links, 3);
	cr_expect_str_eq(lab->links[2].host[0], "r3");
	cr_expect_str_eq(lab->links[2].host[1], "r4");
	cr_expect_str_eq(lab->links[0].ifname[1], "eth2");
	cr_expect_eq(lab->n_checks, 3);
	lab_free(r.lab);
	free(r.diag);
}

Test(ranges, collisions_name_the_expanded_object)
{
	expect_problems("name: r\n"
			"bridges:\n"
			"  b: {gateway: 10.0.0.254/24}\n"
			"hosts:\n"
			"  h[1-3]: {bridge: b}\n"
			"  h[3-4]:\n"
			"    bridge: b\n"
			"    address: 10.0.0.[1-2]/24\n"
			"  y[1-2]:\n"
			"    bridge: b\n"
			"    address: 10.0.0.[2-3]/24\n",
			"t.yaml:6:3: duplicate host \"h3\"\n"
			"t.yaml:11:14: host y1: address 10.0.0.2 is already used by host h4\n");
}

Test(ranges, bad_ranges_and_pairwise_mismatch)
{
	expect_problems("name: r\n"
			"hosts:\n"
			"  h[5-1]:\n"
			"  g[1-2]:\n"
			"links:\n"
			"  - [\"g[1-2]:eth1\", \"h[1-3]:eth0\"]\n",
			"t.yaml:3:3: host range \"h[5-1]\" counts down (write [LO-HI] with LO <= HI)\n"
			"t.yaml:6:6: link range \"g[1-2]:eth1\" makes 2 values, which does not divide the 3 of another end\n");
}

Test(ranges, too_many_refused_before_allocating)
{
	expect_problems("name: r\n"
			"hosts:\n"
			"  h[1-999999999]:\n"
			"    bridge: b\n",
			"t.yaml:3:3: host range \"h[1-999999999]\" makes over 2000000 hosts, more than the 2000000 values a lab file may have\n");
}

Test(ranges, flows_and_exec_keep_brackets)
{
	struct result r = parse_as("t.yaml",
		"name: r\n"
		"bridges:\n"
		"  s[1-2]:\n"
		"    flows:\n"
		"      - \"priority=1,actions=load:1->NXM_NX_REG0[0..15],NORMAL\"\n"
		"hosts:\n"
		"  h[1-2]:\n"
		"    bridge: s[1-2]\n"
		"    exec:\n"
		"      - [ls, \"/dev/tty[1-3]\"]\n");
	const struct lab *lab = r.lab;

	cr_assert_eq(r.ret, 0, "%s", r.diag);
	cr_expect_str_eq(host(lab, "h2")->ifaces[0].bridge, "s2");
	cr_expect_str_eq(host(lab, "h2")->exec[0].argv[1], "/dev/tty[1-3]");
	cr_expect_neq(strstr(lab->bridges[1].flows[0].text, "[0..15]"), NULL);
	lab_free(r.lab);
	free(r.diag);
}

Test(ranges, a_thousand_hosts_in_a_few_lines)
{
	struct result r = parse_as("t.yaml",
		"name: big\n"
		"bridges:\n"
		"  leaf[1-4]:\n"
		"    gateway: 10.[1-4].0.1/16\n"
		"hosts:\n"
		"  h[1-1000]:\n"
		"    bridge: leaf[1-4]\n"
		"    address: auto\n");
	const struct lab *lab = r.lab;

	cr_assert_eq(r.ret, 0, "%s", r.diag);
	cr_assert_eq(lab->n_hosts, 1000);
	cr_expect_str_eq(host(lab, "h250")->ifaces[0].bridge, "leaf1");
	cr_expect_str_eq(host(lab, "h251")->ifaces[0].bridge, "leaf2");
	cr_expect_str_eq(addr(&host(lab, "h251")->ifaces[0].addrs[0]), "10.2.0.2/16");
	cr_expect_str_eq(addr(&host(lab, "h1000")->ifaces[0].addrs[0]), "10.4.0.251/16");
	lab_free(r.lab);
	free(r.diag);
}

Test(ranges, hosts_spread_over_machines)
{
	struct result r = parse_as("t.yaml",
		"name: mh\n"
		"machines:\n"
		"  hv[1-3]:\n"
		"bridges:\n"
		"  int_br: {}\n"
		"hosts:\n"
		"  vm[1-6]:\n"
		"    machine: hv[1-3]\n"
		"    bridge: int_br\n"
		"    address: 10.0.0.[1-6]/24\n");
	const struct lab *lab = r.lab;

	cr_assert_eq(r.ret, 0, "%s", r.diag);
	cr_assert_eq(lab->n_machines, 3);
	cr_expect_str_eq(lab->machines[2].name, "hv3");
	cr_expect_str_eq(host(lab, "vm2")->machine, "hv1");
	cr_expect_str_eq(host(lab, "vm3")->machine, "hv2");
	cr_expect_str_eq(host(lab, "vm6")->machine, "hv3");
	lab_free(r.lab);
	free(r.diag);
}

Test(ranges, the_fixture)
{
	struct lab *lab = NULL;

	cr_assert_eq(labfile_load(sandbox_fixture("ranges.yaml"), stderr, &lab), 0, "%s", err_get());
	cr_expect_eq(lab->n_bridges, 4);
	cr_expect_eq(lab->n_hosts, 43);
	cr_expect_eq(lab->n_links, 2);
	cr_expect_eq(lab->n_checks, 10);
	cr_expect_str_eq(host(lab, "h11")->ifaces[0].bridge, "leaf2");
	cr_expect_str_eq(addr(&host(lab, "h11")->ifaces[0].addrs[0]), "10.0.2.1/24");
	cr_expect_str_eq(addr(&host(lab, "h40")->ifaces[0].addrs[0]), "10.0.4.10/24");
	lab_free(lab);
}
