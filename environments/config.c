/*
 * inih does the lexing (sections, `key = value`, `;`/`#` comments, indented
 * continuation lines). We wrap its line reader to know the current line
 * number and whether a line is a section header or a continuation, which
 * inih's handler does not tell: that is how every error can name its line,
 * and how a repeated key is told apart from a continued one.
 *
 * Loading happens in two passes: the handler stores raw values and rejects
 * what is wrong on its own line; validate() then checks what needs the whole
 * file (required keys, table lists, clashing folders).
 */
#include "environments/config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ini.h>

#include "engine/base/alloc.h"
#include "engine/base/strset.h"
#include "engine/base/tmpname.h"
#include "engine/base/utf8.h"
#include "environments/optionfile.h"

#define DEFAULT_WORKERS 8
#define DEFAULT_BATCH 250
#define DEFAULT_KEEP_RUNS 100
#define DEFAULT_POOL 4
#define DEFAULT_CONNECT_TIMEOUT 10
#define DEFAULT_RW_TIMEOUT 60
/* Seconds a statement of ours waits for a lock (a LOCK TABLES or an ALTER
 * elsewhere) before the server gives up with 1205: the server's own
 * defaults are a day (metadata locks) and 50 s (InnoDB rows). */
#define DEFAULT_LOCK_WAIT_TIMEOUT 5
/* Attempts after a lock wait, a deadlock or a statement the server
 * interrupted, per table. */
#define DEFAULT_RETRIES 2

enum section_kind { SEC_NONE, SEC_FLEET, SEC_TABLES, SEC_ENV, SEC_MASK, SEC_BAD };

struct parse_state {
	unsigned flags;         /* config_load_flags' */
	FILE *fp;
	struct fleet_config *cfg;
	struct config_error *err;
	int failed;
	int line;               /* line the reader returned last */
	int line_indented;      /* that line began with white space */
	int line_truncated;     /* that line did not fit inih's buffer */
	/* the section being read, as the reader saw its header */
	enum section_kind kind;
	char section[256];
	int section_line;
	void *section_obj;      /* struct table_list * or struct env_config * */
	/* names of the list append_words filled last, and which list that
	 * was: its section's header line, and the list itself */
	struct strset seen;
	int seen_line;
	const char ***seen_list;
	char last_key[64];      /* for continuation lines */
	/* fleet-wide defaults that environments inherit */
	unsigned connect_timeout, read_timeout, write_timeout;
	unsigned lock_wait_timeout;
	unsigned query_timeout; /* 0: not said (the read timeout) */
	unsigned env_timeout;   /* +1: 0 means not said */
	unsigned retries;       /* +1: 0 means not said */
	struct tls_config tls;  /* [fleet] tls keys: defaults (owned here
				 * until handed to the environments) */
	enum mask_mode mask;    /* [fleet] mask, when mask_line != 0 */
	int mask_line;
	/* [fleet]'s environment keys (host, user, option-file, ...): what an
	 * environment that does not say inherits (inherit_defaults); owned
	 * here */
	struct env_config defaults;
	int fleet_seen;
	int mask_seen;
	char seen_keys[4096];   /* "\nkey\n" list of keys seen in this section */
};

