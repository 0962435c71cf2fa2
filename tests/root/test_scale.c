/* Correctness at scale (time is measured by bench/, never asserted here):
 * a big int_br lab comes up, every host answers through the bridge, and
 * down leaves nothing.  512 hosts: twice the hosts ovslab sends the switch
 * per transaction, so the last transaction adds nothing new. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sandbox.h"

#define HOSTS 512

static char buf[1 << 16];

TestSuite(scale, .init = sandbox_enter, .timeout = 300);

Test(scale, many_hosts_up_reach_down)
{
	FILE *f = fopen("/run/ovslab-test/big.yaml", "w");
	char last[32];
	int answered = 0;

	cr_assert_not_null(f);
	fprintf(f, "name: big\nbridges:\n  int_br:\n    gateway: 10.70.255.254/16\nhosts:\n");
	for (int i = 1; i <= HOSTS; i++)
		fprintf(f, "  h%d:\n    bridge: int_br\n    address: 10.70.%d.%d/16\n", i, i / 200, i % 200 + 1);
	cr_assert_eq(fclose(f), 0);
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "%s up /run/ovslab-test/big.yaml", sandbox_ovslab()), 0, "%s", buf);
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "%s show big --json", sandbox_ovslab()), 0);
	cr_assert_null(strstr(buf, "\"ofport\":-1"), "a port failed");
	/* From the machine, through the gateway port, to every host; a host
	 * that misses the first try (a flood of ARP at once) gets a second. */
	for (int i = 1; i <= HOSTS; i++) {
		if (sandbox_runf(buf, sizeof(buf), "ping -c 1 -W 1 10.70.%d.%d", i / 200, i % 200 + 1) == 0 ||
		    sandbox_runf(buf, sizeof(buf), "ping -c 1 -W 2 10.70.%d.%d", i / 200, i % 200 + 1) == 0)
			answered++;
	}
	cr_assert_eq(answered, HOSTS, "%d of %d hosts answered", answered, HOSTS);
	/* The lab declares no IPv6: no host and no bridge port has made a
	 * link-local address (whose chatter floods a big bridge). */
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip -all netns exec ip -6 -o addr show scope link"), 0, "%s", buf);
	snprintf(last, sizeof(last), "netns: h%d\n", HOSTS);
	cr_assert_not_null(strstr(buf, last), "not every host was looked at: %.200s", buf);
	cr_assert_null(strstr(buf, "fe80"), "a host has an IPv6 link-local address: %.300s", strstr(buf, "fe80"));
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip -6 -o addr show scope link"), 0, "%s", buf);
	cr_assert_null(strstr(buf, "_tap"), "a bridge port has an IPv6 address: %s", buf);
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "%s down big", sandbox_ovslab()), 0, "%s", buf);
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip netns list"), 0);
	cr_assert_str_eq(buf, "");
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip -o link show"), 0);
	cr_assert_null(strstr(buf, "_tap"), "interfaces left");
	cr_assert_null(strstr(buf, "int_br"), "interfaces left");
	cr_assert_null(strstr(buf, "ovs-netdev"), "interfaces left");
	cr_assert_eq(access("/run/ovslab/big", F_OK), -1);
	cr_assert_eq(access("/run/ovslab/.switch", F_OK), -1);
}

/* Progress (hosts done / total) shows on a terminal, and only there. */
Test(scale, progress_on_a_terminal_only)
{
	FILE *f = fopen(SANDBOX_FILES "/mid.yaml", "w");
	char cmd[4200];

	cr_assert_not_null(f);
	fprintf(f, "name: mid\nbridges:\n  br0:\n    gateway: 10.71.0.254/24\nhosts:\n");
	for (int i = 1; i <= 64; i++)
		fprintf(f, "  m%d:\n    bridge: br0\n    address: 10.71.0.%d/24\n", i, i);
	cr_assert_eq(fclose(f), 0);
	/* not a terminal: the output is the summary line alone */
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "%s up " SANDBOX_FILES "/mid.yaml", sandbox_ovslab()), 0, "%s", buf);
	cr_assert_str_eq(buf, "mid: up: 64 hosts, 1 bridge, private switch (netdev datapath)\n");
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "%s down mid", sandbox_ovslab()), 0, "%s", buf);
	/* on a terminal (script(1) gives it one) */
	snprintf(cmd, sizeof(cmd), "%s up " SANDBOX_FILES "/mid.yaml", sandbox_ovslab());
	{
		char *argv[] = { "script", "-q", "-e", "-c", cmd, "/dev/null", NULL };

		cr_assert_eq(sandbox_run(argv, buf, sizeof(buf)), 0, "%s", buf);
	}
	cr_assert_not_null(strstr(buf, "mid: hosts 64/64"), "no progress on a terminal: %s", buf);
	cr_assert_not_null(strstr(buf, "mid: up: 64 hosts"), "%s", buf);
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "%s down mid", sandbox_ovslab()), 0, "%s", buf);
}
