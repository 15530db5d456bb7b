/*
 * The fair-share schedule (engine/commands/schedule.c), driven by a
 * discrete simulation of a worker pool: handed-out jobs wait in a FIFO (the
 * queue), a fixed number of workers take them in order, and each job takes
 * its environment's duration. Time is simulated: nothing here sleeps.
 */
#include "check.h"

#include <stdlib.h>

#include "engine/commands/schedule.h"

#define MAX_ENVS 16
#define MAX_TABLES 4000
#define MAX_JOBS 8192

struct running { struct schedule_job job; double end; };

struct sim {
	struct schedule s;
	struct schedule_env envs[MAX_ENVS];
	double duration[MAX_ENVS];      /* of one job of each environment */
	struct schedule_job fifo[MAX_JOBS];
	size_t head, tail;
	struct running run[64];         /* jobs on workers */
	size_t nrun;
	unsigned workers;
	double now;
	/* what the test checks */
	unsigned char covered[MAX_ENVS][MAX_TABLES];
	unsigned max_inflight[MAX_ENVS];
	unsigned over_pool;             /* an environment past its pool */
	unsigned over_share;            /* handed out past its share */
	unsigned finished[MAX_ENVS];
	double finished_at[MAX_ENVS];
	unsigned row_job_before_keys;
	unsigned jobs[MAX_ENVS];
	int first_job_was_keys[MAX_ENVS];
	int fail_keys;                  /* key lookups fail: every table done */
	size_t lookup_failed[MAX_ENVS]; /* of those found, the lookup fails
					 * this many itself (the first ones) */
	size_t found[MAX_ENVS];         /* +1: the lookup finds this many
					 * tables (a glob expanded) */
	/* the slow environment's share while others still ran */
	size_t watch;
	unsigned watch_over_share;
	unsigned watch_max_after;       /* its inflight once alone */
	double watch_full_at;           /* when it first had its pool in flight */
};

static void on_dispatch(void *ctx, const struct schedule_job *job)
{
	struct sim *m = ctx;
	struct schedule_env *e = &m->envs[job->env];
	size_t i;

	if (e->inflight > e->pool)
		m->over_pool++;
	if (e->inflight > schedule_share(&m->s, job->env))
		m->over_share++;
	if (e->inflight > m->max_inflight[job->env])
		m->max_inflight[job->env] = e->inflight;
	if (m->jobs[job->env]++ == 0)
		m->first_job_was_keys[job->env] = job->keys;
	if (!job->keys && e->keys_first && e->keys != SCHEDULE_KEYS_DONE)
		m->row_job_before_keys++;
	for (i = job->first; i < job->first + job->n; i++)
		m->covered[job->env][i]++;
	if (job->env == m->watch) {
		if (m->s.running > 1 && e->inflight > schedule_share(&m->s, job->env))
			m->watch_over_share++;
		if (m->s.running == 1 && e->inflight > m->watch_max_after)
			m->watch_max_after = e->inflight;
		if (e->inflight == e->pool && m->watch_full_at == 0)
			m->watch_full_at = m->now;
	}
	m->fifo[m->tail++ % MAX_JOBS] = *job;
}

static void on_finished(void *ctx, size_t env)
{
	struct sim *m = ctx;

	m->finished[env]++;
	m->finished_at[env] = m->now;
}

static void sim_init(struct sim *m, size_t nenvs, const unsigned *pools,
		     const size_t *tables, unsigned workers, size_t batch,
		     int keys_first)
{
	size_t i;

	memset(m, 0, sizeof(*m));
	m->watch = (size_t)-1;
	for (i = 0; i < nenvs; i++) {
		m->envs[i].pool = pools[i];
		m->envs[i].ntables = tables[i];
		m->envs[i].keys_first = keys_first;
		m->duration[i] = 1.0;
	}
	m->workers = workers;
	schedule_init(&m->s, m->envs, nenvs, workers, batch);
	m->s.dispatch = on_dispatch;
	m->s.finished = on_finished;
	m->s.ctx = m;
}

