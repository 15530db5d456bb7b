#include "engine/store/atomic_file.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/base/alloc.h"

/* Temporary names (engine/base/tmpname.h): prefix, final name, pid and a
 * process-wide counter. A name left by a killed run with a reused pid costs
 * one more try (O_EXCL). */
static atomic_ulong tmp_counter;

/* The folder of `path`. Caller frees. */
static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

/* open(path, flags) + fsync + close. 0 or -errno. */
static int fsync_named(const char *path, int flags)
{
	int fd = open(path, flags | O_RDONLY | O_CLOEXEC);
	int rc = 0;

	if (fd < 0)
		return -errno;
	if (fsync(fd) != 0)
		rc = -errno;
	close(fd);
	return rc;
}

int atomic_fsync_dir(const char *dir)
{
	return fsync_named(dir, O_DIRECTORY);
}

int atomic_remove_file(const char *path)
{
	char *dir;
	int rc;

	if (unlink(path) != 0)
		return -errno;
	dir = dir_of(path);
	rc = atomic_fsync_dir(dir);
	free(dir);
	return rc;
}

static void release(struct atomic_file *f)
{
	free(f->path);
	free(f->tmp_path);
	f->path = f->tmp_path = NULL;
	f->fd = -1;
}

int atomic_file_open(struct atomic_file *f, const char *path)
{
	const char *base = strrchr(path, '/');
	char *dir = dir_of(path);
	int rc = 0, tries;

	base = base ? base + 1 : path;
	f->fd = -1;
	f->path = xstrdup(path);
	f->tmp_path = NULL;
	for (tries = 0; tries < 100; tries++) {
		free(f->tmp_path);
		f->tmp_path = xasprintf("%s/%s%s" TMPNAME_SUFFIX_FMT, dir,
					ATOMIC_TMP_PREFIX, base, (long)getpid(),
					atomic_fetch_add(&tmp_counter, 1));
		/* 0666 less the umask, as any file the user creates: snapshots
		 * are ordinary files of their repository. */
		f->fd = open(f->tmp_path,
			     O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
		if (f->fd >= 0 || errno != EEXIST)
			break;
	}
	if (f->fd < 0) {
		rc = -errno;
		release(f);
	}
	free(dir);
	return rc;
}

int atomic_file_write(struct atomic_file *f, const void *data, size_t len)
{
	const char *p = data;

	while (len > 0) {
		ssize_t n = write(f->fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

void atomic_file_abort(struct atomic_file *f)
{
	if (f->fd >= 0)
		close(f->fd);
	if (f->tmp_path != NULL)
		unlink(f->tmp_path);
	release(f);
}

int atomic_file_commit(struct atomic_file *f)
{
	char *dir;
	int rc = 0;

	if (fsync(f->fd) != 0) {
		rc = -errno;
		goto fail;
	}
	if (close(f->fd) != 0) {
		f->fd = -1;
		rc = -errno;
		goto fail;
	}
	f->fd = -1;
	if (rename(f->tmp_path, f->path) != 0) {
		rc = -errno;
		goto fail;
	}
	dir = dir_of(f->path);
	rc = atomic_fsync_dir(dir);
	free(dir);
	release(f);
	return rc;

fail:
	atomic_file_abort(f);
	return rc;
}

int atomic_write_file(const char *path, const void *data, size_t len)
{
	struct atomic_file f;
	int rc = atomic_file_open(&f, path);

	if (rc != 0)
		return rc;
	rc = atomic_file_write(&f, data, len);
	if (rc != 0) {
		atomic_file_abort(&f);
		return rc;
	}
	return atomic_file_commit(&f);
}

void atomic_batch_init(struct atomic_batch *b)
{
	b->n = 0;
	b->sync_fd = -1;
}

static void close_sync_fd(struct atomic_batch *b)
{
	if (b->sync_fd >= 0)
		close(b->sync_fd);
	b->sync_fd = -1;
}

int atomic_batch_full(const struct atomic_batch *b)
{
	return b->n >= ATOMIC_BATCH_MAX;
}

int atomic_batch_add(struct atomic_batch *b, const char *path,
		     const void *data, size_t len)
{
	struct atomic_file *f = &b->files[b->n];
	int rc;

	if (b->n >= ATOMIC_BATCH_MAX)
		return -ENOBUFS;
	if (b->n == 0 && b->sync_fd < 0) {
		char *dir = dir_of(path);

		/* Failing here only means one fsync() per file at the end. */
		b->sync_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		free(dir);
	}
	rc = atomic_file_open(f, path);
	if (rc != 0)
		return rc;
	rc = atomic_file_write(f, data, len);
	/* The page cache holds the contents; syncfs() at the commit finds
	 * them without the descriptor. close() can report a write error. */
	if (close(f->fd) != 0 && rc == 0)
		rc = -errno;
	f->fd = -1;
	if (rc != 0) {
		atomic_file_abort(f);
		return rc;
	}
	b->n++;
	return 0;
}

void atomic_batch_abort(struct atomic_batch *b)
{
	size_t i;

	for (i = 0; i < b->n; i++)
		atomic_file_abort(&b->files[i]);
	b->n = 0;
	close_sync_fd(b);
}

/* Flush every queued file: one syncfs() for the lot where the kernel has
 * it, through the descriptor opened before the first write, else one
 * fsync() each. Returns 0 or -errno. */
static int flush_all(struct atomic_batch *b)
{
	size_t i;
	int rc;

	if (b->n > 1 && b->sync_fd >= 0) {
		if (syncfs(b->sync_fd) == 0)
			return 0;
		if (errno != ENOSYS)
			return -errno; /* a write-back error: do not rename */
	}
	for (i = 0; i < b->n; i++) {
		rc = fsync_named(b->files[i].tmp_path, 0);
		if (rc != 0)
			return rc;
	}
	return 0;
}

int atomic_batch_commit(struct atomic_batch *b, size_t *failed)
{
	char *last_dir = NULL;
	size_t i, dir_first = 0;  /* the first file renamed into last_dir */
	int rc, dir_failed = 0;

	*failed = 0;
	if (b->n == 0) {
		close_sync_fd(b);
		return 0;
	}
	rc = flush_all(b);
	for (i = 0; rc == 0 && i < b->n; i++) {
		struct atomic_file *f = &b->files[i];
		char *dir;

		if (rename(f->tmp_path, f->path) != 0) {
			rc = -errno;
			break;
		}
		dir = dir_of(f->path);
		/* Files of a batch usually share one folder: flush each
		 * folder once, when the next file leaves it (or at the end). */
		if (last_dir != NULL && strcmp(dir, last_dir) != 0) {
			rc = atomic_fsync_dir(last_dir);
			dir_failed = rc != 0;
			if (rc == 0)
				dir_first = i;
		}
		free(last_dir);
		last_dir = dir;
		release(f);
		if (rc != 0) {
			i++;
			break;
		}
	}
	if (rc == 0 && last_dir != NULL) {
		rc = atomic_fsync_dir(last_dir);
		dir_failed = rc != 0;
	}
	free(last_dir);
	/* a folder that could not be flushed fails the files renamed into
	 * it: their new names may not survive a crash */
	*failed = rc == 0 ? b->n : dir_failed ? dir_first : i;
	for (; i < b->n; i++)
		atomic_file_abort(&b->files[i]);
	b->n = 0;
	close_sync_fd(b);
	return rc;
}

int atomic_sweep_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int removed = 0;

	if (d == NULL)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, ATOMIC_TMP_PREFIX,
			    strlen(ATOMIC_TMP_PREFIX)) != 0)
			continue;
		if (unlinkat(dirfd(d), de->d_name, 0) == 0)
			removed++;
	}
	closedir(d);
	return removed;
}

int atomic_mkdirs(const char *path)
{
	struct stat st;
	char *p, *s;
	int rc = 0;

	/* Usually there already: one stat instead of a mkdir per component
	 * (callers ask once per file written). */
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return 0;
	if (path[0] == '\0')
		return -ENOENT; /* as mkdir(""); and p + 1 below would be past it */
	p = xstrdup(path);
	for (s = p + 1; ; s++) {
		if (*s == '/' || *s == '\0') {
			char c = *s;

			*s = '\0';
			if (mkdir(p, 0777) != 0 && errno != EEXIST) {
				rc = -errno;
				break;
			}
			*s = c;
			if (c == '\0')
				break;
		}
	}
	free(p);
	if (rc == 0) {
		/* EEXIST on the last component may be a file, not a folder. */
		if (stat(path, &st) != 0)
			rc = -errno;
		else if (!S_ISDIR(st.st_mode))
			rc = -ENOTDIR;
	}
	return rc;
}
