/*
 * Unit tests of engine/report: path templates expand and are anchored at
 * the config's folder; on a scratch snapshot tree holding one pair of each
 * status, the JSON report gives each pair's status and the counts, and the
 * text report shows the matrix (or, too narrow for it, one block per
 * environment) and what to run next. Files only: no server.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "engine/commands/report.h"
#include "check.h"
#include "testutil.h"

static char *scratch;
static char *out;               /* {scratch}/snap, the snapshot root */
static char *hist;              /* {out}/.history */
static struct fleet_config cfg;

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

static const char fleet[] =
	"[fleet]\n"
	"model = {out}/{folder}/model/{table}.py\n"
	"emplacement = emplacement/{database}_{table}.txt\n"
	"[tables db]\n"
	"tables = a b c d e\n"
	"[environment prod]\n"
	"folder = f\n"
	"database = db\n";

/* mkdir -p of {base}/{rel}. */
static void make_dirs(const char *base, const char *rel)
{
	char path[2048];
	char *p;

	mkdir(base, 0755);
	snprintf(path, sizeof(path), "%s/%s", base, rel);
	for (p = path + strlen(base) + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			mkdir(path, 0755);
			*p = '/';
		}
	mkdir(path, 0755);
}

static void touch(const char *base, const char *rel)
{
	char *p = path_join(base, rel);

	if (file_put_str(p, "x\n") != 0)
		abort();
	free(p);
}

/*
 * a: schema, data, model, emplacement     -> complete
 * b: schema, model, emplacement           -> ready_for_data
 * c: schema, data, model                  -> missing_emplacement
 * d: schema, model                        -> schema_only
 * e: model, emplacement, no schema        -> missing
 */
static void make_tree(void)
{
	make_dirs(out, "f/expected_data");
	make_dirs(out, "f/model");
	make_dirs(scratch, "emplacement");
	touch(out, "f/expected_data/db_a.sql");
	touch(out, "f/expected_data/db_a.json");
	touch(out, "f/model/a.py");
	touch(scratch, "emplacement/db_a.txt");
	touch(out, "f/expected_data/db_b.sql");
	touch(out, "f/model/b.py");
	touch(scratch, "emplacement/db_b.txt");
	touch(out, "f/expected_data/db_c.sql");
	touch(out, "f/expected_data/db_c.json");
	touch(out, "f/model/c.py");
	touch(out, "f/expected_data/db_d.sql");
	touch(out, "f/model/d.py");
	touch(out, "f/model/e.py");
	touch(scratch, "emplacement/db_e.txt");
}

/* report_write into a temporary file; returns its text (caller frees). */
static char *run_report(enum report_format format, int ascii, unsigned width)
{
	const struct env_config *envs[1];
	struct report_opts o;
	FILE *fp = tmpfile();
	char *text;
	long size;
	int rc;

	if (fp == NULL)
		abort();
	envs[0] = config_find_env(&cfg, "prod");
	ASSERT_TRUE(envs[0] != NULL);
	memset(&o, 0, sizeof(o));
	o.cfg = &cfg;
	o.envs = envs;
	o.nenvs = 1;
	o.out = out;
	o.history = hist;
	o.format = format;
	o.ascii = ascii;
	o.width = width;
	rc = report_write(&o, fp);
	if (rc != 0) {
		fclose(fp);
		CHECK_FAIL("report_write returned %d", rc);
	}
	if (fseek(fp, 0, SEEK_END) != 0 || (size = ftell(fp)) < 0)
		abort();
	rewind(fp);
	text = malloc((size_t)size + 1);
	if (text == NULL || fread(text, 1, (size_t)size, fp) != (size_t)size)
		abort();
	text[size] = '\0';
	fclose(fp);
	return text;
}

/* ---- report_expand ----------------------------------------------------------- */

