/*
 * rowfile_insert SNAPSHOT.sql DATA.json: print one INSERT statement that
 * puts the rows of DATA.json back into the table SNAPSHOT.sql creates,
 * every value as engine/rows/rowfile.h spells it. For the integration test
 * that proves those literals give the server its values back
 * (tests/integration/test_rowfile.sh). Exit 1 with a message on stderr
 * for a value its column cannot hold, 2 for unreadable input.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "engine/base/alloc.h"
#include "engine/base/strbuf.h"
#include "engine/fetch/sqlident.h"
#include "engine/rows/rowfile.h"
#include "engine/schema/tablemodel.h"

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct strbuf sb = STRBUF_INIT;
	char buf[65536];
	size_t n;

	if (f == NULL)
		return NULL;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		strbuf_add(&sb, buf, n);
	fclose(f);
	strbuf_adds(&sb, "");
	*len = sb.len;
	return strbuf_detach(&sb, NULL);
}

/* One row object at p: "(v, v, ...)" in the file's key order. */
static const char *row(const struct table_model *m, const char *p,
		       struct strbuf *cols, struct strbuf *out, int first)
{
	struct strbuf err = STRBUF_INIT;
	int n = 0;

	strbuf_adds(out, first ? "(" : ",\n(");
	p = rowfile_skip_ws(p + 1);
	while (*p == '"') {
		const char *kend = rowfile_skip_string(p), *vend;
		json_t *key = rowfile_string(p, kend);
		const struct tm_column *col =
			key ? tablemodel_column(m, json_string_value(key)) : NULL;

		if (col == NULL) {
			fprintf(stderr, "rowfile_insert: key %.*s is no column\n",
				(int)(kend - p), p);
			exit(1);
		}
		p = rowfile_skip_ws(rowfile_skip_ws(kend) + 1);
		vend = rowfile_skip_value(p);
		json_decref(key);
		if (col->generated != NULL) {
			/* the server computes it, and refuses a value */
			p = rowfile_skip_ws(vend);
			if (*p == ',')
				p = rowfile_skip_ws(p + 1);
			continue;
		}
		if (first) {
			strbuf_adds(cols, n ? ", " : "");
			sqlident_quote(cols, col->name);
		}
		strbuf_adds(out, n++ ? ", " : "");
		if (rowfile_sql_value(rowfile_kind_of(col), p, vend, out, &err) != 0) {
			fprintf(stderr, "rowfile_insert: column `%s`: %s\n",
				col->name, err.data);
			exit(1);
		}
		p = rowfile_skip_ws(vend);
		if (*p == ',')
			p = rowfile_skip_ws(p + 1);
	}
	strbuf_adds(out, ")");
	strbuf_release(&err);
	return *p == '}' ? p + 1 : p;
}

int main(int argc, char **argv)
{
	struct table_model m;
	struct strbuf cols = STRBUF_INIT, values = STRBUF_INIT, stmt = STRBUF_INIT;
	size_t slen, jlen;
	char *sql, *data;
	const char *p;
	json_t *root;

	if (argc != 3) {
		fprintf(stderr, "usage: rowfile_insert SNAPSHOT.sql DATA.json\n");
		return 2;
	}
	sql = slurp(argv[1], &slen);
	data = slurp(argv[2], &jlen);
	if (sql == NULL || data == NULL ||
	    tablemodel_parse(sql, slen, &m) == TM_NOT_A_TABLE) {
		fprintf(stderr, "rowfile_insert: cannot read %s or %s\n", argv[1], argv[2]);
		return 2;
	}
	root = json_loadb(data, jlen, JSON_DECODE_INT_AS_REAL, NULL);
	if (root == NULL) {
		fprintf(stderr, "rowfile_insert: %s is not JSON\n", argv[2]);
		return 2;
	}
	json_decref(root);
	p = rowfile_skip_ws(data);
	if (*p == '{') {
		row(&m, p, &cols, &values, 1);
	} else {
		int first = 1;

		for (p = rowfile_skip_ws(p + 1); *p == '{'; first = 0) {
			p = rowfile_skip_ws(row(&m, p, &cols, &values, first));
			if (*p == ',')
				p = rowfile_skip_ws(p + 1);
		}
	}
	strbuf_adds(&stmt, "INSERT INTO ");
	sqlident_quote(&stmt, m.name);
	printf("%s (%s) VALUES\n%s;\n", stmt.data, cols.data, values.data);
	tablemodel_release(&m);
	strbuf_release(&cols);
	strbuf_release(&values);
	strbuf_release(&stmt);
	free(sql);
	free(data);
	return 0;
}
