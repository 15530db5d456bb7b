/*
 * One pass over the pairs computes each status; the text and JSON layouts
 * then read the same table. Statuses follow SPEC: no schema file is
 * missing; schema and data (and model/emplacement where configured) are
 * complete; all but data is ready for data; data present with emplacement
 * or model absent is missing emplacement; the rest is schema only.
 */
#include "engine/commands/report.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "engine/base/alloc.h"
#include "engine/base/strbuf.h"
#include "engine/base/jsontext.h"
#include "engine/base/strsort.h"
#include "engine/commands/tablefiles.h"
#include "engine/output/termtext.h"
#include "engine/store/runlog.h"
#include "engine/store/snapshot.h"

/* A model or emplacement file: the JSON's null, false and true. */
enum optional_file { FILE_UNCONFIGURED, FILE_ABSENT, FILE_PRESENT };

struct pair {
	const struct env_config *env;
	char *table;            /* owned */
	char *shown;            /* owned: the table's name for a terminal
				 * (strbuf_add_escaped: a server's name may
				 * hold control characters) */
	int schema, data;
	int absent;             /* missing from its environment at the last
				 * schema sync: nothing to fetch */
	int empty;              /* no rows at the last data sync: no file */
	enum optional_file model, emplacement;
	enum report_status status;
};

static const char *const names[REPORT_STATUS_COUNT] = {
	"complete", "ready_for_data", "missing_emplacement", "schema_only",
	"missing",
};
/* ⚠ without its emoji selector U+FE0F (SPEC allows it): with it, terminals
 * disagree on its width (tmux draws one cell, some two); without it, it is
 * one cell as termtext counts it, so the columns after it stay aligned.
 * The text layout alone uses these: the JSON names statuses. */
static const char *const icons[REPORT_STATUS_COUNT] = {
	"\xe2\x9c\x85", "\xe2\x9a\xa0", "\xf0\x9f\x94\xb6",
	"\xf0\x9f\x93\x84", "\xe2\x9d\x8c",
};
static const char *const ascii_icons[REPORT_STATUS_COUNT] = {
	"ok", "data?", "empl?", "sql", "--",
};
static const char *const meanings[REPORT_STATUS_COUNT] = {
	"complete", "ready for data sync", "missing emplacement",
	"schema only", "missing",
};

/* A name as a terminal may show it: control characters escaped. Caller
 * frees. */
static char *escaped_name(const char *name)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_add_escaped(&sb, name);
	strbuf_adds(&sb, ""); /* never NULL, even for "" */
	return strbuf_detach(&sb, NULL);
}

char *report_expand(const char *tmpl, const struct fleet_config *cfg,
		    const char *out, const struct env_config *env,
		    const char *table)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p = tmpl;

	if (tmpl[0] != '/' && strncmp(tmpl, "{out}", 5) != 0)
		strbuf_adds(&sb, cfg->dir);
	while (*p) {
		if (strncmp(p, "{out}", 5) == 0) {
			strbuf_adds(&sb, out);
			p += 5;
		} else if (strncmp(p, "{folder}", 8) == 0) {
			strbuf_adds(&sb, env->folder);
			p += 8;
		} else if (strncmp(p, "{database}", 10) == 0) {
			strbuf_adds(&sb, env->database);
			p += 10;
		} else if (strncmp(p, "{table}", 7) == 0) {
			strbuf_adds(&sb, table);
			p += 7;
		} else {
			strbuf_add(&sb, p++, 1);
		}
	}
	return strbuf_detach(&sb, NULL);
}

static int exists(char *path)
{
	int ok = access(path, F_OK) == 0;

	free(path);
	return ok;
}

/* The file that path template `tmpl` (NULL: not configured) names. */
static enum optional_file optional_file(const struct report_opts *o,
					const char *tmpl,
					const struct env_config *env,
					const char *table)
{
	if (tmpl == NULL)
		return FILE_UNCONFIGURED;
	return exists(report_expand(tmpl, o->cfg, o->out, env, table))
		       ? FILE_PRESENT : FILE_ABSENT;
}

static void classify_pair(struct pair *p)
{
	int others_ok = p->model != FILE_ABSENT && p->emplacement != FILE_ABSENT;
	/* An empty table has no data file by design: its data is done. */
	int data = p->data || p->empty;

	/* absent from its environment at the last sync: a snapshot left from
	 * before the table was dropped does not make it there */
	if (!p->schema || p->absent)
		p->status = REPORT_MISSING;
	else if (data && others_ok)
		p->status = REPORT_COMPLETE;
	else if (!data && others_ok)
		p->status = REPORT_READY_FOR_DATA;
	else if (data)
		p->status = REPORT_MISSING_EMPLACEMENT;
	else
		p->status = REPORT_SCHEMA_ONLY;
}

