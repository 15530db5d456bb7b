/*
 * SHOW CREATE TABLE output is regular: a header line, one definition per
 * line indented by two spaces and ended by a comma (but the last), a line
 * starting with ")" that carries the table options, then the partition
 * clause, if any, on the following lines. So the parse is line by line, and
 * each line is cut into tokens: a quoted string, a backticked name, a
 * parenthesized group (glued to the word before it, as in int(11) or
 * current_timestamp()), a version comment (slash-star-bang ... star-slash),
 * or a bare word. Clauses are runs of tokens; each keeps its text, so the
 * model renders back exactly.
 */
#include "tablemodel.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "strbuf.h"

static char *dupn(const char *s, size_t n)
{
	char *d = malloc(n + 1);

	if (d == NULL) {
		fputs("rhizome: out of memory\n", stderr);
		abort();
	}
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

/* Room for element n of an array that grows one element at a time: the
 * capacity doubles at each power of two, so n appends cost O(n). */
static void *grow(void *p, size_t n, size_t size)
{
	size_t cap = 1;
	void *q;

	if (n != 0 && (n & (n - 1)) != 0)
		return p; /* n is within the capacity of the last doubling */
	while (cap < n + 1)
		cap *= 2;
	q = realloc(p, cap * size);

	if (q == NULL) {
		fputs("rhizome: out of memory\n", stderr);
		abort();
	}
	return q;
}

/* A backticked name without its quotes, doubled backticks made single. */
static char *unquote(const char *tok, size_t len)
{
	char *d = dupn(tok + 1, len >= 2 ? len - 2 : 0), *w = d;
	const char *r = d;

	while (*r) {
		*w++ = *r;
		r += (r[0] == '`' && r[1] == '`') ? 2 : 1;
	}
	*w = '\0';
	return d;
}

static void add_ident(struct strbuf *sb, const char *name)
{
	strbuf_add(sb, "`", 1);
	for (; *name; name++)
		strbuf_add(sb, *name == '`' ? "``" : name, *name == '`' ? 2 : 1);
	strbuf_add(sb, "`", 1);
}

/* ---- tokens ------------------------------------------------------------- */

/* The end of the quoted token starting at s[i] (a quote character). */
static size_t quoted_end(const char *s, size_t len, size_t i)
{
	char q = s[i++];

	while (i < len) {
		if (q != '`' && s[i] == '\\' && i + 1 < len) {
			i += 2;
			continue;
		}
		if (s[i] == q) {
			if (i + 1 < len && s[i + 1] == q) {
				i += 2;
				continue;
			}
			return i + 1;
		}
		i++;
	}
	return len;
}

/* The end of the parenthesized group starting at s[i] == '('. */
static size_t group_end(const char *s, size_t len, size_t i)
{
	int depth = 0;

	while (i < len) {
		if (s[i] == '\'' || s[i] == '"' || s[i] == '`') {
			i = quoted_end(s, len, i);
			continue;
		}
		if (s[i] == '(')
			depth++;
		else if (s[i] == ')' && --depth == 0)
			return i + 1;
		i++;
	}
	return len;
}

/* The end of the token starting at s[i] (not a space): up to the next
 * space outside quotes and parentheses, so `db`.`t`, `OPT`='1', b'01' and
 * int(11) are one token each. */
static size_t token_end(const char *s, size_t len, size_t i)
{
	if (s[i] == '/' && i + 2 < len && s[i + 1] == '*') {
		const char *end = memmem(s + i + 2, len - i - 2, "*/", 2);

		return end ? (size_t)(end - s) + 2 : len;
	}
	while (i < len && s[i] != ' ') {
		if (s[i] == '(')
			i = group_end(s, len, i);
		else if (s[i] == '\'' || s[i] == '"' || s[i] == '`')
			i = quoted_end(s, len, i);
		else
			i++;
	}
	return i;
}

struct tokens {
	const char **start;
	size_t *len;
	size_t n;
};

/* Cut s[0..len) at single spaces into tokens. Returns 0, or -1 when the
 * text is not single-space separated (it would not render back). */
static int tokenize(const char *s, size_t len, struct tokens *t)
{
	size_t i = 0, e;

	memset(t, 0, sizeof(*t));
	while (i < len) {
		e = token_end(s, len, i);
		t->start = grow(t->start, t->n, sizeof(*t->start));
		t->len = grow(t->len, t->n, sizeof(*t->len));
		t->start[t->n] = s + i;
		t->len[t->n] = e - i;
		t->n++;
		if (e == len)
			break;
		if (s[e] != ' ' || e + 1 == len || s[e + 1] == ' ')
			return -1;
		i = e + 1;
	}
	return 0;
}

static void tokens_release(struct tokens *t)
{
	free(t->start);
	free(t->len);
}

static int is(const struct tokens *t, size_t i, const char *word)
{
	return i < t->n && t->len[i] == strlen(word) &&
	       strncasecmp(t->start[i], word, t->len[i]) == 0;
}

/* Tokens [from, to) as one string. */
static char *span(const struct tokens *t, size_t from, size_t to)
{
	const char *a = t->start[from];
	const char *b = t->start[to - 1] + t->len[to - 1];

	return dupn(a, (size_t)(b - a));
}

/* ---- columns ------------------------------------------------------------ */

static void add_clause(struct tm_column *c, char *text)
{
	c->clauses = grow(c->clauses, c->nclauses, sizeof(*c->clauses));
	c->clauses[c->nclauses++] = text;
}

/* Parse "`name` type attributes..." Returns 0, or -1 when some clause is
 * not understood (the column is still filled as far as it was). */
static int parse_column(const char *line, size_t len, struct tm_column *c)
{
	struct tokens t;
	size_t i, j;
	int rc = 0;

	memset(c, 0, sizeof(*c));
	if (tokenize(line, len, &t) != 0 || t.n < 2 || t.start[0][0] != '`') {
		tokens_release(&t);
		return -1;
	}
	c->name = unquote(t.start[0], t.len[0]);
	/* the type, with its modifiers */
	for (j = 2; j < t.n && (is(&t, j, "unsigned") || is(&t, j, "signed") ||
				is(&t, j, "zerofill")); j++)
		;
	c->type = span(&t, 1, j);
	add_clause(c, span(&t, 1, j));
	for (i = j; i < t.n; i = j) {
		j = i + 1;
		if (is(&t, i, "CHARACTER") && is(&t, i + 1, "SET") && i + 2 < t.n) {
			j = i + 3;
			free(c->charset);
			c->charset = span(&t, i + 2, j);
		} else if (is(&t, i, "COLLATE") && i + 1 < t.n) {
			j = i + 2;
			free(c->collation);
			c->collation = span(&t, i + 1, j);
		} else if (is(&t, i, "NOT") && is(&t, i + 1, "NULL")) {
			j = i + 2;
			c->not_null = 1;
		} else if (is(&t, i, "NULL")) {
			c->null_written = 1;
		} else if (is(&t, i, "DEFAULT") && i + 1 < t.n) {
			j = i + 2;
			free(c->default_value);
			c->default_value = span(&t, i + 1, j);
		} else if (is(&t, i, "ON") && is(&t, i + 1, "UPDATE") && i + 2 < t.n) {
			j = i + 3;
			free(c->on_update);
			c->on_update = span(&t, i + 2, j);
		} else if (is(&t, i, "AUTO_INCREMENT")) {
			c->auto_increment = 1;
		} else if (is(&t, i, "COMMENT") && i + 1 < t.n) {
			j = i + 2;
			free(c->comment);
			c->comment = span(&t, i + 1, j);
		} else if (is(&t, i, "GENERATED") && is(&t, i + 1, "ALWAYS") &&
			   is(&t, i + 2, "AS") && is(&t, i + 3, "ROW") &&
			   (is(&t, i + 4, "START") || is(&t, i + 4, "END"))) {
			/* a system-versioned table's row start/end */
			j = i + 5;
			free(c->generated);
			c->generated = span(&t, i, j);
		} else if ((is(&t, i, "GENERATED") && is(&t, i + 1, "ALWAYS") &&
			    is(&t, i + 2, "AS") && i + 3 < t.n) ||
			   (is(&t, i, "AS") && i + 1 < t.n &&
			    t.start[i + 1][0] == '(')) {
			j = is(&t, i, "AS") ? i + 2 : i + 4;
			if (is(&t, j, "VIRTUAL") || is(&t, j, "STORED") ||
			    is(&t, j, "PERSISTENT"))
				j++;
			free(c->generated);
			c->generated = span(&t, i, j);
		} else if (is(&t, i, "INVISIBLE") || is(&t, i, "VISIBLE") ||
			   t.start[i][0] == '/') {
			/* flags and version comments: kept as they are */
		} else if ((is(&t, i, "CHECK") || is(&t, i, "SRID") ||
			    is(&t, i, "COLUMN_FORMAT") || is(&t, i, "STORAGE")) &&
			   i + 1 < t.n) {
			j = i + 2;
		} else if (is(&t, i, "COMPRESSED") ||
			   strncasecmp(t.start[i], "COMPRESSED=", 11) == 0 ||
			   ((is(&t, i, "WITH") || is(&t, i, "WITHOUT")) &&
			    is(&t, i + 1, "SYSTEM") && is(&t, i + 2, "VERSIONING"))) {
			j = is(&t, i, "COMPRESSED") || t.start[i][0] == 'C' ||
			    t.start[i][0] == 'c' ? i + 1 : i + 3;
		} else {
			rc = -1;
		}
		add_clause(c, span(&t, i, j));
	}
	tokens_release(&t);
	return rc;
}

static void column_release(struct tm_column *c)
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
		if (s[i] == '\'' || s[i] == '"' || s[i] == '`') {
			i = quoted_end(s, len - 1, i) - 1;
			continue;
		}
		if (s[i] == '(')
			depth++;
		else if (s[i] == ')')
			depth--;
		else if (s[i] == ',' && depth == 0) {
			*items = grow(*items, *n, sizeof(**items));
			(*items)[(*n)++] = dupn(s + start, i - start);
			start = i + 1;
		}
	}
	*items = grow(*items, *n, sizeof(**items));
	(*items)[(*n)++] = dupn(s + start, len - 1 - start);
	return 0;
}

