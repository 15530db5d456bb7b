/*
 * A part job (bulk_int.h): one part of a table, chunk after chunk, over
 * one connection.
 *
 * A keyed chunk is one statement (bulksql_chunk) after the key of the
 * part's last recorded chunk, read row by row (mysql_use_result), so what
 * is in memory is the chunk's JSON lines and its compressed frame. The
 * chunk's file is written first, then the manifest that lists it (at
 * most once a second, and when the part ends): a chunk a killed run
 * wrote but did not list is written again by the resume, the same bytes
 * under the same name. A chunk with fewer rows than
 * chunk-rows ends its part (no empty query to find the end).
 *
 * A table without a key is one statement for all its rows, cut into
 * chunks as they arrive; query-timeout then bounds each chunk's wait
 * rather than the statement's. It cannot be continued: a retry or a
 * resume reads it again from its first row.
 *
 * What goes wrong: a lost connection, or a transient server error (lock
 * wait, deadlock), retries from the last recorded chunk on a new
 * connection, up to the environment's `retries`, after a backoff. A
 * round trip cut off at query-timeout or env-timeout, a refusal, masking
 * that refuses a column, or a local write failure ends the part (and the
 * table) with the error.
 */
#include "engine/commands/bulk_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <errmsg.h>

#include "engine/base/alloc.h"
#include "engine/base/clock.h"
#include "engine/fetch/bulksql.h"
#include "engine/fetch/sqlvalue.h"
#include "engine/rows/mask.h"
#include "engine/rows/rowjson.h"
#include "engine/store/bulkchunk.h"

/* zstd's level for chunks: its default, a good rate for its ratio */
#define CHUNK_LEVEL 1

/* How a stream of chunks ended. */
enum ended {
	ENDED_DONE,             /* the part is read */
	ENDED_STOPPED,          /* the run is stopping */
	ENDED_RETRY,            /* worth another connection: err says why */
	ENDED_FAILED,           /* the table fails: err, statement */
};

/* One attempt's state. */
struct stream {
	struct bulk_run *r;
	struct bulk_table *t;
	struct bulkmanifest_part *p;
	size_t part;
	MYSQL *m;
	struct bulk_worker *w;
	struct connpool_error err;
	char *statement;                /* the failing one, owned */
	struct rowjson_column *cols;    /* masking, per column */
	struct strbuf *keys;            /* each column's JSON key */
	size_t *keypos;                 /* the key's columns in the result */
	struct strbuf *keyval;          /* the last row's key values */
	size_t ncols;
	/* a one-pass read: what this attempt counted, to undo on a retry */
	size_t rows, bytes, chunks;
	unsigned trips;                 /* queries sent */
	double armed;                   /* when the deadline was last set */
	int one_pass;                   /* the server's statement limit is
					 * lifted for the query */
};

/* Whether another part of the table failed: its export will not be
 * published, so this part stops too (its chunks stay for --resume). */
static int table_failed(struct stream *s)
{
	int failed;

	pthread_mutex_lock(&s->r->lock);
	failed = s->t->state == BULK_FAILED;
	pthread_mutex_unlock(&s->r->lock);
	return failed;
}

static int transient(unsigned code)
{
	return code == 1205 || code == 1213;
}

/* The deadline of what is sent now: query-timeout (and env-timeout). A
 * one-pass read has the server's statement limit lifted, so its deadline
 * comes before the library's read timeout could close the connection
 * without a KILL: the keeper's cut kills the query on the server. */
static void start_deadline(struct stream *s)
{
	const struct bulk_env *e = s->t->env;
	double limit = (double)e->cfg->query_timeout;

	if (s->one_pass && e->cfg->read_timeout > 0 &&
	    limit > (double)e->cfg->read_timeout - 0.25)
		limit = (double)e->cfg->read_timeout - 0.25;
	s->armed = bulk_arm_deadline(e, s->m, limit);
}

/* The error m ended with, as the stream's; a cut-off round trip is said
 * as the time-out it was. Returns how the stream ends. */
static enum ended query_failed(struct stream *s)
{
	const struct bulk_env *e = s->t->env;

