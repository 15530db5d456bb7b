/*
 * Unit tests of engine/snapshot: the root's lock, the sweep of what a killed
 * run left, the path layout, and whole-file reads.
 *
 * flock() locks belong to an open file description, so a second
 * snapshot_lock() in this same process (a second open()) conflicts with the
 * first, just as another process would; a forked child confirms the
 * cross-process case too.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/store/atomic_file.h"
#include "engine/store/history.h"
#include "engine/store/snapshot.h"
#include "check.h"
#include "testutil.h"

/* The default history folder of `out` (a static buffer: one at a time). */
static const char *hist_of(const char *out)
{
	static char buf[4096];

	snprintf(buf, sizeof(buf), "%s/.history", out);
	return buf;
}

/* What an out-parameter holds before the call, to see that it was set. */
static char not_set_;
#define NOT_SET ((snapshot_root *)&not_set_)

static void test_snapshot_lock_creates_root_and_lock_file(void)
{
	char *dir = scratch_dir();
	char *out = path_join(dir, "nested/environments");
	char *lockfile = path_join(out, ".history/.rhizome.lock");
	char *ignore = path_join(out, ".history/.gitignore");
	char *elsewhere = path_join(dir, "runs/kept-here");
	char *lock2 = path_join(elsewhere, ".rhizome.lock");
	char *text = NULL;
	snapshot_root *root = NOT_SET;

	ASSERT_EQ(snapshot_lock(out, hist_of(out), &root), 0);
	ASSERT_TRUE(root != NULL && root != NOT_SET);
	/* the lock lives in the history folder, which git ignores wholly */
	ASSERT_TRUE(path_exists(lockfile));
	ASSERT_EQ(snapshot_read(ignore, &text, &(size_t){ 0 }), 0);
	ASSERT_TRUE(strstr(text, "\n*\n") != NULL);
	snapshot_unlock(root);
	snapshot_unlock(NULL); /* a no-op */
	/* a history folder elsewhere ([fleet] history) holds the lock */
	ASSERT_EQ(snapshot_lock(out, elsewhere, &root), 0);
	ASSERT_TRUE(path_exists(lock2));
	snapshot_unlock(root);
	free(text);
	free(lock2);
	free(elsewhere);
	free(ignore);
	free(lockfile);
	free(out);
	scratch_remove(dir);
}

static void test_snapshot_second_lock_in_same_process_fails_with_ewouldblock(void)
{
	char *out = scratch_dir();
	snapshot_root *first, *second;
	int err;

	ASSERT_EQ(snapshot_lock(out, hist_of(out), &first), 0);
	ASSERT_TRUE(first != NULL);
	err = snapshot_lock(out, hist_of(out), &second);
	if (second != NULL) {
		snapshot_unlock(second);
		snapshot_unlock(first);
		CHECK_FAIL("a second lock on the same root succeeded");
	}
	ASSERT_EQ(err, -EWOULDBLOCK);

	snapshot_unlock(first);
	/* released: free to take again */
	ASSERT_EQ(snapshot_lock(out, hist_of(out), &second), 0);
	ASSERT_TRUE(second != NULL);
	snapshot_unlock(second);
	scratch_remove(out);
}

static void test_snapshot_lock_held_by_another_process_fails_with_ewouldblock(void)
{
	char *out = scratch_dir();
	snapshot_root *root;
	int status;
	pid_t pid;

	ASSERT_EQ(snapshot_lock(out, hist_of(out), &root), 0);
	ASSERT_TRUE(root != NULL);
	fflush(stdout);
	pid = fork();
	ASSERT_TRUE(pid >= 0);
	if (pid == 0) {
		snapshot_root *r;
		int cerr = snapshot_lock(out, hist_of(out), &r);

		/* 0: refused as it should be; 1: wrongly got it; 2: other error */
		_exit(r != NULL ? 1 : cerr == -EWOULDBLOCK ? 0 : 2);
	}
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(WEXITSTATUS(status), 0);
	snapshot_unlock(root);

	/* once released, another process gets it */
	fflush(stdout);
	pid = fork();
	ASSERT_TRUE(pid >= 0);
	if (pid == 0) {
		snapshot_root *r;
		int cerr = snapshot_lock(out, hist_of(out), &r);

		_exit(r != NULL && cerr == 0 ? 0 : 1);
	}
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(WEXITSTATUS(status), 0);
	scratch_remove(out);
}

