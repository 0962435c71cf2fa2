/* Phase timings for --timings (timing.h). */
#include "util/timing.h"

#include <string.h>
#include <time.h>

#define TIMING_MAX 32

static bool timing_on;
static struct timespec timing_last, timing_start;
static struct {
	const char *name;
	double s;
} timing_v[TIMING_MAX];
static int timing_n;

static double timing_since(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

void timing_enable(bool on)
{
	timing_on = on;
	timing_n = 0;
	clock_gettime(CLOCK_MONOTONIC, &timing_start);
	timing_last = timing_start;
}

void timing_phase(const char *name)
{
	struct timespec now;

	if (!timing_on)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	/* A phase met again (per host, per bridge) adds up under one name. */
	for (int i = 0; i < timing_n; i++)
		if (!strcmp(timing_v[i].name, name)) {
			timing_v[i].s += timing_since(&timing_last, &now);
			timing_last = now;
			return;
		}
	if (timing_n < TIMING_MAX) {
		timing_v[timing_n].name = name;
		timing_v[timing_n++].s = timing_since(&timing_last, &now);
	}
	timing_last = now;
}

void timing_print(FILE *out)
{
	struct timespec now;

	if (!timing_on)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	for (int i = 0; i < timing_n; i++)
		fprintf(out, "  %-22s %8.3f s\n", timing_v[i].name, timing_v[i].s);
	fprintf(out, "  %-22s %8.3f s\n", "total", timing_since(&timing_start, &now));
}
