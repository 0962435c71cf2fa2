/* The lab's journal in a temporary directory (journal_set_root): entries
 * written and read back, forgotten, typed, torn by a crash, and the scan for
 * labs that still use the private switch.  No root needed. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "journal/journal.h"
#include "util/err.h"

#define RUNDIR "/run/ovslab/.switch"

static char root[] = "/tmp/ovslab-journal-XXXXXX";

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

static void setup(void)
{
	cr_assert_not_null(mkdtemp(root));
	journal_set_root(root);
}

static void teardown(void)
{
	nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	journal_set_root(NULL);
}

TestSuite(journal, .init = setup, .fini = teardown);

static void write_file(const char *lab, const char *name, const char *text)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, lab);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/%s/%s", root, lab, name);
	f = fopen(path, "w");
	cr_assert_not_null(f, "%s: %s", path, strerror(errno));
	fputs(text, f);
	fclose(f);
}

static char *read_whole(const char *lab, const char *name)
{
	static char buf[4096];
	char path[PATH_MAX];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s/%s", root, lab, name);
	f = fopen(path, "r");
	cr_assert_not_null(f, "%s: %s", path, strerror(errno));
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* A lab whose journal is up to the test; its directory as journal_create makes it. */
static void make_lab(const char *lab, const char *journal_text)
{
	write_file(lab, "lab.yaml", "name: x\n");
	write_file(lab, "journal", journal_text);
}

Test(journal, create_add_read_back)
{
	struct journal st;
	char dir[PATH_MAX], want[PATH_MAX];

	cr_assert_eq(journal_create("a", "name: a\n", 8, &st), 0, "%s", err_get());
	cr_assert_eq(journal_add(&st, JOURNAL_NETNS, "%s", "h1"), 0);
	cr_assert_eq(journal_add(&st, JOURNAL_LINK, "%s", "v1"), 0);
	journal_close(&st);

	journal_dir("a", dir, sizeof(dir));
	snprintf(want, sizeof(want), "%s/a", root);
	cr_assert_str_eq(dir, want);
	cr_assert(journal_exists("a"));
	cr_assert_str_eq(read_whole("a", "lab.yaml"), "name: a\n");
	cr_assert_str_eq(read_whole("a", "journal"), "netns h1\nlink v1\n");

	cr_assert_eq(journal_read("a", &st), 0);
	cr_assert_eq(st.n_entries, 2);
	cr_assert_eq(st.entries[0].kind, JOURNAL_NETNS);
	cr_assert_str_eq(st.entries[0].value, "h1");
	cr_assert_eq(st.entries[1].kind, JOURNAL_LINK);
	cr_assert_str_eq(st.entries[1].value, "v1");
	cr_assert_not(st.torn);
	cr_assert_null(st.journal, "a read leaves nothing open");
	journal_close(&st);

	cr_assert_eq(journal_create("a", "x", 1, &st), -EEXIST);
	err_clear();
}

Test(journal, forget_survives_a_reread)
{
	struct journal st;

	make_lab("a", "netns h1\nlink v1\nlink v2\nlink v1\n");
	cr_assert_eq(journal_open("a", &st), 0);
	cr_assert_eq(journal_forget(&st, JOURNAL_LINK, "v1"), 0);
	cr_assert(st.entries[3].forgotten, "the latest v1 goes");
	cr_assert_not(st.entries[1].forgotten);
	journal_close(&st);

	cr_assert_eq(journal_read("a", &st), 0);
	cr_assert_eq(st.n_entries, 4);
	cr_assert_not(st.entries[1].forgotten);
	cr_assert(st.entries[3].forgotten);
	cr_assert_str_eq(journal_get(&st, JOURNAL_LINK), "v2");
	journal_close(&st);

	cr_assert_eq(journal_open("a", &st), 0);
	cr_assert_eq(journal_remove(&st), 0);
	journal_close(&st);
	cr_assert_not(journal_exists("a"));
}

