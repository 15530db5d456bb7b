/*
 * The digests come from libcrypto: one-shot ones through EVP_Digest, HMAC
 * through HMAC(), a digest fed in pieces through an EVP_MD_CTX, all with
 * EVP_sha256().
 */
#include "engine/base/sha256.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

/* libcrypto failed: say what, with its own reason, and stop (sha256.h). */
static void crypto_failed(const char *what)
{
	unsigned long e = ERR_get_error();
	char reason[256] = "no reason given";

	if (e != 0)
		ERR_error_string_n(e, reason, sizeof(reason));
	fprintf(stderr, "rhizome: libcrypto: %s failed: %s\n", what, reason);
	abort();
}

static void to_hex(const unsigned char raw[32], char hex[65])
{
	static const char digits[] = "0123456789abcdef";
	int i;

	for (i = 0; i < 32; i++) {
		hex[2 * i] = digits[raw[i] >> 4];
		hex[2 * i + 1] = digits[raw[i] & 15];
	}
	hex[64] = '\0';
}

void sha256_init(struct sha256 *s)
{
	if (s->ctx == NULL && (s->ctx = EVP_MD_CTX_new()) == NULL)
		crypto_failed("EVP_MD_CTX_new");
	if (EVP_DigestInit_ex(s->ctx, EVP_sha256(), NULL) != 1)
		crypto_failed("EVP_DigestInit_ex");
}

void sha256_release(struct sha256 *s)
{
	EVP_MD_CTX_free(s->ctx);
	s->ctx = NULL;
}

void sha256_update(struct sha256 *s, const void *data, size_t len)
{
	if (len > 0 && EVP_DigestUpdate(s->ctx, data, len) != 1)
		crypto_failed("EVP_DigestUpdate");
}

static void sha256_final(struct sha256 *s, unsigned char out[32])
{
	unsigned int n = 0;

	if (EVP_DigestFinal_ex(s->ctx, out, &n) != 1 || n != 32)
		crypto_failed("EVP_DigestFinal_ex");
}

void sha256_final_hex(struct sha256 *s, char hex[65])
{
	unsigned char raw[32];

	sha256_final(s, raw);
	to_hex(raw, hex);
}

/* The one-shot digest of a buffer, raw. */
static void digest(const void *data, size_t len, unsigned char out[32])
{
	unsigned int n = 0;

	if (EVP_Digest(data, len, out, &n, EVP_sha256(), NULL) != 1)
		crypto_failed("EVP_Digest");
	if (n != 32)
		crypto_failed("EVP_Digest's length");
}

void sha256_hmac(const void *key, size_t keylen, const void *data,
		 size_t len, unsigned char out[32])
{
	static const unsigned char no_key[1];
	unsigned char hashed_key[32];
	unsigned int n = 0;

	/* HMAC() takes an int length. A key longer than the block is hashed
	 * first anyway (RFC 2104), so doing it here for one too long for an
	 * int gives the same MAC. */
	if (keylen > INT_MAX) {
		digest(key, keylen, hashed_key);
		key = hashed_key;
		keylen = sizeof(hashed_key);
	}
	if (keylen == 0)
		key = no_key; /* some libcrypto paths refuse NULL even as "" */
	if (HMAC(EVP_sha256(), key, (int)keylen, data, len, out, &n) == NULL)
		crypto_failed("HMAC");
	if (n != 32)
		crypto_failed("HMAC's length");
}

void sha256_hex(const void *data, size_t len, char hex[65])
{
	unsigned char raw[32];

	digest(data, len, raw);
	to_hex(raw, hex);
}
