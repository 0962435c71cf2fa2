/* A switch's daemons: finding the machine's, starting and stopping a private
 * one in its run directory, and asking them over their control sockets. */
#include <config.h>

#include "switch/switchd.h"

#include <dirent.h>
#include <net/if.h>
#include <linux/if_tun.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <poll.h>
#include <pthread.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "jsonrpc.h"
#include "openvswitch/json.h"
#include "openvswitch/poll-loop.h"
#include "timeval.h"
#include "unixctl.h"
#include "util.h"

#include "util/err.h"
#include "switch/ovslib.h"

#define SWITCHD_SCHEMA_DIR "/usr/share/openvswitch"
/* A daemon that does not answer within this is taken for wedged. */
#define SWITCHD_REPLY_MS 5000
/* ovs-vswitchd answers "exit" at once but then deletes its ports one by
 * one: about 13 s for 1000 userspace ports.  Killing it midway would leave
 * its persistent tap devices behind, so it gets this long. */
#define SWITCHD_EXIT_MS 60000
#define SWITCHD_KILL_MS 1000

/* The two daemons of a private switch, in the order they are stopped. */
static const char *const switchd_daemons[] = { "ovs-vswitchd", "ovsdb-server" };

static bool switchd_sock_answers(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	bool ok;
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path))
		return false;
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	ok = connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0;
	close(fd);
	return ok;
}

int switchd_find_shared(char *remote, size_t len)
{
	const char *rundir = getenv("OVS_RUNDIR");
	char path[PATH_MAX];
	int n;

	if (!rundir || !*rundir)
		rundir = "/run/openvswitch";
	n = snprintf(path, sizeof(path), "%s/db.sock", rundir);
	if (n < 0 || (size_t)n >= sizeof(path) || !switchd_sock_answers(path))
		return -ENOENT;
	n = snprintf(remote, len, "unix:%s", path);
	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	return 0;
}

const char *switchd_datapath(void)
{
	return access("/sys/module/openvswitch", F_OK) == 0 ? "system" : "netdev";
}

/* Debian installs the daemons in /usr/sbin, which a user's PATH may lack. */
static int switchd_find_bin(const char *name, char *out, size_t len)
{
	const char *path = getenv("PATH");
	char dirs[4096];
	char *save = NULL;
	int n;

	n = snprintf(dirs, sizeof(dirs), "%s:/usr/sbin:/usr/local/sbin:/sbin",
		     path ? path : "/usr/bin:/bin");
	if (n < 0 || (size_t)n >= sizeof(dirs))
		snprintf(dirs, sizeof(dirs), "/usr/bin:/bin:/usr/sbin:/usr/local/sbin:/sbin");
	for (char *dir = strtok_r(dirs, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		n = snprintf(out, len, "%s/%s", *dir ? dir : ".", name);
		if (n > 0 && (size_t)n < len && access(out, X_OK) == 0)
			return 0;
	}
	err_set("%s: not found in PATH or /usr/sbin (is openvswitch-switch installed?)", name);
	return -ENOENT;
}

int switchd_binary(char *path, size_t len)
{
	return switchd_find_bin("ovs-vswitchd", path, len);
}

static void switchd_path(char *out, const char *dir, const char *name, const char *suffix)
{
	snprintf(out, PATH_MAX, "%s/%s%s", dir, name, suffix);
}

/* The daemons' environment: everything OVS would otherwise write under
 * /run/openvswitch, /var/log/openvswitch or /etc/openvswitch goes to dir. */
static char **switchd_env(const char *dir)
{
	static const char *const vars[] = { "OVS_RUNDIR", "OVS_DBDIR", "OVS_LOGDIR",
					    "OVS_SYSCONFDIR" };
	size_t n = 0, k = 0, mine;
	char **env;

	while (environ[n])
		n++;
	env = calloc(n + 5, sizeof(*env));
	if (!env)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		bool ours = false;

		for (size_t v = 0; v < 4; v++) {
			size_t l = strlen(vars[v]);

			if (!strncmp(environ[i], vars[v], l) && environ[i][l] == '=')
				ours = true;
		}
		if (!ours)
			env[k++] = environ[i];
	}
	mine = k;
	for (size_t v = 0; v < 4; v++) {
		if (asprintf(&env[k], "%s=%s", vars[v], dir) < 0)
			goto fail;
		k++;
	}
	env[k] = NULL;
	return env;
fail:
	while (k > mine)
		free(env[--k]);
	free(env);
	return NULL;
}

static void switchd_env_free(char **env)
{
	size_t n = 0;

	if (!env)
		return;
	while (env[n])
		n++;
	/* The last four entries are ours; the rest belong to environ. */
	for (size_t i = n >= 4 ? n - 4 : 0; i < n; i++)
		free(env[i]);
	free(env);
}