Test(journal, switch_round_trip)
{
	struct journal st;
	const char *rundir = "x";

	cr_assert_eq(journal_create("a", "", 0, &st), 0);
	cr_assert_eq(journal_get_switch(&st, &rundir), JOURNAL_SWITCH_NONE);
	cr_assert_null(rundir);
	cr_assert_eq(journal_add_switch(&st, RUNDIR), 0);
	cr_assert_eq(journal_get_switch(&st, &rundir), JOURNAL_SWITCH_PRIVATE);
	cr_assert_str_eq(rundir, RUNDIR);
	journal_close(&st);

	cr_assert_eq(journal_read("a", &st), 0);
	cr_assert_eq(journal_get_switch(&st, &rundir), JOURNAL_SWITCH_PRIVATE);
	cr_assert_str_eq(rundir, RUNDIR);
	journal_close(&st);

	/* The machine had a switch after all. */
	cr_assert_eq(journal_open("a", &st), 0);
	cr_assert_eq(journal_forget_switch(&st), 0);
	cr_assert_eq(journal_get_switch(&st, NULL), JOURNAL_SWITCH_NONE);
	cr_assert_eq(journal_add_switch(&st, NULL), 0);
	journal_close(&st);

	cr_assert_eq(journal_read("a", &st), 0);
	cr_assert_eq(journal_get_switch(&st, &rundir), JOURNAL_SWITCH_SHARED);
	cr_assert_null(rundir);
	journal_close(&st);
}

Test(journal, uplink_and_complete_round_trip)
{
	struct journal st;
	size_t before;

	cr_assert_eq(journal_create("a", "", 0, &st), 0);
	cr_assert_eq(journal_add_uplink(&st, "br0", "eth0"), 0);
	cr_assert_eq(journal_add_uplink(&st, "br01", "wlan0"), 0);
	before = st.n_entries;
	cr_assert_eq(journal_add_uplink(&st, "br0", "eth1"), 0);
	cr_assert_eq(journal_add_complete(&st), 0);
	journal_close(&st);

	cr_assert_eq(journal_read("a", &st), 0);
	cr_assert_str_eq(journal_get_uplink(&st, "br0", st.n_entries), "eth1");
	cr_assert_str_eq(journal_get_uplink(&st, "br0", before), "eth0");
	cr_assert_str_eq(journal_get_uplink(&st, "br01", st.n_entries), "wlan0");
	cr_assert_null(journal_get_uplink(&st, "br", st.n_entries), "a prefix is no bridge");
	cr_assert_null(journal_get_uplink(&st, "br1", st.n_entries));
	cr_assert_str_eq(journal_get_uplink(&st, "br0", SIZE_MAX), "eth1");
	cr_assert_not_null(journal_get(&st, JOURNAL_COMPLETE));
	cr_assert_gt(strtoll(journal_get(&st, JOURNAL_COMPLETE), NULL, 10), 0);
	journal_close(&st);
}

/* A crash in the middle of a write leaves a line without its newline.  Its
 * change was never made (the entry comes first), and its value is cut
 * short: it must not name something to undo ("link ve" is not "link veth0"). */
Test(journal, torn_last_line_is_ignored_and_cut_off)
{
	struct journal st;

	make_lab("a", "netns h1\nlink ve");
	cr_assert_eq(journal_read("a", &st), 0, "%s", err_get());
	cr_assert(st.torn);
	cr_assert_eq(st.n_entries, 1);
	cr_assert_str_eq(st.entries[0].value, "h1");
	journal_close(&st);
	cr_assert_str_eq(read_whole("a", "journal"), "netns h1\nlink ve", "a read changes nothing");

	/* The next writer starts on a clean line. */
	cr_assert_eq(journal_open("a", &st), 0, "%s", err_get());
	cr_assert(st.torn);
	cr_assert_eq(journal_add(&st, JOURNAL_LINK, "%s", "veth0"), 0);
	journal_close(&st);
	cr_assert_str_eq(read_whole("a", "journal"), "netns h1\nlink veth0\n");

	cr_assert_eq(journal_read("a", &st), 0);
	cr_assert_not(st.torn);
	cr_assert_eq(st.n_entries, 2);
	cr_assert_str_eq(journal_get(&st, JOURNAL_LINK), "veth0");
	journal_close(&st);
}

Test(journal, unknown_kinds_and_odd_lines_are_skipped)
{
	struct journal st;

	make_lab("a", "netns h1\nwidget w1\nnoval\nforget widget w1\nlink v1\n");
	cr_assert_eq(journal_read("a", &st), 0);
	cr_assert_eq(st.n_entries, 2);
	cr_assert_str_eq(journal_get(&st, JOURNAL_LINK), "v1");
	journal_close(&st);
}

