/* The Open vSwitch sections of a lab file: bridge settings, a bridge port's
 * ofport / vlan / trunks, `patches:` and `mirrors:`.  Problems go to
 * labfile.c's list as file:line:col messages. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "labfile/labfile_int.h"

#define OFPORT_MAX 65279 /* OFPP_MAX: above are OpenFlow's reserved ports */
#define VLAN_MAX 4094

static const char *const settings_protocols[] = {
	"OpenFlow10", "OpenFlow11", "OpenFlow12", "OpenFlow13", "OpenFlow14", "OpenFlow15",
};

/* Controller targets ovs-vswitchd connects to or listens on. */
static const char *const settings_targets[] = { "tcp:", "ssl:", "unix:", "ptcp:", "pssl:", "punix:" };

/* ---- values ------------------------------------------------------------ */

/* A whole number min..max, or false once reported. */
static bool settings_number(struct ctx *c, const yaml_node_t *at, const char *what, const char *s,
		      unsigned int min, unsigned int max, unsigned int *out)
{
	unsigned long v = 0;
	size_t n;

	for (n = 0; s[n] >= '0' && s[n] <= '9' && n < 6; n++)
		v = v * 10 + (unsigned long)(s[n] - '0');
	if (!n || s[n] || v < min || v > max) {
		labfile_report(c, labfile_pos(at), "%s \"%s\" must be a whole number from %u to %u",
			       what, s, min, max);
		return false;
	}
	*out = (unsigned int)v;
	return true;
}

static bool settings_push_str(struct ctx *c, char ***v, size_t *n, const char *s)
{
	char **nv = realloc(*v, (*n + 1) * sizeof(**v));
	char *d = nv ? labfile_strdup(c, s) : NULL;

	if (nv)
		*v = nv;
	if (!d) {
		labfile_nomem(c);
		return false;
	}
	nv[(*n)++] = d;
	return true;
}

static bool settings_listed(char *const *v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i], s))
			return true;
	return false;
}

/* The items of a list value (an empty value: none), or false once reported. */
static bool settings_list(struct ctx *c, const yaml_node_t *key, const yaml_node_t *val,
		    yaml_node_item_t **it, yaml_node_item_t **end)
{
	if (labfile_items(val, it, end))
		return true;
	labfile_report(c, labfile_pos(val), "\"%s\" must be a list, not %s",
		       (const char *)key->data.scalar.value, labfile_kind(val));
	return false;
}

/* ---- bridge settings --------------------------------------------------- */

static void settings_fail_mode(struct ctx *c, const yaml_node_t *key, const yaml_node_t *val,
			 struct lab_bridge *b)
{
	const char *s = labfile_scalar(c, key, val);

	if (!s)
		return;
	if (strcmp(s, "standalone") && strcmp(s, "secure"))
		labfile_report(c, labfile_pos(val),
			       "bridge %s: fail_mode \"%s\" must be standalone or secure", b->name, s);
	else
		b->settings.fail_mode = labfile_strdup(c, s);
}

static void settings_datapath(struct ctx *c, const yaml_node_t *key, const yaml_node_t *val,
			struct lab_bridge *b)
{
	const char *s = labfile_scalar(c, key, val);

	if (s && labfile_name(c, val, "datapath", s))
		b->settings.datapath = labfile_strdup(c, s);
}

static bool settings_protocol_known(const char *s)
{
	for (size_t i = 0; i < sizeof(settings_protocols) / sizeof(settings_protocols[0]); i++)
		if (!strcmp(settings_protocols[i], s))
			return true;
	return false;
}

static void settings_protocols_key(struct ctx *c, const yaml_node_t *key, const yaml_node_t *val,
			     struct lab_bridge *b)
{
	yaml_node_item_t *it, *end;

	if (!settings_list(c, key, val, &it, &end))
		return;
	for (; it < end; it++) {
		const yaml_node_t *item = labfile_node(c, *it);
		const char *s = labfile_scalar(c, key, item);

		if (!s)
			continue;
		if (!settings_protocol_known(s))
			labfile_report(c, labfile_pos(item),
				       "bridge %s: protocol \"%s\" is not one of OpenFlow10 to OpenFlow15",
				       b->name, s);
		else if (settings_listed(b->settings.protocols, b->settings.n_protocols, s))
			labfile_report(c, labfile_pos(item), "bridge %s: protocol %s is listed twice",
				       b->name, s);
		else if (!settings_push_str(c, &b->settings.protocols, &b->settings.n_protocols, s))
			return;
	}
}

