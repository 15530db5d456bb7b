/*
 * Unit tests of engine/classify: SPEC's "Change classification" table.
 * The texts are what a snapshot file holds: the statement, ";" and "\n".
 */
#include <string.h>

#include "engine/schema/classify.h"
#include "check.h"

#define HEAD "CREATE TABLE `ledger_entry` (\n" \
	     "  `id` bigint(20) NOT NULL AUTO_INCREMENT,\n" \
	     "  `amount` decimal(10,2) DEFAULT NULL,\n" \
	     "  PRIMARY KEY (`id`)\n"

static const char base[] =
	HEAD ") ENGINE=InnoDB AUTO_INCREMENT=5 DEFAULT CHARSET=latin1;\n";

static enum change_class cls(const char *fresh, const char *old)
{
	return classify_schema(fresh, strlen(fresh), old,
			       old ? strlen(old) : 0);
}

static void test_classify_without_old_file_is_new(void)
{
	ASSERT_EQ(cls(base, NULL), CLASS_NEW);
	/* even an empty fetch is new when there is no file */
	ASSERT_EQ(classify_schema("", 0, NULL, 0), CLASS_NEW);
}

static void test_classify_byte_equal_is_unchanged(void)
{
	char copy[sizeof(base)];

	memcpy(copy, base, sizeof(base)); /* equal bytes, another buffer */
	ASSERT_EQ(cls(base, copy), CLASS_UNCHANGED);
	/* an empty existing file and an empty fetch: equal, not new */
	ASSERT_EQ(classify_schema("", 0, "", 0), CLASS_UNCHANGED);
}

static void test_classify_only_auto_increment_value_differs_is_trivial(void)
{
	ASSERT_EQ(cls(HEAD ") ENGINE=InnoDB AUTO_INCREMENT=9 DEFAULT CHARSET=latin1;\n",
		      base),
		  CLASS_TRIVIAL);
}

static void test_classify_auto_increment_present_vs_absent_is_trivial(void)
{
	const char *absent =
		HEAD ") ENGINE=InnoDB DEFAULT CHARSET=latin1;\n";

	ASSERT_EQ(cls(absent, base), CLASS_TRIVIAL);
	ASSERT_EQ(cls(base, absent), CLASS_TRIVIAL);
}

static void test_classify_column_change_is_significant(void)
{
	const char *wider =
		"CREATE TABLE `ledger_entry` (\n"
		"  `id` bigint(20) NOT NULL AUTO_INCREMENT,\n"
		"  `amount` decimal(12,2) DEFAULT NULL,\n"
		"  PRIMARY KEY (`id`)\n"
		") ENGINE=InnoDB AUTO_INCREMENT=5 DEFAULT CHARSET=latin1;\n";

	ASSERT_EQ(cls(wider, base), CLASS_SIGNIFICANT);
}

static void test_classify_column_change_with_auto_increment_change_is_significant(void)
{
	const char *both =
		"CREATE TABLE `ledger_entry` (\n"
		"  `id` bigint(20) NOT NULL AUTO_INCREMENT,\n"
		"  `amount` decimal(10,2) DEFAULT NULL,\n"
		"  `memo` text,\n"
		"  PRIMARY KEY (`id`)\n"
		") ENGINE=InnoDB AUTO_INCREMENT=6 DEFAULT CHARSET=latin1;\n";

	ASSERT_EQ(cls(both, base), CLASS_SIGNIFICANT);
}

static void test_classify_other_table_option_change_is_significant(void)
{
	ASSERT_EQ(cls(HEAD ") ENGINE=InnoDB AUTO_INCREMENT=5 DEFAULT CHARSET=utf8mb4;\n",
		      base),
		  CLASS_SIGNIFICANT);
}

static void test_classify_change_inside_comment_with_auto_increment_is_significant(void)
{
	const char *old =
		HEAD ") ENGINE=InnoDB AUTO_INCREMENT=5 DEFAULT CHARSET=latin1 "
		"COMMENT='next AUTO_INCREMENT=5';\n";
	const char *fresh =
		HEAD ") ENGINE=InnoDB AUTO_INCREMENT=5 DEFAULT CHARSET=latin1 "
		"COMMENT='next AUTO_INCREMENT=6';\n";

	ASSERT_EQ(cls(fresh, old), CLASS_SIGNIFICANT);
}

