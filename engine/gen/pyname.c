/*
 * Non-ASCII letters pass as they are: Python 3 identifiers may hold them
 * (PEP 3131), and a column named `café` should read as `café`. Other
 * ASCII punctuation and controls become '_'.
 */
#include "engine/gen/pyname.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "engine/base/alloc.h"
#include "engine/base/strbuf.h"
#include "engine/gen/pytype.h"

/* Python's keywords: no name can be one. */
static const char *const keywords[] = {
	"False", "None", "True", "and", "as", "assert", "async", "await",
	"break", "class", "continue", "def", "del", "elif", "else", "except",
	"finally", "for", "from", "global", "if", "import", "in", "is",
	"lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try",
	"while", "with", "yield",
};

/* What a SQLModel class already has (pydantic 1's BaseModel methods,
 * SQLModel's metadata and registry): a field of that name is refused or
 * shadows it. */
static const char *const model_names[] = {
	"Config", "construct", "copy", "dict", "fields", "from_orm", "json",
	"metadata", "parse_file", "parse_obj", "parse_raw", "registry",
	"schema", "schema_json", "update_forward_refs", "validate",
};

/* What a generated module imports: a field of that name would rebind it
 * for the rest of the class body (`text: str = Field(...)`, then
 * `server_default=text('0')` calls the Field). So would the dialect's
 * types (`INTEGER`, pytype_is_sa_name) and the registries (`V1Model`).
 * (`json` is among model_names already.) */
static const char *const module_names[] = {
	"Any", "CheckConstraint", "Column", "Computed", "Decimal", "Enum",
	"Field", "ForeignKeyConstraint", "Index", "Optional",
	"PrimaryKeyConstraint", "Path", "SQLModel", "base64", "date",
	"datetime", "declared_attr", "importlib", "registry", "text", "time",
};

static int listed(const char *const *list, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(list[i], name) == 0)
			return 1;
	return 0;
}

static int is_keyword(const char *name)
{
	return listed(keywords, sizeof(keywords) / sizeof(keywords[0]), name);
}

/* Whether a name is a registry's, V<digits>Model. */
static int registry_like(const char *name)
{
	const char *p = name + 1;

	if (name[0] != 'V' || !isdigit((unsigned char)*p))
		return 0;
	while (isdigit((unsigned char)*p))
		p++;
	return strcmp(p, "Model") == 0;
}

static int is_taken(const char *name)
{
	/* pydantic 2 keeps model_ to itself */
	return is_keyword(name) ||
	       listed(model_names, sizeof(model_names) / sizeof(model_names[0]),
		      name) ||
	       listed(module_names,
		      sizeof(module_names) / sizeof(module_names[0]), name) ||
	       pytype_is_sa_name(name) || registry_like(name) ||
	       strncmp(name, "model_", 6) == 0;
}

static int ident_char(unsigned char c)
{
	return c >= 0x80 || isalnum(c) || c == '_';
}

int pyname_module_ok(const char *name)
{
	const unsigned char *u = (const unsigned char *)name;

	if (*u == '\0' || isdigit(*u) || is_keyword(name))
		return 0;
	for (; *u; u++)
		if (!ident_char(*u))
			return 0;
	return 1;
}

int pyname_attr_ok(const char *name)
{
	const unsigned char *u = (const unsigned char *)name;

	if (*u == '\0' || *u == '_' || isdigit(*u) || is_taken(name))
		return 0;
	for (; *u; u++)
		if (!ident_char(*u))
			return 0;
	return 1;
}

/* The safe form of one name, before it is made unique. */
static char *safe(const char *name, const char *digit_prefix)
{
	struct strbuf sb = STRBUF_INIT;
	const unsigned char *u = (const unsigned char *)name;

	if (*u == '\0' || *u == '_' || isdigit(*u))
		strbuf_adds(&sb, digit_prefix);
	for (; *u; u++)
		strbuf_add(&sb, ident_char(*u) ? (const char *)u : "_", 1);
	if (is_taken(sb.data))
		strbuf_adds(&sb, "_");
	return strbuf_detach(&sb, NULL);
}

void pyname_attrs(const char *const *names, size_t n, char **attrs)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		char *a = pyname_attr_ok(names[i]) ? xstrdup(names[i])
						   : safe(names[i], "c_");
		unsigned k = 1;
		int clash;

		/* unique among those before it; a name that is itself some
		 * column's real name keeps it (it came first or is later
		 * renamed) */
		do {
			clash = 0;
			for (j = 0; j < i && !clash; j++)
				clash = strcmp(attrs[j], a) == 0;
			if (clash) {
				char *base = pyname_attr_ok(names[i])
						     ? xstrdup(names[i])
						     : safe(names[i], "c_");

				free(a);
				a = xasprintf("%s_%u", base, ++k);
				free(base);
			}
		} while (clash);
		attrs[i] = a;
	}
}

char *pyname_class(const char *table)
{
	struct strbuf sb = STRBUF_INIT;
	const unsigned char *u = (const unsigned char *)table;
	int up = 1;
	char *out;

	if (isdigit(*u) || *u == '\0')
		strbuf_adds(&sb, "T");
	for (; *u; u++) {
		if (!ident_char(*u) || *u == '_') {
			up = 1;
			continue;
		}
		if (up && *u < 0x80) {
			char c = (char)toupper(*u);

			strbuf_add(&sb, &c, 1);
		} else {
			strbuf_add(&sb, u, 1);
		}
		up = 0;
	}
	if (sb.len == 0) /* nothing but underscores and punctuation */
		strbuf_adds(&sb, "T");
	out = strbuf_detach(&sb, NULL);
	if (is_taken(out)) {
		char *t = xasprintf("%sTable", out);

		free(out);
		out = t;
	}
	return out;
}
