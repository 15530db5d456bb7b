/*
 * suggest: "did you mean" for a mistyped command, option or environment
 * name: the candidate nearest by edit distance (insertions, deletions,
 * substitutions and swaps of two neighbours), if near enough to be a typo
 * rather than another word. Thread-safe; allocates nothing.
 */
#ifndef RHIZOME_SUGGEST_H
#define RHIZOME_SUGGEST_H

#include <stddef.h>

/* The edit distance between a and b, stopping at 64 bytes of either. */
size_t suggest_distance(const char *a, const char *b);

/* The candidate (of n; NULL entries skipped) nearest to `word`, when at
 * most 2 edits away and fewer than half its length; else NULL. Ties go to
 * the first. */
const char *suggest_nearest(const char *word, const char *const *candidates,
			    size_t n);

#endif
