/* What ovslab did not make is not ovslab's to remove or enter: a user's
 * bridge in the private switch, a namespace made anew under a host's name;
 * and the read-only commands run without root say what they cannot see.
 * Run through the binary, as a user would; each test in its own sandbox. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandbox.h"

#define LAB_FILE SANDBOX_FILES "/fgn.yaml"
#define DB "--db=unix:/run/ovslab/.switch/db.sock"

static char buf[65536];

static int ovslab(char *out, size_t len, const char *args)
{
	return sandbox_runf(out, len, "%s %s", sandbox_ovslab(), args);
}

/* Two hosts on a bridge of ovslab's private switch (the sandbox has no
 * machine switch), and a check between them. */
static void up_fgn(void)
{
	sandbox_write(LAB_FILE, "name: fgn\n"
				"bridges:\n"
				"  br0: {gateway: 10.62.0.254/24}\n"
				"hosts:\n"
				"  h1: {bridge: br0, address: 10.62.0.1/24}\n"
				"  h2: {bridge: br0, address: 10.62.0.2/24}\n"
				"checks:\n"
				"  - {from: h2, to: h1}\n");
	cr_assert_eq(ovslab(buf, sizeof(buf), "up " LAB_FILE), 0, "ovslab up: %s", buf);
}

static bool switch_running(void)
{
	return sandbox_proc_running("ovs-vswitchd") && sandbox_proc_running("ovsdb-server");
}

TestSuite(foreign, .init = sandbox_enter, .timeout = 180);

/* A bridge a user added to the private switch keeps the switch running
 * through the last lab's down and through gc; once it is gone, gc stops
 * the switch. */
Test(foreign, user_bridge_keeps_the_private_switch)
{
	up_fgn();
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ovs-vsctl " DB " add-br mine -- set bridge "
				  "mine datapath_type=netdev"), 0, "%s", buf);

	cr_assert_eq(ovslab(buf, sizeof(buf), "down fgn"), 0, "ovslab down: %s", buf);
	cr_assert_not_null(strstr(buf, "left ovslab's private switch running"), "%s", buf);
	cr_assert_not_null(strstr(buf, "bridge mine"), "%s", buf);
	cr_assert(switch_running(), "down stopped a switch holding the user's bridge");
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ovs-vsctl " DB " list-br"), 0, "%s", buf);
	cr_assert_str_eq(buf, "mine\n", "down left or took the wrong bridges");
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ovs-vsctl " DB " list-ports mine"), 0, "%s", buf);
	cr_assert_eq(access("/run/ovslab/fgn", F_OK), -1, "the lab's record is left");

	cr_assert_eq(ovslab(buf, sizeof(buf), "gc"), 0, "ovslab gc: %s", buf);
	cr_assert_not_null(strstr(buf, "gc: left ovslab's private switch running, because it holds "
				      "bridge mine"), "%s", buf);
	cr_assert(switch_running(), "gc stopped a switch holding the user's bridge");
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ovs-vsctl " DB " list-br"), 0, "%s", buf);
	cr_assert_str_eq(buf, "mine\n");

	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ovs-vsctl " DB " del-br mine"), 0, "%s", buf);
	cr_assert_eq(ovslab(buf, sizeof(buf), "gc"), 0, "ovslab gc: %s", buf);
	cr_assert_not_null(strstr(buf, "gc: stopped ovslab's private switch"), "%s", buf);
	cr_assert_not(sandbox_proc_running("ovs-vswitchd"), "ovs-vswitchd still running");
	cr_assert_not(sandbox_proc_running("ovsdb-server"), "ovsdb-server still running");
}

/* Deleted by hand and made anew under the same name, with a process of the
 * user's in it: not the lab's namespace.  exec and check refuse it, down
 * leaves it and its process alone and removes the rest. */
