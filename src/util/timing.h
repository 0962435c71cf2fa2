/* Where a command's time went, for `--timings`: each phase is closed by
 * timing_phase(), and timing_print() lists them. */
#ifndef OVSLAB_TIMING_H
#define OVSLAB_TIMING_H

#include <stdbool.h>
#include <stdio.h>

void timing_enable(bool on);
/* Closes the phase that ran since the previous call (or the start). */
void timing_phase(const char *name);
void timing_print(FILE *out);

#endif
