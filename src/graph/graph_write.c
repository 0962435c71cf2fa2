/* The graph's text forms: dot (also what SVG is drawn from), mermaid
 * (flowchart LR, a subgraph per cluster) and JSON. */
#include <errno.h>
#include <string.h>

#include "graph/graph.h"
#include "util/json.h"

/* Colours of one palette, so the picture reads the same in every format. */
#define C_BRIDGE "#1f5f9e"
#define C_HOST   "#2f7d5b"
#define C_MACH   "#6b5b95"
#define C_DOWN   "#c0392b"
#define C_EDGE   "#4a5563"

/* The cluster a node is drawn in: its machine, else the bridge of a host's
 * first bridge port, else none (NULL). */
static const char *graph_cluster(const struct graph *g, const struct graph_node *n)
{
	const struct lab_host *h;

	if (n->machine || g->model->n_machines)
		return n->machine;
	if (n->kind == GRAPH_BRIDGE)
		return n->name;
	if (n->kind != GRAPH_HOST)
		return NULL;
	h = lab_find_host(g->model, n->name);
	for (size_t j = 0; h && j < h->n_ifaces; j++)
		if (h->ifaces[j].attach == LAB_ATTACH_BRIDGE)
			return h->ifaces[j].bridge;
	return NULL;
}

/* Clusters in order of first appearance; returns how many (at most max). */
static size_t graph_clusters(const struct graph *g, const char **out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < g->n_nodes; i++) {
		const char *c = graph_cluster(g, &g->nodes[i]);
		size_t k;

		for (k = 0; c && k < n && strcmp(out[k], c); k++)
			;
		if (c && k == n && n < max)
			out[n++] = c;
	}
	return n;
}

static void html(FILE *out, const char *s)
{
	for (; *s; s++)
		switch (*s) {
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '&': fputs("&amp;", out); break;
		case '"': fputs("&quot;", out); break;
		default: fputc(*s, out);
		}
}

static void dot_node(const struct graph_node *n, FILE *out)
{
	fprintf(out, "  \"%s\" [", n->id);
	if (n->kind == GRAPH_BRIDGE) {
		fputs("shape=box, style=\"rounded,filled\", fillcolor=\"" C_BRIDGE "\", "
		      "color=\"" C_BRIDGE "\", fontcolor=white, margin=\"0.25,0.12\", label=<<b>", out);
		html(out, n->name);
		fputs("</b>", out);
		if (n->detail[0]) {
			fputs("<br/><font point-size=\"9\">", out);
			html(out, n->detail);
			fputs("</font>", out);
		}
		fputs(">];\n", out);
		return;
	}
	if (n->kind == GRAPH_MACHINE_NS) {
		fputs("shape=box3d, style=filled, fillcolor=\"#ece8f4\", color=\"" C_MACH "\", "
		      "label=\"machine\"];\n", out);
		return;
	}
	/* A host: a table whose rows are its interfaces, each a port edges end at. */
	fputs("shape=plain, label=<<table border=\"1\" color=\"" C_HOST "\" cellborder=\"0\" "
	      "cellspacing=\"0\" cellpadding=\"5\" bgcolor=\"white\"><tr><td bgcolor=\"" C_HOST
	      "\"><font color=\"white\"><b>", out);
	html(out, n->name);
	fputs("</b></font></td></tr>", out);
	for (size_t j = 0; j < n->n_ifaces; j++) {
		const struct graph_iface *gi = &n->ifaces[j];
		bool down = gi->state == GRAPH_DOWN;

		fprintf(out, "<tr><td port=\"p%zu\" align=\"left\"%s><font point-size=\"10\"%s>", j,
			down ? " bgcolor=\"#fbe3e0\"" : "", down ? " color=\"" C_DOWN "\"" : "");
		html(out, gi->ifname);
		if (down)
			fputs(" (down)", out);
		fputs("</font>", out);
		if (gi->addrs[0]) {
			fputs("<br align=\"left\"/><font point-size=\"9\" color=\"#555555\">", out);
			html(out, gi->addrs);
			fputs("</font>", out);
		}
		fputs("</td></tr>", out);
	}
	fputs("</table>>];\n", out);
}

static void dot_end(const struct graph *g, size_t node, int ifc, FILE *out)
{
	fprintf(out, "\"%s\"", g->nodes[node].id);
	if (ifc >= 0)
		fprintf(out, ":p%d", ifc);
}

