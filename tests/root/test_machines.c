/* Simulated machines (a lab's `machines:`): each a namespace with its own
 * Open vSwitch, joined by tunnels over an underlay.  Run as a user would,
 * observed from outside: ping, the underlay's frames read by a packet
 * socket of the test's own (tcpdump is not installed), /proc. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <poll.h>
#include <signal.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sandbox.h"
#include "xfer.h"


static char buf[65536];

static int ovslab(const char *fmt, const char *arg)
{
	char args[4200];

	snprintf(args, sizeof(args), fmt, arg);
	return sandbox_runf(buf, sizeof(buf), "%s %s", sandbox_ovslab(), args);
}

static void up_fixture(const char *name)
{
	cr_assert_eq(ovslab("up %s", sandbox_fixture(name)), 0, "ovslab up failed: %s", buf);
}

static int ping(const char *from, const char *to)
{
	return sandbox_runf(buf, sizeof(buf), "ip netns exec %s ping -c1 -W2 %s", from, to);
}

/* ---- a packet capture on an underlay interface ---------------------------- */

struct capture {
	const char *ifname;
	int ms;
	int ready[2], report[2];
};

struct capture_result {
	unsigned long frames;
	unsigned long udp[3];          /* to ports 6081, 4789, other */
	unsigned int pairs;            /* Geneve from 10.200.0.A to .B: bit 4 * A + B */
};

static int capture_run(void *arg)
{
	struct capture *c = arg;
	struct capture_result r = { 0 };
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL) };
	unsigned char frame[2048];
	struct timespec t0, t;
	int s = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));

	struct packet_mreq mr = { .mr_type = PACKET_MR_PROMISC };

	sll.sll_ifindex = (int)if_nametoindex(c->ifname);
	mr.mr_ifindex = sll.sll_ifindex;
	/* As tcpdump does: a bridge device sees what it forwards only when
	 * promiscuous. */
	if (s < 0 || !sll.sll_ifindex || bind(s, (struct sockaddr *)&sll, sizeof(sll)) < 0 ||
	    setsockopt(s, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof(mr)) < 0)
		return 1;
	if (write(c->ready[1], "r", 1) != 1)
		return 2;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		struct pollfd p = { .fd = s, .events = POLLIN };
		long el;
		ssize_t n;

		clock_gettime(CLOCK_MONOTONIC, &t);
		el = (t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000;
		if (el >= c->ms || poll(&p, 1, (int)(c->ms - el)) <= 0)
			break;
		n = recv(s, frame, sizeof(frame), 0);
		if (n <= 0)
			continue;
		r.frames++;
		if (n >= 14 + 20 + 8 && frame[12] == 0x08 && frame[13] == 0x00) {
			const struct iphdr *ip = (const void *)(frame + 14);
			const struct udphdr *udp = (const void *)(frame + 14 + ip->ihl * 4);

			if (ip->protocol != IPPROTO_UDP)
				continue;
			if (ntohs(udp->dest) == 6081) {
				uint32_t a = ntohl(ip->saddr), b = ntohl(ip->daddr);

				if ((a >> 8) == 0x0ac800 && (b >> 8) == 0x0ac800 &&
				    (a & 0xff) < 4 && (b & 0xff) < 4)
					r.pairs |= 1u << (4 * (a & 0xff) + (b & 0xff));
				r.udp[0]++;
			} else {
				r.udp[ntohs(udp->dest) == 4789 ? 1 : 2]++;
			}
		}
	}
	return write(c->report[1], &r, sizeof(r)) == sizeof(r) ? 0 : 3;
}

static pid_t capture_start(struct capture *c, const char *ns, const char *ifname, int ms)
{
	pid_t pid;
	char ch;

	c->ifname = ifname;
	c->ms = ms;
	cr_assert_eq(pipe(c->ready), 0);
	cr_assert_eq(pipe(c->report), 0);
	pid = sandbox_in_netns(ns, capture_run, c);
	close(c->ready[1]);
	close(c->report[1]);
	cr_assert_eq(read(c->ready[0], &ch, 1), 1, "capture on %s in %s did not start", ifname, ns);
	close(c->ready[0]);
	return pid;
}

