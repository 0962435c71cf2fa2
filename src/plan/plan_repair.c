/* The steps that put back what a lab that is up lost on the machine (its
 * drift, found by apply/observe.c), added to the plan of an edit. */
#include "plan/plan.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "plan/plan_steps.h"

/* The plan's step of that kind about the host or bridge of that name (as
 * declared), or NULL. */
static struct plan_step *plan_find_step(struct plan *p, enum plan_op op, const char *name)
{
	for (size_t i = 0; i < p->n_steps; i++) {
		struct plan_step *s = &p->steps[i];
		const char *n = s->host.new ? s->host.new->name
				: s->bridge.new ? s->bridge.new->name : NULL;

		if (s->op == op && (!name || (n && !strcmp(n, name))))
			return s;
	}
	return NULL;
}

static unsigned lab_drift_of(const struct lab_drift_item *v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i].name, name))
			return v[i].what;
	return 0;
}

static bool plan_host_bridged(const struct lab_host *h)
{
	for (size_t i = 0; i < h->n_ifaces; i++)
		if (h->ifaces[i].attach == LAB_ATTACH_BRIDGE)
			return true;
	return false;
}

/* A host without its namespace or an interface is made anew, cables and
 * switch ports with it; one without an address or route is changed in
 * place.  An update the edit planned already becomes a rebuild. */
static int plan_repair_host(const struct lab *old, const struct lab *new, const char *name,
			    unsigned what, struct plan *p)
{
	const struct lab_host *o = lab_find_host(old, name), *h = lab_find_host(new, name);
	struct plan_step *s;
	char why[160];
	int ret = 0;

	if (!o || !h || plan_find_step(p, PLAN_HOST_REBUILD, name))
		return 0;
	lab_drift_str(what, why, sizeof(why));
	if (what & (LAB_DRIFT_NS | LAB_DRIFT_IFACE)) {
		s = plan_find_step(p, PLAN_HOST_UPDATE, name);
		if (s) {
			s->op = PLAN_HOST_REBUILD;
			s->repair = true;
			snprintf(s->what, sizeof(s->what), "host %.32s: %.100s (made anew)", name, why);
		} else {
			ret = plan_push(p, PLAN_STEP(PLAN_HOST_REBUILD, .host = { o, h }, .repair = true),
					"host %s: %s (made anew)", name, why);
		}
		p->switch_rows |= plan_host_bridged(o) || plan_host_bridged(h);
		for (size_t i = 0; ret == 0 && i < new->n_links; i++) {
			const struct lab_link *l = &new->links[i];
			bool done = false;

			if (strcmp(l->host[0], name) && strcmp(l->host[1], name))
				continue;
			for (size_t j = 0; j < p->n_steps; j++)
				done |= p->steps[j].op == PLAN_LINK_ADD && p->steps[j].link.new == l;
			if (!done)
				ret = plan_push(p, PLAN_STEP(PLAN_LINK_ADD, .link.new = l, .repair = true),
						"link %s:%s - %s:%s", l->host[0], l->ifname[0],
						l->host[1], l->ifname[1]);
		}
		return ret;
	}
	if (what & (LAB_DRIFT_ADDR | LAB_DRIFT_ROUTE)) {
		s = plan_find_step(p, PLAN_HOST_UPDATE, name);
		if (s)
			s->repair = true;
		else
			ret = plan_push(p, PLAN_STEP(PLAN_HOST_UPDATE, .host = { o, h }, .repair = true),
					"host %s: %s", name, why);
	}
	if (ret == 0 && what & LAB_DRIFT_PORT) {
		p->switch_rows = true;
		ret = plan_push(p, PLAN_STEP(PLAN_SWITCH_CHANGE, .host = { o, h }, .repair = true),
				"host %s: switch ports missing", name);
	}
	return ret;
}