static bool settings_target_ok(const char *s)
{
	for (size_t i = 0; i < sizeof(settings_targets) / sizeof(settings_targets[0]); i++) {
		size_t n = strlen(settings_targets[i]);

		if (!strncmp(s, settings_targets[i], n))
			return s[n] && !strpbrk(s, " \t");
	}
	return false;
}

static void settings_controller_one(struct ctx *c, const yaml_node_t *key, const yaml_node_t *item,
			      struct lab_bridge *b)
{
	const char *s = labfile_scalar(c, key, item);

	if (!s)
		return;
	if (!settings_target_ok(s))
		labfile_report(c, labfile_pos(item),
			       "bridge %s: controller \"%s\" is not a target like tcp:127.0.0.1:6653 (tcp:, ssl:, unix:, ptcp:, pssl: or punix: and an address)",
			       b->name, s);
	else if (settings_listed(b->settings.controllers, b->settings.n_controllers, s))
		labfile_report(c, labfile_pos(item), "bridge %s: controller %s is listed twice",
			       b->name, s);
	else
		settings_push_str(c, &b->settings.controllers, &b->settings.n_controllers, s);
}

static void settings_controller(struct ctx *c, const yaml_node_t *key, const yaml_node_t *val,
			  struct lab_bridge *b)
{
	yaml_node_item_t *it, *end;

	/* One target may be written without a list. */
	if (val->type == YAML_SCALAR_NODE && !labfile_items(val, &it, &end)) {
		settings_controller_one(c, key, val, b);
		return;
	}
	if (!settings_list(c, key, val, &it, &end))
		return;
	for (; it < end; it++)
		settings_controller_one(c, key, labfile_node(c, *it), b);
}

/* stp and rstp exclude each other in Open vSwitch; the second one said is
 * the one reported. */
static void settings_stp(struct ctx *c, const yaml_node_t *key, const yaml_node_t *val,
		   struct lab_bridge *b)
{
	bool rstp = !strcmp((const char *)key->data.scalar.value, "rstp");
	bool *on = rstp ? &b->settings.rstp : &b->settings.stp;

	labfile_bool(c, key, val, on);
	if (*on && b->settings.stp && b->settings.rstp) {
		labfile_report(c, labfile_pos(val),
			       "bridge %s: stp and rstp exclude each other; enable one of them",
			       b->name);
		*on = false;
	}
}

/* A string to string mapping passed through to the switch. */
static void settings_map(struct ctx *c, const yaml_node_t *key, const yaml_node_t *val,
		   struct lab_bridge *b, struct lab_kv **kv, size_t *n)
{
	const char *what = (const char *)key->data.scalar.value;
	const yaml_node_pair_t *start, *end, *p;

	if (!labfile_pairs(val, &start, &end)) {
		labfile_report(c, labfile_pos(val), "\"%s\" must be a mapping of keys to values, not %s",
			       what, labfile_kind(val));
		return;
	}
	*kv = calloc((size_t)(end - start) + 1, sizeof(**kv));
	if (!*kv) {
		labfile_nomem(c);
		return;
	}
	for (p = start; p < end; p++) {
		const yaml_node_t *k = labfile_node(c, p->key);
		const char *name = labfile_pair_key(c, start, p, "key");
		const char *v;

		if (!name)
			continue;
		/* The lab's mark is how down finds the lab's rows. */
		if (!strcmp(what, "external_ids") && !strcmp(name, LAB_MARK_KEY)) {
			labfile_report(c, labfile_pos(k),
				       "bridge %s: external_ids key \"" LAB_MARK_KEY "\" is ovslab's own (it marks the lab's rows)",
				       b->name);
			continue;
		}
		if (!*name) {
			labfile_report(c, labfile_pos(k), "bridge %s: %s keys must not be empty",
				       b->name, what);
			continue;
		}
		v = labfile_scalar(c, k, labfile_node(c, p->value));
		if (!v)
			continue;
		(*kv)[*n].key = labfile_strdup(c, name);
		(*kv)[*n].value = labfile_strdup(c, v);
		(*n)++;
	}
}

static void settings_mirrors(struct ctx *c, const yaml_node_t *val, const char *bridge);

void labfile_settings_bridge(struct ctx *c, const yaml_node_t *key, const yaml_node_t *val,
		       struct lab_bridge *b)
{
	const char *k = (const char *)key->data.scalar.value;