Test(foreign, namespace_made_anew_is_not_the_labs)
{
	pid_t pid;
	int fd;

	up_fgn();
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip netns del h1"), 0, "%s", buf);
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "ip netns add h1"), 0, "%s", buf);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		fd = open("/run/netns/h1", O_RDONLY);
		if (fd < 0 || setns(fd, CLONE_NEWNET) < 0)
			_exit(100);
		execlp("sleep", "sleep", "1000", (char *)NULL);
		_exit(101);
	}
	usleep(100 * 1000);
	cr_assert_eq(waitpid(pid, NULL, WNOHANG), 0, "the user's process did not start");

	cr_assert_neq(ovslab(buf, sizeof(buf), "exec fgn h1 -- true"), 0, "exec entered it: %s", buf);
	cr_assert_not_null(strstr(buf, "h1: the network namespace of that name is not the lab's"),
			   "%s", buf);
	cr_assert_eq(ovslab(buf, sizeof(buf), "exec fgn h2 -- true"), 0, "exec h2: %s", buf);
	cr_assert_neq(ovslab(buf, sizeof(buf), "check fgn"), 0, "check ran in it: %s", buf);
	cr_assert_not_null(strstr(buf, "not the lab's"), "%s", buf);

	cr_assert_eq(ovslab(buf, sizeof(buf), "down fgn"), 0, "ovslab down: %s", buf);
	cr_assert_not_null(strstr(buf, "fgn: left network namespace h1 alone"), "%s", buf);
	cr_assert_eq(access("/run/netns/h1", F_OK), 0, "down deleted the user's namespace");
	cr_assert_eq(access("/run/netns/h2", F_OK), -1, "down left the lab's own namespace");
	cr_assert_eq(access("/run/ovslab/fgn", F_OK), -1, "the lab's record is left");
	cr_assert_eq(waitpid(pid, NULL, WNOHANG), 0, "down killed the user's process");
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* As user nobody: show marks what it cannot read as unknown and says why;
 * flows and trace fail blaming permission; ls works. */
Test(foreign, read_only_commands_without_root)
{
	static const char asnobody[] = "setpriv --reuid=nobody --regid=nogroup --clear-groups";

	up_fgn();
	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "%s %s show fgn", asnobody, sandbox_ovslab()),
		     0, "show as nobody: %s", buf);
	cr_assert_not_null(strstr(buf, "not run as root"), "%s", buf);
	cr_assert_not_null(strstr(buf, "(unknown: not run as root)"), "%s", buf);
	cr_assert_null(strstr(buf, "not answering"), "show called the switch dead: %s", buf);
	cr_assert_not_null(strstr(buf, "h1              eth0            ?"), "%s", buf);
	cr_assert_null(strstr(buf, "            -   "), "an unknown shown as missing: %s", buf);

	cr_assert_neq(sandbox_runf(buf, sizeof(buf), "%s %s flows fgn", asnobody, sandbox_ovslab()),
		      0, "flows as nobody succeeded: %s", buf);
	cr_assert_not_null(strstr(buf, "Permission denied"), "%s", buf);

	cr_assert_neq(sandbox_runf(buf, sizeof(buf), "%s %s trace fgn br0 in_port=LOCAL", asnobody,
				   sandbox_ovslab()), 0, "trace as nobody succeeded: %s", buf);
	cr_assert_not_null(strstr(buf, "Permission denied"), "%s", buf);
	cr_assert_null(strstr(buf, "no pid"), "trace blamed a missing pid: %s", buf);

	cr_assert_eq(sandbox_runf(buf, sizeof(buf), "%s %s ls", asnobody, sandbox_ovslab()), 0,
		     "ls as nobody: %s", buf);
	cr_assert_not_null(strstr(buf, "fgn"), "%s", buf);

	/* As root, all of it works. */
	cr_assert_eq(ovslab(buf, sizeof(buf), "show fgn"), 0, "show: %s", buf);
	cr_assert_not_null(strstr(buf, "10.62.0.1/24"), "%s", buf);
	cr_assert_eq(ovslab(buf, sizeof(buf), "trace fgn br0 in_port=LOCAL"), 0, "trace: %s", buf);
}
