/* The int_br lab end to end, run as a user would: the ovslab binary, then
 * `ip`, `ovs-vsctl` and `iptables-legacy-save` to observe.  Each test runs in
 * its own sandbox (tests/sandbox.h).  The "outside" is a namespace this test
 * makes, reached through a veth pair that is the sandbox's default route:
 * traffic never leaves the sandbox. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandbox.h"
#include "xfer.h"

#define OUT_SERVER SANDBOX_OUT_SERVER
#define OUT_UPLINK SANDBOX_OUT_UPLINK

static char buf[65536];

static void lab_init(void)
{
	sandbox_enter();
	sandbox_outside();
}

static int ovslab(char *out, size_t len, const char *args)
{
	return sandbox_runf(out, len, "%s %s", sandbox_ovslab(), args);
}

static void up_int_br(void)
{
	char cmd[4200];

	snprintf(cmd, sizeof(cmd), "up %s", sandbox_fixture("int_br.yaml"));
	cr_assert_eq(ovslab(buf, sizeof(buf), cmd), 0, "ovslab up failed: %s", buf);
}

/* The machine (here: the sandbox) holds nothing of the lab. */
static void assert_nothing_left(void)
{
	DIR *d;
	struct dirent *de;

	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip netns list"), 0);
	cr_assert_null(strstr(buf, "ns01"), "namespace left: %s", buf);
	cr_assert_null(strstr(buf, "ns02"), "namespace left: %s", buf);
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip -o link show"), 0);
	cr_assert_null(strstr(buf, "ns01_tap"), "interface left: %s", buf);
	cr_assert_null(strstr(buf, "ns02_tap"), "interface left: %s", buf);
	cr_assert_null(strstr(buf, "int_br"), "interface left: %s", buf);
	cr_assert_null(strstr(buf, "ovs-netdev"), "interface left: %s", buf);
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "iptables-legacy-save"), 0);
	cr_assert_null(strstr(buf, "ovslab"), "iptables rule left: %s", buf);
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "cat /proc/sys/net/ipv4/ip_forward"), 0);
	cr_assert_str_eq(buf, "0\n", "ip_forward not restored");
	cr_assert_not(sandbox_proc_running("ovs-vswitchd"), "ovs-vswitchd still running");
	cr_assert_not(sandbox_proc_running("ovsdb-server"), "ovsdb-server still running");
	d = opendir("/run/ovslab");
	cr_assert_not_null(d);
	while ((de = readdir(d)))
		cr_assert(!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."),
			  "left in /run/ovslab: %s", de->d_name);
	closedir(d);
}

TestSuite(lab, .init = lab_init, .timeout = 120);

Test(lab, int_br_reach_and_down)
{
	up_int_br();
	{
		char cmd[4200];

		snprintf(cmd, sizeof(cmd), "up %s", sandbox_fixture("int_br.yaml"));
		cr_assert_eq(ovslab(buf, sizeof(buf), cmd), 0, "a second up failed: %s", buf);
		cr_assert_not_null(strstr(buf, "seed: up to date, nothing to change"), "%s", buf);
	}

	/* `ip netns` sees the hosts and can run in them. */
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip netns list"), 0);
	cr_assert_not_null(strstr(buf, "ns01"), "%s", buf);
	cr_assert_not_null(strstr(buf, "ns02"), "%s", buf);
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip netns exec ns01 ip -o addr show dev veth-ns01"), 0, "%s", buf);
	cr_assert_not_null(strstr(buf, "192.168.100.1/24"), "%s", buf);

	/* The switch shows the lab's rows, marked with the lab's name. */
	cr_assert_eq(sandbox_runf(buf, sizeof(buf),
				  "ovs-vsctl --db=unix:/run/ovslab/.switch/db.sock list-ports int_br"), 0, "%s", buf);
	cr_assert_not_null(strstr(buf, "ns01_tap"), "%s", buf);
	cr_assert_not_null(strstr(buf, "ns02_tap"), "%s", buf);
	cr_assert_eq(sandbox_runf(buf, sizeof(buf),
				  "ovs-vsctl --db=unix:/run/ovslab/.switch/db.sock get Port ns01_tap external_ids:ovslab-lab"), 0, "%s", buf);
	cr_assert_str_eq(buf, "seed\n");

	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip netns exec ns01 ping -c 2 -W 2 192.168.100.2"), 0, "%s", buf);
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip netns exec ns01 ping -c 2 -W 2 192.168.100.254"), 0, "%s", buf);
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip netns exec ns02 ping -c 2 -W 2 192.168.100.1"), 0, "%s", buf);

	/* 1 MiB over TCP, checked byte for byte (by hash) at the other end. */
	xfer_check("ns01", "ns02", "192.168.100.2");

	/* A process left inside a host does not keep down from finishing. */
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "%s exec seed ns01 -- sh -c true", sandbox_ovslab()), 0, "%s", buf);
	{
		pid_t sleeper = fork();

		if (sleeper == 0) {
			char *argv[] = { "ip", "netns", "exec", "ns01", "sleep", "300", NULL };

			execvp(argv[0], argv);
			_exit(127);
		}
		char want[32];

		usleep(200000);
		snprintf(want, sizeof(want), "%d", sleeper);
		cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip netns pids ns01"), 0, "%s", buf);
		cr_assert_not_null(strstr(buf, want), "ip netns pids does not list %s: %s", want, buf);
		cr_assert_eq(ovslab(buf, sizeof(buf), "down seed"), 0, "down failed: %s", buf);
		cr_assert_eq(sandbox_wait(sleeper), 128 + SIGTERM, "the process in ns01 was not stopped");
	}
	assert_nothing_left();
}

