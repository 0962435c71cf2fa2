/* The checks: section of a lab file: reachability checks between hosts (ICMP
 * echo or a TCP connection), read here and resolved once every host is known.
 * Problems go to labfile.c's list as file:line:col messages. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "labfile/labfile_int.h"

#define CHECK_COUNT_DEFAULT 3
#define CHECK_COUNT_MAX 100
#define CHECK_TIMEOUT_MS_DEFAULT 2000 /* a userspace switch under load can take a second to answer the first ARP */
#define CHECK_TIMEOUT_MAX 60

/* Where the keys that depend on each other sat, while one check is read. */
struct check_slot {
	struct lab_check *ck;
	struct lab_pos service, count;
	bool service_seen, count_seen, bad;
};

/* A whole number within [lo, hi], or -1 once the problem is reported. */
static long check_uint(struct ctx *c, const yaml_node_t *key, const yaml_node_t *val,
		       long lo, long hi)
{
	const char *s = labfile_scalar(c, key, val);
	char *end;
	long v;

	if (!s)
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (s[0] < '0' || s[0] > '9' || *end || errno || v < lo || v > hi) {
		labfile_report(c, labfile_pos(val),
			       "\"%s\" must be a whole number from %ld to %ld, not \"%s\"",
			       labfile_text(key), lo, hi, s);
		return -1;
	}
	return v;
}

static void check_from(struct ctx *c, const yaml_node_t *key, const yaml_node_t *val,
		       void *obj)
{
	struct check_slot *s = obj;
	const char *v = labfile_scalar(c, key, val);

	if (v && labfile_name(c, val, "check source host", v)) {
		s->ck->from = labfile_strdup(c, v);
		s->ck->pos_from = labfile_pos(val);
	} else {
		s->bad = true;
	}
}

static void check_to(struct ctx *c, const yaml_node_t *key, const yaml_node_t *val,
		     void *obj)
{
	struct check_slot *s = obj;
	const char *v = labfile_scalar(c, key, val);

	if (v && v[0]) {
		s->ck->to = labfile_strdup(c, v);
		s->ck->pos_to = labfile_pos(val);
		return;
	}
	if (v)
		labfile_report(c, labfile_pos(val), "\"to\" must name a host or an address");
	s->bad = true;
}

static void check_expect(struct ctx *c, const yaml_node_t *key, const yaml_node_t *val,
			 void *obj)
{
	struct check_slot *s = obj;
	const char *v = labfile_scalar(c, key, val);

	if (v && (!strcmp(v, "reach") || !strcmp(v, "no-reach")))
		s->ck->expect_reach = !strcmp(v, "reach");
	else if (v)
		labfile_report(c, labfile_pos(val),
			       "\"expect\" must be reach or no-reach, not \"%s\"", v);
}

static void check_tcp(struct ctx *c, const yaml_node_t *key, const yaml_node_t *val,
		      void *obj)
{
	struct check_slot *s = obj;
	long v = check_uint(c, key, val, 1, 65535);

	if (v > 0)
		s->ck->tcp = (uint16_t)v;
	else
		s->bad = true;
}

static void check_service(struct ctx *c, const yaml_node_t *key, const yaml_node_t *val,
			  void *obj)
{
	struct check_slot *s = obj;

	s->service_seen = true;
	s->service = labfile_pos(key);
	labfile_bool(c, key, val, &s->ck->service);
}

static void check_count(struct ctx *c, const yaml_node_t *key, const yaml_node_t *val,
			void *obj)
{
	struct check_slot *s = obj;
	long v = check_uint(c, key, val, 1, CHECK_COUNT_MAX);

	s->count_seen = true;
	s->count = labfile_pos(key);
	if (v > 0)
		s->ck->count = (unsigned int)v;
}

static void check_timeout(struct ctx *c, const yaml_node_t *key, const yaml_node_t *val,
			  void *obj)
{
	struct check_slot *s = obj;
	const char *v = labfile_scalar(c, key, val);
	char *end;
	double t;

	if (!v)
		return;
	errno = 0;
	t = strtod(v, &end);
	/* At least a millisecond: the probes' clock counts in them. */
	if (end == v || *end || errno || !(t >= 0.001 && t <= CHECK_TIMEOUT_MAX)) {
		labfile_report(c, labfile_pos(val),
			       "\"timeout\" must be a number of seconds from 0.001 to "
			       STR(CHECK_TIMEOUT_MAX) ", not \"%s\"", v);
		return;
	}
	s->ck->timeout_ms = (unsigned int)(t * 1000 + 0.5);
}

static const struct setting check_settings[] = {
	{ "from", check_from },
	{ "to", check_to },
	{ "expect", check_expect },
	{ "tcp", check_tcp },
	{ "service", check_service },
	{ "count", check_count },
	{ "timeout", check_timeout },
};

static void check_clear(struct lab_check *ck)
{
	free(ck->from);
	free(ck->to);
	free(ck->to_host);
	memset(ck, 0, sizeof(*ck));
}

