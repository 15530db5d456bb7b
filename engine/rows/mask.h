/*
 * mask: keep production data out of repositories.
 *
 * The `[mask]` rules of the config (environments/config.h) say, per column,
 * how a value is written: `hash` (a keyed pseudonym: same length, digits
 * stay digits, ASCII letters stay letters of the same case, other
 * characters become characters of the same script block, ASCII punctuation
 * stays, so a UUID still looks like one and equal inputs give equal outputs
 * in every table, keeping joins aligned), `null`, or `constant:VALUE`.
 * Environments with `mask = required` refuse a table with a column that
 * looks sensitive by its name and that no rule covers.
 */
#ifndef RHIZOME_MASK_H
#define RHIZOME_MASK_H

#include <stddef.h>

#include <mysql.h>

#include "engine/base/strbuf.h"
#include "engine/rows/rowjson.h"
#include "environments/config.h"

/* The first rule matching database.table.column (case-insensitive),
 * borrowed from cfg, or NULL when none does. Thread-safe. */
const struct mask_rule *mask_match(const struct fleet_config *cfg,
				   const char *database, const char *table,
				   const char *column);

/* Whether a column name looks like it holds personal or secret data
 * (email, phone, address, name, birth date, IBAN, card, token...), the
 * list being in mask.c and the README. Only the first 255 bytes of the
 * name are looked at. Thread-safe. */
int mask_looks_sensitive(const char *column);

/*
 * Whether masking keeps a foreign key of `env` lined up: column `col` of
 * `table` referencing `ref_col` of `ref_table` (same database). A key
 * column masked by `null` or `constant` would make every row reference
 * nothing or the same row, and a hash on one side only would reference
 * rows that do not exist. 0, or -EINVAL with the reason, naming both
 * columns and the rule, in msg (`size` bytes). With `mask = none` nothing
 * applies. Thread-safe.
 */
int mask_key_check(const struct fleet_config *cfg, const struct env_config *env,
		   const char *table, const char *col, const char *ref_table,
		   const char *ref_col, char *msg, size_t size);

/*
 * How each column of `table` of `env` (fields[0..n), a result's) is
 * written, in cols[0..n): the first rule matching it, none with
 * `mask = none` (constants borrowed from cfg). When the environment
 * requires masking and columns look sensitive with no rule covering them,
 * returns -EPERM with the refusal, naming every such column and the
 * [mask] lines to add, in *why, and those lines alone in *lines (for a
 * refusal too long for one message); 0 otherwise. Thread-safe.
 */
int mask_plan_columns(const struct fleet_config *cfg,
		      const struct env_config *env, const char *table,
		      const MYSQL_FIELD *fields, unsigned n,
		      struct rowjson_column *cols, struct strbuf *why,
		      struct strbuf *lines);

/* What a value is, for mask_hash. */
enum mask_kind {
	MASK_TEXT = 0,   /* digits, letters and non-ASCII characters change
			  * within their class; ASCII punctuation stays */
	MASK_BYTES = 1,  /* every byte changes under a keyed stream */
	MASK_NUMBER = 2, /* only mantissa digits change: "1.5e20" stays a
			  * number of the same magnitude */
};

/*
 * Write the pseudonym of in[0..len) into out[0..len) (the caller's buffer)
 * under `key`. Bytes that do not change (by `kind`) are kept, so UTF-8 stays
 * UTF-8 and a number stays a number. The result differs from the input
 * whenever it has a byte that may change. Cannot fail. Thread-safe.
 */
void mask_hash(const void *key, size_t keylen, const char *in, size_t len,
	       char *out, enum mask_kind kind);

#endif
