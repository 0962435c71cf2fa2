/* Named namespaces, rtnetlink, ethtool and sysctl against the real kernel,
 * each test inside its own sandbox namespace (needs root). */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/err.h"
#include "kernel/ethtool.h"
#include "kernel/netns.h"
#include "kernel/rtnl.h"
#include "sandbox.h"
#include "kernel/sysctl.h"

#define OUT_SIZE 16384

static char out[OUT_SIZE];

static struct lab_addr addr4(const char *ip, int prefix)
{
	struct lab_addr a = { .family = AF_INET, .prefix = (uint8_t)prefix };

	cr_assert_eq(inet_pton(AF_INET, ip, &a.v4), 1, "bad test address %s", ip);
	return a;
}

static struct lab_addr addr6(const char *ip, int prefix)
{
	struct lab_addr a = { .family = AF_INET6, .prefix = (uint8_t)prefix };

	cr_assert_eq(inet_pton(AF_INET6, ip, &a.v6), 1, "bad test address %s", ip);
	return a;
}

static int count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static int count_pid(pid_t pid, void *arg)
{
	(void)pid;
	++*(int *)arg;
	return 0;
}

static int pids_in(const char *name)
{
	int n = 0;

	cr_assert_eq(netns_for_each_pid(name, count_pid, &n), 0);
	return n;
}

/* Waits until `want` processes are inside name (they are started async). */
static void wait_pids(const char *name, int want)
{
	const struct timespec tick = { 0, 10 * 1000000L };

	for (int i = 0; i < 500 && pids_in(name) != want; i++)
		nanosleep(&tick, NULL);
	cr_assert_eq(pids_in(name), want, "%s: expected %d processes", name, want);
}

/* The mountinfo line of mount point path, or "" if it is not one. */
static const char *mountinfo_line(const char *path)
{
	static char found[4096];
	char line[4096];
	FILE *f = fopen("/proc/self/mountinfo", "r");

	cr_assert_not_null(f);
	found[0] = '\0';
	while (fgets(line, sizeof(line), f)) {
		char mnt[4096];

		if (sscanf(line, "%*s %*s %*s %*s %4095s", mnt) == 1 && !strcmp(mnt, path))
			snprintf(found, sizeof(found), "%s", line);
	}
	fclose(f);
	return found;
}

/* Whether path is a mount point. */
static bool mounted(const char *path)
{
	return mountinfo_line(path)[0] != '\0';
}

/* One ICMP echo to dst from the namespace behind netns_fd (-1: this one),
 * through a ping socket: ping(8) is not installed everywhere.  Returns
 * whether the reply came within a second. */
static bool ping4(int netns_fd, const char *dst)
{
	struct sockaddr_in to = { .sin_family = AF_INET };
	struct icmphdr req = { .type = ICMP_ECHO, .un.echo.sequence = htons(1) };
	struct icmphdr rep;
	struct pollfd pfd;
	int self = -1, fd;
	bool ok = false;

	cr_assert_eq(inet_pton(AF_INET, dst, &to.sin_addr), 1);
	if (netns_fd >= 0) {
		self = netns_self();
		cr_assert_eq(netns_enter(netns_fd), 0);
	}
	/* Ping sockets are off by default in a new namespace. */
	cr_assert_eq(sysctl_write("net/ipv4/ping_group_range", "0 0"), 0, "%s", err_get());
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_ICMP);
	if (self >= 0) {
		cr_assert_eq(netns_enter(self), 0);
		close(self);
	}
	cr_assert_geq(fd, 0, "ping socket: %s", strerror(errno));
	cr_assert_eq(sendto(fd, &req, sizeof(req), 0, (struct sockaddr *)&to, sizeof(to)),
		     (ssize_t)sizeof(req), "ping %s: %s", dst, strerror(errno));
	pfd = (struct pollfd){ .fd = fd, .events = POLLIN };
	if (poll(&pfd, 1, 1000) == 1 && recv(fd, &rep, sizeof(rep), 0) == (ssize_t)sizeof(rep))
		ok = rep.type == ICMP_ECHOREPLY;
	close(fd);
	return ok;
}

static void make_netns(const char *name)
{
	err_clear();
	cr_assert_eq(netns_add(name), 0, "netns_add %s: %s", name, err_get());
}

