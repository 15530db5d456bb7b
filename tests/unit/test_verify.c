/*
 * Unit tests of engine/commands/verify: on a scratch snapshot root with
 * runs published through engine/store/history (as sync publishes them),
 * each kind of finding is found where it is and not elsewhere: hand edits
 * judged against the newest run that recorded the file (a trivial change
 * left unwritten is not one; an error line is no evidence; a damaged frame
 * leaves the file unknown), damaged and cut-short frames with zstd's words,
 * digests that differ from the manifest, runs without a manifest, orphans
 * in a folder two environments share, unparsable .sql, the .json types
 * contract, an unreadable root or history, --env, and the text layout.
 * Files only: no server.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "engine/base/sha256.h"
#include "engine/commands/verify.h"
#include "engine/store/history.h"
#include "check.h"
#include "testutil.h"

static char *scratch;
static char *out;               /* {scratch}/snap, the snapshot root */
static char *hist;              /* {out}/.history */
static char *data_dir;          /* {out}/f/expected_data */
static struct fleet_config cfg;

static const char fleet[] =
	"[tables db]\n"
	"tables = a b\n"
	"[tables ev]\n"
	"tables = e\n"
	"[mask]\n"
	"db.a.secret = null\n"
	"[environment e1]\n"
	"folder = f\n"
	"database = db\n"
	"[environment e2]\n"
	"folder = f\n"
	"database = ev\n";

/* The body a schema run records for table a (the file adds ";\n"). */
static const char a_body[] =
	"CREATE TABLE `a` (\n"
	"  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,\n"
	"  `amount` decimal(19,4) NOT NULL,\n"
	"  `ratio` double DEFAULT NULL,\n"
	"  `note` varchar(10) DEFAULT NULL,\n"
	"  `secret` varchar(10) NOT NULL,\n"
	"  `raw` blob DEFAULT NULL,\n"
	"  PRIMARY KEY (`id`)\n"
	") ENGINE=InnoDB AUTO_INCREMENT=5 DEFAULT CHARSET=utf8mb4";

/* A row of a that keeps the contract: 2^64-1 is an integer, the masked
 * NOT NULL column may be null. */
static const char a_row[] =
	"{\n"
	"  \"id\": 18446744073709551615,\n"
	"  \"amount\": \"10.5000\",\n"
	"  \"ratio\": 1.5,\n"
	"  \"note\": null,\n"
	"  \"secret\": null,\n"
	"  \"raw\": \"AAE=\"\n"
	"}\n";

static const char e_body[] =
	"CREATE TABLE `e` (\n"
	"  `id` int(11) NOT NULL,\n"
	"  PRIMARY KEY (`id`)\n"
	") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4";

static void load_cfg(const char *text)
{
	struct config_error err;
	char *path = path_join(scratch, "rhizome.cnf");

	config_release(&cfg);
	if (file_put_str(path, text) != 0)
		abort();
	if (config_load(path, &cfg, &err) != 0) {
		free(path);
		CHECK_FAIL("config_load: line %d key '%s': %s", err.line,
			   err.key, err.message);
	}
	free(path);
}

/* An empty snapshot root with the folder both environments use. */
static void fresh_root(void)
{
	char *f = path_join(out, "f");

	scratch_remove(strdup(out));
	if (mkdir(out, 0755) != 0 || mkdir(f, 0755) != 0 ||
	    mkdir(data_dir, 0755) != 0)
		abort();
	free(f);
	load_cfg(fleet);
}

/* {data_dir}/{name} := text */
static void put_plain(const char *name, const char *text)
{
	char *p = path_join(data_dir, name);

	if (file_put_str(p, text) != 0)
		abort();
	free(p);
}

/* A schema file as sync writes it: the body, ";\n". */
static void put_sql(const char *name, const char *body)
{
	char *text;

	if (asprintf(&text, "%s;\n", body) < 0)
		abort();
	put_plain(name, text);
	free(text);
}