	connpool_error_capture(&s->err, s->m);
	free(s->statement);
	s->statement = xasprintf("%.300s%s", s->w->sql.data,
				 s->w->sql.len > 300 ? "..." : "");
	if (bulk_stopping(s->r))
		return ENDED_STOPPED;
	if (connpool_expired(e->pool, s->m)) {
		char msg[200];

		if (e->deadline > 0 && clock_seconds() >= e->deadline)
			snprintf(msg, sizeof(msg), "timed out: env-timeout (%u s "
				 "from the run's start) ran out; KILL QUERY sent",
				 e->cfg->env_timeout);
		else
			snprintf(msg, sizeof(msg), "timed out: no answer within "
				 "query-timeout (%u s); KILL QUERY sent",
				 e->cfg->query_timeout);
		bulk_set_error(&s->err, CR_SERVER_LOST, msg);
		return ENDED_FAILED;
	}
	if (fetch_is_client_error(s->err.code) &&
	    clock_seconds() - s->armed + 0.05 >= (double)e->cfg->read_timeout) {
		/* the library words its read timeout as a lost connection;
		 * the server's statement limit (below it) ended the query */
		char was[sizeof(s->err.message)];

		snprintf(was, sizeof(was), "%s", s->err.message);
		snprintf(s->err.message, sizeof(s->err.message), "timed out: no "
			 "answer within read-timeout (%u s): %.400s",
			 e->cfg->read_timeout, was);
	}
	/* a row over max_allowed_packet (2020) would fail the same again */
	if (s->err.code != CR_NET_PACKET_TOO_LARGE &&
	    (bulk_connection_lost(s->err.code) || transient(s->err.code)))
		return ENDED_RETRY;
	return ENDED_FAILED;
}

/* The first result of the part: how each column is written (masking,
 * which may refuse the table) and where the key's columns are. */
static enum ended first_result(struct stream *s, MYSQL_RES *res)
{
	const struct bulk_table *t = s->t;
	MYSQL_FIELD *f = mysql_fetch_fields(res);
	unsigned n = mysql_num_fields(res), i;
	struct strbuf why = STRBUF_INIT, lines = STRBUF_INIT;
	size_t k;

	s->ncols = n;
	s->cols = xcalloc(n + 1, sizeof(*s->cols));
	s->keys = xcalloc(n + 1, sizeof(*s->keys));
	rowjson_keys(f, n, s->keys);
	if (mask_plan_columns(s->r->o->cfg, t->env->cfg, t->name, f, n, s->cols,
			      &why, &lines) != 0) {
		bulk_set_error(&s->err, 0, why.data);
		if (why.len >= sizeof(s->err.message)) {
			struct strbuf msg = STRBUF_INIT;

			strbuf_addf(&msg, "rhizome: %s: table %s: add to [mask]: %s",
				    t->env->cfg->name, t->name, lines.data);
			bulk_log(s->r, msg.data);
			strbuf_release(&msg);
		}
		strbuf_release(&why);
		strbuf_release(&lines);
		return ENDED_FAILED;
	}
	strbuf_release(&why);
	strbuf_release(&lines);
	if (t->m.key == NULL)
		return ENDED_DONE;
	s->keypos = xcalloc(t->m.nkey, sizeof(*s->keypos));
	s->keyval = xcalloc(t->m.nkey, sizeof(*s->keyval));
	for (k = 0; k < t->m.nkey; k++) {
		for (i = 0; i < n; i++)
			if (strcasecmp(f[i].name, t->m.key[k]) == 0)
				break;
		if (i == n) {
			char msg[300];

			snprintf(msg, sizeof(msg), "key column `%.200s` is not in "
				 "the table's rows", t->m.key[k]);
			bulk_set_error(&s->err, 0, msg);
			return ENDED_FAILED;
		}
		s->keypos[k] = i;
	}
	return ENDED_DONE;
}

/* Write t's manifest, with t->mlock held. 0 or -errno. */
static int write_manifest(struct bulk_table *t)
{
	int rc = bulkmanifest_write(t->dir, &t->m);

	if (rc == 0) {
		t->dirty = 0;
		t->listed += t->unlisted;
		t->unlisted = 0;
		t->written_at = clock_seconds();
	}
	return rc;
}

/* The manifest lists every chunk, so rewriting it after each would cost
 * a table of n chunks n^2 / 2 chunk entries written. It is rewritten once
 * the chunks it does not list are an eighth of those it does (so each
 * chunk's entry is written about eight times in all, a table's first
 * chunks are listed at once), or a MANIFEST_EVERY seconds have passed,
 * and when a part ends (done, failed or stopped: bulk_part_run). A chunk
 * written but not yet listed is written again by a resume, the same
 * bytes. */
#define MANIFEST_EVERY 1.0

