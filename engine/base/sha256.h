/*
 * sha256: SHA-256 (FIPS 180-4) and HMAC-SHA256 (RFC 2104), computed by
 * OpenSSL's libcrypto. The run history's content checksums (a manifest
 * vouches for each compressed file, each line for its body) and the
 * masking pseudonyms' keyed stream (engine/rows/mask.c) are built on it.
 *
 * libcrypto fails only when it is broken (no SHA-256 in its default
 * provider) or out of memory; as for memory (engine/base/alloc.h) there is
 * no useful way on, so these functions print "rhizome: libcrypto: ..." and
 * abort rather than return an error.
 */
#ifndef RHIZOME_SHA256_H
#define RHIZOME_SHA256_H

#include <stddef.h>

#include <openssl/evp.h>

/* A digest in progress. Zeroed (SHA256_INIT, or calloc'd) before its first
 * sha256_init; it holds a libcrypto context from then on, until
 * sha256_release, finished or not. */
struct sha256 {
	EVP_MD_CTX *ctx;        /* owned; NULL until the first sha256_init */
};

#define SHA256_INIT { NULL }

/* Start (or restart, whatever its state) a digest. One owner per struct;
 * different structs may be used on different threads at once. */
void sha256_init(struct sha256 *s);
/* Free the context; the struct is then as SHA256_INIT left it. */
void sha256_release(struct sha256 *s);
/* Feed len bytes of data (borrowed; may be NULL when len is 0). */
void sha256_update(struct sha256 *s, const void *data, size_t len);
/* Write the digest as 64 lowercase hex digits and a NUL into hex[65]. The
 * digest is then finished: sha256_init it before feeding it again. */
void sha256_final_hex(struct sha256 *s, char hex[65]);

/* HMAC-SHA256 (RFC 2104) of data under key, raw, into out. key and data are
 * borrowed (either may be NULL when its length is 0). Thread-safe. */
void sha256_hmac(const void *key, size_t keylen, const void *data,
		 size_t len, unsigned char out[32]);

/* One-shot digest of len bytes of data (borrowed), as hex into hex[65].
 * Thread-safe. */
void sha256_hex(const void *data, size_t len, char hex[65]);

#endif
