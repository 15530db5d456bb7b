/*
 * normalize: remove the noise that changes without a schema change.
 *
 * Today that is one thing: the AUTO_INCREMENT=<n> table option, which moves
 * with every insert. It is removed only from the table options, the text
 * between the closing parenthesis of the column list and the end of that
 * line. A column's AUTO_INCREMENT attribute, a comment or default holding the
 * same characters, and the partition clause (on the following lines) are
 * never touched.
 */
#ifndef RHIZOME_NORMALIZE_H
#define RHIZOME_NORMALIZE_H

#include <stddef.h>

/*
 * Return a malloc'd, NUL-terminated copy of `text` (len bytes) with the
 * table option removed; *out_len receives its length. Text that does not
 * look like a CREATE TABLE statement comes back unchanged. Never NULL
 * (aborts on allocation failure). Thread-safe.
 */
char *normalize_schema(const char *text, size_t len, size_t *out_len);

/*
 * Locate the table options of a CREATE TABLE text: on success returns 0 and
 * sets [*start, *end) to the byte range after the column list's closing
 * parenthesis up to (not including) the end of that line. Returns -EINVAL when
 * there is no balanced column list. Thread-safe.
 */
int normalize_find_options(const char *text, size_t len, size_t *start,
			   size_t *end);

#endif
