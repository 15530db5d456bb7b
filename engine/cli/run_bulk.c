/*
 * `rhizome sync data --all`: the bulk export's command line (bulk.h):
 * the checks before any server, the snapshot root's lock (a bulk export
 * and a sync of the same root never run at once), the run, its summary
 * and exit status.
 */
#include "engine/cli/run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mysql.h>

#include "engine/base/alloc.h"
#include "engine/cli/exit.h"
#include "engine/commands/bulk.h"
#include "engine/output/bulktext.h"
#include "engine/store/snapshot.h"

/* Failures on stderr too when stdout is JSON: a scheduler's log shows
 * why without parsing the summary. */
static void tell_errors(json_t *summary)
{
	size_t i;
	json_t *x;

	json_array_foreach(json_object_get(summary, "errors"), i, x) {
		const char *env = json_string_value(json_object_get(x, "env"));
		const char *table = json_string_value(json_object_get(x, "table"));

		fprintf(stderr, "rhizome: %s%s%s%serror %lld: %s\n",
			env ? env : "", env ? ": " : "", table ? table : "",
			table ? ": " : "",
			json_integer_value(json_object_get(x, "code")),
			json_string_value(json_object_get(x, "message")));
	}
}

enum cli_exit cli_run_bulk(const struct cli *c, const struct fleet_config *cfg,
			   const struct env_config **envs, const char *out,
			   const char *hist)
{
	struct bulk_opts o;
	snapshot_root *root;
	json_t *summary = NULL;
	struct timespec started;
	enum cli_exit status = CLI_EXIT_IO;
	enum tls_mode *tls;
	char run_id[64];

	if (cli_tables_known(c, cfg) != 0)
		return CLI_EXIT_USAGE;
	tls = xcalloc(c->nenvs ? c->nenvs : 1, sizeof(*tls));
	if (cli_check_secrets(c, cfg, envs, c->nenvs, tls) != 0) {
		free(tls);
		return CLI_EXIT_USAGE;
	}
	if (mysql_library_init(0, NULL, NULL) != 0) {
		fprintf(stderr, "rhizome: cannot initialize libmariadb\n");
		free(tls);
		return CLI_EXIT_IO;
	}
	root = cli_lock_root(c, cfg, out, hist, &status);
	if (root == NULL)
		goto out;
	clock_gettime(CLOCK_REALTIME, &started);
	cli_make_run_id(hist, &started, run_id, sizeof(run_id));
	memset(&o, 0, sizeof(o));
	o.cfg = cfg;
	o.envs = envs;
	o.nenvs = c->nenvs;
	o.tls = tls;
	o.out = out;
	o.tables = c->tables;
	o.ntables = c->ntables;
	o.resume = c->resume;
	o.chunk_rows = c->chunk_rows;
	o.workers = c->workers;
	o.run_id = run_id;
	o.verbose = c->verbose;
	o.quiet = c->quiet;
	o.progress = c->progress;
	status = cli_exit_of(bulk_run(&o, &summary));
	if (summary != NULL) {
		if (cli_summary_as_json(c))
			tell_errors(summary);
		cli_print_summary(summary, cli_summary_as_json(c), bulktext_write,
				  &status);
	}
	json_decref(summary);
	snapshot_unlock(root);
out:
	mysql_library_end();
	free(tls);
	return status;
}
