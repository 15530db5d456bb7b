/*
 * Unit tests of engine/mask: the keyed pseudonym keeps the shape of a value
 * (length, digit/lower/upper classes, every other byte, a non-zero leading
 * digit) but never the value itself, and is the same for the same key;
 * which column names look sensitive; which [mask] rule covers a column
 * (the first in file order, each part a glob). The rules come from a real
 * config file loaded with config_load, as the tool reads them.
 */
#include <stdlib.h>
#include <string.h>

#include "engine/base/jsontext.h"
#include "engine/rows/mask.h"
#include "check.h"
#include "testutil.h"
#include "engine/base/utf8.h"

static const char key[] = "unit-test-mask-key";
static const char other_key[] = "unit-test-mask-key2";

/* mask_hash of a NUL-terminated input into out (len + 1 bytes, NUL-ended),
 * with guard bytes after it that must stay untouched. */
static void hash_str(const char *k, const char *in, char *out,
		     enum mask_kind binary)
{
	size_t len = strlen(in);

	memset(out, '#', len + 4);
	mask_hash(k, strlen(k), in, len, out, binary);
	if (memcmp(out + len, "####", 4) != 0)
		CHECK_FAIL("mask_hash(\"%s\") wrote past its %zu bytes", in, len);
	out[len] = '\0';
}

static int is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
static int is_lower(unsigned char c) { return c >= 'a' && c <= 'z'; }
static int is_upper(unsigned char c) { return c >= 'A' && c <= 'Z'; }

/* Byte by byte: digit -> digit, lower -> lower, upper -> upper; a UTF-8
 * lead byte and all but the last continuation byte unchanged (the
 * character stays in its block of 64), the last one still a continuation
 * byte; ASCII punctuation unchanged. */
static void check_shape(const char *in, const char *out)
{
	size_t i;

	ASSERT_EQ(strlen(out), strlen(in));
	for (i = 0; in[i] != '\0'; i++) {
		unsigned char a = (unsigned char)in[i], b = (unsigned char)out[i];
		int last_continuation = (a & 0xc0) == 0x80 &&
			((unsigned char)in[i + 1] & 0xc0) != 0x80;

		if (is_digit(a) ? !is_digit(b) :
		    is_lower(a) ? !is_lower(b) :
		    is_upper(a) ? !is_upper(b) :
		    last_continuation ? (b & 0xc0) != 0x80 : a != b)
			CHECK_FAIL("\"%s\" -> \"%s\": byte %zu 0x%02x became 0x%02x",
				   in, out, i, a, b);
	}
}

/* ---- mask_hash --------------------------------------------------------------- */

static void test_mask_hash_is_deterministic_for_same_key_and_input(void)
{
	static const char *const inputs[] = {
		"alice@example.com", "4111111111111111", "7", "x",
		"550e8400-e29b-41d4-a716-446655440000", "Jos\xc3\xa9 M\xc3\xbcller",
	};
	char a[64], b[64];
	size_t i;

	for (i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		hash_str(key, inputs[i], a, 0);
		hash_str(key, inputs[i], b, 0);
		ASSERT_STR_EQ(a, b);
		hash_str(key, inputs[i], a, 1);
		hash_str(key, inputs[i], b, 1);
		ASSERT_EQ(memcmp(a, b, strlen(inputs[i])), 0);
	}
}

static void test_mask_hash_differs_under_another_key(void)
{
	static const char *const inputs[] = {
		"alice@example.com", "4111111111111111",
		"550e8400-e29b-41d4-a716-446655440000", "Bob Smith",
	};
	char a[64], b[64];
	size_t i;

	for (i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		hash_str(key, inputs[i], a, 0);
		hash_str(other_key, inputs[i], b, 0);
		if (strcmp(a, b) == 0)
			CHECK_FAIL("\"%s\" -> \"%s\" under both keys", inputs[i], a);
		hash_str(key, inputs[i], a, 1);
		hash_str(other_key, inputs[i], b, 1);
		ASSERT_TRUE(memcmp(a, b, strlen(inputs[i])) != 0);
	}
}

/* A small deterministic generator (xorshift32), so a failure reproduces. */
static unsigned rng_state = 0x2545f491u;

static unsigned rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

