/*
 * loadsql: the statements `rhizome load` sends, built here so that no
 * other module puts a name or a value into SQL: names are quoted by
 * sqlident.h, values spelled by rowfile.h (numbers as their digits, text
 * of UTF-8 without a backslash or a control byte as _utf8mb4'...' with
 * quotes doubled, anything else as hex), and the only other text in a
 * statement is fixed keywords. A bulk chunk's rows go as LOAD DATA LOCAL
 * INFILE instead when the server allows it: its values are no SQL but
 * the text the statement reads (rowfile_tsv_value).
 *
 * A load builds the tables in a schema of its own on the target server
 * (the staging schema, rhizome_load_<hash of the target schema>), so that
 * a table appears under its final name only whole: one RENAME TABLE moves
 * them all in at the end. The hash names the staging schema the same way
 * every time, so the next load into the same schema finds what a killed
 * one left; the server's lock of the same name keeps two loads into one
 * schema from running at once.
 *
 * Pure functions of their arguments: thread-safe. Out of memory aborts
 * (engine/base/alloc.h).
 */
#ifndef RHIZOME_LOADSQL_H
#define RHIZOME_LOADSQL_H

#include <stddef.h>

#include "engine/base/strbuf.h"
#include "engine/schema/tablemodel.h"

/* The names of loads into one schema. */
#define LOADSQL_NAME_MAX 40
struct loadsql_names {
	const char *target;             /* the target schema (borrowed) */
	char staging[LOADSQL_NAME_MAX]; /* "rhizome_load_" and 16 hex digits */
	char old[LOADSQL_NAME_MAX];     /* staging's and "_old": where
					 * --replace moves what it replaces */
	char lock[LOADSQL_NAME_MAX + 2]; /* the server lock, as a literal:
					  * 'rhizome_load_<16 hex digits>' */
};

void loadsql_names_of(const char *target, struct loadsql_names *n);

/*
 * A load's round trips, appended to sb; each returns how many statements
 * it wrote. `session` is the pool's session statement
 * (connpool_session_sql).
 *
 *   look:    the session; GET_LOCK (not waiting), @@max_allowed_packet,
 *            CONNECTION_ID() and @@local_infile;
 *            SHOW FULL TABLES of the target (it fails when the schema is
 *            not there: nothing after it runs); the target as the default
 *            schema; the foreign keys that reference its tables, from any
 *            schema (CONSTRAINT_SCHEMA, TABLE_NAME, CONSTRAINT_NAME,
 *            REFERENCED_TABLE_NAME)
 *   stage:   foreign-key checks off; the staging schemas of a killed load
 *            dropped; the target schema made if missing; the staging one
 *   prefix:  what a worker's round trip opens with: the session, the
 *            load's session (strict, NO_AUTO_VALUE_ON_ZERO,
 *            NO_ENGINE_SUBSTITUTION, foreign-key checks off), a statement
 *            that fails unless session `owner` (the control one) still
 *            holds the lock (else another load may own the staging
 *            schema by now), the staging schema as the default one (so a
 *            CREATE TABLE's name and REFERENCES land there)
 *   move_in: foreign-key checks off; with tables to replace, the _old
 *            schema; one RENAME TABLE moving the replaced tables (existed[i])
 *            to it and every table from staging to the target; the staging
 *            (and _old) schema dropped; the lock released. *rename_at: the
 *            RENAME TABLE's index
 *   drop:    foreign-key checks off; both staging schemas dropped if there
 */
size_t loadsql_look(struct strbuf *sb, const struct loadsql_names *n,
		    const char *session);
size_t loadsql_stage(struct strbuf *sb, const struct loadsql_names *n);
size_t loadsql_prefix(struct strbuf *sb, const struct loadsql_names *n,
		      const char *session, unsigned long long owner);
size_t loadsql_move_in(struct strbuf *sb, const struct loadsql_names *n,
		       const char *const *tables, const int *existed, size_t ntables,
		       size_t *rename_at);
size_t loadsql_drop(struct strbuf *sb, const struct loadsql_names *n);

/* "SHOW TABLES FROM `staging`": one statement. */
void loadsql_show_staging(struct strbuf *sb, const struct loadsql_names *n);

