/*
 * The run's signal watcher. SIGINT and SIGTERM are blocked in every thread
 * (main blocks them before any thread exists), so this thread alone takes
 * them, through sigwait(): it cancels the run, stops the schedule and shuts
 * down the sockets in use, so blocked queries return at once, and starts
 * one thread per environment that kills on the server what those
 * connections were running (connpool_kill_queries), so the watcher stays
 * free for a second signal. SIGUSR1 from the main thread tells it the run
 * is over. SIGWINCH (blocked too) tells the progress bar the terminal's
 * width changed.
 */
#include "engine/commands/sync_int.h"

#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include "engine/base/alloc.h"
#include "engine/base/fatal.h"

static void *kill_queries(void *arg)
{
	mysql_thread_init();
	(void)connpool_kill_queries(arg);
	mysql_thread_end();
	return NULL;
}

static void *watch_signals(void *arg)
{
	struct run *r = arg;
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
			/* no lock here: see the SIGINT count below */
			progress_note_resize(&r->progress);
			continue;
		}
		if (sig == SIGUSR1) {
			pthread_mutex_lock(&r->lock);
			over = r->over;
			pthread_mutex_unlock(&r->lock);
			if (over)
				return NULL;
			continue; /* somebody else's SIGUSR1 */
		}
		/* Counted before taking the lock: a worker stuck writing to a
		 * stalled stderr while holding it must not make a second
		 * Ctrl-C useless. The user insists: leave now. Temporaries
		 * are swept by the next run, the lock dies with the process.
		 * (The one exit outside main, and the reason for it.) */
		if (__atomic_add_fetch(&r->signals, 1, __ATOMIC_SEQ_CST) > 1) {
			fatal_write("rhizome: interrupted again, exiting at once");
			_exit(128 + sig);
		}
		pthread_mutex_lock(&r->lock);
		r->cancel_signal = sig;
		schedule_stop(&r->schedule);
		progress_log(&r->progress, sig == SIGINT
			     ? "rhizome: interrupted (SIGINT), stopping"
			     : "rhizome: terminated (SIGTERM), stopping");
		pthread_cond_broadcast(&r->idle);
		pthread_mutex_unlock(&r->lock);
		for (i = 0; i < r->nenvs; i++)
			connpool_interrupt(r->envs[i].pool);
		/* In parallel: each is a connect and a round trip. A thread
		 * that cannot start leaves its queries to the server's own
		 * limits. Under the lock, and not once the run is over:
		 * sync_signals_stop takes the list from there. */
		pthread_mutex_lock(&r->lock);
		if (!r->over) {
			r->killers = xcalloc(r->nenvs, sizeof(*r->killers));
			for (i = 0; i < r->nenvs; i++)
				if (pthread_create(&r->killers[r->nkillers], NULL,
						   kill_queries, r->envs[i].pool) == 0)
					r->nkillers++;
		}
		pthread_mutex_unlock(&r->lock);
	}
}

int sync_signals_start(struct run *r, pthread_t *watcher)
{
	return -pthread_create(watcher, NULL, watch_signals, r);
}

void sync_signals_stop(struct run *r, pthread_t watcher)
{
	pthread_t *killers;
	size_t n;

	pthread_mutex_lock(&r->lock);
	r->over = 1;
	killers = r->killers;
	n = r->nkillers;
	r->killers = NULL;
	r->nkillers = 0;
	pthread_mutex_unlock(&r->lock);
	/* The killers first, while the watcher still takes a second signal
	 * (which exits at once). */
	while (n > 0)
		pthread_join(killers[--n], NULL);
	free(killers);
	pthread_kill(watcher, SIGUSR1);
	pthread_join(watcher, NULL);
}
