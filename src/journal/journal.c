#include "journal/journal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/err.h"

static const char *const journal_kinds[JOURNAL_KIND_MAX] = {
	[JOURNAL_NETNS] = "netns",
	[JOURNAL_LINK] = "link",
	[JOURNAL_SWITCH] = "switch",
	[JOURNAL_REMOTE] = "remote",
	[JOURNAL_DATAPATH] = "datapath",
	[JOURNAL_NAT] = "nat",
	[JOURNAL_IP_FORWARD] = "ip_forward",
	[JOURNAL_UPLINK] = "uplink",
	[JOURNAL_COMPLETE] = "complete",
};

const char *journal_kind_name(enum journal_kind kind)
{
	return kind < JOURNAL_KIND_MAX ? journal_kinds[kind] : "?";
}

static int journal_kind_parse(const char *s)
{
	for (int k = 0; k < JOURNAL_KIND_MAX; k++)
		if (!strcmp(s, journal_kinds[k]))
			return k;
	return -EINVAL;
}

void journal_dir(const char *lab, char *buf, size_t len)
{
	snprintf(buf, len, JOURNAL_RUN_DIR "/%s", lab);
}

bool journal_exists(const char *lab)
{
	char dir[PATH_MAX];

	journal_dir(lab, dir, sizeof(dir));
	return access(dir, F_OK) == 0;
}

static int journal_push(struct journal *st, enum journal_kind kind, const char *value)
{
	struct journal_entry *e;

	if (st->n_entries % 64 == 0) {
		e = realloc(st->entries, (st->n_entries + 64) * sizeof(*e));
		if (!e)
			return -ENOMEM;
		st->entries = e;
	}
	e = &st->entries[st->n_entries++];
	e->kind = kind;
	e->forgotten = false;
	snprintf(e->value, sizeof(e->value), "%s", value);
	return 0;
}

static struct journal_entry *journal_latest(const struct journal *st, enum journal_kind kind,
					const char *value)
{
	for (size_t i = st->n_entries; i-- > 0;) {
		struct journal_entry *e = &st->entries[i];

		if (e->kind == kind && !e->forgotten && (!value || !strcmp(e->value, value)))
			return e;
	}
	return NULL;
}

static int journal_open_file(struct journal *st, const char *mode)
{
	char path[PATH_MAX + 16];

	snprintf(path, sizeof(path), "%s/journal", st->dir);
	st->journal = fopen(path, mode);
	if (!st->journal) {
		int ret = -errno;

		err_set("%s: cannot open the lab's journal %s: %s", st->name, path, strerror(errno));
		return ret;
	}
	return 0;
}

int journal_create(const char *lab, const char *text, size_t len, struct journal *st)
{
	char path[PATH_MAX + 16];
	int fd = -1;
	int ret;

	memset(st, 0, sizeof(*st));
	snprintf(st->name, sizeof(st->name), "%s", lab);
	journal_dir(lab, st->dir, sizeof(st->dir));
	if (mkdir(JOURNAL_RUN_DIR, 0755) < 0 && errno != EEXIST) {
		ret = -errno;
		err_set("%s: cannot create %s: %s", lab, JOURNAL_RUN_DIR, strerror(errno));
		goto out;
	}
	if (mkdir(st->dir, 0755) < 0) {
		ret = -errno;
		if (errno == EEXIST)
			err_set("%s: the lab is already up (%s exists; run `ovslab down %s` first)",
				lab, st->dir, lab);
		else
			err_set("%s: cannot create %s: %s", lab, st->dir, strerror(errno));
		goto out;
	}
	snprintf(path, sizeof(path), "%s/lab.yaml", st->dir);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, text, len) != (ssize_t)len) {
		ret = fd < 0 ? -errno : -EIO;
		err_set("%s: cannot save the lab file in %s: %s", lab, path, strerror(-ret));
		goto out;
	}
	ret = journal_open_file(st, "wx");
out:
	if (fd >= 0)
		close(fd);
	if (ret < 0 && ret != -EEXIST && st->dir[0]) {
		unlink(path);
		rmdir(st->dir);
	}
	return ret;
}

static int journal_load(const char *lab, struct journal *st, bool write);

int journal_open(const char *lab, struct journal *st)
{
	return journal_load(lab, st, true);
}

int journal_read(const char *lab, struct journal *st)
{
	int ret = journal_load(lab, st, false);

	if (st->journal) {
		fclose(st->journal);
		st->journal = NULL;
	}
	return ret;
}

