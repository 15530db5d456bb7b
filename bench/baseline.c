/*
 * baseline: the script a user would write instead of rhizome, in C so the
 * comparison measures the approach and not an interpreter.
 *
 * One connection; for each schema in order, SHOW TABLES FROM it (or take
 * the --tables list), then one SHOW CREATE TABLE per table (or, with
 * --mode data, one SELECT * ... LIMIT 1), each waiting for its answer
 * before the next is sent. Its wall time is therefore about
 * (tables + schemas) round trips, which is what rhizome's parallel
 * connections are meant to beat. Results are kept in memory, and written
 * to --out DIR/schema/table.sql (or .tsv) when asked, without fsync, as
 * such a script would.
 *
 * The password comes only from the variable named by --password-env:
 * argv is visible to every user of the machine.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <mysql.h>
#include <errmsg.h>

#include "options.h"

enum mode { MODE_SCHEMA, MODE_DATA };

struct opts {
	const char *host;
	unsigned int port;
	const char *user;
	const char *password_env;
	const char *socket;
	char *schemas;              /* comma-separated; owned by argv */
	char *tables;               /* comma-separated, the same for every schema; NULL: ask the server */
	const char *out;            /* write results under this folder; NULL: memory only */
	enum mode mode;
	unsigned int timeout;       /* seconds, for connect, read and write */
};

/* Growable list of owned strings. */
struct strlist {
	char **v;
	size_t n, cap;
};

struct counts {
	long schemas;
	long tables;
	long statements;
	long errors;
};

static int strlist_push(struct strlist *l, char *s)
{
	char **nv;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;

		nv = realloc(l->v, cap * sizeof(*nv));
		if (nv == NULL)
			return -1;
		l->v = nv;
		l->cap = cap;
	}
	l->v[l->n++] = s;
	return 0;
}

