/*
 * `rhizome load` as the command line runs it: everything that can be
 * checked without a server first (the target may be loaded into, its
 * secrets and connection settings, the snapshot files read under the
 * snapshot root's lock), then the load (engine/commands/load.h), then the
 * summary and the exit status.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mysql.h>

#include "engine/base/alloc.h"
#include "engine/cli/run.h"
#include "engine/cli/suggest.h"
#include "engine/commands/load.h"
#include "engine/output/loadtext.h"
#include "engine/store/snapshot.h"

/* --into's environment, or NULL with the nearest names said. */
static const struct env_config *find_target(const struct cli *c,
					    const struct fleet_config *cfg)
{
	const struct env_config *t = config_find_env(cfg, c->into);
	const char **words;
	const char *near;
	size_t i;

	if (t != NULL)
		return t;
	words = xcalloc(cfg->nenvs + 1, sizeof(*words));
	for (i = 0; i < cfg->nenvs; i++)
		words[i] = cfg->envs[i].name;
	near = suggest_nearest(c->into, words, cfg->nenvs);
	fprintf(stderr, "rhizome: --into %s: no such environment in %s", c->into,
		cfg->path);
	if (near != NULL)
		fprintf(stderr, " (did you mean %s?)", near);
	fprintf(stderr, "; a load target is an environment of the config that "
		"says scratch = yes\n");
	free(words);
	return NULL;
}

static enum cli_exit exit_of(enum load_outcome o)
{
	switch (o) {
	case LOAD_DONE: return CLI_EXIT_OK;
	case LOAD_REFUSED: return CLI_EXIT_USAGE;
	case LOAD_BUSY: return CLI_EXIT_LOCKED;
	case LOAD_FAILED: return CLI_EXIT_PARTIAL;
	case LOAD_INTERRUPTED: return CLI_EXIT_SIGINT;
	case LOAD_TERMINATED: return CLI_EXIT_SIGTERM;
	}
	return CLI_EXIT_PARTIAL;
}

/* What went wrong, on stderr, whatever the summary's format: a scheduler
 * reads its log, not stdout. */
static void tell_failure(const struct load_opts *o, enum load_outcome outcome,
			 json_t *summary)
{
	json_t *x;
	size_t i;

	switch (outcome) {
	case LOAD_DONE:
		return;
	case LOAD_BUSY:
		fprintf(stderr, "rhizome: another load into schema %s of %s is "
			"running (it holds the server's lock); nothing written\n",
			o->target->schema, o->target->name);
		return;
	case LOAD_REFUSED:
		json_array_foreach(json_object_get(summary, "blocked_by"), i, x)
			fprintf(stderr, "rhizome: --replace would break foreign key "
				"%s of %s.%s: it references %s, which the load "
				"replaces (load %s too, with --table, or drop the "
				"key); nothing written\n",
				json_string_value(json_object_get(x, "constraint")),
				json_string_value(json_object_get(x, "schema")),
				json_string_value(json_object_get(x, "table")),
				json_string_value(json_object_get(x, "references")),
				json_string_value(json_object_get(x, "table")));
		json_array_foreach(json_object_get(summary, "views"), i, x)
			fprintf(stderr, "rhizome: %s is a view in %s (schema %s): a "
				"load never replaces a view; drop it by hand; "
				"nothing written\n", json_string_value(x),
				o->target->name, o->target->schema);
		if (o->replace)
			return;
		fprintf(stderr, "rhizome: %s (schema %s) already has",
			o->target->name, o->target->schema);
		json_array_foreach(json_object_get(summary, "existing"), i, x)
			fprintf(stderr, "%s %s", i ? "," : "", json_string_value(x));
		fprintf(stderr, "; --replace drops and recreates what it loads; "
			"nothing written\n");
		return;
	default:
		break;
	}
	json_array_foreach(json_object_get(summary, "errors"), i, x) {
		json_t *t = json_object_get(x, "table");

		fprintf(stderr, "rhizome: load into %s: %s%s%serror %lld: %s\n",
			o->target->name, json_is_string(t) ? "table " : "",
			json_is_string(t) ? json_string_value(t) : "",
			json_is_string(t) ? ": " : "",
			json_integer_value(json_object_get(x, "code")),
			json_string_value(json_object_get(x, "message")));
	}
	if (outcome == LOAD_FAILED &&
	    strcmp(json_string_value(json_object_get(summary, "target")), "unknown") == 0)
		fprintf(stderr, "rhizome: the connection was lost while RENAME "
			"TABLE moved the tables into %s: they are all in, or none "
			"(SHOW TABLES FROM `%s` tells)\n", o->target->name,
			o->target->schema);
	else if (outcome == LOAD_FAILED)
		fprintf(stderr, "rhizome: nothing was moved into %s: it is as it "
			"was\n", o->target->name);
}

