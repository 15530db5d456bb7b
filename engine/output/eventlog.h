/*
 * eventlog: `--log-format json`, stderr as a machine log: NDJSON, one
 * object per line, each with
 *   "ts" (UTC, ISO 8601 with milliseconds), "log_version" (EVENTLOG_VERSION:
 *   raised when a field changes meaning or goes away; new fields and events
 *   may come without it), "run_id" (null before a run has one), "event",
 * and the event's own fields. The events (README: Running on a schedule):
 *   run_start   {command, environments, tables (null: a list has globs),
 *               workers}
 *   env_start   {env, folder, database, tables (null: its list has globs)}
 *   env_tables  {env, tables}: a list with globs expanded by the lookup
 *   retry       {env, table, attempt, code, message, reason}
 *   table_error {env, table, code, message, attempts, unreached}
 *   progress    {percent, tables_done, tables, environments_done}
 *   env_end     {env, outcome: "done"|"failed", seconds, counts, first_error}
 *   message     {level: "error"|"warning"|"info", message}: any other
 *               line written to stderr, wrapped (so every line parses)
 *   run_end     {exit_code}
 *
 * While it runs, file descriptor 2 is a pipe read by a thread of its own
 * that wraps each line written there (by rhizome, by a library) as a
 * "message" event; events and wrapped lines reach the real stderr whole,
 * one write() each. Start it on the main thread before any other thread
 * exists or with SIGINT/SIGTERM blocked (the reader inherits the mask),
 * stop it before exit so the last lines are out. Everything else here is
 * thread-safe. Out of memory aborts (engine/base/alloc.h).
 */
#ifndef RHIZOME_EVENTLOG_H
#define RHIZOME_EVENTLOG_H

#include <jansson.h>

#define EVENTLOG_VERSION 2 /* 2: run_start and env_start "tables" null while a glob is not expanded */

/* Turn the machine log on. 0, or -errno (the log stays text) when the
 * pipe or the thread cannot be made. */
int eventlog_start(void);

/* Flush stderr, let the reader wrap what is left, stop it and give fd 2
 * back. No-op when the log is off. */
void eventlog_stop(void);

/* Whether the machine log is on. */
int eventlog_on(void);

/* The run id every later event carries (copied). */
void eventlog_set_run(const char *run_id);

/* Write one event: `fields` (an object, stolen; NULL: none) plus the
 * common fields. Does nothing but release `fields` when the log is off. */
void eventlog_emit(const char *event, json_t *fields);

#endif
