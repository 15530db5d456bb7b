/*
 * A run plans every file first (path, what it is for), so a template that
 * would give two things one file fails before anything is rendered or
 * written; then renders each, then compares with what is on disk and
 * writes what differs.
 */
#include "engine/commands/genmodels.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine/base/alloc.h"
#include "engine/base/path.h"
#include "engine/base/strbuf.h"
#include "engine/commands/report.h"
#include "engine/gen/sqlmodel.h"
#include "engine/output/termtext.h"
#include "engine/store/atomic_file.h"
#include "engine/store/snapshot.h"

/* How many written files the text lists by name. */
#define GENMODELS_TEXT_LIST 12

enum file_kind { F_MODEL, F_REGISTRIES, F_EMPLACEMENT, F_REGISTRATION };

static const char *const kind_names[] = {
	[F_MODEL] = "model", [F_REGISTRIES] = "registries",
	[F_EMPLACEMENT] = "emplacement", [F_REGISTRATION] = "registration",
};

struct planned {
	enum file_kind kind;
	char *abs;              /* path_normal */
	char *rel;              /* from the root */
	char *owner;            /* what it is for, in messages */
	int wanted;             /* to be written (--table) */
	int rendered;
	struct strbuf content;
};

/* One table as the target sees it, and what this command keeps for it. */
struct gt {
	struct gen_table g;
	const struct fv_table *fv;
	struct gen_version *versions;
	const char ***envs;     /* envs[j]: the names on version j + 1 */
	size_t model_file;      /* into plan.files */
	size_t registries_file;
	int failed;             /* not rendered: left out of registrations */
};

struct plan {
	const struct genmodels_opts *o;
	const struct gen_target *target;
	const char *tmpl[4];    /* per kind (F_REGISTRIES: the model's) */
	const char *key[4];     /* their config keys */
	char *root;
	struct planned *files;
	size_t nfiles;
	struct gt *tables;
	size_t ntables;
	struct gen_ref **refs;  /* per table: its database's tables */
	json_t *errors, *notes;
	char *config_error;
};

/* Plan the file at the path `tmpl` gives for (env, table), for `owner`.
 * Returns its index, or -1 with p->config_error set. */
static long plan_file(struct plan *p, enum file_kind kind,
		      const struct env_config *env, const char *table,
		      const char *owner, int wanted)
{
	const char *tmpl = p->tmpl[kind];
	char *expanded = report_expand(tmpl, p->o->v.cfg, p->o->v.out, env, table);
	char *abs = path_normal(expanded), *rel;
	size_t i, len = strlen(abs);

	free(expanded);
	for (i = 0; i < p->nfiles; i++) {
		if (strcmp(p->files[i].abs, abs) != 0)
			continue;
		if (strcmp(p->files[i].owner, owner) == 0) {
			p->files[i].wanted |= wanted;
			free(abs);
			return (long)i;
		}
		p->config_error = xasprintf(
			"%s: key '%s' (%s): %s and %s would share the file %s; "
			"name them apart with {database}, {table} or {folder}",
			p->o->v.cfg->path, p->key[kind], tmpl, p->files[i].owner,
			owner, abs);
		free(abs);
		return -1;
	}
	if (len < 4 || strcmp(abs + len - 3, ".py") != 0) {
		p->config_error = xasprintf("%s: key '%s' (%s): %s is no Python "
			"module: the path must end in .py", p->o->v.cfg->path,
			p->key[kind], tmpl, abs);
		free(abs);
		return -1;
	}
	if (!path_within(abs, p->root) || strcmp(abs, p->root) == 0) {
		p->config_error = xasprintf("%s: key '%s' (%s): %s lies outside %s, "
			"the folder of the config, where the generated imports "
			"start", p->o->v.cfg->path, p->key[kind], tmpl, abs,
			p->root);
		free(abs);
		return -1;
	}
	rel = path_relative(p->root, abs);
	/* folders are packages, the file a module: a dot in a name before
	 * ".py" cannot be imported */
	if (memchr(rel, '.', strlen(rel) - 3) != NULL) {
		p->config_error = xasprintf("%s: key '%s' (%s): %s has a dot in a "
			"folder or file name, which no Python import can name",
			p->o->v.cfg->path, p->key[kind], tmpl, rel);
		free(rel);
		free(abs);
		return -1;
	}
	p->files = xrealloc(p->files, (p->nfiles + 1) * sizeof(*p->files));
	memset(&p->files[p->nfiles], 0, sizeof(*p->files));
	p->files[p->nfiles].kind = kind;
	p->files[p->nfiles].abs = abs;
	p->files[p->nfiles].rel = rel;
	p->files[p->nfiles].owner = xstrdup(owner);
	p->files[p->nfiles].wanted = wanted;
	return (long)p->nfiles++;
}

