/* Simulated machines in the model: names of the objects a machine lab adds
 * (underlay namespace, tunnel ports) and each machine's view of the lab. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/lab.h"

struct lab_machine *lab_find_machine(const struct lab *lab, const char *name)
{
	for (size_t i = 0; i < lab->n_machines; i++)
		if (!strcmp(lab->machines[i].name, name))
			return &lab->machines[i];
	return NULL;
}

const char *lab_tunnel_name(enum lab_tunnel t)
{
	switch (t) {
	case LAB_TUNNEL_VXLAN:
		return "vxlan";
	case LAB_TUNNEL_GRE:
		return "gre";
	case LAB_TUNNEL_GENEVE:
	default:
		return "geneve";
	}
}

/* FNV-1a: stable across runs and builds, which the names must be. */
static unsigned int lab_hash16(const char *s)
{
	unsigned int h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return (h ^ (h >> 16)) & 0xffff;
}

void lab_underlay_ns(const char *lab, char out[16])
{
	if (strlen(lab) + 3 <= LAB_NAME_MAX)
		snprintf(out, 16, "%s-ul", lab);
	else
		snprintf(out, 16, "%.7s-%04xul", lab, lab_hash16(lab));
}

void lab_tunnel_port_name(const char *bridge, const char *peer, char out[16])
{
	lab_patch_port_name(bridge, peer, out);
}

void lab_tunnel_flow_port_name(const char *bridge, char out[16])
{
	lab_tunnel_port_name(bridge, LAB_TUNNEL_FLOW_PEER, out);
}

bool lab_tunnel_joins(const struct lab *lab, const struct lab_bridge *b,
		      const struct lab_machine *m, const struct lab_machine *peer)
{
	if (m == peer || !lab_machine_has_bridge(lab, m, b->name) ||
	    !lab_machine_has_bridge(lab, peer, b->name))
		return false;
	for (size_t i = 0; i < b->n_pairs; i++) {
		const struct lab_tunnel_pair *p = &b->pairs[i];

		if ((!strcmp(p->a, m->name) && !strcmp(p->b, peer->name)) ||
		    (!strcmp(p->b, m->name) && !strcmp(p->a, peer->name)))
			return true;
	}
	return b->n_pairs == 0;
}

bool lab_machine_has_bridge(const struct lab *lab, const struct lab_machine *m,
			    const char *bridge)
{
	for (size_t h = 0; h < lab->n_hosts; h++) {
		const struct lab_host *host = &lab->hosts[h];

		if (!host->machine || strcmp(host->machine, m->name))
			continue;
		for (size_t i = 0; i < host->n_ifaces; i++)
			if (host->ifaces[i].attach == LAB_ATTACH_BRIDGE &&
			    !strcmp(host->ifaces[i].bridge, bridge))
				return true;
	}
	return false;
}

int lab_machine_view(const struct lab *lab, const struct lab_machine *m, struct lab **out)
{
	struct lab *v = calloc(1, sizeof(*v));

	*out = NULL;
	if (!v)
		return -ENOMEM;
	v->name = lab->name;
	v->file = lab->file;
	v->has_ipv6 = lab->has_ipv6;
	v->bridges = calloc(lab->n_bridges + 1, sizeof(*v->bridges));
	v->hosts = calloc(lab->n_hosts + 1, sizeof(*v->hosts));
	if (!v->bridges || !v->hosts) {
		lab_view_free(v);
		return -ENOMEM;
	}
	for (size_t i = 0; i < lab->n_bridges; i++)
		if (lab_machine_has_bridge(lab, m, lab->bridges[i].name))
			v->bridges[v->n_bridges++] = lab->bridges[i];
	for (size_t i = 0; i < lab->n_hosts; i++)
		if (lab->hosts[i].machine && !strcmp(lab->hosts[i].machine, m->name))
			v->hosts[v->n_hosts++] = lab->hosts[i];
	*out = v;
	return 0;
}

void lab_view_free(struct lab *view)
{
	if (!view)
		return;
	free(view->bridges);
	free(view->hosts);
	free(view);
}

/* The tunnels of the played machine's bridges, while the lab still has
 * every machine's hosts to tell which peers have each bridge. */
static int lab_play_tunnels(const struct lab *lab, struct lab_play *p)
{
	p->tunnels = calloc(lab->n_bridges * (lab->n_machines + 1) + 1, sizeof(*p->tunnels));
	if (!p->tunnels)
		return -ENOMEM;
	for (size_t b = 0; b < lab->n_bridges; b++) {
		const struct lab_bridge *br = &lab->bridges[b];

		if (!lab_machine_has_bridge(lab, p->self, br->name))
			continue;
		for (size_t m = 0; m < lab->n_machines; m++) {
			const struct lab_machine *peer = &lab->machines[m];

			if (!lab_tunnel_joins(lab, br, p->self, peer))
				continue;
			p->tunnels[p->n_tunnels].bridge = br->name;
			p->tunnels[p->n_tunnels++].peer = peer;
		}
		/* key: flow: the port whose far end each flow chooses. */
		if (br->key_flow)
			p->tunnels[p->n_tunnels++].bridge = br->name;
	}
	return 0;
}

int lab_play(struct lab *lab, const char *machine)
{
	const struct lab_machine *self = lab_find_machine(lab, machine);
	struct lab_play *p;
	size_t n = 0;

	if (!self)
		return -ENOENT;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->self = self;
	if (lab_play_tunnels(lab, p) < 0) {
		free(p);
		return -ENOMEM;
	}
	/* The bridges before the hosts, which tell which the machine has; the
	 * tunnels keep pointing at the names, which stay where they are. */
	for (size_t i = 0; i < lab->n_bridges; i++) {
		struct lab_bridge *b = &lab->bridges[i];

		if (lab_machine_has_bridge(lab, self, b->name))
			lab->bridges[n++] = *b;
		else
			lab_bridge_free(b);
	}
	lab->n_bridges = n;
	n = 0;
	for (size_t i = 0; i < lab->n_hosts; i++) {
		if (lab->hosts[i].machine && !strcmp(lab->hosts[i].machine, machine))
			lab->hosts[n++] = lab->hosts[i];
		else
			lab_host_free(&lab->hosts[i]);
	}
	lab->n_hosts = n;
	n = 0;
	for (size_t i = 0; i < lab->n_checks; i++) {
		if (lab_find_host(lab, lab->checks[i].from))
			lab->checks[n++] = lab->checks[i];
		else
			lab_check_free(&lab->checks[i]);
	}
	lab->n_checks = n;
	p->machines = lab->machines;
	p->n_machines = lab->n_machines;
	lab->machines = NULL;
	lab->n_machines = 0;
	lab->play = p;
	return 0;
}
