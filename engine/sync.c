/*
 * How a run flows:
 *
 *   main thread: plan -> push the first jobs -> wait until no job is in
 *                flight -> stop workers -> summary, manifest, publish
 *   (sync data: an environment's first job reads its tables' keys, in one
 *   round trip; its row batches are dispatched once that is done)
 *   workers:     pop job -> acquire connection -> one multi-statement round
 *                trip (fetch.c), each table classified, written and
 *                recorded as its result arrives (on_table_ok) -> release ->
 *                the failed and missing ones -> commit the job's files ->
 *                finish_job(), which queues the environment's next batch
 *   watcher:     sigwait(SIGINT/SIGTERM) -> cancel, interrupt connections
 *
 * Scheduling is fair share: an environment has at most
 *     min(pool, max(1, workers / environments still running))
 * jobs in flight (the remainder of the division going to the first ones),
 * recomputed as environments finish. A worker blocks while
 * its job waits on the network, so without the cap a few slow environments
 * could take every worker and stall the fast ones queued behind them; with
 * it, slow environments hold at most their share, and once the fast ones are
 * done the slow ones get the freed workers (up to their pools) for the
 * jobs they have left. Jobs are sized (setup) so each connection of an
 * environment's starting share takes one, within the configured batch: a
 * job is a round trip, and more jobs than connections would wait in line;
 * large environments still have jobs left for freed workers. No worker
 * ever waits for a connection: an environment never has more jobs in flight
 * than its pool has connections. It follows that the queue never holds more
 * than the sum of the pools, which is its capacity, so pushing from
 * finish_job() under the run lock cannot block.
 *
 * Lock order: run->lock, then the queue's lock (queue_try_push in
 * finish_job). The history's per-environment locks and connection pool locks
 * are never taken while holding run->lock.
 */
#include "sync.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <errmsg.h>

#include "../environments/connpool.h"
#include "../queue/queue.h"
#include "../workers/pool.h"
#include "atomic_file.h"
#include "base64.h"
#include "classify.h"
#include "fetch.h"
#include "history.h"
#include "jsontext.h"
#include "mask.h"
#include "progress.h"
#include "rowjson.h"
#include "schemadiff.h"
#include "tablemodel.h"
#include "sha256.h"
#include "snapshot.h"
#include "strbuf.h"
#include "version.h"

struct table_result {
	enum change_class cls;
	int done;               /* written once, by the job owning the table */
	char *path;             /* the .sql path, as shown in the summary */
	struct connpool_error *err;   /* cls == CLASS_ERROR; see set_error.
				       * A pointer: a result per table lives
				       * through the run, errors are rare */
	char *statement;        /* the failing statement (for --verbose) */
	struct schema_diff drift; /* check: what drifted (n == 0: nothing) */
};

struct env_run {
	const struct env_config *cfg;
	size_t index;
	connpool *pool;
	const char *const *tables;
	size_t ntables;
	size_t batch;
	struct table_result *results;  /* one per table; see table_result */
	char *data_dir;
	struct table_key *keys;        /* data: written by the keys job, read
					* by the row jobs dispatched after it */
	size_t nkeys;
	const struct table_key **key_of; /* data: per table, or NULL */
	/* guarded by run->lock: */
	int keys_state;         /* data: 0 to do, 1 in flight, 2 done */
	size_t next;            /* first table not yet given to a job */
	unsigned inflight;      /* jobs queued or running */
	size_t done;
	unsigned counts[CLASS_COUNT];
	unsigned round_trips;
	double started;
	int finished;
	char first_error[600];
};

struct job {
	struct env_run *env;
	size_t first, n;
	int keys;               /* the data run's key lookup */
};

struct run {
	const struct sync_opts *o;
	struct env_run *envs;
	size_t nenvs;
	queue *q;
	history *hist;          /* NULL on --dry-run */
	const char *mask_key;   /* data: the hash key, from the environment */
	size_t mask_key_len;
	pthread_mutex_t lock;
	pthread_cond_t idle;    /* signalled when inflight_jobs drops to 0 */
	unsigned inflight_jobs; /* guarded by lock */
	size_t running_envs;    /* guarded by lock: environments not finished */
	unsigned workers;       /* immutable: worker threads */
	int cancel_signal;      /* guarded by lock: SIGINT/SIGTERM received */
	int over;               /* guarded by lock: the watcher may stop */
	int signals;            /* atomic: signals received */
	int io_failed;          /* guarded by lock: a local write failed */
	struct progress progress; /* guarded by lock */
};

struct worker_state {
	struct atomic_batch batch;      /* plain files awaiting their commit */
	size_t batch_table[ATOMIC_BATCH_MAX]; /* their tables' indexes */
	struct strbuf sql;
	struct strbuf line;             /* history lines */
	struct fetched_table *fetched;
	size_t cap;
};

/* ---- worker side -------------------------------------------------------- */