	if (!strcmp(k, "datapath"))
		settings_datapath(c, key, val, b);
	else if (!strcmp(k, "fail_mode"))
		settings_fail_mode(c, key, val, b);
	else if (!strcmp(k, "protocols"))
		settings_protocols_key(c, key, val, b);
	else if (!strcmp(k, "controller"))
		settings_controller(c, key, val, b);
	else if (!strcmp(k, "mcast_snooping"))
		labfile_bool(c, key, val, &b->settings.mcast_snooping);
	else if (!strcmp(k, "stp") || !strcmp(k, "rstp"))
		settings_stp(c, key, val, b);
	else if (!strcmp(k, "other_config"))
		settings_map(c, key, val, b, &b->settings.other_config, &b->settings.n_other_config);
	else if (!strcmp(k, "external_ids"))
		settings_map(c, key, val, b, &b->settings.external_ids, &b->settings.n_external_ids);
	else if (!strcmp(k, "mirrors") && b->name)
		settings_mirrors(c, val, b->name);
}

/* ---- bridge ports ------------------------------------------------------ */

static bool settings_vlan_once(struct ctx *c, const yaml_node_t *key, struct lab_iface *ifc)
{
	if (ifc->settings.vlan_pos.line) {
		labfile_report(c, labfile_pos(key),
			       "give \"vlan\" (an access port) or \"trunks\" (a trunk port), not both");
		return false;
	}
	ifc->settings.vlan_pos = labfile_pos(key);
	return true;
}

static void settings_trunks(struct ctx *c, const yaml_node_t *key, const yaml_node_t *val,
		      struct lab_iface *ifc)
{
	yaml_node_item_t *it, *end;
	unsigned int v;

	if (!settings_list(c, key, val, &it, &end))
		return;
	if (it == end) {
		labfile_report(c, labfile_pos(val), "\"trunks\" must list at least one VLAN");
		return;
	}
	ifc->settings.trunks = calloc((size_t)(end - it), sizeof(*ifc->settings.trunks));
	if (!ifc->settings.trunks) {
		labfile_nomem(c);
		return;
	}
	for (; it < end; it++) {
		const yaml_node_t *item = labfile_node(c, *it);
		const char *s = labfile_scalar(c, key, item);
		bool dup = false;

		if (!s || !settings_number(c, item, "vlan", s, 1, VLAN_MAX, &v))
			continue;
		for (size_t i = 0; i < ifc->settings.n_trunks; i++)
			dup |= ifc->settings.trunks[i] == v;
		if (dup)
			labfile_report(c, labfile_pos(item), "vlan %u is listed twice in \"trunks\"", v);
		else
			ifc->settings.trunks[ifc->settings.n_trunks++] = v;
	}
}

void labfile_settings_iface(struct ctx *c, const yaml_node_t *key, const yaml_node_t *val,
		      struct lab_iface *ifc)
{
	const char *k = (const char *)key->data.scalar.value;
	const char *s;

	if (!strcmp(k, "trunks")) {
		if (settings_vlan_once(c, key, ifc))
			settings_trunks(c, key, val, ifc);
		return;
	}
	s = labfile_scalar(c, key, val);
	if (!strcmp(k, "ofport")) {
		ifc->settings.ofport_pos = labfile_pos(val);
		if (s)
			settings_number(c, val, "ofport", s, 1, OFPORT_MAX, &ifc->settings.ofport);
	} else if (settings_vlan_once(c, key, ifc) && s) {
		settings_number(c, val, "vlan", s, 1, VLAN_MAX, &ifc->settings.vlan);
	}
}

/* ---- patches ----------------------------------------------------------- */

static void settings_patch(struct ctx *c, const yaml_node_t *item)
{
	struct lab *lab = labfile_lab(c);
	struct lab_patch *p = &lab->patches[lab->n_patches];
	const yaml_node_t *end[2];

	if (item->type != YAML_SEQUENCE_NODE ||
	    item->data.sequence.items.top - item->data.sequence.items.start != 2) {
		labfile_report(c, labfile_pos(item),
			       "a patch must be a list of two bridges like [br1, br2]");
		return;
	}
	for (int e = 0; e < 2; e++) {
		end[e] = labfile_node(c, item->data.sequence.items.start[e]);
		if (end[e]->type != YAML_SCALAR_NODE) {
			labfile_report(c, labfile_pos(end[e]),
				       "a patch end must be a bridge name, not %s",
				       labfile_kind(end[e]));
			return;
		}
	}
	for (int e = 0; e < 2; e++) {
		const char *s = (const char *)end[e]->data.scalar.value;

		if (!labfile_name(c, end[e], "bridge name", s))
			return;
	}
	for (int e = 0; e < 2; e++) {
		char port[LAB_NAME_MAX + 1];

		lab_patch_port_name((const char *)end[e]->data.scalar.value,
				    (const char *)end[!e]->data.scalar.value, port);
		p->bridge[e] = labfile_strdup(c, (const char *)end[e]->data.scalar.value);
		p->port[e] = labfile_strdup(c, port);
		p->end[e] = labfile_pos(end[e]);
	}
	p->pos = labfile_pos(item);
	lab->n_patches++;
}

