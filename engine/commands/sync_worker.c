/*
 * The worker side of a sync run: what a pool thread does with a job (one
 * round trip for a batch of one environment's tables, or the environment's
 * key lookup), and the accounting when it is done, which hands the schedule
 * the freed share (schedule.c).
 *
 * A worker owns its state (struct worker_state: buffers, the files awaiting
 * their commit) and, for the length of a job, one connection of its
 * environment's pool. See sync_int.h for the lock order.
 *
 * What goes wrong in a job, and what is done about it: a lost connection
 * (lost_from) is retried from the table where it broke on a new one; a
 * table with a transient server error (transient: lock wait, deadlock) is
 * retried alone (retry_alone); both up to the environment's `retries`,
 * after a backoff. A round trip cut off at query-timeout (the deadline
 * keeper, runguard.h), or by a row over max_allowed_packet, is not
 * retried for the table being read: it would cost the same again. A read
 * that waited out read-timeout retries that table alone. Either way the
 * batch-mates not yet read are sent again, on a new connection. Once the
 * environment's env-timeout has run out (from the run's start), the round
 * trip in flight is cut off as at query-timeout and nothing more is sent.
 */
#include "engine/commands/sync_int.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <errmsg.h>

#include "engine/base/alloc.h"
#include "engine/base/backoff.h"
#include "engine/base/clock.h"
#include "engine/base/strsort.h"
#include "engine/commands/tablefiles.h"
#include "engine/store/snapshot.h"
#include "engine/base/jsontext.h"
#include "engine/output/eventlog.h"
#include "engine/rows/mask.h"
#include "environments/tablelist.h"

void *sync_worker_start(void *ctx)
{
	struct worker_state *ws = xcalloc(1, sizeof(*ws));
	struct timespec now;

	(void)ctx;
	/* each worker its own jitter (backoff) */
	clock_gettime(CLOCK_MONOTONIC, &now);
	ws->seed = (unsigned)now.tv_nsec ^ (unsigned)(uintptr_t)ws;
	mysql_thread_init();
	atomic_batch_init(&ws->batch);
	return ws;
}

void sync_worker_stop(void *state, void *ctx)
{
	struct worker_state *ws = state;

	(void)ctx;
	strbuf_release(&ws->sql);
	strbuf_release(&ws->line);
	free(ws->fetched);
	free(ws);
	mysql_thread_end();
}

int sync_cancelled(struct run *r)
{
	int sig;

	pthread_mutex_lock(&r->lock);
	sig = r->cancel_signal;
	pthread_mutex_unlock(&r->lock);
	return sig != 0;
}

/* Whether the run is stopping: a signal or a local write failure. */
static int sync_stopping(struct run *r)
{
	int stop;

	pthread_mutex_lock(&r->lock);
	stop = r->cancel_signal != 0 || r->io_failed;
	pthread_mutex_unlock(&r->lock);
	return stop;
}

void sync_mark_io_failed(struct run *r)
{
	pthread_mutex_lock(&r->lock);
	r->io_failed = 1;
	schedule_stop(&r->schedule);
	pthread_cond_broadcast(&r->idle); /* ends backoffs too */
	pthread_mutex_unlock(&r->lock);
}

/* The schedule hands out a job: onto the queue. Caller holds r->lock;
 * lock order: run->lock, then the queue's (sync_int.h). */
void sync_dispatch(void *ctx, const struct schedule_job *s)
{
	struct run *r = ctx;
	struct job *job = xmalloc(sizeof(*job));

	job->s = *s;
	job->env = &r->envs[s->env];
	if (queue_try_push(r->q, job) != 0)
		abort(); /* capacity is the sum of the pools: see sync_int.h */
}

/*
 * Every listed table of the environment absent, and some had files: an
 * empty schema or the wrong server far more likely than a team dropping
 * every table, so its files stay and each is an error saying why. Caller
 * holds r->lock; every job of the environment is over, so no worker
 * writes its results any more.
 */
static void keep_files_of_an_empty_schema(struct env_run *e)
{
	struct connpool_error err = { .code = 0, .sqlstate = "-----" };
	size_t j, removed = 0;

	for (j = 0; j < e->ntables; j++) {
		if (!e->results[j].done || (e->results[j].cls != CLASS_MISSING &&
					    e->results[j].cls != CLASS_REMOVED))
			return;
		removed += e->results[j].cls == CLASS_REMOVED;
	}
	if (removed == 0)
		return;
	snprintf(err.message, sizeof(err.message), "not removed: none of the "
		 "%zu listed tables exists in schema `%s` (empty, or not the "
		 "server meant?); the snapshot files stay", e->ntables,
		 e->cfg->schema);
	for (j = 0; j < e->ntables; j++) {
		struct table_result *res = &e->results[j];

		if (res->cls != CLASS_REMOVED)
			continue;
		e->counts[CLASS_REMOVED]--;
		e->counts[CLASS_ERROR]++;
		free(res->removed_body);
		res->removed_body = NULL;
		sync_set_error(res, &err);
	}
	if (e->first_error[0] == '\0')
		snprintf(e->first_error, sizeof(e->first_error), "%s", err.message);
}