static int journal_load(const char *lab, struct journal *st, bool write)
{
	char line[PATH_MAX + 64];
	int ret;

	memset(st, 0, sizeof(*st));
	snprintf(st->name, sizeof(st->name), "%s", lab);
	journal_dir(lab, st->dir, sizeof(st->dir));
	if (access(st->dir, F_OK) < 0) {
		ret = -errno;
		err_set("%s: no such lab is up (nothing in %s)", lab, st->dir);
		return ret;
	}
	/* "a+" would make a journal that a concurrent down just removed, and
	 * needs root; readers (show, ls, the scans of other labs) use "r". */
	ret = journal_open_file(st, write ? "a+" : "r");
	if (ret < 0)
		return ret;
	rewind(st->journal);
	while (fgets(line, sizeof(line), st->journal)) {
		char *sp, *val;
		bool forget = false;
		int kind;

		line[strcspn(line, "\n")] = '\0';
		sp = line;
		if (!strncmp(sp, "forget ", 7)) {
			forget = true;
			sp += 7;
		}
		val = strchr(sp, ' ');
		if (!val)
			continue;
		*val++ = '\0';
		kind = journal_kind_parse(sp);
		if (kind < 0)
			continue; /* written by a newer ovslab: not ours to undo */
		if (forget) {
			struct journal_entry *e = journal_latest(st, kind, val);

			if (e)
				e->forgotten = true;
		} else if ((ret = journal_push(st, kind, val)) < 0) {
			return ret;
		}
	}
	return 0;
}

static int journal_write(struct journal *st, const char *prefix, enum journal_kind kind,
		       const char *value)
{
	if (fprintf(st->journal, "%s%s %s\n", prefix, journal_kinds[kind], value) < 0 ||
	    fflush(st->journal) != 0) {
		int ret = errno ? -errno : -EIO;

		err_set("%s: cannot write the lab's journal: %s", st->name, strerror(-ret));
		return ret;
	}
	return 0;
}

int journal_add(struct journal *st, enum journal_kind kind, const char *fmt, ...)
{
	char value[PATH_MAX + 32];
	va_list ap;
	int ret;

	va_start(ap, fmt);
	vsnprintf(value, sizeof(value), fmt, ap);
	va_end(ap);
	ret = journal_write(st, "", kind, value);
	if (ret < 0)
		return ret;
	return journal_push(st, kind, value);
}

int journal_forget(struct journal *st, enum journal_kind kind, const char *value)
{
	struct journal_entry *e = journal_latest(st, kind, value);
	int ret;

	if (!e)
		return 0;
	ret = journal_write(st, "forget ", kind, value);
	if (ret == 0)
		e->forgotten = true;
	return ret;
}

const char *journal_get(const struct journal *st, enum journal_kind kind)
{
	const struct journal_entry *e = journal_latest(st, kind, NULL);

	return e ? e->value : NULL;
}

int journal_save_labfile(struct journal *st, const char *text, size_t len)
{
	char path[PATH_MAX + 16], tmp[PATH_MAX + 32];
	int fd;
	int ret = 0;

	journal_labfile(st, path, sizeof(path));
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, text, len) != (ssize_t)len)
		ret = fd < 0 ? -errno : -EIO;
	if (fd >= 0)
		close(fd);
	/* rename: a reader sees the old file or the new one, never half. */
	if (ret == 0 && rename(tmp, path) < 0)
		ret = -errno;
	if (ret < 0) {
		unlink(tmp);
		err_set("%s: cannot save the lab file in %s: %s", st->name, path, strerror(-ret));
	}
	return ret;
}

void journal_labfile(const struct journal *st, char *buf, size_t len)
{
	snprintf(buf, len, "%s/lab.yaml", st->dir);
}

void journal_close(struct journal *st)
{
	if (st->journal)
		fclose(st->journal);
	st->journal = NULL;
	free(st->entries);
	st->entries = NULL;
	st->n_entries = 0;
}

static int journal_rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	if ((flag == FTW_DP ? rmdir(path) : unlink(path)) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

int journal_remove(struct journal *st)
{
	int ret;

	if (st->journal) {
		fclose(st->journal);
		st->journal = NULL;
	}
	/* FTW_PHYS: never follow a link out of the lab's own directory. */
	ret = nftw(st->dir, journal_rm_one, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
	if (ret != 0 && errno != ENOENT) {
		ret = ret < 0 ? -errno : ret;
		err_set("%s: cannot remove %s: %s", st->name, st->dir, strerror(-ret));
		return ret;
	}
	return 0;
}

int journal_for_each_lab(int (*fn)(const char *lab, void *arg), void *arg)
{
	DIR *d = opendir(JOURNAL_RUN_DIR);
	struct dirent *de;
	int ret = 0;

	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || de->d_type != DT_DIR)
			continue;
		ret = fn(de->d_name, arg);
		if (ret)
			break;
	}
	closedir(d);
	return ret;
}
