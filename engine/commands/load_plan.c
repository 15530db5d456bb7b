/*
 * What a load needs before any server: whether its target may be loaded
 * into, and the source's snapshot files read into statements (load.h).
 */
#include "engine/commands/load.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "engine/base/alloc.h"
#include "engine/commands/tablefiles.h"
#include "engine/schema/sqltoken.h"
#include "engine/fetch/sqlvalue.h"
#include "engine/store/bulkchunk.h"
#include "engine/store/bulkdir.h"
#include "engine/store/bulkmanifest.h"
#include "engine/store/snapshot.h"

/* Whether a and b reach the same server: the same socket, or the same
 * host and port (no host is libmariadb's localhost, no port 3306). Names
 * are compared as written: 127.0.0.1 and localhost look different here,
 * which only makes the check weaker, never wrong. */
static int same_server(const struct env_config *a, const struct env_config *b)
{
	if (a->socket != NULL || b->socket != NULL)
		return a->socket != NULL && b->socket != NULL &&
		       strcmp(a->socket, b->socket) == 0;
	return strcmp(a->host ? a->host : "localhost",
		      b->host ? b->host : "localhost") == 0 &&
	       (a->port ? a->port : 3306) == (b->port ? b->port : 3306);
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

/* The engines a loaded table may have: those that keep its rows in the
 * target server's own files (not CONNECT, FEDERATED, SPIDER, S3,
 * OQGRAPH or MERGE, which reach other servers, files or schemas). */
static const char *const engines[] = {
	"InnoDB", "Aria", "MyISAM", "MEMORY", "HEAP", "ARCHIVE", "CSV",
	"BLACKHOLE", "ROCKSDB", "TokuDB", "Columnstore", "Mroonga",
};

/* The partition clause's start as MySQL prints it: a version comment. */
static size_t partition_comment(const char *s)
{
	if (strncmp(s, "/*!50100 PARTITION BY ", 22) == 0 ||
	    strncmp(s, "/*!50500 PARTITION BY ", 22) == 0)
		return 9;
	return 0;
}

/*
 * Whether text[0..len) is one CREATE TABLE as the server prints it: no
 * ';', no comment but a partition clause's version comment (the server
 * runs what a version comment holds), no '#' or '--' comment (a quote in one
 * would hide the rest from this scan) outside quotes. NULL, or what is
 * wrong.
 */
static const char *one_statement(const char *text, size_t len)
{
	size_t i, j;

	for (i = 0; i < len; i++) {
		if ((j = sqltoken_skip_quoted(text, len, i)) != i) {
			i = j - 1;
			continue;
		}
		if (text[i] == ';')
			return "holds more than one statement (a ';' outside quotes)";
		if (text[i] == '#' || (text[i] == '-' && i + 1 < len &&
				       text[i + 1] == '-'))
			return "holds a comment, which SHOW CREATE TABLE never "
			       "prints";
		if (text[i] == '/' && i + 1 < len && text[i + 1] == '*') {
			if ((j = partition_comment(text + i)) == 0)
				return "holds a comment other than a partition "
				       "clause's, which the server could run";
			i += j - 1; /* the clause inside is scanned as text */
		}
	}
	return NULL;
}

/* Whether what follows the table options is a partition clause, as the
 * server prints one (MariaDB plainly, MySQL in a version comment). */
static int partition_clause(const char *s)
{
	s += strspn(s, " \n");
	return strncmp(s, "PARTITION BY ", 13) == 0 || partition_comment(s) > 0;
}

/* Whether `word` (upper case) stands in s outside quotes, as a word, in
 * any case; *after is where it ends. */
static int find_word(const char *s, const char *word, const char **after)
{
	size_t len = strlen(s), w = strlen(word), i, j;

	for (i = 0; i < len; i++) {
		if ((j = sqltoken_skip_quoted(s, len, i)) != i) {
			i = j - 1;
			continue;
		}
		if (strncasecmp(s + i, word, w) == 0 &&
		    (i == 0 || !(isalnum((unsigned char)s[i - 1]) || s[i - 1] == '_')) &&
		    !(isalnum((unsigned char)s[i + w]) || s[i + w] == '_')) {
			if (after != NULL)
				*after = s + i + w;
			return 1;
		}
	}
	return 0;
}

static int has_word(const char *s, const char *word)
{
	return find_word(s, word, NULL);
}

/* Whether the table options name an engine other than engines[]: the one
 * ENGINE=NAME, bare, as the server prints it. */
static int foreign_engine(const char *options, char *name, size_t size)
{
	const char *p, *rest;
	size_t n, i;

	if (!find_word(options, "ENGINE", &p))
		return 0;
	if (*p != '=')
		goto odd;
	p++;
	n = strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");
	if (n == 0)
		goto odd;
	snprintf(name, size, "%.*s", (int)n, p);
	for (i = 0; i < sizeof(engines) / sizeof(engines[0]); i++)
		if (strlen(engines[i]) == n && strncasecmp(engines[i], p, n) == 0)
			/* and no second ENGINE further on */
			return find_word(p + n, "ENGINE", &rest);
	return 1;
odd:
	snprintf(name, size, "(not written ENGINE=NAME)");
	return 1;
}

/*
 * What a .sql file may make a load do: create one table, as SHOW CREATE
 * TABLE printed it, on the target's server and nowhere else. The file is
 * sent as it is, so one that rhizome cannot read whole, that adds a
 * statement or a comment the server would run, a SELECT, an engine that
 * reaches other servers, files or schemas, a CONNECTION, a UNION or a
 * DATA/INDEX DIRECTORY is refused. 0, or -EINVAL with why in *err.
 */
static int loadable(const struct load_table *t, const char *path,
		    struct strbuf *err)
{
	const char *why = one_statement(t->create, t->create_len);
	const char *opts = t->model.options_text;
	char engine[64];

	if (why != NULL) {
		strbuf_addf(err, "%s: %s", path, why);
		return -EINVAL;
	}
	if (t->model.nunparsed > 0) {
		strbuf_addf(err, "%s: holds a line rhizome cannot read as SHOW "
			    "CREATE TABLE prints one: %.200s", path,
			    t->model.unparsed[0]);
		return -EINVAL;
	}
	if (t->model.partition != NULL && (!partition_clause(t->model.partition) ||
					   has_word(t->model.partition, "SELECT"))) {
		strbuf_addf(err, "%s: something other than a PARTITION clause "
			    "follows the table options", path);
		return -EINVAL;
	}
	if (opts != NULL && (has_word(opts, "SELECT") || has_word(opts, "UNION") ||
			     has_word(opts, "CONNECTION") ||
			     has_word(opts, "DIRECTORY"))) {
		strbuf_addf(err, "%s: its table options hold a SELECT, a UNION, "
			    "a CONNECTION or a DIRECTORY, which reach beyond the "
			    "table", path);
		return -EINVAL;
	}
	if (opts != NULL && foreign_engine(opts, engine, sizeof(engine))) {
		strbuf_addf(err, "%s: ENGINE=%s: a load makes only tables whose "
			    "rows stay in the target server's own files", path,
			    engine);
		return -EINVAL;
	}
	return 0;
}

/* t->create (from `path`) is one CREATE TABLE of table `name` a load
 * may send. 0, or -EINVAL with why in *err. */
static int check_create(struct load_table *t, const char *name,
			const char *path, struct strbuf *err)
{
	if (tablemodel_parse(t->create, t->create_len, &t->model) == TM_NOT_A_TABLE) {
		strbuf_addf(err, "%s: not a CREATE TABLE statement", path);
		return -EINVAL;
	}
	if (t->model.name == NULL || strcmp(t->model.name, name) != 0) {
		strbuf_addf(err, "%s: creates table `%s`, not `%s`", path,
			    t->model.name ? t->model.name : "", name);
		return -EINVAL;
	}
	if (t->model.temporary) {
		strbuf_addf(err, "%s: a TEMPORARY table", path);
		return -EINVAL;
	}
	return loadable(t, path, err);
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
	rc = check_create(t, name, path, err);
	free(path);
	if (rc != 0)
		return rc;
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
		json_t *root = json_loadb(text, len, JSON_DECODE_INT_AS_REAL |
					  JSON_ALLOW_NUL, &jerr);
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

int load_plan_has(const struct load_plan *plan, const char *table)
{
	size_t i;

	for (i = 0; i < plan->ntables; i++)
		if (strcmp(plan->tables[i].name, table) == 0)
			return 1;
	return 0;
}

/*
 * A table is created in the staging schema, where an unqualified
 * REFERENCES names the staging schema's table; one the load does not
 * bring (--table, or no snapshot of it) must name the target's, or the
 * key would point into the staging schema once it is dropped. Such
 * references are written `target`.`parent`, and the text rendered anew
 * (tablemodel.h: the same text but for them).
 */
static void qualify_references(const struct load_opts *o, struct load_plan *plan)
{
	size_t i, f;

	for (i = 0; i < plan->ntables; i++) {
		struct load_table *t = &plan->tables[i];
		int changed = 0;

		for (f = 0; f < t->model.nfks; f++) {
			struct tm_foreign_key *fk = &t->model.fks[f];
			struct loadsql_fk parts;

			if (loadsql_fk_parse(fk, &parts) != 0)
				continue;
			if (parts.ref_schema == NULL &&
			    !load_plan_has(plan, parts.ref_table)) {
				free(fk->ref_table);
				fk->ref_table = loadsql_qualified(o->target->schema,
								  parts.ref_table);
				changed = 1;
			}
			loadsql_fk_release(&parts);
		}
		if (changed) {
			free(t->create);
			t->create = tablemodel_render(&t->model);
			t->create_len = strlen(t->create);
		}
	}
}


/* ---- --bulk: the tables of the bulk exports ------------------------------ */

/* The tables of o->source's bulk exports, complete or not, from the
 * folder names ({database}_{table}, and .partial): in strcmp order into
 * *names (caller frees each and the array), and whether each has a
 * complete export in *complete. Returns how many. */
static size_t bulk_tables(const struct load_opts *o, char ***names,
			  int **complete)
{
	char *dir = xasprintf("%s/.bulk/%s", o->out, o->source->folder);
	size_t n = 0, cap = 0, plen = strlen(o->source->database) + 1, i, k;
	DIR *d = opendir(dir);
	struct dirent *de;

	*names = NULL;
	*complete = NULL;
	while (d != NULL && (de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);
		int partial = len > 8 && strcmp(de->d_name + len - 8, ".partial") == 0;
		char *name;

		if (len <= plen + (partial ? 8 : 0) ||
		    strncmp(de->d_name, o->source->database, plen - 1) != 0 ||
		    de->d_name[plen - 1] != '_' ||
		    (len > 4 && strcmp(de->d_name + len - 4, ".old") == 0))
			continue;
		name = xstrndup(de->d_name + plen, len - plen - (partial ? 8 : 0));
		for (k = 0; k < n && strcmp((*names)[k], name) != 0; k++)
			;
		if (k == n) {
			if (n == cap) {
				cap = cap ? 2 * cap : 16;
				*names = xrealloc(*names, cap * sizeof(**names));
				*complete = xrealloc(*complete, cap * sizeof(**complete));
			}
			(*names)[n] = name;
			(*complete)[n++] = 0;
		} else {
			free(name);
		}
		if (!partial)
			(*complete)[k] = 1;
	}
	if (d != NULL)
		closedir(d);
	free(dir);
	/* name order, the flags with them */
	for (i = 1; i < n; i++)
		for (k = i; k > 0 && strcmp((*names)[k - 1], (*names)[k]) > 0; k--) {
			char *t = (*names)[k];
			int c = (*complete)[k];

			(*names)[k] = (*names)[k - 1];
			(*complete)[k] = (*complete)[k - 1];
			(*names)[k - 1] = t;
			(*complete)[k - 1] = c;
		}
	return n;
}

/* Whether chunk c's file has its manifest's digest. 0, or -EINVAL (or
 * the read's -errno) with *err naming it. */
static int chunk_intact(const struct load_chunk *c, struct strbuf *err)
{
	int rc = bulkchunk_check(c->path, c->sha256, err);

	if (rc == -EBADMSG)
		strbuf_adds(err, ": damaged (export the table again)");
	else if (rc != 0)
		strbuf_addf(err, "%s: %s", c->path, strerror(-rc));
	return rc == -EBADMSG || rc == -ENOENT ? -EINVAL : rc;
}

/* Table `name`'s complete bulk export into *t: its manifest's text and
 * chunks. 0, or an error with *err naming the file. */
static int read_bulk_table(const struct load_opts *o, const char *name,
			   struct load_table *t, struct strbuf *err)
{
	char *dir = bulkdir_table(o->out, o->source->folder, o->source->database,
				  name, NULL);
	char *path = xasprintf("%s/%s", dir, BULKMANIFEST_NAME);
	struct bulkmanifest m;
	size_t i, k;
	int rc;

	t->name = xstrdup(name);
	rc = bulkmanifest_read(dir, sqlvalue_is_literal, &m, err);
	if (rc == 0 && (!m.complete || strcmp(m.table, name) != 0 ||
			strcmp(m.database, o->source->database) != 0)) {
		strbuf_addf(err, "%s: %s", path, !m.complete ? "not a complete "
			    "export" : "the manifest is of another table");
		rc = -EINVAL;
	} else if (rc != 0 && rc != -EBADMSG) {
		strbuf_addf(err, "%s: %s", path, strerror(-rc));
	}
	if (rc == 0) {
		t->create = m.create;
		t->create_len = strlen(m.create);
		m.create = NULL;
		rc = check_create(t, name, path, err);
	}
	for (i = 0; rc == 0 && i < m.nparts; i++)
		for (k = 0; k < m.parts[i].nchunks; k++) {
			struct load_chunk *c;

			t->chunks = xrealloc(t->chunks, (t->nchunks + 1) *
					     sizeof(*t->chunks));
			c = &t->chunks[t->nchunks++];
			c->path = xasprintf("%s/%s", dir, m.parts[i].chunks[k].name);
			snprintf(c->sha256, sizeof(c->sha256), "%s",
				 m.parts[i].chunks[k].sha256);
			c->rows = m.parts[i].chunks[k].rows;
			t->bulk_rows += c->rows;
			/* a damaged chunk is a bad file: refused before
			 * anything is contacted (the worker reading it
			 * checks again, the frame too) */
			rc = chunk_intact(c, err);
			if (rc != 0)
				break;
		}
	t->has_data = rc == 0;
	bulkmanifest_release(&m);
	free(path);
	free(dir);
	return rc == -EBADMSG ? -EINVAL : rc;
}

/* load --bulk's plan: every table with a complete export, or those
 * --table names. */
static int read_bulk_plan(const struct load_opts *o, struct load_plan *plan,
			  struct strbuf *err)
{
	char **names;
	int *complete;
	size_t n = bulk_tables(o, &names, &complete), i, k;
	int rc = 0;

	for (k = 0; k < o->ntables && rc == 0; k++) {
		for (i = 0; i < n && strcmp(names[i], o->tables[k]) != 0; i++)
			;
		if (i == n) {
			strbuf_addf(err, "--table %s: %s has no bulk export of it "
				    "in %s/.bulk/%s (run 'rhizome sync data --all "
				    "--env %s --table %s' first)", o->tables[k],
				    o->source->name, o->out, o->source->folder,
				    o->source->name, o->tables[k]);
			rc = -EINVAL;
		}
	}
	for (i = 0; i < n && rc == 0; i++)
		if (wanted(o, names[i]) && !complete[i]) {
			strbuf_addf(err, "table %s of %s: its bulk export is not "
				    "complete (run 'rhizome sync data --all --resume "
				    "--env %s' to finish it, or leave it out with "
				    "--table)", names[i], o->source->name,
				    o->source->name);
			rc = -EINVAL;
		}
	plan->tables = xcalloc(n ? n : 1, sizeof(*plan->tables));
	for (i = 0; i < n && rc == 0; i++) {
		struct load_table *t = &plan->tables[plan->ntables];

		if (!wanted(o, names[i]))
			continue;
		rc = read_bulk_table(o, names[i], t, err);
		plan->ntables++;
		plan->rows += t->bulk_rows;
		plan->nchunks += t->nchunks;
	}
	if (rc == 0 && plan->ntables == 0) {
		strbuf_addf(err, "nothing to load: %s has no bulk export in "
			    "%s/.bulk/%s (run 'rhizome sync data --all --env %s' "
			    "first)", o->source->name, o->out, o->source->folder,
			    o->source->name);
		rc = -ENOENT;
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(complete);
	return rc;
}

int load_plan_read(const struct load_opts *o, struct load_plan *plan,
		   struct strbuf *err)
{
	char **names;
	size_t n, i, k;
	int rc = 0;

	memset(plan, 0, sizeof(*plan));
	if (o->bulk) {
		rc = read_bulk_plan(o, plan, err);
		if (rc == 0)
			qualify_references(o, plan);
		return rc;
	}
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
	if (rc == 0)
		qualify_references(o, plan);
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
	size_t i, k;

	for (i = 0; i < plan->ntables; i++) {
		struct load_table *t = &plan->tables[i];

		free(t->name);
		free(t->create);
		if (t->create != NULL || t->model.name != NULL)
			tablemodel_release(&t->model);
		loadsql_inserts_release(&t->rows);
		for (k = 0; k < t->nchunks; k++)
			free(t->chunks[k].path);
		free(t->chunks);
	}
	free(plan->tables);
	for (i = 0; i < plan->nmissing; i++)
		free(plan->missing[i]);
	free(plan->missing);
	memset(plan, 0, sizeof(*plan));
}