/* Runs argv with stdio on /dev/null and returns its exit status; with
 * --detach the daemon's first process exits once the daemon is ready. */
static int switchd_run(char *const argv[], char *const envp[])
{
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		int fd = open("/dev/null", O_RDWR);

		if (fd < 0)
			_exit(127);
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		/* The daemons outlive us: they must not hold our sockets. */
		close_range(3, ~0U, 0);
		execve(argv[0], argv, envp);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}

/* The last error a daemon logged, without the timestamp and module
 * prefix, for the message shown to the user. */
static void switchd_log_cause(const char *log, char *out, size_t len)
{
	char line[1024];
	FILE *f;

	snprintf(out, len, "it exited without logging a cause");
	f = fopen(log, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *msg = line;
		bool bad = strstr(line, "|ERR|") || strstr(line, "|EMER|") ||
			   strstr(line, "|WARN|");

		if (!bad)
			continue;
		for (int i = 0; i < 4 && msg; i++) {
			msg = strchr(msg, '|');
			if (msg)
				msg++;
		}
		if (!msg)
			msg = line;
		msg[strcspn(msg, "\n")] = '\0';
		snprintf(out, len, "%.400s", msg);
	}
	fclose(f);
}

static int switchd_start_daemon(const char *bin, char *const argv[], char *const envp[],
				const char *dir, const char *name)
{
	char log[PATH_MAX];
	char cause[512];
	int rc;

	rc = switchd_run(argv, envp);
	if (rc == 0)
		return 0;
	switchd_path(log, dir, name, ".log");
	if (rc < 0)
		snprintf(cause, sizeof(cause), "%s", strerror(-rc));
	else if (rc == 127)
		snprintf(cause, sizeof(cause), "cannot execute %s", bin);
	else
		switchd_log_cause(log, cause, sizeof(cause));
	/* The cause is quoted from the log, which goes with the directory. */
	err_set("%s: could not start the private switch in %s: %s", name, dir, cause);
	return rc < 0 ? rc : -EIO;
}

static pid_t switchd_read_pid(const char *dir, const char *name)
{
	char path[PATH_MAX];
	long pid = 0;
	FILE *f;

	switchd_path(path, dir, name, ".pid");
	f = fopen(path, "re");
	if (!f)
		return 0;
	if (fscanf(f, "%ld", &pid) != 1 || pid <= 1)
		pid = 0;
	fclose(f);
	return (pid_t)pid;
}

/* Gone, or a zombie waiting for init: either way it holds nothing. */
static bool switchd_pid_gone(pid_t pid)
{
	char path[64], buf[512];
	char *p;
	ssize_t n;
	int fd;

	if (kill(pid, 0) < 0 && errno == ESRCH)
		return true;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return true;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return true;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p && p[1] == ' ' && (p[2] == 'Z' || p[2] == 'X');
}

static bool switchd_wait_gone(pid_t pid, int timeout_ms)
{
	long long int deadline = time_msec() + timeout_ms;
	const struct timespec tick = { .tv_nsec = 2 * 1000 * 1000 };
	/* A pidfd turns readable once every thread has exited, and so has let
	 * go of the process's files; a zombie leader in /proc may still have
	 * threads exiting, holding the tap devices ovslab is about to drop. */
	int fd = pidfd_open(pid, 0);
	bool gone;

	for (;;) {
		long long int left = deadline - time_msec();
		struct pollfd pfd = { .fd = fd, .events = POLLIN };

		if (fd < 0)
			gone = switchd_pid_gone(pid);
		else
			gone = poll(&pfd, 1, left <= 0 ? 0 : left > 100 ? 100 : (int)left) > 0;
		if (gone || left <= 0)
			break;
		if (fd < 0)
			nanosleep(&tick, NULL);
	}
	if (fd >= 0)
		close(fd);
	return gone;
}

ssize_t switchd_cmdline(pid_t pid, char *cmd, size_t len, const char **base)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, cmd, len - 1);
	close(fd);
	if (n <= 0)
		return n < 0 ? -errno : -ESRCH;
	cmd[n] = '\0';
	*base = strrchr(cmd, '/');
	*base = *base ? *base + 1 : cmd;
	return n;
}

/* Signals pid only if it still runs the daemon named: a pidfile may
 * outlive its process and the number be reused. */
static bool switchd_pid_is(pid_t pid, const char *name)
{
	char cmd[PATH_MAX];
	const char *base;

	return switchd_cmdline(pid, cmd, sizeof(cmd), &base) > 0 &&
	       !strncmp(base, name, strlen(name));
}

/* Whether the daemon of the private switch in dir runs: its pidfile names
 * a live process of that program. */
static bool switchd_daemon_runs(const char *dir, const char *name)
{
	pid_t pid = switchd_read_pid(dir, name);

	return pid && !switchd_pid_gone(pid) && switchd_pid_is(pid, name);
}

