/*
 * runs: `rhizome history list`, `history show` and `history prune` (and
 * the pruning after a successful run), over the runs of a history folder
 * (engine/store/runlog.h). Files only. Out of memory aborts
 * (engine/base/alloc.h). Call from one thread.
 */
#ifndef RHIZOME_RUNS_H
#define RHIZOME_RUNS_H

#include <stdio.h>

#include <jansson.h>

#include "engine/store/runlog.h"

/*
 * history list: {"history": PATH, "runs": [{"run_id", "command",
 * "started_at", "finished_at", "environments": [NAME...], "counts": {...}
 * (summed), "errors": N, "outcome": "ok"|"partial"|"failed"|"unreadable"}]},
 * oldest first, only runs covering one of envs[0..nenvs) (nenvs 0: all)
 * and of `command` (NULL: any). A new reference.
 */
json_t *runs_list(const struct runlog *l, const char *hist,
		  const char *const *envs, size_t nenvs, const char *command);
int runs_list_text(json_t *list, FILE *fp);

/*
 * history show: the run's manifest, plus "tables": per environment the
 * lines its history holds, without bodies ({"table", "kind", "status",
 * "sha256"} or the error), and "unreadable": {ENV: why} for frames that
 * cannot be read. A new reference.
 */
json_t *runs_show(const struct runlog_entry *r, const char *hist);
int runs_show_text(json_t *shown, FILE *fp);

/*
 * Prune: remove (unless dry_run) the runs runlog_plan_prune does not keep,
 * given keep_newest (0: no count limit) and not_before (epoch seconds, 0:
 * no age limit). Returns {"removed": [RUN_ID...], "kept": N, "dry_run":
 * bool} (a new reference); on a removal that fails, stops, sets *err to
 * its -errno and says so on stderr naming the run. Needs the lock.
 */
json_t *runs_prune(const struct runlog *l, const char *hist, size_t keep_newest,
		   double not_before, int dry_run, int *err);
int runs_prune_text(json_t *pruned, FILE *fp);

#endif
