/* ovslab: Open vSwitch network labs from a YAML file. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/err.h"
#include "cmd/cmd.h"
#include "labfile/labfile.h"
#include "util/timing.h"
#include "version.h"

static const char usage[] =
	"usage: ovslab COMMAND ...\n"
	"\n"
	"  up FILE [--timings] [--firewall=auto|iptables|nftables]\n"
	"                                 build the lab described by FILE, or bring a lab\n"
	"                                 that is up in line with its edited file\n"
	"                                 (FILE -: read from standard input, as plan -)\n"
	"  up FILE --check                the same, then run the lab's checks\n"
	"  up FILE --machine MACHINE      on a real computer: build only that machine's part\n"
	"                                 of a lab with machines, tunnelled to the others\n"
	"  plan FILE                      print what up would change, change nothing\n"
	"  gen TOPOLOGY ARGS              print a lab file with its checks: single N,\n"
	"                                 linear N, tree DEPTH FANOUT, ring N, star N,\n"
	"                                 clos SPINES LEAVES HOSTS_PER_LEAF,\n"
	"                                 multihost MACHINES HOSTS\n"
	"  down LAB|FILE [--timings]      remove everything the lab made\n"
	"  show LAB|FILE [--json]         hosts, interfaces, addresses, ports, switch, NAT\n"
	"  exec LAB HOST -- CMD [ARGS...] run CMD inside HOST's network namespace (or a\n"
	"                                 machine's, with its switch's OVS_RUNDIR...)\n"
	"  flows LAB|FILE [-O VERSION] [BRIDGE [FILTER]]\n"
	"                                 flows, groups, meters of the lab's bridges, port\n"
	"                                 names, in the bridge's OpenFlow version or VERSION;\n"
	"                                 FILTER as ovs-ofctl dump-flows takes (table=10)\n"
	"  trace LAB|FILE BRIDGE FLOW [-generate|PACKET] [--ct-next FLAGS ...]\n"
	"                                 ofproto/trace through BRIDGE, datapath ports named\n"
	"  ovs LAB|FILE -- vsctl|ofctl|appctl ARGS...\n"
	"                                 run ovs-vsctl/ovs-ofctl/ovs-appctl on the lab's switch\n"
	"                                 (flows, trace, ovs: --machine M, or BRIDGE as\n"
	"                                 M:BRIDGE, for a machine's switch)\n"
	"  check LAB|FILE [--all] [--json | --tap] [--junit OUT]\n"
	"                                 run the lab's checks (--all: every host from\n"
	"                                 every host); exit 0 only when all hold\n"
	"  link LAB [--json]              every interface: state, MTU, link properties\n"
	"  link LAB HOST[:IF] set KEY=VALUE...\n"
	"                                 change delay, loss, rate, ... in place\n"
	"  link LAB HOST[:IF] down|up     take the link down or bring it back up\n"
	"  capture LAB TARGET... [-w FILE|-] [-c COUNT] [-f FILTER] [--duration S]\n"
	"                                 capture packets on HOST, HOST:IF, a bridge port or\n"
	"                                 bridge, MACHINE:underlay or underlay; pcapng to\n"
	"                                 FILE (or - for stdout), else one line per packet\n"
	"  graph LAB|FILE [--format dot|mermaid|json|svg] [-o OUT]\n"
	"                                 the topology as a picture; live state (links\n"
	"                                 down, ofports, impairments) when the lab is up\n"
	"  ls [--json]                    labs that have a record: hosts, switch, state\n"
	"  gc                             remove what killed or crashed runs left behind\n"
	"  doctor [--json]                what on this machine would stop a lab, and the fix\n"
	"  complete LAB|FILE hosts|bridges|machines\n"
	"                                 the names, one a line (for shell completion)\n"
	"  --help, --version\n"
	"\n"
	"Lab records live in /run/ovslab/LAB; hosts are `ip netns` namespaces.\n";

enum { EXIT_USAGE = 2 };

/* A LAB argument the lab file's "name" rule would refuse is a usage error
 * (1), never looked up: ".switch" would name the private switch's files. */
static int main_lab_arg(const char *arg, bool file_too)
{
	const char *why = lab_labname_problem(arg);
	struct stat sb;

	if (!why || (file_too && stat(arg, &sb) == 0 && S_ISREG(sb.st_mode)))
		return 0;
	err_set("%s: %snot a valid lab name: \"%s\" %s", arg,
		file_too ? "no such lab file, and " : "", arg, why);
	return 1;
}

