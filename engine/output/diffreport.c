/*
 * Both layouts read the summary only, so what a person reads is what a
 * machine gets with --format json. Changes are marked + (added), - (removed)
 * or ~ (changed), by their name. A summary may come from an older run's
 * files: any string in it may be absent, so nothing compares one unchecked.
 */
#include "engine/output/diffreport.h"

#include <errno.h>
#include <string.h>

#include "engine/base/strbuf.h"

/* o[key] when it is a string, else NULL. */
static const char *str(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* Whether o[key] is the string `want` (an absent key is no string). */
static int str_is(json_t *o, const char *key, const char *want)
{
	const char *v = str(o, key);

	return v != NULL && strcmp(v, want) == 0;
}

static char mark(const char *change)
{
	if (change != NULL && strstr(change, "added") != NULL)
		return '+';
	if (change != NULL && strstr(change, "removed") != NULL)
		return '-';
	return '~';
}

void diffreport_describe(struct strbuf *sb, json_t *c)
{
	const char *change = str(c, "change"), *object = str(c, "object");
	const char *from = str(c, "from"), *to = str(c, "to");

	strbuf_addf(sb, "%c %s", mark(change), change);
	if (object != NULL)
		strbuf_addf(sb, " %s", object);
	if (from != NULL && to != NULL)
		strbuf_addf(sb, ": %s -> %s", from, to);
	else if (to != NULL)
		strbuf_addf(sb, ": %s", to);
	else if (from != NULL)
		strbuf_addf(sb, " (was %s)", from);
}

static void count_severities(json_t *drift, size_t counts[4])
{
	static const char *const names[4] = { "critical", "high", "medium", "low" };
	size_t i, k;
	json_t *p;

	memset(counts, 0, 4 * sizeof(*counts));
	json_array_foreach(drift, i, p)
		for (k = 0; k < 4; k++)
			if (str_is(p, "severity", names[k]))
				counts[k]++;
}

int diffreport_text(json_t *summary, FILE *fp)
{
	json_t *drift = json_object_get(summary, "drift"), *p, *c;
	struct strbuf sb = STRBUF_INIT;
	size_t i, j, counts[4];

	json_array_foreach(drift, i, p) {
		fprintf(fp, "%s.%s  [%s]  %s\n", str(p, "env"), str(p, "table"),
			str(p, "severity"), str(p, "path"));
		json_array_foreach(json_object_get(p, "changes"), j, c) {
			strbuf_reset(&sb);
			diffreport_describe(&sb, c);
			fprintf(fp, "  %-70s %s\n", sb.data, str(c, "severity"));
		}
		fputc('\n', fp);
	}
	count_severities(drift, counts);
	fprintf(fp, "%zu pair(s) drifted: %zu critical, %zu high, %zu medium, "
		"%zu low; %lld unchanged, %lld trivial (AUTO_INCREMENT only), "
		"%lld error(s)\n", json_array_size(drift), counts[0], counts[1],
		counts[2], counts[3],
		json_integer_value(json_object_get(summary, "unchanged_count")),
		json_integer_value(json_object_get(summary, "trivial_count")),
		json_integer_value(json_object_get(summary, "error_count")));
	json_array_foreach(json_object_get(summary, "errors"), i, p)
		fprintf(fp, "error: %s.%s: %s\n", str(p, "env"), str(p, "table"),
			str(p, "message"));
	strbuf_release(&sb);
	return ferror(fp) ? -EIO : 0;
}

/* A table cell: a code span that may hold backticks ("`` `a` ``"), pipes
 * escaped, newlines as spaces. */
static void cell(struct strbuf *sb, const char *s)
{
	if (s == NULL) {
		strbuf_adds(sb, " ");
		return;
	}
	strbuf_adds(sb, "`` ");
	for (; *s; s++) {
		if (*s == '|')
			strbuf_adds(sb, "\\|");
		else if (*s == '\n')
			strbuf_add(sb, " ", 1);
		else
			strbuf_add(sb, s, 1);
	}
	strbuf_adds(sb, " ``");
}

char *diffreport_markdown(json_t *summary, const char *against)
{
	json_t *drift = json_object_get(summary, "drift"), *p, *c;
	struct strbuf sb = STRBUF_INIT;
	size_t i, j, counts[4];

	count_severities(drift, counts);
	strbuf_addf(&sb, "# Schema drift: %s against the committed snapshots\n\n",
		    against);
	strbuf_addf(&sb, "Run `%s`.\n\n## Summary\n\n", str(summary, "run_id"));
	strbuf_adds(&sb, "| severity | tables |\n|---|---|\n");
	strbuf_addf(&sb, "| critical | %zu |\n| high | %zu |\n| medium | %zu |\n"
		    "| low | %zu |\n", counts[0], counts[1], counts[2], counts[3]);
	strbuf_addf(&sb, "\n%lld unchanged, %lld trivial (AUTO_INCREMENT only), "
		    "%lld error(s).\n",
		    json_integer_value(json_object_get(summary, "unchanged_count")),
		    json_integer_value(json_object_get(summary, "trivial_count")),
		    json_integer_value(json_object_get(summary, "error_count")));
	json_array_foreach(drift, i, p) {
		strbuf_addf(&sb, "\n## %s.%s (%s)\n\n`%s`\n\n| | change | object | "
			    "from | to | severity |\n|---|---|---|---|---|---|\n",
			    str(p, "env"), str(p, "table"), str(p, "severity"),
			    str(p, "path"));
		json_array_foreach(json_object_get(p, "changes"), j, c) {
			strbuf_addf(&sb, "| %c | %s | ", mark(str(c, "change")),
				    str(c, "change"));
			cell(&sb, str(c, "object"));
			strbuf_adds(&sb, " | ");
			cell(&sb, str(c, "from"));
			strbuf_adds(&sb, " | ");
			cell(&sb, str(c, "to"));
			strbuf_addf(&sb, " | %s |\n", str(c, "severity"));
		}
	}
	strbuf_adds(&sb, "\n## Recommended actions\n\n");
	if (json_array_size(drift) == 0)
		strbuf_adds(&sb, "- Nothing drifted: nothing to do.\n");
	if (counts[0] + counts[1] > 0)
		strbuf_adds(&sb, "- Critical and high changes can lose data or break "
			    "readers (a table or column removed, a type "
			    "narrowed, NULL no longer allowed, an enum value "
			    "gone): find out who changed the live schema, and "
			    "why, before accepting them.\n");
	if (counts[2] + counts[3] > 0)
		strbuf_adds(&sb, "- Medium and low changes add to the schema or "
			    "restate it: review them, then accept.\n");
	json_array_foreach(drift, i, p) {
		json_t *first = json_array_get(json_object_get(p, "changes"), 0);

		if (str_is(first, "change", "table removed"))
			/* sync schema keeps the files of missing tables */
			strbuf_addf(&sb, "- To accept `%s.%s` (removed): `git rm "
				    "%s`.\n", str(p, "env"), str(p, "table"),
				    str(p, "path"));
		else
			strbuf_addf(&sb, "- To accept `%s.%s`: `rhizome sync schema "
				    "--env %s`, then commit `%s`.\n",
				    str(p, "env"), str(p, "table"), str(p, "env"),
				    str(p, "path"));
	}
	return strbuf_detach(&sb, NULL);
}