enum cli_exit cli_run_load(const struct cli *c, const struct fleet_config *cfg,
			   const struct env_config **envs, const char *out,
			   const char *hist)
{
	struct load_opts o;
	struct load_plan plan;
	struct strbuf err = STRBUF_INIT;
	snapshot_root *root;
	enum cli_exit status;
	enum load_outcome outcome;
	json_t *summary = NULL;
	int rc;

	memset(&o, 0, sizeof(o));
	o.cfg = cfg;
	o.source = envs[0];
	o.out = out;
	o.tables = c->tables;
	o.ntables = c->ntables;
	o.schema_only = c->schema_only;
	o.replace = c->replace;
	o.bulk = c->bulk;
	o.workers = c->workers;
	o.quiet = c->quiet;
	o.verbose = c->verbose;
	if (c->nenvs != 1) {
		fprintf(stderr, "rhizome: load: --env %s names %zu environments; "
			"name one\n", c->envs[0], c->nenvs);
		return CLI_EXIT_USAGE;
	}
	if ((o.target = find_target(c, cfg)) == NULL)
		return CLI_EXIT_USAGE;
	if (load_check_target(&o, &err) != 0) {
		fprintf(stderr, "rhizome: %s\n", err.data);
		strbuf_release(&err);
		return CLI_EXIT_USAGE;
	}
	if (cli_check_secrets(c, cfg, &o.target, 1, &o.tls) != 0)
		return CLI_EXIT_USAGE;

	/* the files, read whole under the lock: a sync rewriting them
	 * meanwhile cannot give the load half of each run */
	root = cli_lock_root(c, cfg, out, hist, &status);
	if (root == NULL)
		return status;
	rc = load_plan_read(&o, &plan, &err);
	/* --bulk reads its chunks while it loads: an export must not
	 * replace them meanwhile */
	if (!o.bulk || rc != 0) {
		snapshot_unlock(root);
		root = NULL;
	}
	if (rc != 0) {
		fprintf(stderr, "rhizome: %s\n", err.data);
		strbuf_release(&err);
		load_plan_release(&plan);
		return rc == -EINVAL || rc == -ENOENT ? CLI_EXIT_USAGE : CLI_EXIT_IO;
	}
	strbuf_release(&err);

	if (mysql_library_init(0, NULL, NULL) != 0) {
		fprintf(stderr, "rhizome: cannot initialize libmariadb\n");
		load_plan_release(&plan);
		snapshot_unlock(root);
		return CLI_EXIT_IO;
	}
	outcome = load_run(&o, &plan, &summary);
	/* the text summary says it all to a person; a log (stdout taken
	 * as JSON by a scheduler) gets it on stderr too */
	if (cli_summary_as_json(c))
		tell_failure(&o, outcome, summary);
	status = exit_of(outcome);
	cli_print_summary(summary, cli_summary_as_json(c), loadtext_write,
			  &status);
	json_decref(summary);
	load_plan_release(&plan);
	snapshot_unlock(root);
	mysql_library_end();
	return status;
}
