/* The OpenFlow sections of a bridge in a lab file: flows (or flows_file),
 * groups and meters, each validated with libopenvswitch's parser once the
 * bridge's ports are known.  Problems go to labfile.c's list as
 * file:line:col messages, or file:line for a line of a flows file. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "switch/flows.h"
#include "labfile/labfile_int.h"

static void flow_push(struct ctx *c, struct lab_flow **arr, size_t *n, const char *text,
		      const char *file, struct lab_pos pos)
{
	struct lab_flow *a = realloc(*arr, (*n + 1) * sizeof(*a));

	if (!a) {
		labfile_nomem(c);
		return;
	}
	*arr = a;
	a[*n] = (struct lab_flow){ labfile_strdup(c, text), file, pos };
	(*n)++;
}

/* flows: and groups: are lists of strings in ovs-ofctl syntax. */
static void flow_list(struct ctx *c, const yaml_node_t *key, const yaml_node_t *val,
		      struct lab_flow **arr, size_t *n)
{
	yaml_node_item_t *it, *end;

	if (!labfile_items(val, &it, &end)) {
		labfile_report(c, labfile_pos(val), "\"%s\" must be a list of strings, not %s",
			       labfile_text(key), labfile_kind(val));
		return;
	}
	for (; it < end && !labfile_oom(c); it++) {
		const char *str = labfile_scalar(c, key, labfile_node(c, *it));

		if (str)
			flow_push(c, arr, n, str, NULL, labfile_pos(labfile_node(c, *it)));
	}
}

void labfile_flows_list(struct ctx *c, const yaml_node_t *key, const yaml_node_t *val,
			struct lab_flow **arr, size_t *n)
{
	flow_list(c, key, val, arr, n);
}

static bool flows_once(struct ctx *c, const yaml_node_t *key, struct lab_bridge *b)
{
	if (b->has_flows) {
		labfile_report(c, labfile_pos(key),
			       "bridge %s: give \"flows\" or \"flows_file\", not both", b->name);
		return false;
	}
	b->has_flows = true;
	return true;
}

/* One flow a line; blank lines and # comments skipped.  Lines keep their
 * numbers for messages. */
static void flows_lines(struct ctx *c, struct lab_bridge *b, char *buf)
{
	int line = 0;

	for (char *save = NULL, *l = buf; l && !labfile_oom(c); l = save) {
		char *end;

		save = strchr(l, '\n');
		if (save)
			*save++ = '\0';
		line++;
		l += strspn(l, " \t\r");
		end = l + strlen(l);
		while (end > l && strchr(" \t\r", end[-1]))
			*--end = '\0';
		if (*l && *l != '#')
			flow_push(c, &b->flows, &b->n_flows, l, b->flows_file,
				  (struct lab_pos){ line, 1 });
	}
}

/* The path is relative to the lab file; a lab's saved copy reads the copy
 * of the flows taken when it came up. */
static void bridge_flows_file(struct ctx *c, const yaml_node_t *key, const yaml_node_t *val,
			      struct lab_bridge *b)
{
	const char *str = labfile_scalar(c, key, val);
	const char *display = labfile_display(c), *dir = labfile_flows_dir(c);
	const char *slash = strrchr(display, '/');
	char *buf = NULL, *text = NULL;
	const char *why = NULL;
	size_t len = 0;
	int ret, n;

	if (!str || !flows_once(c, key, b))
		return;
	if (dir)
		n = asprintf(&b->flows_file, "%s/%s.flows", dir, b->name);
	else if (str[0] == '/' || !slash)
		n = asprintf(&b->flows_file, "%s", str);
	else
		n = asprintf(&b->flows_file, "%.*s/%s", (int)(slash - display), display, str);
	if (n < 0) {
		b->flows_file = NULL;
		labfile_nomem(c);
		return;
	}
	ret = labfile_read_file(b->flows_file, &buf, &len, &why);
	text = ret == 0 ? strndup(buf, len) : NULL;
	if (ret == 0 && !text)
		labfile_nomem(c);
	else if (ret < 0)
		labfile_report(c, labfile_pos(val), "bridge %s: flows_file %s: cannot read it: %s",
			       b->name, b->flows_file, why);
	if (text)
		flows_lines(c, b, text);
	free(text);
	free(buf);
}

