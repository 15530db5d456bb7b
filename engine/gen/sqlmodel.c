/*
 * The model modules. Each is written as a body, noting the names it uses
 * (struct pyimports), then the imports above it (pymodule.h), so the
 * output depends on the input alone.
 */
#include "engine/gen/sqlmodel_int.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine/base/alloc.h"
#include "engine/gen/pyname.h"
#include "engine/gen/pytype.h"
#include "engine/schema/sqltoken.h"

void sqlmodel_header(struct strbuf *out)
{
	strbuf_adds(out, SQLMODEL_MARK " (target sqlmodel) from the schema snapshots.\n"
		    "# Do not edit: `rhizome gen models` rewrites it, and never "
		    "touches a file\n# that does not start with the line above.\n");
}

/* The unquoted value of a clause the model holds quoted ('...'), or a
 * copy of it when it is not quoted. Caller frees. */
static char *unquoted(const char *quoted)
{
	char *v = sqltoken_unquote(quoted, strlen(quoted));

	return v ? v : xstrdup(quoted);
}

/* ------------------------------------------------------------------ */
/* A table's columns across its versions                               */

static int in_base(const struct gen_table *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->nbase; i++)
		if (strcmp(t->base[i], name) == 0)
			return 1;
	return 0;
}

const char *sqlmodel_attr_of(const struct table_ctx *x, const char *name)
{
	size_t i;

	for (i = 0; i < x->nnames; i++)
		if (strcmp(x->names[i], name) == 0)
			return x->attrs[i];
	return name;
}

/* Whether a CHECK of m says column `name` holds JSON (MariaDB's JSON is
 * longtext with CHECK (json_valid(`name`)), named after the column). */
const struct tm_check *sqlmodel_json_check(const struct table_model *m,
					 const char *name)
{
	char *want = xasprintf("json_valid(`%s`)", name);
	const struct tm_check *found = NULL;
	size_t i;

	for (i = 0; i < m->nchecks && found == NULL; i++)
		if (strstr(m->checks[i].expression, want) != NULL &&
		    m->checks[i].name && strcmp(m->checks[i].name, name) == 0)
			found = &m->checks[i];
	free(want);
	return found;
}

int sqlmodel_json_clause(const struct tm_column *c, size_t i)
{
	char *want = xasprintf("CHECK (json_valid(`%s`))", c->name);
	int is = i > 0 && i < c->nclauses && strcasecmp(c->clauses[i], want) == 0;

	free(want);
	return is;
}

int sqlmodel_is_json(const struct table_model *m, const struct tm_column *c)
{
	size_t i;

	if (sqlmodel_json_check(m, c->name) != NULL)
		return 1;
	for (i = 1; i < c->nclauses; i++)
		if (sqlmodel_json_clause(c, i))
			return 1;
	return 0;
}

/* The name of an index part "`a`(10) DESC" into *name (new), its prefix
 * length into *length (0: none); whether it is descending. */
static int index_part(const char *part, char **name, unsigned *length)
{
	size_t len = strlen(part), end = sqltoken_skip_quoted(part, len, 0);
	const char *rest = part + end;

	*name = end > 0 ? sqltoken_unquote(part, end) : NULL;
	if (*name == NULL)
		*name = xstrdup(part);
	*length = 0;
	if (*rest == '(')
		*length = (unsigned)strtoul(rest + 1, NULL, 10);
	return strstr(rest, "DESC") != NULL;
}

static int is_primary(const struct table_model *m, const char *name)
{
	size_t i, k;

	for (i = 0; i < m->nindexes; i++) {
		if (m->indexes[i].kind != TM_PRIMARY)
			continue;
		for (k = 0; k < m->indexes[i].ncolumns; k++) {
			char *n;
			unsigned len;
			int is;

			index_part(m->indexes[i].columns[k], &n, &len);
			is = strcmp(n, name) == 0;
			free(n);
			if (is)
				return 1;
		}
	}
	return 0;
}

/* The class of an ENUM column's values, made once per column and value
 * list: the first gets <Table><Attr>, a later different list of the same
 * column <Table><Attr>V<n>. */
