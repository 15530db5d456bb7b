/*
 * A reader of MySQL option files that reads them as libmariadb does (see
 * optionfile.h), and keeps only what decides safety: which keys the groups
 * libmariadb reads set, and whether each file is fit to hold them.
 *
 * Each file is read whole first, then checked: whether it may be readable
 * by others depends on whether it holds a password.
 */
#include "environments/optionfile.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/base/alloc.h"

/* Includes deeper than this are a loop, or as good as one. */
#define MAX_DEPTH 8

struct reader {
	const char *group;      /* the option-group, or NULL */
	struct optionfile_facts *facts;
	char *why;
	size_t size;
};

static int say(struct reader *r, int rc, const char *fmt, const char *path,
	       const char *detail)
{
	snprintf(r->why, r->size, fmt, path, detail);
	return rc;
}

/* The groups libmariadb reads, with the option-group. */
static int group_is_read(const struct reader *r, const char *name)
{
	return strcmp(name, "client") == 0 || strcmp(name, "client-server") == 0 ||
	       strcmp(name, "client-mariadb") == 0 ||
	       (r->group != NULL && strcmp(name, r->group) == 0);
}

static char *trim(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' ||
			   end[-1] == '\r' || end[-1] == '\n'))
		*--end = '\0';
	return s;
}

/* A boolean option's value: absent, or anything but 0/off/false, is on. */
static int is_on(const char *value)
{
	return value == NULL || !(strcmp(value, "0") == 0 ||
				  strcasecmp(value, "off") == 0 ||
				  strcasecmp(value, "false") == 0);
}

/* A TLS option at path:line: the first one is the one messages name. */
static void note_tls(struct optionfile_facts *f, const char *path, int line)
{
	if (f->tls)
		return;
	f->tls = 1;
	f->tls_line = line;
	snprintf(f->tls_file, sizeof(f->tls_file), "%s", path);
}

/* `max_allowed_packet` as libmariadb takes it: a number of bytes, nothing
 * after it. It reads "16M", as mysqld would not, as 16 bytes, and then
 * every answer fails as a lost connection; below 1024 nothing works. */
static int packet_size_ok(const char *value)
{
	const char *p = value;

	if (value == NULL || *p == '\0')
		return 0;
	for (; *p; p++)
		if (*p < '0' || *p > '9')
			return 0;
	return strlen(value) > 4 || atoi(value) >= 1024;
}

/* One `key[=value]` line (path:line) of a group libmariadb reads. Sets
 * *password when the line is a password. Returns 0, or -EINVAL with why
 * for a value libmariadb would misread. */
static int take_option(struct reader *r, char *key, const char *value,
		       int *password, const char *path, int line)
{
	struct optionfile_facts *f = r->facts;
	char detail[200];
	char *p;

	for (p = key; *p; p++)
		if (*p == '_')
			*p = '-'; /* libmariadb takes either */
	if (strcmp(key, "host") == 0)
		f->host = 1;
	else if (strcmp(key, "socket") == 0)
		f->socket = 1;
	else if (strcmp(key, "port") == 0)
		f->port = 1;
	else if (strcmp(key, "user") == 0)
		f->user = 1;
	else if (strcmp(key, "password") == 0)
		f->password = *password = 1;
	else if (strcmp(key, "reconnect") == 0)
		f->reconnect = is_on(value);
	else if (strcmp(key, "ssl-verify-server-cert") == 0) {
		f->tls_verify = is_on(value);
		f->tls_noverify = !f->tls_verify;
		if (f->tls_verify)
			note_tls(f, path, line);
	} else if (strcmp(key, "ssl") == 0) {
		if (is_on(value))
			note_tls(f, path, line);
		else
			f->tls_off = 1;
	} else if (strcmp(key, "skip-ssl") == 0) {
		f->tls_off = 1;
	} else if (strncmp(key, "ssl-", 4) == 0 || strncmp(key, "tls-", 4) == 0) {
		if (strcmp(key, "ssl-ca") == 0 || strcmp(key, "ssl-capath") == 0)
			f->tls_ca = 1;
		note_tls(f, path, line);
	} else if (strcmp(key, "max-allowed-packet") == 0 && !packet_size_ok(value)) {
		snprintf(detail, sizeof(detail), "%d: max_allowed_packet = '%.40s': "
			 "libmariadb takes a number of bytes only ('16M' would "
			 "be 16 bytes); write it in bytes, at least 1024",
			 line, value ? value : "");
		return say(r, -EINVAL, "%s:%s", path, detail);
	}
	return 0;
}

