#include "jsontext.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

/* Length of the well-formed UTF-8 sequence at s (of at most `left` bytes),
 * or 0 when it is not one. */
static size_t sequence_length(const unsigned char *s, size_t left)
{
	size_t n, i;
	unsigned cp;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0) { n = 2; cp = s[0] & 0x1f; }
	else if ((s[0] & 0xf0) == 0xe0) { n = 3; cp = s[0] & 0x0f; }
	else if ((s[0] & 0xf8) == 0xf0) { n = 4; cp = s[0] & 0x07; }
	else return 0;
	if (n > left)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) ||
	    (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0; /* overlong, out of range, surrogate */
	return n;
}

int jsontext_is_utf8(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n;

	while (i < len) {
		n = sequence_length(p + i, len - i);
		if (n == 0)
			return 0;
		i += n;
	}
	return 1;
}

json_t *jsontext_string(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s), i = 0, n;
	struct strbuf sb = STRBUF_INIT;
	json_t *j;

	if (jsontext_is_utf8(s, len))
		j = json_stringn(s, len);
	else {
		while (i < len) {
			n = sequence_length(p + i, len - i);
			if (n == 0) {
				strbuf_adds(&sb, "\xef\xbf\xbd"); /* U+FFFD */
				i++;
			} else {
				strbuf_add(&sb, p + i, n);
				i += n;
			}
		}
		j = json_stringn(sb.data, sb.len);
		strbuf_release(&sb);
	}
	if (j == NULL) {
		fputs("rhizome: out of memory\n", stderr);
		abort();
	}
	return j;
}

int jsontext_list_has(json_t *list, const char *name)
{
	size_t i;
	json_t *v;

	json_array_foreach(list, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), name) == 0)
			return 1;
	return 0;
}
