/*
 * Unit tests of engine/sha256 against published FIPS 180-4 / NIST vectors,
 * plus lengths around the padding boundary (55, 56, 63, 64, 65 bytes...)
 * whose digests were taken from coreutils' sha256sum; HMAC-SHA256 against
 * RFC 4231's test cases. The one-shot digest (sha256_hex) and the one fed in
 * pieces (struct sha256) are separate paths into libcrypto: each vector goes
 * through both.
 */
#include <stdlib.h>
#include <string.h>

#include "engine/base/sha256.h"
#include "check.h"

/* The digest of msg by sha256_hex, and fed in two pieces. */
static void check_one_shot(const char *msg, size_t len, const char *want)
{
	struct sha256 s = SHA256_INIT;
	char hex[65];

	memset(hex, 'x', sizeof(hex));
	sha256_hex(msg, len, hex);
	ASSERT_EQ(hex[64], '\0');
	ASSERT_STR_EQ(hex, want);

	memset(hex, 'x', sizeof(hex));
	sha256_init(&s);
	sha256_update(&s, msg, len / 2);
	sha256_update(&s, msg + len / 2, len - len / 2);
	sha256_final_hex(&s, hex);
	sha256_release(&s);
	ASSERT_EQ(hex[64], '\0');
	ASSERT_STR_EQ(hex, want);
}