static void test_classify_change_inside_column_default_is_significant(void)
{
	const char *old =
		"CREATE TABLE `t` (\n"
		"  `s` varchar(20) DEFAULT ' AUTO_INCREMENT=1'\n"
		") ENGINE=InnoDB DEFAULT CHARSET=latin1;\n";
	const char *fresh =
		"CREATE TABLE `t` (\n"
		"  `s` varchar(20) DEFAULT ' AUTO_INCREMENT=2'\n"
		") ENGINE=InnoDB DEFAULT CHARSET=latin1;\n";

	ASSERT_EQ(cls(fresh, old), CLASS_SIGNIFICANT);
}

static void test_classify_change_in_partition_clause_is_significant(void)
{
	const char *old =
		HEAD ") ENGINE=InnoDB DEFAULT CHARSET=latin1\n"
		" PARTITION BY HASH (`id`) AUTO_INCREMENT=3\nPARTITIONS 4;\n";
	const char *fresh =
		HEAD ") ENGINE=InnoDB DEFAULT CHARSET=latin1\n"
		" PARTITION BY HASH (`id`) AUTO_INCREMENT=4\nPARTITIONS 4;\n";

	ASSERT_EQ(cls(fresh, old), CLASS_SIGNIFICANT);
}

static void test_classify_compares_lengths_not_just_prefixes(void)
{
	/* fresh is a strict prefix of old: not unchanged */
	ASSERT_EQ(classify_schema(base, sizeof(base) - 3, base, sizeof(base) - 1),
		  CLASS_SIGNIFICANT);
	ASSERT_EQ(classify_schema(base, sizeof(base) - 1, base, sizeof(base) - 3),
		  CLASS_SIGNIFICANT);
}

/* ---- classify_data: sample rows, no normalization ---------------------------- */

static const char row[] =
	"{\n"
	"  \"id\": 1,\n"
	"  \"ddl\": \") ENGINE=InnoDB AUTO_INCREMENT=5 DEFAULT CHARSET=latin1\",\n"
	"  \"amount\": \"10.00\"\n"
	"}\n";

static enum change_class dcls(const char *fresh, const char *old)
{
	return classify_data(fresh, strlen(fresh), old, old ? strlen(old) : 0);
}

static void test_classify_data_without_old_file_is_new(void)
{
	ASSERT_EQ(dcls(row, NULL), CLASS_NEW);
	ASSERT_EQ(classify_data("", 0, NULL, 0), CLASS_NEW);
}

static void test_classify_data_byte_equal_is_unchanged(void)
{
	char copy[sizeof(row)];

	memcpy(copy, row, sizeof(row));
	ASSERT_EQ(dcls(row, copy), CLASS_UNCHANGED);
	ASSERT_EQ(classify_data("", 0, "", 0), CLASS_UNCHANGED);
}

static void test_classify_data_any_difference_is_significant_never_trivial(void)
{
	static const char *const variants[] = {
		/* only the AUTO_INCREMENT=N text inside a value differs: a
		 * schema would call this trivial, a row does not */
		"{\n"
		"  \"id\": 1,\n"
		"  \"ddl\": \") ENGINE=InnoDB AUTO_INCREMENT=9 DEFAULT CHARSET=latin1\",\n"
		"  \"amount\": \"10.00\"\n"
		"}\n",
		"{\n"
		"  \"id\": 1,\n"
		"  \"ddl\": \") ENGINE=InnoDB DEFAULT CHARSET=latin1\",\n"
		"  \"amount\": \"10.00\"\n"
		"}\n",
		/* white space only */
		"{\n"
		"  \"id\": 1,\n"
		"  \"ddl\": \") ENGINE=InnoDB AUTO_INCREMENT=5 DEFAULT CHARSET=latin1\",\n"
		"  \"amount\": \"10.00\"\n"
		"}",
		/* one digit */
		"{\n"
		"  \"id\": 2,\n"
		"  \"ddl\": \") ENGINE=InnoDB AUTO_INCREMENT=5 DEFAULT CHARSET=latin1\",\n"
		"  \"amount\": \"10.00\"\n"
		"}\n",
		"",
	};
	size_t i;

	for (i = 0; i < sizeof(variants) / sizeof(variants[0]); i++) {
		enum change_class a = dcls(variants[i], row);
		enum change_class b = dcls(row, variants[i]);

		if (a != CLASS_SIGNIFICANT || b != CLASS_SIGNIFICANT)
			CHECK_FAIL("variant %zu: %s / %s, want significant both ways",
				   i, classify_name(a), classify_name(b));
	}
	/* a strict prefix, either way */
	ASSERT_EQ(classify_data(row, sizeof(row) - 2, row, sizeof(row) - 1),
		  CLASS_SIGNIFICANT);
	ASSERT_EQ(classify_data(row, sizeof(row) - 1, row, sizeof(row) - 2),
		  CLASS_SIGNIFICANT);
	/* the very texts classify_schema calls trivial */
	{
		const char *fresh =
			HEAD ") ENGINE=InnoDB AUTO_INCREMENT=9 DEFAULT CHARSET=latin1;\n";

		ASSERT_EQ(cls(fresh, base), CLASS_TRIVIAL);
		ASSERT_EQ(dcls(fresh, base), CLASS_SIGNIFICANT);
	}
}

