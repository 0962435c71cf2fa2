/* The lab file reader and the lab model helpers: pure logic, no root. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "lab.h"
#include "labfile.h"
#include "sandbox.h"

struct result {
	int ret;
	struct lab *lab;
	char *diag;
};

static struct result parse_as(const char *display, const char *yaml)
{
	struct result r = { 0 };
	size_t len;
	FILE *f = open_memstream(&r.diag, &len);

	cr_assert_not_null(f);
	r.ret = labfile_parse(display, yaml, strlen(yaml), f, &r.lab);
	cr_assert_eq(fclose(f), 0);
	return r;
}

static struct result parse(const char *yaml)
{
	return parse_as("t.yaml", yaml);
}

static void result_free(struct result *r)
{
	lab_free(r->lab);
	free(r->diag);
	err_clear();
}

/* yaml must be refused with exactly the problems in diag. */
static void expect_problems(const char *yaml, const char *diag)
{
	struct result r = parse(yaml);

	cr_expect_eq(r.ret, -EINVAL, "ret %d for:\n%s", r.ret, yaml);
	cr_expect_null(r.lab);
	cr_expect_str_eq(r.diag, diag, "for:\n%sgot:\n%swant:\n%s", yaml, r.diag, diag);
	cr_expect(err_isset());
	result_free(&r);
}

/* yaml must be accepted without a word on diag. */
static struct result expect_ok(const char *yaml)
{
	struct result r = parse(yaml);

	cr_assert_eq(r.ret, 0, "ret %d, diag:\n%s", r.ret, r.diag);
	cr_assert_not_null(r.lab);
	cr_assert_str_empty(r.diag);
	return r;
}

static struct lab_addr addr(const char *s)
{
	struct lab_addr a;

	cr_assert_eq(lab_addr_parse(s, &a), 0, "parse %s", s);
	return a;
}

static void expect_addr(const struct lab_addr *a, const char *want)
{
	char buf[64];

	cr_expect_str_eq(lab_addr_str(a, buf, sizeof(buf)), want);
}

static void expect_pos(struct lab_pos pos, int line, int col)
{
	cr_expect_eq(pos.line, line, "line %d, want %d", pos.line, line);
	cr_expect_eq(pos.col, col, "col %d, want %d", pos.col, col);
}

/* ---- the model --------------------------------------------------------- */

static void expect_host(const struct lab_host *h, const char *name, const char *a,
			const char *ifname, const char *port, int line)
{
	cr_assert_str_eq(h->name, name);
	expect_pos(h->pos, line, 3);
	cr_assert_eq(h->n_ifaces, 1);
	cr_expect_str_eq(h->ifaces[0].bridge, "int_br");
	cr_expect_eq(h->ifaces[0].addr.family, AF_INET);
	expect_addr(&h->ifaces[0].addr, a);
	cr_expect_str_eq(h->ifaces[0].ifname, ifname);
	cr_expect_str_eq(h->ifaces[0].port, port);
	expect_pos(h->ifaces[0].pos, line, 3);
}

Test(labfile, int_br_model)
{
	const char *path = sandbox_fixture("int_br.yaml");
	struct lab *lab = NULL;
	struct lab_bridge *b;
	char *diag = NULL;
	size_t len;
	FILE *f = open_memstream(&diag, &len);

	cr_assert_eq(labfile_load(path, f, &lab), 0);
	fclose(f);
	cr_expect_str_empty(diag);
	cr_assert_not_null(lab);
	cr_expect_str_eq(lab->name, "seed");
	cr_expect_str_eq(lab->file, path);

	cr_assert_eq(lab->n_bridges, 1);
	b = &lab->bridges[0];
	cr_expect_str_eq(b->name, "int_br");
	cr_expect_eq(b->gateway.family, AF_INET);
	cr_expect_eq(b->gateway.prefix, 24);
	cr_expect_eq(b->gateway.v4.s_addr, inet_addr("192.168.100.254"));
	cr_expect(b->nat);
	cr_expect_str_eq(b->uplink, "auto");
	expect_pos(b->pos, 3, 3);

	cr_assert_eq(lab->n_hosts, 2);
	expect_host(&lab->hosts[0], "ns01", "192.168.100.1/24", "veth-ns01", "ns01_tap", 8);
	expect_host(&lab->hosts[1], "ns02", "192.168.100.2/24", "veth-ns02", "ns02_tap", 13);

	cr_expect_eq(lab_find_bridge(lab, "int_br"), b);
	cr_expect_null(lab_find_bridge(lab, "int_bx"));
	cr_expect_eq(lab_find_host(lab, "ns02"), &lab->hosts[1]);
	cr_expect_null(lab_find_host(lab, "ns03"));
	cr_expect_null(lab_find_host(lab, NULL));
	lab_free(lab);
	free(diag);
}

