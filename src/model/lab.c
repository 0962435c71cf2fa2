/* The lab model's helpers: lookups, addresses, names and freeing (lab.h). */
#include "model/lab.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void lab_iface_free(struct lab_iface *i)
{
	free(i->bridge);
	free(i->ifname);
	free(i->port);
	free(i->physical);
	free(i->parent);
	free(i->addrs);
	free(i->peer_host);
	free(i->peer_ifname);
	free(i->settings.trunks);
}

static void lab_cmd_free(struct lab_cmd *cmd)
{
	size_t i;

	for (i = 0; cmd->argv && i < cmd->argc; i++)
		free(cmd->argv[i]);
	free(cmd->argv);
}

void lab_host_free(struct lab_host *h)
{
	size_t i;

	for (i = 0; i < h->n_ifaces; i++)
		lab_iface_free(&h->ifaces[i]);
	free(h->ifaces);
	for (i = 0; i < h->n_routes; i++)
		free(h->routes[i].dev);
	free(h->routes);
	for (i = 0; i < h->n_sysctls; i++) {
		free(h->sysctls[i].key);
		free(h->sysctls[i].value);
	}
	free(h->sysctls);
	for (i = 0; i < h->n_exec; i++)
		lab_cmd_free(&h->exec[i]);
	free(h->exec);
	free(h->machine);
	free(h->name);
}

void lab_bridge_flows_free(struct lab_bridge *b)
{
	for (size_t i = 0; i < b->n_flows; i++)
		free(b->flows[i].text);
	for (size_t i = 0; i < b->n_groups; i++)
		free(b->groups[i].text);
	free(b->flows);
	free(b->groups);
	for (size_t i = 0; i < b->n_meters; i++)
		free(b->meters[i].text);
	free(b->meters);
	b->meters = NULL;
	b->n_meters = 0;
	free(b->flows_file);
	b->flows = b->groups = NULL;
	b->n_flows = b->n_groups = 0;
	b->flows_file = NULL;
	free(b->openflow);
	b->openflow = NULL;
}

void lab_bridge_free(struct lab_bridge *b)
{
	free(b->name);
	free(b->uplink);
	free(b->gateway_on);
	for (size_t p = 0; p < b->n_pairs; p++) {
		free(b->pairs[p].a);
		free(b->pairs[p].b);
	}
	free(b->pairs);
	for (size_t t = 0; t < b->n_taps; t++)
		free(b->taps[t].name);
	free(b->taps);
	lab_bridge_flows_free(b);
	lab_bridge_settings_free(&b->settings);
	lab_bridge_nics_free(b);
}

void lab_machine_free(struct lab_machine *m)
{
	free(m->name);
	free(m->interface);
	for (size_t f = 0; f < m->n_flows; f++) {
		for (size_t k = 0; k < m->flows[f].n_flows; k++)
			free(m->flows[f].flows[k].text);
		free(m->flows[f].flows);
		free(m->flows[f].bridge);
	}
	free(m->flows);
}

void lab_check_free(struct lab_check *c)
{
	free(c->from);
	free(c->to);
	free(c->to_host);
}

void lab_bridge_nics_free(struct lab_bridge *b)
{
	for (size_t i = 0; i < b->n_nics; i++)
		free(b->nics[i].name);
	free(b->nics);
	b->nics = NULL;
	b->n_nics = 0;
}

const struct lab_nic *lab_find_nic(const struct lab_bridge *b, const char *name)
{
	for (size_t i = 0; i < b->n_nics; i++)
		if (!strcmp(b->nics[i].name, name))
			return &b->nics[i];
	return NULL;
}

const struct lab_bridge *lab_nic_bridge(const struct lab *lab, const char *name)
{
	for (size_t i = 0; i < lab->n_bridges; i++)
		if (lab_find_nic(&lab->bridges[i], name))
			return &lab->bridges[i];
	return NULL;
}

