/* What labfile.c lends the readers of its other sections (labfile_l2.c):
 * its problem list and its YAML helpers, behind the reader's context. */
#ifndef OVSLAB_LABFILE_INT_H
#define OVSLAB_LABFILE_INT_H

#include <stdbool.h>
#include <yaml.h>

#include "lab.h"

struct ctx;

struct lab *labfile_lab(struct ctx *c);
void labfile_nomem(struct ctx *c);
void labfile_report(struct ctx *c, struct lab_pos pos, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
struct lab_pos labfile_pos(const yaml_node_t *n);
const yaml_node_t *labfile_node(struct ctx *c, int id);
/* "a mapping", "a list", "a single value": for messages. */
const char *labfile_kind(const yaml_node_t *n);
/* A scalar's text, or NULL once the problem is reported. */
const char *labfile_scalar(struct ctx *c, const yaml_node_t *key, const yaml_node_t *val);
void labfile_bool(struct ctx *c, const yaml_node_t *key, const yaml_node_t *val, bool *out);
/* A list's items (a null value: none); false if n is not a list. */
bool labfile_items(const yaml_node_t *n, yaml_node_item_t **start, yaml_node_item_t **end);
/* A mapping's pairs (a null value: none); false if n is not a mapping. */
bool labfile_pairs(const yaml_node_t *n, const yaml_node_pair_t **start,
		   const yaml_node_pair_t **end);
/* The key of p as a string, or NULL once a bad or duplicate key is reported
 * (what: "key", "mirror", ...). */
const char *labfile_pair_key(struct ctx *c, const yaml_node_pair_t *start,
			     const yaml_node_pair_t *p, const char *what);
/* Whether s is a valid name; reports it (`what "s" ...`) if not. */
bool labfile_name(struct ctx *c, const yaml_node_t *at, const char *what, const char *s);
char *labfile_strdup(struct ctx *c, const char *s);

/* The sections of labfile_l2.c, called by labfile.c. */
void labfile_l2_bridge(struct ctx *c, const yaml_node_t *key, const yaml_node_t *val,
		       struct lab_bridge *b);
void labfile_l2_iface(struct ctx *c, const yaml_node_t *key, const yaml_node_t *val,
		      struct lab_iface *ifc);
void labfile_l2_top(struct ctx *c, const yaml_node_t *key, const yaml_node_t *val);
/* Checks across entities, once every interface is resolved. */
void labfile_l2_check(struct ctx *c);

#endif