/* Whether `tmpl` of config key `key` holds `word`; if `must`, a config
 * error when not, else when it does. */
static int check_template(struct plan *p, int kind, const char *word,
			  int must, const char *why)
{
	if ((strstr(p->tmpl[kind], word) != NULL) == must)
		return 0;
	p->config_error = xasprintf("%s: key '%s' (%s) %s %s: %s",
		p->o->v.cfg->path, p->key[kind], p->tmpl[kind],
		must ? "lacks" : "may not hold", word, why);
	return -1;
}

static int wanted_table(const struct genmodels_opts *o, const char *table)
{
	size_t i;

	if (o->v.ntables == 0)
		return 1;
	for (i = 0; i < o->v.ntables; i++)
		if (strcmp(o->v.tables[i], table) == 0)
			return 1;
	return 0;
}

/* The first member of `t` with a snapshot: whose env expands the model
 * template (which holds no {folder}). */
static const struct env_config *some_env(const struct fv_table *t)
{
	size_t i;

	for (i = 0; i < t->nmembers; i++)
		if (t->members[i].version > 0)
			return t->members[i].env;
	return t->members[0].env;
}

/* The tables as the target sees them, with their model files planned. */
static int plan_tables(struct plan *p, const struct fv_fleet *f)
{
	size_t i, j, k;

	p->tables = xcalloc(f->ntables + 1, sizeof(*p->tables));
	for (i = 0; i < f->ntables; i++) {
		const struct fv_table *t = &f->tables[i];
		struct gt *g;
		char *owner;
		long fi;
		int parsed = t->nversions > 0;

		for (j = 0; j < t->nversions; j++)
			parsed &= t->rep[j]->parsed;
		if (!parsed) {
			if (t->nversions > 0)
				json_array_append_new(p->errors, json_pack(
					"{s:s, s:s, s:s}", "database", t->database,
					"table", t->table, "message", "a snapshot "
					"is not a CREATE TABLE statement"));
			continue; /* no snapshot anywhere: nothing to model */
		}
		g = &p->tables[p->ntables++];
		g->fv = t;
		g->versions = xcalloc(t->nversions, sizeof(*g->versions));
		g->envs = xcalloc(t->nversions, sizeof(*g->envs));
		for (j = 0; j < t->nversions; j++) {
			size_t n = 0;

			g->envs[j] = xcalloc(t->nmembers + 1, sizeof(**g->envs));
			for (k = 0; k < t->nmembers; k++)
				if (t->members[k].version == (int)j + 1)
					g->envs[j][n++] = t->members[k].env->name;
			g->versions[j].number = (unsigned)j + 1;
			g->versions[j].model = &t->rep[j]->model;
			g->versions[j].envs = g->envs[j];
			g->versions[j].nenvs = n;
		}
		g->g.database = t->database;
		g->g.table = t->table;
		g->g.versions = g->versions;
		g->g.nversions = t->nversions;
		g->g.base = (const char *const *)t->base;
		g->g.nbase = t->nbase;
		owner = xasprintf("the model of %s.%s", t->database, t->table);
		fi = plan_file(p, F_MODEL, some_env(t), t->table, owner,
			       wanted_table(p->o, t->table));
		free(owner);
		if (fi < 0)
			return -1;
		g->model_file = (size_t)fi;
		owner = xasprintf("the registries of %s", t->database);
		fi = plan_file(p, F_REGISTRIES, some_env(t), "_registries", owner, 1);
		free(owner);
		if (fi < 0)
			return -1;
		g->registries_file = (size_t)fi;
	}
	return 0;
}

