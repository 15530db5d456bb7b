/*
 * sqlbatch: statements that change a server (rhizome load's CREATE,
 * INSERT, RENAME, DROP), sent as one multi-statement query: one round
 * trip for the lot. The server stops at the first statement that fails and
 * runs none after it, so the answer says how many ran, and which one
 * failed with what. fetch.h does the same for the statements that read
 * snapshots, where a failing table is skipped and the rest sent again; a
 * load stops instead: what it builds is whole or not at all.
 */
#ifndef RHIZOME_SQLBATCH_H
#define RHIZOME_SQLBATCH_H

#include <stddef.h>

#include "engine/base/strbuf.h"
#include "engine/fetch/fetch.h"

/* One statement's answer, for the caller's callback: its result set (NULL
 * for a statement without one; freed after the call), its warnings and
 * the rows it changed. */
struct sqlbatch_answer {
	size_t index;               /* which statement, from 0 */
	MYSQL_RES *res;
	unsigned warnings;
	unsigned long long affected;
};

/* What a batch came to. */
struct sqlbatch_result {
	size_t ran;                 /* statements answered without error */
	struct connpool_error err;  /* the failure, when not FETCH_DONE */
	unsigned warnings;          /* summed over the statements that ran */
};

/*
 * Send the n statements in sql->data (joined by ';', as the caller built
 * them) over `m`, calling on_answer (may be NULL) for each one that ran,
 * in order; a nonzero return from it fails the batch as FETCH_REFUSED at
 * that statement with what it put into *err (the statements after it ran
 * too: their answers are read and dropped). Returns FETCH_DONE when
 * all n ran; FETCH_REFUSED when the server refused statement
 * res->ran (res->err says why; the connection is fine, the statements
 * after it did not run); FETCH_BROKEN when the connection broke
 * (res->err), also on fewer or more answers than statements. *round_trips
 * is incremented. Call on the thread owning `m`.
 */
enum fetch_outcome sqlbatch_run(MYSQL *m, const struct strbuf *sql, size_t n,
				int (*on_answer)(void *ctx,
						 const struct sqlbatch_answer *a,
						 struct connpool_error *err),
				void *ctx, struct sqlbatch_result *res,
				unsigned *round_trips);

#endif