static void add_check(struct ctx *c, const yaml_node_t *item)
{
	struct lab *lab = labfile_lab(c);
	struct lab_check *ck = &lab->checks[lab->n_checks];
	struct check_slot s = { .ck = ck };
	const yaml_node_pair_t *start, *end;

	if (item->type != YAML_MAPPING_NODE) {
		labfile_report(c, labfile_pos(item),
			       "a check must be a mapping like {from: ns01, to: ns02}, not %s",
			       labfile_kind(item));
		return;
	}
	*ck = (struct lab_check){ .expect_reach = true, .count = CHECK_COUNT_DEFAULT,
				  .timeout_ms = CHECK_TIMEOUT_MS_DEFAULT, .pos = labfile_pos(item) };
	labfile_pairs(item, &start, &end);
	labfile_walk(c, start, end, check_settings, ARRAY_SIZE(check_settings), &s);
	if (!s.bad && !ck->from)
		labfile_report(c, ck->pos, "check: missing key \"from\"");
	if (!s.bad && !ck->to)
		labfile_report(c, ck->pos, "check: missing key \"to\"");
	if (s.service_seen && ck->service && !ck->tcp)
		labfile_report(c, s.service,
			       "\"service\" applies to TCP checks only (add \"tcp: PORT\")");
	/* One connection attempt; the kernel resends the SYN itself. */
	if (s.count_seen && ck->tcp)
		labfile_report(c, s.count,
			       "\"count\" applies to ICMP echo checks only, not to \"tcp\"");
	if (s.bad || !ck->from || !ck->to) {
		check_clear(ck);
		return;
	}
	lab->n_checks++;
}

void labfile_checks_top(struct ctx *c, const yaml_node_t *key, const yaml_node_t *val)
{
	struct lab *lab = labfile_lab(c);
	yaml_node_item_t *it, *end;

	(void)key;
	if (!labfile_items(val, &it, &end)) {
		labfile_report(c, labfile_pos(val),
			       "\"checks\" must be a list of checks like {from: ns01, to: ns02}");
		return;
	}
	lab->checks = calloc((size_t)(end - it) + 1, sizeof(*lab->checks));
	if (!lab->checks) {
		labfile_nomem(c);
		return;
	}
	for (; it < end && !labfile_oom(c); it++)
		add_check(c, labfile_node(c, *it));
}

/* The host that has the address, if any. */
static const struct lab_host *check_owner(const struct lab *lab, const struct lab_addr *a)
{
	for (size_t i = 0; i < lab->n_hosts; i++)
		for (size_t f = 0; f < lab->hosts[i].n_ifaces; f++)
			for (size_t k = 0; k < lab->hosts[i].ifaces[f].n_addrs; k++)
				if (labfile_same_ip(&lab->hosts[i].ifaces[f].addrs[k], a))
					return &lab->hosts[i];
	return NULL;
}

static const struct lab_addr *check_first_addr(const struct lab_host *h)
{
	for (size_t f = 0; f < h->n_ifaces; f++)
		if (h->ifaces[f].n_addrs)
			return &h->ifaces[f].addrs[0];
	return NULL;
}

/* Hosts are known once the whole file is read: checks may come first. */
static void resolve_check(struct ctx *c, struct lab_check *ck)
{
	const struct lab *lab = labfile_lab(c);
	const struct lab_host *h;
	const struct lab_addr *a;
	struct lab_addr lit = { 0 };

	if (!lab_find_host(lab, ck->from))
		labfile_report(c, ck->pos_from, "check: \"%s\" is not a host of the lab", ck->from);
	if (inet_pton(AF_INET, ck->to, &lit.v4) == 1) {
		lit.family = AF_INET;
		lit.prefix = 32;
	} else if (inet_pton(AF_INET6, ck->to, &lit.v6) == 1) {
		lit.family = AF_INET6;
		lit.prefix = 128;
	}
	if (lit.family) {
		ck->addr = lit;
		h = check_owner(lab, &lit);
		ck->to_host = h ? labfile_strdup(c, h->name) : NULL;
		return;
	}
	h = lab_find_host(lab, ck->to);
	a = h ? check_first_addr(h) : NULL;
	if (!h) {
		labfile_report(c, ck->pos_to,
			       "check: \"%s\" is neither a host of the lab nor an address", ck->to);
		return;
	}
	if (!a) {
		labfile_report(c, ck->pos_to, "check: host \"%s\" has no address to reach", ck->to);
		return;
	}
	ck->addr = *a;
	ck->addr.prefix = a->family == AF_INET ? 32 : 128;
	ck->to_host = labfile_strdup(c, h->name);
}

void labfile_checks_resolve(struct ctx *c)
{
	struct lab *lab = labfile_lab(c);

	for (size_t i = 0; i < lab->n_checks && !labfile_oom(c); i++)
		resolve_check(c, &lab->checks[i]);
}
