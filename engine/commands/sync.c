/*
 * A sync run's lifecycle, on the main thread: set up the environments, the
 * schedule, the queue and the run history; start the signal watcher and
 * the workers; wait until no job is in flight; then build the summary and
 * publish (or drop) the history. How the rest flows: sync_int.h.
 */
#include "engine/commands/sync_int.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/base/alloc.h"
#include "engine/base/clock.h"
#include "engine/base/jsontext.h"
#include "engine/output/eventlog.h"
#include "engine/store/snapshot.h"
#include "workers/pool.h"

static void free_run(struct run *r)
{
	size_t i, j;

	for (i = 0; i < r->nenvs; i++) {
		struct env_run *e = &r->envs[i];

		connpool_free(e->pool);
		for (j = 0; j < e->ntables && e->results; j++) {
			free(e->results[j].path);
			free(e->results[j].statement);
			free(e->results[j].removed_body);
			sync_free_error(&e->results[j]);
			schemadiff_release(&e->results[j].drift);
		}
		free(e->results);
		free(e->own_tables);
		for (j = 0; j < e->nown_names; j++)
			free(e->own_names[j]);
		free(e->own_names);
		fetch_catalog_free(&e->catalog);
		free(e->data_dir);
		fetch_keys_free(e->keys, e->nkeys);
		free(e->key_of);
		keyfollow_free(e->kf);
		fetch_fks_free(e->fks, e->nfks);
	}
	free(r->envs);
	free(r->senvs);
	free(r->pools);
	queue_free(r->q);
	pthread_cond_destroy(&r->idle);
	pthread_mutex_destroy(&r->lock);
}

/* What environment `e` fetches before its lookup, if it has one: the
 * list's literal names, and its globs (each fails as a pseudo-table if
 * the lookup does, so an unreachable environment whose list is all globs
 * still fails; expand_tables replaces them). Data reads its keys in a
 * lookup, a list with globs needs one; rhizome tables does nothing else. */
static void plan_tables(const struct sync_opts *o, struct env_run *e)
{
	const struct table_list *tl = e->cfg->tables;
	size_t k;

	e->lookup = o->command == SYNC_DATA || o->command == SYNC_TABLES ||
		    tl->npatterns > 0;
	if (o->command == SYNC_TABLES)
		return; /* no table to fetch */
	if (tl->npatterns == 0) {
		e->tables = (const char *const *)tl->effective;
		e->ntables = tl->neffective;
		return;
	}
	e->own_tables = xcalloc(tl->neffective + tl->npatterns,
				sizeof(*e->own_tables));
	for (k = 0; k < tl->neffective; k++)
		e->own_tables[e->ntables++] = tl->effective[k];
	for (k = 0; k < tl->npatterns; k++)
		e->own_tables[e->ntables++] = tl->patterns[k];
	e->tables = e->own_tables;
}

/* Plan the run: its environments, their schedule (which sizes their jobs)
 * and the queue. Returns 0, or -EAGAIN when the queue's lock or condition
 * variables cannot be made (allocation failures abort: alloc.h). */
static int setup(struct run *r, const struct sync_opts *o)
{
	size_t i, slots = 0;

	memset(r, 0, sizeof(*r));
	r->o = o;
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->idle, NULL);
	r->envs = xcalloc(o->nenvs, sizeof(*r->envs));
	r->pools = xcalloc(o->nenvs ? o->nenvs : 1, sizeof(*r->pools));
	r->senvs = xcalloc(o->nenvs, sizeof(*r->senvs));
	if (o->cfg->mask_key_env != NULL) {
		r->mask_key = getenv(o->cfg->mask_key_env);
		r->mask_key_len = r->mask_key ? strlen(r->mask_key) : 0;
	}
	r->nenvs = o->nenvs;
	r->workers = o->workers ? o->workers : o->cfg->workers;
	for (i = 0; i < o->nenvs; i++) {
		struct env_run *e = &r->envs[i];

		e->cfg = o->envs[i];
		e->index = i;
		e->follow = o->command == SYNC_DATA &&
			    (o->follow_keys || e->cfg->follow_keys);
		plan_tables(o, e);
		e->results = xcalloc(e->ntables ? e->ntables : 1,
				     sizeof(*e->results));
		e->pool = connpool_new(e->cfg, o->tls ? o->tls[i] : e->cfg->tls.mode);
		r->pools[i] = e->pool;
		e->data_dir = snapshot_data_dir(o->out, e->cfg->folder);
		/* from the run's start: what a scheduler plans with */
		e->deadline = e->cfg->env_timeout
			      ? clock_seconds() + (double)e->cfg->env_timeout : 0;
		r->senvs[i].pool = e->cfg->pool;
		r->senvs[i].ntables = e->ntables;
		r->senvs[i].keys_first = e->lookup;
		slots += e->cfg->pool;
	}
	schedule_init(&r->schedule, r->senvs, r->nenvs, r->workers, o->cfg->batch);
	r->schedule.dispatch = sync_dispatch;
	r->schedule.finished = sync_env_finished;
	r->schedule.ctx = r;
	r->q = queue_new(slots ? slots : 1);
	return r->q != NULL ? 0 : -EAGAIN;
}

