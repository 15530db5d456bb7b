/*
 * Unit tests of engine/output/diffreport: the text and Markdown layouts of a
 * check summary, and summaries whose entries lack a key (a severity, a
 * change name, any change at all), as one read back from another run's
 * files may: they are rendered, never compared as strings that are not
 * there.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "engine/output/diffreport.h"
#include "check.h"

/* Both layouts of the summary that `json` (a test's own literal) spells:
 * the text diff and the Markdown report. Caller frees both. */
static void render(const char *json, char **text, char **md)
{
	json_error_t jerr;
	json_t *s = json_loads(json, 0, &jerr);
	size_t len = 0;
	FILE *fp;

	if (s == NULL)
		CHECK_FAIL("bad test JSON: %s", jerr.text);
	*text = NULL;
	fp = open_memstream(text, &len);
	if (fp == NULL)
		abort();
	ASSERT_EQ(diffreport_text(s, fp), 0);
	fclose(fp);
	*md = diffreport_markdown(s, "live schemas");
	json_decref(s);
}

static const char complete[] =
	"{\"run_id\": \"20240101T000000Z-000\", \"unchanged_count\": 3,"
	" \"trivial_count\": 1, \"error_count\": 0, \"errors\": [],"
	" \"drift\": ["
	"  {\"env\": \"prod\", \"table\": \"fee\", \"severity\": \"high\","
	"   \"path\": \"snap/f/expected_data/db_fee.sql\", \"changes\": ["
	"    {\"change\": \"column removed\", \"severity\": \"high\","
	"     \"object\": \"`amount`\", \"from\": \"int(11)\", \"to\": null}]},"
	"  {\"env\": \"prod\", \"table\": \"gone\", \"severity\": \"critical\","
	"   \"path\": \"snap/f/expected_data/db_gone.sql\", \"changes\": ["
	"    {\"change\": \"table removed\", \"severity\": \"critical\","
	"     \"object\": null, \"from\": null, \"to\": null}]}]}";

static void test_diffreport_lists_changes_counts_severities_and_says_what_to_run(void)
{
	char *text, *md;

	render(complete, &text, &md);
	ASSERT_CONTAINS(text, "prod.fee  [high]  snap/f/expected_data/db_fee.sql\n");
	ASSERT_CONTAINS(text, "  - column removed `amount` (was int(11))");
	ASSERT_CONTAINS(text, "2 pair(s) drifted: 1 critical, 1 high, 0 medium, "
			"0 low; 3 unchanged, 1 trivial (AUTO_INCREMENT only), "
			"0 error(s)\n");
	ASSERT_CONTAINS(md, "# Schema drift: live schemas against the committed "
			"snapshots\n");
	ASSERT_CONTAINS(md, "| critical | 1 |\n| high | 1 |\n| medium | 0 |\n");
	/* a removed table is accepted by removing its file */
	ASSERT_CONTAINS(md, "- To accept `prod.gone` (removed): `git rm "
			"snap/f/expected_data/db_gone.sql`.\n");
	ASSERT_CONTAINS(md, "- To accept `prod.fee`: `rhizome sync schema --env "
			"prod`, then commit `snap/f/expected_data/db_fee.sql`.\n");
	free(text);
	free(md);
}

/* An entry without a severity (and one whose severity is no string), one
 * without changes, a change without a name: each used to reach strcmp() or
 * strstr() as NULL. */
static const char partial[] =
	"{\"run_id\": \"r\", \"unchanged_count\": 0, \"trivial_count\": 0,"
	" \"error_count\": 0,"
	" \"drift\": ["
	"  {\"env\": \"prod\", \"table\": \"a\", \"path\": \"p/a.sql\","
	"   \"changes\": ["
	"    {\"severity\": \"low\", \"object\": \"`x`\", \"to\": \"int\"}]},"
	"  {\"env\": \"prod\", \"table\": \"b\", \"severity\": \"medium\","
	"   \"path\": \"p/b.sql\", \"changes\": []},"
	"  {\"env\": \"prod\", \"table\": \"c\", \"severity\": 7,"
	"   \"path\": \"p/c.sql\"}]}";

static void test_diffreport_of_entries_missing_keys_counts_what_is_there(void)
{
	char *text, *md;

	render(partial, &text, &md);
	/* a severity that is absent or not a string counts nowhere */
	ASSERT_CONTAINS(text, "3 pair(s) drifted: 0 critical, 0 high, 1 medium, "
			"0 low;");
	ASSERT_CONTAINS(md, "| medium | 1 |\n| low | 0 |\n");
	/* the nameless change is marked '~', as a change */
	ASSERT_CONTAINS(text, ": int");
	ASSERT_CONTAINS(md, "| ~ | ");
	/* without a first change that says "table removed", each is a sync */
	ASSERT_CONTAINS(md, "- To accept `prod.a`: `rhizome sync schema");
	ASSERT_CONTAINS(md, "- To accept `prod.b`: `rhizome sync schema");
	ASSERT_CONTAINS(md, "- To accept `prod.c`: `rhizome sync schema");
	ASSERT_TRUE(strstr(md, "git rm") == NULL);
	free(text);
	free(md);
}

int main(int argc, char **argv)
{
	CHECK_INIT(argc, argv);
	RUN(test_diffreport_lists_changes_counts_severities_and_says_what_to_run);
	RUN(test_diffreport_of_entries_missing_keys_counts_what_is_there);
	return CHECK_EXIT();
}