/* ---- mirrors ----------------------------------------------------------- */

static bool settings_ref(struct ctx *c, const yaml_node_t *key, const yaml_node_t *at,
		   struct lab_mirror_ref *r)
{
	const char *s = labfile_scalar(c, key, at), *colon;

	if (!s)
		return false;
	colon = strchr(s, ':');
	r->pos = labfile_pos(at);
	if (colon && (colon == s || !colon[1])) {
		labfile_report(c, r->pos, "\"%s\" is not HOST or HOST:IFNAME (like ns03 or ns03:eth0)",
			       s);
		return false;
	}
	r->host = colon ? strndup(s, (size_t)(colon - s)) : labfile_strdup(c, s);
	r->ifname = colon ? labfile_strdup(c, colon + 1) : NULL;
	if (!r->host || (colon && !r->ifname)) {
		labfile_nomem(c);
		return false;
	}
	return true;
}

static void settings_mirror_select(struct ctx *c, const yaml_node_t *key, const yaml_node_t *val,
			     struct lab_mirror *m)
{
	yaml_node_item_t *it, *end;

	if (!settings_list(c, key, val, &it, &end))
		return;
	m->select = calloc((size_t)(end - it) + 1, sizeof(*m->select));
	if (!m->select) {
		labfile_nomem(c);
		return;
	}
	for (; it < end; it++)
		if (settings_ref(c, key, labfile_node(c, *it), &m->select[m->n_select]))
			m->n_select++;
}

static void settings_mirror(struct ctx *c, const yaml_node_t *item, const char *bridge)
{
	struct lab *lab = labfile_lab(c);
	struct lab_mirror *m = &lab->mirrors[lab->n_mirrors++];
	const yaml_node_pair_t *start, *end, *p;
	bool to_seen = false, bridge_seen = bridge != NULL;

	m->pos = m->bridge_pos = labfile_pos(item);
	m->bridge = bridge ? labfile_strdup(c, bridge) : NULL;
	if (item->type != YAML_MAPPING_NODE) {
		labfile_report(c, m->pos,
			       "a mirror must be a mapping (expected name, %sselect, to), not %s",
			       bridge ? "" : "bridge, ", labfile_kind(item));
		return;
	}
	labfile_pairs(item, &start, &end);
	for (p = start; p < end; p++) {
		const yaml_node_t *k = labfile_node(c, p->key), *v = labfile_node(c, p->value);
		const char *name = labfile_pair_key(c, start, p, "key"), *s;

		if (!name)
			continue;
		if (!strcmp(name, "name")) {
			s = labfile_scalar(c, k, v);
			if (s && labfile_name(c, v, "mirror name", s))
				m->name = labfile_strdup(c, s);
		} else if (!strcmp(name, "bridge") && !bridge) {
			s = labfile_scalar(c, k, v);
			bridge_seen = true;
			m->bridge_pos = labfile_pos(v);
			if (s && labfile_name(c, v, "bridge name", s))
				m->bridge = labfile_strdup(c, s);
		} else if (!strcmp(name, "select")) {
			settings_mirror_select(c, k, v, m);
		} else if (!strcmp(name, "to")) {
			to_seen = true;
			settings_ref(c, k, v, &m->to);
		} else {
			labfile_report(c, labfile_pos(k), "unknown key \"%s\" (expected name, %sselect, to)",
				       name, bridge ? "" : "bridge, ");
		}
	}
	if (!m->name)
		labfile_report(c, m->pos, "a mirror needs a \"name\"");
	if (!bridge_seen)
		labfile_report(c, m->pos, "mirror %s needs a \"bridge\"", m->name ? m->name : "");
	if (!to_seen)
		labfile_report(c, m->pos, "mirror %s needs \"to\" (the host interface that gets the copies)",
			       m->name ? m->name : "");
}

