/* The test sandbox: a network + mount namespace of its own per test, with a
 * watchdog that kills what the test started there however it ends. */
#include "sandbox.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <poll.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static void sandbox_tmpfs(const char *dir)
{
	/* The mount point itself may have to be made on the machine; an empty
	 * directory under /run is all that is left there. */
	mkdir(dir, 0755);
	cr_assert_eq(mount("ovslab-test", dir, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755"), 0,
		     "mount tmpfs on %s: %s", dir, strerror(errno));
}

/* Whether pid lives in the sandbox's namespace or in one named under
 * /run/netns (which only this sandbox sees). */
static bool sandbox_owns(pid_t pid, ino_t self_ns)
{
	char path[64];
	struct stat st;
	DIR *d;
	struct dirent *de;
	bool owned = false;

	snprintf(path, sizeof(path), "/proc/%d/ns/net", pid);
	if (stat(path, &st) < 0)
		return false;
	if (st.st_ino == self_ns)
		return true;
	d = opendir("/run/netns");
	while (d && !owned && (de = readdir(d))) {
		char ns[300];
		struct stat nst;

		snprintf(ns, sizeof(ns), "/run/netns/%s", de->d_name);
		owned = de->d_name[0] != '.' && stat(ns, &nst) == 0 && nst.st_ino == st.st_ino;
	}
	if (d)
		closedir(d);
	return owned;
}

static int sandbox_kill_all(ino_t self_ns)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	int n = 0;

	while (d && (de = readdir(d))) {
		pid_t pid = (pid_t)atoi(de->d_name);

		if (pid > 1 && pid != getpid() && sandbox_owns(pid, self_ns) && kill(pid, SIGKILL) == 0)
			n++;
	}
	if (d)
		closedir(d);
	return n;
}

/* However the test ends (assertion, crash, timeout), a watchdog left in
 * the sandbox kills what the test started there: switch daemons and
 * processes in lab hosts would otherwise keep the namespaces alive. */
static void sandbox_watchdog(void)
{
	pid_t test = getpid();
	struct stat st;
	pid_t pid;

	cr_assert_eq(stat("/proc/self/ns/net", &st), 0);
	/* Forked twice so it is no child of the test's, which may wait for all
	 * of its children. */
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid > 0) {
		cr_assert_eq(waitpid(pid, NULL, 0), pid);
		return;
	}
	if (fork() != 0)
		_exit(0);
	{
		int fd = pidfd_open(test, 0);
		struct pollfd pfd = { .fd = fd, .events = POLLIN };

		setsid();
		for (int i = 0; i < 1024; i++)
			if (i != fd)
				close(i);
		while (fd >= 0 && poll(&pfd, 1, -1) < 0)
			;
		for (int round = 0; round < 50 && sandbox_kill_all(st.st_ino) > 0; round++)
			usleep(20000);
		_exit(0);
	}
}

void sandbox_enter(void)
{
	cr_assert_eq(geteuid(), 0, "network tests need root");
	cr_assert_eq(unshare(CLONE_NEWNET | CLONE_NEWNS), 0, "unshare: %s", strerror(errno));
	/* Keep every mount below private so nothing propagates to the machine. */
	cr_assert_eq(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), 0,
		     "make / private: %s", strerror(errno));
	sandbox_tmpfs("/run/netns");
	sandbox_tmpfs("/run/ovslab");
	sandbox_tmpfs("/run/openvswitch");
	/* Lab files a test writes go to a directory of its own (not a tmpfs
	 * over /tmp: the build, and so the binary under test, may be there). */
	sandbox_tmpfs(SANDBOX_FILES);
	/* /sys shows the namespace that mounted it: remount it for this one. */
	umount2("/sys", MNT_DETACH);
	cr_assert_eq(mount("sysfs", "/sys", "sysfs", 0, NULL), 0, "mount sysfs: %s", strerror(errno));
	cr_assert_eq(sandbox_runf(NULL, 0, "ip link set lo up"), 0);
	sandbox_watchdog();
}

/* Reads fd to its end into out (NUL-terminated, may be NULL), closes it. */
static void sandbox_collect(int fd, char *out, size_t len)
{
	size_t used = 0;

	for (;;) {
		char tmp[4096];
		ssize_t n = read(fd, tmp, sizeof(tmp));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (out && len > 1 && used < len - 1) {
			size_t take = (size_t)n < len - 1 - used ? (size_t)n : len - 1 - used;

			memcpy(out + used, tmp, take);
			used += take;
		}
	}
	close(fd);
	if (out && len)
		out[used] = '\0';
}

