/*
 * status reads what is already on disk and contacts no server: the run
 * manifests (through runlog.h, which owns the history folder's layout) say
 * when each command last covered an environment and how it went, and the
 * snapshots give the schema hash (schemahash.h).
 *
 * Everything is decided in status_build, into JSON: the text output only
 * lays that out, so `--format json` and the text can never disagree about
 * which environment has a problem. A run's outcome is read as `history
 * list` reads it (runs.c): "failed" when the environment was unreached or
 * every table of it errored, "partial" when some did.
 *
 * The judged run is what a monitor asks about: "is this environment being
 * synced?". A restore rewrites files from the history without looking at a
 * server, so it is not a sync: unless --command names a command, the newest
 * schema or data run is judged.
 */
#include "engine/commands/status.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/base/alloc.h"
#include "engine/base/duration.h"
#include "engine/base/jsontext.h"
#include "engine/base/strbuf.h"
#include "engine/commands/schemahash.h"
#include "engine/store/runlog.h"

/* The commands a manifest may name, in the order they are shown. */
static const char *const commands[] = { "schema", "data", "restore" };
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

/* Text output: the width people read at, and how many errors of a run are
 * shown before "and N more". */
#define TEXT_WIDTH 80
#define TEXT_ERRORS 3

static int is_set(json_t *v)
{
	return v != NULL && !json_is_null(v);
}

/*
 * A --max-age limit as the user most likely wrote it: in the largest unit
 * that divides it ("26h", not "1d 02h"), so the problem line quotes the
 * option back.
 */
static void format_limit(double seconds, char *buf, size_t size)
{
	static const struct { unsigned long long secs; char unit; } units[] = {
		{ 86400, 'd' }, { 3600, 'h' }, { 60, 'm' },
	};
	unsigned long long s = seconds > 0 ? (unsigned long long)(seconds + 0.5) : 0;
	size_t i;

	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (s > 0 && s % units[i].secs == 0) {
			snprintf(buf, size, "%llu%c", s / units[i].secs,
				 units[i].unit);
			return;
		}
	snprintf(buf, size, "%llus", s);
}

/* When a run ended, for its age: its finish, else its start (older, so a
 * run whose manifest lost its finish time is never taken for fresher than
 * it is); -1 when neither is known. */
static double run_time(const struct runlog_entry *r)
{
	return r->finished >= 0 ? r->finished : r->started;
}

static json_t *copy_or_null(json_t *v)
{
	return is_set(v) ? json_deep_copy(v) : json_null();
}

/* One command's last run covering an environment, as status shows it. */
static json_t *run_json(const struct runlog_entry *r, json_t *entry, double now)
{
	json_t *errors = json_object_get(entry, "errors");
	double t = run_time(r);

	return json_pack("{s:o, s:o, s:o, s:o, s:s, s:I, s:o, s:o, s:o}",
		"run_id", jsontext_string(r->id),
		"started_at", copy_or_null(json_object_get(r->manifest, "started_at")),
		"finished_at", copy_or_null(json_object_get(r->manifest, "finished_at")),
		"age_s", t >= 0 ? json_integer((json_int_t)(now - t)) : json_null(),
		"outcome", runlog_outcome_name(runlog_env_outcome(entry)),
		"tables", json_integer_value(json_object_get(entry, "tables")),
		"counts", json_is_object(json_object_get(entry, "counts"))
			? json_deep_copy(json_object_get(entry, "counts")) : json_object(),
		"errors", json_is_array(errors) ? json_deep_copy(errors) : json_array(),
		"unreached", copy_or_null(json_object_get(entry, "unreached")));
}

/* The run --max-age looks at: the newest of --command, or of schema and
 * data runs. */
static const struct runlog_entry *judged_run(const struct status_opts *o,
					     const struct runlog *l,
					     const char *env)
{
	if (o->command != NULL)
		return runlog_last(l, env, o->command);
	return runlog_last_sync(l, env);
}

/*
 * What is wrong with the judged run `r` (NULL: there is none), in words,
 * or NULL when nothing is. A failed or partial run that is also too old
 * says both: a monitor's reader should not fix one and meet the other.
 */
