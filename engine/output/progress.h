/*
 * progress: what a run says on stderr while it works.
 *
 * On a terminal, one live bar redrawn at most ten times a second; otherwise
 * (a log, a scheduler) one line per environment as it finishes. Quiet mode
 * says nothing; under --log-format json (engine/output/eventlog.h), events:
 * progress at each tenth of the tables, env_end per environment. Nothing
 * here fails or allocates (but the events): a write to stderr that
 * fails is not worth stopping a run for. Not thread-safe: the engine calls
 * every function but progress_now() under its own lock.
 */
#ifndef RHIZOME_PROGRESS_H
#define RHIZOME_PROGRESS_H

#include <stddef.h>

#include "engine/schema/classify.h"

enum progress_mode { PROGRESS_QUIET, PROGRESS_LINES, PROGRESS_BAR,
		     PROGRESS_EVENTS };

struct progress {
	enum progress_mode mode;
	size_t total_tables, done_tables;
	size_t total_envs, done_envs;
	double last_draw;       /* monotonic seconds of the last redraw */
	int drawn;              /* a bar is on screen */
	int quiet;              /* events: no progress event */
	unsigned last_tenth;    /* events: the last tenth told */
};

/* Pick the mode from `quiet` and whether stderr is a terminal. The caller
 * owns *p (no resources to release). */
void progress_init(struct progress *p, int quiet, size_t tables, size_t envs);

/* An environment's lookup found it has `now` tables to fetch where
 * `before` were counted. */
void progress_add_tables(struct progress *p, size_t now, size_t before);

/* `n` more tables are done. */
void progress_tables(struct progress *p, size_t n);

/* An environment finished: counts per class, wall time in seconds, and its
 * first error (NULL if none) so a log shows why without --verbose. Strings
 * are borrowed for the call. */
void progress_env_done(struct progress *p, const char *env,
		       const unsigned counts[CLASS_COUNT], double seconds,
		       const char *first_error);

/* Print a log line (an error, a warning; borrowed) without tearing the
 * bar. */
void progress_log(struct progress *p, const char *line);

/* Clear the bar at the end of the run. */
void progress_finish(struct progress *p);

/* Monotonic clock in seconds. Thread-safe. */
double progress_now(void);

#endif
