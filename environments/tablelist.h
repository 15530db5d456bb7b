/*
 * tablelist: what one `[tables DATABASE]` section names, and how that meets
 * the tables a server (or a snapshot folder) really has.
 *
 * A word of `tables =` or `exclude =` is a glob when it holds `*`, `?` or
 * `[` (fnmatch(3), case-sensitive like table names on a Linux server;
 * `\*` matches a literal star). Literal names are fetched wherever they are
 * listed, present or not, so a missing table is reported; a glob names what
 * it matches among the tables present, so it is expanded per environment
 * (sync: from the server's catalog, read in the environment's first round
 * trip; commands that read files: from the snapshot files present).
 * `exclude` wins over both. A table present but neither listed nor matched
 * nor excluded is *unlisted*: no snapshot covers it.
 *
 * Everything here is read-only on a loaded config: thread-safe. Out of
 * memory aborts (engine/base/alloc.h).
 */
#ifndef RHIZOME_TABLELIST_H
#define RHIZOME_TABLELIST_H

#include <stddef.h>

/* One `[tables DATABASE]` section: the tables of a logical database. */
struct table_list {
	char *database;
	char **tables;          /* as listed, in file order */
	size_t ntables;
	char **exclude;
	size_t nexclude;
	const char **effective; /* the literal tables minus exclude, borrowed
				 * from `tables`, in file order */
	size_t neffective;
	const char **sorted;    /* `effective` in strcmp order, for lookups */
	const char **patterns;  /* the globs of `tables`, borrowed, in file
				 * order */
	size_t npatterns;
	int line;               /* line of the section header */
};

/* Whether `word` is a glob (holds `*`, `?` or `[`). */
int tablelist_is_glob(const char *word);

/* Fill tl->effective, sorted and patterns from tables and exclude (once,
 * when the config is loaded). */
void tablelist_resolve(struct table_list *tl);

/* Whether `table` is one of the literal names fetched (not excluded). */
int tablelist_literal(const struct table_list *tl, const char *table);

/* Whether `exclude` names the table table[0..len). */
int tablelist_excluded(const struct table_list *tl, const char *table,
		       size_t len);

/* Whether the list fetches the table named by table[0..len): a literal name
 * not excluded, or a name a glob matches and exclude does not. */
int config_list_has(const struct table_list *tl, const char *table,
		    size_t len);

/* Whether a table present is unlisted: neither fetched (config_list_has)
 * nor excluded. */
int tablelist_unlisted(const struct table_list *tl, const char *table);

/*
 * The tables to fetch from an environment whose tables are
 * present[0..npresent) (strcmp order): the literal names first, in file
 * order, then each present table a glob matches, not excluded and not
 * listed literally, in name order. Stores borrowed pointers (into the list
 * and into `present`) in out[], which must hold neffective + npresent
 * entries; returns how many.
 */
size_t tablelist_expand(const struct table_list *tl,
			const char *const *present, size_t npresent,
			const char **out);

/* How many of present[0..n) glob `pattern` matches. */
size_t tablelist_matches(const char *pattern, const char *const *present,
			 size_t n);

#endif
