/*
 * A type text is a word, an optional argument list in parentheses, then
 * the attributes unsigned and zerofill. Each known word has one row in
 * `kinds`: its dialect name and how its arguments read. The expressions
 * use keyword arguments where SQLAlchemy's positional order is easy to
 * misread (display_width, fsp), as the examples do.
 */
#include "engine/gen/pytype.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine/base/alloc.h"
#include "engine/base/strbuf.h"

/* How a kind's arguments become the dialect's. */
enum args {
	A_NONE,         /* DATE(), TEXT() */
	A_WIDTH,        /* display_width=N, unsigned, zerofill: integers */
	A_PRECISION,    /* (p, s), unsigned, zerofill: DECIMAL */
	A_FLOAT,        /* (p, s) when given, asdecimal=False */
	A_LENGTH,       /* (n): CHAR, VARCHAR, BINARY, VARBINARY, BIT */
	A_FSP,          /* fsp=N: DATETIME, TIMESTAMP, TIME */
	A_VALUES,       /* 'a', 'b': ENUM, SET */
};

static const struct kind {
	const char *word;
	const char *sa_name;
	enum args args;
	enum pytype_python python;
} kinds[] = {
	{ "tinyint", "TINYINT", A_WIDTH, PYTYPE_INT },
	{ "smallint", "SMALLINT", A_WIDTH, PYTYPE_INT },
	{ "mediumint", "MEDIUMINT", A_WIDTH, PYTYPE_INT },
	{ "int", "INTEGER", A_WIDTH, PYTYPE_INT },
	{ "integer", "INTEGER", A_WIDTH, PYTYPE_INT },
	{ "bigint", "BIGINT", A_WIDTH, PYTYPE_INT },
	{ "year", "YEAR", A_WIDTH, PYTYPE_INT },
	{ "decimal", "DECIMAL", A_PRECISION, PYTYPE_DECIMAL },
	{ "numeric", "NUMERIC", A_PRECISION, PYTYPE_DECIMAL },
	{ "float", "FLOAT", A_FLOAT, PYTYPE_FLOAT },
	{ "double", "DOUBLE", A_FLOAT, PYTYPE_FLOAT },
	{ "real", "REAL", A_FLOAT, PYTYPE_FLOAT },
	{ "char", "CHAR", A_LENGTH, PYTYPE_STR },
	{ "varchar", "VARCHAR", A_LENGTH, PYTYPE_STR },
	{ "tinytext", "TINYTEXT", A_NONE, PYTYPE_STR },
	{ "text", "TEXT", A_NONE, PYTYPE_STR },
	{ "mediumtext", "MEDIUMTEXT", A_NONE, PYTYPE_STR },
	{ "longtext", "LONGTEXT", A_NONE, PYTYPE_STR },
	{ "json", "JSON", A_NONE, PYTYPE_JSON },
	{ "binary", "BINARY", A_LENGTH, PYTYPE_BYTES },
	{ "varbinary", "VARBINARY", A_LENGTH, PYTYPE_BYTES },
	{ "tinyblob", "TINYBLOB", A_NONE, PYTYPE_BYTES },
	{ "blob", "BLOB", A_NONE, PYTYPE_BYTES },
	{ "mediumblob", "MEDIUMBLOB", A_NONE, PYTYPE_BYTES },
	{ "longblob", "LONGBLOB", A_NONE, PYTYPE_BYTES },
	/* the data files hold a BIT as its number (engine/rows/rowjson.c),
	 * and the dialect's BIT reads one as an int */
	{ "bit", "BIT", A_LENGTH, PYTYPE_INT },
	{ "date", "DATE", A_NONE, PYTYPE_DATE },
	{ "datetime", "DATETIME", A_FSP, PYTYPE_DATETIME },
	{ "timestamp", "TIMESTAMP", A_FSP, PYTYPE_DATETIME },
	{ "time", "TIME", A_FSP, PYTYPE_TIME },
	{ "enum", "ENUM", A_VALUES, PYTYPE_ENUM },
	{ "set", "SET", A_VALUES, PYTYPE_STR },
};