static void test_report_expand_replaces_every_placeholder(void)
{
	const struct env_config *e;
	char *s;

	load_cfg(fleet);
	e = config_find_env(&cfg, "prod");
	ASSERT_TRUE(e != NULL);
	s = report_expand("{out}/{folder}/{database}/{table}.py", &cfg, "/o", e, "t");
	ASSERT_STR_EQ(s, "/o/f/db/t.py");
	free(s);
	/* repeated, and text around them kept; unknown braces are literal */
	s = report_expand("{out}/{table}-{table}/{other}.{database}", &cfg,
			  "/o", e, "t");
	ASSERT_STR_EQ(s, "/o/t-t/{other}.db");
	free(s);
}

static void test_report_expand_relative_template_starts_at_config_folder(void)
{
	const struct env_config *e;
	char want[2048];
	char *s;

	load_cfg(fleet);
	e = config_find_env(&cfg, "prod");
	s = report_expand("emplacement/{database}_{table}.txt", &cfg, "/o", e, "t");
	snprintf(want, sizeof(want), "%semplacement/db_t.txt", cfg.dir);
	ASSERT_STR_EQ(s, want);
	ASSERT_TRUE(s[0] == '/'); /* cfg.dir is absolute here */
	free(s);
	/* a relative template that starts with a placeholder other than {out} */
	s = report_expand("{folder}/{table}", &cfg, "/o", e, "t");
	snprintf(want, sizeof(want), "%sf/t", cfg.dir);
	ASSERT_STR_EQ(s, want);
	free(s);
}

static void test_report_expand_absolute_or_out_template_is_not_prefixed(void)
{
	const struct env_config *e;
	char *s;

	load_cfg(fleet);
	e = config_find_env(&cfg, "prod");
	s = report_expand("/srv/models/{folder}/{table}.py", &cfg, "/o", e, "t");
	ASSERT_STR_EQ(s, "/srv/models/f/t.py");
	free(s);
	/* {out} is the snapshot root as the user gave it, already anchored */
	s = report_expand("{out}/{folder}/m/{table}.py", &cfg, "snap", e, "t");
	ASSERT_STR_EQ(s, "snap/f/m/t.py");
	free(s);
}

/* ---- report_write: JSON ------------------------------------------------------ */

static void check_pair(json_t *pairs, const char *table, const char *status,
		       int schema, int data, int model, int emplacement)
{
	size_t i;
	json_t *p;

	json_array_foreach(pairs, i, p) {
		if (strcmp(json_string_value(json_object_get(p, "table")), table) != 0)
			continue;
		ASSERT_STR_EQ(json_string_value(json_object_get(p, "env")), "prod");
		ASSERT_STR_EQ(json_string_value(json_object_get(p, "folder")), "f");
		ASSERT_STR_EQ(json_string_value(json_object_get(p, "database")), "db");
		if (strcmp(json_string_value(json_object_get(p, "status")), status) != 0)
			CHECK_FAIL("table %s: status \"%s\", want \"%s\"", table,
				   json_string_value(json_object_get(p, "status")),
				   status);
		ASSERT_EQ(json_is_true(json_object_get(p, "schema")), schema);
		ASSERT_EQ(json_is_true(json_object_get(p, "data")), data);
		ASSERT_EQ(json_is_true(json_object_get(p, "model")), model);
		ASSERT_EQ(json_is_true(json_object_get(p, "emplacement")), emplacement);
		return;
	}
	CHECK_FAIL("no pair for table %s", table);
}

static json_int_t count(json_t *summary, const char *name)
{
	json_t *v = json_object_get(summary, name);

	if (!json_is_integer(v))
		CHECK_FAIL("summary has no integer \"%s\"", name);
	return json_integer_value(v);
}

/* The recommendation whose command is `command`, or NULL. */
static json_t *recommendation(json_t *root, const char *command)
{
	json_t *r;
	size_t i;

	json_array_foreach(json_object_get(root, "recommendations"), i, r) {
		json_t *c = json_object_get(r, "command");

		if (json_is_string(c) && strcmp(json_string_value(c), command) == 0)
			return r;
	}
	return NULL;
}

