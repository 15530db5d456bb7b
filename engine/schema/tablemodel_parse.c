/*
 * SHOW CREATE TABLE output is regular: a header line, one definition per
 * line indented by two spaces and ended by a comma (but the last), a line
 * starting with ")" that carries the table options, then the partition
 * clause, if any, on the following lines. So the parse is line by line,
 * each line cut into tokens (tablemodel_token.c); clauses are runs of
 * tokens, and each keeps its text, so the model renders back exactly
 * (tablemodel_render.c), which is how the parse proves itself.
 *
 * A "line" ends at a newline outside quotes: the server escapes a newline
 * in a string ('a\nb') but prints a quoted name as it is, so `a<LF>b` is
 * one name and its newline ends nothing.
 */
#include "engine/schema/tablemodel.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine/base/alloc.h"
#include "engine/schema/sqltoken.h"
#include "engine/schema/tablemodel_int.h"

/* A backticked name without its quotes, doubled backticks made single. */
static char *unquote(const char *tok, size_t len)
{
	char *d = xstrndup(tok + 1, len >= 2 ? len - 2 : 0), *w = d;
	const char *r = d;

	while (*r) {
		*w++ = *r;
		r += (r[0] == '`' && r[1] == '`') ? 2 : 1;
	}
	*w = '\0';
	return d;
}

/* ---- columns ------------------------------------------------------------ */

static void add_clause(struct tm_column *c, char *text)
{
	c->clauses = tm_grow(c->clauses, c->nclauses, sizeof(*c->clauses));
	c->clauses[c->nclauses++] = text;
}

/* Parse "`name` type attributes..." Returns 0, or -1 when some clause is
 * not understood (the column is still filled as far as it was). */
static int parse_column(const char *line, size_t len, struct tm_column *c)
{
	struct tm_tokens t;
	size_t i, j;
	int rc = 0;

	memset(c, 0, sizeof(*c));
	if (tm_tokenize(line, len, &t) != 0 || t.n < 2 || t.start[0][0] != '`') {
		tm_tokens_release(&t);
		return -1;
	}
	c->name = unquote(t.start[0], t.len[0]);
	/* the type, with its modifiers */
	for (j = 2; j < t.n && (tm_is(&t, j, "unsigned") ||
				tm_is(&t, j, "signed") ||
				tm_is(&t, j, "zerofill")); j++)
		;
	c->type = tm_span(&t, 1, j);
	add_clause(c, tm_span(&t, 1, j));
	for (i = j; i < t.n; i = j) {
		j = i + 1;
		if (tm_is(&t, i, "CHARACTER") && tm_is(&t, i + 1, "SET") &&
		    i + 2 < t.n) {
			j = i + 3;
			free(c->charset);
			c->charset = tm_span(&t, i + 2, j);
		} else if (tm_is(&t, i, "COLLATE") && i + 1 < t.n) {
			j = i + 2;
			free(c->collation);
			c->collation = tm_span(&t, i + 1, j);
		} else if (tm_is(&t, i, "NOT") && tm_is(&t, i + 1, "NULL")) {
			j = i + 2;
			c->not_null = 1;
		} else if (tm_is(&t, i, "NULL")) {
			c->null_written = 1;
		} else if (tm_is(&t, i, "DEFAULT") && i + 1 < t.n) {
			j = i + 2;
			free(c->default_value);
			c->default_value = tm_span(&t, i + 1, j);
		} else if (tm_is(&t, i, "ON") && tm_is(&t, i + 1, "UPDATE") &&
			   i + 2 < t.n) {
			j = i + 3;
			free(c->on_update);
			c->on_update = tm_span(&t, i + 2, j);
		} else if (tm_is(&t, i, "AUTO_INCREMENT")) {
			c->auto_increment = 1;
		} else if (tm_is(&t, i, "COMMENT") && i + 1 < t.n) {
			j = i + 2;
			free(c->comment);
			c->comment = tm_span(&t, i + 1, j);
		} else if (tm_is(&t, i, "GENERATED") && tm_is(&t, i + 1, "ALWAYS") &&
			   tm_is(&t, i + 2, "AS") && tm_is(&t, i + 3, "ROW") &&
			   (tm_is(&t, i + 4, "START") || tm_is(&t, i + 4, "END"))) {
			/* a system-versioned table's row start/end */
			j = i + 5;
			free(c->generated);
			c->generated = tm_span(&t, i, j);
		} else if ((tm_is(&t, i, "GENERATED") &&
			    tm_is(&t, i + 1, "ALWAYS") &&
			    tm_is(&t, i + 2, "AS") && i + 3 < t.n) ||
			   (tm_is(&t, i, "AS") && i + 1 < t.n &&
			    t.start[i + 1][0] == '(')) {
			j = tm_is(&t, i, "AS") ? i + 2 : i + 4;
			if (tm_is(&t, j, "VIRTUAL") || tm_is(&t, j, "STORED") ||
			    tm_is(&t, j, "PERSISTENT"))
				j++;
			free(c->generated);
			c->generated = tm_span(&t, i, j);
		} else if (tm_is(&t, i, "INVISIBLE") || tm_is(&t, i, "VISIBLE") ||
			   t.start[i][0] == '/') {
			/* flags and version comments: kept as they are */
		} else if ((tm_is(&t, i, "CHECK") || tm_is(&t, i, "SRID") ||
			    tm_is(&t, i, "COLUMN_FORMAT") ||
			    tm_is(&t, i, "STORAGE")) &&
			   i + 1 < t.n) {
			j = i + 2;
		} else if (tm_is(&t, i, "COMPRESSED") ||
			   strncasecmp(t.start[i], "COMPRESSED=", 11) == 0 ||
			   ((tm_is(&t, i, "WITH") || tm_is(&t, i, "WITHOUT")) &&
			    tm_is(&t, i + 1, "SYSTEM") &&
			    tm_is(&t, i + 2, "VERSIONING"))) {
			j = tm_is(&t, i, "COMPRESSED") || t.start[i][0] == 'C' ||
			    t.start[i][0] == 'c' ? i + 1 : i + 3;
		} else {
			rc = -1;
		}
		add_clause(c, tm_span(&t, i, j));
	}
	tm_tokens_release(&t);
	return rc;
}

