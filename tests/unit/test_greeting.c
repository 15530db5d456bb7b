/*
 * environments/greeting: a server greeting told from what may come instead
 * (an error packet, a partial read, the library's later traffic), and
 * CLIENT_SSL read at the right place.
 */
#include <string.h>

#include "environments/greeting.h"
#include "check.h"

/* A protocol-10 greeting for server version `version`, capabilities
 * `caps` (low 16 bits), into buf; returns its length. */
static size_t make_greeting(unsigned char *buf, const char *version,
			    unsigned caps)
{
	size_t off = 4, len;

	buf[off++] = 10;
	memcpy(buf + off, version, strlen(version) + 1);
	off += strlen(version) + 1;
	memset(buf + off, 7, 4 + 8);  /* connection id, scramble part 1 */
	off += 12;
	buf[off++] = 0;               /* filler */
	buf[off++] = (unsigned char)(caps & 0xff);
	buf[off++] = (unsigned char)(caps >> 8);
	memset(buf + off, 0, 16);     /* charset, status, upper caps, ... */
	off += 16;
	len = off - 4;
	buf[0] = (unsigned char)len;
	buf[1] = (unsigned char)(len >> 8);
	buf[2] = 0;
	buf[3] = 0;
	return off;
}

static void test_greeting_tells_tls_from_none(void)
{
	unsigned char b[200];
	size_t n;

	n = make_greeting(b, "10.11.19-MariaDB-0+deb12u1", 0xffff);
	ASSERT_EQ(greeting_parse(b, n), GREETING_TLS);
	n = make_greeting(b, "10.11.19-MariaDB-0+deb12u1", 0xffff & ~0x0800u);
	ASSERT_EQ(greeting_parse(b, n), GREETING_NO_TLS);
	/* the capability bits are found after a version of any length */
	n = make_greeting(b, "5.5.5-10.6.12-MariaDB-log-with-a-long-suffix", 0x0800);
	ASSERT_EQ(greeting_parse(b, n), GREETING_TLS);
	n = make_greeting(b, "", 0);
	ASSERT_EQ(greeting_parse(b, n), GREETING_NO_TLS);
}

/* Every prefix of a greeting short of its capability bits is incomplete:
 * a greeting split across TCP segments must not pass as "cannot tell". */
static void test_greeting_split_anywhere_is_incomplete(void)
{
	unsigned char b[200];
	size_t n = make_greeting(b, "11.4.2-MariaDB", 0), cut;
	size_t caps_end = 4 + 1 + strlen("11.4.2-MariaDB") + 1 + 13 + 2;

	for (cut = 0; cut < caps_end; cut++)
		ASSERT_EQ(greeting_parse(b, cut), GREETING_INCOMPLETE);
	for (cut = caps_end; cut <= n; cut++)
		ASSERT_EQ(greeting_parse(b, cut), GREETING_NO_TLS);
}

static void test_greeting_other_packets_are_not_greetings(void)
{
	/* ERR packet as the first packet: 1040 Too many connections */
	static const unsigned char err[] = { 0x17, 0, 0, 0, 0xff, 0x10, 0x04,
		'T', 'o', 'o', ' ', 'm', 'a', 'n', 'y', ' ', 'c', 'o', 'n', 'n',
		'e', 'c', 't', 'i', 'o', 'n', 's' };
	/* the server's OK to a login (packet 2): the library read first */
	static const unsigned char ok[] = { 7, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0 };
	/* a TLS record whose length's low byte happens to be 10 */
	static const unsigned char tls[] = { 0x16, 0x03, 0x03, 0x00, 0x0a, 1, 2 };
	unsigned char b[200];
	size_t n = make_greeting(b, "10.11.19", 0x0800);

	ASSERT_EQ(greeting_parse(err, sizeof(err)), GREETING_NOT);
	ASSERT_EQ(greeting_parse(ok, sizeof(ok)), GREETING_NOT);
	ASSERT_EQ(greeting_parse(tls, sizeof(tls)), GREETING_NOT);
	/* protocol 9 */
	b[4] = 9;
	ASSERT_EQ(greeting_parse(b, n), GREETING_NOT);
	/* a version string that never ends inside its packet */
	n = make_greeting(b, "10.11.19", 0x0800);
	memset(b + 5, 'x', n - 5);
	ASSERT_EQ(greeting_parse(b, n), GREETING_NOT);
}

int main(int argc, char **argv)
{
	CHECK_INIT(argc, argv);
	RUN(test_greeting_tells_tls_from_none);
	RUN(test_greeting_split_anywhere_is_incomplete);
	RUN(test_greeting_other_packets_are_not_greetings);
	return CHECK_EXIT();
}
