/* Named network namespaces, compatible with `ip netns`: a namespace NAME is
 * pinned by a bind mount at /run/netns/NAME. */
#ifndef OVSLAB_NETNS_H
#define OVSLAB_NETNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define NETNS_RUN_DIR "/run/netns"
/* Grace between SIGTERM and SIGKILL for processes left in a namespace. */
#define NETNS_KILL_GRACE_MS 500

/* What a namespace is, whatever name it is mounted under: its nsfs inode
 * (which the kernel gives to a new namespace once the old one is gone) and,
 * where the kernel tells it (NS_GET_ID, Linux 6.18), its 64-bit id, never
 * reused.  0: not known. */
struct netns_id {
	uint64_t ino;
	uint64_t id;
};

/* Creates the named namespace as iproute2 does.  -EEXIST if the name is taken.
 * The calling thread stays in its own namespace. */
int netns_add(const char *name);
/* The same, running fn(arg) inside the new namespace before coming back;
 * a failure of fn undoes the namespace and is returned.  *id (if id is not
 * NULL) gets the new namespace's identity. */
int netns_add_in(const char *name, int (*fn)(void *arg), void *arg, struct netns_id *id);
/* Removes the name (lazy unmount + unlink).  The namespace itself dies with
 * its last user.  -ENOENT if there is no such name. */
int netns_del(const char *name);
bool netns_exists(const char *name);
/* Returns an O_RDONLY|O_CLOEXEC fd on the namespace, or -errno. */
int netns_open(const char *name);
/* The identity of the namespace NAME is now, or -errno (-ENOENT: no such
 * name). */
int netns_identify(const char *name, struct netns_id *id);
/* Whether the namespace NAME now is the one want identifies: 1 if so (or
 * if want says nothing: an old record), 0 if the name holds another one,
 * -errno if it cannot be told (-ENOENT: no such name). */
int netns_is(const char *name, const struct netns_id *want);
/* netns_open, but only of the namespace want identifies: -ESTALE, with a
 * message, when the name holds another one. */
int netns_open_as(const char *name, const struct netns_id *want);
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
