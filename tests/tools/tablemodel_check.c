/*
 * tablemodel_check FILE...: parse each snapshot file (a SHOW CREATE TABLE
 * text and ";\n") with engine/tablemodel and render it back. Prints one
 * line per file that does not parse whole or does not round-trip, then a
 * count; exits 1 if any failed. Used by tests/integration/test_tablemodel.sh
 * on the real-world schemas of ../shared/corpus.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/store/snapshot.h"
#include "engine/schema/tablemodel.h"

int main(int argc, char **argv)
{
	int i, failed = 0;

	for (i = 1; i < argc; i++) {
		struct table_model m;
		char *text;
		size_t len, k;
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
				printf("    %s\n", m.unparsed[k]);
			failed++;
		}
		if (rc != TM_NOT_A_TABLE)
			tablemodel_release(&m);
		free(text);
	}
	printf("tablemodel_check: %d of %d tables parsed whole and rendered back\n",
	       argc - 1 - failed, argc - 1);
	return failed ? 1 : 0;
}
