/*
 * sqlvalue: a value the server sent, spelled back as a SQL literal that
 * compares as the column does, for the statements that ask for rows by
 * their values (keyfollow.h: the rows a key names; bulksql.h: the rows
 * after a chunk's last key).
 *
 * Only digits and hex digits come out of a value: a number as the server
 * wrote it (when it is made of number characters only), bytes of a binary
 * column as X'..', anything else as _utf8mb4 X'..', which the server
 * converts to the column's character set and compares in its collation,
 * as the key compares. So no value can end a literal or add a statement.
 *
 * Pure functions: thread-safe. Out of memory aborts (engine/base/alloc.h).
 */
#ifndef RHIZOME_SQLVALUE_H
#define RHIZOME_SQLVALUE_H

#include <stddef.h>

#include <mysql.h>

#include "engine/base/strbuf.h"

/* Append the literal of value v[0..len) (not NULL) of field f. */
void sqlvalue_literal(struct strbuf *sb, const MYSQL_FIELD *f, const char *v,
		      size_t len);

/* Whether s is a literal sqlvalue_literal could have written: a manifest
 * that stores one is read back through this, so a hand-edited file
 * cannot put anything else into a statement. */
int sqlvalue_is_literal(const char *s);

#endif
