/*
 * A load's lifecycle on the target (load.h says what and why):
 *
 *   main thread: the control connection (held for the whole load: it
 *     holds the server lock) -> lock, look, stage -> create jobs, wait ->
 *     insert jobs, wait -> check the keys -> one RENAME TABLE -> summary;
 *     on a failure or a signal, the staging schema dropped instead
 *   workers (workers/pool.h over queue/queue.h): pop a job (a run of
 *     statements) -> acquire a connection of the target's pool -> one
 *     round trip (sqlbatch.h) -> release -> finish_job
 *   guard (runguard.h): the signal watcher and the deadline keeper
 *
 * The pool holds the target's `pool` connections and one more: the
 * control one, so that the workers get as many as configured.
 *
 * Lock order: run->lock, then the queue's. Jobs are pushed by the main
 * thread only, without run->lock; the queue holds every job of a phase,
 * so a push never blocks.
 */
#include "engine/commands/load.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mysqld_error.h>

#include "engine/base/alloc.h"
#include "engine/base/clock.h"
#include "engine/base/jsontext.h"
#include "engine/commands/runguard.h"
#include "engine/fetch/sqlbatch.h"
#include "engine/output/progress.h"
#include "engine/output/termtext.h"
#include "engine/store/bulkchunk.h"
#include "environments/localinfile.h"
#include "queue/queue.h"
#include "workers/pool.h"

/* A round trip carries at most this much SQL, and at most half the
 * server's max_allowed_packet (a multi-statement query is one packet). */
#define LOAD_TRIP_MAX (4u << 20)

/* One statement of the plan: table `table`'s CREATE (stmt == SIZE_MAX)
 * or its INSERT number `stmt`. */
struct stmt_ref {
	size_t table;
	size_t stmt;
};

/* A round trip's worth: refs[from, to); or, with `chunk`, a chunk of
 * table `table`'s bulk export (as many round trips as its rows take). */
struct job {
	size_t from, to;
	const struct load_chunk *chunk;
	size_t table;
};

/* What became of a table on the target. existed and is_view are written
 * by the main thread before any job exists (look), read after; the rest
 * is guarded by run->lock. */
struct table_result {
	int failed;
	struct connpool_error err;
	char *statement;        /* the failing one, cut (for --verbose) */
	int existed;            /* the target has it: replaced */
	int is_view;            /* ... as a view */
};

/* The fields above `lock` are the main thread's: the workers read those
 * they need (refs, names, lock_owner, trip_max, pool) only in jobs pushed
 * after they were set. */
struct run {
	const struct load_opts *o;
	const struct load_plan *plan;
	struct env_config target;       /* o->target, one connection more */
	connpool *pool;
	queue *q;
	struct runguard guard;
	struct stmt_ref *refs;
	size_t nrefs, ncreates;         /* refs[0, ncreates): the CREATEs */
	struct job *jobs;
	struct loadsql_names names;     /* staging schemas, server lock */
	size_t trip_max;
	MYSQL *control;                 /* main thread's; NULL once lost */
	int locked;                     /* the server lock is held */
	int moving;                     /* the RENAME TABLE is on its way, or
					 * its answer was lost */
	int moved;                      /* it answered: the tables are in */
	unsigned long long lock_owner;  /* the session holding the lock */
	int staged;                     /* the staging schema was made */
	int local_data;                 /* the server takes LOAD DATA LOCAL:
					 * chunks go that way */
	json_t *notes;                  /* lines for the summary's "notes" */
	json_t *blockers;               /* the keys --replace would break */
	char **existing;                /* the target's tables before */
	size_t nexisting;
	pthread_mutex_t lock;
	pthread_cond_t idle;
	/* guarded by lock: */
	size_t inflight;
	int cancel_signal;
	int failed;
	unsigned round_trips;
	struct table_result *results;
	struct connpool_error general;  /* a failure of no one table */
	int general_failed;
};

/* ---- results -------------------------------------------------------- */

/* Table `t` (SIZE_MAX: none in particular) failed with *err running
 * `statement` (may be NULL). Takes run->lock. */
static void fail(struct run *r, size_t t, const struct connpool_error *err,
		 const char *statement)
{
	pthread_mutex_lock(&r->lock);
	r->failed = 1;
	if (r->cancel_signal != 0) {
		/* what the interrupt cut short is no failure of its own */
	} else if (t == SIZE_MAX) {
		if (!r->general_failed) {
			r->general = *err;
			r->general_failed = 1;
		}
	} else if (!r->results[t].failed) {
		r->results[t].failed = 1;
		r->results[t].err = *err;
		if (statement != NULL)
			r->results[t].statement = xasprintf("%.300s%s", statement,
							     strlen(statement) > 300
							     ? "..." : "");
	}
	pthread_mutex_unlock(&r->lock);
}

static void set_error(struct connpool_error *err, unsigned code,
		      const char *fmt, const char *arg)
{
	memset(err, 0, sizeof(*err));
	err->code = code;
	snprintf(err->sqlstate, sizeof(err->sqlstate), "HY000");
	snprintf(err->message, sizeof(err->message), fmt, arg);
}

static int stopped(struct run *r)
{
	int s;

	pthread_mutex_lock(&r->lock);
	s = r->failed || r->cancel_signal != 0;
	pthread_mutex_unlock(&r->lock);
	return s;
}

/* ---- the statements of a round trip ----------------------------------- */

static const char *ref_sql(const struct run *r, const struct stmt_ref *ref,
			   size_t *len)
{
	const struct load_table *t = &r->plan->tables[ref->table];

	if (ref->stmt == SIZE_MAX) {
		*len = t->create_len;
		return t->create;
	}
	*len = t->rows.stmts[ref->stmt].len;
	return t->rows.stmts[ref->stmt].data;
}

/* A round trip's first statements (loadsql_prefix); the third checks that
 * the control session still holds the lock. */
#define PREFIX_STATEMENTS 4
#define LOCK_CHECK 2

/* Warnings on an INSERT mean the server stored something else than the
 * file holds (strict mode makes most of them errors; the rest, such as a
 * note on a truncated fraction, would go unseen): the load fails. */
struct trip {
	struct run *r;
	const struct job *job;
	int inserts;            /* every statement after the prefix is an
				 * INSERT (a chunk's) */
	size_t rows;            /* nonzero: the statement after the prefix
				 * is a LOAD DATA of this many rows */
	int checked;            /* ... and its answer failed the check */
};

/* A LOAD DATA LOCAL takes rows as IGNORE does: a duplicate key skipped,
 * a value cut, with a warning and no error. Every row taken, without a
 * warning, or the chunk fails. */
static int check_data(struct trip *t, const struct sqlbatch_answer *a,
		      struct connpool_error *err)
{
	if (a->warnings == 0 && a->affected == t->rows)
		return 0;
	t->checked = 1;
	memset(err, 0, sizeof(*err));
	snprintf(err->sqlstate, sizeof(err->sqlstate), "-----");
	snprintf(err->message, sizeof(err->message), "the server took %llu of "
		 "the chunk's %zu rows, with %u warning(s): it skipped or "
		 "changed what the file holds", a->affected, t->rows,
		 a->warnings);
	return 1;
}

static int check_answer(void *ctx, const struct sqlbatch_answer *a,
			struct connpool_error *err)
{
	struct trip *t = ctx;
	const struct stmt_ref *ref;

