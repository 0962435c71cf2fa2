/* The Open vSwitch options of the lab model: freeing them, the patch port
 * names, and which ports a mirror names. */
#include "model/lab.h"

#include <stdlib.h>
#include <string.h>

static void lab_strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void lab_kv_free(struct lab_kv *kv, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(kv[i].key);
		free(kv[i].value);
	}
	free(kv);
}

void lab_bridge_settings_free(struct lab_bridge_settings *settings)
{
	free(settings->datapath);
	free(settings->fail_mode);
	lab_strv_free(settings->protocols, settings->n_protocols);
	lab_strv_free(settings->controllers, settings->n_controllers);
	lab_kv_free(settings->other_config, settings->n_other_config);
	lab_kv_free(settings->external_ids, settings->n_external_ids);
	memset(settings, 0, sizeof(*settings));
}

void lab_patch_free(struct lab_patch *p)
{
	for (int i = 0; i < 2; i++) {
		free(p->bridge[i]);
		free(p->port[i]);
	}
	memset(p, 0, sizeof(*p));
}

static void lab_mirror_ref_free(struct lab_mirror_ref *r)
{
	free(r->host);
	free(r->ifname);
}

void lab_mirror_free(struct lab_mirror *m)
{
	free(m->name);
	free(m->bridge);
	for (size_t i = 0; i < m->n_select; i++)
		lab_mirror_ref_free(&m->select[i]);
	free(m->select);
	lab_mirror_ref_free(&m->to);
	memset(m, 0, sizeof(*m));
}

void lab_patch_port_name(const char *from, const char *to, char out[16])
{
	size_t na = strlen(from), nb = strlen(to);

	/* Both names stay recognisable: the longer one gives way first. */
	while (na + 1 + nb > LAB_NAME_MAX) {
		if (na >= nb)
			na--;
		else
			nb--;
	}
	memcpy(out, from, na);
	out[na] = '-';
	memcpy(out + na + 1, to, nb);
	out[na + 1 + nb] = '\0';
}

size_t lab_mirror_ports(const struct lab *lab, const char *bridge,
			const struct lab_mirror_ref *ref, bool first_only,
			void (*fn)(const char *port, void *arg), void *arg)
{
	const struct lab_host *h = lab_find_host(lab, ref->host);
	size_t n = 0;

	for (size_t i = 0; h && i < h->n_ifaces; i++) {
		const struct lab_iface *ifc = &h->ifaces[i];

		if (ifc->attach != LAB_ATTACH_BRIDGE || !ifc->bridge || !ifc->port ||
		    strcmp(ifc->bridge, bridge))
			continue;
		if (ref->ifname && strcmp(ref->ifname, ifc->ifname))
			continue;
		if (fn)
			fn(ifc->port, arg);
		n++;
		if (first_only)
			break;
	}
	return n;
}
