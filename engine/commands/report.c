/*
 * One pass over the pairs computes each status; the text and JSON layouts
 * then read the same table. Statuses follow SPEC: no schema file is
 * missing; schema and data (and model/emplacement where configured) are
 * complete; all but data is ready for data; data present with emplacement
 * or model absent is missing emplacement; the rest is schema only.
 */
#include "engine/commands/report.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "engine/base/alloc.h"
#include "engine/base/strbuf.h"
#include "engine/base/jsontext.h"
#include "engine/base/strsort.h"
#include "engine/commands/tablefiles.h"
#include "engine/store/runlog.h"
#include "engine/store/snapshot.h"

/* A model or emplacement file: the JSON's null, false and true. */
enum optional_file { FILE_UNCONFIGURED, FILE_ABSENT, FILE_PRESENT };

struct pair {
	const struct env_config *env;
	char *table;            /* owned */
	int schema, data;
	int absent;             /* missing from its environment at the last
				 * schema sync: nothing to fetch */
	int empty;              /* no rows at the last data sync: no file */
	enum optional_file model, emplacement;
	enum report_status status;
};

static const char *const names[REPORT_STATUS_COUNT] = {
	"complete", "ready_for_data", "missing_emplacement", "schema_only",
	"missing",
};
static const char *const icons[REPORT_STATUS_COUNT] = {
	"\xe2\x9c\x85", "\xe2\x9a\xa0\xef\xb8\x8f", "\xf0\x9f\x94\xb6",
	"\xf0\x9f\x93\x84", "\xe2\x9d\x8c",
};
static const char *const ascii_icons[REPORT_STATUS_COUNT] = {
	"ok", "data?", "empl?", "sql", "--",
};
static const char *const meanings[REPORT_STATUS_COUNT] = {
	"complete", "ready for data sync", "missing emplacement",
	"schema only", "missing",
};

char *report_expand(const char *tmpl, const struct fleet_config *cfg,
		    const char *out, const struct env_config *env,
		    const char *table)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p = tmpl;

	if (tmpl[0] != '/' && strncmp(tmpl, "{out}", 5) != 0)
		strbuf_adds(&sb, cfg->dir);
	while (*p) {
		if (strncmp(p, "{out}", 5) == 0) {
			strbuf_adds(&sb, out);
			p += 5;
		} else if (strncmp(p, "{folder}", 8) == 0) {
			strbuf_adds(&sb, env->folder);
			p += 8;
		} else if (strncmp(p, "{database}", 10) == 0) {
			strbuf_adds(&sb, env->database);
			p += 10;
		} else if (strncmp(p, "{table}", 7) == 0) {
			strbuf_adds(&sb, table);
			p += 7;
		} else {
			strbuf_add(&sb, p++, 1);
		}
	}
	return strbuf_detach(&sb, NULL);
}

static int exists(char *path)
{
	int ok = access(path, F_OK) == 0;

	free(path);
	return ok;
}

/* The file that path template `tmpl` (NULL: not configured) names. */
static enum optional_file optional_file(const struct report_opts *o,
					const char *tmpl,
					const struct env_config *env,
					const char *table)
{
	if (tmpl == NULL)
		return FILE_UNCONFIGURED;
	return exists(report_expand(tmpl, o->cfg, o->out, env, table))
		       ? FILE_PRESENT : FILE_ABSENT;
}

static void classify_pair(struct pair *p)
{
	int others_ok = p->model != FILE_ABSENT && p->emplacement != FILE_ABSENT;
	/* An empty table has no data file by design: its data is done. */
	int data = p->data || p->empty;

	/* absent from its environment at the last sync: a snapshot left from
	 * before the table was dropped does not make it there */
	if (!p->schema || p->absent)
		p->status = REPORT_MISSING;
	else if (data && others_ok)
		p->status = REPORT_COMPLETE;
	else if (!data && others_ok)
		p->status = REPORT_READY_FOR_DATA;
	else if (data)
		p->status = REPORT_MISSING_EMPLACEMENT;
	else
		p->status = REPORT_SCHEMA_ONLY;
}

/* The manifest lists `a` and `b` of an environment entry, one after the
 * other (a new reference; an empty array when absent or malformed). */
static json_t *take_lists(json_t *env, const char *a, const char *b)
{
	json_t *la = json_object_get(env, a), *lb = json_object_get(env, b);
	json_t *list = json_array();

	if (json_is_array(la))
		json_array_extend(list, la);
	if (b != NULL && json_is_array(lb))
		json_array_extend(list, lb);
	return list;
}

