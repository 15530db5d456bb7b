/*
 * summarytext: the summary of `sync schema`, `sync data` and `sync check`
 * for a person at a terminal (SPEC: Summary; the JSON when stdout is not a
 * terminal or with --format json).
 *
 * It reads the summary object only, as diffreport does, so what a person
 * reads is what a machine gets: a line of counts per status, then only
 * what changed, drifted or failed, with paths, and what was absent or
 * unlisted, grouped by environment. A long list of paths becomes counts
 * per folder (the JSON keeps every path). Lines are wrapped at `width`
 * terminal cells. Any key may be missing (an older summary, another
 * command): nothing here trusts one unchecked.
 */
#ifndef RHIZOME_SUMMARYTEXT_H
#define RHIZOME_SUMMARYTEXT_H

#include <stdio.h>

#include <jansson.h>

/* Write the text of `summary` (borrowed) to fp, within `width` cells.
 * Returns 0, or -EIO when writing failed. Thread-safe for different
 * streams. */
int summarytext_write(json_t *summary, unsigned width, FILE *fp);

#endif
