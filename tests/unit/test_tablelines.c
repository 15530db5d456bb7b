/* tablelines: `rhizome tables` text: lists and comments within 80
 * columns whatever the names, names no list or file can hold set apart. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "check.h"
#include "engine/base/strbuf.h"
#include "engine/base/utf8.h"
#include "engine/commands/tablelines.h"

/* The text for `summary` (stolen). Caller frees. */
static char *text_of(json_t *summary)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	if (fp == NULL)
		abort();
	ASSERT_EQ(tablelines_text(summary, fp), 0);
	fclose(fp);
	json_decref(summary);
	return buf;
}

static void assert_lines_within(const char *text, size_t width)
{
	const char *p = text;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		if (len > width)
			CHECK_FAIL("line of %zu bytes: %.*s", len, (int)len, p);
		p += nl ? len + 1 : len;
	}
}

/* Nine environments with long names, a table only some have: the
 * comment naming them wraps, even inside the list of environments. */
static void test_tablelines_wraps_a_long_list_of_environments(void)
{
	json_t *envs = json_object();
	char name[64], *text;
	int i;

	for (i = 0; i < 9; i++) {
		snprintf(name, sizeof(name), "production_region_%d_billing", i);
		json_object_set_new(envs, name, json_pack(
			"{s:s, s:s, s:[s, s]}", "database", "billing", "schema",
			"billing", "tables", "invoice", i < 8 ? "partial" : "x"));
	}
	text = text_of(json_pack("{s:o, s:[]}", "environments", envs, "errors"));
	assert_lines_within(text, 80);
	/* a name with its environments on a line of its own, broken inside
	 * only where it cannot fit one */
	ASSERT_CONTAINS(text, "; only in some environments:\n;  partial "
			      "(production_region_0_billing, "
			      "production_region_1_billing,\n;  "
			      "production_region_2_billing,");
	ASSERT_CONTAINS(text, "production_region_7_billing),\n"
			      ";  x (production_region_8_billing)\n");
	ASSERT_CONTAINS(text, "tables = invoice partial x\n");
	free(text);
}

/* A name with white space or a glob character is named for a glob; one
 * no file can hold (a '/', a newline, too long) for renaming; neither is
 * listed, and escapes keep a newline from breaking a line. */
static void test_tablelines_sets_apart_names_no_list_or_file_can_hold(void)
{
	char longname[201], *text;

	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	text = text_of(json_pack("{s:{s:{s:s, s:s, s:[s, s, s, s, s, s]}}, s:[]}",
		"environments", "e", "database", "db", "schema", "db", "tables",
		"ok", "has space", "star*", "ev/x", "ev\nnl", longname,
		"errors"));
	assert_lines_within(text, 80);
	/* over 64 bytes: a list refuses it, a glob takes it */
	ASSERT_CONTAINS(text, "; a glob only (white space or * ? [ in the "
			      "name, or over 64 bytes): has space,\n");
	ASSERT_CONTAINS(text, "nnnnnnnn\n;  nnnn");
	ASSERT_CONTAINS(text, "nnnn, star*\n");
	ASSERT_CONTAINS(text, "; no snapshot (not a safe file name: rename "
			      "it): ev\\x0anl, ev/x\n");
	ASSERT_CONTAINS(text, "tables = ok\n");
	free(text);
}

/* A long word is cut between characters, never inside a UTF-8 sequence
 * or an escape; an environment's error is a wrapped '#' comment. */
static void test_tablelines_cuts_words_whole_and_wraps_errors(void)
{
	struct strbuf name = STRBUF_INIT;
	char *text;
	const char *p;
	int i;

	strbuf_adds(&name, "q");
	for (i = 0; i < 40; i++)
		strbuf_adds(&name, i == 20 ? "\n" : "\xe6\x97\xa5"); /* 日 */
	text = text_of(json_pack("{s:{s:{s:s, s:s, s:[s]}, s:{s:s, s:s, s:n}}, "
		"s:[{s:s, s:s}]}", "environments", "e", "database", "db",
		"schema", "db", "tables", name.data, "down", "database", "db",
		"schema", "db", "tables", "errors", "env", "down", "message",
		"not reached: error 2002 (SQLSTATE HY000): cannot connect to "
		"socket /nonexistent/mysqld.sock (environment down, "
		"rhizome.cnf:12): Can't connect to local server through socket "
		"'/nonexistent/mysqld.sock' (2) (3 attempts)"));
	assert_lines_within(text, 80);
	ASSERT_TRUE(utf8_valid(text, strlen(text)));
	ASSERT_CONTAINS(text, "\\x0a");
	/* every line of the error is a comment */
	p = strstr(text, "# down:");
	ASSERT_TRUE(p != NULL);
	for (; p != NULL && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		ASSERT_EQ(*p, '#');
	free(text);
	strbuf_release(&name);
}

int main(int argc, char **argv)
{
	CHECK_INIT(argc, argv);
	RUN(test_tablelines_wraps_a_long_list_of_environments);
	RUN(test_tablelines_sets_apart_names_no_list_or_file_can_hold);
	RUN(test_tablelines_cuts_words_whole_and_wraps_errors);
	return CHECK_EXIT();
}
