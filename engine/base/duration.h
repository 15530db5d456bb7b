/*
 * duration: spans of time as people write them on a command line
 * (`--max-age 26h`, `--older-than 30d`) and as rhizome prints them (ages
 * in `status`), and the manifests' UTC time stamps that ages are measured
 * from. Thread-safe.
 */
#ifndef RHIZOME_DURATION_H
#define RHIZOME_DURATION_H

#include <stddef.h>
#include <time.h>

/*
 * Parse one or more <number><unit> parts, units s, m, h, d, w ("90s",
 * "26h", "1h30m", "2w"). Returns 0 with *seconds, or -EINVAL (empty, a
 * number without its unit, an unknown unit, a negative, zero or
 * overflowing total).
 */
int duration_parse(const char *text, double *seconds);

/* "45s", "12m", "3h 05m", "2d 04h": the two largest units, into buf. */
void duration_format(double seconds, char *buf, size_t size);

/* A manifest's time: `ts` as "YYYY-MM-DDTHH:MM:SSZ" (UTC), into buf. */
void duration_format_utc(const struct timespec *ts, char *buf, size_t size);

/* Seconds since the epoch of a manifest's "YYYY-MM-DDTHH:MM:SSZ", or -1
 * when `text` is not that (NULL included). */
double duration_utc_seconds(const char *text);

#endif
