/* The lab file reader and the lab model helpers: pure logic, no root. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "model/lab.h"
#include "labfile/labfile.h"
#include "labparse.h"
#include "sandbox.h"

#define IFACE_KEYS                                                                     \
	"bridge, address, addresses, ifname, port, mac, mtu, ofport, vlan, trunks, delay, "  \
	"jitter, distribution, loss, loss_correlation, duplicate, reorder, corrupt, rate, "  \
	"limit, state, physical, take_default_route, parent, vlan_id"
#define TOP_KEYS "name, bridges, hosts, links, patches, mirrors, checks, machines, underlay, firewall"
#define BRIDGE_KEYS                                                                     \
	"gateway, gateway6, nat, uplink, flows, flows_file, groups, meters, openflow, datapath, "    \
	"fail_mode, protocols, controller, "                                             \
	"mcast_snooping, stp, rstp, other_config, external_ids, mirrors, tunnel, key, interfaces, gateway_on, taps"
#define HOST_KEYS IFACE_KEYS ", interfaces, routes, sysctls, exec, machine"


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
	cr_expect_eq(h->ifaces[0].attach, LAB_ATTACH_BRIDGE);
	cr_assert_eq(h->ifaces[0].n_addrs, 1);
	cr_expect_eq(h->ifaces[0].addrs[0].family, AF_INET);
	expect_addr(&h->ifaces[0].addrs[0], a);
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
	cr_expect_eq(lab_find_iface(&lab->hosts[1], "veth-ns02"), &lab->hosts[1].ifaces[0]);
	cr_expect_null(lab_find_iface(&lab->hosts[1], "veth-ns01"));
	cr_expect_null(lab_find_iface(&lab->hosts[1], NULL));
	cr_expect_null(lab_find_iface(NULL, "veth-ns02"));
	cr_expect_eq(lab->n_links, 0);
	cr_expect_not(lab->has_ipv6);
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
	cr_expect_eq(h->ifaces[0].n_addrs, 0);
	cr_expect_null(h->ifaces[0].addrs);
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
	r = expect_ok("name: x\nbridges:\nhosts:\nlinks:\n");
	cr_expect_eq(r.lab->n_bridges, 0);
	cr_expect_eq(r.lab->n_links, 0);
	result_free(&r);
	r = expect_ok("name: x\n"
		      "bridges:\n"
		      "  b1: {gateway: 10.0.0.1/24}\n"
		      "  b2: {gateway6: 'fd00:db8::1/64'}\n"
		      "  b3:\n"
		      "hosts:\n"
		      "  h1: {bridge: b1, address: 10.0.0.2/24}\n"
		      "  h2: {bridge: b2, address: 'fd00:db8::2/64'}\n"
		      "  h3: {bridge: b3, address: 10.0.0.2/24}\n");
	cr_expect_eq(r.lab->hosts[1].ifaces[0].addrs[0].family, AF_INET6);
	expect_addr(&r.lab->hosts[1].ifaces[0].addrs[0], "fd00:db8::2/64");
	cr_expect(r.lab->has_ipv6);
	result_free(&r);
	/* No bridges key at all, and a host with no interface but lo. */
	r = expect_ok("name: x\nhosts:\n  h1:\n  h2: {}\n");
	cr_expect_eq(r.lab->n_bridges, 0);
	cr_expect_eq(r.lab->n_hosts, 2);
	cr_expect_eq(r.lab->hosts[0].n_ifaces, 0);
	cr_expect_eq(r.lab->hosts[1].n_ifaces, 0);
	result_free(&r);
}

static struct lab *load_fixture(const char *name)
{
	struct lab *lab = NULL;
	char *diag = NULL;
	size_t len;
	FILE *f = open_memstream(&diag, &len);

	cr_assert_not_null(f);
	cr_assert_eq(labfile_load(sandbox_fixture(name), f, &lab), 0, "%s", name);
	fclose(f);
	cr_assert_str_empty(diag, "%s: %s", name, diag);
	free(diag);
	cr_assert_not_null(lab);
	return lab;
}

static void expect_iface(const struct lab_iface *ifc, enum lab_attach attach,
			 const char *bridge, const char *ifname, const char *port)
{
	cr_expect_eq(ifc->attach, attach, "%s: attach %d", ifc->ifname, ifc->attach);
	if (bridge)
		cr_expect_str_eq(ifc->bridge, bridge);
	else
		cr_expect_null(ifc->bridge);
	cr_expect_str_eq(ifc->ifname, ifname);
	if (port)
		cr_expect_str_eq(ifc->port, port);
	else
		cr_expect_null(ifc->port);
}

static void expect_route(const struct lab_route *r, const char *dst, const char *via,
			 const char *dev)
{
	char buf[64];

	expect_addr(&r->dst, dst);
	if (via) {
		cr_expect_str_eq(lab_addr_str(&r->via, buf, sizeof(buf)), via);
	} else {
		cr_expect_eq(r->via.family, 0);
	}
	if (dev)
		cr_expect_str_eq(r->dev, dev);
	else
		cr_expect_null(r->dev);
}

Test(labfile, multi_model)
{
	struct lab *lab = load_fixture("multi.yaml");
	const struct lab_host *h;

	cr_expect_str_eq(lab->name, "multi");
	cr_assert_eq(lab->n_bridges, 2);
	expect_addr(&lab->bridges[1].gateway, "10.0.2.254/24");
	cr_expect_not(lab->bridges[0].nat);
	cr_expect_not(lab->bridges[1].nat);
	cr_expect_not(lab->has_ipv6);
	cr_assert_eq(lab->n_hosts, 3);

	h = lab_find_host(lab, "r1");
	cr_assert_not_null(h);
	expect_pos(h->pos, 10, 3);
	cr_assert_eq(h->n_ifaces, 2);
	expect_iface(&h->ifaces[0], LAB_ATTACH_BRIDGE, "br1", "eth0", "r1_tap");
	expect_iface(&h->ifaces[1], LAB_ATTACH_BRIDGE, "br2", "eth1", "r1_tap1");
	expect_pos(h->ifaces[0].pos, 12, 9);
	expect_pos(h->ifaces[1].pos, 15, 9);
	cr_assert_eq(h->ifaces[1].n_addrs, 1);
	expect_addr(&h->ifaces[1].addrs[0], "10.0.2.2/24");
	cr_assert_eq(h->n_sysctls, 1);
	cr_expect_str_eq(h->sysctls[0].key, "net.ipv4.ip_forward");
	cr_expect_str_eq(h->sysctls[0].value, "1");
	expect_pos(h->sysctls[0].pos, 19, 7);
	cr_expect_eq(h->n_routes, 0);
	cr_expect_eq(lab_find_iface(h, "eth1"), &h->ifaces[1]);

	h = lab_find_host(lab, "h1");
	cr_assert_not_null(h);
	cr_assert_eq(h->n_ifaces, 1);
	expect_iface(&h->ifaces[0], LAB_ATTACH_BRIDGE, "br1", "eth0", "h1_tap");
	cr_assert_eq(h->n_routes, 1);
	expect_route(&h->routes[0], "10.0.2.0/24", "10.0.1.2/32", NULL);
	expect_pos(h->routes[0].pos, 24, 9);
	h = lab_find_host(lab, "h2");
	cr_assert_not_null(h);
	cr_assert_eq(h->n_routes, 1);
	expect_route(&h->routes[0], "10.0.1.0/24", "10.0.2.2/32", NULL);
	lab_free(lab);
}

