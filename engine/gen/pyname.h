/*
 * pyname: names a generated Python module can use for a table's columns
 * and classes (issue 16, `rhizome gen models`).
 *
 * A column's name may be anything the server allows: a Python keyword
 * (`class`, `from`), an attribute SQLModel or pydantic already has
 * (`metadata`, `json`, `dict`, `validate`, ...), a name the generated
 * module imports (`text`, `date`, `Column`, `INTEGER`, ...), a name that is no
 * identifier at all (`2fa`, `unit price`, `café` is fine), or one that
 * pydantic would take as private (a leading underscore). The attribute
 * gets a safe name and the generated Field keeps the real column name
 * (Column("class", ...)), so the table is the server's either way.
 *
 * Pure functions: thread-safe. Out of memory aborts (engine/base/alloc.h).
 */
#ifndef RHIZOME_PYNAME_H
#define RHIZOME_PYNAME_H

#include <stddef.h>

/* Whether `name` can be a part of a dotted module name in an import
 * statement: an identifier, not a keyword. */
int pyname_module_ok(const char *name);

/* Whether `name` can stand as a field of a SQLModel class as it is. */
int pyname_attr_ok(const char *name);

/*
 * Safe attribute names for the columns names[0..n) of one table, into
 * attrs[0..n) (each new, caller frees): the name itself where
 * pyname_attr_ok, else a safe form (a keyword or a taken attribute gets a
 * trailing '_': `class_`, `metadata_`; anything not [A-Za-z0-9_] becomes
 * '_'; a leading digit or underscore gets a `c_` prefix), made unique
 * within the table by `_2`, `_3`, ... in column order.
 */
void pyname_attrs(const char *const *names, size_t n, char **attrs);

/* The class name of table `table`: CamelCase of its words
 * (`journal_entry` -> `JournalEntry`), safe as above (a leading digit
 * gets `T`). Caller frees. */
char *pyname_class(const char *table);

#endif
