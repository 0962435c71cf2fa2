/* Each lab-file feature brought up from its fixture, with traffic: several
 * bridges and a router host, a direct cable, a host on the machine, IPv6,
 * MAC/MTU/routes/sysctls/exec.  Each test in its own sandbox. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sandbox.h"

static char buf[65536];

static int ovslab(const char *fmt, const char *arg)
{
	char args[4400];

	snprintf(args, sizeof(args), fmt, arg);
	return sandbox_runf(buf, sizeof(buf), "%s %s", sandbox_ovslab(), args);
}

static void up(const char *fixture)
{
	cr_assert_eq(ovslab("up %s", sandbox_fixture(fixture)), 0, "up %s: %s", fixture, buf);
}

static void down(const char *lab)
{
	cr_assert_eq(ovslab("down %s", lab), 0, "down %s: %s", lab, buf);
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip netns list"), 0);
	cr_assert_str_eq(buf, "", "namespaces left: %s", buf);
	cr_assert_eq(access("/run/ovslab/.switch", F_OK), -1, "the private switch is left");
}

static void reach(const char *ns, const char *addr)
{
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip netns exec %s ping -c 1 -W 2 %s", ns, addr), 0,
		     "%s cannot reach %s: %s", ns, addr, buf);
}

static void in_ns(const char *ns, const char *cmd, const char *want)
{
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip netns exec %s %s", ns, cmd), 0, "%s", buf);
	cr_assert_not_null(strstr(buf, want), "%s: `%s` does not show %s: %s", ns, cmd, want, buf);
}

TestSuite(features, .init = sandbox_enter, .timeout = 120);

Test(features, two_bridges_and_a_router)
{
	up("multi.yaml");
	reach("h1", "10.0.1.254");
	reach("h1", "10.0.1.2");
	/* h1 -> r1 -> h2: r1 forwards because its sysctl says so */
	reach("h1", "10.0.2.1");
	reach("h2", "10.0.1.1");
	in_ns("r1", "cat /proc/sys/net/ipv4/ip_forward", "1");
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "cat /proc/sys/net/ipv4/ip_forward"), 0);
	cr_assert_str_eq(buf, "0\n", "the machine's forwarding was changed");
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ovs-vsctl --db=unix:/run/ovslab/.switch/db.sock list-ports br2"), 0);
	cr_assert_str_eq(buf, "h2_tap\nr1_tap1\n");
	down("multi");
}

Test(features, direct_cable)
{
	up("links.yaml");
	reach("ns01", "10.0.0.2");
	reach("ns02", "10.0.0.1");
	in_ns("ns01", "ip -o link show veth-ns01", "link-netns ns02");
	cr_assert_eq(access("/run/ovslab/.switch", F_OK), -1, "a switch was started for a lab without bridges");
	cr_assert_eq(ovslab("show %s", "links"), 0, "%s", buf);
	cr_assert_not_null(strstr(buf, "switch: none"), "%s", buf);
	cr_assert_not_null(strstr(buf, "ns02:veth-ns02"), "%s", buf);
	/* show and ls change nothing, and work without root */
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "setpriv --reuid=65534 --regid=65534 --clear-groups %s show links",
				  sandbox_ovslab()), 0, "%s", buf);
	cr_assert_not_null(strstr(buf, "ns01"), "%s", buf);
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "setpriv --reuid=65534 --regid=65534 --clear-groups %s ls",
				  sandbox_ovslab()), 0, "%s", buf);
	cr_assert_not_null(strstr(buf, "links"), "%s", buf);
	down("links");
}

Test(features, host_on_the_machine)
{
	/* the machine needs an address of its own for the host to answer */
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip addr add 198.51.100.1/32 dev lo"), 0, "%s", buf);
	up("machine.yaml");
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip route show 10.200.1.2"), 0);
	cr_assert_not_null(strstr(buf, "dev m-ns1"), "%s", buf);
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ping -c 1 -W 2 10.200.1.2"), 0, "the machine cannot reach ns1: %s", buf);
	reach("ns1", "198.51.100.1");
	down("machine");
	cr_assert_neq(sandbox_runf(buf, sizeof(buf), "ip -o link show m-ns1"), 0, "m-ns1 is left");
}

Test(features, ipv6_end_to_end)
{
	up("ipv6.yaml");
	in_ns("a", "ip -6 -o addr show dev eth0", "fd00:6::1/64");
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip netns exec a ping -6 -c 1 -W 2 fd00:6::2"), 0, "%s", buf);
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip netns exec b ping -6 -c 1 -W 2 fd00:6::fe"), 0, "%s", buf);
	down("six");
}

