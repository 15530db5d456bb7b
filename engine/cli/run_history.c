/* PLACEHOLDER: being written (issue 13). */
#include "engine/cli/run.h"

enum cli_exit cli_run_history(const struct cli *c, const struct fleet_config *cfg,
			      const struct env_config **envs, const char *out,
			      const char *hist)
{
	(void)c; (void)cfg; (void)envs; (void)out; (void)hist;
	return CLI_EXIT_USAGE;
}