/* An environment is done. Caller holds r->lock. */
void sync_env_finished(void *ctx, size_t env)
{
	struct run *r = ctx;
	struct env_run *e = &r->envs[env];

	if (r->o->command == SYNC_TABLES) {
		/* no table fetched: only a failure is worth a line */
		if (e->first_error[0] != '\0') {
			char line[700];

			snprintf(line, sizeof(line), "rhizome: %s: %s",
				 e->cfg->name, e->first_error);
			progress_log(&r->progress, line);
		}
		return;
	}
	if (r->o->command != SYNC_CHECK)
		keep_files_of_an_empty_schema(e);
	progress_env_done(&r->progress, e->cfg->name, e->counts,
			  progress_now() - e->started,
			  e->first_error[0] ? e->first_error : NULL);
}

/* The job is over, `processed` of its tables with their results written:
 * count them, log errors, and let the schedule hand out what that frees. */
static void finish_job(struct run *r, struct job *job, size_t processed)
{
	struct env_run *e = job->env;
	struct strbuf msg = STRBUF_INIT;
	size_t i;

	pthread_mutex_lock(&r->lock);
	for (i = job->s.first; i < job->s.first + processed; i++) {
		struct table_result *res = &e->results[i];

		e->counts[res->cls]++;
		if (res->cls != CLASS_ERROR)
			continue;
		eventlog_emit("table_error", json_pack(
			"{s:s, s:o, s:i, s:o, s:i, s:b}", "env", e->cfg->name,
			"table", jsontext_string(e->tables[i]), "code",
			(int)res->err->code, "message",
			jsontext_string(res->err->message), "attempts",
			(int)res->attempts, "unreached", res->unreached));
		/* An environment that cannot be reached is one error, told
		 * once, not once per table. */
		if (res->unreached && e->unreached_told)
			continue;
		e->unreached_told |= res->unreached;
		strbuf_reset(&msg);
		sync_format_error(&msg, e, e->tables[i], res, r->o->verbose);
		if (e->first_error[0] == '\0')
			snprintf(e->first_error, sizeof(e->first_error), "%s",
				 msg.data + strlen(e->cfg->name) + 2);
		if (r->o->verbose) {
			strbuf_reset(&msg);
			strbuf_adds(&msg, "rhizome: error: ");
			sync_format_error(&msg, e, e->tables[i], res, 1);
			progress_log(&r->progress, msg.data);
		}
	}
	progress_tables(&r->progress, processed);
	schedule_done(&r->schedule, &job->s, processed);
	if (r->schedule.inflight == 0)
		pthread_cond_broadcast(&r->idle);
	pthread_mutex_unlock(&r->lock);
	strbuf_release(&msg);
	free(job);
}

/* The connection is gone: the library lost it (2006 gone away, 2013 lost,
 * 2055 lost with a system error) or the server said so (1053 shutting
 * down, 1927 killed: a DBA's KILL). */
static int connection_lost(unsigned code)
{
	return code == CR_SERVER_GONE_ERROR || code == CR_SERVER_LOST ||
	       code == 2055 || code == 1053 || code == 1927;
}

/*
 * Where the connection broke, when retrying there on a new connection is
 * right: the index of the first table in t[from..n) that failed because the
 * connection was lost or gone, or n for no retry. A connection reset
 * mid-batch, or a DBA's KILL, shows as "lost" or "gone away" quickly (a
 * read timeout says "lost" too, but after the timeout: read_timed_out).
 * The tables after the first lost one carry the same error (fetch.h); the
 * ones before it are done or failed on the server's word (1142, say), not
 * retried.
 */
static size_t lost_from(const struct fetched_table *t, size_t from, size_t n)
{
	size_t i;

	for (i = from; i < n; i++)
		if (t[i].status == FETCH_ERROR && !t[i].handled &&
		    connection_lost(t[i].err.code))
			return i;
	return n;
}

/*
 * The table of t[from..n) a cut-off or broken round trip was reading: the
 * first not handled that the connection failed (a client error: the shut
 * socket, a read timeout, a row over max_allowed_packet), or n. Those
 * before it were read whole, or failed on the server's word (1205 behind
 * a lock, say): fetch_batch then went on with the tables after that one
 * (fetch.h), which were read and handled, so such a table is no place to
 * cut: sending again from the one after it would fetch and handle those a
 * second time (a repeated history line, a result's path overwritten), and
 * send again the table that was being read when cut off.
 */
