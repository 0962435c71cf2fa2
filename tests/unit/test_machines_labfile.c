/* The lab file's machines: underlay, machines, a host's machine, a bridge's
 * tunnel and key; their defaults and their mistakes, with positions. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "model/lab.h"
#include "labparse.h"

#define expect_problems labparse_expect_problems

static const char *addr(const struct lab_addr *a)
{
	static char b[64];

	return lab_addr_str(a, b, sizeof(b));
}

Test(machines_labfile, defaults_and_addresses)
{
	struct result r = parse_as("t.yaml",
		"name: mh\n"
		"machines:\n"
		"  hv1: {}\n"
		"  hv2: {underlay: 10.200.0.1}\n"
		"  hv3:\n"
		"bridges:\n"
		"  int_br: {key: 7}\n"
		"hosts:\n"
		"  vm1: {machine: hv1, bridge: int_br, address: 10.0.0.1/24}\n"
		"  vm2: {machine: hv3, bridge: int_br, address: 10.0.0.2/24}\n");
	const struct lab *lab = r.lab;
	char name[16];

	cr_assert_eq(r.ret, 0, "%s", r.diag);
	cr_assert_eq(lab->n_machines, 3);
	cr_expect_str_eq(addr(&lab->underlay.subnet), "10.200.0.0/24");
	cr_expect_eq(lab->underlay.mtu, 1600);
	/* .1 is hv2's: hv1 and hv3 take the next free ones in order. */
	cr_expect_str_eq(addr(&lab->machines[0].underlay), "10.200.0.2/24");
	cr_expect_str_eq(addr(&lab->machines[1].underlay), "10.200.0.1/24");
	cr_expect_str_eq(addr(&lab->machines[2].underlay), "10.200.0.3/24");
	cr_expect_eq(lab->bridges[0].tunnel, LAB_TUNNEL_GENEVE);
	cr_expect_eq(lab->bridges[0].key, 7);
	cr_expect_str_eq(lab->hosts[1].machine, "hv3");
	lab_underlay_ns("mh", name);
	cr_expect_str_eq(name, "mh-ul");
	lab_underlay_ns("a-long-labname", name);
	cr_expect_eq(strlen(name), 14);
	cr_expect_eq(strncmp(name, "a-long-", 7), 0, "%s", name);
	lab_tunnel_port_name("int_br", "hypervisor-two", name);
	cr_expect_eq(strlen(name), 15, "%s", name);
	lab_free(r.lab);
	free(r.diag);
}

Test(machines_labfile, view_has_the_machines_part)
{
	struct result r = parse_as("t.yaml",
		"name: mh\n"
		"machines: {hv1: {}, hv2: {}}\n"
		"bridges: {a: {}, b: {}}\n"
		"hosts:\n"
		"  x: {machine: hv1, bridge: a}\n"
		"  y: {machine: hv2, bridge: b}\n"
		"  z: {machine: hv2, bridge: a}\n");
	struct lab *v;

	cr_assert_eq(r.ret, 0, "%s", r.diag);
	cr_assert_eq(lab_machine_view(r.lab, &r.lab->machines[1], &v), 0);
	cr_expect_eq(v->n_bridges, 2);
	cr_expect_eq(v->n_hosts, 2);
	cr_expect_str_eq(v->hosts[0].name, "y");
	lab_view_free(v);
	cr_assert_eq(lab_machine_view(r.lab, &r.lab->machines[0], &v), 0);
	cr_expect_eq(v->n_bridges, 1);
	cr_expect_str_eq(v->bridges[0].name, "a");
	lab_view_free(v);
	lab_free(r.lab);
	free(r.diag);
}

