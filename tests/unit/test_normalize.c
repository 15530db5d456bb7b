/*
 * Unit tests of engine/normalize: only the AUTO_INCREMENT=<n> table option,
 * on the line after the column list, is removed. Everything that merely
 * looks like it (a column attribute, a comment, a default, a partition
 * clause) is left byte for byte.
 */
#include <stdlib.h>
#include <string.h>

#include "engine/schema/normalize.h"
#include "check.h"

#include <errno.h>

/* normalize_schema() of a C string, with the length it reports checked. */
static char *norm(const char *text)
{
	size_t out_len = (size_t)-1;
	char *out = normalize_schema(text, strlen(text), &out_len);

	if (out == NULL || out_len != strlen(out)) {
		free(out);
		return NULL;
	}
	return out;
}

/*
 * Normalizing `in` must give exactly `want`, and normalizing that again must
 * change nothing (the result is a fixed point). Fails the calling test.
 */
static void check_normalizes(const char *in, const char *want)
{
	static char got[8192];
	char *out = norm(in), *again;

	ASSERT_TRUE(out != NULL);
	snprintf(got, sizeof(got), "%s", out);
	free(out);
	ASSERT_STR_EQ(got, want);
	again = norm(got);
	ASSERT_TRUE(again != NULL);
	snprintf(got, sizeof(got), "%s", again);
	free(again);
	ASSERT_STR_EQ(got, want);
}

#define ASSERT_NORMALIZES_TO(in, want) check_normalizes((in), (want))

static void test_normalize_removes_auto_increment_table_option(void)
{
	ASSERT_NORMALIZES_TO(
		"CREATE TABLE `ledger_entry` (\n"
		"  `id` bigint(20) NOT NULL AUTO_INCREMENT,\n"
		"  `amount` decimal(10,2) DEFAULT NULL,\n"
		"  PRIMARY KEY (`id`)\n"
		") ENGINE=InnoDB AUTO_INCREMENT=5 DEFAULT CHARSET=utf8mb4 "
		"COLLATE=utf8mb4_general_ci",
		"CREATE TABLE `ledger_entry` (\n"
		"  `id` bigint(20) NOT NULL AUTO_INCREMENT,\n"
		"  `amount` decimal(10,2) DEFAULT NULL,\n"
		"  PRIMARY KEY (`id`)\n"
		") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 "
		"COLLATE=utf8mb4_general_ci");
}

static void test_normalize_removes_option_in_snapshot_file_with_semicolon(void)
{
	/* what is on disk: the statement, ";" and a newline */
	ASSERT_NORMALIZES_TO(
		"CREATE TABLE `t` (\n  `id` int(11) NOT NULL AUTO_INCREMENT\n"
		") ENGINE=InnoDB AUTO_INCREMENT=123456789012 DEFAULT CHARSET=latin1;\n",
		"CREATE TABLE `t` (\n  `id` int(11) NOT NULL AUTO_INCREMENT\n"
		") ENGINE=InnoDB DEFAULT CHARSET=latin1;\n");
}

static void test_normalize_removes_option_at_end_of_options_line(void)
{
	ASSERT_NORMALIZES_TO(
		"CREATE TABLE `t` (\n  `id` int NOT NULL AUTO_INCREMENT\n"
		") ENGINE=InnoDB AUTO_INCREMENT=77",
		"CREATE TABLE `t` (\n  `id` int NOT NULL AUTO_INCREMENT\n"
		") ENGINE=InnoDB");
}

static void test_normalize_removes_option_last_before_semicolon(void)
{
	ASSERT_NORMALIZES_TO(
		"CREATE TABLE `t` (\n  `id` int NOT NULL AUTO_INCREMENT\n"
		") ENGINE=InnoDB AUTO_INCREMENT=5;\n",
		"CREATE TABLE `t` (\n  `id` int NOT NULL AUTO_INCREMENT\n"
		") ENGINE=InnoDB;\n");
}

static void test_normalize_leaves_column_auto_increment_attribute(void)
{
	const char *text =
		"CREATE TABLE `t` (\n"
		"  `id` int(11) NOT NULL AUTO_INCREMENT,\n"
		"  PRIMARY KEY (`id`)\n"
		") ENGINE=InnoDB DEFAULT CHARSET=latin1";

	ASSERT_NORMALIZES_TO(text, text);
}

