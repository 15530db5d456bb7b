/*
 * fetch: one round trip for a batch of SHOW CREATE TABLE statements.
 *
 * The batch's statements go to the server as one multi-statement query.
 * The server stops at the first failing statement, so when a table is
 * missing (1146) or refused, that table is marked and the statements after
 * it are sent again: a missing table costs one extra round trip, never the
 * rest of its batch. A client-side error (connection lost, timeout) ends the
 * batch: every table not yet fetched carries that error. The first query of
 * a batch opens with SHOW CREATE DATABASE, so a wrong or unreadable schema
 * fails its tables with that error rather than passing them off as missing.
 */
#ifndef RHIZOME_FETCH_H
#define RHIZOME_FETCH_H

#include <stddef.h>

#include "../environments/connpool.h"
#include "strbuf.h"

enum fetch_status { FETCH_PENDING, FETCH_OK, FETCH_MISSING, FETCH_ERROR };

struct fetched_table {
	const char *table;          /* borrowed: the name fetched */
	enum fetch_status status;
	char *body;                 /* owned: the Create Table text (FETCH_OK) */
	size_t len;
	struct connpool_error err;        /* FETCH_MISSING / FETCH_ERROR */
};

/*
 * Fetch every t[i].table (status FETCH_PENDING) of `schema` over `m`.
 * `sql` is the caller's reusable buffer. Returns 0 when the connection is
 * still usable, -1 when it broke (the caller must release it as broken).
 * *round_trips is incremented per query sent. Call on the thread owning `m`.
 */
int fetch_schema_batch(MYSQL *m, const char *schema, struct fetched_table *t,
		       size_t n, struct strbuf *sql, unsigned *round_trips);

/* Whether `code` is a client-side (connection) error, not a server one. */
int fetch_is_client_error(unsigned code);

/* Free the bodies of t[0..n) and reset them to FETCH_PENDING. */
void fetch_reset(struct fetched_table *t, size_t n);

#endif
