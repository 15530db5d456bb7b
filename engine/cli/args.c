/*
 * The command line: the command (`sync COMMAND`, `status`, `history
 * COMMAND`, `verify`, `tables`, `gen models`, `load`) and options, the global ones (--config,
 * --quiet, ...) anywhere on the line, the command's own after it.
 * getopt_long in two passes ("+": stop at the first non-option): the
 * options before the command, then the command's, which include the
 * global ones. Every mistake names the option and says what it wants,
 * with a "did you mean" where a near word exists (suggest.h).
 */
#include "engine/cli/args.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/base/alloc.h"
#include "engine/base/duration.h"
#include "engine/base/strbuf.h"
#include "engine/base/version.h"
#include "engine/cli/suggest.h"
#include "engine/cli/usage.h"
#include "environments/config.h"

static enum cli_parsed usage_error(const char *fmt, const char *arg,
				   const char *help)
{
	fprintf(stderr, "rhizome: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry '%s --help'.\n", help);
	return CLI_BAD_USAGE;
}

/* A decimal number from 1 to max: 0 with *out, or -ERANGE. */
static int parse_number(const char *s, unsigned max, unsigned *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || v < 1 || v > max)
		return -ERANGE;
	*out = (unsigned)v;
	return 0;
}

/* "K/N", 0 <= K < N <= 1024: 0, or -ERANGE. */
static int parse_shard(const char *s, unsigned *k, unsigned *n)
{
	const char *slash = strchr(s, '/');
	char kpart[16];
	unsigned long v;
	char *end;

	if (slash == NULL || (size_t)(slash - s) >= sizeof(kpart) ||
	    slash == s || parse_number(slash + 1, 1024, n) != 0)
		return -ERANGE;
	memcpy(kpart, s, (size_t)(slash - s));
	kpart[slash - s] = '\0';
	errno = 0;
	v = strtoul(kpart, &end, 10);
	if (errno || *end || kpart[0] == '-' || kpart[0] == '+' || v >= *n)
		return -ERANGE;
	*k = (unsigned)v;
	return 0;
}

/* The commands each option applies to; an option not listed here
 * (--help) applies to all. */
#define ONLY(cmd) (1u << (cmd))
#define SYNCS (ONLY(CLI_SCHEMA) | ONLY(CLI_DATA))
static const struct {
	int option;
	unsigned commands;
} applies[] = {
	{ 'e', SYNCS | ONLY(CLI_REPORT) | ONLY(CLI_CHECK) | ONLY(CLI_DIFF) |
	       ONLY(CLI_STATUS) | ONLY(CLI_HISTORY_LIST) |
	       ONLY(CLI_HISTORY_RESTORE) | ONLY(CLI_VERIFY) | ONLY(CLI_TABLES) |
	       ONLY(CLI_LOAD) },
	{ 'U', ONLY(CLI_CHECK) },
	{ 'v', SYNCS | ONLY(CLI_CHECK) | ONLY(CLI_DIFF) | ONLY(CLI_LOAD) },
	{ 'n', SYNCS | ONLY(CLI_HISTORY_RESTORE) | ONLY(CLI_HISTORY_PRUNE) |
	       ONLY(CLI_GEN_MODELS) },
	{ 't', ONLY(CLI_SCHEMA) },
	{ 'r', ONLY(CLI_DATA) }, { 'F', ONLY(CLI_DATA) },
	{ 'A', ONLY(CLI_DATA) }, { 'Z', ONLY(CLI_DATA) }, { 'W', ONLY(CLI_DATA) },
	{ 'B', ONLY(CLI_LOAD) },
	{ 'k', SYNCS },
	{ 'f', SYNCS | ONLY(CLI_CHECK) | ONLY(CLI_REPORT) | ONLY(CLI_DIFF) |
	       ONLY(CLI_VERSIONS) | ONLY(CLI_STATUS) | ONLY(CLI_HISTORY_LIST) |
	       ONLY(CLI_HISTORY_SHOW) | ONLY(CLI_VERIFY) | ONLY(CLI_TABLES) |
	       ONLY(CLI_GEN_MODELS) | ONLY(CLI_LOAD) },
	{ 'T', ONLY(CLI_VERSIONS) | ONLY(CLI_HISTORY_RESTORE) |
	       ONLY(CLI_GEN_MODELS) | ONLY(CLI_LOAD) | ONLY(CLI_DATA) },
	{ 'I', ONLY(CLI_LOAD) }, { 'Y', ONLY(CLI_LOAD) }, { 'X', ONLY(CLI_LOAD) },
	{ 'M', ONLY(CLI_STATUS) },
	{ 'C', ONLY(CLI_STATUS) | ONLY(CLI_HISTORY_LIST) },
	{ 'K', ONLY(CLI_HISTORY_PRUNE) }, { 'O', ONLY(CLI_HISTORY_PRUNE) },
	{ 'a', ONLY(CLI_DIFF) }, { 'R', ONLY(CLI_DIFF) },
	{ '1', ONLY(CLI_DIFF) }, { '2', ONLY(CLI_DIFF) },
	{ '3', ONLY(CLI_DIFF) }, { '4', ONLY(CLI_DIFF) },
};

