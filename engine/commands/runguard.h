/*
 * runguard: the two threads that keep a command talking to servers
 * interruptible and bounded in wall-clock time, whatever the command
 * (sync, load):
 *
 *   the signal watcher: SIGINT and SIGTERM are blocked in every thread
 *     (main blocks them before any thread exists), so this thread alone
 *     takes them, through sigwait(). On the first it tells the command
 *     (ops->cancel), shuts down the sockets in use (connpool_interrupt),
 *     so blocked queries return at once, and starts one thread per pool
 *     that kills on the server what those connections were running
 *     (connpool_kill_queries), so the watcher stays free for a second
 *     signal, which exits at once. SIGWINCH (blocked too) is passed on
 *     (ops->resize); SIGUSR1 from runguard_stop ends it.
 *   the deadline keeper: ten times a second, cuts off the connections
 *     whose round trips ran past their deadline (connpool_set_deadline),
 *     shutting their sockets and killing their queries on the server
 *     (connpool_enforce_deadlines). libmariadb's read timeout is an idle
 *     timer: a server trickling its answer never trips it. A tenth of a
 *     second of lateness is nothing next to timeouts counted in seconds,
 *     and a thread is simpler than driving every query through the
 *     non-blocking API. Its tick also keeps a progress bar's clock moving
 *     (ops->tick): the one thread that wakes on time whatever the servers
 *     do.
 *
 * The caller owns the struct and fills the first part; the rest is the
 * guard's. Its callbacks run with the caller's lock held (but resize):
 * they must not wait for anything.
 */
#ifndef RHIZOME_RUNGUARD_H
#define RHIZOME_RUNGUARD_H

#include <pthread.h>
#include <stddef.h>

#include "environments/connpool.h"

struct runguard_ops {
	/* The first SIGINT or SIGTERM (sig), before the sockets are shut:
	 * stop handing out work, say so, wake whoever waits. Required. */
	void (*cancel)(void *ctx, int sig);
	/* Ten times a second. NULL: nothing to do. */
	void (*tick)(void *ctx);
	/* SIGWINCH, without the lock (the watcher must never wait for it:
	 * a second Ctrl-C has to get through). NULL: ignored. */
	void (*resize)(void *ctx);
};

struct runguard {
	/* the caller's, set before runguard_start, unchanged until
	 * runguard_stop returns */
	pthread_mutex_t *lock;
	connpool *const *pools;         /* borrowed; must outlive the guard */
	size_t npools;
	const struct runguard_ops *ops;
	void *ctx;
	/* the guard's own */
	pthread_t watcher, keeper;
	int watcher_started, keeper_started;
	pthread_cond_t tick;            /* wakes the keeper to stop */
	int over;                       /* guarded by *lock: the watcher may
					 * stop */
	int deadlines_over;             /* guarded by *lock: the keeper may
					 * stop */
	int signals;                    /* atomic: signals received */
	pthread_t *killers;             /* guarded by *lock: the KILL QUERY
					 * threads after a signal */
	size_t nkillers;                /* guarded by *lock */
};

/*
 * Start the watcher, then the keeper. Returns 0, or a negative errno when
 * a thread cannot be created (nothing is left running then). Main thread,
 * once the pools exist.
 */
int runguard_start(struct runguard *g);

/*
 * Stop the keeper, wait for the killers a signal started, stop the
 * watcher. Safe after a failed or no start. Main thread, once, before the
 * pools are freed; the caller must not hold *lock.
 */
void runguard_stop(struct runguard *g);

#endif
