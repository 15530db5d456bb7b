/*
 * strset: a set of strings, for duplicate checks over thousands of names
 * (a fleet's table lists) or key values (keyfollow.c), where comparing
 * each with all before it would be quadratic. Open addressing with FNV-1a.
 *
 * The set borrows its strings: they must outlive it, unchanged. A set has
 * one owner; different sets are thread-safe. Out of memory aborts
 * (engine/base/alloc.h).
 */
#ifndef RHIZOME_STRSET_H
#define RHIZOME_STRSET_H

#include <stddef.h>

struct strset {
	const char **slot;
	size_t cap, n;          /* cap is 0 or a power of two */
};

#define STRSET_INIT { NULL, 0, 0 }

/* Add s: 1 when added, 0 when an equal string is there. */
int strset_add(struct strset *set, const char *s);

/* Whether an equal string is there. */
int strset_has(const struct strset *set, const char *s);

/* Free the set's table (not the strings); it is empty again. */
void strset_release(struct strset *set);

#endif
