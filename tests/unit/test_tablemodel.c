/*
 * Unit tests of engine/tablemodel: SHOW CREATE TABLE text, as MariaDB 10.11
 * prints it (the texts below were copied from a 10.11 server) and as MySQL
 * 8.0 prints it, is cut into columns, indexes, foreign keys, checks,
 * periods, table options and the partition clause, names holding any byte
 * (raw newlines too). Each test checks the parsed fields and that the
 * model renders back to the very text it was parsed from; a part the
 * parser does not know is kept whole in `unparsed` and still renders.
 *
 * The model under test lives in one static slot that every test releases
 * before it parses, and main() releases at the end: a failed assertion
 * (a longjmp out of the test) leaks nothing, so AddressSanitizer reports
 * only what the parser itself leaks.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "engine/schema/tablemodel.h"
#include "check.h"

static struct table_model model;
static char *rendered;

static void reset(void)
{
	tablemodel_release(&model);
	free(rendered);
	rendered = NULL;
}

/* Parse `text` into the static model; the return code of the parse. */
static enum tm_parsed parse(const char *text)
{
	reset();
	return tablemodel_parse(text, strlen(text), &model);
}

/* The static model rendered (owned by this file, valid until the next). */
static const char *render(void)
{
	free(rendered);
	rendered = tablemodel_render(&model);
	return rendered;
}

/* Parse `text`, which must be understood whole and render back exactly. */
static const struct table_model *parse_exact(const char *text)
{
	ASSERT_EQ(parse(text), TM_WHOLE);
	ASSERT_EQ(model.nunparsed, 0);
	ASSERT_STR_EQ(render(), text);
	return &model;
}

/* The column `name` of the model; fails the test when it is absent. */
static const struct tm_column *col(const char *name)
{
	const struct tm_column *c = tablemodel_column(&model, name);

	if (c == NULL)
		CHECK_FAIL("no column \"%s\" in the model", name);
	return c;
}

/* A column's clauses joined by spaces (they give its definition back). */
static const char *joined_clauses(const struct tm_column *c)
{
	static char buf[1024];
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < c->nclauses; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s",
				      i > 0 ? " " : "", c->clauses[i]);
	return buf;
}

/* The value of table option `name`; fails the test when it is absent. */
static const char *option(const char *name)
{
	size_t i;

	for (i = 0; i < model.noptions; i++)
		if (strcmp(model.options[i].name, name) == 0)
			return model.options[i].value;
	CHECK_FAIL("no table option \"%s\" in the model", name);
	return NULL;
}

#define MARIADB_TAIL ") ENGINE=InnoDB DEFAULT CHARSET=latin1 COLLATE=latin1_swedish_ci"

/* ---- columns ------------------------------------------------------------ */

static void test_column_type_keeps_its_modifiers(void)
{
	const struct tm_column *c;

	parse_exact("CREATE TABLE `types` (\n"
		    "  `a` int(10) unsigned zerofill NOT NULL,\n"
		    "  `b` decimal(19,4) DEFAULT NULL,\n"
		    "  `c` enum('a','b,c','d''e') DEFAULT 'b,c',\n"
		    "  `d` set('x','y','z') NOT NULL DEFAULT 'x,z',\n"
		    "  `e` datetime(6) NOT NULL\n"
		    MARIADB_TAIL);
	ASSERT_EQ(model.ncolumns, 5);
	ASSERT_STR_EQ(col("a")->type, "int(10) unsigned zerofill");
	ASSERT_STR_EQ(col("a")->clauses[0], "int(10) unsigned zerofill");
	ASSERT_STR_EQ(col("b")->type, "decimal(19,4)");
	c = col("c");
	ASSERT_STR_EQ(c->type, "enum('a','b,c','d''e')");
	ASSERT_STR_EQ(c->default_value, "'b,c'");
	ASSERT_EQ(c->nclauses, 2);
	ASSERT_STR_EQ(c->clauses[1], "DEFAULT 'b,c'");
	ASSERT_STR_EQ(joined_clauses(c), "enum('a','b,c','d''e') DEFAULT 'b,c'");
	c = col("d");
	ASSERT_STR_EQ(c->type, "set('x','y','z')");
	ASSERT_STR_EQ(c->default_value, "'x,z'");
	ASSERT_EQ(c->not_null, 1);
	ASSERT_STR_EQ(col("e")->type, "datetime(6)");
}

static void test_column_not_null_explicit_null_or_neither(void)
{
	const struct tm_column *c;

	parse_exact("CREATE TABLE `n` (\n"
		    "  `a` int(11) NOT NULL,\n"
		    "  `f` timestamp NULL DEFAULT NULL,\n"
		    "  `o` int(11) DEFAULT NULL,\n"
		    "  `j` int(11) DEFAULT 0\n"
		    MARIADB_TAIL);
	c = col("a");
	ASSERT_EQ(c->not_null, 1);
	ASSERT_EQ(c->null_written, 0);
	ASSERT_TRUE(c->default_value == NULL);
	c = col("f");
	ASSERT_EQ(c->not_null, 0);
	ASSERT_EQ(c->null_written, 1);
	ASSERT_STR_EQ(c->default_value, "NULL");
	ASSERT_STR_EQ(joined_clauses(c), "timestamp NULL DEFAULT NULL");
	/* DEFAULT NULL is a default, not an explicit NULL */
	c = col("o");
	ASSERT_EQ(c->not_null, 0);
	ASSERT_EQ(c->null_written, 0);
	ASSERT_STR_EQ(c->default_value, "NULL");
	c = col("j");
	ASSERT_EQ(c->not_null, 0);
	ASSERT_EQ(c->null_written, 0);
}

static void test_column_default_values_as_written(void)
{
	parse_exact("CREATE TABLE `d` (\n"
		    "  `s` varchar(20) DEFAULT 'a str, with ( and )',\n"
		    "  `e` varchar(20) DEFAULT '',\n"
		    "  `q` varchar(10) DEFAULT 'it''s a\\\\b',\n"
		    "  `n` int(11) DEFAULT NULL,\n"
		    "  `z` int(11) DEFAULT 0,\n"
		    "  `g` decimal(5,1) DEFAULT -1.5,\n"
		    "  `t` datetime(6) NOT NULL DEFAULT current_timestamp(6),\n"
		    "  `h` bit(3) DEFAULT b'101',\n"
		    "  `x` int(11) DEFAULT (`z` + 1),\n"
		    "  `u` varchar(36) DEFAULT uuid()\n"
		    MARIADB_TAIL);
	ASSERT_STR_EQ(col("s")->default_value, "'a str, with ( and )'");
	ASSERT_STR_EQ(col("e")->default_value, "''");
	ASSERT_STR_EQ(col("q")->default_value, "'it''s a\\\\b'");
	ASSERT_STR_EQ(col("n")->default_value, "NULL");
	ASSERT_STR_EQ(col("z")->default_value, "0");
	ASSERT_STR_EQ(col("g")->default_value, "-1.5");
	ASSERT_STR_EQ(col("t")->default_value, "current_timestamp(6)");
	ASSERT_STR_EQ(col("h")->default_value, "b'101'");
	ASSERT_STR_EQ(col("x")->default_value, "(`z` + 1)");
	ASSERT_STR_EQ(col("u")->default_value, "uuid()");
	ASSERT_EQ(col("x")->nclauses, 2);
	ASSERT_STR_EQ(col("x")->clauses[1], "DEFAULT (`z` + 1)");
}