static void capture_end(struct capture *c, pid_t pid, struct capture_result *r)
{
	cr_assert_eq(read(c->report[0], r, sizeof(*r)), (ssize_t)sizeof(*r));
	close(c->report[0]);
	cr_assert_eq(sandbox_wait(pid), 0);
}

/* ---- what is left --------------------------------------------------------- */

/* ovs daemons of this sandbox (same mount namespace), whatever their network
 * namespace: a machine's switch runs in the machine's. */
static int our_switch_daemons(void)
{
	struct stat mine, other;
	struct dirent *de;
	int n = 0;
	DIR *d = opendir("/proc");

	cr_assert_eq(stat("/proc/self/ns/mnt", &mine), 0);
	cr_assert_not_null(d);
	while ((de = readdir(d))) {
		char path[300], comm[64] = "";
		FILE *f;

		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/ns/mnt", de->d_name);
		if (stat(path, &other) < 0 || other.st_ino != mine.st_ino)
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", de->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(comm, sizeof(comm), f) &&
		    (!strcmp(comm, "ovs-vswitchd\n") || !strcmp(comm, "ovsdb-server\n")))
			n++;
		fclose(f);
	}
	closedir(d);
	return n;
}

static void assert_nothing_left(const char *links_before)
{
	DIR *d;
	struct dirent *de;

	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip netns list"), 0);
	cr_assert_str_eq(buf, "", "namespaces left: %s", buf);
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip -o link show"), 0);
	cr_assert_str_eq(buf, links_before, "interfaces changed");
	cr_assert_eq(our_switch_daemons(), 0, "a switch daemon is still running");
	d = opendir("/run/ovslab");
	cr_assert_not_null(d);
	while ((de = readdir(d)))
		cr_assert(!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") ||
			  !strcmp(de->d_name, ".locks"),
			  "left in /run/ovslab: %s", de->d_name);
	closedir(d);
}

/* ---- tests ---------------------------------------------------------------- */

TestSuite(machines, .init = sandbox_enter, .timeout = 240);

/* 3 machines x 2 hosts: every host reaches every other, across machines
 * through Geneve, and a 1 MiB TCP transfer arrives intact. */
Test(machines, geneve_all_pairs)
{
	up_fixture("multihost-geneve.yaml");
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip netns list"), 0);
	for (const char *const *ns = (const char *const[]){ "hv1", "hv2", "hv3", "mh-ul", NULL };
	     *ns; ns++)
		cr_expect(strstr(buf, *ns) != NULL, "no namespace %s: %s", *ns, buf);
	cr_assert_eq(ovslab("check %s --all", "mh"), 0, "%s", buf);
	cr_expect(strstr(buf, "30 of 30 pairs reach") != NULL, "%s", buf);

	xfer_check("vm1", "vm6", "10.0.0.6");
}

/* The underlay carries Geneve (UDP 6081) between the machines' underlay
 * addresses, and show lists the machines and their tunnels. */
