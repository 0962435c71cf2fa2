/* The lab's rows in the Open vSwitch database through the OVSDB IDL: one
 * transaction per change, waited for through cur_cfg (ovsdb.h). */
#include <config.h>

#include "switch/ovsdb.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "hmapx.h"
#include "openvswitch/poll-loop.h"
#include "ovsdb-idl.h"
#include "smap.h"
#include "sset.h"
#include "timeval.h"
#include "util.h"
#include "vswitch-idl.h"

#include "util/err.h"
#include "switch/ovsdb_settings.h"
#include "switch/ovslib.h"
#include "util/timing.h"

struct ovsdb {
	struct ovsdb_idl *idl;
	char *remote;
	/* A lab commit on its way (ovsdb_lab_commit_start), and what it was
	 * made from, to make it again should the database ask. */
	struct ovsdb_idl_txn *pending;
	struct lab pending_lab;      /* the caller's part of the lab, shallow */
	const char *pending_datapath;
	long long int pending_deadline;
	/* The computer plays a machine (ovsdb_set_machine): its rows go with
	 * every commit of the lab. */
	const struct ovsdb_machine *machine;
};

typedef int (*ovsdb_build_fn)(struct ovsdb *db, struct ovsdb_idl_txn *txn,
			      const void *arg);

struct apply_arg {
	const struct lab *lab;
	const char *datapath;
	const struct ovsdb_machine *machine; /* NULL: not a simulated machine */
};

static void ovsdb_register(struct ovsdb_idl *idl)
{
	/* Only these columns are replicated and written: writing any other
	 * column of an existing row would abort inside the IDL. */
	ovsdb_idl_add_table(idl, &ovsrec_table_open_vswitch);
	ovsdb_idl_add_column(idl, &ovsrec_open_vswitch_col_bridges);
	ovsdb_idl_add_column(idl, &ovsrec_open_vswitch_col_next_cfg);
	ovsdb_idl_add_column(idl, &ovsrec_open_vswitch_col_cur_cfg);

	ovsdb_idl_add_table(idl, &ovsrec_table_bridge);
	ovsdb_idl_add_column(idl, &ovsrec_bridge_col_name);
	ovsdb_idl_add_column(idl, &ovsrec_bridge_col_ports);
	ovsdb_idl_add_column(idl, &ovsrec_bridge_col_datapath_type);
	ovsdb_idl_add_column(idl, &ovsrec_bridge_col_external_ids);

	ovsdb_idl_add_table(idl, &ovsrec_table_port);
	ovsdb_idl_add_column(idl, &ovsrec_port_col_name);
	ovsdb_idl_add_column(idl, &ovsrec_port_col_interfaces);
	ovsdb_idl_add_column(idl, &ovsrec_port_col_external_ids);

	ovsdb_idl_add_table(idl, &ovsrec_table_interface);
	ovsdb_idl_add_column(idl, &ovsrec_interface_col_name);
	ovsdb_idl_add_column(idl, &ovsrec_interface_col_type);
	ovsdb_idl_add_column(idl, &ovsrec_interface_col_ofport);
	ovsdb_idl_add_column(idl, &ovsrec_interface_col_error);
	ovsdb_idl_add_column(idl, &ovsrec_interface_col_external_ids);
	/* A simulated machine's tunnels and underlay (ovsdb_machine_apply). */
	ovsdb_idl_add_column(idl, &ovsrec_port_col_protected_);
	ovsdb_idl_add_column(idl, &ovsrec_interface_col_mtu_request);
	ovsdb_idl_add_column(idl, &ovsrec_interface_col_bfd);
	ovsdb_settings_register(idl);
}

/* Only the bridges' names and marks: the look for bridges ovslab did not
 * make, quick even on a switch with thousands of ports. */
static void ovsdb_register_bridges(struct ovsdb_idl *idl)
{
	ovsdb_idl_add_table(idl, &ovsrec_table_bridge);
	ovsdb_idl_add_column(idl, &ovsrec_bridge_col_name);
	ovsdb_idl_add_column(idl, &ovsrec_bridge_col_external_ids);
}

static int ovsdb_open_with(const char *remote, int timeout_ms,
			   void (*reg)(struct ovsdb_idl *idl), struct ovsdb **out);

int ovsdb_open(const char *remote, int timeout_ms, struct ovsdb **out)
{
	return ovsdb_open_with(remote, timeout_ms, ovsdb_register, out);
}

static int ovsdb_open_with(const char *remote, int timeout_ms,
			   void (*reg)(struct ovsdb_idl *idl), struct ovsdb **out)
{
	struct ovsdb *db;
	long long int deadline;
	int ret;

	*out = NULL;
	ovslib_init();
	db = calloc(1, sizeof(*db));
	if (!db) {
		ret = -ENOMEM;
		goto out;
	}
	db->remote = strdup(remote);
	if (!db->remote) {
		ret = -ENOMEM;
		goto out;
	}
	/* No retry while connecting, so a missing switch fails at once instead
	 * of at the timeout; reconnecting is enabled once it answered. */
	db->idl = ovsdb_idl_create(remote, &ovsrec_idl_class, false, false);
	reg(db->idl);

	deadline = time_msec() + timeout_ms;
	for (;;) {
		ovsdb_idl_run(db->idl);
		if (ovsdb_idl_has_ever_connected(db->idl))
			break;
		if (!ovsdb_idl_is_alive(db->idl)) {
			int e = ovsdb_idl_get_last_error(db->idl);

			err_set("%s: cannot connect to the Open vSwitch database: %s",
				remote, e ? ovs_retval_to_string(e) : "the server refused the session");
			ret = -ECONNREFUSED;
			goto out;
		}
		if (time_msec() >= deadline) {
			err_set("%s: cannot connect to the Open vSwitch database: no answer within %d ms",
				remote, timeout_ms);
			ret = -ETIMEDOUT;
			goto out;
		}
		ovsdb_idl_wait(db->idl);
		poll_timer_wait_until(deadline);
		poll_block();
	}
	ovsdb_idl_enable_reconnect(db->idl);
	*out = db;
	db = NULL;
	ret = 0;
out:
	ovsdb_close(db);
	return ret;
}