/* One history line as sync writes it (body NULL: an error line). */
static char *make_line(const char *env, const char *database,
		       const char *table, const char *kind, const char *status,
		       const char *body)
{
	json_t *l = json_pack("{s:s, s:s, s:s, s:s, s:s}", "env", env,
			      "database", database, "table", table, "kind", kind,
			      "status", status);
	char hex[65], *text;

	if (body != NULL) {
		sha256_hex(body, strlen(body), hex);
		json_object_set_new(l, "sha256", json_string(hex));
		json_object_set_new(l, "body", json_string(body));
	} else {
		json_object_set_new(l, "code", json_integer(1146));
		json_object_set_new(l, "message", json_string("gone"));
	}
	text = json_dumps(l, JSON_COMPACT);
	json_decref(l);
	return text;
}

/* Publish run `id` of `command` for one environment with `n` lines. */
static void publish(const char *id, const char *command, const char *env,
		    char **lines, size_t n)
{
	const char *envs[1] = { env };
	history *h;
	json_t *manifest;
	size_t i;

	ASSERT_EQ(history_open(hist, id, envs, 1, &h), 0);
	for (i = 0; i < n; i++) {
		ASSERT_EQ(history_append(h, 0, lines[i], strlen(lines[i])), 0);
		free(lines[i]);
	}
	manifest = json_pack("{s:s, s:s, s:{}}", "run_id", id, "command",
			     command, "environments");
	ASSERT_EQ(history_publish(h, manifest), 0);
	json_decref(manifest);
}

/* A schema run of e1 that says table a is `status` with `body`. */
static void publish_a(const char *id, const char *status, const char *body)
{
	char *lines[1] = { make_line("e1", "db", "a", "schema", status, body) };

	publish(id, "schema", "e1", lines, 1);
}

/* Verify the environments named (NULL-terminated; none: all). */
static json_t *verify(enum verify_outcome *outcome, const char *const *names)
{
	const struct env_config *envs[8];
	struct verify_opts o = { .cfg = &cfg, .envs = envs, .out = out,
				 .history = hist };
	size_t i;

	if (names == NULL || names[0] == NULL) {
		for (i = 0; i < cfg.nenvs; i++)
			envs[i] = &cfg.envs[i];
		o.nenvs = cfg.nenvs;
	} else {
		for (i = 0; names[i] != NULL; i++) {
			envs[i] = config_find_env(&cfg, names[i]);
			ASSERT_TRUE(envs[i] != NULL);
		}
		o.nenvs = i;
	}
	return verify_build(&o, outcome);
}

/* The findings of `kind`: how many, and the first in *first. */
static size_t findings_of(json_t *r, const char *kind, json_t **first)
{
	json_t *f;
	size_t i, n = 0;

	*first = NULL;
	json_array_foreach(json_object_get(r, "findings"), i, f)
		if (strcmp(json_string_value(json_object_get(f, "kind")), kind) == 0)
			if (n++ == 0)
				*first = f;
	return n;
}

static const char *field(json_t *f, const char *key)
{
	return json_string_value(json_object_get(f, key));
}

/* Fail with every finding shown unless there are none. */
static void assert_clean(json_t *r, enum verify_outcome outcome)
{
	if (json_integer_value(json_object_get(r, "finding_count")) != 0 ||
	    outcome != VERIFY_CLEAN) {
		char *s = json_dumps(json_object_get(r, "findings"), JSON_INDENT(1));

		printf("%s\n", s);
		free(s);
	}
	ASSERT_EQ(outcome, VERIFY_CLEAN);
	ASSERT_EQ(json_integer_value(json_object_get(r, "finding_count")), 0);
}

static json_int_t checked(json_t *r, const char *what)
{
	return json_integer_value(json_object_get(json_object_get(r, "checked"),
						  what));
}

static void test_verify_clean_root_counts_what_it_checked(void)
{
	enum verify_outcome outcome;
	json_t *r;

	fresh_root();
	put_sql("db_a.sql", a_body);
	put_plain("db_a.json", a_row);
	put_sql("ev_e.sql", e_body);
	publish_a("20260101T000000Z-000", "new", a_body);
	r = verify(&outcome, NULL);
	assert_clean(r, outcome);
	ASSERT_EQ(checked(r, "sql"), 2);
	ASSERT_EQ(checked(r, "json"), 1);
	ASSERT_EQ(checked(r, "history_files"), 1);
	ASSERT_EQ(checked(r, "runs"), 1);
	json_decref(r);
}

