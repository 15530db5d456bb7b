/*
 * The level-by-level walk of the key graph (keyfollow.h).
 *
 * A group is what one table is asked for by: its referenced columns (a
 * key of it), and the value tuples wanted of them, each as the SQL text
 * "(v1, v2)", in the order found. A tuple enters its group once; the ones
 * new at a level are read by the next, which reads the rows they name only
 * if those rows have keys of their own to follow.
 */
#include "engine/fetch/keyfollow.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/base/alloc.h"
#include "engine/base/strset.h"
#include "engine/fetch/sqlbatch.h"
#include "engine/fetch/sqlident.h"
#include "engine/fetch/sqlvalue.h"

/* At most this many tuples in one IN list. */
#define IN_MAX 500

struct group {
	size_t table;
	char *const *cols;              /* the fk's ref_columns (borrowed) */
	size_t ncols;
	struct strset seen;             /* of `tuples` */
	char **tuples;                  /* owned, in the order found */
	size_t ntuples, cap;
	size_t pending;                 /* tuples[pending..]: new this level */
};

struct edge {
	const struct fetch_fk *fk;
	size_t from;                    /* the referencing table */
	size_t group;                   /* the referenced table's group */
	size_t *pos;                    /* each column's place in from's
					 * select list */
};

struct table {
	const char **select;            /* the columns its edges read */
	size_t nselect;
	size_t *edges;
	size_t nedges;
	struct strbuf also;
};

struct keyfollow {
	const char *schema;
	const char *const *tables;
	size_t ntables;
	const struct table_key *const *key_of;
	unsigned rows;
	struct table *t;
	struct edge *e;
	size_t ne;
	struct group *g;
	size_t ng;
	unsigned levels;
	size_t keys;
};

static size_t table_index(const keyfollow *kf, const char *name)
{
	size_t i;

	for (i = 0; i < kf->ntables; i++)
		if (strcmp(kf->tables[i], name) == 0)
			return i;
	return SIZE_MAX;
}

/* The group of table `t` by columns cols[0..n), made if new. */
static size_t group_of(keyfollow *kf, size_t t, char *const *cols, size_t n)
{
	size_t i, k;

	for (i = 0; i < kf->ng; i++) {
		if (kf->g[i].table != t || kf->g[i].ncols != n)
			continue;
		for (k = 0; k < n && strcmp(kf->g[i].cols[k], cols[k]) == 0; k++)
			;
		if (k == n)
			return i;
	}
	kf->g = xrealloc(kf->g, (kf->ng + 1) * sizeof(*kf->g));
	memset(&kf->g[kf->ng], 0, sizeof(kf->g[0]));
	kf->g[kf->ng].table = t;
	kf->g[kf->ng].cols = cols;
	kf->g[kf->ng].ncols = n;
	return kf->ng++;
}

/* The place of column `name` in table t's select list, added if new. */
static size_t select_pos(struct table *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->nselect; i++)
		if (strcmp(t->select[i], name) == 0)
			return i;
	t->select = xrealloc(t->select, (t->nselect + 1) * sizeof(*t->select));
	t->select[t->nselect] = name;
	return t->nselect++;
}