void ovsdb_close(struct ovsdb *db)
{
	if (!db)
		return;
	/* Destroying it takes it off the IDL's outstanding list (aborting
	 * first would leave it there, dangling). */
	if (db->pending)
		ovsdb_idl_txn_destroy(db->pending);
	if (db->idl)
		ovsdb_idl_destroy(db->idl);
	free(db->remote);
	free(db);
}

static bool ovsdb_marked(const struct smap *ids, const char *lab_name)
{
	const char *v = smap_get(ids, LAB_MARK_KEY);

	return v && !strcmp(v, lab_name);
}

/* Waits for any database change after seqno, e.g. before retrying a
 * transaction the server asked to retry. */
static int ovsdb_wait_change(struct ovsdb *db, unsigned int seqno, long long int deadline)
{
	for (;;) {
		ovsdb_idl_run(db->idl);
		if (ovsdb_idl_get_seqno(db->idl) != seqno)
			return 0;
		if (time_msec() >= deadline)
			return -ETIMEDOUT;
		ovsdb_idl_wait(db->idl);
		poll_timer_wait_until(deadline);
		poll_block();
	}
}

/* A transaction with its comment, the caller's rows and the next_cfg bump
 * that ovs-vswitchd answers with cur_cfg; NULL *out on failure. */
static int ovsdb_txn_make(struct ovsdb *db, ovsdb_build_fn build, const void *arg,
			  const char *what, struct ovsdb_idl_txn **out)
{
	struct ovsdb_idl_txn *txn = ovsdb_idl_txn_create(db->idl);
	const struct ovsrec_open_vswitch *ovs;
	int ret;

	ovsdb_idl_txn_add_comment(txn, "ovslab: lab %s", what);
	ret = build(db, txn, arg);
	if (ret < 0) {
		ovsdb_idl_txn_abort(txn);
		ovsdb_idl_txn_destroy(txn);
		*out = NULL;
		return ret;
	}
	ovs = ovsrec_open_vswitch_first(db->idl);
	if (ovs)
		ovsdb_idl_txn_increment(txn, &ovs->header_, &ovsrec_open_vswitch_col_next_cfg,
					false);
	*out = txn;
	return 0;
}

/* The configuration a finished transaction asked for; 0 when it changed
 * nothing (or the database has no Open_vSwitch row). */
static int64_t ovsdb_txn_cfg(struct ovsdb *db, struct ovsdb_idl_txn *txn,
			     enum ovsdb_idl_txn_status status)
{
	return status == TXN_SUCCESS && ovsrec_open_vswitch_first(db->idl)
		? ovsdb_idl_txn_get_increment_new_value(txn) : 0;
}

static int ovsdb_txn_refused(const char *what, struct ovsdb_idl_txn *txn,
			     enum ovsdb_idl_txn_status status)
{
	const char *e = ovsdb_idl_txn_get_error(txn);

	err_set("%s: the Open vSwitch database refused the change: %s",
		what, e && *e ? e : ovsdb_idl_txn_status_to_string(status));
	return -EIO;
}

/* Builds the transaction with build(), bumps next_cfg so ovs-vswitchd's
 * progress can be followed, and commits, rebuilding it when the server
 * asks to try again. */
static int ovsdb_commit(struct ovsdb *db, ovsdb_build_fn build, const void *arg,
			const char *what, long long int deadline, int64_t *next_cfg)
{
	struct ovsdb_idl_txn *txn = NULL;
	enum ovsdb_idl_txn_status status;
	unsigned int seqno;
	int ret;

	/* Callers that wait for a pending commit settle it themselves first;
	 * for the others, the configuration this one reaches covers it. */
	ret = ovsdb_lab_settle(db, &(int64_t){ 0 });
	if (ret < 0)
		return ret;
	for (;;) {
		seqno = ovsdb_idl_get_seqno(db->idl);
		ret = ovsdb_txn_make(db, build, arg, what, &txn);
		if (ret < 0)
			goto out;
		status = ovsdb_idl_txn_commit_block(txn);
		if (status == TXN_SUCCESS || status == TXN_UNCHANGED) {
			*next_cfg = ovsdb_txn_cfg(db, txn, status);
			ret = 0;
			goto out;
		}
		if (status != TXN_TRY_AGAIN) {
			ret = ovsdb_txn_refused(what, txn, status);
			goto out;
		}
		ovsdb_idl_txn_destroy(txn);
		txn = NULL;
		ret = ovsdb_wait_change(db, seqno, deadline);
		if (ret < 0) {
			err_set("%s: the Open vSwitch database did not accept the change in time", what);
			goto out;
		}
	}
out:
	if (txn) {
		if (ret < 0)
			ovsdb_idl_txn_abort(txn);
		ovsdb_idl_txn_destroy(txn);
	}
	return ret;
}