static char *judge(const struct status_opts *o, const char *env,
		   const struct runlog_entry *r)
{
	struct strbuf sb = STRBUF_INIT;
	char age[32], limit[32];
	json_t *entry;
	json_int_t failed, tables;
	double t;

	if (r == NULL)
		return xasprintf("no %s run recorded here",
				 o->command != NULL ? o->command : "schema or data");
	entry = runlog_env(r, env);
	failed = runlog_env_failed(entry);
	tables = json_integer_value(json_object_get(entry, "tables"));
	switch (runlog_env_outcome(entry)) {
	case RUNLOG_FAILED:
		if (is_set(json_object_get(entry, "unreached")))
			strbuf_addf(&sb, "last %s run %s failed: the server was not "
				    "reached (error %lld)", r->command, r->id,
				    (long long)json_integer_value(json_object_get(
					    json_object_get(entry, "unreached"),
					    "code")));
		else
			strbuf_addf(&sb, "last %s run %s failed: %lld of %lld "
				    "tables failed", r->command, r->id,
				    (long long)failed, (long long)tables);
		break;
	case RUNLOG_PARTIAL:
		strbuf_addf(&sb, "last %s run %s was partial: %lld of %lld tables "
			    "failed", r->command, r->id, (long long)failed,
			    (long long)tables);
		break;
	case RUNLOG_OK:
		break;
	}
	t = run_time(r);
	format_limit(o->max_age, limit, sizeof(limit));
	if (t < 0) {
		strbuf_addf(&sb, "%slast %s run %s has no valid time in its "
			    "manifest", sb.len ? "; " : "", r->command, r->id);
	} else if (o->now - t > o->max_age) {
		duration_format(o->now - t, age, sizeof(age));
		if (sb.len > 0)
			strbuf_addf(&sb, "; it ended %s ago, older than --max-age %s",
				    age, limit);
		else
			strbuf_addf(&sb, "last %s run %s ended %s ago, older than "
				    "--max-age %s", r->command, r->id, age, limit);
	}
	if (sb.len == 0)
		return NULL;
	return strbuf_detach(&sb, NULL);
}

/* One environment's entry; NULL, with the message on stderr and -errno in
 * *err, when a snapshot cannot be read. */
static json_t *env_json(const struct status_opts *o, const struct runlog *l,
			const struct env_config *env, size_t *problems, int *err)
{
	json_t *runs = json_object(), *e;
	const struct runlog_entry *judged;
	char hex[65], why[1200];
	size_t ntables, i;
	int rc;

	rc = schemahash_env(o->out, o->cfg, env, hex, &ntables, why, sizeof(why));
	if (rc != 0) {
		fprintf(stderr, "rhizome: cannot read the snapshot %s\n", why);
		*err = rc;
		json_decref(runs);
		return NULL;
	}
	for (i = 0; i < NCOMMANDS; i++) {
		const struct runlog_entry *r = runlog_last(l, env->name, commands[i]);

		if (r != NULL)
			json_object_set_new(runs, commands[i], run_json(
				r, runlog_env(r, env->name), o->now));
	}
	judged = judged_run(o, l, env->name);
	e = json_pack("{s:o, s:o, s:o, s:o, s:I, s:o, s:o}",
		      "env", jsontext_string(env->name),
		      "folder", jsontext_string(env->folder),
		      "database", jsontext_string(env->database),
		      "schema_hash", ntables > 0 ? json_string(hex) : json_null(),
		      "schema_tables", (json_int_t)ntables,
		      "runs", runs,
		      "judged", judged != NULL ? json_string(judged->command)
					       : json_null());
	if (o->max_age_given) {
		char *problem = judge(o, env->name, judged);

		json_object_set_new(e, "healthy", json_boolean(problem == NULL));
		json_object_set_new(e, "problem", problem != NULL
				    ? jsontext_string(problem) : json_null());
		*problems += problem != NULL;
		free(problem);
	} else {
		json_object_set_new(e, "healthy", json_null());
		json_object_set_new(e, "problem", json_null());
	}
	return e;
}

json_t *status_build(const struct status_opts *o, size_t *problems, int *err)
{
	struct runlog l;
	json_t *envs = NULL, *result = NULL;
	size_t i, unreadable = 0;
	int rc;

	*problems = 0;
	*err = 0;
	rc = runlog_load(o->history, &l);
	if (rc != 0) {
		fprintf(stderr, "rhizome: cannot read the history folder %s: %s\n",
			o->history, strerror(-rc));
		*err = rc;
		goto cleanup;
	}
	for (i = 0; i < l.n; i++)
		unreadable += l.runs[i].manifest == NULL;
	envs = json_array();
	for (i = 0; i < o->nenvs; i++) {
		json_t *e = env_json(o, &l, o->envs[i], problems, err);

		if (e == NULL) {
			*problems = 0;
			goto cleanup;
		}
		json_array_append_new(envs, e);
	}
	/* a run that cannot be read may be any environment's last: a
	 * monitor must not go green over it */
	if (o->max_age_given && unreadable > 0)
		(*problems)++;
	result = json_pack("{s:o, s:b, s:I, s:I, s:o, s:o, s:O, s:I}",
		"history", jsontext_string(o->history),
		"recorded", l.n > 0,
		"runs_recorded", (json_int_t)l.n,
		"unreadable_runs", (json_int_t)unreadable,
		"max_age_s", o->max_age_given
			? json_integer((json_int_t)(o->max_age + 0.5)) : json_null(),
		"command", o->command != NULL ? json_string(o->command) : json_null(),
		"environments", envs,
		"problems", (json_int_t)*problems);
cleanup:
	json_decref(envs);
	runlog_release(&l);
	return result;
}