void labfile_flows_bridge(struct ctx *c, const yaml_node_t *key, const yaml_node_t *val,
			  struct lab_bridge *b)
{
	const char *k = labfile_text(key);

	if (!strcmp(k, "flows")) {
		if (flows_once(c, key, b))
			flow_list(c, key, val, &b->flows, &b->n_flows);
	} else if (!strcmp(k, "flows_file")) {
		bridge_flows_file(c, key, val, b);
	} else if (!strcmp(k, "groups")) {
		flow_list(c, key, val, &b->groups, &b->n_groups);
	} else if (!strcmp(k, "meters")) {
		flow_list(c, key, val, &b->meters, &b->n_meters);
	}
}

/* ---- validation once the ports are known ------------------------------- */

/* Each flow and group through libopenvswitch's parser, with the bridge's
 * port names known, so that a mistake is found before anything is made. */
static void validate_flow(struct ctx *c, const struct lab_bridge *b, struct lab_pos file_pos,
		       const struct lab_flow *f, enum flows_kind kind,
		       const char *const *ports, size_t n)
{
	const char *what = kind == FLOWS_GROUP ? "group" : kind == FLOWS_METER ? "meter" : "flow";
	char *msg = NULL;
	int ret = flows_validate(kind, f->text, b->name, ports, n, &msg);

	if (ret == -ENOMEM)
		labfile_nomem(c);
	else if (ret < 0 && f->file)
		labfile_report_file(c, file_pos, f->file, f->pos.line, "%s: %s", what, msg);
	else if (ret < 0)
		labfile_report(c, f->pos, "%s: %s", what, msg);
	free(msg);
}

static void port_push(struct ctx *c, const char ***ports, size_t *n, const char *name)
{
	const char **np = realloc(*ports, (*n + 1) * sizeof(*np));

	if (!np) {
		labfile_nomem(c);
		return;
	}
	*ports = np;
	np[(*n)++] = name;
}

void labfile_flows_validate(struct ctx *c, const struct lab_bridge *b, struct lab_pos file_pos)
{
	const struct lab *lab = labfile_lab(c);
	const char **ports = NULL;
	char (*tunnels)[16] = NULL;
	size_t n = 0;

	if (!b->has_flows && !b->n_groups && !b->n_meters)
		return;
	for (size_t i = 0; i < lab->n_hosts; i++)
		for (size_t f = 0; f < lab->hosts[i].n_ifaces; f++) {
			const struct lab_iface *ifc = &lab->hosts[i].ifaces[f];

			if (ifc->attach == LAB_ATTACH_BRIDGE && ifc->port && ifc->bridge &&
			    !strcmp(ifc->bridge, b->name))
				port_push(c, &ports, &n, ifc->port);
		}
	for (size_t i = 0; i < lab->n_patches; i++)
		for (size_t e = 0; e < 2; e++)
			if (lab->patches[i].port[e] && !strcmp(lab->patches[i].bridge[e], b->name))
				port_push(c, &ports, &n, lab->patches[i].port[e]);
	/* With machines, the tunnel ports towards each machine with the
	 * bridge. */
	tunnels = calloc(lab->n_machines + 1, sizeof(*tunnels));
	if (!tunnels)
		labfile_nomem(c);
	for (size_t i = 0; tunnels && i < lab->n_machines; i++)
		if (lab_machine_has_bridge(lab, &lab->machines[i], b->name)) {
			lab_tunnel_port_name(b->name, lab->machines[i].name, tunnels[i]);
			port_push(c, &ports, &n, tunnels[i]);
		}
	if (labfile_oom(c))
		goto out;
	for (size_t i = 0; i < b->n_meters && !labfile_oom(c); i++)
		validate_flow(c, b, file_pos, &b->meters[i], FLOWS_METER, ports, n);
	for (size_t i = 0; i < b->n_groups && !labfile_oom(c); i++)
		validate_flow(c, b, file_pos, &b->groups[i], FLOWS_GROUP, ports, n);
	for (size_t i = 0; i < b->n_flows && !labfile_oom(c); i++)
		validate_flow(c, b, file_pos, &b->flows[i], FLOWS_FLOW, ports, n);
out:
	free(tunnels);
	free(ports);
}
