/* Open addressing with linear probing; the table doubles at half full. */
#include "util/keymap.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* FNV-1a: short keys, no adversary worth a keyed hash (the lab file's
 * size and object count are bounded). */
static size_t keymap_hash(const void *key, size_t len)
{
	const unsigned char *p = key;
	uint64_t h = 14695981039346656037ULL;

	while (len--) {
		h ^= *p++;
		h *= 1099511628211ULL;
	}
	return (size_t)(h ^ (h >> 29));
}

static struct keymap_slot *keymap_slot(struct keymap_slot *slots, size_t cap,
				       const void *key, size_t len)
{
	size_t i = keymap_hash(key, len) & (cap - 1);

	while (slots[i].key && (slots[i].len != len || memcmp(slots[i].key, key, len)))
		i = (i + 1) & (cap - 1);
	return &slots[i];
}

static int keymap_grow(struct keymap *m)
{
	size_t cap = m->cap ? m->cap * 2 : 64, i;
	struct keymap_slot *slots = calloc(cap, sizeof(*slots));

	if (!slots)
		return -ENOMEM;
	for (i = 0; i < m->cap; i++)
		if (m->slots[i].key)
			*keymap_slot(slots, cap, m->slots[i].key, m->slots[i].len) = m->slots[i];
	free(m->slots);
	m->slots = slots;
	m->cap = cap;
	return 0;
}

int keymap_put(struct keymap *m, const void *key, size_t len, size_t val, size_t *old)
{
	struct keymap_slot *s;

	if ((m->n + 1) * 2 > m->cap && keymap_grow(m) < 0)
		return -ENOMEM;
	s = keymap_slot(m->slots, m->cap, key, len);
	if (s->key) {
		if (old)
			*old = s->val;
		return 1;
	}
	*s = (struct keymap_slot){ key, len, val };
	m->n++;
	return 0;
}

bool keymap_get(const struct keymap *m, const void *key, size_t len, size_t *val)
{
	struct keymap_slot *s;

	if (!m->cap)
		return false;
	s = keymap_slot(m->slots, m->cap, key, len);
	if (s->key && val)
		*val = s->val;
	return s->key != NULL;
}

void keymap_free(struct keymap *m)
{
	free(m->slots);
	memset(m, 0, sizeof(*m));
}