static size_t enum_for(struct table_ctx *x, const struct col *c, unsigned version)
{
	size_t i;
	char *base, *name;
	int taken;

	for (i = 0; i < x->nenums; i++)
		if (strcmp(x->enums[i].column, c->c->name) == 0 &&
		    strcmp(x->enums[i].type->sa_type, c->type.sa_type) == 0)
			return i;
	base = pyname_class(c->attr);
	name = xasprintf("%s%s", x->cls, base);
	do {
		taken = strcmp(name, x->cls) == 0;
		for (i = 0; i < x->nenums && !taken; i++)
			taken = strcmp(x->enums[i].name, name) == 0;
		if (taken) {
			char *v = xasprintf("%s%sV%u", x->cls, base, version);

			if (strcmp(v, name) == 0) {
				free(v);
				v = xasprintf("%s%sV%u_%zu", x->cls, base, version,
					      x->nenums);
			}
			free(name);
			name = v;
		}
	} while (taken);
	free(base);
	x->enums = xrealloc(x->enums, (x->nenums + 1) * sizeof(*x->enums));
	x->enums[x->nenums].name = name;
	x->enums[x->nenums].column = c->c->name;
	x->enums[x->nenums].type = &c->type;
	return x->nenums++;
}

/* Every column name of every version, V1's first: one attribute each. */
void sqlmodel_collect_names(struct table_ctx *x)
{
	const struct gen_table *t = x->t;
	size_t j, k, i;

	for (j = 0; j < t->nversions; j++) {
		const struct table_model *m = t->versions[j].model;

		for (k = 0; k < m->ncolumns; k++) {
			for (i = 0; i < x->nnames; i++)
				if (strcmp(x->names[i], m->columns[k].name) == 0)
					break;
			if (i < x->nnames)
				continue;
			x->names = xrealloc(x->names, (x->nnames + 1) *
					    sizeof(*x->names));
			x->names[x->nnames++] = m->columns[k].name;
		}
	}
	x->attrs = xcalloc(x->nnames + 1, sizeof(*x->attrs));
	pyname_attrs((const char *const *)x->names, x->nnames, x->attrs);
}

static int prepare(struct table_ctx *x, struct strbuf *err)
{
	const struct gen_table *t = x->t;
	size_t j, k;

	x->cls = pyname_class(t->table);
	sqlmodel_collect_names(x);
	x->cols = xcalloc(t->nversions + 1, sizeof(*x->cols));
	for (j = 0; j < t->nversions; j++) {
		const struct table_model *m = t->versions[j].model;

		x->cols[j] = xcalloc(m->ncolumns + 1, sizeof(**x->cols));
		for (k = 0; k < m->ncolumns; k++) {
			struct col *c = &x->cols[j][k];

			c->c = &m->columns[k];
			c->attr = sqlmodel_attr_of(x, c->c->name);
			c->json = sqlmodel_is_json(m, c->c);
			if (pytype_of(c->c->type, c->json, &c->type) != 0) {
				strbuf_addf(err, "%s.%s: column `%s` (V%u): type "
					    "'%s' is not known to the sqlmodel "
					    "target", t->database, t->table,
					    c->c->name, t->versions[j].number,
					    c->c->type);
				return -EINVAL;
			}
			c->primary = is_primary(m, c->c->name);
			c->nullable = !c->c->not_null && !c->primary;
			if (c->type.python == PYTYPE_ENUM) {
				c->enum_index = enum_for(x, c, t->versions[j].number);
				c->annotation = x->enums[c->enum_index].name;
			} else {
				c->annotation = pytype_python_name(c->type.python);
			}
		}
	}
	return 0;
}

static void release_ctx(struct table_ctx *x)
{
	size_t j, k;

	for (j = 0; x->cols && j < x->t->nversions; j++) {
		for (k = 0; k < x->t->versions[j].model->ncolumns; k++)
			pytype_release(&x->cols[j][k].type);
		free(x->cols[j]);
	}
	free(x->cols);
	for (k = 0; k < x->nnames; k++)
		free(x->attrs[k]);
	free(x->attrs);
	free(x->names);
	for (k = 0; k < x->nenums; k++)
		free(x->enums[k].name);
	free(x->enums);
	free(x->cls);
	pyimports_release(&x->u);
}

/* Note something rendered approximately: in the module (a comment line
 * in `out`) and in the caller's notes. */
static void approx(struct table_ctx *x, struct strbuf *out, unsigned version,
		   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void approx(struct table_ctx *x, struct strbuf *out, unsigned version,
		   const char *fmt, ...)
{
	struct strbuf line = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&line, fmt, ap);
	va_end(ap);
	strbuf_adds(out, "    # not kept: ");
	strbuf_add_escaped(out, line.data);
	strbuf_adds(out, "\n");
	strbuf_addf(x->notes, "%s.%s V%u: ", x->t->database, x->t->table, version);
	strbuf_add_escaped(x->notes, line.data);
	strbuf_adds(x->notes, "\n");
	strbuf_release(&line);
}