static int write_manifest_now_and_then(struct bulk_table *t)
{
	if (t->unlisted * 8 < t->listed &&
	    clock_seconds() - t->written_at < MANIFEST_EVERY)
		return 0;
	return write_manifest(t);
}

/* Write the chunk in w->lines (rows of them) as chunk `index` of the
 * part and record it, with the literals of its last key (NULL: none),
 * the part done when `done`. 0, or -errno of the write (said). */
static int record_chunk(struct stream *s, unsigned index, size_t rows,
			const char *const *last, int done)
{
	struct bulk_table *t = s->t;
	struct bulkchunk_info info;
	int rc = bulkchunk_write(t->dir, (unsigned)s->part, index,
				 s->w->lines.data, s->w->lines.len, CHUNK_LEVEL,
				 s->w->zstd, &info);

	if (rc != 0) {
		bulk_io_failed(s->r, t->dir, rc);
		return rc;
	}
	pthread_mutex_lock(&t->mlock);
	bulkmanifest_add_chunk(s->p, info.name, rows, info.bytes, info.sha256,
			       last, t->m.nkey);
	if (done)
		s->p->done = 1;
	t->dirty = 1;
	t->unlisted++;
	rc = done ? write_manifest(t) : write_manifest_now_and_then(t);
	pthread_mutex_unlock(&t->mlock);
	if (rc != 0) {
		bulk_io_failed(s->r, t->dir, rc);
		return rc;
	}
	pthread_mutex_lock(&s->r->lock);
	progress_rows(&s->r->progress, rows, info.bytes);
	if (t->m.key != NULL) {
		t->rows += rows;
		t->bytes += info.bytes;
		t->chunks++;
	}
	pthread_mutex_unlock(&s->r->lock);
	s->rows += rows;
	s->bytes += info.bytes;
	s->chunks++;
	return 0;
}

/* The part ends with no chunk more (its last was full, the next is
 * empty): say so in the manifest. */
static int record_done(struct stream *s)
{
	int rc;

	pthread_mutex_lock(&s->t->mlock);
	s->p->done = 1;
	s->t->dirty = 1;
	rc = write_manifest(s->t);
	pthread_mutex_unlock(&s->t->mlock);
	if (rc != 0)
		bulk_io_failed(s->r, s->t->dir, rc);
	return rc;
}

static enum ended too_many_chunks(struct stream *s)
{
	char msg[200];

	snprintf(msg, sizeof(msg), "more than %u chunks in one part: raise "
		 "--chunk-rows (now %u)", BULKCHUNK_MAX_INDEX,
		 s->r->chunk_rows);
	bulk_set_error(&s->err, 0, msg);
	return ENDED_FAILED;
}

/* The chunks of a keyed part, from its last recorded one. */
static enum ended keyed(struct stream *s)
{
	const struct bulkmanifest *m = &s->t->m;
	struct bulk_worker *w = s->w;
	char **last = xcalloc(m->nkey, sizeof(*last));
	enum ended ended = ENDED_DONE;
	size_t k;

