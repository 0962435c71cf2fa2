/* Simulated machines: the underlay, each machine's namespace and private
 * switch, its hosts and rows (through the code that builds any lab, run
 * against the machine's view of it), and their teardown. */
#include "apply/machines.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apply/build.h"
#include "kernel/neigh.h"
#include "kernel/netns.h"
#include "kernel/rtnl.h"
#include "kernel/sysctl.h"
#include "switch/ovsdb.h"
#include "switch/switchd.h"
#include "util/err.h"
#include "util/json.h"
#include "util/timing.h"

/* One machine while it is built. */
struct machine_run {
	const struct lab_machine *m;
	struct lab *view;            /* its bridges and hosts */
	struct build_ns ns;          /* nl and fd of its namespace */
	struct switchd sw;
	struct ovsdb *db;            /* its switch's database, while it is built */
	int64_t next_cfg;            /* the configuration to wait for */
	struct ovsdb_tunnel *tunnels;
	size_t n_tunnels;
};

bool machines_in(const struct lab *lab, const struct lab *old)
{
	return (lab && lab->n_machines) || (old && old->n_machines);
}

int machines_preflight(const struct lab *lab, const struct lab *old, FILE *diag)
{
	char ul[16];
	int ret = 0;

	lab_underlay_ns(lab->name, ul);
	if (!old && netns_exists(ul)) {
		fprintf(diag, "%s: namespace %s (the lab's underlay) already exists\n",
			lab->file, ul);
		ret = -EEXIST;
	}
	for (size_t i = 0; i < lab->n_machines; i++) {
		const struct lab_machine *m = &lab->machines[i];

		if ((old && lab_find_machine(old, m->name)) || !netns_exists(m->name))
			continue;
		fprintf(diag, "%s:%d:%d: machine %s: a namespace of that name already exists\n",
			lab->file, m->pos.line, m->pos.col, m->name);
		ret = -EEXIST;
	}
	if (ret < 0)
		err_set("%s: %s", lab->name, "names of the lab's machines are taken");
	return ret;
}

void machines_remote(const struct journal *st, const char *machine, char *buf, size_t len)
{
	char dir[PATH_MAX];

	journal_machine_dir(st, machine, dir, sizeof(dir));
	snprintf(buf, len, "unix:%s/db.sock", dir);
}

/* Inside a new machine: no IPv6 on any of its interfaces (the underlay and
 * the bridges' ports need none, and its chatter would flood the bridges),
 * and what the build uses from outside: its netlink socket and an fd on it. */
static int machines_ns_setup(void *arg)
{
	struct machine_run *r = arg;
	int ret = sysctl_write("net/ipv6/conf/default/disable_ipv6", "1");

	if (ret == 0)
		ret = sysctl_write("net/ipv6/conf/all/disable_ipv6", "1");
	if (ret == -ENOENT)
		ret = 0; /* a kernel without IPv6 */
	/* A machine holding gateways routes between its bridges' subnets and
	 * out of its uplink, as the computer does for a lab without machines. */
	if (ret == 0)
		ret = sysctl_write("net/ipv4/ip_forward", "1");
	if (ret == 0)
		ret = rtnl_open(&r->ns.nl);
	if (ret < 0)
		return ret;
	r->ns.fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	return r->ns.fd < 0 ? -errno : 0;
}

static int machines_ns_add(struct journal *st, const char *name, int (*fn)(void *), void *arg)
{
	int ret = journal_add(st, JOURNAL_NETNS, "%s", name);

	if (ret == 0)
		ret = netns_add_in(name, fn, arg, NULL);
	if (ret == -EEXIST) {
		journal_forget(st, JOURNAL_NETNS, name);
		err_set("%s: a namespace of that name already exists", name);
	}
	return ret;
}

static int machines_ul_setup(void *arg)
{
	struct build_ns *ul = arg;
	int ret = sysctl_write("net/ipv6/conf/default/disable_ipv6", "1");

	if (ret < 0 && ret != -ENOENT)
		return ret;
	ret = rtnl_open(&ul->nl);
	if (ret < 0)
		return ret;
	ul->fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	return ul->fd < 0 ? -errno : 0;
}