static int read_file(struct reader *r, const char *path, int depth);

/* `!includedir DIR`: its *.cnf files, in name order. */
static int read_dir(struct reader *r, const char *dir, int depth)
{
	struct dirent **names;
	int n, i, rc = 0;

	n = scandir(dir, &names, NULL, alphasort);
	if (n < 0)
		return say(r, -errno, "%s: %s", dir, strerror(errno));
	for (i = 0; i < n; i++) {
		size_t len = strlen(names[i]->d_name);

		if (rc == 0 && len > 4 &&
		    strcmp(names[i]->d_name + len - 4, ".cnf") == 0) {
			char *path = xasprintf("%s/%s", dir, names[i]->d_name);

			rc = read_file(r, path, depth + 1);
			free(path);
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

/* Whether the file may hold what it holds (optionfile.h). */
static int check_file(struct reader *r, const char *path, const struct stat *st,
		      int password)
{
	char mode[16];

	snprintf(mode, sizeof(mode), "%04o", (unsigned)(st->st_mode & 07777));
	if (!S_ISREG(st->st_mode))
		return say(r, -EPERM, "%s: %s", path, "is not a regular file");
	if (st->st_uid != geteuid() && st->st_uid != 0)
		return say(r, -EPERM, "%s: %s", path,
			   "is owned by another user (it must be yours or "
			   "root's)");
	if (st->st_mode & 022)
		return say(r, -EPERM, "%s: is writable by others (mode %s); "
			   "chmod go-w it", path, mode);
	if (password && (st->st_mode & 044))
		return say(r, -EPERM, "%s: holds a password and is readable by "
			   "others (mode %s); chmod 600 it", path, mode);
	return 0;
}

static int read_file(struct reader *r, const char *path, int depth)
{
	struct stat st;
	FILE *fp;
	char *line = NULL, *s;
	size_t cap = 0;
	int in_group = 0, password = 0, rc = 0, lineno = 0;

	if (depth > MAX_DEPTH)
		return say(r, -ELOOP, "%s: %s", path,
			   "includes nest too deep (a loop?)");
	fp = fopen(path, "r");
	if (fp == NULL) {
		rc = -errno;
		return say(r, rc, "%s: %s", path, rc == -ENOENT
			   ? "does not exist" : strerror(-rc));
	}
	if (fstat(fileno(fp), &st) != 0) {
		rc = -errno;
		fclose(fp);
		return say(r, rc, "%s: %s", path, strerror(-rc));
	}
	while (rc == 0 && getline(&line, &cap, fp) >= 0) {
		char *eq, *value = NULL;

		lineno++;
		s = trim(line);
		if (*s == '\0' || *s == '#' || *s == ';')
			continue;
		if (strncmp(s, "!includedir", 11) == 0 && (s[11] == ' ' || s[11] == '\t')) {
			rc = read_dir(r, trim(s + 11), depth);
			continue;
		}
		if (strncmp(s, "!include", 8) == 0 && (s[8] == ' ' || s[8] == '\t')) {
			rc = read_file(r, trim(s + 8), depth + 1);
			continue;
		}
		if (*s == '[') {
			char *end = strchr(s, ']');

			if (end == NULL) {
				rc = say(r, -EINVAL, "%s: %s", path,
					 "a group header has no ']'");
				break;
			}
			*end = '\0';
			s = trim(s + 1);
			in_group = group_is_read(r, s);
			if (r->group != NULL && strcmp(s, r->group) == 0)
				r->facts->group_found = 1;
			continue;
		}
		if (!in_group)
			continue;
		eq = strchr(s, '=');
		if (eq != NULL) {
			*eq = '\0';
			value = trim(eq + 1);
		}
		rc = take_option(r, trim(s), value, &password, path, lineno);
	}
	free(line);
	fclose(fp);
	if (rc == 0)
		rc = check_file(r, path, &st, password);
	return rc;
}

int optionfile_read(const char *path, const char *group,
		    struct optionfile_facts *facts, char *why, size_t size)
{
	struct reader r = { group, facts, why, size };
	int rc;

	memset(facts, 0, sizeof(*facts));
	why[0] = '\0';
	rc = read_file(&r, path, 0);
	if (rc == 0 && group != NULL && !facts->group_found)
		rc = say(&r, -ENODATA, "%s: has no [%s] group (libmariadb would "
			 "skip it without a word and connect as the defaults "
			 "say)", path, group);
	return rc;
}
