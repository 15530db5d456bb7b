/*
 * bulkchunk: one chunk of a bulk export (`sync data --all`, laid out by
 * bulkdir.h): rows as JSON lines, compressed as one zstd frame with its
 * content checksum, written atomically (atomic_file.h) as
 * {dir}/{part, three digits}-{index, six digits}.jsonl.zst (a part is a
 * range of the table's key read on its own), with the SHA-256 of the file's
 * bytes, which the export's manifest records and a resume or a load
 * checks before trusting a chunk.
 *
 * A chunk is whole in memory both ways: the export bounds its memory by
 * its chunk size, not by the table's. Functions are thread-safe for
 * different chunks. Out of memory aborts (engine/base/alloc.h).
 */
#ifndef RHIZOME_BULKCHUNK_H
#define RHIZOME_BULKCHUNK_H

#include <stddef.h>

#include "engine/base/strbuf.h"

/* What a chunk file is, for the manifest. */
struct bulkchunk_info {
	char name[32];          /* "002-000042.jsonl.zst" */
	size_t bytes;           /* of the file */
	char sha256[65];        /* of the file, hex */
};

/* A table has at most this many parts, a part this many chunks. */
#define BULKCHUNK_MAX_PARTS 1000
#define BULKCHUNK_MAX_INDEX 999999

/* A compression context and buffer, reused from chunk to chunk (making
 * one costs more than compressing a small chunk): one per thread. */
typedef struct bulkchunk_ctx bulkchunk_ctx;

/* A new context (NULL: zstd could not make one). Free with
 * bulkchunk_ctx_free (NULL is a no-op). */
bulkchunk_ctx *bulkchunk_ctx_new(void);
void bulkchunk_ctx_free(bulkchunk_ctx *c);

/*
 * Compress lines[0..len) (zstd `level`, 1-19) with context `ctx` (NULL:
 * a context of the call's own) and write it as chunk `index` of part
 * `part` in `dir` (which must exist). 0 with *info filled, or -errno of
 * the write (nothing left under the final name), or -EIO when zstd fails.
 */
int bulkchunk_write(const char *dir, unsigned part, unsigned index,
		    const void *lines, size_t len, int level, bulkchunk_ctx *ctx,
		    struct bulkchunk_info *info);

/*
 * Whether chunk file `path` has SHA-256 `sha256` (hex), its frame not
 * decompressed: 0; -ENOENT or another -errno of the read; -EBADMSG with
 * the digests in *err (naming the file) when they differ.
 */
int bulkchunk_check(const char *path, const char *sha256, struct strbuf *err);

/*
 * Read chunk file `path` back: its bytes must have SHA-256 `sha256` (hex;
 * NULL: not checked) and be one whole zstd frame whose checksum holds.
 * 0 with *lines (caller frees, NUL-terminated) and *len; -ENOENT, another
 * -errno of the read, or -EBADMSG with why in *err (a digest that
 * differs, a damaged or truncated frame).
 */
int bulkchunk_read(const char *path, const char *sha256, char **lines,
		   size_t *len, struct strbuf *err);

#endif