/* ---- text ------------------------------------------------------------- */

static const char *str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "";
}

/* Characters (not bytes) of UTF-8 text, for columns. */
static size_t text_width(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

/* Write `s` in at most `width` characters: cut short with "..." at a
 * character's start when longer. */
static void put_clipped(FILE *fp, const char *s, size_t width)
{
	size_t n = 0;
	const char *p;

	if (text_width(s) <= width) {
		fputs(s, fp);
		return;
	}
	for (p = s; *p; p++) {
		if (((unsigned char)*p & 0xC0) != 0x80 && n++ == width - 3)
			break;
	}
	fwrite(s, 1, (size_t)(p - s), fp);
	fputs("...", fp);
}

/* Write `s` and a newline, broken at spaces into lines of at most
 * TEXT_WIDTH characters, the lines after the first indented by `indent`
 * (a word longer than a line stands alone on its line). */
static void put_wrapped(FILE *fp, const char *s, size_t indent)
{
	size_t col = 0, lead = 0;

	while (*s) {
		const char *sp = strchr(s, ' ');
		size_t len = sp ? (size_t)(sp - s) : strlen(s);
		char *word = xstrndup(s, len);
		size_t w = text_width(word);

		if (col > lead && col + 1 + w > TEXT_WIDTH) {
			fprintf(fp, "\n%*s", (int)indent, "");
			col = lead = indent;
		} else if (col > lead) {
			fputc(' ', fp);
			col++;
		}
		fputs(word, fp);
		col += w;
		free(word);
		s += len;
		while (*s == ' ')
			s++;
	}
	fputc('\n', fp);
}

/* "2026-12-02 04:17" from a manifest's "2026-12-02T04:17:03Z". */
static void format_finished(const char *iso, char *buf, size_t size)
{
	double t = duration_utc_seconds(iso);
	time_t tt = (time_t)t;
	struct tm tm;

	if (t < 0) {
		snprintf(buf, size, "?");
		return;
	}
	gmtime_r(&tt, &tm);
	strftime(buf, size, "%Y-%m-%d %H:%M", &tm);
}

/* A run's nonzero counts, "4 unchanged, 2 errors", in the manifest's
 * classification order; "no table" when all are zero. */
static char *counts_text(json_t *run)
{
	static const char *const order[] = {
		"new", "unchanged", "trivial", "significant", "missing", "empty",
		"removed", "error",
	};
	json_t *counts = json_object_get(run, "counts");
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		json_int_t n = json_integer_value(json_object_get(counts, order[i]));

		if (n == 0)
			continue;
		strbuf_addf(&sb, "%s%lld %s%s", sb.len ? ", " : "", (long long)n,
			    order[i], strcmp(order[i], "error") == 0 && n > 1
			    ? "s" : "");
	}
	if (sb.len == 0)
		strbuf_adds(&sb, "no table");
	return strbuf_detach(&sb, NULL);
}

/* Column layout of a run line: the command under the environment, then
 * the run, when it ended, how long ago, how it went, what it found. */
#define RUN_FMT "  %-7s  %-20s  %-16s  %-7s  %-7s"

static void text_run(FILE *fp, const char *command, json_t *run)
{
	char finished[32], age[32];
	char *counts = counts_text(run);
	json_t *age_s = json_object_get(run, "age_s");
	json_t *errors = json_object_get(run, "errors"), *e;
	json_t *unreached = json_object_get(run, "unreached");
	size_t i, used;
	char *line;

	format_finished(str(run, "finished_at"), finished, sizeof(finished));
	if (json_is_integer(age_s))
		duration_format((double)json_integer_value(age_s), age, sizeof(age));
	else
		snprintf(age, sizeof(age), "?");
	line = xasprintf(RUN_FMT, command, str(run, "run_id"), finished, age,
			 str(run, "outcome"));
	used = strlen(line);
	/* The counts end the line when they fit; else they get their own,
	 * and the outcome column's padding goes. */
	if (used + 2 + text_width(counts) <= TEXT_WIDTH) {
		fprintf(fp, "%s  %s\n", line, counts);
	} else {
		while (used > 0 && line[used - 1] == ' ')
			line[--used] = '\0';
		fprintf(fp, "%s\n%11s%s\n", line, "", counts);
	}
	free(line);
	free(counts);
	if (is_set(unreached)) {
		line = xasprintf("not reached: %lld %s", (long long)
				       json_integer_value(json_object_get(unreached, "code")),
				       str(unreached, "message"));

		fputs("    ", fp);
		put_clipped(fp, line, TEXT_WIDTH - 4);
		fputc('\n', fp);
		free(line);
	}
	json_array_foreach(errors, i, e) {
		if (i == TEXT_ERRORS) {
			fprintf(fp, "    ... and %zu more (--format json lists them "
				"all)\n", json_array_size(errors) - TEXT_ERRORS);
			break;
		}
		line = xasprintf("! %s: %lld %s", str(e, "table"), (long long)
				 json_integer_value(json_object_get(e, "code")),
				 str(e, "message"));
		fputs("    ", fp);
		put_clipped(fp, line, TEXT_WIDTH - 4);
		fputc('\n', fp);
		free(line);
	}
}

