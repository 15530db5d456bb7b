/*
 * The signal watcher and the deadline keeper (runguard.h says what each
 * does and why).
 */
#include "engine/commands/runguard.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include "engine/base/alloc.h"
#include "engine/base/clock.h"
#include "engine/base/fatal.h"

#define TICK 0.1 /* seconds */

static void *kill_queries(void *arg)
{
	mysql_thread_init();
	(void)connpool_kill_queries(arg);
	mysql_thread_end();
	return NULL;
}

static void *watch_signals(void *arg)
{
	struct runguard *g = arg;
	sigset_t set;
	size_t i;
	int sig, over;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGWINCH);
	for (;;) {
		if (sigwait(&set, &sig) != 0)
			continue;
		if (sig == SIGWINCH) {
			if (g->ops->resize != NULL)
				g->ops->resize(g->ctx);
			continue;
		}
		if (sig == SIGUSR1) {
			pthread_mutex_lock(g->lock);
			over = g->over;
			pthread_mutex_unlock(g->lock);
			if (over)
				return NULL;
			continue; /* somebody else's SIGUSR1 */
		}
		/* Counted before taking the lock: a worker stuck writing to a
		 * stalled stderr while holding it must not make a second
		 * Ctrl-C useless. The user insists: leave now. Temporaries
		 * are swept by the next run, the lock dies with the process.
		 * (The one exit outside main, and the reason for it.) */
		if (__atomic_add_fetch(&g->signals, 1, __ATOMIC_SEQ_CST) > 1) {
			fatal_write("rhizome: interrupted again, exiting at once");
			_exit(128 + sig);
		}
		pthread_mutex_lock(g->lock);
		g->ops->cancel(g->ctx, sig);
		pthread_mutex_unlock(g->lock);
		for (i = 0; i < g->npools; i++)
			connpool_interrupt(g->pools[i]);
		/* In parallel: each is a connect and a round trip. A thread
		 * that cannot start leaves its queries to the server's own
		 * limits. Under the lock, and not once the run is over:
		 * runguard_stop takes the list from there. */
		pthread_mutex_lock(g->lock);
		if (!g->over) {
			g->killers = xcalloc(g->npools ? g->npools : 1,
					     sizeof(*g->killers));
			for (i = 0; i < g->npools; i++)
				if (pthread_create(&g->killers[g->nkillers], NULL,
						   kill_queries, g->pools[i]) == 0)
					g->nkillers++;
		}
		pthread_mutex_unlock(g->lock);
	}
}

static void *keep_deadlines(void *arg)
{
	struct runguard *g = arg;
	struct timespec until;
	size_t i;
	int over;

	mysql_thread_init(); /* the kills' connections */
	for (;;) {
		pthread_mutex_lock(g->lock);
		until = clock_realtime_after(TICK); /* g->tick's clock */
		if (!g->deadlines_over)
			(void)pthread_cond_timedwait(&g->tick, g->lock, &until);
		over = g->deadlines_over;
		if (!over && g->ops->tick != NULL)
			g->ops->tick(g->ctx);
		pthread_mutex_unlock(g->lock);
		if (over) {
			mysql_thread_end();
			return NULL;
		}
		/* outside the caller's lock: a pool's lock, then a kill's
		 * round trip */
		for (i = 0; i < g->npools; i++)
			(void)connpool_enforce_deadlines(g->pools[i],
							 clock_seconds());
	}
}

int runguard_start(struct runguard *g)
{
	int rc;

	pthread_cond_init(&g->tick, NULL);
	/* The watcher first: signals stay blocked in every thread, so
	 * without it the run could not be interrupted at all. */
	rc = pthread_create(&g->watcher, NULL, watch_signals, g);
	if (rc != 0) {
		pthread_cond_destroy(&g->tick);
		return -rc;
	}
	g->watcher_started = 1;
	rc = pthread_create(&g->keeper, NULL, keep_deadlines, g);
	if (rc != 0) {
		runguard_stop(g);
		return -rc;
	}
	g->keeper_started = 1;
	return 0;
}

void runguard_stop(struct runguard *g)
{
	pthread_t *killers;
	size_t n;

	if (g->keeper_started) {
		pthread_mutex_lock(g->lock);
		g->deadlines_over = 1;
		pthread_cond_broadcast(&g->tick);
		pthread_mutex_unlock(g->lock);
		pthread_join(g->keeper, NULL);
		g->keeper_started = 0;
	}
	if (!g->watcher_started)
		return;
	pthread_mutex_lock(g->lock);
	g->over = 1;
	killers = g->killers;
	n = g->nkillers;
	g->killers = NULL;
	g->nkillers = 0;
	pthread_mutex_unlock(g->lock);
	/* The killers first, while the watcher still takes a second signal
	 * (which exits at once). */
	while (n > 0)
		pthread_join(killers[--n], NULL);
	free(killers);
	pthread_kill(g->watcher, SIGUSR1);
	pthread_join(g->watcher, NULL);
	g->watcher_started = 0;
	pthread_cond_destroy(&g->tick);
}
