/*
 * An environment's plan job (bulk_int.h): which tables, by which key, in
 * which parts, and where a resume starts.
 *
 * Two round trips: the lookup (fetch_lookup: the tables and their keys),
 * then one describing every table to export: its Create Table text (for
 * the manifest, and for a load of the export) and, when its key is one
 * column, MIN and MAX of it (an integer range is cut into parts). A table
 * the second trip cannot describe (dropped in between, refused) fails
 * alone; the trip goes on with the tables after it. Then, on files only,
 * each table's export folder: continued (--resume) or begun afresh.
 */
#include "engine/commands/bulk_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine/base/alloc.h"
#include "engine/base/clock.h"
#include "engine/base/strsort.h"
#include "engine/fetch/bulksql.h"
#include "engine/fetch/sqlbatch.h"
#include "engine/fetch/sqlident.h"
#include "engine/fetch/sqlvalue.h"
#include "engine/rows/mask.h"
#include "engine/schema/normalize.h"
#include "engine/schema/tablemodel.h"
#include "engine/store/bulkchunk.h"
#include "engine/store/bulkdir.h"
#include "environments/tablelist.h"

/* What the describing trip learnt of a table. */
struct described {
	char *create;
	int has_bounds;                 /* a one-column key was asked */
	int integer;                    /* ... and it is an integer */
	char *min, *max;                /* NULL: the table is empty */
	unsigned long long estimate;    /* the server's guess of its rows */
	int failed;
};

static void fail_env(struct bulk_run *r, struct bulk_env *e,
		     const struct connpool_error *err, int unreached)
{
	pthread_mutex_lock(&r->lock);
	e->failed = 1;
	e->unreached = unreached;
	e->err = *err;
	pthread_mutex_unlock(&r->lock);
}

static void add_trips(struct bulk_run *r, struct bulk_env *e, unsigned trips)
{
	pthread_mutex_lock(&r->lock);
	e->round_trips += trips;
	pthread_mutex_unlock(&r->lock);
}

/* The round trips of the plan end by the earlier of query-timeout and
 * env-timeout. */
static void start_deadline(struct bulk_env *e, MYSQL *m)
{
	(void)bulk_arm_deadline(e, m, (double)e->cfg->query_timeout);
}

static int is_integer_type(enum enum_field_types t)
{
	return t == MYSQL_TYPE_TINY || t == MYSQL_TYPE_SHORT ||
	       t == MYSQL_TYPE_INT24 || t == MYSQL_TYPE_LONG ||
	       t == MYSQL_TYPE_LONGLONG;
}

/* ---- which tables ------------------------------------------------------- */

static int seen_before(const char **names, size_t i)
{
	size_t k;

	for (k = 0; k < i; k++)
		if (strcmp(names[k], names[i]) == 0)
			return 1;
	return 0;
}

/* e->tables from --table or the environment's list, expanded against
 * what the server has; the names it has not are missing. */
static void choose_tables(struct bulk_run *r, struct bulk_env *e,
			  const struct fetch_catalog *cat)
{
	const struct table_list *tl = e->cfg->tables;
	const char **names;
	size_t n, i;

	if (r->o->ntables > 0) {
		names = xcalloc(r->o->ntables, sizeof(*names));
		for (i = 0; i < r->o->ntables; i++)
			names[i] = r->o->tables[i];
		n = r->o->ntables;
	} else {
		names = xcalloc(tl->neffective + cat->n + 1, sizeof(*names));
		n = tablelist_expand(tl, (const char *const *)cat->names, cat->n,
				     names);
	}
	e->tables = xcalloc(n ? n : 1, sizeof(*e->tables));
	for (i = 0; i < n; i++) {
		struct bulk_table *t;

		/* a glob's match whose folder name no file system takes */
		if (!config_table_file_ok(e->cfg->database, names[i])) {
			struct strbuf sb = STRBUF_INIT;

			strbuf_addf(&sb, "rhizome: %s: warning: a table of schema "
				    "`%s` matches a glob but its name cannot be a "
				    "folder's: left out", e->cfg->name,
				    e->cfg->schema);
			bulk_log(r, sb.data);
			strbuf_release(&sb);
			continue;
		}
		if (i > 0 && seen_before(names, i))
			continue; /* --table given twice */
		t = &e->tables[e->ntables++];
		t->env = e;
		t->name = xstrdup(names[i]);
		pthread_mutex_init(&t->mlock, NULL);
		if (bsearch(&t->name, cat->names, cat->n, sizeof(*cat->names),
			    strsort_compare) == NULL)
			t->state = BULK_MISSING;
	}
	free(names);
}