static void *worker_start(void *ctx)
{
	struct worker_state *ws = calloc(1, sizeof(*ws));

	(void)ctx;
	mysql_thread_init();
	if (ws != NULL)
		atomic_batch_init(&ws->batch);
	return ws;
}

static void worker_stop(void *state, void *ctx)
{
	struct worker_state *ws = state;

	(void)ctx;
	if (ws != NULL) {
		strbuf_release(&ws->sql);
		strbuf_release(&ws->line);
		free(ws->fetched);
		free(ws);
	}
	mysql_thread_end();
}

static int run_cancelled(struct run *r)
{
	int sig;

	pthread_mutex_lock(&r->lock);
	sig = r->cancel_signal;
	pthread_mutex_unlock(&r->lock);
	return sig != 0;
}

static int run_stopping(struct run *r)
{
	int stop;

	pthread_mutex_lock(&r->lock);
	stop = r->cancel_signal != 0 || r->io_failed;
	pthread_mutex_unlock(&r->lock);
	return stop;
}

/* Stands in for an error that could not be copied for want of memory. */
static const struct connpool_error no_memory_error = {
	0, "-----", "out of memory while recording an error"
};

/* The table failed with *err (copied). */
static void set_error(struct table_result *res,
		      const struct connpool_error *err)
{
	struct connpool_error *copy = malloc(sizeof(*copy));

	res->cls = CLASS_ERROR;
	if (res->err != &no_memory_error)
		free(res->err);
	if (copy != NULL)
		*copy = *err;
	res->err = copy ? copy : (struct connpool_error *)&no_memory_error;
}

static void free_error(struct table_result *res)
{
	if (res->err != &no_memory_error)
		free(res->err);
	res->err = NULL;
}

static void local_error(struct table_result *res, const char *what,
			const char *path, int err)
{
	struct connpool_error e = { .code = 0, .sqlstate = "-----" };

	snprintf(e.message, sizeof(e.message), "%s %s: %s", what, path,
		 strerror(-err));
	set_error(res, &e);
}

/* Append this table's history line, built in `line` (the worker's).
 * Written by hand rather than through a JSON tree: this runs once per
 * table and the tree cost more than compressing the line. Returns 0 or
 * -errno. */
static int record_history(struct run *r, struct env_run *e, const char *table,
			  enum change_class cls, const char *body, size_t len,
			  struct strbuf *line)
{
	char hex[65];

	sha256_hex(body, len, hex);
	strbuf_reset(line);
	strbuf_adds(line, "{\"env\":");
	rowjson_string(line, e->cfg->name, strlen(e->cfg->name));
	strbuf_adds(line, ",\"database\":");
	rowjson_string(line, e->cfg->database, strlen(e->cfg->database));
	strbuf_adds(line, ",\"table\":");
	rowjson_string(line, table, strlen(table));
	strbuf_addf(line, ",\"kind\":\"%s\",\"status\":\"%s\",\"sha256\":\"%s\"",
		    r->o->command == SYNC_DATA ? "data" : "schema",
		    classify_name(cls), hex);
	if (jsontext_is_utf8(body, len)) {
		strbuf_adds(line, ",\"body\":");
		rowjson_utf8_string(line, body, len);
	} else {
		/* Bytes that are not text (a binary default, say) cannot be a
		 * JSON string: the body travels as base64 instead. */
		char *b64 = base64_encode(body, len);

		if (b64 == NULL)
			return -ENOMEM;
		strbuf_adds(line, ",\"body\":null,\"body_base64\":\"");
		strbuf_adds(line, b64);
		strbuf_add(line, "\"", 1);
		free(b64);
	}
	strbuf_add(line, "}", 1);
	return history_append(r->hist, e->index, line->data, line->len);
}

/* A local write failed: the run stops dispatching and exits 4. */
static void mark_io_failed(struct run *r)
{
	pthread_mutex_lock(&r->lock);
	r->io_failed = 1;
	pthread_mutex_unlock(&r->lock);
}

/* Give the job's new files their final names, durably, all at once (see
 * atomic_file.h). A file that fails turns its table into a local error. */
static void commit_writes(struct run *r, struct env_run *e,
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
	mark_io_failed(r);
}

