/*
 * The run's deadline keeper: a thread that, ten times a second, cuts off
 * the connections whose round trips ran past their wall-clock deadline
 * (query-timeout, set by the workers: connpool_set_deadline), shutting
 * their sockets and killing their queries on the server
 * (connpool_enforce_deadlines). libmariadb's read timeout is an idle timer:
 * a server trickling its answer never trips it. The workers see the cut
 * as an error on their blocked read, ask connpool_expired, and say it as a
 * query timeout.
 *
 * A tenth of a second of lateness is nothing next to timeouts counted in
 * seconds, and a thread is simpler than driving every query through the
 * non-blocking API.
 *
 * Its tick also keeps the progress bar's clock moving (progress_tick):
 * the one thread that wakes on time whatever the servers do.
 */
#include "engine/commands/sync_int.h"

#include "engine/base/clock.h"

#define TICK 0.1 /* seconds */

static void *keep_deadlines(void *arg)
{
	struct run *r = arg;
	struct timespec until;
	size_t i;
	int over;

	mysql_thread_init(); /* the kills' connections */
	for (;;) {
		pthread_mutex_lock(&r->lock);
		until = clock_realtime_after(TICK); /* r->tick's clock */
		if (!r->deadlines_over)
			(void)pthread_cond_timedwait(&r->tick, &r->lock, &until);
		over = r->deadlines_over;
		if (!over)
			progress_tick(&r->progress);
		pthread_mutex_unlock(&r->lock);
		if (over) {
			mysql_thread_end();
			return NULL;
		}
		/* outside run->lock: a pool's lock, then a kill's round trip */
		for (i = 0; i < r->nenvs; i++)
			(void)connpool_enforce_deadlines(r->envs[i].pool,
							 clock_seconds());
	}
}

int sync_deadlines_start(struct run *r, pthread_t *keeper)
{
	return -pthread_create(keeper, NULL, keep_deadlines, r);
}

void sync_deadlines_stop(struct run *r, pthread_t keeper)
{
	pthread_mutex_lock(&r->lock);
	r->deadlines_over = 1;
	pthread_cond_broadcast(&r->tick);
	pthread_mutex_unlock(&r->lock);
	pthread_join(keeper, NULL);
}
