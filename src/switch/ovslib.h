/* Setting libopenvswitch up for use inside ovslab, once per process. */
#ifndef OVSLAB_OVSLIB_H
#define OVSLAB_OVSLIB_H

void ovslib_init(void);

#endif
