/*
 * Unit tests of engine/atomic_file: a file appears whole or not at all.
 *
 * main() sets umask 027 before any atomic_* call, so a mode of 0640 proves
 * the umask is honoured: mkstemp's 0600 or a hard-coded 0644 would both
 * fail. A crash between write and rename is a
 * child process that opens and writes, then _exit()s without committing.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/store/atomic_file.h"
#include "check.h"
#include "testutil.h"

#define TEST_UMASK 027

static void assert_file_is(const char *path, const char *want)
{
	size_t len = 0;
	char *got = file_get(path, &len);

	ASSERT_TRUE(got != NULL);
	if (len != strlen(want) || memcmp(got, want, len) != 0) {
		free(got);
		CHECK_FAIL("%s does not hold \"%s\"", path, want);
	}
	free(got);
}

static void test_atomic_write_creates_file_with_contents_and_umask_mode(void)
{
	char *dir = scratch_dir();
	char *path = path_join(dir, "billing_ledger.sql");
	static const char body[] = "CREATE TABLE `ledger` (\n  `id` int\n);\n";
	struct stat st;

	ASSERT_EQ(atomic_write_file(path, body, strlen(body)), 0);
	assert_file_is(path, body);
	ASSERT_EQ(stat(path, &st), 0);
	ASSERT_TRUE(S_ISREG(st.st_mode));
	ASSERT_EQ(st.st_mode & 07777, 0666 & ~TEST_UMASK);
	ASSERT_EQ(dir_count(dir), 1);
	free(path);
	scratch_remove(dir);
}

static void test_atomic_write_of_empty_contents_creates_empty_file(void)
{
	char *dir = scratch_dir();
	char *path = path_join(dir, "empty.json");
	struct stat st;

	ASSERT_EQ(atomic_write_file(path, "", 0), 0);
	ASSERT_EQ(stat(path, &st), 0);
	ASSERT_EQ(st.st_size, 0);
	free(path);
	scratch_remove(dir);
}

static void test_atomic_write_replaces_file_and_leaves_no_temp_files(void)
{
	char *dir = scratch_dir();
	char *path = path_join(dir, "t.sql");
	struct stat before, after;

	ASSERT_EQ(atomic_write_file(path, "old contents, longer\n", 21), 0);
	ASSERT_EQ(stat(path, &before), 0);
	ASSERT_EQ(atomic_write_file(path, "new\n", 4), 0);
	assert_file_is(path, "new\n");
	ASSERT_EQ(stat(path, &after), 0);
	/* replaced by rename (a new inode), not rewritten in place */
	ASSERT_TRUE(before.st_ino != after.st_ino);
	ASSERT_EQ(after.st_mode & 07777, 0666 & ~TEST_UMASK);
	ASSERT_EQ(dir_count(dir), 1);
	ASSERT_EQ(dir_count_prefix(dir, ATOMIC_TMP_PREFIX), 0);
	free(path);
	scratch_remove(dir);
}

static void test_atomic_crash_before_commit_keeps_old_file_and_sweep_removes_temp(void)
{
	char *dir = scratch_dir();
	char *path = path_join(dir, "billing_fee.sql");
	static const char old[] = "CREATE TABLE `fee` (\n  `id` int\n);\n";
	pid_t pid;
	int status;

	ASSERT_EQ(atomic_write_file(path, old, strlen(old)), 0);
	fflush(stdout);
	pid = fork();
	ASSERT_TRUE(pid >= 0);
	if (pid == 0) {
		struct atomic_file f;

		if (atomic_file_open(&f, path) != 0)
			_exit(2);
		if (atomic_file_write(&f, "CREATE TABLE `fee` (half", 24) != 0)
			_exit(3);
		_exit(0); /* the crash: no commit, no abort */
	}
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(WEXITSTATUS(status), 0);

	assert_file_is(path, old);                        /* byte-identical */
	ASSERT_EQ(dir_count(dir), 2);
	ASSERT_EQ(dir_count_prefix(dir, ATOMIC_TMP_PREFIX), 1);

	ASSERT_EQ(atomic_sweep_dir(dir), 1);
	ASSERT_EQ(dir_count_prefix(dir, ATOMIC_TMP_PREFIX), 0);
	ASSERT_EQ(dir_count(dir), 1);
	assert_file_is(path, old);
	ASSERT_EQ(atomic_sweep_dir(dir), 0); /* nothing left to sweep */
	free(path);
	scratch_remove(dir);
}

