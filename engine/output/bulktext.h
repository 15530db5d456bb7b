/*
 * bulktext: the summary of `rhizome sync data --all` for a person at a
 * terminal (the JSON when stdout is not one, or with --format json): per
 * table exported or kept its rows, chunks, bytes and where it is, then
 * what is missing, what failed and why, and the run's totals and rates.
 * It reads the summary object only; any key may be missing. Lines wrap at
 * the terminal's width.
 */
#ifndef RHIZOME_BULKTEXT_H
#define RHIZOME_BULKTEXT_H

#include <stdio.h>

#include <jansson.h>

/* Write the text of `summary` (borrowed) to fp. 0, or -EIO when writing
 * failed. Thread-safe for different streams. */
int bulktext_write(json_t *summary, FILE *fp);

#endif
