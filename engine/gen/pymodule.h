/*
 * pymodule: what every generated Python module needs, whatever it holds:
 * its imports gathered while its body is written (then written above it,
 * in isort's order: standard library, third party, generated modules),
 * module names from file paths, docstring text and SQL for text().
 *
 * A struct has one owner; the functions are thread-safe for different
 * structs. Out of memory aborts (engine/base/alloc.h).
 */
#ifndef RHIZOME_PYMODULE_H
#define RHIZOME_PYMODULE_H

#include <stddef.h>

#include "engine/base/strbuf.h"

/* A set of names, kept sorted: what a module imports from one place. */
struct pynames {
	char **v;
	size_t n;
};

/* What a module's body uses, by where it comes from. */
struct pyimports {
	struct pynames typing, datetime, decimal, enummod, pathlib, sqlalchemy,
		     orm, mysql, sqlmodel, stdlib;
	struct strbuf local;    /* imports of generated modules, in order */
	int importlib;
};

/* Add `name` to the set (copied), once. */
void pynames_add(struct pynames *s, const char *name);
void pynames_release(struct pynames *s);

void pyimports_release(struct pyimports *u);

/* The dotted module name of generated file `path` ("a/b.py": "a.b").
 * Caller frees. */
char *pymodule_name(const char *path);

/* Whether every part of a dotted module name can stand in an import
 * statement (identifiers, no keyword). */
int pymodule_plain(const char *module);

/* Bind `alias` to `name` of the module of file `path` (name NULL: the
 * module itself), in u->local: `from a.b import X`, or importlib where a
 * part of the path is no identifier. */
void pyimports_local(struct pyimports *u, const char *path, const char *name,
		     const char *alias);

/* Append the imports of `u`. */
void pyimports_write(struct strbuf *out, const struct pyimports *u);

/* Append `s` as docstring text: backslashes and double quotes escaped,
 * control characters as \xNN (names come from servers). */
void pydoc_text(struct strbuf *out, const char *s);

/* Close a tuple literal of n items, and its line. */
void pytuple_end(struct strbuf *out, size_t n);

/* Append SQL as the Python literal text() takes: a colon, which text()
 * would read as a bind parameter, escaped. */
void pysql_text(struct strbuf *out, const char *sql);

#endif
