/* A lab that is up, run again and edited: `up` changes only what differs,
 * `plan` says what it would do, `down` needs no file.  Each test in its own
 * sandbox (tests/sandbox.h), lab files in the sandbox's /tmp. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandbox.h"

static char buf[65536];

#define LAB_HEAD                              \
	"name: ed\n"                          \
	"bridges:\n"                          \
	"  br0:\n"                            \
	"    gateway: 10.60.0.254/24\n"       \
	"hosts:\n"
#define HOST(n, a) "  " n ":\n    bridge: br0\n    address: 10.60.0." a "/24\n"

static const char *const lab_v1 = LAB_HEAD HOST("a", "1") HOST("b", "2") HOST("c", "3");
/* c removed, d added, b's address changed, a untouched */
static const char *const lab_v2 = LAB_HEAD HOST("a", "1") HOST("b", "12") HOST("d", "4");

static int ovslab(const char *args)
{
	return sandbox_runf(buf, sizeof(buf), "%s %s", sandbox_ovslab(), args);
}

static pid_t sleeper_in(const char *ns)
{
	pid_t pid = fork();

	cr_assert_geq(pid, 0);
	if (pid == 0) {
		execlp("ip", "ip", "netns", "exec", ns, "sleep", "300", (char *)NULL);
		_exit(127);
	}
	usleep(200000);
	return pid;
}

static void ping_ok(const char *ns, const char *addr)
{
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip netns exec %s ping -c 1 -W 2 %s", ns, addr), 0,
		     "%s cannot reach %s: %s", ns, addr, buf);
}

TestSuite(edit, .init = sandbox_enter, .timeout = 120);

Test(edit, second_up_changes_nothing)
{
	ino_t a;

	sandbox_write("/run/ovslab-test/ed.yaml", lab_v1);
	cr_assert_eq(ovslab("up /run/ovslab-test/ed.yaml"), 0, "%s", buf);
	a = sandbox_ns_inode("a");
	cr_assert_eq(ovslab("plan /run/ovslab-test/ed.yaml"), 0, "%s", buf);
	cr_assert_str_eq(buf, "ed: up to date, nothing to change\n");
	cr_assert_eq(ovslab("up /run/ovslab-test/ed.yaml"), 0, "%s", buf);
	cr_assert_str_eq(buf, "ed: up to date, nothing to change\n");
	cr_assert_eq(sandbox_ns_inode("a"), a, "the namespace was made anew");
	cr_assert_eq(ovslab("down ed"), 0, "%s", buf);
}

Test(edit, edited_file_changes_only_what_differs)
{
	ino_t a, b;
	pid_t sleeper;
	int st;

	sandbox_write("/run/ovslab-test/ed.yaml", lab_v1);
	cr_assert_eq(ovslab("up /run/ovslab-test/ed.yaml"), 0, "%s", buf);
	a = sandbox_ns_inode("a");
	b = sandbox_ns_inode("b");
	sleeper = sleeper_in("a");

	sandbox_write("/run/ovslab-test/ed.yaml", lab_v2);
	cr_assert_eq(ovslab("plan /run/ovslab-test/ed.yaml"), 0, "%s", buf);
	cr_assert_not_null(strstr(buf, "- host c\n"), "%s", buf);
	cr_assert_not_null(strstr(buf, "+ host d\n"), "%s", buf);
	cr_assert_not_null(strstr(buf, "~ host b: addresses"), "%s", buf);
	cr_assert_null(strstr(buf, "host a"), "plan touches a: %s", buf);
	cr_assert_eq(access("/run/netns/d", F_OK), -1, "plan made something");

	cr_assert_eq(ovslab("up /run/ovslab-test/ed.yaml"), 0, "%s", buf);
	cr_assert_eq(sandbox_ns_inode("a"), a, "untouched host a was made anew");
	cr_assert_eq(sandbox_ns_inode("b"), b, "host b was made anew for an address change");
	cr_assert_eq(waitpid(sleeper, &st, WNOHANG), 0, "the process in a was disturbed");
	cr_assert_eq(access("/run/netns/c", F_OK), -1, "removed host c is still there");
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip -o link show c_tap"), 1, "c's port is still there");
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip netns exec b ip -o addr show dev eth0"), 0);
	cr_assert_not_null(strstr(buf, "10.60.0.12/24"), "%s", buf);
	cr_assert_null(strstr(buf, "10.60.0.2/"), "old address left: %s", buf);
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ovs-vsctl --db=unix:/run/ovslab/.switch/db.sock list-ports br0"), 0);
	cr_assert_str_eq(buf, "a_tap\nb_tap\nd_tap\n");
	ping_ok("d", "10.60.0.1");
	ping_ok("a", "10.60.0.12");
	ping_ok("b", "10.60.0.254");

	/* and once more: nothing left to do */
	cr_assert_eq(ovslab("up /run/ovslab-test/ed.yaml"), 0, "%s", buf);
	cr_assert_str_eq(buf, "ed: up to date, nothing to change\n");
	cr_assert_eq(ovslab("down ed"), 0, "%s", buf);
	cr_assert_eq(waitpid(sleeper, &st, 0), sleeper);
	cr_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM);
}

