/*
 * options: getopt_long with the answers the bench tools share (see
 * options.h). getopt prints its own complaint about an unknown option or a
 * missing argument, under argv[0]; our messages name the tool instead, as
 * they always have.
 */
#define _POSIX_C_SOURCE 200809L
#include "options.h"

#include <errno.h>
#include <stdlib.h>

void opt_init(struct opt_parser *p, const char *prog, int argc, char **argv,
	      const struct option *longopts, void (*usage)(FILE *f))
{
	p->prog = prog;
	p->argc = argc;
	p->argv = argv;
	p->longopts = longopts;
	p->usage = usage;
	p->index = 0;
	p->arg = NULL;
}

int opt_next(struct opt_parser *p)
{
	int c = getopt_long(p->argc, p->argv, "h", p->longopts, &p->index);

	p->arg = optarg;
	if (c == -1)
		return 0;
	if (c == 'h') {
		p->usage(stdout);
		return OPT_HELP;
	}
	if (c == '?') {
		p->usage(stderr);
		return OPT_USAGE;
	}
	return c;
}

int opt_bad_value(const struct opt_parser *p)
{
	fprintf(stderr, "%s: bad value for --%s: '%s'\n", p->prog, p->longopts[p->index].name,
		p->arg);
	return OPT_USAGE;
}

int opt_usage_error(const struct opt_parser *p, const char *msg)
{
	fprintf(stderr, "%s: %s\n", p->prog, msg);
	p->usage(stderr);
	return OPT_USAGE;
}

int opt_u64(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	/* strtoull would take "-1" for ULLONG_MAX */
	if (*s == '\0' || *s == '-')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

int opt_long(const char *s, long lo, long hi, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
		return -EINVAL;
	*out = v;
	return 0;
}
