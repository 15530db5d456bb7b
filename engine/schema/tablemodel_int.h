/*
 * tablemodel_int: what the files of the table model share. Private to
 * engine/schema/tablemodel*.c.
 *
 *   tablemodel_token.c   a definition line cut into tokens
 *   tablemodel_parse.c   tokens read into the model (tablemodel_parse)
 *   tablemodel_render.c  the model written back (tablemodel_render; it
 *                        needs none of what this header declares)
 *   tablemodel.c         the model's lifetime and lookups
 *
 * A parse is proved by its render: tablemodel_parse renders what it built
 * and compares it with the text, so the two files must agree on every
 * clause's spelling.
 */
#ifndef RHIZOME_TABLEMODEL_INT_H
#define RHIZOME_TABLEMODEL_INT_H

#include <stddef.h>

#include "engine/schema/tablemodel.h"

/* A line's tokens: pointers into the line (not owned) and their lengths,
 * in order. The two arrays are owned; tm_tokens_release frees them. */
struct tm_tokens {
	const char **start;
	size_t *len;
	size_t n;
};

/*
 * Cut s[0..len) at single spaces into *t (zeroed first). A token is a
 * quoted string or name, a parenthesized group glued to the word before it
 * (int(11), current_timestamp()), a version comment, or a bare word.
 * Returns 0, or -EINVAL when the text is not single-space separated (it would
 * not render back); *t is filled either way and must be released.
 * Thread-safe.
 */
int tm_tokenize(const char *s, size_t len, struct tm_tokens *t);

/* Free the arrays of *t (not the text it points into). Thread-safe. */
void tm_tokens_release(struct tm_tokens *t);

/* Whether token i exists and is `word`, case-insensitively. Thread-safe. */
int tm_is(const struct tm_tokens *t, size_t i, const char *word);

/* Tokens [from, to) (from < to <= t->n) as one new string, the spaces
 * between them included. Caller frees; aborts on exhaustion. Thread-safe. */
char *tm_span(const struct tm_tokens *t, size_t from, size_t to);

/*
 * Room for element n of an array that grows one element at a time: the
 * capacity doubles at each power of two, so n appends cost O(n). Returns
 * p or its reallocation (p is then gone); aborts on exhaustion.
 * Thread-safe.
 */
void *tm_grow(void *p, size_t n, size_t size);

/* Free what each part owns (not the part itself). Thread-safe. */
void tm_column_release(struct tm_column *c);
void tm_index_release(struct tm_index *x);

#endif
