/*
 * snapshot: the snapshot root on disk, `{out}/`.
 *
 *   {out}/{folder}/expected_data/{database}_{table}.sql
 *   {hist}/{run_id}/...                  see history.h ({hist}: [fleet]
 *                                        history, default {out}/.history)
 *   {hist}/.rhizome.lock                 held (flock) during a run
 *   {out}/.bulk/...                      bulk exports (bulkdir.h)
 *
 * One run at a time owns a root: the lock is taken before anything is
 * written or swept, and released by the kernel if the process dies. It
 * lives in the history folder, which git ignores (history.h), so a run
 * that changes nothing leaves `git status` empty. Names
 * are validated by the config (environments/config.h), so a path built here
 * never leaves the root. Out of memory aborts (engine/base/alloc.h).
 */
#ifndef RHIZOME_SNAPSHOT_H
#define RHIZOME_SNAPSHOT_H

#include <stddef.h>

typedef struct snapshot_root snapshot_root;

#define SNAPSHOT_LOCK_NAME ".rhizome.lock"

/*
 * Create `out` and the history folder `hist` if needed (history_prepare)
 * and take the lock without waiting. Returns 0 with
 * *root set (the caller owns it: snapshot_unlock), or -EWOULDBLOCK when
 * another run holds the lock, or another -errno on I/O failure; *root is
 * NULL then. `out` and `hist` are copied. Call from the main thread.
 */
int snapshot_lock(const char *out, const char *hist, snapshot_root **root);

/* "{hist}/.rhizome.lock". Caller frees. Thread-safe. */
char *snapshot_lock_path(const char *hist);

/* Release the lock and free the root. NULL is a no-op. Main thread. */
void snapshot_unlock(snapshot_root *root);

/*
 * Remove what a killed run left under the root: temporary files in
 * {out}/{folder}/expected_data, unpublished run folders in {hist}, and
 * in bulk exports their temporaries, not their complete chunks
 * (bulkdir_sweep).
 * `folders` (borrowed) are the environments' snapshot folders. Returns the
 * number of entries removed, or -errno. Needs the lock; main thread.
 */
int snapshot_sweep(snapshot_root *root, const char *const *folders,
		   size_t nfolders);

/* "{out}/{folder}/expected_data". Caller frees. Thread-safe. */
char *snapshot_data_dir(const char *out, const char *folder);

/* "{out}/{folder}/expected_data/{database}_{table}{ext}". Caller frees.
 * Thread-safe. */
char *snapshot_table_path(const char *out, const char *folder,
			  const char *database, const char *table,
			  const char *ext);

/*
 * A plain file and its history body: a .sql file is the Create Table text
 * the history holds, then ";\n"; a .json file is its body as it is.
 * snapshot_file_of: the file for `body` (len bytes; `schema`: a .sql),
 * NUL-terminated, its length in *out_len (caller frees). snapshot_body_len:
 * how much of a file is its body (without a final ";\n" when `schema`).
 * Thread-safe.
 */
char *snapshot_file_of(int schema, const char *body, size_t len,
		       size_t *out_len);
size_t snapshot_body_len(int schema, const char *file, size_t len);

/*
 * Read a whole file. Returns 0 with *data (caller frees, NUL-terminated) and
 * *len, -ENOENT when it does not exist, or another -errno. Thread-safe.
 */
int snapshot_read(const char *path, char **data, size_t *len);

#endif