static void test_verify_hand_edited_sql_names_the_run(void)
{
	enum verify_outcome outcome;
	json_t *r, *f;
	char *path = path_join(data_dir, "db_a.sql");

	fresh_root();
	put_sql("db_a.sql", a_body);
	publish_a("20260101T000000Z-000", "new", a_body);
	put_plain("db_a.sql", "-- edited\n");
	r = verify(&outcome, NULL);
	ASSERT_EQ(outcome, VERIFY_FINDINGS);
	ASSERT_EQ(findings_of(r, "hand_edited", &f), 1);
	ASSERT_STR_EQ(field(f, "path"), path);
	ASSERT_STR_EQ(field(f, "env"), "e1");
	ASSERT_STR_EQ(field(f, "table"), "a");
	ASSERT_STR_EQ(field(f, "run_id"), "20260101T000000Z-000");
	ASSERT_STR_EQ(field(f, "message"), "differs from what run "
		      "20260101T000000Z-000 wrote (env e1)");
	json_decref(r);
	free(path);
}

static void test_verify_unwritten_trivial_change_is_not_hand_edited(void)
{
	static const char moved[] =
		"CREATE TABLE `a` (\n"
		"  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,\n"
		"  `amount` decimal(19,4) NOT NULL,\n"
		"  `ratio` double DEFAULT NULL,\n"
		"  `note` varchar(10) DEFAULT NULL,\n"
		"  `secret` varchar(10) NOT NULL,\n"
		"  `raw` blob DEFAULT NULL,\n"
		"  PRIMARY KEY (`id`)\n"
		") ENGINE=InnoDB AUTO_INCREMENT=9 DEFAULT CHARSET=utf8mb4";
	enum verify_outcome outcome;
	json_t *r, *f;

	fresh_root();
	put_sql("db_a.sql", a_body);
	publish_a("20260101T000000Z-000", "new", a_body);
	publish_a("20260102T000000Z-000", "trivial", moved);
	r = verify(&outcome, NULL);
	assert_clean(r, outcome);
	json_decref(r);
	/* the same text under `unchanged` must be byte for byte */
	publish_a("20260103T000000Z-000", "unchanged", moved);
	r = verify(&outcome, NULL);
	ASSERT_EQ(findings_of(r, "hand_edited", &f), 1);
	ASSERT_STR_EQ(field(f, "run_id"), "20260103T000000Z-000");
	json_decref(r);
}

static void test_verify_error_line_keeps_the_older_evidence(void)
{
	enum verify_outcome outcome;
	json_t *r, *f;

	fresh_root();
	put_sql("db_a.sql", a_body);
	publish_a("20260101T000000Z-000", "new", a_body);
	publish_a("20260102T000000Z-000", "error", NULL);
	r = verify(&outcome, NULL);
	assert_clean(r, outcome);
	json_decref(r);
	put_sql("db_a.sql", e_body);
	r = verify(&outcome, NULL);
	ASSERT_EQ(findings_of(r, "hand_edited", &f), 1);
	ASSERT_STR_EQ(field(f, "run_id"), "20260101T000000Z-000");
	json_decref(r);
}

static void test_verify_file_present_after_removed_is_found(void)
{
	enum verify_outcome outcome;
	json_t *r, *f;

	fresh_root();
	publish_a("20260101T000000Z-000", "new", a_body);
	publish_a("20260102T000000Z-000", "removed", a_body);
	r = verify(&outcome, NULL);
	assert_clean(r, outcome);       /* removed, and gone */
	json_decref(r);
	put_sql("db_a.sql", a_body);
	r = verify(&outcome, NULL);
	ASSERT_EQ(findings_of(r, "hand_edited", &f), 1);
	ASSERT_STR_EQ(field(f, "message"), "present, but run "
		      "20260102T000000Z-000 removed the table (env e1)");
	json_decref(r);
}

static void test_verify_deleted_file_is_found(void)
{
	enum verify_outcome outcome;
	json_t *r, *f;

	fresh_root();
	publish_a("20260101T000000Z-000", "new", a_body);
	r = verify(&outcome, NULL);
	ASSERT_EQ(outcome, VERIFY_FINDINGS);
	ASSERT_EQ(findings_of(r, "hand_edited", &f), 1);
	ASSERT_CONTAINS(field(f, "message"), "absent, but run 20260101T000000Z-000");
	json_decref(r);
}

