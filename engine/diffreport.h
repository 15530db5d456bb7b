/*
 * diffreport: `rhizome sync diff` for people. Renders the "drift" list of a
 * check summary (sync.c) as a terminal text or a Markdown report with a
 * summary, one section per table and recommended actions.
 */
#ifndef RHIZOME_DIFFREPORT_H
#define RHIZOME_DIFFREPORT_H

#include <stdio.h>

#include <jansson.h>

/* Write the text diff to fp. Returns 0 or -EIO. */
int diffreport_text(json_t *summary, FILE *fp);

/* The Markdown report as a malloc'd string (caller frees). `against`
 * says what was compared ("live"). */
char *diffreport_markdown(json_t *summary, const char *against);

#endif
