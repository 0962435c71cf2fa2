/* `ovslab check`: a lab's declared checks, or every host from every host
 * (--all), as probes run at once (probe.c), reported by report.c. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/err.h"
#include "apply/machines.h"
#include "cmd/cmd.h"
#include "kernel/netns.h"
#include "labfile/labfile.h"
#include "probe/probe.h"
#include "probe/report.h"

/* --all: echoes over the first 800 ms, and room for the kernel's second ARP
 * request (a second after the first) should the first be lost in a flood
 * of broadcasts. */
#define CHECKRUN_ALL_COUNT 5
#define CHECKRUN_ALL_TIMEOUT_MS 2000
/* Probes (a pair of hosts on a common subnet counting as one) run at a time,
 * --all or declared.  Each holds up to two entries of the kernel's neighbour
 * table, which every namespace of the machine shares (1024 by default, see
 * neigh.h): leave most to others.  And a thousand declared checks started at
 * once flood every bridge with ARP requests: through ten userspace switches
 * and their tunnels, 43 of 1000 held that way while each pair, paced,
 * answered (bench/machines 10x100, 2026-11-30). */
#define CHECKRUN_WINDOW 100

struct check_run {
	struct lab *lab;
	struct probe *probes;
	struct report_row *rows;
	size_t n, cap;
	const char **hosts;
};

static int check_add(struct check_run *c, const struct probe *p, const char *to,
			const struct report_row *row)
{
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;
		struct probe *np = realloc(c->probes, cap * sizeof(*np));
		struct report_row *nr;

		if (!np)
			return -ENOMEM;
		c->probes = np;
		nr = realloc(c->rows, cap * sizeof(*nr));
		if (!nr)
			return -ENOMEM;
		c->rows = nr;
		c->cap = cap;
	}
	c->probes[c->n] = *p;
	c->rows[c->n] = *row;
	c->rows[c->n].from = p->from;
	c->rows[c->n].to = to;
	c->rows[c->n].expect_reach = row->expect_reach;
	inet_ntop(p->dst.family, &p->dst.v6, c->rows[c->n].addr, sizeof(c->rows[c->n].addr));
	if (p->tcp)
		snprintf(c->rows[c->n].kind, sizeof(c->rows[c->n].kind), "tcp:%u", p->tcp);
	else
		snprintf(c->rows[c->n].kind, sizeof(c->rows[c->n].kind), "icmp");
	c->n++;
	return 0;
}

static int check_declared(struct check_run *c)
{
	int ret = 0;

	for (size_t i = 0; ret == 0 && i < c->lab->n_checks; i++) {
		const struct lab_check *ck = &c->lab->checks[i];
		struct probe p = { .from = ck->from, .to_ns = ck->to_host, .dst = ck->addr,
				   .tcp = ck->tcp, .listen = ck->tcp && !ck->service,
				   .count = ck->count, .timeout_ms = ck->timeout_ms };
		struct report_row row = { .expect_reach = ck->expect_reach };

		ret = check_add(c, &p, ck->to, &row);
	}
	return ret;
}

/* What --all probes in a host: per interface its first IPv4 address, or its
 * first address when it has no IPv4. */
static const struct lab_addr *check_iface_addr(const struct lab_iface *ifc)
{
	for (size_t k = 0; k < ifc->n_addrs; k++)
		if (ifc->addrs[k].family == AF_INET)
			return &ifc->addrs[k];
	return ifc->n_addrs ? &ifc->addrs[0] : NULL;
}

/* h's interface on the subnet of a (and h's address there), or NULL. */
static const struct lab_iface *check_onlink(const struct lab_host *h, const struct lab_addr *a,
					       const struct lab_addr **src)
{
	for (size_t f = 0; f < h->n_ifaces; f++)
		for (size_t k = 0; k < h->ifaces[f].n_addrs; k++)
			if (lab_addr_in_subnet(&h->ifaces[f].addrs[k], a)) {
				*src = &h->ifaces[f].addrs[k];
				return &h->ifaces[f];
			}
	return NULL;
}