static void test_atomic_uncommitted_write_is_invisible_under_final_name(void)
{
	char *dir = scratch_dir();
	char *path = path_join(dir, "new.sql");
	struct atomic_file f;
	struct stat st;

	ASSERT_EQ(atomic_file_open(&f, path), 0);
	ASSERT_EQ(atomic_file_write(&f, "partial", 7), 0);
	ASSERT_TRUE(!path_exists(path)); /* not under its final name yet */
	ASSERT_TRUE(f.tmp_path != NULL);
	ASSERT_EQ(stat(f.tmp_path, &st), 0);
	ASSERT_EQ(strncmp(strrchr(f.tmp_path, '/') + 1, ATOMIC_TMP_PREFIX,
			  strlen(ATOMIC_TMP_PREFIX)), 0);
	ASSERT_EQ(atomic_file_write(&f, " then whole\n", 12), 0);
	ASSERT_EQ(atomic_file_commit(&f), 0);
	assert_file_is(path, "partial then whole\n");
	ASSERT_TRUE(f.path == NULL && f.tmp_path == NULL);
	ASSERT_EQ(dir_count(dir), 1);
	free(path);
	scratch_remove(dir);
}

static void test_atomic_abort_removes_temp_and_keeps_old_file(void)
{
	char *dir = scratch_dir();
	char *path = path_join(dir, "keep.sql");
	struct atomic_file f;
	char *tmp;

	ASSERT_EQ(atomic_write_file(path, "keep me\n", 8), 0);
	ASSERT_EQ(atomic_file_open(&f, path), 0);
	ASSERT_EQ(atomic_file_write(&f, "replacement\n", 12), 0);
	tmp = strdup(f.tmp_path);
	ASSERT_TRUE(tmp != NULL);
	ASSERT_TRUE(path_exists(tmp));
	atomic_file_abort(&f);
	ASSERT_TRUE(!path_exists(tmp));
	free(tmp);
	ASSERT_TRUE(f.path == NULL && f.tmp_path == NULL && f.fd == -1);
	assert_file_is(path, "keep me\n");
	ASSERT_EQ(dir_count(dir), 1);
	free(path);
	scratch_remove(dir);
}

static void test_atomic_commit_failure_removes_temp_and_keeps_target(void)
{
	char *dir = scratch_dir();
	char *path = path_join(dir, "target");
	char *inside = path_join(path, "occupied");
	int rc;

	/* the final name is a non-empty folder: rename() must fail */
	ASSERT_EQ(mkdir(path, 0777), 0);
	ASSERT_EQ(file_put_str(inside, "x"), 0);
	rc = atomic_write_file(path, "data", 4);
	ASSERT_TRUE(rc == -EISDIR || rc == -ENOTEMPTY || rc == -EEXIST);
	ASSERT_EQ(dir_count_prefix(dir, ATOMIC_TMP_PREFIX), 0);
	ASSERT_EQ(dir_count(dir), 1);
	assert_file_is(inside, "x");
	free(inside);
	free(path);
	scratch_remove(dir);
}

/* Writing where the folder refuses it: run as an unprivileged user. */
static int write_into(const char *path)
{
	return atomic_write_file(path, "x", 1);
}

static void test_atomic_write_into_missing_folder_fails_with_enoent(void)
{
	char *dir = scratch_dir();
	char *path = path_join(dir, "no-such-folder/file.sql");

	ASSERT_EQ(write_into(path), -ENOENT);
	ASSERT_EQ(dir_count(dir), 0);
	free(path);
	scratch_remove(dir);
}

/*
 * A read-only folder refuses the temporary file with -EACCES. Root ignores
 * folder permissions, so as root the write runs in a child that has dropped
 * to an unprivileged uid; if even that is impossible (no CAP_SETUID), the
 * root-appropriate refusal is asserted instead: a path in a missing folder,
 * -ENOENT. Either way the test asserts an error, never a skip.
 */
