/* Named network namespaces as `ip netns` makes them: the bind mount under
 * /run/netns, entering, listing and killing what runs inside (netns.h). */
#include "kernel/netns.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/nsfs.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include "util/err.h"

#ifndef NS_GET_ID
/* Linux 6.18's nsfs: a namespace's 64-bit id (for a network namespace, its
 * cookie), never given to another namespace. */
#define NS_GET_ID _IOR(NSIO, 0xd, uint64_t)
#endif

#define NETNS_POLL_MS 10
/* SIGKILL is not ignorable: this only bounds the wait for the kernel to reap. */
#define NETNS_KILL_WAIT_MS 1000

static int netns_path(const char *name, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s/%s", NETNS_RUN_DIR, name);

	if (n < 0 || (size_t)n >= len || !name[0] || strchr(name, '/')) {
		err_set("%s: invalid network namespace name", name);
		return -EINVAL;
	}
	return 0;
}

/* Mounts made later below /run/netns must reach every mount namespace that
 * sees /run/netns (`ip netns exec` runs in a slave copy of ours), so the
 * directory has to be a shared mount point: make it one, bind-mounting it on
 * itself first when it is not a mount point yet, as iproute2 does. */
static bool netns_run_dir_done;

static int netns_run_dir_shared(void)
{
	int ret = 0;

	if (mount("", NETNS_RUN_DIR, "none", MS_SHARED | MS_REC, NULL) == 0)
		goto out;
	if (errno != EINVAL) {
		ret = -errno;
		err_set("%s: cannot make it a shared mount: %s", NETNS_RUN_DIR, strerror(errno));
		goto out;
	}
	if (mount(NETNS_RUN_DIR, NETNS_RUN_DIR, "none", MS_BIND | MS_REC, NULL) < 0 ||
	    mount("", NETNS_RUN_DIR, "none", MS_SHARED | MS_REC, NULL) < 0) {
		ret = -errno;
		err_set("%s: cannot make it a shared mount: %s", NETNS_RUN_DIR, strerror(errno));
	}
out:
	return ret;
}

int netns_add(const char *name)
{
	return netns_add_in(name, NULL, NULL, NULL);
}

/* fstat and one ioctl: cheap enough for every host of a big lab. */
static int netns_fd_identify(int fd, struct netns_id *id)
{
	struct statfs fs;
	struct stat st;

	*id = (struct netns_id){ 0 };
	if (fstat(fd, &st) < 0 || fstatfs(fd, &fs) < 0)
		return -errno;
	/* The empty file a name is pinned on, with no namespace mounted on it:
	 * what a create or delete killed between its steps leaves.  No
	 * namespace has that name, which is not someone else's namespace. */
	if (fs.f_type != NSFS_MAGIC && S_ISREG(st.st_mode) && st.st_size == 0)
		return -ENOENT;
	id->ino = st.st_ino;
	/* An older kernel has no such ioctl: the inode alone must do. */
	if (ioctl(fd, NS_GET_ID, &id->id) < 0)
		id->id = 0;
	return 0;
}

