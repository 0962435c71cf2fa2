#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"
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

struct ls_entry {
	int kind;
	bool forgotten;
	char *value;
};

struct ls_journal {
	struct ls_entry *v;
	size_t n;
};

struct ls_names {
	char **v;
	size_t n;
};

static void ls_journal_free(struct ls_journal *j)
{
	for (size_t i = 0; i < j->n; i++)
		free(j->v[i].value);
	free(j->v);
}

static int ls_kind(const char *s)
{
	static const enum journal_kind kinds[] = { JOURNAL_NETNS, JOURNAL_SWITCH, JOURNAL_COMPLETE };

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(s, journal_kind_name(kinds[i])))
			return (int)kinds[i];
	return -1;
}

static struct ls_entry *ls_latest(struct ls_journal *j, int kind, const char *value)
{
	for (size_t i = j->n; i-- > 0;)
		if (j->v[i].kind == kind && !j->v[i].forgotten &&
		    (!value || !strcmp(j->v[i].value, value)))
			return &j->v[i];
	return NULL;
}

static int ls_journal_line(struct ls_journal *j, char *line)
{
	struct ls_entry *e;
	bool forget = false;
	char *val;
	int kind;

	line[strcspn(line, "\n")] = '\0';
	if (!strncmp(line, "forget ", 7)) {
		forget = true;
		line += 7;
	}
	val = strchr(line, ' ');
	if (!val)
		return 0;
	*val++ = '\0';
	kind = ls_kind(line);
	if (kind < 0)
		return 0;
	if (forget) {
		e = ls_latest(j, kind, val);
		if (e)
			e->forgotten = true;
		return 0;
	}
	e = realloc(j->v, (j->n + 1) * sizeof(*e));
	if (!e)
		return -ENOMEM;
	j->v = e;
	e = &j->v[j->n];
	e->kind = kind;
	e->forgotten = false;
	e->value = strdup(val);
	if (!e->value)
		return -ENOMEM;
	j->n++;
	return 0;
}

/* Read here rather than with journal_open(): that opens the journal for
 * appending, which needs root and would recreate a journal that a `down`
 * running meanwhile has just deleted. */
static int ls_read(struct ls_lab *l)
{
	struct ls_journal j = { NULL, 0 };
	char path[PATH_MAX + 16], dir[PATH_MAX];
	char line[PATH_MAX + 64];
	struct ls_entry *e;
	FILE *f;
	int ret = 0;

	journal_dir(l->name, dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/journal", dir);
	f = fopen(path, "re");
	if (!f) {
		/* A run killed right after making the directory leaves no journal. */
		if (errno != ENOENT) {
			ret = -errno;
			err_set("%s: cannot read the lab's journal %s: %s", l->name, path,
				strerror(errno));
		}
		goto out;
	}
	while (ret == 0 && fgets(line, sizeof(line), f))
		ret = ls_journal_line(&j, line);
	if (ret < 0)
		goto out;
	for (size_t i = 0; i < j.n; i++)
		if (j.v[i].kind == JOURNAL_NETNS && !j.v[i].forgotten)
			l->hosts++;
	e = ls_latest(&j, JOURNAL_SWITCH, NULL);
	if (e)
		l->sw = !strncmp(e->value, "private ", 8) ? "private" : "shared";
	if (ls_latest(&j, JOURNAL_COMPLETE, NULL) && !strcmp(l->state, "incomplete"))
		l->state = "up";
out:
	if (f)
		fclose(f);
	ls_journal_free(&j);
	return ret;
}

static int ls_collect(const char *lab, void *arg)
{
	struct ls_names *names = arg;
	char **nv = realloc(names->v, (names->n + 1) * sizeof(*nv));

	if (!nv)
		return -ENOMEM;
	names->v = nv;
	names->v[names->n] = strdup(lab);
	if (!names->v[names->n])
		return -ENOMEM;
	names->n++;
	return 0;
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
	struct ls_names names = { NULL, 0 };
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
	for (size_t i = 0; i < names.n; i++)
		free(names.v[i]);
	free(names.v);
	return ret;
}