static void test_column_on_update_and_auto_increment(void)
{
	const struct tm_column *c;

	parse_exact("CREATE TABLE `u` (\n"
		    "  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,\n"
		    "  `e` datetime(6) NOT NULL DEFAULT current_timestamp(6) ON UPDATE current_timestamp(6),\n"
		    "  `f` timestamp NULL DEFAULT NULL ON UPDATE current_timestamp(),\n"
		    "  PRIMARY KEY (`id`)\n"
		    ") ENGINE=InnoDB AUTO_INCREMENT=5 DEFAULT CHARSET=latin1 COLLATE=latin1_swedish_ci");
	c = col("id");
	ASSERT_STR_EQ(c->type, "bigint(20) unsigned");
	ASSERT_EQ(c->auto_increment, 1);
	ASSERT_EQ(c->not_null, 1);
	ASSERT_TRUE(c->on_update == NULL);
	c = col("e");
	ASSERT_EQ(c->auto_increment, 0);
	ASSERT_STR_EQ(c->default_value, "current_timestamp(6)");
	ASSERT_STR_EQ(c->on_update, "current_timestamp(6)");
	c = col("f");
	ASSERT_STR_EQ(c->on_update, "current_timestamp()");
	ASSERT_EQ(c->null_written, 1);
	ASSERT_STR_EQ(c->clauses[c->nclauses - 1], "ON UPDATE current_timestamp()");
}

static void test_column_charset_collation_and_comment(void)
{
	const struct tm_column *c;

	parse_exact("CREATE TABLE `t` (\n"
		    "  `id` int(11) NOT NULL AUTO_INCREMENT,\n"
		    "  `name` varchar(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin DEFAULT 'x' COMMENT 'a ''quoted'' comment',\n"
		    "  `bin` varchar(8) CHARACTER SET latin1 COLLATE latin1_bin DEFAULT NULL,\n"
		    "  `m` text DEFAULT NULL COMMENT 'back\\\\slash and ''quote'', NOT NULL DEFAULT 1',\n"
		    "  PRIMARY KEY (`id`)\n"
		    ") ENGINE=InnoDB AUTO_INCREMENT=5 DEFAULT CHARSET=latin1 COLLATE=latin1_swedish_ci COMMENT='AUTO_INCREMENT=5'");
	c = col("name");
	ASSERT_STR_EQ(c->type, "varchar(64)");
	ASSERT_STR_EQ(c->charset, "utf8mb4");
	ASSERT_STR_EQ(c->collation, "utf8mb4_bin");
	ASSERT_STR_EQ(c->default_value, "'x'");
	ASSERT_STR_EQ(c->comment, "'a ''quoted'' comment'");
	c = col("bin");
	ASSERT_STR_EQ(c->charset, "latin1");
	ASSERT_STR_EQ(c->collation, "latin1_bin");
	/* the words inside the comment are not clauses */
	c = col("m");
	ASSERT_STR_EQ(c->comment, "'back\\\\slash and ''quote'', NOT NULL DEFAULT 1'");
	ASSERT_EQ(c->not_null, 0);
	ASSERT_STR_EQ(c->default_value, "NULL");
	ASSERT_TRUE(col("id")->comment == NULL);
}

