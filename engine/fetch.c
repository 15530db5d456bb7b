/*
 * The batch loop: send the remaining statements as one query, read one
 * result per statement, and when the server reports a failing statement
 * (it runs none after it), record it and send the rest again. Errors are
 * copied off the handle at once, on the thread that owns it.
 */
#include "fetch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <errmsg.h>
#include <mysqld_error.h>

#include "sqlident.h"

int fetch_is_client_error(unsigned code)
{
	return code >= CR_MIN_ERROR && code <= CR_MAX_ERROR;
}

void fetch_reset(struct fetched_table *t, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(t[i].body);
		t[i].body = NULL;
		t[i].len = 0;
		t[i].status = FETCH_PENDING;
		memset(&t[i].err, 0, sizeof(t[i].err));
	}
}

static void set_error(struct fetched_table *t, const struct connpool_error *err)
{
	t->err = *err;
	t->status = err->code == ER_NO_SUCH_TABLE ? FETCH_MISSING : FETCH_ERROR;
}

/* Read the current statement's result into t. 0, or -1 on a client error. */
static int take_result(MYSQL *m, struct fetched_table *t)
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
				 "SHOW CREATE TABLE returned no result set");
		}
		set_error(t, &err);
		return fetch_is_client_error(err.code) ? -1 : 0;
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
		t->body = malloc(lengths[1] + 1);
		if (t->body == NULL)
			abort();
		memcpy(t->body, row[1], lengths[1]);
		t->body[lengths[1]] = '\0';
		t->len = lengths[1];
		t->status = FETCH_OK;
	}
	mysql_free_result(res);
	return 0;
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

int fetch_schema_batch(MYSQL *m, const char *schema, struct fetched_table *t,
		       size_t n, struct strbuf *sql, unsigned *round_trips)
{
	size_t first = 0, k, i;
	struct connpool_error err;
	int status;

	while (first < n) {
		strbuf_reset(sql);
		if (first == 0) {
			strbuf_adds(sql, "SHOW CREATE DATABASE ");
			sqlident_quote(sql, schema);
		}
		for (i = first; i < n; i++) {
			if (sql->len > 0)
				strbuf_add(sql, ";", 1);
			sqlident_show_create(sql, schema, t[i].table);
		}
		(*round_trips)++;
		k = first;
		if (mysql_real_query(m, sql->data, sql->len) != 0) {
			connpool_error_capture(&err, m);
			if (fetch_is_client_error(err.code)) {
				fail_rest(t, k, n, &err);
				return -1;
			}
			if (first == 0) {
				/* the schema check itself failed */
				fail_rest(t, 0, n, &err);
				return 0;
			}
			set_error(&t[k], &err);
			first = k + 1;
			continue;
		}
		/* The first query opens with SHOW CREATE DATABASE (see the
		 * header): a schema that is missing or not ours to read fails
		 * the batch with its own error instead of every table passing
		 * for "missing". Had it failed, mysql_real_query would have
		 * said so; here its result is only set aside. */
		status = 0;
		if (first == 0) {
			MYSQL_RES *res = mysql_store_result(m);

			if (res != NULL)
				mysql_free_result(res);
			status = mysql_next_result(m);
		}
		if (status > 0) {
			/* the batch's first table failed */
			connpool_error_capture(&err, m);
			if (fetch_is_client_error(err.code)) {
				fail_rest(t, 0, n, &err);
				return -1;
			}
			set_error(&t[0], &err);
			first = 1;
			continue;
		}
		for (;;) {
			if (take_result(m, &t[k]) != 0) {
				fail_rest(t, k + 1, n, &t[k].err);
				return -1;
			}
			k++;
			status = mysql_next_result(m);
			if (status == -1)
				break;
			if (status == 0 && k >= n) {
				/* More results than statements: do not trust
				 * this connection any further. */
				err.code = CR_UNKNOWN_ERROR;
				snprintf(err.sqlstate, sizeof(err.sqlstate), "HY000");
				snprintf(err.message, sizeof(err.message),
					 "the server answered more statements "
					 "than sent");
				return -1;
			}
			if (status > 0) {
				/* Statement k failed; the server ran none after it. */
				connpool_error_capture(&err, m);
				if (fetch_is_client_error(err.code) || k >= n) {
					fail_rest(t, k, n, &err);
					return -1;
				}
				set_error(&t[k], &err);
				k++;
				break;
			}
		}
		first = k;
	}
	return 0;
}
