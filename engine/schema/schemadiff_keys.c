/*
 * Indexes, foreign keys, checks and periods are matched by name (the
 * primary key and the SYSTEM_TIME period by their kind) and compared as
 * the text the model renders for them, so two spellings of one definition
 * (a quoted name, a glued list) compare equal and every other difference
 * shows.
 */
#include "engine/schema/schemadiff_int.h"

#include <stdlib.h>
#include <string.h>

#include "engine/base/alloc.h"

/* The one body line of a model that holds that line alone, as the model
 * renders it. Cut by position, not at a newline: a quoted name may hold
 * one. Caller frees. */
static char *line_text(struct table_model *m, struct tm_line *l)
{
	static const char head[] = "CREATE TABLE `x` (\n  ";
	const size_t n = sizeof(head) - 1;
	char *text;
	size_t len;

	m->name = (char *)"x";
	m->lines = l;
	m->nlines = 1;
	text = tablemodel_render(m);
	/* "<head>LINE\n)": no options, no partition */
	len = strlen(text) - n - 2;
	memmove(text, text + n, len);
	text[len] = '\0';
	return text;
}

static char *index_text(const struct tm_index *x)
{
	struct table_model m;
	struct tm_line l = { TM_LINE_INDEX, 0 };

	memset(&m, 0, sizeof(m));
	m.indexes = (struct tm_index *)x;
	m.nindexes = 1;
	return line_text(&m, &l);
}

static const struct tm_index *find_index(const struct table_model *m,
					 const struct tm_index *x)
{
	size_t i;

	for (i = 0; m != NULL && i < m->nindexes; i++) {
		const struct tm_index *y = &m->indexes[i];

		if (x->kind == TM_PRIMARY
			    ? y->kind == TM_PRIMARY
			    : (y->name && schemadiff_same(x->name, y->name)))
			return y;
	}
	return NULL;
}

void schemadiff_compare_indexes(const struct table_model *a,
				const struct table_model *b,
				struct schema_diff *d)
{
	size_t i;

	for (i = 0; a != NULL && i < a->nindexes; i++) {
		const struct tm_index *x = &a->indexes[i], *y = find_index(b, x);
		const char *name = x->name ? x->name : "PRIMARY";
		char *tx = index_text(x), *ty = y ? index_text(y) : NULL;

		if (y == NULL)
			schemadiff_add(d, DIFF_INDEX_REMOVED, name, tx, NULL);
		else if (strcmp(tx, ty) != 0)
			schemadiff_add(d, DIFF_INDEX_CHANGED, name, tx, ty);
		free(tx);
		free(ty);
	}
	for (i = 0; b != NULL && i < b->nindexes; i++)
		if (find_index(a, &b->indexes[i]) == NULL) {
			const char *name = b->indexes[i].name;
			char *t = index_text(&b->indexes[i]);

			schemadiff_add(d, DIFF_INDEX_ADDED, name ? name : "PRIMARY",
				       NULL, t);
			free(t);
		}
}

static char *fk_text(const struct tm_foreign_key *f)
{
	return xasprintf("FOREIGN KEY %s REFERENCES %s%s%s%s%s", f->columns,
			 f->ref_table, f->ref_columns ? " " : "",
			 f->ref_columns ? f->ref_columns : "",
			 f->actions ? " " : "", f->actions ? f->actions : "");
}

void schemadiff_compare_fks(const struct table_model *a,
			    const struct table_model *b, struct schema_diff *d)
{
	size_t i, j;

	for (i = 0; a != NULL && i < a->nfks; i++) {
		char *ta = fk_text(&a->fks[i]);

		for (j = 0; b != NULL && j < b->nfks; j++)
			if (strcmp(a->fks[i].name, b->fks[j].name) == 0)
				break;
		if (b == NULL || j == b->nfks) {
			schemadiff_add(d, DIFF_FK_REMOVED, a->fks[i].name, ta, NULL);
		} else {
			char *tb = fk_text(&b->fks[j]);

			if (strcmp(ta, tb) != 0)
				schemadiff_add(d, DIFF_FK_CHANGED, a->fks[i].name,
					       ta, tb);
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

			schemadiff_add(d, DIFF_FK_ADDED, b->fks[j].name, NULL, tb);
			free(tb);
		}
	}
}

void schemadiff_compare_checks(const struct table_model *a,
			       const struct table_model *b,
			       struct schema_diff *d)
{
	size_t i, j;

	for (i = 0; i < a->nchecks; i++) {
		for (j = 0; j < b->nchecks; j++)
			if (strcmp(a->checks[i].name, b->checks[j].name) == 0)
				break;
		if (j == b->nchecks || strcmp(a->checks[i].expression,
					      b->checks[j].expression) != 0)
			schemadiff_add(d, DIFF_CHECK_CHANGED, a->checks[i].name,
				       a->checks[i].expression,
				       j < b->nchecks ? b->checks[j].expression
						      : NULL);
	}
	for (j = 0; j < b->nchecks; j++) {
		for (i = 0; i < a->nchecks; i++)
			if (strcmp(a->checks[i].name, b->checks[j].name) == 0)
				break;
		if (i == a->nchecks)
			schemadiff_add(d, DIFF_CHECK_CHANGED, b->checks[j].name,
				       NULL, b->checks[j].expression);
	}
}

void schemadiff_compare_index_order(const struct table_model *a,
				    const struct table_model *b,
				    struct schema_diff *d)
{
	int all_found = 1, moved = 0;
	size_t i;

	if (a->nindexes != b->nindexes)
		return;
	for (i = 0; i < a->nindexes; i++) {
		const struct tm_index *y = find_index(b, &a->indexes[i]);

		all_found &= y != NULL;
		moved |= y != &b->indexes[i];
	}
	if (all_found && moved)
		schemadiff_add(d, DIFF_INDEX_CHANGED, "(order)", NULL, NULL);
}

static char *period_text(const struct tm_period *p)
{
	struct table_model m;
	struct tm_line l = { TM_LINE_PERIOD, 0 };

	memset(&m, 0, sizeof(m));
	m.periods = (struct tm_period *)p;
	m.nperiods = 1;
	return line_text(&m, &l);
}

static const struct tm_period *find_period(const struct table_model *m,
					   const struct tm_period *p)
{
	size_t i;

	for (i = 0; i < m->nperiods; i++)
		if (schemadiff_same(m->periods[i].name, p->name))
			return &m->periods[i];
	return NULL;
}

void schemadiff_compare_periods(const struct table_model *a,
				const struct table_model *b,
				struct schema_diff *d)
{
	size_t i;

	for (i = 0; i < a->nperiods; i++) {
		const struct tm_period *x = &a->periods[i], *y = find_period(b, x);
		const char *name = x->name ? x->name : "SYSTEM_TIME";
		char *tx = period_text(x), *ty = y ? period_text(y) : NULL;

		if (y == NULL)
			schemadiff_add(d, DIFF_PERIOD_REMOVED, name, tx, NULL);
		else if (strcmp(tx, ty) != 0)
			schemadiff_add(d, DIFF_PERIOD_CHANGED, name, tx, ty);
		free(tx);
		free(ty);
	}
	for (i = 0; i < b->nperiods; i++)
		if (find_period(a, &b->periods[i]) == NULL) {
			const char *name = b->periods[i].name;
			char *t = period_text(&b->periods[i]);

			schemadiff_add(d, DIFF_PERIOD_ADDED,
				       name ? name : "SYSTEM_TIME", NULL, t);
			free(t);
		}
}
