/*
 * base64: RFC 4648 encoding (with padding), for bytes that JSON cannot carry
 * as text: a fetched body that is not UTF-8, and later binary columns.
 */
#ifndef RHIZOME_BASE64_H
#define RHIZOME_BASE64_H

#include <stddef.h>

/* Encode len bytes; returns a malloc'd NUL-terminated string (caller frees).
 * Aborts on allocation failure. Thread-safe. */
char *base64_encode(const void *data, size_t len);

#endif
