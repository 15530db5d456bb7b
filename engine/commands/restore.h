/*
 * restore: `rhizome history restore RUN_ID`, the plain snapshots written
 * back as a published run left them, from its history (no server).
 *
 * Each table line of the run that says what its plain file held (new,
 * unchanged, trivial, significant: the fetched body; removed: no file),
 * and each table its manifest lists as missing (no file), is applied: the file is written (atomically) where it differs, removed
 * where the run removed it. Lines that say nothing of the file (empty,
 * error) are skipped. The restore is itself a run: its history holds what
 * it wrote and the text of what it removed, its manifest says
 * `"command": "restore"`, `"restored_from"` and `"kind"`, so restoring the
 * run before it undoes it. Out of memory aborts (engine/base/alloc.h).
 */
#ifndef RHIZOME_RESTORE_H
#define RHIZOME_RESTORE_H

#include <time.h>

#include <jansson.h>

#include "engine/commands/sync.h"
#include "engine/store/runlog.h"
#include "environments/config.h"

struct restore_opts {
	const struct fleet_config *cfg;
	const struct env_config *const *envs;  /* the environments to restore
						* (each covered by the run) */
	size_t nenvs;
	const char *const *tables;      /* only these (ntables 0: all) */
	size_t ntables;
	const char *out;                /* snapshot root, as the user sees it */
	const char *history;            /* the history folder */
	const struct runlog_entry *from; /* the run to restore */
	const char *run_id;             /* this restore's own run id */
	struct timespec started;
	int dry_run;                    /* say, write nothing, record nothing */
};

/*
 * Restore. *summary gets the summary (a new reference, never NULL):
 * {"command": "restore", "run_id", "restored_from", "kind", "dry_run",
 *  "new_count", "significant_count", "trivial_count", "unchanged_count",
 *  "removed_count", "error_count", "new": [PATH], "significant",
 *  "trivial", "unchanged", "removed": [{"env", "table", "path"}],
 *  "errors": [{"env", "table"?, "code": 0, "message"}],
 *  "not_in_run": [the --table names no restored environment's line has,
 *  also warned on stderr], "history": PATH}.
 * Returns SYNC_DONE, SYNC_PARTIAL (an environment's history unreadable:
 * nothing of it restored; the rest is), or SYNC_IO_FAILED (a write
 * failed: the restore stops there; what it applied stays, whole, and is
 * recorded as the run, so it can be undone). A line that names no listed
 * table, or whose body is not its sha256's, makes its environment's
 * history unreadable: nothing outside the table lists is ever written.
 * The caller holds the lock unless dry_run. Main thread.
 */
enum sync_outcome restore_run(const struct restore_opts *o, json_t **summary);

#endif