/* The underlay: its namespace and Linux bridge. */
static int machines_underlay(const struct lab *lab, struct journal *st, struct build_ns *ul)
{
	char name[16];
	int ret;

	lab_underlay_ns(lab->name, name);
	ret = machines_ns_add(st, name, machines_ul_setup, ul);
	if (ret == 0)
		ret = rtnl_link_up(ul->nl, 1);
	if (ret == 0)
		ret = rtnl_bridge_create(ul->nl, MACHINES_UL_BRIDGE, lab->underlay.mtu);
	if (ret < 0 && !err_isset())
		err_set("%s: cannot set up the underlay: %s", name, strerror(-ret));
	return ret;
}

/* The machine's cable to the underlay: its end "ul0" read by its switch
 * (br-phy's port), the other end, named after the machine, on the Linux
 * bridge.  Unlike the hosts' veths it keeps TX checksum offload: the kernel
 * never sends on ul0 (no address), and the tunnel packets the switch writes
 * there carry their checksums (1 MiB TCP across machines passes without
 * turning it off, 2026-11-30). */
static int machines_cable(const struct lab *lab, struct machine_run *r, struct build_ns *ul)
{
	unsigned int mtu = lab->underlay.mtu;
	int master = rtnl_link_index(ul->nl, MACHINES_UL_BRIDGE);
	int idx, ret;

	ret = master < 0 ? master : rtnl_veth_create(ul->nl, r->m->name, MACHINES_PHY_PORT, r->ns.fd);
	idx = ret < 0 ? ret : rtnl_link_index(ul->nl, r->m->name);
	ret = idx < 0 ? idx : rtnl_link_set(ul->nl, idx, NULL, mtu, true);
	if (ret == 0)
		ret = rtnl_link_set_master(ul->nl, idx, master);
	if (ret == 0)
		ret = rtnl_link_up(ul->nl, idx);
	idx = ret < 0 ? ret : rtnl_link_index(r->ns.nl, MACHINES_PHY_PORT);
	ret = idx < 0 ? idx : rtnl_link_set(r->ns.nl, idx, NULL, mtu, true);
	if (ret == 0)
		ret = rtnl_link_up(r->ns.nl, idx);
	if (ret < 0 && !err_isset())
		err_set("machine %s: cannot cable it to the underlay: %s", r->m->name, strerror(-ret));
	return ret;
}

/* A tunnel from each of the machine's bridges to every machine the bridge
 * joins it to (a full mesh, or the bridge's listed pairs); with key: flow
 * also the bridge's port whose remote the flows set (remote_ip=flow). */
int machines_tunnels_of(const struct lab *lab, const struct lab_machine *m,
			const struct lab *view, struct ovsdb_tunnel **out, size_t *n)
{
	struct ovsdb_tunnel *v = calloc(view->n_bridges * (lab->n_machines + 1) + 1, sizeof(*v));

	*out = v;
	*n = 0;
	if (!v)
		return -ENOMEM;
	for (size_t b = 0; b < view->n_bridges; b++) {
		const struct lab_bridge *br = &view->bridges[b];
		struct ovsdb_tunnel proto = { .bridge = br->name, .type = lab_tunnel_name(br->tunnel),
					      .key = br->key, .key_flow = br->key_flow,
					      .bfd = br->bfd };

		for (size_t p = 0; p < lab->n_machines; p++) {
			const struct lab_machine *peer = &lab->machines[p];
			struct ovsdb_tunnel *t = &v[*n];

			if (!lab_tunnel_joins(lab, br, m, peer))
				continue;
			*t = proto;
			lab_tunnel_port_name(br->name, peer->name, t->name);
			inet_ntop(AF_INET, &peer->underlay.v4, t->remote, sizeof(t->remote));
			(*n)++;
		}
		if (!br->key_flow)
			continue;
		/* BFD needs a fixed remote to talk to: none on this one. */
		v[*n] = proto;
		v[*n].bfd = false;
		lab_tunnel_flow_port_name(br->name, v[*n].name);
		snprintf(v[*n].remote, sizeof(v[*n].remote), "flow");
		(*n)++;
	}
	return 0;
}

static int machines_tunnels(const struct lab *lab, struct machine_run *r)
{
	return machines_tunnels_of(lab, r->m, r->view, &r->tunnels, &r->n_tunnels);
}

static int machines_make(const struct lab *lab, struct journal *st, struct machine_run *r,
			 struct build_ns *ul)
{
	int ret = journal_add_machine(st, r->m->name);