	for (;;) {
		const struct bulkmanifest_chunk *prev = s->p->nchunks
			? &s->p->chunks[s->p->nchunks - 1] : NULL;
		unsigned index = (unsigned)s->p->nchunks + 1;
		MYSQL_RES *res;
		MYSQL_FIELD *f;
		MYSQL_ROW row;
		size_t rows = 0;
		int rc;

		if (bulk_stopping(s->r) || table_failed(s)) {
			ended = ENDED_STOPPED;
			break;
		}
		if (index > BULKCHUNK_MAX_INDEX) {
			ended = too_many_chunks(s);
			break;
		}
		strbuf_reset(&w->sql);
		bulksql_chunk(&w->sql, m->schema, m->table,
			      (const char *const *)m->key, m->nkey,
			      prev ? (const char *const *)prev->last : NULL,
			      s->p->lo, s->p->hi, s->r->chunk_rows);
		start_deadline(s);
		s->trips++;
		if (mysql_real_query(s->m, w->sql.data, w->sql.len) != 0 ||
		    (res = mysql_use_result(s->m)) == NULL) {
			ended = query_failed(s);
			break;
		}
		if (s->cols == NULL && (ended = first_result(s, res)) != ENDED_DONE) {
			mysql_free_result(res);
			break;
		}
		f = mysql_fetch_fields(res);
		strbuf_reset(&w->lines);
		while ((row = mysql_fetch_row(res)) != NULL) {
			unsigned long *len = mysql_fetch_lengths(res);

			rowjson_line(f, (unsigned)s->ncols, s->keys, row, len, s->cols,
				     s->r->mask_key, s->r->mask_key_len, &w->lines);
			for (k = 0; k < m->nkey; k++) {
				strbuf_reset(&s->keyval[k]);
				strbuf_add(&s->keyval[k], row[s->keypos[k]],
					   len[s->keypos[k]]);
			}
			rows++;
		}
		if (mysql_errno(s->m) != 0) {
			mysql_free_result(res);
			ended = query_failed(s);
			break;
		}
		for (k = 0; k < m->nkey && rows > 0; k++) {
			struct strbuf lit = STRBUF_INIT;

			sqlvalue_literal(&lit, &f[s->keypos[k]],
					 s->keyval[k].data ? s->keyval[k].data : "",
					 s->keyval[k].len);
			free(last[k]);
			last[k] = strbuf_detach(&lit, NULL);
		}
		mysql_free_result(res);
		connpool_set_deadline(s->t->env->pool, s->m, 0);
		if (rows == 0) {
			rc = record_done(s);
			ended = rc == 0 ? ENDED_DONE : ENDED_STOPPED;
			break;
		}
		rc = record_chunk(s, index, rows, (const char *const *)last,
				  rows < s->r->chunk_rows);
		if (rc != 0) {
			ended = ENDED_STOPPED;
			break;
		}
		if (rows < s->r->chunk_rows)
			break;
	}
	for (k = 0; k < m->nkey; k++)
		free(last[k]);
	free(last);
	return ended;
}

/* The masking plan and keys of a result, dropped. */
static void forget_columns(struct stream *s)
{
	size_t k;

	for (k = 0; s->keys != NULL && k < s->ncols; k++)
		strbuf_release(&s->keys[k]);
	free(s->keys);
	free(s->cols);
	s->keys = NULL;
	s->cols = NULL;
	s->ncols = 0;
}

/* Give up on a one-pass result before its end: freeing it would read the
 * rest of the table first, so the connection is cut off now (the keeper
 * shuts it within a tenth of a second and kills the query on the
 * server) and then freed; it is closed on release (expired). */
static void abandon(struct stream *s, MYSQL_RES *res)
{
	connpool_set_deadline(s->t->env->pool, s->m, clock_seconds());
	mysql_free_result(res);
}

/* A table without a key: every row in one statement, chunks cut as they
 * come. */
static enum ended one_pass(struct stream *s)
{
	const struct bulkmanifest *m = &s->t->m;
	struct bulk_worker *w = s->w;
	unsigned index = 1;
	size_t rows = 0;
	MYSQL_RES *res;
	MYSQL_FIELD *f;
	MYSQL_ROW row;
	enum ended ended;

	/* read again from the first row: its chunks are written again */
	pthread_mutex_lock(&s->t->mlock);
	bulkmanifest_truncate(s->p, 0, 0);
	s->p->done = 0;
	pthread_mutex_unlock(&s->t->mlock);
	s->one_pass = 1;
	if (!s->t->mariadb) {
		/* MySQL's MAX_EXECUTION_TIME(0) hint leaves the session's
		 * limit on: lift that (the next job's session statement sets
		 * it again) */
		static const char lift[] = "SET SESSION max_execution_time = 0";

		strbuf_reset(&w->sql);
		strbuf_adds(&w->sql, lift);
		start_deadline(s);
		s->trips++;
		if (mysql_real_query(s->m, lift, sizeof(lift) - 1) != 0)
			return query_failed(s);
	}
	strbuf_reset(&w->sql);
	bulksql_one_pass(&w->sql, m->schema, m->table, s->t->mariadb);
	start_deadline(s);
	s->trips++;
	if (mysql_real_query(s->m, w->sql.data, w->sql.len) != 0 ||
	    (res = mysql_use_result(s->m)) == NULL)
		return query_failed(s);
	forget_columns(s); /* a retry's: its result is asked again */
	if ((ended = first_result(s, res)) != ENDED_DONE) {
		abandon(s, res);
		return ended;
	}
	f = mysql_fetch_fields(res);
	strbuf_reset(&w->lines);
	while ((row = mysql_fetch_row(res)) != NULL) {
		rowjson_line(f, (unsigned)s->ncols, s->keys, row, mysql_fetch_lengths(res),
			     s->cols, s->r->mask_key, s->r->mask_key_len, &w->lines);
		if (++rows < s->r->chunk_rows)
			continue;
		if (index > BULKCHUNK_MAX_INDEX) {
			abandon(s, res);
			return too_many_chunks(s);
		}
		if (record_chunk(s, index++, rows, NULL, 0) != 0) {
			abandon(s, res);
			return ENDED_STOPPED;
		}
		strbuf_reset(&w->lines);
		rows = 0;
		if (bulk_stopping(s->r)) {
			abandon(s, res);
			return ENDED_STOPPED;
		}
		/* each chunk's rows within query-timeout */
		start_deadline(s);
	}
	if (mysql_errno(s->m) != 0) {
		mysql_free_result(res);
		return query_failed(s);
	}
	mysql_free_result(res);
	s->one_pass = 0;
	connpool_set_deadline(s->t->env->pool, s->m, 0);
	if (rows > 0 && index > BULKCHUNK_MAX_INDEX)
		return too_many_chunks(s);
	if ((rows > 0 ? record_chunk(s, index, rows, NULL, 1)
		      : record_done(s)) != 0)
		return ENDED_STOPPED;
	pthread_mutex_lock(&s->r->lock);
	s->t->rows += s->rows;
	s->t->bytes += s->bytes;
	s->t->chunks += s->chunks;
	pthread_mutex_unlock(&s->r->lock);
	return ENDED_DONE;
}

