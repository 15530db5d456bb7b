/*
 * The literals are hex (X'...', _utf8mb4 X'...') so that no value, whatever
 * bytes it holds, is ever spliced into SQL as text: there is no escaping
 * to get wrong, and nothing depends on the connection's sql_mode
 * (NO_BACKSLASH_ESCAPES) or character set.
 */
#include "engine/rows/rowfile.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine/base/alloc.h"
#include "engine/base/base64.h"
#include "engine/base/utf8.h"

const char *rowfile_skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return p;
}

const char *rowfile_skip_string(const char *p)
{
	/* strcspn finds the next quote or backslash a block at a time */
	for (p += 1 + strcspn(p + 1, "\"\\"); *p == '\\';
	     p += 1 + strcspn(p + 1, "\"\\"))
		if (*++p == '\0')
			return p;
	return *p == '"' ? p + 1 : p;
}

/* Whether c ends a number, true, false or null (or the text): a switch,
 * not strchr, as it runs for every byte of every number loaded. */
static int ends_scalar(char c)
{
	switch (c) {
	case '\0': case ',': case '}': case ']': case ' ': case '\t':
	case '\r': case '\n':
		return 1;
	}
	return 0;
}

const char *rowfile_skip_value(const char *p)
{
	int depth = 0;

	if (*p == '"')
		return rowfile_skip_string(p);
	if (*p != '{' && *p != '[') {
		while (!ends_scalar(*p))
			p++;
		return p;
	}
	do {
		if (*p == '"') {
			p = rowfile_skip_string(p);
			continue;
		}
		if (*p == '{' || *p == '[')
			depth++;
		else if (*p == '}' || *p == ']')
			depth--;
		p++;
	} while (*p != '\0' && depth > 0);
	return p;
}

enum rowfile_class rowfile_class_of(const char *p, const char *end)
{
	switch (*p) {
	case '"': return ROWFILE_STRING;
	case '{': return ROWFILE_OBJECT;
	case '[': return ROWFILE_ARRAY;
	case 't': case 'f': return ROWFILE_BOOL;
	case 'n': return ROWFILE_NULL;
	}
	for (; p < end; p++)
		if (*p == '.' || *p == 'e' || *p == 'E')
			return ROWFILE_REAL;
	return ROWFILE_INT;
}

json_t *rowfile_string(const char *p, const char *end)
{
	json_t *s = json_loadb(p, (size_t)(end - p),
			       JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);

	if (s != NULL && !json_is_string(s)) {
		json_decref(s);
		s = NULL;
	}
	return s;
}

enum rowfile_kind rowfile_kind_of(const struct tm_column *col)
{
	static const char *const integers[] = { "tinyint", "smallint",
		"mediumint", "int", "integer", "bigint", "year", "bit", "bool",
		"boolean", "int1", "int2", "int3", "int4", "int8", "middleint" };
	static const char *const floats[] = { "float", "double", "real" };
	static const char *const decimals[] = { "decimal", "dec", "numeric",
						"fixed" };
	static const char *const binaries[] = { "binary", "varbinary",
		"tinyblob", "blob", "mediumblob", "longblob", "geometry",
		"point", "linestring", "polygon", "multipoint",
		"multilinestring", "multipolygon", "geometrycollection" };
	char word[32];
	size_t n = 0, i;

	if (col->type == NULL)
		return ROWFILE_TEXT;
	while (n + 1 < sizeof(word) && col->type[n] != '\0' &&
	       strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
		      col->type[n]) != NULL) {
		word[n] = col->type[n];
		n++;
	}
	word[n] = '\0';
	/* CHARACTER SET binary: bytes, as rowjson sees them (charset 63) */
	if (col->charset != NULL && strcasecmp(col->charset, "binary") == 0)
		return ROWFILE_BINARY;
	for (i = 0; i < sizeof(integers) / sizeof(integers[0]); i++)
		if (strcasecmp(word, integers[i]) == 0)
			return ROWFILE_INTEGER;
	for (i = 0; i < sizeof(floats) / sizeof(floats[0]); i++)
		if (strcasecmp(word, floats[i]) == 0)
			return ROWFILE_FLOAT;
	for (i = 0; i < sizeof(decimals) / sizeof(decimals[0]); i++)
		if (strcasecmp(word, decimals[i]) == 0)
			return ROWFILE_DECIMAL;
	for (i = 0; i < sizeof(binaries) / sizeof(binaries[0]); i++)
		if (strcasecmp(word, binaries[i]) == 0)
			return ROWFILE_BINARY;
	return ROWFILE_TEXT;
}

