/*
 * verify_history: the run history checked, and read for evidence.
 *
 * Each published run's manifest must read. Each frame it names for a
 * selected environment must exist, decompress whole (zstd checks the
 * content checksum when the frame ends), hold one JSON object per line
 * whose body matches the line's sha256, and have the sha256 and size the
 * manifest gives it.
 *
 * history_read hands lines over before the checksum at the frame's end has
 * been checked, so a frame's lines are kept aside and become evidence only
 * once the whole frame has read back sound. A damaged frame leaves its
 * environment's files unknown for the kind its run recorded: older runs
 * cannot say what the newest one left there.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/base/alloc.h"
#include "engine/base/base64.h"
#include "engine/base/sha256.h"
#include "engine/commands/tablefiles.h"
#include "engine/commands/verify_int.h"
#include "engine/store/history.h"
#include "engine/store/runlog.h"
#include "engine/store/snapshot.h"

/* One frame being read. */
struct frame_read {
	json_t *lines;          /* the sound lines, in order */
	size_t lineno;
	size_t bad;             /* lines that are not */
	char first_bad[256];    /* what is wrong with the first of them */
};

/* Whether a line's body is the one its sha256 names. A line without a
 * digest (an `error` line) has no body to check. */
static int body_sound(json_t *line)
{
	char *body;
	size_t len;
	int sound;

	if (json_object_get(line, "sha256") == NULL)
		return 1;
	body = history_line_body(line, &len);
	sound = body != NULL && history_body_matches(line, body, len);
	free(body);
	return sound;
}

