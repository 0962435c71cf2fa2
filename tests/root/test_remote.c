/* `ovslab up FILE --machine M` on real computers: two computers simulated
 * as namespaces of their own (network, mount, PID; each with its own /run),
 * joined by a veth pair whose ends are each computer's eth1.  Each plays
 * one machine of the same file; hosts reach across through Geneve, and
 * down or gc give eth1 back exactly as it was. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandbox.h"

#define LAB_DIR "/run/ovslab/two"

static char buf[65536];

/* A loop over the computer's switch and dnsmasq processes ($p, $c), for
 * sh -c: no procps needed. */
#define EACH_DAEMON                                                                     \
	"for p in /proc/[0-9]*; do c=$(cat $p/comm 2>/dev/null); case $c in "            \
	"ovs-vswitchd|ovsdb-server|dnsmasq) ;; *) continue;; esac; "

/* What a borrowed interface must look like again afterwards, and what the
 * lab must not leave: every link, address and route of the computer. */
static char *snapshot(const struct sandbox_computer *c)
{
	static const char *const cmds[] = { "ip -o link show", "ip -o addr show",
					    "ip route show table all" };
	size_t cap = 3 * sizeof(buf), used = 0;
	char *all = calloc(1, cap);

	cr_assert_not_null(all);
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		cr_assert_eq(sandbox_computer_runf(c, buf, sizeof(buf), "%s", cmds[i]), 0, "%s: %s",
			     cmds[i], buf);
		used += (size_t)snprintf(all + used, cap - used, "%s\n%s", cmds[i], buf);
	}
	return all;
}

/* A computer with eth1 at addr, a route through it (a real one would have
 * some), and IPv6 link-local addresses made at once (no DAD: nothing
 * tentative to change under the comparison). */
static void computer_net(const struct sandbox_computer *c, const char *end, const char *addr)
{
	const char *const steps[] = { "ip link set %s name eth1", "ip addr add %s/24 dev eth1",
				      "ip link set eth1 up",
				      "ip route add 198.18.0.0/24 via 192.0.2.254 dev eth1 metric 7" };

	cr_assert_eq(sandbox_computer_runf(c, buf, sizeof(buf), steps[0], end), 0, "%s", buf);
	cr_assert_eq(sandbox_computer_runf(c, buf, sizeof(buf), steps[1], addr), 0, "%s", buf);
	cr_assert_eq(sandbox_computer_runf(c, buf, sizeof(buf), "%s", steps[2]), 0, "%s", buf);
	cr_assert_eq(sandbox_computer_runf(c, buf, sizeof(buf), "%s", steps[3]), 0, "%s", buf);
}

static void computers(struct sandbox_computer *c1, struct sandbox_computer *c2)
{
	sandbox_computer(c1);
	sandbox_computer(c2);
	for (int i = 0; i < 2; i++)
		cr_assert_eq(sandbox_computer_runf(i ? c2 : c1, buf, sizeof(buf),
						   "sysctl -qw net.ipv6.conf.default.accept_dad=0"),
			     0, "%s", buf);
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip link add ca type veth peer name cb"), 0,
		     "%s", buf);
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip link set ca netns %d", c1->init), 0, "%s",
		     buf);
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip link set cb netns %d", c2->init), 0, "%s",
		     buf);
	computer_net(c1, "ca", "192.0.2.1");
	computer_net(c2, "cb", "192.0.2.2");
}

static int up_as(const struct sandbox_computer *c, const char *machine)
{
	return sandbox_computer_runf(c, buf, sizeof(buf), "%s up %s --machine %s", sandbox_ovslab(),
				     sandbox_fixture("multihost-two-computers.yaml"), machine);
}

/* A few tries: the first packets wait for Open vSwitch to resolve the
 * tunnel's next hop. */
static int ping_in(const struct sandbox_computer *c, const char *host, const char *to)
{
	int ret = 1;

	for (int i = 0; i < 10 && ret != 0; i++)
		ret = sandbox_computer_runf(c, buf, sizeof(buf), "ip netns exec %s ping -c1 -W1 %s",
					    host, to);
	return ret;
}

/* No namespace, switch process or lab record left on the computer. */
static void assert_clean(const struct sandbox_computer *c)
{
	char *sh[] = { "sh", "-c",
		       "ip netns list; ls -A /run/ovslab | grep -vx .locks; " EACH_DAEMON "echo $c; done; true",
		       NULL };

	cr_assert_eq(sandbox_computer_run(c, sh, buf, sizeof(buf)), 0, "%s", buf);
	cr_expect_str_eq(buf, "", "left on the computer: %s", buf);
}

