/* The commands on a lab with machines: flows, trace, ovs and exec aimed at
 * one machine's switch; check across machines and with a machine's switch
 * dead; tunnels of listed pairs, key: flow and BFD.  Observed from outside:
 * the commands' output, ping, the underlay's frames. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sandbox.h"

static char buf[65536];

#define ovslab(...) sandbox_ovslabf(buf, sizeof(buf), __VA_ARGS__)

static void up_fixture(const char *name)
{
	cr_assert_eq(ovslab("up %s", sandbox_fixture(name)), 0, "ovslab up failed: %s", buf);
}

/* Until one reply, for up to 5 s: a tunnel's first packets wait for the
 * underlay neighbour (Open vSwitch resolves it itself) and can be lost. */
static int ping(const char *from, const char *to)
{
	return sandbox_runf(buf, sizeof(buf), "ip netns exec %s ping -c1 -w5 %s", from, to);
}

static int count(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

/* A packet socket on an interface of a named namespace, opened from there
 * (a socket stays in the namespace it was made in): read back later. */
static int capture_open(const char *ns, const char *ifname)
{
	char path[128];
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL) };
	struct packet_mreq mr = { .mr_type = PACKET_MR_PROMISC };
	int self = open("/proc/self/ns/net", O_RDONLY), fd, s;

	snprintf(path, sizeof(path), "/run/netns/%s", ns);
	fd = open(path, O_RDONLY);
	cr_assert(self >= 0 && fd >= 0 && setns(fd, CLONE_NEWNET) == 0, "cannot enter %s", ns);
	s = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK, htons(ETH_P_ALL));
	sll.sll_ifindex = mr.mr_ifindex = (int)if_nametoindex(ifname);
	cr_assert(s >= 0 && sll.sll_ifindex && bind(s, (struct sockaddr *)&sll, sizeof(sll)) == 0 &&
		  setsockopt(s, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof(mr)) == 0,
		  "cannot capture on %s in %s", ifname, ns);
	cr_assert_eq(setns(self, CLONE_NEWNET), 0);
	close(fd);
	close(self);
	return s;
}

/* VXLAN frames (UDP 4789) read so far, by VNI: vni[0] VNI 0, vni[1] the
 * given one, vni[2] any other. */
static void capture_vxlan(int s, uint32_t want, unsigned long vni[3])
{
	unsigned char f[2048];
	ssize_t n;

	vni[0] = vni[1] = vni[2] = 0;
	while ((n = recv(s, f, sizeof(f), 0)) > 0) {
		const struct iphdr *ip = (const void *)(f + 14);
		const unsigned char *v;
		uint32_t id;

		if (n < 14 + 20 + 8 + 8 || f[12] != 0x08 || f[13] != 0x00 ||
		    ip->protocol != IPPROTO_UDP)
			continue;
		if (ntohs(((const struct udphdr *)(f + 14 + ip->ihl * 4))->dest) != 4789)
			continue;
		v = f + 14 + ip->ihl * 4 + 8;
		id = (uint32_t)v[4] << 16 | (uint32_t)v[5] << 8 | v[6];
		vni[id == 0 ? 0 : id == want ? 1 : 2]++;
	}
	close(s);
}

TestSuite(machine_cmds, .init = sandbox_enter, .timeout = 240);

