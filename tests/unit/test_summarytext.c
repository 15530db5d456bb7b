/* summarytext: the sync summary for people: counts that add up, only what
 * changed, drifted or failed, long lists as counts per folder, names
 * escaped, nothing wider than the terminal. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "check.h"
#include "engine/output/summarytext.h"
#include "engine/output/termtext.h"

/* The text of the summary in `json` at `width`. Caller frees. */
static char *text_of(const char *json, unsigned width)
{
	json_error_t err;
	json_t *s = json_loads(json, 0, &err);
	char *buf = NULL;
	size_t len = 0;
	FILE *fp;

	if (s == NULL)
		CHECK_FAIL("bad fixture: %s", err.text);
	fp = open_memstream(&buf, &len);
	if (fp == NULL)
		abort();
	ASSERT_EQ(summarytext_write(s, width, fp), 0);
	fclose(fp);
	json_decref(s);
	return buf;
}

static void assert_lines_within(const char *text, size_t width)
{
	const char *p = text;

	while (*p) {
		size_t len = strcspn(p, "\n");

		if (termtext_width_n(p, len) > width)
			CHECK_FAIL("wider than %zu: '%.*s'", width, (int)len, p);
		p += len + (p[len] == '\n');
	}
}

static const char *schema_run =
	"{\"command\": \"schema\", \"run_id\": \"20261202T170129Z-944\","
	" \"elapsed_ms\": 812, \"round_trips\": 9, \"new_count\": 1,"
	" \"trivial_count\": 2, \"significant_count\": 1, \"unchanged_count\": 40,"
	" \"missing_count\": 1, \"removed_count\": 1, \"empty_count\": 0,"
	" \"error_count\": 3, \"new\": [\"env/dev/billing_a.sql\"],"
	" \"trivial\": [\"env/dev/t1.sql\", \"env/dev/t2.sql\"],"
	" \"significant\": [\"env/na_prod/billing_invoice.sql\"],"
	" \"unchanged\": [\"env/dev/never_shown.sql\"],"
	" \"missing\": [{\"env\": \"demo_billing\", \"table\": \"gone\"}],"
	" \"removed\": [{\"env\": \"dev_billing\", \"table\": \"old\","
	"   \"path\": \"env/dev/billing_old.sql\"}],"
	" \"empty\": [],"
	" \"errors\": [{\"env\": \"na_prod_billing\", \"table\": \"payment\","
	"   \"code\": 1205, \"message\": \"Lock wait timeout\\u001b[31m\","
	"   \"attempts\": 3},"
	"  {\"env\": \"na_prod_event\", \"table\": null, \"code\": 2002,"
	"   \"message\": \"cannot connect\", \"tables_not_fetched\": [\"a\", \"b\"]}],"
	" \"unlisted_count\": 1, \"unlisted\": [{\"env\": \"dev_billing\","
	"   \"table\": \"tmp_x\"}], \"dry_run\": false}";

static void test_counts_add_up_and_only_changes_are_listed(void)
{
	char *t = text_of(schema_run, 200);

	ASSERT_CONTAINS(t, "sync schema: 0.81 s, 9 round trips\n");
	/* 1 + 2 + 1 + 40 + 1 + 1 + 3 = 49 */
	ASSERT_CONTAINS(t, "49 table(s): 1 new, 1 significant, 2 trivial, "
			"40 unchanged, 1 missing, 1 removed, 3 errors; 1 "
			"unlisted on the servers");
	ASSERT_CONTAINS(t, "Written, new (1):\n  env/dev/billing_a.sql\n");
	ASSERT_CONTAINS(t, "Written, significant (1):\n"
			"  env/na_prod/billing_invoice.sql\n");
	ASSERT_CONTAINS(t, "Removed, the table is gone from the server (1):\n"
			"  env/dev/billing_old.sql\n");
	ASSERT_CONTAINS(t, "Failed (3 tables):\n");
	ASSERT_CONTAINS(t, "na_prod_billing: table payment: error 1205: Lock "
			"wait timeout\\x1b[31m (3 attempts)");
	ASSERT_CONTAINS(t, "na_prod_event: not reached, 2 table(s) not "
			"fetched: error 2002: cannot connect [a, b]");
	ASSERT_CONTAINS(t, "  demo_billing: gone\n");
	ASSERT_CONTAINS(t, "  dev_billing: tmp_x\n");
	ASSERT_CONTAINS(t, "2 snapshot(s) differ only in AUTO_INCREMENT=n");
	ASSERT_CONTAINS(t, "Run 20261202T170129Z-944;");
	ASSERT_TRUE(strstr(t, "never_shown") == NULL);
	ASSERT_TRUE(strstr(t, "\x1b") == NULL);
	free(t);
}

