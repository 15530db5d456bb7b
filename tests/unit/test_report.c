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
#include "engine/output/termtext.h"
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

/* What the command line gives report_write beyond the format. */
struct run {
	const char *const *envs;        /* environment names; NULL: prod */
	size_t nenvs;
	const char *config_arg, *out_arg;
};

/* report_write into a temporary file; returns its text (caller frees). */
static char *run_report_with(const struct run *run, enum report_format format,
			     int ascii, unsigned width)
{
	static const char *const prod[] = { "prod" };
	const char *const *names = run->envs ? run->envs : prod;
	size_t nenvs = run->envs ? run->nenvs : 1, i;
	const struct env_config *envs[8];
	struct report_opts o;
	FILE *fp = tmpfile();
	char *text;
	long size;
	int rc;

	if (fp == NULL || nenvs > 8)
		abort();
	for (i = 0; i < nenvs; i++) {
		envs[i] = config_find_env(&cfg, names[i]);
		if (envs[i] == NULL)
			CHECK_FAIL("no environment %s in the config", names[i]);
	}
	memset(&o, 0, sizeof(o));
	o.cfg = &cfg;
	o.envs = envs;
	o.nenvs = nenvs;
	o.out = out;
	o.history = hist;
	o.format = format;
	o.ascii = ascii;
	o.width = width;
	o.config_arg = run->config_arg;
	o.out_arg = run->out_arg;
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

static char *run_report(enum report_format format, int ascii, unsigned width)
{
	struct run run = { NULL, 0, NULL, NULL };

	return run_report_with(&run, format, ascii, width);
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

/*
 * The words sh reads from the command at s: blanks split words, '...'
 * quotes, a backslash-newline vanishes (inside a word too), a backslash
 * escapes the next character, and an unquoted # at a word's start
 * comments out the rest of the line; it ends at the first newline left.
 * Into w[max][256]; returns how many.
 */
static size_t shell_words(const char *s, char (*w)[256], size_t max)
{
	size_t n = 0, len = 0;
	int in_word = 0;

	while (*s && *s != '\n') {
		if (*s == '\\' && s[1] == '\n') {
			s += 2;
			continue;
		}
		if (*s == ' ' || *s == '\t') {
			if (in_word && n < max)
				w[n++][len] = '\0';
			in_word = 0;
			len = 0;
			s++;
			continue;
		}
		if (*s == '#' && !in_word)
			break;
		in_word = 1;
		if (*s == '\'') {
			for (s++; *s && *s != '\''; s++)
				if (n < max && len < 255)
					w[n][len++] = *s;
			if (*s)
				s++;
		} else {
			if (*s == '\\' && s[1])
				s++;
			if (n < max && len < 255)
				w[n][len++] = *s;
			s++;
		}
	}
	if (in_word && n < max)
		w[n++][len] = '\0';
	return n;
}

/* Whether a command the text recommends (a line starting "  rhizome")
 * reads, as sh would, as want[0..n). */
static int has_command(const char *text, const char *const *want, size_t n)
{
	char w[16][256];
	const char *p = text;
	size_t k, got;

	while ((p = strstr(p, "\n  rhizome ")) != NULL) {
		p += 3;
		got = shell_words(p, w, 16);
		for (k = 0; k < n && k < got && strcmp(w[k], want[k]) == 0; k++)
			;
		if (k == n && got == n)
			return 1;
	}
	return 0;
}


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
	static const char *const data_cmd[] = { "rhizome", "sync", "data",
						"--env", "prod" };
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
	/* the command broken over lines (" \\"), pasting as one */
	if (!has_command(text, data_cmd, 5))
		CHECK_FAIL("no rhizome sync data --env prod in:\n%s", text);
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

/* ---- report_write: text at terminal widths ------------------------------ */

/*
 * Names that are not ASCII, some two cells wide: café_ñ (1 cell a
 * character), 表_x (表 two cells), folders stagé and 質 (two cells).
 * north and south have folders so long that no matrix fits 200 columns.
 */
#define LONG_FOLDER "_a_folder_name_long_enough_that_no_matrix_fits_on_" \
	"a_terminal_two_hundred_cells_wide_at_all"
static const char wide_fleet[] =
	"[fleet]\n"
	"model = {out}/{folder}/model/{table}.py\n"
	"emplacement = emplacement/{database}_{table}.txt\n"
	"[tables db]\n"
	"tables = a b c d e caf\xc3\xa9_\xc3\xb1 \xe8\xa1\xa8_x\n"
	"[environment prod]\nfolder = f\ndatabase = db\n"
	"[environment stage]\nfolder = stag\xc3\xa9\ndatabase = db\n"
	"[environment qa]\nfolder = \xe8\xb3\xaa\ndatabase = db\n"
	"[environment north]\nfolder = north" LONG_FOLDER "\ndatabase = db\n"
	"[environment south]\nfolder = south" LONG_FOLDER "\ndatabase = db\n";

#define CAFE "caf\xc3\xa9_\xc3\xb1"
#define HYO "\xe8\xa1\xa8_x"
static const char *const matrix_envs[] = { "prod", "stage", "qa" };
static const char *const grouped_envs[] = { "prod", "north", "south" };
static const unsigned widths[] = { 40, 60, 80, 200 };
/* a --config value that needs quoting, and is wider than 40 columns */
static const char long_config[] =
	"/srv/a rather long folder/of the team's configs/rhizome.cnf";

static void touch_all(const char *folder, const char *table, int data)
{
	char rel[512];

	snprintf(rel, sizeof(rel), "%s/expected_data/db_%s.sql", folder, table);
	touch(out, rel);
	if (data) {
		snprintf(rel, sizeof(rel), "%s/expected_data/db_%s.json",
			 folder, table);
		touch(out, rel);
	}
	snprintf(rel, sizeof(rel), "%s/model/%s.py", folder, table);
	touch(out, rel);
}

/*
 * On top of make_tree (prod: a..e one status each):
 * prod:  café_ñ complete, 表_x missing
 * stage: every table schema + model: ready for data where the emplacement
 *        is there (a b e café_ñ 表_x), schema only elsewhere (c d)
 * qa:    a b complete, the rest missing
 * north: a b ready for data, c missing emplacement, the rest missing
 * south: nothing (all missing)
 */
static void make_wide_tree(void)
{
	static const char *const all[] = { "a", "b", "c", "d", "e", CAFE, HYO };
	size_t i;

	make_tree();
	make_dirs(out, "stag\xc3\xa9/expected_data");
	make_dirs(out, "stag\xc3\xa9/model");
	make_dirs(out, "\xe8\xb3\xaa/expected_data");
	make_dirs(out, "\xe8\xb3\xaa/model");
	make_dirs(out, "north" LONG_FOLDER "/expected_data");
	make_dirs(out, "north" LONG_FOLDER "/model");
	touch_all("f", CAFE, 1);
	touch(scratch, "emplacement/db_" CAFE ".txt");
	touch(scratch, "emplacement/db_" HYO ".txt");
	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		touch_all("stag\xc3\xa9", all[i], 0);
	touch_all("\xe8\xb3\xaa", "a", 1);
	touch_all("\xe8\xb3\xaa", "b", 1);
	touch_all("north" LONG_FOLDER, "a", 0);
	touch_all("north" LONG_FOLDER, "b", 0);
	touch_all("north" LONG_FOLDER, "c", 1);
}

static char *wide_report(const char *const *envs, int ascii, unsigned width,
			 const char *config_arg, const char *out_arg)
{
	struct run run = { envs, 3, config_arg, out_arg };

	return run_report_with(&run, REPORT_TEXT, ascii, width);
}

/* Every line of `text` at most `width` cells wide. */
static void check_lines_fit(const char *text, unsigned width)
{
	const char *line = text, *nl;
	size_t w;

	for (; *line; line = nl + 1) {
		nl = strchr(line, '\n');
		if (nl == NULL)
			CHECK_FAIL("the text does not end in a newline:\n%s", text);
		w = termtext_width_n(line, (size_t)(nl - line));
		if (w > width)
			CHECK_FAIL("a line %zu cells wide at width %u: \"%.*s\" in:\n%s",
				   w, width, (int)(nl - line), line, text);
	}
}

static void test_report_text_no_line_is_wider_than_the_terminal(void)
{
	const char *const *sets[] = { matrix_envs, grouped_envs };
	size_t w, k;
	int ascii, args;
	char *text;

	load_cfg(wide_fleet);
	make_wide_tree();
	for (w = 0; w < sizeof(widths) / sizeof(widths[0]); w++)
		for (k = 0; k < 2; k++)
			for (ascii = 0; ascii < 2; ascii++)
				for (args = 0; args < 2; args++) {
					text = wide_report(sets[k], ascii, widths[w],
							   args ? long_config : NULL,
							   args ? "snap dir" : NULL);
					check_lines_fit(text, widths[w]);
					free(text);
				}
}

/* The display column at which each run of non-spaces of line[0..len)
 * starts, into col[max]; returns how many. */
static size_t token_columns(const char *line, size_t len, size_t *col,
			    size_t max)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++)
		if (line[i] != ' ' && (i == 0 || line[i - 1] == ' ') && n < max)
			col[n++] = termtext_width_n(line, i);
	return n;
}