static void test_column_invisible_mariadb_and_mysql(void)
{
	parse_exact("CREATE TABLE `i` (\n"
		    "  `a` int(11) DEFAULT NULL,\n"
		    "  `l` int(11) INVISIBLE DEFAULT 3\n"
		    MARIADB_TAIL);
	ASSERT_STR_EQ(col("l")->default_value, "3");
	ASSERT_EQ(col("l")->nclauses, 3);
	ASSERT_STR_EQ(col("l")->clauses[1], "INVISIBLE");

	parse_exact("CREATE TABLE `i` (\n"
		    "  `a` int DEFAULT NULL,\n"
		    "  `l` int DEFAULT '3' /*!80023 INVISIBLE */,\n"
		    "  `s` varchar(8) COLLATE utf8mb4_bin DEFAULT NULL\n"
		    ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_0900_ai_ci");
	ASSERT_STR_EQ(col("l")->type, "int");
	ASSERT_STR_EQ(col("l")->default_value, "'3'");
	ASSERT_STR_EQ(col("l")->clauses[col("l")->nclauses - 1],
		      "/*!80023 INVISIBLE */");
	/* MySQL writes COLLATE alone when the charset is the table's */
	ASSERT_TRUE(col("s")->charset == NULL);
	ASSERT_STR_EQ(col("s")->collation, "utf8mb4_bin");
}

/* ---- generated columns -------------------------------------------------- */

static void test_generated_column_mariadb_generated_always(void)
{
	/* as MariaDB 10.11 prints them (PERSISTENT is printed as STORED) */
	parse_exact("CREATE TABLE `gen` (\n"
		    "  `a` int(11) DEFAULT NULL,\n"
		    "  `b` int(11) DEFAULT NULL,\n"
		    "  `v` int(11) GENERATED ALWAYS AS (`a` + `b`) VIRTUAL,\n"
		    "  `s` int(11) GENERATED ALWAYS AS (`a` * `b`) STORED\n"
		    MARIADB_TAIL);
	ASSERT_STR_EQ(col("v")->generated, "GENERATED ALWAYS AS (`a` + `b`) VIRTUAL");
	ASSERT_STR_EQ(col("v")->type, "int(11)");
	ASSERT_TRUE(col("v")->default_value == NULL);
	ASSERT_STR_EQ(col("s")->generated, "GENERATED ALWAYS AS (`a` * `b`) STORED");
	ASSERT_TRUE(col("a")->generated == NULL);
}

/* The short form older MariaDB versions print (10.11 prints GENERATED
 * ALWAYS AS, above), PERSISTENT included. */
static void test_generated_column_short_as_form(void)
{
	parse_exact("CREATE TABLE `gen` (\n"
		    "  `a` int(11) DEFAULT NULL,\n"
		    "  `b` int(11) DEFAULT NULL,\n"
		    "  `v` int(11) AS (`a` + `b`) VIRTUAL,\n"
		    "  `s` int(11) AS (`a` * (`b` - 1)) STORED,\n"
		    "  `p` int(11) AS (`a` - `b`) PERSISTENT\n"
		    MARIADB_TAIL);
	ASSERT_STR_EQ(col("v")->generated, "AS (`a` + `b`) VIRTUAL");
	ASSERT_STR_EQ(col("s")->generated, "AS (`a` * (`b` - 1)) STORED");
	ASSERT_STR_EQ(col("p")->generated, "AS (`a` - `b`) PERSISTENT");
	ASSERT_EQ(col("v")->nclauses, 2);
}

static void test_generated_column_mysql_generated_always_stored(void)
{
	parse_exact("CREATE TABLE `g` (\n"
		    "  `a` int DEFAULT NULL,\n"
		    "  `b` int DEFAULT NULL,\n"
		    "  `c` int GENERATED ALWAYS AS ((`a` + `b`)) STORED NOT NULL,\n"
		    "  `d` varchar(20) GENERATED ALWAYS AS (concat(`a`,_utf8mb4'-',`b`)) VIRTUAL\n"
		    ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_0900_ai_ci");
	ASSERT_STR_EQ(col("c")->generated, "GENERATED ALWAYS AS ((`a` + `b`)) STORED");
	ASSERT_EQ(col("c")->not_null, 1);
	ASSERT_STR_EQ(col("d")->generated,
		      "GENERATED ALWAYS AS (concat(`a`,_utf8mb4'-',`b`)) VIRTUAL");
	ASSERT_STR_EQ(col("d")->type, "varchar(20)");
}

/* ---- indexes ------------------------------------------------------------ */

static void test_index_primary_composite_and_unique(void)
{
	const struct tm_index *x;

	parse_exact("CREATE TABLE `k` (\n"
		    "  `a` int(11) NOT NULL,\n"
		    "  `b` int(11) NOT NULL,\n"
		    "  `name` varchar(64) DEFAULT NULL,\n"
		    "  PRIMARY KEY (`a`,`b`),\n"
		    "  UNIQUE KEY `u` (`name`)\n"
		    MARIADB_TAIL);
	ASSERT_EQ(model.nindexes, 2);
	x = &model.indexes[0];
	ASSERT_EQ(x->kind, TM_PRIMARY);
	ASSERT_TRUE(x->name == NULL);
	ASSERT_EQ(x->ncolumns, 2);
	ASSERT_STR_EQ(x->columns[0], "`a`");
	ASSERT_STR_EQ(x->columns[1], "`b`");
	ASSERT_TRUE(x->options == NULL);
	x = &model.indexes[1];
	ASSERT_EQ(x->kind, TM_UNIQUE);
	ASSERT_STR_EQ(x->name, "u");
	ASSERT_EQ(x->ncolumns, 1);
	ASSERT_STR_EQ(x->columns[0], "`name`");
	/* the body order: three columns, then the two keys */
	ASSERT_EQ(model.nlines, 5);
	ASSERT_EQ(model.lines[3].kind, TM_LINE_INDEX);
	ASSERT_EQ(model.lines[3].index, 0);
	ASSERT_EQ(model.lines[4].index, 1);
}

static void test_index_prefix_lengths_and_desc(void)
{
	const struct tm_index *x;

	parse_exact("CREATE TABLE `k` (\n"
		    "  `a` int(11) NOT NULL,\n"
		    "  `name` varchar(64) DEFAULT NULL,\n"
		    "  `c` int(11) DEFAULT NULL,\n"
		    "  KEY `k_prefix` (`name`(10),`c`),\n"
		    "  KEY `k_desc` (`c` DESC,`a`)\n"
		    MARIADB_TAIL);
	x = &model.indexes[0];
	ASSERT_EQ(x->kind, TM_KEY);
	ASSERT_STR_EQ(x->name, "k_prefix");
	ASSERT_EQ(x->ncolumns, 2);
	ASSERT_STR_EQ(x->columns[0], "`name`(10)");
	ASSERT_STR_EQ(x->columns[1], "`c`");
	x = &model.indexes[1];
	ASSERT_STR_EQ(x->name, "k_desc");
	ASSERT_EQ(x->ncolumns, 2);
	ASSERT_STR_EQ(x->columns[0], "`c` DESC");
	ASSERT_STR_EQ(x->columns[1], "`a`");
}

static void test_index_using_btree_and_comment_are_options(void)
{
	const struct tm_index *x;

	parse_exact("CREATE TABLE `k` (\n"
		    "  `c` int(11) DEFAULT NULL,\n"
		    "  KEY `k_btree` (`c`) USING BTREE COMMENT 'by c, (sorted) ''asc'''\n"
		    MARIADB_TAIL);
	x = &model.indexes[0];
	ASSERT_EQ(x->kind, TM_KEY);
	ASSERT_STR_EQ(x->name, "k_btree");
	ASSERT_EQ(x->ncolumns, 1);
	ASSERT_STR_EQ(x->options, "USING BTREE COMMENT 'by c, (sorted) ''asc'''");
}

static void test_index_fulltext_and_spatial(void)
{
	parse_exact("CREATE TABLE `k` (\n"
		    "  `body` text DEFAULT NULL,\n"
		    "  `g` point NOT NULL,\n"
		    "  SPATIAL KEY `sp` (`g`),\n"
		    "  FULLTEXT KEY `ft` (`body`)\n"
		    MARIADB_TAIL);
	ASSERT_EQ(model.nindexes, 2);
	ASSERT_EQ(model.indexes[0].kind, TM_SPATIAL);
	ASSERT_STR_EQ(model.indexes[0].name, "sp");
	ASSERT_STR_EQ(model.indexes[0].columns[0], "`g`");
	ASSERT_EQ(model.indexes[1].kind, TM_FULLTEXT);
	ASSERT_STR_EQ(model.indexes[1].name, "ft");
	ASSERT_STR_EQ(model.indexes[1].columns[0], "`body`");
}

static void test_index_names_with_backtick_and_unicode(void)
{
	parse_exact("CREATE TABLE `k` (\n"
		    "  `a``b` int(11) DEFAULT NULL,\n"
		    "  `ключ` int(11) DEFAULT NULL,\n"
		    "  KEY `a``b` (`a``b`),\n"
		    "  KEY `ключ` (`ключ`)\n"
		    MARIADB_TAIL);
	ASSERT_EQ(model.nindexes, 2);
	ASSERT_STR_EQ(model.indexes[0].name, "a`b");
	ASSERT_STR_EQ(model.indexes[0].columns[0], "`a``b`");
	ASSERT_STR_EQ(model.indexes[1].name, "ключ");
	ASSERT_STR_EQ(model.indexes[1].columns[0], "`ключ`");
}

/* ---- foreign keys ------------------------------------------------------- */

static void test_foreign_key_single_column(void)
{
	const struct tm_foreign_key *f;

	parse_exact("CREATE TABLE `child` (\n"
		    "  `id` int(11) NOT NULL,\n"
		    "  `pid` int(11) DEFAULT NULL,\n"
		    "  PRIMARY KEY (`id`),\n"
		    "  KEY `fk_single` (`pid`),\n"
		    "  CONSTRAINT `fk_single` FOREIGN KEY (`pid`) REFERENCES `parent` (`id`)\n"
		    MARIADB_TAIL);
	ASSERT_EQ(model.nfks, 1);
	f = &model.fks[0];
	ASSERT_STR_EQ(f->name, "fk_single");
	ASSERT_STR_EQ(f->columns, "(`pid`)");
	ASSERT_STR_EQ(f->ref_table, "`parent`");
	ASSERT_STR_EQ(f->ref_columns, "(`id`)");
	ASSERT_TRUE(f->actions == NULL);
	ASSERT_EQ(model.lines[model.nlines - 1].kind, TM_LINE_FK);
}

static void test_foreign_key_composite_with_actions(void)
{
	const struct tm_foreign_key *f;

	parse_exact("CREATE TABLE `child` (\n"
		    "  `x` int(11) DEFAULT NULL,\n"
		    "  `y` int(11) DEFAULT NULL,\n"
		    "  KEY `fk_comp` (`x`,`y`),\n"
		    "  CONSTRAINT `fk_comp` FOREIGN KEY (`x`, `y`) REFERENCES `parent` (`x`, `y`) ON DELETE CASCADE ON UPDATE SET NULL\n"
		    MARIADB_TAIL);
	ASSERT_EQ(model.nfks, 1);
	f = &model.fks[0];
	ASSERT_STR_EQ(f->name, "fk_comp");
	ASSERT_STR_EQ(f->columns, "(`x`, `y`)");
	ASSERT_STR_EQ(f->ref_table, "`parent`");
	ASSERT_STR_EQ(f->ref_columns, "(`x`, `y`)");
	ASSERT_STR_EQ(f->actions, "ON DELETE CASCADE ON UPDATE SET NULL");
}

/* MariaDB names the database when the parent table is in another one. */
static void test_foreign_key_to_table_in_other_database(void)
{
	const struct tm_foreign_key *f;

	parse_exact("CREATE TABLE `child` (\n"
		    "  `oid` int(11) DEFAULT NULL,\n"
		    "  KEY `fk_other` (`oid`),\n"
		    "  CONSTRAINT `fk_other` FOREIGN KEY (`oid`) REFERENCES `db`.`t` (`id`) ON DELETE CASCADE\n"
		    MARIADB_TAIL);
	ASSERT_EQ(model.nfks, 1);
	f = &model.fks[0];
	ASSERT_STR_EQ(f->name, "fk_other");
	ASSERT_STR_EQ(f->ref_table, "`db`.`t`");
	ASSERT_STR_EQ(f->ref_columns, "(`id`)");
	ASSERT_STR_EQ(f->actions, "ON DELETE CASCADE");
}

/* ---- check constraints -------------------------------------------------- */

static void test_check_constraint_named(void)
{
	parse_exact("CREATE TABLE `chk` (\n"
		    "  `a` int(11) DEFAULT NULL,\n"
		    "  CONSTRAINT `c` CHECK (`a` > 0),\n"
		    "  CONSTRAINT `c``2` CHECK (`a` < 100 and `a` <> 7)\n"
		    MARIADB_TAIL);
	ASSERT_EQ(model.nchecks, 2);
	ASSERT_STR_EQ(model.checks[0].name, "c");
	ASSERT_STR_EQ(model.checks[0].expression, "(`a` > 0)");
	ASSERT_STR_EQ(model.checks[1].name, "c`2");
	ASSERT_STR_EQ(model.checks[1].expression, "(`a` < 100 and `a` <> 7)");
	ASSERT_EQ(model.lines[1].kind, TM_LINE_CHECK);
	ASSERT_EQ(model.lines[2].kind, TM_LINE_CHECK);
	ASSERT_EQ(model.lines[2].index, 1);
}

static void test_json_column_inline_check_stays_in_the_column(void)
{
	const struct tm_column *c;

	parse_exact("CREATE TABLE `chk` (\n"
		    "  `j` longtext CHARACTER SET utf8mb4 COLLATE utf8mb4_bin DEFAULT NULL CHECK (json_valid(`j`))\n"
		    MARIADB_TAIL);
	ASSERT_EQ(model.nchecks, 0);
	c = col("j");
	ASSERT_STR_EQ(c->type, "longtext");
	ASSERT_STR_EQ(c->charset, "utf8mb4");
	ASSERT_STR_EQ(c->collation, "utf8mb4_bin");
	ASSERT_STR_EQ(c->default_value, "NULL");
	ASSERT_STR_EQ(c->clauses[c->nclauses - 1], "CHECK (json_valid(`j`))");
	ASSERT_STR_EQ(joined_clauses(c),
		      "longtext CHARACTER SET utf8mb4 COLLATE utf8mb4_bin DEFAULT NULL CHECK (json_valid(`j`))");
}

/* ---- table options and partitions --------------------------------------- */

static void test_table_options_each_name_and_value(void)
{
	parse_exact("CREATE TABLE `opts` (\n"
		    "  `a` int(11) NOT NULL AUTO_INCREMENT,\n"
		    "  PRIMARY KEY (`a`)\n"
		    ") ENGINE=InnoDB AUTO_INCREMENT=42 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci ROW_FORMAT=DYNAMIC COMMENT='with some spaces, and ''quotes'''");
	ASSERT_EQ(model.noptions, 6);
	ASSERT_STR_EQ(model.options[0].name, "ENGINE");
	ASSERT_STR_EQ(model.options[5].name, "COMMENT");
	ASSERT_STR_EQ(option("ENGINE"), "InnoDB");
	ASSERT_STR_EQ(option("AUTO_INCREMENT"), "42");
	ASSERT_STR_EQ(option("DEFAULT CHARSET"), "utf8mb4");
	ASSERT_STR_EQ(option("COLLATE"), "utf8mb4_unicode_ci");
	ASSERT_STR_EQ(option("ROW_FORMAT"), "DYNAMIC");
	ASSERT_STR_EQ(option("COMMENT"), "'with some spaces, and ''quotes'''");
	ASSERT_STR_EQ(model.options_text,
		      " ENGINE=InnoDB AUTO_INCREMENT=42 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci ROW_FORMAT=DYNAMIC COMMENT='with some spaces, and ''quotes'''");
	ASSERT_TRUE(model.partition == NULL);
}

/* The options line MariaDB prints for a system-versioned table ends in
 * flag words with no "=". */
static void test_table_option_flags_without_value(void)
{
	parse_exact("CREATE TABLE `v` (\n"
		    "  `a` int(11) DEFAULT NULL\n"
		    ") ENGINE=InnoDB DEFAULT CHARSET=latin1 COLLATE=latin1_swedish_ci WITH SYSTEM VERSIONING");
	ASSERT_STR_EQ(option("ENGINE"), "InnoDB");
	ASSERT_TRUE(model.options[model.noptions - 1].value == NULL);
}

static void test_partition_clause_kept_on_following_lines(void)
{
	parse_exact("CREATE TABLE `part` (\n"
		    "  `id` int(11) NOT NULL,\n"
		    "  PRIMARY KEY (`id`)\n"
		    ") ENGINE=InnoDB DEFAULT CHARSET=latin1 COLLATE=latin1_swedish_ci\n"
		    " PARTITION BY RANGE (`id`)\n"
		    "(PARTITION `p0` VALUES LESS THAN (10) ENGINE = InnoDB,\n"
		    " PARTITION `p1` VALUES LESS THAN MAXVALUE ENGINE = InnoDB)");
	ASSERT_STR_EQ(model.partition,
		      " PARTITION BY RANGE (`id`)\n"
		      "(PARTITION `p0` VALUES LESS THAN (10) ENGINE = InnoDB,\n"
		      " PARTITION `p1` VALUES LESS THAN MAXVALUE ENGINE = InnoDB)");
	ASSERT_EQ(model.noptions, 3);
	ASSERT_STR_EQ(option("COLLATE"), "latin1_swedish_ci");
	ASSERT_EQ(model.ncolumns, 1);
	ASSERT_EQ(model.nindexes, 1);
}

/* ---- periods ------------------------------------------------------------ */

/* The texts below are SHOW CREATE TABLE of a MariaDB 10.11.19 server
 * (tests/lib/mariadb.sh). The period lines are those of sql_show.cc's
 * append_period, unchanged in 11.x (mysql-test/suite/period). */

/* The model's periods, one per line, for assertions: "SYSTEM_TIME rs re"
 * or "`p` s e". */
static const char *periods_text(void)
{
	static char buf[512];
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < model.nperiods; i++) {
		const struct tm_period *p = &model.periods[i];

		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s%s%s %s %s",
				      i > 0 ? "\n" : "", p->name ? "`" : "",
				      p->name ? p->name : "SYSTEM_TIME",
				      p->name ? "`" : "", p->start, p->end);
	}
	return buf;
}

