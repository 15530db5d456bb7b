/*
 * The bulk exports' folders (bulkdir.h).
 */
#include "engine/store/bulkdir.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/base/alloc.h"
#include "engine/store/atomic_file.h"

#define OLD ".old"

char *bulkdir_table(const char *out, const char *folder, const char *database,
		    const char *table, const char *suffix)
{
	return xasprintf("%s/.bulk/%s/%s_%s%s", out, folder, database, table,
			 suffix ? suffix : "");
}

int bulkdir_prepare(const char *out, const char *folder)
{
	static const char ignore[] = "# rhizome's bulk exports: not for git\n*\n";
	char *root = xasprintf("%s/.bulk", out), *path, *dir;
	int rc = atomic_mkdirs(root);

	if (rc == 0) {
		path = xasprintf("%s/.gitignore", root);
		if (access(path, F_OK) != 0)
			rc = atomic_write_file(path, ignore, sizeof(ignore) - 1);
		free(path);
	}
	if (rc == 0) {
		dir = xasprintf("%s/%s", root, folder);
		rc = atomic_mkdirs(dir);
		free(dir);
	}
	free(root);
	return rc;
}

int bulkdir_remove_flat(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;

	if (d == NULL)
		return -errno;
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			(void)unlinkat(dirfd(d), de->d_name, 0);
	closedir(d);
	return rmdir(path) == 0 ? 0 : -errno;
}

int bulkdir_fresh(const char *dir)
{
	int rc = bulkdir_remove_flat(dir);

	if (rc != 0 && rc != -ENOENT)
		return rc;
	return mkdir(dir, 0777) == 0 ? 0 : -errno;
}

/* The folder holding `path`. Caller frees. */
static char *parent_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? xstrndup(path, (size_t)(slash - path)) : xstrdup(".");
}

int bulkdir_publish(const char *partial, const char *final)
{
	char *old = xasprintf("%s%s", final, OLD), *parent = parent_of(final);
	int had = 0, rc = 0;

	if (rename(final, old) == 0)
		had = 1;
	else if (errno != ENOENT)
		rc = -errno;
	if (rc == 0 && rename(partial, final) != 0) {
		rc = -errno;
		if (had)
			(void)rename(old, final);
	}
	if (rc == 0)
		rc = atomic_fsync_dir(parent);
	if (rc == 0 && had)
		(void)bulkdir_remove_flat(old);
	free(old);
	free(parent);
	return rc;
}

/* Whether `name` ends with `suffix`. */
static int ends_with(const char *name, const char *suffix)
{
	size_t n = strlen(name), k = strlen(suffix);

	return n > k && strcmp(name + n - k, suffix) == 0;
}

int bulkdir_sweep(const char *out, const char *const *folders, size_t n)
{
	size_t i;
	int count = 0;

	for (i = 0; i < n; i++) {
		char *dir = xasprintf("%s/.bulk/%s", out, folders[i]);
		DIR *d = opendir(dir);
		struct dirent *de;

		if (d == NULL) {
			int e = errno;

			free(dir);
			if (e == ENOENT || e == ENOTDIR)
				continue;
			return -e;
		}
		while ((de = readdir(d)) != NULL) {
			char *p;
			int k;

			if (de->d_name[0] == '.')
				continue;
			p = xasprintf("%s/%s", dir, de->d_name);
			if (ends_with(de->d_name, OLD)) {
				char *final = xstrndup(p, strlen(p) - strlen(OLD));

				if (access(final, F_OK) != 0 && rename(p, final) == 0)
					count++;
				else if (bulkdir_remove_flat(p) == 0)
					count++;
				free(final);
			} else if ((k = atomic_sweep_dir(p)) > 0) {
				count += k;
			}
			free(p);
		}
		closedir(d);
		free(dir);
	}
	return count;
}