/* ovs-vswitchd copies next_cfg to cur_cfg once it has applied a change. */
static int ovsdb_wait_cfg(struct ovsdb *db, int64_t next_cfg, long long int deadline,
			  const char *what)
{
	for (;;) {
		const struct ovsrec_open_vswitch *ovs;

		ovsdb_idl_run(db->idl);
		ovs = ovsrec_open_vswitch_first(db->idl);
		if (ovs && ovs->cur_cfg >= next_cfg)
			return 0;
		if (time_msec() >= deadline) {
			err_set("%s: ovs-vswitchd did not apply the change in time (is it running?)",
				what);
			return -ETIMEDOUT;
		}
		ovsdb_idl_wait(db->idl);
		poll_timer_wait_until(deadline);
		poll_block();
	}
}

bool ovsdb_connected(struct ovsdb *db, const char *remote)
{
	if (strcmp(db->remote, remote))
		return false;
	/* A server gone since: the first run reads the end of the connection,
	 * the second drops it. */
	ovsdb_idl_run(db->idl);
	ovsdb_idl_run(db->idl);
	return ovsdb_idl_is_connected(db->idl);
}

static int ovsdb_row_name_add(struct ovsdb_row_names *names, size_t *cap, const char *name,
			      const char *kind, const struct smap *ids)
{
	const char *lab = smap_get(ids, LAB_MARK_KEY);
	struct ovsdb_row_name *r;

	if (names->n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 64;
		struct ovsdb_row_name *v = realloc(names->v, ncap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		names->v = v;
		*cap = ncap;
	}
	r = &names->v[names->n];
	r->kind = kind;
	r->name = strdup(name);
	r->lab = lab ? strdup(lab) : NULL;
	if (r->name)
		names->n++;
	if (!r->name || (lab && !r->lab)) {
		free(r->lab);
		return -ENOMEM;
	}
	return 0;
}

/* The kinds of rows, in the order a name's rows are listed. */
static const char *const ovsdb_kinds[] = { "a bridge", "a port", "an interface" };

static int ovsdb_kind_rank(const char *kind)
{
	int i = 0;

	while (i < 2 && kind != ovsdb_kinds[i])
		i++;
	return i;
}

static int ovsdb_row_name_cmp(const void *a_, const void *b_)
{
	const struct ovsdb_row_name *a = a_, *b = b_;
	int d = strcmp(a->name, b->name);

	return d ? d : ovsdb_kind_rank(a->kind) - ovsdb_kind_rank(b->kind);
}

int ovsdb_row_names(struct ovsdb *db, struct ovsdb_row_names *out)
{
	const struct ovsrec_bridge *br;
	const struct ovsrec_port *port;
	const struct ovsrec_interface *iface;
	size_t cap = 0;
	int ret = 0;

	*out = (struct ovsdb_row_names){ 0 };
	ovsdb_idl_run(db->idl);
	/* Bridges first: a bridge's own port and interface share its name and
	 * the bridge is what the user knows. */
	OVSREC_BRIDGE_FOR_EACH (br, db->idl)
		if (ret == 0)
			ret = ovsdb_row_name_add(out, &cap, br->name, ovsdb_kinds[0], &br->external_ids);
	OVSREC_PORT_FOR_EACH (port, db->idl)
		if (ret == 0)
			ret = ovsdb_row_name_add(out, &cap, port->name, ovsdb_kinds[1], &port->external_ids);
	OVSREC_INTERFACE_FOR_EACH (iface, db->idl)
		if (ret == 0)
			ret = ovsdb_row_name_add(out, &cap, iface->name, ovsdb_kinds[2],
						 &iface->external_ids);
	if (ret < 0) {
		err_set("%s: out of memory while reading the switch's names", db->remote);
		return ret;
	}
	if (out->n)
		qsort(out->v, out->n, sizeof(*out->v), ovsdb_row_name_cmp);
	return 0;
}

void ovsdb_row_names_free(struct ovsdb_row_names *names)
{
	for (size_t i = 0; i < names->n; i++) {
		free(names->v[i].name);
		free(names->v[i].lab);
	}
	free(names->v);
	*names = (struct ovsdb_row_names){ 0 };
}

int ovsdb_foreign_bridges(const char *remote, int timeout_ms, char *buf, size_t len)
{
	const struct ovsrec_bridge *br;
	struct ovsdb *db = NULL;
	size_t used = 0;
	int n = 0;
	int ret;

	if (len)
		buf[0] = '\0';
	ret = ovsdb_open_with(remote, timeout_ms, ovsdb_register_bridges, &db);
	if (ret < 0)
		return ret;
	OVSREC_BRIDGE_FOR_EACH (br, db->idl) {
		if (smap_get(&br->external_ids, LAB_MARK_KEY))
			continue;
		n++;
		if (used < len)
			used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? ", " : "",
						 br->name);
	}
	ovsdb_close(db);
	return n;
}

static void ovsdb_register_bfd(struct ovsdb_idl *idl)
{
	ovsdb_idl_add_table(idl, &ovsrec_table_interface);
	ovsdb_idl_add_column(idl, &ovsrec_interface_col_name);
	ovsdb_idl_add_column(idl, &ovsrec_interface_col_bfd_status);
}

int ovsdb_bfd_states(const char *remote, int timeout_ms, const char *const *ifaces, size_t n,
		     char (*states)[16])
{
	const struct ovsrec_interface *iface;
	struct ovsdb *db = NULL;
	int ret;

	for (size_t i = 0; i < n; i++)
		states[i][0] = '\0';
	ret = ovsdb_open_with(remote, timeout_ms, ovsdb_register_bfd, &db);
	if (ret < 0)
		return ret;
	OVSREC_INTERFACE_FOR_EACH (iface, db->idl) {
		const char *state = smap_get(&iface->bfd_status, "state");

		for (size_t i = 0; state && i < n; i++)
			if (!strcmp(iface->name, ifaces[i]))
				snprintf(states[i], sizeof(states[i]), "%s", state);
	}
	ovsdb_close(db);
	return 0;
}

