/* The lab's TAP devices (taps.h). */
#include "apply/taps.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "kernel/tap.h"
#include "util/err.h"

static int taps_is(const char *name, void *arg)
{
	return !strcmp(name, arg);
}

/* Up without an IPv6 link-local address: a switch port has no address. */
static int taps_up(struct build *b, const char *name)
{
	int idx = rtnl_link_index(b->nl, name);
	int ret = idx < 0 ? idx : rtnl_link_set(b->nl, idx, NULL, 0, true);

	return ret < 0 ? ret : rtnl_link_set_up(b->nl, idx, true);
}

int taps_build(struct build *b)
{
	int ret = 0;

	for (size_t i = 0; ret == 0 && i < b->lab->n_bridges; i++)
		for (size_t t = 0; ret == 0 && t < b->lab->bridges[i].n_taps; t++) {
			const struct lab_tap *tap = &b->lab->bridges[i].taps[t];

			if (journal_for_each_tap(b->st, 0, taps_is, tap->name))
				continue; /* made by an earlier up */
			ret = journal_add_tap(b->st, tap->name);
			if (ret == 0)
				ret = tap_create(tap);
			if (ret == 0)
				ret = taps_up(b, tap->name);
			if (ret == -EEXIST)
				journal_forget(b->st, JOURNAL_TAP, tap->name);
			if (ret < 0)
				err_set("tap %s: cannot create it: %s", tap->name,
					ret == -EEXIST ? "an interface of that name exists"
						       : strerror(-ret));
		}
	return ret;
}

struct taps_rm {
	struct rtnl *nl;
	int ret;
};

static int taps_rm_one(const char *name, void *arg)
{
	struct taps_rm *r = arg;
	int ret = rtnl_link_del(r->nl, name);

	/* RTM_DELLINK takes a tap away from whoever holds it open (a VM, or
	 * a test's program): its file descriptor reads EOF from then on. */
	if (ret < 0 && ret != -ENODEV) {
		err_set("tap %s: cannot delete it: %s", name, strerror(-ret));
		if (r->ret == 0)
			r->ret = ret;
	}
	return 0;
}

static int taps_found(const char *name, void *arg)
{
	(void)name;
	(void)arg;
	return 1;
}

int taps_remove(struct journal *st, size_t from)
{
	struct taps_rm r = { 0 };
	int ret;

	if (!journal_for_each_tap(st, from, taps_found, NULL))
		return 0; /* no netlink socket for a lab without taps */
	ret = rtnl_open(&r.nl);
	if (ret < 0)
		return ret;
	journal_for_each_tap(st, from, taps_rm_one, &r);
	rtnl_close(r.nl);
	return r.ret;
}
