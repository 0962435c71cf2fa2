/* Ranges in the lab file: one entry standing for many (`h[1-100]`), expanded
 * in the YAML document before it is read, so the rest of the reader, plan,
 * show and every message see the expanded names at the template's position. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "labfile/labfile.h"
#include "labfile/labfile_int.h"

#define RANGE_PARTS_MAX 4  /* ranges in one value: h[1-4]-[1-8] is two */
#define RANGE_TEXT_MAX 256 /* an expanded value; names are 15 bytes anyway */

struct range {
	unsigned long lo, hi;
	int width;         /* zero padding: h[001-100] is 3 */
	size_t at, len;    /* where "[lo-hi]" sits in the text */
};

struct pattern {
	const char *text;
	struct range r[RANGE_PARTS_MAX];
	int n;
	size_t count;      /* values it stands for; capped past LABFILE_VALUES_MAX */
};

static bool digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return n > 0 && n <= 9;
}

/* Finds the "[LO-HI]" parts of s.  Returns the number of values s stands
 * for (1: no range), or 0 with *why set when a part is written wrong. */
static size_t pattern_parse(const char *s, struct pattern *p, const char **why)
{
	const char *o, *dash, *close;
	struct range *r;

	memset(p, 0, sizeof(*p));
	p->text = s;
	p->count = 1;
	*why = NULL;
	for (o = strchr(s, '['); o; o = strchr(close + 1, '[')) {
		close = strchr(o, ']');
		if (!close)
			break;
		dash = memchr(o, '-', (size_t)(close - o));
		if (!dash || !digits(o + 1, (size_t)(dash - o - 1)) ||
		    !digits(dash + 1, (size_t)(close - dash - 1)))
			continue; /* not a range: "[0..15]" of a flow stays text */
		if (p->n == RANGE_PARTS_MAX) {
			*why = "has more than " STR(RANGE_PARTS_MAX) " ranges";
			return 0;
		}
		r = &p->r[p->n++];
		r->lo = strtoul(o + 1, NULL, 10);
		r->hi = strtoul(dash + 1, NULL, 10);
		r->width = o[1] == '0' && dash - o - 1 > 1 ? (int)(dash - o - 1) : 0;
		r->at = (size_t)(o - s);
		r->len = (size_t)(close - o + 1);
		if (r->lo > r->hi) {
			*why = "counts down (write [LO-HI] with LO <= HI)";
			return 0;
		}
		p->count *= r->hi - r->lo + 1;
		if (p->count > LABFILE_VALUES_MAX)
			p->count = LABFILE_VALUES_MAX + 1;
	}
	return p->count;
}

/* The k-th value of p (the last range varies fastest): 0, or -ENAMETOOLONG. */
static int pattern_nth(const struct pattern *p, size_t k, char *out, size_t size)
{
	unsigned long v[RANGE_PARTS_MAX];
	size_t from = 0, o = 0;
	int i, w;

	for (i = p->n - 1; i >= 0; i--) {
		v[i] = p->r[i].lo + k % (p->r[i].hi - p->r[i].lo + 1);
		k /= p->r[i].hi - p->r[i].lo + 1;
	}
	for (i = 0; i < p->n; i++) {
		w = snprintf(out + o, size - o, "%.*s%0*lu", (int)(p->r[i].at - from),
			     p->text + from, p->r[i].width, v[i]);
		if (w < 0 || (size_t)w >= size - o)
			return -ENAMETOOLONG;
		o += (size_t)w;
		from = p->r[i].at + p->r[i].len;
	}
	w = snprintf(out + o, size - o, "%s", p->text + from);
	return w < 0 || (size_t)w >= size - o ? -ENAMETOOLONG : 0;
}

/* Which of a value's m values the k-th of n copies takes: the k-th while
 * there are enough (a pool), else blocks in order (h[1-8] on b[1-2]: h1-h4
 * on b1, h5-h8 on b2). */
static size_t spread(size_t k, size_t n, size_t m)
{
	return m >= n ? k : (size_t)((unsigned long long)k * m / n);
}

struct expander {
	struct ctx *c;
	yaml_document_t *doc;
	bool failed;       /* out of memory: stop */
	bool long_told;    /* a value too long is reported once */
};

static yaml_node_t *get(struct expander *x, int id)
{
	return yaml_document_get_node(x->doc, id);
}

/* Keys whose values are commands or OpenFlow text, where "[1-3]" means
 * something else (a shell glob, a field's bits). */