static int applies_to(int option, enum cli_command command)
{
	size_t i;

	for (i = 0; i < sizeof(applies) / sizeof(applies[0]); i++)
		if (applies[i].option == option)
			return (applies[i].commands & ONLY(command)) != 0;
	return 1;
}

struct command_name {
	const char *name;
	enum cli_command command;
};

static const struct command_name sync_commands[] = {
	{ "schema", CLI_SCHEMA }, { "data", CLI_DATA }, { "report", CLI_REPORT },
	{ "check", CLI_CHECK }, { "diff", CLI_DIFF }, { "versions", CLI_VERSIONS },
	{ NULL, 0 },
};

static const struct command_name gen_commands[] = {
	{ "models", CLI_GEN_MODELS },
	{ NULL, 0 },
};

static const struct command_name history_commands[] = {
	{ "list", CLI_HISTORY_LIST }, { "show", CLI_HISTORY_SHOW },
	{ "restore", CLI_HISTORY_RESTORE }, { "prune", CLI_HISTORY_PRUNE },
	{ NULL, 0 },
};

/* The global options: before the command, or among its own. Short forms
 * are in TOP_SHORT. */
#define TOP_SHORT "c:o:w:qhV"
#define TOP_OPTIONS \
	{ "config", required_argument, NULL, 'c' }, \
	{ "out", required_argument, NULL, 'o' }, \
	{ "workers", required_argument, NULL, 'w' }, \
	{ "quiet", no_argument, NULL, 'q' }, \
	{ "shard", required_argument, NULL, 'S' }, \
	{ "log-format", required_argument, NULL, 'L' }, \
	{ "progress", required_argument, NULL, 'P' }, \
	{ "version", no_argument, NULL, 'V' }

