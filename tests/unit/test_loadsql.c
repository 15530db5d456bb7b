/* loadsql: the statements of `rhizome load`: a data file's rows as
 * INSERTs cut to size, a foreign key's parts, the orphan count. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "engine/base/alloc.h"
#include "engine/fetch/loadsql.h"

static const char create[] =
	"CREATE TABLE `t` (\n"
	"  `id` bigint(20) unsigned NOT NULL,\n"
	"  `name` varchar(20) DEFAULT NULL,\n"
	"  `price` decimal(10,2) NOT NULL,\n"
	"  `raw` varbinary(8) DEFAULT NULL,\n"
	"  `twice` bigint(20) GENERATED ALWAYS AS (`id` * 2) VIRTUAL,\n"
	"  `od``d` int(11) DEFAULT NULL,\n"
	"  PRIMARY KEY (`id`)\n"
	") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4";

/* The INSERTs of `json` for table `t`, max bytes each, joined by "\n";
 * or "ERR: why". Caller frees. */
static char *inserts(const char *json, size_t max, size_t *rows)
{
	struct table_model m;
	struct loadsql_inserts ins;
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	size_t i;
	char *s;

	memset(&ins, 0, sizeof(ins));
	if (tablemodel_parse(create, strlen(create), &m) == TM_NOT_A_TABLE)
		return xstrdup("ERR: model");
	if (loadsql_inserts(&m, json, strlen(json), max, &ins, &err) == 0) {
		for (i = 0; i < ins.n; i++)
			strbuf_addf(&out, "%s%s", i ? "\n" : "", ins.stmts[i].data);
		s = xstrdup(out.data ? out.data : "");
	} else {
		s = xasprintf("ERR: %s", err.data ? err.data : "");
	}
	if (rows != NULL)
		*rows = ins.rows;
	loadsql_inserts_release(&ins);
	tablemodel_release(&m);
	strbuf_release(&out);
	strbuf_release(&err);
	return s;
}

static void test_one_row_object_is_one_insert_without_generated_columns(void)
{
	size_t rows;
	char *s = inserts("{\n  \"id\": 18446744073709551615,\n  \"name\": \"a'b\",\n"
			  "  \"price\": \"-0.50\",\n  \"raw\": \"3q2+7w==\",\n"
			  "  \"twice\": 2,\n  \"od`d\": null\n}\n", 1 << 20, &rows);

	ASSERT_STR_EQ(s, "INSERT INTO `t` (`id`, `name`, `price`, `raw`, `od``d`) "
		      "VALUES (18446744073709551615, _utf8mb4'a''b', -0.50, "
		      "X'DEADBEEF', NULL)");
	ASSERT_EQ(rows, 1);
	free(s);
}

static void test_rows_are_cut_into_statements_of_at_most_max_bytes(void)
{
	size_t rows;
	const char *json = "[{\"id\": 1, \"name\": null, \"price\": \"1.00\", \"raw\": null, \"twice\": 2, \"od`d\": 1},\n"
			   " {\"id\": 2, \"name\": null, \"price\": \"2.00\", \"raw\": null, \"twice\": 4, \"od`d\": 2},\n"
			   " {\"id\": 3, \"name\": null, \"price\": \"3.00\", \"raw\": null, \"twice\": 6, \"od`d\": 3}]";
	char *s = inserts(json, 1 << 20, &rows);

	ASSERT_STR_EQ(s, "INSERT INTO `t` (`id`, `name`, `price`, `raw`, `od``d`) VALUES "
		      "(1, NULL, 1.00, NULL, 1),(2, NULL, 2.00, NULL, 2),"
		      "(3, NULL, 3.00, NULL, 3)");
	ASSERT_EQ(rows, 3);
	free(s);
	/* room for the head and two rows: 3 rows are two statements */
	s = inserts(json, strlen("INSERT INTO `t` (`id`, `name`, `price`, `raw`, "
				 "`od``d`) VALUES ") +
		    2 * strlen("(1, NULL, 1.00, NULL, 1)") + 1, &rows);
	ASSERT_STR_EQ(s, "INSERT INTO `t` (`id`, `name`, `price`, `raw`, `od``d`) VALUES "
		      "(1, NULL, 1.00, NULL, 1),(2, NULL, 2.00, NULL, 2)\n"
		      "INSERT INTO `t` (`id`, `name`, `price`, `raw`, `od``d`) VALUES "
		      "(3, NULL, 3.00, NULL, 3)");
	ASSERT_EQ(rows, 3);
	free(s);
	/* a row longer than max stands alone, never is dropped */
	s = inserts(json, 10, &rows);
	ASSERT_EQ(rows, 3);
	ASSERT_TRUE(strstr(s, "(1, NULL, 1.00, NULL, 1)\nINSERT") != NULL);
	ASSERT_TRUE(strstr(s, "(3, NULL, 3.00, NULL, 3)") != NULL);
	free(s);
}