static bool verbatim_key(const char *k)
{
	return !strcmp(k, "exec") || !strcmp(k, "flows") || !strcmp(k, "groups") ||
	       !strcmp(k, "flows_file");
}

/* Values in the subtree of id, aliases counted each time, to refuse a range
 * that would pass LABFILE_VALUES_MAX before any copy is made. */
static size_t weight(struct expander *x, int id, int depth)
{
	yaml_node_t *n = get(x, id);
	yaml_node_item_t *it;
	yaml_node_pair_t *p;
	size_t w = 1;

	if (!n || depth > LABFILE_DEPTH_MAX)
		return 1;
	if (n->type == YAML_SEQUENCE_NODE)
		for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++)
			w += weight(x, *it, depth + 1);
	else if (n->type == YAML_MAPPING_NODE)
		for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++)
			w += weight(x, p->key, depth + 1) + weight(x, p->value, depth + 1);
	return w > LABFILE_VALUES_MAX ? LABFILE_VALUES_MAX + 1 : w;
}

static int add_scalar(struct expander *x, int like, const char *s)
{
	yaml_node_t *n = get(x, like);
	yaml_char_t *tag = n->tag;
	yaml_scalar_style_t style = n->data.scalar.style;
	yaml_mark_t m0 = n->start_mark, m1 = n->end_mark;
	int id;

	id = yaml_document_add_scalar(x->doc, tag, (yaml_char_t *)s, (int)strlen(s), style);
	if (!id) {
		labfile_nomem(x->c);
		return 0;
	}
	get(x, id)->start_mark = m0;
	get(x, id)->end_mark = m1;
	return id;
}

/* An empty list or mapping like id (its tag, style and place in the file),
 * and *len the items or pairs of id; 0 when memory runs out. */
static int empty_like(struct expander *x, int id, size_t *len)
{
	yaml_node_t *n = get(x, id);
	yaml_mark_t m0 = n->start_mark, m1 = n->end_mark;
	int nid;

	if (n->type == YAML_SEQUENCE_NODE) {
		*len = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
		nid = yaml_document_add_sequence(x->doc, n->tag, n->data.sequence.style);
	} else {
		*len = (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
		nid = yaml_document_add_mapping(x->doc, n->tag, n->data.mapping.style);
	}
	if (!nid) {
		labfile_nomem(x->c);
		x->failed = true;
		return 0;
	}
	get(x, nid)->start_mark = m0;
	get(x, nid)->end_mark = m1;
	return nid;
}

static int copy(struct expander *x, int id, size_t k, size_t n, bool verbatim);

static int copy_scalar(struct expander *x, int id, size_t k, size_t n, bool verbatim)
{
	char out[RANGE_TEXT_MAX];
	struct pattern p;
	const char *why;
	size_t m;

	if (verbatim || !labfile_plain(get(x, id)))
		return id;
	m = pattern_parse(labfile_text(get(x, id)), &p, &why);
	if (!m || !p.n)
		return id; /* a bad one was reported when its entry was sized */
	if (pattern_nth(&p, spread(k, n, m), out, sizeof(out)) < 0) {
		if (!x->long_told)
			labfile_report(x->c, labfile_pos(get(x, id)),
				       "range \"%s\" makes a value longer than %d bytes",
				       p.text, RANGE_TEXT_MAX - 1);
		x->long_told = true;
		return id;
	}
	return add_scalar(x, id, out);
}

/* The k-th of n copies of the subtree at id: a new node where a range is
 * replaced, the same node where nothing changes. */
static int copy(struct expander *x, int id, size_t k, size_t n, bool verbatim)
{
	yaml_node_t *nd = get(x, id);
	size_t i, len;
	int nid, cid, kid, vid;
	bool vb;

	if (!nd || x->failed)
		return id;
	if (nd->type == YAML_SCALAR_NODE)
		return copy_scalar(x, id, k, n, verbatim);
	if (verbatim)
		return id;
	nid = empty_like(x, id, &len);
	if (!nid)
		return id;
	for (i = 0; i < len && !x->failed; i++) {
		/* Every add may move the node array: look the parent up again. */
		if (get(x, id)->type == YAML_SEQUENCE_NODE) {
			cid = copy(x, get(x, id)->data.sequence.items.start[i], k, n, false);
			if (!yaml_document_append_sequence_item(x->doc, nid, cid))
				x->failed = true;
			continue;
		}
		kid = get(x, id)->data.mapping.pairs.start[i].key;
		vid = get(x, id)->data.mapping.pairs.start[i].value;
		vb = labfile_plain(get(x, kid)) && verbatim_key(labfile_text(get(x, kid)));
		vid = copy(x, vid, k, n, vb);
		if (!yaml_document_append_mapping_pair(x->doc, nid, kid, vid))
			x->failed = true;
	}
	if (x->failed && !labfile_oom(x->c))
		labfile_nomem(x->c);
	return nid;
}

/* The largest count of the ranges in the subtree at id (1: none); 0 once a
 * badly written range is reported. */
static size_t count_in(struct expander *x, int id, bool verbatim, int depth, bool *has)
{
	yaml_node_t *n = get(x, id);
	yaml_node_item_t *it;
	yaml_node_pair_t *p;
	struct pattern pt;
	const char *why;
	size_t m = 1, c;

	if (!n || depth > LABFILE_DEPTH_MAX)
		return 1;
	if (n->type == YAML_SCALAR_NODE) {
		if (verbatim || !labfile_plain(n))
			return 1;
		m = pattern_parse(labfile_text(n), &pt, &why);
		if (!m)
			labfile_report(x->c, labfile_pos(n), "range \"%s\" %s", labfile_text(n), why);
		*has |= pt.n > 0;
		return m;
	}
	if (verbatim)
		return 1;
	if (n->type == YAML_SEQUENCE_NODE) {
		for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
			c = count_in(x, *it, false, depth + 1, has);
			if (!c)
				return 0;
			m = c > m ? c : m;
		}
		return m;
	}
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		c = count_in(x, p->value, labfile_plain(get(x, p->key)) &&
				   verbatim_key(labfile_text(get(x, p->key))), depth + 1, has);
		if (!c)
			return 0;
		m = c > m ? c : m;
	}
	return m;
}

