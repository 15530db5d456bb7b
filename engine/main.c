/*
 * rhizome's command line: parse, load the config, take the snapshot root's
 * lock, run, print the summary, exit with SPEC's status. Only this file
 * exits; every module below returns errors.
 *
 * SIGINT, SIGTERM and SIGUSR1 are blocked before any thread exists, so every
 * thread inherits the mask and only the run's watcher thread (sync.c)
 * receives them, through sigwait().
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <mysql.h>

#include "../environments/config.h"
#include "atomic_file.h"
#include "diffreport.h"
#include "histdiff.h"
#include "history.h"
#include "report.h"
#include "snapshot.h"
#include "sync.h"
#include "versions.h"
#include "version.h"

static const char usage_top[] =
	"usage: rhizome [--config FILE] [--out DIR] [--workers N] [--quiet] "
	"sync COMMAND [options]\n"
	"\n"
	"Snapshot the CREATE TABLE statements of a fleet of MariaDB/MySQL\n"
	"environments into files, and report what changed.\n"
	"\n"
	"Options:\n"
	"  --config FILE  fleet configuration (default: $RHIZOME_CONFIG, else\n"
	"                 ./rhizome.cnf)\n"
	"  --out DIR      snapshot root (default: the config's [fleet] out,\n"
	"                 relative to the config file)\n"
	"  --workers N    worker threads (default: the config's workers, 8)\n"
	"  --quiet        no progress on stderr\n"
	"  --help         this text\n"
	"  --version      print the version\n"
	"\n"
	"Commands:\n"
	"  sync schema    fetch SHOW CREATE TABLE for every environment x table\n"
	"  sync data      fetch the first row(s) of every environment x table\n"
	"  sync report    show which snapshots exist (reads files only)\n"
	"  sync check     compare the live schemas with the snapshots (exit 1\n"
	"                 on drift); writes nothing\n"
	"  sync diff      the same, as a readable diff or a Markdown report\n"
	"  sync versions  which environments run which version of each table\n"
	"                 (reads files only)\n"
	"\n"
	"Exit status: 0 done, 1 drift (sync check), 2 usage or configuration error,\n"
	"3 partial failure,\n"
	"4 local I/O failure, 5 snapshot root locked by another run,\n"
	"130/143 interrupted.\n";

static const char usage_sync[] =
	"usage: rhizome [global options] sync COMMAND [options]\n"
	"\n"
	"Commands:\n"
	"  schema   [--env NAME]... [--verbose] [--dry-run] [--write-trivial]\n"
	"  data     [--env NAME]... [--verbose] [--dry-run] [--rows N]\n"
	"  report   [--env NAME]... [--format text|json]\n"
	"  check    [--env NAME]... [--verbose]\n"
	"  diff     [--env NAME]... [--against live|RUN_ID] [--format text|json]\n"
	"           [--report [FILE.md]]\n"
	"           [--ignore-int-width] [--utf8-is-utf8mb3]\n"
	"           [--ignore-default-charset] [--ignore-index-order]\n"
	"  versions [--table NAME]... [--format text|json]\n"
	"\n"
	"Run 'rhizome sync COMMAND --help' for details.\n";

static const char usage_schema[] =
	"usage: rhizome [global options] sync schema [--env NAME]... [--verbose]\n"
	"                                            [--dry-run] [--write-trivial]\n"
	"\n"
	"Fetch SHOW CREATE TABLE for every table of every environment (or of the\n"
	"named ones) and write {out}/{folder}/expected_data/{database}_{table}.sql.\n"
	"Prints a JSON summary on stdout: new, trivial (AUTO_INCREMENT noise\n"
	"only), significant, unchanged, missing, errors.\n"
	"\n"
	"  --env NAME       only this environment; repeat for several\n"
	"  --verbose        every error in full: error number, SQLSTATE, statement\n"
	"  --dry-run        fetch and classify, write nothing\n"
	"  --write-trivial  also rewrite files whose only change is AUTO_INCREMENT\n"
	"  --help           this text\n";

static const char usage_data[] =
	"usage: rhizome [global options] sync data [--env NAME]... [--verbose]\n"
	"                                          [--dry-run] [--rows N]\n"
	"\n"
	"Fetch the first row of every table of every environment (or of the\n"
	"named ones) in primary-key order (else the first unique key, else as\n"
	"the server returns them: the summary's \"ordering\" says which) and write\n"
	"{out}/{folder}/expected_data/{database}_{table}.json, masked by the\n"
	"config's [mask] rules. Empty tables write no file (status \"empty\").\n"
	"\n"
	"  --env NAME   only this environment; repeat for several\n"
	"  --rows N     write an array of the first N rows (1-100000)\n"
	"  --verbose    every error in full\n"
	"  --dry-run    fetch and classify, write nothing\n"
	"  --help       this text\n";

static const char usage_report[] =
	"usage: rhizome [global options] sync report [--env NAME]...\n"
	"                                            [--format text|json]\n"
	"\n"
	"For every environment x table: is there a schema snapshot, a data\n"
	"snapshot, and (where [fleet] model / emplacement are set) those files?\n"
	"Reads files only; contacts no server. Plain ASCII when NO_COLOR is set\n"
	"or the locale is not UTF-8.\n"
	"\n"
	"  --env NAME       only this environment; repeat for several\n"
	"  --format FORMAT  text (default) or json\n"
	"  --help           this text\n";

static const char usage_check[] =
	"usage: rhizome [global options] sync check [--env NAME]... [--verbose]\n"
	"\n"
	"Fetch the live schemas and compare them with the committed .sql\n"
	"snapshots, writing nothing. The summary's \"drift\" lists each drifted\n"
	"pair with its severity (critical, high, medium, low) and changes.\n"
	"AUTO_INCREMENT noise is not drift.\n"
	"Exit status: 0 no drift, 1 drift, 2 usage or config, 3 a fetch failed.\n"
	"\n"
	"  --env NAME   only this environment; repeat for several\n"
	"  --verbose    every error in full\n"
	"  --help       this text\n";

static const char usage_diff[] =
	"usage: rhizome [global options] sync diff [--env NAME]...\n"
	"                   [--against live|RUN_ID]\n"
	"                   [--format text|json] [--report [FILE.md]] [--verbose]\n"
	"                   [--ignore-int-width] [--utf8-is-utf8mb3]\n"
	"                   [--ignore-default-charset] [--ignore-index-order]\n"
	"\n"
	"Fetch the live schemas and show, per table, what differs from the\n"
	"committed snapshots: columns, indexes, foreign keys, checks, options,\n"
	"partitioning; each change with its severity. Writes no snapshot.\n"
	"\n"
	"  --env NAME               only this environment; repeat for several\n"
	"  --against live|RUN_ID    what to compare with: the servers (default),\n"
	"                           or what a published schema run fetched\n"
	"                           (its .history; no server contacted)\n"
	"  --format FORMAT          text (default) or json (the check summary)\n"
	"  --report [FILE.md]       also write a Markdown report (default name:\n"
	"                           rhizome-diff-RUN_ID.md)\n"
	"  --ignore-int-width       int(11) = int\n"
	"  --utf8-is-utf8mb3        utf8 = utf8mb3\n"
	"  --ignore-default-charset a column charset/collation equal to the\n"
	"                           table default is not a change\n"
	"  --ignore-index-order     the same indexes in another order are equal\n"
	"  --help                   this text\n"
	"Exit status: 0 no drift, 1 drift, 2 usage or config, 3 a fetch failed,\n"
	"4 the report could not be written.\n";

static const char usage_versions[] =
	"usage: rhizome [global options] sync versions [--table NAME]...\n"
	"                                              [--format text|json]\n"
	"\n"
	"From the committed schema snapshots (no server): for each table, the\n"
	"environments grouped by equal schema into versions V1, V2, ... (V1: the\n"
	"environments that roll out last, production before demo before dev, or\n"
	"by each environment's `order` key, lower rolling out later), the\n"
	"columns every version defines alike (the safe base), and what each\n"
	"version adds, lacks or defines differently against V1.\n"
	"\n"
	"  --table NAME     only this table; repeat for several\n"
	"  --format FORMAT  text (default) or json\n"
	"  --help           this text\n";

enum command { CMD_SCHEMA, CMD_DATA, CMD_REPORT, CMD_CHECK, CMD_DIFF,
	       CMD_VERSIONS };

struct cli {
	enum command command;
	unsigned rows;
	int rows_given;
	int json;
	int report_md;
	const char *report_file;
	struct diff_opts diff;
	const char *against;    /* diff: a run id, or NULL for live */
	const char **tables;    /* versions: --table */
	size_t ntables;
	const char *config;
	const char *out;
	unsigned workers;
	int quiet;
	const char **envs;
	size_t nenvs;
	int verbose, dry_run, write_trivial;
};