static const struct option top[] = {
	TOP_OPTIONS,
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* What an option's value is, for "--env needs a value: ...". */
static const char *value_wanted(int option)
{
	switch (option) {
	case 'c': return "a config file, or a folder holding rhizome.cnf";
	case 'o': return "the snapshot root, a folder";
	case 'w': return "a number of worker threads, 1 to 1024";
	case 'S': return "K/N, as 0/4";
	case 'L': case 'f': return "text or json";
	case 'P': return "auto, bar, lines or none";
	case 'e': return "an environment's name";
	case 'U': return "report or drift";
	case 'r': return "a number of rows, 1 to 100000";
	case 'a': return "live, latest or a run id";
	case 'T': return "a table's name";
	case 'M': return "a duration such as 26h";
	case 'C': return "schema, data or restore";
	case 'K': return "a number of runs";
	case 'O': return "a duration such as 30d";
	case 'I': return "a scratch environment's name";
	}
	return "a value";
}

/* The commands as a user types them, for "--rows applies to ...". */
static const char *const command_words[] = {
	[CLI_SCHEMA] = "sync schema", [CLI_DATA] = "sync data",
	[CLI_REPORT] = "sync report", [CLI_CHECK] = "sync check",
	[CLI_DIFF] = "sync diff", [CLI_VERSIONS] = "sync versions",
	[CLI_STATUS] = "status", [CLI_HISTORY_LIST] = "history list",
	[CLI_HISTORY_SHOW] = "history show",
	[CLI_HISTORY_RESTORE] = "history restore",
	[CLI_HISTORY_PRUNE] = "history prune", [CLI_VERIFY] = "verify",
	[CLI_TABLES] = "tables", [CLI_GEN_MODELS] = "gen models",
	[CLI_LOAD] = "load",
};

/* "--rows does not apply to sync schema: it is sync data's only", from
 * the table above. */
static enum cli_parsed not_here(const char *name, int option, const char *sub)
{
	const size_t ncommands = sizeof(command_words) / sizeof(command_words[0]);
	struct strbuf list = STRBUF_INIT;
	unsigned mask = 0;
	size_t i, k, n = 0, done = 0;

	for (i = 0; i < sizeof(applies) / sizeof(applies[0]); i++)
		if (applies[i].option == option)
			mask = applies[i].commands;
	for (k = 0; k < ncommands; k++)
		n += (mask & ONLY(k)) != 0;
	for (k = 0; k < ncommands; k++)
		if (mask & ONLY(k))
			strbuf_addf(&list, "%s%s", done++ == 0 ? ""
				    : done == n ? " and " : ", ",
				    command_words[k]);
	fprintf(stderr, "rhizome: %s does not apply to %s: it is %s's%s\n",
		name, sub + strlen("rhizome "), list.data,
		n == 1 ? " only" : "");
	strbuf_release(&list);
	fprintf(stderr, "Try '%s --help'.\n", sub);
	return CLI_BAD_USAGE;
}

/*
 * What getopt_long's '?' (unknown) or ':' (no value) means, said with the
 * option's name: `opts` are the options of this pass, `arg` the word it
 * stopped at, `sub` the command ("rhizome sync schema").
 */
static enum cli_parsed bad_option(int ch, const struct option *opts,
				  const char *arg, const char *sub)
{
	const char *names[64];
	char word[80];
	size_t n = 0, len;
	const char *near;

	if (ch == ':') {
		for (; opts->name != NULL; opts++)
			if (opts->val == optopt)
				break;
		if (opts->name != NULL)
			fprintf(stderr, "rhizome: --%s needs a value: %s\n",
				opts->name, value_wanted(optopt));
		else
			fprintf(stderr, "rhizome: -%c needs a value: %s\n",
				optopt, value_wanted(optopt));
		fprintf(stderr, "Try '%s --help'.\n", sub);
		return CLI_BAD_USAGE;
	}
	if (optopt != 0 && arg[0] == '-' && arg[1] != '-') {
		fprintf(stderr, "rhizome: unknown option '-%c'\nTry '%s --help'.\n",
			optopt, sub);
		return CLI_BAD_USAGE;
	}
	len = strcspn(arg, "=");
	snprintf(word, sizeof(word), "%.*s", (int)(len < 70 ? len : 70), arg);
	for (; opts->name != NULL && n < 64; opts++)
		names[n++] = opts->name;
	near = suggest_nearest(word + strspn(word, "-"), names, n);
	fprintf(stderr, "rhizome: unknown option '%s'", word);
	if (near != NULL)
		fprintf(stderr, " (did you mean --%s?)", near);
	fprintf(stderr, "\nTry '%s --help'.\n", sub);
	return CLI_BAD_USAGE;
}

/* A global option (TOP_OPTIONS), before the command or after it:
 * CLI_PARSED to go on. */
static enum cli_parsed take_global(struct cli *c, int ch, const char *arg,
				   const char *sub)
{
	switch (ch) {
	case 'c': c->config = c->config_given = arg; break;
	case 'o': c->out = arg; break;
	case 'w':
		if (parse_number(arg, 1024, &c->workers) != 0)
			return usage_error("--workers wants a number from 1 to "
					   "1024, not '%s'", arg, sub);
		break;
	case 'q': c->quiet = 1; break;
	case 'S':
		if (parse_shard(arg, &c->shard_k, &c->shard_n) != 0)
			return usage_error("--shard wants K/N with 0 <= K < N <= "
					   "1024 (K as Kubernetes' "
					   "JOB_COMPLETION_INDEX), not '%s'", arg,
					   sub);
		break;
	case 'L':
		c->log_json = strcmp(arg, "json") == 0;
		if (!c->log_json && strcmp(arg, "text") != 0)
			return usage_error("--log-format is text or json, not "
					   "'%s'", arg, sub);
		break;
	case 'P': {
		static const struct {
			const char *name;
			enum progress_choice choice;
		} choices[] = {
			{ "auto", PROGRESS_AUTO }, { "bar", PROGRESS_WANT_BAR },
			{ "lines", PROGRESS_WANT_LINES },
			{ "none", PROGRESS_WANT_NONE },
		};
		size_t k, n = sizeof(choices) / sizeof(choices[0]);

		for (k = 0; k < n && strcmp(arg, choices[k].name) != 0; k++)
			;
		if (k == n)
			return usage_error("--progress is auto, bar, lines or "
					   "none, not '%s'", arg, sub);
		c->progress = choices[k].choice;
		break;
	}
	case 'V': printf("rhizome %s\n", RHIZOME_VERSION); return CLI_ANSWERED;
	}
	return CLI_PARSED;
}

/* Whether `arg` can name a run: "latest" or a run folder's name. */
static int run_id_ok(const char *arg)
{
	return config_name_is_safe(arg) && arg[0] != '.';
}

/* Parse the command's own options, argv[0] being the command's last word;
 * `sub` names the command in messages. */
static enum cli_parsed parse_options(int argc, char **argv, struct cli *c,
				     const char *sub)
{
	static const struct option sub_options[] = {
		{ "env", required_argument, NULL, 'e' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "write-trivial", no_argument, NULL, 't' },
		{ "keep-removed", no_argument, NULL, 'k' },
		{ "unlisted", required_argument, NULL, 'U' },
		{ "rows", required_argument, NULL, 'r' },
		{ "follow-keys", no_argument, NULL, 'F' },
		{ "all", no_argument, NULL, 'A' },
		{ "resume", no_argument, NULL, 'Z' },
		{ "chunk-rows", required_argument, NULL, 'W' },
		{ "bulk", no_argument, NULL, 'B' },
		{ "format", required_argument, NULL, 'f' },
		{ "against", required_argument, NULL, 'a' },
		{ "table", required_argument, NULL, 'T' },
		{ "report", optional_argument, NULL, 'R' },
		{ "max-age", required_argument, NULL, 'M' },
		{ "command", required_argument, NULL, 'C' },
		{ "keep", required_argument, NULL, 'K' },
		{ "older-than", required_argument, NULL, 'O' },
		{ "ignore-int-width", no_argument, NULL, '1' },
		{ "utf8-is-utf8mb3", no_argument, NULL, '2' },
		{ "ignore-default-charset", no_argument, NULL, '3' },
		{ "ignore-index-order", no_argument, NULL, '4' },
		{ "into", required_argument, NULL, 'I' },
		{ "schema-only", no_argument, NULL, 'Y' },
		{ "replace", no_argument, NULL, 'X' },
		{ "help", no_argument, NULL, 'h' },
		TOP_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	const char *help = cli_usage_of(c->command);
	enum cli_parsed parsed;
	int wants_run = c->command == CLI_HISTORY_SHOW ||
			c->command == CLI_HISTORY_RESTORE;
	int ch, index = 0;

	optind = 1;
	c->envs = xcalloc((size_t)argc + 1, sizeof(*c->envs));
	c->tables = xcalloc((size_t)argc + 1, sizeof(*c->tables));
	for (;;) {
		index = -1;
		while ((ch = getopt_long(argc, argv, "+:" TOP_SHORT "e:vnf:",
					 sub_options, &index)) != -1) {
			/* Each command takes only its own options. Named by
			 * the table, not argv: for "--rows 3" argv[optind - 1]
			 * is the "3". */
			if (ch != '?' && ch != ':' && !applies_to(ch, c->command)) {
				char name[64];
				size_t k;

				for (k = 0; index < 0 && sub_options[k].name; k++)
					if (sub_options[k].val == ch)
						index = (int)k;
				snprintf(name, sizeof(name), "--%s",
					 sub_options[index].name);
				return not_here(name, ch, sub);
			}
			index = -1;
			switch (ch) {
			case 'c': case 'o': case 'w': case 'q': case 'S':
			case 'L': case 'P': case 'V':
				parsed = take_global(c, ch, optarg, sub);
				if (parsed != CLI_PARSED)
					return parsed;
				break;
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
			case 'k': c->keep_removed = 1; break;
			case 'U':
				if (strcmp(optarg, "drift") == 0)
					c->unlisted_drift = 1;
				else if (strcmp(optarg, "report") != 0)
					return usage_error("--unlisted is report "
							   "(the default) or drift, "
							   "not '%s'", optarg, sub);
				break;
			case 'r':
				if (parse_number(optarg, 100000, &c->rows) != 0)
					return usage_error("--rows wants a number "
							   "from 1 to 100000, not "
							   "'%s'", optarg, sub);
				c->rows_given = 1;
				break;
			case 'f':
				c->format_given = 1;
				c->json = strcmp(optarg, "json") == 0;
				if (!c->json && strcmp(optarg, "text") != 0)
					return usage_error("--format is text or "
							   "json, not '%s'", optarg,
							   sub);
				break;
			case 'a':
				c->against = strcmp(optarg, "live") == 0 ? NULL
									 : optarg;
				if (c->against != NULL && !run_id_ok(optarg))
					return usage_error("--against wants 'live', "
							   "'latest' or a run id, "
							   "not '%s'", optarg, sub);
				break;
			case 'R':
				c->report_md = 1;
				c->report_file = optarg;
				/* "--report FILE" too: diff takes no other
				 * argument */
				if (optarg == NULL && optind < argc &&
				    argv[optind][0] != '-')
					c->report_file = argv[optind++];
				break;
			case 'T':
				c->tables[c->ntables++] = optarg;
				break;
			case 'M':
				if (duration_parse(optarg, &c->max_age) != 0)
					return usage_error("--max-age wants a "
							   "duration such as 90m, "
							   "26h or 7d, not '%s'",
							   optarg, sub);
				c->max_age_given = 1;
				break;
			case 'C':
				if (strcmp(optarg, "schema") != 0 &&
				    strcmp(optarg, "data") != 0 &&
				    strcmp(optarg, "restore") != 0)
					return usage_error("--command is schema, "
							   "data or restore, not "
							   "'%s'", optarg, sub);
				c->only_command = optarg;
				break;
			case 'K':
				if (parse_number(optarg, 1000000, &c->keep) != 0)
					return usage_error("--keep wants a number "
							   "from 1 to 1000000, not "
							   "'%s'", optarg, sub);
				c->keep_given = 1;
				break;
			case 'O':
				if (duration_parse(optarg, &c->older_than) != 0)
					return usage_error("--older-than wants a "
							   "duration such as 30d or "
							   "12h, not '%s'", optarg,
							   sub);
				c->older_than_given = 1;
				break;
			case '1': c->diff.ignore_int_width = 1; break;
			case '2': c->diff.utf8_is_utf8mb3 = 1; break;
			case '3': c->diff.ignore_default_charset = 1; break;
			case '4': c->diff.ignore_index_order = 1; break;
			case 'I': c->into = optarg; break;
			case 'Y': c->schema_only = 1; break;
			case 'F': c->follow_keys = 1; break;
			case 'A': c->all = 1; break;
			case 'Z': c->resume = 1; break;
			case 'B': c->bulk = 1; break;
			case 'W':
				if (parse_number(optarg, 10000000, &c->chunk_rows) != 0)
					return usage_error("--chunk-rows wants a number "
							   "from 1 to 10000000, not "
							   "'%s'", optarg, sub);
				break;
			case 'X': c->replace = 1; break;
			case 'h': fputs(help, stdout); return CLI_ANSWERED;
			default:
				return bad_option(ch, sub_options,
						  argv[optind - 1], sub);
			}
		}
		/* The run a command names may stand among its options. */
		if (optind < argc && wants_run && c->run_id == NULL) {
			if (!run_id_ok(argv[optind]))
				return usage_error("'%s' is not a run id (see "
						   "'rhizome history list'; "
						   "'latest' is the newest)",
						   argv[optind], sub);
			c->run_id = argv[optind++];
			continue;
		}
		break;
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind], sub);
	if (wants_run && c->run_id == NULL)
		return usage_error("which run? Name a run id or 'latest'%s", "",
				   sub);
	if (c->command == CLI_LOAD && c->nenvs != 1)
		return usage_error("load wants one --env NAME: the environment "
				   "whose snapshots are loaded%s", "", sub);
	if (c->command == CLI_LOAD && c->into == NULL)
		return usage_error("load wants --into TARGET: the scratch "
				   "environment to load into%s", "", sub);
	if (c->command == CLI_DATA && !c->all &&
	    (c->resume || c->chunk_rows || c->ntables))
		return usage_error("%s applies to the bulk export: add --all",
				   c->resume ? "--resume" : c->chunk_rows
				   ? "--chunk-rows" : "--table", sub);
	if (c->command == CLI_DATA && c->all &&
	    (c->rows_given || c->follow_keys || c->dry_run || c->write_trivial ||
	     c->keep_removed))
		return usage_error("--all exports every row: %s does not go with "
				   "it", c->rows_given ? "--rows" : c->follow_keys
				   ? "--follow-keys" : c->dry_run ? "--dry-run"
				   : c->write_trivial ? "--write-trivial"
				   : "--keep-removed", sub);
	if (c->command == CLI_LOAD && c->bulk && c->schema_only)
		return usage_error("--bulk loads rows: it does not go with "
				   "--schema-only%s", "", sub);
	if (c->command == CLI_HISTORY_PRUNE && c->keep_given == c->older_than_given)
		return usage_error("prune wants exactly one of --keep N and "
				   "--older-than DURATION%s", "", sub);
	return CLI_PARSED;
}

/* A command word that takes a command of its own: `sync schema`. */
struct command_group {
	const char *word;
	const struct command_name *commands;
	const char *usage;      /* `rhizome WORD --help` */
	const char *expected;   /* its commands, for an unknown one */
};

static const struct command_group *find_group(const char *word)
{
	static const struct command_group groups[] = {
		{ "sync", sync_commands, cli_usage_sync,
		  "schema, data, report, check, diff or versions" },
		{ "history", history_commands, cli_usage_history,
		  "list, show, restore or prune" },
		{ "gen", gen_commands, cli_usage_gen, "models" },
	};
	size_t i;

	for (i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
		if (strcmp(groups[i].word, word) == 0)
			return &groups[i];
	return NULL;
}

/* The word in `names` equal to `word`, or NULL. */
static const struct command_name *find_command(const struct command_name *names,
					       const char *word)
{
	for (; names->name != NULL; names++)
		if (strcmp(names->name, word) == 0)
			return names;
	return NULL;
}

int cli_wants_json_log(int argc, char **argv)
{
	int ch, json = 0;

	opterr = 0;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "+:" TOP_SHORT, top, NULL)) != -1) {
		if (ch == '?' || ch == ':')
			break; /* cli_parse stops here too */
		if (ch == 'L')
			json = strcmp(optarg, "json") == 0;
	}
	optind = 1;
	return json;
}