Test(labfile, defaults)
{
	struct lab *lab = NULL;
	const struct lab_host *h;

	cr_assert_eq(labfile_load(sandbox_fixture("defaults.yaml"), stderr, &lab), 0);
	cr_assert_eq(lab->n_bridges, 2);
	cr_expect_not(lab->bridges[0].nat);
	cr_expect_null(lab->bridges[0].uplink);
	cr_expect_eq(lab->bridges[1].gateway.family, 0);
	cr_assert_eq(lab->n_hosts, 3);

	h = lab_find_host(lab, "ns01");
	cr_assert_not_null(h);
	cr_expect_str_eq(h->ifaces[0].ifname, "eth0");
	cr_expect_str_eq(h->ifaces[0].port, "ns01_tap");

	h = lab_find_host(lab, "host-with-long1");
	cr_assert_not_null(h);
	cr_expect_str_eq(h->ifaces[0].port, "host-with-l_tap");
	cr_expect_eq(strlen(h->ifaces[0].port), LAB_NAME_MAX);

	h = lab_find_host(lab, "isolated");
	cr_assert_not_null(h);
	cr_expect_str_eq(h->ifaces[0].bridge, "br1");
	cr_expect_eq(h->ifaces[0].addr.family, 0);
	expect_pos(h->pos, 14, 3);
	lab_free(lab);
}

Test(labfile, nat_defaults_uplink_to_auto)
{
	struct result r = expect_ok("name: x\n"
				    "bridges:\n"
				    "  b1: {gateway: 10.0.0.1/24, nat: true}\n"
				    "  b2: {gateway: 10.0.1.1/24, nat: false, uplink: eth1}\n"
				    "  b3: {gateway: 10.0.2.1/24, nat: true, uplink: wan0}\n");

	cr_expect_str_eq(r.lab->bridges[0].uplink, "auto");
	cr_expect_str_eq(r.lab->bridges[1].uplink, "eth1");
	cr_expect_not(r.lab->bridges[1].nat);
	cr_expect_str_eq(r.lab->bridges[2].uplink, "wan0");
	cr_expect_eq(r.lab->n_hosts, 0);
	result_free(&r);
}

Test(labfile, accepted_variants)
{
	struct result r;

	/* Empty sections, IPv6, same address on two separate bridges. */
	r = expect_ok("name: x\nbridges:\nhosts:\n");
	cr_expect_eq(r.lab->n_bridges, 0);
	result_free(&r);
	r = expect_ok("name: x\n"
		      "bridges:\n"
		      "  b1: {gateway: 10.0.0.1/24}\n"
		      "  b2: {gateway: '2001:db8::1/64'}\n"
		      "  b3:\n"
		      "hosts:\n"
		      "  h1: {bridge: b1, address: 10.0.0.2/24}\n"
		      "  h2: {bridge: b2, address: '2001:db8::2/64'}\n"
		      "  h3: {bridge: b3, address: 10.0.0.2/24}\n");
	cr_expect_eq(r.lab->hosts[1].ifaces[0].addr.family, AF_INET6);
	expect_addr(&r.lab->hosts[1].ifaces[0].addr, "2001:db8::2/64");
	result_free(&r);
}

/* ---- problems ---------------------------------------------------------- */

