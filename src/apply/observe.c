/* Observation of a lab that is up: what its journal says was made, looked
 * for on the machine, object by object, and what is missing noted as drift. */
#include "apply/observe.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "firewall/firewall.h"
#include "kernel/netns.h"
#include "kernel/rtnl.h"
#include "switch/flows.h"
#include "switch/ovsdb.h"
#include "switch/switchd.h"
#include "util/err.h"
#include "util/timing.h"

/* A switch's database that does not answer within this is taken for down. */
#define OBSERVE_DB_TIMEOUT_MS 5000

struct observe {
	const struct lab *lab;
	const struct journal *st;
	struct lab_drift *d;
	struct rtnl *nl;           /* the machine's namespace */
	const char *remote;        /* the switch's database; NULL: none */
	const char *tables;        /* where flows_table_record keeps the tables */
	bool machine;              /* one simulated machine's part: no NAT of its own */
	/* The lab's switch ports and bridges, as the database has them. */
	char **ports, **bridges;
	size_t n_ports, n_bridges;
	bool rows_known;           /* the database answered */
};

/* What one listing found: addresses of an interface, or a host's routes. */
struct observe_addrs {
	struct lab_addr *v;
	size_t n;
	bool failed;
};

static void observe_addr_cb(const struct lab_addr *a, void *arg)
{
	struct observe_addrs *l = arg;
	struct lab_addr *nv = realloc(l->v, (l->n + 1) * sizeof(*nv));

	if (!nv) {
		l->failed = true;
		return;
	}
	l->v = nv;
	l->v[l->n++] = *a;
}

static void observe_route_cb(const struct lab_addr *dst, const char *dev, void *arg)
{
	(void)dev;
	observe_addr_cb(dst, arg);
}

static bool observe_has_addr(const struct observe_addrs *l, const struct lab_addr *a)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].family == a->family && l->v[i].prefix == a->prefix &&
		    lab_addr_in_subnet(&l->v[i], a) && lab_addr_in_subnet(a, &l->v[i]) &&
		    !memcmp(&l->v[i].v6, &a->v6, a->family == AF_INET ? 4 : 16))
			return true;
	return false;
}

/* A route is there when one to the same destination is (a default route
 * declared without a family: one of its gateway's). */
static bool observe_has_route(const struct observe_addrs *l, const struct lab_host_route *r)
{
	int family = r->dst.family ? r->dst.family : r->via.family;

	for (size_t i = 0; i < l->n; i++) {
		const struct lab_addr *a = &l->v[i];

		if ((family && a->family != family) || a->prefix != r->dst.prefix)
			continue;
		if (!r->dst.family || lab_addr_in_subnet(a, &r->dst))
			return true;
	}
	return false;
}

static bool observe_named(char *const *v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i], name))
			return true;
	return false;
}

/* Inside the host: its interfaces, their addresses, its routes.  One
 * listing of all its addresses: an interface whose addresses are all there
 * is there, and only the others are looked up (the unchanged lab's cost). */
static unsigned observe_host_inside(const struct observe *o, const struct lab_host *h,
				    struct rtnl *nsnl)
{
	struct observe_addrs addrs = { 0 }, routes = { 0 };
	struct lab_host_route *want = NULL;
	unsigned what = 0;
	int n;

	if (rtnl_addr_list(nsnl, 0, observe_addr_cb, &addrs) < 0)
		err_clear();
	for (size_t i = 0; i < h->n_ifaces; i++) {
		const struct lab_iface *ifc = &h->ifaces[i];
		bool all = ifc->n_addrs > 0;

		for (size_t k = 0; all && k < ifc->n_addrs; k++)
			all = observe_has_addr(&addrs, &ifc->addrs[k]);
		if (all)
			continue;
		if (rtnl_link_index(nsnl, ifc->ifname) < 0)
			what |= LAB_DRIFT_IFACE;
		/* A link taken down loses its IPv6 addresses: not a loss. */
		else if (ifc->n_addrs && ifc->props.state != LAB_LINK_DOWN)
			what |= LAB_DRIFT_ADDR;
	}
	free(addrs.v);
	n = lab_host_routes(o->lab, h, &want);
	if (n > 0 && rtnl_route_list(nsnl, AF_UNSPEC, observe_route_cb, &routes) < 0)
		err_clear();
	for (int i = 0; i < n; i++)
		if (!observe_has_route(&routes, &want[i]) && !lab_route_down(h, &want[i]))
			what |= LAB_DRIFT_ROUTE;
	free(routes.v);
	free(want);
	return what;
}