/* ovs, exec, flows and trace aimed at one machine of a three-machine lab. */
Test(machine_cmds, commands_on_a_machine)
{
	up_fixture("multihost-geneve.yaml");
	cr_assert_eq(ovslab("ovs mh --machine hv2 -- vsctl show"), 0, "%s", buf);
	cr_expect(strstr(buf, "Port vm3_tap") && strstr(buf, "Port int_br-hv1") &&
		  strstr(buf, "Port br-phy"), "%s", buf);
	cr_expect(!strstr(buf, "vm1_tap") && !strstr(buf, "int_br-hv2"), "not hv2's: %s", buf);
	cr_assert_eq(ovslab("ovs mh --machine=hv1 -- ofctl dump-ports-desc int_br"), 0, "%s", buf);
	cr_expect(strstr(buf, "(int_br-hv2)") != NULL, "%s", buf);
	cr_assert_eq(ovslab("ovs mh --machine hv1 -- appctl ovs/route/show"), 0, "%s", buf);
	cr_expect(strstr(buf, "10.200.0.0/24 dev br-phy") != NULL, "the machine's routes: %s", buf);

	cr_assert_eq(ovslab("exec mh hv1 -- ip -o link"), 0, "%s", buf);
	cr_expect(strstr(buf, ": br-phy:") && strstr(buf, ": ul0@"), "%s", buf);
	cr_assert_eq(ovslab("exec mh hv3 -- ovs-vsctl show"), 0, "%s", buf);
	cr_expect(strstr(buf, "Port vm5_tap") && strstr(buf, "int_br-hv1"), "%s", buf);
	cr_expect(!strstr(buf, "vm1_tap"), "%s", buf);

	cr_assert_eq(ovslab("flows mh hv1:int_br"), 0, "%s", buf);
	cr_expect(strstr(buf, "bridge int_br:") && strstr(buf, "actions=NORMAL"), "%s", buf);
	cr_assert_eq(ovslab("flows mh --machine hv2"), 0, "%s", buf);
	cr_expect(strstr(buf, "bridge int_br:") != NULL, "%s", buf);
	cr_assert_eq(ovslab("flows mh"), 0, "%s", buf);
	cr_expect_eq(count(buf, "bridge int_br:"), 3, "%s", buf);
	cr_expect(strstr(buf, "machine hv3:") != NULL, "%s", buf);

	cr_assert_eq(ping("vm1", "10.0.0.3"), 0, "%s", buf);
	cr_assert_eq(ovslab("trace mh hv1:int_br in_port=vm1_tap,dl_dst=ff:ff:ff:ff:ff:ff"), 0,
		     "%s", buf);
	cr_expect(strstr(buf, "Datapath actions:") && strstr(buf, "tnl_push"), "%s", buf);
	cr_assert_eq(ovslab("trace mh --machine hv2 int_br in_port=vm3_tap,dl_dst=ff:ff:ff:ff:ff:ff"),
		     0, "%s", buf);
	cr_expect(strstr(buf, "tunneling to 10.200.0.3") && strstr(buf, "tunneling to 10.200.0.1"),
		  "flooded to hv1 and hv3: %s", buf);
}

/* What needs a machine and names none, or names one the lab lacks, is a
 * usage error (exit 2) that names the machines. */
Test(machine_cmds, which_machine)
{
	up_fixture("multihost-geneve.yaml");
	cr_expect_eq(ovslab("flows mh int_br"), 2, "%s", buf);
	cr_expect(strstr(buf, "int_br: the bridge is on machines hv1, hv2, hv3: name one "
			 "(hv1:int_br or --machine hv1)") != NULL, "%s", buf);
	cr_expect_eq(ovslab("trace mh int_br in_port=1"), 2, "%s", buf);
	cr_expect_eq(ovslab("ovs mh -- vsctl show"), 2, "%s", buf);
	cr_expect(strstr(buf, "name one with --machine (hv1, hv2, hv3)") != NULL, "%s", buf);
	cr_expect_eq(ovslab("flows mh --machine hv9"), 2, "%s", buf);
	cr_expect(strstr(buf, "hv9: no such machine in lab mh") != NULL, "%s", buf);
	cr_expect_eq(ovslab("trace mh --machine hv2 hv1:int_br in_port=1"), 2, "%s", buf);
	cr_expect_neq(ovslab("flows mh hv1:nope"), 0, "%s", buf);
	cr_expect(strstr(buf, "nope: no such bridge in lab mh") != NULL, "%s", buf);
}

/* A bridge on one machine only needs no machine named: it is that one's. */
Test(machine_cmds, bridge_on_one_machine)
{
	sandbox_write(SANDBOX_FILES "/lone.yaml",
		      "name: lone\n"
		      "machines: {hv1: {}, hv2: {}}\n"
		      "bridges: {solo: {}, both: {}}\n"
		      "hosts:\n"
		      "  a1: {machine: hv1, bridge: both, address: 10.0.0.1/24}\n"
		      "  a2: {machine: hv2, bridge: both, address: 10.0.0.2/24}\n"
		      "  s2: {machine: hv2, bridge: solo, address: 10.1.0.2/24}\n");
	cr_assert_eq(ovslab("up %s", SANDBOX_FILES "/lone.yaml"), 0, "%s", buf);
	cr_assert_eq(ovslab("flows lone solo"), 0, "%s", buf);
	cr_expect(strstr(buf, "bridge solo:") && strstr(buf, "actions=NORMAL"), "%s", buf);
	cr_assert_eq(ovslab("trace lone solo in_port=s2_tap,dl_dst=ff:ff:ff:ff:ff:ff"), 0, "%s", buf);
	cr_expect(strstr(buf, "Datapath actions:") != NULL, "%s", buf);
	cr_expect_neq(ovslab("flows lone hv1:solo"), 0, "%s", buf);
	cr_expect(strstr(buf, "solo: machine hv1 has no such bridge (it is on hv2)") != NULL, "%s",
		  buf);
	cr_expect_eq(ovslab("flows lone both"), 2, "%s", buf);
}

