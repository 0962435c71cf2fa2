/* Pre-flight: every clash of a lab with what the machine and its switch
 * already have, found in one pass before anything is made. */
#include "apply/preflight.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "util/err.h"
#include "kernel/netns.h"
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

static bool preflight_is_lab_bridge(const struct preflight *p, const char *dev)
{
	return lab_find_bridge(p->lab, dev) || (p->old && lab_find_bridge(p->old, dev));
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
	preflight_taps(&p);
	/* Lookups that fail leave messages of their own; these lines say it. */
	err_release(held);
	return p.problems ? -EINVAL : 0;
}