static void test_report_json_gives_each_pair_status_and_counts(void)
{
	json_error_t jerr;
	json_t *root, *pairs, *summary, *r;
	char *text;

	load_cfg(fleet);
	make_tree();
	text = run_report(REPORT_JSON, 0, 80);
	root = json_loads(text, 0, &jerr);
	if (root == NULL) {
		CHECK_FAIL("not JSON (%s at line %d): %s", jerr.text, jerr.line,
			   text);
	}
	free(text);
	ASSERT_EQ(json_array_size(json_object_get(root, "environments")), 1);
	ASSERT_STR_EQ(json_string_value(json_array_get(
		json_object_get(root, "environments"), 0)), "prod");

	pairs = json_object_get(root, "pairs");
	ASSERT_EQ(json_array_size(pairs), 5);
	check_pair(pairs, "a", "complete", 1, 1, 1, 1);
	check_pair(pairs, "b", "ready_for_data", 1, 0, 1, 1);
	check_pair(pairs, "c", "missing_emplacement", 1, 1, 1, 0);
	check_pair(pairs, "d", "schema_only", 1, 0, 1, 0);
	check_pair(pairs, "e", "missing", 0, 0, 1, 1);
	/* in table-list order */
	ASSERT_STR_EQ(json_string_value(json_object_get(json_array_get(pairs, 0),
							"table")), "a");
	ASSERT_STR_EQ(json_string_value(json_object_get(json_array_get(pairs, 4),
							"table")), "e");

	summary = json_object_get(root, "summary");
	ASSERT_EQ(count(summary, "complete"), 1);
	ASSERT_EQ(count(summary, "partial"), 3);
	ASSERT_EQ(count(summary, "missing"), 1);
	ASSERT_EQ(count(summary, "ready_for_data"), 1);
	ASSERT_EQ(count(summary, "missing_emplacement"), 1);
	ASSERT_EQ(count(summary, "schema_only"), 1);

	r = recommendation(root, "rhizome sync data --env prod");
	ASSERT_TRUE(r != NULL);
	ASSERT_EQ(json_array_size(json_object_get(r, "tables")), 1);
	ASSERT_STR_EQ(json_string_value(json_array_get(json_object_get(r, "tables"),
						       0)), "b");
	r = recommendation(root, "rhizome sync schema --env prod");
	ASSERT_TRUE(r != NULL);
	ASSERT_STR_EQ(json_string_value(json_array_get(json_object_get(r, "tables"),
						       0)), "e");
	json_decref(root);
}

static void test_report_json_without_templates_has_null_model(void)
{
	json_t *root, *p;
	char *text;

	load_cfg("[tables db]\ntables = a b c d e\n"
		 "[environment prod]\nfolder = f\ndatabase = db\n");
	make_tree();
	text = run_report(REPORT_JSON, 0, 80);
	root = json_loads(text, 0, NULL);
	free(text);
	ASSERT_TRUE(root != NULL);
	/* without model/emplacement templates: schema + data is complete,
	 * schema alone is ready for data */
	p = json_array_get(json_object_get(root, "pairs"), 2); /* c */
	ASSERT_STR_EQ(json_string_value(json_object_get(p, "table")), "c");
	ASSERT_STR_EQ(json_string_value(json_object_get(p, "status")), "complete");
	ASSERT_TRUE(json_is_null(json_object_get(p, "model")));
	ASSERT_TRUE(json_is_null(json_object_get(p, "emplacement")));
	p = json_array_get(json_object_get(root, "pairs"), 3); /* d */
	ASSERT_STR_EQ(json_string_value(json_object_get(p, "status")),
		      "ready_for_data");
	ASSERT_EQ(json_integer_value(json_object_get(json_object_get(root,
		"summary"), "complete")), 2);
	json_decref(root);
}