static void test_snapshot_lock_on_unusable_root_reports_errno(void)
{
	char *dir = scratch_dir();
	char *file = path_join(dir, "a-file");
	char *out = path_join(dir, "a-file/out");
	snapshot_root *root = NOT_SET;

	ASSERT_EQ(file_put_str(file, "x"), 0);
	ASSERT_EQ(snapshot_lock(out, hist_of(out), &root), -ENOTDIR);
	ASSERT_TRUE(root == NULL);
	free(out);
	free(file);
	scratch_remove(dir);
}

/* Create `rel` under `out` (folders as needed) holding `text`. */
static char *put(const char *out, const char *rel, const char *text)
{
	char *p = path_join(out, rel);
	char *slash = strrchr(p, '/');

	*slash = '\0';
	if (atomic_mkdirs(p) != 0)
		abort();
	*slash = '/';
	if (file_put_str(p, text) != 0)
		abort();
	return p;
}

static void test_snapshot_sweep_removes_leftovers_but_not_real_files(void)
{
	char *out = scratch_dir();
	const char *folders[] = { "na_prod", "demo", "never_written" };
	snapshot_root *root;
	/* what a finished run left: must survive */
	char *real_sql = put(out, "na_prod/expected_data/billing_fee.sql", "real");
	char *real_json = put(out, "demo/expected_data/billing_fee.json", "{}");
	char *published = put(out, ".history/20240101T000000Z-000/manifest.json",
			      "{}");
	char *published_zst = put(out, ".history/20240101T000000Z-000/e.jsonl.zst",
				  "z");
	char *lookalike = put(out, "na_prod/expected_data/x" ATOMIC_TMP_PREFIX "y",
			      "real too");
	/* what a killed run left: must go */
	char *tmp1 = put(out, "na_prod/expected_data/" ATOMIC_TMP_PREFIX
			 "billing_fee.sql.AbC123", "half");
	char *tmp2 = put(out, "demo/expected_data/" ATOMIC_TMP_PREFIX
			 "billing_fee.json.XyZ789", "half");
	char *run_tmp = put(out, ".history/" HISTORY_TMP_PREFIX
			    "20240102T000000Z-000/e.jsonl.zst", "half");
	char *run_tmp_manifest = put(out, ".history/" HISTORY_TMP_PREFIX
				     "20240102T000000Z-000/" ATOMIC_TMP_PREFIX
				     "manifest.json.Q1w2E3", "half");
	char *run_tmp_dir = path_join(out, ".history/" HISTORY_TMP_PREFIX
				      "20240102T000000Z-000");
	/* a folder not in the list is not this run's to sweep */
	char *other = put(out, "other/expected_data/" ATOMIC_TMP_PREFIX "z.sql.1",
			  "not ours");

	ASSERT_EQ(snapshot_lock(out, hist_of(out), &root), 0);
	ASSERT_EQ(snapshot_sweep(root, folders, 3), 3); /* 2 files, 1 run folder */

	ASSERT_TRUE(!path_exists(tmp1));
	ASSERT_TRUE(!path_exists(tmp2));
	ASSERT_TRUE(!path_exists(run_tmp));
	ASSERT_TRUE(!path_exists(run_tmp_manifest));
	ASSERT_TRUE(!path_exists(run_tmp_dir));
	ASSERT_TRUE(path_exists(real_sql));
	ASSERT_TRUE(path_exists(real_json));
	ASSERT_TRUE(path_exists(published));
	ASSERT_TRUE(path_exists(published_zst));
	ASSERT_TRUE(path_exists(lookalike));
	ASSERT_TRUE(path_exists(other));

	ASSERT_EQ(snapshot_sweep(root, folders, 3), 0); /* nothing left */
	snapshot_unlock(root);
	free(real_sql);
	free(real_json);
	free(published);
	free(published_zst);
	free(lookalike);
	free(tmp1);
	free(tmp2);
	free(run_tmp);
	free(run_tmp_manifest);
	free(run_tmp_dir);
	free(other);
	scratch_remove(out);
}

