/*
 * The run's manifest says which environments it covered and which tables
 * were missing then; its {env}.jsonl.zst holds each fetched table's text.
 * Only schema runs can be compared: a data run's bodies are rows.
 */
#include "engine/commands/histdiff.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/base/alloc.h"
#include "engine/base/jsontext.h"
#include "engine/commands/tablefiles.h"
#include "engine/schema/classify.h"
#include "engine/schema/tablemodel.h"
#include "engine/store/history.h"
#include "engine/store/snapshot.h"

/* history_read callback: collect {table: body} of schema lines that say
 * what the server had (a `removed` line's body is the deleted file's: the
 * server had no table); a line that is not JSON is counted under "" (the
 * caller reports it). */
static int collect(const char *line, size_t len, void *arg)
{
	json_t *bodies = arg, *l = json_loadb(line, len, 0, NULL);

	if (l == NULL) {
		json_t *bad = json_object_get(bodies, "");

		json_object_set_new(bodies, "", json_integer(
			json_integer_value(bad) + 1));
		return 0;
	}
	json_t *kind = json_object_get(l, "kind"), *body = json_object_get(l, "body");
	json_t *table = json_object_get(l, "table");
	const char *status = json_string_value(json_object_get(l, "status"));

	if (json_is_string(kind) && strcmp(json_string_value(kind), "schema") == 0 &&
	    json_is_string(table) && json_is_string(body) &&
	    (status == NULL || strcmp(status, "removed") != 0))
		json_object_set(bodies, json_string_value(table), body);
	json_decref(l);
	return 0;
}

static void add_error(json_t *errors, const char *env, const char *table,
		      const char *message)
{
	json_array_append_new(errors, json_pack("{s:s, s:s?, s:i, s:o}",
		"env", env, "table", table, "code", 0,
		"message", jsontext_string(message)));
}

/* Compare one table; append a drift entry to `drift` when it drifted.
 * Returns the class (unchanged, trivial, significant, ...), CLASS_ERROR
 * when the committed file cannot be read, CLASS_COUNT when the run did not
 * fetch it. */
static enum change_class compare(const struct histdiff_opts *o,
				 const struct env_config *env, const char *table,
				 json_t *body, int was_missing, json_t *drift,
				 json_t *errors)
{
	char *path = snapshot_table_path(o->out, env->folder, env->database,
					 table, ".sql");
	char *old = NULL, *fresh = NULL;
	size_t old_len = 0, fresh_len = 0;
	struct schema_diff d;
	enum change_class cls = CLASS_COUNT;
	int rc;

	memset(&d, 0, sizeof(d));
	rc = snapshot_read(path, &old, &old_len);
	if (rc != 0 && rc != -ENOENT) {
		char msg[1200];

		snprintf(msg, sizeof(msg), "cannot read %s: %s", path, strerror(-rc));
		add_error(errors, env->name, table, msg);
		free(path);
		return CLASS_ERROR;
	}
	if (body != NULL) {
		fresh = snapshot_file_of(1, json_string_value(body),
					 json_string_length(body), &fresh_len);
		cls = classify_schema(fresh, fresh_len, old, old_len);
		if (cls == CLASS_NEW)
			schemadiff_compare(NULL, &(struct table_model){ .name =
					   (char *)table }, NULL, &d);
		else if (cls == CLASS_SIGNIFICANT)
			schemadiff_compare_text(old, old_len, fresh, fresh_len,
						&o->diff, &d);
	} else if (old != NULL && was_missing) {
		cls = CLASS_MISSING;
		schemadiff_compare(&(struct table_model){ .name = (char *)table },
				   NULL, NULL, &d);
	}
	if (d.n > 0)
		json_array_append_new(drift, json_pack(
			"{s:s, s:s, s:o, s:s, s:o}", "env", env->name, "table",
			table, "path", jsontext_string(path), "severity",
			schemadiff_severity_name(d.max), "changes",
			schemadiff_json(&d)));
	schemadiff_release(&d);
	free(path);
	free(old);
	free(fresh);
	return cls;
}

/* The tables of `env` to compare: its list's names and what its globs
 * match among the files (tablefiles_of_env), and among the tables the
 * run recorded (`bodies`: table -> body), so a table the run had whose
 * file is gone since still counts. Caller frees (tablefiles_free). */
static char **run_tables(const struct histdiff_opts *o,
			 const struct env_config *env, json_t *bodies, size_t *n)
{
	char **names;
	const char *t;
	json_t *body, *seen;
	size_t k;

	*n = tablefiles_of_env(o->out, o->cfg, env, &names);
	if (env->tables->npatterns == 0)
		return names;
	seen = json_object(); /* the names so far, for lookups */
	for (k = 0; k < *n; k++)
		json_object_set_new(seen, names[k], json_true());
	json_object_foreach(bodies, t, body) {
		(void)body;
		if (!config_list_has(env->tables, t, strlen(t)) ||
		    json_object_get(seen, t) != NULL ||
		    /* a run from before ownership was checked may have
		     * recorded another environment's file */
		    tablefiles_owned_elsewhere(o->cfg, env, t))
			continue;
		names = xrealloc(names, (*n + 1) * sizeof(*names));
		names[(*n)++] = xstrdup(t);
	}
	json_decref(seen);
	return names;
}