/* Free workers take queued jobs; then the earliest running job ends. */
static void sim_run(struct sim *m)
{
	schedule_start(&m->s);
	for (;;) {
		size_t i, first = 0;
		struct schedule_job job;

		while (m->nrun < m->workers && m->head < m->tail) {
			struct schedule_job *j = &m->fifo[m->head++ % MAX_JOBS];

			m->run[m->nrun].job = *j;
			m->run[m->nrun].end = m->now + m->duration[j->env];
			m->nrun++;
		}
		if (m->nrun == 0)
			break;
		for (i = 1; i < m->nrun; i++)
			if (m->run[i].end < m->run[first].end)
				first = i;
		m->now = m->run[first].end;
		job = m->run[first].job;
		m->run[first] = m->run[--m->nrun];
		if (job.keys && !m->fail_keys && m->found[job.env] > 0)
			schedule_set_tables(&m->s, job.env, m->found[job.env] - 1);
		schedule_done(&m->s, &job, job.keys ? (m->fail_keys ?
				  m->envs[job.env].ntables
				  : m->lookup_failed[job.env]) : job.n);
	}
}

static void test_schedule_share_splits_workers_with_the_remainder_first(void)
{
	struct sim m;
	unsigned pools[10] = { 4, 4, 4, 4, 4, 4, 4, 4, 4, 4 };
	size_t tables[10] = { 5, 5, 5, 5, 5, 5, 5, 5, 5, 5 };
	size_t i;

	sim_init(&m, 7, pools, tables, 8, 250, 0);
	m.s.running = 7;
	ASSERT_EQ(schedule_share(&m.s, 0), 2);
	for (i = 1; i < 7; i++)
		ASSERT_EQ(schedule_share(&m.s, i), 1);

	sim_init(&m, 3, pools, tables, 8, 250, 0);
	m.s.running = 3;
	ASSERT_EQ(schedule_share(&m.s, 0), 3);
	ASSERT_EQ(schedule_share(&m.s, 1), 3);
	ASSERT_EQ(schedule_share(&m.s, 2), 2);

	/* the pool caps it */
	pools[0] = 1;
	sim_init(&m, 3, pools, tables, 8, 250, 0);
	m.s.running = 3;
	ASSERT_EQ(schedule_share(&m.s, 0), 1);
	pools[0] = 4;

	/* more environments than workers: one each all the same */
	sim_init(&m, 10, pools, tables, 8, 250, 0);
	m.s.running = 10;
	for (i = 0; i < 10; i++)
		ASSERT_EQ(schedule_share(&m.s, i), 1);

	/* a finished environment's share goes to those after it */
	sim_init(&m, 3, pools, tables, 8, 250, 0);
	m.s.running = 2;
	m.envs[0].finished = 1;
	ASSERT_EQ(schedule_share(&m.s, 1), 4);
	ASSERT_EQ(schedule_share(&m.s, 2), 4);
}

static void test_schedule_sizes_jobs_to_the_starting_share(void)
{
	struct sim m;
	unsigned pools[7] = { 4, 4, 4, 4, 4, 4, 4 };
	size_t tables[7] = { 300, 300, 300, 3000, 10, 0, 1 };

	sim_init(&m, 7, pools, tables, 8, 250, 0);
	/* 6 environments with tables share 8 workers: 2, 2, 1, 1, 1, 1 */
	ASSERT_EQ(m.envs[0].batch, 150);  /* 300 over 2 connections */
	ASSERT_EQ(m.envs[1].batch, 150);
	ASSERT_EQ(m.envs[2].batch, 150);  /* 1 connection: 300 > 250, two jobs */
	ASSERT_EQ(m.envs[3].batch, 250);  /* 12 jobs of the batch limit */
	ASSERT_EQ(m.envs[4].batch, 10);
	ASSERT_EQ(m.envs[5].batch, 1);    /* no tables */
	ASSERT_EQ(m.envs[6].batch, 1);

	tables[3] = 1000; /* 1000 over 1 connection, limit 300: 4 jobs of 250 */
	sim_init(&m, 7, pools, tables, 8, 300, 0);
	ASSERT_EQ(m.envs[3].batch, 250);
}

/* Over many fleets: every table handed out exactly once, every environment
 * finished once, nothing past its pool or its share, nothing left over. */
