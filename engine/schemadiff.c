/*
 * Columns, indexes, keys and checks are matched by name; the table options
 * by option name (AUTO_INCREMENT never counts: it moves with every insert).
 * A column present on both sides is compared field by field, and a type
 * change is judged by family: integers by width, strings by length, text
 * and blob by tier, DECIMAL by precision and scale, temporal types by
 * fractional digits, ENUM and SET by their values. Any other change of
 * type is treated as narrowing: data may not survive it.
 */
#include "schemadiff.h"

#include "jsontext.h"
#include "normalize.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The severity rules: one row per kind of change. */
static const struct {
	const char *name;
	enum diff_severity severity;
} rules[DIFF_KIND_COUNT] = {
	[DIFF_TABLE_ADDED] = { "table added", SEV_MEDIUM },
	[DIFF_TABLE_REMOVED] = { "table removed", SEV_CRITICAL },
	[DIFF_COLUMN_ADDED] = { "column added", SEV_MEDIUM },
	[DIFF_COLUMN_REMOVED] = { "column removed", SEV_HIGH },
	[DIFF_COLUMN_MOVED] = { "column order changed", SEV_MEDIUM },
	[DIFF_TYPE_NARROWED] = { "type narrowed", SEV_HIGH },
	[DIFF_TYPE_WIDENED] = { "type widened", SEV_MEDIUM },
	[DIFF_TYPE_CHANGED] = { "type changed", SEV_HIGH },
	[DIFF_NULL_TIGHTENED] = { "nullability tightened", SEV_HIGH },
	[DIFF_NULL_LOOSENED] = { "nullability loosened", SEV_MEDIUM },
	[DIFF_ENUM_VALUE_REMOVED] = { "enum value removed", SEV_HIGH },
	[DIFF_ENUM_VALUE_ADDED] = { "enum value added", SEV_MEDIUM },
	[DIFF_ENUM_REORDERED] = { "enum values reordered", SEV_MEDIUM },
	[DIFF_DEFAULT_CHANGED] = { "default changed", SEV_LOW },
	[DIFF_COMMENT_CHANGED] = { "comment changed", SEV_LOW },
	[DIFF_CHARSET_CHANGED] = { "charset or collation changed", SEV_MEDIUM },
	[DIFF_GENERATED_CHANGED] = { "generated expression changed", SEV_MEDIUM },
	[DIFF_ATTRIBUTE_CHANGED] = { "column attribute changed", SEV_MEDIUM },
	[DIFF_INDEX_ADDED] = { "index added", SEV_MEDIUM },
	[DIFF_INDEX_REMOVED] = { "index removed", SEV_MEDIUM },
	[DIFF_INDEX_CHANGED] = { "index changed", SEV_MEDIUM },
	[DIFF_FK_ADDED] = { "foreign key added", SEV_MEDIUM },
	[DIFF_FK_REMOVED] = { "foreign key removed", SEV_MEDIUM },
	[DIFF_FK_CHANGED] = { "foreign key changed", SEV_MEDIUM },
	[DIFF_CHECK_CHANGED] = { "check constraint changed", SEV_MEDIUM },
	[DIFF_OPTION_CHANGED] = { "table option changed", SEV_LOW },
	[DIFF_PARTITION_CHANGED] = { "partitioning changed", SEV_MEDIUM },
	[DIFF_UNPARSED_CHANGED] = { "definition not understood changed", SEV_MEDIUM },
	[DIFF_TEXT_CHANGED] = { "definition changed", SEV_MEDIUM },
};

const char *schemadiff_kind_name(enum diff_kind k)
{
	return rules[k].name;
}

enum diff_severity schemadiff_severity_of(enum diff_kind k)
{
	return rules[k].severity;
}

const char *schemadiff_severity_name(enum diff_severity s)
{
	static const char *const names[] = { "none", "low", "medium", "high",
					      "critical" };

	return names[s];
}

static char *dup_or_null(const char *s)
{
	char *d;

	if (s == NULL)
		return NULL;
	d = strdup(s);
	if (d == NULL)
		abort();
	return d;
}

