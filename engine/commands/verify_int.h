/*
 * verify_int: what the files of `rhizome verify` share. Private to
 * engine/commands/verify*.c.
 *
 * How a check flows (verify.c):
 *
 *   the snapshot root opens          else: one `unreadable`, exit 4
 *   history (verify_history.c)       every run's manifest, every selected
 *                                    environment's frame: checksum, digest,
 *                                    lines; the newest evidence per file
 *   plain files (verify_files.c)     each listed table's .sql and .json:
 *                                    parse, types (verify_json.c), against
 *                                    the evidence; then the orphans
 *
 * The history goes first because the plain files are judged against what
 * it says the last run left in each of them.
 */
#ifndef RHIZOME_VERIFY_INT_H
#define RHIZOME_VERIFY_INT_H

#include <stddef.h>

#include <jansson.h>

#include "engine/commands/verify.h"
#include "engine/schema/tablemodel.h"

struct verify {
	const struct verify_opts *o;
	json_t *findings;       /* the result's "findings" array */
	/*
	 * {plain file path: evidence}: for each file, the newest history
	 * line that says what its run left in it (new, unchanged, trivial,
	 * significant: the body; removed: no file), with "run_id" added; or
	 * null when the newest frame that could have said is damaged, so
	 * nothing is known. No entry: no run says anything.
	 */
	json_t *evidence;
	size_t nsql, njson, nframes, nruns;
};

/* Append a finding. env, table and run_id may be NULL (null in JSON); path
 * and the message are shown as given (bytes that are not UTF-8 become
 * U+FFFD). */
void verify_add(struct verify *v, const char *kind, const char *path,
		const char *env, const char *table, const char *run_id,
		const char *fmt, ...) __attribute__((format(printf, 7, 8)));

/* The selected environment named `name`, or NULL. */
const struct env_config *verify_selected(const struct verify *v,
					 const char *name);


/*
 * Check every published run's manifest and the frames of the selected
 * environments, and fill v->evidence. Returns 0, or -errno when the history
 * folder exists but cannot be read as one (nothing checked then).
 */
int verify_history(struct verify *v);

/* Check each listed table's .sql and .json of the selected environments,
 * each against v->evidence. */
void verify_plain_files(struct verify *v);

/* Report the files of the selected environments' folders that are no
 * listed table's snapshot. */
void verify_orphans(struct verify *v);

/*
 * Check a .json's text: valid JSON, a row object or an array of them, and
 * when `m` (the .sql beside it, parsed whole; borrowed) is not NULL, its
 * keys are m's columns in order with values of their types (SPEC: Files
 * written); `sql_path` names that .sql in messages.
 */
void verify_json_file(struct verify *v, const struct env_config *env,
		      const char *table, const char *path, const char *data,
		      size_t len, const struct table_model *m,
		      const char *sql_path);

#endif
