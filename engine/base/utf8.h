/*
 * utf8: the one UTF-8 validator. Well-formed means RFC 3629: no overlong
 * encodings, nothing above U+10FFFF, no surrogates. Config names, JSON
 * strings and history bodies are all checked here, so a name the config
 * accepts can always be written into a summary.
 * Thread-safe; no allocation.
 */
#ifndef RHIZOME_UTF8_H
#define RHIZOME_UTF8_H

#include <stddef.h>

/* Length (1-4) of the well-formed sequence at s, of at most `left` (> 0)
 * bytes; 0 when the bytes there are not one. */
size_t utf8_sequence_length(const unsigned char *s, size_t left);

/* Whether s[0..len) is well-formed UTF-8 (NUL bytes included). */
int utf8_valid(const char *s, size_t len);

#endif