static void test_mask_hash_never_returns_input_with_letters_or_digits(void)
{
	static const char alphabet[] =
		"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		"@.-_ :/+";
	char in[32], out[40];
	int n = 0, c, len, i;

	/* single digits and single letters: the one-in-ten (one-in-26)
	 * chance of a fixed point must be retried away */
	for (c = '0'; c <= '9'; c++, n++) {
		in[0] = (char)c;
		in[1] = '\0';
		hash_str(key, in, out, 0);
		if (strcmp(in, out) == 0)
			CHECK_FAIL("\"%s\" masked to itself", in);
		check_shape(in, out);
	}
	for (c = 0; c < 26; c++, n += 2) {
		in[0] = (char)('a' + c);
		in[1] = '\0';
		hash_str(key, in, out, 0);
		if (strcmp(in, out) == 0)
			CHECK_FAIL("\"%s\" masked to itself", in);
		check_shape(in, out);
		in[0] = (char)('A' + c);
		hash_str(key, in, out, 0);
		if (strcmp(in, out) == 0)
			CHECK_FAIL("\"%s\" masked to itself", in);
		check_shape(in, out);
	}
	/* then short strings, each with at least one letter or digit */
	while (n < 2000) {
		len = 1 + (int)(rng() % 12);
		for (i = 0; i < len; i++)
			in[i] = alphabet[rng() % (sizeof(alphabet) - 1)];
		in[rng() % (unsigned)len] = alphabet[rng() % 62];
		in[len] = '\0';
		hash_str(key, in, out, 0);
		if (strcmp(in, out) == 0)
			CHECK_FAIL("\"%s\" masked to itself (input %d)", in, n);
		check_shape(in, out);
		n++;
	}
	ASSERT_EQ(n, 2000);
}

static void test_mask_hash_keeps_length_and_character_classes(void)
{
	static const char *const inputs[] = {
		"alice.smith-99@example.com",
		"550e8400-e29b-41d4-a716-446655440000",
		"+1 (555) 010-9999",
		"Jos\xc3\xa9 M\xc3\xbcller",           /* UTF-8: é, ü */
		"caf\xc3\xa9",
		"\xc3\xa9",                            /* é alone */
		"Main St. 12, Apt 3B",
		"a",
		"Z",
		"2024-01-31 23:59:59",
	};
	char out[64];
	size_t i;

	for (i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		hash_str(key, inputs[i], out, 0);
		check_shape(inputs[i], out);
	}
	/* é stays a two-byte character of its block, the separators stay */
	hash_str(key, "Jos\xc3\xa9 M\xc3\xbcller", out, 0);
	ASSERT_EQ((unsigned char)out[3], 0xc3);
	ASSERT_EQ((unsigned char)out[4] & 0xc0, 0x80);
	ASSERT_EQ(out[5], ' ');
	hash_str(key, "alice.smith-99@example.com", out, 0);
	ASSERT_EQ(out[5], '.');
	ASSERT_EQ(out[11], '-');
	ASSERT_EQ(out[14], '@');
	ASSERT_TRUE(strchr(out, '@') == out + 14);
}

static void test_mask_hash_with_nothing_to_replace_keeps_the_value(void)
{
	char out[16];

	hash_str(key, "@.- ", out, 0);
	ASSERT_STR_EQ(out, "@.- ");
	hash_str(key, "", out, 0);
	ASSERT_STR_EQ(out, "");
}

static void test_mask_hash_changes_letters_of_other_scripts(void)
{
	/* "Ольга" in Cyrillic, "山田" in CJK: no ASCII letter to change, and
	 * still no name may pass through */
	static const char *const names[] = {
		"\xd0\x9e\xd0\xbb\xd1\x8c\xd0\xb3\xd0\xb0",
		"\xe5\xb1\xb1\xe7\x94\xb0", "\xc3\xa9",
	};
	char out[32];
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		hash_str(key, names[i], out, 0);
		ASSERT_TRUE(strcmp(out, names[i]) != 0);
		check_shape(names[i], out);
		ASSERT_TRUE(utf8_valid(out, strlen(out)));
	}
}

/* Bytes that are no well-formed character (a stray continuation byte, a
 * cut sequence, an overlong form, a surrogate) are masked too, never
 * copied: masking must not fail open on text the validator refuses. */
