/*
 * Unit tests of environments/config: a full fleet file loads with the right
 * values and defaults; every mistake is refused with the file, the line and
 * the key a user needs to fix it. Each test writes its config to a scratch
 * folder and loads it from there.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "environments/config.h"
#include "environments/optionfile.h"
#include "check.h"
#include "testutil.h"

static char *scratch;
static char cfg_path[1100];
static struct fleet_config cfg;
static struct config_error err;

/* Write `text` as the config file and load it. Returns config_load's rc. */
static int load(const char *text)
{
	config_release(&cfg);
	if (file_put_str(cfg_path, text) != 0)
		abort();
	return config_load(cfg_path, &cfg, &err);
}

/*
 * Loading `text` must fail at `line` on `key`, with a message containing
 * `hint`; the config must come back released, and the formatted error must
 * name file, line and key.
 */
static void check_error(const char *text, int line, const char *key,
			const char *hint)
{
	char formatted[2048], want[1300];

	ASSERT_EQ(load(text), -EINVAL);
	ASSERT_STR_EQ(err.key, key);
	ASSERT_CONTAINS(err.message, hint);
	ASSERT_EQ(err.line, line);
	ASSERT_STR_EQ(err.file, cfg_path);
	ASSERT_EQ(cfg.nenvs, 0);
	ASSERT_TRUE(cfg.envs == NULL && cfg.lists == NULL && cfg.path == NULL);
	config_error_format(&err, formatted, sizeof(formatted));
	if (line == 0)
		snprintf(want, sizeof(want), "%s: ", cfg_path);
	else if (key[0] != '\0')
		snprintf(want, sizeof(want), "%s:%d: key '%s': ", cfg_path,
			 line, key);
	else
		snprintf(want, sizeof(want), "%s:%d: ", cfg_path, line);
	ASSERT_CONTAINS(formatted, want);
	ASSERT_CONTAINS(formatted, hint);
}

/* A table list every error case can lean on, so only one thing is wrong. */
#define TABLES_DB "[tables db]\ntables = t1 t2\n"

/* ---- a valid fleet --------------------------------------------------------- */

static const char full_config[] =
	"; rhizome fleet, shaped as SPEC's example\n"               /* 1 */
	"[fleet]\n"                                                 /* 2 */
	"out = environments            ; snapshot root\n"          /* 3 */
	"connect-timeout = 5           ; inherited\n"              /* 4 */
	"read-timeout = 30\n"                                       /* 5 */
	"\n"                                                        /* 6 */
	"[tables billing_bookkeeper]   ; one logical database\n"   /* 7 */
	"tables = fee_summary ledger_entry\n"                       /* 8 */
	"         flyway_schema_history ; whitespace or newline\n" /* 9 */
	"\taudit_log\n"                                             /* 10 */
	"exclude = flyway_schema_history ; never fetched\n"        /* 11 */
	"\n"                                                        /* 12 */
	"[tables billing_event]\n"                                  /* 13 */
	"tables = event outbox\n"                                   /* 14 */
	"exclude =                     ; nothing excluded\n"       /* 15 */
	"\n"                                                        /* 16 */
	"[environment na_prod_billing_bookkeeper]\n"                /* 17 */
	"folder = na_prod              ; snapshot folder\n"        /* 18 */
	"database = billing_bookkeeper ; logical database\n"       /* 19 */
	"schema = bk_prod\n"                                        /* 20 */
	"host = 127.0.0.1\n"                                        /* 21 */
	"port = 3306\n"                                             /* 22 */
	"user = rhizome\n"                                          /* 23 */
	"password-env = RHIZOME_UNIT_PW_NA_PROD ; read from here\n" /* 24 */
	"option-file = ~/.my.cnf       ; optional\n"               /* 25 */
	"option-group = client-na-prod\n"                           /* 26 */
	"pool = 2\n"                                                /* 27 */
	"read-timeout = 90\n"                                       /* 28 */
	"\n"                                                        /* 29 */
	"[environment na_prod_billing_event]\n"                     /* 30 */
	"folder = na_prod\n"                                        /* 31 */
	"database = billing_event\n"                                /* 32 */
	"socket = /run/mysqld/mysqld.sock\n"                        /* 33 */
	"\n"                                                        /* 34 */
	"# a hash comment too\n"                                    /* 35 */
	"[environment dev_billing_bookkeeper]\n"                    /* 36 */
	"folder = dev\n"                                            /* 37 */
	"database = billing_bookkeeper\n"                           /* 38 */
	"write-timeout = 15\n";                                     /* 39 */

static void test_config_loads_full_fleet_with_values_and_defaults(void)
{
	const struct table_list *bk, *ev;
	const struct env_config *e;
	char dir[1100];

	setenv("HOME", "/home/unit-tester", 1);
	if (load(full_config) != 0)
		CHECK_FAIL("load failed: line %d key '%s': %s", err.line, err.key,
			   err.message);
	ASSERT_STR_EQ(cfg.path, cfg_path);
	snprintf(dir, sizeof(dir), "%s/", scratch);
	ASSERT_STR_EQ(cfg.dir, dir);
	ASSERT_STR_EQ(cfg.out, "environments");
	ASSERT_TRUE(cfg.model == NULL && cfg.emplacement == NULL);
	ASSERT_EQ(cfg.workers, 8);

	ASSERT_EQ(cfg.nlists, 2);
	bk = &cfg.lists[0];
	ASSERT_STR_EQ(bk->database, "billing_bookkeeper");
	ASSERT_EQ(bk->line, 7);
	ASSERT_EQ(bk->ntables, 4);
	ASSERT_STR_EQ(bk->tables[0], "fee_summary");
	ASSERT_STR_EQ(bk->tables[1], "ledger_entry");
	ASSERT_STR_EQ(bk->tables[2], "flyway_schema_history");
	ASSERT_STR_EQ(bk->tables[3], "audit_log");
	ASSERT_EQ(bk->nexclude, 1);
	ASSERT_STR_EQ(bk->exclude[0], "flyway_schema_history");
	ASSERT_EQ(bk->neffective, 3);
	ASSERT_STR_EQ(bk->effective[0], "fee_summary");
	ASSERT_STR_EQ(bk->effective[1], "ledger_entry");
	ASSERT_STR_EQ(bk->effective[2], "audit_log");
	ev = &cfg.lists[1];
	ASSERT_STR_EQ(ev->database, "billing_event");
	ASSERT_EQ(ev->ntables, 2);
	ASSERT_EQ(ev->nexclude, 0);
	ASSERT_EQ(ev->neffective, 2);
	ASSERT_STR_EQ(ev->effective[0], "event");
	ASSERT_STR_EQ(ev->effective[1], "outbox");

	ASSERT_EQ(cfg.nenvs, 3);
	e = &cfg.envs[0];
	ASSERT_STR_EQ(e->name, "na_prod_billing_bookkeeper");
	ASSERT_EQ(e->line, 17);
	ASSERT_STR_EQ(e->folder, "na_prod");
	ASSERT_STR_EQ(e->database, "billing_bookkeeper");
	ASSERT_STR_EQ(e->schema, "bk_prod");
	ASSERT_STR_EQ(e->host, "127.0.0.1");
	ASSERT_EQ(e->port, 3306);
	ASSERT_TRUE(e->socket == NULL);
	ASSERT_STR_EQ(e->user, "rhizome");
	ASSERT_STR_EQ(e->password_env, "RHIZOME_UNIT_PW_NA_PROD");
	ASSERT_EQ(e->password_env_line, 24);
	ASSERT_STR_EQ(e->option_file, "/home/unit-tester/.my.cnf");
	ASSERT_STR_EQ(e->option_group, "client-na-prod");
	ASSERT_EQ(e->pool, 2);
	ASSERT_EQ(e->connect_timeout, 5);  /* from [fleet] */
	ASSERT_EQ(e->read_timeout, 90);    /* its own */
	ASSERT_EQ(e->write_timeout, 60);   /* the built-in default */
	ASSERT_TRUE(e->tables == bk);

	e = &cfg.envs[1];
	ASSERT_STR_EQ(e->name, "na_prod_billing_event");
	ASSERT_EQ(e->line, 30);
	ASSERT_STR_EQ(e->schema, "billing_event"); /* defaults to database */
	ASSERT_EQ(e->pool, 4);                    /* default pool */
	ASSERT_TRUE(e->host == NULL && e->user == NULL && e->port == 0);
	ASSERT_TRUE(e->password_env == NULL && e->option_file == NULL);
	ASSERT_STR_EQ(e->socket, "/run/mysqld/mysqld.sock");
	ASSERT_EQ(e->connect_timeout, 5);
	ASSERT_EQ(e->read_timeout, 30);
	ASSERT_EQ(e->write_timeout, 60);
	ASSERT_TRUE(e->tables == ev);

	e = &cfg.envs[2];
	ASSERT_STR_EQ(e->name, "dev_billing_bookkeeper");
	ASSERT_EQ(e->line, 36);
	ASSERT_STR_EQ(e->folder, "dev");
	ASSERT_STR_EQ(e->schema, "billing_bookkeeper");
	ASSERT_EQ(e->connect_timeout, 5);
	ASSERT_EQ(e->read_timeout, 30);
	ASSERT_EQ(e->write_timeout, 15);
	ASSERT_TRUE(e->tables == bk);

	ASSERT_TRUE(config_find_env(&cfg, "na_prod_billing_event") == &cfg.envs[1]);
	ASSERT_TRUE(config_find_env(&cfg, "dev_billing_bookkeeper") == &cfg.envs[2]);
	ASSERT_TRUE(config_find_env(&cfg, "nope") == NULL);
	ASSERT_TRUE(config_find_env(&cfg, "dev_billing") == NULL);
}

