/*
 * pool: a fixed set of pthreads that take items from a queue and run them.
 *
 * The pool knows nothing of what an item is: the caller supplies `run`, and
 * optional per-thread `thread_start`/`thread_stop` hooks for state a worker
 * owns for its whole life (a connection, a compression context, buffers, or
 * a library's per-thread cleanup such as mysql_thread_end()).
 * Workers stop when the queue is closed and drained.
 */
#ifndef RHIZOME_POOL_H
#define RHIZOME_POOL_H

#include <stddef.h>

#include "queue/queue.h"

typedef struct pool pool;

/* Workers when pool_opts.threads is 0. */
#define POOL_DEFAULT_THREADS 4

struct pool_opts {
	size_t threads;                    /* 0 = POOL_DEFAULT_THREADS */
	void *ctx;                         /* passed to every callback */
	/* Runs first on each worker thread; its result is that thread's state. */
	void *(*thread_start)(void *ctx);
	/* Runs one item on a worker thread. Required. */
	void (*run)(void *item, void *thread_state, void *ctx);
	/* Runs last on each worker thread, after its final item. */
	void (*thread_stop)(void *thread_state, void *ctx);
};

/*
 * Start opts->threads workers popping from `q` (borrowed: it must outlive the
 * pool; *opts is copied). Returns once every worker runs; the caller owns the
 * pool (pool_free). Out of memory aborts (engine/base/alloc.h). When a
 * thread cannot be created, returns NULL with no thread left running and
 * `q` closed (that is how the threads that did start were stopped); NULL
 * too when `q`, `opts` or opts->run is NULL. Call from one controlling
 * thread.
 */
pool *pool_start(queue *q, const struct pool_opts *opts);

/*
 * Close the queue, let the workers drain it, join them and free the pool.
 * NULL is a no-op. Call from the thread that started the pool.
 */
void pool_free(pool *p);

/* Number of worker threads. Thread-safe (immutable). */
size_t pool_threads(const pool *p);

#endif
