/*
 * run: each command as the command line runs it, from a parsed command
 * line and a loaded config to an exit status, with what went wrong on
 * stderr and the result on stdout. Call from the main thread (sync_run
 * wants SIGINT and SIGTERM blocked there, as main does first).
 */
#ifndef RHIZOME_RUN_H
#define RHIZOME_RUN_H

#include "engine/cli/args.h"
#include "engine/cli/exit.h"
#include "environments/config.h"

/* The snapshot root as the user sees it: --out as given, else the config's
 * `out` (default "environments") relative to the config file's folder,
 * without trailing slashes. Caller frees. */
char *cli_resolve_out(const struct cli *c, const struct fleet_config *cfg);

/* sync schema, data, check, and diff against the live servers. */
enum cli_exit cli_run_sync(const struct cli *c, const struct fleet_config *cfg,
			   const struct env_config **envs, const char *out);
/* sync diff --against RUN_ID: no server. */
enum cli_exit cli_run_histdiff(const struct cli *c, const struct fleet_config *cfg,
			       const struct env_config **envs, const char *out);
/* sync report, sync versions: files only. */
enum cli_exit cli_run_report(const struct cli *c, const struct fleet_config *cfg,
			     const struct env_config **envs, const char *out);
enum cli_exit cli_run_versions(const struct cli *c, const struct fleet_config *cfg,
			       const struct env_config **envs, const char *out);

#endif
