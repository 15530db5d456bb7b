/*
 * The statements of a load (loadsql.h). The rows of a data file are
 * walked with rowfile.h's scanner, which keeps each number as it was
 * written (jansson would turn an integer beyond 64 bits signed into a
 * real).
 */
#include "engine/fetch/loadsql.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine/base/alloc.h"
#include "engine/base/sha256.h"
#include "engine/fetch/sqlident.h"
#include "engine/rows/rowfile.h"
#include "engine/schema/sqltoken.h"

/* 16 hex digits of the schema name's SHA-256: names that any schema name,
 * however long or odd, gives within 64 plain characters. */
static void schema_hash(const char *schema, char out[17])
{
	char hex[65];

	sha256_hex(schema, strlen(schema), hex);
	memcpy(out, hex, 16);
	out[16] = '\0';
}

void loadsql_names_of(const char *target, struct loadsql_names *n)
{
	char h[17];

	schema_hash(target, h);
	n->target = target;
	snprintf(n->staging, sizeof(n->staging), "rhizome_load_%s", h);
	snprintf(n->old, sizeof(n->old), "rhizome_load_%s_old", h);
	snprintf(n->lock, sizeof(n->lock), "'rhizome_load_%s'", h);
}

/* The session a load's statements run in: strict, so a value the column
 * cannot hold fails instead of being cut (a load must give back what the
 * snapshot holds); a 0 in an AUTO_INCREMENT column stays 0; an engine the
 * server lacks is an error, not InnoDB in its place; the keys are checked
 * once every table is whole (load.h). Zero dates are allowed, as the
 * source's server allowed them. */
#define LOAD_SESSION "SET SESSION sql_mode = 'STRICT_ALL_TABLES," \
	"NO_AUTO_VALUE_ON_ZERO,NO_ENGINE_SUBSTITUTION', foreign_key_checks = 0"
#define NO_KEY_CHECKS "SET SESSION foreign_key_checks = 0"

size_t loadsql_look(struct strbuf *sb, const struct loadsql_names *n,
		    const char *session)
{
	strbuf_adds(sb, session);
	strbuf_addf(sb, ";SELECT GET_LOCK(%s, 0), @@max_allowed_packet, "
		    "CONNECTION_ID(), @@local_infile;SHOW FULL TABLES FROM ",
		    n->lock);
	sqlident_quote(sb, n->target);
	strbuf_adds(sb, ";USE ");
	sqlident_quote(sb, n->target);
	strbuf_adds(sb, ";SELECT CONSTRAINT_SCHEMA, TABLE_NAME, CONSTRAINT_NAME, "
		    "REFERENCED_TABLE_NAME FROM "
		    "information_schema.REFERENTIAL_CONSTRAINTS WHERE "
		    "UNIQUE_CONSTRAINT_SCHEMA = DATABASE()");
	return 5;
}

void loadsql_show_staging(struct strbuf *sb, const struct loadsql_names *n)
{
	strbuf_adds(sb, "SHOW TABLES FROM ");
	sqlident_quote(sb, n->staging);
}

char *loadsql_qualified(const char *schema, const char *table)
{
	struct strbuf sb = STRBUF_INIT;

	sqlident_quote(&sb, schema);
	strbuf_add(&sb, ".", 1);
	sqlident_quote(&sb, table);
	return strbuf_detach(&sb, NULL);
}

size_t loadsql_stage(struct strbuf *sb, const struct loadsql_names *n)
{
	strbuf_adds(sb, NO_KEY_CHECKS ";DROP DATABASE IF EXISTS ");
	sqlident_quote(sb, n->staging);
	strbuf_adds(sb, ";DROP DATABASE IF EXISTS ");
	sqlident_quote(sb, n->old);
	strbuf_adds(sb, ";CREATE DATABASE IF NOT EXISTS ");
	sqlident_quote(sb, n->target);
	strbuf_adds(sb, ";CREATE DATABASE ");
	sqlident_quote(sb, n->staging);
	return 5;
}

size_t loadsql_prefix(struct strbuf *sb, const struct loadsql_names *n,
		      const char *session, unsigned long long owner)
{
	strbuf_adds(sb, session);
	strbuf_adds(sb, ";" LOAD_SESSION ";");
	/* an error ("more than 1 row") unless session `owner` holds the
	 * lock: the statements after it do not run */
	strbuf_addf(sb, "SELECT IF(IS_USED_LOCK(%s) <=> %llu, 0, "
		    "(SELECT 1 UNION ALL SELECT 1));USE ", n->lock, owner);
	sqlident_quote(sb, n->staging);
	return 4;
}

