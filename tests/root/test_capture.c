/* ovslab capture: a ping between two hosts captured into pcapng (read back
 * by tcpdump, interfaces named in the file's own blocks), streamed into
 * `tcpdump -r -`, ended by SIGINT with a valid file, printed as lines, and
 * refusals of a bad filter or an unknown target.  Each test in its sandbox. */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sandbox.h"

#define LAB_FILE SANDBOX_FILES "/c.yaml"
#define CAP_FILE SANDBOX_FILES "/c.pcapng"
static char buf[65536];

TestSuite(capture, .init = sandbox_enter, .timeout = 240);

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	char *argv[] = { "sh", "-c", cmd, NULL };
	return sandbox_run(argv, buf, sizeof(buf));
}

/* Two hosts on one bridge, as fixtures/int_br.yaml has them, up. */
static void up(void)
{
	sandbox_write(LAB_FILE,
		      "name: c\n"
		      "bridges:\n"
		      "  br0: {gateway: 10.0.0.254/24}\n"
		      "hosts:\n"
		      "  ns01: {bridge: br0, address: 10.0.0.1/24}\n"
		      "  ns02: {bridge: br0, address: 10.0.0.2/24}\n");
	cr_assert_eq(sandbox_ovslabf(buf, sizeof(buf), "up %s", LAB_FILE), 0, "up: %s", buf);
}

/* Pings from ns01 to ns02 in the background, for about count/10 seconds. */
static void ping_bg(int count)
{
	cr_assert_eq(sh("ip netns exec ns01 ping -n -c %d -i 0.1 10.0.0.2 >/dev/null 2>&1 &", count),
		     0, "%s", buf);
}

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

/* The file's interface names (IDB if_name) and its packets per interface,
 * read block by block in the writer's byte order. */
static size_t read_pcapng(const char *path, char names[][32], size_t max, unsigned *per_if)
{
	static uint8_t f[1 << 20];
	FILE *in = fopen(path, "r");
	size_t len, off = 0, n = 0;

	cr_assert_not_null(in, "%s", path);
	len = fread(f, 1, sizeof(f), in);
	fclose(in);
	cr_assert_geq(len, 28, "pcapng too short");
	cr_assert_eq(rd32(f), 0x0a0d0d0au, "no section header block");
	cr_assert_eq(rd32(f + 8), 0x1a2b3c4du, "byte-order magic");
	while (off + 12 <= len) {
		uint32_t type = rd32(f + off), blen = rd32(f + off + 4);

		cr_assert(blen >= 12 && blen % 4 == 0 && off + blen <= len, "block at %zu", off);
		cr_assert_eq(rd32(f + off + blen - 4), blen, "trailing length at %zu", off);
		if (type == 1) {
			/* Options after linktype(2) reserved(2) snaplen(4). */
			size_t o = off + 16;

			cr_assert_lt(n, max);
			names[n][0] = '\0';
			while (o + 4 <= off + blen - 4) {
				uint16_t code, olen;

				memcpy(&code, f + o, 2);
				memcpy(&olen, f + o + 2, 2);
				if (code == 0)
					break;
				if (code == 2)
					snprintf(names[n], 32, "%.*s", (int)olen, (const char *)f + o + 4);
				o += 4 + ((olen + 3u) & ~3u);
			}
			per_if[n++] = 0;
		} else if (type == 6) {
			uint32_t ifc = rd32(f + off + 8);

			cr_assert_lt(ifc, n, "packet on undescribed interface %u", ifc);
			per_if[ifc]++;
		}
		off += blen;
	}
	cr_assert_eq(off, len, "trailing bytes: not a complete file");
	return n;
}

/* The interface names CAP_FILE describes, space-separated, are want. */
static void expect_ifaces(const char *want, unsigned *per_if)
{
	char names[8][32], got[300] = "";
	size_t n = read_pcapng(CAP_FILE, names, 8, per_if);

	for (size_t i = 0; i < n; i++)
		snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s", i ? " " : "", names[i]);
	cr_assert_str_eq(got, want);
}

/* The lab up, a ping running, `capture c ARGS -w CAP_FILE` succeeds. */
static void capture_ping(const char *args)
{
	up();
	ping_bg(40);
	cr_assert_eq(sandbox_ovslabf(buf, sizeof(buf), "capture c %s -w %s", args, CAP_FILE), 0,
		     "capture: %s", buf);
}

