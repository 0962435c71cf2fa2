/* `ovslab down LAB`: removes what the lab's journal records (NAT, processes,
 * switch rows or the private switch, namespaces, interfaces), then the journal,
 * and nothing ovslab did not make (a user's bridge, a namespace made anew). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "apply/forward.h"
#include "apply/machines.h"
#include "apply/nic.h"
#include "apply/remote.h"
#include "apply/taps.h"
#include "util/err.h"
#include "cmd/cmd.h"
#include "journal/lock.h"
#include "firewall/firewall.h"
#include "kernel/netns.h"
#include "switch/ovsdb.h"
#include "kernel/rtnl.h"
#include "switch/switchd.h"
#include "util/timing.h"

#define DOWN_LOCK_TIMEOUT_MS 60000
/* How long down waits for the kernel to take interfaces away with their
 * namespaces before it deletes the rest itself. */
#define DOWN_LINK_WAIT_MS 5000

/* Keeps the first failure but goes on: down removes all it can. */
static void down_note(int *first, int ret)
{
	if (ret < 0 && *first == 0)
		*first = ret;
}

/* The lab's rules go; net.ipv4.ip_forward goes back to the machine's own
 * value when no other lab masquerades any more (apply/forward.h). */
static int down_nat(struct journal *st)
{
	char before[16];

	if (journal_get(st, JOURNAL_NAT)) {
		int n = fw_remove(st->name);

		if (n < 0)
			return n;
	} else if (forward_borrowed(before, sizeof(before)) == -ENOENT) {
		return 0;
	}
	/* Also without a claim left: a down killed after it withdrew its claim
	 * but before it gave the value back leaves that to the next one. */
	return forward_give_back(st);
}

/* A bridge a user added to ovslab's private switch keeps it running: the
 * switch is then left as a shared one is, with only the lab's rows gone.  A
 * switch that does not answer holds nothing to keep; a failed up's message
 * stays the one to print. */
static bool down_keeps_switch(const struct journal *st, const char *remote)
{
	char names[512];
	bool held = err_hold();
	int n = ovsdb_foreign_bridges(remote, OVSDB_TIMEOUT_MS, names, sizeof(names));

	err_release(held);
	if (n <= 0)
		return false;
	printf("%s: left ovslab's private switch running, because it holds %s %s, which ovslab "
	       "did not make.\n", st->name, n == 1 ? "bridge" : "bridges", names);
	return true;
}

/* ovslab's private switch serves every lab without a machine switch: the
 * last lab to go stops it, which drops all its ports at once, far faster
 * than deleting them one transaction at a time.  Stopped, it is left in
 * *priv with its sockets still to release. */
static int down_switch(struct journal *st, struct switchd *priv)
{
	const char *rundir;
	enum journal_switch sw = journal_get_switch(st, &rundir);
	const char *remote = journal_get(st, JOURNAL_REMOTE);
	struct ovsdb *db = NULL;
	bool private = sw == JOURNAL_SWITCH_PRIVATE;
	bool stop = false;
	unsigned dead = 0;
	int lock = -1;
	int ret = 0;

	if (sw == JOURNAL_SWITCH_NONE)
		return 0;
	if (private) {
		lock = lock_lab(SWITCHD_LOCK, DOWN_LOCK_TIMEOUT_MS);
		if (lock < 0)
			return lock;
		stop = !journal_private_switch_used(rundir, st->name);
	}
	if (stop && remote && down_keeps_switch(st, remote))
		stop = false;
	if (stop) {
		priv->private = true;
		snprintf(priv->rundir, sizeof(priv->rundir), "%s", rundir);
		if (remote)
			snprintf(priv->remote, sizeof(priv->remote), "%s", remote);
		ret = switchd_stop_begin(priv);
		goto out;
	}
	/* A private switch that died while other labs use it: its database, if
	 * it answers, loses the lab's rows without ovs-vswitchd to apply them;
	 * one that does not answer keeps them until gc (the lab has no record
	 * by then). */
	dead = private ? switchd_private_dead(rundir) : 0;
	if (!remote || dead & SWITCHD_DEAD_OVSDB)
		goto out;
	ret = ovsdb_open(remote, OVSDB_TIMEOUT_MS, &db);
	if (ret == 0 && dead)
		ret = ovsdb_lab_remove_rows(db, st->name, OVSDB_TIMEOUT_MS);
	else if (ret == 0)
		ret = ovsdb_lab_remove(db, st->name, OVSDB_TIMEOUT_MS);
out:
	ovsdb_close(db);
	/* Still under the switch's lock: of labs going down together, the last
	 * one then sees no other user and stops the switch. */
	if (ret == 0)
		ret = journal_forget_switch(st);
	if (lock >= 0)
		lock_unlock(SWITCHD_LOCK, lock, stop && ret == 0);
	return ret;
}

/* Interfaces whose peer was in a deleted namespace go with it, in one batch
 * the kernel does on its own; deleting them one by one costs a grace period
 * each (about 20 ms).  So down waits for them to go and deletes only what
 * stays (a machine end whose namespace some process still holds). */
