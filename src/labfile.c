#include "labfile.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "err.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define STR_(x) #x
#define STR(x) STR_(x)

/* One problem found; all are kept until the end so they print in file order. */
struct problem {
	struct lab_pos pos;
	size_t seq;
	char *text;
};

/* Where values sat in the file, for the checks that compare entities. */
struct bridge_marks {
	struct lab_pos gateway, nat;
	bool gateway_bad;
};

struct host_marks {
	struct lab_pos bridge, address, port;
	bool bridge_seen, port_seen;
};

struct bridge_slot {
	struct lab_bridge *b;
	struct bridge_marks *m;
};

struct host_slot {
	struct lab_host *h;
	struct lab_iface *ifc;
	struct host_marks *m;
};

struct ctx {
	const char *display;
	yaml_document_t *doc;
	struct lab *lab;
	struct bridge_marks *bm; /* parallel to lab->bridges */
	struct host_marks *hm;   /* parallel to lab->hosts */
	struct problem *probs;
	size_t n_probs;
	bool name_seen;
	bool nomem;
};

/* The pairs of a mapping node; empty for a null value. */
struct pairs {
	const yaml_node_pair_t *start, *end;
};

typedef void setting_fn(struct ctx *c, const yaml_node_t *key,
			const yaml_node_t *val, void *obj);

struct setting {
	const char *key;
	setting_fn *fn;
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

static void report(struct ctx *c, struct lab_pos pos, const char *fmt, ...)
{
	struct problem *p = NULL;
	char *text;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&text, fmt, ap);
	va_end(ap);
	if (n >= 0)
		p = realloc(c->probs, (c->n_probs + 1) * sizeof(*p));
	if (!p) {
		if (n >= 0)
			free(text);
		c->nomem = true;
		return;
	}
	scrub(text);
	c->probs = p;
	p[c->n_probs] = (struct problem){ pos, c->n_probs, text };
	c->n_probs++;
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

