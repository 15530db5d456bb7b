/*
 * testutil.h: what several unit tests share, beside the harness (check.h):
 * scratch folders that are removed afterwards, whole-file reads and writes,
 * and a watchdog that turns a hang (a waiter nobody wakes) into a FAIL line
 * instead of a stuck test run. Include after check.h.
 *
 * Helpers abort() when the test machinery itself fails (no /tmp, no memory):
 * that is not a verdict on the code under test.
 */
#ifndef RHIZOME_TESTUTIL_H
#define RHIZOME_TESTUTIL_H

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* A fresh, empty folder under $TMPDIR (or /tmp). Caller frees the path. */
static inline char *scratch_dir(void)
{
	const char *tmp = getenv("TMPDIR");
	char *path;

	if (tmp == NULL || tmp[0] == '\0')
		tmp = "/tmp";
	if (asprintf(&path, "%s/rhizome-unit.XXXXXX", tmp) < 0)
		abort();
	if (mkdtemp(path) == NULL) {
		perror("mkdtemp");
		abort();
	}
	return path;
}

static inline int scratch_unlink_cb(const char *path, const struct stat *sb,
				    int type, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	(void)type;
	remove(path); /* best effort: a leftover in /tmp is not a test result */
	return 0;
}

static inline int scratch_chmod_cb(const char *path, const struct stat *sb,
				   int type, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	if (type == FTW_D || type == FTW_DNR)
		chmod(path, 0700); /* a test may have made it read-only */
	return 0;
}

/* rm -rf `path`, then free it. */
static inline void scratch_remove(char *path)
{
	if (path == NULL)
		return;
	chmod(path, 0700);
	nftw(path, scratch_chmod_cb, 16, FTW_PHYS);
	nftw(path, scratch_unlink_cb, 16, FTW_DEPTH | FTW_PHYS);
	free(path);
}

/* "{a}/{b}" (malloc'd). */
static inline char *path_join(const char *a, const char *b)
{
	char *p;

	if (asprintf(&p, "%s/%s", a, b) < 0)
		abort();
	return p;
}

/* Write `len` bytes to `path` (plainly, not atomically). 0 or -errno. */
static inline int file_put(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	int rc = 0;

	if (f == NULL)
		return -errno;
	if (len > 0 && fwrite(data, 1, len, f) != len)
		rc = -EIO;
	if (fclose(f) != 0 && rc == 0)
		rc = -errno;
	return rc;
}

static inline int file_put_str(const char *path, const char *text)
{
	return file_put(path, text, strlen(text));
}

/* The whole file, NUL-terminated (caller frees), or NULL with errno set. */
static inline char *file_get(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0;

	if (f == NULL)
		return NULL;
	for (;;) {
		size_t got;

		if (cap - n < 4096) {
			cap = cap ? cap * 2 : 8192;
			buf = realloc(buf, cap + 1);
			if (buf == NULL)
				abort();
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	fclose(f);
	buf[n] = '\0';
	if (len != NULL)
		*len = n;
	return buf;
}

static inline int path_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

/* Entries of a folder other than "." and "..", or -1 when it cannot be read. */
static inline int dir_count(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

/* Entries of a folder whose name starts with `prefix`. */
static inline int dir_count_prefix(const char *path, const char *prefix)
{
	DIR *d = opendir(path);
	struct dirent *de;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (strncmp(de->d_name, prefix, strlen(prefix)) == 0)
			n++;
	closedir(d);
	return n;
}

static inline double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static inline void sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/*
 * Watchdog: a test that would hang forever (a waiter that is never woken)
 * prints a FAIL line for the current test and ends the process instead.
 * Arm it at the start of a test that blocks; watchdog_disarm() at the end.
 */
static inline void watchdog_fire(int sig)
{
	static const char pre[] = "FAIL ";
	static const char post[] = ": watchdog: still blocked after the time "
				   "limit (a waiter was never woken)\n";

	(void)sig;
	if (write(1, pre, sizeof(pre) - 1) < 0 ||
	    write(1, check_current, strlen(check_current)) < 0 ||
	    write(1, post, sizeof(post) - 1) < 0) {
		/* nothing more to do in a signal handler */
	}
	_exit(1);
}

static inline void watchdog_arm(unsigned seconds)
{
	signal(SIGALRM, watchdog_fire);
	alarm(seconds);
}

static inline void watchdog_disarm(void)
{
	alarm(0);
}

/* RUN(fn) under a watchdog of `seconds`, disarmed whatever the verdict. */
#define RUN_GUARDED(fn, seconds)                                            \
	do {                                                                \
		check_current = #fn;                                        \
		watchdog_arm(seconds);                                      \
		RUN(fn);                                                    \
		watchdog_disarm();                                          \
	} while (0)

#endif