/* LAB|FILE: an existing file is read for its lab name; anything else is
 * taken as the name of a lab that is up.  0, 1 (usage) or -errno. */
static int main_lab_name(const char *arg, char *name, size_t len)
{
	struct lab *lab = NULL;
	struct stat sb;
	int ret;

	if (stat(arg, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		ret = main_lab_arg(arg, true);
		if (ret == 0)
			snprintf(name, len, "%s", arg);
		return ret;
	}
	ret = labfile_load(arg, stderr, &lab);
	if (ret == -EINVAL)
		err_clear(); /* the file:line:col lines already say it all */
	if (ret < 0)
		return ret;
	snprintf(name, len, "%s", lab->name);
	lab_free(lab);
	return 0;
}

static int main_need_root(const char *cmd)
{
	if (geteuid() == 0)
		return 0;
	err_set("%s: ovslab needs root to manage namespaces, interfaces and the switch", cmd);
	return -EPERM;
}

/* `check LAB|FILE [--all] [--json | --tap] [--junit OUT]` */
static int main_check(int argc, char **argv)
{
	struct cmd_check_opts o = { 0 };
	int ret;

	for (int i = 3; i < argc; i++) {
		if (!strcmp(argv[i], "--all"))
			o.all = true;
		else if (!strcmp(argv[i], "--json"))
			o.json = true;
		else if (!strcmp(argv[i], "--tap"))
			o.tap = true;
		else if (!strcmp(argv[i], "--junit") && i + 1 < argc)
			o.junit = argv[++i];
		else
			return 1;
	}
	if (o.json && o.tap)
		return 1;
	ret = main_lab_arg(argv[2], true);
	if (ret)
		return ret;
	ret = main_need_root("check");
	if (ret == 0)
		ret = cmd_check(argv[2], &o, stdout);
	return ret > 0 ? -EPROTO : ret; /* checks that did not hold: exit 1 */
}

/* `graph LAB|FILE [--format F] [-o OUT]` */
static int main_graph(int argc, char **argv)
{
	const char *format = NULL, *path = NULL;
	int ret;

	for (int i = 3; i < argc; i++) {
		if (!strcmp(argv[i], "--format") && i + 1 < argc)
			format = argv[++i];
		else if (!strncmp(argv[i], "--format=", 9))
			format = argv[i] + 9;
		else if (!strcmp(argv[i], "-o") && i + 1 < argc)
			path = argv[++i];
		else
			return 1;
	}
	ret = main_lab_arg(argv[2], true);
	return ret ? ret : cmd_graph(argv[2], format, path, stdout);
}

/* up, then the checks of the same file; a check that does not hold fails the
 * command but leaves the lab up. */
static int main_up_check(const char *path)
{
	struct cmd_check_opts o = { 0 };
	char msg[512];
	int ret = main_need_root("up");

	if (ret == 0)
		ret = cmd_up(path, stderr, stdout);
	if (ret == 0) {
		ret = cmd_check(path, &o, stdout);
		timing_phase("checks");
	}
	timing_print(stdout);
	if (ret > 0) {
		snprintf(msg, sizeof(msg), "%s", err_get());
		err_reset("%s; the lab stays up", msg);
		ret = -EPROTO;
	}
	return ret;
}

/* Takes `--machine M` (or --machine=M) out of argv before any "--": 0, or
 * 1 (usage) for one without its name or given twice. */
static int main_take_machine(int *argc, char **argv, const char **machine)
{
	*machine = NULL;
	for (int i = 2; i < *argc && strcmp(argv[i], "--"); i++) {
		int take = !strcmp(argv[i], "--machine") ? 2 : !strncmp(argv[i], "--machine=", 10);

		if (!take)
			continue;
		if (*machine || (take == 2 && i + 1 >= *argc))
			return 1;
		*machine = take == 2 ? argv[i + 1] : argv[i] + 10;
		memmove(&argv[i], &argv[i + take], (size_t)(*argc - i - take + 1) * sizeof(*argv));
		*argc -= take;
		i--;
	}
	return *machine && !**machine;
}

/* `capture LAB TARGET... [-w FILE|-] [-c COUNT] [-f FILTER] [--duration S]` */
static int main_capture(int argc, char **argv)
{
	struct cmd_capture_opts o = { 0 };
	char **targets, name[64], *end;
	size_t n = 0;
	int ret;

	targets = calloc((size_t)argc, sizeof(*targets));
	if (!targets)
		return -ENOMEM;
	for (int i = 3; i < argc; i++) {
		const char *a = argv[i];

		if (a[0] != '-' || !a[1]) {
			targets[n++] = argv[i];
			continue;
		}
		if (i + 1 >= argc)
			goto usage;
		errno = 0;
		if (!strcmp(a, "-w") && !o.write) {
			o.write = argv[++i];
		} else if (!strcmp(a, "-f") && !o.filter) {
			o.filter = argv[++i];
		} else if (!strcmp(a, "-c") && !o.count) {
			o.count = strtoull(argv[++i], &end, 10);
			if (errno || *end || !o.count || argv[i][0] == '-') {
				err_set("-c %s: the count is a whole number of packets, at least 1", argv[i]);
				goto usage;
			}
		} else if (!strcmp(a, "--duration") && !o.duration) {
			o.duration = strtod(argv[++i], &end);
			if (errno || *end || end == argv[i] || !(o.duration > 0) || o.duration > 1e7) {
				err_set("--duration %s: the duration is a number of seconds above 0", argv[i]);
				goto usage;
			}
		} else {
			goto usage;
		}
	}
	if (!n)
		goto usage;
	ret = main_lab_arg(argv[2], true);
	if (ret == 0)
		ret = main_need_root("capture");
	if (ret == 0)
		ret = main_lab_name(argv[2], name, sizeof(name));
	if (ret == 0)
		ret = cmd_capture(name, targets, n, &o);
	free(targets);
	return ret;
usage:
	free(targets);
	return 1;
}

static int main_run(int argc, char **argv)
{
	const char *cmd = argv[1], *machine = NULL;
	char name[64];
	int ret;

	if ((!strcmp(cmd, "flows") || !strcmp(cmd, "trace") || !strcmp(cmd, "ovs")) &&
	    main_take_machine(&argc, argv, &machine))
		goto usage;

	if (!strcmp(cmd, "up") && argc == 3) {
		ret = main_need_root(cmd);
		if (ret == 0)
			ret = cmd_up(argv[2], stderr, stdout);
		timing_print(stdout);
		return ret;
	}
	if (!strcmp(cmd, "up") && argc == 4 && !strcmp(argv[3], "--check") &&
	    !strcmp(argv[2], "-")) {
		err_set("up - --check: the checks read the file again; run `ovslab check LAB` after `up -`");
		return 1;
	}
	if (!strcmp(cmd, "up") && argc == 4 && !strcmp(argv[3], "--check"))
		return main_up_check(argv[2]);
	if (!strcmp(cmd, "up") && argc == 5 && !strcmp(argv[3], "--machine")) {
		ret = main_need_root(cmd);
		if (ret == 0)
			ret = cmd_up_as(argv[2], argv[4], stderr, stdout);
		timing_print(stdout);
		return ret;
	}
	if (!strcmp(cmd, "check") && argc >= 3)
		return main_check(argc, argv);
	if (!strcmp(cmd, "gen"))
		return cmd_gen(argc - 2, argv + 2, stdout);
	if (!strcmp(cmd, "plan") && argc == 3)
		return cmd_plan(argv[2], stderr, stdout);
	if (!strcmp(cmd, "down") && argc == 3) {
		ret = main_lab_arg(argv[2], true);
		if (ret == 0)
			ret = main_need_root(cmd);
		if (ret == 0)
			ret = main_lab_name(argv[2], name, sizeof(name));
		if (ret == 0)
			ret = cmd_down(name);
		if (ret == 0)
			printf("%s: down\n", name);
		timing_print(stdout);
		return ret;
	}
	if (!strcmp(cmd, "show") && (argc == 3 || (argc == 4 && !strcmp(argv[3], "--json")))) {
		ret = main_lab_name(argv[2], name, sizeof(name));
		return ret ? ret : cmd_show(name, argc == 4, stdout);
	}
	if (!strcmp(cmd, "link") && (argc == 3 || (argc == 4 && !strcmp(argv[3], "--json")))) {
		ret = main_lab_name(argv[2], name, sizeof(name));
		if (ret == 0)
			ret = main_need_root(cmd);
		return ret ? ret : cmd_link_list(name, argc == 4, stdout);
	}
	if (!strcmp(cmd, "link") && ((argc == 5 && (!strcmp(argv[4], "down") ||
						    !strcmp(argv[4], "up"))) ||
				     (argc >= 6 && !strcmp(argv[4], "set")))) {
		ret = main_lab_name(argv[2], name, sizeof(name));
		if (ret == 0)
			ret = main_need_root(cmd);
		return ret ? ret : cmd_link(name, argv[3], &argv[4], (size_t)(argc - 4), stdout);
	}
	if (!strcmp(cmd, "capture") && argc >= 4)
		return main_capture(argc, argv);
	if (!strcmp(cmd, "graph") && argc >= 3)
		return main_graph(argc, argv);
	if (!strcmp(cmd, "ls") && (argc == 2 || (argc == 3 && !strcmp(argv[2], "--json"))))
		return cmd_ls(argc == 3, stdout);
	if (!strcmp(cmd, "doctor") && (argc == 2 || (argc == 3 && !strcmp(argv[2], "--json")))) {
		ret = cmd_doctor(argc == 3, stdout);
		/* Something would stop a lab: exit 1, the lines said what. */
		return ret > 0 ? -EPROTO : ret;
	}
	if (!strcmp(cmd, "gc") && argc == 2) {
		ret = main_need_root(cmd);
		return ret < 0 ? ret : cmd_gc(stdout);
	}
	if (!strcmp(cmd, "complete") && argc == 4) {
		ret = main_lab_arg(argv[2], true);
		return ret ? ret : cmd_complete(argv[2], argv[3], stdout);
	}
	if (!strcmp(cmd, "exec") && argc >= 6 && !strcmp(argv[4], "--")) {
		ret = main_lab_arg(argv[2], false);
		if (ret == 0)
			ret = main_need_root(cmd);
		return ret ? ret : cmd_exec(argv[2], argv[3], &argv[5]);
	}
	if (!strcmp(cmd, "flows") && argc >= 3) {
		const char *version = NULL;
		int a = 3;

		if (argc >= 5 && !strcmp(argv[3], "-O")) {
			version = argv[4];
			a = 5;
		} else if (argc >= 4 && !strncmp(argv[3], "--protocols=", 12)) {
			version = argv[3] + 12;
			a = 4;
		}
		if (argc - a <= 2) {
			ret = main_lab_name(argv[2], name, sizeof(name));
			return ret ? ret : cmd_flows(name, machine, version, a < argc ? argv[a] : NULL,
						     a + 1 < argc ? argv[a + 1] : NULL, stdout);
		}
	}
	if (!strcmp(cmd, "trace") && argc >= 5) {
		ret = main_lab_name(argv[2], name, sizeof(name));
		return ret ? ret : cmd_trace(name, machine, argv[3], (const char *const *)&argv[4],
					     (size_t)(argc - 4), stdout);
	}
	if (!strcmp(cmd, "ovs") && argc >= 5 && !strcmp(argv[3], "--")) {
		ret = main_lab_name(argv[2], name, sizeof(name));
		return ret ? ret : cmd_ovs(name, machine, &argv[4]);
	}
usage:
	fputs(usage, stderr);
	return 1;
}

int main(int argc, char **argv)
{
	int ret;

	if (argc < 2) {
		fputs(usage, stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fputs(usage, stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("ovslab %s\n", OVSLAB_VERSION_FULL);
		return 0;
	}
	/* --timings, anywhere after the command: where the time went. */
	for (int i = 2; i < argc; i++)
		if (!strcmp(argv[i], "--timings")) {
			timing_enable(true);
			memmove(&argv[i], &argv[i + 1], (size_t)(argc - i) * sizeof(*argv));
			argc--;
			break;
		}
	/* --firewall=NAME after up or plan: where the NAT rules go this run. */
	for (int i = 2; i < argc && (!strcmp(argv[1], "up") || !strcmp(argv[1], "plan")); i++)
		if (!strncmp(argv[i], "--firewall=", 11)) {
			if (cmd_up_firewall(argv[i] + 11) < 0) {
				fprintf(stderr, "ovslab: %s\n", err_get());
				return EXIT_USAGE;
			}
			memmove(&argv[i], &argv[i + 1], (size_t)(argc - i) * sizeof(*argv));
			argc--;
			break;
		}
	ret = main_run(argc, argv);
	if (ret == 1) {
		/* A bad LAB says why in one sentence; anything else got the usage. */
		if (err_isset())
			fprintf(stderr, "ovslab: %s\n", err_get());
		return EXIT_USAGE;
	}
	if (ret < 0) {
		if (err_isset())
			fprintf(stderr, "ovslab: %s\n", err_get());
		else if (ret != -EINVAL)
			fprintf(stderr, "ovslab: %s: %s\n", argv[1], strerror(-ret));
		return 1;
	}
	return 0;
}