static int parse_index(const char *line, size_t len, struct tm_index *x)
{
	struct tokens t;
	size_t i = 0;
	int rc = -1;

	memset(x, 0, sizeof(*x));
	if (tokenize(line, len, &t) != 0)
		goto out;
	if (is(&t, 0, "PRIMARY") && is(&t, 1, "KEY")) {
		x->kind = TM_PRIMARY;
		i = 2;
	} else {
		if (is(&t, 0, "UNIQUE"))
			x->kind = TM_UNIQUE, i = 1;
		else if (is(&t, 0, "FULLTEXT"))
			x->kind = TM_FULLTEXT, i = 1;
		else if (is(&t, 0, "SPATIAL"))
			x->kind = TM_SPATIAL, i = 1;
		else
			x->kind = TM_KEY;
		if (!(is(&t, i, "KEY") || is(&t, i, "INDEX")) || i + 1 >= t.n ||
		    t.start[i + 1][0] != '`')
			goto out;
		x->name = unquote(t.start[i + 1], t.len[i + 1]);
		i += 2;
	}
	if (i >= t.n || split_list(t.start[i], t.len[i], &x->columns,
				   &x->ncolumns) != 0)
		goto out;
	if (i + 1 < t.n)
		x->options = span(&t, i + 1, t.n);
	rc = 0;
out:
	tokens_release(&t);
	return rc;
}

