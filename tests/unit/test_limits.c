/* What a lab file may cost: aliases, nesting, values, size, problem lines,
 * and the files it names that are no regular files.  Each must be refused
 * quickly, with one message, before the memory is spent. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/err.h"
#include "model/lab.h"
#include "labfile/labfile.h"
#include "labparse.h"

TestSuite(limits, .timeout = 60);

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Appends to a growing text. */
static void put(char **s, size_t *len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void put(char **s, size_t *len, const char *fmt, ...)
{
	va_list ap;
	char *add;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&add, fmt, ap);
	va_end(ap);
	cr_assert_geq(n, 0);
	*s = realloc(*s, *len + (size_t)n + 1);
	cr_assert_not_null(*s);
	memcpy(*s + *len, add, (size_t)n + 1);
	*len += (size_t)n;
	free(add);
}

static size_t count_lines(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static void result_free(struct result *r)
{
	lab_free(r->lab);
	free(r->diag);
	err_clear();
}

/* "Billion laughs": each level a list of `items` aliases to the one before. */
static char *alias_bomb(int levels, int items)
{
	char *s = NULL;
	size_t len = 0;
	int l, i;

	put(&s, &len, "name: bomb\nl0: &l0 [");
	for (i = 0; i < items; i++)
		put(&s, &len, "%sx", i ? "," : "");
	put(&s, &len, "]\n");
	for (l = 1; l < levels; l++) {
		put(&s, &len, "l%d: &l%d [", l, l);
		for (i = 0; i < items; i++)
			put(&s, &len, "%s*l%d", i ? "," : "", l - 1);
		put(&s, &len, "]\n");
	}
	/* Walked as a host's addresses: a list of lists of lists... */
	put(&s, &len, "bridges: {br0: {}}\nhosts:\n  h1: {bridge: br0, addresses: *l%d}\n",
	    levels - 1);
	return s;
}

/* Parsed with 1 GiB of address space at most: the bomb must be refused
 * with one problem, quickly, not run out of memory. */
static void expect_bomb_refused(int levels, int items)
{
	struct rlimit rl = { 1UL << 30, 1UL << 30 };
	char *yaml = alias_bomb(levels, items);
	double t0 = now();
	struct result r;

	cr_assert_eq(setrlimit(RLIMIT_AS, &rl), 0);
	r = parse_as("bomb.yaml", yaml);
	cr_expect_lt(now() - t0, 5.0, "the bomb took %.1f s", now() - t0);
	cr_assert_eq(r.ret, -EINVAL, "ret %d (%s), diag:\n%.500s", r.ret, err_get(), r.diag);
	cr_expect_eq(count_lines(r.diag), 1, "diag:\n%.2000s", r.diag);
	cr_expect(strstr(r.diag, "aliases repeat more than 100000 values in all"),
		  "diag:\n%.500s", r.diag);
	result_free(&r);
	free(yaml);
}

Test(limits, alias_bomb_of_ten_levels)
{
	expect_bomb_refused(10, 10);
}

Test(limits, alias_bomb_of_hundred_items)
{
	expect_bomb_refused(4, 100);
}

static void expect_only(const char *yaml, const char *diag)
{
	struct result r = parse_as("t.yaml", yaml);

	cr_expect_eq(r.ret, -EINVAL, "ret %d", r.ret);
	cr_expect_str_eq(r.diag, diag);
	result_free(&r);
}

Test(limits, aliases_within_bounds_and_their_mistakes)
{
	struct result r = parse_as("t.yaml",
		"name: a\n"
		"bridges:\n"
		"  br0: &gw {gateway: 10.0.0.1/24}\n"
		"hosts:\n"
		"  h1: {bridge: br0, address: &a 10.0.0.2/24}\n"
		"  h2: {bridge: br0, address: 10.0.0.3/24}\n");

	cr_expect_eq(r.ret, 0, "%s", r.diag);
	result_free(&r);
	expect_only("name: a\nl: &l [x, *l]\n", "t.yaml:2:11: alias *l is inside the value it names\n");
	expect_only("name: a\nl: *nope\n", "t.yaml:2:4: found undefined alias\n");
}

Test(limits, nesting)
{
	char *s = NULL;
	size_t len = 0;
	struct result r;
	int i;

	put(&s, &len, "name: a\nx: ");
	for (i = 0; i < 100000; i++)
		put(&s, &len, "[");
	r = parse_as("t.yaml", s);
	cr_expect_eq(r.ret, -EINVAL);
	cr_expect_str_eq(r.diag, "t.yaml:2:67: lists and mappings nest more than 64 deep here\n");
	result_free(&r);
	free(s);
}

Test(limits, values)
{
	size_t n = LABFILE_VALUES_MAX + 10, len = 0;
	char *s = malloc(2 * n + 32);
	struct result r;

	cr_assert_not_null(s);
	len = (size_t)sprintf(s, "name: a\nx: [");
	for (size_t i = 0; i < n; i++) {
		s[len++] = 'x';
		s[len++] = ',';
	}
	strcpy(s + len, "x]\n");
	r = parse_as("t.yaml", s);
	cr_expect_eq(r.ret, -EINVAL);
	cr_expect(strstr(r.diag, ": the lab file has more than 2000000 values\n"), "%s", r.diag);
	cr_expect_eq(count_lines(r.diag), 1);
	result_free(&r);
	free(s);
}

/* n hosts, each with one unknown key: n problems. */
static char *many_mistakes(int n)
{
	char *s = NULL;
	size_t len = 0;
	int i;

	put(&s, &len, "name: a\nbridges: {br0: {}}\nhosts:\n");
	for (i = 0; i < n; i++)
		put(&s, &len, "  h%d: {bridge: br0, colour: red}\n", i);
	return s;
}

static void expect_capped(int n)
{
	char *yaml = many_mistakes(n), want[128];
	struct result r = parse_as("t.yaml", yaml);
	const char *last;

	cr_expect_eq(r.ret, -EINVAL);
	cr_expect_eq(count_lines(r.diag), LABFILE_PROBLEMS_SHOWN + 1);
	cr_expect(!strncmp(r.diag, "t.yaml:4:21: unknown key \"colour\"", 33), "%.200s", r.diag);
	/* The 100th problem is the one of the 100th host. */
	snprintf(want, sizeof(want), "\nt.yaml:%d:", 3 + LABFILE_PROBLEMS_SHOWN);
	cr_expect(strstr(r.diag, want), "no %s in the diag", want + 1);
	last = strrchr(r.diag, '\n');
	while (last > r.diag && last[-1] != '\n')
		last--;
	snprintf(want, sizeof(want), "t.yaml: ... and %d more problems\n",
		 n - LABFILE_PROBLEMS_SHOWN);
	cr_expect_str_eq(last, want);
	cr_expect(strstr(err_get(), "has") && strstr(err_get(), "problems"), "%s", err_get());
	result_free(&r);
	free(yaml);
}

Test(limits, problem_lines_are_capped)
{
	expect_capped(150);
	expect_capped(25000); /* past what is kept in memory */
}

/* ---- files that are no regular files --------------------------------- */

static char dir[64];

static void dir_make(void)
{
	snprintf(dir, sizeof(dir), "/tmp/ovslab-limits-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static void dir_remove(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}

static void path_in(char *out, size_t len, const char *name)
{
	snprintf(out, len, "%s/%s", dir, name);
}

/* labfile_load of path must fail at once with msg in the error. */
static void expect_load_refused(const char *path, const char *msg)
{
	struct lab *lab = NULL;
	double t0 = now();
	int ret = labfile_load(path, stderr, &lab);

	cr_expect_lt(ret, 0, "%s was read", path);
	cr_expect_null(lab);
	cr_expect_lt(now() - t0, 2.0);
	cr_expect(strstr(err_get(), path) && strstr(err_get(), msg),
		  "error for %s: %s", path, err_get());
	err_clear();
}

/* A FIFO, /dev/zero, a directory and a sparse file past the size limit,
 * each through refuse(path, why). */
static void each_non_regular(const char *fifo_name, void (*refuse)(const char *, const char *))
{
	char fifo[128], big[128];
	int fd;

	path_in(fifo, sizeof(fifo), fifo_name);
	cr_assert_eq(mkfifo(fifo, 0600), 0);
	refuse(fifo, "it is a FIFO, not a regular file");
	refuse("/dev/zero", "it is a character device, not a regular file");
	refuse(dir, "it is a directory, not a regular file");
	path_in(big, sizeof(big), "big");
	fd = open(big, O_WRONLY | O_CREAT, 0600);
	cr_assert_geq(fd, 0);
	cr_assert_eq(ftruncate(fd, (off_t)LABFILE_SIZE_MAX + 1), 0);
	close(fd);
	refuse(big, "it is larger than 64 MiB, the most ovslab reads");
}

Test(limits, lab_file_must_be_a_regular_file, .init = dir_make, .fini = dir_remove)
{
	each_non_regular("fifo.yaml", expect_load_refused);
}

static void expect_flows_file_refused(const char *flows, const char *msg)
{
	char lab[128], *yaml, want[512];
	struct result r;
	FILE *f;

	path_in(lab, sizeof(lab), "lab.yaml");
	cr_assert_geq(asprintf(&yaml, "name: a\nbridges:\n  br0:\n    flows_file: %s\n"
			       "hosts:\n  h1: {bridge: br0}\n", flows), 0);
	f = fopen(lab, "w");
	cr_assert_not_null(f);
	fputs(yaml, f);
	cr_assert_eq(fclose(f), 0);
	r = parse_as(lab, yaml);
	snprintf(want, sizeof(want), "%s:4:17: bridge br0: flows_file %s: cannot read it: %s\n",
		 lab, flows, msg);
	cr_expect_eq(r.ret, -EINVAL);
	cr_expect_str_eq(r.diag, want);
	result_free(&r);
	free(yaml);
}

Test(limits, flows_file_must_be_a_regular_file, .init = dir_make, .fini = dir_remove)
{
	each_non_regular("br0.flows", expect_flows_file_refused);
}

/* ---- lab names on the command line ----------------------------------- */

/* Exit status of ovslab ARGS, its stderr in err. */
static int ovslab(char *err, size_t len, char *const args[])
{
	int pipefd[2], status;
	ssize_t n, got = 0;
	pid_t pid;

	cr_assert_eq(pipe(pipefd), 0);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		dup2(pipefd[1], 2);
		dup2(pipefd[1], 1);
		close(pipefd[0]);
		execv(OVSLAB_BIN, args);
		_exit(127);
	}
	close(pipefd[1]);
	while ((n = read(pipefd[0], err + got, len - 1 - (size_t)got)) > 0)
		got += n;
	err[got] = '\0';
	close(pipefd[0]);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status));
	return WEXITSTATUS(status);
}

