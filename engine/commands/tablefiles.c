/*
 * The tables the snapshot files give (see tablefiles.h).
 */
#include "engine/commands/tablefiles.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/base/alloc.h"
#include "engine/base/strsort.h"
#include "engine/store/snapshot.h"
#include "environments/config.h"

void tablefiles_free(char **names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* Whether file stem `stem` is owned by an environment of another
 * database than env's. */
static int stem_of_another(const struct fleet_config *cfg,
			   const struct env_config *env, const char *stem)
{
	const struct env_config *o = config_file_owner(cfg, env->folder, stem);

	return o != NULL && strcmp(o->database, env->database) != 0;
}

int tablefiles_owned_elsewhere(const struct fleet_config *cfg,
			       const struct env_config *env, const char *table)
{
	char *stem = xasprintf("%s_%s", env->database, table);
	int other = stem_of_another(cfg, env, stem);

	free(stem);
	return other;
}

size_t tablefiles_of_env(const char *out, const struct fleet_config *cfg,
			 const struct env_config *env, char ***names)
{
	const struct table_list *tl = env->tables;
	size_t n = 0, cap = tl->neffective + 16, i, first_found, prefix;
	char **list = xcalloc(cap, sizeof(*list));
	char *dir;
	DIR *d;
	struct dirent *de;

	for (i = 0; i < tl->neffective; i++)
		list[n++] = xstrdup(tl->effective[i]);
	*names = list;
	if (tl->npatterns == 0)
		return n;
	first_found = n;
	prefix = strlen(env->database) + 1;
	dir = snapshot_data_dir(out, env->folder);
	d = opendir(dir);
	free(dir);
	while (d != NULL && (de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);
		size_t ext = len > 4 && strcmp(de->d_name + len - 4, ".sql") == 0 ? 4
			     : len > 5 && strcmp(de->d_name + len - 5, ".json") == 0
			     ? 5 : 0;
		char *stem, *table;

		if (ext == 0 || len <= prefix + ext ||
		    strncmp(de->d_name, env->database, prefix - 1) != 0 ||
		    de->d_name[prefix - 1] != '_')
			continue;
		stem = xstrndup(de->d_name, len - ext);
		table = stem + prefix;
		/* a literal name is in the list already; a glob character in
		 * a file's name reads as a glob, not as a table */
		if (!config_list_has(tl, table, strlen(table)) ||
		    tablelist_is_glob(table) || tablelist_literal(tl, table) ||
		    stem_of_another(cfg, env, stem)) {
			free(stem);
			continue;
		}
		if (n == cap) {
			cap *= 2;
			list = xrealloc(list, cap * sizeof(*list));
		}
		list[n++] = xstrdup(table);
		free(stem);
	}
	if (d != NULL)
		closedir(d);
	/* name order, each once (a table has a .sql and a .json) */
	qsort(list + first_found, n - first_found, sizeof(*list), strsort_compare);
	for (i = first_found; i + 1 < n;) {
		if (strcmp(list[i], list[i + 1]) == 0) {
			free(list[i + 1]);
			memmove(&list[i + 1], &list[i + 2],
				(n - i - 2) * sizeof(*list));
			n--;
		} else {
			i++;
		}
	}
	*names = list;
	return n;
}

const struct env_config *tablefiles_clash(const struct fleet_config *cfg,
					  const struct env_config *env,
					  const char *table, char *msg,
					  size_t size)
{
	char *stem = xasprintf("%s_%s", env->database, table);
	const struct env_config *o = config_file_owner(cfg, env->folder, stem);
	if (o != NULL && strcmp(o->database, env->database) == 0)
		o = NULL;
	if (o != NULL && config_list_has(o->tables, stem + strlen(o->database) + 1,
					 strlen(stem) - strlen(o->database) - 1))
		snprintf(msg, size, "environments '%s' and '%s' would both "
			 "write %s/expected_data/%s.sql (table '%s' of database "
			 "'%s', table '%s' of database '%s'); give them "
			 "different folders, or narrow the glob", env->name,
			 o->name, env->folder, stem, table, env->database,
			 stem + strlen(o->database) + 1, o->database);
	else if (o != NULL)
		/* o's list does not have it, but the name is o's to read */
		snprintf(msg, size, "its file %s/expected_data/%s.sql would "
			 "read as table '%s' of database '%s' (environment "
			 "'%s': in a shared folder the longer database owns the "
			 "name); exclude '%s' in [tables %s], or give the "
			 "environments different folders", env->folder, stem,
			 stem + strlen(o->database) + 1, o->database, o->name,
			 table, env->database);
	free(stem);
	return o;
}
