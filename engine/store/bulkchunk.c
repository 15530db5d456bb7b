/*
 * Bulk export chunks (bulkchunk.h).
 */
#include "engine/store/bulkchunk.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zstd.h>

#include "engine/base/alloc.h"
#include "engine/base/sha256.h"
#include "engine/store/atomic_file.h"
#include "engine/store/snapshot.h"

struct bulkchunk_ctx {
	ZSTD_CCtx *cctx;
	char *out;
	size_t cap;
};

bulkchunk_ctx *bulkchunk_ctx_new(void)
{
	bulkchunk_ctx *c = xcalloc(1, sizeof(*c));

	c->cctx = ZSTD_createCCtx();
	if (c->cctx == NULL) {
		free(c);
		return NULL;
	}
	return c;
}

void bulkchunk_ctx_free(bulkchunk_ctx *c)
{
	if (c == NULL)
		return;
	ZSTD_freeCCtx(c->cctx);
	free(c->out);
	free(c);
}

int bulkchunk_write(const char *dir, unsigned part, unsigned index,
		    const void *lines, size_t len, int level, bulkchunk_ctx *ctx,
		    struct bulkchunk_info *info)
{
	bulkchunk_ctx *own = ctx ? NULL : bulkchunk_ctx_new();
	bulkchunk_ctx *c = ctx ? ctx : own;
	size_t bound = ZSTD_compressBound(len), n;
	char *path;
	int rc;

	if (c == NULL)
		return -EIO;
	if (c->cap < bound) {
		free(c->out);
		c->cap = bound > 1 ? bound : 1;
		c->out = xmalloc(c->cap);
	}
	ZSTD_CCtx_reset(c->cctx, ZSTD_reset_session_and_parameters);
	if (ZSTD_isError(ZSTD_CCtx_setParameter(c->cctx, ZSTD_c_compressionLevel,
						level)) ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(c->cctx, ZSTD_c_checksumFlag, 1))) {
		bulkchunk_ctx_free(own);
		return -EIO;
	}
	n = ZSTD_compress2(c->cctx, c->out, c->cap, lines, len);
	if (ZSTD_isError(n)) {
		bulkchunk_ctx_free(own);
		return -EIO;
	}
	snprintf(info->name, sizeof(info->name), "%03u-%06u.jsonl.zst",
		 part % 1000, index % 1000000);
	info->bytes = n;
	sha256_hex(c->out, n, info->sha256);
	path = xasprintf("%s/%s", dir, info->name);
	rc = atomic_write_file(path, c->out, n);
	free(path);
	bulkchunk_ctx_free(own);
	return rc;
}

/* Whether data[0..n), file `path`, has SHA-256 `sha256`: 0, or -EBADMSG
 * with both in *err. */
static int digest_is(const char *path, const char *data, size_t n,
		     const char *sha256, struct strbuf *err)
{
	char hex[65];

	sha256_hex(data, n, hex);
	if (strcmp(hex, sha256) == 0)
		return 0;
	strbuf_addf(err, "%s: SHA-256 %s, where the manifest has %s", path,
		    hex, sha256);
	return -EBADMSG;
}

int bulkchunk_check(const char *path, const char *sha256, struct strbuf *err)
{
	char *data;
	size_t n;
	int rc = snapshot_read(path, &data, &n);

	if (rc != 0)
		return rc;
	rc = digest_is(path, data, n, sha256, err);
	free(data);
	return rc;
}

int bulkchunk_read(const char *path, const char *sha256, char **lines,
		   size_t *len, struct strbuf *err)
{
	char *data, *out;
	unsigned long long size;
	size_t n, got;
	int rc;

	*lines = NULL;
	*len = 0;
	rc = snapshot_read(path, &data, &n);
	if (rc != 0)
		return rc;
	if (sha256 != NULL && (rc = digest_is(path, data, n, sha256, err)) != 0) {
		free(data);
		return rc;
	}
	size = ZSTD_getFrameContentSize(data, n);
	if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN ||
	    ZSTD_findFrameCompressedSize(data, n) != n) {
		strbuf_addf(err, "%s: not one whole zstd frame", path);
		free(data);
		return -EBADMSG;
	}
	out = xmalloc((size_t)size + 1);
	got = ZSTD_decompress(out, (size_t)size, data, n);
	free(data);
	if (ZSTD_isError(got) || got != size) {
		strbuf_addf(err, "%s: %s", path, ZSTD_isError(got)
			    ? ZSTD_getErrorName(got) : "shorter than its frame says");
		free(out);
		return -EBADMSG;
	}
	out[got] = '\0';
	*lines = out;
	*len = got;
	return 0;
}
