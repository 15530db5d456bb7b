/*
 * The bulk export's summary as text (bulktext.h).
 */
#include "engine/output/bulktext.h"

#include <errno.h>
#include <string.h>

#include "engine/base/strbuf.h"
#include "engine/output/progress.h"
#include "engine/output/termtext.h"

/* Tables listed one per line up to this many each (JSON has them all). */
#define LIST_MAX 40

static const char *str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "?";
}

static long long num(json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

static void line(FILE *fp, size_t width, struct strbuf *sb)
{
	struct strbuf out = STRBUF_INIT;

	termtext_wrap(&out, sb->data ? sb->data : "", width, NULL, "    ");
	fputs(out.data ? out.data : "", fp);
	strbuf_release(&out);
	strbuf_reset(sb);
}

static void tables(FILE *fp, size_t width, json_t *a, const char *word)
{
	struct strbuf sb = STRBUF_INIT;
	char bytes[16];
	size_t i;
	json_t *x;

	json_array_foreach(a, i, x) {
		if (i == LIST_MAX) {
			fprintf(fp, "... and %zu more %s (--format json lists them "
				"all)\n", json_array_size(a) - i, word);
			break;
		}
		progress_bytes(bytes, sizeof(bytes), (double)num(x, "bytes"));
		strbuf_addf(&sb, "%-8s %s %s: %lld rows in %lld chunk%s, %s, %s",
			    word, str(x, "env"), str(x, "table"), num(x, "rows"),
			    num(x, "chunks"), num(x, "chunks") == 1 ? "" : "s",
			    bytes, str(x, "path"));
		if (num(x, "parts") > 1)
			strbuf_addf(&sb, " (%lld parts)", num(x, "parts"));
		if (json_is_string(json_object_get(x, "note")))
			strbuf_addf(&sb, "; %s", str(x, "note"));
		line(fp, width, &sb);
	}
	strbuf_release(&sb);
}

int bulktext_write(json_t *s, FILE *fp)
{
	size_t width = termtext_columns(fileno(fp), 100), i;
	struct strbuf sb = STRBUF_INIT;
	char bytes[16], rate[16];
	json_t *x;
	double secs = (double)num(s, "elapsed_ms") / 1000;

	tables(fp, width, json_object_get(s, "exported"), "exported");
	tables(fp, width, json_object_get(s, "kept"), "kept");
	json_array_foreach(json_object_get(s, "missing"), i, x) {
		strbuf_addf(&sb, "missing  %s %s: the server has no such table",
			    str(x, "env"), str(x, "table"));
		line(fp, width, &sb);
	}
	json_array_foreach(json_object_get(s, "errors"), i, x) {
		if (json_is_string(json_object_get(x, "table")))
			strbuf_addf(&sb, "error    %s %s: ", str(x, "env"),
				    str(x, "table"));
		else if (json_is_string(json_object_get(x, "env")))
			strbuf_addf(&sb, "error    %s: ", str(x, "env"));
		else
			strbuf_adds(&sb, "error    ");
		if (num(x, "code") != 0)
			strbuf_addf(&sb, "error %lld: ", num(x, "code"));
		strbuf_adds(&sb, str(x, "message"));
		if (json_is_string(json_object_get(x, "statement")))
			strbuf_addf(&sb, " [%s]", str(x, "statement"));
		line(fp, width, &sb);
	}
	progress_bytes(bytes, sizeof(bytes), (double)num(s, "bytes_written"));
	progress_bytes(rate, sizeof(rate), (double)num(s, "bytes_per_s"));
	strbuf_addf(&sb, "%lld exported, %lld kept, %lld missing, %lld error%s: "
		    "%lld rows, %s written in %.2f s (%lld rows/s, %s/s)",
		    num(s, "exported_count"), num(s, "kept_count"),
		    num(s, "missing_count"), num(s, "error_count"),
		    num(s, "error_count") == 1 ? "" : "s", num(s, "rows_written"),
		    bytes, secs, num(s, "rows_per_s"), rate);
	if (json_is_string(json_object_get(s, "interrupted")))
		strbuf_addf(&sb, "; interrupted (%s): complete chunks are kept, "
			    "--resume continues", str(s, "interrupted"));
	line(fp, width, &sb);
	strbuf_release(&sb);
	fflush(fp);
	return ferror(fp) ? -EIO : 0;
}
