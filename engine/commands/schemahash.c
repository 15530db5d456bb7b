/* PLACEHOLDER: being written (issue 13). */
#include "engine/commands/schemahash.h"

#include <errno.h>

int schemahash_env(const char *out, const struct env_config *env,
		   char hex[65], size_t *tables, char *why, size_t size)
{
	(void)out; (void)env; (void)why; (void)size;
	hex[0] = '\0';
	*tables = 0;
	return -ENOSYS;
}
