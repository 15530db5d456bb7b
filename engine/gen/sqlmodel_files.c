/*
 * The modules of the sqlmodel target around the models: the registries,
 * an emplacement, a registration; and the target itself.
 */
#include <stdlib.h>
#include <string.h>

#include "engine/base/alloc.h"
#include "engine/gen/pyname.h"
#include "engine/gen/pytype.h"
#include "engine/gen/sqlmodel_int.h"

static void registries(const char *database, unsigned nversions,
		       struct strbuf *out)
{
	unsigned v;

	sqlmodel_header(out);
	strbuf_adds(out, "\"\"\"The registries of `");
	pydoc_text(out, database);
	strbuf_adds(out, "`'s models: one per version number, so that V1 and V2\n"
		    "of a table (the same table name) can coexist.\"\"\"\n"
		    "from sqlalchemy.orm import registry\n"
		    "from sqlmodel import SQLModel\n");
	for (v = 1; v <= nversions; v++) {
		strbuf_addf(out, "\n\nclass V%uModel(SQLModel, registry=registry()):\n"
			    "    \"\"\"Every table's V%u", v, v);
		if (v == 1)
			strbuf_adds(out, " (as the environments that roll out "
				    "last have it)");
		strbuf_adds(out, "; V");
		strbuf_addf(out, "%uModel.metadata holds their tables.\"\"\"\n", v);
	}
	strbuf_adds(out, "\n\n# every registry, V1 first\nREGISTRIES = (");
	for (v = 1; v <= nversions; v++)
		strbuf_addf(out, "%sV%uModel", v > 1 ? ", " : "", v);
	pytuple_end(out, nversions);
}

/* A frozenset() of the names of m's columns whose Python side is `p`. */
static void column_set(struct strbuf *out, const struct table_model *m,
		       enum pytype_python p)
{
	size_t k, n = 0;

	strbuf_adds(out, "frozenset(");
	for (k = 0; k < m->ncolumns; k++) {
		struct pytype pt;
		const struct tm_column *c = &m->columns[k];

		if (pytype_of(c->type, sqlmodel_is_json(m, c), &pt) == 0 &&
		    pt.python == p) {
			strbuf_adds(out, n++ ? ", " : "{");
			pytype_literal(out, c->name);
		}
		pytype_release(&pt);
	}
	strbuf_adds(out, n ? "})" : ")");
}

static void emplacement(const struct gen_emplacement *e, struct strbuf *out)
{
	const struct gen_table *t = e->t;
	const struct table_model *m = t->versions[e->version - 1].model;
	struct pyimports u;
	struct strbuf body = STRBUF_INIT, msg = STRBUF_INIT;
	char *cls = pyname_class(t->table), *name;
	size_t k, j, n = 0;
	struct table_ctx x;

	memset(&u, 0, sizeof(u));
	name = xasprintf("%sV%u", cls, e->version);
	/* the attributes, as the model module names them */
	memset(&x, 0, sizeof(x));
	x.t = t;
	sqlmodel_collect_names(&x);
	pyimports_local(&u, t->model_path, name, name);
	pynames_add(&u.stdlib, "base64");
	pynames_add(&u.stdlib, "json");
	pynames_add(&u.pathlib, "Path");

	strbuf_addf(&body, "\nMODEL = %s\nENVIRONMENT = ", name);
	pytype_literal(&body, e->env);
	strbuf_adds(&body, "\nDATABASE = ");
	pytype_literal(&body, t->database);
	strbuf_adds(&body, "\nTABLE = ");
	pytype_literal(&body, t->table);
	strbuf_adds(&body, "\nDATA_FILE = Path(__file__).resolve().parent / ");
	pytype_literal(&body, e->data_file);
	strbuf_adds(&body, "\n\n# the file's keys are column names; these "
		    "attributes are named otherwise\n_ATTRIBUTES = {");
	for (k = 0; k < m->ncolumns; k++) {
		const char *a = sqlmodel_attr_of(&x, m->columns[k].name);

		if (strcmp(a, m->columns[k].name) == 0)
			continue;
		strbuf_adds(&body, n++ ? ", " : "");
		pytype_literal(&body, m->columns[k].name);
		strbuf_adds(&body, ": ");
		pytype_literal(&body, a);
	}
	strbuf_adds(&body, "}\n# the columns the file holds as base64\n"
		    "_BASE64 = ");
	column_set(&body, m, PYTYPE_BYTES);
	strbuf_adds(&body, "\n# the columns the file holds as JSON text, "
		    "which SQLAlchemy's JSON type\n# would read as what it "
		    "decodes to\n_JSON = ");
	column_set(&body, m, PYTYPE_JSON);
	strbuf_adds(&body, "\n");
	strbuf_addf(&msg, ": no expected data for %s.%s in %s: run `rhizome "
		    "sync data --env %s` (a table that was empty has no file)",
		    t->database, t->table, e->env, e->env);
	strbuf_adds(&body,
		"\n\ndef _validated(row):\n"
		"    values = {}\n"
		"    for column, value in row.items():\n"
		"        if column in _BASE64 and value is not None:\n"
		"            value = base64.b64decode(value)\n"
		"        elif column in _JSON and isinstance(value, str):\n"
		"            try:\n"
		"                value = json.loads(value)\n"
		"            except ValueError:\n"
		"                pass  # masked (a pseudonym), not JSON: kept as text\n"
		"        values[_ATTRIBUTES.get(column, column)] = value\n"
		"    # a table=True model skips validation when constructed:\n"
		"    # validate explicitly (pydantic 2's model_validate, 1's validate)\n"
		"    validate = getattr(MODEL, 'model_validate', None) or MODEL.validate\n"
		"    return validate(values)\n"
		"\n\ndef load():\n"
		"    \"\"\"The rows of DATA_FILE as validated MODEL objects: a list of\n"
		"    its one row, or of every row it holds (sync data --rows).\"\"\"\n"
		"    try:\n"
		"        text = DATA_FILE.read_text(encoding='utf-8')\n"
		"    except FileNotFoundError:\n"
		"        raise FileNotFoundError(\n"
		"            str(DATA_FILE)\n"
		"            + ");
	pytype_literal(&body, msg.data);
	strbuf_adds(&body,
		"\n        ) from None\n"
		"    data = json.loads(text)\n"
		"    return [_validated(row) for row in (data if isinstance(data, list) else [data])]\n"
		"\n\ndef load_one():\n"
		"    \"\"\"The first row of DATA_FILE, validated.\"\"\"\n"
		"    return load()[0]\n");

	sqlmodel_header(out);
	strbuf_adds(out, "\"\"\"Expected data of `");
	pydoc_text(out, t->database);
	strbuf_adds(out, "`.`");
	pydoc_text(out, t->table);
	strbuf_adds(out, "` in ");
	pydoc_text(out, e->env);
	strbuf_addf(out, " (V%u, %s).\n\nload() reads ", e->version, name);
	pydoc_text(out, e->data_shown);
	strbuf_adds(out, " into validated models.\n\"\"\"\n");
	pyimports_write(out, &u);
	strbuf_adds(out, body.data);
	for (j = 0; j < x.nnames; j++)
		free(x.attrs[j]);
	free(x.attrs);
	free(x.names);
	free(name);
	free(cls);
	strbuf_release(&body);
	strbuf_release(&msg);
	pyimports_release(&u);
}

