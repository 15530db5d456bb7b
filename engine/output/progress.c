/*
 * Output goes straight to stderr, unbuffered, under the engine's lock. The
 * bar is redrawn with "\r\033[K" and cleared before any log line, so lines
 * never land in the middle of a bar. It stays one column short of the
 * terminal's width: a character in the last column leaves some terminals
 * waiting to wrap, and the next "\r" would then clear the wrong line.
 */
#include "engine/output/progress.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "engine/base/clock.h"
#include "engine/base/jsontext.h"
#include "engine/base/strbuf.h"
#include "engine/output/eventlog.h"
#include "engine/output/termtext.h"

double progress_now(void)
{
	return clock_seconds();
}

void progress_init(struct progress *p, int quiet, enum progress_choice choice,
		   size_t tables, size_t envs)
{
	p->mode = eventlog_on() ? PROGRESS_EVENTS
		  : quiet || choice == PROGRESS_WANT_NONE ? PROGRESS_QUIET
		  : choice == PROGRESS_WANT_BAR ? PROGRESS_BAR
		  : choice == PROGRESS_WANT_LINES ? PROGRESS_LINES
		  : isatty(STDERR_FILENO) ? PROGRESS_BAR : PROGRESS_LINES;
	p->quiet = quiet || choice == PROGRESS_WANT_NONE;
	p->started = progress_now();
	p->width = p->mode == PROGRESS_BAR
		   ? termtext_columns(STDERR_FILENO, 80) : 0;
	p->last_tenth = 0;
	p->total_tables = tables;
	p->done_tables = 0;
	p->total_envs = envs;
	p->done_envs = 0;
	p->last_draw = 0;
	p->drawn = 0;
	p->drawn_len = 0;
	p->finished = 0;
	p->resize_pending = 0;
	p->bulk = 0;
	p->rows = p->bytes = 0;
	p->last_line = p->started;
}

void progress_bulk(struct progress *p)
{
	p->bulk = 1;
}

