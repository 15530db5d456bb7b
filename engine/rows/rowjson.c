/*
 * A small writer of its own rather than jansson: numbers must go out as the
 * server's digits (jansson has no 64-bit unsigned and no raw numbers), and
 * the layout is fixed by SPEC, byte for byte, so that an unchanged row
 * gives an unchanged file.
 */
#include "engine/rows/rowjson.h"

#include <stdlib.h>
#include <string.h>

#include "engine/base/alloc.h"
#include "engine/base/base64.h"
#include "engine/base/jsontext.h"
#include "engine/rows/mask.h"
#include "engine/base/utf8.h"

enum value_kind { V_NUMBER, V_BIT, V_STRING, V_BINARY };

static enum value_kind kind_of(const MYSQL_FIELD *f)
{
	switch (f->type) {
	case MYSQL_TYPE_TINY:
	case MYSQL_TYPE_SHORT:
	case MYSQL_TYPE_INT24:
	case MYSQL_TYPE_LONG:
	case MYSQL_TYPE_LONGLONG:
	case MYSQL_TYPE_YEAR:
	case MYSQL_TYPE_FLOAT:
	case MYSQL_TYPE_DOUBLE:
		return V_NUMBER;
	case MYSQL_TYPE_BIT:
		return V_BIT;
	case MYSQL_TYPE_STRING:
	case MYSQL_TYPE_VAR_STRING:
	case MYSQL_TYPE_VARCHAR:
	case MYSQL_TYPE_TINY_BLOB:
	case MYSQL_TYPE_MEDIUM_BLOB:
	case MYSQL_TYPE_LONG_BLOB:
	case MYSQL_TYPE_BLOB:
	case MYSQL_TYPE_GEOMETRY:
		/* charset 63 is "binary": bytes, not text */
		return f->charsetnr == 63 ? V_BINARY : V_STRING;
	default:
		/* DECIMAL, dates and times, JSON, ENUM, SET... */
		return V_STRING;
	}
}

static void add_escaped(struct strbuf *out, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, run = 0;

	strbuf_add(out, "\"", 1);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *esc;
		char u[6];

		if (c >= 0x20 && c != '"' && c != '\\' && c != 0x7f)
			continue;
		/* bytes that need no escape go in runs, not one by one */
		strbuf_add(out, s + run, i - run);
		run = i + 1;
		switch (c) {
		case '"': esc = "\\\""; break;
		case '\\': esc = "\\\\"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		case '\t': esc = "\\t"; break;
		case '\b': esc = "\\b"; break;
		case '\f': esc = "\\f"; break;
		default:
			u[0] = '\\';
			u[1] = 'u';
			u[2] = '0';
			u[3] = '0';
			u[4] = hex[c >> 4];
			u[5] = hex[c & 15];
			strbuf_add(out, u, 6);
			continue;
		}
		strbuf_add(out, esc, 2);
	}
	strbuf_add(out, s + run, len - run);
	strbuf_add(out, "\"", 1);
}

void rowjson_utf8_string(struct strbuf *out, const char *s, size_t len)
{
	add_escaped(out, s, len);
}

void rowjson_string(struct strbuf *out, const char *s, size_t len)
{
	json_t *clean;
	const char *text;

	if (utf8_valid(s, len)) {
		add_escaped(out, s, len);
		return;
	}
	/* Not UTF-8 (cannot happen over a utf8mb4 connection, but a file must
	 * stay valid JSON whatever the server sends). */
	clean = jsontext_string(s);
	text = json_string_value(clean);
	add_escaped(out, text, strlen(text));
	json_decref(clean);
}

static void add_bit(struct strbuf *out, const char *s, size_t len)
{
	unsigned long long v = 0;
	size_t i;

	for (i = 0; i < len; i++)
		v = v << 8 | (unsigned char)s[i];
	strbuf_addf(out, "%llu", v);
}

/* Whether text is a JSON number (for constants written into numeric
 * columns). */