/* ---- indexes, foreign keys, checks -------------------------------------- */

/* Split "(`a`,`b`(10) DESC)" into its items. -1 unless it is a group. */
static int split_list(const char *s, size_t len, char ***items, size_t *n)
{
	size_t i = 1, start = 1;
	int depth = 0;

	*items = NULL;
	*n = 0;
	if (len < 2 || s[0] != '(' || s[len - 1] != ')')
		return -1;
	for (; i < len - 1; i++) {
		if (sqltoken_is_quote(s[i])) {
			/* bounded by the closing parenthesis */
			i = sqltoken_skip_quoted(s, len - 1, i) - 1;
			continue;
		}
		if (s[i] == '(')
			depth++;
		else if (s[i] == ')')
			depth--;
		else if (s[i] == ',' && depth == 0) {
			*items = tm_grow(*items, *n, sizeof(**items));
			(*items)[(*n)++] = xstrndup(s + start, i - start);
			start = i + 1;
		}
	}
	*items = tm_grow(*items, *n, sizeof(**items));
	(*items)[(*n)++] = xstrndup(s + start, len - 1 - start);
	return 0;
}

static int parse_index(const char *line, size_t len, struct tm_index *x)
{
	struct tm_tokens t;
	size_t i = 0;
	int rc = -1;

	memset(x, 0, sizeof(*x));
	if (tm_tokenize(line, len, &t) != 0)
		goto out;
	if (tm_is(&t, 0, "PRIMARY") && tm_is(&t, 1, "KEY")) {
		x->kind = TM_PRIMARY;
		i = 2;
	} else {
		if (tm_is(&t, 0, "UNIQUE"))
			x->kind = TM_UNIQUE, i = 1;
		else if (tm_is(&t, 0, "FULLTEXT"))
			x->kind = TM_FULLTEXT, i = 1;
		else if (tm_is(&t, 0, "SPATIAL"))
			x->kind = TM_SPATIAL, i = 1;
		else
			x->kind = TM_KEY;
		if (!(tm_is(&t, i, "KEY") || tm_is(&t, i, "INDEX")) ||
		    i + 1 >= t.n || t.start[i + 1][0] != '`')
			goto out;
		x->name = unquote(t.start[i + 1], t.len[i + 1]);
		i += 2;
	}
	if (i >= t.n || split_list(t.start[i], t.len[i], &x->columns,
				   &x->ncolumns) != 0)
		goto out;
	if (i + 1 < t.n)
		x->options = tm_span(&t, i + 1, t.n);
	rc = 0;
out:
	tm_tokens_release(&t);
	return rc;
}