/* The names of `seen` (an array of strings) that env's list still
 * leaves unlisted (tablelist_unlisted). A new reference. */
static json_t *still_unlisted(const struct env_config *env, json_t *seen)
{
	json_t *out = json_array(), *t;
	size_t k;

	json_array_foreach(seen, k, t)
		if (json_is_string(t) &&
		    tablelist_unlisted(env->tables, json_string_value(t)))
			json_array_append(out, t);
	return out;
}

/*
 * From the newest published runs, each selected environment's tables
 * absent from its server ("missing" and "removed") at its last sync of
 * either kind, and its "empty" list of its last data sync (see the
 * manifest). Entries stay NULL when no run covered the environment.
 * `unlisted` gets, per environment whose last sync saw its server's
 * tables, {"run_id", "tables": the unlisted ones the config still leaves
 * unlisted}.
 */
static void load_last_runs(const struct report_opts *o, json_t **missing,
			   json_t **empty, json_t *unlisted)
{
	struct runlog runs;
	size_t i;

	if (runlog_load(o->history, &runs) != 0) {
		runlog_release(&runs);
		return; /* an unreadable history only counts as absent */
	}
	for (i = 0; i < o->nenvs; i++) {
		const char *name = o->envs[i]->name;
		const struct runlog_entry *last = runlog_last_sync(&runs, name);
		const struct runlog_entry *d = runlog_last(&runs, name, "data");

		if (last != NULL)
			missing[i] = take_lists(runlog_env(last, name), "missing",
						"removed");
		/* what the server had that no list names, when it was seen,
		 * less what the config names since (pasted from `rhizome
		 * tables`, say) */
		if (last != NULL && json_is_array(json_object_get(
			runlog_env(last, name), "unlisted")))
			json_object_set_new(unlisted, name, json_pack(
				"{s:s, s:o}", "run_id", last->id, "tables",
				still_unlisted(o->envs[i], json_object_get(
					runlog_env(last, name), "unlisted"))));
		if (d != NULL)
			empty[i] = take_lists(runlog_env(d, name), "empty", NULL);
	}
	runlog_release(&runs);
}

static struct pair *collect(const struct report_opts *o, size_t *npairs,
			    json_t *unlisted)
{
	const struct fleet_config *cfg = o->cfg;
	struct pair *pairs = NULL;
	json_t **missing, **empty;
	size_t i, j, n = 0;

	missing = xcalloc(o->nenvs, sizeof(*missing));
	empty = xcalloc(o->nenvs, sizeof(*empty));
	load_last_runs(o, missing, empty, unlisted);
	for (i = 0; i < o->nenvs; i++) {
		const struct env_config *env = o->envs[i];
		char **tables;
		size_t ntables = tablefiles_of_env(o->out, cfg, env, &tables);

		pairs = xrealloc(pairs, (n + ntables + 1) * sizeof(*pairs));
		for (j = 0; j < ntables; j++) {
			struct pair *p = &pairs[n++];
			const char *t = tables[j];

			memset(p, 0, sizeof(*p));
			p->env = env;
			p->table = tables[j]; /* taken */
			p->schema = exists(snapshot_table_path(o->out, env->folder,
						env->database, t, ".sql"));
			p->data = exists(snapshot_table_path(o->out, env->folder,
						env->database, t, ".json"));
			p->model = optional_file(o, cfg->model, env, t);
			p->emplacement = optional_file(o, cfg->emplacement, env, t);
			p->absent = jsontext_list_has(missing[i], t);
			p->empty = !p->data && jsontext_list_has(empty[i], t);
			classify_pair(p);
		}
		free(tables);
		json_decref(missing[i]);
		json_decref(empty[i]);
	}
	free(missing);
	free(empty);
	*npairs = n;
	return pairs;
}

/* ---- recommendations ---------------------------------------------------- */

struct advice {
	const char *command;    /* the sync command, or NULL */
	enum report_status status;
	const char *what;
};

static const struct advice advice[] = {
	{ "data", REPORT_READY_FOR_DATA, "ready for data" },
	{ "schema", REPORT_MISSING, "without a schema snapshot" },
	{ NULL, REPORT_MISSING_EMPLACEMENT,
	  "with data but no emplacement (or model) file" },
	{ NULL, REPORT_SCHEMA_ONLY,
	  "with a schema only: add their model/emplacement files, then sync data" },
};

