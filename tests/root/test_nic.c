/* The machine's own interfaces in a lab: a bridge's port (its addresses and
 * routes moved to the bridge and back) and a host's interface (moved into
 * its namespace and back), given back exactly after down, after a killed up
 * + gc and after the host's namespace was deleted by hand; and the
 * refusals, which change nothing.  There is no dummy module here: a veth
 * end (eth1, eth2) stands for each machine interface, its peer in a
 * namespace "wire" that plays the network beyond it. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/err.h"
#include "journal/journal.h"

#include "sandbox.h"

#define WIRE_ADDR "192.0.2.1"      /* wire's end of eth1 */
#define SERVER "198.51.100.7"      /* behind wire, reached by a route through eth1 */
#define WIRE2_ADDR "10.9.0.1"      /* wire's end of eth2 */
/* How long a comparison waits for the kernel to settle (IPv6 duplicate
 * address detection of a link-local address made anew): not a timing
 * assertion, a bound on waiting for the same text. */
#define SETTLE_MS 10000

static char buf[65536];

static void sh(const char *cmd)
{
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "%s", cmd), 0, "%s: %s", cmd, buf);
}

static int ovslab(const char *fmt, const char *arg)
{
	char args[4400];

	snprintf(args, sizeof(args), fmt, arg);
	return sandbox_runf(buf, sizeof(buf), "%s %s", sandbox_ovslab(), args);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* eth1 (address, route to SERVER) and eth2 (address, MTU 1400), each a
 * veth whose peer sits in "wire". */
static void wire_setup(void)
{
	static const char *const steps[] = {
		"ip netns add wire",
		"ip -n wire link set lo up",
		"ip link add eth1 type veth peer name eth0 netns wire",
		"ip link add eth2 type veth peer name eth9 netns wire",
		"ip addr add 192.0.2.10/24 dev eth1",
		"ip link set eth1 up",
		"ip -n wire addr add " WIRE_ADDR "/24 dev eth0",
		"ip -n wire link set eth0 up",
		"ip -n wire addr add " SERVER "/32 dev lo",
		"ip route add 198.51.100.0/24 via " WIRE_ADDR " dev eth1",
		"ip link set eth2 mtu 1400",
		"ip addr add 10.8.0.5/24 dev eth2",
		"ip addr add 10.8.1.5/24 dev eth2",
		"ip link set eth2 up",
		"ip -n wire addr add " WIRE2_ADDR "/24 dev eth9",
		"ip -n wire link set eth9 up",
	};

	long long deadline;

	sandbox_enter();
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		sh(steps[i]);
	/* The "before" of every comparison is a settled one: no address still
	 * in duplicate address detection. */
	deadline = now_ms() + SETTLE_MS;
	do {
		sh("ip -o addr show tentative");
		if (!buf[0])
			return;
		usleep(100 * 1000);
	} while (now_ms() < deadline);
	cr_assert_str_empty(buf, "addresses stay tentative");
}

/* A Linux bridge's port shows its STP timers, which run on. */
static void mask_timers(char *s)
{
	for (char *p = s; (p = strstr(p, "_timer ")); ) {
		p += strlen("_timer ");
		p += strspn(p, " ");
		while (*p && *p != ' ')
			*p++ = 'X';
	}
}

/* What "the same interface" means: its link, its addresses, the routes. */
static void snapshot(const char *ifname, char *out, size_t len)
{
	size_t used = 0;
	const char *cmds[] = { "ip -d -o link show dev %s", "ip -o addr show dev %s", "ip route",
			       "ip -6 route show dev %s" };

	out[0] = '\0';
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		char cmd[128];

		snprintf(cmd, sizeof(cmd), cmds[i], ifname);
		cr_assert_eq(sandbox_runf(buf, sizeof(buf), "%s", cmd), 0, "%s: %s", cmd, buf);
		mask_timers(buf);
		used += (size_t)snprintf(out + used, len - used, "$ %s\n%s", cmd, buf);
		cr_assert_lt(used, len);
	}
}

/* ifname is as `before` says, byte for byte (waiting for the kernel to
 * settle). */
static void assert_same(const char *ifname, const char *before, const char *when)
{
	static char now[16384];
	long long deadline = now_ms() + SETTLE_MS;

	do {
		snapshot(ifname, now, sizeof(now));
		if (!strcmp(now, before))
			return;
		usleep(100 * 1000);
	} while (now_ms() < deadline);
	cr_assert_str_eq(now, before, "%s: %s is not as it was:\n%s\nbefore:\n%s", when, ifname,
			 now, before);
}

