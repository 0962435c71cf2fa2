/* `ovslab up FILE` and `ovslab plan FILE`: pre-flight, the plan against the lab
 * as it is up, then the build in order, undone entirely on any failure. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "apply/taps.h"
#include "apply/build.h"
#include "apply/forward.h"
#include "apply/machines.h"
#include "apply/observe.h"
#include "apply/nic.h"
#include "apply/preflight.h"
#include "apply/remote.h"
#include "util/err.h"
#include "switch/flows.h"
#include "cmd/cmd.h"
#include "labfile/labfile.h"
#include "journal/lock.h"
#include "firewall/firewall.h"
#include "kernel/netns.h"
#include "switch/ovsdb.h"
#include "plan/plan.h"
#include "kernel/rtnl.h"
#include "switch/switchd.h"
#include "util/timing.h"

/* Labs with fewer hosts come up too fast to need a progress line. */
#define UP_PROGRESS_MIN 50

/* Hosts per transaction while a new lab's hosts are made. */
#define UP_PORT_CHUNK 256
#define UP_PORT_CHUNK_MIN 24

/* How long a command waits for another one working on the same lab. */
#define UP_LOCK_TIMEOUT_MS 60000

/* Everything one `up` run holds while it builds. */
struct up {
	struct lab *lab;              /* as the file declares it */
	struct lab *old;              /* as it is up; NULL for a new lab */
	struct plan plan;
	struct lab_drift drift;       /* what of the lab that is up went missing */
	struct journal *st;           /* st_own, or the lab's for a machine's run */
	struct journal st_own;
	struct switchd sw;
	struct build b;
	struct ovsdb *db;
	char (*uplinks)[IF_NAMESIZE]; /* per bridge, resolved before anything is made */
	size_t mark;                  /* journal entries before this run */
	enum fw_backend fw;           /* where this run puts the NAT rules */
	enum fw_backend fw_old;       /* where the lab that is up has them */
	char fw_why[128];             /* why fw: forced, or what auto saw */
	int64_t next_cfg;             /* the switch's configuration to wait for */
	struct remote remote;         /* the computer plays a machine (up --machine) */
	/* A simulated machine's run (up_machines): its part of the lab (lab,
	 * old: views), its own rows (tunnels) as declared and as they were,
	 * and where its flow tables are recorded. */
	const struct ovsdb_machine *om, *om_old;
	const char *tables;
};

/* `-`: the lab file from standard input, read whole (a pipe from `ovslab
 * gen`); bounded like a file.  The journal keeps the text as for a file. */
static int up_read_stdin(char **text, size_t *len)
{
	size_t n = 0, cap = 0;
	char *buf = NULL, *nb;
	ssize_t got;
	int ret = 0;

	for (;;) {
		if (cap - n < 4096) {
			if (cap > LABFILE_SIZE_MAX) {
				ret = -EFBIG;
				err_set("<stdin>: cannot read the lab file: it is larger than "
					LABFILE_SIZE_TEXT ", the most ovslab reads");
				goto out;
			}
			cap = cap ? cap * 2 : 65536;
			nb = realloc(buf, cap + 1);
			if (!nb) {
				ret = -ENOMEM;
				goto out;
			}
			buf = nb;
		}
		got = read(STDIN_FILENO, buf + n, cap - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			ret = -errno;
			err_set("<stdin>: cannot read the lab file: %s", strerror(errno));
			goto out;
		}
		if (!got)
			break;
		n += (size_t)got;
	}
	buf[n] = '\0';
	*text = buf;
	*len = n;
	buf = NULL;
out:
	free(buf);
	return ret;
}

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

/* ovslab's private switch with a dead daemon, which a new lab would join:
 * with no lab using it, it goes (taps and all) and a new one starts; a lab
 * using it gets it back with its own `up`, so this one fails at once,
 * before it records or makes anything. */
static int up_dead_switch(struct up *u)
{
	char shared[PATH_MAX + 8];
	unsigned dead;
	struct switchd sw = { .private = true };

	if (switchd_find_shared(shared, sizeof(shared)) == 0)
		return 0;
	dead = switchd_private_dead(SWITCHD_PRIVATE_DIR);
	if (!dead)
		return 0;
	if (journal_private_switch_used(SWITCHD_PRIVATE_DIR, u->lab->name)) {
		err_set("%s: the private switch in %s that this lab would join is dead (%s not "
			"running); `ovslab up` on the file of a lab that uses it starts it again",
			u->lab->name, SWITCHD_PRIVATE_DIR,
			dead & SWITCHD_DEAD_OVSDB ? "ovsdb-server" : "ovs-vswitchd");
		return -EHOSTDOWN;
	}
	snprintf(sw.rundir, sizeof(sw.rundir), "%s", SWITCHD_PRIVATE_DIR);
	return switchd_stop(&sw);
}

/* A new lab finds or starts its switch; a lab that is up uses the one its
 * journal names. */
static int up_switch(struct up *u)
{
	const char *remote = journal_get(u->st, JOURNAL_REMOTE);
	const char *dp = journal_get(u->st, JOURNAL_DATAPATH);
	int lock;
	int ret;

	if (u->old && remote && dp) {
		snprintf(u->sw.remote, sizeof(u->sw.remote), "%s", remote);
		snprintf(u->sw.datapath, sizeof(u->sw.datapath), "%s", dp);
		u->sw.private = journal_get_switch(u->st, NULL) == JOURNAL_SWITCH_PRIVATE;
		goto open;
	}
	/* A lab of cables and machine attachments needs no switch at all. */
	if (!u->lab->n_bridges) {
		snprintf(u->sw.datapath, sizeof(u->sw.datapath), "none");
		return 0;
	}
	lock = lock_lab(SWITCHD_LOCK, UP_LOCK_TIMEOUT_MS);
	if (lock < 0)
		return lock;
	ret = up_dead_switch(u);
	if (ret < 0) {
		lock_unlock(SWITCHD_LOCK, lock, false);
		return ret;
	}
	/* Recorded before the switch is started or joined: a lab going down
	 * stops the private switch only when no other record names it, and a
	 * run killed while starting it leaves a way to stop it. */
	ret = journal_add_switch(u->st, SWITCHD_PRIVATE_DIR);
	if (ret == 0)
		ret = switchd_start(SWITCHD_PRIVATE_DIR, &u->sw);
	if (ret == 0 && !u->sw.private) {
		ret = journal_forget_switch(u->st);
		if (ret == 0)
			ret = journal_add_switch(u->st, NULL);
	}
	/* The lock file stays only while ovslab's private switch runs. */
	lock_unlock(SWITCHD_LOCK, lock, access(SWITCHD_PRIVATE_DIR, F_OK) != 0);
	if (ret == 0)
		ret = journal_add(u->st, JOURNAL_REMOTE, "%s", u->sw.remote);
	if (ret == 0)
		ret = journal_add(u->st, JOURNAL_DATAPATH, "%s", u->sw.datapath);
	if (ret < 0)
		return ret;
open:
	/* Pre-flight's connection, unless the switch changed since. */
	if (u->db && !ovsdb_connected(u->db, u->sw.remote)) {
		ovsdb_close(u->db);
		u->db = NULL;
	}
	return u->db ? 0 : ovsdb_open(u->sw.remote, OVSDB_TIMEOUT_MS, &u->db);
}

/* The names in the switch up_switch will use, for pre-flight, when it runs
 * already (the connection stays for the build): a lab that is up has its
 * own; a new lab joins the machine's switch, else ovslab's private one.
 * One that does not run has nothing to clash with, and is not started for
 * that. */
static int up_switch_names(struct up *u, struct ovsdb_row_names *names)
{
	const char *remote = u->old ? journal_get(u->st, JOURNAL_REMOTE) : NULL;
	char found[PATH_MAX + 8];
	int ret;

	if (!remote || !journal_get(u->st, JOURNAL_DATAPATH)) {
		if (!u->lab->n_bridges)
			return 0;
		remote = found;
		if (switchd_find_shared(found, sizeof(found)) < 0) {
			/* A dead one: up_switch says so. */
			if (access(SWITCHD_PRIVATE_DIR "/db.sock", F_OK) < 0 ||
			    switchd_private_dead(SWITCHD_PRIVATE_DIR))
				return 0;
			snprintf(found, sizeof(found), "unix:%s", SWITCHD_PRIVATE_DIR "/db.sock");
			/* One left by a switch that is gone: up_switch says so. */
			if (ovsdb_open(found, OVSDB_TIMEOUT_MS, &u->db) < 0) {
				err_clear();
				return 0;
			}
		}
	}
	ret = u->db ? 0 : ovsdb_open(remote, OVSDB_TIMEOUT_MS, &u->db);
	return ret < 0 ? ret : ovsdb_row_names(u->db, names);
}

