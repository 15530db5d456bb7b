/*
 * Quote-aware (sqltoken.c: backtick identifiers, '...' and "..." strings):
 * parentheses, newlines and option names only count outside quotes, which
 * is what keeps a COMMENT='... AUTO_INCREMENT=5 ...' or a DEFAULT
 * 'AUTO_INCREMENT=7' intact. Comments are not skipped (unlike the
 * tablemodel tokenizer): a quote inside one counts, as it always has here.
 */
#include "engine/schema/normalize.h"

#include <errno.h>

#include <string.h>

#include "engine/base/alloc.h"
#include "engine/schema/sqltoken.h"

int normalize_find_options(const char *t, size_t len, size_t *start,
			   size_t *end)
{
	size_t i = 0, open = len;
	int depth = 0;

	while (i < len) {
		size_t j = sqltoken_skip_quoted(t, len, i);

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
				return -EINVAL;
		}
		i++;
	}
	if (i >= len || open == len)
		return -EINVAL;
	*start = ++i;
	while (i < len) {
		size_t j = sqltoken_skip_quoted(t, len, i);

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
	char *out = xmalloc(len + 1);

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
		size_t j = sqltoken_skip_quoted(t, end, i);

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
