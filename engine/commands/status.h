/*
 * status: `rhizome status`, each environment's last recorded runs and its
 * schema hash, from files only (the history folder and the snapshots): the
 * answer to "when did na_prod last sync, and did it work?", and with
 * --max-age the check a monitor or a scheduler's health probe runs.
 *
 * The history is local (git ignores it), so on a fresh clone no run is
 * recorded: status says so, and the schema hash still works from the
 * snapshot files. Out of memory aborts (engine/base/alloc.h). Call from one
 * thread.
 */
#ifndef RHIZOME_STATUS_H
#define RHIZOME_STATUS_H

#include <stdio.h>

#include <jansson.h>

#include "environments/config.h"

struct status_opts {
	const struct fleet_config *cfg;
	const struct env_config *const *envs;   /* the selected environments */
	size_t nenvs;
	const char *out;        /* snapshot root, as the user sees it */
	const char *history;    /* the history folder (history.h) */
	const char *command;    /* --command: judge only this command's runs
				 * ("schema", "data", "restore"); NULL: the
				 * newest schema or data run */
	double max_age;         /* --max-age in seconds, when max_age_given */
	int max_age_given;
	double now;             /* seconds since the epoch: ages are from here */
};

/*
 * Build the status as one JSON object (a new reference):
 *   {"history": PATH, "recorded": bool (any run there),
 *    "runs_recorded": N, "unreadable_runs": N (folders without a readable
 *    manifest: `verify` says why; never judged),
 *    "max_age_s": N | null, "command": --command | null,
 *    "environments": [{"env", "folder", "database",
 *        "schema_hash": HEX (64) | null when no .sql exists,
 *        "schema_tables": N (the .sql files hashed),
 *        "runs": {COMMAND: {"run_id", "started_at", "finished_at",
 *                 "age_s" (from finished_at, else started_at; null when
 *                 neither parses), "outcome": "ok"|"partial"|"failed",
 *                 "tables", "counts": {...}, "errors": [...] (all of
 *                 them), "unreached": {...}|null}}
 *                 (one per command with a run covering the environment),
 *        "judged": COMMAND | null (the command of the run --max-age looks
 *                 at; null when there is no such run),
 *        "healthy": bool, "problem": TEXT | null
 *                 (both null without --max-age: nothing is judged)}],
 *    "problems": N}
 * "failed": the environment was unreached or every table errored;
 * "partial": some did (as `history list` says). The judged run is the
 * newest of --command, else the newest schema or data run (a restore is
 * not a sync). With --max-age an environment is unhealthy when its judged
 * run is missing ("no schema or data run recorded here"), ended longer
 * than max_age ago, or is not ok (both said when both hold); *problems
 * counts those environments (0 without --max-age).
 * Returns NULL, with -errno in *err and a message on stderr naming the
 * path, when the history folder exists but cannot be read (not a folder,
 * permission), or a listed table's .sql exists but cannot be read; a
 * missing history folder is no run recorded, not an error.
 */
json_t *status_build(const struct status_opts *o, size_t *problems, int *err);

/*
 * The status (status_build's object, borrowed) as text for people at 80
 * columns: a line on the history folder (or that no run is recorded
 * here), then per environment a line with its schema hash (12 digits) and
 * one per command with a run: id, finish (UTC), age, outcome, counts, the
 * first errors; then, when --max-age was given, one (wrapped) line per
 * problem. Returns 0 or -EIO when writing failed.
 */
int status_text(json_t *status, FILE *fp);

#endif
