/* Pre-flight: every clash of a lab with what the machine and its switch
 * already have, found in one pass before anything is made. */
#include "apply/preflight.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "util/err.h"
#include "journal/journal.h"
#include "kernel/ifstate.h"
#include "kernel/netns.h"
#include "kernel/rtnl.h"
#include "kernel/tc.h"

struct preflight {
	const struct lab *lab;
	const struct lab *old;
	struct rtnl *nl;
	const struct ovsdb_row_names *sw;
	FILE *diag;
	int problems;
};

static void preflight_report(struct preflight *p, struct lab_pos pos, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void preflight_report(struct preflight *p, struct lab_pos pos, const char *fmt, ...)
{
	va_list ap;

	fprintf(p->diag, "%s:%d:%d: ", p->lab->file ? p->lab->file : p->lab->name, pos.line,
		pos.col);
	va_start(ap, fmt);
	vfprintf(p->diag, fmt, ap);
	va_end(ap);
	fputc('\n', p->diag);
	p->problems++;
}

/* What holds name in the switch ("a bridge", "a port", "an interface"),
 * unless it is the lab's own row; NULL: nothing. */
static const char *preflight_switch_kind(const struct preflight *p, const char *name)
{
	size_t lo = 0, hi = p->sw ? p->sw->n : 0;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(p->sw->v[mid].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; p->sw && lo < p->sw->n && !strcmp(p->sw->v[lo].name, name); lo++)
		if (!p->sw->v[lo].lab || strcmp(p->sw->v[lo].lab, p->lab->name))
			return p->sw->v[lo].kind;
	return NULL;
}

/* Reports a name the lab would give a switch row when something else has
 * it in the switch; patch names the patch port's bridges, or is NULL.  A
 * name taken in the switch is reported as such only: the machine's
 * interface of that name is the switch's too. */
static bool preflight_switch_taken(struct preflight *p, struct lab_pos pos, const char *name,
				   const struct lab_patch *patch)
{
	const char *kind = preflight_switch_kind(p, name);

	if (kind && patch)
		preflight_report(p, pos, "%s: %s of that name already exists in the switch (patch "
				 "port of %s-%s)", name, kind, patch->bridge[0], patch->bridge[1]);
	else if (kind)
		preflight_report(p, pos, "%s: %s of that name already exists in the switch", name,
				 kind);
	return kind != NULL;
}

/* Whether the lab that is up already has this port: then it is its own. */
static bool preflight_own_port(const struct preflight *p, const char *port)
{
	for (size_t i = 0; p->old && i < p->old->n_hosts; i++)
		for (size_t j = 0; j < p->old->hosts[i].n_ifaces; j++)
			if (p->old->hosts[i].ifaces[j].port &&
			    !strcmp(p->old->hosts[i].ifaces[j].port, port))
				return true;
	return false;
}

static void preflight_hosts(struct preflight *p)
{
	for (size_t i = 0; i < p->lab->n_hosts; i++) {
		const struct lab_host *h = &p->lab->hosts[i];
		bool mine = p->old && lab_find_host(p->old, h->name);

		if (!mine && netns_exists(h->name))
			preflight_report(p, h->pos,
					 "host %s: a network namespace of that name already exists "
					 "on the machine, and it is not this lab's", h->name);
		for (size_t j = 0; j < h->n_ifaces; j++) {
			const struct lab_iface *ifc = &h->ifaces[j];

			if (ifc->attach == LAB_ATTACH_BRIDGE &&
			    preflight_switch_taken(p, ifc->pos, ifc->port, NULL))
				continue;
			if (ifc->port && !preflight_own_port(p, ifc->port) &&
			    rtnl_link_index(p->nl, ifc->port) > 0)
				preflight_report(p, ifc->pos,
						 "host %s: interface name \"%s\" already exists on the "
						 "machine", h->name, ifc->port);
		}
	}
}

struct preflight_nat {
	struct preflight *p;
	const struct lab_bridge *b;
	struct lab_addr subnet;
};

/* A machine's uplink (its network node's way out) of the lab that is up. */
static bool preflight_is_uplink(const struct lab *lab, const char *dev)
{
	char name[16];

	for (size_t i = 0; lab && i < lab->n_machines; i++) {
		lab_machine_uplink_name(lab->machines[i].name, name);
		if (!strcmp(name, dev))
			return true;
	}
	return false;
}

static bool preflight_is_lab_bridge(const struct preflight *p, const char *dev)
{
	return lab_find_bridge(p->lab, dev) || (p->old && lab_find_bridge(p->old, dev)) ||
	       preflight_is_uplink(p->old, dev);
}

static void preflight_nat_route(const struct lab_addr *dst, const char *dev, void *arg)
{
	struct preflight_nat *n = arg;
	char a[64], b[64];

	/* The default route is where masqueraded traffic goes; the lab's own
	 * bridges carry its own subnets. */
	if (dst->prefix == 0 || dst->family != AF_INET || preflight_is_lab_bridge(n->p, dev))
		return;
	if (!lab_addr_in_subnet(&n->subnet, dst) && !lab_addr_in_subnet(dst, &n->subnet))
		return;
	preflight_report(n->p, n->b->pos,
			 "bridge %s: NAT subnet %s overlaps the machine's route %s%s%s", n->b->name,
			 lab_addr_str(&n->subnet, a, sizeof(a)), lab_addr_str(dst, b, sizeof(b)),
			 *dev ? " dev " : "", dev);
}

static void preflight_bridges(struct preflight *p, char (*uplinks)[IF_NAMESIZE])
{
	for (size_t i = 0; i < p->lab->n_bridges; i++) {
		const struct lab_bridge *b = &p->lab->bridges[i];
		struct preflight_nat n = { .p = p, .b = b };

		if (!preflight_switch_taken(p, b->pos, b->name, NULL) &&
		    !(p->old && lab_find_bridge(p->old, b->name)) &&
		    rtnl_link_index(p->nl, b->name) > 0)
			preflight_report(p, b->pos, "bridge %s: interface name \"%s\" already exists "
					 "on the machine", b->name, b->name);
		if (!b->nat)
			continue;
		n.subnet = lab_addr_network(&b->gateway);
		rtnl_route_list(p->nl, AF_INET, preflight_nat_route, &n);
		if (!b->uplink || !strcmp(b->uplink, "auto")) {
			if (rtnl_default_route_dev(p->nl, uplinks[i]) < 0)
				preflight_report(p, b->pos, "bridge %s: uplink auto: the machine has "
						 "no IPv4 default route", b->name);
		} else if (rtnl_link_index(p->nl, b->uplink) <= 0) {
			preflight_report(p, b->pos, "bridge %s: uplink \"%s\": no such interface on "
					 "the machine", b->name, b->uplink);
		} else {
			snprintf(uplinks[i], IF_NAMESIZE, "%s", b->uplink);
		}
	}
}

static void preflight_patches(struct preflight *p)
{
	for (size_t i = 0; i < p->lab->n_patches; i++)
		for (int e = 0; e < 2; e++)
			preflight_switch_taken(p, p->lab->patches[i].end[e],
					       p->lab->patches[i].port[e], &p->lab->patches[i]);
}

/* What only netem can do, on a kernel without it: refused here, before
 * anything is made, rather than halfway through the build. */
static void preflight_links(struct preflight *p)
{
	int netem = -1;

	for (size_t i = 0; i < p->lab->n_hosts; i++) {
		const struct lab_host *h = &p->lab->hosts[i];

		for (size_t j = 0; j < h->n_ifaces; j++) {
			const struct lab_iface *ifc = &h->ifaces[j];
			const char *key = tc_needs_netem(&ifc->props);

			if (!key)
				continue;
			if (netem < 0)
				netem = tc_netem_available();
			if (netem < 0) {
				preflight_report(p, ifc->props_pos, "%s:%s: %s", h->name, ifc->ifname,
						 err_get());
				return;
			}
			if (!netem)
				preflight_report(p, ifc->props_pos,
						 "%s:%s: %s needs the kernel's netem qdisc (sch_netem, CONFIG_NET_SCH_NETEM), which this kernel does not have",
						 h->name, ifc->ifname, key);
		}
	}
}

/* VLAN sub-interfaces on a kernel without 802.1Q: refused here, before
 * anything is made (build_vlan says the same should the kernel change). */
static void preflight_vlans(struct preflight *p)
{
	int vlan = -1;

	for (size_t i = 0; i < p->lab->n_hosts; i++) {
		const struct lab_host *h = &p->lab->hosts[i];

		for (size_t j = 0; j < h->n_ifaces; j++) {
			const struct lab_iface *ifc = &h->ifaces[j];

			if (ifc->attach != LAB_ATTACH_VLAN)
				continue;
			if (vlan < 0)
				vlan = rtnl_vlan_available();
			if (vlan < 0) {
				preflight_report(p, ifc->pos, "%s:%s: %s", h->name, ifc->ifname,
						 err_get());
				return;
			}
			if (!vlan)
				preflight_report(p, ifc->pos,
						 "%s:%s: a VLAN sub-interface needs the kernel's 802.1Q support (module 8021q, CONFIG_VLAN_8021Q), which this kernel does not have",
						 h->name, ifc->ifname);
		}
	}
}

/* A machine interface the lab would borrow: it exists, nothing else holds
 * it (a Linux bridge or bond, the switch, another lab), and it does not
 * carry the machine's default route unless the user allows it. */
static void preflight_nic(struct preflight *p, struct lab_pos pos, const char *who,
			  const char *name, bool moves_routes, bool allow_default)
{
	struct ifstate *s = NULL;
	char master[IF_NAMESIZE] = "?", lab[32];
	const char *kind = preflight_switch_kind(p, name);

	if (ifstate_capture(p->nl, name, &s) < 0) {
		preflight_report(p, pos, "%s: interface %s: no such interface on the machine", who,
				 name);
		return;
	}
	if (ifstate_master(s)) {
		if_indextoname((unsigned int)ifstate_master(s), master);
		preflight_report(p, pos, "%s: interface %s is held by %s (a Linux bridge or bond "
				 "it is enslaved to)", who, name, master);
	}
	if (kind)
		preflight_report(p, pos, "%s: interface %s is already %s in the switch", who, name,
				 kind);
	if (journal_nic_held(name, p->lab->name, lab))
		preflight_report(p, pos, "%s: interface %s is already held by lab %s", who, name,
				 lab);
	if (moves_routes && !allow_default && ifstate_has_default_route(s))
		preflight_report(p, pos, "%s: interface %s carries the machine's default route; "
				 "set take_default_route: true to move it anyway", who, name);
	ifstate_free(s);
}

/* The same interface, borrowed the same way, as the lab that is up has it. */
static bool preflight_nic_same(const struct lab *a, const struct lab *b, const char *name)
{
	const struct lab_bridge *ba = lab_nic_bridge(a, name), *bb = lab_nic_bridge(b, name);
	const struct lab_host *ha = NULL, *hb = NULL;
	const struct lab_iface *ia = lab_physical_iface(a, name, &ha);
	const struct lab_iface *ib = lab_physical_iface(b, name, &hb);

	if (ba || bb) {
		const struct lab_nic *na = ba ? lab_find_nic(ba, name) : NULL;
		const struct lab_nic *nb = bb ? lab_find_nic(bb, name) : NULL;

		return na && nb && !strcmp(ba->name, bb->name) &&
		       na->take_address == nb->take_address;
	}
	return ia && ib && !strcmp(ha->name, hb->name) && !strcmp(ia->ifname, ib->ifname);
}

static void preflight_nic_change(struct preflight *p, const struct lab *from,
				 const struct lab *to, const char *name, struct lab_pos pos)
{
	if (!preflight_nic_same(from, to, name))
		preflight_report(p, pos, "interface %s: the machine's interfaces a lab borrows "
				 "cannot change while it is up (take the lab down first)", name);
}

static void preflight_nics(struct preflight *p)
{
	const struct lab *lab = p->lab;
	char who[64];

	for (size_t i = 0; i < lab->n_bridges; i++)
		for (size_t j = 0; j < lab->bridges[i].n_nics; j++) {
			const struct lab_nic *n = &lab->bridges[i].nics[j];

			snprintf(who, sizeof(who), "bridge %s", lab->bridges[i].name);
			if (p->old)
				preflight_nic_change(p, p->old, lab, n->name, n->pos);
			else
				preflight_nic(p, n->pos, who, n->name, n->take_address,
					      n->take_default_route);
		}
	for (size_t h = 0; h < lab->n_hosts; h++)
		for (size_t i = 0; i < lab->hosts[h].n_ifaces; i++) {
			const struct lab_iface *ifc = &lab->hosts[h].ifaces[i];

			if (ifc->attach != LAB_ATTACH_PHYSICAL)
				continue;
			snprintf(who, sizeof(who), "host %s", lab->hosts[h].name);
			if (p->old)
				preflight_nic_change(p, p->old, lab, ifc->physical, ifc->pos);
			else
				preflight_nic(p, ifc->pos, who, ifc->physical, true,
					      ifc->take_default_route);
		}
	/* One the lab that is up has and the file no longer does. */
	for (size_t i = 0; p->old && i < p->old->n_bridges; i++)
		for (size_t j = 0; j < p->old->bridges[i].n_nics; j++)
			if (!lab_nic_bridge(lab, p->old->bridges[i].nics[j].name))
				preflight_nic_change(p, p->old, lab, p->old->bridges[i].nics[j].name,
						     lab->n_bridges ? lab->bridges[0].pos
								    : (struct lab_pos){ 1, 1 });
	for (size_t h = 0; p->old && h < p->old->n_hosts; h++)
		for (size_t i = 0; i < p->old->hosts[h].n_ifaces; i++) {
			const struct lab_iface *ifc = &p->old->hosts[h].ifaces[i];

			if (ifc->attach == LAB_ATTACH_PHYSICAL &&
			    !lab_physical_iface(lab, ifc->physical, NULL))
				preflight_nic_change(p, p->old, lab, ifc->physical,
						     (struct lab_pos){ 1, 1 });
		}
}

/* A tap's name must be free on the machine and in the switch, unless the
 * lab that is up made it. */
static void preflight_taps(struct preflight *p)
{
	for (size_t i = 0; i < p->lab->n_bridges; i++)
		for (size_t t = 0; t < p->lab->bridges[i].n_taps; t++) {
			const struct lab_tap *tap = &p->lab->bridges[i].taps[t];
			const struct lab_bridge *ob = p->old ? lab_find_bridge(p->old, p->lab->bridges[i].name)
							     : NULL;
			bool mine = false;

			for (size_t o = 0; ob && o < ob->n_taps; o++)
				mine |= !strcmp(ob->taps[o].name, tap->name);
			if (mine || preflight_switch_taken(p, tap->pos, tap->name, NULL))
				continue;
			if (rtnl_link_index(p->nl, tap->name) > 0)
				preflight_report(p, tap->pos,
						 "tap %s: an interface of that name already exists on "
						 "the machine", tap->name);
		}
}

int preflight_machine(const struct lab *lab, const struct lab *old, struct rtnl *nl,
		      const struct ovsdb_row_names *sw, char (*uplinks)[IF_NAMESIZE], FILE *diag)
{
	struct preflight p = { .lab = lab, .old = old, .nl = nl, .sw = sw, .diag = diag };
	bool held = err_hold();

	preflight_hosts(&p);
	preflight_bridges(&p, uplinks);
	preflight_patches(&p);
	preflight_links(&p);
	preflight_vlans(&p);
	preflight_nics(&p);
	preflight_taps(&p);
	/* Lookups that fail leave messages of their own; these lines say it. */
	err_release(held);
	return p.problems ? -EINVAL : 0;
}
