/*
 * runlog: the published runs of a history folder (history.h), read back
 * from their manifests, oldest first: what `status`, `history`, `verify`,
 * `sync report` and pruning read. Files only; no lock is needed to read
 * (a run folder appears and goes by one rename), but removing runs needs
 * the snapshot root's lock (snapshot.h).
 *
 * A manifest (sync_summary.c writes it) says "run_id", "command"
 * ("schema", "data" or "restore"), "started_at", "finished_at" (UTC,
 * ISO 8601), and per environment "counts", "errors", "unreached" and the
 * "file" and "sha256" of its .jsonl.zst. Out of memory aborts
 * (engine/base/alloc.h). Each function here: call from one thread.
 */
#ifndef RHIZOME_RUNLOG_H
#define RHIZOME_RUNLOG_H

#include <stddef.h>

#include <jansson.h>

struct runlog_entry {
	char *id;               /* the run folder's name */
	json_t *manifest;       /* owned; NULL when manifest.json is missing
				 * or not a JSON object (then `why` says
				 * which) */
	const char *command;    /* borrowed from the manifest; "" when none */
	double started, finished; /* seconds since the epoch, -1: unknown */
	char why[300];
};

struct runlog {
	struct runlog_entry *runs;   /* oldest first (run ids sort by time) */
	size_t n;
};

/*
 * Read every published run under `hist` (folders whose name does not start
 * with '.'). Returns 0 with *l filled (empty when `hist` does not exist:
 * no run recorded here), or -errno when `hist` cannot be read (not a
 * folder, permission), *l empty. Release with runlog_release either way.
 */
int runlog_load(const char *hist, struct runlog *l);
void runlog_release(struct runlog *l);

/* manifest["environments"][env] of a run (borrowed), or NULL when the run
 * did not cover `env`, has no manifest, or the entry is not an object. */
json_t *runlog_env(const struct runlog_entry *r, const char *env);

/* Whether an environment entry of a manifest says its run went through:
 * every table of it fetched or found absent, no error, reached. */
int runlog_env_complete(json_t *entry);

/* What an environment entry's run came to: failed when it was unreached,
 * every table errored, or the entry does not say (no integer "tables" or
 * "counts.error"); partial when some tables errored. */
enum runlog_outcome { RUNLOG_OK, RUNLOG_PARTIAL, RUNLOG_FAILED };
enum runlog_outcome runlog_env_outcome(json_t *entry);
/* The tables an entry says failed: its error count, or the errors it
 * lists when the counts say none. */
json_int_t runlog_env_failed(json_t *entry);
/* "ok", "partial", "failed". */
const char *runlog_outcome_name(enum runlog_outcome o);

/*
 * The newest run with a manifest covering `env` (NULL: any) whose command
 * is `command` (NULL: any), or NULL.
 */
const struct runlog_entry *runlog_last(const struct runlog *l, const char *env,
				       const char *command);

/* What kind of files a run recorded: "schema" or "data" (a restore's
 * manifest says which it restored), or NULL when it does not say. */
const char *runlog_kind(const struct runlog_entry *r);

/* The newest sync run (schema or data; a restore fetched nothing)
 * covering `env` (NULL: any), or NULL. */
const struct runlog_entry *runlog_last_sync(const struct runlog *l,
					    const char *env);

/*
 * The run `id` names: a run id, or "latest" (the newest run covering `env`,
 * NULL: any, of `command`, NULL: any). NULL when there is none.
 */
const struct runlog_entry *runlog_find(const struct runlog *l, const char *id,
				       const char *env, const char *command);

/*
 * Which runs pruning may remove: keep[i] is set for run i when it is among
 * the newest `keep_newest` (0: no count limit), or started after `not_before`
 * (seconds since the epoch; 0: no age limit), or is the newest run of some
 * (command, environment), or the newest run in which that environment was
 * complete for that command (runlog_env_complete), or has no readable
 * manifest or (with not_before) no start time (verify reports those;
 * pruning does not guess). `keep` has l->n
 * entries. Returns how many runs are not kept.
 */
size_t runlog_plan_prune(const struct runlog *l, size_t keep_newest,
			 double not_before, unsigned char *keep);

/*
 * Remove published run `id` from `hist`: renamed first to its temporary
 * name (history.h), so it is gone at once and a crash leaves only what the
 * next run's sweep removes, then emptied, and the folder flushed. Returns
 * 0 or -errno. Needs the lock.
 */
int runlog_remove(const char *hist, const char *id);

#endif
