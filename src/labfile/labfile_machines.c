/* The lab file's simulated machines: the top-level machines: and underlay:
 * keys, a host's machine:, a bridge's tunnel: and key:, and what a lab with
 * machines may not have yet. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "labfile/labfile_int.h"

#define MACHINES_MTU_MIN 1280
#define MACHINES_MTU_MAX 9000
#define MACHINES_VNI_MAX 16777215u /* 24 bits */

static bool machines_uint(struct ctx *c, const yaml_node_t *key, const yaml_node_t *val,
			  unsigned long min, unsigned long max, unsigned long *out)
{
	const char *s = labfile_scalar(c, key, val);
	char *end;
	unsigned long v;

	if (!s)
		return false;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (!*s || *end || errno || v < min || v > max || s[0] == '-') {
		labfile_report(c, labfile_pos(val), "%s %s is not a whole number from %lu to %lu",
			       labfile_text(key), s, min, max);
		return false;
	}
	*out = v;
	return true;
}

static void underlay_subnet(struct ctx *c, const yaml_node_t *key, const yaml_node_t *val,
			    void *obj)
{
	struct lab_underlay *u = obj;
	const char *s = labfile_scalar(c, key, val);
	struct lab_addr a;

	if (!s)
		return;
	if (lab_addr_parse(s, &a) < 0 || a.family != AF_INET || a.prefix > 30 || a.prefix < 8) {
		labfile_report(c, labfile_pos(val), "underlay subnet %s is not an IPv4 subnet "
			       "like 10.200.0.0/24 (prefix length 8 to 30)", s);
		return;
	}
	u->subnet = lab_addr_network(&a);
}

static void underlay_mtu(struct ctx *c, const yaml_node_t *key, const yaml_node_t *val,
			 void *obj)
{
	struct lab_underlay *u = obj;
	unsigned long v;

	if (machines_uint(c, key, val, MACHINES_MTU_MIN, MACHINES_MTU_MAX, &v))
		u->mtu = (unsigned int)v;
}

static const struct setting underlay_settings[] = {
	{ "subnet", underlay_subnet },
	{ "mtu", underlay_mtu },
};

static void machine_underlay(struct ctx *c, const yaml_node_t *key, const yaml_node_t *val,
			     void *obj)
{
	struct lab_machine *m = obj;
	const char *s = labfile_scalar(c, key, val);

	if (!s)
		return;
	if (inet_pton(AF_INET, s, &m->underlay.v4) != 1) {
		labfile_report(c, labfile_pos(val), "machine %s: underlay address %s is not an "
			       "IPv4 address like 10.200.0.12", m->name, s);
		return;
	}
	m->underlay.family = AF_INET;
	m->underlay_pos = labfile_pos(val);
}

/* Used only by `up --machine` on a real computer; a simulation has its own
 * underlay cable in each machine. */
static void machine_interface(struct ctx *c, const yaml_node_t *key, const yaml_node_t *val,
			      void *obj)
{
	struct lab_machine *m = obj;
	const char *s = labfile_scalar(c, key, val);

	if (!s || !labfile_name(c, val, "interface name", s))
		return;
	m->interface_pos = labfile_pos(val);
	free(m->interface);
	m->interface = labfile_strdup(c, s);
}

