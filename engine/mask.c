/*
 * The pseudonym is HMAC-SHA256 in counter mode over the value: block j of
 * the key stream is HMAC(key, "rhizome-mask" attempt j value). Each byte of
 * the stream picks the replacement of one input byte within its class. A
 * first digit that was not 0 stays non-zero, so integers keep their length
 * and stay integers. If the result happens to equal the input (a single
 * digit has a one-in-ten chance), the next attempt's stream is used.
 */
#include "mask.h"

#include <ctype.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "sha256.h"

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

	for (i = 0; column[i] && i < sizeof(lower) - 1; i++)
		lower[i] = (char)tolower((unsigned char)column[i]);
	lower[i] = '\0';
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strstr(lower, words[i]) != NULL)
			return 1;
	return 0;
}

/* Byte `i` of attempt `attempt`'s key stream over the value. */
static unsigned char stream_byte(const void *key, size_t keylen,
				 const char *in, size_t len,
				 unsigned attempt, size_t i,
				 unsigned char block[32], size_t *block_no)
{
	size_t want = i / 32;

	if (*block_no != want) {
		unsigned char *msg = malloc(len + 24);
		size_t n = 0;

		if (msg == NULL)
			abort();
		memcpy(msg, "rhizome-mask", 12);
		n = 12;
		msg[n++] = (unsigned char)attempt;
		msg[n++] = (unsigned char)(want >> 24);
		msg[n++] = (unsigned char)(want >> 16);
		msg[n++] = (unsigned char)(want >> 8);
		msg[n++] = (unsigned char)want;
		memcpy(msg + n, in, len);
		sha256_hmac(key, keylen, msg, n + len, block);
		free(msg);
		*block_no = want;
	}
	return block[i % 32];
}

void mask_hash(const void *key, size_t keylen, const char *in, size_t len,
	       char *out, enum mask_kind kind)
{
	unsigned char block[32];
	unsigned attempt;
	size_t i, block_no;

	for (attempt = 0; attempt < 16; attempt++) {
		int first_digit = 1;

		block_no = (size_t)-1;
		for (i = 0; i < len; i++) {
			unsigned char c = (unsigned char)in[i];
			unsigned char b = stream_byte(key, keylen, in, len,
						      attempt, i, block,
						      &block_no);

			if (kind == MASK_BYTES)
				out[i] = (char)(c ^ (b ? b : 0x5a));
			else if (c >= '0' && c <= '9') {
				if (first_digit && c != '0')
					out[i] = (char)('1' + b % 9);
				else
					out[i] = (char)('0' + b % 10);
				first_digit = 0;
			} else if (kind == MASK_NUMBER)
				out[i] = (char)c; /* sign, point, exponent */
			else if (c >= 'a' && c <= 'z')
				out[i] = (char)('a' + b % 26);
			else if (c >= 'A' && c <= 'Z')
				out[i] = (char)('A' + b % 26);
			else
				out[i] = (char)c;
		}
		if (len == 0 || memcmp(in, out, len) != 0)
			return;
	}
}