static json_t *recommendations(const struct report_opts *o,
			       const struct pair *pairs, size_t n)
{
	json_t *list = json_array();
	size_t a, i, j;

	for (a = 0; a < sizeof(advice) / sizeof(advice[0]); a++) {
		for (i = 0; i < o->nenvs; i++) {
			json_t *tables = json_array();
			char reason[200];

			for (j = 0; j < n; j++)
				if (pairs[j].env == o->envs[i] &&
				    pairs[j].status == advice[a].status &&
				    !pairs[j].absent)
					json_array_append_new(tables,
						json_string(pairs[j].table));
			if (json_array_size(tables) == 0) {
				json_decref(tables);
				continue;
			}
			snprintf(reason, sizeof(reason), "%zu table%s %s",
				 json_array_size(tables),
				 json_array_size(tables) == 1 ? "" : "s",
				 advice[a].what);
			json_array_append_new(list, json_pack(
				"{s:o, s:s, s:s, s:o}", "command",
				advice[a].command
					? json_sprintf("rhizome sync %s --env %s",
						       advice[a].command,
						       o->envs[i]->name)
					: json_null(),
				"env", o->envs[i]->name, "reason", reason,
				"tables", tables));
		}
	}
	return list;
}

/* ---- JSON --------------------------------------------------------------- */

static json_t *optional_file_json(enum optional_file f)
{
	return f == FILE_UNCONFIGURED ? json_null()
				      : json_boolean(f == FILE_PRESENT);
}

static json_t *counts_json(const struct pair *pairs, size_t n)
{
	size_t c[REPORT_STATUS_COUNT] = { 0 }, i, absent;
	json_t *j;

	for (i = 0; i < n; i++)
		c[pairs[i].status]++;
	j = json_pack("{s:I, s:I, s:I}", "complete", (json_int_t)c[REPORT_COMPLETE],
		      "partial", (json_int_t)(c[REPORT_READY_FOR_DATA] +
					      c[REPORT_MISSING_EMPLACEMENT] +
					      c[REPORT_SCHEMA_ONLY]),
		      "missing", (json_int_t)c[REPORT_MISSING]);
	for (i = 0; i < REPORT_STATUS_COUNT; i++)
		json_object_set_new(j, names[i], json_integer((json_int_t)c[i]));
	for (i = 0, absent = 0; i < n; i++)
		absent += pairs[i].absent;
	json_object_set_new(j, "absent", json_integer((json_int_t)absent));
	return j;
}

static int write_json(const struct report_opts *o, const struct pair *pairs,
		      size_t n, json_t *unlisted, FILE *fp)
{
	json_t *root = json_object(), *list = json_array(), *envs = json_array();
	size_t i;
	int rc;

	for (i = 0; i < o->nenvs; i++)
		json_array_append_new(envs, json_string(o->envs[i]->name));
	for (i = 0; i < n; i++)
		json_array_append_new(list, json_pack(
			"{s:s, s:s, s:s, s:s, s:s, s:b, s:b, s:o, s:o, s:b, s:b}",
			"env", pairs[i].env->name, "folder", pairs[i].env->folder,
			"database", pairs[i].env->database, "table", pairs[i].table,
			"status", names[pairs[i].status], "schema", pairs[i].schema,
			"data", pairs[i].data, "model",
			optional_file_json(pairs[i].model), "emplacement",
			optional_file_json(pairs[i].emplacement),
			"absent", pairs[i].absent, "empty", pairs[i].empty));
	json_object_set_new(root, "environments", envs);
	json_object_set_new(root, "pairs", list);
	json_object_set_new(root, "summary", counts_json(pairs, n));
	json_object_set_new(root, "recommendations", recommendations(o, pairs, n));
	json_object_set(root, "unlisted", unlisted);
	rc = json_dumpf(root, fp, JSON_INDENT(2));
	json_decref(root);
	if (rc != 0 || fputc('\n', fp) == EOF)
		return -EIO;
	return 0;
}

/* ---- text --------------------------------------------------------------- */

static const char *icon(const struct report_opts *o, enum report_status s)
{
	return o->ascii ? ascii_icons[s] : icons[s];
}

/* Display columns an icon takes: emoji are two wide. */
static size_t icon_width(const struct report_opts *o, enum report_status s)
{
	return o->ascii ? strlen(ascii_icons[s]) : 2;
}

