/*
 * EVP_EncodeBlock does the work: one line of output, no newlines (unlike
 * EVP_EncodeUpdate, which breaks lines every 64 characters). It takes an int
 * length, so a larger input goes in pieces of whole 3-byte groups, whose
 * encodings simply follow one another.
 */
#include "engine/base/base64.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>

#include <openssl/evp.h>

#include "engine/base/alloc.h"

/* 768 MiB in, 1 GiB out: both fit an int. A multiple of 3. */
#define PIECE ((size_t)3 << 28)

/* Characters that encode n bytes. */
static size_t encoded_len(size_t n)
{
	return (n / 3 + (n % 3 != 0)) * 4;
}

char *base64_encode(const void *data, size_t len)
{
	const unsigned char *in = data;
	/* At most len / 3 + 1 groups of 4, and one more for the NUL; xcalloc
	 * checks the product for overflow. */
	char *out = xcalloc(len / 3 + 2, 4), *o = out;
	size_t done = 0;

	while (done < len) {
		size_t n = len - done < PIECE ? len - done : PIECE;
		int wrote = EVP_EncodeBlock((unsigned char *)o, in + done, (int)n);

		if (wrote < 0 || (size_t)wrote != encoded_len(n)) {
			fprintf(stderr, "rhizome: libcrypto: EVP_EncodeBlock "
				"wrote %d characters for %zu bytes\n", wrote, n);
			abort();
		}
		o += wrote;
		done += n;
	}
	*o = '\0';
	return out;
}

/* The alphabet's bytes: a look-up, as a load checks every byte of every
 * binary value. */
static const unsigned char alphabet[256] = {
	['A' ... 'Z'] = 1, ['a' ... 'z'] = 1, ['0' ... '9'] = 1,
	['+'] = 1, ['/'] = 1,
};

int base64_valid(const char *text, size_t n)
{
	size_t pad = 0, i;

	/* what base64_encode wrote fits an int per piece; a body this
	 * large in a history line is not one it wrote */
	if (n % 4 != 0 || n > (size_t)1 << 30)
		return 0;
	/* EVP_DecodeBlock skips blanks and takes '=' anywhere: only the
	 * alphabet, with one or two '=' at the end, is an encoding of ours */
	while (pad < 2 && n > pad && text[n - 1 - pad] == '=')
		pad++;
	for (i = 0; i < n - pad; i++)
		if (!alphabet[(unsigned char)text[i]])
			return 0;
	return 1;
}

int base64_decode(const char *text, char **data, size_t *len)
{
	size_t n = strlen(text), pad = 0;
	unsigned char *out;
	int got;

	if (!base64_valid(text, n))
		return -EINVAL;
	while (pad < 2 && n > pad && text[n - 1 - pad] == '=')
		pad++;
	out = xmalloc(n / 4 * 3 + 1);
	got = EVP_DecodeBlock(out, (const unsigned char *)text, (int)n);
	if (got < 0) {
		free(out);
		return -EINVAL;
	}
	/* EVP_DecodeBlock counts the padding as zero bytes */
	*len = (size_t)got - pad;
	out[*len] = '\0';
	*data = (char *)out;
	return 0;
}