/* "`schema`.`table`", for a REFERENCES clause that must name the
 * target's table, not the staging schema's. Caller frees. */
char *loadsql_qualified(const char *schema, const char *table);

/* "SELECT GET_LOCK(lock, wait)" and "SELECT RELEASE_LOCK(lock)": one
 * statement each. */
void loadsql_get_lock(struct strbuf *sb, const struct loadsql_names *n,
		      unsigned wait);
void loadsql_release_lock(struct strbuf *sb, const struct loadsql_names *n);

/* The rows of one data file as INSERT statements. */
struct loadsql_inserts {
	struct strbuf *stmts;   /* each one statement, no ';' */
	size_t n, cap;
	size_t rows;
};

/*
 * Append to *out the INSERT statements that put the rows of the data file
 * text[0..len) (one object, or an array of them; NUL-terminated, and JSON
 * jansson accepts) into table `m` (its model: which column each key is,
 * how its values are written), at most `max_len` bytes each unless one
 * row alone is longer. Keys are columns in the first row's order, the same
 * in every row; a generated column's value is left out (the server
 * computes it, and refuses one). Returns 0, or -EINVAL with why in *err
 * (the row, from 1, and the column): a key that is no column, rows whose
 * keys differ, a value its column cannot be written as.
 */
int loadsql_inserts(const struct table_model *m, const char *text, size_t len,
		    size_t max_len, struct loadsql_inserts *out,
		    struct strbuf *err);
/* loadsql_inserts for JSON lines (a bulk chunk, bulkchunk.h: one object
 * a line), NUL-terminated; the same checks, "row N" counting lines. */
int loadsql_inserts_lines(const struct table_model *m, const char *text,
			  size_t max_len, struct loadsql_inserts *out,
			  struct strbuf *err);
void loadsql_inserts_release(struct loadsql_inserts *ins);

/* The rows of one bulk chunk as one LOAD DATA LOCAL INFILE statement and
 * the text it reads. */
struct loadsql_data {
	const char *name;       /* what the statement names after INFILE
				 * (borrowed; letters, digits, '-', '.') */
	struct strbuf statement; /* empty when there are no rows */
	struct strbuf rows;     /* tab-separated, a line a row */
	size_t nrows;
};

/*
 * loadsql_inserts_lines' checks, the rows put into out->rows as LOAD
 * DATA's text (rowfile_tsv_value) and out->statement set to the statement
 * that loads them into `m`: LOCAL INFILE 'name', CHARACTER SET utf8mb4,
 * tab-separated, the first row's columns in its order (a generated one
 * left out), a binary column's base64 decoded by FROM_BASE64 and a BIT
 * column's number by CAST, into user variables. The server takes LOCAL
 * rows as IGNORE does (a duplicate key skipped, a value it cannot hold
 * cut, each with a warning): the caller checks that it took every row
 * without a warning. 0, or -EINVAL with why in *err.
 */
int loadsql_data_lines(const struct table_model *m, const char *text,
		       struct loadsql_data *out, struct strbuf *err);
void loadsql_data_release(struct loadsql_data *d);

/* A foreign key's parts, unquoted. Owned; loadsql_fk_release. */
struct loadsql_fk {
	char **columns, **ref_columns;
	size_t ncolumns;
	char *ref_schema;       /* NULL: the table's own schema */
	char *ref_table;
};

/* Read fk's column lists and referenced table. 0, or -EINVAL when they
 * are not quoted names as SHOW CREATE TABLE prints them (or the lists
 * differ in length). */
int loadsql_fk_parse(const struct tm_foreign_key *fk, struct loadsql_fk *out);
void loadsql_fk_release(struct loadsql_fk *fk);

/*
 * Append the query that counts the rows of `schema`.`table` whose key
 * `fk` (every column set: MATCH SIMPLE, as InnoDB checks it) has no row
 * in `ref_schema`.`fk->ref_table`: what FOREIGN_KEY_CHECKS=1 would have
 * refused. `ref_schema` NULL: there is no parent table, so every row with
 * its key set counts.
 */
void loadsql_fk_orphans(struct strbuf *sb, const char *schema,
			const char *table, const struct loadsql_fk *fk,
			const char *ref_schema);

#endif
