/*
 * Table lists: literal names, globs, excludes (see tablelist.h).
 */
#include "environments/tablelist.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "engine/base/alloc.h"
#include "engine/base/strsort.h"

int tablelist_is_glob(const char *word)
{
	return strpbrk(word, "*?[") != NULL;
}

/* Whether exclude word `ex` names `table` (NUL-terminated). */
static int excludes(const char *ex, const char *table)
{
	return tablelist_is_glob(ex) ? fnmatch(ex, table, 0) == 0
				     : strcmp(ex, table) == 0;
}

void tablelist_resolve(struct table_list *tl)
{
	size_t i, j;

	tl->effective = xcalloc(tl->ntables + 1, sizeof(*tl->effective));
	tl->patterns = xcalloc(tl->ntables + 1, sizeof(*tl->patterns));
	for (i = 0; i < tl->ntables; i++) {
		int excluded = 0;

		if (tablelist_is_glob(tl->tables[i])) {
			tl->patterns[tl->npatterns++] = tl->tables[i];
			continue;
		}
		for (j = 0; j < tl->nexclude && !excluded; j++)
			excluded = excludes(tl->exclude[j], tl->tables[i]);
		if (!excluded)
			tl->effective[tl->neffective++] = tl->tables[i];
	}
	tl->sorted = xcalloc(tl->neffective + 1, sizeof(*tl->sorted));
	memcpy(tl->sorted, tl->effective, tl->neffective * sizeof(*tl->sorted));
	qsort(tl->sorted, tl->neffective, sizeof(*tl->sorted), strsort_compare);
}

int tablelist_literal(const struct table_list *tl, const char *table)
{
	return tl->neffective > 0 &&
	       bsearch(&table, tl->sorted, tl->neffective, sizeof(*tl->sorted),
		       strsort_compare) != NULL;
}

static int excluded(const struct table_list *tl, const char *table)
{
	size_t i;

	for (i = 0; i < tl->nexclude; i++)
		if (excludes(tl->exclude[i], table))
			return 1;
	return 0;
}

static int matched(const struct table_list *tl, const char *table)
{
	size_t i;

	for (i = 0; i < tl->npatterns; i++)
		if (fnmatch(tl->patterns[i], table, 0) == 0)
			return 1;
	return 0;
}

int tablelist_excluded(const struct table_list *tl, const char *table,
		       size_t len)
{
	char *name = xstrndup(table, len);
	int yes = excluded(tl, name);

	free(name);
	return yes;
}

int config_list_has(const struct table_list *tl, const char *table,
		    size_t len)
{
	char *name = xstrndup(table, len);
	int yes = tablelist_literal(tl, name) ||
		  (matched(tl, name) && !excluded(tl, name));

	free(name);
	return yes;
}

int tablelist_unlisted(const struct table_list *tl, const char *table)
{
	return !tablelist_literal(tl, table) && !matched(tl, table) &&
	       !excluded(tl, table);
}

size_t tablelist_expand(const struct table_list *tl,
			const char *const *present, size_t npresent,
			const char **out)
{
	size_t n = 0, i;

	for (i = 0; i < tl->neffective; i++)
		out[n++] = tl->effective[i];
	for (i = 0; i < npresent && tl->npatterns > 0; i++)
		if (!tablelist_literal(tl, present[i]) && matched(tl, present[i]) &&
		    !excluded(tl, present[i]))
			out[n++] = present[i];
	return n;
}

size_t tablelist_matches(const char *pattern, const char *const *present,
			 size_t n)
{
	size_t i, hits = 0;

	for (i = 0; i < n; i++)
		hits += fnmatch(pattern, present[i], 0) == 0;
	return hits;
}
