/* What the machine already has that a lab would collide with, checked
 * before anything is made and reported all at once as file:line:col lines:
 * namespace and interface names taken by something that is not the lab's,
 * NAT subnets overlapping the machine's routes, uplinks that do not exist. */
#ifndef OVSLAB_PREFLIGHT_H
#define OVSLAB_PREFLIGHT_H

#include <net/if.h>
#include <stdio.h>

#include "model/lab.h"
#include "kernel/rtnl.h"

/* lab: as declared; old: as it is up (its objects are the lab's own), or
 * NULL.  Fills uplinks[i] for each NAT bridge i.  Returns -EINVAL after
 * writing every problem to diag. */
int preflight_machine(const struct lab *lab, const struct lab *old, struct rtnl *nl,
		  char (*uplinks)[IF_NAMESIZE], FILE *diag);

#endif
