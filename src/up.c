#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "ethtool.h"
#include "labctl.h"
#include "labfile.h"
#include "nat.h"
#include "netns.h"
#include "ovsdb.h"
#include "rtnl.h"
#include "switchd.h"
#include "sysctl.h"

/* Everything one `up` run holds while it builds. */
struct up {
	struct lab *lab;
	struct state st;
	struct switchd sw;
	struct rtnl *nl;       /* the machine's namespace */
	int self_fd;           /* to come back to the machine's namespace */
	char (*uplinks)[IF_NAMESIZE]; /* per bridge, resolved before anything is made */
};

static int up_read_file(const char *path, char **text, size_t *len)
{
	struct stat sb;
	char *buf = NULL;
	int fd;
	int ret = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &sb) < 0) {
		ret = -errno;
		err_set("%s: cannot read the lab file: %s", path, strerror(errno));
		goto out;
	}
	buf = malloc((size_t)sb.st_size + 1);
	if (!buf) {
		ret = -ENOMEM;
		goto out;
	}
	if (read(fd, buf, (size_t)sb.st_size) != sb.st_size) {
		ret = -EIO;
		err_set("%s: cannot read the lab file: short read", path);
		goto out;
	}
	buf[sb.st_size] = '\0';
	*len = (size_t)sb.st_size;
	*text = buf;
	buf = NULL;
out:
	free(buf);
	if (fd >= 0)
		close(fd);
	return ret;
}

/* Names the lab would take on the machine must be free: checked before
 * anything is made, so a clash creates nothing.  Uplinks are resolved here
 * for the same reason. */
static int up_preflight(struct up *u)
{
	const struct lab *lab = u->lab;

	for (size_t i = 0; i < lab->n_hosts; i++) {
		const struct lab_host *h = &lab->hosts[i];

		if (netns_exists(h->name)) {
			err_set("%s: a network namespace of that name already exists on the machine",
				h->name);
			return -EEXIST;
		}
		for (size_t j = 0; j < h->n_ifaces; j++) {
			if (rtnl_link_index(u->nl, h->ifaces[j].port) > 0) {
				err_set("%s: interface name \"%s\" already exists on the machine",
					h->name, h->ifaces[j].port);
				return -EEXIST;
			}
		}
	}
	for (size_t i = 0; i < lab->n_bridges; i++) {
		const struct lab_bridge *b = &lab->bridges[i];
		int ret;

		if (rtnl_link_index(u->nl, b->name) > 0) {
			err_set("%s: interface name \"%s\" already exists on the machine",
				b->name, b->name);
			return -EEXIST;
		}
		if (!b->nat)
			continue;
		if (!b->uplink || !strcmp(b->uplink, "auto")) {
			ret = rtnl_default_route_dev(u->nl, u->uplinks[i]);
			if (ret < 0) {
				err_set("%s: uplink auto: the machine has no IPv4 default route", b->name);
				return ret;
			}
		} else {
			if (rtnl_link_index(u->nl, b->uplink) <= 0) {
				err_set("%s: uplink \"%s\": no such interface on the machine",
					b->name, b->uplink);
				return -ENODEV;
			}
			snprintf(u->uplinks[i], IF_NAMESIZE, "%s", b->uplink);
		}
	}
	return 0;
}

static int up_switch(struct up *u, struct ovsdb **db)
{
	char labdir[PATH_MAX];
	int ret;

	state_dir(u->lab->name, labdir, sizeof(labdir));
	/* The private switch's directory is recorded before it exists, so that a
	 * run killed while starting it still leaves a way to stop it. */
	ret = state_add(&u->st, STATE_SWITCH, "private %s/ovs", labdir);
	if (ret < 0)
		return ret;
	ret = switchd_start(u->lab->name, labdir, &u->sw);
	if (ret < 0)
		return ret;
	if (!u->sw.private) {
		ret = state_forget(&u->st, STATE_SWITCH, u->st.entries[u->st.n_entries - 1].value);
		if (ret == 0)
			ret = state_add(&u->st, STATE_SWITCH, "shared");
		if (ret < 0)
			return ret;
	}
	ret = state_add(&u->st, STATE_REMOTE, "%s", u->sw.remote);
	if (ret == 0)
		ret = state_add(&u->st, STATE_DATAPATH, "%s", u->sw.datapath);
	if (ret == 0)
		ret = ovsdb_open(u->sw.remote, LABCTL_SWITCH_TIMEOUT_MS, db);
	if (ret == 0)
		ret = ovsdb_lab_check(*db, u->lab);
	return ret;
}

/* In the host's namespace before its interface exists: no IPv6 on new
 * devices, since a lab that declares none must not add link-local chatter
 * (at scale it floods the bridge), then a netlink socket that stays there. */
