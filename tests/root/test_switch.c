/* The private switch and the lab's rows in its database: needs root, each
 * test in its own sandbox namespace. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "apply/preflight.h"
#include "util/err.h"
#include "kernel/rtnl.h"
#include "model/lab.h"
#include "switch/ovsdb.h"
#include "sandbox.h"
#include "switch/switchd.h"

#define T_LAB "swtest"
#define T_LABDIR "/run/ovslab/" T_LAB
#define T_TIMEOUT_MS 20000

static struct switchd sw;
static bool sw_started;
static struct ovsdb *db;
static char db_arg[PATH_MAX + 16];

/* A lab with one netdev bridge "br0" and one host per port name. */
struct tlab {
	struct lab lab;
	struct lab_bridge br;
	struct lab_host hosts[2];
	struct lab_iface ifaces[2];
};

static void tlab_init(struct tlab *t, const char *port0, const char *port1)
{
	static char *host_names[] = { "h0", "h1" };
	const char *ports[] = { port0, port1 };

	memset(t, 0, sizeof(*t));
	t->lab.name = T_LAB;
	t->lab.file = "test_switch.c";
	t->br.name = "br0";
	t->br.pos = (struct lab_pos){ 1, 1 };
	t->lab.bridges = &t->br;
	t->lab.n_bridges = 1;
	t->lab.hosts = t->hosts;
	for (size_t i = 0; i < 2 && ports[i]; i++) {
		t->ifaces[i].bridge = "br0";
		t->ifaces[i].ifname = "eth0";
		t->ifaces[i].port = (char *)ports[i];
		t->ifaces[i].pos = (struct lab_pos){ 2 + (int)i, 5 };
		t->hosts[i].name = host_names[i];
		t->hosts[i].ifaces = &t->ifaces[i];
		t->hosts[i].n_ifaces = 1;
		t->lab.n_hosts++;
	}
}

static void setup(void)
{
	sandbox_enter();
	/* The detached daemons become our children, so the test can see them
	 * exit and reap them instead of leaving zombies to init. */
	cr_assert_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	/* A shared switch must not be found through the caller's settings. */
	unsetenv("OVS_RUNDIR");
	err_clear();
	cr_assert_eq(mkdir(T_LABDIR, 0755), 0, "mkdir %s: %s", T_LABDIR, strerror(errno));
}

static void setup_switch(void)
{
	setup();
	cr_assert_eq(switchd_start(T_LABDIR "/ovs", &sw), 0, "switchd_start: %s", err_get());
	sw_started = true;
	snprintf(db_arg, sizeof(db_arg), "--db=%s", sw.remote);
	cr_assert_eq(ovsdb_open(sw.remote, T_TIMEOUT_MS, &db), 0, "ovsdb_open: %s", err_get());
}

/* The daemons are not children of the test: stop them even after a failed
 * assertion, or they would outlive the sandbox. */
