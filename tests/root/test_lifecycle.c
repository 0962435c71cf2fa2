/* The lab lifecycle tools: the per-lab lock, `ls` and `gc`.  The functions
 * are called directly where the binary is not needed; labs are brought up
 * (and interrupted) through the binary, as a user would.  Each test runs in
 * its own sandbox (tests/sandbox.h). */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <dirent.h>
#include <grp.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/err.h"
#include "cmd/cmd.h"
#include "journal/lock.h"
#include "firewall/iptc.h"
#include "journal/journal.h"
#include "switch/switchd.h"

#include "sandbox.h"

#define OUT_SERVER SANDBOX_OUT_SERVER
#define OUT_UPLINK SANDBOX_OUT_UPLINK
#define BIG_HOSTS 200

static char buf[65536];

/* A default route for `uplink: auto`, through a namespace this test makes. */
static void outside_remove(void)
{
	sandbox_runf(buf, sizeof(buf), "ip link del up0");
	sandbox_runf(buf, sizeof(buf), "ip netns del outside");
}

static int ovslab(char *out, size_t len, const char *args)
{
	return sandbox_runf(out, len, "%s %s", sandbox_ovslab(), args);
}

static void up_int_br(void)
{
	char cmd[4200];

	snprintf(cmd, sizeof(cmd), "up %s", sandbox_fixture("int_br.yaml"));
	cr_assert_eq(ovslab(buf, sizeof(buf), cmd), 0, "ovslab up failed: %s", buf);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* What cmd_ls or cmd_gc print, as a string (the caller frees it). */
static char *capture_ls(bool json)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int ret;

	cr_assert_not_null(f);
	ret = cmd_ls(json, f);
	fclose(f);
	cr_assert_eq(ret, 0, "cmd_ls: %d %s", ret, err_get());
	return text;
}

static char *capture_gc(int *ret)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	cr_assert_not_null(f);
	err_clear();
	*ret = cmd_gc(f);
	fclose(f);
	return text;
}

/* The ls line of a lab, split into its columns. */
static bool ls_row(const char *text, const char *lab, size_t *hosts, char *sw, char *state)
{
	char name[64];

	for (const char *line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		if (sscanf(line, "%63s %zu %15s %15s", name, hosts, sw, state) == 4 &&
		    !strcmp(name, lab))
			return true;
	}
	return false;
}

static void assert_no_switch_left(void)
{
	cr_assert_not(sandbox_proc_running("ovs-vswitchd"), "ovs-vswitchd still running");
	cr_assert_not(sandbox_proc_running("ovsdb-server"), "ovsdb-server still running");
}

/* Nothing in /run/ovslab but dot files of labs other than `lab`. */
static void assert_no_record(const char *lab)
{
	char path[256];

	snprintf(path, sizeof(path), "/run/ovslab/%s", lab);
	cr_assert_eq(access(path, F_OK), -1, "%s left", path);
	snprintf(path, sizeof(path), "/run/ovslab/.%s.lock", lab);
	cr_assert_eq(access(path, F_OK), -1, "%s left", path);
}

/* A child that holds the lab's lock until told to let go through *release. */
static pid_t hold_lock(const char *lab, int *release)
{
	int ready[2], done[2];
	pid_t pid;
	char c;

	cr_assert_eq(pipe(ready), 0);
	cr_assert_eq(pipe(done), 0);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		int fd = lock_lab(lab, -1);

		close(ready[0]);
		close(done[1]);
		if (fd < 0 || write(ready[1], "r", 1) != 1)
			_exit(1);
		if (read(done[0], &c, 1) < 0)
			_exit(2);
		lock_unlock(lab, fd, true);
		_exit(0);
	}
	close(ready[1]);
	close(done[0]);
	cr_assert_eq(read(ready[0], &c, 1), 1, "the child could not take the lock of %s", lab);
	close(ready[0]);
	*release = done[1];
	return pid;
}

