/* `ovslab capture LAB TARGET... [-w FILE|-] [-c COUNT] [-f FILTER]
 * [--duration S]`: which interfaces, in which namespaces, the targets name;
 * the capturing is capture/'s. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apply/machines.h"
#include "capture/capture.h"
#include "cmd/cmd.h"
#include "util/err.h"

struct capture_lab {
	struct journal st;
	struct lab *lab;
};

struct capture_set {
	struct capture_target *t;
	size_t n, cap;
};

/* One more interface: ns (NULL: this namespace), label "a:b". */
static int capture_add(struct capture_set *s, const struct journal *st, const char *ns,
		       const char *ifname, const char *a, const char *b)
{
	struct capture_target *t;
	char label[sizeof(t->name)];
	int fd = -1;

	snprintf(label, sizeof(label), "%s%s%s", a, b ? ":" : "", b ? b : "");
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->t[i].name, label))
			return 0; /* named twice: captured once */
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 8;
		void *p = realloc(s->t, cap * sizeof(*s->t));

		if (!p)
			return -ENOMEM;
		s->t = p;
		s->cap = cap;
	}
	if (ns) {
		fd = cmd_host_open(st, ns);
		if (fd < 0)
			return fd;
	}
	t = &s->t[s->n++];
	memset(t, 0, sizeof(*t));
	t->ns_fd = fd;
	snprintf(t->ifname, sizeof(t->ifname), "%s", ifname);
	memcpy(t->name, label, sizeof(label));
	return 0;
}

/* The namespace that holds the switch side of a host's interfaces: its
 * machine's, or (NULL) this one. */
static const char *capture_switch_ns(const struct lab_host *h)
{
	return h->machine;
}

/* A bridge-side veth end (a host interface's `port`) or a bridge's own
 * internal port, by name; on machines, within machine m (NULL: any). */
static int capture_port(struct capture_set *s, const struct capture_lab *c, const char *m,
			const char *name, bool *found)
{
	const struct lab *lab = c->lab;
	int ret = 0;

	*found = false;
	for (size_t i = 0; i < lab->n_hosts && !*found; i++) {
		const struct lab_host *h = &lab->hosts[i];

		if (m && (!h->machine || strcmp(h->machine, m)))
			continue;
		for (size_t j = 0; j < h->n_ifaces && !*found; j++)
			if (h->ifaces[j].port && !strcmp(h->ifaces[j].port, name)) {
				const char *ns = capture_switch_ns(h);
				const char *where = ns ? ns : h->ifaces[j].bridge;

				*found = true;
				ret = capture_add(s, &c->st, ns, name, where ? where : "machine", name);
			}
	}
	if (*found || !lab_find_bridge(lab, name))
		return ret;
	if (!lab->n_machines) {
		*found = true;
		return capture_add(s, &c->st, NULL, name, name, NULL);
	}
	for (size_t i = 0; i < lab->n_machines && ret == 0; i++) {
		const struct lab_machine *mm = &lab->machines[i];

		if ((m && strcmp(m, mm->name)) ||
		    !lab_machine_has_bridge(lab, mm, name))
			continue;
		*found = true;
		ret = capture_add(s, &c->st, mm->name, name, mm->name, name);
	}
	return ret;
}

static int capture_target(struct capture_set *s, struct capture_lab *c, const char *arg)
{
	const struct lab *lab = c->lab;
	const char *colon = strchr(arg, ':');
	char first[64];
	const struct lab_host *h;
	bool found = false;
	int ret;

	snprintf(first, sizeof(first), "%.*s", colon ? (int)(colon - arg) : (int)strlen(arg), arg);
	h = lab_find_host(lab, first);
	if (h) {
		for (size_t j = 0; j < h->n_ifaces; j++) {
			if (colon && strcmp(colon + 1, h->ifaces[j].ifname))
				continue;
			found = true;
			ret = capture_add(s, &c->st, h->name, h->ifaces[j].ifname, h->name,
					  h->ifaces[j].ifname);
			if (ret < 0)
				return ret;
		}
		if (!found) {
			err_set("%s: %s", arg, colon ? "no such interface in the host"
						     : "the host has no interface");
			return -ENOENT;
		}
		return 0;
	}
	if (lab->n_machines && !strcmp(arg, "underlay")) {
		char ul[16];

		lab_underlay_ns(lab->name, ul);
		return capture_add(s, &c->st, ul, MACHINES_UL_BRIDGE, "underlay", NULL);
	}
	if (colon && lab_find_machine(lab, first)) {
		if (!strcmp(colon + 1, "underlay") || !strcmp(colon + 1, MACHINES_PHY_PORT))
			return capture_add(s, &c->st, first, MACHINES_PHY_PORT, first,
					   MACHINES_PHY_PORT);
		ret = capture_port(s, c, first, colon + 1, &found);
		if (ret == 0 && !found) {
			err_set("%s: machine %s has no such bridge or port", arg, first);
			ret = -ENOENT;
		}
		return ret;
	}
	if (!colon) {
		ret = capture_port(s, c, NULL, arg, &found);
		if (ret < 0 || found)
			return ret;
	}
	err_set("%s: no such host, %sbridge or bridge port in lab %s", arg,
		lab->n_machines ? "machine, underlay, " : "", lab->name);
	return -ENOENT;
}

int cmd_capture(const char *name, char *const targets[], size_t n, const struct cmd_capture_opts *co)
{
	struct capture_opts o = { .filter = co->filter, .count = co->count,
				  .duration = co->duration };
	struct capture_set s = { 0 };
	struct capture_lab c = { 0 };
	bool opened = false;
	FILE *file = NULL;
	uint64_t seen = 0;
	int ret;

	ret = journal_read(name, &c.st);
	opened = ret == 0;
	if (ret == 0)
		ret = cmd_load_saved(&c.st, &c.lab);
	for (size_t i = 0; ret == 0 && i < n; i++)
		ret = capture_target(&s, &c, targets[i]);
	if (ret == 0 && co->write && strcmp(co->write, "-")) {
		file = fopen(co->write, "we");
		if (!file) {
			ret = -errno;
			err_set("%s: cannot write the capture there: %s", co->write, strerror(errno));
		}
	}
	if (ret == 0) {
		o.pcapng = file ? file : co->write ? stdout : NULL;
		o.text = stdout;
		ret = capture_run(s.t, s.n, &o, &seen);
	}
	if (file && fclose(file) != 0 && ret == 0) {
		ret = -errno;
		err_set("%s: cannot write the capture: %s", co->write, strerror(errno));
	}
	/* No half file left behind by a filter refused or a write that failed. */
	if (file && ret < 0)
		unlink(co->write);
	if (ret == 0)
		fprintf(stderr, "%llu packet%s captured\n", (unsigned long long)seen,
			seen == 1 ? "" : "s");
	for (size_t i = 0; i < s.n; i++)
		if (s.t[i].ns_fd >= 0)
			close(s.t[i].ns_fd);
	free(s.t);
	lab_free(c.lab);
	if (opened)
		journal_close(&c.st);
	return ret;
}
