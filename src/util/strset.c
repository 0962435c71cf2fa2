/* Sets of strings (strset.h). */
#include "util/strset.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

bool strset_has(const struct strset *set, const char *s)
{
	for (size_t i = 0; i < set->n; i++)
		if (!strcmp(set->v[i], s))
			return true;
	return false;
}

int strset_add(struct strset *set, const char *s)
{
	char **nv;

	if (strset_has(set, s))
		return 0;
	nv = realloc(set->v, (set->n + 1) * sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	set->v = nv;
	set->v[set->n] = strdup(s);
	if (!set->v[set->n])
		return -ENOMEM;
	set->n++;
	return 0;
}

void strset_free(struct strset *set)
{
	for (size_t i = 0; i < set->n; i++)
		free(set->v[i]);
	free(set->v);
	set->v = NULL;
	set->n = 0;
}
