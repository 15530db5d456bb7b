/*
 * diffreport: `rhizome sync diff` for people. Renders the "drift" list of a
 * check summary (sync.c) as a terminal text or a Markdown report with a
 * summary, one section per table and recommended actions.
 */
#ifndef RHIZOME_DIFFREPORT_H
#define RHIZOME_DIFFREPORT_H

#include <stdio.h>

#include <jansson.h>

/* Write the text diff of `summary` (borrowed) to fp. Returns 0, or -EIO
 * when writing failed. Thread-safe for different streams. */
int diffreport_text(json_t *summary, FILE *fp);

/* The Markdown report of `summary` (borrowed) as a new string, never NULL
 * (caller frees). `against` says what was compared ("live"). Thread-safe. */
char *diffreport_markdown(json_t *summary, const char *against);

#endif
