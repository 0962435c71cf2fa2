/* `ovslab check` and `ovslab up --check` end to end, in a sandbox: the
 * fixture's checks, checks that must fail, TCP against the test's own server
 * and through a firewall rule and a flow table, the CI formats parsed back with python3, and
 * the --all matrix compared with what ping observes. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandbox.h"

#define LAB_FILE SANDBOX_FILES "/c.yaml"

static char buf[65536];

static void checks_init(void)
{
	sandbox_enter();
}

TestSuite(checks, .init = checks_init, .timeout = 120);

static int ovslab(const char *args)
{
	return sandbox_runf(buf, sizeof(buf), "%s %s", sandbox_ovslab(), args);
}

static void up_fixture(void)
{
	char cmd[4200];

	snprintf(cmd, sizeof(cmd), "up %s", sandbox_fixture("checks.yaml"));
	cr_assert_eq(ovslab(cmd), 0, "ovslab up failed: %s", buf);
}

/* The fixture's hosts with other checks: the lab is the fixture's, up. */
static void write_checks(const char *checks)
{
	char text[4096];

	snprintf(text, sizeof(text),
		 "name: checks\n"
		 "bridges:\n"
		 "  br1: {gateway: 10.61.1.254/24}\n"
		 "  br2: {gateway: 10.61.2.254/24}\n"
		 "hosts:\n"
		 "  ns01: {bridge: br1, address: 10.61.1.1/24}\n"
		 "  ns02: {bridge: br1, address: 10.61.1.2/24}\n"
		 "  ns03: {bridge: br2, address: 10.61.2.3/24}\n"
		 "  ns04: {bridge: br1, address: 10.61.1.4/24}\n"
		 "checks:\n%s", checks);
	sandbox_write(LAB_FILE, text);
}

/* A TCP server of the test's own inside a host, until killed. */
static pid_t serve(const char *ns, int port)
{
	int ready[2];
	pid_t pid;
	char c;

	cr_assert_eq(pipe(ready), 0);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
		char path[256];
		int fd, s;

		snprintf(path, sizeof(path), "/run/netns/%s", ns);
		fd = open(path, O_RDONLY);
		if (fd < 0 || setns(fd, CLONE_NEWNET) < 0)
			_exit(100);
		s = socket(AF_INET, SOCK_STREAM, 0);
		if (s < 0 || bind(s, (struct sockaddr *)&sin, sizeof(sin)) < 0 || listen(s, 16) < 0)
			_exit(101);
		if (write(ready[1], "r", 1) != 1)
			_exit(102);
		alarm(60);
		for (;;) {
			int c2 = accept(s, NULL, NULL);

			if (c2 >= 0)
				close(c2);
		}
	}
	close(ready[1]);
	cr_assert_eq(read(ready[0], &c, 1), 1, "the test's server did not start");
	close(ready[0]);
	return pid;
}