Test(features, no_ipv6_when_none_declared)
{
	up("multi.yaml");
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip netns exec h1 ip -6 -o addr show dev eth0"), 0, "%s", buf);
	cr_assert_str_eq(buf, "", "a lab without IPv6 has IPv6 addresses: %s", buf);
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip -6 -o addr show dev h1_tap"), 0, "%s", buf);
	cr_assert_str_eq(buf, "", "the bridge port has IPv6 addresses: %s", buf);
	down("multi");
}

Test(features, mac_mtu_routes_sysctls_exec)
{
	up("features.yaml");
	in_ns("f1", "ip -o link show eth0", "link/ether 02:00:00:00:05:01");
	in_ns("f1", "ip -o link show eth0", "mtu 1400");
	in_ns("f1", "ip route show", "10.99.0.0/16 via 10.0.5.254");
	in_ns("f1", "ip route show", "10.98.0.0/16 dev eth0");
	in_ns("f1", "ip route show", "default via 10.0.5.254");
	in_ns("f1", "cat /proc/sys/net/ipv4/ip_forward", "1");
	/* exec left a process running in the host; down stops it */
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip netns pids f1"), 0, "%s", buf);
	cr_assert_neq(buf[0], '\0', "nothing runs in f1");
	reach("f1", "10.0.5.254");
	down("feat");
}

/* A failed exec: says what the command printed: the rollback removes the
 * lab's directory, log included, so the message must carry it. */
Test(features, failed_exec_says_its_last_output)
{
	sandbox_write(SANDBOX_FILES "/exec.yaml",
		      "name: ex\nhosts:\n  h1:\n    exec:\n"
		      "      - [sh, -c, \"echo first words; echo the cause is here >&2; exit 3\"]\n");
	cr_assert_neq(ovslab("up %s", SANDBOX_FILES "/exec.yaml"), 0, "up succeeded: %s", buf);
	cr_assert_not_null(strstr(buf, "exited with status 3"), "%s", buf);
	cr_assert_not_null(strstr(buf, "first words | the cause is here"), "%s", buf);
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip netns list"), 0);
	cr_assert_str_eq(buf, "", "namespaces left: %s", buf);
}

/* exec's paths are relative to the lab file, as flows_file's: the commands
 * run in its directory, wherever ovslab was started. */
Test(features, exec_paths_relative_to_the_lab_file)
{
	sandbox_write(SANDBOX_FILES "/mark.sh", "echo marked > here.txt\n");
	sandbox_write(SANDBOX_FILES "/rel.yaml",
		      "name: rel\nhosts:\n  h1:\n    exec:\n      - sh mark.sh\n");
	cr_assert_eq(chdir("/"), 0);
	cr_assert_eq(ovslab("up %s", SANDBOX_FILES "/rel.yaml"), 0, "%s", buf);
	cr_expect_eq(access(SANDBOX_FILES "/here.txt", F_OK), 0, "mark.sh did not run there");
	cr_assert_eq(ovslab("down %s", "rel"), 0, "%s", buf);
}

/* Whether this kernel makes 802.1Q links: tried on a veth in a throwaway
 * namespace of the test's own. */
static bool kernel_has_vlan(void)
{
	return sandbox_runf(buf, sizeof(buf),
			    "unshare -n sh -c 'ip link add v0 type veth peer name v1 && "
			    "ip link add link v0 name v0.5 type vlan id 5'") == 0;
}

/* A host's VLAN sub-interface: where the kernel has 802.1Q it reaches an
 * access host of its VLAN through its parent's trunk port; where it has
 * not, up says so in one sentence naming it and leaves nothing behind. */
Test(features, vlan_sub_interface)
{
	if (!kernel_has_vlan()) {
		cr_assert_neq(ovslab("up %s", sandbox_fixture("vlan_sub.yaml")), 0, "up succeeded: %s", buf);
		cr_assert_not_null(strstr(buf, "ns02:eth0.20"), "%s", buf);
		cr_assert_not_null(strstr(buf, "CONFIG_VLAN_8021Q"), "%s", buf);
		cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip netns list"), 0);
		cr_assert_str_eq(buf, "", "namespaces left: %s", buf);
		cr_assert_eq(access("/run/ovslab/vlansub", F_OK), -1, "the lab's record is left");
		cr_assert_eq(ovslab("ls%s", ""), 0, "%s", buf);
		cr_assert_null(strstr(buf, "vlansub"), "ls still lists the lab: %s", buf);
		cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip -o link show"), 0);
		cr_assert_null(strstr(buf, "ns0"), "veths left: %s", buf);
		return;
	}
	up("vlan_sub.yaml");
	in_ns("ns02", "ip -d -o link show eth0.20", "vlan protocol 802.1Q id 20");
	reach("ns02", "10.0.20.1");
	reach("ns01", "10.0.20.2");
	down("vlansub");
}