int netns_add_in(const char *name, int (*fn)(void *arg), void *arg, struct netns_id *id)
{
	char path[PATH_MAX];
	int lockfd = -1, selffd = -1, fd = -1;
	bool created = false, moved = false;
	int ret;

	ret = netns_path(name, path, sizeof(path));
	if (ret < 0)
		goto out;
	if (mkdir(NETNS_RUN_DIR, 0755) < 0 && errno != EEXIST) {
		ret = -errno;
		err_set("%s: cannot create directory: %s", NETNS_RUN_DIR, strerror(errno));
		goto out;
	}
	/* Two processes making the directory shared at once could both see
	 * EINVAL and stack two bind mounts of it; the lock serialises that. */
	lockfd = open(NETNS_RUN_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (lockfd < 0 || flock(lockfd, LOCK_EX) < 0) {
		ret = -errno;
		err_set("%s: cannot lock: %s", NETNS_RUN_DIR, strerror(errno));
		goto out;
	}
	/* Once per process: the directory stays shared. */
	if (!netns_run_dir_done) {
		ret = netns_run_dir_shared();
		if (ret < 0)
			goto out;
		netns_run_dir_done = true;
	}
	selffd = netns_self();
	if (selffd < 0) {
		ret = selffd;
		err_set("%s: cannot open the current network namespace: %s", name, strerror(-ret));
		goto out;
	}
	fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
	if (fd < 0) {
		ret = -errno;
		if (ret == -EEXIST)
			err_set("%s: a network namespace of that name already exists", name);
		else
			err_set("%s: cannot create %s: %s", name, path, strerror(errno));
		goto out;
	}
	created = true;
	close(fd);
	fd = -1;
	/* CLONE_NEWNET only moves the calling thread, not the whole process. */
	if (unshare(CLONE_NEWNET) < 0) {
		ret = -errno;
		err_set("%s: cannot create a network namespace: %s", name, strerror(errno));
		goto out;
	}
	moved = true;
	/* /proc/self is the thread group leader, which may be another thread
	 * still in the old namespace; thread-self is the thread that unshared. */
	if (mount("/proc/thread-self/ns/net", path, "none", MS_BIND, NULL) < 0) {
		ret = -errno;
		err_set("%s: cannot bind mount the namespace on %s: %s", name, path, strerror(errno));
		goto out;
	}
	if (id) {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || netns_fd_identify(fd, id) < 0) {
			ret = -errno;
			err_set("%s: cannot read the new namespace's identity: %s", name,
				strerror(errno));
			umount2(path, MNT_DETACH);
			goto out;
		}
	}
	/* While the thread is in there anyway: the caller's set-up, without
	 * two more moves. */
	if (fn) {
		ret = fn(arg);
		if (ret < 0)
			umount2(path, MNT_DETACH);
	}
out:
	if (moved && setns(selffd, CLONE_NEWNET) < 0 && ret == 0) {
		ret = -errno;
		err_set("%s: cannot return to the original network namespace: %s", name,
			strerror(errno));
		umount2(path, MNT_DETACH);
	}
	if (ret < 0 && created)
		unlink(path);
	if (fd >= 0)
		close(fd);
	if (selffd >= 0)
		close(selffd);
	if (lockfd >= 0)
		close(lockfd);
	return ret;
}

