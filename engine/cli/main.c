/*
 * rhizome's entry point. It only wires: parse the command line, load the
 * config, pick the environments, run the command (engine/cli/run.c), exit
 * with its status. Only this file exits; every module below returns errors
 * and outcomes (engine/cli/exit.h maps them to SPEC's statuses).
 *
 * SIGINT, SIGTERM, SIGUSR1 and SIGWINCH are blocked before any thread
 * exists, so every thread inherits the mask and only the run's watcher
 * thread (engine/commands/runguard.h) receives them, through sigwait().
 */
#include <errno.h>
#include <fnmatch.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "engine/base/alloc.h"
#include "engine/cli/args.h"
#include "engine/cli/configfind.h"
#include "engine/cli/exit.h"
#include "engine/cli/run.h"
#include "engine/cli/suggest.h"
#include "engine/output/eventlog.h"
#include "environments/config.h"

/* Add cfg's environment `e` to envs[0..*n) unless it is there. */
static void add_env(const struct env_config **envs, size_t *n,
		    const struct env_config *e)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (envs[i] == e)
			return;
	envs[(*n)++] = e;
}

/*
 * The environments the command runs, into envs (cfg->nenvs slots): all of
 * them but the scratch ones without --env; else, per --env word, the environment of that name,
 * else every environment of the folder of that name (an environment's own
 * name wins), else every environment whose name a glob matches; each once,
 * in the order asked. A word naming none is an error with the nearest
 * name. Sets c->nenvs to how many. 0 or -ENOENT.
 */
static int select_envs(struct cli *c, const struct fleet_config *cfg,
		       const struct env_config **envs)
{
	size_t i, j, n = 0;
	int matched;

	if (c->nenvs == 0) {
		/* the fleet: a scratch environment (a load target) is taken
		 * only when --env names it */
		for (i = 0; i < cfg->nenvs; i++)
			if (!cfg->envs[i].scratch)
				envs[n++] = &cfg->envs[i];
		c->nenvs = n;
		return 0;
	}
	for (i = 0; i < c->nenvs; i++) {
		const struct env_config *named = config_find_env(cfg, c->envs[i]);
		const char **words;
		const char *near;

		matched = 0;
		if (named != NULL) {
			add_env(envs, &n, named);
			continue;
		}
		for (j = 0; j < cfg->nenvs; j++)
			if (strcmp(cfg->envs[j].folder, c->envs[i]) == 0 ||
			    (tablelist_is_glob(c->envs[i]) &&
			     fnmatch(c->envs[i], cfg->envs[j].name, 0) == 0)) {
				add_env(envs, &n, &cfg->envs[j]);
				matched = 1;
			}
		if (matched)
			continue;
		/* the nearest environment or folder name */
		words = xcalloc(2 * cfg->nenvs + 1, sizeof(*words));
		for (j = 0; j < cfg->nenvs; j++) {
			words[2 * j] = cfg->envs[j].name;
			words[2 * j + 1] = cfg->envs[j].folder;
		}
		near = suggest_nearest(c->envs[i], words, 2 * cfg->nenvs);
		fprintf(stderr, "rhizome: --env %s: %s in %s", c->envs[i],
			tablelist_is_glob(c->envs[i])
			? "the glob matches no environment"
			: "no such environment or folder", cfg->path);
		if (near != NULL)
			fprintf(stderr, " (did you mean %s?)", near);
		fprintf(stderr, "; it has:");
		for (j = 0; j < cfg->nenvs; j++)
			fprintf(stderr, " %s", cfg->envs[j].name);
		fprintf(stderr, "\n");
		free(words);
		return -ENOENT;
	}
	c->nenvs = n;
	return 0;
}

/* --shard K/N: keep the selected environments whose name hashes to K
 * (FNV-1a, 64 bits, mod N), so each environment belongs to one shard
 * whatever the others are, on every machine and run. */
static void keep_shard(struct cli *c, const struct env_config **envs)
{
	size_t i, kept = 0;

	if (c->shard_n == 0)
		return;
	for (i = 0; i < c->nenvs; i++) {
		const unsigned char *p = (const unsigned char *)envs[i]->name;
		unsigned long long h = 14695981039346656037ull;

		for (; *p; p++)
			h = (h ^ *p) * 1099511628211ull;
		if (h % c->shard_n == c->shard_k)
			envs[kept++] = envs[i];
	}
	if (kept == 0 && !c->quiet)
		fprintf(stderr, "rhizome: shard %u/%u has none of the %zu "
			"environment(s) selected: nothing to do\n", c->shard_k,
			c->shard_n, c->nenvs);
	c->nenvs = kept;
}

/* The machine log's last event, and its end. */
static int finish(int status)
{
	eventlog_emit("run_end", json_pack("{s:i}", "exit_code", status));
	eventlog_stop();
	return status;
}

