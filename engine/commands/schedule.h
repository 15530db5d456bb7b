/*
 * schedule: which environment's jobs go to the workers, and when. Fair
 * share, as pure bookkeeping: no threads, no I/O, no clock, so it can be
 * tested by simulation (tests/unit/test_schedule.c).
 *
 * A job is one round trip for a batch of one environment's tables, or the
 * environment's lookup, which comes first where the run needs it (sync
 * data: the keys; a table list with globs: the tables there are, which
 * decide the tables to fetch; rhizome tables: nothing else). An
 * environment has at most
 *     min(pool, max(1, workers / environments still running))
 * jobs in flight, the remainder of the division going to the first
 * environments still running, recomputed as environments finish. A worker
 * blocks while its job waits on the network, so without the cap a few slow
 * environments could take every worker and stall the fast ones queued
 * behind them; with it, slow environments hold at most their share, and
 * once the fast ones are done the slow ones get the freed workers (up to
 * their pools) for the jobs they have left. An environment never has more
 * jobs in flight than its pool has connections, so no worker waits for a
 * connection, and the jobs in flight never outnumber the sum of the pools.
 *
 * Jobs are sized once, at the start (schedule_init): one job per connection
 * of the environment's starting share, none larger than the configured
 * batch, all of about one size. A job is a round trip, and more jobs than
 * connections would wait in line; large environments still have jobs left
 * for the workers others free.
 *
 * Threads: none of its own. The caller serializes every call on one
 * schedule (sync holds its run lock), and the callbacks run inside them.
 */
#ifndef RHIZOME_SCHEDULE_H
#define RHIZOME_SCHEDULE_H

#include <stddef.h>

enum schedule_keys { SCHEDULE_KEYS_TODO, SCHEDULE_KEYS_IN_FLIGHT, SCHEDULE_KEYS_DONE };

/* One environment. The caller fills the first three fields; the rest is
 * the schedule's. */
struct schedule_env {
	unsigned pool;          /* most jobs in flight (connections), >= 1 */
	size_t ntables;
	int keys_first;         /* a lookup job before any batch (the
				 * environment's tables may change then:
				 * schedule_set_tables) */
	/* the schedule's: */
	size_t batch;           /* tables per job, set by schedule_init */
	enum schedule_keys keys;
	size_t next;            /* first table not yet given to a job */
	unsigned inflight;      /* jobs handed out and not done */
	size_t done;            /* tables done */
	int finished;
};

struct schedule_job {
	size_t env;             /* index into the schedule's environments */
	size_t first, n;        /* tables [first, first + n); a key job: 0, 0 */
	int keys;               /* the environment's key lookup */
};

struct schedule {
	struct schedule_env *envs; /* borrowed, nenvs of them */
	size_t nenvs;
	unsigned workers;
	size_t batch_limit;     /* tables per job at most */
	size_t running;         /* environments not finished */
	unsigned inflight;      /* jobs handed out and not done, in all */
	int stopped;            /* schedule_stop: hand out nothing more */
	/* Called for each job handed out, within schedule_start and
	 * schedule_done; the job is the callee's to copy. */
	void (*dispatch)(void *ctx, const struct schedule_job *job);
	/* Called once per environment, when its last table is done (at
	 * once, in schedule_start, for one with no tables). May be NULL. */
	void (*finished)(void *ctx, size_t env);
	void *ctx;
};

/*
 * Set up `s` over envs[0..n) (borrowed for the schedule's life) for
 * `workers` (>= 1) workers, sizing each environment's jobs to at most
 * `batch_limit` (>= 1) tables. Set s->dispatch, s->finished and s->ctx
 * after this, before schedule_start.
 */
void schedule_init(struct schedule *s, struct schedule_env *envs, size_t n,
		   unsigned workers, size_t batch_limit);

/* Finish the environments that have no tables and no lookup, then hand out the first
 * jobs: one per environment per round, so every environment starts at once
 * and none queues all its work ahead of the others. */
void schedule_start(struct schedule *s);

/*
 * `job` is done, with `processed` of its tables done (a failed key lookup
 * counts every table of its environment, one that succeeded the tables
 * [0, processed) it failed itself, usually none; a job skipped because the
 * run is stopping counts 0). Hands out what that frees: the environment's next
 * jobs within its share, or, when it finished, the share it leaves to the
 * others.
 */
void schedule_done(struct schedule *s, const struct schedule_job *job,
		   size_t processed);

/* The lookup of environment `env` found that it has `ntables` tables to
 * fetch (it may have none): its jobs are sized again, as schedule_init
 * would have, for its share now. Call before schedule_done of that lookup
 * job. */
void schedule_set_tables(struct schedule *s, size_t env, size_t ntables);

/* Hand out no more jobs (a signal, a local write failure); the jobs in
 * flight still end with schedule_done. */
void schedule_stop(struct schedule *s);

/* The jobs environment `env` may have in flight now: its fair share,
 * within its pool. */
unsigned schedule_share(const struct schedule *s, size_t env);

#endif