json_t *histdiff_build(const struct histdiff_opts *o, enum sync_outcome *outcome)
{
	char *dir = history_run_dir(o->history, o->run_id), *mpath = NULL;
	json_t *manifest, *envs, *drift, *errors, *summary, *cmd;
	size_t i, k, unchanged = 0, trivial = 0;

	*outcome = SYNC_DONE;
	mpath = xasprintf("%s/manifest.json", dir);
	manifest = json_load_file(mpath, 0, NULL);
	free(mpath);
	cmd = json_object_get(manifest, "command");
	if (manifest == NULL || !json_is_string(cmd) ||
	    strcmp(json_string_value(cmd), "schema") != 0) {
		fprintf(stderr, "rhizome: --against %s: no published schema run "
			"at %s\n", o->run_id, dir);
		json_decref(manifest);
		free(dir);
		return NULL;
	}
	free(dir);
	envs = json_object_get(manifest, "environments");
	if (!json_is_object(envs)) {
		fprintf(stderr, "rhizome: --against %s: its manifest lists no "
			"environments\n", o->run_id);
		json_decref(manifest);
		return NULL;
	}
	for (i = 0; i < o->nenvs; i++)
		if (json_object_get(envs, o->envs[i]->name) == NULL &&
		    o->nenvs < o->cfg->nenvs) {
			/* asked for by name: say it is not there */
			fprintf(stderr, "rhizome: --against %s: that run did not "
				"sync environment %s\n", o->run_id,
				o->envs[i]->name);
			json_decref(manifest);
			return NULL;
		}
	drift = json_array();
	errors = json_array();
	for (i = 0; i < o->nenvs; i++) {
		const struct env_config *env = o->envs[i];
		json_t *entry = json_object_get(envs, env->name);
		json_t *bodies = json_object();
		char why[800], **names;
		size_t nnames;
		int rc;

		if (entry == NULL) {
			json_decref(bodies);
			continue; /* that run did not cover it */
		}
		if (json_is_object(json_object_get(entry, "unreached"))) {
			char msg[1200];

			/* nothing to compare with is no "no drift" */
			snprintf(msg, sizeof(msg), "run %s did not reach this "
				 "environment (%s): nothing to compare with",
				 o->run_id, json_string_value(json_object_get(
					 json_object_get(entry, "unreached"),
					 "message")) ?: "?");
			add_error(errors, env->name, NULL, msg);
			json_decref(bodies);
			continue;
		}
		rc = history_read(o->history, o->run_id, env->name, collect, bodies,
				  why, sizeof(why));
		if (rc != 0 || json_object_get(bodies, "") != NULL) {
			char msg[1200];

			snprintf(msg, sizeof(msg), "the history of run %s cannot be "
				 "read: %s", o->run_id, rc != 0 ? why
				 : "damaged (lines that are not JSON)");
			add_error(errors, env->name, NULL, msg);
			json_decref(bodies);
			continue;
		}
		names = run_tables(o, env, bodies, &nnames);
		for (k = 0; k < nnames; k++) {
			const char *t = names[k];
			enum change_class c = compare(o, env, t,
				json_object_get(bodies, t),
				jsontext_list_has(json_object_get(entry, "missing"), t) ||
				jsontext_list_has(json_object_get(entry, "removed"), t),
				drift, errors);

			unchanged += c == CLASS_UNCHANGED;
			trivial += c == CLASS_TRIVIAL;
			if (c == CLASS_COUNT && !jsontext_list_has(json_object_get(
				entry, "missing"), t) && !jsontext_list_has(
				json_object_get(entry, "removed"), t)) {
				char msg[600];

				snprintf(msg, sizeof(msg), "run %s did not fetch it "
					 "(it failed there): nothing to compare with",
					 o->run_id);
				add_error(errors, env->name, t, msg);
			}
		}
		tablefiles_free(names, nnames);
		json_decref(bodies);
	}
	if (json_array_size(errors) > 0)
		*outcome = SYNC_PARTIAL;
	else if (json_array_size(drift) > 0)
		*outcome = SYNC_DRIFTED;
	summary = json_pack("{s:s, s:s, s:I, s:I, s:I, s:o, s:I, s:o}",
			    "command", "diff", "run_id", o->run_id,
			    "unchanged_count", (json_int_t)unchanged,
			    "trivial_count", (json_int_t)trivial,
			    "error_count", (json_int_t)json_array_size(errors),
			    "errors", errors,
			    "drift_count", (json_int_t)json_array_size(drift),
			    "drift", drift);
	json_decref(manifest);
	return summary;
}