static int down_links(struct journal *st, size_t from)
{
	struct timespec tick = { .tv_nsec = 5 * 1000 * 1000 };
	struct rtnl *nl = NULL;
	size_t first = from;
	int ret;

	ret = rtnl_open(&nl);
	if (ret < 0)
		return ret;
	for (int waited = 0; waited < DOWN_LINK_WAIT_MS; waited += 5) {
		while (first < st->n_entries &&
		       (st->entries[first].kind != JOURNAL_LINK || st->entries[first].forgotten ||
			rtnl_link_index(nl, st->entries[first].value) == -ENODEV))
			first++;
		if (first == st->n_entries)
			break;
		nanosleep(&tick, NULL);
	}
	for (size_t i = from; i < st->n_entries; i++) {
		const struct journal_entry *e = &st->entries[i];
		int r;

		if (e->kind != JOURNAL_LINK || e->forgotten)
			continue;
		r = i < first ? 0 : rtnl_link_del(nl, e->value);
		if (r < 0 && r != -ENODEV) {
			err_set("%s: cannot delete the interface: %s", e->value, strerror(-r));
			down_note(&ret, r);
		} else if (from) {
			journal_forget(st, JOURNAL_LINK, e->value);
		}
	}
	rtnl_close(nl);
	return ret;
}

/* Everything still running in the lab's hosts, in one pass over /proc. */
static int down_kill(struct journal *st, size_t from)
{
	const char **names = calloc(st->n_entries + 1, sizeof(*names));
	size_t n = 0;
	int ret;

	if (!names)
		return -ENOMEM;
	for (size_t i = from; i < st->n_entries; i++)
		if (st->entries[i].kind == JOURNAL_NETNS && !st->entries[i].forgotten)
			names[n++] = st->entries[i].value;
	ret = netns_kill_pids_many(names, n, NETNS_KILL_GRACE_MS);
	free(names);
	return ret < 0 ? ret : 0;
}

static int down_namespaces(struct journal *st, size_t from)
{
	int ret = 0;

	for (size_t i = from; i < st->n_entries; i++) {
		const struct journal_entry *e = &st->entries[i];
		int r;

		if (e->kind != JOURNAL_NETNS || e->forgotten || !netns_exists(e->value))
			continue;
		r = netns_del(e->value);
		if (r < 0 && r != -ENOENT)
			down_note(&ret, r);
		else if (from)
			journal_forget(st, JOURNAL_NETNS, e->value);
	}
	return ret;
}

/* A namespace made anew under a host's name by someone else (the lab's own
 * deleted by hand) is neither emptied nor deleted: its entry is withdrawn,
 * as for a name that turned out not to be ours, and down says so. */
static int down_foreign_namespaces(struct journal *st, size_t from)
{
	char names[1024] = "";
	size_t used = 0, n = 0;
	int ret = 0;

	for (size_t i = from; i < st->n_entries; i++) {
		const struct journal_entry *e = &st->entries[i];

		if (e->kind != JOURNAL_NETNS || e->forgotten || cmd_netns_ours(st, i) != 0)
			continue;
		if (used < sizeof(names))
			used += (size_t)snprintf(names + used, sizeof(names) - used, "%s%s",
						 n ? ", " : "", e->value);
		n++;
		down_note(&ret, journal_forget(st, JOURNAL_NETNS, e->value));
	}
	if (n)
		printf("%s: left network namespace%s %s alone, because %s made anew by someone "
		       "else and %s not the lab's.\n", st->name, n == 1 ? "" : "s", names,
		       n == 1 ? "it was" : "they were", n == 1 ? "is" : "are");
	return ret;
}

int cmd_teardown_from(struct journal *st, size_t from)
{
	int ret = 0;

	down_note(&ret, down_foreign_namespaces(st, from));
	down_note(&ret, down_kill(st, from));
	down_note(&ret, nic_give_back_hosts(st, from, NULL));
	down_note(&ret, down_namespaces(st, from));
	down_note(&ret, down_links(st, from));
	down_note(&ret, nic_give_back_ports(st, from));
	down_note(&ret, taps_remove(st, from));
	return ret;
}

int cmd_teardown(struct journal *st)
{
	struct switchd sw = { 0 };
	int ret;

	/* Before anything goes: a down killed midway leaves a lab that shows
	 * as incomplete (not up), which gc finishes. */
	ret = journal_forget_complete(st);

	down_note(&ret, down_nat(st));
	timing_phase("nat");
	/* Before the processes in the lab's namespaces are signalled: a
	 * machine's switch is stopped the way that lets go of its devices. */
	down_note(&ret, machines_teardown(st));
	timing_phase("machines");
	down_note(&ret, down_foreign_namespaces(st, 0));
	down_note(&ret, down_kill(st, 0));
	timing_phase("stop processes");
	down_note(&ret, down_switch(st, &sw));
	timing_phase("switch");
	/* Before their namespaces go: the machine's own interfaces in
	 * hosts, as they were. */
	down_note(&ret, nic_give_back_hosts(st, 0, NULL));
	down_note(&ret, down_namespaces(st, 0));
	timing_phase("namespaces");
	/* After the unmounts, which the closes would slow down. */
	switchd_release_start(&sw);
	down_note(&ret, down_links(st, 0));
	down_note(&ret, taps_remove(st, 0));
	timing_phase("interfaces");
	switchd_release_wait(&sw);
	timing_phase("switch sockets");
	/* Once the switch's sockets are gone: the bridges' internal ports
	 * held the addresses and routes of the ports until then (br-phy's
	 * those of a computer's underlay interface, up --machine). */
	down_note(&ret, nic_give_back_ports(st, 0));
	timing_phase("machine interfaces");
	/* The record stays when something could not be removed, so that a
	 * second `down` can finish the job. */
	if (ret == 0)
		ret = journal_remove(st);
	journal_close(st);
	return ret;
}

int cmd_down(const char *lab)
{
	struct journal st;
	int lock;
	int ret;

	lock = lock_lab(lab, DOWN_LOCK_TIMEOUT_MS);
	if (lock < 0)
		return lock;
	ret = journal_open(lab, &st);
	if (ret == 0)
		ret = cmd_teardown(&st);
	else
		journal_close(&st);
	lock_unlock(lab, lock, ret == 0 || !journal_exists(lab));
	return ret;
}
