/*
 * The usage texts of `rhizome --help`, `rhizome sync --help` and each
 * command's --help.
 */
#include "engine/cli/usage.h"

const char cli_usage_top[] =
	"usage: rhizome [--config FILE] [--out DIR] [--workers N] [--quiet]\n"
	"               [--progress auto|bar|lines|none] [--shard K/N]\n"
	"               [--log-format text|json] COMMAND [options]\n"
	"\n"
	"Snapshot the CREATE TABLE statements of a fleet of MariaDB/MySQL\n"
	"environments into files, and report what changed.\n"
	"\n"
	"Options (anywhere on the line, before or after the command):\n"
	"  -c, --config FILE\n"
	"                 fleet configuration, or a folder holding rhizome.cnf\n"
	"                 (default: $RHIZOME_CONFIG, else the first rhizome.cnf\n"
	"                 here or in a parent, up to the repository root)\n"
	"  -o, --out DIR  snapshot root (default: the config's [fleet] out,\n"
	"                 relative to the config file)\n"
	"  -w, --workers N\n"
	"                 worker threads (default: the config's workers, 8)\n"
	"  -q, --quiet    no progress on stderr\n"
	"  --progress auto|bar|lines|none\n"
	"                 on stderr: a live bar (auto: when stderr is a\n"
	"                 terminal), a line per environment (auto otherwise),\n"
	"                 or nothing\n"
	"  --shard K/N    only shard K (0 <= K < N) of the selected environments,\n"
	"                 picked by a hash of their names: the same on every run\n"
	"                 and machine (a Kubernetes Indexed Job, a CI matrix)\n"
	"  --log-format json\n"
	"                 stderr as NDJSON events (run, environment, retry,\n"
	"                 error, progress), each with run_id and log_version\n"
	"  -h, --help     this text (COMMAND --help: the command's own)\n"
	"  -V, --version  print the version\n"
	"\n"
	"Commands:\n"
	"  sync schema    fetch SHOW CREATE TABLE for every environment x table\n"
	"  sync data      fetch the first row(s) of every environment x table\n"
	"  sync report    show which snapshots exist (reads files only)\n"
	"  sync check     compare the live schemas with the snapshots (exit 1\n"
	"                 on drift); writes nothing\n"
	"  sync diff      the same, as a readable diff or a Markdown report\n"
	"  sync versions  which environments run which version of each table\n"
	"                 (reads files only)\n"
	"  status         each environment's last run, its age and outcome, and\n"
	"                 a schema hash (reads files only; --max-age for monitors)\n"
	"  history        list, show, restore or prune the recorded runs\n"
	"  verify         check the snapshots, the history and the manifests\n"
	"                 (reads files only; exit 1 on findings)\n"
	"  tables         what each server has, as [tables] lines to paste into\n"
	"                 rhizome.cnf\n"
	"  gen models     versioned SQLModel models, emplacements and\n"
	"                 registrations from the schema snapshots (files only)\n"
	"\n"
	"Table lists: tables = and exclude = take names and globs (order_*),\n"
	"expanded per environment from the server's tables (from the snapshot\n"
	"files by the commands that read files only). A table a server has that\n"
	"no list names or excludes is 'unlisted' in the summary.\n"
	"\n"
	"History: [fleet] history = PATH (default {out}/.history, ignored by git\n"
	"through the .gitignore rhizome writes there; the lock lives there too),\n"
	"keep-runs = N (default 100; 0 keeps all) runs kept after a successful\n"
	"run, never the last (complete) run of any command and environment.\n"
	"\n"
	"Connections (rhizome.cnf: [fleet] sets defaults, an environment's own\n"
	"value wins; see README.md, Running against production):\n"
	"  tls = disabled|preferred|required|verify-ca|verify-identity\n"
	"                 (default preferred; tls-ca alone means verify-ca),\n"
	"                 tls-ca, tls-cert, tls-key: files\n"
	"  connect-timeout, read-timeout, write-timeout: seconds (10, 60, 60)\n"
	"  query-timeout: seconds a round trip may take, wall clock (the read\n"
	"                 timeout)\n"
	"  env-timeout: seconds an environment may take from the run's start,\n"
	"                 wall clock (0: no bound, the default)\n"
	"  lock-wait-timeout: seconds a statement waits for a lock (5)\n"
	"  retries: attempts after a lock wait, deadlock or interrupt (2)\n"
	"  option-file, option-group: libmariadb's client options (chmod 600)\n"
	"\n"
	"Exit status: 0 done, 1 drift (sync check), a stale or failed last run\n"
	"(status --max-age), findings (verify), 2 usage or configuration error,\n"
	"3 partial failure,\n"
	"4 local I/O failure, 5 snapshot root locked by another run,\n"
	"130/143 interrupted.\n";