/* What a row or schema batch of environment `e` asks the server. */
static struct fetch_request request_of(const struct run *r,
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
 * Data: refuse the table when its environment requires masking and a column
 * looks sensitive with no rule for it; else say how each column is written.
 * Returns 0, or -1 with res set to the refusal.
 */
static int plan_masking(struct run *r, struct env_run *e, const char *table,
			MYSQL_RES *res_set, struct rowjson_column *cols,
			struct table_result *res)
{
	MYSQL_FIELD *fields = mysql_fetch_fields(res_set);
	unsigned i, n = mysql_num_fields(res_set);

	for (i = 0; i < n; i++) {
		const struct mask_rule *rule = mask_match(r->o->cfg,
			e->cfg->database, table, fields[i].name);

		cols[i].method = rule ? rule->method : MASK_NONE;
		cols[i].constant = rule ? rule->constant : NULL;
		if (rule == NULL && e->cfg->mask_required &&
		    mask_looks_sensitive(fields[i].name)) {
			struct connpool_error err = { .code = 0,
						      .sqlstate = "-----" };

			snprintf(err.message, sizeof(err.message),
				 "refused: column `%s` looks sensitive and no "
				 "[mask] rule covers it, and environment %s has "
				 "mask = required (add e.g. '%s.%s = hash')",
				 fields[i].name, e->cfg->name, table,
				 fields[i].name);
			set_error(res, &err);
			return -1;
		}
	}
	return 0;
}

/*
 * What the plain file would hold now: the schema text and ";\n", or the
 * rows as JSON. Returns 0 with *fresh (caller frees) and *fresh_len, 1 when
 * the table has no rows (res->cls = CLASS_EMPTY), -1 when masking refused it.
 */
static int render(struct run *r, struct env_run *e, struct fetched_table *f,
		  struct table_result *res, struct worker_state *ws,
		  char **fresh, size_t *fresh_len)
{
	struct rowjson_column *cols;
	size_t rows;

	if (r->o->command != SYNC_DATA) {
		*fresh_len = f->len + 2;
		*fresh = malloc(*fresh_len + 1);
		if (*fresh == NULL)
			abort();
		memcpy(*fresh, f->body, f->len);
		memcpy(*fresh + f->len, ";\n", 3);
		return 0;
	}
	cols = calloc(mysql_num_fields(f->res) + 1, sizeof(*cols));
	if (cols == NULL)
		abort();
	if (plan_masking(r, e, f->table, f->res, cols, res) != 0) {
		free(cols);
		return -1;
	}
	strbuf_reset(&ws->sql);
	rows = rowjson_render(f->res, r->o->rows, r->o->rows_array, cols,
			      r->mask_key, r->mask_key_len, &ws->sql);
	free(cols);
	if (rows == 0) {
		res->cls = CLASS_EMPTY;
		return 1;
	}
	*fresh = strbuf_detach(&ws->sql, fresh_len);
	return 0;
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

static void handle_table(struct run *r, struct env_run *e, size_t idx,
			 struct fetched_table *f, struct worker_state *ws)
{
	const struct sync_opts *o = r->o;
	struct table_result *res = &e->results[idx];
	char *old = NULL, *fresh = NULL;
	const char *body;
	size_t old_len = 0, fresh_len = 0, body_len;
	int rc;

	res->done = 1;
	res->path = snapshot_table_path(o->out, e->cfg->folder,
					e->cfg->database, f->table,
					o->command == SYNC_DATA ? ".json" : ".sql");
	if (f->status == FETCH_MISSING) {
		res->cls = CLASS_MISSING;
		/* check: a committed table that is gone has drifted */
		if (o->command == SYNC_CHECK && access(res->path, F_OK) == 0)
			schemadiff_compare(&(struct table_model){ .name =
					   (char *)f->table }, NULL, NULL,
					   &res->drift);
		return;
	}
	if (f->status != FETCH_OK) {
		struct fetch_request req = request_of(r, e);

		set_error(res, &f->err);
		strbuf_reset(&ws->sql);
		fetch_statement(&ws->sql, &req, f);
		res->statement = strdup(ws->sql.data);
		return;
	}
	rc = render(r, e, f, res, ws, &fresh, &fresh_len);
	if (rc < 0)
		return; /* refused by masking: nothing of it goes anywhere */
	if (rc > 0) {
		/* empty: no file, but the history records what was fetched */
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
			commit_writes(r, e, ws);
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
		char *hpath = history_run_dir(o->out, o->run_id);

		local_error(res, "cannot write the run history under", hpath, rc);
		free(hpath);
		goto io_failed;
	}
	goto out;

io_failed:
	mark_io_failed(r);
out:
	free(old);
	free(fresh);
}

static void format_error(struct strbuf *sb, const struct env_run *e,
			 const char *table, const struct table_result *res,
			 int verbose)
{
	strbuf_addf(sb, "%s: table %s: ", e->cfg->name, table);
	if (res->err->code != 0)
		strbuf_addf(sb, "error %u", res->err->code);
	else
		strbuf_adds(sb, "local error");
	if (verbose && res->err->sqlstate[0] && res->err->code != 0)
		strbuf_addf(sb, " (SQLSTATE %s)", res->err->sqlstate);
	strbuf_addf(sb, ": %s", res->err->message);
	if (verbose && res->statement != NULL)
		strbuf_addf(sb, "; statement: %s", res->statement);
}

/* Jobs environment `e` may have in flight now: its share of the workers,
 * the remainder going to the first environments still running, so every
 * worker can be busy yet the shares never add up to more than the workers.
 * Caller holds r->lock. */
static unsigned share_of(unsigned workers, size_t running, size_t rank,
			 unsigned pool)
{
	size_t share;

	if (running == 0)
		running = 1;
	share = workers / running + (rank < workers % running);
	if (share < 1)
		share = 1;
	return share < pool ? (unsigned)share : pool;
}

static unsigned fair_share(const struct run *r, const struct env_run *e)
{
	size_t rank = 0, i;

	for (i = 0; i < e->index; i++)
		rank += !r->envs[i].finished;
	return share_of(r->workers, r->running_envs, rank, e->cfg->pool);
}

/* Queue up to `max` more jobs of `e`, within its fair share. Caller holds
 * r->lock. */
static struct job *new_job(struct env_run *e)
{
	struct job *job = calloc(1, sizeof(*job));

	if (job == NULL)
		abort();
	job->env = e;
	return job;
}

static void push_job(struct run *r, struct job *job)
{
	if (queue_try_push(r->q, job) != 0)
		abort(); /* capacity is the sum of the pools: see above */
	job->env->inflight++;
	r->inflight_jobs++;
}

static void dispatch(struct run *r, struct env_run *e, unsigned max)
{
	unsigned cap = fair_share(r, e);

	if (r->cancel_signal != 0 || r->io_failed)
		return;
	if (r->o->command == SYNC_DATA && e->keys_state != 2) {
		if (e->keys_state == 0 && max > 0 && e->next < e->ntables) {
			struct job *job = new_job(e);

			job->keys = 1;
			e->keys_state = 1;
			push_job(r, job);
		}
		return;
	}
	while (max-- > 0 && e->inflight < cap && e->next < e->ntables) {
		struct job *job = new_job(e);

		job->first = e->next;
		job->n = e->ntables - e->next < e->batch ? e->ntables - e->next
							  : e->batch;
		e->next += job->n;
		push_job(r, job);
	}
}

/* One job per environment per round, so every environment starts at once
 * and none queues all its work ahead of the others. Caller holds r->lock. */
static void dispatch_all(struct run *r)
{
	unsigned queued;
	size_t i;

	do {
		queued = r->inflight_jobs;
		for (i = 0; i < r->nenvs; i++)
			dispatch(r, &r->envs[i], 1);
	} while (r->inflight_jobs != queued);
}

static void mark_finished(struct run *r, struct env_run *e)
{
	e->finished = 1;
	r->running_envs--;
	progress_env_done(&r->progress, e->cfg->name, e->counts,
			  progress_now() - e->started,
			  e->first_error[0] ? e->first_error : NULL);
}

static void finish_job(struct run *r, struct job *job, size_t processed)
{
	struct env_run *e = job->env;
	struct strbuf msg = STRBUF_INIT;
	size_t i;

	pthread_mutex_lock(&r->lock);
	for (i = job->first; i < job->first + processed; i++) {
		struct table_result *res = &e->results[i];

		e->counts[res->cls]++;
		if (res->cls != CLASS_ERROR)
			continue;
		strbuf_reset(&msg);
		format_error(&msg, e, e->tables[i], res, r->o->verbose);
		if (e->first_error[0] == '\0')
			snprintf(e->first_error, sizeof(e->first_error), "%s",
				 msg.data + strlen(e->cfg->name) + 2);
		if (r->o->verbose) {
			strbuf_reset(&msg);
			strbuf_adds(&msg, "rhizome: error: ");
			format_error(&msg, e, e->tables[i], res, 1);
			progress_log(&r->progress, msg.data);
		}
	}
	e->done += processed;
	progress_tables(&r->progress, processed);
	if (job->keys) {
		e->keys_state = 2;
		if (processed > 0)
			e->next = e->ntables; /* the lookup failed them all */
	}

	e->inflight--;
	r->inflight_jobs--;
	if (e->done == e->ntables && !e->finished) {
		mark_finished(r, e);
		/* Its share goes to the environments still running. */
		dispatch_all(r);
	} else {
		dispatch(r, e, UINT_MAX);
	}
	if (r->inflight_jobs == 0)
		pthread_cond_broadcast(&r->idle);
	pthread_mutex_unlock(&r->lock);
	strbuf_release(&msg);
	free(job);
}

/* A reused connection can have died while idle (server restart,
 * wait_timeout): that shows as "gone away" or "lost" on the very first
 * statement, at once. A read timeout also says "lost", but only after the
 * timeout: retrying that would double the wait, so it must have been quick. */
static int stale_connection(const struct fetched_table *t, size_t n,
			    double seconds, unsigned read_timeout)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (t[i].status == FETCH_OK || t[i].status == FETCH_MISSING)
			return 0;
	return n > 0 && seconds < read_timeout / 2.0 &&
	       (t[0].err.code == CR_SERVER_GONE_ERROR ||
		t[0].err.code == CR_SERVER_LOST);
}

static int compare_keys(const void *a, const void *b)
{
	return strcmp(((const struct table_key *)a)->table,
		      ((const struct table_key *)b)->table);
}

/*
 * Data: read the keys of the environment's tables, in one round trip, and
 * index them by table. If that fails, every table of the environment fails
 * with the same error.
 */
static void run_keys_job(struct run *r, struct job *job,
			 struct worker_state *ws)
{
	struct env_run *e = job->env;
	struct connpool_error err;
	unsigned trips = 0;
	size_t i, processed = 0;
	int reused, rc = 1;
	MYSQL *m;

	if (connpool_acquire(e->pool, &m, &reused, &err) == 0) {
		rc = fetch_keys(m, e->cfg->schema, &e->keys, &e->nkeys, &err,
				&ws->sql, &trips);
		connpool_release(e->pool, m, rc < 0);
	}
	if (rc == 0) {
		qsort(e->keys, e->nkeys, sizeof(*e->keys), compare_keys);
		e->key_of = calloc(e->ntables ? e->ntables : 1,
				   sizeof(*e->key_of));
		if (e->key_of == NULL)
			abort();
		for (i = 0; i < e->ntables; i++) {
			struct table_key probe = { .table = (char *)e->tables[i] };

			e->key_of[i] = bsearch(&probe, e->keys, e->nkeys,
					       sizeof(*e->keys), compare_keys);
		}
	} else {
		for (i = 0; i < e->ntables; i++) {
			struct table_result *res = &e->results[i];

			res->done = 1;
			set_error(res, &err);
			res->path = snapshot_table_path(r->o->out, e->cfg->folder,
							e->cfg->database,
							e->tables[i], ".json");
		}
		job->first = 0;
		processed = e->ntables;
	}
	pthread_mutex_lock(&r->lock);
	e->round_trips += trips;
	pthread_mutex_unlock(&r->lock);
	finish_job(r, job, processed);
}

/* What on_table_ok needs of the job being fetched. */
struct fetch_ctx {
	struct run *r;
	struct env_run *e;
	struct worker_state *ws;
	size_t first;           /* the job's first table */
};

/* fetch_batch's on_ok: handle a table the moment its result is read, so a
 * worker holds one result at a time, not a batch of them (a data result
 * costs libmariadb some 16 KiB however small). */
static void on_table_ok(void *arg, struct fetched_table *t)
{
	struct fetch_ctx *c = arg;

	handle_table(c->r, c->e, c->first + (size_t)(t - c->ws->fetched), t,
		     c->ws);
	fetch_release(t);
	t->handled = 1;
}

static void worker_run(void *item, void *state, void *ctx)
{
	struct job *job = item;
	struct run *r = ctx;
	struct worker_state *ws = state;
	struct env_run *e = job->env;
	struct fetched_table *t;
	struct connpool_error err;
	unsigned trips = 0;
	size_t i;
	int attempt, reused = 0, broken;
	double started;
	MYSQL *m;
	struct fetch_request req = request_of(r, e);
	struct fetch_ctx fctx = { r, e, ws, job->first };

	if (ws == NULL) {
		/* Out of memory at thread start: as everywhere, no way on. */
		fputs("rhizome: out of memory\n", stderr);
		abort();
	}
	if (run_stopping(r)) {
		finish_job(r, job, 0);
		return;
	}
	if (job->keys) {
		run_keys_job(r, job, ws);
		return;
	}
	if (ws->cap < job->n) {
		free(ws->fetched);
		ws->fetched = calloc(job->n, sizeof(*ws->fetched));
		if (ws->fetched == NULL)
			abort();
		ws->cap = job->n;
	}
	t = ws->fetched;
	req.on_ok = on_table_ok;
	req.ctx = &fctx;
	for (i = 0; i < job->n; i++) {
		const struct table_key *k = e->key_of ? e->key_of[job->first + i]
						      : NULL;

		memset(&t[i], 0, sizeof(t[i]));
		t[i].table = e->tables[job->first + i];
		if (k != NULL) {
			t[i].order_by = (const char *const *)k->columns;
			t[i].norder = k->ncolumns;
		}
	}

	for (attempt = 0; attempt < 2; attempt++) {
		if (connpool_acquire(e->pool, &m, &reused, &err) != 0) {
			for (i = 0; i < job->n; i++) {
				t[i].status = FETCH_ERROR;
				t[i].err = err;
			}
			break;
		}
		started = progress_now();
		broken = fetch_batch(m, &req, t, job->n, &ws->sql,
				     &trips) != 0;
		connpool_release(e->pool, m, broken);
		if (broken && reused && attempt == 0 &&
		    stale_connection(t, job->n, progress_now() - started,
				     e->cfg->read_timeout) &&
		    !run_stopping(r)) {
			fetch_reset(t, job->n);
			continue;
		}
		break;
	}

	/* what on_table_ok did not see: missing tables and errors */
	for (i = 0; i < job->n; i++)
		if (!t[i].handled)
			handle_table(r, e, job->first + i, &t[i], ws);
	commit_writes(r, e, ws);
	fetch_reset(t, job->n);

	pthread_mutex_lock(&r->lock);
	e->round_trips += trips;
	pthread_mutex_unlock(&r->lock);
	finish_job(r, job, job->n);
}

/* ---- signal watcher ----------------------------------------------------- */

static void *watch_signals(void *arg)
{
	struct run *r = arg;
	sigset_t set;
	size_t i;
	int sig, over;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGUSR1);
	for (;;) {
		if (sigwait(&set, &sig) != 0)
			continue;
		if (sig == SIGUSR1) {
			pthread_mutex_lock(&r->lock);
			over = r->over;
			pthread_mutex_unlock(&r->lock);
			if (over)
				return NULL;
			continue; /* somebody else's SIGUSR1 */
		}
		/* Counted before taking the lock: a worker stuck writing to a
		 * stalled stderr while holding it must not make a second
		 * Ctrl-C useless. The user insists: leave now. Temporaries
		 * are swept by the next run, the lock dies with the process.
		 * (The one exit outside main, and the reason for it.) */
		if (__atomic_add_fetch(&r->signals, 1, __ATOMIC_SEQ_CST) > 1) {
			static const char msg[] =
				"rhizome: interrupted again, exiting at once\n";

			(void)!write(STDERR_FILENO, msg, sizeof(msg) - 1);
			_exit(128 + sig);
		}
		pthread_mutex_lock(&r->lock);
		r->cancel_signal = sig;
		progress_log(&r->progress, sig == SIGINT
			     ? "rhizome: interrupted (SIGINT), stopping"
			     : "rhizome: terminated (SIGTERM), stopping");
		pthread_cond_broadcast(&r->idle);
		pthread_mutex_unlock(&r->lock);
		for (i = 0; i < r->nenvs; i++)
			connpool_interrupt(r->envs[i].pool);
	}
}

