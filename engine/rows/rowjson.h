/*
 * rowjson: sample rows as the JSON a test suite reads (SPEC, "Files
 * written"): one object per row, keys in column order, two-space indent,
 * a trailing newline; an array of such objects with --rows.
 *
 * Types are exact. Integers (and BIT) are JSON numbers written digit for
 * digit from the server's text, so 64-bit values, signed or unsigned, lose
 * nothing (jansson's json_int_t could not hold BIGINT UNSIGNED). DECIMAL is a
 * string with every digit; FLOAT/DOUBLE are numbers as the server prints
 * them; dates and times are strings; text, ENUM, SET and JSON columns are
 * strings; binary strings and BLOBs (charset "binary") are base64; NULL is
 * null. Masking is applied per column on the way out.
 */
#ifndef RHIZOME_ROWJSON_H
#define RHIZOME_ROWJSON_H

#include <stddef.h>

#include <mysql.h>

#include "environments/config.h"
#include "engine/base/strbuf.h"

/* How one column is written. */
struct rowjson_column {
	enum mask_method method;    /* MASK_NONE: as fetched */
	const char *constant;       /* MASK_CONSTANT's value */
};

/*
 * Append the first `max_rows` rows of `res` to `out`: one object, or an
 * array when `as_array`. cols[i] applies to column i (NULL: no masking);
 * key/keylen is the hash key. Returns the number of rows written; 0 writes
 * nothing. Thread-safe (res and out are the caller's).
 */
size_t rowjson_render(MYSQL_RES *res, size_t max_rows, int as_array,
		      const struct rowjson_column *cols, const void *key,
		      size_t keylen, struct strbuf *out);

/*
 * Append one row as a JSON line (the bulk export's format): one object,
 * keys in column order, no space, then "\n". fields[0..nfields) are the
 * result's, keys[i] column i's key as rowjson_keys wrote it, row and
 * lengths the row's (mysql_fetch_row/_lengths); cols and key as for
 * rowjson_render. Values are written as rowjson_render writes them.
 * Thread-safe.
 */
void rowjson_line(const MYSQL_FIELD *fields, unsigned nfields,
		  const struct strbuf *keys, MYSQL_ROW row,
		  const unsigned long *lengths, const struct rowjson_column *cols,
		  const void *key, size_t keylen, struct strbuf *out);

/* keys[0..nfields): each column's name as a JSON line's key, `"name":`,
 * the first after "{", the rest after ",": written once per result, not
 * once per row (release each with strbuf_release). Thread-safe. */
void rowjson_keys(const MYSQL_FIELD *fields, unsigned nfields,
		  struct strbuf *keys);

/* Append s[0..len) as a JSON string (quotes, escapes; bytes that are not
 * UTF-8 become U+FFFD). Thread-safe. */
void rowjson_string(struct strbuf *out, const char *s, size_t len);

/* rowjson_string for text the caller has checked is UTF-8
 * (utf8_valid): it is not scanned twice. Thread-safe. */
void rowjson_utf8_string(struct strbuf *out, const char *s, size_t len);

#endif
