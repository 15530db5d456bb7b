/*
 * The [tables] sections of `rhizome tables` (see tablelines.h).
 */
#include "engine/commands/tablelines.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine/base/alloc.h"
#include "engine/base/strbuf.h"
#include "engine/base/strsort.h"
#include "environments/config.h"

/* Lines this long at most, well within inih's 200 bytes. */
#define WIDTH 78

/* Whether a `tables =` list can hold `name` (words are split at white
 * space; a glob character would read as a glob). */
static int listable(const char *name)
{
	const char *p;

	for (p = name; *p; p++)
		if (isspace((unsigned char)*p))
			return 0;
	return strpbrk(name, "*?[\\") == NULL;
}

/* Where a comment being written is: its column, and whether the line
 * has a word yet. */
struct comment {
	size_t col;
	int line_start;
	char mark;      /* ';' or '#' */
};

/* Start a comment line "; " (the first) or ";  " (the next ones), or
 * with '#' for `c->mark`. */
static void comment_line(struct strbuf *out, struct comment *c, int first)
{
	strbuf_addf(out, first ? "%c " : "\n%c  ", c->mark);
	c->col = first ? 2 : 3;
	c->line_start = 1;
}

/* How much of p[0..len) fits in `room` bytes without cutting a UTF-8
 * character or a \xNN escape (add_escaped's) in two; at least one. */
static size_t cut_at(const char *p, size_t len, size_t room)
{
	size_t n = room < len ? room : len, k;

	while (n > 1 && n < len && ((unsigned char)p[n] & 0xc0) == 0x80)
		n--;
	for (k = n >= 3 ? n - 3 : 0; k < n; k++)
		if (p[k] == '\\' && k + 1 < len && p[k + 1] == 'x' && k > 0) {
			n = k;
			break;
		}
	return n ? n : 1;
}

/* Append one item of a comment (words split at spaces): on the current
 * line if it fits, else on a new one; an item wider than a line breaks at
 * its spaces, and inside a word longer than a line, so no line passes
 * WIDTH whatever the names (inih would split it and fail). */
static void comment_item(struct strbuf *out, struct comment *c,
			 const char *item)
{
	const char *p = item;

	if (!c->line_start && c->col + 1 + strlen(item) > WIDTH)
		comment_line(out, c, 0);
	while (*p) {
		const char *space = strchr(p, ' ');
		size_t len = space ? (size_t)(space - p) : strlen(p);

		if (!c->line_start && c->col + 1 + len > WIDTH) {
			comment_line(out, c, 0);
		} else if (!c->line_start) {
			strbuf_add(out, " ", 1);
			c->col++;
		}
		c->line_start = 0;
		while (c->col + len > WIDTH) { /* one word wider than a line */
			size_t n = cut_at(p, len, WIDTH - c->col);

			strbuf_add(out, p, n);
			p += n;
			len -= n;
			comment_line(out, c, 0);
			c->line_start = 0;
		}
		strbuf_add(out, p, len);
		c->col += len;
		p += len;
		while (*p == ' ')
			p++;
	}
}

/* A comment "LABEL: a (x, y), b (z)" of the names in `names` (`where`:
 * name -> array of environments, or NULL), escaped and wrapped, each
 * name with its environments kept on one line where they fit. */
static void add_comment(struct strbuf *out, const char *label,
			const char **names, size_t n, json_t *where)
{
	struct strbuf item = STRBUF_INIT;
	struct comment c = { .mark = ';' };
	size_t i;

	if (n == 0)
		return;
	comment_line(out, &c, 1);
	strbuf_addf(&item, "%s:", label);
	comment_item(out, &c, item.data);
	for (i = 0; i < n; i++) {
		json_t *envs = where ? json_object_get(where, names[i]) : NULL;
		json_t *env;
		size_t k;

		strbuf_reset(&item);
		strbuf_add_escaped(&item, names[i]);
		if (json_array_size(envs) > 0) {
			strbuf_adds(&item, " (");
			json_array_foreach(envs, k, env)
				strbuf_addf(&item, "%s%s", k ? ", " : "",
					    json_string_value(env));
			strbuf_adds(&item, ")");
		}
		if (i + 1 < n)
			strbuf_adds(&item, ",");
		comment_item(out, &c, item.data);
	}
	strbuf_adds(out, "\n");
	strbuf_release(&item);
}

/* The words of `text` (split at ", ") after column `col`, wrapped with
 * `next` (a newline and the next line's prefix). */
static void add_words(struct strbuf *out, const char *text, size_t col,
		      const char *next)
{
	const char *p = text;

	while (*p) {
		const char *end = strstr(p, ", ");
		size_t len = end ? (size_t)(end - p) + 1 : strlen(p);

		if (col + 1 + len > WIDTH) {
			strbuf_adds(out, next);
			col = strlen(next) - 1;
		}
		strbuf_add(out, " ", 1);
		strbuf_add(out, p, len);
		col += 1 + len;
		p += end ? len + 1 : len;
	}
}