static int fail(struct parse_state *st, int line, const char *key,
		const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(struct parse_state *st, int line, const char *key,
		const char *fmt, ...)
{
	va_list ap;

	if (st->failed)
		return 0;
	st->failed = 1;
	st->err->line = line;
	snprintf(st->err->key, sizeof(st->err->key), "%s", key ? key : "");
	va_start(ap, fmt);
	vsnprintf(st->err->message, sizeof(st->err->message), fmt, ap);
	va_end(ap);
	return 0;
}

int config_name_is_safe(const char *name)
{
	size_t len;
	const unsigned char *p;

	if (name == NULL)
		return 0;
	len = strlen(name);
	if (len == 0 || len > 255)
		return 0;
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return 0;
	for (p = (const unsigned char *)name; *p; p++)
		if (*p == '/' || *p < 0x20 || *p == 0x7f)
			return 0;
	return utf8_valid(name, len);
}

int config_table_file_ok(const char *database, const char *table)
{
	/* "{database}_{table}.json" plus the temporary file's prefix and
	 * suffix must fit in one 255-byte file name. */
	return config_name_is_safe(table) &&
	       strlen(database) + 1 + strlen(table) + strlen(".json") +
	       TMPNAME_MAX_AFFIXES <= 255;
}

const struct env_config *config_file_owner(const struct fleet_config *cfg,
					   const char *folder, const char *stem)
{
	const struct env_config *owner = NULL;
	int owner_literal = 0;
	size_t i;

	for (i = 0; i < cfg->nenvs; i++) {
		const struct env_config *o = &cfg->envs[i];
		size_t len = strlen(o->database);
		int literal;

		if (strcmp(o->folder, folder) != 0 ||
		    strncmp(stem, o->database, len) != 0 || stem[len] != '_')
			continue;
		literal = tablelist_literal(o->tables, stem + len + 1);
		if (owner == NULL || literal > owner_literal ||
		    (literal == owner_literal &&
		     len > strlen(owner->database))) {
			owner = o;
			owner_literal = literal;
		}
	}
	return owner;
}

/* ---- the reader: line numbers and section headers ---------------------- */

static struct table_list *find_list(struct fleet_config *cfg, const char *db)
{
	size_t i;

	for (i = 0; i < cfg->nlists; i++)
		if (strcmp(cfg->lists[i].database, db) == 0)
			return &cfg->lists[i];
	return NULL;
}

const struct env_config *config_find_env(const struct fleet_config *cfg,
					 const char *name)
{
	size_t i;

	for (i = 0; i < cfg->nenvs; i++)
		if (strcmp(cfg->envs[i].name, name) == 0)
			return &cfg->envs[i];
	return NULL;
}

/* Called by the reader for each `[...]` line, before inih sees it. */
static void open_section(struct parse_state *st, const char *raw)
{
	char name[256];
	const char *end = strchr(raw, ']');
	size_t len;
	const char *arg;

	st->seen_keys[0] = '\0';
	st->last_key[0] = '\0';
	st->section_obj = NULL;
	st->section_line = st->line;
	if (end == NULL) {
		st->kind = SEC_BAD;
		fail(st, st->line, NULL, "section header without a closing ']'");
		return;
	}
	len = (size_t)(end - raw - 1);
	if (len >= sizeof(name))
		len = sizeof(name) - 1;
	memcpy(name, raw + 1, len);
	name[len] = '\0';
	snprintf(st->section, sizeof(st->section), "%s", name);

	if (strcmp(name, "fleet") == 0) {
		if (st->fleet_seen) {
			fail(st, st->line, "fleet", "duplicate section [fleet]");
			st->kind = SEC_BAD;
			return;
		}
		st->fleet_seen = 1;
		st->kind = SEC_FLEET;
		return;
	}
	if (strcmp(name, "mask") == 0) {
		if (st->mask_seen) {
			fail(st, st->line, "mask", "duplicate section [mask]");
			st->kind = SEC_BAD;
			return;
		}
		st->mask_seen = 1;
		st->kind = SEC_MASK;
		return;
	}
	if (strncmp(name, "tables ", 7) == 0) {
		struct table_list *tl;

		arg = name + 7;
		while (*arg == ' ')
			arg++;
		st->kind = SEC_TABLES;
		if (!config_name_is_safe(arg)) {
			st->kind = SEC_BAD;
			fail(st, st->line, name,
			     "database name '%s' is not a safe file name "
			     "(empty, '.', '..', '/' or a control character)", arg);
			return;
		}
		if (find_list(st->cfg, arg) != NULL) {
			st->kind = SEC_BAD;
			fail(st, st->line, name,
			     "duplicate table list for database '%s'", arg);
			return;
		}
		st->cfg->lists = xrealloc(st->cfg->lists,
					  (st->cfg->nlists + 1) * sizeof(*tl));
		tl = &st->cfg->lists[st->cfg->nlists++];
		memset(tl, 0, sizeof(*tl));
		tl->database = xstrdup(arg);
		tl->line = st->line;
		st->section_obj = tl;
		return;
	}
	if (strncmp(name, "environment ", 12) == 0) {
		struct env_config *env;

		arg = name + 12;
		while (*arg == ' ')
			arg++;
		st->kind = SEC_ENV;
		if (!config_name_is_safe(arg)) {
			st->kind = SEC_BAD;
			fail(st, st->line, name,
			     "environment name '%s' is not a safe file name "
			     "(empty, '.', '..', '/' or a control character)", arg);
			return;
		}
		if (config_find_env(st->cfg, arg) != NULL) {
			st->kind = SEC_BAD;
			fail(st, st->line, name, "duplicate environment '%s'", arg);
			return;
		}
		st->cfg->envs = xrealloc(st->cfg->envs,
					 (st->cfg->nenvs + 1) * sizeof(*env));
		env = &st->cfg->envs[st->cfg->nenvs++];
		memset(env, 0, sizeof(*env));
		env->name = xstrdup(arg);
		env->line = st->line;
		st->section_obj = env; /* pool 0: not said (inherit_defaults) */
		return;
	}
	st->kind = SEC_BAD;
	fail(st, st->line, name,
	     "unknown section [%s] (expected [fleet], [mask], [tables DATABASE] "
	     "or [environment NAME])", name);
}

static char *reader(char *str, int num, void *stream)
{
	struct parse_state *st = stream;
	char *s;
	size_t len;

	s = fgets(str, num, st->fp);
	if (s == NULL)
		return NULL;
	len = strlen(s);
	if (!st->line_truncated)
		st->line++;
	st->line_truncated = len > 0 && s[len - 1] != '\n' && !feof(st->fp);
	if (st->line_truncated)
		fail(st, st->line, NULL,
		     "line longer than %d bytes; split long table lists over "
		     "several indented lines", num - 2);
	st->line_indented = (s[0] == ' ' || s[0] == '\t');
	{
		const char *p = s;

		while (*p == ' ' || *p == '\t')
			p++;
		/* inih treats an indented line after a key as a continuation. */
		if (*p == '[' && (!st->line_indented || st->last_key[0] == '\0'))
			open_section(st, p);
	}
	return s;
}

/* ---- the handler: one key = value --------------------------------------- */

static int parse_uint(struct parse_state *st, const char *key,
		      const char *value, unsigned lo, unsigned hi,
		      unsigned *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(value, &end, 10);
	if (errno != 0 || end == value || *end != '\0' || value[0] == '-' ||
	    v < lo || v > hi)
		return fail(st, st->line, key,
			    "'%s' is not a whole number from %u to %u",
			    value, lo, hi);
	*out = (unsigned)v;
	return 1;
}

/* Whitespace-separated words appended to a list (for continuation lines). */
static int append_words(struct parse_state *st, const char *key,
			const char *value, char ***list, size_t *n,
			int check_names)
{
	const char *p = value;
	size_t i;

	/* Lists are filled a line at a time; restart the set when another
	 * list is filled (the section's line tells lists apart even when a
	 * realloc moved them). */
	if (st->seen_line != st->section_line ||
	    st->seen_list != (const char ***)list) {
		strset_release(&st->seen);
		for (i = 0; i < *n; i++)
			strset_add(&st->seen, (*list)[i]);
		st->seen_line = st->section_line;
		st->seen_list = (const char ***)list;
	}
	while (*p) {
		const char *start;
		char *word;

		while (isspace((unsigned char)*p))
			p++;
		if (*p == '\0')
			break;
		start = p;
		while (*p && !isspace((unsigned char)*p))
			p++;
		word = xstrndup(start, (size_t)(p - start));
		if (check_names && (!config_name_is_safe(word) ||
				    strlen(word) > 64)) {
			fail(st, st->line, key,
			     "table name '%s' is not usable (more than 64 "
			     "bytes, '.', '..', '/' or a control character)",
			     word);
			free(word);
			return 0;
		}
		if (!strset_add(&st->seen, word)) {
			fail(st, st->line, key, "table '%s' is listed twice",
			     word);
			free(word);
			return 0;
		}
		*list = xrealloc(*list, (*n + 1) * sizeof(**list));
		(*list)[(*n)++] = word;
	}
	return 1;
}

static int set_string(struct parse_state *st, const char *key,
		      const char *value, char **field, int required_safe)
{
	if (value[0] == '\0')
		return fail(st, st->line, key, "empty value");
	if (required_safe && !config_name_is_safe(value))
		return fail(st, st->line, key,
			    "'%s' is not a safe file name (empty, '.', '..', "
			    "'/' or a control character)", value);
	free(*field);
	*field = xstrdup(value);
	return 1;
}

static char *expand_home(const char *path)
{
	const char *home = getenv("HOME");

	if (path[0] != '~' || path[1] != '/' || home == NULL)
		return xstrdup(path);
	return xasprintf("%s%s", home, path + 1);
}

/* `mask = required|optional|none`, in [fleet] or an environment. */
static int parse_mask(struct parse_state *st, const char *key, const char *value,
		      enum mask_mode *mode, int *line)
{
	if (strcmp(value, "required") == 0)
		*mode = MASK_REQUIRED;
	else if (strcmp(value, "optional") == 0)
		*mode = MASK_OPTIONAL;
	else if (strcmp(value, "none") == 0)
		*mode = MASK_OFF;
	else
		return fail(st, st->line, key,
			    "'%s' is not 'required', 'optional' or 'none'", value);
	*line = st->line;
	return 1;
}

/* A path key: "~/" expanded, relative to the config's folder, as `out`
 * is (not to wherever a scheduler happens to start rhizome). */
static int set_path(struct parse_state *st, const char *key, const char *value,
		    char **field, int *line)
{
	char *path;

	if (value[0] == '\0')
		return fail(st, st->line, key, "empty value");
	path = expand_home(value);
	free(*field);
	if (path[0] == '/') {
		*field = path;
	} else {
		*field = xasprintf("%s%s", st->cfg->dir, path);
		free(path);
	}
	*line = st->line;
	return 1;
}

static const char *const tls_names[] = {
	[TLS_DISABLED] = "disabled", [TLS_PREFERRED] = "preferred",
	[TLS_REQUIRED] = "required", [TLS_VERIFY_CA] = "verify-ca",
	[TLS_VERIFY_IDENTITY] = "verify-identity",
};

const char *config_tls_name(enum tls_mode mode)
{
	return (unsigned)mode < sizeof(tls_names) / sizeof(tls_names[0])
	       ? tls_names[mode] : "?";
}

/* `tls`, `tls-ca`, `tls-cert`, `tls-key`, in [fleet] or an environment.
 * Returns -1 when `key` is none of them. */
static int handle_tls(struct parse_state *st, const char *key,
		      const char *value, struct tls_config *tls)
{
	size_t i;

	if (strcmp(key, "tls") == 0) {
		for (i = 0; i < sizeof(tls_names) / sizeof(tls_names[0]); i++)
			if (strcmp(value, tls_names[i]) == 0) {
				tls->mode = (enum tls_mode)i;
				tls->mode_line = st->line;
				return 1;
			}
		return fail(st, st->line, key, "'%s' is not disabled, preferred, "
			    "required, verify-ca or verify-identity", value);
	}
	if (strcmp(key, "tls-ca") == 0)
		return set_path(st, key, value, &tls->ca, &tls->ca_line);
	if (strcmp(key, "tls-cert") == 0)
		return set_path(st, key, value, &tls->cert, &tls->cert_line);
	if (strcmp(key, "tls-key") == 0)
		return set_path(st, key, value, &tls->key, &tls->key_line);
	return -1;
}

static void tls_release(struct tls_config *tls)
{
	free(tls->ca);
	free(tls->cert);
	free(tls->key);
	memset(tls, 0, sizeof(*tls));
}

/* What an environment's section did not say comes from [fleet]. */
static void tls_inherit(struct tls_config *env, const struct tls_config *fleet)
{
	if (env->mode_line == 0 && fleet->mode_line != 0) {
		env->mode = fleet->mode;
		env->mode_line = fleet->mode_line;
	}
	if (env->ca == NULL && fleet->ca != NULL) {
		env->ca = xstrdup(fleet->ca);
		env->ca_line = fleet->ca_line;
	}
	if (env->cert == NULL && fleet->cert != NULL) {
		env->cert = xstrdup(fleet->cert);
		env->cert_line = fleet->cert_line;
	}
	if (env->key == NULL && fleet->key != NULL) {
		env->key = xstrdup(fleet->key);
		env->key_line = fleet->key_line;
	}
	/* Not said anywhere: TLS when offered, as MySQL's clients do; a CA
	 * given means it is meant to be checked. */
	if (env->mode_line == 0)
		env->mode = env->ca != NULL ? TLS_VERIFY_CA : TLS_PREFERRED;
}

/* A number in [0, max] whose 0 is meaningful (`retries = 0`, `env-timeout
 * = 0`: off), kept as N + 1 until validate(), so 0 can mean "not said". */
static int parse_plus_one(struct parse_state *st, const char *key,
			  const char *value, unsigned max, unsigned *field)
{
	unsigned v;

	if (!parse_uint(st, key, value, 0, max, &v))
		return 0;
	*field = v + 1;
	return 1;
}

/* Where [fleet] (the defaults) or an environment keeps its time bounds
 * and retries. */
struct limits {
	unsigned *connect_timeout, *read_timeout, *write_timeout;
	unsigned *lock_wait_timeout, *query_timeout, *env_timeout, *retries;
};

/* The time-bound keys and `retries`, in [fleet] or an environment.
 * Returns -1 when `key` is none of them. */
static int handle_limits(struct parse_state *st, const char *key,
			 const char *value, const struct limits *l)
{
	if (strcmp(key, "connect-timeout") == 0)
		return parse_uint(st, key, value, 1, 86400, l->connect_timeout);
	if (strcmp(key, "read-timeout") == 0)
		return parse_uint(st, key, value, 1, 86400, l->read_timeout);
	if (strcmp(key, "write-timeout") == 0)
		return parse_uint(st, key, value, 1, 86400, l->write_timeout);
	if (strcmp(key, "lock-wait-timeout") == 0)
		return parse_uint(st, key, value, 1, 86400, l->lock_wait_timeout);
	if (strcmp(key, "query-timeout") == 0)
		return parse_uint(st, key, value, 1, 86400, l->query_timeout);
	if (strcmp(key, "env-timeout") == 0)
		return parse_plus_one(st, key, value, 7 * 86400, l->env_timeout);
	if (strcmp(key, "retries") == 0)
		return parse_plus_one(st, key, value, 10, l->retries);
	return -1;
}

/* `yes` or `no` into *out, and the line into *line: 1, or 0 with the
 * error said. */
static int parse_yes_no(struct parse_state *st, const char *key,
			const char *value, int *out, int *line)
{
	if (strcmp(value, "yes") != 0 && strcmp(value, "no") != 0)
		return fail(st, st->line, key, "'%s' is not 'yes' or 'no'", value);
	*out = value[0] == 'y';
	*line = st->line;
	return 1;
}

static int handle_env_key(struct parse_state *st, const char *key,
			  const char *value, struct env_config *env);

static int handle_fleet(struct parse_state *st, const char *key,
			const char *value)
{
	struct fleet_config *cfg = st->cfg;
	int rc = handle_tls(st, key, value, &st->tls);

	if (rc >= 0)
		return rc;

	if (strcmp(key, "out") == 0)
		return set_string(st, key, value, &cfg->out, 0);
	if (strcmp(key, "model") == 0)
		return set_string(st, key, value, &cfg->model, 0);
	if (strcmp(key, "emplacement") == 0)
		return set_string(st, key, value, &cfg->emplacement, 0);
	if (strcmp(key, "registration") == 0)
		return set_string(st, key, value, &cfg->registration, 0);
	if (strcmp(key, "history") == 0)
		return set_path(st, key, value, &cfg->history, &cfg->history_line);
	if (strcmp(key, "keep-runs") == 0)
		return parse_uint(st, key, value, 0, 1000000, &cfg->keep_runs);
	if (strcmp(key, "workers") == 0)
		return parse_uint(st, key, value, 1, 1024, &cfg->workers);
	if (strcmp(key, "batch") == 0)
		return parse_uint(st, key, value, 1, 10000, &cfg->batch);
	if (strcmp(key, "mask") == 0)
		return parse_mask(st, key, value, &st->mask, &st->mask_line);
	rc = handle_limits(st, key, value, &(struct limits){
		&st->connect_timeout, &st->read_timeout, &st->write_timeout,
		&st->lock_wait_timeout, &st->query_timeout, &st->env_timeout,
		&st->retries });
	if (rc >= 0)
		return rc;
	/* fail closed: no default may make production data unmasked */
	if (strcmp(key, "sensitive") == 0 && strcmp(value, "no") == 0)
		return fail(st, st->line, key,
			    "sensitive = no is said in each environment's own "
			    "section, never for the whole fleet");
	if (strcmp(key, "scratch") == 0)
		return fail(st, st->line, key,
			    "scratch is said in each load target's own section, "
			    "never for the whole fleet");
	/* an environment's key: the default of every environment that
	 * does not say */
	rc = handle_env_key(st, key, value, &st->defaults);
	if (rc >= 0)
		return rc;
	return fail(st, st->line, key,
		    "unknown key in [fleet] (known: out, workers, batch, mask, "
		    "model, emplacement, registration, history, keep-runs, "
		    "and as defaults "
		    "for every environment: folder, database, schema, host, "
		    "port, socket, user, password-env, option-file, "
		    "option-group, pool, sensitive, order, follow-keys, "
		    "connect-timeout, read-timeout, write-timeout, "
		    "lock-wait-timeout, query-timeout, env-timeout, retries, "
		    "tls, tls-ca, tls-cert, tls-key)");
}

static int handle_tables(struct parse_state *st, const char *key,
			 const char *value)
{
	struct table_list *tl = st->section_obj;

	if (strcmp(key, "tables") == 0)
		return append_words(st, key, value, &tl->tables, &tl->ntables, 1);
	if (strcmp(key, "exclude") == 0)
		return append_words(st, key, value, &tl->exclude, &tl->nexclude, 1);
	return fail(st, st->line, key,
		    "unknown key in [%s] (known: tables, exclude)", st->section);
}

/* A key of an environment's own (not the TLS keys or time bounds, which
 * [fleet] keeps apart), into `env`: an environment's section, or
 * [fleet]'s defaults. Returns -1 when `key` is none of them. */
static int handle_env_key(struct parse_state *st, const char *key,
			  const char *value, struct env_config *env)
{
	if (strcmp(key, "folder") == 0)
		return set_string(st, key, value, &env->folder, 1);
	if (strcmp(key, "database") == 0)
		return set_string(st, key, value, &env->database, 1);
	if (strcmp(key, "schema") == 0)
		return set_string(st, key, value, &env->schema, 0);
	if (strcmp(key, "host") == 0)
		return set_string(st, key, value, &env->host, 0);
	if (strcmp(key, "socket") == 0)
		return set_string(st, key, value, &env->socket, 0);
	if (strcmp(key, "user") == 0)
		return set_string(st, key, value, &env->user, 0);
	if (strcmp(key, "option-group") == 0) {
		env->option_group_line = st->line;
		return set_string(st, key, value, &env->option_group, 0);
	}
	if (strcmp(key, "option-file") == 0)
		return set_path(st, key, value, &env->option_file,
				&env->option_file_line);
	if (strcmp(key, "password-env") == 0) {
		const char *p;

		for (p = value; *p; p++)
			if (!isalnum((unsigned char)*p) && *p != '_')
				break;
		if (value[0] == '\0' || *p != '\0' ||
		    isdigit((unsigned char)value[0]))
			/* Not echoed: it may be the password itself. */
			return fail(st, st->line, key,
				    "the value is not an environment variable "
				    "name (letters, digits, '_'); put the "
				    "password in a variable and name that "
				    "variable here");
		env->password_env_line = st->line;
		return set_string(st, key, value, &env->password_env, 0);
	}
	if (strcmp(key, "password") == 0)
		/* Do not echo the value: it is a secret. */
		return fail(st, st->line, key,
			    "passwords are never read from the config file; "
			    "name an environment variable with password-env, "
			    "or use option-file");
	if (strcmp(key, "mask") == 0)
		return parse_mask(st, key, value, &env->mask, &env->mask_line);
	if (strcmp(key, "sensitive") == 0)
		return parse_yes_no(st, key, value, &env->sensitive,
				    &env->sensitive_line);
	if (strcmp(key, "follow-keys") == 0)
		return parse_yes_no(st, key, value, &env->follow_keys,
				    &env->follow_keys_line);
	if (strcmp(key, "order") == 0) {
		unsigned v;

		if (!parse_uint(st, key, value, 0, 1000, &v))
			return 0;
		env->order = (int)v;
		env->order_set = 1;
		return 1;
	}
	if (strcmp(key, "port") == 0)
		return parse_uint(st, key, value, 1, 65535, &env->port);
	if (strcmp(key, "pool") == 0)
		return parse_uint(st, key, value, 1, 256, &env->pool);
	return -1;
}

static int handle_env(struct parse_state *st, const char *key,
		      const char *value)
{
	struct env_config *env = st->section_obj;
	int rc;

	/* an environment's own word only: no [fleet] default makes every
	 * environment a load target */
	if (strcmp(key, "scratch") == 0)
		return parse_yes_no(st, key, value, &env->scratch,
				    &env->scratch_line);
	rc = handle_tls(st, key, value, &env->tls);

	if (rc >= 0)
		return rc;
	rc = handle_env_key(st, key, value, env);
	if (rc >= 0)
		return rc;
	rc = handle_limits(st, key, value, &(struct limits){
		&env->connect_timeout, &env->read_timeout, &env->write_timeout,
		&env->lock_wait_timeout, &env->query_timeout, &env->env_timeout,
		&env->retries });
	if (rc >= 0)
		return rc;
	return fail(st, st->line, key,
		    "unknown key in [%s] (known: folder, database, schema, "
		    "host, port, socket, user, password-env, option-file, "
		    "option-group, pool, mask, sensitive, scratch, order, "
		    "follow-keys, connect-timeout, read-timeout, write-timeout, "
		    "lock-wait-timeout, query-timeout, env-timeout, retries, "
		    "tls, tls-ca, tls-cert, tls-key)", st->section);
}

/*
 * inih up to r55 hands a continuation line over with its inline comment
 * ("flyway_schema_history ; why"), where later versions strip it as they do
 * on the first line; without this the comment's words became table names.
 * Strip it here, as inih does: ';' preceded by white space.
 */
static int handle_continuation(struct parse_state *st, const char *key,
			       const char *value)
{
	const char *p;
	char *own;
	int rc;

	for (p = value; *p; p++)
		if (*p == ';' && p > value && isspace((unsigned char)p[-1]))
			break;
	{
		/* "   exclude = x" reads as a continuation to inih; as a list of
		 * tables it would silently add "exclude", "=", "x". */
		const char *eq = strstr(value, " = ");

		if (eq != NULL && eq < p)
			return fail(st, st->line, key,
				    "indented 'name = value' line: keys start "
				    "at the beginning of a line; only table "
				    "names continue a list");
	}
	if (*p == '\0')
		return handle_tables(st, key, value);
	own = xstrndup(value, (size_t)(p - value));
	rc = handle_tables(st, key, own);
	free(own);
	return rc;
}

static int valid_variable_name(const char *v)
{
	const char *p;

	if (v[0] == '\0' || isdigit((unsigned char)v[0]))
		return 0;
	for (p = v; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_')
			return 0;
	return 1;
}

/* `[mask]`: `key-env = VAR`, or `PATTERN = hash | null | constant:VALUE`. */
static int handle_mask(struct parse_state *st, const char *key,
		       const char *value)
{
	struct fleet_config *cfg = st->cfg;
	struct mask_rule rule;
	char *copy, *part, *save = NULL;
	int nparts = 0, i;

	if (strcmp(key, "key-env") == 0) {
		if (!valid_variable_name(value))
			return fail(st, st->line, key,
				    "the value is not an environment variable "
				    "name (letters, digits, '_')");
		cfg->mask_key_env_line = st->line;
		return set_string(st, key, value, &cfg->mask_key_env, 0);
	}
	memset(&rule, 0, sizeof(rule));
	if (strcmp(value, "hash") == 0)
		rule.method = MASK_HASH;
	else if (strcmp(value, "null") == 0)
		rule.method = MASK_NULL;
	else if (strncmp(value, "constant:", 9) == 0)
		rule.method = MASK_CONSTANT;
	else
		return fail(st, st->line, key,
			    "'%s' is not a masking method (hash, null or "
			    "constant:VALUE)", value);
	copy = xstrdup(key);
	for (part = strtok_r(copy, ".", &save); part != NULL;
	     part = strtok_r(NULL, ".", &save)) {
		if (nparts == 3) {
			free(copy);
			return fail(st, st->line, key,
				    "a pattern is column, table.column or "
				    "database.table.column");
		}
		rule.parts[nparts++] = part;
	}
	if (nparts == 0 || key[0] == '.' || key[strlen(key) - 1] == '.' ||
	    strstr(key, "..") != NULL) {
		free(copy);
		return fail(st, st->line, key, "empty part in the pattern");
	}
	/* Right-align: the last part is always the column. */
	for (i = 2; i >= 0; i--)
		rule.parts[i] = i - (3 - nparts) >= 0
					? xstrdup(rule.parts[i - (3 - nparts)])
					: NULL;
	free(copy);
	rule.pattern = xstrdup(key);
	rule.line = st->line;
	if (rule.method == MASK_CONSTANT)
		rule.constant = xstrdup(value + 9);
	cfg->mask_rules = xrealloc(cfg->mask_rules,
				   (cfg->nmask_rules + 1) * sizeof(rule));
	cfg->mask_rules[cfg->nmask_rules++] = rule;
	return 1;
}

static int handler(void *user, const char *section, const char *key,
		   const char *value)
{
	struct parse_state *st = user;
	char marker[80];
	int continuation;

	(void)section; /* the reader tracked it, with its line */
	if (st->failed || st->kind == SEC_BAD)
		return 1; /* keep the first error; inih's return is unused */
	if (st->kind == SEC_NONE)
		return fail(st, st->line, key,
			    "key outside any section; start the file with "
			    "[fleet], [tables DATABASE] or [environment NAME]");

	continuation = st->line_indented && strcmp(key, st->last_key) == 0;
	snprintf(marker, sizeof(marker), "\n%s\n", key);
	if (!continuation) {
		if (strstr(st->seen_keys, marker) != NULL)
			return fail(st, st->line, key,
				    "key given twice in [%s]", st->section);
		if (strlen(st->seen_keys) + strlen(marker) <
		    sizeof(st->seen_keys))
			strcat(st->seen_keys, marker);
		snprintf(st->last_key, sizeof(st->last_key), "%s", key);
	} else if (st->kind != SEC_TABLES) {
		return fail(st, st->line, key,
			    "only table lists continue over several lines");
	}

	switch (st->kind) {
	case SEC_FLEET:
		return handle_fleet(st, key, value);
	case SEC_TABLES:
		if (continuation)
			return handle_continuation(st, key, value);
		return handle_tables(st, key, value);
	case SEC_ENV:
		return handle_env(st, key, value);
	case SEC_MASK:
		return handle_mask(st, key, value);
	default:
		return 1;
	}
}

/* ---- whole-file checks -------------------------------------------------- */

static int resolve_list(struct parse_state *st, struct table_list *tl)
{
	size_t i;

	if (tl->ntables == 0 && !(st->flags & CONFIG_LISTS_OPTIONAL))
		return fail(st, tl->line, "tables",
			    "[tables %s] lists no tables", tl->database);
	for (i = 0; i < tl->ntables; i++)
		if (!config_table_file_ok(tl->database, tl->tables[i]))
			return fail(st, tl->line, "tables",
				    "file name for table '%s' of database '%s' "
				    "would be longer than the file system "
				    "allows", tl->tables[i], tl->database);
	tablelist_resolve(tl);
	return 1;
}

/*
 * Two environments sharing a folder write {database}_{table} names side by
 * side, and different pairs can spell the same name: database "billing"
 * with table "event_outbox" and database "billing_event" with table
 * "outbox". Each would overwrite the other's snapshot on every run.
 */
static int check_file_clashes(struct parse_state *st)
{
	struct fleet_config *cfg = st->cfg;
	struct strset *sets;
	size_t i, j, k;
	int ok = 1;

	/* each list's effective names, for lookups by name */
	sets = xcalloc(cfg->nlists, sizeof(*sets));
	for (i = 0; i < cfg->nlists; i++)
		for (k = 0; k < cfg->lists[i].neffective; k++)
			strset_add(&sets[i], cfg->lists[i].effective[k]);
	for (i = 0; ok && i < cfg->nenvs; i++) {
		for (j = 0; ok && j < cfg->nenvs; j++) {
			const struct env_config *a = &cfg->envs[i], *b = &cfg->envs[j];
			size_t blen = strlen(b->database);

			if (i == j || strcmp(a->folder, b->folder) != 0 ||
			    strcmp(a->database, b->database) == 0)
				continue;
			/* a's "{db}_{t}" is b's "{db}_{u}" when it starts with
			 * b's database and "_": u is the rest. */
			for (k = 0; k < a->tables->neffective; k++) {
				const char *t = a->tables->effective[k];
				char stem[600];
				const char *u;

				snprintf(stem, sizeof(stem), "%s_%s", a->database, t);
				if (strncmp(stem, b->database, blen) != 0 ||
				    stem[blen] != '_')
					continue;
				u = stem + blen + 1;
				if (strset_has(&sets[b->tables - cfg->lists], u)) {
					ok = fail(st, b->line, "database",
						    "environments '%s' and '%s' "
						    "would both write %s/expected_"
						    "data/%s.sql (table '%s' of "
						    "database '%s', table '%s' of "
						    "database '%s'); give them "
						    "different folders", a->name,
						    b->name, a->folder, stem, t,
						    a->database, u, b->database);
					break;
				}
			}
		}
	}
	for (i = 0; i < cfg->nlists; i++)
		strset_release(&sets[i]);
	free(sets);
	return ok;
}

/* A copy of `s`, or NULL. */
static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

/*
 * What env does not say, [fleet] does (`d`, its environment keys). Where
 * a server is: an environment naming a host or a socket takes neither
 * from [fleet], so a default socket never turns a TCP environment into a
 * local one; a port is taken with a host. A [fleet] key keeps its own
 * line, so an error about it points there.
 */
static void inherit_defaults(struct env_config *env,
			     const struct env_config *d)
{
	if (env->folder == NULL)
		env->folder = dup_or_null(d->folder);
	if (env->database == NULL)
		env->database = dup_or_null(d->database);
	if (env->schema == NULL)
		env->schema = dup_or_null(d->schema);
	if (env->host == NULL && env->socket == NULL) {
		env->host = dup_or_null(d->host);
		env->socket = dup_or_null(d->socket);
	}
	if (env->port == 0)
		env->port = d->port;
	if (env->user == NULL)
		env->user = dup_or_null(d->user);
	if (env->password_env == NULL) {
		env->password_env = dup_or_null(d->password_env);
		env->password_env_line = d->password_env_line;
	}
	if (env->option_file == NULL) {
		env->option_file = dup_or_null(d->option_file);
		env->option_file_line = d->option_file_line;
	}
	if (env->option_group == NULL) {
		env->option_group = dup_or_null(d->option_group);
		env->option_group_line = d->option_group_line;
	}
	if (env->pool == 0)
		env->pool = d->pool ? d->pool : DEFAULT_POOL;
	if (env->sensitive_line == 0 && d->sensitive_line != 0) {
		env->sensitive = d->sensitive;
		env->sensitive_line = d->sensitive_line;
	}
	if (!env->order_set && d->order_set) {
		env->order = d->order;
		env->order_set = 1;
	}
	if (env->follow_keys_line == 0 && d->follow_keys_line != 0) {
		env->follow_keys = d->follow_keys;
		env->follow_keys_line = d->follow_keys_line;
	}
}

/* Free what an environment's config owns (not the struct). */
static void env_release(struct env_config *e)
{
	free(e->name);
	free(e->folder);
	free(e->database);
	free(e->schema);
	free(e->host);
	free(e->socket);
	free(e->user);
	free(e->password_env);
	free(e->option_file);
	free(e->option_group);
	tls_release(&e->tls);
}

static int validate(struct parse_state *st)
{
	struct fleet_config *cfg = st->cfg;
	size_t i, j;

	if (cfg->nenvs == 0)
		return fail(st, 0, NULL, "no [environment NAME] section");
	for (i = 0; i < cfg->nmask_rules; i++)
		if (cfg->mask_rules[i].method == MASK_HASH &&
		    cfg->mask_key_env == NULL)
			return fail(st, cfg->mask_rules[i].line,
				    cfg->mask_rules[i].pattern,
				    "'hash' needs a key: add key-env = VARIABLE "
				    "to [mask] and put the key in that variable");
	/* `rhizome tables` writes the lists: a database without one gets an
	 * empty list, made before any environment points into the array */
	for (i = 0; i < cfg->nenvs && (st->flags & CONFIG_LISTS_OPTIONAL); i++) {
		const char *db = cfg->envs[i].database;

		if (db == NULL || find_list(cfg, db) != NULL)
			continue;
		cfg->lists = xrealloc(cfg->lists, (cfg->nlists + 1) *
				      sizeof(*cfg->lists));
		memset(&cfg->lists[cfg->nlists], 0, sizeof(*cfg->lists));
		cfg->lists[cfg->nlists].database = xstrdup(db);
		cfg->lists[cfg->nlists++].line = cfg->envs[i].line;
	}
	for (i = 0; i < cfg->nlists; i++)
		if (!resolve_list(st, &cfg->lists[i]))
			return 0;
	for (i = 0; i < cfg->nenvs; i++) {
		struct env_config *env = &cfg->envs[i];
		char sec[300];

		inherit_defaults(env, &st->defaults);
		env->config_path = cfg->path;
		snprintf(sec, sizeof(sec), "environment %s", env->name);
		if (env->folder == NULL)
			return fail(st, env->line, "folder",
				    "[%s] has no folder", sec);
		if (env->database == NULL)
			return fail(st, env->line, "database",
				    "[%s] has no database", sec);
		env->tables = find_list(cfg, env->database);
		if (env->tables == NULL)
			return fail(st, env->line, "database",
				    "[%s] names database '%s', which has no "
				    "[tables %s] list", sec, env->database,
				    env->database);
		if (env->schema == NULL)
			env->schema = xstrdup(env->database);
		/* Production data is masked unless its own section says
		 * otherwise, and never left out of masking altogether. */
		if (env->sensitive_line == 0 &&
		    (strcasestr(env->name, "prod") != NULL ||
		     strcasestr(env->folder, "prod") != NULL))
			env->sensitive = 1; /* `sensitive = no` says otherwise */
		/* what a load may drop and create tables in is never what
		 * the masking rule protects */
		if (env->scratch && (env->sensitive ||
				     strcasestr(env->name, "prod") != NULL ||
				     strcasestr(env->folder, "prod") != NULL))
			return fail(st, env->scratch_line, "scratch",
				    "[%s] looks like production (%s): a scratch "
				    "environment (a load target) never does; give "
				    "it a name and folder of its own", sec,
				    env->sensitive_line && env->sensitive
				    ? "sensitive = yes" : "'prod' in its name or folder");
		/* a [fleet] default never lowers a sensitive one */
		if (env->mask_line == 0)
			env->mask = env->sensitive ? MASK_REQUIRED
				    : env->scratch ? MASK_OFF
				    : st->mask_line ? st->mask : MASK_OPTIONAL;
		else if (env->mask == MASK_OFF && env->sensitive)
			return fail(st, env->mask_line, "mask",
				    "[%s] is sensitive (%s): mask = none is "
				    "refused there; say required or optional",
				    sec, env->sensitive_line ? "sensitive = yes"
				    : "'prod' in its name or folder");
		if (env->connect_timeout == 0)
			env->connect_timeout = st->connect_timeout;
		if (env->read_timeout == 0)
			env->read_timeout = st->read_timeout;
		if (env->lock_wait_timeout == 0)
			env->lock_wait_timeout = st->lock_wait_timeout;
		if (env->query_timeout == 0)
			env->query_timeout = st->query_timeout ? st->query_timeout
					     : env->read_timeout;
		/* stored +1 while parsing, so 0 can mean "not said" */
		env->retries = env->retries ? env->retries - 1
			       : st->retries ? st->retries - 1 : DEFAULT_RETRIES;
		env->env_timeout = env->env_timeout ? env->env_timeout - 1
				   : st->env_timeout ? st->env_timeout - 1 : 0;
		if (env->write_timeout == 0)
			env->write_timeout = st->write_timeout;
		tls_inherit(&env->tls, &st->tls);
		for (j = 0; j < i; j++)
			if (strcmp(cfg->envs[j].folder, env->folder) == 0 &&
			    strcmp(cfg->envs[j].database, env->database) == 0)
				return fail(st, env->line, "folder",
					    "environments '%s' and '%s' would "
					    "write the same files (folder '%s', "
					    "database '%s')", cfg->envs[j].name,
					    env->name, env->folder,
					    env->database);
	}
	return check_file_clashes(st);
}

int config_load(const char *path, struct fleet_config *cfg,
		struct config_error *err)
{
	return config_load_flags(path, 0, cfg, err);
}

int config_load_flags(const char *path, unsigned flags,
		      struct fleet_config *cfg, struct config_error *err)
{
	struct parse_state st;
	const char *slash;
	int rc;

	memset(cfg, 0, sizeof(*cfg));
	memset(err, 0, sizeof(*err));
	snprintf(err->file, sizeof(err->file), "%s", path);
	memset(&st, 0, sizeof(st));
	st.cfg = cfg;
	st.err = err;
	st.flags = flags;
	st.connect_timeout = DEFAULT_CONNECT_TIMEOUT;
	st.read_timeout = DEFAULT_RW_TIMEOUT;
	st.lock_wait_timeout = DEFAULT_LOCK_WAIT_TIMEOUT;
	st.write_timeout = DEFAULT_RW_TIMEOUT;
	cfg->workers = DEFAULT_WORKERS;
	cfg->batch = DEFAULT_BATCH;
	cfg->keep_runs = DEFAULT_KEEP_RUNS;
	cfg->path = xstrdup(path);
	slash = strrchr(path, '/');
	cfg->dir = slash ? xstrndup(path, (size_t)(slash - path + 1)) : xstrdup("");
	if (slash == path) {
		free(cfg->dir);
		cfg->dir = xstrdup("/");
	}

	st.fp = fopen(path, "r");
	if (st.fp == NULL) {
		rc = -errno;
		snprintf(err->message, sizeof(err->message),
			 "cannot read the config file: %s", strerror(-rc));
		config_release(cfg);
		return rc;
	}
	rc = ini_parse_stream(reader, &st, handler, &st);
	fclose(st.fp);
	strset_release(&st.seen);
	if (rc != 0 && !st.failed)
		/* A line inih could not lex (no '=' and not a section). */
		fail(&st, rc, NULL, "not a 'key = value' line, a [section] "
		     "or a comment");
	if (!st.failed)
		validate(&st);
	tls_release(&st.tls);
	env_release(&st.defaults);
	if (st.failed) {
		config_release(cfg);
		return -EINVAL;
	}
	return 0;
}

/* Upper case, digits and '_', as environment variables are named. */
static int looks_like_variable(const char *name)
{
	const char *p;

	for (p = name; *p; p++)
		if (!isupper((unsigned char)*p) && !isdigit((unsigned char)*p) &&
		    *p != '_')
			return 0;
	return 1;
}

int config_check_password(const struct fleet_config *cfg,
			  const struct env_config *env,
			  struct config_error *err)
{
	if (env->password_env == NULL || getenv(env->password_env) != NULL)
		return 0;
	memset(err, 0, sizeof(*err));
	snprintf(err->file, sizeof(err->file), "%s", cfg->path);
	err->line = env->password_env_line;
	snprintf(err->key, sizeof(err->key), "password-env");
	if (looks_like_variable(env->password_env))
		snprintf(err->message, sizeof(err->message),
			 "environment '%s' reads its password from $%s, which "
			 "is not set", env->name, env->password_env);
	else
		/* A lower-case word here may be the password itself. */
		snprintf(err->message, sizeof(err->message),
			 "environment '%s' reads its password from the variable "
			 "that password-env names, which is not set (not "
			 "repeated here in case it is the password itself)",
			 env->name);
	return -EINVAL;
}

enum tls_mode config_tls_effective(const struct env_config *env,
				   const struct optionfile_facts *facts)
{
	enum tls_mode mode = env->tls.mode;

	if (facts != NULL && facts->tls && mode < TLS_REQUIRED)
		mode = TLS_REQUIRED;
	if (facts != NULL && facts->tls_verify && mode < TLS_VERIFY_CA)
		mode = TLS_VERIFY_CA;
	return mode;
}

/* A tls-* file must be there for libmariadb to read: it would otherwise
 * say only "SSL connection error" at connect time, per connection. */
static int check_tls_file(const struct env_config *env, const char *key,
			  const char *path, int line, struct config_error *err)
{
	struct stat st;

	if (path == NULL)
		return 0;
	if (stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
	    access(path, R_OK) == 0)
		return 0;
	err->line = line;
	snprintf(err->key, sizeof(err->key), "%s", key);
	snprintf(err->message, sizeof(err->message),
		 "environment '%s': %s: %s", env->name, path,
		 stat(path, &st) != 0 ? strerror(errno)
		 : !S_ISREG(st.st_mode) ? "not a regular file"
					: "not readable by this user");
	return -EINVAL;
}

static int check_tls(const struct env_config *env,
		     const struct optionfile_facts *facts,
		     struct config_error *err)
{
	const struct tls_config *tls = &env->tls;
	enum tls_mode mode = config_tls_effective(env, facts);
	/* where the mode comes from, for messages */
	int line = tls->mode_line ? tls->mode_line
		   : tls->ca_line ? tls->ca_line : env->line;

	if (check_tls_file(env, "tls-ca", tls->ca, tls->ca_line, err) != 0 ||
	    check_tls_file(env, "tls-cert", tls->cert, tls->cert_line, err) != 0 ||
	    check_tls_file(env, "tls-key", tls->key, tls->key_line, err) != 0)
		return -EINVAL;
	if ((tls->cert == NULL) != (tls->key == NULL)) {
		err->line = tls->cert ? tls->cert_line : tls->key_line;
		snprintf(err->key, sizeof(err->key), "%s",
			 tls->cert ? "tls-cert" : "tls-key");
		snprintf(err->message, sizeof(err->message),
			 "environment '%s': tls-cert and tls-key go together "
			 "(a client certificate and its private key)", env->name);
		return -EINVAL;
	}
	snprintf(err->key, sizeof(err->key), "tls");
	err->line = line;
	if (tls->mode == TLS_DISABLED && tls->mode_line != 0 && facts->tls) {
		snprintf(err->message, sizeof(err->message),
			 "environment '%s' says tls = disabled, but %.300s:%d turns "
			 "TLS on (libmariadb would follow the option file): "
			 "remove one of the two", env->name, facts->tls_file,
			 facts->tls_line);
		return -EINVAL;
	}
	/* The file is read after rhizome's options and would win. */
	if (mode >= TLS_REQUIRED && facts->tls_off) {
		snprintf(err->message, sizeof(err->message),
			 "environment '%s' needs TLS (tls = %s), but its option "
			 "file turns it off (ssl = 0 or skip-ssl; libmariadb would "
			 "follow the file): remove that line", env->name,
			 config_tls_name(mode));
		return -EINVAL;
	}
	if (tls->mode == TLS_VERIFY_IDENTITY && facts->tls_noverify) {
		snprintf(err->message, sizeof(err->message),
			 "environment '%s' says tls = verify-identity, but its "
			 "option file turns ssl-verify-server-cert off (libmariadb "
			 "would follow the file): remove that line", env->name);
		return -EINVAL;
	}
	/* libmariadb checks a chain only against a CA it is given: without
	 * one, verify-ca would accept any certificate at all. */
	if (mode == TLS_VERIFY_CA && tls->ca == NULL && !facts->tls_ca) {
		snprintf(err->message, sizeof(err->message),
			 "environment '%s': tls = verify-ca needs tls-ca (the CA "
			 "certificate to verify the server's against)%s",
			 env->name, tls->mode_line ? ""
			 : " (the mode comes from ssl-verify-server-cert in the "
			   "option file)");
		return -EINVAL;
	}
	if (mode >= TLS_VERIFY_CA &&
	    getenv("MARIADB_TLS_DISABLE_PEER_VERIFICATION") != NULL) {
		snprintf(err->message, sizeof(err->message),
			 "environment '%s' verifies the server's certificate "
			 "(tls = %s), but MARIADB_TLS_DISABLE_PEER_VERIFICATION "
			 "is set, which newer connectors obey by skipping the "
			 "check: unset it, or lower tls for this environment",
			 env->name, config_tls_name(mode));
		return -EINVAL;
	}
	err->key[0] = '\0';
	err->line = 0;
	return 0;
}

int config_check_connection(const struct fleet_config *cfg,
			    const struct env_config *env,
			    struct optionfile_facts *out,
			    struct config_error *err)
{
	struct optionfile_facts facts;
	int rc;

	if (out != NULL)
		memset(out, 0, sizeof(*out));
	memset(err, 0, sizeof(*err));
	snprintf(err->file, sizeof(err->file), "%s", cfg->path);
	memset(&facts, 0, sizeof(facts));
	if (env->option_file != NULL) {
		rc = optionfile_read(env->option_file, env->option_group, &facts,
				     err->message, sizeof(err->message));
		if (rc != 0) {
			/* the group's own line when it is the group that is
			 * not there, else the file's */
			int group = rc == -ENODATA;

			err->line = group ? env->option_group_line
					  : env->option_file_line;
			snprintf(err->key, sizeof(err->key), "%s",
				 group ? "option-group" : "option-file");
			return -EINVAL;
		}
	} else if (env->option_group != NULL) {
		/* libmariadb would read the group from ~/.my.cnf and
		 * /etc/mysql: files this config does not name. */
		err->line = env->option_group_line;
		snprintf(err->key, sizeof(err->key), "option-group");
		snprintf(err->message, sizeof(err->message),
			 "environment '%s' names an option group but no "
			 "option-file to read it from", env->name);
		return -EINVAL;
	}
	if (env->host == NULL && env->socket == NULL && !facts.host &&
	    !facts.socket) {
		err->line = env->line;
		snprintf(err->message, sizeof(err->message),
			 "environment '%s' names no host and no socket%s: "
			 "libmariadb would log in through its default local "
			 "socket; set host or socket", env->name,
			 env->option_file != NULL ? " (nor does its option file)"
						  : "");
		return -EINVAL;
	}
	if (check_tls(env, &facts, err) != 0)
		return -EINVAL;
	if (out != NULL)
		*out = facts;
	return 0;
}

int config_check_mask_key(const struct fleet_config *cfg,
			  struct config_error *err)
{
	const char *key;
	size_t i;

	for (i = 0; i < cfg->nmask_rules; i++)
		if (cfg->mask_rules[i].method == MASK_HASH)
			break;
	if (i == cfg->nmask_rules)
		return 0;
	key = getenv(cfg->mask_key_env);
	if (key != NULL && key[0] != '\0')
		return 0;
	memset(err, 0, sizeof(*err));
	snprintf(err->file, sizeof(err->file), "%s", cfg->path);
	err->line = cfg->mask_key_env_line;
	snprintf(err->key, sizeof(err->key), "key-env");
	snprintf(err->message, sizeof(err->message),
		 "[mask] reads the hash key from $%s, which is %s", cfg->mask_key_env,
		 key == NULL ? "not set" : "empty");
	return -EINVAL;
}

static void free_words(char **w, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(w[i]);
	free(w);
}

void config_release(struct fleet_config *cfg)
{
	size_t i;

	for (i = 0; i < cfg->nlists; i++) {
		struct table_list *tl = &cfg->lists[i];

		free(tl->database);
		free_words(tl->tables, tl->ntables);
		free_words(tl->exclude, tl->nexclude);
		free(tl->effective);
		free(tl->sorted);
		free(tl->patterns);
	}
	for (i = 0; i < cfg->nenvs; i++)
		env_release(&cfg->envs[i]);
	for (i = 0; i < cfg->nmask_rules; i++) {
		struct mask_rule *r = &cfg->mask_rules[i];

		free(r->pattern);
		free(r->parts[0]);
		free(r->parts[1]);
		free(r->parts[2]);
		free(r->constant);
	}
	free(cfg->mask_rules);
	free(cfg->mask_key_env);
	free(cfg->lists);
	free(cfg->envs);
	free(cfg->path);
	free(cfg->dir);
	free(cfg->out);
	free(cfg->model);
	free(cfg->emplacement);
	free(cfg->registration);
	free(cfg->history);
	memset(cfg, 0, sizeof(*cfg));
}

void config_error_format(const struct config_error *err, char *buf,
			 size_t size)
{
	if (err->line > 0 && err->key[0] != '\0')
		snprintf(buf, size, "%s:%d: key '%s': %s", err->file, err->line,
			 err->key, err->message);
	else if (err->line > 0)
		snprintf(buf, size, "%s:%d: %s", err->file, err->line,
			 err->message);
	else
		snprintf(buf, size, "%s: %s", err->file, err->message);
}
