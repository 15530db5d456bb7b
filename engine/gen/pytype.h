/*
 * pytype: a column's type as SHOW CREATE TABLE writes it ("bigint(20)
 * unsigned", "decimal(19,4)", "enum('debit','credit')"), as the generated
 * SQLModel code must spell it (issue 16, `rhizome gen models`):
 *
 *   - the SQLAlchemy MySQL dialect type that keeps the server's definition
 *     (`BIGINT(display_width=20, unsigned=True)`, `DECIMAL(19, 4)`,
 *     `ENUM('debit', 'credit')`), a Python expression;
 *   - the Python annotation of the field, following the seeds' mapping:
 *     int, str (with a max_length for CHAR/VARCHAR), Decimal, datetime,
 *     date, time, bool for tinyint(1), bytes for binary types; an ENUM's
 *     is the str Enum class the caller names (PYTYPE_ENUM).
 *
 * Pure functions of their text: thread-safe. Out of memory aborts
 * (engine/base/alloc.h). Errors: -EINVAL for a type it does not know, so
 * the caller can name the column (never a silent fallback to a string).
 */
#ifndef RHIZOME_PYTYPE_H
#define RHIZOME_PYTYPE_H

#include <stddef.h>

/* The Python side of a field. */
enum pytype_python {
	PYTYPE_INT, PYTYPE_FLOAT, PYTYPE_DECIMAL, PYTYPE_STR, PYTYPE_BOOL,
	PYTYPE_BYTES, PYTYPE_DATETIME, PYTYPE_DATE, PYTYPE_TIME,
	PYTYPE_ENUM,            /* a str Enum class of `values` */
	PYTYPE_JSON,            /* Any: what the JSON text decodes to, as
				 * SQLAlchemy's JSON type reads it */
};

struct pytype {
	char *sa_type;          /* owned: the dialect type, a Python
				 * expression */
	const char *sa_name;    /* static: its name, to import from
				 * sqlalchemy.dialects.mysql ("BIGINT") */
	enum pytype_python python;
	unsigned max_length;    /* PYTYPE_STR: CHAR/VARCHAR's length; 0: none */
	char **values;          /* owned: ENUM's and SET's values, unquoted */
	size_t nvalues;
};

/*
 * The types of column type text `sql` (borrowed) into *t (zeroed first;
 * release with pytype_release whatever the result). `json`: the column
 * holds JSON (MariaDB writes JSON as longtext with a json_valid CHECK):
 * its type is then JSON, its annotation PYTYPE_JSON (the data files hold
 * the text; the emplacements decode it).
 * Returns 0, or -EINVAL for a type this does not know (*t empty).
 */
int pytype_of(const char *sql, int json, struct pytype *t);
void pytype_release(struct pytype *t);

/* Whether `name` is a dialect type's name the generated code may import
 * ("INTEGER", "VARCHAR", "JSON", ...). */
int pytype_is_sa_name(const char *name);

/* The annotation's Python name: "int", "Decimal", "datetime", "Any"...;
 * NULL for PYTYPE_ENUM (the caller's class). */
const char *pytype_python_name(enum pytype_python p);

/*
 * Append `s` (UTF-8, borrowed) to *out as a Python string literal, quoted
 * as repr() does (single quotes, double ones for a text holding ' and
 * no "): backslash, that quote and control characters escaped, other
 * characters as they are (Python 3 reads its source as UTF-8).
 */
struct strbuf;
void pytype_literal(struct strbuf *out, const char *s);

/* The inside of such a literal, or of a docstring: backslash, `quote` and
 * control characters escaped. */
void pytype_escaped(struct strbuf *out, const char *s, char quote);

#endif