	if (a->index >= PREFIX_STATEMENTS && t->rows > 0)
		return check_data(t, a, err);
	if (a->index < PREFIX_STATEMENTS || a->warnings == 0)
		return 0;
	if (!t->inserts) {
		ref = &t->r->refs[t->job->from + a->index - PREFIX_STATEMENTS];
		if (ref->stmt == SIZE_MAX)
			return 0;
	}
	memset(err, 0, sizeof(*err));
	snprintf(err->sqlstate, sizeof(err->sqlstate), "-----");
	snprintf(err->message, sizeof(err->message), "the server stored %u "
		 "value(s) other than the file holds (warnings on its INSERT: "
		 "a value its column cannot hold as it is, such as a time in a "
		 "DATE)", a->warnings);
	return 1;
}

/* ---- workers ------------------------------------------------------------ */

struct worker {
	struct strbuf sql;
};

static void *worker_start(void *ctx)
{
	(void)ctx;
	mysql_thread_init();
	return xcalloc(1, sizeof(struct worker));
}

static void worker_stop(void *state, void *ctx)
{
	struct worker *w = state;

	(void)ctx;
	strbuf_release(&w->sql);
	free(w);
	mysql_thread_end();
}

static void finish_job(struct run *r)
{
	pthread_mutex_lock(&r->lock);
	r->inflight--;
	if (r->inflight == 0)
		pthread_cond_broadcast(&r->idle);
	pthread_mutex_unlock(&r->lock);
}

/* A round trip of m that failed after `waited` seconds: said as the
 * time-out it was, when one was (the keeper's query-timeout, or the
 * library's read timeout, which it words as a lost connection). Returns
 * whether it was. */
static int say_timeout(struct run *r, MYSQL *m, double waited,
		       struct connpool_error *err)
{
	char secs[16];

	if (connpool_expired(r->pool, m)) {
		snprintf(secs, sizeof(secs), "%u", r->target.query_timeout);
		set_error(err, 2013, "timed out: no answer within query-timeout "
			  "(%s s)", secs);
		return 1;
	}
	if (fetch_is_client_error(err->code) &&
	    waited + 0.05 >= (double)r->target.read_timeout) {
		char was[sizeof(err->message)];

		snprintf(was, sizeof(was), "%s", err->message);
		snprintf(err->message, sizeof(err->message), "timed out: no "
			 "answer within read-timeout (%u s): %.400s",
			 r->target.read_timeout, was);
		return 1;
	}
	return 0;
}

/* A round trip that failed in its prefix (loadsql_prefix): the session's
 * settings, the lock, or the staging schema gone, no table's failure. */
static void prefix_failed(struct run *r, struct sqlbatch_result *res)
{
	if (res->ran == LOCK_CHECK && !fetch_is_client_error(res->err.code))
		set_error(&res->err, 0, "%s", "the load's server lock is lost (its "
			  "control connection closed): stopped, so as never to "
			  "write into another load's staging schema");
	fail(r, SIZE_MAX, &res->err, NULL);
}

/* Send job's statements over m: 0, or -EIO when it failed (recorded by
 * fail()). */
static int run_trip(struct run *r, MYSQL *m, const struct job *job,
		    struct strbuf *sql, int *broken)
{
	struct trip trip = { r, job, 0, 0, 0 };
	struct sqlbatch_result res;
	enum fetch_outcome outcome;
	unsigned trips = 0;
	size_t i, len, table;
	const char *stmt;
	double started;

	strbuf_reset(sql);
	(void)loadsql_prefix(sql, &r->names, connpool_session_sql(r->pool, m),
			     r->lock_owner);
	for (i = job->from; i < job->to; i++) {
		stmt = ref_sql(r, &r->refs[i], &len);
		strbuf_add(sql, ";", 1);
		strbuf_add(sql, stmt, len);
	}
	started = clock_seconds();
	connpool_set_deadline(r->pool, m, started +
			      (double)r->target.query_timeout);
	outcome = sqlbatch_run(m, sql, PREFIX_STATEMENTS + job->to - job->from,
			       check_answer, &trip, &res, &trips);
	/* the expired mark stays for say_timeout */
	connpool_set_deadline(r->pool, m, 0);
	pthread_mutex_lock(&r->lock);
	r->round_trips += trips;
	pthread_mutex_unlock(&r->lock);
	if (outcome == FETCH_DONE)
		return 0;
	*broken = outcome == FETCH_BROKEN;
	if (say_timeout(r, m, clock_seconds() - started, &res.err))
		*broken = 1;
	if (res.ran < PREFIX_STATEMENTS) {
		prefix_failed(r, &res);
		return -EIO;
	}
	i = job->from + res.ran - PREFIX_STATEMENTS;
	if (i >= job->to) /* the connection broke after the last answer */
		i = job->to - 1;
	table = r->refs[i].table;
	stmt = ref_sql(r, &r->refs[i], &len);
	fail(r, table, &res.err, stmt);
	return -EIO;
}

/* Table t's chunk failed locally (its file, its rows): said as the
 * table's failure, naming the file. */
static void chunk_failed(struct run *r, const struct job *job,
			 const char *why)
{
	struct connpool_error err;
	const char *path = job->chunk->path;
	int named = strstr(why, path) != NULL;

	memset(&err, 0, sizeof(err));
	snprintf(err.sqlstate, sizeof(err.sqlstate), "-----");
	snprintf(err.message, sizeof(err.message), "%s%s%s", named ? "" : path,
		 named ? "" : ": ", why);
	fail(r, job->table, &err, NULL);
}

/* Job's chunk read back, its frame's checksum checked (its digest was
 * checked by the plan, under the snapshot root's lock that is still
 * held): 0 with *text (caller frees), or -EIO when it failed (recorded). */
static int read_chunk(struct run *r, const struct job *job, char **text)
{
	struct strbuf why = STRBUF_INIT;
	size_t len;
	int rc = bulkchunk_read(job->chunk->path, NULL, text, &len, &why);

	if (rc != 0) {
		if (why.len == 0)
			strbuf_adds(&why, strerror(-rc));
		chunk_failed(r, job, why.data);
	}
	strbuf_release(&why);
	return rc == 0 ? 0 : -EIO;
}

/* Whether a chunk's rows came to as many as its manifest says: 0, or
 * -EIO (recorded). */
static int chunk_rows_are(struct run *r, const struct job *job, size_t rows)
{
	char why[160];

	if (rows == job->chunk->rows)
		return 0;
	snprintf(why, sizeof(why), "holds %zu rows where its manifest says %zu",
		 rows, job->chunk->rows);
	chunk_failed(r, job, why);
	return -EIO;
}

/* Load job's chunk over m as INSERTs, in round trips of at most trip_max
 * bytes: 0, or -EIO when it failed (recorded by fail()). */
