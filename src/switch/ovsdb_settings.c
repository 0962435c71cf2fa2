/* The lab's Open vSwitch settings written into its transactions: bridge
 * options, port VLANs and numbers, patch ports, mirrors (ovsdb_settings.h). */
#include <config.h>

#include "switch/ovsdb_settings.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "openvswitch/shash.h"
#include "ovsdb-idl.h"
#include "smap.h"
#include "vswitch-idl.h"

#include "util/err.h"

/* Ports found for a mirror reference. */
struct settings_portv {
	const struct shash *ports; /* the lab's Port rows by name */
	const struct ovsrec_port **v;
	size_t n, cap;
	bool missing;              /* a port is not (yet) in the switch */
	bool nomem;
};

void ovsdb_settings_register(struct ovsdb_idl *idl)
{
	ovsdb_idl_add_column(idl, &ovsrec_bridge_col_fail_mode);
	ovsdb_idl_add_column(idl, &ovsrec_bridge_col_protocols);
	ovsdb_idl_add_column(idl, &ovsrec_bridge_col_controller);
	ovsdb_idl_add_column(idl, &ovsrec_bridge_col_mcast_snooping_enable);
	ovsdb_idl_add_column(idl, &ovsrec_bridge_col_stp_enable);
	ovsdb_idl_add_column(idl, &ovsrec_bridge_col_rstp_enable);
	ovsdb_idl_add_column(idl, &ovsrec_bridge_col_other_config);
	ovsdb_idl_add_column(idl, &ovsrec_bridge_col_mirrors);

	ovsdb_idl_add_column(idl, &ovsrec_port_col_tag);
	ovsdb_idl_add_column(idl, &ovsrec_port_col_trunks);

	ovsdb_idl_add_column(idl, &ovsrec_interface_col_ofport_request);
	ovsdb_idl_add_column(idl, &ovsrec_interface_col_options);

	ovsdb_idl_add_table(idl, &ovsrec_table_controller);
	ovsdb_idl_add_column(idl, &ovsrec_controller_col_target);
	ovsdb_idl_add_column(idl, &ovsrec_controller_col_external_ids);

	ovsdb_idl_add_table(idl, &ovsrec_table_mirror);
	ovsdb_idl_add_column(idl, &ovsrec_mirror_col_name);
	ovsdb_idl_add_column(idl, &ovsrec_mirror_col_select_all);
	ovsdb_idl_add_column(idl, &ovsrec_mirror_col_select_src_port);
	ovsdb_idl_add_column(idl, &ovsrec_mirror_col_select_dst_port);
	ovsdb_idl_add_column(idl, &ovsrec_mirror_col_output_port);
	ovsdb_idl_add_column(idl, &ovsrec_mirror_col_external_ids);
}

static bool settings_marked(const struct smap *ids, const char *lab_name)
{
	const char *v = smap_get(ids, LAB_MARK_KEY);

	return v && !strcmp(v, lab_name);
}

static bool settings_str_eq(const char *a, const char *b)
{
	return !strcmp(a ? a : "", b ? b : "");
}

/* ---- patch ports ------------------------------------------------------- */

bool ovsdb_settings_is_patch(const struct lab *lab, const char *bridge, const char *port)
{
	for (size_t i = 0; i < lab->n_patches; i++)
		for (int e = 0; e < 2; e++)
			if (!strcmp(lab->patches[i].bridge[e], bridge) &&
			    !strcmp(lab->patches[i].port[e], port))
				return true;
	return false;
}

static struct ovsrec_port *settings_patch_insert(struct ovsdb_idl_txn *txn, const char *name,
					   const char *peer, const struct smap *mark)
{
	struct ovsrec_interface *iface = ovsrec_interface_insert(txn);
	struct ovsrec_port *port = ovsrec_port_insert(txn);
	struct smap options = SMAP_INITIALIZER(&options);

	smap_add(&options, "peer", peer);
	ovsrec_interface_set_name(iface, name);
	ovsrec_interface_set_type(iface, "patch");
	ovsrec_interface_set_options(iface, &options);
	ovsrec_interface_set_external_ids(iface, mark);
	ovsrec_port_set_name(port, name);
	ovsrec_port_set_interfaces(port, &iface, 1);
	ovsrec_port_set_external_ids(port, mark);
	smap_destroy(&options);
	return port;
}

size_t ovsdb_settings_new_patches(struct ovsdb_idl_txn *txn, const struct lab *lab,
			    const struct lab_bridge *lb, const struct smap *mark,
			    struct ovsrec_port **ports)
{
	size_t n = 0;

