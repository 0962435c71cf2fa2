/* `ovslab gc`: removes what killed or crashed runs left behind (incomplete
 * labs, marked rows and rules of labs without a journal, an unused private switch). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "apply/forward.h"
#include "apply/machines.h"
#include "util/err.h"
#include "util/strset.h"
#include "model/lab.h"
#include "cmd/cmd.h"
#include "journal/lock.h"
#include "firewall/firewall.h"
#include "switch/ovsdb.h"
#include "switch/switchd.h"

/* A stopped daemon gets this long to exit after SIGTERM, then as long again
 * after SIGKILL. */
#define GC_KILL_GRACE_MS 2000

struct gc {
	FILE *out;
	size_t done;  /* things removed */
	size_t told;  /* things reported that gc leaves alone */
	int first;    /* first failure; gc goes on with the rest */
};

/* A daemon of ovslab's private switch, or of a simulated machine of a lab
 * without a record, found by its command line. */
struct gc_daemon {
	pid_t pid;
	bool vswitchd; /* stopped before its database server */
	bool machine;  /* a machine's (apply/machines.h) */
};

struct gc_daemons {
	struct gc_daemon *v;
	size_t n;
};

static void gc_note(struct gc *g, int ret)
{
	if (ret < 0 && g->first == 0)
		g->first = ret;
}

static int gc_collect(const char *lab, void *arg)
{
	return strset_add(arg, lab);
}

static void gc_collect_void(const char *lab, void *arg)
{
	strset_add(arg, lab);
}

/* Takes the lab's lock without waiting.  -ETIMEDOUT (the lab is busy) is
 * not a failure of gc: a running command owns the lab. */
static int gc_lock(const char *lab)
{
	bool held = err_hold();
	int fd = lock_lab(lab, 0);

	if (fd == -ETIMEDOUT)
		err_release(held);
	return fd;
}

static void gc_plural(char *buf, size_t len, size_t n, const char *what)
{
	size_t used = strlen(buf);

	snprintf(buf + used, len - used, "%s%zu %s%s", used ? ", " : "", n, what,
		 n == 1 ? "" : "s");
}

/* What the journal lists, for the line that says it was removed. */
static void gc_describe(const struct journal *st, char *buf, size_t len)
{
	enum journal_switch sw = journal_get_switch(st, NULL);
	size_t netns = 0, links = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < st->n_entries; i++) {
		if (st->entries[i].forgotten)
			continue;
		netns += st->entries[i].kind == JOURNAL_NETNS;
		links += st->entries[i].kind == JOURNAL_LINK || st->entries[i].kind == JOURNAL_TAP;
	}
	gc_plural(buf, len, netns, "namespace");
	gc_plural(buf, len, links, "interface");
	if (sw != JOURNAL_SWITCH_NONE) {
		size_t used = strlen(buf);

		snprintf(buf + used, len - used, ", %s", sw == JOURNAL_SWITCH_PRIVATE
			 ? "its private switch" : "its rows in the shared switch");
	}
	if (journal_get(st, JOURNAL_NAT)) {
		size_t used = strlen(buf);

		snprintf(buf + used, len - used, ", its NAT rules");
	}
}

/* Step 1: a record without the completion mark whose lock is free was left
 * by a run that died; its journal says what to undo. */
static void gc_incomplete(struct gc *g, const char *lab)
{
	char what[256];
	struct journal st;
	bool held;
	int fd, ret;

	fd = gc_lock(lab);
	if (fd < 0) {
		if (fd != -ETIMEDOUT)
			gc_note(g, fd);
		return;
	}
	/* Read under the lock: the record may have been finished or removed
	 * since it was listed. */
	held = err_hold();
	if (!journal_exists(lab) || journal_open(lab, &st) < 0) {
		err_release(held);
		lock_unlock(lab, fd, !journal_exists(lab));
		return;
	}
	if (journal_get(&st, JOURNAL_COMPLETE)) {
		journal_close(&st);
		lock_unlock(lab, fd, false);
		return;
	}
	gc_describe(&st, what, sizeof(what));
	ret = cmd_teardown(&st);
	if (ret == 0) {
		fprintf(g->out, "gc: lab %s: removed what an interrupted run left (%s)\n", lab, what);
		g->done++;
	} else {
		fprintf(g->out, "gc: lab %s: could not remove everything an interrupted run left\n",
			lab);
		gc_note(g, ret);
	}
	lock_unlock(lab, fd, !journal_exists(lab));
}

/* Steps 2 and 3 work on a lab only while holding its lock and only if it
 * still has no record then: an `up` creates the record before anything
 * else, so a lab being built is never taken for an orphan. */
