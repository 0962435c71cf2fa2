/* The switch a lab uses: the machine's Open vSwitch when its database
 * answers, otherwise a private ovsdb-server + ovs-vswitchd started for the
 * lab under /run/ovslab/<lab>/ovs/ and stopped with it. */
#ifndef OVSLAB_SWITCHD_H
#define OVSLAB_SWITCHD_H

#include <limits.h>
#include <stddef.h>
#include <stdbool.h>

struct switchd {
	bool private;              /* started by ovslab for this lab */
	char remote[PATH_MAX + 8]; /* OVSDB remote, "unix:/.../db.sock" */
	char rundir[PATH_MAX];     /* private: /run/ovslab/<lab>/ovs */
	char datapath[16];         /* "system" or "netdev" */
};

/* The remote of the machine's switch if one answers: $OVS_RUNDIR/db.sock or
 * /run/openvswitch/db.sock.  -ENOENT when none does. */
int switchd_find_shared(char *remote, size_t len);

/* Finds the machine's switch, or starts a private one in
 * <labdir>/ovs.  Fills *sw. */
int switchd_start(const char *lab_name, const char *labdir, struct switchd *sw);

/* Stops a private switch (ovs-vswitchd exit --cleanup, then ovsdb-server
 * exit) and removes its directory.  Does nothing for a shared switch. */
int switchd_stop(const struct switchd *sw);

/* "netdev" when the kernel has no openvswitch datapath, else "system". */
const char *switchd_datapath(void);

#endif