Test(lab, nat_reaches_outside)
{
	struct in_addr seen, uplink;

	up_int_br();
	/* In the backend auto chose: nftables, or legacy on an iptables-legacy machine. */
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "nft list ruleset"), 0);
	if (!strstr(buf, "ovslab:seed"))
		cr_assert_eq(sandbox_runf(buf, sizeof(buf), "iptables-legacy-save -t nat"), 0);
	cr_assert_not_null(strcasestr(buf, "MASQUERADE"), "%s", buf);
	cr_assert_not_null(strstr(buf, "ovslab:seed"), "%s", buf);
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "cat /proc/sys/net/ipv4/ip_forward"), 0);
	cr_assert_str_eq(buf, "1\n");

	seen = xfer_seen_from("ns01", "outside", OUT_SERVER);
	inet_pton(AF_INET, OUT_UPLINK, &uplink);
	cr_assert_eq(seen.s_addr, uplink.s_addr, "the server saw %s, not the uplink's address",
		     inet_ntoa(seen));

	cr_assert_eq(ovslab(buf, sizeof(buf), "down seed"), 0, "down failed: %s", buf);
	assert_nothing_left();
}

Test(lab, show_lists_the_lab)
{
	up_int_br();
	cr_assert_eq(ovslab(buf, sizeof(buf), "show seed"), 0, "%s", buf);
	cr_assert_not_null(strstr(buf, "ns01"), "%s", buf);
	cr_assert_not_null(strstr(buf, "192.168.100.1/24"), "%s", buf);
	cr_assert_not_null(strstr(buf, "ns02_tap"), "%s", buf);
	cr_assert_not_null(strstr(buf, "netdev"), "%s", buf);
	cr_assert_not_null(strcasestr(buf, "MASQUERADE"), "%s", buf);
	cr_assert_eq(ovslab(buf, sizeof(buf), "show seed --json"), 0, "%s", buf);
	cr_assert_not_null(strstr(buf, "\"name\":\"seed\""), "%s", buf);
	cr_assert_not_null(strstr(buf, "\"port\":\"ns01_tap\",\"ofport\":"), "%s", buf);
	cr_assert_null(strstr(buf, "\"ofport\":0"), "a port without ofport: %s", buf);
	cr_assert_null(strstr(buf, "\"ofport\":-1"), "a failed port: %s", buf);
	/* The completion's names come from the lab's saved file. */
	cr_assert_eq(ovslab(buf, sizeof(buf), "complete seed hosts"), 0, "%s", buf);
	cr_assert_str_eq(buf, "ns01\nns02\n");
	cr_assert_eq(ovslab(buf, sizeof(buf), "complete seed bridges"), 0, "%s", buf);
	cr_assert_str_eq(buf, "int_br\n");
	cr_assert_eq(ovslab(buf, sizeof(buf), "complete seed machines"), 0, "%s", buf);
	cr_assert_str_eq(buf, "");
	/* down by file name works as well as by lab name */
	{
		char cmd[4200];

		snprintf(cmd, sizeof(cmd), "down %s", sandbox_fixture("int_br.yaml"));
		cr_assert_eq(ovslab(buf, sizeof(buf), cmd), 0, "%s", buf);
	}
	assert_nothing_left();
}

