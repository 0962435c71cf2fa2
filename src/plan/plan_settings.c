/* What changes in the switch's rows alone: bridge settings, a bridge port's
 * ofport / vlan / trunks, patches and mirrors.  None of it remakes a host:
 * the lab's next switch transaction writes the rows in place. */
#include <stdlib.h>
#include <string.h>

#include "plan/plan_steps.h"

static bool plan_settings_strv_eq(char *const *a, size_t na, char *const *b, size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++)
		if (strcmp(a[i], b[i]))
			return false;
	return true;
}

static bool plan_settings_kv_eq(const struct lab_kv *a, size_t na, const struct lab_kv *b, size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++)
		if (strcmp(a[i].key, b[i].key) || strcmp(a[i].value, b[i].value))
			return false;
	return true;
}

/* "what" gets the names of the settings that differ. */
static void plan_settings_note(char *what, size_t len, bool differ, const char *name)
{
	size_t used = strlen(what);

	if (differ)
		snprintf(what + used, len - used, " %s", name);
}

static int plan_settings_bridge(const struct lab_bridge *o, const struct lab_bridge *b,
			  struct plan *p)
{
	const struct lab_bridge_settings *x = &o->settings, *y = &b->settings;
	char what[128] = "";

	plan_settings_note(what, sizeof(what), !plan_str_eq(x->datapath, y->datapath), "datapath");
	plan_settings_note(what, sizeof(what), !plan_str_eq(x->fail_mode, y->fail_mode), "fail_mode");
	plan_settings_note(what, sizeof(what),
		     !plan_settings_strv_eq(x->protocols, x->n_protocols, y->protocols, y->n_protocols),
		     "protocols");
	plan_settings_note(what, sizeof(what),
		     !plan_settings_strv_eq(x->controllers, x->n_controllers, y->controllers,
				      y->n_controllers), "controller");
	plan_settings_note(what, sizeof(what), x->mcast_snooping != y->mcast_snooping, "mcast_snooping");
	plan_settings_note(what, sizeof(what), x->stp != y->stp, "stp");
	plan_settings_note(what, sizeof(what), x->rstp != y->rstp, "rstp");
	plan_settings_note(what, sizeof(what),
		     !plan_settings_kv_eq(x->other_config, x->n_other_config, y->other_config,
				    y->n_other_config), "other_config");
	plan_settings_note(what, sizeof(what),
		     !plan_settings_kv_eq(x->external_ids, x->n_external_ids, y->external_ids,
				    y->n_external_ids), "external_ids");
	if (!what[0])
		return 0;
	p->switch_rows = true;
	return plan_push(p, PLAN_STEP(PLAN_SWITCH_CHANGE, .bridge = { o, b }),
			 "bridge %s:%s", b->name, what);
}

static bool plan_settings_rebuilt(const struct plan *p, const struct lab_host *h)
{
	for (size_t i = 0; i < p->n_steps; i++)
		if (p->steps[i].op == PLAN_HOST_REBUILD && p->steps[i].host.new == h)
			return true;
	return false;
}

static bool plan_settings_trunks_eq(const struct lab_port_settings *a, const struct lab_port_settings *b)
{
	return a->n_trunks == b->n_trunks &&
	       (!a->n_trunks || !memcmp(a->trunks, b->trunks, a->n_trunks * sizeof(*a->trunks)));
}

/* A host made anew gets its ports with their settings anyway. */
static int plan_settings_host(const struct lab_host *o, const struct lab_host *h, struct plan *p)
{
	char what[128] = "";

	if (o->n_ifaces != h->n_ifaces || plan_settings_rebuilt(p, h))
		return 0;
	for (size_t i = 0; i < h->n_ifaces; i++) {
		const struct lab_port_settings *x = &o->ifaces[i].settings, *y = &h->ifaces[i].settings;

		if (h->ifaces[i].attach != LAB_ATTACH_BRIDGE)
			continue;
		plan_settings_note(what, sizeof(what), x->ofport != y->ofport && !strstr(what, "ofport"),
			     "ofport");
		plan_settings_note(what, sizeof(what), x->vlan != y->vlan && !strstr(what, "vlan"), "vlan");
		plan_settings_note(what, sizeof(what), !plan_settings_trunks_eq(x, y) && !strstr(what, "trunks"),
			     "trunks");
	}
	if (!what[0])
		return 0;
	p->switch_rows = true;
	return plan_push(p, PLAN_STEP(PLAN_SWITCH_CHANGE, .host = { o, h }),
			 "host %s:%s", h->name, what);
}

