/*
 * Unit tests of engine/schema/sqltoken: where a quoted token or a comment
 * ends. Each case gives a text and the index the scanner must return, so a
 * test shows exactly which byte it takes for the end: strings honour
 * backslash escapes and doubled quotes, identifiers only doubled
 * backticks; an unterminated token runs to the length given; a raw newline
 * or a multi-byte UTF-8 character inside is only a byte of the token.
 */
#include <string.h>

#include "engine/schema/sqltoken.h"
#include "check.h"

/* sqltoken_skip_quoted over the whole of `s`, from index i. */
static size_t skip(const char *s, size_t i)
{
	return sqltoken_skip_quoted(s, strlen(s), i);
}

static void test_sqltoken_quotes_are_the_three_sql_quotes(void)
{
	ASSERT_TRUE(sqltoken_is_quote('\''));
	ASSERT_TRUE(sqltoken_is_quote('"'));
	ASSERT_TRUE(sqltoken_is_quote('`'));
	ASSERT_TRUE(!sqltoken_is_quote('('));
	ASSERT_TRUE(!sqltoken_is_quote('\\'));
	ASSERT_TRUE(!sqltoken_is_quote('\0'));
	ASSERT_TRUE(!sqltoken_is_quote((char)0xe2));
}

static void test_sqltoken_skip_quoted_returns_index_when_no_quote(void)
{
	ASSERT_EQ(skip("abc", 0), 0);
	ASSERT_EQ(skip("a 'b'", 1), 1);
	ASSERT_EQ(skip("(`a`)", 0), 0);
}

static void test_sqltoken_skip_quoted_ends_past_closing_quote(void)
{
	ASSERT_EQ(skip("'abc' x", 0), 5);
	ASSERT_EQ(skip("\"abc\" x", 0), 5);
	ASSERT_EQ(skip("`abc` x", 0), 5);
	ASSERT_EQ(skip("x = 'v', y", 4), 7);
	ASSERT_EQ(skip("'' x", 0), 2);
	ASSERT_EQ(skip("`` x", 0), 2); /* an empty name, not a doubled quote */
}

static void test_sqltoken_other_quotes_inside_are_plain(void)
{
	ASSERT_EQ(skip("'a\"b`c' x", 0), 7);
	ASSERT_EQ(skip("\"a'b`c\" x", 0), 7);
	ASSERT_EQ(skip("`a'b\"c` x", 0), 7);
}

static void test_sqltoken_doubled_quote_stays_inside(void)
{
	ASSERT_EQ(skip("'it''s' x", 0), 7);
	ASSERT_EQ(skip("\"say \"\"hi\"\"\" x", 0), 12);
	ASSERT_EQ(skip("`a``b` x", 0), 6);
	ASSERT_EQ(skip("`a````` x", 0), 7);
}

static void test_sqltoken_backslash_escapes_in_strings(void)
{
	ASSERT_EQ(skip("'it\\'s' x", 0), 7);
	ASSERT_EQ(skip("\"a\\\"b\" x", 0), 6);
	/* an escaped backslash, then the closing quote */
	ASSERT_EQ(skip("'a\\\\' x", 0), 5);
	/* \\ then '' : the doubled quote is inside, ' closes */
	ASSERT_EQ(skip("'\\\\''' x", 0), 6);
}

static void test_sqltoken_backslash_is_plain_in_identifiers(void)
{
	/* `a\` is a whole name: the backslash escapes nothing */
	ASSERT_EQ(skip("`a\\` x", 0), 4);
	ASSERT_EQ(skip("`\\` x", 0), 3);
}

static void test_sqltoken_unterminated_quote_runs_to_len(void)
{
	ASSERT_EQ(skip("'abc", 0), 4);
	ASSERT_EQ(skip("`abc", 0), 4);
	ASSERT_EQ(skip("'", 0), 1);
	/* a closing quote escaped away, or doubled into the text */
	ASSERT_EQ(skip("'abc\\'", 0), 6);
	ASSERT_EQ(skip("'abc''", 0), 6);
	/* a trailing backslash: the last byte, escaping nothing */
	ASSERT_EQ(skip("'abc\\", 0), 5);
}

