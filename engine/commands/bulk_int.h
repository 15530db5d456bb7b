/*
 * bulk_int: what the files of a bulk export share (bulk.c: the run and
 * its summary; bulk_plan.c: an environment's plan job; bulk_part.c: a
 * part job). Private to engine/commands/bulk*.c.
 *
 * Threads: the main thread queues every environment's plan job, then,
 * as each plan is done (bulk_env.planned), that environment's part jobs;
 * workers run the jobs; the signal watcher and the deadline keeper
 * (runguard.h) stop and bound them.
 *
 * Locks: run->lock guards what the bulk_run says so, and every table's
 * state; a table's `mlock` guards its manifest, which its parts append to
 * and rewrite. Order: mlock, then run->lock (a part records its chunk in
 * the manifest, then counts it). Pushing onto the queue happens on the
 * main thread with no lock held, so a full queue only makes it wait.
 */
#ifndef RHIZOME_BULK_INT_H
#define RHIZOME_BULK_INT_H

#include <pthread.h>
#include <stddef.h>

#include "engine/base/strbuf.h"
#include "engine/commands/bulk.h"
#include "engine/commands/runguard.h"
#include "engine/fetch/fetch.h"
#include "engine/output/progress.h"
#include "engine/store/bulkchunk.h"
#include "engine/store/bulkmanifest.h"
#include "environments/connpool.h"
#include "queue/queue.h"

enum bulk_state {
	BULK_PENDING,   /* planned, parts to run */
	BULK_EXPORTED,  /* complete and published */
	BULK_KEPT,      /* --resume: its export was complete already */
	BULK_MISSING,   /* the server has no such table */
	BULK_FAILED,
};

struct bulk_env;

struct bulk_table {
	struct bulk_env *env;
	char *name;                     /* owned */
	/* set by the plan job, read by the parts after it */
	const struct table_key *key;    /* NULL: read in one pass */
	int integer_key;                /* one integer column: parts */
	char *dir;                      /* the .partial folder, owned */
	char *final;                    /* the final one, owned */
	int mariadb;                    /* the server is MariaDB */
	pthread_mutex_t mlock;
	struct bulkmanifest m;          /* guarded by mlock */
	int dirty;                      /* guarded by mlock: m has chunks
					 * its file does not list yet ... */
	size_t unlisted, listed;        /* ... this many; and those it does */
	double written_at;              /* guarded by mlock: when the file
					 * was last written */
	/* guarded by the run's lock: */
	enum bulk_state state;
	size_t parts_left;
	size_t resumed_chunks;          /* kept from an interrupted export */
	size_t rows, bytes, chunks;     /* written by this run */
	struct connpool_error err;      /* BULK_FAILED: why */
	char *statement;                /* ... and the statement, cut */
	char *note;                     /* what the plan decided, owned */
	double started, ended;          /* clock_seconds() */
};

struct bulk_env {
	const struct env_config *cfg;
	connpool *pool;
	double deadline;                /* env-timeout's end, 0: none */
	/* written by the plan job, read by the main thread once planned is
	 * set, and by the part jobs after that */
	struct bulk_table *tables;
	size_t ntables;
	struct table_key *keys;
	size_t nkeys;
	/* guarded by the run's lock: */
	int planned;                    /* the plan job is done */
	int pushed;                     /* its part jobs are queued */
	int failed;                     /* the plan failed: err says why */
	int unreached;
	struct connpool_error err;
	unsigned round_trips;
	char server_version[96];
};

/* A job on the queue: an environment's plan (table NULL), or a part. */
struct bulk_job {
	struct bulk_env *env;
	struct bulk_table *table;
	size_t part;
};

struct bulk_run {
	const struct bulk_opts *o;
	unsigned chunk_rows;            /* immutable */
	unsigned workers;               /* immutable */
	const char *mask_key;           /* immutable: the hash key */
	size_t mask_key_len;
	struct bulk_env *envs;
	size_t nenvs;
	connpool **pools;
	queue *q;
	struct runguard guard;
	pthread_mutex_t lock;
	pthread_cond_t changed;         /* a plan done, a job done, a signal */
	/* guarded by lock: */
	size_t inflight;                /* jobs queued or running */
	int cancel_signal;
	int io_failed;
	struct strbuf io_error;         /* the first local failure, said */
	struct progress progress;
};

/* A worker's own buffers (bulk.c starts and stops them). */
struct bulk_worker {
	struct strbuf sql;
	struct strbuf lines;
	unsigned seed;                  /* backoff jitter */
	bulkchunk_ctx *zstd;            /* NULL: each chunk makes its own */
};

/* ---- bulk_plan.c ------------------------------------------------------- */

/* Run environment e's plan job on worker w: tables, keys, parts, resume.
 * Sets e->planned (and e->failed with why) under the run's lock. */
void bulk_plan_env(struct bulk_run *r, struct bulk_env *e,
		   struct bulk_worker *w);

/* ---- bulk_part.c ------------------------------------------------------- */

/* Run part `part` of table t on worker w, to its end, a failure or a
 * signal. */
void bulk_part_run(struct bulk_run *r, struct bulk_table *t, size_t part,
		   struct bulk_worker *w);

/* ---- bulk.c: shared by the jobs ---------------------------------------- */

/* Whether the run is stopping (a signal, a local write failure). Takes
 * the run's lock. */
int bulk_stopping(struct bulk_run *r);
/* Table t failed with *err (the first failure stays), running
 * `statement` (may be NULL). Takes the run's lock. */
void bulk_fail_table(struct bulk_run *r, struct bulk_table *t,
		     const struct connpool_error *err, const char *statement);
/* A local write failed (what: said, with the errno rc): the run stops.
 * Takes the run's lock. */
void bulk_io_failed(struct bulk_run *r, const char *what, int rc);
/* Wait before retry `attempt`; nonzero when the run is stopping. */
int bulk_backoff(struct bulk_run *r, unsigned attempt, unsigned *seed);
/* A part of t is over (failed or not): the last one publishes the
 * table's export when none failed. Takes mlock, then the run's lock. */
void bulk_part_over(struct bulk_run *r, struct bulk_table *t);
/* Say `line` without tearing the progress bar. Takes the run's lock. */
void bulk_log(struct bulk_run *r, const char *line);
/* Whether error `code` means the connection is gone: the client's errors
 * and the server's words for a KILL (1053, 1927). Thread-safe. */
int bulk_connection_lost(unsigned code);
/* *err is `code` and `msg` (cut to fit), SQLSTATE "-----". */
void bulk_set_error(struct connpool_error *err, unsigned code,
		    const char *msg);
/* m's round trips from now may take `limit` seconds, and never past e's
 * env-timeout (connpool_set_deadline). Returns now (clock_seconds). On
 * the thread owning m. */
double bulk_arm_deadline(const struct bulk_env *e, MYSQL *m, double limit);

#endif
