/*
 * tmpname: how rhizome names a file while it is being written.
 *
 * engine/store/atomic_file.c writes each file under a temporary name in the
 * destination's folder, TMPNAME_PREFIX + the final name + TMPNAME_SUFFIX_FMT,
 * and a later run sweeps what starts with TMPNAME_PREFIX. The config
 * (environments/config.c) refuses table names whose snapshot files could not
 * take these affixes within one 255-byte file name. Both need the format,
 * and environments/ may depend on engine/base/ only, so it lives here.
 * Macros only.
 */
#ifndef RHIZOME_TMPNAME_H
#define RHIZOME_TMPNAME_H

#define TMPNAME_PREFIX ".rhizome-tmp."

/* After the final name: ".PID-COUNTER" (printf arguments: long, unsigned
 * long). The pid keeps two processes apart, the counter two threads. */
#define TMPNAME_SUFFIX_FMT ".%ld-%lu"

/* The most bytes the prefix and the suffix add to a final name: the
 * prefix, then "." and a pid of at most 7 digits (pid_max is at most 2^22),
 * "-" and an unsigned long of at most 20 digits. */
#define TMPNAME_MAX_AFFIXES (sizeof(TMPNAME_PREFIX) - 1 + 1 + 7 + 1 + 20)

#endif
