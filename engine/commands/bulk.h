/*
 * bulk: `rhizome sync data --all`, every row of the chosen tables of the
 * selected environments, streamed into compressed chunks under
 * {out}/.bulk (engine/store/bulkdir.h), resumable, and loadable by
 * `rhizome load --bulk`.
 *
 * How a run flows (bulk_int.h has the threads and locks):
 *
 *   per environment, a plan job: the tables and their keys (one round
 *     trip: fetch_lookup), then, in one more, each table's Create Table
 *     text and, for a one-column integer key, its range, which cuts the
 *     table into parts (at most one per worker, at least chunk-rows of
 *     key values each); an interrupted export of the table is continued
 *     (--resume) from its manifest instead, after the chunks whose files
 *     still have their digests.
 *   per part, a part job: the chunks in key order, each one statement
 *     (bulksql.h) read row by row (mysql_use_result: memory is a chunk's
 *     JSON lines, whatever the table's size), written as a chunk file and
 *     then recorded in the table's manifest. A table without a key is one
 *     part read in one pass, cut into chunks as its rows arrive. The last
 *     part to finish publishes the table's export under its final name.
 *
 * A keyed chunk is one statement, so it sees one state of the table; the
 * export as a whole is not one snapshot of it: rows written while it runs
 * may be in it or not (as with mydumper without its locks). Every round
 * trip is bounded by query-timeout (a chunk of the one-pass read too),
 * and a lost connection or a transient server error retries the chunk on
 * a new connection, up to the environment's `retries`.
 */
#ifndef RHIZOME_BULK_H
#define RHIZOME_BULK_H

#include <stddef.h>

#include <jansson.h>

#include "engine/commands/sync.h"
#include "engine/output/progress.h"
#include "environments/config.h"

/* Rows per chunk unless --chunk-rows says otherwise. */
#define BULK_DEFAULT_CHUNK_ROWS 10000u
#define BULK_MAX_CHUNK_ROWS 10000000u

struct bulk_opts {
	const struct fleet_config *cfg;
	const struct env_config *const *envs; /* the selected environments */
	size_t nenvs;
	const enum tls_mode *tls;       /* per environment, as sync_opts */
	const char *out;                /* the snapshot root */
	const char *const *tables;      /* --table, or none: every listed one */
	size_t ntables;
	int resume;                     /* --resume */
	unsigned chunk_rows;            /* 0: BULK_DEFAULT_CHUNK_ROWS */
	unsigned workers;               /* 0: the config's */
	const char *run_id;
	int verbose;
	int quiet;
	enum progress_choice progress;
};

/*
 * Run the export. *summary (a new reference; NULL only when the run
 * could not start, said on stderr) lists every table exported, kept
 * (--resume: already complete), missing or failed, with rows, chunks,
 * bytes and rates. Returns SYNC_DONE, SYNC_PARTIAL (a table or an
 * environment failed: what completed is published), SYNC_IO_FAILED (a
 * local write failed: the run stopped), SYNC_INTERRUPTED or
 * SYNC_TERMINATED (complete chunks stay, for --resume). The caller holds
 * the snapshot root's lock (snapshot.h) and has blocked SIGINT and
 * SIGTERM (as for sync_run). Requires mysql_library_init(). Main thread.
 */
enum sync_outcome bulk_run(const struct bulk_opts *o, json_t **summary);

#endif