static size_t cut_at(const struct fetched_table *t, size_t from, size_t n)
{
	for (; from < n; from++)
		if (t[from].status == FETCH_ERROR && !t[from].handled &&
		    t[from].err.code >= CR_MIN_ERROR)
			return from;
	return n;
}

/* Whether the table of t[from..n) the connection broke on had a row over
 * max_allowed_packet: that one fails alone, every time; the ones after it
 * in the batch are sent again. */
static int too_large(const struct fetched_table *t, size_t from, size_t n)
{
	size_t k = cut_at(t, from, n);

	return k < n && t[k].err.code == CR_NET_PACKET_TOO_LARGE;
}

/* Whether a lost connection after `waited` seconds of reading was the read
 * timeout: the server stopped answering. The table being read is then
 * tried again alone (a second stall costs one table the wait, not the
 * batch), and the ones after it go on without it. */
static int read_timed_out(const struct env_run *e, double waited)
{
	return waited >= e->cfg->read_timeout / 2.0;
}

/* Whether any of t[from..n) says the connection is gone, though the
 * server said it in words (1927, 1053) and the library did not mark it. */
static int any_lost(const struct fetched_table *t, size_t from, size_t n)
{
	for (; from < n; from++)
		if (t[from].status == FETCH_ERROR && connection_lost(t[from].err.code))
			return 1;
	return 0;
}

/* Whether the environment's env-timeout has run out. */
static int out_of_time(const struct env_run *e)
{
	return e->deadline > 0 && clock_seconds() >= e->deadline;
}

/* A round trip of `m` may run until query-timeout from now, or the end of
 * env-timeout if that comes first; returns that deadline. */
static double start_deadline(struct env_run *e, MYSQL *m)
{
	double deadline = clock_seconds() + (double)e->cfg->query_timeout;

	if (e->deadline > 0 && e->deadline < deadline)
		deadline = e->deadline;
	connpool_set_deadline(e->pool, m, deadline);
	return deadline;
}

/* The tables of t[0..n) whose round trip the deadline keeper cut off
 * (runguard.h) failed on query-timeout or env-timeout, whatever the
 * library's words for the shut socket: said so, with 2013 as the code of
 * every time-out. */
static void say_deadline(const struct env_run *e, struct fetched_table *t,
			 size_t n)
{
	char msg[sizeof(t->err.message)];
	size_t i;

	if (out_of_time(e))
		snprintf(msg, sizeof(msg), "timed out: env-timeout (%u s from the "
			 "run's start) ran out; KILL QUERY sent",
			 e->cfg->env_timeout);
	else
		snprintf(msg, sizeof(msg), "timed out after %u s (query-timeout): "
			 "the server's answer did not end in time; KILL QUERY sent",
			 e->cfg->query_timeout);
	for (i = 0; i < n; i++) {
		if (t[i].status != FETCH_ERROR || t[i].handled ||
		    t[i].err.code < CR_MIN_ERROR) /* the server's own word */
			continue;
		memcpy(t[i].err.message, msg, sizeof(msg));
		t[i].err.code = CR_SERVER_LOST;
	}
}

/* env-timeout ran out before t[0..n) were sent: each fails saying so. */
static void fail_out_of_time(const struct env_run *e, struct fetched_table *t,
			     size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		t[i].status = FETCH_ERROR;
		t[i].err.code = CR_SERVER_LOST;
		snprintf(t[i].err.sqlstate, sizeof(t[i].err.sqlstate), "HY000");
		snprintf(t[i].err.message, sizeof(t[i].err.message),
			 "not fetched: env-timeout (%u s from the run's start) "
			 "ran out", e->cfg->env_timeout);
	}
}

/* A read that waited out read-timeout (`waited`) timed out, whatever the
 * library's words ("Lost connection to server during query"). */
static void say_read_timeouts(struct fetched_table *t, size_t n,
			      double waited, unsigned read_timeout)
{
	char msg[sizeof(t->err.message)];
	size_t i;

	if (waited + 0.5 < read_timeout)
		return;
	for (i = 0; i < n; i++) {
		struct connpool_error *err = &t[i].err;

		if (t[i].status != FETCH_ERROR || err->code != CR_SERVER_LOST ||
		    strncmp(err->message, "timed out", 9) == 0) /* said */
			continue;
		snprintf(msg, sizeof(msg), "timed out after %u s waiting for the "
			 "server (read-timeout): %.400s", read_timeout, err->message);
		memcpy(err->message, msg, sizeof(msg));
	}
}

static void add_round_trips(struct run *r, struct env_run *e, unsigned trips)
{
	pthread_mutex_lock(&r->lock);
	e->round_trips += trips;
	pthread_mutex_unlock(&r->lock);
}

