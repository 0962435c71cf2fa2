/* `checks:` in the lab file and the formats `ovslab check` writes: pure
 * logic, no root. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "model/lab.h"
#include "labfile/labfile.h"
#include "probe/report.h"
#include "sandbox.h"

#define HEAD "name: t\n" \
	     "bridges:\n" \
	     "  br1: {gateway: 10.0.0.254/24}\n" \
	     "hosts:\n" \
	     "  a: {bridge: br1, address: 10.0.0.1/24}\n" \
	     "  b: {bridge: br1, address: 10.0.0.2/24}\n" \
	     "  c: {bridge: br1}\n"

static int parse(const char *yaml, struct lab **lab, char **diag)
{
	size_t len;
	FILE *f = open_memstream(diag, &len);
	int ret;

	cr_assert_not_null(f);
	ret = labfile_parse("t.yaml", yaml, strlen(yaml), f, lab);
	cr_assert_eq(fclose(f), 0);
	return ret;
}

static void expect_problems(const char *yaml, const char *want)
{
	struct lab *lab = NULL;
	char *diag = NULL;

	cr_expect_eq(parse(yaml, &lab, &diag), -EINVAL);
	cr_expect_null(lab);
	cr_expect_str_eq(diag, want, "got:\n%swant:\n%s", diag, want);
	free(diag);
	err_clear();
}

Test(checks_parse, model_and_defaults)
{
	struct lab *lab = NULL;
	char *diag = NULL;
	char buf[64];

	cr_assert_eq(parse(HEAD "checks:\n"
			   "  - {from: a, to: b}\n"
			   "  - {from: a, to: 10.0.0.254, expect: no-reach, count: 7, timeout: 0.25}\n"
			   "  - {from: b, to: a, tcp: 8080, service: true}\n"
			   "  - {from: b, to: '10.0.0.1', tcp: 22}\n"
			   "  - {from: a, to: 'fd00::9'}\n",
			   &lab, &diag), 0, "%s", diag);
	cr_assert_eq(lab->n_checks, 5);
	const struct lab_check *c = lab->checks;

	cr_expect_str_eq(c[0].from, "a");
	cr_expect_str_eq(c[0].to, "b");
	cr_expect_str_eq(c[0].to_host, "b");
	cr_expect_str_eq(inet_ntop(AF_INET, &c[0].addr.v4, buf, sizeof(buf)), "10.0.0.2");
	cr_expect(c[0].expect_reach);
	cr_expect_eq(c[0].tcp, 0);
	cr_expect_eq(c[0].count, 3);
	cr_expect_eq(c[0].timeout_ms, 2000);
	cr_expect_eq(c[0].pos.line, 9);
	cr_expect_eq(c[0].pos.col, 5);
	/* An address no host has (the gateway): nobody to listen for it. */
	cr_expect_null(c[1].to_host);
	cr_expect_not(c[1].expect_reach);
	cr_expect_eq(c[1].count, 7);
	cr_expect_eq(c[1].timeout_ms, 250);
	cr_expect_eq(c[2].tcp, 8080);
	cr_expect(c[2].service);
	cr_expect_str_eq(c[2].to_host, "a");
	/* An address literal of a host: the host is found for the listener. */
	cr_expect_str_eq(c[3].to_host, "a");
	cr_expect_not(c[3].service);
	cr_expect_eq(c[4].addr.family, AF_INET6);
	cr_expect_null(c[4].to_host);
	lab_free(lab);
	free(diag);
}

Test(checks_parse, checks_come_before_hosts)
{
	struct lab *lab = NULL;
	char *diag = NULL;

	cr_assert_eq(parse("name: t\n"
			   "checks: [{from: a, to: b}]\n"
			   "hosts:\n"
			   "  a: {bridge: none, address: 10.0.0.1/24}\n"
			   "  b: {bridge: none, address: 10.0.1.1/24}\n",
			   &lab, &diag), 0, "%s", diag);
	cr_expect_eq(lab->n_checks, 1);
	lab_free(lab);
	free(diag);
}

Test(checks_parse, problems)
{
	expect_problems(HEAD "checks:\n"
			"  - {from: x, to: b}\n"
			"  - {from: a, to: nope}\n"
			"  - {from: a, to: c}\n"
			"  - {from: a, to: b, tcp: 70000}\n"
			"  - {from: a, to: b, tcp: http}\n"
			"  - {from: a, to: b, expect: maybe}\n"
			"  - {from: a, to: b, service: true}\n"
			"  - {from: a, to: b, tcp: 80, count: 2}\n"
			"  - {from: a, to: b, timeout: 0}\n"
			"  - {from: a, to: b, count: 0}\n"
			"  - {from: a}\n"
			"  - {from: a, to: b, via: c}\n"
			"  - ns01\n",
			"t.yaml:9:12: check: \"x\" is not a host of the lab\n"
			"t.yaml:10:19: check: \"nope\" is neither a host of the lab nor an address\n"
			"t.yaml:11:19: check: host \"c\" has no address to reach\n"
			"t.yaml:12:27: \"tcp\" must be a whole number from 1 to 65535, not \"70000\"\n"
			"t.yaml:13:27: \"tcp\" must be a whole number from 1 to 65535, not \"http\"\n"
			"t.yaml:14:30: \"expect\" must be reach or no-reach, not \"maybe\"\n"
			"t.yaml:15:22: \"service\" applies to TCP checks only (add \"tcp: PORT\")\n"
			"t.yaml:16:31: \"count\" applies to ICMP echo checks only, not to \"tcp\"\n"
			"t.yaml:17:31: \"timeout\" must be a number of seconds from 0.001 to 60, not \"0\"\n"
			"t.yaml:18:29: \"count\" must be a whole number from 1 to 100, not \"0\"\n"
			"t.yaml:19:5: check: missing key \"to\"\n"
			"t.yaml:20:22: unknown key \"via\" (expected from, to, expect, tcp, service, count, timeout)\n"
			"t.yaml:21:5: a check must be a mapping like {from: ns01, to: ns02}, not a single value\n");
	expect_problems(HEAD "checks: {from: a, to: b}\n",
			"t.yaml:8:9: \"checks\" must be a list of checks like {from: ns01, to: ns02}\n");
}

