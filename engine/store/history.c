#include "engine/store/history.h"

#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zstd.h>

#include "engine/base/alloc.h"
#include "engine/base/base64.h"
#include "engine/base/sha256.h"
#include "engine/base/tmpname.h"
#include "engine/store/atomic_file.h"

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
	char *hist;
	char *tmp_dir;
	char *final_dir;
	struct env_stream *streams;
	size_t nstreams;
};

char *history_line_body(json_t *line, size_t *len)
{
	json_t *body = json_object_get(line, "body");
	json_t *b64 = json_object_get(line, "body_base64");
	char *data = NULL;

	if (json_is_string(body)) {
		*len = json_string_length(body);
		data = xmalloc(*len + 1);
		memcpy(data, json_string_value(body), *len);
		data[*len] = '\0';
	} else if (json_is_string(b64) &&
		   base64_decode(json_string_value(b64), &data, len) != 0) {
		data = NULL;
	}
	return data;
}

int history_body_matches(json_t *line, const char *body, size_t len)
{
	const char *want = json_string_value(json_object_get(line, "sha256"));
	char hex[65];

	if (want == NULL)
		return 0;
	sha256_hex(body, len, hex);
	return strcmp(hex, want) == 0;
}

char *history_run_dir(const char *hist, const char *run_id)
{
	return xasprintf("%s/%s", hist, run_id);
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
		sha256_release(&s->digest);
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
	free(h->hist);
	free(h->tmp_dir);
	free(h->final_dir);
	free(h);
}

/* Whether every entry of folder `hist` is rhizome's: run folders (their
 * ids start with a digit), temporaries, the lock. A `*` .gitignore in a
 * folder holding anything else would hide that from git too. */
static int only_ours(const char *hist)
{
	DIR *d = opendir(hist);
	struct dirent *de;
	int ours = 1;

	if (d == NULL)
		return 0;
	while (ours && (de = readdir(d)) != NULL)
		ours = strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0 ||
		       (de->d_name[0] >= '0' && de->d_name[0] <= '9') ||
		       strncmp(de->d_name, HISTORY_TMP_PREFIX,
			       strlen(HISTORY_TMP_PREFIX)) == 0 ||
		       strncmp(de->d_name, TMPNAME_PREFIX,
			       strlen(TMPNAME_PREFIX)) == 0 ||
		       strcmp(de->d_name, ".rhizome.lock") == 0;
	closedir(d);
	return ours;
}

int history_prepare(const char *hist)
{
	static const char ignore[] =
		"# rhizome's run history and lock: local, never committed\n*\n";
	char *path;
	int rc = atomic_mkdirs(hist);

	if (rc != 0)
		return rc;
	path = xasprintf("%s/.gitignore", hist);
	if (access(path, F_OK) != 0) {
		if (only_ours(hist))
			rc = atomic_write_file(path, ignore, sizeof(ignore) - 1);
		else
			fprintf(stderr, "rhizome: warning: the history folder %s "
				"holds files that are not rhizome's: no .gitignore "
				"written there (keep it out of git yourself)\n",
				hist);
	}
	free(path);
	return rc;
}

/* Remove the run's folder `dir` (its temporary name, or the final one
 * when publishing failed half-way) with what the run put in it. */
static void remove_run_dir(history *h, const char *dir)
{
	size_t i;
	char *p;

	for (i = 0; i < h->nstreams; i++) {
		p = xasprintf("%s/%s.jsonl.zst", dir, h->streams[i].name);
		unlink(p);
		free(p);
	}
	p = xasprintf("%s/manifest.json", dir);
	unlink(p);
	free(p);
	rmdir(dir);
}