Test(machines, underlay_carries_geneve)
{
	struct capture c;
	struct capture_result r;
	pid_t pid;

	up_fixture("multihost-geneve.yaml");
	pid = capture_start(&c, "mh-ul", "ul", 2000);
	cr_expect_eq(ping("vm1", "10.0.0.3"), 0, "vm1 (hv1) -> vm3 (hv2): %s", buf);
	capture_end(&c, pid, &r);
	cr_expect_gt(r.udp[0], 0, "no Geneve on the underlay (%lu frames)", r.frames);
	/* The echo and its reply, unicast between hv1 and hv2. */
	cr_expect(r.pairs & (1u << (4 * 1 + 2)), "no Geneve 10.200.0.1 > 10.200.0.2 (%#x)", r.pairs);
	cr_expect(r.pairs & (1u << (4 * 2 + 1)), "no Geneve 10.200.0.2 > 10.200.0.1 (%#x)", r.pairs);
	cr_assert_eq(ovslab("ls%s", ""), 0, "%s", buf);
	cr_expect(strstr(buf, "mh                  6  machines up") != NULL, "%s", buf);

	cr_assert_eq(ovslab("show %s", "mh"), 0, "%s", buf);
	cr_expect(strstr(buf, "machine hv2: underlay 10.200.0.2/24") != NULL, "%s", buf);
	cr_expect(strstr(buf, "tunnel int_br-hv3 on int_br: geneve to 10.200.0.3, key 100") != NULL,
		  "%s", buf);
	cr_expect(strstr(buf, "not running") == NULL, "%s", buf);
	cr_assert_eq(ovslab("show %s --json", "mh"), 0, "%s", buf);
	cr_expect(strstr(buf, "\"machines\":[{\"name\":\"hv1\",\"underlay\":\"10.200.0.1/24\"") != NULL,
		  "%s", buf);
}

/* What machine hv1 sent onto the underlay so far: the rx counter of its
 * cable's end in the underlay namespace. */
static unsigned long hv1_sent(void)
{
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip netns exec mh-ul cat "
				  "/sys/class/net/hv1/statistics/rx_packets"), 0, "%s", buf);
	return strtoul(buf, NULL, 10);
}

/* A broadcast from hv2 reaches hv1 once and hv1 sends nothing back into the
 * mesh: with 3 machines a mesh without split horizon loops it (measured
 * without protected=true: 83 frames from hv1 for the ARP, 4106 for the
 * broadcast ping, and cross-machine pings failing). */
Test(machines, broadcast_does_not_loop)
{
	unsigned long before;

	up_fixture("multihost-geneve.yaml");
	before = hv1_sent();
	sandbox_runf(buf, sizeof(buf), "ip netns exec vm3 ping -c1 -W1 10.0.0.99");
	sleep(1);
	cr_expect_lt(hv1_sent() - before, 20, "hv1 sent %lu frames after an ARP from hv2: a loop",
		     hv1_sent() - before);
	before = hv1_sent();
	sandbox_runf(buf, sizeof(buf), "ip netns exec vm3 ping -b -c1 -W1 10.0.0.255");
	sleep(1);
	cr_expect_lt(hv1_sent() - before, 20, "hv1 sent %lu frames after a broadcast ping from "
		     "hv2: a loop", hv1_sent() - before);
	cr_expect_eq(ping("vm1", "10.0.0.5"), 0, "vm1 -> vm5 after the broadcasts: %s", buf);
}

/* Two bridges on different VNIs: same VNI across machines reaches, the
 * other does not, though the subnets are the same. */
Test(machines, vxlan_vnis_apart)
{
	up_fixture("multihost-vxlan.yaml");
	cr_expect_eq(ping("b1", "10.9.0.2"), 0, "b1 -> b2 (VNI 5001): %s", buf);
	cr_expect_eq(ping("r1", "10.9.0.12"), 0, "r1 -> r2 (VNI 5002): %s", buf);
	cr_expect_neq(ping("b1", "10.9.0.12"), 0, "b1 reached r2 across VNIs");
	cr_expect_neq(ping("r1", "10.9.0.2"), 0, "r1 reached b2 across VNIs");
	cr_assert_eq(ovslab("show %s", "mhx"), 0, "%s", buf);
	cr_expect(strstr(buf, "tunnel red-hv2 on red: vxlan to 10.200.0.12, key 5002") != NULL,
		  "%s", buf);
}