keyfollow *keyfollow_new(const char *schema, const char *const *tables,
			 size_t ntables, const struct table_key *const *key_of,
			 const int *present, const struct fetch_fk *fks,
			 size_t nfks, unsigned rows)
{
	keyfollow *kf = xcalloc(1, sizeof(*kf));
	size_t i, k, from, to;

	kf->schema = schema;
	kf->tables = tables;
	kf->ntables = ntables;
	kf->key_of = key_of;
	kf->rows = rows;
	kf->t = xcalloc(ntables ? ntables : 1, sizeof(*kf->t));
	kf->e = xcalloc(nfks ? nfks : 1, sizeof(*kf->e));
	for (i = 0; i < nfks; i++) {
		struct edge *e = &kf->e[kf->ne];

		from = table_index(kf, fks[i].table);
		to = table_index(kf, fks[i].ref_table);
		if (from == SIZE_MAX || to == SIZE_MAX || !present[from] ||
		    !present[to])
			continue;
		e->fk = &fks[i];
		e->from = from;
		e->group = group_of(kf, to, fks[i].ref_columns, fks[i].ncolumns);
		e->pos = xcalloc(fks[i].ncolumns, sizeof(*e->pos));
		for (k = 0; k < fks[i].ncolumns; k++)
			e->pos[k] = select_pos(&kf->t[from], fks[i].columns[k]);
		kf->t[from].edges = xrealloc(kf->t[from].edges,
					     (kf->t[from].nedges + 1) *
					     sizeof(*kf->t[from].edges));
		kf->t[from].edges[kf->t[from].nedges++] = kf->ne++;
	}
	return kf;
}

void keyfollow_free(keyfollow *kf)
{
	size_t i;

	if (kf == NULL)
		return;
	for (i = 0; i < kf->ntables; i++) {
		free(kf->t[i].select);
		free(kf->t[i].edges);
		strbuf_release(&kf->t[i].also);
	}
	for (i = 0; i < kf->ne; i++)
		free(kf->e[i].pos);
	for (i = 0; i < kf->ng; i++) {
		strset_release(&kf->g[i].seen);
		while (kf->g[i].ntuples > 0)
			free(kf->g[i].tuples[--kf->g[i].ntuples]);
		free(kf->g[i].tuples);
	}
	free(kf->t);
	free(kf->e);
	free(kf->g);
	free(kf);
}

/* A row of table t's select list: each edge's tuple into its group. */
static void take_row(keyfollow *kf, size_t t, MYSQL_RES *res, MYSQL_ROW row)
{
	const MYSQL_FIELD *fields = mysql_fetch_fields(res);
	unsigned long *len = mysql_fetch_lengths(res);
	struct strbuf tuple = STRBUF_INIT;
	size_t i, k;

	for (i = 0; i < kf->t[t].nedges; i++) {
		const struct edge *e = &kf->e[kf->t[t].edges[i]];
		struct group *g = &kf->g[e->group];
		char *s;

		strbuf_reset(&tuple);
		strbuf_add(&tuple, "(", 1);
		for (k = 0; k < e->fk->ncolumns; k++) {
			size_t p = e->pos[k];

			if (row[p] == NULL)
				break; /* MATCH SIMPLE: a NULL references nothing */
			strbuf_adds(&tuple, k ? ", " : "");
			sqlvalue_literal(&tuple, &fields[p], row[p], len[p]);
		}
		if (k < e->fk->ncolumns)
			continue;
		strbuf_add(&tuple, ")", 1);
		if (strset_has(&g->seen, tuple.data))
			continue;
		s = strbuf_detach(&tuple, NULL);
		if (g->ntuples == g->cap) {
			g->cap = g->cap ? 2 * g->cap : 16;
			g->tuples = xrealloc(g->tuples, g->cap * sizeof(*g->tuples));
		}
		g->tuples[g->ntuples++] = s;
		(void)strset_add(&g->seen, s);
		kf->keys++;
	}
	strbuf_release(&tuple);
}

/* ---- the levels ---------------------------------------------------------- */

/* One level's statements: their text, and which table each reads. */
struct level {
	struct strbuf *stmt;
	size_t *table;
	size_t n, cap;
};

static struct strbuf *add_statement(struct level *l, size_t table)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 16;
		l->stmt = xrealloc(l->stmt, l->cap * sizeof(*l->stmt));
		l->table = xrealloc(l->table, l->cap * sizeof(*l->table));
	}
	memset(&l->stmt[l->n], 0, sizeof(l->stmt[0]));
	l->table[l->n] = table;
	return &l->stmt[l->n++];
}

