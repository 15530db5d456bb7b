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

/* -?D+(.D+)?([eE][-+]?D+)? and nothing else: no "--" that would start
 * a comment, no "1-1" that would be an expression. */
static int is_number(const char *s)
{
	if (*s == '-')
		s++;
	if (!(*s >= '0' && *s <= '9'))
		return 0;
	while (*s >= '0' && *s <= '9')
		s++;
	if (*s == '.') {
		s++;
		if (!(*s >= '0' && *s <= '9'))
			return 0;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '-' || *s == '+')
			s++;
		if (!(*s >= '0' && *s <= '9'))
			return 0;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	return *s == '\0';
}

/* Whether v[0..len) is such a number (else it is written as text,
 * which the server converts back). */
static int number_of(const char *v, size_t len)
{
	char buf[80];

	if (len >= sizeof(buf))
		return 0;
	memcpy(buf, v, len);
	buf[len] = '\0';
	return is_number(buf);
}

void sqlvalue_literal(struct strbuf *sb, const MYSQL_FIELD *f, const char *v,
		      size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;

	/* a number as the server wrote it, if it is one (else as text,
	 * which the server converts back) */
	if (IS_NUM(f->type) && f->type != MYSQL_TYPE_BIT && len > 0 &&
	    strspn(v, number_chars) >= len && number_of(v, len)) {
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

	if (is_number(s))
		return 1;
	if (strncmp(s, "_utf8mb4 ", 9) == 0)
		s += 9;
	if (s[0] != 'X' || s[1] != '\'')
		return 0;
	s += 2;
	n = strspn(s, "0123456789ABCDEF");
	return n % 2 == 0 && s[n] == '\'' && s[n + 1] == '\0';
}