static int usage_error(const char *fmt, const char *arg, const char *help)
{
	fprintf(stderr, "rhizome: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry '%s --help'.\n", help);
	return SYNC_EXIT_USAGE;
}

static int parse_number(const char *s, unsigned max, unsigned *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || v < 1 || v > max)
		return -1;
	*out = (unsigned)v;
	return 0;
}

/* Parse everything; returns -1 to go on, or an exit status. */
static int parse_cli(int argc, char **argv, struct cli *c)
{
	static const struct option top[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "out", required_argument, NULL, 'o' },
		{ "workers", required_argument, NULL, 'w' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	static const struct option sub_options[] = {
		{ "env", required_argument, NULL, 'e' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "write-trivial", no_argument, NULL, 't' },
		{ "rows", required_argument, NULL, 'r' },
		{ "format", required_argument, NULL, 'f' },
		{ "against", required_argument, NULL, 'a' },
		{ "table", required_argument, NULL, 'T' },
		{ "report", optional_argument, NULL, 'R' },
		{ "ignore-int-width", no_argument, NULL, '1' },
		{ "utf8-is-utf8mb3", no_argument, NULL, '2' },
		{ "ignore-default-charset", no_argument, NULL, '3' },
		{ "ignore-index-order", no_argument, NULL, '4' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *help;
	char sub[64];
	int ch;

	opterr = 0;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "+", top, NULL)) != -1) {
		switch (ch) {
		case 'c': c->config = optarg; break;
		case 'o': c->out = optarg; break;
		case 'w':
			if (parse_number(optarg, 1024, &c->workers) != 0)
				return usage_error("--workers wants a number from "
						   "1 to 1024, not '%s'", optarg,
						   "rhizome");
			break;
		case 'q': c->quiet = 1; break;
		case 'h': fputs(usage_top, stdout); return SYNC_EXIT_OK;
		case 'V': printf("rhizome %s\n", RHIZOME_VERSION); return SYNC_EXIT_OK;
		default:
			return usage_error("unknown or incomplete option '%s'",
					   argv[optind - 1], "rhizome");
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0)
		return usage_error("no command given%s", "", "rhizome");
	if (strcmp(argv[0], "sync") != 0)
		return usage_error("unknown command '%s' (expected 'sync')",
				   argv[0], "rhizome");
	if (argc == 1)
		return usage_error("'sync' needs a command%s", "", "rhizome sync");
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		fputs(usage_sync, stdout);
		return SYNC_EXIT_OK;
	}
	if (strcmp(argv[1], "schema") == 0)
		c->command = CMD_SCHEMA;
	else if (strcmp(argv[1], "data") == 0)
		c->command = CMD_DATA;
	else if (strcmp(argv[1], "report") == 0)
		c->command = CMD_REPORT;
	else if (strcmp(argv[1], "check") == 0)
		c->command = CMD_CHECK;
	else if (strcmp(argv[1], "diff") == 0)
		c->command = CMD_DIFF;
	else if (strcmp(argv[1], "versions") == 0)
		c->command = CMD_VERSIONS;
	else
		return usage_error("unknown sync command '%s' (expected schema, "
				   "data, report, check, diff or versions)", argv[1],
				   "rhizome sync");
	help = c->command == CMD_SCHEMA ? usage_schema
	       : c->command == CMD_DATA ? usage_data
	       : c->command == CMD_CHECK ? usage_check
	       : c->command == CMD_DIFF ? usage_diff
	       : c->command == CMD_VERSIONS ? usage_versions : usage_report;
	snprintf(sub, sizeof(sub), "rhizome sync %s", argv[1]);

	argc -= 1;
	argv += 1;
	optind = 1;
	c->envs = calloc((size_t)argc + 1, sizeof(*c->envs));
	c->tables = calloc((size_t)argc + 1, sizeof(*c->tables));
	if (c->envs == NULL || c->tables == NULL)
		abort();
	while ((ch = getopt_long(argc, argv, "+", sub_options, NULL)) != -1) {
		/* Each command takes only its own options. */
		if ((ch == 't' && c->command != CMD_SCHEMA) ||
		    (ch == 'r' && c->command != CMD_DATA) ||
		    (ch == 'f' && c->command != CMD_REPORT &&
		     c->command != CMD_DIFF && c->command != CMD_VERSIONS) ||
		    (ch == 'T' && c->command != CMD_VERSIONS) ||
		    ((ch == 'e' || ch == 'v' || ch == 'n') &&
		     c->command == CMD_VERSIONS) ||
		    (strchr("aR1234", ch) != NULL && c->command != CMD_DIFF) ||
		    (ch == 'n' && c->command == CMD_DIFF) ||
		    ((ch == 'v' || ch == 'n') && c->command == CMD_REPORT) ||
		    (ch == 'n' && c->command == CMD_CHECK))
			return usage_error("option '%s' does not apply here",
					   argv[optind - 1], sub);
		switch (ch) {
		case 'e': {
			size_t i;
			int dup = 0;

			for (i = 0; i < c->nenvs; i++)
				dup |= strcmp(c->envs[i], optarg) == 0;
			if (!dup)
				c->envs[c->nenvs++] = optarg;
			break;
		}
		case 'v': c->verbose = 1; break;
		case 'n': c->dry_run = 1; break;
		case 't': c->write_trivial = 1; break;
		case 'r':
			if (parse_number(optarg, 100000, &c->rows) != 0)
				return usage_error("--rows wants a number from 1 "
						   "to 100000, not '%s'", optarg, sub);
			c->rows_given = 1;
			break;
		case 'f':
			if (strcmp(optarg, "json") == 0)
				c->json = 1;
			else if (strcmp(optarg, "text") != 0)
				return usage_error("--format is text or json, not "
						   "'%s'", optarg, sub);
			break;
		case 'a':
			c->against = strcmp(optarg, "live") == 0 ? NULL : optarg;
			if (c->against != NULL && (!config_name_is_safe(optarg) ||
						   optarg[0] == '.'))
				return usage_error("--against wants 'live' or a run "
						   "id, not '%s'", optarg, sub);
			break;
		case 'R':
			c->report_md = 1;
			c->report_file = optarg;
			/* "--report FILE" too: diff takes no other argument */
			if (optarg == NULL && optind < argc &&
			    argv[optind][0] != '-')
				c->report_file = argv[optind++];
			break;
		case 'T':
			c->tables[c->ntables++] = optarg;
			break;
		case '1': c->diff.ignore_int_width = 1; break;
		case '2': c->diff.utf8_is_utf8mb3 = 1; break;
		case '3': c->diff.ignore_default_charset = 1; break;
		case '4': c->diff.ignore_index_order = 1; break;
		case 'h': fputs(help, stdout); return SYNC_EXIT_OK;
		default:
			return usage_error("unknown or incomplete option '%s'",
					   argv[optind - 1], sub);
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind], sub);
	return -1;
}

