/* What labfile.c lends the readers of its other sections (labfile_settings.c,
 * labfile_flows.c, labfile_checks.c, labfile_host.c): its problem list and
 * its YAML helpers, behind the reader's context. */
#ifndef OVSLAB_LABFILE_INT_H
#define OVSLAB_LABFILE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <yaml.h>

#include "model/lab.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define STR_(x) #x
#define STR(x) STR_(x)

struct ctx;

/* A key of a mapping and what reads its value into obj. */
typedef void setting_fn(struct ctx *c, const yaml_node_t *key,
			const yaml_node_t *val, void *obj);

struct setting {
	const char *key;
	setting_fn *fn;
};

struct lab *labfile_lab(struct ctx *c);
/* Where bridge i's gateway, and address k of interface f of host i, were
 * written. */
struct lab_pos labfile_gateway_pos(struct ctx *c, size_t bridge);
struct lab_pos labfile_addr_pos(struct ctx *c, size_t host, size_t iface, size_t addr);
/* The lab file's name as messages show it. */
const char *labfile_display(struct ctx *c);
/* Set when a lab's saved copy is read: where its flows files were saved. */
const char *labfile_flows_dir(struct ctx *c);
void labfile_nomem(struct ctx *c);
/* Whether memory ran out: the reader stops at the first chance. */
bool labfile_oom(struct ctx *c);
void labfile_report(struct ctx *c, struct lab_pos pos, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A problem on line `line` of another file, listed in the lab file's order
 * as if it were at pos. */
void labfile_report_file(struct ctx *c, struct lab_pos pos, const char *file, int line,
			 const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* The whole file into *buf (malloc'd, not NUL-terminated); 0 or -errno with
 * *why the cause in words.  Only a regular file of at most LABFILE_SIZE_MAX
 * bytes is read; a FIFO is refused at once, never waited on. */
int labfile_read_file(const char *path, char **buf, size_t *len, const char **why);
struct lab_pos labfile_pos(const yaml_node_t *n);
const yaml_node_t *labfile_node(struct ctx *c, int id);
/* A scalar node's text. */
const char *labfile_text(const yaml_node_t *n);
/* Whether n is a scalar without an embedded NUL (a "\0" escape). */
bool labfile_plain(const yaml_node_t *n);
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
/* Each pair of a mapping through the setting of tab[] its key names; bad,
 * duplicate and unknown keys are reported. */
void labfile_walk(struct ctx *c, const yaml_node_pair_t *start, const yaml_node_pair_t *end,
		  const struct setting *tab, size_t n, void *obj);
/* Whether a and b are one address, prefix lengths aside. */
bool labfile_same_ip(const struct lab_addr *a, const struct lab_addr *b);

/* The sections of labfile_settings.c, called by labfile.c. */
void labfile_settings_bridge(struct ctx *c, const yaml_node_t *key, const yaml_node_t *val,
		       struct lab_bridge *b);
void labfile_settings_iface(struct ctx *c, const yaml_node_t *key, const yaml_node_t *val,
		      struct lab_iface *ifc);
void labfile_settings_top(struct ctx *c, const yaml_node_t *key, const yaml_node_t *val);
/* Validation across entities, once every interface is resolved. */
void labfile_settings_validate(struct ctx *c);

/* The sections of labfile_flows.c: a bridge's flows, flows_file, groups,
 * meters and openflow keys; then, once its ports are known, each one through
 * libopenvswitch's parser and the version they are sent in chosen
 * (b->of_version; file_pos: where flows_file sat). */
void labfile_flows_bridge(struct ctx *c, const yaml_node_t *key, const yaml_node_t *val,
			  struct lab_bridge *b);
/* A list of flows in ovs-ofctl syntax (a machine's flows for a bridge). */
void labfile_flows_list(struct ctx *c, const yaml_node_t *key, const yaml_node_t *val,
			struct lab_flow **arr, size_t *n);
void labfile_flows_validate(struct ctx *c, struct lab_bridge *b, struct lab_pos file_pos);
/* More flows for bridge b (a machine's own), once b's are validated: in
 * the version b's are sent in, through b's ports. */
void labfile_flows_validate_more(struct ctx *c, const struct lab_bridge *b, struct lab_flow *flows,
				 size_t n);

/* The sections of labfile_checks.c: the top-level checks: key; then, once
 * every host is read, what each check's ends name. */
void labfile_checks_top(struct ctx *c, const yaml_node_t *key, const yaml_node_t *val);
void labfile_checks_resolve(struct ctx *c);

/* The sections of labfile_host.c: a host's sysctls and exec keys. */
void labfile_host_sysctls(struct ctx *c, const yaml_node_t *key, const yaml_node_t *val,
			  struct lab_host *h);
void labfile_host_exec(struct ctx *c, const yaml_node_t *key, const yaml_node_t *val,
		       struct lab_host *h);

/* The sections of labfile_links.c: one link-property key into lp (first:
 * where the first such key sat); a link written as a mapping, its "ends"
 * node returned (NULL: reported); then, once every link end is resolved,
 * each link's properties given to its ends and all of them checked. */
void labfile_links_prop(struct ctx *c, const yaml_node_t *key, const yaml_node_t *val,
			struct lab_linkprops *lp, struct lab_pos *first);
const yaml_node_t *labfile_links_mapping(struct ctx *c, const yaml_node_t *item,
					 struct lab_link *l);
void labfile_links_validate(struct ctx *c);

/* The sections of labfile_machines.c: top-level machines: and underlay:,
 * a host's machine:, a bridge's tunnel: and key:; then, once every host is
 * resolved, the machines' addresses and what a lab with machines may not
 * have yet. */
void labfile_machines_top(struct ctx *c, const yaml_node_t *key, const yaml_node_t *val);
void labfile_machines_host(struct ctx *c, const yaml_node_t *key, const yaml_node_t *val,
			   struct lab_host *h);
void labfile_machines_bridge(struct ctx *c, const yaml_node_t *key, const yaml_node_t *val,
			     struct lab_bridge *b);
void labfile_machines_validate(struct ctx *c);

/* labfile_ranges.c: every range of the document (`h[1-100]`) expanded in
 * place, before the sections are read; problems reported at the template. */
void labfile_ranges_expand(struct ctx *c, yaml_document_t *doc);
/* The sections of labfile_nic.c: a bridge's interfaces: (the machine's
 * interfaces it takes as ports), a host interface's physical: and
 * take_default_route:; then the rules across them, once hosts are resolved. */
void labfile_nic_bridge(struct ctx *c, const yaml_node_t *key, const yaml_node_t *val,
			struct lab_bridge *b);
void labfile_nic_iface(struct ctx *c, const yaml_node_t *key, const yaml_node_t *val,
		       struct lab_iface *ifc);
void labfile_nic_validate(struct ctx *c);
/* The sections of labfile_taps.c: a bridge's taps: key; then, once every
 * port is named, the taps' names against them. */
void labfile_taps_bridge(struct ctx *c, const yaml_node_t *key, const yaml_node_t *val,
			 struct lab_bridge *b);
void labfile_taps_validate(struct ctx *c);

#endif