const char cli_usage_sync[] =
	"usage: rhizome [global options] sync COMMAND [options]\n"
	"\n"
	"Commands:\n"
	"  schema   [--env NAME]... [--verbose] [--dry-run] [--write-trivial]\n"
	"           [--format text|json]\n"
	"  data     [--env NAME]... [--verbose] [--dry-run] [--rows N]\n"
	"           [--format text|json]\n"
	"  report   [--env NAME]... [--format text|json]\n"
	"  check    [--env NAME]... [--verbose] [--unlisted report|drift]\n"
	"           [--format text|json]\n"
	"  diff     [--env NAME]... [--against live|RUN_ID] [--format text|json]\n"
	"           [--report [FILE.md]]\n"
	"           [--ignore-int-width] [--utf8-is-utf8mb3]\n"
	"           [--ignore-default-charset] [--ignore-index-order]\n"
	"  versions [--table NAME]... [--format text|json]\n"
	"\n"
	"Run 'rhizome sync COMMAND --help' for details.\n";

const char cli_usage_history[] =
	"usage: rhizome [global options] history COMMAND [options]\n"
	"\n"
	"The runs recorded in the history folder ([fleet] history, default\n"
	"{out}/.history); RUN_ID may be 'latest': the newest run (in\n"
	"'sync diff --against latest', the newest schema run).\n"
	"\n"
	"Commands:\n"
	"  list     [--env NAME]... [--command schema|data|restore]\n"
	"           [--format text|json]\n"
	"  show     RUN_ID [--format text|json]\n"
	"  restore  RUN_ID [--env NAME]... [--table NAME]... [--dry-run]\n"
	"  prune    (--keep N | --older-than DURATION) [--dry-run]\n"
	"\n"
	"Run 'rhizome history COMMAND --help' for details.\n";

const char cli_usage_gen[] =
	"usage: rhizome [global options] gen COMMAND [options]\n"
	"\n"
	"Commands:\n"
	"  models   [--table NAME]... [--dry-run] [--format text|json]\n"
	"\n"
	"Run 'rhizome gen models --help' for details.\n";

static const char usage_gen_models[] =
	"usage: rhizome [global options] gen models [--table NAME]... [--dry-run]\n"
	"                                           [--format text|json]\n"
	"\n"
	"Python SQLModel code from the committed schema snapshots (no server):\n"
	"per logical database and table a model module (a base model with the\n"
	"columns every version defines alike, a table model per version, V1\n"
	"rolling out last, as sync versions ranks them); per database a module\n"
	"of registries, one per version number; per environment and table an\n"
	"emplacement that loads its {database}_{table}.json into its version's\n"
	"model, validated; per environment a registration module mapping each\n"
	"table to (model, emplacement). Paths from [fleet] model (default\n"
	"models/{database}/{table}.py; the registries: {table} = _registries),\n"
	"emplacement ({out}/{folder}/expected_data/{database}_{table}.py) and\n"
	"registration ({out}/{folder}/{database}_registration.py), relative to\n"
	"the config's folder, where the imports start.\n"
	"A file is rewritten only when it changes; one without the generated\n"
	"header line is left alone and listed (exit 3).\n"
	"\n"
	"  --table NAME     only this table's model and emplacements; repeat\n"
	"                   (the registries and registrations stay whole)\n"
	"  --dry-run        say what would be written, write nothing\n"
	"  --format FORMAT  text (default) or json\n"
	"  --help           this text\n"
	"Exit status: 0 done, 2 usage or config (a template giving two things\n"
	"one file), 3 a table not rendered or a file kept, 4 a write failed.\n";

