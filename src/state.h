/* A lab's record under /run/ovslab/<lab>/: a copy of its lab file and a
 * journal of what the lab created.  Each entry is appended before the change
 * it names, so a run that dies midway leaves a record that `down` can undo.
 * An entry is withdrawn ("forget") when the change turned out not to be ours
 * (the name was taken by something else). */
#ifndef OVSLAB_STATE_H
#define OVSLAB_STATE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define STATE_RUN_DIR "/run/ovslab"

enum state_kind {
	STATE_NETNS,      /* value: namespace name */
	STATE_LINK,       /* value: interface name in the machine's namespace */
	STATE_SWITCH,     /* value: "private <rundir>" or "shared" */
	STATE_REMOTE,     /* value: OVSDB remote the lab's rows live in */
	STATE_DATAPATH,   /* value: datapath type */
	STATE_NAT,        /* value: bridge name */
	STATE_IP_FORWARD, /* value: ip_forward before the lab changed it */
	STATE_UPLINK,     /* value: bridge=uplink device as resolved */
	STATE_COMPLETE,   /* value: unix time; an `up` ran to its end */
	STATE_KIND_MAX
};

struct state_entry {
	enum state_kind kind;
	bool forgotten;
	char value[PATH_MAX + 32];
};

struct state {
	char name[32];
	char dir[PATH_MAX];       /* /run/ovslab/<lab> */
	FILE *journal;            /* open for appending while a command changes things */
	struct state_entry *entries;
	size_t n_entries;
};

/* Path of the lab's directory. */
void state_dir(const char *lab, char *buf, size_t len);
bool state_exists(const char *lab);

/* Creates /run/ovslab/<lab>/ with the lab file's text in lab.yaml and an
 * empty journal.  -EEXIST if the lab already has a record. */
int state_create(const char *lab, const char *labfile_text, size_t len, struct state *st);
/* Reads the journal of an existing lab; the journal stays open for appending. */
int state_open(const char *lab, struct state *st);
/* Reads it only: for commands that change nothing, and works without root. */
int state_read(const char *lab, struct state *st);
/* Appends an entry (and keeps it in memory) before the change is made. */
int state_add(struct state *st, enum state_kind kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Withdraws the latest entry of that kind and value. */
int state_forget(struct state *st, enum state_kind kind, const char *value);
/* The value of the latest live entry of a kind, or NULL. */
const char *state_get(const struct state *st, enum state_kind kind);
/* Replaces the saved copy of the lab file (after an up that changed it). */
int state_save_labfile(struct state *st, const char *text, size_t len);
/* Path of the saved copy of the lab file. */
void state_labfile(const struct state *st, char *buf, size_t len);
void state_close(struct state *st);
/* Removes the lab's directory (journal, lab file, what else ovslab put there). */
int state_remove(struct state *st);

/* Calls fn for every lab that has a record. */
int state_for_each_lab(int (*fn)(const char *lab, void *arg), void *arg);

const char *state_kind_name(enum state_kind kind);

#endif
