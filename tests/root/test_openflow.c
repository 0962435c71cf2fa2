/* Flow files as OVS people write them, in the OpenFlow version they mean:
 * installed, dumped and traced as ovs-ofctl and ofproto/trace would, and put
 * back after a hand change.  Each test in its own sandbox (tests/sandbox.h). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sandbox.h"

static char buf[65536];

#define ovslab(...) sandbox_ovslabf(buf, sizeof(buf), __VA_ARGS__)

static int cmp_line(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A flow dump without what changes between two dumps (counters, ages) and
 * without headers, its lines sorted: "bridge br0:" (ovslab) and " " before
 * each flow (ovs-ofctl) go. */
static void normalized(const char *dump, char *out, size_t len)
{
	static const char *const drop[] = { "duration=", "n_packets=", "n_bytes=", "idle_age=",
					    "hard_age=" };
	char *copy = strdup(dump), *lines[512], *save = NULL;
	size_t n = 0, o = 0;

	cr_assert_not_null(copy);
	for (char *l = strtok_r(copy, "\n", &save); l && n < 512; l = strtok_r(NULL, "\n", &save)) {
		l += strspn(l, " ");
		if (!*l || !strncmp(l, "bridge ", 7))
			continue;
		for (size_t i = 0; i < sizeof(drop) / sizeof(drop[0]); i++) {
			char *p = strstr(l, drop[i]), *end = p ? strstr(p, ", ") : NULL;

			if (end)
				memmove(p, end + 2, strlen(end + 2) + 1);
		}
		lines[n++] = l;
	}
	qsort(lines, n, sizeof(*lines), cmp_line);
	out[0] = '\0';
	for (size_t i = 0; i < n; i++)
		o += (size_t)snprintf(out + o, o < len ? len - o : 0, "%s\n", lines[i]);
	free(copy);
}

/* `flows LAB BRIDGE` equals `ovs-ofctl -O VERSION dump-flows --names`
 * minus counters; the normalized dump is left in *mine. */
static void same_as_ofctl(const char *lab, const char *bridge, const char *version, char *mine,
			  size_t len)
{
	static char theirs[65536];

	cr_assert_eq(ovslab("flows %s %s", lab, bridge), 0, "%s", buf);
	normalized(buf, mine, len);
	cr_assert_eq(ovslab("ovs %s -- ofctl -O %s dump-flows --names %s", lab, version, bridge), 0,
		     "%s", buf);
	normalized(buf, theirs, sizeof(theirs));
	cr_assert_str_eq(mine, theirs, "ovslab flows:\n%s\novs-ofctl -O %s dump-flows:\n%s", mine,
			 version, theirs);
}

