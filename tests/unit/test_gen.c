/* `ovslab gen`: every topology at two small sizes prints a lab file that the
 * lab-file reader takes, with the hosts, bridges and checks it should have. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "model/lab.h"
#include "cmd/cmd.h"
#include "labparse.h"

struct gen_case {
	const char *args[4];
	size_t hosts, bridges, machines, patches;
};

static void gen_parse(const struct gen_case *g)
{
	char *argv[4] = { 0 }, *text = NULL;
	size_t len = 0;
	int argc = 0, ret;
	FILE *f = open_memstream(&text, &len);
	struct result r;

	cr_assert_not_null(f);
	while (argc < 4 && g->args[argc]) {
		argv[argc] = (char *)g->args[argc];
		argc++;
	}
	ret = cmd_gen(argc, argv, f);
	cr_assert_eq(fclose(f), 0);
	cr_assert_eq(ret, 0, "gen %s: %s", g->args[0], err_get());
	r = parse_as("<stdin>", text);
	cr_assert_eq(r.ret, 0, "gen %s %s: %s\n%s", g->args[0], g->args[1], r.diag, text);
	cr_expect_eq(r.lab->n_hosts, g->hosts, "gen %s %s: %zu hosts", g->args[0], g->args[1],
		     r.lab->n_hosts);
	cr_expect_eq(r.lab->n_bridges, g->bridges, "gen %s %s: %zu bridges", g->args[0],
		     g->args[1], r.lab->n_bridges);
	cr_expect_eq(r.lab->n_machines, g->machines);
	cr_expect_eq(r.lab->n_patches, g->patches, "gen %s %s: %zu patches", g->args[0],
		     g->args[1], r.lab->n_patches);
	cr_expect_gt(r.lab->n_checks, 0);
	lab_free(r.lab);
	free(r.diag);
	free(text);
}

Test(gen_unit, every_topology_parses_back)
{
	static const struct gen_case cases[] = {
		{ { "single", "1" }, 1, 1, 0, 0 },
		{ { "single", "300" }, 300, 1, 0, 0 },
		{ { "linear", "2" }, 2, 2, 0, 1 },
		{ { "linear", "20" }, 20, 20, 0, 19 },
		{ { "tree", "1", "3" }, 3, 1, 0, 0 },
		{ { "tree", "2", "4" }, 16, 5, 0, 4 },
		{ { "tree", "3", "2" }, 8, 7, 0, 6 },
		{ { "ring", "3" }, 3, 3, 0, 3 },
		{ { "ring", "6" }, 6, 6, 0, 6 },
		{ { "star", "2" }, 2, 3, 0, 2 },
		{ { "star", "10" }, 10, 11, 0, 10 },
		{ { "clos", "1", "2", "1" }, 2, 3, 0, 2 },
		{ { "clos", "2", "4", "3" }, 12, 6, 0, 8 },
		{ { "multihost", "2", "1" }, 2, 1, 2, 0 },
		{ { "multihost", "3", "4" }, 12, 1, 3, 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		gen_parse(&cases[i]);
}

Test(gen_unit, tree_hangs_each_bridge_off_its_parent)
{
	const struct gen_case g = { { "tree", "2", "2" }, 4, 3, 0, 2 };
	char *argv[] = { "tree", "2", "2" }, *text = NULL;
	size_t len;
	FILE *f = open_memstream(&text, &len);
	struct result r;

	gen_parse(&g);
	cr_assert_eq(cmd_gen(3, argv, f), 0);
	fclose(f);
	r = parse_as("<stdin>", text);
	cr_assert_eq(r.ret, 0, "%s", r.diag);
	cr_expect_str_eq(r.lab->patches[1].bridge[0], "s1_1");
	cr_expect_str_eq(r.lab->patches[1].bridge[1], "s2_2");
	/* h1, h2 on s2_1; h3, h4 on s2_2. */
	cr_expect_str_eq(r.lab->hosts[2].ifaces[0].bridge, "s2_2");
	lab_free(r.lab);
	free(r.diag);
	free(text);
}

Test(gen_unit, bad_arguments_are_usage_errors)
{
	char *unknown[] = { "torus", "3" }, *few[] = { "tree", "2" }, *zero[] = { "ring", "2" },
	     *big[] = { "tree", "12", "4" };

	cr_expect_eq(cmd_gen(2, unknown, stdout), 1);
	err_clear();
	cr_expect_eq(cmd_gen(2, few, stdout), 1);
	cr_expect_neq(strstr(err_get(), "give DEPTH FANOUT"), NULL, "%s", err_get());
	err_clear();
	cr_expect_eq(cmd_gen(2, zero, stdout), 1); /* a ring of two is one patch twice */
	err_clear();
	cr_expect_eq(cmd_gen(3, big, stdout), 1);
	cr_expect_neq(strstr(err_get(), "more than 4096 hosts"), NULL, "%s", err_get());
	err_clear();
}
