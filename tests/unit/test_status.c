/*
 * Unit tests of engine/commands/status and schemahash: on a scratch
 * snapshot root with hand-made manifests, each environment's last runs,
 * their outcome and age, which run --max-age judges and what it finds
 * wrong (never run, failed, partial, stale), the history folder that
 * cannot be read, and the text for people at 80 columns; the schema hash
 * the same on two roots holding the same files, blind to AUTO_INCREMENT,
 * changed by a real change. Files only: no server.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <jansson.h>

#include "engine/base/alloc.h"
#include "engine/base/duration.h"
#include "engine/base/sha256.h"
#include "engine/base/strbuf.h"
#include "engine/commands/schemahash.h"
#include "engine/commands/status.h"
#include "engine/store/atomic_file.h"
#include "check.h"
#include "testutil.h"

static char *scratch;
static char *out;               /* {scratch}/snap, the snapshot root */
static char *hist;              /* {out}/.history */
static struct fleet_config cfg;
static double now;              /* 2026-12-02T04:15:00Z: ages are from here */

static const char fleet[] =
	"[tables db]\n"
	"tables = b a c\n"
	"[environment prod]\n"
	"folder = p\n"
	"database = db\n"
	"host = 127.0.0.1\n"
	"[environment dev]\n"
	"folder = d\n"
	"database = db\n"
	"host = 127.0.0.1\n";

static const char create_a[] =
	"CREATE TABLE `a` (\n"
	"  `id` int(11) NOT NULL AUTO_INCREMENT,\n"
	"  PRIMARY KEY (`id`)\n"
	") ENGINE=InnoDB AUTO_INCREMENT=7 DEFAULT CHARSET=utf8mb4;\n";
static const char create_b[] =
	"CREATE TABLE `b` (\n"
	"  `x` varchar(10) DEFAULT NULL\n"
	") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;\n";

/* A fresh scratch root and config for each test; whatever a failed test
 * left is removed here. */
static void setup(void)
{
	struct config_error err;
	char *path;

	config_release(&cfg);
	free(hist);
	free(out);
	scratch_remove(scratch);
	scratch = scratch_dir();
	out = path_join(scratch, "snap");
	hist = path_join(out, ".history");
	path = path_join(scratch, "rhizome.cnf");
	if (file_put_str(path, fleet) != 0)
		abort();
	if (config_load(path, &cfg, &err) != 0) {
		free(path);
		CHECK_FAIL("config_load: line %d key '%s': %s", err.line,
			   err.key, err.message);
	}
	free(path);
}

static void teardown(void)
{
	config_release(&cfg);
	free(hist);
	free(out);
	scratch_remove(scratch);
	hist = out = scratch = NULL;
}

