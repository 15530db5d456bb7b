/*
 * A definition line of SHOW CREATE TABLE is single-space separated, so it
 * is cut at spaces, except where a space stands inside a token: a quoted
 * string or name, a parenthesized group (glued to the word before it, as
 * in int(11) or current_timestamp()), or a version comment
 * (slash-star-bang ... star-slash), which the server writes with spaces
 * inside. Quotes are stepped over by sqltoken.c; a comment is recognized
 * only where a token starts.
 */
#include "engine/schema/tablemodel_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine/base/alloc.h"
#include "engine/schema/sqltoken.h"

/* The end of the parenthesized group starting at s[i] == '('. */
static size_t group_end(const char *s, size_t len, size_t i)
{
	int depth = 0;

	while (i < len) {
		if (sqltoken_is_quote(s[i])) {
			i = sqltoken_skip_quoted(s, len, i);
			continue;
		}
		if (s[i] == '(')
			depth++;
		else if (s[i] == ')' && --depth == 0)
			return i + 1;
		i++;
	}
	return len;
}

/* The end of the token starting at s[i] (not a space): up to the next
 * space outside quotes and parentheses, so `db`.`t`, `OPT`='1', b'01' and
 * int(11) are one token each. */
static size_t token_end(const char *s, size_t len, size_t i)
{
	size_t e = sqltoken_skip_comment(s, len, i);

	if (e != i)
		return e;
	while (i < len && s[i] != ' ') {
		if (s[i] == '(')
			i = group_end(s, len, i);
		else if (sqltoken_is_quote(s[i]))
			i = sqltoken_skip_quoted(s, len, i);
		else
			i++;
	}
	return i;
}

int tm_tokenize(const char *s, size_t len, struct tm_tokens *t)
{
	size_t i = 0, e;

	memset(t, 0, sizeof(*t));
	while (i < len) {
		e = token_end(s, len, i);
		t->start = tm_grow(t->start, t->n, sizeof(*t->start));
		t->len = tm_grow(t->len, t->n, sizeof(*t->len));
		t->start[t->n] = s + i;
		t->len[t->n] = e - i;
		t->n++;
		if (e == len)
			break;
		if (s[e] != ' ' || e + 1 == len || s[e + 1] == ' ')
			return -EINVAL;
		i = e + 1;
	}
	return 0;
}

void tm_tokens_release(struct tm_tokens *t)
{
	free(t->start);
	free(t->len);
}

int tm_is(const struct tm_tokens *t, size_t i, const char *word)
{
	return i < t->n && t->len[i] == strlen(word) &&
	       strncasecmp(t->start[i], word, t->len[i]) == 0;
}

char *tm_span(const struct tm_tokens *t, size_t from, size_t to)
{
	const char *a = t->start[from];
	const char *b = t->start[to - 1] + t->len[to - 1];

	return xstrndup(a, (size_t)(b - a));
}
