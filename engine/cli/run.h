/*
 * run: each command as the command line runs it, from a parsed command
 * line and a loaded config to an exit status, with what went wrong on
 * stderr and the result on stdout. Call from the main thread (sync_run
 * wants SIGINT and SIGTERM blocked there, as main does first).
 */
#ifndef RHIZOME_RUN_H
#define RHIZOME_RUN_H

#include <stddef.h>
#include <time.h>

#include <jansson.h>

#include "engine/cli/args.h"
#include "engine/cli/exit.h"
#include "environments/config.h"

/* The snapshot root as the user sees it: --out as given, else the config's
 * `out` (default "environments") relative to the config file's folder,
 * without trailing slashes. Caller frees. */
char *cli_resolve_out(const struct cli *c, const struct fleet_config *cfg);

/* The history folder: the config's `history` (resolved from its folder),
 * else "{out}/.history". Caller frees. */
char *cli_resolve_history(const struct fleet_config *cfg, const char *out);

/* Refuse a history folder that is or holds the snapshot root, or lies in
 * a snapshot folder (compared as absolute, lexically normal paths): 0, or
 * -EINVAL with a message. */
int cli_check_history(const struct fleet_config *cfg, const char *out,
		      const char *hist);

/* The run id of a run started at `ts`: YYYYMMDDTHHMMSSZ-mmm, with ".N"
 * when that run folder exists under `hist`. */
void cli_make_run_id(const char *hist, const struct timespec *ts,
		     char *buf, size_t size);

/*
 * Write `v` to stdout: as indented JSON, or through `text` (NULL: JSON
 * always), then flush. Returns 0, or -EIO when it did not get out (a full
 * disk, a closed pipe): the caller's run then ends with CLI_EXIT_IO.
 */
int cli_print_result(json_t *v, int as_json, int (*text)(json_t *, FILE *));

/* Take the snapshot root's lock and sweep what a killed run left. NULL,
 * with a message and *status set (locked: 5, else 4), when that fails. */
struct snapshot_root;
struct snapshot_root *cli_lock_root(const struct cli *c,
				    const struct fleet_config *cfg,
				    const char *out, const char *hist,
				    enum cli_exit *status);

/* What a live run needs before any server is contacted: the password
 * variable of each of envs[0..n) set, its option file safe, its server
 * named and its TLS settings coherent (config_check_connection), and for
 * sync data the masking key. Fills tls[i], the TLS mode envs[i]'s
 * connections must meet. 0, or -EINVAL with the message on stderr. */
int cli_check_secrets(const struct cli *c, const struct fleet_config *cfg,
		      const struct env_config **envs, size_t n,
		      enum tls_mode *tls);

/* Each command below gets the snapshot root `out` and the history folder
 * `hist` as cli_resolve_out and cli_resolve_history give them. */

/* sync schema, data, check, and diff against the live servers. */
enum cli_exit cli_run_sync(const struct cli *c, const struct fleet_config *cfg,
			   const struct env_config **envs, const char *out,
			   const char *hist);
/* sync diff --against RUN_ID: no server. */
enum cli_exit cli_run_histdiff(const struct cli *c, const struct fleet_config *cfg,
			       const struct env_config **envs, const char *out,
			       const char *hist);
/* gen models: files only. */
enum cli_exit cli_run_gen_models(const struct cli *c,
				 const struct fleet_config *cfg,
				 const struct env_config **envs,
				 const char *out);

/* sync report, sync versions: files only. */
enum cli_exit cli_run_report(const struct cli *c, const struct fleet_config *cfg,
			     const struct env_config **envs, const char *out,
			     const char *hist);
enum cli_exit cli_run_versions(const struct cli *c, const struct fleet_config *cfg,
			       const struct env_config **envs, const char *out);
/* status, verify: files only. */
enum cli_exit cli_run_status(const struct cli *c, const struct fleet_config *cfg,
			     const struct env_config **envs, const char *out,
			     const char *hist);
enum cli_exit cli_run_verify(const struct cli *c, const struct fleet_config *cfg,
			     const struct env_config **envs, const char *out,
			     const char *hist);
/* After a successful sync: prune the history to the config's keep-runs
 * (runs.h). Needs the lock. Returns 0 or -errno (a message on stderr). */
int cli_prune_after_run(const struct fleet_config *cfg, const char *hist,
			int quiet);

/* Whether a command's summary goes out as JSON: as --format says, else
 * unless stdout is a terminal (SPEC). */
int cli_summary_as_json(const struct cli *c);

/* The summary on stdout (cli_print_result). One that did not get out (a
 * full disk, a closed pipe) is said on stderr and is a local I/O failure:
 * *status becomes CLI_EXIT_IO, unless it already says worse than a
 * partial failure. */
void cli_print_summary(json_t *summary, int as_json,
		       int (*text)(json_t *, FILE *), enum cli_exit *status);

/* Every --table is in a table list: 0, or -EINVAL said on stderr. */
int cli_tables_known(const struct cli *c, const struct fleet_config *cfg);

/* sync data --all (run_bulk.c): the bulk export. */
enum cli_exit cli_run_bulk(const struct cli *c, const struct fleet_config *cfg,
			   const struct env_config **envs, const char *out,
			   const char *hist);

/* load: envs[0] the environment loaded from (engine/cli/run_load.c). */

enum cli_exit cli_run_load(const struct cli *c, const struct fleet_config *cfg,
			   const struct env_config **envs, const char *out,
			   const char *hist);

/* history list, show, restore, prune (engine/cli/run_history.c). */
enum cli_exit cli_run_history(const struct cli *c, const struct fleet_config *cfg,
			      const struct env_config **envs, const char *out,
			      const char *hist);

#endif
