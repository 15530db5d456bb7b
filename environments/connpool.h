/*
 * connpool: the connections of one environment, shared by the worker threads.
 *
 * At most env->pool connections exist at once. They are opened lazily, on
 * the first acquire that finds none idle, and reused across jobs. Every
 * connection has connect/read/write timeouts set, libmariadb's auto-reconnect
 * off (a silent reconnect would lose session state mid-batch), the session
 * settings in its init command, the environment's TLS settings, and
 * multi-statements on. A connection that failed is closed on release, never
 * handed out again.
 *
 * Until one connection has logged in, connects go one at a time: a wrong
 * password is one attempt, not one per slot. A connect failure with no
 * connection open (after env->retries more tries with backoff, when it may
 * pass: nothing listening, no answer, the server full) makes the pool
 * dead: it remembers the error and fails later acquires at once, so a dead
 * environment costs its connect attempts once per run, not once per job,
 * and never holds workers that others could use. A failure while other
 * connections are open lowers the pool's size instead (a server refusing
 * more than it serves).
 *
 * A MYSQL handle is used by one thread at a time: the one that acquired it.
 */
#ifndef RHIZOME_CONNPOOL_H
#define RHIZOME_CONNPOOL_H

#include <mysql.h>

#include "environments/config.h"

typedef struct connpool connpool;

/* A server or client error, copied off the handle by the thread owning it. */
struct connpool_error {
	unsigned code;          /* mysql_errno(), or 0 */
	char sqlstate[6];
	char message[512];
};

/* Copy the error of `m` into *err (the caller's). Call on the thread that
 * owns `m`. */
void connpool_error_capture(struct connpool_error *err, MYSQL *m);

/*
 * Create the pool for `env` (borrowed; must outlive the pool), whose
 * connections must meet `tls` (config_tls_effective: from required up, a
 * connection without TLS is refused, error 2026, before logging in when the
 * server's greeting already shows it offers none); the caller owns the
 * result (connpool_free). No connection is opened here. Never
 * NULL: out of memory aborts (engine/base/alloc.h), and a process out of
 * descriptors gets a pool whose interrupt cannot cut a connect short (its
 * connects fail for want of descriptors anyway). Requires
 * mysql_library_init() to have run. Call from the main thread.
 */
connpool *connpool_new(const struct env_config *env, enum tls_mode tls);

/*
 * Connections opened from now on offer LOAD DATA LOCAL INFILE to the
 * server (CLIENT_LOCAL_FILES). Every connection refuses a request for a
 * local file (localinfile.h) until its owner serves one for a statement
 * of its own. Call from the main thread before the first acquire.
 */
void connpool_offer_local_data(connpool *p);

/* Close every idle connection and free the pool. All connections must have
 * been released. NULL is a no-op. Call from the main thread, after the
 * workers stopped. */
void connpool_free(connpool *p);

/*
 * Take a connection: an idle one, else a new one if fewer than env->pool
 * exist (and, before the first login, none is being opened, or the link is
 * slow: see the top), else wait for a release. On success returns 0, stores
 * the handle in *out and sets *reused to 1 when it had served an earlier
 * job. On failure *out is NULL and *err filled: -ENOTCONN when the
 * environment could not be reached: no connection of the pool ever logged
 * in (*err is the connect's error, now or for a dead pool earlier);
 * -ECONNABORTED when it was reached earlier in the run but now no
 * connection can be opened (a server restarting: *err says why);
 * -ECANCELED when the pool was interrupted (*err says "interrupted", or the
 * connect error the interrupt cut short). Waits at most about a connect
 * timeout for another connect's login. Thread-safe; the handle then belongs
 * to the calling thread until released.
 */
int connpool_acquire(connpool *p, MYSQL **out, int *reused,
		     struct connpool_error *err);

/*
 * Give a connection back (NULL is a no-op); it is the pool's again. `broken`
 * nonzero closes it (after an error that may have left it mid-protocol), so
 * it is never reused. Thread-safe.
 */
void connpool_release(connpool *p, MYSQL *m, int broken);

/*
 * Interrupt: shut down the sockets of connections in use, so a blocked
 * query returns at once with an error, and fail every later acquire.
 * Thread-safe; async-signal-unsafe (call it from a normal thread).
 */
void connpool_interrupt(connpool *p);

/*
 * The round trips `m` makes from now may run until `deadline`
 * (clock_seconds(); 0: no limit), a wall-clock bound that holds against a
 * server trickling its answer (read-timeout only bounds each wait). Call
 * on the thread owning `m`, between acquire and release.
 */
void connpool_set_deadline(connpool *p, MYSQL *m, double deadline);

/*
 * Cut off every connection in use that is past its deadline at `now`: its
 * socket is shut down, so the read blocked on it returns at once with an
 * error, and its query is killed on the server (connpool_kill_queries).
 * Such a connection is closed on release. Returns how many were cut off.
 * Blocking (the kill); call from one thread that is not a worker.
 */
int connpool_enforce_deadlines(connpool *p, double now);

/* Whether `m` was cut off at its deadline (the error its round trip ended
 * with is then the deadline's). Call on the thread owning `m`, before
 * releasing it. */
int connpool_expired(connpool *p, MYSQL *m);

/*
 * After connpool_interrupt: stop on the server what the interrupted
 * connections were running (KILL QUERY), so no query of ours runs on after
 * rhizome: a server that never hears the client go (a lost network path)
 * would run it, or wait for its lock, to the end. Over an idle connection
 * of the pool when there is one, else over a control connection opened
 * with the environment's settings and checked as the pool's are (TLS),
 * within 2 s. Statements of connections closed earlier as broken (after a
 * read timeout) are not among them: the server's own limits end those
 * (connpool_session_sql). Returns 0 (also when nothing ran), -ENOTCONN
 * when no control connection could be opened, -EIO when it failed.
 * Blocking; call from a thread that is not a worker, after the interrupt
 * (connpool_enforce_deadlines calls it for the connections it cut off).
 */
int connpool_kill_queries(connpool *p);

/*
 * The session's settings, as one SET statement for the connection `m` of
 * this pool (borrowed: valid while the pool lives). Every session starts
 * with them in its init command (MYSQL_INIT_COMMAND), so a connection the
 * library opens again carries them too: TIMESTAMPs in UTC whatever the
 * server's zone; no SQL mode that changes what SHOW CREATE TABLE or a
 * SELECT prints (ANSI_QUOTES, PAD_CHAR_TO_FULL_LENGTH, ORACLE...); lock
 * waits of lock-wait-timeout (the server's defaults: a day for metadata
 * locks, 50 s for rows), so a LOCK TABLES or an ALTER elsewhere costs one
 * table a short 1205, not the batch a read timeout (never longer than the
 * statement limit below). What this returns adds the server's own
 * statement limit a second below read-timeout (max_statement_time on
 * MariaDB >= 10.1, every statement; max_execution_time on MySQL >= 5.7.8,
 * SELECTs only; they differ, so the init command cannot hold it), so the
 * server gives up before the client does. The limit covers a statement's
 * whole run, sending its rows included. Call on the thread owning `m`.
 */
const char *connpool_session_sql(connpool *p, MYSQL *m);

#endif