Test(limits, command_line_lab_names_obey_the_name_rule)
{
	char out[4096];
	char *down[] = { "ovslab", "down", ".switch", NULL };
	char *show[] = { "ovslab", "show", "a/b", NULL };
	char *execv_[] = { "ovslab", "exec", ".switch", "h1", "--", "true", NULL };
	char *check[] = { "ovslab", "check", "name-longer-than-15", NULL };
	char *flows[] = { "ovslab", "flows", ".x", NULL };

	cr_expect_eq(ovslab(out, sizeof(out), down), 2, "%s", out);
	cr_expect_str_eq(out, "ovslab: .switch: no such lab file, and not a valid lab name: "
		"\".switch\" must not start with a dot\n");
	cr_expect_eq(ovslab(out, sizeof(out), show), 2, "%s", out);
	cr_expect(strstr(out, "it contains '/'"), "%s", out);
	cr_expect_eq(ovslab(out, sizeof(out), execv_), 2, "%s", out);
	cr_expect_str_eq(out, "ovslab: .switch: not a valid lab name: "
		"\".switch\" must not start with a dot\n");
	cr_expect_eq(ovslab(out, sizeof(out), check), 2, "%s", out);
	cr_expect(strstr(out, "is longer than 15 bytes"), "%s", out);
	cr_expect_eq(ovslab(out, sizeof(out), flows), 2, "%s", out);
	cr_expect_eq(count_lines(out), 1, "%s", out);
}

Test(limits, one_rule_for_lab_names)
{
	cr_expect_null(lab_labname_problem("lab1"));
	cr_expect_str_eq(lab_labname_problem(".switch"), "must not start with a dot");
	cr_expect_str_eq(lab_labname_problem("a:b"),
			 "is not a valid name: it contains ':' (reserved for host:interface)");
	cr_expect_not_null(lab_labname_problem(""));
	cr_expect_not_null(lab_labname_problem("a b"));
	cr_expect_not_null(lab_labname_problem("0123456789abcdef"));
	expect_only("name: .switch\n", "t.yaml:1:7: lab name \".switch\" must not start with a dot\n");
}
