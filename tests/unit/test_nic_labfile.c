/* The lab file's machine interfaces: a bridge's interfaces: and a host
 * interface's physical:, their defaults and their mistakes, with positions. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "model/lab.h"
#include "labparse.h"

#define expect_problems labparse_expect_problems

Test(nic_labfile, fixture_model)
{
	struct lab *lab = NULL;
	const struct lab_host *h = NULL;
	const struct lab_iface *ifc;

	cr_assert_eq(labfile_load(FIXTURES_DIR "/physical.yaml", stderr, &lab), 0);
	cr_assert_eq(lab->bridges[0].n_nics, 1);
	cr_expect_str_eq(lab->bridges[0].nics[0].name, "eth1");
	cr_expect(lab->bridges[0].nics[0].take_address);
	cr_expect_not(lab->bridges[0].nics[0].take_default_route);
	cr_expect_eq(lab_nic_bridge(lab, "eth1"), &lab->bridges[0]);
	ifc = lab_physical_iface(lab, "eth2", &h);
	cr_assert_not_null(ifc);
	cr_expect_str_eq(h->name, "h2");
	cr_expect_eq(ifc->attach, LAB_ATTACH_PHYSICAL);
	cr_expect_str_eq(ifc->ifname, "eth0");
	cr_expect_null(ifc->port);
	cr_expect_eq(ifc->n_addrs, 1);
	lab_free(lab);
}

Test(nic_labfile, short_forms_and_defaults)
{
	struct result r = parse_as("t.yaml",
		"name: n\n"
		"bridges:\n"
		"  br0: {interfaces: [eth1, {name: eth3, take_address: true, take_default_route: true}]}\n"
		"hosts:\n"
		"  h1: {physical: eth2, take_default_route: true}\n");
	const struct lab_iface *ifc;

	cr_assert_eq(r.ret, 0, "%s", r.diag);
	cr_assert_eq(r.lab->bridges[0].n_nics, 2);
	cr_expect_not(r.lab->bridges[0].nics[0].take_address);
	cr_expect(r.lab->bridges[0].nics[1].take_default_route);
	ifc = &r.lab->hosts[0].ifaces[0];
	/* Without ifname it keeps its own name in the host. */
	cr_expect_str_eq(ifc->ifname, "eth2");
	cr_expect(ifc->take_default_route);
	lab_free(r.lab);
	free(r.diag);
}

Test(nic_labfile, mistakes)
{
	expect_problems("name: n\nbridges:\n  br0: {interfaces: eth1}\n",
			"t.yaml:3:21: bridge br0: \"interfaces\" must be a list of the machine's "
			"interfaces, not a single value\n");
	expect_problems("name: n\nbridges:\n  br0: {interfaces: [lo]}\n",
			"t.yaml:3:22: interface \"lo\" is the machine's loopback device, not one a "
			"lab can borrow\n");
	expect_problems("name: n\nbridges:\n  br0: {interfaces: [{take_address: true}]}\n",
			"t.yaml:3:22: an interface of \"interfaces\" needs a \"name\"\n");
	expect_problems("name: n\nbridges:\n  br0: {interfaces: [{name: eth1, take_default_route: true}]}\n",
			"t.yaml:3:22: bridge br0: interface eth1: take_default_route needs "
			"take_address: true\n");
	expect_problems("name: n\nbridges:\n"
			"  br0: {interfaces: [{name: eth1, take_address: true}, {name: eth3, take_address: true}]}\n",
			"t.yaml:3:56: bridge br0: only one interface may give its addresses to the "
			"bridge (eth1 already does)\n");
	expect_problems("name: n\nbridges:\n  br0: {interfaces: [eth1]}\n  br1: {interfaces: [eth1]}\n",
			"t.yaml:3:22: bridge br0: interface eth1 is already a port of bridge br1\n"
			"t.yaml:4:22: bridge br1: interface eth1 is already a port of bridge br0\n");
	expect_problems("name: n\nbridges:\n  br0: {interfaces: [eth1]}\nhosts:\n  h1: {physical: eth1}\n",
			"t.yaml:3:22: bridge br0: interface eth1 is already moved into host h1\n"
			"t.yaml:5:3: host h1: interface eth1 is already a port of bridge br0\n");
	expect_problems("name: n\nbridges:\n  br0: {interfaces: [h1_tap]}\nhosts:\n  h1: {bridge: br0}\n",
			"t.yaml:3:22: bridge br0: interface h1_tap is already host h1's port\n");
	expect_problems("name: n\nbridges:\n  br0: {}\nhosts:\n  h1: {physical: eth2, bridge: br0}\n",
			"t.yaml:5:32: host h1: interface eth0: give \"physical\" or \"bridge\", "
			"not both\n");
	expect_problems("name: n\nbridges:\n  br0: {}\nhosts:\n  h1: {bridge: br0, take_default_route: true}\n",
			"t.yaml:5:3: host h1: interface eth0: take_default_route belongs with "
			"\"physical\"\n");
}
