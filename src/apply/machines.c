/* Simulated machines: the underlay, each machine's namespace and private
 * switch, its hosts and rows (through the code that builds any lab, run
 * against the machine's view of it), and their teardown. */
#include "apply/machines.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apply/build.h"
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

int machines_preflight(const struct lab *lab, FILE *diag)
{
	char ul[16];
	int ret = 0;

	lab_underlay_ns(lab->name, ul);
	if (netns_exists(ul)) {
		fprintf(diag, "%s: namespace %s (the lab's underlay) already exists\n",
			lab->file, ul);
		ret = -EEXIST;
	}
	for (size_t i = 0; i < lab->n_machines; i++) {
		const struct lab_machine *m = &lab->machines[i];

		if (!netns_exists(m->name))
			continue;
		fprintf(diag, "%s:%d:%d: machine %s: a namespace of that name already exists\n",
			lab->file, m->pos.line, m->pos.col, m->name);
		ret = -EEXIST;
	}
	if (ret < 0)
		err_set("%s: %s", lab->name, "names of the lab's machines are taken");
	return ret;
}

int machines_check_edit(const struct lab *lab, const struct journal *st, const char *text,
			size_t len)
{
	char path[PATH_MAX + 16];
	char *saved = NULL;
	size_t n = 0;
	FILE *f;
	int same;

	journal_labfile(st, path, sizeof(path));
	f = fopen(path, "re");
	if (f) {
		saved = malloc(len + 2);
		n = saved ? fread(saved, 1, len + 1, f) : 0;
		fclose(f);
	}
	same = saved && n == len && !memcmp(saved, text, len);
	free(saved);
	if (same)
		return 1;
	err_set("%s: the lab has machines and is up; changing it in place is not supported with "
		"machines yet: take it down first (`ovslab down %s`)", lab->name, lab->name);
	return -EBUSY;
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

/* A full mesh: a tunnel from each of the machine's bridges to every other
 * machine that has the bridge too. */
static int machines_tunnels(const struct lab *lab, struct machine_run *r)
{
	r->tunnels = calloc(r->view->n_bridges * lab->n_machines + 1, sizeof(*r->tunnels));
	if (!r->tunnels)
		return -ENOMEM;
	for (size_t b = 0; b < r->view->n_bridges; b++) {
		const struct lab_bridge *br = &r->view->bridges[b];

		for (size_t p = 0; p < lab->n_machines; p++) {
			const struct lab_machine *peer = &lab->machines[p];
			struct ovsdb_tunnel *t = &r->tunnels[r->n_tunnels];

			if (peer == r->m || !lab_machine_has_bridge(lab, peer, br->name))
				continue;
			t->bridge = br->name;
			lab_tunnel_port_name(br->name, peer->name, t->name);
			t->type = lab_tunnel_name(br->tunnel);
			inet_ntop(AF_INET, &peer->underlay.v4, t->remote, sizeof(t->remote));
			t->key = br->key;
			r->n_tunnels++;
		}
	}
	return 0;
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
static void machines_build_open(struct journal *st, struct machine_run *r, struct build *b)
{
	memset(b, 0, sizeof(*b));
	b->lab = r->view;
	b->st = st;
	b->datapath = "netdev";
	b->nl = r->ns.nl;
	b->self_fd = netns_self();
	b->net_fd = -1;
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
static int machines_settle(struct machine_run *r)
{
	int idx, ret = ovsdb_lab_wait(r->db, r->view->name, r->next_cfg, OVSDB_TIMEOUT_MS);

	ovsdb_close(r->db);
	r->db = NULL;
	idx = ret < 0 ? ret : rtnl_link_index(r->ns.nl, MACHINES_PHY_BRIDGE);
	ret = idx < 0 ? idx : rtnl_link_up(r->ns.nl, idx);
	if (ret == 0)
		ret = rtnl_addr_add(r->ns.nl, idx, &r->m->underlay);
	if (ret < 0 && !err_isset())
		err_set("machine %s: cannot set it up: %s", r->m->name, strerror(-ret));
	return ret;
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

/* ---- show -------------------------------------------------------------- */

static void machines_show_one(const struct lab *lab, const struct journal *st,
			      const struct lab_machine *m, bool json, bool first, FILE *out)
{
	static const char *const daemons[] = { "ovsdb-server", "ovs-vswitchd" };
	struct machine_run r = { .m = m };
	char dir[PATH_MAX], addr[64];
	pid_t pid[2];
	bool alive[2];

	journal_machine_dir(st, m->name, dir, sizeof(dir));
	for (int d = 0; d < 2; d++)
		alive[d] = switchd_daemon_alive(dir, daemons[d], &pid[d]);
	lab_addr_str(&m->underlay, addr, sizeof(addr));
	if (lab_machine_view(lab, m, &r.view) == 0)
		machines_tunnels(lab, &r);
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
	for (size_t i = 0; i < r.n_tunnels; i++) {
		const struct ovsdb_tunnel *t = &r.tunnels[i];

		if (!json) {
			fprintf(out, "  tunnel %s on %s: %s to %s, key %u\n", t->name, t->bridge,
				t->type, t->remote, t->key);
			continue;
		}
		fputs(i ? ",{\"name\":" : "{\"name\":", out);
		json_str(out, t->name);
		fputs(",\"bridge\":", out);
		json_str(out, t->bridge);
		fputs(",\"type\":", out);
		json_str(out, t->type);
		fputs(",\"remote\":", out);
		json_str(out, t->remote);
		fprintf(out, ",\"key\":%u}", t->key);
	}
	if (json)
		fputs("]}", out);
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