static void ovsdb_port_delete(const struct ovsrec_port *port, struct hmapx *gone)
{
	if (!hmapx_add(gone, (void *)port))
		return;
	for (size_t i = 0; i < port->n_interfaces; i++)
		if (hmapx_add(gone, port->interfaces[i]))
			ovsrec_interface_delete(port->interfaces[i]);
	ovsrec_port_delete(port);
}

static struct ovsrec_port *ovsdb_port_insert(struct ovsdb_idl_txn *txn, const char *name,
					     const char *type, const struct smap *mark)
{
	struct ovsrec_interface *iface = ovsrec_interface_insert(txn);
	struct ovsrec_port *port = ovsrec_port_insert(txn);

	ovsrec_interface_set_name(iface, name);
	ovsrec_interface_set_type(iface, type);
	ovsrec_interface_set_external_ids(iface, mark);
	ovsrec_port_set_name(port, name);
	ovsrec_port_set_interfaces(port, &iface, 1);
	ovsrec_port_set_external_ids(port, mark);
	return port;
}

static const struct ovsrec_bridge *ovsdb_find_bridge(struct ovsdb *db, const char *name)
{
	const struct ovsrec_bridge *br;

	OVSREC_BRIDGE_FOR_EACH (br, db->idl)
		if (!strcmp(br->name, name))
			return br;
	return NULL;
}

static bool ovsdb_tap_declared(const struct lab_bridge *lb, const char *port)
{
	for (size_t t = 0; lb && t < lb->n_taps; t++)
		if (!strcmp(lb->taps[t].name, port))
			return true;
	return false;
}

static bool ovsdb_lab_has_port(const struct lab *lab, const char *bridge, const char *port)
{
	const struct lab_bridge *lb = lab_find_bridge(lab, bridge);

	if (!strcmp(bridge, port) || ovsdb_settings_is_patch(lab, bridge, port))
		return true; /* the bridge's internal port, a patch port */
	if (lb && lab_find_nic(lb, port))
		return true; /* a machine interface it takes */
	for (size_t h = 0; h < lab->n_hosts; h++)
		for (size_t i = 0; i < lab->hosts[h].n_ifaces; i++) {
			const struct lab_iface *li = &lab->hosts[h].ifaces[i];

			if (li->attach == LAB_ATTACH_BRIDGE && !strcmp(li->bridge, bridge) &&
			    !strcmp(li->port, port))
				return true;
		}
	return ovsdb_tap_declared(lab_find_bridge(lab, bridge), port);
}

static bool ovsdb_bridge_has_port(const struct ovsrec_bridge *br, const char *name)
{
	for (size_t i = 0; i < br->n_ports; i++)
		if (!strcmp(br->ports[i]->name, name))
			return true;
	return false;
}

static const struct ovsdb_tunnel *ovsdb_find_tunnel(const struct ovsdb_machine *m,
						    const char *bridge, const char *port)
{
	for (size_t t = 0; m && t < m->n_tunnels; t++)
		if (!strcmp(m->tunnels[t].bridge, bridge) && !strcmp(m->tunnels[t].name, port))
			return &m->tunnels[t];
	return NULL;
}

/* A tunnel's type, options and BFD as t says, written only where they
 * differ (a tunnel to a peer that stays may have changed its key, type or
 * bfd). */
static void ovsdb_tunnel_options(const struct ovsrec_interface *iface,
				 const struct ovsdb_tunnel *t)
{
	struct smap opts = SMAP_INITIALIZER(&opts), bfd = SMAP_INITIALIZER(&bfd);

	smap_add(&opts, "remote_ip", t->remote);
	if (t->key_flow)
		smap_add(&opts, "key", "flow");
	else
		smap_add_format(&opts, "key", "%" PRIu32, t->key);
	if (t->bfd)
		smap_add(&bfd, "enable", "true");
	if (strcmp(iface->type, t->type))
		ovsrec_interface_set_type(iface, t->type);
	if (!smap_equal(&iface->options, &opts))
		ovsrec_interface_set_options(iface, &opts);
	if (!smap_equal(&iface->bfd, &bfd))
		ovsrec_interface_set_bfd(iface, &bfd);
	smap_destroy(&opts);
	smap_destroy(&bfd);
}

static struct ovsrec_port *ovsdb_tunnel_insert(struct ovsdb_idl_txn *txn,
					       const struct ovsdb_tunnel *t,
					       const struct smap *mark);

/* A bridge of the lab that the switch already has: ports the lab no longer
 * declares go, new ones come; those that stay are not touched
 * (but a machine's tunnels get their options). */
