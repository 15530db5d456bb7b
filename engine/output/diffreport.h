/*
 * diffreport: `rhizome sync diff` for people. Renders the "drift" list of a
 * check summary (sync.c) as a terminal text or a Markdown report with a
 * summary, one section per table and recommended actions.
 */
#ifndef RHIZOME_DIFFREPORT_H
#define RHIZOME_DIFFREPORT_H

#include <stdio.h>

#include <jansson.h>

#include "engine/base/strbuf.h"

/* One change of a drift's "changes" (borrowed), appended to *sb as
 * "~ type changed column `amount`: decimal(10,2) -> decimal(12,2)": marked +
 * (added), - (removed) or ~ (changed). Thread-safe. */
void diffreport_describe(struct strbuf *sb, json_t *change);

/* Write the text diff of `summary` (borrowed) to fp. Returns 0, or -EIO
 * when writing failed. Thread-safe for different streams. */
int diffreport_text(json_t *summary, FILE *fp);

/* The Markdown report of `summary` (borrowed) as a new string, never NULL
 * (caller frees). `against` says what was compared ("live"). Thread-safe. */
char *diffreport_markdown(json_t *summary, const char *against);

#endif
