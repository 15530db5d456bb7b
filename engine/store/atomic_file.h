/*
 * atomic_file: files that appear whole or not at all.
 *
 * Contents go to a temporary file in the destination's own folder (same file
 * system, so the rename is atomic), are flushed to disk, renamed over the
 * final name, and the folder is flushed so the rename survives a crash.
 * Temporary names start with ATOMIC_TMP_PREFIX so a later run can find and
 * remove what a killed run left (atomic_sweep_dir); their format is in
 * engine/base/tmpname.h, which the config reads too. Out of memory aborts
 * (engine/base/alloc.h), so every error returned here is the system's.
 */
#ifndef RHIZOME_ATOMIC_FILE_H
#define RHIZOME_ATOMIC_FILE_H

#include <stddef.h>

#include "engine/base/tmpname.h"

#define ATOMIC_TMP_PREFIX TMPNAME_PREFIX

struct atomic_file {
	int fd;
	char *path;      /* final name; owned */
	char *tmp_path;  /* temporary name while open; owned */
};

/*
 * Create the temporary file for `path` (borrowed: copied), mode 0666 less the
 * umask. Returns 0, or -errno (nothing is left behind, *f holds nothing to
 * free). One owner per struct; different files are thread-safe.
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

/* open + write + commit (data borrowed). Returns 0 or -errno. Thread-safe. */
int atomic_write_file(const char *path, const void *data, size_t len);

/*
 * A batch: many files made durable together. Flushing each file before its
 * rename costs one journal commit per file; a batch writes and closes every
 * temporary, flushes them all with one syncfs(), renames them, and flushes
 * each folder once. The guarantee is the same (no file is renamed before its
 * contents are on disk), at a fraction of the cost. Temporaries are closed
 * as soon as they are written, so a batch holds one descriptor (a folder's)
 * however many files it has; a caller adding more than ATOMIC_BATCH_MAX
 * files commits in between.
 */
#define ATOMIC_BATCH_MAX 512

struct atomic_batch {
	struct atomic_file files[ATOMIC_BATCH_MAX];
	size_t n;
	/* The first file's folder, opened before anything is written:
	 * syncfs() reports a write-back error only to descriptors opened
	 * before it happened. -1 when none. */
	int sync_fd;
};

/* An empty batch (the caller owns the struct). One thread per batch. */
void atomic_batch_init(struct atomic_batch *b);

/* Whether the batch is full (commit before adding more). One thread per
 * batch. */
int atomic_batch_full(const struct atomic_batch *b);

/*
 * Write `data` to a temporary file for `path` (both borrowed) and queue it.
 * Returns 0, or -errno with nothing queued and nothing left behind (-ENOBUFS
 * when the batch is full). One thread per batch.
 */
int atomic_batch_add(struct atomic_batch *b, const char *path,
		     const void *data, size_t len);

/*
 * Make every queued file durable and give it its final name, in order.
 * Returns 0, or -errno with *failed set to the index of the first file not
 * durably committed: files before it are. From it on, a file whose folder
 * could not be flushed after its rename has its new content under its
 * final name, which a crash may still undo (old or new, never partial);
 * the others were removed, their old files untouched. The batch is empty
 * afterwards.
 * One thread per batch.
 */
int atomic_batch_commit(struct atomic_batch *b, size_t *failed);

/* Drop every queued file; the old files stay. One thread per batch. */
void atomic_batch_abort(struct atomic_batch *b);

/* fsync a folder so renames and creations in it are durable. 0 or -errno.
 * Thread-safe. */
int atomic_fsync_dir(const char *dir);

/* Remove `path` and flush its folder, so the removal is durable when this
 * returns 0. -ENOENT when there was no such file; another -errno when the
 * unlink or the flush failed (after a failed flush the file may be gone,
 * or back after a crash: never half of it). Thread-safe. */
int atomic_remove_file(const char *path);

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