static void settings_mirrors(struct ctx *c, const yaml_node_t *val, const char *bridge)
{
	struct lab *lab = labfile_lab(c);
	struct lab_mirror *nm;
	yaml_node_item_t *it, *end;

	if (!labfile_items(val, &it, &end)) {
		labfile_report(c, labfile_pos(val), "\"mirrors\" must be a list of mirrors, not %s",
			       labfile_kind(val));
		return;
	}
	/* Per-bridge lists and the top-level one share lab->mirrors. */
	nm = realloc(lab->mirrors, (lab->n_mirrors + (size_t)(end - it) + 1) * sizeof(*nm));
	if (!nm) {
		labfile_nomem(c);
		return;
	}
	lab->mirrors = nm;
	memset(&nm[lab->n_mirrors], 0, ((size_t)(end - it) + 1) * sizeof(*nm));
	for (; it < end; it++)
		settings_mirror(c, labfile_node(c, *it), bridge);
}

void labfile_settings_top(struct ctx *c, const yaml_node_t *key, const yaml_node_t *val)
{
	struct lab *lab = labfile_lab(c);
	yaml_node_item_t *it, *end;

	if (!strcmp((const char *)key->data.scalar.value, "mirrors")) {
		settings_mirrors(c, val, NULL);
		return;
	}
	if (!labfile_items(val, &it, &end)) {
		labfile_report(c, labfile_pos(val),
			       "\"patches\" must be a list of bridge pairs like [br1, br2]");
		return;
	}
	lab->patches = calloc((size_t)(end - it) + 1, sizeof(*lab->patches));
	if (!lab->patches) {
		labfile_nomem(c);
		return;
	}
	for (; it < end; it++)
		settings_patch(c, labfile_node(c, *it));
}

/* ---- validation across entities ---------------------------------------- */

static void settings_validate_ports(struct ctx *c)
{
	const struct lab *lab = labfile_lab(c);

	for (size_t i = 0; i < lab->n_hosts; i++) {
		const struct lab_host *h = &lab->hosts[i];

		for (size_t f = 0; f < h->n_ifaces; f++) {
			const struct lab_iface *ifc = &h->ifaces[f];
			const struct lab_port_settings *settings = &ifc->settings;

			if (ifc->attach != LAB_ATTACH_BRIDGE) {
				if (settings->ofport_pos.line || settings->vlan_pos.line)
					labfile_report(c, settings->ofport_pos.line ? settings->ofport_pos : settings->vlan_pos,
						       "host %s: interface %s is not on a bridge; ofport, vlan and trunks belong to bridge ports",
						       h->name, ifc->ifname);
				continue;
			}
			if (!settings->ofport)
				continue;
			/* One number per port of a bridge: the later one is reported. */
			for (size_t j = 0; j <= i; j++) {
				const struct lab_host *o = &lab->hosts[j];
				bool clash = false;

				for (size_t g = 0; g < o->n_ifaces && (j < i || g < f); g++)
					clash |= o->ifaces[g].attach == LAB_ATTACH_BRIDGE &&
						 o->ifaces[g].settings.ofport == settings->ofport &&
						 ifc->bridge && o->ifaces[g].bridge &&
						 !strcmp(o->ifaces[g].bridge, ifc->bridge);
				if (clash) {
					labfile_report(c, settings->ofport_pos,
						       "host %s: ofport %u is already requested by host %s on bridge %s",
						       h->name, settings->ofport, o->name, ifc->bridge);
					break;
				}
			}
		}
	}
}

/* Who else in the lab has a switch port of this name, or NULL. */
static const char *settings_port_user(const struct lab *lab, const char *port, size_t patch,
				int end)
{
	if (lab_find_bridge(lab, port))
		return "a bridge";
	for (size_t i = 0; i < lab->n_hosts; i++)
		for (size_t f = 0; f < lab->hosts[i].n_ifaces; f++)
			if (lab->hosts[i].ifaces[f].port &&
			    !strcmp(lab->hosts[i].ifaces[f].port, port))
				return lab->hosts[i].name;
	for (size_t i = 0; i <= patch; i++)
		for (int e = 0; e < 2 && (i < patch || e < end); e++)
			if (!strcmp(lab->patches[i].port[e], port))
				return "another patch";
	return NULL;
}

static bool settings_same_pair(const struct lab_patch *a, const struct lab_patch *b)
{
	return (!strcmp(a->bridge[0], b->bridge[0]) && !strcmp(a->bridge[1], b->bridge[1])) ||
	       (!strcmp(a->bridge[0], b->bridge[1]) && !strcmp(a->bridge[1], b->bridge[0]));
}

