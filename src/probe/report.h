/* The results of `ovslab check`, written for people (a table, or the matrix
 * of --all) or for CI (--json, --junit, --tap).  Pure formatting. */
#ifndef OVSLAB_REPORT_H
#define OVSLAB_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct report_row {
	const char *from;
	const char *to;          /* as written: a host name or an address */
	char addr[64];           /* the address probed */
	char kind[16];           /* "icmp", "tcp:8080" */
	bool expect_reach;
	bool reached;
	double ms;               /* to the first answer; the time waited when none */
	char detail[48];         /* why not, when not reached */
	size_t from_idx, to_idx; /* --all: indices in hosts */
};

struct report {
	const char *lab;
	struct report_row *rows;
	size_t n_rows;
	/* --all: the hosts, rows and columns of the matrix. */
	bool matrix;
	const char *const *hosts;
	size_t n_hosts;
};

bool report_holds(const struct report_row *row);
size_t report_failed(const struct report *r);

/* from, to, address, kind, expected, observed, time, result; a summary line. */
void report_table(const struct report *r, FILE *out);
/* Rows from, columns to: '.' reaches, 'X' does not, 'x' some of the host's
 * addresses only, '-' itself; host names written down the columns. */
void report_matrix(const struct report *r, FILE *out);
/* {"lab":..., "results":[...], "summary":{...}}; with --all also "hosts". */
void report_json(const struct report *r, FILE *out);
/* A JUnit testsuite with a testcase per row, a failure element when it does
 * not hold. */
void report_junit(const struct report *r, FILE *out);
/* TAP version 13: the plan, then ok / not ok per row. */
void report_tap(const struct report *r, FILE *out);

#endif
