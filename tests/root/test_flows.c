/* Declared OpenFlow flows on a lab bridge, with traffic, and the flows,
 * trace and ovs commands.  Each test in its own sandbox (tests/sandbox.h). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sandbox.h"

static char buf[65536];

static int ovslab(const char *fmt, const char *arg)
{
	char args[4400];

	snprintf(args, sizeof(args), fmt, arg);
	return sandbox_runf(buf, sizeof(buf), "%s %s", sandbox_ovslab(), args);
}

static int ping(const char *ns, const char *addr)
{
	return sandbox_runf(buf, sizeof(buf), "ip netns exec %s ping -c 1 -W 1 %s", ns, addr);
}

static void nothing_left(void)
{
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip netns list"), 0);
	cr_assert_str_eq(buf, "", "namespaces left: %s", buf);
	cr_assert_eq(access("/run/ovslab/.switch", F_OK), -1, "the private switch is left");
	cr_assert_eq(access("/run/ovslab/fl", F_OK), -1, "the lab's record is left");
}

/* How OVS prints a declared flow: quoted port names, actions after a space. */
static void printed(const char *flow, char *out, size_t len)
{
	size_t n = 0;

	for (const char *p = flow; *p && n + 4 < len; p++) {
		if (!strncmp(p, ",actions=", 9)) {
			out[n++] = ' ';
			continue;
		}
		if (!strncmp(p, "ns0", 3) && !strncmp(p + 4, "_tap", 4)) {
			n += (size_t)snprintf(out + n, len - n, "\"%.8s\"", p);
			p += 7;
			continue;
		}
		out[n++] = *p;
	}
	out[n] = '\0';
}

TestSuite(flows, .init = sandbox_enter, .timeout = 180);

Test(flows, declared_table_carries_the_traffic)
{
	static const char *const declared[] = {
		"priority=100,arp,in_port=ns01_tap,actions=group:1",
		"priority=100,arp,in_port=ns02_tap,actions=output:ns01_tap",
		"priority=100,ip,in_port=ns01_tap,nw_dst=192.168.100.2,actions=output:ns02_tap",
		"priority=100,ip,in_port=ns02_tap,nw_dst=192.168.100.1,actions=output:ns01_tap",
		"priority=50,ip,in_port=ns01_tap,nw_dst=192.168.100.3,actions=drop",
		"priority=0,actions=drop",
	};
	char want[256];

	cr_assert_eq(ovslab("up %s", sandbox_fixture("flows.yaml")), 0, "%s", buf);
	cr_assert_eq(ping("ns01", "192.168.100.2"), 0, "ns01 cannot reach ns02: %s", buf);
	cr_assert_eq(ping("ns02", "192.168.100.1"), 0, "ns02 cannot reach ns01: %s", buf);
	cr_assert_neq(ping("ns01", "192.168.100.3"), 0, "ns01 reaches ns03: %s", buf);
	/* ns03 itself is fine: the table, not the host, stops it */
	cr_assert_neq(ping("ns03", "192.168.100.2"), 0, "ns03 passes the low drop: %s", buf);

	cr_assert_eq(ovslab("flows %s", "flows"), 0, "%s", buf);
	for (size_t i = 0; i < sizeof(declared) / sizeof(declared[0]); i++) {
		printed(declared[i], want, sizeof(want));
		cr_expect_not_null(strstr(buf, want), "flows lacks %s:\n%s", want, buf);
	}
	cr_expect_null(strstr(buf, "NORMAL"), "the default flow stayed:\n%s", buf);
	cr_assert_eq(ovslab("flows %s int_br", "flows"), 0, "%s", buf);
	cr_expect_not_null(strstr(buf, "actions=group:1"), "%s", buf);
	cr_expect_neq(ovslab("flows %s br9", "flows"), 0, "%s", buf);
	cr_expect_not_null(strstr(buf, "br9: no such bridge"), "%s", buf);

	cr_assert_eq(ovslab("trace flows int_br %s",
			    "in_port=ns01_tap,icmp,nw_src=192.168.100.1,nw_dst=192.168.100.3"), 0, "%s", buf);
	cr_expect_not_null(strstr(buf, "Datapath actions: drop"), "%s", buf);
	cr_assert_eq(ovslab("trace flows int_br %s",
			    "in_port=ns01_tap,icmp,nw_src=192.168.100.1,nw_dst=192.168.100.2"), 0, "%s", buf);
	cr_expect_null(strstr(buf, "Datapath actions: drop"), "%s", buf);
	cr_expect_neq(ovslab("trace flows int_br %s", "in_port=nosuch"), 0, "%s", buf);
	cr_expect_not_null(strstr(buf, "nosuch"), "%s", buf);

	cr_assert_eq(ovslab("down %s", "flows"), 0, "%s", buf);
}

