/* fw_iptc_add / fw_iptc_remove / fw_iptc_list against the legacy tables of a private
 * network namespace, observed with iptables-legacy-save. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/err.h"
#include "firewall/iptc.h"
#include "sandbox.h"

#define MASQ_SEED "-A POSTROUTING -s 192.168.100.0/24 -o eth0 -m comment --comment \"ovslab:seed\" -j MASQUERADE\n"
#define OUT_SEED "-A FORWARD -s 192.168.100.0/24 -i seedbr -o eth0 -m comment --comment \"ovslab:seed\" -j ACCEPT\n"
#define BACK_SEED "-A FORWARD -d 192.168.100.0/24 -i eth0 -o seedbr -m conntrack --ctstate RELATED,ESTABLISHED " \
	"-m comment --comment \"ovslab:seed\" -j ACCEPT\n"
#define FOREIGN "-A POSTROUTING -s 10.9.0.0/24 -j MASQUERADE\n"

static char out[65536];

static void setup(void)
{
	sandbox_enter();
	err_clear();
}

static struct lab_addr gw4(const char *addr, uint8_t prefix)
{
	struct lab_addr a = { .family = AF_INET, .prefix = prefix };

	cr_assert_eq(inet_pton(AF_INET, addr, &a.v4), 1);
	return a;
}

static const char *save(const char *table)
{
	cr_assert_eq(sandbox_runf(out, sizeof(out), "iptables-legacy-save -t %s", table), 0,
		     "iptables-legacy-save -t %s: %s", table, out);
	return out;
}

static int count(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

static void add_seed(void)
{
	struct lab_addr gw = gw4("192.168.100.254", 24);

	cr_assert_eq(fw_iptc_add("seed", "seedbr", &gw, "eth0", false), 0, "nat_add: %s", err_get());
}

static void add_seed2(void)
{
	struct lab_addr gw = gw4("192.168.101.254", 24);

	cr_assert_eq(fw_iptc_add("seed2", "seed2br", &gw, "eth0", false), 0, "nat_add: %s", err_get());
}

static void assert_seed_rules(int n)
{
	const char *s = save("nat");

	cr_assert_eq(count(s, MASQ_SEED), n, "nat table:\n%s", s);
	cr_assert_eq(count(s, "\"ovslab:seed\" "), n, "nat table:\n%s", s);
	s = save("filter");
	cr_assert_eq(count(s, OUT_SEED), n, "filter table:\n%s", s);
	cr_assert_eq(count(s, BACK_SEED), n, "filter table:\n%s", s);
	cr_assert_eq(count(s, "\"ovslab:seed\" "), 2 * n, "filter table:\n%s", s);
}

Test(nat, add_makes_three_rules, .init = setup)
{
	assert_seed_rules(0);
	add_seed();
	assert_seed_rules(1);
}

Test(nat, add_is_idempotent, .init = setup)
{
	add_seed();
	add_seed();
	assert_seed_rules(1);
}

/* Rules typed with iptables are encoded as ours are: nat_add finds them. */
Test(nat, add_recognises_rules_made_by_iptables, .init = setup)
{
	cr_assert_eq(sandbox_runf(out, sizeof(out), "iptables-legacy -t nat -A POSTROUTING "
				  "-s 192.168.100.0/24 -o eth0 -m comment --comment ovslab:seed "
				  "-j MASQUERADE"), 0, "%s", out);
	cr_assert_eq(sandbox_runf(out, sizeof(out), "iptables-legacy -A FORWARD -s 192.168.100.0/24 -i seedbr -o eth0 "
				  "-m comment --comment ovslab:seed -j ACCEPT"), 0, "%s", out);
	cr_assert_eq(sandbox_runf(out, sizeof(out), "iptables-legacy -A FORWARD -d 192.168.100.0/24 -i eth0 -o seedbr "
				  "-m conntrack --ctstate RELATED,ESTABLISHED "
				  "-m comment --comment ovslab:seed -j ACCEPT"), 0, "%s", out);
	add_seed();
	assert_seed_rules(1);
}

Test(nat, forward_rules_go_before_a_drop, .init = setup)
{
	const char *s;

	cr_assert_eq(sandbox_runf(out, sizeof(out), "iptables-legacy -P FORWARD DROP"), 0, "%s", out);
	cr_assert_eq(sandbox_runf(out, sizeof(out), "iptables-legacy -A FORWARD -j DROP"), 0, "%s", out);
	add_seed();
	s = save("filter");
	cr_assert_not_null(strstr(s, ":FORWARD DROP"), "%s", s);
	cr_assert_not_null(strstr(s, OUT_SEED), "%s", s);
	cr_assert_not_null(strstr(s, BACK_SEED), "%s", s);
	cr_assert_lt(strstr(s, OUT_SEED), strstr(s, "-A FORWARD -j DROP"), "%s", s);
	cr_assert_lt(strstr(s, BACK_SEED), strstr(s, "-A FORWARD -j DROP"), "%s", s);
}