static int observe_host(struct observe *o, const struct lab_host *h)
{
	struct rtnl *nsnl = NULL;
	unsigned what = 0;
	int fd;

	if (!netns_exists(h->name))
		return lab_drift_note(o->d, false, h->name, LAB_DRIFT_NS | LAB_DRIFT_IFACE);
	/* One that cannot be entered (no root) is not known to lack anything. */
	fd = netns_open(h->name);
	if (fd >= 0 && rtnl_open_in(fd, &nsnl) == 0)
		what = observe_host_inside(o, h, nsnl);
	err_clear();
	if (fd >= 0)
		close(fd);
	rtnl_close(nsnl);
	/* The ends outside: a switch port's veth, a machine attachment's. */
	for (size_t i = 0; i < h->n_ifaces; i++) {
		const struct lab_iface *ifc = &h->ifaces[i];

		if (ifc->attach == LAB_ATTACH_LINK || ifc->attach == LAB_ATTACH_PHYSICAL ||
		    ifc->attach == LAB_ATTACH_VLAN)
			continue;
		if (rtnl_link_index(o->nl, ifc->port) < 0)
			what |= LAB_DRIFT_IFACE;
		if (ifc->attach == LAB_ATTACH_BRIDGE && o->rows_known &&
		    !observe_named(o->ports, o->n_ports, ifc->port))
			what |= LAB_DRIFT_PORT;
	}
	err_clear();
	return what ? lab_drift_note(o->d, false, h->name, what) : 0;
}

static void observe_push(char ***v, size_t *n, const char *name)
{
	char **nv;

	if (observe_named(*v, *n, name))
		return;
	nv = realloc(*v, (*n + 1) * sizeof(*nv));
	if (!nv)
		return;
	*v = nv;
	nv[*n] = strdup(name);
	if (nv[*n])
		(*n)++;
}

static void observe_port_cb(const struct ovsdb_port_info *p, void *arg)
{
	struct observe *o = arg;

	observe_push(&o->ports, &o->n_ports, p->port);
	observe_push(&o->bridges, &o->n_bridges, p->bridge);
}

/* The lab's rows: read when its switch's database answers. */
static void observe_rows(struct observe *o)
{
	const char *remote = o->remote;
	struct ovsdb *db = NULL;

	/* A machine's switch that does not answer is not ovslab's to start:
	 * `up` says so when it needs it. */
	if (remote && !o->d->ovsdb_dead && ovsdb_open(remote, OBSERVE_DB_TIMEOUT_MS, &db) == 0 &&
	    ovsdb_lab_ports(db, o->lab->name, observe_port_cb, o) == 0)
		o->rows_known = true;
	err_clear();
	ovsdb_close(db);
}

static unsigned observe_gateway(const struct observe *o, const struct lab_bridge *b)
{
	const struct lab_addr *gws[2] = { &b->gateway, &b->gateway6 };
	struct observe_addrs addrs = { 0 };
	unsigned what = 0;
	int idx;

	if ((!b->gateway.family && !b->gateway6.family) || b->gateway_elsewhere)
		return 0;
	idx = rtnl_link_index(o->nl, b->name);
	if (idx < 0 || rtnl_addr_list(o->nl, idx, observe_addr_cb, &addrs) < 0)
		what = LAB_DRIFT_GATEWAY;
	for (int i = 0; !what && i < 2; i++)
		if (gws[i]->family && !observe_has_addr(&addrs, gws[i]))
			what = LAB_DRIFT_GATEWAY;
	free(addrs.v);
	err_clear();
	return what;
}

