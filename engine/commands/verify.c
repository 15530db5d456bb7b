/*
 * verify: the entry points and the findings list. The checks live in
 * verify_history.c (runs, frames, digests), verify_files.c (plain files,
 * hand edits, orphans) and verify_json.c (the .json types contract); see
 * verify_int.h for how they fit.
 *
 * Nothing here writes or locks: a run publishes its folder by one rename
 * and replaces each plain file by one rename, so a check running beside a
 * sync sees every file whole, old or new (it may then call a file
 * hand-edited that the run has just rewritten; running it again settles it).
 */
#include "engine/commands/verify.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/base/alloc.h"
#include "engine/base/jsontext.h"
#include "engine/commands/verify_int.h"

static json_t *string_or_null(const char *s)
{
	return s != NULL ? jsontext_string(s) : json_null();
}

void verify_add(struct verify *v, const char *kind, const char *path,
		const char *env, const char *table, const char *run_id,
		const char *fmt, ...)
{
	va_list ap;
	char msg[4096];         /* a message names at most one path */
	json_t *f;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	f = json_pack("{s:s, s:o, s:o, s:o, s:o, s:o}", "kind", kind,
		      "path", jsontext_string(path), "env", string_or_null(env),
		      "table", string_or_null(table),
		      "run_id", string_or_null(run_id),
		      "message", jsontext_string(msg));
	json_array_append_new(v->findings, f);
}

const struct env_config *verify_selected(const struct verify *v,
					 const char *name)
{
	size_t i;

	for (i = 0; i < v->o->nenvs; i++)
		if (strcmp(v->o->envs[i]->name, name) == 0)
			return v->o->envs[i];
	return NULL;
}

/* Whether the snapshot root can be listed at all: if not, no file under it
 * can be judged, and saying "clean" would be a lie. */
static int root_readable(struct verify *v)
{
	DIR *d = opendir(v->o->out);

	if (d == NULL) {
		verify_add(v, "unreadable", v->o->out, NULL, NULL, NULL,
			   "the snapshot root cannot be read: %s",
			   strerror(errno));
		return 0;
	}
	closedir(d);
	return 1;
}

json_t *verify_build(const struct verify_opts *o, enum verify_outcome *outcome)
{
	struct verify v = { .o = o };
	int unreadable = 0, rc;
	json_t *result;

	v.findings = json_array();
	v.evidence = json_object();
	if (!root_readable(&v)) {
		unreadable = 1;
		goto done;
	}
	rc = verify_history(&v);
	if (rc != 0) {
		verify_add(&v, "unreadable", o->history, NULL, NULL, NULL,
			   "the history folder cannot be read: %s",
			   strerror(-rc));
		unreadable = 1;
		/* the plain files can still be parsed; only hand edits
		 * go unseen without their evidence */
	}
	verify_plain_files(&v);
	verify_orphans(&v);
done:
	*outcome = unreadable ? VERIFY_UNREADABLE
		   : json_array_size(v.findings) > 0 ? VERIFY_FINDINGS
		   : VERIFY_CLEAN;
	result = json_pack("{s:{s:I, s:I, s:I, s:I}, s:o, s:I}", "checked",
			   "sql", (json_int_t)v.nsql, "json", (json_int_t)v.njson,
			   "history_files", (json_int_t)v.nframes,
			   "runs", (json_int_t)v.nruns,
			   "findings", v.findings,
			   "finding_count",
			   (json_int_t)json_array_size(v.findings));
	json_decref(v.evidence);
	return result;
}

static const char *plural(json_int_t n)
{
	return n == 1 ? "" : "s";
}

int verify_text(json_t *result, FILE *fp)
{
	json_t *checked = json_object_get(result, "checked");
	json_t *findings = json_object_get(result, "findings"), *f;
	json_int_t n = (json_int_t)json_array_size(findings);
	json_int_t frames = json_integer_value(json_object_get(checked,
							       "history_files"));
	json_int_t runs = json_integer_value(json_object_get(checked, "runs"));
	size_t i;

	json_array_foreach(findings, i, f) {
		char label[32];
		char *p;

		/* the JSON's names are identifiers; people read words */
		snprintf(label, sizeof(label), "%s",
			 json_string_value(json_object_get(f, "kind")));
		for (p = label; *p; p++)
			if (*p == '_')
				*p = '-';
		fprintf(fp, "%-12s %s: %s\n", label,
			json_string_value(json_object_get(f, "path")),
			json_string_value(json_object_get(f, "message")));
	}
	if (n > 0)
		fprintf(fp, "verify: %" JSON_INTEGER_FORMAT " finding%s in ",
			n, plural(n));
	else
		fputs("verify: clean: ", fp);
	fprintf(fp, "%" JSON_INTEGER_FORMAT " .sql, %" JSON_INTEGER_FORMAT
		" .json, %" JSON_INTEGER_FORMAT " history file%s (%"
		JSON_INTEGER_FORMAT " run%s)\n",
		json_integer_value(json_object_get(checked, "sql")),
		json_integer_value(json_object_get(checked, "json")),
		frames, plural(frames), runs, plural(runs));
	if (runs == 0)
		/* a clean fresh clone is not a checked one: say what wasn't */
		fputs("(no run is recorded here: files were not compared with "
		      "what rhizome wrote, only parsed)\n", fp);
	return fflush(fp) != 0 || ferror(fp) ? -EIO : 0;
}
