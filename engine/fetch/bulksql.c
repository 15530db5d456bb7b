/*
 * A bulk export's statements (bulksql.h).
 */
#include "engine/fetch/bulksql.h"

#include <string.h>

#include "engine/fetch/sqlident.h"

static void from(struct strbuf *sb, const char *schema, const char *table)
{
	strbuf_adds(sb, " FROM ");
	sqlident_quote(sb, schema);
	strbuf_add(sb, ".", 1);
	sqlident_quote(sb, table);
}

/* "(k_i > v_i OR (k_i = v_i AND ...))" from column i on. */
static void after(struct strbuf *sb, const char *const *key,
		  const char *const *last, size_t i, size_t nkey)
{
	sqlident_quote(sb, key[i]);
	strbuf_adds(sb, " > ");
	strbuf_adds(sb, last[i]);
	if (i + 1 == nkey)
		return;
	strbuf_adds(sb, " OR (");
	sqlident_quote(sb, key[i]);
	strbuf_adds(sb, " = ");
	strbuf_adds(sb, last[i]);
	strbuf_adds(sb, " AND (");
	after(sb, key, last, i + 1, nkey);
	strbuf_adds(sb, "))");
}

void bulksql_chunk(struct strbuf *sb, const char *schema, const char *table,
		   const char *const *key, size_t nkey, const char *const *last,
		   const char *lo, const char *hi, unsigned limit)
{
	const char *and = " WHERE ";
	size_t i;

	strbuf_adds(sb, "SELECT *");
	from(sb, schema, table);
	if (lo != NULL) {
		strbuf_adds(sb, and);
		sqlident_quote(sb, key[0]);
		strbuf_adds(sb, " >= ");
		strbuf_adds(sb, lo);
		and = " AND ";
	}
	if (hi != NULL) {
		strbuf_adds(sb, and);
		sqlident_quote(sb, key[0]);
		strbuf_adds(sb, " < ");
		strbuf_adds(sb, hi);
		and = " AND ";
	}
	if (last != NULL) {
		/* the leading column's range first: what the optimizer
		 * reads the index by */
		strbuf_adds(sb, and);
		sqlident_quote(sb, key[0]);
		strbuf_adds(sb, " >= ");
		strbuf_adds(sb, last[0]);
		strbuf_adds(sb, " AND (");
		after(sb, key, last, 0, nkey);
		strbuf_adds(sb, ")");
	}
	strbuf_adds(sb, " ORDER BY ");
	for (i = 0; i < nkey; i++) {
		strbuf_adds(sb, i ? ", " : "");
		sqlident_quote(sb, key[i]);
	}
	/* a number rhizome formats itself */
	strbuf_addf(sb, " LIMIT %u", limit);
}

void bulksql_one_pass(struct strbuf *sb, const char *schema,
		      const char *table, int mariadb)
{
	strbuf_adds(sb, mariadb ? "SET STATEMENT max_statement_time = 0 FOR "
		    "SELECT *" : "SELECT /*+ MAX_EXECUTION_TIME(0) */ *");
	from(sb, schema, table);
}

void bulksql_bounds(struct strbuf *sb, const char *schema, const char *table,
		    const char *key)
{
	strbuf_adds(sb, "SELECT MIN(");
	sqlident_quote(sb, key);
	strbuf_adds(sb, "), MAX(");
	sqlident_quote(sb, key);
	strbuf_adds(sb, ")");
	from(sb, schema, table);
}

void bulksql_estimates(struct strbuf *sb, const char *schema)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i, n = strlen(schema);

	strbuf_adds(sb, "SELECT TABLE_NAME, TABLE_ROWS FROM "
		    "information_schema.TABLES WHERE TABLE_SCHEMA = _utf8mb4 X'");
	for (i = 0; i < n; i++) {
		char pair[2] = { hex[(unsigned char)schema[i] >> 4],
				 hex[(unsigned char)schema[i] & 15] };

		strbuf_add(sb, pair, 2);
	}
	strbuf_add(sb, "'", 1);
}