static void test_sha256_of_empty_input(void)
{
	check_one_shot("", 0,
		"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void test_sha256_of_abc(void)
{
	check_one_shot("abc", 3,
		"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void test_sha256_of_448_bit_message(void)
{
	const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";

	ASSERT_EQ(strlen(m), 56);
	check_one_shot(m, strlen(m),
		"248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

static void test_sha256_of_896_bit_message(void)
{
	const char *m = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
			"hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";

	ASSERT_EQ(strlen(m), 112);
	check_one_shot(m, strlen(m),
		"cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

static void test_sha256_around_the_padding_boundary(void)
{
	static const struct {
		size_t n;
		const char *hex;
	} v[] = {
		{ 55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318" },
		{ 56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a" },
		{ 63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34" },
		{ 64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb" },
		{ 65, "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0" },
		{ 119, "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb" },
		{ 128, "6836cf13bac400e9105071cd6af47084dfacad4e5e302c94bfed24e013afb73e" },
	};
	char a[128];
	size_t i;

	memset(a, 'a', sizeof(a));
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		check_one_shot(a, v[i].n, v[i].hex);
}

static void test_sha256_of_million_a_fed_in_odd_sized_chunks(void)
{
	static const size_t sizes[] = { 1, 3, 7, 13, 31, 55, 63, 64, 65, 127, 1001 };
	char *buf = malloc(1001);
	struct sha256 s = SHA256_INIT;
	size_t fed = 0, k = 0;
	char hex[65];

	ASSERT_TRUE(buf != NULL);
	memset(buf, 'a', 1001);
	sha256_init(&s);
	while (fed < 1000000) {
		size_t n = sizes[k++ % (sizeof(sizes) / sizeof(sizes[0]))];

		if (n > 1000000 - fed)
			n = 1000000 - fed;
		sha256_update(&s, buf, n);
		fed += n;
	}
	sha256_update(&s, buf, 0); /* an empty update changes nothing */
	sha256_final_hex(&s, hex);
	sha256_release(&s);
	free(buf);
	ASSERT_EQ(fed, 1000000);
	ASSERT_STR_EQ(hex,
		"cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

static void test_sha256_of_a_million_a_in_one_call(void)
{
	char *buf = malloc(1000000);

	ASSERT_TRUE(buf != NULL);
	memset(buf, 'a', 1000000);
	check_one_shot(buf, 1000000,
		"cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	free(buf);
}

static void test_sha256_of_one_mebibyte(void)
{
	/* 1 MiB of 'a', as `head -c 1048576 /dev/zero | tr '\0' a | sha256sum` */
	char *buf = malloc(1 << 20);

	ASSERT_TRUE(buf != NULL);
	memset(buf, 'a', 1 << 20);
	check_one_shot(buf, 1 << 20,
		"9bc1b2a288b26af7257a36277ae3816a7d4f16e89c1e7e77d0a5c48bad62b360");
	free(buf);
}

static void test_sha256_of_nothing_accepts_null(void)
{
	struct sha256 s = SHA256_INIT;
	char hex[65];

	sha256_hex(NULL, 0, hex);
	ASSERT_STR_EQ(hex,
		"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	sha256_init(&s);
	sha256_update(&s, NULL, 0);
	sha256_final_hex(&s, hex);
	sha256_release(&s);
	ASSERT_STR_EQ(hex,
		"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

/* What the run history does with an abandoned run: start a digest, feed
 * it, release it unfinished. LeakSanitizer checks nothing is left. */
static void test_sha256_release_frees_an_unfinished_digest(void)
{
	struct sha256 s = SHA256_INIT;

	sha256_release(&s); /* never started: nothing to free */
	sha256_init(&s);
	sha256_update(&s, "abc", 3);
	sha256_release(&s);
	ASSERT_TRUE(s.ctx == NULL);
}

static void test_sha256_init_resets_a_used_context(void)
{
	struct sha256 s = SHA256_INIT;
	char hex[65];

	sha256_init(&s);
	sha256_update(&s, "something else entirely", 23);
	sha256_final_hex(&s, hex);
	sha256_init(&s);
	sha256_update(&s, "abandoned, never finished", 25);
	sha256_init(&s);
	sha256_update(&s, "ab", 2);
	sha256_update(&s, "c", 1);
	sha256_final_hex(&s, hex);
	sha256_release(&s);
	ASSERT_STR_EQ(hex,
		"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void test_sha256_hashes_bytes_past_a_nul(void)
{
	/* "a\0b" must not hash like "a": length, not NUL, ends the input */
	char h1[65], h2[65];

	sha256_hex("a\0b", 3, h1);
	sha256_hex("a", 1, h2);
	ASSERT_TRUE(strcmp(h1, h2) != 0);
	ASSERT_STR_EQ(h2,
		"ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb");
}

/* ---- HMAC-SHA256, RFC 4231 ---------------------------------------------- */

static void check_hmac(const void *key, size_t keylen, const void *data,
		       size_t len, const char *want)
{
	static const char digits[] = "0123456789abcdef";
	unsigned char mac[32];
	char hex[65];
	size_t i;

	sha256_hmac(key, keylen, data, len, mac);
	for (i = 0; i < 32; i++) {
		hex[2 * i] = digits[mac[i] >> 4];
		hex[2 * i + 1] = digits[mac[i] & 15];
	}
	hex[64] = '\0';
	ASSERT_STR_EQ(hex, want);
}

static void test_hmac_sha256_rfc4231_case_1(void)
{
	unsigned char key[20];

	memset(key, 0x0b, sizeof(key));
	check_hmac(key, sizeof(key), "Hi There", 8,
		"b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
}

static void test_hmac_sha256_rfc4231_case_2_short_key(void)
{
	const char *data = "what do ya want for nothing?";

	check_hmac("Jefe", 4, data, strlen(data),
		"5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

static void test_hmac_sha256_rfc4231_case_6_key_longer_than_block(void)
{
	const char *data = "Test Using Larger Than Block-Size Key - Hash Key First";
	unsigned char key[131];

	memset(key, 0xaa, sizeof(key));
	ASSERT_EQ(strlen(data), 54);
	check_hmac(key, sizeof(key), data, strlen(data),
		"60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

static void test_hmac_sha256_of_empty_key_and_data(void)
{
	/* Python's hmac.new(b"", b"", hashlib.sha256) */
	check_hmac(NULL, 0, NULL, 0,
		"b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
	check_hmac("", 0, "", 0,
		"b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

int main(int argc, char **argv)
{
	CHECK_INIT(argc, argv);
	RUN(test_sha256_of_empty_input);
	RUN(test_sha256_of_abc);
	RUN(test_sha256_of_448_bit_message);
	RUN(test_sha256_of_896_bit_message);
	RUN(test_sha256_around_the_padding_boundary);
	RUN(test_sha256_of_million_a_fed_in_odd_sized_chunks);
	RUN(test_sha256_of_a_million_a_in_one_call);
	RUN(test_sha256_of_one_mebibyte);
	RUN(test_sha256_of_nothing_accepts_null);
	RUN(test_sha256_init_resets_a_used_context);
	RUN(test_sha256_release_frees_an_unfinished_digest);
	RUN(test_sha256_hashes_bytes_past_a_nul);
	RUN(test_hmac_sha256_rfc4231_case_1);
	RUN(test_hmac_sha256_rfc4231_case_2_short_key);
	RUN(test_hmac_sha256_rfc4231_case_6_key_longer_than_block);
	RUN(test_hmac_sha256_of_empty_key_and_data);
	return CHECK_EXIT();
}
