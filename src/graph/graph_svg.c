/* SVG through graphviz's own library (libgvc, libcgraph): the dot text is
 * read back, laid out and rendered in this process, never by running dot. */
#include <errno.h>
#include <stdlib.h>

#include <graphviz/cgraph.h>
#include <graphviz/gvc.h>

#include "graph/graph.h"
#include "util/err.h"

int graph_svg(const struct graph *g, FILE *out)
{
	char *text = NULL, *svg = NULL;
	size_t len = 0;
	unsigned int svg_len = 0;
	FILE *mem = open_memstream(&text, &len);
	GVC_t *gvc = NULL;
	Agraph_t *ag = NULL;
	int ret = 0;

	if (!mem)
		return -errno;
	ret = graph_write(g, GRAPH_DOT, mem);
	if (fclose(mem) != 0 && ret == 0)
		ret = -errno;
	if (ret < 0)
		goto out;
	gvc = gvContext();
	ag = gvc ? agmemread(text) : NULL;
	if (!ag) {
		err_set("%s: graphviz could not read the lab's graph", g->lab);
		ret = -EINVAL;
		goto out;
	}
	if (gvLayout(gvc, ag, graph_engine(g)) != 0 || gvRenderData(gvc, ag, "svg", &svg, &svg_len) != 0) {
		err_set("%s: graphviz could not lay out the lab's graph (is the dot layout plugin "
			"of libgvc installed?)", g->lab);
		ret = -EIO;
		goto out;
	}
	if (fwrite(svg, 1, svg_len, out) != svg_len)
		ret = -EIO;
out:
	if (svg)
		gvFreeRenderData(svg);
	if (ag) {
		gvFreeLayout(gvc, ag);
		agclose(ag);
	}
	if (gvc)
		gvFreeContext(gvc);
	free(text);
	return ret;
}