static void ovsdb_sync_bridge(const struct ovsrec_bridge *br, const struct lab *lab,
			      const struct lab_bridge *lb, const struct smap *mark,
			      struct ovsdb_idl_txn *txn, struct hmapx *gone,
			      const struct ovsdb_machine *m)
{
	for (size_t t = 0; m && t < m->n_tunnels; t++)
		if (!strcmp(m->tunnels[t].bridge, lb->name) &&
		    !ovsdb_bridge_has_port(br, m->tunnels[t].name))
			ovsrec_bridge_update_ports_addvalue(
				br, ovsdb_tunnel_insert(txn, &m->tunnels[t], mark));
	for (size_t i = 0; i < br->n_ports; i++) {
		const struct ovsrec_port *port = br->ports[i];
		const struct ovsdb_tunnel *t = ovsdb_find_tunnel(m, lb->name, port->name);

		/* A machine's tunnel to a peer that stays: its key or type may
		 * have changed. */
		if (t && port->n_interfaces == 1) {
			ovsdb_tunnel_options(port->interfaces[0], t);
			continue;
		}
		if (ovsdb_marked(&port->external_ids, lab->name) &&
		    !ovsdb_lab_has_port(lab, lb->name, port->name)) {
			ovsrec_bridge_update_ports_delvalue(br, port);
			ovsdb_port_delete(port, gone);
		}
	}
	for (size_t h = 0; h < lab->n_hosts; h++)
		for (size_t i = 0; i < lab->hosts[h].n_ifaces; i++) {
			const struct lab_iface *li = &lab->hosts[h].ifaces[i];

			if (li->attach == LAB_ATTACH_BRIDGE && !strcmp(li->bridge, lb->name) &&
			    !ovsdb_bridge_has_port(br, li->port))
				ovsrec_bridge_update_ports_addvalue(
					br, ovsdb_port_insert(txn, li->port, "", mark));
		}
	for (size_t i = 0; i < lb->n_nics; i++)
		if (!ovsdb_bridge_has_port(br, lb->nics[i].name))
			ovsrec_bridge_update_ports_addvalue(
				br, ovsdb_port_insert(txn, lb->nics[i].name, "", mark));
	/* A tap is a system port: the userspace datapath reads it through
	 * AF_PACKET like a veth (type=tap would have ovs-vswitchd make it). */
	for (size_t t = 0; t < lb->n_taps; t++)
		if (!ovsdb_bridge_has_port(br, lb->taps[t].name))
			ovsrec_bridge_update_ports_addvalue(
				br, ovsdb_port_insert(txn, lb->taps[t].name, "", mark));
	ovsdb_settings_sync_patches(txn, br, lab, lb, mark);
}

/* A tunnel port: split horizon (protected) so that a full mesh of three
 * or more machines never sends a broadcast back into the mesh. */
static struct ovsrec_port *ovsdb_tunnel_insert(struct ovsdb_idl_txn *txn,
					       const struct ovsdb_tunnel *t,
					       const struct smap *mark)
{
	struct ovsrec_port *port = ovsdb_port_insert(txn, t->name, t->type, mark);

	ovsdb_tunnel_options(port->interfaces[0], t);
	ovsrec_port_set_protected_(port, true);
	return port;
}

/* The machine's underlay bridge: its underlay interface as a port, the
 * internal port that gets the machine's underlay address. */
static struct ovsrec_bridge *ovsdb_phy_bridge(struct ovsdb_idl_txn *txn,
					      const struct ovsdb_machine *m, const char *datapath,
					      const struct smap *mark)
{
	struct ovsrec_bridge *br = ovsrec_bridge_insert(txn);
	struct ovsrec_port *ports[2];
	int64_t mtu = m->mtu;

	ovsrec_bridge_set_name(br, m->phy_bridge);
	ovsrec_bridge_set_datapath_type(br, datapath);
	ovsrec_bridge_set_external_ids(br, mark);
	ports[0] = ovsdb_port_insert(txn, m->phy_bridge, "internal", mark);
	ports[1] = ovsdb_port_insert(txn, m->phy_port, "", mark);
	ovsrec_interface_set_mtu_request(ports[0]->interfaces[0], &mtu, 1);
	ovsrec_bridge_set_ports(br, ports, 2);
	return br;
}

static struct ovsrec_bridge *ovsdb_new_bridge(struct ovsdb_idl_txn *txn, const struct lab *lab,
					      const struct lab_bridge *lb, const char *datapath,
					      const struct smap *mark, struct ovsrec_port **ports,
					      const struct ovsdb_machine *m)
{
	struct ovsrec_bridge *br = ovsrec_bridge_insert(txn);
	size_t n = 0;

	ovsrec_bridge_set_name(br, lb->name);
	ovsrec_bridge_set_datapath_type(br, datapath);
	ovsrec_bridge_set_external_ids(br, mark);
	ports[n++] = ovsdb_port_insert(txn, lb->name, "internal", mark);
	for (size_t h = 0; h < lab->n_hosts; h++)
		for (size_t i = 0; i < lab->hosts[h].n_ifaces; i++) {
			const struct lab_iface *li = &lab->hosts[h].ifaces[i];

			if (li->attach == LAB_ATTACH_BRIDGE && !strcmp(li->bridge, lb->name))
				ports[n++] = ovsdb_port_insert(txn, li->port, "", mark);
		}
	/* A machine interface: a system port, read through a packet socket. */
	for (size_t i = 0; i < lb->n_nics; i++)
		ports[n++] = ovsdb_port_insert(txn, lb->nics[i].name, "", mark);
	for (size_t t = 0; t < lb->n_taps; t++)
		ports[n++] = ovsdb_port_insert(txn, lb->taps[t].name, "", mark);
	n += ovsdb_settings_new_patches(txn, lab, lb, mark, ports + n);
	for (size_t t = 0; m && t < m->n_tunnels; t++)
		if (!strcmp(m->tunnels[t].bridge, lb->name))
			ports[n++] = ovsdb_tunnel_insert(txn, &m->tunnels[t], mark);
	/* All ports set at once: one column write, not one mutation per port. */
	ovsrec_bridge_set_ports(br, ports, n);
	return br;
}