/* The Python annotation of a field, noting what it uses. */
static void annotation(struct table_ctx *x, struct strbuf *out,
		       const struct col *c)
{
	int optional = c->nullable || c->c->auto_increment;

	switch (c->type.python) {
	case PYTYPE_DECIMAL: pynames_add(&x->u.decimal, "Decimal"); break;
	case PYTYPE_DATETIME: pynames_add(&x->u.datetime, "datetime"); break;
	case PYTYPE_DATE: pynames_add(&x->u.datetime, "date"); break;
	case PYTYPE_TIME: pynames_add(&x->u.datetime, "time"); break;
	case PYTYPE_JSON: pynames_add(&x->u.typing, "Any"); break;
	default: break;
	}
	if (optional) {
		pynames_add(&x->u.typing, "Optional");
		strbuf_addf(out, "Optional[%s]", c->annotation);
	} else {
		strbuf_adds(out, c->annotation);
	}
}

/* Whether a field has a default (None): a nullable column, one the
 * server fills (AUTO_INCREMENT, a DEFAULT, a generated column). */
static int has_default(const struct col *c)
{
	return c->nullable || c->c->auto_increment || c->c->default_value ||
	       c->c->generated;
}

/* The SQLAlchemy type, with the column's own character set and collation
 * where the server wrote them (text types). */
static void sa_type(struct table_ctx *x, struct strbuf *out, const struct col *c)
{
	const char *s = c->type.sa_type;
	size_t len = strlen(s);
	int text = c->type.python == PYTYPE_STR || c->type.python == PYTYPE_ENUM;
	int args = len > 2 && s[len - 2] != '(';

	pynames_add(&x->u.mysql, c->type.sa_name);
	if (!text || c->json || (!c->c->charset && !c->c->collation)) {
		strbuf_adds(out, s);
		return;
	}
	strbuf_add(out, s, len - 1);
	if (c->c->charset) {
		strbuf_adds(out, args ? ", charset=" : "charset=");
		pytype_literal(out, c->c->charset);
		args = 1;
	}
	if (c->c->collation) {
		strbuf_adds(out, args ? ", collation=" : "collation=");
		pytype_literal(out, c->c->collation);
	}
	strbuf_adds(out, ")");
}

/* A generated column's Computed(): "AS (expr) VIRTUAL", "GENERATED ALWAYS
 * AS (expr) STORED" or PERSISTENT. */
static void computed(struct table_ctx *x, struct strbuf *out, const char *g)
{
	const char *open = strchr(g, '(');
	size_t len = strlen(g), i, depth = 0, end = 0;
	char *expr;

	if (open == NULL)
		return;
	for (i = (size_t)(open - g); i < len; i++) {
		size_t j = sqltoken_skip_quoted(g, len, i);

		if (j != i) {
			i = j - 1;
			continue;
		}
		if (g[i] == '(')
			depth++;
		else if (g[i] == ')' && --depth == 0) {
			end = i;
			break;
		}
	}
	if (end == 0)
		return;
	pynames_add(&x->u.sqlalchemy, "Computed");
	expr = xstrndup(open + 1, end - (size_t)(open - g) - 1);
	strbuf_adds(out, ", Computed(");
	pysql_text(out, expr);
	strbuf_addf(out, ", persisted=%s)", strstr(g + end, "VIRTUAL") ? "False"
							      : "True");
	free(expr);
}

/* Column(...) of one column of a version. */
static void column(struct table_ctx *x, struct strbuf *out,
		   const struct col *c)
{
	const struct tm_column *tc = c->c;

	pynames_add(&x->u.sqlalchemy, "Column");
	strbuf_adds(out, "Column(");
	pytype_literal(out, tc->name);
	strbuf_adds(out, ", ");
	sa_type(x, out, c);
	if (tc->generated)
		computed(x, out, tc->generated);
	if (c->primary) {
		strbuf_adds(out, ", primary_key=True");
		/* only the integer key the server numbers autoincrements */
		if (c->type.python == PYTYPE_INT || c->type.python == PYTYPE_BOOL)
			strbuf_addf(out, ", autoincrement=%s",
				    tc->auto_increment ? "True" : "False");
	} else if (tc->not_null) {
		strbuf_adds(out, ", nullable=False");
	}
	if ((tc->default_value && strcasecmp(tc->default_value, "NULL") != 0) ||
	    tc->on_update) {
		struct strbuf d = STRBUF_INIT;

		strbuf_adds(&d, tc->default_value ? tc->default_value : "NULL");
		if (tc->on_update)
			strbuf_addf(&d, " ON UPDATE %s", tc->on_update);
		pynames_add(&x->u.sqlalchemy, "text");
		strbuf_adds(out, ", server_default=text(");
		pysql_text(out, d.data);
		strbuf_adds(out, ")");
		strbuf_release(&d);
	}
	if (tc->comment) {
		char *v = unquoted(tc->comment);

		strbuf_adds(out, ", comment=");
		pytype_literal(out, v);
		free(v);
	}
	strbuf_adds(out, ")");
}