/* The manifest lists `a` and `b` of an environment entry, one after the
 * other (a new reference; an empty array when absent or malformed). */
static json_t *take_lists(json_t *env, const char *a, const char *b)
{
	json_t *la = json_object_get(env, a), *lb = json_object_get(env, b);
	json_t *list = json_array();

	if (json_is_array(la))
		json_array_extend(list, la);
	if (b != NULL && json_is_array(lb))
		json_array_extend(list, lb);
	return list;
}

/* The names of `seen` (an array of strings) that env's list still
 * leaves unlisted (tablelist_unlisted). A new reference. */
static json_t *still_unlisted(const struct env_config *env, json_t *seen)
{
	json_t *out = json_array(), *t;
	size_t k;

	json_array_foreach(seen, k, t)
		if (json_is_string(t) &&
		    tablelist_unlisted(env->tables, json_string_value(t)))
			json_array_append(out, t);
	return out;
}

/*
 * From the newest published runs, each selected environment's tables
 * absent from its server ("missing" and "removed") at its last sync of
 * either kind, and its "empty" list of its last data sync (see the
 * manifest). Entries stay NULL when no run covered the environment.
 * `unlisted` gets, per environment whose last sync saw its server's
 * tables, {"run_id", "tables": the unlisted ones the config still leaves
 * unlisted}.
 */
static void load_last_runs(const struct report_opts *o, json_t **missing,
			   json_t **empty, json_t *unlisted)
{
	struct runlog runs;
	size_t i;

	if (runlog_load(o->history, &runs) != 0) {
		runlog_release(&runs);
		return; /* an unreadable history only counts as absent */
	}
	for (i = 0; i < o->nenvs; i++) {
		const char *name = o->envs[i]->name;
		const struct runlog_entry *last = runlog_last_sync(&runs, name);
		const struct runlog_entry *d = runlog_last(&runs, name, "data");

		if (last != NULL)
			missing[i] = take_lists(runlog_env(last, name), "missing",
						"removed");
		/* what the server had that no list names, when it was seen,
		 * less what the config names since (pasted from `rhizome
		 * tables`, say) */
		if (last != NULL && json_is_array(json_object_get(
			runlog_env(last, name), "unlisted")))
			json_object_set_new(unlisted, name, json_pack(
				"{s:s, s:o}", "run_id", last->id, "tables",
				still_unlisted(o->envs[i], json_object_get(
					runlog_env(last, name), "unlisted"))));
		if (d != NULL)
			empty[i] = take_lists(runlog_env(d, name), "empty", NULL);
	}
	runlog_release(&runs);
}

static struct pair *collect(const struct report_opts *o, size_t *npairs,
			    json_t *unlisted)
{
	const struct fleet_config *cfg = o->cfg;
	struct pair *pairs = NULL;
	json_t **missing, **empty;
	size_t i, j, n = 0;

	missing = xcalloc(o->nenvs, sizeof(*missing));
	empty = xcalloc(o->nenvs, sizeof(*empty));
	load_last_runs(o, missing, empty, unlisted);
	for (i = 0; i < o->nenvs; i++) {
		const struct env_config *env = o->envs[i];
		char **tables;
		size_t ntables = tablefiles_of_env(o->out, cfg, env, &tables);

		pairs = xrealloc(pairs, (n + ntables + 1) * sizeof(*pairs));
		for (j = 0; j < ntables; j++) {
			struct pair *p = &pairs[n++];
			const char *t = tables[j];

			memset(p, 0, sizeof(*p));
			p->env = env;
			p->table = tables[j]; /* taken */
			p->shown = escaped_name(p->table);
			p->schema = exists(snapshot_table_path(o->out, env->folder,
						env->database, t, ".sql"));
			p->data = exists(snapshot_table_path(o->out, env->folder,
						env->database, t, ".json"));
			p->model = optional_file(o, cfg->model, env, t);
			p->emplacement = optional_file(o, cfg->emplacement, env, t);
			p->absent = jsontext_list_has(missing[i], t);
			p->empty = !p->data && jsontext_list_has(empty[i], t);
			classify_pair(p);
		}
		free(tables);
		json_decref(missing[i]);
		json_decref(empty[i]);
	}
	free(missing);
	free(empty);
	*npairs = n;
	return pairs;
}

/* ---- recommendations ---------------------------------------------------- */

struct advice {
	const char *command;    /* the sync command, or NULL */
	enum report_status status;
	const char *what;
};

static const struct advice advice[] = {
	{ "data", REPORT_READY_FOR_DATA, "ready for data" },
	{ "schema", REPORT_MISSING, "without a schema snapshot" },
	{ NULL, REPORT_MISSING_EMPLACEMENT,
	  "with data but no emplacement (or model) file" },
	{ NULL, REPORT_SCHEMA_ONLY,
	  "with a schema only: add their model/emplacement files, then sync data" },
};

