/*
 * A small quote-aware scanner: backtick identifiers (`` inside), '...' and
 * "..." strings (doubled quotes and backslash escapes inside). Parentheses,
 * newlines and option names only count outside quotes, which is what keeps a
 * COMMENT='... AUTO_INCREMENT=5 ...' or a DEFAULT 'AUTO_INCREMENT=7' intact.
 */
#include "normalize.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* If text[i] opens a quoted token, return the index just past it. */
static size_t skip_quoted(const char *t, size_t len, size_t i)
{
	char q = t[i];

	if (q != '`' && q != '\'' && q != '"')
		return i;
	i++;
	while (i < len) {
		if (q != '`' && t[i] == '\\' && i + 1 < len) {
			i += 2;
			continue;
		}
		if (t[i] == q) {
			if (i + 1 < len && t[i + 1] == q) {
				i += 2; /* doubled quote */
				continue;
			}
			return i + 1;
		}
		i++;
	}
	return len;
}

int normalize_find_options(const char *t, size_t len, size_t *start,
			   size_t *end)
{
	size_t i = 0, open = len;
	int depth = 0;

	while (i < len) {
		size_t j = skip_quoted(t, len, i);

		if (j != i) {
			i = j;
			continue;
		}
		if (t[i] == '(') {
			if (depth == 0 && open == len)
				open = i;
			depth++;
		} else if (t[i] == ')') {
			depth--;
			if (depth == 0 && open != len)
				break;
			if (depth < 0)
				return -1;
		}
		i++;
	}
	if (i >= len || open == len)
		return -1;
	*start = ++i;
	while (i < len) {
		size_t j = skip_quoted(t, len, i);

		if (j != i) {
			i = j;
			continue;
		}
		if (t[i] == '\n')
			break;
		i++;
	}
	*end = i;
	return 0;
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

char *normalize_schema(const char *t, size_t len, size_t *out_len)
{
	static const char opt[] = " AUTO_INCREMENT=";
	const size_t optlen = sizeof(opt) - 1;
	size_t start, end, i, o = 0;
	char *out = malloc(len + 1);

	if (out == NULL) {
		fputs("rhizome: out of memory\n", stderr);
		abort();
	}
	if (normalize_find_options(t, len, &start, &end) != 0) {
		memcpy(out, t, len);
		out[len] = '\0';
		*out_len = len;
		return out;
	}
	memcpy(out, t, start);
	o = start;
	i = start;
	while (i < end) {
		size_t j = skip_quoted(t, end, i);

		if (j != i) {
			memcpy(out + o, t + i, j - i);
			o += j - i;
			i = j;
			continue;
		}
		if (end - i > optlen && memcmp(t + i, opt, optlen) == 0 &&
		    is_digit(t[i + optlen])) {
			size_t k = i + optlen;

			while (k < end && is_digit(t[k]))
				k++;
			/* ';' ends the statement in a snapshot file. */
			if (k == end || t[k] == ' ' || t[k] == ';') {
				i = k; /* drop " AUTO_INCREMENT=<n>" */
				continue;
			}
		}
		out[o++] = t[i++];
	}
	memcpy(out + o, t + end, len - end);
	o += len - end;
	out[o] = '\0';
	*out_len = o;
	return out;
}