/* CREATE TABLE sv (id int NOT NULL PRIMARY KEY, name varchar(40),
 * row_start timestamp(6) GENERATED ALWAYS AS ROW START, row_end ... AS
 * ROW END, PERIOD FOR SYSTEM_TIME (row_start, row_end)) WITH SYSTEM
 * VERSIONING: the server adds row_end to the primary key and prints the
 * period last. */
static void test_period_for_system_time_parsed_and_rendered(void)
{
	parse_exact("CREATE TABLE `sv` (\n"
		    "  `id` int(11) NOT NULL,\n"
		    "  `name` varchar(40) DEFAULT NULL,\n"
		    "  `row_start` timestamp(6) GENERATED ALWAYS AS ROW START,\n"
		    "  `row_end` timestamp(6) GENERATED ALWAYS AS ROW END,\n"
		    "  PRIMARY KEY (`id`,`row_end`),\n"
		    "  PERIOD FOR SYSTEM_TIME (`row_start`, `row_end`)\n"
		    ") ENGINE=InnoDB DEFAULT CHARSET=latin1 COLLATE=latin1_swedish_ci WITH SYSTEM VERSIONING");
	ASSERT_EQ(model.nperiods, 1);
	ASSERT_TRUE(model.periods[0].name == NULL);
	ASSERT_STR_EQ(periods_text(), "SYSTEM_TIME row_start row_end");
	ASSERT_EQ(model.nlines, 6);
	ASSERT_EQ(model.lines[5].kind, TM_LINE_PERIOD);
	ASSERT_EQ(model.lines[5].index, 0);
	ASSERT_EQ(model.ncolumns, 4);
	ASSERT_STR_EQ(col("row_start")->generated, "GENERATED ALWAYS AS ROW START");
	ASSERT_STR_EQ(col("row_end")->generated, "GENERATED ALWAYS AS ROW END");
	ASSERT_STR_EQ(model.indexes[0].columns[1], "`row_end`");
	ASSERT_TRUE(option("WITH SYSTEM VERSIONING") == NULL);
}

