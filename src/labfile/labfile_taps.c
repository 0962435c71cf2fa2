/* A bridge's `taps:`: TAP devices for virtual machines, read into
 * struct lab_tap; problems go to labfile.c's list as file:line:col. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "labfile/labfile_int.h"

static void tap_number(struct ctx *c, const yaml_node_t *key, const yaml_node_t *val, long *out)
{
	const char *str = labfile_scalar(c, key, val);
	char *end;
	long v;

	if (!str)
		return;
	errno = 0;
	v = strtol(str, &end, 10);
	if (!*str || *end || errno || v < 0 || v > 0x7fffffff)
		labfile_report(c, labfile_pos(val), "%s \"%s\" is not a number",
			       labfile_text(key), str);
	else
		*out = v;
}

static void tap_mac(struct ctx *c, const yaml_node_t *key, const yaml_node_t *val,
		    struct lab_tap *t)
{
	const char *str = labfile_scalar(c, key, val);
	unsigned int m[6];
	char tail;

	if (!str)
		return;
	if (sscanf(str, "%x:%x:%x:%x:%x:%x%c", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5],
		   &tail) != 6 || m[0] > 255 || m[1] > 255 || m[2] > 255 || m[3] > 255 ||
	    m[4] > 255 || m[5] > 255 || (m[0] & 1)) {
		labfile_report(c, labfile_pos(val),
			       "mac \"%s\" is not a unicast MAC address (like 52:54:00:00:00:01)",
			       str);
		return;
	}
	for (int i = 0; i < 6; i++)
		t->mac[i] = (uint8_t)m[i];
	t->has_mac = true;
}

static void tap_setting(struct ctx *c, const yaml_node_t *key, const yaml_node_t *val, void *obj)
{
	struct lab_tap *t = obj;
	const char *k = labfile_text(key);
	const char *str;

	if (!strcmp(k, "name")) {
		str = labfile_scalar(c, key, val);
		if (str && labfile_name(c, val, "tap name", str))
			t->name = labfile_strdup(c, str);
	} else if (!strcmp(k, "owner")) {
		tap_number(c, key, val, &t->uid);
	} else if (!strcmp(k, "group")) {
		tap_number(c, key, val, &t->gid);
	} else if (!strcmp(k, "queues")) {
		long q = -1;

		tap_number(c, key, val, &q);
		if (q == 0 || q > 256)
			labfile_report(c, labfile_pos(val), "queues %ld is not between 1 and 256", q);
		else if (q > 0)
			t->queues = (unsigned int)q;
	} else if (!strcmp(k, "vnet_hdr")) {
		labfile_bool(c, key, val, &t->vnet_hdr);
	} else {
		tap_mac(c, key, val, t);
	}
}

static const struct setting tap_settings[] = {
	{ "name", tap_setting },     { "owner", tap_setting },    { "group", tap_setting },
	{ "queues", tap_setting }, { "vnet_hdr", tap_setting }, { "mac", tap_setting },
};

void labfile_taps_bridge(struct ctx *c, const yaml_node_t *key, const yaml_node_t *val,
			 struct lab_bridge *b)
{
	yaml_node_item_t *start, *end;

	(void)key;
	if (!labfile_items(val, &start, &end)) {
		labfile_report(c, labfile_pos(val),
			       "\"taps\" must be a list of taps ({name: vm1tap, owner: 1000}), not %s",
			       labfile_kind(val));
		return;
	}
	b->taps = calloc((size_t)(end - start) + 1, sizeof(*b->taps));
	if (!b->taps) {
		labfile_nomem(c);
		return;
	}
	for (yaml_node_item_t *i = start; i < end && !labfile_oom(c); i++) {
		const yaml_node_t *item = labfile_node(c, *i);
		const yaml_node_pair_t *ps, *pe;
		struct lab_tap *t = &b->taps[b->n_taps];

		*t = (struct lab_tap){ .uid = -1, .gid = -1, .pos = labfile_pos(item) };
		if (item->type == YAML_SCALAR_NODE) {
			/* taps: [vm1tap]: the name alone */
			const char *str = labfile_scalar(c, item, item);

			if (!str || !labfile_name(c, item, "tap name", str))
				continue;
			t->name = labfile_strdup(c, str);
		} else if (!labfile_pairs(item, &ps, &pe)) {
			labfile_report(c, labfile_pos(item), "a tap must be a name or a mapping, not %s",
				       labfile_kind(item));
			continue;
		} else {
			labfile_walk(c, ps, pe, tap_settings, ARRAY_SIZE(tap_settings), t);
		}
		if (!t->name) {
			labfile_report(c, t->pos, "a tap needs a name");
			continue;
		}
		b->n_taps++;
	}
}

/* Tap names become interfaces of the machine and ports of the switch: one
 * name, one object. */
void labfile_taps_validate(struct ctx *c)
{
	struct lab *lab = labfile_lab(c);

	for (size_t b = 0; b < lab->n_bridges; b++)
		for (size_t t = 0; t < lab->bridges[b].n_taps; t++) {
			const struct lab_tap *tap = &lab->bridges[b].taps[t];

			if (lab->n_machines)
				labfile_report(c, tap->pos,
					       "tap %s: a lab with machines cannot have taps yet",
					       tap->name);
			for (size_t o = 0; o < lab->n_bridges; o++) {
				if (!strcmp(lab->bridges[o].name, tap->name))
					labfile_report(c, tap->pos, "tap %s has the name of bridge %s",
						       tap->name, tap->name);
				for (size_t u = 0; u < lab->bridges[o].n_taps; u++)
					if ((o < b || (o == b && u < t)) &&
					    !strcmp(lab->bridges[o].taps[u].name, tap->name))
						labfile_report(c, tap->pos, "tap %s is listed twice",
							       tap->name);
			}
			for (size_t h = 0; h < lab->n_hosts; h++)
				for (size_t i = 0; i < lab->hosts[h].n_ifaces; i++)
					if (lab->hosts[h].ifaces[i].port &&
					    !strcmp(lab->hosts[h].ifaces[i].port, tap->name))
						labfile_report(c, tap->pos,
							       "tap %s has the name of host %s's port",
							       tap->name, lab->hosts[h].name);
		}
}
