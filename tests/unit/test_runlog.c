/*
 * Unit tests of engine/store/runlog: runs read back from hand-made
 * manifests in a scratch history folder, in time order (the ".N" counter
 * as a number), `latest` per environment and command, which runs pruning
 * keeps, and a removal that leaves no run folder. Files only: no server.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "engine/base/alloc.h"
#include "engine/store/atomic_file.h"
#include "engine/store/runlog.h"
#include "check.h"
#include "testutil.h"

/* Write run `id` of `command` covering `envs` ("a:ok b:err c:down"). */
static void put_run(const char *hist, const char *id, const char *command,
		    const char *started, const char *envs)
{
	char *dir = xasprintf("%s/%s", hist, id), *path, *text;
	char *list = xstrdup(envs), *tok, *save = NULL;
	json_t *m = json_pack("{s:s, s:s, s:s, s:s, s:{}}", "run_id", id,
			      "command", command, "started_at", started,
			      "finished_at", started, "environments");

	for (tok = strtok_r(list, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		char *colon = strchr(tok, ':');
		int err = strcmp(colon + 1, "err") == 0;
		int down = strcmp(colon + 1, "down") == 0;

		*colon = '\0';
		json_object_set_new(json_object_get(m, "environments"), tok,
			json_pack("{s:i, s:{s:i}, s:o, s:o}", "tables", 2,
				  "counts", "error", err || down ? 2 : 0,
				  "errors", err ? json_pack("[{s:s}]", "table", "t")
						: json_array(),
				  "unreached", down ? json_pack("{s:i}", "code", 2003)
						    : json_null()));
	}
	if (atomic_mkdirs(dir) != 0)
		abort();
	path = xasprintf("%s/manifest.json", dir);
	text = json_dumps(m, 0);
	if (file_put_str(path, text) != 0)
		abort();
	free(text);
	free(path);
	free(list);
	free(dir);
	json_decref(m);
}

static void test_runlog_reads_runs_in_time_order_and_skips_dotfiles(void)
{
	char *hist = scratch_dir();
	char *junk = path_join(hist, ".tmp-20260101T000000Z-000");
	char *bad = path_join(hist, "20260104T000000Z-000");
	struct runlog l;

	put_run(hist, "20260102T000000Z-000.10", "schema", "2026-01-02T00:00:00Z", "a:ok");
	put_run(hist, "20260102T000000Z-000.2", "schema", "2026-01-02T00:00:00Z", "a:ok");
	put_run(hist, "20260102T000000Z-000", "data", "2026-01-02T00:00:00Z", "a:ok");
	put_run(hist, "20260101T000000Z-999", "schema", "2026-01-01T00:00:00Z", "a:ok");
	ASSERT_EQ(mkdir(junk, 0777), 0);
	ASSERT_EQ(mkdir(bad, 0777), 0); /* a run folder without a manifest */
	ASSERT_EQ(runlog_load(hist, &l), 0);
	ASSERT_EQ(l.n, 5);
	ASSERT_STR_EQ(l.runs[0].id, "20260101T000000Z-999");
	ASSERT_STR_EQ(l.runs[1].id, "20260102T000000Z-000");
	ASSERT_STR_EQ(l.runs[2].id, "20260102T000000Z-000.2");
	ASSERT_STR_EQ(l.runs[3].id, "20260102T000000Z-000.10");
	ASSERT_TRUE(l.runs[4].manifest == NULL);
	ASSERT_TRUE(strstr(l.runs[4].why, "manifest.json: No such file") != NULL);
	ASSERT_EQ((long long)l.runs[0].started, 1767225600LL);
	/* latest: of a command, of an environment; never the unreadable */
	ASSERT_STR_EQ(runlog_find(&l, "latest", NULL, NULL)->id, "20260102T000000Z-000.10");
	ASSERT_STR_EQ(runlog_find(&l, "latest", "a", "data")->id, "20260102T000000Z-000");
	ASSERT_TRUE(runlog_find(&l, "latest", "b", NULL) == NULL);
	ASSERT_STR_EQ(runlog_find(&l, "20260102T000000Z-000.2", NULL, NULL)->id,
		      "20260102T000000Z-000.2");
	runlog_release(&l);
	free(bad);
	free(junk);
	scratch_remove(hist);
}

static void test_runlog_of_no_folder_is_empty_and_of_a_file_an_error(void)
{
	char *dir = scratch_dir();
	char *none = path_join(dir, "nothing-here");
	char *file = path_join(dir, "a-file");
	struct runlog l;

	ASSERT_EQ(runlog_load(none, &l), 0);
	ASSERT_EQ(l.n, 0);
	runlog_release(&l);
	ASSERT_EQ(file_put_str(file, "x"), 0);
	ASSERT_EQ(runlog_load(file, &l), -ENOTDIR);
	runlog_release(&l);
	free(file);
	free(none);
	scratch_remove(dir);
}

/*
 * Six runs: pruning to the newest one keeps it, the last run of each
 * (command, environment) and the last complete one: r1 (b's last complete
 * schema run), r2 (the data run), r4 (a's last complete schema run, as r5
 * failed for a), r5 (a's and b's last schema run); r0 and r3 go.
 */
static void test_runlog_prune_keeps_the_last_and_last_complete_of_each(void)
{
	char *hist = scratch_dir();
	unsigned char keep[6];
	struct runlog l;
	char *gone;

	put_run(hist, "20260101T000000Z-000", "schema", "2026-01-01T00:00:00Z", "a:ok b:ok");
	put_run(hist, "20260102T000000Z-000", "schema", "2026-01-02T00:00:00Z", "a:ok b:ok");
	put_run(hist, "20260103T000000Z-000", "data", "2026-01-03T00:00:00Z", "a:ok");
	put_run(hist, "20260104T000000Z-000", "schema", "2026-01-04T00:00:00Z", "a:ok");
	put_run(hist, "20260105T000000Z-000", "schema", "2026-01-05T00:00:00Z", "a:ok");
	put_run(hist, "20260106T000000Z-000", "schema", "2026-01-06T00:00:00Z", "a:down b:err");
	ASSERT_EQ(runlog_load(hist, &l), 0);
	ASSERT_EQ(runlog_plan_prune(&l, 1, 0, keep), 2);
	ASSERT_EQ(keep[0], 0);
	ASSERT_EQ(keep[1], 1);
	ASSERT_EQ(keep[2], 1);
	ASSERT_EQ(keep[3], 0);
	ASSERT_EQ(keep[4], 1);
	ASSERT_EQ(keep[5], 1);
	/* by age: runs started before Jan 5 may go, the same ones stay */
	ASSERT_EQ(runlog_plan_prune(&l, 0, 1767571200.0, keep), 2);
	ASSERT_EQ(keep[0] + keep[3], 0);
	/* no limit: nothing goes */
	ASSERT_EQ(runlog_plan_prune(&l, 0, 0, keep), 0);
	ASSERT_EQ(runlog_remove(hist, l.runs[0].id), 0);
	gone = path_join(hist, l.runs[0].id);
	ASSERT_TRUE(!path_exists(gone));
	ASSERT_EQ(dir_count_prefix(hist, ".tmp-"), 0);
	ASSERT_EQ(runlog_remove(hist, l.runs[0].id), -ENOENT);
	free(gone);
	runlog_release(&l);
	scratch_remove(hist);
}

/* A hand-edited entry that does not say what came of its tables is never
 * a success, and one that is not an object is not an environment's. */
static void test_runlog_outcome_of_malformed_entries_is_failed(void)
{
	json_t *ok = json_pack("{s:i, s:{s:i}, s:[]}", "tables", 2, "counts",
			       "error", 0, "errors");
	json_t *partial = json_pack("{s:i, s:{s:i}}", "tables", 2, "counts",
				    "error", 1);
	json_t *no_counts = json_pack("{s:i}", "tables", 2);
	json_t *text = json_string("x");
	json_t *m = json_pack("{s:{s:s}}", "environments", "dev", "x");
	struct runlog_entry r = { .manifest = m };

	ASSERT_EQ(runlog_env_outcome(ok), RUNLOG_OK);
	ASSERT_EQ(runlog_env_outcome(partial), RUNLOG_PARTIAL);
	ASSERT_EQ(runlog_env_outcome(no_counts), RUNLOG_FAILED);
	ASSERT_EQ(runlog_env_outcome(text), RUNLOG_FAILED);
	ASSERT_EQ(runlog_env_outcome(NULL), RUNLOG_FAILED);
	ASSERT_TRUE(runlog_env(&r, "dev") == NULL);
	ASSERT_STR_EQ(runlog_outcome_name(RUNLOG_PARTIAL), "partial");
	json_decref(ok);
	json_decref(partial);
	json_decref(no_counts);
	json_decref(text);
	json_decref(m);
}

int main(int argc, char **argv)
{
	CHECK_INIT(argc, argv);
	json_set_alloc_funcs(xmalloc, free);
	RUN(test_runlog_reads_runs_in_time_order_and_skips_dotfiles);
	RUN(test_runlog_of_no_folder_is_empty_and_of_a_file_an_error);
	RUN(test_runlog_prune_keeps_the_last_and_last_complete_of_each);
	RUN(test_runlog_outcome_of_malformed_entries_is_failed);
	return CHECK_EXIT();
}