/* unixctl_client_transact() would wait forever on a wedged daemon; this
 * sends the same request and gives up at the deadline. */
int switchd_unixctl(const char *ctl, const char *cmd, const char *const *args, size_t n_args,
		    int timeout_ms, char **result)
{
	struct jsonrpc *rpc = NULL;
	struct jsonrpc_msg *reply = NULL;
	struct json *params;
	long long int deadline;
	int error;

	if (result)
		*result = NULL;
	error = unixctl_client_create(ctl, &rpc);
	if (error)
		goto out;
	params = json_array_create_empty();
	for (size_t i = 0; i < n_args; i++)
		json_array_add(params, json_string_create(args[i]));
	error = jsonrpc_send(rpc, jsonrpc_create_request(cmd, params, NULL));
	if (error)
		goto out;
	deadline = time_msec() + timeout_ms;
	for (;;) {
		jsonrpc_run(rpc);
		error = jsonrpc_recv(rpc, &reply);
		if (error != EAGAIN)
			break;
		if (time_msec() >= deadline) {
			error = ETIMEDOUT;
			break;
		}
		jsonrpc_wait(rpc);
		jsonrpc_recv_wait(rpc);
		poll_timer_wait_until(deadline);
		poll_block();
	}
	/* A daemon told to exit may close the connection instead of replying;
	 * a caller that wants an answer gets EOF. */
	if (error == EOF && !result)
		error = 0;
	if (!error && reply && reply->error)
		error = EIO;
	if (result && reply && (reply->error || reply->result)) {
		const struct json *j = reply->error ? reply->error : reply->result;

		*result = xstrdup(j->type == JSON_STRING ? json_string(j) : "");
	}
out:
	jsonrpc_msg_destroy(reply);
	if (rpc)
		jsonrpc_close(rpc);
	return error ? -error : 0;
}

/* Closing an AF_PACKET socket waits for an RCU grace period (about 12 ms
 * here), and ovs-vswitchd closes its ports' sockets one after the other: a
 * 1000-port switch took 13 s to stop.  Holding duplicates of its sockets
 * while it exits, its closes only drop references; ovslab then releases the
 * sockets from many threads at once, and the grace periods overlap (300
 * sockets: 3.6 s one by one, 0.18 s from 32 threads; a 1000-port switch
 * stops in 0.5 s with 32 threads, 0.17 s with 128). */
struct switchd_fds {
	int *fd;
	size_t n;
	struct switchd_tap {
		char name[IF_NAMESIZE]; /* from /proc/PID/fdinfo */
		int fd;                 /* a duplicate of its /dev/net/tun fd, or -1 */
	} *taps;
	size_t n_taps;
};

/* The name of the tap device behind a /dev/net/tun fd ("iff:" in fdinfo),
 * and a duplicate of that fd. */
static void switchd_note_tap(pid_t pid, int pidfd, const char *fd, struct switchd_fds *g)
{
	char path[352], line[128];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%s", (int)pid, fd);
	f = fopen(path, "re");
	while (f && fgets(line, sizeof(line), f)) {
		struct switchd_tap *nt, *t;

		if (strncmp(line, "iff:", 4))
			continue;
		nt = realloc(g->taps, (g->n_taps + 1) * sizeof(*nt));
		if (!nt)
			break;
		g->taps = nt;
		t = &g->taps[g->n_taps++];
		snprintf(t->name, IF_NAMESIZE, "%.*s", IF_NAMESIZE - 1,
			 line + 4 + strspn(line + 4, " \t"));
		t->name[strcspn(t->name, "\n")] = '\0';
		t->fd = pidfd_getfd(pidfd, atoi(fd), 0);
	}
	if (f)
		fclose(f);
}

static void switchd_grab_sockets(pid_t pid, struct switchd_fds *g)
{
	char path[64], link[64];
	int pidfd = pidfd_open(pid, 0);
	struct dirent *de;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	d = pidfd >= 0 ? opendir(path) : NULL;
	while (d && (de = readdir(d))) {
		char fdpath[352];
		ssize_t len;
		int *nfd, fd;

		snprintf(fdpath, sizeof(fdpath), "%s/%s", path, de->d_name);
		len = readlink(fdpath, link, sizeof(link) - 1);
		if (len > 0 && (size_t)len == strlen("/dev/net/tun") &&
		    !strncmp(link, "/dev/net/tun", (size_t)len))
			switchd_note_tap(pid, pidfd, de->d_name, g);
		if (len <= 0 || strncmp(link, "socket:", 7))
			continue;
		fd = pidfd_getfd(pidfd, atoi(de->d_name), 0);
		nfd = fd >= 0 ? realloc(g->fd, (g->n + 1) * sizeof(*nfd)) : NULL;
		if (!nfd) {
			if (fd >= 0)
				close(fd);
			continue;
		}
		g->fd = nfd;
		g->fd[g->n++] = fd;
	}
	if (d)
		closedir(d);
	if (pidfd >= 0)
		close(pidfd);
}