static void test_atomic_write_into_readonly_folder_fails_with_eacces(void)
{
	char *dir = scratch_dir();
	char *ro = path_join(dir, "readonly");
	char *path = path_join(ro, "file.sql");

	ASSERT_EQ(mkdir(ro, 0755), 0);
	ASSERT_EQ(chmod(ro, 0555), 0);
	if (geteuid() != 0) {
		ASSERT_EQ(write_into(path), -EACCES);
	} else {
		pid_t pid;
		int status;

		ASSERT_EQ(chmod(dir, 0755), 0); /* let the child reach `ro` */
		fflush(stdout);
		pid = fork();
		ASSERT_TRUE(pid >= 0);
		if (pid == 0) {
			if (setgid(65534) != 0 || setuid(65534) != 0 ||
			    geteuid() == 0)
				_exit(255); /* cannot drop privileges */
			_exit(-write_into(path) & 0xff);
		}
		ASSERT_EQ(waitpid(pid, &status, 0), pid);
		ASSERT_TRUE(WIFEXITED(status));
		if (WEXITSTATUS(status) == 255) {
			char *missing = path_join(dir, "missing/file.sql");

			fprintf(stderr, "note: %s: running as root without "
				"CAP_SETUID; asserting -ENOENT instead\n",
				check_current);
			ASSERT_EQ(write_into(missing), -ENOENT);
			free(missing);
		} else {
			ASSERT_EQ(WEXITSTATUS(status), EACCES);
		}
	}
	ASSERT_EQ(dir_count(ro), 0); /* nothing left behind */
	free(path);
	free(ro);
	scratch_remove(dir);
}

static void test_atomic_sweep_removes_only_prefixed_files(void)
{
	char *dir = scratch_dir();
	char *tmp1 = path_join(dir, ATOMIC_TMP_PREFIX "a.sql.Xy12Ab");
	char *tmp2 = path_join(dir, ATOMIC_TMP_PREFIX "b.json.Qq99Zz");
	char *real = path_join(dir, "a.sql");
	char *lookalike = path_join(dir, "x" ATOMIC_TMP_PREFIX "a.sql");
	char *missing = path_join(dir, "no-such-folder");

	ASSERT_EQ(file_put_str(tmp1, "t"), 0);
	ASSERT_EQ(file_put_str(tmp2, "t"), 0);
	ASSERT_EQ(file_put_str(real, "real"), 0);
	ASSERT_EQ(file_put_str(lookalike, "real too"), 0);
	ASSERT_EQ(atomic_sweep_dir(dir), 2);
	ASSERT_TRUE(!path_exists(tmp1) && !path_exists(tmp2));
	assert_file_is(real, "real");
	assert_file_is(lookalike, "real too");
	ASSERT_EQ(atomic_sweep_dir(missing), 0); /* a missing folder is fine */
	free(tmp1);
	free(tmp2);
	free(real);
	free(lookalike);
	free(missing);
	scratch_remove(dir);
}

static void test_atomic_mkdirs_creates_nested_folders(void)
{
	char *dir = scratch_dir();
	char *deep = path_join(dir, "out/na_prod/expected_data/deeper");
	char *slash = path_join(dir, "trailing/slash/");
	struct stat st;

	ASSERT_EQ(atomic_mkdirs(deep), 0);
	ASSERT_EQ(stat(deep, &st), 0);
	ASSERT_TRUE(S_ISDIR(st.st_mode));
	ASSERT_EQ(atomic_mkdirs(deep), 0); /* exists already: fine */
	ASSERT_EQ(atomic_mkdirs(slash), 0);
	ASSERT_EQ(stat(slash, &st), 0);
	ASSERT_TRUE(S_ISDIR(st.st_mode));
	/* and a file can be written atomically in the new folder */
	{
		char *f = path_join(deep, "x.sql");

		ASSERT_EQ(atomic_write_file(f, "ok", 2), 0);
		free(f);
	}
	free(deep);
	free(slash);
	scratch_remove(dir);
}

