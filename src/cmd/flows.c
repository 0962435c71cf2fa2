/* `ovslab flows LAB [-O VERSION] [BRIDGE [FILTER]]`: the OpenFlow flows,
 * groups and meters of a lab's bridges, as ovs-ofctl -O VERSION dump-flows
 * --names prints them in the version each bridge's flows are sent in; with
 * machines each machine's, or one machine's (--machine, MACHINE:BRIDGE). */
#include <errno.h>
#include <string.h>

#include "cmd/cmd.h"
#include "switch/flows.h"
#include "util/err.h"

/* Every bridge of the switch c points at (a machine's: those it has). */
static int flows_all(const struct cmd_lab *c, int version, const char *filter, FILE *out)
{
	int ret = cmd_lab_reachable(c);

	for (size_t i = 0; ret == 0 && i < c->lab->n_bridges; i++) {
		const struct lab_bridge *b = &c->lab->bridges[i];

		if (!c->machine || lab_machine_has_bridge(c->lab, c->machine, b->name))
			ret = flows_dump(c->rundir, b, version, filter, out);
	}
	return ret;
}

int cmd_flows(const char *lab, const char *machine, const char *version, const char *bridge,
	      const char *filter, FILE *out)
{
	struct cmd_lab c = { .lab = NULL };
	int v = flows_version_parse(version);
	const char *name = NULL;
	int ret;

	if (version && !v) {
		err_set("-O %s: not one OpenFlow version; write one of OpenFlow10 .. OpenFlow15",
			version);
		return -EINVAL;
	}
	ret = cmd_lab_open(&c, lab, machine);
	if (ret == 0 && bridge)
		ret = cmd_lab_bridge(&c, bridge, &name);
	if (ret == 0 && bridge)
		ret = cmd_lab_reachable(&c);
	if (ret == 0 && bridge)
		ret = flows_dump(c.rundir, lab_find_bridge(c.lab, name), v, filter, out);
	else if (ret == 0 && (c.machine || !c.lab->n_machines))
		ret = flows_all(&c, v, filter, out);
	for (size_t i = 0; ret == 0 && !bridge && !machine && i < c.lab->n_machines; i++) {
		fprintf(out, "machine %s:\n", c.lab->machines[i].name);
		c.machine = &c.lab->machines[i];
		journal_machine_dir(&c.st, c.machine->name, c.rundir, sizeof(c.rundir));
		ret = flows_all(&c, v, filter, out);
	}
	cmd_lab_close(&c);
	return ret;
}
