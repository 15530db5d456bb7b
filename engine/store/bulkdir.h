/*
 * bulkdir: where bulk exports live under the snapshot root (SPEC: Files
 * written), git-ignored like the history:
 *
 *   {out}/.bulk/.gitignore                           "*"
 *   {out}/.bulk/{folder}/{database}_{table}/         a complete export:
 *       manifest.json, NNN-NNNNNN.jsonl.zst           (bulkmanifest.h,
 *                                                      bulkchunk.h)
 *   {out}/.bulk/{folder}/{database}_{table}.partial/ one under way, or
 *                                                      interrupted: what
 *                                                      --resume continues
 *   {out}/.bulk/{folder}/{database}_{table}.old/     a complete export
 *                                                      being replaced
 *
 * A table's export is made in its .partial folder and takes the final
 * name only once complete (bulkdir_publish), so the previous complete
 * export stays whole until a new one is. Names are validated by the
 * config (environments/config.h): a path built here never leaves the
 * root. Calls that change folders need the snapshot root's lock
 * (snapshot.h). Out of memory aborts (engine/base/alloc.h).
 */
#ifndef RHIZOME_BULKDIR_H
#define RHIZOME_BULKDIR_H

#include <stddef.h>

/* "{out}/.bulk/{folder}/{database}_{table}" and, with `suffix` (".partial",
 * ".old"), that with it. Caller frees. Thread-safe. */
char *bulkdir_table(const char *out, const char *folder, const char *database,
		    const char *table, const char *suffix);

/* Make {out}/.bulk/{folder} (and {out}/.bulk with its .gitignore). 0 or
 * -errno. */
int bulkdir_prepare(const char *out, const char *folder);

/* Empty (or make) the folder `dir`, flat: what a fresh export of a table
 * starts from. 0 or -errno. Thread-safe for different folders. */
int bulkdir_fresh(const char *dir);

/*
 * Give the complete export in `partial` its final name `final`: an
 * export already there is moved to final + ".old" first and removed
 * after; the parent folder is flushed. A crash in between leaves the
 * .old one, which the sweep puts back if no final one took its place.
 * 0 or -errno (the final name then holds the old export, or none if
 * there was none). Thread-safe for different tables.
 */
int bulkdir_publish(const char *partial, const char *final);

/*
 * What a killed run left under {out}/.bulk/{folder} for each of
 * folders[0..n): temporaries in the export folders (their complete
 * chunks stay), and .old folders (put back when no final one replaced
 * them, else removed). Returns the number of entries removed or put
 * back, or -errno. Needs the lock; main thread.
 */
int bulkdir_sweep(const char *out, const char *const *folders, size_t n);

/* rm of a folder holding files only. 0 or -errno. Thread-safe. */
int bulkdir_remove_flat(const char *path);

#endif