/* key: flow: with the default NORMAL flow gone nothing crosses; flows that
 * set tun_id 5 and tun_dst carry vm1's traffic to hv2 with VNI 5, and a
 * tun_id=5 flow there hands it to vm2. */
Test(machine_cmds, key_flow)
{
	static const char *const hv1[] = {
		"in_port=vm1_tap,actions=set_field:5->tun_id,set_field:10.200.0.2->tun_dst,"
		"output:int_br-flow",
		"tun_id=5,actions=output:vm1_tap",
	};
	static const char *const hv2[] = {
		"in_port=vm2_tap,actions=set_field:5->tun_id,set_field:10.200.0.1->tun_dst,"
		"output:int_br-flow",
		"tun_id=5,actions=output:vm2_tap",
	};
	unsigned long vni[3];
	int s;

	up_fixture("multihost-keyflow.yaml");
	cr_assert_eq(ovslab("show mhk --json"), 0, "%s", buf);
	cr_expect(strstr(buf, "{\"name\":\"int_br-flow\",\"bridge\":\"int_br\",\"type\":\"vxlan\","
			 "\"remote\":\"flow\",\"key\":\"flow\"}") != NULL, "%s", buf);
	cr_assert_eq(ovslab("ovs mhk --machine hv1 -- vsctl get Interface int_br-hv2 options"), 0,
		     "%s", buf);
	cr_expect(strstr(buf, "key=flow") != NULL, "%s", buf);
	for (const char *m = "hv1"; m; m = strcmp(m, "hv1") ? NULL : "hv2")
		cr_assert_eq(ovslab("ovs mhk --machine %s -- ofctl del-flows int_br", m), 0, "%s", buf);
	cr_expect_neq(ping("vm1", "10.0.0.2"), 0, "vm1 reached vm2 without flows");
	for (size_t i = 0; i < 2; i++) {
		cr_assert_eq(ovslab("ovs mhk --machine hv1 -- ofctl add-flow int_br %s", hv1[i]), 0,
			     "%s", buf);
		cr_assert_eq(ovslab("ovs mhk --machine hv2 -- ofctl add-flow int_br %s", hv2[i]), 0,
			     "%s", buf);
	}
	s = capture_open("mhk-ul", "ul");
	cr_expect_eq(ping("vm1", "10.0.0.2"), 0, "vm1 -> vm2 through the flows: %s", buf);
	capture_vxlan(s, 5, vni);
	cr_expect_gt(vni[1], 0, "no VXLAN with VNI 5 on the underlay (VNI 0: %lu, other: %lu)",
		     vni[0], vni[2]);
	cr_expect_eq(vni[0] + vni[2], 0, "VXLAN with another VNI: %lu, %lu", vni[0], vni[2]);
	cr_assert_eq(ovslab("trace mhk hv1:int_br in_port=vm1_tap,dl_dst=ff:ff:ff:ff:ff:ff"), 0,
		     "%s", buf);
	cr_expect(strstr(buf, "tnl_push") && strstr(buf, "vni=0x5"), "%s", buf);
}

/* Listed pairs: a chain hv1-hv2-hv3 has exactly those tunnels, with BFD,
 * whose state show reports; hv1's hosts reach hv2's, not hv3's (no
 * transit: split horizon), as the lab's own checks say. */