static int graph_dot(const struct graph *g, FILE *out)
{
	const char *clusters[1024];
	size_t nc = graph_clusters(g, clusters, sizeof(clusters) / sizeof(clusters[0]));
	bool big = strcmp(graph_engine(g), "dot") != 0;

	fputs("graph \"", out);
	html(out, g->lab);
	fprintf(out, "\" {\n  graph [layout=%s, rankdir=LR, fontname=\"Helvetica\", pad=0.3, nodesep=0.35, "
		"ranksep=1.1, labelloc=t, fontsize=16, label=<<b>lab ", graph_engine(g));
	html(out, g->lab);
	fprintf(out, "</b>%s>];\n", g->live ? " <font point-size=\"11\">(live)</font>" : "");
	fputs("  node [fontname=\"Helvetica\", fontsize=11];\n"
	      "  edge [fontname=\"Helvetica\", fontsize=9, color=\"" C_EDGE "\", penwidth=1.5, "
	      "fontcolor=\"" C_EDGE "\"];\n", out);
	for (size_t c = 0; c < nc; c++) {
		fprintf(out, "  subgraph \"cluster_%zu\" {\n    style=\"rounded,filled\"; "
			"fillcolor=\"%s\"; color=\"%s\"; fontsize=12; label=<<b>", c,
			g->model->n_machines ? "#f4f1f9" : "#eef4fb",
			g->model->n_machines ? "#b9add3" : "#a9c3dd");
		html(out, clusters[c]);
		fprintf(out, "</b>%s>;\n", g->model->n_machines ? " (machine)" : "");
		for (size_t i = 0; i < g->n_nodes; i++) {
			const char *in = graph_cluster(g, &g->nodes[i]);

			if (in && !strcmp(in, clusters[c])) {
				fputs("  ", out);
				dot_node(&g->nodes[i], out);
			}
		}
		fputs("  }\n", out);
	}
	for (size_t i = 0; i < g->n_nodes; i++)
		if (!graph_cluster(g, &g->nodes[i]))
			dot_node(&g->nodes[i], out);
	for (size_t i = 0; i < g->n_edges; i++) {
		const struct graph_edge *e = &g->edges[i];
		bool down = e->state == GRAPH_DOWN;

		fputs("  ", out);
		dot_end(g, e->from, e->from_if, out);
		fputs(" -- ", out);
		dot_end(g, e->to, e->to_if, out);
		fputs(" [", out);
		/* Packed big labs: the host's table names the interface already. */
		if (e->label[0] && (!big || e->kind != GRAPH_PORT || e->state == GRAPH_DOWN)) {
			fputs("label=\"", out);
			html(out, e->label);
			fputs("\", ", out);
		}
		if (down)
			fputs("style=dashed, color=\"" C_DOWN "\", fontcolor=\"" C_DOWN "\", ", out);
		else if (e->kind == GRAPH_TUNNEL)
			fputs("style=bold, color=\"" C_MACH "\", fontcolor=\"" C_MACH "\", ", out);
		else if (e->kind == GRAPH_PATCH)
			fputs("style=dotted, ", out);
		fprintf(out, "class=\"%s%s\"];\n",
			(const char *[]){ "port", "link", "patch", "tunnel", "attach" }[e->kind],
			down ? " down" : "");
	}
	fputs("}\n", out);
	return 0;
}

/* Mermaid ids are words: the node's index. */
static void mm_label(FILE *out, const char *s)
{
	for (; *s; s++)
		fputs(*s == '"' ? "#quot;" : (char[]){ *s, 0 }, out);
}

static int graph_mermaid(const struct graph *g, FILE *out)
{
	const char *clusters[1024];
	size_t nc = graph_clusters(g, clusters, sizeof(clusters) / sizeof(clusters[0]));
	size_t link = 0;

	fputs("flowchart LR\n", out);
	for (size_t c = 0; c <= nc; c++) {
		if (c < nc) {
			fprintf(out, "  subgraph c%zu[\"", c);
			mm_label(out, clusters[c]);
			fputs("\"]\n", out);
		}
		for (size_t i = 0; i < g->n_nodes; i++) {
			const struct graph_node *n = &g->nodes[i];
			const char *in = graph_cluster(g, n);

			if (c < nc ? !in || strcmp(in, clusters[c]) : in != NULL)
				continue;
			fprintf(out, "  n%zu%s\"<b>", i, n->kind == GRAPH_HOST ? "[" : "([");
			mm_label(out, n->name);
			fputs("</b>", out);
			if (n->detail[0]) {
				fputs("<br/>", out);
				mm_label(out, n->detail);
			}
			for (size_t j = 0; j < n->n_ifaces; j++) {
				fputs("<br/>", out);
				mm_label(out, n->ifaces[j].ifname);
				fprintf(out, " %s%s", n->ifaces[j].addrs,
					n->ifaces[j].state == GRAPH_DOWN ? " (down)" : "");
			}
			fprintf(out, "\"%s:::%s\n", n->kind == GRAPH_HOST ? "]" : "])",
				(const char *[]){ "machine", "bridge", "host" }[n->kind]);
		}
		if (c < nc)
			fputs("  end\n", out);
	}
	for (size_t i = 0; i < g->n_edges; i++) {
		const struct graph_edge *e = &g->edges[i];
		const char *arrow = e->state == GRAPH_DOWN ? "-.-" :
				    e->kind == GRAPH_TUNNEL ? "===" : "---";

		fprintf(out, "  n%zu %s", e->from, arrow);
		if (e->label[0] || e->from_if >= 0) {
			fputs("|\"", out);
			if (e->from_if >= 0)
				mm_label(out, g->nodes[e->from].ifaces[e->from_if].ifname);
			fputs(e->from_if >= 0 && e->label[0] ? " " : "", out);
			mm_label(out, e->label);
			fputs("\"|", out);
		}
		fprintf(out, " n%zu\n", e->to);
		if (e->state == GRAPH_DOWN)
			fprintf(out, "  linkStyle %zu stroke:" C_DOWN ",stroke-dasharray:5\n", link);
		link++;
	}
	fputs("  classDef bridge fill:" C_BRIDGE ",color:#fff,stroke:" C_BRIDGE "\n"
	      "  classDef host fill:#fff,stroke:" C_HOST ",stroke-width:2px\n"
	      "  classDef machine fill:#ece8f4,stroke:" C_MACH "\n", out);
	return 0;
}