Test(labfile, links_model)
{
	struct lab *lab = load_fixture("links.yaml");
	const struct lab_iface *ifc;

	cr_expect_str_eq(lab->name, "links");
	cr_expect_eq(lab->n_bridges, 0);
	cr_expect_null(lab->bridges);
	cr_assert_eq(lab->n_links, 1);
	cr_expect_str_eq(lab->links[0].host[0], "ns01");
	cr_expect_str_eq(lab->links[0].ifname[0], "veth-ns01");
	cr_expect_str_eq(lab->links[0].host[1], "ns02");
	cr_expect_str_eq(lab->links[0].ifname[1], "veth-ns02");
	expect_pos(lab->links[0].pos, 12, 5);
	cr_assert_eq(lab->n_hosts, 2);
	ifc = &lab->hosts[0].ifaces[0];
	expect_iface(ifc, LAB_ATTACH_LINK, NULL, "veth-ns01", NULL);
	cr_expect_str_eq(ifc->peer_host, "ns02");
	cr_expect_str_eq(ifc->peer_ifname, "veth-ns02");
	expect_addr(&ifc->addrs[0], "10.0.0.1/24");
	ifc = &lab->hosts[1].ifaces[0];
	expect_iface(ifc, LAB_ATTACH_LINK, NULL, "veth-ns02", NULL);
	cr_expect_str_eq(ifc->peer_host, "ns01");
	cr_expect_str_eq(ifc->peer_ifname, "veth-ns01");
	expect_addr(&ifc->addrs[0], "10.0.0.2/24");
	lab_free(lab);
}

Test(labfile, machine_model)
{
	struct lab *lab = load_fixture("machine.yaml");
	const struct lab_host *h;

	cr_expect_str_eq(lab->name, "machine");
	cr_expect_eq(lab->n_bridges, 0);
	cr_assert_eq(lab->n_hosts, 1);
	h = &lab->hosts[0];
	cr_expect_str_eq(h->name, "ns1");
	cr_assert_eq(h->n_ifaces, 1);
	expect_iface(&h->ifaces[0], LAB_ATTACH_MACHINE, NULL, "eth0", "m-ns1");
	cr_assert_eq(h->ifaces[0].n_addrs, 1);
	expect_addr(&h->ifaces[0].addrs[0], "10.200.1.2/32");
	lab_free(lab);
}

Test(labfile, ipv6_model)
{
	struct lab *lab = load_fixture("ipv6.yaml");

	cr_expect_str_eq(lab->name, "six");
	cr_expect(lab->has_ipv6);
	cr_assert_eq(lab->n_bridges, 1);
	cr_expect_eq(lab->bridges[0].gateway.family, 0);
	cr_expect_eq(lab->bridges[0].gateway6.family, AF_INET6);
	expect_addr(&lab->bridges[0].gateway6, "fd00:6::fe/64");
	cr_assert_eq(lab->n_hosts, 2);
	expect_iface(&lab->hosts[0].ifaces[0], LAB_ATTACH_BRIDGE, "br6", "eth0", "a_tap");
	expect_addr(&lab->hosts[0].ifaces[0].addrs[0], "fd00:6::1/64");
	expect_addr(&lab->hosts[1].ifaces[0].addrs[0], "fd00:6::2/64");
	lab_free(lab);
}

Test(labfile, firewall_key)
{
	struct lab *lab = load_fixture("nat-nftables.yaml");
	struct result r;

	cr_expect_eq(lab->firewall, LAB_FIREWALL_NFTABLES);
	lab_free(lab);
	r = expect_ok("name: t\nfirewall: iptables\n");
	cr_expect_eq(r.lab->firewall, LAB_FIREWALL_IPTABLES);
	result_free(&r);
	r = expect_ok("name: t\n");
	cr_expect_eq(r.lab->firewall, LAB_FIREWALL_AUTO);
	result_free(&r);
	expect_problems("name: t\nfirewall: pf\n",
			"t.yaml:2:11: firewall \"pf\" is not auto, iptables or nftables\n");
}

Test(labfile, features_model)
{
	static const uint8_t mac[6] = { 2, 0, 0, 0, 5, 1 };
	struct lab *lab = load_fixture("features.yaml");
	const struct lab_host *h;
	const struct lab_iface *ifc;

	cr_expect_str_eq(lab->name, "feat");
	cr_assert_eq(lab->n_hosts, 1);
	h = &lab->hosts[0];
	ifc = &h->ifaces[0];
	expect_iface(ifc, LAB_ATTACH_BRIDGE, "brf", "eth0", "f1_tap");
	cr_expect(ifc->has_mac);
	cr_expect_arr_eq(ifc->mac, mac, sizeof(mac));
	cr_expect_eq(ifc->mtu, 1400);
	cr_assert_eq(h->n_routes, 2);
	expect_route(&h->routes[0], "10.99.0.0/16", "10.0.5.254/32", NULL);
	expect_route(&h->routes[1], "10.98.0.0/16", NULL, "eth0");
	cr_assert_eq(h->n_sysctls, 1);
	cr_expect_str_eq(h->sysctls[0].key, "net.ipv4.ip_forward");
	cr_assert_eq(h->n_exec, 2);
	cr_assert_eq(h->exec[0].argc, 3);
	cr_expect_str_eq(h->exec[0].argv[0], "sh");
	cr_expect_str_eq(h->exec[0].argv[2], "sleep 1000 &");
	cr_expect_null(h->exec[0].argv[3]);
	expect_pos(h->exec[0].pos, 19, 9);
	cr_assert_eq(h->exec[1].argc, 6);
	cr_expect_str_eq(h->exec[1].argv[0], "ip");
	cr_expect_str_eq(h->exec[1].argv[5], "up");
	cr_expect_null(h->exec[1].argv[6]);
	lab_free(lab);
}