/* "`from`.`t` TO `to`.`t`" */
static void rename_pair(struct strbuf *sb, const char *from, const char *to,
			const char *table)
{
	sqlident_quote(sb, from);
	strbuf_add(sb, ".", 1);
	sqlident_quote(sb, table);
	strbuf_adds(sb, " TO ");
	sqlident_quote(sb, to);
	strbuf_add(sb, ".", 1);
	sqlident_quote(sb, table);
}

size_t loadsql_move_in(struct strbuf *sb, const struct loadsql_names *n,
		       const char *const *tables, const int *existed, size_t ntables,
		       size_t *rename_at)
{
	size_t i, replaced = 0, k = 0;

	for (i = 0; i < ntables; i++)
		replaced += existed[i] != 0;
	strbuf_adds(sb, NO_KEY_CHECKS);
	if (replaced > 0) {
		strbuf_adds(sb, ";CREATE DATABASE ");
		sqlident_quote(sb, n->old);
	}
	*rename_at = replaced > 0 ? 2 : 1;
	strbuf_adds(sb, ";RENAME TABLE ");
	for (i = 0; i < ntables; i++)
		if (existed[i]) {
			strbuf_adds(sb, k++ ? ", " : "");
			rename_pair(sb, n->target, n->old, tables[i]);
		}
	for (i = 0; i < ntables; i++) {
		strbuf_adds(sb, k++ ? ", " : "");
		rename_pair(sb, n->staging, n->target, tables[i]);
	}
	strbuf_adds(sb, ";DROP DATABASE ");
	sqlident_quote(sb, n->staging);
	if (replaced > 0) {
		strbuf_adds(sb, ";DROP DATABASE ");
		sqlident_quote(sb, n->old);
	}
	strbuf_add(sb, ";", 1);
	loadsql_release_lock(sb, n);
	return replaced > 0 ? 6 : 4;
}

size_t loadsql_drop(struct strbuf *sb, const struct loadsql_names *n)
{
	strbuf_adds(sb, NO_KEY_CHECKS ";DROP DATABASE IF EXISTS ");
	sqlident_quote(sb, n->staging);
	strbuf_adds(sb, ";DROP DATABASE IF EXISTS ");
	sqlident_quote(sb, n->old);
	return 3;
}

void loadsql_get_lock(struct strbuf *sb, const struct loadsql_names *n,
		      unsigned wait)
{
	/* a number rhizome formats itself */
	strbuf_addf(sb, "SELECT GET_LOCK(%s, %u)", n->lock, wait);
}

void loadsql_release_lock(struct strbuf *sb, const struct loadsql_names *n)
{
	strbuf_addf(sb, "SELECT RELEASE_LOCK(%s)", n->lock);
}

/* Append one more statement to ins, returned empty. */
static struct strbuf *new_statement(struct loadsql_inserts *ins)
{
	if (ins->n == ins->cap) {
		ins->cap = ins->cap ? 2 * ins->cap : 4;
		ins->stmts = xrealloc(ins->stmts, ins->cap * sizeof(*ins->stmts));
	}
	memset(&ins->stmts[ins->n], 0, sizeof(ins->stmts[0]));
	return &ins->stmts[ins->n++];
}

/* The key names of the first row, which every row must repeat; and,
 * per key, its text as the first row spells it, its column and how its
 * values are written, so a row that repeats the spelling is read
 * without decoding its keys again. */
struct keys {
	char **names;
	char **raw;                     /* the quoted key, as written */
	size_t *rawlen;
	const char *text_end;           /* the text's NUL */
	const struct tm_column **cols;
	enum rowfile_kind *kinds;
	size_t n, cap;
};

static void keys_release(struct keys *k)
{
	size_t i;

	for (i = 0; i < k->n; i++) {
		free(k->names[i]);
		free(k->raw[i]);
	}
	free(k->names);
	free(k->raw);
	free(k->rawlen);
	free(k->cols);
	free(k->kinds);
}

/*
 * One row object at p (its '{'): its values as "(v, ...)" into *tuple,
 * and on the first row its insertable columns into *cols and its keys into
 * *keys. Returns where the object ends, or NULL with *err filled.
 */
static const char *row(const struct table_model *m, const char *p,
		       size_t rowno, int tsv, struct keys *keys,
		       struct strbuf *cols, struct strbuf *tuple,
		       struct strbuf *err)
{
	int first = rowno == 1, nvalues = 0;
	size_t nkey = 0;
	/* the values' checks write into it only when one fails */
	struct strbuf why = STRBUF_INIT;

