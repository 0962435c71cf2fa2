/* The lab file's machine interfaces: a bridge's `interfaces:` (the
 * machine's interfaces it takes as ports) and a host interface's
 * `physical:`; then, once every host is read, the rules across them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "labfile/labfile_int.h"

static bool nic_name(struct ctx *c, const yaml_node_t *at, const char *s)
{
	if (!labfile_name(c, at, "interface name", s))
		return false;
	if (!strcmp(s, "lo")) {
		labfile_report(c, labfile_pos(at), "interface \"lo\" is the machine's loopback "
			       "device, not one a lab can borrow");
		return false;
	}
	return true;
}

static void nic_key_name(struct ctx *c, const yaml_node_t *key, const yaml_node_t *val,
			 void *obj)
{
	struct lab_nic *n = obj;
	const char *s = labfile_scalar(c, key, val);

	if (s && nic_name(c, val, s)) {
		free(n->name);
		n->name = labfile_strdup(c, s);
	}
}

static void nic_take_address(struct ctx *c, const yaml_node_t *key, const yaml_node_t *val,
			     void *obj)
{
	labfile_bool(c, key, val, &((struct lab_nic *)obj)->take_address);
}

static void nic_take_default_route(struct ctx *c, const yaml_node_t *key,
				   const yaml_node_t *val, void *obj)
{
	labfile_bool(c, key, val, &((struct lab_nic *)obj)->take_default_route);
}

static const struct setting nic_settings[] = {
	{ "name", nic_key_name },
	{ "take_address", nic_take_address },
	{ "take_default_route", nic_take_default_route },
};

/* One item: a name, or a mapping with name and options. */
static void nic_item(struct ctx *c, const yaml_node_t *item, struct lab_nic *n)
{
	const yaml_node_pair_t *start, *end;

	n->pos = labfile_pos(item);
	if (item->type == YAML_SCALAR_NODE && labfile_plain(item)) {
		if (nic_name(c, item, labfile_text(item)))
			n->name = labfile_strdup(c, labfile_text(item));
		return;
	}
	if (!labfile_pairs(item, &start, &end)) {
		labfile_report(c, n->pos, "an interface of \"interfaces\" is a name or a mapping "
			       "(name, take_address, take_default_route), not %s",
			       labfile_kind(item));
		return;
	}
	labfile_walk(c, start, end, nic_settings, ARRAY_SIZE(nic_settings), n);
	if (!n->name)
		labfile_report(c, n->pos, "an interface of \"interfaces\" needs a \"name\"");
}

void labfile_nic_bridge(struct ctx *c, const yaml_node_t *key, const yaml_node_t *val,
			struct lab_bridge *b)
{
	yaml_node_item_t *it, *end;

	(void)key;
	if (!labfile_items(val, &it, &end)) {
		labfile_report(c, labfile_pos(val), "bridge %s: \"interfaces\" must be a list of "
			       "the machine's interfaces, not %s", b->name, labfile_kind(val));
		return;
	}
	lab_bridge_nics_free(b);
	b->nics = calloc((size_t)(end - it) + 1, sizeof(*b->nics));
	if (!b->nics) {
		labfile_nomem(c);
		return;
	}
	for (; it < end && !labfile_oom(c); it++) {
		struct lab_nic *n = &b->nics[b->n_nics];

		nic_item(c, labfile_node(c, *it), n);
		if (n->name)
			b->n_nics++;
	}
}

void labfile_nic_iface(struct ctx *c, const yaml_node_t *key, const yaml_node_t *val,
		       struct lab_iface *ifc)
{
	const char *s;

	if (!strcmp(labfile_text(key), "take_default_route")) {
		labfile_bool(c, key, val, &ifc->take_default_route);
		return;
	}
	s = labfile_scalar(c, key, val);
	if (s && nic_name(c, val, s)) {
		free(ifc->physical);
		ifc->physical = labfile_strdup(c, s);
	}
}

