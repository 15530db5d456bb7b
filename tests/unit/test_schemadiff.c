/*
 * Unit tests of engine/schemadiff: two SHOW CREATE TABLE texts, as MariaDB
 * 10.11 prints them, are parsed with tablemodel_parse and compared; each
 * test proves one row of the rule table (`rules` in schemadiff.c): the
 * kind of change found, its severity, the object it names and the old and
 * new texts, and the highest severity of the diff. The severities are
 * written out here, not read from the rule table, so a changed rule fails.
 *
 * Most tests change one column of a small table (column_table below); the
 * others write whole tables. The two models and the diff (and the diff
 * of the same change in a plain table) live in static slots that every
 * comparison releases before it parses and main() releases at the end:
 * a failed assertion (a longjmp out of the test)
 * leaks nothing, so AddressSanitizer reports only what the code under
 * test leaks.
 *
 * The tests at the end ("known gaps") each show a change that the rules
 * promise to report and the code does not (or reports under the wrong
 * kind); they fail until schemadiff.c is fixed.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/schema/schemadiff.h"
#include "engine/schema/tablemodel.h"
#include "check.h"

#define MARIADB_TAIL ") ENGINE=InnoDB DEFAULT CHARSET=latin1 COLLATE=latin1_swedish_ci"

static struct table_model from_model, to_model;
static struct schema_diff diff;
static struct schema_diff plain_diff; /* the same change in a plain table */
static char case_label[512];   /* the comparison at hand, for FAIL lines */

static void reset(void)
{
	tablemodel_release(&from_model);
	tablemodel_release(&to_model);
	schemadiff_release(&diff);
	schemadiff_release(&plain_diff);
	case_label[0] = '\0';
}

/* Parse `text` into *m; it must be understood whole unless `loose`, when
 * parts listed in `unparsed` are expected. */
static void parse_into(struct table_model *m, const char *text, int loose)
{
	enum tm_parsed want = loose ? TM_PARTIAL : TM_WHOLE;
	enum tm_parsed rc = tablemodel_parse(text, strlen(text), m);

	if (rc != want)
		CHECK_FAIL("tablemodel_parse() = %d, want %d, for:\n%s", rc,
			   want, text);
}

/* Name the comparison for FAIL lines: the first line the texts differ in. */
static void label_case(const char *from, const char *to)
{
	const char *a = from, *b = to, *ea, *eb;

	if (from == NULL || to == NULL) {
		snprintf(case_label, sizeof(case_label), "%s -> %s",
			 from ? "table" : "no table", to ? "table" : "no table");
		return;
	}
	for (;;) {
		ea = strchr(a, '\n');
		eb = strchr(b, '\n');
		ea = ea ? ea : a + strlen(a);
		eb = eb ? eb : b + strlen(b);
		if (ea - a != eb - b || memcmp(a, b, (size_t)(ea - a)) != 0 ||
		    *ea == '\0' || *eb == '\0')
			break;
		a = ea + 1;
		b = eb + 1;
	}
	snprintf(case_label, sizeof(case_label), "%.*s -> %.*s", (int)(ea - a),
		 a, (int)(eb - b), b);
}

/* Compare the tables `from` and `to` (either NULL: no such table). The
 * diff is the static one, valid until the next comparison. */
static const struct schema_diff *compare_loose(const char *from, const char *to,
					       const struct diff_opts *opts,
					       int loose)
{
	reset();
	if (from != NULL)
		parse_into(&from_model, from, loose);
	if (to != NULL)
		parse_into(&to_model, to, loose);
	ASSERT_EQ(schemadiff_compare(from ? &from_model : NULL,
				     to ? &to_model : NULL, opts, &diff), 0);
	label_case(from, to);
	return &diff;
}

static const struct schema_diff *compare(const char *from, const char *to,
					 const struct diff_opts *opts)
{
	return compare_loose(from, to, opts, 0);
}

/* A table whose column `c` is defined by `def` (type and clauses). */
static const char *column_table(char *buf, size_t size, const char *def)
{
	int n = snprintf(buf, size,
			 "CREATE TABLE `t` (\n"
			 "  `id` int(11) NOT NULL,\n"
			 "  `c` %s,\n"
			 "  PRIMARY KEY (`id`)\n"
			 MARIADB_TAIL, def);

	if (n < 0 || (size_t)n >= size)
		CHECK_FAIL("column definition too long: %s", def);
	return buf;
}

/* Compare two versions of column `c`, defined as `from_def` and `to_def`. */
static const struct schema_diff *compare_column(const char *from_def,
						const char *to_def,
						const struct diff_opts *opts)
{
	char a[1024], b[1024];

	column_table(a, sizeof(a), from_def);
	column_table(b, sizeof(b), to_def);
	compare(a, b, opts);
	snprintf(case_label, sizeof(case_label), "`c` %s -> `c` %s", from_def,
		 to_def);
	return &diff;
}

/* The static diff in words, one change per line, for FAIL lines. */
static const char *describe(void)
{
	static char buf[4096];
	size_t i, n = 0;

	n += (size_t)snprintf(buf, sizeof(buf), "[%s] %zu change(s), max %s",
			      case_label, diff.n,
			      schemadiff_severity_name(diff.max));
	for (i = 0; i < diff.n && n < sizeof(buf); i++) {
		const struct diff_change *c = &diff.changes[i];

		n += (size_t)snprintf(buf + n, sizeof(buf) - n,
				      "\n    %s (%s) object=%s from=%s to=%s",
				      schemadiff_kind_name(c->kind),
				      schemadiff_severity_name(c->severity),
				      c->object ? c->object : "(null)",
				      c->from ? c->from : "(null)",
				      c->to ? c->to : "(null)");
	}
	return buf;
}

/* Equal strings, or both NULL. */
static int same_text(const char *a, const char *b)
{
	return (a == NULL && b == NULL) ||
	       (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* Change i of the static diff is exactly this (NULL: no such text). */
static void expect_change(size_t i, enum diff_kind kind, enum diff_severity sev,
			  const char *object, const char *from, const char *to)
{
	const struct diff_change *c;

	if (i >= diff.n)
		CHECK_FAIL("no change #%zu: %s", i, describe());
	c = &diff.changes[i];
	if (c->kind != kind || c->severity != sev || !same_text(c->object, object) ||
	    !same_text(c->from, from) || !same_text(c->to, to))
		CHECK_FAIL("change #%zu:\n  want: %s (%s) object=%s from=%s to=%s\n  got:  %s",
			   i, schemadiff_kind_name(kind),
			   schemadiff_severity_name(sev),
			   object ? object : "(null)", from ? from : "(null)",
			   to ? to : "(null)", describe());
}

/* The static diff holds this one change, and its severity is the max. */
static void expect_only(enum diff_kind kind, enum diff_severity sev,
			const char *object, const char *from, const char *to)
{
	if (diff.n != 1)
		CHECK_FAIL("want exactly one change (%s): %s",
			   schemadiff_kind_name(kind), describe());
	expect_change(0, kind, sev, object, from, to);
	if (diff.max != sev)
		CHECK_FAIL("max %s, want %s: %s", schemadiff_severity_name(diff.max),
			   schemadiff_severity_name(sev), describe());
}

/* The static diff is empty. */
static void expect_none(void)
{
	if (diff.n != 0 || diff.max != SEV_NONE || diff.changes != NULL)
		CHECK_FAIL("want no change: %s", describe());
}

/* The first change of `kind` in the static diff; fails when there is none. */
static const struct diff_change *find_kind(enum diff_kind kind)
{
	size_t i;

	for (i = 0; i < diff.n; i++)
		if (diff.changes[i].kind == kind)
			return &diff.changes[i];
	CHECK_FAIL("no \"%s\" change: %s", schemadiff_kind_name(kind), describe());
	return NULL;
}

/* Each pair of column definitions {from, to} gives one change of `kind`
 * and `sev` on column `c`, from the one type to the other. */
static void expect_type_pairs(const char *const (*pairs)[2], size_t n,
			      enum diff_kind kind, enum diff_severity sev,
			      int reverse)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const char *a = pairs[i][reverse], *b = pairs[i][!reverse];
		char da[256], db[256];

		snprintf(da, sizeof(da), "%s DEFAULT NULL", a);
		snprintf(db, sizeof(db), "%s DEFAULT NULL", b);
		compare_column(da, db, NULL);
		expect_only(kind, sev, "c", a, b);
	}
}