/* Per table: its database's tables, for foreign keys; paths filled. */
static void link_tables(struct plan *p)
{
	size_t i, k;

	p->refs = xcalloc(p->ntables + 1, sizeof(*p->refs));
	for (i = 0; i < p->ntables; i++) {
		struct gt *g = &p->tables[i];
		size_t n = 0;

		p->refs[i] = xcalloc(p->ntables + 1, sizeof(**p->refs));
		for (k = 0; k < p->ntables; k++) {
			const struct gt *h = &p->tables[k];

			if (strcmp(h->g.database, g->g.database) != 0)
				continue;
			p->refs[i][n].table = h->g.table;
			p->refs[i][n].nversions = (unsigned)h->g.nversions;
			p->refs[i][n].model_path = p->files[h->model_file].rel;
			n++;
		}
		g->g.refs = p->refs[i];
		g->g.nrefs = n;
		g->g.model_path = p->files[g->model_file].rel;
		g->g.registries_path = p->files[g->registries_file].rel;
	}
}

static void note_lines(struct plan *p, const char *text)
{
	const char *s = text, *nl;

	for (; *s; s = nl + 1) {
		nl = strchr(s, '\n');
		if (nl == NULL)
			nl = s + strlen(s);
		if (nl > s)
			json_array_append_new(p->notes,
				json_stringn(s, (size_t)(nl - s)));
		if (*nl == '\0')
			break;
	}
}

static void render_models(struct plan *p)
{
	size_t i, j, k;

	for (i = 0; i < p->ntables; i++) {
		struct gt *g = &p->tables[i];
		struct planned *f = &p->files[g->model_file];
		struct strbuf notes = STRBUF_INIT, err = STRBUF_INIT,
			      out = STRBUF_INIT;

		if (p->target->model(&g->g, &out, &notes, &err) != 0) {
			g->failed = 1;
			json_array_append_new(p->errors, json_pack("{s:s, s:s, s:s}",
				"database", g->g.database, "table", g->g.table,
				"message", err.data ? err.data : "cannot render"));
		} else if (!f->rendered) {
			f->content = out;
			f->rendered = 1;
			memset(&out, 0, sizeof(out));
			if (f->wanted && notes.data)
				note_lines(p, notes.data);
		}
		strbuf_release(&out);
		strbuf_release(&notes);
		strbuf_release(&err);
	}
	/* each database's registries: as many as its most versioned table */
	for (k = 0; k < p->nfiles; k++) {
		struct planned *f = &p->files[k];
		const char *db = NULL;
		unsigned most = 0;

		if (f->kind != F_REGISTRIES)
			continue;
		for (j = 0; j < p->ntables; j++)
			if (strcmp(p->tables[j].g.registries_path, f->rel) == 0) {
				db = p->tables[j].g.database;
				if (p->tables[j].g.nversions > most)
					most = (unsigned)p->tables[j].g.nversions;
			}
		if (db == NULL)
			continue;
		p->target->registries(db, most, &f->content);
		f->rendered = 1;
	}
}