/* down leaves no namespace, interface, process or file of the lab. */
Test(machines, down_leaves_nothing)
{
	char before[4096];

	cr_assert_eq(sandbox_runf(before, sizeof(before), "ip -o link show"), 0);
	up_fixture("multihost-geneve.yaml");
	cr_assert_eq(our_switch_daemons(), 6, "expected 2 daemons per machine");
	cr_assert_eq(ovslab("down %s", "mh"), 0, "%s", buf);
	assert_nothing_left(before);
}

/* The lab edited: machine hv4 comes (with a new host and vm5 moved from
 * hv3), hv3 goes (vm6 with it), vm2 moves from hv1 to hv2.  plan says
 * exactly that, up does only that: the hosts that stay keep their
 * namespaces, and every host reaches every other. */
static const char edit_yaml[] =
	"name: mh\n"
	"machines: {hv1: {}, hv2: {}, hv4: {underlay: 10.200.0.4}}\n"
	"bridges:\n"
	"  int_br: {tunnel: geneve, key: 100}\n"
	"hosts:\n"
	"  vm1: {machine: hv1, bridge: int_br, address: 10.0.0.1/24}\n"
	"  vm2: {machine: hv2, bridge: int_br, address: 10.0.0.2/24}\n"
	"  vm3: {machine: hv2, bridge: int_br, address: 10.0.0.3/24}\n"
	"  vm4: {machine: hv2, bridge: int_br, address: 10.0.0.4/24}\n"
	"  vm5: {machine: hv4, bridge: int_br, address: 10.0.0.5/24}\n"
	"  vm7: {machine: hv4, bridge: int_br, address: 10.0.0.7/24}\n";

Test(machines, edit_add_remove_move)
{
	static const char *const want[] = {
		"+ machine hv4\n", "- machine hv3\n", "~ host vm2 moves hv1 -> hv2\n",
		"~ host vm5 moves hv3 -> hv4\n", "+ tunnel int_br hv1 -> hv4\n",
		"+ tunnel int_br hv2 -> hv4\n", "- tunnel int_br hv1 -> hv3\n",
		"- tunnel int_br hv2 -> hv3\n", "+ hv4: bridge int_br\n", "+ hv4: host vm7\n",
		"- hv3: host vm6\n", NULL,
	};
	char before[4096];
	ino_t i1, i3, i4;
	size_t lines = 0;

	cr_assert_eq(sandbox_runf(before, sizeof(before), "ip -o link show"), 0);
	up_fixture("multihost-geneve.yaml");
	i1 = sandbox_ns_inode("vm1");
	i3 = sandbox_ns_inode("vm3");
	i4 = sandbox_ns_inode("vm4");
	sandbox_write(SANDBOX_FILES "/edit.yaml", edit_yaml);
	cr_assert_eq(ovslab("plan %s", SANDBOX_FILES "/edit.yaml"), 0, "%s", buf);
	for (const char *const *w = want; *w; w++)
		cr_expect(strstr(buf, *w) != NULL, "plan lacks \"%.*s\": %s", (int)strlen(*w) - 1,
			  *w, buf);
	for (const char *p = buf; (p = strchr(p, '\n')); p++)
		lines++;
	cr_expect_eq(lines, 11, "plan has other steps: %s", buf);
	cr_assert_eq(ovslab("up %s", SANDBOX_FILES "/edit.yaml"), 0, "%s", buf);
	cr_expect(strstr(buf, "~ host vm2 moves hv1 -> hv2") != NULL, "%s", buf);
	cr_expect_eq(sandbox_ns_inode("vm1"), i1, "vm1 was made anew");
	cr_expect_eq(sandbox_ns_inode("vm3"), i3, "vm3 was made anew");
	cr_expect_eq(sandbox_ns_inode("vm4"), i4, "vm4 was made anew");
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip netns list"), 0);
	cr_expect(strstr(buf, "hv3") == NULL && strstr(buf, "vm6") == NULL, "%s", buf);
	cr_expect(strstr(buf, "hv4") != NULL && strstr(buf, "vm7") != NULL, "%s", buf);
	cr_expect_eq(our_switch_daemons(), 6, "expected 2 daemons per machine");
	cr_assert_eq(ovslab("check %s --all", "mh"), 0, "%s", buf);
	cr_expect(strstr(buf, "30 of 30 pairs reach") != NULL, "%s", buf);
	cr_assert_eq(ovslab("plan %s", SANDBOX_FILES "/edit.yaml"), 0, "%s", buf);
	cr_expect(strstr(buf, "mh: up to date, nothing to change") != NULL, "%s", buf);
	cr_assert_eq(ovslab("down %s", "mh"), 0, "%s", buf);
	assert_nothing_left(before);
}