/* The Enum classes. */
static void enums(struct table_ctx *x, struct strbuf *out)
{
	size_t i, k;

	for (i = 0; i < x->nenums; i++) {
		const struct enum_class *e = &x->enums[i];
		char **members = xcalloc(e->type->nvalues + 1, sizeof(*members));

		pynames_add(&x->u.enummod, "Enum");
		pyname_attrs((const char *const *)e->type->values,
			     e->type->nvalues, members);
		strbuf_addf(out, "\n\nclass %s(str, Enum):\n    \"\"\"The values of "
			    "`", e->name);
		pydoc_text(out, x->t->table);
		strbuf_adds(out, "`.`");
		pydoc_text(out, e->column);
		strbuf_adds(out, "`.\"\"\"\n\n");
		for (k = 0; k < e->type->nvalues; k++) {
			/* Enum keeps mro and _sunder_ names to itself */
			strbuf_addf(out, "    %s%s = ", members[k],
				    strcmp(members[k], "mro") == 0 ? "_" : "");
			pytype_literal(out, e->type->values[k]);
			strbuf_adds(out, "\n");
			free(members[k]);
		}
		free(members);
	}
}

/* The base model: the safe base's fields, as V1 defines them. */
static void base_model(struct table_ctx *x, struct strbuf *out)
{
	const struct gen_table *t = x->t;
	const struct table_model *m = t->versions[0].model;
	size_t k, n = 0;

	pynames_add(&x->u.sqlmodel, "SQLModel");
	strbuf_addf(out, "\n\nclass %sBase(SQLModel):\n    \"\"\"The columns of `",
		    x->cls);
	pydoc_text(out, t->table);
	strbuf_addf(out, "` that every version defines alike (the safe "
		    "base).\"\"\"\n\n");
	for (k = 0; k < m->ncolumns; k++) {
		const struct col *c = &x->cols[0][k];
		int dflt = has_default(c);

		if (!in_base(t, c->c->name))
			continue;
		n++;
		strbuf_addf(out, "    %s: ", c->attr);
		annotation(x, out, c);
		if (c->type.max_length > 0) {
			pynames_add(&x->u.sqlmodel, "Field");
			strbuf_addf(out, " = Field(%smax_length=%u)\n",
				    dflt ? "default=None, " : "", c->type.max_length);
		} else {
			strbuf_adds(out, dflt ? " = None\n" : "\n");
		}
	}
	if (n == 0)
		strbuf_adds(out, "    pass\n");
}

/* The columns of an index, FK or key list written "(`a`, `b`)" or as
 * parts "`a`(10)": each backticked name, unquoted, into names[0..n). */
static size_t quoted_names(const char *s, char ***names)
{
	size_t len = strlen(s), i, n = 0;

	*names = NULL;
	for (i = 0; i < len; i++) {
		size_t j = sqltoken_skip_quoted(s, len, i);

		if (j == i)
			continue;
		if (s[i] == '`') {
			*names = xrealloc(*names, (n + 1) * sizeof(**names));
			(*names)[n++] = sqltoken_unquote(s + i, j - i);
		}
		i = j - 1;
	}
	return n;
}

static void free_names(char **names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* The action after "ON DELETE " or "ON UPDATE " in an FK's actions, as
 * the SQLAlchemy keyword argument; nothing when absent. */
static void fk_action(struct strbuf *out, const char *actions,
		      const char *on, const char *kwarg)
{
	static const char *const words[] = {
		"CASCADE", "SET NULL", "SET DEFAULT", "RESTRICT", "NO ACTION",
	};
	const char *p = actions ? strstr(actions, on) : NULL;
	size_t i;

	if (p == NULL)
		return;
	p += strlen(on);
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strncmp(p, words[i], strlen(words[i])) == 0) {
			strbuf_addf(out, ", %s='%s'", kwarg, words[i]);
			return;
		}
}

static const struct gen_ref *find_ref(const struct gen_table *t,
				      const char *table)
{
	size_t i;

	for (i = 0; i < t->nrefs; i++)
		if (strcmp(t->refs[i].table, table) == 0)
			return &t->refs[i];
	return NULL;
}

/* ForeignKeyConstraint(...) of version `version`, into *entries; a key to
 * a table without a model of its own is noted, not rendered. */
