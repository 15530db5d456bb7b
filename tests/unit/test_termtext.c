/* termtext: widths as tmux draws them, cuts between characters, prose
 * wrapped by words within a width whatever the text. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "engine/base/strbuf.h"
#include "engine/output/termtext.h"

/* Every line of `text` within `width` cells. */
static void assert_lines_within(const char *text, size_t width)
{
	const char *p = text;

	while (*p) {
		size_t len = strcspn(p, "\n");

		if (termtext_width_n(p, len) > width)
			CHECK_FAIL("line wider than %zu: '%.*s'", width, (int)len, p);
		p += len + (p[len] == '\n');
	}
}

static void test_report_icons_have_tmux_widths(void)
{
	ASSERT_EQ(termtext_width("\xe2\x9c\x85"), 2);         /* ✅ */
	ASSERT_EQ(termtext_width("\xe2\x9d\x8c"), 2);         /* ❌ */
	ASSERT_EQ(termtext_width("\xf0\x9f\x94\xb6"), 2);     /* 🔶 */
	ASSERT_EQ(termtext_width("\xf0\x9f\x93\x84"), 2);     /* 📄 */
	ASSERT_EQ(termtext_width("\xe2\x9a\xa0"), 1);         /* ⚠ */
	ASSERT_EQ(termtext_width("\xe2\x9a\xa0\xef\xb8\x8f"), 1); /* ⚠️ */
	ASSERT_EQ(termtext_width("abc"), 3);
	ASSERT_EQ(termtext_width("e\xcc\x81t\xc3\xa9"), 3);  /* é twice */
	ASSERT_EQ(termtext_width("\xe8\xa1\xa8"), 2);         /* 表 */
	ASSERT_EQ(termtext_width("\xff\xfe"), 2);             /* not UTF-8 */
}

static void test_fit_never_splits_a_character(void)
{
	const char *s = "a\xe8\xa1\xa8" "b";    /* a表b */

	ASSERT_EQ(termtext_fit(s, strlen(s), 0), 0);
	ASSERT_EQ(termtext_fit(s, strlen(s), 1), 1);
	ASSERT_EQ(termtext_fit(s, strlen(s), 2), 1);   /* 表 needs two */
	ASSERT_EQ(termtext_fit(s, strlen(s), 3), 4);
	ASSERT_EQ(termtext_fit(s, strlen(s), 9), strlen(s));
	/* the accent stays with its e */
	ASSERT_EQ(termtext_fit("e\xcc\x81x", 4, 1), 3);
}

static void test_wrap_keeps_words_whole_within_the_width(void)
{
	struct strbuf sb = STRBUF_INIT;

	termtext_wrap(&sb, "Legend: ok complete, data? ready for data sync, "
		      "empl? missing emplacement", 24, NULL, "  ");
	ASSERT_STR_EQ(sb.data, "Legend: ok complete,\n  data? ready for data\n"
		      "  sync, empl? missing\n  emplacement\n");
	assert_lines_within(sb.data, 24);
	strbuf_release(&sb);
}

static void test_wrap_cuts_a_word_longer_than_a_line(void)
{
	struct strbuf sb = STRBUF_INIT;
	char word[200];

	memset(word, 'x', sizeof(word) - 1);
	word[sizeof(word) - 1] = '\0';
	termtext_wrap(&sb, word, 40, "  - ", "    ");
	assert_lines_within(sb.data, 40);
	ASSERT_EQ(strncmp(sb.data, "  - xxx", 7), 0);
	strbuf_reset(&sb);
	/* wide characters: a cut that would leave half of one is not made */
	termtext_wrap(&sb, "\xe8\xa1\xa8\xe8\xa1\xa8\xe8\xa1\xa8\xe8\xa1\xa8"
		      "\xe8\xa1\xa8\xe8\xa1\xa8\xe8\xa1\xa8\xe8\xa1\xa8"
		      "\xe8\xa1\xa8\xe8\xa1\xa8\xe8\xa1\xa8", 21, "", "");
	assert_lines_within(sb.data, 21);
	ASSERT_STR_EQ(strchr(sb.data, '\n') + 1, "\xe8\xa1\xa8\n");
	strbuf_release(&sb);
}

/* a lead wider than the line: every character still comes out, once */
static void test_wrap_with_a_lead_wider_than_the_line_ends(void)
{
	struct strbuf sb = STRBUF_INIT;
	char lead[40];

	memset(lead, '>', sizeof(lead) - 1);
	lead[sizeof(lead) - 1] = '\0';
	termtext_wrap(&sb, "ab \xe8\xa1\xa8", 20, lead, lead);
	ASSERT_CONTAINS(sb.data, "a\n");
	ASSERT_CONTAINS(sb.data, "b\n");
	ASSERT_CONTAINS(sb.data, "\xe8\xa1\xa8\n");
	strbuf_release(&sb);
}

static void test_wrap_of_nothing_is_the_lead_alone(void)
{
	struct strbuf sb = STRBUF_INIT;

	termtext_wrap(&sb, "   ", 60, "Next:", "  ");
	ASSERT_STR_EQ(sb.data, "Next:\n");
	strbuf_release(&sb);
}

static void test_columns_come_from_columns_when_not_a_terminal(void)
{
	setenv("COLUMNS", "61", 1);
	ASSERT_EQ(termtext_columns(-1, 80), 61);
	setenv("COLUMNS", "61x", 1);
	ASSERT_EQ(termtext_columns(-1, 80), 80);
	setenv("COLUMNS", "0", 1);
	ASSERT_EQ(termtext_columns(-1, 80), 80);
	unsetenv("COLUMNS");
	ASSERT_EQ(termtext_columns(-1, 77), 77);
}

int main(int argc, char **argv)
{
	CHECK_INIT(argc, argv);
	RUN(test_report_icons_have_tmux_widths);
	RUN(test_fit_never_splits_a_character);
	RUN(test_wrap_keeps_words_whole_within_the_width);
	RUN(test_wrap_cuts_a_word_longer_than_a_line);
	RUN(test_wrap_with_a_lead_wider_than_the_line_ends);
	RUN(test_wrap_of_nothing_is_the_lead_alone);
	RUN(test_columns_come_from_columns_when_not_a_terminal);
	return CHECK_EXIT();
}