enum cli_parsed cli_parse(int argc, char **argv, struct cli *c)
{
	const struct command_name *cmd;
	const struct command_group *group;
	char sub[64];
	int ch;

	memset(c, 0, sizeof(*c));
	opterr = 0;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "+:" TOP_SHORT, top, NULL)) != -1) {
		enum cli_parsed parsed;

		if (ch == 'h') {
			fputs(cli_usage_top, stdout);
			return CLI_ANSWERED;
		}
		if (ch == '?' || ch == ':')
			return bad_option(ch, top, argv[optind - 1], "rhizome");
		parsed = take_global(c, ch, optarg, "rhizome");
		if (parsed != CLI_PARSED)
			return parsed;
	}
	argc -= optind;
	argv += optind;
	if (argc == 0)
		return usage_error("no command given%s", "", "rhizome");
	if (strcmp(argv[0], "status") == 0 || strcmp(argv[0], "verify") == 0 ||
	    strcmp(argv[0], "tables") == 0 || strcmp(argv[0], "load") == 0) {
		c->command = argv[0][0] == 's' ? CLI_STATUS
			     : argv[0][0] == 'v' ? CLI_VERIFY
			     : argv[0][0] == 'l' ? CLI_LOAD : CLI_TABLES;
		snprintf(sub, sizeof(sub), "rhizome %s", argv[0]);
		return parse_options(argc, argv, c, sub);
	}
	group = find_group(argv[0]);
	if (group == NULL) {
		static const char *const words_top[] = {
			"sync", "status", "history", "verify", "tables", "gen",
			"load",
		};
		const char *near = suggest_nearest(argv[0], words_top, 7);

		fprintf(stderr, "rhizome: unknown command '%s' (%s%s%sexpected "
			"sync, status, history, verify, tables, gen or load)\n",
			argv[0],
			near ? "did you mean " : "", near ? near : "",
			near ? "? " : "");
		fprintf(stderr, "Try 'rhizome --help'.\n");
		return CLI_BAD_USAGE;
	}
	snprintf(sub, sizeof(sub), "rhizome %s", argv[0]);
	if (argc == 1)
		return usage_error("'%s' needs a command", argv[0], sub);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		fputs(group->usage, stdout);
		return CLI_ANSWERED;
	}
	cmd = find_command(group->commands, argv[1]);
	if (cmd == NULL) {
		const struct command_name *names = group->commands;
		const char *list[8], *near;
		size_t n = 0;

		for (; names[n].name != NULL && n < 8; n++)
			list[n] = names[n].name;
		near = suggest_nearest(argv[1], list, n);
		fprintf(stderr, "rhizome: unknown %s command '%s' (%s%s%sexpected "
			"%s)\n", argv[0], argv[1], near ? "did you mean " : "",
			near ? near : "", near ? "? " : "", group->expected);
		fprintf(stderr, "Try 'rhizome %s --help'.\n", argv[0]);
		return CLI_BAD_USAGE;
	}
	c->command = cmd->command;
	snprintf(sub, sizeof(sub), "rhizome %s %s", argv[0], argv[1]);
	return parse_options(argc - 1, argv + 1, c, sub);
}

void cli_release(struct cli *c)
{
	free(c->envs);
	free(c->tables);
	c->envs = c->tables = NULL;
}