static const struct lab_patch *plan_settings_find_patch(const struct lab *lab, const struct lab_patch *q)
{
	for (size_t i = 0; lab && i < lab->n_patches; i++) {
		const struct lab_patch *p = &lab->patches[i];

		if ((!strcmp(p->bridge[0], q->bridge[0]) && !strcmp(p->bridge[1], q->bridge[1])) ||
		    (!strcmp(p->bridge[0], q->bridge[1]) && !strcmp(p->bridge[1], q->bridge[0])))
			return p;
	}
	return NULL;
}

static int plan_settings_patches(const struct lab *old, const struct lab *new, struct plan *p)
{
	int ret = 0;

	for (size_t i = 0; ret == 0 && old && i < old->n_patches; i++) {
		const struct lab_patch *q = &old->patches[i];

		if (!plan_settings_find_patch(new, q)) {
			p->switch_rows = true;
			ret = plan_push(p, PLAN_STEP(PLAN_SWITCH_DEL, .patch.old = q),
					"patch %s - %s", q->bridge[0], q->bridge[1]);
		}
	}
	for (size_t i = 0; ret == 0 && i < new->n_patches; i++) {
		const struct lab_patch *q = &new->patches[i];

		if (!plan_settings_find_patch(old, q)) {
			p->switch_rows = true;
			ret = plan_push(p, PLAN_STEP(PLAN_SWITCH_ADD, .patch.new = q),
					"patch %s - %s", q->bridge[0], q->bridge[1]);
		}
	}
	return ret;
}

static const struct lab_mirror *plan_settings_find_mirror(const struct lab *lab, const char *name)
{
	for (size_t i = 0; lab && i < lab->n_mirrors; i++)
		if (!strcmp(lab->mirrors[i].name, name))
			return &lab->mirrors[i];
	return NULL;
}

static bool plan_settings_ref_eq(const struct lab_mirror_ref *a, const struct lab_mirror_ref *b)
{
	return plan_str_eq(a->host, b->host) && plan_str_eq(a->ifname, b->ifname);
}

static bool plan_settings_mirror_eq(const struct lab_mirror *a, const struct lab_mirror *b)
{
	if (strcmp(a->bridge, b->bridge) || !plan_settings_ref_eq(&a->to, &b->to) ||
	    a->n_select != b->n_select)
		return false;
	for (size_t i = 0; i < a->n_select; i++)
		if (!plan_settings_ref_eq(&a->select[i], &b->select[i]))
			return false;
	return true;
}

static int plan_settings_mirrors(const struct lab *old, const struct lab *new, struct plan *p)
{
	int ret = 0;

	for (size_t i = 0; ret == 0 && old && i < old->n_mirrors; i++) {
		const struct lab_mirror *m = &old->mirrors[i];

		if (!plan_settings_find_mirror(new, m->name)) {
			p->switch_rows = true;
			ret = plan_push(p, PLAN_STEP(PLAN_SWITCH_DEL, .mirror.old = m),
					"mirror %s", m->name);
		}
	}
	for (size_t i = 0; ret == 0 && i < new->n_mirrors; i++) {
		const struct lab_mirror *m = &new->mirrors[i];
		const struct lab_mirror *o = plan_settings_find_mirror(old, m->name);
		enum plan_op op = o ? PLAN_SWITCH_CHANGE : PLAN_SWITCH_ADD;

		if (o && plan_settings_mirror_eq(o, m))
			continue;
		p->switch_rows = true;
		ret = plan_push(p, PLAN_STEP(op, .mirror = { o, m }), "mirror %s", m->name);
	}
	return ret;
}

int plan_settings(const struct lab *old, const struct lab *new, struct plan *p)
{
	int ret = 0;

	for (size_t i = 0; ret == 0 && old && i < new->n_bridges; i++) {
		const struct lab_bridge *o = lab_find_bridge(old, new->bridges[i].name);

		if (o)
			ret = plan_settings_bridge(o, &new->bridges[i], p);
	}
	for (size_t i = 0; ret == 0 && old && i < new->n_hosts; i++) {
		const struct lab_host *o = lab_find_host(old, new->hosts[i].name);

		if (o)
			ret = plan_settings_host(o, &new->hosts[i], p);
	}
	if (ret == 0)
		ret = plan_settings_patches(old, new, p);
	if (ret == 0)
		ret = plan_settings_mirrors(old, new, p);
	return ret;
}
