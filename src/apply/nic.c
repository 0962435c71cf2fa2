/* Borrowing the machine's own interfaces and giving them back (nic.h). */
#include "apply/nic.h"

#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kernel/ifstate.h"
#include "kernel/netns.h"
#include "util/err.h"

/* The journal's value holds the state on one line. */
#define NIC_STATE_MAX (PATH_MAX - 64)

int nic_record(struct rtnl *nl, struct journal *st, enum journal_nic_role role,
	       const char *owner, const char *ifname, struct ifstate **out)
{
	struct ifstate *s = NULL;
	char *text = malloc(NIC_STATE_MAX);
	int ret;

	ret = text ? ifstate_capture(nl, ifname, &s) : -ENOMEM;
	if (ret == 0)
		ret = ifstate_to_text(s, text, NIC_STATE_MAX);
	if (ret == 0)
		ret = journal_add_nic(st, role, owner, ifname, text);
	if (ret == 0 && out) {
		*out = s;
		s = NULL;
	}
	ifstate_free(s);
	free(text);
	if (ret == -ENOMEM && !err_isset())
		err_set("%s: out of memory", ifname);
	return ret;
}

/* As a port, without ARP (ifstate_take; the lab's own veth ports are born
 * so, build.c). */
static int nic_port(struct build *b, const struct lab_bridge *br, const char *ifname)
{
	struct ifstate *s = NULL;
	int ret;

	ret = nic_record(b->nl, b->st, JOURNAL_NIC_PORT, br->name, ifname, &s);
	if (ret == 0)
		ret = ifstate_take(b->nl, s, 0);
	ifstate_free(s);
	return ret;
}

int nic_take_ports(struct build *b)
{
	int ret = 0;

	for (size_t i = 0; ret == 0 && i < b->lab->n_bridges; i++) {
		const struct lab_bridge *br = &b->lab->bridges[i];

		for (size_t j = 0; ret == 0 && j < br->n_nics; j++)
			ret = nic_port(b, br, br->nics[j].name);
	}
	return ret;
}

static int nic_take_address(struct build *b, const struct lab_bridge *br, const char *ifname)
{
	struct ifstate *s = NULL;
	int to, ret;

	to = rtnl_link_index(b->nl, br->name);
	if (to < 0) {
		err_set("%s: the switch did not create the bridge's internal port", br->name);
		return to;
	}
	/* Its IPv6 addresses need IPv6 on the internal port, which a bridge
	 * without gateway6 has off. */
	ret = build_sysctl_if(b, br->name, "ipv6", "disable_ipv6", "0");
	if (ret == 0)
		ret = ifstate_capture(b->nl, ifname, &s);
	if (ret == 0)
		ret = ifstate_move_addresses(b->nl, s, to, NULL);
	ifstate_free(s);
	return ret;
}

int nic_take_addresses(struct build *b)
{
	int ret = 0;

	for (size_t i = 0; ret == 0 && i < b->lab->n_bridges; i++) {
		const struct lab_bridge *br = &b->lab->bridges[i];

		for (size_t j = 0; ret == 0 && j < br->n_nics; j++)
			if (br->nics[j].take_address)
				ret = nic_take_address(b, br, br->nics[j].name);
	}
	return ret;
}

int nic_take_host(struct build *b, struct build_ns *ns, const struct lab_iface *ifc)
{
	int idx, ret;

	ret = nic_record(b->nl, b->st, JOURNAL_NIC_HOST, ns->h->name, ifc->physical, NULL);
	if (ret < 0)
		return ret;
	idx = rtnl_link_index(b->nl, ifc->physical);
	if (idx < 0) {
		err_set("%s: no such interface on the machine", ifc->physical);
		return idx;
	}
	return rtnl_link_move(b->nl, idx, ns->fd, ifc->ifname);
}

struct nic_back {
	struct journal *st;
	enum journal_nic_role role;
	const char *host;  /* JOURNAL_NIC_HOST: only this host's; NULL: all */
	struct rtnl *nl;   /* the machine's namespace */
	int self_fd;
	int first;         /* the first failure */
};

/* A host interface still in its host's namespace comes home under its own
 * name first; one the kernel returned already (the namespace is gone) is
 * found at home by its MAC address. */
static int nic_fetch(struct nic_back *k, const char *host, const struct ifstate *s)
{
	struct rtnl *hnl = NULL;
	uint64_t ino = 0, id = 0;
	struct netns_id want = { 0 };
	int fd, idx, ret;

	if (ifstate_find(k->nl, s) > 0)
		return 0;
	if (journal_get_netns_id(k->st, SIZE_MAX, host, &ino, &id)) {
		want.ino = ino;
		want.id = id;
	}
	fd = netns_open_as(host, &want);
	if (fd < 0) {
		err_set("%s: cannot find the interface to give back: it is not on the machine "
			"and host %s's namespace is gone", ifstate_name(s), host);
		return fd;
	}
	ret = rtnl_open_in(fd, &hnl);
	idx = ret == 0 ? ifstate_find(hnl, s) : ret;
	if (idx == -ENODEV)
		err_set("%s: cannot find the interface to give back, on the machine or in host %s",
			ifstate_name(s), host);
	ret = idx < 0 ? idx : rtnl_link_move(hnl, idx, k->self_fd, ifstate_name(s));
	rtnl_close(hnl);
	close(fd);
	return ret;
}

static int nic_back_one(enum journal_nic_role role, const char *owner, const char *ifname,
			const char *state, void *arg)
{
	struct nic_back *k = arg;
	struct ifstate *s = NULL;
	int ret;

	if (role != k->role || (k->host && strcmp(owner, k->host)))
		return 0;
	ret = ifstate_from_text(state, &s);
	if (ret < 0)
		err_set("%s: the journal's record of the interface cannot be read", ifname);
	if (ret == 0 && role == JOURNAL_NIC_HOST)
		ret = nic_fetch(k, owner, s);
	if (ret == 0)
		ret = ifstate_restore(k->nl, s);
	ifstate_free(s);
	/* Kept on a failure, so that the next down or gc tries again. */
	if (ret == 0 && k->st->journal)
		ret = journal_forget_nic(k->st, role, owner, ifname, state);
	if (ret < 0 && !k->first)
		k->first = ret;
	return 0;
}

static int nic_give_back(struct journal *st, size_t from, enum journal_nic_role role,
			 const char *host)
{
	struct nic_back k = { .st = st, .role = role, .host = host, .self_fd = -1 };
	int ret;

	ret = rtnl_open(&k.nl);
	if (ret == 0) {
		k.self_fd = netns_self();
		ret = k.self_fd < 0 ? k.self_fd : 0;
	}
	if (ret == 0)
		ret = journal_for_each_nic(st, from, nic_back_one, &k);
	if (ret == 0)
		ret = k.first;
	if (k.self_fd >= 0)
		close(k.self_fd);
	rtnl_close(k.nl);
	return ret;
}

int nic_give_back_hosts(struct journal *st, size_t from, const char *host)
{
	return nic_give_back(st, from, JOURNAL_NIC_HOST, host);
}

int nic_give_back_ports(struct journal *st, size_t from)
{
	return nic_give_back(st, from, JOURNAL_NIC_PORT, NULL);
}