static void foreign_key(struct table_ctx *x, struct strbuf *entries,
			struct strbuf *body, const struct tm_foreign_key *fk,
			unsigned version)
{
	char **cols, **refcols, **ref;
	size_t ncols = quoted_names(fk->columns, &cols),
	       nrefcols = quoted_names(fk->ref_columns, &refcols),
	       nref = quoted_names(fk->ref_table, &ref), i;
	const struct gen_ref *r = nref == 1 ? find_ref(x->t, ref[0]) : NULL;
	char *target = NULL;

	if (r == NULL) {
		approx(x, body, version, "FOREIGN KEY %s%s%s REFERENCES %s%s: its "
		       "table has no model here (another database, or not in "
		       "the table list)", fk->name ? "`" : "",
		       fk->name ? fk->name : "", fk->name ? "` " : "",
		       fk->ref_table, fk->ref_columns);
		goto done;
	}
	if (r->nversions < version) {
		/* that table has no model of this version number: refer to
		 * the Column of its last (the DDL names only the table) */
		char *cls = pyname_class(r->table);

		target = xasprintf("%sV%u", cls, r->nversions);
		if (strcmp(r->table, x->t->table) != 0)
			pyimports_local(&x->u, r->model_path, target, target);
		free(cls);
	}
	pynames_add(&x->u.sqlalchemy, "ForeignKeyConstraint");
	strbuf_adds(entries, "        ForeignKeyConstraint(\n            [");
	for (i = 0; i < ncols; i++) {
		strbuf_adds(entries, i ? ", " : "");
		pytype_literal(entries, cols[i]);
	}
	strbuf_adds(entries, "],\n            [");
	for (i = 0; i < nrefcols; i++) {
		strbuf_adds(entries, i ? ", " : "");
		if (target != NULL) {
			strbuf_addf(entries, "%s.__table__.c[", target);
			pytype_literal(entries, refcols[i]);
			strbuf_adds(entries, "]");
		} else {
			struct strbuf dotted = STRBUF_INIT;

			strbuf_addf(&dotted, "%s.%s", ref[0], refcols[i]);
			pytype_literal(entries, dotted.data);
			strbuf_release(&dotted);
		}
	}
	strbuf_adds(entries, "],\n            name=");
	pytype_literal(entries, fk->name ? fk->name : "");
	fk_action(entries, fk->actions, "ON DELETE ", "ondelete");
	fk_action(entries, fk->actions, "ON UPDATE ", "onupdate");
	strbuf_adds(entries, ",\n        ),\n");
done:
	free(target);
	free_names(cols, ncols);
	free_names(refcols, nrefcols);
	free_names(ref, nref);
}

/* The index method an index's options name, as mysql_using takes it
 * ("btree", "hash"), or NULL. */
static const char *index_using(const char *options)
{
	if (options != NULL && strstr(options, "USING BTREE"))
		return "btree";
	if (options != NULL && strstr(options, "USING HASH"))
		return "hash";
	return NULL;
}

/* Index(...) of a UNIQUE, KEY, FULLTEXT or SPATIAL index. */
static void index_entry(struct table_ctx *x, struct strbuf *entries,
			struct strbuf *body, const struct tm_index *ix,
			unsigned version)
{
	struct strbuf lengths = STRBUF_INIT;
	const char *o = ix->options;
	size_t k;

	pynames_add(&x->u.sqlalchemy, "Index");
	strbuf_adds(entries, "        Index(");
	pytype_literal(entries, ix->name ? ix->name : "");
	for (k = 0; k < ix->ncolumns; k++) {
		char *name;
		unsigned length;

		strbuf_adds(entries, ", ");
		if (index_part(ix->columns[k], &name, &length)) {
			/* descending: the part as the server wrote it, its
			 * prefix length included ("`c`(10) DESC") */
			pynames_add(&x->u.sqlalchemy, "text");
			strbuf_adds(entries, "text(");
			pysql_text(entries, ix->columns[k]);
			strbuf_adds(entries, ")");
			free(name);
			continue;
		}
		pytype_literal(entries, name);
		if (length > 0) {
			strbuf_adds(&lengths, lengths.len ? ", " : "");
			pytype_literal(&lengths, name);
			strbuf_addf(&lengths, ": %u", length);
		}
		free(name);
	}
	if (ix->kind == TM_UNIQUE)
		strbuf_adds(entries, ", unique=True");
	if (lengths.len > 0)
		strbuf_addf(entries, ", mysql_length={%s}", lengths.data);
	if (ix->kind == TM_FULLTEXT || ix->kind == TM_SPATIAL)
		strbuf_addf(entries, ", mysql_prefix='%s'",
			    ix->kind == TM_FULLTEXT ? "FULLTEXT" : "SPATIAL");
	if (index_using(o) != NULL)
		strbuf_addf(entries, ", mysql_using='%s'", index_using(o));
	if (o != NULL && (strstr(o, "COMMENT") || strstr(o, "KEY_BLOCK_SIZE") ||
			  strstr(o, "PARSER") || strstr(o, "IGNORED")))
		approx(x, body, version, "index options other than USING of "
		       "`%s`: %s", ix->name ? ix->name : "", o);
	strbuf_adds(entries, "),\n");
	strbuf_release(&lengths);
}