/* "YYYY-MM-DDTHH:MM:SSZ" of `seconds` before now, into a static buffer. */
static const char *iso_ago(double seconds)
{
	static char buf[2][32];
	static int which;
	time_t t = (time_t)(now - seconds);
	struct tm tm;

	which = !which;
	gmtime_r(&t, &tm);
	strftime(buf[which], sizeof(buf[which]), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf[which];
}

/*
 * One environment entry of 7 tables: "ok" (7 unchanged), "partial" (2 of 7
 * errored), "failed" (all 7 errored), "down" (unreached), "many" (5 of 7
 * errored, long messages).
 */
static json_t *env_entry(const char *how)
{
	json_t *errors = json_array();
	int nerr = 0, i, down = strcmp(how, "down") == 0;

	if (strcmp(how, "partial") == 0)
		nerr = 2;
	else if (strcmp(how, "failed") == 0 || down)
		nerr = 7;
	else if (strcmp(how, "many") == 0)
		nerr = 5;
	for (i = 0; i < nerr && !down; i++) {
		char table[16], *msg;

		snprintf(table, sizeof(table), "t%d", i);
		msg = xasprintf("Lock wait timeout exceeded; try restarting "
				"transaction (table t%d, and a long tail of words "
				"that no 80-column line can hold whole)", i);
		json_array_append_new(errors, json_pack("{s:s, s:i, s:s, s:i}",
			"table", table, "code", 1205, "message", msg,
			"attempts", 3));
		free(msg);
	}
	return json_pack("{s:s, s:s, s:i, s:{s:i, s:i, s:i}, s:o, s:o}",
		"folder", "p", "database", "db", "tables", 7,
		"counts", "unchanged", 7 - nerr, "error", nerr, "new", 0,
		"errors", errors,
		"unreached", down ? json_pack("{s:i, s:s}", "code", 2003,
			"message", "cannot connect to 127.0.0.1:1 (environment "
			"prod, rhizome.cnf:3): Connection refused") : json_null());
}

/* Write run `id` of `command`, finished `ago` seconds before now, covering
 * `envs` ("prod:ok dev:partial"). */
static void put_run(const char *id, const char *command, double ago,
		    const char *envs)
{
	char *dir = xasprintf("%s/%s", hist, id), *path, *text;
	char *list = xstrdup(envs), *tok, *save = NULL;
	json_t *m = json_pack("{s:s, s:s, s:s, s:s, s:s, s:{}}", "run_id", id,
			      "command", command, "started_at", iso_ago(ago + 60),
			      "finished_at", iso_ago(ago), "tool_version", "test",
			      "environments");

	for (tok = strtok_r(list, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		char *colon = strchr(tok, ':');

		*colon = '\0';
		json_object_set_new(json_object_get(m, "environments"), tok,
				    env_entry(colon + 1));
	}
	if (atomic_mkdirs(dir) != 0)
		abort();
	path = xasprintf("%s/manifest.json", dir);
	text = json_dumps(m, 0);
	if (file_put_str(path, text) != 0)
		abort();
	free(text);
	free(path);
	free(list);
	free(dir);
	json_decref(m);
}

/* Write {out}/{folder}/expected_data/db_{table}.sql. */
static void put_sql(const char *root, const char *folder, const char *table,
		    const char *text)
{
	char *dir = xasprintf("%s/%s/expected_data", root, folder);
	char *path = xasprintf("%s/db_%s.sql", dir, table);

	if (atomic_mkdirs(dir) != 0 || file_put_str(path, text) != 0)
		abort();
	free(path);
	free(dir);
}

/* status_build over `names` ("prod dev"); max_age < 0: not given. */
static json_t *build(const char *names, const char *command, double max_age,
		     size_t *problems, int *err)
{
	const struct env_config *envs[8];
	struct status_opts o;
	char *list = xstrdup(names), *tok, *save = NULL;
	size_t n = 0;
	json_t *s;

	for (tok = strtok_r(list, " ", &save); tok && n < 8;
	     tok = strtok_r(NULL, " ", &save)) {
		envs[n] = config_find_env(&cfg, tok);
		if (envs[n] == NULL)
			abort();
		n++;
	}
	free(list);
	memset(&o, 0, sizeof(o));
	o.cfg = &cfg;
	o.envs = envs;
	o.nenvs = n;
	o.out = out;
	o.history = hist;
	o.command = command;
	o.max_age = max_age;
	o.max_age_given = max_age >= 0;
	o.now = now;
	s = status_build(&o, problems, err);
	return s;
}

/* The same, expecting success. */
static json_t *build_ok(const char *names, const char *command, double max_age,
			size_t *problems)
{
	int err = 0;
	json_t *s = build(names, command, max_age, problems, &err);

	if (s == NULL)
		CHECK_FAIL("status_build failed: %d", err);
	ASSERT_EQ(err, 0);
	return s;
}

static json_t *env_of(json_t *s, size_t i)
{
	return json_array_get(json_object_get(s, "environments"), i);
}

static const char *sget(json_t *o, const char *path)
{
	char *p = xstrdup(path), *tok, *save = NULL;
	json_t *v = o;
	const char *r;

	for (tok = strtok_r(p, ".", &save); tok && v; tok = strtok_r(NULL, ".", &save))
		v = json_object_get(v, tok);
	free(p);
	r = json_string_value(v);
	return r != NULL ? r : json_is_null(v) ? "(null)" : "(absent)";
}

static long long iget(json_t *o, const char *path)
{
	char *p = xstrdup(path), *tok, *save = NULL;
	json_t *v = o;

	for (tok = strtok_r(p, ".", &save); tok && v; tok = strtok_r(NULL, ".", &save))
		v = json_object_get(v, tok);
	free(p);
	return json_is_integer(v) ? (long long)json_integer_value(v) : -999;
}

/* status_text into a string (caller frees). */
static char *text_of(json_t *s)
{
	FILE *fp = tmpfile();
	char *text;
	long size;

	if (fp == NULL)
		abort();
	ASSERT_EQ(status_text(s, fp), 0);
	if (fseek(fp, 0, SEEK_END) != 0 || (size = ftell(fp)) < 0)
		abort();
	rewind(fp);
	text = xmalloc((size_t)size + 1);
	if (fread(text, 1, (size_t)size, fp) != (size_t)size)
		abort();
	text[size] = '\0';
	fclose(fp);
	return text;
}

/* The longest line of `text`, in bytes (the tests' text is ASCII). */
static size_t longest_line(const char *text, size_t *line_no)
{
	size_t best = 0, n = 1;
	const char *p = text;

	*line_no = 0;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		if (len > best) {
			best = len;
			*line_no = n;
		}
		p += len + (nl != NULL);
		n++;
	}
	return best;
}

/* ---- status_build ------------------------------------------------------ */

static void test_status_without_history_records_no_run_and_max_age_names_it(void)
{
	size_t problems = 9;
	json_t *s;

	setup();
	s = build_ok("prod dev", NULL, -1, &problems);
	ASSERT_EQ(problems, 0);
	ASSERT_TRUE(json_is_false(json_object_get(s, "recorded")));
	ASSERT_EQ(json_object_size(json_object_get(env_of(s, 0), "runs")), 0);
	ASSERT_STR_EQ(sget(env_of(s, 0), "judged"), "(null)");
	ASSERT_TRUE(json_is_null(json_object_get(env_of(s, 0), "healthy")));
	json_decref(s);

	s = build_ok("prod dev", NULL, 3600, &problems);
	ASSERT_EQ(problems, 2);
	ASSERT_EQ(iget(s, "problems"), 2);
	ASSERT_EQ(iget(s, "max_age_s"), 3600);
	ASSERT_TRUE(json_is_false(json_object_get(env_of(s, 1), "healthy")));
	ASSERT_STR_EQ(sget(env_of(s, 1), "problem"),
		      "no schema or data run recorded here");
	json_decref(s);
	s = build_ok("prod", "data", 3600, &problems);
	ASSERT_STR_EQ(sget(env_of(s, 0), "problem"), "no data run recorded here");
	json_decref(s);
	teardown();
}

static void test_status_history_that_is_a_file_fails_with_its_errno(void)
{
	size_t problems = 9;
	int err = 0;
	json_t *s;

	setup();
	ASSERT_EQ(atomic_mkdirs(out), 0);
	ASSERT_EQ(file_put_str(hist, "not a folder\n"), 0);
	s = build("prod", NULL, 3600, &problems, &err);
	ASSERT_TRUE(s == NULL);
	ASSERT_EQ(err, -ENOTDIR);
	ASSERT_EQ(problems, 0);
	teardown();
}

static void test_status_ok_run_is_healthy_with_its_age_counts_and_id(void)
{
	size_t problems = 9;
	json_t *s, *run;

	setup();
	put_run("20261202T031400Z-000", "schema", 3600, "prod:ok");
	s = build_ok("prod dev", NULL, 7200, &problems);
	ASSERT_EQ(problems, 1);
	ASSERT_TRUE(json_is_true(json_object_get(s, "recorded")));
	ASSERT_EQ(iget(s, "runs_recorded"), 1);
	run = json_object_get(json_object_get(env_of(s, 0), "runs"), "schema");
	ASSERT_TRUE(run != NULL);
	ASSERT_STR_EQ(sget(run, "run_id"), "20261202T031400Z-000");
	ASSERT_STR_EQ(sget(run, "finished_at"), "2026-12-02T03:15:00Z");
	ASSERT_STR_EQ(sget(run, "started_at"), "2026-12-02T03:14:00Z");
	ASSERT_EQ(iget(run, "age_s"), 3600);
	ASSERT_STR_EQ(sget(run, "outcome"), "ok");
	ASSERT_EQ(iget(run, "counts.unchanged"), 7);
	ASSERT_EQ(iget(run, "tables"), 7);
	ASSERT_EQ(json_array_size(json_object_get(run, "errors")), 0);
	ASSERT_TRUE(json_is_null(json_object_get(run, "unreached")));
	ASSERT_STR_EQ(sget(env_of(s, 0), "judged"), "schema");
	ASSERT_TRUE(json_is_true(json_object_get(env_of(s, 0), "healthy")));
	ASSERT_STR_EQ(sget(env_of(s, 0), "problem"), "(null)");
	/* dev is not in that run: never run here */
	ASSERT_EQ(json_object_size(json_object_get(env_of(s, 1), "runs")), 0);
	json_decref(s);
	teardown();
}

static void test_status_partial_run_is_a_problem_naming_failed_tables(void)
{
	size_t problems = 9;
	json_t *s;

	setup();
	put_run("20261202T040000Z-000", "data", 600, "prod:partial dev:ok");
	s = build_ok("prod dev", NULL, 3600, &problems);
	ASSERT_EQ(problems, 1);
	ASSERT_STR_EQ(sget(env_of(s, 0), "runs.data.outcome"), "partial");
	ASSERT_STR_EQ(sget(env_of(s, 0), "problem"),
		      "last data run 20261202T040000Z-000 was partial: 2 of 7 "
		      "tables failed");
	ASSERT_TRUE(json_is_true(json_object_get(env_of(s, 1), "healthy")));
	json_decref(s);
	teardown();
}

static void test_status_unreached_or_all_tables_failed_is_failed(void)
{
	size_t problems = 9;
	json_t *s;

	setup();
	put_run("20261202T040000Z-000", "schema", 600, "prod:down dev:failed");
	s = build_ok("prod dev", NULL, 3600, &problems);
	ASSERT_EQ(problems, 2);
	ASSERT_STR_EQ(sget(env_of(s, 0), "runs.schema.outcome"), "failed");
	ASSERT_EQ(iget(env_of(s, 0), "runs.schema.unreached.code"), 2003);
	ASSERT_STR_EQ(sget(env_of(s, 0), "problem"),
		      "last schema run 20261202T040000Z-000 failed: the server "
		      "was not reached (error 2003)");
	ASSERT_STR_EQ(sget(env_of(s, 1), "runs.schema.outcome"), "failed");
	ASSERT_STR_EQ(sget(env_of(s, 1), "problem"),
		      "last schema run 20261202T040000Z-000 failed: 7 of 7 "
		      "tables failed");
	json_decref(s);
	teardown();
}

static void test_status_stale_run_is_a_problem_only_past_max_age(void)
{
	size_t problems = 9;
	json_t *s;

	setup();
	/* ended 2 days and 3 hours ago */
	put_run("20261129T011400Z-000", "schema", 2 * 86400 + 3 * 3600,
		"prod:ok dev:partial");
	s = build_ok("prod dev", NULL, 26 * 3600, &problems);
	ASSERT_EQ(problems, 2);
	ASSERT_STR_EQ(sget(env_of(s, 0), "problem"),
		      "last schema run 20261129T011400Z-000 ended 2d 03h ago, "
		      "older than --max-age 26h");
	/* partial and stale: both said */
	ASSERT_STR_EQ(sget(env_of(s, 1), "problem"),
		      "last schema run 20261129T011400Z-000 was partial: 2 of 7 "
		      "tables failed; it ended 2d 03h ago, older than --max-age 26h");
	json_decref(s);
	s = build_ok("prod", NULL, 4 * 86400, &problems);
	ASSERT_EQ(problems, 0);
	json_decref(s);
	/* without --max-age nothing is judged: exit 0 whatever the runs */
	s = build_ok("prod dev", NULL, -1, &problems);
	ASSERT_EQ(problems, 0);
	ASSERT_EQ(iget(s, "problems"), 0);
	ASSERT_TRUE(json_is_null(json_object_get(s, "max_age_s")));
	ASSERT_STR_EQ(sget(env_of(s, 1), "runs.schema.outcome"), "partial");
	json_decref(s);
	teardown();
}

static void test_status_judges_newest_sync_and_never_a_restore(void)
{
	size_t problems = 9;
	json_t *s;

	setup();
	put_run("20261130T000000Z-000", "schema", 3 * 86400, "prod:ok");
	put_run("20261202T040000Z-000", "data", 600, "prod:ok");
	put_run("20261202T041000Z-000", "restore", 300, "prod:ok");
	s = build_ok("prod", NULL, 3600, &problems);
	/* the fresh data run is judged, not the old schema run */
	ASSERT_EQ(problems, 0);
	ASSERT_STR_EQ(sget(env_of(s, 0), "judged"), "data");
	ASSERT_EQ(json_object_size(json_object_get(env_of(s, 0), "runs")), 3);
	ASSERT_STR_EQ(sget(env_of(s, 0), "runs.restore.run_id"),
		      "20261202T041000Z-000");
	json_decref(s);
	/* a restore alone is not a sync */
	setup();
	put_run("20261202T041000Z-000", "restore", 300, "prod:ok");
	s = build_ok("prod", NULL, 3600, &problems);
	ASSERT_EQ(problems, 1);
	ASSERT_STR_EQ(sget(env_of(s, 0), "judged"), "(null)");
	ASSERT_STR_EQ(sget(env_of(s, 0), "problem"),
		      "no schema or data run recorded here");
	json_decref(s);
	teardown();
}

static void test_status_command_option_judges_that_command(void)
{
	size_t problems = 9;
	json_t *s;

	setup();
	put_run("20261130T000000Z-000", "schema", 3 * 86400, "prod:ok");
	put_run("20261202T040000Z-000", "data", 600, "prod:ok");
	s = build_ok("prod", "schema", 26 * 3600, &problems);
	ASSERT_EQ(problems, 1);
	ASSERT_STR_EQ(sget(s, "command"), "schema");
	ASSERT_STR_EQ(sget(env_of(s, 0), "judged"), "schema");
	ASSERT_CONTAINS(sget(env_of(s, 0), "problem"),
			"last schema run 20261130T000000Z-000 ended 3d 00h ago");
	json_decref(s);
	s = build_ok("prod", "data", 26 * 3600, &problems);
	ASSERT_EQ(problems, 0);
	ASSERT_STR_EQ(sget(env_of(s, 0), "judged"), "data");
	json_decref(s);
	s = build_ok("prod", "restore", 26 * 3600, &problems);
	ASSERT_EQ(problems, 1);
	ASSERT_STR_EQ(sget(env_of(s, 0), "problem"), "no restore run recorded here");
	json_decref(s);
	teardown();
}

static void test_status_lists_every_error_and_skips_unreadable_runs(void)
{
	size_t problems = 9;
	char *bad;
	json_t *s;

	setup();
	put_run("20261202T040000Z-000", "schema", 600, "prod:many");
	bad = path_join(hist, "20261202T041000Z-000"); /* no manifest */
	ASSERT_EQ(mkdir(bad, 0755), 0);
	free(bad);
	s = build_ok("prod", NULL, 3600, &problems);
	ASSERT_EQ(json_array_size(json_object_get(json_object_get(
		json_object_get(env_of(s, 0), "runs"), "schema"), "errors")), 5);
	ASSERT_STR_EQ(sget(env_of(s, 0), "runs.schema.run_id"),
		      "20261202T040000Z-000");
	ASSERT_EQ(iget(s, "runs_recorded"), 2);
	ASSERT_EQ(iget(s, "unreadable_runs"), 1);
	/* the partial run, and the unreadable one: it may be anyone's last */
	ASSERT_EQ(problems, 2);
	json_decref(s);
	teardown();
}

/* ---- status_text ------------------------------------------------------- */

static void test_status_text_without_runs_says_none_is_recorded(void)
{
	size_t problems = 9, line;
	json_t *s;
	char *text;

	setup();
	s = build_ok("prod dev", NULL, 3600, &problems);
	text = text_of(s);
	ASSERT_CONTAINS(text, "no run is recorded here\n(the history is local: "
			"a fresh clone has none; run `rhizome sync schema`).");
	ASSERT_CONTAINS(text, hist);
	ASSERT_CONTAINS(text, "prod  schema hash: no .sql file\n"
			"  no run recorded here\n");
	ASSERT_CONTAINS(text, "--max-age 1h: 2 of 2 environments need attention:\n"
			"prod: no schema or data run recorded here\n"
			"dev: no schema or data run recorded here\n");
	if (longest_line(text, &line) > 80)
		CHECK_FAIL("line %zu is too wide:\n%s", line, text);
	free(text);
	json_decref(s);
	teardown();
}

static void test_status_text_fits_80_columns_with_short_hash_and_first_errors(void)
{
	size_t problems = 9, line, width;
	char hex[65], why[256];
	size_t tables;
	json_t *s;
	char *text, *want;

	setup();
	put_sql(out, "p", "a", create_a);
	put_sql(out, "p", "b", create_b);
	ASSERT_EQ(schemahash_env(out, &cfg, config_find_env(&cfg, "prod"), hex, &tables,
				 why, sizeof(why)), 0);
	put_run("20261202T040000Z-000", "schema", 3 * 3600 + 5 * 60, "prod:many");
	put_run("20261202T041000Z-000", "data", 300, "prod:ok dev:ok");
	s = build_ok("prod dev", NULL, 26 * 3600, &problems);
	text = text_of(s);
	want = xasprintf("prod  schema hash %.12s (2 .sql)\n", hex);
	ASSERT_CONTAINS(text, want);
	free(want);
	ASSERT_CONTAINS(text, "History ");
	ASSERT_CONTAINS(text, ": 2 runs recorded.\n");
	ASSERT_CONTAINS(text, "  schema   20261202T040000Z-000  2026-12-02 01:10  "
			"3h 05m   partial\n           2 unchanged, 5 errors\n");
	ASSERT_CONTAINS(text, "  data     20261202T041000Z-000  2026-12-02 04:10  "
			"5m 00s   ok       7 unchanged\n");
	ASSERT_CONTAINS(text, "    ! t0: 1205 Lock wait timeout exceeded;");
	ASSERT_CONTAINS(text, "    ! t2: ");
	ASSERT_TRUE(strstr(text, "! t3:") == NULL);
	ASSERT_CONTAINS(text, "    ... and 2 more (--format json lists them all)\n");
	ASSERT_CONTAINS(text, "--max-age 26h: every environment is healthy.\n");
	width = longest_line(text, &line);
	if (width > 80)
		CHECK_FAIL("line %zu is %zu columns wide:\n%s", line, width, text);
	ASSERT_TRUE(strstr(text, " \n") == NULL); /* no trailing blanks */
	free(text);
	json_decref(s);
	/* an unreached environment says why, clipped to the width */
	put_run("20261202T041100Z-000", "schema", 240, "prod:down");
	s = build_ok("prod", NULL, 3600, &problems);
	text = text_of(s);
	ASSERT_CONTAINS(text, "    not reached: 2003 cannot connect to 127.0.0.1:1");
	ASSERT_CONTAINS(text, "--max-age 1h: 1 of 1 environment needs attention:\n"
			"prod: last schema run 20261202T041100Z-000 failed: the "
			"server was not reached\n    (error 2003)\n");
	width = longest_line(text, &line);
	if (width > 80)
		CHECK_FAIL("line %zu is %zu columns wide:\n%s", line, width, text);
	free(text);
	json_decref(s);
	teardown();
}

/* ---- schemahash -------------------------------------------------------- */

static void test_schemahash_same_files_in_two_roots_give_the_same_hash(void)
{
	char h1[65], h2[65], why[256];
	char *other, *f;
	size_t n1, n2;
	struct timespec old[2] = { { 1000000, 0 }, { 1000000, 0 } };

	setup();
	put_sql(out, "p", "a", create_a);
	put_sql(out, "p", "b", create_b);
	other = path_join(scratch, "elsewhere/deeper");
	put_sql(other, "d", "b", create_b); /* other order, folder, mtime */
	put_sql(other, "d", "a", create_a);
	f = path_join(other, "d/expected_data/db_a.sql");
	ASSERT_EQ(utimensat(AT_FDCWD, f, old, 0), 0);
	free(f);
	ASSERT_EQ(schemahash_env(out, &cfg, config_find_env(&cfg, "prod"), h1, &n1,
				 why, sizeof(why)), 0);
	ASSERT_EQ(schemahash_env(other, &cfg, config_find_env(&cfg, "dev"), h2, &n2,
				 why, sizeof(why)), 0);
	ASSERT_EQ(n1, 2);
	ASSERT_EQ(n2, 2);
	ASSERT_EQ(strlen(h1), 64);
	ASSERT_STR_EQ(h1, h2);
	free(other);
	teardown();
}

static void test_schemahash_is_blind_to_auto_increment_and_sees_a_change(void)
{
	char h1[65], h2[65], why[256];
	const struct env_config *prod;
	size_t n;

	setup();
	prod = config_find_env(&cfg, "prod");
	put_sql(out, "p", "a", create_a);
	ASSERT_EQ(schemahash_env(out, &cfg, prod, h1, &n, why, sizeof(why)), 0);
	put_sql(out, "p", "a",
		"CREATE TABLE `a` (\n"
		"  `id` int(11) NOT NULL AUTO_INCREMENT,\n"
		"  PRIMARY KEY (`id`)\n"
		") ENGINE=InnoDB AUTO_INCREMENT=91234 DEFAULT CHARSET=utf8mb4;\n");
	ASSERT_EQ(schemahash_env(out, &cfg, prod, h2, &n, why, sizeof(why)), 0);
	ASSERT_STR_EQ(h2, h1);
	put_sql(out, "p", "a",
		"CREATE TABLE `a` (\n"
		"  `id` int(11) NOT NULL AUTO_INCREMENT,\n"
		"  `note` text DEFAULT NULL,\n"
		"  PRIMARY KEY (`id`)\n"
		") ENGINE=InnoDB AUTO_INCREMENT=7 DEFAULT CHARSET=utf8mb4;\n");
	ASSERT_EQ(schemahash_env(out, &cfg, prod, h2, &n, why, sizeof(why)), 0);
	ASSERT_TRUE(strcmp(h1, h2) != 0);
	/* a table appearing changes it too */
	ASSERT_EQ(schemahash_env(out, &cfg, prod, h1, &n, why, sizeof(why)), 0);
	put_sql(out, "p", "c", create_b);
	ASSERT_EQ(schemahash_env(out, &cfg, prod, h2, &n, why, sizeof(why)), 0);
	ASSERT_EQ(n, 2);
	ASSERT_TRUE(strcmp(h1, h2) != 0);
	teardown();
}

/* The digest is pinned: name, NUL, normalized text, NUL, in name order,
 * only the listed tables; no file at all is the digest of nothing. */
static void test_schemahash_digest_is_pinned_and_counts_listed_files_only(void)
{
	char hex[65], want[65], why[256];
	const struct env_config *prod;
	struct strbuf in = STRBUF_INIT;
	const char *norm_a = "CREATE TABLE `a` (\n"
			     "  `id` int(11) NOT NULL AUTO_INCREMENT,\n"
			     "  PRIMARY KEY (`id`)\n"
			     ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;\n";
	size_t n = 9;

	setup();
	prod = config_find_env(&cfg, "prod");
	ASSERT_EQ(schemahash_env(out, &cfg, prod, hex, &n, why, sizeof(why)), 0);
	ASSERT_EQ(n, 0);
	ASSERT_STR_EQ(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	put_sql(out, "p", "a", create_a);
	put_sql(out, "p", "b", create_b);
	put_sql(out, "p", "unlisted", create_b);
	ASSERT_EQ(schemahash_env(out, &cfg, prod, hex, &n, why, sizeof(why)), 0);
	ASSERT_EQ(n, 2);
	strbuf_add(&in, "a", 2);
	strbuf_add(&in, norm_a, strlen(norm_a) + 1);
	strbuf_add(&in, "b", 2);
	strbuf_add(&in, create_b, strlen(create_b) + 1);
	sha256_hex(in.data, in.len, want);
	strbuf_release(&in);
	ASSERT_STR_EQ(hex, want);
	teardown();
}

static void test_schemahash_unreadable_file_is_an_error_naming_it(void)
{
	char hex[65], why[512];
	char *dir;
	size_t n = 9, problems = 9;
	int err = 0;

	setup();
	put_sql(out, "p", "a", create_a);
	dir = path_join(out, "p/expected_data/db_b.sql");
	ASSERT_EQ(mkdir(dir, 0755), 0); /* a folder where a file should be */
	ASSERT_EQ(schemahash_env(out, &cfg, config_find_env(&cfg, "prod"), hex, &n,
				 why, sizeof(why)), -EISDIR);
	ASSERT_EQ(n, 0);
	ASSERT_CONTAINS(why, dir);
	ASSERT_TRUE(build("prod", NULL, -1, &problems, &err) == NULL);
	ASSERT_EQ(err, -EISDIR);
	free(dir);
	teardown();
}

int main(int argc, char **argv)
{
	CHECK_INIT(argc, argv);
	now = duration_utc_seconds("2026-12-02T04:15:00Z");

	RUN(test_status_without_history_records_no_run_and_max_age_names_it);
	RUN(test_status_history_that_is_a_file_fails_with_its_errno);
	RUN(test_status_ok_run_is_healthy_with_its_age_counts_and_id);
	RUN(test_status_partial_run_is_a_problem_naming_failed_tables);
	RUN(test_status_unreached_or_all_tables_failed_is_failed);
	RUN(test_status_stale_run_is_a_problem_only_past_max_age);
	RUN(test_status_judges_newest_sync_and_never_a_restore);
	RUN(test_status_command_option_judges_that_command);
	RUN(test_status_lists_every_error_and_skips_unreadable_runs);
	RUN(test_status_text_without_runs_says_none_is_recorded);
	RUN(test_status_text_fits_80_columns_with_short_hash_and_first_errors);
	RUN(test_schemahash_same_files_in_two_roots_give_the_same_hash);
	RUN(test_schemahash_is_blind_to_auto_increment_and_sees_a_change);
	RUN(test_schemahash_digest_is_pinned_and_counts_listed_files_only);
	RUN(test_schemahash_unreadable_file_is_an_error_naming_it);

	teardown();
	return CHECK_EXIT();
}
