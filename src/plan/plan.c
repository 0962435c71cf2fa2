/* The plan object by object: bridges, hosts, links, NAT and flows (the
 * switch settings are plan_settings.c's). */
#include "plan/plan.h"

#include <stdlib.h>
#include <string.h>

#include "plan/plan_steps.h"

static bool plan_addrs_eq(const struct lab_iface *a, const struct lab_iface *b)
{
	if (a->n_addrs != b->n_addrs)
		return false;
	for (size_t i = 0; i < a->n_addrs; i++)
		if (!lab_addr_eq(&a->addrs[i], &b->addrs[i]))
			return false;
	return true;
}

/* What an interface is, as opposed to how it is addressed. */
static bool plan_iface_shape_eq(const struct lab_iface *a, const struct lab_iface *b)
{
	return a->attach == b->attach && plan_str_eq(a->bridge, b->bridge) &&
	       plan_str_eq(a->ifname, b->ifname) && plan_str_eq(a->port, b->port) &&
	       a->has_mac == b->has_mac && (!a->has_mac || !memcmp(a->mac, b->mac, 6)) &&
	       a->mtu == b->mtu && plan_str_eq(a->peer_host, b->peer_host) &&
	       plan_str_eq(a->peer_ifname, b->peer_ifname) &&
	       plan_str_eq(a->physical, b->physical) && plan_str_eq(a->parent, b->parent) &&
	       a->vlan_id == b->vlan_id;
}

static bool plan_host_shape_eq(const struct lab_host *a, const struct lab_host *b)
{
	if (a->n_ifaces != b->n_ifaces)
		return false;
	for (size_t i = 0; i < a->n_ifaces; i++)
		if (!plan_iface_shape_eq(&a->ifaces[i], &b->ifaces[i]))
			return false;
	return true;
}

static bool plan_routes_eq(const struct lab *la, const struct lab_host *a, const struct lab *lb,
			   const struct lab_host *b)
{
	struct lab_host_route *ra = NULL, *rb = NULL;
	int na = lab_host_routes(la, a, &ra);
	int nb = lab_host_routes(lb, b, &rb);
	bool eq = na >= 0 && na == nb;

	for (int i = 0; eq && i < na; i++)
		eq = lab_host_route_eq(&ra[i], &rb[i]);
	free(ra);
	free(rb);
	return eq;
}

static bool plan_sysctls_eq(const struct lab_host *a, const struct lab_host *b)
{
	if (a->n_sysctls != b->n_sysctls)
		return false;
	for (size_t i = 0; i < a->n_sysctls; i++)
		if (!plan_str_eq(a->sysctls[i].key, b->sysctls[i].key) ||
		    !plan_str_eq(a->sysctls[i].value, b->sysctls[i].value))
			return false;
	return true;
}

static bool plan_gateways_eq(const struct lab_bridge *a, const struct lab_bridge *b)
{
	return lab_addr_eq(&a->gateway, &b->gateway) && lab_addr_eq(&a->gateway6, &b->gateway6) &&
	       a->gateway_elsewhere == b->gateway_elsewhere;
}

static bool plan_nat_eq(const struct lab *a, const struct lab *b)
{
	size_t na = 0, nb = 0;

	for (size_t i = 0; i < a->n_bridges; i++) {
		const struct lab_bridge *ba = &a->bridges[i];
		const struct lab_bridge *bb = lab_find_bridge(b, ba->name);

		if (!ba->nat)
			continue;
		na++;
		if (!bb || !bb->nat || !lab_addr_eq(&ba->gateway, &bb->gateway) ||
		    !plan_str_eq(ba->uplink, bb->uplink) ||
		    !plan_str_eq(ba->gateway_on, bb->gateway_on))
			return false;
	}
	for (size_t i = 0; i < b->n_bridges; i++)
		nb += b->bridges[i].nat;
	return na == nb;
}

