/*
 * error: the one error convention, for every module under engine/,
 * environments/, queue/ and workers/. Nothing to link: the rules, and the
 * enum they lean on.
 *
 * - A function that can fail returns 0 or a negative errno code (-ENOENT,
 *   -EIO, -EWOULDBLOCK). What the caller must show beyond that (a server's
 *   error number and message, a config file's line and key) travels in one
 *   error struct the caller passes in: struct connpool_error, struct
 *   config_error. pthread functions return their error (they do not set
 *   errno): negate it.
 * - A constructor that can only fail for want of memory returns the object;
 *   one that can fail for a reason the caller must tell apart returns 0 or
 *   -errno and hands the object out through its last parameter
 *   (snapshot_lock, history_open).
 * - Three outcomes that are all real are a named enum (enum fetch_outcome,
 *   enum sync_outcome, enum cli_parsed), never 0/1/-1.
 * - Out of memory aborts, through engine/base/alloc.h (xmalloc and kin;
 *   jansson is given them too, in main): no module checks its own
 *   allocations by hand. Only a library that allocates by itself (zstd's
 *   contexts) can still fail with -ENOMEM, which is then passed on.
 * - Only the command line (engine/cli/) knows exit statuses
 *   (engine/cli/exit.h), and only main() exits. (One exception, with its
 *   reason beside it: a second SIGINT exits at once, from the signal
 *   watcher.)
 * - Copy mysql_errno()/mysql_error() at once, on the thread that owns the
 *   handle (connpool_error_capture); check every library result
 *   (ZSTD_isError, libcrypto's returns).
 */
#ifndef RHIZOME_ERROR_H
#define RHIZOME_ERROR_H

#endif