/* Byte `at` (from the end when negative) of a run's frame of e1 flipped. */
static char *frame_path(const char *id, const char *env)
{
	char *p;

	if (asprintf(&p, "%s/%s/%s.jsonl.zst", hist, id, env) < 0)
		abort();
	return p;
}

static void test_verify_flipped_byte_is_damaged_and_forgets_older_runs(void)
{
	enum verify_outcome outcome;
	json_t *r, *f;
	char *z, *data;
	size_t len;

	fresh_root();
	publish_a("20260101T000000Z-000", "new", e_body);
	publish_a("20260102T000000Z-000", "significant", a_body);
	put_sql("db_a.sql", a_body);
	z = frame_path("20260102T000000Z-000", "e1");
	data = file_get(z, &len);
	ASSERT_TRUE(data != NULL && len > 20);
	data[len - 6] ^= 0x55;          /* inside the block or its checksum */
	ASSERT_EQ(file_put(z, data, len), 0);
	r = verify(&outcome, NULL);
	ASSERT_EQ(outcome, VERIFY_FINDINGS);
	ASSERT_EQ(findings_of(r, "damaged", &f), 1);
	ASSERT_STR_EQ(field(f, "path"), z);
	ASSERT_CONTAINS(field(f, "message"), "damaged: zstd: ");
	/* the older run's body differs, but it is not the newest word */
	ASSERT_EQ(findings_of(r, "hand_edited", &f), 0);
	ASSERT_EQ(json_integer_value(json_object_get(r, "finding_count")), 1);
	json_decref(r);
	free(data);
	free(z);
}

static void test_verify_cut_short_frame_is_damaged(void)
{
	enum verify_outcome outcome;
	json_t *r, *f;
	char *z, *data;
	size_t len;

	fresh_root();
	put_sql("db_a.sql", a_body);
	publish_a("20260101T000000Z-000", "new", a_body);
	z = frame_path("20260101T000000Z-000", "e1");
	data = file_get(z, &len);
	ASSERT_EQ(file_put(z, data, len - 5), 0);
	r = verify(&outcome, NULL);
	ASSERT_EQ(outcome, VERIFY_FINDINGS);
	ASSERT_EQ(findings_of(r, "damaged", &f), 1);
	ASSERT_STR_EQ(field(f, "message"), "cut short: the zstd frame does not end");
	ASSERT_EQ(json_integer_value(json_object_get(r, "finding_count")), 1);
	json_decref(r);
	free(data);
	free(z);
}

static void test_verify_non_json_line_is_damaged(void)
{
	enum verify_outcome outcome;
	json_t *r, *f;
	char *lines[2];

	fresh_root();
	put_sql("db_a.sql", a_body);
	lines[0] = make_line("e1", "db", "a", "schema", "new", a_body);
	lines[1] = strdup("{not json");
	publish("20260101T000000Z-000", "schema", "e1", lines, 2);
	r = verify(&outcome, NULL);
	ASSERT_EQ(findings_of(r, "damaged", &f), 1);
	ASSERT_CONTAINS(field(f, "message"), "line 2 is not a JSON object");
	json_decref(r);
}

static void test_verify_manifest_digest_mismatch_names_both(void)
{
	enum verify_outcome outcome;
	json_t *r, *f, *m;
	char *mpath, *z, want[200];

	fresh_root();
	put_sql("db_a.sql", a_body);
	publish_a("20260101T000000Z-000", "new", a_body);
	if (asprintf(&mpath, "%s/20260101T000000Z-000/manifest.json", hist) < 0)
		abort();
	m = json_load_file(mpath, 0, NULL);
	ASSERT_TRUE(m != NULL);
	json_object_set_new(json_object_get(json_object_get(m, "environments"),
					    "e1"), "sha256",
			    json_string("00000000000000000000000000000000"
					"00000000000000000000000000000000"));
	ASSERT_EQ(json_dump_file(m, mpath, 0), 0);
	json_decref(m);
	r = verify(&outcome, NULL);
	ASSERT_EQ(outcome, VERIFY_FINDINGS);
	ASSERT_EQ(findings_of(r, "digest_mismatch", &f), 1);
	z = frame_path("20260101T000000Z-000", "e1");
	ASSERT_STR_EQ(field(f, "path"), z);
	snprintf(want, sizeof(want), "but manifest.json says %064d", 0);
	ASSERT_CONTAINS(field(f, "message"), want);
	ASSERT_CONTAINS(field(f, "message"), "sha256 ");
	ASSERT_EQ(json_integer_value(json_object_get(r, "finding_count")), 1);
	json_decref(r);
	free(mpath);
	free(z);
}