static int up_host_ns_prepare(struct up *u, int nsfd, struct rtnl **nsnl)
{
	int ret;

	ret = netns_enter(nsfd);
	if (ret < 0)
		return ret;
	ret = sysctl_write("net/ipv6/conf/default/disable_ipv6", "1");
	if (ret == -ENOENT) /* kernel without IPv6 */
		ret = 0;
	if (ret == 0)
		ret = rtnl_open(nsnl);
	if (netns_enter(u->self_fd) < 0 && ret == 0)
		ret = -errno;
	return ret;
}

static int up_port_disable_ipv6(const char *ifname)
{
	char key[96];
	int ret;

	snprintf(key, sizeof(key), "net/ipv6/conf/%s/disable_ipv6", ifname);
	ret = sysctl_write(key, "1");
	return ret == -ENOENT ? 0 : ret;
}

static int up_iface_inside(struct up *u, struct rtnl *nsnl, int nsfd,
			   const struct lab_iface *ifc)
{
	const struct lab_bridge *b = lab_find_bridge(u->lab, ifc->bridge);
	int idx;
	int ret = 0;

	/* The userspace datapath forwards what the veth hands it as is, so the
	 * checksum offloaded by the sender would never be filled in. */
	if (!strcmp(u->sw.datapath, "netdev")) {
		ret = netns_enter(nsfd);
		if (ret < 0)
			return ret;
		ret = ethtool_tx_csum_off(ifc->ifname);
		if (netns_enter(u->self_fd) < 0 && ret == 0)
			ret = -errno;
		if (ret < 0)
			return ret;
	}
	idx = rtnl_link_index(nsnl, ifc->ifname);
	if (idx < 0)
		return idx;
	ret = rtnl_link_up(nsnl, idx);
	if (ret == 0 && ifc->addr.family)
		ret = rtnl_addr_add(nsnl, idx, &ifc->addr);
	if (ret == 0 && b && b->gateway.family && ifc->addr.family == b->gateway.family) {
		struct lab_addr any = { .family = b->gateway.family };

		ret = rtnl_route_add(nsnl, &any, &b->gateway, idx);
	}
	return ret;
}

static int up_host(struct up *u, const struct lab_host *h)
{
	struct rtnl *nsnl = NULL;
	int nsfd = -1;
	int lo;
	int ret;

	ret = state_add(&u->st, STATE_NETNS, "%s", h->name);
	if (ret < 0)
		goto out;
	ret = netns_add(h->name);
	if (ret < 0) {
		if (ret == -EEXIST)
			state_forget(&u->st, STATE_NETNS, h->name);
		goto out;
	}
	nsfd = netns_open(h->name);
	if (nsfd < 0) {
		ret = nsfd;
		goto out;
	}
	ret = up_host_ns_prepare(u, nsfd, &nsnl);
	if (ret < 0)
		goto out;
	lo = rtnl_link_index(nsnl, "lo");
	ret = lo < 0 ? lo : rtnl_link_up(nsnl, lo);
	for (size_t i = 0; ret == 0 && i < h->n_ifaces; i++) {
		const struct lab_iface *ifc = &h->ifaces[i];
		int idx;

		ret = state_add(&u->st, STATE_LINK, "%s", ifc->port);
		if (ret < 0)
			break;
		ret = rtnl_veth_create(u->nl, ifc->port, ifc->ifname, nsfd);
		if (ret == -EEXIST)
			state_forget(&u->st, STATE_LINK, ifc->port);
		if (ret < 0)
			break;
		ret = up_port_disable_ipv6(ifc->port);
		idx = ret < 0 ? ret : rtnl_link_index(u->nl, ifc->port);
		ret = idx < 0 ? idx : rtnl_link_up(u->nl, idx);
		if (ret == 0)
			ret = up_iface_inside(u, nsnl, nsfd, ifc);
	}
	if (ret < 0)
		err_set("%s: cannot set up the host: %s", h->name, strerror(-ret));
out:
	rtnl_close(nsnl);
	if (nsfd >= 0)
		close(nsfd);
	return ret;
}

/* The bridge's internal port exists only once the switch has applied the
 * transaction; it gets the gateway address and comes up. */
static int up_gateway(struct up *u, const struct lab_bridge *b)
{
	int idx;
	int ret;

	if (!b->gateway.family)
		return 0;
	idx = rtnl_link_index(u->nl, b->name);
	if (idx < 0) {
		err_set("%s: the switch did not create the bridge's internal port", b->name);
		return idx;
	}
	ret = up_port_disable_ipv6(b->name);
	if (ret == 0)
		ret = rtnl_addr_add(u->nl, idx, &b->gateway);
	if (ret == 0)
		ret = rtnl_link_up(u->nl, idx);
	if (ret < 0)
		err_set("%s: cannot give the bridge its gateway address: %s", b->name, strerror(-ret));
	return ret;
}

