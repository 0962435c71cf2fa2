/* The lab-file reader: YAML (bounded) into the model, the top level, bridges,
 * hosts and interfaces, and the validation of the whole lab (labfile.h). */
#include "labfile/labfile.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "util/err.h"
#include "util/keymap.h"
#include "labfile/labfile_int.h"

#define EXP_MAX 320 /* room for an "(expected ...)" list */
/* An address on its segment: family, address, bridge name or "" for the
 * machine's side (see addr_key). */
#define ADDR_KEY_LEN (1 + 16 + LAB_NAME_MAX + 2)

/* One problem found; all are kept until the end so they print in file order. */
struct problem {
	struct lab_pos pos;
	size_t seq;
	char *text;
	const char *file; /* set: the problem is at line pos_file of this file */
	int line_file;
};

/* Where values sat in the file, for the validation that compares entities. */
struct bridge_marks {
	struct lab_pos gateway, gateway6, nat;
	bool gateway_bad;
	struct lab_pos flows_file;
};

struct iface_marks {
	struct lab_pos bridge, port, ifname;
	struct lab_pos *addr;    /* parallel to the interface's addrs */
	bool bridge_seen, port_seen, addr_seen, ifname_seen;
	bool linked;             /* already the end of a link */
	bool parent_seen, vlan_id_seen;
	struct lab_pos parent, vlan_id;
	bool addr_auto;          /* address: auto, at addr_auto_pos */
	struct lab_pos addr_auto_pos;
};

struct route_marks {
	struct lab_pos via;
	struct lab_pos dev;
};

struct host_marks {
	struct iface_marks *im;  /* parallel to the host's ifaces */
	size_t n_im;
	struct route_marks *rm;  /* parallel to the host's routes */
};

struct link_marks {
	struct lab_pos end[2];
};

struct bridge_slot {
	struct lab_bridge *b;
	struct bridge_marks *m;
};

struct host_slot {
	struct lab_host *h;
	struct host_marks *m;
	bool long_form;          /* has "interfaces:" */
};

struct iface_slot {
	struct lab_iface *ifc;
	struct iface_marks *m;
};

struct route_slot {
	struct lab_route *r;
	struct route_marks *m;
	bool to_seen, to_default, bad;
};

struct ctx {
	const char *display;
	const char *flows_dir;   /* set: flows_file is read from DIR/BRIDGE.flows */
	yaml_document_t *doc;
	struct lab *lab;
	struct bridge_marks *bm; /* parallel to lab->bridges */
	struct host_marks *hm;   /* parallel to lab->hosts */
	size_t n_hm;             /* allocated, so even a dropped slot is freed */
	struct link_marks *lm;   /* parallel to lab->links */
	struct lab *dropped;     /* duplicate hosts, read for their problems */
	struct problem *probs;
	size_t n_probs, cap_probs;
	size_t n_seq;            /* problems reported, to keep their order */
	size_t n_more;           /* past the ones kept: counted, not printed */
	bool name_seen;
	bool nomem;
	/* For the checks across many hosts, in one pass each (see check_lab). */
	struct keymap host_by_name, port_owner, addr_owner;
	char (*addr_keys)[ADDR_KEY_LEN];
};

/* The pairs of a mapping node; empty for a null value. */
struct pairs {
	const yaml_node_pair_t *start, *end;
	struct keymap *seen;     /* set: the keys so far, for a long mapping */
};

/* ---- problems ---------------------------------------------------------- */

/* Keeps each problem on one line whatever a quoted YAML string held. */
static void scrub(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < ' ' || *s == 0x7f)
			*s = '?';
}

