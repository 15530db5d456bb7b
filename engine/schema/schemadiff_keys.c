/*
 * Indexes, foreign keys and checks are matched by name (the primary key by
 * its kind) and compared as the text the model renders for them, so two
 * spellings of one definition (a quoted name, a glued list) compare equal
 * and every other difference shows.
 */
#include "engine/schema/schemadiff_int.h"

#include <stdlib.h>
#include <string.h>

#include "engine/base/alloc.h"

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