/* ---- report_write: text ------------------------------------------------------ */

static void test_report_text_ascii_matrix_shows_every_status(void)
{
	char *text;
	size_t i;

	load_cfg(fleet);
	make_tree();
	text = run_report(REPORT_TEXT, 1, 200);
	ASSERT_CONTAINS(text, "ok");
	ASSERT_CONTAINS(text, "data?");
	ASSERT_CONTAINS(text, "empl?");
	ASSERT_CONTAINS(text, "sql");
	ASSERT_CONTAINS(text, "--");
	ASSERT_CONTAINS(text, "rhizome sync data --env prod");
	ASSERT_CONTAINS(text, "rhizome sync schema --env prod");
	/* the matrix: the database and its folder, one row per table */
	ASSERT_TRUE(strncmp(text, "db   f\n", 7) == 0);
	ASSERT_CONTAINS(text, "\n  a  ok\n");
	ASSERT_CONTAINS(text, "\n  b  data?\n");
	ASSERT_CONTAINS(text, "\n  c  empl?\n");
	ASSERT_CONTAINS(text, "\n  d  sql\n");
	ASSERT_CONTAINS(text, "\n  e  --\n");
	ASSERT_CONTAINS(text, "Summary: 5 pairs: 1 complete, 3 partial");
	ASSERT_TRUE(strstr(text, "prod (f):") == NULL);
	for (i = 0; text[i]; i++)
		if ((unsigned char)text[i] >= 0x80)
			CHECK_FAIL("ascii report has byte 0x%02x at %zu",
				   (unsigned char)text[i], i);
	free(text);
}

static void test_report_text_narrow_terminal_uses_grouped_layout(void)
{
	char *text;

	load_cfg(fleet);
	make_tree();
	text = run_report(REPORT_TEXT, 1, 10);
	if (strncmp(text, "prod (f):", 9) != 0 && strstr(text, "\nprod (f):") == NULL)
		CHECK_FAIL("no line starting with \"prod (f):\" in:\n%s", text);
	/* only what is not complete is listed */
	ASSERT_CONTAINS(text, "\n  data? b\n");
	ASSERT_CONTAINS(text, "\n  empl? c\n");
	ASSERT_CONTAINS(text, "\n  sql d\n");
	ASSERT_CONTAINS(text, "\n  -- e\n");
	ASSERT_TRUE(strstr(text, "  ok a\n") == NULL);
	ASSERT_TRUE(strstr(text, "\n  a  ok\n") == NULL);
	ASSERT_CONTAINS(text, "rhizome sync data --env prod");
	free(text);
}

static void test_report_text_default_icons_are_emoji(void)
{
	char *text;

	load_cfg(fleet);
	make_tree();
	text = run_report(REPORT_TEXT, 0, 200);
	ASSERT_CONTAINS(text, "\xe2\x9c\x85");          /* complete */
	ASSERT_CONTAINS(text, "\xe2\x9d\x8c");          /* missing */
	ASSERT_TRUE(strstr(text, "data?") == NULL);
	free(text);
}

int main(int argc, char **argv)
{
	CHECK_INIT(argc, argv);
	scratch = scratch_dir();
	out = path_join(scratch, "snap");
	hist = path_join(out, ".history");

	RUN(test_report_expand_replaces_every_placeholder);
	RUN(test_report_expand_relative_template_starts_at_config_folder);
	RUN(test_report_expand_absolute_or_out_template_is_not_prefixed);
	RUN(test_report_json_gives_each_pair_status_and_counts);
	RUN(test_report_json_without_templates_has_null_model);
	RUN(test_report_text_ascii_matrix_shows_every_status);
	RUN(test_report_text_narrow_terminal_uses_grouped_layout);
	RUN(test_report_text_default_icons_are_emoji);

	config_release(&cfg);
	free(hist);
	free(out);
	scratch_remove(scratch);
	return CHECK_EXIT();
}
