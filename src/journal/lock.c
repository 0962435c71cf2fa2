/* The per-lab locks: flock on /run/ovslab/.LAB.lock, files 0600 (lock.h). */
#include "journal/lock.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/err.h"
#include "journal/journal.h"

#define LOCK_POLL_MS 10
/* Anyone who can open the lock can flock it and hold root's commands off. */
#define LOCK_MODE 0600

static void lock_path(const char *lab, char *buf, size_t len)
{
	snprintf(buf, len, JOURNAL_RUN_DIR "/.%s.lock", lab);
}

static long long lock_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A holder that releases with remove unlinks the file first: a lock taken
 * on that orphaned inode excludes nobody, so it only counts if the path
 * still names the very file we locked. */
static bool lock_still_named(int fd, const char *path)
{
	struct stat held, named;

	return fstat(fd, &held) == 0 && stat(path, &named) == 0 &&
	       held.st_dev == named.st_dev && held.st_ino == named.st_ino;
}

/* A lock left by an older ovslab may be 0644: narrow it before use. */
static int lock_private(int fd)
{
	struct stat sb;

	if (fstat(fd, &sb) < 0)
		return -errno;
	if ((sb.st_mode & 07777) != LOCK_MODE && fchmod(fd, LOCK_MODE) < 0)
		return -errno;
	return 0;
}

/* 0 with the lock taken, -ETIMEDOUT at the deadline (<0: none), or -errno. */
static int lock_take(int fd, long long deadline)
{
	const struct timespec tick = { .tv_nsec = LOCK_POLL_MS * 1000000L };

	if (deadline < 0) {
		while (flock(fd, LOCK_EX) < 0)
			if (errno != EINTR)
				return -errno;
		return 0;
	}
	/* Polling instead of a blocking flock interrupted by SIGALRM: no signal
	 * handler to install, nothing to restore. */
	for (;;) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			return 0;
		if (errno != EWOULDBLOCK && errno != EINTR)
			return -errno;
		if (lock_now_ms() >= deadline)
			return -ETIMEDOUT;
		nanosleep(&tick, NULL);
	}
}

int lock_lab(const char *lab, int timeout_ms)
{
	long long deadline = timeout_ms < 0 ? -1 : lock_now_ms() + timeout_ms;
	char path[PATH_MAX];
	int fd = -1;
	int ret;

	lock_path(lab, path, sizeof(path));
	if (mkdir(JOURNAL_RUN_DIR, 0755) < 0 && errno != EEXIST) {
		ret = -errno;
		err_set("%s: cannot create %s: %s", lab, JOURNAL_RUN_DIR, strerror(errno));
		goto out;
	}
	for (;;) {
		fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, LOCK_MODE);
		if (fd < 0) {
			ret = -errno;
			err_set("%s: cannot open the lab's lock %s: %s", lab, path, strerror(errno));
			goto out;
		}
		ret = lock_private(fd);
		if (ret < 0) {
			err_set("%s: cannot make the lab's lock %s private: %s", lab, path,
				strerror(-ret));
			goto out;
		}
		ret = lock_take(fd, deadline);
		if (ret == -ETIMEDOUT) {
			err_set("%s: another ovslab command is working on this lab", lab);
			goto out;
		}
		if (ret < 0) {
			err_set("%s: cannot lock %s: %s", lab, path, strerror(-ret));
			goto out;
		}
		if (lock_still_named(fd, path))
			break;
		close(fd);
		fd = -1;
	}
	ret = fd;
	fd = -1;
out:
	if (fd >= 0)
		close(fd);
	return ret;
}

bool lock_lab_busy(const char *lab)
{
	char path[PATH_MAX];
	bool busy;
	int fd;

	lock_path(lab, path, sizeof(path));
	/* Read-only and never created: looking must not leave a file behind,
	 * and flock works on a descriptor opened for reading. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return false;
	busy = flock(fd, LOCK_EX | LOCK_NB) < 0 && errno == EWOULDBLOCK;
	close(fd);
	return busy;
}

void lock_unlock(const char *lab, int fd, bool remove)
{
	char path[PATH_MAX];

	if (fd < 0)
		return;
	lock_path(lab, path, sizeof(path));
	/* Unlinked while still held, so nobody can lock the file and then see
	 * it vanish; waiters on the old inode notice and open the new one. */
	if (remove && lock_still_named(fd, path))
		unlink(path);
	close(fd);
}