static void test_mask_hash_masks_bytes_of_no_character(void)
{
	static const char *const bad[] = {
		"\x80\x81\x82\x83", "ab\xc3", "\xe0\x80\xaf\xe0\x80\xaf",
		"\xed\xa0\x80\xed\xa0\x81",
	};
	char out[32];
	size_t i, j, same;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t len = strlen(bad[i]);

		hash_str(key, bad[i], out, MASK_TEXT);
		for (j = same = 0; j < len; j++)
			same += out[j] == bad[i][j];
		/* each high byte has 1 chance in 64 to come out the same */
		ASSERT_TRUE(same < len);
		for (j = 0; j < len; j++)
			if ((unsigned char)bad[i][j] >= 0x80)
				ASSERT_TRUE((unsigned char)out[j] >= 0x80 &&
					    (unsigned char)out[j] < 0xc0);
	}
}

static void test_mask_hash_long_values_cost_linear_time(void)
{
	/* a MEDIUMBLOB-sized value: quadratic hashing would take minutes */
	size_t len = 4 << 20, i;
	char *in = malloc(len), *out = malloc(len);
	double t0 = now_seconds();

	for (i = 0; i < len; i++)
		in[i] = (char)('a' + i % 26);
	mask_hash(key, strlen(key), in, len, out, MASK_TEXT);
	ASSERT_TRUE(memcmp(in, out, len) != 0);
	/* a bound for hangs, not a speed measurement: about 0.2 s here */
	ASSERT_TRUE(now_seconds() - t0 < 30);
	free(in);
	free(out);
}

static void test_mask_hash_leading_nonzero_digit_stays_nonzero(void)
{
	static const char *const inputs[] = {
		"1", "2", "3", "4", "5", "6", "7", "8", "9", "12345",
		"900", "-42", "31.5",
	};
	char k[32], out[16];
	size_t i;
	int j;

	/* many keys, so a '0' that slips through once in ten would show */
	for (j = 0; j < 200; j++) {
		snprintf(k, sizeof(k), "key-%d", j);
		for (i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
			const char *in = inputs[i];
			size_t d = strcspn(in, "0123456789");

			hash_str(k, in, out, 0);
			check_shape(in, out);
			if (out[d] == '0')
				CHECK_FAIL("\"%s\" -> \"%s\" under \"%s\": leading "
					   "digit became 0", in, out, k);
		}
	}
}

static void test_mask_hash_binary_changes_every_byte(void)
{
	unsigned char in[512], out[512 + 4], again[512];
	size_t i;

	for (i = 0; i < sizeof(in); i++)
		in[i] = (unsigned char)(i % 256); /* 0x00..0xff, twice */
	memset(out, '#', sizeof(out));
	mask_hash(key, sizeof(key) - 1, (const char *)in, sizeof(in),
		  (char *)out, 1);
	ASSERT_EQ(memcmp(out + sizeof(in), "####", 4), 0);
	for (i = 0; i < sizeof(in); i++)
		if (out[i] == in[i])
			CHECK_FAIL("binary byte %zu (0x%02x) unchanged", i, in[i]);
	mask_hash(key, sizeof(key) - 1, (const char *)in, sizeof(in),
		  (char *)again, 1);
	ASSERT_EQ(memcmp(out, again, sizeof(in)), 0);

	/* short values and text bytes too: every byte, whatever its class */
	{
		char o[16];

		hash_str(key, "@.- \xc3\xa9", o, 1);
		for (i = 0; i < 6; i++)
			ASSERT_NE((unsigned char)o[i],
				  (unsigned char)"@.- \xc3\xa9"[i]);
		hash_str(key, "\x01", o, 1);
		ASSERT_NE((unsigned char)o[0], 0x01);
	}
}

/* ---- mask_looks_sensitive ---------------------------------------------------- */