/* env-timeout and retries: 0 is a value (no bound, no retry), not "not
 * said"; [fleet] sets the default an environment's own value overrides. */
static void test_config_env_timeout_and_retries_zero_is_a_value(void)
{
	ASSERT_EQ(load(TABLES_DB "[fleet]\nenv-timeout = 600\nretries = 0\n"
		       "[environment e1]\nfolder = f\ndatabase = db\n"
		       "[environment e2]\nfolder = g\ndatabase = db\n"
		       "env-timeout = 0\nretries = 3\n"), 0);
	ASSERT_EQ(cfg.envs[0].env_timeout, 600);
	ASSERT_EQ(cfg.envs[0].retries, 0);
	ASSERT_EQ(cfg.envs[1].env_timeout, 0);
	ASSERT_EQ(cfg.envs[1].retries, 3);
	ASSERT_EQ(load(TABLES_DB "[environment e1]\nfolder = f\ndatabase = db\n"), 0);
	ASSERT_EQ(cfg.envs[0].env_timeout, 0); /* the default: no bound */
	ASSERT_EQ(cfg.envs[0].retries, 2);
	ASSERT_EQ(load(TABLES_DB "[environment e1]\nfolder = f\ndatabase = db\n"
		       "env-timeout = -1\n"), -EINVAL);
	ASSERT_STR_EQ(err.key, "env-timeout");
	ASSERT_EQ(err.line, 6);
}

static void test_config_without_fleet_section_uses_builtin_defaults(void)
{
	const struct env_config *e;

	ASSERT_EQ(load(TABLES_DB "[environment e1]\nfolder = f\ndatabase = db\n"), 0);
	ASSERT_EQ(cfg.workers, 8);
	ASSERT_TRUE(cfg.out == NULL);
	e = &cfg.envs[0];
	ASSERT_EQ(e->pool, 4);
	ASSERT_STR_EQ(e->schema, "db");
	ASSERT_EQ(e->connect_timeout, 10);
	ASSERT_EQ(e->read_timeout, 60);
	ASSERT_EQ(e->write_timeout, 60);
}

static void test_config_fleet_values_apply_even_when_fleet_comes_last(void)
{
	const struct env_config *e;

	ASSERT_EQ(load(TABLES_DB
		       "[environment e1]\nfolder = f\ndatabase = db\n"
		       "[fleet]\nworkers = 16\nwrite-timeout = 7\n"
		       "model = {out}/{folder}/model/{table}.py\n"), 0);
	ASSERT_EQ(cfg.workers, 16);
	ASSERT_STR_EQ(cfg.model, "{out}/{folder}/model/{table}.py");
	e = &cfg.envs[0];
	ASSERT_EQ(e->write_timeout, 7);
	ASSERT_EQ(e->connect_timeout, 10);
}

/* inih r55 passes continuation lines on with their " ; comment" */
static void test_config_inline_comment_on_continuation_line_is_not_a_table(void)
{
	ASSERT_EQ(load("[tables db]\n"
		       "tables = a b ; first line comment\n"
		       "   c ; continuation comment; with words\n"
		       "   d;e\n"
		       "[environment e1]\nfolder = f\ndatabase = db\n"), 0);
	ASSERT_EQ(cfg.lists[0].ntables, 4);
	ASSERT_STR_EQ(cfg.lists[0].tables[0], "a");
	ASSERT_STR_EQ(cfg.lists[0].tables[1], "b");
	ASSERT_STR_EQ(cfg.lists[0].tables[2], "c");
	/* no white space before ';': part of the name, as inih reads it */
	ASSERT_STR_EQ(cfg.lists[0].tables[3], "d;e");
}

/* ---- unknown names --------------------------------------------------------- */

static void test_config_unknown_key_in_environment_names_line_and_key(void)
{
	check_error(TABLES_DB                       /* 1-2 */
		    "[environment e1]\n"            /* 3 */
		    "folder = f\n"                  /* 4 */
		    "database = db\n"               /* 5 */
		    "passwrd-env = X\n",            /* 6 */
		    6, "passwrd-env", "unknown key in [environment e1]");
	/* the message lists what is known, to help fix the typo */
	ASSERT_CONTAINS(err.message, "password-env");
}

static void test_config_unknown_key_in_fleet_names_line_and_key(void)
{
	check_error("[fleet]\n"                      /* 1 */
		    "workers = 4\n"                 /* 2 */
		    "threads = 8\n"                 /* 3 */
		    TABLES_DB
		    "[environment e1]\nfolder = f\ndatabase = db\n",
		    3, "threads", "unknown key in [fleet]");
	ASSERT_CONTAINS(err.message, "workers");
}

static void test_config_unknown_key_in_tables_names_line_and_key(void)
{
	check_error("[tables db]\n"                  /* 1 */
		    "tables = a\n"                  /* 2 */
		    "include = b\n"                 /* 3 */
		    "[environment e1]\nfolder = f\ndatabase = db\n",
		    3, "include", "unknown key in [tables db]");
}

static void test_config_unknown_section_names_its_line(void)
{
	check_error(TABLES_DB                       /* 1-2 */
		    "[environment e1]\n"            /* 3 */
		    "folder = f\n"                  /* 4 */
		    "database = db\n"               /* 5 */
		    "\n"                            /* 6 */
		    "[enviroment e2]\n"             /* 7 */
		    "folder = g\n",                 /* 8 */
		    7, "enviroment e2", "unknown section [enviroment e2]");
}

static void test_config_key_outside_any_section_is_refused(void)
{
	check_error("workers = 8\n" TABLES_DB
		    "[environment e1]\nfolder = f\ndatabase = db\n",
		    1, "workers", "outside any section");
}

static void test_config_line_that_is_not_key_value_is_refused(void)
{
	check_error(TABLES_DB                       /* 1-2 */
		    "[environment e1]\n"            /* 3 */
		    "folder = f\n"                  /* 4 */
		    "this line has no equals sign\n" /* 5 */
		    "database = db\n",
		    5, "", "not a 'key = value' line");
}

/* ---- duplicates ------------------------------------------------------------ */

static void test_config_duplicate_environment_names_second_header_line(void)
{
	check_error(TABLES_DB                       /* 1-2 */
		    "[environment e1]\n"            /* 3 */
		    "folder = f\n"                  /* 4 */
		    "database = db\n"               /* 5 */
		    "\n"                            /* 6 */
		    "[environment e1]\n"            /* 7 */
		    "folder = g\n"                  /* 8 */
		    "database = db\n",              /* 9 */
		    7, "environment e1", "duplicate environment 'e1'");
}

static void test_config_duplicate_table_list_is_refused(void)
{
	check_error(TABLES_DB                       /* 1-2 */
		    "[tables db]\n"                 /* 3 */
		    "tables = t3\n"
		    "[environment e1]\nfolder = f\ndatabase = db\n",
		    3, "tables db", "duplicate table list for database 'db'");
}

static void test_config_key_given_twice_names_second_line(void)
{
	check_error(TABLES_DB                       /* 1-2 */
		    "[environment e1]\n"            /* 3 */
		    "folder = f\n"                  /* 4 */
		    "database = db\n"               /* 5 */
		    "folder = g\n",                 /* 6 */
		    6, "folder", "given twice in [environment e1]");
}

static void test_config_tables_key_given_twice_is_not_a_continuation(void)
{
	check_error("[tables db]\n"                  /* 1 */
		    "tables = a b\n"                /* 2 */
		    "   c\n"                        /* 3: continuation */
		    "tables = d\n"                  /* 4: a second key */
		    "[environment e1]\nfolder = f\ndatabase = db\n",
		    4, "tables", "given twice in [tables db]");
}