Test(edit, down_by_name_without_the_file)
{
	sandbox_write("/run/ovslab-test/ed.yaml", lab_v1);
	cr_assert_eq(ovslab("up /run/ovslab-test/ed.yaml"), 0, "%s", buf);
	cr_assert_eq(unlink("/run/ovslab-test/ed.yaml"), 0);
	cr_assert_eq(ovslab("down ed"), 0, "%s", buf);
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip netns list"), 0);
	cr_assert_str_eq(buf, "");
	cr_assert_eq(access("/run/ovslab/ed", F_OK), -1);
	cr_assert_eq(access("/run/ovslab/.ed.lock", F_OK), -1, "the lock file is left");
}

Test(edit, two_labs_in_parallel)
{
	static const char *const other = "name: ot\n"
					 "bridges:\n  br1:\n    gateway: 10.61.0.254/24\n"
					 "hosts:\n"
					 "  x:\n    bridge: br1\n    address: 10.61.0.1/24\n"
					 "  y:\n    bridge: br1\n    address: 10.61.0.2/24\n";
	pid_t p[2];
	int st;

	sandbox_write("/run/ovslab-test/ed.yaml", lab_v1);
	sandbox_write("/run/ovslab-test/ot.yaml", other);
	for (int i = 0; i < 2; i++) {
		p[i] = fork();
		cr_assert_geq(p[i], 0);
		if (p[i] == 0)
			_exit(ovslab(i ? "up /run/ovslab-test/ot.yaml" : "up /run/ovslab-test/ed.yaml") ? (fprintf(stderr, "%s", buf), 1) : 0);
	}
	for (int i = 0; i < 2; i++) {
		cr_assert_eq(waitpid(p[i], &st, 0), p[i]);
		cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "lab %d did not come up", i);
	}
	ping_ok("a", "10.60.0.2");
	ping_ok("x", "10.61.0.2");
	cr_assert_eq(ovslab("down ed"), 0, "%s", buf);
	cr_assert_eq(ovslab("down ot"), 0, "%s", buf);
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip netns list"), 0);
	cr_assert_str_eq(buf, "");
}

Test(edit, same_lab_twice_at_once_does_not_interleave)
{
	pid_t p[2];
	int st;

	sandbox_write("/run/ovslab-test/ed.yaml", lab_v1);
	for (int i = 0; i < 2; i++) {
		p[i] = fork();
		cr_assert_geq(p[i], 0);
		if (p[i] == 0)
			_exit(ovslab("up /run/ovslab-test/ed.yaml"));
	}
	/* One builds, the other waits for the lock, then finds nothing to do. */
	for (int i = 0; i < 2; i++) {
		cr_assert_eq(waitpid(p[i], &st, 0), p[i]);
		cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "an up failed");
	}
	ping_ok("a", "10.60.0.3");
	cr_assert_eq(ovslab("down ed"), 0, "%s", buf);
}

