/*
 * Quoting is the whole defence: a backtick inside a name is doubled, so the
 * quoted identifier always ends where it should. Names are never escaped
 * any other way and never appear in SQL unquoted.
 */
#include "engine/fetch/sqlident.h"

void sqlident_quote(struct strbuf *sb, const char *name)
{
	const char *p;

	strbuf_add(sb, "`", 1);
	for (p = name; *p; p++) {
		if (*p == '`')
			strbuf_add(sb, "``", 2);
		else
			strbuf_add(sb, p, 1);
	}
	strbuf_add(sb, "`", 1);
}

void sqlident_show_create(struct strbuf *sb, const char *schema,
			  const char *table)
{
	strbuf_adds(sb, "SHOW CREATE TABLE ");
	sqlident_quote(sb, schema);
	strbuf_add(sb, ".", 1);
	sqlident_quote(sb, table);
}