static void test_config_table_listed_twice_is_refused(void)
{
	check_error("[tables db]\n"                  /* 1 */
		    "tables = a b\n"                /* 2 */
		    "  a\n"                         /* 3 */
		    "[environment e1]\nfolder = f\ndatabase = db\n",
		    3, "tables", "table 'a' is listed twice");
}

static void test_config_continuation_outside_table_list_is_refused(void)
{
	check_error(TABLES_DB                       /* 1-2 */
		    "[environment e1]\n"            /* 3 */
		    "folder = f\n"                  /* 4 */
		    "  g\n"                         /* 5 */
		    "database = db\n",
		    5, "folder", "only table lists continue");
}

static void test_config_two_environments_writing_same_files_are_refused(void)
{
	check_error(TABLES_DB                       /* 1-2 */
		    "[environment na_prod_a]\n"     /* 3 */
		    "folder = na_prod\n"            /* 4 */
		    "database = db\n"               /* 5 */
		    "[environment na_prod_b]\n"     /* 6 */
		    "folder = na_prod\n"            /* 7 */
		    "database = db\n",              /* 8 */
		    6, "folder", "would write the same files");
	ASSERT_CONTAINS(err.message, "'na_prod_a'");
	ASSERT_CONTAINS(err.message, "'na_prod_b'");
	ASSERT_CONTAINS(err.message, "folder 'na_prod'");
}

/* ---- missing pieces -------------------------------------------------------- */

static void test_config_environment_without_table_list_names_env_line(void)
{
	check_error(TABLES_DB                       /* 1-2 */
		    "\n"                            /* 3 */
		    "[environment e1]\n"            /* 4 */
		    "folder = f\n"                  /* 5 */
		    "database = other\n",           /* 6 */
		    4, "database", "no [tables other] list");
	ASSERT_CONTAINS(err.message, "environment e1");
}

static void test_config_table_list_without_tables_is_refused(void)
{
	check_error("[tables db]\n"                  /* 1 */
		    "exclude = a\n"
		    "[environment e1]\nfolder = f\ndatabase = db\n",
		    1, "tables", "lists no tables");
}

static void test_config_environment_without_folder_or_database_is_refused(void)
{
	check_error(TABLES_DB "[environment e1]\ndatabase = db\n",
		    3, "folder", "has no folder");
	check_error(TABLES_DB "[environment e1]\nfolder = f\n",
		    3, "database", "has no database");
}

static void test_config_without_environments_is_refused(void)
{
	check_error(TABLES_DB, 0, "", "no [environment NAME] section");
}

/* ---- names that would leave the snapshot root ------------------------------ */

static void test_config_folder_dotdot_is_refused(void)
{
	check_error(TABLES_DB "[environment e1]\nfolder = ..\ndatabase = db\n",
		    4, "folder", "not a safe file name");
	ASSERT_CONTAINS(err.message, "'..'");
	check_error(TABLES_DB "[environment e1]\nfolder = .\ndatabase = db\n",
		    4, "folder", "not a safe file name");
}

static void test_config_folder_with_slash_is_refused(void)
{
	check_error(TABLES_DB "[environment e1]\nfolder = na/prod\ndatabase = db\n",
		    4, "folder", "not a safe file name");
	check_error(TABLES_DB "[environment e1]\nfolder = /etc\ndatabase = db\n",
		    4, "folder", "not a safe file name");
	check_error(TABLES_DB "[environment e1]\nfolder = ../up\ndatabase = db\n",
		    4, "folder", "not a safe file name");
}

static void test_config_database_dotdot_is_refused(void)
{
	check_error(TABLES_DB "[environment e1]\nfolder = f\ndatabase = ..\n",
		    5, "database", "not a safe file name");
	check_error("[tables ../x]\ntables = a\n"
		    "[environment e1]\nfolder = f\ndatabase = db\n",
		    1, "tables ../x", "database name '../x' is not a safe");
}

static void test_config_table_name_dotdot_is_refused(void)
{
	check_error("[tables db]\n"                  /* 1 */
		    "tables = a .. b\n"             /* 2 */
		    "[environment e1]\nfolder = f\ndatabase = db\n",
		    2, "tables", "table name '..' is not usable");
	/* on a continuation line, that line is named */
	check_error("[tables db]\n"                  /* 1 */
		    "tables = a b\n"                /* 2 */
		    "         c\n"                  /* 3 */
		    "         d/e\n"                /* 4 */
		    "[environment e1]\nfolder = f\ndatabase = db\n",
		    4, "tables", "table name 'd/e' is not usable");
	check_error("[tables db]\ntables = a\nexclude = ..\n"
		    "[environment e1]\nfolder = f\ndatabase = db\n",
		    3, "exclude", "table name '..' is not usable");
}

static void test_config_environment_name_with_slash_is_refused(void)
{
	check_error(TABLES_DB                       /* 1-2 */
		    "[environment na/prod]\n"       /* 3 */
		    "folder = f\ndatabase = db\n",
		    3, "environment na/prod",
		    "environment name 'na/prod' is not a safe file name");
	check_error(TABLES_DB "[environment ..]\nfolder = f\ndatabase = db\n",
		    3, "environment ..", "environment name '..' is not a safe");
}

/* ---- secrets and numbers --------------------------------------------------- */

static void test_config_password_key_is_refused_without_echoing_it(void)
{
	static const char secret[] = "hunter2-Sup3rS3cret";
	char text[512], formatted[2048];

	snprintf(text, sizeof(text),
		 TABLES_DB                               /* 1-2 */
		 "[environment e1]\n"                    /* 3 */
		 "folder = f\n"                          /* 4 */
		 "database = db\n"                       /* 5 */
		 "password = %s\n", secret);             /* 6 */
	check_error(text, 6, "password", "password-env");
	config_error_format(&err, formatted, sizeof(formatted));
	ASSERT_TRUE(strstr(err.message, secret) == NULL);
	ASSERT_TRUE(strstr(err.key, secret) == NULL);
	ASSERT_TRUE(strstr(formatted, secret) == NULL);
	ASSERT_TRUE(strstr(formatted, "hunter2") == NULL);
}

static void test_config_non_numeric_port_is_refused(void)
{
	check_error(TABLES_DB "[environment e1]\nfolder = f\ndatabase = db\n"
		    "port = 33o6\n",
		    6, "port", "'33o6' is not a whole number from 1 to 65535");
	check_error(TABLES_DB "[environment e1]\nfolder = f\ndatabase = db\n"
		    "port = 70000\n",
		    6, "port", "'70000' is not a whole number");
	check_error(TABLES_DB "[environment e1]\nfolder = f\ndatabase = db\n"
		    "port = -1\n",
		    6, "port", "'-1' is not a whole number");
}

static void test_config_pool_zero_is_refused(void)
{
	check_error(TABLES_DB "[environment e1]\nfolder = f\ndatabase = db\n"
		    "pool = 0\n",
		    6, "pool", "'0' is not a whole number from 1 to 256");
}

static void test_config_workers_zero_is_refused(void)
{
	check_error("[fleet]\nworkers = 0\n" TABLES_DB
		    "[environment e1]\nfolder = f\ndatabase = db\n",
		    2, "workers", "'0' is not a whole number from 1");
}

/* ---- the file itself ------------------------------------------------------- */

static void test_config_line_longer_than_inih_limit_is_refused(void)
{
	size_t n = 20000, i;
	char *text = malloc(n + 200);
	char *p = text;

	ASSERT_TRUE(text != NULL);
	p += sprintf(p, "[tables db]\ntables =");        /* line 1, then 2 */
	for (i = 0; (size_t)(p - text) < n; i++)
		p += sprintf(p, " t%05zu", i);
	p += sprintf(p, "\n[environment e1]\nfolder = f\ndatabase = db\n");
	ASSERT_EQ(load(text), -EINVAL);
	free(text);
	ASSERT_EQ(err.line, 2);
	ASSERT_STR_EQ(err.key, "");
	ASSERT_CONTAINS(err.message, "line longer than");
	ASSERT_CONTAINS(err.message, "indented lines");
}