Test(labfile, unknown_keys)
{
	expect_problems("name: x\nbrigdes: {}\n",
			"t.yaml:2:1: unknown key \"brigdes\" (expected name, bridges, hosts)\n");
	expect_problems("name: x\nbridges:\n  b1:\n    gatway: 10.0.0.1/24\n",
			"t.yaml:4:5: unknown key \"gatway\" (expected gateway, nat, uplink)\n");
	expect_problems("name: x\nbridges: {b1: {}}\nhosts:\n  h1:\n    bridge: b1\n    adress: 10.0.0.1/24\n",
			"t.yaml:6:5: unknown key \"adress\" (expected bridge, address, ifname, port)\n");
}

Test(labfile, syntax_errors)
{
	const char *path = sandbox_fixture("bad-syntax.yaml");
	struct lab *lab = (struct lab *)&lab;
	char *diag = NULL, want[512];
	size_t len;
	FILE *f = open_memstream(&diag, &len);

	cr_assert_eq(labfile_load(path, f, &lab), -EINVAL);
	fclose(f);
	cr_expect_null(lab);
	snprintf(want, sizeof(want), "%s:6:3: did not find expected key\n", path);
	cr_expect_str_eq(diag, want);
	cr_expect_not_null(strstr(err_get(), "bad-syntax.yaml"));
	free(diag);

	expect_problems("name: [x\n",
			"t.yaml:2:1: did not find expected ',' or ']'\n");
	expect_problems("name: x\nhosts: *nowhere\n",
			"t.yaml:2:8: found undefined alias\n");
	expect_problems("name: \"x\xff\"\n",
			"t.yaml:1:9: invalid leading UTF-8 octet\n");
}

Test(labfile, wrong_kinds)
{
	expect_problems("- name: x\n",
			"t.yaml:1:1: the lab file must be a mapping (expected name, bridges, hosts), not a list\n");
	expect_problems("name: x\nhosts:\n  - ns01\n",
			"t.yaml:3:3: \"hosts\" must be a mapping of host names\n");
	expect_problems("name: x\nbridges: int_br\n",
			"t.yaml:2:10: \"bridges\" must be a mapping of bridge names\n");
	expect_problems("name: x\nbridges:\n  b1: [gateway]\n",
			"t.yaml:3:7: bridge b1 must be a mapping of settings (expected gateway, nat, uplink)\n");
	expect_problems("name: x\nbridges: {b1: {}}\nhosts:\n  h1: b1\n",
			"t.yaml:4:7: host h1 must be a mapping of settings (expected bridge, address, ifname, port)\n");
}

Test(labfile, wrong_kinds_of_values)
{
	expect_problems("name: {a: b}\n",
			"t.yaml:1:7: \"name\" must be a single value, not a mapping\n");
	expect_problems("name: x\nbridges: {b1: {}}\nhosts:\n  h1:\n    bridge: b1\n    address: [10.0.0.1/24]\n",
			"t.yaml:6:14: \"address\" must be a single value, not a list\n");
	expect_problems("name: x\n? [a, b]\n: c\n",
			"t.yaml:2:3: a key must be a name, not a list\n");
}

Test(labfile, empty_and_missing)
{
	expect_problems("", "t.yaml:1:1: the lab file is empty (expected name, bridges, hosts)\n");
	expect_problems("# nothing\n", "t.yaml:1:1: the lab file is empty (expected name, bridges, hosts)\n");
	expect_problems("bridges: {}\n", "t.yaml:1:1: missing key \"name\"\n");
	expect_problems("name: x\nbridges: {b1: {}}\nhosts:\n  h1:\n    address: 10.0.0.1/24\n",
			"t.yaml:4:3: host h1: missing key \"bridge\"\n");
	expect_problems("name: x\n---\nname: y\n",
			"t.yaml:3:1: a lab file holds one YAML document; this is a second one\n");
}