int pytype_is_sa_name(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(kinds[i].sa_name, name) == 0)
			return 1;
	return 0;
}

const char *pytype_python_name(enum pytype_python p)
{
	static const char *const names[] = {
		[PYTYPE_INT] = "int", [PYTYPE_FLOAT] = "float",
		[PYTYPE_DECIMAL] = "Decimal", [PYTYPE_STR] = "str",
		[PYTYPE_BOOL] = "bool", [PYTYPE_BYTES] = "bytes",
		[PYTYPE_DATETIME] = "datetime", [PYTYPE_DATE] = "date",
		[PYTYPE_TIME] = "time", [PYTYPE_ENUM] = NULL,
		[PYTYPE_JSON] = "Any",
	};

	return names[p];
}

void pytype_escaped(struct strbuf *out, const char *s, char quote)
{
	const unsigned char *u = (const unsigned char *)s;

	for (; *u; u++) {
		if (*u == '\\' || *u == (unsigned char)quote)
			strbuf_addf(out, "\\%c", *u);
		else if (*u < 0x20 || *u == 0x7f)
			strbuf_addf(out, "\\x%02x", *u);
		else
			strbuf_add(out, u, 1);
	}
}

void pytype_literal(struct strbuf *out, const char *s)
{
	/* as repr() quotes: double quotes for a text with ' and no " */
	char q = strchr(s, '\'') && !strchr(s, '"') ? '"' : '\'';

	strbuf_add(out, &q, 1);
	pytype_escaped(out, s, q);
	strbuf_add(out, &q, 1);
}

/* The values of an ENUM or SET argument list, `'a','b''c'`: quotes
 * doubled or backslashed inside, as SHOW CREATE TABLE writes them. */
static int parse_values(const char *p, const char *end, struct pytype *t)
{
	struct strbuf v = STRBUF_INIT;

	while (p < end) {
		if (*p != '\'')
			goto bad;
		strbuf_reset(&v);
		strbuf_adds(&v, "");
		for (p++;; p++) {
			if (p >= end)
				goto bad;
			if (*p == '\\' && p + 1 < end) {
				p++;
				strbuf_add(&v, p, 1);
			} else if (*p == '\'' && p + 1 < end && p[1] == '\'') {
				strbuf_add(&v, "'", 1);
				p++;
			} else if (*p == '\'') {
				break;
			} else {
				strbuf_add(&v, p, 1);
			}
		}
		p++; /* the closing quote */
		t->values = xrealloc(t->values, (t->nvalues + 1) * sizeof(*t->values));
		t->values[t->nvalues++] = strbuf_detach(&v, NULL);
		if (p < end && *p == ',')
			p++;
		else if (p < end)
			goto bad;
	}
	strbuf_release(&v);
	return 0;
bad:
	strbuf_release(&v);
	return -EINVAL;
}

/* Up to two unsigned numbers "n" or "n,m"; how many. -1: not numbers. */
static int parse_numbers(const char *p, const char *end, unsigned long n[2])
{
	int k = 0;

	while (p < end && k < 2) {
		char *stop;

		if (!isdigit((unsigned char)*p))
			return -1;
		n[k++] = strtoul(p, &stop, 10);
		p = stop;
		while (p < end && *p == ' ')
			p++;
		if (p < end && *p == ',')
			p++;
		while (p < end && *p == ' ')
			p++;
	}
	return p == end ? k : -1;
}

void pytype_release(struct pytype *t)
{
	size_t i;

	free(t->sa_type);
	for (i = 0; i < t->nvalues; i++)
		free(t->values[i]);
	free(t->values);
	memset(t, 0, sizeof(*t));
}

