/* A bridge's taps: key: what it reads, and each mistake at its place. */
#include "labparse.h"

#include <stdlib.h>

static const char head[] = "name: t\nbridges:\n  br0:\n    taps:\n";

static struct result parse_taps(const char *taps)
{
	char yaml[1024];

	snprintf(yaml, sizeof(yaml), "%s%s", head, taps);
	return parse_as("t.yaml", yaml);
}

Test(taps_labfile, reads_every_key)
{
	struct result r = parse_taps("      - {name: vm1tap, owner: 1000, group: 100, queues: 4,"
				     " vnet_hdr: true, mac: \"52:54:00:00:00:01\"}\n      - vm2tap\n");
	const struct lab_tap *t;

	cr_assert_eq(r.ret, 0, "%s", r.diag);
	cr_assert_eq(r.lab->bridges[0].n_taps, 2);
	t = &r.lab->bridges[0].taps[0];
	cr_assert_str_eq(t->name, "vm1tap");
	cr_assert_eq(t->uid, 1000);
	cr_assert_eq(t->gid, 100);
	cr_assert_eq(t->queues, 4);
	cr_assert(t->vnet_hdr);
	cr_assert(t->has_mac);
	cr_assert_eq(t->mac[5], 1);
	t = &r.lab->bridges[0].taps[1];
	cr_assert_str_eq(t->name, "vm2tap");
	cr_assert_eq(t->uid, -1);
	cr_assert_eq(t->gid, -1);
	cr_assert_eq(t->queues, 0);
	lab_free(r.lab);
	free(r.diag);
}

static void refused(const char *taps, const char *want)
{
	struct result r = parse_taps(taps);

	cr_assert_neq(r.ret, 0, "accepted: %s", taps);
	cr_assert_not_null(strstr(r.diag, want), "want \"%s\" in: %s", want, r.diag);
	lab_free(r.lab);
	free(r.diag);
}

Test(taps_labfile, mistakes)
{
	refused("      - {owner: 1000}\n", "t.yaml:5:9: a tap needs a name");
	refused("      - {name: a, owner: bob}\n", "owner \"bob\" is not a number");
	refused("      - {name: a, queues: 0}\n", "queues 0 is not between 1 and 256");
	refused("      - {name: a, mac: \"01:00:00:00:00:01\"}\n", "is not a unicast MAC address");
	refused("      - {name: a, colour: red}\n", "colour");
	refused("      - a\n      - a\n", "tap a is listed twice");
	refused("      - br0\n", "tap br0 has the name of bridge br0");
	refused("      a: 1\n", "\"taps\" must be a list of taps");
}
