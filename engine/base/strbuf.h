/*
 * strbuf: a growable byte buffer, always NUL-terminated, for building SQL,
 * JSON lines and file contents without fixed limits.
 * Functions abort on allocation failure (engine/base/alloc.h): there is no
 * useful way to go on. A buffer has one owner; different buffers are
 * thread-safe.
 */
#ifndef RHIZOME_STRBUF_H
#define RHIZOME_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

struct strbuf {
	char *data;     /* owned; NULL until the first append */
	size_t len;
	size_t cap;
};

#define STRBUF_INIT { NULL, 0, 0 }

/* Append `len` bytes. Not thread-safe: one owner per buffer. */
void strbuf_add(struct strbuf *sb, const void *data, size_t len);
/* Append a NUL-terminated string (borrowed). */
void strbuf_adds(struct strbuf *sb, const char *s);
/* Append printf-style (nothing when the format cannot be rendered). */
void strbuf_addf(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* strbuf_addf of a va_list (ap is used up). */
void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
/* Append `s` for a terminal or a comment line: bytes from 0x20 on (UTF-8
 * included) as they are, control characters, DEL and the backslash as \xNN, so
 * a name from a server cannot break a line. */
void strbuf_add_escaped(struct strbuf *sb, const char *s);
/* Forget the contents, keep the memory. */
void strbuf_reset(struct strbuf *sb);
/* Free the memory; the buffer is then empty and reusable. */
void strbuf_release(struct strbuf *sb);
/* Hand the contents over (caller frees; never NULL) and empty the buffer. */
char *strbuf_detach(struct strbuf *sb, size_t *len);

#endif