static const char base_table[] =
	"CREATE TABLE `orders` (\n"
	"  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,\n"
	"  `customer_id` int(11) NOT NULL,\n"
	"  `status` enum('new','paid','shipped') NOT NULL DEFAULT 'new',\n"
	"  `total` decimal(19,4) NOT NULL DEFAULT 0.0000,\n"
	"  `note` varchar(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci DEFAULT NULL COMMENT 'free text',\n"
	"  `created_at` datetime(6) NOT NULL DEFAULT current_timestamp(6),\n"
	"  PRIMARY KEY (`id`),\n"
	"  KEY `customer` (`customer_id`),\n"
	"  CONSTRAINT `fk_customer` FOREIGN KEY (`customer_id`) REFERENCES `customers` (`id`) ON DELETE CASCADE,\n"
	"  CONSTRAINT `total_positive` CHECK (`total` >= 0)\n"
	") ENGINE=InnoDB AUTO_INCREMENT=1001 DEFAULT CHARSET=latin1 COLLATE=latin1_swedish_ci";

/* ---- tables ------------------------------------------------------------- */

static void test_identical_models_have_no_change(void)
{
	compare(base_table, base_table, NULL);
	expect_none();
	/* all noise options on changes nothing either */
	compare(base_table, base_table,
		&(struct diff_opts){ 1, 1, 1, 1 });
	expect_none();
	/* neither side exists: nothing to say */
	compare(NULL, NULL, NULL);
	expect_none();
}

static void test_table_removed_is_critical(void)
{
	compare(base_table, NULL, NULL);
	expect_only(DIFF_TABLE_REMOVED, SEV_CRITICAL, "orders", NULL, NULL);
}

static void test_table_added_is_medium(void)
{
	compare(NULL, base_table, NULL);
	expect_only(DIFF_TABLE_ADDED, SEV_MEDIUM, "orders", NULL, NULL);
}

/* ---- columns ------------------------------------------------------------ */

static void test_column_removed_is_high(void)
{
	compare("CREATE TABLE `t` (\n"
		"  `id` int(11) NOT NULL,\n"
		"  `old` varchar(20) DEFAULT NULL,\n"
		"  PRIMARY KEY (`id`)\n"
		MARIADB_TAIL,
		"CREATE TABLE `t` (\n"
		"  `id` int(11) NOT NULL,\n"
		"  PRIMARY KEY (`id`)\n"
		MARIADB_TAIL, NULL);
	expect_only(DIFF_COLUMN_REMOVED, SEV_HIGH, "old", "varchar(20)", NULL);
}

static void test_column_added_is_medium(void)
{
	compare("CREATE TABLE `t` (\n"
		"  `id` int(11) NOT NULL,\n"
		"  PRIMARY KEY (`id`)\n"
		MARIADB_TAIL,
		"CREATE TABLE `t` (\n"
		"  `id` int(11) NOT NULL,\n"
		"  `new` datetime(3) NOT NULL DEFAULT current_timestamp(3),\n"
		"  PRIMARY KEY (`id`)\n"
		MARIADB_TAIL, NULL);
	expect_only(DIFF_COLUMN_ADDED, SEV_MEDIUM, "new", NULL, "datetime(3)");
}

/* {wider, narrower} */
static const char *const width_pairs[][2] = {
	{ "varchar(255)", "varchar(200)" },
	{ "bigint(20)", "int(11)" },
	{ "decimal(19,4)", "decimal(10,4)" },
	{ "datetime(6)", "datetime(3)" },
	{ "longtext", "text" },
};

static void test_type_narrowed_is_high(void)
{
	expect_type_pairs(width_pairs, sizeof(width_pairs) / sizeof(width_pairs[0]),
			  DIFF_TYPE_NARROWED, SEV_HIGH, 0);
}

static void test_type_widened_is_medium(void)
{
	expect_type_pairs(width_pairs, sizeof(width_pairs) / sizeof(width_pairs[0]),
			  DIFF_TYPE_WIDENED, SEV_MEDIUM, 1);
}

static void test_type_changed_in_kind_is_high(void)
{
	static const char *const pairs[][2] = {
		{ "int(11)", "varchar(10)" },
		{ "datetime", "timestamp" },
		{ "int(11)", "int(10) unsigned" },
		{ "bigint(20) unsigned", "bigint(20)" },
	};

	expect_type_pairs(pairs, sizeof(pairs) / sizeof(pairs[0]),
			  DIFF_TYPE_CHANGED, SEV_HIGH, 0);
}

static void test_nullability_tightened_is_high(void)
{
	compare_column("varchar(10) DEFAULT 'x'", "varchar(10) NOT NULL DEFAULT 'x'",
		       NULL);
	expect_only(DIFF_NULL_TIGHTENED, SEV_HIGH, "c", "NULL", "NOT NULL");
}

static void test_nullability_loosened_is_medium(void)
{
	compare_column("varchar(10) NOT NULL DEFAULT 'x'", "varchar(10) DEFAULT 'x'",
		       NULL);
	expect_only(DIFF_NULL_LOOSENED, SEV_MEDIUM, "c", "NOT NULL", "NULL");
}

/* {fewer values, more values}: each value of the first is in the second */
static const char *const value_pairs[][2] = {
	{ "enum('a','b')", "enum('a','b','c')" },
	{ "enum('it''s','b')", "enum('it''s','b','c')" },
	{ "set('x','y')", "set('x','y','z')" },
	{ "set('x','y')", "set('w','x','y')" },
};

static void test_enum_or_set_value_removed_is_high(void)
{
	expect_type_pairs(value_pairs, sizeof(value_pairs) / sizeof(value_pairs[0]),
			  DIFF_ENUM_VALUE_REMOVED, SEV_HIGH, 1);
	/* one value replaced by another: still a value removed */
	compare_column("enum('a','b') DEFAULT NULL", "enum('a','c') DEFAULT NULL",
		       NULL);
	expect_only(DIFF_ENUM_VALUE_REMOVED, SEV_HIGH, "c", "enum('a','b')",
		    "enum('a','c')");
	/* a comma inside a quoted value is not a separator: 'a,b' is gone */
	compare_column("enum('a,b','c') DEFAULT NULL",
		       "enum('a','b','c') DEFAULT NULL", NULL);
	expect_only(DIFF_ENUM_VALUE_REMOVED, SEV_HIGH, "c", "enum('a,b','c')",
		    "enum('a','b','c')");
	/* and a doubled quote is part of the value: 'it''s' is gone */
	compare_column("set('it''s','b') DEFAULT NULL", "set('it','b') DEFAULT NULL",
		       NULL);
	expect_only(DIFF_ENUM_VALUE_REMOVED, SEV_HIGH, "c", "set('it''s','b')",
		    "set('it','b')");
}

static void test_enum_or_set_value_added_is_medium(void)
{
	expect_type_pairs(value_pairs, sizeof(value_pairs) / sizeof(value_pairs[0]),
			  DIFF_ENUM_VALUE_ADDED, SEV_MEDIUM, 0);
}

