/*
 * args: rhizome's command line, parsed into struct cli. Every option is
 * checked here (numbers in range, formats, which command takes which
 * option), so what follows only wires.
 */
#ifndef RHIZOME_ARGS_H
#define RHIZOME_ARGS_H

#include <stddef.h>

#include "engine/output/progress.h"
#include "engine/schema/schemadiff.h"

enum cli_command { CLI_SCHEMA, CLI_DATA, CLI_REPORT, CLI_CHECK, CLI_DIFF,
		   CLI_VERSIONS, CLI_STATUS, CLI_HISTORY_LIST, CLI_HISTORY_SHOW,
		   CLI_HISTORY_RESTORE, CLI_HISTORY_PRUNE, CLI_VERIFY,
		   CLI_TABLES, CLI_GEN_MODELS, CLI_LOAD };

/* What the user asked for. Strings are borrowed from argv. */
struct cli {
	enum cli_command command;
	const char *config;     /* --config, or NULL; main puts the path
				 * it loaded here (cli_find_config) */
	const char *config_given; /* --config as typed, or NULL: for the
				   * commands a report recommends */
	const char *out;        /* --out, or NULL */
	unsigned workers;       /* --workers, or 0 */
	int quiet;
	int log_json;           /* --log-format json */
	unsigned shard_k, shard_n; /* --shard K/N; shard_n 0: none */
	const char **envs;      /* --env, each once; owned array */
	size_t nenvs;           /* after main's selection: the environments
				 * run (all of them without --env) */
	int envs_given;         /* --env was given */
	int verbose, dry_run, write_trivial;
	unsigned rows;          /* data: --rows */
	int rows_given;
	int follow_keys;        /* data: --follow-keys */
	int all;                /* data: --all, the bulk export */
	int resume;             /* data --all: --resume */
	unsigned chunk_rows;    /* data --all: --chunk-rows, or 0 */
	int json;               /* --format json */
	int format_given;       /* --format text or json: not by the tty */
	enum progress_choice progress; /* --progress */
	int report_md;          /* diff: --report */
	const char *report_file;
	struct diff_opts diff;  /* diff: the --ignore-* options */
	const char *against;    /* diff: a run id, or NULL for live */
	const char **tables;    /* versions, restore, gen models, load,
				 * data --all: --table;
				 * owned array */
	size_t ntables;
	int keep_removed;       /* schema, data: --keep-removed */
	int unlisted_drift;     /* check: --unlisted drift */
	double max_age;         /* status: --max-age, seconds */
	int max_age_given;
	const char *only_command; /* status, history list: --command */
	const char *run_id;     /* history show, restore: a run id or "latest" */
	unsigned keep;          /* prune: --keep N */
	int keep_given;
	double older_than;      /* prune: --older-than, seconds */
	int older_than_given;
	const char *into;       /* load: --into, the target environment */
	int schema_only;        /* load: --schema-only */
	int replace;            /* load: --replace */
	int bulk;               /* load: --bulk, rows from the bulk export */
};

/* How parsing ended. */
enum cli_parsed {
	CLI_PARSED,             /* run the command */
	CLI_ANSWERED,           /* --help or --version printed: exit 0 */
	CLI_BAD_USAGE,          /* a message on stderr: exit 2 */
};

/*
 * Parse argv into *c (zeroed first). Free with cli_release whatever the
 * result. Call from the main thread (getopt's state is global).
 */
enum cli_parsed cli_parse(int argc, char **argv, struct cli *c);

/*
 * Whether the options before the command ask for the machine log
 * (`--log-format json`, the last one given winning, abbreviations as
 * getopt takes them): read as cli_parse reads them, before it, so that
 * even a usage error can come as an event. (A --log-format after the
 * command counts once the line is parsed: main follows c->log_json.)
 * Main thread.
 */
int cli_wants_json_log(int argc, char **argv);

/* Free the arrays *c owns (not argv's strings). Safe after any result of
 * cli_parse, and twice. */
void cli_release(struct cli *c);

#endif
