/*
 * The machine log (see eventlog.h): events written whole to the real
 * stderr, and a reader thread that wraps whatever else lands on fd 2.
 */
#include "engine/output/eventlog.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/base/alloc.h"
#include "engine/base/fatal.h"
#include "engine/base/jsontext.h"
#include "engine/base/strbuf.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int on;                  /* guarded by lock */
static int real_fd = -1;        /* the real stderr, once started */
static int pipe_read = -1;      /* the reader's end */
static char run_id[64];         /* guarded by lock; "" : none yet */
static pthread_t reader;

/* Defined only in a sanitizer's build (make SANITIZER=...). */
extern void __sanitizer_set_report_fd(void *fd) __attribute__((weak));

int eventlog_on(void)
{
	int yes;

	pthread_mutex_lock(&lock);
	yes = on;
	pthread_mutex_unlock(&lock);
	return yes;
}

void eventlog_set_run(const char *id)
{
	pthread_mutex_lock(&lock);
	snprintf(run_id, sizeof(run_id), "%s", id);
	pthread_mutex_unlock(&lock);
	fatal_set_run(id);
}

/* Write all of buf to fd, going on after a signal's interruption. */
static void write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return; /* stderr gone: nothing better to do */
		buf += n;
		len -= (size_t)n;
	}
}