/* "CONSTRAINT `n` FOREIGN KEY (...) REFERENCES `t` (...) [actions]" or
 * "CONSTRAINT `n` CHECK (...)". Returns 1 for a key, 2 for a check, -1. */
static int parse_constraint(const char *line, size_t len,
			    struct tm_foreign_key *fk, struct tm_check *ck)
{
	struct tm_tokens t;
	size_t i;
	int rc = -1;

	memset(fk, 0, sizeof(*fk));
	memset(ck, 0, sizeof(*ck));
	if (tm_tokenize(line, len, &t) != 0 || !tm_is(&t, 0, "CONSTRAINT") ||
	    t.n < 3 || t.start[1][0] != '`')
		goto out;
	if (tm_is(&t, 2, "CHECK") && t.n == 4) {
		ck->name = unquote(t.start[1], t.len[1]);
		ck->expression = tm_span(&t, 3, 4);
		rc = 2;
		goto out;
	}
	if (!tm_is(&t, 2, "FOREIGN") || !tm_is(&t, 3, "KEY") || t.n < 7 ||
	    !tm_is(&t, 5, "REFERENCES"))
		goto out;
	fk->name = unquote(t.start[1], t.len[1]);
	fk->columns = tm_span(&t, 4, 5);
	fk->ref_table = tm_span(&t, 6, 7);
	/* "`t` (`id`)" or "`t`(`id`)": the list may be glued to the name */
	i = 7;
	if (i < t.n && t.start[i][0] == '(') {
		fk->ref_columns = tm_span(&t, i, i + 1);
		i++;
	}
	if (i < t.n)
		fk->actions = tm_span(&t, i, t.n);
	rc = 1;
out:
	tm_tokens_release(&t);
	return rc;
}

/* ---- periods ------------------------------------------------------------ */

/* Whether tok[0..len) is one backticked name, nothing glued to it. */
static int is_name(const char *tok, size_t len)
{
	return len >= 2 && tok[0] == '`' && tok[len - 1] == '`' &&
	       sqltoken_skip_quoted(tok, len, 0) == len;
}

/*
 * "PERIOD FOR SYSTEM_TIME (`s`, `e`)" or "PERIOD FOR `p` (`s`, `e`)", as
 * sql_show.cc's append_period writes them: SYSTEM_TIME bare, any other
 * name and both columns quoted, ", " between the columns. MariaDB prints
 * an application-time period after the columns and the SYSTEM_TIME one
 * last, after the keys; m->lines keeps either where it stands. Returns 0,
 * or -1 (the line is then kept unparsed).
 */
static int parse_period(const char *line, size_t len, struct tm_period *pd)
{
	struct tm_tokens t;
	const char *g;
	size_t glen, a, b;
	int rc = -1;

	memset(pd, 0, sizeof(*pd));
	if (tm_tokenize(line, len, &t) != 0 || t.n != 4 ||
	    !tm_is(&t, 0, "PERIOD") || !tm_is(&t, 1, "FOR"))
		goto out;
	if (!tm_is(&t, 2, "SYSTEM_TIME") && !is_name(t.start[2], t.len[2]))
		goto out;
	/* the column pair, one token: "(`s`, `e`)" */
	g = t.start[3];
	glen = t.len[3];
	if (glen < 2 || g[0] != '(' || g[glen - 1] != ')')
		goto out;
	a = sqltoken_skip_quoted(g, glen - 1, 1);
	if (!is_name(g + 1, a - 1) || glen - 1 - a < 4 ||
	    strncmp(g + a, ", ", 2) != 0)
		goto out;
	b = sqltoken_skip_quoted(g, glen - 1, a + 2);
	if (b != glen - 1 || !is_name(g + a + 2, b - a - 2))
		goto out;
	if (!tm_is(&t, 2, "SYSTEM_TIME"))
		pd->name = unquote(t.start[2], t.len[2]);
	pd->start = unquote(g + 1, a - 1);
	pd->end = unquote(g + a + 2, b - a - 2);
	rc = 0;
out:
	tm_tokens_release(&t);
	return rc;
}

/* ---- table options ------------------------------------------------------ */