/* Makes the lab's rows what the lab declares: missing bridges and ports are
 * inserted, the lab's rows it no longer declares deleted, rows of others
 * never touched. */
static int ovsdb_apply_build(struct ovsdb *db, struct ovsdb_idl_txn *txn, const void *arg_)
{
	const struct apply_arg *arg = arg_;
	const struct lab *lab = arg->lab;
	const struct ovsrec_open_vswitch *ovs = ovsrec_open_vswitch_first(db->idl);
	const struct ovsrec_bridge *br, *next;
	struct hmapx gone = HMAPX_INITIALIZER(&gone);
	struct smap mark = SMAP_INITIALIZER(&mark);
	struct ovsrec_bridge **brs = NULL;
	struct ovsrec_port **ports = NULL;
	size_t n_ports = 1, n_brs = 0;
	int ret = 0;

	for (size_t h = 0; h < lab->n_hosts; h++)
		n_ports += lab->hosts[h].n_ifaces;
	n_ports += 2 * lab->n_patches;
	for (size_t b = 0; b < lab->n_bridges; b++)
		n_ports += lab->bridges[b].n_nics + lab->bridges[b].n_taps;
	if (arg->machine)
		n_ports += arg->machine->n_tunnels;
	ports = calloc(n_ports, sizeof(*ports));
	brs = calloc(lab->n_bridges + 2, sizeof(*brs));
	if (!ports || !brs) {
		ret = -ENOMEM;
		goto out;
	}
	smap_add(&mark, LAB_MARK_KEY, lab->name);
	OVSREC_BRIDGE_FOR_EACH_SAFE (br, next, db->idl) {
		if (!ovsdb_marked(&br->external_ids, lab->name) || lab_find_bridge(lab, br->name) ||
		    (arg->machine && !strcmp(br->name, arg->machine->phy_bridge)))
			continue;
		if (ovs)
			ovsrec_open_vswitch_update_bridges_delvalue(ovs, br);
		for (size_t i = 0; i < br->n_ports; i++)
			ovsdb_port_delete(br->ports[i], &gone);
		ovsdb_settings_bridge_delete(br);
		ovsrec_bridge_delete(br);
	}
	for (size_t b = 0; b < lab->n_bridges; b++) {
		const struct lab_bridge *lb = &lab->bridges[b];

		br = ovsdb_find_bridge(db, lb->name);
		if (br && ovsdb_marked(&br->external_ids, lab->name))
			ovsdb_sync_bridge(br, lab, lb, &mark, txn, &gone, arg->machine);
		else
			brs[n_brs++] = ovsdb_new_bridge(txn, lab, lb, arg->datapath, &mark, ports,
							arg->machine);
	}
	if (arg->machine && !ovsdb_find_bridge(db, arg->machine->phy_bridge))
		brs[n_brs++] = ovsdb_phy_bridge(txn, arg->machine, arg->datapath, &mark);
	ret = ovsdb_settings_apply(db->idl, txn, lab, arg->datapath);
	if (ret < 0)
		goto out;
	if (!ovs) {
		/* A private switch starts with an empty database. */
		ovs = ovsrec_open_vswitch_insert(txn);
		ovsrec_open_vswitch_set_bridges(ovs, brs, n_brs);
	} else {
		/* Mutations, not a rewrite, so bridges other clients add
		 * meanwhile are kept. */
		for (size_t b = 0; b < n_brs; b++)
			ovsrec_open_vswitch_update_bridges_addvalue(ovs, brs[b]);
	}
out:
	hmapx_destroy(&gone);
	smap_destroy(&mark);
	free(brs);
	free(ports);
	return ret;
}

/* After cur_cfg caught up, ovs-vswitchd has given every interface of a bridge
 * it created an ofport (-1 and an error when the interface failed); an
 * interface without one belongs to a bridge it could not create. */
static int ovsdb_lab_verify(struct ovsdb *db, const char *lab_name)
{
	const struct ovsrec_bridge *br;

	OVSREC_BRIDGE_FOR_EACH (br, db->idl) {
		for (size_t p = 0; p < br->n_ports; p++) {
			const struct ovsrec_port *port = br->ports[p];

			for (size_t i = 0; i < port->n_interfaces; i++) {
				const struct ovsrec_interface *iface = port->interfaces[i];
				bool failed = iface->n_ofport && iface->ofport[0] == -1;

				if (!ovsdb_marked(&iface->external_ids, lab_name))
					continue;
				if ((iface->error && *iface->error) || failed) {
					err_set("%s: the switch could not add the interface: %s",
						iface->name,
						iface->error && *iface->error
							? iface->error
							: "no OpenFlow port was assigned");
					return -EIO;
				}
				if (!iface->n_ofport || iface->ofport[0] <= 0) {
					err_set("%s: the switch could not create the bridge "
						"(datapath type \"%s\"; see the ovs-vswitchd log)",
						br->name, br->datapath_type);
					return -EIO;
				}
			}
		}
	}
	return 0;
}

int ovsdb_lab_commit(struct ovsdb *db, const struct lab *lab, const char *datapath,
		     int timeout_ms, int64_t *next_cfg)
{
	struct apply_arg arg = { .lab = lab, .datapath = datapath, .machine = db->machine };
	int64_t cfg = 0;
	int ret = ovsdb_lab_settle(db, next_cfg);

	if (ret == 0)
		ret = ovsdb_commit(db, ovsdb_apply_build, &arg, lab->name,
				   time_msec() + timeout_ms, &cfg);
	/* A transaction that changed nothing leaves the configuration to wait
	 * for at what an earlier one (an earlier chunk) set. */
	if (cfg > *next_cfg)
		*next_cfg = cfg;
	timing_phase("switch transaction");
	return ret;
}