/* An edit that fails once its machines' steps are made (injected) undoes
 * itself: the machine it added goes, the moved host is back on its machine,
 * and the lab is as before. */
Test(machines, failed_edit_undone)
{
	ino_t i1;

	up_fixture("multihost-geneve.yaml");
	i1 = sandbox_ns_inode("vm1");
	sandbox_write(SANDBOX_FILES "/edit.yaml", edit_yaml);
	cr_assert_neq(sandbox_runf(buf, sizeof(buf), "env OVSLAB_FAULT=machines %s up %s",
				   sandbox_ovslab(), SANDBOX_FILES "/edit.yaml"), 0, "%s", buf);
	cr_expect(strstr(buf, "failure injected") != NULL, "%s", buf);
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip netns list"), 0);
	cr_expect(strstr(buf, "hv4") == NULL && strstr(buf, "vm7") == NULL, "%s", buf);
	cr_expect(strstr(buf, "hv3") != NULL && strstr(buf, "vm6") != NULL, "%s", buf);
	cr_expect_eq(sandbox_ns_inode("vm1"), i1, "vm1 was made anew");
	cr_expect_eq(our_switch_daemons(), 6);
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip netns exec hv1 ip -o link show"), 0);
	cr_expect(strstr(buf, "vm2") != NULL, "vm2 is not back on hv1: %s", buf);
	cr_assert_eq(ovslab("plan %s", sandbox_fixture("multihost-geneve.yaml")), 0, "%s", buf);
	cr_expect(strstr(buf, "mh: up to date, nothing to change") != NULL, "%s", buf);
	cr_expect_eq(sandbox_runf(buf, sizeof(buf), "ip netns exec vm1 ping -c10 -i0.5 -W1 "
				  "10.0.0.2"), 0, "vm1 -> vm2 after the undo: %s", buf);
}

/* An edit a lab that is up cannot take is refused before anything changes. */
Test(machines, underlay_edit_refused)
{
	char text[4096];
	FILE *f = fopen(sandbox_fixture("multihost-vxlan.yaml"), "r");
	size_t n;

	cr_assert_not_null(f);
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	up_fixture("multihost-vxlan.yaml");
	cr_assert_eq(ovslab("up %s", sandbox_fixture("multihost-vxlan.yaml")), 0, "%s", buf);
	cr_expect(strstr(buf, "mhx: up to date, nothing to change") != NULL, "%s", buf);
	strcat(text, "underlay: {mtu: 1700}\n");
	sandbox_write(SANDBOX_FILES "/edit.yaml", text);
	cr_assert_neq(ovslab("up %s", SANDBOX_FILES "/edit.yaml"), 0, "%s", buf);
	cr_expect(strstr(buf, "the underlay's subnet or MTU cannot change while the lab is up") !=
		  NULL, "%s", buf);
	cr_expect_eq(ping("b1", "10.9.0.2"), 0, "the lab broke: %s", buf);
}

static void kill_machine_daemon(const char *lab, const char *machine, const char *daemon)
{
	char path[256];
	long pid = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/run/ovslab/%s/machines/%s/%s.pid", lab, machine, daemon);
	f = fopen(path, "r");
	cr_assert_not_null(f, "%s", path);
	cr_assert_eq(fscanf(f, "%ld", &pid), 1);
	fclose(f);
	cr_assert_eq(kill((pid_t)pid, SIGKILL), 0);
	for (int i = 0; i < 200 && kill((pid_t)pid, 0) == 0; i++)
		usleep(10000);
}

