/*
 * A run's outcome is read from its manifest (runlog_env_outcome), the
 * worst of its environments'.
 */
#include "engine/commands/runs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/base/alloc.h"
#include "engine/base/jsontext.h"
#include "engine/store/history.h"

static int covers(const struct runlog_entry *r, const char *const *envs,
		  size_t nenvs)
{
	size_t i;

	for (i = 0; i < nenvs; i++)
		if (runlog_env(r, envs[i]) != NULL)
			return 1;
	return nenvs == 0;
}

json_t *runs_list(const struct runlog *l, const char *hist,
		  const char *const *envs, size_t nenvs, const char *command)
{
	json_t *runs = json_array();
	size_t i;

	for (i = 0; i < l->n; i++) {
		const struct runlog_entry *r = &l->runs[i];
		json_t *menvs = json_object_get(r->manifest, "environments");
		json_t *names = json_array(), *sum = json_object(), *entry;
		const char *name;
		int worst = 0;
		json_int_t nerrors = 0;

		if (r->manifest == NULL) {
			if (nenvs == 0 && command == NULL)
				json_array_append_new(runs, json_pack(
					"{s:o, s:s, s:o}", "run_id",
					jsontext_string(r->id), "outcome",
					"unreadable", "why", jsontext_string(r->why)));
			json_decref(names);
			json_decref(sum);
			continue;
		}
		if ((command != NULL && strcmp(r->command, command) != 0) ||
		    !covers(r, envs, nenvs)) {
			json_decref(names);
			json_decref(sum);
			continue;
		}
		json_object_foreach(menvs, name, entry) {
			json_t *counts = json_object_get(entry, "counts"), *v;
			const char *k;
			int o = (int)runlog_env_outcome(entry);

			json_array_append_new(names, json_string(name));
			json_object_foreach(counts, k, v)
				json_object_set_new(sum, k, json_integer(
					json_integer_value(json_object_get(sum, k)) +
					json_integer_value(v)));
			/* tables that failed, as status counts them: an
			 * unreached environment lists one error for all */
			nerrors += runlog_env_failed(entry);
			if (o > worst)
				worst = o;
		}
		json_array_append_new(runs, json_pack(
			"{s:o, s:s, s:O?, s:O?, s:O?, s:o, s:o, s:I, s:s}",
			"run_id", jsontext_string(r->id), "command", r->command,
			"restored_from", json_object_get(r->manifest, "restored_from"),
			"started_at", json_object_get(r->manifest, "started_at"),
			"finished_at", json_object_get(r->manifest, "finished_at"),
			"environments", names, "counts", sum, "errors", nerrors,
			"outcome", runlog_outcome_name((enum runlog_outcome)worst)));
	}
	return json_pack("{s:o, s:I, s:b, s:o}", "history", jsontext_string(hist),
			 "recorded", (json_int_t)l->n, "filtered",
			 nenvs > 0 || command != NULL, "runs", runs);
}

/* A string member for printing: "?" when a hand-edited manifest lacks
 * it (never NULL into printf). */
static const char *str(json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));

	return v != NULL ? v : "?";
}

/* "2026-12-02T04:35:10Z" as "2026-12-02 04:35", as status prints it. */
static const char *short_time(const char *iso, char *buf, size_t size)
{
	if (strlen(iso) == 20 && iso[10] == 'T')
		snprintf(buf, size, "%.10s %.5s", iso, iso + 11);
	else
		snprintf(buf, size, "%s", iso);
	return buf;
}

int runs_list_text(json_t *list, FILE *fp)
{
	json_t *runs = json_object_get(list, "runs"), *r;
	size_t i;

	if (json_array_size(runs) == 0 &&
	    json_integer_value(json_object_get(list, "recorded")) > 0)
		fprintf(fp, "No run in %s matches (%lld recorded).\n",
			str(list, "history"), (long long)json_integer_value(
				json_object_get(list, "recorded")));
	else if (json_array_size(runs) == 0)
		fprintf(fp, "No run is recorded in %s (the history is local: a "
			"fresh clone has none).\n",
			str(list, "history"));
	else
		fprintf(fp, "%-22s %-8s %-16s %4s %6s %6s  %s\n", "run", "command",
			"finished (UTC)", "envs", "tables", "errors", "outcome");
	json_array_foreach(runs, i, r) {
		json_t *counts = json_object_get(r, "counts"), *v;
		const char *k;
		json_int_t tables = 0;
		const char *from = json_string_value(json_object_get(r, "restored_from"));
		char when[32];

		json_object_foreach(counts, k, v)
			tables += json_integer_value(v);
		if (json_object_get(r, "command") == NULL) {
			fprintf(fp, "%-22s %-8s %s\n",
				str(r, "run_id"), "?",
				str(r, "why"));
			continue;
		}
		fprintf(fp, "%-22s %-8s %-16s %4zu %6lld %6lld  %s",
			str(r, "run_id"),
			str(r, "command"),
			short_time(str(r, "finished_at"), when, sizeof(when)),
			json_array_size(json_object_get(r, "environments")),
			(long long)tables,
			(long long)json_integer_value(json_object_get(r, "errors")),
			str(r, "outcome"));
		if (from != NULL)
			fprintf(fp, " (restored %s)", from);
		fputc('\n', fp);
	}
	return fflush(fp) != 0 || ferror(fp) ? -EIO : 0;
}

struct show_ctx {
	json_t *lines;
};

/* history_read callback: the line without its body. */
static int keep_line(const char *line, size_t len, void *arg)
{
	struct show_ctx *s = arg;
	json_t *l = json_loadb(line, len, 0, NULL);

	if (l == NULL) {
		json_array_append_new(s->lines, json_pack("{s:s}", "status",
							  "not JSON"));
		return 0;
	}
	json_object_del(l, "body");
	json_object_del(l, "body_base64");
	json_object_del(l, "env");
	json_object_del(l, "database");
	json_array_append_new(s->lines, l);
	return 0;
}

