/*
 * optionfile: what an environment's `option-file` will make libmariadb do,
 * found out before anything is contacted, so a file that is missing, open
 * to others or without the group asked for stops the run (exit 2) instead
 * of silently falling back to the local socket and the OS user.
 *
 * libmariadb (Connector/C 3.3, as measured against a private server) reads
 * the groups [client], [client-server] and [client-mariadb] of the file,
 * then `option-group` if one is named; it follows `!include FILE` and
 * `!includedir DIR` (the *.cnf files there); it ignores a file that does not
 * exist and a group that is not there, without a word. This module reads
 * the same lines the same way and says what they hold.
 *
 * Every file read (the option file and each file it includes) must be a
 * regular file owned by the running user or root, not group- or
 * world-writable, and, when it holds a password, not group- or
 * world-readable either (ssh's rule for private keys).
 *
 * Thread-safe (no shared state); reads files only.
 */
#ifndef RHIZOME_OPTIONFILE_H
#define RHIZOME_OPTIONFILE_H

#include <stddef.h>

/* What the groups libmariadb reads set. */
struct optionfile_facts {
	int group_found;        /* the option-group's [section] is there */
	int host, socket, port, user, password; /* each key set */
	int reconnect;          /* reconnect set (to anything but 0/off) */
	int tls;                /* an ssl-* key that turns TLS on (not ssl=0) */
	int tls_verify;         /* ssl-verify-server-cert on */
	int tls_noverify;       /* ssl-verify-server-cert said off */
	int tls_off;            /* ssl said off (ssl = 0), or skip-ssl */
	int tls_ca;             /* ssl-ca or ssl-capath */
	int tls_line;           /* the first such line, and its file */
	char tls_file[512];
};

/*
 * Read `path` (and what it includes) as libmariadb would for `group` (NULL:
 * none named) into *facts (zeroed first). Returns 0, or -errno with `why`
 * (the caller's buffer of `size`) saying what is wrong, naming the file:
 * -ENOENT it does not exist, -EPERM its owner or mode is unsafe, -ENODATA
 * `group` is not in it, -EINVAL a group header is malformed, -ELOOP includes nest too
 * deep, another -errno when a file cannot be read.
 */
int optionfile_read(const char *path, const char *group,
		    struct optionfile_facts *facts, char *why, size_t size);

#endif