/* ---- summary and manifest ----------------------------------------------- */

static void format_utc(const struct timespec *ts, char *buf, size_t size)
{
	struct tm tm;

	gmtime_r(&ts->tv_sec, &tm);
	strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
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
			    res->cls == CLASS_MISSING || res->cls == CLASS_ERROR)
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
	       : r->o->command == SYNC_CHECK ? "check" : "schema";
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

static json_t *build_summary(struct run *r, long long elapsed_ms)
{
	static const char *const list_keys[CLASS_COUNT] = {
		[CLASS_NEW] = "new", [CLASS_TRIVIAL] = "trivial",
		[CLASS_SIGNIFICANT] = "significant",
		[CLASS_UNCHANGED] = "unchanged",
	};
	static const enum change_class order[] = {
		CLASS_NEW, CLASS_TRIVIAL, CLASS_SIGNIFICANT, CLASS_UNCHANGED,
		CLASS_MISSING, CLASS_EMPTY, CLASS_ERROR,
	};
	json_t *s = json_object();
	json_t *lists[CLASS_COUNT];
	unsigned counts[CLASS_COUNT] = { 0 };
	size_t i, j, k;
	char key[32];

	json_object_set_new(s, "command", json_string(command_name(r)));
	json_object_set_new(s, "run_id", json_string(r->o->run_id));
	json_object_set_new(s, "elapsed_ms", json_integer(elapsed_ms));
	for (k = 0; k < CLASS_COUNT; k++)
		lists[k] = json_array();
	for (i = 0; i < r->nenvs; i++) {
		struct env_run *e = &r->envs[i];

		for (j = 0; j < e->ntables; j++) {
			struct table_result *res = &e->results[j];

			if (!res->done)
				continue;
			counts[res->cls]++;
			if (list_keys[res->cls] != NULL)
				json_array_append_new(lists[res->cls],
						      jsontext_string(res->path));
			else if (res->cls == CLASS_ERROR)
				json_array_append_new(lists[res->cls], json_pack(
					"{s:s, s:s, s:i, s:o}", "env", e->cfg->name,
					"table", e->tables[j], "code",
					(int)res->err->code, "message",
					jsontext_string(res->err->message)));
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
	if (r->o->command == SYNC_CHECK)
		add_drift(r, s);
	else
		json_object_set_new(s, "dry_run", json_boolean(r->o->dry_run));
	if (r->o->command == SYNC_DATA)
		json_object_set_new(s, "ordering", build_ordering(r));
	return s;
}

static json_t *build_manifest(struct run *r, const struct timespec *end)
{
	char started[32], finished[32];
	json_t *m, *envs;
	size_t i, k;

	format_utc(&r->o->started, started, sizeof(started));
	format_utc(end, finished, sizeof(finished));
	envs = json_object();
	for (i = 0; i < r->nenvs; i++) {
		struct env_run *e = &r->envs[i];
		json_t *counts = json_object();

		json_t *missing = json_array(), *empty = json_array();
		size_t j;

		for (k = 0; k < CLASS_COUNT; k++)
			json_object_set_new(counts, classify_name((enum change_class)k),
					    json_integer(e->counts[k]));
		/* Named, so `sync report` can tell a table that does not exist
		 * (or has no rows) from one that was never synced. */
		for (j = 0; j < e->ntables; j++) {
			if (!e->results[j].done)
				continue;
			if (e->results[j].cls == CLASS_MISSING)
				json_array_append_new(missing, json_string(e->tables[j]));
			else if (e->results[j].cls == CLASS_EMPTY)
				json_array_append_new(empty, json_string(e->tables[j]));
		}
		json_object_set_new(envs, e->cfg->name, json_pack(
			"{s:s, s:s, s:s, s:I, s:o, s:o, s:o}", "folder",
			e->cfg->folder, "database", e->cfg->database, "schema",
			e->cfg->schema, "tables", (json_int_t)e->ntables,
			"counts", counts, "missing", missing, "empty", empty));
	}
	m = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o}", "run_id", r->o->run_id,
		      "command", r->o->command == SYNC_DATA ? "data" : "schema",
		      "started_at", started,
		      "finished_at", finished, "tool_version", RHIZOME_VERSION,
		      "environments", envs);
	return m;
}

