/*
 * Each snapshot is parsed with the table model; equality of versions is
 * byte equality after normalization, and column comparisons use each
 * column's clauses as written, so `int(11)` against `bigint(20) unsigned`
 * or `datetime` against `timestamp` show as they are in the files.
 */
#include "engine/commands/versions.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine/base/alloc.h"
#include "engine/base/strbuf.h"
#include "engine/base/strsort.h"
#include "engine/commands/tablefiles.h"
#include "engine/schema/normalize.h"
#include "engine/schema/schemadiff.h"
#include "engine/schema/tablemodel.h"
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

struct env_version {
	const struct env_config *env;
	size_t pos;             /* in the selection: ties keep config order */
	char *normalized;       /* NULL: no snapshot */
	struct table_model model;
	int parsed;
	int version;            /* 1-based, 0 when no snapshot */
};

static char *column_def(const struct tm_column *c)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	for (i = 0; i < c->nclauses; i++) {
		if (i > 0)
			strbuf_add(&sb, " ", 1);
		strbuf_adds(&sb, c->clauses[i]);
	}
	return strbuf_detach(&sb, NULL);
}

/* Against V1, what is not about columns: indexes, keys, checks, options,
 * partitioning (schemadiff's words). */
static json_t *other_changes(const struct env_version *v1,
			     const struct env_version *v)
{
	json_t *list = json_array();
	struct schema_diff d;
	size_t i;

	if (v1 == v || !v1->parsed || !v->parsed)
		return list;
	schemadiff_compare(&v1->model, &v->model, NULL, &d);
	for (i = 0; i < d.n; i++) {
		const struct diff_change *c = &d.changes[i];

		if (c->kind < DIFF_INDEX_ADDED)
			continue; /* columns: adds, lacks, changes say it */
		json_array_append_new(list, json_pack("{s:s, s:o, s:o}",
			"change", schemadiff_kind_name(c->kind),
			"object", c->object ? json_string(c->object) : json_null(),
			"text", c->to ? json_string(c->to)
			      : c->from ? json_string(c->from) : json_null()));
	}
	schemadiff_release(&d);
	return list;
}