	if (!tsv) {
		strbuf_reset(tuple);
		strbuf_add(tuple, "(", 1);
	}
	p = rowfile_skip_ws(p + 1);
	while (*p == '"') {
		const char *kend, *vend;
		json_t *key;
		const char *name;
		const struct tm_column *col;
		enum rowfile_kind kind;

		if (!first && nkey < keys->n &&
		    (size_t)(keys->text_end - p) >= keys->rawlen[nkey] &&
		    memcmp(keys->raw[nkey], p, keys->rawlen[nkey]) == 0) {
			/* the first row's key, spelled the same (a whole
			 * token: it ends where the first row's did) */
			kend = p + keys->rawlen[nkey];
			col = keys->cols[nkey];
			kind = keys->kinds[nkey];
			nkey++;
			goto value;
		}
		kend = rowfile_skip_string(p);
		key = rowfile_string(p, kend);
		name = key ? json_string_value(key) : "";
		col = tablemodel_column(m, name);
		kind = col ? rowfile_kind_of(col) : ROWFILE_TEXT;
		if (col == NULL) {
			strbuf_addf(err, "row %zu: key \"%s\" is no column of "
				    "`%s`", rowno, name, m->name);
			json_decref(key);
			return NULL;
		}
		if (first) {
			if (keys->n == keys->cap) {
				keys->cap = keys->cap ? 2 * keys->cap : 16;
				keys->names = xrealloc(keys->names, keys->cap *
						       sizeof(*keys->names));
			}
			keys->raw = xrealloc(keys->raw, keys->cap *
					     sizeof(*keys->raw));
			keys->rawlen = xrealloc(keys->rawlen, keys->cap *
						sizeof(*keys->rawlen));
			keys->cols = xrealloc(keys->cols, keys->cap *
					      sizeof(*keys->cols));
			keys->kinds = xrealloc(keys->kinds, keys->cap *
					       sizeof(*keys->kinds));
			keys->raw[keys->n] = xstrndup(p, (size_t)(kend - p));
			keys->rawlen[keys->n] = (size_t)(kend - p);
			keys->cols[keys->n] = col;
			keys->kinds[keys->n] = kind;
			keys->names[keys->n++] = xstrdup(name);
		} else if (nkey >= keys->n || strcmp(keys->names[nkey], name) != 0) {
			strbuf_addf(err, "row %zu: key \"%s\" where the first row "
				    "has %s%s%s", rowno, name,
				    nkey < keys->n ? "\"" : "",
				    nkey < keys->n ? keys->names[nkey] : "none",
				    nkey < keys->n ? "\"" : "");
			json_decref(key);
			return NULL;
		}
		nkey++;
		json_decref(key);
value:
		p = rowfile_skip_ws(rowfile_skip_ws(kend) + 1);
		vend = rowfile_skip_value(p);
		if (col->generated == NULL) {
			if (first && !tsv) {
				strbuf_adds(cols, nvalues ? ", " : "");
				sqlident_quote(cols, col->name);
			}
			if (nvalues++)
				strbuf_add(tuple, tsv ? "\t" : ", ", tsv ? 1 : 2);
			if ((tsv ? rowfile_tsv_value(kind, p, vend, tuple, &why)
			     : rowfile_sql_value(kind, p, vend, tuple, &why)) != 0) {
				strbuf_addf(err, "row %zu: column `%s`: %s", rowno,
					    col->name, why.data);
				strbuf_release(&why);
				return NULL;
			}
		}
		p = rowfile_skip_ws(vend);
		if (*p == ',')
			p = rowfile_skip_ws(p + 1);
	}
	if (*p != '}') {
		strbuf_addf(err, "row %zu: not an object of column values", rowno);
		return NULL;
	}
	if (nkey != keys->n) {
		strbuf_addf(err, "row %zu: %zu keys where the first row has %zu",
			    rowno, nkey, keys->n);
		return NULL;
	}
	strbuf_add(tuple, tsv ? "\n" : ")", 1);
	return p + 1;
}

/* Whether a column's values go into a BIT column: its JSON integer is
 * the bits' value, which LOAD DATA would store as the digits' bytes. */
static int is_bit(const struct tm_column *col)
{
	return col->type != NULL && strncasecmp(col->type, "bit", 3) == 0 &&
	       (col->type[3] == '\0' || col->type[3] == '(' ||
		col->type[3] == ' ');
}

/* The LOAD DATA statement of the columns in keys (the first row's), for
 * rows sent as `name`. */
