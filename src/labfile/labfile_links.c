/* The link properties of the lab file (delay, loss, rate, state, ...) on a
 * host interface and on a link for both its ends; model/lab_links.c owns
 * their units.  Problems go to labfile.c's list as file:line:col. */
#include <stdlib.h>
#include <string.h>

#include "labfile/labfile_int.h"

void labfile_links_prop(struct ctx *c, const yaml_node_t *key, const yaml_node_t *val,
			struct lab_linkprops *lp, struct lab_pos *first)
{
	const struct lab_prop *p = lab_prop_find(labfile_text(key));
	const char *s = labfile_scalar(c, key, val), *why = NULL;
	uint64_t v;

	if (!first->line)
		*first = labfile_pos(key);
	if (!s || !p)
		return;
	if (lab_prop_parse(p, s, &v, &why) < 0)
		labfile_report(c, labfile_pos(val), "%s \"%s\" %s", p->key, s, why);
	else
		*lab_prop_val(p, lp) = v;
}

struct link_walk {
	struct lab_link *l;
	const yaml_node_t *ends;
	struct lab_pos first;
};

static void link_ends(struct ctx *c, const yaml_node_t *key, const yaml_node_t *val, void *obj)
{
	(void)c;
	(void)key;
	((struct link_walk *)obj)->ends = val;
}

static void link_mtu(struct ctx *c, const yaml_node_t *key, const yaml_node_t *val, void *obj)
{
	struct link_walk *w = obj;
	const char *s = labfile_scalar(c, key, val);
	char *end;
	unsigned long v;

	if (!s)
		return;
	v = strtoul(s, &end, 10);
	if (!*s || *end || *s == '-' || *s == '+' || v < 68 || v > 65535)
		labfile_report(c, labfile_pos(val), "mtu \"%s\" must be a whole number from 68 to 65535", s);
	else
		w->l->mtu = (unsigned int)v;
}

static void link_prop(struct ctx *c, const yaml_node_t *key, const yaml_node_t *val, void *obj)
{
	struct link_walk *w = obj;

	labfile_links_prop(c, key, val, &w->l->props, &w->first);
	w->l->has_props = true;
}

static const struct setting link_settings[] = {
	{ "ends", link_ends }, { "mtu", link_mtu },
	{ "delay", link_prop }, { "jitter", link_prop }, { "distribution", link_prop },
	{ "loss", link_prop }, { "loss_correlation", link_prop }, { "duplicate", link_prop },
	{ "reorder", link_prop }, { "corrupt", link_prop }, { "rate", link_prop },
	{ "limit", link_prop }, { "state", link_prop },
};

const yaml_node_t *labfile_links_mapping(struct ctx *c, const yaml_node_t *item, struct lab_link *l)
{
	struct link_walk w = { .l = l };
	const yaml_node_pair_t *start, *end;

	labfile_pairs(item, &start, &end);
	labfile_walk(c, start, end, link_settings, sizeof(link_settings) / sizeof(*link_settings),
		     &w);
	if (!w.ends)
		labfile_report(c, labfile_pos(item),
			       "a link written as a mapping needs \"ends\" (like {ends: [ns01:eth1, r1:eth1], delay: 20ms})");
	return w.ends;
}

/* A link's properties go to both its ends; an end that has its own would
 * leave the reader guessing which win. */
static void link_to_ends(struct ctx *c, const struct lab_link *l)
{
	for (int e = 0; e < 2; e++) {
		struct lab_host *h = lab_find_host(labfile_lab(c), l->host[e]);
		struct lab_iface *ifc = h ? lab_find_iface(h, l->ifname[e]) : NULL;

		if (!ifc)
			continue;
		if (l->has_props && ifc->props_pos.line) {
			labfile_report(c, ifc->props_pos,
				       "host %s: interface %s has link properties and so has its link (give them on the link or on its ends, not both)",
				       h->name, ifc->ifname);
			continue;
		}
		if (l->mtu && ifc->mtu && ifc->mtu != l->mtu) {
			labfile_report(c, l->pos, "host %s: interface %s has mtu %u, its link mtu %u",
				       h->name, ifc->ifname, ifc->mtu, l->mtu);
			continue;
		}
		if (l->mtu)
			ifc->mtu = l->mtu;
		if (l->has_props) {
			ifc->props = l->props;
			ifc->props_pos = l->pos;
		}
	}
}

void labfile_links_validate(struct ctx *c)
{
	struct lab *lab = labfile_lab(c);
	const char *why;

	for (size_t i = 0; i < lab->n_hosts; i++) {
		const struct lab_host *h = &lab->hosts[i];

		for (size_t j = 0; j < h->n_ifaces; j++) {
			const struct lab_iface *ifc = &h->ifaces[j];

			if ((why = lab_linkprops_problem(&ifc->props)))
				labfile_report(c, ifc->props_pos, "host %s: interface %s: %s", h->name,
					       ifc->ifname, why);
		}
	}
	for (size_t i = 0; i < lab->n_links; i++) {
		const struct lab_link *l = &lab->links[i];

		if ((why = lab_linkprops_problem(&l->props)))
			labfile_report(c, l->pos, "link %s:%s - %s:%s: %s", l->host[0], l->ifname[0],
				       l->host[1], l->ifname[1], why);
		link_to_ends(c, l);
	}
}
