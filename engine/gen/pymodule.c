/*
 * Imports are gathered while a body is written and written above it, in
 * isort's order, so a module imports exactly what it uses.
 */
#include "engine/gen/pymodule.h"

#include <stdlib.h>
#include <string.h>

#include "engine/base/alloc.h"
#include "engine/base/strsort.h"
#include "engine/gen/pyname.h"
#include "engine/gen/pytype.h"

void pynames_add(struct pynames *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->v[i], name) == 0)
			return;
	s->v = xrealloc(s->v, (s->n + 1) * sizeof(*s->v));
	s->v[s->n++] = xstrdup(name);
	qsort(s->v, s->n, sizeof(*s->v), strsort_compare);
}

void pynames_release(struct pynames *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

/* "from MODULE import A, B" for a set, wrapped as black would. */
static void import_names(struct strbuf *out, const char *module,
			 const struct pynames *s)
{
	size_t i, width;

	if (s->n == 0)
		return;
	width = strlen("from  import ") + strlen(module);
	for (i = 0; i < s->n; i++)
		width += strlen(s->v[i]) + 2;
	if (width <= 80) {
		strbuf_addf(out, "from %s import ", module);
		for (i = 0; i < s->n; i++)
			strbuf_addf(out, "%s%s", i ? ", " : "", s->v[i]);
		strbuf_adds(out, "\n");
		return;
	}
	strbuf_addf(out, "from %s import (\n", module);
	for (i = 0; i < s->n; i++)
		strbuf_addf(out, "    %s,\n", s->v[i]);
	strbuf_adds(out, ")\n");
}

void pyimports_release(struct pyimports *u)
{
	pynames_release(&u->typing);
	pynames_release(&u->orm);
	pynames_release(&u->datetime);
	pynames_release(&u->decimal);
	pynames_release(&u->enummod);
	pynames_release(&u->pathlib);
	pynames_release(&u->sqlalchemy);
	pynames_release(&u->mysql);
	pynames_release(&u->sqlmodel);
	pynames_release(&u->stdlib);
	strbuf_release(&u->local);
}

/* The dotted module name of generated file `path` ("a/b.py"). */
char *pymodule_name(const char *path)
{
	size_t len = strlen(path);
	char *m, *p;

	if (len > 3 && strcmp(path + len - 3, ".py") == 0)
		len -= 3;
	m = xstrndup(path, len);
	for (p = m; *p; p++)
		if (*p == '/')
			*p = '.';
	return m;
}

/* Whether every part of a dotted module name can stand in an import
 * statement. */
int pymodule_plain(const char *module)
{
	char *copy = xstrdup(module), *part, *save = NULL;
	int ok = 1;

	for (part = strtok_r(copy, ".", &save); part && ok;
	     part = strtok_r(NULL, ".", &save))
		ok = pyname_module_ok(part);
	free(copy);
	return ok && module[0] != '\0';
}

/* Bind `alias` to `name` of the module of `path` (name NULL: the module
 * itself) in the local imports. */
void pyimports_local(struct pyimports *u, const char *path, const char *name,
			 const char *alias)
{
	char *module = pymodule_name(path);
	const char *dot = strrchr(module, '.');
	int plain = pymodule_plain(module);

	if (plain && (name != NULL || dot != NULL)) {
		if (name != NULL)
			strbuf_addf(&u->local, "from %s import %s", module, name);
		else
			strbuf_addf(&u->local, "from %.*s import %s",
				    (int)(dot - module), module, dot + 1);
		if (strcmp(alias, name ? name : dot + 1) != 0)
			strbuf_addf(&u->local, " as %s", alias);
		strbuf_adds(&u->local, "\n");
	} else if (plain) {
		strbuf_addf(&u->local, "import %s", module);
		if (strcmp(alias, module) != 0)
			strbuf_addf(&u->local, " as %s", alias);
		strbuf_adds(&u->local, "\n");
	} else {
		/* a path part is no identifier: importlib takes any name */
		u->importlib = 1;
		strbuf_addf(&u->local, "%s = importlib.import_module(", alias);
		pytype_literal(&u->local, module);
		strbuf_addf(&u->local, ")%s%s\n", name ? "." : "", name ? name : "");
	}
	free(module);
}

/* The imports of `u`, in isort's order: standard library, third party,
 * the generated modules. */
void pyimports_write(struct strbuf *out, const struct pyimports *u)
{
	size_t i, start = out->len;

	if (u->importlib)
		strbuf_adds(out, "import importlib\n");
	for (i = 0; i < u->stdlib.n; i++)
		strbuf_addf(out, "import %s\n", u->stdlib.v[i]);
	import_names(out, "datetime", &u->datetime);
	import_names(out, "decimal", &u->decimal);
	import_names(out, "enum", &u->enummod);
	import_names(out, "pathlib", &u->pathlib);
	import_names(out, "typing", &u->typing);
	if (out->len > start &&
	    (u->sqlalchemy.n || u->mysql.n || u->orm.n || u->sqlmodel.n))
		strbuf_adds(out, "\n");
	import_names(out, "sqlalchemy", &u->sqlalchemy);
	import_names(out, "sqlalchemy.dialects.mysql", &u->mysql);
	import_names(out, "sqlalchemy.orm", &u->orm);
	import_names(out, "sqlmodel", &u->sqlmodel);
	if (u->local.len > 0 && out->len > start)
		strbuf_adds(out, "\n");
	if (u->local.len > 0)
		strbuf_adds(out, u->local.data);
}

/* A docstring line's text: backslashes and double quotes escaped, control
 * characters as \xNN (names come from servers). */
void pydoc_text(struct strbuf *out, const char *s)
{
	pytype_escaped(out, s, '"');
}

void pytuple_end(struct strbuf *out, size_t n)
{
	/* (x) is x, not a tuple: one item needs its comma */
	strbuf_adds(out, n == 1 ? ",)\n" : ")\n");
}

/* SQL for text(): a colon that would read as a bind parameter is
 * escaped, as text() wants it. */
void pysql_text(struct strbuf *out, const char *sql)
{
	struct strbuf sb = STRBUF_INIT;

	for (; *sql; sql++) {
		if (*sql == ':')
			strbuf_add(&sb, "\\", 1);
		strbuf_add(&sb, sql, 1);
	}
	strbuf_adds(&sb, "");
	pytype_literal(out, sb.data);
	strbuf_release(&sb);
}
