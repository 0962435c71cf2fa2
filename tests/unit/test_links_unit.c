/* Link properties: their units (model/lab_links.c), the lab-file keys on an
 * interface and on a link (labfile/labfile_links.c), and the plan's in-place
 * step.  Pure: no root. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "model/lab.h"
#include "plan/plan.h"
#include "util/err.h"
#include "labparse.h"

static uint64_t ok(const char *key, const char *s)
{
	const struct lab_prop *p = lab_prop_find(key);
	const char *why = NULL;
	uint64_t v = 12345;

	cr_assert_not_null(p, "%s", key);
	cr_assert_eq(lab_prop_parse(p, s, &v, &why), 0, "%s %s: %s", key, s, why ? why : "");
	return v;
}

static void bad(const char *key, const char *s, const char *want_why)
{
	const struct lab_prop *p = lab_prop_find(key);
	const char *why = NULL;
	uint64_t v;

	cr_assert_not_null(p);
	cr_expect_eq(lab_prop_parse(p, s, &v, &why), -EINVAL, "%s %s accepted", key, s);
	cr_expect_not_null(why);
	if (why)
		cr_expect_str_eq(why, want_why, "%s %s: %s", key, s, why);
}

static void str_is(const char *key, uint64_t v, const char *want)
{
	char buf[32];

	cr_expect_str_eq(lab_prop_str(lab_prop_find(key), v, buf, sizeof(buf)), want);
}

Test(links_unit, durations)
{
	cr_expect_eq(ok("delay", "20ms"), 20000);
	cr_expect_eq(ok("delay", "1.5s"), 1500000);
	cr_expect_eq(ok("delay", "100us"), 100);
	cr_expect_eq(ok("delay", "0.25ms"), 250);
	cr_expect_eq(ok("delay", "2sec"), 2000000);
	cr_expect_eq(ok("delay", "0"), 0);
	cr_expect_eq(ok("jitter", "5MS"), 5000);
	bad("delay", "fast", "is not a duration (like 20ms, 1.5s or 100us)");
	bad("delay", "20", "needs a unit (like 20ms, 1.5s or 100us)");
	bad("delay", "-5ms", "must not be negative");
	bad("delay", "20 ms", "is not a duration (like 20ms, 1.5s or 100us)");
	bad("delay", "2h", "is not a duration (like 20ms, 1.5s or 100us)");
	bad("delay", "3601s", "is more than an hour");
	bad("delay", "", "is not a duration (like 20ms, 1.5s or 100us)");
	str_is("delay", 20000, "20ms");
	str_is("delay", 1500000, "1.5s");
	str_is("delay", 100, "100us");
	str_is("delay", 0, "0ms");
}

Test(links_unit, percentages)
{
	cr_expect_eq(ok("loss", "1%"), 10000);
	cr_expect_eq(ok("loss", "0.5%"), 5000);
	cr_expect_eq(ok("loss", "100%"), 1000000);
	cr_expect_eq(ok("loss", "0.0001%"), 1);
	cr_expect_eq(ok("corrupt", "0"), 0);
	bad("loss", "120%", "is more than 100%");
	bad("loss", "1", "needs a % sign (like 1%)");
	bad("loss", "-1%", "must not be negative");
	bad("loss", "lots", "is not a percentage (like 1% or 0.5%)");
	bad("loss", "0.00001%", "is not a percentage (like 1% or 0.5%)");
	str_is("loss", 10000, "1%");
	str_is("loss", 5000, "0.5%");
	str_is("loss", 0, "0%");
	str_is("duplicate", 123, "0.0123%");
}

Test(links_unit, rates)
{
	cr_expect_eq(ok("rate", "10mbit"), 10000000);
	cr_expect_eq(ok("rate", "1gbit"), 1000000000);
	cr_expect_eq(ok("rate", "500kbit"), 500000);
	cr_expect_eq(ok("rate", "1.5Mbit"), 1500000);
	cr_expect_eq(ok("rate", "64bit"), 64);
	bad("rate", "-1mbit", "must not be negative");
	bad("rate", "64kbps", "is ambiguous (tc reads bps as bytes a second): write bits, like 64kbit or 10mbit");
	bad("rate", "10", "needs a unit (like 500kbit, 10mbit or 1gbit)");
	bad("rate", "fast", "is not a rate (like 500kbit, 10mbit or 1gbit)");
	bad("rate", "4bit", "is less than a byte a second (8bit)");
	bad("rate", "2tbit", "is more than 1tbit");
	str_is("rate", 10000000, "10mbit");
	str_is("rate", 1500000, "1.5mbit");
	str_is("rate", 500000, "500kbit");
	str_is("rate", 2500000000ULL, "2.5gbit");
	str_is("rate", 0, "none");
	/* What is printed reads back as the same value (the journal relies on it). */
	cr_expect_eq(ok("rate", "1.234567gbit"), 1234567000ULL);
	str_is("rate", 1234567000ULL, "1.234567gbit");
}