static int plan_repair_bridge(const struct lab *old, const struct lab *new, const char *name,
			      unsigned what, bool switch_new, struct plan *p)
{
	const struct lab_bridge *o = lab_find_bridge(old, name), *b = lab_find_bridge(new, name);
	char why[160];
	int ret = 0;

	if (!o || !b)
		return 0;
	lab_drift_str(what, why, sizeof(why));
	if (what & LAB_DRIFT_BRIDGE) {
		p->switch_rows = true;
		ret = plan_push(p, PLAN_STEP(PLAN_SWITCH_CHANGE, .bridge = { o, b }, .repair = true),
				"bridge %s: %s", name, why);
	}
	/* A bridge made anew has a new internal port, without the address. */
	if (ret == 0 && (what & (LAB_DRIFT_BRIDGE | LAB_DRIFT_GATEWAY) || switch_new) &&
	    (b->gateway.family || b->gateway6.family) && !b->gateway_elsewhere &&
	    !plan_find_step(p, PLAN_BRIDGE_GATEWAY, name) && !plan_find_step(p, PLAN_BRIDGE_ADD, name))
		ret = plan_push(p, PLAN_STEP(PLAN_BRIDGE_GATEWAY, .bridge = { o, b }, .repair = true),
				"bridge %s: %s", name, what & LAB_DRIFT_BRIDGE ? "gateway address"
				: switch_new ? "gateway address (switch restarted)" : why);
	/* A table OVS made anew holds its NORMAL flow, which is what a bridge
	 * without flows declares. */
	if (ret == 0 && (what & LAB_DRIFT_FLOWS ||
			 (switch_new && (b->has_flows || b->n_groups || b->n_meters)) ||
			 (p->switch_rows && (b->has_flows || b->n_groups))) &&
	    !plan_find_step(p, PLAN_FLOWS, name))
		ret = plan_push(p, PLAN_STEP(PLAN_FLOWS, .bridge = { o, b }, .repair = true),
				"bridge %s: %s", name, what & LAB_DRIFT_FLOWS ? why
				: switch_new ? "flows (switch restarted)" : "flows (ports put back)");
	return ret;
}

int plan_repair(const struct lab *old, const struct lab *new, const struct lab_drift *d,
		struct plan *p)
{
	bool restart = d->switchd_dead || d->ovsdb_dead;
	int ret = 0;

	if (!old || !lab_drift_any(d))
		return 0;
	if (restart) {
		ret = plan_push(p, PLAN_STEP(PLAN_SWITCH_RESTART, .repair = true),
				"switch: %s not running (started again)",
				d->switchd_dead && d->ovsdb_dead ? "ovsdb-server and ovs-vswitchd"
				: d->switchd_dead ? "ovs-vswitchd" : "ovsdb-server");
		/* Its rows stay in its database; the transaction puts back any
		 * the daemons lost. */
		p->switch_rows = true;
	}
	for (size_t i = 0; ret == 0 && i < d->n_hosts; i++)
		ret = plan_repair_host(old, new, d->hosts[i].name, d->hosts[i].what, p);
	if (ret == 0 && d->nat && !plan_has(p, PLAN_NAT))
		ret = plan_push(p, PLAN_STEP(PLAN_NAT, .repair = true), "nat rules missing");
	/* Every bridge: one whose rows come back may need its flows again. */
	for (size_t i = 0; ret == 0 && i < old->n_bridges; i++) {
		const char *name = old->bridges[i].name;
		unsigned what = lab_drift_of(d->bridges, d->n_bridges, name);

		/* A restarted ovs-vswitchd made every internal port anew and
		 * lost every flow; not so when only ovsdb-server died. */
		if (what || d->switchd_dead || p->switch_rows)
			ret = plan_repair_bridge(old, new, name, what, d->switchd_dead, p);
	}
	if (ret < 0)
		plan_free(p);
	return ret;
}

int plan_firewall(struct plan *p, const char *from, const char *to)
{
	if (plan_has(p, PLAN_NAT))
		return 0;
	return plan_push(p, PLAN_STEP(PLAN_NAT), "nat rules move from %s to %s", from, to);
}