static void test_default_changed_is_low(void)
{
	compare_column("int(11) DEFAULT 0", "int(11) DEFAULT 1", NULL);
	expect_only(DIFF_DEFAULT_CHANGED, SEV_LOW, "c", "0", "1");
	compare_column("varchar(10) DEFAULT NULL", "varchar(10) DEFAULT 'none'", NULL);
	expect_only(DIFF_DEFAULT_CHANGED, SEV_LOW, "c", "NULL", "'none'");
}

static void test_comment_changed_is_low(void)
{
	compare_column("int(11) DEFAULT NULL COMMENT 'old'",
		       "int(11) DEFAULT NULL COMMENT 'new ''one'''", NULL);
	expect_only(DIFF_COMMENT_CHANGED, SEV_LOW, "c", "'old'", "'new ''one'''");
	compare_column("int(11) DEFAULT NULL", "int(11) DEFAULT NULL COMMENT 'added'",
		       NULL);
	expect_only(DIFF_COMMENT_CHANGED, SEV_LOW, "c", NULL, "'added'");
}

static void test_column_charset_or_collation_changed_is_medium(void)
{
	compare_column("varchar(10) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci DEFAULT NULL",
		       "varchar(10) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin DEFAULT NULL",
		       NULL);
	expect_only(DIFF_CHARSET_CHANGED, SEV_MEDIUM, "c", "utf8mb4_general_ci",
		    "utf8mb4_bin");
	/* from the table's default (nothing written: latin1 in effect) to
	 * another charset: from/to are the collations in effect */
	compare_column("varchar(10) DEFAULT NULL",
		       "varchar(10) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci DEFAULT NULL",
		       NULL);
	expect_only(DIFF_CHARSET_CHANGED, SEV_MEDIUM, "c", "latin1_swedish_ci",
		    "utf8mb4_general_ci");
}

static void test_generated_expression_changed_is_medium(void)
{
	compare_column("int(11) GENERATED ALWAYS AS (`id` + 1) VIRTUAL",
		       "int(11) GENERATED ALWAYS AS (`id` + 2) VIRTUAL", NULL);
	expect_only(DIFF_GENERATED_CHANGED, SEV_MEDIUM, "c",
		    "GENERATED ALWAYS AS (`id` + 1) VIRTUAL",
		    "GENERATED ALWAYS AS (`id` + 2) VIRTUAL");
	/* virtual to stored is a change of the clause too */
	compare_column("int(11) GENERATED ALWAYS AS (`id` + 1) VIRTUAL",
		       "int(11) GENERATED ALWAYS AS (`id` + 1) STORED", NULL);
	expect_only(DIFF_GENERATED_CHANGED, SEV_MEDIUM, "c",
		    "GENERATED ALWAYS AS (`id` + 1) VIRTUAL",
		    "GENERATED ALWAYS AS (`id` + 1) STORED");
}

/* A clause the fields do not hold is compared as written. */
static void test_unheld_clause_is_column_attribute_changed(void)
{
	compare_column("int(11) DEFAULT NULL", "int(11) INVISIBLE DEFAULT NULL",
		       NULL);
	/* from/to: the clauses no field holds */
	expect_only(DIFF_ATTRIBUTE_CHANGED, SEV_MEDIUM, "c", NULL, "INVISIBLE");
	/* ON UPDATE is held by a field, and reported by it */
	compare_column("timestamp NULL DEFAULT NULL",
		       "timestamp NULL DEFAULT NULL ON UPDATE current_timestamp()",
		       NULL);
	expect_only(DIFF_ATTRIBUTE_CHANGED, SEV_MEDIUM, "c", NULL,
		    "current_timestamp()");
}

/* ---- indexes, keys, checks ---------------------------------------------- */

#define INDEX_HEAD "CREATE TABLE `t` (\n" \
		   "  `id` int(11) NOT NULL,\n" \
		   "  `a` int(11) DEFAULT NULL,\n" \
		   "  `b` int(11) DEFAULT NULL,\n" \
		   "  `name` varchar(64) DEFAULT NULL,\n" \
		   "  PRIMARY KEY (`id`)"

static void test_index_added_is_medium(void)
{
	compare(INDEX_HEAD "\n" MARIADB_TAIL,
		INDEX_HEAD ",\n  UNIQUE KEY `ua` (`a`)\n" MARIADB_TAIL, NULL);
	expect_only(DIFF_INDEX_ADDED, SEV_MEDIUM, "ua", NULL, "UNIQUE KEY `ua` (`a`)");
}

static void test_index_removed_is_medium(void)
{
	compare(INDEX_HEAD ",\n  KEY `ka` (`a`)\n" MARIADB_TAIL,
		INDEX_HEAD "\n" MARIADB_TAIL, NULL);
	expect_only(DIFF_INDEX_REMOVED, SEV_MEDIUM, "ka", "KEY `ka` (`a`)", NULL);
}

static void test_index_changed_columns_or_prefix_is_medium(void)
{
	compare(INDEX_HEAD ",\n  KEY `k` (`a`)\n" MARIADB_TAIL,
		INDEX_HEAD ",\n  KEY `k` (`a`,`b`)\n" MARIADB_TAIL, NULL);
	expect_only(DIFF_INDEX_CHANGED, SEV_MEDIUM, "k", "KEY `k` (`a`)",
		    "KEY `k` (`a`,`b`)");
	compare(INDEX_HEAD ",\n  KEY `k` (`name`(10))\n" MARIADB_TAIL,
		INDEX_HEAD ",\n  KEY `k` (`name`(20))\n" MARIADB_TAIL, NULL);
	expect_only(DIFF_INDEX_CHANGED, SEV_MEDIUM, "k", "KEY `k` (`name`(10))",
		    "KEY `k` (`name`(20))");
	/* KEY to UNIQUE KEY, same name and columns */
	compare(INDEX_HEAD ",\n  KEY `k` (`a`)\n" MARIADB_TAIL,
		INDEX_HEAD ",\n  UNIQUE KEY `k` (`a`)\n" MARIADB_TAIL, NULL);
	expect_only(DIFF_INDEX_CHANGED, SEV_MEDIUM, "k", "KEY `k` (`a`)",
		    "UNIQUE KEY `k` (`a`)");
	/* the primary key is matched as PRIMARY */
	compare(INDEX_HEAD "\n" MARIADB_TAIL,
		"CREATE TABLE `t` (\n"
		"  `id` int(11) NOT NULL,\n"
		"  `a` int(11) DEFAULT NULL,\n"
		"  `b` int(11) DEFAULT NULL,\n"
		"  `name` varchar(64) DEFAULT NULL,\n"
		"  PRIMARY KEY (`id`,`a`)\n"
		MARIADB_TAIL, NULL);
	expect_only(DIFF_INDEX_CHANGED, SEV_MEDIUM, "PRIMARY", "PRIMARY KEY (`id`)",
		    "PRIMARY KEY (`id`,`a`)");
}

#define FK_HEAD "CREATE TABLE `child` (\n" \
		"  `id` int(11) NOT NULL,\n" \
		"  `pid` int(11) DEFAULT NULL,\n" \
		"  PRIMARY KEY (`id`),\n" \
		"  KEY `fk_parent` (`pid`)"