/* Returns 1 when the options were not understood (kept as text). */
static int parse_options(struct table_model *m, const char *s, size_t len)
{
	struct tm_tokens t;
	size_t i;

	if (len == 0)
		return 0;
	if (tm_tokenize(s, len, &t) != 0) {
		tm_tokens_release(&t);
		m->unparsed = tm_grow(m->unparsed, m->nunparsed, sizeof(*m->unparsed));
		m->unparsed[m->nunparsed++] = xstrndup(s, len);
		return 1;
	}
	for (i = 0; i < t.n; i++) {
		struct tm_option *o;
		const char *eq = memchr(t.start[i], '=', t.len[i]);
		size_t from = i;

		/* "DEFAULT CHARSET=x", "DEFAULT COLLATE=x" */
		if (eq == NULL && tm_is(&t, i, "DEFAULT") && i + 1 < t.n &&
		    memchr(t.start[i + 1], '=', t.len[i + 1]) != NULL) {
			i++;
			eq = memchr(t.start[i], '=', t.len[i]);
		}
		m->options = tm_grow(m->options, m->noptions, sizeof(*m->options));
		o = &m->options[m->noptions++];
		if (eq != NULL && t.start[from][0] != '/') {
			o->name = xstrndup(t.start[from], (size_t)(eq - t.start[from]));
			o->value = xstrndup(eq + 1, (size_t)(t.start[i] + t.len[i] - eq - 1));
		} else {
			/* a flag ("WITH SYSTEM VERSIONING": its words run to
			 * the next name=value) or a version comment */
			while (t.start[from][0] != '/' && i + 1 < t.n &&
			       memchr(t.start[i + 1], '=', t.len[i + 1]) == NULL &&
			       t.start[i + 1][0] != '/' &&
			       !tm_is(&t, i + 1, "DEFAULT"))
				i++;
			o->name = tm_span(&t, from, i + 1);
			o->value = NULL;
		}
	}
	tm_tokens_release(&t);
	return 0;
}

/* ---- the statement ------------------------------------------------------ */

static void add_line(struct table_model *m, int kind, size_t index)
{
	m->lines = tm_grow(m->lines, m->nlines, sizeof(*m->lines));
	m->lines[m->nlines].kind = kind;
	m->lines[m->nlines].index = index;
	m->nlines++;
}

static void add_unparsed(struct table_model *m, const char *s, size_t len)
{
	m->unparsed = tm_grow(m->unparsed, m->nunparsed, sizeof(*m->unparsed));
	m->unparsed[m->nunparsed] = xstrndup(s, len);
	add_line(m, TM_LINE_OTHER, m->nunparsed++);
}

static int parse_body_line(struct table_model *m, const char *s, size_t len)
{
	struct tm_foreign_key fk;
	struct tm_check ck;
	int kind;

	if (s[0] == '`') {
		struct tm_column c;

		if (parse_column(s, len, &c) != 0) {
			tm_column_release(&c);
			add_unparsed(m, s, len);
			return 1;
		}
		m->columns = tm_grow(m->columns, m->ncolumns, sizeof(*m->columns));
		m->columns[m->ncolumns] = c;
		add_line(m, TM_LINE_COLUMN, m->ncolumns++);
		return 0;
	}
	if (strncmp(s, "CONSTRAINT ", 11) == 0) {
		kind = parse_constraint(s, len, &fk, &ck);
		if (kind == 1) {
			m->fks = tm_grow(m->fks, m->nfks, sizeof(*m->fks));
			m->fks[m->nfks] = fk;
			add_line(m, TM_LINE_FK, m->nfks++);
			return 0;
		}
		if (kind == 2) {
			m->checks = tm_grow(m->checks, m->nchecks, sizeof(*m->checks));
			m->checks[m->nchecks] = ck;
			add_line(m, TM_LINE_CHECK, m->nchecks++);
			return 0;
		}
		free(fk.name); free(fk.columns); free(fk.ref_table);
		free(fk.ref_columns); free(fk.actions);
		free(ck.name); free(ck.expression);
		add_unparsed(m, s, len);
		return 1;
	}
	if (strncmp(s, "PERIOD FOR ", 11) == 0) {
		struct tm_period pd;

		if (parse_period(s, len, &pd) != 0) {
			/* (a failed parse sets nothing) */
			add_unparsed(m, s, len);
			return 1;
		}
		m->periods = tm_grow(m->periods, m->nperiods, sizeof(*m->periods));
		m->periods[m->nperiods] = pd;
		add_line(m, TM_LINE_PERIOD, m->nperiods++);
		return 0;
	}
	{
		struct tm_index x;

		if (parse_index(s, len, &x) == 0) {
			m->indexes = tm_grow(m->indexes, m->nindexes, sizeof(*m->indexes));
			m->indexes[m->nindexes] = x;
			add_line(m, TM_LINE_INDEX, m->nindexes++);
			return 0;
		}
		tm_index_release(&x);
	}
	add_unparsed(m, s, len);
	return 1;
}

