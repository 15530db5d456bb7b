/*
 * A bulk export's lifecycle, on the main thread (bulk.h): the
 * environments and their pools, the guard and the workers; the plan jobs,
 * then each environment's part jobs as its plan is done; the summary.
 * Also what the jobs share: failures, the stop, a part's end (the last
 * publishes its table).
 */
#include "engine/commands/bulk_int.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/base/alloc.h"
#include "engine/base/backoff.h"
#include "engine/base/clock.h"
#include "engine/base/jsontext.h"
#include "engine/output/eventlog.h"
#include "engine/store/bulkdir.h"
#include "workers/pool.h"

/* ---- shared by the jobs ------------------------------------------------ */

int bulk_stopping(struct bulk_run *r)
{
	int s;

	pthread_mutex_lock(&r->lock);
	s = r->cancel_signal != 0 || r->io_failed;
	pthread_mutex_unlock(&r->lock);
	return s;
}

void bulk_fail_table(struct bulk_run *r, struct bulk_table *t,
		     const struct connpool_error *err, const char *statement)
{
	pthread_mutex_lock(&r->lock);
	if (t->state != BULK_FAILED && r->cancel_signal == 0) {
		t->state = BULK_FAILED;
		t->err = *err;
		if (statement != NULL)
			t->statement = xstrdup(statement);
	}
	pthread_mutex_unlock(&r->lock);
}

void bulk_io_failed(struct bulk_run *r, const char *what, int rc)
{
	pthread_mutex_lock(&r->lock);
	if (!r->io_failed) {
		r->io_failed = 1;
		strbuf_addf(&r->io_error, "%s: %s", what, strerror(-rc));
		progress_log(&r->progress, "rhizome: a local write failed: "
			     "stopping");
	}
	pthread_cond_broadcast(&r->changed);
	pthread_mutex_unlock(&r->lock);
}

int bulk_backoff(struct bulk_run *r, unsigned attempt, unsigned *seed)
{
	struct timespec until = clock_realtime_after(backoff_seconds(attempt, seed));
	int stop;

	pthread_mutex_lock(&r->lock);
	while (!(stop = r->cancel_signal != 0 || r->io_failed) &&
	       pthread_cond_timedwait(&r->changed, &r->lock, &until) == 0)
		;
	stop = r->cancel_signal != 0 || r->io_failed;
	pthread_mutex_unlock(&r->lock);
	return stop;
}

int bulk_connection_lost(unsigned code)
{
	return fetch_is_client_error(code) || code == 1053 || code == 1927;
}

void bulk_set_error(struct connpool_error *err, unsigned code,
		    const char *msg)
{
	memset(err, 0, sizeof(*err));
	err->code = code;
	snprintf(err->sqlstate, sizeof(err->sqlstate), "-----");
	snprintf(err->message, sizeof(err->message), "%s", msg);
}

double bulk_arm_deadline(const struct bulk_env *e, MYSQL *m, double limit)
{
	double now = clock_seconds(), deadline = now + limit;

	if (e->deadline > 0 && e->deadline < deadline)
		deadline = e->deadline;
	connpool_set_deadline(e->pool, m, deadline);
	return now;
}

void bulk_log(struct bulk_run *r, const char *line)
{
	pthread_mutex_lock(&r->lock);
	progress_log(&r->progress, line);
	pthread_mutex_unlock(&r->lock);
}

/* A table is over (exported, failed or stopped): counted, and said in
 * lines mode. With the run's lock held. */
static void table_over(struct bulk_run *r, struct bulk_table *t)
{
	struct strbuf sb = STRBUF_INIT;
	char bytes[16];
	double secs;

	t->ended = clock_seconds();
	progress_tables(&r->progress, 1);
	if (r->progress.mode != PROGRESS_LINES || t->state != BULK_EXPORTED)
		return;
	secs = t->ended - t->started;
	progress_bytes(bytes, sizeof(bytes), (double)t->bytes);
	strbuf_addf(&sb, "rhizome: %s: %s.%s: %zu row%s in %zu chunk%s, %s, "
		    "%.1f s", t->env->cfg->name, t->env->cfg->database, t->name,
		    t->rows, t->rows == 1 ? "" : "s", t->chunks,
		    t->chunks == 1 ? "" : "s", bytes, secs);
	if (secs > 0.05)
		strbuf_addf(&sb, " (%.0f rows/s)", (double)t->rows / secs);
	progress_log(&r->progress, sb.data);
	strbuf_release(&sb);
}

