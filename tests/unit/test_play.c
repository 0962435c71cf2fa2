/* `up --machine`'s pure parts: a machine's `interface` key, a lab reduced
 * to one machine's part (lab_play) and a borrowed interface's state as the
 * journal's text and back (kernel/ifstate.h). */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/ifstate.h"
#include "labparse.h"

static const char two[] =
	"name: two\n"
	"underlay: {subnet: 192.0.2.0/24}\n"
	"machines:\n"
	"  hv1: {underlay: 192.0.2.1, interface: eth1}\n"
	"  hv2: {underlay: 192.0.2.2}\n"
	"  hv3: {}\n"
	"bridges:\n"
	"  int_br: {tunnel: vxlan, key: 7}\n"
	"  other: {}\n"
	"hosts:\n"
	"  vm1: {machine: hv1, bridge: int_br, address: 10.0.0.1/24}\n"
	"  vm2: {machine: hv2, bridge: int_br, address: 10.0.0.2/24}\n"
	"  vm3: {machine: hv3, bridge: other, address: 10.0.1.3/24}\n"
	"checks:\n"
	"  - {from: vm1, to: vm2}\n"
	"  - {from: vm2, to: vm1}\n";

Test(play, interface_key)
{
	struct result r = parse_as("two.yaml", two);

	cr_assert_eq(r.ret, 0, "%s", r.diag);
	cr_expect_str_eq(r.lab->machines[0].interface, "eth1");
	cr_expect_null(r.lab->machines[1].interface);
	lab_free(r.lab);
	free(r.diag);
	r = parse_as("bad.yaml", "name: b\nmachines: {hv1: {interface: \"a/b\"}}\n"
				 "hosts: {vm1: {machine: hv1, bridge: br, address: 10.0.0.1/24}}\n"
				 "bridges: {br: {}}\n");
	cr_expect_neq(r.ret, 0);
	cr_expect(strstr(r.diag, "bad.yaml:2:") != NULL, "%s", r.diag);
	lab_free(r.lab);
	free(r.diag);
}

Test(play, reduces_to_one_machine)
{
	struct result r = parse_as("two.yaml", two);
	const struct lab_play *p;

	cr_assert_eq(r.ret, 0, "%s", r.diag);
	cr_assert_eq(lab_play(r.lab, "hv1"), 0);
	p = r.lab->play;
	cr_assert_not_null(p);
	cr_expect_eq(r.lab->n_machines, 0, "a played lab is one without machines");
	cr_assert_eq(r.lab->n_hosts, 1);
	cr_expect_str_eq(r.lab->hosts[0].name, "vm1");
	cr_assert_eq(r.lab->n_bridges, 1);
	cr_expect_str_eq(r.lab->bridges[0].name, "int_br");
	cr_assert_eq(r.lab->n_checks, 1, "only the checks from this machine's hosts");
	cr_expect_str_eq(r.lab->checks[0].from, "vm1");
	cr_expect_eq(p->n_machines, 3);
	cr_expect_str_eq(p->self->name, "hv1");
	/* hv2 has int_br, hv3 does not. */
	cr_assert_eq(p->n_tunnels, 1);
	cr_expect_str_eq(p->tunnels[0].bridge, "int_br");
	cr_expect_str_eq(p->tunnels[0].peer->name, "hv2");
	lab_free(r.lab);
	free(r.diag);
}

Test(play, unknown_machine)
{
	struct result r = parse_as("two.yaml", two);

	cr_assert_eq(r.ret, 0, "%s", r.diag);
	cr_expect_eq(lab_play(r.lab, "hv9"), -ENOENT);
	cr_expect_null(r.lab->play);
	cr_expect_eq(r.lab->n_hosts, 3, "nothing changed");
	lab_free(r.lab);
	free(r.diag);
}

/* A borrowed interface's journal text (one line, for a bridge's
 * interfaces and a played machine's underlay interface alike) gives back
 * the very state and messages, and a line the module did not write is
 * refused. */
#define IFSTATE_LINE                                                                   \
	"ifstate1 name=eth1 ifindex=3 master=0 flags=4163 mtu=1500 tx=0 at=1700000000 "  \
	"mac=020000000001 addr=021880000300000008000200c0000201 "                         \
	"route=02000000fe0300010000000008000500c00002fe0800040003000000"

Test(play, ifstate_text_round_trip)
{
	struct ifstate *s = NULL, *bad = NULL;
	char line[1024];

	cr_assert_eq(ifstate_from_text(IFSTATE_LINE, &s), 0);
	cr_expect_str_eq(ifstate_name(s), "eth1");
	cr_expect_eq(ifstate_ifindex(s), 3);
	cr_expect_eq(ifstate_master(s), 0);
	cr_expect(ifstate_has_default_route(s), "the route has no destination: a default route");
	cr_assert_eq(ifstate_to_text(s, line, sizeof(line)), 0);
	cr_expect_str_eq(line, IFSTATE_LINE);
	cr_expect_eq(ifstate_to_text(s, line, 40), -ENOSPC);
	ifstate_free(s);
	s = NULL;
	cr_expect_eq(ifstate_from_text(IFSTATE_LINE " newer=1", &s), 0, "a newer key is skipped");
	ifstate_free(s);
	cr_expect_eq(ifstate_from_text("ifstate1 ifindex=3 mtu=1500", &bad), -EINVAL, "no name");
	cr_expect_eq(ifstate_from_text("name=eth1 ifindex=3", &bad), -EINVAL, "no version");
	cr_expect_eq(ifstate_from_text("ifstate1 name=eth1 ifindex=3 addr=zz", &bad), -EINVAL);
	cr_expect_eq(ifstate_from_text("ifstate1 name=eth1 ifindex=3 addr=0218", &bad), -EINVAL,
		     "shorter than an address message");
	cr_expect_eq(ifstate_from_text("ifstate1 name=eth1 ifindex=3 mtu=x", &bad), -EINVAL);
	cr_expect_null(bad);
}