/* ---- the describing round trip ----------------------------------------- */

/* Statement i of the trip is what of which table. */
struct stmt {
	size_t table;
	int bounds;                     /* MIN/MAX, else SHOW CREATE TABLE */
};

struct trip {
	struct stmt *stmts;             /* [0] the session's, [1] the
					 * estimates: no table's */
	struct described *d;
	const struct bulk_env *e;
};

static int take_answer(void *ctx, const struct sqlbatch_answer *a,
		       struct connpool_error *err)
{
	struct trip *tr = ctx;
	struct described *d;
	MYSQL_ROW row;
	unsigned long *len;

	(void)err;
	if (a->index == 1 && a->res != NULL) {
		/* the estimates: TABLE_NAME, TABLE_ROWS */
		while ((row = mysql_fetch_row(a->res)) != NULL) {
			size_t i;

			for (i = 0; row[0] && row[1] && i < tr->e->ntables; i++)
				if (strcmp(tr->e->tables[i].name, row[0]) == 0)
					tr->d[i].estimate = strtoull(row[1], NULL, 10);
		}
		return 0;
	}
	if (a->index <= 1 || a->res == NULL)
		return 0;
	d = &tr->d[tr->stmts[a->index].table];
	row = mysql_fetch_row(a->res);
	if (row == NULL)
		return 0;
	len = mysql_fetch_lengths(a->res);
	if (!tr->stmts[a->index].bounds) {
		if (mysql_num_fields(a->res) >= 2 && row[1] != NULL)
			d->create = xstrndup(row[1], len[1]);
		return 0;
	}
	d->integer = is_integer_type(mysql_fetch_fields(a->res)[0].type);
	d->min = row[0] ? xstrndup(row[0], len[0]) : NULL;
	d->max = row[1] ? xstrndup(row[1], len[1]) : NULL;
	return 0;
}

/*
 * Describe the tables of e that exist, from table `from` on, over m.
 * Returns FETCH_DONE when every one was answered or failed alone, else
 * the outcome that ended it (err says why).
 */
static enum fetch_outcome describe(struct bulk_run *r, struct bulk_env *e,
				   MYSQL *m, struct described *d,
				   struct bulk_worker *w,
				   struct connpool_error *err)
{
	struct stmt *stmts = xcalloc(2 * e->ntables + 2, sizeof(*stmts));
	struct trip tr = { stmts, d, e };
	struct sqlbatch_result res;
	enum fetch_outcome out = FETCH_DONE;
	size_t i, n;
	unsigned trips = 0;