/* An application-time period is printed after the columns, before the
 * keys; a key WITHOUT OVERLAPS names it among its columns. */
static void test_application_period_and_key_without_overlaps(void)
{
	parse_exact("CREATE TABLE `app` (\n"
		    "  `id` int(11) NOT NULL,\n"
		    "  `date_from` date NOT NULL,\n"
		    "  `date_to` date NOT NULL,\n"
		    "  `price` decimal(10,2) DEFAULT NULL,\n"
		    "  PERIOD FOR `p` (`date_from`, `date_to`),\n"
		    "  PRIMARY KEY (`id`,`p` WITHOUT OVERLAPS)\n"
		    MARIADB_TAIL);
	ASSERT_STR_EQ(periods_text(), "`p` date_from date_to");
	ASSERT_EQ(model.lines[4].kind, TM_LINE_PERIOD);
	ASSERT_EQ(model.lines[5].kind, TM_LINE_INDEX);
	ASSERT_EQ(model.indexes[0].kind, TM_PRIMARY);
	ASSERT_EQ(model.indexes[0].ncolumns, 2);
	ASSERT_STR_EQ(model.indexes[0].columns[1], "`p` WITHOUT OVERLAPS");
}

/* Both kinds in one table, with every other kind of line: each period
 * keeps its place (the application one after the columns, SYSTEM_TIME
 * after the keys, before the constraints). */
static void test_both_periods_keep_their_places(void)
{
	static const int kinds[] = {
		TM_LINE_COLUMN, TM_LINE_COLUMN, TM_LINE_COLUMN, TM_LINE_COLUMN,
		TM_LINE_COLUMN, TM_LINE_COLUMN, TM_LINE_COLUMN, TM_LINE_PERIOD,
		TM_LINE_INDEX, TM_LINE_INDEX, TM_LINE_INDEX, TM_LINE_PERIOD,
		TM_LINE_FK, TM_LINE_CHECK,
	};
	size_t i;

	parse_exact("CREATE TABLE `svfk` (\n"
		    "  `id` int(11) NOT NULL,\n"
		    "  `pid` int(11) DEFAULT NULL,\n"
		    "  `v` int(11) DEFAULT NULL,\n"
		    "  `rs` timestamp(6) GENERATED ALWAYS AS ROW START,\n"
		    "  `re` timestamp(6) GENERATED ALWAYS AS ROW END,\n"
		    "  `d1` date NOT NULL,\n"
		    "  `d2` date NOT NULL,\n"
		    "  PERIOD FOR `appt` (`d1`, `d2`),\n"
		    "  PRIMARY KEY (`id`,`re`),\n"
		    "  UNIQUE KEY `u` (`id`,`re`,`appt` WITHOUT OVERLAPS),\n"
		    "  KEY `fk` (`pid`),\n"
		    "  PERIOD FOR SYSTEM_TIME (`rs`, `re`),\n"
		    "  CONSTRAINT `fk` FOREIGN KEY (`pid`) REFERENCES `par` (`id`),\n"
		    "  CONSTRAINT `ck` CHECK (`v` > 0)\n"
		    ") ENGINE=InnoDB DEFAULT CHARSET=latin1 COLLATE=latin1_swedish_ci WITH SYSTEM VERSIONING");
	ASSERT_EQ(model.nlines, sizeof(kinds) / sizeof(kinds[0]));
	for (i = 0; i < model.nlines; i++)
		if ((int)model.lines[i].kind != kinds[i])
			CHECK_FAIL("line %zu is kind %d, want %d", i,
				   (int)model.lines[i].kind, kinds[i]);
	ASSERT_STR_EQ(periods_text(), "`appt` d1 d2\nSYSTEM_TIME rs re");
	ASSERT_EQ(model.lines[11].index, 1);
	ASSERT_EQ(model.nfks, 1);
	ASSERT_EQ(model.nchecks, 1);

	/* invisible row start/end columns, and a key between the periods */
	parse_exact("CREATE TABLE `both_` (\n"
		    "  `id` int(11) NOT NULL,\n"
		    "  `d1` date NOT NULL,\n"
		    "  `d2` date NOT NULL,\n"
		    "  `rs` timestamp(6) GENERATED ALWAYS AS ROW START INVISIBLE,\n"
		    "  `re` timestamp(6) GENERATED ALWAYS AS ROW END INVISIBLE,\n"
		    "  PERIOD FOR `valid` (`d1`, `d2`),\n"
		    "  KEY `k` (`id`),\n"
		    "  PERIOD FOR SYSTEM_TIME (`rs`, `re`)\n"
		    ") ENGINE=InnoDB DEFAULT CHARSET=latin1 COLLATE=latin1_swedish_ci WITH SYSTEM VERSIONING");
	ASSERT_STR_EQ(periods_text(), "`valid` d1 d2\nSYSTEM_TIME rs re");
	ASSERT_STR_EQ(joined_clauses(col("rs")),
		      "timestamp(6) GENERATED ALWAYS AS ROW START INVISIBLE");
}

/* Period and column names are names like any other: a space, a raw
 * newline, a backtick. */
static void test_period_names_with_space_newline_and_backtick(void)
{
	parse_exact("CREATE TABLE `app2` (\n"
		    "  `id` int(11) NOT NULL,\n"
		    "  `s` datetime NOT NULL,\n"
		    "  `e` datetime NOT NULL,\n"
		    "  PERIOD FOR `odd period` (`s`, `e`)\n"
		    MARIADB_TAIL);
	ASSERT_STR_EQ(periods_text(), "`odd period` s e");

	parse_exact("CREATE TABLE `pnl` (\n"
		    "  `s\n"
		    "t` date NOT NULL,\n"
		    "  `e` date NOT NULL,\n"
		    "  `v` int(11) DEFAULT NULL,\n"
		    "  PERIOD FOR `p\n"
		    "q` (`s\n"
		    "t`, `e`)\n"
		    MARIADB_TAIL);
	ASSERT_STR_EQ(periods_text(), "`p\nq` s\nt e");
	ASSERT_STR_EQ(col("s\nt")->type, "date");

	/* not from a server: rendered from the model, quoted again */
	free(model.periods[0].name);
	model.periods[0].name = strdup("p`q");
	free(model.periods[0].end);
	model.periods[0].end = strdup("e`");
	ASSERT_CONTAINS(render(), "\n  PERIOD FOR `p``q` (`s\nt`, `e```)\n)");
}

/* A period line not as append_period writes it is kept unparsed, and
 * still renders. */
