/* The drift's list of findings: noting, printing and freeing them. */
#include "model/drift.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

bool lab_drift_any(const struct lab_drift *d)
{
	return d->switchd_dead || d->ovsdb_dead || d->nat || d->n_hosts || d->n_bridges;
}

int lab_drift_note(struct lab_drift *d, bool bridge, const char *name, unsigned what)
{
	struct lab_drift_item **v = bridge ? &d->bridges : &d->hosts;
	size_t *n = bridge ? &d->n_bridges : &d->n_hosts;
	struct lab_drift_item *nv;

	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*v)[i].name, name)) {
			(*v)[i].what |= what;
			return 0;
		}
	nv = realloc(*v, (*n + 1) * sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	*v = nv;
	nv[(*n)++] = (struct lab_drift_item){ .name = name, .what = what };
	return 0;
}

void lab_drift_free(struct lab_drift *d)
{
	free(d->hosts);
	free(d->bridges);
	memset(d, 0, sizeof(*d));
}

static const char *const lab_drift_words[] = {
	"namespace missing", "interfaces missing", "addresses missing", "routes missing",
	"switch ports missing", "missing in the switch", "gateway address missing",
	"flows differ from the lab file",
};

/* "namespace missing, routes missing" */
void lab_drift_str(unsigned what, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(lab_drift_words) / sizeof(lab_drift_words[0]); i++)
		if (what & (1u << i) && used < len)
			used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? ", " : "",
						 lab_drift_words[i]);
}

void lab_drift_print(const struct lab_drift *d, FILE *out)
{
	char buf[160];

	if (d->ovsdb_dead)
		fputs("! switch: ovsdb-server not running\n", out);
	if (d->switchd_dead)
		fputs("! switch: ovs-vswitchd not running\n", out);
	for (size_t i = 0; i < d->n_bridges; i++) {
		lab_drift_str(d->bridges[i].what, buf, sizeof(buf));
		fprintf(out, "! bridge %s: %s\n", d->bridges[i].name, buf);
	}
	if (d->nat)
		fputs("! nat rules missing\n", out);
	for (size_t i = 0; i < d->n_hosts; i++) {
		lab_drift_str(d->hosts[i].what, buf, sizeof(buf));
		fprintf(out, "! host %s: %s\n", d->hosts[i].name, buf);
	}
}

