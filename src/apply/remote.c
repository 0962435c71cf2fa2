/* A real computer playing one machine of a lab (`up --machine`): the
 * borrowed underlay interface, br-phy and the tunnels (remote.h). */
#include "apply/remote.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply/machines.h"
#include "apply/nic.h"
#include "util/err.h"
#include "util/json.h"

static int remote_tunnels(struct remote *r)
{
	const struct lab_play *p = r->lab->play;

	r->tunnels = calloc(p->n_tunnels + 1, sizeof(*r->tunnels));
	if (!r->tunnels)
		return -ENOMEM;
	for (size_t i = 0; i < p->n_tunnels; i++) {
		const struct lab_bridge *b = lab_find_bridge(r->lab, p->tunnels[i].bridge);
		struct ovsdb_tunnel *t = &r->tunnels[i];

		const struct lab_machine *peer = p->tunnels[i].peer;

		*t = (struct ovsdb_tunnel){ .bridge = b->name, .type = lab_tunnel_name(b->tunnel),
					    .key = b->key, .key_flow = b->key_flow,
					    .bfd = b->bfd && peer };
		if (!peer) {
			lab_tunnel_flow_port_name(b->name, t->name);
			snprintf(t->remote, sizeof(t->remote), "flow");
			continue;
		}
		lab_tunnel_port_name(b->name, peer->name, t->name);
		inet_ntop(AF_INET, &peer->underlay.v4, t->remote, sizeof(t->remote));
	}
	r->om = (struct ovsdb_machine){
		.phy_bridge = MACHINES_PHY_BRIDGE, .phy_port = r->ifname,
		.mtu = r->lab->underlay.mtu, .tunnels = r->tunnels, .n_tunnels = p->n_tunnels,
	};
	return 0;
}

/* A name the switch has already: br-phy, the interface or a tunnel's would
 * be someone else's row (or another played lab's) that ovslab would take. */
static int remote_taken(const struct remote *r, const struct ovsdb_row_names *names)
{
	const char *mine[2] = { MACHINES_PHY_BRIDGE, r->ifname };

	for (size_t i = 0; names && i < names->n; i++) {
		const struct ovsdb_row_name *n = &names->v[i];
		bool clash = !strcmp(n->name, mine[0]) || !strcmp(n->name, mine[1]);

		for (size_t t = 0; !clash && t < r->om.n_tunnels; t++)
			clash = !strcmp(n->name, r->tunnels[t].name);
		if (!clash)
			continue;
		err_set("machine %s: %s is already %s of the switch%s%s%s",
			r->lab->play->self->name, n->name, n->kind, n->lab ? " (lab " : "",
			n->lab ? n->lab : "", n->lab ? ")" : "");
		return -EEXIST;
	}
	return 0;
}

int remote_prepare(struct remote *r, const struct lab *lab, struct rtnl *nl,
		   const struct ovsdb_row_names *names)
{
	const struct lab_machine *self = lab->play->self;
	char addr[64];
	int ret;

	memset(r, 0, sizeof(*r));
	r->lab = lab;
	lab_addr_str(&self->underlay, addr, sizeof(addr));
	if (self->interface) {
		snprintf(r->ifname, sizeof(r->ifname), "%s", self->interface);
		ret = rtnl_link_index(nl, r->ifname);
		if (ret < 0) {
			err_set("machine %s: this computer has no interface %s (the machine's "
				"\"interface\")", self->name, r->ifname);
			return ret;
		}
	} else {
		ret = ifstate_find_addr(nl, &self->underlay, r->ifname);
		if (ret < 0) {
			err_set("machine %s: no interface of this computer has its underlay address "
				"%s; give the machine an \"interface\" to put it on", self->name,
				addr);
			return ret == -ENOENT ? -ENODEV : ret;
		}
	}
	if (!strcmp(r->ifname, MACHINES_PHY_BRIDGE) || !strcmp(r->ifname, "lo")) {
		err_set("machine %s: interface %s cannot be the underlay (%s)", self->name,
			r->ifname, strcmp(r->ifname, "lo") ? "ovslab's own bridge" : "loopback");
		return -EINVAL;
	}
	ret = remote_tunnels(r);
	if (ret < 0) {
		err_set("%s: out of memory", lab->name);
		return ret;
	}
	return remote_taken(r, names);
}

int remote_record(const struct lab *lab, struct journal *st)
{
	return journal_add(st, JOURNAL_PLAYS, "%s", lab->play->self->name);
}