static int up_nat(struct up *u, const struct lab_bridge *b, const char *uplink)
{
	char old[16];
	int ret;

	if (!state_get(&u->st, STATE_IP_FORWARD)) {
		ret = sysctl_read("net/ipv4/ip_forward", old, sizeof(old));
		if (ret < 0) {
			err_set("net.ipv4.ip_forward: cannot read it: %s", strerror(-ret));
			return ret;
		}
		ret = state_add(&u->st, STATE_IP_FORWARD, "%s", old);
		if (ret < 0)
			return ret;
	}
	ret = state_add(&u->st, STATE_UPLINK, "%s=%s", b->name, uplink);
	if (ret == 0)
		ret = state_add(&u->st, STATE_NAT, "%s", b->name);
	if (ret == 0)
		ret = nat_add(u->lab->name, b->name, &b->gateway, uplink);
	if (ret == 0) {
		ret = sysctl_write("net/ipv4/ip_forward", "1");
		if (ret < 0)
			err_set("net.ipv4.ip_forward: cannot turn it on: %s", strerror(-ret));
	}
	return ret;
}

/* The tests make a step fail on purpose (OVSLAB_FAULT=STEP) to show that a
 * failure at any point leaves nothing behind. */
static int up_fault(int ret, const char *step)
{
	const char *fault = getenv("OVSLAB_FAULT");

	if (ret == 0 && fault && !strcmp(fault, step)) {
		err_set("%s: failure injected by OVSLAB_FAULT", step);
		ret = -EIO;
	}
	return ret;
}

static int up_build(struct up *u)
{
	struct ovsdb *db = NULL;
	int ret;

	ret = up_fault(up_switch(u, &db), "switch");
	for (size_t i = 0; ret == 0 && i < u->lab->n_hosts; i++)
		ret = up_host(u, &u->lab->hosts[i]);
	ret = up_fault(ret, "hosts");
	if (ret == 0)
		ret = ovsdb_lab_apply(db, u->lab, u->sw.datapath, LABCTL_SWITCH_TIMEOUT_MS);
	ret = up_fault(ret, "ports");
	for (size_t i = 0; ret == 0 && i < u->lab->n_bridges; i++)
		ret = up_gateway(u, &u->lab->bridges[i]);
	ret = up_fault(ret, "gateways");
	for (size_t i = 0; ret == 0 && i < u->lab->n_bridges; i++)
		if (u->lab->bridges[i].nat)
			ret = up_nat(u, &u->lab->bridges[i], u->uplinks[i]);
	ret = up_fault(ret, "nat");
	ovsdb_close(db);
	return ret;
}

int labctl_up(const char *path, FILE *diag, FILE *out)
{
	struct up u = { .self_fd = -1 };
	bool created = false;
	char *text = NULL;
	size_t len = 0;
	int ret;

	ret = up_read_file(path, &text, &len);
	if (ret < 0)
		goto out;
	ret = labfile_parse(path, text, len, diag, &u.lab);
	if (ret == -EINVAL)
		err_clear(); /* the file:line:col lines already say it all */
	if (ret < 0)
		goto out;
	u.uplinks = calloc(u.lab->n_bridges ? u.lab->n_bridges : 1, sizeof(*u.uplinks));
	u.self_fd = netns_self();
	if (!u.uplinks || u.self_fd < 0) {
		ret = u.uplinks ? u.self_fd : -ENOMEM;
		goto out;
	}
	if (state_exists(u.lab->name)) {
		err_set("%s: the lab is already up (run `ovslab down %s` first)", u.lab->name,
			u.lab->name);
		ret = -EEXIST;
		goto out;
	}
	ret = rtnl_open(&u.nl);
	if (ret == 0)
		ret = up_preflight(&u);
	if (ret == 0)
		ret = state_create(u.lab->name, text, len, &u.st);
	if (ret < 0)
		goto out;
	created = true;
	ret = up_build(&u);
	if (ret < 0) {
		/* Undo this run: the journal lists exactly what it made. */
		labctl_teardown(&u.st);
		goto out;
	}
	fprintf(out, "%s: up: %zu host%s, %zu bridge%s, %s switch (%s datapath)\n", u.lab->name,
		u.lab->n_hosts, u.lab->n_hosts == 1 ? "" : "s", u.lab->n_bridges,
		u.lab->n_bridges == 1 ? "" : "s", u.sw.private ? "private" : "shared",
		u.sw.datapath);
out:
	if (created && ret == 0)
		state_close(&u.st);
	rtnl_close(u.nl);
	if (u.self_fd >= 0)
		close(u.self_fd);
	free(u.uplinks);
	lab_free(u.lab);
	free(text);
	return ret;
}
