/* The machine's own values of what labs borrow, one small file per key next
 * to the labs' journals (a leading dot: never a lab's name). */
#include "journal/borrow.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "journal/journal.h"
#include "util/err.h"

static void borrow_path(const char *key, char *buf, size_t len)
{
	snprintf(buf, len, "%s/.borrowed-%s", journal_root(), key);
}

int borrow_record(const char *key, const char *before)
{
	char path[4096], tmp[4200];
	size_t len = strlen(before);
	int fd, ret = 0;

	borrow_path(key, path, sizeof(path));
	if (access(path, F_OK) == 0)
		return 0;
	/* Written aside and linked into place: the record is whole or absent,
	 * and an existing one (an earlier lab's) is never replaced. */
	snprintf(tmp, sizeof(tmp), "%s.%d", path, (int)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		ret = -errno;
		goto out;
	}
	if (write(fd, before, len) != (ssize_t)len || fsync(fd) < 0)
		ret = errno ? -errno : -EIO;
	close(fd);
	if (ret == 0 && link(tmp, path) < 0 && errno != EEXIST)
		ret = -errno;
	unlink(tmp);
out:
	if (ret < 0)
		err_set("%s: cannot record the machine's value: %s", key, strerror(-ret));
	return ret;
}

int borrow_get(const char *key, char *buf, size_t len)
{
	char path[4096];
	ssize_t n;
	int fd;

	borrow_path(key, path, sizeof(path));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	if (n < 0)
		n = -errno;
	close(fd);
	if (n <= 0)
		return n < 0 ? (int)n : -ENOENT;
	buf[n] = '\0';
	return 0;
}

int borrow_drop(const char *key)
{
	char path[4096];

	borrow_path(key, path, sizeof(path));
	if (unlink(path) < 0 && errno != ENOENT) {
		int ret = -errno;

		err_set("%s: cannot forget the machine's value: %s", key, strerror(-ret));
		return ret;
	}
	return 0;
}