static void index_release(struct tm_index *x)
{
	size_t i;

	free(x->name);
	for (i = 0; i < x->ncolumns; i++)
		free(x->columns[i]);
	free(x->columns);
	free(x->options);
}

/* "CONSTRAINT `n` FOREIGN KEY (...) REFERENCES `t` (...) [actions]" or
 * "CONSTRAINT `n` CHECK (...)". Returns 1 for a key, 2 for a check, -1. */
static int parse_constraint(const char *line, size_t len,
			    struct tm_foreign_key *fk, struct tm_check *ck)
{
	struct tokens t;
	size_t i;
	int rc = -1;

	memset(fk, 0, sizeof(*fk));
	memset(ck, 0, sizeof(*ck));
	if (tokenize(line, len, &t) != 0 || !is(&t, 0, "CONSTRAINT") ||
	    t.n < 3 || t.start[1][0] != '`')
		goto out;
	if (is(&t, 2, "CHECK") && t.n == 4) {
		ck->name = unquote(t.start[1], t.len[1]);
		ck->expression = span(&t, 3, 4);
		rc = 2;
		goto out;
	}
	if (!is(&t, 2, "FOREIGN") || !is(&t, 3, "KEY") || t.n < 7 ||
	    !is(&t, 5, "REFERENCES"))
		goto out;
	fk->name = unquote(t.start[1], t.len[1]);
	fk->columns = span(&t, 4, 5);
	fk->ref_table = span(&t, 6, 7);
	/* "`t` (`id`)" or "`t`(`id`)": the list may be glued to the name */
	i = 7;
	if (i < t.n && t.start[i][0] == '(') {
		fk->ref_columns = span(&t, i, i + 1);
		i++;
	}
	if (i < t.n)
		fk->actions = span(&t, i, t.n);
	rc = 1;
out:
	tokens_release(&t);
	return rc;
}

/* ---- table options ------------------------------------------------------ */

