/* A set of strings in the order they were added (lab names found in journals,
 * rules or rows): small sets, linear lookups, one owner frees. */
#ifndef OVSLAB_STRSET_H
#define OVSLAB_STRSET_H

#include <stdbool.h>
#include <stddef.h>

struct strset {
	char **v;
	size_t n;
};

/* Adds a copy of s unless the set has it: 0, or -ENOMEM. */
int strset_add(struct strset *set, const char *s);
bool strset_has(const struct strset *set, const char *s);
void strset_free(struct strset *set);

#endif
