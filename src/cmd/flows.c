/* `ovslab flows LAB [BRIDGE]`: the OpenFlow flows, groups and meters of a
 * lab's bridges, as ovs-ofctl dump-flows --names prints them; with machines
 * each machine's, or one machine's (--machine, MACHINE:BRIDGE). */
#include "cmd/cmd.h"
#include "switch/flows.h"

/* Every bridge of the switch c points at (a machine's: those it has). */
static int flows_all(const struct cmd_lab *c, FILE *out)
{
	int ret = cmd_lab_reachable(c);

	for (size_t i = 0; ret == 0 && i < c->lab->n_bridges; i++) {
		const char *br = c->lab->bridges[i].name;

		if (!c->machine || lab_machine_has_bridge(c->lab, c->machine, br))
			ret = flows_dump(c->rundir, br, out);
	}
	return ret;
}

int cmd_flows(const char *lab, const char *machine, const char *bridge, FILE *out)
{
	struct cmd_lab c = { .lab = NULL };
	const char *name = NULL;
	int ret;

	ret = cmd_lab_open(&c, lab, machine);
	if (ret == 0 && bridge)
		ret = cmd_lab_bridge(&c, bridge, &name);
	if (ret == 0 && bridge)
		ret = cmd_lab_reachable(&c);
	if (ret == 0 && bridge)
		ret = flows_dump(c.rundir, name, out);
	else if (ret == 0 && (c.machine || !c.lab->n_machines))
		ret = flows_all(&c, out);
	for (size_t i = 0; ret == 0 && !bridge && !machine && i < c.lab->n_machines; i++) {
		fprintf(out, "machine %s:\n", c.lab->machines[i].name);
		c.machine = &c.lab->machines[i];
		journal_machine_dir(&c.st, c.machine->name, c.rundir, sizeof(c.rundir));
		ret = flows_all(&c, out);
	}
	cmd_lab_close(&c);
	return ret;
}