struct switchd_closer {
	const struct switchd_fds *g;
	size_t first, step;
};

static void *switchd_close_some(void *arg)
{
	const struct switchd_closer *c = arg;

	for (size_t i = c->first; i < c->g->n; i += c->step)
		close(c->g->fd[i]);
	return NULL;
}

#define SWITCHD_CLOSERS 128

/* A killed switch's sockets, kept in its struct switchd until
 * switchd_release_start(): released
 * while the lab's namespaces are being cleaned up, their grace periods
 * overlap that work (down at 1000 hosts 0.66-0.79 s -> 0.60-0.65 s); released
 * before the namespaces are unmounted, they slowed each unmount. */
struct switchd_release {
	struct switchd_fds g;
	struct switchd_closer c[SWITCHD_CLOSERS];
	pthread_t th[SWITCHD_CLOSERS];
	bool started[SWITCHD_CLOSERS];
	bool begun;
};

/* Tap fds not handed to the closers (a switch that exited on its own). */
static void switchd_taps_free(struct switchd_fds *g)
{
	for (size_t i = 0; i < g->n_taps; i++)
		if (g->taps[i].fd >= 0)
			close(g->taps[i].fd);
	free(g->taps);
	g->taps = NULL;
	g->n_taps = 0;
}

static void switchd_release_join(struct switchd_release *r)
{
	for (size_t i = 0; i < SWITCHD_CLOSERS; i++) {
		if (r->started[i])
			pthread_join(r->th[i], NULL);
		else
			switchd_close_some(&r->c[i]); /* a thread that did not start: close here */
	}
	free(r->g.fd);
	switchd_taps_free(&r->g);
	free(r);
}

static void switchd_release_run(struct switchd_release *r)
{
	if (!r || r->begun)
		return;
	r->begun = true;
	for (size_t i = 0; i < SWITCHD_CLOSERS; i++) {
		r->c[i] = (struct switchd_closer){ .g = &r->g, .first = i, .step = SWITCHD_CLOSERS };
		r->started[i] = r->g.n > i &&
				pthread_create(&r->th[i], NULL, switchd_close_some, &r->c[i]) == 0;
	}
}

static void switchd_release_finish(struct switchd_release **pending)
{
	switchd_release_run(*pending);
	if (*pending)
		switchd_release_join(*pending);
	*pending = NULL;
}

/* The grabbed sockets go to *pending, the release of the switch they came
 * from; one it already had is finished first. */
static void switchd_release_defer(struct switchd_fds *g, struct switchd_release **pending)
{
	struct switchd_release *r = g->n ? calloc(1, sizeof(*r)) : NULL;

	if (!r) {
		for (size_t i = 0; i < g->n; i++)
			close(g->fd[i]);
		free(g->fd);
		switchd_taps_free(g);
		goto out;
	}
	r->g = *g;
	switchd_release_finish(pending);
	*pending = r;
out:
	*g = (struct switchd_fds){ 0 };
}

void switchd_release_start(struct switchd *sw)
{
	switchd_release_run(sw->release);
}

void switchd_release_wait(struct switchd *sw)
{
	switchd_release_finish(&sw->release);
}

/* A persistent tap that nobody holds, deleted the way it was made: attached
 * to a /dev/net/tun fd of our own, made non-persistent, and so gone when that
 * fd closes.  The switch owns its taps, so it deletes them without rtnetlink
 * (a layer of its own).  A name no longer there is left alone: attaching
 * would create it. */
static void switchd_del_tap(const char *name)
{
	struct ifreq ifr = { .ifr_flags = IFF_TAP | IFF_NO_PI };
	int fd;

	if (!if_nametoindex(name))
		return;
	fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	/* Attaching needs the tap's own queue mode. */
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		ifr.ifr_flags |= IFF_MULTI_QUEUE;
		if (errno != EINVAL || ioctl(fd, TUNSETIFF, &ifr) < 0)
			goto out;
	}
	ioctl(fd, TUNSETPERSIST, 0);
out:
	close(fd);
}

/* ovs-vswitchd's tap devices are persistent: killed, it leaves them.  Made
 * non-persistent, each goes when its last fd (ovslab's duplicate) closes,
 * among the sockets released later, rather than with a delete here that
 * waits for grace periods (40 ms at 1000 ports). */
static void switchd_drop_taps(struct switchd_fds *g)
{
	for (size_t i = 0; i < g->n_taps; i++) {
		struct switchd_tap *t = &g->taps[i];
		int *nfd;

		if (t->fd >= 0 && ioctl(t->fd, TUNSETPERSIST, 0) == 0 &&
		    (nfd = realloc(g->fd, (g->n + 1) * sizeof(*nfd)))) {
			g->fd = nfd;
			g->fd[g->n++] = t->fd;
			t->fd = -1;
			continue;
		}
		if (t->fd >= 0)
			close(t->fd);
		t->fd = -1;
		switchd_del_tap(t->name);
	}
}

