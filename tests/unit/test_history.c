/*
 * Unit tests of engine/history: four threads append to two environments'
 * streams at once; the published run folder must hold one checksummed zstd
 * frame per environment that decompresses to exactly the appended lines
 * (each thread's lines in its order), and a manifest whose sha256 vouches
 * for each file. Lines are generated from (thread, seq) so the reader can
 * regenerate and compare them byte for byte; their bodies are pseudo-random
 * hex so the compressed stream spans several output buffers.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ZSTD_STATIC_LINKING_ONLY /* ZSTD_getFrameHeader */
#include <jansson.h>
#include <zstd.h>

#include "engine/base/alloc.h"
#include "engine/store/atomic_file.h"
#include "engine/store/history.h"
#include "engine/base/sha256.h"
#include "check.h"
#include "testutil.h"

#define RUN_ID "20240101T000000Z-000"
#define NTHREADS 4
#define NENVS 2              /* thread t writes to environment t % NENVS */
#define LINES_PER_THREAD 1500
#define BODY_HEX 200

/* The default history folder of `out` (a static buffer: one at a time). */
static const char *hist_of(const char *out)
{
	static char buf[4096];

	snprintf(buf, sizeof(buf), "%s/.history", out);
	return buf;
}

static const char *const env_names[] = { "na_prod_billing", "demo_billing_event",
					 "dev_idle" /* gets no line */ };

/* The line thread `tid` appends as its `seq`-th, without newline. */
static size_t make_line(char *buf, size_t size, int tid, int seq)
{
	static const char hex[] = "0123456789abcdef";
	uint64_t x = (uint64_t)(tid + 1) * 0x9e3779b97f4a7c15ull ^
		     (uint64_t)(seq + 1) * 0xbf58476d1ce4e5b9ull;
	char body[BODY_HEX + 1];
	int i, n;

	for (i = 0; i < BODY_HEX; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		body[i] = hex[x & 15];
	}
	body[BODY_HEX] = '\0';
	n = snprintf(buf, size, "{\"thread\":%d,\"seq\":%d,\"body\":\"%s\"}",
		     tid, seq, body);
	return (size_t)n;
}

struct appender {
	history *h;
	int tid;
	int failures;
};

static void *append_main(void *arg)
{
	struct appender *a = arg;
	char line[512];
	int seq;

	for (seq = 0; seq < LINES_PER_THREAD; seq++) {
		size_t len = make_line(line, sizeof(line), a->tid, seq);

		if (history_append(a->h, (size_t)(a->tid % NENVS), line, len) != 0)
			a->failures++;
	}
	return NULL;
}

/* Decompress a whole zstd stream (checksum verified by zstd); NULL if bad. */
static char *unzstd(const void *src, size_t len, size_t *out_len)
{
	ZSTD_DStream *ds = ZSTD_createDStream();
	ZSTD_inBuffer in = { src, len, 0 };
	size_t cap = 1 << 16, n = 0, r = 1;
	char *buf = malloc(cap + 1);

	if (ds == NULL || buf == NULL)
		abort();
	ZSTD_initDStream(ds);
	while (in.pos < in.size || r != 0) {
		ZSTD_outBuffer out;
		size_t before = in.pos;

		if (cap - n < (1 << 15)) {
			cap *= 2;
			buf = realloc(buf, cap + 1);
			if (buf == NULL)
				abort();
		}
		out.dst = buf + n;
		out.size = cap - n;
		out.pos = 0;
		r = ZSTD_decompressStream(ds, &out, &in);
		if (ZSTD_isError(r)) {
			fprintf(stderr, "zstd: %s\n", ZSTD_getErrorName(r));
			goto bad;
		}
		n += out.pos;
		if (r != 0 && in.pos == in.size && in.pos == before &&
		    out.pos == 0)
			goto bad; /* truncated frame */
	}
	ZSTD_freeDStream(ds);
	buf[n] = '\0';
	*out_len = n;
	return buf;
bad:
	ZSTD_freeDStream(ds);
	free(buf);
	return NULL;
}

/*
 * Check that `text` holds exactly the lines of the threads writing to
 * environment `env`: every line regenerates byte for byte, each thread's
 * seq numbers come in order 0, 1, 2..., and each thread has them all.
 */