/* flows: {BRIDGE: [FLOW, ...]}: on this machine, after the bridge's own. */
static void machine_flows(struct ctx *c, const yaml_node_t *key, const yaml_node_t *val,
			  void *obj)
{
	struct lab_machine *m = obj;
	const yaml_node_pair_t *start, *end;

	if (!labfile_pairs(val, &start, &end)) {
		labfile_report(c, labfile_pos(val), "machine %s: \"flows\" must be a mapping of "
			       "bridge names to lists of flows, like {int_br: [\"priority=10,"
			       "actions=NORMAL\"]}, not %s", m->name, labfile_kind(val));
		return;
	}
	m->flows = calloc((size_t)(end - start) + 1, sizeof(*m->flows));
	if (!m->flows) {
		labfile_nomem(c);
		return;
	}
	for (const yaml_node_pair_t *p = start; p < end && !labfile_oom(c); p++) {
		const char *name = labfile_pair_key(c, start, p, "bridge");
		const yaml_node_t *k = labfile_node(c, p->key);
		struct lab_machine_flows *mf = &m->flows[m->n_flows];

		if (!name)
			continue;
		mf->bridge = labfile_strdup(c, name);
		mf->pos = labfile_pos(k);
		if (!mf->bridge)
			return;
		m->n_flows++;
		labfile_flows_list(c, k, labfile_node(c, p->value), &mf->flows, &mf->n_flows);
	}
	(void)key;
}

static const struct setting machine_settings[] = {
	{ "underlay", machine_underlay },
	{ "interface", machine_interface },
	{ "flows", machine_flows },
};

static void machines_list(struct ctx *c, const yaml_node_t *val)
{
	struct lab *lab = labfile_lab(c);
	const yaml_node_pair_t *start, *end;

	if (!labfile_pairs(val, &start, &end) || start == end) {
		labfile_report(c, labfile_pos(val), "\"machines\" must be a mapping of machine "
			       "names, like {hv1: {}, hv2: {}}");
		return;
	}
	lab->machines = calloc((size_t)(end - start), sizeof(*lab->machines));
	if (!lab->machines) {
		labfile_nomem(c);
		return;
	}
	for (const yaml_node_pair_t *p = start; p < end && !labfile_oom(c); p++) {
		const char *name = labfile_pair_key(c, start, p, "machine");
		const yaml_node_t *k = labfile_node(c, p->key), *v = labfile_node(c, p->value);
		struct lab_machine *m = &lab->machines[lab->n_machines];
		const yaml_node_pair_t *bs, *be;

		if (!name || !labfile_name(c, k, "machine name", name))
			continue;
		m->name = labfile_strdup(c, name);
		m->pos = labfile_pos(k);
		if (!m->name)
			return;
		lab->n_machines++;
		if (labfile_pairs(v, &bs, &be))
			labfile_walk(c, bs, be, machine_settings, ARRAY_SIZE(machine_settings), m);
		else
			labfile_report(c, labfile_pos(v), "machine %s must be a mapping of settings "
				       "(expected \"underlay\", \"interface\", \"flows\"), not %s", name,
				       labfile_kind(v));
	}
}

void labfile_machines_top(struct ctx *c, const yaml_node_t *key, const yaml_node_t *val)
{
	struct lab *lab = labfile_lab(c);
	const yaml_node_pair_t *start, *end;

	if (!strcmp(labfile_text(key), "machines")) {
		machines_list(c, val);
		return;
	}
	lab->underlay.pos = labfile_pos(key);
	if (labfile_pairs(val, &start, &end))
		labfile_walk(c, start, end, underlay_settings, ARRAY_SIZE(underlay_settings),
			     &lab->underlay);
	else
		labfile_report(c, labfile_pos(val), "\"underlay\" must be a mapping of settings "
			       "(expected \"subnet\", \"mtu\"), not %s", labfile_kind(val));
}

void labfile_machines_host(struct ctx *c, const yaml_node_t *key, const yaml_node_t *val,
			   struct lab_host *h)
{
	const char *s = labfile_scalar(c, key, val);

	if (!s)
		return;
	h->machine_pos = labfile_pos(val);
	h->machine = labfile_strdup(c, s);
}