static void add(struct schema_diff *d, enum diff_kind kind, const char *object,
		const char *from, const char *to)
{
	struct diff_change *c;

	d->changes = realloc(d->changes, (d->n + 1) * sizeof(*d->changes));
	if (d->changes == NULL)
		abort();
	c = &d->changes[d->n++];
	c->kind = kind;
	c->severity = rules[kind].severity;
	c->object = dup_or_null(object);
	c->from = dup_or_null(from);
	c->to = dup_or_null(to);
	if (c->severity > d->max)
		d->max = c->severity;
}

static int same(const char *a, const char *b)
{
	return (a == NULL && b == NULL) ||
	       (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* ---- types -------------------------------------------------------------- */

struct type_info {
	char base[32];          /* lower case: "int", "varchar", "enum" */
	long n1, n2;            /* (n1,n2), -1 when absent */
	int is_unsigned;
	const char *values;     /* enum/set: the text inside the parentheses */
	size_t values_len;
};

static void type_info(const char *type, struct type_info *ti)
{
	size_t i = 0;
	const char *p;

	memset(ti, 0, sizeof(*ti));
	ti->n1 = ti->n2 = -1;
	while (type[i] && type[i] != '(' && type[i] != ' ' && i < sizeof(ti->base) - 1) {
		ti->base[i] = (char)tolower((unsigned char)type[i]);
		i++;
	}
	p = type + i;
	if (*p == '(') {
		const char *close = strrchr(p, ')');

		if (strcmp(ti->base, "enum") == 0 || strcmp(ti->base, "set") == 0) {
			ti->values = p + 1;
			ti->values_len = close ? (size_t)(close - p - 1) : 0;
		} else {
			ti->n1 = strtol(p + 1, (char **)&p, 10);
			if (*p == ',')
				ti->n2 = strtol(p + 1, NULL, 10);
		}
	}
	ti->is_unsigned = strstr(type, "unsigned") != NULL;
}

static int rank(const char *base, const char *const *family)
{
	int i;

	for (i = 0; family[i] != NULL; i++)
		if (strcmp(base, family[i]) == 0)
			return i;
	return -1;
}

static const char *const ints[] = { "tinyint", "smallint", "mediumint", "int",
				    "bigint", NULL };
static const char *const texts[] = { "tinytext", "text", "mediumtext",
				     "longtext", NULL };
static const char *const blobs[] = { "tinyblob", "blob", "mediumblob",
				     "longblob", NULL };
static const char *const strings[] = { "char", "varchar", NULL };
static const char *const bins[] = { "binary", "varbinary", NULL };
static const char *const floats[] = { "float", "double", NULL };

/* The next value of an enum/set list ('a','b''c',...) from *i: its start
 * and length (quotes included). Returns 0 at the end of the list. */
static int next_value(const char *list, size_t len, size_t *i,
		      const char **value, size_t *vlen)
{
	size_t start = *i, k = *i;

	if (k >= len)
		return 0;
	if (list[k] == '\'') {
		k++;
		while (k < len && !(list[k] == '\'' &&
				    (k + 1 >= len || list[k + 1] != '\'')))
			k += list[k] == '\'' ? 2 : 1;
		k++;
	}
	*value = list + start;
	*vlen = k - start;
	while (k < len && list[k] != ',')
		k++;
	*i = k + 1;
	return 1;
}

static int has_value(const struct type_info *t, const char *v, size_t vlen)
{
	const char *w;
	size_t i = 0, wlen;

	while (next_value(t->values, t->values_len, &i, &w, &wlen))
		if (wlen == vlen && strncmp(w, v, vlen) == 0)
			return 1;
	return 0;
}

/* Is a value of a missing from b? */
static int values_missing(const struct type_info *a, const struct type_info *b)
{
	const char *v;
	size_t i = 0, vlen;

	while (next_value(a->values, a->values_len, &i, &v, &vlen))
		if (!has_value(b, v, vlen))
			return 1;
	return 0;
}

/* The kind of a type change from `a` to `b` (which differ). */
static enum diff_kind type_change(const char *a, const char *b,
				  const struct diff_opts *o)
{
	struct type_info x, y;
	const char *const *families[] = { ints, texts, blobs, strings, bins,
					   floats };
	size_t f;

	type_info(a, &x);
	type_info(b, &y);
	if ((strcmp(x.base, "enum") == 0 || strcmp(x.base, "set") == 0) &&
	    strcmp(x.base, y.base) == 0) {
		if (values_missing(&x, &y))
			return DIFF_ENUM_VALUE_REMOVED;
		if (values_missing(&y, &x))
			return DIFF_ENUM_VALUE_ADDED;
		return DIFF_ENUM_REORDERED; /* same values, other order */
	}
	if (x.is_unsigned != y.is_unsigned)
		return DIFF_TYPE_CHANGED;
	for (f = 0; f < sizeof(families) / sizeof(families[0]); f++) {
		int rx = rank(x.base, families[f]), ry = rank(y.base, families[f]);

		if (rx < 0 || ry < 0)
			continue;
		if (rx != ry && (families[f] == strings || families[f] == bins))
			/* char <-> varchar: the length decides */
			return y.n1 >= x.n1 ? DIFF_TYPE_WIDENED : DIFF_TYPE_NARROWED;
		if (rx != ry)
			return ry > rx ? DIFF_TYPE_WIDENED : DIFF_TYPE_NARROWED;
		/* same base: lengths (ints: display width only) */
		if (families[f] == ints)
			return o->ignore_int_width ? DIFF_KIND_COUNT : DIFF_ATTRIBUTE_CHANGED;
		if (families[f] == floats)
			break; /* float(m,d): precision and scale, below */
		return y.n1 >= x.n1 ? DIFF_TYPE_WIDENED : DIFF_TYPE_NARROWED;
	}
	if (strcmp(x.base, y.base) == 0) {
		/* decimal(p,s), datetime(n), time(n), timestamp(n), bit(n) */
		if (y.n1 >= x.n1 && y.n2 >= x.n2 &&
		    (y.n1 - y.n2) >= (x.n1 - x.n2))
			return DIFF_TYPE_WIDENED;
		return DIFF_TYPE_NARROWED;
	}
	return DIFF_TYPE_CHANGED;
}

/* ---- columns ------------------------------------------------------------ */

/* Charset/collation as compared: utf8 = utf8mb3 on request. */
static int same_charset(const char *a, const char *b, const struct diff_opts *o)
{
	if (same(a, b))
		return 1;
	if (a == NULL || b == NULL || !o->utf8_is_utf8mb3)
		return 0;
	if ((strncmp(a, "utf8mb3", 7) == 0 && strncmp(b, "utf8", 4) == 0 &&
	     strcmp(a + 7, b + 4) == 0) ||
	    (strncmp(b, "utf8mb3", 7) == 0 && strncmp(a, "utf8", 4) == 0 &&
	     strcmp(b + 7, a + 4) == 0))
		return 1;
	return 0;
}

static const char *table_option(const struct table_model *m, const char *name)
{
	size_t i;

	for (i = 0; m != NULL && i < m->noptions; i++)
		if (strcasecmp(m->options[i].name, name) == 0)
			return m->options[i].value;
	return NULL;
}

/* A column's charset or collation, or NULL when it equals the table's
 * default and the option says that is noise. */
static const char *effective(const char *v, const struct table_model *m,
			     const char *option, const struct diff_opts *o)
{
	const char *dflt = table_option(m, option);

	if (v != NULL && o->ignore_default_charset && dflt != NULL &&
	    strcmp(v, dflt) == 0)
		return NULL;
	return v;
}

/* "int(11) unsigned" -> "int unsigned"; other types unchanged. */
static char *strip_int_width(const char *type)
{
	struct type_info ti;
	char *s = strdup(type), *p, *close;

	if (s == NULL)
		abort();
	type_info(type, &ti);
	if (rank(ti.base, ints) >= 0 && (p = strchr(s, '(')) != NULL &&
	    (close = strchr(p, ')')) != NULL)
		memmove(p, close + 1, strlen(close + 1) + 1);
	return s;
}

/* Whether a clause is one the column's fields hold (compared there). */
static int known_clause(const char *c)
{
	static const char *const prefixes[] = {
		"CHARACTER SET ", "COLLATE ", "NOT NULL", "NULL", "DEFAULT ",
		"ON UPDATE ", "AUTO_INCREMENT", "COMMENT ", "GENERATED ALWAYS AS ",
		"AS (",
	};
	size_t i;

	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (strncasecmp(c, prefixes[i], strlen(prefixes[i])) == 0)
			return 1;
	return 0;
}

/* The clauses no field holds (INVISIBLE, an inline CHECK, SRID...), in
 * order: compared as written, so no clause can change unseen. */
static char *other_clauses(const struct tm_column *c)
{
	size_t i, len = 1;
	char *s;

	for (i = 1; i < c->nclauses; i++)
		len += strlen(c->clauses[i]) + 1;
	s = calloc(1, len);
	if (s == NULL)
		abort();
	for (i = 1; i < c->nclauses; i++) {
		if (known_clause(c->clauses[i]))
			continue;
		if (s[0] != '\0')
			strcat(s, " ");
		strcat(s, c->clauses[i]);
	}
	return s;
}

/* Types that hold text, and so have a character set. */
static int textual(const char *type)
{
	static const char *const words[] = { "char", "varchar", "tinytext",
		"text", "mediumtext", "longtext", "enum", "set", NULL };
	struct type_info ti;

	type_info(type, &ti);
	return rank(ti.base, words) >= 0;
}

/* A text column's charset or collation as it takes effect: written, else
 * the table's default. */
static const char *in_effect(const struct tm_column *c, const char *written,
			     const struct table_model *m, const char *option)
{
	if (written != NULL || !textual(c->type))
		return written;
	return table_option(m, option);
}

static void compare_column(const struct tm_column *a, const struct tm_column *b,
			   const struct table_model *ma,
			   const struct table_model *mb,
			   const struct diff_opts *o, struct schema_diff *d)
{
	char *oa, *ob;

	if (strcmp(a->type, b->type) != 0) {
		char *ta = o->ignore_int_width ? strip_int_width(a->type) : strdup(a->type);
		char *tb = o->ignore_int_width ? strip_int_width(b->type) : strdup(b->type);

		if (strcmp(ta, tb) != 0) {
			enum diff_kind k = type_change(a->type, b->type, o);

			/* still different once the width is gone: zerofill,
			 * say */
			add(d, k != DIFF_KIND_COUNT ? k : DIFF_ATTRIBUTE_CHANGED,
			    a->name, a->type, b->type);
		}
		free(ta);
		free(tb);
	}
	if (a->not_null != b->not_null)
		add(d, b->not_null ? DIFF_NULL_TIGHTENED : DIFF_NULL_LOOSENED,
		    a->name, a->not_null ? "NOT NULL" : "NULL",
		    b->not_null ? "NOT NULL" : "NULL");
	else if (a->null_written != b->null_written)
		/* an explicit NULL (timestamps print it): same nullability */
		add(d, DIFF_ATTRIBUTE_CHANGED, a->name,
		    a->null_written ? "NULL" : NULL, b->null_written ? "NULL" : NULL);
	if (!same(a->default_value, b->default_value))
		add(d, DIFF_DEFAULT_CHANGED, a->name, a->default_value,
		    b->default_value);
	if (!same(a->comment, b->comment))
		add(d, DIFF_COMMENT_CHANGED, a->name, a->comment, b->comment);
	/* As written (unless an explicit default is declared noise), and as
	 * in effect: a table converted to another charset changes its text
	 * columns even where they name none. */
	if (textual(a->type) == textual(b->type)) {
		/* (a change to or from a text type says it already) */
		int in_force = !same_charset(in_effect(a, a->charset, ma,
						       "DEFAULT CHARSET"),
					     in_effect(b, b->charset, mb,
						       "DEFAULT CHARSET"), o) ||
			       !same_charset(in_effect(a, a->collation, ma, "COLLATE"),
					     in_effect(b, b->collation, mb, "COLLATE"), o);
		int written = !same_charset(effective(a->charset, ma,
						      "DEFAULT CHARSET", o),
					    effective(b->charset, mb,
						      "DEFAULT CHARSET", o), o) ||
			      !same_charset(effective(a->collation, ma, "COLLATE", o),
					    effective(b->collation, mb, "COLLATE", o), o);

		if (in_force)
			add(d, DIFF_CHARSET_CHANGED, a->name,
			    in_effect(a, a->collation, ma, "COLLATE"),
			    in_effect(b, b->collation, mb, "COLLATE"));
		else if (written)
			add(d, DIFF_CHARSET_CHANGED, a->name,
			    a->collation ? a->collation : a->charset,
			    b->collation ? b->collation : b->charset);
	}
	if (!same(a->generated, b->generated))
		add(d, DIFF_GENERATED_CHANGED, a->name, a->generated, b->generated);
	if (!same(a->on_update, b->on_update) || a->auto_increment != b->auto_increment)
		add(d, DIFF_ATTRIBUTE_CHANGED, a->name,
		    a->auto_increment ? "AUTO_INCREMENT" : a->on_update,
		    b->auto_increment ? "AUTO_INCREMENT" : b->on_update);
	oa = other_clauses(a);
	ob = other_clauses(b);
	if (strcmp(oa, ob) != 0)
		add(d, DIFF_ATTRIBUTE_CHANGED, a->name, oa[0] ? oa : NULL,
		    ob[0] ? ob : NULL);
	free(oa);
	free(ob);
}

/* ---- indexes, keys, options --------------------------------------------- */

static char *index_text(const struct tm_index *x)
{
	struct table_model m;
	struct tm_line l = { TM_LINE_INDEX, 0 };
	char *text, *body, *end;

	/* render through the model: one line, no name quoting differences */
	memset(&m, 0, sizeof(m));
	m.name = (char *)"x";
	m.indexes = (struct tm_index *)x;
	m.nindexes = 1;
	m.lines = &l;
	m.nlines = 1;
	text = tablemodel_render(&m);
	body = strstr(text, "\n  ");
	end = body ? strchr(body + 3, '\n') : NULL;
	if (body == NULL || end == NULL)
		return text;
	*end = '\0';
	memmove(text, body + 3, strlen(body + 3) + 1);
	return text;
}

static const struct tm_index *find_index(const struct table_model *m,
					 const struct tm_index *x)
{
	size_t i;

	for (i = 0; m != NULL && i < m->nindexes; i++) {
		const struct tm_index *y = &m->indexes[i];

		if (x->kind == TM_PRIMARY ? y->kind == TM_PRIMARY
					  : (y->name && same(x->name, y->name)))
			return y;
	}
	return NULL;
}

static void compare_indexes(const struct table_model *a,
			    const struct table_model *b, struct schema_diff *d)
{
	size_t i;

	for (i = 0; a != NULL && i < a->nindexes; i++) {
		const struct tm_index *x = &a->indexes[i], *y = find_index(b, x);
		char *tx = index_text(x), *ty = y ? index_text(y) : NULL;

		if (y == NULL)
			add(d, DIFF_INDEX_REMOVED, x->name ? x->name : "PRIMARY", tx, NULL);
		else if (strcmp(tx, ty) != 0)
			add(d, DIFF_INDEX_CHANGED, x->name ? x->name : "PRIMARY", tx, ty);
		free(tx);
		free(ty);
	}
	for (i = 0; b != NULL && i < b->nindexes; i++)
		if (find_index(a, &b->indexes[i]) == NULL) {
			char *t = index_text(&b->indexes[i]);

			add(d, DIFF_INDEX_ADDED, b->indexes[i].name ? b->indexes[i].name
				: "PRIMARY", NULL, t);
			free(t);
		}
}

static char *fk_text(const struct tm_foreign_key *f)
{
	char *s;

	if (asprintf(&s, "FOREIGN KEY %s REFERENCES %s%s%s%s%s", f->columns,
		     f->ref_table, f->ref_columns ? " " : "",
		     f->ref_columns ? f->ref_columns : "", f->actions ? " " : "",
		     f->actions ? f->actions : "") < 0)
		abort();
	return s;
}

static void compare_fks(const struct table_model *a, const struct table_model *b,
			struct schema_diff *d)
{
	size_t i, j;

	for (i = 0; a != NULL && i < a->nfks; i++) {
		char *ta = fk_text(&a->fks[i]);

		for (j = 0; b != NULL && j < b->nfks; j++)
			if (strcmp(a->fks[i].name, b->fks[j].name) == 0)
				break;
		if (b == NULL || j == b->nfks) {
			add(d, DIFF_FK_REMOVED, a->fks[i].name, ta, NULL);
		} else {
			char *tb = fk_text(&b->fks[j]);

			if (strcmp(ta, tb) != 0)
				add(d, DIFF_FK_CHANGED, a->fks[i].name, ta, tb);
			free(tb);
		}
		free(ta);
	}
	for (j = 0; b != NULL && j < b->nfks; j++) {
		for (i = 0; a != NULL && i < a->nfks; i++)
			if (strcmp(a->fks[i].name, b->fks[j].name) == 0)
				break;
		if (a == NULL || i == a->nfks) {
			char *tb = fk_text(&b->fks[j]);

			add(d, DIFF_FK_ADDED, b->fks[j].name, NULL, tb);
			free(tb);
		}
	}
}

static void compare_checks(const struct table_model *a,
			   const struct table_model *b, struct schema_diff *d)
{
	size_t i, j;

	for (i = 0; i < a->nchecks; i++) {
		for (j = 0; j < b->nchecks; j++)
			if (strcmp(a->checks[i].name, b->checks[j].name) == 0)
				break;
		if (j == b->nchecks || strcmp(a->checks[i].expression,
					      b->checks[j].expression) != 0)
			add(d, DIFF_CHECK_CHANGED, a->checks[i].name,
			    a->checks[i].expression,
			    j < b->nchecks ? b->checks[j].expression : NULL);
	}
	for (j = 0; j < b->nchecks; j++) {
		for (i = 0; i < a->nchecks; i++)
			if (strcmp(a->checks[i].name, b->checks[j].name) == 0)
				break;
		if (i == a->nchecks)
			add(d, DIFF_CHECK_CHANGED, b->checks[j].name, NULL,
			    b->checks[j].expression);
	}
}

static const struct tm_option *find_option(const struct table_model *m,
					    const char *name)
{
	size_t i;

	for (i = 0; i < m->noptions; i++)
		if (strcasecmp(m->options[i].name, name) == 0)
			return &m->options[i];
	return NULL;
}

/* Options by name; a flag (no value, like WITH SYSTEM VERSIONING) counts
 * by its presence. */
static void compare_options(const struct table_model *a,
			    const struct table_model *b, struct schema_diff *d)
{
	size_t i;

	for (i = 0; i < a->noptions; i++) {
		const struct tm_option *x = &a->options[i];
		const struct tm_option *y = find_option(b, x->name);

		if (strcasecmp(x->name, "AUTO_INCREMENT") == 0)
			continue;
		if (y == NULL)
			add(d, DIFF_OPTION_CHANGED, x->name,
			    x->value ? x->value : x->name, NULL);
		else if (!same(x->value, y->value))
			add(d, DIFF_OPTION_CHANGED, x->name, x->value, y->value);
	}
	for (i = 0; i < b->noptions; i++) {
		const struct tm_option *y = &b->options[i];

		if (strcasecmp(y->name, "AUTO_INCREMENT") != 0 &&
		    find_option(a, y->name) == NULL)
			add(d, DIFF_OPTION_CHANGED, y->name, NULL,
			    y->value ? y->value : y->name);
	}
}

/* Columns both sides have, in another relative order (ALTER ... AFTER):
 * SELECT * and positional readers see it. */
static void compare_column_order(const struct table_model *a,
				 const struct table_model *b,
				 struct schema_diff *d)
{
	size_t i, j = 0;

	for (i = 0; i < a->ncolumns; i++) {
		const char *name = a->columns[i].name;

		if (tablemodel_column(b, name) == NULL)
			continue;
		while (j < b->ncolumns && tablemodel_column(a, b->columns[j].name) == NULL)
			j++;
		if (j < b->ncolumns && strcmp(b->columns[j].name, name) != 0) {
			add(d, DIFF_COLUMN_MOVED, b->columns[j].name, NULL, NULL);
			return;
		}
		j++;
	}
}

int schemadiff_compare(const struct table_model *a,
		       const struct table_model *b,
		       const struct diff_opts *opts, struct schema_diff *d)
{
	static const struct diff_opts none;
	const struct diff_opts *o = opts ? opts : &none;
	size_t i, j;

	memset(d, 0, sizeof(*d));
	if (a == NULL && b == NULL)
		return 0;
	if (a == NULL) {
		add(d, DIFF_TABLE_ADDED, b->name, NULL, NULL);
		return 0;
	}
	if (b == NULL) {
		add(d, DIFF_TABLE_REMOVED, a->name, NULL, NULL);
		return 0;
	}
	for (i = 0; i < a->ncolumns; i++) {
		const struct tm_column *y = tablemodel_column(b, a->columns[i].name);

		if (y == NULL)
			add(d, DIFF_COLUMN_REMOVED, a->columns[i].name,
			    a->columns[i].type, NULL);
		else
			compare_column(&a->columns[i], y, a, b, o, d);
	}
	for (j = 0; j < b->ncolumns; j++)
		if (tablemodel_column(a, b->columns[j].name) == NULL)
			add(d, DIFF_COLUMN_ADDED, b->columns[j].name, NULL,
			    b->columns[j].type);
	compare_column_order(a, b, d);
	compare_indexes(a, b, d);
	compare_fks(a, b, d);
	compare_checks(a, b, d);
	compare_options(a, b, d);
	if (!same(a->partition, b->partition))
		add(d, DIFF_PARTITION_CHANGED, NULL, a->partition, b->partition);
	/* lines neither side understood: compared as text */
	if (a->nunparsed != b->nunparsed) {
		add(d, DIFF_UNPARSED_CHANGED, NULL, NULL, NULL);
	} else {
		for (i = 0; i < a->nunparsed; i++)
			if (strcmp(a->unparsed[i], b->unparsed[i]) != 0) {
				add(d, DIFF_UNPARSED_CHANGED, NULL,
				    a->unparsed[i], b->unparsed[i]);
				break;
			}
	}
	/* Indexes are matched by name; the same ones in another order are a
	 * change unless that is declared noise. */
	if (!o->ignore_index_order && a->nindexes == b->nindexes) {
		int all_found = 1, moved = 0;

		for (i = 0; i < a->nindexes; i++) {
			const struct tm_index *y = find_index(b, &a->indexes[i]);

			all_found &= y != NULL;
			moved |= y != &b->indexes[i];
		}
		if (all_found && moved)
			add(d, DIFF_INDEX_CHANGED, "(order)", NULL, NULL);
	}
	return 0;
}

void schemadiff_release(struct schema_diff *d)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		free(d->changes[i].object);
		free(d->changes[i].from);
		free(d->changes[i].to);
	}
	free(d->changes);
	memset(d, 0, sizeof(*d));
}

