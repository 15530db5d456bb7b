/* progress: the bar's text fits any width, one column short, and says as
 * much as fits: tables, environments, elapsed, rate, estimate. */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "engine/output/progress.h"

static struct progress at(size_t done, size_t total, size_t envs_done)
{
	struct progress p;

	memset(&p, 0, sizeof(p));
	p.mode = PROGRESS_BAR;
	p.started = 100.0;
	p.done_tables = done;
	p.total_tables = total;
	p.done_envs = envs_done;
	p.total_envs = 7;
	return p;
}

static void test_a_wide_terminal_gets_everything(void)
{
	struct progress p = at(120, 180, 4);
	char buf[512];

	progress_format(&p, 112.0, 200, buf, sizeof(buf));
	/* padded, so that the layout holds still while numbers change */
	ASSERT_STR_EQ(buf, "[############.......] 120/180 tables, "
		      "4/7 envs,   12s,   10 tables/s, ETA  6.0s");
	/* no wider than 80 columns, whatever the terminal */
	ASSERT_EQ(strlen(buf), PROGRESS_MAX_WIDTH - 1);
	/* 60 columns, the size of a split window: still everything */
	progress_format(&p, 112.0, 60, buf, sizeof(buf));
	ASSERT_STR_EQ(buf, "[########.....] 120/180, 4/7 envs,   12s,   10/s, "
		      "ETA  6.0s");
}

static void test_every_width_fits_one_column_short(void)
{
	struct progress p = at(1234, 21000, 3);
	char buf[512];
	unsigned w;

	for (w = 1; w <= 300; w++) {
		progress_format(&p, 100.0 + 3725, w, buf, sizeof(buf));
		if (strlen(buf) > (w > 1 ? w - 1 : 0))
			CHECK_FAIL("width %u: %zu columns: '%s'", w,
				   strlen(buf), buf);
		/* the count is what goes last */
		if (w >= 12 && strstr(buf, "1234/21000") == NULL)
			CHECK_FAIL("width %u: no count in '%s'", w, buf);
	}
	progress_format(&p, 100.0 + 3725, 80, buf, sizeof(buf));
	ASSERT_CONTAINS(buf, "1:02:05");
	ASSERT_CONTAINS(buf, "ETA");
	ASSERT_CONTAINS(buf, "/s");
	ASSERT_CONTAINS(buf, "3/7 envs");
	ASSERT_EQ(buf[0], '[');
	progress_format(&p, 100.0 + 3725, 40, buf, sizeof(buf));
	ASSERT_CONTAINS(buf, "ETA");
	/* the bar goes before the estimate does */
	progress_format(&p, 100.0 + 3725, 30, buf, sizeof(buf));
	ASSERT_STR_EQ(buf, " 1234/21000, ETA 16:34:26");
}

static void test_no_rate_or_estimate_before_a_table_is_done(void)
{
	struct progress p = at(0, 180, 0);
	char buf[512];

	progress_format(&p, 100.08, 120, buf, sizeof(buf));
	ASSERT_CONTAINS(buf, "  0/180 tables, 0/7 envs,  0.1s,   -- tables/s, "
			"ETA    --");
	/* all done: nothing left */
	p = at(180, 180, 7);
	progress_format(&p, 102.0, 120, buf, sizeof(buf));
	ASSERT_CONTAINS(buf, "ETA  0.0s");
	ASSERT_CONTAINS(buf, "[###################] 180/180 tables");
}

int main(int argc, char **argv)
{
	CHECK_INIT(argc, argv);
	RUN(test_a_wide_terminal_gets_everything);
	RUN(test_every_width_fits_one_column_short);
	RUN(test_no_rate_or_estimate_before_a_table_is_done);
	return CHECK_EXIT();
}
