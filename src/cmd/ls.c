/* `ovslab ls [--json]`: one line per lab that has a journal: name, hosts,
 * switch, state (up, busy, incomplete). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "apply/machines.h"
#include "util/err.h"
#include "util/strset.h"
#include "util/json.h"
#include "cmd/cmd.h"
#include "journal/lock.h"

/* What `ls` tells of one lab record. */
struct ls_lab {
	char *name;
	size_t hosts;
	const char *sw;    /* "private", "shared", NULL: not recorded yet */
	const char *state; /* "up", "busy", "incomplete" */
};

/* journal_read(), not journal_open(): that opens the journal for appending,
 * which needs root and would recreate a journal that a `down` running
 * meanwhile has just deleted. */
static int ls_read(struct ls_lab *l)
{
	struct journal st;
	bool held = err_hold();
	int ret = journal_read(l->name, &st);

	/* A run killed right after making the directory leaves no journal, and
	 * a `down` may remove the record meanwhile: nothing recorded yet. */
	if (ret == -ENOENT) {
		err_release(held);
		ret = 0;
	}
	if (ret < 0)
		goto out;
	for (size_t i = 0; i < st.n_entries; i++)
		if (st.entries[i].kind == JOURNAL_NETNS && !st.entries[i].forgotten &&
		    machines_netns_is_host(&st, st.entries[i].value))
			l->hosts++;
	if (machines_recorded(&st))
		l->sw = "machines";
	switch (journal_get_switch(&st, NULL)) {
	case JOURNAL_SWITCH_PRIVATE:
		l->sw = "private";
		break;
	case JOURNAL_SWITCH_SHARED:
		l->sw = "shared";
		break;
	case JOURNAL_SWITCH_NONE:
		break;
	}
	if (journal_get(&st, JOURNAL_COMPLETE) && !strcmp(l->state, "incomplete"))
		l->state = "up";
out:
	journal_close(&st);
	return ret;
}

static int ls_collect(const char *lab, void *arg)
{
	return strset_add(arg, lab);
}

static int ls_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void ls_print(FILE *out, bool json, const struct ls_lab *l, bool first)
{
	if (!json) {
		fprintf(out, "%-15s %5zu  %-8s %s\n", l->name, l->hosts, l->sw ? l->sw : "-",
			l->state);
		return;
	}
	fputs(first ? "\n  " : ",\n  ", out);
	fputs("{\"name\":", out);
	json_str(out, l->name);
	fprintf(out, ",\"hosts\":%zu,\"switch\":", l->hosts);
	if (l->sw)
		json_str(out, l->sw);
	else
		fputs("null", out);
	fputs(",\"state\":", out);
	json_str(out, l->state);
	fputc('}', out);
}

int cmd_ls(bool json, FILE *out)
{
	struct strset names = { NULL, 0 };
	int ret;

	ret = journal_for_each_lab(ls_collect, &names);
	if (ret < 0) {
		err_set("%s: cannot list the lab records: %s", JOURNAL_RUN_DIR, strerror(-ret));
		goto out;
	}
	if (names.n) /* qsort wants a real array even for none */
		qsort(names.v, names.n, sizeof(*names.v), ls_cmp);
	if (json)
		fputc('[', out);
	else
		fprintf(out, "%-15s %5s  %-8s %s\n", "NAME", "HOSTS", "SWITCH", "STATE");
	for (size_t i = 0; i < names.n; i++) {
		/* The lock first: a journal read after it was found free cannot
		 * belong to an `up` that completes in between. */
		struct ls_lab l = {
			.name = names.v[i],
			.state = lock_lab_busy(names.v[i]) ? "busy" : "incomplete",
		};

		ret = ls_read(&l);
		if (ret < 0)
			goto out;
		ls_print(out, json, &l, i == 0);
	}
	if (json)
		fputs(names.n ? "\n]\n" : "]\n", out);
	ret = 0;
out:
	strset_free(&names);
	return ret;
}
