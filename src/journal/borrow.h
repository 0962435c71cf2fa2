/* What ovslab borrows from the machine for as long as any lab needs it (a
 * sysctl such as net.ipv4.ip_forward): the value the machine had before the
 * first lab changed it, kept in journal_root()/.borrowed-KEY, so that the
 * last lab to give it back restores it whatever order labs came and went in.
 * Callers hold lock_lab(BORROW_LOCK) around a take/give pair. */
#ifndef OVSLAB_BORROW_H
#define OVSLAB_BORROW_H

#include <stddef.h>

#define BORROW_LOCK ".borrowed"

/* Records `before` as the machine's own value of key, unless a value is
 * recorded already (an earlier lab borrowed it first): 0 either way. */
int borrow_record(const char *key, const char *before);
/* The recorded value, or -ENOENT when nothing is borrowed. */
int borrow_get(const char *key, char *buf, size_t len);
/* Forgets the recorded value once it has been put back. */
int borrow_drop(const char *key);

#endif
