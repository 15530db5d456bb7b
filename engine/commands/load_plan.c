/*
 * What a load needs before any server: whether its target may be loaded
 * into, and the source's snapshot files read into statements (load.h).
 */
#include "engine/commands/load.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "engine/base/alloc.h"
#include "engine/commands/tablefiles.h"
#include "engine/store/snapshot.h"

/* An INSERT is cut at this size: far below any server's max_allowed_packet
 * (MariaDB's default is 16 MiB, its least 1 KiB but nobody runs that), and
 * large enough that a round trip carries thousands of rows. */
#define LOAD_STATEMENT_MAX (1u << 20)

/* Whether a and b reach the same server: the same socket, or the same
 * host and port. Names are compared as written: 127.0.0.1 and localhost
 * look different here, which only makes the check weaker, never wrong. */
static int same_server(const struct env_config *a, const struct env_config *b)
{
	if (a->socket != NULL || b->socket != NULL)
		return a->socket != NULL && b->socket != NULL &&
		       strcmp(a->socket, b->socket) == 0;
	return a->host != NULL && b->host != NULL &&
	       strcmp(a->host, b->host) == 0 && a->port == b->port;
}

int load_check_target(const struct load_opts *o, struct strbuf *err)
{
	const struct env_config *t = o->target;
	size_t i;

	if (t == o->source) {
		strbuf_addf(err, "--into %s is the environment loaded from: "
			    "name a scratch environment", t->name);
		return -EINVAL;
	}
	if (strcasestr(t->name, "prod") != NULL ||
	    strcasestr(t->folder, "prod") != NULL || t->sensitive) {
		strbuf_addf(err, "--into %s: a load never writes to an "
			    "environment treated as production or sensitive "
			    "(%s); name a scratch environment (scratch = yes)",
			    t->name, strcasestr(t->name, "prod") != NULL ||
			    strcasestr(t->folder, "prod") != NULL
			    ? "'prod' in its name or folder" : "sensitive = yes");
		return -EINVAL;
	}
	if (!t->scratch) {
		strbuf_addf(err, "--into %s: a load target must be declared a "
			    "scratch environment: `scratch = yes` in [environment "
			    "%s] (%s:%d), since a load drops and creates tables "
			    "there", t->name, t->name, t->config_path, t->line);
		return -EINVAL;
	}
	for (i = 0; i < o->cfg->nenvs; i++) {
		const struct env_config *e = &o->cfg->envs[i];

		if (e == t || e->scratch || !same_server(e, t) ||
		    strcmp(e->schema, t->schema) != 0)
			continue;
		strbuf_addf(err, "--into %s: schema %s on that server is "
			    "environment %s's, which is no scratch environment; "
			    "give %s a schema of its own", t->name, t->schema,
			    e->name, t->name);
		return -EINVAL;
	}
	return 0;
}

/* Whether `name` was asked for (--table; none: every table). */
static int wanted(const struct load_opts *o, const char *name)
{
	size_t i;

	for (i = 0; i < o->ntables; i++)
		if (strcmp(o->tables[i], name) == 0)
			return 1;
	return o->ntables == 0;
}

/* Read table `name`'s files into *t. 0, -ENOENT when it has no .sql
 * file, or an error with *err naming the file. */
static int read_table(const struct load_opts *o, const char *name,
		      struct load_table *t, struct strbuf *err)
{
	char *path, *text = NULL;
	size_t len;
	int rc;

	t->name = xstrdup(name);
	path = snapshot_table_path(o->out, o->source->folder,
				   o->source->database, name, ".sql");
	rc = snapshot_read(path, &text, &len);
	if (rc != 0) {
		if (rc != -ENOENT)
			strbuf_addf(err, "%s: %s", path, strerror(-rc));
		free(path);
		return rc;
	}
	t->create_len = snapshot_body_len(1, text, len);
	text[t->create_len] = '\0';
	t->create = text;
	if (tablemodel_parse(t->create, t->create_len, &t->model) == TM_NOT_A_TABLE) {
		strbuf_addf(err, "%s: not a CREATE TABLE statement", path);
		free(path);
		return -EINVAL;
	}
	if (t->model.name == NULL || strcmp(t->model.name, name) != 0) {
		strbuf_addf(err, "%s: creates table `%s`, not `%s`", path,
			    t->model.name ? t->model.name : "", name);
		free(path);
		return -EINVAL;
	}
	if (t->model.temporary) {
		strbuf_addf(err, "%s: a TEMPORARY table", path);
		free(path);
		return -EINVAL;
	}
	free(path);
	if (o->schema_only)
		return 0;

