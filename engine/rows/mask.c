/*
 * The pseudonym is HMAC-SHA256 in counter mode: a seed is the HMAC of the
 * value, block j of the key stream the HMAC of seed and j. Each byte of the
 * stream picks the replacement of one input character within its class. A
 * first digit that was not 0 stays non-zero, so integers keep their length
 * and stay integers. If the result happens to equal the input (a single
 * digit has a one-in-ten chance), the next attempt's stream is used.
 */
#include "engine/rows/mask.h"

#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/base/alloc.h"
#include "engine/base/sha256.h"
#include "engine/base/utf8.h"

/* Case-insensitive, as MariaDB column names are: a rule for "email" must
 * cover a column called "Email". */
const struct mask_rule *mask_match(const struct fleet_config *cfg,
				   const char *database, const char *table,
				   const char *column)
{
	const char *names[3] = { database, table, column };
	size_t i;
	int j;

	for (i = 0; i < cfg->nmask_rules; i++) {
		const struct mask_rule *r = &cfg->mask_rules[i];

		for (j = 0; j < 3; j++)
			if (r->parts[j] != NULL &&
			    fnmatch(r->parts[j], names[j], FNM_CASEFOLD) != 0)
				break;
		if (j == 3)
			return r;
	}
	return NULL;
}

int mask_looks_sensitive(const char *column)
{
	static const char *const words[] = {
		"email", "e_mail", "mail_address", "phone", "mobile", "fax",
		"address", "street", "zip", "postcode", "postal",
		"first_name", "last_name", "full_name", "firstname", "lastname",
		"surname", "given_name", "birth", "dob", "ssn", "social_security",
		"passport", "national_id", "tax_id", "iban", "bic", "swift",
		"account_number", "card", "cvv", "password", "passwd", "secret",
		"token", "api_key", "apikey", "ip_address", "latitude", "longitude",
	};
	char lower[256];
	size_t i;

	/* the bound first: column[i] is read only where lower[] has room */
	for (i = 0; i < sizeof(lower) - 1 && column[i]; i++)
		lower[i] = (char)tolower((unsigned char)column[i]);
	lower[i] = '\0';
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strstr(lower, words[i]) != NULL)
			return 1;
	return 0;
}

/* The key stream of one value: a seed HMAC(key, "rhizome-mask" attempt
 * value), then block j = HMAC(key, seed j). Hashing the value once keeps
 * the cost linear in its length, whatever the column (TEXT, BLOB). */
struct stream {
	const void *key;
	size_t keylen;
	unsigned char seed[32];
	unsigned char block[32];
	size_t block_no;
};

static void stream_init(struct stream *s, const void *key, size_t keylen,
			const char *in, size_t len, unsigned attempt)
{
	unsigned char *msg = xmalloc(len + 13);

	memcpy(msg, "rhizome-mask", 12);
	msg[12] = (unsigned char)attempt;
	memcpy(msg + 13, in, len);
	sha256_hmac(key, keylen, msg, len + 13, s->seed);
	free(msg);
	s->key = key;
	s->keylen = keylen;
	s->block_no = (size_t)-1;
}

static unsigned char stream_byte(struct stream *s, size_t i)
{
	size_t want = i / 32;

	if (s->block_no != want) {
		unsigned char msg[36];

		memcpy(msg, s->seed, 32);
		msg[32] = (unsigned char)(want >> 24);
		msg[33] = (unsigned char)(want >> 16);
		msg[34] = (unsigned char)(want >> 8);
		msg[35] = (unsigned char)want;
		sha256_hmac(s->key, s->keylen, msg, sizeof(msg), s->block);
		s->block_no = want;
	}
	return s->block[i % 32];
}

/* One attempt: text and numbers (see mask.h for what changes). */
static void hash_text(struct stream *s, const unsigned char *in, size_t len,
		      char *out, enum mask_kind kind)
{
	int first_digit = 1, exponent = 0;
	size_t i = 0, n;

	while (i < len) {
		unsigned char c = in[i], b = stream_byte(s, i);

		if (c >= '0' && c <= '9' && !exponent) {
			if (first_digit && c != '0')
				out[i] = (char)('1' + b % 9);
			else
				out[i] = (char)('0' + b % 10);
			first_digit = 0;
		} else if (kind == MASK_NUMBER) {
			/* sign, point and exponent stay: so does the
			 * exponent's value, or 1e308 could become inf */
			exponent |= c == 'e' || c == 'E';
			out[i] = (char)c;
		} else if (c >= 'a' && c <= 'z') {
			out[i] = (char)('a' + b % 26);
		} else if (c >= 'A' && c <= 'Z') {
			out[i] = (char)('A' + b % 26);
		} else if (c >= 0x80 &&
			   (n = utf8_sequence_length(in + i, len - i)) > 1) {
			/* Any other script: a character of the same length
			 * from the same block of 64 code points (the last
			 * continuation byte's six bits), so Cyrillic stays
			 * Cyrillic, CJK stays CJK, and UTF-8 stays valid. */
			memcpy(out + i, in + i, n);
			out[i + n - 1] = (char)(0x80 | (b & 0x3f));
			i += n;
			continue;
		} else if (c >= 0x80) {
			/* A byte of no well-formed character: masked too
			 * (a stray byte, of no script), never copied. */
			out[i] = (char)(0x80 | (b & 0x3f));
		} else {
			out[i] = (char)c;
		}
		i++;
	}
}

