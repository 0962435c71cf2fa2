/* One ovslab command at a time per lab: an exclusive flock on
 * /run/ovslab/.LAB.lock, held for the whole command.  Different labs have
 * different locks and proceed in parallel. */
#ifndef OVSLAB_LOCK_H
#define OVSLAB_LOCK_H

#include <stdbool.h>

/* Waits (at most timeout_ms; <0: forever) for the lab's lock and returns its
 * fd, or -errno (-ETIMEDOUT, with a message naming the lab). */
int lock_lab(const char *lab, int timeout_ms);
/* Whether some process holds the lab's lock right now. */
bool lock_lab_busy(const char *lab);
/* Releases the lock; with remove, also deletes the lock file (when the lab is
 * gone), so nothing of the lab stays in /run/ovslab. */
void lock_unlock(const char *lab, int fd, bool remove);

#endif