	for (size_t i = 0; i < lab->n_patches; i++)
		for (int e = 0; e < 2; e++)
			if (!strcmp(lab->patches[i].bridge[e], lb->name))
				ports[n++] = settings_patch_insert(txn, lab->patches[i].port[e],
							     lab->patches[i].port[!e], mark);
	return n;
}

void ovsdb_settings_sync_patches(struct ovsdb_idl_txn *txn, const struct ovsrec_bridge *br,
			   const struct lab *lab, const struct lab_bridge *lb,
			   const struct smap *mark)
{
	for (size_t i = 0; i < lab->n_patches; i++)
		for (int e = 0; e < 2; e++) {
			const struct lab_patch *p = &lab->patches[i];
			bool has = false;

			if (strcmp(p->bridge[e], lb->name))
				continue;
			for (size_t k = 0; k < br->n_ports; k++)
				has |= !strcmp(br->ports[k]->name, p->port[e]);
			if (!has)
				ovsrec_bridge_update_ports_addvalue(
					br, settings_patch_insert(txn, p->port[e], p->port[!e], mark));
		}
}

/* ---- ports ------------------------------------------------------------- */

static bool settings_int_set_eq(const int64_t *a, size_t na, const unsigned int *b, size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < nb; i++) {
		bool found = false;

		for (size_t j = 0; j < na && !found; j++)
			found = a[j] == b[i];
		if (!found)
			return false;
	}
	return true;
}

static int settings_apply_port(const struct ovsrec_port *port, const struct lab_port_settings *settings)
{
	const struct ovsrec_interface *iface = port->n_interfaces ? port->interfaces[0] : NULL;
	int64_t tag = settings->vlan, req = settings->ofport;
	int64_t *trunks;

	if (settings->vlan ? !(port->n_tag == 1 && port->tag[0] == tag) : port->n_tag != 0)
		ovsrec_port_set_tag(port, &tag, settings->vlan ? 1 : 0);
	if (!settings_int_set_eq(port->trunks, port->n_trunks, settings->trunks, settings->n_trunks)) {
		trunks = calloc(settings->n_trunks + 1, sizeof(*trunks));
		if (!trunks)
			return -ENOMEM;
		for (size_t i = 0; i < settings->n_trunks; i++)
			trunks[i] = settings->trunks[i];
		ovsrec_port_set_trunks(port, trunks, settings->n_trunks);
		free(trunks);
	}
	if (iface && (settings->ofport ? !(iface->n_ofport_request == 1 &&
				     iface->ofport_request[0] == req)
				 : iface->n_ofport_request != 0))
		ovsrec_interface_set_ofport_request(iface, &req, settings->ofport ? 1 : 0);
	return 0;
}

static int settings_apply_ports(const struct lab *lab, const struct shash *ports)
{
	int ret = 0;

	for (size_t h = 0; ret == 0 && h < lab->n_hosts; h++)
		for (size_t i = 0; ret == 0 && i < lab->hosts[h].n_ifaces; i++) {
			const struct lab_iface *li = &lab->hosts[h].ifaces[i];
			const struct ovsrec_port *port;

			if (li->attach != LAB_ATTACH_BRIDGE)
				continue;
			port = shash_find_data(ports, li->port);
			if (port)
				ret = settings_apply_port(port, &li->settings);
		}
	return ret;
}

/* ---- bridge settings --------------------------------------------------- */

static bool settings_strv_set_eq(char **a, size_t na, char *const *b, size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < nb; i++) {
		bool found = false;

		for (size_t j = 0; j < na && !found; j++)
			found = !strcmp(a[j], b[i]);
		if (!found)
			return false;
	}
	return true;
}

static void settings_smap_from(struct smap *m, const struct lab_kv *kv, size_t n)
{
	for (size_t i = 0; i < n; i++)
		smap_replace(m, kv[i].key, kv[i].value);
}

static int settings_apply_controllers(struct ovsdb_idl_txn *txn, const struct ovsrec_bridge *br,
				const struct lab_bridge_settings *settings, const struct smap *mark)
{
	struct ovsrec_controller **ctrls;
	bool same = br->n_controller == settings->n_controllers;

	for (size_t i = 0; same && i < settings->n_controllers; i++) {
		bool found = false;

		for (size_t j = 0; j < br->n_controller && !found; j++)
			found = !strcmp(br->controller[j]->target, settings->controllers[i]);
		same = found;
	}
	if (same)
		return 0;
	ctrls = calloc(settings->n_controllers + 1, sizeof(*ctrls));
	if (!ctrls)
		return -ENOMEM;
	/* The lab's bridge holds only the lab's controllers: all of them go. */
	for (size_t j = 0; j < br->n_controller; j++)
		ovsrec_controller_delete(br->controller[j]);
	for (size_t i = 0; i < settings->n_controllers; i++) {
		ctrls[i] = ovsrec_controller_insert(txn);
		ovsrec_controller_set_target(ctrls[i], settings->controllers[i]);
		ovsrec_controller_set_external_ids(ctrls[i], mark);
	}
	ovsrec_bridge_set_controller(br, ctrls, settings->n_controllers);
	free(ctrls);
	return 0;
}