Test(journal, private_switch_scan)
{
	/* No labs at all, and only the asking lab. */
	cr_assert_not(journal_private_switch_used(RUNDIR, NULL));
	make_lab("self", "switch private " RUNDIR "\n");
	cr_assert_not(journal_private_switch_used(RUNDIR, "self"));
	cr_assert(journal_private_switch_used(RUNDIR, NULL), "gc asks about every lab");

	/* Labs on the machine's switch, or on another directory's, or with none. */
	make_lab("shared", "switch shared\n");
	make_lab("elsewhere", "switch private /run/other/.switch\n");
	make_lab("cables", "netns h1\n");
	make_lab("withdrawn", "switch private " RUNDIR "\nforget switch private " RUNDIR "\n"
			      "switch shared\n");
	cr_assert_not(journal_private_switch_used(RUNDIR, "self"));

	make_lab("other", "netns h1\nswitch private " RUNDIR "\n");
	cr_assert(journal_private_switch_used(RUNDIR, "self"));
	cr_assert(journal_private_switch_used(RUNDIR, "shared"));
	cr_assert_not(err_isset(), "an answer, not an error");
}

Test(journal, private_switch_scan_counts_unreadable_and_torn_as_used)
{
	char path[PATH_MAX];

	make_lab("self", "switch private " RUNDIR "\n");

	/* A record without a journal (a run killed after making its
	 * directory, or a journal that cannot be opened) may use it. */
	snprintf(path, sizeof(path), "%s/dead", root);
	cr_assert_eq(mkdir(path, 0755), 0);
	cr_assert(journal_private_switch_used(RUNDIR, "self"));
	cr_assert_not(err_isset(), "an answer, not an error");
	cr_assert_eq(rmdir(path), 0);
	cr_assert_not(journal_private_switch_used(RUNDIR, "self"), "a record gone is no user");

	/* Torn mid-write: what it was writing cannot be known. */
	make_lab("torn", "netns h1\nswitch priv");
	cr_assert(journal_private_switch_used(RUNDIR, "self"));
}

/* A namespace's identity belongs to its latest entry: a journal of an older
 * ovslab (no identity) and a namespace made anew whose identity was never
 * written both read as "none", never as an older namespace's identity. */
Test(journal, netns_id_round_trip)
{
	uint64_t ino = 0, id = 0;
	struct journal st;

	make_lab("a", "netns h1\nnetns h2\nnetnsid h2 4026532883 17376\n");
	cr_assert_eq(journal_open("a", &st), 0);
	cr_assert_not(journal_get_netns_id(&st, SIZE_MAX, "h1", &ino, &id), "an old entry has none");
	cr_assert_not(journal_get_netns_id(&st, 0, "h1", &ino, &id));
	cr_assert(journal_get_netns_id(&st, SIZE_MAX, "h2", &ino, &id));
	cr_assert_eq(ino, 4026532883ULL);
	cr_assert_eq(id, 17376);
	cr_assert(journal_get_netns_id(&st, 1, "h2", &ino, &id));
	cr_assert_not(journal_get_netns_id(&st, SIZE_MAX, "h", &ino, &id), "a prefix is no name");

	cr_assert_eq(journal_add_netns_id(&st, "h1", 5, 6), 0);
	cr_assert(journal_get_netns_id(&st, SIZE_MAX, "h1", &ino, &id));
	cr_assert_eq(ino, 5);
	cr_assert_eq(id, 6);
	/* h2 made anew: the run died before its identity was written. */
	cr_assert_eq(journal_add(&st, JOURNAL_NETNS, "h2"), 0);
	cr_assert_not(journal_get_netns_id(&st, SIZE_MAX, "h2", &ino, &id));
	cr_assert(journal_get_netns_id(&st, 1, "h2", &ino, &id), "the old entry keeps its own");
	journal_close(&st);

	cr_assert_eq(journal_read("a", &st), 0);
	cr_assert(journal_get_netns_id(&st, SIZE_MAX, "h1", &ino, &id), "it survives a reread");
	cr_assert_eq(ino, 5);
	journal_close(&st);
}
