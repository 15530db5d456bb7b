/*
 * A bulk export's manifest (bulkmanifest.h), as JSON through jansson: it
 * is small (a line per chunk) and read by people as well as by rhizome.
 */
#include "engine/store/bulkmanifest.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "engine/base/alloc.h"
#include "engine/store/atomic_file.h"
#include "engine/store/snapshot.h"

/* The manifest's format; a reader refuses another. */
#define FORMAT 1

static char **copy_strings(const char *const *s, size_t n)
{
	char **c;
	size_t i;

	if (s == NULL)
		return NULL;
	c = xcalloc(n ? n : 1, sizeof(*c));
	for (i = 0; i < n; i++)
		c[i] = xstrdup(s[i]);
	return c;
}

static void free_strings(char **s, size_t n)
{
	size_t i;

	for (i = 0; s != NULL && i < n; i++)
		free(s[i]);
	free(s);
}

void bulkmanifest_add_chunk(struct bulkmanifest_part *p, const char *name,
			    size_t rows, size_t bytes, const char *sha256,
			    const char *const *last, size_t nkey)
{
	struct bulkmanifest_chunk *c;

	if (p->nchunks == p->cap) {
		p->cap = p->cap ? 2 * p->cap : 16;
		p->chunks = xrealloc(p->chunks, p->cap * sizeof(*p->chunks));
	}
	c = &p->chunks[p->nchunks++];
	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->rows = rows;
	c->bytes = bytes;
	snprintf(c->sha256, sizeof(c->sha256), "%s", sha256);
	c->last = copy_strings(last, nkey);
}

void bulkmanifest_truncate(struct bulkmanifest_part *p, size_t n, size_t nkey)
{
	while (p->nchunks > n)
		free_strings(p->chunks[--p->nchunks].last, nkey);
}

size_t bulkmanifest_rows(const struct bulkmanifest *m)
{
	size_t i, k, n = 0;

	for (i = 0; i < m->nparts; i++)
		for (k = 0; k < m->parts[i].nchunks; k++)
			n += m->parts[i].chunks[k].rows;
	return n;
}

size_t bulkmanifest_bytes(const struct bulkmanifest *m)
{
	size_t i, k, n = 0;

	for (i = 0; i < m->nparts; i++)
		for (k = 0; k < m->parts[i].nchunks; k++)
			n += m->parts[i].chunks[k].bytes;
	return n;
}

static json_t *strings_json(char *const *s, size_t n)
{
	json_t *a;
	size_t i;

	if (s == NULL)
		return json_null();
	a = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(a, json_string(s[i]));
	return a;
}

static json_t *or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

