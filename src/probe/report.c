/* Writing `ovslab check`'s results: table, matrix, JSON, JUnit, TAP (report.h). */
#include "probe/report.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/json.h"

bool report_holds(const struct report_row *row)
{
	return row->reached == row->expect_reach;
}

size_t report_failed(const struct report *r)
{
	size_t n = 0;

	for (size_t i = 0; i < r->n_rows; i++)
		n += !report_holds(&r->rows[i]);
	return n;
}

static const char *report_expect(bool reach)
{
	return reach ? "reach" : "no-reach";
}

/* "reach", or "no-reach (timeout)". */
static const char *report_observed(const struct report_row *row, char *buf, size_t len)
{
	if (row->reached || !row->detail[0])
		snprintf(buf, len, "%s", report_expect(row->reached));
	else
		snprintf(buf, len, "no-reach (%s)", row->detail);
	return buf;
}

static int report_width(const struct report *r, size_t min,
			const char *(*get)(const struct report_row *row))
{
	size_t w = min;

	for (size_t i = 0; i < r->n_rows; i++)
		if (strlen(get(&r->rows[i])) > w)
			w = strlen(get(&r->rows[i]));
	return (int)w;
}

static const char *report_get_from(const struct report_row *row)
{
	return row->from;
}

static const char *report_get_to(const struct report_row *row)
{
	return row->to;
}

static const char *report_get_addr(const struct report_row *row)
{
	return row->addr;
}

void report_table(const struct report *r, FILE *out)
{
	int wf = report_width(r, 4, report_get_from);
	int wt = report_width(r, 2, report_get_to);
	int wa = report_width(r, 7, report_get_addr);
	char obs[80];

	fprintf(out, "%-*s  %-*s  %-*s  %-9s  %-8s  %-24s  %10s  %s\n", wf, "from", wt, "to", wa,
		"address", "kind", "expected", "observed", "time", "result");
	for (size_t i = 0; i < r->n_rows; i++) {
		const struct report_row *row = &r->rows[i];

		fprintf(out, "%-*s  %-*s  %-*s  %-9s  %-8s  %-24s  %7.1f ms  %s\n", wf, row->from, wt,
			row->to, wa, row->addr, row->kind, report_expect(row->expect_reach),
			report_observed(row, obs, sizeof(obs)), row->ms,
			report_holds(row) ? "ok" : "FAIL");
	}
	fprintf(out, "%s: %zu of %zu checks hold, %zu fail\n", r->lab,
		r->n_rows - report_failed(r), r->n_rows, report_failed(r));
}

/* Per pair of hosts: how many of its rows there are and how many reached. */
static int report_cells(const struct report *r, unsigned int **rows, unsigned int **reached)
{
	size_t cells = r->n_hosts * r->n_hosts;

	*rows = calloc(cells + 1, sizeof(**rows));
	*reached = calloc(cells + 1, sizeof(**reached));
	if (!*rows || !*reached)
		return -ENOMEM;
	for (size_t i = 0; i < r->n_rows; i++) {
		size_t c = r->rows[i].from_idx * r->n_hosts + r->rows[i].to_idx;

		if (c >= cells)
			continue;
		(*rows)[c]++;
		(*reached)[c] += r->rows[i].reached;
	}
	return 0;
}

static char report_cell(unsigned int rows, unsigned int reached)
{
	if (!rows)
		return ' ';
	return reached == rows ? '.' : reached ? 'x' : 'X';
}

void report_matrix(const struct report *r, FILE *out)
{
	unsigned int *rows = NULL, *reached = NULL;
	size_t wname = 7, depth = 0, pairs = 0, ok = 0;

	if (report_cells(r, &rows, &reached) < 0) {
		fputs("(out of memory)\n", out);
		goto out;
	}
	for (size_t h = 0; h < r->n_hosts; h++) {
		if (strlen(r->hosts[h]) > wname)
			wname = strlen(r->hosts[h]);
		if (strlen(r->hosts[h]) > depth)
			depth = strlen(r->hosts[h]);
	}
	/* The column heads, read downwards. */
	for (size_t d = 0; d < depth; d++) {
		fprintf(out, "%-*s ", (int)wname, d == depth - 1 ? "from\\to" : "");
		for (size_t h = 0; h < r->n_hosts; h++)
			fputc(d < strlen(r->hosts[h]) ? r->hosts[h][d] : ' ', out);
		fputc('\n', out);
	}
	for (size_t f = 0; f < r->n_hosts; f++) {
		fprintf(out, "%-*s ", (int)wname, r->hosts[f]);
		for (size_t t = 0; t < r->n_hosts; t++) {
			size_t c = f * r->n_hosts + t;

			if (f == t) {
				fputc('-', out);
				continue;
			}
			fputc(report_cell(rows[c], reached[c]), out);
			pairs += rows[c] > 0;
			ok += rows[c] > 0 && reached[c] == rows[c];
		}
		fputc('\n', out);
	}
	fprintf(out, "%s: %zu of %zu pairs reach, %zu do not (. reaches, X does not, "
		"x some addresses only)\n", r->lab, ok, pairs, pairs - ok);
out:
	free(rows);
	free(reached);
}

