#include "apply/preflight.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "util/err.h"
#include "kernel/netns.h"

struct check {
	const struct lab *lab;
	const struct lab *old;
	struct rtnl *nl;
	FILE *diag;
	int problems;
};

static void check_report(struct check *c, struct lab_pos pos, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void check_report(struct check *c, struct lab_pos pos, const char *fmt, ...)
{
	va_list ap;

	fprintf(c->diag, "%s:%d:%d: ", c->lab->file ? c->lab->file : c->lab->name, pos.line,
		pos.col);
	va_start(ap, fmt);
	vfprintf(c->diag, fmt, ap);
	va_end(ap);
	fputc('\n', c->diag);
	c->problems++;
}

/* Whether the lab that is up already has this port: then it is its own. */
static bool check_own_port(const struct check *c, const char *port)
{
	for (size_t i = 0; c->old && i < c->old->n_hosts; i++)
		for (size_t j = 0; j < c->old->hosts[i].n_ifaces; j++)
			if (c->old->hosts[i].ifaces[j].port &&
			    !strcmp(c->old->hosts[i].ifaces[j].port, port))
				return true;
	return false;
}

static void check_hosts(struct check *c)
{
	for (size_t i = 0; i < c->lab->n_hosts; i++) {
		const struct lab_host *h = &c->lab->hosts[i];
		bool mine = c->old && lab_find_host(c->old, h->name);

		if (!mine && netns_exists(h->name))
			check_report(c, h->pos,
				     "host %s: a network namespace of that name already exists on the "
				     "machine, and it is not this lab's", h->name);
		for (size_t j = 0; j < h->n_ifaces; j++) {
			const struct lab_iface *ifc = &h->ifaces[j];

			if (ifc->port && !check_own_port(c, ifc->port) &&
			    rtnl_link_index(c->nl, ifc->port) > 0)
				check_report(c, ifc->pos,
					     "host %s: interface name \"%s\" already exists on the "
					     "machine", h->name, ifc->port);
		}
	}
}

struct check_nat {
	struct check *c;
	const struct lab_bridge *b;
	struct lab_addr subnet;
};

static bool check_is_lab_bridge(const struct check *c, const char *dev)
{
	return lab_find_bridge(c->lab, dev) || (c->old && lab_find_bridge(c->old, dev));
}

static void check_nat_route(const struct lab_addr *dst, const char *dev, void *arg)
{
	struct check_nat *n = arg;
	char a[64], b[64];

	/* The default route is where masqueraded traffic goes; the lab's own
	 * bridges carry its own subnets. */
	if (dst->prefix == 0 || dst->family != AF_INET || check_is_lab_bridge(n->c, dev))
		return;
	if (!lab_addr_in_subnet(&n->subnet, dst) && !lab_addr_in_subnet(dst, &n->subnet))
		return;
	check_report(n->c, n->b->pos,
		     "bridge %s: NAT subnet %s overlaps the machine's route %s%s%s", n->b->name,
		     lab_addr_str(&n->subnet, a, sizeof(a)), lab_addr_str(dst, b, sizeof(b)),
		     *dev ? " dev " : "", dev);
}

static void check_bridges(struct check *c, char (*uplinks)[IF_NAMESIZE])
{
	for (size_t i = 0; i < c->lab->n_bridges; i++) {
		const struct lab_bridge *b = &c->lab->bridges[i];
		struct check_nat n = { .c = c, .b = b };

		if (!(c->old && lab_find_bridge(c->old, b->name)) && rtnl_link_index(c->nl, b->name) > 0)
			check_report(c, b->pos, "bridge %s: interface name \"%s\" already exists on the "
				     "machine", b->name, b->name);
		if (!b->nat)
			continue;
		n.subnet = lab_addr_network(&b->gateway);
		rtnl_route_list(c->nl, AF_INET, check_nat_route, &n);
		if (!b->uplink || !strcmp(b->uplink, "auto")) {
			if (rtnl_default_route_dev(c->nl, uplinks[i]) < 0)
				check_report(c, b->pos, "bridge %s: uplink auto: the machine has no "
					     "IPv4 default route", b->name);
		} else if (rtnl_link_index(c->nl, b->uplink) <= 0) {
			check_report(c, b->pos, "bridge %s: uplink \"%s\": no such interface on the "
				     "machine", b->name, b->uplink);
		} else {
			snprintf(uplinks[i], IF_NAMESIZE, "%s", b->uplink);
		}
	}
}

int preflight_machine(const struct lab *lab, const struct lab *old, struct rtnl *nl,
		  char (*uplinks)[IF_NAMESIZE], FILE *diag)
{
	struct check c = { .lab = lab, .old = old, .nl = nl, .diag = diag };
	bool held = err_hold();

	check_hosts(&c);
	check_bridges(&c, uplinks);
	/* Lookups that fail leave messages of their own; these lines say it. */
	err_release(held);
	return c.problems ? -EINVAL : 0;
}
