/*
 * tablelines: `rhizome tables` for people: per logical database, the
 * `[tables DATABASE]` section to paste into rhizome.cnf, built from the
 * summary of a SYNC_TABLES run (engine/commands/sync.h):
 *   {"environments": {NAME: {"database", "schema", "tables": [..] | null}},
 *    "errors": [{"env", "code", "message", "unreached"}], ...}
 *
 * A database's list is every table any of its environments that answered
 * has, in name order; those only some of them have are named in a comment
 * above it, with where they are. A name a list cannot hold by name (white
 * space, a glob character) and one no snapshot file can have (not a safe
 * file name, too long: config_table_file_ok) are left out and named in
 * comments, escaped. Lines stay under 80 columns, comments too: Debian's
 * inih reads at most 200 bytes a line.
 *
 * Call from one thread; nothing is allocated that outlives the call.
 */
#ifndef RHIZOME_TABLELINES_H
#define RHIZOME_TABLELINES_H

#include <stdio.h>

#include <jansson.h>

/* Write the sections to fp. Returns 0, or -EIO when fp fails. */
int tablelines_text(json_t *summary, FILE *fp);

#endif