/* The emplacements and registrations of every selected environment. */
static int plan_environments(struct plan *p)
{
	const struct versions_opts *v = &p->o->v;
	size_t e, i, k;

	for (e = 0; e < v->nenvs; e++) {
		const struct env_config *env = v->envs[e];
		struct gen_registration_entry *entries =
			xcalloc(p->ntables + 1, sizeof(*entries));
		const char **absent = xcalloc(p->ntables + 1, sizeof(*absent));
		struct gen_registration r = { env->name, env->database, entries,
					      0, absent, 0 };
		char *owner;
		long ri;

		for (i = 0; i < p->ntables; i++) {
			struct gt *g = &p->tables[i];
			unsigned version = 0;
			long fi;

			if (strcmp(g->g.database, env->database) != 0)
				continue;
			for (k = 0; k < g->fv->nmembers; k++)
				if (g->fv->members[k].env == env)
					version = (unsigned)g->fv->members[k].version;
			if (version == 0) {
				absent[r.nabsent++] = g->g.table;
				continue;
			}
			owner = xasprintf("the emplacement of %s.%s in %s",
					  g->g.database, g->g.table, env->name);
			fi = plan_file(p, F_EMPLACEMENT, env, g->g.table, owner,
				       wanted_table(p->o, g->g.table));
			free(owner);
			if (fi < 0) {
				free(entries);
				free(absent);
				return -1;
			}
			if (!g->failed) {
				struct planned *f = &p->files[fi];
				char *data = snapshot_table_path(v->out, env->folder,
					env->database, g->g.table, ".json");
				char *data_abs = path_normal(data);
				char *dir = xstrdup(f->abs);
				struct gen_emplacement em;

				*strrchr(dir, '/') = '\0';
				memset(&em, 0, sizeof(em));
				em.env = env->name;
				em.t = &g->g;
				em.version = version;
				em.path = f->rel;
				em.data_file = path_relative(dir, data_abs);
				/* from the root, whatever the current folder:
				 * the same file from any */
				em.data_shown = path_relative(p->root, data_abs);
				p->target->emplacement(&em, &f->content);
				f->rendered = 1;
				entries[r.n].t = &g->g;
				entries[r.n].version = version;
				entries[r.n].emplacement_path = f->rel;
				r.n++;
				free((char *)em.data_file);
				free((char *)em.data_shown);
				free(dir);
				free(data_abs);
				free(data);
			}
		}
		owner = xasprintf("the registration of %s", env->name);
		ri = plan_file(p, F_REGISTRATION, env, "", owner, 1);
		free(owner);
		if (ri >= 0 && !p->files[ri].rendered) {
			p->target->registration(&r, &p->files[ri].content);
			p->files[ri].rendered = 1;
		}
		free(entries);
		free(absent);
		if (ri < 0)
			return -1;
	}
	return 0;
}

/* Write what changed; sort each file into written, unchanged or kept. */
static enum genmodels_outcome write_files(struct plan *p, json_t *written,
					  json_t *unchanged, json_t *kept)
{
	enum genmodels_outcome rc = GENMODELS_DONE;
	size_t i;

	for (i = 0; i < p->nfiles; i++) {
		struct planned *f = &p->files[i];
		char *old = NULL, *dir;
		size_t len = 0;
		int err;

		if (!f->wanted || !f->rendered)
			continue;
		if (snapshot_read(f->abs, &old, &len) == 0) {
			int same = len == f->content.len &&
				   memcmp(old, f->content.data, len) == 0;
			int ours = len >= strlen(p->target->mark) &&
				   strncmp(old, p->target->mark,
					   strlen(p->target->mark)) == 0;

			free(old);
			if (same) {
				json_array_append_new(unchanged, json_string(f->rel));
				continue;
			}
			if (!ours) {
				json_array_append_new(kept, json_pack("{s:s, s:s}",
					"path", f->rel, "kind", kind_names[f->kind]));
				rc = GENMODELS_PARTIAL;
				continue;
			}
		}
		if (p->o->dry_run) {
			json_array_append_new(written, json_string(f->rel));
			continue;
		}
		dir = xstrdup(f->abs);
		*strrchr(dir, '/') = '\0';
		err = atomic_mkdirs(dir);
		free(dir);
		if (err == 0)
			err = atomic_write_file(f->abs, f->content.data,
						f->content.len);
		if (err != 0) {
			json_array_append_new(p->errors, json_pack("{s:s, s:s+}",
				"path", f->rel, "message", "cannot write: ",
				strerror(-err)));
			rc = GENMODELS_IO;
			continue;
		}
		json_array_append_new(written, json_string(f->rel));
	}
	return rc;
}

