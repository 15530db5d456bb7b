/*
 * A type change is judged by family: integers by width, strings by length,
 * text and blob by tier, DECIMAL by precision and scale, temporal types by
 * fractional digits, ENUM and SET by their values. Any other change of
 * type is treated as narrowing: data may not survive it. The type text is
 * the server's ("int(11) unsigned", "enum('a','b''c')"), read only as far
 * as its base name, its numbers and its value list.
 */
#include "engine/schema/schemadiff_int.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "engine/base/alloc.h"

struct type_info {
	char base[32];          /* lower case: "int", "varchar", "enum" */
	long n1, n2;            /* (n1,n2), -1 when absent */
	int is_unsigned;
	const char *values;     /* enum/set: the text inside the parentheses */
	size_t values_len;
};

static void type_info(const char *type, struct type_info *ti)
{
	size_t i = 0;
	const char *p;

	memset(ti, 0, sizeof(*ti));
	ti->n1 = ti->n2 = -1;
	while (type[i] && type[i] != '(' && type[i] != ' ' && i < sizeof(ti->base) - 1) {
		ti->base[i] = (char)tolower((unsigned char)type[i]);
		i++;
	}
	p = type + i;
	if (*p == '(') {
		const char *close = strrchr(p, ')');

		if (strcmp(ti->base, "enum") == 0 || strcmp(ti->base, "set") == 0) {
			ti->values = p + 1;
			ti->values_len = close ? (size_t)(close - p - 1) : 0;
		} else {
			ti->n1 = strtol(p + 1, (char **)&p, 10);
			if (*p == ',')
				ti->n2 = strtol(p + 1, NULL, 10);
		}
	}
	ti->is_unsigned = strstr(type, "unsigned") != NULL;
}

static int rank(const char *base, const char *const *family)
{
	int i;

	for (i = 0; family[i] != NULL; i++)
		if (strcmp(base, family[i]) == 0)
			return i;
	return -1;
}

static const char *const ints[] = { "tinyint", "smallint", "mediumint", "int",
				    "bigint", NULL };
static const char *const texts[] = { "tinytext", "text", "mediumtext",
				     "longtext", NULL };
static const char *const blobs[] = { "tinyblob", "blob", "mediumblob",
				     "longblob", NULL };
static const char *const strings[] = { "char", "varchar", NULL };
static const char *const bins[] = { "binary", "varbinary", NULL };
static const char *const floats[] = { "float", "double", NULL };

/* The next value of an enum/set list ('a','b''c',...) from *i: its start
 * and length (quotes included). Returns 0 at the end of the list. */
static int next_value(const char *list, size_t len, size_t *i,
		      const char **value, size_t *vlen)
{
	size_t start = *i, k = *i;

	if (k >= len)
		return 0;
	if (list[k] == '\'') {
		k++;
		while (k < len && !(list[k] == '\'' &&
				    (k + 1 >= len || list[k + 1] != '\'')))
			k += list[k] == '\'' ? 2 : 1;
		k++;
	}
	*value = list + start;
	*vlen = k - start;
	while (k < len && list[k] != ',')
		k++;
	*i = k + 1;
	return 1;
}

static int has_value(const struct type_info *t, const char *v, size_t vlen)
{
	const char *w;
	size_t i = 0, wlen;

	while (next_value(t->values, t->values_len, &i, &w, &wlen))
		if (wlen == vlen && strncmp(w, v, vlen) == 0)
			return 1;
	return 0;
}

/* Is a value of a missing from b? */
static int values_missing(const struct type_info *a, const struct type_info *b)
{
	const char *v;
	size_t i = 0, vlen;

	while (next_value(a->values, a->values_len, &i, &v, &vlen))
		if (!has_value(b, v, vlen))
			return 1;
	return 0;
}

/* The kind of a type change from `a` to `b` (which differ). */
enum diff_kind schemadiff_type_change(const char *a, const char *b,
				      const struct diff_opts *o)
{
	struct type_info x, y;
	const char *const *families[] = { ints, texts, blobs, strings, bins,
					   floats };
	size_t f;

	type_info(a, &x);
	type_info(b, &y);
	if ((strcmp(x.base, "enum") == 0 || strcmp(x.base, "set") == 0) &&
	    strcmp(x.base, y.base) == 0) {
		if (values_missing(&x, &y))
			return DIFF_ENUM_VALUE_REMOVED;
		if (values_missing(&y, &x))
			return DIFF_ENUM_VALUE_ADDED;
		return DIFF_ENUM_REORDERED; /* same values, other order */
	}
	if (x.is_unsigned != y.is_unsigned)
		return DIFF_TYPE_CHANGED;
	for (f = 0; f < sizeof(families) / sizeof(families[0]); f++) {
		int rx = rank(x.base, families[f]), ry = rank(y.base, families[f]);

		if (rx < 0 || ry < 0)
			continue;
		if (rx != ry && (families[f] == strings || families[f] == bins))
			/* char <-> varchar: the length decides */
			return y.n1 >= x.n1 ? DIFF_TYPE_WIDENED : DIFF_TYPE_NARROWED;
		if (rx != ry)
			return ry > rx ? DIFF_TYPE_WIDENED : DIFF_TYPE_NARROWED;
		/* same base: lengths (ints: display width only) */
		if (families[f] == ints)
			return o->ignore_int_width ? DIFF_KIND_COUNT : DIFF_ATTRIBUTE_CHANGED;
		if (families[f] == floats)
			break; /* float(m,d): precision and scale, below */
		return y.n1 >= x.n1 ? DIFF_TYPE_WIDENED : DIFF_TYPE_NARROWED;
	}
	if (strcmp(x.base, y.base) == 0) {
		/* decimal(p,s), datetime(n), time(n), timestamp(n), bit(n) */
		if (y.n1 >= x.n1 && y.n2 >= x.n2 &&
		    (y.n1 - y.n2) >= (x.n1 - x.n2))
			return DIFF_TYPE_WIDENED;
		return DIFF_TYPE_NARROWED;
	}
	return DIFF_TYPE_CHANGED;
}

/* "int(11) unsigned" -> "int unsigned"; other types unchanged. */
char *schemadiff_strip_int_width(const char *type)
{
	struct type_info ti;
	char *s = xstrdup(type), *p, *close;

	type_info(type, &ti);
	if (rank(ti.base, ints) >= 0 && (p = strchr(s, '(')) != NULL &&
	    (close = strchr(p, ')')) != NULL)
		memmove(p, close + 1, strlen(close + 1) + 1);
	return s;
}

/* Types that hold text, and so have a character set. */
int schemadiff_textual(const char *type)
{
	static const char *const words[] = { "char", "varchar", "tinytext",
		"text", "mediumtext", "longtext", "enum", "set", NULL };
	struct type_info ti;

	type_info(type, &ti);
	return rank(ti.base, words) >= 0;
}

