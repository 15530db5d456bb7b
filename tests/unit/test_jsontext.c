/* base64 and jsontext: what keeps every JSON rhizome writes valid. */
#include <stdlib.h>
#include <string.h>

#include "engine/base/base64.h"
#include "engine/base/jsontext.h"
#include "check.h"
#include "engine/base/utf8.h"

static void check_b64(const char *in, size_t len, const char *want)
{
	char *got = base64_encode(in, len);

	ASSERT_STR_EQ(got, want);
	free(got);
}

static void test_base64_matches_rfc4648_vectors(void)
{
	check_b64("", 0, "");
	check_b64("f", 1, "Zg==");
	check_b64("fo", 2, "Zm8=");
	check_b64("foo", 3, "Zm9v");
	check_b64("foob", 4, "Zm9vYg==");
	check_b64("fooba", 5, "Zm9vYmE=");
	check_b64("foobar", 6, "Zm9vYmFy");
}

static void test_base64_encodes_every_byte_value(void)
{
	check_b64("\x00\xff\xfe", 3, "AP/+");
	check_b64("\xfb\xef", 2, "++8=");
}

static void test_utf8_valid_accepts_text_and_refuses_bytes(void)
{
	ASSERT_TRUE(utf8_valid("plain", 5));
	ASSERT_TRUE(utf8_valid("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 14));
	ASSERT_TRUE(!utf8_valid("\xff\x00\xc3", 3));
	ASSERT_TRUE(utf8_valid("a\0b", 3));            /* NUL is text */
	ASSERT_TRUE(!utf8_valid("\xc3", 1));           /* cut short */
	ASSERT_TRUE(!utf8_valid("\xc0\xaf", 2));       /* overlong '/' */
	ASSERT_TRUE(!utf8_valid("\xed\xa0\x80", 3));   /* surrogate */
}

static void test_jsontext_string_keeps_valid_text_as_is(void)
{
	json_t *j = jsontext_string("Table 'x.caf\xc3\xa9' doesn't exist");

	ASSERT_STR_EQ(json_string_value(j), "Table 'x.caf\xc3\xa9' doesn't exist");
	json_decref(j);
}

static void test_jsontext_string_replaces_bad_bytes_instead_of_failing(void)
{
	/* what jansson alone refuses: a message cut inside a character */
	json_t *j = jsontext_string("cut \xc3");

	ASSERT_TRUE(j != NULL);
	ASSERT_STR_EQ(json_string_value(j), "cut \xef\xbf\xbd");
	json_decref(j);
	j = jsontext_string("\xff" "ok");
	ASSERT_STR_EQ(json_string_value(j), "\xef\xbf\xbd" "ok");
	json_decref(j);
}

int main(int argc, char **argv)
{
	CHECK_INIT(argc, argv);
	RUN(test_base64_matches_rfc4648_vectors);
	RUN(test_base64_encodes_every_byte_value);
	RUN(test_utf8_valid_accepts_text_and_refuses_bytes);
	RUN(test_jsontext_string_keeps_valid_text_as_is);
	RUN(test_jsontext_string_replaces_bad_bytes_instead_of_failing);
	return CHECK_EXIT();
}