	for (;;) {
		strbuf_reset(&w->sql);
		strbuf_adds(&w->sql, connpool_session_sql(e->pool, m));
		strbuf_add(&w->sql, ";", 1);
		bulksql_estimates(&w->sql, e->cfg->schema);
		n = 2;
		for (i = 0; i < e->ntables; i++) {
			const struct bulk_table *t = &e->tables[i];

			if (t->state == BULK_MISSING || d[i].failed ||
			    d[i].create != NULL)
				continue;
			strbuf_add(&w->sql, ";", 1);
			sqlident_show_create(&w->sql, e->cfg->schema, t->name);
			stmts[n].table = i;
			stmts[n++].bounds = 0;
			if (t->key != NULL && t->key->ncolumns == 1) {
				strbuf_add(&w->sql, ";", 1);
				bulksql_bounds(&w->sql, e->cfg->schema, t->name,
					       t->key->columns[0]);
				stmts[n].table = i;
				stmts[n++].bounds = 1;
				d[i].has_bounds = 1;
			}
		}
		if (n == 2)
			break;
		start_deadline(e, m);
		out = sqlbatch_run(m, &w->sql, n, take_answer, &tr, &res, &trips);
		if (out == FETCH_DONE)
			break;
		*err = res.err;
		if (out == FETCH_BROKEN || res.ran < 2 ||
		    connpool_expired(e->pool, m))
			break;
		/* that table alone fails; the rest are asked again */
		i = stmts[res.ran].table;
		d[i].failed = 1;
		free(d[i].create);
		d[i].create = NULL;
		bulk_fail_table(r, &e->tables[i], &res.err, NULL);
		out = FETCH_DONE;
	}
	add_trips(r, e, trips);
	free(stmts);
	return out;
}

/* ---- parts --------------------------------------------------------------- */

static int parse_i128(const char *s, __int128 *v)
{
	int neg = *s == '-';
	__int128 x = 0;

	if (neg || *s == '+')
		s++;
	if (*s == '\0')
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		x = x * 10 + (*s - '0');
	}
	*v = neg ? -x : x;
	return 0;
}

static char *i128_text(__int128 v)
{
	char buf[48], *p = buf + sizeof(buf) - 1;
	int neg = v < 0;
	unsigned __int128 u = neg ? -(unsigned __int128)v : (unsigned __int128)v;

	*p = '\0';
	do {
		*--p = (char)('0' + (int)(u % 10));
		u /= 10;
	} while (u > 0);
	if (neg)
		*--p = '-';
	return xstrdup(p);
}

/* The parts of a fresh export: an integer key's range cut in up to one
 * part per worker of at least chunk_rows key values each, when the
 * server guesses the table holds two chunks or more (a sparse key of a
 * few rows is not cut into parts of nothing); else one. Where it cuts
 * depends on the key's range and the workers only, so the same rows and
 * --workers give the same parts, chunks and digests in every run (the
 * guess only decides whether, and is far from its threshold for any
 * table worth cutting); a resume keeps the parts it finds. */
static void plan_parts(struct bulk_run *r, struct bulk_table *t,
		       const struct described *d)
{
	struct bulkmanifest *m = &t->m;
	__int128 lo, hi, span, parts, i;

	t->integer_key = d->integer;
	if (d->integer && d->min != NULL && d->max != NULL &&
	    d->estimate >= 2ull * r->chunk_rows &&
	    parse_i128(d->min, &lo) == 0 && parse_i128(d->max, &hi) == 0 &&
	    hi >= lo) {
		span = hi - lo + 1;
		parts = (span + r->chunk_rows - 1) / r->chunk_rows;
		if (parts > r->workers)
			parts = r->workers;
		if (parts > BULKCHUNK_MAX_PARTS)
			parts = BULKCHUNK_MAX_PARTS;
		if (parts > 1) {
			m->parts = xcalloc((size_t)parts, sizeof(*m->parts));
			m->nparts = (size_t)parts;
			for (i = 1; i < parts; i++) {
				char *b = i128_text(lo + span * i / parts);

				m->parts[i - 1].hi = b;
				m->parts[i].lo = xstrdup(b);
			}
			return;
		}
	}
	m->parts = xcalloc(1, sizeof(*m->parts));
	m->nparts = 1;
}

/* ---- resume ------------------------------------------------------------ */

static int same_key(const struct bulkmanifest *m, const struct table_key *k)
{
	size_t i;

	if (k == NULL || m->key == NULL || m->nkey != k->ncolumns ||
	    m->key_name == NULL || strcmp(m->key_name, k->index) != 0)
		return 0;
	for (i = 0; i < m->nkey; i++)
		if (strcmp(m->key[i], k->columns[i]) != 0)
			return 0;
	return 1;
}

