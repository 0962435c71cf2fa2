/* Bridge settings, VLANs, patch ports and mirrors, with traffic: each test
 * in its own sandbox (tests/sandbox.h), the switch observed with ovs-vsctl,
 * reach and must-not-reach with ping, mirror copies with a packet socket. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/ip.h>
#include <poll.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sandbox.h"

#define PRIVATE_DB "unix:/run/ovslab/.switch/db.sock"

static char buf[65536];

#define ovslab(...) sandbox_ovslabf(buf, sizeof(buf), __VA_ARGS__)

/* ovs-vsctl against the lab's switch (private unless db is given); the
 * answer is left in buf without its newline. */
static int vsctl(const char *db, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int vsctl(const char *db, const char *fmt, ...)
{
	char args[1024];
	va_list ap;
	size_t n;
	int st;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	st = sandbox_runf(buf, sizeof(buf), "ovs-vsctl --db=%s %s", db ? db : PRIVATE_DB, args);
	n = strlen(buf);
	if (n && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	return st;
}

static void expect_col(const char *what, const char *want)
{
	cr_assert_eq(vsctl(NULL, "get %s", what), 0, "%s: %s", what, buf);
	cr_assert_str_eq(buf, want, "%s", what);
}

static void up(const char *path)
{
	cr_assert_eq(ovslab("up %s", path), 0, "up %s: %s", path, buf);
}

static void fixture_up(const char *name)
{
	up(sandbox_fixture(name));
}

static bool ping(const char *ns, const char *addr)
{
	return sandbox_runf(buf, sizeof(buf), "ip netns exec %s ping -c 1 -W 1 %s", ns, addr) == 0;
}

/* Right after an in-place change the switch may still use flows it cached
 * in its datapath before it; they are revalidated in the background. */
static bool ping_soon(const char *ns, const char *addr)
{
	for (int i = 0; i < 5; i++)
		if (ping(ns, addr))
			return true;
	return false;
}

/* After down: no namespace, no lab file record, no private switch. */
static void assert_gone(void)
{
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip netns list"), 0);
	cr_assert_str_eq(buf, "", "namespaces left: %s", buf);
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip -o link show"), 0);
	/* The sandbox had only lo: ports and the switch's taps must all go. */
	for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n"))
		cr_assert_not_null(strstr(line, ": lo:"), "interface left: %s", line);
	cr_assert_not(sandbox_proc_running("ovs-vswitchd"), "ovs-vswitchd still running");
	cr_assert_not(sandbox_proc_running("ovsdb-server"), "ovsdb-server still running");
	cr_assert_eq(access("/run/ovslab/.switch", F_OK), -1, "the private switch's files are left");
}

TestSuite(settings, .init = sandbox_enter, .timeout = 180);

Test(settings, vlans_separate_one_subnet)
{
	fixture_up("vlan.yaml");
	expect_col("Port ns01_tap tag", "10");
	expect_col("Port ns03_tap tag", "20");
	expect_col("Port ns05_tap trunks", "[10, 20]");
	expect_col("Port ns05_tap tag", "[]");
	cr_assert(ping("ns01", "10.0.10.2"), "same VLAN 10 does not reach: %s", buf);
	cr_assert(ping("ns03", "10.0.10.4"), "same VLAN 20 does not reach: %s", buf);
	cr_assert_not(ping("ns01", "10.0.10.3"), "VLAN 10 reaches VLAN 20");
	cr_assert_not(ping("ns04", "10.0.10.2"), "VLAN 20 reaches VLAN 10");
	cr_assert_eq(ovslab("show vlan"), 0, "%s", buf);
	cr_assert_not_null(strstr(buf, " vlan 10\n"), "%s", buf);
	cr_assert_not_null(strstr(buf, " trunks 10,20\n"), "%s", buf);
	cr_assert_eq(ovslab("down vlan"), 0, "%s", buf);
	assert_gone();
}

Test(settings, vlan_change_in_place)
{
	char path[] = SANDBOX_FILES "/vlan.yaml";
	ino_t ns03;

	sandbox_write(path, "name: vlan\nbridges:\n  br0: {}\nhosts:\n"
			    "  ns01: {bridge: br0, address: 10.0.10.1/24, vlan: 10}\n"
			    "  ns03: {bridge: br0, address: 10.0.10.3/24, vlan: 20}\n");
	up(path);
	ns03 = sandbox_ns_inode("ns03");
	cr_assert_not(ping("ns01", "10.0.10.3"), "VLAN 10 reaches VLAN 20");
	sandbox_write(path, "name: vlan\nbridges:\n  br0: {}\nhosts:\n"
			    "  ns01: {bridge: br0, address: 10.0.10.1/24, vlan: 10}\n"
			    "  ns03: {bridge: br0, address: 10.0.10.3/24, vlan: 10}\n");
	cr_assert_eq(ovslab("plan %s", path), 0, "%s", buf);
	cr_assert_str_eq(buf, "~ host ns03: vlan\n");
	up(path);
	cr_assert_eq(sandbox_ns_inode("ns03"), ns03, "ns03 was made anew for a VLAN change");
	expect_col("Port ns03_tap tag", "10");
	cr_assert(ping_soon("ns01", "10.0.10.3"), "same VLAN after the change does not reach: %s", buf);
	cr_assert_eq(ovslab("down vlan"), 0, "%s", buf);
	assert_gone();
}

Test(settings, patch_joins_bridges_and_goes_with_the_file)
{
	char path[] = SANDBOX_FILES "/patch.yaml";
	static const char *const unpatched = "name: patch\nbridges:\n  br1: {}\n  br2: {}\nhosts:\n"
					     "  ns01: {bridge: br1, address: 10.0.20.1/24}\n"
					     "  ns02: {bridge: br2, address: 10.0.20.2/24}\n";

	fixture_up("patch.yaml");
	expect_col("Interface br1-br2 type", "patch");
	expect_col("Interface br1-br2 options:peer", "br2-br1");
	expect_col("Interface br2-br1 options:peer", "br1-br2");
	cr_assert_eq(vsctl(NULL, "port-to-br br2-br1"), 0, "%s", buf);
	cr_assert_str_eq(buf, "br2");
	cr_assert(ping("ns01", "10.0.20.2"), "no reach through the patch: %s", buf);

	/* The patch leaves with the file, and comes back with it. */
	sandbox_write(path, unpatched);
	cr_assert_eq(ovslab("plan %s", path), 0, "%s", buf);
	cr_assert_str_eq(buf, "- patch br1 - br2\n");
	up(path);
	cr_assert_eq(vsctl(NULL, "list-ports br1"), 0, "%s", buf);
	cr_assert_str_eq(buf, "ns01_tap");
	cr_assert_not(ping("ns01", "10.0.20.2"), "reach without the patch");
	fixture_up("patch.yaml");
	cr_assert(ping_soon("ns01", "10.0.20.2"), "no reach once the patch is back: %s", buf);

	cr_assert_eq(ovslab("down patch"), 0, "%s", buf);
	assert_gone();
}

/* A packet socket on ifname inside namespace ns, opened from here. */
static int capture_open(const char *ns, const char *ifname)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL) };
	char path[128];
	int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	int nsfd, fd;

	snprintf(path, sizeof(path), "/run/netns/%s", ns);
	nsfd = open(path, O_RDONLY | O_CLOEXEC);
	cr_assert(self >= 0 && nsfd >= 0);
	cr_assert_eq(setns(nsfd, CLONE_NEWNET), 0);
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
	sll.sll_ifindex = (int)if_nametoindex(ifname);
	cr_assert_geq(fd, 0);
	cr_assert_gt(sll.sll_ifindex, 0, "no %s in %s", ifname, ns);
	cr_assert_eq(bind(fd, (struct sockaddr *)&sll, sizeof(sll)), 0);
	cr_assert_eq(setns(self, CLONE_NEWNET), 0);
	close(nsfd);
	close(self);
	return fd;
}