static int run_chunk_inserts(struct run *r, MYSQL *m, const struct job *job,
			     const char *text, struct strbuf *sql, int *broken)
{
	const struct load_table *t = &r->plan->tables[job->table];
	struct trip trip = { r, job, 1, 0, 0 };
	struct loadsql_inserts ins = { 0 };
	struct strbuf why = STRBUF_INIT;
	struct sqlbatch_result res;
	enum fetch_outcome outcome;
	size_t i = 0, from;
	unsigned trips = 0;
	double started;
	int rc = 0;

	if (loadsql_inserts_lines(&t->model, text, LOAD_STATEMENT_MAX, &ins,
				  &why) != 0) {
		chunk_failed(r, job, why.data);
		rc = -EIO;
	} else {
		rc = chunk_rows_are(r, job, ins.rows);
	}
	strbuf_release(&why);
	while (i < ins.n && rc == 0) {
		strbuf_reset(sql);
		(void)loadsql_prefix(sql, &r->names, connpool_session_sql(r->pool, m),
				     r->lock_owner);
		/* one transaction a round trip: a commit (a log flush) per
		 * trip, not per INSERT */
		strbuf_adds(sql, ";START TRANSACTION");
		from = i;
		do {
			strbuf_add(sql, ";", 1);
			strbuf_add(sql, ins.stmts[i].data, ins.stmts[i].len);
			i++;
		} while (i < ins.n && sql->len + ins.stmts[i].len < r->trip_max);
		strbuf_adds(sql, ";COMMIT");
		started = clock_seconds();
		connpool_set_deadline(r->pool, m, started +
				      (double)r->target.query_timeout);
		outcome = sqlbatch_run(m, sql, PREFIX_STATEMENTS + 2 + i - from,
				       check_answer, &trip, &res, &trips);
		connpool_set_deadline(r->pool, m, 0);
		if (outcome == FETCH_DONE)
			continue;
		/* closed, not reused: a failure after START TRANSACTION left
		 * it open, holding the staging table's metadata lock that the
		 * clean-up's DROP would wait for */
		*broken = 1;
		(void)say_timeout(r, m, clock_seconds() - started, &res.err);
		if (res.ran < PREFIX_STATEMENTS) {
			prefix_failed(r, &res);
		} else {
			/* the INSERT that failed (or the COMMIT: the last) */
			/* answers: the prefix, START TRANSACTION, the INSERTs */
			size_t at = res.ran > PREFIX_STATEMENTS
				    ? from + res.ran - PREFIX_STATEMENTS - 1 : from;

			fail(r, job->table, &res.err,
			     ins.stmts[at < i ? at : i - 1].data);
		}
		rc = -EIO;
	}
	pthread_mutex_lock(&r->lock);
	r->round_trips += trips;
	pthread_mutex_unlock(&r->lock);
	loadsql_inserts_release(&ins);
	return rc;
}

/* The name a LOAD DATA statement of ours reads: the handler serves
 * nothing else (localinfile.h). */
#define LOCAL_NAME "rhizome-chunk"

/* After a LOAD DATA the server answered with skipped rows or warnings:
 * its first warnings, appended to err's message (the statement was the
 * round trip's last, so SHOW WARNINGS is its). */
static void add_warnings(struct run *r, MYSQL *m, struct connpool_error *err)
{
	struct strbuf sb = STRBUF_INIT;
	MYSQL_RES *res;
	MYSQL_ROW row;
	size_t len = strlen(err->message);

	connpool_set_deadline(r->pool, m, clock_seconds() +
			      (double)r->target.query_timeout);
	if (mysql_query(m, "SHOW WARNINGS LIMIT 3") == 0 &&
	    (res = mysql_store_result(m)) != NULL) {
		while ((row = mysql_fetch_row(res)) != NULL)
			strbuf_addf(&sb, "; %s %s: %s", row[0] ? row[0] : "",
				    row[1] ? row[1] : "", row[2] ? row[2] : "");
		mysql_free_result(res);
	}
	connpool_set_deadline(r->pool, m, 0);
	if (sb.len > 0)
		snprintf(err->message + len, sizeof(err->message) - len, "%s",
			 sb.data);
	strbuf_release(&sb);
}

/* Load job's chunk over m as one LOAD DATA LOCAL INFILE, its rows served
 * from memory: 0, or -EIO when it failed (recorded by fail()). */
static int run_chunk_data(struct run *r, MYSQL *m, const struct job *job,
			  const char *text, struct strbuf *sql, int *broken)
{
	const struct load_table *t = &r->plan->tables[job->table];
	struct loadsql_data data = { LOCAL_NAME, STRBUF_INIT, STRBUF_INIT, 0 };
	struct trip trip = { r, job, 1, 0, 0 };
	struct localinfile_source src;
	struct strbuf why = STRBUF_INIT;
	struct sqlbatch_result res;
	enum fetch_outcome outcome;
	unsigned trips = 0;
	double started;
	int rc;

	if (loadsql_data_lines(&t->model, text, &data, &why) != 0) {
		chunk_failed(r, job, why.data);
		rc = -EIO;
	} else {
		rc = chunk_rows_are(r, job, data.nrows);
	}
	strbuf_release(&why);
	if (rc != 0 || data.nrows == 0) {
		loadsql_data_release(&data);
		return rc;
	}
	strbuf_reset(sql);
	(void)loadsql_prefix(sql, &r->names, connpool_session_sql(r->pool, m),
			     r->lock_owner);
	strbuf_add(sql, ";", 1);
	strbuf_add(sql, data.statement.data, data.statement.len);
	memset(&src, 0, sizeof(src));
	src.name = LOCAL_NAME;
	src.data = data.rows.data;
	src.len = data.rows.len;
	trip.rows = data.nrows;
	localinfile_serve(m, &src);
	started = clock_seconds();
	connpool_set_deadline(r->pool, m, started +
			      (double)r->target.query_timeout);
	/* one statement, one transaction: InnoDB takes the chunk whole or
	 * rolls it back */
	outcome = sqlbatch_run(m, sql, PREFIX_STATEMENTS + 1, check_answer,
			       &trip, &res, &trips);
	connpool_set_deadline(r->pool, m, 0);
	localinfile_refuse(m);
	if (outcome == FETCH_REFUSED && res.ran == PREFIX_STATEMENTS &&
	    trip.checked)
		/* the server took it, but not as the file says */
		add_warnings(r, m, &res.err);
	pthread_mutex_lock(&r->lock);
	r->round_trips += trips;
	pthread_mutex_unlock(&r->lock);
	if (outcome != FETCH_DONE) {
		*broken = outcome == FETCH_BROKEN;
		if (say_timeout(r, m, clock_seconds() - started, &res.err))
			*broken = 1;
		if (res.ran < PREFIX_STATEMENTS)
			prefix_failed(r, &res);
		else
			fail(r, job->table, &res.err, data.statement.data);
		rc = -EIO;
	}
	loadsql_data_release(&data);
	return rc;
}

/* Load job's chunk over m: read and checked (its frame, its rows), sent
 * as LOAD DATA when the server allows it, else as INSERTs. 0, or -EIO
 * when it failed (recorded by fail()). */
static int run_chunk(struct run *r, MYSQL *m, const struct job *job,
		     struct strbuf *sql, int *broken)
{
	char *text;
	int rc;

	if (read_chunk(r, job, &text) != 0)
		return -EIO;
	rc = r->local_data ? run_chunk_data(r, m, job, text, sql, broken)
	     : run_chunk_inserts(r, m, job, text, sql, broken);
	free(text);
	return rc;
}

