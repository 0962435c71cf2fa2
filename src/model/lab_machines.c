/* Simulated machines in the model: names of the objects a machine lab adds
 * (underlay namespace, tunnel ports) and each machine's view of the lab. */
#include <arpa/inet.h>
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

void lab_machine_uplink_name(const char *machine, char out[16])
{
	lab_patch_port_name("up", machine, out);
}

void lab_machine_uplink_addr(const char *lab, size_t i, bool machine_side,
			     struct lab_addr *out)
{
	/* 1..250: 169.254.0.0/24 and 169.254.255.0/24 are reserved. */
	unsigned int x = lab_hash16(lab) % 250 + 1;

	memset(out, 0, sizeof(*out));
	out->family = AF_INET;
	out->prefix = 30;
	out->v4.s_addr = htonl(0xa9fe0000u | x << 8 | (unsigned int)((4 * i) % 256) |
			       (machine_side ? 2u : 1u));
}

bool lab_machine_gateway(const struct lab_machine *m, const struct lab_bridge *b)
{
	return b->gateway_on && !strcmp(b->gateway_on, m->name);
}

bool lab_machine_has_bridge(const struct lab *lab, const struct lab_machine *m,
			    const char *bridge)
{
	const struct lab_bridge *b = bridge ? lab_find_bridge(lab, bridge) : NULL;

	if (!bridge)
		return false;
	if (b && lab_machine_gateway(m, b))
		return true;
	/* A file with mistakes is validated whole: an interface may still lack
	 * its bridge's name here (the fuzzer found one). */
	for (size_t h = 0; h < lab->n_hosts; h++) {
		const struct lab_host *host = &lab->hosts[h];

		if (!host->machine || strcmp(host->machine, m->name))
			continue;
		for (size_t i = 0; i < host->n_ifaces; i++)
			if (host->ifaces[i].attach == LAB_ATTACH_BRIDGE && host->ifaces[i].bridge &&
			    !strcmp(host->ifaces[i].bridge, bridge))
				return true;
	}
	return false;
}

/* A bridge of the view with the machine's own flows after its own: a list
 * the view owns. */
static int lab_view_flows(struct lab *v, struct lab_bridge *b, const struct lab_machine_flows *mf)
{
	struct lab_flow *f = calloc(b->n_flows + mf->n_flows + 1, sizeof(*f));
	struct lab_flow **nv = realloc(v->view_flows, (v->n_view_flows + 1) * sizeof(*nv));

	if (nv)
		v->view_flows = nv;
	if (!f || !nv) {
		free(f);
		return -ENOMEM;
	}
	v->view_flows[v->n_view_flows++] = f;
	if (b->n_flows)
		memcpy(f, b->flows, b->n_flows * sizeof(*f));
	memcpy(f + b->n_flows, mf->flows, mf->n_flows * sizeof(*f));
	b->flows = f;
	b->n_flows += mf->n_flows;
	b->has_flows = true;
	return 0;
}

static bool lab_view_has_host(const struct lab *v, const char *host)
{
	for (size_t i = 0; i < v->n_hosts; i++)
		if (!strcmp(v->hosts[i].name, host))
			return true;
	return false;
}

/* A mirror is the machine's when its bridge is, and every host it names sits
 * there (the file's validation makes sure of it). */
static bool lab_view_has_mirror(const struct lab *v, const struct lab_mirror *mi)
{
	if (!lab_find_bridge(v, mi->bridge) || (mi->to.host && !lab_view_has_host(v, mi->to.host)))
		return false;
	for (size_t i = 0; i < mi->n_select; i++)
		if (!lab_view_has_host(v, mi->select[i].host))
			return false;
	return true;
}

