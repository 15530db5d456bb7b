/*
 * The batch loop: send the remaining statements as one query, read one
 * result per statement, and when the server reports a failing statement
 * (it runs none after it), record it and send the rest again. Errors are
 * copied off the handle at once, on the thread that owns it.
 */
#include "engine/fetch/fetch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <errmsg.h>
#include <mysqld_error.h>

#include "engine/base/alloc.h"
#include "engine/base/strsort.h"
#include "engine/fetch/sqlident.h"

int fetch_is_client_error(unsigned code)
{
	return code >= CR_MIN_ERROR && code <= CR_MAX_ERROR;
}

void fetch_release(struct fetched_table *t)
{
	free(t->body);
	t->body = NULL;
	t->len = 0;
	if (t->res != NULL)
		mysql_free_result(t->res);
	t->res = NULL;
}

void fetch_reset(struct fetched_table *t, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		fetch_release(&t[i]);
		t[i].status = FETCH_PENDING;
		t[i].handled = 0;
		t[i].unreached = 0;
		t[i].again_alone = 0;
		memset(&t[i].err, 0, sizeof(t[i].err));
	}
}

static void set_error(struct fetched_table *t, const struct connpool_error *err)
{
	t->err = *err;
	t->status = err->code == ER_NO_SUCH_TABLE ? FETCH_MISSING : FETCH_ERROR;
}

/* Read the current statement's result into t: FETCH_DONE (t's status says
 * how it went), or FETCH_BROKEN on a client error. */
static enum fetch_outcome take_result(MYSQL *m, enum fetch_kind kind, struct fetched_table *t)
{
	MYSQL_RES *res = mysql_store_result(m);
	MYSQL_ROW row;
	unsigned long *lengths;
	MYSQL_FIELD *fields;

	if (res == NULL) {
		struct connpool_error err;

		connpool_error_capture(&err, m);
		if (err.code == 0) {
			err.code = CR_UNKNOWN_ERROR;
			snprintf(err.message, sizeof(err.message),
				 "the statement returned no result set");
		}
		set_error(t, &err);
		return fetch_is_client_error(err.code) ? FETCH_BROKEN : FETCH_DONE;
	}
	if (kind == FETCH_DATA) {
		t->res = res;
		t->status = FETCH_OK;
		return FETCH_DONE;
	}
	fields = mysql_fetch_fields(res);
	row = mysql_fetch_row(res);
	lengths = mysql_fetch_lengths(res);
	if (row == NULL || mysql_num_fields(res) < 2 || row[1] == NULL ||
	    strcmp(fields[1].name, "Create Table") != 0) {
		struct connpool_error err = { .code = ER_WRONG_OBJECT };

		snprintf(err.sqlstate, sizeof(err.sqlstate), "HY000");
		snprintf(err.message, sizeof(err.message),
			 "`%s` is not a base table (SHOW CREATE TABLE answered "
			 "with column '%s')", t->table,
			 mysql_num_fields(res) >= 2 ? fields[1].name : "?");
		set_error(t, &err);
	} else {
		t->body = xmalloc(lengths[1] + 1);
		memcpy(t->body, row[1], lengths[1]);
		t->body[lengths[1]] = '\0';
		t->len = lengths[1];
		t->status = FETCH_OK;
	}
	mysql_free_result(res);
	return FETCH_DONE;
}

/* Mark t[from..n) with err (the connection is gone). */
static void fail_rest(struct fetched_table *t, size_t from, size_t n,
		      const struct connpool_error *err)
{
	for (; from < n; from++)
		if (t[from].status == FETCH_PENDING) {
			t[from].err = *err;
			t[from].status = FETCH_ERROR;
		}
}

static void order_by(struct strbuf *sql, const struct fetched_table *t)
{
	size_t i;

	for (i = 0; i < t->norder; i++) {
		strbuf_adds(sql, i == 0 ? " ORDER BY " : ", ");
		sqlident_quote(sql, t->order_by[i]);
	}
}

