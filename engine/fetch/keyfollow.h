/*
 * keyfollow: `sync data --follow-keys`, the rows other sampled rows
 * reference, found before the rows are fetched, so that a database loaded
 * from the files passes its foreign-key checks.
 *
 * Over one environment's connection, level by level of the key graph:
 * level 0 reads the foreign-key columns of every listed table's first
 * rows (as sync data samples them: in key order, the same LIMIT); each
 * next level reads, for the rows those values name, their own
 * foreign-key columns; until a level finds no value not asked for before.
 * One round trip per level (more only when a level's statements pass
 * KEYFOLLOW_TRIP_MAX bytes), never one per row; every value is asked for
 * once, so cycles and self-references end. Only keys between tables of
 * the list are followed (a table without a file has no rows to add).
 *
 * What it finds becomes, per table, a clause its data statement adds
 * (fetch.h: fetched_table.also): " UNION (SELECT * ... WHERE (cols) IN
 * (...))", so the server gives the first rows and the referenced ones as
 * one result, without repeats, in key order, and the data file is written
 * as ever. Values go into SQL as hex literals (numbers as the server
 * wrote them), compared in the column's own collation, as the key is.
 *
 * A keyfollow is used by one thread at a time. Out of memory aborts
 * (engine/base/alloc.h).
 */
#ifndef RHIZOME_KEYFOLLOW_H
#define RHIZOME_KEYFOLLOW_H

#include <stddef.h>

#include "engine/base/strbuf.h"
#include "engine/fetch/fetch.h"

#define KEYFOLLOW_TRIP_MAX (1u << 20)
/* Bounds of the walk: a chain of rows referencing each other costs a
 * round trip a level, and every key value found goes into a statement. */
#define KEYFOLLOW_MAX_LEVELS 1000
#define KEYFOLLOW_MAX_KEYS 1000000

typedef struct keyfollow keyfollow;

/*
 * The key graph of `tables` (their names) of `schema`: key_of[i] orders
 * table i's first `rows` rows (NULL: no key), fks the schema's foreign
 * keys (those between two listed tables the server has are followed:
 * present[i], read during the call only). schema, tables, key_of and fks
 * are borrowed for the keyfollow's life. Never NULL.
 */
keyfollow *keyfollow_new(const char *schema, const char *const *tables,
			 size_t ntables, const struct table_key *const *key_of,
			 const int *present, const struct fetch_fk *fks,
			 size_t nfks, unsigned rows);
void keyfollow_free(keyfollow *kf);

/*
 * Find the referenced rows over `m`, level by level. FETCH_DONE, or the
 * failure (*err filled; FETCH_BROKEN: the connection broke; FETCH_REFUSED
 * also past KEYFOLLOW_MAX_LEVELS or KEYFOLLOW_MAX_KEYS). *round_trips
 * is incremented per query. Call once, on the thread owning `m`.
 */
enum fetch_outcome keyfollow_run(keyfollow *kf, MYSQL *m, struct strbuf *sql,
				 struct connpool_error *err,
				 unsigned *round_trips);

/* Table i's clause for fetched_table.also, or NULL when no other row
 * references one of its rows. Valid while kf lives; read-only, so any
 * thread may call it once keyfollow_run has returned (the sync's row
 * jobs are dispatched after the keys job that ran it). */
const char *keyfollow_also(const keyfollow *kf, size_t table);

/* What the run found: the levels read and the key values found. As
 * keyfollow_also for threads. */
unsigned keyfollow_levels(const keyfollow *kf);
size_t keyfollow_keys(const keyfollow *kf);

#endif
