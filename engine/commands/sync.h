/*
 * sync: one run of `rhizome sync schema` or `sync data` over the selected
 * environments.
 *
 * The run plans jobs (a batch of tables of one environment each), feeds them
 * to the worker pool through the bounded queue, and collects one result per
 * environment x table. It owns the per-environment connection pools, the
 * run history and the signal watcher for its lifetime.
 */
#ifndef RHIZOME_SYNC_H
#define RHIZOME_SYNC_H

#include <stddef.h>
#include <time.h>

#include <jansson.h>

#include "environments/config.h"
#include "engine/output/progress.h"
#include "engine/schema/schemadiff.h"

/* SYNC_CHECK fetches like SYNC_SCHEMA and compares with the committed
 * snapshots; it writes nothing (the caller sets dry_run too). SYNC_TABLES
 * only looks up each environment's tables (rhizome tables: dry_run too),
 * which its summary lists. */
enum sync_command { SYNC_SCHEMA, SYNC_DATA, SYNC_CHECK, SYNC_TABLES };

struct sync_opts {
	enum sync_command command;
	unsigned rows;          /* data: rows per table (default 1) */
	int rows_array;         /* data: --rows given: write an array */
	int follow_keys;        /* data: --follow-keys (an environment's
				 * follow-keys = yes too) */
	const struct fleet_config *cfg;
	const struct env_config *const *envs; /* the selected environments */
	size_t nenvs;
	const enum tls_mode *tls; /* per selected environment, what its
				   * connections must meet
				   * (config_tls_effective); NULL: as
				   * configured */
	const char *out;        /* snapshot root as the user wrote it */
	const char *history;    /* the history folder (history.h) */
	int keep_removed;       /* a dropped table's plain file stays */
	const char *run_id;
	struct timespec started; /* wall clock the run_id was made from */
	unsigned workers;       /* 0: cfg->workers */
	int dry_run;
	int write_trivial;
	struct diff_opts diff;  /* check: cosmetic noise to ignore */
	int unlisted_drift;     /* check: an unlisted table is drift */
	int verbose;
	int quiet;
	enum progress_choice progress; /* --progress */
};

/* What a run came to, in rising precedence: a run that drifted and had a
 * failure is SYNC_PARTIAL. Only the command line (engine/cli/exit.h) turns
 * this into an exit status. */
enum sync_outcome {
	SYNC_DONE,              /* everything fetched (and written) */
	SYNC_DRIFTED,           /* check, diff: something drifted */
	SYNC_PARTIAL,           /* some table or environment failed */
	SYNC_IO_FAILED,         /* a local write failed: the run stopped */
	SYNC_INTERRUPTED,       /* SIGINT */
	SYNC_TERMINATED,        /* SIGTERM */
};

/*
 * Run the sync. On return *summary holds the SPEC summary object
 * (caller owns it; NULL only when the run could not start, with a message
 * on stderr: then SYNC_IO_FAILED, or SYNC_INTERRUPTED / SYNC_TERMINATED if
 * a signal came first) and the result is what the run came to. SIGINT and SIGTERM must be blocked in the calling
 * thread before the call (main does it first thing), so that only the run's
 * own watcher thread receives them. Call from the main thread.
 */
enum sync_outcome sync_run(const struct sync_opts *o, json_t **summary);

#endif