/* Whether two exports' masking (bulkmanifest.h; NULL: none) is the
 * same. */
static int same_masking(const char *a, const char *b)
{
	return a == NULL || b == NULL ? a == b : strcmp(a, b) == 0;
}

/* Whether two Create Table texts are the same table, AUTO_INCREMENT
 * aside. */
static int same_create(const char *a, const char *b)
{
	size_t la, lb;
	char *na = normalize_schema(a, strlen(a), &la);
	char *nb = normalize_schema(b, strlen(b), &lb);
	int same = la == lb && memcmp(na, nb, la) == 0;

	free(na);
	free(nb);
	return same;
}

/* Keep the chunks of each part whose files still have their digests, up
 * to the first that does not; returns how many were kept. */
static size_t keep_good_chunks(struct bulk_table *t, struct strbuf *note)
{
	struct bulkmanifest *m = &t->m;
	size_t i, k, kept = 0;

	for (i = 0; i < m->nparts; i++) {
		struct bulkmanifest_part *p = &m->parts[i];

		for (k = 0; k < p->nchunks; k++) {
			char *path = xasprintf("%s/%s", t->dir, p->chunks[k].name);
			struct strbuf why = STRBUF_INIT;
			int rc = bulkchunk_check(path, p->chunks[k].sha256, &why);

			strbuf_release(&why);
			free(path);
			if (rc != 0) {
				strbuf_addf(note, "%schunk %s %s: read again from "
					    "there", note->len ? "; " : "",
					    p->chunks[k].name, rc != -EBADMSG
					    ? "is gone" : "does not have its digest");
				break;
			}
		}
		if (k < p->nchunks) {
			bulkmanifest_truncate(p, k, m->nkey);
			p->done = 0;
		}
		kept += p->nchunks;
	}
	return kept;
}

/*
 * --resume: continue t from its .partial folder's manifest when it is the
 * same table by the same key; else say why it starts afresh (in *note).
 * A table whose export is complete already is kept. Returns 1 when t
 * needs no fresh start.
 */
static int try_resume(struct bulk_run *r, struct bulk_table *t,
		      const struct described *d, struct strbuf *note)
{
	struct bulkmanifest old;
	struct strbuf err = STRBUF_INIT;
	int rc = bulkmanifest_read(t->dir, sqlvalue_is_literal, &old, &err);
	size_t i, kept;

	if (rc == -ENOENT) {
		bulkmanifest_release(&old);
		rc = bulkmanifest_read(t->final, sqlvalue_is_literal, &old, &err);
		if (rc == 0 && old.complete &&
		    !same_masking(old.masking, t->m.masking)) {
			strbuf_adds(note, "the [mask] rules for it changed since "
				    "its export: exported afresh");
		} else if (rc == 0 && old.complete) {
			t->state = BULK_KEPT;
			t->rows = bulkmanifest_rows(&old);
			t->bytes = bulkmanifest_bytes(&old);
			for (i = 0; i < old.nparts; i++)
				t->chunks += old.parts[i].nchunks;
			strbuf_adds(note, "complete already: kept");
			bulkmanifest_release(&old);
			strbuf_release(&err);
			return 1;
		}
		bulkmanifest_release(&old);
		strbuf_release(&err);
		return 0;
	}
	if (rc != 0) {
		strbuf_addf(note, "its interrupted export cannot be continued "
			    "(%s): exported afresh", rc == -EBADMSG ? err.data
			    : strerror(-rc));
	} else if (t->key == NULL || old.key == NULL) {
		strbuf_adds(note, "no key to continue from (read in one pass): "
			    "exported afresh");
	} else if (!same_key(&old, t->key)) {
		strbuf_adds(note, "its interrupted export was chunked by another "
			    "key: exported afresh");
	} else if (old.chunk_rows != r->chunk_rows) {
		strbuf_addf(note, "its interrupted export has chunks of %u rows, "
			    "this run %u: exported afresh (--chunk-rows %u "
			    "continues it)", old.chunk_rows, r->chunk_rows,
			    old.chunk_rows);
	} else if (!same_masking(old.masking, t->m.masking)) {
		strbuf_adds(note, "the [mask] rules for it changed since its "
			    "interrupted export: exported afresh");
	} else if (!same_create(old.create, d->create)) {
		strbuf_adds(note, "its definition changed since its interrupted "
			    "export: exported afresh");
	} else if (strcmp(old.env, t->env->cfg->name) != 0 ||
		   strcmp(old.schema, t->env->cfg->schema) != 0) {
		strbuf_adds(note, "its interrupted export is of another "
			    "environment or schema: exported afresh");
	} else {
		bulkmanifest_release(&t->m);
		t->m = old;
		/* listed as complete if killed before its publish: it is
		 * complete again only once every part is (bulk_part_over) */
		t->m.complete = 0;
		t->integer_key = d->integer;
		kept = keep_good_chunks(t, note);
		t->resumed_chunks = kept;
		t->listed = kept;
		if (kept > 0)
			strbuf_addf(note, "%sresumed after %zu chunk%s",
				    note->len ? "; " : "", kept, kept == 1 ? "" : "s");
		else
			strbuf_addf(note, "%sresumed from its first chunk (none "
				    "was complete)", note->len ? "; " : "");
		strbuf_release(&err);
		return 1;
	}
	bulkmanifest_release(&old);
	strbuf_release(&err);
	return 0;
}

