/* `ovslab complete LAB|FILE hosts|bridges|machines`: the names the bash
 * completion offers, one a line, from the lab's saved file or from FILE. */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd/cmd.h"
#include "labfile/labfile.h"
#include "util/err.h"

static void complete_print(const struct lab *lab, const char *kind, FILE *out)
{
	size_t i;

	if (!strcmp(kind, "hosts"))
		for (i = 0; i < lab->n_hosts; i++)
			fprintf(out, "%s\n", lab->hosts[i].name);
	else if (!strcmp(kind, "bridges"))
		for (i = 0; i < lab->n_bridges; i++)
			fprintf(out, "%s\n", lab->bridges[i].name);
	else
		for (i = 0; i < lab->n_machines; i++)
			fprintf(out, "%s\n", lab->machines[i].name);
}

int cmd_complete(const char *arg, const char *kind, FILE *out)
{
	struct journal st = { 0 };
	struct lab *lab = NULL;
	FILE *diag = NULL;
	struct stat sb;
	int ret;

	if (strcmp(kind, "hosts") && strcmp(kind, "bridges") && strcmp(kind, "machines")) {
		err_set("%s: not a kind of name to complete (hosts, bridges, machines)", kind);
		return CMD_USAGE;
	}
	/* Completion must stay quiet: a file with mistakes completes nothing. */
	if (stat(arg, &sb) == 0 && S_ISREG(sb.st_mode)) {
		diag = fopen("/dev/null", "w");
		if (!diag) {
			ret = -errno;
			goto out;
		}
		ret = labfile_load(arg, diag, &lab);
	} else {
		ret = journal_read(arg, &st);
		if (ret == 0)
			ret = cmd_load_saved(&st, &lab);
		journal_close(&st);
	}
	if (ret < 0)
		goto out;
	complete_print(lab, kind, out);
out:
	if (diag)
		fclose(diag);
	lab_free(lab);
	return ret;
}
