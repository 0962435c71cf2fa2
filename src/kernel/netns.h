/* Named network namespaces, compatible with `ip netns`: a namespace NAME is
 * pinned by a bind mount at /run/netns/NAME. */
#ifndef OVSLAB_NETNS_H
#define OVSLAB_NETNS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define NETNS_RUN_DIR "/run/netns"
/* Grace between SIGTERM and SIGKILL for processes left in a namespace. */
#define NETNS_KILL_GRACE_MS 500

/* Creates the named namespace as iproute2 does.  -EEXIST if the name is taken.
 * The calling thread stays in its own namespace. */
int netns_add(const char *name);
/* The same, running fn(arg) inside the new namespace before coming back;
 * a failure of fn undoes the namespace and is returned. */
int netns_add_in(const char *name, int (*fn)(void *arg), void *arg);
/* Removes the name (lazy unmount + unlink).  The namespace itself dies with
 * its last user.  -ENOENT if there is no such name. */
int netns_del(const char *name);
bool netns_exists(const char *name);
/* Returns an O_RDONLY|O_CLOEXEC fd on the namespace, or -errno. */
int netns_open(const char *name);
/* Moves the calling thread into the namespace behind fd (setns). */
int netns_enter(int fd);
/* An fd on the calling thread's current network namespace, to come back to. */
int netns_self(void);
/* Signals every process whose network namespace is NAME: SIGTERM, then
 * SIGKILL for those still there after grace_ms.  Returns how many processes
 * were found, or -errno. */
int netns_kill_pids(const char *name, int grace_ms);
/* The same for several namespaces at once, with one pass over /proc; names
 * that no longer exist are skipped. */
int netns_kill_pids_many(const char *const *names, size_t n, int grace_ms);
/* Calls fn(pid, arg) for each process inside NAME; stops on non-zero return. */
int netns_for_each_pid(const char *name, int (*fn)(pid_t pid, void *arg), void *arg);

#endif