static void teardown(void)
{
	ovsdb_close(db);
	db = NULL;
	if (sw_started)
		switchd_stop(&sw);
	sw_started = false;
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

static void veth(const char *a, const char *b)
{
	cr_assert_eq(sandbox_runf(NULL, 0, "ip link add %s type veth peer name %s", a, b), 0);
	cr_assert_eq(sandbox_runf(NULL, 0, "ip link set %s up", a), 0);
	cr_assert_eq(sandbox_runf(NULL, 0, "ip link set %s up", b), 0);
}

static int vsctl(char *out, size_t len, const char *args)
{
	return sandbox_runf(out, len, "ovs-vsctl --timeout=20 %s %s", db_arg, args);
}

/* Pre-flight of lab (old: as it is up, or NULL) against the machine and
 * the switch's names, its lines in out. */
static int preflight(const struct lab *lab, const struct lab *old, char *out, size_t len)
{
	struct ovsdb_row_names names;
	char uplinks[1][IF_NAMESIZE];
	struct rtnl *nl;
	FILE *f;
	int ret;

	out[0] = '\0'; /* fmemopen leaves it as it was when nothing is written */
	f = fmemopen(out, len, "w");
	cr_assert_not_null(f);
	cr_assert_eq(ovsdb_row_names(db, &names), 0, "%s", err_get());
	cr_assert_eq(rtnl_open(&nl), 0);
	ret = preflight_machine(lab, old, nl, &names, uplinks, f);
	fclose(f);
	rtnl_close(nl);
	ovsdb_row_names_free(&names);
	return ret;
}

static pid_t pidfile(const char *name)
{
	char path[PATH_MAX + 64];
	long pid = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.pid", sw.rundir, name);
	f = fopen(path, "r");
	cr_assert_not_null(f, "%s: %s", path, strerror(errno));
	cr_assert_eq(fscanf(f, "%ld", &pid), 1);
	fclose(f);
	return (pid_t)pid;
}

/* Gone, or a zombie init has yet to reap. */
static bool pid_gone(pid_t pid)
{
	char path[64], buf[512], *p;
	FILE *f;

	if (kill(pid, 0) < 0 && errno == ESRCH)
		return true;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return true;
	p = fgets(buf, sizeof(buf), f) ? strrchr(buf, ')') : NULL;
	fclose(f);
	return !p || p[2] == 'Z' || p[2] == 'X';
}

struct port_count {
	int n;
	int assigned;
};

static void count_port(const struct ovsdb_port_info *p, void *arg)
{
	struct port_count *c = arg;

	c->n++;
	cr_expect_str_eq(p->bridge, "br0");
	cr_expect_str_eq(p->datapath, "netdev");
	cr_expect_null(p->error, "%s: %s", p->port, p->error);
	if (p->ofport > 0)
		c->assigned++;
	if (!strcmp(p->port, "br0"))
		cr_expect_str_eq(p->type, "internal");
}

Test(switch, private_start_stop, .init = setup, .fini = teardown, .timeout = 120)
{
	char path[PATH_MAX + 64];
	struct stat st;
	pid_t server, vswitchd;

	cr_assert_eq(switchd_start(T_LABDIR "/ovs", &sw), 0, "switchd_start: %s", err_get());
	sw_started = true;
	cr_assert(sw.private);
	cr_assert_str_eq(sw.rundir, T_LABDIR "/ovs");
	cr_assert_str_eq(sw.remote, "unix:" T_LABDIR "/ovs/db.sock");
	cr_assert_str_eq(sw.datapath, switchd_datapath());
	snprintf(path, sizeof(path), "%s/db.sock", sw.rundir);
	cr_assert_eq(stat(path, &st), 0);
	cr_assert(S_ISSOCK(st.st_mode));

	server = pidfile("ovsdb-server");
	vswitchd = pidfile("ovs-vswitchd");
	cr_assert(!pid_gone(server));
	cr_assert(!pid_gone(vswitchd));

	/* Now the machine's-switch lookup finds nothing: the sandbox's
	 * /run/openvswitch is empty. */
	cr_assert_eq(switchd_find_shared(path, sizeof(path)), -ENOENT);

	cr_assert_eq(switchd_stop(&sw), 0, "switchd_stop: %s", err_get());
	sw_started = false;
	cr_assert(pid_gone(server), "ovsdb-server %d still runs", (int)server);
	cr_assert(pid_gone(vswitchd), "ovs-vswitchd %d still runs", (int)vswitchd);
	cr_assert_eq(waitpid(server, NULL, WNOHANG), server, "ovsdb-server has not exited");
	cr_assert_eq(waitpid(vswitchd, NULL, WNOHANG), vswitchd, "ovs-vswitchd has not exited");
	cr_assert_eq(stat(T_LABDIR "/ovs", &st), -1);
	cr_assert_eq(errno, ENOENT);
	/* Nothing leaked into the machine's usual places either. */
	cr_assert_eq(access("/run/openvswitch/db.sock", F_OK), -1);
}

/* Moves this thread into a new network namespace and returns its fd. */
static int new_netns(void)
{
	int ns;

	cr_assert_eq(unshare(CLONE_NEWNET), 0, "unshare: %s", strerror(errno));
	ns = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	cr_assert_geq(ns, 0, "open ns/net: %s", strerror(errno));
	return ns;
}

static bool tap_in(int ns, int home, const char *name)
{
	bool there;

	cr_assert_eq(setns(ns, CLONE_NEWNET), 0, "setns: %s", strerror(errno));
	there = if_nametoindex(name) != 0;
	cr_assert_eq(setns(home, CLONE_NEWNET), 0, "setns: %s", strerror(errno));
	return there;
}

static struct switchd two[2];
static bool two_started[2];

static void teardown_two(void)
{
	for (size_t i = 0; i < 2; i++)
		if (two_started[i])
			switchd_stop(&two[i]);
	teardown();
}

/* Two private switches in one process, each in its own network namespace
 * (userspace switches cannot share one): each stop keeps its own sockets,
 * so one switch's release leaves the other's pending. */
Test(switch, two_switches_release_their_own, .init = setup, .fini = teardown_two, .timeout = 120)
{
	static const char *const dirs[2] = { T_LABDIR "/ovs-a", T_LABDIR "/ovs-b" };
	static const char *const brs[2] = { "bra", "brb" };
	int home = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	int ns[2];
	char buf[4096];

	cr_assert_geq(home, 0);
	for (size_t i = 0; i < 2; i++) {
		ns[i] = new_netns();
		cr_assert_eq(switchd_start(dirs[i], &two[i]), 0, "switchd_start %s: %s", dirs[i],
			     err_get());
		two_started[i] = true;
		cr_assert_eq(setns(home, CLONE_NEWNET), 0);
		cr_assert(two[i].private);
		cr_assert_str_eq(two[i].rundir, dirs[i]);
		cr_assert_eq(sandbox_runf(buf, sizeof(buf),
					  "ovs-vsctl --timeout=20 --db=%s add-br %s -- set bridge %s "
					  "datapath_type=netdev", two[i].remote, brs[i], brs[i]),
			     0, "%s", buf);
		cr_assert(tap_in(ns[i], home, brs[i]), "%s: no tap in its namespace", brs[i]);
	}

	cr_assert_eq(switchd_stop_begin(&two[0]), 0, "%s", err_get());
	cr_assert_eq(switchd_stop_begin(&two[1]), 0, "%s", err_get());
	cr_assert_not_null(two[0].release, "the first switch's sockets were released by the second's stop");
	cr_assert_not_null(two[1].release);
	switchd_release_wait(&two[1]);
	two_started[1] = false;
	cr_assert_null(two[1].release);
	cr_assert_not(tap_in(ns[1], home, brs[1]), "%s: its tap outlived its release", brs[1]);
	cr_assert(tap_in(ns[0], home, brs[0]), "%s: released with the other switch", brs[0]);
	switchd_release_wait(&two[0]);
	two_started[0] = false;
	cr_assert_not(tap_in(ns[0], home, brs[0]), "%s: its tap outlived its release", brs[0]);
	for (size_t i = 0; i < 2; i++) {
		cr_assert_eq(access(dirs[i], F_OK), -1, "%s is left", dirs[i]);
		close(ns[i]);
	}
	close(home);
}

static int listen_unix(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	cr_assert_geq(fd, 0);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	cr_assert_eq(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0, "bind %s: %s", path,
		     strerror(errno));
	cr_assert_eq(listen(fd, 4), 0);
	return fd;
}

Test(switch, shared_switch_is_found, .init = setup, .timeout = 60)
{
	char remote[PATH_MAX + 8];
	struct switchd shared;
	int fd;

	cr_assert_eq(switchd_find_shared(remote, sizeof(remote)), -ENOENT);
	cr_assert_not(err_isset(), "a missing switch is no error: %s", err_get());

	/* The lookup only connects, so any listening socket stands in. */
	fd = listen_unix("/run/openvswitch/db.sock");
	cr_assert_eq(switchd_find_shared(remote, sizeof(remote)), 0);
	cr_assert_str_eq(remote, "unix:/run/openvswitch/db.sock");
	cr_assert_eq(switchd_start(T_LABDIR "/ovs", &shared), 0, "%s", err_get());
	cr_assert_not(shared.private);
	cr_assert_str_eq(shared.remote, "unix:/run/openvswitch/db.sock");
	cr_assert_eq(access(T_LABDIR "/ovs", F_OK), -1, "no private switch for a shared one");
	cr_assert_eq(switchd_stop(&shared), 0);
	/* A socket nobody listens on any more does not answer. */
	close(fd);
	cr_assert_eq(switchd_find_shared(remote, sizeof(remote)), -ENOENT);

	cr_assert_eq(setenv("OVS_RUNDIR", T_LABDIR, 1), 0);
	fd = listen_unix(T_LABDIR "/db.sock");
	cr_assert_eq(switchd_find_shared(remote, sizeof(remote)), 0);
	cr_assert_str_eq(remote, "unix:" T_LABDIR "/db.sock");
	close(fd);
	unsetenv("OVS_RUNDIR");
}

Test(switch, apply_shows_ports, .init = setup_switch, .fini = teardown, .timeout = 120)
{
	struct tlab t;
	struct port_count c = { 0 };
	char out[8192];

	veth("v0a", "v0b");
	veth("v1a", "v1b");
	tlab_init(&t, "v0a", "v1a");

	cr_assert_not(ovsdb_lab_present(db, T_LAB));
	cr_assert_eq(preflight(&t.lab, &t.lab, out, sizeof(out)), 0, "%s", out);
	cr_assert_eq(ovsdb_lab_apply(db, &t.lab, "netdev", T_TIMEOUT_MS), 0,
		     "apply: %s", err_get());
	cr_assert(ovsdb_lab_present(db, T_LAB));

	cr_assert_eq(vsctl(out, sizeof(out), "show"), 0, "%s", out);
	cr_assert(strstr(out, "Bridge br0"), "%s", out);
	cr_assert(strstr(out, "Port v0a"), "%s", out);
	cr_assert(strstr(out, "Port v1a"), "%s", out);
	cr_assert(strstr(out, "type: internal"), "%s", out);
	cr_assert_not(strstr(out, "error:"), "%s", out);

	for (int i = 0; i < 2; i++) {
		char args[64];
		long ofport;

		snprintf(args, sizeof(args), "get Interface v%da ofport", i);
		cr_assert_eq(vsctl(out, sizeof(out), args), 0, "%s", out);
		ofport = strtol(out, NULL, 10);
		cr_assert_gt(ofport, 0, "v%da ofport %s", i, out);
	}
	cr_assert_eq(vsctl(out, sizeof(out), "get Bridge br0 datapath_type"), 0, "%s", out);
	cr_assert_str_eq(out, "netdev\n");
	cr_assert_eq(vsctl(out, sizeof(out), "get Bridge br0 external_ids:ovslab-lab"), 0, "%s", out);
	cr_assert_str_eq(out, T_LAB "\n");
	cr_assert_eq(vsctl(out, sizeof(out), "get Port v1a external_ids:ovslab-lab"), 0, "%s", out);
	cr_assert_str_eq(out, T_LAB "\n");
	cr_assert_eq(vsctl(out, sizeof(out), "get Interface v0a external_ids:ovslab-lab"), 0,
		     "%s", out);
	cr_assert_str_eq(out, T_LAB "\n");

	cr_assert_eq(ovsdb_lab_ports(db, T_LAB, count_port, &c), 0);
	cr_assert_eq(c.n, 3, "ports %d", c.n);
	cr_assert_eq(c.assigned, 3, "ports with an ofport %d", c.assigned);

	/* The lab's own rows are no clash (up again on a lab that is up)... */
	cr_assert_eq(preflight(&t.lab, &t.lab, out, sizeof(out)), 0, "%s", out);
	cr_assert_str_eq(out, "");
	/* ...but another lab with the same names is refused before anything
	 * is written, each name at its place. */
	t.lab.name = (char *)"other";
	cr_assert_eq(preflight(&t.lab, &t.lab, out, sizeof(out)), -EINVAL);
	cr_assert_str_eq(out, "test_switch.c:2:5: v0a: a port of that name already exists in the switch\n"
			 "test_switch.c:3:5: v1a: a port of that name already exists in the switch\n"
			 "test_switch.c:1:1: br0: a bridge of that name already exists in the switch\n");
	t.lab.name = (char *)T_LAB;
}

Test(switch, remove_only_marked, .init = setup_switch, .fini = teardown, .timeout = 120)
{
	struct tlab t;
	char out[8192];

	veth("v0a", "v0b");
	veth("v1a", "v1b");
	veth("v2a", "v2b");
	veth("v3a", "v3b");
	tlab_init(&t, "v0a", "v1a");
	cr_assert_eq(ovsdb_lab_apply(db, &t.lab, "netdev", T_TIMEOUT_MS), 0,
		     "apply: %s", err_get());

	/* A bridge of someone else's, with one of its ports marked as the lab's
	 * and one not. */
	cr_assert_eq(vsctl(out, sizeof(out),
			   "add-br other -- set Bridge other datapath_type=netdev"), 0, "%s", out);
	cr_assert_eq(vsctl(out, sizeof(out),
			   "add-port other v2a -- set Port v2a external_ids:ovslab-lab=" T_LAB),
		     0, "%s", out);
	cr_assert_eq(vsctl(out, sizeof(out), "add-port other v3a"), 0, "%s", out);

	cr_assert_eq(ovsdb_lab_remove(db, T_LAB, T_TIMEOUT_MS), 0, "remove: %s", err_get());
	cr_assert_not(ovsdb_lab_present(db, T_LAB));

	cr_assert_eq(vsctl(out, sizeof(out), "list-br"), 0, "%s", out);
	cr_assert_str_eq(out, "other\n");
	cr_assert_eq(vsctl(out, sizeof(out), "list-ports other"), 0, "%s", out);
	cr_assert_str_eq(out, "v3a\n");
	cr_assert_eq(vsctl(out, sizeof(out), "--bare --columns=name list Interface"), 0, "%s", out);
	cr_assert_not(strstr(out, "v0a"), "%s", out);
	cr_assert_not(strstr(out, "v1a"), "%s", out);
	cr_assert_not(strstr(out, "v2a"), "%s", out);
	cr_assert_not(strstr(out, "br0"), "%s", out);
	cr_assert(strstr(out, "v3a"), "%s", out);
	cr_assert(strstr(out, "other"), "%s", out);

	/* Nothing left: a second remove is a no-op. */
	cr_assert_eq(ovsdb_lab_remove(db, T_LAB, T_TIMEOUT_MS), 0, "remove: %s", err_get());
	cr_assert_eq(vsctl(out, sizeof(out), "list-br"), 0, "%s", out);
	cr_assert_str_eq(out, "other\n");
}

/* Names others have in the switch, all reported at once; the machine's
 * interfaces of those names (the bridge's own, the port's veth) are the
 * switch's, not clashes of their own. */
Test(switch, preflight_reports_foreign_names, .init = setup_switch, .fini = teardown,
     .timeout = 120)
{
	struct tlab t;
	char out[8192];

	veth("v0a", "v0b");
	tlab_init(&t, "v0a", "v1a");
	cr_assert_eq(vsctl(out, sizeof(out), "add-br br0 -- set Bridge br0 datapath_type=netdev"),
		     0, "%s", out);
	cr_assert_eq(vsctl(out, sizeof(out),
			   "add-br other -- set Bridge other datapath_type=netdev -- add-port other v0a"),
		     0, "%s", out);
	cr_assert_eq(sandbox_runf(NULL, 0, "ip -o link show br0"), 0, "no tap for the bridge");
	cr_assert_eq(preflight(&t.lab, NULL, out, sizeof(out)), -EINVAL);
	cr_assert_str_eq(out, "test_switch.c:2:5: v0a: a port of that name already exists in the switch\n"
			 "test_switch.c:1:1: br0: a bridge of that name already exists in the switch\n");
	cr_assert_not(ovsdb_lab_present(db, T_LAB));
}

/* A switch stopped and started anew since the connection was opened is
 * noticed without waiting for an answer. */
Test(switch, connected_notices_a_new_switch, .init = setup_switch, .fini = teardown,
     .timeout = 120)
{
	cr_assert(ovsdb_connected(db, sw.remote));
	cr_assert_not(ovsdb_connected(db, "unix:/nonexistent/db.sock"));
	cr_assert_eq(switchd_stop(&sw), 0, "%s", err_get());
	sw_started = false;
	cr_assert_eq(switchd_start(T_LABDIR "/ovs", &sw), 0, "switchd_start: %s", err_get());
	sw_started = true;
	cr_assert_not(ovsdb_connected(db, sw.remote));
}

Test(switch, apply_missing_iface_is_reported, .init = setup_switch, .fini = teardown,
     .timeout = 120)
{
	struct tlab t;
	char out[8192];
	int ret;

	veth("v0a", "v0b");
	tlab_init(&t, "v0a", "nosuch0");
	cr_assert_eq(preflight(&t.lab, &t.lab, out, sizeof(out)), 0, "%s", out);
	ret = ovsdb_lab_apply(db, &t.lab, "netdev", T_TIMEOUT_MS);
	cr_assert_lt(ret, 0);
	cr_assert(strstr(err_get(), "nosuch0: the switch could not add the interface"),
		  "message: %s", err_get());
	/* The caller undoes its run (cmd_teardown): that leaves nothing. */
	cr_assert_eq(ovsdb_lab_remove(db, T_LAB, T_TIMEOUT_MS), 0);
	cr_assert_not(ovsdb_lab_present(db, T_LAB));
	cr_assert_eq(vsctl(out, sizeof(out), "list-br"), 0, "%s", out);
	cr_assert_str_eq(out, "");
	cr_assert_eq(vsctl(out, sizeof(out), "--bare --columns=name list Interface"), 0, "%s", out);
	cr_assert_str_eq(out, "");
}

Test(switch, apply_failed_bridge_is_reported, .init = setup_switch, .fini = teardown,
     .timeout = 120)
{
	struct tlab t;
	char out[8192];

	if (strcmp(sw.datapath, "netdev"))
		cr_skip_test("the kernel has an openvswitch datapath");
	/* A private switch on a netdev-only machine runs with --disable-system,
	 * so a "system" bridge cannot be created. */
	veth("v0a", "v0b");
	tlab_init(&t, "v0a", NULL);
	cr_assert_lt(ovsdb_lab_apply(db, &t.lab, "system", T_TIMEOUT_MS), 0);
	cr_assert(strstr(err_get(), "br0: the switch could not create the bridge"),
		  "message: %s", err_get());
	cr_assert_eq(ovsdb_lab_remove(db, T_LAB, T_TIMEOUT_MS), 0);
	cr_assert_not(ovsdb_lab_present(db, T_LAB));
	cr_assert_eq(vsctl(out, sizeof(out), "list-br"), 0, "%s", out);
	cr_assert_str_eq(out, "");
}