/* Counts ICMP echo requests src->dst and replies dst->src seen on fd,
 * until both reach want or nothing more arrives. */
static void capture_icmp(int fd, const char *src, const char *dst, int want, int *req, int *rep)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	in_addr_t s = inet_addr(src), d = inet_addr(dst);
	unsigned char f[2048];

	*req = *rep = 0;
	while ((*req < want || *rep < want) && poll(&p, 1, 3000) > 0) {
		ssize_t n = recv(fd, f, sizeof(f), 0);
		const unsigned char *icmp;
		struct iphdr ip;

		/* The IP header sits 14 bytes in: copied out, not cast, since
		 * it is not aligned. */
		if (n < ETH_HLEN + (ssize_t)sizeof(ip) + 8 || f[12] != 0x08 || f[13] != 0x00)
			continue;
		memcpy(&ip, f + ETH_HLEN, sizeof(ip));
		if (ip.protocol != IPPROTO_ICMP || n < ETH_HLEN + ip.ihl * 4 + 8)
			continue;
		icmp = f + ETH_HLEN + ip.ihl * 4;
		if (ip.saddr == s && ip.daddr == d && icmp[0] == 8)
			(*req)++;
		else if (ip.saddr == d && ip.daddr == s && icmp[0] == 0)
			(*rep)++;
	}
}

