/*
 * Unit tests of workers/: start, run, drain, stop.
 *
 * The hooks count what they see with atomics; thread_start is made slow on
 * purpose so that a pool_start that returned before its workers ran would be
 * caught with a short count. Each worker's state is a small heap object that
 * thread_stop checks and frees, which proves the state reaches its own
 * thread's stop hook (and, under ASan, that it is freed exactly once).
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>

#include "queue/queue.h"
#include "workers/pool.h"
#include "check.h"
#include "testutil.h"

#define STATE_MAGIC 0x5eed1e55u

struct counters {
	atomic_int started;
	atomic_int stopped;
	atomic_int ran;
	atomic_int bad_state;   /* run/stop saw a state not from thread_start */
	atomic_int stop_mismatch; /* stop ran on another thread than start */
	unsigned start_delay_ms;
	unsigned run_delay_ms;
	/* a gate that holds run() until the test opens it */
	pthread_mutex_t gate_lock;
	pthread_cond_t gate_cond;
	int gate_open;          /* guarded by gate_lock */
	atomic_int *per_item;   /* how many times each item ran */
};

struct worker_state {
	unsigned magic;
	pthread_t self;
};

static void counters_init(struct counters *c)
{
	memset(c, 0, sizeof(*c));
	pthread_mutex_init(&c->gate_lock, NULL);
	pthread_cond_init(&c->gate_cond, NULL);
	c->gate_open = 1;
}

static void counters_release(struct counters *c)
{
	pthread_cond_destroy(&c->gate_cond);
	pthread_mutex_destroy(&c->gate_lock);
	free(c->per_item);
}

static void gate_set(struct counters *c, int open)
{
	pthread_mutex_lock(&c->gate_lock);
	c->gate_open = open;
	pthread_cond_broadcast(&c->gate_cond);
	pthread_mutex_unlock(&c->gate_lock);
}

static void *hook_start(void *ctx)
{
	struct counters *c = ctx;
	struct worker_state *s = calloc(1, sizeof(*s));

	if (s == NULL)
		abort();
	s->magic = STATE_MAGIC;
	s->self = pthread_self();
	if (c->start_delay_ms)
		sleep_ms(c->start_delay_ms);
	atomic_fetch_add(&c->started, 1);
	return s;
}

static void hook_run(void *item, void *thread_state, void *ctx)
{
	struct counters *c = ctx;
	struct worker_state *s = thread_state;
	size_t idx = (size_t)(uintptr_t)item - 1; /* items are 1..n */

	if (s == NULL || s->magic != STATE_MAGIC ||
	    !pthread_equal(s->self, pthread_self()))
		atomic_fetch_add(&c->bad_state, 1);
	pthread_mutex_lock(&c->gate_lock);
	while (!c->gate_open)
		pthread_cond_wait(&c->gate_cond, &c->gate_lock);
	pthread_mutex_unlock(&c->gate_lock);
	if (c->run_delay_ms)
		sleep_ms(c->run_delay_ms);
	if (c->per_item != NULL)
		atomic_fetch_add(&c->per_item[idx], 1);
	atomic_fetch_add(&c->ran, 1);
}

static void hook_stop(void *thread_state, void *ctx)
{
	struct counters *c = ctx;
	struct worker_state *s = thread_state;

	if (s == NULL || s->magic != STATE_MAGIC)
		atomic_fetch_add(&c->bad_state, 1);
	else if (!pthread_equal(s->self, pthread_self()))
		atomic_fetch_add(&c->stop_mismatch, 1);
	if (s != NULL)
		s->magic = 0;
	free(s);
	atomic_fetch_add(&c->stopped, 1);
}

static struct pool_opts opts_for(struct counters *c, size_t threads)
{
	struct pool_opts o;

	memset(&o, 0, sizeof(o));
	o.threads = threads;
	o.ctx = c;
	o.thread_start = hook_start;
	o.run = hook_run;
	o.thread_stop = hook_stop;
	return o;
}

static void *item_n(size_t n)
{
	return (void *)(uintptr_t)n;
}