Test(flows, ovs_passthrough)
{
	cr_assert_eq(ovslab("up %s", sandbox_fixture("flows.yaml")), 0, "%s", buf);
	cr_assert_eq(ovslab("ovs %s -- vsctl show", "flows"), 0, "%s", buf);
	cr_expect_not_null(strstr(buf, "Bridge int_br"), "%s", buf);
	cr_assert_eq(ovslab("ovs %s -- ofctl dump-flows int_br", "flows"), 0, "%s", buf);
	cr_expect_not_null(strstr(buf, "nw_dst=192.168.100.3 actions=drop"), "%s", buf);
	cr_assert_eq(ovslab("ovs %s -- appctl version", "flows"), 0, "%s", buf);
	cr_expect_not_null(strstr(buf, "ovs-vswitchd"), "%s", buf);
	cr_assert_eq(ovslab("ovs %s -- appctl -t ovsdb-server version", "flows"), 0, "%s", buf);
	cr_expect_not_null(strstr(buf, "ovsdb-server"), "%s", buf);
	/* the tool's own exit status comes back */
	cr_expect_eq(ovslab("ovs %s -- ofctl dump-flows nosuchbr", "flows"), 1, "%s", buf);
	cr_expect_eq(ovslab("ovs %s -- ifconfig", "flows"), 1, "%s", buf);
	cr_assert_eq(ovslab("down %s", "flows"), 0, "%s", buf);
}

#define LAB_FILE SANDBOX_FILES "/fl.yaml"
#define FLOWS_FILE SANDBOX_FILES "/br0.flows"
#define LAB_TEXT                                  \
	"name: fl\n"                              \
	"bridges:\n"                              \
	"  br0:\n"                                \
	"    flows_file: br0.flows\n"             \
	"hosts:\n"                                \
	"  a:\n    bridge: br0\n    address: 10.61.0.1/24\n" \
	"  b:\n    bridge: br0\n    address: 10.61.0.2/24\n"

Test(flows, bad_flow_stops_up_before_anything_is_made)
{
	sandbox_write(LAB_FILE, LAB_TEXT);
	sandbox_write(FLOWS_FILE, "# one good, one bad\nactions=NORMAL\nin_port=a_tap,actions=output:c_tap\n");
	cr_assert_eq(ovslab("up %s", LAB_FILE), 1, "%s", buf);
	cr_expect_not_null(strstr(buf, FLOWS_FILE ":3: flow: c_tap:"), "%s", buf);
	nothing_left();
}

Test(flows, switch_refusal_undoes_a_fresh_up)
{
	sandbox_write(LAB_FILE, LAB_TEXT);
	/* The parser takes a group it has not seen; the switch has no group 7. */
	sandbox_write(FLOWS_FILE, "actions=NORMAL\n\nin_port=a_tap,actions=group:7\n");
	cr_assert_eq(ovslab("up %s", LAB_FILE), 1, "%s", buf);
	cr_expect_not_null(strstr(buf, "bridge br0: " FLOWS_FILE ":3: the switch refused flow"),
			   "%s", buf);
	cr_expect_not_null(strstr(buf, "OFPBAC_BAD_OUT_GROUP"), "%s", buf);
	nothing_left();
}

