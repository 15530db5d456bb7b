/*
 * bulkmanifest: what a bulk export of one table holds (`sync data --all`),
 * `manifest.json` in the table's folder (bulkdir.h): where it came from,
 * the table's Create Table text at the export, the key it is chunked by,
 * and per part (a range of an integer key read on its own, or the whole
 * table) its chunks in order, each with its rows, bytes, SHA-256 and the
 * key of its last row, so that a resume continues after the last chunk
 * it can trust and a load checks every chunk it reads.
 *
 * The manifest is rewritten (atomically) as chunks are written (the
 * export says how often): a chunk file on disk that it does not list was
 * written by a run killed before it could say so, and is written again
 * by the resume, byte for byte.
 *
 * Values that go back into SQL are checked on reading: a part's bounds
 * must be integers, a chunk's last key literals as rhizome writes them
 * (the reader's check: sqlvalue_is_literal, a layer up), so a hand-edited
 * manifest cannot add to a statement. Out of memory aborts
 * (engine/base/alloc.h). One thread per manifest.
 */
#ifndef RHIZOME_BULKMANIFEST_H
#define RHIZOME_BULKMANIFEST_H

#include <stddef.h>

#include "engine/base/strbuf.h"

#define BULKMANIFEST_NAME "manifest.json"

struct bulkmanifest_chunk {
	char name[32];          /* "000-000001.jsonl.zst" */
	size_t rows;
	size_t bytes;
	char sha256[65];
	char **last;            /* keyed: the literals of its last row's key
				 * (nkey of them), owned */
};

struct bulkmanifest_part {
	char *lo, *hi;          /* integer key: the part is lo <= key < hi,
				 * as decimal text; NULL: unbounded */
	int done;               /* its last chunk was read */
	struct bulkmanifest_chunk *chunks;
	size_t nchunks, cap;
};

struct bulkmanifest {
	char *env, *database, *schema, *table;  /* owned */
	char *create;           /* SHOW CREATE TABLE's text at the export */
	char **key;             /* the key's columns (nkey), NULL: none, the
				 * table read in one pass */
	size_t nkey;
	char *key_name;         /* "PRIMARY" or the unique key's */
	unsigned chunk_rows;
	struct bulkmanifest_part *parts;
	size_t nparts;
	int complete;           /* every part done */
	char *masking;          /* the [mask] rules its rows were written
				 * by, "col=method,...", or NULL: none */
	char *run_id;           /* the run that began it */
};

/* Append a chunk to part p (strings copied). */
void bulkmanifest_add_chunk(struct bulkmanifest_part *p, const char *name,
			    size_t rows, size_t bytes, const char *sha256,
			    const char *const *last, size_t nkey);

/* Drop p's chunks from index n on. */
void bulkmanifest_truncate(struct bulkmanifest_part *p, size_t n, size_t nkey);

/* Rows and bytes over every part. */
size_t bulkmanifest_rows(const struct bulkmanifest *m);
size_t bulkmanifest_bytes(const struct bulkmanifest *m);

/* Write m as {dir}/manifest.json, atomically. 0 or -errno. */
int bulkmanifest_write(const char *dir, const struct bulkmanifest *m);

/*
 * Read {dir}/manifest.json into *m (zeroed first; release it whatever the
 * result). Every chunk's last key must pass literal_ok. 0; -ENOENT when
 * there is none; -EBADMSG with why (naming the file) in *err when it is
 * not one rhizome wrote (bad JSON, a field missing or of another type, a
 * value that is not a literal, a chunk name that is not one); another
 * -errno of the read.
 */
int bulkmanifest_read(const char *dir, int (*literal_ok)(const char *s),
		      struct bulkmanifest *m, struct strbuf *err);

void bulkmanifest_release(struct bulkmanifest *m);

#endif