static void test_pool_start_returns_with_every_worker_running(void)
{
	struct counters c;
	struct pool_opts o;
	queue *q = queue_new(8);
	pool *p;

	ASSERT_TRUE(q != NULL);
	counters_init(&c);
	c.start_delay_ms = 50; /* a pool_start that did not wait would see < 6 */
	o = opts_for(&c, 6);
	p = pool_start(q, &o);
	ASSERT_TRUE(p != NULL);
	ASSERT_EQ(atomic_load(&c.started), 6);
	ASSERT_EQ(atomic_load(&c.stopped), 0);
	ASSERT_EQ(pool_threads(p), 6);
	pool_free(p);
	ASSERT_EQ(atomic_load(&c.stopped), 6);
	queue_free(q);
	counters_release(&c);
}

static void test_pool_with_zero_threads_starts_four(void)
{
	struct counters c;
	struct pool_opts o;
	queue *q = queue_new(8);
	pool *p;

	ASSERT_TRUE(q != NULL);
	counters_init(&c);
	o = opts_for(&c, 0);
	p = pool_start(q, &o);
	ASSERT_TRUE(p != NULL);
	ASSERT_EQ(atomic_load(&c.started), 4);
	ASSERT_EQ(pool_threads(p), 4);
	pool_free(p);
	ASSERT_EQ(atomic_load(&c.stopped), 4);
	queue_free(q);
	counters_release(&c);
}

static void test_pool_start_refuses_missing_run_callback(void)
{
	struct pool_opts o;
	queue *q = queue_new(1);

	ASSERT_TRUE(q != NULL);
	memset(&o, 0, sizeof(o));
	o.threads = 2;
	ASSERT_TRUE(pool_start(q, &o) == NULL);
	ASSERT_TRUE(pool_start(NULL, &o) == NULL);
	ASSERT_TRUE(pool_start(q, NULL) == NULL);
	pool_free(NULL); /* a no-op */
	queue_free(q);
}

#define NITEMS 20000
#define NTHREADS 8

static void test_pool_runs_every_item_exactly_once_across_workers(void)
{
	struct counters c;
	struct pool_opts o;
	queue *q = queue_new(16); /* small: producers block, workers keep up */
	pool *p;
	size_t i;

	ASSERT_TRUE(q != NULL);
	counters_init(&c);
	c.per_item = calloc(NITEMS, sizeof(*c.per_item));
	ASSERT_TRUE(c.per_item != NULL);
	o = opts_for(&c, NTHREADS);
	p = pool_start(q, &o);
	ASSERT_TRUE(p != NULL);
	for (i = 1; i <= NITEMS; i++)
		ASSERT_EQ(queue_push(q, item_n(i)), 0);
	pool_free(p);
	ASSERT_EQ(atomic_load(&c.ran), NITEMS);
	for (i = 0; i < NITEMS; i++)
		if (atomic_load(&c.per_item[i]) != 1)
			CHECK_FAIL("item %zu ran %d times", i + 1,
				   atomic_load(&c.per_item[i]));
	ASSERT_EQ(atomic_load(&c.bad_state), 0);
	queue_free(q);
	counters_release(&c);
}

static void test_pool_free_calls_thread_stop_once_per_worker_with_its_state(void)
{
	struct counters c;
	struct pool_opts o;
	queue *q = queue_new(64);
	pool *p;
	size_t i;

	ASSERT_TRUE(q != NULL);
	counters_init(&c);
	c.run_delay_ms = 1;
	o = opts_for(&c, 5);
	p = pool_start(q, &o);
	ASSERT_TRUE(p != NULL);
	for (i = 1; i <= 50; i++)
		ASSERT_EQ(queue_push(q, item_n(i)), 0);
	ASSERT_EQ(atomic_load(&c.stopped), 0); /* nobody stops before pool_free */
	pool_free(p);
	ASSERT_EQ(atomic_load(&c.started), 5);
	ASSERT_EQ(atomic_load(&c.stopped), 5);
	ASSERT_EQ(atomic_load(&c.bad_state), 0);
	ASSERT_EQ(atomic_load(&c.stop_mismatch), 0);
	ASSERT_EQ(atomic_load(&c.ran), 50);
	queue_free(q);
	counters_release(&c);
}