static void test_period_line_not_as_the_server_writes_it_stays_unparsed(void)
{
	static const char *const lines[] = {
		"PERIOD FOR `p` (`s`,`e`)",
		"PERIOD FOR `p` (`s`, `e`, `x`)",
		"PERIOD FOR `p` (`s`)",
		"PERIOD FOR `p` (s, e)",
		"PERIOD FOR p (`s`, `e`)",
		"PERIOD FOR `p`x (`s`, `e`)",
		"PERIOD FOR `p` (`s`, `e`) WITHOUT OVERLAPS",
		"PERIOD FOR `p`",
		"PERIOD FOR `p` (`s`, `e)",
	};
	char text[512];
	size_t i;

	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		snprintf(text, sizeof(text),
			 "CREATE TABLE `t` (\n"
			 "  `s` date NOT NULL,\n"
			 "  `e` date NOT NULL,\n"
			 "  %s\n"
			 MARIADB_TAIL, lines[i]);
		if (parse(text) != TM_PARTIAL)
			CHECK_FAIL("lines[%zu] (%s) parsed whole", i, lines[i]);
		ASSERT_EQ(model.nperiods, 0);
		ASSERT_EQ(model.nunparsed, 1);
		ASSERT_STR_EQ(model.unparsed[0], lines[i]);
		ASSERT_EQ(model.ncolumns, 2);
		ASSERT_STR_EQ(render(), text);
	}
}

/* A system-versioned table partitioned by SYSTEM_TIME: the period is a
 * line, the partition clause the text after the options. */
static void test_period_in_a_table_partitioned_by_system_time(void)
{
	parse_exact("CREATE TABLE `svp` (\n"
		    "  `id` int(11) DEFAULT NULL,\n"
		    "  `v` varchar(20) DEFAULT NULL,\n"
		    "  `rs` timestamp(6) GENERATED ALWAYS AS ROW START,\n"
		    "  `re` timestamp(6) GENERATED ALWAYS AS ROW END,\n"
		    "  PERIOD FOR SYSTEM_TIME (`rs`, `re`)\n"
		    ") ENGINE=InnoDB DEFAULT CHARSET=latin1 COLLATE=latin1_swedish_ci WITH SYSTEM VERSIONING\n"
		    " PARTITION BY SYSTEM_TIME INTERVAL 1 MONTH STARTS TIMESTAMP'2024-01-01 00:00:00'\n"
		    "PARTITIONS 3");
	ASSERT_STR_EQ(periods_text(), "SYSTEM_TIME rs re");
	ASSERT_STR_EQ(model.partition,
		      " PARTITION BY SYSTEM_TIME INTERVAL 1 MONTH STARTS TIMESTAMP'2024-01-01 00:00:00'\n"
		      "PARTITIONS 3");
}

/* ---- identifiers -------------------------------------------------------- */

static void test_quoted_identifiers_held_unquoted(void)
{
	parse_exact("CREATE TABLE `a``b` (\n"
		    "  `ключ` int(11) DEFAULT NULL,\n"
		    "  `c``d` int(11) DEFAULT NULL,\n"
		    "  ```x y``` int(11) DEFAULT NULL\n"
		    MARIADB_TAIL);
	ASSERT_STR_EQ(model.name, "a`b");
	ASSERT_EQ(model.ncolumns, 3);
	ASSERT_STR_EQ(model.columns[0].name, "ключ");
	ASSERT_STR_EQ(model.columns[1].name, "c`d");
	ASSERT_STR_EQ(model.columns[2].name, "`x y`");

	parse_exact("CREATE TABLE `ключ таблица` (\n"
		    "  `ид` int(11) DEFAULT NULL\n"
		    MARIADB_TAIL);
	ASSERT_STR_EQ(model.name, "ключ таблица");
	ASSERT_STR_EQ(col("ид")->type, "int(11)");
}

/* A backslash escapes in a string, never in a name: `c\` ends at its
 * second backtick, and 'it\'s' does not end at the escaped quote. */
static void test_backslash_ends_no_name_but_escapes_in_strings(void)
{
	parse_exact("CREATE TABLE `t\\` (\n"
		    "  `c\\` varchar(10) DEFAULT 'it\\'s, a (b' COMMENT 'x\\\\',\n"
		    "  KEY `k\\` (`c\\`(5))\n"
		    MARIADB_TAIL);
	ASSERT_STR_EQ(model.name, "t\\");
	ASSERT_STR_EQ(col("c\\")->default_value, "'it\\'s, a (b'");
	ASSERT_STR_EQ(col("c\\")->comment, "'x\\\\'");
	ASSERT_EQ(model.nindexes, 1);
	ASSERT_STR_EQ(model.indexes[0].name, "k\\");
	ASSERT_STR_EQ(model.indexes[0].columns[0], "`c\\`(5)");
}

/* SHOW CREATE TABLE prints a name as it is: a raw newline, tab or
 * carriage return, a multi-byte character (U+2028, a line separator, here)
 * stay in the name, where a string's newline is escaped ('a\nb'). Every
 * kind of line holds such names; the text is a 10.11 server's. */
static void test_names_with_raw_newlines_and_odd_bytes(void)
{
	static const char text[] =
		"CREATE TABLE `nl\n"
		"table` (\n"
		"  `id` int(11) NOT NULL,\n"
		"  `first\n"
		"line` varchar(10) DEFAULT NULL COMMENT 'multi\\nline comment',\n"
		"  `tab\there` int(11) DEFAULT NULL,\n"
		"  `d` varchar(5) DEFAULT 'a\\nb',\n"
		"  `a``b` int(11) DEFAULT NULL,\n"
		"  `cr\rx` int(11) DEFAULT NULL,\n"
		"  `h\xc3\xa9\xe2\x80\xa8z` int(11) DEFAULT NULL,\n"
		"  `pipe) ,x` int(11) DEFAULT NULL,\n"
		"  PRIMARY KEY (`id`),\n"
		"  KEY `ix\n"
		"nl` (`first\n"
		"line`(5),`tab\there`),\n"
		"  KEY `fk\n"
		"x` (`a``b`),\n"
		"  CONSTRAINT `fk\n"
		"x` FOREIGN KEY (`a``b`) REFERENCES `nl\n"
		"table` (`id`),\n"
		"  CONSTRAINT `ck\n"
		"nl` CHECK (`tab\there` > 0)\n"
		") ENGINE=InnoDB DEFAULT CHARSET=latin1 COLLATE=latin1_swedish_ci COMMENT='t\\nc'";

	parse_exact(text);
	ASSERT_STR_EQ(model.name, "nl\ntable");
	ASSERT_EQ(model.ncolumns, 8);
	ASSERT_STR_EQ(model.columns[1].name, "first\nline");
	ASSERT_STR_EQ(col("first\nline")->comment, "'multi\\nline comment'");
	ASSERT_STR_EQ(col("tab\there")->type, "int(11)");
	ASSERT_STR_EQ(col("d")->default_value, "'a\\nb'");
	ASSERT_STR_EQ(col("cr\rx")->type, "int(11)");
	ASSERT_STR_EQ(col("h\xc3\xa9\xe2\x80\xa8z")->type, "int(11)");
	ASSERT_STR_EQ(col("pipe) ,x")->type, "int(11)");
	ASSERT_EQ(model.nindexes, 3);
	ASSERT_STR_EQ(model.indexes[1].name, "ix\nnl");
	ASSERT_EQ(model.indexes[1].ncolumns, 2);
	ASSERT_STR_EQ(model.indexes[1].columns[0], "`first\nline`(5)");
	ASSERT_STR_EQ(model.indexes[1].columns[1], "`tab\there`");
	ASSERT_EQ(model.nfks, 1);
	ASSERT_STR_EQ(model.fks[0].name, "fk\nx");
	ASSERT_STR_EQ(model.fks[0].ref_table, "`nl\ntable`");
	ASSERT_EQ(model.nchecks, 1);
	ASSERT_STR_EQ(model.checks[0].name, "ck\nnl");
	ASSERT_STR_EQ(option("COMMENT"), "'t\\nc'");
	ASSERT_EQ(model.nlines, 13);
}