static void check_env_lines(const char *text, size_t len, size_t env)
{
	int next[NTHREADS] = { 0 };
	const char *p = text, *end = text + len;
	char want[512];
	int t;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		int tid = -1, seq = -1;
		size_t wlen;

		if (nl == NULL)
			CHECK_FAIL("env %zu: last line has no newline", env);
		if (sscanf(p, "{\"thread\":%d,\"seq\":%d,", &tid, &seq) != 2 ||
		    tid < 0 || tid >= NTHREADS)
			CHECK_FAIL("env %zu: unexpected line \"%.60s\"", env, p);
		if ((size_t)(tid % NENVS) != env)
			CHECK_FAIL("env %zu got a line of thread %d", env, tid);
		if (seq != next[tid])
			CHECK_FAIL("env %zu thread %d: seq %d after %d (order lost "
				   "or line duplicated/dropped)", env, tid, seq,
				   next[tid] - 1);
		wlen = make_line(want, sizeof(want), tid, seq);
		if ((size_t)(nl - p) != wlen || memcmp(p, want, wlen) != 0)
			CHECK_FAIL("env %zu thread %d seq %d: line corrupted", env,
				   tid, seq);
		next[tid]++;
		p = nl + 1;
	}
	for (t = 0; t < NTHREADS; t++)
		if ((size_t)(t % NENVS) == env)
			ASSERT_EQ(next[t], LINES_PER_THREAD);
		else
			ASSERT_EQ(next[t], 0);
}

static void test_history_publishes_checksummed_frames_of_all_lines_and_manifest(void)
{
	char *out = scratch_dir();
	char *hist = path_join(out, ".history");
	char *run_dir = history_run_dir(hist_of(out), RUN_ID);
	char *tmp_dir = path_join(hist, HISTORY_TMP_PREFIX RUN_ID);
	char *manifest_path = path_join(run_dir, "manifest.json");
	struct appender app[NTHREADS];
	pthread_t th[NTHREADS];
	json_t *manifest, *loaded, *envs;
	json_error_t jerr;
	history *h = NULL;
	int t;
	size_t e, mlen;
	char *mtext;

	ASSERT_EQ(history_open(hist_of(out), RUN_ID, env_names, 3, &h), 0);
	ASSERT_TRUE(h != NULL);
	ASSERT_TRUE(path_exists(tmp_dir));
	ASSERT_TRUE(!path_exists(run_dir)); /* not before it is complete */

	for (t = 0; t < NTHREADS; t++) {
		app[t].h = h;
		app[t].tid = t;
		app[t].failures = 0;
		ASSERT_EQ(pthread_create(&th[t], NULL, append_main, &app[t]), 0);
	}
	for (t = 0; t < NTHREADS; t++) {
		ASSERT_EQ(pthread_join(th[t], NULL), 0);
		ASSERT_EQ(app[t].failures, 0);
	}

	/* the caller's manifest: its keys, including an environment's, stay */
	manifest = json_pack("{s:s, s:s, s:{s:{s:i}}}", "run_id", RUN_ID,
			     "command", "schema", "environments",
			     env_names[0], "new_count", 7);
	ASSERT_TRUE(manifest != NULL);
	ASSERT_EQ(history_publish(h, manifest), 0);
	json_decref(manifest);

	ASSERT_TRUE(!path_exists(tmp_dir));
	ASSERT_TRUE(path_exists(run_dir));
	ASSERT_EQ(dir_count(run_dir), 4); /* 3 streams + manifest, no temp */
	ASSERT_EQ(dir_count(hist), 2); /* the run and .gitignore */
	ASSERT_TRUE(path_exists(hist_of(out)) &&
		    dir_count_prefix(hist, ".gitignore") == 1);

	mtext = file_get(manifest_path, &mlen);
	ASSERT_TRUE(mtext != NULL && mlen > 0);
	ASSERT_EQ(mtext[mlen - 1], '\n');
	free(mtext);
	loaded = json_load_file(manifest_path, 0, &jerr);
	if (loaded == NULL)
		CHECK_FAIL("manifest.json: %s", jerr.text);
	ASSERT_STR_EQ(json_string_value(json_object_get(loaded, "run_id")), RUN_ID);
	envs = json_object_get(loaded, "environments");
	ASSERT_EQ(json_integer_value(json_object_get(
			  json_object_get(envs, env_names[0]), "new_count")), 7);

	for (e = 0; e < 3; e++) {
		json_t *je = json_object_get(envs, env_names[e]);
		char name[128], hex[65];
		char *path, *zst, *text;
		size_t zlen = 0, tlen = 0;
		ZSTD_frameHeader zfh;

		snprintf(name, sizeof(name), "%s.jsonl.zst", env_names[e]);
		ASSERT_TRUE(je != NULL);
		ASSERT_STR_EQ(json_string_value(json_object_get(je, "file")), name);
		path = path_join(run_dir, name);
		zst = file_get(path, &zlen);
		free(path);
		ASSERT_TRUE(zst != NULL && zlen > 0);

		sha256_hex(zst, zlen, hex);
		ASSERT_STR_EQ(json_string_value(json_object_get(je, "sha256")), hex);
		ASSERT_EQ(json_integer_value(json_object_get(je, "bytes")), zlen);

		/* one frame, covering the whole file, with a content checksum */
		ASSERT_EQ(ZSTD_getFrameHeader(&zfh, zst, zlen), 0);
		ASSERT_EQ(zfh.frameType, ZSTD_frame);
		ASSERT_EQ(zfh.checksumFlag, 1);
		ASSERT_EQ(ZSTD_findFrameCompressedSize(zst, zlen), zlen);

		text = unzstd(zst, zlen, &tlen);
		free(zst);
		ASSERT_TRUE(text != NULL);
		if (e < NENVS) {
			ASSERT_TRUE(zlen > (1 << 17)); /* spanned several buffers */
			check_env_lines(text, tlen, e);
		} else {
			ASSERT_EQ(tlen, 0); /* an environment with no line */
		}
		free(text);
	}
	json_decref(loaded);
	free(manifest_path);
	free(tmp_dir);
	free(run_dir);
	free(hist);
	scratch_remove(out);
}