/* ---- the run ------------------------------------------------------------ */

static void free_run(struct run *r)
{
	size_t i, j;

	for (i = 0; i < r->nenvs; i++) {
		struct env_run *e = &r->envs[i];

		connpool_free(e->pool);
		for (j = 0; j < e->ntables && e->results; j++) {
			free(e->results[j].path);
			free(e->results[j].statement);
			free_error(&e->results[j]);
			schemadiff_release(&e->results[j].drift);
		}
		free(e->results);
		free(e->data_dir);
		fetch_keys_free(e->keys, e->nkeys);
		free(e->key_of);
	}
	free(r->envs);
	queue_free(r->q);
	pthread_cond_destroy(&r->idle);
	pthread_mutex_destroy(&r->lock);
}

static int setup(struct run *r, const struct sync_opts *o)
{
	size_t i, slots = 0, active = 0, rank = 0;
	unsigned workers = o->workers ? o->workers : o->cfg->workers;

	memset(r, 0, sizeof(*r));
	r->o = o;
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->idle, NULL);
	r->envs = calloc(o->nenvs ? o->nenvs : 1, sizeof(*r->envs));
	if (r->envs == NULL)
		return -ENOMEM;
	if (o->cfg->mask_key_env != NULL) {
		r->mask_key = getenv(o->cfg->mask_key_env);
		r->mask_key_len = r->mask_key ? strlen(r->mask_key) : 0;
	}
	r->nenvs = o->nenvs;
	r->workers = workers;
	/* as fair_share counts: environments with no tables finish at once */
	for (i = 0; i < o->nenvs; i++)
		active += o->envs[i]->tables->neffective > 0;
	for (i = 0; i < o->nenvs; i++) {
		struct env_run *e = &r->envs[i];
		size_t per_conn, njobs, share;

		e->cfg = o->envs[i];
		e->index = i;
		e->tables = (const char *const *)e->cfg->tables->effective;
		e->ntables = e->cfg->tables->neffective;
		/* A job is a round trip: as many jobs as the connections the
		 * environment gets at the start (its fair share, see
		 * fair_share) cost one round trip each side by side; more
		 * would queue behind them. So: one job per connection, none
		 * larger than the configured batch, all of about one size. */
		share = e->ntables > 0
				? share_of(workers, active, rank++, e->cfg->pool)
				: 1;
		per_conn = (e->ntables + share - 1) / share;
		if (per_conn > o->cfg->batch)
			per_conn = o->cfg->batch;
		if (per_conn == 0)
			per_conn = 1;
		njobs = (e->ntables + per_conn - 1) / per_conn;
		e->batch = njobs ? (e->ntables + njobs - 1) / njobs : 1;
		e->results = calloc(e->ntables ? e->ntables : 1,
				    sizeof(*e->results));
		e->pool = connpool_new(e->cfg);
		e->data_dir = snapshot_data_dir(o->out, e->cfg->folder);
		if (e->results == NULL || e->pool == NULL)
			return -ENOMEM;
		slots += e->cfg->pool;
	}
	r->q = queue_new(slots ? slots : 1);
	return r->q ? 0 : -ENOMEM;
}

