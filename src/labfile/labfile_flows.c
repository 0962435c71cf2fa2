/* The OpenFlow sections of a bridge in a lab file: flows (or flows_file),
 * groups, meters and the openflow version, each validated with
 * libopenvswitch's parser once the bridge's ports are known, and the version
 * the flows are sent in chosen.  Problems go to labfile.c's list as
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
	} else if (!strcmp(k, "openflow")) {
		const char *str = labfile_scalar(c, key, val);

		if (str && !flows_version_parse(str))
			labfile_report(c, labfile_pos(val), "bridge %s: openflow: \"%s\" is not one "
				       "OpenFlow version; write one of OpenFlow10 .. OpenFlow15",
				       b->name, str);
		else if (str && !(b->openflow = strdup(str)))
			labfile_nomem(c);
		b->openflow_pos = labfile_pos(val);
	}
}

/* ---- validation once the ports are known ------------------------------- */

/* Each flow and group through libopenvswitch's parser, with the bridge's
 * port names known, so that a mistake is found before anything is made. */
static unsigned validate_flow(struct ctx *c, const struct lab_bridge *b, struct lab_pos file_pos,
			      const struct lab_flow *f, enum flows_kind kind,
			      const char *const *ports, size_t n)
{
	const char *what = kind == FLOWS_GROUP ? "group" : kind == FLOWS_METER ? "meter" : "flow";
	unsigned usable = FLOWS_USABLE_ANY;
	char *msg = NULL;
	int ret = flows_validate(kind, f->text, b->name, ports, n, &usable, &msg);

	if (ret == -ENOMEM)
		labfile_nomem(c);
	else if (ret < 0 && f->file)
		labfile_report_file(c, file_pos, f->file, f->pos.line, "%s: %s", what, msg);
	else if (ret < 0)
		labfile_report(c, f->pos, "%s: %s", what, msg);
	free(msg);
	return ret < 0 ? FLOWS_USABLE_ANY : usable;
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

/* The versions (bit v: version v) that can say a declaration, as people
 * read them: "OpenFlow10", "OpenFlow11 .. OpenFlow15", "none". */
static void versions_text(unsigned usable, unsigned allowed, char *buf, size_t len)
{
	int lo = 0, hi = 0, n = 0;

	buf[0] = '\0';
	for (int v = 1; v <= 6; v++) {
		if (!flows_version_can(usable, v) || (allowed && !(allowed & (1u << v))))
			continue;
		if (hi && v == hi + 1) {
			hi = v;
			continue;
		}
		if (hi)
			n += snprintf(buf + n, len - (size_t)n, "%s%s%s%s", n ? ", " : "",
				      flows_version_name(lo), hi > lo ? " .. " : "",
				      hi > lo ? flows_version_name(hi) : "");
		lo = hi = v;
		if ((size_t)n >= len)
			return;
	}
	if (hi)
		snprintf(buf + n, len - (size_t)n, "%s%s%s%s", n ? ", " : "", flows_version_name(lo),
			 hi > lo ? " .. " : "", hi > lo ? flows_version_name(hi) : "");
	if (!buf[0])
		snprintf(buf, len, "none of them");
}

static void report_version(struct ctx *c, const struct lab_flow *f, struct lab_pos file_pos,
			   const char *fmt, const char *a, const char *b, const char *d)
{
	if (f->file)
		labfile_report_file(c, file_pos, f->file, f->pos.line, fmt, a, b, d);
	else
		labfile_report(c, f->pos, fmt, a, b, d);
}

/* The version the bridge's flows are sent in: `openflow:` if it can say
 * them all and the bridge speaks it, else the newest of the bridge's
 * protocols that can; a declaration no such version can say is named with
 * the versions that could. */
static void choose_version(struct ctx *c, struct lab_bridge *b, struct lab_pos file_pos,
			   const struct lab_flow *const *decl, const unsigned *usable, size_t n)
{
	int want = flows_version_parse(b->openflow);
	unsigned allowed = 0, all = FLOWS_USABLE_ANY;
	char can[160], prot[160] = "";

	for (size_t i = 0; i < b->settings.n_protocols; i++) {
		allowed |= 1u << flows_version_parse(b->settings.protocols[i]);
		snprintf(prot + strlen(prot), sizeof(prot) - strlen(prot), "%s%s", i ? ", " : "",
			 b->settings.protocols[i]);
	}
	if (want && allowed && !(allowed & (1u << want))) {
		labfile_report(c, b->openflow_pos, "bridge %s: openflow %s is not among its protocols "
			       "(%s); add it there or choose one of them", b->name, b->openflow, prot);
		return;
	}
	/* nothing to send and no choice: the switch's newest, as ever */
	if (!n && !want)
		return;
	for (size_t i = 0; i < n; i++)
		all &= usable[i];
	b->of_version = flows_version_choose(all, allowed, want);
	if (b->of_version)
		return;
	all = FLOWS_USABLE_ANY;
	for (size_t i = 0; i < n; i++) {
		versions_text(usable[i], allowed, can, sizeof(can));
		if (want && !flows_version_can(usable[i], want))
			report_version(c, decl[i], file_pos, "%s cannot express it (%s can); choose "
				       "that \"openflow:\" version or write it as %s does", b->openflow,
				       can, b->openflow);
		else if (!want && allowed && !flows_version_choose(usable[i], allowed, 0)) {
			versions_text(usable[i], 0, can, sizeof(can));
			report_version(c, decl[i], file_pos, "none of the bridge's protocols (%s) can "
				       "express it (%s can); add one to \"protocols\" or write it as "
				       "those do", prot, can, NULL);
			return;
		} else if (!want && !flows_version_choose(all & usable[i], allowed, 0)) {
			char before[160];

			versions_text(all, allowed, before, sizeof(before));
			report_version(c, decl[i], file_pos, "no OpenFlow version says it and the "
				       "declarations before it: it needs %s, they need %s%s", can,
				       before, allowed ? " (among the bridge's protocols)" : "");
			return;
		}
		all &= usable[i];
	}
}

void labfile_flows_validate(struct ctx *c, struct lab_bridge *b, struct lab_pos file_pos)
{
	const struct lab *lab = labfile_lab(c);
	size_t n_decl = b->n_meters + b->n_groups + b->n_flows, k = 0;
	const struct lab_flow **decl = NULL;
	unsigned *usable = NULL;
	const char **ports = NULL;
	char (*tunnels)[16] = NULL;
	size_t n = 0;

	if (!b->has_flows && !b->n_groups && !b->n_meters) {
		choose_version(c, b, file_pos, NULL, NULL, 0);
		return;
	}
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
	decl = calloc(n_decl + 1, sizeof(*decl));
	usable = calloc(n_decl + 1, sizeof(*usable));
	/* With machines, the bridge's tunnel ports: towards each machine some
	 * other one's tunnels join, and with key: flow the flow port. */
	tunnels = calloc(lab->n_machines + 2, sizeof(*tunnels));
	if (!decl || !usable || !tunnels)
		labfile_nomem(c);
	for (size_t i = 0; tunnels && i < lab->n_machines; i++)
		for (size_t j = 0; j < lab->n_machines; j++)
			if (lab_tunnel_joins(lab, b, &lab->machines[j], &lab->machines[i])) {
				lab_tunnel_port_name(b->name, lab->machines[i].name, tunnels[i]);
				port_push(c, &ports, &n, tunnels[i]);
				break;
			}
	if (tunnels && lab->n_machines && b->key_flow) {
		lab_tunnel_flow_port_name(b->name, tunnels[lab->n_machines]);
		port_push(c, &ports, &n, tunnels[lab->n_machines]);
	}
	if (labfile_oom(c))
		goto out;
	for (size_t i = 0; i < b->n_meters && !labfile_oom(c); i++, k++)
		usable[k] = validate_flow(c, b, file_pos, decl[k] = &b->meters[i], FLOWS_METER,
					  ports, n);
	for (size_t i = 0; i < b->n_groups && !labfile_oom(c); i++, k++)
		usable[k] = validate_flow(c, b, file_pos, decl[k] = &b->groups[i], FLOWS_GROUP,
					  ports, n);
	for (size_t i = 0; i < b->n_flows && !labfile_oom(c); i++, k++)
		usable[k] = validate_flow(c, b, file_pos, decl[k] = &b->flows[i], FLOWS_FLOW,
					  ports, n);
	if (!labfile_oom(c))
		choose_version(c, b, file_pos, decl, usable, k);
out:
	free(decl);
	free(usable);
	free(tunnels);
	free(ports);
}

void labfile_flows_validate_more(struct ctx *c, const struct lab_bridge *b, struct lab_flow *flows,
				 size_t n)
{
	struct lab_bridge tmp = { .name = b->name, .has_flows = true, .flows = flows,
				  .n_flows = n, .settings = b->settings };

	/* What the bridge's own chose binds these; else they choose as the
	 * bridge would (its openflow: and protocols). */
	tmp.openflow = b->of_version ? (char *)flows_version_name(b->of_version) : NULL;
	tmp.openflow_pos = b->openflow_pos;
	labfile_flows_validate(c, &tmp, (struct lab_pos){ 0 });
}