static void test_schedule_covers_every_table_once_within_pool_and_share(void)
{
	static struct sim m;
	unsigned seed = 12345, round;

	for (round = 0; round < 400; round++) {
		unsigned pools[MAX_ENVS], workers;
		size_t tables[MAX_ENVS], nenvs, i, t, batch;
		static const size_t sizes[] = { 0, 1, 2, 7, 49, 300, 1001 };

		nenvs = 1 + rand_r(&seed) % 12;
		workers = 1 + rand_r(&seed) % 10;
		batch = 1 + rand_r(&seed) % 300;
		for (i = 0; i < nenvs; i++) {
			pools[i] = 1 + rand_r(&seed) % 4;
			tables[i] = sizes[rand_r(&seed) % 7];
		}
		sim_init(&m, nenvs, pools, tables, workers, batch, round % 2);
		for (i = 0; i < nenvs; i++)
			m.duration[i] = 1 + rand_r(&seed) % 50;
		sim_run(&m);
		ASSERT_EQ(m.s.inflight, 0);
		ASSERT_EQ(m.s.running, 0);
		ASSERT_EQ(m.over_pool, 0);
		ASSERT_EQ(m.over_share, 0);
		ASSERT_EQ(m.row_job_before_keys, 0);
		for (i = 0; i < nenvs; i++) {
			ASSERT_EQ(m.finished[i], 1);
			ASSERT_EQ(m.envs[i].done, tables[i]);
			ASSERT_TRUE(m.max_inflight[i] <= pools[i]);
			for (t = 0; t < tables[i]; t++)
				if (m.covered[i][t] != 1)
					CHECK_FAIL("round %u: env %zu table %zu handed out %u times",
						   round, i, t, m.covered[i][t]);
		}
	}
}

/* One environment 100 times slower than six others: while they run it
 * holds only its share, they finish long before it, and then it gets the
 * workers they freed, up to its pool. */
static void test_schedule_a_slow_environment_does_not_stall_the_others(void)
{
	static struct sim m;
	unsigned pools[7] = { 4, 4, 4, 4, 4, 4, 4 };
	size_t tables[7] = { 300, 300, 300, 300, 300, 300, 300 };
	double last_fast = 0;
	size_t i;

	sim_init(&m, 7, pools, tables, 8, 10, 0);
	m.watch = 3;
	m.duration[3] = 100;
	sim_run(&m);
	for (i = 0; i < 7; i++)
		if (i != 3 && m.finished_at[i] > last_fast)
			last_fast = m.finished_at[i];
	ASSERT_EQ(m.watch_over_share, 0);
	ASSERT_EQ(m.max_inflight[3], 4);          /* its pool, once alone */
	ASSERT_EQ(m.watch_max_after, 4);
	/* 30 fast jobs each on 1 connection: about 30 time units, while the
	 * slow one's 30 jobs of 100 take 100 each, at most 4 at a time */
	ASSERT_TRUE(last_fast <= 40);
	ASSERT_TRUE(m.finished_at[3] >= 700);
	/* the freed workers go to it when the others finish, not when its
	 * own first job comes back (at 100) */
	ASSERT_TRUE(m.watch_full_at > 0 && m.watch_full_at <= last_fast);
}

/* A list with globs: the lookup decides how many tables there are, and
 * the batches are sized for what it found. */
static void test_schedule_lookup_sets_the_tables_then_batches_follow(void)
{
	static struct sim m;
	unsigned pools[3] = { 2, 2, 2 };
	size_t tables[3] = { 1, 0, 3 };
	size_t i, t;

	sim_init(&m, 3, pools, tables, 6, 5, 1);
	m.found[0] = 1 + 20;    /* one pattern became 20 tables */
	m.found[1] = 1 + 7;     /* nothing listed literally: 7 found */
	m.found[2] = 1 + 0;     /* the glob matched nothing */
	sim_run(&m);
	ASSERT_EQ(m.row_job_before_keys, 0);
	ASSERT_EQ(m.jobs[0], 1 + 4);  /* batches of at most 5 */
	ASSERT_EQ(m.jobs[1], 1 + 2);  /* 7 over its 2 connections */
	ASSERT_EQ(m.jobs[2], 1);
	ASSERT_EQ(m.envs[0].done, 20);
	ASSERT_EQ(m.envs[1].done, 7);
	for (t = 0; t < 20; t++)
		ASSERT_EQ(m.covered[0][t], 1);
	for (i = 0; i < 3; i++)
		ASSERT_EQ(m.finished[i], 1);
	ASSERT_EQ(m.over_pool, 0);
}

/* A lookup that fails the first tables it found itself (a glob's name
 * whose file is another environment's): the batches take the rest, each
 * table once, and the environment finishes. */