static void test_foreign_key_added_removed_changed_is_medium(void)
{
	static const char without[] = FK_HEAD "\n" MARIADB_TAIL;
	static const char with[] =
		FK_HEAD ",\n"
		"  CONSTRAINT `fk_parent` FOREIGN KEY (`pid`) REFERENCES `parent` (`id`)\n"
		MARIADB_TAIL;
	static const char cascade[] =
		FK_HEAD ",\n"
		"  CONSTRAINT `fk_parent` FOREIGN KEY (`pid`) REFERENCES `parent` (`id`) ON DELETE CASCADE\n"
		MARIADB_TAIL;

	compare(without, with, NULL);
	expect_only(DIFF_FK_ADDED, SEV_MEDIUM, "fk_parent", NULL,
		    "FOREIGN KEY (`pid`) REFERENCES `parent` (`id`)");
	compare(with, without, NULL);
	expect_only(DIFF_FK_REMOVED, SEV_MEDIUM, "fk_parent",
		    "FOREIGN KEY (`pid`) REFERENCES `parent` (`id`)", NULL);
	compare(with, cascade, NULL);
	expect_only(DIFF_FK_CHANGED, SEV_MEDIUM, "fk_parent",
		    "FOREIGN KEY (`pid`) REFERENCES `parent` (`id`)",
		    "FOREIGN KEY (`pid`) REFERENCES `parent` (`id`) ON DELETE CASCADE");
	/* another parent table in another database */
	compare(with,
		FK_HEAD ",\n"
		"  CONSTRAINT `fk_parent` FOREIGN KEY (`pid`) REFERENCES `other`.`parent` (`id`)\n"
		MARIADB_TAIL, NULL);
	expect_only(DIFF_FK_CHANGED, SEV_MEDIUM, "fk_parent",
		    "FOREIGN KEY (`pid`) REFERENCES `parent` (`id`)",
		    "FOREIGN KEY (`pid`) REFERENCES `other`.`parent` (`id`)");
}

#define CHECK_HEAD "CREATE TABLE `t` (\n" \
		   "  `a` int(11) DEFAULT NULL"

static void test_check_constraint_changed_is_medium(void)
{
	static const char positive[] =
		CHECK_HEAD ",\n  CONSTRAINT `c` CHECK (`a` > 0)\n" MARIADB_TAIL;

	compare(positive, CHECK_HEAD ",\n  CONSTRAINT `c` CHECK (`a` >= 0)\n"
		MARIADB_TAIL, NULL);
	expect_only(DIFF_CHECK_CHANGED, SEV_MEDIUM, "c", "(`a` > 0)", "(`a` >= 0)");
	compare(positive, CHECK_HEAD "\n" MARIADB_TAIL, NULL);
	expect_only(DIFF_CHECK_CHANGED, SEV_MEDIUM, "c", "(`a` > 0)", NULL);
	compare(CHECK_HEAD "\n" MARIADB_TAIL, positive, NULL);
	expect_only(DIFF_CHECK_CHANGED, SEV_MEDIUM, "c", NULL, "(`a` > 0)");
}

/* ---- periods ------------------------------------------------------------ */

/* The texts of this section are SHOW CREATE TABLE of a MariaDB 10.11.19
 * server after the ALTER TABLE each names. A period is a table-level
 * definition, as a key or a constraint is: added, removed or changed, it
 * is medium, as they are. */

#define AP_HEAD "CREATE TABLE `ap` (\n" \
		"  `id` int(11) NOT NULL,\n" \
		"  `s` date NOT NULL,\n" \
		"  `e` date NOT NULL,\n" \
		"  `s2` date NOT NULL,\n"
#define AP_TAIL "  PRIMARY KEY (`id`)\n" MARIADB_TAIL

static void test_period_added_removed_changed_is_medium(void)
{
	static const char with[] =
		AP_HEAD "  PERIOD FOR `p` (`s`, `e`),\n" AP_TAIL;
	/* ALTER TABLE ap DROP PERIOD FOR p */
	static const char without[] = AP_HEAD AP_TAIL;
	/* ALTER TABLE ap DROP PERIOD FOR p, ADD PERIOD FOR p (s2, e) */
	static const char moved[] =
		AP_HEAD "  PERIOD FOR `p` (`s2`, `e`),\n" AP_TAIL;

	compare(with, without, NULL);
	expect_only(DIFF_PERIOD_REMOVED, SEV_MEDIUM, "p",
		    "PERIOD FOR `p` (`s`, `e`)", NULL);
	compare(without, with, NULL);
	expect_only(DIFF_PERIOD_ADDED, SEV_MEDIUM, "p", NULL,
		    "PERIOD FOR `p` (`s`, `e`)");
	compare(with, moved, NULL);
	expect_only(DIFF_PERIOD_CHANGED, SEV_MEDIUM, "p",
		    "PERIOD FOR `p` (`s`, `e`)", "PERIOD FOR `p` (`s2`, `e`)");
	compare(with, with, NULL);
	expect_none();
}

#define SV_HEAD "CREATE TABLE `sv` (\n" \
		"  `id` int(11) NOT NULL,\n"
#define SV_ROWS "  `row_start` timestamp(6) GENERATED ALWAYS AS ROW START,\n" \
		"  `row_end` timestamp(6) GENERATED ALWAYS AS ROW END,\n" \
		"  PRIMARY KEY (`id`,`row_end`),\n" \
		"  PERIOD FOR SYSTEM_TIME (`row_start`, `row_end`)\n" \
		MARIADB_TAIL " WITH SYSTEM VERSIONING"

static const char versioned[] =
	SV_HEAD "  `name` varchar(40) DEFAULT NULL,\n" SV_ROWS;

/* ALTER TABLE sv DROP SYSTEM VERSIONING, DROP COLUMN row_start, DROP
 * COLUMN row_end: the SYSTEM_TIME period goes with its columns, which
 * make the diff high. */
static void test_system_time_period_goes_with_system_versioning(void)
{
	compare(versioned,
		SV_HEAD "  `name` varchar(40) DEFAULT NULL,\n"
		"  PRIMARY KEY (`id`)\n"
		MARIADB_TAIL, NULL);
	ASSERT_EQ(diff.n, 5);
	expect_change(0, DIFF_COLUMN_REMOVED, SEV_HIGH, "row_start",
		      "timestamp(6)", NULL);
	expect_change(1, DIFF_COLUMN_REMOVED, SEV_HIGH, "row_end",
		      "timestamp(6)", NULL);
	expect_change(2, DIFF_INDEX_CHANGED, SEV_MEDIUM, "PRIMARY",
		      "PRIMARY KEY (`id`,`row_end`)", "PRIMARY KEY (`id`)");
	expect_change(3, DIFF_PERIOD_REMOVED, SEV_MEDIUM, "SYSTEM_TIME",
		      "PERIOD FOR SYSTEM_TIME (`row_start`, `row_end`)", NULL);
	expect_change(4, DIFF_OPTION_CHANGED, SEV_LOW, "WITH SYSTEM VERSIONING",
		      "WITH SYSTEM VERSIONING", NULL);
	ASSERT_EQ(diff.max, SEV_HIGH);
}

/* A period's names may hold raw newlines: compared, and reported, whole. */
static void test_period_with_newline_names_compared_whole(void)
{
#define PNL(end) "CREATE TABLE `pnl` (\n" \
		 "  `s\nt` date NOT NULL,\n" \
		 "  `e` date NOT NULL,\n" \
		 "  `e2` date NOT NULL,\n" \
		 "  PERIOD FOR `p\nq` (`s\nt`, `" end "`)\n" \
		 MARIADB_TAIL
	compare(PNL("e"), PNL("e2"), NULL);
	expect_only(DIFF_PERIOD_CHANGED, SEV_MEDIUM, "p\nq",
		    "PERIOD FOR `p\nq` (`s\nt`, `e`)",
		    "PERIOD FOR `p\nq` (`s\nt`, `e2`)");
#undef PNL
}

/* ---- true severities in tables the parser once gave up on --------------- */

/* Compare two texts as sync check does (schemadiff_compare_text), into the
 * static diff. */