	if (ret == 0)
		ret = machines_ns_add(st, r->m->name, machines_ns_setup, r);
	if (ret == 0)
		ret = rtnl_link_up(r->ns.nl, 1);
	if (ret == 0)
		ret = machines_cable(lab, r, ul);
	if (ret == 0)
		ret = lab_machine_view(lab, r->m, &r->view);
	if (ret == 0)
		ret = machines_tunnels(lab, r);
	if (ret == -ENOMEM)
		err_set("machine %s: out of memory", r->m->name);
	else if (ret < 0 && !err_isset())
		err_set("machine %s: cannot set it up: %s", r->m->name, strerror(-ret));
	return ret;
}

/* Every machine's switch, all started at once and not waited for: each
 * machine's hosts are built meanwhile (machines_fill). */
static int machines_switches(const struct lab *lab, struct journal *st, struct machine_run *rs,
			     struct switchd_starting **starting)
{
	size_t n = lab->n_machines;
	char **dirs = calloc(n + 1, sizeof(*dirs));
	int *fds = calloc(n + 1, sizeof(*fds));
	struct switchd *sws = calloc(n + 1, sizeof(*sws));
	int ret = dirs && fds && sws ? journal_machines_mkdir(st) : -ENOMEM;

	for (size_t i = 0; ret == 0 && i < n; i++) {
		dirs[i] = malloc(PATH_MAX);
		if (!dirs[i]) {
			ret = -ENOMEM;
			break;
		}
		journal_machine_dir(st, rs[i].m->name, dirs[i], PATH_MAX);
		fds[i] = rs[i].ns.fd;
	}
	if (ret == 0)
		ret = switchd_machines_begin(sws, dirs, fds, n, starting);
	for (size_t i = 0; sws && i < n; i++)
		rs[i].sw = sws[i];
	for (size_t i = 0; dirs && i < n; i++)
		free(dirs[i]);
	free(dirs);
	free(fds);
	free(sws);
	if (ret == -ENOMEM)
		err_set("%s: out of memory", lab->name);
	return ret;
}

/* The machine's hosts through the code that builds any lab's, with the
 * machine's netlink socket: their bridge ends are born in the machine. */
void machines_build_init(struct build *b, const struct lab *view, struct journal *st,
			 struct rtnl *nl)
{
	memset(b, 0, sizeof(*b));
	b->lab = view;
	b->st = st;
	b->datapath = "netdev";
	b->nl = nl;
	b->self_fd = netns_self();
	b->net_fd = -1;
}

static void machines_build_open(struct journal *st, struct machine_run *r, struct build *b)
{
	machines_build_init(b, r->view, st, r->ns.nl);
}

/* The machine's hosts, then (its switch ready: the i-th of starting) its
 * rows, committed but not waited for. */
static int machines_fill(struct journal *st, struct machine_run *r, unsigned int mtu,
			 struct switchd_starting *starting, size_t i)
{
	struct ovsdb_machine om = {
		.phy_bridge = MACHINES_PHY_BRIDGE, .phy_port = MACHINES_PHY_PORT, .mtu = mtu,
		.tunnels = r->tunnels, .n_tunnels = r->n_tunnels,
	};
	struct build b;
	int ret = 0;

	machines_build_open(st, r, &b);
	if (b.self_fd < 0)
		return b.self_fd;
	for (size_t h = 0; ret == 0 && h < r->view->n_hosts; h++)
		ret = build_host(&b, &r->view->hosts[h]);
	close(b.self_fd);
	if (ret == 0)
		ret = switchd_machines_wait(starting, i);
	timing_phase("switch start");
	if (ret == 0)
		ret = ovsdb_open(r->sw.remote, OVSDB_TIMEOUT_MS, &r->db);
	if (ret == 0)
		ret = ovsdb_machine_commit(r->db, r->view, &om, OVSDB_TIMEOUT_MS, &r->next_cfg);
	return ret;
}

/* Once its switch applied the rows: the underlay address on br-phy's
 * internal port, which the switch just made (Open vSwitch routes the
 * tunnels through it). */
