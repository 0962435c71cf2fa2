/* Reading a lab file (YAML) into a struct lab.  Every problem found is
 * reported as "file:line:col: message"; nothing outside memory is touched. */
#ifndef OVSLAB_LABFILE_H
#define OVSLAB_LABFILE_H

#include <stddef.h>
#include <stdio.h>

#include "model/lab.h"

/* What a lab file may cost, refused before the memory is spent (see
 * docs/labfile.md, "Limits"). */
#define LABFILE_SIZE_MAX (64u << 20)  /* bytes of a lab file, of a flows_file */
#define LABFILE_SIZE_TEXT "64 MiB"
#define LABFILE_VALUES_MAX 2000000    /* YAML values (nodes) in one document */
#define LABFILE_DEPTH_MAX 64          /* lists and mappings inside each other */
#define LABFILE_ALIAS_MAX 100000      /* values repeated through aliases, in all */
#define LABFILE_PROBLEMS_SHOWN 100    /* problem lines printed; then a count */

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