static int gc_orphan_lock(const char *lab)
{
	int fd;

	/* A mark that is no valid lab name was not made by ovslab. */
	if (!lab_name_valid(lab) || journal_exists(lab))
		return -EEXIST;
	fd = gc_lock(lab);
	if (fd >= 0 && journal_exists(lab)) {
		lock_unlock(lab, fd, false);
		return -EEXIST;
	}
	return fd;
}

/* Step 2: rows marked for a lab that has no record, in the switch at
 * remote (the machine's, or ovslab's private one still serving labs). */
static void gc_switch_rows(struct gc *g, const char *remote, bool must_answer)
{
	struct strset names = { NULL, 0 };
	struct ovsdb *db = NULL;
	bool held;
	int ret;

	held = err_hold();
	ret = ovsdb_open(remote, OVSDB_TIMEOUT_MS, &db);
	if (ret < 0 && !must_answer) {
		err_release(held);
		goto out;
	}
	if (ret == 0)
		ret = ovsdb_lab_names(db, gc_collect_void, &names);
	if (ret < 0) {
		gc_note(g, ret);
		goto out;
	}
	for (size_t i = 0; i < names.n; i++) {
		const char *lab = names.v[i];
		int fd = gc_orphan_lock(lab);

		if (fd < 0) {
			if (fd != -EEXIST && fd != -ETIMEDOUT)
				gc_note(g, fd);
			continue;
		}
		ret = ovsdb_lab_remove(db, lab, OVSDB_TIMEOUT_MS);
		if (ret == 0) {
			fprintf(g->out, "gc: removed OVS rows of lab %s from %s (no record)\n", lab,
				remote);
			g->done++;
		}
		gc_note(g, ret);
		lock_unlock(lab, fd, true);
	}
out:
	ovsdb_close(db);
	strset_free(&names);
}

static void gc_rows(struct gc *g)
{
	char remote[PATH_MAX + 8];

	if (switchd_find_shared(remote, sizeof(remote)) == 0)
		gc_switch_rows(g, remote, true);
	/* The private switch is only there while some lab uses it (step 4
	 * stopped it otherwise); a dead one is started again by `up` of one of
	 * its labs, or goes with `down` of them. */
	if (access(SWITCHD_PRIVATE_DIR "/db.sock", F_OK) == 0 &&
	    !switchd_private_dead(SWITCHD_PRIVATE_DIR))
		gc_switch_rows(g, "unix:" SWITCHD_PRIVATE_DIR "/db.sock", false);
}

/* Step 3: NAT rules of a lab that has no record. */
static void gc_nat(struct gc *g)
{
	struct strset names = { NULL, 0 };
	int ret;

	ret = fw_lab_names(gc_collect_void, &names);
	if (ret < 0) {
		gc_note(g, ret);
		goto out;
	}
	for (size_t i = 0; i < names.n; i++) {
		const char *lab = names.v[i];
		int fd = gc_orphan_lock(lab);
		int n;

		if (fd < 0) {
			if (fd != -EEXIST && fd != -ETIMEDOUT)
				gc_note(g, fd);
			continue;
		}
		n = fw_remove(lab);
		if (n > 0) {
			fprintf(g->out, "gc: removed %d firewall rule%s of lab %s (no record)\n",
				n, n == 1 ? "" : "s", lab);
			g->done++;
		}
		gc_note(g, n);
		lock_unlock(lab, fd, true);
	}
out:
	strset_free(&names);
}

/* Whether pid runs ovsdb-server or ovs-vswitchd with ovslab's private
 * switch directory in its command line (machine: the directory of a machine
 * of a lab that has no record). */
static bool gc_daemon_of_switch(pid_t pid, bool *vswitchd, bool machine)
{
	static const char dir[] = SWITCHD_PRIVATE_DIR "/";
	char cmd[8192];
	const char *base;
	ssize_t n = switchd_cmdline(pid, cmd, sizeof(cmd), &base);

	if (n <= 0 || (strcmp(base, "ovs-vswitchd") && strcmp(base, "ovsdb-server")))
		return false;
	*vswitchd = !strcmp(base, "ovs-vswitchd");
	for (ssize_t off = (ssize_t)strlen(cmd) + 1; off < n; off += (ssize_t)strlen(cmd + off) + 1)
		if (machine ? machines_orphan_word(cmd + off) : !!strstr(cmd + off, dir))
			return true;
	return false;
}

/* A daemon in another mount namespace may see another /run/ovslab (a
 * container, a test sandbox): what it serves is not ours to judge. */
static bool gc_same_run_dir(pid_t pid, const struct stat *mine)
{
	char path[128];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d/root" JOURNAL_RUN_DIR, (int)pid);
	return stat(path, &st) == 0 && st.st_dev == mine->st_dev && st.st_ino == mine->st_ino;
}

