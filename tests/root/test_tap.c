/* A bridge's TAP port for a virtual machine: a stand-in VM (a child process
 * that attaches to the tap and answers ARP and ICMP echo, as a guest's
 * network stack would) is reached from a lab host; `down` removes the tap
 * while the stand-in still holds it open. */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandbox.h"

static char buf[65536];
static const uint8_t vm_mac[6] = { 0x52, 0x54, 0x00, 0x00, 0x00, 0x01 };
static const uint8_t vm_ip[4] = { 10, 0, 0, 50 };

static uint16_t csum(const uint8_t *p, size_t n)
{
	uint32_t s = 0;

	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		s += (uint32_t)(p[n - 1] << 8);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* One frame in, its answer written back: ARP for vm_ip, echo to vm_ip. */
static void vm_answer(int fd, uint8_t *f, ssize_t n)
{
	if (n < 42)
		return;
	memcpy(f, f + 6, 6);
	memcpy(f + 6, vm_mac, 6);
	if (f[12] == 0x08 && f[13] == 0x06 && f[21] == 1 && !memcmp(f + 38, vm_ip, 4)) {
		uint8_t sha[6], spa[4];

		memcpy(sha, f + 22, 6);
		memcpy(spa, f + 28, 4);
		f[21] = 2;
		memcpy(f + 22, vm_mac, 6);
		memcpy(f + 28, vm_ip, 4);
		memcpy(f + 32, sha, 6);
		memcpy(f + 38, spa, 4);
		(void)!write(fd, f, 42);
	} else if (f[12] == 0x08 && f[13] == 0x00 && f[23] == 1 && !memcmp(f + 30, vm_ip, 4)) {
		size_t ihl = (size_t)(f[14] & 15) * 4;
		uint8_t *icmp = f + 14 + ihl;

		if (icmp[0] != 8)
			return;
		memcpy(f + 30, f + 26, 4);
		memcpy(f + 26, vm_ip, 4);
		icmp[0] = 0;
		icmp[2] = icmp[3] = 0;
		uint16_t c = csum(icmp, (size_t)n - 14 - ihl);
		icmp[2] = (uint8_t)(c >> 8);
		icmp[3] = (uint8_t)c;
		(void)!write(fd, f, (size_t)n);
	}
}

/* The stand-in VM: attaches as QEMU does (TUNSETIFF on the existing tap),
 * reports through ready, answers until the tap goes away. */
static pid_t vm_start(const char *tap)
{
	int ready[2];
	pid_t pid;
	char c;

	cr_assert_eq(pipe(ready), 0);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		struct ifreq ifr = { .ifr_flags = IFF_TAP | IFF_NO_PI };
		uint8_t f[2048];
		int fd = open("/dev/net/tun", O_RDWR);
		ssize_t n;

		strncpy(ifr.ifr_name, tap, IFNAMSIZ - 1);
		c = fd >= 0 && ioctl(fd, TUNSETIFF, &ifr) == 0 ? 'y' : 'n';
		(void)!write(ready[1], &c, 1);
		while ((n = read(fd, f, sizeof(f))) > 0 || (n < 0 && errno == EINTR))
			if (n > 0)
				vm_answer(fd, f, n);
		/* The tap was deleted under it: hold the fd until killed, as
		 * a VM that does not notice would. */
		pause();
		_exit(0);
	}
	close(ready[1]);
	cr_assert_eq(read(ready[0], &c, 1), 1);
	close(ready[0]);
	cr_assert_eq(c, 'y', "the stand-in VM cannot attach to %s", tap);
	return pid;
}

TestSuite(tap, .init = sandbox_enter, .timeout = 120);

