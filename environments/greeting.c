/*
 * Reads the MySQL protocol's initial handshake packet (protocol 10) just far
 * enough to find the capability bits.
 */
#include "environments/greeting.h"

#include <string.h>

#define CLIENT_SSL_FLAG 0x0800u
/* A greeting is some 80 to 130 bytes; anything this long is not one. */
#define MAX_GREETING 1024u

enum greeting greeting_parse(const unsigned char *b, size_t n)
{
	size_t len, end, off;
	const unsigned char *nul;

	if (n < 4)
		return GREETING_INCOMPLETE;
	len = (size_t)b[0] | (size_t)b[1] << 8 | (size_t)b[2] << 16;
	/* packet number 0; long enough for the fields up to the capabilities */
	if (b[3] != 0 || len < 1 + 1 + 4 + 8 + 1 + 2 || len > MAX_GREETING)
		return GREETING_NOT;
	if (n < 5)
		return GREETING_INCOMPLETE;
	if (b[4] != 10)
		return GREETING_NOT;
	end = 4 + len;
	if (n > end)
		n = end;
	nul = memchr(b + 5, '\0', n - 5);
	if (nul == NULL)
		return n == end ? GREETING_NOT : GREETING_INCOMPLETE;
	off = (size_t)(nul - b) + 1 + 4 + 8 + 1;
	if (off + 2 > end)
		return GREETING_NOT;
	if (off + 2 > n)
		return GREETING_INCOMPLETE;
	return ((unsigned)b[off] | (unsigned)b[off + 1] << 8) & CLIENT_SSL_FLAG
		       ? GREETING_TLS : GREETING_NO_TLS;
}