static json_t *text_or_null(const char *s)
{
	return s ? jsontext_string(s) : json_null();
}

json_t *schemadiff_json(const struct schema_diff *d)
{
	json_t *changes = json_array();
	size_t k;

	for (k = 0; k < d->n; k++)
		json_array_append_new(changes, json_pack(
			"{s:s, s:s, s:o, s:o, s:o}",
			"change", schemadiff_kind_name(d->changes[k].kind),
			"severity", schemadiff_severity_name(d->changes[k].severity),
			"object", text_or_null(d->changes[k].object),
			"from", text_or_null(d->changes[k].from),
			"to", text_or_null(d->changes[k].to)));
	return changes;
}

int schemadiff_compare_text(const char *from, size_t from_len, const char *to,
			    size_t to_len, const struct diff_opts *opts,
			    struct schema_diff *d)
{
	static const struct diff_opts none;
	const struct diff_opts *o = opts ? opts : &none;
	struct table_model a, b;
	int ra, rb, noise;
	char *na, *nb;
	size_t la, lb;

	memset(d, 0, sizeof(*d));
	ra = tablemodel_parse(from, from_len, &a);
	rb = tablemodel_parse(to, to_len, &b);
	if (ra >= 0 && rb >= 0)
		schemadiff_compare(&a, &b, o, d);
	if (ra >= 0)
		tablemodel_release(&a);
	if (rb >= 0)
		tablemodel_release(&b);
	if (d->n > 0)
		return 0;
	/* The backstop: texts that differ (AUTO_INCREMENT aside) always
	 * yield a change, unless declared noise explains it. */
	noise = o->ignore_int_width || o->utf8_is_utf8mb3 ||
		o->ignore_default_charset || o->ignore_index_order;
	if (noise && ra == 0 && rb == 0)
		return 0;
	na = normalize_schema(from, from_len, &la);
	nb = normalize_schema(to, to_len, &lb);
	if (la != lb || memcmp(na, nb, la) != 0)
		add(d, ra == 0 && rb == 0 ? DIFF_TEXT_CHANGED : DIFF_UNPARSED_CHANGED,
		    NULL, NULL, NULL);
	free(na);
	free(nb);
	return 0;
}
