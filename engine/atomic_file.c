#include "atomic_file.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* umask() can only be read by setting it, which is process-wide: do it once,
 * before two threads could race on it. */
static pthread_once_t mask_once = PTHREAD_ONCE_INIT;
static mode_t process_umask;

static void read_umask(void)
{
	process_umask = umask(022);
	umask(process_umask);
}

void atomic_file_init(void)
{
	pthread_once(&mask_once, read_umask);
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	return strndup(path, (size_t)(slash - path));
}

int atomic_fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc = 0;

	if (fd < 0)
		return -errno;
	if (fsync(fd) != 0)
		rc = -errno;
	close(fd);
	return rc;
}

int atomic_file_open(struct atomic_file *f, const char *path)
{
	const char *base = strrchr(path, '/');
	char *dir;
	int rc;

	f->fd = -1;
	f->path = NULL;
	f->tmp_path = NULL;
	base = base ? base + 1 : path;
	dir = dir_of(path);
	if (dir == NULL)
		return -ENOMEM;
	if (asprintf(&f->tmp_path, "%s/%s%s.XXXXXX", dir, ATOMIC_TMP_PREFIX,
		     base) < 0) {
		f->tmp_path = NULL;
		free(dir);
		return -ENOMEM;
	}
	free(dir);
	f->path = strdup(path);
	if (f->path == NULL) {
		rc = -ENOMEM;
		goto fail;
	}
	f->fd = mkostemp(f->tmp_path, O_CLOEXEC);
	if (f->fd < 0) {
		rc = -errno;
		goto fail;
	}
	/* mkostemp makes 0600; snapshots are ordinary files of the repo. */
	pthread_once(&mask_once, read_umask);
	if (fchmod(f->fd, 0666 & ~process_umask) != 0) {
		rc = -errno;
		unlink(f->tmp_path);
		close(f->fd);
		goto fail;
	}
	return 0;

fail:
	free(f->path);
	free(f->tmp_path);
	f->path = f->tmp_path = NULL;
	f->fd = -1;
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

static void release(struct atomic_file *f)
{
	free(f->path);
	free(f->tmp_path);
	f->path = f->tmp_path = NULL;
	f->fd = -1;
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
	if (dir == NULL) {
		release(f);
		return -ENOMEM;
	}
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
	rc = atomic_file_open(f, path);
	if (rc != 0)
		return rc;
	rc = atomic_file_write(f, data, len);
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
}

/* Flush every queued file: one syncfs() for the lot where the kernel has
 * it, else one fsync() each. Returns 0 or -errno. */
static int flush_all(struct atomic_batch *b)
{
	size_t i;

	if (b->n > 1 && syncfs(b->files[0].fd) == 0)
		return 0;
	for (i = 0; i < b->n; i++)
		if (fsync(b->files[i].fd) != 0)
			return -errno;
	return 0;
}

int atomic_batch_commit(struct atomic_batch *b, size_t *failed)
{
	char *last_dir = NULL;
	size_t i;
	int rc;

	*failed = 0;
	if (b->n == 0)
		return 0;
	rc = flush_all(b);
	for (i = 0; rc == 0 && i < b->n; i++) {
		struct atomic_file *f = &b->files[i];
		char *dir;

		if (close(f->fd) != 0) {
			f->fd = -1;
			rc = -errno;
			break;
		}
		f->fd = -1;
		if (rename(f->tmp_path, f->path) != 0) {
			rc = -errno;
			break;
		}
		dir = dir_of(f->path);
		if (dir == NULL) {
			rc = -ENOMEM;
			i++; /* this one has its name */
			release(f);
			break;
		}
		/* Files of a batch usually share one folder: flush each
		 * folder once, when the next file leaves it (or at the end). */
		if (last_dir != NULL && strcmp(dir, last_dir) != 0)
			rc = atomic_fsync_dir(last_dir);
		free(last_dir);
		last_dir = dir;
		release(f);
		if (rc != 0) {
			i++;
			break;
		}
	}
	if (rc == 0 && last_dir != NULL)
		rc = atomic_fsync_dir(last_dir);
	free(last_dir);
	*failed = rc == 0 ? b->n : i;
	for (; i < b->n; i++)
		atomic_file_abort(&b->files[i]);
	b->n = 0;
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
	char *p = strdup(path), *s;
	int rc = 0;

	if (p == NULL)
		return -ENOMEM;
	if (p[0] == '\0') {
		/* as mkdir(""); and p + 1 below would be past the string */
		free(p);
		return -ENOENT;
	}
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
		struct stat st;

		/* EEXIST on the last component may be a file, not a folder. */
		if (stat(path, &st) != 0)
			rc = -errno;
		else if (!S_ISDIR(st.st_mode))
			rc = -ENOTDIR;
	}
	return rc;
}