static const char usage_schema[] =
	"usage: rhizome [global options] sync schema [--env NAME]... [--verbose]\n"
	"                                            [--dry-run] [--write-trivial]\n"
	"                                            [--keep-removed]\n"
	"                                            [--format text|json]\n"
	"\n"
	"Fetch SHOW CREATE TABLE for every table of every environment (or of the\n"
	"named ones) and write {out}/{folder}/expected_data/{database}_{table}.sql.\n"
	"Prints a summary on stdout: new, trivial (AUTO_INCREMENT noise only),\n"
	"significant, unchanged, missing, removed, errors; as text on a terminal\n"
	"(what changed or failed, with paths), else as JSON (every path).\n"
	"\n"
	"  --env NAME       an environment, a folder or a glob (-e); repeat\n"
	"  --verbose        every error in full: error number, SQLSTATE, statement\n"
	"  --dry-run        fetch and classify, write nothing\n"
	"  --write-trivial  also rewrite files whose only change is AUTO_INCREMENT\n"
	"  --keep-removed   keep the file of a table dropped from its environment\n"
	"                   (by default it is deleted: status \"removed\")\n"
	"  --format FORMAT  the summary as text or json (default: text on a\n"
	"                   terminal, else json)\n"
	"  --help           this text\n";

static const char usage_data[] =
	"usage: rhizome [global options] sync data [--env NAME]... [--verbose]\n"
	"                                          [--dry-run] [--rows N]\n"
	"                                          [--keep-removed]\n"
	"                                          [--format text|json]\n"
	"\n"
	"Fetch the first row of every table of every environment (or of the\n"
	"named ones) in primary-key order (else the first unique key, else as\n"
	"the server returns them: the summary's \"ordering\" says which) and write\n"
	"{out}/{folder}/expected_data/{database}_{table}.json, masked by the\n"
	"config's [mask] rules. Empty tables write no file (status \"empty\").\n"
	"\n"
	"  --env NAME   an environment, a folder or a glob (-e); repeat\n"
	"  --rows N     write an array of the first N rows (1-100000)\n"
	"  --verbose    every error in full\n"
	"  --dry-run    fetch and classify, write nothing\n"
	"  --keep-removed  keep the file of a table dropped from its environment\n"
	"  --format F   the summary as text or json (default: text on a\n"
	"               terminal, else json)\n"
	"  --help       this text\n";

static const char usage_report[] =
	"usage: rhizome [global options] sync report [--env NAME]...\n"
	"                                            [--format text|json]\n"
	"\n"
	"For every environment x table: is there a schema snapshot, a data\n"
	"snapshot, and (where [fleet] model / emplacement are set) those files?\n"
	"Reads files only; contacts no server. Plain ASCII when NO_COLOR is set\n"
	"or the locale is not UTF-8.\n"
	"\n"
	"  --env NAME       an environment, a folder or a glob (-e); repeat\n"
	"  --format FORMAT  text (default) or json\n"
	"  --help           this text\n";

static const char usage_check[] =
	"usage: rhizome [global options] sync check [--env NAME]... [--verbose]\n"
	"                   [--unlisted report|drift] [--format text|json]\n"
	"\n"
	"Fetch the live schemas and compare them with the committed .sql\n"
	"snapshots, writing nothing. The summary's \"drift\" lists each drifted\n"
	"pair with its severity (critical, high, medium, low) and changes;\n"
	"\"unlisted\" the tables a server has that no table list names.\n"
	"AUTO_INCREMENT noise is not drift.\n"
	"Exit status: 0 no drift, 1 drift, 2 usage or config, 3 a fetch failed.\n"
	"\n"
	"  --env NAME       an environment, a folder or a glob (-e); repeat\n"
	"  --unlisted drift an unlisted table is drift too (exit 1)\n"
	"  --verbose        every error in full\n"
	"  --format FORMAT  the summary as text or json (default: text on a\n"
	"                   terminal, else json)\n"
	"  --help           this text\n";

