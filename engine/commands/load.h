/*
 * load: `rhizome load --env NAME --into TARGET`, a database built from one
 * environment's snapshots: its tables created from the .sql files, its
 * rows inserted from the .json files, on the target environment's server,
 * in its schema.
 *
 * In two steps, so that a bad file costs nothing on any server:
 *
 *   load_plan_read (files only): the source's snapshot files read, every
 *     .sql parsed (its table's name checked) and every .json turned into
 *     INSERT statements (loadsql.h); a file that cannot be loaded is an
 *     error naming it, before anything is contacted.
 *   load_run: on the target, under the server lock of its schema
 *     (loadsql.h): the staging schema made afresh (a killed load's
 *     leftovers dropped first), the tables created there and the rows
 *     inserted, in parallel over the target's pool (batched round trips:
 *     creates first, then inserts), foreign-key checks off while they go
 *     in and the keys checked after, then every table renamed into the
 *     target schema in one RENAME TABLE (--replace moves the tables it
 *     replaces aside in the same statement, and drops them). A failure or
 *     a signal before that rename leaves the target as it was: the staging
 *     schema is dropped (after a signal, over a new connection; what a
 *     connection cannot drop, the next load into the schema does).
 *
 * The target must be a scratch environment (`scratch = yes`,
 * load_check_target): never one SPEC's masking rule treats as production
 * or sensitive.
 */
#ifndef RHIZOME_LOAD_H
#define RHIZOME_LOAD_H

#include <stddef.h>

#include <jansson.h>

#include "engine/base/strbuf.h"
#include "engine/fetch/loadsql.h"
#include "engine/schema/tablemodel.h"
#include "environments/config.h"

/* An INSERT is cut at this size: far below any server's max_allowed_packet
 * (MariaDB's default is 16 MiB, its least 1 KiB but nobody runs that), and
 * large enough that a round trip carries thousands of rows. */
#define LOAD_STATEMENT_MAX (1u << 20)

/* A chunk of a table's bulk export (load --bulk): read, checked against
 * its digest and turned into INSERTs by the worker that loads it, so a
 * load's memory is a chunk per worker, whatever the export's size. */
struct load_chunk {
	char *path;
	char sha256[65];
	size_t rows;
};

/* One table to load. Owned by the plan. */
struct load_table {
	char *name;
	char *create;           /* the .sql file's Create Table text */
	size_t create_len;
	struct table_model model;
	struct loadsql_inserts rows; /* none with --schema-only or no .json */
	int has_data;           /* a .json file was read */
	struct load_chunk *chunks; /* --bulk: its export's chunks */
	size_t nchunks;
	size_t bulk_rows;       /* ... and their rows, as the manifest says */
};

/* What the files give, before any server. */
struct load_plan {
	struct load_table *tables;      /* in name order */
	size_t ntables;
	char **missing;                 /* listed, but no .sql file */
	size_t nmissing;
	size_t rows;                    /* over every table */
	size_t bytes;                   /* of the INSERT statements, or
					 * --bulk of the chunk files */
	size_t nchunks;                 /* --bulk: over every table */
};

struct load_opts {
	const struct fleet_config *cfg;
	const struct env_config *source;
	const struct env_config *target;
	enum tls_mode tls;              /* what the target's connections must
					 * meet (config_tls_effective) */
	const char *out;                /* the snapshot root */
	const char *const *tables;      /* --table, or none: every table */
	size_t ntables;
	int schema_only;
	int replace;
	int bulk;                       /* rows from the bulk export
					 * (bulkdir.h), the Create Table text
					 * from its manifest */
	unsigned workers;               /* 0: the config's */
	int quiet;
	int verbose;
};

/*
 * Whether o->target may be loaded into: not the source, not an
 * environment SPEC's masking rule treats as production or sensitive
 * (`prod` in its name or folder, whatever `sensitive` says; or
 * `sensitive = yes`), declared a scratch target (`scratch = yes`), and
 * not the same server and schema as another environment that is not. 0, or
 * -EINVAL with the reason in *err. Reads the config only; thread-safe.
 */
int load_check_target(const struct load_opts *o, struct strbuf *err);

/*
 * Read the source's snapshot files into *plan (zeroed first; release with
 * load_plan_release whatever the result). Returns 0; -ENOENT when there is
 * nothing to load (no .sql file of the tables asked for); -EINVAL when a
 * file cannot be loaded (more than one statement, an engine or option
 * that reaches beyond the target, a row its column cannot take); another
 * -errno when one cannot be read. *err names the file and says why. A
 * foreign key to a table the plan does not hold is rewritten to name the
 * target schema's table (the text is otherwise the file's). With
 * o->bulk the tables are those of the source's complete bulk exports
 * (a table whose export is incomplete is -EINVAL, naming it, unless
 * --table leaves it out), their text the manifest's, their rows its
 * chunks (read by load_run, not here). Reads files only; one thread.
 */
int load_plan_read(const struct load_opts *o, struct load_plan *plan,
		   struct strbuf *err);
void load_plan_release(struct load_plan *plan);

/* Whether the plan loads table `table`. Thread-safe (reads the plan). */
int load_plan_has(const struct load_plan *plan, const char *table);

/* How a load ended; only the command line makes it an exit status. */
enum load_outcome {
	LOAD_DONE,              /* every table is in the target */
	LOAD_REFUSED,           /* the target has a table to load and no
				 * --replace: nothing written */
	LOAD_BUSY,              /* another load into the schema holds its
				 * lock: nothing written */
	LOAD_FAILED,            /* the target, or a table, failed: the
				 * target is as it was */
	LOAD_INTERRUPTED,       /* SIGINT: the target is as it was */
	LOAD_TERMINATED,        /* SIGTERM: the target is as it was */
};

/*
 * Load *plan into o->target. *summary (a new reference, never NULL) says
 * what was loaded, what failed and why, and what the key checks found.
 * SIGINT and SIGTERM must be blocked in the calling thread (as for
 * sync_run). Requires mysql_library_init(). Call from the main thread.
 */
enum load_outcome load_run(const struct load_opts *o,
			   const struct load_plan *plan, json_t **summary);

#endif