Test(tap, vm_reached_and_removed_while_held)
{
	pid_t vm;

	cr_assert_eq(sandbox_ovslabf(buf, sizeof(buf), "up %s", sandbox_fixture("vm-tap.yaml")), 0,
		     "%s", buf);
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip -d -o link show vm1tap"), 0, "%s", buf);
	cr_assert_not_null(strstr(buf, "tun type tap"), "%s", buf);
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "cat /sys/class/net/vm1tap/owner "
				  "/sys/class/net/vm1tap/group"), 0, "%s", buf);
	cr_assert_str_eq(buf, "1000\n1000\n");
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip -d -o link show vm1tap"), 0, "%s", buf);
	cr_assert_not_null(strstr(buf, "NOARP"), "%s", buf);
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip -d -o link show vm2tap"), 0, "%s", buf);
	cr_assert_not_null(strstr(buf, "multi_queue"), "%s", buf);
	cr_assert_eq(sandbox_runf(buf, sizeof(buf),
				  "ovs-vsctl --db=unix:/run/ovslab/.switch/db.sock list-ports br0"),
		     0, "%s", buf);
	cr_assert_str_eq(buf, "ns01_tap\nvm1tap\nvm2tap\n");

	cr_assert_eq(sandbox_ovslabf(buf, sizeof(buf), "show vm-tap"), 0, "%s", buf);
	cr_assert_not_null(strstr(buf, "-netdev tap,id=vm1tap,ifname=vm1tap,script=no,downscript=no,"
				       "vnet_hdr=on -device virtio-net-pci,netdev=vm1tap,"
				       "mac=52:54:00:00:00:01"), "%s", buf);
	cr_assert_not_null(strstr(buf, "ifname=vm2tap,script=no,downscript=no,vnet_hdr=off,queues=4 "
				       "-device virtio-net-pci,netdev=vm2tap,mq=on,vectors=10"),
			   "%s", buf);

	vm = vm_start("vm1tap");
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip netns exec ns01 ping -c 3 -W 2 10.0.0.50"),
		     0, "the host cannot reach the VM behind the tap: %s", buf);

	cr_assert_eq(sandbox_ovslabf(buf, sizeof(buf), "down vm-tap"), 0, "%s", buf);
	cr_assert_eq(kill(vm, 0), 0, "the stand-in VM should still hold the tap");
	cr_assert_neq(sandbox_runf(buf, sizeof(buf), "ip link show vm1tap"), 0,
		      "the tap a VM holds open is left: %s", buf);
	cr_assert_neq(sandbox_runf(buf, sizeof(buf), "ip link show vm2tap"), 0, "%s", buf);
	cr_assert_eq(access("/run/ovslab/vm-tap", F_OK), -1, "the lab's record is left");
	kill(vm, SIGKILL);
	waitpid(vm, NULL, 0);
}

/* The journal without its completion mark, as an up that died leaves it. */
static void drop_complete(const char *path)
{
	char text[16384], out[16384], *p, *end;
	FILE *f = fopen(path, "r");
	size_t n;

	cr_assert_not_null(f, "%s", path);
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	p = strstr(text, "\ncomplete ");
	cr_assert_not_null(p, "no completion mark in %s", text);
	end = strchr(p + 1, '\n');
	snprintf(out, sizeof(out), "%.*s%s", (int)(p + 1 - text), text, end ? end + 1 : "");
	sandbox_write(path, out);
}

/* An up that died after the taps were made (its record without the
 * completion mark): gc finds them in the journal and removes them. */
Test(tap, gc_removes_taps)
{
	cr_assert_eq(sandbox_ovslabf(buf, sizeof(buf), "up %s", sandbox_fixture("vm-tap.yaml")), 0,
		     "%s", buf);
	drop_complete("/run/ovslab/vm-tap/journal");
	cr_assert_eq(sandbox_ovslabf(buf, sizeof(buf), "gc"), 0, "%s", buf);
	cr_assert_not_null(strstr(buf, "gc: lab vm-tap: removed"), "%s", buf);
	cr_assert_neq(sandbox_runf(buf, sizeof(buf), "ip link show vm1tap"), 0, "%s", buf);
	cr_assert_eq(access("/run/ovslab/vm-tap", F_OK), -1, "the lab's record is left");
}

/* A tap whose name the machine already has: up refuses before it makes
 * anything, and the machine's interface stays. */
Test(tap, name_taken_refused)
{
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip tuntap add dev vm1tap mode tap"), 0, "%s", buf);
	cr_assert_neq(sandbox_ovslabf(buf, sizeof(buf), "up %s", sandbox_fixture("vm-tap.yaml")), 0,
		      "%s", buf);
	cr_assert_not_null(strstr(buf, "tap vm1tap: an interface of that name already exists"),
			   "%s", buf);
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip link show vm1tap"), 0, "%s", buf);
	cr_assert_neq(sandbox_runf(buf, sizeof(buf), "ip link show vm2tap"), 0, "%s", buf);
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip netns list"), 0);
	cr_assert_str_eq(buf, "", "namespaces made: %s", buf);
}
