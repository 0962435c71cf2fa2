/* Link properties with traffic: loss within binomial bounds, a rate that
 * measures what was asked, links taken down and brought up at run time, in
 * place changes from an edited file, refusals before anything is made, and
 * delay where the kernel has netem.  Each test in its own sandbox. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sandbox.h"

#define LAB_FILE SANDBOX_FILES "/l.yaml"
static char buf[65536];

TestSuite(links, .init = sandbox_enter, .timeout = 240);

/* Two hosts on one cable, with extra keys on ns01's end and on the link. */
static void write_lab(const char *ns01_keys, const char *link_keys)
{
	char text[2048];

	snprintf(text, sizeof(text),
		 "name: l\n"
		 "hosts:\n"
		 "  ns01:\n"
		 "    interfaces:\n"
		 "      - {ifname: eth0, address: 10.0.0.1/24%s%s}\n"
		 "  ns02:\n"
		 "    interfaces:\n"
		 "      - {ifname: eth0, address: 10.0.0.2/24}\n"
		 "links:\n"
		 "  - %s%s%s\n"
		 "checks:\n"
		 "  - {from: ns01, to: ns02, timeout: 1}\n",
		 ns01_keys ? ", " : "", ns01_keys ? ns01_keys : "",
		 link_keys ? "{ends: [ns01:eth0, ns02:eth0], " : "[ns01:eth0, ns02:eth0]",
		 link_keys ? link_keys : "", link_keys ? "}" : "");
	sandbox_write(LAB_FILE, text);
}

static int ovslab(const char *fmt, const char *arg)
{
	char args[512];

	snprintf(args, sizeof(args), fmt, arg);
	return sandbox_runf(buf, sizeof(buf), "%s %s", sandbox_ovslab(), args);
}

static void up(void)
{
	cr_assert_eq(ovslab("up %s", LAB_FILE), 0, "up: %s", buf);
}

/* Loss of n pings from ns01 to ns02, in percent of those sent. */
static double ping_loss(int n)
{
	unsigned tx = 0, rx = 0;
	char *p;

	sandbox_runf(buf, sizeof(buf), "ip netns exec ns01 ping -q -n -c %d -i 0.002 -W 1 10.0.0.2", n);
	p = strstr(buf, "packets transmitted");
	cr_assert_not_null(p, "%s", buf);
	while (p > buf && p[-1] != '\n')
		p--;
	cr_assert_eq(sscanf(p, "%u packets transmitted, %u", &tx, &rx), 2, "%s", buf);
	cr_assert_eq(tx, (unsigned)n, "%s", buf);
	return 100.0 * (tx - rx) / tx;
}

/* The average RTT in ms of n pings from ns01 to ns02. */
static double ping_rtt(int n)
{
	double min, avg;
	char *p;

	cr_assert_eq(sandbox_runf(buf, sizeof(buf),
				  "ip netns exec ns01 ping -q -n -c %d -i 0.05 -W 2 10.0.0.2", n), 0,
		     "%s", buf);
	p = strstr(buf, "rtt min/avg/max/mdev = ");
	cr_assert_not_null(p, "%s", buf);
	cr_assert_eq(sscanf(p, "rtt min/avg/max/mdev = %lf/%lf", &min, &avg), 2, "%s", buf);
	return avg;
}

static bool netem_here(void)
{
	/* Tried where it harms nothing: this sandbox's own lo. */
	return sandbox_runf(buf, sizeof(buf), "tc qdisc add dev lo root netem delay 1ms") == 0 &&
	       sandbox_runf(buf, sizeof(buf), "tc qdisc del dev lo root") == 0;
}

static void nothing_made(void)
{
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip netns list"), 0);
	cr_assert_str_eq(buf, "", "namespaces made: %s", buf);
	cr_assert_eq(access("/run/ovslab/l", F_OK), -1, "a record was made");
}

Test(links, loss_within_binomial_bounds)
{
	double loss;

	write_lab("loss: 10%", NULL);
	up();
	cr_assert_eq(ovslab("link %s", "l"), 0, "%s", buf);
	cr_assert_not_null(strstr(buf, "ns01:eth0"), "%s", buf);
	cr_assert_not_null(strstr(buf, "loss 10%"), "the kernel does not have the loss: %s", buf);
	/* 1000 probes at p = 0.1: 99.9% of runs lose 100 +- 31 (3.29 sd). */
	loss = ping_loss(1000);
	cr_log_info("loss 10%%: %.1f%% of 1000 echo requests lost", loss);
	cr_expect(loss >= 6.9 && loss <= 13.1, "loss %.1f%% outside 10%% +- 3.1", loss);
	/* Removed in place: nothing is lost any more. */
	write_lab(NULL, NULL);
	up();
	cr_expect_eq(ping_loss(200), 0.0, "still losing after the loss was removed");
}


