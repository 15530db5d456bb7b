/*
 * verify_json: a .json snapshot against SPEC's types contract (Files
 * written): a row object, or an array of them, whose keys are the table's
 * columns in column order; integers as JSON integers, FLOAT/DOUBLE as
 * numbers, DECIMAL as a string of digits, binary columns as base64
 * strings, everything else as strings; null only where the column may be
 * NULL. A column that a [mask] rule covers may hold what its rule writes
 * (a pseudonym, a constant, null), so only its presence is checked.
 *
 * jansson says whether the text is JSON. It cannot say how a number was
 * written (an integer beyond 64 bits signed loads only as a real, and then
 * 1 and 1.0 look alike), so the rows are walked a second time over the
 * text itself, which jansson has vouched for: each key, and the class of
 * its value as written.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine/base/alloc.h"
#include "engine/base/base64.h"
#include "engine/base/strbuf.h"
#include "engine/commands/verify_int.h"
#include "engine/rows/mask.h"

/* A value as written. */
enum jclass { J_STRING, J_INTEGER, J_REAL, J_BOOL, J_NULL, J_OBJECT, J_ARRAY };

/* What a column's values must be written as. */
enum coltype { C_INTEGER, C_FLOAT, C_DECIMAL, C_BINARY, C_TEXT };

/* One file's check. */
struct json_check {
	const struct fleet_config *cfg;
	const struct env_config *env;
	const char *table;
	const struct table_model *m;
	const char *sql_name;   /* the .sql's file name, for messages */
	unsigned char *seen;    /* per column of m: a key named it */
	struct strbuf first;    /* the first problem */
	size_t nproblems;
};

static void problem(struct json_check *c, size_t row, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* row: 0 for a lone object, else its 1-based place in the array. */
static void problem(struct json_check *c, size_t row, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (c->nproblems++ > 0)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (row > 0)
		strbuf_addf(&c->first, "row %zu: ", row);
	strbuf_adds(&c->first, msg);
}

/* The scanner: over text jansson has accepted, NUL-terminated, so it only
 * has to find where things end. */
static const char *skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return p;
}

static const char *skip_string(const char *p)
{
	for (p++; *p != '\0' && *p != '"'; p++)
		if (*p == '\\' && p[1] != '\0')
			p++;
	return *p == '"' ? p + 1 : p;
}

