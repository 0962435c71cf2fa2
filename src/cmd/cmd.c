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
	const char *plays;
	int ret;

	journal_labfile(st, path, sizeof(path));
	ret = labfile_load_saved(path, st->dir, diag ? diag : stderr, out);
	if (diag)
		fclose(diag);
	if (ret < 0) {
		err_set("%s: the lab's saved file %s cannot be read back", st->name, path);
		return ret;
	}
	/* A computer that plays one machine of the file has that part only. */
	plays = journal_get(st, JOURNAL_PLAYS);
	ret = plays ? lab_play(*out, plays) : 0;
	if (ret < 0) {
		err_set("%s: the lab's saved file has no machine %s, which this computer plays",
			st->name, plays);
		lab_free(*out);
		*out = NULL;
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
