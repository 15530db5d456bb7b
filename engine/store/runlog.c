/*
 * A run folder is published by one rename with its manifest inside
 * (history.c), so a folder whose manifest cannot be read is damaged, not
 * half-written: it is listed with why, and never judged or pruned.
 */
#include "engine/store/runlog.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/base/alloc.h"
#include "engine/base/duration.h"
#include "engine/store/atomic_file.h"
#include "engine/store/history.h"

/* Run ids are YYYYMMDDTHHMMSSZ-mmm, then ".N" when two runs started in
 * the same millisecond: the stamp sorts as text, the counter as a number. */
static int id_compare(const char *a, const char *b)
{
	const char *da = strchr(a, '.'), *db = strchr(b, '.');
	size_t la = da ? (size_t)(da - a) : strlen(a);
	size_t lb = db ? (size_t)(db - b) : strlen(b);
	int c = strncmp(a, b, la < lb ? la : lb);

	if (c != 0 || la != lb)
		return c != 0 ? c : la < lb ? -1 : 1;
	if ((da == NULL) != (db == NULL))
		return da == NULL ? -1 : 1;
	return da == NULL ? 0 : atol(da + 1) < atol(db + 1) ? -1
			  : atol(da + 1) > atol(db + 1);
}

static int entry_compare(const void *a, const void *b)
{
	return id_compare(((const struct runlog_entry *)a)->id,
			  ((const struct runlog_entry *)b)->id);
}

static void load_manifest(const char *hist, struct runlog_entry *r)
{
	char *path = xasprintf("%s/%s/manifest.json", hist, r->id);
	json_error_t jerr;
	json_t *m = json_load_file(path, 0, &jerr);
	json_t *cmd;

	r->started = r->finished = -1;
	r->command = "";
	if (m != NULL && !json_is_object(m)) {
		json_decref(m);
		m = NULL;
		snprintf(jerr.text, sizeof(jerr.text), "not a JSON object");
	}
	if (m == NULL) {
		if (access(path, F_OK) != 0)
			snprintf(r->why, sizeof(r->why), "%s: %s", path,
				 strerror(errno));
		else
			snprintf(r->why, sizeof(r->why), "%s: not a manifest: %s",
				 path, jerr.text);
		free(path);
		return;
	}
	free(path);
	r->manifest = m;
	cmd = json_object_get(m, "command");
	if (json_is_string(cmd))
		r->command = json_string_value(cmd);
	r->started = duration_utc_seconds(json_string_value(
		json_object_get(m, "started_at")));
	r->finished = duration_utc_seconds(json_string_value(
		json_object_get(m, "finished_at")));
}

int runlog_load(const char *hist, struct runlog *l)
{
	DIR *d;
	struct dirent *de;
	size_t cap = 0, i;

	memset(l, 0, sizeof(*l));
	d = opendir(hist);
	if (d == NULL)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue; /* ., .., temporaries, .gitignore, the lock */
		if (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN)
			continue;
		if (l->n == cap) {
			cap = cap ? cap * 2 : 64;
			l->runs = xrealloc(l->runs, cap * sizeof(*l->runs));
		}
		memset(&l->runs[l->n], 0, sizeof(l->runs[0]));
		l->runs[l->n++].id = xstrdup(de->d_name);
	}
	closedir(d);
	qsort(l->runs, l->n, sizeof(*l->runs), entry_compare);
	for (i = 0; i < l->n; i++)
		load_manifest(hist, &l->runs[i]);
	return 0;
}

void runlog_release(struct runlog *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->runs[i].id);
		json_decref(l->runs[i].manifest);
	}
	free(l->runs);
	memset(l, 0, sizeof(*l));
}

json_t *runlog_env(const struct runlog_entry *r, const char *env)
{
	json_t *e = json_object_get(json_object_get(r->manifest, "environments"),
				    env);

	return json_is_object(e) ? e : NULL;
}

int runlog_env_complete(json_t *entry)
{
	json_t *counts = json_object_get(entry, "counts");
	json_t *errors = json_object_get(entry, "errors");
	json_t *unreached = json_object_get(entry, "unreached");

	return json_is_object(entry) &&
	       json_integer_value(json_object_get(counts, "error")) == 0 &&
	       json_array_size(errors) == 0 &&
	       (unreached == NULL || json_is_null(unreached));
}

json_int_t runlog_env_failed(json_t *entry)
{
	json_int_t n = json_integer_value(json_object_get(
		json_object_get(entry, "counts"), "error"));

	/* counts say none, but errors are listed: they count */
	return n > 0 ? n : (json_int_t)json_array_size(
		json_object_get(entry, "errors"));
}

enum runlog_outcome runlog_env_outcome(json_t *entry)
{
	json_int_t failed = runlog_env_failed(entry);
	json_int_t tables = json_integer_value(json_object_get(entry, "tables"));
	json_t *unreached = json_object_get(entry, "unreached");

