/* The lab model: what a lab file declares, after parsing and validation.
 * Every string is owned by the lab and freed by lab_free(). */
#ifndef OVSLAB_LAB_H
#define OVSLAB_LAB_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LAB_NAME_MAX 15 /* IFNAMSIZ - 1: names end up as interface names */

/* Where in the lab file a value came from, for file:line:col messages. */
struct lab_pos {
	int line; /* 1-based */
	int col;  /* 1-based */
};

struct lab_addr {
	int family; /* AF_INET or AF_INET6; 0 when unset */
	union {
		struct in_addr v4;
		struct in6_addr v6;
	};
	uint8_t prefix;
};

struct lab_bridge {
	char *name;
	struct lab_addr gateway; /* family 0: no gateway */
	bool nat;
	char *uplink;            /* NULL: none; "auto": default route's device */
	struct lab_pos pos;
};

struct lab_iface {
	char *bridge;            /* name of a lab_bridge */
	char *ifname;            /* inside the host's namespace */
	char *port;              /* bridge side of the veth pair */
	struct lab_addr addr;    /* family 0: no address */
	struct lab_pos pos;
};

struct lab_host {
	char *name;              /* also the namespace name */
	struct lab_iface *ifaces;
	size_t n_ifaces;
	struct lab_pos pos;
};

struct lab {
	char *name;
	char *file;              /* path it was read from, for messages */
	struct lab_bridge *bridges;
	size_t n_bridges;
	struct lab_host *hosts;
	size_t n_hosts;
};

void lab_free(struct lab *lab);

struct lab_bridge *lab_find_bridge(const struct lab *lab, const char *name);
struct lab_host *lab_find_host(const struct lab *lab, const char *name);

/* Formats "a.b.c.d/len" or "x::y/len" into buf (at least 64 bytes). */
const char *lab_addr_str(const struct lab_addr *a, char *buf, size_t len);
/* Parses "a.b.c.d/len" or an IPv6 "addr/len"; 0 or -EINVAL. */
int lab_addr_parse(const char *s, struct lab_addr *out);
/* The network of a: host bits cleared. */
struct lab_addr lab_addr_network(const struct lab_addr *a);
/* Whether b lies inside the subnet of a (same family, a's prefix). */
bool lab_addr_in_subnet(const struct lab_addr *a, const struct lab_addr *b);

/* Whether s is a safe interface / namespace / file name: 1..15 bytes, no '/',
 * no whitespace, not "." or "..", no ':' (reserved for host:iface). */
bool lab_name_valid(const char *s);

/* Default bridge-side port name for a host interface: "<host>_tap" when that
 * fits in 15 bytes, else a shortened form that still names the host. */
void lab_port_default(const char *host, size_t idx, char out[16]);

#endif