static void level_release(struct level *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		strbuf_release(&l->stmt[i]);
	free(l->stmt);
	free(l->table);
	memset(l, 0, sizeof(*l));
}

/* "SELECT `a`, `b` FROM " of table t's select list. */
static void select_columns(const keyfollow *kf, size_t t, struct strbuf *sb)
{
	size_t i;

	strbuf_adds(sb, "SELECT ");
	for (i = 0; i < kf->t[t].nselect; i++) {
		strbuf_adds(sb, i ? ", " : "");
		sqlident_quote(sb, kf->t[t].select[i]);
	}
	strbuf_adds(sb, " FROM ");
}

/* "`s`.`t`" */
static void table_name(const keyfollow *kf, size_t t, struct strbuf *sb)
{
	sqlident_quote(sb, kf->schema);
	strbuf_add(sb, ".", 1);
	sqlident_quote(sb, kf->tables[t]);
}

/* "SELECT `a`, `b` FROM `s`.`t`" of table t's select list. */
static void select_head(const keyfollow *kf, size_t t, struct strbuf *sb)
{
	select_columns(kf, t, sb);
	table_name(kf, t, sb);
}

/* " WHERE (`a`, `b`) IN (tuples[0..n))" */
static void where_in(struct strbuf *sb, const struct group *g,
		     const char *const *tuples, size_t n)
{
	size_t i;

	strbuf_adds(sb, " WHERE (");
	for (i = 0; i < g->ncols; i++) {
		strbuf_adds(sb, i ? ", " : "");
		sqlident_quote(sb, g->cols[i]);
	}
	strbuf_adds(sb, ") IN (");
	for (i = 0; i < n; i++) {
		strbuf_adds(sb, i ? ", " : "");
		strbuf_adds(sb, tuples[i]);
	}
	strbuf_adds(sb, ")");
}

/* Level 0: the key columns of every table's first rows, ordered and
 * limited as sync data samples them. */
static void first_level(const keyfollow *kf, struct level *l)
{
	const struct table_key *k;
	struct strbuf *sb;
	size_t t, i;

	for (t = 0; t < kf->ntables; t++) {
		if (kf->t[t].nedges == 0)
			continue;
		sb = add_statement(l, t);
		k = kf->key_of[t];
		if (k == NULL) {
			/* no order to repeat: the rows the sample's own
			 * statement reads (SELECT * ... LIMIT), not those a
			 * narrower SELECT would find first in an index */
			select_columns(kf, t, sb);
			strbuf_adds(sb, "(SELECT * FROM ");
			table_name(kf, t, sb);
			strbuf_addf(sb, " LIMIT %u) AS d", kf->rows);
			continue;
		}
		select_head(kf, t, sb);
		for (i = 0; i < k->ncolumns; i++) {
			strbuf_adds(sb, i ? ", " : " ORDER BY ");
			sqlident_quote(sb, k->columns[i]);
		}
		strbuf_addf(sb, " LIMIT %u", kf->rows);
	}
}

/* The next level: per group with new tuples, the rows they name, if
 * those have keys of their own; nothing is new then. */
static void next_level(keyfollow *kf, struct level *l)
{
	size_t i, from;

	for (i = 0; i < kf->ng; i++) {
		struct group *g = &kf->g[i];

		for (from = g->pending; kf->t[g->table].nedges > 0 &&
		     from < g->ntuples; from += IN_MAX) {
			struct strbuf *sb = add_statement(l, g->table);
			size_t n = g->ntuples - from < IN_MAX ? g->ntuples - from
							      : IN_MAX;

			select_head(kf, g->table, sb);
			where_in(sb, g, (const char *const *)g->tuples + from, n);
		}
		g->pending = g->ntuples;
	}
}

struct answer_ctx {
	keyfollow *kf;
	const struct level *l;
	size_t first;           /* the trip's first statement */
};

