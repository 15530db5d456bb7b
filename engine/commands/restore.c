/*
 * An environment's lines are all read before anything is written, so a
 * damaged history file restores nothing of that environment rather than
 * part of it. Each file is written with atomic_write_file (restores are
 * rare and small next to a sync: no batching).
 */
#include "engine/commands/restore.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/base/alloc.h"
#include "engine/base/duration.h"
#include "engine/base/jsontext.h"
#include "engine/base/version.h"
#include "engine/commands/histline.h"
#include "engine/schema/classify.h"
#include "engine/store/atomic_file.h"
#include "engine/store/history.h"
#include "engine/store/snapshot.h"

/* What one line of the restored run says a plain file held. */
struct target {
	char *table;
	int remove;             /* the run removed the table's file */
	char *body;             /* the body, decoded; NULL when remove */
	size_t body_len;
};

struct read_ctx {
	const struct restore_opts *o;
	const struct env_config *env;
	unsigned char *seen;    /* per --table: some environment has it */
	const char *kind;
	struct target *v;
	size_t n, cap;
	int bad;                /* lines that are not JSON or not decodable */
};

static int wanted_table(struct read_ctx *c, const char *table)
{
	size_t i;

	for (i = 0; i < c->o->ntables; i++)
		if (strcmp(c->o->tables[i], table) == 0) {
			c->seen[i] = 1;
			return 1;
		}
	return c->o->ntables == 0;
}

/* Whether `table` is one of the environment's listed tables: a history
 * file is as editable as any, and only a listed name, checked by the
 * config, is sure to make a path inside the snapshot root. */
static int listed(const struct env_config *env, const char *table)
{
	return config_list_has(env->tables, table, strlen(table));
}

/* Add what a table's file should be: its body (caller's, taken), or
 * absent. */
static void add_target(struct read_ctx *c, const char *table, int remove,
		       char *body, size_t body_len)
{
	struct target t = { xstrdup(table), remove, body, body_len };

	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 32;
		c->v = xrealloc(c->v, c->cap * sizeof(*c->v));
	}
	c->v[c->n++] = t;
}

/* history_read callback: keep the lines that say what a file held (a
 * run has one line per table). A line naming no listed table, or whose
 * body is not the one its sha256 names, counts as bad: nothing of the
 * environment is restored then. */
static int collect(const char *line, size_t len, void *arg)
{
	struct read_ctx *c = arg;
	json_t *l = json_loadb(line, len, 0, NULL);
	const char *table, *status, *kind;
	char *body = NULL;
	size_t body_len = 0;
	int remove;

	if (l == NULL) {
		c->bad++;
		return 0;
	}
	table = json_string_value(json_object_get(l, "table"));
	status = json_string_value(json_object_get(l, "status"));
	kind = json_string_value(json_object_get(l, "kind"));
	if (table == NULL || status == NULL || kind == NULL ||
	    !listed(c->env, table)) {
		c->bad++;
		json_decref(l);
		return 0;
	}
	if (strcmp(kind, c->kind) != 0 || !wanted_table(c, table) ||
	    strcmp(status, "empty") == 0 || strcmp(status, "error") == 0) {
		json_decref(l);
		return 0;
	}
	remove = strcmp(status, "removed") == 0;
	if (!remove) {
		body = history_line_body(l, &body_len);
		if (body == NULL || !history_body_matches(l, body, body_len)) {
			free(body);
			c->bad++;
			json_decref(l);
			return 0;
		}
	}
	add_target(c, table, remove, body, body_len);
	json_decref(l);
	return 0;
}

/* The tables the run found absent with no file (its manifest's
 * "missing"): absent again, so restoring a run undoes a restore that put
 * one back. */
static void add_missing(struct read_ctx *c, json_t *entry)
{
	json_t *t;
	size_t i;

	json_array_foreach(json_object_get(entry, "missing"), i, t)
		if (json_is_string(t) && listed(c->env, json_string_value(t)) &&
		    wanted_table(c, json_string_value(t)))
			add_target(c, json_string_value(t), 1, NULL, 0);
}

static void free_targets(struct read_ctx *c)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		free(c->v[i].table);
		free(c->v[i].body);
	}
	free(c->v);
}

/* This restore's history line for one table. Returns 0 or -errno. */
static int record(history *h, size_t env_index, const struct env_config *env,
		  const char *table, const char *kind, enum change_class cls,
		  const char *from, const char *body, size_t len)
{
	struct histline hl = { .env = env->name, .database = env->database,
			       .table = table, .kind = kind,
			       .status = classify_name(cls),
			       .restored_from = from };
	struct strbuf line = STRBUF_INIT;
	int rc;

	histline_with_body(&line, &hl, body, len);
	rc = history_append(h, env_index, line.data, line.len);
	strbuf_release(&line);
	return rc;
}

struct env_result {
	unsigned counts[CLASS_COUNT];
	json_t *removed;        /* table names */
};

/* Apply one target; returns the class, CLASS_COUNT when there was nothing
 * to do (a removed table whose file is already gone), CLASS_ERROR with
 * *err set on a local failure. */