int machines_address(struct rtnl *nl, int announce_fd, const struct lab_machine *m)
{
	int idx = rtnl_link_index(nl, MACHINES_PHY_BRIDGE);
	int ret = idx < 0 ? idx : rtnl_link_up(nl, idx);

	if (ret == 0)
		ret = rtnl_addr_add(nl, idx, &m->underlay);
	/* A switch that did not make br-phy anew kept its address. */
	if (ret == -EEXIST)
		ret = 0;
	/* A br-phy made anew has a new MAC address, which the other machines'
	 * switches would not learn before their tunnel neighbour entry expires:
	 * told at once. */
	if (ret == 0 && announce_fd >= 0)
		ret = neigh_announce(announce_fd, MACHINES_PHY_BRIDGE, &m->underlay);
	if (ret < 0 && !err_isset())
		err_set("machine %s: cannot set it up: %s", m->name, strerror(-ret));
	return ret;
}

static int machines_settle(struct machine_run *r)
{
	int ret = ovsdb_lab_wait(r->db, r->view->name, r->next_cfg, OVSDB_TIMEOUT_MS);

	ovsdb_close(r->db);
	r->db = NULL;
	return ret < 0 ? ret : machines_address(r->ns.nl, -1, r->m);
}

static int machines_exec(struct journal *st, struct machine_run *r)
{
	struct build b;
	int ret = 0;

	machines_build_open(st, r, &b);
	for (size_t i = 0; ret == 0 && i < r->view->n_hosts; i++)
		ret = build_host_exec(&b, &r->view->hosts[i]);
	if (b.self_fd >= 0)
		close(b.self_fd);
	return ret;
}

int machines_build(const struct lab *lab, struct journal *st)
{
	struct build_ns ul = { .sock = -1, .fd = -1 };
	struct machine_run *rs = calloc(lab->n_machines + 1, sizeof(*rs));
	struct switchd_starting *starting = NULL;
	size_t made = 0;
	int ret = rs ? 0 : -ENOMEM, started;

	if (ret == 0)
		ret = machines_underlay(lab, st, &ul);
	for (; ret == 0 && made < lab->n_machines; made++) {
		struct machine_run *r = &rs[made];

		r->m = &lab->machines[made];
		r->ns = (struct build_ns){ .sock = -1, .fd = -1 };
		ret = machines_make(lab, st, r, &ul);
	}
	timing_phase("machines");
	if (ret == 0)
		ret = machines_switches(lab, st, rs, &starting);
	for (size_t i = 0; ret == 0 && i < lab->n_machines; i++)
		ret = machines_fill(st, &rs[i], lab->underlay.mtu, starting, i);
	started = switchd_machines_end(starting);
	if (ret == 0)
		ret = started;
	for (size_t i = 0; ret == 0 && i < lab->n_machines; i++)
		ret = machines_settle(&rs[i]);
	timing_phase("underlay addresses");
	for (size_t i = 0; ret == 0 && i < lab->n_machines; i++)
		ret = machines_exec(st, &rs[i]);
	for (size_t i = 0; i < made; i++) {
		build_ns_close(&rs[i].ns);
		ovsdb_close(rs[i].db);
		lab_view_free(rs[i].view);
		free(rs[i].tunnels);
	}
	build_ns_close(&ul);
	free(rs);
	if (ret == -ENOMEM && !err_isset())
		err_set("%s: out of memory", lab->name);
	return ret;
}

struct machines_stop {
	struct journal *st;
	int first; /* the first failure: down goes on, and its record stays */
};

static int machines_stop_one(const char *machine, void *arg)
{
	struct machines_stop *ms = arg;
	struct switchd sw = { .private = true };
	int ret;

	journal_machine_dir(ms->st, machine, sw.rundir, sizeof(sw.rundir));
	if (access(sw.rundir, F_OK) < 0)
		return 0;
	machines_remote(ms->st, machine, sw.remote, sizeof(sw.remote));
	ret = switchd_stop(&sw);
	if (ret < 0 && !ms->first)
		ms->first = ret;
	return 0;
}

int machines_teardown(struct journal *st)
{
	struct machines_stop ms = { st, 0 };

	journal_for_each_machine(st, machines_stop_one, &ms);
	return ms.first;
}

/* ---- a lab that is up, one machine at a time --------------------------- */

int machines_enter(const char *machine, struct build_ns *ns)
{
	int ret;

	*ns = (struct build_ns){ .sock = -1, .fd = netns_open(machine) };
	ret = ns->fd < 0 ? ns->fd : rtnl_open_in(ns->fd, &ns->nl);
	if (ret < 0 && !err_isset())
		err_set("machine %s: cannot enter its namespace: %s", machine, strerror(-ret));
	return ret;
}