int history_open(const char *hist, const char *run_id,
		 const char *const *envs, size_t nenvs, history **out)
{
	history *h = xcalloc(1, sizeof(*h));
	size_t i;
	int rc;

	*out = NULL;
	h->streams = xcalloc(nenvs, sizeof(*h->streams));
	h->hist = xstrdup(hist);
	h->tmp_dir = xasprintf("%s/%s%s", hist, HISTORY_TMP_PREFIX, run_id);
	h->final_dir = history_run_dir(hist, run_id);
	rc = history_prepare(hist);
	if (rc == 0 && mkdir(h->tmp_dir, 0777) != 0)
		rc = -errno;
	if (rc != 0) {
		free_history(h);
		return rc;
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
		s->out = xmalloc(s->out_cap);
		if (s->cctx == NULL) {
			rc = -ENOMEM; /* zstd's own allocation */
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
			rc = -EINVAL;
			goto fail;
		}
		path = xasprintf("%s/%s.jsonl.zst", h->tmp_dir, envs[i]);
		s->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
		rc = s->fd < 0 ? -errno : 0;
		free(path);
		if (rc != 0)
			goto fail;
	}
	*out = h;
	return 0;

fail:
	remove_run_dir(h, h->tmp_dir);
	free_history(h);
	return rc;
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
	char *path = NULL, *text = NULL;
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
		/* jansson allocates through alloc.h (main), so NULL means
		 * the manifest could not be encoded */
		if (text == NULL)
			rc = -EINVAL;
	}
	if (rc == 0) {
		size_t len = strlen(text);

		text[len] = '\n'; /* json_dumps has no trailing newline */
		path = xasprintf("%s/manifest.json", h->tmp_dir);
		rc = atomic_write_file(path, text, len + 1);
	}
	if (rc == 0)
		rc = atomic_fsync_dir(h->tmp_dir);
	if (rc == 0 && rename(h->tmp_dir, h->final_dir) != 0)
		rc = -errno;
	if (rc == 0) {
		rc = atomic_fsync_dir(h->hist);
		/* The run is said not to be published (exit 4): its
		 * folder, whose name a crash might not keep anyway, is
		 * taken back. */
		if (rc != 0)
			remove_run_dir(h, h->final_dir);
	} else {
		remove_run_dir(h, h->tmp_dir);
	}
	free(path);
	free(text);
	free_history(h);
	return rc;
}

void history_abandon(history *h)
{
	if (h == NULL)
		return;
	remove_run_dir(h, h->tmp_dir);
	free_history(h);
}

int history_read(const char *hist, const char *run_id, const char *env,
		 int (*fn)(const char *line, size_t len, void *arg), void *arg,
		 char *why, size_t size)
{
	ZSTD_DCtx *dctx = NULL;
	FILE *fp = NULL;
	char *path, *in = NULL, *outbuf = NULL, *line = NULL;
	size_t in_cap = ZSTD_DStreamInSize(), out_cap = ZSTD_DStreamOutSize();
	size_t line_len = 0, line_cap = 0, left = 1, got, i;
	int rc = 0, stop = 0;

	path = xasprintf("%s/%s/%s.jsonl.zst", hist, run_id, env);
	fp = fopen(path, "rb");
	rc = fp == NULL ? -errno : 0;
	if (rc != 0) {
		snprintf(why, size, "%s: %s", path, strerror(-rc));
		free(path);
		return rc;
	}
	dctx = ZSTD_createDCtx();
	if (dctx == NULL) {
		rc = -ENOMEM; /* zstd's own allocation */
		snprintf(why, size, "%s: zstd: cannot allocate", path);
		goto out;
	}
	in = xmalloc(in_cap);
	outbuf = xmalloc(out_cap);
	while (!stop && (got = fread(in, 1, in_cap, fp)) > 0) {
		ZSTD_inBuffer ib = { in, got, 0 };

		while (!stop && ib.pos < ib.size) {
			ZSTD_outBuffer ob = { outbuf, out_cap, 0 };

			left = ZSTD_decompressStream(dctx, &ob, &ib);
			if (ZSTD_isError(left)) {
				rc = -EIO;
				snprintf(why, size, "%s: damaged: zstd: %s", path,
					 ZSTD_getErrorName(left));
				goto out;
			}
			for (i = 0; i < ob.pos && !stop; i++) {
				if (outbuf[i] == '\n') {
					if (line == NULL)
						line = xmalloc(1);
					line[line_len] = '\0';
					stop = fn(line, line_len, arg);
					line_len = 0;
					continue;
				}
				if (line_len + 2 > line_cap) {
					line_cap = line_cap ? line_cap * 2 : 4096;
					line = xrealloc(line, line_cap);
				}
				line[line_len++] = outbuf[i];
			}
		}
	}
	if (!stop && ferror(fp)) {
		rc = -EIO;
		snprintf(why, size, "%s: %s", path, strerror(EIO));
	} else if (!stop && left != 0) {
		rc = -EIO;
		snprintf(why, size, "%s: cut short: the zstd frame does not end",
			 path);
	}
out:
	free(path);
	free(line);
	free(in);
	free(outbuf);
	ZSTD_freeDCtx(dctx);
	fclose(fp);
	return rc;
}
