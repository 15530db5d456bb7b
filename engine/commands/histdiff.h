/*
 * histdiff: `rhizome sync diff --against RUN_ID`, the committed snapshots
 * against the schemas a published run fetched, read from its history (no
 * server). The result has the shape of a check summary, so diffreport
 * renders it the same way.
 */
#ifndef RHIZOME_HISTDIFF_H
#define RHIZOME_HISTDIFF_H

#include <jansson.h>

#include "engine/commands/sync.h"
#include "engine/schema/schemadiff.h"
#include "environments/config.h"

struct histdiff_opts {
	const struct fleet_config *cfg;
	const struct env_config *const *envs;
	size_t nenvs;
	const char *out;
	const char *history;    /* the history folder (history.h) */
	const char *run_id;
	struct diff_opts diff;
};

/*
 * Build the summary (new reference) and say in *outcome what it came to:
 * SYNC_DONE (no drift), SYNC_DRIFTED, or SYNC_PARTIAL (a history file
 * unreadable). NULL, with a message on stderr, when there is no such
 * published schema run, or it did not sync an environment asked for by
 * name: a usage error. Call from one thread.
 */
json_t *histdiff_build(const struct histdiff_opts *o, enum sync_outcome *outcome);

#endif