static void tunnel_type(struct ctx *c, const yaml_node_t *key, const yaml_node_t *val, void *obj)
{
	struct lab_bridge *b = obj;
	const char *s = labfile_scalar(c, key, val);

	if (!s)
		return;
	if (!strcmp(s, "geneve"))
		b->tunnel = LAB_TUNNEL_GENEVE;
	else if (!strcmp(s, "vxlan"))
		b->tunnel = LAB_TUNNEL_VXLAN;
	else if (!strcmp(s, "gre"))
		b->tunnel = LAB_TUNNEL_GRE;
	else
		labfile_report(c, labfile_pos(val), "bridge %s: unknown tunnel type \"%s\" "
			       "(expected geneve, vxlan or gre)", b->name, s);
}

/* A number (its range depends on the type: checked once the type is
 * known), or "flow": the flows set it. */
static void tunnel_key(struct ctx *c, const yaml_node_t *key, const yaml_node_t *val, void *obj)
{
	struct lab_bridge *b = obj;
	unsigned long v;

	if (b->key_pos.line) {
		labfile_report(c, labfile_pos(key), "bridge %s: key given twice (first at %d:%d)",
			       b->name, b->key_pos.line, b->key_pos.col);
		return;
	}
	b->key_pos = labfile_pos(key);
	if (val->type == YAML_SCALAR_NODE && labfile_plain(val) && !strcmp(labfile_text(val), "flow"))
		b->key_flow = true;
	else if (machines_uint(c, key, val, 0, 4294967295ul, &v))
		b->key = (uint32_t)v;
}

static void tunnel_bfd(struct ctx *c, const yaml_node_t *key, const yaml_node_t *val, void *obj)
{
	labfile_bool(c, key, val, &((struct lab_bridge *)obj)->bfd);
}

/* [[hv1, hv2], [hv2, hv3]]: each item a list of two machine names, checked
 * against the machines once every host is read. */
static void tunnel_pairs(struct ctx *c, const yaml_node_t *key, const yaml_node_t *val,
			 void *obj)
{
	struct lab_bridge *b = obj;
	yaml_node_item_t *it, *end, *pit, *pend;

	(void)key;
	if (!labfile_items(val, &it, &end) || it == end) {
		labfile_report(c, labfile_pos(val), "bridge %s: \"pairs\" must be a list of "
			       "machine pairs, like [[hv1, hv2], [hv2, hv3]]", b->name);
		return;
	}
	b->pairs = calloc((size_t)(end - it), sizeof(*b->pairs));
	if (!b->pairs) {
		labfile_nomem(c);
		return;
	}
	for (; it < end && !labfile_oom(c); it++) {
		const yaml_node_t *p = labfile_node(c, *it), *m[2];
		struct lab_tunnel_pair *tp = &b->pairs[b->n_pairs];

		if (!labfile_items(p, &pit, &pend) || pend - pit != 2 ||
		    (m[0] = labfile_node(c, pit[0]))->type != YAML_SCALAR_NODE ||
		    (m[1] = labfile_node(c, pit[1]))->type != YAML_SCALAR_NODE ||
		    !labfile_plain(m[0]) || !labfile_plain(m[1])) {
			labfile_report(c, labfile_pos(p), "bridge %s: a tunnel pair is a list of "
				       "two machine names, like [hv1, hv2]", b->name);
			continue;
		}
		tp->pos = labfile_pos(p);
		tp->a_pos = labfile_pos(m[0]);
		tp->b_pos = labfile_pos(m[1]);
		tp->a = labfile_strdup(c, labfile_text(m[0]));
		tp->b = labfile_strdup(c, labfile_text(m[1]));
		b->n_pairs++;
	}
}

static const struct setting tunnel_settings[] = {
	{ "type", tunnel_type },
	{ "key", tunnel_key },
	{ "pairs", tunnel_pairs },
	{ "bfd", tunnel_bfd },
};

void labfile_machines_bridge(struct ctx *c, const yaml_node_t *key, const yaml_node_t *val,
			     struct lab_bridge *b)
{
	const yaml_node_pair_t *start, *end;

