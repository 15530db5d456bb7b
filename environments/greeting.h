/*
 * greeting: what the first packet a MariaDB/MySQL server sends says about
 * TLS, read before libmariadb answers it, so a connection that must be
 * encrypted can be dropped before any login is sent (environments/connpool.c).
 *
 * Pure functions over bytes; thread-safe.
 */
#ifndef RHIZOME_GREETING_H
#define RHIZOME_GREETING_H

#include <stddef.h>

enum greeting {
	GREETING_TLS,           /* a greeting offering TLS (CLIENT_SSL) */
	GREETING_NO_TLS,        /* a greeting without it */
	GREETING_INCOMPLETE,    /* the start of a greeting: more bytes to come */
	GREETING_NOT,           /* not a greeting: an error packet (too many
				 * connections, host blocked), which the library
				 * reads and reports; or bytes after it (the
				 * library read the greeting first) */
};

/*
 * What the `n` bytes at `b`, the first a server sent on a connection, are.
 * A greeting is packet number 0 of a plausible length holding protocol
 * version 10, the server version (NUL-ended), a connection id (4 bytes),
 * 8 bytes of scramble and a filler, then the low 16 capability bits, where
 * CLIENT_SSL (0x0800) is.
 */
enum greeting greeting_parse(const unsigned char *b, size_t n);

#endif