static void reach(const char *ns, const char *addr)
{
	if (ns)
		cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip netns exec %s ping -c 1 -W 2 %s",
					  ns, addr), 0, "%s cannot reach %s: %s", ns, addr, buf);
	else
		cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ping -c 1 -W 2 %s", addr), 0,
			     "the machine cannot reach %s: %s", addr, buf);
}

static void up_fixture(void)
{
	cr_assert_eq(ovslab("up %s", sandbox_fixture("physical.yaml")), 0, "up: %s", buf);
}

static void assert_nothing_left(const char *lab)
{
	char dir[64];

	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip netns list"), 0);
	cr_assert(!strncmp(buf, "wire", 4) && !strchr(buf, '\n')[1], "namespaces left: %s", buf);
	snprintf(dir, sizeof(dir), "/run/ovslab/%s", lab);
	cr_assert_eq(access(dir, F_OK), -1, "%s is left", dir);
}

/* The lab as a crash leaves it: its record without the completion mark. */
static void make_stale(const char *lab)
{
	struct journal st;

	cr_assert_eq(journal_open(lab, &st), 0, "%s", err_get());
	cr_assert_eq(journal_forget_complete(&st), 0, "%s", err_get());
	journal_close(&st);
}

static void gc(void)
{
	cr_assert_eq(ovslab("%s", "gc"), 0, "gc: %s", buf);
}

TestSuite(nic, .init = wire_setup, .timeout = 180);

Test(nic, port_and_host_interface_given_back_by_down)
{
	static char eth1[16384], eth2[16384];

	snapshot("eth1", eth1, sizeof(eth1));
	snapshot("eth2", eth2, sizeof(eth2));
	up_fixture();
	/* A lab host on eth1's network, through the bridge. */
	reach("h1", WIRE_ADDR);
	/* eth1's address and route went to the bridge: the machine still
	 * reaches the server behind eth1. */
	sh("ip -o addr show dev br0");
	cr_assert_not_null(strstr(buf, "inet 192.0.2.10/24"), "%s", buf);
	sh("ip -o -4 addr show dev eth1");
	cr_assert_str_eq(buf, "", "eth1 kept its address: %s", buf);
	sh("ip route");
	cr_assert_not_null(strstr(buf, "198.51.100.0/24 via " WIRE_ADDR " dev br0"), "%s", buf);
	reach(NULL, SERVER);
	/* eth2 is h2's eth0, with the file's address, and works. */
	cr_assert_neq(sandbox_runf(buf, sizeof(buf), "ip link show dev eth2"), 0,
		      "eth2 is still on the machine: %s", buf);
	sh("ip netns exec h2 ip -o addr show dev eth0");
	cr_assert_not_null(strstr(buf, "inet 10.9.0.2/24"), "%s", buf);
	reach("h2", WIRE2_ADDR);
	cr_assert_eq(ovslab("show %s", "phys"), 0, "show: %s", buf);
	cr_assert_not_null(strstr(buf, "  machine interface eth1 (its addresses and routes on the "
				       "bridge)\n"), "%s", buf);
	cr_assert_not_null(strstr(buf, "(machine's eth2)"), "%s", buf);

	cr_assert_eq(ovslab("down %s", "phys"), 0, "down: %s", buf);
	assert_same("eth1", eth1, "after down");
	assert_same("eth2", eth2, "after down");
	assert_nothing_left("phys");
	reach(NULL, SERVER);
}


static bool journal_has(const char *lab, const char *prefix)
{
	char path[128], line[8192];
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "/run/ovslab/%s/journal", lab);
	f = fopen(path, "r");
	while (f && !found && fgets(line, sizeof(line), f))
		found = !strncmp(line, prefix, strlen(prefix));
	if (f)
		fclose(f);
	return found;
}

Test(nic, killed_up_and_stale_record_given_back_by_gc)
{
	static char eth1[16384], eth2[16384];
	long long deadline;
	bool seen;
	int status;
	pid_t up;

	snapshot("eth1", eth1, sizeof(eth1));
	snapshot("eth2", eth2, sizeof(eth2));

	/* Killed once it borrowed the interfaces. */
	up = sandbox_ovslab_spawn("up", sandbox_fixture("physical.yaml"));
	deadline = now_ms() + 60000;
	while (!(seen = journal_has("phys", "nic host")) && now_ms() < deadline)
		usleep(1000);
	kill(up, SIGKILL);
	cr_assert_eq(waitpid(up, &status, 0), up);
	cr_assert(seen, "up never recorded the host's interface");
	gc();
	assert_same("eth1", eth1, "after a killed up and gc");
	assert_same("eth2", eth2, "after a killed up and gc");
	assert_nothing_left("phys");

	/* Up to its end, then its record left as a crash leaves it. */
	up_fixture();
	reach(NULL, SERVER);
	make_stale("phys");
	gc();
	assert_same("eth1", eth1, "after a stale record and gc");
	assert_same("eth2", eth2, "after a stale record and gc");
	assert_nothing_left("phys");
}