static void test_config_missing_file_reports_line_zero_and_os_error(void)
{
	char path[1200], formatted[2048];

	snprintf(path, sizeof(path), "%s/no-such-dir/rhizome.cnf", scratch);
	config_release(&cfg);
	ASSERT_EQ(config_load(path, &cfg, &err), -ENOENT);
	ASSERT_EQ(err.line, 0);
	ASSERT_STR_EQ(err.key, "");
	ASSERT_STR_EQ(err.file, path);
	ASSERT_CONTAINS(err.message, strerror(ENOENT));
	ASSERT_TRUE(cfg.path == NULL && cfg.nenvs == 0);
	config_error_format(&err, formatted, sizeof(formatted));
	ASSERT_CONTAINS(formatted, path);
	ASSERT_CONTAINS(formatted, strerror(ENOENT));
}

/* ---- password variable ----------------------------------------------------- */

static void test_config_check_password_names_unset_variable_and_its_line(void)
{
	struct config_error perr;
	const struct env_config *e;

	ASSERT_EQ(load(full_config), 0);
	e = config_find_env(&cfg, "na_prod_billing_bookkeeper");
	ASSERT_TRUE(e != NULL);
	unsetenv("RHIZOME_UNIT_PW_NA_PROD");
	ASSERT_EQ(config_check_password(&cfg, e, &perr), -EINVAL);
	ASSERT_EQ(perr.line, 24);
	ASSERT_STR_EQ(perr.key, "password-env");
	ASSERT_STR_EQ(perr.file, cfg_path);
	ASSERT_CONTAINS(perr.message, "RHIZOME_UNIT_PW_NA_PROD");
	ASSERT_CONTAINS(perr.message, "na_prod_billing_bookkeeper");
	ASSERT_CONTAINS(perr.message, "not set");

	setenv("RHIZOME_UNIT_PW_NA_PROD", "s3cret", 1);
	ASSERT_EQ(config_check_password(&cfg, e, &perr), 0);
	unsetenv("RHIZOME_UNIT_PW_NA_PROD");

	/* no password-env: nothing to check */
	e = config_find_env(&cfg, "na_prod_billing_event");
	ASSERT_TRUE(e != NULL);
	ASSERT_EQ(config_check_password(&cfg, e, &perr), 0);
}

static void test_config_password_env_must_be_a_variable_name(void)
{
	check_error(TABLES_DB "[environment e1]\nfolder = f\ndatabase = db\n"
		    "password-env = $HOME\n",
		    6, "password-env", "not an environment variable name");
}

/* ---- helpers --------------------------------------------------------------- */

static void test_config_indented_key_in_table_list_is_refused(void)
{
	check_error("[tables db]\ntables = t1 t2\n   exclude = t2\n"
		    "[environment e]\nfolder = f\ndatabase = db\n",
		    3, "tables", "indented 'name = value' line");
}

static void test_config_environment_name_not_utf8_is_refused(void)
{
	check_error(TABLES_DB "[environment bad\xff\xfename]\nfolder = f\n"
		    "database = db\n", 3, "environment bad\xff\xfename",
		    "not a safe file name");
}

static void test_config_environment_name_with_overlong_utf8_is_refused(void)
{
	/* E0 9F BF is U+07FF in three bytes where two would do: well-formed
	 * at a glance, refused by the one validator (engine/base/utf8.c) */
	check_error(TABLES_DB "[environment env\xe0\x9f\xbf]\nfolder = f\n"
		    "database = db\n", 3, "environment env\xe0\x9f\xbf",
		    "environment name 'env\xe0\x9f\xbf' is not a safe file name");
}

/* A relative option-file is relative to the config's folder, as `out` is:
 * not to wherever the scheduler starts rhizome. */
static void test_config_relative_option_file_is_relative_to_the_config(void)
{
	char want[1200];

	ASSERT_EQ(load(TABLES_DB "[environment e]\nfolder = f\ndatabase = db\n"
		       "host = h\noption-file = conf/client.cnf\n"), 0);
	snprintf(want, sizeof(want), "%s/conf/client.cnf", scratch);
	ASSERT_STR_EQ(cfg.envs[0].option_file, want);
	ASSERT_EQ(cfg.envs[0].option_file_line, 7);
}

/* Before contact: no host or socket anywhere, or an option group without
 * an option file, is refused with the line to fix. */
static void test_config_check_connection_refuses_what_would_fall_back(void)
{
	ASSERT_EQ(load(TABLES_DB "[environment e]\nfolder = f\ndatabase = db\n"), 0);
	ASSERT_EQ(config_check_connection(&cfg, &cfg.envs[0], NULL, &err), -EINVAL);
	ASSERT_EQ(err.line, 3);
	ASSERT_CONTAINS(err.message, "names no host and no socket");

	ASSERT_EQ(load(TABLES_DB "[environment e]\nfolder = f\ndatabase = db\n"
		       "host = h\noption-group = client\n"), 0);
	ASSERT_EQ(config_check_connection(&cfg, &cfg.envs[0], NULL, &err), -EINVAL);
	ASSERT_EQ(err.line, 7);
	ASSERT_STR_EQ(err.key, "option-group");

	ASSERT_EQ(load(TABLES_DB "[environment e]\nfolder = f\ndatabase = db\n"
		       "socket = /run/s.sock\n"), 0);
	ASSERT_EQ(config_check_connection(&cfg, &cfg.envs[0], NULL, &err), 0);
}

/* tls: preferred unless said; tls-ca alone means verify-ca; [fleet] holds
 * defaults an environment's own keys override; paths are relative to the
 * config; a bad mode is refused with its line. */
static void test_config_tls_modes_defaults_and_inheritance(void)
{
	char want[1200];

	ASSERT_EQ(load("[fleet]\ntls = verify-identity\ntls-ca = ca.pem\n"  /* 1-3 */
		       TABLES_DB                                          /* 4-5 */
		       "[environment a]\nfolder = a\ndatabase = db\n"     /* 6-8 */
		       "[environment b]\nfolder = b\ndatabase = db\n"     /* 9-11 */
		       "tls = disabled\n"), 0);                           /* 12 */
	ASSERT_EQ(cfg.envs[0].tls.mode, TLS_VERIFY_IDENTITY);
	ASSERT_EQ(cfg.envs[0].tls.mode_line, 2);
	snprintf(want, sizeof(want), "%s/ca.pem", scratch);
	ASSERT_STR_EQ(cfg.envs[0].tls.ca, want);
	ASSERT_EQ(cfg.envs[0].tls.ca_line, 3);
	ASSERT_EQ(cfg.envs[1].tls.mode, TLS_DISABLED);
	ASSERT_EQ(cfg.envs[1].tls.mode_line, 12);
	ASSERT_STR_EQ(config_tls_name(cfg.envs[1].tls.mode), "disabled");

	ASSERT_EQ(load(TABLES_DB "[environment a]\nfolder = a\ndatabase = db\n"
		       "[environment b]\nfolder = b\ndatabase = db\n"
		       "tls-ca = /etc/ca.pem\n"), 0);
	ASSERT_EQ(cfg.envs[0].tls.mode, TLS_PREFERRED);
	ASSERT_EQ(cfg.envs[1].tls.mode, TLS_VERIFY_CA);

	check_error(TABLES_DB "[environment a]\nfolder = a\ndatabase = db\n"
		    "tls = on\n", 6, "tls",
		    "'on' is not disabled, preferred, required, verify-ca or "
		    "verify-identity");
}

/* What an option file says raises the mode, never lowers it. */
static void test_config_tls_effective_mode_counts_the_option_file(void)
{
	struct optionfile_facts f;

	ASSERT_EQ(load(TABLES_DB "[environment a]\nfolder = a\ndatabase = db\n"), 0);
	memset(&f, 0, sizeof(f));
	ASSERT_EQ(config_tls_effective(&cfg.envs[0], NULL), TLS_PREFERRED);
	f.tls = 1;
	ASSERT_EQ(config_tls_effective(&cfg.envs[0], &f), TLS_REQUIRED);
	f.tls_verify = 1;
	ASSERT_EQ(config_tls_effective(&cfg.envs[0], &f), TLS_VERIFY_CA);
	ASSERT_EQ(load(TABLES_DB "[environment a]\nfolder = a\ndatabase = db\n"
		       "tls = verify-identity\n"), 0);
	ASSERT_EQ(config_tls_effective(&cfg.envs[0], &f), TLS_VERIFY_IDENTITY);
}

/* Before contact: TLS settings that cannot hold are refused with the key
 * and line to fix. */
