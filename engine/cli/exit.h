/*
 * exit: rhizome's exit statuses (SPEC: Summary and exit status), the one
 * place they are defined. Modules below the command line return errors and
 * outcomes; only engine/cli/ turns them into a status, and only main()
 * exits.
 */
#ifndef RHIZOME_EXIT_H
#define RHIZOME_EXIT_H

#include "engine/commands/sync.h"

enum cli_exit {
	CLI_EXIT_OK = 0,        /* done */
	CLI_EXIT_DRIFT = 1,     /* sync check / diff: something drifted */
	CLI_EXIT_USAGE = 2,     /* usage or configuration: nothing contacted */
	CLI_EXIT_PARTIAL = 3,   /* some environment or table failed */
	CLI_EXIT_IO = 4,        /* a local I/O failure */
	CLI_EXIT_LOCKED = 5,    /* another run holds the snapshot root */
	CLI_EXIT_SIGINT = 130,
	CLI_EXIT_SIGTERM = 143,
};

/* The status a run's outcome calls for. Thread-safe. */
static inline enum cli_exit cli_exit_of(enum sync_outcome o)
{
	switch (o) {
	case SYNC_DONE: return CLI_EXIT_OK;
	case SYNC_DRIFTED: return CLI_EXIT_DRIFT;
	case SYNC_PARTIAL: return CLI_EXIT_PARTIAL;
	case SYNC_IO_FAILED: return CLI_EXIT_IO;
	case SYNC_INTERRUPTED: return CLI_EXIT_SIGINT;
	case SYNC_TERMINATED: return CLI_EXIT_SIGTERM;
	}
	return CLI_EXIT_IO;
}

#endif
