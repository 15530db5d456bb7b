/*
 * histline: one table's line of a run history (history.h), as sync and
 * restore write it:
 *   {"env","database","table","kind","status"[,"restored_from"],
 *    "sha256","body"}
 * with "body": null and "body_base64" when the body is not UTF-8. Built by
 * hand into a strbuf rather than through a JSON tree: sync writes one per
 * table, and the tree cost more than compressing the line. Thread-safe
 * (each caller its own strbuf).
 */
#ifndef RHIZOME_HISTLINE_H
#define RHIZOME_HISTLINE_H

#include <stddef.h>

#include "engine/base/strbuf.h"

struct histline {
	const char *env, *database, *table;
	const char *kind;               /* "schema" or "data" */
	const char *status;             /* classify_name(), or "error" */
	const char *restored_from;      /* restore: the run; NULL otherwise */
};

/* The line's start into `line` (reset first): its names, kind, status,
 * and restored_from when set; the caller adds the rest and the "}". */
void histline_start(struct strbuf *line, const struct histline *h);

/* A whole line with a body (borrowed, len bytes) and its sha256. */
void histline_with_body(struct strbuf *line, const struct histline *h,
			const char *body, size_t len);

#endif