	/* an entry that does not say what came of its tables (edited by
	 * hand, or not a manifest of ours) is no success */
	if (!json_is_object(entry) || !json_is_integer(json_object_get(entry, "tables")) ||
	    !json_is_integer(json_object_get(json_object_get(entry, "counts"), "error")))
		return RUNLOG_FAILED;
	if ((unreached != NULL && !json_is_null(unreached)) ||
	    (failed > 0 && failed >= tables))
		return RUNLOG_FAILED;
	return failed > 0 ? RUNLOG_PARTIAL : RUNLOG_OK;
}

const char *runlog_outcome_name(enum runlog_outcome o)
{
	static const char *const names[] = { "ok", "partial", "failed" };

	return (unsigned)o < 3 ? names[o] : "?";
}

static int matches(const struct runlog_entry *r, const char *env,
		   const char *command)
{
	if (r->manifest == NULL)
		return 0;
	if (command != NULL && strcmp(r->command, command) != 0)
		return 0;
	return env == NULL || runlog_env(r, env) != NULL;
}

const struct runlog_entry *runlog_last(const struct runlog *l, const char *env,
				       const char *command)
{
	size_t i;

	for (i = l->n; i-- > 0;)
		if (matches(&l->runs[i], env, command))
			return &l->runs[i];
	return NULL;
}

const char *runlog_kind(const struct runlog_entry *r)
{
	const char *kind = r->command;

	if (strcmp(kind, "restore") == 0)
		kind = json_string_value(json_object_get(r->manifest, "kind"));
	return kind != NULL && (strcmp(kind, "schema") == 0 ||
				strcmp(kind, "data") == 0) ? kind : NULL;
}

const struct runlog_entry *runlog_last_sync(const struct runlog *l,
					    const char *env)
{
	const struct runlog_entry *s = runlog_last(l, env, "schema");
	const struct runlog_entry *d = runlog_last(l, env, "data");

	if (s == NULL || d == NULL)
		return s != NULL ? s : d;
	return d > s ? d : s; /* entries are in time order */
}

const struct runlog_entry *runlog_find(const struct runlog *l, const char *id,
				       const char *env, const char *command)
{
	size_t i;

	if (strcmp(id, "latest") == 0)
		return runlog_last(l, env, command);
	for (i = 0; i < l->n; i++)
		if (strcmp(l->runs[i].id, id) == 0)
			return &l->runs[i];
	return NULL;
}

/* Mark the newest run of each (command, environment), and the newest in
 * which that environment was complete. */
static void keep_last_of_each(const struct runlog *l, unsigned char *keep)
{
	size_t i, j;

	for (i = 0; i < l->n; i++) {
		json_t *envs = json_object_get(l->runs[i].manifest, "environments");
		const char *name;
		json_t *entry;

		json_object_foreach(envs, name, entry) {
			int newest = 1, newest_complete = runlog_env_complete(entry);

			for (j = i + 1; j < l->n && (newest || newest_complete); j++) {
				json_t *later = runlog_env(&l->runs[j], name);

				if (later == NULL || strcmp(l->runs[j].command,
							    l->runs[i].command) != 0)
					continue;
				newest = 0;
				if (runlog_env_complete(later))
					newest_complete = 0;
			}
			if (newest || newest_complete)
				keep[i] = 1;
		}
	}
}

size_t runlog_plan_prune(const struct runlog *l, size_t keep_newest,
			 double not_before, unsigned char *keep)
{
	size_t i, removed = 0;

	for (i = 0; i < l->n; i++) {
		const struct runlog_entry *r = &l->runs[i];

		keep[i] = r->manifest == NULL || (not_before > 0 && r->started < 0) ||
			  (keep_newest > 0 && i + keep_newest >= l->n) ||
			  (not_before > 0 && r->started >= not_before) ||
			  (keep_newest == 0 && not_before <= 0);
	}
	keep_last_of_each(l, keep);
	for (i = 0; i < l->n; i++)
		removed += !keep[i];
	return removed;
}

int runlog_remove(const char *hist, const char *id)
{
	char *from = history_run_dir(hist, id);
	char *to = xasprintf("%s/%s%s", hist, HISTORY_TMP_PREFIX, id);
	DIR *d;
	struct dirent *de;
	int rc = 0;

	if (rename(from, to) != 0)
		rc = -errno;
	if (rc == 0)
		rc = atomic_fsync_dir(hist);
	/* Gone under its name: what is left is a temporary the next run's
	 * sweep would remove anyway, so a failure from here on is not one
	 * the caller has to undo. */
	if (rc == 0 && (d = opendir(to)) != NULL) {
		while ((de = readdir(d)) != NULL)
			if (strcmp(de->d_name, ".") != 0 &&
			    strcmp(de->d_name, "..") != 0)
				unlinkat(dirfd(d), de->d_name, 0);
		closedir(d);
		rmdir(to);
	}
	free(from);
	free(to);
	return rc;
}
