/* `ovslab trace LAB BRIDGE FLOW`: ovs-vswitchd's ofproto/trace in the lab's
 * switch. */
#include "cmd/cmd.h"
#include "switch/flows.h"

int cmd_trace(const char *lab, const char *bridge, const char *flow, FILE *out)
{
	struct cmd_lab c = { .lab = NULL };
	int ret;

	ret = cmd_lab_open(&c, lab);
	if (ret == 0)
		ret = cmd_lab_reachable(&c);
	if (ret == 0)
		ret = cmd_lab_bridge(&c, bridge);
	if (ret == 0)
		ret = flows_trace(c.rundir, bridge, flow, out);
	cmd_lab_close(&c);
	return ret;
}
