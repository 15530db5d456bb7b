#include "engine/store/snapshot.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/base/alloc.h"
#include "engine/store/atomic_file.h"
#include "engine/store/bulkdir.h"
#include "engine/store/history.h"

struct snapshot_root {
	char *out;
	char *hist;
	int lock_fd;
};

int snapshot_lock(const char *out, const char *hist, snapshot_root **root)
{
	snapshot_root *r;
	char *path;
	int fd, rc;

	*root = NULL;
	rc = atomic_mkdirs(out);
	if (rc == 0)
		rc = history_prepare(hist);
	if (rc != 0)
		return rc;
	path = snapshot_lock_path(hist);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
	rc = fd < 0 ? -errno : 0;
	free(path);
	if (rc != 0)
		return rc;
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		rc = errno == EWOULDBLOCK ? -EWOULDBLOCK : -errno;
		close(fd);
		return rc;
	}
	/* Earlier builds kept the lock beside the snapshots, where git
	 * sees it; ours is in the history folder now. */
	path = xasprintf("%s/" SNAPSHOT_LOCK_NAME, out);
	unlink(path);
	free(path);
	r = xcalloc(1, sizeof(*r));
	r->out = xstrdup(out);
	r->hist = xstrdup(hist);
	r->lock_fd = fd;
	*root = r;
	return 0;
}

void snapshot_unlock(snapshot_root *root)
{
	if (root == NULL)
		return;
	close(root->lock_fd); /* drops the flock */
	free(root->out);
	free(root->hist);
	free(root);
}

int snapshot_sweep(snapshot_root *root, const char *const *folders,
		   size_t nfolders)
{
	char *dir, *hist;
	DIR *d;
	struct dirent *de;
	size_t i;
	int n, removed = 0;

	for (i = 0; i < nfolders; i++) {
		dir = snapshot_data_dir(root->out, folders[i]);
		n = atomic_sweep_dir(dir);
		free(dir);
		if (n < 0)
			return n;
		removed += n;
	}
	hist = xstrdup(root->hist);
	n = atomic_sweep_dir(hist);
	if (n > 0)
		removed += n;
	d = opendir(hist);
	if (d != NULL) {
		while ((de = readdir(d)) != NULL) {
			char *p;

			if (strncmp(de->d_name, HISTORY_TMP_PREFIX,
				    strlen(HISTORY_TMP_PREFIX)) != 0)
				continue;
			p = xasprintf("%s/%s", hist, de->d_name);
			if (bulkdir_remove_flat(p) == 0)
				removed++;
			free(p);
		}
		closedir(d);
	}
	free(hist);
	n = bulkdir_sweep(root->out, folders, nfolders);
	if (n < 0)
		return n;
	return removed + n;
}

char *snapshot_file_of(int schema, const char *body, size_t len,
		       size_t *out_len)
{
	char *file = xmalloc(len + 3);

	memcpy(file, body, len);
	if (schema)
		memcpy(file + len, ";\n", 2);
	*out_len = len + (schema ? 2 : 0);
	file[*out_len] = '\0';
	return file;
}

size_t snapshot_body_len(int schema, const char *file, size_t len)
{
	return schema && len >= 2 && memcmp(file + len - 2, ";\n", 2) == 0
	       ? len - 2 : len;
}

char *snapshot_lock_path(const char *hist)
{
	return xasprintf("%s/" SNAPSHOT_LOCK_NAME, hist);
}

char *snapshot_data_dir(const char *out, const char *folder)
{
	return xasprintf("%s/%s/expected_data", out, folder);
}

char *snapshot_table_path(const char *out, const char *folder,
			  const char *database, const char *table,
			  const char *ext)
{
	return xasprintf("%s/%s/expected_data/%s_%s%s", out, folder, database,
			 table, ext);
}

int snapshot_read(const char *path, char **data, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	char *buf;
	size_t got = 0;
	int rc;

	*data = NULL;
	*len = 0;
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) != 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	buf = xmalloc((size_t)st.st_size + 1);
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = -errno;
			free(buf);
			close(fd);
			return rc;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	buf[got] = '\0';
	*data = buf;
	*len = got;
	return 0;
}