/* The primary key, where primary_key=True on its columns cannot say it
 * all: a composite key in an order other than its columns' (the flags
 * give the table's column order), or USING: its own PrimaryKeyConstraint.
 * A prefix length (`token`(191)) SQLAlchemy's constraint cannot hold:
 * noted (and the server refuses a TEXT or BLOB key without one). */
static void primary_key(struct table_ctx *x, struct strbuf *entries,
			struct strbuf *body, const struct tm_index *ix,
			const struct table_model *m, unsigned version)
{
	size_t k, c, last = 0;
	int in_order = 1;
	const char *using = index_using(ix->options);
	char *name;
	unsigned length;

	for (k = 0; k < ix->ncolumns; k++) {
		index_part(ix->columns[k], &name, &length);
		for (c = 0; c < m->ncolumns; c++)
			if (strcmp(m->columns[c].name, name) == 0)
				break;
		in_order &= k == 0 || c > last;
		last = c;
		if (length > 0)
			approx(x, body, version, "the prefix length of `%s` in "
			       "the PRIMARY KEY (%u)", name, length);
		free(name);
	}
	if (in_order && using == NULL)
		return;
	pynames_add(&x->u.sqlalchemy, "PrimaryKeyConstraint");
	strbuf_adds(entries, "        PrimaryKeyConstraint(");
	for (k = 0; k < ix->ncolumns; k++) {
		index_part(ix->columns[k], &name, &length);
		strbuf_adds(entries, k ? ", " : "");
		pytype_literal(entries, name);
		free(name);
	}
	if (using)
		strbuf_addf(entries, ", mysql_using='%s'", using);
	strbuf_adds(entries, "),\n");
}

/* The partitioning after "PARTITION BY", without a version comment
 * around it: SQLAlchemy writes "PARTITION BY " and the value. NULL when
 * the text is not that. Caller frees. */
static char *partition_by(const char *p)
{
	const char *by;
	char *v;
	size_t len;

	by = strstr(p, "PARTITION BY ");
	if (by == NULL)
		return NULL;
	by += strlen("PARTITION BY ");
	v = xstrdup(by);
	len = strlen(v);
	while (len > 0 && (v[len - 1] == ' ' || v[len - 1] == '\n'))
		v[--len] = '\0';
	if (strncmp(p + strspn(p, " \n"), "/*!", 3) == 0 && len >= 2 &&
	    strcmp(v + len - 2, "*/") == 0) {
		len -= 2;
		while (len > 0 && v[len - 1] == ' ')
			len--;
		v[len] = '\0';
	}
	return v;
}

/* The table options as the dialect's keyword arguments, the comment, and
 * the partitioning: the dict that ends __table_args__. */
static void options_dict(struct table_ctx *x, struct strbuf *entries,
			 struct strbuf *body, const struct table_model *m,
			 unsigned version)
{
	struct strbuf d = STRBUF_INIT;
	size_t i;

	for (i = 0; i < m->noptions; i++) {
		const struct tm_option *o = &m->options[i];
		char *p;

		if (strcasecmp(o->name, "AUTO_INCREMENT") == 0)
			continue; /* the counter: noise, as normalization says */
		if (o->value == NULL) {
			approx(x, body, version, "the table option %s", o->name);
			continue;
		}
		if (strcasecmp(o->name, "COMMENT") == 0) {
			char *v = unquoted(o->value);

			strbuf_adds(&d, "            'comment': ");
			pytype_literal(&d, v);
			strbuf_adds(&d, ",\n");
			free(v);
			continue;
		}
		strbuf_adds(&d, "            'mysql_");
		for (p = o->name; *p; p++) {
			char c = *p == ' ' ? '_' : (char)tolower((unsigned char)*p);

			strbuf_add(&d, &c, 1);
		}
		strbuf_adds(&d, "': ");
		pytype_literal(&d, o->value);
		strbuf_adds(&d, ",\n");
	}
	if (m->partition != NULL) {
		char *by = partition_by(m->partition);

		if (by != NULL) {
			strbuf_adds(&d, "            'mysql_partition_by': ");
			pytype_literal(&d, by);
			strbuf_adds(&d, ",\n");
			free(by);
		} else {
			approx(x, body, version, "the partitioning %s", m->partition);
		}
	}
	if (d.len > 0)
		strbuf_addf(entries, "        {\n%s        },\n", d.data);
	strbuf_release(&d);
}

/* The clauses of a column that Column() has no argument for (INVISIBLE,
 * an inline CHECK other than JSON's, SRID, ...): noted, never dropped
 * unseen. */
