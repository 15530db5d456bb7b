/*
 * One table's pipeline, on the worker that fetched it: render what the
 * plain file would hold (schema text, or the rows as JSON, masked), read
 * the committed file, classify the change, batch the write, append the
 * history line. Whatever goes wrong becomes the table's result; a local
 * write failure also stops the run (SYNC_IO_FAILED).
 *
 * The table's result is written only here, by the job owning the table,
 * so it needs no lock (sync_int.h).
 */
#include "engine/commands/sync_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/base/alloc.h"
#include "engine/rows/mask.h"
#include "engine/rows/rowjson.h"
#include "engine/commands/histline.h"
#include "engine/store/snapshot.h"

void sync_set_error(struct table_result *res, const struct connpool_error *err)
{
	res->cls = CLASS_ERROR;
	free(res->err);
	res->err = xmalloc(sizeof(*res->err));
	*res->err = *err;
}

void sync_free_error(struct table_result *res)
{
	free(res->err);
	res->err = NULL;
}

static void local_error(struct table_result *res, const char *what,
			const char *path, int err)
{
	struct connpool_error e = { .code = 0, .sqlstate = "-----" };

	snprintf(e.message, sizeof(e.message), "%s %s: %s", what, path,
		 strerror(-err));
	sync_set_error(res, &e);
}

/* The names of this table's history line (histline.h). */
static struct histline line_of(const struct run *r, const struct env_run *e,
			       const char *table, const char *status)
{
	struct histline h = {
		.env = e->cfg->name, .database = e->cfg->database,
		.table = table, .status = status,
		.kind = r->o->command == SYNC_DATA ? "data" : "schema",
	};

	return h;
}

/* Append this table's history line, built in `line` (the worker's).
 * Returns 0 or -errno. */
static int record_history(struct run *r, struct env_run *e, const char *table,
			  enum change_class cls, const char *body, size_t len,
			  struct strbuf *line)
{
	struct histline h = line_of(r, e, table, classify_name(cls));

	histline_with_body(line, &h, body, len);
	return history_append(r->hist, e->index, line->data, line->len);
}

/* A table that failed gets a history line too, so the run's history alone
 * tells what became of every table (RELIABILITY 28): its error and
 * attempts, no body. Returns 0 or -errno. */
static int record_failure(struct run *r, struct env_run *e, const char *table,
			  const struct table_result *res, struct strbuf *line)
{
	struct histline h = line_of(r, e, table, "error");

	histline_start(line, &h);
	strbuf_addf(line, ",\"code\":%u,\"message\":", res->err->code);
	/* not checked text: a message cut to its buffer may end mid-character */
	rowjson_string(line, res->err->message, strlen(res->err->message));
	strbuf_addf(line, ",\"attempts\":%u}", res->attempts);
	return history_append(r->hist, e->index, line->data, line->len);
}

void sync_note_failure(struct run *r, struct env_run *e, const char *table,
		       const struct table_result *res, struct strbuf *line)
{
	int rc;

	if (r->o->dry_run)
		return;
	rc = record_failure(r, e, table, res, line);
	if (rc == 0)
		return;
	strbuf_reset(line);
	strbuf_addf(line, "rhizome: %s: cannot write the run history: %s",
		    e->cfg->name, strerror(-rc));
	pthread_mutex_lock(&r->lock);
	progress_log(&r->progress, line->data);
	pthread_mutex_unlock(&r->lock);
	sync_mark_io_failed(r);
}

void sync_commit_writes(struct run *r, struct env_run *e,
			struct worker_state *ws)
{
	size_t failed, i, n = ws->batch.n;
	int rc = atomic_batch_commit(&ws->batch, &failed);

	if (rc == 0)
		return;
	for (i = failed; i < n; i++) {
		struct table_result *res = &e->results[ws->batch_table[i]];

		local_error(res, "cannot write", res->path, rc);
	}
	sync_mark_io_failed(r);
}

struct fetch_request sync_request_of(const struct run *r,
				     const struct env_run *e)
{
	struct fetch_request req = {
		.kind = r->o->command == SYNC_DATA ? FETCH_DATA : FETCH_SCHEMA,
		.schema = e->cfg->schema,
		.rows = r->o->rows,
	};

	return req;
}

/*
 * Data: say how each column is written; with `mask = none` no rule applies.
 * When the environment requires masking, refuse the table if columns look
 * sensitive with no rule for them, naming every one and the [mask] lines
 * to add, so one run tells all there is to fix. Returns 0, or -EPERM with
 * res set to the refusal.
 */