static void test_config_check_connection_refuses_incoherent_tls(void)
{
	char ca[1200];

	snprintf(ca, sizeof(ca), "%s/ca.pem", scratch);
	ASSERT_EQ(file_put_str(ca, "not really a certificate\n"), 0);
	ASSERT_EQ(load(TABLES_DB "[environment a]\nfolder = a\ndatabase = db\n"
		       "host = h\ntls = verify-ca\n"), 0);
	ASSERT_EQ(config_check_connection(&cfg, &cfg.envs[0], NULL, &err), -EINVAL);
	ASSERT_STR_EQ(err.key, "tls");
	ASSERT_EQ(err.line, 7);
	ASSERT_CONTAINS(err.message, "verify-ca needs tls-ca");

	ASSERT_EQ(load(TABLES_DB "[environment a]\nfolder = a\ndatabase = db\n"
		       "host = h\ntls-ca = nowhere.pem\n"), 0);
	ASSERT_EQ(config_check_connection(&cfg, &cfg.envs[0], NULL, &err), -EINVAL);
	ASSERT_STR_EQ(err.key, "tls-ca");
	ASSERT_CONTAINS(err.message, "nowhere.pem: No such file or directory");

	ASSERT_EQ(load(TABLES_DB "[environment a]\nfolder = a\ndatabase = db\n"
		       "host = h\ntls-key = ca.pem\n"), 0);
	ASSERT_EQ(config_check_connection(&cfg, &cfg.envs[0], NULL, &err), -EINVAL);
	ASSERT_STR_EQ(err.key, "tls-key");
	ASSERT_CONTAINS(err.message, "tls-cert and tls-key go together");

	ASSERT_EQ(load(TABLES_DB "[environment a]\nfolder = a\ndatabase = db\n"
		       "host = h\ntls-ca = ca.pem\n"), 0);
	ASSERT_EQ(config_check_connection(&cfg, &cfg.envs[0], NULL, &err), 0);
	ASSERT_EQ(setenv("MARIADB_TLS_DISABLE_PEER_VERIFICATION", "1", 1), 0);
	ASSERT_EQ(config_check_connection(&cfg, &cfg.envs[0], NULL, &err), -EINVAL);
	unsetenv("MARIADB_TLS_DISABLE_PEER_VERIFICATION");
	ASSERT_STR_EQ(err.key, "tls");
	ASSERT_EQ(err.line, 7);
	ASSERT_CONTAINS(err.message, "MARIADB_TLS_DISABLE_PEER_VERIFICATION is set");
}

static void test_config_databases_spelling_the_same_file_name_are_refused(void)
{
	/* billing + event_outbox and billing_event + outbox are both
	 * billing_event_outbox.sql in folder f. */
	check_error("[tables billing]\ntables = invoice event_outbox\n"
		    "[tables billing_event]\ntables = outbox\n"
		    "[environment a]\nfolder = f\ndatabase = billing\n"
		    "[environment b]\nfolder = f\ndatabase = billing_event\n",
		    8, "database", "would both write f/expected_data/billing_event_outbox.sql");
	/* in different folders they do not clash */
	ASSERT_EQ(load("[tables billing]\ntables = invoice event_outbox\n"
		       "[tables billing_event]\ntables = outbox\n"
		       "[environment a]\nfolder = f\ndatabase = billing\n"
		       "[environment b]\nfolder = g\ndatabase = billing_event\n"), 0);
}

/* A fleet of one `dblen`-byte database with one 64-byte table, in text. */
static void long_names_fleet(char *text, size_t size, int dblen)
{
	char name[65];

	memset(name, 'x', 64);
	name[64] = '\0';
	snprintf(text, size, "[tables %0*d]\ntables = %s\n[environment e]\n"
		 "folder = f\ndatabase = %0*d\n", dblen, 0, name, dblen, 0);
}

static void test_config_table_name_too_long_for_a_file_name_is_refused(void)
{
	char text[1024];

	/* 180-byte database + 64-byte table: over 255 with ".json" and the
	 * temporary file's affixes */
	long_names_fleet(text, sizeof(text), 180);
	check_error(text, 1, "tables", "longer than the file system allows");
}

static void test_config_table_file_name_may_take_255_bytes_with_temporary_affixes(void)
{
	char text[1024];

	/* 143 + "_" + 64 + ".json" + 42 bytes of temporary prefix and suffix
	 * (".rhizome-tmp.", "." pid of 7 digits, "-" counter of 20) is 255 */
	long_names_fleet(text, sizeof(text), 143);
	ASSERT_EQ(load(text), 0);
	long_names_fleet(text, sizeof(text), 144);
	check_error(text, 1, "tables", "longer than the file system allows");
}

static void test_config_password_put_in_password_env_is_not_echoed(void)
{
	static const char secret[] = "hunter2-secret";
	char text[512];

	snprintf(text, sizeof(text), TABLES_DB "[environment e]\nfolder = f\n"
		 "database = db\npassword-env = %s\n", secret);
	check_error(text, 6, "password-env", "not an environment variable name");
	ASSERT_TRUE(strstr(err.message, secret) == NULL);
	/* a lower-case word passes as a variable name, but is not repeated
	 * when the variable is unset */
	unsetenv("hunter2");
	ASSERT_EQ(load(TABLES_DB "[environment e]\nfolder = f\ndatabase = db\n"
		       "password-env = hunter2\n"), 0);
	ASSERT_EQ(config_check_password(&cfg, &cfg.envs[0], &err), -EINVAL);
	ASSERT_CONTAINS(err.message, "not set");
	ASSERT_TRUE(strstr(err.message, "hunter2") == NULL);
}

/* ---- [mask] ------------------------------------------------------------------ */

#define ENV_DB "[environment e1]\nfolder = f\ndatabase = db\n"

static void test_config_mask_rules_load_in_order_with_parts_right_aligned(void)
{
	const struct mask_rule *r;

	if (load("[mask]\n"                                 /* 1 */
		 "key-env = RHIZOME_UNIT_MASK_KEY\n"        /* 2 */
		 "email = hash\n"                           /* 3 */
		 "t.c = null\n"                             /* 4 */
		 "d.t.c = constant:a b\n"                   /* 5 */
		 "billing_address.* = constant:\n"          /* 6 */
		 TABLES_DB ENV_DB) != 0)
		CHECK_FAIL("load failed: line %d key '%s': %s", err.line, err.key,
			   err.message);
	ASSERT_STR_EQ(cfg.mask_key_env, "RHIZOME_UNIT_MASK_KEY");
	ASSERT_EQ(cfg.mask_key_env_line, 2);
	ASSERT_EQ(cfg.nmask_rules, 4);

	r = &cfg.mask_rules[0];
	ASSERT_STR_EQ(r->pattern, "email");
	ASSERT_TRUE(r->parts[0] == NULL && r->parts[1] == NULL);
	ASSERT_STR_EQ(r->parts[2], "email");
	ASSERT_EQ(r->method, MASK_HASH);
	ASSERT_TRUE(r->constant == NULL);
	ASSERT_EQ(r->line, 3);

	r = &cfg.mask_rules[1];
	ASSERT_STR_EQ(r->pattern, "t.c");
	ASSERT_TRUE(r->parts[0] == NULL);
	ASSERT_STR_EQ(r->parts[1], "t");
	ASSERT_STR_EQ(r->parts[2], "c");
	ASSERT_EQ(r->method, MASK_NULL);
	ASSERT_TRUE(r->constant == NULL);
	ASSERT_EQ(r->line, 4);

	r = &cfg.mask_rules[2];
	ASSERT_STR_EQ(r->pattern, "d.t.c");
	ASSERT_STR_EQ(r->parts[0], "d");
	ASSERT_STR_EQ(r->parts[1], "t");
	ASSERT_STR_EQ(r->parts[2], "c");
	ASSERT_EQ(r->method, MASK_CONSTANT);
	ASSERT_STR_EQ(r->constant, "a b");
	ASSERT_EQ(r->line, 5);

	r = &cfg.mask_rules[3];
	ASSERT_STR_EQ(r->pattern, "billing_address.*");
	ASSERT_TRUE(r->parts[0] == NULL);
	ASSERT_STR_EQ(r->parts[1], "billing_address");
	ASSERT_STR_EQ(r->parts[2], "*");
	ASSERT_EQ(r->method, MASK_CONSTANT);
	ASSERT_STR_EQ(r->constant, "");
	ASSERT_EQ(r->line, 6);
}

static void test_config_without_mask_section_has_no_rules(void)
{
	ASSERT_EQ(load(TABLES_DB ENV_DB), 0);
	ASSERT_EQ(cfg.nmask_rules, 0);
	ASSERT_TRUE(cfg.mask_rules == NULL && cfg.mask_key_env == NULL);
	ASSERT_EQ(cfg.envs[0].mask, MASK_OPTIONAL);
}