/* One piece of advice for one environment's tables. */
struct rec {
	const struct advice *advice;
	const struct env_config *env;
	json_t *tables;         /* owned: their names */
	char reason[200];
};

/* Every recommendation, advice by advice, environment by environment
 * (caller frees with free_recs). */
static struct rec *recommend(const struct report_opts *o,
			     const struct pair *pairs, size_t n, size_t *nrecs)
{
	struct rec *recs = NULL;
	size_t a, i, j, r = 0;

	for (a = 0; a < sizeof(advice) / sizeof(advice[0]); a++) {
		for (i = 0; i < o->nenvs; i++) {
			json_t *tables = json_array();

			for (j = 0; j < n; j++)
				if (pairs[j].env == o->envs[i] &&
				    pairs[j].status == advice[a].status &&
				    !pairs[j].absent)
					json_array_append_new(tables,
						json_string(pairs[j].table));
			if (json_array_size(tables) == 0) {
				json_decref(tables);
				continue;
			}
			recs = xrealloc(recs, (r + 1) * sizeof(*recs));
			recs[r].advice = &advice[a];
			recs[r].env = o->envs[i];
			recs[r].tables = tables;
			snprintf(recs[r].reason, sizeof(recs[r].reason),
				 "%zu table%s %s", json_array_size(tables),
				 json_array_size(tables) == 1 ? "" : "s",
				 advice[a].what);
			r++;
		}
	}
	*nrecs = r;
	return recs;
}

static void free_recs(struct rec *recs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		json_decref(recs[i].tables);
	free(recs);
}

