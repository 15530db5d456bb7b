#include "engine/commands/histline.h"

#include <stdlib.h>
#include <string.h>

#include "engine/base/base64.h"
#include "engine/base/sha256.h"
#include "engine/base/utf8.h"
#include "engine/rows/rowjson.h"

void histline_start(struct strbuf *line, const struct histline *h)
{
	strbuf_reset(line);
	strbuf_adds(line, "{\"env\":");
	rowjson_string(line, h->env, strlen(h->env));
	strbuf_adds(line, ",\"database\":");
	rowjson_string(line, h->database, strlen(h->database));
	strbuf_adds(line, ",\"table\":");
	rowjson_string(line, h->table, strlen(h->table));
	strbuf_addf(line, ",\"kind\":\"%s\",\"status\":\"%s\"", h->kind,
		    h->status);
	if (h->restored_from != NULL) {
		strbuf_adds(line, ",\"restored_from\":");
		rowjson_string(line, h->restored_from, strlen(h->restored_from));
	}
}

void histline_with_body(struct strbuf *line, const struct histline *h,
			const char *body, size_t len)
{
	char hex[65];

	sha256_hex(body, len, hex);
	histline_start(line, h);
	strbuf_addf(line, ",\"sha256\":\"%s\"", hex);
	if (utf8_valid(body, len)) {
		strbuf_adds(line, ",\"body\":");
		rowjson_utf8_string(line, body, len);
	} else {
		/* Bytes that are not text (a binary default, say) cannot be a
		 * JSON string: the body travels as base64 instead. */
		char *b64 = base64_encode(body, len);

		strbuf_adds(line, ",\"body\":null,\"body_base64\":\"");
		strbuf_adds(line, b64);
		strbuf_add(line, "\"", 1);
		free(b64);
	}
	strbuf_add(line, "}", 1);
}
