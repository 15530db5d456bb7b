/*
 * verify_files: the plain snapshots of the selected environments' listed
 * tables, each read once (environments sharing a folder and a database
 * share files). A .sql must parse whole and end with ";\n"; a .json must
 * keep the types contract (verify_json.c), read against the .sql beside it;
 * and each must hold what the newest run recording it left there
 * (verify_history.c gathered that evidence). Then the orphans: a .sql or
 * .json in a folder's expected_data that no environment using the folder
 * lists.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine/base/alloc.h"
#include "engine/base/strbuf.h"
#include "engine/base/strsort.h"
#include "engine/base/tmpname.h"
#include "engine/commands/tablefiles.h"
#include "engine/commands/verify_int.h"
#include "engine/store/history.h"
#include "engine/schema/classify.h"
#include "engine/store/snapshot.h"

/* An unparsed line for a message: without its indent, cut to a width a
 * terminal shows. */
static void add_excerpt(struct strbuf *sb, const char *line)
{
	size_t n;

	while (*line == ' ' || *line == '\t')
		line++;
	n = strcspn(line, "\n");
	if (n > 60) {
		strbuf_add(sb, line, 57);
		strbuf_adds(sb, "...");
	} else {
		strbuf_add(sb, line, n);
	}
}

/* Parse a .sql into *m. Returns how much parsed; *m is to be released
 * unless TM_NOT_A_TABLE. */
static enum tm_parsed check_sql(struct verify *v, const struct env_config *env,
				const char *table, const char *path,
				const char *data, size_t len,
				struct table_model *m)
{
	enum tm_parsed p = tablemodel_parse(data, len, m);
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	if (p == TM_NOT_A_TABLE) {
		verify_add(v, "unparsable", path, env->name, table, NULL,
			   "not a CREATE TABLE statement");
		return p;
	}
	if (p == TM_PARTIAL) {
		strbuf_addf(&sb, "%zu part%s not understood: ", m->nunparsed,
			    m->nunparsed == 1 ? "" : "s");
		for (i = 0; i < m->nunparsed; i++) {
			if (i > 0)
				strbuf_adds(&sb, " | ");
			add_excerpt(&sb, m->unparsed[i]);
		}
		if (m->nunparsed == 0)
			strbuf_adds(&sb, "(rendering does not give the text back)");
		verify_add(v, "unparsable", path, env->name, table, NULL, "%s",
			   sb.data);
		strbuf_release(&sb);
		return p;
	}
	if (len < 2 || memcmp(data + len - 2, ";\n", 2) != 0)
		verify_add(v, "unparsable", path, env->name, table, NULL,
			   "does not end with ';' and a newline");
	return p;
}

/* The file (data, NULL when absent) against what the newest run recording
 * it left there. */
static void compare(struct verify *v, const struct env_config *env,
		    const char *table, const char *path, int sql,
		    const char *data, size_t len)
{
	json_t *ev = json_object_get(v->evidence, path);
	const char *status, *run, *who;
	char *body, *want;
	size_t blen, wlen;
	int same;

	if (!json_is_object(ev))
		return; /* no run says, or the one that would is damaged */
	status = json_string_value(json_object_get(ev, "status"));
	run = json_string_value(json_object_get(ev, "run_id"));
	who = json_string_value(json_object_get(ev, "env"));
	if (strcmp(status, "removed") == 0) {
		if (data != NULL)
			verify_add(v, "hand_edited", path, env->name, table, run,
				   "present, but run %s removed the table "
				   "(env %s)", run, who);
		return;
	}
	if (data == NULL) {
		verify_add(v, "hand_edited", path, env->name, table, run,
			   "absent, but run %s left it there (env %s)", run, who);
		return;
	}
	body = history_line_body(ev, &blen);
	if (body == NULL)
		return;
	want = snapshot_file_of(sql, body, blen, &wlen);
	same = wlen == len && memcmp(want, data, len) == 0;
	if (!same && sql && strcmp(status, "trivial") == 0) {
		/* a trivial change is not written (without --write-trivial):
		 * the file need only equal the body after normalization */
		enum change_class c = classify_schema(want, wlen, data, len);

		same = c == CLASS_UNCHANGED || c == CLASS_TRIVIAL;
	}
	if (!same)
		verify_add(v, "hand_edited", path, env->name, table, run,
			   "differs from what run %s wrote (env %s)", run, who);
	free(want);
	free(body);
}

/* Read one plain file; *data NULL when it is absent. Returns 0, or -errno
 * when it is there but cannot be read (then reported). */
static int read_plain(struct verify *v, const struct env_config *env,
		      const char *table, const char *path, char **data,
		      size_t *len)
{
	int rc = snapshot_read(path, data, len);

	if (rc == -ENOENT) {
		*data = NULL;
		return 0;
	}
	if (rc != 0)
		verify_add(v, "unreadable", path, env->name, table, NULL,
			   "cannot read: %s", strerror(-rc));
	return rc;
}