int machines_add(const struct lab *lab, struct journal *st, const struct lab_machine *m,
		 struct build_ns *ns, struct switchd *sw)
{
	struct machine_run r = { .m = m, .ns = { .sock = -1, .fd = -1 } };
	struct build_ns ul = { .sock = -1, .fd = -1 };
	char name[16], *dir = NULL;
	int ret;

	lab_underlay_ns(lab->name, name);
	ret = machines_enter(name, &ul);
	if (ret == 0)
		ret = machines_make(lab, st, &r, &ul);
	dir = ret < 0 ? NULL : malloc(PATH_MAX);
	if (ret == 0 && !dir)
		ret = -ENOMEM;
	if (ret == 0)
		ret = journal_machines_mkdir(st);
	if (ret == 0) {
		journal_machine_dir(st, m->name, dir, PATH_MAX);
		ret = switchd_start_machines(sw, &dir, &r.ns.fd, 1);
	}
	free(dir);
	lab_view_free(r.view);
	free(r.tunnels);
	build_ns_close(&ul);
	*ns = r.ns;
	if (ret == -ENOMEM)
		err_set("machine %s: out of memory", m->name);
	return ret;
}

int machines_uplink(const struct lab *lab, struct journal *st, const struct lab_machine *m,
		    struct rtnl *root, struct build_ns *ns, const struct lab_bridge *b)
{
	struct lab_addr here, there, net = lab_addr_network(&b->gateway);
	size_t i = (size_t)(m - lab->machines);
	char name[16];
	int idx, midx, ret = 0;

	lab_machine_uplink_name(m->name, name);
	lab_machine_uplink_addr(lab->name, i, false, &here);
	lab_machine_uplink_addr(lab->name, i, true, &there);
	idx = rtnl_link_index(root, name);
	if (idx == -ENODEV) {
		ret = journal_add(st, JOURNAL_LINK, "%s", name);
		if (ret == 0)
			ret = rtnl_veth_create(root, name, LAB_UPLINK_PORT, ns->fd);
		idx = ret < 0 ? ret : rtnl_link_index(root, name);
		ret = idx < 0 ? idx : rtnl_link_set(root, idx, NULL, 0, true);
		if (ret == 0)
			ret = rtnl_addr_add(root, idx, &here);
		if (ret == 0)
			ret = rtnl_link_up(root, idx);
		midx = ret < 0 ? ret : rtnl_link_index(ns->nl, LAB_UPLINK_PORT);
		ret = midx < 0 ? midx : rtnl_link_set(ns->nl, midx, NULL, 0, true);
		if (ret == 0)
			ret = rtnl_addr_add(ns->nl, midx, &there);
		if (ret == 0)
			ret = rtnl_link_up(ns->nl, midx);
		/* Everything the machine does not hold goes to the lab's side. */
		if (ret == 0)
			ret = rtnl_route_add(ns->nl, &(struct lab_addr){ 0 }, &here, midx);
	}
	/* The way back to the bridge's subnet, for the replies NAT sends in. */
	if (ret == 0 && idx >= 0)
		ret = rtnl_route_add(root, &net, &there, idx);
	if (ret == -EEXIST)
		ret = 0;
	if (ret < 0 && !err_isset())
		err_set("machine %s: cannot make its uplink %s: %s", m->name, name, strerror(-ret));
	return ret < 0 ? ret : idx < 0 ? idx : 0;
}