/* cmd split on spaces (no quoting) into argv (64 slots, NULL-terminated). */
static void sandbox_split(char *cmd, char *argv[64])
{
	int argc = 0;

	for (char *tok = strtok(cmd, " "); tok && argc < 63; tok = strtok(NULL, " "))
		argv[argc++] = tok;
	argv[argc] = NULL;
}

int sandbox_run(char *const argv[], char *out, size_t len)
{
	int pfd[2];
	pid_t pid;
	int status;

	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDONLY);

		dup2(devnull, 0);
		dup2(pfd[1], 1);
		dup2(pfd[1], 2);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(pfd[1]);
	sandbox_collect(pfd[0], out, len);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}

/* A printf-built command split on spaces, here or in computer c. */
static int sandbox_vrunf(const struct sandbox_computer *c, char *out, size_t len, const char *fmt,
			 va_list ap)
{
	char cmd[4096];
	char *argv[64];

	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	sandbox_split(cmd, argv);
	return c ? sandbox_computer_run(c, argv, out, len) : sandbox_run(argv, out, len);
}

int sandbox_runf(char *out, size_t len, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = sandbox_vrunf(NULL, out, len, fmt, ap);
	va_end(ap);
	return ret;
}

int sandbox_ovslabf(char *out, size_t len, const char *fmt, ...)
{
	char args[4000];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	return sandbox_runf(out, len, "%s %s", sandbox_ovslab(), args);
}

const char *sandbox_ovslab(void)
{
	const char *p = getenv("OVSLAB_BIN");

	return p ? p : OVSLAB_BIN;
}

const char *sandbox_fixture(const char *name)
{
	static char path[4096];

	snprintf(path, sizeof(path), "%s/%s", FIXTURES_DIR, name);
	return path;
}

void sandbox_write(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	cr_assert_not_null(f, "%s: %s", path, strerror(errno));
	cr_assert_eq(fputs(text, f) >= 0, 1);
	cr_assert_eq(fclose(f), 0);
}

void sandbox_outside(void)
{
	static const char *const steps[] = {
		"ip netns add outside",
		"ip link add up0 type veth peer name eth0 netns outside",
		"ip addr add " SANDBOX_OUT_UPLINK "/24 dev up0",
		"ip link set up0 up",
		"ip -n outside addr add " SANDBOX_OUT_SERVER "/24 dev eth0",
		"ip -n outside link set eth0 up",
		"ip -n outside link set lo up",
		"ip route add default via " SANDBOX_OUT_SERVER,
	};
	char out[4096];

	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		cr_assert_eq(sandbox_runf(out, sizeof(out), "%s", steps[i]), 0, "%s: %s", steps[i], out);
}

bool sandbox_proc_running(const char *comm)
{
	struct stat me, st;
	struct dirent *de;
	bool found = false;
	DIR *d = opendir("/proc");

	cr_assert_eq(stat("/proc/self/ns/net", &me), 0);
	while (d && (de = readdir(d))) {
		char path[300], name[64] = "";
		FILE *f;

		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/ns/net", de->d_name);
		if (stat(path, &st) < 0 || st.st_ino != me.st_ino || st.st_dev != me.st_dev)
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", de->d_name);
		f = fopen(path, "r");
		if (f && fgets(name, sizeof(name), f))
			name[strcspn(name, "\n")] = '\0';
		if (f)
			fclose(f);
		found |= !strcmp(name, comm);
	}
	if (d)
		closedir(d);
	return found;
}

ino_t sandbox_ns_inode(const char *ns)
{
	char path[128];
	struct stat st;

	snprintf(path, sizeof(path), "/run/netns/%s", ns);
	cr_assert_eq(stat(path, &st), 0, "no namespace %s", ns);
	return st.st_ino;
}

pid_t sandbox_in_netns(const char *ns, int (*fn)(void *), void *arg)
{
	pid_t pid = fork();

	cr_assert_geq(pid, 0);
	if (pid == 0) {
		char path[256];
		int fd;

		snprintf(path, sizeof(path), "/run/netns/%s", ns);
		fd = open(path, O_RDONLY);
		if (fd < 0 || setns(fd, CLONE_NEWNET) < 0)
			_exit(100);
		alarm(20);
		_exit(fn(arg));
	}
	return pid;
}