static void json_iface(const struct graph_iface *gi, FILE *out)
{
	fputs("{\"ifname\":", out);
	json_str(out, gi->ifname);
	fputs(",\"port\":", out);
	json_str(out, gi->port);
	fputs(",\"addresses\":[", out);
	for (const char *s = gi->addrs; *s;) {
		size_t n = strcspn(s, " ");
		char a[64];

		snprintf(a, sizeof(a), "%.*s", (int)n, s);
		fprintf(out, "%s", s == gi->addrs ? "" : ",");
		json_str(out, a);
		s += n + (s[n] == ' ');
	}
	fprintf(out, "],\"vlan\":%u,\"trunks\":", gi->vlan);
	json_str(out, gi->trunks[0] ? gi->trunks : NULL);
	fprintf(out, ",\"ofport\":%lld,\"state\":\"%s\",\"impairment\":", gi->ofport,
		(const char *[]){ "declared", "up", "down" }[gi->state]);
	json_str(out, gi->impair[0] ? gi->impair : NULL);
	fputc('}', out);
}

static int graph_json(const struct graph *g, FILE *out)
{
	fputs("{\"lab\":", out);
	json_str(out, g->lab);
	fprintf(out, ",\"live\":%s,\"machines\":[", g->live ? "true" : "false");
	for (size_t i = 0; i < g->model->n_machines; i++) {
		fputs(i ? "," : "", out);
		json_str(out, g->model->machines[i].name);
	}
	fputs("],\"nodes\":[", out);
	for (size_t i = 0; i < g->n_nodes; i++) {
		const struct graph_node *n = &g->nodes[i];

		fprintf(out, "%s{\"id\":", i ? "," : "");
		json_str(out, n->id);
		fprintf(out, ",\"kind\":\"%s\",\"name\":",
			(const char *[]){ "machine", "bridge", "host" }[n->kind]);
		json_str(out, n->name);
		fputs(",\"machine\":", out);
		json_str(out, n->machine);
		if (n->kind == GRAPH_BRIDGE) {
			fputs(",\"detail\":", out);
			json_str(out, n->detail);
		}
		if (n->kind == GRAPH_HOST) {
			fputs(",\"interfaces\":[", out);
			for (size_t j = 0; j < n->n_ifaces; j++) {
				fputs(j ? "," : "", out);
				json_iface(&n->ifaces[j], out);
			}
			fputc(']', out);
		}
		fputc('}', out);
	}
	fputs("],\"edges\":[", out);
	for (size_t i = 0; i < g->n_edges; i++) {
		const struct graph_edge *e = &g->edges[i];

		fprintf(out, "%s{\"kind\":\"%s\",\"from\":", i ? "," : "",
			(const char *[]){ "port", "link", "patch", "tunnel", "attach" }[e->kind]);
		json_str(out, g->nodes[e->from].id);
		fputs(",\"from_interface\":", out);
		json_str(out, e->from_if >= 0 ? g->nodes[e->from].ifaces[e->from_if].ifname : NULL);
		fputs(",\"to\":", out);
		json_str(out, g->nodes[e->to].id);
		fputs(",\"to_interface\":", out);
		json_str(out, e->to_if >= 0 ? g->nodes[e->to].ifaces[e->to_if].ifname : NULL);
		fputs(",\"label\":", out);
		json_str(out, e->label);
		fprintf(out, ",\"state\":\"%s\"}", (const char *[]){ "declared", "up", "down" }[e->state]);
	}
	fputs("]}\n", out);
	return 0;
}

const char *graph_engine(const struct graph *g)
{
	return g->model->n_hosts > GRAPH_DOT_MAX_HOSTS ? "osage" : "dot";
}

int graph_write(const struct graph *g, enum graph_format f, FILE *out)
{
	switch (f) {
	case GRAPH_DOT: return graph_dot(g, out);
	case GRAPH_MERMAID: return graph_mermaid(g, out);
	case GRAPH_JSON: return graph_json(g, out);
	case GRAPH_SVG: return graph_svg(g, out);
	}
	return -EINVAL;
}
