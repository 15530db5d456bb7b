/*
 * `rhizome history list | show | restore | prune`, and the pruning after a
 * successful sync (cli_prune_after_run): the command line's side (which
 * run, the lock, stdout, the exit status) of engine/commands/runs.c and
 * restore.c.
 */
#include "engine/cli/run.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/base/alloc.h"
#include "engine/commands/restore.h"
#include "engine/commands/runs.h"
#include "engine/store/runlog.h"
#include "engine/store/snapshot.h"

/* Load the runs. 0, or -errno with a message naming the folder. */
static int load(const char *hist, struct runlog *l)
{
	int rc = runlog_load(hist, l);

	if (rc != 0)
		fprintf(stderr, "rhizome: cannot read the history folder %s: %s\n",
			hist, strerror(-rc));
	return rc;
}

/* The run c->run_id names, with a message when there is none. */
static const struct runlog_entry *find_run(const struct cli *c,
					   const struct runlog *l,
					   const char *hist)
{
	const struct runlog_entry *r = runlog_find(l, c->run_id, NULL, NULL);

	if (r == NULL && strcmp(c->run_id, "latest") == 0)
		fprintf(stderr, "rhizome: no run is recorded in %s (the history "
			"is local: a fresh clone has none)\n", hist);
	else if (r == NULL)
		fprintf(stderr, "rhizome: no run %s in %s (see 'rhizome history "
			"list')\n", c->run_id, hist);
	else if (r->manifest == NULL)
		fprintf(stderr, "rhizome: run %s cannot be read: %s\n", r->id,
			r->why);
	return r != NULL && r->manifest != NULL ? r : NULL;
}

/* Why find_run found nothing: a run that exists but cannot be read is a
 * local failure (4), a run id that names none a usage error (2). */
static enum cli_exit not_found_status(const struct cli *c, const struct runlog *l)
{
	const struct runlog_entry *r = runlog_find(l, c->run_id, NULL, NULL);

	return r != NULL && r->manifest == NULL ? CLI_EXIT_IO : CLI_EXIT_USAGE;
}

static enum cli_exit print(json_t *v, int as_json, int (*text)(json_t *, FILE *),
			   enum cli_exit status)
{
	int rc = cli_print_result(v, as_json, text);

	json_decref(v);
	if (rc != 0) {
		fprintf(stderr, "rhizome: cannot write to stdout\n");
		return CLI_EXIT_IO;
	}
	return status;
}

static int listed_somewhere(const struct env_config **envs, size_t n,
			    const char *table)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (config_list_has(envs[i]->tables, table, strlen(table)))
			return 1;
	return 0;
}

/* One line for people on stderr: the summary on stdout is for scripts. */
static void say_restored(json_t *s, const char *from, int dry_run)
{
	json_int_t written = json_integer_value(json_object_get(s, "new_count")) +
		json_integer_value(json_object_get(s, "significant_count")) +
		json_integer_value(json_object_get(s, "trivial_count"));

	fprintf(stderr, "rhizome: %s run %s: %lld file(s) %s, %lld %s, %lld "
		"already as it left them, %lld error(s)\n",
		dry_run ? "restoring (dry run)" : "restored", from,
		(long long)written, dry_run ? "to write" : "written",
		(long long)json_integer_value(json_object_get(s, "removed_count")),
		dry_run ? "to remove" : "removed",
		(long long)json_integer_value(json_object_get(s, "unchanged_count")),
		(long long)json_integer_value(json_object_get(s, "error_count")));
}

static enum cli_exit restore(const struct cli *c, const struct fleet_config *cfg,
			     const struct env_config **envs, const char *out,
			     const char *hist, const struct runlog_entry *from)
{
	struct restore_opts o;
	const struct env_config **chosen = xcalloc(cfg->nenvs + 1, sizeof(*chosen));
	enum cli_exit status = CLI_EXIT_OK;
	json_t *summary = NULL;
	char run_id[64];
	size_t i, n = 0;

	for (i = 0; i < c->nenvs; i++) {
		if (runlog_env(from, envs[i]->name) != NULL)
			chosen[n++] = envs[i];
		else if (c->envs_given) {
			/* named with --env: say the run does not have it */
			fprintf(stderr, "rhizome: run %s did not sync environment "
				"%s\n", from->id, envs[i]->name);
			free(chosen);
			return CLI_EXIT_USAGE;
		}
	}
	if (strcmp(from->command, "schema") != 0 && strcmp(from->command, "data") != 0 &&
	    strcmp(from->command, "restore") != 0) {
		fprintf(stderr, "rhizome: run %s is a '%s' run: nothing to restore\n",
			from->id, from->command);
		free(chosen);
		return CLI_EXIT_USAGE;
	}
	if (n == 0) {
		fprintf(stderr, "rhizome: run %s covers none of the environments "
			"of %s\n", from->id, cfg->path);
		free(chosen);
		return CLI_EXIT_USAGE;
	}
	for (i = 0; i < c->ntables; i++)
		if (!listed_somewhere(chosen, n, c->tables[i])) {
			fprintf(stderr, "rhizome: --table %s: no table list of the "
				"environments restored has it\n", c->tables[i]);
			free(chosen);
			return CLI_EXIT_USAGE;
		}
	memset(&o, 0, sizeof(o));
	clock_gettime(CLOCK_REALTIME, &o.started);
	cli_make_run_id(hist, &o.started, run_id, sizeof(run_id));
	o.cfg = cfg;
	o.envs = chosen;
	o.nenvs = n;
	o.tables = c->tables;
	o.ntables = c->ntables;
	o.out = out;
	o.history = hist;
	o.from = from;
	o.run_id = run_id;
	o.dry_run = c->dry_run;
	status = cli_exit_of(restore_run(&o, &summary));
	if (!c->quiet)
		say_restored(summary, from->id, c->dry_run);
	if (c->dry_run) /* no such run will exist */
		json_object_set_new(summary, "run_id", json_null());
	status = print(summary, 1, NULL, status);
	free(chosen);
	return status;
}