static void text_env(FILE *fp, json_t *env)
{
	const char *hash = str(env, "schema_hash");
	json_t *runs = json_object_get(env, "runs");
	size_t i;

	if (hash[0] != '\0')
		fprintf(fp, "%s  schema hash %.12s (%lld .sql)\n", str(env, "env"),
			hash, (long long)json_integer_value(json_object_get(
				env, "schema_tables")));
	else
		fprintf(fp, "%s  schema hash: no .sql file\n", str(env, "env"));
	for (i = 0; i < NCOMMANDS; i++) {
		json_t *run = json_object_get(runs, commands[i]);

		if (run != NULL)
			text_run(fp, commands[i], run);
	}
	if (json_object_size(runs) == 0)
		fprintf(fp, "  no run recorded here\n");
}

static void text_header(FILE *fp, json_t *status)
{
	json_int_t n = json_integer_value(json_object_get(status, "runs_recorded"));
	json_int_t bad = json_integer_value(json_object_get(status, "unreadable_runs"));

	if (n == 0) {
		fprintf(fp, "History %s: no run is recorded here\n(the history is "
			"local: a fresh clone has none; run `rhizome sync "
			"schema`).\n", str(status, "history"));
		return;
	}
	fprintf(fp, "History %s: %lld run%s recorded", str(status, "history"),
		(long long)n, n == 1 ? "" : "s");
	if (bad > 0)
		fprintf(fp, " (%lld unreadable: `rhizome verify` says why)",
			(long long)bad);
	fputs(".\n", fp);
}

static void text_problems(FILE *fp, json_t *status)
{
	json_t *envs = json_object_get(status, "environments"), *e;
	json_int_t bad = json_integer_value(json_object_get(status, "unreadable_runs"));
	json_int_t n = 0;
	char limit[32];
	size_t i;

	json_array_foreach(envs, i, e)
		n += is_set(json_object_get(e, "problem"));
	if (bad > 0) {
		char *line = xasprintf("%lld run(s) in %s cannot be read, so what "
				       "they say is unknown (`rhizome verify` "
				       "says why)", (long long)bad,
				       str(status, "history"));

		fputc('\n', fp);
		put_wrapped(fp, line, 4);
		free(line);
	}

	format_limit((double)json_integer_value(json_object_get(status, "max_age_s")),
		     limit, sizeof(limit));
	if (n == 0 && bad == 0) {
		fprintf(fp, "\n--max-age %s: %s healthy.\n", limit,
			json_array_size(envs) == 1 ? "the environment is"
			: "every environment is");
		return;
	}
	if (n == 0) {
		fprintf(fp, "\n--max-age %s: not healthy: runs cannot be read.\n",
			limit);
		return;
	}
	fprintf(fp, "\n--max-age %s: %lld of %zu environment%s need%s attention:\n",
		limit, (long long)n, json_array_size(envs),
		json_array_size(envs) == 1 ? "" : "s", n == 1 ? "s" : "");
	json_array_foreach(envs, i, e)
		if (is_set(json_object_get(e, "problem"))) {
			char *line = xasprintf("%s: %s", str(e, "env"),
					       str(e, "problem"));

			put_wrapped(fp, line, 4);
			free(line);
		}
}

int status_text(json_t *status, FILE *fp)
{
	json_t *envs = json_object_get(status, "environments"), *e;
	size_t i;

	text_header(fp, status);
	if (json_array_size(envs) > 0)
		fprintf(fp, "\n" RUN_FMT "  %s\n", "command", "last run",
			"finished (UTC)", "age", "outcome", "counts");
	json_array_foreach(envs, i, e)
		text_env(fp, e);
	if (is_set(json_object_get(status, "max_age_s")))
		text_problems(fp, status);
	return fflush(fp) != 0 || ferror(fp) ? -EIO : 0;
}