Test(labfile, long_form_and_links)
{
	struct result r = expect_ok(
		"name: x\n"
		"bridges:\n"
		"  b1: {gateway: 10.0.1.254/24, gateway6: 'fd00:1::fe/64'}\n"
		"hosts:\n"
		"  r1:\n"
		"    interfaces:\n"
		"      - bridge: b1\n"
		"        addresses: [10.0.1.2/24, 'fd00:1::2/64']\n"
		"        mtu: 9000\n"
		"      - addresses: [10.0.9.1/30]\n"
		"      - ifname: up\n"
		"        bridge: none\n"
		"        address: 10.200.0.1/32\n"
		"        port: m-r1\n"
		"  h2:\n"
		"    routes: [{to: default, via: 10.0.9.1}]\n"
		"links:\n"
		"  - [r1:eth1, h2:eth0]\n"
		"  - [h2:wire, r1:cable]\n");
	const struct lab_host *h;

	h = lab_find_host(r.lab, "r1");
	cr_assert_not_null(h);
	cr_assert_eq(h->n_ifaces, 4);
	expect_iface(&h->ifaces[0], LAB_ATTACH_BRIDGE, "b1", "eth0", "r1_tap");
	cr_assert_eq(h->ifaces[0].n_addrs, 2);
	expect_addr(&h->ifaces[0].addrs[1], "fd00:1::2/64");
	cr_expect_eq(h->ifaces[0].mtu, 9000);
	expect_pos(h->ifaces[0].pos, 7, 9);
	expect_iface(&h->ifaces[1], LAB_ATTACH_LINK, NULL, "eth1", NULL);
	cr_expect_str_eq(h->ifaces[1].peer_host, "h2");
	cr_expect_str_eq(h->ifaces[1].peer_ifname, "eth0");
	expect_iface(&h->ifaces[2], LAB_ATTACH_MACHINE, NULL, "up", "m-r1");
	/* Named by a link only: added with no address. */
	expect_iface(&h->ifaces[3], LAB_ATTACH_LINK, NULL, "cable", NULL);
	cr_expect_eq(h->ifaces[3].n_addrs, 0);
	cr_expect_str_eq(h->ifaces[3].peer_ifname, "wire");
	expect_pos(h->ifaces[3].pos, 19, 15);

	h = lab_find_host(r.lab, "h2");
	cr_assert_not_null(h);
	cr_assert_eq(h->n_ifaces, 2);
	expect_iface(&h->ifaces[0], LAB_ATTACH_LINK, NULL, "eth0", NULL);
	cr_expect_str_eq(h->ifaces[0].peer_ifname, "eth1");
	expect_iface(&h->ifaces[1], LAB_ATTACH_LINK, NULL, "wire", NULL);
	expect_route(&h->routes[0], "0.0.0.0/0", "10.0.9.1/32", NULL);
	cr_assert_eq(r.lab->n_links, 2);
	expect_pos(r.lab->links[1].pos, 19, 5);
	cr_expect(r.lab->has_ipv6);
	result_free(&r);
}

Test(labfile, routes_sysctls_exec)
{
	struct result r = expect_ok(
		"name: x\n"
		"hosts:\n"
		"  h1:\n"
		"    routes:\n"
		"      - {to: default, via: 'fd00::1'}\n"
		"      - {to: 'fd00:5::/64', dev: eth9}\n"
		"      - {to: default, dev: eth9}\n"
		"      - {to: 10.1.2.3/32, via: 10.0.0.1, dev: eth9}\n"
		"    sysctls:\n"
		"      net.ipv6.conf.all.forwarding: 1\n"
		"      net.ipv4.conf.eth9.rp_filter: '0'\n"
		"      net.ipv4.tcp_ecn: true\n"
		"    exec:\n"
		"      - \" sleep \\t 5 \"\n"
		"      - [sh, -c, 'echo hi > /tmp/x', '']\n"
		"  h2:\n"
		"links: [[h1:eth9, h2:eth9]]\n");
	const struct lab_host *h = &r.lab->hosts[0];

	cr_assert_eq(h->n_routes, 4);
	expect_route(&h->routes[0], "::/0", "fd00::1/128", NULL);
	expect_route(&h->routes[1], "fd00:5::/64", NULL, "eth9");
	expect_route(&h->routes[2], "0.0.0.0/0", NULL, "eth9");
	expect_route(&h->routes[3], "10.1.2.3/32", "10.0.0.1/32", "eth9");
	expect_pos(h->routes[1].pos, 6, 9);
	cr_assert_eq(h->n_sysctls, 3);
	cr_expect_str_eq(h->sysctls[1].key, "net.ipv4.conf.eth9.rp_filter");
	cr_expect_str_eq(h->sysctls[1].value, "0");
	cr_expect_str_eq(h->sysctls[2].value, "true");
	expect_pos(h->sysctls[2].pos, 12, 7);
	cr_assert_eq(h->n_exec, 2);
	cr_assert_eq(h->exec[0].argc, 2);
	cr_expect_str_eq(h->exec[0].argv[0], "sleep");
	cr_expect_str_eq(h->exec[0].argv[1], "5");
	cr_expect_null(h->exec[0].argv[2]);
	expect_pos(h->exec[0].pos, 14, 9);
	cr_assert_eq(h->exec[1].argc, 4);
	cr_expect_str_eq(h->exec[1].argv[2], "echo hi > /tmp/x");
	cr_expect_str_eq(h->exec[1].argv[3], "");
	cr_expect_null(h->exec[1].argv[4]);
	cr_expect(r.lab->has_ipv6);
	result_free(&r);

	/* An IPv6 route alone turns IPv6 on. */
	r = expect_ok("name: x\nhosts:\n  h1:\n    routes: [{to: 'fd00:9::/64', dev: e}]\n"
		      "  h2:\nlinks: [[h1:e, h2:e]]\n");
	cr_expect(r.lab->has_ipv6);
	result_free(&r);
}

/* ---- problems ---------------------------------------------------------- */