/* kill -9 of one machine's ovs-vswitchd and another's ovsdb-server: plan
 * shows the repairs, up makes them (its summary says so), and the hosts
 * reach across the machines again. */
Test(machines, killed_switch_repaired)
{
	up_fixture("multihost-geneve.yaml");
	kill_machine_daemon("mh", "hv2", "ovs-vswitchd");
	kill_machine_daemon("mh", "hv3", "ovsdb-server");
	cr_expect_neq(ping("vm1", "10.0.0.3"), 0, "vm1 reached vm3 with hv2's switch dead");
	cr_assert_eq(ovslab("plan %s", sandbox_fixture("multihost-geneve.yaml")), 0, "%s", buf);
	cr_expect(strstr(buf, "! hv2: switch: ovs-vswitchd not running (started again)") != NULL,
		  "%s", buf);
	cr_expect(strstr(buf, "! hv3: switch: ovsdb-server not running (started again)") != NULL,
		  "%s", buf);
	cr_expect(strstr(buf, "hv1:") == NULL, "hv1 lost nothing: %s", buf);
	up_fixture("multihost-geneve.yaml");
	cr_expect(strstr(buf, "mh: repaired ") != NULL, "%s", buf);
	cr_expect_eq(our_switch_daemons(), 6);
	/* The first packets towards a machine whose switch does not know the
	 * underlay neighbour (or its new br-phy address) yet are lost while it
	 * learns them (userspace tunnels; a fresh lab's first ping alike):
	 * echo requests for up to 5 s, one reply is enough. */
	for (const char *const *to = (const char *const[]){ "10.0.0.3", "10.0.0.5", NULL }; *to;
	     to++)
		cr_expect_eq(sandbox_runf(buf, sizeof(buf), "ip netns exec vm1 ping -c10 -i0.5 -W1 %s",
					  *to), 0, "vm1 -> %s after the repair: %s", *to, buf);
	cr_assert_eq(ovslab("check %s --all", "mh"), 0, "%s", buf);
	cr_expect(strstr(buf, "30 of 30 pairs reach") != NULL, "%s", buf);
	cr_assert_eq(ovslab("plan %s", sandbox_fixture("multihost-geneve.yaml")), 0, "%s", buf);
	cr_expect(strstr(buf, "mh: up to date, nothing to change") != NULL, "%s", buf);
}

/* A network node: only net1 holds the gateway; hosts on hv1 and hv2 reach
 * the outside over TCP through it, masqueraded to the sandbox's uplink
 * address; down takes the rules and the uplink away. */