Test(checks_parse, fixture)
{
	struct lab *lab = NULL;

	cr_assert_eq(labfile_load(sandbox_fixture("checks.yaml"), stderr, &lab), 0);
	cr_expect_gt(lab->n_checks, 3);
	lab_free(lab);
}

static struct report_row rows[] = {
	{ .from = "a", .to = "b", .addr = "10.0.0.2", .kind = "icmp", .expect_reach = true,
	  .reached = true, .ms = 0.5 },
	{ .from = "a", .to = "c<&>\"'#", .addr = "10.0.0.3", .kind = "tcp:80",
	  .expect_reach = true, .reached = false, .ms = 1000, .detail = "refused" },
	{ .from = "b", .to = "a", .addr = "10.0.0.1", .kind = "icmp", .expect_reach = false,
	  .reached = true, .ms = 0.2 },
};

static char *format(void (*fn)(const struct report *r, FILE *out), const struct report *r)
{
	char *text = NULL;
	size_t len;
	FILE *f = open_memstream(&text, &len);

	cr_assert_not_null(f);
	fn(r, f);
	cr_assert_eq(fclose(f), 0);
	return text;
}

Test(checks_report, holds_and_failed)
{
	struct report r = { .lab = "t", .rows = rows, .n_rows = 3 };

	cr_expect(report_holds(&rows[0]));
	cr_expect_not(report_holds(&rows[1]));
	cr_expect_not(report_holds(&rows[2]));
	cr_expect_eq(report_failed(&r), 2);
}

Test(checks_report, tap)
{
	struct report r = { .lab = "t", .rows = rows, .n_rows = 3 };
	char *t = format(report_tap, &r);

	cr_expect_str_eq(t, "TAP version 13\n"
			 "1..3\n"
			 "ok 1 - a -> b (10.0.0.2) icmp reach (0.5 ms)\n"
			 "not ok 2 - a -> c<&>\"'\\# (10.0.0.3) tcp:80 reach: observed no-reach (refused) (1000.0 ms)\n"
			 "not ok 3 - b -> a (10.0.0.1) icmp no-reach: observed reach (0.2 ms)\n");
	free(t);
}

Test(checks_report, junit_escapes)
{
	struct report r = { .lab = "t&t", .rows = rows, .n_rows = 3 };
	char *t = format(report_junit, &r);

	cr_expect(strstr(t, "<testsuite name=\"t&amp;t\" tests=\"3\" failures=\"2\" errors=\"0\" time=\"1.000\">") != NULL, "%s", t);
	cr_expect(strstr(t, "name=\"a -&gt; c&lt;&amp;&gt;&quot;&apos;# (10.0.0.3) tcp:80 reach\" time=\"1.000\">\n"
			 "    <failure message=\"expected reach, observed no-reach (refused)\"/>\n"
			 "  </testcase>\n") != NULL, "%s", t);
	cr_expect(strstr(t, "name=\"a -&gt; b (10.0.0.2) icmp reach\" time=\"0.001\"/>\n") != NULL, "%s", t);
	free(t);
}

Test(checks_report, json)
{
	struct report r = { .lab = "t", .rows = rows, .n_rows = 3 };
	char *t = format(report_json, &r);

	cr_expect(strstr(t, "{\"from\":\"a\",\"to\":\"c<&>\\\"'#\",\"address\":\"10.0.0.3\",\"kind\":\"tcp:80\","
			 "\"expect\":\"reach\",\"observed\":\"no-reach\",\"detail\":\"refused\",\"ms\":1000.000,"
			 "\"holds\":false}") != NULL, "%s", t);
	cr_expect(strstr(t, "\"summary\":{\"total\":3,\"passed\":1,\"failed\":2}}\n") != NULL, "%s", t);
	free(t);
}

Test(checks_report, matrix)
{
	static const char *const hosts[] = { "a", "b", "c" };
	struct report_row m[] = {
		{ .from = "a", .to = "b", .reached = true, .from_idx = 0, .to_idx = 1 },
		{ .from = "a", .to = "c", .reached = false, .from_idx = 0, .to_idx = 2 },
		{ .from = "b", .to = "a", .reached = true, .from_idx = 1, .to_idx = 0 },
		{ .from = "b", .to = "c", .reached = true, .from_idx = 1, .to_idx = 2 },
		{ .from = "b", .to = "c", .reached = false, .from_idx = 1, .to_idx = 2 },
		{ .from = "c", .to = "a", .reached = false, .from_idx = 2, .to_idx = 0 },
		{ .from = "c", .to = "b", .reached = true, .from_idx = 2, .to_idx = 1 },
	};
	struct report r = { .lab = "t", .rows = m, .n_rows = 7, .matrix = true, .hosts = hosts,
			    .n_hosts = 3 };
	char *t = format(report_matrix, &r);

	cr_expect_str_eq(t, "from\\to abc\n"
			 "a       -.X\n"
			 "b       .-x\n"
			 "c       X.-\n"
			 "t: 3 of 6 pairs reach, 3 do not (. reaches, X does not, x some addresses only)\n");
	free(t);
}