int lab_machine_view(const struct lab *lab, const struct lab_machine *m, struct lab **out)
{
	struct lab *v = calloc(1, sizeof(*v));
	int ret = 0;

	*out = NULL;
	if (!v)
		return -ENOMEM;
	v->name = lab->name;
	v->file = lab->file;
	v->has_ipv6 = lab->has_ipv6;
	v->bridges = calloc(lab->n_bridges + 1, sizeof(*v->bridges));
	v->hosts = calloc(lab->n_hosts + 1, sizeof(*v->hosts));
	v->patches = calloc(lab->n_patches + 1, sizeof(*v->patches));
	v->mirrors = calloc(lab->n_mirrors + 1, sizeof(*v->mirrors));
	if (!v->bridges || !v->hosts || !v->patches || !v->mirrors) {
		lab_view_free(v);
		return -ENOMEM;
	}
	for (size_t i = 0; ret == 0 && i < lab->n_bridges; i++) {
		struct lab_bridge *b = &v->bridges[v->n_bridges];

		if (!lab_machine_has_bridge(lab, m, lab->bridges[i].name))
			continue;
		*b = lab->bridges[i];
		v->n_bridges++;
		/* Only the network node holds the gateway; the NAT is the lab's
		 * (plan_machines), made in the root namespace. */
		b->gateway_elsewhere = b->gateway_on && !lab_machine_gateway(m, b);
		b->nat = false;
		b->uplink = NULL;
		for (size_t f = 0; ret == 0 && f < m->n_flows; f++)
			if (!strcmp(m->flows[f].bridge, b->name))
				ret = lab_view_flows(v, b, &m->flows[f]);
	}
	for (size_t i = 0; i < lab->n_hosts; i++)
		if (lab->hosts[i].machine && !strcmp(lab->hosts[i].machine, m->name))
			v->hosts[v->n_hosts++] = lab->hosts[i];
	for (size_t i = 0; i < lab->n_patches; i++)
		if (lab_find_bridge(v, lab->patches[i].bridge[0]) &&
		    lab_find_bridge(v, lab->patches[i].bridge[1]))
			v->patches[v->n_patches++] = lab->patches[i];
	for (size_t i = 0; i < lab->n_mirrors; i++)
		if (lab_view_has_mirror(v, &lab->mirrors[i]))
			v->mirrors[v->n_mirrors++] = lab->mirrors[i];
	if (ret < 0) {
		lab_view_free(v);
		return ret;
	}
	*out = v;
	return 0;
}

void lab_view_free(struct lab *view)
{
	if (!view)
		return;
	for (size_t i = 0; i < view->n_view_flows; i++)
		free(view->view_flows[i]);
	free(view->view_flows);
	free(view->bridges);
	free(view->hosts);
	free(view->patches);
	free(view->mirrors);
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

/* The played machine's own flows after its bridge's, as lab_view_flows
 * gives a simulated machine's view; the lab owns the copies. */
static int lab_play_flows(struct lab_bridge *b, const struct lab_machine_flows *mf)
{
	struct lab_flow *f = realloc(b->flows, (b->n_flows + mf->n_flows + 1) * sizeof(*f));

	if (!f)
		return -ENOMEM;
	b->flows = f;
	for (size_t i = 0; i < mf->n_flows; i++) {
		f[b->n_flows] = mf->flows[i];
		f[b->n_flows].text = strdup(mf->flows[i].text);
		if (!f[b->n_flows].text)
			return -ENOMEM;
		b->n_flows++;
	}
	b->has_flows = true;
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

		if (!lab_machine_has_bridge(lab, self, b->name)) {
			lab_bridge_free(b);
			/* lab_machine_has_bridge still looks bridges up by name. */
			memset(b, 0, sizeof(*b));
			continue;
		}
		/* As in the machine's view: only the network node holds the
		 * gateway and its NAT. */
		if (b->gateway_on && !lab_machine_gateway(self, b)) {
			b->gateway_elsewhere = true;
			b->nat = false;
			free(b->uplink);
			b->uplink = NULL;
		}
		lab->bridges[n++] = *b;
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
	for (size_t f = 0; f < self->n_flows; f++) {
		struct lab_bridge *b = lab_find_bridge(lab, self->flows[f].bridge);

		if (b && lab_play_flows(b, &self->flows[f]) < 0)
			return -ENOMEM;
	}
	return 0;
}
