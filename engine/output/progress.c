/*
 * Output goes straight to stderr, unbuffered, under the engine's lock. The
 * bar is redrawn with "\r\033[K" and cleared before any log line, so lines
 * never land in the middle of a bar.
 */
#include "engine/output/progress.h"

#include <stdio.h>
#include <unistd.h>

#include "engine/base/clock.h"
#include "engine/base/jsontext.h"
#include "engine/output/eventlog.h"

double progress_now(void)
{
	return clock_seconds();
}

void progress_init(struct progress *p, int quiet, size_t tables, size_t envs)
{
	p->mode = eventlog_on() ? PROGRESS_EVENTS
		  : quiet ? PROGRESS_QUIET
		  : isatty(STDERR_FILENO) ? PROGRESS_BAR : PROGRESS_LINES;
	p->quiet = quiet;
	p->last_tenth = 0;
	p->total_tables = tables;
	p->done_tables = 0;
	p->total_envs = envs;
	p->done_envs = 0;
	p->last_draw = 0;
	p->drawn = 0;
}

/* events: a progress event each time another tenth of the tables is
 * done (and at the end) */
static void tell(struct progress *p)
{
	unsigned tenth = p->total_tables
		? (unsigned)(p->done_tables * 10 / p->total_tables) : 10;

	if (p->quiet || tenth <= p->last_tenth || p->done_tables == 0)
		return;
	p->last_tenth = tenth;
	eventlog_emit("progress", json_pack(
		"{s:i, s:I, s:I, s:I}", "percent", p->total_tables
			? (int)(p->done_tables * 100 / p->total_tables) : 100,
		"tables_done", (json_int_t)p->done_tables,
		"tables", (json_int_t)p->total_tables,
		"environments_done", (json_int_t)p->done_envs));
}

static void draw(struct progress *p, int force)
{
	enum { WIDTH = 30 };
	double now = progress_now();
	size_t filled, i;
	char bar[WIDTH + 1];

	if (p->mode == PROGRESS_EVENTS)
		tell(p);
	if (p->mode != PROGRESS_BAR || (!force && now - p->last_draw < 0.1))
		return;
	p->last_draw = now;
	filled = p->total_tables ? p->done_tables * WIDTH / p->total_tables : WIDTH;
	for (i = 0; i < WIDTH; i++)
		bar[i] = i < filled ? '#' : '.';
	bar[WIDTH] = '\0';
	fprintf(stderr, "\r\033[K[%s] %zu/%zu tables, %zu/%zu environments",
		bar, p->done_tables, p->total_tables, p->done_envs,
		p->total_envs);
	fflush(stderr);
	p->drawn = 1;
}

static void clear(struct progress *p)
{
	if (p->drawn) {
		fputs("\r\033[K", stderr);
		p->drawn = 0;
	}
}

void progress_add_tables(struct progress *p, size_t now, size_t before)
{
	p->total_tables = p->total_tables + now >= before
			  ? p->total_tables + now - before : 0;
	draw(p, 0);
}

void progress_tables(struct progress *p, size_t n)
{
	p->done_tables += n;
	draw(p, 0);
}

void progress_env_done(struct progress *p, const char *env,
		       const unsigned c[CLASS_COUNT], double seconds,
		       const char *first_error)
{
	p->done_envs++;
	if (p->mode == PROGRESS_EVENTS) {
		json_t *counts = json_object();
		int k;

		for (k = 0; k < CLASS_COUNT; k++)
			json_object_set_new(counts, classify_name((enum change_class)k),
					    json_integer(c[k]));
		eventlog_emit("env_end", json_pack(
			"{s:o, s:s, s:f, s:o, s:o}", "env", jsontext_string(env),
			"outcome", first_error != NULL || c[CLASS_ERROR] > 0
				? "failed" : "done",
			"seconds", seconds, "counts", counts, "first_error",
			first_error ? jsontext_string(first_error) : json_null()));
		return;
	}
	if (p->mode == PROGRESS_QUIET)
		return;
	clear(p);
	{
		/* every class that happened, so the counts add up to the
		 * total (data has no trivial, schema no empty) */
		static const enum change_class order[] = {
			CLASS_NEW, CLASS_SIGNIFICANT, CLASS_TRIVIAL,
			CLASS_UNCHANGED, CLASS_EMPTY, CLASS_MISSING,
			CLASS_REMOVED,
		};
		unsigned total = 0;
		size_t k;

		for (k = 0; k < CLASS_COUNT; k++)
			total += c[k];
		fprintf(stderr, "rhizome: %s: %u tables in %.2f s: ", env, total,
			seconds);
		for (k = 0; k < sizeof(order) / sizeof(order[0]); k++)
			if (c[order[k]] > 0)
				fprintf(stderr, "%u %s, ", c[order[k]],
					classify_name(order[k]));
		fprintf(stderr, "%u errors\n", c[CLASS_ERROR]);
	}
	if (first_error != NULL)
		fprintf(stderr, "rhizome: %s: first error: %s\n", env,
			first_error);
	draw(p, 1);
}

void progress_log(struct progress *p, const char *line)
{
	if (p->mode == PROGRESS_EVENTS) {
		fprintf(stderr, "%s\n", line); /* wrapped as a message */
		return;
	}
	clear(p);
	fprintf(stderr, "%s\n", line);
	draw(p, 1);
}

void progress_finish(struct progress *p)
{
	clear(p);
	fflush(stderr);
}