/* Whether n copies of a subtree of w values still fit the document. */
static bool fits(struct expander *x, const yaml_node_t *at, const char *what, const char *text,
		 size_t n, size_t w)
{
	size_t have = (size_t)(x->doc->nodes.top - x->doc->nodes.start);

	if (n <= LABFILE_VALUES_MAX && w <= LABFILE_VALUES_MAX &&
	    (unsigned long long)n * w + have <= LABFILE_VALUES_MAX)
		return true;
	labfile_report(x->c, labfile_pos(at),
		       "%s range \"%s\" makes %s%zu %ss, more than the " STR(LABFILE_VALUES_MAX)
		       " values a lab file may have", what, text,
		       n > LABFILE_VALUES_MAX ? "over " : "", n > LABFILE_VALUES_MAX ?
		       (size_t)LABFILE_VALUES_MAX : n, what);
	return false;
}

/* hosts:, bridges:, machines:: each key with a range becomes one entry per
 * name, its value copied with the value ranges spread over the names. */
static int expand_mapping(struct expander *x, int id, const char *what)
{
	char name[RANGE_TEXT_MAX];
	struct pattern p;
	const char *why;
	size_t i, k, len, n;
	int nid, kid, vid, nk, nv;
	bool changed = false, has = false;

	if (get(x, id)->type != YAML_MAPPING_NODE)
		return id;
	nid = empty_like(x, id, &len);
	if (!nid)
		return id;
	for (i = 0; i < len && !x->failed; i++) {
		kid = get(x, id)->data.mapping.pairs.start[i].key;
		vid = get(x, id)->data.mapping.pairs.start[i].value;
		p.n = 0;
		n = labfile_plain(get(x, kid)) ? pattern_parse(labfile_text(get(x, kid)), &p, &why) : 1;
		if (!n)
			labfile_report(x->c, labfile_pos(get(x, kid)), "%s range \"%s\" %s", what,
				       labfile_text(get(x, kid)), why);
		if (n && p.n && !fits(x, get(x, kid), what, p.text, n, 1 + weight(x, vid, 0)))
			n = 0;
		if (n && p.n && !count_in(x, vid, false, 0, &has))
			n = 0;
		changed |= !n; /* a range refused stands for nothing, not its text */
		if (n && !p.n && !yaml_document_append_mapping_pair(x->doc, nid, kid, vid))
			x->failed = true;
		for (k = 0; n && p.n && k < n && !x->failed; k++) {
			changed = true;
			if (pattern_nth(&p, k, name, sizeof(name)) < 0) {
				labfile_report(x->c, labfile_pos(get(x, kid)),
					       "%s range \"%s\" makes a name longer than %d bytes",
					       what, p.text, RANGE_TEXT_MAX - 1);
				break;
			}
			nk = add_scalar(x, kid, name);
			p.text = labfile_text(get(x, kid)); /* the array may have moved */
			nv = nk ? copy(x, vid, k, n, false) : 0;
			if (!nk || !yaml_document_append_mapping_pair(x->doc, nid, nk, nv))
				x->failed = true;
		}
	}
	if (x->failed && !labfile_oom(x->c))
		labfile_nomem(x->c);
	return changed && !x->failed ? nid : id;
}