static void worker_run(void *item, void *state, void *ctx)
{
	struct run *r = ctx;
	struct worker *w = state;
	const struct job *job = item;
	struct connpool_error err;
	MYSQL *m = NULL;
	int reused, broken = 0, rc;

	if (stopped(r)) {
		finish_job(r);
		return;
	}
	rc = connpool_acquire(r->pool, &m, &reused, &err);
	if (rc != 0) {
		/* the connection's failure, no table's */
		fail(r, SIZE_MAX, &err, NULL);
		finish_job(r);
		return;
	}
	if (job->chunk != NULL)
		(void)run_chunk(r, m, job, &w->sql, &broken);
	else
		(void)run_trip(r, m, job, &w->sql, &broken);
	connpool_release(r->pool, m, broken || connpool_expired(r->pool, m));
	finish_job(r);
}

/* ---- the guard's callbacks (runguard.h), with run->lock held ---------- */

static void load_cancel(void *ctx, int sig)
{
	struct run *r = ctx;

	r->cancel_signal = sig;
	if (!r->o->quiet)
		fprintf(stderr, "%s\n", sig == SIGINT
			? "rhizome: interrupted (SIGINT), stopping"
			: "rhizome: terminated (SIGTERM), stopping");
	pthread_cond_broadcast(&r->idle);
}

static const struct runguard_ops load_guard_ops = { load_cancel, NULL, NULL };

/* ---- the control connection's round trips ----------------------------- */

/* What the first control round trip reads. */
struct look {
	struct run *r;
	long long got_lock;             /* GET_LOCK's answer: 1, 0, -1: NULL */
	unsigned long long packet;      /* @@max_allowed_packet */
	unsigned long long id;          /* the control session's CONNECTION_ID() */
	int local_infile;               /* @@local_infile: 1 when ON */
	char **tables;                  /* SHOW FULL TABLES of the target */
	int *views;
	size_t ntables;
	char **refs;                    /* the keys referencing its tables:
					 * schema, table, key, referenced
					 * table, four strings each */
	size_t nrefs;
};

static int take_look(void *ctx, const struct sqlbatch_answer *a,
		     struct connpool_error *err)
{
	struct look *l = ctx;
	MYSQL_ROW row;

	(void)err;
	if (a->res == NULL)
		return 0;
	if (a->index == 1 && (row = mysql_fetch_row(a->res)) != NULL) {
		l->got_lock = row[0] != NULL ? strtoll(row[0], NULL, 10) : -1;
		l->packet = row[1] != NULL ? strtoull(row[1], NULL, 10) : 0;
		l->id = row[2] != NULL ? strtoull(row[2], NULL, 10) : 0;
		l->local_infile = row[3] != NULL && strcmp(row[3], "1") == 0;
		return 0;
	}
	while (a->index == 2 && (row = mysql_fetch_row(a->res)) != NULL) {
		l->tables = xrealloc(l->tables, (l->ntables + 1) * sizeof(*l->tables));
		l->views = xrealloc(l->views, (l->ntables + 1) * sizeof(*l->views));
		l->tables[l->ntables] = xstrdup(row[0] ? row[0] : "");
		l->views[l->ntables++] = row[1] != NULL && strcmp(row[1], "VIEW") == 0;
	}
	while (a->index == 4 && (row = mysql_fetch_row(a->res)) != NULL) {
		size_t k;

		l->refs = xrealloc(l->refs, 4 * (l->nrefs + 1) * sizeof(*l->refs));
		for (k = 0; k < 4; k++)
			l->refs[4 * l->nrefs + k] = xstrdup(row[k] ? row[k] : "");
		l->nrefs++;
	}
	return 0;
}

/* One round trip on the control connection, sql[0..n statements), with
 * on_answer (may be NULL). FETCH_DONE, or the failure in *res; a broken
 * control connection is given up (released as broken). */
static enum fetch_outcome control_trip(struct run *r, const struct strbuf *sql,
				       size_t n,
				       int (*on_answer)(void *,
							const struct sqlbatch_answer *,
							struct connpool_error *),
				       void *ctx, struct sqlbatch_result *res)
{
	enum fetch_outcome outcome;
	unsigned trips = 0;
	double started;

	if (r->control == NULL) {
		memset(res, 0, sizeof(*res));
		set_error(&res->err, 2006, "%s", "the control connection was lost");
		return FETCH_BROKEN;
	}
	started = clock_seconds();
	connpool_set_deadline(r->pool, r->control, started +
			      (double)r->target.query_timeout);
	outcome = sqlbatch_run(r->control, sql, n, on_answer, ctx, res, &trips);
	pthread_mutex_lock(&r->lock);
	r->round_trips += trips;
	pthread_mutex_unlock(&r->lock);
	if (outcome != FETCH_DONE &&
	    say_timeout(r, r->control, clock_seconds() - started, &res->err))
		outcome = FETCH_BROKEN;
	connpool_set_deadline(r->pool, r->control, 0);
	if (outcome == FETCH_BROKEN) {
		connpool_release(r->pool, r->control, 1);
		r->control = NULL;
		r->locked = 0; /* the server let it go with the session */
	}
	return outcome;
}

static void free_look(struct look *l)
{
	size_t i;

	for (i = 0; i < l->ntables; i++)
		free(l->tables[i]);
	free(l->tables);
	free(l->views);
	for (i = 0; i < 4 * l->nrefs; i++)
		free(l->refs[i]);
	free(l->refs);
}

/* --replace moves a replaced table aside and drops it: a key of a table
 * the load does not replace that references it would then reference the
 * dropped table. Those keys, into r->blockers. */
static void find_blockers(struct run *r, const struct look *l)
{
	size_t i, k;

	for (k = 0; k < l->nrefs; k++) {
		char *const *ref = &l->refs[4 * k];
		int own = strcmp(ref[0], r->target.schema) == 0;

		if (strcmp(ref[0], r->names.staging) == 0 ||
		    strcmp(ref[0], r->names.old) == 0 ||
		    (own && load_plan_has(r->plan, ref[1])))
			continue;
		for (i = 0; i < r->plan->ntables; i++)
			if (r->results[i].existed &&
			    strcmp(r->plan->tables[i].name, ref[3]) == 0)
				json_array_append_new(r->blockers, json_pack(
					"{s:o, s:o, s:o, s:o}", "schema",
					jsontext_string(ref[0]), "table",
					jsontext_string(ref[1]), "constraint",
					jsontext_string(ref[2]), "references",
					jsontext_string(ref[3])));
	}
}

/* Take the server lock, read the target's tables and its packet limit;
 * mark the tables that exist. LOAD_DONE to go on. */
static enum load_outcome look(struct run *r)
{
	struct strbuf sql = STRBUF_INIT;
	struct sqlbatch_result res;
	struct look l;
	enum fetch_outcome outcome;
	size_t i, k, n, existing = 0, views = 0;