Test(netns, add_lists_and_runs, .init = sandbox_enter, .timeout = 30)
{
	struct stat st;
	int self_before, self_after;
	struct stat sb, sa;

	self_before = netns_self();
	cr_assert_geq(self_before, 0);
	make_netns("tns1");
	/* The caller is back in its own namespace. */
	self_after = netns_self();
	cr_assert_eq(fstat(self_before, &sb), 0);
	cr_assert_eq(fstat(self_after, &sa), 0);
	cr_assert_eq(sb.st_ino, sa.st_ino, "netns_add left the caller in another namespace");
	close(self_before);
	close(self_after);

	cr_assert(netns_exists("tns1"));
	cr_assert_not(netns_exists("tns2"));
	cr_assert_eq(stat(NETNS_RUN_DIR "/tns1", &st), 0);
	cr_assert(mounted(NETNS_RUN_DIR "/tns1"));
	cr_assert_not_null(strstr(mountinfo_line(NETNS_RUN_DIR), " shared:"), "%s",
			   mountinfo_line(NETNS_RUN_DIR));

	cr_assert_eq(sandbox_runf(out, sizeof(out), "ip netns list"), 0, "%s", out);
	cr_assert_not_null(strstr(out, "tns1"), "ip netns list: %s", out);

	cr_assert_eq(sandbox_runf(out, sizeof(out), "ip netns exec tns1 ip -o link"), 0, "%s", out);
	cr_assert_eq(count_lines(out), 1, "expected only lo: %s", out);
	cr_assert_not_null(strstr(out, ": lo:"), "expected only lo: %s", out);

	err_clear();
	cr_assert_eq(netns_add("tns1"), -EEXIST);
	cr_assert_not_null(strstr(err_get(), "tns1"), "%s", err_get());
	cr_assert_not_null(strstr(err_get(), "already exists"), "%s", err_get());
	/* The failed add did not disturb the existing one. */
	cr_assert_eq(sandbox_runf(out, sizeof(out), "ip netns exec tns1 true"), 0, "%s", out);

	/* A second name works too, and the directory is not mounted twice. */
	make_netns("tns2");
	cr_assert_eq(sandbox_runf(out, sizeof(out), "ip netns list"), 0, "%s", out);
	cr_assert_not_null(strstr(out, "tns2"), "ip netns list: %s", out);
}

Test(netns, add_without_run_dir, .init = sandbox_enter, .timeout = 30)
{
	/* As on a machine where nobody used `ip netns` yet: no /run/netns,
	 * so no mount point either (a private tmpfs hides the real /run). */
	cr_assert_eq(mount("ovslab-test", "/run", "tmpfs", 0, "mode=0755"), 0, "%s",
		     strerror(errno));
	make_netns("tns1");
	cr_assert_not_null(strstr(mountinfo_line(NETNS_RUN_DIR), " shared:"), "%s",
			   mountinfo_line(NETNS_RUN_DIR));
	cr_assert(mounted(NETNS_RUN_DIR "/tns1"));
	make_netns("tns2");
	cr_assert_eq(sandbox_runf(out, sizeof(out), "ip netns exec tns2 ip -o link"), 0, "%s", out);
	cr_assert_eq(count_lines(out), 1, "expected only lo: %s", out);
	cr_assert_eq(netns_del("tns1"), 0);
	cr_assert_eq(netns_del("tns2"), 0);
}

static void *add_in_thread(void *arg)
{
	return (void *)(long)netns_add(arg);
}

Test(netns, add_from_a_thread, .init = sandbox_enter, .timeout = 30)
{
	struct rtnl *nl;
	pthread_t t;
	void *ret;
	int self;

	/* Something to tell the sandbox's namespace from a fresh one. */
	self = netns_self();
	cr_assert_eq(rtnl_open(&nl), 0, "%s", err_get());
	cr_assert_eq(rtnl_veth_create(nl, "tx0", "tx0p", self), 0, "%s", err_get());
	rtnl_close(nl);
	close(self);
	cr_assert_eq(pthread_create(&t, NULL, add_in_thread, "tns1"), 0);
	cr_assert_eq(pthread_join(t, &ret), 0);
	cr_assert_eq((long)ret, 0, "%s", err_get());
	cr_assert_eq(sandbox_runf(out, sizeof(out), "ip netns exec tns1 ip -o link"), 0, "%s", out);
	cr_assert_eq(count_lines(out), 1, "expected only lo: %s", out);
	cr_assert_eq(sandbox_runf(out, sizeof(out), "ip -o link"), 0, "%s", out);
	cr_assert_not_null(strstr(out, "tx0"), "%s", out);
}