/* links:, patches:, checks:, mirrors:: an item with ranges becomes one item
 * per value of its longest range; the others go pairwise when as long, in
 * blocks when shorter (["s[1-2]", "l[1-4]"]: s1-l1, s1-l2, s2-l3, s2-l4), so
 * each must divide the longest. */
static int expand_list(struct expander *x, int id, const char *what)
{
	yaml_node_item_t *it;
	yaml_node_t *nd;
	struct pattern p;
	const char *why;
	size_t i, k, len, n, m;
	int nid, item;
	bool changed = false, has;

	if (get(x, id)->type != YAML_SEQUENCE_NODE)
		return id;
	nid = empty_like(x, id, &len);
	if (!nid)
		return id;
	for (i = 0; i < len && !x->failed; i++) {
		item = get(x, id)->data.sequence.items.start[i];
		has = false;
		n = count_in(x, item, false, 0, &has);
		if (!has)
			n = 1;
		if (n && has) {
			nd = get(x, item);
			for (it = nd->type == YAML_SEQUENCE_NODE ? nd->data.sequence.items.start : NULL;
			     it && it < nd->data.sequence.items.top && n; it++) {
				if (!labfile_plain(get(x, *it)))
					continue;
				m = pattern_parse(labfile_text(get(x, *it)), &p, &why);
				if (m > 1 && n % m) {
					labfile_report(x->c, labfile_pos(get(x, *it)),
						       "%s range \"%s\" makes %zu values, which does not divide the %zu of another end",
						       what, p.text, m, n);
					n = 0;
				}
			}
			if (n && nd->type == YAML_MAPPING_NODE) {
				yaml_node_pair_t *pp;

				for (pp = nd->data.mapping.pairs.start; pp < nd->data.mapping.pairs.top && n; pp++) {
					if (!labfile_plain(get(x, pp->value)))
						continue;
					m = pattern_parse(labfile_text(get(x, pp->value)), &p, &why);
					if (m > 1 && n % m) {
						labfile_report(x->c, labfile_pos(get(x, pp->value)),
							       "%s range \"%s\" makes %zu values, which does not divide the %zu of another value",
							       what, p.text, m, n);
						n = 0;
					}
				}
			}
			if (n && !fits(x, get(x, item), what, "...", n, weight(x, item, 0)))
				n = 0;
		}
		changed |= !n;
		if (n && !has && !yaml_document_append_sequence_item(x->doc, nid, item))
			x->failed = true;
		for (k = 0; n && has && k < n && !x->failed; k++) {
			changed = true;
			if (!yaml_document_append_sequence_item(x->doc, nid, copy(x, item, k, n, false)))
				x->failed = true;
		}
	}
	if (x->failed && !labfile_oom(x->c))
		labfile_nomem(x->c);
	return changed && !x->failed ? nid : id;
}

void labfile_ranges_expand(struct ctx *c, yaml_document_t *doc)
{
	static const struct {
		const char *key, *what;
		bool list;
	} sections[] = {
		{ "machines", "machine", false }, { "bridges", "bridge", false },
		{ "hosts", "host", false },       { "links", "link", true },
		{ "patches", "patch", true },     { "checks", "check", true },
		{ "mirrors", "mirror", true },
	};
	struct expander x = { .c = c, .doc = doc };
	yaml_node_t *root = yaml_document_get_root_node(doc);
	size_t i, j, n;
	int key, val, nv;

	if (!root || root->type != YAML_MAPPING_NODE)
		return;
	n = (size_t)(root->data.mapping.pairs.top - root->data.mapping.pairs.start);
	for (i = 0; i < n && !x.failed; i++) {
		key = yaml_document_get_root_node(doc)->data.mapping.pairs.start[i].key;
		val = yaml_document_get_root_node(doc)->data.mapping.pairs.start[i].value;
		if (!labfile_plain(get(&x, key)))
			continue;
		for (j = 0; j < ARRAY_SIZE(sections); j++) {
			if (strcmp(labfile_text(get(&x, key)), sections[j].key))
				continue;
			nv = sections[j].list ? expand_list(&x, val, sections[j].what)
					      : expand_mapping(&x, val, sections[j].what);
			yaml_document_get_root_node(doc)->data.mapping.pairs.start[i].value = nv;
		}
	}
}