static int cmp_rank(const void *a, const void *b)
{
	const struct env_version *x = a, *y = b;
	int rx = versions_rank(x->env), ry = versions_rank(y->env);

	if (rx != ry)
		return rx - ry;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* One logical table across the environments that have its database. */
static json_t *one_table(const struct versions_opts *o, const char *database,
			 const char *table)
{
	struct env_version *ev = xcalloc(o->nenvs, sizeof(*ev));
	json_t *versions = json_array(), *base = json_array(), *none = json_array();
	size_t n = 0, i, j, k, nv = 0;
	int newest;
	struct env_version **rep; /* the first environment of each version */
	json_t *t;

	for (i = 0; i < o->nenvs; i++) {
		char *path, *text;
		size_t len, nlen;

		if (strcmp(o->envs[i]->database, database) != 0)
			continue;
		ev[n].env = o->envs[i];
		ev[n].pos = i;
		path = snapshot_table_path(o->out, o->envs[i]->folder, database,
					   table, ".sql");
		if (snapshot_read(path, &text, &len) == 0) {
			ev[n].normalized = normalize_schema(text, len, &nlen);
			ev[n].parsed = tablemodel_parse(text, len, &ev[n].model) !=
				       TM_NOT_A_TABLE;
			free(text);
		}
		free(path);
		n++;
	}
	/* stable sort by rank: V1 is the group of the lowest rank */
	qsort(ev, n, sizeof(*ev), cmp_rank);
	rep = xcalloc(n, sizeof(*rep));
	for (i = 0; i < n; i++) {
		if (ev[i].normalized == NULL) {
			json_array_append_new(none, json_string(ev[i].env->name));
			continue;
		}
		for (j = 0; j < nv; j++)
			if (strcmp(rep[j]->normalized, ev[i].normalized) == 0)
				break;
		if (j == nv)
			rep[nv++] = &ev[i];
		ev[i].version = (int)j + 1;
	}
	/* the safe base: columns of V1 that every version defines the same */
	if (nv > 0 && rep[0]->parsed) {
		for (k = 0; k < rep[0]->model.ncolumns; k++) {
			const struct tm_column *c = &rep[0]->model.columns[k];
			char *def = column_def(c);
			int everywhere = 1;

			for (j = 1; j < nv && everywhere; j++) {
				const struct tm_column *d = rep[j]->parsed ?
					tablemodel_column(&rep[j]->model, c->name) : NULL;
				char *dd = d ? column_def(d) : NULL;

				everywhere = dd != NULL && strcmp(dd, def) == 0;
				free(dd);
			}
			if (everywhere)
				json_array_append_new(base, json_string(c->name));
			free(def);
		}
	}
	for (j = 0; j < nv; j++) {
		json_t *envs = json_array(), *adds = json_array(),
		       *lacks = json_array(), *changes = json_array();
		const struct table_model *v1 = &rep[0]->model, *m = &rep[j]->model;

		for (i = 0; i < n; i++)
			if (ev[i].version == (int)j + 1)
				json_array_append_new(envs, json_string(ev[i].env->name));
		for (k = 0; j > 0 && rep[j]->parsed && rep[0]->parsed &&
			    k < m->ncolumns; k++) {
			const struct tm_column *c = &m->columns[k];
			const struct tm_column *d = tablemodel_column(v1, c->name);
			char *def = column_def(c), *dd = d ? column_def(d) : NULL;

			if (d == NULL)
				json_array_append_new(adds, json_pack("{s:s, s:s}",
					"column", c->name, "definition", def));
			else if (strcmp(def, dd) != 0)
				json_array_append_new(changes, json_pack(
					"{s:s, s:s, s:s}", "column", c->name,
					"V1", dd, "here", def));
			free(def);
			free(dd);
		}
		for (k = 0; j > 0 && rep[j]->parsed && rep[0]->parsed &&
			    k < v1->ncolumns; k++)
			if (tablemodel_column(m, v1->columns[k].name) == NULL)
				json_array_append_new(lacks,
					json_string(v1->columns[k].name));
		json_array_append_new(versions, json_pack(
			"{s:o, s:o, s:o, s:o, s:o, s:o}", "version",
			json_sprintf("V%zu", j + 1), "environments", envs,
			"adds", adds, "lacks", lacks, "changes", changes,
			"other", other_changes(rep[0], rep[j])));
	}
	/* the newest version: that of the environment rolling out first
	 * (the last one with a snapshot, in rank order) */
	for (i = n, newest = 0; i-- > 0;)
		if (ev[i].version > 0) {
			newest = ev[i].version;
			break;
		}
	t = json_pack("{s:s, s:s, s:I, s:o, s:o, s:o, s:o}", "database", database,
		      "table", table, "version_count", (json_int_t)nv,
		      "versions", versions, "newest",
		      newest ? json_sprintf("V%d", newest) : json_null(),
		      "base", base, "no_snapshot", none);
	for (i = 0; i < n; i++) {
		free(ev[i].normalized);
		if (ev[i].parsed)
			tablemodel_release(&ev[i].model);
	}
	free(ev);
	free(rep);
	return t;
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
 * order, each once (tablefiles_of_env). */
static json_t *list_tables(const struct versions_opts *o,
			   const struct table_list *tl)
{
	json_t *names = json_array(), *seen = json_object();
	char **extra = NULL, **t;
	size_t i, k, n, nextra = 0;

	for (k = 0; k < tl->neffective; k++) {
		json_array_append_new(names, json_string(tl->effective[k]));
		json_object_set_new(seen, tl->effective[k], json_true());
	}
	for (i = 0; i < o->nenvs && tl->npatterns > 0; i++) {
		if (o->envs[i]->tables != tl)
			continue;
		n = tablefiles_of_env(o->out, o->cfg, o->envs[i], &t);
		for (k = 0; k < n; k++) {
			if (json_object_get(seen, t[k]) != NULL) {
				free(t[k]);
				continue;
			}
			json_object_set_new(seen, t[k], json_true());
			extra = xrealloc(extra, (nextra + 1) * sizeof(*extra));
			extra[nextra++] = t[k];
		}
		free(t);
	}
	qsort(extra, nextra, sizeof(*extra), strsort_compare);
	for (k = 0; k < nextra; k++)
		json_array_append_new(names, json_string(extra[k]));
	tablefiles_free(extra, nextra);
	json_decref(seen);
	return names;
}

json_t *versions_build(const struct versions_opts *o)
{
	json_t *tables = json_array(), *behind = json_object(), *t;
	size_t d, k, identical = 0, multi = 0, i;

	for (d = 0; d < o->cfg->nlists; d++) {
		const struct table_list *tl = &o->cfg->lists[d];
		json_t *names = list_tables(o, tl), *name;

		json_array_foreach(names, k, name)
			if (wanted(o, json_string_value(name)))
				json_array_append_new(tables, one_table(o,
					tl->database, json_string_value(name)));
		json_decref(names);
	}
	for (i = 0; i < o->nenvs; i++)
		json_object_set_new(behind, o->envs[i]->name, json_integer(0));
	json_array_foreach(tables, k, t) {
		json_t *vs = json_object_get(t, "versions"), *v, *e;
		const char *newest = json_string_value(json_object_get(t, "newest"));
		size_t nv = json_array_size(vs), j;

		if (nv == 1)
			identical++;
		if (nv < 2 || newest == NULL)
			continue;
		multi++;
		/* behind: every environment not on the newest version */
		json_array_foreach(vs, j, v) {
			if (strcmp(json_string_value(json_object_get(v, "version")),
				   newest) == 0)
				continue;
			json_array_foreach(json_object_get(v, "environments"), i, e) {
				json_t *c = json_object_get(behind, json_string_value(e));

				json_integer_set(c, json_integer_value(c) + 1);
			}
		}
	}
	return json_pack("{s:o, s:{s:I, s:I, s:o}}", "tables", tables,
			 "summary", "identical", (json_int_t)identical,
			 "multi_version", (json_int_t)multi, "behind", behind);
}

int versions_text(json_t *v, FILE *fp)
{
	json_t *t, *ver, *x, *s = json_object_get(v, "summary");
	size_t i, j, k;
	const char *name;

	json_array_foreach(json_object_get(v, "tables"), i, t) {
		size_t nv = json_array_size(json_object_get(t, "versions"));

		fprintf(fp, "%s.%s: %zu version%s\n",
			json_string_value(json_object_get(t, "database")),
			json_string_value(json_object_get(t, "table")), nv,
			nv == 1 ? "" : "s");
		json_array_foreach(json_object_get(t, "versions"), j, ver) {
			fprintf(fp, "  %s:", json_string_value(json_object_get(ver, "version")));
			json_array_foreach(json_object_get(ver, "environments"), k, x)
				fprintf(fp, " %s", json_string_value(x));
			fputc('\n', fp);
			json_array_foreach(json_object_get(ver, "adds"), k, x)
				fprintf(fp, "      adds `%s` %s\n",
					json_string_value(json_object_get(x, "column")),
					json_string_value(json_object_get(x, "definition")));
			json_array_foreach(json_object_get(ver, "lacks"), k, x)
				fprintf(fp, "      lacks `%s`\n", json_string_value(x));
			json_array_foreach(json_object_get(ver, "changes"), k, x)
				fprintf(fp, "      changes `%s`: %s (V1) -> %s\n",
					json_string_value(json_object_get(x, "column")),
					json_string_value(json_object_get(x, "V1")),
					json_string_value(json_object_get(x, "here")));
			json_array_foreach(json_object_get(ver, "other"), k, x) {
				json_t *txt = json_object_get(x, "text");

				fprintf(fp, "      %s%s%s\n",
					json_string_value(json_object_get(x, "change")),
					json_is_string(txt) ? ": " : "",
					json_is_string(txt) ? json_string_value(txt) : "");
			}
		}
		if (nv > 1) {
			fputs("  safe base (same in every version):", fp);
			json_array_foreach(json_object_get(t, "base"), k, x)
				fprintf(fp, " %s", json_string_value(x));
			fputc('\n', fp);
		}
		if (json_array_size(json_object_get(t, "no_snapshot")) > 0) {
			fputs("  no snapshot:", fp);
			json_array_foreach(json_object_get(t, "no_snapshot"), k, x)
				fprintf(fp, " %s", json_string_value(x));
			fputc('\n', fp);
		}
	}
	fprintf(fp, "\nSummary: %lld table(s) identical everywhere, %lld with 2+ "
		"versions.\n",
		json_integer_value(json_object_get(s, "identical")),
		json_integer_value(json_object_get(s, "multi_version")));
	fputs("Behind (tables not on their newest version):", fp);
	json_object_foreach(json_object_get(s, "behind"), name, x)
		if (json_integer_value(x) > 0)
			fprintf(fp, " %s %lld", name, json_integer_value(x));
	fputc('\n', fp);
	return ferror(fp) ? -EIO : 0;
}