static int take_answer(void *ctx, const struct sqlbatch_answer *a,
		       struct connpool_error *err)
{
	struct answer_ctx *c = ctx;
	size_t t = c->l->table[c->first + a->index];
	MYSQL_ROW row;

	(void)err;
	while (a->res != NULL && (row = mysql_fetch_row(a->res)) != NULL)
		take_row(c->kf, t, a->res, row);
	return 0;
}

/* Send a level's statements, as few round trips as their size allows. */
static enum fetch_outcome run_level(keyfollow *kf, MYSQL *m, const struct level *l,
				    struct strbuf *sql, struct connpool_error *err,
				    unsigned *round_trips)
{
	struct answer_ctx ctx = { kf, l, 0 };
	struct sqlbatch_result res;
	enum fetch_outcome rc;
	size_t i = 0, n;

	while (i < l->n) {
		strbuf_reset(sql);
		ctx.first = i;
		for (n = 0; i < l->n && (n == 0 || sql->len + l->stmt[i].len <
					 KEYFOLLOW_TRIP_MAX); i++, n++) {
			if (n > 0)
				strbuf_add(sql, ";", 1);
			strbuf_add(sql, l->stmt[i].data, l->stmt[i].len);
		}
		rc = sqlbatch_run(m, sql, n, take_answer, &ctx, &res, round_trips);
		if (rc != FETCH_DONE) {
			*err = res.err;
			return rc;
		}
	}
	return FETCH_DONE;
}

/* Table t's clause: per group of it, the rows its tuples name. */
static void build_also(keyfollow *kf)
{
	size_t i, from;

	for (i = 0; i < kf->ng; i++) {
		struct group *g = &kf->g[i];
		struct strbuf *sb = &kf->t[g->table].also;

		/* the order found: the same statement every run; IN lists
		 * of IN_MAX, as the levels' */
		for (from = 0; from < g->ntuples; from += IN_MAX) {
			size_t n = g->ntuples - from < IN_MAX ? g->ntuples - from
							      : IN_MAX;

			strbuf_adds(sb, " UNION (SELECT * FROM ");
			table_name(kf, g->table, sb);
			where_in(sb, g, (const char *const *)g->tuples + from, n);
			strbuf_add(sb, ")", 1);
		}
	}
}

enum fetch_outcome keyfollow_run(keyfollow *kf, MYSQL *m, struct strbuf *sql,
				 struct connpool_error *err,
				 unsigned *round_trips)
{
	struct level l = { NULL, NULL, 0, 0 };
	enum fetch_outcome rc = FETCH_DONE;

	first_level(kf, &l);
	while (l.n > 0) {
		if (kf->levels >= KEYFOLLOW_MAX_LEVELS ||
		    kf->keys >= KEYFOLLOW_MAX_KEYS) {
			memset(err, 0, sizeof(*err));
			snprintf(err->sqlstate, sizeof(err->sqlstate), "-----");
			snprintf(err->message, sizeof(err->message), "following the "
				 "keys of the sampled rows: more than %s (rows that "
				 "reference each other in a long chain, or very many "
				 "rows): sample fewer rows, or leave --follow-keys off",
				 kf->levels >= KEYFOLLOW_MAX_LEVELS ? "1000 levels"
				 : "1000000 key values");
			level_release(&l);
			return FETCH_REFUSED;
		}
		kf->levels++;
		rc = run_level(kf, m, &l, sql, err, round_trips);
		level_release(&l);
		if (rc != FETCH_DONE)
			return rc;
		next_level(kf, &l);
	}
	level_release(&l);
	build_also(kf);
	return FETCH_DONE;
}

const char *keyfollow_also(const keyfollow *kf, size_t table)
{
	return table < kf->ntables && kf->t[table].also.len > 0
	       ? kf->t[table].also.data : NULL;
}

unsigned keyfollow_levels(const keyfollow *kf)
{
	return kf->levels;
}

size_t keyfollow_keys(const keyfollow *kf)
{
	return kf->keys;
}
