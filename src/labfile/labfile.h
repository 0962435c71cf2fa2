/* Reading a lab file (YAML) into a struct lab.  Every problem found is
 * reported as "file:line:col: message"; nothing outside memory is touched. */
#ifndef OVSLAB_LABFILE_H
#define OVSLAB_LABFILE_H

#include <stddef.h>
#include <stdio.h>

#include "model/lab.h"

/* Parses and validates a lab file.  On success *out is a new lab and 0 is
 * returned.  On failure every problem found is written to diag, one
 * "file:line:col: message" per line, and -EINVAL is returned (-errno when the
 * file cannot be read).  `display` is the file name used in messages. */
int labfile_load(const char *path, FILE *diag, struct lab **out);
/* The same from a buffer already in memory. */
int labfile_parse(const char *display, const char *buf, size_t len,
		  FILE *diag, struct lab **out);
/* A lab's saved copy: flows_file of bridge B is read from FLOWS_DIR/B.flows,
 * the copy taken when the lab came up. */
int labfile_load_saved(const char *path, const char *flows_dir, FILE *diag, struct lab **out);

#endif