/* Open the run history unless this is a dry run. 0 or -errno. */
static int open_history(struct run *r)
{
	const char **names;
	size_t i;
	int rc = 0;

	if (r->o->dry_run)
		return 0;
	names = xcalloc(r->nenvs, sizeof(*names));
	for (i = 0; i < r->nenvs; i++)
		names[i] = r->envs[i].cfg->name;
	rc = history_open(r->o->history, r->o->run_id, names, r->nenvs, &r->hist);
	free(names);
	if (rc != 0)
		fprintf(stderr, "rhizome: cannot start the run history under "
			"%s: %s\n", r->o->history, strerror(-rc));
	return rc;
}

/* What the results come to, before publishing. */
static enum sync_outcome run_outcome(struct run *r)
{
	enum sync_outcome status = SYNC_DONE;
	size_t i, j;

	/* check: drifted, but a failure means it could not tell */
	for (i = 0; i < r->nenvs && r->o->command == SYNC_CHECK; i++) {
		for (j = 0; j < r->envs[i].ntables; j++)
			if (r->envs[i].results[j].drift.n > 0)
				status = SYNC_DRIFTED;
		if (r->o->unlisted_drift && sync_unlisted_count(&r->envs[i]) > 0)
			status = SYNC_DRIFTED;
	}
	for (i = 0; i < r->nenvs; i++)
		if (r->envs[i].counts[CLASS_ERROR] > 0 ||
		    r->envs[i].lookup_err.message[0] != '\0')
			status = SYNC_PARTIAL;
	if (r->io_failed) /* the workers are joined: no lock needed */
		status = SYNC_IO_FAILED;
	return status;
}

/* Publish the history of a run that was not interrupted and wrote all it
 * had to; otherwise drop it. Returns the outcome, SYNC_IO_FAILED when
 * publishing fails. */
static enum sync_outcome publish_history(struct run *r, enum sync_outcome status,
					 json_t *summary, const struct timespec *end)
{
	json_t *manifest;
	char *dir;
	int rc;

	if (r->hist == NULL)
		return status;
	if (status == SYNC_IO_FAILED || sync_cancelled(r)) {
		history_abandon(r->hist);
		r->hist = NULL;
		return status;
	}
	if (sync_record_removals(r) != 0) {
		history_abandon(r->hist);
		r->hist = NULL;
		return SYNC_IO_FAILED;
	}
	manifest = sync_build_manifest(r, end);
	rc = history_publish(r->hist, manifest);
	r->hist = NULL;
	json_decref(manifest);
	if (rc != 0) {
		fprintf(stderr, "rhizome: cannot publish the run history under "
			"%s: %s\n", r->o->history, strerror(-rc));
		return SYNC_IO_FAILED;
	}
	/* only now: the text of every file deleted is in a published run */
	if (sync_remove_files(r) != 0)
		status = SYNC_IO_FAILED;
	dir = history_run_dir(r->o->history, r->o->run_id);
	json_object_set_new(summary, "history", jsontext_string(dir));
	free(dir);
	return status;
}

/* The guard's callbacks (runguard.h), with run->lock held but resize. */
static void sync_cancel(void *ctx, int sig)
{
	struct run *r = ctx;

	r->cancel_signal = sig;
	schedule_stop(&r->schedule);
	progress_log(&r->progress, sig == SIGINT
		     ? "rhizome: interrupted (SIGINT), stopping"
		     : "rhizome: terminated (SIGTERM), stopping");
	pthread_cond_broadcast(&r->idle);
}

static void sync_tick(void *ctx)
{
	progress_tick(&((struct run *)ctx)->progress);
}

static void sync_resize(void *ctx)
{
	progress_note_resize(&((struct run *)ctx)->progress);
}

static const struct runguard_ops sync_guard_ops = {
	sync_cancel, sync_tick, sync_resize,
};

enum sync_outcome sync_run(const struct sync_opts *o, json_t **summary)
{
	struct run r;
	struct pool_opts popts;
	pool *workers = NULL;
	int sig, rc;
	enum sync_outcome status = SYNC_IO_FAILED;
	size_t i, total = 0, globs;
	unsigned trips = 0;
	double t0 = progress_now();
	struct timespec end;