	if (!strcmp(labfile_text(key), "gateway_on")) {
		const char *s = labfile_scalar(c, key, val);

		if (!s)
			return;
		b->gateway_on_pos = labfile_pos(val);
		b->gateway_on = labfile_strdup(c, s);
		return;
	}
	if (!strcmp(labfile_text(key), "key")) {
		tunnel_key(c, key, val, b);
		return;
	}
	b->tunnel_pos = labfile_pos(key);
	if (val->type == YAML_MAPPING_NODE && labfile_pairs(val, &start, &end))
		labfile_walk(c, start, end, tunnel_settings, ARRAY_SIZE(tunnel_settings), b);
	else
		tunnel_type(c, key, val, b);
}

/* ---- validation -------------------------------------------------------- */

static uint32_t machines_ip(const struct lab_addr *a)
{
	return ntohl(a->v4.s_addr);
}

static bool machines_ip_taken(const struct lab *lab, uint32_t ip, size_t upto)
{
	for (size_t i = 0; i < lab->n_machines; i++)
		if (i != upto && lab->machines[i].underlay.family &&
		    machines_ip(&lab->machines[i].underlay) == ip)
			return true;
	return false;
}

/* Explicit addresses first; then .1, .2, ... in declaration order, past the
 * ones taken. */
static void machines_addresses(struct ctx *c)
{
	struct lab *lab = labfile_lab(c);
	const struct lab_addr *net = &lab->underlay.subnet;
	uint32_t base = machines_ip(net);
	uint32_t size = net->prefix ? 1u << (32 - net->prefix) : 0;
	uint32_t next = 1;
	char sub[64];

	lab_addr_str(net, sub, sizeof(sub));
	for (size_t i = 0; i < lab->n_machines; i++) {
		struct lab_machine *m = &lab->machines[i];
		uint32_t ip = machines_ip(&m->underlay), off = ip - base;

		if (!m->underlay.family)
			continue;
		m->underlay.prefix = net->prefix;
		if (!lab_addr_in_subnet(net, &m->underlay))
			labfile_report(c, m->underlay_pos, "machine %s: underlay address %s is outside "
				       "the underlay subnet %s", m->name,
				       inet_ntoa(m->underlay.v4), sub);
		else if (off == 0 || off == size - 1)
			labfile_report(c, m->underlay_pos, "machine %s: underlay address %s is the "
				       "subnet's %s address", m->name, inet_ntoa(m->underlay.v4),
				       off ? "broadcast" : "network");
		else if (machines_ip_taken(lab, ip, i) && i > 0) {
			for (size_t j = 0; j < i; j++)
				if (lab->machines[j].underlay.family &&
				    machines_ip(&lab->machines[j].underlay) == ip) {
					labfile_report(c, m->underlay_pos, "machine %s: underlay "
						       "address %s is machine %s's too", m->name,
						       inet_ntoa(m->underlay.v4),
						       lab->machines[j].name);
					break;
				}
		}
	}
	for (size_t i = 0; i < lab->n_machines; i++) {
		struct lab_machine *m = &lab->machines[i];

		if (m->underlay.family)
			continue;
		while (next < size - 1 && machines_ip_taken(lab, base + next, SIZE_MAX))
			next++;
		if (next >= size - 1) {
			labfile_report(c, m->pos, "machine %s: the underlay subnet %s has no "
				       "address left for it", m->name, sub);
			continue;
		}
		m->underlay.family = AF_INET;
		m->underlay.prefix = net->prefix;
		m->underlay.v4.s_addr = htonl(base + next++);
	}
}

/* A bridge's gateway sits on one machine (the network node, its
 * `gateway_on:`); what still cannot work with machines is refused with its
 * position rather than built half-way. */
