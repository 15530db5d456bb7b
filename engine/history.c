#include "history.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zstd.h>

#include "atomic_file.h"
#include "sha256.h"

struct env_stream {
	pthread_mutex_t lock;
	const char *name;       /* borrowed */
	int fd;                 /* guarded by lock */
	ZSTD_CCtx *cctx;        /* guarded by lock */
	void *out;              /* guarded by lock: ZSTD_CStreamOutSize() bytes */
	size_t out_cap;
	struct sha256 digest;   /* guarded by lock: of the compressed bytes */
	unsigned long long bytes; /* guarded by lock: compressed bytes written */
	int failed;             /* guarded by lock: first -errno, sticky */
};

struct history {
	char *out;
	char *tmp_dir;
	char *final_dir;
	struct env_stream *streams;
	size_t nstreams;
};

char *history_run_dir(const char *out, const char *run_id)
{
	char *p;

	if (asprintf(&p, "%s/.history/%s", out, run_id) < 0)
		abort();
	return p;
}

static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Caller holds s->lock. Push `in` through zstd with `mode`, writing output. */
static int pump(struct env_stream *s, const void *data, size_t len,
		ZSTD_EndDirective mode)
{
	ZSTD_inBuffer in = { data, len, 0 };
	size_t left;
	int rc;

	do {
		ZSTD_outBuffer out = { s->out, s->out_cap, 0 };

		left = ZSTD_compressStream2(s->cctx, &out, &in, mode);
		if (ZSTD_isError(left)) {
			fprintf(stderr, "rhizome: zstd: %s\n",
				ZSTD_getErrorName(left));
			return -EIO;
		}
		if (out.pos > 0) {
			rc = write_all(s->fd, s->out, out.pos);
			if (rc != 0)
				return rc;
			sha256_update(&s->digest, s->out, out.pos);
			s->bytes += out.pos;
		}
	} while (mode == ZSTD_e_end ? left != 0 : in.pos < in.size);
	return 0;
}

static void free_streams(history *h)
{
	size_t i;

	for (i = 0; i < h->nstreams; i++) {
		struct env_stream *s = &h->streams[i];

		if (s->fd >= 0)
			close(s->fd);
		ZSTD_freeCCtx(s->cctx);
		free(s->out);
		pthread_mutex_destroy(&s->lock);
	}
	free(h->streams);
	h->streams = NULL;
	h->nstreams = 0;
}

static void free_history(history *h)
{
	free_streams(h);
	free(h->out);
	free(h->tmp_dir);
	free(h->final_dir);
	free(h);
}

static void remove_tmp_dir(history *h)
{
	size_t i;
	char *p;

	for (i = 0; i < h->nstreams; i++) {
		if (asprintf(&p, "%s/%s.jsonl.zst", h->tmp_dir,
			     h->streams[i].name) >= 0) {
			unlink(p);
			free(p);
		}
	}
	if (asprintf(&p, "%s/manifest.json", h->tmp_dir) >= 0) {
		unlink(p);
		free(p);
	}
	rmdir(h->tmp_dir);
}

history *history_open(const char *out, const char *run_id,
		      const char *const *envs, size_t nenvs, int *err)
{
	history *h = calloc(1, sizeof(*h));
	size_t i;
	char *hist = NULL;

	if (h == NULL) {
		*err = -ENOMEM;
		return NULL;
	}
	h->streams = calloc(nenvs ? nenvs : 1, sizeof(*h->streams));
	if (h->streams == NULL ||
	    (h->out = strdup(out)) == NULL ||
	    asprintf(&h->tmp_dir, "%s/.history/%s%s", out, HISTORY_TMP_PREFIX,
		     run_id) < 0 ||
	    asprintf(&hist, "%s/.history", out) < 0) {
		free(h->streams);
		free(h->out);
		free(h);
		*err = -ENOMEM;
		return NULL;
	}
	h->final_dir = history_run_dir(out, run_id);
	*err = atomic_mkdirs(hist);
	free(hist);
	if (*err == 0 && mkdir(h->tmp_dir, 0777) != 0)
		*err = -errno;
	if (*err != 0) {
		free_history(h);
		return NULL;
	}
	for (i = 0; i < nenvs; i++) {
		struct env_stream *s = &h->streams[i];
		char *path;

		pthread_mutex_init(&s->lock, NULL);
		s->fd = -1;
		s->name = envs[i];
		h->nstreams++;
		sha256_init(&s->digest);
		s->cctx = ZSTD_createCCtx();
		s->out_cap = ZSTD_CStreamOutSize();
		s->out = malloc(s->out_cap);
		if (s->cctx == NULL || s->out == NULL) {
			*err = -ENOMEM;
			goto fail;
		}
		/* A 512 KiB window: level 3 would take 2 MiB, and with its
		 * tables about 3.6 MiB per environment once the history is
		 * that long; similar CREATE TABLEs repeat within a few KiB,
		 * so the smaller window compresses them as well. */
		if (ZSTD_isError(ZSTD_CCtx_setParameter(
			    s->cctx, ZSTD_c_compressionLevel, 3)) ||
		    ZSTD_isError(ZSTD_CCtx_setParameter(
			    s->cctx, ZSTD_c_checksumFlag, 1)) ||
		    ZSTD_isError(ZSTD_CCtx_setParameter(
			    s->cctx, ZSTD_c_windowLog, 19))) {
			*err = -EINVAL;
			goto fail;
		}
		if (asprintf(&path, "%s/%s.jsonl.zst", h->tmp_dir, envs[i]) < 0) {
			*err = -ENOMEM;
			goto fail;
		}
		s->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
		free(path);
		if (s->fd < 0) {
			*err = -errno;
			goto fail;
		}
	}
	*err = 0;
	return h;

fail:
	remove_tmp_dir(h);
	free_history(h);
	return NULL;
}