void bulk_part_over(struct bulk_run *r, struct bulk_table *t)
{
	size_t i;
	int last, go, rc;

	pthread_mutex_lock(&r->lock);
	last = --t->parts_left == 0;
	go = last && t->state == BULK_PENDING && r->cancel_signal == 0 &&
	     !r->io_failed;
	if (last && !go)
		table_over(r, t);
	pthread_mutex_unlock(&r->lock);
	if (!go)
		return;
	pthread_mutex_lock(&t->mlock);
	for (i = 0; i < t->m.nparts; i++)
		go &= t->m.parts[i].done;
	t->m.complete = go;
	rc = go ? bulkmanifest_write(t->dir, &t->m) : 0;
	pthread_mutex_unlock(&t->mlock);
	if (rc == 0 && go)
		rc = bulkdir_publish(t->dir, t->final);
	if (rc != 0)
		bulk_io_failed(r, t->final, rc);
	pthread_mutex_lock(&r->lock);
	if (rc == 0 && go)
		t->state = BULK_EXPORTED;
	table_over(r, t);
	pthread_mutex_unlock(&r->lock);
}

/* ---- workers ------------------------------------------------------------ */

static void *worker_start(void *ctx)
{
	struct bulk_worker *w = xcalloc(1, sizeof(*w));

	(void)ctx;
	mysql_thread_init();
	w->seed = (unsigned)time(NULL) ^ (unsigned)(size_t)w;
	w->zstd = bulkchunk_ctx_new();
	return w;
}

static void worker_stop(void *state, void *ctx)
{
	struct bulk_worker *w = state;

	(void)ctx;
	strbuf_release(&w->sql);
	strbuf_release(&w->lines);
	bulkchunk_ctx_free(w->zstd);
	free(w);
	mysql_thread_end();
}

static void worker_run(void *item, void *state, void *ctx)
{
	struct bulk_run *r = ctx;
	struct bulk_job *job = item;

	if (job->table == NULL) {
		bulk_plan_env(r, job->env, state);
	} else if (bulk_stopping(r)) {
		bulk_part_over(r, job->table);
	} else {
		pthread_mutex_lock(&r->lock);
		if (job->table->started == 0)
			job->table->started = clock_seconds();
		pthread_mutex_unlock(&r->lock);
		bulk_part_run(r, job->table, job->part, state);
	}
	free(job);
	pthread_mutex_lock(&r->lock);
	r->inflight--;
	pthread_cond_broadcast(&r->changed);
	pthread_mutex_unlock(&r->lock);
}

/* ---- the guard's callbacks (runguard.h), with the run's lock held ------ */

static void bulk_cancel(void *ctx, int sig)
{
	struct bulk_run *r = ctx;

	r->cancel_signal = sig;
	progress_log(&r->progress, sig == SIGINT
		     ? "rhizome: interrupted (SIGINT), stopping; complete "
		       "chunks are kept for --resume"
		     : "rhizome: terminated (SIGTERM), stopping; complete "
		       "chunks are kept for --resume");
	pthread_cond_broadcast(&r->changed);
}

static void bulk_tick(void *ctx)
{
	progress_tick(&((struct bulk_run *)ctx)->progress);
}

static void bulk_resize(void *ctx)
{
	progress_note_resize(&((struct bulk_run *)ctx)->progress);
}

static const struct runguard_ops bulk_guard_ops = {
	bulk_cancel, bulk_tick, bulk_resize,
};

/* ---- the run ------------------------------------------------------------ */

static void setup(struct bulk_run *r, const struct bulk_opts *o)
{
	size_t i, slots = 0;

	memset(r, 0, sizeof(*r));
	r->o = o;
	r->chunk_rows = o->chunk_rows ? o->chunk_rows : BULK_DEFAULT_CHUNK_ROWS;
	r->workers = o->workers ? o->workers : o->cfg->workers;
	if (r->workers == 0)
		r->workers = 1;
	if (o->cfg->mask_key_env != NULL) {
		r->mask_key = getenv(o->cfg->mask_key_env);
		r->mask_key_len = r->mask_key ? strlen(r->mask_key) : 0;
	}
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->changed, NULL);
	r->nenvs = o->nenvs;
	r->envs = xcalloc(o->nenvs ? o->nenvs : 1, sizeof(*r->envs));
	r->pools = xcalloc(o->nenvs ? o->nenvs : 1, sizeof(*r->pools));
	for (i = 0; i < o->nenvs; i++) {
		struct bulk_env *e = &r->envs[i];

		e->cfg = o->envs[i];
		e->pool = connpool_new(e->cfg, o->tls ? o->tls[i] : e->cfg->tls.mode);
		r->pools[i] = e->pool;
		e->deadline = e->cfg->env_timeout
			      ? clock_seconds() + (double)e->cfg->env_timeout : 0;
		slots += e->cfg->pool;
	}
	/* the main thread waits on a full queue: a worker never pushes */
	r->q = queue_new(slots + o->nenvs + 1);
}