static void test_history_publish_adds_environments_object_when_manifest_lacks_it(void)
{
	char *out = scratch_dir();
	char *run_dir = history_run_dir(hist_of(out), RUN_ID);
	char *manifest_path = path_join(run_dir, "manifest.json");
	json_t *manifest, *loaded, *je;
	json_error_t jerr;
	history *h = NULL;

	ASSERT_EQ(history_open(hist_of(out), RUN_ID, env_names, 1, &h), 0);
	ASSERT_TRUE(h != NULL);
	ASSERT_EQ(history_append(h, 0, "{\"a\":1}", 7), 0);
	manifest = json_pack("{s:s}", "run_id", RUN_ID);
	ASSERT_EQ(history_publish(h, manifest), 0);
	json_decref(manifest);
	loaded = json_load_file(manifest_path, 0, &jerr);
	ASSERT_TRUE(loaded != NULL);
	je = json_object_get(json_object_get(loaded, "environments"), env_names[0]);
	ASSERT_TRUE(je != NULL);
	ASSERT_EQ(strlen(json_string_value(json_object_get(je, "sha256"))), 64);
	json_decref(loaded);
	free(manifest_path);
	free(run_dir);
	scratch_remove(out);
}

/* history_read gives every line back; a damaged or cut-short file is
 * -EIO, and the reason names the file with zstd's words. */
static int count_line(const char *line, size_t len, void *arg)
{
	(void)line;
	(void)len;
	(*(int *)arg)++;
	return 0;
}

