/*
 * tablefiles: the tables of an environment as the commands that read files
 * only see them (report, versions, diff --against, verify, schema-hash),
 * and the files a glob's expansion must not take from another environment.
 *
 * Environments of different databases may share a snapshot folder, so a
 * file `billing_event_x.sql` could be billing_event's table `x` or
 * billing's table `event_x`: config_file_owner (environments/config.h)
 * says whose it is, the same way for every command.
 *
 * Thread-safe: reads the loaded config and the snapshot folder only. Out
 * of memory aborts (engine/base/alloc.h).
 */
#ifndef RHIZOME_TABLEFILES_H
#define RHIZOME_TABLEFILES_H

#include <stddef.h>

struct fleet_config;
struct env_config;

/*
 * The tables of `env`: its list's literal names (environments/tablelist.h),
 * then, for a list with globs, each table whose .sql or .json file is in
 * its snapshot folder, that a glob matches and exclude does not, and that
 * is env's own (config_file_owner), in name order, each once. Returns how
 * many, with *names (caller frees with tablefiles_free). A folder that
 * cannot be read counts as empty.
 */
size_t tablefiles_of_env(const char *out, const struct fleet_config *cfg,
			 const struct env_config *env, char ***names);
void tablefiles_free(char **names, size_t n);

/* Whether the file of table `table` of env's database,
 * {database}_{table} in env's folder, is owned by an environment of
 * another database (config_file_owner). */
int tablefiles_owned_elsewhere(const struct fleet_config *cfg,
			       const struct env_config *env, const char *table);

/*
 * Whether table `table` of `env`, which a glob of its list found, would
 * write a file another environment of its folder owns
 * (config_file_owner: one whose list names it literally, or one with a
 * longer database). If so, returns that environment and writes
 * why into msg (the caller's, `size` bytes, worded as the config's own
 * clash check); NULL otherwise.
 */
const struct env_config *tablefiles_clash(const struct fleet_config *cfg,
					  const struct env_config *env,
					  const char *table, char *msg,
					  size_t size);

#endif