/*
 * The newline that ends the line starting at p: the first one outside
 * quotes and version comments (as the tokenizer steps over them). A quote
 * or comment that runs to `end` is a stray byte, not the server's (a
 * definition line is always followed by the ")" line): then the line ends
 * at its first newline, as read line by line, so a stray quote costs one
 * line not understood, never the rest of the table. NULL when no newline
 * ends the line.
 */
static const char *line_end(const char *p, const char *end)
{
	size_t len = (size_t)(end - p), i = 0, j;

	while (i < len) {
		j = sqltoken_skip_comment(p, len, i);
		if (j == i)
			j = sqltoken_skip_quoted(p, len, i);
		if (j == len && j != i)
			return memchr(p, '\n', len);
		if (j != i) {
			i = j;
			continue;
		}
		if (p[i] == '\n')
			return p + i;
		i++;
	}
	return NULL;
}

enum tm_parsed tablemodel_parse(const char *text, size_t len,
				struct table_model *m)
{
	const char *p = text, *end, *nl, *header_end;
	int unknown = 0;
	char *back;

	memset(m, 0, sizeof(*m));
	/* a snapshot file ends in ";\n" */
	if (len >= 2 && text[len - 2] == ';' && text[len - 1] == '\n')
		len -= 2;
	end = text + len;
	if (len > 23 && strncmp(p, "CREATE TEMPORARY TABLE ", 23) == 0) {
		m->temporary = 1;
		p += 23;
	} else if (len > 13 && strncmp(p, "CREATE TABLE ", 13) == 0) {
		p += 13;
	} else {
		return TM_NOT_A_TABLE;
	}
	/* the name, which may hold newlines, then " (" ending the line */
	if (p[0] != '`')
		return TM_NOT_A_TABLE;
	header_end = p + sqltoken_skip_quoted(p, (size_t)(end - p), 0);
	if (end - header_end < 3 || strncmp(header_end, " (\n", 3) != 0)
		return TM_NOT_A_TABLE;
	m->name = unquote(p, (size_t)(header_end - p));
	p = header_end + 3;
	/* body lines: "  definition," until a line starting with ")" */
	while (end - p >= 2 && p[0] == ' ' && p[1] == ' ') {
		size_t l;

		nl = line_end(p, end);
		if (nl == NULL)
			break;
		l = (size_t)(nl - p) - 2;
		if (l > 0 && p[2 + l - 1] == ',')
			l--;
		unknown |= parse_body_line(m, p + 2, l);
		p = nl + 1;
	}
	if (p >= end || p[0] != ')') {
		tablemodel_release(m);
		return TM_NOT_A_TABLE;
	}
	nl = line_end(p, end);
	if (nl == NULL)
		nl = end;
	m->options_text = xstrndup(p + 1, (size_t)(nl - p - 1));
	if (m->options_text[0] == ' ')
		unknown |= parse_options(m, m->options_text + 1,
					 strlen(m->options_text) - 1);
	else if (m->options_text[0] != '\0')
		unknown = 1;
	if (nl < end)
		m->partition = xstrndup(nl + 1, (size_t)(end - nl - 1));
	/* The proof of the parse: it renders back to the text. */
	back = tablemodel_render(m);
	if (strlen(back) != len || memcmp(back, text, len) != 0) {
		if (m->nunparsed == 0) {
			m->unparsed = tm_grow(m->unparsed, 0, sizeof(*m->unparsed));
			m->unparsed[m->nunparsed++] = xstrdup(
				"(the model does not render back to the text)");
		}
		unknown = 1;
	}
	free(back);
	return unknown ? TM_PARTIAL : TM_WHOLE;
}