static void test_snapshot_sweep_of_fresh_root_removes_nothing(void)
{
	char *out = scratch_dir();
	const char *folders[] = { "na_prod" };
	snapshot_root *root;

	ASSERT_EQ(snapshot_lock(out, hist_of(out), &root), 0);
	ASSERT_EQ(snapshot_sweep(root, folders, 1), 0);
	ASSERT_EQ(snapshot_sweep(root, NULL, 0), 0);
	snapshot_unlock(root);
	scratch_remove(out);
}

static void test_snapshot_paths_have_exact_layout(void)
{
	char *p = snapshot_table_path("environments", "na_prod",
				      "billing_bookkeeper", "ledger_entry",
				      ".sql");

	ASSERT_STR_EQ(p, "environments/na_prod/expected_data/"
			 "billing_bookkeeper_ledger_entry.sql");
	free(p);
	p = snapshot_table_path("/srv/out", "demo", "billing_event", "event",
				".json");
	ASSERT_STR_EQ(p, "/srv/out/demo/expected_data/billing_event_event.json");
	free(p);
	p = snapshot_data_dir("environments", "na_prod");
	ASSERT_STR_EQ(p, "environments/na_prod/expected_data");
	free(p);
}

static void test_snapshot_read_returns_whole_file(void)
{
	char *dir = scratch_dir();
	char *path = path_join(dir, "f.sql");
	static const char body[] = "CREATE TABLE `t` (\n  `b` blob\n);\n\0tail";
	char *data = NULL;
	size_t len = 0;

	ASSERT_EQ(file_put(path, body, sizeof(body) - 1), 0);
	ASSERT_EQ(snapshot_read(path, &data, &len), 0);
	ASSERT_EQ(len, sizeof(body) - 1);            /* past the embedded NUL */
	ASSERT_TRUE(memcmp(data, body, len) == 0);
	ASSERT_EQ(data[len], '\0');
	free(data);
	ASSERT_EQ(file_put(path, "", 0), 0);
	ASSERT_EQ(snapshot_read(path, &data, &len), 0);
	ASSERT_EQ(len, 0);
	ASSERT_TRUE(data != NULL && data[0] == '\0');
	free(data);
	free(path);
	scratch_remove(dir);
}

static void test_snapshot_read_of_missing_file_returns_enoent(void)
{
	char *dir = scratch_dir();
	char *path = path_join(dir, "absent.sql");
	char *data = (char *)"sentinel";
	size_t len = 99;

	ASSERT_EQ(snapshot_read(path, &data, &len), -ENOENT);
	ASSERT_TRUE(data == NULL);
	ASSERT_EQ(len, 0);
	free(path);
	scratch_remove(dir);
}

/* A .sql file is its history body and ";\n"; a .json file its body. */
static void test_snapshot_file_and_body_convert_both_ways(void)
{
	size_t len;
	char *f = snapshot_file_of(1, "CREATE TABLE t", 14, &len);

	ASSERT_EQ(len, 16);
	ASSERT_STR_EQ(f, "CREATE TABLE t;\n");
	ASSERT_EQ(snapshot_body_len(1, f, len), 14);
	ASSERT_EQ(snapshot_body_len(0, f, len), 16);
	ASSERT_EQ(snapshot_body_len(1, "x", 1), 1); /* edited: no ";\n" */
	free(f);
	f = snapshot_file_of(0, "{}\n", 3, &len);
	ASSERT_EQ(len, 3);
	ASSERT_STR_EQ(f, "{}\n");
	free(f);
}

int main(int argc, char **argv)
{
	CHECK_INIT(argc, argv);
	RUN(test_snapshot_lock_creates_root_and_lock_file);
	RUN(test_snapshot_second_lock_in_same_process_fails_with_ewouldblock);
	RUN(test_snapshot_lock_held_by_another_process_fails_with_ewouldblock);
	RUN(test_snapshot_lock_on_unusable_root_reports_errno);
	RUN(test_snapshot_sweep_removes_leftovers_but_not_real_files);
	RUN(test_snapshot_sweep_of_fresh_root_removes_nothing);
	RUN(test_snapshot_paths_have_exact_layout);
	RUN(test_snapshot_read_returns_whole_file);
	RUN(test_snapshot_read_of_missing_file_returns_enoent);
	RUN(test_snapshot_file_and_body_convert_both_ways);
	return CHECK_EXIT();
}