static void data_statement(struct strbuf *sb, const struct table_model *m,
			   const struct keys *keys, const char *name)
{
	struct strbuf set = STRBUF_INIT;
	size_t i, n = 0;

	strbuf_addf(sb, "LOAD DATA LOCAL INFILE '%s' INTO TABLE ", name);
	sqlident_quote(sb, m->name);
	/* the separators as hex: nothing here depends on the SQL mode */
	strbuf_adds(sb, " CHARACTER SET utf8mb4 FIELDS TERMINATED BY X'09' "
		    "ESCAPED BY X'5C' LINES TERMINATED BY X'0A' (");
	for (i = 0; i < keys->n; i++) {
		const struct tm_column *col = keys->cols[i];
		const char *how = keys->kinds[i] == ROWFILE_BINARY ? "FROM_BASE64"
				  : is_bit(col) ? "CAST" : NULL;

		if (col->generated != NULL)
			continue;
		strbuf_adds(sb, n++ ? ", " : "");
		if (how == NULL) {
			sqlident_quote(sb, col->name);
			continue;
		}
		strbuf_addf(sb, "@v%zu", i);
		strbuf_adds(&set, set.len ? ", " : " SET ");
		sqlident_quote(&set, col->name);
		if (how[0] == 'C')
			strbuf_addf(&set, " = CAST(@v%zu AS UNSIGNED)", i);
		else
			strbuf_addf(&set, " = FROM_BASE64(@v%zu)", i);
	}
	strbuf_adds(sb, ")");
	if (set.len)
		strbuf_add(sb, set.data, set.len);
	strbuf_release(&set);
}

/* The rows of text as INSERTs: a data file's (one object or an array),
 * or JSON lines (`lines`: objects one after another); or, with `data`,
 * JSON lines as LOAD DATA's text and statement. */
static int scan(const struct table_model *m, const char *text,
		size_t max_len, int lines, struct loadsql_inserts *out,
		struct loadsql_data *data, struct strbuf *err)
{
	struct strbuf cols = STRBUF_INIT, tuple = STRBUF_INIT;
	struct strbuf *stmt = NULL;
	struct keys keys;
	const char *p = rowfile_skip_ws(text);
	size_t rowno = 0, head = 0;
	int array = !lines && *p == '[', rc = 0;

	memset(&keys, 0, sizeof(keys));
	keys.text_end = text + strlen(text);
	if (array)
		p = rowfile_skip_ws(p + 1);
	while (*p == '{') {
		p = row(m, p, ++rowno, data != NULL, &keys, &cols,
			data ? &data->rows : &tuple, err);
		if (p == NULL) {
			rc = -EINVAL;
			break;
		}
		if (data != NULL) {
			if (rowno == 1)
				data_statement(&data->statement, m, &keys,
					       data->name);
			data->nrows++;
		} else {
			if (stmt == NULL ||
			    (stmt->len + 1 + tuple.len > max_len &&
			     stmt->len > head)) {
				stmt = new_statement(out);
				strbuf_adds(stmt, "INSERT INTO ");
				sqlident_quote(stmt, m->name);
				strbuf_addf(stmt, " (%s) VALUES ",
					    cols.data ? cols.data : "");
				head = stmt->len;
			}
			if (stmt->len > head)
				strbuf_add(stmt, ",", 1);
			strbuf_add(stmt, tuple.data, tuple.len);
			out->rows++;
		}
		p = rowfile_skip_ws(p);
		if (!array && !lines)
			break;
		if (array && *p == ',')
			p = rowfile_skip_ws(p + 1);
	}
	if (rc == 0 && (lines ? *p != '\0' : array ? *p != ']' : rowno != 1)) {
		strbuf_addf(err, "%s", lines ? "not JSON lines of row objects"
			    : array ? "not an array of row objects"
			    : "not a row object");
		rc = -EINVAL;
	}
	keys_release(&keys);
	strbuf_release(&cols);
	strbuf_release(&tuple);
	return rc;
}

int loadsql_inserts(const struct table_model *m, const char *text, size_t len,
		    size_t max_len, struct loadsql_inserts *out,
		    struct strbuf *err)
{
	(void)len; /* NUL-terminated: the scanner stops there */
	return scan(m, text, max_len, 0, out, NULL, err);
}

int loadsql_inserts_lines(const struct table_model *m, const char *text,
			  size_t max_len, struct loadsql_inserts *out,
			  struct strbuf *err)
{
	return scan(m, text, max_len, 1, out, NULL, err);
}

int loadsql_data_lines(const struct table_model *m, const char *text,
		       struct loadsql_data *out, struct strbuf *err)
{
	return scan(m, text, 0, 1, NULL, out, err);
}