static enum change_class apply(const struct restore_opts *o, history *h,
			       size_t env_index, const struct env_config *env,
			       const char *kind, const struct target *t,
			       const char *path, int *err)
{
	int schema = strcmp(kind, "schema") == 0;
	char *old = NULL, *fresh = NULL;
	size_t old_len = 0, fresh_len = 0;
	enum change_class cls;
	int rc = snapshot_read(path, &old, &old_len);

	*err = 0;
	if (rc != 0 && rc != -ENOENT) {
		*err = rc;
		return CLASS_ERROR;
	}
	if (t->remove) {
		if (old == NULL)
			return CLASS_COUNT;
		cls = CLASS_REMOVED;
		if (!o->dry_run) {
			rc = record(h, env_index, env, t->table, kind, cls,
				    o->from->id, old,
				    snapshot_body_len(schema, old, old_len));
			if (rc == 0)
				rc = atomic_remove_file(path);
		}
		free(old);
		*err = rc;
		return rc != 0 ? CLASS_ERROR : cls;
	}
	fresh = snapshot_file_of(schema, t->body, t->body_len, &fresh_len);
	cls = schema ? classify_schema(fresh, fresh_len, old, old_len)
		     : classify_data(fresh, fresh_len, old, old_len);
	if (!o->dry_run) {
		rc = record(h, env_index, env, t->table, kind, cls, o->from->id,
			    t->body, t->body_len);
		if (rc == 0 && cls != CLASS_UNCHANGED) {
			char *dir = snapshot_data_dir(o->out, env->folder);

			rc = atomic_mkdirs(dir);
			free(dir);
			if (rc == 0)
				rc = atomic_write_file(path, fresh, fresh_len);
		}
	}
	free(old);
	free(fresh);
	*err = rc;
	return rc != 0 ? CLASS_ERROR : cls;
}

/* The summary's list for a class, by its name. */
static json_t *list_of(json_t *s, enum change_class cls)
{
	return json_object_get(s, classify_name(cls));
}

static json_t *manifest_env(const struct env_config *env, struct env_result *er,
			    json_t *errors)
{
	json_t *counts = json_object();
	size_t k;

	for (k = 0; k < CLASS_COUNT; k++)
		json_object_set_new(counts, classify_name((enum change_class)k),
				    json_integer(er->counts[k]));
	return json_pack("{s:s, s:s, s:s, s:I, s:o, s:[], s:o, s:[], s:o, "
			 "s:n, s:n}", "folder", env->folder, "database",
			 env->database, "schema", env->schema, "tables",
			 (json_int_t)(er->counts[CLASS_NEW] +
				      er->counts[CLASS_UNCHANGED] +
				      er->counts[CLASS_TRIVIAL] +
				      er->counts[CLASS_SIGNIFICANT] +
				      er->counts[CLASS_REMOVED]),
			 "counts", counts, "missing", "removed", er->removed,
			 "empty", "errors", errors, "server", "unreached");
}

enum sync_outcome restore_run(const struct restore_opts *o, json_t **summary)
{
	const char *kind = runlog_kind(o->from);
	static const enum change_class listed[] = {
		CLASS_NEW, CLASS_TRIVIAL, CLASS_SIGNIFICANT, CLASS_UNCHANGED,
		CLASS_REMOVED,
	};
	enum sync_outcome outcome = SYNC_DONE;
	const char **names = xcalloc(o->nenvs + 1, sizeof(*names));
	json_t *s = json_object(), *errors = json_array(), *menvs = json_object();
	unsigned char *seen = xcalloc(o->ntables + 1, 1);
	json_t *not_in_run = json_array();
	history *h = NULL;
	size_t i, k;
	int rc = 0;