Test(settings, mirror_copies_to_the_target_host)
{
	char path[] = SANDBOX_FILES "/mirror.yaml";
	char to[64];
	int fd, req, rep;

	fixture_up("mirror.yaml");
	expect_col("Mirror m1 external_ids:ovslab-lab", "mirror");
	expect_col("Mirror m1 select_all", "false");
	cr_assert_eq(vsctl(NULL, "get Port ns03_tap _uuid"), 0, "%s", buf);
	snprintf(to, sizeof(to), "%.40s", buf); /* a UUID */
	expect_col("Mirror m1 output_port", to);
	cr_assert_eq(vsctl(NULL, "get Port ns01_tap _uuid"), 0, "%s", buf);
	snprintf(to, sizeof(to), "[%.40s]", buf);
	expect_col("Mirror m1 select_src_port", to);
	expect_col("Mirror m1 select_dst_port", to);
	fd = capture_open("ns03", "eth0");
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip netns exec ns01 ping -c 3 -i 0.2 -W 1 10.0.30.2"),
		     0, "ns01 does not reach ns02: %s", buf);
	capture_icmp(fd, "10.0.30.1", "10.0.30.2", 3, &req, &rep);
	close(fd);
	cr_assert_eq(req, 3, "ns03 saw %d of 3 echo requests", req);
	cr_assert_eq(rep, 3, "ns03 saw %d of 3 echo replies", rep);

	/* Taken out by the next up without it. */
	sandbox_write(path, "name: mirror\nbridges:\n  br1: {}\nhosts:\n"
			    "  ns01: {bridge: br1, address: 10.0.30.1/24}\n"
			    "  ns02: {bridge: br1, address: 10.0.30.2/24}\n"
			    "  ns03: {bridge: br1}\n");
	cr_assert_eq(ovslab("plan %s", path), 0, "%s", buf);
	cr_assert_str_eq(buf, "- mirror m1\n");
	up(path);
	cr_assert_eq(vsctl(NULL, "--columns=_uuid list Mirror"), 0, "%s", buf);
	cr_assert_str_eq(buf, "", "mirror rows left: %s", buf);
	expect_col("Bridge br1 mirrors", "[]");
	cr_assert_eq(ovslab("down mirror"), 0, "%s", buf);
	assert_gone();
}

Test(settings, bridge_options_set_and_changed_in_place)
{
	char path[] = SANDBOX_FILES "/opts.yaml";
	ino_t ns01, ns02;

	fixture_up("bridge-options.yaml");
	expect_col("Bridge br1 fail_mode", "secure");
	expect_col("Bridge br1 protocols", "[OpenFlow10, OpenFlow13]");
	expect_col("Bridge br1 stp_enable", "true");
	expect_col("Bridge br1 rstp_enable", "false");
	expect_col("Bridge br1 mcast_snooping_enable", "true");
	expect_col("Bridge br1 other_config:mac-aging-time", "\"600\"");
	expect_col("Bridge br1 external_ids:owner", "lab-team");
	expect_col("Bridge br1 external_ids:ovslab-lab", "opts");
	expect_col("Bridge br1 datapath_type", "netdev");
	expect_col("Interface ns01_tap ofport", "11");
	expect_col("Interface ns02_tap ofport", "12");
	cr_assert_eq(vsctl(NULL, "get-controller br1"), 0, "%s", buf);
	cr_assert_str_eq(buf, "ptcp:6653:127.0.0.1");
	expect_col("Controller . external_ids:ovslab-lab", "opts");
	cr_assert_eq(ovslab("show opts --json"), 0, "%s", buf);
	cr_assert_not_null(strstr(buf, "\"fail_mode\":\"secure\""), "%s", buf);
	cr_assert_not_null(strstr(buf, "\"ofport_request\":11"), "%s", buf);
	/* secure, no controller connected, no flows: nothing passes */
	cr_assert_not(ping("ns01", "10.0.40.2"), "a secure bridge without flows forwards");
	ns01 = sandbox_ns_inode("ns01");
	ns02 = sandbox_ns_inode("ns02");

	sandbox_write(path, "name: opts\n"
			    "bridges:\n"
			    "  br1:\n"
			    "    fail_mode: standalone\n"
			    "    protocols: [OpenFlow13]\n"
			    "    other_config: {mac-aging-time: \"300\"}\n"
			    "hosts:\n"
			    "  ns01: {bridge: br1, address: 10.0.40.1/24, ofport: 11}\n"
			    "  ns02: {bridge: br1, address: 10.0.40.2/24, ofport: 22}\n");
	cr_assert_eq(ovslab("plan %s", path), 0, "%s", buf);
	cr_assert_str_eq(buf, "~ bridge br1: fail_mode protocols controller mcast_snooping stp other_config external_ids\n"
			      "~ host ns02: ofport\n", "%s", buf);
	up(path);
	cr_assert_eq(sandbox_ns_inode("ns01"), ns01, "ns01 was made anew");
	cr_assert_eq(sandbox_ns_inode("ns02"), ns02, "ns02 was made anew");
	expect_col("Bridge br1 fail_mode", "standalone");
	expect_col("Bridge br1 protocols", "[OpenFlow13]");
	expect_col("Bridge br1 stp_enable", "false");
	expect_col("Bridge br1 mcast_snooping_enable", "false");
	expect_col("Bridge br1 other_config", "{mac-aging-time=\"300\"}");
	expect_col("Bridge br1 external_ids", "{ovslab-lab=opts}");
	expect_col("Interface ns02_tap ofport", "22");
	cr_assert_eq(vsctl(NULL, "--columns=_uuid list Controller"), 0, "%s", buf);
	cr_assert_str_eq(buf, "", "controller rows left: %s", buf);
	cr_assert_eq(ovslab("up %s", path), 0, "%s", buf);
	cr_assert_str_eq(buf, "opts: up to date, nothing to change\n");
	cr_assert_eq(ovslab("down opts"), 0, "%s", buf);
	assert_gone();
}