static void machines_bridges(struct ctx *c)
{
	const struct lab *lab = labfile_lab(c);

	for (size_t i = 0; i < lab->n_bridges; i++) {
		const struct lab_bridge *b = &lab->bridges[i];
		bool gw = b->gateway.family || b->gateway6.family;

		if (gw && !b->gateway_on)
			labfile_report(c, b->pos, "bridge %s: with machines a gateway sits on one "
				       "machine: add \"gateway_on: MACHINE\"", b->name);
		if (b->gateway_on && b->gateway6.family)
			labfile_report(c, b->pos, "bridge %s: an IPv6 gateway is not supported with "
				       "machines yet", b->name);
		if (b->gateway_on && !gw)
			labfile_report(c, b->gateway_on_pos, "bridge %s: \"gateway_on\" without a "
				       "gateway", b->name);
		if (b->gateway_on && !lab_find_machine(lab, b->gateway_on))
			labfile_report(c, b->gateway_on_pos, "bridge %s: gateway_on: machine %s is "
				       "not declared under \"machines\"", b->name, b->gateway_on);
		if (b->settings.datapath && strcmp(b->settings.datapath, "netdev"))
			labfile_report(c, b->pos, "bridge %s: datapath %s is not supported with "
				       "machines (machines' switches are userspace: netdev)", b->name,
				       b->settings.datapath);
		if (!strcmp(b->name, "br-phy"))
			labfile_report(c, b->pos, "bridge name \"br-phy\" is reserved with machines "
				       "(each machine's underlay bridge)");
	}
}

static const char *machines_host_machine(const struct lab *lab, const char *host)
{
	const struct lab_host *h = host ? lab_find_host(lab, host) : NULL;

	return h ? h->machine : NULL;
}

/* Patches join two bridges of one switch: a machine that has both; a
 * mirror's hosts all sit on one machine, whose switch mirrors them. */
static void machines_patches_mirrors(struct ctx *c)
{
	const struct lab *lab = labfile_lab(c);

	for (size_t i = 0; i < lab->n_patches; i++) {
		const struct lab_patch *p = &lab->patches[i];
		bool somewhere = false;

		for (size_t m = 0; m < lab->n_machines; m++)
			somewhere |= lab_machine_has_bridge(lab, &lab->machines[m], p->bridge[0]) &&
				     lab_machine_has_bridge(lab, &lab->machines[m], p->bridge[1]);
		if (!somewhere)
			labfile_report(c, p->pos, "patch %s - %s: no machine has both bridges (a "
				       "patch joins two bridges of one machine's switch)",
				       p->bridge[0], p->bridge[1]);
	}
	for (size_t i = 0; i < lab->n_mirrors; i++) {
		const struct lab_mirror *mi = &lab->mirrors[i];
		const char *on = machines_host_machine(lab, mi->to.host);
		bool one = on != NULL;

		for (size_t k = 0; one && k < mi->n_select; k++) {
			const char *m = machines_host_machine(lab, mi->select[k].host);

			one = m && !strcmp(m, on);
		}
		if (!one)
			labfile_report(c, mi->pos, "mirror %s: with machines the hosts a mirror "
				       "names (select and to) must all sit on one machine", mi->name);
	}
}

static void machines_flows(struct ctx *c)
{
	const struct lab *lab = labfile_lab(c);

	for (size_t i = 0; i < lab->n_machines; i++) {
		const struct lab_machine *m = &lab->machines[i];

		for (size_t f = 0; f < m->n_flows; f++) {
			const struct lab_machine_flows *mf = &m->flows[f];
			const struct lab_bridge *b = lab_find_bridge(lab, mf->bridge);

			if (!b || !lab_machine_has_bridge(lab, m, mf->bridge)) {
				labfile_report(c, mf->pos, "machine %s: flows for bridge %s, which %s",
					       m->name, mf->bridge, b ? "the machine does not have "
					       "(no host of it is on the bridge)" : "is not declared");
				continue;
			}
			labfile_flows_validate_more(c, b, mf->flows, mf->n_flows);
		}
	}
}

