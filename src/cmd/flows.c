/* `ovslab flows LAB [BRIDGE]`: the OpenFlow flows, groups and meters of a
 * lab's bridges, as ovs-ofctl dump-flows --names prints them. */
#include "cmd/cmd.h"
#include "switch/flows.h"

int cmd_flows(const char *lab, const char *bridge, FILE *out)
{
	struct cmd_lab c = { .lab = NULL };
	int ret;

	ret = cmd_lab_open(&c, lab);
	if (ret == 0)
		ret = cmd_lab_reachable(&c);
	if (ret == 0 && bridge)
		ret = cmd_lab_bridge(&c, bridge);
	if (ret == 0 && bridge)
		ret = flows_dump(c.rundir, bridge, out);
	for (size_t i = 0; ret == 0 && !bridge && i < c.lab->n_bridges; i++)
		ret = flows_dump(c.rundir, c.lab->bridges[i].name, out);
	cmd_lab_close(&c);
	return ret;
}