/* The section of database `db`, from its environments' answers. */
static void add_database(struct strbuf *out, json_t *summary, const char *db)
{
	json_t *envs = json_object_get(summary, "environments");
	json_t *have = json_object(); /* table -> [environments having it] */
	json_t *env, *tables, *t;
	const char *name, **names, **partial, **odd, **unsafe;
	size_t nanswered = 0, n = 0, npartial = 0, nodd = 0, nunsafe = 0;
	size_t i, k, col;
	struct strbuf who = STRBUF_INIT;
	void *iter;

	json_object_foreach(envs, name, env) {
		if (strcmp(json_string_value(json_object_get(env, "database")),
			   db) != 0)
			continue;
		strbuf_addf(&who, "%s%s", who.len ? ", " : "", name);
		tables = json_object_get(env, "tables");
		if (!json_is_array(tables)) {
			strbuf_adds(&who, " (did not answer)");
			continue;
		}
		nanswered++;
		json_array_foreach(tables, k, t) {
			json_t *list = json_object_get(have, json_string_value(t));

			if (list == NULL) {
				list = json_array();
				json_object_set_new(have, json_string_value(t), list);
			}
			json_array_append_new(list, json_string(name));
		}
	}
	strbuf_addf(out, "\n# %s: %zu table(s) in", db, json_object_size(have));
	add_words(out, who.data, strlen(db) + 20, "\n#  ");
	strbuf_adds(out, "\n");
	names = xcalloc(json_object_size(have) + 1, sizeof(*names));
	partial = xcalloc(json_object_size(have) + 1, sizeof(*partial));
	odd = xcalloc(json_object_size(have) + 1, sizeof(*odd));
	unsafe = xcalloc(json_object_size(have) + 1, sizeof(*unsafe));
	for (iter = json_object_iter(have); iter != NULL;
	     iter = json_object_iter_next(have, iter)) {
		const char *table = json_object_iter_key(iter);

		if (!config_table_file_ok(db, table)) {
			unsafe[nunsafe++] = table;
			continue;
		}
		/* longer than MariaDB's 64 bytes (config.c refuses it in a
		 * list, and a line could not hold it): a glob takes it */
		if (!listable(table) || strlen(table) > 64) {
			odd[nodd++] = table;
			continue;
		}
		names[n++] = table;
		if (json_array_size(json_object_iter_value(iter)) < nanswered)
			partial[npartial++] = table;
	}
	qsort(names, n, sizeof(*names), strsort_compare);
	qsort(partial, npartial, sizeof(*partial), strsort_compare);
	qsort(odd, nodd, sizeof(*odd), strsort_compare);
	qsort(unsafe, nunsafe, sizeof(*unsafe), strsort_compare);
	strbuf_addf(out, "[tables %s]\n", db);
	add_comment(out, "only in some environments", partial, npartial, have);
	add_comment(out, "a glob only (white space or * ? [ in the name, or "
		    "over 64 bytes)", odd, nodd, NULL);
	add_comment(out, "no snapshot (not a safe file name: rename it)",
		    unsafe, nunsafe, NULL);
	if (n == 0) {
		/* config.c refuses an empty list: say why there is none */
		strbuf_adds(out, nanswered ? "; no table to list\n"
				: "; no environment answered: no list\n");
	} else {
		strbuf_adds(out, "tables =");
		col = 8;
		for (i = 0; i < n; i++) {
			size_t len = strlen(names[i]);

			if (col + 1 + len > WIDTH && col > 9) {
				strbuf_adds(out, "\n        ");
				col = 8;
			}
			strbuf_addf(out, " %s", names[i]);
			col += 1 + len;
		}
		strbuf_adds(out, "\n");
	}
	free(names);
	free(partial);
	free(odd);
	free(unsafe);
	strbuf_release(&who);
	json_decref(have);
}

int tablelines_text(json_t *summary, FILE *fp)
{
	json_t *envs = json_object_get(summary, "environments");
	json_t *seen = json_object(), *env, *err;
	struct strbuf out = STRBUF_INIT;
	const char *name;
	size_t k;
	int rc;

	strbuf_adds(&out, "# rhizome tables: paste into rhizome.cnf (base and "
		    "system-versioned\n# tables; a list may use globs such as "
		    "order_* and exclude =)\n");
	json_object_foreach(envs, name, env) {
		const char *db = json_string_value(json_object_get(env, "database"));

		if (json_object_get(seen, db) != NULL)
			continue;
		json_object_set_new(seen, db, json_true());
		add_database(&out, summary, db);
	}
	json_array_foreach(json_object_get(summary, "errors"), k, err) {
		/* a connect error runs long: wrapped like any comment */
		struct comment c = { .mark = '#' };
		struct strbuf line = STRBUF_INIT;

		strbuf_addf(&line, "%s:", json_string_value(json_object_get(err,
									"env")));
		if (k == 0)
			strbuf_adds(&out, "\n");
		comment_line(&out, &c, 1);
		comment_item(&out, &c, line.data);
		strbuf_reset(&line);
		strbuf_add_escaped(&line, json_string_value(json_object_get(err,
								     "message")));
		comment_item(&out, &c, line.data);
		strbuf_adds(&out, "\n");
		strbuf_release(&line);
	}
	rc = fwrite(out.data, 1, out.len, fp) == out.len ? 0 : -EIO;
	strbuf_release(&out);
	json_decref(seen);
	return rc;
}
