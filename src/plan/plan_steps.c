/* The plan's list of steps: appending, asking, printing and freeing it. */
#include "plan/plan_steps.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

bool plan_str_eq(const char *a, const char *b)
{
	return !strcmp(a ? a : "", b ? b : "");
}

int plan_push(struct plan *p, const struct plan_step *step, const char *fmt, ...)
{
	struct plan_step *s = realloc(p->steps, (p->n_steps + 1) * sizeof(*s));
	va_list ap;

	if (!s)
		return -ENOMEM;
	p->steps = s;
	s = &p->steps[p->n_steps++];
	*s = *step;
	va_start(ap, fmt);
	vsnprintf(s->what, sizeof(s->what), fmt, ap);
	va_end(ap);
	return 0;
}

int plan_add(struct plan *p, const struct plan_step *s)
{
	return plan_push(p, s, "%s", s->what);
}

int plan_append_machine(struct plan *dst, const struct plan *src, const char *machine)
{
	int ret = 0;

	for (size_t i = 0; ret == 0 && i < src->n_steps; i++)
		ret = plan_push(dst, &src->steps[i], "%s: %.140s", machine, src->steps[i].what);
	return ret;
}

void plan_free(struct plan *p)
{
	free(p->steps);
	memset(p, 0, sizeof(*p));
}

bool plan_has(const struct plan *p, enum plan_op op)
{
	for (size_t i = 0; i < p->n_steps; i++)
		if (p->steps[i].op == op)
			return true;
	return false;
}

size_t plan_repairs(const struct plan *p)
{
	size_t n = 0;

	for (size_t i = 0; i < p->n_steps; i++)
		n += p->steps[i].repair;
	return n;
}

void plan_print(const struct plan *p, const char *lab, FILE *out)
{
	static const char sign[] = {
		[PLAN_BRIDGE_ADD] = '+', [PLAN_BRIDGE_DEL] = '-', [PLAN_BRIDGE_GATEWAY] = '~',
		[PLAN_HOST_ADD] = '+',   [PLAN_HOST_DEL] = '-',   [PLAN_HOST_REBUILD] = '~',
		[PLAN_HOST_UPDATE] = '~', [PLAN_LINK_ADD] = '+',  [PLAN_LINK_DEL] = '-',
		[PLAN_IFACE_PROPS] = '~',
		[PLAN_NAT] = '~',         [PLAN_FLOWS] = '~',
		[PLAN_SWITCH_ADD] = '+', [PLAN_SWITCH_DEL] = '-', [PLAN_SWITCH_CHANGE] = '~',
		[PLAN_SWITCH_RESTART] = '!',
		[PLAN_MACHINE_ADD] = '+', [PLAN_MACHINE_DEL] = '-', [PLAN_HOST_MOVE] = '~',
		[PLAN_TUNNEL_ADD] = '+',  [PLAN_TUNNEL_DEL] = '-',  [PLAN_TUNNEL_CHANGE] = '~',
	};

	if (!p->n_steps) {
		fprintf(out, "%s: up to date, nothing to change\n", lab);
		return;
	}
	for (size_t i = 0; i < p->n_steps; i++)
		fprintf(out, "%c %s\n", p->steps[i].repair ? '!' : sign[p->steps[i].op],
			p->steps[i].what);
}
