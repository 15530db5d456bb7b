/*
 * sync_int: what the files of one sync run share. Private to
 * engine/commands/sync*.c.
 *
 * How a run flows:
 *
 *   main thread (sync.c): plan -> start the schedule -> wait until no job
 *                is in flight -> stop workers -> summary, manifest, publish
 *   (sync data: an environment's first job reads its tables' keys, in one
 *   round trip; its row batches are dispatched once that is done)
 *   workers (sync_worker.c): pop job -> acquire connection -> one
 *                multi-statement round trip (fetch.c), each table
 *                classified, written and recorded as its result arrives
 *                (sync_table.c) -> release -> the failed and missing ones ->
 *                commit the job's files -> finish_job(), where the
 *                schedule (schedule.c) hands the environment's next
 *                batches to the queue (sync_dispatch)
 *   watcher (runguard.h): sigwait(SIGINT/SIGTERM) -> sync_cancel, interrupt
 *                connections; the deadline keeper (runguard.h) cuts off
 *                round trips past query-timeout
 *   summary and manifest (sync_summary.c): built from the results once the
 *                workers are gone
 *
 * The queue's capacity is the sum of the pools, and the schedule never has
 * more jobs in flight than that (schedule.h), so pushing under the run lock
 * cannot block.
 *
 * Lock order: run->lock, then the queue's lock: sync_dispatch pushes onto
 * the queue with run->lock held, from the main thread (schedule_start) and
 * from workers (finish_job -> schedule_done). The history's per-environment
 * locks and connection pool locks are never taken while holding run->lock.
 */
#ifndef RHIZOME_SYNC_INT_H
#define RHIZOME_SYNC_INT_H

#include <pthread.h>
#include <stddef.h>

#include <jansson.h>

#include "engine/base/strbuf.h"
#include "engine/commands/runguard.h"
#include "engine/commands/schedule.h"
#include "engine/commands/sync.h"
#include "engine/fetch/fetch.h"
#include "engine/fetch/keyfollow.h"
#include "engine/output/progress.h"
#include "engine/schema/classify.h"
#include "engine/schema/schemadiff.h"
#include "engine/store/atomic_file.h"
#include "engine/store/history.h"
#include "environments/connpool.h"
#include "queue/queue.h"

/* One environment x table. Written once, by the job owning the table,
 * before that job is finished; read by the main thread after the workers
 * are gone. */
struct table_result {
	enum change_class cls;
	int done;
	char *path;             /* the .sql path, as shown in the summary */
	struct connpool_error *err;   /* cls == CLASS_ERROR; see
				       * sync_set_error. A pointer: a result per
				       * table lives through the run, errors
				       * are rare */
	char *statement;        /* the failing statement (for --verbose) */
	int unreached;          /* error: the environment could not be
				 * reached, so the table was never asked for;
				 * err is the environment's, told once */
	unsigned attempts;      /* queries that asked for it: 1, more after
				 * a lost connection or a transient error,
				 * 0 when never asked (its environment or
				 * its keys could not be read) */
	struct schema_diff drift; /* check: what drifted (n == 0: nothing) */
	char *removed_body;     /* removed: the file's text, recorded in the
				 * history and the file deleted by the main
				 * thread once that history is published
				 * (sync_record_removals, sync_remove_files);
				 * NULL when the file stays */
	size_t removed_len;
};

struct env_run {
	const struct env_config *cfg;
	size_t index;
	connpool *pool;
	/* The tables to fetch: the list's literal names, and for a list with
	 * globs its patterns too until the lookup has expanded them
	 * (expand_tables, sync_worker.c). Set up by the main thread; changed
	 * only by the lookup job, before any batch of the environment
	 * exists; read by the rest after that. */
	const char *const *tables;
	size_t ntables;
	const char **own_tables;       /* what `tables` points to when this
					* run built it, or NULL */
	char **own_names;              /* names of it that only the files
					* gave (a glob's table gone from the
					* server), owned */
	size_t nown_names;
	int lookup;                    /* a lookup job comes first */
	struct table_result *results;  /* one per table */
	/* the tables the server has (fetch.h), from the lookup or the first
	 * batch's first query: written by that one job, read by the main
	 * thread once the workers are gone */
	struct fetch_catalog catalog;
	struct connpool_error lookup_err; /* the lookup failed (code or
					   * message set): why */
	int lookup_unreached;             /* ...because of no connection */
	char *data_dir;
	struct table_key *keys;        /* data: written by the keys job, read
					* by the row jobs dispatched after it */
	size_t nkeys;
	const struct table_key **key_of; /* data: per table, or NULL */
	int follow;                    /* data: follow keys (keyfollow.h) */
	struct fetch_fk *fks;          /* follow: the schema's foreign keys,
					* and the rows they add to each table's
					* fetch: written by the keys job, read
					* by the row jobs after it */
	size_t nfks;
	keyfollow *kf;
	double deadline;               /* env-timeout's end (clock_seconds),
					* 0: none; immutable once set up */
	/* guarded by run->lock: */
	unsigned counts[CLASS_COUNT];
	unsigned round_trips;
	double started;
	char first_error[600];
	int unreached_told;     /* the connect error was logged */
	/* what the manifest says of the server, from the first batch that
	 * got an answer (server_known then) */
	int server_known;
	char server_version[96];
	char server_hostname[256];
	char tls_cipher[96];    /* empty: not encrypted */
};