static void test_an_empty_array_is_no_statement(void)
{
	size_t rows = 7;
	char *s = inserts("[]\n", 1 << 20, &rows);

	ASSERT_STR_EQ(s, "");
	ASSERT_EQ(rows, 0);
	free(s);
}

static void test_rows_that_cannot_be_loaded_are_errors_naming_row_and_column(void)
{
	static const struct { const char *json, *want; } cases[] = {
		{ "{\"id\": 1, \"nope\": 2}",
		  "ERR: row 1: key \"nope\" is no column of `t`" },
		{ "[{\"id\": 1, \"name\": \"x\"}, {\"name\": \"y\", \"id\": 2}]",
		  "ERR: row 2: key \"name\" where the first row has \"id\"" },
		{ "[{\"id\": 1, \"name\": \"x\"}, {\"id\": 2}]",
		  "ERR: row 2: 1 keys where the first row has 2" },
		{ "[{\"id\": 1}, {\"id\": 2, \"name\": \"y\"}]",
		  "ERR: row 2: key \"name\" where the first row has none" },
		{ "[{\"id\": 1}, {\"id\": \"two\"}]",
		  "ERR: row 2: column `id`: " },
		{ "{\"id\": 1, \"price\": \"1e5\"}",
		  "ERR: row 1: column `price`: " },
		{ "{\"id\": 1, \"raw\": \"not base64!\"}",
		  "ERR: row 1: column `raw`: " },
		{ "[1, 2]", "ERR: not an array of row objects" },
		{ "\"x\"", "ERR: not a row object" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *s = inserts(cases[i].json, 1 << 20, NULL);

		if (strncmp(s, cases[i].want, strlen(cases[i].want)) != 0)
			CHECK_FAIL("%s:\n  got:  %s\n  want: %s...", cases[i].json,
				   s, cases[i].want);
		free(s);
	}
}

static void test_foreign_keys_are_read_and_counted_as_innodb_checks_them(void)
{
	char name[] = "fk", cols[] = "(`a`, `b``c`)", ref[] = "`par``ent`",
	     refcols[] = "(`x`, `y`)", other[] = "`other`.`t`", one[] = "(`x`)",
	     bare[] = "`x`";
	struct tm_foreign_key fk = {
		.name = name, .columns = cols, .ref_table = ref,
		.ref_columns = refcols,
	};
	struct loadsql_fk parts;
	struct strbuf sb = STRBUF_INIT;

	ASSERT_EQ(loadsql_fk_parse(&fk, &parts), 0);
	ASSERT_EQ(parts.ncolumns, 2);
	ASSERT_STR_EQ(parts.columns[1], "b`c");
	ASSERT_STR_EQ(parts.ref_table, "par`ent");
	ASSERT_TRUE(parts.ref_schema == NULL);
	loadsql_fk_orphans(&sb, "stage", "child", &parts, "stage");
	ASSERT_STR_EQ(sb.data, "SELECT COUNT(*) FROM `stage`.`child` AS c WHERE "
		      "c.`a` IS NOT NULL AND c.`b``c` IS NOT NULL AND NOT EXISTS "
		      "(SELECT 1 FROM `stage`.`par``ent` AS p WHERE p.`x` = c.`a` "
		      "AND p.`y` = c.`b``c`)");
	strbuf_reset(&sb);
	/* no parent table at all: every row with its key set is an orphan */
	loadsql_fk_orphans(&sb, "stage", "child", &parts, NULL);
	ASSERT_STR_EQ(sb.data, "SELECT COUNT(*) FROM `stage`.`child` AS c WHERE "
		      "c.`a` IS NOT NULL AND c.`b``c` IS NOT NULL");
	loadsql_fk_release(&parts);
	strbuf_release(&sb);

	fk.ref_table = other;
	ASSERT_EQ(loadsql_fk_parse(&fk, &parts), 0);
	ASSERT_STR_EQ(parts.ref_schema, "other");
	ASSERT_STR_EQ(parts.ref_table, "t");
	loadsql_fk_release(&parts);

	fk.ref_columns = one; /* lists of different lengths */
	ASSERT_EQ(loadsql_fk_parse(&fk, &parts), -EINVAL);
	fk.ref_columns = bare;
	ASSERT_EQ(loadsql_fk_parse(&fk, &parts), -EINVAL);
}

static void test_staging_names_are_fixed_per_schema_and_plain(void)
{
	struct loadsql_names a, b, c;
	size_t i;

	loadsql_names_of("scratch`; DROP", &a);
	loadsql_names_of("scratch`; DROP", &b);
	loadsql_names_of("other", &c);
	ASSERT_STR_EQ(a.staging, b.staging);
	ASSERT_EQ(strlen(a.staging), strlen("rhizome_load_") + 16);
	ASSERT_EQ(strncmp(a.old, a.staging, strlen(a.staging)), 0);
	ASSERT_STR_EQ(a.old + strlen(a.staging), "_old");
	for (i = strlen("rhizome_load_"); a.staging[i]; i++)
		ASSERT_TRUE(strchr("0123456789abcdef", a.staging[i]) != NULL);
	ASSERT_TRUE(strcmp(a.staging, c.staging) != 0);
	ASSERT_EQ(strlen(a.lock), strlen(a.staging) + 2);
	ASSERT_EQ(strncmp(a.lock + 1, a.staging, strlen(a.staging)), 0);
	ASSERT_TRUE(a.lock[0] == '\'' && a.lock[strlen(a.lock) - 1] == '\'');
}

/* One RENAME TABLE moves the replaced tables aside and every table in;
 * names are quoted wherever they come from. */
static void test_move_in_is_one_rename_of_every_table(void)
{
	struct loadsql_names n;
	struct strbuf sb = STRBUF_INIT;
	const char *tables[] = { "a", "b`c" };
	int existed[] = { 0, 1 }, none[] = { 0, 0 };
	size_t at, k;
	char want[600];

	loadsql_names_of("t", &n);
	ASSERT_EQ(loadsql_move_in(&sb, &n, tables, existed, 2, &at), 6);
	ASSERT_EQ(at, 2);
	snprintf(want, sizeof(want), "SET SESSION foreign_key_checks = 0;"
		 "CREATE DATABASE `%s`;RENAME TABLE `t`.`b``c` TO `%s`.`b``c`, "
		 "`%s`.`a` TO `t`.`a`, `%s`.`b``c` TO `t`.`b``c`;"
		 "DROP DATABASE `%s`;DROP DATABASE `%s`;SELECT RELEASE_LOCK(%s)",
		 n.old, n.old, n.staging, n.staging, n.staging, n.old, n.lock);
	ASSERT_STR_EQ(sb.data, want);
	strbuf_reset(&sb);
	ASSERT_EQ(loadsql_move_in(&sb, &n, tables, none, 2, &at), 4);
	ASSERT_EQ(at, 1);
	for (k = 0; sb.data[k] != '\0' && strncmp(sb.data + k, "_old", 4) != 0; k++)
		;
	ASSERT_TRUE(sb.data[k] == '\0'); /* nothing replaced: no _old schema */
	strbuf_release(&sb);
}

int main(int argc, char **argv)
{
	CHECK_INIT(argc, argv);
	RUN(test_one_row_object_is_one_insert_without_generated_columns);
	RUN(test_rows_are_cut_into_statements_of_at_most_max_bytes);
	RUN(test_an_empty_array_is_no_statement);
	RUN(test_rows_that_cannot_be_loaded_are_errors_naming_row_and_column);
	RUN(test_foreign_keys_are_read_and_counted_as_innodb_checks_them);
	RUN(test_staging_names_are_fixed_per_schema_and_plain);
	RUN(test_move_in_is_one_rename_of_every_table);
	return CHECK_EXIT();
}
