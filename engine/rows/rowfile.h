/*
 * rowfile: the rows of a data file (rowjson.h writes them) read back as
 * they are written, for `verify` (each value's class against its column)
 * and for loading them into a server (issue 17: each value as the SQL
 * literal that gives the server back the value it sent).
 *
 * jansson says whether a text is JSON, but not how a number was written
 * (an integer beyond 64 bits signed loads only as a real, and 1 and 1.0
 * then look alike), so the scanner walks text that jansson has accepted,
 * or a bulk chunk whose checksum holds (NUL-terminated): it only has to
 * find where things end, and stops at the NUL whatever it finds.
 *
 * Pure functions of their arguments: thread-safe. Out of memory aborts
 * (engine/base/alloc.h).
 */
#ifndef RHIZOME_ROWFILE_H
#define RHIZOME_ROWFILE_H

#include <stddef.h>

#include <jansson.h>

#include "engine/base/strbuf.h"
#include "engine/schema/tablemodel.h"

/* What a column's values are written as (rowjson.h): integers (and BIT,
 * YEAR) as JSON integers, FLOAT/DOUBLE as numbers, DECIMAL as a string of
 * digits, binary strings and BLOBs as base64, everything else as strings. */
enum rowfile_kind {
	ROWFILE_INTEGER, ROWFILE_FLOAT, ROWFILE_DECIMAL, ROWFILE_BINARY,
	ROWFILE_TEXT,
};

enum rowfile_kind rowfile_kind_of(const struct tm_column *col);

/* A value as written. */
enum rowfile_class {
	ROWFILE_STRING, ROWFILE_INT, ROWFILE_REAL, ROWFILE_BOOL, ROWFILE_NULL,
	ROWFILE_OBJECT, ROWFILE_ARRAY,
};

/* The class of the value p[0..end). */
enum rowfile_class rowfile_class_of(const char *p, const char *end);

/* Where whitespace, a string token (p at its '"') or a value ends. */
const char *rowfile_skip_ws(const char *p);
const char *rowfile_skip_string(const char *p);
const char *rowfile_skip_value(const char *p);

/* The string token p[0..end) decoded (new reference), or NULL when it is
 * no string. */
json_t *rowfile_string(const char *p, const char *end);

/* Whether s is -?digits(.digits)?, as the server prints a DECIMAL. */
int rowfile_is_decimal(const char *s);

/*
 * Append the SQL literal of the value p[0..end), of a column written as
 * `kind`, to *out: NULL; a number as written; a DECIMAL's digits; a
 * binary column's base64 decoded, as X'hex'; any other string as
 * _utf8mb4 X'hex', which needs no escaping and converts to the column's
 * character set. Returns 0, or -EINVAL with the reason in *err (a value
 * that is not what its column is written as: a string in an integer
 * column, base64 that is not, a number that is not one).
 */
int rowfile_sql_value(enum rowfile_kind kind, const char *p, const char *end,
		      struct strbuf *out, struct strbuf *err);

/*
 * rowfile_sql_value's checks, the value appended as a field of LOAD DATA
 * text (tab-separated, FIELDS ESCAPED BY '\\', CHARACTER SET utf8mb4):
 * NULL as \N; a number as written; a DECIMAL's digits; a binary column's
 * base64 as it is (the statement decodes it: FROM_BASE64); any other
 * string's bytes with the backslash, tab, newline, CR and NUL escaped.
 */
int rowfile_tsv_value(enum rowfile_kind kind, const char *p, const char *end,
		      struct strbuf *out, struct strbuf *err);

#endif