static void strlist_release(struct strlist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* Split a comma list into owned strings, skipping empty items. */
static int strlist_split(struct strlist *l, const char *csv)
{
	const char *p = csv, *e;
	char *s;

	while (*p != '\0') {
		e = strchr(p, ',');
		if (e == NULL)
			e = p + strlen(p);
		if (e > p) {
			s = strndup(p, (size_t)(e - p));
			if (s == NULL || strlist_push(l, s) < 0) {
				free(s);
				return -1;
			}
		}
		p = *e ? e + 1 : e;
	}
	return 0;
}

static long elapsed_ms(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (long)(t1.tv_sec - t0->tv_sec) * 1000 + (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

/* Append `name` quoted as an identifier: backticks, embedded ones doubled. */
static char *quote_ident(char *dst, const char *name)
{
	*dst++ = '`';
	for (; *name != '\0'; name++) {
		if (*name == '`')
			*dst++ = '`';
		*dst++ = *name;
	}
	*dst++ = '`';
	*dst = '\0';
	return dst;
}

/* Build "prefix `schema`.`table` suffix" (table may be NULL). Caller frees. */
static char *build_query(const char *prefix, const char *schema, const char *table,
			 const char *suffix)
{
	size_t len = strlen(prefix) + 2 * strlen(schema) + 2 * (table ? strlen(table) : 0) +
		     strlen(suffix) + 8;
	char *q = malloc(len), *p;

	if (q == NULL)
		return NULL;
	p = stpcpy(q, prefix);
	p = quote_ident(p, schema);
	if (table != NULL) {
		*p++ = '.';
		p = quote_ident(p, table);
	}
	strcpy(p, suffix);
	return q;
}

static int fatal_errno(unsigned int e)
{
	/* Without the connection every later statement would fail too. */
	return e == CR_SERVER_GONE_ERROR || e == CR_SERVER_LOST || e == CR_CONNECTION_ERROR ||
	       e == CR_CONN_HOST_ERROR;
}

static int run_query(MYSQL *db, const char *q, struct counts *cnt, MYSQL_RES **res)
{
	unsigned int e;

	cnt->statements++;
	if (mysql_query(db, q) != 0 || (*res = mysql_store_result(db)) == NULL) {
		e = mysql_errno(db);
		if (e == 0)     /* a statement without a result set: not expected here */
			return -1;
		fprintf(stderr, "baseline: %s: error %u (%s): %s\n", q, e, mysql_sqlstate(db),
			mysql_error(db));
		cnt->errors++;
		return fatal_errno(e) ? -2 : -1;
	}
	return 0;
}

/* A name from the server becomes a path component: refuse what would
 * leave the folder. */
static int safe_component(const char *s)
{
	return s[0] != '\0' && strchr(s, '/') == NULL && strcmp(s, ".") != 0 && strcmp(s, "..") != 0;
}

static int write_result(const char *out, const char *schema, const char *table,
			const char *ext, const char *text, const char *end)
{
	char path[4096];
	FILE *f;
	int n;

	if (!safe_component(schema) || !safe_component(table)) {
		fprintf(stderr, "baseline: not writing %s.%s: unsafe file name\n", schema, table);
		return -1;
	}
	n = snprintf(path, sizeof(path), "%s/%s", out, schema);
	if (n < 0 || (size_t)n >= sizeof(path))
		return -1;
	if (mkdir(path, 0777) < 0 && errno != EEXIST)
		goto fail;
	n = snprintf(path, sizeof(path), "%s/%s/%s.%s", out, schema, table, ext);
	if (n < 0 || (size_t)n >= sizeof(path))
		return -1;
	f = fopen(path, "w");
	if (f == NULL)
		goto fail;
	fputs(text, f);
	fputs(end, f);
	if (fclose(f) != 0)
		goto fail;
	return 0;
fail:
	fprintf(stderr, "baseline: %s: %s\n", path, strerror(errno));
	return -1;
}

/* Row text for --mode data: tab-separated, NULL spelled out. Caller frees. */
static char *row_text(MYSQL_RES *res, MYSQL_ROW row)
{
	unsigned int i, nf = mysql_num_fields(res);
	unsigned long *lens = mysql_fetch_lengths(res);
	size_t total = 1;
	char *s, *p;

	for (i = 0; i < nf; i++)
		total += (row[i] ? lens[i] : 4) + 1;
	s = malloc(total);
	if (s == NULL)
		return NULL;
	p = s;
	for (i = 0; i < nf; i++) {
		if (i > 0)
			*p++ = '\t';
		if (row[i] == NULL) {
			memcpy(p, "NULL", 4);
			p += 4;
		} else {
			memcpy(p, row[i], lens[i]);
			p += lens[i];
		}
	}
	*p = '\0';
	return s;
}

/* Fetch one table. Returns 0, -1 for an error of this table, -2 when the
 * connection is gone. */
static int fetch_table(MYSQL *db, const struct opts *o, const char *schema, const char *table,
		       struct strlist *store, struct counts *cnt)
{
	MYSQL_RES *res = NULL;
	MYSQL_ROW row;
	char *q, *text = NULL;
	int rc;

	if (o->mode == MODE_SCHEMA)
		q = build_query("SHOW CREATE TABLE ", schema, table, "");
	else
		q = build_query("SELECT * FROM ", schema, table, " LIMIT 1");
	if (q == NULL)
		return -1;
	rc = run_query(db, q, cnt, &res);
	if (rc < 0)
		goto cleanup;
	cnt->tables++;
	row = mysql_fetch_row(res);
	if (row == NULL) {
		rc = 0;                 /* empty table (data mode): nothing to keep */
		goto cleanup;
	}
	if (o->mode == MODE_SCHEMA) {
		/* columns: Table, Create Table (View, Create View, ... for views) */
		text = strdup(row[1] ? row[1] : "");
	} else {
		text = row_text(res, row);
	}
	if (text == NULL) {
		rc = -1;
		goto cleanup;
	}
	if (o->out != NULL &&
	    write_result(o->out, schema, table, o->mode == MODE_SCHEMA ? "sql" : "tsv", text,
			 o->mode == MODE_SCHEMA ? ";\n" : "\n") < 0) {
		cnt->errors++;
		rc = -1;
	}
	if (strlist_push(store, text) < 0) {
		free(text);
		rc = -1;
	}
cleanup:
	if (res != NULL)
		mysql_free_result(res);
	free(q);
	return rc;
}

/* Table names of one schema: the --tables list, or one SHOW TABLES. */
static int list_tables(MYSQL *db, const struct opts *o, const char *schema,
		       struct strlist *tables, struct counts *cnt)
{
	MYSQL_RES *res = NULL;
	MYSQL_ROW row;
	char *q, *s;
	int rc;

	if (o->tables != NULL)
		return strlist_split(tables, o->tables);
	q = build_query("SHOW TABLES FROM ", schema, NULL, "");
	if (q == NULL)
		return -1;
	rc = run_query(db, q, cnt, &res);
	if (rc < 0)
		goto cleanup;
	while ((row = mysql_fetch_row(res)) != NULL) {
		s = strdup(row[0]);
		if (s == NULL || strlist_push(tables, s) < 0) {
			free(s);
			rc = -1;
			goto cleanup;
		}
	}
cleanup:
	if (res != NULL)
		mysql_free_result(res);
	free(q);
	return rc;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: baseline --host H --port P --user U [--password-env VAR] [--socket S]\n"
		"                --schemas a,b,c [--tables-from-server | --tables t1,t2]\n"
		"                [--mode schema|data] [--out DIR] [--timeout SECONDS]\n"
		"\n"
		"The one-connection, one-statement-at-a-time way to snapshot a fleet:\n"
		"for each schema in order, SHOW TABLES FROM it (default, or take the\n"
		"--tables list for every schema), then SHOW CREATE TABLE each table\n"
		"(--mode data: SELECT * ... LIMIT 1). The password is read from the\n"
		"environment variable VAR, never from the command line. --socket, when\n"
		"given, is used instead of --host/--port. --out writes\n"
		"DIR/schema/table.sql (.tsv in data mode). --timeout (default 30) applies\n"
		"to connect, read and write.\n"
		"\n"
		"Prints: baseline: schemas=N tables=N statements=N elapsed_ms=N errors=N\n"
		"Exit status: 0 ok, 1 cannot connect or connection lost, 2 usage,\n"
		"3 some statements failed.\n");
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "host", required_argument, NULL, 'H' },
		{ "port", required_argument, NULL, 'P' },
		{ "user", required_argument, NULL, 'u' },
		{ "password-env", required_argument, NULL, 'w' },
		{ "socket", required_argument, NULL, 'S' },
		{ "schemas", required_argument, NULL, 's' },
		{ "tables", required_argument, NULL, 't' },
		{ "tables-from-server", no_argument, NULL, 'T' },
		{ "mode", required_argument, NULL, 'm' },
		{ "out", required_argument, NULL, 'o' },
		{ "timeout", required_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct opt_parser p;
	int c, from_server = 0;
	uint64_t v;

	memset(o, 0, sizeof(*o));
	o->host = "127.0.0.1";
	o->port = 3306;
	o->timeout = 30;
	opt_init(&p, "baseline", argc, argv, longopts, usage);
	while ((c = opt_next(&p)) > 0) {
		switch (c) {
		case 'H': o->host = p.arg; break;
		case 'P':
			if (opt_u64(p.arg, 65535, &v) < 0)
				return opt_bad_value(&p);
			o->port = (unsigned int)v;
			break;
		case 'u': o->user = p.arg; break;
		case 'w': o->password_env = p.arg; break;
		case 'S': o->socket = p.arg; break;
		case 's': o->schemas = p.arg; break;
		case 't': o->tables = p.arg; break;
		case 'T': from_server = 1; break;
		case 'm':
			if (strcmp(p.arg, "schema") == 0)
				o->mode = MODE_SCHEMA;
			else if (strcmp(p.arg, "data") == 0)
				o->mode = MODE_DATA;
			else
				return opt_bad_value(&p);
			break;
		case 'o': o->out = p.arg; break;
		case 'i':
			if (opt_u64(p.arg, 86400, &v) < 0 || v == 0)
				return opt_bad_value(&p);
			o->timeout = (unsigned int)v;
			break;
		}
	}
	if (c < 0)
		return c;
	if (optind != argc || o->user == NULL || o->schemas == NULL)
		return opt_usage_error(&p, "--user and --schemas are required");
	if (from_server && o->tables != NULL) {
		fprintf(stderr, "baseline: --tables and --tables-from-server exclude each other\n");
		return OPT_USAGE;
	}
	return 0;
}

static MYSQL *connect_db(const struct opts *o)
{
	const char *password = NULL;
	MYSQL *db;

	if (o->password_env != NULL) {
		password = getenv(o->password_env);
		if (password == NULL) {
			fprintf(stderr, "baseline: variable %s is not set\n", o->password_env);
			return NULL;
		}
	}
	db = mysql_init(NULL);
	if (db == NULL)
		return NULL;
	/* A server that stops answering must fail the run, not hang it. */
	mysql_options(db, MYSQL_OPT_CONNECT_TIMEOUT, &o->timeout);
	mysql_options(db, MYSQL_OPT_READ_TIMEOUT, &o->timeout);
	mysql_options(db, MYSQL_OPT_WRITE_TIMEOUT, &o->timeout);
	mysql_options(db, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	/* libmariadb uses the socket only for host "localhost": --socket wins. */
	if (mysql_real_connect(db, o->socket ? "localhost" : o->host, o->user, password, NULL,
			       o->port, o->socket, 0) == NULL) {
		fprintf(stderr, "baseline: cannot connect to %s: error %u: %s\n",
			o->socket ? o->socket : o->host, mysql_errno(db), mysql_error(db));
		mysql_close(db);
		return NULL;
	}
	return db;
}

int main(int argc, char **argv)
{
	struct opts o;
	struct strlist schemas = { 0 }, tables = { 0 }, store = { 0 };
	struct counts cnt = { 0 };
	struct timespec t0;
	MYSQL *db = NULL;
	size_t i, j;
	int rc, status = 0;

	rc = parse_opts(argc, argv, &o);
	if (rc != 0)
		return rc == OPT_HELP ? 0 : 2;
	if (strlist_split(&schemas, o.schemas) < 0 || schemas.n == 0) {
		fprintf(stderr, "baseline: --schemas lists no schema\n");
		return 2;
	}
	if (o.out != NULL && mkdir(o.out, 0777) < 0 && errno != EEXIST) {
		fprintf(stderr, "baseline: %s: %s\n", o.out, strerror(errno));
		return 1;
	}
	if (mysql_library_init(0, NULL, NULL) != 0) {
		fprintf(stderr, "baseline: cannot initialise the client library\n");
		return 1;
	}

	/* The clock includes connecting: a script pays for it too. */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	db = connect_db(&o);
	if (db == NULL) {
		status = 1;
		goto cleanup;
	}
	for (i = 0; i < schemas.n; i++) {
		rc = list_tables(db, &o, schemas.v[i], &tables, &cnt);
		if (rc == -2) {
			status = 1;
			goto cleanup;
		}
		cnt.schemas++;
		for (j = 0; rc == 0 && j < tables.n; j++) {
			rc = fetch_table(db, &o, schemas.v[i], tables.v[j], &store, &cnt);
			if (rc == -2) {
				status = 1;
				goto cleanup;
			}
			rc = 0;         /* one table's error does not stop the rest */
		}
		strlist_release(&tables);
	}
	if (cnt.errors > 0)
		status = 3;

cleanup:
	printf("baseline: schemas=%ld tables=%ld statements=%ld elapsed_ms=%ld errors=%ld\n",
	       cnt.schemas, cnt.tables, cnt.statements, elapsed_ms(&t0), cnt.errors);
	if (db != NULL)
		mysql_close(db);
	mysql_library_end();
	strlist_release(&tables);
	strlist_release(&schemas);
	strlist_release(&store);
	return status;
}
