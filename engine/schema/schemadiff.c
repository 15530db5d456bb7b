/*
 * A diff is a list of changes, each with the severity the rule table below
 * gives its kind. Columns, indexes, keys and checks are matched by name
 * (schemadiff_column.c, schemadiff_keys.c, the type rules in
 * schemadiff_type.c); the table options here, by option name
 * (AUTO_INCREMENT never counts: it moves with every insert), then the
 * partition clause and the lines the parser could not read, as text.
 */
#include "engine/schema/schemadiff.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine/base/alloc.h"
#include "engine/base/jsontext.h"
#include "engine/schema/normalize.h"
#include "engine/schema/schemadiff_int.h"

/* The severity rules: one row per kind of change. */
static const struct {
	const char *name;
	enum diff_severity severity;
} rules[DIFF_KIND_COUNT] = {
	[DIFF_TABLE_ADDED] = { "table added", SEV_MEDIUM },
	[DIFF_TABLE_REMOVED] = { "table removed", SEV_CRITICAL },
	[DIFF_COLUMN_ADDED] = { "column added", SEV_MEDIUM },
	[DIFF_COLUMN_REMOVED] = { "column removed", SEV_HIGH },
	[DIFF_COLUMN_MOVED] = { "column order changed", SEV_MEDIUM },
	[DIFF_TYPE_NARROWED] = { "type narrowed", SEV_HIGH },
	[DIFF_TYPE_WIDENED] = { "type widened", SEV_MEDIUM },
	[DIFF_TYPE_CHANGED] = { "type changed", SEV_HIGH },
	[DIFF_NULL_TIGHTENED] = { "nullability tightened", SEV_HIGH },
	[DIFF_NULL_LOOSENED] = { "nullability loosened", SEV_MEDIUM },
	[DIFF_ENUM_VALUE_REMOVED] = { "enum value removed", SEV_HIGH },
	[DIFF_ENUM_VALUE_ADDED] = { "enum value added", SEV_MEDIUM },
	[DIFF_ENUM_REORDERED] = { "enum values reordered", SEV_MEDIUM },
	[DIFF_DEFAULT_CHANGED] = { "default changed", SEV_LOW },
	[DIFF_COMMENT_CHANGED] = { "comment changed", SEV_LOW },
	[DIFF_CHARSET_CHANGED] = { "charset or collation changed", SEV_MEDIUM },
	[DIFF_GENERATED_CHANGED] = { "generated expression changed", SEV_MEDIUM },
	[DIFF_ATTRIBUTE_CHANGED] = { "column attribute changed", SEV_MEDIUM },
	[DIFF_INDEX_ADDED] = { "index added", SEV_MEDIUM },
	[DIFF_INDEX_REMOVED] = { "index removed", SEV_MEDIUM },
	[DIFF_INDEX_CHANGED] = { "index changed", SEV_MEDIUM },
	[DIFF_FK_ADDED] = { "foreign key added", SEV_MEDIUM },
	[DIFF_FK_REMOVED] = { "foreign key removed", SEV_MEDIUM },
	[DIFF_FK_CHANGED] = { "foreign key changed", SEV_MEDIUM },
	[DIFF_CHECK_CHANGED] = { "check constraint changed", SEV_MEDIUM },
	/* a period is a table-level definition the way a key is: queries
	 * that name it (FOR PORTION OF p, FOR SYSTEM_TIME AS OF) and keys
	 * WITHOUT OVERLAPS depend on it, no row changes with it */
	[DIFF_PERIOD_ADDED] = { "period added", SEV_MEDIUM },
	[DIFF_PERIOD_REMOVED] = { "period removed", SEV_MEDIUM },
	[DIFF_PERIOD_CHANGED] = { "period changed", SEV_MEDIUM },
	[DIFF_OPTION_CHANGED] = { "table option changed", SEV_LOW },
	[DIFF_PARTITION_CHANGED] = { "partitioning changed", SEV_MEDIUM },
	[DIFF_UNPARSED_CHANGED] = { "definition not understood changed", SEV_MEDIUM },
	[DIFF_TEXT_CHANGED] = { "definition changed", SEV_MEDIUM },
};

const char *schemadiff_kind_name(enum diff_kind k)
{
	return rules[k].name;
}

enum diff_severity schemadiff_severity_of(enum diff_kind k)
{
	return rules[k].severity;
}

const char *schemadiff_severity_name(enum diff_severity s)
{
	static const char *const names[] = { "none", "low", "medium", "high",
					      "critical" };

	return names[s];
}

