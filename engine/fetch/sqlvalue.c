/*
 * Values as SQL literals (sqlvalue.h).
 */
#include "engine/fetch/sqlvalue.h"

#include <string.h>

static int is_temporal(enum enum_field_types t)
{
	return t == MYSQL_TYPE_DATE || t == MYSQL_TYPE_NEWDATE ||
	       t == MYSQL_TYPE_DATETIME || t == MYSQL_TYPE_TIMESTAMP ||
	       t == MYSQL_TYPE_TIME;
}

/* What a number may be made of, as the server prints one. */
static const char number_chars[] = "+-0123456789.eE";

void sqlvalue_literal(struct strbuf *sb, const MYSQL_FIELD *f, const char *v,
		      size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;

	/* a number as the server wrote it, if it is one (else as text,
	 * which the server converts back) */
	if (IS_NUM(f->type) && f->type != MYSQL_TYPE_BIT && len > 0 &&
	    strspn(v, number_chars) >= len) {
		strbuf_add(sb, v, len);
		return;
	}
	strbuf_adds(sb, f->charsetnr == 63 && !is_temporal(f->type)
		    ? "X'" : "_utf8mb4 X'");
	for (i = 0; i < len; i++) {
		char pair[2] = { hex[(unsigned char)v[i] >> 4],
				 hex[(unsigned char)v[i] & 15] };

		strbuf_add(sb, pair, 2);
	}
	strbuf_add(sb, "'", 1);
}

int sqlvalue_is_literal(const char *s)
{
	size_t n;

	if (s[0] != '\0' && strspn(s, number_chars) == strlen(s))
		return 1;
	if (strncmp(s, "_utf8mb4 ", 9) == 0)
		s += 9;
	if (s[0] != 'X' || s[1] != '\'')
		return 0;
	s += 2;
	n = strspn(s, "0123456789ABCDEF");
	return n % 2 == 0 && s[n] == '\'' && s[n + 1] == '\0';
}