static int switchd_stop_daemon(const char *dir, const char *name,
			       struct switchd_release **pending)
{
	struct switchd_fds grabbed = { 0 };
	char ctl[PATH_MAX];
	pid_t pid;
	int ret = 0;

	pid = switchd_read_pid(dir, name);
	if (!pid || switchd_pid_gone(pid))
		goto out;
	switchd_path(ctl, dir, name, ".ctl");
	/* ovs-vswitchd would delete its ports one by one on exit (about 1.4 ms
	 * each); the private switch is ovslab's alone and its state goes with
	 * it, so with its sockets in hand ovslab ends it at once and deletes its
	 * tap devices itself.  ovsdb-server's database goes with the directory:
	 * asked to exit, it took 90 ms at 1000 ports for nothing kept. */
	if (switchd_pid_is(pid, name)) {
		bool vswitchd = !strcmp(name, "ovs-vswitchd");

		if (vswitchd)
			switchd_grab_sockets(pid, &grabbed);
		if ((!vswitchd || grabbed.n) && kill(pid, SIGKILL) == 0 &&
		    switchd_wait_gone(pid, SWITCHD_KILL_MS)) {
			switchd_drop_taps(&grabbed);
			goto out;
		}
	}
	/* --cleanup makes ovs-vswitchd delete its datapaths and tap devices. */
	if (switchd_unixctl(ctl, "exit", (const char *const[]){ "--cleanup" },
			    strcmp(name, "ovs-vswitchd") ? 0 : 1, SWITCHD_REPLY_MS, NULL) == 0 &&
	    switchd_wait_gone(pid, SWITCHD_EXIT_MS))
		goto out;
	if (!switchd_pid_is(pid, name))
		goto out;
	kill(pid, SIGTERM);
	if (switchd_wait_gone(pid, SWITCHD_KILL_MS))
		goto out;
	kill(pid, SIGKILL);
	if (!switchd_wait_gone(pid, SWITCHD_KILL_MS)) {
		err_set("%s: process %d of the private switch in %s does not stop",
			name, (int)pid, dir);
		ret = -EBUSY;
	}
out:
	switchd_release_defer(&grabbed, pending);
	return ret;
}

/* Removes what the daemons and we made under fd, never following links. */
static int switchd_rm_tree(int fd)
{
	struct dirent *de;
	DIR *d;
	int ret = 0;

	d = fdopendir(fd);
	if (!d) {
		ret = -errno;
		close(fd);
		goto out;
	}
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (unlinkat(dirfd(d), de->d_name, 0) == 0)
			continue;
		if (errno == EISDIR || errno == EPERM) {
			int sub = openat(dirfd(d), de->d_name,
					 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

			if (sub >= 0 && switchd_rm_tree(sub) == 0 &&
			    unlinkat(dirfd(d), de->d_name, AT_REMOVEDIR) == 0)
				continue;
		}
		if (errno != ENOENT && !ret)
			ret = -errno;
	}
	closedir(d);
out:
	return ret;
}

static int switchd_remove_dir(const char *dir)
{
	int fd, ret;

	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		ret = errno == ENOENT ? 0 : -errno;
		goto out;
	}
	ret = switchd_rm_tree(fd);
	if (!ret && rmdir(dir) < 0)
		ret = -errno;
out:
	if (ret < 0)
		err_set("%s: cannot remove the private switch's directory: %s", dir,
			strerror(-ret));
	return ret;
}

/* A killed ovs-vswitchd leaves its persistent taps: "ovs-netdev" and each
 * bridge's internal port.  Their names are among the "name" values of its
 * database file (read as text: ovsdb-server may be dead too); a name that
 * is no tap, or a tap something holds, is left alone by switchd_del_tap. */
static void switchd_drop_dead_taps(const char *dir)
{
	char path[PATH_MAX], *text = NULL;
	size_t len = 0;
	FILE *f;

	switchd_del_tap("ovs-netdev");
	switchd_path(path, dir, "conf", ".db");
	f = fopen(path, "re");
	if (!f)
		return;
	if (getdelim(&text, &len, '\0', f) > 0) {
		for (char *p = strstr(text, "\"name\":\""); p; p = strstr(p, "\"name\":\"")) {
			char name[IF_NAMESIZE];
			size_t n;

			p += strlen("\"name\":\"");
			n = strcspn(p, "\"");
			if (n && n < sizeof(name)) {
				snprintf(name, sizeof(name), "%.*s", (int)n, p);
				switchd_del_tap(name);
			}
		}
	}
	free(text);
	fclose(f);
}

