/* A lab's record under /run/ovslab/<lab>/: a copy of its lab file and a
 * journal of what the lab created.  Each entry is appended before the change
 * it names, so a run that dies midway leaves a record that `down` can undo.
 * An entry is withdrawn ("forget") when the change turned out not to be ours
 * (the name was taken by something else). */
#ifndef OVSLAB_JOURNAL_H
#define OVSLAB_JOURNAL_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define JOURNAL_RUN_DIR "/run/ovslab"

enum journal_kind {
	JOURNAL_NETNS,      /* value: namespace name */
	JOURNAL_LINK,       /* value: interface name in the machine's namespace */
	JOURNAL_SWITCH,     /* value: "private <rundir>" or "shared" */
	JOURNAL_REMOTE,     /* value: OVSDB remote the lab's rows live in */
	JOURNAL_DATAPATH,   /* value: datapath type */
	JOURNAL_NAT,        /* value: bridge name */
	JOURNAL_IP_FORWARD, /* value: ip_forward before the lab changed it */
	JOURNAL_UPLINK,     /* value: bridge=uplink device as resolved */
	JOURNAL_COMPLETE,   /* value: unix time; an `up` ran to its end */
	JOURNAL_KIND_MAX
};

struct journal_entry {
	enum journal_kind kind;
	bool forgotten;
	char value[PATH_MAX + 32];
};

struct journal {
	char name[32];
	char dir[PATH_MAX];       /* /run/ovslab/<lab> */
	FILE *journal;            /* open for appending while a command changes things */
	struct journal_entry *entries;
	size_t n_entries;
};

/* Path of the lab's directory. */
void journal_dir(const char *lab, char *buf, size_t len);
bool journal_exists(const char *lab);

/* Creates /run/ovslab/<lab>/ with the lab file's text in lab.yaml and an
 * empty journal.  -EEXIST if the lab already has a record. */
int journal_create(const char *lab, const char *labfile_text, size_t len, struct journal *st);
/* Reads the journal of an existing lab; the journal stays open for appending. */
int journal_open(const char *lab, struct journal *st);
/* Reads it only: for commands that change nothing, and works without root. */
int journal_read(const char *lab, struct journal *st);
/* Appends an entry (and keeps it in memory) before the change is made. */
int journal_add(struct journal *st, enum journal_kind kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Withdraws the latest entry of that kind and value. */
int journal_forget(struct journal *st, enum journal_kind kind, const char *value);
/* The value of the latest live entry of a kind, or NULL. */
const char *journal_get(const struct journal *st, enum journal_kind kind);
/* Replaces the saved copy of the lab file (after an up that changed it). */
int journal_save_labfile(struct journal *st, const char *text, size_t len);
/* Path of the saved copy of the lab file. */
void journal_labfile(const struct journal *st, char *buf, size_t len);
void journal_close(struct journal *st);
/* Removes the lab's directory (journal, lab file, what else ovslab put there). */
int journal_remove(struct journal *st);

/* Calls fn for every lab that has a record. */
int journal_for_each_lab(int (*fn)(const char *lab, void *arg), void *arg);

const char *journal_kind_name(enum journal_kind kind);

#endif