Test(machines_labfile, mistakes)
{
	expect_problems("name: mh\n"
			"machines:\n"
			"  hv1: {underlay: 10.200.0.5}\n"
			"  hv2: {underlay: 10.200.0.5}\n"
			"  hv3: {underlay: 10.9.0.1}\n"
			"  vm1: {}\n"
			"bridges:\n"
			"  int_br: {tunnel: ipip}\n"
			"hosts:\n"
			"  vm1: {machine: hv9, bridge: int_br}\n",
			"t.yaml:4:19: machine hv2: underlay address 10.200.0.5 is machine hv1's too\n"
			"t.yaml:5:19: machine hv3: underlay address 10.9.0.1 is outside the underlay "
			"subnet 10.200.0.0/24\n"
			"t.yaml:6:3: machine name \"vm1\" is already a host's name\n"
			"t.yaml:8:20: bridge int_br: unknown tunnel type \"ipip\" (expected geneve, vxlan "
			"or gre)\n"
			"t.yaml:10:18: host vm1: machine hv9 is not declared under \"machines\"\n");
	expect_problems("name: plain\n"
			"bridges:\n"
			"  int_br: {tunnel: vxlan}\n"
			"hosts:\n"
			"  vm1: {machine: hv1, bridge: int_br}\n",
			"t.yaml:3:12: bridge int_br: tunnels need a top-level \"machines\" section\n"
			"t.yaml:5:18: host vm1: \"machine\" needs a top-level \"machines\" section\n");
	expect_problems("name: mh\n"
			"underlay: {subnet: 10.1.0.0/31, mtu: 100}\n"
			"machines: {hv1: {}}\n"
			"hosts:\n"
			"  vm1: {bridge: none, address: 10.1.0.1/24}\n",
			"t.yaml:2:20: underlay subnet 10.1.0.0/31 is not an IPv4 subnet like "
			"10.200.0.0/24 (prefix length 8 to 30)\n"
			"t.yaml:2:38: mtu 100 is not a whole number from 1280 to 9000\n"
			"t.yaml:5:3: host vm1 names no machine (in a lab with machines every host sits "
			"on one: add \"machine: NAME\")\n"
			"t.yaml:5:3: host vm1: \"bridge: none\" is not supported with machines yet\n");
}

/* Issue 14 item 8: each mistake with its position (nothing is built from a
 * file with problems). */
Test(machines_labfile, placement_and_underlay_mistakes)
{
	/* Bridges are on the machines that have a host on them: "a bridge its
	 * machine lacks" is a bridge the file does not declare. */
	expect_problems("name: mh\n"
			"machines: {hv1: {}, hv2: {}}\n"
			"bridges: {int_br: {}}\n"
			"hosts:\n"
			"  vm1: {machine: hv1, bridge: int_br}\n"
			"  vm2: {machine: hv2, bridge: ext_br}\n",
			"t.yaml:6:31: host vm2: unknown bridge \"ext_br\"\n");
	/* Tunnel settings on a bridge on one machine, or on none. */
	expect_problems("name: mh\n"
			"machines: {hv1: {}, hv2: {}}\n"
			"bridges:\n"
			"  a: {tunnel: vxlan, key: 5}\n"
			"  b: {key: 6}\n"
			"  c: {tunnel: gre}\n"
			"hosts:\n"
			"  vm1: {machine: hv1, bridge: a}\n"
			"  vm2: {machine: hv1, bridge: a}\n"
			"  vm3: {machine: hv2, bridge: b}\n"
			"  vm4: {machine: hv1, bridge: c}\n"
			"  vm5: {machine: hv2, bridge: c}\n",
			"t.yaml:4:7: bridge a: its tunnels join copies on several machines, but only "
			"machine hv1 has a host on it\n"
			"t.yaml:5:7: bridge b: its tunnel key join copies on several machines, but "
			"only machine hv2 has a host on it\n");
	expect_problems("name: mh\n"
			"machines: {hv1: {}, hv2: {}}\n"
			"bridges: {a: {tunnel: geneve}, b: {}}\n"
			"hosts:\n"
			"  vm1: {machine: hv1, bridge: b}\n"
			"  vm2: {machine: hv2, bridge: b}\n",
			"t.yaml:3:15: bridge a: its tunnels join copies on several machines, but no "
			"machine has a host on it\n");
	/* The underlay's subnet overlapping a bridge's, a host's or a route;
	 * a default route overlaps everything and is no mistake. */
	expect_problems("name: mh\n"
			"underlay: {subnet: 10.50.0.0/16}\n"
			"machines: {hv1: {underlay: 10.50.0.9}, hv2: {underlay: 10.50.0.9}, b2: {}}\n"
			"bridges: {int_br: {gateway: 10.50.7.254/24}, b2: {}}\n"
			"hosts:\n"
			"  vm1: {machine: hv1, bridge: int_br, address: 10.50.7.1/24}\n"
			"  vm2:\n"
			"    machine: hv2\n"
			"    bridge: b2\n"
			"    address: 10.0.0.2/8\n"
			"    routes:\n"
			"      - {to: 10.50.9.0/24, via: 10.0.0.1}\n"
			"      - {to: default, via: 10.0.0.1}\n"
			"  vm3: {machine: hv1, bridge: b2, address: 10.60.0.3/16}\n"
			"  hv1: {machine: hv1, bridge: b2}\n",
			"t.yaml:3:12: machine name \"hv1\" is already a host's name\n"
			"t.yaml:3:56: machine hv2: underlay address 10.50.0.9 is machine hv1's too\n"
			"t.yaml:3:68: machine name \"b2\" is already a bridge's name\n"
			"t.yaml:4:11: bridge int_br: with machines a gateway sits on one machine: add "
			"\"gateway_on: MACHINE\"\n"
			"t.yaml:4:29: bridge int_br: subnet 10.50.7.0/24 overlaps the underlay subnet "
			"10.50.0.0/16 (give \"underlay: {subnet: ...}\" another)\n"
			"t.yaml:6:48: host vm1: address 10.50.7.1/24 overlaps the underlay subnet "
			"10.50.0.0/16 (give \"underlay: {subnet: ...}\" another)\n"
			"t.yaml:10:14: host vm2: address 10.0.0.2/8 overlaps the underlay subnet "
			"10.50.0.0/16 (give \"underlay: {subnet: ...}\" another)\n"
			"t.yaml:12:9: host vm2: route to 10.50.9.0/24 overlaps the underlay subnet "
			"10.50.0.0/16 (give \"underlay: {subnet: ...}\" another)\n");
}