	memset(&l, 0, sizeof(l));
	l.r = r;
	l.got_lock = -1;
	n = loadsql_look(&sql, &r->names, connpool_session_sql(r->pool, r->control));
	outcome = control_trip(r, &sql, n, take_look, &l, &res);
	strbuf_release(&sql);
	/* held even if a statement after it failed: clean_up lets it go */
	if (l.got_lock == 1 && r->control != NULL)
		r->locked = 1;
	r->lock_owner = l.id;
	/* the schema is not there (yet): it has no tables */
	if (outcome == FETCH_REFUSED && res.ran == 2 &&
	    res.err.code == ER_BAD_DB_ERROR)
		outcome = FETCH_DONE;
	if (outcome != FETCH_DONE || l.got_lock != 1) {
		if (outcome == FETCH_DONE && l.got_lock == 0) {
			free_look(&l);
			return LOAD_BUSY;
		}
		if (outcome == FETCH_DONE)
			set_error(&res.err, 0, "%s", "GET_LOCK answered NULL");
		fail(r, SIZE_MAX, &res.err, NULL);
		free_look(&l);
		return LOAD_FAILED;
	}
	r->locked = 1;
	r->local_data = l.local_infile;
	if (!l.local_infile && r->plan->nchunks > 0)
		json_array_append_new(r->notes, json_sprintf(
			"the target's server has local_infile OFF: the chunks' "
			"rows went in as INSERT statements, which is slower than "
			"LOAD DATA LOCAL INFILE (SET GLOBAL local_infile = ON "
			"allows it)"));
	if (l.packet > 0 && l.packet / 2 < r->trip_max)
		r->trip_max = (size_t)(l.packet / 2);
	for (i = 0; i < r->plan->ntables; i++)
		for (k = 0; k < l.ntables; k++)
			if (strcmp(l.tables[k], r->plan->tables[i].name) == 0) {
				r->results[i].existed = 1;
				r->results[i].is_view = l.views[k];
				existing++;
				views += l.views[k];
			}
	if (r->o->replace)
		find_blockers(r, &l);
	r->existing = l.tables;
	r->nexisting = l.ntables;
	l.tables = NULL;
	l.ntables = 0;
	free_look(&l);
	/* a view cannot be moved to another schema: replaced by hand only */
	return (existing > 0 && !r->o->replace) || views > 0 ||
	       json_array_size(r->blockers) > 0 ? LOAD_REFUSED : LOAD_DONE;
}

/* Whether the staging schema's DROP DATABASE IF EXISTS (statement 1 of
 * stage()'s) found one: it warns when there was none. ctx: an int. */
static int take_leftover(void *ctx, const struct sqlbatch_answer *a,
			 struct connpool_error *err)
{
	(void)err;
	if (a->index == 1)
		*(int *)ctx = a->warnings == 0;
	return 0;
}

/* Make the target schema if it is not there, and the staging schema
 * afresh: what a killed load left is dropped (the lock says no other load
 * is using it). */
static int stage(struct run *r)
{
	struct strbuf sql = STRBUF_INIT;
	struct sqlbatch_result res;
	enum fetch_outcome outcome;
	int leftover = 0;
	size_t n;

	n = loadsql_stage(&sql, &r->names);
	outcome = control_trip(r, &sql, n, take_leftover, &leftover, &res);
	strbuf_release(&sql);
	if (outcome != FETCH_DONE) {
		fail(r, SIZE_MAX, &res.err, NULL);
		return -EIO;
	}
	r->staged = 1;
	if (leftover)
		json_array_append_new(r->notes, json_sprintf(
			"dropped what an interrupted load into %s left (schema %s)",
			r->target.schema, r->names.staging));
	return 0;
}

/* The first statement's one number (ctx: a long long; -1 for NULL). */
static int take_number(void *ctx, const struct sqlbatch_answer *a,
		       struct connpool_error *err)
{
	MYSQL_ROW row;

	(void)err;
	if (a->res != NULL && (row = mysql_fetch_row(a->res)) != NULL)
		*(long long *)ctx = row[0] != NULL ? strtoll(row[0], NULL, 10) : -1;
	return 0;
}

static int count_rows(void *ctx, const struct sqlbatch_answer *a,
		      struct connpool_error *err)
{
	(void)err;
	if (a->res != NULL)
		*(unsigned long long *)ctx += mysql_num_rows(a->res);
	return 0;
}

/* The answer to RENAME TABLE was lost: holding the lock again, see where
 * the tables are. An empty (or dropped) staging schema means they moved
 * in, since RENAME TABLE moves all or none. Else they did not, and are
 * dropped with it. */
static void settle_rename(struct run *r, MYSQL *m, struct strbuf *sql,
			  unsigned *trips)
{
	struct sqlbatch_result res;
	unsigned long long left = 0;
	enum fetch_outcome rc;

	strbuf_reset(sql);
	loadsql_show_staging(sql, &r->names);
	rc = sqlbatch_run(m, sql, 1, count_rows, &left, &res, trips);
	strbuf_reset(sql);
	if (rc != FETCH_DONE && !(rc == FETCH_REFUSED &&
				  res.err.code == ER_BAD_DB_ERROR))
		return; /* still unknown */
	r->moving = 0;
	if (left > 0)
		return;
	r->moved = 1;
	pthread_mutex_lock(&r->lock);
	r->general_failed = 0; /* the lost answer was the only failure */
	pthread_mutex_unlock(&r->lock);
	json_array_append_new(r->notes, json_sprintf(
		"the answer to RENAME TABLE was lost, but the tables are in %s "
		"(the staging schema held none of them)", r->target.schema));
}

/* Drop the staging schemas and let the lock go, over the control
 * connection, or after a signal or its loss over a new one (which takes
 * the lock first, so it never drops another load's). Says in the notes
 * what it could not do. */
static void clean_up(struct run *r)
{
	struct strbuf sql = STRBUF_INIT;
	struct sqlbatch_result res;
	connpool *fresh = NULL;
	struct connpool_error err;
	struct env_config one;
	MYSQL *m = NULL;
	int reused, have_lock = r->locked;
	unsigned trips = 0;
	long long got = -1;
	int interrupted;

	if (!r->staged && !r->locked)
		return;
	pthread_mutex_lock(&r->lock);
	interrupted = r->cancel_signal != 0;
	pthread_mutex_unlock(&r->lock);
	if (r->control != NULL && !interrupted) {
		/* bounded as every control round trip (the keeper still
		 * runs); the fresh connection below by its timeouts */
		m = r->control;
		connpool_set_deadline(r->pool, m, clock_seconds() +
				      (double)r->target.query_timeout);
	} else {
		/* the pool is interrupted, or its control connection gone */
		one = r->target;
		one.pool = 1;
		fresh = connpool_new(&one, r->o->tls);
		if (connpool_acquire(fresh, &m, &reused, &err) != 0) {
			json_array_append_new(r->notes, json_sprintf(
				"could not drop the staging schema %s (%s): the "
				"next load into %s drops it", r->names.staging,
				err.message, r->target.schema));
			connpool_free(fresh);
			return;
		}
		loadsql_get_lock(&sql, &r->names, 2);
		have_lock = sqlbatch_run(m, &sql, 1, take_number, &got, &res,
					 &trips) == FETCH_DONE && got == 1;
		strbuf_reset(&sql);
	}
	if (!have_lock || !r->staged) {
		if (have_lock)
			goto release;
		if (r->staged)
			json_array_append_new(r->notes, json_sprintf(
				"left the staging schema %s: the next load into "
				"%s drops it", r->names.staging, r->target.schema));
		goto out;
	}
	if (r->moving)
		settle_rename(r, m, &sql, &trips);
	if (sqlbatch_run(m, &sql, loadsql_drop(&sql, &r->names), NULL, NULL, &res,
			 &trips) == FETCH_DONE)
		r->staged = 0;
	else
		json_array_append_new(r->notes, json_sprintf(
			"could not drop the staging schema %s (%s): the next load "
			"into %s drops it", r->names.staging, res.err.message,
			r->target.schema));
release:
	strbuf_reset(&sql);
	loadsql_release_lock(&sql, &r->names);
	(void)sqlbatch_run(m, &sql, 1, NULL, NULL, &res, &trips);
	r->locked = 0;
out:
	strbuf_release(&sql);
	pthread_mutex_lock(&r->lock);
	r->round_trips += trips;
	pthread_mutex_unlock(&r->lock);
	if (m == r->control && m != NULL) {
		connpool_set_deadline(r->pool, m, 0);
		if (connpool_expired(r->pool, m)) {
			connpool_release(r->pool, m, 1);
			r->control = NULL;
		}
	}
	if (fresh != NULL) {
		connpool_release(fresh, m, 1);
		connpool_free(fresh);
	}
}