static void compare_texts(const char *from, const char *to)
{
	reset();
	ASSERT_EQ(schemadiff_compare_text(from, strlen(from), to, strlen(to),
					  NULL, &diff), 0);
	label_case(from, to);
}

/* The static diff has the same kinds and severities, in the same order,
 * as the diff of the same change in a plain table (`plain_from` ->
 * `plain_to`, compared into plain_diff). */
static void expect_as_in_a_plain_table(const char *plain_from,
				       const char *plain_to)
{
	size_t i;

	ASSERT_EQ(schemadiff_compare_text(plain_from, strlen(plain_from),
					  plain_to, strlen(plain_to), NULL,
					  &plain_diff), 0);
	if (plain_diff.n != diff.n || plain_diff.max != diff.max)
		CHECK_FAIL("in a plain table %zu change(s), max %s: %s",
			   plain_diff.n, schemadiff_severity_name(plain_diff.max),
			   describe());
	for (i = 0; i < diff.n; i++)
		if (plain_diff.changes[i].kind != diff.changes[i].kind ||
		    plain_diff.changes[i].severity != diff.changes[i].severity)
			CHECK_FAIL("in a plain table change #%zu is %s (%s): %s", i,
				   schemadiff_kind_name(plain_diff.changes[i].kind),
				   schemadiff_severity_name(plain_diff.changes[i].severity),
				   describe());
}

/* ALTER TABLE sv MODIFY name varchar(20) (system_versioning_alter_history
 * = KEEP): narrowed, high, as in a table without versioning, not the
 * medium of a definition not understood. */
static void test_column_change_in_a_system_versioned_table_has_its_severity(void)
{
	char a[512], b[512];

	compare_texts(versioned,
		      SV_HEAD "  `name` varchar(20) DEFAULT NULL,\n" SV_ROWS);
	expect_only(DIFF_TYPE_NARROWED, SEV_HIGH, "name", "varchar(40)",
		    "varchar(20)");
	expect_as_in_a_plain_table(
		column_table(a, sizeof(a), "varchar(40) DEFAULT NULL"),
		column_table(b, sizeof(b), "varchar(20) DEFAULT NULL"));
}

/* ALTER TABLE app MODIFY price decimal(8,2), in a table with an
 * application-time period and a key WITHOUT OVERLAPS. */
static void test_column_change_in_a_table_with_a_period_has_its_severity(void)
{
#define APP(price) "CREATE TABLE `app` (\n" \
		   "  `id` int(11) NOT NULL,\n" \
		   "  `date_from` date NOT NULL,\n" \
		   "  `date_to` date NOT NULL,\n" \
		   "  `price` " price " DEFAULT NULL,\n" \
		   "  PERIOD FOR `p` (`date_from`, `date_to`),\n" \
		   "  PRIMARY KEY (`id`,`p` WITHOUT OVERLAPS)\n" \
		   MARIADB_TAIL
	char a[512], b[512];

	compare_texts(APP("decimal(10,2)"), APP("decimal(8,2)"));
	expect_only(DIFF_TYPE_NARROWED, SEV_HIGH, "price", "decimal(10,2)",
		    "decimal(8,2)");
	expect_as_in_a_plain_table(
		column_table(a, sizeof(a), "decimal(10,2) DEFAULT NULL"),
		column_table(b, sizeof(b), "decimal(8,2) DEFAULT NULL"));
#undef APP
}

#define ODD_HEAD "CREATE TABLE `odd` (\n" \
		 "  `id` int(11) NOT NULL,\n"
#define ODD_REST "  `tab\there` int(11) DEFAULT NULL,\n" \
		 "  `a\n  KEY b` int(11) DEFAULT NULL,\n" \
		 "  `c\n) ENGINE=x` int(11) DEFAULT NULL,\n" \
		 "  PRIMARY KEY (`id`),\n"
static const char odd_table[] =
	ODD_HEAD "  `first\nline` varchar(10) DEFAULT NULL,\n" ODD_REST
	"  KEY `ix\nnl` (`first\nline`(5),`tab\there`)\n" MARIADB_TAIL;

/* ALTER TABLE odd MODIFY `first<LF>line` varchar(5): the column narrowed
 * (high) and, the prefix now the whole column, its key changed (medium),
 * as in a table with plain names; not the one medium change a table the
 * parser gave up on got. */
static void test_column_change_in_a_table_with_newline_names_has_its_severity(void)
{
	compare_texts(odd_table,
		      ODD_HEAD "  `first\nline` varchar(5) DEFAULT NULL,\n" ODD_REST
		      "  KEY `ix\nnl` (`first\nline`,`tab\there`)\n" MARIADB_TAIL);
	ASSERT_EQ(diff.n, 2);
	expect_change(0, DIFF_TYPE_NARROWED, SEV_HIGH, "first\nline",
		      "varchar(10)", "varchar(5)");
	expect_change(1, DIFF_INDEX_CHANGED, SEV_MEDIUM, "ix\nnl",
		      "KEY `ix\nnl` (`first\nline`(5),`tab\there`)",
		      "KEY `ix\nnl` (`first\nline`,`tab\there`)");
	ASSERT_EQ(diff.max, SEV_HIGH);
	expect_as_in_a_plain_table(
		"CREATE TABLE `t` (\n"
		"  `first_line` varchar(10) DEFAULT NULL,\n"
		"  `tab_here` int(11) DEFAULT NULL,\n"
		"  KEY `ix_nl` (`first_line`(5),`tab_here`)\n"
		MARIADB_TAIL,
		"CREATE TABLE `t` (\n"
		"  `first_line` varchar(5) DEFAULT NULL,\n"
		"  `tab_here` int(11) DEFAULT NULL,\n"
		"  KEY `ix_nl` (`first_line`,`tab_here`)\n"
		MARIADB_TAIL);
}

/* A key whose name holds a newline is compared whole, not up to the
 * newline: a column dropped from it after the name is seen. */
static void test_key_with_a_newline_name_compared_whole(void)
{
	/* ALTER TABLE odd DROP KEY `ix<LF>nl`, ADD KEY `ix<LF>nl` (`first<LF>line`(5)) */
	compare(odd_table,
		ODD_HEAD "  `first\nline` varchar(10) DEFAULT NULL,\n" ODD_REST
		"  KEY `ix\nnl` (`first\nline`(5))\n" MARIADB_TAIL, NULL);
	expect_only(DIFF_INDEX_CHANGED, SEV_MEDIUM, "ix\nnl",
		    "KEY `ix\nnl` (`first\nline`(5),`tab\there`)",
		    "KEY `ix\nnl` (`first\nline`(5))");
}
#undef ODD_HEAD
#undef ODD_REST

/* ---- table options, partitions, the rest -------------------------------- */

#define OPTION_HEAD "CREATE TABLE `t` (\n" \
		    "  `id` int(11) NOT NULL AUTO_INCREMENT,\n" \
		    "  PRIMARY KEY (`id`)\n"

