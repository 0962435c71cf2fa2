/* What the commands share: a lab's saved file read back, and a lab with the
 * run directory of its switch for the commands that look into it. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "labfile/labfile.h"
#include "switch/flows.h"
#include "util/err.h"

int cmd_load_saved(const struct journal *st, struct lab **out)
{
	char path[PATH_MAX + 16];
	FILE *diag = fopen("/dev/null", "w");
	int ret;

	journal_labfile(st, path, sizeof(path));
	ret = labfile_load_saved(path, st->dir, diag ? diag : stderr, out);
	if (diag)
		fclose(diag);
	if (ret < 0)
		err_set("%s: the lab's saved file %s cannot be read back", st->name, path);
	/* What `ovslab link` changed since is the lab as it is. */
	if (ret == 0 && cmd_link_overlay(st, *out) < 0) {
		err_set("%s: a link property recorded in its journal cannot be read back", st->name);
		lab_free(*out);
		*out = NULL;
		ret = -EINVAL;
	}
	return ret;
}

int cmd_lab_open(struct cmd_lab *c, const char *lab)
{
	int ret = journal_read(lab, &c->st);

	if (ret < 0)
		return ret;
	ret = cmd_load_saved(&c->st, &c->lab);
	if (ret == 0 && !journal_get(&c->st, JOURNAL_REMOTE)) {
		err_set("%s: the lab has no switch (it has no bridge)", lab);
		ret = -ENOENT;
	}
	if (ret == 0)
		ret = flows_rundir(journal_get(&c->st, JOURNAL_REMOTE), c->rundir, sizeof(c->rundir));
	return ret;
}

void cmd_lab_close(struct cmd_lab *c)
{
	lab_free(c->lab);
	journal_close(&c->st);
}

int cmd_lab_bridge(const struct cmd_lab *c, const char *bridge)
{
	if (lab_find_bridge(c->lab, bridge))
		return 0;
	err_set("%s: no such bridge in lab %s", bridge, c->lab->name);
	return -ENOENT;
}


/* The private switch's directory is root's alone: without a way in, the
 * switch's own errors would blame a missing pid or socket, not permission. */
int cmd_lab_reachable(const struct cmd_lab *c)
{
	int ret;

	if (access(c->rundir, X_OK) == 0)
		return 0;
	ret = -errno;
	err_set("%s: cannot reach the lab's switch in %s: %s%s", c->lab->name, c->rundir,
		strerror(-ret), (ret == -EACCES || ret == -EPERM) && geteuid() ? " (not run as root)" : "");
	return ret;
}