/* A bridge's gateway sits on one machine; patches, mirrors and a machine's
 * own flows need the machine to have what they name. */
Test(machines_labfile, per_machine_mistakes)
{
	expect_problems("name: mh\n"
			"machines:\n"
			"  hv1: {flows: {b3: [\"actions=drop\"]}}\n"
			"  hv2: {}\n"
			"bridges:\n"
			"  int_br: {gateway: 10.0.0.254/24, nat: true}\n"
			"  b2: {gateway: 10.1.0.254/24, gateway_on: hv9}\n"
			"  b3: {nat: true}\n"
			"hosts:\n"
			"  vm1: {machine: hv1, bridge: int_br}\n"
			"  vm2: {machine: hv2, bridge: b2}\n"
			"  vm3: {machine: hv2, bridge: int_br}\n"
			"patches:\n"
			"  - [b2, b3]\n"
			"mirrors:\n"
			"  - {name: m, bridge: int_br, select: [vm1], to: vm3}\n",
			"t.yaml:3:17: machine hv1: flows for bridge b3, which the machine does not "
			"have (no host of it is on the bridge)\n"
			"t.yaml:6:3: bridge int_br: with machines a gateway sits on one machine: add "
			"\"gateway_on: MACHINE\"\n"
			"t.yaml:7:44: bridge b2: gateway_on: machine hv9 is not declared under "
			"\"machines\"\n"
			"t.yaml:8:13: bridge b3: nat needs an IPv4 gateway\n"
			"t.yaml:14:5: patch b2 - b3: no machine has both bridges (a patch joins two "
			"bridges of one machine's switch)\n"
			"t.yaml:16:5: mirror m: with machines the hosts a mirror names (select and to) "
			"must all sit on one machine\n");
}

/* What works per machine: the network node's gateway, a machine's flows,
 * each machine's view with only its patches and mirrors. */