static int settings_apply_bridge(struct ovsdb_idl_txn *txn, const struct ovsrec_bridge *br,
			   const struct lab_bridge *lb, const char *datapath,
			   const struct smap *mark)
{
	const struct lab_bridge_settings *settings = &lb->settings;
	const char *dp = settings->datapath ? settings->datapath : datapath;
	struct smap map = SMAP_INITIALIZER(&map);

	if (!settings_str_eq(br->datapath_type, dp))
		ovsrec_bridge_set_datapath_type(br, dp);
	if (!settings_str_eq(br->fail_mode, settings->fail_mode))
		ovsrec_bridge_set_fail_mode(br, settings->fail_mode);
	if (!settings_strv_set_eq(br->protocols, br->n_protocols, settings->protocols, settings->n_protocols))
		ovsrec_bridge_set_protocols(br, (const char **)settings->protocols, settings->n_protocols);
	if (br->mcast_snooping_enable != settings->mcast_snooping)
		ovsrec_bridge_set_mcast_snooping_enable(br, settings->mcast_snooping);
	if (br->stp_enable != settings->stp)
		ovsrec_bridge_set_stp_enable(br, settings->stp);
	if (br->rstp_enable != settings->rstp)
		ovsrec_bridge_set_rstp_enable(br, settings->rstp);
	settings_smap_from(&map, settings->other_config, settings->n_other_config);
	if (!smap_equal(&br->other_config, &map))
		ovsrec_bridge_set_other_config(br, &map);
	smap_clear(&map);
	settings_smap_from(&map, settings->external_ids, settings->n_external_ids);
	smap_replace(&map, LAB_MARK_KEY, smap_get(mark, LAB_MARK_KEY));
	if (!smap_equal(&br->external_ids, &map))
		ovsrec_bridge_set_external_ids(br, &map);
	smap_destroy(&map);
	return settings_apply_controllers(txn, br, settings, mark);
}

/* ---- mirrors ----------------------------------------------------------- */

static void settings_portv_add(const char *name, void *arg)
{
	struct settings_portv *pv = arg;
	const struct ovsrec_port *port = shash_find_data(pv->ports, name);

	if (!port) {
		pv->missing = true;
		return;
	}
	if (pv->n == pv->cap) {
		const struct ovsrec_port **nv = realloc(pv->v, (pv->cap + 8) * sizeof(*nv));

		if (!nv) {
			pv->nomem = true;
			return;
		}
		pv->v = nv;
		pv->cap += 8;
	}
	pv->v[pv->n++] = port;
}

static bool settings_rows_eq(struct ovsrec_port **a, size_t na, const struct ovsrec_port **b, size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < nb; i++) {
		bool found = false;

		for (size_t j = 0; j < na && !found; j++)
			found = a[j] == b[i];
		if (!found)
			return false;
	}
	return true;
}

static void settings_mirror_set(const struct ovsrec_mirror *row, const struct settings_portv *sel,
			  bool all, const struct ovsrec_port *to)
{
	if (row->select_all != all)
		ovsrec_mirror_set_select_all(row, all);
	/* Both directions: what the selected ports receive and what they send. */
	if (!settings_rows_eq(row->select_src_port, row->n_select_src_port, sel->v, sel->n))
		ovsrec_mirror_set_select_src_port(row, (struct ovsrec_port **)sel->v, sel->n);
	if (!settings_rows_eq(row->select_dst_port, row->n_select_dst_port, sel->v, sel->n))
		ovsrec_mirror_set_select_dst_port(row, (struct ovsrec_port **)sel->v, sel->n);
	if (row->output_port != to)
		ovsrec_mirror_set_output_port(row, to);
}

static const struct ovsrec_mirror *settings_find_mirror(const struct ovsrec_bridge *br,
						  const char *name)
{
	for (size_t i = 0; i < br->n_mirrors; i++)
		if (!strcmp(br->mirrors[i]->name, name))
			return br->mirrors[i];
	return NULL;
}

/* One declared mirror: its row made or updated, or left as it is while a
 * port it names is not in the switch yet (a new lab's first chunks). */
