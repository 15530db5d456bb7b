/*
 * schemahash: a digest of an environment's schema snapshots that the same
 * schemas give on any machine: the sha256 over its listed tables' .sql
 * files present, in table-name order (bytewise), each as its name, a NUL,
 * its text with the AUTO_INCREMENT table option stripped (normalize.h),
 * and a NUL. Files only. Thread-safe.
 */
#ifndef RHIZOME_SCHEMAHASH_H
#define RHIZOME_SCHEMAHASH_H

#include <stddef.h>

#include "environments/config.h"

/*
 * Hash environment `env`'s snapshots under `out` into hex (64 digits and a
 * NUL); *tables is how many .sql files went in (0: none exist; hex is then
 * the digest of nothing). A table listed twice goes in once; files of
 * tables not listed (nor matched by a glob of the list) never do. Returns 0, or -errno when a file exists but
 * cannot be read, with "PATH: reason" in why[0..size) (*tables 0, hex
 * empty).
 */
int schemahash_env(const char *out, const struct fleet_config *cfg,
		   const struct env_config *env,
		   char hex[65], size_t *tables, char *why, size_t size);

#endif