/* ---- the plan as jobs -------------------------------------------------- */

/* refs[]: every CREATE, then every INSERT (none with --schema-only). */
static void plan_refs(struct run *r)
{
	const struct load_plan *p = r->plan;
	size_t i, k, n = p->ntables;

	for (i = 0; i < p->ntables; i++)
		n += p->tables[i].rows.n;
	r->refs = xcalloc(n ? n : 1, sizeof(*r->refs));
	for (i = 0; i < p->ntables; i++) {
		r->refs[r->nrefs].table = i;
		r->refs[r->nrefs++].stmt = SIZE_MAX;
	}
	r->ncreates = r->nrefs;
	for (i = 0; i < p->ntables; i++)
		for (k = 0; k < p->tables[i].rows.n; k++) {
			r->refs[r->nrefs].table = i;
			r->refs[r->nrefs++].stmt = k;
		}
	r->jobs = xcalloc(r->nrefs ? r->nrefs : 1, sizeof(*r->jobs));
}

/* Cut refs[from, to) into jobs of at most r->trip_max bytes (but one
 * statement), at most `most` statements each, and spread over the workers
 * (at least one job per worker when there are statements enough). Push
 * them, then wait until every one is done. 0, -EIO when one failed, or
 * -ECANCELED when a signal came. */
static int run_phase(struct run *r, size_t from, size_t to, size_t most,
		     unsigned workers)
{
	size_t n = to - from, per, i, njobs = 0, bytes = 0, len;
	int rc;

	if (n == 0)
		return 0;
	per = (n + workers - 1) / workers;
	if (per > most)
		per = most;
	for (i = from; i < to; i++) {
		(void)ref_sql(r, &r->refs[i], &len);
		if (njobs > 0 && r->jobs[njobs - 1].to == i &&
		    i - r->jobs[njobs - 1].from < per && bytes + len <= r->trip_max) {
			r->jobs[njobs - 1].to = i + 1;
			bytes += len + 1;
			continue;
		}
		r->jobs[njobs].from = i;
		r->jobs[njobs++].to = i + 1;
		bytes = len + 1;
	}
	pthread_mutex_lock(&r->lock);
	r->inflight += njobs;
	pthread_mutex_unlock(&r->lock);
	for (i = 0; i < njobs; i++)
		if (queue_push(r->q, &r->jobs[i]) != 0)
			finish_job(r); /* closed: no worker will take it */
	pthread_mutex_lock(&r->lock);
	while (r->inflight > 0)
		pthread_cond_wait(&r->idle, &r->lock);
	rc = r->cancel_signal != 0 ? -ECANCELED : r->failed ? -EIO : 0;
	pthread_mutex_unlock(&r->lock);
	return rc;
}

/* --bulk: a job per chunk of every table, pushed, then waited for. 0,
 * -EIO when one failed, or -ECANCELED when a signal came. */
static int run_chunks(struct run *r)
{
	const struct load_plan *p = r->plan;
	struct job *jobs = xcalloc(p->nchunks ? p->nchunks : 1, sizeof(*jobs));
	size_t i, k, n = 0;
	int rc;

	for (i = 0; i < p->ntables; i++)
		for (k = 0; k < p->tables[i].nchunks; k++) {
			jobs[n].chunk = &p->tables[i].chunks[k];
			jobs[n++].table = i;
		}
	pthread_mutex_lock(&r->lock);
	r->inflight += n;
	pthread_mutex_unlock(&r->lock);
	for (i = 0; i < n; i++)
		if (stopped(r) || queue_push(r->q, &jobs[i]) != 0)
			finish_job(r); /* never taken */
	pthread_mutex_lock(&r->lock);
	while (r->inflight > 0)
		pthread_cond_wait(&r->idle, &r->lock);
	rc = r->cancel_signal != 0 ? -ECANCELED : r->failed ? -EIO : 0;
	pthread_mutex_unlock(&r->lock);
	free(jobs);
	return rc;
}

/* ---- after the rows: the keys, then the rename ------------------------ */

static int target_has(const struct run *r, const char *table)
{
	size_t i;

	for (i = 0; i < r->nexisting; i++)
		if (strcmp(r->existing[i], table) == 0)
			return 1;
	return 0;
}

/* One key checked: which, against what, and the count that came back. */
struct key_check {
	size_t table;
	const struct tm_foreign_key *fk;
	struct loadsql_fk parts;
	long long orphans;
};

struct key_checks {
	struct key_check *c;
	size_t n;
	json_t *unsatisfied, *not_checked;
};

static int take_orphans(void *ctx, const struct sqlbatch_answer *a,
			struct connpool_error *err)
{
	struct key_checks *k = ctx;

	return take_number(&k->c[a->index].orphans, a, err);
}

/* Count, per foreign key of the loaded tables, the rows whose parent row
 * is not there: against the staging schema when the parent is loaded too,
 * the target's when the target has it (and it is not replaced), none at
 * all otherwise (every row with its key set is then an orphan). One round
 * trip. Fills the summary's parts; 0, or -EIO when the round trip failed
 * (recorded by fail()). */