static int gc_find_daemons(struct gc_daemons *ds, bool machine)
{
	struct stat mine;
	struct dirent *de;
	DIR *d;
	int ret = 0;

	ds->n = 0;
	/* No run directory: no private switch can be running from it. */
	if (stat(JOURNAL_RUN_DIR, &mine) < 0)
		return 0;
	d = opendir("/proc");
	if (!d) {
		ret = -errno;
		err_set("/proc: cannot list processes: %s", strerror(errno));
		goto out;
	}
	while ((de = readdir(d))) {
		struct gc_daemon one = { 0 };
		struct gc_daemon *nv;
		char *end;
		long pid = strtol(de->d_name, &end, 10);

		if (*end || pid <= 1 || pid == getpid())
			continue;
		one.pid = (pid_t)pid;
		one.machine = machine;
		if (!gc_daemon_of_switch(one.pid, &one.vswitchd, machine) ||
		    !gc_same_run_dir(one.pid, &mine))
			continue;
		nv = realloc(ds->v, (ds->n + 1) * sizeof(*nv));
		if (!nv) {
			ret = -ENOMEM;
			goto out;
		}
		ds->v = nv;
		ds->v[ds->n++] = one;
	}
out:
	if (d)
		closedir(d);
	return ret;
}

/* SIGTERM, then SIGKILL after the grace.  The pidfd pins the process, so
 * the check of its command line and the signal concern the same one: a
 * number may have been reused by the time it is signalled. */
static int gc_stop_daemon(const struct gc_daemon *d)
{
	static const int sigs[] = { SIGTERM, SIGKILL };
	const char *name = d->vswitchd ? "ovs-vswitchd" : "ovsdb-server";
	int pfd = pidfd_open(d->pid, 0);
	int ret = 0;

	if (pfd < 0)
		return errno == ESRCH ? 0 : -errno;
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		struct pollfd p = { .fd = pfd, .events = POLLIN };
		bool vswitchd;

		if (!gc_daemon_of_switch(d->pid, &vswitchd, d->machine) || vswitchd != d->vswitchd)
			goto out;
		if (pidfd_send_signal(pfd, sigs[i], NULL, 0) < 0) {
			ret = errno == ESRCH ? 0 : -errno;
			goto out;
		}
		if (poll(&p, 1, GC_KILL_GRACE_MS) > 0)
			goto out;
	}
	ret = -EBUSY;
out:
	if (ret < 0)
		err_set("%s: process %d of ovslab's private switch does not stop: %s", name,
			(int)d->pid, strerror(-ret));
	close(pfd);
	return ret;
}

static int gc_daemon_cmp(const void *a, const void *b)
{
	const struct gc_daemon *x = a, *y = b;

	/* ovs-vswitchd first: it is its database server's client. */
	return (int)y->vswitchd - (int)x->vswitchd;
}

/* A bridge a user added to the private switch keeps it running even when no
 * lab uses it: stopping the switch would destroy that bridge. */
static bool gc_switch_holds_foreign(struct gc *g)
{
	bool held = err_hold();
	char names[512];
	int n = 0;

	if (access(SWITCHD_PRIVATE_DIR "/db.sock", F_OK) == 0)
		n = ovsdb_foreign_bridges("unix:" SWITCHD_PRIVATE_DIR "/db.sock", OVSDB_TIMEOUT_MS,
					  names, sizeof(names));
	err_release(held);
	if (n <= 0)
		return false;
	fprintf(g->out, "gc: left ovslab's private switch running, because it holds %s %s, which "
		"ovslab did not make\n", n == 1 ? "bridge" : "bridges", names);
	return true;
}

/* Stops them, ovs-vswitchd first; returns how many stopped. */
static size_t gc_stop_daemons(struct gc *g, struct gc_daemons *ds)
{
	size_t stopped = 0;

	if (ds->n)
		qsort(ds->v, ds->n, sizeof(*ds->v), gc_daemon_cmp);
	for (size_t i = 0; i < ds->n; i++) {
		int ret = gc_stop_daemon(&ds->v[i]);

		gc_note(g, ret);
		stopped += ret == 0;
	}
	return stopped;
}

/* Step 4: ovslab's private switch when no lab record uses it any more.  Its
 * own stop (exit --cleanup) when its directory is there; by signal when the
 * directory is gone and only the processes are left. */
