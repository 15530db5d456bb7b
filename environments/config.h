/*
 * config: the fleet description read from rhizome.cnf (MySQL option-file
 * syntax, parsed with inih).
 *
 * The file is the single source of truth for which environments exist, where
 * their snapshots go, and which tables each logical database has. Loading
 * validates everything that can be validated without a server: unknown
 * sections and keys, duplicates, numbers out of range, names that would let a
 * path leave the snapshot root, environments without a table list. Every
 * error names the file, the line and the key, so the user can fix it: the
 * functions below return 0 or a negative errno code, the words in one
 * struct config_error. Out of memory aborts (engine/base/alloc.h).
 */
#ifndef RHIZOME_CONFIG_H
#define RHIZOME_CONFIG_H

#include <stddef.h>

#include "environments/tablelist.h"

/* An environment's `mask`: what sync data does with the [mask] rules. */
enum mask_mode {
	MASK_OPTIONAL,  /* the rules apply; uncovered columns are written */
	MASK_REQUIRED,  /* the rules apply; a sensitive-looking column no rule
			 * covers refuses its table */
	MASK_OFF,       /* `mask = none`: no rule applies (scratch targets;
			 * never a sensitive environment) */
};

/* How a masked column is written (see engine/mask.h). */
enum mask_method { MASK_NONE, MASK_HASH, MASK_NULL, MASK_CONSTANT };

/* One `PATTERN = METHOD` line of `[mask]`. PATTERN is `column`,
 * `table.column` or `database.table.column`, each part a shell glob. */
struct mask_rule {
	char *pattern;          /* as written */
	char *parts[3];         /* database, table, column; NULL = any */
	enum mask_method method;
	char *constant;         /* MASK_CONSTANT's value */
	int line;
};

/* `tls =`: MySQL's ssl-mode meanings, each asking for everything the ones
 * before it do (so modes compare with < and >=). */
enum tls_mode {
	TLS_DISABLED,           /* never TLS */
	TLS_PREFERRED,          /* TLS when the server offers it (the default) */
	TLS_REQUIRED,           /* TLS or no connection; the certificate is not
				 * checked (but for its chain when tls-ca is
				 * given: libmariadb checks against a CA it
				 * has) */
	TLS_VERIFY_CA,          /* and the server's certificate chains to tls-ca */
	TLS_VERIFY_IDENTITY,    /* and names the host connected to */
};

/* An environment's transport security, as configured (its own section, else
 * [fleet]). Paths are "~/"-expanded and relative to the config's folder. */
struct tls_config {
	enum tls_mode mode;
	int mode_line;          /* 0: not said: preferred, or verify-ca when
				 * tls-ca is set */
	char *ca, *cert, *key;  /* or NULL */
	int ca_line, cert_line, key_line;
};

/* One `[environment NAME]` section. Strings are owned by the config. */
struct env_config {
	char *name;
	char *folder;           /* snapshot folder under the snapshot root */
	char *database;         /* logical database: table list, file prefix */
	char *schema;           /* schema on the server; defaults to database */
	char *host;             /* NULL: libmariadb's default */
	unsigned port;          /* 0: libmariadb's default */
	char *socket;           /* unix socket path, or NULL */
	char *user;             /* NULL: libmariadb's default */
	char *password_env;     /* name of the variable holding the password */
	int password_env_line;
	char *option_file;      /* "~/" expanded, relative to the config's
				 * folder; or NULL */
	int option_file_line;
	char *option_group;
	int option_group_line;
	unsigned pool;          /* connections this environment may hold */
	unsigned connect_timeout, read_timeout, write_timeout; /* seconds */
	unsigned lock_wait_timeout; /* seconds a statement waits for a lock */
	unsigned query_timeout; /* seconds one round trip may take, wall
				 * clock (default: read_timeout); the keys
				 * job's lookup counts as one */
	unsigned env_timeout;   /* seconds the environment's part of a run may
				 * take from the run's start, wall clock;
				 * 0: no bound */
	unsigned retries;       /* attempts after a transient server error
				 * (lock wait, deadlock, interrupted) */
	struct tls_config tls;
	const struct table_list *tables; /* resolved list, borrowed */
	enum mask_mode mask;    /* `mask =`; default MASK_REQUIRED for a
				 * sensitive environment, else optional */
	int mask_line;          /* 0: not said in its section */
	int sensitive;          /* `sensitive = yes`, or `prod` in its name
				 * or folder unless `sensitive = no` */
	int sensitive_line;
	int scratch;            /* `scratch = yes`: a target of rhizome load,
				 * never sensitive, `mask = none` unless it
				 * says otherwise; the commands run without
				 * --env leave it out */
	int scratch_line;
	int follow_keys;        /* `follow-keys = yes`: sync data also fetches
				 * the rows sampled rows reference (keyfollow.h) */
	int follow_keys_line;   /* 0: not said */
	int order;              /* `order = N`: rollout rank for sync
				 * versions, lower rolls out later */
	int order_set;
	int line;               /* line of the section header */
	const char *config_path; /* the config file (borrowed from the
				  * fleet_config), for messages */
};

struct fleet_config {
	char *path;             /* the file read */
	char *dir;              /* its directory: relative paths start here */
	char *out;              /* snapshot root as configured, or NULL */
	char *model;            /* [fleet] model path template, or NULL */
	char *emplacement;      /* [fleet] emplacement path template, or NULL */
	char *registration;     /* [fleet] registration module path template
				 * (gen models), or NULL */
	char *history;          /* [fleet] history folder (absolute, or
				 * relative to the current directory, as
				 * resolved from the config's folder), or
				 * NULL: {out}/.history */
	int history_line;       /* its line, for messages (0: not set) */
	unsigned keep_runs;     /* [fleet] keep-runs: published runs kept
				 * after a successful run (0: all) */
	unsigned workers;       /* worker threads */
	unsigned batch;         /* tables per fetch job (per round trip) */
	struct env_config *envs;
	size_t nenvs;
	struct table_list *lists;
	size_t nlists;
	struct mask_rule *mask_rules; /* in file order: the first match wins */
	size_t nmask_rules;
	char *mask_key_env;     /* variable holding the hash key */
	int mask_key_env_line;
};

