/* A lab that is up, as the machine has it compared with its saved lab file:
 * what went missing or changed behind ovslab's back (its drift).  Plain
 * data: apply/observe.c fills it, plan/ and `show` read it. */
#ifndef OVSLAB_DRIFT_H
#define OVSLAB_DRIFT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* What a lab that is up lacks on the machine, compared with its saved lab
 * file: apply/observe.c finds it, plan/ turns it into steps (plan_repair).  Names
 * point into the saved lab. */
enum lab_drift_what {
	LAB_DRIFT_NS = 1 << 0,      /* host: namespace missing */
	LAB_DRIFT_IFACE = 1 << 1,   /* host: an interface (inside, or its outer end) missing */
	LAB_DRIFT_ADDR = 1 << 2,    /* host: an address missing */
	LAB_DRIFT_ROUTE = 1 << 3,   /* host: a route missing */
	LAB_DRIFT_PORT = 1 << 4,    /* host: an interface's switch port missing */
	LAB_DRIFT_BRIDGE = 1 << 5,  /* bridge: missing in the switch */
	LAB_DRIFT_GATEWAY = 1 << 6, /* bridge: gateway address missing */
	LAB_DRIFT_FLOWS = 1 << 7,   /* bridge: its flows are not the declared ones */
};

struct lab_drift_item {
	const char *name;  /* the host or bridge */
	unsigned what;     /* enum lab_drift_what bits */
};

struct lab_drift {
	bool switchd_dead;  /* the private switch's ovs-vswitchd does not run */
	bool ovsdb_dead;    /* its ovsdb-server does not run */
	bool nat;           /* NAT rules missing */
	struct lab_drift_item *hosts, *bridges;
	size_t n_hosts, n_bridges;
};

/* Whether the drift holds anything. */
bool lab_drift_any(const struct lab_drift *d);
/* Notes what of a host or bridge is missing (items kept by name). */
int lab_drift_note(struct lab_drift *d, bool bridge, const char *name, unsigned what);
void lab_drift_free(struct lab_drift *d);
/* "! host ns02: namespace missing" and the like, one line per finding. */
void lab_drift_print(const struct lab_drift *d, FILE *out);
/* The findings of one item in words: "namespace missing, routes missing". */
void lab_drift_str(unsigned what, char *buf, size_t len);

#endif
