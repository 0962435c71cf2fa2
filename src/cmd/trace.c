/* `ovslab trace LAB BRIDGE ARGS...`: ovs-vswitchd's ofproto/trace in the
 * lab's switch, or a machine's (--machine, MACHINE:BRIDGE), with everything
 * it takes (-generate, a packet, --ct-next). */
#include "cmd/cmd.h"
#include "switch/flows.h"

int cmd_trace(const char *lab, const char *machine, const char *bridge,
	      const char *const *args, size_t n_args, FILE *out)
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
		ret = flows_trace(c.rundir, name, args, n_args, out);
	cmd_lab_close(&c);
	return ret;
}
