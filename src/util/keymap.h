/* A hash map from byte strings to numbers: finds duplicates among many
 * names or addresses in linear time.  Keys are not copied. */
#ifndef OVSLAB_KEYMAP_H
#define OVSLAB_KEYMAP_H

#include <stdbool.h>
#include <stddef.h>

struct keymap_slot {
	const void *key; /* NULL: free */
	size_t len;
	size_t val;
};

struct keymap {
	struct keymap_slot *slots;
	size_t cap, n;
};

/* Adds key with val: 0; 1 when key was already there (*old: its value,
 * the map unchanged); -ENOMEM. */
int keymap_put(struct keymap *m, const void *key, size_t len, size_t val, size_t *old);
/* Whether key is there; *val gets its value. */
bool keymap_get(const struct keymap *m, const void *key, size_t len, size_t *val);
void keymap_free(struct keymap *m);

#endif
