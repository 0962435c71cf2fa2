/* A lab that is up, damaged by hand (a killed switch, a deleted namespace,
 * port or address, flushed NAT rules, deleted flows): `plan` lists the
 * damage, `show` fails on it, `up` repairs it and the hosts reach each other
 * again.  Each test in its own sandbox (tests/sandbox.h). */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sandbox.h"

#define SW "/run/ovslab/.switch"

static char buf[65536];
static char lab_file[256];

#define ovslab(...) sandbox_ovslabf(buf, sizeof(buf), __VA_ARGS__)

static int ping(const char *ns, const char *addr)
{
	return sandbox_runf(buf, sizeof(buf), "ip netns exec %s ping -c 1 -W 2 %s", ns, addr);
}

static void pings(void)
{
	cr_assert_eq(ping("ns01", "192.168.100.2"), 0, "ns01 -> ns02: %s", buf);
	cr_assert_eq(ping("ns02", "192.168.100.254"), 0, "ns02 -> gateway: %s", buf);
	cr_assert_eq(ping("ns01", SANDBOX_OUT_SERVER), 0, "ns01 -> outside (NAT): %s", buf);
}

/* The int_br fixture, up and reachable. */
static void up_seed(void)
{
	sandbox_enter();
	sandbox_outside();
	snprintf(lab_file, sizeof(lab_file), "%s", sandbox_fixture("int_br.yaml"));
	cr_assert_eq(ovslab("up %s", lab_file), 0, "up: %s", buf);
	pings();
	cr_assert_eq(ovslab("plan %s", lab_file), 0, "plan: %s", buf);
	cr_assert_str_eq(buf, "seed: up to date, nothing to change\n");
	cr_assert_eq(ovslab("show seed"), 0, "a healthy lab's show fails: %s", buf);
}

/* plan names the damage, show fails, up repairs it, and then all is well. */
static void repaired(const char *damage)
{
	cr_assert_eq(ovslab("plan %s", lab_file), 0, "plan: %s", buf);
	cr_assert(strstr(buf, damage), "plan does not say \"%s\":\n%s", damage, buf);
	cr_assert_neq(ovslab("show seed"), 0, "show of a damaged lab exits 0:\n%s", buf);
	cr_assert(strstr(buf, "!"), "show marks nothing:\n%s", buf);
	cr_assert_neq(ovslab("show seed --json"), 0, "show --json of a damaged lab exits 0");
	cr_assert(strstr(buf, "\"damaged\":true"), "show --json: %s", buf);
	cr_assert_eq(ovslab("up %s", lab_file), 0, "up: %s", buf);
	cr_assert(strstr(buf, damage), "up does not say what it repaired:\n%s", buf);
	cr_assert(strstr(buf, "seed: repaired"), "up: %s", buf);
	pings();
	cr_assert_eq(ovslab("show seed"), 0, "show after the repair: %s", buf);
	cr_assert_eq(ovslab("plan %s", lab_file), 0, "plan: %s", buf);
	cr_assert_str_eq(buf, "seed: up to date, nothing to change\n");
	cr_assert_eq(ovslab("down seed"), 0, "down: %s", buf);
}

static pid_t pidfile(const char *path)
{
	FILE *f = fopen(path, "r");
	long pid = 0;

	cr_assert_not_null(f, "%s", path);
	cr_assert_eq(fscanf(f, "%ld", &pid), 1);
	fclose(f);
	return (pid_t)pid;
}

static void kill_daemon(const char *name)
{
	char path[128];
	pid_t pid;

	snprintf(path, sizeof(path), SW "/%s.pid", name);
	pid = pidfile(path);
	cr_assert_eq(kill(pid, SIGKILL), 0);
	for (int i = 0; i < 200 && kill(pid, 0) == 0; i++)
		usleep(10000);
}

TestSuite(repair, .timeout = 240);

Test(repair, killed_vswitchd_started_again)
{
	up_seed();
	kill_daemon("ovs-vswitchd");
	cr_assert_neq(ping("ns01", "192.168.100.2"), 0, "the hosts still reach each other");
	repaired("! switch: ovs-vswitchd not running");
}

Test(repair, killed_switch_daemons_started_again)
{
	up_seed();
	kill_daemon("ovs-vswitchd");
	kill_daemon("ovsdb-server");
	repaired("! switch: ovsdb-server and ovs-vswitchd not running");
}

Test(repair, deleted_namespace_made_anew)
{
	up_seed();
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip netns del ns02"), 0, "%s", buf);
	repaired("! host ns02: namespace missing");
}

Test(repair, deleted_port_put_back)
{
	up_seed();
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ovs-vsctl --db=unix:" SW "/db.sock del-port "
				  "ns01_tap"), 0, "%s", buf);
	repaired("! host ns01: switch ports missing");
}

Test(repair, deleted_bridge_put_back)
{
	up_seed();
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ovs-vsctl --db=unix:" SW "/db.sock del-br "
				  "int_br"), 0, "%s", buf);
	repaired("! bridge int_br: missing in the switch");
}

Test(repair, flushed_nat_rules_put_back)
{
	up_seed();
	/* Whichever backend auto chose on this machine. */
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "iptables-legacy -t nat -F"), 0, "%s", buf);
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "nft flush ruleset"), 0, "%s", buf);
	repaired("! nat rules missing");
}

