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

#define XFER_BYTES (1 << 20)

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

/* ---- TCP across machines -------------------------------------------------- */

struct sink {
	const char *addr;
	int ready[2], report[2];
};

static uint64_t fnv(const unsigned char *p, size_t n, uint64_t h)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 1099511628211ULL;
	return h;
}

static void pattern(unsigned char *data, size_t len)
{
	uint32_t x = 12345;

	for (size_t i = 0; i < len; i++) {
		x = x * 1103515245 + 12345;
		data[i] = (unsigned char)(x >> 16);
	}
}

static int sink_run(void *arg)
{
	struct sink *sk = arg;
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(5001) };
	uint64_t h = 1469598103934665603ULL, n = 0;
	unsigned char chunk[16384];
	int one = 1, l = socket(AF_INET, SOCK_STREAM, 0), c;
	ssize_t r;

	inet_pton(AF_INET, sk->addr, &sin.sin_addr);
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(l, (struct sockaddr *)&sin, sizeof(sin)) < 0 || listen(l, 1) < 0)
		return 1;
	if (write(sk->ready[1], "r", 1) != 1)
		return 2;
	c = accept(l, NULL, NULL);
	if (c < 0)
		return 3;
	while ((r = read(c, chunk, sizeof(chunk))) > 0) {
		h = fnv(chunk, (size_t)r, h);
		n += (uint64_t)r;
	}
	if (write(sk->report[1], &h, sizeof(h)) != sizeof(h) ||
	    write(sk->report[1], &n, sizeof(n)) != sizeof(n))
		return 4;
	return 0;
}

static int source_run(void *arg)
{
	static unsigned char data[XFER_BYTES];
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(5001) };
	int s = socket(AF_INET, SOCK_STREAM, 0);
	size_t off = 0;

	pattern(data, sizeof(data));
	inet_pton(AF_INET, arg, &sin.sin_addr);
	if (connect(s, (struct sockaddr *)&sin, sizeof(sin)) < 0)
		return 1;
	while (off < sizeof(data)) {
		ssize_t w = write(s, data + off, sizeof(data) - off);

		if (w <= 0)
			return 2;
		off += (size_t)w;
	}
	close(s);
	return 0;
}

/* ---- tests ---------------------------------------------------------------- */

TestSuite(machines, .init = sandbox_enter, .timeout = 240);

/* 3 machines x 2 hosts: every host reaches every other, across machines
 * through Geneve, and a 1 MiB TCP transfer arrives intact. */
Test(machines, geneve_all_pairs)
{
	static unsigned char data[XFER_BYTES];
	struct sink sk = { .addr = "10.0.0.6" };
	uint64_t h, n;
	char ch;
	pid_t srv, cli;

	up_fixture("multihost-geneve.yaml");
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip netns list"), 0);
	for (const char *const *ns = (const char *const[]){ "hv1", "hv2", "hv3", "mh-ul", NULL };
	     *ns; ns++)
		cr_expect(strstr(buf, *ns) != NULL, "no namespace %s: %s", *ns, buf);
	cr_assert_eq(ovslab("check %s --all", "mh"), 0, "%s", buf);
	cr_expect(strstr(buf, "30 of 30 pairs reach") != NULL, "%s", buf);

	cr_assert_eq(pipe(sk.ready), 0);
	cr_assert_eq(pipe(sk.report), 0);
	srv = sandbox_in_netns("vm6", sink_run, &sk);
	close(sk.ready[1]);
	close(sk.report[1]);
	cr_assert_eq(read(sk.ready[0], &ch, 1), 1, "sink did not start");
	cli = sandbox_in_netns("vm1", source_run, "10.0.0.6");
	cr_assert_eq(sandbox_wait(cli), 0, "the TCP transfer from vm1 (hv1) to vm6 (hv3) failed");
	cr_assert_eq(read(sk.report[0], &h, sizeof(h)), (ssize_t)sizeof(h));
	cr_assert_eq(read(sk.report[0], &n, sizeof(n)), (ssize_t)sizeof(n));
	cr_assert_eq(sandbox_wait(srv), 0);
	pattern(data, sizeof(data));
	cr_expect_eq(n, (uint64_t)XFER_BYTES);
	cr_expect_eq(h, fnv(data, sizeof(data), 1469598103934665603ULL), "data corrupted");
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

/* Changing a lab with machines in place is refused; the same file is
 * nothing to do. */
Test(machines, edit_refused)
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
	cr_expect(strstr(buf, "mhx: nothing to change") != NULL, "%s", buf);
	strcat(text, "  b3: {machine: hv2, bridge: blue, address: 10.9.0.3/24}\n");
	sandbox_write(SANDBOX_FILES "/edit.yaml", text);
	cr_assert_neq(ovslab("up %s", SANDBOX_FILES "/edit.yaml"), 0, "%s", buf);
	cr_expect(strstr(buf, "take it down first") != NULL, "%s", buf);
	cr_expect_neq(sandbox_runf(buf, sizeof(buf), "ip netns exec b3 true"), 0, "b3 was made");
	cr_expect_eq(ping("b1", "10.9.0.2"), 0, "the lab broke: %s", buf);
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