/* An edit that fails midway puts the lab back as it was: the host it would
 * remove is still there, the changed address is back, the added host gone. */
Test(edit, failed_edit_leaves_the_lab_as_it_was)
{
	ino_t a, b;

	sandbox_write("/run/ovslab-test/ed.yaml", lab_v1);
	cr_assert_eq(ovslab("up /run/ovslab-test/ed.yaml"), 0, "%s", buf);
	a = sandbox_ns_inode("a");
	b = sandbox_ns_inode("b");
	sandbox_write("/run/ovslab-test/ed.yaml", lab_v2);
	cr_assert_eq(setenv("OVSLAB_FAULT", "gateways", 1), 0);
	cr_assert_eq(ovslab("up /run/ovslab-test/ed.yaml"), 1, "%s", buf);
	unsetenv("OVSLAB_FAULT");
	cr_assert_not_null(strstr(buf, "failure injected"), "%s", buf);
	cr_assert_eq(sandbox_ns_inode("a"), a);
	cr_assert_eq(sandbox_ns_inode("b"), b);
	cr_assert_eq(access("/run/netns/d", F_OK), -1, "the added host is left");
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip -o link show d_tap"), 1, "d's port is left");
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip netns exec b ip -o addr show dev eth0"), 0);
	cr_assert_not_null(strstr(buf, "10.60.0.2/24"), "%s", buf);
	cr_assert_null(strstr(buf, "10.60.0.12/"), "%s", buf);
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ovs-vsctl --db=unix:/run/ovslab/.switch/db.sock list-ports br0"), 0);
	cr_assert_str_eq(buf, "a_tap\nb_tap\nc_tap\n");
	ping_ok("c", "10.60.0.2");
	ping_ok("a", "10.60.0.254");
	/* the lab is complete as before: the same edit now goes through */
	cr_assert_eq(ovslab("ls"), 0, "%s", buf);
	cr_assert_not_null(strstr(buf, " up"), "%s", buf);
	cr_assert_eq(ovslab("up /run/ovslab-test/ed.yaml"), 0, "%s", buf);
	ping_ok("d", "10.60.0.12");
	cr_assert_eq(ovslab("down ed"), 0, "%s", buf);
}

/* An edit whose interfaces change makes that host anew, and a failure
 * then brings the old host back. */
Test(edit, rebuilt_host_comes_back_after_a_failed_edit)
{
	static const char *const v3 = LAB_HEAD HOST("a", "1") HOST("b", "2")
		"  c:\n    bridge: br0\n    address: 10.60.0.3/24\n    ifname: eth7\n";

	sandbox_write("/run/ovslab-test/ed.yaml", lab_v1);
	cr_assert_eq(ovslab("up /run/ovslab-test/ed.yaml"), 0, "%s", buf);
	sandbox_write("/run/ovslab-test/ed.yaml", v3);
	cr_assert_eq(ovslab("plan /run/ovslab-test/ed.yaml"), 0, "%s", buf);
	cr_assert_str_eq(buf, "~ host c: interfaces (made anew)\n");
	cr_assert_eq(setenv("OVSLAB_FAULT", "gateways", 1), 0);
	cr_assert_eq(ovslab("up /run/ovslab-test/ed.yaml"), 1, "%s", buf);
	unsetenv("OVSLAB_FAULT");
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip netns exec c ip -o link show eth0"), 0, "c's old interface is not back: %s", buf);
	ping_ok("c", "10.60.0.1");
	cr_assert_eq(ovslab("up /run/ovslab-test/ed.yaml"), 0, "%s", buf);
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip netns exec c ip -o link show eth7"), 0, "%s", buf);
	ping_ok("c", "10.60.0.1");
	cr_assert_eq(ovslab("down ed"), 0, "%s", buf);
}
