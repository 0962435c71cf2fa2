/* The graph model of a lab: its nodes (machine namespace, bridges per
 * machine, hosts with interfaces) and edges, built from the declaration. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "graph/graph.h"

static int graph_add_node(struct graph *g, enum graph_kind kind, const char *name,
			  const char *machine)
{
	struct graph_node *n = realloc(g->nodes, (g->n_nodes + 1) * sizeof(*n));

	if (!n)
		return -ENOMEM;
	g->nodes = n;
	n = &g->nodes[g->n_nodes];
	memset(n, 0, sizeof(*n));
	n->kind = kind;
	n->name = name;
	n->machine = machine;
	snprintf(n->id, sizeof(n->id), "%c:%s%s%s", kind == GRAPH_HOST ? 'h' :
		 kind == GRAPH_BRIDGE ? 'b' : 'm', machine && kind == GRAPH_BRIDGE ? machine : "",
		 machine && kind == GRAPH_BRIDGE ? ":" : "", name);
	return (int)g->n_nodes++;
}

static int graph_add_edge(struct graph *g, enum graph_edge_kind kind, size_t from, int from_if,
			  size_t to, int to_if, const char *label)
{
	struct graph_edge *e = realloc(g->edges, (g->n_edges + 1) * sizeof(*e));

	if (!e)
		return -ENOMEM;
	g->edges = e;
	e = &g->edges[g->n_edges++];
	memset(e, 0, sizeof(*e));
	e->kind = kind;
	e->from = from;
	e->from_if = from_if;
	e->to = to;
	e->to_if = to_if;
	snprintf(e->label, sizeof(e->label), "%s", label ? label : "");
	return 0;
}

static int graph_find(const struct graph *g, enum graph_kind kind, const char *name,
		      const char *machine)
{
	for (size_t i = 0; i < g->n_nodes; i++) {
		const struct graph_node *n = &g->nodes[i];

		if (n->kind == kind && !strcmp(n->name, name) &&
		    (kind != GRAPH_BRIDGE || !machine || (n->machine && !strcmp(n->machine, machine))))
			return (int)i;
	}
	return -1;
}

static void graph_bridge_detail(const struct lab_bridge *b, char *buf, size_t len)
{
	char a[64], a6[64];
	size_t n = 0;

	buf[0] = '\0';
	if (b->gateway.family)
		n += (size_t)snprintf(buf + n, len - n, "gw %s", lab_addr_str(&b->gateway, a, sizeof(a)));
	if (b->gateway6.family && n < len)
		n += (size_t)snprintf(buf + n, len - n, "%sgw %s", n ? " " : "",
				      lab_addr_str(&b->gateway6, a6, sizeof(a6)));
}

/* The machine's own namespace: what bridge: none interfaces and bridge
 * uplinks reach; made once, when something reaches it. */
static int graph_machine_ns(struct graph *g)
{
	int m = graph_find(g, GRAPH_MACHINE_NS, "machine", NULL);

	return m >= 0 ? m : graph_add_node(g, GRAPH_MACHINE_NS, "machine", NULL);
}

static void graph_iface_fill(const struct lab_iface *ifc, struct graph_iface *gi)
{
	const struct lab_port_settings *s = &ifc->settings;
	size_t n = 0;
	char a[64];

	gi->ifname = ifc->ifname;
	gi->port = ifc->port;
	for (size_t k = 0; k < ifc->n_addrs && n < sizeof(gi->addrs); k++)
		n += (size_t)snprintf(gi->addrs + n, sizeof(gi->addrs) - n, "%s%s", k ? " " : "",
				      lab_addr_str(&ifc->addrs[k], a, sizeof(a)));
	gi->vlan = s->vlan;
	gi->ofport = s->ofport;
	n = 0;
	for (size_t k = 0; k < s->n_trunks && n < sizeof(gi->trunks); k++)
		n += (size_t)snprintf(gi->trunks + n, sizeof(gi->trunks) - n, "%s%u", k ? "," : "",
				      s->trunks[k]);
	lab_linkprops_str(&ifc->props, " ", gi->impair, sizeof(gi->impair));
	/* state: down in the file is drawn down before the lab is up too. */
	gi->state = ifc->props.state == LAB_LINK_DOWN ? GRAPH_DOWN : GRAPH_DECLARED;
}