Test(lab, bad_file_creates_nothing)
{
	char cmd[4200];

	snprintf(cmd, sizeof(cmd), "up %s", sandbox_fixture("bad-five.yaml"));
	cr_assert_eq(ovslab(buf, sizeof(buf), cmd), 1, "%s", buf);
	cr_assert_not_null(strstr(buf, sandbox_fixture("bad-five.yaml")), "%s", buf);
	/* every line names file:line:col */
	for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
		int l = 0, c = 0;
		char *p = strstr(line, ".yaml:");

		cr_assert_not_null(p, "not a file:line:col message: %s", line);
		cr_assert_eq(sscanf(p, ".yaml:%d:%d:", &l, &c), 2, "not a file:line:col message: %s", line);
		cr_assert(l > 0 && c > 0);
	}
	assert_nothing_left();
}

Test(lab, name_clash_creates_nothing)
{
	char cmd[4200];

	/* A foreign interface holding a port's name: up must refuse and leave it. */
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip link add ns02_tap type veth peer name foreign0"), 0, "%s", buf);
	snprintf(cmd, sizeof(cmd), "up %s", sandbox_fixture("int_br.yaml"));
	cr_assert_eq(ovslab(buf, sizeof(buf), cmd), 1, "%s", buf);
	cr_assert_not_null(strstr(buf, "ns02_tap"), "the error does not name the interface: %s", buf);
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip -o link show ns02_tap"), 0, "the foreign interface is gone");
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip link del ns02_tap"), 0);
	assert_nothing_left();
}

/* A failure at any step of up (injected) leaves the machine as it was. */
static void fail_at(const char *step)
{
	char cmd[4200];
	char want[128];

	snprintf(cmd, sizeof(cmd), "up %s", sandbox_fixture("int_br.yaml"));
	cr_assert_eq(setenv("OVSLAB_FAULT", step, 1), 0);
	cr_assert_eq(ovslab(buf, sizeof(buf), cmd), 1, "up did not fail at %s: %s", step, buf);
	unsetenv("OVSLAB_FAULT");
	snprintf(want, sizeof(want), "ovslab: %s: failure injected", step);
	cr_assert_not_null(strstr(buf, want), "%s", buf);
	assert_nothing_left();
}

Test(lab, failure_after_switch_leaves_nothing) { fail_at("switch"); }
Test(lab, failure_after_hosts_leaves_nothing) { fail_at("hosts"); }
Test(lab, failure_after_ports_leaves_nothing) { fail_at("ports"); }
Test(lab, failure_after_gateways_leaves_nothing) { fail_at("gateways"); }
Test(lab, failure_after_nat_leaves_nothing) { fail_at("nat"); }

/* The machine's own switch: a database answering at /run/openvswitch/db.sock
 * (here the sandbox's, started by the test).  The lab goes into it, and down
 * takes out the lab's rows and nothing else. */
static void machine_switch_start(void)
{
	cr_assert_eq(setenv("OVS_RUNDIR", "/run/openvswitch", 1), 0);
	setenv("OVS_DBDIR", "/run/openvswitch", 1);
	setenv("OVS_LOGDIR", "/run/openvswitch", 1);
	setenv("OVS_SYSCONFDIR", "/run/openvswitch", 1);
	cr_assert_eq(sandbox_runf(buf, sizeof(buf),
				  "ovsdb-tool create /run/openvswitch/conf.db /usr/share/openvswitch/vswitch.ovsschema"),
		     0, "%s", buf);
	cr_assert_eq(sandbox_runf(buf, sizeof(buf),
				  "ovsdb-server /run/openvswitch/conf.db --remote=punix:/run/openvswitch/db.sock "
				  "--pidfile --detach --no-chdir --log-file"), 0, "%s", buf);
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ovs-vsctl --no-wait init"), 0, "%s", buf);
	cr_assert_eq(sandbox_runf(buf, sizeof(buf),
				  "ovs-vswitchd --disable-system --pidfile --detach --no-chdir --log-file"),
		     0, "%s", buf);
	cr_assert_eq(sandbox_runf(buf, sizeof(buf),
				  "ovs-vsctl add-br foreign -- set Bridge foreign datapath_type=netdev"),
		     0, "%s", buf);
	/* The test, not ovslab, must reach this switch through the usual place. */
	unsetenv("OVS_RUNDIR");
}