Test(machines, network_node_nat)
{
	char before[4096], ns_before[256];
	struct in_addr seen, uplink;

	sandbox_outside();
	cr_assert_eq(sandbox_runf(before, sizeof(before), "ip -o link show"), 0);
	cr_assert_eq(sandbox_runf(ns_before, sizeof(ns_before), "ip netns list"), 0);
	up_fixture("multihost-netnode.yaml");
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip netns exec net1 ip -o addr show dev int_br"),
		     0, "%s", buf);
	cr_expect(strstr(buf, "10.0.0.254/24") != NULL, "no gateway on net1: %s", buf);
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip netns exec hv1 ip -o addr"), 0, "%s", buf);
	cr_expect(strstr(buf, "10.0.0.254") == NULL, "hv1 holds the gateway: %s", buf);
	inet_pton(AF_INET, SANDBOX_OUT_UPLINK, &uplink);
	for (const char *const *vm = (const char *const[]){ "vm1", "vm2", NULL }; *vm; vm++) {
		seen = xfer_seen_from(*vm, "outside", SANDBOX_OUT_SERVER);
		cr_expect_eq(seen.s_addr, uplink.s_addr, "the server saw %s from %s, not the "
			     "uplink's address", inet_ntoa(seen), *vm);
	}
	/* In the backend auto chose: nftables, or legacy on an iptables-legacy machine. */
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "nft list ruleset"), 0);
	if (!strstr(buf, "ovslab:mhn"))
		cr_assert_eq(sandbox_runf(buf, sizeof(buf), "iptables-legacy-save -t nat"), 0);
	cr_expect(strcasestr(buf, "MASQUERADE") != NULL && strstr(buf, "ovslab:mhn") != NULL,
		  "%s", buf);
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip netns exec net1 nft list ruleset"), 0);
	cr_expect(strcasestr(buf, "MASQUERADE") == NULL, "NAT inside net1: %s", buf);
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip netns exec net1 iptables-legacy-save -t nat"),
		     0);
	cr_expect(strstr(buf, "MASQUERADE") == NULL, "NAT inside net1: %s", buf);
	cr_assert_eq(ovslab("up %s", sandbox_fixture("multihost-netnode.yaml")), 0, "%s", buf);
	cr_expect(strstr(buf, "mhn: up to date, nothing to change") != NULL, "%s", buf);
	cr_assert_eq(ovslab("down %s", "mhn"), 0, "%s", buf);
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "iptables-legacy-save"), 0);
	cr_expect(strstr(buf, "ovslab") == NULL, "rules left: %s", buf);
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "nft list ruleset"), 0);
	cr_expect(strstr(buf, "ovslab") == NULL, "rules left: %s", buf);
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip netns list"), 0);
	cr_expect_str_eq(buf, ns_before);
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip -o link show"), 0);
	cr_expect_str_eq(buf, before, "interfaces changed");
	cr_expect_eq(our_switch_daemons(), 0);
}

/* A bridge's settings per machine: VLANs across the tunnels, a patch and a
 * mirror on one machine, the bridge's flows on every machine and a
 * machine's own flow on that machine only. */
static const char config_yaml[] =
	"name: mhc\n"
	"machines:\n"
	"  hv1: {flows: {int_br: [\"priority=50,udp,tp_dst=9999,actions=drop\"]}}\n"
	"  hv2: {}\n"
	"bridges:\n"
	"  int_br: {flows: [\"priority=10,actions=NORMAL\"], fail_mode: secure}\n"
	"  ext_br: {}\n"
	"patches:\n"
	"  - [int_br, ext_br]\n"
	"hosts:\n"
	"  a1: {machine: hv1, bridge: int_br, address: 10.1.0.1/24, vlan: 10}\n"
	"  a2: {machine: hv2, bridge: int_br, address: 10.1.0.2/24, vlan: 10}\n"
	"  b2: {machine: hv2, bridge: int_br, address: 10.1.0.3/24, vlan: 20}\n"
	"  c2: {machine: hv2, bridge: int_br, address: 10.1.1.2/24}\n"
	"  e1: {machine: hv1, bridge: ext_br, address: 10.1.1.1/24}\n"
	"  m2: {machine: hv2, bridge: int_br}\n"
	"mirrors:\n"
	"  - {name: mir, bridge: int_br, select: [a2], to: m2}\n";

