/*
 * What a sync run tells: the summary on stdout (SPEC's shape, plus drift
 * for check and ordering for data) and the manifest published with the
 * run's history. Built by the main thread from the tables' results once the
 * workers are gone, so nothing here takes a lock.
 */
#include "engine/commands/sync_int.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "engine/base/duration.h"
#include "engine/base/jsontext.h"
#include "engine/base/version.h"
#include "environments/tablelist.h"

void sync_format_error(struct strbuf *sb, const struct env_run *e,
		       const char *table, const struct table_result *res,
		       int verbose)
{
	if (res->unreached)
		strbuf_addf(sb, "%s: not reached, no table fetched: ", e->cfg->name);
	else
		strbuf_addf(sb, "%s: table %s: ", e->cfg->name, table);
	if (res->err->code != 0)
		strbuf_addf(sb, "error %u", res->err->code);
	else
		strbuf_adds(sb, "local error");
	if (verbose && res->err->sqlstate[0] && res->err->code != 0)
		strbuf_addf(sb, " (SQLSTATE %s)", res->err->sqlstate);
	strbuf_addf(sb, ": %s", res->err->message);
	if (verbose && res->statement != NULL && !res->unreached)
		strbuf_addf(sb, "; statement: %s", res->statement);
}

/* --follow-keys: per environment whose keys were walked, the levels of
 * its key graph read and the key values found (keyfollow.h). */
static json_t *build_followed(struct run *r)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < r->nenvs; i++)
		if (r->envs[i].kf != NULL)
			json_array_append_new(a, json_pack(
				"{s:o, s:i, s:I}", "env",
				jsontext_string(r->envs[i].cfg->name), "levels",
				(int)keyfollow_levels(r->envs[i].kf), "keys",
				(json_int_t)keyfollow_keys(r->envs[i].kf)));
	return a;
}

/* Data: the tables whose first rows are not in primary-key order, and
 * what order they are in instead. */
static json_t *build_ordering(struct run *r)
{
	json_t *list = json_array();
	size_t i, j;

	for (i = 0; i < r->nenvs; i++) {
		struct env_run *e = &r->envs[i];

		for (j = 0; j < e->ntables && e->key_of != NULL; j++) {
			const struct table_key *k = e->key_of[j];
			struct table_result *res = &e->results[j];
			json_t *by;

			if (!res->done || (k != NULL && k->primary) ||
			    res->cls == CLASS_MISSING || res->cls == CLASS_REMOVED ||
			    res->cls == CLASS_ERROR)
				continue;
			by = k != NULL
				? json_sprintf("unique key %s", k->index)
				: json_string("as the server returns them (no "
					      "primary or unique key)");
			json_array_append_new(list, json_pack(
				"{s:s, s:s, s:o}", "env", e->cfg->name,
				"table", e->tables[j], "order", by));
		}
	}
	return list;
}

static const char *command_name(const struct run *r)
{
	return r->o->command == SYNC_DATA ? "data"
	       : r->o->command == SYNC_CHECK ? "check"
	       : r->o->command == SYNC_TABLES ? "tables" : "schema";
}

size_t sync_unlisted_count(const struct env_run *e)
{
	size_t k, n = 0;

	for (k = 0; k < e->catalog.n; k++)
		n += tablelist_unlisted(e->cfg->tables, e->catalog.names[k]);
	return n;
}

/* The tables `e`'s server has that no list covers, or null when its
 * tables are not known (not reached). */
static json_t *unlisted_of(const struct env_run *e)
{
	json_t *list;
	size_t k;

	if (!e->catalog.known)
		return json_null();
	list = json_array();
	for (k = 0; k < e->catalog.n; k++)
		if (tablelist_unlisted(e->cfg->tables, e->catalog.names[k]))
			json_array_append_new(list, jsontext_string(
				e->catalog.names[k]));
	return list;
}

/* Every unlisted table of the run, as {env, table}. */
static void add_unlisted(struct run *r, json_t *summary)
{
	json_t *list = json_array();
	size_t i, k;

	for (i = 0; i < r->nenvs; i++) {
		json_t *names = unlisted_of(&r->envs[i]);
		json_t *name;

		json_array_foreach(names, k, name)
			json_array_append_new(list, json_pack(
				"{s:s, s:O}", "env", r->envs[i].cfg->name,
				"table", name));
		json_decref(names);
	}
	json_object_set_new(summary, "unlisted_count",
			    json_integer((json_int_t)json_array_size(list)));
	json_object_set_new(summary, "unlisted", list);
}