static void test_normalize_leaves_table_comment_mentioning_the_option(void)
{
	ASSERT_NORMALIZES_TO(
		"CREATE TABLE `t` (\n  `id` int NOT NULL AUTO_INCREMENT\n"
		") ENGINE=InnoDB AUTO_INCREMENT=5 DEFAULT CHARSET=latin1 "
		"COMMENT='reset AUTO_INCREMENT=5 nightly'",
		"CREATE TABLE `t` (\n  `id` int NOT NULL AUTO_INCREMENT\n"
		") ENGINE=InnoDB DEFAULT CHARSET=latin1 "
		"COMMENT='reset AUTO_INCREMENT=5 nightly'");
}

static void test_normalize_leaves_table_comment_with_escaped_quotes(void)
{
	/* '' and \' inside the comment must not end it early */
	ASSERT_NORMALIZES_TO(
		"CREATE TABLE `t` (\n  `id` int\n"
		") ENGINE=InnoDB AUTO_INCREMENT=5 DEFAULT CHARSET=latin1 "
		"COMMENT='it''s AUTO_INCREMENT=5 and it\\'s AUTO_INCREMENT=6 too'",
		"CREATE TABLE `t` (\n  `id` int\n"
		") ENGINE=InnoDB DEFAULT CHARSET=latin1 "
		"COMMENT='it''s AUTO_INCREMENT=5 and it\\'s AUTO_INCREMENT=6 too'");
}

static void test_normalize_leaves_column_default_that_looks_like_the_option(void)
{
	const char *text =
		"CREATE TABLE `t` (\n"
		"  `note` varchar(40) DEFAULT ' AUTO_INCREMENT=7',\n"
		"  `n2` varchar(40) DEFAULT 'x) AUTO_INCREMENT=7'\n"
		") ENGINE=InnoDB DEFAULT CHARSET=latin1";

	ASSERT_NORMALIZES_TO(text, text);
}

static void test_normalize_leaves_column_comment_that_looks_like_the_option(void)
{
	ASSERT_NORMALIZES_TO(
		"CREATE TABLE `t` (\n"
		"  `id` int NOT NULL AUTO_INCREMENT COMMENT 'starts at AUTO_INCREMENT=9 )',\n"
		"  PRIMARY KEY (`id`)\n"
		") ENGINE=InnoDB AUTO_INCREMENT=10 DEFAULT CHARSET=latin1",
		"CREATE TABLE `t` (\n"
		"  `id` int NOT NULL AUTO_INCREMENT COMMENT 'starts at AUTO_INCREMENT=9 )',\n"
		"  PRIMARY KEY (`id`)\n"
		") ENGINE=InnoDB DEFAULT CHARSET=latin1");
}

static void test_normalize_leaves_partition_clause_on_following_lines(void)
{
	ASSERT_NORMALIZES_TO(
		"CREATE TABLE `p` (\n"
		"  `id` int NOT NULL AUTO_INCREMENT,\n"
		"  PRIMARY KEY (`id`)\n"
		") ENGINE=InnoDB AUTO_INCREMENT=12 DEFAULT CHARSET=latin1\n"
		" PARTITION BY RANGE (`id`) AUTO_INCREMENT=3 \n"
		"(PARTITION `p0` VALUES LESS THAN (1000) COMMENT = 'AUTO_INCREMENT=3' ENGINE = InnoDB,\n"
		" PARTITION `p1` VALUES LESS THAN MAXVALUE ENGINE = InnoDB)",
		"CREATE TABLE `p` (\n"
		"  `id` int NOT NULL AUTO_INCREMENT,\n"
		"  PRIMARY KEY (`id`)\n"
		") ENGINE=InnoDB DEFAULT CHARSET=latin1\n"
		" PARTITION BY RANGE (`id`) AUTO_INCREMENT=3 \n"
		"(PARTITION `p0` VALUES LESS THAN (1000) COMMENT = 'AUTO_INCREMENT=3' ENGINE = InnoDB,\n"
		" PARTITION `p1` VALUES LESS THAN MAXVALUE ENGINE = InnoDB)");
}