/* Start every environment. Caller holds r->lock. */
static void dispatch_first_jobs(struct run *r)
{
	size_t i;

	r->running_envs = r->nenvs;
	for (i = 0; i < r->nenvs; i++)
		r->envs[i].started = progress_now();
	for (i = 0; i < r->nenvs; i++)
		if (r->envs[i].ntables == 0)
			mark_finished(r, &r->envs[i]);
	dispatch_all(r);
}

/* Open the run history unless this is a dry run. 0 or -errno. */
static int open_history(struct run *r)
{
	const char **names;
	size_t i;
	int rc = 0;

	if (r->o->dry_run)
		return 0;
	names = calloc(r->nenvs ? r->nenvs : 1, sizeof(*names));
	if (names == NULL)
		return -ENOMEM;
	for (i = 0; i < r->nenvs; i++)
		names[i] = r->envs[i].cfg->name;
	r->hist = history_open(r->o->out, r->o->run_id, names, r->nenvs, &rc);
	free(names);
	if (r->hist == NULL)
		fprintf(stderr, "rhizome: cannot start the run history under "
			"%s/.history: %s\n", r->o->out, strerror(-rc));
	return rc;
}

/* The exit status the results call for, before publishing. */
static int run_status(struct run *r)
{
	int status = SYNC_EXIT_OK;
	size_t i, j;

	/* check: drift is 1, but an error (3) means it could not tell */
	for (i = 0; i < r->nenvs && r->o->command == SYNC_CHECK; i++)
		for (j = 0; j < r->envs[i].ntables; j++)
			if (r->envs[i].results[j].drift.n > 0)
				status = SYNC_EXIT_DRIFT;
	for (i = 0; i < r->nenvs; i++)
		if (r->envs[i].counts[CLASS_ERROR] > 0)
			status = SYNC_EXIT_PARTIAL;
	if (r->io_failed)
		status = SYNC_EXIT_IO;
	return status;
}