static int check_keys(struct run *r, json_t **checked, json_t **unsatisfied,
		      json_t **not_checked)
{
	struct strbuf sql = STRBUF_INIT;
	struct sqlbatch_result res;
	struct key_checks k;
	size_t i, j, nfks = 0;
	int rc = 0;

	memset(&k, 0, sizeof(k));
	*unsatisfied = json_array();
	*not_checked = json_array();
	for (i = 0; i < r->plan->ntables; i++)
		nfks += r->plan->tables[i].model.nfks;
	k.c = xcalloc(nfks ? nfks : 1, sizeof(*k.c));
	for (i = 0; i < r->plan->ntables; i++) {
		const struct table_model *m = &r->plan->tables[i].model;

		for (j = 0; j < m->nfks; j++) {
			struct key_check *c = &k.c[k.n];
			const char *ref_schema;

			c->table = i;
			c->fk = &m->fks[j];
			if (loadsql_fk_parse(c->fk, &c->parts) != 0) {
				json_array_append_new(*not_checked, json_pack(
					"{s:o, s:o, s:s}", "table",
					jsontext_string(m->name), "constraint",
					jsontext_string(c->fk->name ? c->fk->name : ""),
					"reason", "its columns could not be read"));
				continue;
			}
			/* a key load_plan_read pointed at the target's table
			 * is the target's to check */
			if (c->parts.ref_schema != NULL &&
			    strcmp(c->parts.ref_schema, r->target.schema) == 0) {
				free(c->parts.ref_schema);
				c->parts.ref_schema = NULL;
			}
			if (c->parts.ref_schema != NULL) {
				json_array_append_new(*not_checked, json_pack(
					"{s:o, s:o, s:s}", "table",
					jsontext_string(m->name), "constraint",
					jsontext_string(c->fk->name ? c->fk->name : ""),
					"reason", "it references another schema, "
					"which a load does not bring"));
				loadsql_fk_release(&c->parts);
				continue;
			}
			ref_schema = load_plan_has(r->plan, c->parts.ref_table)
				     ? r->names.staging
				     : target_has(r, c->parts.ref_table)
				     ? r->target.schema : NULL;
			if (k.n > 0)
				strbuf_add(&sql, ";", 1);
			loadsql_fk_orphans(&sql, r->names.staging, m->name, &c->parts,
					   ref_schema);
			k.n++;
		}
	}
	*checked = json_integer((json_int_t)k.n);
	if (k.n > 0) {
		if (control_trip(r, &sql, k.n, take_orphans, &k, &res) != FETCH_DONE) {
			fail(r, SIZE_MAX, &res.err, NULL);
			rc = -EIO;
		}
	}
	for (i = 0; i < k.n; i++) {
		struct key_check *c = &k.c[i];

		if (rc == 0 && c->orphans != 0)
			json_array_append_new(*unsatisfied, json_pack(
				"{s:o, s:o, s:o, s:I}", "table",
				jsontext_string(r->plan->tables[c->table].name),
				"constraint", jsontext_string(c->fk->name ? c->fk->name
							      : ""),
				"references", jsontext_string(c->parts.ref_table),
				"rows", (json_int_t)c->orphans));
		loadsql_fk_release(&c->parts);
	}
	free(k.c);
	strbuf_release(&sql);
	return rc;
}

/* Move every loaded table into the target schema in one RENAME TABLE,
 * the ones it replaces out of it in the same statement; drop the staging
 * schemas and let the lock go. 0, or -EIO (nothing moved: RENAME TABLE
 * moves all or none). */
static int move_in(struct run *r)
{
	struct strbuf sql = STRBUF_INIT;
	struct sqlbatch_result res;
	const char **names;
	size_t i, n, rename_at;
	int *existed, rc = 0;

	names = xcalloc(r->plan->ntables + 1, sizeof(*names));
	existed = xcalloc(r->plan->ntables + 1, sizeof(*existed));
	for (i = 0; i < r->plan->ntables; i++) {
		names[i] = r->plan->tables[i].name;
		existed[i] = r->results[i].existed;
	}
	n = loadsql_move_in(&sql, &r->names, names, existed, r->plan->ntables,
			    &rename_at);
	free(names);
	free(existed);
	r->moving = 1;
	if (control_trip(r, &sql, n, NULL, NULL, &res) == FETCH_DONE) {
		r->moving = 0;
		r->moved = 1;
		r->staged = 0;
		r->locked = 0;
	} else if (res.ran <= rename_at) {
		/* RENAME TABLE did not run, or failed: nothing moved (a
		 * connection lost once the batch was sent leaves it unknown,
		 * whichever answer was lost: r->moving stays set, and
		 * clean_up settles it); clean_up drops what was staged */
		if (r->control != NULL)
			r->moving = 0;
		fail(r, SIZE_MAX, &res.err, NULL);
		rc = -EIO;
	} else {
		r->moving = 0;
		r->moved = 1;
		json_array_append_new(r->notes, json_sprintf(
			"the tables are in; dropping the emptied staging schema "
			"failed (%s), so it is tried again", res.err.message));
	}
	strbuf_release(&sql);
	return rc;
}

/* ---- the run ------------------------------------------------------------ */

/* "host:port" or the socket, for people. */
static json_t *server_of(const struct env_config *e)
{
	if (e->socket != NULL)
		return jsontext_string(e->socket);
	return json_sprintf("%s:%u", e->host ? e->host : "localhost",
			    e->port ? e->port : 3306);
}

static json_t *error_of(const struct run *r, const char *table,
			const struct connpool_error *err, const char *statement)
{
	json_t *e = json_pack("{s:o, s:i, s:o}", "table",
			      table ? jsontext_string(table) : json_null(),
			      "code", (int)err->code, "message",
			      jsontext_string(err->message));

	if (err->sqlstate[0] != '\0')
		json_object_set_new(e, "sqlstate", json_string(err->sqlstate));
	if (r->o->verbose && statement != NULL)
		json_object_set_new(e, "statement", jsontext_string(statement));
	return e;
}

static json_t *build_summary(struct run *r, enum load_outcome outcome,
			     json_t *checked, json_t *unsatisfied,
			     json_t *not_checked, double started)
{
	const struct load_plan *p = r->plan;
	json_t *tables = json_array(), *replaced = json_array(),
	       *missing = json_array(), *errors = json_array(),
	       *existing = json_array(), *sum;
	size_t i;
	int loaded = outcome == LOAD_DONE;

	for (i = 0; i < p->ntables; i++) {
		const struct table_result *t = &r->results[i];

		json_array_append_new(tables, json_pack(
			"{s:o, s:I}", "table", jsontext_string(p->tables[i].name),
			"rows", (json_int_t)(p->tables[i].rows.rows +
					     p->tables[i].bulk_rows)));
		if (t->existed)
			json_array_append_new(loaded ? replaced : existing,
					      jsontext_string(p->tables[i].name));
		if (t->failed)
			json_array_append_new(errors, error_of(
				r, p->tables[i].name, &t->err, t->statement));
	}
	if (r->general_failed)
		json_array_append_new(errors, error_of(r, NULL, &r->general, NULL));
	for (i = 0; i < p->nmissing; i++)
		json_array_append_new(missing, jsontext_string(p->missing[i]));
	sum = json_pack("{s:s, s:o, s:o, s:o, s:o, s:b, s:s, s:I, s:I, s:o, s:o, s:o}",
			"command", "load",
			"env", jsontext_string(r->o->source->name),
			"into", jsontext_string(r->o->target->name),
			"schema", jsontext_string(r->target.schema),
			"server", server_of(&r->target),
			"loaded", loaded,
			/* what the target holds now: the load, what it held
			 * before, or (the answer to RENAME TABLE lost) one of
			 * the two, never half */
			"target", loaded ? "loaded" : r->moving ? "unknown"
					 : "unchanged",
			"tables_count", (json_int_t)(loaded ? p->ntables : 0),
			"rows_count", (json_int_t)(loaded ? p->rows : 0),
			"tables", tables, "replaced", replaced, "missing", missing);
	if (outcome == LOAD_REFUSED) {
		json_t *views = json_array();

		for (i = 0; i < p->ntables; i++)
			if (r->results[i].is_view)
				json_array_append_new(views, jsontext_string(
					p->tables[i].name));
		json_object_set_new(sum, "existing", existing);
		json_object_set_new(sum, "views", views);
		json_object_set(sum, "blocked_by", r->blockers);
	} else {
		json_decref(existing);
	}
	if (checked != NULL)
		json_object_set_new(sum, "foreign_keys", json_pack(
			"{s:o, s:o, s:o}", "checked", checked, "unsatisfied",
			unsatisfied, "not_checked", not_checked));
	json_object_set_new(sum, "errors", errors);
	json_object_set(sum, "notes", r->notes);
	json_object_set_new(sum, "elapsed_ms", json_integer(
		(json_int_t)((progress_now() - started) * 1000)));
	json_object_set_new(sum, "round_trips", json_integer(r->round_trips));
	if (r->cancel_signal != 0)
		json_object_set_new(sum, "interrupted", json_string(
			r->cancel_signal == SIGINT ? "SIGINT" : "SIGTERM"));
	return sum;
}