static void test_table_option_changed_is_low(void)
{
	compare(OPTION_HEAD MARIADB_TAIL,
		OPTION_HEAD ") ENGINE=MyISAM DEFAULT CHARSET=latin1 COLLATE=latin1_swedish_ci",
		NULL);
	expect_only(DIFF_OPTION_CHANGED, SEV_LOW, "ENGINE", "InnoDB", "MyISAM");
	compare(OPTION_HEAD MARIADB_TAIL " ROW_FORMAT=DYNAMIC",
		OPTION_HEAD MARIADB_TAIL " ROW_FORMAT=COMPRESSED", NULL);
	expect_only(DIFF_OPTION_CHANGED, SEV_LOW, "ROW_FORMAT", "DYNAMIC",
		    "COMPRESSED");
	compare(OPTION_HEAD MARIADB_TAIL " COMMENT='orders'",
		OPTION_HEAD MARIADB_TAIL " COMMENT='all orders'", NULL);
	expect_only(DIFF_OPTION_CHANGED, SEV_LOW, "COMMENT", "'orders'",
		    "'all orders'");
	/* an option written on one side only */
	compare(OPTION_HEAD MARIADB_TAIL,
		OPTION_HEAD MARIADB_TAIL " ROW_FORMAT=DYNAMIC", NULL);
	expect_only(DIFF_OPTION_CHANGED, SEV_LOW, "ROW_FORMAT", NULL, "DYNAMIC");
	compare(OPTION_HEAD MARIADB_TAIL " ROW_FORMAT=DYNAMIC",
		OPTION_HEAD MARIADB_TAIL, NULL);
	expect_only(DIFF_OPTION_CHANGED, SEV_LOW, "ROW_FORMAT", "DYNAMIC", NULL);
}

static void test_auto_increment_option_is_never_a_change(void)
{
	compare(OPTION_HEAD ") ENGINE=InnoDB AUTO_INCREMENT=5 DEFAULT CHARSET=latin1 COLLATE=latin1_swedish_ci",
		OPTION_HEAD ") ENGINE=InnoDB AUTO_INCREMENT=90210 DEFAULT CHARSET=latin1 COLLATE=latin1_swedish_ci",
		NULL);
	expect_none();
	/* printed only once a row was inserted */
	compare(OPTION_HEAD MARIADB_TAIL,
		OPTION_HEAD ") ENGINE=InnoDB AUTO_INCREMENT=2 DEFAULT CHARSET=latin1 COLLATE=latin1_swedish_ci",
		NULL);
	expect_none();
	compare(OPTION_HEAD ") ENGINE=InnoDB AUTO_INCREMENT=2 DEFAULT CHARSET=latin1 COLLATE=latin1_swedish_ci",
		OPTION_HEAD MARIADB_TAIL, NULL);
	expect_none();
}

#define PART_HEAD "CREATE TABLE `p` (\n" \
		  "  `id` int(11) NOT NULL,\n" \
		  "  PRIMARY KEY (`id`)\n" \
		  MARIADB_TAIL

static void test_partition_clause_changed_is_medium(void)
{
	compare(PART_HEAD "\n PARTITION BY HASH (`id`)\nPARTITIONS 4",
		PART_HEAD "\n PARTITION BY HASH (`id`)\nPARTITIONS 8", NULL);
	expect_only(DIFF_PARTITION_CHANGED, SEV_MEDIUM, NULL,
		    " PARTITION BY HASH (`id`)\nPARTITIONS 4",
		    " PARTITION BY HASH (`id`)\nPARTITIONS 8");
	compare(PART_HEAD, PART_HEAD "\n PARTITION BY HASH (`id`)\nPARTITIONS 4",
		NULL);
	expect_only(DIFF_PARTITION_CHANGED, SEV_MEDIUM, NULL, NULL,
		    " PARTITION BY HASH (`id`)\nPARTITIONS 4");
}

/* A line the model has no place for (made up: every line MariaDB 10.11
 * prints has one) is compared as text. */
static void test_line_not_understood_changed_is_medium(void)
{
#define ODD_TABLE(cols) "CREATE TABLE `per` (\n" \
			"  `s` date NOT NULL,\n" \
			"  `e` date NOT NULL,\n" \
			"  `s2` date NOT NULL,\n" \
			"  FROBNICATE KEY `f` (" cols ")\n" \
			MARIADB_TAIL
	compare_loose(ODD_TABLE("`s`, `e`"), ODD_TABLE("`s2`, `e`"), NULL, 1);
	expect_only(DIFF_UNPARSED_CHANGED, SEV_MEDIUM, NULL,
		    "FROBNICATE KEY `f` (`s`, `e`)", "FROBNICATE KEY `f` (`s2`, `e`)");
	compare_loose(ODD_TABLE("`s`, `e`"), ODD_TABLE("`s`, `e`"), NULL, 1);
	expect_none();
#undef ODD_TABLE
}

/* ---- severities and names ----------------------------------------------- */

static void test_max_is_the_highest_severity_of_several_changes(void)
{
	static const char from[] =
		"CREATE TABLE `t` (\n"
		"  `id` int(11) NOT NULL,\n"
		"  `gone` int(11) DEFAULT NULL,\n"
		"  `d` int(11) DEFAULT 0,\n"
		"  PRIMARY KEY (`id`)\n"
		MARIADB_TAIL;
	static const char to[] =
		"CREATE TABLE `t` (\n"
		"  `id` int(11) NOT NULL,\n"
		"  `d` int(11) DEFAULT 1,\n"
		"  `new` int(11) DEFAULT NULL,\n"
		"  PRIMARY KEY (`id`),\n"
		"  KEY `kd` (`d`)\n"
		") ENGINE=InnoDB DEFAULT CHARSET=latin1 COLLATE=latin1_swedish_ci COMMENT='x'";

	compare(from, to, NULL);
	ASSERT_EQ(diff.n, 5);
	ASSERT_EQ(find_kind(DIFF_COLUMN_REMOVED)->severity, SEV_HIGH);
	ASSERT_EQ(find_kind(DIFF_DEFAULT_CHANGED)->severity, SEV_LOW);
	ASSERT_EQ(find_kind(DIFF_COLUMN_ADDED)->severity, SEV_MEDIUM);
	ASSERT_EQ(find_kind(DIFF_INDEX_ADDED)->severity, SEV_MEDIUM);
	ASSERT_EQ(find_kind(DIFF_OPTION_CHANGED)->severity, SEV_LOW);
	ASSERT_EQ(diff.max, SEV_HIGH);
	ASSERT_STR_EQ(schemadiff_severity_name(diff.max), "high");

	/* without the removed column the highest is medium */
	compare(from, "CREATE TABLE `t` (\n"
		"  `id` int(11) NOT NULL,\n"
		"  `gone` int(11) DEFAULT NULL,\n"
		"  `d` int(11) DEFAULT 1,\n"
		"  `new` int(11) DEFAULT NULL,\n"
		"  PRIMARY KEY (`id`)\n"
		MARIADB_TAIL, NULL);
	ASSERT_EQ(diff.n, 2);
	ASSERT_EQ(diff.max, SEV_MEDIUM);
	/* low changes only */
	compare(from, "CREATE TABLE `t` (\n"
		"  `id` int(11) NOT NULL,\n"
		"  `gone` int(11) DEFAULT NULL COMMENT 'soon',\n"
		"  `d` int(11) DEFAULT 1,\n"
		"  PRIMARY KEY (`id`)\n"
		MARIADB_TAIL, NULL);
	ASSERT_EQ(diff.n, 2);
	ASSERT_EQ(diff.max, SEV_LOW);
}

