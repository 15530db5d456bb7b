/*
 * report: `rhizome sync report`, the fleet's snapshot status at a glance.
 *
 * For every environment x table of the table lists it looks, in files only
 * (no server is contacted), for the schema snapshot, the data snapshot and,
 * where [fleet] model / emplacement path templates are set, those files;
 * then prints a matrix (or JSON), counts, and what to run next. The text
 * layout is measured in terminal cells (engine/output/termtext.h) and
 * fits the width it is given.
 * Out of memory aborts (engine/base/alloc.h).
 */
#ifndef RHIZOME_REPORT_H
#define RHIZOME_REPORT_H

#include <stdio.h>

#include "environments/config.h"

enum report_status {
	REPORT_COMPLETE,        /* ✅ every file there */
	REPORT_READY_FOR_DATA,  /* ⚠️ all but the data snapshot (⚠ in the
				 * text layout: U+FE0F makes it 2 cells in
				 * some terminals, 1 in tmux) */
	REPORT_MISSING_EMPLACEMENT, /* 🔶 data there, emplacement (or model) not */
	REPORT_SCHEMA_ONLY,     /* 📄 the schema snapshot alone */
	REPORT_MISSING,         /* ❌ no schema snapshot */
	REPORT_STATUS_COUNT
};

enum report_format { REPORT_TEXT, REPORT_JSON };

struct report_opts {
	const struct fleet_config *cfg;
	const struct env_config *const *envs;   /* the selected environments */
	size_t nenvs;
	const char *out;        /* snapshot root, as the user sees it */
	const char *history;    /* the history folder (history.h) */
	enum report_format format;
	int ascii;              /* plain ASCII instead of emoji */
	unsigned width;         /* terminal columns for the text layout:
				 * no line is wider (below 20: as 20) */
	/* --config and --out as the user gave them (borrowed; NULL: not
	 * given), repeated in every recommended command so that it reads
	 * the same fleet and writes the same tree */
	const char *config_arg;
	const char *out_arg;
};

/* Expand {out}, {folder}, {database}, {table} in `tmpl`; a relative result
 * is taken relative to the config file's folder. Returns a new string,
 * never NULL (caller frees). Thread-safe. */
char *report_expand(const char *tmpl, const struct fleet_config *cfg,
		    const char *out, const struct env_config *env,
		    const char *table);

/* Write the report to `fp` (o and fp borrowed). Returns 0, or -errno when
 * writing failed; unreadable files and run folders only count as absent.
 * Call from one thread. */
int report_write(const struct report_opts *o, FILE *fp);

#endif