Test(flows, edited_flows_replace_the_table_in_place)
{
	struct stat before, after;

	sandbox_write(LAB_FILE, LAB_TEXT);
	sandbox_write(FLOWS_FILE, "priority=10,ip,nw_dst=10.61.0.9,actions=drop\nactions=NORMAL\n");
	cr_assert_eq(ovslab("up %s", LAB_FILE), 0, "%s", buf);
	cr_assert_eq(ovslab("flows %s", "fl"), 0, "%s", buf);
	cr_expect_not_null(strstr(buf, "nw_dst=10.61.0.9 actions=drop"), "%s", buf);
	cr_assert_eq(stat("/run/netns/a", &before), 0);
	cr_assert_eq(ovslab("up %s", LAB_FILE), 0, "%s", buf);
	cr_expect_not_null(strstr(buf, "up to date"), "%s", buf);

	/* the lab's record keeps its copy: the file may change under it */
	sandbox_write(FLOWS_FILE, "priority=20,ip,nw_dst=10.61.0.8,actions=drop\nactions=NORMAL\n");
	cr_assert_eq(ovslab("plan %s", LAB_FILE), 0, "%s", buf);
	cr_expect_str_eq(buf, "~ bridge br0: flows\n");
	cr_assert_eq(ovslab("up %s", LAB_FILE), 0, "%s", buf);
	cr_expect_not_null(strstr(buf, "~ bridge br0: flows\n"), "%s", buf);
	cr_expect_null(strstr(buf, " host "), "hosts touched: %s", buf);
	cr_assert_eq(stat("/run/netns/a", &after), 0);
	cr_expect_eq(before.st_ino, after.st_ino, "host a was made anew");
	cr_assert_eq(ovslab("flows %s", "fl"), 0, "%s", buf);
	cr_expect_not_null(strstr(buf, "nw_dst=10.61.0.8 actions=drop"), "%s", buf);
	cr_expect_null(strstr(buf, "10.61.0.9"), "the old flow stayed: %s", buf);
	cr_expect_eq(ping("a", "10.61.0.2"), 0, "%s", buf);

	/* a flow the switch refuses: the edit is undone, the table as it was */
	sandbox_write(FLOWS_FILE, "actions=group:3\n");
	cr_assert_eq(ovslab("up %s", LAB_FILE), 1, "%s", buf);
	cr_expect_not_null(strstr(buf, "OFPBAC_BAD_OUT_GROUP"), "%s", buf);
	cr_assert_eq(ovslab("flows %s", "fl"), 0, "%s", buf);
	cr_expect_not_null(strstr(buf, "nw_dst=10.61.0.8 actions=drop"), "%s", buf);

	/* no flows declared: OVS's default NORMAL flow comes back */
	sandbox_write(LAB_FILE, "name: fl\nbridges:\n  br0:\nhosts:\n"
				"  a:\n    bridge: br0\n    address: 10.61.0.1/24\n"
				"  b:\n    bridge: br0\n    address: 10.61.0.2/24\n");
	cr_assert_eq(ovslab("up %s", LAB_FILE), 0, "%s", buf);
	cr_assert_eq(ovslab("flows %s", "fl"), 0, "%s", buf);
	cr_expect_not_null(strstr(buf, "priority=0 actions=NORMAL"), "%s", buf);
	cr_expect_null(strstr(buf, "10.61.0.8"), "%s", buf);
	cr_assert_eq(ovslab("down %s", "fl"), 0, "%s", buf);
	nothing_left();
}

/* A bridge that speaks only OpenFlow 1.0 has no bundles: delete, adds and a
 * barrier do the same. */