/* The snapshot root as the user sees it: --out as given, else the config's
 * `out` (default "environments") relative to the config file's folder. */
static char *resolve_out(const struct cli *c, const struct fleet_config *cfg)
{
	const char *out = c->out ? c->out : cfg->out ? cfg->out : "environments";
	char *p;
	size_t len;

	if (c->out != NULL || out[0] == '/')
		p = strdup(out);
	else if (asprintf(&p, "%s%s", cfg->dir, out) < 0)
		p = NULL;
	if (p == NULL)
		abort();
	len = strlen(p);
	while (len > 1 && p[len - 1] == '/')
		p[--len] = '\0';
	return p;
}

/* YYYYMMDDTHHMMSSZ-mmm, with a counter when that run folder exists. */
static void make_run_id(const char *out, const struct timespec *ts,
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
		dir = history_run_dir(out, buf);
		taken = stat(dir, &st) == 0;
		free(dir);
		if (!taken)
			return;
	}
}

/*
 * Write `v` to stdout: as indented JSON, or through `text` (NULL: JSON
 * always), then flush. Returns 0, or -1 when it did not get out (a full
 * disk, a closed pipe): the caller's run then ends with SYNC_EXIT_IO.
 */
static int print_result(json_t *v, int as_json, int (*text)(json_t *, FILE *))
{
	int rc;

	if (as_json || text == NULL)
		rc = json_dumpf(v, stdout, JSON_INDENT(2)) != 0 ||
		     fputc('\n', stdout) == EOF;
	else
		rc = text(v, stdout) != 0;
	return rc != 0 || fflush(stdout) != 0 ? -1 : 0;
}

