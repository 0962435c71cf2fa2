/* `ovslab link LAB [HOST[:IF] set KEY=VALUE... | down | up] [--json]`: the
 * link properties of a lab's interfaces changed at run time (recorded in the
 * journal, laid over the lab file by cmd_link_overlay) and listed as the
 * kernel has them. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apply/build.h"
#include "cmd/cmd.h"
#include "journal/lock.h"
#include "kernel/rtnl.h"
#include "kernel/tc.h"
#include "util/err.h"
#include "util/json.h"

#define LINK_LOCK_TIMEOUT_MS 10000
#define LINK_WORDS_MAX 512

/* "key=value ...": what the journal keeps. */
static void link_words(const struct lab_linkprops *lp, char *buf, size_t len)
{
	lab_linkprops_str(lp, "=", buf, len);
}

/* Words "key=value" over lp (message set for the first that is not one). */
static int link_parse_words(char *const *words, size_t n, struct lab_linkprops *lp)
{
	const struct lab_prop *p;
	const char *why;
	char key[32];
	uint64_t v;

	for (size_t i = 0; i < n; i++) {
		const char *eq = strchr(words[i], '=');

		if (!eq || (size_t)(eq - words[i]) >= sizeof(key)) {
			err_set("\"%s\" is not KEY=VALUE (like delay=50ms)", words[i]);
			return -EINVAL;
		}
		snprintf(key, sizeof(key), "%.*s", (int)(eq - words[i]), words[i]);
		p = lab_prop_find(key);
		if (!p) {
			err_set("\"%s\": unknown link property \"%s\" (delay, jitter, distribution, loss, loss_correlation, duplicate, reorder, corrupt, rate, limit, state)",
				words[i], key);
			return -EINVAL;
		}
		if (lab_prop_parse(p, eq + 1, &v, &why) < 0) {
			err_set("%s \"%s\" %s", key, eq + 1, why);
			return -EINVAL;
		}
		*lab_prop_val(p, lp) = v;
	}
	why = lab_linkprops_problem(lp);
	if (why) {
		err_set("%s", why);
		return -EINVAL;
	}
	return 0;
}

struct link_overlay {
	struct lab *lab;
	int ret;
};

static int link_overlay_cb(const char *host, const char *ifname, const char *props, void *arg)
{
	struct link_overlay *o = arg;
	struct lab_host *h = lab_find_host(o->lab, host);
	struct lab_iface *ifc = h ? lab_find_iface(h, ifname) : NULL;
	struct lab_linkprops lp = { 0 };
	char buf[LINK_WORDS_MAX], *words[LAB_N_PROPS + 1], *save = NULL, *w;
	size_t n = 0;

	/* An interface the file no longer has: what was set went with it. */
	if (!ifc)
		return 0;
	if (!ifc->props_changed)
		ifc->file_props = ifc->props;
	if (!*props) {
		ifc->props = ifc->file_props;
		ifc->props_changed = false;
		return 0;
	}
	snprintf(buf, sizeof(buf), "%s", props);
	for (w = strtok_r(buf, " ", &save); w && n < LAB_N_PROPS + 1; w = strtok_r(NULL, " ", &save))
		words[n++] = w;
	if (link_parse_words(words, n, &lp) < 0) {
		o->ret = -EINVAL;
		return 1;
	}
	ifc->props = lp;
	ifc->props_changed = true;
	return 0;
}

int cmd_link_overlay(const struct journal *st, struct lab *lab)
{
	struct link_overlay o = { .lab = lab };

	journal_for_each_linkprops(st, link_overlay_cb, &o);
	return o.ret;
}

/* ---- reading back ------------------------------------------------------ */

int cmd_link_read(const struct journal *st, const char *host, const char *ifname,
		  struct cmd_link_state *out)
{
	struct rtnl *nl = NULL;
	int fd = cmd_host_open(st, host);
	int ret = fd, idx;

	memset(out, 0, sizeof(*out));
	if (fd >= 0)
		ret = rtnl_open_in(fd, &nl);
	if (ret >= 0)
		ret = idx = rtnl_link_index(nl, ifname);
	if (ret >= 0)
		ret = rtnl_link_info(nl, idx, &out->info);
	if (ret >= 0)
		ret = tc_read(nl, idx, &out->props);
	rtnl_close(nl);
	if (fd >= 0)
		close(fd);
	return ret < 0 ? ret : 0;
}

