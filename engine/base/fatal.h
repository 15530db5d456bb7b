/*
 * fatal: the last line of a process about to die (out of memory, a second
 * Ctrl-C), written where it will be read. While the machine log is on
 * (engine/output/eventlog.h), fd 2 is a pipe whose reader thread dies with
 * the process, so such a line goes straight to the real stderr instead,
 * as a "message" event of level "error" when the log is JSON: every line
 * still parses.
 *
 * fatal_write is async-signal-safe and takes no lock; what it reads,
 * fatal_set_fd and fatal_set_run store atomically (main thread: the log's
 * start and stop, a run's start, which sets the id once), so any thread
 * may call fatal_write at any time.
 */
#ifndef RHIZOME_FATAL_H
#define RHIZOME_FATAL_H

/* Where fatal_write goes: `fd`, as JSON events of that log_version when
 * `json_log_version` > 0, else as text. The default is fd 2, text. */
void fatal_set_fd(int fd, int json_log_version);

/* The run id a JSON line carries (copied; at most 63 bytes kept). */
void fatal_set_run(const char *run_id);

/* Write `msg` (plain ASCII without quotes or backslashes, no newline) as
 * one line, in one write(2). */
void fatal_write(const char *msg);

#endif
