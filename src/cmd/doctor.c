/* `ovslab doctor [--json]`: what on this machine would stop a lab, or make
 * it misbehave, one line per item with the fix. */
#include <dirent.h>
#include <sched.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "firewall/firewall.h"
#include "journal/journal.h"
#include "kernel/rtnl.h"
#include "switch/ovslib.h"
#include "switch/switchd.h"
#include "util/err.h"
#include "util/json.h"
#include "util/strset.h"

/* Descriptors a lab keeps open per host while up (namespace, sockets) and
 * what a run needs besides; a rough budget, not a measurement. */
#define DOCTOR_FDS_PER_HOST 4
#define DOCTOR_FDS_BASE 64

enum doctor_level { DOCTOR_OK, DOCTOR_NOTE, DOCTOR_WARN, DOCTOR_FAIL };

static const char *const doctor_levels[] = { "ok", "note", "warn", "FAIL" };

struct doctor {
	FILE *out;
	bool json, first;
	size_t fails;
};

static void __attribute__((format(printf, 5, 6)))
doctor_item(struct doctor *d, enum doctor_level lv, const char *item, const char *fix,
	    const char *fmt, ...)
{
	char what[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	d->fails += lv == DOCTOR_FAIL;
	if (!d->json) {
		fprintf(d->out, "%-4s %-14s %s%s%s\n", doctor_levels[lv], item, what,
			fix ? "; fix: " : "", fix ? fix : "");
		return;
	}
	fputs(d->first ? "[\n {\"item\":" : ",\n {\"item\":", d->out);
	d->first = false;
	json_str(d->out, item);
	fputs(",\"level\":", d->out);
	json_str(d->out, doctor_levels[lv]);
	fputs(",\"what\":", d->out);
	json_str(d->out, what);
	fputs(",\"fix\":", d->out);
	json_str(d->out, fix);
	fputc('}', d->out);
}

static bool doctor_read(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	bool ok;

	if (!f)
		return false;
	ok = fgets(buf, (int)len, f) != NULL;
	fclose(f);
	if (ok)
		buf[strcspn(buf, "\n")] = '\0';
	return ok;
}

/* A kernel module is there when loaded or built in (/sys/module), or can be
 * loaded from the running kernel's module tree. */
static bool doctor_module(const char *name, const char *subpath)
{
	char path[512];
	struct utsname u;

	snprintf(path, sizeof(path), "/sys/module/%s", name);
	if (access(path, F_OK) == 0)
		return true;
	if (uname(&u) < 0)
		return false;
	for (int z = 0; z < 3; z++) {
		static const char *const ext[] = { "", ".xz", ".zst" };

		snprintf(path, sizeof(path), "/lib/modules/%s/kernel/%s/%s.ko%s", u.release,
			 subpath, name, ext[z]);
		if (access(path, F_OK) == 0)
			return true;
	}
	return false;
}

/* The first line a program prints, run without a shell. */
static bool doctor_run(const char *bin, const char *arg, char *buf, size_t len)
{
	int p[2];
	pid_t pid;
	ssize_t n;
	int status;

	if (pipe2(p, O_CLOEXEC) < 0)
		return false;
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return false;
	}
	if (pid == 0) {
		dup2(p[1], STDOUT_FILENO);
		execl(bin, bin, arg, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	n = read(p[0], buf, len - 1);
	close(p[0]);
	waitpid(pid, &status, 0);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* A process of that name (its comm) runs. */
static bool doctor_process(const char *name)
{
	DIR *dir = opendir("/proc");
	struct dirent *de;
	bool found = false;

	if (!dir)
		return false;
	while (!found && (de = readdir(dir))) {
		char path[300], comm[64];

		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", de->d_name);
		found = doctor_read(path, comm, sizeof(comm)) && !strcmp(comm, name);
	}
	closedir(dir);
	return found;
}

/* Makes a veth pair in a throwaway namespace of a child: 1 when the kernel
 * can, 0 when not, -1 when it cannot be tried (not root). */
static int doctor_veth(void)
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		struct rtnl *nl = NULL;
		int self;

		if (unshare(CLONE_NEWNET) < 0)
			_exit(2);
		self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
		if (self < 0 || rtnl_open(&nl) < 0)
			_exit(2);
		_exit(rtnl_veth_create(nl, "doctor0", "doctor1", self) == 0 ? 0 : 1);
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status) == 0 ? 1 : WEXITSTATUS(status) == 1 ? 0 : -1;
}

static void doctor_kernel(struct doctor *d)
{
	int veth;

	if (access("/proc/self/ns/net", F_OK) == 0)
		doctor_item(d, DOCTOR_OK, "netns", NULL, "network namespaces available");
	else
		doctor_item(d, DOCTOR_FAIL, "netns", "a kernel with CONFIG_NET_NS",
			    "no network namespaces in this kernel");
	veth = doctor_veth();
	if (veth > 0 || (veth < 0 && doctor_module("veth", "drivers/net")))
		doctor_item(d, DOCTOR_OK, "veth", NULL, "veth pairs available");
	else if (veth < 0)
		doctor_item(d, DOCTOR_NOTE, "veth", "run ovslab doctor as root",
			    "cannot try making a veth pair");
	else
		doctor_item(d, DOCTOR_FAIL, "veth", "a kernel with CONFIG_VETH (modprobe veth)",
			    "the kernel cannot make a veth pair");
	if (doctor_module("openvswitch", "net/openvswitch"))
		doctor_item(d, DOCTOR_OK, "datapath", NULL, "openvswitch kernel module present");
	else
		doctor_item(d, DOCTOR_NOTE, "datapath", NULL,
			    "no openvswitch kernel module: labs use the userspace datapath "
			    "(netdev), slower but complete");
}

static void doctor_switch(struct doctor *d)
{
	char bin[512], ver[256], remote[512];

	if (switchd_binary(bin, sizeof(bin)) < 0) {
		err_clear();
		doctor_item(d, DOCTOR_FAIL, "ovs-vswitchd", "apt-get install openvswitch-switch",
			    "not found in PATH or /usr/sbin");
	} else if (!doctor_run(bin, "--version", ver, sizeof(ver))) {
		doctor_item(d, DOCTOR_FAIL, "ovs-vswitchd", "reinstall openvswitch-switch",
			    "%s does not run (--version failed)", bin);
	} else {
		const char *v = strrchr(ver, ' ');

		v = v ? v + 1 : ver;
		if (strcmp(v, ovslib_version()))
			doctor_item(d, DOCTOR_WARN, "ovs-vswitchd",
				    "rebuild ovslab against this version's openvswitch-source",
				    "%s is %s, ovslab's libopenvswitch was built from %s", bin, v,
				    ovslib_version());
		else
			doctor_item(d, DOCTOR_OK, "ovs-vswitchd", NULL,
				    "%s %s, the version libopenvswitch was built from", bin, v);
	}
	if (switchd_find_shared(remote, sizeof(remote)) == 0)
		doctor_item(d, DOCTOR_NOTE, "system switch", NULL,
			    "the machine's own switch answers at %s: labs put their bridges "
			    "there", remote);
	else
		doctor_item(d, DOCTOR_OK, "system switch", NULL,
			    "none runs: labs use ovslab's private switch");
	err_clear();
}

static void doctor_firewall(struct doctor *d)
{
	struct fw_state s;
	enum fw_backend b;
	char why[160];
	int ret;

	b = fw_detect(why, sizeof(why));
	ret = fw_state(&s);
	doctor_item(d, DOCTOR_OK, "firewall", NULL, "labs use %s (%s)", fw_backend_name(b), why);
	if (ret < 0) {
		doctor_item(d, DOCTOR_WARN, "forward policy", "run ovslab doctor as root",
			    "cannot read: %s", err_get());
		err_clear();
		return;
	}
	doctor_item(d, s.legacy_drop ? DOCTOR_NOTE : DOCTOR_OK, "legacy forward", NULL,
		    "legacy xtables FORWARD policy %s%s", s.legacy_drop ? "DROP" : "ACCEPT",
		    s.legacy_drop ? ": labs with nat add ACCEPT rules for their subnets there" :
		    s.legacy_tables ? "" : " (no legacy tables)");
	doctor_item(d, s.nft_drop ? DOCTOR_NOTE : DOCTOR_OK, "nft forward", NULL,
		    "nftables forward %s%s", s.nft_drop ? "policy DROP" : "accepts",
		    s.nft_drop ? ": labs with nat add accept rules in the chains that drop" : "");
	if (s.legacy_tables && s.nft_rules)
		doctor_item(d, DOCTOR_NOTE, "both backends", NULL,
			    "legacy xtables and nf_tables both hold tables: a packet must pass "
			    "both, ovslab accepts its traffic in each");
	if (s.docker || access("/run/docker.sock", F_OK) == 0 || doctor_process("dockerd"))
		doctor_item(d, DOCTOR_NOTE, "docker", NULL,
			    "Docker present%s: the lab's FORWARD accepts go into DOCKER-USER",
			    s.docker ? " (its chains are in the ruleset)" : "");
	if (doctor_process("firewalld") || access("/run/firewalld", F_OK) == 0)
		doctor_item(d, DOCTOR_WARN, "firewalld", "run `ovslab up LABFILE` again after a "
			    "firewalld reload (it puts the rules back)",
			    "firewalld runs (org.fedoraproject.FirewallD1): a reload flushes the "
			    "lab's nftables rules");
}

static void doctor_sysctls(struct doctor *d)
{
	char v[32];

	if (doctor_read("/proc/sys/net/ipv4/ip_forward", v, sizeof(v)))
		doctor_item(d, DOCTOR_OK, "ip_forward", NULL,
			    "net.ipv4.ip_forward=%s (labs with nat turn it on and back)", v);
	if (doctor_read("/proc/sys/net/ipv4/conf/all/rp_filter", v, sizeof(v)) &&
	    !strcmp(v, "1"))
		doctor_item(d, DOCTOR_WARN, "rp_filter", "sysctl net.ipv4.conf.all.rp_filter=2",
			    "net.ipv4.conf.all.rp_filter=1 (strict): replies on asymmetric "
			    "routes between hosts are dropped");
	else
		doctor_item(d, DOCTOR_OK, "rp_filter", NULL, "net.ipv4.conf.all.rp_filter=%s",
			    *v ? v : "?");
}

/* /run/netns must be a shared mount so a namespace pinned there is seen by
 * `ip netns` in other mount namespaces (systemd's services). */
static void doctor_netns_mount(struct doctor *d)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[1024];
	int found = 0; /* 1: private, 2: shared */

	while (f && fgets(line, sizeof(line), f)) {
		char mp[512];

		if (sscanf(line, "%*s %*s %*s %*s %511s", mp) == 1 && !strcmp(mp, "/run/netns"))
			found = strstr(line, " shared:") ? 2 : 1;
	}
	if (f)
		fclose(f);
	if (found == 1)
		doctor_item(d, DOCTOR_WARN, "/run/netns", "mount --make-shared /run/netns",
			    "mounted private: hosts made here are invisible to other mount "
			    "namespaces");
	else
		doctor_item(d, DOCTOR_OK, "/run/netns", NULL, "%s",
			    found ? "a shared mount" : "not a mount of its own (ip netns makes it)");
}