Test(machines_labfile, per_machine_views)
{
	struct result r = parse_as("t.yaml",
		"name: mh\n"
		"machines:\n"
		"  hv1: {flows: {int_br: [\"priority=5,actions=drop\"]}}\n"
		"  net1: {}\n"
		"bridges:\n"
		"  int_br: {gateway: 10.0.0.254/24, gateway_on: net1, nat: true,\n"
		"           flows: [\"actions=NORMAL\"]}\n"
		"  b2: {}\n"
		"hosts:\n"
		"  vm1: {machine: hv1, bridge: int_br, address: 10.0.0.1/24}\n"
		"  vm2: {machine: hv1, bridge: b2, address: 10.1.0.1/24}\n"
		"  vm3: {machine: hv1, bridge: int_br}\n"
		"patches:\n"
		"  - [int_br, b2]\n"
		"mirrors:\n"
		"  - {name: m, bridge: int_br, select: [vm1], to: vm3}\n"
		"links:\n"
		"  - [vm1:eth1, vm2:eth1]\n");
	struct lab *hv1 = NULL, *net1 = NULL;

	cr_assert_eq(r.ret, 0, "%s", r.diag);
	cr_assert_eq(lab_machine_view(r.lab, &r.lab->machines[0], &hv1), 0);
	cr_assert_eq(lab_machine_view(r.lab, &r.lab->machines[1], &net1), 0);
	cr_expect_eq(hv1->n_bridges, 2);
	cr_expect_eq(hv1->n_patches, 1);
	cr_expect_eq(hv1->n_mirrors, 1);
	cr_expect(hv1->bridges[0].gateway_elsewhere);
	cr_expect_not(hv1->bridges[0].nat);
	cr_assert_eq(hv1->bridges[0].n_flows, 2);
	cr_expect_str_eq(hv1->bridges[0].flows[0].text, "actions=NORMAL");
	cr_expect_str_eq(hv1->bridges[0].flows[1].text, "priority=5,actions=drop");
	/* The network node has the bridge for its gateway alone. */
	cr_assert_eq(net1->n_bridges, 1);
	cr_expect_not(net1->bridges[0].gateway_elsewhere);
	cr_expect_eq(net1->bridges[0].n_flows, 1);
	cr_expect_eq(net1->n_patches, 0);
	cr_expect_eq(net1->n_mirrors, 0);
	lab_view_free(hv1);
	lab_view_free(net1);
	lab_free(r.lab);
	free(r.diag);
}

/* tunnel: as a mapping: type, key (a number or flow), pairs, bfd; the
 * short form stays. */
Test(machines_labfile, tunnel_mapping)
{
	struct result r = parse_as("t.yaml",
		"name: mh\n"
		"machines: {hv1: {}, hv2: {}, hv3: {}}\n"
		"bridges:\n"
		"  a: {tunnel: {type: gre, key: 4294967295, pairs: [[hv1, hv2], [hv3, hv2]], bfd: true}}\n"
		"  b: {tunnel: vxlan, key: flow}\n"
		"hosts:\n"
		"  vm1: {machine: hv1, bridge: a, address: 10.0.0.1/24}\n"
		"  vm2: {machine: hv2, bridge: a, address: 10.0.0.2/24}\n"
		"  vm3: {machine: hv3, bridge: a, address: 10.0.0.3/24}\n"
		"  vm4: {machine: hv1, bridge: b, address: 10.1.0.1/24}\n"
		"  vm5: {machine: hv2, bridge: b, address: 10.1.0.2/24}\n");
	const struct lab *lab = r.lab;
	char name[16];

	cr_assert_eq(r.ret, 0, "%s", r.diag);
	cr_expect_eq(lab->bridges[0].tunnel, LAB_TUNNEL_GRE);
	cr_expect_eq(lab->bridges[0].key, 4294967295u);
	cr_expect(lab->bridges[0].bfd);
	cr_expect(!lab->bridges[0].key_flow);
	cr_assert_eq(lab->bridges[0].n_pairs, 2);
	cr_expect_str_eq(lab->bridges[0].pairs[1].a, "hv3");
	/* Listed either way round; not listed: not joined. */
	cr_expect(lab_tunnel_joins(lab, &lab->bridges[0], &lab->machines[1], &lab->machines[2]));
	cr_expect(lab_tunnel_joins(lab, &lab->bridges[0], &lab->machines[0], &lab->machines[1]));
	cr_expect(!lab_tunnel_joins(lab, &lab->bridges[0], &lab->machines[0], &lab->machines[2]));
	/* No pairs: every two machines with the bridge; hv3 lacks b. */
	cr_expect_eq(lab->bridges[1].tunnel, LAB_TUNNEL_VXLAN);
	cr_expect(lab->bridges[1].key_flow);
	cr_expect(!lab->bridges[1].bfd);
	cr_expect(lab_tunnel_joins(lab, &lab->bridges[1], &lab->machines[0], &lab->machines[1]));
	cr_expect(!lab_tunnel_joins(lab, &lab->bridges[1], &lab->machines[0], &lab->machines[2]));
	cr_expect(!lab_tunnel_joins(lab, &lab->bridges[1], &lab->machines[0], &lab->machines[0]));
	lab_tunnel_flow_port_name("b", name);
	cr_expect_str_eq(name, "b-flow");
	lab_free(r.lab);
	free(r.diag);
}