Test(repair, flushed_address_put_back)
{
	up_seed();
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip -n ns01 addr flush dev veth-ns01"), 0,
		     "%s", buf);
	repaired("! host ns01: addresses missing");
}

Test(repair, flushed_gateway_put_back)
{
	up_seed();
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip addr flush dev int_br"), 0, "%s", buf);
	repaired("! bridge int_br: gateway address missing");
}

#define FLOWS_LAB                                                                   \
	"name: seed\n"                                                              \
	"bridges:\n"                                                                \
	"  int_br:\n"                                                               \
	"    gateway: 192.168.100.254/24\n"                                         \
	"    nat: true\n"                                                           \
	"    uplink: auto\n"                                                        \
	"    flows: ['priority=10,arp,actions=NORMAL', 'priority=10,ip,actions=NORMAL',\n" \
	"            'priority=0,actions=drop']\n"                                  \
	"hosts:\n"                                                                  \
	"  ns01: {bridge: int_br, address: 192.168.100.1/24, ifname: veth-ns01}\n"  \
	"  ns02: {bridge: int_br, address: 192.168.100.2/24, ifname: veth-ns02}\n"

Test(repair, deleted_flows_put_back)
{
	sandbox_enter();
	sandbox_outside();
	snprintf(lab_file, sizeof(lab_file), SANDBOX_FILES "/seed.yaml");
	sandbox_write(lab_file, FLOWS_LAB);
	cr_assert_eq(ovslab("up %s", lab_file), 0, "up: %s", buf);
	pings();
	cr_assert_eq(ovslab("plan %s", lab_file), 0, "plan: %s", buf);
	cr_assert_str_eq(buf, "seed: up to date, nothing to change\n");
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ovs-ofctl del-flows unix:" SW "/int_br.mgmt"),
		     0, "%s", buf);
	cr_assert_neq(ping("ns01", "192.168.100.2"), 0, "the hosts still reach each other");
	repaired("! bridge int_br: flows differ from the lab file");
}

static bool has_link(const char *name)
{
	char cmd[64];

	snprintf(cmd, sizeof(cmd), "ip link show %s", name);
	return sandbox_runf(buf, sizeof(buf), "%s", cmd) == 0;
}

/* Killed, ovs-vswitchd leaves its persistent taps; down removes them. */
Test(repair, dead_switch_goes_down_with_its_taps)
{
	up_seed();
	kill_daemon("ovs-vswitchd");
	cr_assert(has_link("ovs-netdev") || has_link("int_br"), "no tap left to test with");
	cr_assert_eq(ovslab("down seed"), 0, "down: %s", buf);
	cr_assert_not(has_link("ovs-netdev"), "ovs-netdev is left");
	cr_assert_not(has_link("int_br"), "int_br is left");
	cr_assert_eq(access(SW, F_OK), -1, "the switch's directory is left");
	/* And the machine can take the lab again. */
	cr_assert_eq(ovslab("up %s", lab_file), 0, "up after down: %s", buf);
	pings();
}

#define OTHER_LAB                                                                   \
	"name: other\n"                                                             \
	"bridges:\n"                                                                \
	"  br_o: {gateway: 10.77.0.1/24}\n"                                         \
	"hosts:\n"                                                                  \
	"  o1: {bridge: br_o, address: 10.77.0.2/24}\n"

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Another lab would join the dead switch: it fails at once, and leaves
 * nothing; the switch's own lab then repairs it. */
static void other_lab_fails_fast(const char *daemon)
{
	long long t0;
	int rc;

	up_seed();
	sandbox_write(SANDBOX_FILES "/other.yaml", OTHER_LAB);
	kill_daemon(daemon);
	t0 = now_ms();
	rc = ovslab("up " SANDBOX_FILES "/other.yaml");
	cr_assert_neq(rc, 0, "up joined a dead switch: %s", buf);
	cr_assert_lt(now_ms() - t0, 5000, "up took %lld ms to fail", now_ms() - t0);
	cr_assert(strstr(buf, "dead"), "the message does not say so: %s", buf);
	cr_assert_eq(access("/run/ovslab/other", F_OK), -1, "the other lab's record is left");
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip netns list"), 0);
	cr_assert(!strstr(buf, "o1"), "the other lab's host is left: %s", buf);
	repaired("not running");
}

Test(repair, other_lab_fails_fast_on_dead_vswitchd)
{
	other_lab_fails_fast("ovs-vswitchd");
}

Test(repair, other_lab_fails_fast_on_dead_ovsdb_server)
{
	other_lab_fails_fast("ovsdb-server");
}

/* check --all: a missing host is a row of failures, the rest is probed. */
Test(repair, check_all_goes_on_past_a_missing_host)
{
	up_seed();
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip netns del ns02"), 0, "%s", buf);
	cr_assert_neq(ovslab("check seed --all --json"), 0, "check --all holds: %s", buf);
	cr_assert(strstr(buf, "host ns02 missing"), "missing host not reported: %s", buf);
	cr_assert(strstr(buf, "\"results\""), "no results: %s", buf);
}