static int observe_bridges(struct observe *o)
{
	const char *remote = o->remote;
	char rundir[PATH_MAX];
	bool tables = remote && flows_rundir(remote, rundir, sizeof(rundir)) == 0;
	int ret = 0;

	err_clear();
	for (size_t i = 0; ret == 0 && i < o->lab->n_bridges; i++) {
		const struct lab_bridge *b = &o->lab->bridges[i];
		unsigned what = 0;

		if (o->rows_known && !observe_named(o->bridges, o->n_bridges, b->name))
			what |= LAB_DRIFT_BRIDGE;
		/* A dead ovs-vswitchd's internal ports and tables are made
		 * anew anyway. */
		if (!o->d->switchd_dead && !(what & LAB_DRIFT_BRIDGE)) {
			what |= observe_gateway(o, b);
			if (tables && (b->has_flows || b->n_groups) &&
			    flows_table_changed(rundir, o->tables, b) > 0)
				what |= LAB_DRIFT_FLOWS;
			err_clear();
		}
		if (what)
			ret = lab_drift_note(o->d, true, b->name, what);
	}
	return ret;
}

static void observe_nat(struct observe *o)
{
	const char *rec = journal_get(o->st, JOURNAL_FIREWALL);
	enum fw_backend b = FW_IPTABLES; /* a record older than nftables support */
	size_t n = 0;

	for (size_t i = 0; i < o->lab->n_bridges; i++)
		n += o->lab->bridges[i].nat;
	if (!n || !journal_get(o->st, JOURNAL_NAT))
		return;
	if (rec)
		fw_backend_parse(rec, &b);
	/* Rules that cannot be read (no root) are not known to be missing. */
	if (fw_missing(b, o->lab->name, n) > 0)
		o->d->nat = true;
	err_clear();
}

/* The switch in rundir (NULL: not ovslab's private one) and what the lab
 * has with it, seen through nl. */
static int observe_run(struct observe *o, const char *rundir)
{
	struct lab_drift *d = o->d;
	int ret = 0;

	if (rundir) {
		unsigned dead = switchd_private_dead(rundir);

		/* A directory gone with its daemons: nothing left to run. */
		if (access(rundir, F_OK) < 0)
			dead = SWITCHD_DEAD_OVSDB | SWITCHD_DEAD_VSWITCHD;
		d->ovsdb_dead = dead & SWITCHD_DEAD_OVSDB;
		d->switchd_dead = dead & SWITCHD_DEAD_VSWITCHD;
	}
	if (o->lab->n_bridges)
		observe_rows(o);
	timing_phase("observe: switch rows");
	for (size_t i = 0; ret == 0 && i < o->lab->n_hosts; i++)
		ret = observe_host(o, &o->lab->hosts[i]);
	timing_phase("observe: hosts");
	if (ret == 0)
		ret = observe_bridges(o);
	if (ret == 0 && !o->machine)
		observe_nat(o);
	timing_phase("observe: bridges, nat");
	if (ret == -ENOMEM)
		err_set("%s: out of memory while looking at the lab", o->lab->name);
	for (size_t i = 0; i < o->n_ports; i++)
		free(o->ports[i]);
	for (size_t i = 0; i < o->n_bridges; i++)
		free(o->bridges[i]);
	free(o->ports);
	free(o->bridges);
	return ret;
}

int observe_lab(const struct lab *lab, const struct journal *st, struct lab_drift *d)
{
	struct observe o = { .lab = lab, .st = st, .d = d, .tables = st->dir,
			     .remote = journal_get(st, JOURNAL_REMOTE) };
	const char *rundir = NULL;
	int ret;

	memset(d, 0, sizeof(*d));
	/* Machines' parts are observed one machine at a time
	 * (observe_machine), the NAT rules with the lab's own. */
	if (lab->n_machines) {
		observe_nat(&o);
		return 0;
	}
	if (journal_get_switch(st, &rundir) != JOURNAL_SWITCH_PRIVATE)
		rundir = NULL;
	ret = rtnl_open(&o.nl);
	if (ret == 0)
		ret = observe_run(&o, rundir);
	rtnl_close(o.nl);
	return ret;
}

int observe_machine(const struct lab *view, const struct journal *st, const char *rundir,
		    struct rtnl *nl, struct lab_drift *d)
{
	char remote[PATH_MAX + 16];
	struct observe o = { .lab = view, .st = st, .d = d, .nl = nl, .remote = remote,
			     .tables = rundir, .machine = true };

	memset(d, 0, sizeof(*d));
	snprintf(remote, sizeof(remote), "unix:%s/db.sock", rundir);
	return observe_run(&o, rundir);
}
