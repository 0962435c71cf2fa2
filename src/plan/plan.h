/* What `up` has to do to take a lab from what is up (old, NULL when nothing
 * is) to what its file now declares: the difference, object by object.
 * Pure: computing a plan touches nothing. */
#ifndef OVSLAB_PLAN_H
#define OVSLAB_PLAN_H

#include <stdbool.h>
#include <stdio.h>

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
	PLAN_NAT,             /* the lab's NAT rules change */
	PLAN_FLOWS,           /* a bridge's OpenFlow table is replaced */
	/* Switch rows only (bridge settings, port VLANs, patches, mirrors):
	 * the lab's next transaction makes them so. */
	PLAN_SWITCH_ADD,
	PLAN_SWITCH_DEL,
	PLAN_SWITCH_CHANGE,
};

struct plan_step {
	enum plan_op op;
	const void *old;      /* the object as it is up, or NULL */
	const void *new;      /* the object as declared, or NULL */
	char what[160];       /* for people: "host ns03", "address 10.0.0.1/24 -> ..." */
};

struct plan {
	struct plan_step *steps;
	size_t n_steps;
	bool ports;           /* the switch's rows change */
};

int plan_make(const struct lab *old, const struct lab *new, struct plan *out);
void plan_free(struct plan *p);
bool plan_has(const struct plan *p, enum plan_op op);
/* One line per step: "+ host ns03", "- host ns02", "~ host ns01: addresses". */
void plan_print(const struct plan *p, const char *lab, FILE *out);

/* For the sections of plan_settings.c: appends a step ("what" printf-style). */
int plan_push(struct plan *p, enum plan_op op, const void *old, const void *new,
	      const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* The steps of the switch settings (plan_settings.c). */
int plan_settings(const struct lab *old, const struct lab *new, struct plan *p);

#endif