static void note_bad(struct frame_read *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void note_bad(struct frame_read *r, const char *fmt, ...)
{
	va_list ap;

	if (r->bad++ > 0)
		return;
	va_start(ap, fmt);
	vsnprintf(r->first_bad, sizeof(r->first_bad), fmt, ap);
	va_end(ap);
}

/* history_read callback. Reads on to the frame's end whatever it finds,
 * so that zstd still checks the checksum. */
static int take_line(const char *line, size_t len, void *arg)
{
	struct frame_read *r = arg;
	json_error_t jerr;
	json_t *l = json_loadb(line, len, 0, &jerr);

	r->lineno++;
	if (l == NULL || !json_is_object(l)) {
		note_bad(r, "line %zu is not a JSON object%s%s", r->lineno,
			 l == NULL ? ": " : "", l == NULL ? jerr.text : "");
		json_decref(l);
		return 0;
	}
	if (!body_sound(l)) {
		const char *t = json_string_value(json_object_get(l, "table"));

		note_bad(r, "line %zu (table %s): its body does not match its "
			 "sha256", r->lineno, t ? t : "?");
		json_decref(l);
		return 0;
	}
	json_array_append_new(r->lines, l);
	return 0;
}

/* "PATH: what" -> "what": the finding names the path already. */
static const char *without_path(const char *why, const char *path)
{
	size_t n = strlen(path);

	if (strncmp(why, path, n) == 0 && why[n] == ':' && why[n + 1] == ' ')
		return why + n + 2;
	return why;
}

/* sha256 and size of a whole file. Returns 0 or -errno. */
static int file_digest(const char *path, char hex[65], json_int_t *bytes)
{
	struct sha256 s = SHA256_INIT;
	char buf[65536];
	FILE *fp = fopen(path, "rb");
	size_t got;
	int rc = 0;

	*bytes = 0;
	if (fp == NULL)
		return -errno;
	sha256_init(&s);
	while ((got = fread(buf, 1, sizeof(buf), fp)) > 0) {
		sha256_update(&s, buf, got);
		*bytes += (json_int_t)got;
	}
	if (ferror(fp))
		rc = -EIO;
	fclose(fp);
	sha256_final_hex(&s, hex);
	sha256_release(&s);
	return rc;
}

/* Whether a run of `command` records files of kind `ext` (".sql" or
 * ".json"); a restore says which kind it restored in its manifest. */
static int records(const struct runlog_entry *run, const char *ext)
{
	const char *kind = runlog_kind(run);

	if (kind == NULL)
		return 1; /* cannot tell: assume it might have */
	return strcmp(ext, strcmp(kind, "schema") == 0 ? ".sql" : ".json") == 0;
}

/* A frame of `env` could not be read: what its run left in the
 * environment's files is unknown, whatever older runs say. */
static void forget(struct verify *v, const struct env_config *env,
		   const struct runlog_entry *run)
{
	static const char *const exts[] = { ".sql", ".json" };
	char **tables;
	size_t i, k, n = tablefiles_of_env(v->o->out, v->o->cfg, env, &tables);

	for (k = 0; k < 2; k++) {
		if (!records(run, exts[k]))
			continue;
		for (i = 0; i < n; i++) {
			char *path = snapshot_table_path(v->o->out, env->folder,
							 env->database, tables[i],
							 exts[k]);

			json_object_set_new(v->evidence, path, json_null());
			free(path);
		}
	}
	tablefiles_free(tables, n);
}

/* Whether a line's status says what its file held afterwards. empty and
 * error say nothing of it; missing had no file to speak of. */
static int is_evidence(const char *status)
{
	static const char *const says[] = { "new", "unchanged", "trivial",
					    "significant", "removed" };
	size_t i;

	for (i = 0; status != NULL && i < sizeof(says) / sizeof(says[0]); i++)
		if (strcmp(status, says[i]) == 0)
			return 1;
	return 0;
}

/* A sound frame's lines become the newest evidence of their files. */
static void remember(struct verify *v, const struct env_config *env,
		     const struct runlog_entry *run, json_t *lines)
{
	json_t *l;
	size_t i;

	json_array_foreach(lines, i, l) {
		const char *table = json_string_value(json_object_get(l, "table"));
		const char *kind = json_string_value(json_object_get(l, "kind"));
		const char *ext;
		char *path;

		if (table == NULL || kind == NULL || !config_name_is_safe(table) ||
		    !is_evidence(json_string_value(json_object_get(l, "status"))))
			continue;
		if (strcmp(kind, "schema") == 0)
			ext = ".sql";
		else if (strcmp(kind, "data") == 0)
			ext = ".json";
		else
			continue;
		json_object_set_new(l, "run_id", json_string(run->id));
		json_object_set_new(l, "env", json_string(env->name));
		path = snapshot_table_path(v->o->out, env->folder, env->database,
					   table, ext);
		json_object_set(v->evidence, path, l);
		free(path);
	}
}

/* The manifest's sha256 and size for a frame against the file's. */
static void check_digest(struct verify *v, const struct runlog_entry *run,
			 const char *env, json_t *entry, const char *path,
			 const char *hex, json_int_t bytes)
{
	const char *want = json_string_value(json_object_get(entry, "sha256"));
	json_t *want_bytes = json_object_get(entry, "bytes");

	if (want == NULL || !json_is_integer(want_bytes)) {
		char *mpath = xasprintf("%s/%s/manifest.json", v->o->history,
					run->id);

		verify_add(v, "manifest", mpath, env, NULL, run->id,
			   "gives no sha256 and size for %s.jsonl.zst", env);
		free(mpath);
	} else if (strcmp(hex, want) != 0) {
		verify_add(v, "digest_mismatch", path, env, NULL, run->id,
			   "sha256 %s, but manifest.json says %s", hex, want);
	} else if (bytes != json_integer_value(want_bytes)) {
		verify_add(v, "digest_mismatch", path, env, NULL, run->id,
			   "%" JSON_INTEGER_FORMAT " bytes, but manifest.json "
			   "says %" JSON_INTEGER_FORMAT, bytes,
			   json_integer_value(want_bytes));
	}
}

static void check_frame(struct verify *v, const struct runlog_entry *run,
			const struct env_config *env, json_t *entry)
{
	struct frame_read r = { .lines = json_array() };
	char *path = xasprintf("%s/%s/%s.jsonl.zst", v->o->history, run->id,
			       env->name);
	char hex[65], why[1024 + 4096];
	json_int_t bytes;
	int rc = file_digest(path, hex, &bytes);

	if (rc != 0) {
		if (rc == -ENOENT)
			verify_add(v, "damaged", path, env->name, NULL, run->id,
				   "missing: manifest.json names it");
		else
			verify_add(v, "damaged", path, env->name, NULL, run->id,
				   "cannot read: %s", strerror(-rc));
		forget(v, env, run);
		goto out;
	}
	v->nframes++;
	rc = history_read(v->o->history, run->id, env->name, take_line, &r,
			  why, sizeof(why));
	if (rc != 0 || r.bad > 0) {
		if (rc != 0)
			verify_add(v, "damaged", path, env->name, NULL, run->id,
				   "%s", without_path(why, path));
		else
			verify_add(v, "damaged", path, env->name, NULL, run->id,
				   "%s%s", r.first_bad,
				   r.bad > 1 ? " (and more lines)" : "");
		forget(v, env, run);
		goto out;
	}
	/* whole and sound: a digest that differs points at the manifest or
	 * a swapped file, not at the lines, which zstd vouched for */
	check_digest(v, run, env->name, entry, path, hex, bytes);
	remember(v, env, run, r.lines);
out:
	json_decref(r.lines);
	free(path);
}

static void check_run(struct verify *v, const struct runlog_entry *run)
{
	json_t *envs, *entry;
	const char *name;

	if (run->manifest == NULL) {
		char *mpath = xasprintf("%s/%s/manifest.json", v->o->history,
					run->id);

		verify_add(v, "manifest", mpath, NULL, NULL, run->id, "%s",
			   without_path(run->why, mpath));
		free(mpath);
		return;
	}
	envs = json_object_get(run->manifest, "environments");
	if (!json_is_object(envs)) {
		char *mpath = xasprintf("%s/%s/manifest.json", v->o->history,
					run->id);

		verify_add(v, "manifest", mpath, NULL, NULL, run->id,
			   "names no environments");
		free(mpath);
		return;
	}
	json_object_foreach(envs, name, entry) {
		const struct env_config *env = verify_selected(v, name);

		if (env != NULL)
			check_frame(v, run, env, entry);
	}
}

int verify_history(struct verify *v)
{
	struct runlog l;
	size_t i;
	int rc = runlog_load(v->o->history, &l);

	if (rc == 0) {
		/* oldest first: each run's evidence replaces its elders' */
		v->nruns = l.n;
		for (i = 0; i < l.n; i++)
			check_run(v, &l.runs[i]);
	}
	runlog_release(&l);
	return rc;
}