static int wait_status(pid_t pid)
{
	int st;

	cr_assert_eq(waitpid(pid, &st, 0), pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void release_lock(pid_t pid, int release)
{
	cr_assert_eq(write(release, "g", 1), 1);
	close(release);
	cr_assert_eq(wait_status(pid), 0);
}

TestSuite(lifecycle, .init = sandbox_enter, .timeout = 180);

Test(lifecycle, lock_excludes_the_same_lab_only)
{
	long long t0;
	int release, fd, fy;
	pid_t child;

	child = hold_lock("x", &release);
	t0 = now_ms();
	err_clear();
	fd = lock_lab("x", 200);
	cr_assert_eq(fd, -ETIMEDOUT, "lock_lab of a held lock returned %d", fd);
	cr_assert_geq(now_ms() - t0, 190, "gave up after %lld ms", now_ms() - t0);
	cr_assert_lt(now_ms() - t0, 2000, "waited %lld ms", now_ms() - t0);
	cr_assert_str_eq(err_get(), "x: another ovslab command is working on this lab");
	err_clear();
	cr_assert(lock_lab_busy("x"));

	/* Another lab is not held up. */
	fy = lock_lab("y", 200);
	cr_assert_geq(fy, 0, "lock of y: %s", err_get());
	cr_assert(lock_lab_busy("y"), "a lock held by this process is not seen busy");
	lock_unlock("y", fy, true);
	cr_assert_eq(access("/run/ovslab/.y.lock", F_OK), -1);
	cr_assert_not(lock_lab_busy("y"));
	cr_assert_eq(access("/run/ovslab/.y.lock", F_OK), -1, "lock_lab_busy created the file");

	release_lock(child, release);
	fd = lock_lab("x", 200);
	cr_assert_geq(fd, 0, "lock of x after the holder left: %s", err_get());
	lock_unlock("x", fd, true);
	cr_assert_eq(access("/run/ovslab/.x.lock", F_OK), -1, "lock file left after remove");
	cr_assert_not(lock_lab_busy("x"));
}

/* A waiter on a lock file that its holder unlinks on release must end up
 * holding the file the path names, not the orphaned one. */
Test(lifecycle, lock_survives_remove_by_the_holder)
{
	struct stat held, named;
	int release, fd, fd2;
	pid_t child;

	child = hold_lock("x", &release);
	if (fork() == 0) {
		usleep(300000);
		_exit(write(release, "g", 1) == 1 ? 0 : 1);
	}
	fd = lock_lab("x", 5000);
	cr_assert_geq(fd, 0, "%s", err_get());
	cr_assert_eq(wait_status(child), 0);
	while (wait(NULL) > 0)
		;
	close(release);
	cr_assert_eq(fstat(fd, &held), 0);
	cr_assert_eq(stat("/run/ovslab/.x.lock", &named), 0, "the lock file is gone");
	cr_assert_eq(held.st_ino, named.st_ino, "holding an unlinked lock file");
	cr_assert(lock_lab_busy("x"));
	fd2 = lock_lab("x", 0);
	cr_assert_eq(fd2, -ETIMEDOUT);
	err_clear();
	lock_unlock("x", fd, true);
	cr_assert_eq(access("/run/ovslab/.x.lock", F_OK), -1);
}

/* Whether user nobody can open path: tried in a child that drops to it. */
static bool nobody_can_open(const char *path)
{
	int status;
	pid_t pid = fork();

	cr_assert_geq(pid, 0);
	if (pid == 0) {
		if (setgroups(0, NULL) < 0 || setgid(65534) < 0 || setuid(65534) < 0)
			_exit(2);
		_exit(open(path, O_RDONLY | O_CLOEXEC) >= 0 ? 0 : errno == EACCES ? 1 : 3);
	}
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) <= 1,
		  "the child as nobody failed: status %d", status);
	return WEXITSTATUS(status) == 0;
}