Test(nat, remove_takes_only_its_lab, .init = setup)
{
	const char *s;

	add_seed();
	add_seed2();
	cr_assert_eq(sandbox_runf(out, sizeof(out),
				  "iptables-legacy -t nat -A POSTROUTING -s 10.9.0.0/24 -j MASQUERADE"),
		     0, "%s", out);

	cr_assert_eq(fw_iptc_remove("seed"), 3, "%s", err_get());
	assert_seed_rules(0);
	s = save("nat");
	cr_assert_eq(count(s, "--comment \"ovslab:seed2\" "), 1, "%s", s);
	cr_assert_not_null(strstr(s, FOREIGN), "%s", s);
	s = save("filter");
	cr_assert_eq(count(s, "--comment \"ovslab:seed2\" "), 2, "%s", s);

	cr_assert_eq(fw_iptc_remove("seed"), 0, "%s", err_get());
	cr_assert_eq(fw_iptc_remove("seed2"), 3, "%s", err_get());
	s = save("nat");
	cr_assert_eq(count(s, "ovslab:"), 0, "%s", s);
	cr_assert_not_null(strstr(s, FOREIGN), "%s", s);
	s = save("filter");
	cr_assert_eq(count(s, "ovslab:"), 0, "%s", s);
}

Test(nat, remove_is_not_a_prefix_match, .init = setup)
{
	struct lab_addr gw = gw4("10.20.0.1", 16);

	cr_assert_eq(fw_iptc_add("ab", "abbr", &gw, "up0", false), 0, "%s", err_get());
	cr_assert_eq(fw_iptc_remove("a"), 0, "%s", err_get());
	cr_assert_eq(count(save("nat"), "--comment \"ovslab:ab\" "), 1, "%s", out);
	cr_assert_eq(fw_iptc_remove("ab"), 3, "%s", err_get());
}

Test(nat, remove_on_empty_tables, .init = setup)
{
	cr_assert_eq(fw_iptc_remove("seed"), 0, "%s", err_get());
}

struct listed {
	int n;
	char lines[8][512];
	char tables[8][16];
};

static void collect(const char *table, const char *rule, void *arg)
{
	struct listed *l = arg;

	cr_assert_lt(l->n, 8);
	snprintf(l->tables[l->n], sizeof(l->tables[0]), "%s", table);
	snprintf(l->lines[l->n], sizeof(l->lines[0]), "%s\n", rule);
	l->n++;
}

Test(nat, list_prints_the_lab_rules, .init = setup)
{
	struct listed l = { 0 };

	add_seed();
	add_seed2();
	cr_assert_eq(fw_iptc_list("seed", collect, &l), 0, "%s", err_get());
	cr_assert_eq(l.n, 3);
	cr_assert_str_eq(l.tables[0], "nat");
	cr_assert_str_eq(l.lines[0], MASQ_SEED);
	cr_assert_str_eq(l.tables[1], "filter");
	cr_assert_str_eq(l.tables[2], "filter");
	/* Whatever the order in FORWARD, both rules are there, in save syntax. */
	cr_assert(strcmp(l.lines[1], OUT_SEED) == 0 || strcmp(l.lines[2], OUT_SEED) == 0,
		  "%s%s", l.lines[1], l.lines[2]);
	cr_assert(strcmp(l.lines[1], BACK_SEED) == 0 || strcmp(l.lines[2], BACK_SEED) == 0,
		  "%s%s", l.lines[1], l.lines[2]);

	memset(&l, 0, sizeof(l));
	cr_assert_eq(fw_iptc_list("nolab", collect, &l), 0, "%s", err_get());
	cr_assert_eq(l.n, 0);
}

Test(nat, ipv6_gateway_is_refused, .init = setup)
{
	struct lab_addr gw = { .family = AF_INET6, .prefix = 64 };

	cr_assert_eq(fw_iptc_add("seed", "seedbr", &gw, "eth0", false), -EAFNOSUPPORT);
	cr_assert_not_null(strstr(err_get(), "seedbr"), "%s", err_get());
	cr_assert_eq(count(save("nat"), "ovslab:"), 0, "%s", out);
}

/* A change waits for whoever holds the xtables lock, as iptables does. */
Test(nat, add_waits_for_the_xtables_lock, .init = setup)
{
	const char *lock = "/run/ovslab/xtables.lock";
	struct timespec t0, t1;
	int pfd[2];
	pid_t pid;
	char c;
	double waited;

	/* A private lock file: the machine's /run/xtables.lock is left alone. */
	cr_assert_eq(setenv("XTABLES_LOCKFILE", lock, 1), 0);
	cr_assert_eq(pipe(pfd), 0);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		int fd = open(lock, O_CREAT | O_RDWR, 0600);

		if (fd < 0 || flock(fd, LOCK_EX) < 0)
			_exit(1);
		if (write(pfd[1], "x", 1) != 1)
			_exit(1);
		usleep(400 * 1000);
		_exit(0);
	}
	close(pfd[1]);
	cr_assert_eq(read(pfd[0], &c, 1), 1);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	add_seed();
	clock_gettime(CLOCK_MONOTONIC, &t1);
	waitpid(pid, NULL, 0);
	waited = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	cr_assert_geq(waited, 0.2, "nat_add did not wait for the lock (%.3f s)", waited);
	assert_seed_rules(1);
}