int sandbox_wait(pid_t pid)
{
	int st;

	cr_assert_eq(waitpid(pid, &st, 0), pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* ---- computers ------------------------------------------------------------ */

/* The computer's first process: its mounts, then it reaps what is
 * orphaned in it (daemons fork away from their parents) until killed. */
static void sandbox_computer_init(int ready)
{
	static const char *const dirs[] = { "/run/netns", "/run/ovslab", "/run/openvswitch" };
	char *lo[] = { "ip", "link", "set", "lo", "up", NULL };
	bool ok = true;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	ok &= mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0;
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		ok &= mount("ovslab-test", dirs[i], "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") == 0;
	ok &= mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) == 0;
	umount2("/sys", MNT_DETACH);
	ok &= mount("sysfs", "/sys", "sysfs", 0, NULL) == 0;
	ok &= sandbox_run(lo, NULL, 0) == 0;
	if (!ok || write(ready, "r", 1) != 1)
		_exit(1);
	close(ready);
	for (;;)
		if (waitpid(-1, NULL, 0) < 0)
			usleep(100000);
}

void sandbox_computer(struct sandbox_computer *c)
{
	int pids[2], ready[2];
	char ch;

	cr_assert_eq(pipe(pids), 0);
	cr_assert_eq(pipe(ready), 0);
	c->holder = fork();
	cr_assert_geq(c->holder, 0);
	if (c->holder == 0) {
		pid_t init;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (unshare(CLONE_NEWNET | CLONE_NEWNS | CLONE_NEWPID) < 0)
			_exit(1);
		init = fork();
		if (init == 0)
			sandbox_computer_init(ready[1]);
		if (init < 0 || write(pids[1], &init, sizeof(init)) != sizeof(init))
			_exit(1);
		waitpid(init, NULL, 0);
		_exit(0);
	}
	close(pids[1]);
	close(ready[1]);
	cr_assert_eq(read(pids[0], &c->init, sizeof(c->init)), (ssize_t)sizeof(c->init),
		     "the computer did not start");
	cr_assert_eq(read(ready[0], &ch, 1), 1, "the computer did not set itself up");
	close(pids[0]);
	close(ready[0]);
}

int sandbox_computer_run(const struct sandbox_computer *c, char *const argv[], char *out,
			 size_t len)
{
	static const char *const kinds[] = { "net", "pid", "mnt" };
	static const int flags[] = { CLONE_NEWNET, CLONE_NEWPID, CLONE_NEWNS };
	int pfd[2], status;
	pid_t pid;

	cr_assert_eq(pipe2(pfd, O_CLOEXEC), 0);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		static char text[65536];
		int fds[3], ret;

		/* All opened first: /proc is another one once the mounts are. */
		for (int i = 0; i < 3; i++) {
			char path[64];

			snprintf(path, sizeof(path), "/proc/%d/ns/%s", c->init, kinds[i]);
			fds[i] = open(path, O_RDONLY | O_CLOEXEC);
		}
		for (int i = 0; i < 3; i++)
			if (fds[i] < 0 || setns(fds[i], flags[i]) < 0)
				_exit(125);
		if (chdir("/") < 0)
			_exit(125);
		ret = sandbox_run(argv, text, sizeof(text));
		if (write(pfd[1], text, strlen(text)) < 0)
			_exit(125);
		_exit(ret < 0 ? 126 : ret);
	}
	close(pfd[1]);
	sandbox_collect(pfd[0], out, len);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int sandbox_computer_runf(const struct sandbox_computer *c, char *out, size_t len,
			  const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = sandbox_vrunf(c, out, len, fmt, ap);
	va_end(ap);
	return ret;
}

void sandbox_computer_end(struct sandbox_computer *c)
{
	if (c->init > 0)
		kill(c->init, SIGKILL);
	if (c->holder > 0)
		waitpid(c->holder, NULL, 0);
	c->init = c->holder = 0;
}

pid_t sandbox_ovslab_spawn(const char *arg1, const char *arg2)
{
	pid_t pid = fork();

	cr_assert_geq(pid, 0);
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		execl(sandbox_ovslab(), "ovslab", arg1, arg2, (char *)NULL);
		_exit(127);
	}
	return pid;
}