/* ns02: takes one connection and measures what arrives, first byte to EOF. */
static int sink_run(void *arg)
{
	const char *out = arg;
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(5001) };
	int s = socket(AF_INET, SOCK_STREAM, 0), c, one = 1;
	struct timespec t0, t1;
	static char data[65536];
	long long total = 0;
	ssize_t n;
	FILE *f;

	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(s, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(s, 1) < 0)
		return 1;
	c = accept(s, NULL, NULL);
	if (c < 0)
		return 2;
	n = read(c, data, sizeof(data));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (n > 0) {
		total += n;
		n = read(c, data, sizeof(data));
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	f = fopen(out, "w");
	if (!f)
		return 3;
	fprintf(f, "%f\n", (double)total * 8 / 1e6 /
			   ((double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9));
	fclose(f);
	return 0;
}

/* ns01: sends for 4 s. */
static int source_run(void *arg)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(5001) };
	static char data[65536];
	struct timespec t0, t;
	int s, tries = 0;

	(void)arg;
	inet_pton(AF_INET, "10.0.0.2", &a.sin_addr);
	do {
		s = socket(AF_INET, SOCK_STREAM, 0);
		if (connect(s, (struct sockaddr *)&a, sizeof(a)) == 0)
			break;
		close(s);
		usleep(50000);
	} while (++tries < 40);
	if (tries == 40)
		return 1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		if (write(s, data, sizeof(data)) < 0)
			return 2;
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while (t.tv_sec - t0.tv_sec < 4);
	close(s);
	return 0;
}

Test(links, rate_measures_ten_mbit)
{
	const char *out = SANDBOX_FILES "/rate";
	pid_t sink, source;
	double mbit = 0;
	FILE *f;

	write_lab("rate: 10mbit", NULL);
	up();
	sink = sandbox_in_netns("ns02", sink_run, (void *)out);
	source = sandbox_in_netns("ns01", source_run, NULL);
	cr_assert_eq(sandbox_wait(source), 0, "the sender failed");
	cr_assert_eq(sandbox_wait(sink), 0, "the receiver failed");
	f = fopen(out, "r");
	cr_assert_not_null(f);
	cr_assert_eq(fscanf(f, "%lf", &mbit), 1);
	fclose(f);
	cr_log_info("rate 10mbit: a TCP transfer of 4 s measured %.2f Mbit/s of payload", mbit);
	cr_expect(mbit >= 9.0 && mbit <= 11.0, "%.2f Mbit/s is not 10 within 10%%", mbit);
}

Test(links, link_down_fails_check_up_passes)
{
	write_lab(NULL, NULL);
	up();
	cr_assert_eq(ovslab("check %s", "l"), 0, "%s", buf);
	cr_assert_eq(ovslab("link %s ns01:eth0 down", "l"), 0, "%s", buf);
	cr_assert_not_null(strstr(buf, "ns01:eth0 state up -> down"), "%s", buf);
	cr_assert_neq(ovslab("check %s", "l"), 0, "the check passed over a link that is down: %s", buf);
	cr_assert_eq(ovslab("link %s --json", "l"), 0, "%s", buf);
	cr_assert_not_null(strstr(buf, "\"host\":\"ns01\",\"ifname\":\"eth0\",\"state\":\"down\""), "%s", buf);
	cr_assert_not_null(strstr(buf, "\"set_by_link\":true"), "%s", buf);
	/* show reports it against the file, and finds nothing missing. */
	cr_assert_eq(ovslab("show %s", "l"), 0, "%s", buf);
	cr_assert_not_null(strstr(buf, "set by ovslab link"), "%s", buf);
	cr_assert_eq(ovslab("link %s ns01:eth0 up", "l"), 0, "%s", buf);
	cr_assert_eq(ovslab("check %s", "l"), 0, "the check fails after up: %s", buf);
}

