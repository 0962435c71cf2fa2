/* The lab's journal under journal_root()/LAB/: its only reader and writer,
 * and the only code that knows how entries and their values are spelt. */
#include "journal/journal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/err.h"

static const char *journal_root_dir = JOURNAL_RUN_DIR;

const char *journal_root(void)
{
	return journal_root_dir;
}

void journal_set_root(const char *dir)
{
	journal_root_dir = dir ? dir : JOURNAL_RUN_DIR;
}

static const char *const journal_kinds[JOURNAL_KIND_MAX] = {
	[JOURNAL_NETNS] = "netns",
	[JOURNAL_LINK] = "link",
	[JOURNAL_SWITCH] = "switch",
	[JOURNAL_REMOTE] = "remote",
	[JOURNAL_DATAPATH] = "datapath",
	[JOURNAL_NAT] = "nat",
	[JOURNAL_UPLINK] = "uplink",
	[JOURNAL_COMPLETE] = "complete",
	[JOURNAL_NETNS_ID] = "netnsid",
	[JOURNAL_MACHINE] = "machine",
	[JOURNAL_PLAYS] = "plays",
	[JOURNAL_LINKPROPS] = "linkprops",
	[JOURNAL_FIREWALL] = "firewall",
	[JOURNAL_NIC] = "nic",
	[JOURNAL_TAP] = "tap",
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
	snprintf(buf, len, "%s/%s", journal_root_dir, lab);
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
	if (mkdir(journal_root_dir, 0755) < 0 && errno != EEXIST) {
		ret = -errno;
		err_set("%s: cannot create %s: %s", lab, journal_root_dir, strerror(errno));
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

/* Drops a torn last line, so that the next entry is not glued to it. */
static int journal_cut(struct journal *st, long len)
{
	if (len < 0 || ftruncate(fileno(st->journal), len) < 0 ||
	    fseek(st->journal, 0, SEEK_END) < 0) {
		int ret = len < 0 || !errno ? -EIO : -errno;

		err_set("%s: cannot cut the torn last line off the lab's journal: %s", st->name,
			strerror(-ret));
		return ret;
	}
	return 0;
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
	ret = journal_open_file(st, write ? "a+e" : "re");
	if (ret < 0)
		return ret;
	rewind(st->journal);
	for (;;) {
		long start = ftell(st->journal);
		char *sp, *val;
		bool forget = false;
		int kind;

		if (!fgets(line, sizeof(line), st->journal))
			break;
		if (!strchr(line, '\n') && feof(st->journal)) {
			st->torn = true;
			if (write)
				ret = journal_cut(st, start);
			return ret;
		}
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

int journal_add_switch(struct journal *st, const char *rundir)
{
	return rundir ? journal_add(st, JOURNAL_SWITCH, "private %s", rundir)
		      : journal_add(st, JOURNAL_SWITCH, "shared");
}

int journal_forget_switch(struct journal *st)
{
	const struct journal_entry *e = journal_latest(st, JOURNAL_SWITCH, NULL);

	return e ? journal_forget(st, JOURNAL_SWITCH, e->value) : 0;
}

enum journal_switch journal_get_switch(const struct journal *st, const char **rundir)
{
	const char *sw = journal_get(st, JOURNAL_SWITCH);
	bool private = sw && !strncmp(sw, "private ", 8);

	if (rundir)
		*rundir = private ? sw + 8 : NULL;
	if (!sw)
		return JOURNAL_SWITCH_NONE;
	return private ? JOURNAL_SWITCH_PRIVATE : JOURNAL_SWITCH_SHARED;
}

int journal_add_uplink(struct journal *st, const char *bridge, const char *device)
{
	return journal_add(st, JOURNAL_UPLINK, "%s=%s", bridge, device);
}

const char *journal_get_uplink(const struct journal *st, const char *bridge, size_t n)
{
	size_t len = strlen(bridge);

	for (size_t i = n < st->n_entries ? n : st->n_entries; i-- > 0;) {
		const struct journal_entry *e = &st->entries[i];

		if (e->kind == JOURNAL_UPLINK && !e->forgotten && !strncmp(e->value, bridge, len) &&
		    e->value[len] == '=')
			return e->value + len + 1;
	}
	return NULL;
}

int journal_add_netns_id(struct journal *st, const char *name, uint64_t ino, uint64_t id)
{
	return journal_add(st, JOURNAL_NETNS_ID, "%s %" PRIu64 " %" PRIu64, name, ino, id);
}

bool journal_get_netns_id(const struct journal *st, size_t i, const char *name, uint64_t *ino,
			  uint64_t *id)
{
	size_t len = strlen(name);

	if (i == SIZE_MAX) {
		const struct journal_entry *e = journal_latest(st, JOURNAL_NETNS, name);

		if (!e)
			return false;
		i = (size_t)(e - st->entries);
	}
	/* The identity follows its namespace's entry, before any later entry
	 * of the same name (a namespace made anew). */
	for (size_t j = i + 1; j < st->n_entries; j++) {
		const struct journal_entry *e = &st->entries[j];

		if (e->kind == JOURNAL_NETNS && !strcmp(e->value, name))
			return false;
		if (e->kind == JOURNAL_NETNS_ID && !e->forgotten && !strncmp(e->value, name, len) &&
		    e->value[len] == ' ')
			return sscanf(e->value + len, " %" SCNu64 " %" SCNu64, ino, id) == 2;
	}
	return false;
}

int journal_add_machine(struct journal *st, const char *machine)
{
	return journal_add(st, JOURNAL_MACHINE, "%s", machine);
}

int journal_for_each_machine(const struct journal *st,
			     int (*fn)(const char *machine, void *arg), void *arg)
{
	for (size_t i = 0; i < st->n_entries; i++) {
		const struct journal_entry *e = &st->entries[i];
		int ret;

		if (e->kind != JOURNAL_MACHINE || e->forgotten)
			continue;
		ret = fn(e->value, arg);
		if (ret)
			return ret;
	}
	return 0;
}

int journal_add_linkprops(struct journal *st, const char *host, const char *ifname,
			  const char *props)
{
	return journal_add(st, JOURNAL_LINKPROPS, "%s %s%s%s", host, ifname, *props ? " " : "",
			   props);
}

int journal_for_each_linkprops(const struct journal *st,
			       int (*fn)(const char *host, const char *ifname, const char *props,
					 void *arg), void *arg)
{
	for (size_t i = 0; i < st->n_entries; i++) {
		const struct journal_entry *e = &st->entries[i];
		char host[64], ifname[64];
		int n = 0, ret;

		if (e->kind != JOURNAL_LINKPROPS || e->forgotten)
			continue;
		if (sscanf(e->value, "%63s %63s%n", host, ifname, &n) != 2)
			continue;
		ret = fn(host, ifname, e->value + n + (e->value[n] == ' '), arg);
		if (ret)
			return ret;
	}
	return 0;
}

#define JOURNAL_MACHINES "machines"

int journal_add_tap(struct journal *st, const char *name)
{
	return journal_add(st, JOURNAL_TAP, "%s", name);
}

int journal_for_each_tap(const struct journal *st, size_t from,
			 int (*fn)(const char *name, void *arg), void *arg)
{
	int ret = 0;

	for (size_t i = from; ret == 0 && i < st->n_entries; i++)
		if (st->entries[i].kind == JOURNAL_TAP && !st->entries[i].forgotten)
			ret = fn(st->entries[i].value, arg);
	return ret;
}

void journal_machine_dir(const struct journal *st, const char *machine, char *buf, size_t len)
{
	snprintf(buf, len, "%s/" JOURNAL_MACHINES "/%s", st->dir, machine);
}

int journal_machines_mkdir(const struct journal *st)
{
	char path[PATH_MAX + 16];

	snprintf(path, sizeof(path), "%s/" JOURNAL_MACHINES, st->dir);
	if (mkdir(path, 0750) < 0 && errno != EEXIST) {
		err_set("%s: cannot create %s: %s", st->name, path, strerror(errno));
		return -errno;
	}
	return 0;
}

bool journal_machine_path(const char *path, char lab[32])
{
	const char *root = journal_root();
	size_t n = strlen(root);
	const char *at = strstr(path, root), *name, *slash;

	if (!at || at[n] != '/')
		return false;
	name = at + n + 1;
	slash = strchr(name, '/');
	if (!slash || slash == name || (size_t)(slash - name) >= 32 ||
	    strncmp(slash + 1, JOURNAL_MACHINES "/", strlen(JOURNAL_MACHINES) + 1))
		return false;
	snprintf(lab, 32, "%.*s", (int)(slash - name), name);
	return true;
}

int journal_add_complete(struct journal *st)
{
	return journal_add(st, JOURNAL_COMPLETE, "%lld", (long long)time(NULL));
}

int journal_forget_complete(struct journal *st)
{
	int ret = 0;

	while (ret == 0 && journal_get(st, JOURNAL_COMPLETE)) {
		char when[32];

		snprintf(when, sizeof(when), "%s", journal_get(st, JOURNAL_COMPLETE));
		ret = journal_forget(st, JOURNAL_COMPLETE, when);
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
	DIR *d = opendir(journal_root_dir);
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

struct journal_scan {
	bool (*holds)(const struct journal *other, const void *arg);
	const void *arg;
	const char *except;
	bool used;
};

static int journal_scan_one(const char *lab, void *arg)
{
	struct journal_scan *scan = arg;
	struct journal other;
	bool held;

	if (scan->except && !strcmp(lab, scan->except))
		return 0;
	held = err_hold();
	if (journal_read(lab, &other) < 0) {
		if (journal_exists(lab))
			scan->used = true;
	} else if (other.torn || scan->holds(&other, scan->arg)) {
		scan->used = true;
	}
	journal_close(&other);
	err_release(held);
	return scan->used;
}

bool journal_any_lab(bool (*holds)(const struct journal *other, const void *arg), const void *arg,
		     const char *except)
{
	struct journal_scan scan = { .holds = holds, .arg = arg, .except = except };
	bool held = err_hold();
	int ret = journal_for_each_lab(journal_scan_one, &scan);

	err_release(held);
	/* The labs cannot be listed: any of them may hold it. */
	return scan.used || ret < 0;
}

static bool journal_holds_switch(const struct journal *other, const void *rundir)
{
	const char *dir;

	return journal_get_switch(other, &dir) == JOURNAL_SWITCH_PRIVATE && !strcmp(dir, rundir);
}

bool journal_private_switch_used(const char *rundir, const char *except)
{
	return journal_any_lab(journal_holds_switch, rundir, except);
}

static const char *const journal_nic_roles[] = {
	[JOURNAL_NIC_PORT] = "port",
	[JOURNAL_NIC_HOST] = "host",
};

int journal_add_nic(struct journal *st, enum journal_nic_role role, const char *owner,
		    const char *ifname, const char *state)
{
	return journal_add(st, JOURNAL_NIC, "%s %s %s %s", journal_nic_roles[role], owner, ifname,
			   state);
}

int journal_forget_nic(struct journal *st, enum journal_nic_role role, const char *owner,
		       const char *ifname, const char *state)
{
	char value[PATH_MAX + 32];

	snprintf(value, sizeof(value), "%s %s %s %s", journal_nic_roles[role], owner, ifname,
		 state);
	return journal_forget(st, JOURNAL_NIC, value);
}

/* "ROLE OWNER IFNAME STATE" into its fields (in buf, IF_NAMESIZE-sized
 * owner and ifname); false for a value this ovslab cannot read. */
static bool journal_nic_parse(const char *value, enum journal_nic_role *role, char *owner,
			      char *ifname, const char **state)
{
	char r[8];
	int n = 0;

	if (sscanf(value, "%7s %15s %15s %n", r, owner, ifname, &n) != 3 || !n)
		return false;
	if (!strcmp(r, journal_nic_roles[JOURNAL_NIC_PORT]))
		*role = JOURNAL_NIC_PORT;
	else if (!strcmp(r, journal_nic_roles[JOURNAL_NIC_HOST]))
		*role = JOURNAL_NIC_HOST;
	else
		return false;
	*state = value + n;
	return true;
}

int journal_for_each_nic(const struct journal *st, size_t from,
			 int (*fn)(enum journal_nic_role role, const char *owner,
				   const char *ifname, const char *state, void *arg),
			 void *arg)
{
	for (size_t i = st->n_entries; i-- > from;) {
		const struct journal_entry *e = &st->entries[i];
		enum journal_nic_role role;
		char owner[16], ifname[16];
		const char *state;
		int ret;

		if (e->kind != JOURNAL_NIC || e->forgotten ||
		    !journal_nic_parse(e->value, &role, owner, ifname, &state))
			continue;
		ret = fn(role, owner, ifname, state, arg);
		if (ret)
			return ret;
	}
	return 0;
}

struct journal_nic_find {
	const char *ifname;
	char lab[32];
};

static int journal_nic_is(enum journal_nic_role role, const char *owner, const char *ifname,
			  const char *state, void *arg)
{
	(void)role;
	(void)owner;
	(void)state;
	return !strcmp(ifname, ((const struct journal_nic_find *)arg)->ifname);
}

static bool journal_holds_nic(const struct journal *other, const void *arg)
{
	struct journal_nic_find *f = (struct journal_nic_find *)arg;

	snprintf(f->lab, sizeof(f->lab), "%s", other->name);
	return journal_for_each_nic(other, 0, journal_nic_is, f) != 0;
}

bool journal_nic_held(const char *ifname, const char *except, char lab[32])
{
	struct journal_nic_find f = { .ifname = ifname, .lab = "?" };
	bool held = journal_any_lab(journal_holds_nic, &f, except);

	snprintf(lab, 32, "%s", f.lab);
	return held;
}
