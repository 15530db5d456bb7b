/*
 * Durations are what a scheduler's user types (`26h`, `1h30m`); a float
 * of seconds holds every one exactly enough. Manifest times are whole UTC
 * seconds, read back with timegm so the local time zone never enters.
 */
#include "engine/base/duration.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int duration_parse(const char *text, double *seconds)
{
	const char *p = text;
	double total = 0;

	if (text == NULL || *text == '\0')
		return -EINVAL;
	while (*p) {
		char *end;
		double v, unit;

		if (!isdigit((unsigned char)*p))
			return -EINVAL;
		errno = 0;
		v = strtod(p, &end);
		if (errno != 0 || end == p)
			return -EINVAL;
		p = end;
		/* every number has its unit: a bare "5" (seconds? hours?)
		 * and "1h30" are typos more often than not */
		switch (*p) {
		case 's': unit = 1; p++; break;
		case 'm': unit = 60; p++; break;
		case 'h': unit = 3600; p++; break;
		case 'd': unit = 86400; p++; break;
		case 'w': unit = 7 * 86400; p++; break;
		default: return -EINVAL;
		}
		total += v * unit;
		if (total > 100.0 * 365 * 86400) /* a century: surely a typo */
			return -EINVAL;
	}
	if (total <= 0)
		return -EINVAL; /* "0h": surely not meant */
	*seconds = total;
	return 0;
}

void duration_format(double seconds, char *buf, size_t size)
{
	unsigned long long s = seconds > 0 ? (unsigned long long)(seconds + 0.5) : 0;

	if (s < 60)
		snprintf(buf, size, "%llus", s);
	else if (s < 3600)
		snprintf(buf, size, "%llum %02llus", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, size, "%lluh %02llum", s / 3600, s % 3600 / 60);
	else
		snprintf(buf, size, "%llud %02lluh", s / 86400, s % 86400 / 3600);
}

void duration_format_utc(const struct timespec *ts, char *buf, size_t size)
{
	struct tm tm;

	gmtime_r(&ts->tv_sec, &tm);
	strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

double duration_utc_seconds(const char *text)
{
	struct tm tm;
	const char *end;

	if (text == NULL)
		return -1;
	memset(&tm, 0, sizeof(tm));
	end = strptime(text, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (end == NULL || *end != '\0')
		return -1;
	return (double)timegm(&tm);
}
