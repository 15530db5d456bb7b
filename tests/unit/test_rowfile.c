/* rowfile: a data file's values as written, and as the SQL literals that
 * give the server its values back. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "engine/base/alloc.h"
#include "engine/rows/rowfile.h"

/* The literal of one value (JSON text) for a column of type `type`, or
 * "ERR: why". Caller frees. */
static char *literal(const char *type, const char *charset, const char *value)
{
	struct tm_column col = { .type = (char *)type, .charset = (char *)charset };
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	char *s;

	if (rowfile_sql_value(rowfile_kind_of(&col), value, value + strlen(value),
			      &out, &err) == 0)
		s = xstrdup(out.data ? out.data : "");
	else
		s = xasprintf("ERR: %s", err.data ? err.data : "");
	strbuf_release(&out);
	strbuf_release(&err);
	return s;
}

static void test_values_become_literals_that_give_them_back(void)
{
	static const struct { const char *type, *charset, *value, *want; } cases[] = {
		{ "bigint(20) unsigned", NULL, "18446744073709551615", "18446744073709551615" },
		{ "bigint(20)", NULL, "-9223372036854775808", "-9223372036854775808" },
		{ "bit(8)", NULL, "165", "165" },
		{ "year(4)", NULL, "2155", "2155" },
		{ "double", NULL, "2.718281828459045", "2.718281828459045" },
		{ "float", NULL, "1e-05", "1e-05" },
		{ "decimal(19,4)", NULL, "\"-0.0001\"", "-0.0001" },
		{ "binary(3)", NULL, "\"AAEC\"", "X'000102'" },
		{ "varchar(10)", "binary", "\"3q2+7w==\"", "X'DEADBEEF'" },
		{ "blob", NULL, "\"\"", "X''" },
		/* text with a backslash or a control byte: hex, so nothing in
		 * it needs escaping whatever the SQL mode */
		{ "varchar(40)", NULL, "\"it's \\\\ \\n\"", "_utf8mb4 X'69742773205C200A'" },
		{ "varchar(40)", NULL, "\"tab\\there\"", "_utf8mb4 X'7461620968657265'" },
		/* plain UTF-8 text: quoted, a quote doubled */
		{ "varchar(40)", NULL, "\"caf\\u00e9\"", "_utf8mb4'caf\xc3\xa9'" },
		{ "varchar(40)", NULL, "\"it's 'q'\"", "_utf8mb4'it''s ''q'''" },
		{ "varchar(40)", NULL, "\"\"", "_utf8mb4''" },
		{ "datetime(6)", NULL, "\"2038-01-19 03:14:07.999999\"",
		  "_utf8mb4'2038-01-19 03:14:07.999999'" },
		{ "int(11)", NULL, "null", "NULL" },
		{ "longtext", NULL, "null", "NULL" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = literal(cases[i].type, cases[i].charset, cases[i].value);

		if (strcmp(got, cases[i].want) != 0)
			CHECK_FAIL("%s %s: got %s, want %s", cases[i].type,
				   cases[i].value, got, cases[i].want);
		free(got);
	}
}

static void test_a_value_its_column_cannot_hold_is_refused(void)
{
	static const struct { const char *type, *value, *why; } cases[] = {
		{ "int(11)", "\"12\"", "a string where the column holds numbers" },
		{ "int(11)", "1.5", "a number (1.5) where the column holds integers" },
		{ "varchar(3)", "12", "a number (12) where the column holds strings" },
		{ "decimal(5,2)", "\"1e3\"", "a string that is not a decimal number" },
		{ "decimal(5,2)", "\"1.2; DROP\"", "a string that is not a decimal number" },
		{ "blob", "\"not base64!\"", "a string that is not base64" },
		{ "varchar(3)", "true", "a value that is no number, string or null" },
		{ "json", "{\"a\": 1}", "a value that is no number, string or null" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = literal(cases[i].type, NULL, cases[i].value);
		char *want = xasprintf("ERR: %s", cases[i].why);

		if (strcmp(got, want) != 0)
			CHECK_FAIL("%s %s: got %s, want %s", cases[i].type,
				   cases[i].value, got, want);
		free(got);
		free(want);
	}
}

static void test_the_scanner_finds_where_values_end(void)
{
	const char *row = "{\"a\": \"x\\\"}\", \"b\": [1, {\"c\": \"]\"}], \"d\": -1.5e3}";
	const char *p = rowfile_skip_ws(row + 1), *end;

	end = rowfile_skip_string(p); /* "a" */
	ASSERT_EQ((long)(end - p), 3);
	p = rowfile_skip_ws(rowfile_skip_ws(end) + 1);
	end = rowfile_skip_value(p);
	ASSERT_EQ(rowfile_class_of(p, end), ROWFILE_STRING);
	ASSERT_EQ((long)(end - p), 6);
	p = rowfile_skip_ws(rowfile_skip_ws(rowfile_skip_string(rowfile_skip_ws(end + 1))) + 1);
	end = rowfile_skip_value(p);
	ASSERT_EQ(rowfile_class_of(p, end), ROWFILE_ARRAY);
	ASSERT_EQ(*end, ',');
	p = rowfile_skip_ws(rowfile_skip_ws(rowfile_skip_string(rowfile_skip_ws(end + 1))) + 1);
	end = rowfile_skip_value(p);
	ASSERT_EQ(rowfile_class_of(p, end), ROWFILE_REAL);
	ASSERT_EQ(*end, '}');
}

int main(int argc, char **argv)
{
	CHECK_INIT(argc, argv);
	RUN(test_values_become_literals_that_give_them_back);
	RUN(test_a_value_its_column_cannot_hold_is_refused);
	RUN(test_the_scanner_finds_where_values_end);
	return CHECK_EXIT();
}