static void test_pool_free_with_empty_queue_returns_promptly(void)
{
	struct counters c;
	struct pool_opts o;
	queue *q = queue_new(4);
	pool *p;
	double t0, elapsed;

	ASSERT_TRUE(q != NULL);
	counters_init(&c);
	o = opts_for(&c, NTHREADS);
	p = pool_start(q, &o);
	ASSERT_TRUE(p != NULL);
	sleep_ms(50); /* let every worker block in queue_pop */
	t0 = now_seconds();
	pool_free(p); /* a worker nobody wakes would trip the watchdog */
	elapsed = now_seconds() - t0;
	if (elapsed > 2.0)
		CHECK_FAIL("pool_free took %.3f s on an empty queue", elapsed);
	ASSERT_EQ(atomic_load(&c.stopped), NTHREADS);
	ASSERT_EQ(atomic_load(&c.ran), 0);
	queue_free(q);
	counters_release(&c);
}

#define NDRAIN 300

static void test_pool_free_runs_items_queued_before_it(void)
{
	struct counters c;
	struct pool_opts o;
	queue *q = queue_new(NDRAIN);
	pool *p;
	size_t i;

	ASSERT_TRUE(q != NULL);
	counters_init(&c);
	c.per_item = calloc(NDRAIN, sizeof(*c.per_item));
	ASSERT_TRUE(c.per_item != NULL);
	gate_set(&c, 0); /* workers take one item each, then wait */
	o = opts_for(&c, 2);
	p = pool_start(q, &o);
	ASSERT_TRUE(p != NULL);
	for (i = 1; i <= NDRAIN; i++)
		ASSERT_EQ(queue_try_push(q, item_n(i)), 0);
	sleep_ms(20);
	/* Nearly everything is still queued when pool_free starts. */
	ASSERT_TRUE(queue_length(q) >= NDRAIN - 2);
	ASSERT_EQ(atomic_load(&c.ran), 0);
	gate_set(&c, 1);
	pool_free(p);
	ASSERT_EQ(atomic_load(&c.ran), NDRAIN);
	for (i = 0; i < NDRAIN; i++)
		ASSERT_EQ(atomic_load(&c.per_item[i]), 1);
	ASSERT_EQ(queue_length(q), 0);
	ASSERT_EQ(atomic_load(&c.stopped), 2);
	queue_free(q);
	counters_release(&c);
}

/* Without hooks the pool still runs items; the state passed is NULL. */
static atomic_int plain_ran, plain_nonnull_state;

static void plain_run(void *item, void *thread_state, void *ctx)
{
	(void)item;
	(void)ctx;
	if (thread_state != NULL)
		atomic_fetch_add(&plain_nonnull_state, 1);
	atomic_fetch_add(&plain_ran, 1);
}

static void test_pool_runs_items_without_thread_hooks(void)
{
	struct pool_opts o;
	queue *q = queue_new(8);
	pool *p;
	size_t i;

	ASSERT_TRUE(q != NULL);
	memset(&o, 0, sizeof(o));
	o.threads = 3;
	o.run = plain_run;
	p = pool_start(q, &o);
	ASSERT_TRUE(p != NULL);
	for (i = 1; i <= 100; i++)
		ASSERT_EQ(queue_push(q, item_n(i)), 0);
	pool_free(p);
	ASSERT_EQ(atomic_load(&plain_ran), 100);
	ASSERT_EQ(atomic_load(&plain_nonnull_state), 0);
	queue_free(q);
}

int main(int argc, char **argv)
{
	CHECK_INIT(argc, argv);
	RUN_GUARDED(test_pool_start_returns_with_every_worker_running, 30);
	RUN_GUARDED(test_pool_with_zero_threads_starts_four, 30);
	RUN_GUARDED(test_pool_start_refuses_missing_run_callback, 30);
	RUN_GUARDED(test_pool_runs_every_item_exactly_once_across_workers, 120);
	RUN_GUARDED(test_pool_free_calls_thread_stop_once_per_worker_with_its_state, 30);
	RUN_GUARDED(test_pool_free_with_empty_queue_returns_promptly, 30);
	RUN_GUARDED(test_pool_free_runs_items_queued_before_it, 30);
	RUN_GUARDED(test_pool_runs_items_without_thread_hooks, 30);
	return CHECK_EXIT();
}
