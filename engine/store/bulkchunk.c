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

int bulkchunk_write(const char *dir, unsigned part, unsigned index,
		    const void *lines, size_t len, int level,
		    struct bulkchunk_info *info)
{
	ZSTD_CCtx *cctx = ZSTD_createCCtx();
	size_t cap = ZSTD_compressBound(len), n;
	char *out, *path;
	int rc;

	if (cctx == NULL)
		return -EIO;
	out = xmalloc(cap ? cap : 1);
	if (ZSTD_isError(ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel,
						level)) ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1))) {
		ZSTD_freeCCtx(cctx);
		free(out);
		return -EIO;
	}
	n = ZSTD_compress2(cctx, out, cap, lines, len);
	ZSTD_freeCCtx(cctx);
	if (ZSTD_isError(n)) {
		free(out);
		return -EIO;
	}
	snprintf(info->name, sizeof(info->name), "%03u-%06u.jsonl.zst",
		 part % 1000, index % 1000000);
	info->bytes = n;
	sha256_hex(out, n, info->sha256);
	path = xasprintf("%s/%s", dir, info->name);
	rc = atomic_write_file(path, out, n);
	free(path);
	free(out);
	return rc;
}

int bulkchunk_read(const char *path, const char *sha256, char **lines,
		   size_t *len, struct strbuf *err)
{
	char hex[65], *data, *out;
	unsigned long long size;
	size_t n, got;
	int rc;

	*lines = NULL;
	*len = 0;
	rc = snapshot_read(path, &data, &n);
	if (rc != 0)
		return rc;
	if (sha256 != NULL) {
		sha256_hex(data, n, hex);
		if (strcmp(hex, sha256) != 0) {
			strbuf_addf(err, "%s: SHA-256 %s, where the manifest has %s",
				    path, hex, sha256);
			free(data);
			return -EBADMSG;
		}
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