/* --firewall=, for this run only. */
static enum lab_firewall up_forced_firewall = LAB_FIREWALL_AUTO;

int cmd_up_firewall(const char *name)
{
	enum fw_backend b;

	if (!strcmp(name, "auto")) {
		up_forced_firewall = LAB_FIREWALL_AUTO;
		return 0;
	}
	if (fw_backend_parse(name, &b) < 0) {
		err_set("--firewall=%s: not auto, iptables or nftables", name);
		return -EINVAL;
	}
	up_forced_firewall = (enum lab_firewall)b;
	return 0;
}

/* The backend a lab that is up has its rules in: a journal of an ovslab
 * before nftables knew only iptables. */
static enum fw_backend up_recorded_firewall(const struct journal *st)
{
	const char *v = journal_get(st, JOURNAL_FIREWALL);
	enum fw_backend b = FW_IPTABLES;

	if (v)
		fw_backend_parse(v, &b);
	return b;
}

/* The command line over the lab file over the lab's record over what the
 * machine uses. */
static void up_firewall(struct up *u)
{
	if (up_forced_firewall != LAB_FIREWALL_AUTO) {
		u->fw = (enum fw_backend)up_forced_firewall;
		snprintf(u->fw_why, sizeof(u->fw_why), "--firewall");
	} else if (u->lab->firewall != LAB_FIREWALL_AUTO) {
		u->fw = (enum fw_backend)u->lab->firewall;
		snprintf(u->fw_why, sizeof(u->fw_why), "the lab file's firewall key");
	} else if (u->old && journal_get(u->st, JOURNAL_NAT)) {
		u->fw = up_recorded_firewall(u->st);
		snprintf(u->fw_why, sizeof(u->fw_why), "where the lab has its rules");
	} else {
		u->fw = fw_detect(u->fw_why, sizeof(u->fw_why));
	}
	u->fw_old = u->old ? up_recorded_firewall(u->st) : u->fw;
}

static bool up_has_nat(const struct lab *lab)
{
	for (size_t i = 0; lab && i < lab->n_bridges; i++)
		if (lab->bridges[i].nat)
			return true;
	return false;
}