const struct lab_iface *lab_physical_iface(const struct lab *lab, const char *name,
					   const struct lab_host **host)
{
	for (size_t h = 0; h < lab->n_hosts; h++)
		for (size_t i = 0; i < lab->hosts[h].n_ifaces; i++) {
			const struct lab_iface *ifc = &lab->hosts[h].ifaces[i];

			if (ifc->attach == LAB_ATTACH_PHYSICAL && ifc->physical &&
			    !strcmp(ifc->physical, name)) {
				if (host)
					*host = &lab->hosts[h];
				return ifc;
			}
		}
	return NULL;
}

void lab_free(struct lab *lab)
{
	size_t i;

	if (!lab)
		return;
	for (i = 0; i < lab->n_bridges; i++)
		lab_bridge_free(&lab->bridges[i]);
	free(lab->bridges);
	for (i = 0; i < lab->n_hosts; i++)
		lab_host_free(&lab->hosts[i]);
	free(lab->hosts);
	for (i = 0; i < lab->n_links; i++) {
		free(lab->links[i].host[0]);
		free(lab->links[i].host[1]);
		free(lab->links[i].ifname[0]);
		free(lab->links[i].ifname[1]);
	}
	free(lab->links);
	for (i = 0; i < lab->n_checks; i++)
		lab_check_free(&lab->checks[i]);
	free(lab->checks);
	for (i = 0; i < lab->n_patches; i++)
		lab_patch_free(&lab->patches[i]);
	free(lab->patches);
	for (i = 0; i < lab->n_mirrors; i++)
		lab_mirror_free(&lab->mirrors[i]);
	free(lab->mirrors);
	for (i = 0; i < lab->n_machines; i++)
		lab_machine_free(&lab->machines[i]);
	free(lab->machines);
	if (lab->play) {
		for (i = 0; i < lab->play->n_machines; i++)
			lab_machine_free(&lab->play->machines[i]);
		free(lab->play->machines);
		free(lab->play->tunnels);
		free(lab->play);
	}
	free(lab->name);
	free(lab->file);
	free(lab);
}

struct lab_bridge *lab_find_bridge(const struct lab *lab, const char *name)
{
	size_t i;

	if (!lab || !name)
		return NULL;
	for (i = 0; i < lab->n_bridges; i++)
		if (lab->bridges[i].name && !strcmp(lab->bridges[i].name, name))
			return &lab->bridges[i];
	return NULL;
}

struct lab_host *lab_find_host(const struct lab *lab, const char *name)
{
	size_t i;

	if (!lab || !name)
		return NULL;
	for (i = 0; i < lab->n_hosts; i++)
		if (lab->hosts[i].name && !strcmp(lab->hosts[i].name, name))
			return &lab->hosts[i];
	return NULL;
}

struct lab_iface *lab_find_iface(const struct lab_host *host, const char *ifname)
{
	size_t i;

	if (!host || !ifname)
		return NULL;
	for (i = 0; i < host->n_ifaces; i++)
		if (host->ifaces[i].ifname && !strcmp(host->ifaces[i].ifname, ifname))
			return &host->ifaces[i];
	return NULL;
}

const char *lab_addr_str(const struct lab_addr *a, char *buf, size_t len)
{
	char ip[INET6_ADDRSTRLEN];

	if (!len)
		return buf;
	if ((a->family != AF_INET && a->family != AF_INET6) ||
	    !inet_ntop(a->family, &a->v6, ip, sizeof(ip))) {
		snprintf(buf, len, "(no address)");
		return buf;
	}
	snprintf(buf, len, "%s/%u", ip, a->prefix);
	return buf;
}

/* Strict decimal: digits only, so "/ 24", "/+24" and "/24x" are refused. */
static int parse_prefix(const char *s, unsigned int max, uint8_t *out)
{
	unsigned int v = 0;
	size_t n;

	for (n = 0; s[n]; n++) {
		if (s[n] < '0' || s[n] > '9' || n >= 3)
			return -EINVAL;
		v = v * 10 + (unsigned int)(s[n] - '0');
	}
	if (!n || v > max)
		return -EINVAL;
	*out = (uint8_t)v;
	return 0;
}

