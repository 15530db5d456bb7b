/*
 * history: the compressed record of one run, {hist}/{run_id}/, where
 * {hist} is the history folder (`[fleet] history`, default {out}/.history;
 * every function here takes that folder). The folder holds a .gitignore
 * that ignores all of it, so runs never show in `git status`.
 *
 * Each environment gets one zstd frame (content checksum on) of JSON lines,
 * {env}.jsonl.zst, written as results arrive. Everything is built in
 * {hist}/.tmp-{run_id}/ and published by one rename once the
 * manifest is in place, so a run folder under its final name is complete.
 *
 * Several workers serve one environment, and a frame has one writer, so each
 * environment's stream has its own lock: workers of different environments
 * never wait on each other, and compression runs outside the engine's lock.
 * Out of memory aborts (engine/base/alloc.h); zstd's and jansson's own
 * allocation failures come back as errors.
 */
#ifndef RHIZOME_HISTORY_H
#define RHIZOME_HISTORY_H

#include <stddef.h>

#include <jansson.h>

#define HISTORY_TMP_PREFIX ".tmp-"

typedef struct history history;

/*
 * Create the history folder `hist` (and its parents) when missing, and its
 * .gitignore (`*`) when that is missing and the folder holds nothing but
 * rhizome's (else a warning on stderr: the user's files would vanish from
 * git). Returns 0 or -errno. Main thread.
 */
int history_prepare(const char *hist);

/*
 * Start the run folder for `run_id` under `hist` with one stream per name in
 * envs[0..nenvs) (borrowed; must outlive the history); prepares `hist`
 * (history_prepare). Returns 0 with *out set (the caller owns it:
 * history_publish or history_abandon), or -errno with *out NULL and
 * nothing left behind: -EEXIST when the run's temporary folder exists
 * (another run with this id), -ENOMEM when zstd cannot allocate, -EINVAL
 * when it refuses a parameter. Call from the main thread.
 */
int history_open(const char *hist, const char *run_id,
		 const char *const *envs, size_t nenvs, history **out);

/*
 * Append one line (without its newline; borrowed) to environment `env`'s
 * stream. Returns 0 or -errno / -EIO (compression failure); the first error
 * sticks to the stream. Thread-safe.
 */
int history_append(history *h, size_t env, const char *line, size_t len);

/*
 * End every frame, fill manifest["environments"][env]["file"/"sha256"/
 * "bytes"], write manifest.json, publish the folder. `manifest` stays the
 * caller's (it is filled in). Returns 0 or -errno; on failure nothing is
 * published. Frees `h` either way. Main thread only, after the workers
 * stopped.
 */
int history_publish(history *h, json_t *manifest);

/* Remove the unpublished folder and free `h`. NULL is a no-op. Main thread
 * only, after the workers stopped. */
void history_abandon(history *h);

/*
 * Read a published run back: call fn(line, len, arg) for each line of
 * {hist}/{run_id}/{env}.jsonl.zst (no newline; NUL-terminated), in
 * order; `line` is valid during the call only. Stops when fn returns
 * nonzero. Returns 0, -ENOENT when the file does not exist, -EIO when it is
 * not a whole zstd frame (damaged or cut short), another -errno when it
 * cannot be read (-ENOMEM: zstd could not allocate). On failure `why` (the
 * caller's, `size` bytes) names the file and says what is wrong, with
 * zstd's own words for a damaged frame. Thread-safe.
 */
int history_read(const char *hist, const char *run_id, const char *env,
		 int (*fn)(const char *line, size_t len, void *arg), void *arg,
		 char *why, size_t size);

/*
 * The body of a history line (a parsed line object, borrowed): "body", or
 * "body_base64" decoded when the body is not UTF-8. Returns it (caller
 * frees; NUL-terminated) with *len, or NULL when the line has neither (an
 * error line) or its base64 is not. Thread-safe.
 */
char *history_line_body(json_t *line, size_t *len);

/* Whether `body` (len bytes) is the one the line's "sha256" names; 0 when
 * the line names none. Thread-safe. */
int history_body_matches(json_t *line, const char *body, size_t len);

/* The published folder's path ("{hist}/{run_id}"). Caller frees.
 * Thread-safe. */
char *history_run_dir(const char *hist, const char *run_id);

#endif