static int plan_bridges(const struct lab *old, const struct lab *new, struct plan *p)
{
	int ret = 0;

	for (size_t i = 0; ret == 0 && old && i < old->n_bridges; i++)
		if (!lab_find_bridge(new, old->bridges[i].name)) {
			ret = plan_push(p, PLAN_STEP(PLAN_BRIDGE_DEL, .bridge.old = &old->bridges[i]),
					"bridge %s", old->bridges[i].name);
			p->switch_rows = true;
		}
	for (size_t i = 0; ret == 0 && i < new->n_bridges; i++) {
		const struct lab_bridge *b = &new->bridges[i];
		const struct lab_bridge *o = old ? lab_find_bridge(old, b->name) : NULL;

		if (!o) {
			ret = plan_push(p, PLAN_STEP(PLAN_BRIDGE_ADD, .bridge.new = b),
					"bridge %s", b->name);
			p->switch_rows = true;
		} else if (!plan_gateways_eq(o, b)) {
			ret = plan_push(p, PLAN_STEP(PLAN_BRIDGE_GATEWAY, .bridge = { o, b }),
					"bridge %s: gateway", b->name);
		}
	}
	return ret;
}

static bool plan_host_on_bridge(const struct lab_host *h)
{
	for (size_t i = 0; i < h->n_ifaces; i++)
		if (h->ifaces[i].attach == LAB_ATTACH_BRIDGE)
			return true;
	return false;
}

/* Link properties change in place: "~ ns01:eth0 delay 10ms -> 50ms". */
static int plan_iface_props(struct plan *p, const struct lab_host *o, const struct lab_host *h,
			    size_t j)
{
	const struct lab_iface *io = &o->ifaces[j], *in = &h->ifaces[j];
	char diff[sizeof(p->steps->what)];

	if (lab_linkprops_eq(&io->props, &in->props))
		return 0;
	lab_linkprops_diff(&io->props, &in->props, diff, sizeof(diff));
	return plan_push(p, PLAN_STEP(PLAN_IFACE_PROPS, .host = { o, h }, .iface = j), "%s:%s %s%s",
			 h->name, in->ifname, diff,
			 io->props_changed ? " (back to the lab file)" : "");
}

static int plan_hosts(const struct lab *old, const struct lab *new, struct plan *p)
{
	int ret = 0;

	for (size_t i = 0; ret == 0 && old && i < old->n_hosts; i++)
		if (!lab_find_host(new, old->hosts[i].name)) {
			ret = plan_push(p, PLAN_STEP(PLAN_HOST_DEL, .host.old = &old->hosts[i]),
					"host %s", old->hosts[i].name);
			p->switch_rows |= plan_host_on_bridge(&old->hosts[i]);
		}
	for (size_t i = 0; ret == 0 && i < new->n_hosts; i++) {
		const struct lab_host *h = &new->hosts[i];
		const struct lab_host *o = old ? lab_find_host(old, h->name) : NULL;
		bool addrs = true;

		if (!o) {
			ret = plan_push(p, PLAN_STEP(PLAN_HOST_ADD, .host.new = h),
					"host %s", h->name);
			p->switch_rows |= plan_host_on_bridge(h);
			continue;
		}
		if (!plan_host_shape_eq(o, h)) {
			ret = plan_push(p, PLAN_STEP(PLAN_HOST_REBUILD, .host = { o, h }),
					"host %s: interfaces (made anew)", h->name);
			p->switch_rows |= plan_host_on_bridge(o) || plan_host_on_bridge(h);
			continue;
		}
		for (size_t j = 0; ret == 0 && j < h->n_ifaces; j++)
			ret = plan_iface_props(p, o, h, j);
		for (size_t j = 0; j < h->n_ifaces; j++)
			addrs = addrs && plan_addrs_eq(&o->ifaces[j], &h->ifaces[j]);
		if (!addrs || !plan_routes_eq(old, o, new, h) || !plan_sysctls_eq(o, h))
			ret = plan_push(p, PLAN_STEP(PLAN_HOST_UPDATE, .host = { o, h }),
					"host %s:%s%s%s", h->name,
					addrs ? "" : " addresses",
					plan_routes_eq(old, o, new, h) ? "" : " routes",
					plan_sysctls_eq(o, h) ? "" : " sysctls");
	}
	return ret;
}