static void report(struct ctx *c, struct lab_pos pos, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int problem_cmp(const void *a, const void *b);

/* Only the first LABFILE_PROBLEMS_SHOWN in file order are printed: past
 * PROBLEMS_KEPT, the others are freed and only counted, so a file that
 * repeats one mistake a million times costs no more than this. */
#define PROBLEMS_KEPT (LABFILE_PROBLEMS_SHOWN * 100)

static void problems_trim(struct ctx *c)
{
	size_t i;

	qsort(c->probs, c->n_probs, sizeof(*c->probs), problem_cmp);
	for (i = LABFILE_PROBLEMS_SHOWN; i < c->n_probs; i++)
		free(c->probs[i].text);
	c->n_more += c->n_probs - LABFILE_PROBLEMS_SHOWN;
	c->n_probs = LABFILE_PROBLEMS_SHOWN;
}

/* The problem just added, or NULL when memory ran out. */
static struct problem *report_v(struct ctx *c, struct lab_pos pos, const char *fmt,
				va_list ap)
{
	struct problem *p = c->probs;
	size_t cap = c->cap_probs;
	char *text;

	if (vasprintf(&text, fmt, ap) < 0) {
		c->nomem = true;
		return NULL;
	}
	if (c->n_probs == PROBLEMS_KEPT)
		problems_trim(c);
	if (c->n_probs == cap) {
		cap = cap ? cap * 2 : 16;
		p = realloc(c->probs, cap * sizeof(*p));
		if (!p) {
			free(text);
			c->nomem = true;
			return NULL;
		}
		c->probs = p;
		c->cap_probs = cap;
	}
	scrub(text);
	p[c->n_probs] = (struct problem){ pos, c->n_seq++, text, NULL, 0 };
	return &p[c->n_probs++];
}

static void report(struct ctx *c, struct lab_pos pos, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report_v(c, pos, fmt, ap);
	va_end(ap);
}

static int problem_cmp(const void *a, const void *b)
{
	const struct problem *x = a, *y = b;

	if (x->pos.line != y->pos.line)
		return x->pos.line < y->pos.line ? -1 : 1;
	if (x->pos.col != y->pos.col)
		return x->pos.col < y->pos.col ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void print_problems(struct ctx *c, FILE *diag)
{
	size_t i;

	if (c->n_probs > LABFILE_PROBLEMS_SHOWN)
		problems_trim(c);
	else if (c->n_probs)
		qsort(c->probs, c->n_probs, sizeof(*c->probs), problem_cmp);
	for (i = 0; diag && i < c->n_probs; i++)
		if (c->probs[i].file)
			fprintf(diag, "%s:%d: %s\n", c->probs[i].file, c->probs[i].line_file,
				c->probs[i].text);
		else
			fprintf(diag, "%s:%d:%d: %s\n", c->display, c->probs[i].pos.line,
			c->probs[i].pos.col, c->probs[i].text);
	if (diag && c->n_more)
		fprintf(diag, "%s: ... and %zu more problem%s\n", c->display, c->n_more,
			c->n_more == 1 ? "" : "s");
}

/* ---- small helpers ----------------------------------------------------- */

static struct lab_pos pos_of(const yaml_node_t *n)
{
	return (struct lab_pos){ (int)n->start_mark.line + 1,
				 (int)n->start_mark.column + 1 };
}

static const yaml_node_t *node(struct ctx *c, int id)
{
	return yaml_document_get_node(c->doc, id);
}

static const char *text(const yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

static const char *kind(const yaml_node_t *n)
{
	switch (n->type) {
	case YAML_MAPPING_NODE:
		return "a mapping";
	case YAML_SEQUENCE_NODE:
		return "a list";
	default:
		return "a single value";
	}
}

/* A scalar without an embedded NUL (a "\0" escape), so C strings hold it. */
static bool plain_string(const yaml_node_t *n)
{
	return n->type == YAML_SCALAR_NODE &&
	       strlen(text(n)) == n->data.scalar.length;
}

static bool is_null(const yaml_node_t *n)
{
	static const char *const nulls[] = { "", "~", "null", "Null", "NULL" };
	size_t i;

	if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	for (i = 0; i < ARRAY_SIZE(nulls); i++)
		if (!strcmp(text(n), nulls[i]))
			return true;
	return false;
}

/* A list, or an empty value standing for an empty list. */
static bool get_items(const yaml_node_t *n, yaml_node_item_t **start,
		      yaml_node_item_t **end)
{
	*start = *end = NULL;
	if (n->type == YAML_SEQUENCE_NODE) {
		*start = n->data.sequence.items.start;
		*end = n->data.sequence.items.top;
		return true;
	}
	return is_null(n);
}

/* A mapping, or an empty value standing for an empty mapping. */
static bool get_pairs(const yaml_node_t *n, struct pairs *ps)
{
	ps->start = ps->end = NULL;
	ps->seen = NULL;
	if (n->type == YAML_MAPPING_NODE) {
		ps->start = n->data.mapping.pairs.start;
		ps->end = n->data.mapping.pairs.top;
		return true;
	}
	return is_null(n);
}

static char *str_dup(struct ctx *c, const char *s)
{
	char *d = strdup(s);

	if (!d)
		c->nomem = true;
	return d;
}

static const char *ip_str(const struct lab_addr *a, char *buf, size_t len)
{
	char *slash;

	lab_addr_str(a, buf, len);
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	return buf;
}

static const char *net_str(const struct lab_addr *a, char *buf, size_t len)
{
	struct lab_addr net = lab_addr_network(a);

	return lab_addr_str(&net, buf, len);
}

static bool same_ip(const struct lab_addr *a, const struct lab_addr *b)
{
	size_t n = a->family == AF_INET ? sizeof(a->v4) : sizeof(a->v6);

	return a->family && a->family == b->family && !memcmp(&a->v6, &b->v6, n);
}

/* ---- values ------------------------------------------------------------ */

static const char *name_problem(const char *s)
{
	return lab_name_problem(s);
}

static bool validate_name(struct ctx *c, const yaml_node_t *at, const char *what,
		       const char *s)
{
	if (lab_name_valid(s))
		return true;
	report(c, pos_of(at), "%s \"%s\" %s", what, s, name_problem(s));
	return false;
}

/* The value of key as a string, or NULL once the problem is reported. */
static const char *want_scalar(struct ctx *c, const yaml_node_t *key,
			       const yaml_node_t *val)
{
	if (val->type != YAML_SCALAR_NODE) {
		report(c, pos_of(val), "\"%s\" must be a single value, not %s",
		       text(key), kind(val));
		return NULL;
	}
	if (!plain_string(val)) {
		report(c, pos_of(val), "\"%s\" contains a NUL character", text(key));
		return NULL;
	}
	return text(val);
}

static bool parse_addr(struct ctx *c, const yaml_node_t *at, const char *s,
		       struct lab_addr *out)
{
	if (lab_addr_parse(s, out) == 0)
		return true;
	memset(out, 0, sizeof(*out));
	report(c, pos_of(at),
	       "\"%s\" is not an address with a prefix length (like 192.168.100.1/24)", s);
	return false;
}

static void parse_bool(struct ctx *c, const yaml_node_t *key,
		       const yaml_node_t *val, bool *out)
{
	const char *s = want_scalar(c, key, val);

	if (!s)
		return;
	if (!strcmp(s, "true") || !strcmp(s, "false"))
		*out = !strcmp(s, "true");
	else
		report(c, pos_of(val), "\"%s\" must be true or false, not \"%s\"",
		       text(key), s);
}

/* ---- mappings ---------------------------------------------------------- */

/* The key of p as a name, or NULL once the problem is reported. */
static const char *pair_name(struct ctx *c, const yaml_node_pair_t *p)
{
	const yaml_node_t *k = node(c, p->key);

	if (plain_string(k))
		return text(k);
	report(c, pos_of(k), "a key must be a name, not %s", kind(k));
	return NULL;
}

/* Whether a pair before p has the same key; libyaml lets that pass. */
static bool pair_dup(struct ctx *c, const struct pairs *ps,
		     const yaml_node_pair_t *p, const char *what)
{
	const yaml_node_t *k = node(c, p->key), *kq;
	const yaml_node_pair_t *q;
	int r;

	/* Called once per pair in order: the map holds the keys before p. */
	if (ps->seen) {
		r = keymap_put(ps->seen, text(k), k->data.scalar.length, 0, NULL);
		if (r < 0)
			c->nomem = true;
		if (r > 0)
			report(c, pos_of(k), "duplicate %s \"%s\"", what, text(k));
		return r > 0;
	}
	for (q = ps->start; q < p; q++) {
		kq = node(c, q->key);
		if (plain_string(kq) && !strcmp(text(kq), text(k))) {
			report(c, pos_of(k), "duplicate %s \"%s\"", what, text(k));
			return true;
		}
	}
	return false;
}

/* The keys of tab and then of tab2 (which may be empty), for messages. */
static const char *expected(const struct setting *tab, size_t n,
			    const struct setting *tab2, size_t n2, char *buf,
			    size_t len)
{
	size_t i, used = 0;

	buf[0] = '\0';
	for (i = 0; i < n + n2 && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? ", " : "",
					 i < n ? tab[i].key : tab2[i - n].key);
	return buf;
}

static const struct setting *find_setting(const struct setting *tab, size_t n,
					  const char *key)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(tab[i].key, key))
			return &tab[i];
	return NULL;
}

static void walk_settings(struct ctx *c, const struct pairs *ps,
			  const struct setting *tab, size_t n, void *obj)
{
	const struct setting *t;
	const yaml_node_pair_t *p;
	const char *k;
	char exp[EXP_MAX];

	for (p = ps->start; p < ps->end; p++) {
		k = pair_name(c, p);
		if (!k || pair_dup(c, ps, p, "key"))
			continue;
		t = find_setting(tab, n, k);
		if (t)
			t->fn(c, node(c, p->key), node(c, p->value), obj);
		else
			report(c, pos_of(node(c, p->key)), "unknown key \"%s\" (expected %s)",
			       k, expected(tab, n, NULL, 0, exp, sizeof(exp)));
	}
}

/* ---- bridges ----------------------------------------------------------- */

/* gateway and gateway6 each hold one family; a swap gets its own message. */
static void bridge_gw(struct ctx *c, const yaml_node_t *key, const yaml_node_t *val,
		      struct bridge_slot *s, int family)
{
	const char *str = want_scalar(c, key, val);
	struct lab_addr *gw = family == AF_INET ? &s->b->gateway : &s->b->gateway6;

	if (!str || !parse_addr(c, val, str, gw)) {
		s->m->gateway_bad = true;
		return;
	}
	if (gw->family == family)
		return;
	if (family == AF_INET)
		report(c, pos_of(val), "bridge %s: gateway %s is IPv6; write it as \"gateway6\"",
		       s->b->name, str);
	else
		report(c, pos_of(val), "bridge %s: gateway6 %s is IPv4; write it as \"gateway\"",
		       s->b->name, str);
	memset(gw, 0, sizeof(*gw));
	s->m->gateway_bad = true;
}

static void bridge_gateway(struct ctx *c, const yaml_node_t *key,
			   const yaml_node_t *val, void *obj)
{
	struct bridge_slot *s = obj;

	s->m->gateway = pos_of(val);
	bridge_gw(c, key, val, s, AF_INET);
}

static void bridge_gateway6(struct ctx *c, const yaml_node_t *key,
			    const yaml_node_t *val, void *obj)
{
	struct bridge_slot *s = obj;

	s->m->gateway6 = pos_of(val);
	bridge_gw(c, key, val, s, AF_INET6);
}

static void bridge_nat(struct ctx *c, const yaml_node_t *key,
		       const yaml_node_t *val, void *obj)
{
	struct bridge_slot *s = obj;

	s->m->nat = pos_of(val);
	parse_bool(c, key, val, &s->b->nat);
}

static void bridge_uplink(struct ctx *c, const yaml_node_t *key,
			  const yaml_node_t *val, void *obj)
{
	struct bridge_slot *s = obj;
	const char *str = want_scalar(c, key, val);

	if (str && (!strcmp(str, "auto") || validate_name(c, val, "uplink", str)))
		s->b->uplink = str_dup(c, str);
}

/* flows, flows_file, groups, meters and openflow: labfile_flows.c reads them. */
static void bridge_flows(struct ctx *c, const yaml_node_t *key, const yaml_node_t *val,
			 void *obj)
{
	struct bridge_slot *s = obj;

	if (!strcmp(text(key), "flows_file"))
		s->m->flows_file = pos_of(val);
	labfile_flows_bridge(c, key, val, s->b);
}

static void bridge_to_settings(struct ctx *c, const yaml_node_t *key,
		      const yaml_node_t *val, void *obj)
{
	labfile_settings_bridge(c, key, val, ((struct bridge_slot *)obj)->b);
}

static void bridge_to_machines(struct ctx *c, const yaml_node_t *key,
			       const yaml_node_t *val, void *obj)
{
	labfile_machines_bridge(c, key, val, ((struct bridge_slot *)obj)->b);
}

static void bridge_to_nic(struct ctx *c, const yaml_node_t *key, const yaml_node_t *val,
			  void *obj)
{
	labfile_nic_bridge(c, key, val, ((struct bridge_slot *)obj)->b);
}

static void bridge_taps(struct ctx *c, const yaml_node_t *key, const yaml_node_t *val,
			void *obj)
{
	labfile_taps_bridge(c, key, val, ((struct bridge_slot *)obj)->b);
}

static const struct setting bridge_settings[] = {
	{ "gateway", bridge_gateway },
	{ "gateway6", bridge_gateway6 },
	{ "nat", bridge_nat },
	{ "uplink", bridge_uplink },
	{ "flows", bridge_flows },
	{ "flows_file", bridge_flows },
	{ "groups", bridge_flows },
	{ "meters", bridge_flows },
	{ "openflow", bridge_flows },
	{ "datapath", bridge_to_settings },
	{ "fail_mode", bridge_to_settings },
	{ "protocols", bridge_to_settings },
	{ "controller", bridge_to_settings },
	{ "mcast_snooping", bridge_to_settings },
	{ "stp", bridge_to_settings },
	{ "rstp", bridge_to_settings },
	{ "other_config", bridge_to_settings },
	{ "external_ids", bridge_to_settings },
	{ "mirrors", bridge_to_settings },
	{ "tunnel", bridge_to_machines },
	{ "key", bridge_to_machines },
	{ "interfaces", bridge_to_nic },
	{ "gateway_on", bridge_to_machines },
	{ "taps", bridge_taps },
};

static void bridge_clear(struct lab_bridge *b)
{
	lab_bridge_free(b);
	memset(b, 0, sizeof(*b));
}

/* Fills the next free slot; a duplicate is still read for its problems,
 * then dropped. */
static void add_bridge(struct ctx *c, const struct pairs *ps,
		       const yaml_node_pair_t *p)
{
	struct lab *lab = c->lab;
	struct bridge_slot s = { &lab->bridges[lab->n_bridges], &c->bm[lab->n_bridges] };
	const yaml_node_t *key = node(c, p->key), *val = node(c, p->value);
	const char *name = pair_name(c, p);
	bool dupl;
	struct pairs body;
	char exp[EXP_MAX];

	if (!name)
		return;
	dupl = pair_dup(c, ps, p, "bridge");
	/* "bridge: none" in a host means the machine, never a bridge. */
	if (!dupl && !strcmp(name, "none"))
		report(c, pos_of(key), "bridge name \"none\" is reserved (a host's \"bridge: none\" attaches it to the machine)");
	else if (!dupl)
		validate_name(c, key, "bridge name", name);
	s.b->name = str_dup(c, name);
	s.b->pos = pos_of(key);
	if (!get_pairs(val, &body))
		report(c, pos_of(val), "bridge %s must be a mapping of settings (expected %s)",
		       name, expected(bridge_settings, ARRAY_SIZE(bridge_settings),
				      NULL, 0, exp, sizeof(exp)));
	walk_settings(c, &body, bridge_settings, ARRAY_SIZE(bridge_settings), &s);
	if (s.b->nat && !s.b->uplink)
		s.b->uplink = str_dup(c, "auto");
	if (dupl) {
		bridge_clear(s.b);
		memset(s.m, 0, sizeof(*s.m));
	} else {
		lab->n_bridges++;
	}
}

/* ---- interfaces -------------------------------------------------------- */

static void iface_bridge(struct ctx *c, const yaml_node_t *key,
			 const yaml_node_t *val, void *obj)
{
	struct iface_slot *s = obj;
	const char *str = want_scalar(c, key, val);

	s->m->bridge_seen = true;
	s->m->bridge = pos_of(val);
	if (str && !strcmp(str, "none")) {
		s->ifc->attach = LAB_ATTACH_MACHINE;
		return;
	}
	s->ifc->attach = LAB_ATTACH_BRIDGE;
	if (str && validate_name(c, val, "bridge name", str))
		s->ifc->bridge = str_dup(c, str);
}

static void push_addr(struct ctx *c, struct lab_iface *ifc, struct iface_marks *m,
		      struct lab_addr a, struct lab_pos at)
{
	struct lab_addr *addrs;
	struct lab_pos *pos;

	addrs = realloc(ifc->addrs, (ifc->n_addrs + 1) * sizeof(*addrs));
	if (addrs)
		ifc->addrs = addrs;
	pos = realloc(m->addr, (ifc->n_addrs + 1) * sizeof(*pos));
	if (pos)
		m->addr = pos;
	if (!addrs || !pos) {
		c->nomem = true;
		return;
	}
	addrs[ifc->n_addrs] = a;
	pos[ifc->n_addrs] = at;
	ifc->n_addrs++;
}

static void add_addr(struct ctx *c, struct iface_slot *s, const yaml_node_t *at,
		     const char *str)
{
	struct lab_addr a;

	if (parse_addr(c, at, str, &a))
		push_addr(c, s->ifc, s->m, a, pos_of(at));
}

/* "address" and "addresses" are two spellings of one setting. */
static bool addr_once(struct ctx *c, const yaml_node_t *key, struct iface_slot *s)
{
	if (s->m->addr_seen) {
		report(c, pos_of(key), "give \"address\" or \"addresses\", not both");
		return false;
	}
	s->m->addr_seen = true;
	return true;
}

static void iface_address(struct ctx *c, const yaml_node_t *key,
			  const yaml_node_t *val, void *obj)
{
	struct iface_slot *s = obj;
	const char *str;

	if (!addr_once(c, key, s))
		return;
	str = want_scalar(c, key, val);
	if (str && !strcmp(str, "auto")) {
		s->m->addr_auto = true; /* given once the bridges are known */
		s->m->addr_auto_pos = pos_of(val);
	} else if (str) {
		add_addr(c, s, val, str);
	}
}

static void iface_addresses(struct ctx *c, const yaml_node_t *key,
			    const yaml_node_t *val, void *obj)
{
	struct iface_slot *s = obj;
	yaml_node_item_t *it, *end;
	const yaml_node_t *item;

	if (!addr_once(c, key, s))
		return;
	if (!get_items(val, &it, &end)) {
		report(c, pos_of(val), "\"addresses\" must be a list of addresses, not %s",
		       kind(val));
		return;
	}
	for (; it < end && !c->nomem; it++) {
		item = node(c, *it);
		if (item->type != YAML_SCALAR_NODE || !plain_string(item))
			report(c, pos_of(item), "an address must be a single value, not %s",
			       kind(item));
		else
			add_addr(c, s, item, text(item));
	}
}

/* An interface name inside a namespace: also used by link ends. */
static bool validate_ifname(struct ctx *c, const yaml_node_t *at, const char *s)
{
	if (!validate_name(c, at, "ifname", s))
		return false;
	/* Every namespace already has its loopback device under this name. */
	if (!strcmp(s, "lo")) {
		report(c, pos_of(at), "ifname \"lo\" is taken by the namespace's loopback device");
		return false;
	}
	return true;
}

static void iface_ifname(struct ctx *c, const yaml_node_t *key,
			 const yaml_node_t *val, void *obj)
{
	struct iface_slot *s = obj;
	const char *str = want_scalar(c, key, val);

	s->m->ifname = pos_of(val);
	s->m->ifname_seen = true;
	if (str && validate_ifname(c, val, str))
		s->ifc->ifname = str_dup(c, str);
}

static void iface_port(struct ctx *c, const yaml_node_t *key,
		       const yaml_node_t *val, void *obj)
{
	struct iface_slot *s = obj;
	const char *str = want_scalar(c, key, val);

	s->m->port_seen = true;
	s->m->port = pos_of(val);
	if (str && validate_name(c, val, "port", str))
		s->ifc->port = str_dup(c, str);
}

/* A VLAN sub-interface: `parent` and `vlan_id`, not `vlan` (which is the
 * access tag of a bridge port). */
static void iface_parent(struct ctx *c, const yaml_node_t *key,
			 const yaml_node_t *val, void *obj)
{
	struct iface_slot *s = obj;
	const char *str = want_scalar(c, key, val);

	s->m->parent_seen = true;
	s->m->parent = pos_of(val);
	if (str && validate_ifname(c, val, str))
		s->ifc->parent = str_dup(c, str);
}

static void iface_vlan_id(struct ctx *c, const yaml_node_t *key,
			  const yaml_node_t *val, void *obj)
{
	struct iface_slot *s = obj;
	const char *str = want_scalar(c, key, val);
	unsigned int v = 0;
	size_t n;

	s->m->vlan_id_seen = true;
	s->m->vlan_id = pos_of(val);
	if (!str)
		return;
	for (n = 0; str[n] >= '0' && str[n] <= '9' && n < 5; n++)
		v = v * 10 + (unsigned int)(str[n] - '0');
	/* 0 and 4095 are reserved by 802.1Q. */
	if (!n || str[n] || v < 1 || v > 4094)
		report(c, pos_of(val), "vlan_id \"%s\" must be a whole number from 1 to 4094", str);
	else
		s->ifc->vlan_id = v;
}

static int hex_digit(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* Exactly six colon-separated pairs of hex digits. */
static bool mac_parse(const char *s, uint8_t mac[6])
{
	int i, hi, lo;

	for (i = 0; i < 6; i++, s += 3) {
		hi = hex_digit(s[0]);
		lo = hi < 0 ? -1 : hex_digit(s[1]);
		if (lo < 0 || s[2] != (i < 5 ? ':' : '\0'))
			return false;
		mac[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

static void iface_mac(struct ctx *c, const yaml_node_t *key,
		      const yaml_node_t *val, void *obj)
{
	static const uint8_t zero[6];
	struct iface_slot *s = obj;
	const char *str = want_scalar(c, key, val);
	uint8_t mac[6];

	if (!str)
		return;
	if (!mac_parse(str, mac))
		report(c, pos_of(val), "mac \"%s\" is not a MAC address (like 02:00:00:00:01:01)", str);
	else if (mac[0] & 1)
		report(c, pos_of(val), "mac %s is a multicast address (the first byte must be even)", str);
	else if (!memcmp(mac, zero, sizeof(mac)))
		report(c, pos_of(val), "mac %s is all zero", str);
	else {
		memcpy(s->ifc->mac, mac, sizeof(mac));
		s->ifc->has_mac = true;
	}
}

static void iface_mtu(struct ctx *c, const yaml_node_t *key,
		      const yaml_node_t *val, void *obj)
{
	struct iface_slot *s = obj;
	const char *str = want_scalar(c, key, val);
	unsigned int v = 0;
	size_t n;

	if (!str)
		return;
	for (n = 0; str[n] >= '0' && str[n] <= '9' && n < 6; n++)
		v = v * 10 + (unsigned int)(str[n] - '0');
	/* 68 is the least IPv4 allows; 65535 the most an IP packet holds. */
	if (!n || str[n] || v < 68 || v > 65535)
		report(c, pos_of(val), "mtu \"%s\" must be a whole number from 68 to 65535", str);
	else
		s->ifc->mtu = v;
}

static void iface_to_settings(struct ctx *c, const yaml_node_t *key,
		     const yaml_node_t *val, void *obj)
{
	labfile_settings_iface(c, key, val, ((struct iface_slot *)obj)->ifc);
}

static void iface_prop(struct ctx *c, const yaml_node_t *key,
		       const yaml_node_t *val, void *obj)
{
	struct iface_slot *s = obj;

	labfile_links_prop(c, key, val, &s->ifc->props, &s->ifc->props_pos);
}

static void iface_to_nic(struct ctx *c, const yaml_node_t *key, const yaml_node_t *val,
			 void *obj)
{
	labfile_nic_iface(c, key, val, ((struct iface_slot *)obj)->ifc);
}

static const struct setting iface_settings[] = {
	{ "bridge", iface_bridge },
	{ "address", iface_address },
	{ "addresses", iface_addresses },
	{ "ifname", iface_ifname },
	{ "port", iface_port },
	{ "mac", iface_mac },
	{ "mtu", iface_mtu },
	{ "ofport", iface_to_settings },
	{ "vlan", iface_to_settings },
	{ "trunks", iface_to_settings },
	{ "delay", iface_prop },
	{ "jitter", iface_prop },
	{ "distribution", iface_prop },
	{ "loss", iface_prop },
	{ "loss_correlation", iface_prop },
	{ "duplicate", iface_prop },
	{ "reorder", iface_prop },
	{ "corrupt", iface_prop },
	{ "rate", iface_prop },
	{ "limit", iface_prop },
	{ "state", iface_prop },
	{ "physical", iface_to_nic },
	{ "take_default_route", iface_to_nic },
	{ "parent", iface_parent },
	{ "vlan_id", iface_vlan_id },
};

/* The name a host's interface gets without "ifname": eth<index>. */
static void iface_default_name(struct ctx *c, struct lab_iface *ifc, size_t idx)
{
	if (!ifc->ifname && asprintf(&ifc->ifname, "eth%zu", idx) < 0) {
		ifc->ifname = NULL;
		c->nomem = true;
	}
}

/* ---- routes ------------------------------------------------------------ */

static void route_to(struct ctx *c, const yaml_node_t *key,
		     const yaml_node_t *val, void *obj)
{
	struct route_slot *s = obj;
	const char *str = want_scalar(c, key, val);
	struct lab_addr a, net;
	char a1[64], a2[64];

	s->to_seen = true;
	if (!str) {
		s->bad = true;
		return;
	}
	/* Its family comes from "via", once every key is read. */
	if (!strcmp(str, "default")) {
		s->to_default = true;
		return;
	}
	if (lab_addr_parse(str, &a) < 0) {
		report(c, pos_of(val), "\"%s\" is not a prefix (like 10.9.0.0/16) or \"default\"", str);
		s->bad = true;
		return;
	}
	net = lab_addr_network(&a);
	if (!same_ip(&net, &a)) {
		report(c, pos_of(val), "%s has host bits set (did you mean %s?)",
		       lab_addr_str(&a, a1, sizeof(a1)), lab_addr_str(&net, a2, sizeof(a2)));
		s->bad = true;
	}
	s->r->dst = net;
}

static void route_via(struct ctx *c, const yaml_node_t *key,
		      const yaml_node_t *val, void *obj)
{
	struct route_slot *s = obj;
	const char *str = want_scalar(c, key, val);
	struct lab_addr a = { 0 };

	s->m->via = pos_of(val);
	if (!str) {
		s->bad = true;
		return;
	}
	a.family = strchr(str, ':') ? AF_INET6 : AF_INET;
	a.prefix = a.family == AF_INET ? 32 : 128;
	if (strchr(str, '/')) {
		report(c, pos_of(val), "via \"%s\" must be an address without a prefix length (like 10.0.1.254)", str);
		s->bad = true;
	} else if (inet_pton(a.family, str, &a.v6) != 1) {
		report(c, pos_of(val), "via \"%s\" is not an address (like 10.0.1.254)", str);
		s->bad = true;
	} else {
		s->r->via = a;
	}
}

static void route_dev(struct ctx *c, const yaml_node_t *key,
		      const yaml_node_t *val, void *obj)
{
	struct route_slot *s = obj;
	const char *str = want_scalar(c, key, val);

	s->m->dev = pos_of(val);
	if (str && validate_name(c, val, "dev", str))
		s->r->dev = str_dup(c, str);
	else
		s->bad = true;
}

static const struct setting route_settings[] = {
	{ "to", route_to },
	{ "via", route_via },
	{ "dev", route_dev },
};

static void route_finish(struct ctx *c, const char *host, struct route_slot *s)
{
	struct lab_route *r = s->r;
	char a1[64], a2[64];

	if (!s->to_seen) {
		report(c, r->pos, "host %s: a route needs \"to\" (a prefix or default)", host);
		return;
	}
	if (s->to_default) {
		/* Without via, a plain "default" is the IPv4 one; ::/0 is IPv6's. */
		r->dst.family = r->via.family ? r->via.family : AF_INET;
		r->dst.prefix = 0;
	}
	if (s->bad)
		return;
	if (r->via.family && r->via.family != r->dst.family)
		report(c, s->m->via, "host %s: route to %s via %s mixes IPv4 and IPv6", host,
		       lab_addr_str(&r->dst, a1, sizeof(a1)), ip_str(&r->via, a2, sizeof(a2)));
	else if (!r->via.family && !r->dev)
		report(c, r->pos, "host %s: route to %s needs \"via\" or \"dev\"", host,
		       lab_addr_str(&r->dst, a1, sizeof(a1)));
}

static void host_routes(struct ctx *c, const yaml_node_t *key,
			const yaml_node_t *val, void *obj)
{
	struct host_slot *s = obj;
	struct lab_host *h = s->h;
	yaml_node_item_t *it, *end;
	const yaml_node_t *item;
	struct route_slot rs;
	struct pairs body;
	char exp[EXP_MAX];
	size_t n;

	(void)key;
	if (!get_items(val, &it, &end)) {
		report(c, pos_of(val), "\"routes\" must be a list of routes, not %s", kind(val));
		return;
	}
	n = (size_t)(end - it);
	h->routes = calloc(n + 1, sizeof(*h->routes));
	s->m->rm = calloc(n + 1, sizeof(*s->m->rm));
	if (!h->routes || !s->m->rm) {
		c->nomem = true;
		return;
	}
	for (; it < end && !c->nomem; it++) {
		item = node(c, *it);
		rs = (struct route_slot){ .r = &h->routes[h->n_routes],
					  .m = &s->m->rm[h->n_routes] };
		rs.r->pos = pos_of(item);
		h->n_routes++;
		if (item->type != YAML_MAPPING_NODE) {
			report(c, pos_of(item), "a route must be a mapping (expected %s), not %s",
			       expected(route_settings, ARRAY_SIZE(route_settings), NULL, 0,
					exp, sizeof(exp)), kind(item));
			continue;
		}
		get_pairs(item, &body);
		walk_settings(c, &body, route_settings, ARRAY_SIZE(route_settings), &rs);
		route_finish(c, h->name, &rs);
	}
}

/* ---- hosts ------------------------------------------------------------- */

/* sysctls and exec: labfile_host.c reads them. */
static void host_sysctls(struct ctx *c, const yaml_node_t *key,
			 const yaml_node_t *val, void *obj)
{
	labfile_host_sysctls(c, key, val, ((struct host_slot *)obj)->h);
}

static void host_exec(struct ctx *c, const yaml_node_t *key,
		      const yaml_node_t *val, void *obj)
{
	labfile_host_exec(c, key, val, ((struct host_slot *)obj)->h);
}

static void host_interfaces(struct ctx *c, const yaml_node_t *key,
			    const yaml_node_t *val, void *obj)
{
	struct host_slot *s = obj;
	struct lab_host *h = s->h;
	yaml_node_item_t *it, *end;
	const yaml_node_t *item;
	struct iface_slot is;
	struct pairs body;
	char exp[EXP_MAX];
	size_t n;

	(void)key;
	if (!get_items(val, &it, &end)) {
		report(c, pos_of(val), "\"interfaces\" must be a list of interfaces, not %s",
		       kind(val));
		return;
	}
	n = (size_t)(end - it);
	h->ifaces = calloc(n + 1, sizeof(*h->ifaces));
	s->m->im = calloc(n + 1, sizeof(*s->m->im));
	if (!h->ifaces || !s->m->im) {
		c->nomem = true;
		return;
	}
	for (; it < end && !c->nomem; it++) {
		item = node(c, *it);
		is = (struct iface_slot){ &h->ifaces[h->n_ifaces], &s->m->im[h->n_ifaces] };
		is.ifc->pos = is.m->ifname = pos_of(item);
		s->m->n_im = ++h->n_ifaces;
		if (item->type != YAML_MAPPING_NODE)
			report(c, pos_of(item), "an interface must be a mapping of settings (expected %s), not %s",
			       expected(iface_settings, ARRAY_SIZE(iface_settings), NULL, 0,
					exp, sizeof(exp)), kind(item));
		else if (get_pairs(item, &body))
			walk_settings(c, &body, iface_settings, ARRAY_SIZE(iface_settings), &is);
		iface_default_name(c, is.ifc, h->n_ifaces - 1);
	}
}

static void host_machine(struct ctx *c, const yaml_node_t *key,
			 const yaml_node_t *val, void *obj)
{
	labfile_machines_host(c, key, val, ((struct host_slot *)obj)->h);
}

static const struct setting host_settings[] = {
	{ "interfaces", host_interfaces },
	{ "routes", host_routes },
	{ "sysctls", host_sysctls },
	{ "exec", host_exec },
	{ "machine", host_machine },
};

static bool has_key(struct ctx *c, const struct pairs *ps, const struct setting *tab,
		    size_t n)
{
	const yaml_node_pair_t *p;
	const yaml_node_t *k;

	for (p = ps->start; p < ps->end; p++) {
		k = node(c, p->key);
		if (plain_string(k) && find_setting(tab, n, text(k)))
			return true;
	}
	return false;
}

/* The short form puts one interface's keys right under the host; the long
 * form lists them under "interfaces".  Mixing both is refused. */
static void walk_host(struct ctx *c, struct host_slot *s, const struct pairs *ps)
{
	struct iface_slot is = { NULL, NULL };
	const struct setting *t;
	const yaml_node_pair_t *p;
	const yaml_node_t *k;
	char exp[EXP_MAX];

	s->long_form = has_key(c, ps, &host_settings[0], 1);
	if (!s->long_form && has_key(c, ps, iface_settings, ARRAY_SIZE(iface_settings))) {
		s->h->ifaces = calloc(1, sizeof(*s->h->ifaces));
		s->m->im = calloc(1, sizeof(*s->m->im));
		if (!s->h->ifaces || !s->m->im) {
			c->nomem = true;
			return;
		}
		s->h->n_ifaces = s->m->n_im = 1;
		is.ifc = s->h->ifaces;
		is.m = s->m->im;
		is.ifc->pos = is.m->ifname = s->h->pos;
	}
	for (p = ps->start; p < ps->end && !c->nomem; p++) {
		if (!pair_name(c, p) || pair_dup(c, ps, p, "key"))
			continue;
		k = node(c, p->key);
		if ((t = find_setting(host_settings, ARRAY_SIZE(host_settings), text(k))))
			t->fn(c, k, node(c, p->value), s);
		else if (!(t = find_setting(iface_settings, ARRAY_SIZE(iface_settings), text(k))))
			report(c, pos_of(k), "unknown key \"%s\" (expected %s)", text(k),
			       expected(iface_settings, ARRAY_SIZE(iface_settings), host_settings,
					ARRAY_SIZE(host_settings), exp, sizeof(exp)));
		else if (s->long_form)
			report(c, pos_of(k), "host %s: \"%s\" belongs in one of its \"interfaces\" (a host has either interface keys or \"interfaces\", not both)",
			       s->h->name, text(k));
		else
			t->fn(c, k, node(c, p->value), &is);
	}
	if (is.ifc)
		iface_default_name(c, is.ifc, 0);
}

static void host_marks_clear(struct host_marks *m)
{
	size_t i;

	for (i = 0; i < m->n_im; i++)
		free(m->im[i].addr);
	free(m->im);
	free(m->rm);
	memset(m, 0, sizeof(*m));
}

/* A duplicate host is kept aside, out of the validation, for lab_free. */
static void host_drop(struct ctx *c, struct lab_host *h)
{
	c->dropped->hosts[c->dropped->n_hosts++] = *h;
	memset(h, 0, sizeof(*h));
}

static void add_host(struct ctx *c, const struct pairs *ps,
		     const yaml_node_pair_t *p)
{
	struct lab *lab = c->lab;
	struct host_slot s = { &lab->hosts[lab->n_hosts], &c->hm[lab->n_hosts], false };
	const yaml_node_t *key = node(c, p->key), *val = node(c, p->value);
	const char *name = pair_name(c, p);
	struct pairs body;
	char exp[EXP_MAX];
	bool dupl;

	if (!name)
		return;
	dupl = pair_dup(c, ps, p, "host");
	if (!dupl)
		validate_name(c, key, "host name", name);
	s.h->name = str_dup(c, name);
	s.h->pos = pos_of(key);
	if (!s.h->name)
		return;
	if (get_pairs(val, &body))
		walk_host(c, &s, &body);
	else
		report(c, pos_of(val), "host %s must be a mapping of settings (expected %s)",
		       name, expected(iface_settings, ARRAY_SIZE(iface_settings), host_settings,
				      ARRAY_SIZE(host_settings), exp, sizeof(exp)));
	if (dupl) {
		host_drop(c, s.h);
		host_marks_clear(s.m);
	} else {
		lab->n_hosts++;
	}
}

/* ---- links ------------------------------------------------------------- */

/* One "host:ifname" end into link->host[e] and link->ifname[e]. */
static bool link_end(struct ctx *c, const yaml_node_t *n, struct lab_link *l, int e)
{
	const char *s = text(n), *colon = strchr(s, ':');

	if (!colon || colon == s || !colon[1]) {
		report(c, pos_of(n), "link end \"%s\" is not host:interface (like ns01:eth1)", s);
		return false;
	}
	l->host[e] = strndup(s, (size_t)(colon - s));
	l->ifname[e] = str_dup(c, colon + 1);
	if (!l->host[e] || !l->ifname[e]) {
		c->nomem = true;
		return false;
	}
	if (!lab_name_valid(l->host[e])) {
		report(c, pos_of(n), "link end \"%s\": host name \"%s\" %s", s, l->host[e],
		       name_problem(l->host[e]));
		return false;
	}
	return validate_ifname(c, n, l->ifname[e]);
}

static void link_clear(struct lab_link *l)
{
	free(l->host[0]);
	free(l->host[1]);
	free(l->ifname[0]);
	free(l->ifname[1]);
	memset(l, 0, sizeof(*l));
}

static void add_link(struct ctx *c, const yaml_node_t *item)
{
	struct lab_link *l = &c->lab->links[c->lab->n_links];
	const yaml_node_t *end[2];
	bool ok;
	int e;

	l->pos = pos_of(item);
	if (item->type == YAML_MAPPING_NODE) {
		item = labfile_links_mapping(c, item, l);
		if (!item) {
			link_clear(l);
			return;
		}
	}
	if (item->type != YAML_SEQUENCE_NODE ||
	    item->data.sequence.items.top - item->data.sequence.items.start != 2) {
		report(c, pos_of(item), "a link must be a list of two ends like [ns01:eth1, r1:eth1]");
		link_clear(l);
		return;
	}
	for (ok = true, e = 0; e < 2; e++) {
		end[e] = node(c, item->data.sequence.items.start[e]);
		if (!plain_string(end[e])) {
			report(c, pos_of(end[e]), "a link end must be a single host:interface value, not %s",
			       kind(end[e]));
			ok = false;
		}
	}
	for (e = 0; ok && e < 2; e++)
		ok = link_end(c, end[e], l, e);
	if (!ok) {
		link_clear(l);
		return;
	}
	c->lm[c->lab->n_links].end[0] = pos_of(end[0]);
	c->lm[c->lab->n_links].end[1] = pos_of(end[1]);
	c->lab->n_links++;
}

/* ---- top level --------------------------------------------------------- */

static void top_name(struct ctx *c, const yaml_node_t *key,
		     const yaml_node_t *val, void *obj)
{
	const char *s = want_scalar(c, key, val);
	const char *why = s ? lab_labname_problem(s) : NULL;

	(void)obj;
	c->name_seen = true;
	if (why)
		report(c, pos_of(val), "lab name \"%s\" %s", s, why);
	else if (s)
		c->lab->name = str_dup(c, s);
}

static void top_firewall(struct ctx *c, const yaml_node_t *key,
			 const yaml_node_t *val, void *obj)
{
	const char *s = want_scalar(c, key, val);

	(void)obj;
	if (!s)
		return;
	if (!strcmp(s, "auto"))
		c->lab->firewall = LAB_FIREWALL_AUTO;
	else if (!strcmp(s, "iptables"))
		c->lab->firewall = LAB_FIREWALL_IPTABLES;
	else if (!strcmp(s, "nftables"))
		c->lab->firewall = LAB_FIREWALL_NFTABLES;
	else
		report(c, pos_of(val), "firewall \"%s\" is not auto, iptables or nftables", s);
}

/* The entries of a top-level mapping (bridges, hosts): how many slots to
 * allocate for them, 0 once a wrong kind of value is reported. */
static size_t top_mapping(struct ctx *c, const yaml_node_t *val, const char *what,
			  struct pairs *ps)
{
	if (!get_pairs(val, ps)) {
		report(c, pos_of(val), "\"%ss\" must be a mapping of %s names", what, what);
		return 0;
	}
	return (size_t)(ps->end - ps->start) + 1;
}

static void top_bridges(struct ctx *c, const yaml_node_t *key,
			const yaml_node_t *val, void *obj)
{
	const yaml_node_pair_t *p;
	struct keymap seen = { 0 };
	struct pairs ps;
	size_t n;

	(void)key;
	(void)obj;
	n = top_mapping(c, val, "bridge", &ps);
	if (!n)
		return;
	c->lab->bridges = calloc(n, sizeof(*c->lab->bridges));
	c->bm = calloc(n, sizeof(*c->bm));
	if (!c->lab->bridges || !c->bm) {
		c->nomem = true;
		return;
	}
	ps.seen = &seen;
	for (p = ps.start; p < ps.end; p++)
		add_bridge(c, &ps, p);
	keymap_free(&seen);
}

static void top_hosts(struct ctx *c, const yaml_node_t *key,
		      const yaml_node_t *val, void *obj)
{
	const yaml_node_pair_t *p;
	struct keymap seen = { 0 };
	struct pairs ps;
	size_t n;

	(void)key;
	(void)obj;
	n = top_mapping(c, val, "host", &ps);
	if (!n)
		return;
	c->lab->hosts = calloc(n, sizeof(*c->lab->hosts));
	c->hm = calloc(n, sizeof(*c->hm));
	c->n_hm = n;
	c->dropped = calloc(1, sizeof(*c->dropped));
	if (c->dropped)
		c->dropped->hosts = calloc(n, sizeof(*c->dropped->hosts));
	if (!c->lab->hosts || !c->hm || !c->dropped || !c->dropped->hosts) {
		c->nomem = true;
		return;
	}
	ps.seen = &seen;
	for (p = ps.start; p < ps.end && !c->nomem; p++)
		add_host(c, &ps, p);
	keymap_free(&seen);
}

static void top_links(struct ctx *c, const yaml_node_t *key,
		      const yaml_node_t *val, void *obj)
{
	yaml_node_item_t *it, *end;
	size_t n;

	(void)key;
	(void)obj;
	if (!get_items(val, &it, &end)) {
		report(c, pos_of(val), "\"links\" must be a list of links like [ns01:eth1, r1:eth1]");
		return;
	}
	n = (size_t)(end - it) + 1;
	c->lab->links = calloc(n, sizeof(*c->lab->links));
	c->lm = calloc(n, sizeof(*c->lm));
	if (!c->lab->links || !c->lm) {
		c->nomem = true;
		return;
	}
	for (; it < end && !c->nomem; it++)
		add_link(c, node(c, *it));
}

static void top_to_settings(struct ctx *c, const yaml_node_t *key,
		   const yaml_node_t *val, void *obj)
{
	(void)obj;
	labfile_settings_top(c, key, val);
}

static void top_checks(struct ctx *c, const yaml_node_t *key,
		       const yaml_node_t *val, void *obj)
{
	(void)obj;
	labfile_checks_top(c, key, val);
}

static void top_machines(struct ctx *c, const yaml_node_t *key,
			 const yaml_node_t *val, void *obj)
{
	(void)obj;
	labfile_machines_top(c, key, val);
}

static const struct setting top_settings[] = {
	{ "name", top_name },
	{ "bridges", top_bridges },
	{ "hosts", top_hosts },
	{ "links", top_links },
	{ "patches", top_to_settings },
	{ "mirrors", top_to_settings },
	{ "checks", top_checks },
	{ "machines", top_machines },
	{ "underlay", top_machines },
	{ "firewall", top_firewall },
};

static void walk_root(struct ctx *c, const yaml_node_t *root)
{
	struct pairs ps;
	char exp[EXP_MAX];

	expected(top_settings, ARRAY_SIZE(top_settings), NULL, 0, exp, sizeof(exp));
	if (!root) {
		report(c, (struct lab_pos){ 1, 1 }, "the lab file is empty (expected %s)", exp);
		return;
	}
	if (root->type != YAML_MAPPING_NODE) {
		report(c, pos_of(root), "the lab file must be a mapping (expected %s), not %s",
		       exp, kind(root));
		return;
	}
	get_pairs(root, &ps);
	walk_settings(c, &ps, top_settings, ARRAY_SIZE(top_settings), NULL);
	if (!c->name_seen)
		report(c, pos_of(root), "missing key \"name\"");
}

/* ---- what each interface is attached to -------------------------------- */

/* A link end may name an interface the host does not declare: add it. */
static struct lab_iface *implicit_iface(struct ctx *c, size_t hi, const char *ifname,
					struct lab_pos pos)
{
	struct lab_host *h = &c->lab->hosts[hi];
	struct host_marks *m = &c->hm[hi];
	struct lab_iface *ifaces, *ifc;
	struct iface_marks *im;

	ifaces = realloc(h->ifaces, (h->n_ifaces + 1) * sizeof(*ifaces));
	if (ifaces)
		h->ifaces = ifaces;
	im = realloc(m->im, (h->n_ifaces + 1) * sizeof(*im));
	if (im)
		m->im = im;
	if (!ifaces || !im) {
		c->nomem = true;
		return NULL;
	}
	ifc = &ifaces[h->n_ifaces];
	memset(ifc, 0, sizeof(*ifc));
	memset(&im[h->n_ifaces], 0, sizeof(*im));
	ifc->pos = im[h->n_ifaces].ifname = pos;
	ifc->ifname = str_dup(c, ifname);
	m->n_im = ++h->n_ifaces;
	return ifc;
}

static size_t host_index(struct ctx *c, const char *name)
{
	const struct lab *lab = c->lab;
	size_t i;

	/* Built at the first link end: a lookup per end, not a scan. */
	if (!c->host_by_name.n)
		for (i = 0; i < lab->n_hosts; i++)
			if (keymap_put(&c->host_by_name, lab->hosts[i].name,
				       strlen(lab->hosts[i].name), i, NULL) < 0) {
				c->nomem = true;
				return lab->n_hosts;
			}
	if (keymap_get(&c->host_by_name, name, strlen(name), &i))
		return i;
	return lab->n_hosts;
}

static void attach_end(struct ctx *c, const struct lab_link *l, struct lab_pos at,
		       size_t hi, int e)
{
	struct lab_host *h = &c->lab->hosts[hi];
	struct lab_iface *ifc = lab_find_iface(h, l->ifname[e]);
	struct iface_marks *im;

	if (!ifc)
		ifc = implicit_iface(c, hi, l->ifname[e], at);
	if (!ifc)
		return;
	im = &c->hm[hi].im[ifc - h->ifaces];
	if (im->bridge_seen) {
		report(c, at, "host %s: interface %s has a \"bridge\" key, so it cannot be the end of a link",
		       h->name, ifc->ifname);
		return;
	}
	if (im->linked) {
		report(c, at, "host %s: interface %s is already the end of another link",
		       h->name, ifc->ifname);
		return;
	}
	im->linked = true;
	ifc->attach = LAB_ATTACH_LINK;
	ifc->peer_host = str_dup(c, l->host[!e]);
	ifc->peer_ifname = str_dup(c, l->ifname[!e]);
}

static void resolve_link(struct ctx *c, size_t i)
{
	const struct lab_link *l = &c->lab->links[i];
	size_t hi[2];
	int e;

	/* Both ends in one namespace would be a loop, not a cable. */
	if (!strcmp(l->host[0], l->host[1])) {
		report(c, l->pos, "a link must join two different hosts, not %s to itself",
		       l->host[0]);
		return;
	}
	for (e = 0; e < 2; e++) {
		hi[e] = host_index(c, l->host[e]);
		if (hi[e] == c->lab->n_hosts)
			report(c, c->lm[i].end[e], "link end %s:%s: unknown host \"%s\"",
			       l->host[e], l->ifname[e], l->host[e]);
	}
	for (e = 0; e < 2 && !c->nomem; e++)
		if (hi[e] < c->lab->n_hosts)
			attach_end(c, l, c->lm[i].end[e], hi[e], e);
}

/* A sub-interface is made on its parent inside the host: it has no veth,
 * no port and no other end. */
static void resolve_vlan(struct ctx *c, const struct lab_host *h, struct lab_iface *ifc,
			 const struct iface_marks *im)
{
	const struct lab_pos at = im->parent_seen ? im->parent : im->vlan_id;

	if (!im->parent_seen)
		report(c, at, "host %s: interface %s has vlan_id but no parent (the interface it is a VLAN of)",
		       h->name, ifc->ifname);
	if (!im->vlan_id_seen)
		report(c, at, "host %s: interface %s has a parent but no vlan_id (1 to 4094)",
		       h->name, ifc->ifname);
	if (im->bridge_seen)
		report(c, im->bridge, "host %s: interface %s is a VLAN sub-interface of %s and cannot have a bridge (put the bridge on %s)",
		       h->name, ifc->ifname, ifc->parent ? ifc->parent : "its parent",
		       ifc->parent ? ifc->parent : "the parent");
	if (im->port_seen)
		report(c, im->port, "host %s: interface %s is a VLAN sub-interface and has no port (only a veth has one)",
		       h->name, ifc->ifname);
	if (ifc->physical)
		report(c, at, "host %s: interface %s: give \"physical\" or \"parent\", not both",
		       h->name, ifc->ifname);
	if (im->linked)
		report(c, at, "host %s: interface %s is a VLAN sub-interface and cannot be the end of a link",
		       h->name, ifc->ifname);
	ifc->attach = LAB_ATTACH_VLAN;
	free(ifc->bridge);
	ifc->bridge = NULL;
	free(ifc->port);
	ifc->port = NULL;
}

static void resolve_iface(struct ctx *c, struct lab_host *h, size_t idx,
			  struct iface_marks *im)
{
	struct lab_iface *ifc = &h->ifaces[idx];
	char port[LAB_NAME_MAX + 1];

	if (im->parent_seen || im->vlan_id_seen) {
		resolve_vlan(c, h, ifc, im);
		return;
	}
	if (ifc->physical) {
		if (im->bridge_seen)
			report(c, im->bridge, "host %s: interface %s: give \"physical\" or \"bridge\", not both",
			       h->name, ifc->ifname);
		if (im->port_seen)
			report(c, im->port, "host %s: interface %s has a port but is the machine's interface %s (only a veth has a port)",
			       h->name, ifc->ifname, ifc->physical);
		ifc->attach = LAB_ATTACH_PHYSICAL;
		free(ifc->port);
		ifc->port = NULL;
		/* Without "ifname" it keeps its own name in the host. */
		if (!im->ifname_seen) {
			free(ifc->ifname);
			ifc->ifname = str_dup(c, ifc->physical);
		}
		return;
	}
	if (!im->bridge_seen) {
		if (!im->linked)
			report(c, ifc->pos, "host %s: interface %s is attached to nothing (give bridge: NAME, bridge: none, or use it in links)",
			       h->name, ifc->ifname);
		if (im->port_seen)
			report(c, im->port, "host %s: interface %s has a port but no bridge (only bridge: NAME or bridge: none makes one)",
			       h->name, ifc->ifname);
		free(ifc->port);
		ifc->port = NULL;
		return;
	}
	if (!im->port_seen) {
		lab_port_default(h->name, idx, port);
		ifc->port = str_dup(c, port);
		im->port = ifc->pos;
	}
}

static void resolve_lab(struct ctx *c)
{
	struct lab_host *h;
	size_t i, f;

	for (i = 0; i < c->lab->n_links && !c->nomem; i++)
		resolve_link(c, i);
	for (i = 0; i < c->lab->n_hosts && !c->nomem; i++) {
		h = &c->lab->hosts[i];
		for (f = 0; f < h->n_ifaces; f++)
			resolve_iface(c, h, f, &c->hm[i].im[f]);
	}
}

/* ---- validation across entities ---------------------------------------- */

static bool overlaps(const struct lab_addr *a, const struct lab_addr *b)
{
	return lab_addr_in_subnet(a, b) || lab_addr_in_subnet(b, a);
}

static void validate_bridge(struct ctx *c, size_t i)
{
	const struct lab_bridge *b = &c->lab->bridges[i], *o;
	const struct bridge_marks *m = &c->bm[i];
	char n1[64], n2[64];
	bool v4 = false, v6 = false;
	size_t j;

	if (b->nat && b->gateway.family != AF_INET && !m->gateway_bad)
		report(c, m->nat, "bridge %s: nat needs an IPv4 gateway", b->name);
	for (j = 0; j < i; j++) {
		o = &c->lab->bridges[j];
		if (!v4 && overlaps(&o->gateway, &b->gateway)) {
			report(c, m->gateway, "bridge %s: subnet %s overlaps %s's subnet %s",
			       b->name, net_str(&b->gateway, n1, sizeof(n1)), o->name,
			       net_str(&o->gateway, n2, sizeof(n2)));
			v4 = true;
		}
		if (!v6 && overlaps(&o->gateway6, &b->gateway6)) {
			report(c, m->gateway6, "bridge %s: subnet %s overlaps %s's subnet %s",
			       b->name, net_str(&b->gateway6, n1, sizeof(n1)), o->name,
			       net_str(&o->gateway6, n2, sizeof(n2)));
			v6 = true;
		}
	}
}

/* ---- address: auto ----------------------------------------------------- */

/* Offsets in a bridge's IPv4 subnet taken so far; bounded so a /8 costs 2 MiB. */
#define AUTO_SUBNET_MAX (1u << 24)

static void auto_mark(uint8_t *used, const struct lab_addr *gw, const struct lab_addr *a)
{
	uint32_t mask = gw->prefix ? ~0u << (32 - gw->prefix) : 0;
	uint32_t off = ntohl(a->v4.s_addr) & ~mask;

	if (a->family == AF_INET && lab_addr_in_subnet(a, gw) && off < AUTO_SUBNET_MAX)
		used[off / 8] |= (uint8_t)(1u << (off % 8));
}

/* The gateway and every address written out on bridge b. */
static void auto_taken(struct ctx *c, const struct lab_bridge *b, uint8_t *used)
{
	const struct lab_iface *ifc;
	size_t i, f, k;

	auto_mark(used, &b->gateway, &b->gateway);
	for (i = 0; i < c->lab->n_hosts; i++)
		for (f = 0; f < c->lab->hosts[i].n_ifaces; f++) {
			ifc = &c->lab->hosts[i].ifaces[f];
			if (ifc->attach != LAB_ATTACH_BRIDGE || !ifc->bridge ||
			    strcmp(ifc->bridge, b->name))
				continue;
			for (k = 0; k < ifc->n_addrs; k++)
				auto_mark(used, &b->gateway, &ifc->addrs[k]);
		}
}

/* address: auto on bridge i: the lowest free host addresses of its gateway's
 * subnet, in file order, past the gateway and every address written out. */
static void auto_bridge(struct ctx *c, size_t bi)
{
	const struct lab_bridge *b = &c->lab->bridges[bi];
	const struct lab_addr *gw = &b->gateway;
	uint32_t size, next = 1, net;
	struct lab_iface *ifc;
	struct iface_marks *m;
	uint8_t *used = NULL;
	struct lab_addr a;
	char nb[64];
	size_t i, f;

	for (i = 0; i < c->lab->n_hosts && !c->nomem; i++) {
		for (f = 0; f < c->lab->hosts[i].n_ifaces; f++) {
			ifc = &c->lab->hosts[i].ifaces[f];
			m = &c->hm[i].im[f];
			if (!m->addr_auto || ifc->attach != LAB_ATTACH_BRIDGE || !ifc->bridge ||
			    strcmp(ifc->bridge, b->name))
				continue;
			if (gw->family != AF_INET || gw->prefix > 30) {
				report(c, m->addr_auto_pos,
				       "host %s: address: auto needs bridge %s to have an IPv4 gateway of /30 or wider (its addresses come from that subnet)",
				       c->lab->hosts[i].name, b->name);
				continue;
			}
			size = gw->prefix < 8 ? AUTO_SUBNET_MAX : 1u << (32 - gw->prefix);
			if (!used) {
				used = calloc(size / 8 + 1, 1);
				if (!used) {
					c->nomem = true;
					break;
				}
				auto_taken(c, b, used);
			}
			while (next < size - 1 && (used[next / 8] & (1u << (next % 8))))
				next++;
			if (next >= size - 1) {
				report(c, m->addr_auto_pos,
				       "host %s: address: auto finds no free address left in %s of bridge %s",
				       c->lab->hosts[i].name, net_str(gw, nb, sizeof(nb)), b->name);
				continue;
			}
			net = ntohl(gw->v4.s_addr) & (gw->prefix ? ~0u << (32 - gw->prefix) : 0);
			a = *gw;
			a.v4.s_addr = htonl(net + next);
			used[next / 8] |= (uint8_t)(1u << (next % 8));
			push_addr(c, ifc, m, a, m->addr_auto_pos);
		}
	}
	free(used);
}

/* address: auto anywhere but on a bridge of the lab. */
static void auto_orphans(struct ctx *c)
{
	const struct lab_iface *ifc;
	size_t i, f;

	for (i = 0; i < c->lab->n_hosts; i++)
		for (f = 0; f < c->lab->hosts[i].n_ifaces; f++) {
			ifc = &c->lab->hosts[i].ifaces[f];
			if (c->hm[i].im[f].addr_auto && ifc->attach != LAB_ATTACH_BRIDGE)
				report(c, c->hm[i].im[f].addr_auto_pos,
				       "host %s: address: auto is only for an interface on a bridge with a gateway",
				       c->lab->hosts[i].name);
		}
}

/* Addresses must differ on one link layer: the same bridge, or the
 * machine's side (it routes to each address).  That and the address are
 * the key. */
static void addr_key(const struct lab_iface *ifc, const struct lab_addr *a,
		     char key[ADDR_KEY_LEN])
{
	size_t n = a->family == AF_INET ? sizeof(a->v4) : sizeof(a->v6);

	memset(key, 0, ADDR_KEY_LEN);
	key[0] = (char)a->family;
	memcpy(key + 1, &a->v6, n);
	if (ifc->attach == LAB_ATTACH_BRIDGE)
		snprintf(key + 17, ADDR_KEY_LEN - 17, "=%s", ifc->bridge);
}

/* Reports addrs[k] of interface f of host i if an earlier interface on the
 * same segment, or an earlier entry of the same interface, has its address.
 * Called in host, interface, address order: c->addr_owner holds the first
 * owner of each address so far. */
static void validate_addr_unique(struct ctx *c, size_t i, size_t f, size_t k)
{
	const struct lab_host *h = &c->lab->hosts[i];
	const struct lab_iface *ifc = &h->ifaces[f];
	const struct lab_addr *a = &ifc->addrs[k];
	struct lab_pos at = c->hm[i].im[f].addr[k];
	char a1[64], *key;
	size_t l, j;
	int r;

	for (l = 0; l < k; l++)
		if (same_ip(&ifc->addrs[l], a)) {
			report(c, at, "host %s: address %s is listed twice", h->name,
			       ip_str(a, a1, sizeof(a1)));
			return;
		}
	if (!c->addr_keys || !a->family || (ifc->attach != LAB_ATTACH_MACHINE &&
	    (ifc->attach != LAB_ATTACH_BRIDGE || !ifc->bridge)))
		return;
	key = c->addr_keys[c->addr_owner.n];
	addr_key(ifc, a, key);
	r = keymap_put(&c->addr_owner, key, ADDR_KEY_LEN, i, &j);
	if (r < 0)
		c->nomem = true;
	else if (r > 0)
		report(c, at, "host %s: address %s is already used by host %s",
		       h->name, ip_str(a, a1, sizeof(a1)), c->lab->hosts[j].name);
}

/* Room for every address's key, before the first check_addr_unique. */
static void addr_keys_alloc(struct ctx *c)
{
	const struct lab *lab = c->lab;
	size_t i, f, n = 0;

	for (i = 0; i < lab->n_hosts; i++)
		for (f = 0; f < lab->hosts[i].n_ifaces; f++)
			n += lab->hosts[i].ifaces[f].n_addrs;
	c->addr_keys = calloc(n + 1, sizeof(*c->addr_keys));
	if (!c->addr_keys)
		c->nomem = true;
}

static void validate_bridge_addrs(struct ctx *c, size_t i, size_t f,
			       const struct lab_bridge *b)
{
	const struct lab_host *h = &c->lab->hosts[i];
	const struct lab_iface *ifc = &h->ifaces[f];
	const struct lab_addr *a, *gw;
	struct lab_pos at;
	char a1[64], a2[64];
	size_t k;

	for (k = 0; k < ifc->n_addrs; k++) {
		a = &ifc->addrs[k];
		at = c->hm[i].im[f].addr[k];
		gw = a->family == AF_INET ? &b->gateway : &b->gateway6;
		if (gw->family && !lab_addr_in_subnet(gw, a))
			report(c, at, "%s is outside %s's subnet %s",
			       lab_addr_str(a, a1, sizeof(a1)), b->name,
			       net_str(gw, a2, sizeof(a2)));
		else if (same_ip(gw, a))
			report(c, at, "host %s: %s is %s's gateway address", h->name,
			       ip_str(a, a1, sizeof(a1)), b->name);
	}
}

static void validate_port(struct ctx *c, size_t i, size_t f)
{
	const struct lab_host *h = &c->lab->hosts[i];
	const char *port = h->ifaces[f].port, *hint, *other;
	const struct iface_marks *m = &c->hm[i].im[f];
	size_t j;
	int r;

	if (!port)
		return;
	/* A port named by default is the user's to fix by naming it. */
	hint = m->port_seen ? "" : " (set \"port\" to choose another name)";
	if (lab_find_bridge(c->lab, port))
		report(c, m->port, "host %s: port \"%s\" is a bridge's name%s",
		       h->name, port, hint);
	/* In host and interface order: the map holds each port's first owner. */
	r = keymap_put(&c->port_owner, port, strlen(port), i, &j);
	if (r < 0)
		c->nomem = true;
	else if (r > 0)
		report(c, m->port, "host %s: port \"%s\" is already used by host %s%s",
		       h->name, port, c->lab->hosts[j].name, hint);
	for (j = 0; j < c->lab->n_bridges; j++) {
		other = c->lab->bridges[j].uplink;
		if (other && !strcmp(other, port))
			report(c, m->port, "host %s: port \"%s\" is bridge %s's uplink%s",
			       h->name, port, c->lab->bridges[j].name, hint);
	}
}

/* The parent must be one of the host's own interfaces that exists before
 * its sub-interfaces do: not a sub-interface (no QinQ), not a link end (the
 * cables are made after the hosts). */
static void validate_vlan(struct ctx *c, size_t i, size_t f)
{
	const struct lab_host *h = &c->lab->hosts[i];
	const struct lab_iface *ifc = &h->ifaces[f];
	const struct iface_marks *m = &c->hm[i].im[f];
	const struct lab_iface *p;

	if (!ifc->parent)
		return;
	p = lab_find_iface(h, ifc->parent);
	if (!p || p == ifc)
		report(c, m->parent, "host %s: interface %s: parent \"%s\" is not another interface of host %s",
		       h->name, ifc->ifname, ifc->parent, h->name);
	else if (p->attach == LAB_ATTACH_VLAN)
		report(c, m->parent, "host %s: interface %s: parent %s is itself a VLAN sub-interface (stacked VLANs are not supported)",
		       h->name, ifc->ifname, ifc->parent);
	else if (p->attach == LAB_ATTACH_LINK)
		report(c, m->parent, "host %s: interface %s: parent %s is the end of a link, which a sub-interface cannot use",
		       h->name, ifc->ifname, ifc->parent);
	for (size_t g = 0; g < f && ifc->vlan_id; g++) {
		const struct lab_iface *o = &h->ifaces[g];

		if (o->attach == LAB_ATTACH_VLAN && o->parent && o->vlan_id == ifc->vlan_id &&
		    !strcmp(o->parent, ifc->parent)) {
			report(c, m->vlan_id, "host %s: interface %s: %s already has a sub-interface for vlan %u (%s)",
			       h->name, ifc->ifname, ifc->parent, ifc->vlan_id, o->ifname);
			break;
		}
	}
}

static void validate_iface(struct ctx *c, size_t i, size_t f)
{
	const struct lab_host *h = &c->lab->hosts[i];
	const struct lab_iface *ifc = &h->ifaces[f];
	const struct iface_marks *m = &c->hm[i].im[f];
	const struct lab_bridge *b;
	size_t g, k;

	for (g = 0; g < f; g++)
		if (ifc->ifname && h->ifaces[g].ifname &&
		    !strcmp(ifc->ifname, h->ifaces[g].ifname)) {
			report(c, m->ifname, "host %s: interface name \"%s\" is already used",
			       h->name, ifc->ifname);
			break;
		}
	if (ifc->attach == LAB_ATTACH_BRIDGE && ifc->bridge) {
		b = lab_find_bridge(c->lab, ifc->bridge);
		if (b)
			validate_bridge_addrs(c, i, f, b);
		else
			report(c, m->bridge, "host %s: unknown bridge \"%s\"", h->name, ifc->bridge);
	}
	if (ifc->attach == LAB_ATTACH_VLAN)
		validate_vlan(c, i, f);
	/* The machine reaches the host only through a route to its address. */
	if (ifc->attach == LAB_ATTACH_MACHINE && !ifc->n_addrs && !m->addr_seen)
		report(c, m->bridge, "host %s: interface %s has bridge: none and needs an address (the machine routes to it)",
		       h->name, ifc->ifname);
	for (k = 0; k < ifc->n_addrs; k++)
		validate_addr_unique(c, i, f, k);
	validate_port(c, i, f);
}

static void validate_routes(struct ctx *c, size_t i)
{
	const struct lab_host *h = &c->lab->hosts[i];
	const struct lab_route *r, *o;
	char a1[64];
	size_t j, k;

	for (j = 0; j < h->n_routes; j++) {
		r = &h->routes[j];
		if (r->dev && !lab_find_iface(h, r->dev))
			report(c, c->hm[i].rm[j].dev, "host %s: route dev \"%s\" is not one of its interfaces",
			       h->name, r->dev);
		for (k = 0; r->dst.family && k < j; k++) {
			o = &h->routes[k];
			if (o->dst.prefix == r->dst.prefix && same_ip(&o->dst, &r->dst)) {
				report(c, r->pos, "host %s: a route to %s is already given", h->name,
				       lab_addr_str(&r->dst, a1, sizeof(a1)));
				break;
			}
		}
	}
}

static void validate_host(struct ctx *c, size_t i)
{
	const struct lab_host *h = &c->lab->hosts[i];
	size_t f;

	/* The bridge's internal port carries the bridge's name. */
	if (lab_find_bridge(c->lab, h->name))
		report(c, h->pos, "host name \"%s\" is already a bridge's name", h->name);
	for (f = 0; f < h->n_ifaces; f++)
		validate_iface(c, i, f);
	validate_routes(c, i);
}

static bool host_has_ipv6(const struct lab_host *h)
{
	size_t f, k;

	for (f = 0; f < h->n_ifaces; f++)
		for (k = 0; k < h->ifaces[f].n_addrs; k++)
			if (h->ifaces[f].addrs[k].family == AF_INET6)
				return true;
	for (k = 0; k < h->n_routes; k++)
		if (h->routes[k].dst.family == AF_INET6)
			return true;
	return false;
}

static void validate_lab(struct ctx *c)
{
	struct lab *lab = c->lab;
	size_t i;

	resolve_lab(c);
	if (c->nomem)
		return;
	for (i = 0; i < lab->n_bridges; i++) {
		validate_bridge(c, i);
		lab->has_ipv6 |= lab->bridges[i].gateway6.family == AF_INET6;
	}
	for (i = 0; i < lab->n_bridges && !c->nomem; i++)
		auto_bridge(c, i);
	auto_orphans(c);
	addr_keys_alloc(c);
	for (i = 0; i < lab->n_hosts && !c->nomem; i++) {
		validate_host(c, i);
		lab->has_ipv6 |= host_has_ipv6(&lab->hosts[i]);
	}
	labfile_links_validate(c);
	labfile_settings_validate(c); /* names the patch ports the flows may use */
	for (i = 0; i < lab->n_bridges && !c->nomem; i++)
		labfile_flows_validate(c, &lab->bridges[i], c->bm[i].flows_file);
	labfile_checks_resolve(c);
	labfile_machines_validate(c);
	labfile_nic_validate(c);
	labfile_taps_validate(c);
}

/* ---- lent to the other labfile_*.c (labfile_int.h) --------------------- */

struct lab *labfile_lab(struct ctx *c)
{
	return c->lab;
}

struct lab_pos labfile_gateway_pos(struct ctx *c, size_t bridge)
{
	return c->bm[bridge].gateway;
}

struct lab_pos labfile_addr_pos(struct ctx *c, size_t host, size_t iface, size_t addr)
{
	const struct host_marks *hm = host < c->n_hm ? &c->hm[host] : NULL;

	if (!hm || iface >= hm->n_im || !hm->im[iface].addr)
		return c->lab->hosts[host].pos;
	return hm->im[iface].addr[addr];
}

const char *labfile_display(struct ctx *c)
{
	return c->display;
}

const char *labfile_flows_dir(struct ctx *c)
{
	return c->flows_dir;
}

void labfile_nomem(struct ctx *c)
{
	c->nomem = true;
}

bool labfile_oom(struct ctx *c)
{
	return c->nomem;
}

void labfile_report(struct ctx *c, struct lab_pos pos, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report_v(c, pos, fmt, ap);
	va_end(ap);
}

void labfile_report_file(struct ctx *c, struct lab_pos pos, const char *file, int line,
			 const char *fmt, ...)
{
	struct problem *p;
	va_list ap;

	va_start(ap, fmt);
	p = report_v(c, pos, fmt, ap);
	va_end(ap);
	if (p) {
		p->file = file;
		p->line_file = line;
	}
}

static int read_file(const char *path, char **buf, size_t *len, const char **why);

int labfile_read_file(const char *path, char **buf, size_t *len, const char **why)
{
	return read_file(path, buf, len, why);
}

struct lab_pos labfile_pos(const yaml_node_t *n)
{
	return pos_of(n);
}

const yaml_node_t *labfile_node(struct ctx *c, int id)
{
	return node(c, id);
}

const char *labfile_text(const yaml_node_t *n)
{
	return text(n);
}

bool labfile_plain(const yaml_node_t *n)
{
	return plain_string(n);
}

const char *labfile_kind(const yaml_node_t *n)
{
	return kind(n);
}

const char *labfile_scalar(struct ctx *c, const yaml_node_t *key, const yaml_node_t *val)
{
	return want_scalar(c, key, val);
}

void labfile_bool(struct ctx *c, const yaml_node_t *key, const yaml_node_t *val, bool *out)
{
	parse_bool(c, key, val, out);
}

bool labfile_items(const yaml_node_t *n, yaml_node_item_t **start, yaml_node_item_t **end)
{
	return get_items(n, start, end);
}

bool labfile_pairs(const yaml_node_t *n, const yaml_node_pair_t **start,
		   const yaml_node_pair_t **end)
{
	struct pairs ps;
	bool ok = get_pairs(n, &ps);

	*start = ps.start;
	*end = ps.end;
	return ok;
}

const char *labfile_pair_key(struct ctx *c, const yaml_node_pair_t *start,
			     const yaml_node_pair_t *p, const char *what)
{
	struct pairs ps = { start, p + 1, NULL };
	const char *k = pair_name(c, p);

	return k && !pair_dup(c, &ps, p, what) ? k : NULL;
}

bool labfile_name(struct ctx *c, const yaml_node_t *at, const char *what, const char *s)
{
	return validate_name(c, at, what, s);
}

char *labfile_strdup(struct ctx *c, const char *s)
{
	return str_dup(c, s);
}

void labfile_walk(struct ctx *c, const yaml_node_pair_t *start, const yaml_node_pair_t *end,
		  const struct setting *tab, size_t n, void *obj)
{
	struct pairs ps = { start, end, NULL };

	walk_settings(c, &ps, tab, n, obj);
}

bool labfile_same_ip(const struct lab_addr *a, const struct lab_addr *b)
{
	return same_ip(a, b);
}

/* ---- loading ----------------------------------------------------------- */

/* Reader errors carry a byte offset instead of a mark. */
static struct lab_pos offset_pos(const char *buf, size_t len, size_t off)
{
	struct lab_pos pos = { 1, 1 };
	size_t i;

	for (i = 0; i < off && i < len; i++) {
		if (buf[i] == '\n') {
			pos.line++;
			pos.col = 1;
		} else {
			pos.col++;
		}
	}
	return pos;
}

static void syntax_error(struct ctx *c, const yaml_parser_t *parser,
			 const char *buf, size_t len)
{
	struct lab_pos pos;

	if (parser->error == YAML_MEMORY_ERROR) {
		c->nomem = true;
		return;
	}
	if (parser->error == YAML_READER_ERROR)
		pos = offset_pos(buf, len, parser->problem_offset);
	else
		pos = (struct lab_pos){ (int)parser->problem_mark.line + 1,
					(int)parser->problem_mark.column + 1 };
	report(c, pos, "%s", parser->problem ? parser->problem : "not valid YAML");
}

/* ---- the document, within limits ------------------------------------- */

/* yaml_parser_load builds a whole document before anyone can look at it,
 * and an alias shares its anchor's node: a few kilobytes of aliases to
 * aliases ("billion laughs") walk as billions of values.  This loader builds
 * the same document from the parser's events and refuses, at the event that
 * would pass it, too many values, too deep a nesting, and aliases that
 * repeat more than LABFILE_ALIAS_MAX values in all (or contain themselves). */

struct anchor {
	char *name;
	int id;
	bool open;               /* its list or mapping is not finished yet */
	struct lab_pos pos;
};

struct frame {
	int id;
	int key;                 /* a mapping's key waiting for its value */
	size_t weight;           /* values under it, aliases counted expanded */
	size_t anchor;           /* its anchor's index + 1, or 0 */
};

struct loader {
	struct frame stack[LABFILE_DEPTH_MAX];
	size_t depth;
	size_t *weight;          /* per node: values it stands for */
	size_t n_weight;
	struct anchor *anchors;
	size_t n_anchors;
	struct keymap by_name;   /* anchor name -> index */
	size_t repeated;         /* values reached through aliases so far */
};

enum { LOAD_MORE, LOAD_DONE, LOAD_END, LOAD_FAILED };

static struct lab_pos mark_pos(yaml_mark_t m)
{
	return (struct lab_pos){ (int)m.line + 1, (int)m.column + 1 };
}

static size_t weight_add(size_t a, size_t b)
{
	return a + b > LABFILE_ALIAS_MAX ? LABFILE_ALIAS_MAX + 1 : a + b;
}

/* Hangs node id (standing for weight values) under the open collection. */
static int load_attach(struct ctx *c, struct loader *L, yaml_document_t *doc, int id,
		       size_t weight)
{
	struct frame *f;
	int ok = 1;

	if (!L->depth)
		return LOAD_MORE;
	f = &L->stack[L->depth - 1];
	f->weight = weight_add(f->weight, weight);
	if (yaml_document_get_node(doc, f->id)->type == YAML_SEQUENCE_NODE)
		ok = yaml_document_append_sequence_item(doc, f->id, id);
	else if (!f->key)
		f->key = id;
	else {
		ok = yaml_document_append_mapping_pair(doc, f->id, f->key, id);
		f->key = 0;
	}
	if (!ok)
		c->nomem = true;
	return ok ? LOAD_MORE : LOAD_FAILED;
}

static int load_anchor(struct ctx *c, struct loader *L, const yaml_char_t *name, int id,
		       yaml_mark_t at, bool open)
{
	struct anchor *a;
	size_t old;
	int r;

	if (!name)
		return LOAD_MORE;
	a = realloc(L->anchors, (L->n_anchors + 1) * sizeof(*a));
	if (!a)
		goto nomem;
	L->anchors = a;
	a = &a[L->n_anchors];
	*a = (struct anchor){ strdup((const char *)name), id, open, mark_pos(at) };
	if (!a->name)
		goto nomem;
	r = keymap_put(&L->by_name, a->name, strlen(a->name), L->n_anchors, &old);
	if (r < 0) {
		free(a->name);
		goto nomem;
	}
	L->n_anchors++;
	if (r == 0)
		return LOAD_MORE;
	/* As yaml_parser_load: an anchor names one value. */
	report(c, mark_pos(at), "duplicate anchor &%s (first given on line %d)", a->name,
	       L->anchors[old].pos.line);
	return LOAD_FAILED;
nomem:
	c->nomem = true;
	return LOAD_FAILED;
}

static int load_alias(struct ctx *c, struct loader *L, yaml_document_t *doc,
		      const yaml_event_t *ev)
{
	const char *name = (const char *)ev->data.alias.anchor;
	const struct anchor *a;
	size_t i, w;

	if (!keymap_get(&L->by_name, name, strlen(name), &i)) {
		/* yaml_parser_load's own words for it. */
		report(c, mark_pos(ev->start_mark), "found undefined alias");
		return LOAD_FAILED;
	}
	a = &L->anchors[i];
	if (a->open) {
		report(c, mark_pos(ev->start_mark), "alias *%s is inside the value it names", name);
		return LOAD_FAILED;
	}
	w = L->weight[a->id - 1];
	L->repeated = weight_add(L->repeated, w);
	if (L->repeated > LABFILE_ALIAS_MAX) {
		report(c, mark_pos(ev->start_mark),
		       "alias *%s: aliases repeat more than " STR(LABFILE_ALIAS_MAX) " values in all",
		       name);
		return LOAD_FAILED;
	}
	return load_attach(c, L, doc, a->id, w);
}

/* A scalar, or the start of a list or mapping: a new node. */
static int load_node(struct ctx *c, struct loader *L, yaml_document_t *doc,
		     const yaml_event_t *ev)
{
	const yaml_char_t *tag = NULL, *anchor;
	size_t *w, n = (size_t)(doc->nodes.top - doc->nodes.start);
	int id, r;

	if (n >= LABFILE_VALUES_MAX) {
		report(c, mark_pos(ev->start_mark),
		       "the lab file has more than " STR(LABFILE_VALUES_MAX) " values");
		return LOAD_FAILED;
	}
	if (ev->type == YAML_SCALAR_EVENT) {
		tag = ev->data.scalar.tag;
		anchor = ev->data.scalar.anchor;
	} else if (ev->type == YAML_SEQUENCE_START_EVENT) {
		tag = ev->data.sequence_start.tag;
		anchor = ev->data.sequence_start.anchor;
	} else {
		tag = ev->data.mapping_start.tag;
		anchor = ev->data.mapping_start.anchor;
	}
	if (ev->type != YAML_SCALAR_EVENT && L->depth == LABFILE_DEPTH_MAX) {
		report(c, mark_pos(ev->start_mark),
		       "lists and mappings nest more than " STR(LABFILE_DEPTH_MAX) " deep here");
		return LOAD_FAILED;
	}
	/* "!" asks for the default tag, as yaml_parser_load has it. */
	if (tag && !strcmp((const char *)tag, "!"))
		tag = NULL;
	if (ev->type == YAML_SCALAR_EVENT)
		id = yaml_document_add_scalar(doc, (yaml_char_t *)tag, ev->data.scalar.value,
					      (int)ev->data.scalar.length, ev->data.scalar.style);
	else if (ev->type == YAML_SEQUENCE_START_EVENT)
		id = yaml_document_add_sequence(doc, (yaml_char_t *)tag,
						ev->data.sequence_start.style);
	else
		id = yaml_document_add_mapping(doc, (yaml_char_t *)tag,
					       ev->data.mapping_start.style);
	w = id ? realloc(L->weight, (size_t)id * sizeof(*w)) : NULL;
	if (!w) {
		c->nomem = true;
		return LOAD_FAILED;
	}
	L->weight = w;
	w[id - 1] = 1;
	doc->nodes.start[id - 1].start_mark = ev->start_mark;
	doc->nodes.start[id - 1].end_mark = ev->end_mark;
	r = load_anchor(c, L, anchor, id, ev->start_mark, ev->type != YAML_SCALAR_EVENT);
	if (r != LOAD_MORE)
		return r;
	if (ev->type == YAML_SCALAR_EVENT)
		return load_attach(c, L, doc, id, 1);
	L->stack[L->depth++] = (struct frame){ id, 0, 1, anchor ? L->n_anchors : 0 };
	return LOAD_MORE;
}

static int load_end(struct ctx *c, struct loader *L, yaml_document_t *doc,
		    const yaml_event_t *ev)
{
	struct frame f = L->stack[--L->depth];

	doc->nodes.start[f.id - 1].end_mark = ev->end_mark;
	L->weight[f.id - 1] = f.weight;
	if (f.anchor)
		L->anchors[f.anchor - 1].open = false;
	return load_attach(c, L, doc, f.id, f.weight);
}

static int load_event(struct ctx *c, struct loader *L, yaml_document_t *doc,
		      const yaml_event_t *ev)
{
	switch (ev->type) {
	case YAML_STREAM_START_EVENT:
		return LOAD_MORE;
	case YAML_DOCUMENT_START_EVENT:
		if (yaml_document_initialize(doc, NULL, NULL, NULL, 1, 1))
			return LOAD_MORE;
		c->nomem = true;
		return LOAD_FAILED;
	case YAML_DOCUMENT_END_EVENT:
		return LOAD_DONE;
	case YAML_ALIAS_EVENT:
		return load_alias(c, L, doc, ev);
	case YAML_SCALAR_EVENT:
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		return load_node(c, L, doc, ev);
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		return load_end(c, L, doc, ev);
	default: /* the stream's end */
		return LOAD_END;
	}
}

static void loader_free(struct loader *L)
{
	size_t i;

	for (i = 0; i < L->n_anchors; i++)
		free(L->anchors[i].name);
	free(L->anchors);
	free(L->weight);
	keymap_free(&L->by_name);
}

/* The next document of the stream into doc: LOAD_DONE, LOAD_END when there
 * is none (doc left empty), LOAD_FAILED once the problem is reported. */
static int load_doc(struct ctx *c, yaml_parser_t *parser, yaml_document_t *doc,
		    const char *buf, size_t len)
{
	struct loader L = { .depth = 0 };
	yaml_event_t ev;
	int r;

	memset(doc, 0, sizeof(*doc));
	do {
		if (!yaml_parser_parse(parser, &ev)) {
			syntax_error(c, parser, buf, len);
			r = LOAD_FAILED;
			break;
		}
		r = load_event(c, &L, doc, &ev);
		yaml_event_delete(&ev);
	} while (r == LOAD_MORE);
	loader_free(&L);
	return r;
}

/* A second document would be silently ignored: refuse it. */
static void validate_no_more(struct ctx *c, yaml_parser_t *parser,
			  const char *buf, size_t len)
{
	yaml_document_t more;
	yaml_node_t *root;

	if (load_doc(c, parser, &more, buf, len) == LOAD_DONE) {
		root = yaml_document_get_root_node(&more);
		if (root)
			report(c, pos_of(root), "a lab file holds one YAML document; this is a second one");
	}
	yaml_document_delete(&more);
}

static void read_lab(struct ctx *c, yaml_parser_t *parser, const char *buf,
		     size_t len)
{
	if (load_doc(c, parser, c->doc, buf, len) == LOAD_FAILED)
		return;
	labfile_ranges_expand(c, c->doc);
	if (c->nomem)
		return;
	walk_root(c, yaml_document_get_root_node(c->doc));
	if (!c->nomem)
		validate_lab(c);
	if (yaml_document_get_root_node(c->doc))
		validate_no_more(c, parser, buf, len);
}

static void ctx_free(struct ctx *c)
{
	size_t i;

	for (i = 0; i < c->n_probs; i++)
		free(c->probs[i].text);
	free(c->probs);
	free(c->bm);
	for (i = 0; c->hm && i < c->n_hm; i++)
		host_marks_clear(&c->hm[i]);
	free(c->hm);
	free(c->lm);
	keymap_free(&c->host_by_name);
	keymap_free(&c->port_owner);
	keymap_free(&c->addr_owner);
	free(c->addr_keys);
	lab_free(c->dropped);
	lab_free(c->lab);
}

static int labfile_parse_in(const char *display, const char *flows_dir, const char *buf,
			    size_t len, FILE *diag, struct lab **out)
{
	struct ctx c = { .display = display, .flows_dir = flows_dir };
	yaml_parser_t parser;
	yaml_document_t doc;
	size_t n_probs = 0;
	int ret = 0;

	*out = NULL;
	memset(&parser, 0, sizeof(parser));
	memset(&doc, 0, sizeof(doc));
	c.doc = &doc;
	if (len > LABFILE_SIZE_MAX) {
		err_set("%s: cannot read the lab file: it is larger than " LABFILE_SIZE_TEXT
			", the most ovslab reads", display);
		return -EFBIG;
	}
	c.lab = calloc(1, sizeof(*c.lab));
	if (!c.lab || !yaml_parser_initialize(&parser)) {
		ret = -ENOMEM;
		goto out;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	c.lab->file = str_dup(&c, display);
	read_lab(&c, &parser, buf, len);
	if (c.nomem) {
		ret = -ENOMEM;
		goto out;
	}
	if (c.n_probs) {
		n_probs = c.n_probs + c.n_more;
		print_problems(&c, diag);
		ret = -EINVAL;
		goto out;
	}
	*out = c.lab;
	c.lab = NULL;
out:
	if (ret == -ENOMEM)
		err_set("%s: out of memory while reading the lab file", display);
	else if (ret == -EINVAL)
		err_set("%s: the lab file has %zu problem%s", display, n_probs,
			n_probs == 1 ? "" : "s");
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	ctx_free(&c);
	return ret;
}

static const char *file_kind(mode_t mode)
{
	if (S_ISDIR(mode))
		return "it is a directory, not a regular file";
	if (S_ISFIFO(mode))
		return "it is a FIFO, not a regular file";
	if (S_ISCHR(mode))
		return "it is a character device, not a regular file";
	if (S_ISBLK(mode))
		return "it is a block device, not a regular file";
	if (S_ISSOCK(mode))
		return "it is a socket, not a regular file";
	return "it is not a regular file";
}

/* O_NONBLOCK: opening a FIFO must not wait for a writer; fstat then
 * refuses it.  The size is checked again while reading: a file in /proc
 * says 0, and a file may grow. */
static int read_file(const char *path, char **buf, size_t *len, const char **why)
{
	static const char too_big[] = "it is larger than " LABFILE_SIZE_TEXT
				      ", the most ovslab reads";
	size_t cap = 0, n = 0;
	char *b = NULL, *nb;
	struct stat sb;
	ssize_t got;
	int fd, ret = 0;

	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		ret = -errno;
		*why = strerror(errno);
		return ret;
	}
	if (fstat(fd, &sb) < 0) {
		ret = -errno;
		*why = strerror(errno);
		goto out;
	}
	if (!S_ISREG(sb.st_mode)) {
		ret = -EINVAL;
		*why = file_kind(sb.st_mode);
		goto out;
	}
	if (sb.st_size > (off_t)LABFILE_SIZE_MAX) {
		ret = -EFBIG;
		*why = too_big;
		goto out;
	}
	do {
		if (n == cap) {
			if (cap > LABFILE_SIZE_MAX) {
				ret = -EFBIG;
				*why = too_big;
				goto out;
			}
			cap = cap ? cap * 2 : (size_t)sb.st_size + 4096;
			nb = realloc(b, cap);
			if (!nb) {
				ret = -ENOMEM;
				*why = strerror(ENOMEM);
				goto out;
			}
			b = nb;
		}
		got = read(fd, b + n, cap - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			ret = -errno;
			*why = strerror(errno);
			goto out;
		}
		n += (size_t)got;
	} while (got);
	if (n > LABFILE_SIZE_MAX) {
		ret = -EFBIG;
		*why = too_big;
		goto out;
	}
	*buf = b;
	*len = n;
	b = NULL;
out:
	free(b);
	close(fd);
	return ret;
}

int labfile_parse(const char *display, const char *buf, size_t len,
		  FILE *diag, struct lab **out)
{
	return labfile_parse_in(display, NULL, buf, len, diag, out);
}

int labfile_load_saved(const char *path, const char *flows_dir, FILE *diag, struct lab **out)
{
	const char *why = NULL;
	char *buf = NULL;
	size_t len = 0;
	int ret;

	*out = NULL;
	ret = read_file(path, &buf, &len, &why);
	if (ret < 0)
		err_set("%s: cannot read the lab file: %s", path, why);
	else
		ret = labfile_parse_in(path, flows_dir, buf, len, diag, out);
	free(buf);
	return ret;
}

int labfile_load(const char *path, FILE *diag, struct lab **out)
{
	const char *why = NULL;
	char *buf = NULL;
	size_t len = 0;
	int ret;

	*out = NULL;
	ret = read_file(path, &buf, &len, &why);
	if (ret < 0) {
		err_set("%s: cannot read the lab file: %s", path, why);
		goto out;
	}
	ret = labfile_parse(path, buf, len, diag, out);
out:
	free(buf);
	return ret;
}