/* Who already uses a machine interface name, for the one-owner rule. */
static const char *nic_owner(const struct lab *lab, const char *name, const void *self,
			     char *buf, size_t len)
{
	for (size_t b = 0; b < lab->n_bridges; b++) {
		if (!strcmp(lab->bridges[b].name, name)) {
			snprintf(buf, len, "bridge %s's own name", lab->bridges[b].name);
			return buf;
		}
		if (lab->bridges[b].uplink && !strcmp(lab->bridges[b].uplink, name)) {
			snprintf(buf, len, "bridge %s's uplink", lab->bridges[b].name);
			return buf;
		}
		for (size_t i = 0; i < lab->bridges[b].n_nics; i++) {
			const struct lab_nic *n = &lab->bridges[b].nics[i];

			if (n != self && !strcmp(n->name, name)) {
				snprintf(buf, len, "a port of bridge %s", lab->bridges[b].name);
				return buf;
			}
		}
	}
	for (size_t h = 0; h < lab->n_hosts; h++)
		for (size_t i = 0; i < lab->hosts[h].n_ifaces; i++) {
			const struct lab_iface *ifc = &lab->hosts[h].ifaces[i];

			if (ifc == self)
				continue;
			if (ifc->port && !strcmp(ifc->port, name)) {
				snprintf(buf, len, "host %s's port", lab->hosts[h].name);
				return buf;
			}
			if (ifc->physical && !strcmp(ifc->physical, name)) {
				snprintf(buf, len, "moved into host %s", lab->hosts[h].name);
				return buf;
			}
		}
	return NULL;
}

static void nic_validate_bridge(struct ctx *c, const struct lab_bridge *b)
{
	const struct lab *lab = labfile_lab(c);
	const struct lab_nic *taker = NULL;
	char who[64];

	for (size_t i = 0; i < b->n_nics; i++) {
		const struct lab_nic *n = &b->nics[i];

		if (nic_owner(lab, n->name, n, who, sizeof(who)))
			labfile_report(c, n->pos, "bridge %s: interface %s is already %s", b->name,
				       n->name, who);
		if (n->take_default_route && !n->take_address)
			labfile_report(c, n->pos, "bridge %s: interface %s: take_default_route "
				       "needs take_address: true", b->name, n->name);
		/* One interface's addresses per internal port: giving them
		 * back would otherwise depend on the order they went in. */
		if (n->take_address && taker)
			labfile_report(c, n->pos, "bridge %s: only one interface may give its "
				       "addresses to the bridge (%s already does)", b->name,
				       taker->name);
		else if (n->take_address)
			taker = n;
		if (lab->n_machines)
			labfile_report(c, n->pos, "bridge %s: the machine's interfaces are not "
				       "supported with machines yet", b->name);
	}
}

static void nic_validate_host(struct ctx *c, const struct lab_host *h)
{
	const struct lab *lab = labfile_lab(c);
	char who[64];

	for (size_t i = 0; i < h->n_ifaces; i++) {
		const struct lab_iface *ifc = &h->ifaces[i];

		if (ifc->attach != LAB_ATTACH_PHYSICAL) {
			if (ifc->take_default_route)
				labfile_report(c, ifc->pos, "host %s: interface %s: "
					       "take_default_route belongs with \"physical\"",
					       h->name, ifc->ifname);
			continue;
		}
		if (nic_owner(lab, ifc->physical, ifc, who, sizeof(who)))
			labfile_report(c, ifc->pos, "host %s: interface %s is already %s", h->name,
				       ifc->physical, who);
		if (lab->n_machines)
			labfile_report(c, ifc->pos, "host %s: \"physical\" is not supported with "
				       "machines yet", h->name);
	}
}

void labfile_nic_validate(struct ctx *c)
{
	const struct lab *lab = labfile_lab(c);

	for (size_t b = 0; b < lab->n_bridges; b++)
		nic_validate_bridge(c, &lab->bridges[b]);
	for (size_t h = 0; h < lab->n_hosts; h++)
		nic_validate_host(c, &lab->hosts[h]);
}
