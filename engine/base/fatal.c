/*
 * The last line of a dying process (see fatal.h).
 */
#include "engine/base/fatal.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Read by fatal_write on any thread, or in a signal's wake: atomics (lock
 * free for int), and a run id published whole through a pointer. */
static int target_fd = STDERR_FILENO;
static int log_version; /* 0: text */
static char run_id_buf[64];
static const char *run_id = "";

void fatal_set_fd(int fd, int json_log_version)
{
	__atomic_store_n(&log_version, json_log_version, __ATOMIC_SEQ_CST);
	__atomic_store_n(&target_fd, fd, __ATOMIC_SEQ_CST);
}

void fatal_set_run(const char *id)
{
	size_t n = strlen(id) < sizeof(run_id_buf) - 1 ? strlen(id)
						       : sizeof(run_id_buf) - 1;

	/* once per process (a run's id), before any fatal_write reads it */
	memcpy(run_id_buf, id, n);
	run_id_buf[n] = '\0';
	__atomic_store_n(&run_id, run_id_buf, __ATOMIC_RELEASE);
}

/* Append s to buf[*len..size), cut to fit. */
static void put(char *buf, size_t size, size_t *len, const char *s)
{
	while (*s && *len + 1 < size)
		buf[(*len)++] = *s++;
}

/* Append `v` in decimal, at least `width` digits. */
static void put_number(char *buf, size_t size, size_t *len, long v, int width)
{
	char digits[24];
	int n = 0;

	do {
		digits[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0 || n < width);
	while (n > 0 && *len + 1 < size)
		buf[(*len)++] = digits[--n];
}

/* "YYYY-MM-DDTHH:MM:SS.mmmZ" as eventlog.c stamps it, without gmtime_r
 * (not async-signal-safe): days to a civil date, Hinnant's method. */
static void put_stamp(char *buf, size_t size, size_t *len)
{
	struct timespec ts;
	long days, secs, era, doe, yoe, doy, mp, y, m, d;

	clock_gettime(CLOCK_REALTIME, &ts);
	days = (long)(ts.tv_sec / 86400);
	secs = (long)(ts.tv_sec % 86400);
	days += 719468;
	era = days / 146097;
	doe = days - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	y = yoe + era * 400 + (m <= 2);
	put_number(buf, size, len, y, 4);
	put(buf, size, len, "-");
	put_number(buf, size, len, m, 2);
	put(buf, size, len, "-");
	put_number(buf, size, len, d, 2);
	put(buf, size, len, "T");
	put_number(buf, size, len, secs / 3600, 2);
	put(buf, size, len, ":");
	put_number(buf, size, len, secs / 60 % 60, 2);
	put(buf, size, len, ":");
	put_number(buf, size, len, secs % 60, 2);
	put(buf, size, len, ".");
	put_number(buf, size, len, ts.tv_nsec / 1000000, 3);
	put(buf, size, len, "Z");
}

void fatal_write(const char *msg)
{
	char buf[512];
	size_t len = 0;
	int version = __atomic_load_n(&log_version, __ATOMIC_SEQ_CST);
	const char *id = __atomic_load_n(&run_id, __ATOMIC_ACQUIRE);

	if (version > 0) {
		put(buf, sizeof(buf), &len, "{\"ts\":\"");
		put_stamp(buf, sizeof(buf), &len);
		put(buf, sizeof(buf), &len, "\",\"log_version\":");
		put_number(buf, sizeof(buf), &len, version, 1);
		put(buf, sizeof(buf), &len, ",\"run_id\":");
		if (id[0] != '\0') {
			put(buf, sizeof(buf), &len, "\"");
			put(buf, sizeof(buf), &len, id);
			put(buf, sizeof(buf), &len, "\"");
		} else {
			put(buf, sizeof(buf), &len, "null");
		}
		put(buf, sizeof(buf), &len, ",\"event\":\"message\",\"level\":"
		    "\"error\",\"message\":\"");
		put(buf, sizeof(buf), &len, msg);
		put(buf, sizeof(buf), &len, "\"}");
	} else {
		put(buf, sizeof(buf), &len, msg);
	}
	buf[len++] = '\n';
	(void)!write(__atomic_load_n(&target_fd, __ATOMIC_SEQ_CST), buf, len);
}