static int backoff(struct run *r, unsigned attempt, unsigned *seed);

/* The machine log's retry event: `table` of `e` is asked again (attempt
 * `attempt` of its retries) after `err`, for `reason`. */
static void note_retry(const struct env_run *e, const char *table,
		       unsigned attempt, const struct connpool_error *err,
		       const char *reason)
{
	eventlog_emit("retry", json_pack("{s:s, s:o, s:i, s:i, s:o, s:s}",
		"env", e->cfg->name, "table", table ? jsontext_string(table)
						    : json_null(),
		"attempt", (int)attempt, "code", (int)err->code, "message",
		jsontext_string(err->message), "reason", reason));
}

/* "rhizome: warning: ENV: ..." on stderr, between progress lines. */
static void warn_env(struct run *r, const struct env_run *e,
		     const struct strbuf *what)
{
	struct strbuf line = STRBUF_INIT;

	strbuf_addf(&line, "rhizome: warning: %s: %s", e->cfg->name, what->data);
	pthread_mutex_lock(&r->lock);
	progress_log(&r->progress, line.data);
	pthread_mutex_unlock(&r->lock);
	strbuf_release(&line);
}

/* Whether the server's table `name`, which a glob matched, can have a
 * snapshot (config_table_file_ok); if not, a warning says why it is left
 * out. */
static int glob_name_ok(struct run *r, const struct env_run *e,
			const char *name)
{
	struct strbuf what = STRBUF_INIT;

	if (config_table_file_ok(e->cfg->database, name))
		return 1;
	strbuf_adds(&what, "table '");
	strbuf_add_escaped(&what, name);
	strbuf_addf(&what, "' of schema `%s` matches a glob but is left out: "
		    "%s; rename it or exclude it", e->cfg->schema,
		    config_name_is_safe(name) ? "its snapshot file's name would "
		    "be longer than the file system allows" : "its name is not "
		    "a safe file name (empty, '.', '..', '/', a control "
		    "character or not UTF-8)");
	warn_env(r, e, &what);
	strbuf_release(&what);
	return 0;
}

/*
 * A list with globs: the tables to fetch are its literal names and the
 * tables of e->catalog its globs match (environments/tablelist.h), less
 * those no file could hold (glob_name_ok). A name whose file another
 * environment of the folder owns (tablefiles_clash) cannot be written:
 * such names come first, failed with why, and the count of them is
 * returned (the lookup job reports them as its processed tables). The
 * lookup job calls this before any batch of the environment exists, so
 * no other thread reads e->tables or e->results yet; the schedule sizes
 * the environment's jobs again.
 */
static size_t expand_tables(struct run *r, struct env_run *e)
{
	const struct fleet_config *cfg = r->o->cfg;
	const struct table_list *tl = e->cfg->tables;
	char **files;
	size_t nfiles = tablefiles_of_env(r->o->out, cfg, e->cfg, &files);
	size_t cap = tl->neffective + e->catalog.n + nfiles + 1;
	const char **found = xcalloc(cap, sizeof(*found));
	const char **names = xcalloc(cap, sizeof(*names));
	char (*why)[600] = NULL;
	size_t nfound = tablelist_expand(tl,
					 (const char *const *)e->catalog.names,
					 e->catalog.n, found);
	size_t nglob = nfound, n = 0, nclash = 0, k, j;
	char msg[600];

	/* A table a glob gave an earlier run that the server no longer has
	 * still has its files: asked for, it comes back missing, so its
	 * file is removed as a listed table's would be (CLASS_REMOVED).
	 * `files` is in name order after the literal names, as `found` is:
	 * one merge pass. */
	for (k = tl->neffective, j = tl->neffective; k < nfiles; k++) {
		while (j < nglob && strcmp(found[j], files[k]) < 0)
			j++;
		if (j < nglob && strcmp(found[j], files[k]) == 0)
			continue;
		e->own_names = xrealloc(e->own_names, (e->nown_names + 1) *
					sizeof(*e->own_names));
		e->own_names[e->nown_names++] = files[k];
		found[nfound++] = files[k];
		files[k] = NULL;
	}
	tablefiles_free(files, nfiles);

	/* the clashing names first, then the rest in their order; a name
	 * no file could hold is dropped (found[k] NULL: taken or dropped) */
	for (k = tl->neffective; k < nfound; k++) {
		if (!glob_name_ok(r, e, found[k])) {
			found[k] = NULL;
		} else if (tablefiles_clash(cfg, e->cfg, found[k], msg,
					    sizeof(msg))) {
			why = xrealloc(why, (nclash + 1) * sizeof(*why));
			memcpy(why[nclash], msg, sizeof(msg));
			names[n++] = found[k];
			nclash++;
			found[k] = NULL;
		}
	}
	for (k = 0; k < nfound; k++)
		if (found[k] != NULL)
			names[n++] = found[k];
	free(found);

	pthread_mutex_lock(&r->lock);
	progress_add_tables(&r->progress, n, e->ntables);
	free(e->own_tables);
	free(e->results);
	e->own_tables = names;
	e->tables = names;
	e->ntables = n;
	e->results = xcalloc(n ? n : 1, sizeof(*e->results));
	schedule_set_tables(&r->schedule, e->index, n);
	pthread_mutex_unlock(&r->lock);
	eventlog_emit("env_tables", json_pack("{s:s, s:I}", "env", e->cfg->name,
					      "tables", (json_int_t)n));

	for (k = 0; k < nclash; k++) {
		struct connpool_error err = { .code = 0, .sqlstate = "-----" };

		snprintf(err.message, sizeof(err.message), "%s", why[k]);
		e->results[k].done = 1;
		sync_set_error(&e->results[k], &err);
	}
	free(why);
	return nclash;
}