/* The bridges: one node per machine that has the bridge, or one. */
static int graph_bridges(const struct lab *lab, struct graph *g)
{
	int ret = 0;

	for (size_t i = 0; ret >= 0 && i < lab->n_bridges; i++) {
		const struct lab_bridge *b = &lab->bridges[i];

		if (!lab->n_machines)
			ret = graph_add_node(g, GRAPH_BRIDGE, b->name, NULL);
		for (size_t m = 0; ret >= 0 && m < lab->n_machines; m++)
			if (lab_machine_has_bridge(lab, &lab->machines[m], b->name))
				ret = graph_add_node(g, GRAPH_BRIDGE, b->name, lab->machines[m].name);
		for (size_t k = 0; ret >= 0 && k < g->n_nodes; k++)
			if (g->nodes[k].kind == GRAPH_BRIDGE && g->nodes[k].name == b->name)
				graph_bridge_detail(b, g->nodes[k].detail, sizeof(g->nodes[k].detail));
	}
	return ret < 0 ? ret : 0;
}

static int graph_hosts(const struct lab *lab, struct graph *g)
{
	int ret = 0;

	for (size_t i = 0; ret >= 0 && i < lab->n_hosts; i++) {
		const struct lab_host *h = &lab->hosts[i];
		int hn = graph_add_node(g, GRAPH_HOST, h->name, h->machine);

		if (hn < 0)
			return hn;
		g->nodes[hn].ifaces = calloc(h->n_ifaces ? h->n_ifaces : 1, sizeof(struct graph_iface));
		if (!g->nodes[hn].ifaces)
			return -ENOMEM;
		g->nodes[hn].n_ifaces = h->n_ifaces;
		for (size_t j = 0; ret >= 0 && j < h->n_ifaces; j++) {
			const struct lab_iface *ifc = &h->ifaces[j];
			int to = -1;

			graph_iface_fill(ifc, &g->nodes[hn].ifaces[j]);
			if (ifc->attach == LAB_ATTACH_BRIDGE) {
				to = graph_find(g, GRAPH_BRIDGE, ifc->bridge, h->machine);
			} else if (ifc->attach == LAB_ATTACH_MACHINE) {
				to = graph_machine_ns(g);
				if (to < 0)
					return to;
			}
			if (to >= 0)
				ret = graph_add_edge(g, ifc->attach == LAB_ATTACH_BRIDGE ? GRAPH_PORT :
						     GRAPH_ATTACH, (size_t)hn, (int)j, (size_t)to, -1,
						     NULL);
		}
	}
	return ret < 0 ? ret : 0;
}

static int graph_iface_index(const struct graph *g, int node, const char *ifname)
{
	const struct lab *lab = g->model;
	const struct lab_host *h = lab_find_host(lab, g->nodes[node].name);

	for (size_t j = 0; h && j < h->n_ifaces; j++)
		if (!strcmp(h->ifaces[j].ifname, ifname))
			return (int)j;
	return -1;
}

/* Cables, patches and tunnels: edges between nodes made already. */
static int graph_wires(const struct lab *lab, struct graph *g)
{
	char label[96];
	int ret = 0;

	for (size_t i = 0; ret >= 0 && i < lab->n_links; i++) {
		const struct lab_link *l = &lab->links[i];
		int a = graph_find(g, GRAPH_HOST, l->host[0], NULL);
		int b = graph_find(g, GRAPH_HOST, l->host[1], NULL);

		if (a >= 0 && b >= 0)
			ret = graph_add_edge(g, GRAPH_LINK, (size_t)a, graph_iface_index(g, a, l->ifname[0]),
					     (size_t)b, graph_iface_index(g, b, l->ifname[1]), NULL);
	}
	for (size_t i = 0; ret >= 0 && i < lab->n_patches; i++) {
		const struct lab_patch *p = &lab->patches[i];

		snprintf(label, sizeof(label), "patch");
		for (size_t k = 0; ret >= 0 && k < g->n_nodes; k++) {
			const struct graph_node *n = &g->nodes[k];
			int b;

			if (n->kind != GRAPH_BRIDGE || strcmp(n->name, p->bridge[0]))
				continue;
			b = graph_find(g, GRAPH_BRIDGE, p->bridge[1], n->machine);
			if (b >= 0)
				ret = graph_add_edge(g, GRAPH_PATCH, k, -1, (size_t)b, -1, label);
		}
	}
	for (size_t i = 0; ret >= 0 && i < lab->n_bridges; i++) {
		const struct lab_bridge *br = &lab->bridges[i];
		int b = graph_find(g, GRAPH_BRIDGE, br->name, NULL);
		int m = br->uplink && b >= 0 ? graph_machine_ns(g) : -1;

		snprintf(label, sizeof(label), "uplink %s%s", br->uplink ? br->uplink : "",
			 br->nat ? ", NAT" : "");
		if (m < -1)
			return m;
		if (m >= 0)
			ret = graph_add_edge(g, GRAPH_ATTACH, (size_t)b, -1, (size_t)m, -1, label);
		if (br->key_flow)
			snprintf(label, sizeof(label), "%s key flow", lab_tunnel_name(br->tunnel));
		else
			snprintf(label, sizeof(label), "%s key %u", lab_tunnel_name(br->tunnel), br->key);
		for (size_t m = 0; ret >= 0 && m < lab->n_machines; m++)
			for (size_t p = m + 1; ret >= 0 && p < lab->n_machines; p++) {
				int a, b;

				if (!lab_tunnel_joins(lab, br, &lab->machines[m], &lab->machines[p]))
					continue;
				a = graph_find(g, GRAPH_BRIDGE, br->name, lab->machines[m].name);
				b = graph_find(g, GRAPH_BRIDGE, br->name, lab->machines[p].name);
				if (a >= 0 && b >= 0)
					ret = graph_add_edge(g, GRAPH_TUNNEL, (size_t)a, -1, (size_t)b,
							     -1, label);
			}
	}
	return ret < 0 ? ret : 0;
}