/* The kernel gives a real interface of a deleted namespace back to the
 * machine without addresses, down, and (its name taken or not) possibly as
 * devN.  A veth would be deleted instead, so the test hands it back the way
 * the kernel would, then deletes the namespace by hand. */
Test(nic, host_namespace_deleted_by_hand)
{
	static char eth2[16384];
	char cmd[128];

	snapshot("eth2", eth2, sizeof(eth2));
	up_fixture();
	snprintf(cmd, sizeof(cmd), "ip -n h2 link set dev eth0 netns %d", (int)getpid());
	sh(cmd);
	sh("ip link set dev eth0 name dev7");
	sh("ip netns del h2");
	sh("ip -o addr show dev dev7");
	cr_assert_null(strstr(buf, "10.8.0.5"), "%s", buf);

	cr_assert_eq(ovslab("down %s", "phys"), 0, "down: %s", buf);
	assert_same("eth2", eth2, "after its namespace was deleted by hand and down");
	assert_nothing_left("phys");
}

static void write_lab(const char *path, const char *text)
{
	sandbox_write(path, text);
}

#define DEFROUTE_LAB SANDBOX_FILES "/defroute.yaml"

Test(nic, default_route_interface_needs_the_explicit_key)
{
	static char eth1[16384];

	sh("ip route add default via " WIRE_ADDR " dev eth1");
	snapshot("eth1", eth1, sizeof(eth1));
	write_lab(DEFROUTE_LAB, "name: dr\n"
				"bridges:\n"
				"  br0:\n"
				"    interfaces: [{name: eth1, take_address: true}]\n");
	cr_assert_neq(ovslab("up %s", DEFROUTE_LAB), 0, "up took the default route's interface");
	cr_assert_not_null(strstr(buf, "defroute.yaml:4:18: bridge br0: interface eth1 carries "
				       "the machine's default route; set take_default_route: true "
				       "to move it anyway\n"), "%s", buf);
	assert_same("eth1", eth1, "after a refused up");
	assert_nothing_left("dr");

	write_lab(DEFROUTE_LAB, "name: dr\n"
				"bridges:\n"
				"  br0:\n"
				"    interfaces:\n"
				"      - {name: eth1, take_address: true, take_default_route: true}\n");
	cr_assert_eq(ovslab("up %s", DEFROUTE_LAB), 0, "up: %s", buf);
	sh("ip route");
	cr_assert_not_null(strstr(buf, "default via " WIRE_ADDR " dev br0"), "%s", buf);
	reach(NULL, SERVER);
	cr_assert_eq(ovslab("down %s", "dr"), 0, "down: %s", buf);
	assert_same("eth1", eth1, "after down");
	assert_nothing_left("dr");
}

Test(nic, interface_of_a_linux_bridge_is_refused)
{
	static char eth1[16384];

	sh("ip link add lbr type bridge");
	sh("ip link set eth1 master lbr");
	snapshot("eth1", eth1, sizeof(eth1));
	cr_assert_neq(ovslab("up %s", sandbox_fixture("physical.yaml")), 0,
		      "up took a Linux bridge's port");
	cr_assert_not_null(strstr(buf, "bridge br0: interface eth1 is held by lbr (a Linux bridge "
				       "or bond it is enslaved to)\n"), "%s", buf);
	assert_same("eth1", eth1, "after a refused up");
	sh("ip link show dev eth2");
	assert_nothing_left("phys");
}

#define OTHER_LAB SANDBOX_FILES "/other.yaml"

Test(nic, interface_of_another_lab_is_refused)
{
	static char eth1[16384];

	up_fixture();
	snapshot("eth1", eth1, sizeof(eth1));
	write_lab(OTHER_LAB, "name: other\n"
			     "bridges:\n"
			     "  bo:\n"
			     "    interfaces: [eth1]\n");
	cr_assert_neq(ovslab("up %s", OTHER_LAB), 0, "a second lab took eth1");
	cr_assert_not_null(strstr(buf, "other.yaml:4:18: bridge bo: interface eth1 is already "
				       "held by lab phys\n"), "%s", buf);
	assert_same("eth1", eth1, "after a refused up");
	cr_assert_eq(access("/run/ovslab/other", F_OK), -1, "the refused lab left a record");
	cr_assert_eq(ovslab("down %s", "phys"), 0, "down: %s", buf);
}