/* ---- one table's plan -------------------------------------------------- */

/* "column=method" of each column of t a [mask] rule covers ("constant:"
 * with its value), by the Create Table text, or NULL when none is: what
 * a resume checks its chunks were masked by. Caller frees. */
static char *masking_of(struct bulk_run *r, const struct bulk_table *t,
			const char *create)
{
	const struct env_config *env = t->env->cfg;
	static const char *const methods[] = { "none", "hash", "null",
					       "constant" };
	struct table_model model;
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	if (env->mask == MASK_OFF ||
	    tablemodel_parse(create, strlen(create), &model) == TM_NOT_A_TABLE)
		return NULL; /* (a model not a table is released) */
	for (i = 0; i < model.ncolumns; i++) {
		const struct mask_rule *rule = mask_match(r->o->cfg, env->database,
							  t->name,
							  model.columns[i].name);

		if (rule == NULL)
			continue;
		strbuf_addf(&sb, "%s%s=%s%s%s", sb.len ? "," : "",
			    model.columns[i].name,
			    (unsigned)rule->method < 4 ? methods[rule->method] : "?",
			    rule->constant ? ":" : "",
			    rule->constant ? rule->constant : "");
	}
	tablemodel_release(&model);
	return sb.len ? strbuf_detach(&sb, NULL) : (strbuf_release(&sb), NULL);
}

/*
 * Whether t's key can chunk it, by its Create Table text: not when a key
 * column is masked (the chunks' last keys and the parts' bounds in the
 * manifest would be its values unmasked), nor an ENUM or SET (ORDER BY
 * sorts them by their index, a comparison with a literal by their text,
 * so rows would be skipped), nor a FLOAT or DOUBLE (the server's text of
 * a value compares unequal to the value, so a row would come twice).
 * 0, or -1 with why in *note.
 */