int ovsdb_lab_commit_start(struct ovsdb *db, const struct lab *lab, const char *datapath,
			   int timeout_ms, int64_t *next_cfg)
{
	struct apply_arg arg = { .lab = &db->pending_lab, .datapath = datapath,
				 .machine = db->machine };
	struct ovsdb_idl_txn *txn;
	int ret = ovsdb_lab_settle(db, next_cfg);

	if (ret < 0)
		return ret;
	db->pending_lab = *lab;
	db->pending_datapath = datapath;
	db->pending_deadline = time_msec() + timeout_ms;
	ret = ovsdb_txn_make(db, ovsdb_apply_build, &arg, lab->name, &txn);
	if (ret < 0)
		return ret;
	ovsdb_idl_txn_commit(txn);
	db->pending = txn;
	timing_phase("switch transaction");
	return 0;
}

void ovsdb_lab_pump(struct ovsdb *db)
{
	if (!db->pending)
		return;
	ovsdb_idl_run(db->idl);
	ovsdb_idl_txn_commit(db->pending);
}

int ovsdb_lab_settle(struct ovsdb *db, int64_t *next_cfg)
{
	struct ovsdb_idl_txn *txn = db->pending;
	enum ovsdb_idl_txn_status status;
	int ret = 0;

	if (!txn)
		return 0;
	db->pending = NULL;
	status = ovsdb_idl_txn_commit_block(txn);
	if (status == TXN_SUCCESS) {
		int64_t cfg = ovsdb_txn_cfg(db, txn, status);

		if (cfg > *next_cfg)
			*next_cfg = cfg;
	} else if (status == TXN_TRY_AGAIN) {
		/* The database moved under it: made again, this time waited for. */
		long long int left = db->pending_deadline - time_msec();

		ovsdb_idl_txn_destroy(txn);
		txn = NULL;
		ret = ovsdb_lab_commit(db, &db->pending_lab, db->pending_datapath,
				       left > 0 ? (int)left : 1, next_cfg);
	} else if (status != TXN_UNCHANGED) {
		ret = ovsdb_txn_refused(db->pending_lab.name, txn, status);
	}
	if (txn)
		ovsdb_idl_txn_destroy(txn);
	timing_phase("switch transaction");
	return ret;
}

int ovsdb_lab_wait(struct ovsdb *db, const char *lab_name, int64_t next_cfg, int timeout_ms)
{
	int ret = ovsdb_lab_settle(db, &next_cfg);

	if (ret < 0)
		return ret;
	/* next_cfg is 0 only for a transaction that changed nothing. */
	if (next_cfg)
		ret = ovsdb_wait_cfg(db, next_cfg, time_msec() + timeout_ms, lab_name);
	timing_phase("wait for the switch");
	/* On failure the caller undoes what its run made: on a lab that was
	 * already up, the rows from before must stay. */
	return ret < 0 ? ret : ovsdb_lab_verify(db, lab_name);
}

int ovsdb_lab_apply(struct ovsdb *db, const struct lab *lab,
		    const char *datapath, int timeout_ms)
{
	int64_t next_cfg = 0;
	int ret = ovsdb_lab_commit(db, lab, datapath, timeout_ms, &next_cfg);

	return ret < 0 ? ret : ovsdb_lab_wait(db, lab->name, next_cfg, timeout_ms);
}

void ovsdb_set_machine(struct ovsdb *db, const struct ovsdb_machine *m)
{
	db->machine = m;
}

int ovsdb_machine_commit(struct ovsdb *db, const struct lab *view, const struct ovsdb_machine *m,
			 int timeout_ms, int64_t *next_cfg)
{
	struct apply_arg arg = { .lab = view, .datapath = "netdev", .machine = m };
	int ret = ovsdb_commit(db, ovsdb_apply_build, &arg, view->name, time_msec() + timeout_ms,
			       next_cfg);

	timing_phase("switch transaction");
	return ret;
}

static int ovsdb_remove_build(struct ovsdb *db, struct ovsdb_idl_txn *txn, const void *arg)
{
	const char *lab_name = arg;
	const struct ovsrec_open_vswitch *ovs = ovsrec_open_vswitch_first(db->idl);
	const struct ovsrec_bridge *br, *next;
	struct hmapx gone = HMAPX_INITIALIZER(&gone);

	(void)txn;
	/* Deleted rows drop out of the iteration, hence the _SAFE form. */
	OVSREC_BRIDGE_FOR_EACH_SAFE (br, next, db->idl) {
		if (ovsdb_marked(&br->external_ids, lab_name)) {
			if (ovs)
				ovsrec_open_vswitch_update_bridges_delvalue(ovs, br);
			for (size_t i = 0; i < br->n_ports; i++)
				ovsdb_port_delete(br->ports[i], &gone);
			ovsdb_settings_bridge_delete(br);
			ovsrec_bridge_delete(br);
			continue;
		}
		for (size_t i = 0; i < br->n_ports; i++) {
			const struct ovsrec_port *port = br->ports[i];

			if (!ovsdb_marked(&port->external_ids, lab_name))
				continue;
			ovsrec_bridge_update_ports_delvalue(br, port);
			ovsdb_port_delete(port, &gone);
		}
	}
	hmapx_destroy(&gone);
	return 0;
}

struct drop_arg {
	const char *lab_name;
	const char *const *ports;
	size_t n;
};