/* A job on the queue: the schedule's job and its environment. */
struct job {
	struct schedule_job s;
	struct env_run *env;
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
	pthread_cond_t idle;    /* signalled when schedule.inflight drops to 0 */
	struct schedule schedule;     /* guarded by lock */
	struct schedule_env *senvs;   /* the schedule's, one per environment:
				       * guarded by lock, as the schedule */
	unsigned workers;       /* immutable: worker threads */
	int cancel_signal;      /* guarded by lock: SIGINT/SIGTERM received */
	connpool **pools;       /* the environments' pools, for the guard */
	struct runguard guard;  /* the signal watcher, the deadline keeper */
	int io_failed;          /* guarded by lock: a local write failed (read
				 * without it once the workers are joined) */
	struct progress progress; /* guarded by lock */
};

/* A worker's own state, for its whole life (sync_worker.c). */
struct worker_state {
	struct atomic_batch batch;      /* plain files awaiting their commit */
	size_t batch_table[ATOMIC_BATCH_MAX]; /* their tables' indexes */
	struct strbuf sql;
	struct strbuf line;             /* history lines */
	struct fetched_table *fetched;
	size_t cap;
	unsigned seed;                  /* rand_r state: backoff jitter */
};

/* ---- sync_worker.c: the pool's callbacks, and the schedule's ---------- */

/* The pool's thread_start, run and thread_stop (workers/pool.h; ctx: the
 * run). A worker's state is its own, from start to stop; run takes a job
 * (struct job, freed when done) and always finishes it. On the worker
 * thread. */
void *sync_worker_start(void *ctx);
void sync_worker_run(void *item, void *state, void *ctx);
void sync_worker_stop(void *state, void *ctx);
/* The schedule's dispatch and finished callbacks (ctx: the run): queue a
 * job; log an environment's end. Called with run->lock held. */
void sync_dispatch(void *ctx, const struct schedule_job *job);
void sync_env_finished(void *ctx, size_t env);
/* Whether the run was cancelled by a signal. Takes run->lock. */
int sync_cancelled(struct run *r);
/* A local write failed: the schedule stops, the run ends SYNC_IO_FAILED.
 * Takes run->lock. */
void sync_mark_io_failed(struct run *r);

/* Removed tables (table_result.removed_body), on the main thread after
 * the workers: record each one's text in the run history (before
 * publishing; 0 or -errno), then, once it is published, delete the files
 * (0, or -errno with a message naming the file). */
int sync_record_removals(struct run *r);
int sync_remove_files(struct run *r);

/* ---- sync_table.c: one table's pipeline, on the worker that fetched it */

/* Classify, write (or batch) and record table `idx` of `e` as fetched in
 * `f`. Never fails: what goes wrong is the table's result. */
void sync_handle_table(struct run *r, struct env_run *e, size_t idx,
		       struct fetched_table *f, struct worker_state *ws);
/* Give the worker's batched files their final names (atomic_file.h); a
 * file that fails turns its table into a local error. */
void sync_commit_writes(struct run *r, struct env_run *e,
			struct worker_state *ws);
/* What a batch of `e` asks the server. */
struct fetch_request sync_request_of(const struct run *r,
				     const struct env_run *e);
/* Table `table` of `e` failed (res): its history line (status "error",
 * code, message, attempts; none on a dry run). When the history cannot
 * take it, the run stops as a local write failure (stderr says why).
 * `line` is the caller's buffer. */
void sync_note_failure(struct run *r, struct env_run *e, const char *table,
		       const struct table_result *res, struct strbuf *line);
/* The table failed with *err (copied: the result owns its copy). */
void sync_set_error(struct table_result *res, const struct connpool_error *err);
/* Free the result's error, if any. */
void sync_free_error(struct table_result *res);

/* ---- sync_summary.c: after the workers are gone ------------------------ */

/* "ENV: table T: error N: message" (and, verbose, SQLSTATE and statement). */
void sync_format_error(struct strbuf *sb, const struct env_run *e,
		       const char *table, const struct table_result *res,
		       int verbose);
/* The summary (SPEC's shape) and the manifest; new references, the
 * caller's. Main thread, after the workers are gone. */
json_t *sync_build_summary(struct run *r, long long elapsed_ms);
/* How many tables of e's server no list covers (tablelist_unlisted). */
size_t sync_unlisted_count(const struct env_run *e);
/* Listed tables (and globs) that none of the environments that answered
 * has: "absent" in the summary, and a warning each on stderr (a typo,
 * most likely). */
void sync_warn_absent(struct run *r, json_t *summary);
json_t *sync_build_manifest(struct run *r, const struct timespec *end);

#endif
