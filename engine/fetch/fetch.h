/*
 * fetch: one round trip for a batch of statements, one per table: SHOW
 * CREATE TABLE (schema) or SELECT ... ORDER BY key LIMIT n (data).
 *
 * The batch's statements go to the server as one multi-statement query.
 * The server stops at the first failing statement, so when a table is
 * missing (1146) or refused, that table is marked and the statements after
 * it are sent again: a missing table costs one extra round trip, never the
 * rest of its batch. A client-side error (connection lost, timeout) ends the
 * batch: every table not yet fetched carries that error. The first query of
 * a batch opens with SHOW CREATE DATABASE, so a wrong or unreadable schema
 * fails its tables with that error rather than passing them off as missing,
 * and sets the session's settings (req->session: connpool_session_sql), as
 * every session's init command does, again: an init-command in the user's
 * option file runs after that one, not after this.
 */
#ifndef RHIZOME_FETCH_H
#define RHIZOME_FETCH_H

#include <stddef.h>

#include "environments/connpool.h"
#include "engine/base/strbuf.h"

enum fetch_status { FETCH_PENDING, FETCH_OK, FETCH_MISSING, FETCH_ERROR };

enum fetch_kind { FETCH_SCHEMA, FETCH_DATA };

/* How a round trip left the connection. */
enum fetch_outcome {
	FETCH_DONE,     /* answered; the connection is fine */
	FETCH_REFUSED,  /* the server refused (err filled); the connection is fine */
	FETCH_BROKEN,   /* the connection broke: release it as broken */
};

struct fetched_table {
	const char *table;          /* borrowed: the name fetched */
	const char *const *order_by; /* data: key columns to order by (borrowed) */
	size_t norder;
	enum fetch_status status;
	char *body;                 /* owned: the Create Table text (schema) */
	size_t len;
	MYSQL_RES *res;             /* owned: the rows (data) */
	struct connpool_error err;  /* FETCH_MISSING / FETCH_ERROR */
	int handled;                /* the caller's: on_ok dealt with it */
	int unreached;              /* the caller's: no connection to ask it
				     * over (err is the connect's) */
	unsigned attempts;          /* the caller's: times it was asked
				     * (fetch_reset leaves it) */
	int again_alone;            /* the caller's: to be asked again by
				     * itself (a read timed out on it) */
	const char *also;           /* data: more rows than the first ones,
				     * as " UNION (SELECT ...)" clauses
				     * (keyfollow.h; borrowed), or NULL */
};

/* A schema's tables (SHOW FULL TABLES, or information_schema in the
 * lookup): base tables and
 * system-versioned ones (a view or a sequence is fetched only when listed
 * by name, and then fails as not a base table), in strcmp order. Owned;
 * free with fetch_catalog_free. */
struct fetch_catalog {
	char **names;
	size_t n;
	int known;                  /* read (an empty schema: n == 0) */
};

void fetch_catalog_free(struct fetch_catalog *c);

/* Whether `code` is a client-side (connection) error, not a server one:
 * the connection cannot be trusted after it. Thread-safe. */
int fetch_is_client_error(unsigned code);

struct fetch_request {
	enum fetch_kind kind;
	const char *schema;         /* schema on the server */
	unsigned rows;              /* data: rows per table (LIMIT) */
	/* Optional: called with each table as soon as it is FETCH_OK, while
	 * the rest of the batch is still on its way, so results are handled
	 * (and freed) one at a time instead of held for the whole batch.
	 * The callback may take t->body and t->res (setting them NULL). It
	 * runs on the fetching thread, between two reads of `m`. */
	void (*on_ok)(void *ctx, struct fetched_table *t);
	/* Optional: called just before each query is sent (a batch may take
	 * more than one round trip: fetch.h's top), on the fetching thread. */
	void (*on_send)(void *ctx);
	void *ctx;
	/* Optional: the session's settings, one SET statement (borrowed),
	 * sent with the batch's first query. */
	const char *session;
	/* Optional: the server's @@hostname is read into this buffer (of
	 * hostname_size bytes; left empty if the answer has none) by the
	 * batch's first query, which costs no round trip of its own. */
	char *hostname;
	size_t hostname_size;
	/* Optional: the schema's tables are read into this (known set) by
	 * the batch's first query, which costs no round trip of its own. */
	struct fetch_catalog *catalog;
};

/*
 * Fetch every t[i] (status FETCH_PENDING) over `m` as `req` says. `sql` is
 * the caller's reusable buffer: free for the callback's use once it is
 * called. Returns FETCH_DONE when the connection is still usable (each
 * table's status says how it went), FETCH_BROKEN when it broke (the caller
 * must release it as broken). *round_trips is incremented per query sent.
 * Call on the thread owning `m`.
 */
enum fetch_outcome fetch_batch(MYSQL *m, const struct fetch_request *req,
			       struct fetched_table *t, size_t n,
			       struct strbuf *sql, unsigned *round_trips);

/* The keys of one table, as read by fetch_lookup(). */
struct table_key {
	char *table;
	char *index;                /* "PRIMARY" or a unique key's name */
	int primary;
	char **columns;             /* in key order */
	size_t ncolumns;
	int rejected;               /* while reading: has a NULL-able column */
};

/* A foreign key between two tables of one schema, as fetch_lookup reads
 * it. Strings owned; free with fetch_fks_free. */
struct fetch_fk {
	char *table;
	char *name;
	char **columns;             /* in key order */
	char **ref_columns;         /* ... and what each references */
	size_t ncolumns;
	char *ref_table;
};

void fetch_fks_free(struct fetch_fk *fks, size_t n);

/*
 * The environment's lookup, in one round trip: the schema's tables into
 * *catalog, and, when `keys` is not NULL, the primary key of every table
 * that has one and the first unique key (by name) without a NULL-able
 * column of those that have none (NULLs may repeat, so such a key fixes no
 * order) into *keys (caller frees with fetch_keys_free) and *nkeys.
 * When `fks` is not NULL (with keys), the foreign keys whose tables are
 * both in the schema into *fks (caller frees with fetch_fks_free) and
 * *nfks, in table and name order.
 * Returns FETCH_DONE, FETCH_REFUSED when the server refused (*err filled:
 * a schema that does not exist, say), FETCH_BROKEN when the connection
 * broke (*err filled). Call on the thread owning `m`.
 */
enum fetch_outcome fetch_lookup(MYSQL *m, const char *schema,
				struct fetch_catalog *catalog,
				struct table_key **keys, size_t *nkeys,
				struct fetch_fk **fks, size_t *nfks,
				struct connpool_error *err, struct strbuf *sql,
				unsigned *round_trips);

void fetch_keys_free(struct table_key *keys, size_t n);

/* Orders struct table_key by table name (strcmp): the comparator keys
 * are sorted and searched by (qsort, bsearch). Thread-safe. */
int fetch_key_compare(const void *a, const void *b);

/* Append the statement that fetches `t` (for messages: --verbose shows
 * the statement that failed). Thread-safe. */
void fetch_statement(struct strbuf *sql, const struct fetch_request *req,
		     const struct fetched_table *t);

/* Free the bodies and results of t[0..n), reset them to FETCH_PENDING. */
void fetch_reset(struct fetched_table *t, size_t n);

/* Free t's body and rows; its status and error stay (what was fetched
 * stays known after the result is gone). */
void fetch_release(struct fetched_table *t);

#endif
