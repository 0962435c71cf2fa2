/* A private network + mount namespace for one test: nothing a test does to
 * interfaces, the firewall, /run/netns, /run/ovslab or /run/openvswitch is
 * seen by the machine.  Criterion runs each test in its own process, so a
 * test's .init calls sandbox_enter() and everything it makes dies with it. */
#ifndef OVSLAB_TEST_SANDBOX_H
#define OVSLAB_TEST_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* unshare(CLONE_NEWNET|CLONE_NEWNS), / made recursively private, fresh
 * tmpfs on /run/netns, /run/ovslab, /run/openvswitch and SANDBOX_FILES, sysfs remounted for
 * the new namespace, lo up.  Aborts the test (cr_assert) on failure. */
void sandbox_enter(void);

/* Runs argv (argv[0] looked up in PATH) and returns its exit status (or
 * 128+signal); stdout+stderr are captured into out (NUL-terminated, may be
 * NULL) up to len bytes. */
int sandbox_run(char *const argv[], char *out, size_t len);

/* Like sandbox_run with a printf-built command split on spaces (no quoting). */
int sandbox_runf(char *out, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Where a test writes its own lab files: a tmpfs of the sandbox's. */
#define SANDBOX_FILES "/run/ovslab-test"

/* Writes text to path (a test's own lab file, under SANDBOX_FILES). */
void sandbox_write(const char *path, const char *text);

/* The "outside" of NAT tests: a namespace "outside" holding
 * SANDBOX_OUT_SERVER, reached through the veth up0 (SANDBOX_OUT_UPLINK), which
 * is the sandbox's default route.  Traffic to it never leaves the sandbox. */
#define SANDBOX_OUT_SERVER "198.51.100.2"
#define SANDBOX_OUT_UPLINK "198.51.100.1"
void sandbox_outside(void);

/* The inode of the named namespace's file under /run/netns: the same inode
 * after an edit means the host was kept, not made anew.  Aborts the test if
 * there is no such namespace. */
ino_t sandbox_ns_inode(const char *ns);

/* Whether a process named comm runs in the sandbox's own namespace. */
bool sandbox_proc_running(const char *comm);

/* Forks a child that moves into the named network namespace and exits with
 * fn(arg) (alarm: 20 s, so a hung child fails instead of hanging); and
 * waits for one, returning its exit status (128+signal). */
pid_t sandbox_in_netns(const char *ns, int (*fn)(void *), void *arg);
int sandbox_wait(pid_t pid);

/* A computer of its own inside the sandbox, for what ovslab does across
 * computers: a process in new network, mount and PID namespaces with its
 * own tmpfs on /run/netns, /run/ovslab, /run/openvswitch, its own /proc and
 * /sys, lo up.  Whatever runs in it dies with it, and it dies with the
 * test.  init: its first process as the sandbox sees it (its files:
 * /proc/INIT/root/...). */
struct sandbox_computer {
	pid_t holder, init;
};
void sandbox_computer(struct sandbox_computer *c);
/* sandbox_run / sandbox_runf inside the computer. */
int sandbox_computer_run(const struct sandbox_computer *c, char *const argv[], char *out,
			 size_t len);
int sandbox_computer_runf(const struct sandbox_computer *c, char *out, size_t len,
			  const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Ends it, and everything that runs in it. */
void sandbox_computer_end(struct sandbox_computer *c);

/* Runs the ovslab binary under test with printf-built arguments (split on
 * spaces, as sandbox_runf), output into out. */
int sandbox_ovslabf(char *out, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Starts the ovslab binary under test with two arguments, its output to
 * /dev/null, without waiting for it (to kill it midway). */
pid_t sandbox_ovslab_spawn(const char *arg1, const char *arg2);

/* Path of the ovslab binary under test (meson passes OVSLAB_BIN). */
const char *sandbox_ovslab(void);

/* Path of a fixture file (meson passes FIXTURES_DIR). */
const char *sandbox_fixture(const char *name);

#endif
