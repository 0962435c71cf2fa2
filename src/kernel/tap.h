/* TAP devices for virtual machines: made persistent through /dev/net/tun,
 * removed like any link (RTM_DELLINK, which also works while a VM holds it). */
#ifndef OVSLAB_TAP_H
#define OVSLAB_TAP_H

#include "model/lab.h"

/* Creates t as a persistent TAP (IFF_TAP|IFF_NO_PI, multi-queue when it has
 * queues, vnet_hdr as asked), owned by its uid/gid, in the calling thread's
 * namespace, and closes it: down.  -EEXIST when the name is taken. */
int tap_create(const struct lab_tap *t);

#endif