static void column_clauses_not_kept(struct table_ctx *x, struct strbuf *out,
				    unsigned version, const struct tm_column *c)
{
	size_t i;

	for (i = 1; i < c->nclauses; i++)
		if (!tablemodel_clause_in_fields(c->clauses[i]) &&
		    !sqlmodel_json_clause(c, i))
			approx(x, out, version, "column `%s`: %s", c->name,
			       c->clauses[i]);
}

/* __table_args__ of version j, and notes for what it cannot say. */
static void table_args(struct table_ctx *x, struct strbuf *out, size_t j)
{
	const struct table_model *m = x->t->versions[j].model;
	unsigned version = x->t->versions[j].number;
	struct strbuf entries = STRBUF_INIT;
	size_t i;

	for (i = 0; i < m->nindexes; i++) {
		if (m->indexes[i].kind == TM_PRIMARY)
			primary_key(x, &entries, out, &m->indexes[i], m,
				    version);
		else
			index_entry(x, &entries, out, &m->indexes[i], version);
	}
	for (i = 0; i < m->nfks; i++)
		foreign_key(x, &entries, out, &m->fks[i], version);
	for (i = 0; i < m->nchecks; i++) {
		const struct tm_check *ck = &m->checks[i];
		const char *e = ck->expression;
		size_t len = strlen(e);
		char *inner;

		/* the JSON type brings its own json_valid check */
		if (ck->name && sqlmodel_json_check(m, ck->name) == ck &&
		    tablemodel_column(m, ck->name) != NULL)
			continue;
		inner = len >= 2 && e[0] == '(' && e[len - 1] == ')'
			? xstrndup(e + 1, len - 2) : xstrdup(e);
		pynames_add(&x->u.sqlalchemy, "CheckConstraint");
		pynames_add(&x->u.sqlalchemy, "text");
		strbuf_adds(&entries, "        CheckConstraint(text(");
		pysql_text(&entries, inner);
		strbuf_adds(&entries, ")");
		if (ck->name) {
			strbuf_adds(&entries, ", name=");
			pytype_literal(&entries, ck->name);
		}
		strbuf_adds(&entries, "),\n");
		free(inner);
	}
	for (i = 0; i < m->nperiods; i++)
		approx(x, out, version, "PERIOD FOR %s",
		       m->periods[i].name ? m->periods[i].name : "SYSTEM_TIME");
	for (i = 0; i < m->nunparsed; i++)
		approx(x, out, version, "%s", m->unparsed[i]);
	for (i = 0; i < m->ncolumns; i++)
		if (m->columns[i].auto_increment &&
		    !is_primary(m, m->columns[i].name))
			approx(x, out, version, "AUTO_INCREMENT of `%s`, not the "
			       "primary key", m->columns[i].name);
	for (i = 0; i < m->ncolumns; i++)
		column_clauses_not_kept(x, out, version, &m->columns[i]);
	options_dict(x, &entries, out, m, version);
	if (entries.len > 0)
		strbuf_addf(out, "    __table_args__ = (\n%s    )\n", entries.data);
	strbuf_release(&entries);
}

/* The columns SQLAlchemy identifies the rows of a table without a primary
 * key by (its mapper needs some): those of the first unique key whose
 * columns are all NOT NULL and whole (no prefix), else every column. The
 * table itself keeps no primary key, so create_all gives it none. */
static void mapper_identity(struct table_ctx *x, struct strbuf *out,
			    const struct table_model *m)
{
	const struct tm_index *key = NULL;
	size_t i, k;

	for (i = 0; i < m->nindexes && key == NULL; i++) {
		const struct tm_index *ix = &m->indexes[i];
		int whole = ix->kind == TM_UNIQUE;

		for (k = 0; k < ix->ncolumns && whole; k++) {
			const struct tm_column *c;
			unsigned len;
			char *n;

			index_part(ix->columns[k], &n, &len);
			c = tablemodel_column(m, n);
			whole = c != NULL && c->not_null && len == 0;
			free(n);
		}
		if (whole)
			key = ix;
	}
	pynames_add(&x->u.orm, "declared_attr");
	strbuf_addf(out, "\n    # no primary key: SQLAlchemy tells rows apart by %s "
		    "(rows equal there\n    # are one object in a Session); "
		    "the table itself keeps none\n", key ? "its unique key"
							  : "every column");
	strbuf_adds(out, "    @declared_attr\n    def __mapper_args__(cls):\n"
		    "        c = cls.__table__.c\n        return {'primary_key': (");
	for (k = 0; k < (key ? key->ncolumns : m->ncolumns); k++) {
		char *n = NULL;
		unsigned len;

		if (key)
			index_part(key->columns[k], &n, &len);
		strbuf_adds(out, k ? ", c[" : "c[");
		pytype_literal(out, key ? n : m->columns[k].name);
		strbuf_adds(out, "]");
		free(n);
	}
	strbuf_adds(out, k == 1 ? ",)}\n" : ")}\n");
}

