/* The lab commands: what `ovslab up/down/show/exec` do, on top of the
 * modules that each own one kind of object. */
#ifndef OVSLAB_LABCTL_H
#define OVSLAB_LABCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "lab.h"
#include "state.h"

/* How long to wait for the switch to apply a transaction. */
#define LABCTL_SWITCH_TIMEOUT_MS 30000
/* Grace between SIGTERM and SIGKILL for processes left in a namespace. */
#define LABCTL_KILL_GRACE_MS 500

/* Builds the lab described by the file.  Lab-file problems go to diag as
 * file:line:col lines; on any failure everything this run made is removed. */
int labctl_up(const char *path, FILE *diag, FILE *out);

/* Prints what `up` would change, and changes nothing. */
int labctl_plan(const char *path, FILE *diag, FILE *out);

/* Removes everything the lab's journal records; the lab file is not needed. */
int labctl_down(const char *lab);
/* Undoes what an open journal records; used by down and by a failed up. */
int labctl_teardown(struct state *st);
/* Undoes the namespaces and interfaces recorded from journal entry `from`
 * on (what one run made), and withdraws them from the journal. */
int labctl_teardown_from(struct state *st, size_t from);

int labctl_show(const char *lab, bool json, FILE *out);

/* Runs argv inside the host's namespace; returns only on failure. */
int labctl_exec(const char *lab, const char *host, char *const argv[]);

/* One line per lab record (name, hosts, switch, up/busy/incomplete), or a
 * JSON array of objects. */
int labctl_ls(bool json, FILE *out);
/* Removes what killed or crashed runs left: incomplete records, and marked
 * rows, rules and private switch daemons of labs without a record. */
int labctl_gc(FILE *out);

/* How `ovslab check` runs and reports. */
struct labctl_check_opts {
	bool all;            /* every host from every host (ICMP), not the checks */
	bool json, tap;      /* instead of the table (or the matrix) */
	const char *junit;   /* also writes JUnit XML there */
};
/* Runs the checks of LAB (its saved lab file) or of FILE (whose lab must be
 * up), all at once, and prints the results.  Returns how many did not hold
 * (message set when some did not), or -errno. */
int labctl_check(const char *arg, const struct labctl_check_opts *o, FILE *out);

/* Loads the copy of the lab file saved when the lab came up. */
int labctl_load_saved(const struct state *st, struct lab **out);

#endif