static void test_classify_name_spells_every_class_as_the_summary(void)
{
	ASSERT_STR_EQ(classify_name(CLASS_NEW), "new");
	ASSERT_STR_EQ(classify_name(CLASS_UNCHANGED), "unchanged");
	ASSERT_STR_EQ(classify_name(CLASS_TRIVIAL), "trivial");
	ASSERT_STR_EQ(classify_name(CLASS_SIGNIFICANT), "significant");
	ASSERT_STR_EQ(classify_name(CLASS_MISSING), "missing");
	ASSERT_STR_EQ(classify_name(CLASS_REMOVED), "removed");
	ASSERT_STR_EQ(classify_name(CLASS_EMPTY), "empty");
	ASSERT_STR_EQ(classify_name(CLASS_ERROR), "error");
	ASSERT_STR_EQ(classify_name(CLASS_COUNT), "?");
}

static void test_classify_writes_truth_table(void)
{
	static const struct {
		enum change_class c;
		int without_flag, with_flag;
	} rows[] = {
		{ CLASS_NEW, 1, 1 },
		{ CLASS_UNCHANGED, 0, 0 },
		{ CLASS_TRIVIAL, 0, 1 },
		{ CLASS_SIGNIFICANT, 1, 1 },
		{ CLASS_MISSING, 0, 0 },
		{ CLASS_REMOVED, 0, 0 }, /* deleted, not written */
		{ CLASS_EMPTY, 0, 0 },
		{ CLASS_ERROR, 0, 0 },
	};
	size_t i;

	ASSERT_EQ(sizeof(rows) / sizeof(rows[0]), CLASS_COUNT);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int w0 = classify_writes(rows[i].c, 0) != 0;
		int w1 = classify_writes(rows[i].c, 1) != 0;

		if (w0 != rows[i].without_flag || w1 != rows[i].with_flag)
			CHECK_FAIL("classify_writes(%s): got %d/%d, want %d/%d "
				   "(without/with --write-trivial)",
				   classify_name(rows[i].c), w0, w1,
				   rows[i].without_flag, rows[i].with_flag);
	}
}

int main(int argc, char **argv)
{
	CHECK_INIT(argc, argv);
	RUN(test_classify_without_old_file_is_new);
	RUN(test_classify_byte_equal_is_unchanged);
	RUN(test_classify_only_auto_increment_value_differs_is_trivial);
	RUN(test_classify_auto_increment_present_vs_absent_is_trivial);
	RUN(test_classify_column_change_is_significant);
	RUN(test_classify_column_change_with_auto_increment_change_is_significant);
	RUN(test_classify_other_table_option_change_is_significant);
	RUN(test_classify_change_inside_comment_with_auto_increment_is_significant);
	RUN(test_classify_change_inside_column_default_is_significant);
	RUN(test_classify_change_in_partition_clause_is_significant);
	RUN(test_classify_compares_lengths_not_just_prefixes);
	RUN(test_classify_data_without_old_file_is_new);
	RUN(test_classify_data_byte_equal_is_unchanged);
	RUN(test_classify_data_any_difference_is_significant_never_trivial);
	RUN(test_classify_name_spells_every_class_as_the_summary);
	RUN(test_classify_writes_truth_table);
	return CHECK_EXIT();
}
