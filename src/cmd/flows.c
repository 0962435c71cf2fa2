/* `ovslab flows LAB [-O VERSION] [BRIDGE [FILTER]]`: the OpenFlow flows,
 * groups and meters of a lab's bridges, as ovs-ofctl -O VERSION dump-flows
 * --names prints them in the version each bridge's flows are sent in. */
#include <errno.h>
#include <string.h>

#include "cmd/cmd.h"
#include "switch/flows.h"
#include "util/err.h"

int cmd_flows(const char *lab, const char *version, const char *bridge, const char *filter,
	      FILE *out)
{
	struct cmd_lab c = { .lab = NULL };
	int v = flows_version_parse(version);
	int ret;

	if (version && !v) {
		err_set("-O %s: not one OpenFlow version; write one of OpenFlow10 .. OpenFlow15",
			version);
		return -EINVAL;
	}
	ret = cmd_lab_open(&c, lab);
	if (ret == 0)
		ret = cmd_lab_reachable(&c);
	if (ret == 0 && bridge)
		ret = cmd_lab_bridge(&c, bridge);
	for (size_t i = 0; ret == 0 && i < c.lab->n_bridges; i++) {
		const struct lab_bridge *b = &c.lab->bridges[i];

		if (!bridge || !strcmp(bridge, b->name))
			ret = flows_dump(c.rundir, b, v, filter, out);
	}
	cmd_lab_close(&c);
	return ret;
}
