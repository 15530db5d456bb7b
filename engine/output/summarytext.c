/*
 * Every name and message from a server goes through strbuf_add_escaped: a
 * table named with a newline or an escape sequence cannot break a line or
 * drive the terminal. Text is built in a strbuf and wrapped paragraph by
 * paragraph (termtext_wrap), so nothing is wider than the terminal.
 */
#include "engine/output/summarytext.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine/base/alloc.h"
#include "engine/base/strbuf.h"
#include "engine/output/diffreport.h"
#include "engine/output/termtext.h"

/* A list longer than this is told as counts per folder. */
#define MAX_PATHS 20

static const char *str(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

static long long num(json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

struct out {
	struct strbuf text;     /* what goes to the stream */
	struct strbuf line;     /* a paragraph being built */
	size_t width;
};

/* Wrap the paragraph in o->line into the text, leads as termtext_wrap's. */
static void flush(struct out *o, const char *first, const char *indent)
{
	termtext_wrap(&o->text, o->line.data ? o->line.data : "", o->width,
		      first, indent);
	strbuf_reset(&o->line);
}

static void escaped(struct out *o, const char *s)
{
	strbuf_add_escaped(&o->line, s != NULL ? s : "?");
}

/* "3 new, 1 significant, 57 unchanged": the classes that happened, in the
 * order SPEC lists them, so they add up to the tables of the run. */
static void counts_line(struct out *o, json_t *s, int check)
{
	static const char *const classes[] = {
		"new", "significant", "trivial", "unchanged", "empty",
		"missing", "removed", "error",
	};
	char key[32];
	long long n, total = 0;
	size_t k;
	int some = 0;

	for (k = 0; k < sizeof(classes) / sizeof(classes[0]); k++)
		total += num(s, (snprintf(key, sizeof(key), "%s_count",
					  classes[k]), key));
	strbuf_addf(&o->line, "%lld table(s):", total);
	for (k = 0; k < sizeof(classes) / sizeof(classes[0]); k++) {
		snprintf(key, sizeof(key), "%s_count", classes[k]);
		n = num(s, key);
		if (n == 0)
			continue;
		strbuf_addf(&o->line, "%s %lld %s%s", some++ ? "," : "", n,
			    check && strcmp(classes[k], "new") == 0
				    ? "without a snapshot"
			    : check && strcmp(classes[k], "significant") == 0
				    ? "drifted"
			    : strcmp(classes[k], "error") == 0
				    ? (n == 1 ? "error" : "errors") : classes[k],
			    "");
	}
	if (!some)
		strbuf_adds(&o->line, " none");
	if (num(s, "unlisted_count") > 0)
		strbuf_addf(&o->line, "; %lld unlisted on the servers",
			    num(s, "unlisted_count"));
	flush(o, "  ", "    ");
}

/* A list's entry as a path: a string ("new"), or an object's "path"
 * ("removed"); NULL when it is neither. */
static const char *path_of(json_t *v)
{
	return json_is_string(v) ? json_string_value(v) : str(v, "path");
}

/* A section's first line: "Missing, ... (3):". */
static void section(struct out *o, const char *heading, size_t n)
{
	strbuf_addf(&o->line, "%s (%zu):", heading, n);
	flush(o, "", "  ");
}

/* The folder of a path: everything up to its last slash. */
static size_t folder_len(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash != NULL ? (size_t)(slash - path) : 0;
}

/* A section of paths: each on its line, or counts per folder when there
 * are many. `heading` is the section's first line. */
static void paths(struct out *o, json_t *list, const char *heading)
{
	size_t i, j, n = json_array_size(list);
	json_t *v;

	if (n == 0)
		return;
	section(o, heading, n);
	if (n <= MAX_PATHS) {
		/* whole paths when they fit, else under their folder: a name
		 * alone fits a narrow terminal better than a path cut */
		const char *last = NULL;
		size_t last_len = 0, fit = 1;

		json_array_foreach(list, i, v)
			fit &= path_of(v) == NULL ||
			       2 + termtext_width(path_of(v)) <= o->width;
		json_array_foreach(list, i, v) {
			const char *p = path_of(v);
			size_t len;
			char *part;

			if (p == NULL)
				continue;
			if (fit) {
				escaped(o, p);
				flush(o, "  ", "    ");
				continue;
			}
			len = folder_len(p);
			if (last == NULL || len != last_len ||
			    strncmp(p, last, len) != 0) {
				part = xstrndup(p, len);
				escaped(o, part);
				free(part);
				strbuf_adds(&o->line, "/");
				flush(o, "  ", "    ");
				last = p;
				last_len = len;
			}
			escaped(o, p + len + (p[len] == '/'));
			flush(o, "    ", "      ");
		}
		return;
	}
	/* many: per folder, in order of first appearance */
	for (i = 0; i < n; i++) {
		const char *p = path_of(json_array_get(list, i));
		size_t len, count = 0, seen = 0;
		char *folder;

		if (p == NULL)
			continue;
		len = folder_len(p);
		for (j = 0; j < i && !seen; j++) {
			const char *q = path_of(json_array_get(list, j));

			seen = q != NULL && folder_len(q) == len &&
			       strncmp(p, q, len) == 0;
		}
		if (seen)
			continue;
		for (j = i; j < n; j++) {
			const char *q = path_of(json_array_get(list, j));

			count += q != NULL && folder_len(q) == len &&
				 strncmp(p, q, len) == 0;
		}
		folder = xstrndup(p, len);
		escaped(o, folder);
		free(folder);
		strbuf_addf(&o->line, "/: %zu", count);
		flush(o, "  ", "    ");
	}
}

/* A section of {env, table} pairs, one line per environment:
 * "  dev: t1, t2". */
static void by_env(struct out *o, json_t *list, const char *heading)
{
	size_t i, j, n = json_array_size(list);
	json_t *v;

	if (n == 0)
		return;
	section(o, heading, n);
	json_array_foreach(list, i, v) {
		const char *env = str(v, "env");
		int first = 1;

		for (j = 0; j < i; j++)
			if (env != NULL && str(json_array_get(list, j), "env") &&
			    strcmp(str(json_array_get(list, j), "env"), env) == 0)
				break;
		if (j < i)
			continue; /* told with its environment's first */
		escaped(o, env);
		strbuf_adds(&o->line, ":");
		for (j = i; j < n; j++) {
			json_t *w = json_array_get(list, j);

			if (env == NULL || str(w, "env") == NULL ||
			    strcmp(str(w, "env"), env) != 0)
				continue;
			strbuf_adds(&o->line, first ? " " : ", ");
			escaped(o, str(w, "table"));
			first = 0;
		}
		flush(o, "  ", "    ");
	}
}

/* One entry per failed table, or per environment not reached (with the
 * tables it could not fetch): the heading counts tables, as the counts
 * line does. */
static void errors(struct out *o, json_t *list, long long tables)
{
	size_t i, k, n = json_array_size(list);
	json_t *e, *t;

	if (n == 0)
		return;
	strbuf_addf(&o->line, "Failed (%lld table%s):", tables,
		    tables == 1 ? "" : "s");
	flush(o, "", "  ");
	json_array_foreach(list, i, e) {
		json_t *unfetched = json_object_get(e, "tables_not_fetched");

		escaped(o, str(e, "env"));
		if (json_is_array(unfetched)) {
			strbuf_addf(&o->line, ": not reached, %zu table(s) not "
				    "fetched", json_array_size(unfetched));
		} else {
			strbuf_adds(&o->line, ": table ");
			escaped(o, str(e, "table"));
		}
		if (num(e, "code") != 0)
			strbuf_addf(&o->line, ": error %lld", num(e, "code"));
		strbuf_adds(&o->line, ": ");
		escaped(o, str(e, "message"));
		if (num(e, "attempts") > 1)
			strbuf_addf(&o->line, " (%lld attempts)",
				    num(e, "attempts"));
		if (json_is_array(unfetched) && json_array_size(unfetched) <= 10) {
			strbuf_adds(&o->line, " [");
			json_array_foreach(unfetched, k, t) {
				strbuf_adds(&o->line, k ? ", " : "");
				escaped(o, json_string_value(t));
			}
			strbuf_adds(&o->line, "]");
		}
		flush(o, "  ", "    ");
	}
}

static void drift(struct out *o, json_t *list)
{
	struct strbuf change = STRBUF_INIT;
	size_t i, j;
	json_t *p, *c;

	if (json_array_size(list) == 0)
		return;
	strbuf_addf(&o->line, "Drifted (%zu), against the committed snapshots:",
		    json_array_size(list));
	flush(o, "", "  ");
	json_array_foreach(list, i, p) {
		escaped(o, str(p, "env"));
		strbuf_adds(&o->line, " ");
		escaped(o, str(p, "table"));
		strbuf_addf(&o->line, " [%s] ", str(p, "severity") ? str(p, "severity")
								 : "?");
		escaped(o, str(p, "path"));
		flush(o, "  ", "    ");
		json_array_foreach(json_object_get(p, "changes"), j, c) {
			strbuf_reset(&change);
			diffreport_describe(&change, c);
			escaped(o, change.data);
			if (str(c, "severity") != NULL)
				strbuf_addf(&o->line, " [%s]", str(c, "severity"));
			flush(o, "    ", "      ");
		}
	}
	strbuf_release(&change);
}

static void ordering(struct out *o, json_t *list)
{
	size_t i;
	json_t *v;

	if (json_array_size(list) == 0)
		return;
	strbuf_addf(&o->line, "Not in primary-key order (%zu), no primary key:",
		    json_array_size(list));
	flush(o, "", "  ");
	json_array_foreach(list, i, v) {
		escaped(o, str(v, "env"));
		strbuf_adds(&o->line, " ");
		escaped(o, str(v, "table"));
		strbuf_adds(&o->line, ": ");
		escaped(o, str(v, "order"));
		flush(o, "  ", "    ");
	}
}

int summarytext_write(json_t *s, unsigned width, FILE *fp)
{
	struct out o = { STRBUF_INIT, STRBUF_INIT, width };
	const char *command = str(s, "command");
	int check = command != NULL && strcmp(command, "check") == 0;
	int dry = json_is_true(json_object_get(s, "dry_run"));
	const char *written = dry ? "Would write" : "Written";
	long long trivial = num(s, "trivial_count");
	int rc;

	strbuf_addf(&o.line, "sync %s%s: %.2f s", command ? command : "?",
		    dry ? " --dry-run" : "", (double)num(s, "elapsed_ms") / 1000);
	if (num(s, "round_trips") > 0)
		strbuf_addf(&o.line, ", %lld round trips", num(s, "round_trips"));
	flush(&o, "", "  ");
	counts_line(&o, s, check);
	strbuf_adds(&o.text, "\n");
	if (check) {
		drift(&o, json_object_get(s, "drift"));
		paths(&o, json_object_get(s, "new"), "No snapshot to compare with");
	} else {
		char heading[64];

		snprintf(heading, sizeof(heading), "%s, new", written);
		paths(&o, json_object_get(s, "new"), heading);
		snprintf(heading, sizeof(heading), "%s, significant", written);
		paths(&o, json_object_get(s, "significant"), heading);
		paths(&o, json_object_get(s, "removed"), dry
		      ? "Would remove, the table is gone from the server"
		      : "Removed, the table is gone from the server");
	}
	errors(&o, json_object_get(s, "errors"), num(s, "error_count"));
	by_env(&o, json_object_get(s, "missing"),
	       "Missing, not on the server and no snapshot");
	by_env(&o, json_object_get(s, "empty"), "Empty, no rows to write");
	by_env(&o, json_object_get(s, "unlisted"),
	       "Unlisted, on the servers but in no [tables] list (rhizome "
	       "tables prints the lines to add)");
	ordering(&o, json_object_get(s, "ordering"));
	if (trivial > 0 && !check) {
		strbuf_addf(&o.line, "%lld snapshot(s) differ only in "
			    "AUTO_INCREMENT=n and were kept as they are "
			    "(--write-trivial writes them).", trivial);
		flush(&o, "", "");
	}
	if (check && num(s, "drift_count") == 0 && num(s, "error_count") == 0)
		strbuf_adds(&o.line, "No drift: every snapshot matches its server.");
	else if (!check && dry)
		strbuf_adds(&o.line, "Dry run: nothing was written.");
	else if (!check && num(s, "new_count") + num(s, "significant_count") +
		 num(s, "removed_count") == 0 && num(s, "error_count") == 0)
		strbuf_adds(&o.line, "Nothing to write: every snapshot is up "
			    "to date.");
	if (str(s, "interrupted") != NULL) {
		strbuf_addf(&o.line, "%sInterrupted (%s): what is listed was "
			    "done; the rest was not.", o.line.len ? " " : "",
			    str(s, "interrupted"));
	}
	if (o.line.len > 0)
		flush(&o, "", "");
	/* a run with a history can be looked at again by its id */
	if (!check && !dry && str(s, "run_id") != NULL)
		strbuf_addf(&o.line, "Run %s; ", str(s, "run_id"));
	strbuf_adds(&o.line, "--format json gives the full summary.");
	flush(&o, "", "");
	rc = fputs(o.text.data, fp) == EOF || ferror(fp) ? -EIO : 0;
	strbuf_release(&o.text);
	strbuf_release(&o.line);
	return rc;
}
