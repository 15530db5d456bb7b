/*
 * sqlident: the one way rhizome puts a name into SQL.
 *
 * Every identifier is backtick-quoted with embedded backticks doubled, so no
 * table or schema name can end the quote or smuggle in a statement. Nothing
 * but quoted identifiers is ever concatenated into SQL text.
 */
#ifndef RHIZOME_SQLIDENT_H
#define RHIZOME_SQLIDENT_H

#include "engine/base/strbuf.h"

/* Append `name` quoted as an identifier. Thread-safe (sb is the caller's). */
void sqlident_quote(struct strbuf *sb, const char *name);

/* Append "SHOW CREATE TABLE `schema`.`table`". Thread-safe. */
void sqlident_show_create(struct strbuf *sb, const char *schema,
			  const char *table);

#endif