static void test_report_text_matrix_columns_line_up_by_display_width(void)
{
	size_t w, hcol[8], rcol[8], nh, nr, k, rows;
	const char *line, *nl;
	char *text;
	int ascii;

	load_cfg(wide_fleet);
	make_wide_tree();
	for (w = 0; w < sizeof(widths) / sizeof(widths[0]); w++)
		for (ascii = 0; ascii < 2; ascii++) {
			text = wide_report(matrix_envs, ascii, widths[w], NULL, NULL);
			/* the header: the database, then the three folders */
			if (strncmp(text, "db ", 3) != 0)
				CHECK_FAIL("no matrix at width %zu:\n%s",
					   (size_t)widths[w], text);
			nl = strchr(text, '\n');
			nh = token_columns(text, (size_t)(nl - text), hcol, 8);
			ASSERT_EQ(nh, 4);
			ASSERT_EQ(hcol[0], 0);
			for (rows = 0, line = nl + 1; *line != '\n'; line = nl + 1) {
				nl = strchr(line, '\n');
				nr = token_columns(line, (size_t)(nl - line), rcol, 8);
				if (nr != nh || rcol[0] != 2)
					CHECK_FAIL("row \"%.*s\": %zu cells at %zu",
						   (int)(nl - line), line, nr, rcol[0]);
				for (k = 1; k < nh; k++)
					if (rcol[k] != hcol[k])
						CHECK_FAIL("width %u: row \"%.*s\" has "
							   "column %zu at cell %zu, the "
							   "header at %zu:\n%s", widths[w],
							   (int)(nl - line), line, k,
							   rcol[k], hcol[k], text);
				rows++;
			}
			ASSERT_EQ(rows, 7);
			ASSERT_CONTAINS(text, "\n  " CAFE " ");
			ASSERT_CONTAINS(text, "\n  " HYO " ");
			free(text);
		}
}