static void test_mask_looks_sensitive_truth_table(void)
{
	static const struct {
		const char *column;
		int sensitive;
	} rows[] = {
		{ "email", 1 },
		{ "contact_email", 1 },
		{ "PHONE_number", 1 },
		{ "first_name", 1 },
		{ "iban", 1 },
		{ "card_number", 1 },
		{ "api_token", 1 },
		{ "id", 0 },
		{ "amount", 0 },
		{ "created_at", 0 },
		{ "status", 0 },
		{ "currency", 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		if ((mask_looks_sensitive(rows[i].column) != 0) != rows[i].sensitive)
			CHECK_FAIL("mask_looks_sensitive(\"%s\") should be %d",
				   rows[i].column, rows[i].sensitive);
}

static void test_mask_looks_sensitive_reads_the_first_255_bytes_of_a_long_name(void)
{
	char name[400];

	/* a name of exactly 255 bytes ending in the word: seen */
	memset(name, 'x', sizeof(name));
	memcpy(name + 255 - 5, "email", 5);
	name[255] = '\0';
	ASSERT_EQ(mask_looks_sensitive(name), 1);
	/* the word starting past byte 255 of a longer name: not looked at */
	memset(name, 'x', sizeof(name));
	memcpy(name + 300, "email", 5);
	name[399] = '\0';
	ASSERT_EQ(mask_looks_sensitive(name), 0);
	/* cut at 255 bytes mid-word: the prefix does not match */
	memset(name, 'x', sizeof(name));
	memcpy(name + 252, "email", 5);
	name[399] = '\0';
	ASSERT_EQ(mask_looks_sensitive(name), 0);
}

/* ---- mask_match ---------------------------------------------------------------- */

static char *scratch;
static struct fleet_config cfg;

static const char mask_config[] =
	"[mask]\n"                                      /* 1 */
	"key-env = K\n"                                 /* 2 */
	"*uuid = hash\n"                                /* 3 */
	"billing_address.* = null\n"                    /* 4 */
	"billing.invoice.note = constant:X\n"           /* 5 */
	"email = hash\n"                                /* 6 */
	"billing.invoice.email = constant:Y\n"          /* 7: never wins */
	"[tables db]\n"
	"tables = t billing_address\n"
	"[environment e]\n"
	"folder = f\n"
	"database = db\n";

static void load_mask_config(void)
{
	struct config_error err;
	char *path = path_join(scratch, "rhizome.cnf");

	config_release(&cfg);
	if (file_put_str(path, mask_config) != 0)
		abort();
	if (config_load(path, &cfg, &err) != 0) {
		free(path);
		CHECK_FAIL("config_load: line %d key '%s': %s", err.line,
			   err.key, err.message);
	}
	free(path);
	ASSERT_EQ(cfg.nmask_rules, 5);
}

/* mask_match's rule, by its line in mask_config (0 = none). */
static int match_line(const char *d, const char *t, const char *c)
{
	const struct mask_rule *r = mask_match(&cfg, d, t, c);

	return r ? r->line : 0;
}

static void test_mask_match_column_pattern_matches_any_table(void)
{
	load_mask_config();
	ASSERT_EQ(match_line("db", "t", "email"), 6);
	ASSERT_EQ(match_line("other", "users", "email"), 6);
	/* a glob matches the whole name, not a part of it */
	ASSERT_EQ(match_line("db", "t", "email_verified"), 0);
	ASSERT_EQ(match_line("db", "t", "contact_email"), 0);
	ASSERT_EQ(match_line("db", "t", "id"), 0);
}

static void test_mask_match_glob_on_column(void)
{
	load_mask_config();
	ASSERT_EQ(match_line("db", "t", "uuid"), 3);
	ASSERT_EQ(match_line("db", "t", "order_uuid"), 3);
	ASSERT_EQ(match_line("x", "y", "customeruuid"), 3);
	ASSERT_EQ(match_line("db", "t", "uuid_v4"), 0);
	ASSERT_TRUE(mask_match(&cfg, "db", "t", "order_uuid")->method == MASK_HASH);
}

static void test_mask_match_table_column_pattern_with_glob(void)
{
	const struct mask_rule *r;

	load_mask_config();
	r = mask_match(&cfg, "db", "billing_address", "street");
	ASSERT_TRUE(r != NULL);
	ASSERT_EQ(r->line, 4);
	ASSERT_TRUE(r->method == MASK_NULL);
	ASSERT_EQ(match_line("any_db", "billing_address", "zip"), 4);
	/* another table: not covered */
	ASSERT_EQ(match_line("db", "shipping_address", "street"), 0);
	ASSERT_EQ(match_line("db", "billing_addresses", "street"), 0);
}

static void test_mask_match_database_table_column_pattern(void)
{
	const struct mask_rule *r;

	load_mask_config();
	r = mask_match(&cfg, "billing", "invoice", "note");
	ASSERT_TRUE(r != NULL);
	ASSERT_EQ(r->line, 5);
	ASSERT_TRUE(r->method == MASK_CONSTANT);
	ASSERT_STR_EQ(r->constant, "X");
	/* another database or another table: not covered */
	ASSERT_EQ(match_line("billing2", "invoice", "note"), 0);
	ASSERT_EQ(match_line("db", "invoice", "note"), 0);
	ASSERT_EQ(match_line("billing", "receipt", "note"), 0);
	ASSERT_EQ(match_line("billing", "invoice", "notes"), 0);
}

static void test_mask_match_first_rule_in_file_order_wins(void)
{
	load_mask_config();
	/* billing_address.uuid: *uuid (line 3) before billing_address.* (4) */
	ASSERT_EQ(match_line("db", "billing_address", "uuid"), 3);
	/* billing.invoice.email: the broad 'email' (line 6) comes before the
	 * more specific rule of line 7, and file order decides */
	ASSERT_EQ(match_line("billing", "invoice", "email"), 6);
	ASSERT_TRUE(mask_match(&cfg, "billing", "invoice", "email")->method ==
		    MASK_HASH);
}

static void test_mask_match_without_rules_is_null(void)
{
	struct fleet_config empty;

	memset(&empty, 0, sizeof(empty));
	ASSERT_TRUE(mask_match(&empty, "db", "t", "email") == NULL);
}

static void test_mask_hash_number_keeps_sign_point_and_exponent(void)
{
	char out[32];

	/* a DOUBLE the server prints with an exponent stays a JSON number */
	hash_str(key, "-1.5e+20", out, MASK_NUMBER);
	ASSERT_TRUE(strcmp(out, "-1.5e+20") != 0);
	ASSERT_EQ(out[0], '-');
	ASSERT_EQ(out[2], '.');
	ASSERT_TRUE(strcmp(out + 4, "e+20") == 0); /* the magnitude stays */
	ASSERT_TRUE(is_digit((unsigned char)out[1]) && is_digit((unsigned char)out[3]));
	ASSERT_TRUE(out[1] != '0'); /* the leading digit stays non-zero */
}

static void test_mask_match_ignores_case_as_mariadb_columns_do(void)
{
	load_mask_config();
	ASSERT_EQ(match_line("db", "t", "Email"), 6);
	ASSERT_EQ(match_line("db", "t", "EMAIL"), 6);
	ASSERT_EQ(match_line("db", "t", "Account_UUID"), 3);
	ASSERT_EQ(match_line("db", "t", "CONTACT_EMAIL"), 0);
}

int main(int argc, char **argv)
{
	CHECK_INIT(argc, argv);
	scratch = scratch_dir();

	RUN(test_mask_hash_is_deterministic_for_same_key_and_input);
	RUN(test_mask_hash_differs_under_another_key);
	RUN(test_mask_hash_never_returns_input_with_letters_or_digits);
	RUN(test_mask_hash_keeps_length_and_character_classes);
	RUN(test_mask_hash_with_nothing_to_replace_keeps_the_value);
	RUN(test_mask_hash_leading_nonzero_digit_stays_nonzero);
	RUN(test_mask_hash_binary_changes_every_byte);
	RUN(test_mask_looks_sensitive_truth_table);
	RUN(test_mask_looks_sensitive_reads_the_first_255_bytes_of_a_long_name);
	RUN(test_mask_match_column_pattern_matches_any_table);
	RUN(test_mask_match_glob_on_column);
	RUN(test_mask_match_table_column_pattern_with_glob);
	RUN(test_mask_match_database_table_column_pattern);
	RUN(test_mask_match_first_rule_in_file_order_wins);
	RUN(test_mask_match_without_rules_is_null);
	RUN(test_mask_hash_number_keeps_sign_point_and_exponent);
	RUN(test_mask_hash_changes_letters_of_other_scripts);
	RUN(test_mask_hash_masks_bytes_of_no_character);
	RUN(test_mask_hash_long_values_cost_linear_time);
	RUN(test_mask_match_ignores_case_as_mariadb_columns_do);

	config_release(&cfg);
	scratch_remove(scratch);
	return CHECK_EXIT();
}