/* Whether the server has table `name` (the lookup's catalog, sorted by
 * strsort_compare). */
static int in_catalog(const struct env_run *e, const char *name)
{
	return e->catalog.n > 0 &&
	       bsearch(&name, e->catalog.names, e->catalog.n,
		       sizeof(*e->catalog.names), strsort_compare) != NULL;
}

/*
 * --follow-keys, after the lookup: masking must keep every followed key
 * lined up (mask_key_check; else the environment fails, as a lookup that
 * failed, saying which columns), then the key graph is walked
 * (keyfollow.h) over a connection of its own. FETCH_DONE, or the failure
 * in *err.
 */
static enum fetch_outcome follow_keys(struct run *r, struct env_run *e,
				      struct worker_state *ws,
				      struct connpool_error *err,
				      unsigned *trips)
{
	enum fetch_outcome rc;
	int *present, reused;
	size_t i, k;
	MYSQL *m;

	for (i = 0; i < e->nfks; i++)
		for (k = 0; k < e->fks[i].ncolumns; k++)
			if (mask_key_check(r->o->cfg, e->cfg, e->fks[i].table,
					   e->fks[i].columns[k], e->fks[i].ref_table,
					   e->fks[i].ref_columns[k], err->message,
					   sizeof(err->message)) != 0) {
				err->code = 0;
				snprintf(err->sqlstate, sizeof(err->sqlstate), "-----");
				return FETCH_REFUSED;
			}
	present = xcalloc(e->ntables + 1, sizeof(*present));
	for (i = 0; i < e->ntables; i++)
		present[i] = in_catalog(e, e->tables[i]);
	e->kf = keyfollow_new(e->cfg->schema, e->tables, e->ntables,
			      e->key_of, present, e->fks, e->nfks, r->o->rows);
	if (connpool_acquire(e->pool, &m, &reused, err) != 0) {
		free(present);
		return FETCH_REFUSED;
	}
	(void)start_deadline(e, m);
	rc = keyfollow_run(e->kf, m, &ws->sql, err, trips);
	if (connpool_expired(e->pool, m)) {
		snprintf(err->message, sizeof(err->message), "timed out: no "
			 "answer within query-timeout (%u s), following the keys "
			 "of the sampled rows", e->cfg->query_timeout);
		err->code = CR_SERVER_LOST;
		rc = FETCH_BROKEN;
	}
	connpool_release(e->pool, m, rc == FETCH_BROKEN);
	free(present);
	return rc;
}

/*
 * The environment's lookup, in one round trip (fetch_lookup): the tables
 * the server has, and for data their keys, indexed by table. A list with
 * globs is expanded from what it finds. If it fails, every table of the
 * environment fails with the same error. With --follow-keys, the key graph is
 * walked after it (follow_keys).
 */
static void run_lookup_job(struct run *r, struct job *job,
			   struct worker_state *ws)
{
	struct env_run *e = job->env;
	int data = r->o->command == SYNC_DATA;
	struct connpool_error err;
	struct fetched_table why;
	unsigned trips = 0;
	size_t i, processed = 0;
	enum fetch_outcome rc = FETCH_REFUSED;
	MYSQL *m;
	int reused, acquired, expired, lost, unreached = 0;
	unsigned attempt, attempts = 0;