static void test_config_mask_unknown_method_names_line_and_pattern(void)
{
	check_error("[mask]\n"                               /* 1 */
		    "phone = null\n"                         /* 2 */
		    "email = scramble\n"                     /* 3 */
		    TABLES_DB ENV_DB,
		    3, "email", "'scramble' is not a masking method");
	check_error("[mask]\nemail = Hash\n" TABLES_DB ENV_DB,
		    2, "email", "'Hash' is not a masking method");
}

static void test_config_mask_pattern_with_too_many_parts_is_refused(void)
{
	check_error("[mask]\na.b.c.d = null\n" TABLES_DB ENV_DB,
		    2, "a.b.c.d", "database.table.column");
}

static void test_config_mask_pattern_with_empty_part_is_refused(void)
{
	check_error("[mask]\na..b = null\n" TABLES_DB ENV_DB,
		    2, "a..b", "empty part");
	check_error("[mask]\n.a = null\n" TABLES_DB ENV_DB,
		    2, ".a", "empty part");
	check_error("[mask]\na. = null\n" TABLES_DB ENV_DB,
		    2, "a.", "empty part");
}

static void test_config_mask_hash_without_key_env_names_the_rule(void)
{
	check_error("[mask]\n"                               /* 1 */
		    "phone = null\n"                         /* 2 */
		    "billing.*.email = hash\n"               /* 3 */
		    TABLES_DB ENV_DB,
		    3, "billing.*.email", "key-env");
	/* key-env after the rule is fine: the whole section is read first */
	ASSERT_EQ(load("[mask]\nemail = hash\nkey-env = RHIZOME_UNIT_MASK_KEY\n"
		       TABLES_DB ENV_DB), 0);
	ASSERT_EQ(cfg.mask_key_env_line, 3);
	/* without a hash rule, no key is needed */
	ASSERT_EQ(load("[mask]\nemail = null\nphone = constant:0\n"
		       TABLES_DB ENV_DB), 0);
	ASSERT_TRUE(cfg.mask_key_env == NULL);
}

static void test_config_duplicate_mask_section_is_refused(void)
{
	check_error("[mask]\n"                               /* 1 */
		    "email = null\n"                         /* 2 */
		    TABLES_DB                                /* 3-4 */
		    "[mask]\n"                               /* 5 */
		    "phone = null\n"
		    ENV_DB,
		    5, "mask", "duplicate section [mask]");
}

static void test_config_environment_mask_must_be_required_or_optional(void)
{
	check_error(TABLES_DB ENV_DB "mask = sometimes\n",   /* 6 */
		    6, "mask", "'sometimes' is not 'required', 'optional' or 'none'");
}

static void test_config_environment_mask_required_sets_the_flag(void)
{
	ASSERT_EQ(load(TABLES_DB
		       "[environment e1]\nfolder = f1\ndatabase = db\n"
		       "mask = required\n"
		       "[environment e2]\nfolder = f2\ndatabase = db\n"
		       "mask = optional\n"
		       "[environment e3]\nfolder = f3\ndatabase = db\n"
		       "[environment e4]\nfolder = f4\ndatabase = db\n"
		       "mask = none\n"), 0);
	ASSERT_EQ(cfg.nenvs, 4);
	ASSERT_EQ(cfg.envs[0].mask, MASK_REQUIRED);
	ASSERT_EQ(cfg.envs[1].mask, MASK_OPTIONAL);
	ASSERT_EQ(cfg.envs[2].mask, MASK_OPTIONAL); /* the default */
	ASSERT_EQ(cfg.envs[3].mask, MASK_OFF);
}

/* Production is masked by default: `prod` in the name or the folder, or
 * `sensitive = yes`, makes masking required unless the section says
 * otherwise, and `mask = none` is refused there. */
static void test_config_sensitive_environments_require_masking_by_default(void)
{
	ASSERT_EQ(load(TABLES_DB
		       "[environment na_prod_db]\nfolder = f1\ndatabase = db\n"
		       "[environment eu]\nfolder = eu_prod\ndatabase = db\n"
		       "[environment vault]\nfolder = f3\ndatabase = db\n"
		       "sensitive = yes\n"
		       "[environment PROD2]\nfolder = f4\ndatabase = db\n"
		       "mask = optional\n"
		       "[environment product_catalog]\nfolder = f5\ndatabase = db\n"
		       "sensitive = no\n"
		       "[environment dev]\nfolder = f6\ndatabase = db\n"), 0);
	ASSERT_EQ(cfg.envs[0].mask, MASK_REQUIRED);
	ASSERT_EQ(cfg.envs[1].mask, MASK_REQUIRED);
	ASSERT_EQ(cfg.envs[2].mask, MASK_REQUIRED);
	ASSERT_EQ(cfg.envs[3].mask, MASK_OPTIONAL);  /* its own section says so */
	ASSERT_TRUE(cfg.envs[3].sensitive);
	ASSERT_EQ(cfg.envs[4].mask, MASK_OPTIONAL);  /* sensitive = no */
	ASSERT_EQ(cfg.envs[5].mask, MASK_OPTIONAL);

	check_error(TABLES_DB "[environment na_prod]\nfolder = f\ndatabase = db\n"
		    "mask = none\n", 6, "mask",
		    "[environment na_prod] is sensitive ('prod' in its name or "
		    "folder): mask = none is refused there");
	check_error(TABLES_DB "[environment v]\nfolder = f\ndatabase = db\n"
		    "sensitive = yes\nmask = none\n", 7, "mask",
		    "is sensitive (sensitive = yes)");
	check_error(TABLES_DB ENV_DB "sensitive = maybe\n", 6, "sensitive",
		    "'maybe' is not 'yes' or 'no'");

	/* a [fleet] default applies to the others, never lowers these */
	ASSERT_EQ(load("[fleet]\nmask = none\n" TABLES_DB
		       "[environment na_prod]\nfolder = f1\ndatabase = db\n"
		       "[environment scratch]\nfolder = f2\ndatabase = db\n"), 0);
	ASSERT_EQ(cfg.envs[0].mask, MASK_REQUIRED);
	ASSERT_EQ(cfg.envs[1].mask, MASK_OFF);
}

/* `scratch = yes` declares a load target: unmasked unless it says
 * otherwise, never one that looks like production, said per environment
 * only. */
static void test_config_scratch_environments_are_load_targets_never_sensitive(void)
{
	ASSERT_EQ(load(TABLES_DB
		       "[environment scratch_db]\nfolder = s\ndatabase = db\n"
		       "scratch = yes\n"
		       "[environment scratch_masked]\nfolder = m\ndatabase = db\n"
		       "scratch = yes\nmask = optional\n"
		       "[environment dev]\nfolder = d\ndatabase = db\n"
		       "scratch = no\n"), 0);
	ASSERT_TRUE(cfg.envs[0].scratch);
	ASSERT_EQ(cfg.envs[0].mask, MASK_OFF);
	ASSERT_EQ(cfg.envs[1].mask, MASK_OPTIONAL);
	ASSERT_TRUE(!cfg.envs[2].scratch);
	ASSERT_EQ(cfg.envs[2].mask, MASK_OPTIONAL);

	check_error(TABLES_DB "[environment prod_copy]\nfolder = f\ndatabase = db\n"
		    "scratch = yes\n", 6, "scratch",
		    "[environment prod_copy] looks like production ('prod' in its "
		    "name or folder)");
	check_error(TABLES_DB "[environment copy]\nfolder = f\ndatabase = db\n"
		    "sensitive = yes\nscratch = yes\n", 7, "scratch",
		    "looks like production (sensitive = yes)");
	check_error(TABLES_DB "[environment copy]\nfolder = prod\ndatabase = db\n"
		    "sensitive = no\nscratch = yes\n", 7, "scratch",
		    "looks like production ('prod' in its name or folder)");
	check_error("[fleet]\nscratch = yes\n" TABLES_DB ENV_DB, 2, "scratch",
		    "never for the whole fleet");
	check_error(TABLES_DB ENV_DB "scratch = sure\n", 6, "scratch",
		    "'sure' is not 'yes' or 'no'");
}

static void test_config_check_mask_key_names_key_env_line(void)
{
	struct config_error kerr;

	ASSERT_EQ(load("[mask]\n"                            /* 1 */
		       "email = hash\n"                      /* 2 */
		       "key-env = RHIZOME_UNIT_MASK_KEY\n"   /* 3 */
		       TABLES_DB ENV_DB), 0);

	unsetenv("RHIZOME_UNIT_MASK_KEY");
	ASSERT_EQ(config_check_mask_key(&cfg, &kerr), -EINVAL);
	ASSERT_STR_EQ(kerr.file, cfg_path);
	ASSERT_EQ(kerr.line, 3);
	ASSERT_STR_EQ(kerr.key, "key-env");
	ASSERT_CONTAINS(kerr.message, "RHIZOME_UNIT_MASK_KEY");
	ASSERT_CONTAINS(kerr.message, "not set");

	setenv("RHIZOME_UNIT_MASK_KEY", "", 1);
	ASSERT_EQ(config_check_mask_key(&cfg, &kerr), -EINVAL);
	ASSERT_EQ(kerr.line, 3);
	ASSERT_STR_EQ(kerr.key, "key-env");
	ASSERT_CONTAINS(kerr.message, "empty");

	setenv("RHIZOME_UNIT_MASK_KEY", "k3y", 1);
	ASSERT_EQ(config_check_mask_key(&cfg, &kerr), 0);
	unsetenv("RHIZOME_UNIT_MASK_KEY");
}

