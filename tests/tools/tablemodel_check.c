/*
 * tablemodel_check FILE...: parse each snapshot file (a SHOW CREATE TABLE
 * text and ";\n") with engine/tablemodel and render it back. Prints one
 * line per file that does not parse whole or does not round-trip, then a
 * count; exits 1 if any failed. Used by tests/integration/test_tablemodel.sh
 * on the real-world schemas of ../shared/corpus, and by
 * test_parser_gaps.sh on periods and names holding raw newlines.
 *
 * The render is compared here too, not only inside tablemodel_parse: the
 * tool checks the round trip it names, whatever the parser claims. A part
 * not understood is printed on one line, its newlines and tabs written \n
 * and \t (a name may hold them).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/store/snapshot.h"
#include "engine/schema/tablemodel.h"

static void print_part(const char *s)
{
	fputs("    ", stdout);
	for (; *s; s++)
		if (*s == '\n')
			fputs("\\n", stdout);
		else if (*s == '\t')
			fputs("\\t", stdout);
		else
			putchar(*s);
	putchar('\n');
}

int main(int argc, char **argv)
{
	int i, failed = 0;

	for (i = 1; i < argc; i++) {
		struct table_model m;
		char *text, *back;
		size_t len, body, k;
		enum tm_parsed rc;

		if (snapshot_read(argv[i], &text, &len) != 0) {
			printf("unreadable: %s\n", argv[i]);
			failed++;
			continue;
		}
		rc = tablemodel_parse(text, len, &m);
		if (rc != TM_WHOLE) {
			printf("%s: %s\n", rc == TM_NOT_A_TABLE ? "not a CREATE TABLE" :
			       "not understood", argv[i]);
			for (k = 0; rc == TM_PARTIAL && k < m.nunparsed; k++)
				print_part(m.unparsed[k]);
			failed++;
		} else {
			body = snapshot_body_len(1, text, len);
			back = tablemodel_render(&m);
			if (strlen(back) != body || memcmp(back, text, body) != 0) {
				printf("does not render back: %s\n", argv[i]);
				failed++;
			}
			free(back);
		}
		if (rc != TM_NOT_A_TABLE)
			tablemodel_release(&m);
		free(text);
	}
	printf("tablemodel_check: %d of %d tables parsed whole and rendered back\n",
	       argc - 1 - failed, argc - 1);
	return failed ? 1 : 0;
}