void fetch_statement(struct strbuf *sql, const struct fetch_request *req,
		     const struct fetched_table *t)
{
	if (req->kind == FETCH_SCHEMA) {
		sqlident_show_create(sql, req->schema, t->table);
		return;
	}
	if (t->also != NULL) {
		/* the first rows, and the rows others reference: one
		 * result, without repeats, in key order */
		strbuf_add(sql, "(", 1);
		fetch_statement(sql, req, &(struct fetched_table){
			.table = t->table, .order_by = t->order_by,
			.norder = t->norder });
		strbuf_add(sql, ")", 1);
		strbuf_adds(sql, t->also);
		order_by(sql, t);
		return;
	}
	strbuf_adds(sql, "SELECT * FROM ");
	sqlident_quote(sql, req->schema);
	strbuf_add(sql, ".", 1);
	sqlident_quote(sql, t->table);
	order_by(sql, t);
	/* A number rhizome formats itself: the one non-identifier. */
	strbuf_addf(sql, " LIMIT %u", req->rows);
}

void fetch_catalog_free(struct fetch_catalog *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		free(c->names[i]);
	free(c->names);
	memset(c, 0, sizeof(*c));
}

/* SHOW FULL TABLES' answer into *c (emptied first). */
static void take_catalog(MYSQL_RES *res, struct fetch_catalog *c)
{
	MYSQL_ROW row;

	fetch_catalog_free(c);
	/* one column: names the query already filtered; two: SHOW FULL
	 * TABLES, the type second */
	while (res != NULL && (row = mysql_fetch_row(res)) != NULL) {
		if (row[0] == NULL || (mysql_num_fields(res) >= 2 &&
		    (row[1] == NULL || (strcmp(row[1], "BASE TABLE") != 0 &&
					strcmp(row[1], "SYSTEM VERSIONED") != 0))))
			continue;
		c->names = xrealloc(c->names, (c->n + 1) * sizeof(*c->names));
		c->names[c->n++] = xstrdup(row[0]);
	}
	qsort(c->names, c->n, sizeof(*c->names), strsort_compare);
	c->known = res != NULL;
}

/* Statements that open the first query of a batch (see the header), in
 * this order: [SELECT @@hostname;] SHOW CREATE DATABASE [;SHOW FULL
 * TABLES] [;the session's SET]. Returns how many. */
static unsigned add_prefix(struct strbuf *sql, const struct fetch_request *req)
{
	unsigned n = 1;

	if (req->hostname != NULL) {
		strbuf_adds(sql, "SELECT @@hostname;");
		n++;
	}
	strbuf_adds(sql, "SHOW CREATE DATABASE ");
	sqlident_quote(sql, req->schema);
	if (req->catalog != NULL) {
		/* after SHOW CREATE DATABASE: a schema that is not there
		 * fails the batch with that error */
		strbuf_adds(sql, ";SHOW FULL TABLES FROM ");
		sqlident_quote(sql, req->schema);
		n++;
	}
	if (req->session == NULL)
		return n;
	/* the session's settings again: an init-command of the user's
	 * option file runs after ours and may have changed them */
	strbuf_add(sql, ";", 1);
	strbuf_adds(sql, req->session);
	return n + 1;
}

/* The answer to SELECT @@hostname, into req->hostname. */
static void take_hostname(MYSQL_RES *res, const struct fetch_request *req)
{
	MYSQL_ROW row = res != NULL ? mysql_fetch_row(res) : NULL;

	snprintf(req->hostname, req->hostname_size, "%s",
		 row != NULL && row[0] != NULL ? row[0] : "");
}

static void set_unknown(struct connpool_error *err, const char *message)
{
	err->code = CR_UNKNOWN_ERROR;
	snprintf(err->sqlstate, sizeof(err->sqlstate), "HY000");
	snprintf(err->message, sizeof(err->message), "%s", message);
}

/* Connector/C 3.3's mysql_next_result answers -1, "no more results",
 * also when reading the next one failed: only mysql_errno tells. If the
 * connection broke, mark t[0..n) with its error and say so. */
static int lost_reading_next(MYSQL *m, struct connpool_error *err,
			     struct fetched_table *t, size_t n)
{
	if (!fetch_is_client_error(mysql_errno(m)))
		return 0;
	connpool_error_capture(err, m);
	fail_rest(t, 0, n, err);
	return 1;
}

/* What skip_prefix found. */
enum prefix {
	PREFIX_OK,              /* the first table's result is next */
	PREFIX_FIRST_FAILED,    /* the first table failed: its error is current */
	PREFIX_FAILED,          /* a prefix statement failed (t[] marked) */
	PREFIX_BROKEN,          /* the connection broke (t[] marked) */
};