Test(links_unit, others)
{
	cr_expect_eq(ok("limit", "1000"), 1000);
	bad("limit", "1.5", "is not a whole number of packets (like 1000)");
	bad("limit", "-3", "is not a whole number of packets (like 1000)");
	cr_expect_eq(ok("state", "down"), LAB_LINK_DOWN);
	cr_expect_eq(ok("state", "up"), LAB_LINK_UP);
	bad("state", "off", "is not a link state (up or down)");
	cr_expect_eq(ok("distribution", "normal"), LAB_DIST_NORMAL);
	bad("distribution", "pareto", "is not a distribution (uniform or normal)");
	cr_expect_null(lab_prop_find("bandwidth"));
}

Test(links_unit, diff_and_problems)
{
	struct lab_linkprops a = { .delay_us = 10000 }, b = { .delay_us = 50000, .loss = 100000 };
	char buf[160];

	lab_linkprops_diff(&a, &b, buf, sizeof(buf));
	cr_expect_str_eq(buf, "delay 10ms -> 50ms, loss 0% -> 10%");
	lab_linkprops_str(&b, " ", buf, sizeof(buf));
	cr_expect_str_eq(buf, "delay 50ms loss 10%");
	cr_expect(lab_linkprops_shaped(&b));
	cr_expect_not(lab_linkprops_shaped(&(struct lab_linkprops){ .state = LAB_LINK_DOWN }));
	cr_expect_str_eq(lab_linkprops_problem(&(struct lab_linkprops){ .jitter_us = 1 }),
			 "jitter needs a delay");
	cr_expect_null(lab_linkprops_problem(&b));
}

/* ---- the lab file ------------------------------------------------------ */

static void expect_problems(const char *yaml, const char *diag)
{
	struct result r = parse_as("t.yaml", yaml);

	cr_expect_eq(r.ret, -EINVAL, "ret %d", r.ret);
	cr_expect_null(r.lab);
	cr_expect_str_eq(r.diag, diag, "got:\n%swant:\n%s", r.diag, diag);
	lab_free(r.lab);
	free(r.diag);
	err_clear();
}

Test(links_unit, labfile_keys)
{
	struct result r = parse_as("t.yaml",
				   "name: l\n"
				   "hosts:\n"
				   "  a: {bridge: none, address: 10.0.0.1/32, delay: 40ms, loss: 1%, rate: 10mbit}\n"
				   "  b:\n"
				   "    interfaces:\n"
				   "      - {bridge: none, address: 10.0.0.2/32, state: down}\n"
				   "  c: {}\n"
				   "  d: {}\n"
				   "links:\n"
				   "  - {ends: [c:eth1, d:eth1], loss: 10%, mtu: 1400}\n"
				   "  - [c:eth2, d:eth2]\n");
	const struct lab_iface *i;

	cr_assert_eq(r.ret, 0, "%s", r.diag);
	i = &lab_find_host(r.lab, "a")->ifaces[0];
	cr_expect_eq(i->props.delay_us, 40000);
	cr_expect_eq(i->props.loss, 10000);
	cr_expect_eq(i->props.rate, 10000000);
	cr_expect_eq(i->props_pos.line, 3);
	cr_expect_eq(lab_find_host(r.lab, "b")->ifaces[0].props.state, LAB_LINK_DOWN);
	/* Both ends of the link, the MTU too. */
	for (int e = 0; e < 2; e++) {
		i = lab_find_iface(lab_find_host(r.lab, e ? "d" : "c"), "eth1");
		cr_assert_not_null(i);
		cr_expect_eq(i->props.loss, 100000);
		cr_expect_eq(i->mtu, 1400);
		cr_expect_eq(lab_find_iface(lab_find_host(r.lab, e ? "d" : "c"), "eth2")->props.loss, 0);
	}
	lab_free(r.lab);
	free(r.diag);
}

