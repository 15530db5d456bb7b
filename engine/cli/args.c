/*
 * The command line: global options, then `sync COMMAND` and its options.
 * getopt_long in two passes ("+": stop at the first non-option), so a
 * global option after the command is refused rather than taken.
 */
#include "engine/cli/args.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/base/alloc.h"
#include "engine/base/version.h"
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

/* The commands each sync option applies to; an option not listed here
 * (--help) applies to all. */
#define ONLY(cmd) (1u << (cmd))
static const struct {
	int option;
	unsigned commands;
} applies[] = {
	{ 'e', ONLY(CLI_SCHEMA) | ONLY(CLI_DATA) | ONLY(CLI_REPORT) |
	       ONLY(CLI_CHECK) | ONLY(CLI_DIFF) },
	{ 'v', ONLY(CLI_SCHEMA) | ONLY(CLI_DATA) | ONLY(CLI_CHECK) | ONLY(CLI_DIFF) },
	{ 'n', ONLY(CLI_SCHEMA) | ONLY(CLI_DATA) },
	{ 't', ONLY(CLI_SCHEMA) },
	{ 'r', ONLY(CLI_DATA) },
	{ 'f', ONLY(CLI_REPORT) | ONLY(CLI_DIFF) | ONLY(CLI_VERSIONS) },
	{ 'T', ONLY(CLI_VERSIONS) },
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

static const struct {
	const char *name;
	enum cli_command command;
} commands[] = {
	{ "schema", CLI_SCHEMA }, { "data", CLI_DATA }, { "report", CLI_REPORT },
	{ "check", CLI_CHECK }, { "diff", CLI_DIFF }, { "versions", CLI_VERSIONS },
};

enum cli_parsed cli_parse(int argc, char **argv, struct cli *c)
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
	size_t k;
	int ch, index = 0;

	memset(c, 0, sizeof(*c));
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
		case 'h': fputs(cli_usage_top, stdout); return CLI_ANSWERED;
		case 'V': printf("rhizome %s\n", RHIZOME_VERSION); return CLI_ANSWERED;
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
		fputs(cli_usage_sync, stdout);
		return CLI_ANSWERED;
	}
	for (k = 0; k < sizeof(commands) / sizeof(commands[0]); k++)
		if (strcmp(argv[1], commands[k].name) == 0)
			break;
	if (k == sizeof(commands) / sizeof(commands[0]))
		return usage_error("unknown sync command '%s' (expected schema, "
				   "data, report, check, diff or versions)", argv[1],
				   "rhizome sync");
	c->command = commands[k].command;
	help = cli_usage_of(c->command);
	snprintf(sub, sizeof(sub), "rhizome sync %s", argv[1]);

	argc -= 1;
	argv += 1;
	optind = 1;
	c->envs = xcalloc((size_t)argc + 1, sizeof(*c->envs));
	c->tables = xcalloc((size_t)argc + 1, sizeof(*c->tables));
	while ((ch = getopt_long(argc, argv, "+", sub_options, &index)) != -1) {
		/* Each command takes only its own options. Named by the table,
		 * not argv: for "--rows 3" argv[optind - 1] is the "3". */
		if (!applies_to(ch, c->command)) {
			char name[64];

			snprintf(name, sizeof(name), "--%s", sub_options[index].name);
			return usage_error("option '%s' does not apply here", name,
					   sub);
		}
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
		case 'h': fputs(help, stdout); return CLI_ANSWERED;
		default:
			return usage_error("unknown or incomplete option '%s'",
					   argv[optind - 1], sub);
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind], sub);
	return CLI_PARSED;
}

void cli_release(struct cli *c)
{
	free(c->envs);
	free(c->tables);
	c->envs = c->tables = NULL;
}