/* Publish the history of a run that was not interrupted and wrote all it
 * had to; otherwise drop it. Returns the status, changed to SYNC_EXIT_IO
 * when publishing fails. */
static int publish_history(struct run *r, int status, json_t *summary,
			   const struct timespec *end)
{
	json_t *manifest;
	char *dir;
	int rc;

	if (r->hist == NULL)
		return status;
	if (status == SYNC_EXIT_IO || run_cancelled(r)) {
		history_abandon(r->hist);
		r->hist = NULL;
		return status;
	}
	manifest = build_manifest(r, end);
	rc = history_publish(r->hist, manifest);
	r->hist = NULL;
	json_decref(manifest);
	if (rc != 0) {
		fprintf(stderr, "rhizome: cannot publish the run history under "
			"%s/.history: %s\n", r->o->out, strerror(-rc));
		return SYNC_EXIT_IO;
	}
	dir = history_run_dir(r->o->out, r->o->run_id);
	json_object_set_new(summary, "history", jsontext_string(dir));
	free(dir);
	return status;
}

int sync_run(const struct sync_opts *o, json_t **summary)
{
	struct run r;
	struct pool_opts popts;
	pool *workers = NULL;
	pthread_t watcher;
	int watcher_started = 0, status = SYNC_EXIT_IO, sig;
	size_t i, total = 0;
	unsigned trips = 0;
	double t0 = progress_now();
	struct timespec end;

	*summary = NULL;
	if (setup(&r, o) != 0) {
		fprintf(stderr, "rhizome: out of memory\n");
		goto out;
	}
	for (i = 0; i < r.nenvs; i++)
		total += r.envs[i].ntables;
	progress_init(&r.progress, o->quiet, total, r.nenvs);
	if (open_history(&r) != 0)
		goto out;

	memset(&popts, 0, sizeof(popts));
	popts.threads = r.workers;
	popts.ctx = &r;
	popts.thread_start = worker_start;
	popts.run = worker_run;
	popts.thread_stop = worker_stop;
	/* The watcher first: signals stay blocked in every thread, so without
	 * it the run could not be interrupted at all. */
	if (pthread_create(&watcher, NULL, watch_signals, &r) != 0) {
		fprintf(stderr, "rhizome: cannot start the signal watcher\n");
		goto out;
	}
	watcher_started = 1;
	workers = pool_start(r.q, &popts);
	if (workers == NULL) {
		fprintf(stderr, "rhizome: cannot start %zu worker threads\n",
			popts.threads);
		goto out;
	}

	pthread_mutex_lock(&r.lock);
	dispatch_first_jobs(&r);
	while (r.inflight_jobs > 0)
		pthread_cond_wait(&r.idle, &r.lock);
	pthread_mutex_unlock(&r.lock);
	pool_free(workers);
	progress_finish(&r.progress);
	clock_gettime(CLOCK_REALTIME, &end);

	*summary = build_summary(&r, (long long)((progress_now() - t0) * 1000));
	/* The watcher still runs: a signal while publishing is honoured. */
	status = publish_history(&r, run_status(&r), *summary, &end);
	for (i = 0; i < r.nenvs; i++)
		trips += r.envs[i].round_trips;
	json_object_set_new(*summary, "round_trips", json_integer(trips));

out:
	if (watcher_started) {
		pthread_mutex_lock(&r.lock);
		r.over = 1;
		pthread_mutex_unlock(&r.lock);
		pthread_kill(watcher, SIGUSR1);
		pthread_join(watcher, NULL);
	}
	sig = r.cancel_signal; /* no thread but this one is left */
	if (sig != 0) {
		status = sig == SIGINT ? SYNC_EXIT_SIGINT : SYNC_EXIT_SIGTERM;
		if (*summary != NULL)
			json_object_set_new(*summary, "interrupted", json_string(
				sig == SIGINT ? "SIGINT" : "SIGTERM"));
	}
	history_abandon(r.hist);
	free_run(&r);
	return status;
}
