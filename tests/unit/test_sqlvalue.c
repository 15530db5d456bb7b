/* sqlvalue: a fetched value as a literal made of digits and hex digits
 * only, and the check a manifest's values pass before they go back into
 * SQL: nothing that could end a literal, start a comment or make an
 * expression. */
#include <string.h>

#include "check.h"
#include "engine/fetch/sqlvalue.h"

static char *literal(enum enum_field_types type, unsigned charsetnr,
		     const char *v, struct strbuf *sb)
{
	MYSQL_FIELD f;

	memset(&f, 0, sizeof(f));
	f.type = type;
	f.charsetnr = charsetnr;
	strbuf_reset(sb);
	sqlvalue_literal(sb, &f, v, strlen(v));
	return sb->data;
}

static void test_values_become_digits_or_hex(void)
{
	struct strbuf sb = STRBUF_INIT;

	ASSERT_STR_EQ(literal(MYSQL_TYPE_LONGLONG, 63, "-42", &sb), "-42");
	ASSERT_STR_EQ(literal(MYSQL_TYPE_NEWDECIMAL, 63, "12.50", &sb), "12.50");
	/* number characters that are no number: as text */
	ASSERT_STR_EQ(literal(MYSQL_TYPE_LONG, 63, "1--", &sb), "X'312D2D'");
	ASSERT_STR_EQ(literal(MYSQL_TYPE_VAR_STRING, 45, "a'b", &sb), "_utf8mb4 X'612762'");
	ASSERT_STR_EQ(literal(MYSQL_TYPE_VAR_STRING, 63, "\x01\xff", &sb), "X'01FF'");
	ASSERT_STR_EQ(literal(MYSQL_TYPE_DATETIME, 63, "2026-01-01", &sb),
		      "_utf8mb4 X'323032362D30312D3031'");
	strbuf_release(&sb);
}

static void test_only_literals_rhizome_writes_pass_the_check(void)
{
	static const char *const good[] = { "0", "-42", "12.50", "1e+20",
		"-1.5E-3", "X''", "X'0A'", "_utf8mb4 X'612762'" };
	static const char *const bad[] = { "", "1--", "1-1", "--1", "1e", "1.",
		".5", "+1", "1 OR 1", "X'0'", "X'0A", "X'0A' OR 1", "x'0A'",
		"_utf8mb4 X'61' --", "_latin1 X'61'", "'a'", "0x0A" };
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (!sqlvalue_is_literal(good[i]))
			CHECK_FAIL("refused %s", good[i]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (sqlvalue_is_literal(bad[i]))
			CHECK_FAIL("took %s", bad[i]);
}

int main(int argc, char **argv)
{
	CHECK_INIT(argc, argv);
	RUN(test_values_become_digits_or_hex);
	RUN(test_only_literals_rhizome_writes_pass_the_check);
	return CHECK_EXIT();
}
