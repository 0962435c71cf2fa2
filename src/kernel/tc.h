/* Traffic control through rtnetlink: an interface's link properties as
 * qdiscs (netem, tbf) and, where the kernel has no netem, loss as a tiny
 * cls_bpf program on the clsact egress hook.  Everything is on the
 * interface, so it dies with it: nothing needs undoing on the machine. */
#ifndef OVSLAB_TC_H
#define OVSLAB_TC_H

#include <stdbool.h>

#include "model/lab.h"
#include "kernel/rtnl.h"

/* Makes what ifindex sends behave as lp says (state aside), replacing what
 * ovslab set before: netem (root 1:) with a tbf child for rate when netem
 * is true, else tbf for rate and the loss filter.  mtu: the interface's
 * (0: 1500), to size tbf's burst and queue. */
int tc_set(struct rtnl *nl, int ifindex, const struct lab_linkprops *lp, unsigned int mtu,
	   bool netem);
/* The link properties the kernel has on ifindex, the state (IFF_UP) included. */
int tc_read(struct rtnl *nl, int ifindex, struct lab_linkprops *out);
/* The first key of lp only netem can give ("delay", ...), or NULL. */
const char *tc_needs_netem(const struct lab_linkprops *lp);
/* Whether the kernel makes netem qdiscs: tried once, in a child process in
 * a network namespace of its own.  1, 0, or a negative errno (message set). */
int tc_netem_available(void);

#endif