int bulkmanifest_write(const char *dir, const struct bulkmanifest *m)
{
	json_t *root = json_object(), *parts = json_array();
	char *text, *path;
	size_t i, k;
	int rc;

	json_object_set_new(root, "format", json_integer(FORMAT));
	json_object_set_new(root, "env", json_string(m->env));
	json_object_set_new(root, "database", json_string(m->database));
	json_object_set_new(root, "schema", json_string(m->schema));
	json_object_set_new(root, "table", json_string(m->table));
	json_object_set_new(root, "run_id", or_null(m->run_id));
	json_object_set_new(root, "complete", json_boolean(m->complete));
	json_object_set_new(root, "rows", json_integer((json_int_t)bulkmanifest_rows(m)));
	json_object_set_new(root, "bytes", json_integer((json_int_t)bulkmanifest_bytes(m)));
	json_object_set_new(root, "key", strings_json(m->key, m->nkey));
	json_object_set_new(root, "key_name", or_null(m->key_name));
	json_object_set_new(root, "masking", or_null(m->masking));
	json_object_set_new(root, "chunk_rows", json_integer(m->chunk_rows));
	for (i = 0; i < m->nparts; i++) {
		const struct bulkmanifest_part *p = &m->parts[i];
		json_t *jp = json_object(), *chunks = json_array();

		json_object_set_new(jp, "lo", or_null(p->lo));
		json_object_set_new(jp, "hi", or_null(p->hi));
		json_object_set_new(jp, "done", json_boolean(p->done));
		for (k = 0; k < p->nchunks; k++) {
			const struct bulkmanifest_chunk *c = &p->chunks[k];
			json_t *jc = json_object();

			json_object_set_new(jc, "name", json_string(c->name));
			json_object_set_new(jc, "rows", json_integer((json_int_t)c->rows));
			json_object_set_new(jc, "bytes", json_integer((json_int_t)c->bytes));
			json_object_set_new(jc, "sha256", json_string(c->sha256));
			json_object_set_new(jc, "last", strings_json(c->last, m->nkey));
			json_array_append_new(chunks, jc);
		}
		json_object_set_new(jp, "chunks", chunks);
		json_array_append_new(parts, jp);
	}
	json_object_set_new(root, "parts", parts);
	json_object_set_new(root, "create", json_string(m->create));
	text = json_dumps(root, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	json_decref(root);
	if (text == NULL)
		return -ENOMEM;
	path = xasprintf("%s/%s", dir, BULKMANIFEST_NAME);
	rc = atomic_write_file(path, text, strlen(text));
	free(path);
	free(text);
	return rc;
}

/* ---- reading ------------------------------------------------------------ */

struct reader {
	struct strbuf *err;
	int bad;
	int (*literal_ok)(const char *s);
};

static void bad(struct reader *rd, const char *what)
{
	if (!rd->bad)
		strbuf_addf(rd->err, "%s", what);
	rd->bad = 1;
}

static char *get_string(struct reader *rd, json_t *o, const char *key,
			int nullable)
{
	json_t *v = json_object_get(o, key);

	if (nullable && (v == NULL || json_is_null(v)))
		return NULL;
	if (!json_is_string(v)) {
		if (!rd->bad)
			strbuf_addf(rd->err, "\"%s\" is not a string", key);
		rd->bad = 1;
		return NULL;
	}
	return xstrdup(json_string_value(v));
}

static size_t get_size(struct reader *rd, json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_integer(v) || json_integer_value(v) < 0) {
		if (!rd->bad)
			strbuf_addf(rd->err, "\"%s\" is not a count", key);
		rd->bad = 1;
		return 0;
	}
	return (size_t)json_integer_value(v);
}

/* Whether s is a decimal integer: a part's bound. */
static int is_integer(const char *s)
{
	if (*s == '-')
		s++;
	return *s != '\0' && strspn(s, "0123456789") == strlen(s);
}

/* An array of n strings (literals when `literals`), or NULL for null. */
static char **get_strings(struct reader *rd, json_t *v, size_t *n,
			  int literals, const char *what)
{
	char **s;
	size_t i;

	if (json_is_null(v)) {
		*n = 0;
		return NULL;
	}
	if (!json_is_array(v) || json_array_size(v) == 0) {
		bad(rd, what);
		return NULL;
	}
	*n = json_array_size(v);
	s = xcalloc(*n, sizeof(*s));
	for (i = 0; i < *n; i++) {
		json_t *e = json_array_get(v, i);

		if (!json_is_string(e) ||
		    (literals && !rd->literal_ok(json_string_value(e)))) {
			bad(rd, what);
			s[i] = xstrdup("");
			continue;
		}
		s[i] = xstrdup(json_string_value(e));
	}
	return s;
}

/* A chunk's file name: "NNN-NNNNNN.jsonl.zst" and nothing else, so a
 * path built from it never leaves the folder. */
static int chunk_name_ok(const char *s)
{
	return strlen(s) == 20 && strspn(s, "0123456789") == 3 && s[3] == '-' &&
	       strspn(s + 4, "0123456789") == 6 &&
	       strcmp(s + 10, ".jsonl.zst") == 0;
}

static void read_part(struct reader *rd, json_t *jp, size_t nkey,
		      struct bulkmanifest_part *p)
{
	json_t *chunks = json_object_get(jp, "chunks"), *jc;
	size_t k;