/* What a shell word may hold unquoted. */
static const char shell_plain[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_./=:-";

/* Append s[0..len) as one shell word: as it is when every byte is plain,
 * else in single quotes (a ' inside as '\''). */
static void shell_quote(struct strbuf *sb, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (memchr(shell_plain, s[i], sizeof(shell_plain) - 1) == NULL)
			break;
	if (len > 0 && i == len) {
		strbuf_add(sb, s, len);
		return;
	}
	strbuf_adds(sb, "'");
	for (i = 0; i < len; i++) {
		if (s[i] == '\'')
			strbuf_adds(sb, "'\\''");
		else
			strbuf_add(sb, s + i, 1);
	}
	strbuf_adds(sb, "'");
}

#define COMMAND_WORDS 9

/* The words, unquoted and borrowed, of `rhizome ... sync VERB --env ENV`
 * into w[COMMAND_WORDS]: the --config and --out the user gave come again,
 * so that the command reads the same fleet and writes the same tree.
 * Returns how many. */
static size_t command_words(const struct report_opts *o, const char *verb,
			    const struct env_config *env, const char **w)
{
	size_t n = 0;

	w[n++] = "rhizome";
	if (o->config_arg != NULL) {
		w[n++] = "--config";
		w[n++] = o->config_arg;
	}
	if (o->out_arg != NULL) {
		w[n++] = "--out";
		w[n++] = o->out_arg;
	}
	w[n++] = "sync";
	w[n++] = verb;
	w[n++] = "--env";
	w[n++] = env->name;
	return n;
}

/*
 * The recommendations of one advice (recs[0..n), consecutive in
 * recommend's order) as one command: `sync data` for every environment
 * that needs it, so a fleet of 7 gets one line to paste, not 7. Without
 * --env when they are all the config's environments. The words are
 * borrowed; the array is the caller's to free.
 */
static const char **group_words(const struct report_opts *o,
				const struct rec *recs, size_t n, size_t *nw)
{
	const char **w = xcalloc(COMMAND_WORDS + 2 * n, sizeof(*w));
	size_t k, i;

	k = command_words(o, recs[0].advice->command, recs[0].env, w);
	if (n == 1) {
		*nw = k;
		return w;
	}
	k -= 2;
	if (n < o->cfg->nenvs)
		for (i = 0; i < n; i++) {
			w[k++] = "--env";
			w[k++] = recs[i].env->name;
		}
	*nw = k;
	return w;
}

/* The command line of recs[0..n) (one advice), shell-quoted, into *line. */
static void group_line(const struct report_opts *o, const struct rec *recs,
		       size_t n, struct strbuf *line)
{
	size_t nw, k;
	const char **w = group_words(o, recs, n, &nw);

	strbuf_reset(line);
	for (k = 0; k < nw; k++) {
		if (k > 0)
			strbuf_adds(line, " ");
		shell_quote(line, w[k], strlen(w[k]));
	}
	free(w);
}

static json_t *recommendations_json(const struct report_opts *o,
				    const struct rec *recs, size_t nrecs)
{
	json_t *list = json_array();
	struct strbuf line = STRBUF_INIT;
	size_t i;

	for (i = 0; i < nrecs; i++) {
		/* one entry per environment; a path the user gave need not
		 * be UTF-8 */
		if (recs[i].advice->command != NULL)
			group_line(o, &recs[i], 1, &line);
		json_array_append_new(list, json_pack(
			"{s:o, s:s, s:s, s:O}", "command",
			recs[i].advice->command != NULL
				? jsontext_string(line.data) : json_null(),
			"env", recs[i].env->name, "reason", recs[i].reason,
			"tables", recs[i].tables));
	}
	strbuf_release(&line);
	return list;
}

/* ---- JSON --------------------------------------------------------------- */

static json_t *optional_file_json(enum optional_file f)
{
	return f == FILE_UNCONFIGURED ? json_null()
				      : json_boolean(f == FILE_PRESENT);
}

static json_t *counts_json(const struct pair *pairs, size_t n)
{
	size_t c[REPORT_STATUS_COUNT] = { 0 }, i, absent;
	json_t *j;

	for (i = 0; i < n; i++)
		c[pairs[i].status]++;
	j = json_pack("{s:I, s:I, s:I}", "complete", (json_int_t)c[REPORT_COMPLETE],
		      "partial", (json_int_t)(c[REPORT_READY_FOR_DATA] +
					      c[REPORT_MISSING_EMPLACEMENT] +
					      c[REPORT_SCHEMA_ONLY]),
		      "missing", (json_int_t)c[REPORT_MISSING]);
	for (i = 0; i < REPORT_STATUS_COUNT; i++)
		json_object_set_new(j, names[i], json_integer((json_int_t)c[i]));
	for (i = 0, absent = 0; i < n; i++)
		absent += pairs[i].absent;
	json_object_set_new(j, "absent", json_integer((json_int_t)absent));
	return j;
}

static int write_json(const struct report_opts *o, const struct pair *pairs,
		      size_t n, const struct rec *recs, size_t nrecs,
		      json_t *unlisted, FILE *fp)
{
	json_t *root = json_object(), *list = json_array(), *envs = json_array();
	size_t i;
	int rc;

	for (i = 0; i < o->nenvs; i++)
		json_array_append_new(envs, json_string(o->envs[i]->name));
	for (i = 0; i < n; i++)
		json_array_append_new(list, json_pack(
			"{s:s, s:s, s:s, s:s, s:s, s:b, s:b, s:o, s:o, s:b, s:b}",
			"env", pairs[i].env->name, "folder", pairs[i].env->folder,
			"database", pairs[i].env->database, "table", pairs[i].table,
			"status", names[pairs[i].status], "schema", pairs[i].schema,
			"data", pairs[i].data, "model",
			optional_file_json(pairs[i].model), "emplacement",
			optional_file_json(pairs[i].emplacement),
			"absent", pairs[i].absent, "empty", pairs[i].empty));
	json_object_set_new(root, "environments", envs);
	json_object_set_new(root, "pairs", list);
	json_object_set_new(root, "summary", counts_json(pairs, n));
	json_object_set_new(root, "recommendations",
			    recommendations_json(o, recs, nrecs));
	json_object_set(root, "unlisted", unlisted);
	rc = json_dumpf(root, fp, JSON_INDENT(2));
	json_decref(root);
	if (rc != 0 || fputc('\n', fp) == EOF)
		return -EIO;
	return 0;
}

/* ---- text --------------------------------------------------------------- */

/*
 * Everything is measured in terminal cells (termtext), never in bytes: an
 * icon takes 1 or 2 cells, a name may be non-ASCII. No line is wider than
 * the width given; below 20 cells it is taken as 20, as termtext_wrap
 * does, so that every paragraph here agrees with it.
 */

static const char *icon(const struct report_opts *o, enum report_status s)
{
	return o->ascii ? ascii_icons[s] : icons[s];
}

static size_t text_width(const struct report_opts *o)
{
	return o->width < 20 ? 20 : o->width;
}

/* Append first + text + "\n" as it is when that fits in `width`, else
 * wrapped by words (termtext_wrap, which makes every space one: a line
 * that fits keeps its spacing). */
static void put_line(struct strbuf *sb, const char *text, size_t width,
		     const char *first, const char *indent)
{
	if (termtext_width(first) + termtext_width(text) <= width) {
		strbuf_adds(sb, first);
		strbuf_adds(sb, text);
		strbuf_adds(sb, "\n");
	} else {
		termtext_wrap(sb, text, width, first, indent);
	}
}

/*
 * A line filled item by item (the legend, an environment's counts), so
 * that an icon stays with what it stands for: an item goes on the line
 * when it fits, else on a new one after `indent`; an item wider than a
 * whole line is wrapped by words.
 */
struct flow {
	struct strbuf *sb;
	size_t width, col;      /* col: cells on the current line */
	const char *lead;       /* what the current line starts with */
	const char *indent;
	int fresh;              /* nothing but the lead on it yet */
};

static void flow_start(struct flow *f, struct strbuf *sb, size_t width,
		       const char *first, const char *indent)
{
	f->sb = sb;
	f->width = width;
	f->lead = first;
	f->indent = indent;
	f->col = termtext_width(first);
	f->fresh = 1;
	strbuf_adds(sb, first);
}

/* Add `item`, after `sep` unless it starts a line. */
static void flow_add(struct flow *f, const char *sep, const char *item)
{
	size_t w = termtext_width(item), sw = termtext_width(sep), k;
	struct strbuf tmp = STRBUF_INIT;

	if (!f->fresh && f->col + sw + w > f->width) {
		strbuf_adds(f->sb, "\n");
		strbuf_adds(f->sb, f->indent);
		f->lead = f->indent;
		f->col = termtext_width(f->indent);
		f->fresh = 1;
	}
	if (f->col + (f->fresh ? 0 : sw) + w <= f->width) {
		if (!f->fresh) {
			strbuf_adds(f->sb, sep);
			f->col += sw;
		}
		strbuf_adds(f->sb, item);
		f->col += w;
		f->fresh = 0;
		return;
	}
	/* here the line holds its lead alone: wrap after it, and go on
	 * from the end of the last line */
	termtext_wrap(&tmp, item, f->width, f->lead, f->indent);
	tmp.len--; /* its '\n': flow_end ends the line */
	strbuf_add(f->sb, tmp.data + strlen(f->lead), tmp.len - strlen(f->lead));
	for (k = tmp.len; k > 0 && tmp.data[k - 1] != '\n'; k--)
		;
	f->col = termtext_width_n(tmp.data + k, tmp.len - k);
	if (k > 0)
		f->lead = f->indent;
	f->fresh = 0;
	strbuf_release(&tmp);
}

static void flow_end(struct flow *f)
{
	strbuf_adds(f->sb, "\n");
}

/*
 * Shell word s, too wide for the rest of the line at `col`, in pieces:
 * each quoted on its own and ended by a bare backslash, the next at the
 * start of a line. The shell removes backslash-newline even inside a
 * word, so the pieces paste as one word (an indent would split it).
 * `after`: cells to leave free after the last piece. Returns the column
 * the last piece ends at.
 */
static size_t put_cut_word(struct strbuf *sb, const char *s, size_t col,
			   size_t width, size_t after)
{
	struct strbuf q = STRBUF_INIT;
	size_t len = strlen(s), cells, cut, c;

	for (;;) {
		strbuf_reset(&q);
		shell_quote(&q, s, len);
		if (col + termtext_width(q.data) + after <= width)
			break; /* the rest fits */
		/* the longest piece that fits with its backslash */
		for (cells = width - col, cut = 0; cells > 0 && cut == 0; cells--) {
			c = termtext_fit(s, len, cells);
			if (c == 0 || c == len)
				continue;
			strbuf_reset(&q);
			shell_quote(&q, s, c);
			if (col + termtext_width(q.data) + 1 <= width)
				cut = c;
		}
		if (cut == 0 && col == 0) {
			/* no piece fits a whole line (a width below any
			 * quoted character): keep the rest whole */
			strbuf_reset(&q);
			shell_quote(&q, s, len);
			break;
		}
		if (cut > 0)
			strbuf_add(sb, q.data, q.len);
		strbuf_adds(sb, "\\\n");
		col = 0;
		s += cut;
		len -= cut;
	}
	strbuf_add(sb, q.data, q.len);
	col += termtext_width(q.data);
	strbuf_release(&q);
	return col;
}

/*
 * Append the command of words w[0..n) (unquoted: each is quoted here) so
 * that the lines paste into a shell as that one command: broken between
 * words, each line but the last ending in " \", the next ones after
 * `indent`; an option goes to a new line with its value where that keeps
 * them together. A word wider than a line is cut (put_cut_word), and the
 * words after it start a new line.
 */
static void put_command(struct strbuf *sb, const char *const *w, size_t n,
			size_t width, const char *lead, const char *indent)
{
	struct strbuf q = STRBUF_INIT;
	size_t k, col = termtext_width(lead), ind = termtext_width(indent);
	size_t qw, after, unit, unit_after;
	int fresh = 1, was_cut = 0, brk;

	strbuf_adds(sb, lead);
	for (k = 0; k < n; k++) {
		/* room for the " \" should the next word need a new line */
		after = k + 1 < n ? 2 : 0;
		strbuf_reset(&q);
		shell_quote(&q, w[k], strlen(w[k]));
		qw = unit = termtext_width(q.data);
		unit_after = after;
		if (w[k][0] == '-' && k + 1 < n && w[k + 1][0] != '-') {
			struct strbuf v = STRBUF_INIT;

			shell_quote(&v, w[k + 1], strlen(w[k + 1]));
			unit += 1 + termtext_width(v.data);
			unit_after = k + 2 < n ? 2 : 0;
			strbuf_release(&v);
		}
		/* a new line only where it helps: what does not fit here
		 * does there */
		brk = was_cut ||
		      (col + 1 + qw + after > width && ind + qw + after <= width) ||
		      (col + 1 + unit + unit_after > width &&
		       ind + unit + unit_after <= width);
		if (!fresh && brk) {
			strbuf_adds(sb, " \\\n");
			strbuf_adds(sb, indent);
			col = ind;
			fresh = 1;
		}
		if (!fresh) {
			strbuf_adds(sb, " ");
			col++;
		}
		was_cut = col + qw + after > width;
		if (!was_cut) {
			strbuf_add(sb, q.data, q.len);
			col += qw;
		} else {
			col = put_cut_word(sb, w[k], col, width, after);
		}
		fresh = 0;
	}
	strbuf_adds(sb, "\n");
	strbuf_release(&q);
}

/* The rows of database `tl`'s matrix: its literal names in list order,
 * then the tables its globs gave any of the columns, in name order.
 * Borrowed from `tl` and `pairs`; the array is the caller's. */
static const char **matrix_rows(const struct pair *pairs, size_t n,
				const struct env_config *const *cols,
				size_t ncols, const struct table_list *tl,
				size_t *nrows)
{
	const char **rows = xcalloc(tl->neffective + n + 1, sizeof(*rows));
	size_t r = 0, k, i, j, extra;

	for (k = 0; k < tl->neffective; k++)
		rows[r++] = tl->effective[k];
	extra = r;
	for (k = 0; k < n && tl->npatterns > 0; k++) {
		for (i = 0; i < ncols && pairs[k].env != cols[i]; i++)
			;
		if (i == ncols)
			continue;
		for (j = 0; j < r && strcmp(rows[j], pairs[k].table) != 0; j++)
			;
		if (j == r)
			rows[r++] = pairs[k].table;
	}
	qsort(rows + extra, r - extra, sizeof(*rows), strsort_compare);
	*nrows = r;
	return rows;
}

/*
 * A matrix per logical database: its tables as rows, the environments
 * that serve it (by folder) as columns. Returns 0 when it did not fit.
 * Every cell is padded by its width in cells, so column i starts at cell
 * name_w + 2 + i * cell in the header and in every row. A line is at most
 * name_w + 2 + ncols * cell wide: the last column is not padded, and
 * holds a folder (cell - 2 wide at most) or an icon (cell >= 8 > an
 * icon's 5).
 */
static int write_matrix(const struct report_opts *o, const struct pair *pairs,
			size_t n, FILE *fp, int check_only)
{
	size_t d, i, j, k, nrows;
	const struct fleet_config *cfg = o->cfg;
	const char **rows;

	for (d = 0; d < cfg->nlists; d++) {
		const struct table_list *tl = &cfg->lists[d];
		const struct env_config *cols[64];
		size_t ncols = 0, name_w = termtext_width(tl->database);
		size_t cell = 8, width;

		for (i = 0; i < o->nenvs && ncols < 64; i++)
			if (o->envs[i]->tables == tl)
				cols[ncols++] = o->envs[i];
		if (ncols == 0)
			continue;
		rows = matrix_rows(pairs, n, cols, ncols, tl, &nrows);
		for (j = 0; j < nrows; j++) {
			char *shown = escaped_name(rows[j]);

			if (termtext_width(shown) + 2 > name_w)
				name_w = termtext_width(shown) + 2;
			free(shown);
		}
		for (i = 0; i < ncols; i++)
			if (termtext_width(cols[i]->folder) + 2 > cell)
				cell = termtext_width(cols[i]->folder) + 2;
		width = name_w + 2 + ncols * cell;
		if (check_only) {
			free(rows);
			if (width > o->width)
				return 0;
			continue;
		}
		termtext_pad(fp, tl->database, name_w + 2);
		for (i = 0; i < ncols; i++)
			termtext_pad(fp, cols[i]->folder, i + 1 < ncols ? cell : 0);
		fputc('\n', fp);
		for (j = 0; j < nrows; j++) {
			char *shown = escaped_name(rows[j]);

			fputs("  ", fp);
			termtext_pad(fp, shown, name_w);
			free(shown);
			for (i = 0; i < ncols; i++) {
				for (k = 0; k < n; k++)
					if (pairs[k].env == cols[i] &&
					    strcmp(pairs[k].table, rows[j]) == 0)
						break;
				/* "-": not one of its tables (a glob's
				 * table another environment has) */
				termtext_pad(fp, k == n ? "-"
					     : icon(o, pairs[k].status),
					     i + 1 < ncols ? cell : 0);
			}
			fputc('\n', fp);
		}
		fputc('\n', fp);
		free(rows);
	}
	return 1;
}

/* Too wide for a matrix: one block per environment, its counts (which add
 * up to its pairs), then only the tables that are not complete. */
static void write_grouped(const struct report_opts *o, const struct pair *pairs,
			  size_t n, struct strbuf *sb)
{
	struct strbuf line = STRBUF_INIT;
	struct flow f;
	size_t i, k, total;
	char item[64];
	int s, first;

	for (i = 0; i < o->nenvs; i++) {
		size_t c[REPORT_STATUS_COUNT] = { 0 };

		for (k = 0, total = 0; k < n; k++)
			if (pairs[k].env == o->envs[i]) {
				c[pairs[k].status]++;
				total++;
			}
		strbuf_reset(&line);
		strbuf_addf(&line, "%s (%s):", o->envs[i]->name,
			    o->envs[i]->folder);
		flow_start(&f, sb, text_width(o), "", "    ");
		flow_add(&f, "", line.data);
		snprintf(item, sizeof(item), "%zu pair%s:", total,
			 total == 1 ? "" : "s");
		flow_add(&f, " ", item);
		for (s = 0, first = 1; s < REPORT_STATUS_COUNT; s++) {
			if (c[s] == 0)
				continue;
			snprintf(item, sizeof(item), "%s %zu", icon(o, s), c[s]);
			flow_add(&f, first ? " " : "  ", item);
			first = 0;
		}
		flow_end(&f);
		for (k = 0; k < n; k++) {
			if (pairs[k].env != o->envs[i] ||
			    pairs[k].status == REPORT_COMPLETE)
				continue;
			strbuf_reset(&line);
			strbuf_addf(&line, "  %s ", icon(o, pairs[k].status));
			put_line(sb, pairs[k].shown, text_width(o), line.data,
				 "    ");
		}
	}
	strbuf_adds(sb, "\n");
	strbuf_release(&line);
}

/* The unlisted tables of each environment at its last sync, wrapped. */
static void write_unlisted(const struct report_opts *o, json_t *unlisted,
			   struct strbuf *sb)
{
	struct strbuf list = STRBUF_INIT;
	const char *env;
	json_t *u, *t;
	size_t k, some = 0;

	json_object_foreach(unlisted, env, u)
		some += json_array_size(json_object_get(u, "tables"));
	if (some == 0)
		return; /* none, or all listed since */
	strbuf_adds(sb, "\n");
	termtext_wrap(sb, "Unlisted: tables the servers had at the last sync "
		      "that no table list names or excludes (rhizome tables "
		      "prints the lines to add):", text_width(o), NULL, "  ");
	json_object_foreach(unlisted, env, u) {
		json_t *tables = json_object_get(u, "tables");

		if (json_array_size(tables) == 0)
			continue;
		strbuf_reset(&list);
		strbuf_addf(&list, "%s:", env);
		json_array_foreach(tables, k, t) {
			strbuf_adds(&list, " ");
			strbuf_add_escaped(&list, json_is_string(t)
					   ? json_string_value(t) : "?");
			strbuf_adds(&list, k + 1 < json_array_size(tables) ? ","
								       : "");
		}
		termtext_wrap(sb, list.data, text_width(o), "  ", "    ");
	}
	strbuf_release(&list);
}

/* The end of the run of one advice that starts at recs[i]. */
static size_t group_end(const struct rec *recs, size_t nrecs, size_t i)
{
	size_t j;

	for (j = i + 1; j < nrecs && recs[j].advice == recs[i].advice; j++)
		;
	return j;
}

/*
 * What to run next. A command and its reason share a line when they fit
 * (the reasons aligned after the widest command); else the command has
 * its lines (put_command) and the reason follows as a comment, so that
 * the whole block still pastes into a shell.
 */
static void write_next(const struct report_opts *o, const struct rec *recs,
		       size_t nrecs, struct strbuf *sb)
{
	size_t width = text_width(o), i, j, n, nw, tables, cmd_w = 0;
	struct strbuf text = STRBUF_INIT, line = STRBUF_INIT;
	const char **w;

	/* the reasons after the widest command, as a column */
	for (i = 0; i < nrecs; i = group_end(recs, nrecs, i))
		if (recs[i].advice->command != NULL) {
			group_line(o, recs + i, group_end(recs, nrecs, i) - i,
				   &line);
			if (termtext_width(line.data) > cmd_w)
				cmd_w = termtext_width(line.data);
		}
	if (nrecs > 0)
		strbuf_adds(sb, "\nNext:\n");
	for (i = 0; i < nrecs; i = j) {
		const struct rec *r = &recs[i];

		j = group_end(recs, nrecs, i);
		if (r->advice->command == NULL) {
			/* nothing to run: said per environment */
			for (n = i; n < j; n++) {
				strbuf_reset(&text);
				strbuf_addf(&text, "%s: %s", recs[n].env->name,
					    recs[n].reason);
				termtext_wrap(sb, text.data, width, "  ", "    ");
			}
			continue;
		}
		for (n = i, tables = 0; n < j; n++)
			tables += json_array_size(recs[n].tables);
		strbuf_reset(&text);
		if (j - i == 1)
			strbuf_adds(&text, r->reason);
		else
			strbuf_addf(&text, "%zu table%s %s, in %zu environments",
				    tables, tables == 1 ? "" : "s",
				    r->advice->what, j - i);
		group_line(o, r, j - i, &line);
		/* the reason in the column, else right after the command,
		 * else under it */
		if (2 + termtext_width(line.data) + 3 +
		    termtext_width(text.data) <= width) {
			size_t pad = 2 + cmd_w + 3 + termtext_width(text.data)
					     <= width ? cmd_w : 0;

			strbuf_adds(sb, "  ");
			strbuf_adds(sb, line.data);
			for (n = termtext_width(line.data); n < pad; n++)
				strbuf_adds(sb, " ");
			strbuf_addf(sb, " # %s\n", text.data);
		} else {
			w = group_words(o, r, j - i, &nw);
			put_command(sb, w, nw, width, "  ", "      ");
			termtext_wrap(sb, text.data, width, "    # ", "    # ");
			free(w);
		}
	}
	if (nrecs == 0) {
		strbuf_adds(sb, "\n");
		termtext_wrap(sb, "Nothing to do: every pair is complete (or "
			      "absent from its environment).", width, NULL, "");
	}
	strbuf_release(&text);
	strbuf_release(&line);
}

static int write_text(const struct report_opts *o, const struct pair *pairs,
		      size_t n, const struct rec *recs, size_t nrecs,
		      json_t *unlisted, FILE *fp)
{
	struct strbuf sb = STRBUF_INIT, text = STRBUF_INIT;
	size_t width = text_width(o);
	json_t *counts;
	struct flow f;
	char item[64];
	int s;

	if (write_matrix(o, pairs, n, fp, 1))
		write_matrix(o, pairs, n, fp, 0);
	else
		write_grouped(o, pairs, n, &sb);
	flow_start(&f, &sb, width, "", "  ");
	flow_add(&f, "", "Legend:");
	for (s = 0; s < REPORT_STATUS_COUNT; s++) {
		snprintf(item, sizeof(item), "%s %s%s", icon(o, s), meanings[s],
			 s + 1 < REPORT_STATUS_COUNT ? "," : "");
		flow_add(&f, " ", item);
	}
	flow_end(&f);
	counts = counts_json(pairs, n);
	strbuf_addf(&text, "Summary: %zu pairs: %lld complete, %lld partial "
		    "(%lld ready for data, %lld missing emplacement, %lld "
		    "schema only), %lld missing", n,
		    json_integer_value(json_object_get(counts, "complete")),
		    json_integer_value(json_object_get(counts, "partial")),
		    json_integer_value(json_object_get(counts, "ready_for_data")),
		    json_integer_value(json_object_get(counts,
						       "missing_emplacement")),
		    json_integer_value(json_object_get(counts, "schema_only")),
		    json_integer_value(json_object_get(counts, "missing")));
	strbuf_adds(&sb, "\n");
	termtext_wrap(&sb, text.data, width, NULL, "  ");
	if (json_integer_value(json_object_get(counts, "absent")) > 0) {
		strbuf_reset(&text);
		strbuf_addf(&text, "(%lld of the missing do not exist in their "
			    "environment at the last schema sync: nothing to "
			    "fetch)",
			    json_integer_value(json_object_get(counts, "absent")));
		termtext_wrap(&sb, text.data, width, NULL, " ");
	}
	json_decref(counts);
	write_unlisted(o, unlisted, &sb);
	write_next(o, recs, nrecs, &sb);
	fwrite(sb.data, 1, sb.len, fp);
	strbuf_release(&sb);
	strbuf_release(&text);
	return ferror(fp) ? -EIO : 0;
}

int report_write(const struct report_opts *o, FILE *fp)
{
	json_t *unlisted = json_object();
	size_t n, nrecs, i;
	struct pair *pairs = collect(o, &n, unlisted);
	struct rec *recs = recommend(o, pairs, n, &nrecs);
	int rc;

	rc = o->format == REPORT_JSON
		     ? write_json(o, pairs, n, recs, nrecs, unlisted, fp)
		     : write_text(o, pairs, n, recs, nrecs, unlisted, fp);
	free_recs(recs, nrecs);
	for (i = 0; i < n; i++) {
		free(pairs[i].table);
		free(pairs[i].shown);
	}
	free(pairs);
	json_decref(unlisted);
	if (rc == 0 && fflush(fp) != 0)
		rc = -errno;
	return rc;
}
