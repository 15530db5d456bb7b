/*
 * atomic_file: files that appear whole or not at all.
 *
 * Contents go to a temporary file in the destination's own folder (same file
 * system, so the rename is atomic), are flushed to disk, renamed over the
 * final name, and the folder is flushed so the rename survives a crash.
 * Temporary names start with ATOMIC_TMP_PREFIX so a later run can find and
 * remove what a killed run left (atomic_sweep_dir).
 */
#ifndef RHIZOME_ATOMIC_FILE_H
#define RHIZOME_ATOMIC_FILE_H

#include <stddef.h>

#define ATOMIC_TMP_PREFIX ".rhizome-tmp."

struct atomic_file {
	int fd;
	char *path;      /* final name */
	char *tmp_path;  /* temporary name while open */
};

/* Read the process umask once. Call from the main thread before any worker
 * starts (reading the umask means setting it, which is process-wide). */
void atomic_file_init(void);

/*
 * Create the temporary file for `path`. Returns 0, or -errno (nothing is left
 * behind). One owner per struct; different files are thread-safe.
 */
int atomic_file_open(struct atomic_file *f, const char *path);

/* Append len bytes. Returns 0 or -errno (ENOSPC, EIO...). Thread-safe for
 * different files; one thread per struct. */
int atomic_file_write(struct atomic_file *f, const void *data, size_t len);

/*
 * Flush, rename over the final name, flush the folder. Returns 0, or -errno
 * with the temporary removed and the old file untouched. Frees the struct's
 * strings in both cases. One thread per struct.
 */
int atomic_file_commit(struct atomic_file *f);

/* Drop the temporary file; the old file stays. Frees the struct's strings.
 * One thread per struct. */
void atomic_file_abort(struct atomic_file *f);

/* open + write + commit. Returns 0 or -errno. Thread-safe. */
int atomic_write_file(const char *path, const void *data, size_t len);

/* fsync a folder so renames and creations in it are durable. 0 or -errno.
 * Thread-safe. */
int atomic_fsync_dir(const char *dir);

/*
 * Remove files named ATOMIC_TMP_PREFIX* in `dir` (leftovers of a killed run).
 * A missing folder is not an error. Returns the count removed, or -errno.
 * Call only while holding the snapshot root's lock.
 */
int atomic_sweep_dir(const char *dir);

/* mkdir -p: 0 when `path` is (now) a folder, else -errno (-ENOTDIR when
 * it is another kind of file). Thread-safe. */
int atomic_mkdirs(const char *path);

#endif