int pytype_of(const char *sql, int json, struct pytype *t)
{
	const struct kind *k = NULL;
	struct strbuf sb = STRBUF_INIT;
	const char *p = sql, *open = NULL, *close = NULL, *rest;
	unsigned long n[2] = { 0, 0 };
	int nn = 0, is_unsigned = 0, zerofill = 0;
	size_t len, i;

	memset(t, 0, sizeof(*t));
	len = strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ");
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strlen(kinds[i].word) == len &&
		    strncasecmp(kinds[i].word, p, len) == 0)
			k = &kinds[i];
	if (k == NULL)
		return -EINVAL;
	rest = p + len;
	if (*rest == '(') {
		open = rest + 1;
		/* the closing parenthesis: the last one, as values may hold ')' */
		close = strrchr(rest, ')');
		if (close == NULL)
			return -EINVAL;
		rest = close + 1;
	}
	/* the attributes after the type */
	while (*rest != '\0') {
		size_t w;

		while (*rest == ' ')
			rest++;
		w = strcspn(rest, " ");
		if (w == 8 && strncasecmp(rest, "unsigned", 8) == 0)
			is_unsigned = 1;
		else if (w == 8 && strncasecmp(rest, "zerofill", 8) == 0)
			zerofill = 1;
		else if (w == 6 && strncasecmp(rest, "signed", 6) == 0)
			;
		else if (w > 0)
			return -EINVAL;
		rest += w;
	}
	if (open != NULL && k->args != A_VALUES &&
	    (nn = parse_numbers(open, close, n)) < 0)
		return -EINVAL;
	t->python = k->python;
	t->sa_name = k->sa_name;
	if (json && strcmp(k->word, "longtext") == 0) {
		t->sa_name = "JSON";
		t->python = PYTYPE_JSON;
	}
	strbuf_addf(&sb, "%s(", t->sa_name);
	switch (strcmp(t->sa_name, "JSON") == 0 ? A_NONE : k->args) {
	case A_NONE:
		break;
	case A_WIDTH:
		if (nn > 0)
			strbuf_addf(&sb, "display_width=%lu", n[0]);
		if (is_unsigned)
			strbuf_addf(&sb, "%sunsigned=True", nn > 0 ? ", " : "");
		if (zerofill)
			strbuf_addf(&sb, "%szerofill=True",
				    nn > 0 || is_unsigned ? ", " : "");
		/* tinyint(1): the server's way of saying boolean */
		if (strcmp(k->word, "tinyint") == 0 && nn == 1 && n[0] == 1)
			t->python = PYTYPE_BOOL;
		break;
	case A_PRECISION:
		if (nn > 0)
			strbuf_addf(&sb, "%lu, %lu", n[0], nn > 1 ? n[1] : 0);
		if (is_unsigned)
			strbuf_addf(&sb, "%sunsigned=True", nn > 0 ? ", " : "");
		if (zerofill)
			strbuf_addf(&sb, "%szerofill=True",
				    nn > 0 || is_unsigned ? ", " : "");
		break;
	case A_FLOAT:
		if (nn == 2)
			strbuf_addf(&sb, "%lu, %lu, ", n[0], n[1]);
		else if (nn == 1)
			strbuf_addf(&sb, "%lu, ", n[0]);
		/* a float, not the Decimal the dialect's DOUBLE gives */
		strbuf_adds(&sb, "asdecimal=False");
		if (is_unsigned)
			strbuf_adds(&sb, ", unsigned=True");
		break;
	case A_LENGTH:
		if (nn > 0)
			strbuf_addf(&sb, "%lu", n[0]);
		if (k->python == PYTYPE_STR && nn > 0)
			t->max_length = (unsigned)n[0];
		break;
	case A_FSP:
		if (nn > 0)
			strbuf_addf(&sb, "fsp=%lu", n[0]);
		break;
	case A_VALUES:
		if (open == NULL || parse_values(open, close, t) != 0) {
			strbuf_release(&sb);
			pytype_release(t);
			return -EINVAL;
		}
		for (i = 0; i < t->nvalues; i++) {
			if (i > 0)
				strbuf_adds(&sb, ", ");
			pytype_literal(&sb, t->values[i]);
		}
		break;
	}
	strbuf_adds(&sb, ")");
	t->sa_type = strbuf_detach(&sb, NULL);
	return 0;
}
