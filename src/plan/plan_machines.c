/* The plan of a lab with machines above its machines' own plans: machines
 * added and removed, hosts moved between them, tunnel ports, the cables
 * between hosts (top-level namespaces, on no machine) and NAT. */
#include "plan/plan.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "plan/plan_steps.h"
#include "util/err.h"

/* What a lab that is up cannot take in place: every tunnel and address on
 * the underlay would change under the hosts' feet. */
static int plan_machines_fixed(const struct lab *old, const struct lab *new)
{
	if (!old->n_machines)
		return 0;
	if (!lab_addr_eq(&old->underlay.subnet, &new->underlay.subnet) ||
	    old->underlay.mtu != new->underlay.mtu) {
		err_set("%s: the underlay's subnet or MTU cannot change while the lab is up: take "
			"it down first (`ovslab down %s`)", new->name, new->name);
		return -EBUSY;
	}
	for (size_t i = 0; i < new->n_machines; i++) {
		const struct lab_machine *m = &new->machines[i];
		const struct lab_machine *o = lab_find_machine(old, m->name);

		if (o && !lab_addr_eq(&o->underlay, &m->underlay)) {
			err_set("machine %s: its underlay address cannot change while the lab is "
				"up: take the lab down first (`ovslab down %s`)", m->name,
				new->name);
			return -EBUSY;
		}
	}
	return 0;
}

/* Whether lab has a tunnel on machine `on` of bridge `bridge` towards
 * machine `to` (both have the bridge); its bridge, else NULL. */
static const struct lab_bridge *plan_tunnel(const struct lab *lab, const char *bridge,
					    const char *on, const char *to)
{
	const struct lab_machine *a, *b;
	const struct lab_bridge *br;

	if (!lab)
		return NULL;
	a = lab_find_machine(lab, on);
	b = lab_find_machine(lab, to);
	br = lab_find_bridge(lab, bridge);
	if (!a || !b || !br || !lab_machine_has_bridge(lab, a, bridge) ||
	    !lab_machine_has_bridge(lab, b, bridge))
		return NULL;
	return br;
}

/* Tunnels of `from` that `other` lacks (op ADD or DEL), or has
 * otherwise (CHANGE, when from is the new lab). */
static int plan_tunnels_of(const struct lab *from, const struct lab *other, enum plan_op op,
			   struct plan *p)
{
	int ret = 0;

	for (size_t i = 0; ret == 0 && i < from->n_machines; i++) {
		const struct lab_machine *m = &from->machines[i];

		/* A machine that comes or goes takes its own ports with it. */
		if (other && !lab_find_machine(other, m->name))
			continue;
		for (size_t b = 0; ret == 0 && b < from->n_bridges; b++) {
			const struct lab_bridge *br = &from->bridges[b];

			for (size_t j = 0; ret == 0 && j < from->n_machines; j++) {
				const struct lab_machine *peer = &from->machines[j];
				const struct lab_bridge *ob;

				if (peer == m || !plan_tunnel(from, br->name, m->name, peer->name))
					continue;
				ob = plan_tunnel(other, br->name, m->name, peer->name);
				if (!ob)
					ret = plan_push(p, PLAN_STEP(op, .machine = { m, peer },
								     .bridge.new = br),
							"tunnel %s %s -> %s", br->name, m->name,
							peer->name);
				else if (op == PLAN_TUNNEL_ADD &&
					 (ob->tunnel != br->tunnel || ob->key != br->key))
					ret = plan_push(p, PLAN_STEP(PLAN_TUNNEL_CHANGE,
								     .machine = { m, peer },
								     .bridge = { ob, br }),
							"tunnel %s %s -> %s: %s key %u", br->name,
							m->name, peer->name, lab_tunnel_name(br->tunnel),
							br->key);
			}
		}
	}
	return ret;
}

static bool plan_has_link_add(const struct plan *p, const struct lab_link *l)
{
	for (size_t i = 0; i < p->n_steps; i++)
		if (p->steps[i].op == PLAN_LINK_ADD && p->steps[i].link.new == l)
			return true;
	return false;
}

/* The lab-wide plan's cables and NAT; a moved host's cables go with its
 * namespace, so they are made again. */
static int plan_machines_lab(const struct lab *old, const struct lab *new, struct plan *p)
{
	struct plan whole;
	int ret = plan_make(old, new, &whole);

	for (size_t i = 0; ret == 0 && i < whole.n_steps; i++) {
		const struct plan_step *s = &whole.steps[i];

		if (s->op == PLAN_LINK_ADD || s->op == PLAN_LINK_DEL || s->op == PLAN_NAT)
			ret = plan_push(p, s, "%s", s->what);
	}
	plan_free(&whole);
	for (size_t i = 0; ret == 0 && i < new->n_links; i++) {
		const struct lab_link *l = &new->links[i];
		bool moved = false;

		for (size_t j = 0; j < p->n_steps; j++)
			moved |= p->steps[j].op == PLAN_HOST_MOVE &&
				 (!strcmp(p->steps[j].host.new->name, l->host[0]) ||
				  !strcmp(p->steps[j].host.new->name, l->host[1]));
		if (moved && !plan_has_link_add(p, l))
			ret = plan_push(p, PLAN_STEP(PLAN_LINK_ADD, .link.new = l),
					"link %s:%s - %s:%s", l->host[0], l->ifname[0], l->host[1],
					l->ifname[1]);
	}
	return ret;
}

int plan_machines(const struct lab *old, const struct lab *new, struct plan *out)
{
	int ret = old ? plan_machines_fixed(old, new) : 0;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; ret == 0 && old && i < old->n_machines; i++)
		if (!lab_find_machine(new, old->machines[i].name))
			ret = plan_push(out, PLAN_STEP(PLAN_MACHINE_DEL,
						       .machine.old = &old->machines[i]),
					"machine %s", old->machines[i].name);
	for (size_t i = 0; ret == 0 && i < new->n_machines; i++)
		if (!old || !lab_find_machine(old, new->machines[i].name))
			ret = plan_push(out, PLAN_STEP(PLAN_MACHINE_ADD,
						       .machine.new = &new->machines[i]),
					"machine %s", new->machines[i].name);
	for (size_t i = 0; ret == 0 && old && i < new->n_hosts; i++) {
		const struct lab_host *h = &new->hosts[i];
		const struct lab_host *o = lab_find_host(old, h->name);

		if (!o || !o->machine || !h->machine || !strcmp(o->machine, h->machine))
			continue;
		ret = plan_push(out, PLAN_STEP(PLAN_HOST_MOVE, .host = { o, h },
					       .machine = { lab_find_machine(old, o->machine),
							    lab_find_machine(new, h->machine) }),
				"host %s moves %s -> %s", h->name, o->machine, h->machine);
	}
	if (ret == 0 && old)
		ret = plan_tunnels_of(old, new, PLAN_TUNNEL_DEL, out);
	if (ret == 0)
		ret = plan_tunnels_of(new, old, PLAN_TUNNEL_ADD, out);
	if (ret == 0)
		ret = plan_machines_lab(old, new, out);
	if (ret == -ENOMEM)
		err_set("%s: out of memory", new->name);
	if (ret < 0)
		plan_free(out);
	return ret;
}
