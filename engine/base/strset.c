/*
 * The string set (strset.h).
 */
#include "engine/base/strset.h"

#include <stdlib.h>
#include <string.h>

#include "engine/base/alloc.h"

static size_t hash(const char *s)
{
	size_t h = 1469598103934665603u; /* FNV-1a */

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211u;
	return h;
}

/* The slot holding s, or the empty one where it would go. The set must
 * have room (cap > 0). */
static const char **slot_of(const struct strset *set, const char *s)
{
	size_t i;

	for (i = hash(s) & (set->cap - 1); set->slot[i] != NULL;
	     i = (i + 1) & (set->cap - 1))
		if (strcmp(set->slot[i], s) == 0)
			break;
	return &set->slot[i];
}

int strset_add(struct strset *set, const char *s)
{
	const char **slot;
	size_t i;

	if (2 * (set->n + 1) > set->cap) {
		struct strset bigger = { NULL, set->cap ? 2 * set->cap : 64, 0 };

		bigger.slot = xcalloc(bigger.cap, sizeof(*bigger.slot));
		for (i = 0; i < set->cap; i++)
			if (set->slot[i] != NULL)
				strset_add(&bigger, set->slot[i]);
		free(set->slot);
		*set = bigger;
	}
	slot = slot_of(set, s);
	if (*slot != NULL)
		return 0;
	*slot = s;
	set->n++;
	return 1;
}

int strset_has(const struct strset *set, const char *s)
{
	return set->cap > 0 && *slot_of(set, s) != NULL;
}

void strset_release(struct strset *set)
{
	free(set->slot);
	set->slot = NULL;
	set->cap = set->n = 0;
}