int main(int argc, char **argv)
{
	struct cli c;
	struct fleet_config cfg;
	struct config_error cerr;
	const struct env_config **envs;
	enum cli_exit status = CLI_EXIT_USAGE;
	char msg[2048], *out = NULL, *hist = NULL, *config_path;
	sigset_t set;
	int rc;

	/* Workers allocate and free buffers of megabytes (a chunk, its
	 * INSERTs, a batch's results) again and again: glibc would map each
	 * afresh and hand the pages back, and a bulk load spent half its
	 * CPU faulting them in again (75,000 page faults for a million rows,
	 * 5,700 with these). The memory stays bounded by the buffers alive
	 * at once. */
	(void)mallopt(M_MMAP_THRESHOLD, 64 << 20);
	(void)mallopt(M_TRIM_THRESHOLD, 256 << 20);

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGWINCH); /* the progress bar's, taken by the watcher */
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* jansson allocates through the one family too: out of memory in a
	 * summary aborts like anywhere else, never drops an entry. */
	json_set_alloc_funcs(xmalloc, free);
	/* after the mask: the log's reader thread inherits it */
	if (cli_wants_json_log(argc, argv) && (rc = eventlog_start()) != 0)
		fprintf(stderr, "rhizome: warning: cannot start the JSON log "
			"(--log-format json): %s; the log stays text\n",
			strerror(-rc));

	switch (cli_parse(argc, argv, &c)) {
	case CLI_PARSED:
		/* --log-format after the command, which the scan above
		 * does not read: the log follows the line as parsed */
		if (c.log_json && !eventlog_on() && (rc = eventlog_start()) != 0)
			fprintf(stderr, "rhizome: warning: cannot start the JSON "
				"log (--log-format json): %s; the log stays "
				"text\n", strerror(-rc));
		else if (!c.log_json && eventlog_on())
			eventlog_stop();
		break;
	case CLI_ANSWERED:
		cli_release(&c);
		return finish(CLI_EXIT_OK);
	case CLI_BAD_USAGE:
		cli_release(&c);
		return finish(CLI_EXIT_USAGE);
	}
	config_path = cli_find_config(c.config, msg, sizeof(msg));
	if (config_path == NULL) {
		fprintf(stderr, "rhizome: configuration error: %s\n", msg);
		cli_release(&c);
		return finish(CLI_EXIT_USAGE);
	}
	c.config = config_path;
	if (config_load_flags(c.config, c.command == CLI_TABLES
			      ? CONFIG_LISTS_OPTIONAL : 0, &cfg, &cerr) != 0) {
		config_error_format(&cerr, msg, sizeof(msg));
		fprintf(stderr, "rhizome: configuration error: %s\n", msg);
		cli_release(&c);
		free(config_path);
		return finish(CLI_EXIT_USAGE);
	}

	envs = xcalloc(cfg.nenvs, sizeof(*envs));
	c.envs_given = c.nenvs > 0;
	if (select_envs(&c, &cfg, envs) != 0)
		goto done;
	keep_shard(&c, envs);
	if (c.shard_n > 0 && c.nenvs == 0) {
		/* nothing to do: no lock taken, no run published */
		status = CLI_EXIT_OK;
		goto done;
	}
	out = cli_resolve_out(&c, &cfg);
	hist = cli_resolve_history(&cfg, out);
	if (cli_check_history(&cfg, out, hist) != 0)
		goto done;
	switch (c.command) {
	case CLI_REPORT:
		status = cli_run_report(&c, &cfg, envs, out, hist);
		break;
	case CLI_VERSIONS:
		status = cli_run_versions(&c, &cfg, envs, out);
		break;
	case CLI_GEN_MODELS:
		status = cli_run_gen_models(&c, &cfg, envs, out);
		break;
	case CLI_LOAD:
		status = cli_run_load(&c, &cfg, envs, out, hist);
		break;
	case CLI_DIFF:
		status = c.against != NULL
			 ? cli_run_histdiff(&c, &cfg, envs, out, hist)
			 : cli_run_sync(&c, &cfg, envs, out, hist);
		break;
	case CLI_SCHEMA:
	case CLI_DATA:
	case CLI_CHECK:
	case CLI_TABLES:
		status = cli_run_sync(&c, &cfg, envs, out, hist);
		break;
	case CLI_STATUS:
		status = cli_run_status(&c, &cfg, envs, out, hist);
		break;
	case CLI_VERIFY:
		status = cli_run_verify(&c, &cfg, envs, out, hist);
		break;
	case CLI_HISTORY_LIST:
	case CLI_HISTORY_SHOW:
	case CLI_HISTORY_RESTORE:
	case CLI_HISTORY_PRUNE:
		status = cli_run_history(&c, &cfg, envs, out, hist);
		break;
	}
done:
	free(config_path);
	free(hist);
	free(out);
	free(envs);
	cli_release(&c);
	config_release(&cfg);
	return finish(status);
}