static void test_atomic_mkdirs_under_a_file_fails_with_enotdir(void)
{
	char *dir = scratch_dir();
	char *file = path_join(dir, "plain");
	char *below = path_join(dir, "plain/sub/dir");

	ASSERT_EQ(file_put_str(file, "x"), 0);
	ASSERT_EQ(atomic_mkdirs(below), -ENOTDIR);
	free(file);
	free(below);
	scratch_remove(dir);
}

static void test_atomic_batch_commit_gives_every_file_its_name(void)
{
	char *dir = scratch_dir();
	char *a = path_join(dir, "a.sql"), *b = path_join(dir, "b.sql");
	struct atomic_batch batch;
	size_t failed = 99, len;
	char *got;

	ASSERT_EQ(file_put_str(a, "old a"), 0);
	atomic_batch_init(&batch);
	ASSERT_EQ(atomic_batch_add(&batch, a, "new a", 5), 0);
	ASSERT_EQ(atomic_batch_add(&batch, b, "new b", 5), 0);
	/* before the commit: old contents, temporaries beside them */
	got = file_get(a, &len);
	ASSERT_STR_EQ(got, "old a");
	free(got);
	ASSERT_EQ(dir_count_prefix(dir, ATOMIC_TMP_PREFIX), 2);
	ASSERT_EQ(atomic_batch_commit(&batch, &failed), 0);
	ASSERT_EQ(failed, 2);
	ASSERT_EQ(batch.n, 0);
	got = file_get(a, &len);
	ASSERT_STR_EQ(got, "new a");
	free(got);
	got = file_get(b, &len);
	ASSERT_STR_EQ(got, "new b");
	free(got);
	ASSERT_EQ(dir_count_prefix(dir, ATOMIC_TMP_PREFIX), 0);
	free(a);
	free(b);
	scratch_remove(dir);
}

/* A full batch holds one descriptor: with the process limited to 32, a batch
 * of ATOMIC_BATCH_MAX files still writes and commits (eight workers with a
 * full batch each must not run out of descriptors). */
static void test_atomic_batch_holds_one_descriptor_however_many_files(void)
{
	char *dir = scratch_dir();
	struct rlimit old, low;
	struct atomic_batch *batch = malloc(sizeof(*batch));
	size_t i, failed = 0, len;
	char name[64], *path, *got;

	ASSERT_TRUE(batch != NULL);
	ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &old), 0);
	low = old;
	low.rlim_cur = 32;
	ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &low), 0);
	atomic_batch_init(batch);
	for (i = 0; i < ATOMIC_BATCH_MAX; i++) {
		snprintf(name, sizeof(name), "t%zu.sql", i);
		path = path_join(dir, name);
		ASSERT_EQ(atomic_batch_add(batch, path, name, strlen(name)), 0);
		free(path);
	}
	ASSERT_TRUE(atomic_batch_full(batch));
	ASSERT_EQ(atomic_batch_add(batch, "/nonexistent/x", "x", 1), -ENOBUFS);
	ASSERT_EQ(atomic_batch_commit(batch, &failed), 0);
	ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &old), 0);
	ASSERT_EQ(failed, ATOMIC_BATCH_MAX);
	ASSERT_EQ(dir_count_prefix(dir, ATOMIC_TMP_PREFIX), 0);
	for (i = 0; i < ATOMIC_BATCH_MAX; i += ATOMIC_BATCH_MAX / 4 - 1) {
		snprintf(name, sizeof(name), "t%zu.sql", i);
		path = path_join(dir, name);
		got = file_get(path, &len);
		ASSERT_STR_EQ(got, name);
		free(got);
		free(path);
	}
	free(batch);
	scratch_remove(dir);
}