Test(links_unit, labfile_mistakes)
{
	expect_problems("name: l\n"
			"hosts:\n"
			"  a: {bridge: none, address: 10.0.0.1/32, delay: fast}\n"
			"  b: {bridge: none, address: 10.0.0.2/32, loss: 120%}\n"
			"  c: {bridge: none, address: 10.0.0.3/32, rate: -1mbit}\n"
			"  d: {bridge: none, address: 10.0.0.4/32, jitter: 5ms}\n"
			"  e: {bridge: none, address: 10.0.0.5/32, state: sideways}\n",
			"t.yaml:3:50: delay \"fast\" is not a duration (like 20ms, 1.5s or 100us)\n"
			"t.yaml:4:49: loss \"120%\" is more than 100%\n"
			"t.yaml:5:49: rate \"-1mbit\" must not be negative\n"
			"t.yaml:6:43: host d: interface eth0: jitter needs a delay\n"
			"t.yaml:7:50: state \"sideways\" is not a link state (up or down)\n");
	expect_problems("name: l\n"
			"hosts:\n"
			"  c: {}\n"
			"  d:\n"
			"    interfaces:\n"
			"      - {ifname: eth1, delay: 5ms}\n"
			"links:\n"
			"  - {ends: [c:eth1, d:eth1], loss: 1%}\n"
			"  - {loss: 1%}\n"
			"  - {ends: [c:eth3, d:eth3], speed: 1}\n",
			"t.yaml:6:24: host d: interface eth1 has link properties and so has its link (give them on the link or on its ends, not both)\n"
			"t.yaml:9:5: a link written as a mapping needs \"ends\" (like {ends: [ns01:eth1, r1:eth1], delay: 20ms})\n"
			"t.yaml:10:30: unknown key \"speed\" (expected ends, mtu, delay, jitter, distribution, loss, loss_correlation, duplicate, reorder, corrupt, rate, limit, state)\n");
}

/* ---- the plan ---------------------------------------------------------- */

Test(links_unit, plan_in_place)
{
	const char *a = "name: l\nhosts:\n  a: {bridge: none, address: 10.0.0.1/32, delay: 10ms}\n";
	const char *b = "name: l\nhosts:\n  a: {bridge: none, address: 10.0.0.1/32, delay: 50ms, loss: 10%}\n";
	struct result ra = parse_as("t.yaml", a), rb = parse_as("t.yaml", b);
	struct plan p;
	char *text = NULL;
	size_t len;
	FILE *f;

	cr_assert_eq(ra.ret, 0);
	cr_assert_eq(rb.ret, 0);
	cr_assert_eq(plan_make(ra.lab, rb.lab, &p), 0);
	cr_assert_eq(p.n_steps, 1);
	cr_expect_eq(p.steps[0].op, PLAN_IFACE_PROPS);
	f = open_memstream(&text, &len);
	plan_print(&p, "l", f);
	fclose(f);
	cr_expect_str_eq(text, "~ a:eth0 delay 10ms -> 50ms, loss 0% -> 10%\n");
	free(text);
	plan_free(&p);
	/* What `ovslab link` set, put back by the file. */
	rb.lab->hosts[0].ifaces[0].props_changed = true;
	cr_assert_eq(plan_make(rb.lab, ra.lab, &p), 0);
	cr_assert_eq(p.n_steps, 1);
	cr_expect_str_eq(p.steps[0].what,
			 "a:eth0 delay 50ms -> 10ms, loss 10% -> 0% (back to the lab file)");
	plan_free(&p);
	lab_free(ra.lab);
	lab_free(rb.lab);
	free(ra.diag);
	free(rb.diag);
}
