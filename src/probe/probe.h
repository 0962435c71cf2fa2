/* The socket engine of `ovslab check`: ICMP echoes and TCP connects from
 * inside named namespaces, all at once, in this one process.  Sockets are
 * opened inside each namespace (setns there and back) and driven by one epoll
 * loop: one raw ICMP socket per source namespace and family, one non-blocking
 * TCP socket per TCP probe, and, for TCP probes that ask for it, a listener
 * in the target namespace when nothing listens on the port there. */
#ifndef OVSLAB_PROBE_H
#define OVSLAB_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/lab.h"

/* Echo requests of one probe are at most this far apart. */
#define PROBE_INTERVAL_MS 200

struct probe {
	/* What to probe. */
	const char *from;        /* source namespace */
	const char *to_ns;       /* namespace that owns dst, or NULL */
	struct lab_addr dst;     /* AF_INET or AF_INET6 */
	uint16_t tcp;            /* TCP port; 0: ICMP echo */
	bool listen;             /* TCP: listen in to_ns when nothing does */
	unsigned int count;      /* echo requests (ICMP) */
	unsigned int timeout_ms; /* from the probe's start */
	/* Pairs (--all): twin is the index + 1 of the reverse probe (0: none).
	 * The first of a pair (lead) starts when the window has room, its twin
	 * when it is done; then the neighbour entries the pair made go
	 * (neigh.h): dst on from_if in from, src on to_if in to_ns.  A pair
	 * counts once against the window. */
	size_t twin;
	bool lead;
	const char *from_if, *to_if;
	struct lab_addr src;
	/* What was observed. */
	bool reached;
	double ms;               /* to the first answer; the time waited when none */
	char detail[48];         /* why not: "timeout", "refused", "no route", ... */
};

/* Runs the probes in parallel and fills in what was observed: at most
 * `window` (0: no limit) at a time, a pair counting as one.  Returns 0 whatever the probes observed, or -errno when a
 * namespace or a socket cannot be had (message set). */
int probe_run(struct probe *probes, size_t n, size_t window);

#endif
