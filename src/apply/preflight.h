/* What the machine and its switch already have that a lab would collide
 * with, found before anything is made and reported all at once as
 * file:line:col lines: namespace and interface names taken by something
 * that is not the lab's, bridge and port names taken in the switch, NAT
 * subnets overlapping the machine's routes, uplinks that do not exist. */
#ifndef OVSLAB_PREFLIGHT_H
#define OVSLAB_PREFLIGHT_H

#include <net/if.h>
#include <stdio.h>

#include "model/lab.h"
#include "kernel/rtnl.h"
#include "switch/ovsdb.h"

/* lab: as declared; old: as it is up (its objects are the lab's own), or
 * NULL.  sw: the names in the switch the lab will use (rows marked with
 * the lab's name are its own), or NULL when that switch does not run yet.
 * Fills uplinks[i] for each NAT bridge i.  Returns -EINVAL after writing
 * every problem to diag. */
int preflight_machine(const struct lab *lab, const struct lab *old, struct rtnl *nl,
		      const struct ovsdb_row_names *sw, char (*uplinks)[IF_NAMESIZE], FILE *diag);

#endif
