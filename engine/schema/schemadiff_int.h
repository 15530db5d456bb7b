/*
 * schemadiff_int: what the files of the schema diff share. Private to
 * engine/schema/schemadiff*.c.
 *
 *   schemadiff.c         the rule table, the change list, the table as a
 *                        whole (options, partitioning, unparsed lines) and
 *                        the order in which parts are compared
 *   schemadiff_type.c    a column type change judged by family
 *   schemadiff_column.c  columns: matched by name, field by field, order
 *   schemadiff_keys.c    indexes, foreign keys, checks, periods
 *
 * Every change goes through schemadiff_add, so its severity is always the
 * rule table's. Changes are reported in a fixed order (columns, indexes,
 * foreign keys, checks, periods, options, partitioning, unparsed lines,
 * index order); callers and tests rely on it (sync versions takes every
 * kind from DIFF_INDEX_ADDED on for not being about columns).
 */
#ifndef RHIZOME_SCHEMADIFF_INT_H
#define RHIZOME_SCHEMADIFF_INT_H

#include "engine/schema/schemadiff.h"
#include "engine/schema/tablemodel.h"

/* Append one change to *d with the rule table's severity, raising d->max.
 * object, from and to (each may be NULL) are copied. Aborts on
 * exhaustion. Thread-safe (on distinct d). */
void schemadiff_add(struct schema_diff *d, enum diff_kind kind,
		    const char *object, const char *from, const char *to);

/* Whether two strings, either possibly NULL, are equal. Thread-safe. */
int schemadiff_same(const char *a, const char *b);

/* The table option named `name` (case-insensitively) of m, or NULL (also
 * for m NULL). Points into m. Thread-safe. */
const struct tm_option *schemadiff_find_option(const struct table_model *m,
					       const char *name);

/* ---- schemadiff_type.c */

/* The kind of the change from type `a` to type `b` (which differ), or
 * DIFF_KIND_COUNT when o declares the difference noise (int widths).
 * Thread-safe. */
enum diff_kind schemadiff_type_change(const char *a, const char *b,
				      const struct diff_opts *o);

/* "int(11) unsigned" -> "int unsigned"; other types copied unchanged.
 * Caller frees; aborts on exhaustion. Thread-safe. */
char *schemadiff_strip_int_width(const char *type);

/* Whether a type holds text, and so has a character set. Thread-safe. */
int schemadiff_textual(const char *type);

/* ---- schemadiff_column.c */

/* Columns removed, changed and added, then a change of their order.
 * Thread-safe. */
void schemadiff_compare_columns(const struct table_model *a,
				const struct table_model *b,
				const struct diff_opts *o, struct schema_diff *d);

/* ---- schemadiff_keys.c */

/* Indexes, foreign keys and checks, each matched by name (PRIMARY by
 * kind). Thread-safe. */
void schemadiff_compare_indexes(const struct table_model *a,
				const struct table_model *b,
				struct schema_diff *d);
void schemadiff_compare_fks(const struct table_model *a,
			    const struct table_model *b, struct schema_diff *d);
void schemadiff_compare_checks(const struct table_model *a,
			       const struct table_model *b,
			       struct schema_diff *d);

/* PERIOD FOR clauses, matched by name (SYSTEM_TIME by kind), compared as
 * the text the model renders for them. Thread-safe. */
void schemadiff_compare_periods(const struct table_model *a,
				const struct table_model *b,
				struct schema_diff *d);

/* The same indexes on both sides, in another order: one change. The
 * caller skips it when ignore_index_order is set. Thread-safe. */
void schemadiff_compare_index_order(const struct table_model *a,
				    const struct table_model *b,
				    struct schema_diff *d);

#endif
