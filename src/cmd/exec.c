/* `ovslab exec LAB HOST|MACHINE -- CMD`: runs CMD in a lab host's namespace
 * (or a machine's, with its switch's environment), with that namespace's
 * /sys, as `ip netns exec` does; and, for the commands that enter hosts,
 * whether the namespace of that name is still the lab's. */
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "util/err.h"
#include "cmd/cmd.h"
#include "kernel/netns.h"

/* The identity the journal recorded for namespace entry i, or none (all
 * zero: an older journal), which netns_is and netns_open_as take as "any". */
static struct netns_id cmd_netns_id_at(const struct journal *st, size_t i)
{
	struct netns_id id = { 0 };

	if (!journal_get_netns_id(st, i, st->entries[i].value, &id.ino, &id.id))
		id = (struct netns_id){ 0 };
	return id;
}

int cmd_netns_ours(const struct journal *st, size_t i)
{
	struct netns_id id = cmd_netns_id_at(st, i);

	return netns_is(st->entries[i].value, &id);
}

/* Only a host the lab's journal says the lab created is entered, and only
 * while its name still holds the namespace the lab made: one made anew
 * under that name by someone else is not ours to run things in. */
int cmd_host_open(const struct journal *st, const char *host)
{
	struct netns_id id;

	for (size_t i = st->n_entries; i-- > 0;) {
		const struct journal_entry *e = &st->entries[i];

		if (e->kind != JOURNAL_NETNS || e->forgotten || strcmp(e->value, host))
			continue;
		id = cmd_netns_id_at(st, i);
		return netns_open_as(host, &id);
	}
	err_set("%s: no such host in lab %s", host, st->name);
	return -ENOENT;
}

int cmd_hosts_ours(const struct journal *st)
{
	for (size_t i = 0; i < st->n_entries; i++) {
		const struct journal_entry *e = &st->entries[i];

		if (e->kind != JOURNAL_NETNS || e->forgotten || cmd_netns_ours(st, i) != 0)
			continue;
		err_set("%s: the network namespace of that name is not the lab's (it was made anew "
			"by someone else)", e->value);
		return -ESTALE;
	}
	return 0;
}

int cmd_netns_enter(const struct journal *st, const char *ns)
{
	int fd = cmd_host_open(st, ns);
	int ret;

	if (fd < 0)
		return fd;
	ret = netns_enter(fd);
	close(fd);
	if (ret < 0)
		return ret;
	/* As `ip netns exec` does: a mount namespace of our own in which /sys
	 * shows the namespace's interfaces, not the computer's. */
	if (unshare(CLONE_NEWNS) == 0 && mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) == 0 &&
	    umount2("/sys", MNT_DETACH) == 0)
		mount(ns, "/sys", "sysfs", 0, NULL);
	return 0;
}

static int exec_is_machine(const char *machine, void *arg)
{
	return !strcmp(machine, arg);
}

int cmd_exec(const char *lab, const char *host, char *const argv[])
{
	char dir[PATH_MAX];
	struct journal st;
	int ret;

	ret = journal_read(lab, &st);
	if (ret < 0)
		return ret;
	/* A machine: the tools find its switch as they find the computer's. */
	if (journal_for_each_machine(&st, exec_is_machine, (void *)host)) {
		journal_machine_dir(&st, host, dir, sizeof(dir));
		ret = cmd_machine_env(dir);
	}
	if (ret == 0)
		ret = cmd_netns_enter(&st, host);
	journal_close(&st);
	if (ret < 0)
		return ret;
	execvp(argv[0], argv);
	ret = -errno;
	err_set("%s: cannot run %s: %s", host, argv[0], strerror(errno));
	return ret;
}
