/*
 * fleetversions: which environments run which version of each table, from
 * the committed schema snapshots only (no server). `sync versions` reports
 * it (versions.h); `gen models` generates a model per version from it
 * (genmodels.h).
 *
 * Environments whose snapshots are equal once normalized (AUTO_INCREMENT
 * aside) share a version. V1 is the version of the environment that rolls
 * out last (production before demo before dev; the `order` key of an
 * environment overrides the guess from its folder name), V2 the next
 * distinct one, and so on. The safe base of a table: the columns of V1
 * that every version defines the same (each column's clauses as written,
 * so `int(11)` against `bigint(20) unsigned` differ), in V1's order.
 *
 * Everything here is computed from files and owned by its result; call
 * from one thread at a time per result (nothing is shared between
 * results). Out of memory aborts (engine/base/alloc.h). A missing or
 * unreadable snapshot counts as "no snapshot": nothing fails.
 */
#ifndef RHIZOME_FLEETVERSIONS_H
#define RHIZOME_FLEETVERSIONS_H

#include <stddef.h>

#include "environments/config.h"
#include "engine/schema/tablemodel.h"

/* What to look at; everything borrowed. */
struct versions_opts {
	const struct fleet_config *cfg;
	const struct env_config *const *envs;   /* the selected environments */
	size_t nenvs;
	const char *out;                        /* snapshot root */
	const char *const *tables;              /* --table filter, or NULL */
	size_t ntables;
};

/* One environment that has the table's logical database. */
struct fv_member {
	const struct env_config *env;   /* borrowed */
	size_t pos;             /* in the selection: ties keep config order */
	int version;            /* 1-based; 0 when it has no snapshot */
	char *normalized;       /* the snapshot normalized; NULL: none */
	struct table_model model; /* valid when `parsed` */
	int parsed;
};

/* One logical table across the environments. */
struct fv_table {
	const char *database;   /* borrowed from the config */
	char *table;
	struct fv_member *members; /* in rank order: V1's environments first */
	size_t nmembers;
	struct fv_member **rep; /* rep[j]: the first member of version j + 1 */
	size_t nversions;
	char **base;            /* the safe base's column names */
	size_t nbase;
};

/* Every table of the selection, list by list (config order), each list's
 * literal names then what its globs match among the selected
 * environments' files, in name order; only those of o->tables when given. */
struct fv_fleet {
	struct fv_table *tables;
	size_t ntables;
};

void fleetversions_build(const struct versions_opts *o, struct fv_fleet *f);
void fleetversions_release(struct fv_fleet *f);

/* A column's definition, its clauses joined by spaces. Caller frees. */
char *fleetversions_column_def(const struct tm_column *c);

#endif