static char *dup_or_null(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

void schemadiff_add(struct schema_diff *d, enum diff_kind kind,
		    const char *object, const char *from, const char *to)
{
	struct diff_change *c;

	d->changes = xrealloc(d->changes, (d->n + 1) * sizeof(*d->changes));
	c = &d->changes[d->n++];
	c->kind = kind;
	c->severity = rules[kind].severity;
	c->object = dup_or_null(object);
	c->from = dup_or_null(from);
	c->to = dup_or_null(to);
	if (c->severity > d->max)
		d->max = c->severity;
}

int schemadiff_same(const char *a, const char *b)
{
	return (a == NULL && b == NULL) ||
	       (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* ---- the table as a whole ----------------------------------------------- */

const struct tm_option *schemadiff_find_option(const struct table_model *m,
					       const char *name)
{
	size_t i;

	for (i = 0; m != NULL && i < m->noptions; i++)
		if (strcasecmp(m->options[i].name, name) == 0)
			return &m->options[i];
	return NULL;
}

/* Options by name; a flag (no value, like WITH SYSTEM VERSIONING) counts
 * by its presence. */
static void compare_options(const struct table_model *a,
			    const struct table_model *b, struct schema_diff *d)
{
	size_t i;

	for (i = 0; i < a->noptions; i++) {
		const struct tm_option *x = &a->options[i];
		const struct tm_option *y = schemadiff_find_option(b, x->name);

		if (strcasecmp(x->name, "AUTO_INCREMENT") == 0)
			continue;
		if (y == NULL)
			schemadiff_add(d, DIFF_OPTION_CHANGED, x->name,
				       x->value ? x->value : x->name, NULL);
		else if (!schemadiff_same(x->value, y->value))
			schemadiff_add(d, DIFF_OPTION_CHANGED, x->name,
				       x->value, y->value);
	}
	for (i = 0; i < b->noptions; i++) {
		const struct tm_option *y = &b->options[i];

		if (strcasecmp(y->name, "AUTO_INCREMENT") != 0 &&
		    schemadiff_find_option(a, y->name) == NULL)
			schemadiff_add(d, DIFF_OPTION_CHANGED, y->name, NULL,
				       y->value ? y->value : y->name);
	}
}

int schemadiff_compare(const struct table_model *a,
		       const struct table_model *b,
		       const struct diff_opts *opts, struct schema_diff *d)
{
	static const struct diff_opts none;
	const struct diff_opts *o = opts ? opts : &none;
	size_t i;

	memset(d, 0, sizeof(*d));
	if (a == NULL && b == NULL)
		return 0;
	if (a == NULL) {
		schemadiff_add(d, DIFF_TABLE_ADDED, b->name, NULL, NULL);
		return 0;
	}
	if (b == NULL) {
		schemadiff_add(d, DIFF_TABLE_REMOVED, a->name, NULL, NULL);
		return 0;
	}
	schemadiff_compare_columns(a, b, o, d);
	schemadiff_compare_indexes(a, b, d);
	schemadiff_compare_fks(a, b, d);
	schemadiff_compare_checks(a, b, d);
	schemadiff_compare_periods(a, b, d);
	compare_options(a, b, d);
	if (!schemadiff_same(a->partition, b->partition))
		schemadiff_add(d, DIFF_PARTITION_CHANGED, NULL, a->partition,
			       b->partition);
	/* lines neither side understood: compared as text */
	if (a->nunparsed != b->nunparsed) {
		schemadiff_add(d, DIFF_UNPARSED_CHANGED, NULL, NULL, NULL);
	} else {
		for (i = 0; i < a->nunparsed; i++)
			if (strcmp(a->unparsed[i], b->unparsed[i]) != 0) {
				schemadiff_add(d, DIFF_UNPARSED_CHANGED, NULL,
					       a->unparsed[i], b->unparsed[i]);
				break;
			}
	}
	/* Indexes are matched by name; the same ones in another order are a
	 * change unless that is declared noise. */
	if (!o->ignore_index_order)
		schemadiff_compare_index_order(a, b, d);
	return 0;
}

void schemadiff_release(struct schema_diff *d)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		free(d->changes[i].object);
		free(d->changes[i].from);
		free(d->changes[i].to);
	}
	free(d->changes);
	memset(d, 0, sizeof(*d));
}

static json_t *text_or_null(const char *s)
{
	return s ? jsontext_string(s) : json_null();
}

json_t *schemadiff_json(const struct schema_diff *d)
{
	json_t *changes = json_array();
	size_t k;

	for (k = 0; k < d->n; k++)
		json_array_append_new(changes, json_pack(
			"{s:s, s:s, s:o, s:o, s:o}",
			"change", schemadiff_kind_name(d->changes[k].kind),
			"severity", schemadiff_severity_name(d->changes[k].severity),
			"object", text_or_null(d->changes[k].object),
			"from", text_or_null(d->changes[k].from),
			"to", text_or_null(d->changes[k].to)));
	return changes;
}

int schemadiff_compare_text(const char *from, size_t from_len, const char *to,
			    size_t to_len, const struct diff_opts *opts,
			    struct schema_diff *d)
{
	static const struct diff_opts none;
	const struct diff_opts *o = opts ? opts : &none;
	struct table_model a, b;
	enum tm_parsed ra, rb;
	int noise;
	char *na, *nb;
	size_t la, lb;

	memset(d, 0, sizeof(*d));
	ra = tablemodel_parse(from, from_len, &a);
	rb = tablemodel_parse(to, to_len, &b);
	if (ra != TM_NOT_A_TABLE && rb != TM_NOT_A_TABLE)
		schemadiff_compare(&a, &b, o, d);
	if (ra != TM_NOT_A_TABLE)
		tablemodel_release(&a);
	if (rb != TM_NOT_A_TABLE)
		tablemodel_release(&b);
	if (d->n > 0)
		return 0;
	/* The backstop: texts that differ (AUTO_INCREMENT aside) always
	 * yield a change, unless declared noise explains it. */
	noise = o->ignore_int_width || o->utf8_is_utf8mb3 ||
		o->ignore_default_charset || o->ignore_index_order;
	if (noise && ra == 0 && rb == 0)
		return 0;
	na = normalize_schema(from, from_len, &la);
	nb = normalize_schema(to, to_len, &lb);
	if (la != lb || memcmp(na, nb, la) != 0)
		schemadiff_add(d, ra == 0 && rb == 0 ? DIFF_TEXT_CHANGED
						     : DIFF_UNPARSED_CHANGED,
			       NULL, NULL, NULL);
	free(na);
	free(nb);
	return 0;
}