static size_t lines_of(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

TestSuite(openflow, .init = sandbox_enter, .timeout = 180);

Test(openflow, openflow10_file_installs_as_ofctl_would)
{
	static char mine[65536];

	cr_assert_eq(ovslab("up %s", sandbox_fixture("openflow10.yaml")), 0, "%s", buf);
	cr_assert_eq(ovslab("show of10"), 0, "%s", buf);
	cr_expect_not_null(strstr(buf, "protocols OpenFlow10, flows in OpenFlow10 (chosen)\n"), "%s", buf);
	cr_expect_not_null(strstr(buf, "flows in OpenFlow10 (chosen)"), "br1: %s", buf);
	for (int i = 0; i < 2; i++) {
		const char *bridge = i ? "br1" : "br0";

		same_as_ofctl("of10", bridge, "OpenFlow10", mine, sizeof(mine));
		cr_expect_eq(lines_of(mine), 18, "%s: %s", bridge, mine);
		/* the mask OpenFlow 1.0's own match would lose */
		cr_expect_not_null(strstr(mine, "table=0, dl_src=01:00:00:00:00:00/01:00:00:00:00:00 "
					  "actions=drop"), "%s", mine);
		cr_expect_not_null(strstr(mine, "actions=mod_vlan_vid:20,resubmit(,2)"), "%s", mine);
		cr_expect_not_null(strstr(mine, "table=4, reg0=0x2 actions=strip_vlan,"), "%s", mine);
	}
	/* plain ovs-ofctl's OpenFlow 1.0 flow on the unrestricted bridge too */
	cr_assert_eq(ovslab("ovs of10 -- ofctl add-flow br1 table=4,reg0=5,actions=strip_vlan,2"), 0,
		     "%s", buf);
	cr_assert_eq(ovslab("flows of10 br1 table=4,reg0=5"), 0, "%s", buf);
	cr_expect_not_null(strstr(buf, "table=4,"), "%s", buf);
	cr_expect_not_null(strstr(buf, "reg0=0x5 actions=strip_vlan,"), "%s", buf);
	cr_expect_eq(lines_of(buf), 2, "the filter keeps one flow: %s", buf);
	cr_assert_eq(ovslab("down of10"), 0, "%s", buf);
}

Test(openflow, trace_generate_learns_then_flows_shows_table_10)
{
	cr_assert_eq(ovslab("up %s", sandbox_fixture("openflow10.yaml")), 0, "%s", buf);
	cr_assert_eq(ovslab("flows of10 br0 table=10"), 0, "%s", buf);
	cr_assert_eq(lines_of(buf), 1, "table 10 is empty before: %s", buf);
	cr_assert_eq(ovslab("trace of10 br0 in_port=1,vlan_tci=0x1014,dl_src=50:00:00:00:00:01,"
			    "dl_dst=ff:ff:ff:ff:ff:ff -generate"), 0, "%s", buf);
	cr_expect_not_null(strstr(buf, "learn(table=10"), "%s", buf);
	/* flooded on VLAN 20: out of port 2 without its tag, named */
	cr_expect_not_null(strstr(buf, "Datapath actions: pop_vlan,"), "%s", buf);
	cr_expect_not_null(strstr(buf, "Datapath ports: "), "%s", buf);
	cr_expect_not_null(strstr(buf, "(OpenFlow 2 on br0)"), "%s", buf);
	cr_assert_eq(ovslab("flows of10 br0 table=10"), 0, "%s", buf);
	cr_expect_eq(lines_of(buf), 2, "%s", buf);
	cr_expect_not_null(strstr(buf, "table=10, "), "%s", buf);
	cr_expect_not_null(strstr(buf, "vlan_tci=0x0014/0x0fff,dl_dst=50:00:00:00:00:01 "
				  "actions=load:0x1->NXM_NX_REG0[0..15]"), "%s", buf);
	/* a version the bridge does not speak is named, as written */
	cr_expect_neq(ovslab("flows of10 -O OpenFlow13 br0"), 0, "%s", buf);
	cr_expect_not_null(strstr(buf, "does not speak OpenFlow13"), "%s", buf);
	cr_assert_eq(ovslab("down of10"), 0, "%s", buf);
}

Test(openflow, openflow13_file_dumps_as_ofctl_would)
{
	static char mine[65536];

	cr_assert_eq(ovslab("up %s", sandbox_fixture("openflow13.yaml")), 0, "%s", buf);
	same_as_ofctl("of13", "br0", "OpenFlow13", mine, sizeof(mine));
	cr_expect_eq(lines_of(mine), 4, "%s", mine);
	cr_expect_not_null(strstr(mine, "actions=push_vlan:0x8100,set_field:4116->vlan_vid,"
				  "goto_table:1"), "%s", mine);
	cr_expect_not_null(strstr(mine, "dl_dst=01:00:00:00:00:00/01:00:00:00:00:00"), "%s", mine);
	/* the plain tool on a bridge that does not speak OpenFlow10: ovslab
	 * offers the bridge's versions */
	cr_assert_eq(ovslab("ovs of13 -- ofctl dump-flows br0"), 0, "%s", buf);
	cr_assert_eq(ovslab("down of13"), 0, "%s", buf);
}

/* A hand change to the table: plan lists it, up puts back exactly the
 * declared flows. */
static void hand_change_restored(const char *fixture, const char *lab, const char *version,
				 const char *change)
{
	static char before[65536], after[65536];

	cr_assert_eq(ovslab("up %s", sandbox_fixture(fixture)), 0, "%s", buf);
	same_as_ofctl(lab, "br0", version, before, sizeof(before));
	cr_assert_eq(ovslab("ovs %s -- ofctl %s", lab, change), 0, "%s", buf);
	same_as_ofctl(lab, "br0", version, after, sizeof(after));
	cr_assert_str_neq(before, after, "the change did not change the table");
	cr_assert_eq(ovslab("plan %s", sandbox_fixture(fixture)), 0, "%s", buf);
	cr_expect_not_null(strstr(buf, "bridge br0: flows"), "plan misses the change: %s", buf);
	cr_assert_eq(ovslab("up %s", sandbox_fixture(fixture)), 0, "%s", buf);
	same_as_ofctl(lab, "br0", version, after, sizeof(after));
	cr_expect_str_eq(before, after, "up did not put the declared flows back");
	cr_assert_eq(ovslab("plan %s", sandbox_fixture(fixture)), 0, "%s", buf);
	cr_expect_null(strstr(buf, "bridge br0: flows"), "still to do after up: %s", buf);
	cr_assert_eq(ovslab("down %s", lab), 0, "%s", buf);
}

Test(openflow, hand_change_on_openflow10_bridge_restored)
{
	/* plain ovs-ofctl with an OpenFlow 1.0-only action and a table */
	hand_change_restored("openflow10.yaml", "of10", "OpenFlow10",
			     "add-flow br0 table=4,priority=200,reg0=9,actions=strip_vlan,2");
}

Test(openflow, hand_change_on_openflow13_bridge_restored)
{
	hand_change_restored("openflow13.yaml", "of13", "OpenFlow13", "del-flows br0 table=1");
}
