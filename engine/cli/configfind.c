/*
 * Finding rhizome.cnf (see configfind.h).
 */
#include "engine/cli/configfind.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/base/alloc.h"

#define CONFIG_NAME "rhizome.cnf"

/* Deeper than any real tree: the search ends at "/" long before. */
#define MAX_LEVELS 128

static int is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

char *cli_find_config(const char *given, char *msg, size_t size)
{
	char *prefix, *path;
	const char *env = getenv("RHIZOME_CONFIG");
	int level;

	if (given == NULL && env != NULL && env[0] != '\0')
		given = env;
	if (given != NULL && given[0] != '\0') {
		size_t len = strlen(given);

		if (is_dir(given))
			return xasprintf("%s%s" CONFIG_NAME, given,
					 given[len - 1] == '/' ? "" : "/");
		return xstrdup(given);
	}
	prefix = xstrdup("");
	for (level = 0; level < MAX_LEVELS; level++) {
		char *here = xasprintf("%s.", prefix), *git, *real;
		int found, repo;

		path = xasprintf("%s" CONFIG_NAME, prefix);
		found = access(path, F_OK) == 0;
		git = xasprintf("%s.git", prefix);
		repo = access(git, F_OK) == 0;
		free(git);
		real = realpath(here, NULL);
		free(here);
		if (found) {
			free(real);
			free(prefix);
			return path;
		}
		free(path);
		if (repo || real == NULL || strcmp(real, "/") == 0) {
			snprintf(msg, size, "no " CONFIG_NAME " in the current "
				 "directory%s%s%s; give --config FILE (or DIR "
				 "holding " CONFIG_NAME "), or set RHIZOME_CONFIG",
				 level > 0 ? " or its parents up to " : "",
				 level > 0 && real ? real : "",
				 repo ? " (the repository root)" : "");
			free(real);
			free(prefix);
			return NULL;
		}
		free(real);
		path = xasprintf("%s../", prefix);
		free(prefix);
		prefix = path;
	}
	snprintf(msg, size, "no " CONFIG_NAME " found in %d parent folders; "
		 "give --config FILE, or set RHIZOME_CONFIG", MAX_LEVELS);
	free(prefix);
	return NULL;
}
