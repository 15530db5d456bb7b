/*
 * verify_json: a .json snapshot against SPEC's types contract (Files
 * written): a row object, or an array of them, whose keys are the table's
 * columns in column order; integers as JSON integers, FLOAT/DOUBLE as
 * numbers, DECIMAL as a string of digits, binary columns as base64
 * strings, everything else as strings; null only where the column may be
 * NULL. A column that a [mask] rule covers may hold what its rule writes
 * (a pseudonym, a constant, null), so only its presence is checked.
 *
 * jansson says whether the text is JSON; the rows are then walked a
 * second time over the text itself (engine/rows/rowfile.h): each key, and
 * the class of its value as written.
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
#include "engine/rows/rowfile.h"

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

static const char *class_name(enum rowfile_class k)
{
	static const char *const names[] = { "a string", "an integer",
		"a fraction", "a boolean", "null", "an object", "an array" };

	return names[k];
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
static const char *string_problem(enum rowfile_kind t, const char *p, const char *end)
{
	json_t *s;
	const char *why = NULL;

	if (t != ROWFILE_DECIMAL && t != ROWFILE_BINARY)
		return NULL;
	s = rowfile_string(p, end);
	if (s == NULL)
		return "an undecodable string";
	if (t == ROWFILE_DECIMAL && !rowfile_is_decimal(json_string_value(s)))
		why = "a string that is not a decimal number";
	else if (t == ROWFILE_BINARY && !is_base64(json_string_value(s)))
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
	enum rowfile_class k = rowfile_class_of(p, end);
	enum rowfile_kind t = rowfile_kind_of(col);
	const char *type = col->type != NULL ? col->type : "?";
	const char *bad = NULL;

	if (c->env->mask != MASK_OFF &&
	    mask_match(c->cfg, c->env->database, c->table, col->name) != NULL)
		return; /* its rule decides what it holds */
	if (k == ROWFILE_NULL) {
		if (col->not_null)
			problem(c, row, "column `%s` (%s) is NOT NULL, but null",
				col->name, type);
		return;
	}
	switch (t) {
	case ROWFILE_INTEGER:
		bad = k == ROWFILE_INT ? NULL : class_name(k);
		break;
	case ROWFILE_FLOAT:
		bad = k == ROWFILE_INT || k == ROWFILE_REAL ? NULL : class_name(k);
		break;
	default:
		bad = k != ROWFILE_STRING ? class_name(k) : string_problem(t, p, end);
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
	p = rowfile_skip_ws(p + 1);
	while (*p == '"') {
		const char *kend = rowfile_skip_string(p), *vend;
		json_t *key = rowfile_string(p, kend);
		const struct tm_column *col;

		p = rowfile_skip_ws(rowfile_skip_ws(kend) + 1); /* past ':' */
		vend = rowfile_skip_value(p);
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
		p = rowfile_skip_ws(vend);
		if (*p == ',')
			p = rowfile_skip_ws(p + 1);
	}
	check_key_order(c, row, in_order);
	return *p == '}' ? p + 1 : p;
}

/* The rows of a text that is an object or an array of objects. */
static void check_rows(struct json_check *c, const char *text)
{
	const char *p = rowfile_skip_ws(text);
	size_t row = 0;

	if (*p == '{') {
		check_row(c, 0, p);
		return;
	}
	for (p = rowfile_skip_ws(p + 1); *p == '{'; ) {
		p = rowfile_skip_ws(check_row(c, ++row, p));
		if (*p == ',')
			p = rowfile_skip_ws(p + 1);
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

	/* INT_AS_REAL: a BIGINT UNSIGNED beyond 2^63 is still JSON;
	 * ALLOW_NUL: a text column's NUL is written "\u0000" */
	root = json_loadb(data, len, JSON_DECODE_INT_AS_REAL |
			  JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &jerr);
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