void progress_bytes(char *buf, size_t size, double bytes)
{
	static const char *const units[] = { "B", "kB", "MB", "GB", "TB" };
	size_t u = 0;

	while (bytes >= 999.5 && u + 1 < sizeof(units) / sizeof(units[0])) {
		bytes /= 1000;
		u++;
	}
	snprintf(buf, size, u == 0 ? "%.0f %s" : bytes < 9.95 ? "%.1f %s"
		 : "%.0f %s", bytes, units[u]);
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

/* "4.2s", "38s", "12:05", "1:02:03": short enough for a narrow bar. */
static void duration(char *buf, size_t size, double seconds)
{
	unsigned long t;

	if (seconds < 0)
		seconds = 0;
	if (seconds < 9.95) {
		snprintf(buf, size, "%.1fs", seconds);
		return;
	}
	t = (unsigned long)(seconds + 0.5);
	if (t < 60)
		snprintf(buf, size, "%lus", t);
	else if (t < 3600)
		snprintf(buf, size, "%lu:%02lu", t / 60, t % 60);
	else
		snprintf(buf, size, "%lu:%02lu:%02lu", t / 3600, t / 60 % 60,
			 t % 60);
}

enum piece { COUNT, COUNT_SHORT, ENVS, ELAPSED, RATE, RATE_SHORT, ETA,
	     NPIECES };

/* "12345" as "12.3k", "1.2M": a count for a narrow bar. */
static void count_short(char *buf, size_t size, double n)
{
	if (n < 10000)
		snprintf(buf, size, "%.0f", n);
	else if (n < 1e6)
		snprintf(buf, size, "%.1fk", n / 1e3);
	else if (n < 1e9)
		snprintf(buf, size, "%.2fM", n / 1e6);
	else
		snprintf(buf, size, "%.2fG", n / 1e9);
}

/* A bulk export's rows and bytes, and their rates, in piece[ENVS] and
 * piece[RATE]/[RATE_SHORT]; no estimate (a table's rows are not known
 * ahead). */
static void bulk_pieces(const struct progress *p, double elapsed,
			char piece[][48])
{
	char n[16], b[16], r[16], br[16];

	count_short(n, sizeof(n), (double)p->rows);
	progress_bytes(b, sizeof(b), (double)p->bytes);
	snprintf(piece[ENVS], 48, "%6s rows %7s", n, b);
	if (elapsed < 0.2) {
		snprintf(piece[RATE], 48, "%6s rows/s %7s/s", "--", "--");
		snprintf(piece[RATE_SHORT], 48, "%6s rows/s", "--");
	} else {
		count_short(r, sizeof(r), (double)p->rows / elapsed);
		progress_bytes(br, sizeof(br), (double)p->bytes / elapsed);
		snprintf(piece[RATE], 48, "%6s rows/s %7s/s", r, br);
		snprintf(piece[RATE_SHORT], 48, "%6s rows/s", r);
	}
	piece[ETA][0] = '\0';
}

void progress_format(const struct progress *p, double now, unsigned width,
		     char *buf, size_t size)
{
	/* the layouts, most to least said */
	static const unsigned layouts[] = {
		1u << COUNT | 1u << ENVS | 1u << ELAPSED | 1u << RATE | 1u << ETA,
		1u << COUNT | 1u << ENVS | 1u << ELAPSED | 1u << RATE_SHORT |
			1u << ETA,
		1u << COUNT_SHORT | 1u << ENVS | 1u << ELAPSED |
			1u << RATE_SHORT | 1u << ETA,
		1u << COUNT_SHORT | 1u << ENVS | 1u << ETA,
		1u << COUNT_SHORT | 1u << ETA,
		1u << COUNT_SHORT,
	};
	enum { NLAYOUTS = sizeof(layouts) / sizeof(layouts[0]), MIN_BAR = 10,
	       MAX_BAR = 30 };
	/* what is tried, in order: a layout, with the bar or without; the
	 * bar goes before the estimate does */
	static const struct { int layout, bar; } tries[] = {
		{ 0, 1 }, { 1, 1 }, { 2, 1 }, { 3, 1 }, { 4, 1 }, { 4, 0 },
		{ 5, 1 }, { 5, 0 },
	};
	char piece[NPIECES][48], text[NLAYOUTS][320], t[24];
	double elapsed = now - p->started, rate = 0;
	size_t room, len, filled, i, k, barw;
	int bar = -1, tw, ew;

	/* A wider line says nothing more, and a shorter one is less likely
	 * to have been wrapped by a terminal that shrinks (apply_resize). */
	if (width > PROGRESS_MAX_WIDTH)
		width = PROGRESS_MAX_WIDTH;
	room = width > 1 ? width - 1 : 0;
	/* Every piece padded to a width that holds from the first frame to
	 * the last (counts to the digits of the totals, times to five
	 * characters), so the layout and the bar's length stay put while the
	 * numbers change: a bar that jumps is hard to read. */
	memset(piece, 0, sizeof(piece));
	tw = (int)snprintf(t, sizeof(t), "%zu", p->total_tables);
	ew = (int)snprintf(t, sizeof(t), "%zu", p->total_envs);
	snprintf(piece[COUNT], sizeof(piece[0]), "%*zu/%zu tables", tw,
		 p->done_tables, p->total_tables);
	snprintf(piece[COUNT_SHORT], sizeof(piece[0]), "%*zu/%zu", tw,
		 p->done_tables, p->total_tables);
	snprintf(piece[ENVS], sizeof(piece[0]), "%*zu/%zu envs", ew,
		 p->done_envs, p->total_envs);
	duration(t, sizeof(t), elapsed);
	snprintf(piece[ELAPSED], sizeof(piece[0]), "%5s", t);
	/* a rate and an estimate once there is something to go by */
	snprintf(piece[RATE], sizeof(piece[0]), "%4s tables/s", "--");
	snprintf(piece[RATE_SHORT], sizeof(piece[0]), "%4s/s", "--");
	snprintf(piece[ETA], sizeof(piece[0]), "ETA %5s", "--");
	if (p->done_tables > 0 && elapsed >= 0.2) {
		rate = (double)p->done_tables / elapsed;
		/* a slow run (a far server, big rows) is not "0 tables/s" */
		snprintf(piece[RATE], sizeof(piece[0]), rate < 9.95
			 ? "%4.1f tables/s" : "%4.0f tables/s", rate);
		snprintf(piece[RATE_SHORT], sizeof(piece[0]), rate < 9.95
			 ? "%4.1f/s" : "%4.0f/s", rate);
		duration(t, sizeof(t), p->done_tables < p->total_tables
			 ? (double)(p->total_tables - p->done_tables) / rate : 0);
		snprintf(piece[ETA], sizeof(piece[0]), "ETA %5s", t);
	}
	if (p->bulk)
		bulk_pieces(p, elapsed, piece);
	for (i = 0; i < NLAYOUTS; i++) {
		text[i][0] = '\0';
		for (k = 0, len = 0; k < NPIECES; k++) {
			if (!(layouts[i] & 1u << k) || piece[k][0] == '\0')
				continue;
			len += (size_t)snprintf(text[i] + len, sizeof(text[0]) - len,
						"%s%s", len ? ", " : "", piece[k]);
		}
	}
	for (i = 0; i < sizeof(tries) / sizeof(tries[0]); i++) {
		len = strlen(text[tries[i].layout]);
		if (tries[i].bar && len + 1 + MIN_BAR <= room) {
			bar = tries[i].layout;
			break;
		}
		if (!tries[i].bar && len <= room) {
			snprintf(buf, size, "%s", text[tries[i].layout]);
			return;
		}
	}
	if (bar < 0) {
		/* not even the count fits: what does */
		snprintf(buf, size, "%.*s", (int)room, text[NLAYOUTS - 1]);
		return;
	}
	barw = room - strlen(text[bar]) - 1;
	if (barw > MAX_BAR)
		barw = MAX_BAR;
	barw -= 2; /* the brackets */
	filled = p->total_tables ? p->done_tables * barw / p->total_tables
				 : barw;
	if (filled > barw)
		filled = barw;
	len = 0;
	if (size > barw + 3) {
		buf[len++] = '[';
		for (k = 0; k < barw; k++)
			buf[len++] = k < filled ? '#' : '.';
		buf[len++] = ']';
		buf[len++] = ' ';
	}
	snprintf(buf + len, size - len, "%s", text[bar]);
}

static void draw(struct progress *p, int force)
{
	double now = progress_now();
	char line[PROGRESS_MAX_WIDTH];

	if (p->mode == PROGRESS_EVENTS)
		tell(p);
	if (p->mode != PROGRESS_BAR || p->finished ||
	    (!force && now - p->last_draw < 0.1))
		return;
	p->last_draw = now;
	/* at most PROGRESS_MAX_WIDTH columns, whatever the terminal */
	progress_format(p, now, p->width, line, sizeof(line));
	fprintf(stderr, "\r\033[K%s", line);
	fflush(stderr);
	p->drawn = 1;
	p->drawn_len = (unsigned)strlen(line);
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

void progress_rows(struct progress *p, unsigned long long rows,
		   unsigned long long bytes)
{
	p->rows += rows;
	p->bytes += bytes;
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
	{
		/* every class that happened, so the counts add up to the
		 * total (data has no trivial, schema no empty) */
		static const enum change_class order[] = {
			CLASS_NEW, CLASS_SIGNIFICANT, CLASS_TRIVIAL,
			CLASS_UNCHANGED, CLASS_EMPTY, CLASS_MISSING,
			CLASS_REMOVED,
		};
		struct strbuf sb = STRBUF_INIT;
		unsigned total = 0, some = 0;
		size_t k;

		for (k = 0; k < CLASS_COUNT; k++)
			total += c[k];
		strbuf_addf(&sb, "rhizome: %s: %u tables in %.2f s: ", env,
			    total, seconds);
		for (k = 0; k < sizeof(order) / sizeof(order[0]); k++)
			if (c[order[k]] > 0)
				strbuf_addf(&sb, "%s%u %s", some++ ? ", " : "",
					    c[order[k]], classify_name(order[k]));
		if (c[CLASS_ERROR] > 0 || total == 0)
			strbuf_addf(&sb, "%s%u error%s", some ? ", " : "",
				    c[CLASS_ERROR], c[CLASS_ERROR] == 1 ? "" : "s");
		if (first_error != NULL)
			strbuf_addf(&sb, "\nrhizome: %s: first error: %s", env,
				    first_error);
		progress_log(p, sb.data);
		strbuf_release(&sb);
	}
}

/* A log line as it goes to stderr: whole for a log, wrapped at the
 * terminal's width above a bar (each of its own lines). */
static void put_line(struct progress *p, const char *line)
{
	struct strbuf sb = STRBUF_INIT, part = STRBUF_INIT;
	const char *s = line;

	if (p->mode != PROGRESS_BAR) {
		fprintf(stderr, "%s\n", line);
		return;
	}
	for (;;) {
		size_t n = strcspn(s, "\n");

		strbuf_reset(&part);
		strbuf_add(&part, s, n);
		termtext_wrap(&sb, part.data, p->width > 1 ? p->width - 1 : 1,
			      NULL, "    ");
		if (s[n] == '\0')
			break;
		s += n + 1;
	}
	fputs(sb.data, stderr);
	strbuf_release(&part);
	strbuf_release(&sb);
}

void progress_log(struct progress *p, const char *line)
{
	if (p->mode == PROGRESS_EVENTS) {
		fprintf(stderr, "%s\n", line); /* wrapped as a message */
		return;
	}
	clear(p);
	put_line(p, line);
	draw(p, 1);
}

/* The terminal's new width, and the old bar cleared: a terminal that
 * reflows (tmux, VTE, kitty, iTerm2) has wrapped it onto as many rows as
 * the narrower width needs, the cursor on the last, so go up to the first
 * and clear from there. One that truncates instead (xterm, screen, the
 * Linux console) loses that many lines above the bar: the bar's cap
 * (PROGRESS_MAX_WIDTH) keeps them few (none above 80 columns, one from 80
 * to 40). */
static void apply_resize(struct progress *p)
{
	unsigned old = p->drawn_len, rows;

	p->width = termtext_columns(STDERR_FILENO, p->width);
	if (!p->drawn)
		return;
	rows = p->width > 0 ? (old + p->width - 1) / p->width : 1;
	fputs("\r", stderr);
	while (rows-- > 1)
		fputs("\033[A", stderr);
	fputs("\033[J", stderr);
	p->drawn = 0;
	draw(p, 1);
}

/* lines: a bulk export says how far it got every ten seconds */
static void rows_line(struct progress *p)
{
	double now = progress_now(), elapsed = now - p->started;
	char b[16], r[16], br[16];
	struct strbuf sb = STRBUF_INIT;

	if (now - p->last_line < 10 || elapsed <= 0)
		return;
	p->last_line = now;
	progress_bytes(b, sizeof(b), (double)p->bytes);
	count_short(r, sizeof(r), (double)p->rows / elapsed);
	progress_bytes(br, sizeof(br), (double)p->bytes / elapsed);
	strbuf_addf(&sb, "rhizome: %llu rows, %s written, %zu/%zu tables done "
		    "(%s rows/s, %s/s)", p->rows, b, p->done_tables,
		    p->total_tables, r, br);
	put_line(p, sb.data);
	strbuf_release(&sb);
}

void progress_tick(struct progress *p)
{
	if (p->mode == PROGRESS_LINES && p->bulk && !p->finished)
		rows_line(p);
	if (p->mode != PROGRESS_BAR || p->finished)
		return;
	if (__atomic_exchange_n(&p->resize_pending, 0, __ATOMIC_SEQ_CST))
		apply_resize(p);
	/* the first frame too: a slow connect shows the clock running */
	if (!p->drawn || progress_now() - p->last_draw >= 0.5)
		draw(p, 1);
}

void progress_note_resize(struct progress *p)
{
	__atomic_store_n(&p->resize_pending, 1, __ATOMIC_SEQ_CST);
}

void progress_finish(struct progress *p)
{
	clear(p);
	p->finished = 1; /* a line logged after this gets no bar under it */
	fflush(stderr);
}