static void link_json_props(const struct lab_linkprops *lp, FILE *out)
{
	char v[32];
	bool first = true;

	fputc('{', out);
	for (size_t i = 0; i < LAB_N_PROPS; i++) {
		const struct lab_prop *p = &lab_props[i];
		uint64_t x = lab_prop_get(p, lp);

		if (!x || p->kind == LAB_PROP_STATE)
			continue;
		fprintf(out, "%s\"%s\":", first ? "" : ",", p->key);
		json_str(out, lab_prop_str(p, x, v, sizeof(v)));
		first = false;
	}
	fputc('}', out);
}

void cmd_link_show(const struct lab_iface *ifc, const struct cmd_link_state *k, bool json,
		   FILE *out)
{
	struct lab_linkprops want = ifc->props;
	char text[256], file[256];

	if (json) {
		fprintf(out, "\"state\":\"%s\",\"operstate\":\"%s\",\"mtu\":%u,\"link\":",
			k->props.state == LAB_LINK_DOWN ? "down" : "up",
			rtnl_operstate_name(k->info.operstate), k->info.mtu);
		link_json_props(&k->props, out);
		fprintf(out, ",\"declared\":");
		link_json_props(&want, out);
		fprintf(out, ",\"declared_state\":\"%s\",\"set_by_link\":%s",
			want.state == LAB_LINK_DOWN ? "down" : "up", ifc->props_changed ? "true" : "false");
		if (ifc->props_changed) {
			fprintf(out, ",\"file\":");
			link_json_props(&ifc->file_props, out);
			fprintf(out, ",\"file_state\":\"%s\"",
				ifc->file_props.state == LAB_LINK_DOWN ? "down" : "up");
		}
		return;
	}
	{
		struct lab_linkprops shown = k->props;

		shown.state = LAB_LINK_UP;
		lab_linkprops_str(&shown, " ", text, sizeof(text));
	}
	fprintf(out, "%-5s %-15s mtu %-5u %s", k->props.state == LAB_LINK_DOWN ? "down" : "up",
		rtnl_operstate_name(k->info.operstate), k->info.mtu, text[0] ? text : "-");
	if (!lab_linkprops_eq(&k->props, &want)) {
		lab_linkprops_diff(&want, &k->props, text, sizeof(text));
		fprintf(out, "  (! not as declared: %s)", text);
	}
	if (ifc->props_changed) {
		lab_linkprops_diff(&ifc->file_props, &ifc->props, file, sizeof(file));
		fprintf(out, "  (set by ovslab link; the lab file differs: %s)", file);
	}
}

int cmd_link_list(const char *name, bool json, FILE *out)
{
	struct journal st;
	struct lab *lab = NULL;
	bool first = true;
	int ret;

	ret = journal_read(name, &st);
	if (ret < 0)
		return ret;
	ret = cmd_load_saved(&st, &lab);
	if (json && ret == 0)
		fputc('[', out);
	for (size_t i = 0; ret == 0 && i < lab->n_hosts; i++) {
		const struct lab_host *h = &lab->hosts[i];

		for (size_t j = 0; ret == 0 && j < h->n_ifaces; j++) {
			const struct lab_iface *ifc = &h->ifaces[j];
			struct cmd_link_state k;

			ret = cmd_link_read(&st, h->name, ifc->ifname, &k);
			if (ret < 0)
				break;
			if (json) {
				fprintf(out, "%s{\"host\":", first ? "" : ",");
				json_str(out, h->name);
				fputs(",\"ifname\":", out);
				json_str(out, ifc->ifname);
				fputc(',', out);
				cmd_link_show(ifc, &k, true, out);
				fputc('}', out);
			} else {
				char hi[40];

				snprintf(hi, sizeof(hi), "%s:%s", h->name, ifc->ifname);
				fprintf(out, "%-24s ", hi);
				cmd_link_show(ifc, &k, false, out);
				fputc('\n', out);
			}
			first = false;
		}
	}
	if (json && ret == 0)
		fputs("]\n", out);
	lab_free(lab);
	journal_close(&st);
	return ret;
}

/* ---- changing ---------------------------------------------------------- */

struct link_target {
	struct lab_host *h;
	struct lab_iface *ifc;
	struct lab_linkprops want;
};

