/*
 * usage: the help texts, as printed by --help (on stdout, exit 0). Each
 * text is a constant; nothing here allocates. Thread-safe.
 */
#ifndef RHIZOME_USAGE_H
#define RHIZOME_USAGE_H

#include "engine/cli/args.h"

/* `rhizome --help`, `rhizome sync --help`, `history --help`, `gen --help`. */
extern const char cli_usage_top[];
extern const char cli_usage_sync[];
extern const char cli_usage_history[];
extern const char cli_usage_gen[];

/* `rhizome sync COMMAND --help`. */
const char *cli_usage_of(enum cli_command command);

#endif
