/*
 * clock: seconds on the monotonic clock, for durations (progress, how long
 * a connect took). Never goes back; not a time of day. And the time of day
 * `seconds` from now, for pthread_cond_timedwait on a condition variable
 * of the default (realtime) clock. Thread-safe.
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

static inline struct timespec clock_realtime_after(double seconds)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += (time_t)seconds;
	ts.tv_nsec += (long)((seconds - (double)(time_t)seconds) * 1e9);
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	return ts;
}

#endif