static int plan_masking(struct run *r, struct env_run *e, const char *table,
			MYSQL_RES *res_set, struct rowjson_column *cols,
			struct table_result *res)
{
	struct strbuf why = STRBUF_INIT, lines = STRBUF_INIT;
	struct connpool_error err = { .code = 0, .sqlstate = "-----" };
	int rc = mask_plan_columns(r->o->cfg, e->cfg, table,
				   mysql_fetch_fields(res_set),
				   mysql_num_fields(res_set), cols, &why, &lines);

	if (rc != 0) {
		snprintf(err.message, sizeof(err.message), "%s", why.data);
		sync_set_error(res, &err);
		/* Too long for an error's message: the whole list goes to
		 * stderr, so no column is left out. */
		if (why.len >= sizeof(err.message)) {
			struct strbuf msg = STRBUF_INIT;

			strbuf_addf(&msg, "rhizome: %s: table %s: add to [mask]: %s",
				    e->cfg->name, table, lines.data);
			pthread_mutex_lock(&r->lock);
			progress_log(&r->progress, msg.data);
			pthread_mutex_unlock(&r->lock);
			strbuf_release(&msg);
		}
	}
	strbuf_release(&why);
	strbuf_release(&lines);
	return rc;
}

/* What render() made of a fetched table. */
enum rendered { RENDERED, RENDERED_EMPTY, RENDER_REFUSED };

/*
 * What the plain file would hold now: the schema text and ";\n", or the
 * rows as JSON, in *fresh (caller frees) and *fresh_len. RENDERED_EMPTY:
 * the table has no rows (res->cls = CLASS_EMPTY); RENDER_REFUSED: masking
 * refused it (res holds why).
 */
static enum rendered render(struct run *r, struct env_run *e,
			    struct fetched_table *f, struct table_result *res,
			    struct worker_state *ws, char **fresh,
			    size_t *fresh_len)
{
	struct rowjson_column *cols;
	size_t rows;

	if (r->o->command != SYNC_DATA) {
		*fresh = snapshot_file_of(1, f->body, f->len, fresh_len);
		return RENDERED;
	}
	cols = xcalloc(mysql_num_fields(f->res) + 1, sizeof(*cols));
	if (plan_masking(r, e, f->table, f->res, cols, res) != 0) {
		free(cols);
		return RENDER_REFUSED;
	}
	strbuf_reset(&ws->sql);
	/* following keys: every row the server gave (the first ones and
	 * those others reference), always as an array */
	rows = rowjson_render(f->res, e->follow ? SIZE_MAX : r->o->rows,
			      r->o->rows_array || e->follow, cols, r->mask_key,
			      r->mask_key_len, &ws->sql);
	free(cols);
	if (rows == 0) {
		res->cls = CLASS_EMPTY;
		return RENDERED_EMPTY;
	}
	*fresh = strbuf_detach(&ws->sql, fresh_len);
	return RENDERED;
}

/* check: what changed from the committed snapshot (old, or NULL when there
 * is none) to the live schema, with severities. AUTO_INCREMENT noise and
 * identical text are no drift. */
static void check_drift(struct table_result *res, const char *table,
			const char *old, size_t old_len, const char *fresh,
			size_t fresh_len, const struct diff_opts *opts)
{
	if (res->cls == CLASS_UNCHANGED || res->cls == CLASS_TRIVIAL)
		return;
	if (old == NULL)
		schemadiff_compare(NULL, &(struct table_model){ .name =
				   (char *)table }, NULL, &res->drift);
	else
		schemadiff_compare_text(old, old_len, fresh, fresh_len, opts,
					&res->drift);
}

/*
 * A table the server does not have: `missing` when it has no plain file,
 * else `removed` (it was dropped). The file's text is kept in the result:
 * the main thread records it in the history and deletes the file only
 * once that history is published (sync_remove_files), so a run that stops
 * early deletes nothing. --keep-removed keeps the file and records
 * nothing; a dry run and check only classify (check: it drifted).
 */
static void handle_absent(struct run *r, const char *table,
			  struct table_result *res)
{
	const struct sync_opts *o = r->o;
	char *old = NULL;
	size_t old_len = 0;
	int rc = snapshot_read(res->path, &old, &old_len);

	res->cls = CLASS_MISSING;
	if (rc == -ENOENT)
		return;
	if (rc != 0) {
		local_error(res, "cannot read", res->path, rc);
		sync_mark_io_failed(r);
		return;
	}
	res->cls = CLASS_REMOVED;
	if (o->command == SYNC_CHECK)
		schemadiff_compare(&(struct table_model){ .name = (char *)table },
				   NULL, NULL, &res->drift);
	if (o->dry_run || o->keep_removed) {
		free(old);
		return;
	}
	res->removed_body = old;
	res->removed_len = snapshot_body_len(o->command != SYNC_DATA, old, old_len);
}