	/* a lost connection (a reset, a DBA's KILL) is retried on a new one,
	 * as a batch's is; a deadline is not */
	for (attempt = 0;; attempt++) {
		if (out_of_time(e)) {
			fail_out_of_time(e, &why, 1);
			err = why.err;
			rc = FETCH_REFUSED;
			break;
		}
		acquired = connpool_acquire(e->pool, &m, &reused, &err);
		unreached = acquired == -ENOTCONN;
		if (acquired != 0) {
			rc = FETCH_REFUSED;
			break;
		}
		attempts++;
		(void)start_deadline(e, m);
		rc = fetch_lookup(m, e->cfg->schema, &e->catalog,
				  data ? &e->keys : NULL, &e->nkeys,
				  e->follow ? &e->fks : NULL, &e->nfks, &err,
				  &ws->sql, &trips);
		expired = connpool_expired(e->pool, m);
		if (expired) {
			why.status = FETCH_ERROR;
			why.handled = 0;
			why.err = err;
			why.err.code = CR_SERVER_LOST;
			say_deadline(e, &why, 1);
			snprintf(err.message, sizeof(err.message), "%.400s, reading "
				 "the schema's tables%s", why.err.message,
				 data ? " and keys" : "");
		}
		/* a KILL the server words (1927) comes as a refusal: the
		 * connection is gone all the same */
		lost = rc == FETCH_BROKEN ||
		       (rc == FETCH_REFUSED && connection_lost(err.code));
		connpool_release(e->pool, m, lost);
		if (!lost || expired || !connection_lost(err.code) ||
		    attempt >= e->cfg->retries)
			break;
		note_retry(e, NULL, attempt + 1, &err, "connection lost");
		if (backoff(r, attempt + 1, &ws->seed))
			break;
	}
	if (rc == FETCH_DONE) {
		if (e->cfg->tables->npatterns > 0 &&
		    r->o->command != SYNC_TABLES)
			processed = expand_tables(r, e);
		for (i = 0; i < processed; i++) {
			struct table_result *res = &e->results[i];

			sync_note_failure(r, e, e->tables[i], res, &ws->line);
			res->path = snapshot_table_path(r->o->out, e->cfg->folder,
							e->cfg->database,
							e->tables[i],
							data ? ".json" : ".sql");
		}
		qsort(e->keys, e->nkeys, sizeof(*e->keys), fetch_key_compare);
		e->key_of = data ? xcalloc(e->ntables + 1, sizeof(*e->key_of))
				 : NULL;
		for (i = 0; i < e->ntables && data; i++) {
			struct table_key probe = { .table = (char *)e->tables[i] };

			e->key_of[i] = bsearch(&probe, e->keys, e->nkeys,
					       sizeof(*e->keys), fetch_key_compare);
		}
		if (e->follow)
			rc = follow_keys(r, e, ws, &err, &trips);
	}
	if (rc != FETCH_DONE) {
		pthread_mutex_lock(&r->lock);
		e->lookup_err = err;
		e->lookup_unreached = unreached;
		/* with tables, the first of them tells (finish_job) */
		if (e->first_error[0] == '\0' && e->ntables == 0)
			snprintf(e->first_error, sizeof(e->first_error), "%s%s",
				 unreached ? "not reached: " : "", err.message);
		pthread_mutex_unlock(&r->lock);
		for (i = 0; i < e->ntables; i++) {
			struct table_result *res = &e->results[i];

			if (res->done) /* refused by name (expand_tables) */
				continue;
			res->done = 1;
			sync_set_error(res, &err);
			res->unreached = unreached;
			res->attempts = attempts;
			sync_note_failure(r, e, e->tables[i], res, &ws->line);
			res->path = snapshot_table_path(r->o->out, e->cfg->folder,
							e->cfg->database,
							e->tables[i],
							data ? ".json" : ".sql");
		}
		processed = e->ntables;
	}
	add_round_trips(r, e, trips);
	finish_job(r, job, processed);
}

/* Whether the manifest still lacks what the server is. */
static int server_unknown(struct run *r, struct env_run *e)
{
	int unknown;

	pthread_mutex_lock(&r->lock);
	unknown = !e->server_known;
	pthread_mutex_unlock(&r->lock);
	return unknown;
}

/* Record what the server is, once: its version and TLS cipher (from the
 * handle, so on the thread owning `m`) and @@hostname. */
static void note_server(struct run *r, struct env_run *e, MYSQL *m,
			const char *hostname)
{
	const char *cipher = mysql_get_ssl_cipher(m);

	pthread_mutex_lock(&r->lock);
	if (!e->server_known) {
		e->server_known = 1;
		snprintf(e->server_version, sizeof(e->server_version), "%s",
			 mysql_get_server_info(m));
		snprintf(e->server_hostname, sizeof(e->server_hostname), "%s",
			 hostname);
		snprintf(e->tls_cipher, sizeof(e->tls_cipher), "%s",
			 cipher ? cipher : "");
	}
	pthread_mutex_unlock(&r->lock);
}