	if (kind == NULL)
		kind = "schema";
	json_object_set_new(s, "command", json_string("restore"));
	json_object_set_new(s, "run_id", json_string(o->run_id));
	json_object_set_new(s, "restored_from", jsontext_string(o->from->id));
	json_object_set_new(s, "kind", json_string(kind));
	json_object_set_new(s, "dry_run", json_boolean(o->dry_run));
	for (k = 0; k < sizeof(listed) / sizeof(listed[0]); k++)
		json_object_set_new(s, classify_name(listed[k]), json_array());
	for (i = 0; i < o->nenvs; i++)
		names[i] = o->envs[i]->name;
	if (!o->dry_run) {
		rc = history_open(o->history, o->run_id, names, o->nenvs, &h);
		if (rc != 0) {
			fprintf(stderr, "rhizome: cannot start the run history "
				"under %s: %s\n", o->history, strerror(-rc));
			outcome = SYNC_IO_FAILED;
		}
	}
	for (i = 0; i < o->nenvs && outcome != SYNC_IO_FAILED; i++) {
		const struct env_config *env = o->envs[i];
		struct read_ctx c = { .o = o, .env = env, .seen = seen,
				      .kind = kind };
		struct env_result er = { .removed = json_array() };
		json_t *env_errors = json_array();
		char why[800];
		size_t t;
		int unreached;

		rc = history_read(o->history, o->from->id, env->name, collect, &c,
				  why, sizeof(why));
		if (rc == 0 && c.bad == 0)
			add_missing(&c, runlog_env(o->from, env->name));
		unreached = rc == 0 && c.bad == 0 && json_is_object(json_object_get(
			runlog_env(o->from, env->name), "unreached"));
		if (rc != 0 || c.bad > 0 || unreached) {
			char msg[1200];

			if (unreached)
				snprintf(msg, sizeof(msg), "nothing of it restored: "
					 "run %s did not reach this environment",
					 o->from->id);
			else
				snprintf(msg, sizeof(msg), "nothing of it restored: "
					 "the history of run %s cannot be read: %s",
					 o->from->id, rc != 0 ? why : "damaged (lines "
					 "that are not JSON, name no listed table, or "
					 "whose body is not the one their sha256 names)");
			fprintf(stderr, "rhizome: %s: %s\n", env->name, msg);
			json_array_append_new(errors, json_pack("{s:s, s:i, s:o}",
				"env", env->name, "code", 0, "message",
				jsontext_string(msg)));
			json_array_append_new(env_errors, json_pack("{s:n, s:i, s:o}",
				"table", "code", 0, "message", jsontext_string(msg)));
			er.counts[CLASS_ERROR]++;
			outcome = SYNC_PARTIAL;
			/* restore nothing of a half-read file */
			free_targets(&c);
			memset(&c, 0, sizeof(c));
		}
		for (t = 0; t < c.n && outcome != SYNC_IO_FAILED; t++) {
			char *path = snapshot_table_path(o->out, env->folder,
				env->database, c.v[t].table,
				strcmp(kind, "schema") == 0 ? ".sql" : ".json");
			int err;
			enum change_class cls = apply(o, h, i, env, kind, &c.v[t],
						      path, &err);

			if (cls == CLASS_ERROR) {
				fprintf(stderr, "rhizome: cannot restore %s: %s\n",
					path, strerror(-err));
				json_array_append_new(errors, json_pack(
					"{s:s, s:o, s:i, s:o}", "env", env->name,
					"table", jsontext_string(c.v[t].table),
					"code", 0, "message", json_sprintf(
						"cannot restore %s: %s", path,
						strerror(-err))));
				outcome = SYNC_IO_FAILED;
			} else if (cls == CLASS_REMOVED) {
				er.counts[cls]++;
				json_array_append_new(er.removed,
						      jsontext_string(c.v[t].table));
				json_array_append_new(list_of(s, cls), json_pack(
					"{s:s, s:o, s:o}", "env", env->name,
					"table", jsontext_string(c.v[t].table),
					"path", jsontext_string(path)));
			} else if (cls != CLASS_COUNT) {
				er.counts[cls]++;
				json_array_append_new(list_of(s, cls),
						      jsontext_string(path));
			}
			free(path);
		}
		json_object_set_new(menvs, env->name, manifest_env(env, &er,
								    env_errors));
		free_targets(&c);
	}
	for (k = 0; k < sizeof(listed) / sizeof(listed[0]); k++) {
		char key[32];

		snprintf(key, sizeof(key), "%s_count", classify_name(listed[k]));
		json_object_set_new(s, key, json_integer((json_int_t)
			json_array_size(list_of(s, listed[k]))));
	}
	/* a --table the run never recorded: likely a typo, said */
	for (i = 0; i < o->ntables && outcome != SYNC_IO_FAILED; i++)
		if (!seen[i]) {
			fprintf(stderr, "rhizome: warning: --table %s: run %s "
				"recorded no %s of it in the environments "
				"restored\n", o->tables[i], o->from->id, kind);
			json_array_append_new(not_in_run,
					      jsontext_string(o->tables[i]));
		}
	json_object_set_new(s, "not_in_run", not_in_run);
	free(seen);
	json_object_set_new(s, "error_count",
			    json_integer((json_int_t)json_array_size(errors)));
	json_object_set_new(s, "errors", errors);
	/* Published even after a write failed: what was applied is then
	 * recorded, so it can be undone like any restore. */
	if (h != NULL) {
		struct timespec end;
		char started[32], finished[32];
		json_t *m;

		clock_gettime(CLOCK_REALTIME, &end);
		duration_format_utc(&o->started, started, sizeof(started));
		duration_format_utc(&end, finished, sizeof(finished));
		m = json_pack("{s:s, s:s, s:s, s:o, s:s, s:s, s:s, s:O}",
			      "run_id", o->run_id, "command", "restore", "kind",
			      kind, "restored_from", jsontext_string(o->from->id),
			      "started_at", started, "finished_at", finished,
			      "tool_version", RHIZOME_VERSION, "environments",
			      menvs);
		rc = history_publish(h, m);
		h = NULL;
		json_decref(m);
		if (rc != 0) {
			fprintf(stderr, "rhizome: cannot publish the run history "
				"under %s: %s\n", o->history, strerror(-rc));
			outcome = SYNC_IO_FAILED;
		} else {
			json_object_set_new(s, "history", json_sprintf("%s/%s",
				o->history, o->run_id));
		}
	}
	history_abandon(h);
	json_decref(menvs);
	free(names);
	*summary = s;
	return outcome;
}