static void say(const struct run *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* A line on stderr (not with --quiet), wrapped at the terminal's width
 * when stderr is one, as the sync's progress lines are. */
static void say(const struct run *r, const char *fmt, ...)
{
	struct strbuf line = STRBUF_INIT, out = STRBUF_INIT;
	va_list ap;

	if (r->o->quiet)
		return;
	strbuf_adds(&line, "rhizome: ");
	va_start(ap, fmt);
	strbuf_vaddf(&line, fmt, ap);
	va_end(ap);
	if (isatty(STDERR_FILENO)) {
		termtext_wrap(&out, line.data, termtext_columns(STDERR_FILENO, 80),
			      NULL, "    ");
		fputs(out.data ? out.data : "", stderr);
	} else {
		fprintf(stderr, "%s\n", line.data);
	}
	strbuf_release(&line);
	strbuf_release(&out);
}

static void setup(struct run *r, const struct load_opts *o,
		  const struct load_plan *plan)
{
	memset(r, 0, sizeof(*r));
	r->o = o;
	r->plan = plan;
	r->target = *o->target;
	r->target.pool = o->target->pool + 1; /* the control connection */
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->idle, NULL);
	r->results = xcalloc(plan->ntables ? plan->ntables : 1,
			     sizeof(*r->results));
	r->notes = json_array();
	r->blockers = json_array();
	r->trip_max = LOAD_TRIP_MAX;
	loadsql_names_of(r->target.schema, &r->names);
	plan_refs(r);
	r->pool = connpool_new(&r->target, o->tls);
	/* a chunk's rows go as LOAD DATA LOCAL INFILE, served from memory */
	if (plan->nchunks > 0)
		connpool_offer_local_data(r->pool);
	r->q = queue_new(r->nrefs ? r->nrefs : 1);
}

static void free_run(struct run *r)
{
	size_t i;

	queue_free(r->q);
	connpool_free(r->pool);
	for (i = 0; i < r->plan->ntables; i++)
		free(r->results[i].statement);
	free(r->results);
	for (i = 0; i < r->nexisting; i++)
		free(r->existing[i]);
	free(r->existing);
	free(r->refs);
	free(r->jobs);
	json_decref(r->notes);
	json_decref(r->blockers);
	pthread_cond_destroy(&r->idle);
	pthread_mutex_destroy(&r->lock);
}

/* The steps between the lock and the rename, on a running guard and
 * worker pool. */
static enum load_outcome load_steps(struct run *r, unsigned workers,
				    json_t **checked, json_t **unsatisfied,
				    json_t **not_checked)
{
	struct connpool_error err;
	enum load_outcome outcome;
	int reused, rc;

	rc = connpool_acquire(r->pool, &r->control, &reused, &err);
	if (rc != 0) {
		r->control = NULL;
		fail(r, SIZE_MAX, &err, NULL);
		return LOAD_FAILED;
	}
	outcome = look(r);
	if (outcome != LOAD_DONE)
		return outcome;
	if (stage(r) != 0)
		return LOAD_FAILED;
	say(r, "load: %zu tables, %zu rows of %s into %s (schema %s), "
	    "staged in %s", r->plan->ntables, r->plan->rows, r->o->source->name,
	    r->o->target->name, r->target.schema, r->names.staging);
	if (run_phase(r, 0, r->ncreates, r->o->cfg->batch, workers) != 0 ||
	    run_phase(r, r->ncreates, r->nrefs, SIZE_MAX, workers) != 0 ||
	    run_chunks(r) != 0)
		return LOAD_FAILED;
	if (check_keys(r, checked, unsatisfied, not_checked) != 0 ||
	    stopped(r) || move_in(r) != 0)
		return LOAD_FAILED;
	return LOAD_DONE;
}

enum load_outcome load_run(const struct load_opts *o,
			   const struct load_plan *plan, json_t **summary)
{
	struct run r;
	struct pool_opts popts;
	pool *workers = NULL;
	json_t *checked = NULL, *unsatisfied = NULL, *not_checked = NULL;
	enum load_outcome outcome = LOAD_FAILED;
	struct connpool_error err;
	double started = progress_now();
	unsigned nworkers;
	int rc, sig;

	setup(&r, o, plan);
	nworkers = o->workers ? o->workers : o->cfg->workers;
	if (nworkers > o->target->pool)
		nworkers = o->target->pool;
	if (nworkers == 0)
		nworkers = 1;
	r.guard.lock = &r.lock;
	r.guard.pools = &r.pool;
	r.guard.npools = 1;
	r.guard.ops = &load_guard_ops;
	r.guard.ctx = &r;
	if (r.q == NULL) {
		set_error(&err, 0, "%s", "cannot create the job queue");
		fail(&r, SIZE_MAX, &err, NULL);
		goto out;
	}
	if ((rc = runguard_start(&r.guard)) != 0) {
		set_error(&err, 0, "cannot start the signal watcher and the "
			  "deadline keeper: %s", strerror(-rc));
		fail(&r, SIZE_MAX, &err, NULL);
		goto out;
	}
	memset(&popts, 0, sizeof(popts));
	popts.threads = nworkers;
	popts.ctx = &r;
	popts.thread_start = worker_start;
	popts.run = worker_run;
	popts.thread_stop = worker_stop;
	workers = pool_start(r.q, &popts);
	if (workers == NULL) {
		set_error(&err, 0, "%s", "cannot start the worker threads");
		fail(&r, SIZE_MAX, &err, NULL);
		goto out;
	}
	outcome = load_steps(&r, nworkers, &checked, &unsatisfied, &not_checked);
	pool_free(workers);
	workers = NULL;
	if (outcome != LOAD_DONE || r.staged || r.locked)
		clean_up(&r);
	if (r.moved) /* settled by clean_up: the tables are in */
		outcome = LOAD_DONE;
out:
	pool_free(workers);
	pthread_mutex_lock(&r.lock); /* the watcher may still write it */
	sig = r.cancel_signal;
	pthread_mutex_unlock(&r.lock);
	if (r.control != NULL) /* interrupted: its socket was shut */
		connpool_release(r.pool, r.control, sig != 0);
	r.control = NULL;
	runguard_stop(&r.guard);
	sig = r.cancel_signal; /* no other thread is left */
	/* a signal once the tables are in changes nothing: the load is done
	 * (the summary still says it came) */
	if (sig != 0 && !r.moved)
		outcome = sig == SIGINT ? LOAD_INTERRUPTED : LOAD_TERMINATED;
	if (outcome != LOAD_DONE && checked != NULL) {
		/* counted, but nothing was moved in: no finding to report */
		json_decref(checked);
		json_decref(unsatisfied);
		json_decref(not_checked);
		checked = unsatisfied = not_checked = NULL;
	}
	*summary = build_summary(&r, outcome, checked, unsatisfied, not_checked,
				 started);
	free_run(&r);
	return outcome;
}
