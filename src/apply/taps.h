/* A lab's TAP devices for virtual machines: made in the machine's namespace
 * (journal entry first) before the switch is given them as ports; removed by
 * down and gc even while a VM still holds one open. */
#ifndef OVSLAB_TAPS_H
#define OVSLAB_TAPS_H

#include <stddef.h>

#include "apply/build.h"

/* Makes every tap of the lab that the journal does not hold yet. */
int taps_build(struct build *b);
/* Deletes the taps journalled from entry `from` on; one that is gone
 * already is fine. */
int taps_remove(struct journal *st, size_t from);

#endif