struct doctor_labs {
	size_t labs, hosts;
	struct strset *names;
};

static int doctor_lab_cb(const char *lab, void *arg)
{
	struct doctor_labs *l = arg;
	struct journal st;

	if (journal_read(lab, &st) < 0) {
		err_clear();
		return 0;
	}
	l->labs++;
	for (size_t i = 0; i < st.n_entries; i++)
		l->hosts += st.entries[i].kind == JOURNAL_NETNS && !st.entries[i].forgotten;
	journal_close(&st);
	return 0;
}

static void doctor_stray_cb(const char *lab, void *arg)
{
	struct doctor_labs *l = arg;

	if (!journal_exists(lab))
		strset_add(l->names, lab);
}

static void doctor_labs(struct doctor *d)
{
	struct strset stray = { NULL, 0 };
	struct doctor_labs l = { .names = &stray };
	struct rlimit rl;
	size_t need;

	journal_for_each_lab(doctor_lab_cb, &l);
	err_clear();
	need = DOCTOR_FDS_BASE + DOCTOR_FDS_PER_HOST * l.hosts;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur < need)
		doctor_item(d, DOCTOR_WARN, "open files", "ulimit -n (or LimitNOFILE=) higher",
			    "limit %llu, %zu labs up with %zu hosts want about %zu",
			    (unsigned long long)rl.rlim_cur, l.labs, l.hosts, need);
	else
		doctor_item(d, DOCTOR_OK, "open files", NULL, "limit %llu, %zu labs up with %zu hosts",
			    (unsigned long long)rl.rlim_cur, l.labs, l.hosts);
	if (fw_lab_names(doctor_stray_cb, &l) < 0) {
		err_clear();
		doctor_item(d, DOCTOR_NOTE, "stray rules", "run ovslab doctor as root",
			    "the firewall rules cannot be read");
	} else if (stray.n) {
		doctor_item(d, DOCTOR_WARN, "stray rules", "ovslab gc",
			    "firewall rules of lab %s%s without a record", stray.v[0],
			    stray.n > 1 ? " and others" : "");
	} else {
		doctor_item(d, DOCTOR_OK, "stray rules", NULL, "no ovslab rule without its lab");
	}
	strset_free(&stray);
}

int cmd_doctor(bool json, FILE *out)
{
	struct doctor d = { .out = out, .json = json, .first = true };

	doctor_kernel(&d);
	doctor_switch(&d);
	doctor_firewall(&d);
	doctor_sysctls(&d);
	doctor_netns_mount(&d);
	doctor_labs(&d);
	if (json)
		fputs(d.first ? "[]\n" : "\n]\n", out);
	if (d.fails)
		err_set("doctor: %zu problem%s would stop a lab from working", d.fails,
			d.fails == 1 ? "" : "s");
	return d.fails ? 1 : 0;
}

void cmd_doctor_warning(char *buf, size_t len)
{
	buf[0] = '\0';
	if (doctor_process("firewalld") || access("/run/firewalld", F_OK) == 0)
		snprintf(buf, len, "firewalld runs: a reload of it flushes the lab's rules; "
			 "`ovslab up` again puts them back (see `ovslab doctor`)");
}
