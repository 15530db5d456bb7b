/*
 * schemadiff: what changed between two versions of a table, each change
 * with a severity.
 *
 * The severity rules live in one table (schemadiff.c, `rules`), listed in
 * the README: critical (table removed), high (column removed, type
 * narrowed or changed in kind, nullability tightened, enum/set value
 * removed), medium (column or table added, index or key changed, type
 * widened, enum/set value added or reordered, charset or collation, generated
 * expression, a PERIOD FOR added, removed or changed, partitioning), low
 * (comment, default, table options other than AUTO_INCREMENT, which is
 * never a change).
 */
#ifndef RHIZOME_SCHEMADIFF_H
#define RHIZOME_SCHEMADIFF_H

#include <stddef.h>

#include <jansson.h>

#include "engine/schema/tablemodel.h"

enum diff_severity { SEV_NONE, SEV_LOW, SEV_MEDIUM, SEV_HIGH, SEV_CRITICAL };

enum diff_kind {
	DIFF_TABLE_ADDED, DIFF_TABLE_REMOVED,
	DIFF_COLUMN_ADDED, DIFF_COLUMN_REMOVED, DIFF_COLUMN_MOVED,
	DIFF_TYPE_NARROWED, DIFF_TYPE_WIDENED, DIFF_TYPE_CHANGED,
	DIFF_NULL_TIGHTENED, DIFF_NULL_LOOSENED,
	DIFF_ENUM_VALUE_REMOVED, DIFF_ENUM_VALUE_ADDED, DIFF_ENUM_REORDERED,
	DIFF_DEFAULT_CHANGED, DIFF_COMMENT_CHANGED, DIFF_CHARSET_CHANGED,
	DIFF_GENERATED_CHANGED, DIFF_ATTRIBUTE_CHANGED,
	DIFF_INDEX_ADDED, DIFF_INDEX_REMOVED, DIFF_INDEX_CHANGED,
	DIFF_FK_ADDED, DIFF_FK_REMOVED, DIFF_FK_CHANGED,
	DIFF_CHECK_CHANGED,
	DIFF_PERIOD_ADDED, DIFF_PERIOD_REMOVED, DIFF_PERIOD_CHANGED,
	DIFF_OPTION_CHANGED, DIFF_PARTITION_CHANGED,
	DIFF_UNPARSED_CHANGED, DIFF_TEXT_CHANGED,
	DIFF_KIND_COUNT
};

struct diff_change {
	enum diff_kind kind;
	enum diff_severity severity;
	char *object;           /* column, index, key, period or option name
				 * ("SYSTEM_TIME" for that period), or NULL */
	char *from;             /* the old text, or NULL */
	char *to;               /* the new text, or NULL */
};

struct schema_diff {
	struct diff_change *changes;
	size_t n;
	enum diff_severity max;
};

/* Cosmetic noise to ignore (all off by default). */
struct diff_opts {
	int ignore_int_width;       /* int(11) = int */
	int utf8_is_utf8mb3;        /* utf8 = utf8mb3 */
	int ignore_default_charset; /* a column charset/collation equal to
				     * the table's default */
	int ignore_index_order;     /* the same indexes in another order */
};

/*
 * Compare `from` (the committed version) with `to` (the live one); either
 * may be NULL for a table that does not exist on that side. Fills *d
 * (zeroed first). Returns 0. Thread-safe.
 */
int schemadiff_compare(const struct table_model *from,
		       const struct table_model *to,
		       const struct diff_opts *opts, struct schema_diff *d);

/*
 * Compare two CREATE TABLE texts (a snapshot's, with or without ";\n"):
 * parse both and compare the models; when they differ beyond
 * AUTO_INCREMENT and no part of the models says how (a line the parser
 * cannot read, an order of keys), one "definition changed" change is
 * reported, so no textual drift passes unseen, unless a noise option is
 * on and both parsed whole. Fills *d. Returns 0. Thread-safe.
 */
int schemadiff_compare_text(const char *from, size_t from_len, const char *to,
			    size_t to_len, const struct diff_opts *opts,
			    struct schema_diff *d);

void schemadiff_release(struct schema_diff *d);

/* The changes as a JSON array of {change, severity, object, from, to}
 * (new reference). Thread-safe. */
json_t *schemadiff_json(const struct schema_diff *d);

/* "critical", "high", "medium", "low", "none". */
const char *schemadiff_severity_name(enum diff_severity s);

/* A short phrase for the kind: "column removed", "type narrowed"... */
const char *schemadiff_kind_name(enum diff_kind k);

/* The severity the rule table gives a kind. */
enum diff_severity schemadiff_severity_of(enum diff_kind k);

#endif