static void stop(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

Test(checks, fixture_holds)
{
	up_fixture();
	cr_assert_eq(ovslab("check checks"), 0, "%s", buf);
	cr_expect(strstr(buf, "checks: 5 of 5 checks hold, 0 fail") != NULL, "%s", buf);
	cr_expect(strstr(buf, "ns02  ns01         10.61.1.1    tcp:8080   reach     reach") != NULL,
		  "%s", buf);
	/* The fixture file names the same lab, which is up: its checks. */
	snprintf(buf, sizeof(buf), "check %s", sandbox_fixture("checks.yaml"));
	cr_expect_eq(ovslab(buf), 0, "%s", buf);
}

Test(checks, failures_exit_1)
{
	up_fixture();
	write_checks("  - {from: ns01, to: ns02, expect: no-reach}\n"
		     "  - {from: ns01, to: ns02, tcp: 9, service: true, timeout: 0.5}\n"
		     "  - {from: ns01, to: ns03, timeout: 0.5}\n"
		     "  - {from: ns04, to: ns02}\n");
	cr_assert_eq(ovslab("check " LAB_FILE " --tap"), 1, "%s", buf);
	cr_expect(strstr(buf, "TAP version 13\n1..4\n") == buf, "%s", buf);
	cr_expect(strstr(buf, "not ok 1 - ns01 -> ns02 (10.61.1.2) icmp no-reach: observed reach (") != NULL,
		  "%s", buf);
	/* Nothing listens on port 9 and service: true adds no listener. */
	cr_expect(strstr(buf, "not ok 2 - ns01 -> ns02 (10.61.1.2) tcp:9 reach: observed no-reach (refused) (")
		  != NULL, "%s", buf);
	cr_expect(strstr(buf, "not ok 3 - ns01 -> ns03 (10.61.2.3) icmp reach: observed no-reach (") != NULL,
		  "%s", buf);
	cr_expect(strstr(buf, "\nok 4 - ns04 -> ns02 (10.61.1.2) icmp reach (") != NULL, "%s", buf);
	cr_expect(strstr(buf, "ovslab: checks: 3 of 4 checks did not hold\n") != NULL, "%s", buf);
}

Test(checks, tcp_to_own_server)
{
	pid_t srv;

	up_fixture();
	write_checks("  - {from: ns01, to: ns02, tcp: 8081, service: true}\n");
	cr_expect_eq(ovslab("check " LAB_FILE), 1, "nothing listens yet: %s", buf);
	srv = serve("ns02", 8081);
	cr_expect_eq(ovslab("check " LAB_FILE), 0, "%s", buf);
	/* Without service: true, ovslab finds the port taken and leaves it be. */
	write_checks("  - {from: ns01, to: ns02, tcp: 8081}\n");
	cr_expect_eq(ovslab("check " LAB_FILE), 0, "%s", buf);
	stop(srv);
}

/* No flows on this branch: an iptables rule inside the target host drops
 * the port instead. */
Test(checks, tcp_dropped_by_firewall)
{
	up_fixture();
	cr_assert_eq(sandbox_runf(buf, sizeof(buf),
				  "ip netns exec ns02 iptables-legacy -A INPUT -p tcp --dport 8080 -j DROP"),
		     0, "%s", buf);
	write_checks("  - {from: ns01, to: ns02, tcp: 8080, timeout: 0.5}\n"
		     "  - {from: ns01, to: ns02, tcp: 8081, timeout: 0.5}\n"
		     "  - {from: ns01, to: ns02}\n");
	cr_expect_eq(ovslab("check " LAB_FILE " --tap"), 1, "%s", buf);
	cr_expect(strstr(buf, "not ok 1 - ns01 -> ns02 (10.61.1.2) tcp:8080 reach: observed no-reach (timeout) (")
		  != NULL, "%s", buf);
	cr_expect(strstr(buf, "\nok 2 - ns01 -> ns02 (10.61.1.2) tcp:8081 reach (") != NULL, "%s", buf);
	cr_expect(strstr(buf, "\nok 3 - ") != NULL, "%s", buf);
	write_checks("  - {from: ns01, to: ns02, tcp: 8080, expect: no-reach, timeout: 0.5}\n");
	cr_expect_eq(ovslab("check " LAB_FILE), 0, "%s", buf);
	cr_expect(strstr(buf, "no-reach (timeout)") != NULL, "%s", buf);
}

/* The same through the switch: a flow table that drops TCP to port 8080
 * and switches everything else. */
Test(checks, tcp_dropped_by_flow_table)
{
	sandbox_write(SANDBOX_FILES "/f.yaml",
		      "name: cflow\n"
		      "bridges:\n"
		      "  br1:\n"
		      "    gateway: 10.62.1.254/24\n"
		      "    flows:\n"
		      "      - priority=100,tcp,tp_dst=8080,actions=drop\n"
		      "      - priority=0,actions=NORMAL\n"
		      "hosts:\n"
		      "  ns01: {bridge: br1, address: 10.62.1.1/24}\n"
		      "  ns02: {bridge: br1, address: 10.62.1.2/24}\n"
		      "checks:\n"
		      "  - {from: ns01, to: ns02, tcp: 8080, timeout: 0.5}\n"
		      "  - {from: ns01, to: ns02, tcp: 8081}\n"
		      "  - {from: ns01, to: ns02}\n");
	cr_assert_eq(ovslab("up " SANDBOX_FILES "/f.yaml"), 0, "%s", buf);
	cr_expect_eq(ovslab("check cflow --tap"), 1, "%s", buf);
	cr_expect(strstr(buf, "not ok 1 - ns01 -> ns02 (10.62.1.2) tcp:8080 reach: observed no-reach (timeout) (")
		  != NULL, "%s", buf);
	cr_expect(strstr(buf, "\nok 2 - ns01 -> ns02 (10.62.1.2) tcp:8081 reach (") != NULL, "%s", buf);
	cr_expect(strstr(buf, "\nok 3 - ") != NULL, "%s", buf);
	cr_expect_eq(ovslab("down cflow"), 0, "%s", buf);
}

/* python3 reads what ovslab wrote and prints what the test compares. */
static int python(const char *script, const char *file)
{
	char *argv[] = { "python3", "-c", (char *)script, (char *)file, NULL };

	return sandbox_run(argv, buf, sizeof(buf));
}

Test(checks, json_and_junit_parse_back)
{
	FILE *f;

	up_fixture();
	write_checks("  - {from: ns01, to: ns02}\n"
		     "  - {from: ns01, to: ns03, timeout: 0.3}\n");
	cr_assert_eq(ovslab("check checks --json --junit " SANDBOX_FILES "/j.xml"), 0, "%s", buf);
	/* The saved file is the fixture's: write_checks changed only the test's copy. */
	cr_assert_eq(ovslab("check " LAB_FILE " --json --junit " SANDBOX_FILES "/j.xml"), 1, "%s",
		     buf);
	*strstr(buf, "ovslab: ") = '\0'; /* the one-line error follows the JSON */
	f = fopen(SANDBOX_FILES "/r.json", "w");
	cr_assert_not_null(f);
	fputs(buf, f);
	fclose(f);
	cr_assert_eq(python("import json,sys\n"
			    "d = json.load(open(sys.argv[1]))\n"
			    "print(d['lab'], d['summary'])\n"
			    "for r in d['results']:\n"
			    "    print(r['from'], r['to'], r['kind'], r['expect'], r['observed'], r['holds'],"
			    " r['detail'], r['ms'] > 0)\n",
			    SANDBOX_FILES "/r.json"), 0, "%s", buf);
	cr_expect_str_eq(buf, "checks {'total': 2, 'passed': 1, 'failed': 1}\n"
			 "ns01 ns02 icmp reach reach True None True\n"
			 "ns01 ns03 icmp reach no-reach False timeout True\n");
	cr_assert_eq(python("import sys, xml.etree.ElementTree as ET\n"
			    "s = ET.parse(sys.argv[1]).getroot()\n"
			    "print(s.tag, s.get('tests'), s.get('failures'))\n"
			    "for c in s.findall('testcase'):\n"
			    "    f = c.find('failure')\n"
			    "    print(c.get('name'), f.get('message') if f is not None else 'ok')\n",
			    SANDBOX_FILES "/j.xml"), 0, "%s", buf);
	cr_expect_str_eq(buf, "testsuite 2 1\n"
			 "ns01 -> ns02 (10.61.1.2) icmp reach ok\n"
			 "ns01 -> ns03 (10.61.2.3) icmp reach expected reach, observed no-reach (timeout)\n");
}

/* Every pair, as `check --all --json` sees it and as ping does. */
Test(checks, matrix_matches_ping)
{
	static const char *const hosts[] = { "ns01", "ns02", "ns03", "ns04" };
	static const char *const addrs[] = { "10.61.1.1", "10.61.1.2", "10.61.2.3", "10.61.1.4" };
	char want[4096] = "", line[128], out[1024];
	FILE *f;

	up_fixture();
	cr_assert_eq(ovslab("check checks --all --json"), 1, "%s", buf);
	*strstr(buf, "ovslab: ") = '\0';
	f = fopen(SANDBOX_FILES "/m.json", "w");
	cr_assert_not_null(f);
	fputs(buf, f);
	fclose(f);
	cr_assert_eq(python("import json,sys\n"
			    "d = json.load(open(sys.argv[1]))\n"
			    "for r in sorted(d['results'], key=lambda r: (r['from'], r['to'])):\n"
			    "    print(r['from'], r['to'], r['observed'])\n",
			    SANDBOX_FILES "/m.json"), 0, "%s", buf);
	for (int a = 0; a < 4; a++)
		for (int b = 0; b < 4; b++) {
			int rc;

			if (a == b)
				continue;
			rc = sandbox_runf(out, sizeof(out), "ip netns exec %s ping -c1 -W1 %s", hosts[a],
					  addrs[b]);
			snprintf(line, sizeof(line), "%s %s %s\n", hosts[a], hosts[b],
				 rc == 0 ? "reach" : "no-reach");
			strcat(want, line);
		}
	cr_expect_str_eq(buf, want);
	/* The matrix itself: ns03 is cut off. */
	cr_assert_eq(ovslab("check checks --all"), 1, "%s", buf);
	cr_expect(strstr(buf, "ns01    -.X.\n"
			 "ns02    .-X.\n"
			 "ns03    XX-X\n"
			 "ns04    ..X-\n"
			 "checks: 6 of 12 pairs reach, 6 do not") != NULL, "%s", buf);
}

Test(checks, up_check)
{
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "%s up %s --check --timings", sandbox_ovslab(),
				  sandbox_fixture("checks.yaml")), 0, "%s", buf);
	cr_expect(strstr(buf, "checks: up: 4 hosts") != NULL, "%s", buf);
	cr_expect(strstr(buf, "checks: 5 of 5 checks hold") != NULL, "%s", buf);
	cr_expect(strstr(buf, "checks") != NULL && strstr(buf, "total") != NULL, "timings: %s", buf);
	/* Only the checks changed: nothing is rebuilt, the failing check fails up. */
	write_checks("  - {from: ns01, to: ns03, timeout: 0.3}\n");
	cr_expect_eq(sandbox_runf(buf, sizeof(buf), "%s plan %s", sandbox_ovslab(), LAB_FILE), 0);
	cr_expect(strstr(buf, "nothing to change") != NULL || strstr(buf, "no change") != NULL,
		  "%s", buf);
	cr_assert_eq(ovslab("up " LAB_FILE " --check"), 1, "%s", buf);
	cr_expect(strstr(buf, "ovslab: checks: 1 of 1 checks did not hold; the lab stays up\n") != NULL,
		  "%s", buf);
	cr_expect_eq(sandbox_runf(buf, sizeof(buf), "ip netns exec ns01 true"), 0, "the lab went down");
	/* check LAB now reads the edited checks from the saved copy. */
	cr_expect_eq(ovslab("check checks"), 1, "%s", buf);
	cr_expect(strstr(buf, "0 of 1 checks hold") != NULL, "%s", buf);
}
