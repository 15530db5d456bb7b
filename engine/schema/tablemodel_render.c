/*
 * The model written back as SHOW CREATE TABLE prints it: the header, one
 * definition a line in the order of m->lines, the options line, the
 * partition clause. Every clause is the text the parse kept, so what comes
 * out is what went in; only names are quoted here, backticks doubled and
 * every other byte (a raw newline too) as it is, as the server does.
 */
#include "engine/schema/tablemodel.h"

#include "engine/base/strbuf.h"

static void add_ident(struct strbuf *sb, const char *name)
{
	strbuf_add(sb, "`", 1);
	for (; *name; name++)
		strbuf_add(sb, *name == '`' ? "``" : name, *name == '`' ? 2 : 1);
	strbuf_add(sb, "`", 1);
}

static const char *const index_words[] = {
	[TM_PRIMARY] = "PRIMARY KEY", [TM_UNIQUE] = "UNIQUE KEY",
	[TM_KEY] = "KEY", [TM_FULLTEXT] = "FULLTEXT KEY",
	[TM_SPATIAL] = "SPATIAL KEY",
};

static void render_line(struct strbuf *sb, const struct table_model *m,
			const struct tm_line *l)
{
	size_t i;

	switch (l->kind) {
	case TM_LINE_COLUMN: {
		const struct tm_column *c = &m->columns[l->index];

		add_ident(sb, c->name);
		for (i = 0; i < c->nclauses; i++) {
			strbuf_add(sb, " ", 1);
			strbuf_adds(sb, c->clauses[i]);
		}
		break;
	}
	case TM_LINE_INDEX: {
		const struct tm_index *x = &m->indexes[l->index];

		strbuf_adds(sb, index_words[x->kind]);
		if (x->name != NULL) {
			strbuf_add(sb, " ", 1);
			add_ident(sb, x->name);
		}
		strbuf_adds(sb, " (");
		for (i = 0; i < x->ncolumns; i++) {
			if (i > 0)
				strbuf_add(sb, ",", 1);
			strbuf_adds(sb, x->columns[i]);
		}
		strbuf_add(sb, ")", 1);
		if (x->options != NULL)
			strbuf_addf(sb, " %s", x->options);
		break;
	}
	case TM_LINE_FK: {
		const struct tm_foreign_key *f = &m->fks[l->index];

		strbuf_adds(sb, "CONSTRAINT ");
		add_ident(sb, f->name);
		strbuf_addf(sb, " FOREIGN KEY %s REFERENCES %s", f->columns,
			    f->ref_table);
		if (f->ref_columns != NULL)
			strbuf_addf(sb, " %s", f->ref_columns);
		if (f->actions != NULL)
			strbuf_addf(sb, " %s", f->actions);
		break;
	}
	case TM_LINE_CHECK:
		strbuf_adds(sb, "CONSTRAINT ");
		add_ident(sb, m->checks[l->index].name);
		strbuf_addf(sb, " CHECK %s", m->checks[l->index].expression);
		break;
	case TM_LINE_PERIOD: {
		const struct tm_period *pd = &m->periods[l->index];

		/* as sql_show.cc's append_period: SYSTEM_TIME is a keyword,
		 * never quoted */
		strbuf_adds(sb, "PERIOD FOR ");
		if (pd->name != NULL)
			add_ident(sb, pd->name);
		else
			strbuf_adds(sb, "SYSTEM_TIME");
		strbuf_adds(sb, " (");
		add_ident(sb, pd->start);
		strbuf_adds(sb, ", ");
		add_ident(sb, pd->end);
		strbuf_add(sb, ")", 1);
		break;
	}
	case TM_LINE_OTHER:
		strbuf_adds(sb, m->unparsed[l->index]);
		break;
	}
}

char *tablemodel_render(const struct table_model *m)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	strbuf_adds(&sb, m->temporary ? "CREATE TEMPORARY TABLE " : "CREATE TABLE ");
	add_ident(&sb, m->name);
	strbuf_adds(&sb, " (\n");
	for (i = 0; i < m->nlines; i++) {
		strbuf_adds(&sb, "  ");
		render_line(&sb, m, &m->lines[i]);
		strbuf_adds(&sb, i + 1 < m->nlines ? ",\n" : "\n");
	}
	strbuf_add(&sb, ")", 1);
	if (m->noptions > 0) {
		for (i = 0; i < m->noptions; i++) {
			strbuf_add(&sb, " ", 1);
			strbuf_adds(&sb, m->options[i].name);
			if (m->options[i].value != NULL)
				strbuf_addf(&sb, "=%s", m->options[i].value);
		}
	} else if (m->options_text != NULL) {
		strbuf_adds(&sb, m->options_text);
	}
	if (m->partition != NULL)
		strbuf_addf(&sb, "\n%s", m->partition);
	return strbuf_detach(&sb, NULL);
}
