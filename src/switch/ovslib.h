/* Setting libopenvswitch up for use inside ovslab, once per process. */
#ifndef OVSLAB_OVSLIB_H
#define OVSLAB_OVSLIB_H

void ovslib_init(void);
/* The Open vSwitch version libopenvswitch was built from. */
const char *ovslib_version(void);

#endif