Test(machine_cmds, pairs_and_bfd)
{
	int up = 0;

	up_fixture("multihost-chain.yaml");
	cr_assert_eq(ovslab("show mhc --json"), 0, "%s", buf);
	cr_expect_eq(count(buf, "{\"name\":\"int_br-"), 4, "%s", buf);
	cr_expect(strstr(buf, "\"name\":\"hv1\",\"underlay\":\"10.200.0.1/24\",\"switch\"") != NULL,
		  "%s", buf);
	cr_expect(strstr(buf, "\"tunnels\":[{\"name\":\"int_br-hv2\",\"bridge\":\"int_br\","
			 "\"type\":\"geneve\",\"remote\":\"10.200.0.2\",\"key\":7,\"bfd\":") != NULL,
		  "hv1's one tunnel: %s", buf);
	cr_expect(strstr(buf, "\"tunnels\":[{\"name\":\"int_br-hv1\",\"bridge\":\"int_br\","
			 "\"type\":\"geneve\",\"remote\":\"10.200.0.1\",\"key\":7,\"bfd\":") != NULL,
		  "hv2's tunnels: %s", buf);
	/* hv1 and hv3 each to hv2, hv2 to both. */
	cr_expect_eq(count(buf, "\"remote\":\"10.200.0.2\""), 2, "%s", buf);
	cr_expect_eq(count(buf, "\"remote\":\"10.200.0.1\""), 1, "%s", buf);
	cr_expect_eq(count(buf, "\"remote\":\"10.200.0.3\""), 1, "%s", buf);
	cr_assert_eq(ovslab("ovs mhc --machine hv1 -- vsctl list-ports int_br"), 0, "%s", buf);
	cr_expect_str_eq(buf, "int_br-hv2\nvm1_tap\n");
	cr_assert_eq(ovslab("ovs mhc --machine hv3 -- vsctl list-ports int_br"), 0, "%s", buf);
	cr_expect_str_eq(buf, "int_br-hv2\nvm3_tap\n");
	/* BFD comes up once both ends have spoken: poll, never time it. */
	for (int i = 0; i < 60 && up != 4; i++) {
		cr_assert_eq(ovslab("show mhc --json"), 0, "%s", buf);
		up = count(buf, "\"bfd\":\"up\"");
		if (up != 4)
			usleep(500000);
	}
	cr_expect_eq(up, 4, "BFD not up on the 4 tunnels: %s", buf);
	cr_assert_eq(ovslab("show mhc"), 0, "%s", buf);
	cr_expect(strstr(buf, "  tunnel int_br-hv3 on int_br: geneve to 10.200.0.3, key 7, bfd up\n"),
		  "%s", buf);
	cr_expect_eq(ping("vm1", "10.0.0.2"), 0, "vm1 (hv1) -> vm2 (hv2): %s", buf);
	cr_expect_eq(ovslab("check mhc"), 0, "%s", buf);
	cr_expect(strstr(buf, "3 of 3") || strstr(buf, "all 3"), "%s", buf);
}

/* A machine whose switch is killed: check fails and says which machine
 * and which daemon. */
Test(machine_cmds, check_names_dead_switch)
{
	FILE *f;
	int pid = 0;

	up_fixture("multihost-chain.yaml");
	cr_assert_eq(ovslab("check mhc"), 0, "%s", buf);
	f = fopen("/run/ovslab/mhc/machines/hv2/ovs-vswitchd.pid", "r");
	cr_assert_not_null(f);
	cr_assert_eq(fscanf(f, "%d", &pid), 1);
	fclose(f);
	cr_assert_eq(kill(pid, SIGKILL), 0);
	for (int i = 0; i < 50 && kill(pid, 0) == 0; i++)
		usleep(100000);
	cr_expect_neq(ovslab("check mhc"), 0, "%s", buf);
	cr_expect(strstr(buf, "machine hv2: its switch's ovs-vswitchd is not running") != NULL,
		  "%s", buf);
	cr_expect(strstr(buf, "mhc: machine hv2's ovs-vswitchd is not running;") != NULL, "%s", buf);
	cr_expect_neq(ovslab("check mhc --json"), 0, "%s", buf);
	cr_expect(strstr(buf, "machine hv2's ovs-vswitchd is not running") != NULL, "%s", buf);
	/* Its database still holds the last BFD state: not to be shown as now. */
	ovslab("show mhc");
	cr_expect(strstr(buf, "  tunnel int_br-hv1 on int_br: geneve to 10.200.0.1, key 7, "
			 "bfd unknown\n") != NULL, "%s", buf);
}
