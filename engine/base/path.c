#include "engine/base/path.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/base/alloc.h"
#include "engine/base/strbuf.h"

char *path_normal(const char *path)
{
	char cwd[4096];
	char *full, *out, *seg, *save = NULL;
	size_t len = 0;

	if (path[0] != '/' && getcwd(cwd, sizeof(cwd)) != NULL)
		full = xasprintf("%s/%s", cwd, path);
	else
		full = xstrdup(path);
	out = xcalloc(strlen(full) + 2, 1);
	for (seg = strtok_r(full, "/", &save); seg; seg = strtok_r(NULL, "/", &save)) {
		if (strcmp(seg, ".") == 0)
			continue;
		if (strcmp(seg, "..") == 0) {
			while (len > 0 && out[len - 1] != '/')
				len--;
			if (len > 0)
				len--;
			out[len] = '\0';
			continue;
		}
		len += (size_t)sprintf(out + len, "/%s", seg);
	}
	if (len == 0)
		strcpy(out, "/");
	free(full);
	return out;
}

int path_within(const char *inner, const char *outer)
{
	size_t n = strlen(outer);

	return strcmp(outer, "/") == 0 ||
	       (strncmp(inner, outer, n) == 0 && (inner[n] == '\0' || inner[n] == '/'));
}

char *path_relative(const char *dir, const char *to)
{
	struct strbuf sb = STRBUF_INIT;
	size_t common = 0, i;
	const char *rest;

	/* the longest common prefix that ends at a '/' boundary */
	for (i = 0;; i++) {
		int end_d = dir[i] == '\0' || dir[i] == '/';
		int end_t = to[i] == '\0' || to[i] == '/';

		if (end_d && end_t)
			common = i;
		if (dir[i] != to[i] || dir[i] == '\0')
			break;
	}
	if (strcmp(dir, "/") == 0)
		common = 0;
	for (i = common; dir[i] != '\0'; i++)
		if (dir[i] == '/' && dir[i + 1] != '\0')
			strbuf_adds(&sb, "../");
	rest = to + common;
	if (*rest == '/')
		rest++;
	strbuf_adds(&sb, rest);
	if (sb.len == 0)
		strbuf_adds(&sb, ".");
	else if (sb.data[sb.len - 1] == '/')
		sb.data[--sb.len] = '\0';
	return strbuf_detach(&sb, NULL);
}
