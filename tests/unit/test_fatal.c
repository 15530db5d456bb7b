/* fatal: a dying process's last line, as text and as a machine-log event
 * that parses, with a time stamp as eventlog.c writes it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "check.h"
#include "engine/base/fatal.h"

/* What fatal_write puts into a pipe, with `version` (0: text). */
static char *written(int version, const char *msg)
{
	static char buf[1024];
	int fds[2];
	ssize_t n;

	if (pipe(fds) != 0)
		abort();
	fatal_set_fd(fds[1], version);
	fatal_write(msg);
	fatal_set_fd(STDERR_FILENO, 0);
	close(fds[1]);
	n = read(fds[0], buf, sizeof(buf) - 1);
	close(fds[0]);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static void test_fatal_text_is_the_line(void)
{
	ASSERT_STR_EQ(written(0, "rhizome: out of memory"),
		      "rhizome: out of memory\n");
}

static void test_fatal_json_is_a_message_event_that_parses(void)
{
	char *line, day[32];
	json_t *e;
	json_error_t jerr;
	time_t now = time(NULL);
	struct tm tm;

	fatal_set_run("");
	line = written(3, "rhizome: interrupted again, exiting at once");
	ASSERT_EQ(line[strlen(line) - 1], '\n');
	ASSERT_TRUE(strchr(line, '\n') == line + strlen(line) - 1);
	e = json_loads(line, 0, &jerr);
	ASSERT_TRUE(e != NULL);
	ASSERT_EQ(json_integer_value(json_object_get(e, "log_version")), 3);
	ASSERT_TRUE(json_is_null(json_object_get(e, "run_id")));
	ASSERT_STR_EQ(json_string_value(json_object_get(e, "event")), "message");
	ASSERT_STR_EQ(json_string_value(json_object_get(e, "level")), "error");
	ASSERT_STR_EQ(json_string_value(json_object_get(e, "message")),
		      "rhizome: interrupted again, exiting at once");
	/* today's date, as gmtime_r gives it (a second's race at midnight
	 * aside), in eventlog.c's shape */
	gmtime_r(&now, &tm);
	strftime(day, sizeof(day), "%Y-%m-%dT", &tm);
	ASSERT_TRUE(strncmp(json_string_value(json_object_get(e, "ts")), day,
			    strlen(day)) == 0);
	ASSERT_EQ(strlen(json_string_value(json_object_get(e, "ts"))),
		  strlen("2026-12-02T13:02:25.123Z"));
	json_decref(e);

	fatal_set_run("20261202T130225Z-ab12");
	e = json_loads(written(1, "x"), 0, &jerr);
	ASSERT_TRUE(e != NULL);
	ASSERT_STR_EQ(json_string_value(json_object_get(e, "run_id")),
		      "20261202T130225Z-ab12");
	json_decref(e);
}

int main(int argc, char **argv)
{
	CHECK_INIT(argc, argv);
	RUN(test_fatal_text_is_the_line);
	RUN(test_fatal_json_is_a_message_event_that_parses);
	return CHECK_EXIT();
}
