/*
 * The grouping is fleetversions'; this is its JSON and text. Column
 * comparisons use each column's clauses as written, so `int(11)` against
 * `bigint(20) unsigned` or `datetime` against `timestamp` show as they are
 * in the files.
 */
#include "engine/commands/versions.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine/schema/schemadiff.h"

/* Against V1, what is not about columns: indexes, keys, checks, options,
 * partitioning (schemadiff's words). */
static json_t *other_changes(const struct fv_member *v1,
			     const struct fv_member *v)
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

/* Version j (0-based) of `t` against V1: its environments, and the
 * columns it adds, lacks or defines differently. */
static json_t *one_version(const struct fv_table *t, size_t j)
{
	json_t *envs = json_array(), *adds = json_array(),
	       *lacks = json_array(), *changes = json_array();
	const struct fv_member *r1 = t->rep[0], *rj = t->rep[j];
	const struct table_model *v1 = &r1->model, *m = &rj->model;
	int compare = j > 0 && rj->parsed && r1->parsed;
	size_t i, k;

	for (i = 0; i < t->nmembers; i++)
		if (t->members[i].version == (int)j + 1)
			json_array_append_new(envs,
				json_string(t->members[i].env->name));
	for (k = 0; compare && k < m->ncolumns; k++) {
		const struct tm_column *c = &m->columns[k];
		const struct tm_column *d = tablemodel_column(v1, c->name);
		char *def = fleetversions_column_def(c);
		char *dd = d ? fleetversions_column_def(d) : NULL;

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
	for (k = 0; compare && k < v1->ncolumns; k++)
		if (tablemodel_column(m, v1->columns[k].name) == NULL)
			json_array_append_new(lacks,
				json_string(v1->columns[k].name));
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o}", "version",
			 json_sprintf("V%zu", j + 1), "environments", envs,
			 "adds", adds, "lacks", lacks, "changes", changes,
			 "other", other_changes(r1, rj));
}

/* One logical table across the environments that have its database. */
static json_t *one_table(const struct fv_table *t)
{
	json_t *versions = json_array(), *base = json_array(), *none = json_array();
	size_t i, j;
	int newest = 0;

	for (i = 0; i < t->nmembers; i++)
		if (t->members[i].version == 0)
			json_array_append_new(none,
				json_string(t->members[i].env->name));
	for (i = 0; i < t->nbase; i++)
		json_array_append_new(base, json_string(t->base[i]));
	for (j = 0; j < t->nversions; j++)
		json_array_append_new(versions, one_version(t, j));
	/* the newest version: that of the environment rolling out first
	 * (the last one with a snapshot, in rank order) */
	for (i = t->nmembers; i-- > 0;)
		if (t->members[i].version > 0) {
			newest = t->members[i].version;
			break;
		}
	return json_pack("{s:s, s:s, s:I, s:o, s:o, s:o, s:o}", "database",
			 t->database, "table", t->table, "version_count",
			 (json_int_t)t->nversions, "versions", versions, "newest",
			 newest ? json_sprintf("V%d", newest) : json_null(),
			 "base", base, "no_snapshot", none);
}

json_t *versions_build(const struct versions_opts *o)
{
	json_t *tables = json_array(), *behind = json_object(), *t;
	struct fv_fleet f;
	size_t k, identical = 0, multi = 0, i;

	fleetversions_build(o, &f);
	for (k = 0; k < f.ntables; k++)
		json_array_append_new(tables, one_table(&f.tables[k]));
	fleetversions_release(&f);
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
