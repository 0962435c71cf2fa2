/* Reading and writing /proc/sys, per network namespace (sysctl.h). */
#include "kernel/sysctl.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util/err.h"

static int sysctl_path(const char *key, char *buf, size_t len)
{
	int n = snprintf(buf, len, "/proc/sys/%s", key);

	if (n < 0 || (size_t)n >= len) {
		err_set("sysctl %s: name too long", key);
		return -ENAMETOOLONG;
	}
	return 0;
}

int sysctl_read(const char *key, char *buf, size_t len)
{
	char path[PATH_MAX];
	size_t used = 0;
	int fd = -1;
	int ret;

	if (!len) {
		ret = -EINVAL;
		err_set("sysctl %s: no room to read the value", key);
		goto out;
	}
	ret = sysctl_path(key, path, sizeof(path));
	if (ret < 0)
		goto out;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		err_set("sysctl %s: cannot open: %s", key, strerror(errno));
		goto out;
	}
	while (used < len - 1) {
		ssize_t n = read(fd, buf + used, len - 1 - used);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			err_set("sysctl %s: cannot read: %s", key, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		used += (size_t)n;
	}
	while (used > 0 && buf[used - 1] == '\n')
		used--;
	buf[used] = '\0';
out:
	if (fd >= 0)
		close(fd);
	return ret;
}

/* Writes value to path opened relative to dirfd (AT_FDCWD: absolute). */
static int sysctl_write_fd(int dirfd, const char *path, const char *key, const char *value)
{
	size_t len = strlen(value);
	ssize_t n;
	int fd;
	int ret = 0;

	fd = openat(dirfd, path, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		err_set("sysctl %s: cannot open: %s", key, strerror(errno));
		goto out;
	}
	/* procfs takes a value in one write; a short one would be a partial value. */
	do
		n = write(fd, value, len);
	while (n < 0 && errno == EINTR);
	if (n < 0 || (size_t)n != len) {
		ret = n < 0 ? -errno : -EIO;
		err_set("sysctl %s: cannot write \"%s\": %s", key, value, strerror(-ret));
		goto out;
	}
out:
	if (fd >= 0)
		close(fd);
	return ret;
}

int sysctl_write(const char *key, const char *value)
{
	char path[PATH_MAX];
	int ret = sysctl_path(key, path, sizeof(path));

	return ret < 0 ? ret : sysctl_write_fd(AT_FDCWD, path, key, value);
}

int sysctl_net_open(void)
{
	int fd = open("/proc/sys/net", O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0) {
		fd = -errno;
		err_set("/proc/sys/net: cannot open: %s", strerror(errno));
	}
	return fd;
}

int sysctl_net_write(int netfd, const char *key, const char *value)
{
	char full[PATH_MAX];

	snprintf(full, sizeof(full), "net/%s", key);
	return sysctl_write_fd(netfd, key, full, value);
}