Test(machines, per_machine_settings)
{
	sandbox_write(SANDBOX_FILES "/config.yaml", config_yaml);
	cr_assert_eq(ovslab("up %s", SANDBOX_FILES "/config.yaml"), 0, "%s", buf);
	cr_expect_eq(ping("a1", "10.1.0.2"), 0, "a1 -> a2 (VLAN 10, across machines): %s", buf);
	cr_expect_neq(ping("a1", "10.1.0.3"), 0, "a1 reached b2 on VLAN 20");
	cr_expect_eq(ping("e1", "10.1.1.2"), 0, "e1 -> c2 (through hv1's patch): %s", buf);
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ovs-ofctl dump-flows "
				  "unix:/run/ovslab/mhc/machines/hv1/int_br.mgmt"), 0, "%s", buf);
	cr_expect(strstr(buf, "tp_dst=9999") != NULL && strstr(buf, "NORMAL") != NULL, "%s", buf);
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ovs-ofctl dump-flows "
				  "unix:/run/ovslab/mhc/machines/hv2/int_br.mgmt"), 0, "%s", buf);
	cr_expect(strstr(buf, "tp_dst=9999") == NULL && strstr(buf, "NORMAL") != NULL, "%s", buf);
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ovs-vsctl --db=unix:/run/ovslab/mhc/machines/"
				  "hv2/db.sock get Bridge int_br fail_mode"), 0, "%s", buf);
	cr_expect_str_eq(buf, "secure\n");
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ovs-vsctl --db=unix:/run/ovslab/mhc/machines/"
				  "hv2/db.sock --columns=name list Mirror"), 0, "%s", buf);
	cr_expect(strstr(buf, "mir") != NULL, "no mirror on hv2: %s", buf);
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ovs-vsctl --db=unix:/run/ovslab/mhc/machines/"
				  "hv2/db.sock list-br"), 0, "%s", buf);
	cr_expect(strstr(buf, "ext_br") == NULL, "hv2 has ext_br: %s", buf);
	/* A machine's own flow changed: only that machine's table. */
	{
		char text[sizeof(config_yaml) + 16];
		char *p;

		snprintf(text, sizeof(text), "%s", config_yaml);
		p = strstr(text, "9999");
		cr_assert_not_null(p);
		memcpy(p, "9998", 4);
		sandbox_write(SANDBOX_FILES "/config.yaml", text);
		cr_assert_eq(ovslab("plan %s", SANDBOX_FILES "/config.yaml"), 0, "%s", buf);
		cr_expect_str_eq(buf, "~ hv1: bridge int_br: flows\n");
		cr_assert_eq(ovslab("up %s", SANDBOX_FILES "/config.yaml"), 0, "%s", buf);
		cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ovs-ofctl dump-flows "
					  "unix:/run/ovslab/mhc/machines/hv1/int_br.mgmt"), 0);
		cr_expect(strstr(buf, "tp_dst=9998") != NULL, "%s", buf);
	}
}

/* A failure once everything is made (injected) undoes it all, the
 * machines' switches included; a machine's name taken by a namespace of
 * the computer stops up before anything is made. */
Test(machines, failed_up_leaves_nothing)
{
	char before[4096];

	cr_assert_eq(sandbox_runf(before, sizeof(before), "ip -o link show"), 0);
	cr_assert_neq(sandbox_runf(buf, sizeof(buf), "env OVSLAB_FAULT=machines %s up %s",
				   sandbox_ovslab(), sandbox_fixture("multihost-geneve.yaml")), 0);
	cr_expect(strstr(buf, "failure injected") != NULL, "%s", buf);
	assert_nothing_left(before);

	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip netns add hv2"), 0);
	cr_assert_neq(ovslab("up %s", sandbox_fixture("multihost-geneve.yaml")), 0);
	cr_expect(strstr(buf, "multihost-geneve.yaml:9:3: machine hv2: a namespace of that name "
			 "already exists") != NULL, "%s", buf);
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip netns del hv2"), 0);
	assert_nothing_left(before);
}

/* A crashed run whose record went: gc finds the machines' daemons by their
 * command lines and stops them. */
Test(machines, gc_stops_orphan_switches)
{
	up_fixture("multihost-vxlan.yaml");
	cr_assert_eq(our_switch_daemons(), 4);
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "rm -rf /run/ovslab/mhx"), 0, "%s", buf);
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "%s gc", sandbox_ovslab()), 0, "%s", buf);
	cr_expect(strstr(buf, "stopped 4 switch processes of machines") != NULL, "%s", buf);
	cr_expect_eq(our_switch_daemons(), 0);
}
