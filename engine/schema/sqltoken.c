/*
 * Both scanners are one loop over bytes: UTF-8 needs no decoding, since
 * no byte of a multi-byte sequence is ASCII, so none can be taken for a
 * quote, a backslash or a star.
 */
#include "engine/schema/sqltoken.h"

#include <string.h>

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