static void test_config_check_mask_key_without_hash_rule_needs_no_key(void)
{
	struct config_error kerr;

	unsetenv("RHIZOME_UNIT_MASK_KEY");
	ASSERT_EQ(load("[mask]\nkey-env = RHIZOME_UNIT_MASK_KEY\n"
		       "email = null\nnote = constant:x\n"
		       TABLES_DB ENV_DB), 0);
	ASSERT_EQ(config_check_mask_key(&cfg, &kerr), 0);
	ASSERT_EQ(load(TABLES_DB ENV_DB), 0);
	ASSERT_EQ(config_check_mask_key(&cfg, &kerr), 0);
}

static void test_config_name_is_safe_truth_table(void)
{
	static const struct {
		const char *name;
		int safe;
	} rows[] = {
		{ "na_prod", 1 },
		{ "billing_bookkeeper", 1 },
		{ "...", 1 },
		{ ".hidden", 1 },
		{ "a b", 1 },
		{ "na\xc3\xafve", 1 },
		{ "a.b", 1 },
		{ "", 0 },
		{ ".", 0 },
		{ "..", 0 },
		{ "/", 0 },
		{ "a/b", 0 },
		{ "../a", 0 },
		{ "a/", 0 },
		{ "a\nb", 0 },
		{ "a\tb", 0 },
		{ "\x01", 0 },
		{ "del\x7f", 0 },
	};
	char long_name[300];
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		if ((config_name_is_safe(rows[i].name) != 0) != rows[i].safe)
			CHECK_FAIL("config_name_is_safe(\"%s\") should be %d",
				   rows[i].name, rows[i].safe);
	ASSERT_EQ(config_name_is_safe(NULL), 0);
	memset(long_name, 'x', 255);
	long_name[255] = '\0';
	ASSERT_EQ(config_name_is_safe(long_name) != 0, 1);
	long_name[255] = 'x';
	long_name[256] = '\0';
	ASSERT_EQ(config_name_is_safe(long_name), 0);
}

static void test_config_error_format_shapes(void)
{
	struct config_error e;
	char buf[2048];

	memset(&e, 0, sizeof(e));
	snprintf(e.file, sizeof(e.file), "fleet.cnf");
	snprintf(e.message, sizeof(e.message), "bad");
	e.line = 12;
	snprintf(e.key, sizeof(e.key), "port");
	config_error_format(&e, buf, sizeof(buf));
	ASSERT_STR_EQ(buf, "fleet.cnf:12: key 'port': bad");
	e.key[0] = '\0';
	config_error_format(&e, buf, sizeof(buf));
	ASSERT_STR_EQ(buf, "fleet.cnf:12: bad");
	e.line = 0;
	config_error_format(&e, buf, sizeof(buf));
	ASSERT_STR_EQ(buf, "fleet.cnf: bad");
}

/* Globs in tables and exclude: literal names fetched wherever listed,
 * globs expanded against what is present, exclude winning over both, and
 * what is left unlisted. */
static void test_config_globs_expand_against_present_tables(void)
{
	static const char *const present[] = {
		"event", "event_archive", "event_tmp_1", "fee", "order_a",
		"order_b", "zeta",
	};
	const char *out[16];
	const struct table_list *tl;
	size_t n;

	ASSERT_EQ(load("[tables db]\ntables = fee event_* order_? missing_one\n"
		       "exclude = *_tmp_* order_b\n"
		       "[environment e]\nfolder = f\ndatabase = db\n"
		       "socket = /s\n"), 0);
	tl = cfg.envs[0].tables;
	ASSERT_EQ(tl->neffective, 2);
	ASSERT_STR_EQ(tl->effective[0], "fee");
	ASSERT_STR_EQ(tl->effective[1], "missing_one");
	ASSERT_EQ(tl->npatterns, 2);
	ASSERT_STR_EQ(tl->patterns[0], "event_*");
	n = tablelist_expand(tl, present, 7, out);
	ASSERT_EQ(n, 4);
	ASSERT_STR_EQ(out[0], "fee");
	ASSERT_STR_EQ(out[1], "missing_one"); /* listed: fetched, found missing */
	ASSERT_STR_EQ(out[2], "event_archive");
	ASSERT_STR_EQ(out[3], "order_a");
	ASSERT_TRUE(config_list_has(tl, "event_archive", 13));
	ASSERT_TRUE(!config_list_has(tl, "event_tmp_1", 11));
	ASSERT_TRUE(!config_list_has(tl, "order_b", 7));
	ASSERT_TRUE(!config_list_has(tl, "event", 5)); /* event_* needs the _ */
	ASSERT_TRUE(tablelist_unlisted(tl, "event"));
	ASSERT_TRUE(tablelist_unlisted(tl, "zeta"));
	ASSERT_TRUE(!tablelist_unlisted(tl, "event_tmp_1")); /* excluded */
	ASSERT_TRUE(!tablelist_unlisted(tl, "fee"));
	ASSERT_EQ(tablelist_matches("order_?", present, 7), 2);
	ASSERT_EQ(tablelist_matches("nothing*", present, 7), 0);
	/* a literal excluded by a glob is not fetched */
	ASSERT_EQ(load("[tables db]\ntables = a_tmp b\nexclude = *_tmp\n"
		       "[environment e]\nfolder = f\ndatabase = db\n"
		       "socket = /s\n"), 0);
	ASSERT_EQ(cfg.lists[0].neffective, 1);
	ASSERT_STR_EQ(cfg.lists[0].effective[0], "b");
}

/* rhizome tables loads a config whose databases have no list yet; every
 * other command still refuses it. */
static void test_config_lists_optional_for_rhizome_tables(void)
{
	static const char text[] = "[environment e]\nfolder = f\n"
		"database = db\nsocket = /s\n";

	check_error(text, 1, "database", "which has no [tables db] list");
	config_release(&cfg);
	if (file_put_str(cfg_path, text) != 0)
		abort();
	ASSERT_EQ(config_load_flags(cfg_path, CONFIG_LISTS_OPTIONAL, &cfg, &err), 0);
	ASSERT_EQ(cfg.nlists, 1);
	ASSERT_STR_EQ(cfg.envs[0].tables->database, "db");
	ASSERT_EQ(cfg.envs[0].tables->neffective, 0);
}

/* Whose file a stem is where databases share a folder: a literal name
 * first, else the longest database; a glob never takes another's. */
static void test_config_file_owner_in_a_shared_folder(void)
{
	ASSERT_EQ(load("[tables billing]\ntables = event_zzz *\n"
		       "[tables billing_event]\ntables = outbox z*\n"
		       "[environment b]\nfolder = f\ndatabase = billing\n"
		       "socket = /s\n"
		       "[environment be]\nfolder = f\ndatabase = billing_event\n"
		       "socket = /s\n"
		       "[environment other]\nfolder = g\ndatabase = billing\n"
		       "socket = /s\n"), 0);
	/* billing lists event_zzz by name: its, though billing_event's z*
	 * would take zzz */
	ASSERT_STR_EQ(config_file_owner(&cfg, "f", "billing_event_zzz")->name, "b");
	/* the longer database, whether or not its list has the table */
	ASSERT_STR_EQ(config_file_owner(&cfg, "f", "billing_event_outbox")->name, "be");
	ASSERT_STR_EQ(config_file_owner(&cfg, "f", "billing_event_gone")->name, "be");
	ASSERT_STR_EQ(config_file_owner(&cfg, "f", "billing_fee")->name, "b");
	ASSERT_STR_EQ(config_file_owner(&cfg, "g", "billing_event_outbox")->name,
		      "other");
	ASSERT_TRUE(config_file_owner(&cfg, "f", "ledger_x") == NULL);
	ASSERT_TRUE(config_file_owner(&cfg, "h", "billing_x") == NULL);
	/* what a glob finds on a server: safe names that fit a file */
	ASSERT_TRUE(config_table_file_ok("billing", "event"));
	ASSERT_TRUE(!config_table_file_ok("billing", "ev/x"));
	ASSERT_TRUE(!config_table_file_ok("billing", "ev\nnl"));
	ASSERT_TRUE(!config_table_file_ok("billing", ""));
	{
		char name[250];

		memset(name, 'x', sizeof(name) - 1);
		name[sizeof(name) - 1] = '\0';
		ASSERT_TRUE(!config_table_file_ok("billing", name));
		name[200] = '\0';
		ASSERT_TRUE(config_table_file_ok("billing", name));
	}
}

