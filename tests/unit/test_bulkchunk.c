/* bulkchunk: a chunk written is read back whole; a changed byte, a digest
 * that differs, a truncated file are errors naming the file. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "engine/base/alloc.h"
#include "engine/store/bulkchunk.h"
#include "testutil.h"

static void test_a_chunk_is_read_back_as_written(void)
{
	char *dir = scratch_dir();
	struct bulkchunk_info info;
	struct strbuf err = STRBUF_INIT, lines = STRBUF_INIT;
	char *path, *back;
	size_t len;
	int i;

	for (i = 0; i < 5000; i++)
		strbuf_addf(&lines, "{\"id\": %d, \"name\": \"row %d\"}\n", i, i);
	ASSERT_EQ(bulkchunk_write(dir, 0, 42, lines.data, lines.len, 3, NULL, &info), 0);
	ASSERT_STR_EQ(info.name, "000-000042.jsonl.zst");
	ASSERT_TRUE(info.bytes > 0 && info.bytes < lines.len);
	ASSERT_EQ(strlen(info.sha256), 64);
	path = xasprintf("%s/%s", dir, info.name);
	ASSERT_EQ(bulkchunk_read(path, info.sha256, &back, &len, &err), 0);
	ASSERT_EQ(len, lines.len);
	ASSERT_TRUE(memcmp(back, lines.data, len) == 0);
	free(back);
	ASSERT_EQ(bulkchunk_read(path, NULL, &back, &len, &err), 0);
	free(back);
	free(path);
	path = xasprintf("%s/000-000043.jsonl.zst", dir);
	ASSERT_EQ(bulkchunk_read(path, NULL, &back, &len, &err), -ENOENT);
	free(path);
	strbuf_release(&lines);
	strbuf_release(&err);
	scratch_remove(dir);
}

static void test_a_damaged_chunk_is_an_error_naming_it(void)
{
	char *dir = scratch_dir();
	struct bulkchunk_info info;
	struct strbuf err = STRBUF_INIT;
	const char *text = "{\"id\": 1}\n{\"id\": 2}\n";
	char *path, *back, *data;
	size_t len, n;
	FILE *f;

	ASSERT_EQ(bulkchunk_write(dir, 0, 1, text, strlen(text), 3, NULL, &info), 0);
	path = xasprintf("%s/%s", dir, info.name);
	/* another digest */
	ASSERT_EQ(bulkchunk_read(path, "00", &back, &len, &err), -EBADMSG);
	ASSERT_TRUE(strstr(err.data, path) != NULL);
	ASSERT_TRUE(strstr(err.data, "SHA-256") != NULL);
	/* a byte changed, the digest not checked: the frame's checksum */
	data = file_get(path, &n);
	ASSERT_TRUE(data != NULL);
	data[n - 5] ^= 0x40;
	f = fopen(path, "wb");
	ASSERT_TRUE(f != NULL && fwrite(data, 1, n, f) == n);
	fclose(f);
	strbuf_reset(&err);
	ASSERT_EQ(bulkchunk_read(path, NULL, &back, &len, &err), -EBADMSG);
	ASSERT_TRUE(strstr(err.data, path) != NULL);
	/* truncated */
	f = fopen(path, "wb");
	ASSERT_TRUE(f != NULL && fwrite(data, 1, n / 2, f) == n / 2);
	fclose(f);
	strbuf_reset(&err);
	ASSERT_EQ(bulkchunk_read(path, NULL, &back, &len, &err), -EBADMSG);
	ASSERT_TRUE(strstr(err.data, "not one whole zstd frame") != NULL);
	free(data);
	free(path);
	strbuf_release(&err);
	scratch_remove(dir);
}

int main(int argc, char **argv)
{
	CHECK_INIT(argc, argv);
	RUN(test_a_chunk_is_read_back_as_written);
	RUN(test_a_damaged_chunk_is_an_error_naming_it);
	return CHECK_EXIT();
}