static void test_severity_and_kind_names(void)
{
	int k;

	ASSERT_STR_EQ(schemadiff_severity_name(SEV_NONE), "none");
	ASSERT_STR_EQ(schemadiff_severity_name(SEV_LOW), "low");
	ASSERT_STR_EQ(schemadiff_severity_name(SEV_MEDIUM), "medium");
	ASSERT_STR_EQ(schemadiff_severity_name(SEV_HIGH), "high");
	ASSERT_STR_EQ(schemadiff_severity_name(SEV_CRITICAL), "critical");
	ASSERT_STR_EQ(schemadiff_kind_name(DIFF_TABLE_REMOVED), "table removed");
	ASSERT_STR_EQ(schemadiff_kind_name(DIFF_COLUMN_REMOVED), "column removed");
	ASSERT_STR_EQ(schemadiff_kind_name(DIFF_TYPE_NARROWED), "type narrowed");
	ASSERT_STR_EQ(schemadiff_kind_name(DIFF_ATTRIBUTE_CHANGED),
		      "column attribute changed");
	ASSERT_STR_EQ(schemadiff_kind_name(DIFF_INDEX_CHANGED), "index changed");
	ASSERT_STR_EQ(schemadiff_kind_name(DIFF_OPTION_CHANGED),
		      "table option changed");
	ASSERT_STR_EQ(schemadiff_kind_name(DIFF_PERIOD_ADDED), "period added");
	ASSERT_STR_EQ(schemadiff_kind_name(DIFF_PERIOD_REMOVED), "period removed");
	ASSERT_STR_EQ(schemadiff_kind_name(DIFF_PERIOD_CHANGED), "period changed");
	/* sync versions reads every kind from DIFF_INDEX_ADDED on as not
	 * about columns: a period is not */
	ASSERT_TRUE(DIFF_PERIOD_ADDED > DIFF_INDEX_ADDED);
	/* every kind has a name and a severity in the rule table */
	for (k = 0; k < DIFF_KIND_COUNT; k++) {
		const char *name = schemadiff_kind_name((enum diff_kind)k);

		if (name == NULL || name[0] == '\0')
			CHECK_FAIL("kind %d has no name", k);
		if (schemadiff_severity_of((enum diff_kind)k) == SEV_NONE)
			CHECK_FAIL("kind %d (%s) has no severity", k, name);
	}
	ASSERT_EQ(schemadiff_severity_of(DIFF_TABLE_REMOVED), SEV_CRITICAL);
	ASSERT_EQ(schemadiff_severity_of(DIFF_DEFAULT_CHANGED), SEV_LOW);
}

/* ---- noise options ------------------------------------------------------ */

static void test_int_width_reported_unless_ignored(void)
{
	static const struct diff_opts ignore = { .ignore_int_width = 1 };

	compare_column("int(11) DEFAULT NULL", "int(10) DEFAULT NULL", NULL);
	expect_only(DIFF_ATTRIBUTE_CHANGED, SEV_MEDIUM, "c", "int(11)", "int(10)");
	compare_column("int(11) DEFAULT NULL", "int DEFAULT NULL", NULL);
	expect_only(DIFF_ATTRIBUTE_CHANGED, SEV_MEDIUM, "c", "int(11)", "int");

	compare_column("int(11) DEFAULT NULL", "int(10) DEFAULT NULL", &ignore);
	expect_none();
	compare_column("int(11) DEFAULT NULL", "int DEFAULT NULL", &ignore);
	expect_none();
	compare_column("int(10) unsigned NOT NULL", "int unsigned NOT NULL", &ignore);
	expect_none();
	/* the width only: another integer type is still a change */
	compare_column("bigint(20) DEFAULT NULL", "int DEFAULT NULL", &ignore);
	expect_only(DIFF_TYPE_NARROWED, SEV_HIGH, "c", "bigint(20)", "int");
	compare_column("int(11) DEFAULT NULL", "int(10) unsigned DEFAULT NULL",
		       &ignore);
	expect_only(DIFF_TYPE_CHANGED, SEV_HIGH, "c", "int(11)", "int(10) unsigned");
}

static void test_utf8_is_utf8mb3_when_asked(void)
{
	static const struct diff_opts same = { .utf8_is_utf8mb3 = 1 };
	static const char utf8[] =
		"varchar(10) CHARACTER SET utf8 COLLATE utf8_general_ci DEFAULT NULL";
	static const char mb3[] =
		"varchar(10) CHARACTER SET utf8mb3 COLLATE utf8mb3_general_ci DEFAULT NULL";

	compare_column(utf8, mb3, NULL);
	expect_only(DIFF_CHARSET_CHANGED, SEV_MEDIUM, "c", "utf8_general_ci",
		    "utf8mb3_general_ci");
	compare_column(utf8, mb3, &same);
	expect_none();
	compare_column(mb3, utf8, &same);
	expect_none();
	/* another collation suffix, or utf8mb4, is still a change */
	compare_column(utf8,
		       "varchar(10) CHARACTER SET utf8mb3 COLLATE utf8mb3_bin DEFAULT NULL",
		       &same);
	expect_only(DIFF_CHARSET_CHANGED, SEV_MEDIUM, "c", "utf8_general_ci",
		    "utf8mb3_bin");
	compare_column(mb3,
		       "varchar(10) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci DEFAULT NULL",
		       &same);
	expect_only(DIFF_CHARSET_CHANGED, SEV_MEDIUM, "c", "utf8mb3_general_ci",
		    "utf8mb4_general_ci");
}

#define MB4_TABLE(def) "CREATE TABLE `t` (\n" \
		       "  `c` " def "\n" \
		       ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci"

static void test_default_charset_written_out_ignored_when_asked(void)
{
	static const struct diff_opts ignore = { .ignore_default_charset = 1 };
	static const char implicit[] = MB4_TABLE("varchar(10) DEFAULT NULL");
	static const char explicit[] =
		MB4_TABLE("varchar(10) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci DEFAULT NULL");

	compare(explicit, implicit, NULL);
	expect_only(DIFF_CHARSET_CHANGED, SEV_MEDIUM, "c", "utf8mb4_general_ci", NULL);
	compare(explicit, implicit, &ignore);
	expect_none();
	compare(implicit, explicit, &ignore);
	expect_none();
	/* a collation other than the table's is still a change (from/to:
	 * the collations in effect) */
	compare(implicit,
		MB4_TABLE("varchar(10) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin DEFAULT NULL"),
		&ignore);
	expect_only(DIFF_CHARSET_CHANGED, SEV_MEDIUM, "c", "utf8mb4_general_ci",
		    "utf8mb4_bin");
}

#define ORDER_TABLE(keys) INDEX_HEAD ",\n" keys "\n" MARIADB_TAIL

static void test_index_order_reported_unless_ignored(void)
{
	static const struct diff_opts ignore = { .ignore_index_order = 1 };
	static const char ab[] = ORDER_TABLE("  KEY `ka` (`a`),\n  KEY `kb` (`b`)");
	static const char ba[] = ORDER_TABLE("  KEY `kb` (`b`),\n  KEY `ka` (`a`)");

	compare(ab, ba, NULL);
	expect_only(DIFF_INDEX_CHANGED, SEV_MEDIUM, "(order)", NULL, NULL);
	compare(ab, ba, &ignore);
	expect_none();
	/* an index moved and changed: the change is still reported */
	compare(ab, ORDER_TABLE("  KEY `kb` (`b`,`a`),\n  KEY `ka` (`a`)"), &ignore);
	expect_only(DIFF_INDEX_CHANGED, SEV_MEDIUM, "kb", "KEY `kb` (`b`)",
		    "KEY `kb` (`b`,`a`)");
}

static void test_null_opts_are_the_defaults(void)
{
	static const struct diff_opts zero;

	compare_column("int(11) DEFAULT NULL", "int(10) DEFAULT NULL", &zero);
	expect_only(DIFF_ATTRIBUTE_CHANGED, SEV_MEDIUM, "c", "int(11)", "int(10)");
	compare_column("int(11) DEFAULT NULL", "int(10) DEFAULT NULL", NULL);
	expect_only(DIFF_ATTRIBUTE_CHANGED, SEV_MEDIUM, "c", "int(11)", "int(10)");
}

/* ---- lifetimes and threads ---------------------------------------------- */

