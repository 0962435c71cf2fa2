/* The commands that look into a lab's switch: its bridges' flows, a trace
 * through one bridge, and the user's own OVS tools pointed at that switch. */
#ifndef OVSLAB_CMD_OVS_H
#define OVSLAB_CMD_OVS_H

#include <stdio.h>

/* Dumps the flows of every bridge of the lab, or of one. */
int cmd_flows(const char *lab, const char *bridge, FILE *out);

/* ofproto/trace BRIDGE FLOW in the lab's switch. */
int cmd_trace(const char *lab, const char *bridge, const char *flow, FILE *out);

/* Runs ovs-vsctl, ovs-ofctl or ovs-appctl (argv[0]: vsctl, ofctl, appctl)
 * with the rest of argv, pointed at the lab's switch.  Returns only on
 * failure. */
int cmd_ovs(const char *lab, char *const argv[]);

#endif