/* rowfile_is_decimal of s[0..len) */
static int is_decimal(const char *s, size_t len)
{
	const char *end = s + len;

	if (s < end && *s == '-')
		s++;
	if (s == end || *s < '0' || *s > '9')
		return 0;
	while (s < end && *s >= '0' && *s <= '9')
		s++;
	if (s < end && *s == '.') {
		s++;
		if (s == end || *s < '0' || *s > '9')
			return 0;
		while (s < end && *s >= '0' && *s <= '9')
			s++;
	}
	return s == end;
}

int rowfile_is_decimal(const char *s)
{
	return is_decimal(s, strlen(s));
}

static void hex(struct strbuf *out, const char *prefix, const void *data,
		size_t len)
{
	static const char digits[] = "0123456789ABCDEF";
	const unsigned char *u = data;
	size_t i;

	char buf[512];
	size_t n = 0;

	strbuf_adds(out, prefix);
	strbuf_adds(out, "X'");
	/* in blocks: two calls a byte would cost more than the digits */
	for (i = 0; i < len; i++) {
		buf[n++] = digits[u[i] >> 4];
		buf[n++] = digits[u[i] & 15];
		if (n == sizeof(buf)) {
			strbuf_add(out, buf, n);
			n = 0;
		}
	}
	strbuf_add(out, buf, n);
	strbuf_adds(out, "'");
}

/* Whether text v[0..len) may go as a quoted literal: UTF-8 without a
 * backslash or a control byte, so the only character the quotes treat
 * apart is the quote itself, doubled, whatever the SQL mode
 * (NO_BACKSLASH_ESCAPES or not) and however the server reads the bytes.
 * Anything else goes as hex. A quoted literal is half a hex one's length:
 * less to send, less for the server to parse. */
static int plain_text(const char *v, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)v[i];

		if (c < 0x20 || c == '\\' || c == 0x7f)
			return 0;
	}
	return utf8_valid(v, len);
}

/* _utf8mb4'...' with each quote doubled: the introducer makes the bytes
 * utf8mb4 whatever character set the connection ended up with (an option
 * file's default-character-set, an init-command's SET NAMES). */
static void quoted(struct strbuf *out, const char *v, size_t len)
{
	const char *q;

	strbuf_add(out, "_utf8mb4'", 9);
	while ((q = memchr(v, '\'', len)) != NULL) {
		strbuf_add(out, v, (size_t)(q - v) + 1);
		strbuf_add(out, "'", 1);
		len -= (size_t)(q - v) + 1;
		v = q + 1;
	}
	strbuf_add(out, v, len);
	strbuf_add(out, "'", 1);
}

/* A JSON number token: only its own characters reach the SQL. */
static int number_token(const char *p, const char *end)
{
	if (p == end)
		return 0;
	for (; p < end; p++)
		if (!((*p >= '0' && *p <= '9') || *p == '+' || *p == '-' ||
		      *p == '.' || *p == 'e' || *p == 'E'))
			return 0;
	return 1;
}

/* Whether number token p[0..end), of class k, may go into a column
 * written as `kind`: 0, or -EINVAL with why in *err. */
static int check_number(enum rowfile_kind kind, enum rowfile_class k,
			const char *p, const char *end, struct strbuf *err)
{
	if ((kind != ROWFILE_INTEGER && kind != ROWFILE_FLOAT) ||
	    (kind == ROWFILE_INTEGER && k == ROWFILE_REAL) ||
	    !number_token(p, end)) {
		strbuf_addf(err, "a number (%.*s) where the column holds %s",
			    (int)(end - p > 40 ? 40 : end - p), p,
			    kind == ROWFILE_INTEGER ? "integers" : "strings");
		return -EINVAL;
	}
	return 0;
}

/* Whether p[0..end), of class k, is a whole string token: 0, or -EINVAL
 * with why in *err. */
static int check_string(enum rowfile_class k, const char *p, const char *end,
			struct strbuf *err)
{
	if (k != ROWFILE_STRING) {
		strbuf_adds(err, "a value that is no number, string or null");
		return -EINVAL;
	}
	if (end - p < 2 || end[-1] != '"') {
		/* a string cut short (a truncated file) */
		strbuf_adds(err, "an undecodable string");
		return -EINVAL;
	}
	return 0;
}

int rowfile_sql_value(enum rowfile_kind kind, const char *p, const char *end,
		      struct strbuf *out, struct strbuf *err)
{
	enum rowfile_class k = rowfile_class_of(p, end);
	json_t *s;
	char *copy = NULL;
	const char *v;
	size_t len;
	int rc = 0;

