/*
 * Unit tests of engine/base/base64 beyond the RFC 4648 vectors (those are
 * in test_jsontext.c): outputs longer than a line, where an encoder that
 * breaks lines (libcrypto's EVP_EncodeUpdate does, every 64 characters)
 * would differ, and a large input. Expected strings are Python's
 * base64.b64encode.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine/base/base64.h"
#include "engine/base/sha256.h"
#include "check.h"

static void test_base64_of_nothing_accepts_null(void)
{
	char *got = base64_encode(NULL, 0);

	ASSERT_STR_EQ(got, "");
	free(got);
}

static void test_base64_of_every_byte_value_is_one_line(void)
{
	unsigned char in[256];
	char *got;
	int i;

	for (i = 0; i < 256; i++)
		in[i] = (unsigned char)i;
	got = base64_encode(in, sizeof(in));
	ASSERT_STR_EQ(got,
		"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKiss"
		"LS4vMDEyMzQ1Njc4OTo7PD0+P0BBQkNERUZHSElKS0xNTk9QUVJTVFVWV1hZ"
		"WltcXV5fYGFiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eHl6e3x9fn+AgYKDhIWG"
		"h4iJiouMjY6PkJGSk5SVlpeYmZqbnJ2en6ChoqOkpaanqKmqq6ytrq+wsbKz"
		"tLW2t7i5uru8vb6/wMHCw8TFxsfIycrLzM3Oz9DR0tPU1dbX2Nna29zd3t/g"
		"4eLj5OXm5+jp6uvs7e7v8PHy8/T19vf4+fr7/P3+/w==");
	free(got);
	/* 49 bytes: a 68-character line, just past where line breaks start */
	got = base64_encode(in, 49);
	ASSERT_STR_EQ(got,
		"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKiss"
		"LS4vMA==");
	free(got);
}

static void test_base64_of_a_mebibyte_and_one_byte(void)
{
	/* bytes i * 7 mod 256; the digest of Python's encoding */
	size_t n = ((size_t)1 << 20) + 1, i;
	unsigned char *in = malloc(n);
	char *got, hex[65];

	ASSERT_TRUE(in != NULL);
	for (i = 0; i < n; i++)
		in[i] = (unsigned char)(i * 7);
	got = base64_encode(in, n);
	free(in);
	ASSERT_EQ(strlen(got), 1398104);
	ASSERT_STR_EQ(got + 1398096, "5Ovy+QA=");
	sha256_hex(got, strlen(got), hex);
	free(got);
	ASSERT_STR_EQ(hex,
		"99c337a870202b8dc38b4c3e5e3086cb05966e96be7532f6970b86144b7ba2c0");
}

/* decode gives back what encode took, for every length modulo 3 (the
 * padding), and refuses what is not an encoding. */
static void test_base64_decode_inverts_encode_and_refuses_garbage(void)
{
	unsigned char bytes[259];
	size_t n, len, i;

	for (i = 0; i < sizeof(bytes); i++)
		bytes[i] = (unsigned char)(i * 7 + 3);
	for (n = 0; n <= sizeof(bytes); n += n < 8 ? 1 : 50) {
		char *text = base64_encode(bytes, n), *back = NULL;

		ASSERT_EQ(base64_decode(text, &back, &len), 0);
		ASSERT_EQ(len, n);
		ASSERT_TRUE(memcmp(back, bytes, n) == 0);
		free(back);
		free(text);
	}
	ASSERT_EQ(base64_decode("abc", &(char *){ NULL }, &len), -EINVAL);
	ASSERT_EQ(base64_decode("ab!d", &(char *){ NULL }, &len), -EINVAL);
	ASSERT_EQ(base64_decode("a=bc", &(char *){ NULL }, &len), -EINVAL);
	ASSERT_EQ(base64_decode("ab c", &(char *){ NULL }, &len), -EINVAL);
	ASSERT_EQ(base64_decode("a===", &(char *){ NULL }, &len), -EINVAL);
}

int main(int argc, char **argv)
{
	CHECK_INIT(argc, argv);
	RUN(test_base64_of_nothing_accepts_null);
	RUN(test_base64_of_every_byte_value_is_one_line);
	RUN(test_base64_of_a_mebibyte_and_one_byte);
	RUN(test_base64_decode_inverts_encode_and_refuses_garbage);
	return CHECK_EXIT();
}