static void test_schedule_lookup_failing_some_tables_leaves_the_rest(void)
{
	static struct sim m;
	unsigned pools[2] = { 2, 2 };
	size_t tables[2] = { 1, 1 };
	size_t t;

	sim_init(&m, 2, pools, tables, 4, 5, 1);
	m.found[0] = 1 + 12;
	m.lookup_failed[0] = 3;
	m.found[1] = 1 + 2;
	m.lookup_failed[1] = 2;  /* all it found */
	sim_run(&m);
	for (t = 0; t < 3; t++)
		ASSERT_EQ(m.covered[0][t], 0);
	for (t = 3; t < 12; t++)
		ASSERT_EQ(m.covered[0][t], 1);
	ASSERT_EQ(m.envs[0].done, 12);
	ASSERT_EQ(m.jobs[1], 1);     /* the lookup only */
	ASSERT_EQ(m.envs[1].done, 2);
	ASSERT_EQ(m.finished[0], 1);
	ASSERT_EQ(m.finished[1], 1);
}

static void test_schedule_data_runs_the_key_lookup_first(void)
{
	static struct sim m;
	unsigned pools[3] = { 2, 2, 2 };
	size_t tables[3] = { 20, 0, 5 };
	size_t i;

	sim_init(&m, 3, pools, tables, 4, 5, 1);
	sim_run(&m);
	ASSERT_EQ(m.row_job_before_keys, 0);
	ASSERT_TRUE(m.first_job_was_keys[0]);
	ASSERT_TRUE(m.first_job_was_keys[2]);
	ASSERT_EQ(m.jobs[0], 1 + 4);  /* the lookup, then 4 batches of 5 */
	ASSERT_EQ(m.jobs[1], 1);      /* no tables: the lookup still tells
				       * what the server has */
	for (i = 0; i < 3; i++)
		ASSERT_EQ(m.finished[i], 1);

	/* a failed lookup fails every table: no batch follows it */
	sim_init(&m, 3, pools, tables, 4, 5, 1);
	m.fail_keys = 1;
	sim_run(&m);
	ASSERT_EQ(m.jobs[0], 1);
	ASSERT_EQ(m.jobs[2], 1);
	ASSERT_EQ(m.envs[0].done, 20);
	for (i = 0; i < 3; i++)
		ASSERT_EQ(m.finished[i], 1);
}

static void test_schedule_stop_hands_out_nothing_more(void)
{
	static struct sim m;
	unsigned pools[2] = { 2, 2 };
	size_t tables[2] = { 100, 100 };
	struct schedule_job job;
	size_t handed;

	sim_init(&m, 2, pools, tables, 4, 10, 0);
	schedule_start(&m.s);
	handed = m.tail;
	ASSERT_EQ(handed, 4);
	schedule_stop(&m.s);
	while (m.head < m.tail) {
		job = m.fifo[m.head++];
		schedule_done(&m.s, &job, job.n);
	}
	ASSERT_EQ(m.tail, handed);
	ASSERT_EQ(m.s.inflight, 0);
	ASSERT_EQ(m.finished[0] + m.finished[1], 0);
}

static void test_schedule_environment_without_tables_finishes_at_start(void)
{
	static struct sim m;
	unsigned pools[2] = { 4, 4 };
	size_t tables[2] = { 0, 3 };

	sim_init(&m, 2, pools, tables, 8, 250, 0);
	schedule_start(&m.s);
	ASSERT_EQ(m.finished[0], 1);
	ASSERT_EQ(m.finished[1], 0);
	ASSERT_EQ(m.s.running, 1);
	ASSERT_EQ(m.jobs[0], 0);
	ASSERT_EQ(m.jobs[1], 3); /* its share is its pool, 4: a job per table */
}

int main(int argc, char **argv)
{
	CHECK_INIT(argc, argv);
	RUN(test_schedule_share_splits_workers_with_the_remainder_first);
	RUN(test_schedule_sizes_jobs_to_the_starting_share);
	RUN(test_schedule_covers_every_table_once_within_pool_and_share);
	RUN(test_schedule_a_slow_environment_does_not_stall_the_others);
	RUN(test_schedule_data_runs_the_key_lookup_first);
	RUN(test_schedule_lookup_sets_the_tables_then_batches_follow);
	RUN(test_schedule_lookup_failing_some_tables_leaves_the_rest);
	RUN(test_schedule_stop_hands_out_nothing_more);
	RUN(test_schedule_environment_without_tables_finishes_at_start);
	return CHECK_EXIT();
}
