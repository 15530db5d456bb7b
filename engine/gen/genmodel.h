/*
 * genmodel: what `rhizome gen models` generates code from, whatever the
 * target language, and the interface of a target (sqlmodel.h: Python
 * SQLModel, the only one yet). The command (engine/commands/genmodels.c)
 * reads the snapshots, ranks the versions and plans the paths; a target
 * only turns this description into file contents.
 *
 * Four kinds of file, each from a path template of the config:
 *   - a model module per logical database and table: a base with the
 *     safe-base columns, and one model per version;
 *   - a registries module per logical database: one registry per version
 *     number, so V1 and V2 of a table can coexist;
 *   - an emplacement per environment and table: loads that environment's
 *     expected-data file into its version's model, validated;
 *   - a registration module per environment: each table's (model version,
 *     emplacement).
 * Paths given to a target are relative to the root its imports start
 * from (the folder of rhizome.cnf), '/'-separated.
 *
 * Everything here is borrowed from the caller. Renderers append to a
 * strbuf; they are pure functions of their input, thread-safe. Out of
 * memory aborts (engine/base/alloc.h).
 */
#ifndef RHIZOME_GENMODEL_H
#define RHIZOME_GENMODEL_H

#include <stddef.h>

#include "engine/base/strbuf.h"
#include "engine/schema/tablemodel.h"

/* One version of a table. */
struct gen_version {
	unsigned number;                /* 1-based: V1 rolls out last */
	const struct table_model *model;
	const char *const *envs;        /* the environments on it */
	size_t nenvs;
};

/* A table of the same logical database, as a foreign key names it. */
struct gen_ref {
	const char *table;
	unsigned nversions;
	const char *model_path;         /* its model module */
};

struct gen_table {
	const char *database;
	const char *table;
	const struct gen_version *versions; /* versions[j].number == j + 1 */
	size_t nversions;
	const char *const *base;        /* safe-base column names, V1's order */
	size_t nbase;
	const char *model_path;         /* this module's path */
	const char *registries_path;    /* the database's registries module */
	/* The tables of the database (this one included), for foreign keys;
	 * a table not among them has no model to refer to. */
	const struct gen_ref *refs;
	size_t nrefs;
};

/* One environment's table. */
struct gen_emplacement {
	const char *env;
	const struct gen_table *t;
	unsigned version;               /* the environment's */
	const char *path;               /* this module's */
	const char *data_file;          /* relative to the module's folder */
	const char *data_shown;         /* as an error names it */
};

struct gen_registration_entry {
	const struct gen_table *t;
	unsigned version;
	const char *emplacement_path;
};

/* One environment: its logical database's tables (those it has). */
struct gen_registration {
	const char *env;
	const char *database;
	const struct gen_registration_entry *entries;
	size_t n;
	const char *const *absent;      /* tables without a snapshot here */
	size_t nabsent;
};

struct gen_target {
	const char *name;               /* "sqlmodel" */
	/* The start of the first line of every file it writes: a file that
	 * does not begin with it is the user's, never overwritten. */
	const char *mark;
	/* A model module; -EINVAL with a message in *err (naming the column
	 * or clause) when something of the table cannot be rendered. Things
	 * it renders approximately are listed in the file's comments and
	 * appended to *notes, one line each. */
	int (*model)(const struct gen_table *t, struct strbuf *out,
		     struct strbuf *notes, struct strbuf *err);
	void (*registries)(const char *database, unsigned nversions,
			   struct strbuf *out);
	void (*emplacement)(const struct gen_emplacement *e, struct strbuf *out);
	void (*registration)(const struct gen_registration *r,
			     struct strbuf *out);
};

#endif
