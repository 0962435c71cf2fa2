/* Declared flows and groups in the lab file: read into the model, checked
 * with libopenvswitch's parsers before anything is made.  Pure logic, no root. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/err.h"
#include "switch/flows.h"
#include "model/lab.h"
#include "labfile/labfile.h"
#include "labparse.h"

#define HEAD "name: f\nbridges:\n  br0:\n"
#define HOSTS "hosts:\n  h1:\n    bridge: br0\n    port: h1_p\n  h2:\n    bridge: br0\n"


static void result_free(struct result *r)
{
	lab_free(r->lab);
	free(r->diag);
	err_clear();
}

static void expect_problems(const char *display, const char *yaml, const char *diag)
{
	struct result r = parse_as(display, yaml);

	cr_expect_eq(r.ret, -EINVAL, "ret %d for:\n%s", r.ret, yaml);
	cr_expect_null(r.lab);
	cr_expect_str_eq(r.diag, diag, "for:\n%sgot:\n%swant:\n%s", yaml, r.diag, diag);
	result_free(&r);
}

/* A directory of its own for lab files that name a flows_file. */
static char dir[64];

static void dir_make(void)
{
	snprintf(dir, sizeof(dir), "/tmp/ovslab-flowfile-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static void dir_remove(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}

static void write_file(const char *name, const char *text)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs(text, f);
	cr_assert_eq(fclose(f), 0);
}

TestSuite(flowfile, .timeout = 30);

Test(flowfile, inline_flows_and_groups_in_the_model)
{
	struct result r = parse_as("t.yaml", HEAD
		"    groups:\n"
		"      - group_id=1,type=all,bucket=output:h1_p\n"
		"    flows:\n"
		"      - priority=10,in_port=h1_p,actions=output:h2_tap\n"
		"      - \"in_port=br0,actions=group:1\"\n" HOSTS);
	const struct lab_bridge *b;

	cr_assert_eq(r.ret, 0, "%s", r.diag);
	cr_assert_str_empty(r.diag);
	b = &r.lab->bridges[0];
	cr_expect(b->has_flows);
	cr_assert_eq(b->n_flows, 2);
	cr_expect_str_eq(b->flows[0].text, "priority=10,in_port=h1_p,actions=output:h2_tap");
	cr_expect_eq(b->flows[0].pos.line, 7);
	cr_expect_eq(b->flows[0].pos.col, 9);
	cr_expect_null(b->flows[0].file);
	cr_expect_str_eq(b->flows[1].text, "in_port=br0,actions=group:1");
	cr_assert_eq(b->n_groups, 1);
	cr_expect_eq(b->groups[0].pos.line, 5);
	result_free(&r);
}

Test(flowfile, no_flows_key_keeps_the_default)
{
	struct result r = parse_as("t.yaml", HEAD "    gateway: 10.0.0.254/24\n" HOSTS);

	cr_assert_eq(r.ret, 0, "%s", r.diag);
	cr_expect(!r.lab->bridges[0].has_flows);
	cr_expect_eq(r.lab->bridges[0].n_flows, 0);
	result_free(&r);

	r = parse_as("t.yaml", HEAD "    flows: []\n" HOSTS);
	cr_assert_eq(r.ret, 0, "%s", r.diag);
	cr_expect(r.lab->bridges[0].has_flows, "an empty list still replaces the table");
	result_free(&r);
}

Test(flowfile, bad_flows_reported_with_line_and_column)
{
	expect_problems("t.yaml", HEAD
		"    flows:\n"
		"      - priority=10,in_port=h3_tap,actions=drop\n"
		"      - actions=output:h1_p\n"
		"      - priority=x,actions=drop\n"
		"      - in_port=h1_p,actions=frobnicate\n" HOSTS,
		"t.yaml:5:9: flow: h3_tap: invalid or unknown port for in_port\n"
		"t.yaml:7:9: flow: invalid priority \"x\"\n"
		"t.yaml:8:9: flow: unknown action frobnicate\n");
}

Test(flowfile, bad_group_and_shapes)
{
	expect_problems("t.yaml", HEAD
		"    groups:\n"
		"      - group_id=1,type=sideways\n"
		"    flows: 3\n" HOSTS,
		"t.yaml:5:9: group: invalid group type sideways\n"
		"t.yaml:6:12: \"flows\" must be a list of strings, not a single value\n");
}

Test(flowfile, flows_and_flows_file_not_both)
{
	dir_make();
	write_file("br0.flows", "actions=drop\n");
	char display[128], want[256];

	snprintf(display, sizeof(display), "%s/lab.yaml", dir);
	snprintf(want, sizeof(want),
		 "%s:5:5: bridge br0: give \"flows\" or \"flows_file\", not both\n", display);
	expect_problems(display, HEAD "    flows: []\n    flows_file: br0.flows\n" HOSTS, want);
	dir_remove();
}

Test(flowfile, flows_file_read_relative_to_the_lab_file)
{
	char display[128], want[512];
	struct result r;

	dir_make();
	write_file("br0.flows", "# the table\n\n  priority=5,in_port=h1_p,actions=drop  \n"
				"actions=NORMAL\n");
	snprintf(display, sizeof(display), "%s/lab.yaml", dir);
	r = parse_as(display, HEAD "    flows_file: br0.flows\n" HOSTS);
	cr_assert_eq(r.ret, 0, "%s", r.diag);
	cr_assert_eq(r.lab->bridges[0].n_flows, 2);
	cr_expect_str_eq(r.lab->bridges[0].flows[0].text, "priority=5,in_port=h1_p,actions=drop");
	cr_expect_eq(r.lab->bridges[0].flows[0].pos.line, 3);
	snprintf(want, sizeof(want), "%s/br0.flows", dir);
	cr_expect_str_eq(r.lab->bridges[0].flows[0].file, want);
	cr_expect_eq(r.lab->bridges[0].flows[1].pos.line, 4);
	result_free(&r);

	write_file("br0.flows", "actions=drop\n# two bad ones\nin_port=nope,actions=drop\n"
				"actions=output:h9\n");
	snprintf(want, sizeof(want),
		 "%s/br0.flows:3: flow: nope: invalid or unknown port for in_port\n"
		 "%s/br0.flows:4: flow: h9: output to unknown port\n", dir, dir);
	expect_problems(display, HEAD "    flows_file: br0.flows\n" HOSTS, want);

	snprintf(want, sizeof(want),
		 "%s:4:17: bridge br0: flows_file %s/missing.flows: cannot read it: No such file or directory\n",
		 display, dir);
	expect_problems(display, HEAD "    flows_file: missing.flows\n" HOSTS, want);
	dir_remove();
}

Test(flowfile, check_resolves_only_the_given_ports)
{
	const char *ports[] = { "p1", "p2" };
	char *msg = NULL;

	cr_expect_eq(flows_validate(FLOWS_FLOW, "in_port=p1,actions=output:p2,LOCAL", "br", ports, 2,
				 NULL, &msg), 0, "%s", msg);
	cr_expect_null(msg);
	cr_expect_eq(flows_validate(FLOWS_FLOW, "in_port=br,actions=output:p1", "br", ports, 2, NULL, &msg),
		     0, "%s", msg);
	cr_expect_eq(flows_validate(FLOWS_FLOW, "in_port=p3,actions=drop", "br", ports, 2, NULL, &msg),
		     -EINVAL);
	cr_assert_not_null(msg);
	cr_expect_not_null(strstr(msg, "p3"), "%s", msg);
	free(msg);
	cr_expect_eq(flows_validate(FLOWS_GROUP, "group_id=2,type=select,bucket=output:p2", "br", ports,
				 2, NULL, &msg), 0, "%s", msg);
}

Test(flowfile, meters_in_the_model)
{
	struct result r = parse_as("t.yaml", HEAD
		"    meters:\n"
		"      - meter=1,kbps,band=type=drop,rate=1000\n"
		"      - meter=2,pktps,burst,stats,band=type=drop,rate=10,burst_size=5\n"
		"    flows:\n"
		"      - priority=10,ip,actions=meter:1,NORMAL\n" HOSTS);
	const struct lab_bridge *b;

	cr_assert_eq(r.ret, 0, "%s", r.diag);
	cr_assert_str_empty(r.diag);
	b = &r.lab->bridges[0];
	cr_assert_eq(b->n_meters, 2);
	cr_expect_str_eq(b->meters[0].text, "meter=1,kbps,band=type=drop,rate=1000");
	cr_expect_eq(b->meters[0].pos.line, 5);
	cr_expect_eq(b->meters[0].pos.col, 9);
	cr_expect_eq(b->meters[1].pos.line, 6);
	cr_expect(b->has_flows);
	result_free(&r);

	/* meters alone leave the flows as they are */
	r = parse_as("t.yaml", HEAD "    meters: [\"meter=3,pktps,band=type=drop,rate=1\"]\n" HOSTS);
	cr_assert_eq(r.ret, 0, "%s", r.diag);
	cr_expect(!r.lab->bridges[0].has_flows);
	cr_expect_eq(r.lab->bridges[0].n_meters, 1);
	result_free(&r);
}

Test(flowfile, bad_meters_reported_with_line_and_column)
{
	expect_problems("t.yaml", HEAD
		"    meters:\n"
		"      - meter=1,kbps\n"
		"      - meter=2,kbps,band=type=drop\n"
		"      - meter=3,band=type=drop,rate=5\n"
		"      - meter=4,pktps,band=type=sideways,rate=5\n"
		"      - meter=5,kbps,band=type=drop,rate=5\n"
		"    flows: []\n" HOSTS,
		"t.yaml:5:9: meter: must specify bands\n"
		"t.yaml:6:9: meter: band must have 'rate'\n"
		"t.yaml:7:9: meter: meter must specify either 'kbps' or 'pktps'\n"
		"t.yaml:8:9: meter: field type unknown value sideways\n");
	expect_problems("t.yaml", HEAD "    meters: meter=1\n" HOSTS,
		"t.yaml:4:13: \"meters\" must be a list of strings, not a single value\n");
}

Test(flowfile, check_parses_a_meter)
{
	char *msg = NULL;

	cr_expect_eq(flows_validate(FLOWS_METER, "meter=7,pktps,band=type=drop,rate=2", "br", NULL, 0,
				 NULL, &msg), 0, "%s", msg);
	cr_expect_null(msg);
	cr_expect_eq(flows_validate(FLOWS_METER, "meter=0,pktps,band=type=drop,rate=2", "br", NULL, 0,
				 NULL, &msg), -EINVAL);
	cr_assert_not_null(msg);
	cr_expect_not_null(strstr(msg, "invalid value for meter"), "%s", msg);
	free(msg);
}

/* ---- the OpenFlow version the flows are sent in ------------------------- */

static int version_of(const char *yaml)
{
	struct result r = parse_as("t.yaml", yaml);
	int v;

	cr_assert_eq(r.ret, 0, "%s\nfor:\n%s", r.diag, yaml);
	v = r.lab->bridges[0].of_version;
	result_free(&r);
	return v;
}

Test(flowfile, version_choice_newest_that_says_every_flow)
{
	/* nothing restricts: the newest */
	cr_expect_eq(version_of(HEAD "    flows:\n      - actions=NORMAL\n" HOSTS),
		     flows_version_parse("OpenFlow15"));
	/* OpenFlow 1.0-only actions with table numbers: OpenFlow10, with its
	 * table-id and NXM extensions, as ovs-ofctl -O OpenFlow10 sends it */
	cr_expect_eq(version_of(HEAD "    flows:\n"
				"      - table=4,reg0=2,actions=strip_vlan,output:h1_p\n"
				"      - table=1,in_port=h1_p,vlan_tci=0,actions=mod_vlan_vid:20,"
				"resubmit(,2)\n" HOSTS), 1);
	/* push_vlan needs OpenFlow 1.1: the newest of the bridge's protocols */
	cr_expect_eq(version_of(HEAD "    protocols: [OpenFlow10, OpenFlow13]\n"
				"    flows:\n      - actions=push_vlan:0x8100,output:h1_p\n" HOSTS),
		     4);
	/* groups: 1.1 or later; meters: 1.3 or later */
	cr_expect_eq(version_of(HEAD "    protocols: [OpenFlow10, OpenFlow11]\n"
				"    groups:\n      - group_id=1,type=all,bucket=output:h1_p\n"
				"    flows:\n      - actions=group:1\n" HOSTS), 2);
	/* the user's choice, without flows too */
	cr_expect_eq(version_of(HEAD "    openflow: OpenFlow13\n"
				"    flows:\n      - actions=NORMAL\n" HOSTS), 4);
	cr_expect_eq(version_of(HEAD "    openflow: OpenFlow10\n" HOSTS), 1);
	/* no flows, no choice: the switch's newest, as before */
	cr_expect_eq(version_of(HEAD "    gateway: 10.0.0.254/24\n" HOSTS), 0);
}

Test(flowfile, version_names_as_written)
{
	cr_expect_eq(flows_version_parse("OpenFlow10"), 1);
	cr_expect_eq(flows_version_parse("OpenFlow15"), 6);
	cr_expect_eq(flows_version_parse("OpenFlow16"), 0);
	cr_expect_eq(flows_version_parse("OpenFlow10,OpenFlow13"), 0);
	cr_expect_eq(flows_version_parse(NULL), 0);
	cr_expect_str_eq(flows_version_name(4), "OpenFlow13");
	cr_expect_null(flows_version_name(0));
	cr_expect_eq(flows_version_choose(FLOWS_USABLE_ANY, 1u << 4 | 1u << 1, 0), 4);
	cr_expect_eq(flows_version_choose(FLOWS_USABLE_ANY, 0, 2), 2);
}

Test(flowfile, version_that_cannot_say_a_flow_is_named)
{
	/* the bridge's only version cannot say an OpenFlow 1.0-only action */
	expect_problems("t.yaml", HEAD
		"    protocols: [OpenFlow13]\n"
		"    flows:\n"
		"      - table=4,actions=strip_vlan,output:h1_p\n" HOSTS,
		"t.yaml:6:9: none of the bridge's protocols (OpenFlow13) can express it "
		"(OpenFlow10 can); add one to \"protocols\" or write it as those do\n");
	/* the user's version, named as written, with the ones that can */
	expect_problems("t.yaml", HEAD
		"    openflow: OpenFlow13\n"
		"    flows:\n"
		"      - actions=NORMAL\n"
		"      - table=4,actions=strip_vlan,output:h1_p\n" HOSTS,
		"t.yaml:7:9: OpenFlow13 cannot express it (OpenFlow10 can); choose that "
		"\"openflow:\" version or write it as OpenFlow13 does\n");
	/* two flows that no one version says together */
	expect_problems("t.yaml", HEAD
		"    flows:\n"
		"      - actions=strip_vlan,output:h1_p\n"
		"      - actions=push_vlan:0x8100,output:h1_p\n" HOSTS,
		"t.yaml:6:9: no OpenFlow version says it and the declarations before it: it "
		"needs OpenFlow11 .. OpenFlow15, they need OpenFlow10\n");
	expect_problems("t.yaml", HEAD "    openflow: OpenFlow9\n" HOSTS,
		"t.yaml:4:15: bridge br0: openflow: \"OpenFlow9\" is not one OpenFlow version; "
		"write one of OpenFlow10 .. OpenFlow15\n");
	expect_problems("t.yaml", HEAD "    protocols: [OpenFlow13]\n    openflow: OpenFlow10\n"
		"    flows:\n      - actions=NORMAL\n" HOSTS,
		"t.yaml:5:15: bridge br0: openflow OpenFlow10 is not among its protocols "
		"(OpenFlow13); add it there or choose one of them\n");
	expect_problems("t.yaml", HEAD "    openflow: OpenFlow10\n"
		"    meters:\n      - meter=1,kbps,band=type=drop,rate=100\n" HOSTS,
		"t.yaml:6:9: OpenFlow10 cannot express it (OpenFlow13 .. OpenFlow15 can); choose "
		"that \"openflow:\" version or write it as OpenFlow10 does\n");
}
