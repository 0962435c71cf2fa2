#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "err.h"
#include "labctl.h"
#include "nat.h"
#include "netns.h"
#include "ovsdb.h"
#include "rtnl.h"
#include "switchd.h"
#include "sysctl.h"

/* Keeps the first failure but goes on: down removes all it can. */
static void down_note(int *first, int ret)
{
	if (ret < 0 && *first == 0)
		*first = ret;
}

struct down_nat_scan {
	const char *self;
	bool other_uses_nat;
};

static int down_scan_lab(const char *lab, void *arg)
{
	struct down_nat_scan *scan = arg;
	struct state other;

	if (!strcmp(lab, scan->self))
		return 0;
	if (state_open(lab, &other) == 0) {
		if (state_get(&other, STATE_NAT))
			scan->other_uses_nat = true;
		state_close(&other);
	}
	return 0;
}

/* ip_forward goes back to what it was before the lab, unless another lab
 * still masquerades through the machine. */
static int down_nat(struct state *st)
{
	struct down_nat_scan scan = { .self = st->name };
	const char *old = state_get(st, STATE_IP_FORWARD);
	int ret = 0;
	int n;

	if (!state_get(st, STATE_NAT))
		return 0;
	n = nat_remove(st->name);
	if (n < 0)
		ret = n;
	if (!old)
		return ret;
	state_for_each_lab(down_scan_lab, &scan);
	if (!scan.other_uses_nat) {
		int r = sysctl_write("net/ipv4/ip_forward", old);

		if (r < 0) {
			err_set("net.ipv4.ip_forward: cannot put it back to %s: %s", old, strerror(-r));
			down_note(&ret, r);
		}
	}
	return ret;
}

static int down_switch(struct state *st)
{
	const char *sw = state_get(st, STATE_SWITCH);
	const char *remote = state_get(st, STATE_REMOTE);
	struct ovsdb *db = NULL;
	int ret;

	if (!sw)
		return 0;
	if (!strncmp(sw, "private ", 8)) {
		struct switchd priv = { .private = true };

		snprintf(priv.rundir, sizeof(priv.rundir), "%s", sw + 8);
		if (remote)
			snprintf(priv.remote, sizeof(priv.remote), "%s", remote);
		/* Stopping the private switch drops all its ports at once, far
		 * faster than deleting them one transaction at a time. */
		return switchd_stop(&priv);
	}
	if (!remote)
		return 0;
	ret = ovsdb_open(remote, LABCTL_SWITCH_TIMEOUT_MS, &db);
	if (ret == 0)
		ret = ovsdb_lab_remove(db, st->name, LABCTL_SWITCH_TIMEOUT_MS);
	ovsdb_close(db);
	return ret;
}

static int down_links(struct state *st)
{
	struct rtnl *nl = NULL;
	int ret;

	ret = rtnl_open(&nl);
	if (ret < 0)
		return ret;
	for (size_t i = 0; i < st->n_entries; i++) {
		const struct state_entry *e = &st->entries[i];
		int r;

		if (e->kind != STATE_LINK || e->forgotten)
			continue;
		r = rtnl_link_del(nl, e->value);
		if (r < 0 && r != -ENODEV) {
			err_set("%s: cannot delete the interface: %s", e->value, strerror(-r));
			down_note(&ret, r);
		}
	}
	rtnl_close(nl);
	return ret;
}

static int down_namespaces(struct state *st, bool kill_only)
{
	int ret = 0;

	for (size_t i = 0; i < st->n_entries; i++) {
		const struct state_entry *e = &st->entries[i];
		int r;

		if (e->kind != STATE_NETNS || e->forgotten || !netns_exists(e->value))
			continue;
		if (kill_only) {
			r = netns_kill_pids(e->value, LABCTL_KILL_GRACE_MS);
			down_note(&ret, r < 0 ? r : 0);
			continue;
		}
		r = netns_del(e->value);
		if (r < 0 && r != -ENOENT)
			down_note(&ret, r);
	}
	return ret;
}

int labctl_teardown(struct state *st)
{
	int ret = 0;

	down_note(&ret, down_nat(st));
	down_note(&ret, down_namespaces(st, true));
	down_note(&ret, down_switch(st));
	down_note(&ret, down_links(st));
	down_note(&ret, down_namespaces(st, false));
	/* The record stays when something could not be removed, so that a
	 * second `down` can finish the job. */
	if (ret == 0)
		ret = state_remove(st);
	state_close(st);
	return ret;
}

int labctl_down(const char *lab)
{
	struct state st;
	int ret;

	ret = state_open(lab, &st);
	if (ret < 0)
		return ret;
	return labctl_teardown(&st);
}
