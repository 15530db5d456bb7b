/* pytype: each column type as SHOW CREATE TABLE writes it, as SQLAlchemy's
 * MySQL dialect and a Python annotation spell it; unknown types refused. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "engine/base/strbuf.h"
#include "engine/gen/pytype.h"

static const struct {
	const char *sql;
	int json;
	const char *sa;
	const char *python;     /* NULL: an Enum class */
	unsigned max_length;
} cases[] = {
	{ "int(11)", 0, "INTEGER(display_width=11)", "int", 0 },
	{ "int(10) unsigned", 0, "INTEGER(display_width=10, unsigned=True)", "int", 0 },
	{ "bigint(20) unsigned", 0, "BIGINT(display_width=20, unsigned=True)", "int", 0 },
	{ "bigint unsigned", 0, "BIGINT(unsigned=True)", "int", 0 },
	{ "smallint(5) unsigned zerofill", 0,
	  "SMALLINT(display_width=5, unsigned=True, zerofill=True)", "int", 0 },
	{ "tinyint(1)", 0, "TINYINT(display_width=1)", "bool", 0 },
	{ "tinyint(4)", 0, "TINYINT(display_width=4)", "int", 0 },
	{ "mediumint(8)", 0, "MEDIUMINT(display_width=8)", "int", 0 },
	{ "year(4)", 0, "YEAR(display_width=4)", "int", 0 },
	{ "decimal(19,4)", 0, "DECIMAL(19, 4)", "Decimal", 0 },
	{ "decimal(18,6) unsigned", 0, "DECIMAL(18, 6, unsigned=True)", "Decimal", 0 },
	{ "double", 0, "DOUBLE(asdecimal=False)", "float", 0 },
	{ "float(7,3)", 0, "FLOAT(7, 3, asdecimal=False)", "float", 0 },
	{ "char(26)", 0, "CHAR(26)", "str", 26 },
	{ "varchar(255)", 0, "VARCHAR(255)", "str", 255 },
	{ "text", 0, "TEXT()", "str", 0 },
	{ "longtext", 0, "LONGTEXT()", "str", 0 },
	{ "longtext", 1, "JSON()", "Any", 0 },
	{ "json", 0, "JSON()", "Any", 0 },
	{ "varbinary(16)", 0, "VARBINARY(16)", "bytes", 0 },
	{ "binary(16)", 0, "BINARY(16)", "bytes", 0 },
	{ "blob", 0, "BLOB()", "bytes", 0 },
	{ "bit(1)", 0, "BIT(1)", "int", 0 },
	{ "date", 0, "DATE()", "date", 0 },
	{ "datetime", 0, "DATETIME()", "datetime", 0 },
	{ "datetime(6)", 0, "DATETIME(fsp=6)", "datetime", 0 },
	{ "timestamp(3)", 0, "TIMESTAMP(fsp=3)", "datetime", 0 },
	{ "time", 0, "TIME()", "time", 0 },
	{ "enum('debit','credit')", 0, "ENUM('debit', 'credit')", NULL, 0 },
	{ "set('a','b')", 0, "SET('a', 'b')", "str", 0 },
};

static void test_every_type_the_fleets_use(void)
{
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pytype t;

		if (pytype_of(cases[i].sql, cases[i].json, &t) != 0)
			CHECK_FAIL("%s: refused", cases[i].sql);
		if (strcmp(t.sa_type, cases[i].sa) != 0)
			CHECK_FAIL("%s: %s, want %s", cases[i].sql, t.sa_type,
				   cases[i].sa);
		if (cases[i].python == NULL ? t.python != PYTYPE_ENUM
		    : strcmp(pytype_python_name(t.python), cases[i].python) != 0)
			CHECK_FAIL("%s: annotation %s, want %s", cases[i].sql,
				   pytype_python_name(t.python) ? pytype_python_name(t.python)
								: "an Enum",
				   cases[i].python ? cases[i].python : "an Enum");
		ASSERT_EQ(t.max_length, cases[i].max_length);
		pytype_release(&t);
	}
}

static void test_enum_values_with_quotes_commas_and_backslashes(void)
{
	struct pytype t;

	ASSERT_EQ(pytype_of("enum('it''s','a,b','c\\\\d','(x)')", 0, &t), 0);
	ASSERT_EQ(t.nvalues, 4);
	ASSERT_STR_EQ(t.values[0], "it's");
	ASSERT_STR_EQ(t.values[1], "a,b");
	ASSERT_STR_EQ(t.values[2], "c\\d");
	ASSERT_STR_EQ(t.values[3], "(x)");
	ASSERT_STR_EQ(t.sa_type, "ENUM(\"it's\", 'a,b', 'c\\\\d', '(x)')");
	pytype_release(&t);
}

static void test_unknown_types_are_refused(void)
{
	static const char *const bad[] = {
		"geometry", "uuid", "int(11", "int(a)", "int(11) unsigned frob",
		"enum(a,b)", "enum('a'", "", "varchar(10) charset",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct pytype t;

		if (pytype_of(bad[i], 0, &t) != -EINVAL)
			CHECK_FAIL("'%s' accepted as %s", bad[i],
				   t.sa_type ? t.sa_type : "?");
		pytype_release(&t);
	}
}

static void test_python_literals_escape_what_python_would_misread(void)
{
	struct strbuf sb = STRBUF_INIT;

	pytype_literal(&sb, "a'b\\c\n\x7f caf\xc3\xa9");
	ASSERT_STR_EQ(sb.data, "\"a'b\\\\c\\x0a\\x7f caf\xc3\xa9\"");
	/* as repr(): single quotes unless the text holds ' and not " */
	strbuf_reset(&sb);
	pytype_literal(&sb, "it's \"quoted\"");
	ASSERT_STR_EQ(sb.data, "'it\\'s \"quoted\"'");
	strbuf_reset(&sb);
	pytype_literal(&sb, "plain");
	ASSERT_STR_EQ(sb.data, "'plain'");
	strbuf_release(&sb);
}

int main(int argc, char **argv)
{
	CHECK_INIT(argc, argv);
	RUN(test_every_type_the_fleets_use);
	RUN(test_enum_values_with_quotes_commas_and_backslashes);
	RUN(test_unknown_types_are_refused);
	RUN(test_python_literals_escape_what_python_would_misread);
	return CHECK_EXIT();
}
