/*
 * alloc: the one allocation family. Each function is its libc namesake that
 * never returns NULL: on exhaustion it prints "rhizome: out of memory" and
 * aborts. rhizome has no useful way on without memory, and every file it
 * writes is atomic, so dying leaves every snapshot whole (README: How it
 * works). Everything under engine/, environments/, queue/ and workers/
 * allocates through these; nothing checks malloc's result by hand.
 *
 * A size of 0 (or a count of 0) still returns a valid, distinct pointer,
 * so callers need no special case for empty arrays.
 *
 * Ownership: the caller frees what each returns, with free().
 * Thread-safe.
 */
#ifndef RHIZOME_ALLOC_H
#define RHIZOME_ALLOC_H

#include <stddef.h>

void *xmalloc(size_t size);
/* Zeroed; n * size checked for overflow (aborts as for exhaustion). */
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* printf into a new string. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