static void release_stream(struct stream *s)
{
	size_t k;

	for (k = 0; s->keyval != NULL && k < s->t->m.nkey; k++)
		strbuf_release(&s->keyval[k]);
	free(s->keyval);
	free(s->keypos);
	forget_columns(s);
	free(s->statement);
}

void bulk_part_run(struct bulk_run *r, struct bulk_table *t, size_t part,
		   struct bulk_worker *w)
{
	struct bulk_env *e = t->env;
	struct stream s;
	enum ended ended = ENDED_DONE;
	unsigned attempt;
	int reused;

	memset(&s, 0, sizeof(s));
	s.r = r;
	s.t = t;
	s.part = part;
	s.w = w;
	s.p = &t->m.parts[part];
	/* only this job changes its part: reading it needs no lock */
	for (attempt = 0; !s.p->done; attempt++) {
		if (bulk_stopping(r)) {
			ended = ENDED_STOPPED;
			break;
		}
		if (connpool_acquire(e->pool, &s.m, &reused, &s.err) != 0) {
			ended = bulk_stopping(r) ? ENDED_STOPPED : ENDED_FAILED;
			break;
		}
		/* the session's settings again: an init-command of the
		 * user's option file runs after rhizome's */
		strbuf_reset(&w->sql);
		strbuf_adds(&w->sql, connpool_session_sql(e->pool, s.m));
		start_deadline(&s);
		s.trips++;
		if (mysql_real_query(s.m, w->sql.data, w->sql.len) != 0)
			ended = query_failed(&s);
		else
			ended = t->m.key != NULL ? keyed(&s) : one_pass(&s);
		pthread_mutex_lock(&r->lock);
		e->round_trips += s.trips;
		pthread_mutex_unlock(&r->lock);
		connpool_set_deadline(e->pool, s.m, 0);
		connpool_release(e->pool, s.m, ended != ENDED_DONE ||
				 connpool_expired(e->pool, s.m));
		s.m = NULL;
		if (ended != ENDED_RETRY)
			break;
		if (attempt >= e->cfg->retries) {
			ended = ENDED_FAILED;
			break;
		}
		{
			struct strbuf line = STRBUF_INIT;

			strbuf_addf(&line, "rhizome: %s: table %s: %s: retry %u of "
				    "%u from chunk %zu", e->cfg->name, t->name,
				    s.err.message, attempt + 1, e->cfg->retries,
				    s.p->nchunks + 1);
			bulk_log(r, line.data);
			strbuf_release(&line);
		}
		if (bulk_backoff(r, attempt + 1, &w->seed)) {
			ended = ENDED_STOPPED;
			break;
		}
		s.rows = s.bytes = s.chunks = 0;
		s.trips = 0;
	}
	if (ended == ENDED_FAILED)
		bulk_fail_table(r, t, &s.err, s.statement);
	/* whatever stopped it, the manifest lists every chunk written */
	pthread_mutex_lock(&t->mlock);
	if (t->dirty) {
		int rc = write_manifest(t);

		if (rc != 0)
			bulk_io_failed(r, t->dir, rc);
	}
	pthread_mutex_unlock(&t->mlock);
	release_stream(&s);
	bulk_part_over(r, t);
}