/* HOST:IF, or HOST for every interface it has. */
static int link_targets(struct lab *lab, const char *arg, struct link_target **out, size_t *n)
{
	char host[64];
	const char *colon = strchr(arg, ':');
	struct lab_host *h;

	snprintf(host, sizeof(host), "%.*s", colon ? (int)(colon - arg) : (int)strlen(arg), arg);
	h = lab_find_host(lab, host);
	if (!h) {
		err_set("%s: no such host in lab %s", host, lab->name);
		return -ENOENT;
	}
	*out = calloc(h->n_ifaces + 1, sizeof(**out));
	if (!*out)
		return -ENOMEM;
	*n = 0;
	for (size_t i = 0; i < h->n_ifaces; i++)
		if (!colon || !strcmp(colon + 1, h->ifaces[i].ifname)) {
			(*out)[*n].h = h;
			(*out)[*n].ifc = &h->ifaces[i];
			(*out)[(*n)++].want = h->ifaces[i].props;
		}
	if (!*n) {
		err_set("%s: %s", arg, colon ? "no such interface in the host" : "the host has no interface");
		return -ENOENT;
	}
	return 0;
}

/* The journal first, then the kernel: a change cut short is still on record. */
static int link_change(struct build *b, struct journal *st, struct link_target *t, FILE *out)
{
	struct lab_iface before = *t->ifc;
	const struct lab_linkprops *file = t->ifc->props_changed ? &t->ifc->file_props
								 : &t->ifc->props;
	struct lab_linkprops file_props = *file;
	char words[LINK_WORDS_MAX], diff[256];
	int ret;

	if (lab_linkprops_eq(&t->want, &before.props)) {
		fprintf(out, "%s:%s: unchanged\n", t->h->name, t->ifc->ifname);
		return 0;
	}
	if (lab_linkprops_eq(&t->want, &file_props))
		words[0] = '\0';
	else
		link_words(&t->want, words, sizeof(words));
	ret = journal_add_linkprops(st, t->h->name, t->ifc->ifname, words);
	if (ret < 0)
		return ret;
	t->ifc->file_props = file_props;
	t->ifc->props_changed = words[0] != '\0';
	t->ifc->props = t->want;
	ret = build_iface_change(b, t->h, &before, t->ifc);
	if (ret < 0) {
		/* Back as it was, on record too (best effort). */
		*t->ifc = before;
		build_iface_change(b, t->h, t->ifc, t->ifc);
		if (before.props_changed)
			link_words(&before.props, words, sizeof(words));
		else
			words[0] = '\0';
		journal_add_linkprops(st, t->h->name, t->ifc->ifname, words);
		return ret;
	}
	lab_linkprops_diff(&before.props, &t->want, diff, sizeof(diff));
	fprintf(out, "%s:%s %s\n", t->h->name, t->ifc->ifname, diff);
	return 0;
}

int cmd_link(const char *name, const char *target, char *const words[], size_t n, FILE *out)
{
	struct journal st = { 0 };
	struct link_target *t = NULL;
	struct lab *lab = NULL;
	struct build b = { .self_fd = -1, .net_fd = -1 };
	bool opened = false;
	size_t nt = 0;
	int lock, ret;

	lock = lock_lab(name, LINK_LOCK_TIMEOUT_MS);
	if (lock < 0)
		return lock;
	ret = journal_open(name, &st);
	opened = ret == 0;
	if (ret == 0 && !journal_get(&st, JOURNAL_COMPLETE)) {
		err_set("%s: the lab is not complete (an up or down did not finish)", name);
		ret = -EAGAIN;
	}
	if (ret == 0)
		ret = cmd_load_saved(&st, &lab);
	if (ret == 0 && lab->n_machines) {
		err_set("%s: link properties of hosts on machines are not changed at run time yet", name);
		ret = -ENOTSUP;
	}
	if (ret == 0)
		ret = link_targets(lab, target, &t, &nt);
	/* Every target's new values are checked before any is changed. */
	for (size_t i = 0; ret == 0 && i < nt; i++) {
		const char *key;

		if (!strcmp(words[0], "down") || !strcmp(words[0], "up"))
			t[i].want.state = !strcmp(words[0], "down") ? LAB_LINK_DOWN : LAB_LINK_UP;
		else
			ret = link_parse_words(words + 1, n - 1, &t[i].want);
		key = ret == 0 ? tc_needs_netem(&t[i].want) : NULL;
		if (key && tc_netem_available() == 0) {
			err_set("%s:%s: %s needs the kernel's netem qdisc (sch_netem, CONFIG_NET_SCH_NETEM), which this kernel does not have",
				t[i].h->name, t[i].ifc->ifname, key);
			ret = -EOPNOTSUPP;
		}
	}
	if (ret == 0)
		ret = build_open(&b, lab, &st, "");
	for (size_t i = 0; ret == 0 && i < nt; i++)
		ret = link_change(&b, &st, &t[i], out);
	build_close(&b);
	free(t);
	lab_free(lab);
	if (opened)
		journal_close(&st);
	lock_unlock(name, lock, false);
	return ret;
}
