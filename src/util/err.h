/* One user-facing error message per failed command.  Functions return 0 or a
 * negative errno; the function that knows the object and the cause calls
 * err_set() before returning, and main() prints the message once. */
#ifndef OVSLAB_ERR_H
#define OVSLAB_ERR_H

#include <stdbool.h>

/* Records the message unless one is already set: the deepest failure, which
 * names the object, wins over the callers that only pass it up. */
void err_set(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Replaces any message already recorded. */
void err_reset(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
const char *err_get(void);
bool err_isset(void);
void err_clear(void);
/* Around lookups whose failure is an answer rather than an error: a message
 * they leave is dropped, one recorded before them is kept.
 *   bool held = err_hold(); ...; err_release(held); */
bool err_hold(void);
void err_release(bool held);

#endif
