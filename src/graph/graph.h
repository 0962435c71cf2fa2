/* The lab as a picture: one graph model (machines, bridges, hosts with
 * their interfaces, links, patches, tunnels), live state laid over it, and
 * its writers (dot, mermaid, JSON, SVG through graphviz's library). */
#ifndef OVSLAB_GRAPH_H
#define OVSLAB_GRAPH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "model/lab.h"

enum graph_state { GRAPH_DECLARED, GRAPH_UP, GRAPH_DOWN };

/* A host interface, or a bridge's own port (tunnel, patch). */
struct graph_iface {
	const char *ifname;      /* into the lab */
	const char *port;        /* the bridge-side port; NULL: a cable or none */
	char addrs[192];         /* "10.0.0.1/24 fd00::1/64" */
	unsigned int vlan;       /* access VLAN; 0: none */
	char trunks[64];         /* "10,20"; "": none */
	long long ofport;        /* 0: not known (a lab that is down) */
	enum graph_state state;
	char impair[96];         /* "delay 20ms loss 1%"; "": none */
};

enum graph_kind { GRAPH_MACHINE_NS, GRAPH_BRIDGE, GRAPH_HOST };

struct graph_node {
	enum graph_kind kind;
	char id[40];             /* unique: "h:ns01", "b:hv1:int_br", "m" */
	const char *name;
	const char *machine;     /* the machine it sits on; NULL: none */
	char detail[160];        /* bridge: gateway, NAT, uplink */
	struct graph_iface *ifaces; /* hosts only */
	size_t n_ifaces;
};

enum graph_edge_kind { GRAPH_PORT, GRAPH_LINK, GRAPH_PATCH, GRAPH_TUNNEL, GRAPH_ATTACH };

struct graph_edge {
	enum graph_edge_kind kind;
	size_t from, to;         /* node indexes */
	int from_if, to_if;      /* iface index in the node; -1: the node itself */
	char label[96];          /* "ofport 3 vlan 10", "geneve key 100" */
	enum graph_state state;
};

struct graph {
	const char *lab;
	bool live;               /* state read from a lab that is up */
	const struct lab *model;
	struct graph_node *nodes;
	size_t n_nodes;
	struct graph_edge *edges;
	size_t n_edges;
};

/* Builds the graph of lab as declared (every state GRAPH_DECLARED); the
 * graph points into lab, which must outlive it. */
int graph_build(const struct lab *lab, struct graph *g);
void graph_free(struct graph *g);
/* The interface of host `host` named ifname, or NULL. */
struct graph_iface *graph_iface_find(struct graph *g, const char *host, const char *ifname);
/* After live state was set on the interfaces: edges follow their ends
 * (an edge is down when an end is) and port labels their ofports. */
void graph_finish(struct graph *g);

enum graph_format { GRAPH_DOT, GRAPH_MERMAID, GRAPH_JSON, GRAPH_SVG };
/* "dot", "mermaid", "json", "svg"; -EINVAL for another word. */
int graph_format_parse(const char *s, enum graph_format *out);
int graph_write(const struct graph *g, enum graph_format f, FILE *out);
/* Graphviz's layout engine for g: "dot" (ranks, routed edges) up to
 * GRAPH_DOT_MAX_HOSTS hosts; beyond, "osage", which packs each cluster's
 * hosts into a grid and the clusters side by side (dot stacks 200 hosts
 * into one column 21000 px tall: bench numbers in the README). */
#define GRAPH_DOT_MAX_HOSTS 40
const char *graph_engine(const struct graph *g);
/* The dot text laid out and drawn by graphviz's library (graph_svg.c). */
int graph_svg(const struct graph *g, FILE *out);

#endif