/* Anyone who can open a lock can flock it and hold root's commands off. */
Test(lifecycle, locks_are_root_only)
{
	const char *path = "/run/ovslab/.x.lock", *old = "/run/ovslab/.y.lock";
	struct stat sb;
	mode_t mask = umask(0);
	int fd;

	fd = lock_lab("x", 200);
	umask(mask);
	cr_assert_geq(fd, 0, "lock_lab: %s", err_get());
	cr_assert_eq(stat(path, &sb), 0);
	cr_expect_eq(sb.st_mode & 07777, 0600, "a new lock has mode %o", sb.st_mode & 07777);
	cr_expect_not(nobody_can_open(path), "user nobody can open %s", path);
	lock_unlock("x", fd, false);

	/* As an older ovslab left it: narrowed before it is used. */
	fd = open(old, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	cr_assert_geq(fd, 0);
	cr_assert_eq(fchmod(fd, 0644), 0);
	close(fd);
	cr_assert(nobody_can_open(old), "the test's 0644 lock is not open to nobody");
	fd = lock_lab("y", 200);
	cr_assert_geq(fd, 0, "lock_lab: %s", err_get());
	cr_assert_eq(stat(old, &sb), 0);
	cr_expect_eq(sb.st_mode & 07777, 0600, "an old lock kept mode %o", sb.st_mode & 07777);
	cr_expect_not(nobody_can_open(old), "user nobody can open %s", old);
	lock_unlock("y", fd, true);
}

Test(lifecycle, ls_without_labs)
{
	char *t = capture_ls(false);

	cr_assert_str_eq(t, "NAME            HOSTS  SWITCH   STATE\n");
	free(t);
	t = capture_ls(true);
	cr_assert_str_eq(t, "[]\n");
	free(t);
}

Test(lifecycle, ls_shows_a_lab_up_and_busy)
{
	size_t hosts = 0;
	char sw[16] = "", state[16] = "";
	int release;
	pid_t child;
	char *t;

	sandbox_outside();
	up_int_br();
	t = capture_ls(false);
	cr_assert(ls_row(t, "seed", &hosts, sw, state), "no seed line: %s", t);
	cr_assert_eq(hosts, 2, "%s", t);
	cr_assert_str_eq(sw, "private", "%s", t);
	cr_assert_str_eq(state, "up", "%s", t);
	cr_assert(!strncmp(t, "NAME ", 5), "no header: %s", t);
	free(t);
	t = capture_ls(true);
	cr_assert_not_null(strstr(t, "{\"name\":\"seed\",\"hosts\":2,\"switch\":\"private\",\"state\":\"up\"}"),
			   "%s", t);
	cr_assert_eq(t[0], '[', "%s", t);
	cr_assert_not_null(strstr(t, "]\n"), "%s", t);
	free(t);

	/* While a command holds the lab's lock, the lab is busy. */
	child = hold_lock("seed", &release);
	t = capture_ls(false);
	cr_assert(ls_row(t, "seed", &hosts, sw, state), "%s", t);
	cr_assert_str_eq(state, "busy", "%s", t);
	free(t);
	release_lock(child, release);

	/* Through the binary, as a user runs it. */
	cr_assert_eq(ovslab(buf, sizeof(buf), "ls"), 0, "ovslab ls: %s", buf);
	cr_assert(ls_row(buf, "seed", &hosts, sw, state), "%s", buf);
	cr_assert_str_eq(state, "up", "%s", buf);
	cr_assert_eq(ovslab(buf, sizeof(buf), "ls --json"), 0, "ovslab ls --json: %s", buf);
	cr_assert_not_null(strstr(buf, "\"name\":\"seed\",\"hosts\":2"), "%s", buf);

	cr_assert_eq(ovslab(buf, sizeof(buf), "down seed"), 0, "%s", buf);
	assert_no_record("seed");
	assert_no_switch_left();
	t = capture_ls(true);
	cr_assert_str_eq(t, "[]\n");
	free(t);
	outside_remove();
}

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

/* int_br's topology with BIG_HOSTS hosts and no NAT. */
static void big_write(const char *path)
{
	FILE *f = fopen(path, "w");

	cr_assert_not_null(f);
	fprintf(f, "name: big\nbridges:\n  bigbr:\n    gateway: 10.50.0.254/24\n    nat: false\nhosts:\n");
	for (int i = 1; i <= BIG_HOSTS; i++)
		fprintf(f, "  h%d:\n    bridge: bigbr\n    address: 10.50.0.%d/24\n", i, i);
	cr_assert_eq(fclose(f), 0);
}

static int journal_netns_lines(const char *lab)
{
	char path[256], line[512];
	int n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/run/ovslab/%s/journal", lab);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		n += !strncmp(line, "netns ", 6);
	fclose(f);
	return n;
}


Test(lifecycle, gc_cleans_up_after_a_killed_up, .timeout = 300)
{
	char dir[] = SANDBOX_FILES "/gc-XXXXXX";
	char file[64];
	size_t hosts = 0;
	char sw[16] = "", state[16] = "";
	long long deadline;
	int ret, n;
	pid_t up;
	char *t;

	cr_assert_not_null(mkdtemp(dir));
	snprintf(file, sizeof(file), "%s/big.yaml", dir);
	big_write(file);
	up = sandbox_ovslab_spawn("up", file);
	deadline = now_ms() + 60000;
	while ((n = journal_netns_lines("big")) < 20 && now_ms() < deadline)
		usleep(5000);
	kill(up, SIGKILL);
	cr_assert_eq(wait_status(up), 128 + SIGKILL, "up ended before it was killed");
	nftw(dir, rm_one, 4, FTW_DEPTH | FTW_PHYS);
	cr_assert_geq(n, 20, "up made only %d namespaces in 60 s", n);
	cr_assert_lt(journal_netns_lines("big"), BIG_HOSTS, "up finished before it was killed");

	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip netns list"), 0);
	cr_assert_not_null(strstr(buf, "h1"), "the killed up made no namespace: %s", buf);
	t = capture_ls(false);
	cr_assert(ls_row(t, "big", &hosts, sw, state), "%s", t);
	cr_assert_str_eq(state, "incomplete", "%s", t);
	cr_assert_geq(hosts, 20, "%s", t);
	cr_assert_str_eq(sw, "private", "%s", t);
	free(t);

	t = capture_gc(&ret);
	cr_assert_eq(ret, 0, "gc failed: %s (%s)", err_get(), t);
	cr_assert_not_null(strstr(t, "gc: lab big: removed what an interrupted run left ("), "%s", t);
	free(t);

	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip netns list"), 0);
	cr_assert_str_eq(buf, "", "namespaces left: %s", buf);
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip -o link show type veth"), 0);
	cr_assert_str_eq(buf, "", "veth left: %s", buf);
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip -o link show"), 0);
	cr_assert_null(strstr(buf, "bigbr"), "interface left: %s", buf);
	cr_assert_null(strstr(buf, "ovs-netdev"), "interface left: %s", buf);
	assert_no_switch_left();
	assert_no_record("big");
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "iptables-legacy-save"), 0);
	cr_assert_null(strstr(buf, "ovslab"), "iptables rule left: %s", buf);
	t = capture_ls(true);
	cr_assert_str_eq(t, "[]\n");
	free(t);

	t = capture_gc(&ret);
	cr_assert_eq(ret, 0, "%s", err_get());
	cr_assert_str_eq(t, "gc: nothing to do\n");
	free(t);
}