static int key_usable(struct bulk_run *r, const struct bulk_table *t,
		      const char *create, struct strbuf *note)
{
	const struct env_config *env = t->env->cfg;
	struct table_model model;
	size_t i;
	int rc = 0;

	if (tablemodel_parse(create, strlen(create), &model) == TM_NOT_A_TABLE)
		return 0; /* (released) the load's checks say what is wrong */
	for (i = 0; i < t->key->ncolumns && rc == 0; i++) {
		const struct tm_column *c = tablemodel_column(&model,
							      t->key->columns[i]);
		const struct mask_rule *rule = env->mask == MASK_OFF ? NULL
			: mask_match(r->o->cfg, env->database, t->name,
				     t->key->columns[i]);
		const char *type = c && c->type ? c->type : "";

		if (rule != NULL && rule->method != MASK_NONE) {
			strbuf_addf(note, "its key column `%s` is masked: read in "
				    "one pass, so that no unmasked key value is "
				    "written to the manifest", t->key->columns[i]);
			rc = -1;
		} else if (strncasecmp(type, "enum", 4) == 0 ||
			   strncasecmp(type, "set", 3) == 0 ||
			   strncasecmp(type, "float", 5) == 0 ||
			   strncasecmp(type, "double", 6) == 0 ||
			   strncasecmp(type, "real", 4) == 0) {
			strbuf_addf(note, "its key column `%s` is %.*s, which a "
				    "key range cannot chunk exactly: read in one "
				    "pass", t->key->columns[i],
				    (int)strcspn(type, "( "), type);
			rc = -1;
		}
	}
	tablemodel_release(&model);
	return rc;
}

static void plan_table(struct bulk_run *r, struct bulk_table *t,
		       struct described *d)
{
	struct bulk_env *e = t->env;
	struct bulkmanifest *m = &t->m;
	struct strbuf note = STRBUF_INIT;
	size_t i;
	int rc;

	t->final = bulkdir_table(r->o->out, e->cfg->folder, e->cfg->database,
				 t->name, NULL);
	t->dir = bulkdir_table(r->o->out, e->cfg->folder, e->cfg->database,
			       t->name, ".partial");
	if (t->state != BULK_PENDING || d->failed)
		goto out;
	if (d->create == NULL) {
		struct connpool_error err;

		bulk_set_error(&err, 0, "SHOW CREATE TABLE gave no text: not a "
			       "base table");
		bulk_fail_table(r, t, &err, NULL);
		goto out;
	}
	t->m.masking = masking_of(r, t, d->create);
	if (t->key != NULL && key_usable(r, t, d->create, &note) != 0) {
		t->key = NULL;
		d->integer = 0;
	}
	if (r->o->resume && try_resume(r, t, d, &note)) {
		if (t->state == BULK_KEPT)
			goto out;
	} else {
		rc = bulkdir_fresh(t->dir);
		if (rc != 0) {
			bulk_io_failed(r, t->dir, rc);
			goto out;
		}
		char *masking = m->masking;

		m->masking = NULL;
		bulkmanifest_release(m);
		m->masking = masking;
		m->env = xstrdup(e->cfg->name);
		m->database = xstrdup(e->cfg->database);
		m->schema = xstrdup(e->cfg->schema);
		m->table = xstrdup(t->name);
		m->create = xstrdup(d->create);
		m->run_id = xstrdup(r->o->run_id);
		m->chunk_rows = r->chunk_rows;
		if (t->key != NULL) {
			m->key = xcalloc(t->key->ncolumns, sizeof(*m->key));
			for (i = 0; i < t->key->ncolumns; i++)
				m->key[i] = xstrdup(t->key->columns[i]);
			m->nkey = t->key->ncolumns;
			m->key_name = xstrdup(t->key->index);
		} else {
			strbuf_addf(&note, "%sno primary key or unique key of NOT "
				    "NULL columns: read in one pass",
				    note.len ? "; " : "");
		}
		plan_parts(r, t, d);
	}
	rc = bulkmanifest_write(t->dir, m);
	if (rc != 0) {
		bulk_io_failed(r, t->dir, rc);
		goto out;
	}
	t->parts_left = m->nparts;
out:
	if (note.len > 0)
		t->note = strbuf_detach(&note, NULL);
	strbuf_release(&note);
}

/* ---- the job ---------------------------------------------------------- */