json_t *runs_show(const struct runlog_entry *r, const char *hist)
{
	json_t *shown = json_deep_copy(r->manifest);
	json_t *envs = json_object_get(r->manifest, "environments"), *entry;
	json_t *tables = json_object(), *unreadable = json_object();
	const char *name;

	json_object_foreach(envs, name, entry) {
		struct show_ctx s = { json_array() };
		char why[800];

		if (history_read(hist, r->id, name, keep_line, &s, why,
				 sizeof(why)) != 0)
			json_object_set_new(unreadable, name, jsontext_string(why));
		json_object_set_new(tables, name, s.lines);
	}
	json_object_set_new(shown, "tables", tables);
	json_object_set_new(shown, "unreadable", unreadable);
	json_object_set_new(shown, "path", json_sprintf("%s/%s", hist, r->id));
	return shown;
}

/* "  missing: a, b" when `list` has names. */
static void print_names(FILE *fp, const char *what, json_t *list)
{
	json_t *t;
	size_t i;

	if (json_array_size(list) == 0)
		return;
	fprintf(fp, "  %s:", what);
	json_array_foreach(list, i, t)
		fprintf(fp, "%s %s", i ? "," : "",
			json_is_string(t) ? json_string_value(t) : "?");
	fputc('\n', fp);
}

int runs_show_text(json_t *shown, FILE *fp)
{
	json_t *envs = json_object_get(shown, "environments"), *entry;
	json_t *tables = json_object_get(shown, "tables");
	json_t *unreadable = json_object_get(shown, "unreadable");
	const char *name;

	fprintf(fp, "run %s: %s", str(shown, "run_id"),
		str(shown, "command"));
	if (json_is_string(json_object_get(shown, "restored_from")))
		fprintf(fp, " of run %s", json_string_value(
				json_object_get(shown, "restored_from")));
	fprintf(fp, " (rhizome %s)\n  %s to %s\n  %s\n",
		str(shown, "tool_version"),
		str(shown, "started_at"),
		str(shown, "finished_at"),
		str(shown, "path"));
	json_object_foreach(envs, name, entry) {
		json_t *counts = json_object_get(entry, "counts"), *v, *line;
		json_t *unreached = json_object_get(entry, "unreached");
		const char *k;
		size_t i;

		fprintf(fp, "\n%s (%s): %s", name,
			str(entry, "folder"),
			runlog_outcome_name(runlog_env_outcome(entry)));
		json_object_foreach(counts, k, v)
			if (json_integer_value(v) > 0)
				fprintf(fp, ", %lld %s", (long long)json_integer_value(v), k);
		fputc('\n', fp);
		if (json_is_object(unreached))
			fprintf(fp, "  not reached: %s\n", str(unreached, "message"));
		/* absent tables have no line of their own: the manifest
		 * names them */
		print_names(fp, "missing", json_object_get(entry, "missing"));
		if (json_object_get(unreadable, name) != NULL)
			fprintf(fp, "  history unreadable: %s\n", json_string_value(
					json_object_get(unreadable, name)));
		json_array_foreach(json_object_get(tables, name), i, line) {
			const char *sha = json_string_value(json_object_get(line, "sha256"));
			const char *msg = json_string_value(json_object_get(line, "message"));

			/* 12 digits of the digest tell bodies apart at a
			 * glance; --format json has all 64 */
			fprintf(fp, "  %-12s %-6s %-36s %.*s\n",
				str(line, "status"),
				str(line, "kind"), str(line, "table"),
				msg ? 400 : 12, msg ? msg : sha ? sha : "");
		}
	}
	return fflush(fp) != 0 || ferror(fp) ? -EIO : 0;
}

json_t *runs_prune(const struct runlog *l, const char *hist, size_t keep_newest,
		   double not_before, int dry_run, int *err)
{
	unsigned char *keep = xcalloc(l->n ? l->n : 1, 1);
	json_t *removed = json_array();
	size_t i, kept = 0;

	*err = 0;
	runlog_plan_prune(l, keep_newest, not_before, keep);
	for (i = 0; i < l->n; i++) {
		int rc;

		if (keep[i]) {
			kept++;
			continue;
		}
		rc = dry_run ? 0 : runlog_remove(hist, l->runs[i].id);
		if (rc != 0) {
			fprintf(stderr, "rhizome: cannot remove run %s/%s: %s\n",
				hist, l->runs[i].id, strerror(-rc));
			*err = rc;
			kept += l->n - i;
			break;
		}
		json_array_append_new(removed, jsontext_string(l->runs[i].id));
	}
	free(keep);
	return json_pack("{s:o, s:I, s:b}", "removed", removed, "kept",
			 (json_int_t)kept, "dry_run", dry_run);
}

int runs_prune_text(json_t *pruned, FILE *fp)
{
	json_t *removed = json_object_get(pruned, "removed"), *id;
	int dry = json_is_true(json_object_get(pruned, "dry_run"));
	size_t i;

	json_array_foreach(removed, i, id)
		fprintf(fp, "%s %s\n", dry ? "would remove" : "removed",
			json_string_value(id));
	fprintf(fp, "%s%zu run(s), kept %lld (the newest, and the last run "
		"and last complete run of every command and environment)\n",
		dry ? "would remove " : "removed ", json_array_size(removed),
		(long long)json_integer_value(json_object_get(pruned, "kept")));
	return fflush(fp) != 0 || ferror(fp) ? -EIO : 0;
}
