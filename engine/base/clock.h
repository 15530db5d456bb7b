/*
 * clock: seconds on the monotonic clock, for durations (progress, how long
 * a connect took). Never goes back; not a time of day. Thread-safe.
 */
#ifndef RHIZOME_CLOCK_H
#define RHIZOME_CLOCK_H

#include <time.h>

static inline double clock_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#endif
