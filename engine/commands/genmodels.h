/*
 * genmodels: `rhizome gen models`, code generated from the committed
 * schema snapshots (files only, no server), for one target (genmodel.h;
 * sqlmodel.h is the one there is):
 *
 *   model         per logical database and table: a base with the safe
 *                 base, a model per version (fleetversions.h ranks them)
 *   registries    per logical database: one registry per version number;
 *                 the model template with {table} as `_registries`
 *   emplacement   per environment and table it has: loads its
 *                 {database}_{table}.json into its version's model
 *   registration  per environment: each table's (model, emplacement)
 *
 * Paths come from the [fleet] templates `model`, `emplacement` and
 * `registration` (GENMODELS_DEFAULT_* when not set), relative to the
 * folder of rhizome.cnf, which is also where the generated imports start.
 * A template that would give two things one file, that leaves that
 * folder, or that does not end in ".py" is a configuration error.
 *
 * A file is written only when its content changes, atomically; a file
 * that exists without the target's first line is the user's: it is left
 * alone and listed ("kept"). --table limits the model and emplacement
 * files to those tables; the registries and registrations, which name
 * every table, are always made whole.
 */
#ifndef RHIZOME_GENMODELS_H
#define RHIZOME_GENMODELS_H

#include <stdio.h>

#include <jansson.h>

#include "engine/commands/fleetversions.h"

#define GENMODELS_DEFAULT_MODEL "models/{database}/{table}.py"
#define GENMODELS_DEFAULT_EMPLACEMENT \
	"{out}/{folder}/expected_data/{database}_{table}.py"
#define GENMODELS_DEFAULT_REGISTRATION "{out}/{folder}/{database}_registration.py"

/* How a run ended. */
enum genmodels_outcome {
	GENMODELS_DONE,         /* every file written or already current */
	GENMODELS_CONFIG,       /* a template is wrong: nothing written */
	GENMODELS_PARTIAL,      /* a table could not be rendered, or a file
				 * without the header was kept */
	GENMODELS_IO,           /* a file could not be written */
};

struct genmodels_opts {
	struct versions_opts v; /* every environment; tables: --table */
	int dry_run;
};

/*
 * Generate. *summary (a new reference) says what was written, unchanged,
 * kept, noted and failed; a configuration error has its message in
 * "error". Messages for people go nowhere: the caller prints the summary
 * (genmodels_text). Call from one thread.
 */
enum genmodels_outcome genmodels_run(const struct genmodels_opts *o,
				     json_t **summary);

/* The summary as text for people. Returns 0, or -EIO. */
int genmodels_text(json_t *summary, FILE *fp);

#endif