/* In a switch that outlives the lab (the machine's, here the sandbox's),
 * down takes out every row the lab made: controllers and mirrors too. */
Test(settings, down_leaves_no_rows_in_a_shared_switch)
{
	static const char *const db = "unix:/run/openvswitch/db.sock";
	char path[] = SANDBOX_FILES "/all.yaml";

	setenv("OVS_RUNDIR", "/run/openvswitch", 1);
	setenv("OVS_DBDIR", "/run/openvswitch", 1);
	setenv("OVS_LOGDIR", "/run/openvswitch", 1);
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ovsdb-tool create /run/openvswitch/conf.db "
				  "/usr/share/openvswitch/vswitch.ovsschema"), 0, "%s", buf);
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ovsdb-server /run/openvswitch/conf.db "
				  "--remote=punix:/run/openvswitch/db.sock --pidfile --detach "
				  "--no-chdir --log-file"), 0, "%s", buf);
	cr_assert_eq(vsctl(db, "--no-wait init"), 0, "%s", buf);
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ovs-vswitchd --disable-system --pidfile --detach "
				  "--no-chdir --log-file"), 0, "%s", buf);
	unsetenv("OVS_RUNDIR");

	sandbox_write(path, "name: all\n"
			    "bridges:\n"
			    "  br1:\n"
			    "    controller: tcp:127.0.0.1:6653\n"
			    "    mirrors:\n"
			    "      - {name: m1, to: ns03}\n"
			    "  br2: {}\n"
			    "patches:\n"
			    "  - [br1, br2]\n"
			    "hosts:\n"
			    "  ns01: {bridge: br1, address: 10.0.50.1/24, vlan: 5, ofport: 7}\n"
			    "  ns02: {bridge: br2, address: 10.0.50.2/24, vlan: 5}\n"
			    "  ns03: {bridge: br1}\n");
	up(path);
	cr_assert_eq(vsctl(db, "--columns=_uuid find Mirror external_ids:ovslab-lab=all"), 0);
	cr_assert_str_neq(buf, "", "no mirror row");
	cr_assert_eq(vsctl(db, "get Mirror m1 select_all"), 0, "%s", buf);
	cr_assert_str_eq(buf, "true");
	cr_assert_eq(vsctl(db, "--columns=_uuid find Controller external_ids:ovslab-lab=all"), 0);
	cr_assert_str_neq(buf, "", "no controller row");

	cr_assert_eq(ovslab("down all"), 0, "%s", buf);
	cr_assert(sandbox_proc_running("ovs-vswitchd"), "down stopped the machine's switch");
	cr_assert_eq(vsctl(db, "list-br"), 0, "%s", buf);
	cr_assert_str_eq(buf, "", "bridges left");
	for (const char *const *t = (const char *const[]){ "Port", "Interface", "Mirror", "Controller",
							   NULL }; *t; t++) {
		cr_assert_eq(vsctl(db, "--columns=_uuid list %s", *t), 0, "%s", buf);
		cr_assert_str_eq(buf, "", "%s rows left: %s", *t, buf);
	}
	setenv("OVS_RUNDIR", "/run/openvswitch", 1);
	sandbox_runf(buf, sizeof(buf), "ovs-appctl -t ovs-vswitchd exit --cleanup");
	sandbox_runf(buf, sizeof(buf), "ovs-appctl -t ovsdb-server exit");
	unsetenv("OVS_RUNDIR");
	for (int i = 0; i < 500 && (sandbox_proc_running("ovs-vswitchd") ||
				    sandbox_proc_running("ovsdb-server")); i++)
		usleep(20000);
	assert_gone();
}