/* [fleet] holds any environment key as the default; an environment
 * that says overrides; a host or socket of its own takes neither from
 * [fleet]; nothing in [fleet] can make production data unmasked. */
static void test_config_fleet_defaults_are_inherited_and_overridden(void)
{
	const struct env_config *a, *b, *c;

	ASSERT_EQ(load("[fleet]\nhost = db.internal\nport = 3307\n"
		       "user = rhizome\noption-group = client-rhizome\n"
		       "pool = 3\nfolder = shared\n"
		       "[tables db]\ntables = t\n"
		       "[environment a]\ndatabase = db\n"
		       "[environment b]\nfolder = own\ndatabase = db\n"
		       "user = other\nhost = b.internal\npool = 1\n"
		       "[environment c]\nfolder = local\ndatabase = db\n"
		       "socket = /run/c.sock\n"), 0);
	a = config_find_env(&cfg, "a");
	b = config_find_env(&cfg, "b");
	c = config_find_env(&cfg, "c");
	ASSERT_STR_EQ(a->host, "db.internal");
	ASSERT_EQ(a->port, 3307);
	ASSERT_STR_EQ(a->user, "rhizome");
	ASSERT_STR_EQ(a->option_group, "client-rhizome");
	ASSERT_STR_EQ(a->folder, "shared");
	ASSERT_EQ(a->pool, 3);
	ASSERT_STR_EQ(b->host, "b.internal");
	ASSERT_STR_EQ(b->user, "other");
	ASSERT_STR_EQ(b->folder, "own");
	ASSERT_STR_EQ(b->option_group, "client-rhizome");
	ASSERT_EQ(b->pool, 1);
	ASSERT_TRUE(c->host == NULL);        /* a socket of its own */
	ASSERT_STR_EQ(c->socket, "/run/c.sock");
	/* [fleet] last applies the same */
	ASSERT_EQ(load("[tables db]\ntables = t\n"
		       "[environment a]\nfolder = f\ndatabase = db\n"
		       "[fleet]\nsocket = /s\npassword-env = RZ_PW\n"), 0);
	ASSERT_STR_EQ(cfg.envs[0].socket, "/s");
	ASSERT_STR_EQ(cfg.envs[0].password_env, "RZ_PW");
	ASSERT_EQ(cfg.envs[0].password_env_line, 8); /* [fleet]'s line */
	ASSERT_EQ(cfg.envs[0].pool, 4);               /* the built-in default */
	/* sensitive = yes may be a default; no is per environment only */
	ASSERT_EQ(load("[fleet]\nsensitive = yes\n[tables db]\ntables = t\n"
		       "[environment a]\nfolder = f\ndatabase = db\n"
		       "socket = /s\n"), 0);
	ASSERT_EQ(cfg.envs[0].sensitive, 1);
	ASSERT_EQ(cfg.envs[0].mask, MASK_REQUIRED);
	check_error("[fleet]\nsensitive = no\n[tables db]\ntables = t\n"
		    "[environment a_prod]\nfolder = f\ndatabase = db\n"
		    "socket = /s\n", 2, "sensitive", "never for the whole fleet");
	check_error("[fleet]\npassword = hunter2\n", 2, "password",
		    "never read from the config file");
	ASSERT_TRUE(strstr(err.message, "hunter2") == NULL);
	check_error("[fleet]\nhots = x\n", 2, "hots",
		    "as defaults for every environment: folder");
}

int main(int argc, char **argv)
{
	CHECK_INIT(argc, argv);
	scratch = scratch_dir();
	snprintf(cfg_path, sizeof(cfg_path), "%s/rhizome.cnf", scratch);

	RUN(test_config_loads_full_fleet_with_values_and_defaults);
	RUN(test_config_globs_expand_against_present_tables);
	RUN(test_config_lists_optional_for_rhizome_tables);
	RUN(test_config_file_owner_in_a_shared_folder);
	RUN(test_config_fleet_defaults_are_inherited_and_overridden);
	RUN(test_config_without_fleet_section_uses_builtin_defaults);
	RUN(test_config_env_timeout_and_retries_zero_is_a_value);
	RUN(test_config_fleet_values_apply_even_when_fleet_comes_last);
	RUN(test_config_inline_comment_on_continuation_line_is_not_a_table);
	RUN(test_config_unknown_key_in_environment_names_line_and_key);
	RUN(test_config_unknown_key_in_fleet_names_line_and_key);
	RUN(test_config_unknown_key_in_tables_names_line_and_key);
	RUN(test_config_unknown_section_names_its_line);
	RUN(test_config_key_outside_any_section_is_refused);
	RUN(test_config_line_that_is_not_key_value_is_refused);
	RUN(test_config_duplicate_environment_names_second_header_line);
	RUN(test_config_duplicate_table_list_is_refused);
	RUN(test_config_key_given_twice_names_second_line);
	RUN(test_config_tables_key_given_twice_is_not_a_continuation);
	RUN(test_config_table_listed_twice_is_refused);
	RUN(test_config_continuation_outside_table_list_is_refused);
	RUN(test_config_two_environments_writing_same_files_are_refused);
	RUN(test_config_environment_without_table_list_names_env_line);
	RUN(test_config_table_list_without_tables_is_refused);
	RUN(test_config_environment_without_folder_or_database_is_refused);
	RUN(test_config_without_environments_is_refused);
	RUN(test_config_folder_dotdot_is_refused);
	RUN(test_config_folder_with_slash_is_refused);
	RUN(test_config_database_dotdot_is_refused);
	RUN(test_config_table_name_dotdot_is_refused);
	RUN(test_config_environment_name_with_slash_is_refused);
	RUN(test_config_password_key_is_refused_without_echoing_it);
	RUN(test_config_non_numeric_port_is_refused);
	RUN(test_config_pool_zero_is_refused);
	RUN(test_config_workers_zero_is_refused);
	RUN(test_config_line_longer_than_inih_limit_is_refused);
	RUN(test_config_missing_file_reports_line_zero_and_os_error);
	RUN(test_config_check_password_names_unset_variable_and_its_line);
	RUN(test_config_password_env_must_be_a_variable_name);
	RUN(test_config_indented_key_in_table_list_is_refused);
	RUN(test_config_environment_name_not_utf8_is_refused);
	RUN(test_config_environment_name_with_overlong_utf8_is_refused);
	RUN(test_config_relative_option_file_is_relative_to_the_config);
	RUN(test_config_check_connection_refuses_what_would_fall_back);
	RUN(test_config_databases_spelling_the_same_file_name_are_refused);
	RUN(test_config_table_name_too_long_for_a_file_name_is_refused);
	RUN(test_config_table_file_name_may_take_255_bytes_with_temporary_affixes);
	RUN(test_config_password_put_in_password_env_is_not_echoed);
	RUN(test_config_mask_rules_load_in_order_with_parts_right_aligned);
	RUN(test_config_without_mask_section_has_no_rules);
	RUN(test_config_mask_unknown_method_names_line_and_pattern);
	RUN(test_config_mask_pattern_with_too_many_parts_is_refused);
	RUN(test_config_mask_pattern_with_empty_part_is_refused);
	RUN(test_config_mask_hash_without_key_env_names_the_rule);
	RUN(test_config_duplicate_mask_section_is_refused);
	RUN(test_config_environment_mask_must_be_required_or_optional);
	RUN(test_config_environment_mask_required_sets_the_flag);
	RUN(test_config_sensitive_environments_require_masking_by_default);
	RUN(test_config_scratch_environments_are_load_targets_never_sensitive);
	RUN(test_config_check_mask_key_names_key_env_line);
	RUN(test_config_check_mask_key_without_hash_rule_needs_no_key);
	RUN(test_config_tls_modes_defaults_and_inheritance);
	RUN(test_config_tls_effective_mode_counts_the_option_file);
	RUN(test_config_check_connection_refuses_incoherent_tls);
	RUN(test_config_name_is_safe_truth_table);
	RUN(test_config_error_format_shapes);

	config_release(&cfg);
	scratch_remove(scratch);
	return CHECK_EXIT();
}