static void test_verify_run_without_manifest_or_frame_is_found(void)
{
	enum verify_outcome outcome;
	json_t *r, *f;
	char *dir = path_join(hist, "20260102T000000Z-000");
	char *z;

	fresh_root();
	put_sql("db_a.sql", a_body);
	publish_a("20260101T000000Z-000", "new", a_body);
	ASSERT_EQ(mkdir(dir, 0755), 0);
	z = frame_path("20260101T000000Z-000", "e1");
	ASSERT_EQ(unlink(z), 0);
	r = verify(&outcome, NULL);
	ASSERT_EQ(outcome, VERIFY_FINDINGS);
	ASSERT_EQ(findings_of(r, "manifest", &f), 1);
	ASSERT_STR_EQ(field(f, "run_id"), "20260102T000000Z-000");
	ASSERT_CONTAINS(field(f, "path"), "20260102T000000Z-000/manifest.json");
	ASSERT_EQ(findings_of(r, "damaged", &f), 1);
	ASSERT_STR_EQ(field(f, "path"), z);
	ASSERT_STR_EQ(field(f, "message"), "missing: manifest.json names it");
	ASSERT_EQ(checked(r, "runs"), 2);
	json_decref(r);
	free(dir);
	free(z);
}

static void test_verify_orphans_in_a_shared_folder(void)
{
	enum verify_outcome outcome;
	json_t *r, *f;
	char *ghost = path_join(data_dir, "db_ghost.sql");

	fresh_root();
	put_sql("db_a.sql", a_body);
	put_sql("ev_e.sql", e_body);        /* e2's, in the same folder */
	put_sql("db_ghost.sql", a_body);
	put_plain(".rhizome-tmp.db_a.sql.12-3", "x");   /* a run's temporary */
	/* not what a snapshot can be: the user's (an emplacement, a cache) */
	put_plain(".gitkeep", "");
	put_plain("db_a.py", "# an emplacement\n");
	r = verify(&outcome, (const char *const[]){ "e1", NULL });
	ASSERT_EQ(outcome, VERIFY_FINDINGS);
	ASSERT_EQ(findings_of(r, "orphan", &f), 1);
	ASSERT_STR_EQ(field(f, "path"), ghost);
	ASSERT_STR_EQ(field(f, "message"),
		      "not the snapshot of any table listed for folder f");
	ASSERT_EQ(json_integer_value(json_object_get(r, "finding_count")), 1);
	json_decref(r);
	free(ghost);
}

static void test_verify_excluded_table_file_is_an_orphan(void)
{
	enum verify_outcome outcome;
	json_t *r, *f;
	char *text;

	if (asprintf(&text, "[tables db]\ntables = a b\nexclude = b\n%s",
		     strstr(fleet, "[tables ev]")) < 0)
		abort();
	fresh_root();
	load_cfg(text);
	put_sql("db_b.sql", e_body);
	r = verify(&outcome, NULL);
	ASSERT_EQ(findings_of(r, "orphan", &f), 1);
	ASSERT_CONTAINS(field(f, "path"), "/db_b.sql");
	json_decref(r);
	free(text);
}

static void test_verify_unparsable_sql_lists_the_line(void)
{
	static const char odd[] =
		"CREATE TABLE `a` (\n"
		"  `id` int(11) NOT NULL,\n"
		"  FROBNICATE the table,\n"
		"  PRIMARY KEY (`id`)\n"
		") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4";
	enum verify_outcome outcome;
	json_t *r, *f;

	fresh_root();
	put_sql("db_a.sql", odd);
	put_plain("db_b.sql", "SELECT 1;\n");
	r = verify(&outcome, NULL);
	ASSERT_EQ(outcome, VERIFY_FINDINGS);
	ASSERT_EQ(findings_of(r, "unparsable", &f), 2);
	ASSERT_STR_EQ(field(f, "table"), "a");
	ASSERT_STR_EQ(field(f, "message"), "1 part not understood: FROBNICATE the table");
	f = json_array_get(json_object_get(r, "findings"), 1);
	ASSERT_STR_EQ(field(f, "message"), "not a CREATE TABLE statement");
	json_decref(r);
}

