/* The lab-file unit suites' one way to parse a text: what labfile_parse
 * returned, the lab it made and every diagnostic it printed. */
#ifndef OVSLAB_TEST_LABPARSE_H
#define OVSLAB_TEST_LABPARSE_H

#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/lab.h"
#include "labfile/labfile.h"
#include "util/err.h"

struct result {
	int ret;
	struct lab *lab;
	char *diag;
};

static inline struct result parse_as(const char *display, const char *yaml)
{
	struct result r = { 0 };
	size_t len;
	FILE *f = open_memstream(&r.diag, &len);

	cr_assert_not_null(f);
	r.ret = labfile_parse(display, yaml, strlen(yaml), f, &r.lab);
	cr_assert_eq(fclose(f), 0);
	return r;
}

/* yaml (shown as t.yaml) must be refused with exactly the problems in diag. */
static inline void labparse_expect_problems(const char *yaml, const char *diag)
{
	struct result r = parse_as("t.yaml", yaml);

	cr_expect_eq(r.ret, -EINVAL, "ret %d for:\n%s", r.ret, yaml);
	cr_expect_str_eq(r.diag, diag, "for:\n%sgot:\n%swant:\n%s", yaml, r.diag, diag);
	lab_free(r.lab);
	free(r.diag);
	err_clear();
}

#endif
