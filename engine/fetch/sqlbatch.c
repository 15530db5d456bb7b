/*
 * One multi-statement query, its answers read in order (sqlbatch.h).
 * Errors are copied off the handle at once, on the thread that owns it.
 */
#include "engine/fetch/sqlbatch.h"

#include <stdio.h>
#include <string.h>

#include <errmsg.h>

static enum fetch_outcome failed(MYSQL *m, struct sqlbatch_result *res)
{
	connpool_error_capture(&res->err, m);
	return fetch_is_client_error(res->err.code) ? FETCH_BROKEN
						    : FETCH_REFUSED;
}

static enum fetch_outcome unexpected(struct sqlbatch_result *res,
				     const char *what)
{
	res->err.code = CR_UNKNOWN_ERROR;
	snprintf(res->err.sqlstate, sizeof(res->err.sqlstate), "HY000");
	snprintf(res->err.message, sizeof(res->err.message), "%s", what);
	return FETCH_BROKEN;
}

/* After a refused answer: read the rest, so the connection can serve
 * again. FETCH_REFUSED, or FETCH_BROKEN when that fails. */
static enum fetch_outcome drain(MYSQL *m, struct sqlbatch_result *res)
{
	MYSQL_RES *rest;
	int status;

	while ((status = mysql_next_result(m)) == 0)
		if ((rest = mysql_store_result(m)) != NULL)
			mysql_free_result(rest);
	if (fetch_is_client_error(mysql_errno(m))) {
		connpool_error_capture(&res->err, m);
		return FETCH_BROKEN;
	}
	return FETCH_REFUSED;
}

enum fetch_outcome sqlbatch_run(MYSQL *m, const struct strbuf *sql, size_t n,
				int (*on_answer)(void *ctx,
						 const struct sqlbatch_answer *a,
						 struct connpool_error *err),
				void *ctx, struct sqlbatch_result *res,
				unsigned *round_trips)
{
	struct sqlbatch_answer a;
	int status;

	memset(res, 0, sizeof(*res));
	(*round_trips)++;
	if (mysql_real_query(m, sql->data, sql->len) != 0)
		return failed(m, res);
	for (;;) {
		memset(&a, 0, sizeof(a));
		a.index = res->ran;
		a.res = mysql_store_result(m);
		/* no result set is a statement without one, or a read that
		 * failed: only the error tells */
		if (a.res == NULL && mysql_field_count(m) > 0)
			return failed(m, res);
		a.warnings = mysql_warning_count(m);
		a.affected = a.res == NULL ? mysql_affected_rows(m) : 0;
		if (res->ran >= n) {
			if (a.res != NULL)
				mysql_free_result(a.res);
			return unexpected(res, "the server answered more "
					  "statements than sent");
		}
		res->ran++;
		res->warnings += a.warnings;
		if (on_answer != NULL && on_answer(ctx, &a, &res->err) != 0) {
			if (a.res != NULL)
				mysql_free_result(a.res);
			res->ran--;
			return drain(m, res);
		}
		if (a.res != NULL)
			mysql_free_result(a.res);
		status = mysql_next_result(m);
		if (status > 0)
			return failed(m, res); /* statement res->ran failed */
		if (status < 0) {
			/* Connector/C says "no more results" also when reading
			 * the next one failed: only mysql_errno tells */
			if (fetch_is_client_error(mysql_errno(m)))
				return failed(m, res);
			if (res->ran < n)
				return unexpected(res, "the server answered fewer "
						  "statements than sent");
			return FETCH_DONE;
		}
	}
}
