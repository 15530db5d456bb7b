/*
 * backoff: how long to wait before retry `attempt` (1, 2, ...): 0.25 s
 * doubling, capped at 2 s, times a random factor in [0.5, 1.5) so the
 * retries of many threads do not hit a busy server in step. `seed` is the
 * caller's rand_r state (one per thread). Thread-safe.
 */
#ifndef RHIZOME_BACKOFF_H
#define RHIZOME_BACKOFF_H

#include <stdlib.h>

static inline double backoff_seconds(unsigned attempt, unsigned *seed)
{
	double s = 0.25 * (double)(1u << (attempt < 4 ? attempt - 1 : 3));

	if (s > 2.0)
		s = 2.0;
	return s * (0.5 + (double)rand_r(seed) / ((double)RAND_MAX + 1.0));
}

#endif