	p->lo = get_string(rd, jp, "lo", 1);
	p->hi = get_string(rd, jp, "hi", 1);
	if ((p->lo && !is_integer(p->lo)) || (p->hi && !is_integer(p->hi)))
		bad(rd, "a part's bound is not an integer");
	p->done = json_is_true(json_object_get(jp, "done"));
	if (!json_is_array(chunks)) {
		bad(rd, "a part has no \"chunks\" array");
		return;
	}
	json_array_foreach(chunks, k, jc) {
		size_t n = 0, rows = get_size(rd, jc, "rows"),
		       bytes = get_size(rd, jc, "bytes");
		char *name = get_string(rd, jc, "name", 0),
		     *sha = get_string(rd, jc, "sha256", 0);
		char **last = get_strings(rd, json_object_get(jc, "last"), &n, 1,
					  "a chunk's \"last\" is not the key's "
					  "values as rhizome writes them");

		if (rd->bad || !chunk_name_ok(name) || strlen(sha) != 64 ||
		    strspn(sha, "0123456789abcdef") != 64 || n != nkey) {
			bad(rd, "a chunk's name, digest or last key is not one "
			    "rhizome writes");
		} else {
			bulkmanifest_add_chunk(p, name, rows, bytes, sha,
					       (const char *const *)last, nkey);
		}
		free(name);
		free(sha);
		free_strings(last, n);
		if (rd->bad)
			return;
	}
}

int bulkmanifest_read(const char *dir, int (*literal_ok)(const char *s),
		      struct bulkmanifest *m, struct strbuf *err)
{
	struct reader rd = { err, 0, literal_ok };
	json_error_t je;
	json_t *root, *parts, *jp;
	char *path = xasprintf("%s/%s", dir, BULKMANIFEST_NAME), *text;
	size_t len, i;
	int rc;

	memset(m, 0, sizeof(*m));
	rc = snapshot_read(path, &text, &len);
	if (rc != 0) {
		free(path);
		return rc;
	}
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	free(text);
	if (!json_is_object(root)) {
		strbuf_addf(err, "%s: not a manifest (%s)", path,
			    root ? "not an object" : je.text);
		json_decref(root);
		free(path);
		return -EBADMSG;
	}
	if (!json_is_integer(json_object_get(root, "format")) ||
	    json_integer_value(json_object_get(root, "format")) != FORMAT)
		bad(&rd, "\"format\" is not 1");
	m->env = get_string(&rd, root, "env", 0);
	m->database = get_string(&rd, root, "database", 0);
	m->schema = get_string(&rd, root, "schema", 0);
	m->table = get_string(&rd, root, "table", 0);
	m->create = get_string(&rd, root, "create", 0);
	m->run_id = get_string(&rd, root, "run_id", 1);
	m->key_name = get_string(&rd, root, "key_name", 1);
	m->masking = get_string(&rd, root, "masking", 1);
	m->complete = json_is_true(json_object_get(root, "complete"));
	m->chunk_rows = (unsigned)get_size(&rd, root, "chunk_rows");
	m->key = get_strings(&rd, json_object_get(root, "key"), &m->nkey, 0,
			     "\"key\" is not a list of column names");
	parts = json_object_get(root, "parts");
	if (!json_is_array(parts) || json_array_size(parts) == 0)
		bad(&rd, "no \"parts\"");
	else if (!rd.bad) {
		m->parts = xcalloc(json_array_size(parts), sizeof(*m->parts));
		json_array_foreach(parts, i, jp) {
			read_part(&rd, jp, m->nkey, &m->parts[m->nparts++]);
			if (rd.bad)
				break;
		}
	}
	if (!rd.bad && m->chunk_rows == 0)
		bad(&rd, "\"chunk_rows\" is 0");
	if (!rd.bad && m->key == NULL && m->nparts != 1)
		bad(&rd, "a table read in one pass has more than one part");
	json_decref(root);
	if (rd.bad) {
		/* say which file, before what is wrong with it */
		struct strbuf why = STRBUF_INIT;

		strbuf_addf(&why, "%s: %s", path, err->data ? err->data : "");
		strbuf_reset(err);
		strbuf_add(err, why.data, why.len);
		strbuf_release(&why);
		free(path);
		return -EBADMSG;
	}
	free(path);
	return 0;
}

void bulkmanifest_release(struct bulkmanifest *m)
{
	size_t i;

	for (i = 0; i < m->nparts; i++) {
		bulkmanifest_truncate(&m->parts[i], 0, m->nkey);
		free(m->parts[i].chunks);
		free(m->parts[i].lo);
		free(m->parts[i].hi);
	}
	free(m->parts);
	free(m->env);
	free(m->database);
	free(m->schema);
	free(m->table);
	free(m->create);
	free_strings(m->key, m->nkey);
	free(m->key_name);
	free(m->masking);
	free(m->run_id);
	memset(m, 0, sizeof(*m));
}