Test(flows, openflow10_bridge_without_bundles)
{
	sandbox_write(LAB_FILE, LAB_TEXT);
	sandbox_write(FLOWS_FILE, "priority=10,ip,nw_dst=10.61.0.9,actions=drop\nactions=NORMAL\n");
	cr_assert_eq(ovslab("up %s", LAB_FILE), 0, "%s", buf);
	cr_assert_eq(ovslab("ovs %s -- vsctl set bridge br0 protocols=OpenFlow10", "fl"), 0, "%s", buf);
	sandbox_write(FLOWS_FILE, "priority=10,ip,nw_dst=10.61.0.8,actions=drop\nactions=NORMAL\n");
	cr_assert_eq(ovslab("up %s", LAB_FILE), 0, "%s", buf);
	cr_assert_eq(ovslab("ovs %s -- ofctl -O OpenFlow10 dump-flows br0", "fl"), 0, "%s", buf);
	cr_expect_not_null(strstr(buf, "nw_dst=10.61.0.8 actions=drop"), "%s", buf);
	cr_expect_null(strstr(buf, "10.61.0.9"), "%s", buf);
	cr_expect_eq(ping("a", "10.61.0.2"), 0, "%s", buf);

	sandbox_write(FLOWS_FILE, "priority=10,ip,nw_dst=10.61.0.7,actions=drop\nactions=group:3\n");
	cr_assert_eq(ovslab("up %s", LAB_FILE), 1, "%s", buf);
	cr_expect_not_null(strstr(buf, FLOWS_FILE ":2: the switch refused flow"), "%s", buf);
	cr_assert_eq(ovslab("flows %s", "fl"), 0, "%s", buf);
	cr_expect_not_null(strstr(buf, "nw_dst=10.61.0.8 actions=drop"), "the old table is not back: %s", buf);
	cr_expect_null(strstr(buf, "10.61.0.7"), "%s", buf);
	cr_assert_eq(ovslab("down %s", "fl"), 0, "%s", buf);
	nothing_left();
}

/* A meter that lets one packet a second pass drops most of a burst of 100
 * pings; the same path passes a single ping. */
Test(flows, meter_drops_a_ping_burst)
{
	const char *got;
	int received = -1;

	cr_assert_eq(ovslab("up %s", sandbox_fixture("meters.yaml")), 0, "%s", buf);
	cr_assert_eq(ovslab("ovs %s -- ofctl -O OpenFlow13 dump-meters mt_br", "meters"), 0, "%s", buf);
	cr_expect_not_null(strstr(buf, "meter=1 pktps stats bands=\ntype=drop rate=1"), "%s", buf);
	cr_assert_eq(ovslab("flows %s", "meters"), 0, "%s", buf);
	cr_expect_not_null(strstr(buf, "\nmeter=1 pktps stats bands=type=drop rate=1\n"), "%s", buf);
	cr_expect_not_null(strstr(buf, "actions=meter:1,output:\"ns02_tap\""), "%s", buf);

	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip netns exec ns01 ping -c 1 -W 2 10.62.0.2"), 0,
		     "one ping does not pass the meter: %s", buf);
	sandbox_runf(buf, sizeof(buf), "ip netns exec ns01 ping -q -c 100 -i 0.01 -W 1 10.62.0.2");
	got = strstr(buf, "transmitted, ");
	cr_assert_not_null(got, "%s", buf);
	cr_assert_eq(sscanf(got, "transmitted, %d received", &received), 1, "%s", buf);
	cr_expect_lt(received, 50, "the meter let %d of 100 through: %s", received, buf);
	cr_assert_eq(ovslab("down %s", "meters"), 0, "%s", buf);
}

#define MT_FILE SANDBOX_FILES "/mt.yaml"
#define MT_HOSTS                                                  \
	"hosts:\n"                                                \
	"  a:\n    bridge: br0\n    address: 10.63.0.1/24\n"      \
	"  b:\n    bridge: br0\n    address: 10.63.0.2/24\n"