static void machines_host(struct ctx *c, const struct lab_host *h, const char *ul)
{
	const struct lab *lab = labfile_lab(c);

	if (!h->machine)
		labfile_report(c, h->pos, "host %s names no machine (in a lab with machines every "
			       "host sits on one: add \"machine: NAME\")", h->name);
	else if (!lab_find_machine(lab, h->machine))
		labfile_report(c, h->machine_pos, "host %s: machine %s is not declared under "
			       "\"machines\"", h->name, h->machine);
	if (!strcmp(h->name, ul))
		labfile_report(c, h->pos, "host name \"%s\" is the lab's underlay namespace", ul);
	for (size_t f = 0; f < h->n_ifaces; f++) {
		const struct lab_iface *ifc = &h->ifaces[f];

		if (ifc->attach == LAB_ATTACH_MACHINE)
			labfile_report(c, ifc->pos, "host %s: \"bridge: none\" %s", h->name,
				       "is not supported with machines yet");
		/* Shaping is made with the interface; taking it down would be a
		 * step of its own that the machines' build has not got. */
		if (ifc->props.state == LAB_LINK_DOWN)
			labfile_report(c, ifc->props_pos, "host %s: interface %s: \"state: down\" %s",
				       h->name, ifc->ifname, "is not supported with machines yet");
		if (ifc->port && (!strcmp(ifc->port, "br-phy") || !strcmp(ifc->port, "ul0")))
			labfile_report(c, ifc->pos, "host %s: port name \"%s\" is reserved with "
				       "machines", h->name, ifc->port);
		for (size_t b = 0; ifc->port && b < lab->n_bridges; b++) {
			char ft[16];

			lab_tunnel_flow_port_name(lab->bridges[b].name, ft);
			/* A machine "flow" is reported itself, with this port below. */
			if (lab->bridges[b].key_flow && !strcmp(ft, ifc->port) &&
			    !lab_find_machine(lab, LAB_TUNNEL_FLOW_PEER))
				labfile_report(c, ifc->pos, "host %s: port name \"%s\" is a "
					       "tunnel port's", h->name, ft);
			for (size_t m = 0; m < lab->n_machines; m++) {
				char t[16];

				lab_tunnel_port_name(lab->bridges[b].name, lab->machines[m].name, t);
				if (!strcmp(t, ifc->port))
					labfile_report(c, ifc->pos, "host %s: port name \"%s\" is a "
						       "tunnel port's", h->name, t);
			}
		}
	}
}

/* A listed pair's machines exist, differ, have the bridge, and no pair is
 * listed twice (either way round). */
static void machines_pairs(struct ctx *c, const struct lab_bridge *b)
{
	const struct lab *lab = labfile_lab(c);

	for (size_t i = 0; i < b->n_pairs; i++) {
		const struct lab_tunnel_pair *p = &b->pairs[i];
		const char *m[2] = { p->a, p->b };
		const struct lab_pos at[2] = { p->a_pos, p->b_pos };
		bool ok = true;

		for (int k = 0; k < 2; k++) {
			const struct lab_machine *lm = lab_find_machine(lab, m[k]);

			if (!lm)
				labfile_report(c, at[k], "bridge %s: tunnel pair names machine %s, "
					       "which is not declared under \"machines\"", b->name, m[k]);
			else if (!lab_machine_has_bridge(lab, lm, b->name))
				labfile_report(c, at[k], "bridge %s: tunnel pair names machine %s, "
					       "which has no host on the bridge", b->name, m[k]);
			ok &= lm && lab_machine_has_bridge(lab, lm, b->name);
		}
		if (ok && !strcmp(p->a, p->b)) {
			labfile_report(c, p->pos, "bridge %s: tunnel pair [%s, %s] joins a machine "
				       "to itself", b->name, p->a, p->b);
			continue;
		}
		for (size_t j = 0; ok && j < i; j++) {
			const struct lab_tunnel_pair *q = &b->pairs[j];

			if ((!strcmp(p->a, q->a) && !strcmp(p->b, q->b)) ||
			    (!strcmp(p->a, q->b) && !strcmp(p->b, q->a))) {
				labfile_report(c, p->pos, "bridge %s: tunnel pair [%s, %s] is "
					       "listed twice (line %d)", b->name, p->a, p->b,
					       q->pos.line);
				break;
			}
		}
	}
}

