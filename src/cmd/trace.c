/* `ovslab trace LAB BRIDGE FLOW`: ovs-vswitchd's ofproto/trace in the lab's
 * switch, or a machine's (--machine, MACHINE:BRIDGE). */
#include "cmd/cmd.h"
#include "switch/flows.h"

int cmd_trace(const char *lab, const char *machine, const char *bridge, const char *flow,
	      FILE *out)
{
	struct cmd_lab c = { .lab = NULL };
	const char *name = NULL;
	int ret;

	ret = cmd_lab_open(&c, lab, machine);
	if (ret == 0)
		ret = cmd_lab_bridge(&c, bridge, &name);
	if (ret == 0)
		ret = cmd_lab_reachable(&c);
	if (ret == 0)
		ret = flows_trace(c.rundir, name, flow, out);
	cmd_lab_close(&c);
	return ret;
}