static int switchd_stop_private(struct switchd *sw)
{
	const char *dir = sw->rundir;
	bool vswitchd_dead = !switchd_daemon_runs(dir, "ovs-vswitchd");
	int ret = 0, r;

	ovslib_init();
	for (size_t i = 0; i < sizeof(switchd_daemons) / sizeof(switchd_daemons[0]); i++) {
		r = switchd_stop_daemon(dir, switchd_daemons[i], &sw->release);
		if (r < 0 && !ret)
			ret = r;
	}
	/* A daemon that would not die may still write there. */
	if (ret < 0)
		goto out;
	if (vswitchd_dead)
		switchd_drop_dead_taps(dir);
	ret = switchd_remove_dir(dir);
out:
	return ret;
}

/* Which of a private switch's parts to start: its database file, and each
 * daemon (a switch revived keeps its database and whichever daemon lives). */
enum switchd_part {
	SWITCHD_DB = 1,
	SWITCHD_SERVER = 2,
	SWITCHD_VSWITCHD = 4,
};

static int switchd_start_private(const char *dir, bool disable_system, unsigned parts)
{
	char tool[PATH_MAX], server[PATH_MAX], vswitchd[PATH_MAX];
	char db[PATH_MAX], schema[PATH_MAX], sock[PATH_MAX + 16], remote[PATH_MAX + 16];
	char sctl[PATH_MAX + 16], spid[PATH_MAX + 16], slog[PATH_MAX + 16];
	char vctl[PATH_MAX + 16], vpid[PATH_MAX + 16], vlog[PATH_MAX + 16];
	const char *pkgdata = getenv("OVS_PKGDATADIR");
	char **env = NULL;
	int ret;

	if ((ret = switchd_find_bin("ovsdb-tool", tool, sizeof(tool))) < 0 ||
	    (ret = switchd_find_bin("ovsdb-server", server, sizeof(server))) < 0 ||
	    (ret = switchd_find_bin("ovs-vswitchd", vswitchd, sizeof(vswitchd))) < 0)
		goto out;
	env = switchd_env(dir);
	if (!env) {
		ret = -ENOMEM;
		goto out;
	}
	snprintf(db, sizeof(db), "%s/conf.db", dir);
	snprintf(schema, sizeof(schema), "%s/vswitch.ovsschema",
		 pkgdata && *pkgdata ? pkgdata : SWITCHD_SCHEMA_DIR);
	snprintf(sock, sizeof(sock), "--remote=punix:%s/db.sock", dir);
	snprintf(remote, sizeof(remote), "unix:%s/db.sock", dir);
	snprintf(sctl, sizeof(sctl), "--unixctl=%s/ovsdb-server.ctl", dir);
	snprintf(spid, sizeof(spid), "--pidfile=%s/ovsdb-server.pid", dir);
	snprintf(slog, sizeof(slog), "--log-file=%s/ovsdb-server.log", dir);
	snprintf(vctl, sizeof(vctl), "--unixctl=%s/ovs-vswitchd.ctl", dir);
	snprintf(vpid, sizeof(vpid), "--pidfile=%s/ovs-vswitchd.pid", dir);
	snprintf(vlog, sizeof(vlog), "--log-file=%s/ovs-vswitchd.log", dir);

	if (parts & SWITCHD_DB) {
		char *const argv[] = { tool, "create", db, schema, NULL };

		ret = switchd_run(argv, env);
		if (ret != 0) {
			err_set("ovsdb-tool: cannot create the private switch's database %s from %s",
				db, schema);
			ret = ret < 0 ? ret : -EIO;
			goto out;
		}
	}
	if (parts & SWITCHD_SERVER) {
		char *const argv[] = { server, db, sock, sctl, spid, slog,
				       "--detach", "--no-chdir", NULL };

		ret = switchd_start_daemon(server, argv, env, dir, "ovsdb-server");
		if (ret < 0)
			goto out;
	}
	if (parts & SWITCHD_VSWITCHD) {
		/* Without the kernel module a "system" bridge can only fail. */
		char *const argv[] = { vswitchd, remote, vctl, vpid, vlog, "--detach",
				       "--no-chdir", disable_system ? "--disable-system" : NULL,
				       NULL };

		ret = switchd_start_daemon(vswitchd, argv, env, dir, "ovs-vswitchd");
		if (ret < 0)
			goto out;
	}
	ret = 0;
out:
	switchd_env_free(env);
	return ret;
}

unsigned switchd_private_dead(const char *rundir)
{
	unsigned dead = 0;

	if (access(rundir, F_OK) < 0)
		return 0;
	if (!switchd_daemon_runs(rundir, "ovsdb-server"))
		dead |= SWITCHD_DEAD_OVSDB;
	if (!switchd_daemon_runs(rundir, "ovs-vswitchd"))
		dead |= SWITCHD_DEAD_VSWITCHD;
	return dead;
}