int netns_del(const char *name)
{
	char path[PATH_MAX];
	int ret;

	ret = netns_path(name, path, sizeof(path));
	if (ret < 0)
		goto out;
	/* EINVAL: not a mount point (a half-made name); the file still goes. */
	if (umount2(path, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT) {
		ret = -errno;
		err_set("%s: cannot unmount %s: %s", name, path, strerror(errno));
		goto out;
	}
	if (unlink(path) < 0) {
		ret = -errno;
		if (ret == -ENOENT)
			err_set("%s: no such network namespace", name);
		else
			err_set("%s: cannot remove %s: %s", name, path, strerror(errno));
		goto out;
	}
out:
	return ret;
}

bool netns_exists(const char *name)
{
	char path[PATH_MAX];
	int n = snprintf(path, sizeof(path), "%s/%s", NETNS_RUN_DIR, name);

	if (n < 0 || (size_t)n >= sizeof(path))
		return false;
	return access(path, F_OK) == 0;
}

int netns_open(const char *name)
{
	char path[PATH_MAX];
	int ret;

	ret = netns_path(name, path, sizeof(path));
	if (ret < 0)
		goto out;
	ret = open(path, O_RDONLY | O_CLOEXEC);
	if (ret < 0) {
		ret = -errno;
		if (ret == -ENOENT)
			err_set("%s: no such network namespace", name);
		else
			err_set("%s: cannot open %s: %s", name, path, strerror(errno));
	}
out:
	return ret;
}

int netns_identify(const char *name, struct netns_id *id)
{
	int fd = netns_open(name);
	int ret;

	if (fd < 0)
		return fd;
	ret = netns_fd_identify(fd, id);
	if (ret < 0)
		err_set("%s: cannot read the namespace's identity: %s", name, strerror(-ret));
	close(fd);
	return ret;
}

static bool netns_id_known(const struct netns_id *want)
{
	return want && (want->ino || want->id);
}

/* The id, where both sides know it, decides; the inode only where not. */
static bool netns_id_same(const struct netns_id *want, const struct netns_id *now)
{
	if (want->id && now->id)
		return want->id == now->id;
	return want->ino == now->ino;
}

int netns_is(const char *name, const struct netns_id *want)
{
	struct netns_id now;
	bool held;
	int ret;

	if (!netns_id_known(want))
		return netns_exists(name) ? 1 : -ENOENT;
	held = err_hold();
	ret = netns_identify(name, &now);
	err_release(held);
	return ret < 0 ? ret : netns_id_same(want, &now);
}

int netns_open_as(const char *name, const struct netns_id *want)
{
	struct netns_id now;
	int fd = netns_open(name);
	int ret;

	if (fd < 0 || !netns_id_known(want))
		return fd;
	ret = netns_fd_identify(fd, &now);
	if (ret < 0) {
		err_set("%s: cannot read the namespace's identity: %s", name, strerror(-ret));
		goto out;
	}
	if (!netns_id_same(want, &now)) {
		ret = -ESTALE;
		err_set("%s: the network namespace of that name is not the lab's (it was made anew "
			"by someone else)", name);
		goto out;
	}
	return fd;
out:
	close(fd);
	return ret;
}

int netns_enter(int fd)
{
	if (setns(fd, CLONE_NEWNET) < 0) {
		int ret = -errno;

		err_set("cannot enter network namespace: %s", strerror(errno));
		return ret;
	}
	return 0;
}

int netns_self(void)
{
	int fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

/* Whether pid's network namespace is the one identified by ns.  A zombie has
 * no namespace any more (its ns/net cannot be opened): it counts as gone. */
static bool netns_pid_in(pid_t pid, const struct stat *ns)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	if (stat(path, &st) < 0)
		return false;
	return st.st_dev == ns->st_dev && st.st_ino == ns->st_ino;
}

static int netns_stat(const char *name, struct stat *st)
{
	char path[PATH_MAX];
	int ret;

	ret = netns_path(name, path, sizeof(path));
	if (ret < 0)
		goto out;
	if (stat(path, st) < 0) {
		ret = -errno;
		if (ret == -ENOENT)
			err_set("%s: no such network namespace", name);
		else
			err_set("%s: cannot stat %s: %s", name, path, strerror(errno));
	}
out:
	return ret;
}

int netns_for_each_pid(const char *name, int (*fn)(pid_t pid, void *arg), void *arg)
{
	struct stat ns;
	DIR *dir = NULL;
	struct dirent *de;
	int ret;

	ret = netns_stat(name, &ns);
	if (ret < 0)
		goto out;
	dir = opendir("/proc");
	if (!dir) {
		ret = -errno;
		err_set("/proc: cannot list processes: %s", strerror(errno));
		goto out;
	}
	while ((de = readdir(dir))) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);

		if (*end || pid <= 0 || end == de->d_name)
			continue;
		if (!netns_pid_in((pid_t)pid, &ns))
			continue;
		ret = fn((pid_t)pid, arg);
		if (ret)
			goto out;
	}
out:
	if (dir)
		closedir(dir);
	return ret;
}

struct netns_pids {
	pid_t *pids;
	size_t n, cap;
};

