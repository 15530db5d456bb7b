/*
 * sha256: the content checksums of the run history (FIPS 180-4), so a
 * manifest can vouch for each compressed file and each line for its body.
 */
#ifndef RHIZOME_SHA256_H
#define RHIZOME_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct sha256 {
	uint32_t h[8];
	uint64_t bytes;
	unsigned char block[64];
	size_t fill;
};

/* Start, feed and finish a digest. One owner per struct; thread-safe. */
void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t len);
/* Write the digest as 64 lowercase hex digits and a NUL into hex[65]. */
void sha256_final_hex(struct sha256 *s, char hex[65]);

/* Write the raw 32-byte digest into out. */
void sha256_final(struct sha256 *s, unsigned char out[32]);

/* HMAC-SHA256 (RFC 2104) of data under key, raw. Thread-safe. */
void sha256_hmac(const void *key, size_t keylen, const void *data,
		 size_t len, unsigned char out[32]);

/* One-shot digest of a buffer, as hex. Thread-safe. */
void sha256_hex(const void *data, size_t len, char hex[65]);

#endif