/* Set aside the results of the prefix statements. */
static enum prefix skip_prefix(MYSQL *m, const struct fetch_request *req,
			       unsigned nprefix, struct fetched_table *t, size_t n)
{
	struct connpool_error err;
	unsigned j;
	int status;

	for (j = 0; j < nprefix; j++) {
		MYSQL_RES *res = mysql_store_result(m);

		/* no result set is a SET's answer, or the connection lost
		 * while reading it: only the error tells */
		if (res == NULL && fetch_is_client_error(mysql_errno(m))) {
			connpool_error_capture(&err, m);
			fail_rest(t, 0, n, &err);
			return PREFIX_BROKEN;
		}
		if (j == 0 && req->hostname != NULL)
			take_hostname(res, req);
		if (req->catalog != NULL && j == 1u + (req->hostname != NULL))
			take_catalog(res, req->catalog);
		if (res != NULL)
			mysql_free_result(res);
		status = mysql_next_result(m);
		if (status == 0)
			continue;
		if (status < 0 && lost_reading_next(m, &err, t, n))
			return PREFIX_BROKEN;
		if (status < 0) {
			set_unknown(&err, "the server answered fewer statements "
				    "than sent");
			fail_rest(t, 0, n, &err);
			return PREFIX_BROKEN;
		}
		if (j + 1 == nprefix)
			return PREFIX_FIRST_FAILED;
		connpool_error_capture(&err, m);
		fail_rest(t, 0, n, &err);
		return fetch_is_client_error(err.code) ? PREFIX_BROKEN : PREFIX_FAILED;
	}
	return PREFIX_OK;
}

enum fetch_outcome fetch_batch(MYSQL *m, const struct fetch_request *req,
			       struct fetched_table *t, size_t n,
			       struct strbuf *sql, unsigned *round_trips)
{
	size_t first = 0, k, i;
	struct connpool_error err;
	unsigned nprefix;
	int status;

	while (first < n) {
		strbuf_reset(sql);
		nprefix = first == 0 ? add_prefix(sql, req) : 0;
		for (i = first; i < n; i++) {
			if (sql->len > 0)
				strbuf_add(sql, ";", 1);
			fetch_statement(sql, req, &t[i]);
		}
		(*round_trips)++;
		k = first;
		if (req->on_send != NULL)
			req->on_send(req->ctx);
		if (mysql_real_query(m, sql->data, sql->len) != 0) {
			connpool_error_capture(&err, m);
			if (fetch_is_client_error(err.code)) {
				fail_rest(t, k, n, &err);
				return FETCH_BROKEN;
			}
			if (nprefix > 0) {
				/* the schema check itself failed */
				fail_rest(t, 0, n, &err);
				return FETCH_DONE;
			}
			set_error(&t[k], &err);
			first = k + 1;
			continue;
		}
		switch (skip_prefix(m, req, nprefix, t, n)) {
		case PREFIX_BROKEN:
			return FETCH_BROKEN;
		case PREFIX_FAILED:
			return FETCH_DONE;
		case PREFIX_OK:
			break;
		case PREFIX_FIRST_FAILED:
			/* the batch's first table failed */
			connpool_error_capture(&err, m);
			if (fetch_is_client_error(err.code)) {
				fail_rest(t, 0, n, &err);
				return FETCH_BROKEN;
			}
			set_error(&t[0], &err);
			first = 1;
			continue;
		}
		for (;;) {
			if (take_result(m, req->kind, &t[k]) == FETCH_BROKEN) {
				fail_rest(t, k + 1, n, &t[k].err);
				return FETCH_BROKEN;
			}
			if (t[k].status == FETCH_OK && req->on_ok != NULL)
				req->on_ok(req->ctx, &t[k]);
			k++;
			status = mysql_next_result(m);
			if (status == -1 && k < n &&
			    lost_reading_next(m, &err, t + k, n - k))
				return FETCH_BROKEN;
			if (status == -1)
				break;
			if (status == 0 && k >= n) {
				/* More results than statements: do not trust
				 * this connection any further. */
				return FETCH_BROKEN;
			}
			if (status > 0) {
				/* Statement k failed; the server ran none after it. */
				connpool_error_capture(&err, m);
				if (fetch_is_client_error(err.code) || k >= n) {
					fail_rest(t, k, n, &err);
					return FETCH_BROKEN;
				}
				set_error(&t[k], &err);
				k++;
				break;
			}
		}
		first = k;
	}
	return FETCH_DONE;
}