#define MT_FLOWS                                                  \
	"    groups: [\"group_id=1,type=all,bucket=output:b_tap\"]\n" \
	"    flows:\n"                                            \
	"      - priority=10,ip,actions=meter:2,NORMAL\n"         \
	"      - actions=NORMAL\n"

Test(flows, edited_meters_replace_the_old_ones)
{
	sandbox_write(MT_FILE, "name: mt\nbridges:\n  br0:\n    meters:\n"
			       "      - meter=1,pktps,band=type=drop,rate=5\n"
			       "      - meter=2,kbps,band=type=drop,rate=100\n" MT_FLOWS MT_HOSTS);
	cr_assert_eq(ovslab("up %s", MT_FILE), 0, "%s", buf);
	cr_assert_eq(ovslab("flows %s", "mt"), 0, "%s", buf);
	cr_expect_not_null(strstr(buf, "\ngroup_id=1,type=all,bucket=bucket_id:0,actions=output:\"b_tap\"\n"),
			   "%s", buf);
	cr_expect_not_null(strstr(buf, "\nmeter=1 pktps bands=type=drop rate=5\n"), "%s", buf);
	cr_expect_not_null(strstr(buf, "\nmeter=2 kbps bands=type=drop rate=100\n"), "%s", buf);

	sandbox_write(MT_FILE, "name: mt\nbridges:\n  br0:\n    meters:\n"
			       "      - meter=2,kbps,band=type=drop,rate=200\n"
			       "      - meter=3,pktps,band=type=drop,rate=7\n" MT_FLOWS MT_HOSTS);
	cr_assert_eq(ovslab("plan %s", MT_FILE), 0, "%s", buf);
	cr_expect_str_eq(buf, "~ bridge br0: flows\n");
	cr_assert_eq(ovslab("up %s", MT_FILE), 0, "%s", buf);
	cr_assert_eq(ovslab("ovs %s -- ofctl -O OpenFlow13 dump-meters br0", "mt"), 0, "%s", buf);
	cr_expect_null(strstr(buf, "meter=1 "), "the undeclared meter stayed: %s", buf);
	cr_expect_not_null(strstr(buf, "meter=2 kbps bands=\ntype=drop rate=200"), "%s", buf);
	cr_expect_not_null(strstr(buf, "meter=3 pktps bands=\ntype=drop rate=7"), "%s", buf);
	cr_assert_eq(ovslab("flows %s", "mt"), 0, "%s", buf);
	cr_expect_not_null(strstr(buf, "actions=meter:2,NORMAL"), "%s", buf);

	/* the switch refuses the second meter 3: the meters are put back */
	sandbox_write(MT_FILE, "name: mt\nbridges:\n  br0:\n    meters:\n"
			       "      - meter=3,pktps,band=type=drop,rate=9\n"
			       "      - meter=3,pktps,band=type=drop,rate=8\n" MT_FLOWS MT_HOSTS);
	cr_assert_eq(ovslab("up %s", MT_FILE), 1, "%s", buf);
	cr_expect_not_null(strstr(buf, "bridge br0: " MT_FILE ":6:9: the switch refused meter "
					"\"meter=3,pktps,band=type=drop,rate=8\": OFPMMFC_METER_EXISTS"),
			   "%s", buf);
	cr_assert_eq(ovslab("flows %s", "mt"), 0, "%s", buf);
	cr_expect_not_null(strstr(buf, "\nmeter=2 kbps bands=type=drop rate=200\n"), "%s", buf);
	cr_expect_not_null(strstr(buf, "\nmeter=3 pktps bands=type=drop rate=7\n"), "%s", buf);
	cr_expect_not_null(strstr(buf, "actions=meter:2,NORMAL"), "%s", buf);

	/* no meters declared: none stay */
	sandbox_write(MT_FILE, "name: mt\nbridges:\n  br0:\n" MT_HOSTS);
	cr_assert_eq(ovslab("up %s", MT_FILE), 0, "%s", buf);
	cr_assert_eq(ovslab("flows %s", "mt"), 0, "%s", buf);
	cr_expect_null(strstr(buf, "meter="), "%s", buf);
	cr_expect_null(strstr(buf, "group_id="), "%s", buf);
	cr_expect_not_null(strstr(buf, "priority=0 actions=NORMAL"), "%s", buf);
	cr_assert_eq(ovslab("down %s", "mt"), 0, "%s", buf);
}