static void release_plan(struct plan *p)
{
	size_t i, j;

	for (i = 0; i < p->nfiles; i++) {
		free(p->files[i].abs);
		free(p->files[i].rel);
		free(p->files[i].owner);
		strbuf_release(&p->files[i].content);
	}
	free(p->files);
	for (i = 0; i < p->ntables; i++) {
		for (j = 0; j < p->tables[i].g.nversions; j++)
			free(p->tables[i].envs[j]);
		free(p->tables[i].envs);
		free(p->tables[i].versions);
		if (p->refs)
			free(p->refs[i]);
	}
	free(p->refs);
	free(p->tables);
	free(p->root);
	free(p->config_error);
}

enum genmodels_outcome genmodels_run(const struct genmodels_opts *o,
				     json_t **summary)
{
	const struct fleet_config *cfg = o->v.cfg;
	struct versions_opts all = o->v;
	struct plan p;
	struct fv_fleet f;
	json_t *written = json_array(), *unchanged = json_array(),
	       *kept = json_array();
	enum genmodels_outcome rc;
	size_t i, counts[4] = { 0 };

	memset(&p, 0, sizeof(p));
	p.o = o;
	p.target = &gen_sqlmodel;
	p.tmpl[F_MODEL] = p.tmpl[F_REGISTRIES] =
		cfg->model ? cfg->model : GENMODELS_DEFAULT_MODEL;
	p.tmpl[F_EMPLACEMENT] = cfg->emplacement ? cfg->emplacement
						 : GENMODELS_DEFAULT_EMPLACEMENT;
	p.tmpl[F_REGISTRATION] = cfg->registration ? cfg->registration
						   : GENMODELS_DEFAULT_REGISTRATION;
	p.key[F_MODEL] = p.key[F_REGISTRIES] = "model";
	p.key[F_EMPLACEMENT] = "emplacement";
	p.key[F_REGISTRATION] = "registration";
	p.root = path_normal(cfg->dir[0] ? cfg->dir : ".");
	p.errors = json_array();
	p.notes = json_array();
	/* every table, whatever --table says: the registrations and the
	 * foreign keys need them all */
	all.tables = NULL;
	all.ntables = 0;
	fleetversions_build(&all, &f);
	if (check_template(&p, F_MODEL, "{table}", 1, "each table has its own "
			   "model module") != 0 ||
	    check_template(&p, F_MODEL, "{folder}", 0, "a model module is per "
			   "logical database and table, for every environment") != 0 ||
	    check_template(&p, F_EMPLACEMENT, "{table}", 1, "each table has "
			   "its own emplacement") != 0 ||
	    check_template(&p, F_REGISTRATION, "{table}", 0, "a registration "
			   "module names every table of its environment") != 0 ||
	    plan_tables(&p, &f) != 0) {
		rc = GENMODELS_CONFIG;
		goto out;
	}
	link_tables(&p);
	render_models(&p);
	if (plan_environments(&p) != 0) {
		rc = GENMODELS_CONFIG;
		goto out;
	}
	rc = write_files(&p, written, unchanged, kept);
	if (rc == GENMODELS_DONE && json_array_size(p.errors) > 0)
		rc = GENMODELS_PARTIAL;
out:
	for (i = 0; i < p.nfiles; i++)
		counts[p.files[i].kind]++;
	*summary = json_pack("{s:s, s:s, s:b, s:s, s:I, s:{s:I, s:I, s:I, s:I}, "
			     "s:o, s:o, s:o, s:o, s:o}",
		"command", "gen models", "target", p.target->name,
		"dry_run", o->dry_run, "root", p.root,
		"tables", (json_int_t)p.ntables, "files",
		"model", (json_int_t)counts[F_MODEL],
		"registries", (json_int_t)counts[F_REGISTRIES],
		"emplacement", (json_int_t)counts[F_EMPLACEMENT],
		"registration", (json_int_t)counts[F_REGISTRATION],
		"written", written, "unchanged", unchanged, "kept", kept,
		"notes", p.notes, "errors", p.errors);
	if (p.config_error != NULL)
		json_object_set_new(*summary, "error", json_string(p.config_error));
	release_plan(&p);
	fleetversions_release(&f);
	return rc;
}

