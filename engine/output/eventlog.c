/*
 * The machine log (see eventlog.h): events written whole to the real
 * stderr, and a reader thread that wraps whatever else lands on fd 2.
 */
#include "engine/output/eventlog.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/base/alloc.h"
#include "engine/base/jsontext.h"
#include "engine/base/strbuf.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int on;                  /* guarded by lock */
static int real_fd = -1;        /* the real stderr, once started */
static int pipe_read = -1;      /* the reader's end */
static char run_id[64];         /* guarded by lock; "" : none yet */
static pthread_t reader;

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
 * hint, a note such as leftovers removed) is information. */
static const char *level_of(const char *line)
{
	static const char *const error_words[] = {
		"error", "cannot", "does not", "refused", "unknown", " wants ",
		"failed", "no such", "not reached", "timed out", "Sanitizer",
		"needs ", "unexpected",
	};
	size_t i;

	if (strstr(line, "warning:") != NULL)
		return "warning";
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
		write_all(real_fd, line + 1, len - 1);
		write_all(real_fd, "\n", 1);
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
	real_fd = dup(STDERR_FILENO);
	if (real_fd < 0)
		return -errno;
	if (pipe(fds) != 0) {
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
	return 0;
}

void eventlog_stop(void)
{
	if (!eventlog_on())
		return;
	fflush(stderr);
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