int lab_addr_parse(const char *s, struct lab_addr *out)
{
	char ip[INET6_ADDRSTRLEN];
	struct lab_addr a = { 0 };
	const char *slash;
	size_t n;

	if (!s)
		return -EINVAL;
	slash = strchr(s, '/');
	if (!slash)
		return -EINVAL;
	n = (size_t)(slash - s);
	if (!n || n >= sizeof(ip))
		return -EINVAL;
	memcpy(ip, s, n);
	ip[n] = '\0';
	a.family = strchr(ip, ':') ? AF_INET6 : AF_INET;
	if (inet_pton(a.family, ip, &a.v6) != 1)
		return -EINVAL;
	if (parse_prefix(slash + 1, a.family == AF_INET ? 32 : 128, &a.prefix) < 0)
		return -EINVAL;
	*out = a;
	return 0;
}

static size_t addr_bytes(const struct lab_addr *a)
{
	return a->family == AF_INET ? 4 : a->family == AF_INET6 ? 16 : 0;
}

/* Keeps the first `prefix` bits of the address in b, clears the rest. */
static void mask_bits(uint8_t *b, size_t nbytes, unsigned int prefix)
{
	size_t i;

	for (i = 0; i < nbytes; i++) {
		if (prefix >= 8)
			prefix -= 8;
		else {
			b[i] &= (uint8_t)(0xff00u >> prefix);
			prefix = 0;
		}
	}
}

bool lab_addr_eq(const struct lab_addr *a, const struct lab_addr *b)
{
	if (a->family != b->family || a->prefix != b->prefix)
		return false;
	if (a->family == AF_INET)
		return a->v4.s_addr == b->v4.s_addr;
	return a->family == 0 || !memcmp(&a->v6, &b->v6, sizeof(a->v6));
}

struct lab_addr lab_addr_network(const struct lab_addr *a)
{
	struct lab_addr n = *a;

	mask_bits((uint8_t *)&n.v6, addr_bytes(&n), n.prefix);
	return n;
}

bool lab_addr_in_subnet(const struct lab_addr *a, const struct lab_addr *b)
{
	struct lab_addr na, nb;

	if (!a->family || a->family != b->family)
		return false;
	na = lab_addr_network(a);
	nb = *b;
	mask_bits((uint8_t *)&nb.v6, addr_bytes(&nb), a->prefix);
	return !memcmp(&na.v6, &nb.v6, addr_bytes(a));
}

bool lab_name_valid(const char *s)
{
	size_t n;

	if (!s || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	n = strlen(s);
	if (n < 1 || n > LAB_NAME_MAX)
		return false;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		/* Same bytes the kernel refuses in interface names, plus ':'. */
		if (c == '/' || c == ':' || c <= ' ' || c == 0x7f)
			return false;
	}
	return true;
}

#define LAB_STR_(x) #x
#define LAB_STR(x) LAB_STR_(x)

const char *lab_name_problem(const char *s)
{
	size_t n;

	if (lab_name_valid(s))
		return NULL;
	n = s ? strlen(s) : 0;
	if (!n)
		return "is empty";
	if (n > LAB_NAME_MAX)
		return "is longer than " LAB_STR(LAB_NAME_MAX) " bytes";
	if (!strcmp(s, ".") || !strcmp(s, ".."))
		return "is not a valid name: \".\" and \"..\" are reserved";
	if (strchr(s, '/'))
		return "is not a valid name: it contains '/'";
	if (strchr(s, ':'))
		return "is not a valid name: it contains ':' (reserved for host:interface)";
	return "is not a valid name: it contains a space or a control character";
}

const char *lab_labname_problem(const char *s)
{
	const char *why = lab_name_problem(s);

	if (!why && s[0] == '.')
		return "must not start with a dot";
	return why;
}

void lab_port_default(const char *host, size_t idx, char out[16])
{
	char suffix[32];
	size_t room, hlen, slen;

	if (idx)
		snprintf(suffix, sizeof(suffix), "_tap%zu", idx);
	else
		snprintf(suffix, sizeof(suffix), "_tap");
	slen = strlen(suffix);
	if (slen > LAB_NAME_MAX)
		slen = LAB_NAME_MAX;
	/* The suffix is what tells the ports apart: shorten the host part. */
	room = LAB_NAME_MAX - slen;
	hlen = strnlen(host, room);
	memcpy(out, host, hlen);
	memcpy(out + hlen, suffix, slen);
	out[hlen + slen] = '\0';
}