/* The rows of database `tl`'s matrix: its literal names in list order,
 * then the tables its globs gave any of the columns, in name order.
 * Borrowed from `tl` and `pairs`; the array is the caller's. */
static const char **matrix_rows(const struct pair *pairs, size_t n,
				const struct env_config *const *cols,
				size_t ncols, const struct table_list *tl,
				size_t *nrows)
{
	const char **rows = xcalloc(tl->neffective + n + 1, sizeof(*rows));
	size_t r = 0, k, i, j, extra;

	for (k = 0; k < tl->neffective; k++)
		rows[r++] = tl->effective[k];
	extra = r;
	for (k = 0; k < n && tl->npatterns > 0; k++) {
		for (i = 0; i < ncols && pairs[k].env != cols[i]; i++)
			;
		if (i == ncols)
			continue;
		for (j = 0; j < r && strcmp(rows[j], pairs[k].table) != 0; j++)
			;
		if (j == r)
			rows[r++] = pairs[k].table;
	}
	qsort(rows + extra, r - extra, sizeof(*rows), strsort_compare);
	*nrows = r;
	return rows;
}

/* A matrix per logical database: its tables as rows, the environments
 * that serve it (by folder) as columns. Returns 0 when it did not fit. */
static int write_matrix(const struct report_opts *o, const struct pair *pairs,
			size_t n, FILE *fp, int check_only)
{
	size_t d, i, j, k, nrows;
	const struct fleet_config *cfg = o->cfg;
	const char **rows;

	for (d = 0; d < cfg->nlists; d++) {
		const struct table_list *tl = &cfg->lists[d];
		const struct env_config *cols[64];
		size_t ncols = 0, name_w = strlen(tl->database), cell = 8, width;

		for (i = 0; i < o->nenvs && ncols < 64; i++)
			if (o->envs[i]->tables == tl)
				cols[ncols++] = o->envs[i];
		if (ncols == 0)
			continue;
		rows = matrix_rows(pairs, n, cols, ncols, tl, &nrows);
		for (j = 0; j < nrows; j++)
			if (strlen(rows[j]) + 2 > name_w)
				name_w = strlen(rows[j]) + 2;
		for (i = 0; i < ncols; i++)
			if (strlen(cols[i]->folder) + 2 > cell)
				cell = strlen(cols[i]->folder) + 2;
		width = name_w + 2 + ncols * cell;
		if (check_only) {
			free(rows);
			if (width > o->width)
				return 0;
			continue;
		}
		fprintf(fp, "%-*s  ", (int)name_w, tl->database);
		for (i = 0; i < ncols; i++)
			fprintf(fp, "%-*s", i + 1 < ncols ? (int)cell : 0,
				cols[i]->folder);
		fputc('\n', fp);
		for (j = 0; j < nrows; j++) {
			fprintf(fp, "  %-*s  ", (int)(name_w - 2), rows[j]);
			for (i = 0; i < ncols; i++) {
				for (k = 0; k < n; k++)
					if (pairs[k].env == cols[i] &&
					    strcmp(pairs[k].table, rows[j]) == 0)
						break;
				if (k == n) {
					/* not one of its tables (a glob's
					 * table another environment has) */
					if (i + 1 < ncols)
						fprintf(fp, "%-*s", (int)cell, "-");
					else
						fputc('-', fp);
					continue;
				}
				fputs(icon(o, pairs[k].status), fp);
				if (i + 1 < ncols)
					fprintf(fp, "%*s", (int)(cell -
						icon_width(o, pairs[k].status)), "");
			}
			fputc('\n', fp);
		}
		fputc('\n', fp);
		free(rows);
	}
	return 1;
}

/* Too wide for a matrix: one block per environment, listing only the
 * tables that are not complete. */
static void write_grouped(const struct report_opts *o, const struct pair *pairs,
			  size_t n, FILE *fp)
{
	size_t i, k;
	int s;

	for (i = 0; i < o->nenvs; i++) {
		size_t c[REPORT_STATUS_COUNT] = { 0 };

		for (k = 0; k < n; k++)
			if (pairs[k].env == o->envs[i])
				c[pairs[k].status]++;
		fprintf(fp, "%s (%s):", o->envs[i]->name, o->envs[i]->folder);
		for (s = 0; s < REPORT_STATUS_COUNT; s++)
			if (c[s] > 0)
				fprintf(fp, "  %s %zu", icon(o, s), c[s]);
		fputc('\n', fp);
		for (k = 0; k < n; k++)
			if (pairs[k].env == o->envs[i] &&
			    pairs[k].status != REPORT_COMPLETE)
				fprintf(fp, "  %s %s\n", icon(o, pairs[k].status),
					pairs[k].table);
	}
	fputc('\n', fp);
}

