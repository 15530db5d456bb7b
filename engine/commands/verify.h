/*
 * verify: `rhizome verify`, the files checked without a server: the plain
 * snapshots, the history and the manifests.
 *
 *  - every .sql of a selected environment's listed tables parses and
 *    renders back (tablemodel.h: TM_WHOLE), and ends with ";\n";
 *  - every .json is valid and keeps SPEC's types contract for its table's
 *    columns (from the .sql beside it when there is one);
 *  - every history frame of the selected environments passes its zstd
 *    checksum, and its sha256 and size equal what its manifest says; a run
 *    folder without a readable manifest is a finding;
 *  - a plain file that differs from what the last run recording its table
 *    left there (its body; for `trivial`, equal after normalization) is
 *    hand-edited; so is a file present where that run removed the table,
 *    and one absent where it left one. `empty` and `error` lines say
 *    nothing of the file (an older run's word stands); a damaged or
 *    missing frame leaves its environment's files of that run's kind
 *    unjudged (the damage is the finding);
 *  - files in an environment's expected_data folder that no environment
 *    sharing the folder lists (any {database}_{table}.sql/.json of the
 *    config's table lists) are orphans; rhizome's own temporaries
 *    (engine/base/tmpname.h) are not.
 * Nothing is written or locked: a check may run beside a sync.
 * Out of memory aborts (engine/base/alloc.h). Call from one thread.
 */
#ifndef RHIZOME_VERIFY_H
#define RHIZOME_VERIFY_H

#include <stdio.h>

#include <jansson.h>

#include "environments/config.h"

struct verify_opts {
	const struct fleet_config *cfg;
	const struct env_config *const *envs;   /* the selected environments */
	size_t nenvs;
	const char *out;        /* snapshot root, as the user sees it */
	const char *history;    /* the history folder (history.h) */
};

enum verify_outcome {
	VERIFY_CLEAN,           /* nothing found */
	VERIFY_FINDINGS,        /* findings: exit 1 */
	VERIFY_UNREADABLE,      /* the snapshot root or the history folder
				 * cannot be read at all: exit 4 */
};

/*
 * Check and return the result as one JSON object (a new reference):
 *   {"checked": {"sql": N, "json": N, "history_files": N, "runs": N},
 *    "findings": [{"kind": "unparsable"|"types"|"invalid_json"|"damaged"|
 *                  "digest_mismatch"|"manifest"|"hand_edited"|"orphan"|
 *                  "unreadable",
 *                  "path": PATH, "env": NAME|null, "table": NAME|null,
 *                  "run_id": ID|null, "message": TEXT}],
 *    "finding_count": N}
 * and the outcome in *outcome: VERIFY_UNREADABLE when `out` cannot be
 * opened as a folder (nothing else is checked) or `history` exists but
 * cannot be read as one (the plain files are still checked, hand edits
 * not), each told by an "unreadable" finding; a single file that cannot
 * be read is an "unreadable" finding too, but VERIFY_FINDINGS. Findings
 * come in this order: the history (oldest run first), plain files (by
 * environment and table), then orphans (by name); "checked" counts
 * the files read and the published runs. Paths are as the user sees them
 * (under `out` or `history` as given). Never NULL.
 */
json_t *verify_build(const struct verify_opts *o, enum verify_outcome *outcome);

/* The findings as text for people, then a one-line count. Returns 0 or
 * -EIO when writing failed. */
int verify_text(json_t *result, FILE *fp);

#endif