void loadsql_data_release(struct loadsql_data *d)
{
	strbuf_release(&d->statement);
	strbuf_release(&d->rows);
	d->nrows = 0;
}

void loadsql_inserts_release(struct loadsql_inserts *ins)
{
	size_t i;

	for (i = 0; i < ins->n; i++)
		strbuf_release(&ins->stmts[i]);
	free(ins->stmts);
	memset(ins, 0, sizeof(*ins));
}

/* The quoted names of "(`a`, `b`)" (or "`db`.`t`" with dot = 1) into
 * *names. 0, or -EINVAL. */
static int quoted_names(const char *s, int dot, char ***names, size_t *n)
{
	size_t len = strlen(s), i = 0, end;

	*names = NULL;
	*n = 0;
	if (!dot) {
		if (len < 2 || s[0] != '(' || s[len - 1] != ')')
			return -EINVAL;
		i = 1;
		len--;
	}
	while (i < len) {
		if (s[i] != '`')
			return -EINVAL;
		end = sqltoken_skip_quoted(s, len, i);
		*names = xrealloc(*names, (*n + 1) * sizeof(**names));
		(*names)[*n] = sqltoken_unquote(s + i, end - i);
		if ((*names)[(*n)++] == NULL)
			return -EINVAL;
		i = end;
		if (i == len)
			break;
		if (dot ? s[i] != '.' : strncmp(s + i, ", ", 2) != 0)
			return -EINVAL;
		i += dot ? 1 : 2;
	}
	return *n > 0 ? 0 : -EINVAL;
}

static void free_names(char **names, size_t n)
{
	while (n > 0)
		free(names[--n]);
	free(names);
}

int loadsql_fk_parse(const struct tm_foreign_key *fk, struct loadsql_fk *out)
{
	char **ref = NULL;
	size_t nref = 0, nrefcols = 0;

	memset(out, 0, sizeof(*out));
	if (fk->columns == NULL || fk->ref_table == NULL || fk->ref_columns == NULL ||
	    quoted_names(fk->columns, 0, &out->columns, &out->ncolumns) != 0 ||
	    quoted_names(fk->ref_columns, 0, &out->ref_columns, &nrefcols) != 0 ||
	    nrefcols != out->ncolumns ||
	    quoted_names(fk->ref_table, 1, &ref, &nref) != 0 || nref > 2) {
		free_names(ref, nref);
		/* what was read so far: ncolumns counts both lists only when
		 * they agree */
		free_names(out->columns, out->ncolumns);
		free_names(out->ref_columns, nrefcols);
		memset(out, 0, sizeof(*out));
		return -EINVAL;
	}
	out->ref_schema = nref == 2 ? ref[0] : NULL;
	out->ref_table = ref[nref - 1];
	free(ref);
	return 0;
}

void loadsql_fk_release(struct loadsql_fk *fk)
{
	free_names(fk->columns, fk->ncolumns);
	free_names(fk->ref_columns, fk->ncolumns);
	free(fk->ref_schema);
	free(fk->ref_table);
	memset(fk, 0, sizeof(*fk));
}

void loadsql_fk_orphans(struct strbuf *sb, const char *schema,
			const char *table, const struct loadsql_fk *fk,
			const char *ref_schema)
{
	size_t i;

	strbuf_adds(sb, "SELECT COUNT(*) FROM ");
	sqlident_quote(sb, schema);
	strbuf_adds(sb, ".");
	sqlident_quote(sb, table);
	strbuf_adds(sb, " AS c WHERE ");
	for (i = 0; i < fk->ncolumns; i++) {
		strbuf_adds(sb, i ? " AND c." : "c.");
		sqlident_quote(sb, fk->columns[i]);
		strbuf_adds(sb, " IS NOT NULL");
	}
	if (ref_schema == NULL)
		return; /* no parent table: every such row is an orphan */
	strbuf_adds(sb, " AND NOT EXISTS (SELECT 1 FROM ");
	sqlident_quote(sb, ref_schema);
	strbuf_adds(sb, ".");
	sqlident_quote(sb, fk->ref_table);
	strbuf_adds(sb, " AS p WHERE ");
	for (i = 0; i < fk->ncolumns; i++) {
		strbuf_adds(sb, i ? " AND p." : "p.");
		sqlident_quote(sb, fk->ref_columns[i]);
		strbuf_adds(sb, " = c.");
		sqlident_quote(sb, fk->columns[i]);
	}
	strbuf_adds(sb, ")");
}