static void gc_private_switch(struct gc *g)
{
	struct gc_daemons ds = { NULL, 0 };
	struct switchd priv = { .private = true };
	bool dir;
	size_t stopped = 0;
	int fd, ret;

	fd = gc_lock(SWITCHD_LOCK);
	if (fd < 0) {
		if (fd != -ETIMEDOUT)
			gc_note(g, fd);
		return;
	}
	/* Under the switch's lock: no lab can start using it meanwhile. */
	if (!journal_private_switch_used(SWITCHD_PRIVATE_DIR, NULL) && gc_switch_holds_foreign(g))
		goto out;
	if (journal_private_switch_used(SWITCHD_PRIVATE_DIR, NULL)) {
		unsigned dead = switchd_private_dead(SWITCHD_PRIVATE_DIR);

		/* Not gc's to stop, but worth saying: nothing works meanwhile. */
		if (dead) {
			fprintf(g->out, "gc: ovslab's private switch in %s is dead (%s not running) "
				"and labs use it: `ovslab up` on the file of one starts it again\n",
				SWITCHD_PRIVATE_DIR,
				dead & SWITCHD_DEAD_OVSDB ? "ovsdb-server" : "ovs-vswitchd");
			g->told++;
		}
		goto out;
	}
	ret = gc_find_daemons(&ds, false);
	if (ret < 0) {
		gc_note(g, ret);
		goto out;
	}
	dir = access(SWITCHD_PRIVATE_DIR, F_OK) == 0;
	if (!dir && ds.n == 0)
		goto out;
	if (dir) {
		snprintf(priv.rundir, sizeof(priv.rundir), "%s", SWITCHD_PRIVATE_DIR);
		ret = switchd_stop(&priv);
		gc_note(g, ret);
		if (ret == 0 && ds.n == 0) {
			fprintf(g->out, "gc: removed the directory of ovslab's private switch %s "
				"(no lab uses it)\n", SWITCHD_PRIVATE_DIR);
			g->done++;
		}
		stopped = ds.n;
		ret = gc_find_daemons(&ds, false);
		if (ret < 0) {
			gc_note(g, ret);
			goto out;
		}
		stopped = stopped > ds.n ? stopped - ds.n : 0;
	}
	stopped += gc_stop_daemons(g, &ds);
	if (stopped) {
		fprintf(g->out, "gc: stopped ovslab's private switch (%zu process%s; no lab uses it)\n",
			stopped, stopped == 1 ? "" : "es");
		g->done++;
	}
out:
	free(ds.v);
	lock_unlock(SWITCHD_LOCK, fd, access(SWITCHD_PRIVATE_DIR, F_OK) < 0);
}

/* Step 4: the switches of simulated machines whose lab's record is gone (a
 * record that is there is gc_incomplete's, or the lab is up). */
static void gc_machine_daemons(struct gc *g)
{
	struct gc_daemons ds = { NULL, 0 };
	size_t stopped = 0;
	int ret = gc_find_daemons(&ds, true);

	if (ret < 0)
		gc_note(g, ret);
	stopped = gc_stop_daemons(g, &ds);
	if (stopped) {
		fprintf(g->out, "gc: stopped %zu switch process%s of machines of labs without a "
			"record\n", stopped, stopped == 1 ? "" : "es");
		g->done++;
	}
	free(ds.v);
}

/* Step 4: net.ipv4.ip_forward, borrowed by labs that are all gone now
 * (their records removed by a crash or by hand), goes back. */
static void gc_forward(struct gc *g)
{
	char before[16];
	int ret;

	if (forward_borrowed(before, sizeof(before)) < 0)
		return;
	ret = forward_give_back(NULL);
	if (ret == 0 && forward_borrowed(before, sizeof(before)) == -ENOENT) {
		fprintf(g->out, "gc: put net.ipv4.ip_forward back to %.*s (no lab masquerades any more)\n",
			(int)strcspn(before, "\n"), before);
		g->done++;
	}
	gc_note(g, ret);
}

int cmd_gc(FILE *out)
{
	struct gc g = { .out = out };
	struct strset labs = { NULL, 0 };
	int ret;

	ret = journal_for_each_lab(gc_collect, &labs);
	if (ret < 0) {
		err_set("%s: cannot list the lab records: %s", JOURNAL_RUN_DIR, strerror(-ret));
		goto out;
	}
	for (size_t i = 0; i < labs.n; i++)
		gc_incomplete(&g, labs.v[i]);
	/* The unused private switch goes before its rows are looked at:
	 * stopping it drops them all at once. */
	gc_private_switch(&g);
	gc_machine_daemons(&g);
	gc_rows(&g);
	gc_nat(&g);
	gc_forward(&g);
	if (g.done == 0 && g.told == 0 && g.first == 0)
		fprintf(out, "gc: nothing to do\n");
	ret = g.first;
out:
	strset_free(&labs);
	return ret;
}
