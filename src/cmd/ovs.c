/* `ovslab flows`, `trace` and `ovs`: a lab's switch looked into. */
#include "cmd/ovs.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/err.h"
#include "switch/flows.h"
#include "cmd/cmd.h"
#include "journal/journal.h"

/* What the commands need of a lab: its declaration and its switch. */
struct ovs_cmd {
	struct journal st;
	struct lab *lab;
	char rundir[PATH_MAX];
};

static int ovs_open(struct ovs_cmd *c, const char *lab)
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

static void ovs_close(struct ovs_cmd *c)
{
	lab_free(c->lab);
	journal_close(&c->st);
}

/* The private switch's directory is root's alone: without a way in, the
 * tools' own errors would blame a missing pid or socket, not permission. */
static int ovs_reachable(const struct ovs_cmd *c)
{
	int ret;

	if (access(c->rundir, X_OK) == 0)
		return 0;
	ret = -errno;
	if (ret == -EACCES || ret == -EPERM)
		err_set("%s: cannot reach the lab's switch in %s: %s%s", c->lab->name, c->rundir,
			strerror(-ret), geteuid() ? " (not run as root)" : "");
	else
		err_set("%s: cannot reach the lab's switch in %s: %s", c->lab->name, c->rundir,
			strerror(-ret));
	return ret;
}

static int ovs_bridge(const struct ovs_cmd *c, const char *bridge)
{
	if (lab_find_bridge(c->lab, bridge))
		return 0;
	err_set("%s: no such bridge in lab %s", bridge, c->lab->name);
	return -ENOENT;
}

int cmd_flows(const char *lab, const char *bridge, FILE *out)
{
	struct ovs_cmd c = { .lab = NULL };
	int ret;

	ret = ovs_open(&c, lab);
	if (ret == 0)
		ret = ovs_reachable(&c);
	if (ret == 0 && bridge)
		ret = ovs_bridge(&c, bridge);
	if (ret == 0 && bridge)
		ret = flows_dump(c.rundir, bridge, out);
	for (size_t i = 0; ret == 0 && !bridge && i < c.lab->n_bridges; i++)
		ret = flows_dump(c.rundir, c.lab->bridges[i].name, out);
	ovs_close(&c);
	return ret;
}

int cmd_trace(const char *lab, const char *bridge, const char *flow, FILE *out)
{
	struct ovs_cmd c = { .lab = NULL };
	int ret;

	ret = ovs_open(&c, lab);
	if (ret == 0)
		ret = ovs_reachable(&c);
	if (ret == 0)
		ret = ovs_bridge(&c, bridge);
	if (ret == 0)
		ret = flows_trace(c.rundir, bridge, flow, out);
	ovs_close(&c);
	return ret;
}

#define OVSCMD_ALL_OF "OpenFlow10,OpenFlow11,OpenFlow12,OpenFlow13,OpenFlow14,OpenFlow15"

static bool ovs_has_protocols(char *const argv[])
{
	for (size_t i = 1; argv[i]; i++)
		if (!strncmp(argv[i], "-O", 2) || !strncmp(argv[i], "--protocols", 11))
			return true;
	return false;
}

int cmd_ovs(const char *lab, char *const argv[])
{
	static const char *const tools[][2] = {
		{ "vsctl", "ovs-vsctl" }, { "ofctl", "ovs-ofctl" }, { "appctl", "ovs-appctl" },
	};
	struct ovs_cmd c = { .lab = NULL };
	char db[PATH_MAX + 16], ctl[PATH_MAX + 32];
	bool target = false;
	const char *prog = NULL;
	char **args = NULL;
	size_t argc = 0, n = 0;
	int ret;

	for (size_t i = 0; i < sizeof(tools) / sizeof(tools[0]); i++)
		if (!strcmp(argv[0], tools[i][0]))
			prog = tools[i][1];
	if (!prog) {
		err_set("%s: not an OVS tool ovslab runs (vsctl, ofctl or appctl)", argv[0]);
		return -EINVAL;
	}
	ret = ovs_open(&c, lab);
	if (ret < 0)
		goto out;
	while (argv[argc])
		argc++;
	args = calloc(argc + 5, sizeof(*args));
	if (!args) {
		ret = -ENOMEM;
		goto out;
	}
	args[n++] = (char *)prog;
	/* The tools find BRIDGE.mgmt, the daemons' pidfiles and db.sock there. */
	snprintf(db, sizeof(db), "--db=%s", journal_get(&c.st, JOURNAL_REMOTE));
	if (!strcmp(prog, "ovs-vsctl"))
		args[n++] = db;
	/* ovs-ofctl offers OpenFlow 1.0 only unless told, and a bridge with
	 * `protocols: [OpenFlow13]` refuses that: offer every version and let
	 * the bridge pick, unless the user chose. */
	if (!strcmp(prog, "ovs-ofctl") && !ovs_has_protocols(argv)) {
		args[n++] = (char *)"-O";
		args[n++] = (char *)OVSCMD_ALL_OF;
	}
	/* ovs-appctl looks for DAEMON.PID.ctl; the private switch's sockets are
	 * DAEMON.ctl: a daemon named without a path is given as a path. */
	for (size_t i = 1; i < argc; i++) {
		bool t = !strcmp(argv[i - 1], "-t") || !strcmp(argv[i - 1], "--target");

		target |= t || !strncmp(argv[i], "--target=", 9);
		if (!strcmp(prog, "ovs-appctl") && t && !strchr(argv[i], '/') &&
		    flows_ctl(c.rundir, argv[i], ctl, sizeof(ctl)) == 0)
			args[n++] = ctl;
		else
			args[n++] = argv[i];
	}
	if (!strcmp(prog, "ovs-appctl") && !target) {
		ret = flows_ctl(c.rundir, "ovs-vswitchd", ctl, sizeof(ctl));
		if (ret < 0)
			goto out;
		memmove(&args[3], &args[1], (n - 1) * sizeof(*args));
		args[1] = (char *)"-t";
		args[2] = ctl;
		n += 2;
	}
	if (setenv("OVS_RUNDIR", c.rundir, 1) < 0) {
		ret = -errno;
		goto out;
	}
	execvp(prog, args);
	ret = -errno;
	err_set("%s: cannot run it: %s", prog, strerror(errno));
out:
	free(args);
	ovs_close(&c);
	return ret;
}