static bool machines_overlap(const struct lab_addr *a, const struct lab_addr *b)
{
	return a->family == AF_INET && (lab_addr_in_subnet(a, b) || lab_addr_in_subnet(b, a));
}

/* The underlay lives only in the machines' namespaces, but a subnet the
 * hosts use, or route to, that overlaps it makes one address mean two
 * places (and will, once a machine is a real computer). */
static void machines_underlay_overlaps(struct ctx *c)
{
	const struct lab *lab = labfile_lab(c);
	const struct lab_addr *net = &lab->underlay.subnet;
	static const char fix[] = "(give \"underlay: {subnet: ...}\" another)";
	char sub[64], a1[64];

	lab_addr_str(net, sub, sizeof(sub));
	for (size_t i = 0; i < lab->n_bridges; i++) {
		const struct lab_bridge *b = &lab->bridges[i];

		struct lab_addr gw = lab_addr_network(&b->gateway);

		if (machines_overlap(&b->gateway, net))
			labfile_report(c, labfile_gateway_pos(c, i), "bridge %s: subnet %s overlaps "
				       "the underlay subnet %s %s", b->name,
				       lab_addr_str(&gw, a1, sizeof(a1)), sub, fix);
	}
	for (size_t i = 0; i < lab->n_hosts; i++) {
		const struct lab_host *h = &lab->hosts[i];

		for (size_t f = 0; f < h->n_ifaces; f++)
			for (size_t k = 0; k < h->ifaces[f].n_addrs; k++) {
				const struct lab_addr *a = &h->ifaces[f].addrs[k];

				if (machines_overlap(a, net))
					labfile_report(c, labfile_addr_pos(c, i, f, k), "host %s: "
						       "address %s overlaps the underlay subnet %s %s",
						       h->name, lab_addr_str(a, a1, sizeof(a1)), sub,
						       fix);
			}
		for (size_t r = 0; r < h->n_routes; r++) {
			const struct lab_addr *d = &h->routes[r].dst;

			if (d->prefix && machines_overlap(d, net))
				labfile_report(c, h->routes[r].pos, "host %s: route to %s overlaps "
					       "the underlay subnet %s %s", h->name,
					       lab_addr_str(d, a1, sizeof(a1)), sub, fix);
		}
	}
}

/* Whether a host on bridge names no machine or an undeclared one (already
 * reported: which machines have the bridge is not known). */
static bool machines_unplaced(const struct lab *lab, const char *bridge)
{
	for (size_t i = 0; i < lab->n_hosts; i++) {
		const struct lab_host *h = &lab->hosts[i];

		if (h->machine && lab_find_machine(lab, h->machine))
			continue;
		for (size_t f = 0; f < h->n_ifaces; f++)
			if (h->ifaces[f].attach == LAB_ATTACH_BRIDGE && h->ifaces[f].bridge &&
			    !strcmp(h->ifaces[f].bridge, bridge))
				return true;
	}
	return false;
}

/* Bridges are on the machines that have a host on them: tunnel settings
 * written on a bridge that ends up on one machine (or none) join nothing,
 * most likely a host's machine mistyped. */