static void free_run(struct bulk_run *r)
{
	size_t i, k;

	for (i = 0; i < r->nenvs; i++) {
		struct bulk_env *e = &r->envs[i];

		for (k = 0; k < e->ntables; k++) {
			struct bulk_table *t = &e->tables[k];

			free(t->name);
			free(t->dir);
			free(t->final);
			free(t->statement);
			free(t->note);
			bulkmanifest_release(&t->m);
			pthread_mutex_destroy(&t->mlock);
		}
		free(e->tables);
		fetch_keys_free(e->keys, e->nkeys);
		connpool_free(e->pool);
	}
	free(r->envs);
	free(r->pools);
	queue_free(r->q);
	strbuf_release(&r->io_error);
	pthread_cond_destroy(&r->changed);
	pthread_mutex_destroy(&r->lock);
}

/* Queue a job (the main thread, no lock held). 0, or -ECANCELED when the
 * queue is closed. */
static int push(struct bulk_run *r, struct bulk_env *e, struct bulk_table *t,
		size_t part)
{
	struct bulk_job *job = xcalloc(1, sizeof(*job));

	job->env = e;
	job->table = t;
	job->part = part;
	pthread_mutex_lock(&r->lock);
	r->inflight++;
	pthread_mutex_unlock(&r->lock);
	if (queue_push(r->q, job) == 0)
		return 0;
	free(job);
	pthread_mutex_lock(&r->lock);
	r->inflight--;
	pthread_mutex_unlock(&r->lock);
	return -ECANCELED;
}

/* Environment e is planned: queue its parts, and count the tables that
 * have none (missing, kept, failed or cut short in the plan, or all of
 * them when the plan failed). A part not queued (the run is stopping) is
 * over at once. */
static void push_parts(struct bulk_run *r, struct bulk_env *e)
{
	size_t i, k;

	for (i = 0; i < e->ntables; i++) {
		struct bulk_table *t = &e->tables[i];

		if (e->failed || t->state != BULK_PENDING || t->parts_left == 0) {
			pthread_mutex_lock(&r->lock);
			progress_tables(&r->progress, 1);
			pthread_mutex_unlock(&r->lock);
			continue;
		}
		for (k = 0; k < t->m.nparts; k++)
			if (bulk_stopping(r) || push(r, e, t, k) != 0)
				bulk_part_over(r, t);
	}
}

/* What the run came to. */
static enum sync_outcome outcome_of(struct bulk_run *r)
{
	size_t i, k;

	if (r->io_failed)
		return SYNC_IO_FAILED;
	for (i = 0; i < r->nenvs; i++) {
		if (r->envs[i].failed)
			return SYNC_PARTIAL;
		for (k = 0; k < r->envs[i].ntables; k++)
			if (r->envs[i].tables[k].state == BULK_FAILED ||
			    r->envs[i].tables[k].state == BULK_PENDING)
				return SYNC_PARTIAL;
	}
	return SYNC_DONE;
}

/* ---- the summary -------------------------------------------------------- */

static json_t *error_json(const struct bulk_run *r, const struct bulk_env *e,
			  const char *table, const struct connpool_error *err,
			  const char *statement, int unreached)
{
	json_t *o = json_object();

	json_object_set_new(o, "env", json_string(e->cfg->name));
	json_object_set_new(o, "table", table ? jsontext_string(table)
			    : json_null());
	json_object_set_new(o, "code", json_integer(err->code));
	json_object_set_new(o, "message", jsontext_string(err->message));
	if (unreached)
		json_object_set_new(o, "unreached", json_true());
	if (r->o->verbose) {
		json_object_set_new(o, "sqlstate", jsontext_string(err->sqlstate));
		if (statement != NULL)
			json_object_set_new(o, "statement",
					    jsontext_string(statement));
	}
	return o;
}