int switchd_revive(const char *rundir)
{
	unsigned dead = switchd_private_dead(rundir);
	char path[PATH_MAX];
	unsigned parts = 0;
	int ret;

	ovslib_init();
	/* Its directory removed by hand: a switch is made anew, and the
	 * lab's next transaction gives it its rows back. */
	if (access(rundir, F_OK) < 0 && errno == ENOENT) {
		if (mkdir(rundir, 0750) < 0) {
			ret = -errno;
			err_set("%s: cannot create the private switch's directory: %s", rundir,
				strerror(-ret));
			return ret;
		}
		switchd_del_tap("ovs-netdev");
		dead = SWITCHD_DEAD_OVSDB | SWITCHD_DEAD_VSWITCHD;
		parts = SWITCHD_DB;
	}
	if (!dead)
		return 0;
	/* The sockets of a dead daemon name nothing: it makes them anew. */
	if (dead & SWITCHD_DEAD_OVSDB) {
		parts |= SWITCHD_SERVER;
		switchd_path(path, rundir, "db", ".sock");
		unlink(path);
		switchd_path(path, rundir, "ovsdb-server", ".ctl");
		unlink(path);
	}
	if (dead & SWITCHD_DEAD_VSWITCHD) {
		parts |= SWITCHD_VSWITCHD;
		switchd_path(path, rundir, "ovs-vswitchd", ".ctl");
		unlink(path);
		switchd_drop_dead_taps(rundir);
	}
	ret = switchd_start_private(rundir, !strcmp(switchd_datapath(), "netdev"), parts);
	if (ret < 0) {
		char cause[512];

		snprintf(cause, sizeof(cause), "%s", err_get());
		err_set("%s: the private switch in %s cannot be started again: %s",
			dead & SWITCHD_DEAD_OVSDB ? "ovsdb-server" : "ovs-vswitchd", rundir, cause);
	}
	return ret;
}

int switchd_start(const char *rundir, struct switchd *sw)
{
	char sock[PATH_MAX];
	int n, ret = 0;

	memset(sw, 0, sizeof(*sw));
	snprintf(sw->datapath, sizeof(sw->datapath), "%s", switchd_datapath());
	if (switchd_find_shared(sw->remote, sizeof(sw->remote)) == 0)
		return 0;
	ovslib_init();
	n = snprintf(sw->rundir, sizeof(sw->rundir), "%s", rundir);
	if (n < 0 || (size_t)n >= sizeof(sw->rundir) - 32) {
		err_set("%s: directory path is too long", rundir);
		return -ENAMETOOLONG;
	}
	snprintf(sw->remote, sizeof(sw->remote), "unix:%.*s/db.sock",
		 (int)sizeof(sw->rundir) - 32, sw->rundir);
	sw->private = true;
	/* Another lab started it: two userspace switches cannot share one
	 * network namespace (both want the "ovs-netdev" device). */
	snprintf(sock, sizeof(sock), "%.*s/db.sock", (int)sizeof(sock) - 16, sw->rundir);
	if (switchd_sock_answers(sock))
		return 0;
	if (mkdir(sw->rundir, 0750) < 0) {
		ret = -errno;
		if (ret == -EEXIST)
			err_set("%s: a private switch directory is left from a run that did not "
				"finish (run `ovslab gc`)", sw->rundir);
		else
			err_set("%s: cannot create the private switch's directory: %s",
				sw->rundir, strerror(-ret));
		sw->private = false;
		return ret;
	}
	ret = switchd_start_private(sw->rundir, !strcmp(sw->datapath, "netdev"),
				    SWITCHD_DB | SWITCHD_SERVER | SWITCHD_VSWITCHD);
	if (ret < 0) {
		switchd_stop_private(sw);
		switchd_release_wait(sw);
		sw->private = false;
	}
	return ret;
}

int switchd_stop_begin(struct switchd *sw)
{
	if (!sw->private)
		return 0;
	/* Only ever remove a directory of ovslab's own: the path comes from a
	 * journal, and a damaged one must not point anywhere else. */
	if (strncmp(sw->rundir, SWITCHD_RUN_ROOT "/", strlen(SWITCHD_RUN_ROOT "/")) ||
	    strstr(sw->rundir, "/..")) {
		err_set("%s: not a private switch directory", sw->rundir);
		return -EINVAL;
	}
	return switchd_stop_private(sw);
}

int switchd_stop(struct switchd *sw)
{
	int ret = switchd_stop_begin(sw);

	switchd_release_wait(sw);
	return ret;
}

/* Each machine's switch is started by a child of ours that moves into the
 * machine's namespace first (the daemons are born there), all children at
 * once: one machine's switch does not wait for another's.  A child's error
 * comes back through a pipe. */
struct switchd_starting {
	size_t n;
	pid_t *pids;   /* 0: waited for (or never forked) */
	int *rd;       /* the child's error pipe; -1: none */
	char **dirs;   /* for messages */
	int first;     /* the first failure of those waited for */
};