static void test_atomic_batch_failed_rename_keeps_old_files_and_leaves_no_temporary(void)
{
	char *dir = scratch_dir();
	char *a = path_join(dir, "a.sql"), *b = path_join(dir, "b.sql");
	char *c = path_join(dir, "c.sql"), *inside = path_join(dir, "b.sql/x");
	struct atomic_batch batch;
	size_t failed = 99, len;
	char *got;

	/* b.sql is a folder with a file in it: renaming a file over it fails */
	ASSERT_EQ(atomic_mkdirs(b), 0);
	ASSERT_EQ(file_put_str(inside, "x"), 0);
	ASSERT_EQ(file_put_str(c, "old c"), 0);
	atomic_batch_init(&batch);
	ASSERT_EQ(atomic_batch_add(&batch, a, "new a", 5), 0);
	ASSERT_EQ(atomic_batch_add(&batch, b, "new b", 5), 0);
	ASSERT_EQ(atomic_batch_add(&batch, c, "new c", 5), 0);
	ASSERT_EQ(atomic_batch_commit(&batch, &failed), -EISDIR);
	ASSERT_EQ(failed, 1);
	got = file_get(a, &len);
	ASSERT_STR_EQ(got, "new a");
	free(got);
	got = file_get(c, &len);
	ASSERT_STR_EQ(got, "old c");
	free(got);
	ASSERT_EQ(dir_count_prefix(dir, ATOMIC_TMP_PREFIX), 0);
	free(a);
	free(b);
	free(c);
	free(inside);
	scratch_remove(dir);
}

static void test_atomic_batch_abort_removes_temporaries(void)
{
	char *dir = scratch_dir();
	char *a = path_join(dir, "a.sql");
	struct atomic_batch batch;

	atomic_batch_init(&batch);
	ASSERT_EQ(atomic_batch_add(&batch, a, "new a", 5), 0);
	ASSERT_EQ(dir_count_prefix(dir, ATOMIC_TMP_PREFIX), 1);
	atomic_batch_abort(&batch);
	ASSERT_EQ(dir_count_prefix(dir, ATOMIC_TMP_PREFIX), 0);
	ASSERT_TRUE(!path_exists(a));
	free(a);
	scratch_remove(dir);
}

static void test_atomic_mkdirs_on_an_existing_file_fails_with_enotdir(void)
{
	char *dir = scratch_dir();
	char *file = path_join(dir, "plain");

	ASSERT_EQ(file_put_str(file, "x"), 0);
	ASSERT_EQ(atomic_mkdirs(file), -ENOTDIR);
	free(file);
	scratch_remove(dir);
}

static void test_atomic_mkdirs_of_empty_path_fails_with_enoent(void)
{
	/* as mkdir(""): and no read past the end of the string (ASan) */
	ASSERT_EQ(atomic_mkdirs(""), -ENOENT);
}

int main(int argc, char **argv)
{
	CHECK_INIT(argc, argv);
	umask(TEST_UMASK);

	RUN(test_atomic_write_creates_file_with_contents_and_umask_mode);
	RUN(test_atomic_write_of_empty_contents_creates_empty_file);
	RUN(test_atomic_write_replaces_file_and_leaves_no_temp_files);
	RUN(test_atomic_crash_before_commit_keeps_old_file_and_sweep_removes_temp);
	RUN(test_atomic_uncommitted_write_is_invisible_under_final_name);
	RUN(test_atomic_abort_removes_temp_and_keeps_old_file);
	RUN(test_atomic_commit_failure_removes_temp_and_keeps_target);
	RUN(test_atomic_write_into_missing_folder_fails_with_enoent);
	RUN(test_atomic_write_into_readonly_folder_fails_with_eacces);
	RUN(test_atomic_sweep_removes_only_prefixed_files);
	RUN(test_atomic_mkdirs_creates_nested_folders);
	RUN(test_atomic_mkdirs_under_a_file_fails_with_enotdir);
	RUN(test_atomic_batch_commit_gives_every_file_its_name);
	RUN(test_atomic_batch_holds_one_descriptor_however_many_files);
	RUN(test_atomic_batch_failed_rename_keeps_old_files_and_leaves_no_temporary);
	RUN(test_atomic_batch_abort_removes_temporaries);
	RUN(test_atomic_mkdirs_on_an_existing_file_fails_with_enotdir);
	RUN(test_atomic_mkdirs_of_empty_path_fails_with_enoent);
	return CHECK_EXIT();
}