	if (k == ROWFILE_NULL) {
		strbuf_adds(out, "NULL");
		return 0;
	}
	if (k == ROWFILE_INT || k == ROWFILE_REAL) {
		if (check_number(kind, k, p, end, err) != 0)
			return -EINVAL;
		strbuf_add(out, p, (size_t)(end - p));
		return 0;
	}
	if (check_string(k, p, end, err) != 0)
		return -EINVAL;
	if (memchr(p + 1, '\\', (size_t)(end - p - 2)) == NULL) {
		/* no escape: the bytes between the quotes are the string
		 * (the way nearly every value comes), NUL-terminated in a
		 * copy for the checks that read C strings */
		s = NULL;
		len = (size_t)(end - p - 2);
		copy = xstrndup(p + 1, len);
		v = copy;
	} else if ((s = rowfile_string(p, end)) == NULL) {
		strbuf_adds(err, "an undecodable string");
		return -EINVAL;
	} else {
		v = json_string_value(s);
		len = json_string_length(s);
	}
	switch (kind) {
	case ROWFILE_INTEGER:
	case ROWFILE_FLOAT:
		strbuf_adds(err, "a string where the column holds numbers");
		rc = -EINVAL;
		break;
	case ROWFILE_DECIMAL:
		/* by length: a "\u0000" would end a C string early */
		if (!is_decimal(v, len)) {
			strbuf_adds(err, "a string that is not a decimal number");
			rc = -EINVAL;
		} else {
			strbuf_add(out, v, len);
		}
		break;
	case ROWFILE_BINARY: {
		char *data;
		size_t n;

		if (!base64_valid(v, len) || base64_decode(v, &data, &n) != 0) {
			strbuf_adds(err, "a string that is not base64");
			rc = -EINVAL;
		} else {
			hex(out, "", data, n);
			free(data);
		}
		break;
	}
	case ROWFILE_TEXT:
		if (plain_text(v, len))
			quoted(out, v, len);
		else
			hex(out, "_utf8mb4 ", v, len);
		break;
	}
	json_decref(s);
	free(copy);
	return rc;
}

/* v[0..len) as a field of LOAD DATA's text (FIELDS ESCAPED BY '\\'): the
 * escape character and the separators escaped, so that a field never
 * ends early and "\\N" stays two characters; NUL and CR too, as the
 * server's own SELECT ... INTO OUTFILE writes them. */
static void tsv_escaped(struct strbuf *out, const char *v, size_t len)
{
	/* each byte's escape letter, 0 for a byte that goes as it is: a
	 * look-up, as it runs for every byte of every text loaded */
	static const char letter[256] = {
		['\\'] = '\\', ['\t'] = 't', ['\n'] = 'n', ['\r'] = 'r',
		[0] = '0',
	};
	size_t i, run = 0;

	for (i = 0; i < len; i++) {
		char esc[2] = { '\\', letter[(unsigned char)v[i]] };

		if (esc[1] == 0)
			continue;
		strbuf_add(out, v + run, i - run);
		run = i + 1;
		strbuf_add(out, esc, 2);
	}
	strbuf_add(out, v + run, len - run);
}

int rowfile_tsv_value(enum rowfile_kind kind, const char *p, const char *end,
		      struct strbuf *out, struct strbuf *err)
{
	enum rowfile_class k = rowfile_class_of(p, end);
	json_t *s = NULL;
	const char *v;
	size_t len;
	int rc = 0;

	if (k == ROWFILE_NULL) {
		strbuf_add(out, "\\N", 2);
		return 0;
	}
	if (k == ROWFILE_INT || k == ROWFILE_REAL) {
		if (check_number(kind, k, p, end, err) != 0)
			return -EINVAL;
		strbuf_add(out, p, (size_t)(end - p));
		return 0;
	}
	if (check_string(k, p, end, err) != 0)
		return -EINVAL;
	if (memchr(p + 1, '\\', (size_t)(end - p - 2)) == NULL) {
		/* no escape: the bytes between the quotes are the string */
		v = p + 1;
		len = (size_t)(end - p - 2);
	} else if ((s = rowfile_string(p, end)) == NULL) {
		strbuf_adds(err, "an undecodable string");
		return -EINVAL;
	} else {
		v = json_string_value(s);
		len = json_string_length(s);
	}
	switch (kind) {
	case ROWFILE_INTEGER:
	case ROWFILE_FLOAT:
		strbuf_adds(err, "a string where the column holds numbers");
		rc = -EINVAL;
		break;
	case ROWFILE_DECIMAL:
		if (!is_decimal(v, len)) {
			strbuf_adds(err, "a string that is not a decimal number");
			rc = -EINVAL;
		} else {
			strbuf_add(out, v, len);
		}
		break;
	case ROWFILE_BINARY:
		/* as it is: the server decodes it (FROM_BASE64) */
		if (!base64_valid(v, len)) {
			strbuf_adds(err, "a string that is not base64");
			rc = -EINVAL;
		} else {
			strbuf_add(out, v, len);
		}
		break;
	case ROWFILE_TEXT:
		tsv_escaped(out, v, len);
		break;
	}
	json_decref(s);
	return rc;
}
