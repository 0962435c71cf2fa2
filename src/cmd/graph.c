/* `ovslab graph LAB|FILE [--format dot|mermaid|json|svg] [-o FILE]`: the
 * lab's picture (src/graph/), with live state when the lab is up. */
#include <errno.h>
#include <net/if.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "apply/machines.h"
#include "cmd/cmd.h"
#include "graph/graph.h"
#include "labfile/labfile.h"
#include "switch/ovsdb.h"
#include "util/err.h"

static void graph_port_cb(const struct ovsdb_port_info *p, void *arg)
{
	struct graph *g = arg;

	for (size_t i = 0; i < g->n_nodes; i++)
		for (size_t j = 0; j < g->nodes[i].n_ifaces; j++) {
			struct graph_iface *gi = &g->nodes[i].ifaces[j];

			if (gi->port && !strcmp(gi->port, p->port) && p->ofport > 0)
				gi->ofport = p->ofport;
		}
}

static void graph_ofports(const struct journal *st, struct graph *g)
{
	const char *remote = journal_get(st, JOURNAL_REMOTE);
	char mremote[PATH_MAX + 16];
	struct ovsdb *db = NULL;

	/* A switch that does not answer leaves the declared ofports. */
	if (remote && ovsdb_open(remote, 5000, &db) == 0)
		ovsdb_lab_ports(db, g->lab, graph_port_cb, g);
	for (size_t i = 0; i < g->model->n_machines; i++) {
		ovsdb_close(db);
		db = NULL;
		machines_remote(st, g->model->machines[i].name, mremote, sizeof(mremote));
		if (ovsdb_open(mremote, 5000, &db) == 0)
			ovsdb_lab_ports(db, g->lab, graph_port_cb, g);
	}
	ovsdb_close(db);
	err_clear();
}

/* Each interface as the kernel has it: up only when up and with carrier
 * (a veth whose far end went down is down too), and its shaping. */
static void graph_live(const struct journal *st, struct graph *g)
{
	for (size_t i = 0; i < g->n_nodes; i++)
		for (size_t j = 0; j < g->nodes[i].n_ifaces; j++) {
			struct graph_iface *gi = &g->nodes[i].ifaces[j];
			struct cmd_link_state k;

			if (cmd_link_read(st, g->nodes[i].name, gi->ifname, &k) < 0 || !k.info.found) {
				gi->state = GRAPH_DOWN;
				continue;
			}
			gi->state = k.info.admin_up && k.info.carrier ? GRAPH_UP : GRAPH_DOWN;
			lab_linkprops_str(&k.props, " ", gi->impair, sizeof(gi->impair));
		}
	err_clear();
	graph_ofports(st, g);
	g->live = true;
	graph_finish(g);
}

int cmd_graph(const char *arg, const char *format, const char *path, FILE *out)
{
	struct journal st = { 0 };
	struct lab *lab = NULL;
	enum graph_format f = GRAPH_DOT;
	struct graph g = { 0 };
	bool up = false, built = false;
	struct stat sb;
	FILE *to = out;
	int ret;

	if (format && graph_format_parse(format, &f) < 0) {
		err_set("--format %s: not a graph format; write dot, mermaid, json or svg", format);
		return 1;
	}
	if (stat(arg, &sb) == 0 && S_ISREG(sb.st_mode)) {
		ret = labfile_load(arg, stderr, &lab);
		if (ret == -EINVAL)
			err_clear(); /* the file:line:col lines say it */
		if (ret < 0)
			return ret;
		up = journal_read(lab->name, &st) == 0;
	} else {
		ret = journal_read(arg, &st);
		if (ret < 0)
			return ret;
		up = true;
		ret = cmd_load_saved(&st, &lab);
		if (ret < 0)
			goto out;
	}
	err_clear();
	ret = graph_build(lab, &g);
	if (ret < 0)
		goto out;
	built = true;
	if (up && geteuid() != 0)
		fprintf(stderr, "ovslab: graph: not run as root: %s is up but its live state cannot "
			"be read; drawn as declared\n", lab->name);
	else if (up)
		graph_live(&st, &g);
	if (path && !(to = fopen(path, "w"))) {
		ret = -errno;
		err_set("%s: cannot write the graph: %s", path, strerror(errno));
		goto out;
	}
	ret = graph_write(&g, f, to);
	if (to != out && fclose(to) != 0 && ret == 0) {
		ret = -errno;
		err_set("%s: cannot write the graph: %s", path, strerror(errno));
	}
	if (ret < 0 && to != out)
		unlink(path); /* nothing half-written left behind */
out:
	if (built)
		graph_free(&g);
	lab_free(lab);
	if (up)
		journal_close(&st);
	return ret;
}