static int is_json_number(const char *s)
{
	const char *p = s;

	if (*p == '-')
		p++;
	if (*p == '0')
		p++;
	else if (*p >= '1' && *p <= '9')
		while (*p >= '0' && *p <= '9')
			p++;
	else
		return 0;
	if (*p == '.') {
		p++;
		if (!(*p >= '0' && *p <= '9'))
			return 0;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (!(*p >= '0' && *p <= '9'))
			return 0;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	return *p == '\0';
}

/* ZEROFILL columns and YEAR come with leading zeros ("000042", "0000"),
 * which JSON numbers may not have: drop them, keeping one before a point
 * or the end. */
static void strip_leading_zeros(const char **v, size_t *len, char *buf)
{
	size_t i = 0, z;

	if (*len > 0 && (*v)[0] == '-')
		i = 1;
	for (z = i; z + 1 < *len && (*v)[z] == '0' &&
	     (*v)[z + 1] >= '0' && (*v)[z + 1] <= '9'; z++)
		;
	if (z == i)
		return;
	memcpy(buf, *v, i);
	memcpy(buf + i, *v + z, *len - z);
	*len -= z - i;
	*v = buf;
}

static void add_value(struct strbuf *out, const MYSQL_FIELD *f,
		      const char *v, size_t len,
		      const struct rowjson_column *col, const void *key,
		      size_t keylen)
{
	enum value_kind kind = kind_of(f);
	char *masked = NULL, *stripped = NULL;

	if (col != NULL && col->method == MASK_NULL)
		v = NULL;
	if (v == NULL) {
		strbuf_adds(out, "null");
		return;
	}
	if (col != NULL && col->method == MASK_CONSTANT) {
		if ((kind == V_NUMBER || kind == V_BIT) &&
		    is_json_number(col->constant))
			strbuf_adds(out, col->constant);
		else
			rowjson_string(out, col->constant, strlen(col->constant));
		return;
	}
	/* only a ZEROFILL column or a YEAR starts with a 0 and more digits:
	 * no copy for every other number */
	if (kind == V_NUMBER && len > 1 &&
	    (v[0] == '0' || (v[0] == '-' && v[1] == '0'))) {
		stripped = xmalloc(len + 1);
		strip_leading_zeros(&v, &len, stripped);
	}
	if (col != NULL && col->method == MASK_HASH) {
		masked = xmalloc(len + 1);
		mask_hash(key, keylen, v, len, masked,
			  kind == V_BINARY || kind == V_BIT ? MASK_BYTES
			  : kind == V_NUMBER ? MASK_NUMBER : MASK_TEXT);
		masked[len] = '\0';
		v = masked;
	}
	switch (kind) {
	case V_NUMBER:
		strbuf_add(out, v, len);
		break;
	case V_BIT:
		add_bit(out, v, len);
		break;
	case V_BINARY: {
		char *b64 = base64_encode(v, len);

		strbuf_add(out, "\"", 1);
		strbuf_adds(out, b64);
		strbuf_add(out, "\"", 1);
		free(b64);
		break;
	}
	case V_STRING:
		rowjson_string(out, v, len);
		break;
	}
	free(masked);
	free(stripped);
}

size_t rowjson_render(MYSQL_RES *res, size_t max_rows, int as_array,
		      const struct rowjson_column *cols, const void *key,
		      size_t keylen, struct strbuf *out)
{
	unsigned nfields = mysql_num_fields(res);
	MYSQL_FIELD *fields = mysql_fetch_fields(res);
	const char *indent = as_array ? "    " : "  ";
	size_t rows = 0;
	MYSQL_ROW row;
	unsigned i;

	mysql_data_seek(res, 0);
	while (rows < max_rows && (row = mysql_fetch_row(res)) != NULL) {
		unsigned long *lengths = mysql_fetch_lengths(res);

		if (rows == 0 && as_array)
			strbuf_adds(out, "[\n");
		else if (rows > 0)
			strbuf_adds(out, ",\n");
		strbuf_adds(out, as_array ? "  {\n" : "{\n");
		for (i = 0; i < nfields; i++) {
			strbuf_adds(out, indent);
			rowjson_string(out, fields[i].name, fields[i].name_length);
			strbuf_adds(out, ": ");
			add_value(out, &fields[i], row[i], lengths[i],
				  cols ? &cols[i] : NULL, key, keylen);
			strbuf_adds(out, i + 1 < nfields ? ",\n" : "\n");
		}
		strbuf_adds(out, as_array ? "  }" : "}");
		rows++;
	}
	if (rows > 0)
		strbuf_adds(out, as_array ? "\n]\n" : "\n");
	return rows;
}

void rowjson_keys(const MYSQL_FIELD *fields, unsigned nfields,
		  struct strbuf *keys)
{
	unsigned i;

	for (i = 0; i < nfields; i++) {
		strbuf_reset(&keys[i]);
		strbuf_add(&keys[i], i ? "," : "{", 1);
		rowjson_string(&keys[i], fields[i].name, fields[i].name_length);
		strbuf_add(&keys[i], ":", 1);
	}
}

void rowjson_line(const MYSQL_FIELD *fields, unsigned nfields,
		  const struct strbuf *keys, MYSQL_ROW row,
		  const unsigned long *lengths, const struct rowjson_column *cols,
		  const void *key, size_t keylen, struct strbuf *out)
{
	unsigned i;

	for (i = 0; i < nfields; i++) {
		strbuf_add(out, keys[i].data, keys[i].len);
		add_value(out, &fields[i], row[i], lengths[i],
			  cols ? &cols[i] : NULL, key, keylen);
	}
	strbuf_add(out, nfields ? "}\n" : "{}\n", nfields ? 2 : 3);
}