static void settings_validate_patches(struct ctx *c)
{
	const struct lab *lab = labfile_lab(c);

	for (size_t i = 0; i < lab->n_patches; i++) {
		const struct lab_patch *p = &lab->patches[i];
		bool ok = true;

		for (int e = 0; e < 2; e++)
			if (!lab_find_bridge(lab, p->bridge[e])) {
				labfile_report(c, p->end[e], "patch: unknown bridge \"%s\"", p->bridge[e]);
				ok = false;
			}
		if (ok && !strcmp(p->bridge[0], p->bridge[1])) {
			labfile_report(c, p->pos, "a patch must join two different bridges, not %s to itself",
				       p->bridge[0]);
			continue;
		}
		for (size_t j = 0; ok && j < i; j++)
			if (settings_same_pair(&lab->patches[j], p)) {
				labfile_report(c, p->pos, "bridges %s and %s are already patched together",
					       p->bridge[0], p->bridge[1]);
				ok = false;
			}
		for (int e = 0; ok && e < 2; e++) {
			const char *user = settings_port_user(lab, p->port[e], i, e);

			if (user)
				labfile_report(c, p->end[e],
					       "patch %s-%s: its port name \"%s\" is already used by %s (patch ports are named BRIDGE-PEER, shortened to 15 bytes: shorter bridge names avoid this)",
					       p->bridge[0], p->bridge[1], p->port[e], user);
		}
	}
}

/* A mirror reference must name bridge ports of the mirror's bridge. */
static bool settings_validate_ref(struct ctx *c, const struct lab_mirror *m, const struct lab_mirror_ref *r)
{
	const struct lab *lab = labfile_lab(c);
	const struct lab_host *h = lab_find_host(lab, r->host);

	if (!h) {
		labfile_report(c, r->pos, "mirror %s: unknown host \"%s\"", m->name, r->host);
		return false;
	}
	if (r->ifname && !lab_find_iface(h, r->ifname)) {
		labfile_report(c, r->pos, "mirror %s: host %s has no interface %s", m->name, r->host,
			       r->ifname);
		return false;
	}
	if (!lab_mirror_ports(lab, m->bridge, r, false, NULL, NULL)) {
		labfile_report(c, r->pos, "mirror %s: %s%s%s is not on bridge %s", m->name, r->host,
			       r->ifname ? ":" : "", r->ifname ? r->ifname : "", m->bridge);
		return false;
	}
	return true;
}

struct settings_port_find {
	const char *port;
	bool found;
};

static void settings_port_find_cb(const char *port, void *arg)
{
	struct settings_port_find *f = arg;

	f->found |= !strcmp(f->port, port);
}

static void settings_to_port_cb(const char *port, void *arg)
{
	*(const char **)arg = port;
}

static void settings_validate_mirror(struct ctx *c, size_t i)
{
	const struct lab *lab = labfile_lab(c);
	const struct lab_mirror *m = &lab->mirrors[i];
	struct settings_port_find f = { NULL, false };

	if (!m->name)
		return;
	for (size_t j = 0; j < i; j++)
		if (lab->mirrors[j].name && !strcmp(lab->mirrors[j].name, m->name)) {
			labfile_report(c, m->pos, "mirror name \"%s\" is already used", m->name);
			return;
		}
	if (!m->bridge || !m->to.host)
		return;
	if (!lab_find_bridge(lab, m->bridge)) {
		labfile_report(c, m->bridge_pos, "mirror %s: unknown bridge \"%s\"", m->name,
			       m->bridge);
		return;
	}
	if (!settings_validate_ref(c, m, &m->to))
		return;
	lab_mirror_ports(lab, m->bridge, &m->to, true, settings_to_port_cb, &f.port);
	for (size_t k = 0; k < m->n_select; k++) {
		if (!settings_validate_ref(c, m, &m->select[k]))
			continue;
		/* The output port only sends copies; it forwards nothing else. */
		lab_mirror_ports(lab, m->bridge, &m->select[k], false, settings_port_find_cb, &f);
		if (f.found)
			labfile_report(c, m->select[k].pos,
				       "mirror %s: port %s is the mirror's output and cannot be selected too",
				       m->name, f.port);
		f.found = false;
	}
}

void labfile_settings_validate(struct ctx *c)
{
	const struct lab *lab = labfile_lab(c);

	settings_validate_ports(c);
	settings_validate_patches(c);
	for (size_t i = 0; i < lab->n_mirrors; i++)
		settings_validate_mirror(c, i);
}
