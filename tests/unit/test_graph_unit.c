/* `ovslab graph`'s model and dot writer (src/graph/): the dot text of the
 * fixtures, read back through graphviz's own parser, has the lab's nodes
 * and edges.  Pure: no root. */
#include <criterion/criterion.h>
#include <graphviz/cgraph.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph/graph.h"
#include "labfile/labfile.h"

static struct lab *lab;
static struct graph g;

static Agraph_t *dot_of(const char *fixture, enum graph_format f, char **text)
{
	size_t len = 0;
	FILE *mem = open_memstream(text, &len);

	cr_assert_eq(labfile_load(fixture, stderr, &lab), 0, "%s", fixture);
	cr_assert_eq(graph_build(lab, &g), 0);
	cr_assert_not_null(mem);
	cr_assert_eq(graph_write(&g, f, mem), 0);
	cr_assert_eq(fclose(mem), 0);
	return f == GRAPH_DOT ? agmemread(*text) : NULL;
}

static void done(Agraph_t *ag, char *text)
{
	if (ag)
		agclose(ag);
	free(text);
	graph_free(&g);
	lab_free(lab);
}

static Agnode_t *node(Agraph_t *ag, const char *id)
{
	Agnode_t *n = agnode(ag, (char *)id, 0);

	cr_assert_not_null(n, "no node %s", id);
	return n;
}

static void edge(Agraph_t *ag, const char *a, const char *b)
{
	cr_expect_not_null(agedge(ag, node(ag, a), node(ag, b), NULL, 0), "no edge %s -- %s", a, b);
}

Test(graph_unit, int_br_dot)
{
	char *text = NULL;
	Agraph_t *ag = dot_of(FIXTURES_DIR "/int_br.yaml", GRAPH_DOT, &text);

	cr_assert_not_null(ag, "graphviz could not read:\n%s", text);
	/* the bridge, two hosts, the machine its uplink NATs out of */
	cr_expect_eq(agnnodes(ag), 4);
	cr_expect_eq(agnedges(ag), 3);
	edge(ag, "h:ns01", "b:int_br");
	edge(ag, "h:ns02", "b:int_br");
	edge(ag, "b:int_br", "m:machine");
	cr_expect_null(agnode(ag, "h:ns03", 0));
	cr_expect(strstr(agget(node(ag, "h:ns01"), "label"), "192.168.100.1/24") != NULL);
	cr_expect(strstr(agget(node(ag, "h:ns01"), "label"), "veth-ns01") != NULL);
	cr_expect_str_eq(agget(ag, "layout"), "dot");
	done(ag, text);
}

Test(graph_unit, multihost_dot)
{
	char *text = NULL;
	Agraph_t *ag = dot_of(FIXTURES_DIR "/multihost-geneve.yaml", GRAPH_DOT, &text);
	static const char *const hv[] = { "hv1", "hv1", "hv2", "hv2", "hv3", "hv3" };
	char h[16], b[32];

	cr_assert_not_null(ag, "graphviz could not read:\n%s", text);
	/* one int_br per machine, six hosts; six ports and a full mesh of tunnels */
	cr_expect_eq(agnnodes(ag), 9);
	cr_expect_eq(agnedges(ag), 9);
	for (int i = 0; i < 6; i++) {
		snprintf(h, sizeof(h), "h:vm%d", i + 1);
		snprintf(b, sizeof(b), "b:%s:int_br", hv[i]);
		edge(ag, h, b);
	}
	edge(ag, "b:hv1:int_br", "b:hv2:int_br");
	edge(ag, "b:hv1:int_br", "b:hv3:int_br");
	edge(ag, "b:hv2:int_br", "b:hv3:int_br");
	cr_expect(strstr(agget(agedge(ag, node(ag, "b:hv1:int_br"), node(ag, "b:hv2:int_br"),
				       NULL, 0), "label"), "geneve key 100") != NULL);
	/* a cluster per machine */
	cr_expect_not_null(agsubg(ag, "cluster_0", 0));
	cr_expect_not_null(agsubg(ag, "cluster_2", 0));
	cr_expect_null(agsubg(ag, "cluster_3", 0));
	done(ag, text);
}

/* state: down in the file is drawn down before the lab is up. */
Test(graph_unit, declared_down)
{
	char *text = NULL;
	Agraph_t *ag;
	struct graph_iface *gi;

	cr_assert_eq(labfile_load(FIXTURES_DIR "/int_br.yaml", stderr, &lab), 0);
	lab_find_host(lab, "ns02")->ifaces[0].props.state = LAB_LINK_DOWN;
	cr_assert_eq(graph_build(lab, &g), 0);
	gi = graph_iface_find(&g, "ns02", "veth-ns02");
	cr_assert_not_null(gi);
	cr_expect_eq(gi->state, GRAPH_DOWN);
	{
		size_t len = 0;
		FILE *mem = open_memstream(&text, &len);

		graph_write(&g, GRAPH_DOT, mem);
		fclose(mem);
	}
	ag = agmemread(text);
	cr_assert_not_null(ag);
	cr_expect_str_eq(agget(agedge(ag, node(ag, "h:ns02"), node(ag, "b:int_br"), NULL, 0), "style"),
			 "dashed");
	cr_expect_str_eq(agget(agedge(ag, node(ag, "h:ns01"), node(ag, "b:int_br"), NULL, 0), "style"),
			 "");
	done(ag, text);
}

Test(graph_unit, mermaid)
{
	char *text = NULL;

	dot_of(FIXTURES_DIR "/multihost-geneve.yaml", GRAPH_MERMAID, &text);
	cr_expect_eq(strncmp(text, "flowchart LR\n", 13), 0);
	cr_expect(strstr(text, "subgraph c0[\"hv1\"]") != NULL, "%s", text);
	cr_expect(strstr(text, "===|\"geneve key 100\"|") != NULL, "%s", text);
	done(NULL, text);
}