Test(labfile, unknown_keys)
{
	expect_problems("name: x\nbrigdes: {}\n",
			"t.yaml:2:1: unknown key \"brigdes\" (expected " TOP_KEYS ")\n");
	expect_problems("name: x\nbridges:\n  b1:\n    gatway: 10.0.0.1/24\n",
			"t.yaml:4:5: unknown key \"gatway\" (expected " BRIDGE_KEYS ")\n");
	expect_problems("name: x\nbridges: {b1: {}}\nhosts:\n  h1:\n    bridge: b1\n    adress: 10.0.0.1/24\n",
			"t.yaml:6:5: unknown key \"adress\" (expected " HOST_KEYS ")\n");
	expect_problems("name: x\nbridges: {b1: {}}\nhosts:\n  h1:\n    interfaces:\n      - bridge: b1\n        adress: 10.0.0.1/24\n",
			"t.yaml:7:9: unknown key \"adress\" (expected " IFACE_KEYS ")\n");
	expect_problems("name: x\nhosts:\n  h1:\n    routes:\n      - {to: default, gw: 10.0.0.1}\n",
			"t.yaml:5:9: host h1: route to 0.0.0.0/0 needs \"via\" or \"dev\"\n"
			"t.yaml:5:23: unknown key \"gw\" (expected to, via, dev)\n");
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
			"t.yaml:1:1: the lab file must be a mapping (expected " TOP_KEYS "), not a list\n");
	expect_problems("name: x\nhosts:\n  - ns01\n",
			"t.yaml:3:3: \"hosts\" must be a mapping of host names\n");
	expect_problems("name: x\nbridges: int_br\n",
			"t.yaml:2:10: \"bridges\" must be a mapping of bridge names\n");
	expect_problems("name: x\nbridges:\n  b1: [gateway]\n",
			"t.yaml:3:7: bridge b1 must be a mapping of settings (expected " BRIDGE_KEYS ")\n");
	expect_problems("name: x\nbridges: {b1: {}}\nhosts:\n  h1: b1\n",
			"t.yaml:4:7: host h1 must be a mapping of settings (expected " HOST_KEYS ")\n");
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
	expect_problems("", "t.yaml:1:1: the lab file is empty (expected " TOP_KEYS ")\n");
	expect_problems("# nothing\n", "t.yaml:1:1: the lab file is empty (expected " TOP_KEYS ")\n");
	expect_problems("bridges: {}\n", "t.yaml:1:1: missing key \"name\"\n");
	expect_problems("name: x\nbridges: {b1: {}}\nhosts:\n  h1:\n    address: 10.0.0.1/24\n",
			"t.yaml:4:3: host h1: interface eth0 is attached to nothing"
			" (give bridge: NAME, bridge: none, or use it in links)\n");
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
	expect_problems("name: .switch\n",
			"t.yaml:1:7: lab name \".switch\" must not start with a dot\n");
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
	expect_problems("name: x\nbridges:\n  b6: {gateway6: 'fd00:6::fe/64'}\nhosts:\n"
			"  ns01: {bridge: b6, address: 'fd00:7::1/64'}\n"
			"  ns02: {bridge: b6, address: 'fd00:6::fe/64'}\n",
			"t.yaml:5:31: fd00:7::1/64 is outside b6's subnet fd00:6::/64\n"
			"t.yaml:6:31: host ns02: fd00:6::fe is b6's gateway address\n");
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
	expect_problems("name: x\nbridges:\n  b1: {gateway6: 'fd00::1/64', nat: true}\n",
			"t.yaml:3:37: bridge b1: nat needs an IPv4 gateway\n");
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

Test(labfile, interface_forms)
{
	expect_problems("name: x\nbridges: {b1: {}}\nhosts:\n"
			"  h1:\n    bridge: b1\n    interfaces: [{bridge: b1}]\n",
			"t.yaml:5:5: host h1: \"bridge\" belongs in one of its \"interfaces\""
			" (a host has either interface keys or \"interfaces\", not both)\n");
	expect_problems("name: x\nbridges: {b1: {}}\nhosts:\n"
			"  h1: {bridge: b1, address: 10.0.0.1/24, addresses: [10.0.0.2/24]}\n",
			"t.yaml:4:42: give \"address\" or \"addresses\", not both\n");
	expect_problems("name: x\nbridges: {b1: {}}\nhosts:\n"
			"  h1: {bridge: b1, addresses: 10.0.0.1/24}\n",
			"t.yaml:4:31: \"addresses\" must be a list of addresses, not a single value\n");
	expect_problems("name: x\nbridges: {b1: {}}\nhosts:\n"
			"  h1: {bridge: b1, addresses: [[10.0.0.1/24]]}\n",
			"t.yaml:4:32: an address must be a single value, not a list\n");
	expect_problems("name: x\nhosts:\n  h1:\n    interfaces: {eth0: {}}\n",
			"t.yaml:4:17: \"interfaces\" must be a list of interfaces, not a mapping\n");
	expect_problems("name: x\nhosts:\n  h1:\n    interfaces: [eth0]\n",
			"t.yaml:4:18: an interface must be a mapping of settings (expected " IFACE_KEYS
			"), not a single value\n"
			"t.yaml:4:18: host h1: interface eth0 is attached to nothing"
			" (give bridge: NAME, bridge: none, or use it in links)\n");
	/* Default names count from eth0 in list order. */
	expect_problems("name: x\nbridges: {b1: {}}\nhosts:\n  h1:\n    interfaces:\n"
			"      - {bridge: b1}\n      - {address: 10.0.0.1/24}\n"
			"      - {bridge: b1, ifname: eth0}\n      - {bridge: b1, ifname: lo}\n",
			"t.yaml:7:9: host h1: interface eth1 is attached to nothing"
			" (give bridge: NAME, bridge: none, or use it in links)\n"
			"t.yaml:8:30: host h1: interface name \"eth0\" is already used\n"
			"t.yaml:9:30: ifname \"lo\" is taken by the namespace's loopback device\n");
}

Test(labfile, interface_values)
{
	expect_problems("name: x\nbridges: {b1: {}}\nhosts:\n"
			"  h1: {bridge: b1, mac: '02:00:00:00:01'}\n"
			"  h2: {bridge: b1, mac: '01:00:5e:00:00:01'}\n"
			"  h3: {bridge: b1, mac: '00:00:00:00:00:00'}\n"
			"  h4: {bridge: b1, mac: '02:00:00:00:01:0g'}\n"
			"  h5: {bridge: b1, mac: '02:00:00:00:01:01:'}\n",
			"t.yaml:4:25: mac \"02:00:00:00:01\" is not a MAC address (like 02:00:00:00:01:01)\n"
			"t.yaml:5:25: mac 01:00:5e:00:00:01 is a multicast address (the first byte must be even)\n"
			"t.yaml:6:25: mac 00:00:00:00:00:00 is all zero\n"
			"t.yaml:7:25: mac \"02:00:00:00:01:0g\" is not a MAC address (like 02:00:00:00:01:01)\n"
			"t.yaml:8:25: mac \"02:00:00:00:01:01:\" is not a MAC address (like 02:00:00:00:01:01)\n");
	expect_problems("name: x\nbridges: {b1: {}}\nhosts:\n"
			"  h1: {bridge: b1, mtu: 67}\n"
			"  h2: {bridge: b1, mtu: 65536}\n"
			"  h3: {bridge: b1, mtu: 1500x}\n"
			"  h4: {bridge: b1, mtu: -1}\n",
			"t.yaml:4:25: mtu \"67\" must be a whole number from 68 to 65535\n"
			"t.yaml:5:25: mtu \"65536\" must be a whole number from 68 to 65535\n"
			"t.yaml:6:25: mtu \"1500x\" must be a whole number from 68 to 65535\n"
			"t.yaml:7:25: mtu \"-1\" must be a whole number from 68 to 65535\n");
	{
		struct result r = expect_ok("name: x\nbridges: {b1: {}}\nhosts:\n"
					    "  h1: {bridge: b1, mac: '0A:bc:DE:f0:00:01', mtu: 65535}\n");
		static const uint8_t mac[6] = { 0x0a, 0xbc, 0xde, 0xf0, 0, 1 };

		cr_expect_arr_eq(r.lab->hosts[0].ifaces[0].mac, mac, sizeof(mac));
		cr_expect_eq(r.lab->hosts[0].ifaces[0].mtu, 65535);
		result_free(&r);
	}
}

