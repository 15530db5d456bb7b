/*
 * versions: `rhizome sync versions`, which environments run which version
 * of each table (fleetversions.h: how versions, V1 and the safe base are
 * found), and for each table what each version adds, lacks or defines
 * differently against V1.
 */
#ifndef RHIZOME_VERSIONS_H
#define RHIZOME_VERSIONS_H

#include <stdio.h>

#include <jansson.h>

#include "engine/commands/fleetversions.h"

/* The result as JSON (a new reference the caller owns; `o` borrowed).
 * Snapshots that are missing or unreadable count as "no snapshot": nothing
 * fails. Call from one thread. */
json_t *versions_build(const struct versions_opts *o);

/* Write the text layout of a versions_build result (borrowed) to fp.
 * Returns 0, or -EIO when writing failed. Call from one thread. */
int versions_text(json_t *v, FILE *fp);

#endif