/* sync diff's output: the text diff (or the summary as JSON) on stdout,
 * and the Markdown report when asked. Returns 0 or SYNC_EXIT_IO. */
static int write_diff(const struct cli *c, json_t *summary)
{
	char *md, *name = NULL;
	int rc;

	if (print_result(summary, c->json, diffreport_text) != 0) {
		fprintf(stderr, "rhizome: cannot write the diff to stdout\n");
		return SYNC_EXIT_IO;
	}
	if (!c->report_md)
		return 0;
	if (c->report_file != NULL)
		name = strdup(c->report_file);
	else if (asprintf(&name, "rhizome-diff-%s.md", json_string_value(
				  json_object_get(summary, "run_id"))) < 0)
		name = NULL;
	if (name == NULL)
		abort();
	if (c->against != NULL) {
		char *what;

		if (asprintf(&what, "run %s", c->against) < 0)
			abort();
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
		return SYNC_EXIT_IO;
	}
	fprintf(stderr, "rhizome: report written to %s\n", name);
	free(name);
	return 0;
}

static int run_versions(const struct cli *c, const struct fleet_config *cfg,
			const struct env_config **envs, const char *out)
{
	struct versions_opts v;
	json_t *result;
	size_t i, k;
	int rc;

	for (i = 0; i < c->ntables; i++) {
		size_t d;
		int known = 0;

		for (d = 0; d < cfg->nlists; d++)
			for (k = 0; k < cfg->lists[d].neffective; k++)
				known |= strcmp(cfg->lists[d].effective[k],
						c->tables[i]) == 0;
		if (!known) {
			fprintf(stderr, "rhizome: --table %s: no table list of %s "
				"has it\n", c->tables[i], cfg->path);
			return SYNC_EXIT_USAGE;
		}
	}
	memset(&v, 0, sizeof(v));
	v.cfg = cfg;
	v.envs = envs;
	v.nenvs = c->nenvs;
	v.out = out;
	v.tables = c->tables;
	v.ntables = c->ntables;
	result = versions_build(&v);
	rc = print_result(result, c->json, versions_text);
	json_decref(result);
	if (rc != 0) {
		fprintf(stderr, "rhizome: cannot write to stdout\n");
		return SYNC_EXIT_IO;
	}
	return SYNC_EXIT_OK;
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

static int run_report(const struct cli *c, const struct fleet_config *cfg,
		      const struct env_config **envs, const char *out)
{
	struct report_opts r;
	struct winsize ws;
	const char *columns = getenv("COLUMNS");
	int rc;

	memset(&r, 0, sizeof(r));
	r.cfg = cfg;
	r.envs = envs;
	r.nenvs = c->nenvs;
	r.out = out;
	r.format = c->json ? REPORT_JSON : REPORT_TEXT;
	r.ascii = report_ascii();
	r.width = 100;
	if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 &&
	    ws.ws_col > 0)
		r.width = ws.ws_col;
	else if (columns != NULL && atoi(columns) > 0)
		r.width = (unsigned)atoi(columns);
	rc = report_write(&r, stdout);
	if (rc != 0) {
		fprintf(stderr, "rhizome: cannot write the report: %s\n",
			strerror(-rc));
		return SYNC_EXIT_IO;
	}
	return SYNC_EXIT_OK;
}