Test(labfile, machine_attach)
{
	expect_problems("name: x\nhosts:\n  h1: {bridge: none}\n",
			"t.yaml:3:16: host h1: interface eth0 has bridge: none and needs an address"
			" (the machine routes to it)\n");
	expect_problems("name: x\nhosts:\n"
			"  h1: {bridge: none, address: 10.200.0.1/32}\n"
			"  h2: {bridge: none, address: 10.200.0.1/32, port: h1_tap}\n",
			"t.yaml:4:31: host h2: address 10.200.0.1 is already used by host h1\n"
			"t.yaml:4:52: host h2: port \"h1_tap\" is already used by host h1\n");
	expect_problems("name: x\nbridges: {b1: {}}\nhosts:\n"
			"  h1: {bridge: none, address: 10.200.0.1/32, port: b1}\n",
			"t.yaml:4:52: host h1: port \"b1\" is a bridge's name\n");
	expect_problems("name: x\nbridges:\n  none: {}\n",
			"t.yaml:3:3: bridge name \"none\" is reserved"
			" (a host's \"bridge: none\" attaches it to the machine)\n");
}

Test(labfile, link_problems)
{
	const char *hosts = "name: x\nbridges: {b1: {}}\nhosts:\n"
			    "  h1: {bridge: b1}\n  h2:\n  h3:\nlinks:\n";
	char yaml[1024];

#define LINKS(l) (snprintf(yaml, sizeof(yaml), "%s%s", hosts, l), yaml)
	expect_problems(LINKS("  - [h1:eth0, h2:eth0]\n"),
			"t.yaml:8:6: host h1: interface eth0 has a \"bridge\" key, so it cannot be the end of a link\n");
	expect_problems(LINKS("  - [h2:a, h3:a]\n  - [h3:b, h2:a]\n"),
			"t.yaml:9:12: host h2: interface a is already the end of another link\n");
	expect_problems(LINKS("  - [h2:a, h2:b]\n"),
			"t.yaml:8:5: a link must join two different hosts, not h2 to itself\n");
	expect_problems(LINKS("  - [h2:a]\n  - h2:a h3:a\n  - [h2:a, h3:a, h1:a]\n"),
			"t.yaml:8:5: a link must be a list of two ends like [ns01:eth1, r1:eth1]\n"
			"t.yaml:9:5: a link must be a list of two ends like [ns01:eth1, r1:eth1]\n"
			"t.yaml:10:5: a link must be a list of two ends like [ns01:eth1, r1:eth1]\n");
	expect_problems(LINKS("  - [h2, 'h3:']\n  - [':a', [h3:a]]\n"),
			"t.yaml:8:6: link end \"h2\" is not host:interface (like ns01:eth1)\n"
			"t.yaml:9:12: a link end must be a single host:interface value, not a list\n");
	expect_problems(LINKS("  - [h9:a, h3:a]\n  - [h2:lo, h3:b]\n  - ['h 2:a', h3:c]\n  - [h2:a:b, h3:d]\n"),
			"t.yaml:8:6: link end h9:a: unknown host \"h9\"\n"
			"t.yaml:9:6: ifname \"lo\" is taken by the namespace's loopback device\n"
			"t.yaml:10:6: link end \"h 2:a\": host name \"h 2\" is not a valid name:"
			" it contains a space or a control character\n"
			"t.yaml:11:6: ifname \"a:b\" is not a valid name: it contains ':' (reserved for host:interface)\n");
	expect_problems("name: x\nlinks: {a: b}\n",
			"t.yaml:2:8: \"links\" must be a list of links like [ns01:eth1, r1:eth1]\n");
	expect_problems("name: x\nhosts:\n  h1: {ifname: e1, port: p1}\n  h2:\nlinks: [[h1:e1, h2:e1]]\n",
			"t.yaml:3:26: host h1: interface e1 has a port but no bridge"
			" (only bridge: NAME or bridge: none makes one)\n");
#undef LINKS
}

Test(labfile, ipv6_and_gateways)
{
	expect_problems("name: x\nbridges:\n"
			"  b1: {gateway: 'fd00::1/64'}\n"
			"  b2: {gateway6: 10.0.0.1/24}\n",
			"t.yaml:3:17: bridge b1: gateway fd00::1/64 is IPv6; write it as \"gateway6\"\n"
			"t.yaml:4:18: bridge b2: gateway6 10.0.0.1/24 is IPv4; write it as \"gateway\"\n");
	expect_problems("name: x\nbridges:\n"
			"  b1: {gateway6: 'fd00:1::1/48'}\n"
			"  b2: {gateway6: 'fd00:1:0:2::1/64', gateway: 10.0.0.1/24}\n",
			"t.yaml:4:18: bridge b2: subnet fd00:1:0:2::/64 overlaps b1's subnet fd00:1::/48\n");
	/* Each family is checked against its own gateway only. */
	expect_problems("name: x\nbridges:\n"
			"  b1: {gateway: 10.0.0.254/24, gateway6: 'fd00::fe/64'}\n"
			"hosts:\n"
			"  h1: {bridge: b1, addresses: [10.0.0.1/24, 'fd00::1/64', 10.0.1.1/24, 'fd00:1::1/64']}\n"
			"  h2: {bridge: b1, addresses: ['fd00::1/64', 10.0.0.2/24, 10.0.0.2/24]}\n",
			"t.yaml:5:59: 10.0.1.1/24 is outside b1's subnet 10.0.0.0/24\n"
			"t.yaml:5:72: fd00:1::1/64 is outside b1's subnet fd00::/64\n"
			"t.yaml:6:32: host h2: address fd00::1 is already used by host h1\n"
			"t.yaml:6:59: host h2: address 10.0.0.2 is listed twice\n");
	{
		struct result r = expect_ok("name: x\nbridges:\n  b1: {gateway: 10.0.0.254/24}\n"
					    "hosts:\n  h1: {bridge: b1, address: 'fd00::1/64'}\n");

		cr_expect(r.lab->has_ipv6);
		result_free(&r);
	}
}