static int check_all_add(struct check_run *c, size_t f, size_t t, const struct lab_addr *a,
			    const struct lab_iface *to_if)
{
	const struct lab_host *from = &c->lab->hosts[f], *to = &c->lab->hosts[t];
	const struct lab_addr *src = NULL;
	const struct lab_iface *from_if = check_onlink(from, a, &src);
	struct probe p = { .from = from->name, .to_ns = to->name, .dst = *a,
			   .count = CHECKRUN_ALL_COUNT, .timeout_ms = CHECKRUN_ALL_TIMEOUT_MS };
	struct report_row row = { .expect_reach = true, .from_idx = f, .to_idx = t };

	if (from_if) {
		p.from_if = from_if->ifname;
		p.to_if = to_if->ifname;
		p.src = *src;
	}
	return check_add(c, &p, to->name, &row);
}

/* Every host from every host.  A pair on a common subnet runs as one: the
 * way back starts once the way there is done, when the ARP request has
 * already taught the far host where the near one is. */
static int check_all(struct check_run *c)
{
	const struct lab *lab = c->lab;
	size_t nh = lab->n_hosts, max_if = 1;
	bool *added = NULL; /* [from][to][interface of to] */
	int ret = 0;

	for (size_t h = 0; h < nh; h++)
		max_if = lab->hosts[h].n_ifaces > max_if ? lab->hosts[h].n_ifaces : max_if;
	c->hosts = calloc(nh + 1, sizeof(*c->hosts));
	added = calloc(nh * nh * max_if + 1, sizeof(*added));
	if (!c->hosts || !added) {
		ret = -ENOMEM;
		goto out;
	}
	for (size_t h = 0; h < nh; h++)
		c->hosts[h] = lab->hosts[h].name;
	for (size_t f = 0; ret == 0 && f < nh; f++)
		for (size_t t = 0; ret == 0 && t < nh; t++) {
			const struct lab_host *to = &lab->hosts[t], *from = &lab->hosts[f];

			for (size_t i = 0; ret == 0 && t != f && i < to->n_ifaces; i++) {
				const struct lab_addr *a = check_iface_addr(&to->ifaces[i]);
				const struct lab_addr *src = NULL, *b;
				const struct lab_iface *fi;
				size_t lead = c->n, j;

				if (!a || added[(f * nh + t) * max_if + i])
					continue;
				ret = check_all_add(c, f, t, a, &to->ifaces[i]);
				fi = ret == 0 ? check_onlink(from, a, &src) : NULL;
				b = fi ? check_iface_addr(fi) : NULL;
				if (!b || !lab_addr_in_subnet(b, a))
					continue;
				j = (size_t)(fi - from->ifaces);
				ret = check_all_add(c, t, f, b, fi);
				if (ret < 0)
					break;
				added[(t * nh + f) * max_if + j] = true;
				c->probes[lead].twin = lead + 2;
				c->probes[lead].lead = true;
				c->probes[lead + 1].twin = lead + 1;
			}
		}
out:
	free(added);
	return ret;
}

/* Probes from or to a host whose namespace is gone fail as such and are not
 * run (probe_run would stop at the first); the others run, a pair's twins
 * renumbered (a pair's hosts are the same two, so both go or both stay). */
static int check_run_present(struct check_run *c, size_t window)
{
	struct probe *run = calloc(c->n + 1, sizeof(*run));
	size_t *at = calloc(c->n + 1, sizeof(*at));
	size_t n = 0;
	int ret;

	if (!run || !at) {
		ret = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < c->n; i++) {
		struct probe *p = &c->probes[i];

		at[i] = SIZE_MAX;
		if (!netns_exists(p->from) || (p->to_ns && !netns_exists(p->to_ns))) {
			p->reached = false;
			snprintf(p->detail, sizeof(p->detail), "host %s missing",
				 netns_exists(p->from) ? p->to_ns : p->from);
			continue;
		}
		at[i] = n;
		run[n++] = *p;
	}
	for (size_t i = 0; i < n; i++)
		if (run[i].twin)
			run[i].twin = at[run[i].twin - 1] == SIZE_MAX ? 0 : at[run[i].twin - 1] + 1;
	ret = probe_run(run, n, window);
	for (size_t i = 0; ret == 0 && i < c->n; i++)
		if (at[i] != SIZE_MAX)
			c->probes[i] = run[at[i]];
out:
	free(run);
	free(at);
	return ret;
}

