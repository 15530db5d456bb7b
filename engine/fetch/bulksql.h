/*
 * bulksql: the statements of a bulk export (`sync data --all`), built
 * here so that names go into SQL only through sqlident.h and values only
 * as literals sqlvalue.h writes (or checked by sqlvalue_is_literal when
 * they come back from a manifest).
 *
 * A keyed table is read in chunks by its key: each chunk the rows after
 * the last key of the one before, in key order, a LIMIT of them, so every
 * chunk is one short statement the server answers from the key's index
 * however large the table, and a resume starts from a chunk's last key.
 * An integer key may be cut into parts (ranges read on their own, in
 * parallel). A table without a usable key is read in one pass.
 *
 * Pure functions of their arguments: thread-safe. Out of memory aborts
 * (engine/base/alloc.h).
 */
#ifndef RHIZOME_BULKSQL_H
#define RHIZOME_BULKSQL_H

#include <stddef.h>

#include "engine/base/strbuf.h"

/*
 * "SELECT * FROM `schema`.`table` WHERE ... ORDER BY key LIMIT limit":
 * rows with lo <= key < hi (integer text, either NULL: unbounded; only for
 * a one-column key) and after `last` (the literals of the previous chunk's
 * last key, one per key column; NULL: from the first), as
 * k1 >= v1 AND (k1 > v1 OR (k1 = v1 AND (k2 > v2 OR ...))), which the
 * server answers as a range of the key's index.
 */
void bulksql_chunk(struct strbuf *sb, const char *schema, const char *table,
		   const char *const *key, size_t nkey, const char *const *last,
		   const char *lo, const char *hi, unsigned limit);

/*
 * Every row of `schema`.`table`, in one pass (a table without a key to
 * chunk by). The session's statement limit (connpool_session_sql) would
 * end a long pass, so it is lifted for this statement (`mariadb`: SET
 * STATEMENT max_statement_time = 0 FOR; else the MAX_EXECUTION_TIME(0)
 * hint); the export bounds the wait per chunk of rows instead, and a
 * query it gives up on is killed (connpool_enforce_deadlines).
 */
void bulksql_one_pass(struct strbuf *sb, const char *schema,
		      const char *table, int mariadb);

/* "SELECT MIN(k), MAX(k) FROM `schema`.`table`": the range of a
 * one-column key, to cut it into parts. */
void bulksql_bounds(struct strbuf *sb, const char *schema, const char *table,
		    const char *key);

/* "SELECT TABLE_NAME, TABLE_ROWS FROM information_schema.TABLES WHERE
 * TABLE_SCHEMA = ...": the server's estimate of every table's rows. */
void bulksql_estimates(struct strbuf *sb, const char *schema);

#endif