Test(lifecycle, gc_leaves_a_complete_lab_alone)
{
	size_t hosts = 0;
	char sw[16] = "", state[16] = "";
	int ret;
	char *t;

	sandbox_outside();
	up_int_br();
	t = capture_gc(&ret);
	cr_assert_eq(ret, 0, "%s", err_get());
	cr_assert_str_eq(t, "gc: nothing to do\n");
	free(t);
	t = capture_ls(false);
	cr_assert(ls_row(t, "seed", &hosts, sw, state), "%s", t);
	cr_assert_str_eq(state, "up", "%s", t);
	cr_assert_eq(hosts, 2);
	free(t);
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip netns exec ns01 ping -c 1 -W 2 192.168.100.2"), 0, "%s", buf);
	/* The backend auto chose: nftables, or legacy on an iptables-legacy machine. */
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "nft list ruleset"), 0);
	if (!strstr(buf, "ovslab:seed"))
		cr_assert_eq(sandbox_runf(buf, sizeof(buf), "iptables-legacy-save -t nat"), 0);
	cr_assert_not_null(strstr(buf, "ovslab:seed"), "gc took the lab's NAT rule: %s", buf);
	cr_assert(sandbox_proc_running("ovs-vswitchd"), "gc stopped the lab's switch");

	/* Through the binary as well. */
	cr_assert_eq(ovslab(buf, sizeof(buf), "gc"), 0, "ovslab gc: %s", buf);
	cr_assert_str_eq(buf, "gc: nothing to do\n");
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip netns exec ns02 ping -c 1 -W 2 192.168.100.1"), 0, "%s", buf);

	cr_assert_eq(ovslab(buf, sizeof(buf), "down seed"), 0, "%s", buf);
	assert_no_record("seed");
	assert_no_switch_left();
	outside_remove();
}

