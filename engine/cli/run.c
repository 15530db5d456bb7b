/*
 * The command line's side of each command: what the modules below leave to
 * it (the snapshot root as the user named it, the run id, the terminal's
 * width, stdout, the lock, secrets checked before any contact), and the
 * exit status each outcome calls for.
 */
#include "engine/cli/run.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <mysql.h>

#include "engine/base/alloc.h"
#include "engine/base/path.h"
#include "engine/commands/histdiff.h"
#include "engine/commands/report.h"
#include "engine/commands/status.h"
#include "engine/commands/verify.h"
#include "engine/commands/genmodels.h"
#include "engine/commands/versions.h"
#include "engine/output/diffreport.h"
#include "engine/output/summarytext.h"
#include "engine/output/termtext.h"
#include "engine/commands/tablefiles.h"
#include "engine/commands/tablelines.h"
#include "engine/fetch/loadsql.h"
#include "engine/rows/mask.h"
#include "engine/schema/tablemodel.h"
#include "engine/store/atomic_file.h"
#include "engine/store/history.h"
#include "engine/store/runlog.h"
#include "engine/store/snapshot.h"
#include "environments/optionfile.h"

/* The snapshot root as the user sees it: --out as given, else the config's
 * `out` (default "environments") relative to the config file's folder. */
char *cli_resolve_out(const struct cli *c, const struct fleet_config *cfg)
{
	const char *out = c->out ? c->out : cfg->out ? cfg->out : "environments";
	char *p;
	size_t len;

	if (c->out != NULL || out[0] == '/')
		p = xstrdup(out);
	else
		p = xasprintf("%s%s", cfg->dir, out);
	len = strlen(p);
	while (len > 1 && p[len - 1] == '/')
		p[--len] = '\0';
	return p;
}

char *cli_resolve_history(const struct fleet_config *cfg, const char *out)
{
	return cfg->history != NULL ? xstrdup(cfg->history)
				    : xasprintf("%s/.history", out);
}

int cli_check_history(const struct fleet_config *cfg, const char *out,
		      const char *hist)
{
	char *o = path_normal(out), *h = path_normal(hist), *bad = NULL;
	size_t i;

	if (path_within(o, h))
		bad = xasprintf("it is, or holds, the snapshot root %s", out);
	for (i = 0; bad == NULL && i < cfg->nenvs; i++) {
		char *folder = xasprintf("%s/%s", out, cfg->envs[i].folder);
		char *f = path_normal(folder);

		if (path_within(h, f))
			bad = xasprintf("it lies in the snapshot folder %s of "
					"environment %s", folder, cfg->envs[i].name);
		free(f);
		free(folder);
	}
	if (bad != NULL)
		fprintf(stderr, "rhizome: configuration error: %s:%d: key "
			"'history': %s: %s (its .gitignore would hide the "
			"snapshots from git); use e.g. {out}/.history, the "
			"default\n", cfg->path, cfg->history_line, hist, bad);
	free(bad);
	free(o);
	free(h);
	return bad != NULL ? -EINVAL : 0;
}