/* What on_table_ok and on_send need of the job being fetched. */
struct fetch_ctx {
	struct run *r;
	struct env_run *e;
	struct worker_state *ws;
	size_t first;           /* the job's first table */
	double waiting_since;   /* when the worker last went back to reading
				 * (progress_now): the batch's start, then
				 * the end of each table's handling */
	MYSQL *m;               /* the connection fetching */
	double deadline;        /* its round trip's (clock_seconds) */
};

/* A server error worth another try a moment later: a lock wait timed out
 * (1205), a deadlock victim (1213), a statement interrupted (1317: say, a
 * KILL QUERY elsewhere; 1969: max_statement_time). */
static int transient(unsigned code)
{
	return code == 1205 || code == 1213 || code == 1317 || code == 1969;
}

/* Wait before attempt `attempt` (engine/base/backoff.h). A signal or a
 * local write failure ends the wait at once (the watcher broadcasts
 * r->idle): returns nonzero then, the run is stopping. */
static int backoff(struct run *r, unsigned attempt, unsigned *seed)
{
	/* r->idle's clock */
	struct timespec until = clock_realtime_after(backoff_seconds(attempt, seed));
	int stop;

	pthread_mutex_lock(&r->lock);
	while (!(stop = r->cancel_signal != 0 || r->io_failed) &&
	       pthread_cond_timedwait(&r->idle, &r->lock, &until) == 0)
		;
	stop = r->cancel_signal != 0 || r->io_failed;
	pthread_mutex_unlock(&r->lock);
	return stop;
}

/*
 * Tables of t[0..n) that failed with a transient server error, or that a
 * read timed out on (again_alone): each alone, again, up to the
 * environment's `retries`, after a backoff; then it fails alone, its
 * batch-mates having gone on (fetch.h) or been sent again. The connection
 * is taken per attempt, so a lock wait holds none between attempts.
 */
static void retry_alone(struct run *r, struct env_run *e,
			struct fetched_table *t, size_t n,
			struct fetch_request *req, struct worker_state *ws,
			unsigned *trips)
{
	unsigned attempt;
	size_t i;

	for (i = 0; i < n; i++) {
		for (attempt = 1; attempt <= e->cfg->retries &&
		     t[i].status == FETCH_ERROR && !t[i].handled &&
		     (transient(t[i].err.code) || t[i].again_alone) &&
		     !out_of_time(e); attempt++) {
			struct connpool_error err;
			int reused, broken, expired;
			double started, waited;
			MYSQL *m;

			note_retry(e, t[i].table, attempt, &t[i].err,
				   t[i].again_alone ? "read timed out"
				   : "transient server error");
			if (backoff(r, attempt, &ws->seed) ||
			    connpool_acquire(e->pool, &m, &reused, &err) != 0)
				return; /* the table keeps its error */
			fetch_reset(&t[i], 1);
			t[i].attempts++;
			req->session = connpool_session_sql(e->pool, m);
			req->hostname = NULL;
			req->catalog = NULL;
			((struct fetch_ctx *)req->ctx)->m = m;
			started = progress_now();
			broken = fetch_batch(m, req, &t[i], 1, &ws->sql, trips) ==
				 FETCH_BROKEN || any_lost(t, i, i + 1);
			expired = connpool_expired(e->pool, m);
			if (expired)
				say_deadline(e, &t[i], 1);
			connpool_release(e->pool, m, broken);
			waited = progress_now() - started;
			if (broken && !expired && read_timed_out(e, waited)) {
				say_read_timeouts(&t[i], 1, waited,
						  e->cfg->read_timeout);
				t[i].again_alone = 1;
			}
		}
	}
}

/* fetch_batch's on_send: each round trip has query-timeout. */
static void on_send(void *arg)
{
	struct fetch_ctx *c = arg;

	c->deadline = start_deadline(c->e, c->m);
}

/* fetch_batch's on_ok: handle a table the moment its result is read, so a
 * worker holds one result at a time, not a batch of them (a data result
 * costs libmariadb some 16 KiB however small). */
static void on_table_ok(void *arg, struct fetched_table *t)
{
	struct fetch_ctx *c = arg;
	double started = clock_seconds();

	/* Our own work (classify, write, a batch's fsync) is not the
	 * server's: the deadline waits meanwhile. */
	connpool_set_deadline(c->e->pool, c->m, 0);
	sync_handle_table(c->r, c->e, c->first + (size_t)(t - c->ws->fetched),
			  t, c->ws);
	fetch_release(t);
	t->handled = 1;
	c->waiting_since = progress_now();
	c->deadline += clock_seconds() - started;
	connpool_set_deadline(c->e->pool, c->m, c->deadline);
}

