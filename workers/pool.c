/*
 * Each worker loops on queue_pop() until the queue is closed and drained, so
 * shutting down is "close the queue, join": work already queued still runs,
 * and callers that want to abandon it make their `run` return early.
 * pool_start() waits on a counter until every thread has entered its loop,
 * so a caller never races a half-started pool.
 */
#include "workers/pool.h"

#include <pthread.h>
#include <stdlib.h>

#include "engine/base/alloc.h"

struct pool {
	queue *q;                  /* borrowed */
	struct pool_opts opts;     /* immutable after start; threads resolved */
	pthread_t *threads;        /* owned by the controlling thread */
	size_t nthreads;           /* controlling thread only: threads created */
	pthread_mutex_t lock;
	pthread_cond_t started_cond;
	size_t started;            /* guarded by lock */
};

static void *worker_main(void *arg)
{
	pool *p = arg;
	void *state = NULL;
	void *item;

	if (p->opts.thread_start != NULL)
		state = p->opts.thread_start(p->opts.ctx);

	pthread_mutex_lock(&p->lock);
	p->started++;
	pthread_cond_broadcast(&p->started_cond);
	pthread_mutex_unlock(&p->lock);

	while (queue_pop(p->q, &item) == 0)
		p->opts.run(item, state, p->opts.ctx);

	if (p->opts.thread_stop != NULL)
		p->opts.thread_stop(state, p->opts.ctx);
	return NULL;
}

static void join_all(pool *p)
{
	size_t i;

	queue_close(p->q);
	for (i = 0; i < p->nthreads; i++)
		pthread_join(p->threads[i], NULL);
	p->nthreads = 0;
}

static void destroy(pool *p)
{
	pthread_cond_destroy(&p->started_cond);
	pthread_mutex_destroy(&p->lock);
	free(p->threads);
	free(p);
}

pool *pool_start(queue *q, const struct pool_opts *opts)
{
	pool *p;
	size_t want, i;

	if (q == NULL || opts == NULL || opts->run == NULL)
		return NULL;
	want = opts->threads ? opts->threads : POOL_DEFAULT_THREADS;
	p = xcalloc(1, sizeof(*p));
	p->threads = xcalloc(want, sizeof(*p->threads));
	p->q = q;
	p->opts = *opts;
	p->opts.threads = want;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->started_cond, NULL);

	for (i = 0; i < want; i++) {
		if (pthread_create(&p->threads[i], NULL, worker_main, p) != 0) {
			/* Closing the queue ends the threads that did start. */
			join_all(p);
			destroy(p);
			return NULL;
		}
		p->nthreads++;
	}

	pthread_mutex_lock(&p->lock);
	while (p->started < p->nthreads)
		pthread_cond_wait(&p->started_cond, &p->lock);
	pthread_mutex_unlock(&p->lock);
	return p;
}

void pool_free(pool *p)
{
	if (p == NULL)
		return;
	join_all(p);
	destroy(p);
}

size_t pool_threads(const pool *p)
{
	return p->opts.threads;
}
