/*
 * loadtext: the summary of `rhizome load` for a person at a terminal
 * (the JSON when stdout is not one, or with --format json). It reads the
 * summary object only, so a person reads what a machine gets: what was
 * loaded where, what was replaced, the foreign keys the rows do not
 * satisfy, what failed and why. Lines wrap at the terminal's width. Any
 * key may be missing: nothing here trusts one unchecked.
 */
#ifndef RHIZOME_LOADTEXT_H
#define RHIZOME_LOADTEXT_H

#include <stdio.h>

#include <jansson.h>

/* Write the text of `summary` (borrowed) to fp. 0, or -EIO when writing
 * failed. Thread-safe for different streams. */
int loadtext_write(json_t *summary, FILE *fp);

#endif