static enum cli_exit prune(const struct cli *c, const struct fleet_config *cfg,
			   const char *out, const char *hist)
{
	snapshot_root *root = NULL;
	enum cli_exit status = CLI_EXIT_OK;
	struct runlog l;
	json_t *pruned;
	int err;

	if (!c->dry_run && (root = cli_lock_root(c, cfg, out, hist, &status)) == NULL)
		return status;
	/* read under the lock: no run is published meanwhile */
	if (load(hist, &l) != 0) {
		runlog_release(&l);
		snapshot_unlock(root);
		return CLI_EXIT_IO;
	}
	pruned = runs_prune(&l, hist, c->keep_given ? c->keep : 0,
			    c->older_than_given ? (double)time(NULL) - c->older_than
						: 0, c->dry_run, &err);
	status = print(pruned, c->json, runs_prune_text,
		       err != 0 ? CLI_EXIT_IO : CLI_EXIT_OK);
	runlog_release(&l);
	snapshot_unlock(root);
	return status;
}

int cli_prune_after_run(const struct fleet_config *cfg, const char *hist,
			int quiet)
{
	struct runlog l;
	json_t *pruned;
	size_t removed;
	int err = 0;

	if (cfg->keep_runs == 0)
		return 0;
	if (load(hist, &l) != 0) {
		runlog_release(&l);
		return -EIO;
	}
	pruned = runs_prune(&l, hist, cfg->keep_runs, 0, 0, &err);
	removed = json_array_size(json_object_get(pruned, "removed"));
	if (removed > 0 && !quiet)
		fprintf(stderr, "rhizome: pruned %zu old run(s) from %s "
			"(keep-runs = %u)\n", removed, hist, cfg->keep_runs);
	json_decref(pruned);
	runlog_release(&l);
	return err;
}

enum cli_exit cli_run_history(const struct cli *c, const struct fleet_config *cfg,
			      const struct env_config **envs, const char *out,
			      const char *hist)
{
	const struct runlog_entry *r;
	snapshot_root *root = NULL;
	enum cli_exit status = CLI_EXIT_OK;
	struct runlog l;
	const char **names;
	size_t i;

	if (c->command == CLI_HISTORY_PRUNE)
		return prune(c, cfg, out, hist);
	/* restore: the lock first, so `latest` and the run it names stay
	 * what they are until it is done */
	if (c->command == CLI_HISTORY_RESTORE && !c->dry_run &&
	    (root = cli_lock_root(c, cfg, out, hist, &status)) == NULL)
		return status;
	if (load(hist, &l) != 0) {
		runlog_release(&l);
		snapshot_unlock(root);
		return CLI_EXIT_IO;
	}
	switch (c->command) {
	case CLI_HISTORY_LIST:
		/* --env given: runs covering one of them; else all runs */
		names = xcalloc(c->nenvs + 1, sizeof(*names));
		for (i = 0; i < c->nenvs && c->envs_given; i++)
			names[i] = envs[i]->name;
		status = print(runs_list(&l, hist, names, c->envs_given
					 ? c->nenvs : 0, c->only_command),
			       c->json, runs_list_text, CLI_EXIT_OK);
		free(names);
		break;
	case CLI_HISTORY_SHOW:
		r = find_run(c, &l, hist);
		status = r == NULL ? not_found_status(c, &l)
			 : print(runs_show(r, hist), c->json, runs_show_text,
				 CLI_EXIT_OK);
		break;
	case CLI_HISTORY_RESTORE:
		r = find_run(c, &l, hist);
		status = r == NULL ? not_found_status(c, &l)
			 : restore(c, cfg, envs, out, hist, r);
		break;
	default:
		status = CLI_EXIT_USAGE;
		break;
	}
	runlog_release(&l);
	snapshot_unlock(root);
	return status;
}