Test(lifecycle, gc_removes_orphan_rules_only)
{
	struct lab_addr gw = { .family = AF_INET, .prefix = 24 };
	struct journal keep;
	int ret;
	char *t;

	inet_pton(AF_INET, "10.60.0.254", &gw.v4);
	cr_assert_eq(fw_iptc_add("ghost", "ghostbr", &gw, "up9", false), 0, "%s", err_get());
	inet_pton(AF_INET, "10.61.0.254", &gw.v4);
	cr_assert_eq(fw_iptc_add("keep", "keepbr", &gw, "up9", false), 0, "%s", err_get());
	/* A lab with a record keeps its rules, complete or not. */
	cr_assert_eq(journal_create("keep", "name: keep\n", 11, &keep), 0, "%s", err_get());
	cr_assert_eq(journal_add(&keep, JOURNAL_COMPLETE, "1"), 0);
	journal_close(&keep);
	cr_assert_eq(sandbox_runf(buf, sizeof(buf),
				  "iptables-legacy -A FORWARD -i foreign0 -j ACCEPT -m comment --comment notovslab"),
		     0, "%s", buf);
	cr_assert_eq(sandbox_runf(buf, sizeof(buf),
				  "iptables-legacy -t nat -A POSTROUTING -s 10.70.0.0/24 -j MASQUERADE"),
		     0, "%s", buf);

	t = capture_gc(&ret);
	cr_assert_eq(ret, 0, "%s", err_get());
	cr_assert_not_null(strstr(t, "gc: removed 3 firewall rules of lab ghost (no record)\n"), "%s", t);
	cr_assert_null(strstr(t, "keep"), "%s", t);
	free(t);

	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "iptables-legacy-save"), 0);
	cr_assert_null(strstr(buf, "ovslab:ghost"), "orphan rule left: %s", buf);
	cr_assert_not_null(strstr(buf, "ovslab:keep"), "a recorded lab's rule was removed: %s", buf);
	cr_assert_not_null(strstr(buf, "notovslab"), "a foreign rule was removed: %s", buf);
	cr_assert_not_null(strstr(buf, "10.70.0.0/24"), "a foreign rule was removed: %s", buf);
	assert_no_record("ghost");

	cr_assert_eq(fw_iptc_remove("keep"), 3);
	cr_assert_eq(journal_open("keep", &keep), 0);
	cr_assert_eq(journal_remove(&keep), 0);
	journal_close(&keep);
	sandbox_runf(buf, sizeof(buf), "iptables-legacy -D FORWARD -i foreign0 -j ACCEPT -m comment --comment notovslab");
	sandbox_runf(buf, sizeof(buf), "iptables-legacy -t nat -D POSTROUTING -s 10.70.0.0/24 -j MASQUERADE");
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "iptables-legacy-save"), 0);
	cr_assert_null(strstr(buf, "-A "), "rules left: %s", buf);
}

static void private_switch_start(void)
{
	struct switchd sw;

	cr_assert_eq(switchd_start(SWITCHD_PRIVATE_DIR, &sw), 0, "%s", err_get());
	cr_assert(sw.private);
	cr_assert(sandbox_proc_running("ovs-vswitchd"));
	cr_assert(sandbox_proc_running("ovsdb-server"));
}