static int netns_collect(pid_t pid, void *arg)
{
	struct netns_pids *p = arg;

	if (pid == getpid())
		return 0;
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 16;
		pid_t *pids = realloc(p->pids, cap * sizeof(*pids));

		if (!pids)
			return -ENOMEM;
		p->pids = pids;
		p->cap = cap;
	}
	p->pids[p->n++] = pid;
	return 0;
}

/* A set of namespaces by inode, sorted, so that one pass over /proc finds
 * the processes of a whole lab (1000 namespaces: one pass, not 1000). */
struct netns_set {
	ino_t *ino;
	size_t n;
	dev_t dev;
};

static int netns_ino_cmp(const void *a, const void *b)
{
	ino_t x = *(const ino_t *)a, y = *(const ino_t *)b;

	return x < y ? -1 : x > y;
}

static bool netns_set_has(const struct netns_set *set, pid_t pid)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	/* A zombie has no namespace any more: it counts as gone. */
	if (stat(path, &st) < 0 || st.st_dev != set->dev)
		return false;
	return bsearch(&st.st_ino, set->ino, set->n, sizeof(*set->ino), netns_ino_cmp) != NULL;
}

/* Waits up to ms for the processes to leave; returns how many are still
 * there, compacted to the front of p->pids. */
static size_t netns_wait_gone(struct netns_pids *p, const struct netns_set *set, int ms)
{
	const struct timespec tick = { 0, NETNS_POLL_MS * 1000000L };
	size_t left = p->n;

	for (int waited = 0;; waited += NETNS_POLL_MS) {
		size_t j = 0;

		for (size_t i = 0; i < left; i++)
			if (netns_set_has(set, p->pids[i]))
				p->pids[j++] = p->pids[i];
		left = j;
		if (!left || waited >= ms)
			break;
		nanosleep(&tick, NULL);
	}
	return left;
}

static int netns_collect_set(const struct netns_set *set, struct netns_pids *p)
{
	DIR *dir = opendir("/proc");
	struct dirent *de;
	int ret = 0;

	if (!dir) {
		ret = -errno;
		err_set("/proc: cannot list processes: %s", strerror(errno));
		return ret;
	}
	while (ret == 0 && (de = readdir(dir))) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);

		if (*end || pid <= 0 || end == de->d_name || !netns_set_has(set, (pid_t)pid))
			continue;
		ret = netns_collect((pid_t)pid, p);
	}
	closedir(dir);
	return ret;
}

int netns_kill_pids_many(const char *const *names, size_t n, int grace_ms)
{
	struct netns_set set = { 0 };
	struct netns_pids p = { 0 };
	size_t found;
	int ret = 0;

	set.ino = calloc(n ? n : 1, sizeof(*set.ino));
	if (!set.ino)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		bool held = err_hold();
		struct stat st;

		if (netns_stat(names[i], &st) < 0) {
			err_release(held); /* already gone: nothing runs there */
			continue;
		}
		set.dev = st.st_dev;
		set.ino[set.n++] = st.st_ino;
	}
	qsort(set.ino, set.n, sizeof(*set.ino), netns_ino_cmp);
	if (set.n)
		ret = netns_collect_set(&set, &p);
	if (ret < 0)
		goto out;
	for (size_t i = 0; i < p.n; i++)
		kill(p.pids[i], SIGTERM);
	found = p.n;
	p.n = netns_wait_gone(&p, &set, grace_ms);
	for (size_t i = 0; i < p.n; i++)
		kill(p.pids[i], SIGKILL);
	if (p.n)
		netns_wait_gone(&p, &set, NETNS_KILL_WAIT_MS);
	ret = found > INT_MAX ? INT_MAX : (int)found;
out:
	free(p.pids);
	free(set.ino);
	return ret;
}

int netns_kill_pids(const char *name, int grace_ms)
{
	struct stat st;
	int ret = netns_stat(name, &st);

	return ret < 0 ? ret : netns_kill_pids_many(&name, 1, grace_ms);
}