static const char sink[] =
	"import socket,sys\n"
	"s=socket.socket();s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1)\n"
	"s.bind(('10.0.0.3',5001));s.listen(1);s.settimeout(60)\n"
	"c,_=s.accept();c.settimeout(60);d=bytearray()\n"
	"while True:\n"
	"  b=c.recv(65536)\n"
	"  if not b: break\n"
	"  d+=b\n"
	"print(len(d));sys.exit(0 if d==bytes(range(256))*4096 else 1)\n";

static const char source[] =
	"import socket,time\n"
	"for i in range(100):\n"
	"  try:\n"
	"    s=socket.create_connection(('10.0.0.3',5001),timeout=10);break\n"
	"  except OSError: time.sleep(0.2)\n"
	"s.sendall(bytes(range(256))*4096);s.close()\n";

/* 1 MiB from vm1 (computer 1) to vm3 (computer 2), checked byte for byte. */
static void tcp_across(const struct sandbox_computer *c1, const struct sandbox_computer *c2)
{
	char *srv[] = { "ip", "netns", "exec", "vm3", "python3", "-c", (char *)sink, NULL };
	char *cli[] = { "ip", "netns", "exec", "vm1", "python3", "-c", (char *)source, NULL };
	pid_t pid = fork();
	int st;

	cr_assert_geq(pid, 0);
	if (pid == 0) {
		static char out[4096];
		int ret = sandbox_computer_run(c2, srv, out, sizeof(out));

		fputs(out, stderr);
		_exit(ret);
	}
	cr_assert_eq(sandbox_computer_run(c1, cli, buf, sizeof(buf)), 0, "source: %s", buf);
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		  "1 MiB from vm1 (hv1) to vm3 (hv2) did not arrive intact");
}

TestSuite(remote, .init = sandbox_enter, .timeout = 240);

Test(remote, two_computers)
{
	char json_cmd[512];
	char *json[] = { "sh", "-c", json_cmd, NULL };
	struct sandbox_computer c1, c2;
	char *before1, *before2, *after;

	snprintf(json_cmd, sizeof(json_cmd),
		 "%s show two --json | python3 -c 'import json,sys; p=json.load(sys.stdin)[\"plays\"]; "
		 "print(p[\"machine\"], p[\"interface\"], p[\"tunnels\"][0][\"remote\"])'",
		 sandbox_ovslab());
	computers(&c1, &c2);
	before1 = snapshot(&c1);
	before2 = snapshot(&c2);
	cr_assert_eq(up_as(&c1, "hv1"), 0, "up on computer 1: %s", buf);
	cr_expect(strstr(buf, "this computer is machine hv1, underlay on eth1") != NULL, "%s", buf);
	cr_assert_eq(up_as(&c2, "hv2"), 0, "up on computer 2: %s", buf);
	/* hv1 has vm1 and vm2, hv2 vm3 only. */
	cr_assert_eq(sandbox_computer_runf(&c1, buf, sizeof(buf), "ip netns list"), 0);
	cr_expect(strstr(buf, "vm1") && strstr(buf, "vm2") && !strstr(buf, "vm3"), "%s", buf);
	cr_assert_eq(sandbox_computer_runf(&c2, buf, sizeof(buf), "ip netns list"), 0);
	cr_expect(!strstr(buf, "vm1") && !strstr(buf, "vm2") && strstr(buf, "vm3"), "%s", buf);
	/* The underlay address moved from eth1 to br-phy. */
	cr_assert_eq(sandbox_computer_runf(&c1, buf, sizeof(buf), "ip -o -4 addr show"), 0);
	cr_expect(strstr(buf, "br-phy    inet 192.0.2.1/24") && !strstr(buf, "eth1    inet"), "%s",
		  buf);

	cr_expect_eq(ping_in(&c1, "vm1", "10.0.0.3"), 0, "vm1 (hv1) cannot reach vm3: %s", buf);
	cr_expect_eq(ping_in(&c2, "vm3", "10.0.0.2"), 0, "vm3 (hv2) cannot reach vm2: %s", buf);
	tcp_across(&c1, &c2);

	cr_assert_eq(sandbox_computer_runf(&c1, buf, sizeof(buf), "%s show two", sandbox_ovslab()),
		     0, "%s", buf);
	cr_expect(strstr(buf, "machine hv1: this computer; underlay 192.0.2.1/24 on br-phy, "
			 "interface eth1 borrowed") != NULL, "%s", buf);
	cr_expect(strstr(buf, "geneve to 192.0.2.2 (machine hv2), key 100") != NULL, "%s", buf);
	cr_assert_eq(sandbox_computer_run(&c2, json, buf, sizeof(buf)), 0, "%s", buf);
	cr_expect_str_eq(buf, "hv2 eth1 192.0.2.1\n");

	for (int i = 0; i < 2; i++) {
		const struct sandbox_computer *c = i ? &c2 : &c1;

		cr_assert_eq(sandbox_computer_runf(c, buf, sizeof(buf), "%s down two",
						   sandbox_ovslab()), 0, "down: %s", buf);
		after = snapshot(c);
		cr_expect_str_eq(after, i ? before2 : before1, "computer %d changed", i + 1);
		free(after);
		assert_clean(c);
	}
	free(before1);
	free(before2);
	sandbox_computer_end(&c1);
	sandbox_computer_end(&c2);
}