/* The unlisted tables of each environment at its last sync, wrapped. */
static void write_unlisted(json_t *unlisted, FILE *fp)
{
	const char *env;
	json_t *u, *t;
	size_t k, col, some = 0;

	json_object_foreach(unlisted, env, u)
		some += json_array_size(json_object_get(u, "tables"));
	if (some == 0)
		return; /* none, or all listed since */
	fputs("\nUnlisted: tables the servers had at the last sync that no "
	      "table list names\nor excludes (rhizome tables prints the "
	      "lines to add):\n", fp);
	json_object_foreach(unlisted, env, u) {
		json_t *tables = json_object_get(u, "tables");

		if (json_array_size(tables) == 0)
			continue;
		fprintf(fp, "  %s:", env);
		col = strlen(env) + 3;
		json_array_foreach(tables, k, t) {
			size_t len = strlen(json_string_value(t)) + 1;

			if (col + 1 + len > 78) {
				fputs("\n   ", fp);
				col = 3;
			}
			fprintf(fp, " %s%s", json_string_value(t),
				k + 1 < json_array_size(tables) ? "," : "");
			col += 1 + len;
		}
		fputc('\n', fp);
	}
}

static int write_text(const struct report_opts *o, const struct pair *pairs,
		      size_t n, json_t *unlisted, FILE *fp)
{
	json_t *recs = recommendations(o, pairs, n), *counts, *r;
	size_t i;
	int s;

	if (write_matrix(o, pairs, n, fp, 1))
		write_matrix(o, pairs, n, fp, 0);
	else
		write_grouped(o, pairs, n, fp);
	fputs("Legend:", fp);
	for (s = 0; s < REPORT_STATUS_COUNT; s++)
		fprintf(fp, " %s %s%s", icon(o, s), meanings[s],
			s + 1 < REPORT_STATUS_COUNT ? "," : "\n");
	counts = counts_json(pairs, n);
	fprintf(fp, "\nSummary: %lld pairs: %lld complete, %lld partial "
		"(%lld ready for data, %lld missing emplacement, %lld schema "
		"only), %lld missing\n", (long long)n,
		json_integer_value(json_object_get(counts, "complete")),
		json_integer_value(json_object_get(counts, "partial")),
		json_integer_value(json_object_get(counts, "ready_for_data")),
		json_integer_value(json_object_get(counts, "missing_emplacement")),
		json_integer_value(json_object_get(counts, "schema_only")),
		json_integer_value(json_object_get(counts, "missing")));
	if (json_integer_value(json_object_get(counts, "absent")) > 0)
		fprintf(fp, "(%lld of the missing do not exist in their environment "
			"at the last schema sync: nothing to fetch)\n",
			json_integer_value(json_object_get(counts, "absent")));
	json_decref(counts);
	write_unlisted(unlisted, fp);
	if (json_array_size(recs) > 0)
		fputs("\nNext:\n", fp);
	json_array_foreach(recs, i, r) {
		json_t *cmd = json_object_get(r, "command");

		if (json_is_string(cmd))
			fprintf(fp, "  %-50s # %s\n", json_string_value(cmd),
				json_string_value(json_object_get(r, "reason")));
		else
			fprintf(fp, "  %s: %s\n",
				json_string_value(json_object_get(r, "env")),
				json_string_value(json_object_get(r, "reason")));
	}
	if (json_array_size(recs) == 0)
		fputs("\nNothing to do: every pair is complete (or absent from its "
		      "environment).\n", fp);
	json_decref(recs);
	return ferror(fp) ? -EIO : 0;
}

int report_write(const struct report_opts *o, FILE *fp)
{
	json_t *unlisted = json_object();
	size_t n, i;
	struct pair *pairs = collect(o, &n, unlisted);
	int rc;

	rc = o->format == REPORT_JSON ? write_json(o, pairs, n, unlisted, fp)
				      : write_text(o, pairs, n, unlisted, fp);
	for (i = 0; i < n; i++)
		free(pairs[i].table);
	free(pairs);
	json_decref(unlisted);
	if (rc == 0 && fflush(fp) != 0)
		rc = -errno;
	return rc;
}
