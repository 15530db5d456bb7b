/*
 * base64: RFC 4648 encoding (standard alphabet, with padding, no line
 * breaks), for bytes that JSON cannot carry as text: a fetched body that is
 * not UTF-8, and binary columns. The encoding is libcrypto's.
 */
#ifndef RHIZOME_BASE64_H
#define RHIZOME_BASE64_H

#include <stddef.h>

/* Encode len bytes of data (borrowed; may be NULL when len is 0). Returns a
 * new NUL-terminated string the caller frees with free(); never NULL: on
 * exhaustion it aborts, as engine/base/alloc.h. Thread-safe. */
char *base64_encode(const void *data, size_t len);

/* Decode `text` (NUL-terminated, as base64_encode writes it). Returns 0
 * with *data (caller frees; NUL-terminated for convenience) and *len, or
 * -EINVAL when it is not such an encoding. Thread-safe. */
int base64_decode(const char *text, char **data, size_t *len);

/* Whether text[0..n) is such an encoding (what base64_decode takes), for
 * a reader that hands it on undecoded. Thread-safe. */
int base64_valid(const char *text, size_t n);

#endif