Test(capture, ping_two_hosts_pcapng)
{
	unsigned per_if[8];

	capture_ping("ns01 ns02 -c 12 -f icmp");
	cr_assert(strstr(buf, "12 packets captured"), "%s", buf);
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "tcpdump -r %s -n", CAP_FILE), 0, "%s", buf);
	cr_assert(strstr(buf, "10.0.0.1 > 10.0.0.2: ICMP echo request"), "%s", buf);
	cr_assert(strstr(buf, "10.0.0.2 > 10.0.0.1: ICMP echo reply"), "%s", buf);
	expect_ifaces("ns01:eth0 ns02:eth0", per_if);
	/* 12 packets of a steady ping: both ends saw some. */
	cr_assert_gt(per_if[0], 0);
	cr_assert_gt(per_if[1], 0);
	cr_assert_eq(per_if[0] + per_if[1], 12);
}

Test(capture, bridge_ports_named)
{
	unsigned per_if[8];

	capture_ping("ns01_tap br0 --duration 1.5");
	expect_ifaces("br0:ns01_tap br0", per_if);
	cr_assert_gt(per_if[0], 0, "no ping seen on the bridge port");
}

Test(capture, stream_into_tcpdump)
{
	up();
	ping_bg(40);
	cr_assert_eq(sh("%s capture c ns02 -w - -c 4 -f icmp | tcpdump -r - -n", sandbox_ovslab()),
		     0, "%s", buf);
	cr_assert(strstr(buf, "reading from file -"), "%s", buf);
	cr_assert(strstr(buf, "10.0.0.1 > 10.0.0.2: ICMP echo request"), "%s", buf);
}

Test(capture, sigint_leaves_valid_file)
{
	unsigned per_if[8];

	up();
	ping_bg(60);
	cr_assert_eq(sh("%s capture c ns01 -w %s -f icmp 2>&1 & pid=$!; sleep 2; kill -INT $pid; "
			"wait $pid; echo rc=$?", sandbox_ovslab(), CAP_FILE), 0, "%s", buf);
	cr_assert(strstr(buf, "rc=0"), "%s", buf);
	cr_assert(strstr(buf, "packets captured"), "%s", buf);
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "tcpdump -r %s -n", CAP_FILE), 0, "%s", buf);
	cr_assert(strstr(buf, "ICMP echo request"), "%s", buf);
	expect_ifaces("ns01:eth0", per_if);
	cr_assert_gt(per_if[0], 0);
}

Test(capture, lines_without_w)
{
	up();
	ping_bg(30);
	cr_assert_eq(sandbox_ovslabf(buf, sizeof(buf), "capture c ns01 -c 2 -f icmp"), 0, "%s", buf);
	cr_assert(strstr(buf, "ns01:eth0 IPv4 10.0.0.1 > 10.0.0.2 ICMP echo request"), "%s", buf);
	cr_assert(strstr(buf, "ns01:eth0 IPv4 10.0.0.2 > 10.0.0.1 ICMP echo reply"), "%s", buf);
}

Test(capture, refusals)
{
	up();
	cr_assert_eq(sandbox_ovslabf(buf, sizeof(buf), "capture c ns01 -w %s -f tcp_port_nope",
				     CAP_FILE), 1, "%s", buf);
	cr_assert(strstr(buf, "filter \"tcp_port_nope\""), "%s", buf);
	cr_assert_neq(access(CAP_FILE, F_OK), 0, "a refused capture left its file");
	cr_assert_eq(sandbox_ovslabf(buf, sizeof(buf), "capture c ns09"), 1, "%s", buf);
	cr_assert(strstr(buf, "ns09: no such host"), "%s", buf);
	cr_assert_eq(sandbox_ovslabf(buf, sizeof(buf), "capture c ns01:eth7"), 1, "%s", buf);
	cr_assert(strstr(buf, "ns01:eth7: no such interface"), "%s", buf);
	cr_assert_eq(sandbox_ovslabf(buf, sizeof(buf), "capture c ns01 -c"), 2, "%s", buf);
	cr_assert_eq(sandbox_ovslabf(buf, sizeof(buf), "capture nolab ns01"), 1, "%s", buf);
}