static int up_nat(struct up *u)
{
	const char *rec = journal_get(u->st, JOURNAL_FIREWALL);
	int ret;

	/* Both backends: whichever held them, none of the lab's old rules stay. */
	ret = journal_get(u->st, JOURNAL_NAT) ? fw_remove(u->lab->name) : 0;
	if (ret < 0)
		return ret;
	if (up_has_nat(u->lab) && (!rec || strcmp(rec, fw_backend_name(u->fw))))
		ret = journal_add(u->st, JOURNAL_FIREWALL, "%s", fw_backend_name(u->fw));
	if (ret < 0)
		return ret;
	for (size_t i = 0; i < u->lab->n_bridges; i++) {
		const struct lab_bridge *b = &u->lab->bridges[i];

		if (!b->nat)
			continue;
		ret = journal_add_uplink(u->st, b->name, u->uplinks[i]);
		if (ret == 0)
			ret = journal_add(u->st, JOURNAL_NAT, "%s", b->name);
		if (ret == 0)
			ret = fw_add(u->fw, u->lab->name, b->name, &b->gateway, u->uplinks[i]);
		if (ret == 0)
			ret = forward_take();
		if (ret < 0)
			return ret;
	}
	return 0;
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

/* Runs fn for every step of the kinds given, in plan order. */
static int up_each(struct up *u, enum plan_op op, int (*fn)(struct up *u, const struct plan_step *s))
{
	int ret = 0;

	for (size_t i = 0; ret == 0 && i < u->plan.n_steps; i++)
		if (u->plan.steps[i].op == op)
			ret = fn(u, &u->plan.steps[i]);
	return ret;
}

static int up_host_gone(struct up *u, const struct plan_step *s)
{
	return build_host_remove(&u->b, s->host.old);
}

static int up_host_new(struct up *u, const struct plan_step *s)
{
	return build_host(&u->b, s->host.new);
}

static int up_link_new(struct up *u, const struct plan_step *s)
{
	return build_link(&u->b, s->link.new);
}

static int up_link_gone(struct up *u, const struct plan_step *s)
{
	return build_link_remove(&u->b, s->link.old);
}

static int up_host_routes(struct up *u, const struct plan_step *s)
{
	return build_host_routes(&u->b, s->host.new);
}

static int up_host_exec(struct up *u, const struct plan_step *s)
{
	return build_host_exec(&u->b, s->host.new);
}

static int up_host_update(struct up *u, const struct plan_step *s)
{
	if (s->repair)
		return build_host_repair(&u->b, u->old, s->host.old, s->host.new);
	return build_host_update(&u->b, u->old, s->host.old, s->host.new);
}

static int up_iface_props(struct up *u, const struct plan_step *s)
{
	return build_iface_change(&u->b, s->host.new, &s->host.old->ifaces[s->iface],
				  &s->host.new->ifaces[s->iface]);
}

/* Interfaces declared down go down once the routes through them are in. */
static int up_host_state(struct up *u, const struct plan_step *s)
{
	int ret = 0;

	if (s->op == PLAN_LINK_ADD)
		for (int e = 0; ret == 0 && e < 2; e++)
			ret = build_host_state(&u->b, lab_find_host(u->lab, s->link.new->host[e]));
	else
		ret = build_host_state(&u->b, s->host.new);
	return ret;
}

/* Once the lab is as its file says, what `ovslab link` changed is over. */
static int up_linkprops_reset(struct up *u)
{
	int ret = 0;

	for (size_t i = 0; u->old && ret == 0 && i < u->old->n_hosts; i++) {
		const struct lab_host *h = &u->old->hosts[i];

		for (size_t j = 0; ret == 0 && j < h->n_ifaces; j++)
			if (h->ifaces[j].props_changed)
				ret = journal_add_linkprops(u->st, h->name, h->ifaces[j].ifname, "");
	}
	return ret;
}

static int up_bridge_new(struct up *u, const struct plan_step *s)
{
	return build_gateway(&u->b, s->bridge.new);
}

static int up_bridge_gateway(struct up *u, const struct plan_step *s)
{
	int ret;

	/* The gateway was lost, not changed: it goes back as declared. */
	if (s->repair)
		return build_gateway_repair(&u->b, s->bridge.new);
	ret = build_gateway_remove(&u->b, s->bridge.old);

	return ret < 0 ? ret : build_gateway(&u->b, s->bridge.new);
}

static int up_flows(struct up *u, const struct plan_step *s)
{
	char rundir[PATH_MAX];
	int ret = flows_rundir(u->sw.remote, rundir, sizeof(rundir));

	if (ret == 0)
		ret = flows_install(rundir, u->lab, s->bridge.new);
	/* What the switch holds once installed, for the next observation. */
	if (ret == 0 && (s->bridge.new->has_flows || s->bridge.new->n_groups))
		ret = flows_table_record(rundir, u->tables ? u->tables : u->st->dir,
					 s->bridge.new);
	return ret;
}

/* The copies of flows_file that the lab's saved file reads back. */
static int up_save_flows(struct up *u)
{
	int ret = 0;

	for (size_t i = 0; ret == 0 && i < u->lab->n_bridges; i++)
		ret = flows_save(u->st->dir, &u->lab->bridges[i]);
	return ret;
}

/* The switch ports of hosts made anew (their old definitions) leave the
 * switch before their veths are deleted, so that ovs-vswitchd opens the new
 * veths of the same names when the ports come back. */
static int up_drop_rebuilt_ports(struct up *u)
{
	const char **names = NULL;
	size_t n = 0, cap = 0;
	int ret = 0;

	if (!u->db)
		return 0;
	for (size_t i = 0; ret == 0 && i < u->plan.n_steps; i++) {
		const struct plan_step *s = &u->plan.steps[i];
		const struct lab_host *h = s->host.old;

		if (s->op != PLAN_HOST_REBUILD)
			continue;
		for (size_t j = 0; j < h->n_ifaces; j++) {
			if (h->ifaces[j].attach != LAB_ATTACH_BRIDGE)
				continue;
			if (n == cap) {
				const char **nn = realloc(names, (cap + 8) * sizeof(*nn));

				if (!nn) {
					ret = -ENOMEM;
					break;
				}
				names = nn;
				cap += 8;
			}
			names[n++] = h->ifaces[j].port;
		}
	}
	if (ret == 0)
		ret = ovsdb_lab_drop_ports(u->db, u->lab->name, names, n, OVSDB_TIMEOUT_MS);
	free(names);
	return ret;
}

static int up_addr_push(struct lab_addr **v, size_t *n, const struct lab_addr *a)
{
	struct lab_addr *nv;

	if (!a->family)
		return 0;
	nv = realloc(*v, (*n + 1) * sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	*v = nv;
	nv[(*n)++] = *a;
	return 0;
}

/* Hosts and internal ports a repair made anew answer from new MAC
 * addresses: the lab's neighbour entries of their addresses go. */
static int up_forget_repaired(struct up *u)
{
	struct lab_addr *addrs = NULL;
	size_t n = 0;
	int ret = 0;

	for (size_t i = 0; ret == 0 && i < u->plan.n_steps; i++) {
		const struct plan_step *s = &u->plan.steps[i];

		if (!s->repair)
			continue;
		if (s->op == PLAN_HOST_REBUILD)
			for (size_t j = 0; ret == 0 && j < s->host.new->n_ifaces; j++)
				for (size_t k = 0; ret == 0 && k < s->host.new->ifaces[j].n_addrs; k++)
					ret = up_addr_push(&addrs, &n, &s->host.new->ifaces[j].addrs[k]);
		if (s->op == PLAN_BRIDGE_GATEWAY) {
			ret = up_addr_push(&addrs, &n, &s->bridge.new->gateway);
			if (ret == 0)
				ret = up_addr_push(&addrs, &n, &s->bridge.new->gateway6);
		}
	}
	if (ret == 0)
		build_forget_neighbours(&u->b, addrs, n);
	else
		err_set("%s: out of memory", u->lab->name);
	free(addrs);
	return ret;
}

/* Hosts done / total while a long run makes them, on a terminal only. */
static void up_progress(const struct up *u, size_t done, size_t total)
{
	if (total < UP_PROGRESS_MIN || !isatty(STDERR_FILENO))
		return;
	if (done == SIZE_MAX)
		fputs("\r\033[K", stderr); /* the line goes once the hosts are made */
	else if (done % 16 == 0 || done == total)
		fprintf(stderr, "\r%s: hosts %zu/%zu", u->lab->name, done, total);
}

/* One batch: the namespaces first, then their interfaces.  Making a
 * namespace sends ovs-vswitchd no event, while every interface that appears
 * beside it makes it reconfigure all its ports; so the switch opens the last
 * batch's ports during the quiet first half instead of between events. */
static int up_hosts_batch(struct up *u, const struct lab_host *const *hosts, size_t n,
			  struct build_ns *ns, size_t *made, size_t total)
{
	size_t opened = 0;
	int ret = 0;

	for (; ret == 0 && opened < n; opened++)
		ret = build_host_ns(&u->b, hosts[opened], &ns[opened]);
	if (ret < 0)
		opened--; /* build_host_ns closed its own */
	for (size_t i = 0; ret == 0 && i < n; i++) {
		ret = build_host_ifaces(&u->b, &ns[i]);
		up_progress(u, ++*made, total);
		if (u->db)
			ovsdb_lab_pump(u->db);
	}
	for (size_t i = 0; i < opened; i++)
		build_ns_close(&ns[i]);
	return ret;
}

/* A new lab's ports go to the switch a batch at a time while the next hosts
 * are made: ovs-vswitchd opens the ports on the other core meanwhile, and the
 * wait at the end is for the last batch only.  An edit sends its changes in
 * one transaction (a partial lab would drop the ports of hosts not yet in
 * it). */
static int up_hosts_new(struct up *u)
{
	const struct lab_host **hosts = NULL;
	struct build_ns *ns = NULL;
	size_t made = 0, total = 0, chunk;
	int ret = 0;

	hosts = calloc(u->plan.n_steps + 1, sizeof(*hosts));
	if (!hosts) {
		ret = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < u->plan.n_steps; i++)
		if (u->plan.steps[i].op == PLAN_HOST_ADD)
			hosts[total++] = u->plan.steps[i].host.new;
	/* A quarter of the lab, within bounds: a small lab gets its ports to
	 * the switch early too. */
	chunk = total / 4 < UP_PORT_CHUNK_MIN ? UP_PORT_CHUNK_MIN
		: total / 4 > UP_PORT_CHUNK ? UP_PORT_CHUNK : total / 4;
	ns = calloc(chunk, sizeof(*ns));
	if (!ns) {
		ret = -ENOMEM;
		goto out;
	}
	for (size_t at = 0; ret == 0 && at < total; at += chunk) {
		size_t n = total - at < chunk ? total - at : chunk;

		ret = up_hosts_batch(u, hosts + at, n, ns, &made, total);
		if (ret == 0 && !u->old && u->db && !u->om) {
			struct lab part = *u->lab;

			part.n_hosts = (size_t)(hosts[at + n - 1] - u->lab->hosts) + 1;
			ret = ovsdb_lab_commit_start(u->db, &part, u->sw.datapath,
						     OVSDB_TIMEOUT_MS, &u->next_cfg);
		}
	}
	up_progress(u, SIZE_MAX, total);
out:
	if (ret == -ENOMEM)
		err_set("%s: out of memory", u->lab->name);
	free(ns);
	free(hosts);
	return ret;
}

/* A computer playing a machine: every commit to the switch carries the
 * machine's rows (br-phy, the tunnels), and the underlay interface is
 * borrowed first, its state journalled. */
static int up_remote_borrow(struct up *u)
{
	if (!u->remote.ifname[0] || !u->db)
		return 0;
	ovsdb_set_machine(u->db, &u->remote.om);
	return remote_borrow(&u->remote, u->st, u->b.nl);
}

/* The lab's rows, or a machine's with its tunnels. */
static int up_commit(struct up *u, const struct lab *lab, const struct ovsdb_machine *om)
{
	if (u->om)
		return ovsdb_machine_commit(u->db, lab, om, OVSDB_TIMEOUT_MS, &u->next_cfg);
	return ovsdb_lab_commit(u->db, lab, u->sw.datapath, OVSDB_TIMEOUT_MS, &u->next_cfg);
}

/* Hosts whose interfaces change are made anew before anything is added, so
 * their names are free again; hosts and cables that go, go last, once the
 * new state is in place. */
static int up_build(struct up *u)
{
	int ret;

	/* A machine's switch is its own, started or revived beforehand. */
	ret = u->om ? 0 : up_fault(up_switch(u), "switch");
	timing_phase("switch start");
	/* The machine's interfaces as they are, recorded before the switch
	 * (or a host) gets them. */
	if (ret == 0 && !u->old)
		ret = nic_take_ports(&u->b);
	if (ret == 0)
		ret = up_remote_borrow(u);
	if (ret == 0)
		ret = up_drop_rebuilt_ports(u);
	if (ret == 0)
		ret = up_each(u, PLAN_HOST_REBUILD, up_host_gone);
	/* Before any commit to the switch: their ports name them. */
	if (ret == 0)
		ret = taps_build(&u->b);
	if (ret == 0)
		ret = up_hosts_new(u);
	if (ret == 0)
		ret = up_each(u, PLAN_HOST_REBUILD, up_host_new);
	if (ret == 0)
		ret = up_each(u, PLAN_LINK_ADD, up_link_new);
	if (ret == 0)
		ret = up_each(u, PLAN_HOST_ADD, up_host_routes);
	if (ret == 0)
		ret = up_each(u, PLAN_HOST_REBUILD, up_host_routes);
	if (ret == 0)
		ret = up_each(u, PLAN_HOST_ADD, up_host_state);
	if (ret == 0)
		ret = up_each(u, PLAN_HOST_REBUILD, up_host_state);
	if (ret == 0)
		ret = up_each(u, PLAN_LINK_ADD, up_host_state);
	timing_phase("routes");
	ret = up_fault(ret, "hosts");
	if (ret == 0 && u->plan.switch_rows && u->db)
		ret = up_commit(u, u->lab, u->om);
	if (ret == 0 && u->plan.switch_rows && u->db)
		ret = ovsdb_lab_wait(u->db, u->lab->name, u->next_cfg, OVSDB_TIMEOUT_MS);
	ret = up_fault(ret, "ports");
	if (ret == 0 && u->remote.ifname[0])
		ret = remote_settle(&u->remote, u->b.nl);
	ret = up_fault(ret, "underlay");
	if (ret == 0)
		ret = up_each(u, PLAN_BRIDGE_ADD, up_bridge_new);
	if (ret == 0)
		ret = up_each(u, PLAN_BRIDGE_GATEWAY, up_bridge_gateway);
	if (ret == 0 && !u->old)
		ret = nic_take_addresses(&u->b);
	ret = up_fault(ret, "gateways");
	timing_phase("gateways");
	if (ret == 0)
		ret = up_each(u, PLAN_FLOWS, up_flows);
	ret = up_fault(ret, "flows");
	if (ret == 0)
		ret = up_forget_repaired(u);
	timing_phase("flows");
	if (ret == 0)
		ret = up_each(u, PLAN_HOST_UPDATE, up_host_update);
	if (ret == 0)
		ret = up_each(u, PLAN_IFACE_PROPS, up_iface_props);
	if (ret == 0 && !u->om && plan_has(&u->plan, PLAN_NAT))
		ret = up_nat(u);
	ret = up_fault(ret, "nat");
	timing_phase("nat");
	if (ret == 0)
		ret = up_each(u, PLAN_LINK_DEL, up_link_gone);
	if (ret == 0)
		ret = up_each(u, PLAN_HOST_DEL, up_host_gone);
	if (ret == 0)
		ret = up_each(u, PLAN_HOST_ADD, up_host_exec);
	if (ret == 0)
		ret = up_each(u, PLAN_HOST_REBUILD, up_host_exec);
	ret = up_fault(ret, "exec");
	timing_phase("removals and exec");
	return ret;
}

static bool up_step_old(const struct up *u, enum plan_op op, const char *host)
{
	for (size_t i = 0; i < u->plan.n_steps; i++) {
		const struct plan_step *s = &u->plan.steps[i];

		if (s->op == op && s->host.old && !strcmp(s->host.old->name, host))
			return true;
	}
	return false;
}

static void up_undo_nat(struct up *u)
{
	fw_remove(u->lab->name);
	for (size_t i = 0; i < u->old->n_bridges; i++) {
		const struct lab_bridge *b = &u->old->bridges[i];
		/* The uplink the bridge had before this run. */
		const char *uplink = journal_get_uplink(u->st, b->name, u->mark);

		if (b->nat && uplink)
			fw_add(u->fw_old, u->lab->name, b->name, &b->gateway, uplink);
	}
}

/* A failed run on a lab that was up: what this run made goes, and what it
 * changed goes back (hosts it made anew are made as they were, addresses,
 * routes, gateways, switch rows and NAT rules restored), so the lab is as
 * before.  Hosts and cables to remove go last, once all else succeeded, so
 * none has gone yet.  Best effort: the first failure is what is reported. */
static void up_undo_change(struct up *u)
{
	up_drop_rebuilt_ports(u);
	cmd_teardown_from(u->st, u->mark);
	u->b.lab = u->old;
	for (size_t i = 0; i < u->plan.n_steps; i++) {
		const struct plan_step *s = &u->plan.steps[i];

		if (s->op == PLAN_HOST_REBUILD && build_host(&u->b, s->host.old) == 0)
			build_host_routes(&u->b, s->host.old);
		else if (s->op == PLAN_HOST_UPDATE)
			build_host_update(&u->b, u->lab, s->host.new, s->host.old);
		else if (s->op == PLAN_IFACE_PROPS)
			build_iface_change(&u->b, s->host.old, &s->host.new->ifaces[s->iface],
					   &s->host.old->ifaces[s->iface]);
		else if (s->op == PLAN_BRIDGE_GATEWAY && build_gateway_remove(&u->b, s->bridge.new) == 0)
			build_gateway(&u->b, s->bridge.old);
	}
	for (size_t i = 0; i < u->old->n_links; i++) {
		const struct lab_link *l = &u->old->links[i];

		if (up_step_old(u, PLAN_HOST_REBUILD, l->host[0]) ||
		    up_step_old(u, PLAN_HOST_REBUILD, l->host[1]))
			build_link(&u->b, l);
	}
	if (u->db && u->plan.switch_rows && up_commit(u, u->old, u->om_old) == 0)
		ovsdb_lab_wait(u->db, u->lab->name, u->next_cfg, OVSDB_TIMEOUT_MS);
	for (size_t i = 0; i < u->plan.n_steps; i++) {
		const struct plan_step *s = &u->plan.steps[i];
		char rundir[PATH_MAX];

		if (s->op == PLAN_FLOWS && s->bridge.old &&
		    flows_rundir(u->sw.remote, rundir, sizeof(rundir)) == 0)
			flows_install(rundir, u->old, s->bridge.old);
	}
	if (!u->om && plan_has(&u->plan, PLAN_NAT))
		up_undo_nat(u);
	if (!u->om)
		journal_add_complete(u->st);
}

static int up_load(const char *path, FILE *diag, struct up *u, char **text, size_t *len)
{
	bool in = !strcmp(path, "-");
	int ret = in ? up_read_stdin(text, len) : up_read_file(path, text, len);

	if (ret == 0)
		ret = labfile_parse(in ? "<stdin>" : path, *text, *len, diag, &u->lab);
	if (ret == -EINVAL)
		err_clear(); /* the file:line:col lines already say it all */
	return ret;
}

/* The plan of an edit, and the repairs of what the lab that is up lost. */
static int up_plan(struct up *u)
{
	int ret = plan_make(u->old, u->lab, &u->plan);

	up_firewall(u);
	if (ret == 0 && u->old)
		ret = observe_lab(u->old, u->st, &u->drift);
	if (ret == 0)
		ret = plan_repair(u->old, u->lab, &u->drift, &u->plan);
	if (ret == 0 && u->old && u->fw != u->fw_old && up_has_nat(u->lab) &&
	    journal_get(u->st, JOURNAL_NAT))
		ret = plan_firewall(&u->plan, fw_backend_name(u->fw_old), fw_backend_name(u->fw));
	return ret;
}

/* The private switch's dead daemons start again, on its database as it
 * was, before anything asks it for its names. */
static int up_revive_switch(struct up *u)
{
	const char *rundir = NULL;
	int lock, ret;

	if (!plan_has(&u->plan, PLAN_SWITCH_RESTART))
		return 0;
	if (journal_get_switch(u->st, &rundir) != JOURNAL_SWITCH_PRIVATE || !rundir) {
		err_set("%s: the lab's switch is not ovslab's private one, so ovslab cannot start it",
			u->lab->name);
		return -EHOSTDOWN;
	}
	lock = lock_lab(SWITCHD_LOCK, UP_LOCK_TIMEOUT_MS);
	if (lock < 0)
		return lock;
	ret = switchd_revive(rundir);
	lock_unlock(SWITCHD_LOCK, lock, false);
	return ret;
}

/* The lab as it is up, from its record; NULL when it is not up. */
static int up_load_old(struct up *u)
{
	int ret;

	if (!journal_exists(u->lab->name))
		return 0;
	ret = journal_open(u->lab->name, u->st);
	if (ret < 0)
		return ret;
	if (!journal_get(u->st, JOURNAL_COMPLETE)) {
		err_set("%s: an earlier run on this lab did not finish (run `ovslab gc` or `ovslab "
			"down %s`)", u->lab->name, u->lab->name);
		return -EAGAIN;
	}
	return cmd_load_saved(u->st, &u->old);
}

static void up_free(struct up *u)
{
	ovsdb_close(u->db);
	build_close(&u->b);
	plan_free(&u->plan);
	lab_drift_free(&u->drift);
	journal_close(u->st);
	remote_free(&u->remote);
	free(u->uplinks);
	lab_free(u->lab);
	lab_free(u->old);
}

/* ---- a lab with machines ---------------------------------------------------
 * Each machine goes through the same steps as a lab without machines, run on
 * its part of the lab (lab_machine_view) with its namespace's netlink socket
 * and its own switch; above them, the lab's own steps (plan_machines):
 * machines made and removed, hosts moved between them, cables, NAT. */

static int up_machines_nat(struct up *u);

/* One machine while up plans and changes it. */
struct up_mach {
	const struct lab_machine *m;    /* as declared; NULL: it goes */
	const struct lab_machine *was;  /* as it is up; NULL: it comes */
	struct lab *view, *old_view;    /* old_view: without the hosts that move away */
	struct up u;                    /* its run, on its views */
	struct build_ns ns;
	struct ovsdb_tunnel *tunnels, *old_tunnels;
	size_t n_tunnels, n_old_tunnels;
	struct ovsdb_machine om, om_old;
	char dir[PATH_MAX];
	bool ran;                       /* up_build ran on it (undone on failure) */
};

struct up_machs {
	struct up *u;
	struct plan lp;                 /* the lab's own steps */
	struct plan shown;              /* every step, for people */
	struct up_mach *v;
	size_t n;
};

static const char *up_mach_name(const struct up_mach *um)
{
	return um->m ? um->m->name : um->was->name;
}

/* Hosts of an old view that the new lab puts on another machine: they are
 * removed first, by the lab's steps, so the machine's own plan leaves them. */
static void up_view_drop_moved(struct lab *view, const struct lab *lab, const char *machine)
{
	size_t n = 0;

	for (size_t i = 0; i < view->n_hosts; i++) {
		const struct lab_host *h = lab_find_host(lab, view->hosts[i].name);

		if (h && h->machine && strcmp(h->machine, machine))
			continue;
		view->hosts[n++] = view->hosts[i];
	}
	view->n_hosts = n;
}

static bool up_mach_tunnels_change(const struct up_machs *ms, const char *machine)
{
	for (size_t i = 0; i < ms->lp.n_steps; i++) {
		const struct plan_step *s = &ms->lp.steps[i];

		if ((s->op == PLAN_TUNNEL_ADD || s->op == PLAN_TUNNEL_DEL ||
		     s->op == PLAN_TUNNEL_CHANGE) && !strcmp(s->machine.old->name, machine))
			return true;
	}
	return false;
}

static bool up_mach_moves_away(const struct up_machs *ms, const char *machine)
{
	for (size_t i = 0; i < ms->lp.n_steps; i++)
		if (ms->lp.steps[i].op == PLAN_HOST_MOVE &&
		    !strcmp(ms->lp.steps[i].machine.old->name, machine))
			return true;
	return false;
}

static bool up_moved_here(const struct up_machs *ms, const struct lab_host *h)
{
	for (size_t i = 0; i < ms->lp.n_steps; i++)
		if (ms->lp.steps[i].op == PLAN_HOST_MOVE &&
		    !strcmp(ms->lp.steps[i].host.new->name, h->name))
			return true;
	return false;
}

/* A machine that stays: what its part lost (its switch's daemons, ports,
 * hosts' interfaces) and what the edit changes of it. */
static int up_mach_plan(struct up_machs *ms, struct up_mach *um)
{
	struct up *u = &um->u;
	int ret = 0;

	if (!um->was)
		return plan_make(NULL, um->view, &u->plan);
	ret = machines_enter(um->was->name, &um->ns);
	if (ret == 0)
		ret = observe_machine(um->old_view, u->st, um->dir, um->ns.nl, &u->drift);
	if (ret == 0)
		ret = plan_make(um->old_view, um->view, &u->plan);
	if (ret == 0)
		ret = plan_repair(um->old_view, um->view, &u->drift, &u->plan);
	/* Tunnels change, or a host moves away: its port goes from the rows. */
	if (ret == 0 && (up_mach_tunnels_change(ms, um->m->name) ||
			 up_mach_moves_away(ms, um->m->name)))
		u->plan.switch_rows = true;
	return ret;
}

static int up_mach_add(struct up_machs *ms, const struct lab_machine *m,
		       const struct lab_machine *was)
{
	struct up *u = ms->u;
	struct up_mach *um = &ms->v[ms->n++];
	int ret = 0;

	um->m = m;
	um->was = was;
	um->ns = (struct build_ns){ .sock = -1, .fd = -1 };
	um->u.st = u->st;
	um->u.b.self_fd = -1;
	journal_machine_dir(u->st, m ? m->name : was->name, um->dir, sizeof(um->dir));
	if (m)
		ret = lab_machine_view(u->lab, m, &um->view);
	if (ret == 0 && m)
		ret = machines_tunnels_of(u->lab, m, um->view, &um->tunnels, &um->n_tunnels);
	if (ret == 0 && was)
		ret = lab_machine_view(u->old, was, &um->old_view);
	if (ret == 0 && was) {
		up_view_drop_moved(um->old_view, u->lab, was->name);
		ret = machines_tunnels_of(u->old, was, um->old_view, &um->old_tunnels,
					  &um->n_old_tunnels);
	}
	um->om = (struct ovsdb_machine){
		.phy_bridge = MACHINES_PHY_BRIDGE, .phy_port = MACHINES_PHY_PORT,
		.mtu = u->lab->underlay.mtu, .tunnels = um->tunnels, .n_tunnels = um->n_tunnels,
	};
	um->om_old = um->om;
	um->om_old.tunnels = um->old_tunnels;
	um->om_old.n_tunnels = um->n_old_tunnels;
	um->u.lab = um->view;
	um->u.old = um->old_view;
	um->u.om = &um->om;
	um->u.om_old = &um->om_old;
	um->u.tables = um->dir;
	if (ret == 0 && m)
		ret = up_mach_plan(ms, um);
	return ret;
}

/* The plan of every machine and of the lab; shown: all of it, a moved
 * host's making on its new machine said by its move (by name: a view holds
 * copies of the lab's hosts). */
static int up_machs_plan(struct up_machs *ms)
{
	struct up *u = ms->u;
	const struct lab *old = u->old;
	int ret;

	ms->v = calloc(u->lab->n_machines + (old ? old->n_machines : 0) + 1, sizeof(*ms->v));
	if (!ms->v)
		return -ENOMEM;
	ret = plan_machines(old, u->lab, &ms->lp);
	if (ret == 0 && old)
		ret = observe_lab(old, u->st, &u->drift);
	if (ret == 0 && u->drift.nat && !plan_has(&ms->lp, PLAN_NAT))
		ret = plan_add(&ms->lp, &(struct plan_step){ .op = PLAN_NAT, .repair = true,
							     .what = "nat rules missing" });
	for (size_t i = 0; ret == 0 && i < u->lab->n_machines; i++)
		ret = up_mach_add(ms, &u->lab->machines[i],
				  lab_find_machine(old, u->lab->machines[i].name));
	for (size_t i = 0; ret == 0 && old && i < old->n_machines; i++)
		if (!lab_find_machine(u->lab, old->machines[i].name))
			ret = up_mach_add(ms, NULL, &old->machines[i]);
	for (size_t i = 0; ret == 0 && i < ms->lp.n_steps; i++)
		ret = plan_add(&ms->shown, &ms->lp.steps[i]);
	for (size_t i = 0; ret == 0 && i < ms->n; i++) {
		struct up_mach *um = &ms->v[i];
		struct plan mine = { 0 };

		/* A machine that goes takes its hosts (those that do not move). */
		for (size_t j = 0; ret == 0 && !um->m && j < um->old_view->n_hosts; j++)
			ret = plan_add(&mine, &(struct plan_step){
				.op = PLAN_HOST_DEL, .host.old = &um->old_view->hosts[j] });
		for (size_t j = 0; ret == 0 && !um->m && j < mine.n_steps; j++)
			snprintf(mine.steps[j].what, sizeof(mine.steps[j].what), "host %.100s",
				 mine.steps[j].host.old->name);
		for (size_t j = 0; ret == 0 && um->m && j < um->u.plan.n_steps; j++) {
			const struct plan_step *s = &um->u.plan.steps[j];

			if (s->op != PLAN_HOST_ADD || !up_moved_here(ms, s->host.new))
				ret = plan_add(&mine, s);
		}
		if (ret == 0)
			ret = plan_append_machine(&ms->shown, &mine, up_mach_name(um));
		plan_free(&mine);
	}
	if (ret == -ENOMEM)
		err_set("%s: out of memory", u->lab->name);
	return ret;
}

static void up_machs_free(struct up_machs *ms)
{
	for (size_t i = 0; ms->v && i < ms->n; i++) {
		struct up_mach *um = &ms->v[i];

		plan_free(&um->u.plan);
		lab_drift_free(&um->u.drift);
		ovsdb_close(um->u.db);
		if (um->u.b.self_fd >= 0)
			close(um->u.b.self_fd);
		build_ns_close(&um->ns);
		lab_view_free(um->view);
		lab_view_free(um->old_view);
		free(um->tunnels);
		free(um->old_tunnels);
	}
	free(ms->v);
	plan_free(&ms->lp);
	plan_free(&ms->shown);
}

static struct up_mach *up_mach_of(struct up_machs *ms, const char *machine)
{
	for (size_t i = 0; i < ms->n; i++)
		if (!strcmp(up_mach_name(&ms->v[i]), machine))
			return &ms->v[i];
	return NULL;
}

/* A moved host leaves its old machine before anything is made: its
 * namespace's name is free again for its new machine's steps. */
static int up_machs_move_out(struct up_machs *ms)
{
	int ret = 0;

	for (size_t i = 0; ret == 0 && i < ms->lp.n_steps; i++) {
		const struct plan_step *s = &ms->lp.steps[i];
		struct up_mach *from;
		struct build b;

		if (s->op != PLAN_HOST_MOVE)
			continue;
		from = up_mach_of(ms, s->machine.old->name);
		if (from->ns.fd < 0)
			ret = machines_enter(from->was->name, &from->ns);
		if (ret < 0)
			break;
		machines_build_init(&b, from->old_view, ms->u->st, from->ns.nl);
		ret = build_host_remove(&b, s->host.old);
		if (b.self_fd >= 0)
			close(b.self_fd);
	}
	return ret;
}

/* A machine's switch: started anew (a new machine), revived, or as it is. */
static int up_mach_switch(struct up_mach *um, struct up *u)
{
	int ret = 0;

	if (!um->was) {
		ret = machines_add(u->lab, u->st, um->m, &um->ns, &um->u.sw);
	} else {
		if (plan_has(&um->u.plan, PLAN_SWITCH_RESTART))
			ret = machines_revive(u->st, um->m->name);
		machines_remote(u->st, um->m->name, um->u.sw.remote, sizeof(um->u.sw.remote));
	}
	snprintf(um->u.sw.datapath, sizeof(um->u.sw.datapath), "netdev");
	if (ret == 0)
		ret = ovsdb_open(um->u.sw.remote, OVSDB_TIMEOUT_MS, &um->u.db);
	if (ret == 0) {
		machines_build_init(&um->u.b, um->view, u->st, um->ns.nl);
		um->u.mark = u->st->n_entries;
	}
	return ret;
}

/* A moved host answers from a new MAC address: every machine's hosts and
 * gateways forget its addresses' neighbour entries. */
static int up_machs_forget_moved(struct up_machs *ms)
{
	struct lab_addr *addrs = NULL;
	size_t n = 0;
	int ret = 0;

	for (size_t i = 0; ret == 0 && i < ms->lp.n_steps; i++) {
		const struct lab_host *h = ms->lp.steps[i].host.new;

		if (ms->lp.steps[i].op != PLAN_HOST_MOVE)
			continue;
		for (size_t j = 0; ret == 0 && j < h->n_ifaces; j++)
			for (size_t k = 0; ret == 0 && k < h->ifaces[j].n_addrs; k++)
				ret = up_addr_push(&addrs, &n, &h->ifaces[j].addrs[k]);
	}
	for (size_t i = 0; ret == 0 && n && i < ms->n; i++)
		if (ms->v[i].m && ms->v[i].u.b.nl)
			build_forget_neighbours(&ms->v[i].u.b, addrs, n);
	if (ret < 0)
		err_set("%s: out of memory", ms->u->lab->name);
	free(addrs);
	return ret;
}

static int up_machs_build(struct up_machs *ms)
{
	struct up *u = ms->u;
	int ret = up_machs_move_out(ms);

	for (size_t i = 0; ret == 0 && i < ms->n; i++) {
		struct up_mach *um = &ms->v[i];

		if (!um->m)
			continue;
		ret = up_mach_switch(um, u);
		if (ret == 0 && (um->u.plan.n_steps || um->u.plan.switch_rows || !um->was)) {
			um->ran = true;
			ret = up_build(&um->u);
		}
		/* Its br-phy made anew (a new machine, a revived switch) has no
		 * address yet. */
		if (ret == 0)
			ret = machines_address(um->ns.nl, um->ns.fd, um->m);
	}
	ret = up_fault(ret, "machines");
	if (ret == 0)
		ret = up_machs_forget_moved(ms);
	for (size_t i = 0; ret == 0 && i < ms->n; i++)
		if (!ms->v[i].m)
			ret = machines_remove(u->st, ms->v[i].old_view, ms->v[i].was);
	for (size_t i = 0; ret == 0 && i < ms->lp.n_steps; i++) {
		const struct plan_step *s = &ms->lp.steps[i];

		if (s->op == PLAN_LINK_DEL)
			ret = build_link_remove(&u->b, s->link.old);
	}
	for (size_t i = 0; ret == 0 && i < ms->lp.n_steps; i++) {
		const struct plan_step *s = &ms->lp.steps[i];

		if (s->op == PLAN_LINK_ADD)
			ret = build_link(&u->b, s->link.new);
	}
	return ret;
}

/* A failed edit: machines it added go, the others get their part back as
 * it was (as up_undo_change does for a lab), moved hosts their old
 * machine.  Best effort: the first failure is what is reported. */
static void up_machs_readd_moved(struct up_machs *ms, struct up_mach *um,
				 const struct lab *whole)
{
	const char *ports[64];
	size_t n = 0;

	for (size_t i = 0; i < ms->lp.n_steps; i++) {
		const struct plan_step *s = &ms->lp.steps[i];

		if (s->op != PLAN_HOST_MOVE || strcmp(s->machine.old->name, um->was->name))
			continue;
		for (size_t j = 0; j < s->host.old->n_ifaces && n < 64; j++)
			if (s->host.old->ifaces[j].attach == LAB_ATTACH_BRIDGE)
				ports[n++] = s->host.old->ifaces[j].port;
	}
	um->u.om = &um->om_old;
	if (ovsdb_lab_drop_ports(um->u.db, whole->name, ports, n, OVSDB_TIMEOUT_MS) == 0 &&
	    up_commit(&um->u, whole, &um->om_old) == 0)
		ovsdb_lab_wait(um->u.db, whole->name, um->u.next_cfg, OVSDB_TIMEOUT_MS);
}

static void up_machs_undo(struct up_machs *ms)
{
	struct up *u = ms->u;

	for (size_t i = 0; i < ms->n; i++) {
		struct up_mach *um = &ms->v[i];
		struct lab none = { .name = u->lab->name };

		if (um->m && !um->was)
			machines_remove(u->st, um->view ? um->view : &none, um->m);
	}
	cmd_teardown_from(u->st, u->mark);
	/* Moved hosts first: their old machine's rows then find their veths. */
	for (size_t i = 0; i < ms->lp.n_steps; i++) {
		const struct plan_step *s = &ms->lp.steps[i];
		struct up_mach *from;
		struct build b;

		if (s->op != PLAN_HOST_MOVE || netns_exists(s->host.old->name))
			continue;
		from = up_mach_of(ms, s->machine.old->name);
		if (!from || from->ns.fd < 0)
			continue;
		machines_build_init(&b, from->old_view, u->st, from->ns.nl);
		if (build_host(&b, s->host.old) == 0)
			build_host_routes(&b, s->host.old);
		if (b.self_fd >= 0)
			close(b.self_fd);
	}
	for (size_t i = 0; i < ms->n; i++) {
		struct up_mach *um = &ms->v[i];
		struct lab *whole = NULL;

		if (!um->was || (!um->ran && !up_mach_moves_away(ms, um->was->name)))
			continue;
		/* Its part as it was, with the hosts that were to move away. */
		if (up_mach_moves_away(ms, um->was->name) &&
		    lab_machine_view(u->old, um->was, &whole) == 0)
			um->u.old = whole;
		if (um->ran) {
			/* What this run made went above; what the undo makes stays. */
			um->u.mark = u->st->n_entries;
			up_undo_change(&um->u);
		} else if (whole) {
			/* Rows it kept name the moved hosts' old veths: their
			 * ports go and come back, so its switch opens the new
			 * ones. */
			machines_remote(u->st, um->was->name, um->u.sw.remote,
					sizeof(um->u.sw.remote));
			if (um->u.db || ovsdb_open(um->u.sw.remote, OVSDB_TIMEOUT_MS, &um->u.db) == 0)
				up_machs_readd_moved(ms, um, whole);
		}
		um->u.old = um->old_view;
		lab_view_free(whole);
	}
	journal_add_complete(u->st);
}

static size_t up_machs_repairs(const struct up_machs *ms)
{
	return plan_repairs(&ms->shown);
}

/* An edit or repair of a lab with machines that is up. */
static int up_machines_edit(struct up *u, const char *text, size_t len, FILE *diag,
			    FILE *out, bool *building)
{
	struct up_machs ms = { .u = u };
	int ret = up_machs_plan(&ms);

	if (ret < 0)
		goto out;
	if (!ms.shown.n_steps) {
		plan_print(&ms.shown, u->lab->name, out);
		ret = journal_save_labfile(u->st, text, len);
		goto out;
	}
	u->uplinks = calloc(u->lab->n_bridges + 1, sizeof(*u->uplinks));
	ret = u->uplinks ? build_open(&u->b, u->lab, u->st, "") : -ENOMEM;
	if (ret == 0)
		ret = preflight_machine(u->lab, u->old, u->b.nl, NULL, u->uplinks, diag);
	if (ret == 0)
		ret = machines_preflight(u->lab, u->old, diag);
	if (ret < 0)
		goto out;
	ret = journal_forget_complete(u->st);
	if (ret < 0)
		goto out;
	*building = true;
	u->mark = u->st->n_entries;
	ret = up_machs_build(&ms);
	if (ret == 0 && plan_has(&ms.lp, PLAN_NAT))
		ret = up_machines_nat(u);
	if (ret == 0)
		ret = up_save_flows(u);
	if (ret == 0)
		ret = journal_save_labfile(u->st, text, len);
	if (ret == 0)
		ret = journal_add_complete(u->st);
	if (ret < 0) {
		char why[512];

		/* The undo's own troubles do not hide why the edit failed. */
		snprintf(why, sizeof(why), "%s", err_isset() ? err_get() : "");
		up_machs_undo(&ms);
		err_reset("%s", why);
		*building = false;
		goto out;
	}
	plan_print(&ms.shown, u->lab->name, out);
	if (up_machs_repairs(&ms))
		fprintf(out, "%s: repaired %zu problem%s\n", u->lab->name, up_machs_repairs(&ms),
			up_machs_repairs(&ms) == 1 ? "" : "s");
out:
	up_machs_free(&ms);
	return ret;
}

static int up_machines_plan(struct up *u, FILE *out)
{
	struct up_machs ms = { .u = u };
	int ret = up_machs_plan(&ms);

	if (ret == 0)
		plan_print(&ms.shown, u->lab->name, out);
	up_machs_free(&ms);
	return ret;
}

static bool up_gateways_any(const struct lab *lab)
{
	for (size_t i = 0; i < lab->n_bridges; i++)
		if (lab->bridges[i].gateway.family || lab->bridges[i].gateway6.family)
			return true;
	return false;
}

static bool up_nat_any(const struct lab *lab)
{
	for (size_t i = 0; i < lab->n_bridges; i++)
		if (lab->bridges[i].nat)
			return true;
	return false;
}

/* NAT of a lab with machines: the network node's uplink (machines_uplink)
 * and the root namespace's rules for it, as up_nat makes them for a lab's
 * own gateways. */
static int up_machines_nat(struct up *u)
{
	const char *rec = journal_get(u->st, JOURNAL_FIREWALL);
	int ret;

	up_firewall(u);
	ret = journal_get(u->st, JOURNAL_NAT) ? fw_remove(u->lab->name) : 0;
	if (ret == 0 && up_has_nat(u->lab) && (!rec || strcmp(rec, fw_backend_name(u->fw))))
		ret = journal_add(u->st, JOURNAL_FIREWALL, "%s", fw_backend_name(u->fw));
	for (size_t i = 0; ret == 0 && i < u->lab->n_bridges; i++) {
		const struct lab_bridge *b = &u->lab->bridges[i];
		const struct lab_machine *m = b->nat ? lab_find_machine(u->lab, b->gateway_on) : NULL;
		struct build_ns ns;
		char port[16];

		if (!m)
			continue;
		lab_machine_uplink_name(m->name, port);
		ret = machines_enter(m->name, &ns);
		if (ret == 0)
			ret = machines_uplink(u->lab, u->st, m, u->b.nl, &ns, b);
		build_ns_close(&ns);
		if (ret == 0)
			ret = journal_add_uplink(u->st, b->name, u->uplinks[i]);
		if (ret == 0)
			ret = journal_add(u->st, JOURNAL_NAT, "%s", b->name);
		if (ret == 0)
			ret = fw_add(u->fw, u->lab->name, port, &b->gateway, u->uplinks[i]);
		if (ret == 0)
			ret = forward_take();
	}
	return up_fault(ret, "nat");
}

/* What a new lab's bridges add on each machine once its switch made them:
 * the gateway on the network node, the flows everywhere. */
static int up_machines_extras(struct up *u)
{
	int ret = 0;

	for (size_t i = 0; ret == 0 && i < u->lab->n_machines; i++) {
		const struct lab_machine *m = &u->lab->machines[i];
		struct up mu = { .st = u->st, .b.self_fd = -1 };
		struct build_ns ns = { .sock = -1, .fd = -1 };
		struct lab *view = NULL;
		char dir[PATH_MAX];

		journal_machine_dir(u->st, m->name, dir, sizeof(dir));
		mu.tables = dir;
		machines_remote(u->st, m->name, mu.sw.remote, sizeof(mu.sw.remote));
		ret = lab_machine_view(u->lab, m, &view);
		if (ret == 0)
			ret = plan_make(NULL, view, &mu.plan);
		if (ret == 0 && (plan_has(&mu.plan, PLAN_FLOWS) || up_gateways_any(view))) {
			ret = machines_enter(m->name, &ns);
			mu.lab = view;
			if (ret == 0)
				machines_build_init(&mu.b, view, u->st, ns.nl);
			if (ret == 0)
				ret = up_each(&mu, PLAN_BRIDGE_ADD, up_bridge_new);
			if (ret == 0)
				ret = up_each(&mu, PLAN_FLOWS, up_flows);
		}
		if (mu.b.self_fd >= 0)
			close(mu.b.self_fd);
		build_ns_close(&ns);
		plan_free(&mu.plan);
		lab_view_free(view);
	}
	return ret;
}

/* A new lab with machines is built whole by apply/machines.c (every
 * machine's switch started at once), then what its bridges add per
 * machine: gateways and flows. */
static int up_machines_new(struct up *u, const char *text, size_t len, FILE *diag,
			   bool *building)
{
	int ret;

	u->uplinks = calloc(u->lab->n_bridges + 1, sizeof(*u->uplinks));
	ret = u->uplinks ? build_open(&u->b, u->lab, u->st, "") : -ENOMEM;
	if (ret == 0)
		ret = preflight_machine(u->lab, NULL, u->b.nl, NULL, u->uplinks, diag);
	if (ret == 0)
		ret = machines_preflight(u->lab, NULL, diag);
	if (ret == 0)
		ret = journal_create(u->lab->name, text, len, u->st);
	if (ret < 0)
		return ret;
	*building = true;
	ret = machines_build(u->lab, u->st);
	for (size_t i = 0; ret == 0 && i < u->lab->n_links; i++)
		ret = build_link(&u->b, &u->lab->links[i]);
	if (ret == 0)
		ret = up_machines_extras(u);
	if (ret == 0 && up_nat_any(u->lab))
		ret = up_machines_nat(u);
	if (ret == 0)
		ret = up_save_flows(u);
	return up_fault(ret, "machines");
}

static int up_machines(struct up *u, const char *text, size_t len, FILE *diag, FILE *out,
		       bool *building)
{
	int ret;

	if (u->old)
		return up_machines_edit(u, text, len, diag, out, building);
	ret = up_machines_new(u, text, len, diag, building);
	if (ret == 0)
		ret = journal_add_complete(u->st);
	if (ret == 0)
		fprintf(out, "%s: up: %zu host%s on %zu machine%s, %zu bridge%s, a private switch "
			"per machine (netdev datapath)\n", u->lab->name, u->lab->n_hosts,
			u->lab->n_hosts == 1 ? "" : "s", u->lab->n_machines,
			u->lab->n_machines == 1 ? "" : "s", u->lab->n_bridges,
			u->lab->n_bridges == 1 ? "" : "s");
	return ret;
}

int cmd_plan(const char *path, FILE *diag, FILE *out)
{
	struct up u = { .b.self_fd = -1 };
	char *text = NULL;
	size_t len = 0;
	int ret;

	u.st = &u.st_own;
	ret = up_load(path, diag, &u, &text, &len);
	if (ret == 0)
		ret = up_load_old(&u);
	if (ret == 0 && machines_in(u.lab, u.old)) {
		ret = up_machines_plan(&u, out);
		goto out;
	}
	if (ret == 0)
		ret = up_plan(&u);
	if (ret == 0)
		plan_print(&u.plan, u.lab->name, out);
out:
	up_free(&u);
	free(text);
	return ret;
}

/* `--machine M`: the lab becomes M's part (a name the file lacks is a
 * usage error, 1); a lab that is up here stays what it was up as. */
static int up_play(struct up *u, const char *machine)
{
	char names[256] = "";
	size_t at = 0;

	if (!machine)
		return 0;
	if (lab_find_machine(u->lab, machine))
		return lab_play(u->lab, machine) < 0 ? -ENOMEM : 0;
	for (size_t i = 0; i < u->lab->n_machines && at < sizeof(names); i++)
		at += (size_t)snprintf(names + at, sizeof(names) - at, "%s%s", i ? ", " : "",
				       u->lab->machines[i].name);
	if (u->lab->n_machines)
		err_set("--machine %s: the lab file %s has no such machine (it has %s)", machine,
			u->lab->file, names);
	else
		err_set("--machine %s: the lab file %s declares no machines", machine, u->lab->file);
	return 1;
}

static int up_play_same(struct up *u)
{
	const char *plays = journal_get(u->st, JOURNAL_PLAYS);
	const char *machine = u->lab->play ? u->lab->play->self->name : NULL;

	if (!u->old || (!plays && !machine) || (plays && machine && !strcmp(plays, machine)))
		return 0;
	err_set("%s: the lab is up on this computer %s%s; take it down first (`ovslab down %s`)",
		u->lab->name, plays ? "as machine " : "without --machine", plays ? plays : "",
		u->lab->name);
	return -EBUSY;
}

/* The interface to borrow, named in the file or holding the underlay
 * address (a played lab that is up is never changed in place). */
static int up_remote_prepare(struct up *u, const struct ovsdb_row_names *names)
{
	if (!u->lab->play || !u->lab->n_bridges)
		return 0;
	return remote_prepare(&u->remote, u->lab, u->b.nl, names);
}

int cmd_up(const char *path, FILE *diag, FILE *out)
{
	return cmd_up_as(path, NULL, diag, out);
}

int cmd_up_as(const char *path, const char *machine, FILE *diag, FILE *out)
{
	struct up u = { .b.self_fd = -1 };
	struct ovsdb_row_names names = { 0 };
	bool building = false;
	char *text = NULL;
	size_t len = 0;
	int lock = -1;
	int ret;

	u.st = &u.st_own;
	ret = up_load(path, diag, &u, &text, &len);
	timing_phase("parse");
	if (ret == 0)
		ret = up_play(&u, machine);
	if (ret)
		goto out;
	lock = lock_lab(u.lab->name, UP_LOCK_TIMEOUT_MS);
	if (lock < 0) {
		ret = lock;
		goto out;
	}
	ret = up_load_old(&u);
	if (ret == 0)
		ret = up_play_same(&u);
	/* Like a lab of simulated machines: the same file again, or down first. */
	if (ret == 0 && u.old && u.lab->play) {
		ret = remote_check_edit(u.lab, u.st, text, len);
		if (ret == 1)
			fprintf(out, "%s: nothing to change\n", u.lab->name);
		ret = ret < 0 ? ret : 0;
		goto out;
	}
	if (ret == 0 && machines_in(u.lab, u.old)) {
		ret = up_machines(&u, text, len, diag, out, &building);
		goto out;
	}
	if (ret == 0)
		ret = up_plan(&u);
	if (ret < 0)
		goto out;
	if (!u.plan.n_steps) {
		plan_print(&u.plan, u.lab->name, out);
		/* Nothing to build, but `check LAB` reads the checks from the copy. */
		if (u.old)
			ret = journal_save_labfile(u.st, text, len);
		if (ret == 0)
			ret = up_linkprops_reset(&u);
		goto out;
	}
	ret = up_revive_switch(&u);
	if (ret < 0)
		goto out;
	u.uplinks = calloc(u.lab->n_bridges + 1, sizeof(*u.uplinks));
	ret = u.uplinks ? build_open(&u.b, u.lab, u.st, "") : -ENOMEM;
	/* Clashes with the machine and its switch, all of them, before
	 * anything is made. */
	if (ret == 0)
		ret = up_switch_names(&u, &names);
	if (ret == 0)
		ret = preflight_machine(u.lab, u.old, u.b.nl, u.db ? &names : NULL, u.uplinks, diag);
	if (ret == 0)
		ret = up_remote_prepare(&u, u.db ? &names : NULL);
	ovsdb_row_names_free(&names);
	timing_phase("pre-flight");
	if (ret == 0 && !u.old)
		ret = journal_create(u.lab->name, text, len, u.st);
	if (ret == 0 && !u.old && u.lab->play)
		ret = remote_record(u.lab, u.st);
	if (ret < 0)
		goto out;
	/* While an edit runs the lab is not complete: killed midway, it shows
	 * as such (ls) and gc can take it down. */
	if (ret == 0 && u.old)
		ret = journal_forget_complete(u.st);
	if (ret < 0)
		goto out;
	building = true;
	u.mark = u.st->n_entries;
	u.b.datapath = u.sw.datapath;
	ret = up_build(&u);
	if (ret == 0)
		ret = up_save_flows(&u);
	if (ret == 0 && u.old)
		ret = journal_save_labfile(u.st, text, len);
	if (ret == 0)
		ret = up_linkprops_reset(&u);
	if (ret == 0)
		ret = journal_add_complete(u.st);
	if (ret < 0)
		goto out;
	if (u.old)
		plan_print(&u.plan, u.lab->name, out);
	if (plan_repairs(&u.plan))
		fprintf(out, "%s: repaired %zu problem%s\n", u.lab->name,
			plan_repairs(&u.plan), plan_repairs(&u.plan) == 1 ? "" : "s");
	fprintf(out, "%s: up: %zu host%s, %zu bridge%s", u.lab->name, u.lab->n_hosts,
		u.lab->n_hosts == 1 ? "" : "s", u.lab->n_bridges, u.lab->n_bridges == 1 ? "" : "s");
	if (u.sw.remote[0])
		fprintf(out, ", %s switch (%s datapath)", u.sw.private ? "private" : "shared",
			u.sw.datapath);
	if (u.lab->play)
		fprintf(out, "; this computer is machine %s%s%s", u.lab->play->self->name,
			u.remote.ifname[0] ? ", underlay on " : "", u.remote.ifname);
	fputc('\n', out);
	if (up_has_nat(u.lab)) {
		char warn[256];

		cmd_doctor_warning(warn, sizeof(warn));
		if (*warn)
			fprintf(diag, "ovslab: warning: %s\n", warn);
	}
out:
	if (ret < 0 && building) {
		/* Undo this run: the journal lists exactly what it made. */
		if (u.old)
			up_undo_change(&u);
		else
			cmd_teardown(u.st);
	}
	/* The lock file lives as long as the lab's record. */
	if (lock >= 0)
		lock_unlock(u.lab->name, lock, !journal_exists(u.lab->name));
	up_free(&u);
	free(text);
	return ret;
}