	path = snapshot_table_path(o->out, o->source->folder,
				   o->source->database, name, ".json");
	rc = snapshot_read(path, &text, &len);
	if (rc == -ENOENT) { /* an empty table, or no data sync yet */
		free(path);
		return 0;
	}
	if (rc == 0) {
		json_error_t jerr;
		json_t *root = json_loadb(text, len, JSON_DECODE_INT_AS_REAL, &jerr);
		struct strbuf why = STRBUF_INIT;

		if (root == NULL) {
			strbuf_addf(err, "%s:%d: not JSON: %s", path, jerr.line,
				    jerr.text);
			rc = -EINVAL;
		} else if (loadsql_inserts(&t->model, text, len,
					   LOAD_STATEMENT_MAX, &t->rows,
					   &why) != 0) {
			strbuf_addf(err, "%s: %s", path, why.data);
			rc = -EINVAL;
		}
		t->has_data = rc == 0;
		json_decref(root);
		strbuf_release(&why);
		free(text);
	} else {
		strbuf_addf(err, "%s: %s", path, strerror(-rc));
	}
	free(path);
	return rc;
}

int load_plan_read(const struct load_opts *o, struct load_plan *plan,
		   struct strbuf *err)
{
	char **names;
	size_t n, i, k;
	int rc = 0;

	memset(plan, 0, sizeof(*plan));
	n = tablefiles_of_env(o->out, o->cfg, o->source, &names);
	for (k = 0; k < o->ntables; k++) {
		for (i = 0; i < n && strcmp(names[i], o->tables[k]) != 0; i++)
			;
		if (i == n) {
			strbuf_addf(err, "--table %s: not a table of %s (its list "
				    "in %s and its snapshot files)", o->tables[k],
				    o->source->name, o->cfg->path);
			tablefiles_free(names, n);
			return -EINVAL;
		}
	}
	plan->tables = xcalloc(n ? n : 1, sizeof(*plan->tables));
	plan->missing = xcalloc(n ? n : 1, sizeof(*plan->missing));
	for (i = 0; i < n && rc == 0; i++) {
		struct load_table *t = &plan->tables[plan->ntables];

		if (!wanted(o, names[i]))
			continue;
		rc = read_table(o, names[i], t, err);
		if (rc == -ENOENT) {
			plan->missing[plan->nmissing++] = t->name;
			memset(t, 0, sizeof(*t));
			rc = 0;
			continue;
		}
		plan->ntables++;
		if (rc != 0)
			break;
		plan->rows += t->rows.rows;
		for (k = 0; k < t->rows.n; k++)
			plan->bytes += t->rows.stmts[k].len;
	}
	if (rc == 0 && plan->ntables == 0) {
		char *dir = snapshot_data_dir(o->out, o->source->folder);

		strbuf_addf(err, "nothing to load: %s has no schema snapshot of "
			    "%s%s in %s (run 'rhizome sync schema --env %s' "
			    "first)", o->source->name,
			    o->ntables ? "the tables asked for" : "its tables",
			    "", dir, o->source->name);
		free(dir);
		rc = -ENOENT;
	}
	tablefiles_free(names, n);
	return rc;
}

void load_plan_release(struct load_plan *plan)
{
	size_t i;

	for (i = 0; i < plan->ntables; i++) {
		struct load_table *t = &plan->tables[i];

		free(t->name);
		free(t->create);
		if (t->create != NULL || t->model.name != NULL)
			tablemodel_release(&t->model);
		loadsql_inserts_release(&t->rows);
	}
	free(plan->tables);
	for (i = 0; i < plan->nmissing; i++)
		free(plan->missing[i]);
	free(plan->missing);
	memset(plan, 0, sizeof(*plan));
}
