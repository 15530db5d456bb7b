/*
 * Unit tests of engine/base/duration: what --max-age and --older-than
 * accept and refuse, ages as printed, and manifest times both ways in UTC
 * whatever the local time zone.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/base/duration.h"
#include "check.h"

static void test_duration_parse_takes_units_and_refuses_typos(void)
{
	static const struct { const char *text; double seconds; } good[] = {
		{ "90s", 90 }, { "10m", 600 }, { "26h", 93600 }, { "7d", 604800 },
		{ "2w", 1209600 }, { "1h30m", 5400 }, { "1.5h", 5400 },
	};
	static const char *const bad[] = {
		"", "5", "1h30", "0h", "1x", "-1h", "h", "99999999999d", "1h ",
	};
	double s;
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		if (duration_parse(good[i].text, &s) != 0 || s != good[i].seconds)
			CHECK_FAIL("'%s': want %g s", good[i].text, good[i].seconds);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (duration_parse(bad[i], &s) != -EINVAL)
			CHECK_FAIL("'%s' accepted", bad[i]);
	ASSERT_EQ(duration_parse(NULL, &s), -EINVAL);
}

static void test_duration_format_shows_the_two_largest_units(void)
{
	char buf[32];

	duration_format(45, buf, sizeof(buf));
	ASSERT_STR_EQ(buf, "45s");
	duration_format(31 * 60 + 39, buf, sizeof(buf));
	ASSERT_STR_EQ(buf, "31m 39s");
	duration_format(3 * 3600 + 5 * 60, buf, sizeof(buf));
	ASSERT_STR_EQ(buf, "3h 05m");
	duration_format(2 * 86400 + 4 * 3600 + 59, buf, sizeof(buf));
	ASSERT_STR_EQ(buf, "2d 04h");
	duration_format(-5, buf, sizeof(buf)); /* a clock set back */
	ASSERT_STR_EQ(buf, "0s");
}

static void test_duration_utc_round_trips_in_any_time_zone(void)
{
	struct timespec ts = { .tv_sec = 1764650110, .tv_nsec = 0 };
	char buf[32];

	setenv("TZ", "Asia/Kolkata", 1);
	tzset();
	duration_format_utc(&ts, buf, sizeof(buf));
	ASSERT_STR_EQ(buf, "2025-12-02T04:35:10Z");
	ASSERT_EQ((long long)duration_utc_seconds(buf), 1764650110LL);
	ASSERT_EQ((long long)duration_utc_seconds("2025-12-02 04:35:10"), -1LL);
	ASSERT_EQ((long long)duration_utc_seconds(NULL), -1LL);
}

int main(int argc, char **argv)
{
	CHECK_INIT(argc, argv);
	RUN(test_duration_parse_takes_units_and_refuses_typos);
	RUN(test_duration_format_shows_the_two_largest_units);
	RUN(test_duration_utc_round_trips_in_any_time_zone);
	return CHECK_EXIT();
}