/* ovslab's private switch with no lab record left to use it: gc stops it,
 * by its own exit when its directory is there, by signal when only the
 * processes are left. */
Test(lifecycle, gc_stops_the_unused_private_switch)
{
	int ret;
	char *t;

	private_switch_start();
	t = capture_gc(&ret);
	cr_assert_eq(ret, 0, "%s", err_get());
	cr_assert_str_eq(t, "gc: stopped ovslab's private switch (2 processes; no lab uses it)\n");
	free(t);
	assert_no_switch_left();
	cr_assert_eq(access(SWITCHD_PRIVATE_DIR, F_OK), -1, "the switch's directory is left");

	private_switch_start();
	cr_assert_eq(nftw(SWITCHD_PRIVATE_DIR, rm_one, 8, FTW_DEPTH | FTW_PHYS), 0);
	t = capture_gc(&ret);
	cr_assert_eq(ret, 0, "%s", err_get());
	cr_assert_str_eq(t, "gc: stopped ovslab's private switch (2 processes; no lab uses it)\n");
	free(t);
	assert_no_switch_left();

	t = capture_gc(&ret);
	cr_assert_str_eq(t, "gc: nothing to do\n");
	free(t);
	cr_assert_eq(access("/run/ovslab/..switch.lock", F_OK), -1, "the switch's lock file is left");
}

/* Rows of a lab without a record go; the rows of a lab with one, and rows
 * not marked at all, stay, and so does the switch that still serves a lab. */
Test(lifecycle, gc_removes_orphan_rows_only)
{
	const char *db = "--db=unix:" SWITCHD_PRIVATE_DIR "/db.sock";
	struct journal keep;
	int ret;
	char *t;

	private_switch_start();
	cr_assert_eq(journal_create("keep", "name: keep\n", 11, &keep), 0, "%s", err_get());
	cr_assert_eq(journal_add(&keep, JOURNAL_SWITCH, "private %s", SWITCHD_PRIVATE_DIR), 0);
	cr_assert_eq(journal_add(&keep, JOURNAL_COMPLETE, "1"), 0);
	journal_close(&keep);
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ovs-vsctl %s add-br ghostbr -- set Bridge ghostbr "
				  "datapath_type=netdev external_ids:ovslab-lab=ghost", db), 0, "%s", buf);
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ovs-vsctl %s add-br keepbr -- set Bridge keepbr "
				  "datapath_type=netdev external_ids:ovslab-lab=keep", db), 0, "%s", buf);
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ovs-vsctl %s add-br foreignbr -- set Bridge foreignbr "
				  "datapath_type=netdev", db), 0, "%s", buf);

	t = capture_gc(&ret);
	cr_assert_eq(ret, 0, "%s", err_get());
	cr_assert_not_null(strstr(t, "gc: removed OVS rows of lab ghost from unix:" SWITCHD_PRIVATE_DIR
				  "/db.sock (no record)\n"), "%s", t);
	cr_assert_null(strstr(t, "keep"), "%s", t);
	cr_assert_null(strstr(t, "stopped"), "%s", t);
	free(t);
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ovs-vsctl %s list-br", db), 0, "%s", buf);
	cr_assert_str_eq(buf, "foreignbr\nkeepbr\n");
	assert_no_record("ghost");

	/* Once the last lab is gone, the switch goes, but not while it holds
	 * a bridge ovslab did not make. */
	cr_assert_eq(journal_open("keep", &keep), 0);
	cr_assert_eq(journal_remove(&keep), 0);
	journal_close(&keep);
	t = capture_gc(&ret);
	cr_assert_eq(ret, 0, "%s", err_get());
	cr_assert_not_null(strstr(t, "gc: left ovslab's private switch running, because it holds "
				  "bridge foreignbr, which ovslab did not make\n"), "%s", t);
	free(t);
	cr_assert(sandbox_proc_running("ovs-vswitchd"), "gc stopped the switch of foreignbr");
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ovs-vsctl %s del-br foreignbr", db), 0, "%s", buf);
	t = capture_gc(&ret);
	cr_assert_eq(ret, 0, "%s", err_get());
	cr_assert_not_null(strstr(t, "gc: stopped ovslab's private switch"), "%s", t);
	free(t);
	assert_no_switch_left();
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip -o link show"), 0);
	cr_assert_null(strstr(buf, "ovs-netdev"), "interface left: %s", buf);
	cr_assert_null(strstr(buf, "keepbr"), "interface left: %s", buf);
}