Test(labfile, route_problems)
{
	expect_problems("name: x\nhosts:\n  h1:\n    routes:\n"
			"      - {to: 10.9.0.1/16, via: 10.0.0.1}\n"
			"      - {to: 10.9.0.0, via: 10.0.0.1}\n"
			"      - {to: 10.8.0.0/16, via: 10.0.0.1/24}\n"
			"      - {to: 10.7.0.0/16, via: 10.0.0.300}\n"
			"      - {to: 10.6.0.0/16, via: 'fd00::1'}\n"
			"      - {to: default}\n"
			"      - {via: 10.0.0.1}\n"
			"      - {to: 10.5.0.0/16, dev: eth3}\n"
			"      - {to: 10.4.0.0/16, dev: 'a/b'}\n"
			"      - 10.3.0.0/16\n",
			"t.yaml:5:14: 10.9.0.1/16 has host bits set (did you mean 10.9.0.0/16?)\n"
			"t.yaml:6:14: \"10.9.0.0\" is not a prefix (like 10.9.0.0/16) or \"default\"\n"
			"t.yaml:7:32: via \"10.0.0.1/24\" must be an address without a prefix length (like 10.0.1.254)\n"
			"t.yaml:8:32: via \"10.0.0.300\" is not an address (like 10.0.1.254)\n"
			"t.yaml:9:32: host h1: route to 10.6.0.0/16 via fd00::1 mixes IPv4 and IPv6\n"
			"t.yaml:10:9: host h1: route to 0.0.0.0/0 needs \"via\" or \"dev\"\n"
			"t.yaml:11:9: host h1: a route needs \"to\" (a prefix or default)\n"
			"t.yaml:12:32: host h1: route dev \"eth3\" is not one of its interfaces\n"
			"t.yaml:13:32: dev \"a/b\" is not a valid name: it contains '/'\n"
			"t.yaml:14:9: a route must be a mapping (expected to, via, dev), not a single value\n");
	expect_problems("name: x\nhosts:\n  h1:\n    routes:\n"
			"      - {to: default, via: 10.0.0.1}\n"
			"      - {to: 0.0.0.0/0, via: 10.0.0.2}\n",
			"t.yaml:6:9: host h1: a route to 0.0.0.0/0 is already given\n");
	expect_problems("name: x\nhosts:\n  h1:\n    routes: {to: default}\n",
			"t.yaml:4:13: \"routes\" must be a list of routes, not a mapping\n");
}

Test(labfile, sysctl_problems)
{
	expect_problems("name: x\nhosts:\n  h1:\n    sysctls:\n"
			"      kernel.hostname: x\n"
			"      net: 1\n"
			"      net.ipv4/ip_forward: 1\n"
			"      net.ipv4..x: 1\n"
			"      net.ipv4.: 1\n"
			"      net.ipv4.ip_forward: [1]\n"
			"      net.core.somaxconn:\n"
			"      net.core.somaxconn: 2\n",
			"t.yaml:5:7: sysctl \"kernel.hostname\" is not a net.* setting (only those belong"
			" to the host's namespace; others would change the machine)\n"
			"t.yaml:6:7: sysctl \"net\" is not a net.* setting (only those belong"
			" to the host's namespace; others would change the machine)\n"
			"t.yaml:7:7: sysctl \"net.ipv4/ip_forward\" is not a valid setting name"
			" (dots between names, no '/' or \"..\")\n"
			"t.yaml:8:7: sysctl \"net.ipv4..x\" is not a valid setting name"
			" (dots between names, no '/' or \"..\")\n"
			"t.yaml:9:7: sysctl \"net.ipv4.\" is not a valid setting name"
			" (dots between names, no '/' or \"..\")\n"
			"t.yaml:10:28: \"net.ipv4.ip_forward\" must be a single value, not a list\n"
			"t.yaml:11:7: sysctl net.core.somaxconn needs a value\n"
			"t.yaml:12:7: duplicate sysctl \"net.core.somaxconn\"\n");
	expect_problems("name: x\nhosts:\n  h1:\n    sysctls: [net.ipv4.ip_forward]\n",
			"t.yaml:4:14: \"sysctls\" must be a mapping of net.* settings to values, not a list\n");
}

Test(labfile, exec_problems)
{
	expect_problems("name: x\nhosts:\n  h1:\n    exec:\n"
			"      - []\n"
			"      - '  '\n"
			"      - {sleep: 1}\n"
			"      - [sleep, [1]]\n"
			"      - ['', x]\n"
			"      - \"a\\0b\"\n",
			"t.yaml:5:9: a command must not be empty\n"
			"t.yaml:6:9: a command must not be empty\n"
			"t.yaml:7:9: a command must be a list of words or a string, not a mapping\n"
			"t.yaml:8:17: a command's words must be single values, not a list\n"
			"t.yaml:9:9: a command's first word must not be empty\n"
			"t.yaml:10:9: a command contains a NUL character\n");
	expect_problems("name: x\nhosts:\n  h1:\n    exec: sleep 1\n",
			"t.yaml:4:11: \"exec\" must be a list of commands, not a single value\n");
}