/* LAB: the checks of its saved file; FILE: the file's, its lab being up. */
static int check_load(const char *arg, struct lab **lab)
{
	struct journal st = { 0 };
	struct stat sb;
	int ret;

	if (stat(arg, &sb) == 0 && S_ISREG(sb.st_mode)) {
		ret = labfile_load(arg, stderr, lab);
		if (ret == -EINVAL)
			err_clear(); /* the file:line:col lines already say it all */
		if (ret == 0 && !journal_exists((*lab)->name)) {
			err_set("%s: the lab is not up (run `ovslab up %s` first)", (*lab)->name, arg);
			ret = -ENOENT;
		}
		return ret;
	}
	if (!lab_name_valid(arg) || !journal_exists(arg)) {
		err_set("%s: no such lab file, and no lab of that name is up", arg);
		return -ENOENT;
	}
	ret = journal_read(arg, &st);
	if (ret == 0)
		ret = cmd_load_saved(&st, lab);
	journal_close(&st);
	return ret;
}

/* The probes enter the hosts by name: a name that now holds someone else's
 * namespace is not one to send the lab's checks from. */
static int check_hosts_ours(const char *lab)
{
	struct journal st;
	int ret = journal_read(lab, &st);

	if (ret == 0)
		ret = cmd_hosts_ours(&st);
	journal_close(&st);
	return ret;
}

/* A machine whose switch died cuts its hosts off: said by name (its
 * probes fail too, but a table of failures would not say why). */
static int check_machines(const struct lab *lab, FILE *out, char *why, size_t len)
{
	struct journal st;
	int ret;

	why[0] = '\0';
	if (!lab->n_machines)
		return 0;
	ret = journal_read(lab->name, &st);
	if (ret < 0)
		return ret;
	ret = machines_dead(lab, &st, out, why, len);
	journal_close(&st);
	return ret;
}

static int check_junit(const struct report *rep, const char *path)
{
	FILE *f = fopen(path, "w");
	int ret = 0;

	if (!f) {
		ret = -errno;
		err_set("%s: cannot write the JUnit report: %s", path, strerror(errno));
		return ret;
	}
	report_junit(rep, f);
	if (fclose(f) != 0) {
		ret = -errno;
		err_set("%s: cannot write the JUnit report: %s", path, strerror(errno));
	}
	return ret;
}

int cmd_check(const char *arg, const struct cmd_check_opts *o, FILE *out)
{
	struct check_run c = { 0 };
	struct report rep = { 0 };
	char dead[128];
	int ret, n_dead = 0;

	ret = check_load(arg, &c.lab);
	if (ret == 0)
		ret = check_hosts_ours(c.lab->name);
	if (ret < 0)
		goto out;
	ret = o->all ? check_all(&c) : check_declared(&c);
	if (ret == 0)
		ret = check_run_present(&c, CHECKRUN_WINDOW);
	if (ret < 0)
		goto out;
	for (size_t i = 0; i < c.n; i++) {
		c.rows[i].reached = c.probes[i].reached;
		c.rows[i].ms = c.probes[i].ms;
		snprintf(c.rows[i].detail, sizeof(c.rows[i].detail), "%s", c.probes[i].detail);
	}
	rep = (struct report){ .lab = c.lab->name, .rows = c.rows, .n_rows = c.n,
			       .matrix = o->all, .hosts = c.hosts, .n_hosts = c.lab->n_hosts };
	if (o->json)
		report_json(&rep, out);
	else if (o->tap)
		report_tap(&rep, out);
	else if (o->all)
		report_matrix(&rep, out);
	else
		report_table(&rep, out);
	n_dead = check_machines(c.lab, o->json || o->tap ? NULL : out, dead, sizeof(dead));
	fflush(out);
	if (o->junit)
		ret = check_junit(&rep, o->junit);
	if (ret == 0)
		ret = (int)report_failed(&rep);
	if (ret > 0 || n_dead > 0)
		err_set("%s: %s%s%d of %zu %s did not hold", c.lab->name, dead, n_dead > 0 ? "; " : "",
			ret, c.n, o->all ? "probes" : "checks");
	if (ret == 0 && n_dead > 0)
		ret = n_dead;
out:
	free(c.probes);
	free(c.rows);
	free(c.hosts);
	lab_free(c.lab);
	return ret;
}
