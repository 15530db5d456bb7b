/*
 * options: the command-line parsing the bench tools share.
 *
 * A tool lists its long options in a getopt_long table and walks them with
 * opt_next(), which answers --help (-h) with the tool's usage on stdout,
 * and an unknown option or a missing argument (getopt has already said
 * which) with the usage on stderr; the tool's switch sees only its own
 * options. Numbers are read with opt_u64() or opt_long(): decimal, in
 * range, nothing after them. Every tool words a refused value and a
 * missing option the same way, through opt_bad_value() and
 * opt_usage_error(), and exits 0 after OPT_HELP and 2 after OPT_USAGE.
 *
 * What a value means (a port, a delay in milliseconds) stays in its tool.
 * Standalone like the rest of bench/: nothing here comes from the engine.
 */
#ifndef RHIZOME_BENCH_OPTIONS_H
#define RHIZOME_BENCH_OPTIONS_H

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>

/* How parsing ends when the tool is not to go on; 0 is going on. */
enum opt_result {
	OPT_HELP = -1,          /* usage printed on stdout for --help: exit 0 */
	OPT_USAGE = -2,         /* a usage error, reported on stderr: exit 2 */
};

/*
 * One walk over argv. The caller owns every pointer in it, which must
 * outlive it; nothing here is allocated, so there is nothing to release.
 */
struct opt_parser {
	const char *prog;               /* the tool's name, first word of its messages */
	int argc;
	char **argv;
	const struct option *longopts;  /* ends with a zero entry; "help" maps to 'h' */
	void (*usage)(FILE *f);         /* prints the tool's usage to f */
	int index;                      /* longopts index of the last long option read */
	char *arg;                      /* argument of the option last returned (in argv), or NULL */
};

/*
 * Prepare p to walk argv[1..argc-1] against longopts (plus -h). Every
 * pointer is borrowed: prog, argv and longopts must outlive p.
 * Cannot fail. Call from the main thread only.
 */
void opt_init(struct opt_parser *p, const char *prog, int argc, char **argv,
	      const struct option *longopts, void (*usage)(FILE *f));

/*
 * Read the next option. Returns its key (longopts' val, > 0) with its
 * argument in p->arg (pointing into argv, or NULL); 0 when every option has
 * been read (operands left start at the global optind); OPT_HELP after
 * printing the usage on stdout for --help or -h; OPT_USAGE after getopt
 * reported an unknown option or a missing argument, and the usage followed
 * it on stderr. Uses getopt_long's global state (optind, optarg): call from
 * the main thread only, one walk at a time.
 */
int opt_next(struct opt_parser *p);

/*
 * Report that the option opt_next() returned last has a value the tool
 * refuses: "PROG: bad value for --NAME: 'VALUE'" on stderr, without the
 * usage. Returns OPT_USAGE, for the tool to return. Call from the main
 * thread only.
 */
int opt_bad_value(const struct opt_parser *p);

/*
 * Report a usage error found after the walk (a required option missing,
 * an operand nobody asked for): "PROG: MSG" on stderr, then the usage.
 * msg is borrowed. Returns OPT_USAGE. Call from the main thread only.
 */
int opt_usage_error(const struct opt_parser *p, const char *msg);

/*
 * Read s as an unsigned decimal number of at most max, as strtoull reads
 * it (leading blanks and a '+' allowed), with nothing after it; a leading
 * '-' is refused. Stores it in *out and returns 0, or returns -EINVAL and
 * leaves *out alone. s is borrowed. Thread-safe.
 */
int opt_u64(const char *s, uint64_t max, uint64_t *out);

/*
 * Read s as a signed decimal number in [lo, hi], as strtol reads it
 * (leading blanks and a sign allowed), with nothing after it. Stores it in
 * *out and returns 0, or returns -EINVAL and leaves *out alone. s is
 * borrowed. Thread-safe.
 */
int opt_long(const char *s, long lo, long hi, long *out);

#endif
