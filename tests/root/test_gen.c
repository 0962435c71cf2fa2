/* `ovslab gen` end to end, in a sandbox: every topology at two sizes, piped
 * into `ovslab up -`, comes up and its generated checks pass; `plan -`
 * names standard input in its messages; the ranges fixture comes up. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "sandbox.h"

static char buf[65536];

static void gen_init(void)
{
	sandbox_enter();
}

TestSuite(gen, .init = gen_init, .timeout = 240);

static int sh(const char *fmt, const char *args)
{
	char cmd[1024];
	char *argv[] = { "sh", "-c", cmd, NULL };

	snprintf(cmd, sizeof(cmd), fmt, sandbox_ovslab(), args, sandbox_ovslab());
	return sandbox_run(argv, buf, sizeof(buf));
}

/* gen ARGS | up -, check LAB, down LAB. */
static void gen_up_check(const char *lab, const char *args)
{
	cr_assert_eq(sh("%s gen %s | %s up -", args), 0, "gen %s | up -: %s", args, buf);
	cr_assert_eq(sandbox_ovslabf(buf, sizeof(buf), "check %s", lab), 0,
		     "gen %s: check: %s", args, buf);
	cr_assert_eq(sandbox_ovslabf(buf, sizeof(buf), "down %s", lab), 0,
		     "gen %s: down: %s", args, buf);
}

Test(gen, single) { gen_up_check("single", "single 1"); gen_up_check("single", "single 5"); }
Test(gen, linear) { gen_up_check("linear", "linear 2"); gen_up_check("linear", "linear 4"); }
Test(gen, tree) { gen_up_check("tree", "tree 1 2"); gen_up_check("tree", "tree 2 3"); }
Test(gen, ring) { gen_up_check("ring", "ring 3"); gen_up_check("ring", "ring 4"); }
Test(gen, star) { gen_up_check("star", "star 2"); gen_up_check("star", "star 4"); }
Test(gen, clos) { gen_up_check("clos", "clos 1 2 1"); gen_up_check("clos", "clos 2 2 2"); }
Test(gen, multihost)
{
	gen_up_check("multihost", "multihost 2 1");
	gen_up_check("multihost", "multihost 3 2");
}

/* The lab that came up from a pipe keeps its text: show reads it back. */
Test(gen, up_from_stdin_keeps_the_file)
{
	cr_assert_eq(sh("%s gen %s | %s up -", "star 2"), 0, "%s", buf);
	cr_assert_eq(sandbox_ovslabf(buf, sizeof(buf), "show star"), 0, "%s", buf);
	cr_expect_neq(strstr(buf, "h2"), NULL, "%s", buf);
	cr_assert_eq(sh("%s gen %s | %s plan -", "star 2"), 0, "%s", buf);
	cr_expect_neq(strstr(buf, "nothing to change"), NULL, "plan of the same lab: %s", buf);
	cr_assert_eq(sandbox_ovslabf(buf, sizeof(buf), "down star"), 0, "%s", buf);
}

Test(gen, plan_from_stdin_names_it)
{
	cr_assert_neq(sh("printf 'name: x\\nhosts:\\n  h[2-1]:\\n' | %s plan -%s", ""), 0, "%s", buf);
	cr_expect_neq(strstr(buf, "<stdin>:3:3: host range \"h[2-1]\" counts down"), NULL, "%s", buf);
}

/* The ranges fixture: 40 hosts from a few lines come up; its checks pass. */
Test(gen, ranges_fixture)
{
	cr_assert_eq(sandbox_ovslabf(buf, sizeof(buf), "up %s --check", sandbox_fixture("ranges.yaml")),
		     0, "%s", buf);
	cr_expect_neq(strstr(buf, "10 of 10 checks hold"), NULL, "%s", buf);
	cr_assert_eq(sandbox_ovslabf(buf, sizeof(buf), "down ranges"), 0, "%s", buf);
}