static void check_table(struct verify *v, const struct env_config *env,
			const char *table)
{
	const struct verify_opts *o = v->o;
	char *sql_path = snapshot_table_path(o->out, env->folder, env->database,
					     table, ".sql");
	char *json_path = snapshot_table_path(o->out, env->folder,
					      env->database, table, ".json");
	struct table_model m;
	enum tm_parsed parsed = TM_NOT_A_TABLE;
	char *data = NULL;
	size_t len = 0;

	if (read_plain(v, env, table, sql_path, &data, &len) == 0) {
		if (data != NULL) {
			v->nsql++;
			parsed = check_sql(v, env, table, sql_path, data, len, &m);
		}
		compare(v, env, table, sql_path, 1, data, len);
		free(data);
	}
	if (read_plain(v, env, table, json_path, &data, &len) == 0) {
		if (data != NULL) {
			v->njson++;
			verify_json_file(v, env, table, json_path, data, len,
					 parsed == TM_WHOLE ? &m : NULL, sql_path);
		}
		compare(v, env, table, json_path, 0, data, len);
		free(data);
	}
	if (parsed != TM_NOT_A_TABLE)
		tablemodel_release(&m);
	free(sql_path);
	free(json_path);
}

void verify_plain_files(struct verify *v)
{
	json_t *seen = json_object();
	size_t i, k;

	for (i = 0; i < v->o->nenvs; i++) {
		const struct env_config *env = v->o->envs[i];
		char **tables;
		size_t n = tablefiles_of_env(v->o->out, v->o->cfg, env, &tables);

		for (k = 0; k < n; k++) {
			const char *table = tables[k];
			char *key = snapshot_table_path(v->o->out, env->folder,
							env->database, table, "");

			if (json_object_get(seen, key) == NULL) {
				json_object_set_new(seen, key, json_true());
				check_table(v, env, table);
			}
			free(key);
		}
		tablefiles_free(tables, n);
	}
	json_decref(seen);
}

static int snapshot_like(const char *name)
{
	size_t n = strlen(name);

	return (n > 4 && strcmp(name + n - 4, ".sql") == 0) ||
	       (n > 5 && strcmp(name + n - 5, ".json") == 0);
}

/* Whether `name` is {database}_{table}.sql or .json of the environment
 * of `folder` that owns it (config_file_owner, as every command reads a
 * shared folder) and a table of that one's list. */
static int listed_file(const struct fleet_config *cfg, const char *folder,
		       const char *name)
{
	size_t n = strlen(name);
	const struct env_config *o;
	char *stem;
	int listed;

	if (n > 4 && strcmp(name + n - 4, ".sql") == 0)
		n -= 4;
	else if (n > 5 && strcmp(name + n - 5, ".json") == 0)
		n -= 5;
	else
		return 0;
	stem = xstrndup(name, n);
	o = config_file_owner(cfg, folder, stem);
	listed = o != NULL && n > strlen(o->database) + 1 &&
		 config_list_has(o->tables, stem + strlen(o->database) + 1,
				 n - strlen(o->database) - 1);
	free(stem);
	return listed;
}

static void check_folder(struct verify *v, const char *folder)
{
	char *dir = snapshot_data_dir(v->o->out, folder);
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0, i;

	if (d == NULL) {
		if (errno != ENOENT)
			verify_add(v, "unreadable", dir, NULL, NULL, NULL,
				   "cannot read: %s", strerror(errno));
		free(dir);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0 ||
		    strncmp(de->d_name, TMPNAME_PREFIX,
			    sizeof(TMPNAME_PREFIX) - 1) == 0)
			continue; /* a run's temporary: the next run sweeps it */
		/* only what could be a snapshot: the code kept beside the
		 * data (emplacements, Python's __pycache__) is the user's */
		if (!snapshot_like(de->d_name) ||
		    listed_file(v->o->cfg, folder, de->d_name))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			names = xrealloc(names, cap * sizeof(*names));
		}
		names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), strsort_compare);
	for (i = 0; i < n; i++) {
		char *path = xasprintf("%s/%s", dir, names[i]);

		verify_add(v, "orphan", path, NULL, NULL, NULL,
			   "not the snapshot of any table listed for folder %s",
			   folder);
		free(path);
		free(names[i]);
	}
	free(names);
	free(dir);
}

void verify_orphans(struct verify *v)
{
	json_t *seen = json_object();
	size_t i;

	for (i = 0; i < v->o->nenvs; i++) {
		const char *folder = v->o->envs[i]->folder;

		if (json_object_get(seen, folder) == NULL) {
			json_object_set_new(seen, folder, json_true());
			check_folder(v, folder);
		}
	}
	json_decref(seen);
}