static void test_release_empties_the_diff(void)
{
	compare(base_table, NULL, NULL);
	ASSERT_EQ(diff.n, 1);
	schemadiff_release(&diff);
	ASSERT_EQ(diff.n, 0);
	ASSERT_TRUE(diff.changes == NULL);
	ASSERT_EQ(diff.max, SEV_NONE);
	/* compare zeroes *d first: whatever it held is not read */
	memset(&diff, 0xff, sizeof(diff));
	ASSERT_EQ(schemadiff_compare(NULL, NULL, NULL, &diff), 0);
	expect_none();
}

static const char thread_to[] =
	"CREATE TABLE `orders` (\n"
	"  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,\n"
	"  `customer_id` int(11) DEFAULT NULL,\n"
	"  `status` enum('new','paid') NOT NULL DEFAULT 'new',\n"
	"  `total` decimal(19,4) NOT NULL DEFAULT 0.0000,\n"
	"  `created_at` datetime(6) NOT NULL DEFAULT current_timestamp(6),\n"
	"  PRIMARY KEY (`id`),\n"
	"  KEY `customer` (`customer_id`,`status`),\n"
	"  CONSTRAINT `total_positive` CHECK (`total` > 0)\n"
	") ENGINE=InnoDB AUTO_INCREMENT=1001 DEFAULT CHARSET=latin1 COLLATE=latin1_swedish_ci";

static void *compare_many(void *arg)
{
	const struct schema_diff *want = arg;
	long bad = 0;
	int i;

	for (i = 0; i < 200; i++) {
		struct schema_diff d;
		size_t k;

		schemadiff_compare(&from_model, &to_model, NULL, &d);
		bad += d.n != want->n || d.max != want->max;
		for (k = 0; k < d.n && k < want->n; k++)
			bad += d.changes[k].kind != want->changes[k].kind ||
			       !same_text(d.changes[k].to, want->changes[k].to);
		schemadiff_release(&d);
	}
	return (void *)bad;
}

/* Both models shared, read-only, by four threads at once. */
static void test_compare_is_thread_safe(void)
{
	pthread_t th[4];
	void *bad;
	int i;

	compare(base_table, thread_to, NULL);
	ASSERT_EQ(diff.max, SEV_HIGH);
	ASSERT_TRUE(diff.n >= 6);
	for (i = 0; i < 4; i++)
		ASSERT_EQ(pthread_create(&th[i], NULL, compare_many, &diff), 0);
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(pthread_join(th[i], &bad), 0);
		ASSERT_EQ((long)bad, 0);
	}
}

/* ---- known gaps: each fails until schemadiff.c is fixed ----------------- */

/* An option meant for int(11) = int must not hide a clause the fields do
 * not hold: the noise options turn off the compare-as-written fallback. */
static void test_noise_option_does_not_hide_invisible_added(void)
{
	static const struct diff_opts ignore = { .ignore_int_width = 1 };

	compare_column("int(11) DEFAULT NULL", "int(11) INVISIBLE DEFAULT NULL",
		       &ignore);
	/* from/to: the clauses no field holds */
	expect_only(DIFF_ATTRIBUTE_CHANGED, SEV_MEDIUM, "c", NULL, "INVISIBLE");
}

/* A flag option (no "=value") removed: compare_options looks the name up
 * on the other side and gets NULL, the same as the flag's own NULL value.
 * DROP SYSTEM VERSIONING (the table's history is gone) is no change. */
static void test_flag_table_option_removed_is_reported(void)
{
	static const char versioned[] =
		"CREATE TABLE `v` (\n"
		"  `a` int(11) DEFAULT NULL\n"
		MARIADB_TAIL " WITH SYSTEM VERSIONING";
	static const char plain[] =
		"CREATE TABLE `v` (\n"
		"  `a` int(11) DEFAULT NULL\n"
		MARIADB_TAIL;

	compare(plain, versioned, NULL);
	ASSERT_TRUE(find_kind(DIFF_OPTION_CHANGED) != NULL);
	compare(versioned, plain, NULL);
	ASSERT_TRUE(find_kind(DIFF_OPTION_CHANGED) != NULL);
}

/* Between char and varchar the family rank decides alone: char(200) to
 * varchar(10) truncates, yet is "widened". */
static void test_char_to_shorter_varchar_is_narrowed(void)
{
	compare_column("char(200) DEFAULT NULL", "varchar(10) DEFAULT NULL", NULL);
	expect_only(DIFF_TYPE_NARROWED, SEV_HIGH, "c", "char(200)", "varchar(10)");
}

/* A column with no charset written has the table's: CONVERT TO CHARACTER
 * SET changes every such column's charset, yet only the two table options
 * (low) are reported. */
static void test_table_charset_conversion_changes_column_charset(void)
{
	compare("CREATE TABLE `t` (\n"
		"  `name` varchar(10) DEFAULT NULL\n"
		MARIADB_TAIL,
		"CREATE TABLE `t` (\n"
		"  `name` varchar(10) DEFAULT NULL\n"
		") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci",
		NULL);
	ASSERT_EQ(find_kind(DIFF_CHARSET_CHANGED)->severity, SEV_MEDIUM);
	ASSERT_EQ(diff.max, SEV_MEDIUM);
}

int main(int argc, char **argv)
{
	CHECK_INIT(argc, argv);
	RUN(test_identical_models_have_no_change);
	RUN(test_table_removed_is_critical);
	RUN(test_table_added_is_medium);
	RUN(test_column_removed_is_high);
	RUN(test_column_added_is_medium);
	RUN(test_type_narrowed_is_high);
	RUN(test_type_widened_is_medium);
	RUN(test_type_changed_in_kind_is_high);
	RUN(test_nullability_tightened_is_high);
	RUN(test_nullability_loosened_is_medium);
	RUN(test_enum_or_set_value_removed_is_high);
	RUN(test_enum_or_set_value_added_is_medium);
	RUN(test_default_changed_is_low);
	RUN(test_comment_changed_is_low);
	RUN(test_column_charset_or_collation_changed_is_medium);
	RUN(test_generated_expression_changed_is_medium);
	RUN(test_unheld_clause_is_column_attribute_changed);
	RUN(test_index_added_is_medium);
	RUN(test_index_removed_is_medium);
	RUN(test_index_changed_columns_or_prefix_is_medium);
	RUN(test_foreign_key_added_removed_changed_is_medium);
	RUN(test_check_constraint_changed_is_medium);
	RUN(test_period_added_removed_changed_is_medium);
	RUN(test_system_time_period_goes_with_system_versioning);
	RUN(test_period_with_newline_names_compared_whole);
	RUN(test_column_change_in_a_system_versioned_table_has_its_severity);
	RUN(test_column_change_in_a_table_with_a_period_has_its_severity);
	RUN(test_column_change_in_a_table_with_newline_names_has_its_severity);
	RUN(test_key_with_a_newline_name_compared_whole);
	RUN(test_table_option_changed_is_low);
	RUN(test_auto_increment_option_is_never_a_change);
	RUN(test_partition_clause_changed_is_medium);
	RUN(test_line_not_understood_changed_is_medium);
	RUN(test_max_is_the_highest_severity_of_several_changes);
	RUN(test_severity_and_kind_names);
	RUN(test_int_width_reported_unless_ignored);
	RUN(test_utf8_is_utf8mb3_when_asked);
	RUN(test_default_charset_written_out_ignored_when_asked);
	RUN(test_index_order_reported_unless_ignored);
	RUN(test_null_opts_are_the_defaults);
	RUN(test_release_empties_the_diff);
	RUN(test_compare_is_thread_safe);
	RUN(test_noise_option_does_not_hide_invisible_added);
	RUN(test_flag_table_option_removed_is_reported);
	RUN(test_char_to_shorter_varchar_is_narrowed);
	RUN(test_table_charset_conversion_changes_column_charset);
	reset();
	return CHECK_EXIT();
}
