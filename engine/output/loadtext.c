/*
 * The load summary as text (loadtext.h).
 */
#include "engine/output/loadtext.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine/base/strbuf.h"
#include "engine/output/termtext.h"

/* A listing is cut after this many names (--format json has them all). */
#define LIST_MAX 12

static const char *str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "?";
}

static void line(FILE *fp, size_t width, const char *first, struct strbuf *sb)
{
	struct strbuf out = STRBUF_INIT;

	termtext_wrap(&out, sb->data ? sb->data : "", width, first, "    ");
	fputs(out.data ? out.data : "", fp);
	strbuf_release(&out);
	strbuf_reset(sb);
}

/* "a, b, c and 4 more" of the strings of array `a`. */
static void names(struct strbuf *sb, json_t *a)
{
	size_t i, n = json_array_size(a);
	json_t *x;

	json_array_foreach(a, i, x) {
		if (i == LIST_MAX && n > LIST_MAX + 1) {
			strbuf_addf(sb, " and %zu more", n - i);
			break;
		}
		strbuf_addf(sb, "%s%s", i == 0 ? "" : i + 1 == n ? " and " : ", ",
			    json_string_value(x) ? json_string_value(x) : "?");
	}
}

int loadtext_write(json_t *s, FILE *fp)
{
	size_t width = termtext_columns(fileno(fp), 100), i;
	json_t *fk = json_object_get(s, "foreign_keys"), *x;
	json_t *errors = json_object_get(s, "errors");
	struct strbuf sb = STRBUF_INIT;

	if (json_is_true(json_object_get(s, "loaded"))) {
		strbuf_addf(&sb, "Loaded %s into %s (schema %s on %s): %lld "
			    "tables, %lld rows, in %.2f s, %lld round trips",
			    str(s, "env"), str(s, "into"), str(s, "schema"),
			    str(s, "server"),
			    json_integer_value(json_object_get(s, "tables_count")),
			    json_integer_value(json_object_get(s, "rows_count")),
			    (double)json_integer_value(json_object_get(s, "elapsed_ms"))
			    / 1000.0,
			    json_integer_value(json_object_get(s, "round_trips")));
		line(fp, width, NULL, &sb);
	} else if (strcmp(str(s, "target"), "unknown") == 0) {
		strbuf_addf(&sb, "Unknown: %s into %s (schema %s on %s): the "
			    "connection was lost while RENAME TABLE moved the "
			    "tables in; they are all in, or none (SHOW TABLES "
			    "tells)", str(s, "env"), str(s, "into"),
			    str(s, "schema"), str(s, "server"));
		line(fp, width, NULL, &sb);
	} else {
		int refused = json_object_get(s, "existing") != NULL;

		strbuf_addf(&sb, "Nothing loaded: %s into %s (schema %s on %s) "
			    "%s; %s is as it was", str(s, "env"), str(s, "into"),
			    str(s, "schema"), str(s, "server"),
			    json_object_get(s, "interrupted") ? "was interrupted"
			    : refused ? "was refused" : "failed", str(s, "into"));
		line(fp, width, NULL, &sb);
	}
	json_array_foreach(json_object_get(s, "views"), i, x) {
		strbuf_addf(&sb, "%s is a view in the target: a load never "
			    "replaces a view (drop it by hand)",
			    json_string_value(x) ? json_string_value(x) : "?");
		line(fp, width, "  ", &sb);
	}
	json_array_foreach(json_object_get(s, "blocked_by"), i, x) {
		strbuf_addf(&sb, "--replace would break foreign key %s of %s.%s, "
			    "which references %s: load %s too (--table), or drop "
			    "the key", str(x, "constraint"), str(x, "schema"),
			    str(x, "table"), str(x, "references"), str(x, "table"));
		line(fp, width, "  ", &sb);
	}
	if (json_array_size(json_object_get(s, "existing")) > 0 &&
	    json_array_size(json_object_get(s, "views")) == 0 &&
	    json_array_size(json_object_get(s, "blocked_by")) == 0) {
		strbuf_adds(&sb, "The target already has ");
		names(&sb, json_object_get(s, "existing"));
		strbuf_adds(&sb, ": --replace drops and recreates them");
		line(fp, width, "  ", &sb);
	}
	if (json_array_size(json_object_get(s, "replaced")) > 0) {
		strbuf_adds(&sb, "replaced: ");
		names(&sb, json_object_get(s, "replaced"));
		line(fp, width, "  ", &sb);
	}
	if (json_array_size(json_object_get(s, "missing")) > 0) {
		strbuf_adds(&sb, "no schema snapshot, not loaded: ");
		names(&sb, json_object_get(s, "missing"));
		line(fp, width, "  ", &sb);
	}
	if (fk != NULL) {
		json_t *bad = json_object_get(fk, "unsatisfied");

		strbuf_addf(&sb, "foreign keys: %lld checked, %zu with rows whose "
			    "parent row is not loaded%s",
			    json_integer_value(json_object_get(fk, "checked")),
			    json_array_size(bad), json_array_size(bad) > 0
			    ? " (sample rows rarely satisfy every key: a table's "
			    "first rows are seldom the ones other tables' first "
			    "rows reference)" : "");
		line(fp, width, "  ", &sb);
		json_array_foreach(bad, i, x) {
			if (i == LIST_MAX) {
				fprintf(fp, "    ... and %zu more (--format json "
					"lists them all)\n", json_array_size(bad) - i);
				break;
			}
			strbuf_addf(&sb, "%s.%s -> %s: %lld row(s)", str(x, "table"),
				    str(x, "constraint"), str(x, "references"),
				    json_integer_value(json_object_get(x, "rows")));
			line(fp, width, "    ", &sb);
		}
		json_array_foreach(json_object_get(fk, "not_checked"), i, x) {
			strbuf_addf(&sb, "not checked: %s.%s: %s", str(x, "table"),
				    str(x, "constraint"), str(x, "reason"));
			line(fp, width, "    ", &sb);
		}
	}
	json_array_foreach(errors, i, x) {
		json_t *t = json_object_get(x, "table");

		strbuf_addf(&sb, "error%s%s: %lld: %s", json_is_string(t)
			    ? ": table " : "", json_is_string(t)
			    ? json_string_value(t) : "",
			    json_integer_value(json_object_get(x, "code")),
			    str(x, "message"));
		if (json_is_string(json_object_get(x, "statement")))
			strbuf_addf(&sb, " (in: %s)", str(x, "statement"));
		line(fp, width, "  ", &sb);
	}
	json_array_foreach(json_object_get(s, "notes"), i, x) {
		strbuf_addf(&sb, "note: %s", json_string_value(x)
			    ? json_string_value(x) : "?");
		line(fp, width, "  ", &sb);
	}
	strbuf_release(&sb);
	fflush(fp);
	return ferror(fp) ? -EIO : 0;
}