void sync_worker_run(void *item, void *state, void *ctx)
{
	struct job *job = item;
	struct run *r = ctx;
	struct worker_state *ws = state;
	struct env_run *e = job->env;
	size_t first = job->s.first, n = job->s.n, i, from = 0;
	struct fetched_table *t;
	struct connpool_error err;
	unsigned trips = 0;
	int attempt, reused = 0, broken, expired, timed_out;
	double waited;
	MYSQL *m;
	struct fetch_request req = sync_request_of(r, e);
	struct fetch_ctx fctx = { r, e, ws, first, 0, NULL, 0 };

	if (sync_stopping(r)) {
		finish_job(r, job, 0);
		return;
	}
	if (job->s.keys) {
		run_lookup_job(r, job, ws);
		return;
	}
	if (ws->cap < n) {
		free(ws->fetched);
		ws->fetched = xcalloc(n, sizeof(*ws->fetched));
		ws->cap = n;
	}
	t = ws->fetched;
	req.on_ok = on_table_ok;
	req.on_send = on_send;
	req.ctx = &fctx;
	for (i = 0; i < n; i++) {
		const struct table_key *k = e->key_of ? e->key_of[first + i] : NULL;

		memset(&t[i], 0, sizeof(t[i]));
		t[i].table = e->tables[first + i];
		t[i].also = e->kf ? keyfollow_also(e->kf, first + i) : NULL;
		if (k != NULL) {
			t[i].order_by = (const char *const *)k->columns;
			t[i].norder = k->ncolumns;
		}
	}

	/* t[from..n) is what is left to fetch: up to `retries` more tries,
	 * each on a new connection after a backoff, for the tables a lost
	 * connection took (lost_from) or a deadline left unread (cut_at) */
	for (attempt = 0;; attempt++) {
		char hostname[sizeof(e->server_hostname)] = "";
		size_t lost;
		int rc;

		if (out_of_time(e)) {
			fail_out_of_time(e, t + from, n - from);
			break;
		}
		rc = connpool_acquire(e->pool, &m, &reused, &err);
		if (rc != 0) {
			for (i = from; i < n; i++) {
				t[i].status = FETCH_ERROR;
				t[i].err = err;
				t[i].unreached = rc == -ENOTCONN;
			}
			break;
		}
		req.session = connpool_session_sql(e->pool, m);
		req.hostname = server_unknown(r, e) ? hostname : NULL;
		/* the tables the server has, with the environment's first
		 * batch when no lookup read them: no round trip of its own
		 * (only this job writes e->catalog) */
		req.catalog = !e->lookup && first == 0 && !e->catalog.known
			      ? &e->catalog : NULL;
		for (i = from; i < n; i++)
			t[i].attempts++;
		req.hostname_size = sizeof(hostname);
		fctx.waiting_since = progress_now();
		fctx.m = m;
		broken = fetch_batch(m, &req, t + from, n - from, &ws->sql,
				     &trips) == FETCH_BROKEN ||
			 any_lost(t, from, n);
		if (hostname[0] != '\0')
			note_server(r, e, m, hostname);
		/* cut off at its deadline: the table being read is not
		 * retried (a trickling server would trickle again), the
		 * ones after it are */
		expired = connpool_expired(e->pool, m);
		if (expired)
			say_deadline(e, t + from, n - from);
		connpool_release(e->pool, m, broken);
		waited = progress_now() - fctx.waiting_since;
		timed_out = broken && !expired && read_timed_out(e, waited);
		if (expired || timed_out || too_large(t, from, n)) {
			/* the table being read: alone or not at all (a read
			 * timeout: retry_alone, later); the ones after it: on */
			size_t k = cut_at(t, from, n);

			if (timed_out && k < n) {
				say_read_timeouts(t + k, 1, waited, e->cfg->read_timeout);
				t[k].again_alone = 1;
			}
			lost = k + 1 < n ? k + 1 : n;
		} else {
			lost = broken ? lost_from(t, from, n) : n;
		}
		if ((unsigned)attempt < e->cfg->retries && lost < n)
			note_retry(e, t[lost].table, (unsigned)attempt + 1,
				   &t[lost].err, expired || timed_out
				   ? "the batch-mates of a table cut off"
				   : "connection lost");
		if ((unsigned)attempt < e->cfg->retries && lost < n &&
		    !backoff(r, (unsigned)attempt + 1, &ws->seed)) {
			fetch_reset(t + lost, n - lost);
			from = lost;
			continue;
		}
		if (broken && !expired)
			say_read_timeouts(t + from, n - from, waited,
					  e->cfg->read_timeout);
		break;
	}
	retry_alone(r, e, t, n, &req, ws, &trips);

	/* what on_table_ok did not see: missing tables and errors */
	for (i = 0; i < n; i++)
		if (!t[i].handled)
			sync_handle_table(r, e, first + i, &t[i], ws);
	sync_commit_writes(r, e, ws);
	fetch_reset(t, n);

	add_round_trips(r, e, trips);
	finish_job(r, job, n);
}