static void machines_lone_bridges(struct ctx *c)
{
	const struct lab *lab = labfile_lab(c);

	for (size_t i = 0; i < lab->n_bridges; i++) {
		const struct lab_bridge *b = &lab->bridges[i];
		const struct lab_machine *on = NULL;
		size_t n = 0;

		if ((!b->tunnel_pos.line && !b->key_pos.line) || machines_unplaced(lab, b->name))
			continue;
		for (size_t m = 0; m < lab->n_machines && n < 2; m++)
			if (lab_machine_has_bridge(lab, &lab->machines[m], b->name)) {
				on = &lab->machines[m];
				n++;
			}
		if (n >= 2)
			continue;
		if (on)
			labfile_report(c, b->tunnel_pos.line ? b->tunnel_pos : b->key_pos,
				       "bridge %s: its %s join copies on several machines, but only "
				       "machine %s has a host on it", b->name,
				       b->tunnel_pos.line ? "tunnels" : "tunnel key", on->name);
		else
			labfile_report(c, b->tunnel_pos.line ? b->tunnel_pos : b->key_pos,
				       "bridge %s: its %s join copies on several machines, but no "
				       "machine has a host on it", b->name,
				       b->tunnel_pos.line ? "tunnels" : "tunnel key");
	}
}

void labfile_machines_validate(struct ctx *c)
{
	struct lab *lab = labfile_lab(c);
	char ul[16];

	if (!lab->n_machines) {
		for (size_t i = 0; i < lab->n_hosts; i++)
			if (lab->hosts[i].machine)
				labfile_report(c, lab->hosts[i].machine_pos, "host %s: \"machine\" "
					       "needs a top-level \"machines\" section",
					       lab->hosts[i].name);
		for (size_t i = 0; i < lab->n_bridges; i++)
			if (lab->bridges[i].tunnel_pos.line || lab->bridges[i].key_pos.line)
				labfile_report(c, lab->bridges[i].tunnel_pos.line
					       ? lab->bridges[i].tunnel_pos : lab->bridges[i].key_pos,
					       "bridge %s: tunnels need a top-level \"machines\" "
					       "section", lab->bridges[i].name);
		if (lab->underlay.pos.line)
			labfile_report(c, lab->underlay.pos, "\"underlay\" needs a top-level "
				       "\"machines\" section");
		return;
	}
	if (!lab->underlay.subnet.family)
		lab_addr_parse(LAB_UNDERLAY_SUBNET, &lab->underlay.subnet);
	if (!lab->underlay.mtu)
		lab->underlay.mtu = LAB_UNDERLAY_MTU;
	machines_addresses(c);
	machines_bridges(c);
	machines_patches_mirrors(c);
	machines_flows(c);
	lab_underlay_ns(lab->name ? lab->name : "", ul);
	for (size_t i = 0; i < lab->n_bridges; i++) {
		const struct lab_bridge *b = &lab->bridges[i];

		if (b->tunnel != LAB_TUNNEL_GRE && b->key > MACHINES_VNI_MAX)
			labfile_report(c, b->key_pos, "bridge %s: key %u does not fit a %s VNI "
				       "(24 bits: at most %u)", b->name, b->key,
				       lab_tunnel_name(b->tunnel), MACHINES_VNI_MAX);
		machines_pairs(c, b);
		if (b->key_flow && lab_find_machine(lab, LAB_TUNNEL_FLOW_PEER))
			labfile_report(c, lab_find_machine(lab, LAB_TUNNEL_FLOW_PEER)->pos,
				       "machine name \"%s\" would name bridge %s's flow tunnel "
				       "port (key: flow)", LAB_TUNNEL_FLOW_PEER, b->name);
	}
	for (size_t i = 0; i < lab->n_machines; i++) {
		const struct lab_machine *m = &lab->machines[i];

		if (lab_find_host(lab, m->name))
			labfile_report(c, m->pos, "machine name \"%s\" is already a host's name",
				       m->name);
		if (lab_find_bridge(lab, m->name))
			labfile_report(c, m->pos, "machine name \"%s\" is already a bridge's name",
				       m->name);
		if (!strcmp(m->name, ul))
			labfile_report(c, m->pos, "machine name \"%s\" is the lab's underlay "
				       "namespace", ul);
	}
	for (size_t i = 0; i < lab->n_hosts; i++)
		machines_host(c, &lab->hosts[i], ul);
	machines_underlay_overlaps(c);
	machines_lone_bridges(c);
}