static void machine_switch_stop(void)
{
	setenv("OVS_RUNDIR", "/run/openvswitch", 1);
	sandbox_runf(buf, sizeof(buf), "ovs-appctl -t ovs-vswitchd exit --cleanup");
	sandbox_runf(buf, sizeof(buf), "ovs-appctl -t ovsdb-server exit");
	unsetenv("OVS_RUNDIR");
	/* exit answers before the daemon is gone */
	for (int i = 0; i < 500 && (sandbox_proc_running("ovs-vswitchd") || sandbox_proc_running("ovsdb-server")); i++)
		usleep(20000);
}

Test(lab, machine_switch_is_used_and_left_alone)
{
	machine_switch_start();
	up_int_br();
	cr_assert_eq(ovslab(buf, sizeof(buf), "show seed"), 0, "%s", buf);
	cr_assert_not_null(strstr(buf, "switch: shared, unix:/run/openvswitch/db.sock"), "%s", buf);
	cr_assert_eq(access("/run/ovslab/.switch", F_OK), -1, "a private switch was started");
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ovs-vsctl list-br"), 0, "%s", buf);
	cr_assert_str_eq(buf, "foreign\nint_br\n");
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip netns exec ns01 ping -c 1 -W 2 192.168.100.2"), 0, "%s", buf);

	cr_assert_eq(ovslab(buf, sizeof(buf), "down seed"), 0, "%s", buf);
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ovs-vsctl list-br"), 0, "%s", buf);
	cr_assert_str_eq(buf, "foreign\n", "down touched rows that were not the lab's");
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ovs-vsctl --columns=name find Port external_ids:ovslab-lab=seed"), 0);
	cr_assert_str_eq(buf, "", "lab rows left: %s", buf);
	cr_assert(sandbox_proc_running("ovs-vswitchd"), "down stopped the machine's switch");
	machine_switch_stop();
	cr_assert_not(sandbox_proc_running("ovs-vswitchd"));
	assert_nothing_left();
}

Test(lab, machine_switch_bridge_is_not_adopted)
{
	char cmd[4200];

	machine_switch_start();
	cr_assert_eq(sandbox_runf(buf, sizeof(buf),
				  "ovs-vsctl add-br int_br -- set Bridge int_br datapath_type=netdev"), 0, "%s", buf);
	snprintf(cmd, sizeof(cmd), "up %s", sandbox_fixture("int_br.yaml"));
	cr_assert_eq(ovslab(buf, sizeof(buf), cmd), 1, "%s", buf);
	cr_assert_not_null(strstr(buf, "int_br"), "the error does not name the bridge: %s", buf);
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ovs-vsctl list-br"), 0, "%s", buf);
	cr_assert_str_eq(buf, "foreign\nint_br\n", "the foreign bridge was touched");
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip netns list"), 0);
	cr_assert_null(strstr(buf, "ns01"), "%s", buf);
	machine_switch_stop();
	cr_assert_neq(sandbox_runf(buf, sizeof(buf), "ip -o link show int_br"), 0, "the internal port outlived the switch");
	assert_nothing_left();
}

/* Every clash with what the machine already has, reported at once as
 * file:line:col lines, and nothing made; the foreign objects stay. */
Test(lab, machine_clashes_all_reported)
{
	char cmd[4200];
	int lines = 0;

	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip netns add ns01"), 0, "%s", buf);
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip link add ns02_tap type veth peer name foreign0"), 0, "%s", buf);
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip route add 192.168.0.0/16 via " OUT_SERVER), 0, "%s", buf);
	snprintf(cmd, sizeof(cmd), "up %s", sandbox_fixture("int_br.yaml"));
	cr_assert_eq(ovslab(buf, sizeof(buf), cmd), 1, "%s", buf);
	cr_assert_not_null(strstr(buf, "int_br.yaml:8:3: host ns01: a network namespace of that name already exists"), "%s", buf);
	cr_assert_not_null(strstr(buf, "int_br.yaml:13:3: host ns02: interface name \"ns02_tap\" already exists"), "%s", buf);
	cr_assert_not_null(strstr(buf, "int_br.yaml:3:3: bridge int_br: NAT subnet 192.168.100.0/24 overlaps the machine's route 192.168.0.0/16 dev up0"), "%s", buf);
	for (char *p = buf; (p = strchr(p, '\n')); p++)
		lines++;
	cr_assert_eq(lines, 3, "%s", buf);
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip -o link show ns02_tap"), 0, "the foreign interface is gone");
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip netns exec ns01 true"), 0, "the foreign namespace is gone");
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip netns del ns01"), 0);
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip link del ns02_tap"), 0);
	assert_nothing_left();
}

