/*
 * Unit tests of engine/sqlident: every name ends up inside one backtick
 * quote, with embedded backticks doubled, whatever else it holds. Besides
 * exact outputs, each quoted name is parsed back the way the server lexes a
 * quoted identifier, to show the quote ends exactly where it should.
 */
#include <stdlib.h>
#include <string.h>

#include "engine/fetch/sqlident.h"
#include "engine/base/strbuf.h"
#include "check.h"

static char out[1024];

/* sqlident_quote(name) as a string (in a static buffer). */
static const char *quoted(const char *name)
{
	struct strbuf sb = STRBUF_INIT;

	sqlident_quote(&sb, name);
	snprintf(out, sizeof(out), "%s", sb.data ? sb.data : "(null)");
	strbuf_release(&sb);
	return out;
}

/*
 * Lex one backtick-quoted identifier at the start of `q` as MariaDB does
 * ("``" inside is one backtick). Returns the bytes consumed (0 when `q` is
 * not a complete quoted identifier) and the name in `name`.
 */
static size_t unquote(const char *q, char *name, size_t size)
{
	size_t i = 1, o = 0;

	if (q[0] != '`')
		return 0;
	for (;;) {
		if (q[i] == '\0')
			return 0;
		if (q[i] == '`') {
			if (q[i + 1] != '`')
				break;
			i++;
		}
		if (o + 1 < size)
			name[o++] = q[i];
		i++;
	}
	name[o] = '\0';
	return i + 1;
}

/* Quoting `name` gives `want`, which lexes back to `name` and ends there. */
static void check_quote(const char *name, const char *want)
{
	char back[512];
	size_t used;

	ASSERT_STR_EQ(quoted(name), want);
	used = unquote(out, back, sizeof(back));
	ASSERT_EQ(used, strlen(out));
	ASSERT_STR_EQ(back, name);
}

static void test_sqlident_quotes_plain_name_in_backticks(void)
{
	check_quote("ledger_entry", "`ledger_entry`");
}

static void test_sqlident_doubles_embedded_backticks(void)
{
	check_quote("a`b", "`a``b`");
	check_quote("`", "````");
	check_quote("``", "``````");
	check_quote("`x`", "```x```");
	/* a name trying to close the quote and start a statement */
	check_quote("t`; DROP TABLE x; --", "`t``; DROP TABLE x; --`");
}

static void test_sqlident_keeps_quotes_semicolons_spaces_inside(void)
{
	check_quote("it's", "`it's`");
	check_quote("say \"hi\"", "`say \"hi\"`");
	check_quote("a; DROP TABLE b; --", "`a; DROP TABLE b; --`");
	check_quote("with space", "`with space`");
	check_quote("back\\slash", "`back\\slash`");
	check_quote("/* c */", "`/* c */`");
}

static void test_sqlident_keeps_utf8_bytes_inside(void)
{
	/* "naïve_表" and an emoji: multi-byte UTF-8 passes through unchanged */
	check_quote("na\xc3\xafve_\xe8\xa1\xa8", "`na\xc3\xafve_\xe8\xa1\xa8`");
	check_quote("\xf0\x9f\x90\xa2`", "`\xf0\x9f\x90\xa2```");
}

static void test_sqlident_quotes_empty_name(void)
{
	check_quote("", "``");
}

static void test_sqlident_appends_to_existing_buffer(void)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_adds(&sb, "SELECT * FROM ");
	sqlident_quote(&sb, "a`b");
	ASSERT_STR_EQ(sb.data, "SELECT * FROM `a``b`");
	ASSERT_EQ(sb.len, strlen("SELECT * FROM `a``b`"));
	strbuf_release(&sb);
}

static void test_sqlident_show_create_output_exact(void)
{
	struct strbuf sb = STRBUF_INIT;

	sqlident_show_create(&sb, "billing_bookkeeper", "ledger_entry");
	ASSERT_STR_EQ(sb.data,
		      "SHOW CREATE TABLE `billing_bookkeeper`.`ledger_entry`");
	strbuf_reset(&sb);
	sqlident_show_create(&sb, "bill`ing", "le;dger entry");
	ASSERT_STR_EQ(sb.data, "SHOW CREATE TABLE `bill``ing`.`le;dger entry`");
	strbuf_reset(&sb);
	/* a dot in a name stays inside its quote: one schema, one table */
	sqlident_show_create(&sb, "a.b", "c`.`d");
	ASSERT_STR_EQ(sb.data, "SHOW CREATE TABLE `a.b`.`c``.``d`");
	strbuf_release(&sb);
}

int main(int argc, char **argv)
{
	CHECK_INIT(argc, argv);
	RUN(test_sqlident_quotes_plain_name_in_backticks);
	RUN(test_sqlident_doubles_embedded_backticks);
	RUN(test_sqlident_keeps_quotes_semicolons_spaces_inside);
	RUN(test_sqlident_keeps_utf8_bytes_inside);
	RUN(test_sqlident_quotes_empty_name);
	RUN(test_sqlident_appends_to_existing_buffer);
	RUN(test_sqlident_show_create_output_exact);
	return CHECK_EXIT();
}