static json_t *table_json(const struct bulk_table *t)
{
	json_t *o = json_object(), *key = json_null();
	size_t i;

	if (t->m.key != NULL) {
		key = json_array();
		for (i = 0; i < t->m.nkey; i++)
			json_array_append_new(key, jsontext_string(t->m.key[i]));
	}
	json_object_set_new(o, "env", json_string(t->env->cfg->name));
	json_object_set_new(o, "table", jsontext_string(t->name));
	json_object_set_new(o, "path", jsontext_string(t->final));
	json_object_set_new(o, "rows", json_integer((json_int_t)(
		t->state == BULK_KEPT ? t->rows : bulkmanifest_rows(&t->m))));
	json_object_set_new(o, "bytes", json_integer((json_int_t)(
		t->state == BULK_KEPT ? t->bytes : bulkmanifest_bytes(&t->m))));
	json_object_set_new(o, "rows_written", json_integer((json_int_t)(
		t->state == BULK_KEPT ? 0 : t->rows)));
	json_object_set_new(o, "chunks", json_integer((json_int_t)(
		t->state == BULK_KEPT ? t->chunks : t->chunks + t->resumed_chunks)));
	json_object_set_new(o, "resumed_chunks",
			    json_integer((json_int_t)t->resumed_chunks));
	json_object_set_new(o, "parts", json_integer((json_int_t)t->m.nparts));
	json_object_set_new(o, "key", key);
	if (t->m.key == NULL && t->state != BULK_KEPT)
		json_object_set_new(o, "one_pass", json_true());
	if (t->started > 0 && t->ended > t->started)
		json_object_set_new(o, "elapsed_ms", json_integer(
			(json_int_t)((t->ended - t->started) * 1000)));
	if (t->note != NULL)
		json_object_set_new(o, "note", jsontext_string(t->note));
	return o;
}

static json_t *build_summary(struct bulk_run *r, double elapsed)
{
	json_t *s = json_object(), *exported = json_array(), *kept = json_array(),
	       *missing = json_array(), *errors = json_array(),
	       *envs = json_array();
	size_t i, k, rows = 0, bytes = 0;
	unsigned trips = 0;

	for (i = 0; i < r->nenvs; i++) {
		const struct bulk_env *e = &r->envs[i];
		json_t *je = json_object();

		json_object_set_new(je, "env", json_string(e->cfg->name));
		json_object_set_new(je, "schema", jsontext_string(e->cfg->schema));
		json_object_set_new(je, "server_version", e->server_version[0]
				    ? jsontext_string(e->server_version)
				    : json_null());
		json_object_set_new(je, "round_trips", json_integer(e->round_trips));
		json_array_append_new(envs, je);
		trips += e->round_trips;
		if (e->failed)
			json_array_append_new(errors, error_json(r, e, NULL, &e->err,
								 NULL, e->unreached));
		for (k = 0; k < e->ntables; k++) {
			const struct bulk_table *t = &e->tables[k];
			json_t *jm;

			if (t->state != BULK_KEPT) {
				rows += t->rows;
				bytes += t->bytes;
			}
			switch (t->state) {
			case BULK_EXPORTED:
				json_array_append_new(exported, table_json(t));
				break;
			case BULK_KEPT:
				json_array_append_new(kept, table_json(t));
				break;
			case BULK_MISSING:
				jm = json_object();
				json_object_set_new(jm, "env", json_string(e->cfg->name));
				json_object_set_new(jm, "table", jsontext_string(t->name));
				json_array_append_new(missing, jm);
				break;
			case BULK_FAILED:
				json_array_append_new(errors, error_json(
					r, e, t->name, &t->err, t->statement, 0));
				break;
			case BULK_PENDING:
				break; /* stopped: neither done nor failed */
			}
		}
	}
	if (r->io_failed) {
		struct connpool_error err = { .code = 0, .sqlstate = "-----" };
		json_t *o = json_object();

		snprintf(err.message, sizeof(err.message), "local write failed: "
			 "%s", r->io_error.data ? r->io_error.data : "");
		json_object_set_new(o, "env", json_null());
		json_object_set_new(o, "table", json_null());
		json_object_set_new(o, "code", json_integer(0));
		json_object_set_new(o, "message", jsontext_string(err.message));
		json_array_append_new(errors, o);
	}
	json_object_set_new(s, "command", json_string("data"));
	json_object_set_new(s, "mode", json_string("all"));
	json_object_set_new(s, "run_id", json_string(r->o->run_id));
	json_object_set_new(s, "elapsed_ms", json_integer((json_int_t)(elapsed * 1000)));
	json_object_set_new(s, "resume", json_boolean(r->o->resume));
	json_object_set_new(s, "chunk_rows", json_integer(r->chunk_rows));
	json_object_set_new(s, "workers", json_integer(r->workers));
	json_object_set_new(s, "rows_written", json_integer((json_int_t)rows));
	json_object_set_new(s, "bytes_written", json_integer((json_int_t)bytes));
	json_object_set_new(s, "rows_per_s", json_integer(elapsed > 0
		? (json_int_t)((double)rows / elapsed) : 0));
	json_object_set_new(s, "bytes_per_s", json_integer(elapsed > 0
		? (json_int_t)((double)bytes / elapsed) : 0));
	json_object_set_new(s, "exported_count", json_integer((json_int_t)json_array_size(exported)));
	json_object_set_new(s, "kept_count", json_integer((json_int_t)json_array_size(kept)));
	json_object_set_new(s, "missing_count", json_integer((json_int_t)json_array_size(missing)));
	json_object_set_new(s, "error_count", json_integer((json_int_t)json_array_size(errors)));
	json_object_set_new(s, "exported", exported);
	json_object_set_new(s, "kept", kept);
	json_object_set_new(s, "missing", missing);
	json_object_set_new(s, "errors", errors);
	json_object_set_new(s, "environments", envs);
	json_object_set_new(s, "round_trips", json_integer(trips));
	return s;
}

