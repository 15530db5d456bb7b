/*
 * pytype_check FILE...: for every column of each snapshot file, the types
 * engine/gen/pytype gives it, one tab-separated line:
 *
 *   FILE  COLUMN  SERVER-TYPE  JSON  SA-TYPE  PYTHON  MAX-LENGTH
 *
 * SA-TYPE and PYTHON are "-" when pytype refuses the type; JSON is 1 when
 * a CHECK (json_valid(`column`)) says the column holds JSON (MariaDB's JSON
 * columns). tests/tools/pytype_check.py compiles each SA-TYPE with
 * SQLAlchemy's MySQL dialect and compares it with SERVER-TYPE. Names are
 * printed with tabs and newlines escaped (a name may hold them). Exits 1
 * when a file does not parse.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/base/alloc.h"
#include "engine/gen/pytype.h"
#include "engine/schema/tablemodel.h"
#include "engine/store/snapshot.h"

static void put(const char *s)
{
	for (; *s; s++)
		if (*s == '\n')
			fputs("\\n", stdout);
		else if (*s == '\t')
			fputs("\\t", stdout);
		else
			putchar(*s);
}

/* Whether a CHECK of m says column `name` holds JSON. */
static int holds_json(const struct table_model *m, const char *name)
{
	char *want = xasprintf("json_valid(`%s`)", name);
	size_t i;
	int yes = 0;

	for (i = 0; i < m->nchecks && !yes; i++)
		yes = strstr(m->checks[i].expression, want) != NULL;
	free(want);
	return yes;
}

int main(int argc, char **argv)
{
	int i, bad = 0;

	for (i = 1; i < argc; i++) {
		struct table_model m;
		char *text;
		size_t len, c;

		if (snapshot_read(argv[i], &text, &len) != 0) {
			fprintf(stderr, "%s: cannot read\n", argv[i]);
			bad = 1;
			continue;
		}
		if (tablemodel_parse(text, len, &m) == TM_NOT_A_TABLE) {
			fprintf(stderr, "%s: not a table\n", argv[i]);
			free(text);
			bad = 1;
			continue;
		}
		for (c = 0; c < m.ncolumns; c++) {
			const struct tm_column *col = &m.columns[c];
			int json = holds_json(&m, col->name);
			struct pytype t;

			put(argv[i]);
			putchar('\t');
			put(col->name);
			putchar('\t');
			put(col->type);
			printf("\t%d\t", json);
			if (pytype_of(col->type, json, &t) == 0)
				printf("%s\t%s\t%u\n", t.sa_type,
				       t.python == PYTYPE_ENUM ? "Enum"
				       : pytype_python_name(t.python),
				       t.max_length);
			else
				printf("-\t-\t0\n");
			pytype_release(&t);
		}
		tablemodel_release(&m);
		free(text);
	}
	return bad;
}
