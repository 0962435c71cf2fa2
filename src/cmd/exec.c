/* `ovslab exec LAB HOST -- CMD`: runs CMD in a lab host's namespace, with
 * that namespace's /sys, as `ip netns exec` does. */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "util/err.h"
#include "cmd/cmd.h"
#include "kernel/netns.h"

/* Only a host the lab's journal says the lab created is entered: a namespace
 * of the same name that is not the lab's is not ours to run things in. */
static bool exec_is_lab_host(const struct journal *st, const char *host)
{
	for (size_t i = 0; i < st->n_entries; i++)
		if (st->entries[i].kind == JOURNAL_NETNS && !st->entries[i].forgotten &&
		    !strcmp(st->entries[i].value, host))
			return true;
	return false;
}

int cmd_exec(const char *lab, const char *host, char *const argv[])
{
	struct journal st;
	int fd = -1;
	int ret;

	ret = journal_read(lab, &st);
	if (ret < 0)
		return ret;
	if (!exec_is_lab_host(&st, host)) {
		err_set("%s: no such host in lab %s", host, lab);
		ret = -ENOENT;
		goto out;
	}
	fd = netns_open(host);
	if (fd < 0) {
		ret = fd;
		err_set("%s: cannot open the host's namespace: %s", host, strerror(-ret));
		goto out;
	}
	ret = netns_enter(fd);
	if (ret < 0)
		goto out;
	/* As `ip netns exec` does: a mount namespace of our own in which /sys
	 * shows the host's interfaces, not the machine's. */
	if (unshare(CLONE_NEWNS) == 0 && mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) == 0 &&
	    umount2("/sys", MNT_DETACH) == 0)
		mount(host, "/sys", "sysfs", 0, NULL);
	journal_close(&st);
	close(fd);
	fd = -1;
	execvp(argv[0], argv);
	ret = -errno;
	err_set("%s: cannot run %s: %s", host, argv[0], strerror(errno));
	return ret;
out:
	if (fd >= 0)
		close(fd);
	journal_close(&st);
	return ret;
}