/* Whether `e` answered about table `t` of its list: it was fetched, or
 * found absent (an error says nothing either way). */
static int answered(const struct env_run *e, size_t j)
{
	return e->results[j].done && e->results[j].cls != CLASS_ERROR;
}

/* How table or glob `name` of list `tl` fared in the environments of the
 * run that use that list: *asked counts those that answered, the result
 * how many of them have it. */
static size_t present_in(struct run *r, const struct table_list *tl,
			 const char *name, size_t literal_index, int glob,
			 size_t *asked)
{
	size_t i, j, have = 0;

	*asked = 0;
	for (i = 0; i < r->nenvs; i++) {
		struct env_run *e = &r->envs[i];

		if (e->cfg->tables != tl)
			continue;
		if (glob) {
			if (!e->catalog.known)
				continue;
			(*asked)++;
			have += tablelist_matches(name, (const char *const *)
						  e->catalog.names,
						  e->catalog.n) > 0;
			continue;
		}
		/* literal names come first, in the list's order
		 * (plan_tables, tablelist_expand) */
		j = literal_index;
		if (j >= e->ntables || e->tables[j] != name || !answered(e, j))
			continue;
		(*asked)++;
		have += e->results[j].cls != CLASS_MISSING &&
			e->results[j].cls != CLASS_REMOVED;
	}
	return have;
}

void sync_warn_absent(struct run *r, json_t *summary)
{
	const struct fleet_config *cfg = r->o->cfg;
	json_t *list = json_array();
	size_t l, k, asked;

	if (r->o->command == SYNC_TABLES) {
		json_decref(list);
		return;
	}
	for (l = 0; l < cfg->nlists; l++) {
		const struct table_list *tl = &cfg->lists[l];

		for (k = 0; k < tl->neffective + tl->npatterns; k++) {
			int glob = k >= tl->neffective;
			const char *name = glob ? tl->patterns[k - tl->neffective]
						: tl->effective[k];
			char line[600];

			if (present_in(r, tl, name, k, glob, &asked) > 0 ||
			    asked == 0)
				continue;
			json_array_append_new(list, json_pack(
				"{s:s, s:s, s:I}", "database", tl->database,
				glob ? "pattern" : "table", name,
				"environments", (json_int_t)asked));
			snprintf(line, sizeof(line), "rhizome: warning: %s:%d: "
				 "[tables %s]: %s '%s' %s the %zu "
				 "environment(s) that answered (a typo?)",
				 cfg->path, tl->line, tl->database,
				 glob ? "glob" : "table", name,
				 glob ? "matches no table in any of"
				      : "exists in none of", asked);
			fprintf(stderr, "%s\n", line);
		}
	}
	json_object_set_new(summary, "absent", list);
}

/* rhizome tables: what each environment's server has. */
static json_t *tables_summary(struct run *r, json_t *s)
{
	json_t *envs = json_object(), *errors = json_array();
	size_t i, k;

	for (i = 0; i < r->nenvs; i++) {
		struct env_run *e = &r->envs[i];
		json_t *names = json_null();

		if (e->catalog.known) {
			names = json_array();
			for (k = 0; k < e->catalog.n; k++)
				json_array_append_new(names, jsontext_string(
					e->catalog.names[k]));
		} else {
			json_array_append_new(errors, json_pack(
				"{s:s, s:i, s:o, s:b}", "env", e->cfg->name,
				"code", (int)e->lookup_err.code, "message",
				jsontext_string(e->lookup_err.message),
				"unreached", e->lookup_unreached));
		}
		json_object_set_new(envs, e->cfg->name, json_pack(
			"{s:s, s:s, s:o}", "database", e->cfg->database,
			"schema", e->cfg->schema, "tables", names));
	}
	json_object_set_new(s, "environments", envs);
	json_object_set_new(s, "error_count",
			    json_integer((json_int_t)json_array_size(errors)));
	json_object_set_new(s, "errors", errors);
	return s;
}