Test(netns, open_and_enter, .init = sandbox_enter, .timeout = 30)
{
	struct stat a, b;
	int fd, self, cur;

	make_netns("tns1");
	fd = netns_open("tns1");
	cr_assert_geq(fd, 0);
	cr_assert(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	self = netns_self();
	cr_assert_geq(self, 0);
	cr_assert_eq(netns_enter(fd), 0);
	cur = netns_self();
	cr_assert_eq(fstat(cur, &a), 0);
	cr_assert_eq(fstat(fd, &b), 0);
	cr_assert_eq(a.st_ino, b.st_ino);
	cr_assert_eq(netns_enter(self), 0);
	close(cur);
	close(fd);
	close(self);

	err_clear();
	cr_assert_eq(netns_open("nope"), -ENOENT);
	cr_assert_not_null(strstr(err_get(), "nope"), "%s", err_get());
}

Test(netns, del_removes, .init = sandbox_enter, .timeout = 30)
{
	make_netns("tns1");
	cr_assert_eq(netns_del("tns1"), 0);
	cr_assert_not(netns_exists("tns1"));
	cr_assert_neq(access(NETNS_RUN_DIR "/tns1", F_OK), 0);
	cr_assert_not(mounted(NETNS_RUN_DIR "/tns1"));
	cr_assert_eq(sandbox_runf(out, sizeof(out), "ip netns list"), 0, "%s", out);
	cr_assert_null(strstr(out, "tns1"), "ip netns list: %s", out);

	err_clear();
	cr_assert_eq(netns_del("tns1"), -ENOENT);
	cr_assert_not_null(strstr(err_get(), "tns1"), "%s", err_get());

	/* The name can be used again. */
	make_netns("tns1");
	cr_assert_eq(netns_del("tns1"), 0);
}

static pid_t spawn_sleep(const char *ns)
{
	pid_t pid = fork();

	cr_assert_geq(pid, 0);
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDWR);

		dup2(devnull, 0);
		dup2(devnull, 1);
		dup2(devnull, 2);
		execlp("ip", "ip", "netns", "exec", ns, "sleep", "100", (char *)NULL);
		_exit(127);
	}
	return pid;
}

Test(netns, kill_pids_terminates, .init = sandbox_enter, .timeout = 30)
{
	int status;
	pid_t pid;

	make_netns("tns1");
	cr_assert_eq(netns_kill_pids("tns1", 1000), 0);
	pid = spawn_sleep("tns1");
	wait_pids("tns1", 1);
	cr_assert_eq(netns_kill_pids("tns1", 2000), 1);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM, "status %#x", status);
	cr_assert_eq(pids_in("tns1"), 0);
	cr_assert_eq(netns_del("tns1"), 0);

	err_clear();
	cr_assert_eq(netns_kill_pids("tns1", 100), -ENOENT);
}