/* Free a key's index name and columns (not its table name). */
static void table_key_clear(struct table_key *k)
{
	size_t j;

	free(k->index);
	for (j = 0; j < k->ncolumns; j++)
		free(k->columns[j]);
	free(k->columns);
	k->index = NULL;
	k->columns = NULL;
	k->ncolumns = 0;
	k->rejected = 0;
}

int fetch_key_compare(const void *a, const void *b)
{
	return strcmp(((const struct table_key *)a)->table,
		      ((const struct table_key *)b)->table);
}

void fetch_keys_free(struct table_key *keys, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		table_key_clear(&keys[i]);
		free(keys[i].table);
	}
	free(keys);
}

/* The STATISTICS rows of the keys (fetch_lookup's query) into *keys. */
static void take_keys(MYSQL_RES *res, struct table_key **keys, size_t *nkeys)
{
	struct table_key *out = NULL;
	size_t n = 0, cap = 0;
	MYSQL_ROW row;

	while ((row = mysql_fetch_row(res)) != NULL) {
		struct table_key *k = n ? &out[n - 1] : NULL;

		if (row[0] == NULL || row[1] == NULL || row[2] == NULL)
			continue;
		if (k != NULL && strcmp(k->table, row[0]) == 0) {
			if (strcmp(k->index, row[1]) != 0) {
				/* A later key of the same table: it replaces
				 * the one being read only if that one was
				 * rejected (a NULL-able column does not fix
				 * an order: NULLs may repeat). */
				if (!k->rejected)
					continue;
				table_key_clear(k);
				k->index = xstrdup(row[1]);
				k->primary = 0;
			} else if (k->rejected) {
				continue;
			}
		} else {
			if (k != NULL && k->rejected) {
				/* the previous table has no usable key */
				table_key_clear(k);
				free(k->table);
				n--;
			}
			if (n == cap) {
				cap = cap ? cap * 2 : 64;
				out = xrealloc(out, cap * sizeof(*out));
			}
			k = &out[n++];
			memset(k, 0, sizeof(*k));
			k->table = xstrdup(row[0]);
			k->index = xstrdup(row[1]);
			k->primary = strcmp(row[1], "PRIMARY") == 0;
		}
		if (row[3] != NULL && strcmp(row[3], "YES") == 0) {
			k->rejected = 1;
			continue;
		}
		k->columns = xrealloc(k->columns,
				      (k->ncolumns + 1) * sizeof(*k->columns));
		k->columns[k->ncolumns++] = xstrdup(row[2]);
	}
	if (n > 0 && out[n - 1].rejected) {
		table_key_clear(&out[n - 1]);
		free(out[n - 1].table);
		n--;
	}
	*keys = out;
	*nkeys = n;
}

void fetch_fks_free(struct fetch_fk *fks, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		for (j = 0; j < fks[i].ncolumns; j++) {
			free(fks[i].columns[j]);
			free(fks[i].ref_columns[j]);
		}
		free(fks[i].columns);
		free(fks[i].ref_columns);
		free(fks[i].table);
		free(fks[i].name);
		free(fks[i].ref_table);
	}
	free(fks);
}

/* The KEY_COLUMN_USAGE rows of the foreign keys (fetch_lookup's query),
 * a key's columns in order, into *fks. */
static void take_fks(MYSQL_RES *res, struct fetch_fk **fks, size_t *nfks)
{
	struct fetch_fk *out = NULL, *f;
	size_t n = 0, cap = 0;
	MYSQL_ROW row;

	while ((row = mysql_fetch_row(res)) != NULL) {
		if (row[0] == NULL || row[1] == NULL || row[2] == NULL ||
		    row[3] == NULL || row[4] == NULL)
			continue;
		f = n ? &out[n - 1] : NULL;
		if (f == NULL || strcmp(f->table, row[0]) != 0 ||
		    strcmp(f->name, row[1]) != 0) {
			if (n == cap) {
				cap = cap ? cap * 2 : 32;
				out = xrealloc(out, cap * sizeof(*out));
			}
			f = &out[n++];
			memset(f, 0, sizeof(*f));
			f->table = xstrdup(row[0]);
			f->name = xstrdup(row[1]);
			f->ref_table = xstrdup(row[3]);
		}
		f->columns = xrealloc(f->columns, (f->ncolumns + 1) *
				      sizeof(*f->columns));
		f->ref_columns = xrealloc(f->ref_columns, (f->ncolumns + 1) *
					  sizeof(*f->ref_columns));
		f->columns[f->ncolumns] = xstrdup(row[2]);
		f->ref_columns[f->ncolumns++] = xstrdup(row[4]);
	}
	*fks = out;
	*nfks = n;
}