static const char usage_tables[] =
	"usage: rhizome [global options] tables [--env NAME]... [--format text|json]\n"
	"\n"
	"Ask each environment's server which tables its schema has (base and\n"
	"system-versioned tables; views are left out) and print, per logical\n"
	"database, the [tables] section to paste into rhizome.cnf. Tables that\n"
	"only some of the database's environments have are named in a comment;\n"
	"a name a list cannot hold (white space in it) is named in a comment\n"
	"too. Works before any [tables] section exists. Writes nothing.\n"
	"Exit status: 0 done, 2 usage or config, 3 an environment failed (the\n"
	"lists then cover the environments that answered).\n"
	"\n"
	"  --env NAME       an environment, a folder or a glob (-e); repeat\n"
	"  --format FORMAT  text (default: the config lines) or json\n"
	"  --help           this text\n";

static const char usage_diff[] =
	"usage: rhizome [global options] sync diff [--env NAME]...\n"
	"                   [--against live|RUN_ID]\n"
	"                   [--format text|json] [--report [FILE.md]] [--verbose]\n"
	"                   [--ignore-int-width] [--utf8-is-utf8mb3]\n"
	"                   [--ignore-default-charset] [--ignore-index-order]\n"
	"\n"
	"Fetch the live schemas and show, per table, what differs from the\n"
	"committed snapshots: columns, indexes, foreign keys, checks, options,\n"
	"partitioning; each change with its severity. Writes no snapshot.\n"
	"\n"
	"  --env NAME               an environment, a folder or a glob (-e); repeat\n"
	"  --against live|RUN_ID    what to compare with: the servers (default),\n"
	"                           or what a published schema run fetched\n"
	"                           (its history; no server contacted);\n"
	"                           'latest': the newest schema run\n"
	"  --format FORMAT          text (default) or json (the check summary)\n"
	"  --report [FILE.md]       also write a Markdown report (default name:\n"
	"                           rhizome-diff-RUN_ID.md)\n"
	"  --ignore-int-width       int(11) = int\n"
	"  --utf8-is-utf8mb3        utf8 = utf8mb3\n"
	"  --ignore-default-charset a column charset/collation equal to the\n"
	"                           table default is not a change\n"
	"  --ignore-index-order     the same indexes in another order are equal\n"
	"  --help                   this text\n"
	"Exit status: 0 no drift, 1 drift, 2 usage or config, 3 a fetch failed,\n"
	"4 the report could not be written.\n";

static const char usage_versions[] =
	"usage: rhizome [global options] sync versions [--table NAME]...\n"
	"                                              [--format text|json]\n"
	"\n"
	"From the committed schema snapshots (no server): for each table, the\n"
	"environments grouped by equal schema into versions V1, V2, ... (V1: the\n"
	"environments that roll out last, production before demo before dev, or\n"
	"by each environment's `order` key, lower rolling out later), the\n"
	"columns every version defines alike (the safe base), and what each\n"
	"version adds, lacks or defines differently against V1.\n"
	"\n"
	"  --table NAME     only this table; repeat for several\n"
	"  --format FORMAT  text (default) or json\n"
	"  --help           this text\n";

static const char usage_status[] =
	"usage: rhizome [global options] status [--env NAME]... [--command C]\n"
	"                                       [--max-age DURATION]\n"
	"                                       [--format text|json]\n"
	"\n"
	"For each environment and command (schema, data, restore): its last\n"
	"recorded run, when it ended, its age, its counts and errors, and the\n"
	"environment's schema hash (a digest of its .sql snapshots, AUTO_INCREMENT\n"
	"stripped: the same schemas give the same hash on any machine). Reads\n"
	"files only. The history is local: a fresh clone has no run recorded.\n"
	"\n"
	"  --env NAME          an environment, a folder or a glob (-e); repeat\n"
	"  --command C         judge only the runs of schema, data or restore\n"
	"  --max-age DURATION  exit 1 unless each environment's last sync run\n"
	"                      (of --command C, if given) ended within DURATION\n"
	"                      (90m, 26h, 7d, 1h30m) and went through: a stale,\n"
	"                      failed or partial run, or none, is exit 1\n"
	"  --format FORMAT     text (default) or json\n"
	"  --help              this text\n";

