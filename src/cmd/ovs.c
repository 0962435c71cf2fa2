/* `ovslab ovs LAB [--machine M] -- vsctl|ofctl|appctl ARGS`: the user's own
 * Open vSwitch tools pointed at the lab's switch, or run in a machine's
 * namespace pointed at its switch. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "apply/machines.h"
#include "journal/journal.h"
#include "switch/flows.h"
#include "util/err.h"

static bool ovs_has_protocols(char *const argv[])
{
	for (size_t i = 1; argv[i]; i++)
		if (!strncmp(argv[i], "-O", 2) || !strncmp(argv[i], "--protocols", 11))
			return true;
	return false;
}

/* In a machine: its namespace (what ovs-appctl's answers about routes and
 * neighbours are about) and its switch's environment. */
static int ovs_machine(const struct cmd_lab *c)
{
	int ret = cmd_machine_env(c->rundir);

	return ret < 0 ? ret : cmd_netns_enter(&c->st, c->machine->name);
}

/* The protocols of a lab bridge the arguments name that does not speak
 * OpenFlow 1.0 (plain ovs-ofctl's only offer), joined for -O; NULL when
 * the plain tool reaches every bridge named. */
static char *ovs_protocols_needed(const struct lab *lab, char *const argv[])
{
	for (size_t i = 1; argv[i]; i++) {
		const struct lab_bridge *b = lab_find_bridge(lab, argv[i]);
		size_t len = 1, n;
		bool of10 = false;
		char *list;

		if (!b || !b->settings.n_protocols)
			continue;
		for (n = 0; n < b->settings.n_protocols; n++) {
			of10 |= !strcmp(b->settings.protocols[n], "OpenFlow10");
			len += strlen(b->settings.protocols[n]) + 1;
		}
		if (of10 || !(list = calloc(1, len)))
			continue;
		for (n = 0; n < b->settings.n_protocols; n++)
			strcat(strcat(list, n ? "," : ""), b->settings.protocols[n]);
		return list;
	}
	return NULL;
}

int cmd_ovs(const char *lab, const char *machine, char *const argv[])
{
	static const char *const tools[][2] = {
		{ "vsctl", "ovs-vsctl" }, { "ofctl", "ovs-ofctl" }, { "appctl", "ovs-appctl" },
	};
	struct cmd_lab c = { .lab = NULL };
	char db[PATH_MAX + 32], ctl[PATH_MAX + 32], remote[PATH_MAX + 16];
	bool target = false;
	const char *prog = NULL;
	char **args = NULL, *protocols = NULL;
	size_t argc = 0, n = 0;
	int ret;

	for (size_t i = 0; i < sizeof(tools) / sizeof(tools[0]); i++)
		if (!strcmp(argv[0], tools[i][0]))
			prog = tools[i][1];
	if (!prog) {
		err_set("%s: not an OVS tool ovslab runs (vsctl, ofctl or appctl)", argv[0]);
		return -EINVAL;
	}
	ret = cmd_lab_open(&c, lab, machine);
	if (ret == 0)
		ret = cmd_lab_switch(&c);
	if (ret)
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
	if (c.machine)
		machines_remote(&c.st, c.machine->name, remote, sizeof(remote));
	snprintf(db, sizeof(db), "--db=%s",
		 c.machine ? remote : journal_get(&c.st, JOURNAL_REMOTE));
	if (!strcmp(prog, "ovs-vsctl"))
		args[n++] = db;
	/* ovs-ofctl offers OpenFlow 1.0 only unless told, with its NXM and
	 * table-id extensions that OpenFlow 1.0 flows need; a bridge with
	 * `protocols: [OpenFlow13]` refuses that: offer the bridge's own
	 * versions there, unless the user chose.  Elsewhere the plain tool. */
	if (!strcmp(prog, "ovs-ofctl") && !ovs_has_protocols(argv) &&
	    (protocols = ovs_protocols_needed(c.lab, argv))) {
		args[n++] = (char *)"-O";
		args[n++] = protocols;
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
	if (c.machine)
		ret = ovs_machine(&c);
	else if (setenv("OVS_RUNDIR", c.rundir, 1) < 0)
		ret = -errno;
	if (ret < 0)
		goto out;
	execvp(prog, args);
	ret = -errno;
	err_set("%s: cannot run it: %s", prog, strerror(errno));
out:
	free(protocols);
	free(args);
	cmd_lab_close(&c);
	return ret;
}