enum fetch_outcome fetch_lookup(MYSQL *m, const char *schema,
				struct fetch_catalog *catalog,
				struct table_key **keys, size_t *nkeys,
				struct fetch_fk **fks, size_t *nfks,
				struct connpool_error *err, struct strbuf *sql,
				unsigned *round_trips)
{
	MYSQL_RES *res;
	int status;

	if (keys != NULL) {
		*keys = NULL;
		*nkeys = 0;
	}
	if (fks != NULL) {
		*fks = NULL;
		*nfks = 0;
	}
	fetch_catalog_free(catalog);
	/* USE names the schema as an identifier, so the query needs no
	 * string built from it; it fails on a schema that is not there.
	 * Key rows come key by key: for each table the primary key first,
	 * then unique keys by name. BINARY: names that differ only in case
	 * are different tables (and keys) here. */
	strbuf_reset(sql);
	strbuf_adds(sql, "USE ");
	sqlident_quote(sql, schema);
	/* names only, filtered by the server: the lookup is on the
	 * environment's critical path, and every byte counts on a slow link */
	strbuf_adds(sql, ";SELECT TABLE_NAME FROM information_schema.TABLES "
		    "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE IN "
		    "('BASE TABLE', 'SYSTEM VERSIONED')");
	if (keys != NULL)
		strbuf_adds(sql, ";SELECT TABLE_NAME, INDEX_NAME, COLUMN_NAME, "
			    "NULLABLE FROM information_schema.STATISTICS "
			    "WHERE TABLE_SCHEMA = DATABASE() AND NON_UNIQUE = 0 "
			    "ORDER BY BINARY TABLE_NAME, INDEX_NAME <> 'PRIMARY', "
			    "BINARY INDEX_NAME, SEQ_IN_INDEX");
	if (keys != NULL && fks != NULL)
		strbuf_adds(sql, ";SELECT TABLE_NAME, CONSTRAINT_NAME, COLUMN_NAME, "
			    "REFERENCED_TABLE_NAME, REFERENCED_COLUMN_NAME FROM "
			    "information_schema.KEY_COLUMN_USAGE WHERE "
			    "TABLE_SCHEMA = DATABASE() AND "
			    "REFERENCED_TABLE_SCHEMA = DATABASE() ORDER BY "
			    "BINARY TABLE_NAME, BINARY CONSTRAINT_NAME, "
			    "ORDINAL_POSITION");
	(*round_trips)++;
	if (mysql_real_query(m, sql->data, sql->len) != 0)
		goto failed;
	if (mysql_next_result(m) != 0)
		goto failed;
	res = mysql_store_result(m);
	if (res == NULL)
		goto failed;
	take_catalog(res, catalog);
	mysql_free_result(res);
	if (keys != NULL) {
		if (mysql_next_result(m) != 0)
			goto failed;
		res = mysql_store_result(m);
		if (res == NULL)
			goto failed;
		take_keys(res, keys, nkeys);
		mysql_free_result(res);
	}
	if (keys != NULL && fks != NULL) {
		if (mysql_next_result(m) != 0)
			goto failed;
		res = mysql_store_result(m);
		if (res == NULL)
			goto failed;
		take_fks(res, fks, nfks);
		mysql_free_result(res);
	}
	/* drain anything left so the connection is clean */
	while ((status = mysql_next_result(m)) == 0) {
		res = mysql_store_result(m);
		if (res != NULL)
			mysql_free_result(res);
	}
	if (status > 0 || fetch_is_client_error(mysql_errno(m)))
		goto failed;
	return FETCH_DONE;

failed:
	connpool_error_capture(err, m);
	if (err->code == 0)
		set_unknown(err, "the lookup of the schema's tables returned no "
			    "result");
	fetch_catalog_free(catalog);
	if (keys != NULL) {
		fetch_keys_free(*keys, *nkeys);
		*keys = NULL;
		*nkeys = 0;
	}
	if (fks != NULL) {
		fetch_fks_free(*fks, *nfks);
		*fks = NULL;
		*nfks = 0;
	}
	return fetch_is_client_error(err->code) ? FETCH_BROKEN : FETCH_REFUSED;
}