int remote_borrow(struct remote *r, struct journal *st, struct rtnl *nl)
{
	int ret = nic_record(nl, st, JOURNAL_NIC_PORT, MACHINES_PHY_BRIDGE, r->ifname, &r->before);

	if (ret == 0)
		ret = ifstate_take(nl, r->before, r->lab->underlay.mtu);
	return ret;
}

int remote_settle(struct remote *r, struct rtnl *nl)
{
	int to = rtnl_link_index(nl, MACHINES_PHY_BRIDGE);

	if (to < 0) {
		err_set("%s: the switch did not create the bridge's internal port",
			MACHINES_PHY_BRIDGE);
		return to;
	}
	return ifstate_move_addresses(nl, r->before, to, &r->lab->play->self->underlay);
}

void remote_free(struct remote *r)
{
	ifstate_free(r->before);
	r->before = NULL;
	free(r->tunnels);
	r->tunnels = NULL;
}

int remote_check_edit(const struct lab *lab, const struct journal *st, const char *text,
		      size_t len)
{
	char path[PATH_MAX + 16];
	char *saved = NULL;
	size_t n = 0;
	FILE *f;
	int same;

	journal_labfile(st, path, sizeof(path));
	f = fopen(path, "re");
	if (f) {
		saved = malloc(len + 2);
		n = saved ? fread(saved, 1, len + 1, f) : 0;
		fclose(f);
	}
	same = saved && n == len && !memcmp(saved, text, len);
	free(saved);
	if (same)
		return 1;
	err_set("%s: the lab is up on this computer as machine %s; changing it in place is not "
		"supported with --machine yet: take it down first (`ovslab down %s`)", lab->name,
		lab->play->self->name, lab->name);
	return -EBUSY;
}

/* The interface br-phy holds: the one a played lab borrowed. */
static int remote_borrowed(enum journal_nic_role role, const char *owner, const char *ifname,
			   const char *state, void *arg)
{
	(void)state;
	if (role != JOURNAL_NIC_PORT || strcmp(owner, MACHINES_PHY_BRIDGE))
		return 0;
	snprintf(arg, IF_NAMESIZE, "%s", ifname);
	return 1;
}

void remote_show(const struct lab *lab, const struct journal *st, bool json, FILE *out)
{
	const struct lab_play *p = lab->play;
	struct remote r = { .lab = lab };
	char addr[64], ifname[IF_NAMESIZE] = "";

	if (!p)
		return;
	journal_for_each_nic(st, 0, remote_borrowed, ifname);
	lab_addr_str(&p->self->underlay, addr, sizeof(addr));
	if (remote_tunnels(&r) < 0)
		r.om.n_tunnels = 0;
	if (json) {
		fputs(",\"plays\":{\"machine\":", out);
		json_str(out, p->self->name);
		fputs(",\"underlay\":", out);
		json_str(out, addr);
		fputs(",\"interface\":", out);
		json_str(out, ifname);
		fputs(",\"tunnels\":[", out);
	} else {
		fprintf(out, "machine %s: this computer; underlay %s on %s, interface %s borrowed\n",
			p->self->name, addr, MACHINES_PHY_BRIDGE, ifname[0] ? ifname : "(none)");
	}
	for (size_t i = 0; i < r.om.n_tunnels; i++) {
		const struct ovsdb_tunnel *t = &r.tunnels[i];
		const char *peer = p->tunnels[i].peer ? p->tunnels[i].peer->name : "(the flow's)";
		const char *kv[][2] = { { "name", t->name }, { "bridge", t->bridge },
					{ "type", t->type }, { "remote", t->remote },
					{ "machine", peer } };
		char key[16];

		if (t->key_flow)
			snprintf(key, sizeof(key), "flow");
		else
			snprintf(key, sizeof(key), "%u", t->key);
		if (!json) {
			fprintf(out, "  tunnel %s on %s: %s to %s (machine %s), key %s\n", t->name,
				t->bridge, t->type, t->remote, peer, key);
			continue;
		}
		fputs(i ? "," : "", out);
		for (size_t k = 0; k < sizeof(kv) / sizeof(kv[0]); k++) {
			fprintf(out, "%s\"%s\":", k ? "," : "{", kv[k][0]);
			json_str(out, kv[k][1]);
		}
		fprintf(out, t->key_flow ? ",\"key\":\"%s\"}" : ",\"key\":%s}", key);
	}
	if (json)
		fputs("]}", out);
	free(r.tunnels);
}