	qsort(c->probs, c->n_probs, sizeof(*c->probs), problem_cmp);
	for (i = 0; diag && i < c->n_probs; i++)
		fprintf(diag, "%s:%d:%d: %s\n", c->display, c->probs[i].pos.line,
			c->probs[i].pos.col, c->probs[i].text);
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

/* A mapping, or an empty value standing for an empty mapping. */
static bool get_pairs(const yaml_node_t *n, struct pairs *ps)
{
	ps->start = ps->end = NULL;
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
	size_t n = strlen(s);

	if (!n)
		return "is empty";
	if (n > LAB_NAME_MAX)
		return "is longer than " STR(LAB_NAME_MAX) " bytes";
	if (!strcmp(s, ".") || !strcmp(s, ".."))
		return "is not a valid name: \".\" and \"..\" are reserved";
	if (strchr(s, '/'))
		return "is not a valid name: it contains '/'";
	if (strchr(s, ':'))
		return "is not a valid name: it contains ':' (reserved for host:interface)";
	return "is not a valid name: it contains a space or a control character";
}

static bool check_name(struct ctx *c, const yaml_node_t *at, const char *what,
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

	for (q = ps->start; q < p; q++) {
		kq = node(c, q->key);
		if (plain_string(kq) && !strcmp(text(kq), text(k))) {
			report(c, pos_of(k), "duplicate %s \"%s\"", what, text(k));
			return true;
		}
	}
	return false;
}

static const char *expected(const struct setting *tab, size_t n, char *buf,
			    size_t len)
{
	size_t i, used = 0;

	buf[0] = '\0';
	for (i = 0; i < n && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s",
					 i ? ", " : "", tab[i].key);
	return buf;
}

static void walk_settings(struct ctx *c, const struct pairs *ps,
			  const struct setting *tab, size_t n, void *obj)
{
	const yaml_node_pair_t *p;
	const char *k;
	char exp[128];
	size_t i;

	for (p = ps->start; p < ps->end; p++) {
		k = pair_name(c, p);
		if (!k || pair_dup(c, ps, p, "key"))
			continue;
		for (i = 0; i < n && strcmp(tab[i].key, k); i++)
			;
		if (i < n)
			tab[i].fn(c, node(c, p->key), node(c, p->value), obj);
		else
			report(c, pos_of(node(c, p->key)), "unknown key \"%s\" (expected %s)",
			       k, expected(tab, n, exp, sizeof(exp)));
	}
}

/* ---- bridges ----------------------------------------------------------- */

static void bridge_gateway(struct ctx *c, const yaml_node_t *key,
			   const yaml_node_t *val, void *obj)
{
	struct bridge_slot *s = obj;
	const char *str = want_scalar(c, key, val);

	s->m->gateway = pos_of(val);
	if (!str || !parse_addr(c, val, str, &s->b->gateway))
		s->m->gateway_bad = true;
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

	if (str && (!strcmp(str, "auto") || check_name(c, val, "uplink", str)))
		s->b->uplink = str_dup(c, str);
}

static const struct setting bridge_settings[] = {
	{ "gateway", bridge_gateway },
	{ "nat", bridge_nat },
	{ "uplink", bridge_uplink },
};

static void bridge_clear(struct lab_bridge *b)
{
	free(b->name);
	free(b->uplink);
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
	char exp[128];

	if (!name)
		return;
	dupl = pair_dup(c, ps, p, "bridge");
	if (!dupl)
		check_name(c, key, "bridge name", name);
	s.b->name = str_dup(c, name);
	s.b->pos = pos_of(key);
	if (!get_pairs(val, &body))
		report(c, pos_of(val), "bridge %s must be a mapping of settings (expected %s)",
		       name, expected(bridge_settings, ARRAY_SIZE(bridge_settings),
				      exp, sizeof(exp)));
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

/* ---- hosts ------------------------------------------------------------- */

static void host_bridge(struct ctx *c, const yaml_node_t *key,
			const yaml_node_t *val, void *obj)
{
	struct host_slot *s = obj;
	const char *str = want_scalar(c, key, val);

	s->m->bridge_seen = true;
	s->m->bridge = pos_of(val);
	if (str && check_name(c, val, "bridge name", str))
		s->ifc->bridge = str_dup(c, str);
}

static void host_address(struct ctx *c, const yaml_node_t *key,
			 const yaml_node_t *val, void *obj)
{
	struct host_slot *s = obj;
	const char *str = want_scalar(c, key, val);

	s->m->address = pos_of(val);
	if (str)
		parse_addr(c, val, str, &s->ifc->addr);
}

static void host_ifname(struct ctx *c, const yaml_node_t *key,
			const yaml_node_t *val, void *obj)
{
	struct host_slot *s = obj;
	const char *str = want_scalar(c, key, val);

	if (!str || !check_name(c, val, "ifname", str))
		return;
	/* Every namespace already has its loopback device under this name. */
	if (!strcmp(str, "lo"))
		report(c, pos_of(val), "ifname \"lo\" is taken by the namespace's loopback device");
	else
		s->ifc->ifname = str_dup(c, str);
}

static void host_port(struct ctx *c, const yaml_node_t *key,
		      const yaml_node_t *val, void *obj)
{
	struct host_slot *s = obj;
	const char *str = want_scalar(c, key, val);

	s->m->port_seen = true;
	s->m->port = pos_of(val);
	if (str && check_name(c, val, "port", str))
		s->ifc->port = str_dup(c, str);
}

static const struct setting host_settings[] = {
	{ "bridge", host_bridge },
	{ "address", host_address },
	{ "ifname", host_ifname },
	{ "port", host_port },
};

static void host_defaults(struct ctx *c, struct host_slot *s)
{
	char port[LAB_NAME_MAX + 1];

	if (!s->m->bridge_seen)
		report(c, s->h->pos, "host %s: missing key \"bridge\"", s->h->name);
	if (!s->ifc->ifname)
		s->ifc->ifname = str_dup(c, "eth0");
	if (!s->m->port_seen) {
		lab_port_default(s->h->name, 0, port);
		s->ifc->port = str_dup(c, port);
		s->m->port = s->h->pos;
	}
}

static void host_clear(struct lab_host *h)
{
	if (h->ifaces) {
		free(h->ifaces[0].bridge);
		free(h->ifaces[0].ifname);
		free(h->ifaces[0].port);
	}
	free(h->ifaces);
	free(h->name);
	memset(h, 0, sizeof(*h));
}

static void add_host(struct ctx *c, const struct pairs *ps,
		     const yaml_node_pair_t *p)
{
	struct lab *lab = c->lab;
	struct host_slot s = { &lab->hosts[lab->n_hosts], NULL, &c->hm[lab->n_hosts] };
	const yaml_node_t *key = node(c, p->key), *val = node(c, p->value);
	const char *name = pair_name(c, p);
	struct pairs body;
	char exp[128];
	bool dupl;

	if (!name)
		return;
	dupl = pair_dup(c, ps, p, "host");
	if (!dupl)
		check_name(c, key, "host name", name);
	s.h->ifaces = s.ifc = calloc(1, sizeof(*s.ifc));
	s.h->name = str_dup(c, name);
	if (!s.ifc || !s.h->name) {
		host_clear(s.h);
		c->nomem = true;
		return;
	}
	s.h->n_ifaces = 1;
	s.h->pos = s.ifc->pos = pos_of(key);
	if (!get_pairs(val, &body)) {
		report(c, pos_of(val), "host %s must be a mapping of settings (expected %s)",
		       name, expected(host_settings, ARRAY_SIZE(host_settings),
				      exp, sizeof(exp)));
		s.m->bridge_seen = true; /* one problem, not a second one about it */
	}
	walk_settings(c, &body, host_settings, ARRAY_SIZE(host_settings), &s);
	host_defaults(c, &s);
	if (dupl) {
		host_clear(s.h);
		memset(s.m, 0, sizeof(*s.m));
	} else {
		lab->n_hosts++;
	}
}

/* ---- top level --------------------------------------------------------- */

static void top_name(struct ctx *c, const yaml_node_t *key,
		     const yaml_node_t *val, void *obj)
{
	const char *s = want_scalar(c, key, val);

	(void)obj;
	c->name_seen = true;
	if (s && check_name(c, val, "lab name", s))
		c->lab->name = str_dup(c, s);
}

static void top_bridges(struct ctx *c, const yaml_node_t *key,
			const yaml_node_t *val, void *obj)
{
	const yaml_node_pair_t *p;
	struct pairs ps;
	size_t n;

	(void)key;
	(void)obj;
	if (!get_pairs(val, &ps)) {
		report(c, pos_of(val), "\"bridges\" must be a mapping of bridge names");
		return;
	}
	n = (size_t)(ps.end - ps.start) + 1;
	c->lab->bridges = calloc(n, sizeof(*c->lab->bridges));
	c->bm = calloc(n, sizeof(*c->bm));
	if (!c->lab->bridges || !c->bm) {
		c->nomem = true;
		return;
	}
	for (p = ps.start; p < ps.end; p++)
		add_bridge(c, &ps, p);
}

static void top_hosts(struct ctx *c, const yaml_node_t *key,
		      const yaml_node_t *val, void *obj)
{
	const yaml_node_pair_t *p;
	struct pairs ps;
	size_t n;

	(void)key;
	(void)obj;
	if (!get_pairs(val, &ps)) {
		report(c, pos_of(val), "\"hosts\" must be a mapping of host names");
		return;
	}
	n = (size_t)(ps.end - ps.start) + 1;
	c->lab->hosts = calloc(n, sizeof(*c->lab->hosts));
	c->hm = calloc(n, sizeof(*c->hm));
	if (!c->lab->hosts || !c->hm) {
		c->nomem = true;
		return;
	}
	for (p = ps.start; p < ps.end && !c->nomem; p++)
		add_host(c, &ps, p);
}

static const struct setting top_settings[] = {
	{ "name", top_name },
	{ "bridges", top_bridges },
	{ "hosts", top_hosts },
};

static void walk_root(struct ctx *c, const yaml_node_t *root)
{
	struct pairs ps;
	char exp[128];

	expected(top_settings, ARRAY_SIZE(top_settings), exp, sizeof(exp));
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

/* ---- checks across entities -------------------------------------------- */

static void check_bridge(struct ctx *c, size_t i)
{
	const struct lab_bridge *b = &c->lab->bridges[i], *o;
	const struct bridge_marks *m = &c->bm[i];
	char n1[64], n2[64];
	size_t j;

	if (b->nat && b->gateway.family != AF_INET && !m->gateway_bad)
		report(c, m->nat, "bridge %s: nat needs an IPv4 gateway", b->name);
	for (j = 0; j < i; j++) {
		o = &c->lab->bridges[j];
		if (lab_addr_in_subnet(&o->gateway, &b->gateway) ||
		    lab_addr_in_subnet(&b->gateway, &o->gateway)) {
			report(c, m->gateway, "bridge %s: subnet %s overlaps %s's subnet %s",
			       b->name, net_str(&b->gateway, n1, sizeof(n1)), o->name,
			       net_str(&o->gateway, n2, sizeof(n2)));
			break;
		}
	}
}

static void check_address(struct ctx *c, size_t i, const struct lab_bridge *b)
{
	const struct lab_host *h = &c->lab->hosts[i], *o;
	const struct lab_iface *ifc = &h->ifaces[0];
	struct lab_pos at = c->hm[i].address;
	char a1[64], a2[64];
	size_t k;

	if (!ifc->addr.family)
		return;
	if (b->gateway.family && !lab_addr_in_subnet(&b->gateway, &ifc->addr))
		report(c, at, "%s is outside %s's subnet %s",
		       lab_addr_str(&ifc->addr, a1, sizeof(a1)), b->name,
		       net_str(&b->gateway, a2, sizeof(a2)));
	else if (same_ip(&b->gateway, &ifc->addr))
		report(c, at, "host %s: %s is %s's gateway address", h->name,
		       ip_str(&ifc->addr, a1, sizeof(a1)), b->name);
	for (k = 0; k < i; k++) {
		o = &c->lab->hosts[k];
		if (o->ifaces[0].bridge && !strcmp(o->ifaces[0].bridge, b->name) &&
		    same_ip(&o->ifaces[0].addr, &ifc->addr)) {
			report(c, at, "host %s: address %s is already used by host %s",
			       h->name, ip_str(&ifc->addr, a1, sizeof(a1)), o->name);
			break;
		}
	}
}

static void check_port(struct ctx *c, size_t i)
{
	const struct lab_host *h = &c->lab->hosts[i];
	const char *port = h->ifaces[0].port, *hint, *other;
	const struct host_marks *m = &c->hm[i];
	size_t k;

	if (!port)
		return;
	/* A port named by default is the user's to fix by naming it. */
	hint = m->port_seen ? "" : " (set \"port\" to choose another name)";
	if (lab_find_bridge(c->lab, port))
		report(c, m->port, "host %s: port \"%s\" is a bridge's name%s",
		       h->name, port, hint);
	for (k = 0; k < i; k++) {
		other = c->lab->hosts[k].ifaces[0].port;
		if (other && !strcmp(other, port)) {
			report(c, m->port, "host %s: port \"%s\" is already used by host %s%s",
			       h->name, port, c->lab->hosts[k].name, hint);
			break;
		}
	}
	for (k = 0; k < c->lab->n_bridges; k++) {
		other = c->lab->bridges[k].uplink;
		if (other && !strcmp(other, port))
			report(c, m->port, "host %s: port \"%s\" is bridge %s's uplink%s",
			       h->name, port, c->lab->bridges[k].name, hint);
	}
}

static void check_host(struct ctx *c, size_t i)
{
	const struct lab_host *h = &c->lab->hosts[i];
	const struct lab_iface *ifc = &h->ifaces[0];
	const struct lab_bridge *b;

	/* The bridge's internal port carries the bridge's name. */
	if (lab_find_bridge(c->lab, h->name))
		report(c, h->pos, "host name \"%s\" is already a bridge's name", h->name);
	if (ifc->bridge) {
		b = lab_find_bridge(c->lab, ifc->bridge);
		if (b)
			check_address(c, i, b);
		else
			report(c, c->hm[i].bridge, "host %s: unknown bridge \"%s\"",
			       h->name, ifc->bridge);
	}
	check_port(c, i);
}

static void check_lab(struct ctx *c)
{
	size_t i;

	for (i = 0; i < c->lab->n_bridges; i++)
		check_bridge(c, i);
	for (i = 0; i < c->lab->n_hosts; i++)
		check_host(c, i);
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

/* A second document would be silently ignored: refuse it. */
static void check_no_more(struct ctx *c, yaml_parser_t *parser,
			  const char *buf, size_t len)
{
	yaml_document_t more;
	yaml_node_t *root;

	memset(&more, 0, sizeof(more));
	if (!yaml_parser_load(parser, &more)) {
		syntax_error(c, parser, buf, len);
		return;
	}
	root = yaml_document_get_root_node(&more);
	if (root)
		report(c, pos_of(root), "a lab file holds one YAML document; this is a second one");
	yaml_document_delete(&more);
}

static void read_lab(struct ctx *c, yaml_parser_t *parser, const char *buf,
		     size_t len)
{
	if (!yaml_parser_load(parser, c->doc)) {
		syntax_error(c, parser, buf, len);
		return;
	}
	walk_root(c, yaml_document_get_root_node(c->doc));
	if (!c->nomem)
		check_lab(c);
	if (yaml_document_get_root_node(c->doc))
		check_no_more(c, parser, buf, len);
}

static void ctx_free(struct ctx *c)
{
	size_t i;

	for (i = 0; i < c->n_probs; i++)
		free(c->probs[i].text);
	free(c->probs);
	free(c->bm);
	free(c->hm);
	lab_free(c->lab);
}

int labfile_parse(const char *display, const char *buf, size_t len,
		  FILE *diag, struct lab **out)
{
	struct ctx c = { .display = display };
	yaml_parser_t parser;
	yaml_document_t doc;
	int ret = 0;

	*out = NULL;
	memset(&parser, 0, sizeof(parser));
	memset(&doc, 0, sizeof(doc));
	c.doc = &doc;
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
		err_set("%s: the lab file has %zu problem%s", display, c.n_probs,
			c.n_probs == 1 ? "" : "s");
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	ctx_free(&c);
	return ret;
}

static int read_file(const char *path, char **buf, size_t *len)
{
	size_t cap = 0, n = 0, got;
	char *b = NULL, *nb;
	int ret = 0;
	FILE *f;

	f = fopen(path, "re");
	if (!f)
		return -errno;
	errno = 0;
	do {
		if (n == cap) {
			cap = cap ? cap * 2 : 4096;
			nb = realloc(b, cap);
			if (!nb) {
				ret = -ENOMEM;
				goto out;
			}
			b = nb;
		}
		got = fread(b + n, 1, cap - n, f);
		n += got;
	} while (got);
	if (ferror(f)) {
		ret = errno ? -errno : -EIO;
		goto out;
	}
	*buf = b;
	*len = n;
	b = NULL;
out:
	free(b);
	fclose(f);
	return ret;
}

int labfile_load(const char *path, FILE *diag, struct lab **out)
{
	char *buf = NULL;
	size_t len = 0;
	int ret;

	*out = NULL;
	ret = read_file(path, &buf, &len);
	if (ret < 0) {
		err_set("%s: cannot read the lab file: %s", path, strerror(-ret));
		goto out;
	}
	ret = labfile_parse(path, buf, len, diag, out);
out:
	free(buf);
	return ret;
}
