/*
 * usage: the help texts, as printed by --help (on stdout, exit 0). Each
 * text is a constant; nothing here allocates. Thread-safe.
 */
#ifndef RHIZOME_USAGE_H
#define RHIZOME_USAGE_H

#include "engine/cli/args.h"

/* `rhizome --help` and `rhizome sync --help`. */
extern const char cli_usage_top[];
extern const char cli_usage_sync[];
extern const char cli_usage_history[];

/* `rhizome sync COMMAND --help`. */
const char *cli_usage_of(enum cli_command command);

#endif
