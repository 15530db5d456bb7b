/*
 * progress: what a run says on stderr while it works.
 *
 * On a terminal, one live bar: the tables done of all, environments done,
 * elapsed time, tables per second and an estimate of the time left, cut
 * to the terminal's width (read again on SIGWINCH: progress_note_resize) so a
 * redraw never wraps, at most ten times a second and at least every half
 * second (progress_tick) so the clock moves while a slow server answers.
 * Lines printed above it (an environment done, a warning) are wrapped at
 * the same width. Otherwise (a log, a scheduler) one line per environment
 * as it finishes, never wrapped. --progress picks either, or none; quiet
 * mode says nothing; under --log-format json (engine/output/eventlog.h),
 * events: progress at each tenth of the tables, env_end per environment.
 * Nothing here fails or allocates (but the events and wrapped lines): a
 * write to stderr that fails is not worth stopping a run for. Not
 * thread-safe: the engine calls every function but progress_now() and
 * progress_note_resize() under its own lock.
 */
#ifndef RHIZOME_PROGRESS_H
#define RHIZOME_PROGRESS_H

#include <stddef.h>

#include "engine/schema/classify.h"

enum progress_mode { PROGRESS_QUIET, PROGRESS_LINES, PROGRESS_BAR,
		     PROGRESS_EVENTS };

/* What the user asked for (--progress): auto is a bar when stderr is a
 * terminal, else lines. */
enum progress_choice { PROGRESS_AUTO, PROGRESS_WANT_BAR, PROGRESS_WANT_LINES,
		       PROGRESS_WANT_NONE };

struct progress {
	enum progress_mode mode;
	size_t total_tables, done_tables;
	size_t total_envs, done_envs;
	double started;         /* monotonic seconds at progress_init */
	double last_draw;       /* monotonic seconds of the last redraw */
	unsigned width;         /* bar: the terminal's columns */
	int drawn;              /* a bar is on screen */
	unsigned drawn_len;     /* ... this many columns of it */
	int finished;           /* progress_finish: no more bar */
	int resize_pending;     /* atomic: progress_note_resize's */
	int quiet;              /* events: no progress event */
	unsigned last_tenth;    /* events: the last tenth told */
	/* a bulk export (progress_bulk): rows and bytes written so far,
	 * which the bar and the lines show with their rates instead of
	 * the environments and the estimate */
	int bulk;
	unsigned long long rows, bytes;
	double last_line;       /* lines: the last rows line, monotonic */
};

/* Pick the mode from `quiet`, `choice` and whether stderr is a terminal
 * (under the machine log: events, whatever the choice; none or quiet
 * leave out the progress events). The caller owns *p (no resources to
 * release). */
void progress_init(struct progress *p, int quiet, enum progress_choice choice,
		   size_t tables, size_t envs);

/* An environment's lookup found it has `now` tables to fetch where
 * `before` were counted. */
void progress_add_tables(struct progress *p, size_t now, size_t before);

/* `n` more tables are done. */
void progress_tables(struct progress *p, size_t n);

/* The run is a bulk export: say rows and bytes (progress_rows), and,
 * in lines mode, a line of them every ten seconds. */
void progress_bulk(struct progress *p);
/* `rows` more rows, `bytes` more bytes written. */
void progress_rows(struct progress *p, unsigned long long rows,
		   unsigned long long bytes);
/* "12.3 MB", "980 kB", "512 B": `bytes` for a person, in buf. */
void progress_bytes(char *buf, size_t size, double bytes);

/* An environment finished: counts per class, wall time in seconds, and its
 * first error (NULL if none) so a log shows why without --verbose. Strings
 * are borrowed for the call. */
void progress_env_done(struct progress *p, const char *env,
		       const unsigned counts[CLASS_COUNT], double seconds,
		       const char *first_error);

/* Print a log line (an error, a warning; borrowed) without tearing the
 * bar. */
void progress_log(struct progress *p, const char *line);

/* Redraw the bar when it has not been for half a second (or not yet at
 * all), at the new width after a resize: the elapsed time and the estimate
 * move on while no table finishes. The deadline keeper calls it ten times
 * a second. */
void progress_tick(struct progress *p);

/* The terminal changed size (SIGWINCH). Thread-safe, without the
 * engine's lock (the signal watcher must never wait for it: a second
 * Ctrl-C has to get through): the next progress_tick reads the new width
 * and redraws. */
void progress_note_resize(struct progress *p);

/* The bar takes at most this many columns: a wider one says nothing more,
 * and a shorter one is less often wrapped by a terminal that shrinks. */
#define PROGRESS_MAX_WIDTH 80

/*
 * The bar's text for `width` columns (at most width - 1 bytes, and
 * PROGRESS_MAX_WIDTH - 1, all ASCII, so it never reaches the last
 * column), `now` seconds after the start. What does not fit goes, in
 * this order: the words ("tables", "tables/s" becomes "/s"), the elapsed
 * time and the rate, the environments, then the bar itself, then the
 * estimate; the count stays (cut, on a terminal narrower than it).
 * Exposed for the unit tests.
 */
void progress_format(const struct progress *p, double now, unsigned width,
		     char *buf, size_t size);

/* Clear the bar at the end of the run. */
void progress_finish(struct progress *p);

/* Monotonic clock in seconds. Thread-safe. */
double progress_now(void);

#endif