/* Meters need OpenFlow 1.3: a bridge held to 1.0 gets a clear error. */
Test(flows, meters_on_an_openflow10_bridge)
{
	sandbox_write(MT_FILE, "name: mt\nbridges:\n  br0:\n" MT_HOSTS);
	cr_assert_eq(ovslab("up %s", MT_FILE), 0, "%s", buf);
	cr_assert_eq(ovslab("ovs %s -- vsctl set bridge br0 protocols=OpenFlow10", "mt"), 0, "%s", buf);
	sandbox_write(MT_FILE, "name: mt\nbridges:\n  br0:\n    meters:\n"
			       "      - meter=1,pktps,band=type=drop,rate=5\n" MT_HOSTS);
	cr_assert_eq(ovslab("up %s", MT_FILE), 1, "%s", buf);
	cr_expect_not_null(strstr(buf, "bridge br0: " MT_FILE ":5:9: meters need OpenFlow 1.3 or "
					"later, the bridge speaks OpenFlow10"), "%s", buf);
	cr_assert_eq(ovslab("flows %s", "mt"), 0, "%s", buf);
	cr_expect_not_null(strstr(buf, "actions=NORMAL"), "%s", buf);
	cr_assert_eq(ovslab("down %s", "mt"), 0, "%s", buf);
}

/* A switch that does not answer: trace gives up instead of hanging. */
Test(flows, trace_gives_up_on_a_wedged_switch)
{
	char pid[32] = "";
	FILE *f;

	sandbox_write(MT_FILE, "name: mt\nbridges:\n  br0:\n" MT_HOSTS);
	cr_assert_eq(ovslab("up %s", MT_FILE), 0, "%s", buf);
	f = fopen("/run/ovslab/.switch/ovs-vswitchd.pid", "r");
	cr_assert_not_null(f);
	cr_assert_not_null(fgets(pid, sizeof(pid), f));
	fclose(f);
	pid[strcspn(pid, "\n")] = '\0';

	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "kill -STOP %s", pid), 0, "%s", buf);
	cr_expect_eq(ovslab("trace mt br0 %s", "in_port=a_tap,icmp"), 1, "%s", buf);
	cr_expect_not_null(strstr(buf, "ovs-vswitchd.ctl: ovs-vswitchd did not answer within 10 s"),
			   "%s", buf);
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "kill -CONT %s", pid), 0, "%s", buf);
	cr_expect_eq(ovslab("trace mt br0 %s", "in_port=a_tap,icmp"), 0, "%s", buf);

	/* no control socket at all */
	cr_assert_eq(rename("/run/ovslab/.switch/ovs-vswitchd.ctl", "/run/ovslab/.switch/away"), 0);
	cr_expect_eq(ovslab("trace mt br0 %s", "in_port=a_tap,icmp"), 1, "%s", buf);
	cr_expect_not_null(strstr(buf, "ovs-vswitchd." ), "%s", buf);
	cr_expect_not_null(strstr(buf, "cannot ask ovs-vswitchd: No such file or directory"), "%s", buf);
	cr_assert_eq(rename("/run/ovslab/.switch/away", "/run/ovslab/.switch/ovs-vswitchd.ctl"), 0);
	cr_assert_eq(ovslab("down %s", "mt"), 0, "%s", buf);
}