static const struct lab_link *plan_find_link(const struct lab *lab, const struct lab_link *l)
{
	for (size_t i = 0; lab && i < lab->n_links; i++) {
		const struct lab_link *m = &lab->links[i];

		if (!strcmp(m->host[0], l->host[0]) && !strcmp(m->ifname[0], l->ifname[0]) &&
		    !strcmp(m->host[1], l->host[1]) && !strcmp(m->ifname[1], l->ifname[1]))
			return m;
	}
	return NULL;
}

/* Whether a host is made anew (added or rebuilt): its cables go with it. */
static bool plan_host_new(const struct plan *p, const char *host)
{
	for (size_t i = 0; i < p->n_steps; i++) {
		const struct plan_step *s = &p->steps[i];

		if ((s->op == PLAN_HOST_ADD || s->op == PLAN_HOST_REBUILD) &&
		    !strcmp(s->host.new->name, host))
			return true;
	}
	return false;
}

static int plan_links(const struct lab *old, const struct lab *new, struct plan *p)
{
	int ret = 0;

	for (size_t i = 0; ret == 0 && old && i < old->n_links; i++) {
		const struct lab_link *l = &old->links[i];

		if (!plan_find_link(new, l))
			ret = plan_push(p, PLAN_STEP(PLAN_LINK_DEL, .link.old = l),
					"link %s:%s - %s:%s", l->host[0], l->ifname[0], l->host[1],
					l->ifname[1]);
	}
	for (size_t i = 0; ret == 0 && i < new->n_links; i++) {
		const struct lab_link *l = &new->links[i];

		if (!plan_find_link(old, l) || plan_host_new(p, l->host[0]) ||
		    plan_host_new(p, l->host[1]))
			ret = plan_push(p, PLAN_STEP(PLAN_LINK_ADD, .link.new = l),
					"link %s:%s - %s:%s", l->host[0], l->ifname[0], l->host[1],
					l->ifname[1]);
	}
	return ret;
}

static bool plan_flow_list_eq(const struct lab_flow *a, size_t na, const struct lab_flow *b,
			      size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++)
		if (strcmp(a[i].text, b[i].text))
			return false;
	return true;
}

/* A bridge's table is replaced when its flows or groups change, and also
 * when its ports change: a port made anew may get another number. */
static int plan_flows(const struct lab *old, const struct lab *new, struct plan *p)
{
	int ret = 0;

	for (size_t i = 0; ret == 0 && i < new->n_bridges; i++) {
		const struct lab_bridge *b = &new->bridges[i];
		const struct lab_bridge *o = old ? lab_find_bridge(old, b->name) : NULL;
		bool same = o ? o->has_flows == b->has_flows && o->of_version == b->of_version &&
				plan_flow_list_eq(o->flows, o->n_flows, b->flows, b->n_flows) &&
				plan_flow_list_eq(o->groups, o->n_groups, b->groups, b->n_groups) &&
				plan_flow_list_eq(o->meters, o->n_meters, b->meters, b->n_meters)
			      : !b->has_flows && !b->n_groups && !b->n_meters;

		if (!same)
			ret = plan_push(p, PLAN_STEP(PLAN_FLOWS, .bridge = { o, b }),
					"bridge %s: flows", b->name);
		else if (o && (b->has_flows || b->n_groups) && p->switch_rows)
			ret = plan_push(p, PLAN_STEP(PLAN_FLOWS, .bridge = { o, b }),
					"bridge %s: flows (ports changed)", b->name);
	}
	return ret;
}

int plan_make(const struct lab *old, const struct lab *new, struct plan *out)
{
	int ret;

	memset(out, 0, sizeof(*out));
	ret = plan_bridges(old, new, out);
	if (ret == 0)
		ret = plan_hosts(old, new, out);
	if (ret == 0)
		ret = plan_links(old, new, out);
	if (ret == 0)
		ret = plan_settings(old, new, out);
	if (ret == 0 && !plan_nat_eq(old ? old : &(const struct lab){ 0 }, new))
		ret = plan_push(out, &(struct plan_step){ .op = PLAN_NAT }, "nat rules");
	if (ret == 0)
		ret = plan_flows(old, new, out);
	if (ret < 0)
		plan_free(out);
	return ret;
}