/* paths too long for the terminal: names under their folder */
static void test_long_paths_go_under_their_folder(void)
{
	char *t = text_of(schema_run, 28);

	ASSERT_CONTAINS(t, "Written, significant (1):\n  env/na_prod/\n"
			"    billing_invoice.sql\n");
	ASSERT_CONTAINS(t, "Written, new (1):\n  env/dev/billing_a.sql\n");
	free(t);
}

static void test_nothing_wider_than_the_terminal(void)
{
	unsigned w;

	for (w = 20; w <= 200; w += 7) {
		char *t = text_of(schema_run, w);

		assert_lines_within(t, w);
		free(t);
	}
}

static void test_a_long_list_becomes_counts_per_folder(void)
{
	json_t *s = json_pack("{s:s, s:i, s:b, s:[]}", "command", "data",
			      "new_count", 45, "dry_run", 1, "new");
	json_t *list = json_object_get(s, "new");
	char path[64], *dump, *t;
	int i;

	for (i = 0; i < 45; i++) {
		snprintf(path, sizeof(path), "env/%s/billing_%d.json",
			 i < 30 ? "dev" : "na_prod", i);
		json_array_append_new(list, json_string(path));
	}
	dump = json_dumps(s, 0);
	json_decref(s);
	t = text_of(dump, 80);
	ASSERT_CONTAINS(t, "sync data --dry-run:");
	ASSERT_CONTAINS(t, "Would write, new (45):\n  env/dev/: 30\n"
			"  env/na_prod/: 15\n");
	ASSERT_CONTAINS(t, "Dry run: nothing was written.");
	ASSERT_TRUE(strstr(t, "billing_3") == NULL);
	ASSERT_TRUE(strstr(t, "Run ") == NULL);
	free(t);
	free(dump);
}

/* removed entries are objects: many of them are counted per folder too */
static void test_many_removed_tables_are_counted_per_folder(void)
{
	json_t *s = json_pack("{s:s, s:i, s:b, s:[]}", "command", "schema",
			      "removed_count", 25, "dry_run", 0, "removed");
	json_t *list = json_object_get(s, "removed");
	char path[64], *dump, *t;
	int i;

	for (i = 0; i < 25; i++) {
		snprintf(path, sizeof(path), "env/%s/billing_%d.sql",
			 i < 5 ? "dev" : "na_prod", i);
		json_array_append_new(list, json_pack("{s:s, s:s, s:s}", "env",
						      "e", "table", "t", "path",
						      path));
	}
	dump = json_dumps(s, 0);
	json_decref(s);
	t = text_of(dump, 80);
	ASSERT_CONTAINS(t, "Removed, the table is gone from the server (25):\n"
			"  env/dev/: 5\n  env/na_prod/: 20\n");
	free(t);
	free(dump);
}

static void test_check_says_what_drifted_and_how(void)
{
	char *t = text_of(
		"{\"command\": \"check\", \"elapsed_ms\": 10, \"significant_count\": 1,"
		" \"unchanged_count\": 5, \"drift_count\": 1, \"error_count\": 0,"
		" \"drift\": [{\"env\": \"na_prod\", \"table\": \"invoice\","
		"  \"path\": \"env/na_prod/billing_invoice.sql\", \"severity\": \"medium\","
		"  \"changes\": [{\"change\": \"column added\", \"object\": \"note\","
		"   \"to\": \"varchar(20)\", \"severity\": \"medium\"}]}]}", 80);

	ASSERT_CONTAINS(t, "6 table(s): 1 drifted, 5 unchanged\n");
	ASSERT_CONTAINS(t, "na_prod invoice [medium] env/na_prod/billing_invoice.sql\n"
			"    + column added note: varchar(20) [medium]\n");
	ASSERT_TRUE(strstr(t, "No drift") == NULL);
	free(t);
	t = text_of("{\"command\": \"check\", \"unchanged_count\": 5,"
		    " \"drift_count\": 0, \"drift\": []}", 80);
	ASSERT_CONTAINS(t, "No drift: every snapshot matches its server.");
	free(t);
}

int main(int argc, char **argv)
{
	CHECK_INIT(argc, argv);
	RUN(test_counts_add_up_and_only_changes_are_listed);
	RUN(test_long_paths_go_under_their_folder);
	RUN(test_nothing_wider_than_the_terminal);
	RUN(test_a_long_list_becomes_counts_per_folder);
	RUN(test_many_removed_tables_are_counted_per_folder);
	RUN(test_check_says_what_drifted_and_how);
	return CHECK_EXIT();
}