static const char *skip_value(const char *p)
{
	int depth = 0;

	if (*p == '"')
		return skip_string(p);
	if (*p != '{' && *p != '[') {
		while (*p != '\0' && strchr(",}] \t\r\n", *p) == NULL)
			p++;
		return p;
	}
	do {
		if (*p == '"') {
			p = skip_string(p);
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

static enum jclass class_of(const char *p, const char *end)
{
	switch (*p) {
	case '"': return J_STRING;
	case '{': return J_OBJECT;
	case '[': return J_ARRAY;
	case 't': case 'f': return J_BOOL;
	case 'n': return J_NULL;
	}
	for (; p < end; p++)
		if (*p == '.' || *p == 'e' || *p == 'E')
			return J_REAL;
	return J_INTEGER;
}

static const char *class_name(enum jclass k)
{
	static const char *const names[] = { "a string", "an integer",
		"a fraction", "a boolean", "null", "an object", "an array" };

	return names[k];
}

/* A JSON string token decoded (new reference), or NULL. */
static json_t *decode_string(const char *p, const char *end)
{
	json_t *s = json_loadb(p, (size_t)(end - p), JSON_DECODE_ANY, NULL);

	if (s != NULL && !json_is_string(s)) {
		json_decref(s);
		s = NULL;
	}
	return s;
}

static enum coltype coltype_of(const struct tm_column *col)
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
		return C_TEXT;
	while (n + 1 < sizeof(word) && col->type[n] != '\0' &&
	       strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
		      col->type[n]) != NULL) {
		word[n] = col->type[n];
		n++;
	}
	word[n] = '\0';
	/* CHARACTER SET binary: bytes, as rowjson sees them (charset 63) */
	if (col->charset != NULL && strcasecmp(col->charset, "binary") == 0)
		return C_BINARY;
	for (i = 0; i < sizeof(integers) / sizeof(integers[0]); i++)
		if (strcasecmp(word, integers[i]) == 0)
			return C_INTEGER;
	for (i = 0; i < sizeof(floats) / sizeof(floats[0]); i++)
		if (strcasecmp(word, floats[i]) == 0)
			return C_FLOAT;
	for (i = 0; i < sizeof(decimals) / sizeof(decimals[0]); i++)
		if (strcasecmp(word, decimals[i]) == 0)
			return C_DECIMAL;
	for (i = 0; i < sizeof(binaries) / sizeof(binaries[0]); i++)
		if (strcasecmp(word, binaries[i]) == 0)
			return C_BINARY;
	return C_TEXT;
}

/* -?digits(.digits)?: how the server prints a DECIMAL */
static int is_decimal(const char *s)
{
	if (*s == '-')
		s++;
	if (*s < '0' || *s > '9')
		return 0;
	while (*s >= '0' && *s <= '9')
		s++;
	if (*s == '.') {
		s++;
		if (*s < '0' || *s > '9')
			return 0;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	return *s == '\0';
}

static int is_base64(const char *s)
{
	char *data;
	size_t len;

	if (base64_decode(s, &data, &len) != 0)
		return 0;
	free(data);
	return 1;
}

/* What is wrong with a string value of a column that wants `t`, or NULL. */
static const char *string_problem(enum coltype t, const char *p, const char *end)
{
	json_t *s;
	const char *why = NULL;

	if (t != C_DECIMAL && t != C_BINARY)
		return NULL;
	s = decode_string(p, end);
	if (s == NULL)
		return "an undecodable string";
	if (t == C_DECIMAL && !is_decimal(json_string_value(s)))
		why = "a string that is not a decimal number";
	else if (t == C_BINARY && !is_base64(json_string_value(s)))
		why = "a string that is not base64";
	json_decref(s);
	return why;
}

static void check_value(struct json_check *c, size_t row,
			const struct tm_column *col, const char *p,
			const char *end)
{
	static const char *const wants[] = { "an integer", "a number",
		"a string of digits", "a base64 string", "a string" };
	enum jclass k = class_of(p, end);
	enum coltype t = coltype_of(col);
	const char *type = col->type != NULL ? col->type : "?";
	const char *bad = NULL;

	if (c->env->mask != MASK_OFF &&
	    mask_match(c->cfg, c->env->database, c->table, col->name) != NULL)
		return; /* its rule decides what it holds */
	if (k == J_NULL) {
		if (col->not_null)
			problem(c, row, "column `%s` (%s) is NOT NULL, but null",
				col->name, type);
		return;
	}
	switch (t) {
	case C_INTEGER:
		bad = k == J_INTEGER ? NULL : class_name(k);
		break;
	case C_FLOAT:
		bad = k == J_INTEGER || k == J_REAL ? NULL : class_name(k);
		break;
	default:
		bad = k != J_STRING ? class_name(k) : string_problem(t, p, end);
		break;
	}
	if (bad != NULL)
		problem(c, row, "column `%s` (%s): %s, want %s", col->name,
			type, bad, wants[t]);
}

/* Whether SELECT * shows the column (MariaDB's INVISIBLE ones it does not). */
static int visible(const struct tm_column *col)
{
	size_t i;

	for (i = 0; i < col->nclauses; i++)
		if (strcasecmp(col->clauses[i], "INVISIBLE") == 0)
			return 0;
	return 1;
}

/* The keys after the ones in order, against the columns. */
static void check_key_order(struct json_check *c, size_t row, int in_order)
{
	const struct table_model *m = c->m;
	size_t i;

	for (i = 0; i < m->ncolumns; i++)
		if (visible(&m->columns[i]) && !c->seen[i]) {
			problem(c, row, "no key for column `%s` of %s",
				m->columns[i].name, c->sql_name);
			return;
		}
	if (!in_order)
		problem(c, row, "keys are not in the column order of %s",
			c->sql_name);
}

/* One row object at p ('{'). Returns where it ends. */
static const char *check_row(struct json_check *c, size_t row, const char *p)
{
	const struct table_model *m = c->m;
	size_t next = 0;        /* the visible column the next key should be */
	int in_order = 1;

	memset(c->seen, 0, m->ncolumns);
	p = skip_ws(p + 1);
	while (*p == '"') {
		const char *kend = skip_string(p), *vend;
		json_t *key = decode_string(p, kend);
		const struct tm_column *col;

		p = skip_ws(skip_ws(kend) + 1); /* past ':' */
		vend = skip_value(p);
		col = key != NULL ? tablemodel_column(m, json_string_value(key))
				  : NULL;
		if (col == NULL) {
			problem(c, row, "key \"%s\" is not a column of %s",
				key != NULL ? json_string_value(key) : "?",
				c->sql_name);
		} else {
			while (next < m->ncolumns && !visible(&m->columns[next]))
				next++;
			if (next >= m->ncolumns || col != &m->columns[next])
				in_order = 0;
			next++;
			c->seen[col - m->columns] = 1;
			check_value(c, row, col, p, vend);
		}
		json_decref(key);
		p = skip_ws(vend);
		if (*p == ',')
			p = skip_ws(p + 1);
	}
	check_key_order(c, row, in_order);
	return *p == '}' ? p + 1 : p;
}

/* The rows of a text that is an object or an array of objects. */
static void check_rows(struct json_check *c, const char *text)
{
	const char *p = skip_ws(text);
	size_t row = 0;

	if (*p == '{') {
		check_row(c, 0, p);
		return;
	}
	for (p = skip_ws(p + 1); *p == '{'; ) {
		p = skip_ws(check_row(c, ++row, p));
		if (*p == ',')
			p = skip_ws(p + 1);
	}
}

/* Whether the loaded value has a snapshot's shape; reports it if not. */
static int shape_ok(struct json_check *c, json_t *root)
{
	json_t *r;
	size_t i;

	if (json_is_object(root))
		return 1;
	if (!json_is_array(root) || json_array_size(root) == 0) {
		problem(c, 0, json_is_array(root)
			? "an empty array (an empty table writes no file)"
			: "not a row object or an array of them");
		return 0;
	}
	json_array_foreach(root, i, r)
		if (!json_is_object(r)) {
			problem(c, i + 1, "not a row object");
			return 0;
		}
	return 1;
}

void verify_json_file(struct verify *v, const struct env_config *env,
		      const char *table, const char *path, const char *data,
		      size_t len, const struct table_model *m,
		      const char *sql_path)
{
	struct json_check c = { .cfg = v->o->cfg, .env = env, .table = table,
				.m = m, .first = STRBUF_INIT };
	const char *slash = strrchr(sql_path, '/');
	json_error_t jerr;
	json_t *root;

	/* INT_AS_REAL: a BIGINT UNSIGNED beyond 2^63 is still JSON */
	root = json_loadb(data, len, JSON_DECODE_INT_AS_REAL |
			  JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL) {
		verify_add(v, "invalid_json", path, env->name, table, NULL,
			   "line %d column %d: %s", jerr.line, jerr.column,
			   jerr.text);
		return;
	}
	c.sql_name = slash != NULL ? slash + 1 : sql_path;
	if (shape_ok(&c, root) && m != NULL) {
		c.seen = xcalloc(m->ncolumns + 1, 1);
		check_rows(&c, data);
		free(c.seen);
	}
	json_decref(root);
	if (c.nproblems > 0)
		verify_add(v, "types", path, env->name, table, NULL, "%s%s",
			   c.first.data, c.nproblems > 1 ? " (and more)" : "");
	strbuf_release(&c.first);
}