static void stamp(char *buf, size_t size)
{
	struct timespec ts;
	struct tm tm;
	char day[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(day, sizeof(day), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, size, "%s.%03ldZ", day, ts.tv_nsec / 1000000);
}

/* The event as one line: "\x1e" (so the reader can tell it from text
 * that looks like JSON), the object, a newline. Caller holds the lock and
 * frees the result. */
static char *event_line(const char *event, json_t *fields, size_t *len)
{
	json_t *e;
	char ts[48], *text, *line;

	stamp(ts, sizeof(ts));
	/* the common fields first, so a reader sees them at a glance */
	e = json_pack("{s:s, s:i, s:o, s:s}", "ts", ts, "log_version",
		      EVENTLOG_VERSION, "run_id",
		      run_id[0] ? json_string(run_id) : json_null(), "event", event);
	if (fields != NULL)
		json_object_update_missing(e, fields);
	json_decref(fields);
	text = json_dumps(e, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(e);
	if (text == NULL)
		return NULL;
	*len = strlen(text) + 2;
	line = xasprintf("\x1e%s\n", text);
	free(text);
	return line;
}

/*
 * Events go through fd 2 like any other line, so that they and the text
 * lines written before them come out in the order written (a pipe keeps
 * each write of a line whole up to PIPE_BUF bytes; events are far
 * shorter); the reader strips the mark.
 */
void eventlog_emit(const char *event, json_t *fields)
{
	char *line;
	size_t len;

	pthread_mutex_lock(&lock);
	if (!on) {
		pthread_mutex_unlock(&lock);
		json_decref(fields);
		return;
	}
	line = event_line(event, fields, &len);
	pthread_mutex_unlock(&lock);
	if (line == NULL)
		return;
	fflush(stderr); /* a text line in the making goes first */
	write_all(STDERR_FILENO, line, len);
	free(line);
}

/* What a text line is, by rhizome's own wording: a warning says
 * "warning:", an error names what failed or was refused; the rest (a
 * hint, a note such as leftovers removed, a count of errors) is
 * information. */
static const char *level_of(const char *line)
{
	static const char *const error_words[] = {
		"cannot", "does not", "refused", "unknown", " wants ",
		"failed", "no such", "not reached", "timed out", "Sanitizer",
		"needs ", "unexpected",
	};
	const char *p;
	size_t i;

	if (strstr(line, "warning:") != NULL)
		return "warning";
	/* "error", but not a count of none: "0 error(s)" */
	for (p = line; (p = strstr(p, "error")) != NULL; p += 5)
		if (p - line < 2 || p[-1] != ' ' || p[-2] != '0' ||
		    (p - line >= 3 && p[-3] >= '0' && p[-3] <= '9'))
			return "error";
	for (i = 0; i < sizeof(error_words) / sizeof(error_words[0]); i++)
		if (strstr(line, error_words[i]) != NULL)
			return "error";
	return "info";
}

/* A line the reader took: an event as it is, text as a message event,
 * to the real stderr. */
static void pass_on(const char *line, size_t len)
{
	char *text, *event;
	size_t n;

	if (len > 0 && line[0] == '\x1e') {
		/* one write, as the event was written: a dying process's last
		 * line (fatal.h) cannot land inside it */
		event = xmalloc(len);
		memcpy(event, line + 1, len - 1);
		event[len - 1] = '\n';
		write_all(real_fd, event, len);
		free(event);
		return;
	}
	text = xstrndup(line, len);
	pthread_mutex_lock(&lock);
	event = event_line("message", json_pack("{s:s, s:o}", "level",
						level_of(text), "message",
						jsontext_string(text)), &n);
	pthread_mutex_unlock(&lock);
	free(text);
	if (event != NULL)
		write_all(real_fd, event + 1, n - 1);
	free(event);
}

/* The reader: each line that reaches fd 2, as a "message" event. */
static void *read_lines(void *arg)
{
	struct strbuf pending = STRBUF_INIT;
	char buf[4096];
	ssize_t n;

	(void)arg;
	for (;;) {
		char *nl;

		n = read(pipe_read, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		strbuf_add(&pending, buf, (size_t)n);
		while ((nl = memchr(pending.data, '\n', pending.len)) != NULL) {
			size_t len = (size_t)(nl - pending.data);

			pass_on(pending.data, len);
			memmove(pending.data, nl + 1, pending.len - len - 1);
			pending.len -= len + 1;
			pending.data[pending.len] = '\0';
		}
	}
	if (pending.len > 0)
		pass_on(pending.data, pending.len);
	strbuf_release(&pending);
	return NULL;
}

int eventlog_start(void)
{
	int fds[2], rc;

	fflush(stderr);
	/* at 3 or above, so that with fd 0 or 1 closed the real stderr does
	 * not become what a library takes for its input or output; neither
	 * end leaks into a child */
	real_fd = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
	if (real_fd < 0)
		return -errno;
	if (pipe2(fds, O_CLOEXEC) != 0) {
		rc = -errno;
		close(real_fd);
		real_fd = -1;
		return rc;
	}
	if (dup2(fds[1], STDERR_FILENO) < 0) {
		rc = -errno;
		close(fds[0]);
		close(fds[1]);
		close(real_fd);
		real_fd = -1;
		return rc;
	}
	close(fds[1]);
	pipe_read = fds[0];
	pthread_mutex_lock(&lock);
	on = 1;
	pthread_mutex_unlock(&lock);
	rc = pthread_create(&reader, NULL, read_lines, NULL);
	if (rc != 0) {
		pthread_mutex_lock(&lock);
		on = 0;
		pthread_mutex_unlock(&lock);
		dup2(real_fd, STDERR_FILENO);
		close(real_fd);
		close(pipe_read);
		real_fd = pipe_read = -1;
		return -rc;
	}
	/* a line at a time, so a wrapped line is never split by a buffer */
	setvbuf(stderr, NULL, _IOLBF, 0);
	fatal_set_fd(real_fd, EVENTLOG_VERSION);
	/* a sanitizer's report may come just before the process dies, when
	 * the reader could not pass it on: it goes to the real stderr as
	 * text (ASan's always ends the process; a TSan or UBSan report that
	 * does not is text among the events too, and the suite fails on
	 * any report) */
	if (__sanitizer_set_report_fd != NULL)
		__sanitizer_set_report_fd((void *)(intptr_t)real_fd);
	return 0;
}

void eventlog_stop(void)
{
	if (!eventlog_on())
		return;
	fflush(stderr);
	fatal_set_fd(STDERR_FILENO, 0);
	if (__sanitizer_set_report_fd != NULL)
		__sanitizer_set_report_fd((void *)(intptr_t)STDERR_FILENO);
	/* the pipe's last writer is fd 2: giving the real stderr back ends
	 * the reader's input */
	dup2(real_fd, STDERR_FILENO);
	pthread_join(reader, NULL);
	close(pipe_read);
	pthread_mutex_lock(&lock);
	on = 0;
	pthread_mutex_unlock(&lock);
	close(real_fd);
	real_fd = pipe_read = -1;
}
