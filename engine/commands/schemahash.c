/*
 * The schema hash is what two machines compare to know they hold the same
 * schemas, so nothing local may go into it: not the snapshot root's path,
 * not the order of the config's table list, not mtimes, not the
 * AUTO_INCREMENT counter that moves with every insert. Only each listed
 * table's name and its normalized text do, in a fixed (bytewise) order,
 * each field closed by a NUL so that no two sets of files can run together
 * into the same stream.
 */
#include "engine/commands/schemahash.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/base/alloc.h"
#include "engine/base/sha256.h"
#include "engine/base/strsort.h"
#include "engine/commands/tablefiles.h"
#include "engine/schema/normalize.h"
#include "engine/store/snapshot.h"

/* Feed one table's name and normalized text; *used is set when its file
 * exists. Returns 0 (also when there is no file) or -errno. */
static int hash_table(struct sha256 *s, const char *out,
		      const struct env_config *env, const char *table,
		      int *used, char *why, size_t size)
{
	char *path = snapshot_table_path(out, env->folder, env->database, table,
					 ".sql");
	char *text, *norm;
	size_t len, nlen;
	int rc = snapshot_read(path, &text, &len);

	*used = 0;
	if (rc == -ENOENT) {
		rc = 0;
		goto cleanup;
	}
	if (rc != 0) {
		snprintf(why, size, "%s: %s", path, strerror(-rc));
		goto cleanup;
	}
	norm = normalize_schema(text, len, &nlen);
	sha256_update(s, table, strlen(table) + 1);
	sha256_update(s, norm, nlen);
	sha256_update(s, "", 1);
	free(norm);
	free(text);
	*used = 1;
cleanup:
	free(path);
	return rc;
}

int schemahash_env(const char *out, const struct fleet_config *cfg,
		   const struct env_config *env,
		   char hex[65], size_t *tables, char *why, size_t size)
{
	struct sha256 s = SHA256_INIT;
	char **names = NULL;
	size_t n = 0, i;
	int rc = 0;

	*tables = 0;
	hex[0] = '\0';
	if (size > 0)
		why[0] = '\0';
	/* the list's names and what its globs match among the files */
	if (env->tables != NULL)
		n = tablefiles_of_env(out, cfg, env, &names);
	if (n > 0)
		qsort(names, n, sizeof(*names), strsort_compare);
	sha256_init(&s);
	for (i = 0; i < n; i++) {
		int used;

		/* A name listed twice would be hashed twice: skip repeats. */
		if (i > 0 && strcmp(names[i], names[i - 1]) == 0)
			continue;
		rc = hash_table(&s, out, env, names[i], &used, why, size);
		if (rc != 0)
			goto cleanup;
		*tables += (size_t)used;
	}
	sha256_final_hex(&s, hex);
cleanup:
	if (rc != 0)
		*tables = 0;
	sha256_release(&s);
	tablefiles_free(names, n);
	return rc;
}