static void test_history_read_names_a_damaged_file(void)
{
	char *out = scratch_dir();
	char *run_dir = history_run_dir(hist_of(out), RUN_ID);
	char *zst, *bytes;
	char why[1200];
	history *h = NULL;
	json_t *manifest;
	size_t len, i;
	FILE *fp;
	int n = 0;

	ASSERT_EQ(history_open(hist_of(out), RUN_ID, env_names, 1, &h), 0);
	for (i = 0; i < 200; i++)
		ASSERT_EQ(history_append(h, 0, "{\"table\":\"some_table_name\"}", 27), 0);
	manifest = json_pack("{s:s}", "run_id", RUN_ID);
	ASSERT_EQ(history_publish(h, manifest), 0);
	json_decref(manifest);
	ASSERT_EQ(history_read(hist_of(out), RUN_ID, env_names[0], count_line, &n, why,
			       sizeof(why)), 0);
	ASSERT_EQ(n, 200);

	zst = xasprintf("%s/%s.jsonl.zst", run_dir, env_names[0]);
	fp = fopen(zst, "rb");
	ASSERT_TRUE(fp != NULL);
	bytes = xmalloc(65536);
	len = fread(bytes, 1, 65536, fp);
	fclose(fp);
	ASSERT_TRUE(len > 16);
	/* cut short */
	fp = fopen(zst, "wb");
	ASSERT_EQ(fwrite(bytes, 1, len - 4, fp), len - 4);
	fclose(fp);
	ASSERT_EQ(history_read(hist_of(out), RUN_ID, env_names[0], count_line, &n, why,
			       sizeof(why)), -EIO);
	ASSERT_CONTAINS(why, zst);
	ASSERT_CONTAINS(why, "cut short");
	/* a byte changed inside the frame: the checksum or the decoder fails */
	bytes[len / 2] ^= 0x5a;
	fp = fopen(zst, "wb");
	ASSERT_EQ(fwrite(bytes, 1, len, fp), len);
	fclose(fp);
	ASSERT_EQ(history_read(hist_of(out), RUN_ID, env_names[0], count_line, &n, why,
			       sizeof(why)), -EIO);
	ASSERT_CONTAINS(why, zst);
	ASSERT_CONTAINS(why, "damaged: zstd: ");
	/* gone */
	ASSERT_EQ(unlink(zst), 0);
	ASSERT_EQ(history_read(hist_of(out), RUN_ID, env_names[0], count_line, &n, why,
			       sizeof(why)), -ENOENT);
	ASSERT_CONTAINS(why, zst);
	free(bytes);
	free(zst);
	free(run_dir);
	scratch_remove(out);
}

static void test_history_abandon_leaves_no_folder(void)
{
	char *out = scratch_dir();
	char *hist = path_join(out, ".history");
	char *run_dir = history_run_dir(hist_of(out), RUN_ID);
	history *h = NULL;

	ASSERT_EQ(history_open(hist_of(out), RUN_ID, env_names, 2, &h), 0);
	ASSERT_TRUE(h != NULL);
	ASSERT_EQ(history_append(h, 0, "{\"x\":1}", 7), 0);
	ASSERT_EQ(history_append(h, 1, "{\"y\":2}", 7), 0);
	ASSERT_EQ(dir_count(hist), 2); /* the .tmp- folder, .gitignore */
	history_abandon(h);
	ASSERT_EQ(dir_count(hist), 1); /* .gitignore */
	ASSERT_TRUE(!path_exists(run_dir));
	history_abandon(NULL); /* a no-op */
	free(run_dir);
	free(hist);
	scratch_remove(out);
}

static void test_history_open_fails_with_errno_and_publishes_nothing(void)
{
	char *out = scratch_dir();
	char *file = path_join(out, "a-file");
	char *tmp_dir = path_join(out, ".history/" HISTORY_TMP_PREFIX RUN_ID);
	history *h = (history *)&h; /* not NULL: the call must set it */

	/* the snapshot root is a file */
	ASSERT_EQ(file_put_str(file, "x"), 0);
	ASSERT_EQ(history_open(hist_of(file), RUN_ID, env_names, 2, &h), -ENOTDIR);
	ASSERT_TRUE(h == NULL);

	/* the run's temporary folder is taken (another run with this id) */
	ASSERT_EQ(atomic_mkdirs(tmp_dir), 0);
	h = (history *)&h;
	ASSERT_EQ(history_open(hist_of(out), RUN_ID, env_names, 2, &h), -EEXIST);
	ASSERT_TRUE(h == NULL);
	ASSERT_TRUE(path_exists(tmp_dir)); /* not ours: left alone */
	free(tmp_dir);
	free(file);
	scratch_remove(out);
}

static void test_history_run_dir_layout(void)
{
	char *p = history_run_dir("environments/.history", RUN_ID);

	ASSERT_STR_EQ(p, "environments/.history/" RUN_ID);
	free(p);
}

int main(int argc, char **argv)
{
	CHECK_INIT(argc, argv);
	RUN_GUARDED(test_history_publishes_checksummed_frames_of_all_lines_and_manifest, 120);
	RUN(test_history_publish_adds_environments_object_when_manifest_lacks_it);
	RUN(test_history_abandon_leaves_no_folder);
	RUN(test_history_open_fails_with_errno_and_publishes_nothing);
	RUN(test_history_read_names_a_damaged_file);
	RUN(test_history_run_dir_layout);
	return CHECK_EXIT();
}