/* A small lab file of its own: NAME with one bridge NAME_br (subnet
 * 10.NET.0.0/24) and HOSTS hosts NAME_hI, with NAT when asked. */
static void small_lab(const char *name, int net, int hosts, bool nat, const char *host_extra)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), SANDBOX_FILES "/%s.yaml", name);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fprintf(f, "name: %s\nbridges:\n  %s_br:\n    gateway: 10.%d.0.254/24\n    nat: %s\nhosts:\n",
		name, name, net, nat ? "true" : "false");
	for (int i = 1; i <= hosts; i++)
		fprintf(f, "  %s_h%d:\n    bridge: %s_br\n    address: 10.%d.0.%d/24\n%s", name, i, name,
			net, i, host_extra);
	cr_assert_eq(fclose(f), 0);
	snprintf(path, sizeof(path), "up " SANDBOX_FILES "/%s.yaml", name);
	cr_assert_eq(ovslab(buf, sizeof(buf), path), 0, "up %s: %s", name, buf);
}

static bool journal_has_line(const char *lab, const char *want)
{
	char path[256], line[512];
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "/run/ovslab/%s/journal", lab);
	f = fopen(path, "r");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = !strncmp(line, want, strlen(want));
	fclose(f);
	return found;
}

/* A down killed once it has begun no longer leaves a lab that looks up:
 * ls says incomplete and gc finishes the job. */
Test(lifecycle, killed_down_shows_incomplete_and_gc_finishes)
{
	size_t hosts = 0;
	char sw[16] = "", state[16] = "";
	long long deadline;
	bool begun;
	pid_t down;
	char *t;
	int ret;

	/* A process that ignores SIGTERM holds down in its grace period. */
	small_lab("kd", 61, 2, false, "    exec:\n      - [sh, -c, \"trap '' TERM; sleep 1000 &\"]\n");
	down = sandbox_ovslab_spawn("down", "kd");
	deadline = now_ms() + 20000;
	while (!(begun = journal_has_line("kd", "forget complete")) && now_ms() < deadline)
		usleep(1000);
	kill(down, SIGKILL);
	wait_status(down);
	cr_assert(begun, "down never marked the lab as no longer complete");

	t = capture_ls(false);
	cr_assert(ls_row(t, "kd", &hosts, sw, state), "%s", t);
	cr_assert_str_eq(state, "incomplete", "%s", t);
	free(t);
	t = capture_gc(&ret);
	cr_assert_eq(ret, 0, "gc failed: %s (%s)", err_get(), t);
	free(t);
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip netns list"), 0);
	cr_assert_str_eq(buf, "", "namespaces left: %s", buf);
	assert_no_switch_left();
	assert_no_record("kd");
}

static void assert_ip_forward(const char *want, const char *when)
{
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "cat /proc/sys/net/ipv4/ip_forward"), 0);
	cr_assert_str_eq(buf, want, "ip_forward is %s %s", buf, when);
}

/* Two NAT labs overlapping in time: ip_forward stays on while either is up
 * and goes back to the machine's 0 after the last, in either order. */
