/* Inside the planner: plan.c asks plan_settings.c for the switch-settings
 * steps, both append through plan_steps.c, and nothing calls back. */
#ifndef OVSLAB_PLAN_STEPS_H
#define OVSLAB_PLAN_STEPS_H

#include "plan/plan.h"

/* A step for plan_push: PLAN_STEP(PLAN_HOST_ADD, .host.new = h). */
#define PLAN_STEP(op_, ...) (&(const struct plan_step){ .op = (op_), __VA_ARGS__ })

/* Appends step (op and its object pair) with "what" printf-style. */
int plan_push(struct plan *p, const struct plan_step *step, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* NULL and "" alike. */
bool plan_str_eq(const char *a, const char *b);

/* The steps of the switch settings (plan_settings.c). */
int plan_settings(const struct lab *old, const struct lab *new, struct plan *p);

#endif