/* Returns 1 when the options were not understood (kept as text). */
static int parse_options(struct table_model *m, const char *s, size_t len)
{
	struct tokens t;
	size_t i;

	if (len == 0)
		return 0;
	if (tokenize(s, len, &t) != 0) {
		tokens_release(&t);
		m->unparsed = grow(m->unparsed, m->nunparsed, sizeof(*m->unparsed));
		m->unparsed[m->nunparsed++] = dupn(s, len);
		return 1;
	}
	for (i = 0; i < t.n; i++) {
		struct tm_option *o;
		const char *eq = memchr(t.start[i], '=', t.len[i]);
		size_t from = i;

		/* "DEFAULT CHARSET=x", "DEFAULT COLLATE=x" */
		if (eq == NULL && is(&t, i, "DEFAULT") && i + 1 < t.n &&
		    memchr(t.start[i + 1], '=', t.len[i + 1]) != NULL) {
			i++;
			eq = memchr(t.start[i], '=', t.len[i]);
		}
		m->options = grow(m->options, m->noptions, sizeof(*m->options));
		o = &m->options[m->noptions++];
		if (eq != NULL && t.start[from][0] != '/') {
			o->name = dupn(t.start[from], (size_t)(eq - t.start[from]));
			o->value = dupn(eq + 1, (size_t)(t.start[i] + t.len[i] - eq - 1));
		} else {
			/* a flag ("WITH SYSTEM VERSIONING": its words run to
			 * the next name=value) or a version comment */
			while (t.start[from][0] != '/' && i + 1 < t.n &&
			       memchr(t.start[i + 1], '=', t.len[i + 1]) == NULL &&
			       t.start[i + 1][0] != '/' && !is(&t, i + 1, "DEFAULT"))
				i++;
			o->name = span(&t, from, i + 1);
			o->value = NULL;
		}
	}
	tokens_release(&t);
	return 0;
}

/* ---- the statement ------------------------------------------------------ */

static void add_line(struct table_model *m, int kind, size_t index)
{
	m->lines = grow(m->lines, m->nlines, sizeof(*m->lines));
	m->lines[m->nlines].kind = kind;
	m->lines[m->nlines].index = index;
	m->nlines++;
}

static void add_unparsed(struct table_model *m, const char *s, size_t len)
{
	m->unparsed = grow(m->unparsed, m->nunparsed, sizeof(*m->unparsed));
	m->unparsed[m->nunparsed] = dupn(s, len);
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
			column_release(&c);
			add_unparsed(m, s, len);
			return 1;
		}
		m->columns = grow(m->columns, m->ncolumns, sizeof(*m->columns));
		m->columns[m->ncolumns] = c;
		add_line(m, TM_LINE_COLUMN, m->ncolumns++);
		return 0;
	}
	if (strncmp(s, "CONSTRAINT ", 11) == 0) {
		kind = parse_constraint(s, len, &fk, &ck);
		if (kind == 1) {
			m->fks = grow(m->fks, m->nfks, sizeof(*m->fks));
			m->fks[m->nfks] = fk;
			add_line(m, TM_LINE_FK, m->nfks++);
			return 0;
		}
		if (kind == 2) {
			m->checks = grow(m->checks, m->nchecks, sizeof(*m->checks));
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
	{
		struct tm_index x;

		if (parse_index(s, len, &x) == 0) {
			m->indexes = grow(m->indexes, m->nindexes, sizeof(*m->indexes));
			m->indexes[m->nindexes] = x;
			add_line(m, TM_LINE_INDEX, m->nindexes++);
			return 0;
		}
		index_release(&x);
	}
	add_unparsed(m, s, len);
	return 1;
}

int tablemodel_parse(const char *text, size_t len, struct table_model *m)
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
		return -1;
	}
	header_end = memchr(p, '\n', (size_t)(end - p));
	if (header_end == NULL || p[0] != '`' || header_end - p < 4 ||
	    strncmp(header_end - 2, " (", 2) != 0)
		return -1;
	m->name = unquote(p, quoted_end(p, (size_t)(header_end - p), 0));
	p = header_end + 1;
	/* body lines: "  definition," until a line starting with ")" */
	while (p < end && p[0] == ' ' && p[1] == ' ') {
		size_t l;

		nl = memchr(p, '\n', (size_t)(end - p));
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
		return -1;
	}
	nl = memchr(p, '\n', (size_t)(end - p));
	if (nl == NULL)
		nl = end;
	m->options_text = dupn(p + 1, (size_t)(nl - p - 1));
	if (m->options_text[0] == ' ')
		unknown |= parse_options(m, m->options_text + 1,
					 strlen(m->options_text) - 1);
	else if (m->options_text[0] != '\0')
		unknown = 1;
	if (nl < end)
		m->partition = dupn(nl + 1, (size_t)(end - nl - 1));
	/* The proof of the parse: it renders back to the text. */
	back = tablemodel_render(m);
	if (strlen(back) != len || memcmp(back, text, len) != 0) {
		if (m->nunparsed == 0) {
			m->unparsed = grow(m->unparsed, 0, sizeof(*m->unparsed));
			m->unparsed[m->nunparsed++] =
				dupn("(the model does not render back to the text)", 45);
		}
		unknown = 1;
	}
	free(back);
	return unknown ? 1 : 0;
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

void tablemodel_release(struct table_model *m)
{
	size_t i;

	free(m->name);
	for (i = 0; i < m->ncolumns; i++)
		column_release(&m->columns[i]);
	free(m->columns);
	for (i = 0; i < m->nindexes; i++)
		index_release(&m->indexes[i]);
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