/* A name's newline followed by what starts a line ("  KEY", ") ENGINE=")
 * starts nothing: a line ends at a newline outside quotes only. */
static void test_name_newline_then_what_looks_like_a_line(void)
{
	parse_exact("CREATE TABLE `odd` (\n"
		    "  `id` int(11) NOT NULL,\n"
		    "  `first\n"
		    "line` varchar(10) DEFAULT NULL,\n"
		    "  `tab\there` int(11) DEFAULT NULL,\n"
		    "  `a\n"
		    "  KEY b` int(11) DEFAULT NULL,\n"
		    "  `c\n"
		    ") ENGINE=x` int(11) DEFAULT NULL,\n"
		    "  PRIMARY KEY (`id`),\n"
		    "  KEY `ix\n"
		    "nl` (`first\n"
		    "line`(5),`tab\there`)\n"
		    MARIADB_TAIL);
	ASSERT_EQ(model.ncolumns, 5);
	ASSERT_STR_EQ(model.columns[3].name, "a\n  KEY b");
	ASSERT_STR_EQ(model.columns[4].name, "c\n) ENGINE=x");
	ASSERT_EQ(model.nindexes, 2);
	ASSERT_EQ(model.noptions, 3);
	ASSERT_STR_EQ(option("ENGINE"), "InnoDB");
}

/* Names are rendered from the model, quoted again, not copied as text. */
static void test_render_quotes_names_from_the_model(void)
{
	parse_exact("CREATE TABLE `t` (\n"
		    "  `a` int(11) DEFAULT NULL,\n"
		    "  KEY `k` (`a`)\n"
		    MARIADB_TAIL);
	free(model.name);
	model.name = strdup("new`name");
	free(model.columns[0].name);
	model.columns[0].name = strdup("ключ`");
	free(model.indexes[0].name);
	model.indexes[0].name = strdup("k`2");
	ASSERT_STR_EQ(render(), "CREATE TABLE `new``name` (\n"
				"  `ключ``` int(11) DEFAULT NULL,\n"
				"  KEY `k``2` (`a`)\n"
				MARIADB_TAIL);
}

static void test_temporary_table(void)
{
	parse_exact("CREATE TEMPORARY TABLE `tmp` (\n"
		    "  `a` int(11) DEFAULT NULL\n"
		    MARIADB_TAIL);
	ASSERT_EQ(model.temporary, 1);
	ASSERT_STR_EQ(model.name, "tmp");
}

/* ---- snapshot files ----------------------------------------------------- */

static void test_snapshot_trailing_semicolon_accepted(void)
{
#define SNAPSHOT_BODY "CREATE TABLE `t` (\n  `a` int(11) DEFAULT NULL\n" MARIADB_TAIL
	static const char body[] = SNAPSHOT_BODY;

	ASSERT_EQ(parse(SNAPSHOT_BODY ";\n"), TM_WHOLE);
	ASSERT_EQ(model.nunparsed, 0);
	ASSERT_STR_EQ(option("COLLATE"), "latin1_swedish_ci");
	ASSERT_TRUE(model.partition == NULL);
	ASSERT_STR_EQ(render(), body);

	/* and after a partition clause */
	ASSERT_EQ(parse("CREATE TABLE `p` (\n"
			"  `id` int(11) NOT NULL\n"
			MARIADB_TAIL "\n"
			" PARTITION BY HASH (`id`)\n"
			"PARTITIONS 4;\n"), TM_WHOLE);
	ASSERT_STR_EQ(model.partition, " PARTITION BY HASH (`id`)\nPARTITIONS 4");
#undef SNAPSHOT_BODY
}


/* Parse a heap copy of exactly len bytes (no NUL after it), so
 * AddressSanitizer catches any read past the length. */
static enum tm_parsed parse_exact_copy(const char *text, size_t len)
{
	char *copy = malloc(len);
	enum tm_parsed rc;

	ASSERT_TRUE(copy != NULL);
	memcpy(copy, text, len);
	reset();
	rc = tablemodel_parse(copy, len, &model);
	free(copy);
	return rc;
}

/* The length given is all the parser may read: no terminating NUL. */
static void test_parse_reads_only_the_given_length(void)
{
	static const char text[] =
		"CREATE TABLE `t` (\n"
		"  `a` int DEFAULT NULL /*!80023 INVISIBLE */,\n"
		"  `b` varchar(10) COLLATE utf8mb4_bin DEFAULT 'x',\n"
		"  KEY `k` (`a`),\n"
		"  CONSTRAINT `c` CHECK ((`a` > 0))\n"
		") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_0900_ai_ci;\n";
	size_t len = sizeof(text) - 1;

	ASSERT_EQ(parse_exact_copy(text, len), TM_WHOLE);
	ASSERT_EQ(model.ncolumns, 2);
	ASSERT_EQ(model.nchecks, 1);
	ASSERT_EQ(strlen(render()), len - 2);
	ASSERT_EQ(memcmp(rendered, text, len - 2), 0);
}

/* ---- failures ----------------------------------------------------------- */

/* A text cut one space into a body line is not a table, and the parse
 * reads no byte past the length to find that out (AddressSanitizer would
 * catch it: the copy is exactly that long). */
static void test_parse_cut_after_one_space_reads_no_further(void)
{
	static const char text[] = "CREATE TABLE `t` (\n  `a` int\n ";

	ASSERT_EQ(parse_exact_copy(text, sizeof(text) - 1), TM_NOT_A_TABLE);
}

static void test_not_create_table_is_not_a_table(void)
{
	static const char *const texts[] = {
		"",
		"SELECT 1",
		"CREATE ALGORITHM=UNDEFINED DEFINER=`root`@`localhost` SQL SECURITY DEFINER VIEW `v` AS select 1 AS `1`",
		"CREATE SEQUENCE `s` start with 1 minvalue 1 maxvalue 9223372036854775806 increment by 1 cache 1000 nocycle ENGINE=InnoDB",
		"CREATE TABLE",
		/* cut short: no ")" line */
		"CREATE TABLE `t` (\n  `a` int(11) DEFAULT NULL,\n",
		"CREATE TABLE `t` (\n  `a` int(11) DEFAULT NULL,\n  KEY `k` (`a`)",
	};
	size_t i;

	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		enum tm_parsed rc = parse(texts[i]);

		if (rc != TM_NOT_A_TABLE)
			CHECK_FAIL("parse(texts[%zu]) = %d, want TM_NOT_A_TABLE", i, rc);
		ASSERT_TRUE(model.name == NULL);
		ASSERT_EQ(model.ncolumns, 0);
		ASSERT_EQ(model.nlines, 0);
	}
}

/* A line the model has no place for (a made-up one: every line MariaDB
 * 10.11 prints has one) is kept whole, in its place, and renders. */
static void test_unknown_body_line_kept_and_rendered(void)
{
	static const char text[] =
		"CREATE TABLE `per` (\n"
		"  `s` date NOT NULL,\n"
		"  `e` date NOT NULL,\n"
		"  FROBNICATE KEY `f` (`s`, `e`),\n"
		"  KEY `ks` (`s`)\n"
		MARIADB_TAIL;

	ASSERT_EQ(parse(text), TM_PARTIAL);
	ASSERT_EQ(model.nunparsed, 1);
	ASSERT_STR_EQ(model.unparsed[0], "FROBNICATE KEY `f` (`s`, `e`)");
	ASSERT_EQ(model.ncolumns, 2);
	ASSERT_EQ(model.nindexes, 1);
	/* kept in its place among the lines */
	ASSERT_EQ(model.nlines, 4);
	ASSERT_EQ(model.lines[2].kind, TM_LINE_OTHER);
	ASSERT_EQ(model.lines[2].index, 0);
	ASSERT_EQ(model.lines[3].kind, TM_LINE_INDEX);
	ASSERT_STR_EQ(render(), text);
}

