/*
 * Nearest words (see suggest.h): optimal string alignment distance.
 */
#include "engine/cli/suggest.h"

#include <string.h>

#define MAXLEN 64

static size_t min3(size_t a, size_t b, size_t c)
{
	size_t m = a < b ? a : b;

	return m < c ? m : c;
}

size_t suggest_distance(const char *a, const char *b)
{
	size_t la = strnlen(a, MAXLEN), lb = strnlen(b, MAXLEN), i, j;
	size_t d[MAXLEN + 1][MAXLEN + 1];

	for (i = 0; i <= la; i++)
		d[i][0] = i;
	for (j = 0; j <= lb; j++)
		d[0][j] = j;
	for (i = 1; i <= la; i++)
		for (j = 1; j <= lb; j++) {
			size_t cost = a[i - 1] != b[j - 1];

			d[i][j] = min3(d[i - 1][j] + 1, d[i][j - 1] + 1,
				       d[i - 1][j - 1] + cost);
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < d[i][j])
				d[i][j] = d[i - 2][j - 2] + 1;
		}
	return d[la][lb];
}

const char *suggest_nearest(const char *word, const char *const *candidates,
			    size_t n)
{
	const char *best = NULL;
	size_t best_d = (size_t)-1, i, len = strlen(word);

	for (i = 0; i < n; i++) {
		size_t d;

		if (candidates[i] == NULL)
			continue;
		d = suggest_distance(word, candidates[i]);
		if (d < best_d) {
			best = candidates[i];
			best_d = d;
		}
	}
	return best != NULL && best_d > 0 && best_d <= 2 && best_d * 2 < len
	       ? best : NULL;
}
