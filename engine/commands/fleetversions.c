/*
 * Each snapshot is parsed with the table model; equality of versions is
 * byte equality after normalization.
 */
#include "engine/commands/fleetversions.h"

#include <stdlib.h>
#include <string.h>

#include "engine/base/alloc.h"
#include "engine/base/strbuf.h"
#include "engine/base/strsort.h"
#include "engine/commands/tablefiles.h"
#include "engine/schema/normalize.h"
#include "engine/store/snapshot.h"

/* An environment's rollout rank: lower rolls out later (V1 first). */
static int versions_rank(const struct env_config *env)
{
	const char *f = env->folder;

	if (env->order_set)
		return env->order;
	if (strstr(f, "prod") != NULL)
		return 0;
	if (strstr(f, "dev") != NULL || strstr(f, "local") != NULL)
		return 2;
	return 1; /* demo, staging, uat... */
}

char *fleetversions_column_def(const struct tm_column *c)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	for (i = 0; i < c->nclauses; i++) {
		if (i > 0)
			strbuf_add(&sb, " ", 1);
		strbuf_adds(&sb, c->clauses[i]);
	}
	strbuf_adds(&sb, "");
	return strbuf_detach(&sb, NULL);
}

static int cmp_rank(const void *a, const void *b)
{
	const struct fv_member *x = a, *y = b;
	int rx = versions_rank(x->env), ry = versions_rank(y->env);

	if (rx != ry)
		return rx - ry;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* The safe base: columns of V1 that every version defines the same. */
static void find_base(struct fv_table *t)
{
	const struct table_model *v1;
	size_t j, k;

	if (t->nversions == 0 || !t->rep[0]->parsed)
		return;
	v1 = &t->rep[0]->model;
	for (k = 0; k < v1->ncolumns; k++) {
		const struct tm_column *c = &v1->columns[k];
		char *def = fleetversions_column_def(c);
		int everywhere = 1;

		for (j = 1; j < t->nversions && everywhere; j++) {
			const struct tm_column *d = t->rep[j]->parsed ?
				tablemodel_column(&t->rep[j]->model, c->name) : NULL;
			char *dd = d ? fleetversions_column_def(d) : NULL;

			everywhere = dd != NULL && strcmp(dd, def) == 0;
			free(dd);
		}
		if (everywhere) {
			t->base = xrealloc(t->base, (t->nbase + 1) * sizeof(*t->base));
			t->base[t->nbase++] = xstrdup(c->name);
		}
		free(def);
	}
}

/* One logical table across the environments that have its database. */
static void one_table(const struct versions_opts *o, const char *database,
		      const char *table, struct fv_table *t)
{
	size_t i, j, n = 0;

	memset(t, 0, sizeof(*t));
	t->database = database;
	t->table = xstrdup(table);
	t->members = xcalloc(o->nenvs + 1, sizeof(*t->members));
	for (i = 0; i < o->nenvs; i++) {
		struct fv_member *m = &t->members[n];
		char *path, *text;
		size_t len, nlen;

		if (strcmp(o->envs[i]->database, database) != 0)
			continue;
		m->env = o->envs[i];
		m->pos = i;
		path = snapshot_table_path(o->out, o->envs[i]->folder, database,
					   table, ".sql");
		if (snapshot_read(path, &text, &len) == 0) {
			m->normalized = normalize_schema(text, len, &nlen);
			m->parsed = tablemodel_parse(text, len, &m->model) !=
				    TM_NOT_A_TABLE;
			free(text);
		}
		free(path);
		n++;
	}
	t->nmembers = n;
	/* stable sort by rank: V1 is the group of the lowest rank */
	qsort(t->members, n, sizeof(*t->members), cmp_rank);
	t->rep = xcalloc(n + 1, sizeof(*t->rep));
	for (i = 0; i < n; i++) {
		struct fv_member *m = &t->members[i];

		if (m->normalized == NULL)
			continue;
		for (j = 0; j < t->nversions; j++)
			if (strcmp(t->rep[j]->normalized, m->normalized) == 0)
				break;
		if (j == t->nversions)
			t->rep[t->nversions++] = m;
		m->version = (int)j + 1;
	}
	find_base(t);
}

static int wanted(const struct versions_opts *o, const char *table)
{
	size_t i;

	if (o->ntables == 0)
		return 1;
	for (i = 0; i < o->ntables; i++)
		if (strcmp(o->tables[i], table) == 0)
			return 1;
	return 0;
}

/* The tables of list `tl`: its literal names, then what its globs match
 * among the files of the selected environments that use it, in name
 * order, each once (tablefiles_of_env). Into names[0..*n), new strings. */
static char **list_tables(const struct versions_opts *o,
			  const struct table_list *tl, size_t *n)
{
	char **names = NULL, **found;
	size_t i, k, j, nfound, count = 0, literal;

	for (k = 0; k < tl->neffective; k++) {
		names = xrealloc(names, (count + 1) * sizeof(*names));
		names[count++] = xstrdup(tl->effective[k]);
	}
	literal = count;
	for (i = 0; i < o->nenvs && tl->npatterns > 0; i++) {
		if (o->envs[i]->tables != tl)
			continue;
		nfound = tablefiles_of_env(o->out, o->cfg, o->envs[i], &found);
		for (k = 0; k < nfound; k++) {
			for (j = 0; j < count; j++)
				if (strcmp(names[j], found[k]) == 0)
					break;
			if (j < count) {
				free(found[k]);
				continue;
			}
			names = xrealloc(names, (count + 1) * sizeof(*names));
			names[count++] = found[k];
		}
		free(found);
	}
	if (count > literal)
		qsort(names + literal, count - literal, sizeof(*names),
		      strsort_compare);
	*n = count;
	return names;
}

void fleetversions_build(const struct versions_opts *o, struct fv_fleet *f)
{
	size_t d, k, n;

	memset(f, 0, sizeof(*f));
	for (d = 0; d < o->cfg->nlists; d++) {
		const struct table_list *tl = &o->cfg->lists[d];
		char **names = list_tables(o, tl, &n);

		for (k = 0; k < n; k++) {
			if (wanted(o, names[k])) {
				f->tables = xrealloc(f->tables, (f->ntables + 1) *
						     sizeof(*f->tables));
				one_table(o, tl->database, names[k],
					  &f->tables[f->ntables++]);
			}
			free(names[k]);
		}
		free(names);
	}
}

void fleetversions_release(struct fv_fleet *f)
{
	size_t i, k;

	for (i = 0; i < f->ntables; i++) {
		struct fv_table *t = &f->tables[i];

		for (k = 0; k < t->nmembers; k++) {
			free(t->members[k].normalized);
			if (t->members[k].parsed)
				tablemodel_release(&t->members[k].model);
		}
		for (k = 0; k < t->nbase; k++)
			free(t->base[k]);
		free(t->base);
		free(t->members);
		free(t->rep);
		free(t->table);
	}
	free(f->tables);
	memset(f, 0, sizeof(*f));
}