static void test_sqltoken_len_bounds_the_scan(void)
{
	const char *s = "('a)') x";

	/* bounded short of the closing quote: ends at the bound */
	ASSERT_EQ(sqltoken_skip_quoted(s, 4, 1), 4);
	ASSERT_EQ(sqltoken_skip_quoted(s, strlen(s), 1), 5);
	/* nothing past the bound is read, a doubled quote's second half
	 * or an escaped quote included */
	ASSERT_EQ(sqltoken_skip_quoted("'a'' x'", 4, 0), 4);
	ASSERT_EQ(sqltoken_skip_quoted("'a'' x'", 7, 0), 7);
	ASSERT_EQ(sqltoken_skip_quoted("'a\\' x'", 4, 0), 4);
	ASSERT_EQ(sqltoken_skip_quoted("'a\\' x'", 7, 0), 7);
}

static void test_sqltoken_raw_newline_inside_quoted_identifier(void)
{
	const char *s = "`line\none` int,\n  `b` int";

	ASSERT_EQ(skip(s, 0), 10);
	ASSERT_EQ(skip("'a\nb' x", 0), 5);
	ASSERT_EQ(skip("`a\r\n``b` x", 0), 8);
}

static void test_sqltoken_utf8_inside_quotes_is_bytes(void)
{
	/* "é" is 2 bytes, "€" 3, "𝄞" 4: none of them ASCII */
	const char *name = "`caf\xc3\xa9` x";
	const char *str = "'\xe2\x82\xac''\xf0\x9d\x84\x9e' x";
	const char *esc = "\"\xc3\xa9\\\"\xe2\x82\xac\" x";

	ASSERT_EQ(skip(name, 0), 7);
	ASSERT_EQ(skip(str, 0), 11);
	ASSERT_EQ(skip(esc, 0), 9);
}

static void test_sqltoken_skip_comment_ends_past_star_slash(void)
{
	const char *s = "/*!50100 PARTITION BY 'x' */ y";

	ASSERT_EQ(sqltoken_skip_comment(s, strlen(s), 0), 28);
	ASSERT_EQ(sqltoken_skip_comment("/**/ y", 6, 0), 4);
	ASSERT_EQ(sqltoken_skip_comment("a /* b */", 9, 2), 9);
}

static void test_sqltoken_skip_comment_ignores_quotes_inside(void)
{
	const char *s = "/* it's */ x";

	ASSERT_EQ(sqltoken_skip_comment(s, strlen(s), 0), 10);
}

static void test_sqltoken_skip_comment_returns_index_when_no_comment(void)
{
	ASSERT_EQ(sqltoken_skip_comment("a/*b*/", 6, 0), 0);
	ASSERT_EQ(sqltoken_skip_comment("/ * x", 5, 0), 0);
	ASSERT_EQ(sqltoken_skip_comment("'/*'", 4, 0), 0);
	/* "/" and "*" alone at the end open nothing */
	ASSERT_EQ(sqltoken_skip_comment("/*", 2, 0), 0);
	ASSERT_EQ(sqltoken_skip_comment("x/", 2, 1), 1);
}

static void test_sqltoken_unterminated_comment_runs_to_len(void)
{
	ASSERT_EQ(sqltoken_skip_comment("/* x", 4, 0), 4);
	ASSERT_EQ(sqltoken_skip_comment("/*/", 3, 0), 3);
	/* the bound hides the closing pair */
	ASSERT_EQ(sqltoken_skip_comment("/* x */", 6, 0), 6);
}

int main(int argc, char **argv)
{
	CHECK_INIT(argc, argv);
	RUN(test_sqltoken_quotes_are_the_three_sql_quotes);
	RUN(test_sqltoken_skip_quoted_returns_index_when_no_quote);
	RUN(test_sqltoken_skip_quoted_ends_past_closing_quote);
	RUN(test_sqltoken_other_quotes_inside_are_plain);
	RUN(test_sqltoken_doubled_quote_stays_inside);
	RUN(test_sqltoken_backslash_escapes_in_strings);
	RUN(test_sqltoken_backslash_is_plain_in_identifiers);
	RUN(test_sqltoken_unterminated_quote_runs_to_len);
	RUN(test_sqltoken_len_bounds_the_scan);
	RUN(test_sqltoken_raw_newline_inside_quoted_identifier);
	RUN(test_sqltoken_utf8_inside_quotes_is_bytes);
	RUN(test_sqltoken_skip_comment_ends_past_star_slash);
	RUN(test_sqltoken_skip_comment_ignores_quotes_inside);
	RUN(test_sqltoken_skip_comment_returns_index_when_no_comment);
	RUN(test_sqltoken_unterminated_comment_runs_to_len);
	return CHECK_EXIT();
}