static void test_report_text_warning_sign_has_no_emoji_selector(void)
{
	const char *const *sets[] = { matrix_envs, grouped_envs };
	size_t w, k;
	char *text;

	load_cfg(wide_fleet);
	make_wide_tree();
	for (w = 0; w < sizeof(widths) / sizeof(widths[0]); w++)
		for (k = 0; k < 2; k++) {
			text = wide_report(sets[k], 0, widths[w], NULL, NULL);
			ASSERT_CONTAINS(text, "\xe2\x9a\xa0"); /* ⚠ */
			if (strstr(text, "\xef\xb8\x8f") != NULL)
				CHECK_FAIL("U+FE0F at width %u in:\n%s",
					   widths[w], text);
			free(text);
		}
}

static void test_report_recommendations_repeat_config_and_out_quoted(void)
{
	/* in the text, one command per advice for all its environments */
	const char *const data_cmd[] = { "rhizome", "--config", long_config,
					 "--out", "snap dir", "sync", "data",
					 "--env", "prod", "--env", "stage" };
	const char *const plain_cmd[] = { "rhizome", "sync", "schema", "--env",
					  "prod", "--env", "qa" };
	struct run run = { matrix_envs, 3, long_config, "snap dir" };
	struct run none = { matrix_envs, 3, NULL, NULL };
	json_t *root;
	size_t w;
	char *text;

	load_cfg(wide_fleet);
	make_wide_tree();
	text = run_report_with(&run, REPORT_JSON, 0, 80);
	root = json_loads(text, 0, NULL);
	free(text);
	ASSERT_TRUE(root != NULL);
	/* the same words, quoted for sh, in the JSON */
	ASSERT_TRUE(recommendation(root, "rhizome --config '/srv/a rather long "
		"folder/of the team'\\''s configs/rhizome.cnf' --out 'snap dir' "
		"sync data --env stage") != NULL);
	json_decref(root);
	text = run_report_with(&none, REPORT_JSON, 0, 80);
	root = json_loads(text, 0, NULL);
	free(text);
	ASSERT_TRUE(root != NULL);
	ASSERT_TRUE(recommendation(root, "rhizome sync data --env stage") != NULL);
	json_decref(root);
	/* a plain value stays unquoted */
	run.config_arg = "conf/x.cnf";
	run.out_arg = NULL;
	text = run_report_with(&run, REPORT_JSON, 0, 80);
	ASSERT_CONTAINS(text, "\"rhizome --config conf/x.cnf sync data --env stage\"");
	free(text);
	run.config_arg = long_config;
	run.out_arg = "snap dir";
	for (w = 0; w < sizeof(widths) / sizeof(widths[0]); w++) {
		text = run_report_with(&run, REPORT_TEXT, 0, widths[w]);
		if (!has_command(text, data_cmd, 11))
			CHECK_FAIL("width %u: no command that pastes as rhizome "
				   "--config '%s' --out 'snap dir' sync data --env "
				   "prod --env stage in:\n%s", widths[w], long_config, text);
		free(text);
		text = run_report_with(&none, REPORT_TEXT, 0, widths[w]);
		if (!has_command(text, plain_cmd, 7))
			CHECK_FAIL("width %u: no rhizome sync schema --env prod "
				   "--env qa in:\n%s", widths[w], text);
		ASSERT_TRUE(strstr(text, "--config") == NULL);
		free(text);
	}
}