/* check: every drifted pair with its severity and changes. */
static void add_drift(struct run *r, json_t *summary)
{
	json_t *list = json_array();
	size_t i, j;

	for (i = 0; i < r->nenvs; i++) {
		struct env_run *e = &r->envs[i];

		for (j = 0; j < e->ntables; j++) {
			const struct schema_diff *d = &e->results[j].drift;

			if (!e->results[j].done || d->n == 0)
				continue;
			json_array_append_new(list, json_pack(
				"{s:s, s:s, s:o, s:s, s:o}", "env", e->cfg->name,
				"table", e->tables[j], "path",
				jsontext_string(e->results[j].path), "severity",
				schemadiff_severity_name(d->max), "changes",
				schemadiff_json(d)));
		}
	}
	json_object_set_new(summary, "drift_count",
			    json_integer((json_int_t)json_array_size(list)));
	json_object_set_new(summary, "drift", list);
}

/* Table j of `e` was not fetched because `e` could not be reached: one
 * error for the environment (*entry, made on its first such table),
 * listing every such table, not one copy of the connect error per table. */
static void add_unreached(json_t *errors, json_t **entry,
			  const struct env_run *e, size_t j)
{
	const struct table_result *res = &e->results[j];

	if (*entry == NULL) {
		*entry = json_pack("{s:s, s:n, s:i, s:o, s:[]}", "env",
				   e->cfg->name, "table", "code",
				   (int)res->err->code, "message",
				   jsontext_string(res->err->message),
				   "tables_not_fetched");
		json_array_append_new(errors, *entry);
	}
	json_array_append_new(json_object_get(*entry, "tables_not_fetched"),
			      jsontext_string(e->tables[j]));
}

json_t *sync_build_summary(struct run *r, long long elapsed_ms)
{
	static const char *const list_keys[CLASS_COUNT] = {
		[CLASS_NEW] = "new", [CLASS_TRIVIAL] = "trivial",
		[CLASS_SIGNIFICANT] = "significant",
		[CLASS_UNCHANGED] = "unchanged",
	};
	static const enum change_class order[] = {
		CLASS_NEW, CLASS_TRIVIAL, CLASS_SIGNIFICANT, CLASS_UNCHANGED,
		CLASS_MISSING, CLASS_REMOVED, CLASS_EMPTY, CLASS_ERROR,
	};
	json_t *s = json_object();
	json_t *lists[CLASS_COUNT];
	unsigned counts[CLASS_COUNT] = { 0 };
	size_t i, j, k;
	char key[32];

	json_object_set_new(s, "command", json_string(command_name(r)));
	json_object_set_new(s, "run_id", json_string(r->o->run_id));
	json_object_set_new(s, "elapsed_ms", json_integer(elapsed_ms));
	if (r->o->command == SYNC_TABLES)
		return tables_summary(r, s);
	for (k = 0; k < CLASS_COUNT; k++)
		lists[k] = json_array();
	for (i = 0; i < r->nenvs; i++) {
		struct env_run *e = &r->envs[i];
		json_t *unreached = NULL; /* borrowed from the errors list */

		for (j = 0; j < e->ntables; j++) {
			struct table_result *res = &e->results[j];

			if (!res->done)
				continue;
			counts[res->cls]++;
			if (list_keys[res->cls] != NULL)
				json_array_append_new(lists[res->cls],
						      jsontext_string(res->path));
			else if (res->cls == CLASS_REMOVED)
				json_array_append_new(lists[res->cls], json_pack(
					"{s:s, s:s, s:o}", "env", e->cfg->name,
					"table", e->tables[j], "path",
					jsontext_string(res->path)));
			else if (res->cls == CLASS_ERROR && res->unreached)
				add_unreached(lists[res->cls], &unreached, e, j);
			else if (res->cls == CLASS_ERROR)
				json_array_append_new(lists[res->cls], json_pack(
					"{s:s, s:s, s:i, s:o, s:i}", "env", e->cfg->name,
					"table", e->tables[j], "code",
					(int)res->err->code, "message",
					jsontext_string(res->err->message),
					"attempts", (int)res->attempts));
			else
				json_array_append_new(lists[res->cls], json_pack(
					"{s:s, s:s}", "env", e->cfg->name,
					"table", e->tables[j]));
		}
	}
	for (k = 0; k < sizeof(order) / sizeof(order[0]); k++) {
		snprintf(key, sizeof(key), "%s_count", classify_name(order[k]));
		json_object_set_new(s, key, json_integer(counts[order[k]]));
	}
	for (k = 0; k < sizeof(order) / sizeof(order[0]); k++) {
		const char *name = order[k] == CLASS_ERROR
					   ? "errors" : classify_name(order[k]);

		json_object_set_new(s, name, lists[order[k]]);
	}
	add_unlisted(r, s);
	if (r->o->command == SYNC_CHECK)
		add_drift(r, s);
	if (r->o->command == SYNC_CHECK && r->o->unlisted_drift)
		json_object_set_new(s, "unlisted_drift", json_true());
	else if (r->o->command != SYNC_CHECK)
		json_object_set_new(s, "dry_run", json_boolean(r->o->dry_run));
	if (r->o->command == SYNC_DATA)
		json_object_set_new(s, "ordering", build_ordering(r));
	if (r->o->command == SYNC_DATA) {
		json_t *followed = build_followed(r);

		if (json_array_size(followed) > 0)
			json_object_set_new(s, "followed", followed);
		else
			json_decref(followed);
	}
	return s;
}