/* The files of a machine's switch directory, then the directory. */
static void machines_rmdir(const char *dir)
{
	char path[PATH_MAX + 260];
	struct dirent *de;
	DIR *d = opendir(dir);

	while (d && (de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		unlink(path);
	}
	if (d)
		closedir(d);
	rmdir(dir);
}

int machines_remove(struct journal *st, const struct lab *view, const struct lab_machine *m)
{
	struct machines_stop ms = { st, 0 };
	struct build_ns ns = { .sock = -1, .fd = -1 };
	char dir[PATH_MAX];
	struct build b;
	int ret, r;

	bool held = err_hold();

	machines_stop_one(m->name, &ms);
	ret = ms.first;
	/* A machine whose namespace is gone has no hosts' ends to remove. */
	r = machines_enter(m->name, &ns);
	machines_build_init(&b, view, st, ns.nl);
	for (size_t i = 0; r == 0 && i < view->n_hosts; i++) {
		r = build_host_remove(&b, &view->hosts[i]);
		if (r < 0 && ret == 0)
			ret = r;
		r = 0;
	}
	if (b.self_fd >= 0)
		close(b.self_fd);
	build_ns_close(&ns);
	err_release(held);
	netns_kill_pids(m->name, NETNS_KILL_GRACE_MS);
	r = netns_del(m->name);
	if (r < 0 && r != -ENOENT && ret == 0)
		ret = r;
	if (r == 0 || r == -ENOENT)
		journal_forget(st, JOURNAL_NETNS, m->name);
	journal_machine_dir(st, m->name, dir, sizeof(dir));
	machines_rmdir(dir);
	if (ret == 0)
		ret = journal_forget(st, JOURNAL_MACHINE, m->name);
	if (ret < 0 && !err_isset())
		err_set("machine %s: cannot remove it: %s", m->name, strerror(-ret));
	return ret;
}

int machines_revive(const struct journal *st, const char *machine)
{
	char dir[PATH_MAX];
	int self = netns_self(), fd = netns_open(machine);
	int ret = self < 0 ? self : fd < 0 ? fd : netns_enter(fd);

	journal_machine_dir(st, machine, dir, sizeof(dir));
	/* Started from inside, the daemons are born in the machine. */
	if (ret == 0) {
		int back;

		ret = switchd_revive(dir);
		back = netns_enter(self);
		if (ret == 0)
			ret = back;
	}
	if (fd >= 0)
		close(fd);
	if (self >= 0)
		close(self);
	if (ret < 0 && !err_isset())
		err_set("machine %s: cannot start its switch again: %s", machine, strerror(-ret));
	return ret;
}

/* ---- show -------------------------------------------------------------- */

static const char *const machines_daemons[] = { "ovsdb-server", "ovs-vswitchd" };

/* Whether each of a recorded machine's daemons runs, and its pid. */
static void machines_alive(const struct journal *st, const char *machine, pid_t pid[2],
			   bool alive[2])
{
	char dir[PATH_MAX];

	journal_machine_dir(st, machine, dir, sizeof(dir));
	for (int d = 0; d < 2; d++)
		alive[d] = switchd_daemon_alive(dir, machines_daemons[d], &pid[d]);
}

int machines_dead(const struct lab *lab, const struct journal *st, FILE *out, char *first,
		  size_t len)
{
	int n = 0;

	if (len)
		first[0] = '\0';
	for (size_t i = 0; i < lab->n_machines; i++) {
		const char *m = lab->machines[i].name;
		pid_t pid[2];
		bool alive[2];

		machines_alive(st, m, pid, alive);
		for (int d = 0; d < 2; d++) {
			if (alive[d])
				continue;
			if (out)
				fprintf(out, "machine %s: its switch's %s is not running (hosts on %s "
					"are cut off)\n", m, machines_daemons[d], m);
			if (!n++ && len)
				snprintf(first, len, "machine %s's %s is not running", m,
					 machines_daemons[d]);
		}
	}
	return n;
}

/* The BFD state of the machine's tunnels that have BFD: "unknown" when its
 * switch cannot be asked (not running, or not run as root), or when its
 * ovs-vswitchd is dead (the database keeps the last state it wrote). */
static void machines_bfd(const struct journal *st, const struct machine_run *r, bool alive,
			 char (*states)[16])
{
	const char **names = calloc(r->n_tunnels + 1, sizeof(*names));
	char remote[PATH_MAX + 16];
	bool any = false;

	for (size_t i = 0; names && i < r->n_tunnels; i++) {
		names[i] = r->tunnels[i].name;
		any |= r->tunnels[i].bfd;
	}
	machines_remote(st, r->m->name, remote, sizeof(remote));
	if (!names || !any || !alive || ovsdb_bfd_states(remote, 1000, names, r->n_tunnels, states) < 0) {
		err_clear();
		for (size_t i = 0; i < r->n_tunnels; i++)
			states[i][0] = '\0';
	}
	for (size_t i = 0; i < r->n_tunnels; i++)
		if (r->tunnels[i].bfd && !states[i][0])
			snprintf(states[i], sizeof(states[i]), "unknown");
	free(names);
}

static void machines_show_tunnel(const struct ovsdb_tunnel *t, const char *bfd, bool json,
				 bool first, FILE *out)
{
	char key[16];

	snprintf(key, sizeof(key), "%u", t->key);
	if (!json) {
		fprintf(out, "  tunnel %s on %s: %s to %s, key %s%s%s\n", t->name, t->bridge,
			t->type, t->remote, t->key_flow ? "flow" : key, t->bfd ? ", bfd " : "",
			t->bfd ? bfd : "");
		return;
	}
	fputs(first ? "{\"name\":" : ",{\"name\":", out);
	json_str(out, t->name);
	fputs(",\"bridge\":", out);
	json_str(out, t->bridge);
	fputs(",\"type\":", out);
	json_str(out, t->type);
	fputs(",\"remote\":", out);
	json_str(out, t->remote);
	if (t->key_flow)
		fputs(",\"key\":\"flow\"", out);
	else
		fprintf(out, ",\"key\":%u", t->key);
	if (t->bfd) {
		fputs(",\"bfd\":", out);
		json_str(out, bfd);
	}
	fputc('}', out);
}

static void machines_show_one(const struct lab *lab, const struct journal *st,
			      const struct lab_machine *m, bool json, bool first, FILE *out)
{
	struct machine_run r = { .m = m };
	char addr[64];
	char (*bfd)[16] = NULL;
	pid_t pid[2];
	bool alive[2];

	machines_alive(st, m->name, pid, alive);
	lab_addr_str(&m->underlay, addr, sizeof(addr));
	if (lab_machine_view(lab, m, &r.view) == 0 && machines_tunnels(lab, &r) == 0)
		bfd = calloc(r.n_tunnels + 1, sizeof(*bfd));
	if (bfd)
		machines_bfd(st, &r, alive[1], bfd);
	if (json) {
		fputs(first ? "{\"name\":" : ",{\"name\":", out);
		json_str(out, m->name);
		fputs(",\"underlay\":", out);
		json_str(out, addr);
		fprintf(out, ",\"switch\":{\"ovsdb_server\":%d,\"ovs_vswitchd\":%d,\"alive\":%s},"
			"\"tunnels\":[", (int)pid[0], (int)pid[1],
			alive[0] && alive[1] ? "true" : "false");
	} else {
		fprintf(out, "machine %s: underlay %s, switch ovsdb-server %d%s, ovs-vswitchd %d%s\n",
			m->name, addr, (int)pid[0], alive[0] ? "" : " (not running)", (int)pid[1],
			alive[1] ? "" : " (not running)");
	}
	for (size_t i = 0; bfd && i < r.n_tunnels; i++)
		machines_show_tunnel(&r.tunnels[i], bfd[i], json, i == 0, out);
	if (json)
		fputs("]}", out);
	free(bfd);
	lab_view_free(r.view);
	free(r.tunnels);
}

void machines_show(const struct lab *lab, const struct journal *st, bool json, FILE *out)
{
	char ul[16];

	if (!lab->n_machines)
		return;
	lab_underlay_ns(lab->name, ul);
	if (json) {
		fputs(",\"underlay\":{\"namespace\":", out);
		json_str(out, ul);
		fprintf(out, ",\"mtu\":%u},\"machines\":[", lab->underlay.mtu);
	} else {
		char sub[64];

		lab_addr_str(&lab->underlay.subnet, sub, sizeof(sub));
		fprintf(out, "underlay: namespace %s, subnet %s, mtu %u\n", ul, sub,
			lab->underlay.mtu);
	}
	for (size_t i = 0; i < lab->n_machines; i++)
		machines_show_one(lab, st, &lab->machines[i], json, i == 0, out);
	if (json)
		fputc(']', out);
}

static int machines_is(const char *machine, void *arg)
{
	return !strcmp(machine, arg);
}

bool machines_netns_is_host(const struct journal *st, const char *ns)
{
	char ul[16];

	lab_underlay_ns(st->name, ul);
	if (!strcmp(ns, ul) && machines_recorded(st))
		return false;
	return !journal_for_each_machine(st, machines_is, (void *)ns);
}

static int machines_any(const char *machine, void *arg)
{
	(void)machine;
	(void)arg;
	return 1;
}

bool machines_recorded(const struct journal *st)
{
	return journal_for_each_machine(st, machines_any, NULL) != 0;
}

bool machines_orphan_word(const char *word)
{
	char lab[32];

	return journal_machine_path(word, lab) && !journal_exists(lab);
}