void cli_make_run_id(const char *hist, const struct timespec *ts,
		     char *buf, size_t size)
{
	char stamp[32];
	struct tm tm;
	struct stat st;
	unsigned n;

	gmtime_r(&ts->tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	for (n = 0;; n++) {
		char *dir;
		int taken;

		if (n == 0)
			snprintf(buf, size, "%s-%03ld", stamp, ts->tv_nsec / 1000000);
		else
			snprintf(buf, size, "%s-%03ld.%u", stamp,
				 ts->tv_nsec / 1000000, n);
		dir = history_run_dir(hist, buf);
		taken = stat(dir, &st) == 0;
		free(dir);
		if (!taken)
			return;
	}
}

int cli_print_result(json_t *v, int as_json, int (*text)(json_t *, FILE *))
{
	int rc;

	if (as_json || text == NULL)
		rc = json_dumpf(v, stdout, JSON_INDENT(2)) != 0 ||
		     fputc('\n', stdout) == EOF;
	else
		rc = text(v, stdout) != 0;
	return rc != 0 || fflush(stdout) != 0 ? -EIO : 0;
}

int cli_summary_as_json(const struct cli *c)
{
	return c->format_given ? c->json : !isatty(STDOUT_FILENO);
}

void cli_print_summary(json_t *summary, int as_json,
		       int (*text)(json_t *, FILE *), enum cli_exit *status)
{
	if (cli_print_result(summary, as_json, text) == 0)
		return;
	fprintf(stderr, "rhizome: cannot write the summary to stdout: %s\n",
		strerror(errno));
	if (*status == CLI_EXIT_OK || *status == CLI_EXIT_PARTIAL)
		*status = CLI_EXIT_IO;
}

/* sync diff's output: the text diff (or the summary as JSON) on stdout,
 * and the Markdown report when asked. Returns 0, or -EIO with a message on
 * stderr. */
static int write_diff(const struct cli *c, json_t *summary)
{
	char *md, *name = NULL;
	int rc;

	if (cli_print_result(summary, c->json, diffreport_text) != 0) {
		fprintf(stderr, "rhizome: cannot write the diff to stdout\n");
		return -EIO;
	}
	if (!c->report_md)
		return 0;
	if (c->report_file != NULL)
		name = xstrdup(c->report_file);
	else
		name = xasprintf("rhizome-diff-%s.md", json_string_value(
					 json_object_get(summary, "run_id")));
	if (c->against != NULL) {
		char *what = xasprintf("run %s", c->against);

		md = diffreport_markdown(summary, what);
		free(what);
	} else {
		md = diffreport_markdown(summary, "live schemas");
	}
	rc = atomic_write_file(name, md, strlen(md));
	free(md);
	if (rc != 0) {
		fprintf(stderr, "rhizome: cannot write the report %s: %s\n", name,
			strerror(-rc));
		free(name);
		return -EIO;
	}
	fprintf(stderr, "rhizome: report written to %s\n", name);
	free(name);
	return 0;
}

int cli_tables_known(const struct cli *c, const struct fleet_config *cfg)
{
	size_t i;

	for (i = 0; i < c->ntables; i++) {
		size_t d;
		int known = 0;

		for (d = 0; d < cfg->nlists; d++)
			known |= config_list_has(&cfg->lists[d], c->tables[i],
						 strlen(c->tables[i]));
		if (!known) {
			fprintf(stderr, "rhizome: --table %s: no table list of %s "
				"has it\n", c->tables[i], cfg->path);
			return -EINVAL;
		}
	}
	return 0;
}

enum cli_exit cli_run_gen_models(const struct cli *c,
				 const struct fleet_config *cfg,
				 const struct env_config **envs,
				 const char *out)
{
	struct genmodels_opts o;
	enum genmodels_outcome outcome;
	json_t *summary;
	int rc;

	if (cli_tables_known(c, cfg) != 0)
		return CLI_EXIT_USAGE;
	memset(&o, 0, sizeof(o));
	o.v.cfg = cfg;
	o.v.envs = envs;
	o.v.nenvs = c->nenvs;
	o.v.out = out;
	o.v.tables = c->tables;
	o.v.ntables = c->ntables;
	o.dry_run = c->dry_run;
	outcome = genmodels_run(&o, &summary);
	if (outcome == GENMODELS_CONFIG && !c->json) {
		fprintf(stderr, "rhizome: configuration error: %s\n",
			json_string_value(json_object_get(summary, "error")));
		json_decref(summary);
		return CLI_EXIT_USAGE;
	}
	rc = cli_print_result(summary, c->json, genmodels_text);
	json_decref(summary);
	if (rc != 0) {
		fprintf(stderr, "rhizome: cannot write to stdout\n");
		return CLI_EXIT_IO;
	}
	switch (outcome) {
	case GENMODELS_DONE: return CLI_EXIT_OK;
	case GENMODELS_CONFIG: return CLI_EXIT_USAGE;
	case GENMODELS_PARTIAL: return CLI_EXIT_PARTIAL;
	case GENMODELS_IO: return CLI_EXIT_IO;
	}
	return CLI_EXIT_IO;
}

enum cli_exit cli_run_versions(const struct cli *c, const struct fleet_config *cfg,
			       const struct env_config **envs, const char *out)
{
	struct versions_opts v;
	json_t *result;
	int rc;

	if (cli_tables_known(c, cfg) != 0)
		return CLI_EXIT_USAGE;
	memset(&v, 0, sizeof(v));
	v.cfg = cfg;
	v.envs = envs;
	v.nenvs = c->nenvs;
	v.out = out;
	v.tables = c->tables;
	v.ntables = c->ntables;
	result = versions_build(&v);
	rc = cli_print_result(result, c->json, versions_text);
	json_decref(result);
	if (rc != 0) {
		fprintf(stderr, "rhizome: cannot write to stdout\n");
		return CLI_EXIT_IO;
	}
	return CLI_EXIT_OK;
}

/* Whether the report may use emoji: not with NO_COLOR, and only when the
 * locale's character set is UTF-8. */
static int report_ascii(void)
{
	const char *vars[] = { "LC_ALL", "LC_CTYPE", "LANG" };
	size_t i;

	if (getenv("NO_COLOR") != NULL)
		return 1;
	for (i = 0; i < 3; i++) {
		const char *v = getenv(vars[i]);

		if (v != NULL && v[0] != '\0')
			return strcasestr(v, "utf-8") == NULL &&
			       strcasestr(v, "utf8") == NULL;
	}
	return 1; /* the C locale */
}

enum cli_exit cli_run_report(const struct cli *c, const struct fleet_config *cfg,
			     const struct env_config **envs, const char *out,
			     const char *hist)
{
	struct report_opts r;
	int rc;

	memset(&r, 0, sizeof(r));
	r.cfg = cfg;
	r.envs = envs;
	r.nenvs = c->nenvs;
	r.out = out;
	r.history = hist;
	r.format = c->json ? REPORT_JSON : REPORT_TEXT;
	r.ascii = report_ascii();
	r.width = termtext_columns(STDOUT_FILENO, 100);
	/* the commands recommended repeat what the user typed, so that
	 * pasting one reads the same config and writes the same root */
	r.config_arg = c->config_given;
	r.out_arg = c->out;
	rc = report_write(&r, stdout);
	if (rc != 0) {
		fprintf(stderr, "rhizome: cannot write the report: %s\n",
			strerror(-rc));
		return CLI_EXIT_IO;
	}
	return CLI_EXIT_OK;
}

enum cli_exit cli_run_status(const struct cli *c, const struct fleet_config *cfg,
			     const struct env_config **envs, const char *out,
			     const char *hist)
{
	struct status_opts s = { .cfg = cfg, .envs = envs, .nenvs = c->nenvs,
				 .out = out, .history = hist,
				 .command = c->only_command,
				 .max_age = c->max_age,
				 .max_age_given = c->max_age_given,
				 .now = (double)time(NULL) };
	size_t problems = 0;
	int err = 0;
	json_t *result = status_build(&s, &problems, &err);
	int rc;

	if (result == NULL)
		return CLI_EXIT_IO; /* the message is on stderr */
	rc = cli_print_result(result, c->json, status_text);
	json_decref(result);
	if (rc != 0) {
		fprintf(stderr, "rhizome: cannot write to stdout\n");
		return CLI_EXIT_IO;
	}
	return problems > 0 ? CLI_EXIT_DRIFT : CLI_EXIT_OK;
}

enum cli_exit cli_run_verify(const struct cli *c, const struct fleet_config *cfg,
			     const struct env_config **envs, const char *out,
			     const char *hist)
{
	struct verify_opts v = { .cfg = cfg, .envs = envs, .nenvs = c->nenvs,
				 .out = out, .history = hist };
	enum verify_outcome outcome;
	json_t *result = verify_build(&v, &outcome);
	int rc = cli_print_result(result, c->json, verify_text);

	json_decref(result);
	if (rc != 0) {
		fprintf(stderr, "rhizome: cannot write to stdout\n");
		return CLI_EXIT_IO;
	}
	return outcome == VERIFY_CLEAN ? CLI_EXIT_OK
	       : outcome == VERIFY_FINDINGS ? CLI_EXIT_DRIFT : CLI_EXIT_IO;
}

enum cli_exit cli_run_histdiff(const struct cli *c, const struct fleet_config *cfg,
			       const struct env_config **envs, const char *out,
			       const char *hist)
{
	struct histdiff_opts h = { .cfg = cfg, .envs = envs, .nenvs = c->nenvs,
				   .out = out, .history = hist,
				   .run_id = c->against,
				   .diff = c->diff };
	enum sync_outcome outcome;
	json_t *summary;
	enum cli_exit status;
	char latest[256];

	if (strcmp(c->against, "latest") == 0) {
		/* the newest schema run (a restore fetched nothing) that
		 * covered every environment named */
		struct runlog l;
		const struct runlog_entry *r = NULL;
		size_t i, k;
		int rc = runlog_load(hist, &l);

		if (rc != 0) {
			fprintf(stderr, "rhizome: cannot read the history folder "
				"%s: %s\n", hist, strerror(-rc));
			runlog_release(&l);
			return CLI_EXIT_IO;
		}
		for (i = l.n; r == NULL && i-- > 0;) {
			int all = l.runs[i].manifest != NULL &&
				  strcmp(l.runs[i].command, "schema") == 0;

			for (k = 0; all && c->envs_given && k < c->nenvs; k++)
				all = runlog_env(&l.runs[i], envs[k]->name) != NULL;
			if (all)
				r = &l.runs[i];
		}
		if (r != NULL)
			snprintf(latest, sizeof(latest), "%s", r->id);
		runlog_release(&l);
		if (r == NULL) {
			fprintf(stderr, "rhizome: --against latest: no schema run "
				"%sis recorded in %s\n", c->envs_given
				? "of the environments named " : "", hist);
			return CLI_EXIT_USAGE;
		}
		h.run_id = latest;
	}
	summary = histdiff_build(&h, &outcome);
	if (summary == NULL)
		return CLI_EXIT_USAGE;
	status = write_diff(c, summary) != 0 ? CLI_EXIT_IO : cli_exit_of(outcome);
	json_decref(summary);
	return status;
}

int cli_check_secrets(const struct cli *c, const struct fleet_config *cfg,
		      const struct env_config **envs, size_t n,
		      enum tls_mode *tls)
{
	struct config_error cerr;
	char msg[2048];
	size_t i;

	for (i = 0; i < n; i++) {
		struct optionfile_facts facts;

		if (config_check_password(cfg, envs[i], &cerr) != 0 ||
		    config_check_connection(cfg, envs[i], &facts, &cerr) != 0)
			goto refused;
		tls[i] = config_tls_effective(envs[i], &facts);
		if (facts.reconnect)
			fprintf(stderr, "rhizome: warning: %s:%d: environment %s: "
				"%s asks for reconnect; turned off (a silent "
				"reconnect would lose the session's settings)\n",
				cfg->path, envs[i]->option_file_line,
				envs[i]->name, envs[i]->option_file);
	}
	if (c->command == CLI_DATA && config_check_mask_key(cfg, &cerr) != 0)
		goto refused;
	return 0;

refused:
	config_error_format(&cerr, msg, sizeof(msg));
	fprintf(stderr, "rhizome: configuration error: %s\n", msg);
	return -EINVAL;
}

/*
 * --follow-keys (or follow-keys = yes): before any server, masking must
 * keep every foreign key the schema snapshots show lined up
 * (mask_key_check). 0, or -EINVAL with the key and both columns on
 * stderr. Keys the snapshots do not show yet are checked again after the
 * lookup (sync_worker.c).
 */
static int check_key_masking(const struct cli *c, const struct fleet_config *cfg,
			     const struct env_config **envs, const char *out)
{
	char msg[1024], **names;
	size_t i, j, k, f, n;
	int bad = 0;

	for (i = 0; i < c->nenvs && !bad; i++) {
		if (!c->follow_keys && !envs[i]->follow_keys)
			continue;
		n = tablefiles_of_env(out, cfg, envs[i], &names);
		for (j = 0; j < n && !bad; j++) {
			char *path = snapshot_table_path(out, envs[i]->folder,
							 envs[i]->database,
							 names[j], ".sql");
			struct table_model m;
			char *text;
			size_t len;

			if (snapshot_read(path, &text, &len) != 0) {
				free(path);
				continue;
			}
			if (tablemodel_parse(text, len, &m) != TM_NOT_A_TABLE) {
				for (f = 0; f < m.nfks && !bad; f++) {
					struct loadsql_fk fk;

					if (loadsql_fk_parse(&m.fks[f], &fk) != 0)
						continue;
					for (k = 0; k < fk.ncolumns && !bad &&
					     fk.ref_schema == NULL; k++)
						bad = mask_key_check(cfg, envs[i], names[j],
								     fk.columns[k],
								     fk.ref_table,
								     fk.ref_columns[k],
								     msg, sizeof(msg)) != 0;
					loadsql_fk_release(&fk);
				}
				tablemodel_release(&m);
			}
			if (bad)
				fprintf(stderr, "rhizome: configuration error: "
					"--follow-keys: %s (key of %s)\n", msg, path);
			free(text);
			free(path);
		}
		tablefiles_free(names, n);
	}
	return bad ? -EINVAL : 0;
}

snapshot_root *cli_lock_root(const struct cli *c, const struct fleet_config *cfg,
			     const char *out, const char *hist,
			     enum cli_exit *status)
{
	const char **folders;
	snapshot_root *root;
	size_t i;
	int rc;

	rc = snapshot_lock(out, hist, &root);
	if (rc != 0) {
		char *lock = snapshot_lock_path(hist);

		if (rc == -EWOULDBLOCK) {
			fprintf(stderr, "rhizome: another run holds the lock on "
				"%s; nothing touched\n", lock);
			*status = CLI_EXIT_LOCKED;
		} else {
			fprintf(stderr, "rhizome: cannot open the snapshot root "
				"%s (history %s): %s\n", out, hist, strerror(-rc));
			*status = CLI_EXIT_IO;
		}
		free(lock);
		return NULL;
	}
	folders = xcalloc(cfg->nenvs, sizeof(*folders));
	for (i = 0; i < cfg->nenvs; i++)
		folders[i] = cfg->envs[i].folder;
	rc = snapshot_sweep(root, folders, cfg->nenvs);
	free(folders);
	if (rc > 0 && !c->quiet)
		fprintf(stderr, "rhizome: removed %d leftover(s) of an "
			"interrupted run under %s\n", rc, out);
	return root;
}

/* The sync summary for a person: within the terminal's width (or
 * $COLUMNS, or 80 when stdout is a file forced to text). */
static int sync_text(json_t *summary, FILE *fp)
{
	return summarytext_write(summary, termtext_columns(STDOUT_FILENO, 80),
				 fp);
}

/* SPEC: the summary is JSON unless stdout is a terminal; --format says
 * which either way. rhizome tables prints its lines unless asked for
 * JSON. */
static int sync_as_json(const struct cli *c)
{
	if (c->command == CLI_TABLES)
		return c->json;
	return cli_summary_as_json(c);
}

enum cli_exit cli_run_sync(const struct cli *c, const struct fleet_config *cfg,
			   const struct env_config **envs, const char *out,
			   const char *hist)
{
	snapshot_root *root = NULL;
	struct sync_opts o;
	json_t *summary = NULL;
	char run_id[64];
	enum cli_exit status = CLI_EXIT_IO;
	/* check, diff and tables write no snapshot: no lock, no history */
	int dry_run = c->dry_run || c->command == CLI_CHECK ||
		      c->command == CLI_DIFF || c->command == CLI_TABLES;

	enum tls_mode *tls;

	if (c->command == CLI_DATA && c->all)
		return cli_run_bulk(c, cfg, envs, out, hist);
	tls = xcalloc(c->nenvs ? c->nenvs : 1, sizeof(*tls));
	if (cli_check_secrets(c, cfg, envs, c->nenvs, tls) != 0 ||
	    (c->command == CLI_DATA && check_key_masking(c, cfg, envs, out) != 0)) {
		free(tls);
		return CLI_EXIT_USAGE;
	}
	if (mysql_library_init(0, NULL, NULL) != 0) {
		fprintf(stderr, "rhizome: cannot initialize libmariadb\n");
		free(tls);
		return CLI_EXIT_IO; /* nothing contacted: a local failure */
	}
	memset(&o, 0, sizeof(o));
	clock_gettime(CLOCK_REALTIME, &o.started);
	if (!dry_run && (root = cli_lock_root(c, cfg, out, hist, &status)) == NULL)
		goto out;
	cli_make_run_id(hist, &o.started, run_id, sizeof(run_id));

	o.command = c->command == CLI_DATA ? SYNC_DATA
		    : c->command == CLI_CHECK || c->command == CLI_DIFF ? SYNC_CHECK
		    : c->command == CLI_TABLES ? SYNC_TABLES : SYNC_SCHEMA;
	o.unlisted_drift = c->unlisted_drift;
	o.diff = c->diff;
	o.rows = c->rows_given ? c->rows : 1;
	o.rows_array = c->rows_given;
	o.follow_keys = c->follow_keys;
	o.cfg = cfg;
	o.envs = envs;
	o.nenvs = c->nenvs;
	o.tls = tls;
	o.out = out;
	o.history = hist;
	o.keep_removed = c->keep_removed;
	o.run_id = run_id;
	o.workers = c->workers;
	o.dry_run = dry_run;
	o.write_trivial = c->write_trivial;
	o.verbose = c->verbose;
	o.quiet = c->quiet;
	o.progress = c->progress;
	status = cli_exit_of(sync_run(&o, &summary));
	/* Pruned only after a run that went through: a failing fleet keeps
	 * the history that shows how it failed. */
	if (root != NULL && (status == CLI_EXIT_OK || status == CLI_EXIT_DRIFT) &&
	    cli_prune_after_run(cfg, hist, c->quiet) != 0)
		status = CLI_EXIT_IO;
	if (summary != NULL && c->command == CLI_DIFF) {
		if (write_diff(c, summary) != 0)
			status = CLI_EXIT_IO;
	} else if (summary != NULL) {
		/* a summary that did not get out is a local I/O failure: the
		 * caller cannot know what happened */
		cli_print_summary(summary, sync_as_json(c),
				  c->command == CLI_TABLES ? tablelines_text
							   : sync_text, &status);
	}
	json_decref(summary);
	snapshot_unlock(root);
out:
	mysql_library_end();
	free(tls);
	return status;
}