Test(links, edit_changes_in_place_and_file_wins_over_link)
{
	ino_t ino;

	write_lab("loss: 10%", NULL);
	up();
	ino = sandbox_ns_inode("ns01");
	write_lab("loss: 20%, rate: 5mbit", NULL);
	cr_assert_eq(ovslab("plan %s", LAB_FILE), 0, "%s", buf);
	cr_assert_str_eq(buf, "~ ns01:eth0 loss 10% -> 20%, rate none -> 5mbit\n");
	up();
	cr_assert_eq(sandbox_ns_inode("ns01"), ino, "the host was made anew");
	cr_assert_eq(ovslab("link %s", "l"), 0, "%s", buf);
	cr_assert_not_null(strstr(buf, "loss 20% rate 5mbit"), "%s", buf);
	/* At run time, then back to the file with up. */
	cr_assert_eq(ovslab("link %s ns01 set loss=1%%", "l"), 0, "%s", buf);
	cr_assert_str_eq(buf, "ns01:eth0 loss 20% -> 1%\n");
	cr_assert_eq(ovslab("link %s", "l"), 0, "%s", buf);
	cr_assert_not_null(strstr(buf, "loss 1% rate 5mbit"), "%s", buf);
	cr_assert_eq(ovslab("plan %s", LAB_FILE), 0, "%s", buf);
	cr_assert_str_eq(buf, "~ ns01:eth0 loss 1% -> 20% (back to the lab file)\n");
	up();
	cr_assert_eq(ovslab("link %s", "l"), 0, "%s", buf);
	cr_assert_not_null(strstr(buf, "loss 20% rate 5mbit"), "%s", buf);
	cr_assert_null(strstr(buf, "set by ovslab link"), "%s", buf);
	cr_assert_eq(ovslab("plan %s", LAB_FILE), 0, "%s", buf);
	cr_assert_str_eq(buf, "l: up to date, nothing to change\n");
	cr_assert_eq(sandbox_ns_inode("ns01"), ino, "the host was made anew");
	/* Malformed at run time: nothing changes. */
	cr_assert_neq(ovslab("link %s ns01 set loss=120%%", "l"), 0);
	cr_assert_str_eq(buf, "ovslab: loss \"120%\" is more than 100%\n");
}

Test(links, state_down_in_the_file)
{
	write_lab("state: down", NULL);
	up();
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip netns exec ns01 ip -o link show eth0"), 0);
	cr_assert_null(strstr(buf, ",UP"), "eth0 is up: %s", buf);
	cr_assert_neq(ovslab("check %s", "l"), 0, "%s", buf);
	/* Down as declared is no damage, and a second up repairs nothing. */
	cr_assert_eq(ovslab("show %s", "l"), 0, "%s", buf);
	cr_assert_eq(ovslab("up %s", LAB_FILE), 0, "%s", buf);
	cr_assert_str_eq(buf, "l: up to date, nothing to change\n");
	write_lab(NULL, NULL);
	cr_assert_eq(ovslab("plan %s", LAB_FILE), 0, "%s", buf);
	cr_assert_str_eq(buf, "~ ns01:eth0 state down -> up\n");
	up();
	cr_assert_eq(ovslab("check %s", "l"), 0, "%s", buf);
}

Test(links, malformed_values_make_nothing)
{
	write_lab("delay: fast, loss: 120%", NULL);
	cr_assert_neq(ovslab("up %s", LAB_FILE), 0);
	cr_assert_str_eq(buf, LAB_FILE ":5:53: delay \"fast\" is not a duration (like 20ms, 1.5s or 100us)\n"
			      LAB_FILE ":5:65: loss \"120%\" is more than 100%\n");
	nothing_made();
	write_lab(NULL, "rate: -1mbit");
	cr_assert_neq(ovslab("up %s", LAB_FILE), 0);
	cr_assert_str_eq(buf, LAB_FILE ":10:42: rate \"-1mbit\" must not be negative\n");
	nothing_made();
}

Test(links, delay_where_netem_is)
{
	double rtt;

	write_lab(NULL, "delay: 20ms");
	if (!netem_here()) {
		cr_log_info("this kernel has no netem: delay is refused before anything is made");
		cr_assert_neq(ovslab("up %s", LAB_FILE), 0);
		cr_assert_str_eq(buf, LAB_FILE ":10:5: ns01:eth0: delay needs the kernel's netem qdisc (sch_netem, CONFIG_NET_SCH_NETEM), which this kernel does not have\n"
				      LAB_FILE ":10:5: ns02:eth0: delay needs the kernel's netem qdisc (sch_netem, CONFIG_NET_SCH_NETEM), which this kernel does not have\n");
		nothing_made();
		return;
	}
	up();
	rtt = ping_rtt(50);
	cr_log_info("delay 20ms on each end: RTT over 50 pings %.2f ms", rtt);
	cr_expect(rtt >= 39 && rtt <= 48, "RTT %.2f ms is not 40 ms", rtt);
	write_lab(NULL, NULL);
	up();
	rtt = ping_rtt(20);
	cr_expect(rtt < 5, "RTT %.2f ms after the delay was removed", rtt);
}