void report_json(const struct report *r, FILE *out)
{
	size_t failed = report_failed(r);

	fputs("{\"lab\":", out);
	json_str(out, r->lab);
	if (r->matrix) {
		fputs(",\"hosts\":[", out);
		for (size_t h = 0; h < r->n_hosts; h++) {
			if (h)
				fputc(',', out);
			json_str(out, r->hosts[h]);
		}
		fputc(']', out);
	}
	fputs(",\"results\":[", out);
	for (size_t i = 0; i < r->n_rows; i++) {
		const struct report_row *row = &r->rows[i];

		fputs(i ? ",\n{\"from\":" : "\n{\"from\":", out);
		json_str(out, row->from);
		fputs(",\"to\":", out);
		json_str(out, row->to);
		fputs(",\"address\":", out);
		json_str(out, row->addr);
		fputs(",\"kind\":", out);
		json_str(out, row->kind);
		fprintf(out, ",\"expect\":\"%s\",\"observed\":\"%s\",\"detail\":",
			report_expect(row->expect_reach), report_expect(row->reached));
		json_str(out, row->reached || !row->detail[0] ? NULL : row->detail);
		fprintf(out, ",\"ms\":%.3f,\"holds\":%s}", row->ms,
			report_holds(row) ? "true" : "false");
	}
	fprintf(out, "],\n\"summary\":{\"total\":%zu,\"passed\":%zu,\"failed\":%zu}}\n",
		r->n_rows, r->n_rows - failed, failed);
}

static void report_xml(FILE *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&':
			fputs("&amp;", out);
			break;
		case '<':
			fputs("&lt;", out);
			break;
		case '>':
			fputs("&gt;", out);
			break;
		case '"':
			fputs("&quot;", out);
			break;
		case '\'':
			fputs("&apos;", out);
			break;
		default:
			fputc(*s, out);
		}
	}
}

/* "ns01 -> ns02 icmp reach": what a check says, for JUnit and TAP. */
static const char *report_name(const struct report_row *row, char *buf, size_t len)
{
	if (strcmp(row->to, row->addr))
		snprintf(buf, len, "%s -> %s (%s) %s %s", row->from, row->to, row->addr, row->kind,
			 report_expect(row->expect_reach));
	else
		snprintf(buf, len, "%s -> %s %s %s", row->from, row->to, row->kind,
			 report_expect(row->expect_reach));
	return buf;
}

void report_junit(const struct report *r, FILE *out)
{
	double longest = 0;
	char name[256], obs[80];

	for (size_t i = 0; i < r->n_rows; i++)
		if (r->rows[i].ms > longest)
			longest = r->rows[i].ms;
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuite name=\"", out);
	report_xml(out, r->lab);
	/* The checks run in parallel: the suite takes as long as the longest. */
	fprintf(out, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" time=\"%.3f\">\n", r->n_rows,
		report_failed(r), longest / 1000);
	for (size_t i = 0; i < r->n_rows; i++) {
		const struct report_row *row = &r->rows[i];

		fputs("  <testcase classname=\"ovslab.", out);
		report_xml(out, r->lab);
		fputs("\" name=\"", out);
		report_xml(out, report_name(row, name, sizeof(name)));
		fprintf(out, "\" time=\"%.3f\"", row->ms / 1000);
		if (report_holds(row)) {
			fputs("/>\n", out);
			continue;
		}
		fprintf(out, ">\n    <failure message=\"expected %s, observed ",
			report_expect(row->expect_reach));
		report_xml(out, report_observed(row, obs, sizeof(obs)));
		fputs("\"/>\n  </testcase>\n", out);
	}
	fputs("</testsuite>\n", out);
}

/* A '#' would start a TAP directive. */
static void report_tap_text(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '#' || *s == '\\')
			fputc('\\', out);
		fputc(*s, out);
	}
}

void report_tap(const struct report *r, FILE *out)
{
	char name[256], obs[80];

	fprintf(out, "TAP version 13\n1..%zu\n", r->n_rows);
	for (size_t i = 0; i < r->n_rows; i++) {
		const struct report_row *row = &r->rows[i];

		fprintf(out, "%s %zu - ", report_holds(row) ? "ok" : "not ok", i + 1);
		report_tap_text(out, report_name(row, name, sizeof(name)));
		if (!report_holds(row)) {
			fputs(": observed ", out);
			report_tap_text(out, report_observed(row, obs, sizeof(obs)));
		}
		fprintf(out, " (%.1f ms)\n", row->ms);
	}
}
