/*
 * path: file paths as strings, lexically: no file is looked at but the
 * current directory (getcwd) that makes a relative path absolute.
 * Results are new strings the caller frees; out of memory aborts
 * (engine/base/alloc.h). Thread-safe.
 */
#ifndef RHIZOME_PATH_H
#define RHIZOME_PATH_H

/* `path` made absolute (from the current directory) and lexically
 * normal: no ".", "..", or repeated "/". */
char *path_normal(const char *path);

/* Whether `inner` is `outer` or lies under it (both path_normal). */
int path_within(const char *inner, const char *outer);

/* The way from folder `dir` to `to` (both path_normal), as "../x/y" or
 * "y"; "." when they are the same. */
char *path_relative(const char *dir, const char *to);

#endif