	*summary = NULL;
	if (setup(&r, o) != 0) {
		fprintf(stderr, "rhizome: cannot create the job queue\n");
		goto out;
	}
	for (i = 0; i < r.nenvs; i++)
		total += r.envs[i].ntables;
	progress_init(&r.progress, o->quiet, o->progress, total, r.nenvs);
	if (open_history(&r) != 0)
		goto out;

	memset(&popts, 0, sizeof(popts));
	popts.threads = r.workers;
	popts.ctx = &r;
	popts.thread_start = sync_worker_start;
	popts.run = sync_worker_run;
	popts.thread_stop = sync_worker_stop;
	/* the run's id for every event and a dying line, before any thread
	 * that could write one */
	eventlog_set_run(o->run_id);
	/* Before the workers: signals stay blocked in every thread, so
	 * without the watcher the run could not be interrupted at all. */
	r.guard.lock = &r.lock;
	r.guard.pools = r.pools;
	r.guard.npools = r.nenvs;
	r.guard.ops = &sync_guard_ops;
	r.guard.ctx = &r;
	if ((rc = runguard_start(&r.guard)) != 0) {
		fprintf(stderr, "rhizome: cannot start the signal watcher and "
			"the deadline keeper: %s\n", strerror(-rc));
		goto out;
	}
	workers = pool_start(r.q, &popts);
	if (workers == NULL) {
		fprintf(stderr, "rhizome: cannot start %zu worker threads\n",
			popts.threads);
		goto out;
	}

	/* a list with globs has its count once its lookup expanded it (the
	 * env_tables event): until then the count is null, not a guess */
	for (i = 0, globs = 0; i < r.nenvs; i++)
		globs += o->command != SYNC_TABLES &&
			 r.envs[i].cfg->tables->npatterns > 0;
	eventlog_emit("run_start", json_pack(
		"{s:s, s:I, s:o, s:i}", "command",
		o->command == SYNC_DATA ? "data" : o->command == SYNC_CHECK
		? "check" : o->command == SYNC_TABLES ? "tables" : "schema",
		"environments", (json_int_t)r.nenvs, "tables", globs ? json_null()
		: json_integer((json_int_t)total), "workers", (int)r.workers));
	for (i = 0; i < r.nenvs; i++)
		eventlog_emit("env_start", json_pack(
			"{s:s, s:s, s:s, s:o}", "env", r.envs[i].cfg->name,
			"folder", r.envs[i].cfg->folder, "database",
			r.envs[i].cfg->database, "tables",
			o->command != SYNC_TABLES &&
			r.envs[i].cfg->tables->npatterns > 0 ? json_null()
			: json_integer((json_int_t)r.envs[i].ntables)));
	pthread_mutex_lock(&r.lock);
	for (i = 0; i < r.nenvs; i++)
		r.envs[i].started = progress_now();
	schedule_start(&r.schedule);
	while (r.schedule.inflight > 0)
		pthread_cond_wait(&r.idle, &r.lock);
	/* A run stopped early (a local write failed, a signal) leaves
	 * environments unfinished: each still says what it did and its
	 * first error, which may be the failure that stopped the run. */
	for (i = 0; i < r.nenvs; i++)
		if (!r.senvs[i].finished)
			sync_env_finished(&r, i);
	pthread_mutex_unlock(&r.lock);
	pool_free(workers);
	/* under the lock: the watcher may still log a signal */
	pthread_mutex_lock(&r.lock);
	progress_finish(&r.progress);
	pthread_mutex_unlock(&r.lock);
	clock_gettime(CLOCK_REALTIME, &end);

	*summary = sync_build_summary(&r, (long long)((progress_now() - t0) * 1000));
	sync_warn_absent(&r, *summary);
	/* The watcher still runs: a signal while publishing is honoured. */
	status = publish_history(&r, run_outcome(&r), *summary, &end);
	for (i = 0; i < r.nenvs; i++)
		trips += r.envs[i].round_trips;
	json_object_set_new(*summary, "round_trips", json_integer(trips));

out:
	runguard_stop(&r.guard);
	sig = r.cancel_signal; /* no thread but this one is left */
	if (sig != 0) {
		status = sig == SIGINT ? SYNC_INTERRUPTED : SYNC_TERMINATED;
		if (*summary != NULL)
			json_object_set_new(*summary, "interrupted", json_string(
				sig == SIGINT ? "SIGINT" : "SIGTERM"));
	}
	history_abandon(r.hist);
	free_run(&r);
	return status;
}
