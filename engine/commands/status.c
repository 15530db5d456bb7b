/* PLACEHOLDER: being written (issue 13). */
#include "engine/commands/status.h"

#include <errno.h>

json_t *status_build(const struct status_opts *o, size_t *problems, int *err)
{
	(void)o;
	*problems = 0;
	*err = -ENOSYS;
	return NULL;
}

int status_text(json_t *status, FILE *fp)
{
	(void)status;
	(void)fp;
	return -EIO;
}