static const char usage_history_list[] =
	"usage: rhizome [global options] history list [--env NAME]...\n"
	"                   [--command schema|data|restore] [--format text|json]\n"
	"\n"
	"The recorded runs, oldest first: run id, command, when, environments,\n"
	"counts, outcome.\n"
	"\n"
	"  --env NAME       only runs that covered this environment; repeat\n"
	"  --command C      only runs of this command\n"
	"  --format FORMAT  text (default) or json\n"
	"  --help           this text\n";

static const char usage_history_show[] =
	"usage: rhizome [global options] history show RUN_ID [--format text|json]\n"
	"\n"
	"One run: its manifest (when, tool version, per environment counts,\n"
	"errors, server) and every table it recorded, with its status and\n"
	"sha256. RUN_ID may be 'latest'.\n"
	"\n"
	"  --format FORMAT  text (default) or json\n"
	"  --help           this text\n";

static const char usage_history_restore[] =
	"usage: rhizome [global options] history restore RUN_ID [--env NAME]...\n"
	"                   [--table NAME]... [--dry-run]\n"
	"\n"
	"Write the plain snapshots back as run RUN_ID left them: each table it\n"
	"fetched gets that run's text, each table it removed is removed again.\n"
	"Atomically and under the lock; the restore is recorded as a run\n"
	"(command \"restore\"), so restoring the run before it undoes it.\n"
	"Prints a summary like sync's.\n"
	"\n"
	"  --env NAME    an environment, a folder or a glob (-e); repeat\n"
	"  --table NAME  only this table; repeat for several\n"
	"  --dry-run     say what would change, write nothing\n"
	"  --help        this text\n";

static const char usage_history_prune[] =
	"usage: rhizome [global options] history prune (--keep N |\n"
	"                   --older-than DURATION) [--dry-run]\n"
	"\n"
	"Remove recorded runs: all but the newest N, or those that started more\n"
	"than DURATION ago. Never removes the last run of any command and\n"
	"environment, nor the last one in which it went through. Under the lock.\n"
	"\n"
	"  --keep N               keep the newest N runs\n"
	"  --older-than DURATION  remove runs older than this (30d, 12h)\n"
	"  --dry-run              list what would be removed\n"
	"  --help                 this text\n";

static const char usage_verify[] =
	"usage: rhizome [global options] verify [--env NAME]... [--format text|json]\n"
	"\n"
	"Check the files, without a server: every .sql parses and renders back,\n"
	"every .json is valid and keeps the types contract, every history file\n"
	"passes its zstd checksum and its manifest's sha256; plain files that\n"
	"differ from what the last run wrote are listed as hand-edited, files\n"
	"of tables in no table list as orphans.\n"
	"Exit status: 0 clean, 1 findings, 2 usage or config, 4 the files cannot\n"
	"be read.\n"
	"\n"
	"  --env NAME       an environment, a folder or a glob (-e); repeat\n"
	"  --format FORMAT  text (default) or json\n"
	"  --help           this text\n";

const char *cli_usage_of(enum cli_command command)
{
	switch (command) {
	case CLI_SCHEMA: return usage_schema;
	case CLI_DATA: return usage_data;
	case CLI_REPORT: return usage_report;
	case CLI_CHECK: return usage_check;
	case CLI_DIFF: return usage_diff;
	case CLI_VERSIONS: return usage_versions;
	case CLI_STATUS: return usage_status;
	case CLI_HISTORY_LIST: return usage_history_list;
	case CLI_HISTORY_SHOW: return usage_history_show;
	case CLI_HISTORY_RESTORE: return usage_history_restore;
	case CLI_HISTORY_PRUNE: return usage_history_prune;
	case CLI_VERIFY: return usage_verify;
	case CLI_TABLES: return usage_tables;
	case CLI_GEN_MODELS: return usage_gen_models;
	}
	return cli_usage_sync;
}