int main(int argc, char **argv)
{
	struct cli c;
	struct fleet_config cfg;
	struct config_error cerr;
	const struct env_config **envs = NULL;
	snapshot_root *root = NULL;
	struct sync_opts o;
	json_t *summary = NULL;
	char msg[2048], run_id[64];
	char *out = NULL;
	sigset_t set;
	size_t i;
	int status, rc;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	memset(&c, 0, sizeof(c));
	status = parse_cli(argc, argv, &c);
	if (status >= 0) {
		free(c.envs);
		free(c.tables);
		return status;
	}
	if (c.config == NULL)
		c.config = getenv("RHIZOME_CONFIG");
	if (c.config == NULL || c.config[0] == '\0')
		c.config = "rhizome.cnf";

	if (config_load(c.config, &cfg, &cerr) != 0) {
		config_error_format(&cerr, msg, sizeof(msg));
		fprintf(stderr, "rhizome: configuration error: %s\n", msg);
		free(c.envs);
		free(c.tables);
		return SYNC_EXIT_USAGE;
	}
	status = SYNC_EXIT_USAGE;
	envs = calloc(cfg.nenvs, sizeof(*envs));
	if (envs == NULL)
		abort();
	if (c.nenvs == 0) {
		for (i = 0; i < cfg.nenvs; i++)
			envs[i] = &cfg.envs[i];
		c.nenvs = cfg.nenvs;
	} else {
		for (i = 0; i < c.nenvs; i++) {
			envs[i] = config_find_env(&cfg, c.envs[i]);
			if (envs[i] == NULL) {
				size_t j;

				fprintf(stderr, "rhizome: --env %s: no such "
					"environment in %s (it has:", c.envs[i],
					cfg.path);
				for (j = 0; j < cfg.nenvs; j++)
					fprintf(stderr, " %s", cfg.envs[j].name);
				fprintf(stderr, ")\n");
				goto done;
			}
		}
	}
	out = resolve_out(&c, &cfg);
	if (c.command == CMD_REPORT) {
		status = run_report(&c, &cfg, envs, out);
		goto done;
	}
	if (c.command == CMD_VERSIONS) {
		status = run_versions(&c, &cfg, envs, out);
		goto done;
	}
	if (c.command == CMD_DIFF && c.against != NULL) {
		struct histdiff_opts h = { .cfg = &cfg, .envs = envs,
			.nenvs = c.nenvs, .out = out, .run_id = c.against,
			.diff = c.diff };

		summary = histdiff_build(&h, &status);
		if (summary != NULL) {
			rc = write_diff(&c, summary);
			if (rc != 0)
				status = rc;
			json_decref(summary);
		}
		goto done;
	}
	for (i = 0; i < c.nenvs; i++)
		if (config_check_password(&cfg, envs[i], &cerr) != 0) {
			config_error_format(&cerr, msg, sizeof(msg));
			fprintf(stderr, "rhizome: configuration error: %s\n", msg);
			goto done;
		}
	if (c.command == CMD_DATA && config_check_mask_key(&cfg, &cerr) != 0) {
		config_error_format(&cerr, msg, sizeof(msg));
		fprintf(stderr, "rhizome: configuration error: %s\n", msg);
		goto done;
	}

	if (mysql_library_init(0, NULL, NULL) != 0) {
		fprintf(stderr, "rhizome: cannot initialize libmariadb\n");
		status = SYNC_EXIT_IO; /* nothing contacted: a local failure */
		goto done;
	}

	memset(&o, 0, sizeof(o));
	clock_gettime(CLOCK_REALTIME, &o.started);
	if (c.command == CMD_CHECK || c.command == CMD_DIFF)
		c.dry_run = 1; /* they write no snapshot: no lock, no history */
	if (!c.dry_run) {
		const char **folders = calloc(cfg.nenvs, sizeof(*folders));

		root = snapshot_lock(out, &rc);
		if (root == NULL) {
			free(folders);
			if (rc == -EWOULDBLOCK) {
				fprintf(stderr, "rhizome: another run holds the "
					"lock on %s/.rhizome.lock; nothing "
					"touched\n", out);
				status = SYNC_EXIT_LOCKED;
			} else {
				fprintf(stderr, "rhizome: cannot open the snapshot "
					"root %s: %s\n", out, strerror(-rc));
				status = SYNC_EXIT_IO;
			}
			goto done_lib;
		}
		for (i = 0; i < cfg.nenvs; i++)
			folders[i] = cfg.envs[i].folder;
		rc = snapshot_sweep(root, folders, cfg.nenvs);
		free(folders);
		if (rc > 0 && !c.quiet)
			fprintf(stderr, "rhizome: removed %d leftover(s) of an "
				"interrupted run under %s\n", rc, out);
	}
	make_run_id(out, &o.started, run_id, sizeof(run_id));

	o.command = c.command == CMD_DATA ? SYNC_DATA
		    : c.command == CMD_CHECK || c.command == CMD_DIFF ? SYNC_CHECK
		    : SYNC_SCHEMA;
	o.diff = c.diff;
	o.rows = c.rows_given ? c.rows : 1;
	o.rows_array = c.rows_given;
	o.cfg = &cfg;
	o.envs = envs;
	o.nenvs = c.nenvs;
	o.out = out;
	o.run_id = run_id;
	o.workers = c.workers;
	o.dry_run = c.dry_run;
	o.write_trivial = c.write_trivial;
	o.verbose = c.verbose;
	o.quiet = c.quiet;
	status = sync_run(&o, &summary);
	if (summary != NULL && c.command == CMD_DIFF) {
		rc = write_diff(&c, summary);
		if (rc != 0)
			status = rc;
		json_decref(summary);
	} else if (summary != NULL) {
		/* A summary that did not get out (a full disk, a closed pipe)
		 * is a local I/O failure: the caller cannot know what happened. */
		if (print_result(summary, 1, NULL) != 0) {
			fprintf(stderr, "rhizome: cannot write the summary to "
				"stdout: %s\n", strerror(errno));
			if (status == SYNC_EXIT_OK || status == SYNC_EXIT_PARTIAL)
				status = SYNC_EXIT_IO;
		}
		json_decref(summary);
	}
	snapshot_unlock(root);
done_lib:
	mysql_library_end();
done:
	free(out);
	free(envs);
	free(c.envs);
	free(c.tables);
	config_release(&cfg);
	return status;
}