/* One version's table model. */
static void version_model(struct table_ctx *x, struct strbuf *out, size_t j)
{
	const struct gen_version *v = &x->t->versions[j];
	const struct table_model *m = v->model;
	struct strbuf args = STRBUF_INIT;
	size_t k;
	int has_key = 0;

	strbuf_addf(out, "\n\nclass %sV%u(%sBase, V%uModel, table=True):\n"
		    "    \"\"\"`", x->cls, v->number, x->cls, v->number);
	pydoc_text(out, x->t->table);
	strbuf_addf(out, "` V%u, as ", v->number);
	for (k = 0; k < v->nenvs; k++) {
		strbuf_adds(out, k == 0 ? "" : k + 1 == v->nenvs ? " and " : ", ");
		pydoc_text(out, v->envs[k]);
	}
	strbuf_addf(out, " %s it.\"\"\"\n\n    __tablename__ = ",
		    v->nenvs == 1 ? "has" : "have");
	pytype_literal(out, x->t->table);
	strbuf_adds(out, "\n");
	table_args(x, &args, j);
	strbuf_adds(out, args.data ? args.data : "");
	strbuf_release(&args);
	for (k = 0; k < m->ncolumns; k++) {
		const struct col *c = &x->cols[j][k];

		has_key |= c->primary;
		pynames_add(&x->u.sqlmodel, "Field");
		strbuf_addf(out, "\n    %s: ", c->attr);
		annotation(x, out, c);
		strbuf_adds(out, " = Field(\n");
		if (has_default(c))
			strbuf_adds(out, "        default=None,\n");
		if (c->type.max_length > 0)
			strbuf_addf(out, "        max_length=%u,\n", c->type.max_length);
		strbuf_adds(out, "        sa_column=");
		column(x, out, c);
		strbuf_adds(out, ",\n    )\n");
	}
	if (!has_key)
		mapper_identity(x, out, m);
}

int sqlmodel_model(const struct gen_table *t, struct strbuf *out,
		 struct strbuf *notes, struct strbuf *err)
{
	struct table_ctx x;
	struct strbuf body = STRBUF_INIT, regs = STRBUF_INIT;
	char *module;
	size_t j, k;

	memset(&x, 0, sizeof(x));
	x.t = t;
	x.notes = notes;
	if (prepare(&x, err) != 0) {
		release_ctx(&x);
		return -EINVAL;
	}
	enums(&x, &body);
	base_model(&x, &body);
	for (j = 0; j < t->nversions; j++)
		version_model(&x, &body, j);
	strbuf_adds(&body, "\n\n# every version, V1 first\nVERSIONS = (");
	for (j = 0; j < t->nversions; j++)
		strbuf_addf(&body, "%s%sV%zu", j ? ", " : "", x.cls, j + 1);
	pytuple_end(&body, t->nversions);

	sqlmodel_header(out);
	strbuf_adds(out, "\"\"\"`");
	pydoc_text(out, t->database);
	strbuf_adds(out, "`.`");
	pydoc_text(out, t->table);
	strbuf_addf(out, "`: %zu version%s.\n\n", t->nversions,
		    t->nversions == 1 ? "" : "s");
	for (j = 0; j < t->nversions; j++) {
		strbuf_addf(out, "V%u:", t->versions[j].number);
		for (k = 0; k < t->versions[j].nenvs; k++) {
			strbuf_adds(out, " ");
			pydoc_text(out, t->versions[j].envs[k]);
		}
		strbuf_adds(out, "\n");
	}
	strbuf_adds(out, "\"\"\"\n");
	/* the registries, in one statement */
	module = pymodule_name(t->registries_path);
	for (j = 0; j < t->nversions; j++)
		strbuf_addf(&regs, "%sV%zuModel", j ? ", " : "", j + 1);
	if (pymodule_plain(module)) {
		strbuf_addf(&x.u.local, "from %s import %s\n", module, regs.data);
	} else {
		x.u.importlib = 1;
		strbuf_adds(&x.u.local, "_registries = importlib.import_module(");
		pytype_literal(&x.u.local, module);
		strbuf_adds(&x.u.local, ")\n");
		for (j = 0; j < t->nversions; j++)
			strbuf_addf(&x.u.local, "V%zuModel = _registries.V%zuModel\n",
				    j + 1, j + 1);
	}
	free(module);
	strbuf_release(&regs);
	pyimports_write(out, &x.u);
	strbuf_adds(out, body.data);
	strbuf_release(&body);
	release_ctx(&x);
	return 0;
}