/* Print `text` wrapped at the terminal's width, its next lines indented. */
static void wrapped(FILE *fp, size_t width, const char *first,
		    const char *text)
{
	struct strbuf sb = STRBUF_INIT;

	termtext_wrap(&sb, text, width, first, "    ");
	fputs(sb.data ? sb.data : "", fp);
	strbuf_release(&sb);
}

int genmodels_text(json_t *s, FILE *fp)
{
	json_t *x, *files = json_object_get(s, "files");
	const char *err = json_string_value(json_object_get(s, "error"));
	int dry = json_is_true(json_object_get(s, "dry_run"));
	size_t i, width = termtext_columns(fileno(fp), 100);
	struct strbuf line = STRBUF_INIT;
	char *here, *root;

	if (err != NULL) {
		fprintf(fp, "gen models: configuration error: %s\n", err);
		return ferror(fp) ? -EIO : 0;
	}
	/* the root as seen from here, as the other summaries' paths are
	 * (the JSON keeps it absolute) */
	here = path_normal(".");
	root = path_relative(here,
			     json_string_value(json_object_get(s, "root")));
	strbuf_addf(&line, "gen models (%s) under %s: %lld tables; %lld model, %lld "
		"registries, %lld emplacement and %lld registration modules",
		json_string_value(json_object_get(s, "target")), root,
		json_integer_value(json_object_get(s, "tables")),
		json_integer_value(json_object_get(files, "model")),
		json_integer_value(json_object_get(files, "registries")),
		json_integer_value(json_object_get(files, "emplacement")),
		json_integer_value(json_object_get(files, "registration")));
	wrapped(fp, width, NULL, line.data);
	free(here);
	free(root);
	strbuf_reset(&line);
	fprintf(fp, "  %s %zu, unchanged %zu, kept %zu\n",
		dry ? "would write" : "written",
		json_array_size(json_object_get(s, "written")),
		json_array_size(json_object_get(s, "unchanged")),
		json_array_size(json_object_get(s, "kept")));
	/* a first run writes every file: the first few say where they go */
	json_array_foreach(json_object_get(s, "written"), i, x) {
		size_t n = json_array_size(json_object_get(s, "written"));

		if (i == GENMODELS_TEXT_LIST && n > GENMODELS_TEXT_LIST + 1) {
			fprintf(fp, "  ... and %zu more (--format json lists "
				"them all)\n", n - i);
			break;
		}
		fprintf(fp, "  %s %s\n", dry ? "would write" : "wrote",
			json_string_value(x));
	}
	json_array_foreach(json_object_get(s, "kept"), i, x) {
		strbuf_reset(&line);
		strbuf_addf(&line, "kept %s: not generated by rhizome (no "
			    "header line); left as it is",
			    json_string_value(json_object_get(x, "path")));
		wrapped(fp, width, "  ", line.data);
	}
	if (json_array_size(json_object_get(s, "notes")) > 0)
		fputs("Rendered approximately (also in the modules' comments):\n", fp);
	json_array_foreach(json_object_get(s, "notes"), i, x)
		wrapped(fp, width, "  ", json_string_value(x));
	json_array_foreach(json_object_get(s, "errors"), i, x) {
		json_t *path = json_object_get(x, "path");

		strbuf_reset(&line);
		if (path != NULL)
			strbuf_addf(&line, "error: %s: %s", json_string_value(path),
				    json_string_value(json_object_get(x, "message")));
		else
			strbuf_addf(&line, "error: %s.%s: %s",
				    json_string_value(json_object_get(x, "database")),
				    json_string_value(json_object_get(x, "table")),
				    json_string_value(json_object_get(x, "message")));
		wrapped(fp, width, NULL, line.data);
	}
	strbuf_release(&line);
	return ferror(fp) ? -EIO : 0;
}