static void test_verify_sql_without_final_newline_is_found(void)
{
	enum verify_outcome outcome;
	json_t *r, *f;

	fresh_root();
	put_plain("db_a.sql", a_body);
	r = verify(&outcome, NULL);
	ASSERT_EQ(findings_of(r, "unparsable", &f), 1);
	ASSERT_STR_EQ(field(f, "message"), "does not end with ';' and a newline");
	json_decref(r);
}

/* The message of the one `types` finding for db_a.json holding `row`. */
static char *types_message(const char *row)
{
	enum verify_outcome outcome;
	json_t *r, *f;
	char *msg = NULL;

	fresh_root();
	put_sql("db_a.sql", a_body);
	put_plain("db_a.json", row);
	r = verify(&outcome, NULL);
	if (findings_of(r, "types", &f) == 1 &&
	    json_integer_value(json_object_get(r, "finding_count")) == 1)
		msg = strdup(field(f, "message"));
	json_decref(r);
	return msg;
}

/* a_row with `from` replaced by `to`. */
static char *a_row_with(const char *from, const char *to)
{
	const char *p = strstr(a_row, from);
	char *s;

	if (p == NULL)
		abort();
	if (asprintf(&s, "%.*s%s%s", (int)(p - a_row), a_row, to,
		     p + strlen(from)) < 0)
		abort();
	return s;
}

static void check_types(const char *from, const char *to, const char *want)
{
	char *row = a_row_with(from, to), *msg = types_message(row);

	if (msg == NULL)
		CHECK_FAIL("%s -> %s: not exactly one types finding", from, to);
	ASSERT_STR_EQ(msg, want);
	free(msg);
	free(row);
}

static void test_verify_json_types_contract(void)
{
	check_types("18446744073709551615", "\"7\"",
		    "column `id` (bigint(20) unsigned): a string, want an integer");
	check_types("18446744073709551615", "7.0",
		    "column `id` (bigint(20) unsigned): a fraction, want an integer");
	check_types("\"10.5000\"", "10.5",
		    "column `amount` (decimal(19,4)): a fraction, want a string of digits");
	check_types("\"10.5000\"", "\"ten\"",
		    "column `amount` (decimal(19,4)): a string that is not a "
		    "decimal number, want a string of digits");
	check_types("1.5", "\"1.5\"",
		    "column `ratio` (double): a string, want a number");
	check_types("\"AAE=\"", "\"not base64!\"",
		    "column `raw` (blob): a string that is not base64, want a "
		    "base64 string");
	check_types("\"10.5000\"", "null",
		    "column `amount` (decimal(19,4)) is NOT NULL, but null");
	check_types("  \"raw\": \"AAE=\"\n", "  \"raw\": \"AAE=\",\n  \"extra\": 1\n",
		    "key \"extra\" is not a column of db_a.sql");
	check_types("  \"note\": null,\n", "",
		    "no key for column `note` of db_a.sql");
	check_types("  \"ratio\": 1.5,\n  \"note\": null,\n",
		    "  \"note\": null,\n  \"ratio\": 1.5,\n",
		    "keys are not in the column order of db_a.sql");
}

static void test_verify_json_masked_column_and_rows_array(void)
{
	enum verify_outcome outcome;
	json_t *r;
	char *two, *msg;

	/* the masked column may hold anything its rule writes */
	two = a_row_with("\"secret\": null", "\"secret\": 12");
	msg = types_message(two);
	ASSERT_TRUE(msg == NULL);
	free(two);
	/* --rows: an array of rows, each checked, each named */
	fresh_root();
	put_sql("db_a.sql", a_body);
	if (asprintf(&two, "[\n%s,\n%s]\n", a_row, a_row) < 0)
		abort();
	put_plain("db_a.json", two);
	r = verify(&outcome, NULL);
	assert_clean(r, outcome);
	json_decref(r);
	free(two);
	two = a_row_with("1.5", "true");
	if (asprintf(&msg, "[%s, %s]", a_row, two) < 0)
		abort();
	put_plain("db_a.json", msg);
	free(msg);
	r = verify(&outcome, NULL);
	msg = (char *)json_string_value(json_object_get(
		json_array_get(json_object_get(r, "findings"), 0), "message"));
	ASSERT_STR_EQ(msg, "row 2: column `ratio` (double): a boolean, want a number");
	json_decref(r);
	free(two);
}

