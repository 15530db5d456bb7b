/*
 * classify: what a fresh fetch means for the snapshot already on disk.
 *
 * The rule table is SPEC's "Change classification": new when there is no
 * file, unchanged when byte-identical, trivial when equal after
 * normalization, significant otherwise. missing, removed, empty and error
 * come from the fetch itself (removed: absent from the server while its
 * plain file exists), not from a comparison.
 */
#ifndef RHIZOME_CLASSIFY_H
#define RHIZOME_CLASSIFY_H

#include <stddef.h>

enum change_class {
	CLASS_NEW,
	CLASS_UNCHANGED,
	CLASS_TRIVIAL,
	CLASS_SIGNIFICANT,
	CLASS_MISSING,
	CLASS_REMOVED,          /* absent, but its plain file existed */
	CLASS_EMPTY,
	CLASS_ERROR,
	CLASS_COUNT
};

/*
 * Compare the fresh file contents (`fresh`, what would be written) with the
 * existing file (`old`, NULL when there is none). Thread-safe.
 */
enum change_class classify_schema(const char *fresh, size_t fresh_len,
				  const char *old, size_t old_len);

/*
 * The same for sample rows: no normalization (nothing in a row is noise),
 * so new, unchanged or significant. Thread-safe.
 */
enum change_class classify_data(const char *fresh, size_t fresh_len,
				const char *old, size_t old_len);

/* "new", "unchanged", ... as the summary spells them. Thread-safe. */
const char *classify_name(enum change_class c);

/* Whether the plain file must be (re)written for this class, given
 * --write-trivial. Thread-safe. */
int classify_writes(enum change_class c, int write_trivial);

#endif