/* In the grouped layout, the block of environment `env`: its counts
 * (header and continuation lines joined) add up to its pairs, `want`,
 * and it lists every pair but the complete ones. */
static void check_group_adds_up(const char *text, const char *env, int ascii,
				long want)
{
	char head[1024], *tok, *save = NULL;
	const char *p, *nl, *complete = ascii ? "ok" : "\xe2\x9c\x85";
	size_t len = 0;
	long total, sum = 0, done = 0, listed = 0, v;
	size_t elen = strlen(env);

	/* the line that starts with the name, then " (folder)" or, the
	 * folder too long for the line, a newline */
	for (p = text; *p; p = strchr(p, '\n') + 1)
		if (strncmp(p, env, elen) == 0 && (p[elen] == ' ' ||
						   p[elen] == '\n'))
			break;
	if (*p == '\0')
		CHECK_FAIL("no block for %s in:\n%s", env, text);
	/* the header, and its lines after the first (4 spaces in) */
	do {
		nl = strchr(p, '\n');
		if (len + (size_t)(nl - p) + 2 > sizeof(head))
			abort();
		memcpy(head + len, p, (size_t)(nl - p));
		len += (size_t)(nl - p);
		head[len++] = ' ';
		p = nl + 1;
	} while (strncmp(p, "    ", 4) == 0);
	head[len] = '\0';
	/* then its tables, 2 spaces in */
	for (; strncmp(p, "  ", 2) == 0 && p[2] != ' '; p = strchr(p, '\n') + 1)
		listed++;
	tok = strstr(head, " pairs: ");
	if (tok == NULL)
		CHECK_FAIL("no \" pairs: \" in the header \"%s\"", head);
	for (p = tok; p > head && p[-1] != ' '; p--)
		;
	total = strtol(p, NULL, 10);
	for (tok = strtok_r(tok + 8, " ", &save); tok != NULL;
	     tok = strtok_r(NULL, " ", &save)) {
		const char *icon_tok = tok;

		tok = strtok_r(NULL, " ", &save);
		if (tok == NULL)
			CHECK_FAIL("header \"%s\": an icon without a count", head);
		v = strtol(tok, NULL, 10);
		sum += v;
		if (strcmp(icon_tok, complete) == 0)
			done = v;
	}
	if (sum != total || total != want || listed != total - done)
		CHECK_FAIL("%s: header \"%s\": counts add up to %ld, it says %ld "
			   "pairs (want %ld), %ld listed for %ld not complete "
			   "in:\n%s", env, head, sum, total, want, listed,
			   total - done, text);
}

static void test_report_grouped_counts_add_up_to_the_pairs(void)
{
	size_t w;
	int ascii;
	char *text;

	load_cfg(wide_fleet);
	make_wide_tree();
	for (w = 0; w < sizeof(widths) / sizeof(widths[0]); w++)
		for (ascii = 0; ascii < 2; ascii++) {
			text = wide_report(grouped_envs, ascii, widths[w], NULL,
					   NULL);
			ASSERT_TRUE(strncmp(text, "prod (f): 7 pairs:", 18) == 0);
			check_group_adds_up(text, "prod", ascii, 7);
			check_group_adds_up(text, "north", ascii, 7);
			check_group_adds_up(text, "south", ascii, 7);
			free(text);
		}
	/* the counts themselves, where the header fits on one line */
	text = wide_report(grouped_envs, 1, 80, NULL, NULL);
	ASSERT_CONTAINS(text, "prod (f): 7 pairs: ok 2  data? 1  empl? 1  sql 1"
			"  -- 2\n");
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
	RUN(test_report_text_no_line_is_wider_than_the_terminal);
	RUN(test_report_text_matrix_columns_line_up_by_display_width);
	RUN(test_report_text_warning_sign_has_no_emoji_selector);
	RUN(test_report_recommendations_repeat_config_and_out_quoted);
	RUN(test_report_grouped_counts_add_up_to_the_pairs);

	config_release(&cfg);
	free(hist);
	free(out);
	scratch_remove(scratch);
	return CHECK_EXIT();
}