Test(machines_labfile, tunnel_mistakes)
{
	expect_problems("name: mh\n"
			"machines: {hv1: {}, hv2: {}, hv3: {}, flow: {}}\n"
			"bridges:\n"
			"  a:\n"
			"    tunnel: {type: vxlan, key: 16777216, pairs: [[hv1, hv9], [hv1, hv3]]}\n"
			"  b: {tunnel: {pairs: [[hv1, hv2], [hv2, hv1], [hv2, hv2], [hv1]]}, key: 3}\n"
			"  c: {tunnel: {key: flow, bfd: maybe, vni: 3}, key: 4}\n"
			"hosts:\n"
			"  vm1: {machine: hv1, bridge: a, address: 10.0.0.1/24}\n"
			"  vm2: {machine: hv2, bridge: b, address: 10.1.0.2/24}\n"
			"  vm3: {machine: hv1, bridge: b, address: 10.1.0.1/24}\n"
			"  vm4: {machine: hv1, bridge: c, port: c-flow, address: 10.2.0.1/24}\n"
			"  vm5: {machine: flow, bridge: a, address: 10.0.0.5/24}\n",
			"t.yaml:2:39: machine name \"flow\" would name bridge c's flow tunnel port "
			"(key: flow)\n"
			"t.yaml:5:27: bridge a: key 16777216 does not fit a vxlan VNI (24 bits: at most "
			"16777215)\n"
			"t.yaml:5:56: bridge a: tunnel pair names machine hv9, which is not declared "
			"under \"machines\"\n"
			"t.yaml:5:68: bridge a: tunnel pair names machine hv3, which has no host on the "
			"bridge\n"
			"t.yaml:6:36: bridge b: tunnel pair [hv2, hv1] is listed twice (line 6)\n"
			"t.yaml:6:48: bridge b: tunnel pair [hv2, hv2] joins a machine to itself\n"
			"t.yaml:6:60: bridge b: a tunnel pair is a list of two machine names, like "
			"[hv1, hv2]\n"
			"t.yaml:7:7: bridge c: its tunnels join copies on several machines, but only "
			"machine hv1 has a host on it\n"
			"t.yaml:7:32: \"bfd\" must be true or false, not \"maybe\"\n"
			"t.yaml:7:39: unknown key \"vni\" (expected type, key, pairs, bfd)\n"
			"t.yaml:7:48: bridge c: key given twice (first at 7:16)\n"
			"t.yaml:12:3: host vm4: port name \"c-flow\" is a tunnel port's\n");
	/* The flow port's name taken by a host's port. */
	expect_problems("name: mh\n"
			"machines: {hv1: {}, hv2: {}}\n"
			"bridges:\n"
			"  c: {tunnel: gre, key: flow}\n"
			"hosts:\n"
			"  vm1: {machine: hv1, bridge: c, port: c-flow, address: 10.2.0.1/24}\n"
			"  vm2: {machine: hv2, bridge: c, address: 10.2.0.2/24}\n",
			"t.yaml:6:3: host vm1: port name \"c-flow\" is a tunnel port's\n");
}
