/* The switch a lab uses: the machine's Open vSwitch when its database
 * answers, otherwise a private ovsdb-server + ovs-vswitchd in a run directory
 * of ovslab's (the commands' is SWITCHD_PRIVATE_DIR), started by the first lab
 * that needs it and stopped when the last such lab goes down.  Every call
 * takes the switch it acts on, so one process can drive several; but one per
 * network namespace: two userspace switches cannot share one (both make an
 * "ovs-netdev" device). */
#ifndef OVSLAB_SWITCHD_H
#define OVSLAB_SWITCHD_H

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>
#include <stdbool.h>

#define SWITCHD_RUN_ROOT "/run/ovslab"
#define SWITCHD_PRIVATE_DIR SWITCHD_RUN_ROOT "/.switch"
/* Lock name (lock_lab) serialising start, attach and stop of that switch. */
#define SWITCHD_LOCK ".switch"

struct switchd_release;

struct switchd {
	bool private;              /* started by ovslab for this lab */
	char remote[PATH_MAX + 8]; /* OVSDB remote, "unix:/.../db.sock" */
	char rundir[PATH_MAX];     /* private: its daemons' directory */
	char datapath[16];         /* "system" or "netdev" */
	/* The stopped switch's sockets, held until switchd_release_wait(). */
	struct switchd_release *release;
};

/* The remote of the machine's switch if one answers: $OVS_RUNDIR/db.sock or
 * /run/openvswitch/db.sock.  -ENOENT when none does. */
int switchd_find_shared(char *remote, size_t len);
/* Where ovs-vswitchd is (PATH, then /usr/sbin); -ENOENT with a message. */
int switchd_binary(char *path, size_t len);

/* Finds the machine's switch; else attaches to ovslab's private switch in
 * rundir, starting it if it does not run yet.  The caller holds the lock
 * that serialises that switch (SWITCHD_LOCK for SWITCHD_PRIVATE_DIR) so
 * that a lab going down does not stop it meanwhile.  sw must hold no
 * pending release. */
int switchd_start(const char *rundir, struct switchd *sw);

/* Which daemons of the private switch in rundir do not run (a killed one
 * leaves its pidfile behind): SWITCHD_DEAD_* bits, 0 when both run or the
 * directory does not exist. */
#define SWITCHD_DEAD_OVSDB 1u
#define SWITCHD_DEAD_VSWITCHD 2u
unsigned switchd_private_dead(const char *rundir);

/* Starts again whichever daemon of the private switch in rundir died, on
 * its database as it was (so its rows stay); a dead ovs-vswitchd's tap
 * devices ("ovs-netdev", the bridges' internal ports) are deleted first, so
 * that it makes them anew.  0 when both run. */
int switchd_revive(const char *rundir);

/* Stops a private switch (its daemons killed once ovslab holds ovs-vswitchd's
 * sockets; exit --cleanup when it cannot; the tap devices of one that died
 * deleted) and removes its directory.  Does
 * nothing for a shared switch. */
int switchd_stop(struct switchd *sw);

/* switchd_stop() that leaves the killed switch's sockets open, in
 * sw->release: closing each waits for an RCU grace period, so a caller with
 * other teardown to do starts their release with switchd_release_start() and
 * waits for it with switchd_release_wait() (which starts it if need be).
 * Both do nothing for a switch with no release pending. */
int switchd_stop_begin(struct switchd *sw);
void switchd_release_start(struct switchd *sw);
void switchd_release_wait(struct switchd *sw);

/* Reads /proc/PID/cmdline into cmd (NUL-separated words); *base points at
 * the program's name without its directory.  Returns the length or -errno. */
ssize_t switchd_cmdline(pid_t pid, char *cmd, size_t len, const char **base);

/* Asks a daemon's control socket ctl (unixctl) cmd with args, and waits at
 * most timeout_ms for the answer: 0 with *result its text, -EIO with
 * *result the daemon's error text, -ETIMEDOUT, or another -errno.  *result
 * is malloc'd (the caller frees it); result NULL: no answer wanted, a daemon
 * closing the connection is success. */
int switchd_unixctl(const char *ctl, const char *cmd, const char *const *args, size_t n_args,
		    int timeout_ms, char **result);

/* Starts a private switch (datapath netdev) for each simulated machine,
 * in the network namespace behind netns_fds[i], run from rundirs[i] (which
 * must not exist yet), all at once.  sws[i] is filled whatever happens, so
 * that switchd_stop() can stop what did start. */
int switchd_start_machines(struct switchd *sws, char *const *rundirs, const int *netns_fds,
			   size_t n);
/* switchd_start_machines() in parts, so that a machine's own work need not
 * wait for other machines' switches: _begin starts them all and returns at
 * once (sws[i] filled, *out set even on failure unless memory ran out);
 * _wait(s, i) waits for machine i's switch to be ready; _end waits for the
 * others and frees s, returning the first failure.  Every _begin needs its
 * _end, failure or not: it reaps the starters. */
struct switchd_starting;
int switchd_machines_begin(struct switchd *sws, char *const *rundirs, const int *netns_fds,
			   size_t n, struct switchd_starting **out);
int switchd_machines_wait(struct switchd_starting *s, size_t i);
int switchd_machines_end(struct switchd_starting *s);

/* Whether the daemon name ("ovs-vswitchd", "ovsdb-server") of the private
 * switch in rundir runs; *pid: its pid file's, 0 when none. */
bool switchd_daemon_alive(const char *rundir, const char *name, pid_t *pid);

/* "netdev" when the kernel has no openvswitch datapath, else "system". */
const char *switchd_datapath(void);

#endif