Test(labfile, names)
{
	expect_problems("name: a/b\n",
			"t.yaml:1:7: lab name \"a/b\" is not a valid name: it contains '/'\n");
	expect_problems("name: averyveryverylongname\n",
			"t.yaml:1:7: lab name \"averyveryverylongname\" is longer than 15 bytes\n");
	expect_problems("name: ''\n", "t.yaml:1:7: lab name \"\" is empty\n");
	expect_problems("name: ..\n",
			"t.yaml:1:7: lab name \"..\" is not a valid name: \".\" and \"..\" are reserved\n");
	expect_problems("name: 'a b'\n",
			"t.yaml:1:7: lab name \"a b\" is not a valid name: it contains a space or a control character\n");
	/* A control character is shown as '?' so each problem stays on one line. */
	expect_problems("name: \"a\\nb\"\n",
			"t.yaml:1:7: lab name \"a?b\" is not a valid name: it contains a space or a control character\n");
	expect_problems("name: \"a\\0b\"\n", "t.yaml:1:7: \"name\" contains a NUL character\n");
	expect_problems("name: x\nbridges:\n  a:b: {}\n",
			"t.yaml:3:3: bridge name \"a:b\" is not a valid name: it contains ':' (reserved for host:interface)\n");
	expect_problems("name: x\nbridges: {b1: {}}\nhosts:\n"
			"  h1: {bridge: b1, ifname: eth/0, port: this_is_too_long}\n",
			"t.yaml:4:28: ifname \"eth/0\" is not a valid name: it contains '/'\n"
			"t.yaml:4:41: port \"this_is_too_long\" is longer than 15 bytes\n");
	expect_problems("name: x\nbridges: {b1: {}}\nhosts:\n  h1: {bridge: b1, ifname: lo}\n",
			"t.yaml:4:28: ifname \"lo\" is taken by the namespace's loopback device\n");
	expect_problems("name: x\nbridges: {b1: {uplink: 'eth 0'}}\n",
			"t.yaml:2:24: uplink \"eth 0\" is not a valid name: it contains a space or a control character\n");
}

Test(labfile, duplicates)
{
	expect_problems("name: x\nbridges:\n  int_br: {}\n  int_br: {gateway: 10.0.0.1/24}\n",
			"t.yaml:4:3: duplicate bridge \"int_br\"\n");
	expect_problems("name: x\nbridges: {b1: {}}\nhosts:\n"
			"  h1:\n    bridge: b1\n    address: 10.0.0.1/24\n    address: 10.0.0.2/24\n",
			"t.yaml:7:5: duplicate key \"address\"\n");
	/* The duplicate's own mistakes are still reported. */
	expect_problems("name: x\nbridges: {b1: {}}\nhosts:\n"
			"  h1: {bridge: b1}\n  h1: {bridge: b1, address: 10.0.0.300/24}\n",
			"t.yaml:5:3: duplicate host \"h1\"\n"
			"t.yaml:5:29: \"10.0.0.300/24\" is not an address with a prefix length (like 192.168.100.1/24)\n");
	expect_problems("name: x\nname: y\n", "t.yaml:2:1: duplicate key \"name\"\n");
}

Test(labfile, booleans)
{
	expect_problems("name: x\nbridges: {b1: {gateway: 10.0.0.1/24, nat: yes}}\n",
			"t.yaml:2:43: \"nat\" must be true or false, not \"yes\"\n");
	expect_problems("name: x\nbridges: {b1: {gateway: 10.0.0.1/24, nat: 1}}\n",
			"t.yaml:2:43: \"nat\" must be true or false, not \"1\"\n");
}

Test(labfile, addresses)
{
	const char *head = "name: x\nbridges:\n  b1:\n    gateway: ";
	char yaml[256];

	snprintf(yaml, sizeof(yaml), "%s192.168.100.300/24\n", head);
	expect_problems(yaml, "t.yaml:4:14: \"192.168.100.300/24\" is not an address with a prefix length (like 192.168.100.1/24)\n");
	snprintf(yaml, sizeof(yaml), "%s192.168.100.1\n", head);
	expect_problems(yaml, "t.yaml:4:14: \"192.168.100.1\" is not an address with a prefix length (like 192.168.100.1/24)\n");
	snprintf(yaml, sizeof(yaml), "%s192.168.100.1/33\n", head);
	expect_problems(yaml, "t.yaml:4:14: \"192.168.100.1/33\" is not an address with a prefix length (like 192.168.100.1/24)\n");
}

