/*
 * Both scanners are one loop over bytes: UTF-8 needs no decoding, since
 * no byte of a multi-byte sequence is ASCII, so none can be taken for a
 * quote, a backslash or a star.
 */
#include "engine/schema/sqltoken.h"

#include <stdlib.h>
#include <string.h>

#include "engine/base/alloc.h"

int sqltoken_is_quote(char c)
{
	return c == '`' || c == '\'' || c == '"';
}

size_t sqltoken_skip_quoted(const char *s, size_t len, size_t i)
{
	char q = s[i];

	if (!sqltoken_is_quote(q))
		return i;
	i++;
	while (i < len) {
		/* A backslash escapes in strings only; a lone one at the
		 * very end is an ordinary byte. */
		if (q != '`' && s[i] == '\\' && i + 1 < len) {
			i += 2;
			continue;
		}
		if (s[i] == q) {
			if (i + 1 < len && s[i + 1] == q) {
				i += 2; /* doubled quote */
				continue;
			}
			return i + 1;
		}
		i++;
	}
	return len;
}

size_t sqltoken_skip_comment(const char *s, size_t len, size_t i)
{
	const char *end;

	if (!(s[i] == '/' && i + 2 < len && s[i + 1] == '*'))
		return i;
	end = memmem(s + i + 2, len - i - 2, "*/", 2);
	return end ? (size_t)(end - s) + 2 : len;
}

char *sqltoken_unquote(const char *s, size_t len)
{
	char q, *v, *w;
	size_t i;

	if (len < 2 || !sqltoken_is_quote(s[0]) ||
	    sqltoken_skip_quoted(s, len, 0) != len || s[len - 1] != s[0])
		return NULL;
	q = s[0];
	v = w = xmalloc(len);
	for (i = 1; i + 1 < len; i++) {
		if (s[i] == q) {        /* doubled: one of them */
			*w++ = q;
			i++;
		} else if (q != '`' && s[i] == '\\' && i + 2 < len) {
			switch (s[++i]) {
			case 'n': *w++ = '\n'; break;
			case 't': *w++ = '\t'; break;
			case 'r': *w++ = '\r'; break;
			case 'b': *w++ = '\b'; break;
			case 'Z': *w++ = 26; break;
			case '0': *w++ = '\0'; break;
			default: *w++ = s[i]; break;
			}
		} else {
			*w++ = s[i];
		}
	}
	*w = '\0';
	return v;
}
