#include "engine/base/jsontext.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/base/strbuf.h"
#include "engine/base/utf8.h"

json_t *jsontext_string(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s), i = 0, n;
	struct strbuf sb = STRBUF_INIT;
	json_t *j;

	if (utf8_valid(s, len))
		j = json_stringn(s, len);
	else {
		while (i < len) {
			n = utf8_sequence_length(p + i, len - i);
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
	/* The text is valid UTF-8 now and jansson allocates through alloc.h
	 * (main), so NULL cannot happen; if it did, a summary entry would be
	 * silently dropped: stop instead. */
	if (j == NULL) {
		fputs("rhizome: jansson refused a JSON string\n", stderr);
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
