/*
 * Columns are matched by name. One present on both sides is compared field
 * by field (type, nullability, default, comment, charset and collation,
 * generated expression, attributes); the clauses no field holds are
 * compared as written, so no clause can change unseen. A column's charset
 * is compared both as written and as in effect (the table's default where
 * it names none).
 */
#include "engine/schema/schemadiff_int.h"

#include <stdlib.h>
#include <string.h>

#include "engine/base/alloc.h"

/* Charset/collation as compared: utf8 = utf8mb3 on request. */
static int same_charset(const char *a, const char *b, const struct diff_opts *o)
{
	if (schemadiff_same(a, b))
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

/* The value of a table option, or NULL. */
static const char *table_option(const struct table_model *m, const char *name)
{
	const struct tm_option *opt = schemadiff_find_option(m, name);

	return opt != NULL ? opt->value : NULL;
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

/* The clauses no field holds (INVISIBLE, an inline CHECK, SRID...), in
 * order: compared as written, so no clause can change unseen. */
static char *other_clauses(const struct tm_column *c)
{
	size_t i, len = 1;
	char *s;

	for (i = 1; i < c->nclauses; i++)
		len += strlen(c->clauses[i]) + 1;
	s = xcalloc(1, len);
	for (i = 1; i < c->nclauses; i++) {
		if (tablemodel_clause_in_fields(c->clauses[i]))
			continue;
		if (s[0] != '\0')
			strcat(s, " ");
		strcat(s, c->clauses[i]);
	}
	return s;
}

/* A text column's charset or collation as it takes effect: written, else
 * the table's default. */
static const char *in_effect(const struct tm_column *c, const char *written,
			     const struct table_model *m, const char *option)
{
	if (written != NULL || !schemadiff_textual(c->type))
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
		char *ta = o->ignore_int_width ? schemadiff_strip_int_width(a->type)
					       : xstrdup(a->type);
		char *tb = o->ignore_int_width ? schemadiff_strip_int_width(b->type)
					       : xstrdup(b->type);

		if (strcmp(ta, tb) != 0) {
			enum diff_kind k = schemadiff_type_change(a->type, b->type, o);

			/* still different once the width is gone: zerofill,
			 * say */
			if (k == DIFF_KIND_COUNT)
				k = DIFF_ATTRIBUTE_CHANGED;
			schemadiff_add(d, k, a->name, a->type, b->type);
		}
		free(ta);
		free(tb);
	}
	if (a->not_null != b->not_null)
		schemadiff_add(d, b->not_null ? DIFF_NULL_TIGHTENED
					      : DIFF_NULL_LOOSENED,
			       a->name, a->not_null ? "NOT NULL" : "NULL",
			       b->not_null ? "NOT NULL" : "NULL");
	else if (a->null_written != b->null_written)
		/* an explicit NULL (timestamps print it): same nullability */
		schemadiff_add(d, DIFF_ATTRIBUTE_CHANGED, a->name,
			       a->null_written ? "NULL" : NULL,
			       b->null_written ? "NULL" : NULL);
	if (!schemadiff_same(a->default_value, b->default_value))
		schemadiff_add(d, DIFF_DEFAULT_CHANGED, a->name,
			       a->default_value, b->default_value);
	if (!schemadiff_same(a->comment, b->comment))
		schemadiff_add(d, DIFF_COMMENT_CHANGED, a->name, a->comment,
			       b->comment);
	/* As written (unless an explicit default is declared noise), and as
	 * in effect: a table converted to another charset changes its text
	 * columns even where they name none. */
	if (schemadiff_textual(a->type) == schemadiff_textual(b->type)) {
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
			schemadiff_add(d, DIFF_CHARSET_CHANGED, a->name,
				       in_effect(a, a->collation, ma, "COLLATE"),
				       in_effect(b, b->collation, mb, "COLLATE"));
		else if (written)
			schemadiff_add(d, DIFF_CHARSET_CHANGED, a->name,
				       a->collation ? a->collation : a->charset,
				       b->collation ? b->collation : b->charset);
	}
	if (!schemadiff_same(a->generated, b->generated))
		schemadiff_add(d, DIFF_GENERATED_CHANGED, a->name, a->generated,
			       b->generated);
	if (!schemadiff_same(a->on_update, b->on_update) ||
	    a->auto_increment != b->auto_increment)
		schemadiff_add(d, DIFF_ATTRIBUTE_CHANGED, a->name,
			       a->auto_increment ? "AUTO_INCREMENT" : a->on_update,
			       b->auto_increment ? "AUTO_INCREMENT" : b->on_update);
	oa = other_clauses(a);
	ob = other_clauses(b);
	if (strcmp(oa, ob) != 0)
		schemadiff_add(d, DIFF_ATTRIBUTE_CHANGED, a->name,
			       oa[0] ? oa : NULL, ob[0] ? ob : NULL);
	free(oa);
	free(ob);
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
		while (j < b->ncolumns &&
		       tablemodel_column(a, b->columns[j].name) == NULL)
			j++;
		if (j < b->ncolumns && strcmp(b->columns[j].name, name) != 0) {
			schemadiff_add(d, DIFF_COLUMN_MOVED, b->columns[j].name,
				       NULL, NULL);
			return;
		}
		j++;
	}
}

void schemadiff_compare_columns(const struct table_model *a,
				const struct table_model *b,
				const struct diff_opts *o, struct schema_diff *d)
{
	size_t i, j;

	for (i = 0; i < a->ncolumns; i++) {
		const struct tm_column *y = tablemodel_column(b, a->columns[i].name);

		if (y == NULL)
			schemadiff_add(d, DIFF_COLUMN_REMOVED, a->columns[i].name,
				       a->columns[i].type, NULL);
		else
			compare_column(&a->columns[i], y, a, b, o, d);
	}
	for (j = 0; j < b->ncolumns; j++)
		if (tablemodel_column(a, b->columns[j].name) == NULL)
			schemadiff_add(d, DIFF_COLUMN_ADDED, b->columns[j].name,
				       NULL, b->columns[j].type);
	compare_column_order(a, b, d);
}