/* What went wrong, for the user: "FILE:LINE: key 'KEY': MESSAGE". */
struct config_error {
	char file[1024];
	int line;               /* 0 when the whole file is at fault */
	char key[128];          /* may be empty */
	char message[512];
};

/*
 * Read and validate `path` into *cfg (zeroed first; the caller releases it
 * with config_release). Returns 0, or with *err filled and *cfg released:
 * -EINVAL when the file says something wrong, -errno of the open when it
 * cannot be read (-ENOENT, -EACCES...). Reads the file only: no server, no
 * other file. Call from one thread; the result is then read-only and
 * shareable.
 */
int config_load(const char *path, struct fleet_config *cfg,
		struct config_error *err);

/* config_load, with `flags`: CONFIG_LISTS_OPTIONAL lets an environment's
 * database have no [tables] section (it gets an empty list): for
 * `rhizome tables`, which writes those sections. */
#define CONFIG_LISTS_OPTIONAL 1u
int config_load_flags(const char *path, unsigned flags,
		      struct fleet_config *cfg, struct config_error *err);

/* Free everything *cfg owns. Safe on a zeroed or failed config. Call when
 * no other thread reads it. */
void config_release(struct fleet_config *cfg);

/* The environment named `name` (borrowed from cfg), or NULL. Thread-safe
 * (read-only). */
const struct env_config *config_find_env(const struct fleet_config *cfg,
					 const char *name);

/*
 * Check that the password variable of `env`, if any, is set in the process
 * environment. Returns 0, or -EINVAL with *err naming the file, line and key.
 * Thread-safe (reads the process environment).
 */
int config_check_password(const struct fleet_config *cfg,
			  const struct env_config *env,
			  struct config_error *err);

/*
 * Before `env` is contacted: its option file, if any, exists, is safe
 * (environments/optionfile.h: owner, mode) and has the option group named;
 * an option group is named only with an option file; a host or a socket is
 * named, in the config or the option file (never libmariadb's silent
 * default socket); its TLS settings hold together: the tls-* files exist,
 * tls-cert and tls-key come as a pair, the option file neither turns TLS on
 * under `tls = disabled` nor off under a mode that needs it, nor turns
 * ssl-verify-server-cert off under verify-identity, verify-ca has a CA to
 * verify against, and no verifying mode runs with
 * MARIADB_TLS_DISABLE_PEER_VERIFICATION set (newer connectors honour it
 * and would skip the check). Returns 0 with what the option file sets in
 * *facts (zeroed when there is none; NULL: not wanted), or -EINVAL with
 * *err naming the file, line and key. Reads the option files. Thread-safe.
 */
struct optionfile_facts;
int config_check_connection(const struct fleet_config *cfg,
			    const struct env_config *env,
			    struct optionfile_facts *facts,
			    struct config_error *err);

/* "disabled", "preferred", ... as written in the config. Thread-safe. */
const char *config_tls_name(enum tls_mode mode);

/*
 * The TLS mode a connection of `env` must meet: its configured mode, raised
 * by what its option file says (`facts`, from config_check_connection; NULL:
 * none): any ssl-* option there counts as at least required, and
 * ssl-verify-server-cert as at least verify-ca, since libmariadb acts on
 * them whatever rhizome.cnf says. Thread-safe.
 */
enum tls_mode config_tls_effective(const struct env_config *env,
				   const struct optionfile_facts *facts);

/*
 * Check that the variable named by `[mask] key-env` is set and not empty
 * when a rule hashes. Returns 0, or -EINVAL with *err naming file, line,
 * key. Thread-safe (reads the process environment).
 */
int config_check_mask_key(const struct fleet_config *cfg,
			  struct config_error *err);

/*
 * Whether `name` is safe as one path component under the snapshot root:
 * not empty, not "." or "..", no '/', no control character, well-formed
 * UTF-8 (names appear in JSON), at most 255 bytes. Thread-safe.
 */
int config_name_is_safe(const char *name);

/*
 * Whether a table `table` of `database` can have snapshot files: a safe
 * name (config_name_is_safe), and "{database}_{table}.json" with the
 * temporary file's affixes within one 255-byte file name. Lists are
 * checked when the config loads; names a glob finds on a server are
 * checked with this before they are fetched. Thread-safe.
 */
int config_table_file_ok(const char *database, const char *table);

/*
 * The environment that owns snapshot file stem `stem` ("{database}_{table}",
 * no extension) in folder `folder`, where environments of different
 * databases may share a folder and so can spell the same file name. Of the
 * environments of that folder whose database and '_' begin the stem, the
 * one whose list names the rest literally (the config's clash check lets
 * only one database do so), else the one with the longest database:
 * `billing_event_x` is billing_event's `x`, not billing's `event_x`,
 * whether or not billing_event's list still has `x` (a file a list no
 * longer names is not another list's to remove). NULL: no environment
 * of the folder could have written it. Thread-safe.
 */
const struct env_config *config_file_owner(const struct fleet_config *cfg,
					   const char *folder,
					   const char *stem);

/* Format *err as one line "FILE:LINE: key 'K': message" into buf (the
 * caller's, cut to `size`). Thread-safe. */
void config_error_format(const struct config_error *err, char *buf,
			 size_t size);

#endif