static const char *subnet_lab =
	"name: x\n"
	"bridges:\n"
	"  int_br: {gateway: 192.168.100.254/24}\n"
	"hosts:\n";

static void expect_host_problems(const char *hosts, const char *diag)
{
	char yaml[1024];

	snprintf(yaml, sizeof(yaml), "%s%s", subnet_lab, hosts);
	expect_problems(yaml, diag);
}

Test(labfile, host_references)
{
	expect_host_problems("  ns01: {bridge: int_bx}\n",
			     "t.yaml:5:18: host ns01: unknown bridge \"int_bx\"\n");
	expect_host_problems("  ns01: {bridge: int_br, address: 192.168.10.1/24}\n",
			     "t.yaml:5:35: 192.168.10.1/24 is outside int_br's subnet 192.168.100.0/24\n");
	expect_host_problems("  ns01: {bridge: int_br, address: '2001:db8::1/64'}\n",
			     "t.yaml:5:35: 2001:db8::1/64 is outside int_br's subnet 192.168.100.0/24\n");
	expect_host_problems("  ns01: {bridge: int_br, address: 192.168.100.254/24}\n",
			     "t.yaml:5:35: host ns01: 192.168.100.254 is int_br's gateway address\n");
	expect_host_problems("  ns01: {bridge: int_br, address: 192.168.100.1/24}\n"
			     "  ns02: {bridge: int_br, address: 192.168.100.1/24}\n",
			     "t.yaml:6:35: host ns02: address 192.168.100.1 is already used by host ns01\n");
}

Test(labfile, bridge_checks)
{
	expect_problems("name: x\nbridges:\n"
			"  b1: {gateway: 10.1.0.1/16}\n"
			"  b2: {gateway: 10.1.2.1/24}\n",
			"t.yaml:4:17: bridge b2: subnet 10.1.2.0/24 overlaps b1's subnet 10.1.0.0/16\n");
	expect_problems("name: x\nbridges:\n  b1: {nat: true}\n",
			"t.yaml:3:13: bridge b1: nat needs an IPv4 gateway\n");
	expect_problems("name: x\nbridges:\n  b1: {gateway: '2001:db8::1/64', nat: true}\n",
			"t.yaml:3:40: bridge b1: nat needs an IPv4 gateway\n");
	/* A malformed gateway is one problem, not two. */
	expect_problems("name: x\nbridges:\n  b1: {gateway: 10.0.0/24, nat: true}\n",
			"t.yaml:3:17: \"10.0.0/24\" is not an address with a prefix length (like 192.168.100.1/24)\n");
}

Test(labfile, port_and_host_names)
{
	expect_host_problems("  ns01: {bridge: int_br, port: p1}\n"
			     "  ns02: {bridge: int_br, port: p1}\n",
			     "t.yaml:6:32: host ns02: port \"p1\" is already used by host ns01\n");
	expect_host_problems("  ns01: {bridge: int_br, port: int_br}\n",
			     "t.yaml:5:32: host ns01: port \"int_br\" is a bridge's name\n");
	expect_host_problems("  ns01: {bridge: int_br, port: ns02_tap}\n"
			     "  ns02: {bridge: int_br}\n",
			     "t.yaml:6:3: host ns02: port \"ns02_tap\" is already used by host ns01"
			     " (set \"port\" to choose another name)\n");
	expect_host_problems("  int_br: {bridge: int_br}\n",
			     "t.yaml:5:3: host name \"int_br\" is already a bridge's name\n");
	expect_problems("name: x\nbridges: {b1: {uplink: wan0}}\nhosts:\n  h1: {bridge: b1, port: wan0}\n",
			"t.yaml:4:26: host h1: port \"wan0\" is bridge b1's uplink\n");
}

