/* What the commands share: a lab's saved file read back, and a lab with the
 * run directory of its switch for the commands that look into it. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
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
		return ret;
	}
	/* What `ovslab link` changed since is the lab as it is. */
	if (cmd_link_overlay(st, *out) < 0) {
		err_set("%s: a link property recorded in its journal cannot be read back", st->name);
		lab_free(*out);
		*out = NULL;
		ret = -EINVAL;
	}
	return ret;
}

/* The lab's machines, or those that have bridge, as "hv1, hv2". */
static void cmd_machine_list(const struct lab *lab, const char *bridge, char *buf, size_t len,
			     size_t *n)
{
	size_t used = 0;

	*n = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < lab->n_machines; i++) {
		const struct lab_machine *m = &lab->machines[i];

		if (bridge && !lab_machine_has_bridge(lab, m, bridge))
			continue;
		if (used < len)
			used += (size_t)snprintf(buf + used, len - used, "%s%s", *n ? ", " : "",
						 m->name);
		(*n)++;
	}
}

static int cmd_lab_machine(struct cmd_lab *c, const char *machine)
{
	char names[512];
	size_t n;

	if (!c->lab->n_machines) {
		err_set("--machine %s: lab %s has no machines", machine, c->lab->name);
		return CMD_USAGE;
	}
	c->machine = lab_find_machine(c->lab, machine);
	if (!c->machine) {
		cmd_machine_list(c->lab, NULL, names, sizeof(names), &n);
		err_set("%s: no such machine in lab %s (its machines: %s)", machine, c->lab->name,
			names);
		return CMD_USAGE;
	}
	journal_machine_dir(&c->st, machine, c->rundir, sizeof(c->rundir));
	return 0;
}

int cmd_lab_open(struct cmd_lab *c, const char *lab, const char *machine)
{
	int ret = journal_read(lab, &c->st);

	c->machine = NULL;
	c->rundir[0] = '\0';
	if (ret < 0)
		return ret;
	ret = cmd_load_saved(&c->st, &c->lab);
	if (ret == 0 && (machine || c->lab->n_machines))
		return machine ? cmd_lab_machine(c, machine) : 0;
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

int cmd_lab_switch(const struct cmd_lab *c)
{
	char names[512];
	size_t n;

	if (!c->lab->n_machines || c->machine)
		return 0;
	cmd_machine_list(c->lab, NULL, names, sizeof(names), &n);
	err_set("%s: the lab has machines, each with its own switch: name one with --machine "
		"(%s)", c->lab->name, names);
	return CMD_USAGE;
}

int cmd_lab_bridge(struct cmd_lab *c, const char *arg, const char **bridge)
{
	const char *colon = c->lab->n_machines ? strchr(arg, ':') : NULL;
	char machine[64], names[512];
	size_t n;
	int ret;

	*bridge = colon ? colon + 1 : arg;
	if (colon) {
		snprintf(machine, sizeof(machine), "%.*s", (int)(colon - arg), arg);
		if (c->machine && strcmp(c->machine->name, machine)) {
			err_set("%s: names machine %s, but --machine names %s", arg, machine,
				c->machine->name);
			return CMD_USAGE;
		}
		ret = cmd_lab_machine(c, machine);
		if (ret)
			return ret;
	}
	if (!lab_find_bridge(c->lab, *bridge)) {
		err_set("%s: no such bridge in lab %s", *bridge, c->lab->name);
		return -ENOENT;
	}
	if (!c->lab->n_machines)
		return 0;
	cmd_machine_list(c->lab, *bridge, names, sizeof(names), &n);
	if (c->machine && !lab_machine_has_bridge(c->lab, c->machine, *bridge)) {
		err_set("%s: machine %s has no such bridge (it is on %s)", *bridge, c->machine->name,
			n ? names : "no machine");
		return -ENOENT;
	}
	if (c->machine)
		return 0;
	if (n == 0) {
		err_set("%s: no machine of lab %s has the bridge", *bridge, c->lab->name);
		return -ENOENT;
	}
	if (n > 1) {
		snprintf(machine, sizeof(machine), "%.*s", (int)strcspn(names, ","), names);
		err_set("%s: the bridge is on machines %s: name one (%s:%s or --machine %s)", *bridge,
			names, machine, *bridge, machine);
		return CMD_USAGE;
	}
	return cmd_lab_machine(c, names);
}

int cmd_machine_env(const char *dir)
{
	static const char *const vars[] = { "OVS_RUNDIR", "OVS_DBDIR", "OVS_LOGDIR",
					    "OVS_SYSCONFDIR" };

	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		if (setenv(vars[i], dir, 1) < 0)
			return -errno;
	return 0;
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
