/*
 * Fair-share scheduling (see schedule.h for the rule and why). Every
 * function here runs under the caller's lock; nothing blocks.
 */
#include "engine/commands/schedule.h"

#include <limits.h>
#include <string.h>

/* The share of the environment ranked `rank` among `running` ones: the
 * remainder of the division goes to the first ones, so every worker can be
 * busy yet the shares never add up to more than the workers. */
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

unsigned schedule_share(const struct schedule *s, size_t env)
{
	size_t rank = 0, i;

	for (i = 0; i < env; i++)
		rank += !s->envs[i].finished;
	return share_of(s->workers, s->running, rank, s->envs[env].pool);
}

/* One job per connection of the share, none over the batch limit, all of
 * about one size. */
static void size_jobs(const struct schedule *s, struct schedule_env *e,
		      size_t share)
{
	size_t per_conn, njobs;

	per_conn = (e->ntables + share - 1) / share;
	if (per_conn > s->batch_limit)
		per_conn = s->batch_limit;
	if (per_conn == 0)
		per_conn = 1;
	njobs = (e->ntables + per_conn - 1) / per_conn;
	e->batch = njobs ? (e->ntables + njobs - 1) / njobs : 1;
}

void schedule_init(struct schedule *s, struct schedule_env *envs, size_t n,
		   unsigned workers, size_t batch_limit)
{
	size_t i, active = 0, rank = 0;

	memset(s, 0, sizeof(*s));
	s->envs = envs;
	s->nenvs = n;
	s->workers = workers;
	/* as schedule_share counts: environments with no tables finish at
	 * once and take no share */
	s->batch_limit = batch_limit;
	for (i = 0; i < n; i++)
		active += envs[i].ntables > 0 || envs[i].keys_first;
	for (i = 0; i < n; i++) {
		struct schedule_env *e = &envs[i];
		size_t share;

		e->keys = SCHEDULE_KEYS_TODO;
		e->next = e->done = 0;
		e->inflight = 0;
		e->finished = 0;
		share = e->ntables > 0 || e->keys_first
			? share_of(workers, active, rank++, e->pool) : 1;
		size_jobs(s, e, share);
	}
}

void schedule_set_tables(struct schedule *s, size_t env, size_t ntables)
{
	struct schedule_env *e = &s->envs[env];

	e->ntables = ntables;
	size_jobs(s, e, schedule_share(s, env));
}

static void hand_out(struct schedule *s, struct schedule_env *e,
		     const struct schedule_job *job)
{
	e->inflight++;
	s->inflight++;
	s->dispatch(s->ctx, job);
}

/* Hand out up to `max` more jobs of environment `i`, within its share. */
static void dispatch(struct schedule *s, size_t i, unsigned max)
{
	struct schedule_env *e = &s->envs[i];
	unsigned cap = schedule_share(s, i);

	if (s->stopped)
		return;
	if (e->keys_first && e->keys != SCHEDULE_KEYS_DONE) {
		if (e->keys == SCHEDULE_KEYS_TODO && max > 0) {
			struct schedule_job job = { .env = i, .keys = 1 };

			e->keys = SCHEDULE_KEYS_IN_FLIGHT;
			hand_out(s, e, &job);
		}
		return;
	}
	while (max-- > 0 && e->inflight < cap && e->next < e->ntables) {
		struct schedule_job job = { .env = i, .first = e->next };

		job.n = e->ntables - e->next < e->batch ? e->ntables - e->next
							: e->batch;
		e->next += job.n;
		hand_out(s, e, &job);
	}
}

/* One job per environment per round, until none takes another. */
static void dispatch_all(struct schedule *s)
{
	unsigned handed;
	size_t i;

	do {
		handed = s->inflight;
		for (i = 0; i < s->nenvs; i++)
			dispatch(s, i, 1);
	} while (s->inflight != handed);
}

static void finish(struct schedule *s, size_t i)
{
	s->envs[i].finished = 1;
	s->running--;
	if (s->finished != NULL)
		s->finished(s->ctx, i);
}

void schedule_start(struct schedule *s)
{
	size_t i;

	s->running = s->nenvs;
	for (i = 0; i < s->nenvs; i++)
		if (s->envs[i].ntables == 0 && !s->envs[i].keys_first)
			finish(s, i);
	dispatch_all(s);
}

void schedule_done(struct schedule *s, const struct schedule_job *job,
		   size_t processed)
{
	struct schedule_env *e = &s->envs[job->env];

	e->done += processed;
	if (job->keys) {
		e->keys = SCHEDULE_KEYS_DONE;
		/* the lookup failed them all, or the first `processed` (a
		 * glob's names that cannot be written) */
		e->next = processed;
	}
	e->inflight--;
	s->inflight--;
	if (e->done == e->ntables && !e->finished) {
		finish(s, job->env);
		/* Its share goes to the environments still running. */
		dispatch_all(s);
	} else {
		dispatch(s, job->env, UINT_MAX);
	}
}

void schedule_stop(struct schedule *s)
{
	s->stopped = 1;
}