static int settings_apply_mirror(struct ovsdb_idl_txn *txn, const struct ovsrec_bridge *br,
			   const struct lab *lab, const struct lab_mirror *m,
			   const struct shash *ports, const struct smap *mark,
			   const struct ovsrec_mirror **row)
{
	struct settings_portv sel = { .ports = ports }, to = { .ports = ports };
	int ret = 0;

	*row = settings_find_mirror(br, m->name);
	lab_mirror_ports(lab, m->bridge, &m->to, true, settings_portv_add, &to);
	for (size_t k = 0; k < m->n_select; k++)
		if (!lab_mirror_ports(lab, m->bridge, &m->select[k], false, settings_portv_add, &sel))
			sel.missing = true;
	if (sel.nomem || to.nomem) {
		ret = -ENOMEM;
		goto out;
	}
	if (sel.missing || to.missing || !to.n)
		goto out;
	if (!*row) {
		struct ovsrec_mirror *nr = ovsrec_mirror_insert(txn);

		ovsrec_mirror_set_name(nr, m->name);
		ovsrec_mirror_set_external_ids(nr, mark);
		*row = nr;
	}
	settings_mirror_set(*row, &sel, !m->n_select, to.v[0]);
out:
	free(sel.v);
	free(to.v);
	return ret;
}

static int settings_apply_mirrors(struct ovsdb_idl_txn *txn, const struct ovsrec_bridge *br,
			    const struct lab *lab, const struct lab_bridge *lb,
			    const struct shash *ports, const struct smap *mark)
{
	struct ovsrec_mirror **want = calloc(lab->n_mirrors + 1, sizeof(*want));
	size_t n = 0;
	bool same = true;
	int ret = 0;

	if (!want)
		return -ENOMEM;
	for (size_t i = 0; ret == 0 && i < lab->n_mirrors; i++) {
		const struct ovsrec_mirror *row;

		if (strcmp(lab->mirrors[i].bridge, lb->name))
			continue;
		ret = settings_apply_mirror(txn, br, lab, &lab->mirrors[i], ports, mark, &row);
		if (row)
			want[n++] = (struct ovsrec_mirror *)row;
	}
	if (ret < 0)
		goto out;
	for (size_t j = 0; j < br->n_mirrors; j++) {
		bool kept = false;

		for (size_t i = 0; i < n && !kept; i++)
			kept = want[i] == br->mirrors[j];
		if (!kept)
			ovsrec_mirror_delete(br->mirrors[j]);
		same &= kept;
	}
	if (!same || n != br->n_mirrors)
		ovsrec_bridge_set_mirrors(br, want, n);
out:
	free(want);
	return ret;
}

/* ---- the whole lab ----------------------------------------------------- */

static const struct ovsrec_bridge *settings_find_bridge(struct ovsdb_idl *idl, const char *name,
						  const char *lab_name)
{
	const struct ovsrec_bridge *br;

	OVSREC_BRIDGE_FOR_EACH (br, idl)
		if (!strcmp(br->name, name) && settings_marked(&br->external_ids, lab_name))
			return br;
	return NULL;
}

int ovsdb_settings_apply(struct ovsdb_idl *idl, struct ovsdb_idl_txn *txn, const struct lab *lab,
		   const char *datapath)
{
	struct shash ports = SHASH_INITIALIZER(&ports);
	struct smap mark = SMAP_INITIALIZER(&mark);
	const struct ovsrec_port *port;
	int ret;

	smap_add(&mark, LAB_MARK_KEY, lab->name);
	/* Rows inserted by this transaction are listed, deleted ones are not. */
	OVSREC_PORT_FOR_EACH (port, idl)
		if (settings_marked(&port->external_ids, lab->name))
			shash_add_once(&ports, port->name, port);
	ret = settings_apply_ports(lab, &ports);
	for (size_t b = 0; ret == 0 && b < lab->n_bridges; b++) {
		const struct lab_bridge *lb = &lab->bridges[b];
		const struct ovsrec_bridge *br = settings_find_bridge(idl, lb->name, lab->name);

		if (!br)
			continue;
		ret = settings_apply_bridge(txn, br, lb, datapath, &mark);
		if (ret == 0)
			ret = settings_apply_mirrors(txn, br, lab, lb, &ports, &mark);
	}
	if (ret == -ENOMEM)
		err_set("%s: out of memory while writing the switch's settings", lab->name);
	shash_destroy(&ports);
	smap_destroy(&mark);
	return ret;
}

void ovsdb_settings_bridge_delete(const struct ovsrec_bridge *br)
{
	for (size_t i = 0; i < br->n_mirrors; i++)
		ovsrec_mirror_delete(br->mirrors[i]);
	for (size_t i = 0; i < br->n_controller; i++)
		ovsrec_controller_delete(br->controller[i]);
}