void bulk_plan_env(struct bulk_run *r, struct bulk_env *e,
		   struct bulk_worker *w)
{
	struct fetch_catalog cat = { 0 };
	struct described *d = NULL;
	struct connpool_error err;
	enum fetch_outcome rc = FETCH_REFUSED;
	unsigned attempt, trips;
	size_t i;
	MYSQL *m;
	int reused, acquired, lost, expired, described = 0;

	memset(&err, 0, sizeof(err));
	for (attempt = 0;; attempt++) {
		if (e->deadline > 0 && clock_seconds() >= e->deadline) {
			char msg[120];

			snprintf(msg, sizeof(msg), "timed out: env-timeout (%u s "
				 "from the run's start) ran out", e->cfg->env_timeout);
			bulk_set_error(&err, 0, msg);
			rc = FETCH_REFUSED;
			break;
		}
		acquired = connpool_acquire(e->pool, &m, &reused, &err);
		if (acquired != 0) {
			fail_env(r, e, &err, acquired == -ENOTCONN);
			goto planned;
		}
		snprintf(e->server_version, sizeof(e->server_version), "%s",
			 mysql_get_server_info(m));
		trips = 0;
		if (!described) {
			fetch_catalog_free(&cat);
			fetch_keys_free(e->keys, e->nkeys);
			e->keys = NULL;
			e->nkeys = 0;
			start_deadline(e, m);
			rc = fetch_lookup(m, e->cfg->schema, &cat, &e->keys, &e->nkeys,
					  NULL, NULL, &err, &w->sql, &trips);
			add_trips(r, e, trips);
			if (rc == FETCH_DONE) {
				qsort(e->keys, e->nkeys, sizeof(*e->keys),
				      fetch_key_compare);
				choose_tables(r, e, &cat);
				for (i = 0; i < e->ntables; i++) {
					struct table_key probe = {
						.table = e->tables[i].name };

					e->tables[i].key = bsearch(&probe, e->keys,
								   e->nkeys,
								   sizeof(*e->keys),
								   fetch_key_compare);
					e->tables[i].mariadb = strstr(
						mysql_get_server_info(m),
						"MariaDB") != NULL;
				}
				d = xcalloc(e->ntables ? e->ntables : 1, sizeof(*d));
				described = 1;
			}
		}
		if (described)
			rc = describe(r, e, m, d, w, &err);
		expired = connpool_expired(e->pool, m);
		if (expired && e->deadline > 0 && clock_seconds() >= e->deadline)
			snprintf(err.message, sizeof(err.message), "timed out: "
				 "env-timeout (%u s from the run's start) ran out, "
				 "reading the schema's tables and keys",
				 e->cfg->env_timeout);
		else if (expired)
			snprintf(err.message, sizeof(err.message), "timed out: no "
				 "answer within query-timeout (%u s), reading the "
				 "schema's tables and keys", e->cfg->query_timeout);
		lost = rc == FETCH_BROKEN ||
		       (rc == FETCH_REFUSED && bulk_connection_lost(err.code));
		connpool_set_deadline(e->pool, m, 0);
		connpool_release(e->pool, m, lost || expired);
		if (rc == FETCH_DONE || !lost || expired ||
		    attempt >= e->cfg->retries || bulk_backoff(r, attempt + 1,
							       &w->seed))
			break;
	}
	if (rc != FETCH_DONE) {
		fail_env(r, e, &err, 0);
		goto planned;
	}
	for (i = 0; i < e->ntables; i++)
		plan_table(r, &e->tables[i], &d[i]);
planned:
	for (i = 0; d != NULL && i < e->ntables; i++) {
		free(d[i].create);
		free(d[i].min);
		free(d[i].max);
	}
	free(d);
	fetch_catalog_free(&cat);
	pthread_mutex_lock(&r->lock);
	e->planned = 1;
	progress_add_tables(&r->progress, e->ntables, 0);
	pthread_cond_broadcast(&r->changed);
	pthread_mutex_unlock(&r->lock);
}
