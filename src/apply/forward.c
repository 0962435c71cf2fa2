/* Borrowing net.ipv4.ip_forward for the labs that masquerade (forward.h). */
#include "apply/forward.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "journal/borrow.h"
#include "journal/lock.h"
#include "kernel/sysctl.h"
#include "util/err.h"

#define FORWARD_KEY "net.ipv4.ip_forward"
#define FORWARD_SYSCTL "net/ipv4/ip_forward"
#define FORWARD_LOCK_TIMEOUT_MS 60000

int forward_take(void)
{
	char before[16];
	int lock = lock_lab(BORROW_LOCK, FORWARD_LOCK_TIMEOUT_MS);
	int ret;

	if (lock < 0)
		return lock;
	ret = sysctl_read(FORWARD_SYSCTL, before, sizeof(before));
	if (ret < 0) {
		err_set(FORWARD_KEY ": cannot read it: %s", strerror(-ret));
		goto out;
	}
	ret = borrow_record(FORWARD_KEY, before);
	if (ret < 0)
		goto out;
	ret = sysctl_write(FORWARD_SYSCTL, "1");
	if (ret < 0)
		err_set(FORWARD_KEY ": cannot turn it on: %s", strerror(-ret));
out:
	lock_unlock(BORROW_LOCK, lock, false);
	return ret;
}

static bool forward_claimed(const struct journal *other, const void *arg)
{
	(void)arg;
	return journal_get(other, JOURNAL_NAT) != NULL;
}

int forward_give_back(struct journal *st)
{
	char before[16];
	int lock = lock_lab(BORROW_LOCK, FORWARD_LOCK_TIMEOUT_MS);
	int ret = 0;

	if (lock < 0)
		return lock;
	/* Withdrawn under the lock, so that of labs going down together the
	 * last one sees no claim left and gives the value back. */
	while (ret == 0 && st && journal_get(st, JOURNAL_NAT)) {
		char bridge[64];

		snprintf(bridge, sizeof(bridge), "%s", journal_get(st, JOURNAL_NAT));
		ret = journal_forget(st, JOURNAL_NAT, bridge);
	}
	if (ret < 0 || journal_any_lab(forward_claimed, NULL, st ? st->name : NULL))
		goto out;
	ret = borrow_get(FORWARD_KEY, before, sizeof(before));
	if (ret == -ENOENT) {
		ret = 0;
		goto out;
	}
	if (ret == 0)
		ret = sysctl_write(FORWARD_SYSCTL, before);
	if (ret < 0) {
		err_set(FORWARD_KEY ": cannot put the machine's value back: %s", strerror(-ret));
		goto out;
	}
	ret = borrow_drop(FORWARD_KEY);
out:
	/* Nothing borrowed any more: the lock file goes too, so that no lab
	 * leaves anything in /run/ovslab. */
	lock_unlock(BORROW_LOCK, lock, borrow_get(FORWARD_KEY, before, sizeof(before)) == -ENOENT);
	return ret;
}

int forward_borrowed(char *buf, size_t len)
{
	return borrow_get(FORWARD_KEY, buf, len);
}
