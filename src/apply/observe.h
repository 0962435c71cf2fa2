/* What of a lab that is up still exists on the machine: its private
 * switch's daemons, each host's namespace, interfaces, addresses and routes,
 * the lab's switch rows, gateways, NAT rules and flow tables, compared with
 * its saved lab file.  Reads only; what is missing becomes a struct
 * lab_drift, which plan/ turns into repairs and `show` reports. */
#ifndef OVSLAB_OBSERVE_H
#define OVSLAB_OBSERVE_H

#include "journal/journal.h"
#include "model/drift.h"
#include "model/lab.h"
#include "kernel/rtnl.h"

/* Fills *d (zeroed first; free it with lab_drift_free, also after a failure)
 * with what lab (the saved lab file of the journal st) lacks.  A switch that
 * does not answer is not an error: it is part of the drift. */
int observe_lab(const struct lab *lab, const struct journal *st, struct lab_drift *d);

/* The same for one simulated machine's part of a lab with machines: view
 * (lab_machine_view of the saved lab file), its switch in rundir, its
 * namespace through nl.  A lab with machines itself (observe_lab) is only
 * looked at for its NAT rules. */
int observe_machine(const struct lab *view, const struct journal *st, const char *rundir,
		    struct rtnl *nl, struct lab_drift *d);

#endif