static void test_verify_json_invalid_or_shapeless(void)
{
	enum verify_outcome outcome;
	json_t *r, *f;

	fresh_root();
	put_plain("db_a.json", "{\"id\": 1,}\n");
	put_plain("db_b.json", "[]\n");
	r = verify(&outcome, NULL);
	ASSERT_EQ(findings_of(r, "invalid_json", &f), 1);
	ASSERT_CONTAINS(field(f, "message"), "line 1 column ");
	ASSERT_EQ(findings_of(r, "types", &f), 1);
	ASSERT_STR_EQ(field(f, "table"), "b");
	ASSERT_CONTAINS(field(f, "message"), "an empty array");
	json_decref(r);
	/* without a .sql beside it, only validity and shape */
	fresh_root();
	put_plain("db_b.json", "{\"anything\": \"x\"}\n");
	r = verify(&outcome, NULL);
	assert_clean(r, outcome);
	json_decref(r);
}

static void test_verify_unreadable_root_or_history(void)
{
	enum verify_outcome outcome;
	json_t *r, *f;
	char *saved = out;

	fresh_root();
	out = path_join(scratch, "nowhere");
	r = verify(&outcome, NULL);
	ASSERT_EQ(outcome, VERIFY_UNREADABLE);
	ASSERT_EQ(findings_of(r, "unreadable", &f), 1);
	ASSERT_STR_EQ(field(f, "path"), out);
	json_decref(r);
	free(out);
	out = saved;
	/* the history a regular file */
	ASSERT_EQ(file_put_str(hist, "not a folder"), 0);
	put_sql("db_a.sql", a_body);
	r = verify(&outcome, NULL);
	ASSERT_EQ(outcome, VERIFY_UNREADABLE);
	ASSERT_EQ(findings_of(r, "unreadable", &f), 1);
	ASSERT_STR_EQ(field(f, "path"), hist);
	ASSERT_CONTAINS(field(f, "message"), "Not a directory");
	ASSERT_EQ(checked(r, "sql"), 1);
	json_decref(r);
	unlink(hist);
}

static void test_verify_env_limits_what_is_checked(void)
{
	enum verify_outcome outcome;
	json_t *r, *f;
	char *lines[1] = { make_line("e2", "ev", "e", "schema", "new", e_body) };
	char *z;

	fresh_root();
	put_sql("db_a.sql", a_body);
	publish_a("20260101T000000Z-000", "new", a_body);
	publish("20260102T000000Z-000", "schema", "e2", lines, 1);
	put_sql("ev_e.sql", a_body);            /* e2's file, edited */
	z = frame_path("20260101T000000Z-000", "e1");
	ASSERT_EQ(file_put_str(z, "garbage"), 0);
	r = verify(&outcome, (const char *const[]){ "e2", NULL });
	ASSERT_EQ(findings_of(r, "hand_edited", &f), 1);
	ASSERT_STR_EQ(field(f, "env"), "e2");
	ASSERT_EQ(findings_of(r, "damaged", &f), 0);
	ASSERT_EQ(checked(r, "sql"), 1);
	ASSERT_EQ(checked(r, "history_files"), 1);
	json_decref(r);
	r = verify(&outcome, (const char *const[]){ "e1", NULL });
	ASSERT_EQ(findings_of(r, "damaged", &f), 1);
	ASSERT_EQ(findings_of(r, "hand_edited", &f), 0);
	json_decref(r);
	free(z);
}

