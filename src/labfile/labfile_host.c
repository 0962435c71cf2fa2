/* What a lab file sets up inside a host's namespace: its net.* sysctls and
 * the commands it runs once the lab is up (exec).  Problems go to labfile.c's
 * list as file:line:col messages. */
#include <stdlib.h>
#include <string.h>

#include "labfile/labfile_int.h"

/* ---- sysctls ----------------------------------------------------------- */

/* Only net.* lives in a network namespace: anything else is the machine's. */
static bool validate_sysctl_key(struct ctx *c, const yaml_node_t *at, const char *k)
{
	const char *p;

	if (strncmp(k, "net.", 4) || !k[4]) {
		labfile_report(c, labfile_pos(at),
			       "sysctl \"%s\" is not a net.* setting (only those belong to the host's namespace; others would change the machine)",
			       k);
		return false;
	}
	for (p = k; *p; p++)
		if (*p == '/' || (unsigned char)*p <= ' ' || *p == 0x7f)
			break;
	if (*p || strstr(k, "..") || k[strlen(k) - 1] == '.') {
		labfile_report(c, labfile_pos(at),
			       "sysctl \"%s\" is not a valid setting name (dots between names, no '/' or \"..\")",
			       k);
		return false;
	}
	return true;
}

void labfile_host_sysctls(struct ctx *c, const yaml_node_t *key, const yaml_node_t *val,
			  struct lab_host *h)
{
	const yaml_node_pair_t *start, *end, *p;
	const yaml_node_t *k, *v;
	struct lab_sysctl *sc;
	const char *name, *str;

	(void)key;
	if (!labfile_pairs(val, &start, &end)) {
		labfile_report(c, labfile_pos(val),
			       "\"sysctls\" must be a mapping of net.* settings to values, not %s",
			       labfile_kind(val));
		return;
	}
	h->sysctls = calloc((size_t)(end - start) + 1, sizeof(*h->sysctls));
	if (!h->sysctls) {
		labfile_nomem(c);
		return;
	}
	for (p = start; p < end && !labfile_oom(c); p++) {
		name = labfile_pair_key(c, start, p, "sysctl");
		if (!name)
			continue;
		k = labfile_node(c, p->key);
		v = labfile_node(c, p->value);
		if (!validate_sysctl_key(c, k, name))
			continue;
		str = labfile_scalar(c, k, v);
		if (!str)
			continue;
		if (!*str) {
			labfile_report(c, labfile_pos(k), "sysctl %s needs a value", name);
			continue;
		}
		sc = &h->sysctls[h->n_sysctls++];
		sc->pos = labfile_pos(k);
		sc->key = labfile_strdup(c, name);
		sc->value = labfile_strdup(c, str);
	}
}

/* ---- exec -------------------------------------------------------------- */

static bool add_word(struct ctx *c, struct lab_cmd *cmd, const char *w, size_t n)
{
	char *d = strndup(w, n);

	if (!d) {
		labfile_nomem(c);
		return false;
	}
	cmd->argv[cmd->argc++] = d;
	return true;
}

/* A string command is split on blanks, with no quoting: no shell. */
static void cmd_from_string(struct ctx *c, struct lab_cmd *cmd, const char *s)
{
	size_t words = 0, n;
	const char *p;

	for (p = s; *p; p += n) {
		p += strspn(p, " \t");
		n = strcspn(p, " \t");
		words += n > 0;
	}
	cmd->argv = calloc(words + 1, sizeof(*cmd->argv));
	if (!cmd->argv) {
		labfile_nomem(c);
		return;
	}
	for (p = s; *p; p += n) {
		p += strspn(p, " \t");
		n = strcspn(p, " \t");
		if (n && !add_word(c, cmd, p, n))
			return;
	}
}

static void cmd_from_list(struct ctx *c, struct lab_cmd *cmd, const yaml_node_t *val)
{
	yaml_node_item_t *it, *end = val->data.sequence.items.top;
	const yaml_node_t *w;
	bool ok = true;

	for (it = val->data.sequence.items.start; it < end; it++) {
		w = labfile_node(c, *it);
		if (!labfile_plain(w)) {
			labfile_report(c, labfile_pos(w), "a command's words must be single values, not %s",
				       w->type == YAML_SCALAR_NODE ? "a string with a NUL character" :
				       labfile_kind(w));
			ok = false;
		}
	}
	if (!ok)
		return;
	cmd->argv = calloc((size_t)(end - val->data.sequence.items.start) + 1,
			   sizeof(*cmd->argv));
	if (!cmd->argv) {
		labfile_nomem(c);
		return;
	}
	for (it = val->data.sequence.items.start; it < end; it++) {
		w = labfile_node(c, *it);
		if (!add_word(c, cmd, labfile_text(w), strlen(labfile_text(w))))
			return;
	}
}

void labfile_host_exec(struct ctx *c, const yaml_node_t *key, const yaml_node_t *val,
		       struct lab_host *h)
{
	yaml_node_item_t *it, *end;
	const yaml_node_t *item;
	struct lab_cmd *cmd;

	(void)key;
	if (!labfile_items(val, &it, &end)) {
		labfile_report(c, labfile_pos(val), "\"exec\" must be a list of commands, not %s",
			       labfile_kind(val));
		return;
	}
	h->exec = calloc((size_t)(end - it) + 1, sizeof(*h->exec));
	if (!h->exec) {
		labfile_nomem(c);
		return;
	}
	for (; it < end && !labfile_oom(c); it++) {
		item = labfile_node(c, *it);
		cmd = &h->exec[h->n_exec++];
		cmd->pos = labfile_pos(item);
		if (item->type == YAML_SEQUENCE_NODE)
			cmd_from_list(c, cmd, item);
		else if (labfile_plain(item))
			cmd_from_string(c, cmd, labfile_text(item));
		else if (item->type == YAML_SCALAR_NODE)
			labfile_report(c, labfile_pos(item), "a command contains a NUL character");
		else
			labfile_report(c, labfile_pos(item),
				       "a command must be a list of words or a string, not %s",
				       labfile_kind(item));
		if (cmd->argv && !cmd->argc)
			labfile_report(c, labfile_pos(item), "a command must not be empty");
		else if (cmd->argv && !*cmd->argv[0])
			labfile_report(c, labfile_pos(item), "a command's first word must not be empty");
	}
}