static int switchd_starting_wait(struct switchd_starting *s, size_t i, bool say)
{
	char why[512];
	ssize_t got = 0, r;
	int status, ret = 0;

	if (i >= s->n || s->rd[i] < 0)
		return 0;
	while ((r = read(s->rd[i], why + got, sizeof(why) - 1 - (size_t)got)) > 0)
		got += r;
	why[got] = '\0';
	close(s->rd[i]);
	s->rd[i] = -1;
	if (s->pids[i] <= 0)
		return 0;
	while (waitpid(s->pids[i], &status, 0) < 0 && errno == EINTR)
		;
	s->pids[i] = 0;
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		if (say)
			err_set("%s: could not start the machine's switch: %s", s->dirs[i],
				got ? why : "its starter died");
		ret = -EIO;
	}
	return ret;
}

static void switchd_starting_free(struct switchd_starting *s)
{
	for (size_t i = 0; s->dirs && i < s->n; i++)
		free(s->dirs[i]);
	free(s->dirs);
	free(s->pids);
	free(s->rd);
	free(s);
}

int switchd_machines_wait(struct switchd_starting *s, size_t i)
{
	int ret = switchd_starting_wait(s, i, true);

	if (ret < 0 && !s->first)
		s->first = ret;
	return ret;
}

int switchd_machines_end(struct switchd_starting *s)
{
	int ret;

	if (!s)
		return 0;
	/* The message of the first failure stays, be it the caller's. */
	for (size_t i = 0; i < s->n; i++) {
		int r = switchd_starting_wait(s, i, !s->first && !err_isset());

		if (r < 0 && !s->first)
			s->first = r;
	}
	ret = s->first;
	switchd_starting_free(s);
	return ret;
}

int switchd_machines_begin(struct switchd *sws, char *const *rundirs, const int *netns_fds,
			   size_t n, struct switchd_starting **out)
{
	struct switchd_starting *s = calloc(1, sizeof(*s));
	int ret = 0;

	*out = s;
	if (!s || !(s->pids = calloc(n + 1, sizeof(*s->pids))) ||
	    !(s->rd = malloc((n + 1) * sizeof(*s->rd))) ||
	    !(s->dirs = calloc(n + 1, sizeof(*s->dirs)))) {
		ret = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		s->rd[i] = -1;
	s->n = n;
	ovslib_init();
	for (size_t i = 0; i < n; i++) {
		struct switchd *sw = &sws[i];
		int p[2];

		memset(sw, 0, sizeof(*sw));
		sw->private = true;
		snprintf(sw->datapath, sizeof(sw->datapath), "netdev");
		snprintf(sw->rundir, sizeof(sw->rundir), "%s", rundirs[i]);
		snprintf(sw->remote, sizeof(sw->remote), "unix:%s/db.sock", sw->rundir);
		s->dirs[i] = strdup(rundirs[i]);
		if (!s->dirs[i]) {
			ret = -ENOMEM;
			break;
		}
		if (pipe2(p, O_CLOEXEC) < 0) {
			ret = -errno;
			break;
		}
		s->pids[i] = fork();
		if (s->pids[i] == 0) {
			const char *why = NULL;
			int r = setns(netns_fds[i], CLONE_NEWNET) < 0 ? -errno : 0;

			close(p[0]);
			if (r < 0)
				why = strerror(-r);
			else if (mkdir(sw->rundir, 0750) < 0)
				why = strerror(errno);
			else if (switchd_start_private(sw->rundir, true, SWITCHD_DB | SWITCHD_SERVER | SWITCHD_VSWITCHD) < 0)
				why = err_get();
			if (why && write(p[1], why, strlen(why)) < 0)
				_exit(2);
			_exit(why ? 1 : 0);
		}
		close(p[1]);
		s->rd[i] = p[0];
		if (s->pids[i] < 0) {
			ret = -errno;
			s->pids[i] = 0;
			break;
		}
	}
out:
	if (ret < 0) {
		err_set("cannot start the machines' switches: %s", strerror(-ret));
		if (s && s->rd && s->dirs)
			s->first = ret;
		else if (s) {
			switchd_starting_free(s);
			*out = NULL;
		}
	}
	return ret;
}

int switchd_start_machines(struct switchd *sws, char *const *rundirs, const int *netns_fds,
			   size_t n)
{
	struct switchd_starting *s;
	int ret = switchd_machines_begin(sws, rundirs, netns_fds, n, &s);

	if (s)
		ret = switchd_machines_end(s);
	return ret;
}

bool switchd_daemon_alive(const char *rundir, const char *name, pid_t *pid)
{
	*pid = switchd_read_pid(rundir, name);
	return *pid && !switchd_pid_gone(*pid) && switchd_pid_is(*pid, name);
}