static void test_normalize_handles_quoted_names_with_parentheses_and_backticks(void)
{
	ASSERT_NORMALIZES_TO(
		"CREATE TABLE `we)ird``(na``me` (\n"
		"  `a)` int NOT NULL AUTO_INCREMENT,\n"
		"  `(b``` varchar(3) DEFAULT '(',\n"
		"  `c` varchar(3) DEFAULT \")\",\n"
		"  PRIMARY KEY (`a)`)\n"
		") ENGINE=InnoDB AUTO_INCREMENT=5 DEFAULT CHARSET=latin1",
		"CREATE TABLE `we)ird``(na``me` (\n"
		"  `a)` int NOT NULL AUTO_INCREMENT,\n"
		"  `(b``` varchar(3) DEFAULT '(',\n"
		"  `c` varchar(3) DEFAULT \")\",\n"
		"  PRIMARY KEY (`a)`)\n"
		") ENGINE=InnoDB DEFAULT CHARSET=latin1");
}

static void test_normalize_leaves_similar_but_different_options(void)
{
	/* not the option: no digits, a longer name, no leading space */
	const char *text =
		"CREATE TABLE `t` (\n  `id` int\n"
		") ENGINE=InnoDB AUTO_INCREMENT=x MY_AUTO_INCREMENT=5 "
		"AUTO_INCREMENT=5x DEFAULT CHARSET=latin1";

	ASSERT_NORMALIZES_TO(text, text);
}

static void test_normalize_returns_text_without_column_list_unchanged(void)
{
	const char *texts[] = {
		"",
		"CREATE TABLE t ENGINE=InnoDB AUTO_INCREMENT=5",
		"CREATE TABLE `t` LIKE `u` AUTO_INCREMENT=5",
		/* unbalanced: never closes its column list */
		"CREATE TABLE `t` (\n  `id` int\n ENGINE=InnoDB AUTO_INCREMENT=5",
		/* closes before it opens */
		") ENGINE=InnoDB AUTO_INCREMENT=5 (",
		/* the only parentheses are quoted */
		"CREATE TABLE `(t)` ENGINE=InnoDB AUTO_INCREMENT=5 COMMENT='()'",
	};
	size_t i;

	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		size_t out_len = 12345;
		char *out = normalize_schema(texts[i], strlen(texts[i]), &out_len);

		ASSERT_TRUE(out != NULL);
		ASSERT_EQ(out_len, strlen(texts[i]));
		if (memcmp(out, texts[i], out_len + 1) != 0) {
			free(out);
			CHECK_FAIL("text %zu changed: \"%s\"", i, texts[i]);
		}
		free(out);
	}
}

static void test_normalize_respects_length_not_nul(void)
{
	/* len covers only the first statement; what follows must not leak in */
	const char buf[] = "CREATE TABLE `t` (\n  `id` int\n"
			   ") ENGINE=InnoDB AUTO_INCREMENT=5 DEFAULT CHARSET=latin1"
			   "GARBAGE AFTER THE END";
	size_t len = strlen(buf) - strlen("GARBAGE AFTER THE END");
	size_t out_len = 0;
	char *out = normalize_schema(buf, len, &out_len);

	ASSERT_TRUE(out != NULL);
	ASSERT_EQ(out_len, len - strlen(" AUTO_INCREMENT=5"));
	ASSERT_EQ(out[out_len], '\0');
	if (strcmp(out, "CREATE TABLE `t` (\n  `id` int\n"
			") ENGINE=InnoDB DEFAULT CHARSET=latin1") != 0) {
		free(out);
		CHECK_FAIL("wrong result for a length-delimited text");
	}
	free(out);
}

/* ---- normalize_find_options ---------------------------------------------- */

/* In a name a backslash is an ordinary byte: `t\` closes at its second
 * backtick, so the column list and the options after it are still found;
 * in a string it escapes the quote after it. */
static void test_normalize_backslash_in_name_does_not_hide_its_closing_quote(void)
{
	ASSERT_NORMALIZES_TO(
		"CREATE TABLE `t\\` (\n  `c\\` int NOT NULL AUTO_INCREMENT\n"
		") ENGINE=InnoDB AUTO_INCREMENT=9 COMMENT='a\\'b (c'",
		"CREATE TABLE `t\\` (\n  `c\\` int NOT NULL AUTO_INCREMENT\n"
		") ENGINE=InnoDB COMMENT='a\\'b (c'");
}