int sync_record_removals(struct run *r)
{
	struct strbuf line = STRBUF_INIT;
	size_t i, j;
	int rc = 0;

	for (i = 0; i < r->nenvs && rc == 0; i++) {
		struct env_run *e = &r->envs[i];

		for (j = 0; j < e->ntables && rc == 0; j++)
			if (e->results[j].removed_body != NULL)
				rc = record_history(r, e, e->tables[j], CLASS_REMOVED,
						    e->results[j].removed_body,
						    e->results[j].removed_len, &line);
	}
	strbuf_release(&line);
	if (rc != 0)
		fprintf(stderr, "rhizome: cannot write the run history under %s: "
			"%s\n", r->o->history, strerror(-rc));
	return rc;
}

int sync_remove_files(struct run *r)
{
	size_t i, j;
	int rc, first = 0;

	for (i = 0; i < r->nenvs; i++) {
		struct env_run *e = &r->envs[i];

		for (j = 0; j < e->ntables; j++) {
			if (e->results[j].removed_body == NULL)
				continue;
			rc = atomic_remove_file(e->results[j].path);
			if (rc != 0 && rc != -ENOENT) {
				fprintf(stderr, "rhizome: cannot remove %s (its table "
					"was dropped): %s\n", e->results[j].path,
					strerror(-rc));
				if (first == 0)
					first = rc;
			}
		}
	}
	return first;
}

void sync_handle_table(struct run *r, struct env_run *e, size_t idx,
		       struct fetched_table *f, struct worker_state *ws)
{
	const struct sync_opts *o = r->o;
	struct table_result *res = &e->results[idx];
	char *old = NULL, *fresh = NULL;
	const char *body;
	size_t old_len = 0, fresh_len = 0, body_len;
	enum rendered rendered;
	int rc;

	res->done = 1;
	res->attempts = f->attempts;
	res->path = snapshot_table_path(o->out, e->cfg->folder,
					e->cfg->database, f->table,
					o->command == SYNC_DATA ? ".json" : ".sql");
	if (f->status == FETCH_MISSING) {
		handle_absent(r, f->table, res);
		return;
	}
	if (f->status != FETCH_OK) {
		struct fetch_request req = sync_request_of(r, e);

		sync_set_error(res, &f->err);
		res->unreached = f->unreached;
		strbuf_reset(&ws->sql);
		fetch_statement(&ws->sql, &req, f);
		res->statement = xstrdup(ws->sql.data);
		sync_note_failure(r, e, f->table, res, &ws->line);
		return;
	}
	rendered = render(r, e, f, res, ws, &fresh, &fresh_len);
	if (rendered == RENDER_REFUSED) {
		/* nothing of it goes anywhere but the refusal */
		sync_note_failure(r, e, f->table, res, &ws->line);
		return;
	}
	if (rendered == RENDERED_EMPTY) {
		/* no file, but the history records what was fetched */
		if (o->dry_run)
			return;
		body = "";
		body_len = 0;
		goto history;
	}

	rc = snapshot_read(res->path, &old, &old_len);
	if (rc != 0 && rc != -ENOENT) {
		local_error(res, "cannot read", res->path, rc);
		goto io_failed;
	}
	res->cls = o->command == SYNC_DATA
			   ? classify_data(fresh, fresh_len, old, old_len)
			   : classify_schema(fresh, fresh_len, old, old_len);
	if (o->command == SYNC_CHECK)
		check_drift(res, f->table, old, old_len, fresh, fresh_len,
			    &o->diff);
	if (o->dry_run)
		goto out;
	if (classify_writes(res->cls, o->write_trivial)) {
		rc = atomic_mkdirs(e->data_dir);
		if (rc != 0) {
			local_error(res, "cannot create", e->data_dir, rc);
			goto io_failed;
		}
		if (atomic_batch_full(&ws->batch))
			sync_commit_writes(r, e, ws);
		rc = atomic_batch_add(&ws->batch, res->path, fresh, fresh_len);
		if (rc != 0) {
			local_error(res, "cannot write", res->path, rc);
			goto io_failed;
		}
		ws->batch_table[ws->batch.n - 1] = idx;
	}
	/* The history holds what was fetched: the schema text, or the rows
	 * as written (masked: nothing unmasked may reach any file). */
	body = o->command == SYNC_DATA ? fresh : f->body;
	body_len = o->command == SYNC_DATA ? fresh_len : f->len;
history:
	rc = record_history(r, e, f->table, res->cls, body, body_len,
			    &ws->line);
	if (rc != 0) {
		char *hpath = history_run_dir(o->history, o->run_id);

		local_error(res, "cannot write the run history under", hpath, rc);
		free(hpath);
		goto io_failed;
	}
	goto out;

io_failed:
	sync_mark_io_failed(r);
out:
	free(old);
	free(fresh);
}