static void test_unknown_column_clause_returns_one(void)
{
	static const char text[] = "CREATE TABLE `t` (\n"
				   "  `a` int(11) FROBNICATE,\n"
				   "  `b` int(11) DEFAULT NULL\n"
				   MARIADB_TAIL;

	ASSERT_EQ(parse(text), TM_PARTIAL);
	ASSERT_EQ(model.nunparsed, 1);
	ASSERT_STR_EQ(model.unparsed[0], "`a` int(11) FROBNICATE");
	ASSERT_EQ(model.lines[0].kind, TM_LINE_OTHER);
	ASSERT_TRUE(tablemodel_column(&model, "a") == NULL);
	ASSERT_STR_EQ(col("b")->default_value, "NULL");
	ASSERT_STR_EQ(render(), text);
}

/* A quote that never closes is no name of the server's: its line ends at
 * its newline, as read line by line, and the lines after it are read. */
static void test_stray_quote_costs_no_more_than_its_line(void)
{
	static const char text[] =
		"CREATE TABLE `t` (\n"
		"  `a` int(11) FROBNICATE 'x,\n"
		"  `b` int(11) DEFAULT NULL\n"
		MARIADB_TAIL;

	ASSERT_EQ(parse(text), TM_PARTIAL);
	ASSERT_EQ(model.nunparsed, 1);
	ASSERT_STR_EQ(model.unparsed[0], "`a` int(11) FROBNICATE 'x");
	ASSERT_STR_EQ(col("b")->default_value, "NULL");
	ASSERT_STR_EQ(option("ENGINE"), "InnoDB");
	ASSERT_STR_EQ(render(), text);
}

/* MariaDB prints an engine-defined table option with its name quoted:
 * the options line is then not understood, and must be reported. */
static void test_engine_defined_table_option_reported(void)
{
	static const char text[] =
		"CREATE TABLE `pc` (\n"
		"  `a` int(11) DEFAULT NULL\n"
		") ENGINE=InnoDB DEFAULT CHARSET=latin1 COLLATE=latin1_swedish_ci `PAGE_COMPRESSED`='1'";
	enum tm_parsed rc = parse(text);

	ASSERT_STR_EQ(render(), text);
	/* either the option is read, or the line is listed and rc says so */
	ASSERT_EQ(rc, model.nunparsed > 0 ? TM_PARTIAL : TM_WHOLE);
}

/* ---- lookups and threads ------------------------------------------------ */

static void test_column_lookup_by_name(void)
{
	parse_exact("CREATE TABLE `t` (\n"
		    "  `id` int(11) NOT NULL,\n"
		    "  `Name` varchar(10) DEFAULT NULL,\n"
		    "  `a``b` int(11) DEFAULT NULL,\n"
		    "  PRIMARY KEY (`id`)\n"
		    MARIADB_TAIL);
	ASSERT_TRUE(tablemodel_column(&model, "id") == &model.columns[0]);
	ASSERT_TRUE(tablemodel_column(&model, "Name") == &model.columns[1]);
	ASSERT_TRUE(tablemodel_column(&model, "a`b") == &model.columns[2]);
	ASSERT_TRUE(tablemodel_column(&model, "absent") == NULL);
	ASSERT_TRUE(tablemodel_column(&model, "`id`") == NULL);
	ASSERT_TRUE(tablemodel_column(&model, "") == NULL);
	ASSERT_TRUE(tablemodel_column(&model, "PRIMARY") == NULL);
}

static const char thread_text[] =
	"CREATE TABLE `t` (\n"
	"  `id` int(11) NOT NULL AUTO_INCREMENT,\n"
	"  `name` varchar(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin DEFAULT 'x' COMMENT 'a ''quoted'' comment',\n"
	"  PRIMARY KEY (`id`),\n"
	"  CONSTRAINT `c` CHECK (`id` > 0)\n"
	") ENGINE=InnoDB AUTO_INCREMENT=5 DEFAULT CHARSET=latin1 COLLATE=latin1_swedish_ci COMMENT='AUTO_INCREMENT=5'";

static void *parse_many(void *arg)
{
	long bad = 0;
	enum tm_parsed rc;
	int i;

	(void)arg;
	for (i = 0; i < 200; i++) {
		struct table_model m;
		char *back;

		rc = tablemodel_parse(thread_text, strlen(thread_text), &m);
		if (rc == TM_NOT_A_TABLE) {
			bad++;
			continue;
		}
		back = tablemodel_render(&m);
		bad += rc != TM_WHOLE || strcmp(back, thread_text) != 0;
		free(back);
		tablemodel_release(&m);
	}
	return (void *)bad;
}

static void test_parse_is_thread_safe(void)
{
	pthread_t th[4];
	void *bad;
	int i;

	for (i = 0; i < 4; i++)
		ASSERT_EQ(pthread_create(&th[i], NULL, parse_many, NULL), TM_WHOLE);
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(pthread_join(th[i], &bad), 0);
		ASSERT_EQ((long)bad, 0);
	}
}

int main(int argc, char **argv)
{
	CHECK_INIT(argc, argv);
	RUN(test_column_type_keeps_its_modifiers);
	RUN(test_column_not_null_explicit_null_or_neither);
	RUN(test_column_default_values_as_written);
	RUN(test_column_on_update_and_auto_increment);
	RUN(test_column_charset_collation_and_comment);
	RUN(test_column_invisible_mariadb_and_mysql);
	RUN(test_generated_column_mariadb_generated_always);
	RUN(test_generated_column_short_as_form);
	RUN(test_generated_column_mysql_generated_always_stored);
	RUN(test_index_primary_composite_and_unique);
	RUN(test_index_prefix_lengths_and_desc);
	RUN(test_index_using_btree_and_comment_are_options);
	RUN(test_index_fulltext_and_spatial);
	RUN(test_index_names_with_backtick_and_unicode);
	RUN(test_foreign_key_single_column);
	RUN(test_foreign_key_composite_with_actions);
	RUN(test_foreign_key_to_table_in_other_database);
	RUN(test_check_constraint_named);
	RUN(test_json_column_inline_check_stays_in_the_column);
	RUN(test_table_options_each_name_and_value);
	RUN(test_table_option_flags_without_value);
	RUN(test_partition_clause_kept_on_following_lines);
	RUN(test_period_for_system_time_parsed_and_rendered);
	RUN(test_application_period_and_key_without_overlaps);
	RUN(test_both_periods_keep_their_places);
	RUN(test_period_names_with_space_newline_and_backtick);
	RUN(test_period_line_not_as_the_server_writes_it_stays_unparsed);
	RUN(test_period_in_a_table_partitioned_by_system_time);
	RUN(test_quoted_identifiers_held_unquoted);
	RUN(test_backslash_ends_no_name_but_escapes_in_strings);
	RUN(test_names_with_raw_newlines_and_odd_bytes);
	RUN(test_name_newline_then_what_looks_like_a_line);
	RUN(test_render_quotes_names_from_the_model);
	RUN(test_temporary_table);
	RUN(test_snapshot_trailing_semicolon_accepted);
	RUN(test_parse_reads_only_the_given_length);
	RUN(test_parse_cut_after_one_space_reads_no_further);
	RUN(test_not_create_table_is_not_a_table);
	RUN(test_unknown_body_line_kept_and_rendered);
	RUN(test_unknown_column_clause_returns_one);
	RUN(test_stray_quote_costs_no_more_than_its_line);
	RUN(test_engine_defined_table_option_reported);
	RUN(test_column_lookup_by_name);
	RUN(test_parse_is_thread_safe);
	reset();
	return CHECK_EXIT();
}
