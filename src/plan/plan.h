/* What `up` has to do to take a lab from what is up (old, NULL when nothing
 * is) to what its file now declares: the difference, object by object.
 * Pure: computing a plan touches nothing. */
#ifndef OVSLAB_PLAN_H
#define OVSLAB_PLAN_H

#include <stdbool.h>
#include <stdio.h>

#include "model/drift.h"
#include "model/lab.h"

enum plan_op {
	PLAN_BRIDGE_ADD,
	PLAN_BRIDGE_DEL,
	PLAN_BRIDGE_GATEWAY,  /* gateway addresses change */
	PLAN_HOST_ADD,
	PLAN_HOST_DEL,
	PLAN_HOST_REBUILD,    /* interfaces change: namespace made anew */
	PLAN_HOST_UPDATE,     /* addresses, routes or sysctls change in place */
	PLAN_LINK_ADD,
	PLAN_LINK_DEL,
	/* An interface's link properties (qdiscs, loss filter, state) change
	 * in place: host pair and iface set. */
	PLAN_IFACE_PROPS,
	PLAN_NAT,             /* the lab's NAT rules change */
	PLAN_FLOWS,           /* a bridge's OpenFlow table is replaced */
	/* Switch rows only (bridge settings, port VLANs, patches, mirrors):
	 * the lab's next transaction makes them so. */
	PLAN_SWITCH_ADD,
	PLAN_SWITCH_DEL,
	PLAN_SWITCH_CHANGE,
	/* The private switch's daemons died: started again first, in the same
	 * directory (what it held, its internal ports and flows, is made anew
	 * by the steps after it). */
	PLAN_SWITCH_RESTART,
	/* A lab with machines (plan_machines.c): a machine made or removed
	 * whole, a host moved from one machine to another (removed there
	 * first, then made on its new machine by that machine's steps), a
	 * tunnel port on a machine towards another. */
	PLAN_MACHINE_ADD,
	PLAN_MACHINE_DEL,
	PLAN_HOST_MOVE,
	PLAN_TUNNEL_ADD,
	PLAN_TUNNEL_DEL,
	PLAN_TUNNEL_CHANGE,
};

/* What a step is about, as it is up (old) and as declared (new); NULL when
 * absent.  One pair is set, the one of the step's object: host, bridge,
 * link (the PLAN_HOST_*, PLAN_BRIDGE_*, PLAN_LINK_* steps and PLAN_FLOWS:
 * bridge), patch or mirror; PLAN_SWITCH_* steps set the host, bridge,
 * patch or mirror pair.  PLAN_NAT is about the whole lab and sets none. */
struct plan_step {
	enum plan_op op;
	struct { const struct lab_host *old, *new; } host;
	struct { const struct lab_bridge *old, *new; } bridge;
	struct { const struct lab_link *old, *new; } link;
	struct { const struct lab_patch *old, *new; } patch;
	struct { const struct lab_mirror *old, *new; } mirror;
	size_t iface;         /* PLAN_IFACE_PROPS: index in both hosts' ifaces */
	/* PLAN_MACHINE_*: the machine; PLAN_HOST_MOVE: the machines it moves
	 * between (host set too); PLAN_TUNNEL_*: old is the machine holding
	 * the port, new its peer (bridge.new or .old set too). */
	struct { const struct lab_machine *old, *new; } machine;
	char what[160];       /* for people: "host ns03", "host ns01: addresses" */
	bool repair;          /* puts back what went missing (plan_repair) */
};

struct plan {
	struct plan_step *steps;
	size_t n_steps;
	bool switch_rows;     /* the switch's rows change: `up` runs its transaction */
};

int plan_make(const struct lab *old, const struct lab *new, struct plan *out);

/* Adds to p (plan_make(old, new)) the steps that put back what d says is
 * missing from old; objects the plan removes are left alone, and steps the
 * plan already has are not repeated.  Pure, as plan_make. */
int plan_repair(const struct lab *old, const struct lab *new, const struct lab_drift *d,
		struct plan *p);
/* A step moving the lab's NAT rules from one firewall backend to another
 * (none when the plan changes them already). */
int plan_firewall(struct plan *p, const char *from, const char *to);
/* A lab with machines, above its machines' own plans: machines added and
 * removed, hosts moved between machines, tunnel ports, cables between hosts
 * and NAT.  -EBUSY (message set) for an edit a lab that is up cannot take:
 * its underlay's subnet or MTU, or a kept machine's underlay address. */
int plan_machines(const struct lab *old, const struct lab *new, struct plan *out);
/* Appends a copy of step s (its "what" too). */
int plan_add(struct plan *p, const struct plan_step *s);
/* Appends src's steps to dst, each "what" prefixed with "machine: ". */
int plan_append_machine(struct plan *dst, const struct plan *src, const char *machine);
void plan_free(struct plan *p);
bool plan_has(const struct plan *p, enum plan_op op);
/* How many of its steps are repairs. */
size_t plan_repairs(const struct plan *p);
/* One line per step: "+ host ns03", "- host ns02", "~ host ns01: addresses";
 * "LAB: up to date, nothing to change" when there is none. */
void plan_print(const struct plan *p, const char *lab, FILE *out);

#endif
