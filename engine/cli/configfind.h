/*
 * configfind: which rhizome.cnf a command reads (SPEC: --config).
 *
 * --config, else $RHIZOME_CONFIG (empty counts as unset); a directory
 * given means DIR/rhizome.cnf. Nothing given: the first rhizome.cnf in the
 * current directory and its parents, up to the repository root (the first
 * folder holding .git) or, outside a repository, the filesystem root. The
 * path found is relative to the current directory when the search found
 * it ("../../rhizome.cnf"), so messages and the summary's paths read as
 * the user would type them. Main thread (reads the working directory).
 */
#ifndef RHIZOME_CONFIGFIND_H
#define RHIZOME_CONFIGFIND_H

#include <stddef.h>

/*
 * The config to load for `given` (--config's value, or NULL). Returns the
 * path (caller frees; a file given but absent is returned as it is, for
 * the loader to say it cannot read it), or NULL when the search found
 * none, with msg (the caller's, `size` bytes) saying where it looked and
 * how to point elsewhere.
 */
char *cli_find_config(const char *given, char *msg, size_t size);

#endif