Test(labfile, bad_model_fixture)
{
	const char *path = sandbox_fixture("bad-model.yaml");
	struct lab *lab = (struct lab *)&lab;
	char *diag = NULL, want[4096];
	size_t len;
	FILE *f = open_memstream(&diag, &len);

	cr_assert_eq(labfile_load(path, f, &lab), -EINVAL);
	fclose(f);
	cr_expect_null(lab);
	snprintf(want, sizeof(want),
		 "%1$s:7:14: bridge br6: gateway fd00:6::fe/64 is IPv6; write it as \"gateway6\"\n"
		 "%1$s:10:5: host r1: \"address\" belongs in one of its \"interfaces\""
		 " (a host has either interface keys or \"interfaces\", not both)\n"
		 "%1$s:15:13: host ns1: interface eth0 has bridge: none and needs an address"
		 " (the machine routes to it)\n"
		 "%1$s:16:3: host h9: interface eth0 is attached to nothing"
		 " (give bridge: NAME, bridge: none, or use it in links)\n"
		 "%1$s:19:14: 10.9.0.1/16 has host bits set (did you mean 10.9.0.0/16?)\n"
		 "%1$s:21:7: sysctl \"kernel.panic\" is not a net.* setting (only those belong"
		 " to the host's namespace; others would change the machine)\n"
		 "%1$s:23:9: a command must not be empty\n"
		 "%1$s:25:6: host r1: interface eth0 has a \"bridge\" key, so it cannot be the end of a link\n"
		 "%1$s:26:5: a link must join two different hosts, not h9 to itself\n",
		 path);
	cr_expect_str_eq(diag, want);
	free(diag);
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
		 "%1$s:11:1: unknown key \"brigdes\" (expected " TOP_KEYS ")\n"
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

	cr_expect_str_eq(r.diag, "lab/my.yaml:2:1: unknown key \"foo\" (expected " TOP_KEYS ")\n");
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


/* ---- bridge settings, ports, patches, mirrors (labfile_settings.c) ---------- */

Test(labfile, settings_problems_with_positions)
{
	expect_problems(
		"name: x\n"
		"bridges:\n"
		"  br1:\n"
		"    fail_mode: open\n"
		"    protocols: [OpenFlow13, OpenFlow16, OpenFlow13]\n"
		"    controller: [tcp:127.0.0.1:6653, http://x]\n"
		"    stp: true\n"
		"    rstp: true\n"
		"    external_ids: {ovslab-lab: y}\n"
		"    other_config: [a]\n"
		"    mcast_snooping: yes\n"
		"  br2: {}\n"
		"patches:\n"
		"  - [br1, br9]\n"
		"  - [br1, br1]\n"
		"  - [br1, br2]\n"
		"  - [br2, br1]\n"
		"  - br1\n"
		"hosts:\n"
		"  h1: {bridge: br1, ofport: 5, vlan: 0}\n"
		"  h2: {bridge: br1, ofport: 5, vlan: 10, trunks: [10]}\n"
		"  h3: {bridge: br1, trunks: [1, 4095, 1], ofport: 65280}\n"
		"  h4: {bridge: none, address: 10.9.9.9/32, vlan: 3}\n"
		"  h5: {bridge: br2}\n"
		"mirrors:\n"
		"  - {name: m1, bridge: br1, select: [h1, h9, h5], to: h1}\n"
		"  - {name: m1, bridge: br1, to: h2}\n"
		"  - {bridge: br7, to: h2:eth3}\n"
		"  - {name: m3, to: h2, color: red}\n"
		"  - {name: m4, bridge: br1, select: [h1], to: \"h2:\"}\n"
		"  - {name: m5, bridge: br1}\n",
		"t.yaml:4:16: bridge br1: fail_mode \"open\" must be standalone or secure\n"
		"t.yaml:5:29: bridge br1: protocol \"OpenFlow16\" is not one of OpenFlow10 to OpenFlow15\n"
		"t.yaml:5:41: bridge br1: protocol OpenFlow13 is listed twice\n"
		"t.yaml:6:38: bridge br1: controller \"http://x\" is not a target like tcp:127.0.0.1:6653 (tcp:, ssl:, unix:, ptcp:, pssl: or punix: and an address)\n"
		"t.yaml:8:11: bridge br1: stp and rstp exclude each other; enable one of them\n"
		"t.yaml:9:20: bridge br1: external_ids key \"ovslab-lab\" is ovslab's own (it marks the lab's rows)\n"
		"t.yaml:10:19: \"other_config\" must be a mapping of keys to values, not a list\n"
		"t.yaml:11:21: \"mcast_snooping\" must be true or false, not \"yes\"\n"
		"t.yaml:14:11: patch: unknown bridge \"br9\"\n"
		"t.yaml:15:5: a patch must join two different bridges, not br1 to itself\n"
		"t.yaml:17:5: bridges br2 and br1 are already patched together\n"
		"t.yaml:18:5: a patch must be a list of two bridges like [br1, br2]\n"
		"t.yaml:20:38: vlan \"0\" must be a whole number from 1 to 4094\n"
		"t.yaml:21:29: host h2: ofport 5 is already requested by host h1 on bridge br1\n"
		"t.yaml:21:42: give \"vlan\" (an access port) or \"trunks\" (a trunk port), not both\n"
		"t.yaml:22:33: vlan \"4095\" must be a whole number from 1 to 4094\n"
		"t.yaml:22:39: vlan 1 is listed twice in \"trunks\"\n"
		"t.yaml:22:51: ofport \"65280\" must be a whole number from 1 to 65279\n"
		"t.yaml:23:44: host h4: interface eth0 is not on a bridge; ofport, vlan and trunks belong to bridge ports\n"
		"t.yaml:26:38: mirror m1: port h1_tap is the mirror's output and cannot be selected too\n"
		"t.yaml:26:42: mirror m1: unknown host \"h9\"\n"
		"t.yaml:26:46: mirror m1: h5 is not on bridge br1\n"
		"t.yaml:27:5: mirror name \"m1\" is already used\n"
		"t.yaml:28:5: a mirror needs a \"name\"\n"
		"t.yaml:29:5: mirror m3 needs a \"bridge\"\n"
		"t.yaml:29:24: unknown key \"color\" (expected name, bridge, select, to)\n"
		"t.yaml:30:47: \"h2:\" is not HOST or HOST:IFNAME (like ns03 or ns03:eth0)\n"
		"t.yaml:31:5: mirror m5 needs \"to\" (the host interface that gets the copies)\n");
}

Test(labfile, settings_settings_read)
{
	struct result r = expect_ok(
		"name: x\n"
		"bridges:\n"
		"  br1:\n"
		"    datapath: netdev\n"
		"    fail_mode: secure\n"
		"    protocols: [OpenFlow13, OpenFlow15]\n"
		"    controller: ptcp:6653\n"
		"    rstp: true\n"
		"    other_config: {mac-aging-time: 600}\n"
		"    external_ids: {owner: me}\n"
		"    mirrors:\n"
		"      - {name: all, to: h3}\n"
		"  a-very-long-br2: {}\n"
		"patches:\n"
		"  - [br1, a-very-long-br2]\n"
		"hosts:\n"
		"  h1: {bridge: br1, ofport: 65279, vlan: 4094}\n"
		"  h2: {bridge: a-very-long-br2, ofport: 65279, trunks: [1, 20]}\n"
		"  h3:\n"
		"    interfaces:\n"
		"      - {bridge: a-very-long-br2}\n"
		"      - {bridge: br1}\n"
		"mirrors:\n"
		"  - {name: some, bridge: br1, select: [h1:eth0], to: h3:eth1}\n");
	const struct lab_bridge *b = lab_find_bridge(r.lab, "br1");
	const struct lab_host *h2 = lab_find_host(r.lab, "h2");

	cr_assert_str_eq(b->settings.datapath, "netdev");
	cr_assert_str_eq(b->settings.fail_mode, "secure");
	cr_assert_eq(b->settings.n_protocols, 2);
	cr_assert_str_eq(b->settings.protocols[1], "OpenFlow15");
	cr_assert_eq(b->settings.n_controllers, 1);
	cr_assert_str_eq(b->settings.controllers[0], "ptcp:6653");
	cr_assert(b->settings.rstp && !b->settings.stp && !b->settings.mcast_snooping);
	cr_assert_eq(b->settings.n_other_config, 1);
	cr_assert_str_eq(b->settings.other_config[0].value, "600");
	cr_assert_str_eq(b->settings.external_ids[0].key, "owner");
	cr_assert_eq(lab_find_host(r.lab, "h1")->ifaces[0].settings.vlan, 4094);
	cr_assert_eq(h2->ifaces[0].settings.ofport, 65279, "one number per bridge, not per lab");
	cr_assert_eq(h2->ifaces[0].settings.n_trunks, 2);
	cr_assert_eq(h2->ifaces[0].settings.trunks[1], 20);
	cr_assert_eq(r.lab->n_patches, 1);
	cr_assert_str_eq(r.lab->patches[0].port[0], "br1-a-very-long");
	cr_assert_str_eq(r.lab->patches[0].port[1], "a-very-long-br1");
	cr_assert_eq(r.lab->n_mirrors, 2);
	cr_assert_str_eq(r.lab->mirrors[0].name, "all");
	cr_assert_str_eq(r.lab->mirrors[0].bridge, "br1", "a bridge's own mirrors are on it");
	cr_assert_eq(r.lab->mirrors[0].n_select, 0);
	cr_assert_str_eq(r.lab->mirrors[1].select[0].host, "h1");
	cr_assert_str_eq(r.lab->mirrors[1].select[0].ifname, "eth0");
	cr_assert_str_eq(r.lab->mirrors[1].to.ifname, "eth1");
	result_free(&r);
}

Test(labfile, settings_patch_name_clash)
{
	expect_problems("name: x\n"
			"bridges: {a-very-long-br1: {}, a-very-long-br2: {}}\n"
			"patches: [[a-very-long-br1, a-very-long-br2]]\n",
			"t.yaml:3:29: patch a-very-long-br1-a-very-long-br2: its port name \"a-very--a-very-\" is already used by another patch (patch ports are named BRIDGE-PEER, shortened to 15 bytes: shorter bridge names avoid this)\n");
	expect_problems("name: x\n"
			"bridges: {b1: {}, b2: {}}\n"
			"patches: [[b1, b2]]\n"
			"hosts:\n"
			"  h1: {bridge: b1, port: b1-b2}\n",
			"t.yaml:3:12: patch b1-b2: its port name \"b1-b2\" is already used by h1 (patch ports are named BRIDGE-PEER, shortened to 15 bytes: shorter bridge names avoid this)\n");
}

Test(lab, patch_port_names)
{
	char out[16];

	lab_patch_port_name("br1", "br2", out);
	cr_assert_str_eq(out, "br1-br2");
	lab_patch_port_name("abcdefghijklmno", "x", out);
	cr_assert_str_eq(out, "abcdefghijklm-x");
	cr_assert_eq(strlen(out), 15);
}

/* VLAN sub-interfaces: parent and vlan_id, made on an interface of the
 * same host. */
Test(labfile, vlan_sub_interface)
{
	struct result r = expect_ok("name: v\nbridges: {br0: {}}\nhosts:\n"
				    "  h1:\n    interfaces:\n"
				    "      - {bridge: br0, trunks: [20]}\n"
				    "      - {ifname: eth0.20, parent: eth0, vlan_id: 20, address: 10.0.20.2/24}\n");
	const struct lab_iface *sub = &r.lab->hosts[0].ifaces[1];

	cr_assert_eq(r.lab->hosts[0].n_ifaces, 2);
	cr_expect_eq(sub->attach, LAB_ATTACH_VLAN);
	cr_expect_str_eq(sub->ifname, "eth0.20");
	cr_expect_str_eq(sub->parent, "eth0");
	cr_expect_eq(sub->vlan_id, 20);
	cr_expect_null(sub->port);
	cr_expect_null(sub->bridge);
	cr_assert_eq(sub->n_addrs, 1);
	expect_addr(&sub->addrs[0], "10.0.20.2/24");
	result_free(&r);
}

Test(labfile, vlan_sub_interface_mistakes)
{
	expect_problems("name: v\nbridges: {br0: {}}\nhosts:\n"
			"  h1:\n    interfaces:\n"
			"      - {bridge: br0}\n"
			"      - {ifname: a, parent: eth9, vlan_id: 20}\n"
			"      - {ifname: b, parent: eth0, vlan_id: 0}\n"
			"      - {ifname: c, parent: eth0, vlan_id: 4095}\n"
			"      - {ifname: d, parent: eth0, vlan_id: 30, bridge: br0}\n"
			"      - {ifname: e, parent: eth0, vlan_id: 40, trunks: [40]}\n"
			"      - {ifname: a, parent: eth0, vlan_id: 50}\n"
			"      - {ifname: f, parent: eth0}\n"
			"      - {ifname: g, vlan_id: 60}\n"
			"      - {ifname: h, parent: f, vlan_id: 70}\n"
			"      - {ifname: i, parent: eth0, vlan_id: 50}\n"
			"      - {ifname: j, parent: j, vlan_id: 80}\n"
			"  h2: {bridge: br0}\n"
			"  h3: {parent: eth0, vlan_id: 5}\n"
			"  h4:\n    interfaces:\n"
			"      - {ifname: x}\n"
			"      - {ifname: x.5, parent: x, vlan_id: 5}\n"
			"  h5: {ifname: y}\n"
			"links:\n  - [h4:x, h5:y]\n",
			"t.yaml:7:29: host h1: interface a: parent \"eth9\" is not another interface of host h1\n"
			"t.yaml:8:44: vlan_id \"0\" must be a whole number from 1 to 4094\n"
			"t.yaml:9:44: vlan_id \"4095\" must be a whole number from 1 to 4094\n"
			"t.yaml:10:56: host h1: interface d is a VLAN sub-interface of eth0 and cannot have a bridge (put the bridge on eth0)\n"
			"t.yaml:11:48: host h1: interface e is not on a bridge; ofport, vlan and trunks belong to bridge ports\n"
			"t.yaml:12:18: host h1: interface name \"a\" is already used\n"
			"t.yaml:13:29: host h1: interface f has a parent but no vlan_id (1 to 4094)\n"
			"t.yaml:14:30: host h1: interface g has vlan_id but no parent (the interface it is a VLAN of)\n"
			"t.yaml:15:29: host h1: interface h: parent f is itself a VLAN sub-interface (stacked VLANs are not supported)\n"
			"t.yaml:16:44: host h1: interface i: eth0 already has a sub-interface for vlan 50 (a)\n"
			"t.yaml:17:29: host h1: interface j: parent \"j\" is not another interface of host h1\n"
			"t.yaml:19:16: host h3: interface eth0: parent \"eth0\" is not another interface of host h3\n"
			"t.yaml:23:31: host h4: interface x.5: parent x is the end of a link, which a sub-interface cannot use\n");
}