static bool ovsdb_listed(const struct drop_arg *d, const char *name)
{
	for (size_t i = 0; i < d->n; i++)
		if (!strcmp(d->ports[i], name))
			return true;
	return false;
}

static int ovsdb_drop_build(struct ovsdb *db, struct ovsdb_idl_txn *txn, const void *arg)
{
	const struct drop_arg *d = arg;
	const struct ovsrec_bridge *br;
	struct hmapx gone = HMAPX_INITIALIZER(&gone);

	(void)txn;
	OVSREC_BRIDGE_FOR_EACH (br, db->idl)
		for (size_t i = 0; i < br->n_ports; i++) {
			const struct ovsrec_port *port = br->ports[i];

			if (ovsdb_marked(&port->external_ids, d->lab_name) &&
			    ovsdb_listed(d, port->name)) {
				ovsrec_bridge_update_ports_delvalue(br, port);
				ovsdb_port_delete(port, &gone);
			}
		}
	hmapx_destroy(&gone);
	return 0;
}

int ovsdb_lab_drop_ports(struct ovsdb *db, const char *lab_name, const char *const *ports,
			 size_t n, int timeout_ms)
{
	struct drop_arg d = { .lab_name = lab_name, .ports = ports, .n = n };
	long long int deadline = time_msec() + timeout_ms;
	int64_t next_cfg = 0;
	int ret;

	if (!n)
		return 0;
	ret = ovsdb_commit(db, ovsdb_drop_build, &d, lab_name, deadline, &next_cfg);
	if (ret == 0 && next_cfg)
		ret = ovsdb_wait_cfg(db, next_cfg, deadline, lab_name);
	return ret;
}

static int ovsdb_lab_remove_(struct ovsdb *db, const char *lab_name, int timeout_ms, bool wait)
{
	long long int deadline = time_msec() + timeout_ms;
	int64_t next_cfg = 0;
	int ret;

	if (!ovsdb_lab_present(db, lab_name))
		return 0;
	ret = ovsdb_commit(db, ovsdb_remove_build, lab_name, lab_name, deadline, &next_cfg);
	if (ret < 0 || !next_cfg || !wait)
		goto out;
	ret = ovsdb_wait_cfg(db, next_cfg, deadline, lab_name);
out:
	return ret;
}

int ovsdb_lab_remove(struct ovsdb *db, const char *lab_name, int timeout_ms)
{
	return ovsdb_lab_remove_(db, lab_name, timeout_ms, true);
}

int ovsdb_lab_remove_rows(struct ovsdb *db, const char *lab_name, int timeout_ms)
{
	return ovsdb_lab_remove_(db, lab_name, timeout_ms, false);
}

bool ovsdb_lab_present(struct ovsdb *db, const char *lab_name)
{
	const struct ovsrec_bridge *br;
	const struct ovsrec_port *port;
	const struct ovsrec_interface *iface;

	ovsdb_idl_run(db->idl);
	OVSREC_BRIDGE_FOR_EACH (br, db->idl)
		if (ovsdb_marked(&br->external_ids, lab_name))
			return true;
	OVSREC_PORT_FOR_EACH (port, db->idl)
		if (ovsdb_marked(&port->external_ids, lab_name))
			return true;
	OVSREC_INTERFACE_FOR_EACH (iface, db->idl)
		if (ovsdb_marked(&iface->external_ids, lab_name))
			return true;
	return false;
}

static void ovsdb_name_add(struct sset *names, const struct smap *ids)
{
	const char *v = smap_get(ids, LAB_MARK_KEY);

	if (v)
		sset_add(names, v);
}

int ovsdb_lab_names(struct ovsdb *db, void (*fn)(const char *lab, void *arg), void *arg)
{
	struct sset names = SSET_INITIALIZER(&names);
	const struct ovsrec_bridge *br;
	const struct ovsrec_port *port;
	const struct ovsrec_interface *iface;
	const char *name;

	ovsdb_idl_run(db->idl);
	OVSREC_BRIDGE_FOR_EACH (br, db->idl)
		ovsdb_name_add(&names, &br->external_ids);
	OVSREC_PORT_FOR_EACH (port, db->idl)
		ovsdb_name_add(&names, &port->external_ids);
	OVSREC_INTERFACE_FOR_EACH (iface, db->idl)
		ovsdb_name_add(&names, &iface->external_ids);
	/* Collected first: fn may well change the database. */
	SSET_FOR_EACH (name, &names)
		fn(name, arg);
	sset_destroy(&names);
	return 0;
}

int ovsdb_lab_ports(struct ovsdb *db, const char *lab_name,
		    void (*fn)(const struct ovsdb_port_info *p, void *arg),
		    void *arg)
{
	const struct ovsrec_bridge *br;

	ovsdb_idl_run(db->idl);
	OVSREC_BRIDGE_FOR_EACH (br, db->idl) {
		for (size_t i = 0; i < br->n_ports; i++) {
			const struct ovsrec_port *port = br->ports[i];
			const struct ovsrec_interface *iface =
				port->n_interfaces ? port->interfaces[0] : NULL;
			struct ovsdb_port_info info = {
				.bridge = br->name,
				.port = port->name,
				.type = iface ? iface->type : "",
				.ofport = iface && iface->n_ofport ? iface->ofport[0] : 0,
				.error = iface && iface->error && *iface->error ? iface->error : NULL,
				.datapath = br->datapath_type,
			};

			if (ovsdb_marked(&port->external_ids, lab_name))
				fn(&info, arg);
		}
	}
	return 0;
}
