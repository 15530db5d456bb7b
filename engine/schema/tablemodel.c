/*
 * The table model's lifetime and lookups: what every part owns and how it
 * is freed, and the one way its arrays grow (tm_grow), shared by the
 * tokenizer and the parser. Parsing is tablemodel_parse.c, rendering
 * tablemodel_render.c (tablemodel_int.h maps the family).
 */
#include "engine/schema/tablemodel.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine/base/alloc.h"
#include "engine/schema/tablemodel_int.h"

void *tm_grow(void *p, size_t n, size_t size)
{
	size_t cap = 1;

	if (n != 0 && (n & (n - 1)) != 0)
		return p; /* n is within the capacity of the last doubling */
	while (cap < n + 1)
		cap *= 2;
	return xrealloc(p, cap * size);
}

void tm_column_release(struct tm_column *c)
{
	size_t i;

	free(c->name);
	free(c->type);
	free(c->default_value);
	free(c->on_update);
	free(c->charset);
	free(c->collation);
	free(c->comment);
	free(c->generated);
	for (i = 0; i < c->nclauses; i++)
		free(c->clauses[i]);
	free(c->clauses);
}

void tm_index_release(struct tm_index *x)
{
	size_t i;

	free(x->name);
	for (i = 0; i < x->ncolumns; i++)
		free(x->columns[i]);
	free(x->columns);
	free(x->options);
}

void tablemodel_release(struct table_model *m)
{
	size_t i;

	free(m->name);
	for (i = 0; i < m->ncolumns; i++)
		tm_column_release(&m->columns[i]);
	free(m->columns);
	for (i = 0; i < m->nindexes; i++)
		tm_index_release(&m->indexes[i]);
	free(m->indexes);
	for (i = 0; i < m->nfks; i++) {
		free(m->fks[i].name);
		free(m->fks[i].columns);
		free(m->fks[i].ref_table);
		free(m->fks[i].ref_columns);
		free(m->fks[i].actions);
	}
	free(m->fks);
	for (i = 0; i < m->nchecks; i++) {
		free(m->checks[i].name);
		free(m->checks[i].expression);
	}
	free(m->checks);
	for (i = 0; i < m->nperiods; i++) {
		free(m->periods[i].name);
		free(m->periods[i].start);
		free(m->periods[i].end);
	}
	free(m->periods);
	for (i = 0; i < m->noptions; i++) {
		free(m->options[i].name);
		free(m->options[i].value);
	}
	free(m->options);
	free(m->options_text);
	free(m->partition);
	for (i = 0; i < m->nunparsed; i++)
		free(m->unparsed[i]);
	free(m->unparsed);
	free(m->lines);
	memset(m, 0, sizeof(*m));
}

const struct tm_column *tablemodel_column(const struct table_model *m,
					  const char *name)
{
	size_t i;

	for (i = 0; i < m->ncolumns; i++)
		if (strcmp(m->columns[i].name, name) == 0)
			return &m->columns[i];
	return NULL;
}

int tablemodel_clause_in_fields(const char *clause)
{
	static const char *const prefixes[] = {
		"CHARACTER SET ", "COLLATE ", "NOT NULL", "NULL", "DEFAULT ",
		"ON UPDATE ", "AUTO_INCREMENT", "COMMENT ", "GENERATED ALWAYS AS ",
		"AS (",
	};
	size_t i;

	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (strncasecmp(clause, prefixes[i], strlen(prefixes[i])) == 0)
			return 1;
	return 0;
}