Test(netns, kill_pids_escalates_and_spares_self, .init = sandbox_enter, .timeout = 30)
{
	int status, self, fd, p[2];
	pid_t pid;
	char c;

	make_netns("tns1");
	fd = netns_open("tns1");
	cr_assert_geq(fd, 0);
	cr_assert_eq(pipe(p), 0);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		/* A process that ignores SIGTERM must still go. */
		signal(SIGTERM, SIG_IGN);
		if (netns_enter(fd) < 0)
			_exit(1);
		if (write(p[1], "x", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(p[1]);
	cr_assert_eq(read(p[0], &c, 1), 1);
	close(p[0]);

	/* The caller itself inside the namespace is never signalled. */
	self = netns_self();
	cr_assert_eq(netns_enter(fd), 0);
	cr_assert_eq(pids_in("tns1"), 2);
	cr_assert_eq(netns_kill_pids("tns1", 200), 1);
	cr_assert_eq(netns_enter(self), 0);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "status %#x", status);
	close(self);
	close(fd);
}

struct veth_fixture {
	struct rtnl *nl;
	struct rtnl *nl_in;
	int fd;
};

static void veth_setup(struct veth_fixture *f)
{
	make_netns("tns1");
	f->fd = netns_open("tns1");
	cr_assert_geq(f->fd, 0);
	cr_assert_eq(rtnl_open(&f->nl), 0, "%s", err_get());
	cr_assert_eq(rtnl_open_in(f->fd, &f->nl_in), 0, "%s", err_get());
	cr_assert_eq(rtnl_veth_create(f->nl, "tv0", "tv0p", f->fd), 0, "%s", err_get());
}

static void veth_teardown(struct veth_fixture *f)
{
	rtnl_close(f->nl);
	rtnl_close(f->nl_in);
	close(f->fd);
}

Test(rtnl, veth_peer_inside, .init = sandbox_enter, .timeout = 30)
{
	struct veth_fixture f;
	int self, idx;
	struct stat a, b;

	self = netns_self();
	veth_setup(&f);
	/* rtnl_open_in came back to where it started. */
	cr_assert_eq(fstat(self, &a), 0);
	close(self);
	self = netns_self();
	cr_assert_eq(fstat(self, &b), 0);
	cr_assert_eq(a.st_ino, b.st_ino);
	close(self);

	cr_assert_eq(sandbox_runf(out, sizeof(out), "ip netns exec tns1 ip -o link"), 0, "%s", out);
	cr_assert_not_null(strstr(out, ": tv0p@"), "inside: %s", out);
	cr_assert_null(strstr(out, ": tv0@"), "inside: %s", out);
	cr_assert_eq(sandbox_runf(out, sizeof(out), "ip -o link"), 0, "%s", out);
	cr_assert_not_null(strstr(out, ": tv0@"), "outside: %s", out);
	cr_assert_null(strstr(out, "tv0p"), "outside: %s", out);

	idx = rtnl_link_index(f.nl, "tv0");
	cr_assert_gt(idx, 0);
	cr_assert_eq(rtnl_link_index(f.nl, "tv0p"), -ENODEV);
	cr_assert_gt(rtnl_link_index(f.nl_in, "tv0p"), 0);
	cr_assert_eq(rtnl_link_index(f.nl_in, "tv0"), -ENODEV);

	err_clear();
	cr_assert_eq(rtnl_veth_create(f.nl, "tv0", "tv1p", f.fd), -EEXIST);
	cr_assert_not_null(strstr(err_get(), "\"tv0\""), "%s", err_get());
	err_clear();
	cr_assert_eq(rtnl_veth_create(f.nl, "tv1", "tv0p", f.fd), -EEXIST);
	cr_assert_not_null(strstr(err_get(), "\"tv0p\""), "%s", err_get());
	cr_assert_eq(rtnl_link_index(f.nl, "tv1"), -ENODEV);

	cr_assert_eq(rtnl_link_del(f.nl, "tv0"), 0, "%s", err_get());
	cr_assert_eq(rtnl_link_index(f.nl, "tv0"), -ENODEV);
	cr_assert_eq(rtnl_link_index(f.nl_in, "tv0p"), -ENODEV);
	err_clear();
	/* A missing interface is an answer: no message that could outlive it. */
	cr_assert_eq(rtnl_link_del(f.nl, "tv0"), -ENODEV);
	cr_assert_str_eq(err_get(), "", "%s", err_get());
	veth_teardown(&f);
}

struct addr_seen {
	struct lab_addr want[4];
	int n_want;
	int found;
	int total;
};

static void addr_seen_cb(const struct lab_addr *a, void *arg)
{
	struct addr_seen *s = arg;
	size_t len = a->family == AF_INET ? sizeof(a->v4) : sizeof(a->v6);

	s->total++;
	for (int i = 0; i < s->n_want; i++)
		if (a->family == s->want[i].family && a->prefix == s->want[i].prefix &&
		    !memcmp(&a->v6, &s->want[i].v6, len))
			s->found |= 1 << i;
}

Test(rtnl, addresses_routes_ping, .init = sandbox_enter, .timeout = 60)
{
	struct veth_fixture f;
	struct lab_addr out_a = addr4("10.200.0.1", 24), in_a = addr4("10.200.0.2", 24);
	struct lab_addr lo_a = addr4("10.201.0.1", 32), v6 = addr6("2001:db8:200::1", 64);
	struct lab_addr net201 = addr4("10.201.0.0", 24), net202 = addr4("10.202.0.0", 24);
	struct lab_addr gw_out = addr4("10.200.0.2", 0), gw_in = addr4("10.200.0.1", 0);
	struct lab_addr none = { 0 };
	struct addr_seen seen = { .want = { out_a, v6 }, .n_want = 2 };
	int out_idx, in_idx, lo_idx;

	veth_setup(&f);
	out_idx = rtnl_link_index(f.nl, "tv0");
	in_idx = rtnl_link_index(f.nl_in, "tv0p");
	lo_idx = rtnl_link_index(f.nl_in, "lo");
	cr_assert_gt(out_idx, 0);
	cr_assert_gt(in_idx, 0);
	cr_assert_gt(lo_idx, 0);

	cr_assert_eq(rtnl_addr_add(f.nl, out_idx, &out_a), 0, "%s", err_get());
	cr_assert_eq(rtnl_addr_add(f.nl, out_idx, &v6), 0, "%s", err_get());
	cr_assert_eq(rtnl_link_up(f.nl, out_idx), 0, "%s", err_get());
	cr_assert_eq(rtnl_addr_add(f.nl_in, in_idx, &in_a), 0, "%s", err_get());
	cr_assert_eq(rtnl_addr_add(f.nl_in, lo_idx, &lo_a), 0, "%s", err_get());
	cr_assert_eq(rtnl_link_up(f.nl_in, in_idx), 0, "%s", err_get());
	cr_assert_eq(rtnl_link_up(f.nl_in, lo_idx), 0, "%s", err_get());

	err_clear();
	cr_assert_eq(rtnl_addr_add(f.nl, out_idx, &out_a), -EEXIST);
	cr_assert_not_null(strstr(err_get(), "tv0: "), "%s", err_get());
	cr_assert_not_null(strstr(err_get(), "10.200.0.1/24"), "%s", err_get());

	/* Outside: a gateway route.  Inside: a default route through a gateway
	 * with the device left to the kernel, and a link-scope route. */
	cr_assert_eq(rtnl_route_add(f.nl, &net201, &gw_out, out_idx), 0, "%s", err_get());
	cr_assert_eq(rtnl_route_add(f.nl_in, &none, &gw_in, 0), 0, "%s", err_get());
	cr_assert_eq(rtnl_route_add(f.nl_in, &net202, &none, in_idx), 0, "%s", err_get());
	err_clear();
	cr_assert_eq(rtnl_route_add(f.nl, &net201, &gw_out, out_idx), -EEXIST);
	cr_assert_not_null(strstr(err_get(), "10.201.0.0/24"), "%s", err_get());

	cr_assert_eq(sandbox_runf(out, sizeof(out), "ip route show 10.201.0.0/24"), 0);
	cr_assert_not_null(strstr(out, "via 10.200.0.2 dev tv0"), "%s", out);
	cr_assert_eq(sandbox_runf(out, sizeof(out), "ip netns exec tns1 ip route"), 0);
	cr_assert_not_null(strstr(out, "default via 10.200.0.1 dev tv0p"), "%s", out);
	cr_assert_not_null(strstr(out, "10.202.0.0/24 dev tv0p proto static scope link"), "%s",
			   out);

	cr_assert(ping4(f.fd, "10.200.0.1"), "no echo reply from 10.200.0.1 inside tns1");
	/* Only reachable through the gateway route outside. */
	cr_assert(ping4(-1, "10.201.0.1"), "no echo reply from 10.201.0.1");

	cr_assert_eq(rtnl_addr_list(f.nl, out_idx, addr_seen_cb, &seen), 0, "%s", err_get());
	cr_assert_eq(seen.found, 3, "found %#x of %d", seen.found, seen.total);
	veth_teardown(&f);
}

Test(rtnl, default_route_dev, .init = sandbox_enter, .timeout = 30)
{
	struct veth_fixture f;
	struct lab_addr a = addr4("10.203.0.1", 24), gw = addr4("10.203.0.254", 0);
	struct lab_addr in_a = addr4("10.204.0.1", 24), in_gw = addr4("10.204.0.254", 0);
	struct lab_addr none = { 0 };
	char name[IF_NAMESIZE];
	int self, idx, in_idx;

	veth_setup(&f);
	err_clear();
	cr_assert_eq(rtnl_default_route_dev(f.nl, name), -ENOENT);
	cr_assert(err_isset());

	/* Both ends in the sandbox, with a second pair so the default route is
	 * not simply on the first interface. */
	self = netns_self();
	cr_assert_eq(rtnl_veth_create(f.nl, "up0", "up0p", self), 0, "%s", err_get());
	cr_assert_eq(rtnl_veth_create(f.nl, "up1", "up1p", self), 0, "%s", err_get());
	close(self);
	idx = rtnl_link_index(f.nl, "up1");
	cr_assert_eq(rtnl_addr_add(f.nl, idx, &a), 0, "%s", err_get());
	cr_assert_eq(rtnl_link_up(f.nl, idx), 0, "%s", err_get());
	cr_assert_eq(rtnl_route_add(f.nl, &none, &gw, idx), 0, "%s", err_get());
	cr_assert_eq(sandbox_runf(out, sizeof(out), "ip route show default"), 0);
	cr_assert_not_null(strstr(out, "default via 10.203.0.254 dev up1"), "%s", out);
	cr_assert_eq(rtnl_default_route_dev(f.nl, name), 0, "%s", err_get());
	cr_assert_str_eq(name, "up1");

	/* Inside the namespace, asked through its socket from out here: the
	 * name must come from the socket's namespace, not the thread's. */
	in_idx = rtnl_link_index(f.nl_in, "tv0p");
	cr_assert_eq(rtnl_addr_add(f.nl_in, in_idx, &in_a), 0, "%s", err_get());
	cr_assert_eq(rtnl_link_up(f.nl_in, in_idx), 0, "%s", err_get());
	cr_assert_eq(rtnl_route_add(f.nl_in, &none, &in_gw, in_idx), 0, "%s", err_get());
	cr_assert_eq(rtnl_default_route_dev(f.nl_in, name), 0, "%s", err_get());
	cr_assert_str_eq(name, "tv0p");
	veth_teardown(&f);
}

Test(ethtool, tx_csum_off, .init = sandbox_enter, .timeout = 30)
{
	struct veth_fixture f;
	int self;

	veth_setup(&f);
	cr_assert_eq(sandbox_runf(out, sizeof(out), "ethtool -k tv0"), 0, "%s", out);
	cr_assert_not_null(strstr(out, "tx-checksumming: on"), "%s", out);
	cr_assert_eq(ethtool_tx_csum_off("tv0"), 0, "%s", err_get());
	cr_assert_eq(sandbox_runf(out, sizeof(out), "ethtool -k tv0"), 0, "%s", out);
	cr_assert_not_null(strstr(out, "tx-checksumming: off"), "%s", out);

	/* In the namespace the thread is in, not the process's first one. */
	self = netns_self();
	cr_assert_eq(netns_enter(f.fd), 0);
	cr_assert_eq(ethtool_tx_csum_off("tv0p"), 0, "%s", err_get());
	cr_assert_eq(netns_enter(self), 0);
	close(self);
	cr_assert_eq(sandbox_runf(out, sizeof(out), "ip netns exec tns1 ethtool -k tv0p"), 0, "%s",
		     out);
	cr_assert_not_null(strstr(out, "tx-checksumming: off"), "%s", out);

	err_clear();
	cr_assert_eq(ethtool_tx_csum_off("nope0"), -ENODEV);
	cr_assert_not_null(strstr(err_get(), "nope0: cannot turn off TX checksum offload"), "%s",
			   err_get());
	veth_teardown(&f);
}

Test(sysctl, round_trip, .init = sandbox_enter, .timeout = 30)
{
	char buf[64];
	int self, fd;

	cr_assert_eq(sysctl_write("net/ipv4/ip_forward", "1"), 0, "%s", err_get());
	cr_assert_eq(sysctl_read("net/ipv4/ip_forward", buf, sizeof(buf)), 0, "%s", err_get());
	cr_assert_str_eq(buf, "1");
	cr_assert_eq(sysctl_write("net/ipv4/ip_forward", "0"), 0, "%s", err_get());
	cr_assert_eq(sysctl_read("net/ipv4/ip_forward", buf, sizeof(buf)), 0, "%s", err_get());
	cr_assert_str_eq(buf, "0");

	/* Per namespace: a write inside another namespace stays there. */
	make_netns("tns1");
	fd = netns_open("tns1");
	self = netns_self();
	cr_assert_eq(netns_enter(fd), 0);
	cr_assert_eq(sysctl_write("net/ipv4/ip_forward", "1"), 0, "%s", err_get());
	cr_assert_eq(netns_enter(self), 0);
	cr_assert_eq(sysctl_read("net/ipv4/ip_forward", buf, sizeof(buf)), 0, "%s", err_get());
	cr_assert_str_eq(buf, "0");
	cr_assert_eq(sandbox_runf(out, sizeof(out), "ip netns exec tns1 cat /proc/sys/net/ipv4/ip_forward"),
		     0, "%s", out);
	cr_assert_str_eq(out, "1\n");
	close(fd);
	close(self);

	err_clear();
	cr_assert_eq(sysctl_read("net/ipv4/no_such_key", buf, sizeof(buf)), -ENOENT);
	cr_assert_not_null(strstr(err_get(), "net/ipv4/no_such_key"), "%s", err_get());
}