Test(labfile, bad_five)
{
	const char *path = sandbox_fixture("bad-five.yaml");
	struct lab *lab = (struct lab *)&lab;
	char *diag = NULL, *p, want[2048];
	size_t len, lines = 0;
	FILE *f = open_memstream(&diag, &len);

	cr_assert_eq(labfile_load(path, f, &lab), -EINVAL);
	fclose(f);
	cr_expect_null(lab);
	for (p = diag; *p; p++)
		lines += *p == '\n';
	cr_expect_eq(lines, 5, "%s", diag);
	snprintf(want, sizeof(want),
		 "%1$s:11:1: unknown key \"brigdes\" (expected name, bridges, hosts)\n"
		 "%1$s:17:14: \"192.168.100.300/24\" is not an address with a prefix length (like 192.168.100.1/24)\n"
		 "%1$s:19:13: host ns02: unknown bridge \"int_bx\"\n"
		 "%1$s:20:3: host name \"averyveryverylongname\" is longer than 15 bytes\n"
		 "%1$s:22:14: 192.168.10.1/24 is outside int_br's subnet 192.168.100.0/24\n",
		 path);
	cr_expect_str_eq(diag, want);
	snprintf(want, sizeof(want), "%s: the lab file has 5 problems", path);
	cr_expect_str_eq(err_get(), want);
	free(diag);
}

Test(labfile, display_name_and_errno)
{
	struct result r = parse_as("lab/my.yaml", "name: x\nfoo: 1\n");
	struct lab *lab = (struct lab *)&lab;

	cr_expect_str_eq(r.diag, "lab/my.yaml:2:1: unknown key \"foo\" (expected name, bridges, hosts)\n");
	cr_expect_str_eq(err_get(), "lab/my.yaml: the lab file has 1 problem");
	result_free(&r);

	cr_expect_eq(labfile_load("/nonexistent/lab.yaml", stderr, &lab), -ENOENT);
	cr_expect_null(lab);
	cr_expect_str_eq(err_get(), "/nonexistent/lab.yaml: cannot read the lab file: No such file or directory");
}

/* ---- the model helpers ------------------------------------------------- */

Test(lab, addr_parse)
{
	static const char *const bad[] = {
		"", "/24", "10.0.0.1", "10.0.0.1/", "10.0.0.1/33", "10.0.0.1/-1",
		"10.0.0.1/ 8", "10.0.0.1/8x", "10.0.0.1/8/8", "10.0.0.1/0008",
		"10.0.0/8", "10.0.0.256/8", "010.0.0.1/8", " 10.0.0.1/8",
		"::1/129", "fe80::1%eth0/64", "2001:db8::g/64", "host/24",
	};
	struct lab_addr a = { .family = 99 };
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_expect_eq(lab_addr_parse(bad[i], &a), -EINVAL, "\"%s\" accepted", bad[i]);
		cr_expect_eq(a.family, 99, "\"%s\" wrote the result", bad[i]);
	}
	cr_expect_eq(lab_addr_parse(NULL, &a), -EINVAL);

	a = addr("10.1.2.3/8");
	cr_expect_eq(a.family, AF_INET);
	cr_expect_eq(a.prefix, 8);
	cr_expect_eq(a.v4.s_addr, inet_addr("10.1.2.3"));
	cr_expect_eq(addr("0.0.0.0/0").prefix, 0);
	cr_expect_eq(addr("1.2.3.4/32").prefix, 32);
	a = addr("::/0");
	cr_expect_eq(a.family, AF_INET6);
	cr_expect_eq(a.prefix, 0);
	cr_expect_eq(addr("::1/128").prefix, 128);
	cr_expect_eq(addr("::ffff:10.0.0.1/96").family, AF_INET6);
}

Test(lab, addr_str)
{
	struct lab_addr a = addr("192.168.100.254/24"), none = { 0 };
	char small[8];

	expect_addr(&a, "192.168.100.254/24");
	a = addr("2001:0db8:0:0::1/64");
	expect_addr(&a, "2001:db8::1/64");
	expect_addr(&none, "(no address)");
	cr_expect_str_eq(lab_addr_str(&a, small, sizeof(small)), "2001:db");
}

