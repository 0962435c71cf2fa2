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
				 &msg), 0, "%s", msg);
	cr_expect_null(msg);
	cr_expect_eq(flows_validate(FLOWS_FLOW, "in_port=br,actions=output:p1", "br", ports, 2, &msg),
		     0, "%s", msg);
	cr_expect_eq(flows_validate(FLOWS_FLOW, "in_port=p3,actions=drop", "br", ports, 2, &msg),
		     -EINVAL);
	cr_assert_not_null(msg);
	cr_expect_not_null(strstr(msg, "p3"), "%s", msg);
	free(msg);
	cr_expect_eq(flows_validate(FLOWS_GROUP, "group_id=2,type=select,bucket=output:p2", "br", ports,
				 2, &msg), 0, "%s", msg);
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
				 &msg), 0, "%s", msg);
	cr_expect_null(msg);
	cr_expect_eq(flows_validate(FLOWS_METER, "meter=0,pktps,band=type=drop,rate=2", "br", NULL, 0,
				 &msg), -EINVAL);
	cr_assert_not_null(msg);
	cr_expect_not_null(strstr(msg, "invalid value for meter"), "%s", msg);
	free(msg);
}
