/* A lab bridge's OpenFlow table: declared flows and groups validated with
 * libopenvswitch's parsers, installed over the bridge's management socket,
 * dumped and traced.  No Open vSwitch type crosses this header. */
#ifndef OVSLAB_FLOWS_H
#define OVSLAB_FLOWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "model/lab.h"

/* How long to wait for a bridge's management socket or the switch's answer. */
#define FLOWS_TIMEOUT_MS 10000

enum flows_kind {
	FLOWS_FLOW,  /* ovs-ofctl add-flow syntax */
	FLOWS_GROUP, /* ovs-ofctl add-group syntax */
	FLOWS_METER, /* ovs-ofctl add-meter syntax */
};

/* Parses text as ovs-ofctl would, port names among ports[] (the bridge's own
 * name is its LOCAL port).  0, or -EINVAL with *msg the parser's message
 * (malloc'd, the caller frees it), or -ENOMEM.  *usable (if not NULL) is
 * ANDed with the wire formats that can say it, for flows_version_choose. */
int flows_validate(enum flows_kind kind, const char *text, const char *bridge,
		const char *const *ports, size_t n_ports, unsigned *usable, char **msg);

/* OpenFlow versions as people write them, "OpenFlow10" .. "OpenFlow15", and
 * as ovslab counts them, 1 .. 6 (the wire's numbers); 0 or NULL: not one. */
int flows_version_parse(const char *name);
const char *flows_version_name(int version);

/* Every wire format: where flows_validate's *usable starts. */
#define FLOWS_USABLE_ANY (~0u)

/* The version a bridge's flows are sent in: `want` (nonzero) if it can say
 * every flow, else the newest version of `allowed` (bit v: version v may be
 * spoken; 0: any) that can.  0 when there is none. */
int flows_version_choose(unsigned usable, unsigned allowed, int want);

/* Whether a version can say flows whose formats are `usable`. */
bool flows_version_can(unsigned usable, int version);

/* The switch's run directory (where BRIDGE.mgmt and the daemons' control
 * sockets are) from its OVSDB remote "unix:DIR/db.sock". */
int flows_rundir(const char *remote, char *buf, size_t len);

/* Replaces br's whole table (groups, then flows) with what the lab
 * declares, in br->of_version (or, chosen by ovslab, the newest older one
 * the bridge speaks) with the table-id and NXM extensions on OpenFlow 1.0
 * as ovs-ofctl turns them on: one atomic bundle where that is
 * OpenFlow 1.4 or later, else delete, adds and a barrier.  Its meters are
 * set just before (OVS takes no meter mod in a bundle): declared ones added
 * or modified, others deleted.  A bridge that declares no flows gets OVS's
 * default NORMAL flow back.  A flow the switch refuses is named with its
 * file:line and the switch's error. */
int flows_install(const char *rundir, const struct lab *lab, const struct lab_bridge *br);

/* Saves the flows of a bridge declared by flows_file as DIR/BRIDGE.flows,
 * one a line, the copy a lab's saved file reads back (labfile_load_saved). */
int flows_save(const char *dir, const struct lab_bridge *br);

/* The bridge's table as the switch holds it (flows without their counters,
 * sorted) recorded as DIR/BRIDGE.table once installed; and whether it
 * differs now from that record: 1, 0 (also when none was recorded), or
 * -errno when the switch cannot be asked. */
int flows_table_record(const char *rundir, const char *dir, const struct lab_bridge *br);
int flows_table_changed(const char *rundir, const char *dir, const struct lab_bridge *br);

/* Prints the bridge's flows with port names, as ovs-ofctl -O VERSION
 * dump-flows --names BRIDGE [FILTER] does (FILTER: NULL or e.g. "table=10"
 * or "tcp,nw_dst=10.0.0.1"; VERSION 0: the version br's flows are sent in),
 * then, without a filter, its groups and meters as dump-groups and
 * dump-meters. */
int flows_dump(const char *rundir, const struct lab_bridge *br, int version, const char *filter,
	       FILE *out);

/* A daemon's control socket: RUNDIR/DAEMON.ctl (ovslab's private switch), else
 * RUNDIR/DAEMON.PID.ctl with the pid from RUNDIR/DAEMON.pid. */
int flows_ctl(const char *rundir, const char *daemon, char *buf, size_t len);

/* Prints ovs-vswitchd's answer to ofproto/trace BRIDGE ARGS... (a flow,
 * -generate or a packet, --ct-next ...), then the datapath ports its
 * "Datapath actions" name, with their names and OpenFlow numbers. */
int flows_trace(const char *rundir, const char *bridge, const char *const *args, size_t n_args,
		FILE *out);

#endif