static void test_find_options_spans_from_closing_paren_to_end_of_line(void)
{
	const char *t = "CREATE TABLE `t` (\n  `id` int (11)\n"
			") ENGINE=InnoDB AUTO_INCREMENT=5\n"
			" PARTITION BY HASH (`id`)";
	size_t start = 0, end = 0;
	size_t close = (size_t)(strstr(t, ") ENGINE") - t);
	size_t nl = (size_t)(strchr(t + close, '\n') - t);

	ASSERT_EQ(normalize_find_options(t, strlen(t), &start, &end), 0);
	ASSERT_EQ(start, close + 1);
	ASSERT_EQ(end, nl);
}

static void test_find_options_ends_at_text_end_without_newline(void)
{
	const char *t = "CREATE TABLE t (a int) ENGINE=X";
	size_t start = 0, end = 0;

	ASSERT_EQ(normalize_find_options(t, strlen(t), &start, &end), 0);
	ASSERT_EQ(start, strlen("CREATE TABLE t (a int)"));
	ASSERT_EQ(end, strlen(t));
}

static void test_find_options_is_empty_when_paren_ends_the_line(void)
{
	const char *t = "CREATE TABLE t (a int)\nENGINE=X";
	size_t start = 0, end = 0;

	ASSERT_EQ(normalize_find_options(t, strlen(t), &start, &end), 0);
	ASSERT_EQ(start, strlen("CREATE TABLE t (a int)"));
	ASSERT_EQ(end, start);
}

static void test_find_options_skips_quoted_parens_and_newlines(void)
{
	/* a ')' and a newline inside quotes are not the end of anything */
	const char *t = "CREATE TABLE `x)` (a int DEFAULT ')', b text "
			"COMMENT 'two\nlines )')"
			" ENGINE=X COMMENT='a\nb' ROW_FORMAT=DYNAMIC\nnext";
	size_t start = 0, end = 0;
	size_t want_start = (size_t)(strstr(t, "') ENGINE") - t) + 2;
	size_t want_end = (size_t)(strstr(t, "\nnext") - t);

	ASSERT_EQ(normalize_find_options(t, strlen(t), &start, &end), 0);
	ASSERT_EQ(start, want_start);
	ASSERT_EQ(end, want_end);
}

static void test_find_options_fails_without_balanced_column_list(void)
{
	size_t start = 7, end = 7;
	const char *none = "CREATE TABLE t ENGINE=X";
	const char *open = "CREATE TABLE t (a int";
	const char *closed_first = "x) (y)";

	ASSERT_EQ(normalize_find_options(none, strlen(none), &start, &end), -EINVAL);
	ASSERT_EQ(normalize_find_options(open, strlen(open), &start, &end), -EINVAL);
	ASSERT_EQ(normalize_find_options(closed_first, strlen(closed_first),
					 &start, &end), -EINVAL);
	ASSERT_EQ(normalize_find_options("", 0, &start, &end), -EINVAL);
}

int main(int argc, char **argv)
{
	CHECK_INIT(argc, argv);
	RUN(test_normalize_removes_auto_increment_table_option);
	RUN(test_normalize_removes_option_in_snapshot_file_with_semicolon);
	RUN(test_normalize_removes_option_at_end_of_options_line);
	RUN(test_normalize_removes_option_last_before_semicolon);
	RUN(test_normalize_leaves_column_auto_increment_attribute);
	RUN(test_normalize_leaves_table_comment_mentioning_the_option);
	RUN(test_normalize_leaves_table_comment_with_escaped_quotes);
	RUN(test_normalize_leaves_column_default_that_looks_like_the_option);
	RUN(test_normalize_leaves_column_comment_that_looks_like_the_option);
	RUN(test_normalize_leaves_partition_clause_on_following_lines);
	RUN(test_normalize_handles_quoted_names_with_parentheses_and_backticks);
	RUN(test_normalize_leaves_similar_but_different_options);
	RUN(test_normalize_returns_text_without_column_list_unchanged);
	RUN(test_normalize_respects_length_not_nul);
	RUN(test_normalize_backslash_in_name_does_not_hide_its_closing_quote);
	RUN(test_find_options_spans_from_closing_paren_to_end_of_line);
	RUN(test_find_options_ends_at_text_end_without_newline);
	RUN(test_find_options_is_empty_when_paren_ends_the_line);
	RUN(test_find_options_skips_quoted_parens_and_newlines);
	RUN(test_find_options_fails_without_balanced_column_list);
	return CHECK_EXIT();
}