int graph_build(const struct lab *lab, struct graph *g)
{
	int ret;

	memset(g, 0, sizeof(*g));
	g->lab = lab->name;
	g->model = lab;
	ret = graph_bridges(lab, g);
	if (ret == 0)
		ret = graph_hosts(lab, g);
	if (ret == 0)
		ret = graph_wires(lab, g);
	if (ret < 0)
		graph_free(g);
	else
		graph_finish(g);
	return ret;
}

void graph_free(struct graph *g)
{
	for (size_t i = 0; i < g->n_nodes; i++)
		free(g->nodes[i].ifaces);
	free(g->nodes);
	free(g->edges);
	memset(g, 0, sizeof(*g));
}

struct graph_iface *graph_iface_find(struct graph *g, const char *host, const char *ifname)
{
	int n = graph_find(g, GRAPH_HOST, host, NULL);
	int j = n >= 0 ? graph_iface_index(g, n, ifname) : -1;

	return j >= 0 ? &g->nodes[n].ifaces[j] : NULL;
}

static enum graph_state graph_end_state(const struct graph *g, size_t node, int ifc)
{
	return ifc >= 0 && g->nodes[node].ifaces ? g->nodes[node].ifaces[ifc].state : GRAPH_DECLARED;
}

void graph_finish(struct graph *g)
{
	for (size_t i = 0; i < g->n_edges; i++) {
		struct graph_edge *e = &g->edges[i];
		enum graph_state a = graph_end_state(g, e->from, e->from_if);
		enum graph_state b = graph_end_state(g, e->to, e->to_if);
		const struct graph_iface *gi;
		size_t n = 0;

		e->state = a == GRAPH_DOWN || b == GRAPH_DOWN ? GRAPH_DOWN :
			   a == GRAPH_UP || b == GRAPH_UP ? GRAPH_UP : GRAPH_DECLARED;
		if (e->kind != GRAPH_PORT && e->kind != GRAPH_LINK)
			continue;
		gi = &g->nodes[e->from].ifaces[e->from_if];
		e->label[0] = '\0';
		if (gi->port)
			n += (size_t)snprintf(e->label, sizeof(e->label), "%s", gi->port);
		if (gi->ofport > 0 && n < sizeof(e->label))
			n += (size_t)snprintf(e->label + n, sizeof(e->label) - n, "%sofport %lld",
					      n ? " " : "", gi->ofport);
		if (gi->vlan && n < sizeof(e->label))
			n += (size_t)snprintf(e->label + n, sizeof(e->label) - n, "%svlan %u",
					      n ? " " : "", gi->vlan);
		if (gi->trunks[0] && n < sizeof(e->label))
			n += (size_t)snprintf(e->label + n, sizeof(e->label) - n, "%strunk %s",
					      n ? " " : "", gi->trunks);
		if (gi->impair[0] && n < sizeof(e->label))
			n += (size_t)snprintf(e->label + n, sizeof(e->label) - n, "%s%s",
					      n ? " " : "", gi->impair);
		if (e->state == GRAPH_DOWN && n < sizeof(e->label))
			snprintf(e->label + n, sizeof(e->label) - n, "%sDOWN", n ? " " : "");
	}
}

int graph_format_parse(const char *s, enum graph_format *out)
{
	static const char *const names[] = { "dot", "mermaid", "json", "svg" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(s, names[i])) {
			*out = (enum graph_format)i;
			return 0;
		}
	return -EINVAL;
}