Test(lifecycle, ip_forward_restored_after_the_last_nat_lab)
{
	sandbox_outside();
	assert_ip_forward("0\n", "before any lab");
	small_lab("c1", 62, 1, true, "");
	small_lab("c2", 63, 1, true, "");
	assert_ip_forward("1\n", "with two NAT labs up");
	cr_assert_eq(ovslab(buf, sizeof(buf), "down c1"), 0, "%s", buf);
	assert_ip_forward("1\n", "while c2 still masquerades");
	cr_assert_eq(ovslab(buf, sizeof(buf), "down c2"), 0, "%s", buf);
	assert_ip_forward("0\n", "after the last NAT lab");
	cr_assert_eq(access("/run/ovslab/.borrowed-net.ipv4.ip_forward", F_OK), -1,
		     "the borrowed value's record is left");
}

/* Eight labs on the private switch going down at once: the last one stops
 * the switch (each used to see the others' records and leave it running). */
Test(lifecycle, parallel_downs_stop_the_private_switch, .timeout = 300)
{
	char name[8];
	pid_t downs[8];

	for (int i = 0; i < 8; i++) {
		snprintf(name, sizeof(name), "p%d", i);
		small_lab(name, 70 + i, 1, false, "");
	}
	for (int i = 0; i < 8; i++) {
		snprintf(name, sizeof(name), "p%d", i);
		downs[i] = sandbox_ovslab_spawn("down", name);
	}
	for (int i = 0; i < 8; i++)
		cr_assert_eq(wait_status(downs[i]), 0, "down p%d failed", i);
	assert_no_switch_left();
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip -o link show"), 0);
	cr_assert_null(strstr(buf, "ovs-netdev"), "interface left: %s", buf);
	cr_assert_eq(access("/run/ovslab/.switch", F_OK), -1, "the private switch's directory is left");
}

/* A NAT lab whose record a crash took away: gc removes its rules and gives
 * ip_forward back, since no lab masquerades any more. */
Test(lifecycle, gc_gives_ip_forward_back)
{
	char *t;
	int ret;

	sandbox_outside();
	small_lab("gf", 64, 1, true, "");
	assert_ip_forward("1\n", "with a NAT lab up");
	nftw("/run/ovslab/gf", rm_one, 4, FTW_DEPTH | FTW_PHYS);
	t = capture_gc(&ret);
	cr_assert_eq(ret, 0, "gc failed: %s (%s)", err_get(), t);
	cr_assert_not_null(strstr(t, "gc: put net.ipv4.ip_forward back to 0 (no lab masquerades any more)\n"),
			   "%s", t);
	free(t);
	assert_ip_forward("0\n", "after gc");
	t = capture_gc(&ret);
	cr_assert_str_eq(t, "gc: nothing to do\n", "%s", t);
	free(t);
}

/* A down killed after it withdrew its NAT claim but before it gave
 * ip_forward back: the next down of the lab gives it back. */
Test(lifecycle, second_down_gives_ip_forward_back)
{
	struct journal st;

	sandbox_outside();
	small_lab("sd", 65, 1, true, "");
	cr_assert_eq(journal_open("sd", &st), 0, "%s", err_get());
	cr_assert_eq(journal_forget(&st, JOURNAL_NAT, "sd_br"), 0, "%s", err_get());
	journal_close(&st);
	cr_assert_eq(ovslab(buf, sizeof(buf), "down sd"), 0, "%s", buf);
	assert_ip_forward("0\n", "after the second down");
	cr_assert_eq(access("/run/ovslab/.borrowed-net.ipv4.ip_forward", F_OK), -1,
		     "the borrowed value's record is left");
}

/* A down killed between unmounting a host's namespace and removing its pin
 * leaves an empty file under /run/netns: the next down removes it (it is no
 * namespace, so nobody else's). */
Test(lifecycle, empty_namespace_pin_is_removed_by_the_next_down)
{
	small_lab("pin", 66, 2, false, "");
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "umount /run/netns/pin_h1"), 0, "%s", buf);
	cr_assert_eq(ovslab(buf, sizeof(buf), "down pin"), 0, "%s", buf);
	cr_assert_null(strstr(buf, "left network namespace"), "%s", buf);
	cr_assert_eq(access("/run/netns/pin_h1", F_OK), -1, "the empty pin is left");
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip netns list"), 0);
	cr_assert_str_eq(buf, "", "namespaces left: %s", buf);
}
