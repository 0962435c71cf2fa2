/* `ovslab trace LAB BRIDGE ARGS...`: ovs-vswitchd's ofproto/trace in the
 * lab's switch, with everything it takes (-generate, a packet, --ct-next). */
#include "cmd/cmd.h"
#include "switch/flows.h"

int cmd_trace(const char *lab, const char *bridge, const char *const *args, size_t n_args,
	      FILE *out)
{
	struct cmd_lab c = { .lab = NULL };
	int ret;

	ret = cmd_lab_open(&c, lab);
	if (ret == 0)
		ret = cmd_lab_reachable(&c);
	if (ret == 0)
		ret = cmd_lab_bridge(&c, bridge);
	if (ret == 0)
		ret = flows_trace(c.rundir, bridge, args, n_args, out);
	cmd_lab_close(&c);
	return ret;
}
