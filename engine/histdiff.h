/*
 * histdiff: `rhizome sync diff --against RUN_ID`, the committed snapshots
 * against the schemas a published run fetched, read from its history (no
 * server). The result has the shape of a check summary, so diffreport
 * renders it the same way.
 */
#ifndef RHIZOME_HISTDIFF_H
#define RHIZOME_HISTDIFF_H

#include <jansson.h>

#include "../environments/config.h"
#include "schemadiff.h"

struct histdiff_opts {
	const struct fleet_config *cfg;
	const struct env_config *const *envs;
	size_t nenvs;
	const char *out;
	const char *run_id;
	struct diff_opts diff;
};

/*
 * Build the summary (new reference), or NULL with a message on stderr when
 * the run does not exist or cannot be read. *status: 0 no drift, 1 drift,
 * 2 no such run, 3 a history file unreadable. Call from one thread.
 */
json_t *histdiff_build(const struct histdiff_opts *o, int *status);

#endif