/* An alias not yet in `taken`, from `want` (then want_2, want_3...). */
static char *unique_alias(struct pynames *taken, const char *want)
{
	char *a = xstrdup(want);
	unsigned k = 1;
	size_t i;
	int clash;

	do {
		clash = 0;
		for (i = 0; i < taken->n && !clash; i++)
			clash = strcmp(taken->v[i], a) == 0;
		if (clash) {
			free(a);
			a = xasprintf("%s_%u", want, ++k);
		}
	} while (clash);
	pynames_add(taken, a);
	return a;
}

static void registration(const struct gen_registration *r, struct strbuf *out)
{
	struct pyimports u;
	struct pynames taken = { 0 };
	struct strbuf body = STRBUF_INIT;
	size_t i;

	memset(&u, 0, sizeof(u));
	pynames_add(&taken, "ENVIRONMENT");
	pynames_add(&taken, "DATABASE");
	pynames_add(&taken, "TABLES");
	pynames_add(&taken, "ABSENT");
	strbuf_adds(&body, "\nENVIRONMENT = ");
	pytype_literal(&body, r->env);
	strbuf_adds(&body, "\nDATABASE = ");
	pytype_literal(&body, r->database);
	strbuf_adds(&body, "\n# each table: (its model version, its emplacement)\n"
		    "TABLES = {\n");
	for (i = 0; i < r->n; i++) {
		const struct gen_registration_entry *en = &r->entries[i];
		char *cls = pyname_class(en->t->table);
		char *name = xasprintf("%sV%u", cls, en->version);
		const char *slash = strrchr(en->emplacement_path, '/');
		const char *base = slash ? slash + 1 : en->emplacement_path;
		char *mod = xstrndup(base, strcspn(base, "."));
		char *ca = unique_alias(&taken, name);
		char *ma = unique_alias(&taken, pyname_module_ok(mod) ? mod
					: "emplacement");

		pyimports_local(&u, en->t->model_path, name, ca);
		pyimports_local(&u, en->emplacement_path, NULL, ma);
		strbuf_adds(&body, "    ");
		pytype_literal(&body, en->t->table);
		strbuf_addf(&body, ": (%s, %s),\n", ca, ma);
		free(ca);
		free(ma);
		free(mod);
		free(name);
		free(cls);
	}
	strbuf_adds(&body, "}\n# in the table list, without a snapshot here\n"
		    "ABSENT = (");
	for (i = 0; i < r->nabsent; i++) {
		strbuf_adds(&body, i ? ", " : "");
		pytype_literal(&body, r->absent[i]);
	}
	pytuple_end(&body, r->nabsent);

	sqlmodel_header(out);
	strbuf_adds(out, "\"\"\"");
	pydoc_text(out, r->env);
	strbuf_adds(out, ": the tables of `");
	pydoc_text(out, r->database);
	strbuf_adds(out, "` it has, each with its model version and\n"
		    "emplacement.\"\"\"\n");
	pyimports_write(out, &u);
	strbuf_adds(out, body.data);
	strbuf_release(&body);
	pynames_release(&taken);
	pyimports_release(&u);
}

const struct gen_target gen_sqlmodel = {
	.name = "sqlmodel",
	.mark = SQLMODEL_MARK,
	.model = sqlmodel_model,
	.registries = registries,
	.emplacement = emplacement,
	.registration = registration,
};