void mask_hash(const void *key, size_t keylen, const char *in, size_t len,
	       char *out, enum mask_kind kind)
{
	struct stream s;
	unsigned attempt;
	size_t i;

	for (attempt = 0; attempt < 16; attempt++) {
		stream_init(&s, key, keylen, in, len, attempt);
		if (kind == MASK_BYTES) {
			for (i = 0; i < len; i++) {
				unsigned char b = stream_byte(&s, i);

				out[i] = (char)((unsigned char)in[i] ^ (b ? b : 0x5a));
			}
		} else {
			hash_text(&s, (const unsigned char *)in, len, out, kind);
		}
		if (len == 0 || memcmp(in, out, len) != 0)
			return;
	}
}

/* "hash (rhizome.cnf:12)", "not masked". */
static void rule_words(const struct mask_rule *r, const struct fleet_config *cfg,
		       char *buf, size_t size)
{
	static const char *const names[] = {
		[MASK_NONE] = "none", [MASK_HASH] = "hash", [MASK_NULL] = "null",
		[MASK_CONSTANT] = "constant",
	};

	if (r == NULL)
		snprintf(buf, size, "not masked");
	else
		snprintf(buf, size, "masked by %s (%s:%d: %s)", names[r->method],
			 cfg->path, r->line, r->pattern);
}

int mask_key_check(const struct fleet_config *cfg, const struct env_config *env,
		   const char *table, const char *col, const char *ref_table,
		   const char *ref_col, char *msg, size_t size)
{
	const struct mask_rule *a, *b;
	char aw[300], bw[300];

	if (env->mask == MASK_OFF)
		return 0;
	a = mask_match(cfg, env->database, table, col);
	b = mask_match(cfg, env->database, ref_table, ref_col);
	if (a != NULL && a->method == MASK_NONE)
		a = NULL;
	if (b != NULL && b->method == MASK_NONE)
		b = NULL;
	if ((a == NULL || a->method == MASK_HASH) &&
	    (b == NULL || b->method == MASK_HASH) && (a == NULL) == (b == NULL))
		return 0;
	rule_words(a, cfg, aw, sizeof(aw));
	rule_words(b, cfg, bw, sizeof(bw));
	snprintf(msg, size, "environment %s: the key `%s`.`%s` -> `%s`.`%s` "
		 "would not line up: `%s`.`%s` is %s, `%s`.`%s` is %s (a key "
		 "column may only be hashed, and on both sides)", env->name,
		 table, col, ref_table, ref_col, table, col, aw, ref_table,
		 ref_col, bw);
	return -EINVAL;
}

int mask_plan_columns(const struct fleet_config *cfg,
		      const struct env_config *env, const char *table,
		      const MYSQL_FIELD *fields, unsigned n,
		      struct rowjson_column *cols, struct strbuf *why,
		      struct strbuf *lines)
{
	struct strbuf names = STRBUF_INIT;
	unsigned i, uncovered = 0;

	for (i = 0; i < n; i++) {
		const struct mask_rule *rule = env->mask == MASK_OFF ? NULL
			: mask_match(cfg, env->database, table, fields[i].name);

		cols[i].method = rule ? rule->method : MASK_NONE;
		cols[i].constant = rule ? rule->constant : NULL;
		if (rule == NULL && env->mask == MASK_REQUIRED &&
		    mask_looks_sensitive(fields[i].name)) {
			strbuf_addf(&names, "%s`%s`", uncovered ? ", " : "",
				    fields[i].name);
			strbuf_addf(lines, "%s'%s.%s = hash'", uncovered ? ", " : "",
				    table, fields[i].name);
			uncovered++;
		}
	}
	if (uncovered > 0)
		strbuf_addf(why, "refused: column%s %s look%s sensitive and no "
			    "[mask] rule covers %s, and environment %s requires "
			    "masking (add e.g. %s)", uncovered > 1 ? "s" : "",
			    names.data, uncovered > 1 ? "" : "s",
			    uncovered > 1 ? "them" : "it", env->name, lines->data);
	strbuf_release(&names);
	return uncovered > 0 ? -EPERM : 0;
}