/* A computer whose switch died (kill -9: it never let go of eth1, which
 * stays promiscuous) and whose record a killed down left incomplete: gc
 * takes the lab down and gives eth1 back as it was. */
Test(remote, gc_after_crash_gives_interface_back)
{
	char *sh[] = { "sh", "-c", EACH_DAEMON "kill -9 ${p#/proc/}; done", NULL };
	char *mark[] = { "sh", "-c",
			 "sed -n 's/^complete /forget complete /p' " LAB_DIR "/journal >> "
			 LAB_DIR "/journal",
			 NULL };
	struct sandbox_computer c1, c2;
	char *before, *after;

	computers(&c1, &c2);
	before = snapshot(&c1);
	cr_assert_eq(up_as(&c1, "hv1"), 0, "up: %s", buf);
	cr_assert_eq(sandbox_computer_runf(&c1, buf, sizeof(buf), "ip -o link show dev eth1"), 0);
	cr_expect(strstr(buf, "PROMISC") && strstr(buf, "mtu 1600"), "eth1 not borrowed: %s", buf);
	cr_assert_eq(sandbox_computer_run(&c1, sh, buf, sizeof(buf)), 0, "%s", buf);
	cr_assert_eq(sandbox_computer_run(&c1, mark, buf, sizeof(buf)), 0, "%s", buf);
	cr_assert_eq(sandbox_computer_runf(&c1, buf, sizeof(buf), "%s ls", sandbox_ovslab()), 0);
	cr_expect(strstr(buf, "incomplete") != NULL, "%s", buf);

	cr_assert_eq(sandbox_computer_runf(&c1, buf, sizeof(buf), "%s gc", sandbox_ovslab()), 0,
		     "gc: %s", buf);
	after = snapshot(&c1);
	cr_expect_str_eq(after, before, "eth1 or the computer not as before");
	assert_clean(&c1);
	free(before);
	free(after);
	sandbox_computer_end(&c1);
	sandbox_computer_end(&c2);
}

/* A machine the file lacks: a usage error naming the ones it has, nothing
 * made. */
Test(remote, unknown_machine_is_usage_error)
{
	cr_assert_eq(sandbox_ovslabf(buf, sizeof(buf), "up %s --machine hv9",
				     sandbox_fixture("multihost-two-computers.yaml")), 2, "%s", buf);
	cr_expect(strstr(buf, "--machine hv9: the lab file") && strstr(buf, "has no such machine "
								     "(it has hv1, hv2)"),
		  "%s", buf);
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip netns list"), 0);
	cr_expect_str_eq(buf, "");
	cr_expect_neq(access(LAB_DIR, F_OK), 0, "a record was made");
}

/* Without --machine the same file simulates both machines on one computer,
 * with the file's underlay addresses inside the simulation. */
Test(remote, same_file_simulated)
{
	cr_assert_eq(sandbox_ovslabf(buf, sizeof(buf), "up %s",
				     sandbox_fixture("multihost-two-computers.yaml")), 0, "%s", buf);
	cr_assert_eq(sandbox_ovslabf(buf, sizeof(buf), "check two --all"), 0, "%s", buf);
	cr_expect(strstr(buf, "6 of 6 pairs reach") != NULL, "%s", buf);
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip netns exec hv2 ip -o -4 addr show br-phy"),
		     0, "%s", buf);
	cr_expect(strstr(buf, "192.0.2.2/24") != NULL, "%s", buf);
	cr_assert_eq(sandbox_ovslabf(buf, sizeof(buf), "down two"), 0, "%s", buf);
}
