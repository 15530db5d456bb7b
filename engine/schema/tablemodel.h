/*
 * tablemodel: a CREATE TABLE statement as SHOW CREATE TABLE prints it
 * (MariaDB 10.x, MySQL 8.0), parsed into its parts, and rendered back.
 * Names are held unquoted and may hold any byte but NUL: SHOW CREATE
 * TABLE prints a quoted name as it is, raw newlines and tabs included
 * (where it escapes a string's), so a definition may span several lines
 * of the text.
 *
 * The model keeps every clause's text as the server wrote it, next to the
 * parsed value, so rendering gives the server's text byte for byte: that
 * round trip is how a parse is verified (tablemodel_parse fails it
 * otherwise). A line or clause it cannot read is kept whole and listed in
 * `unparsed`, never dropped, so a diff can still show it.
 */
#ifndef RHIZOME_TABLEMODEL_H
#define RHIZOME_TABLEMODEL_H

#include <stddef.h>

/* One column. Strings are owned; NULL when the clause is absent. */
struct tm_column {
	char *name;
	char *type;             /* "int(11) unsigned", "enum('a','b')" */
	int not_null;           /* NOT NULL written */
	int null_written;       /* an explicit NULL written */
	char *default_value;    /* the DEFAULT clause's value text */
	char *on_update;
	int auto_increment;
	char *charset;
	char *collation;
	char *comment;          /* the quoted text, quotes included */
	char *generated;        /* "AS (expr) VIRTUAL" / "GENERATED ALWAYS ..." */
	char **clauses;         /* after the name, in order, as written: the
				 * type first; joined by spaces they give
				 * the definition back */
	size_t nclauses;
};

enum tm_index_kind { TM_PRIMARY, TM_UNIQUE, TM_KEY, TM_FULLTEXT, TM_SPATIAL };

struct tm_index {
	enum tm_index_kind kind;
	char *name;             /* NULL for PRIMARY */
	char **columns;         /* "`a`", "`b`(10)", "`c` DESC" as written */
	size_t ncolumns;
	char *options;          /* after the column list, or NULL */
};

struct tm_foreign_key {
	char *name;
	char *columns;          /* "(`a`, `b`)" as written */
	char *ref_table;        /* "`t`" or "`db`.`t`" */
	char *ref_columns;
	char *actions;          /* "ON DELETE CASCADE ON UPDATE ..." or NULL */
};

struct tm_check {
	char *name;
	char *expression;       /* "(expr)" */
};

/* A PERIOD FOR clause: the SYSTEM_TIME period of a system-versioned
 * table with explicit row start/end columns, or an application-time
 * period. Strings are owned. */
struct tm_period {
	char *name;             /* the application-time period's; NULL for
				 * SYSTEM_TIME (as PRIMARY KEY has none) */
	char *start;            /* the start and end columns' names */
	char *end;
};

struct tm_option {
	char *name;             /* "ENGINE", "DEFAULT CHARSET", "COMMENT" */
	char *value;            /* as written ('quoted' for COMMENT) */
};

struct table_model {
	char *name;
	int temporary;
	struct tm_column *columns;
	size_t ncolumns;
	struct tm_index *indexes;
	size_t nindexes;
	struct tm_foreign_key *fks;
	size_t nfks;
	struct tm_check *checks;
	size_t nchecks;
	struct tm_period *periods;
	size_t nperiods;
	struct tm_option *options;
	size_t noptions;
	char *options_text;     /* the table options line after ")" */
	char *partition;        /* the lines after it, or NULL */
	char **unparsed;        /* lines (or clauses) not understood */
	size_t nunparsed;
	/* The body in order: what each line is and its index in its array
	 * (TM_LINE_OTHER: in `unparsed`). */
	struct tm_line { enum { TM_LINE_COLUMN, TM_LINE_INDEX, TM_LINE_FK,
				TM_LINE_CHECK, TM_LINE_PERIOD,
				TM_LINE_OTHER } kind;
			 size_t index; } *lines;
	size_t nlines;
};

/* How much of a text tablemodel_parse understood. */
enum tm_parsed {
	TM_WHOLE,       /* every part, and rendering gives the text back */
	TM_PARTIAL,     /* parsed, with parts listed in m->unparsed */
	TM_NOT_A_TABLE, /* not a CREATE TABLE statement at all (m released) */
};

/*
 * Parse text[0..len) (the Create Table text, with or without the ";\n" of
 * a snapshot file) into *m (zeroed first). Unless TM_NOT_A_TABLE, release
 * *m with tablemodel_release. Thread-safe.
 */
enum tm_parsed tablemodel_parse(const char *text, size_t len,
				struct table_model *m);

/* Render the model as SHOW CREATE TABLE prints it (no ";"). Caller frees. */
char *tablemodel_render(const struct table_model *m);

/* Free everything *m owns. */
void tablemodel_release(struct table_model *m);

/* The column named `name`, or NULL. */
const struct tm_column *tablemodel_column(const struct table_model *m,
					  const char *name);

/* Whether a column clause (one of tm_column.clauses after the type) is
 * one the column's fields hold: CHARACTER SET, COLLATE, [NOT] NULL,
 * DEFAULT, ON UPDATE, AUTO_INCREMENT, COMMENT, a generated column's AS.
 * The others (an inline CHECK, INVISIBLE, SRID, ...) only the clause
 * list holds. */
int tablemodel_clause_in_fields(const char *clause);

#endif