/* ---- the main thread ---------------------------------------------------- */

enum sync_outcome bulk_run(const struct bulk_opts *o, json_t **summary)
{
	struct bulk_run r;
	struct pool_opts popts;
	pool *workers = NULL;
	enum sync_outcome status = SYNC_IO_FAILED;
	double t0 = progress_now();
	size_t i;
	int rc, sig;

	*summary = NULL;
	setup(&r, o);
	progress_init(&r.progress, o->quiet, o->progress, 0, r.nenvs);
	progress_bulk(&r.progress);
	if (r.q == NULL) {
		fprintf(stderr, "rhizome: cannot create the job queue\n");
		goto out;
	}
	for (i = 0; i < r.nenvs; i++) {
		rc = bulkdir_prepare(o->out, r.envs[i].cfg->folder);
		if (rc != 0) {
			fprintf(stderr, "rhizome: cannot make %s/.bulk/%s: %s\n",
				o->out, r.envs[i].cfg->folder, strerror(-rc));
			goto out;
		}
	}
	eventlog_set_run(o->run_id);
	r.guard.lock = &r.lock;
	r.guard.pools = r.pools;
	r.guard.npools = r.nenvs;
	r.guard.ops = &bulk_guard_ops;
	r.guard.ctx = &r;
	if ((rc = runguard_start(&r.guard)) != 0) {
		fprintf(stderr, "rhizome: cannot start the signal watcher and "
			"the deadline keeper: %s\n", strerror(-rc));
		goto out;
	}
	memset(&popts, 0, sizeof(popts));
	popts.threads = r.workers;
	popts.ctx = &r;
	popts.thread_start = worker_start;
	popts.run = worker_run;
	popts.thread_stop = worker_stop;
	workers = pool_start(r.q, &popts);
	if (workers == NULL) {
		fprintf(stderr, "rhizome: cannot start %u worker threads\n",
			r.workers);
		goto out;
	}
	eventlog_emit("run_start", json_pack(
		"{s:s, s:s, s:I, s:i, s:i}", "command", "data", "mode", "all",
		"environments", (json_int_t)r.nenvs, "workers", (int)r.workers,
		"chunk_rows", (int)r.chunk_rows));
	for (i = 0; i < r.nenvs; i++)
		(void)push(&r, &r.envs[i], NULL, 0);
	pthread_mutex_lock(&r.lock);
	for (;;) {
		struct bulk_env *next = NULL;

		for (i = 0; i < r.nenvs && next == NULL; i++)
			if (r.envs[i].planned && !r.envs[i].pushed)
				next = &r.envs[i];
		if (next != NULL) {
			next->pushed = 1;
			pthread_mutex_unlock(&r.lock);
			push_parts(&r, next);
			pthread_mutex_lock(&r.lock);
			continue;
		}
		if (r.inflight == 0)
			break;
		pthread_cond_wait(&r.changed, &r.lock);
	}
	pthread_mutex_unlock(&r.lock);
	pool_free(workers);
	workers = NULL;
	pthread_mutex_lock(&r.lock);
	progress_finish(&r.progress);
	pthread_mutex_unlock(&r.lock);
	status = outcome_of(&r);
	*summary = build_summary(&r, progress_now() - t0);
out:
	pool_free(workers);
	runguard_stop(&r.guard);
	sig = r.cancel_signal; /* no thread but this one is left */
	if (sig != 0) {
		status = sig == SIGINT ? SYNC_INTERRUPTED : SYNC_TERMINATED;
		if (*summary != NULL)
			json_object_set_new(*summary, "interrupted", json_string(
				sig == SIGINT ? "SIGINT" : "SIGTERM"));
	}
	free_run(&r);
	return status;
}
