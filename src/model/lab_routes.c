/* The routes a host gets: the ones it declares, and the default ones a
 * bridge gateway or a machine attachment gives it.  Pure: both the plan
 * (what changes) and the builder (what to make) ask here. */
#include "model/lab.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

bool lab_iface_has_family(const struct lab_iface *ifc, int family)
{
	for (size_t i = 0; i < ifc->n_addrs; i++)
		if (ifc->addrs[i].family == family)
			return true;
	return false;
}

static int lab_routes_push(struct lab_host_route **v, size_t *n, const struct lab_addr *dst,
			   const struct lab_addr *via, const char *dev)
{
	struct lab_host_route *nv = realloc(*v, (*n + 1) * sizeof(**v));

	if (!nv)
		return -ENOMEM;
	*v = nv;
	nv[*n].dst = *dst;
	if (via)
		nv[*n].via = *via;
	else
		memset(&nv[*n].via, 0, sizeof(nv[*n].via));
	nv[*n].dev = dev;
	(*n)++;
	return 0;
}

static bool lab_declares_default(const struct lab_host *h, int family)
{
	for (size_t i = 0; i < h->n_routes; i++)
		if (h->routes[i].dst.family == family && h->routes[i].dst.prefix == 0)
			return true;
	return false;
}

int lab_host_routes(const struct lab *lab, const struct lab_host *h, struct lab_host_route **out)
{
	bool have4 = lab_declares_default(h, AF_INET);
	bool have6 = lab_declares_default(h, AF_INET6);
	struct lab_host_route *v = NULL;
	size_t n = 0;
	int ret = 0;

	/* A host gets one default route per family, from the first interface
	 * that offers one, unless it declares its own. */
	for (size_t i = 0; ret == 0 && i < h->n_ifaces; i++) {
		const struct lab_iface *ifc = &h->ifaces[i];
		const struct lab_bridge *br = ifc->bridge ? lab_find_bridge(lab, ifc->bridge) : NULL;
		struct lab_addr any4 = { .family = AF_INET }, any6 = { .family = AF_INET6 };

		if (br && br->gateway.family && !have4 && lab_iface_has_family(ifc, AF_INET)) {
			ret = lab_routes_push(&v, &n, &any4, &br->gateway, ifc->ifname);
			have4 = true;
		}
		if (ret == 0 && br && br->gateway6.family && !have6 &&
		    lab_iface_has_family(ifc, AF_INET6)) {
			ret = lab_routes_push(&v, &n, &any6, &br->gateway6, ifc->ifname);
			have6 = true;
		}
		if (ret == 0 && ifc->attach == LAB_ATTACH_MACHINE && !have4 &&
		    lab_iface_has_family(ifc, AF_INET)) {
			ret = lab_routes_push(&v, &n, &any4, NULL, ifc->ifname);
			have4 = true;
		}
	}
	for (size_t i = 0; ret == 0 && i < h->n_routes; i++)
		ret = lab_routes_push(&v, &n, &h->routes[i].dst, &h->routes[i].via, h->routes[i].dev);
	if (ret < 0) {
		free(v);
		return ret;
	}
	*out = v;
	return (int)n;
}

bool lab_host_route_eq(const struct lab_host_route *a, const struct lab_host_route *b)
{
	return lab_addr_eq(&a->dst, &b->dst) && lab_addr_eq(&a->via, &b->via) &&
	       !strcmp(a->dev ? a->dev : "", b->dev ? b->dev : "");
}