/* What the environment's server is, as its first answered batch saw it
 * (null when none was): which server a snapshot came from, and whether
 * the connection was encrypted. */
static json_t *server_json(const struct run *r, const struct env_run *e)
{
	enum tls_mode tls = r->o->tls ? r->o->tls[e->index] : e->cfg->tls.mode;

	if (!e->server_known)
		return json_null();
	return json_pack("{s:o, s:o, s:s, s:o}",
			 "version", jsontext_string(e->server_version),
			 "hostname", jsontext_string(e->server_hostname),
			 "tls", config_tls_name(tls),
			 "tls_cipher", e->tls_cipher[0]
				 ? json_string(e->tls_cipher) : json_null());
}

json_t *sync_build_manifest(struct run *r, const struct timespec *end)
{
	char started[32], finished[32];
	json_t *m, *envs;
	size_t i, k;

	duration_format_utc(&r->o->started, started, sizeof(started));
	duration_format_utc(end, finished, sizeof(finished));
	envs = json_object();
	for (i = 0; i < r->nenvs; i++) {
		struct env_run *e = &r->envs[i];
		json_t *counts = json_object();

		json_t *missing = json_array(), *empty = json_array();
		json_t *removed = json_array();
		json_t *errors = json_array(), *unreached = json_null();
		size_t j;

		for (k = 0; k < CLASS_COUNT; k++)
			json_object_set_new(counts, classify_name((enum change_class)k),
					    json_integer(e->counts[k]));
		/* Named, so `sync report` can tell a table that does not exist
		 * (or has no rows) from one that was never synced. */
		for (j = 0; j < e->ntables; j++) {
			if (!e->results[j].done)
				continue;
			if (e->results[j].unreached && json_is_null(unreached)) {
				json_decref(unreached);
				unreached = json_pack("{s:i, s:o}", "code",
						      (int)e->results[j].err->code,
						      "message", jsontext_string(
							      e->results[j].err->message));
			} else if (e->results[j].cls == CLASS_ERROR &&
				   !e->results[j].unreached) {
				/* the run's record of what failed, without
				 * stdout (RELIABILITY 28) */
				json_array_append_new(errors, json_pack(
					"{s:o, s:i, s:o, s:i}", "table",
					jsontext_string(e->tables[j]), "code",
					(int)e->results[j].err->code, "message",
					jsontext_string(e->results[j].err->message),
					"attempts", (int)e->results[j].attempts));
			}
			if (e->results[j].cls == CLASS_MISSING)
				json_array_append_new(missing, json_string(e->tables[j]));
			else if (e->results[j].cls == CLASS_REMOVED)
				json_array_append_new(removed, json_string(e->tables[j]));
			else if (e->results[j].cls == CLASS_EMPTY)
				json_array_append_new(empty, json_string(e->tables[j]));
		}
		json_object_set_new(envs, e->cfg->name, json_pack(
			"{s:s, s:s, s:s, s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
			"folder", e->cfg->folder, "database", e->cfg->database,
			"schema", e->cfg->schema, "tables", (json_int_t)e->ntables,
			"counts", counts, "missing", missing, "removed", removed,
			"empty", empty,
			"errors", errors, "server", server_json(r, e),
			"unreached", unreached, "unlisted", unlisted_of(e)));
	}
	m = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o}", "run_id", r->o->run_id,
		      "command", r->o->command == SYNC_DATA ? "data" : "schema",
		      "started_at", started,
		      "finished_at", finished, "tool_version", RHIZOME_VERSION,
		      "environments", envs);
	return m;
}
