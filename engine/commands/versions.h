/*
 * versions: `rhizome sync versions`, which environments run which version
 * of each table, from the committed schema snapshots only (no server).
 *
 * Environments whose snapshots are equal once normalized (AUTO_INCREMENT
 * aside) share a version. V1 is the version of the environment that rolls
 * out last (production before demo before dev; the `order` key of an
 * environment overrides the guess from its folder name). For each table:
 * the columns every version has with the same definition (the safe base),
 * and what each version adds, lacks or defines differently against V1.
 */
#ifndef RHIZOME_VERSIONS_H
#define RHIZOME_VERSIONS_H

#include <jansson.h>

#include "environments/config.h"

struct versions_opts {
	const struct fleet_config *cfg;
	const struct env_config *const *envs;   /* the selected environments */
	size_t nenvs;
	const char *out;                        /* snapshot root */
	const char *const *tables;              /* --table filter, or NULL */
	size_t ntables;
};

/* The result as JSON (a new reference the caller owns; `o` borrowed).
 * Snapshots that are missing or unreadable count as "no snapshot": nothing
 * fails. Call from one thread. */
json_t *versions_build(const struct versions_opts *o);

/* Write the text layout of a versions_build result (borrowed) to fp.
 * Returns 0, or -EIO when writing failed. Call from one thread. */
int versions_text(json_t *v, FILE *fp);


#endif