Test(lab, addr_network)
{
	struct lab_addr a;

	a = addr("192.168.100.254/24");
	a = lab_addr_network(&a);
	expect_addr(&a, "192.168.100.0/24");
	a = addr("192.168.100.254/25");
	a = lab_addr_network(&a);
	expect_addr(&a, "192.168.100.128/25");
	a = addr("10.1.2.3/0");
	a = lab_addr_network(&a);
	expect_addr(&a, "0.0.0.0/0");
	a = addr("10.1.2.3/32");
	a = lab_addr_network(&a);
	expect_addr(&a, "10.1.2.3/32");
	a = addr("2001:db8:1:2::1/60");
	a = lab_addr_network(&a);
	expect_addr(&a, "2001:db8:1::/60");
	a = addr("2001:db8::ff/121");
	a = lab_addr_network(&a);
	expect_addr(&a, "2001:db8::80/121");
}

static bool in(const char *net, const char *a)
{
	struct lab_addr n = addr(net), b = addr(a);

	return lab_addr_in_subnet(&n, &b);
}

Test(lab, addr_in_subnet)
{
	struct lab_addr gw = addr("192.168.100.254/24"), none = { 0 };

	cr_expect(in("192.168.100.254/24", "192.168.100.254/24"));
	cr_expect(in("192.168.100.254/24", "192.168.100.1/32"));
	cr_expect(in("192.168.100.254/24", "192.168.100.1/25"));
	cr_expect_not(in("192.168.100.1/25", "192.168.100.254/24"));
	cr_expect_not(in("192.168.100.254/24", "192.168.101.1/24"));
	cr_expect(in("0.0.0.0/0", "10.0.0.1/8"));
	cr_expect(in("10.0.0.1/32", "10.0.0.1/32"));
	cr_expect_not(in("10.0.0.1/32", "10.0.0.2/32"));
	cr_expect_not(in("192.168.100.254/24", "2001:db8::1/64"));
	cr_expect_not(in("2001:db8::1/64", "192.168.100.254/24"));
	cr_expect(in("2001:db8::1/64", "2001:db8::ffff:1/128"));
	cr_expect_not(in("2001:db8::1/64", "2001:db9::1/64"));
	cr_expect(in("::/0", "::1/128"));
	cr_expect_not(lab_addr_in_subnet(&none, &none));
	cr_expect_not(lab_addr_in_subnet(&gw, &none));
	cr_expect_not(lab_addr_in_subnet(&none, &gw));
}

Test(lab, name_valid)
{
	static const char *const good[] = { "a", "ns01", "int_br", "veth-ns01", "123456789012345",
					    "...", ".a", "\xc3\xa9t\xc3\xa9" };
	static const char *const bad[] = { "", ".", "..", "1234567890123456", "a/b", "a b",
					   "a\tb", "a\nb", "a:b", "a\x7f", "\x01" };
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		cr_expect(lab_name_valid(good[i]), "\"%s\" refused", good[i]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_expect_not(lab_name_valid(bad[i]), "\"%s\" accepted", bad[i]);
	cr_expect_not(lab_name_valid(NULL));
}

Test(lab, port_default)
{
	char out[16];

	lab_port_default("ns01", 0, out);
	cr_expect_str_eq(out, "ns01_tap");
	lab_port_default("abcdefghijk", 0, out);
	cr_expect_str_eq(out, "abcdefghijk_tap");
	lab_port_default("abcdefghijkl", 0, out);
	cr_expect_str_eq(out, "abcdefghijk_tap");
	lab_port_default("averyveryverylongname", 0, out);
	cr_expect_str_eq(out, "averyveryve_tap");
	lab_port_default("ns01", 1, out);
	cr_expect_str_eq(out, "ns01_tap1");
	lab_port_default("abcdefghijklmnop", 12, out);
	cr_expect_str_eq(out, "abcdefghi_tap12");
	cr_expect(lab_name_valid(out));
	lab_port_default("h", 123456789012, out);
	cr_expect_eq(strlen(out), LAB_NAME_MAX);
}

Test(lab, free_null)
{
	lab_free(NULL);
}