/* A clash in the machine's switch and one on the machine, both reported at
 * once with their places, before anything is made: no journal, no private
 * switch, the foreign rows and namespace stay. */
Test(lab, switch_and_machine_clashes_reported_together)
{
	char cmd[4200];
	int lines = 0;

	machine_switch_start();
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ovs-vsctl add-port foreign ns02_tap"), 0, "%s", buf);
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip netns add ns01"), 0, "%s", buf);
	snprintf(cmd, sizeof(cmd), "up %s", sandbox_fixture("int_br.yaml"));
	cr_assert_eq(ovslab(buf, sizeof(buf), cmd), 1, "%s", buf);
	cr_assert_not_null(strstr(buf, "int_br.yaml:8:3: host ns01: a network namespace of that name already exists"), "%s", buf);
	cr_assert_not_null(strstr(buf, "int_br.yaml:13:3: ns02_tap: a port of that name already exists in the switch\n"), "%s", buf);
	for (char *p = buf; (p = strchr(p, '\n')); p++)
		lines++;
	cr_assert_eq(lines, 2, "%s", buf);
	cr_assert_eq(access("/run/ovslab/.switch", F_OK), -1, "a private switch was started");
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ovs-vsctl list-br"), 0, "%s", buf);
	cr_assert_str_eq(buf, "foreign\n", "%s", buf);
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ovs-vsctl list-ports foreign"), 0, "%s", buf);
	cr_assert_str_eq(buf, "ns02_tap\n", "the foreign port was touched: %s", buf);
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip netns exec ns01 true"), 0, "the foreign namespace is gone");
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip netns del ns01"), 0);
	machine_switch_stop();
	assert_nothing_left();
}

/* flows, trace and ovs look into the machine's switch when the lab is there
 * (its sockets carry the daemons' pids: ovs-vswitchd.PID.ctl). */
Test(lab, machine_switch_flows_trace_and_ovs)
{
	char cmd[4200];

	machine_switch_start();
	snprintf(cmd, sizeof(cmd), "up %s", sandbox_fixture("meters.yaml"));
	cr_assert_eq(ovslab(buf, sizeof(buf), cmd), 0, "%s", buf);
	cr_assert_eq(ovslab(buf, sizeof(buf), "ovs meters -- vsctl show"), 0, "%s", buf);
	cr_expect_not_null(strstr(buf, "Bridge mt_br"), "%s", buf);
	cr_expect_not_null(strstr(buf, "Bridge foreign"), "%s", buf);
	cr_assert_eq(ovslab(buf, sizeof(buf), "ovs meters -- ofctl -O OpenFlow13 dump-flows mt_br"), 0, "%s", buf);
	cr_expect_not_null(strstr(buf, "actions=meter:1,output:"), "%s", buf);
	cr_assert_eq(ovslab(buf, sizeof(buf), "ovs meters -- appctl version"), 0, "%s", buf);
	cr_expect_not_null(strstr(buf, "ovs-vswitchd"), "%s", buf);
	cr_assert_eq(ovslab(buf, sizeof(buf), "flows meters"), 0, "%s", buf);
	cr_expect_not_null(strstr(buf, "actions=meter:1,output:\"ns02_tap\""), "%s", buf);
	cr_expect_not_null(strstr(buf, "\nmeter=1 pktps stats bands=type=drop rate=1\n"), "%s", buf);
	cr_expect_null(strstr(buf, "foreign"), "%s", buf);
	cr_assert_eq(ovslab(buf, sizeof(buf),
			    "trace meters mt_br in_port=ns01_tap,icmp,nw_src=10.62.0.1,nw_dst=10.62.0.2"),
		     0, "%s", buf);
	cr_expect_not_null(strstr(buf, "Datapath actions: meter("), "%s", buf);
	cr_assert_eq(ovslab(buf, sizeof(buf),
			    "trace meters mt_br in_port=ns02_tap,arp"), 0, "%s", buf);
	cr_expect_null(strstr(buf, "meter("), "%s", buf);
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip netns exec ns01 ping -c 1 -W 2 10.62.0.2"), 0,
		     "%s", buf);
	cr_assert_eq(ovslab(buf, sizeof(buf), "down meters"), 0, "%s", buf);
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ovs-vsctl list-br"), 0, "%s", buf);
	cr_assert_str_eq(buf, "foreign\n");
	machine_switch_stop();
	assert_nothing_left();
}
