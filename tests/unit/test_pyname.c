/* pyname: attribute and class names a generated module can use, whatever
 * the server's names, unique within a table. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "engine/gen/pyname.h"

static void test_plain_names_stay_as_they_are(void)
{
	ASSERT_TRUE(pyname_attr_ok("installed_rank"));
	ASSERT_TRUE(pyname_attr_ok("caf\xc3\xa9"));
	ASSERT_TRUE(pyname_attr_ok("Amount2"));
	ASSERT_TRUE(!pyname_attr_ok("class"));
	ASSERT_TRUE(!pyname_attr_ok("metadata"));
	ASSERT_TRUE(!pyname_attr_ok("json"));
	ASSERT_TRUE(!pyname_attr_ok("model_config"));
	ASSERT_TRUE(!pyname_attr_ok("_private"));
	ASSERT_TRUE(!pyname_attr_ok("2fa"));
	ASSERT_TRUE(!pyname_attr_ok("unit price"));
	ASSERT_TRUE(!pyname_attr_ok(""));
	/* what a generated module imports: a field would rebind it */
	ASSERT_TRUE(!pyname_attr_ok("text"));
	ASSERT_TRUE(!pyname_attr_ok("date"));
	ASSERT_TRUE(!pyname_attr_ok("Column"));
	ASSERT_TRUE(!pyname_attr_ok("INTEGER"));
	ASSERT_TRUE(!pyname_attr_ok("V12Model"));
	ASSERT_TRUE(pyname_attr_ok("ID"));
	ASSERT_TRUE(pyname_attr_ok("Date"));
	ASSERT_TRUE(pyname_attr_ok("V1"));
}

static void test_unsafe_names_get_safe_unique_attributes(void)
{
	const char *const names[] = {
		"id", "class", "metadata", "unit price", "unit_price", "2fa",
		"_x", "from", "validate", "a-b", "a_b", "",
	};
	const char *const want[] = {
		"id", "class_", "metadata_", "unit_price", "unit_price_2",
		"c_2fa", "c__x", "from_", "validate_", "a_b", "a_b_2", "c_",
	};
	char *attrs[sizeof(names) / sizeof(names[0])];
	size_t i, n = sizeof(names) / sizeof(names[0]);

	pyname_attrs(names, n, attrs);
	for (i = 0; i < n; i++) {
		if (strcmp(attrs[i], want[i]) != 0)
			CHECK_FAIL("'%s' -> '%s', want '%s'", names[i], attrs[i],
				   want[i]);
		free(attrs[i]);
	}
}

static void test_class_names_are_camel_case(void)
{
	static const struct { const char *table, *cls; } cases[] = {
		{ "journal_entry", "JournalEntry" },
		{ "flyway_schema_history", "FlywaySchemaHistory" },
		{ "event", "Event" },
		{ "2024_sales", "T2024Sales" },
		{ "odd`name", "OddName" },
		{ "___", "T" },
		{ "", "T" },
		{ "caf\xc3\xa9_menu", "Caf\xc3\xa9Menu" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *c = pyname_class(cases[i].table);

		if (strcmp(c, cases[i].cls) != 0)
			CHECK_FAIL("'%s' -> '%s', want '%s'", cases[i].table, c,
				   cases[i].cls);
		free(c);
	}
}

int main(int argc, char **argv)
{
	CHECK_INIT(argc, argv);
	RUN(test_plain_names_stay_as_they_are);
	RUN(test_unsafe_names_get_safe_unique_attributes);
	RUN(test_class_names_are_camel_case);
	return CHECK_EXIT();
}