static void test_verify_base64_body_is_evidence(void)
{
	enum verify_outcome outcome;
	json_t *l, *r, *f;
	char hex[65], *text, *lines[1];
	static const char latin1[] = "{\n  \"id\": \"\xe9\"\n}\n";

	fresh_root();
	put_plain("db_b.json", latin1);
	sha256_hex(latin1, strlen(latin1), hex);
	/* "{\n  \"id\": \"\xe9\"\n}\n" in base64 */
	l = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:n, s:s}", "env", "e1",
		      "database", "db", "table", "b", "kind", "data", "status",
		      "new", "sha256", hex, "body",
		      "body_base64", "ewogICJpZCI6ICLpIgp9Cg==");
	text = json_dumps(l, JSON_COMPACT);
	json_decref(l);
	lines[0] = text;
	publish("20260101T000000Z-000", "data", "e1", lines, 1);
	r = verify(&outcome, NULL);
	/* the file itself is not UTF-8: jansson refuses it */
	ASSERT_EQ(findings_of(r, "invalid_json", &f), 1);
	ASSERT_EQ(findings_of(r, "hand_edited", &f), 0);
	ASSERT_EQ(findings_of(r, "damaged", &f), 0);
	json_decref(r);
	put_plain("db_b.json", "{\n  \"id\": 1\n}\n");
	r = verify(&outcome, NULL);
	ASSERT_EQ(findings_of(r, "hand_edited", &f), 1);
	json_decref(r);
}

/* verify_text into a string (caller frees). */
static char *text_of(json_t *r)
{
	FILE *fp = tmpfile();
	char *s;
	long n;

	ASSERT_TRUE(fp != NULL);
	ASSERT_EQ(verify_text(r, fp), 0);
	n = ftell(fp);
	rewind(fp);
	s = calloc(1, (size_t)n + 1);
	if (s == NULL || fread(s, 1, (size_t)n, fp) != (size_t)n)
		abort();
	fclose(fp);
	return s;
}

static void test_verify_text_lists_findings_then_the_count(void)
{
	enum verify_outcome outcome;
	json_t *r;
	char *text, want[8192];

	fresh_root();
	put_sql("db_a.sql", a_body);
	publish_a("20260101T000000Z-000", "new", a_body);
	r = verify(&outcome, NULL);
	text = text_of(r);
	ASSERT_STR_EQ(text, "verify: clean: 1 .sql, 0 .json, 1 history file "
		      "(1 run)\n");
	free(text);
	json_decref(r);
	put_sql("db_a.sql", e_body);
	put_sql("db_zz.sql", e_body);
	r = verify(&outcome, NULL);
	text = text_of(r);
	snprintf(want, sizeof(want),
		 "hand-edited  %s/db_a.sql: differs from what run "
		 "20260101T000000Z-000 wrote (env e1)\n"
		 "orphan       %s/db_zz.sql: not the snapshot of any table "
		 "listed for folder f\n"
		 "verify: 2 findings in 1 .sql, 0 .json, 1 history file (1 run)\n",
		 data_dir, data_dir);
	ASSERT_STR_EQ(text, want);
	free(text);
	json_decref(r);
}

int main(int argc, char **argv)
{
	CHECK_INIT(argc, argv);
	scratch = scratch_dir();
	out = path_join(scratch, "snap");
	hist = path_join(out, ".history");
	data_dir = path_join(out, "f/expected_data");

	RUN(test_verify_clean_root_counts_what_it_checked);
	RUN(test_verify_hand_edited_sql_names_the_run);
	RUN(test_verify_unwritten_trivial_change_is_not_hand_edited);
	RUN(test_verify_error_line_keeps_the_older_evidence);
	RUN(test_verify_file_present_after_removed_is_found);
	RUN(test_verify_deleted_file_is_found);
	RUN(test_verify_flipped_byte_is_damaged_and_forgets_older_runs);
	RUN(test_verify_cut_short_frame_is_damaged);
	RUN(test_verify_non_json_line_is_damaged);
	RUN(test_verify_manifest_digest_mismatch_names_both);
	RUN(test_verify_run_without_manifest_or_frame_is_found);
	RUN(test_verify_orphans_in_a_shared_folder);
	RUN(test_verify_excluded_table_file_is_an_orphan);
	RUN(test_verify_unparsable_sql_lists_the_line);
	RUN(test_verify_sql_without_final_newline_is_found);
	RUN(test_verify_json_types_contract);
	RUN(test_verify_json_masked_column_and_rows_array);
	RUN(test_verify_json_invalid_or_shapeless);
	RUN(test_verify_unreadable_root_or_history);
	RUN(test_verify_env_limits_what_is_checked);
	RUN(test_verify_base64_body_is_evidence);
	RUN(test_verify_text_lists_findings_then_the_count);

	config_release(&cfg);
	free(data_dir);
	free(hist);
	free(out);
	scratch_remove(scratch);
	return CHECK_EXIT();
}