int history_append(history *h, size_t env, const char *line, size_t len)
{
	struct env_stream *s = &h->streams[env];
	int rc;

	pthread_mutex_lock(&s->lock);
	rc = s->failed;
	if (rc == 0)
		rc = pump(s, line, len, ZSTD_e_continue);
	if (rc == 0)
		rc = pump(s, "\n", 1, ZSTD_e_continue);
	if (rc != 0)
		s->failed = rc;
	pthread_mutex_unlock(&s->lock);
	return rc;
}

int history_publish(history *h, json_t *manifest)
{
	json_t *envs = json_object_get(manifest, "environments");
	char *path = NULL, *text = NULL, *hist = NULL;
	size_t i;
	int rc = 0;

	if (envs == NULL) {
		/* json_object_set_new() frees the value when it fails: never
		 * touch `envs` or `e` below unless it succeeded. */
		envs = json_object();
		if (envs == NULL ||
		    json_object_set_new(manifest, "environments", envs) != 0) {
			envs = NULL;
			rc = -EINVAL;
		}
	}
	for (i = 0; i < h->nstreams && rc == 0; i++) {
		struct env_stream *s = &h->streams[i];
		char hex[65];
		json_t *e;

		rc = s->failed;
		if (rc == 0)
			rc = pump(s, NULL, 0, ZSTD_e_end);
		if (rc == 0 && fsync(s->fd) != 0)
			rc = -errno;
		if (rc != 0)
			break;
		sha256_final_hex(&s->digest, hex);
		e = json_object_get(envs, s->name);
		if (e == NULL) {
			e = json_object();
			if (e == NULL || json_object_set_new(envs, s->name, e) != 0) {
				rc = -EINVAL; /* e.g. a name that is not UTF-8 */
				break;
			}
		}
		json_object_set_new(e, "file", json_sprintf("%s.jsonl.zst", s->name));
		json_object_set_new(e, "sha256", json_string(hex));
		json_object_set_new(e, "bytes", json_integer((json_int_t)s->bytes));
	}
	if (rc == 0) {
		text = json_dumps(manifest, JSON_INDENT(2));
		if (text == NULL ||
		    asprintf(&path, "%s/manifest.json", h->tmp_dir) < 0) {
			rc = -ENOMEM;
			path = NULL;
		}
	}
	if (rc == 0) {
		size_t len = strlen(text);

		text[len] = '\n'; /* json_dumps has no trailing newline */
		rc = atomic_write_file(path, text, len + 1);
	}
	if (rc == 0)
		rc = atomic_fsync_dir(h->tmp_dir);
	if (rc == 0 && rename(h->tmp_dir, h->final_dir) != 0)
		rc = -errno;
	if (rc == 0) {
		if (asprintf(&hist, "%s/.history", h->out) < 0)
			rc = -ENOMEM;
		else
			rc = atomic_fsync_dir(hist);
	}
	if (rc != 0)
		remove_tmp_dir(h);
	free(hist);
	free(path);
	free(text);
	free_history(h);
	return rc;
}

void history_abandon(history *h)
{
	if (h == NULL)
		return;
	remove_tmp_dir(h);
	free_history(h);
}

int history_read(const char *out, const char *run_id, const char *env,
		 int (*fn)(const char *line, size_t len, void *arg), void *arg)
{
	ZSTD_DCtx *dctx = NULL;
	FILE *fp = NULL;
	char *path = NULL, *in = NULL, *outbuf = NULL, *line = NULL;
	size_t in_cap = ZSTD_DStreamInSize(), out_cap = ZSTD_DStreamOutSize();
	size_t line_len = 0, line_cap = 0, left = 1, got, i;
	int rc = 0, stop = 0;

	if (asprintf(&path, "%s/.history/%s/%s.jsonl.zst", out, run_id, env) < 0)
		return -ENOMEM;
	fp = fopen(path, "rb");
	free(path);
	if (fp == NULL)
		return -errno;
	dctx = ZSTD_createDCtx();
	in = malloc(in_cap);
	outbuf = malloc(out_cap);
	if (dctx == NULL || in == NULL || outbuf == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	while (!stop && (got = fread(in, 1, in_cap, fp)) > 0) {
		ZSTD_inBuffer ib = { in, got, 0 };

		while (!stop && ib.pos < ib.size) {
			ZSTD_outBuffer ob = { outbuf, out_cap, 0 };

			left = ZSTD_decompressStream(dctx, &ob, &ib);
			if (ZSTD_isError(left)) {
				rc = -EIO;
				goto out;
			}
			for (i = 0; i < ob.pos && !stop; i++) {
				if (outbuf[i] == '\n') {
					if (line == NULL)
						line = malloc(1);
					if (line == NULL)
						abort();
					line[line_len] = '\0';
					stop = fn(line, line_len, arg);
					line_len = 0;
					continue;
				}
				if (line_len + 2 > line_cap) {
					line_cap = line_cap ? line_cap * 2 : 4096;
					line = realloc(line, line_cap);
					if (line == NULL)
						abort();
				}
				line[line_len++] = outbuf[i];
			}
		}
	}
	if (!stop && (ferror(fp) || left != 0))
		rc = -EIO; /* a read error, or the frame did not end */
out:
	free(line);
	free(in);
	free(outbuf);
	ZSTD_freeDCtx(dctx);
	fclose(fp);
	return rc;
}
