/*
 * fsfault: an LD_PRELOAD shim that makes chosen file-system calls fail,
 * for the local-fault tests (RELIABILITY 20; tests/integration/
 * test_local_faults.sh).
 *
 * A full disk can be had from a small tmpfs, but an fsync() that reports a
 * write-back error, a rename() on a file system gone read-only or a close()
 * that fails on NFS cannot be staged on a healthy machine. This shim sits
 * in front of libc and answers those calls itself, with the errno asked
 * for, when they touch a path that matches a pattern; every other call goes
 * through untouched. It is built without sanitizer flags whatever the
 * build. Under AddressSanitizer the preload needs
 * ASAN_OPTIONS=verify_asan_link_order=0 (else ASan refuses to start, its
 * runtime no longer first in the library list); ASan's own interceptors
 * then sit behind this shim and still see every call it lets through.
 * Not tried under ThreadSanitizer.
 *
 * Configured from the environment, read once when the library is loaded:
 *
 *   FSFAULT_CALLS  comma-separated calls to fail, from: open (open, open64,
 *                  openat, openat64 and their fortified __*_2 forms), write
 *                  (write, pwrite, pwrite64, writev), fsync, fdatasync,
 *                  syncfs, rename (rename, renameat, renameat2), close;
 *                  "all" for every one. Required: unset, the shim is inert.
 *   FSFAULT_PATH   fnmatch(3) pattern (no flags: '*' crosses '/') matched
 *                  against the absolute path the call touches: the path
 *                  given (made absolute against the working folder or the
 *                  dirfd), or for a descriptor what /proc/self/fd/N links
 *                  to (a folder for syncfs, a socket never matches a path
 *                  pattern). A rename matches on either name. Default "*".
 *   FSFAULT_ERRNO  EIO, ENOSPC, EDQUOT, EROFS, EACCES, EPERM, EFBIG, ... or
 *                  a number. Default EIO.
 *   FSFAULT_AFTER  let the first N matching calls succeed. Default 0.
 *   FSFAULT_TIMES  fail at most N calls, then let every call through
 *                  (so a retry would succeed, as it does after a real
 *                  write-back error). Default: no limit; 0 fails none.
 *   FSFAULT_DELAY_MS  hold every matching call this long before it runs
 *                  (or fails): a slow disk, so that a kill -9 lands
 *                  inside a commit rather than between two. Default 0.
 *   FSFAULT_LOG    file to append to: one line per call failed, and one
 *                  per matching fsync/fdatasync/syncfs let through, so a
 *                  test can tell whether a file was flushed again after its
 *                  flush failed. With FSFAULT_VERBOSE=1, one line per
 *                  matching call of any kind.
 *
 * Log lines, one write(2) each (O_APPEND keeps lines from several threads
 * whole):
 *
 *   fail fsync EIO fd=7 /tmp/x/snap/dev/expected_data/.rhizome-tmp.a.sql.1-0
 *   pass fsync - fd=9 /tmp/x/snap/dev/expected_data
 *   fail rename EROFS fd=-1 /tmp/x/a -> /tmp/x/b
 *
 * A failed call does nothing but set errno, except close, which closes the
 * descriptor first (as Linux does when close reports an error). Thread-safe:
 * the configuration is written once, before main, and only read after; the
 * counters are atomics; no call here allocates (paths are built on the
 * stack), so the shim is safe on any thread and inside libc's own paths.
 * A configuration it cannot read ends the process at once (exit 125) with
 * a message: a shim that silently did nothing would let a test pass.
 */
#define _GNU_SOURCE
/* The fortified headers define open() and friends inline: this file
 * defines them itself. */
#undef _FORTIFY_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

enum fsfault_call {
	FSFAULT_OPEN = 1 << 0,
	FSFAULT_WRITE = 1 << 1,
	FSFAULT_FSYNC = 1 << 2,
	FSFAULT_FDATASYNC = 1 << 3,
	FSFAULT_SYNCFS = 1 << 4,
	FSFAULT_RENAME = 1 << 5,
	FSFAULT_CLOSE = 1 << 6,
};

#define FSFAULT_SYNC_FAMILY (FSFAULT_FSYNC | FSFAULT_FDATASYNC | FSFAULT_SYNCFS)

static const struct {
	const char *name;
	unsigned bit;
} call_names[] = {
	{ "open", FSFAULT_OPEN },     { "write", FSFAULT_WRITE },
	{ "fsync", FSFAULT_FSYNC },   { "fdatasync", FSFAULT_FDATASYNC },
	{ "syncfs", FSFAULT_SYNCFS }, { "rename", FSFAULT_RENAME },
	{ "close", FSFAULT_CLOSE },
};

static const struct {
	const char *name;
	int value;
} errno_names[] = {
	{ "EIO", EIO },       { "ENOSPC", ENOSPC }, { "EDQUOT", EDQUOT },
	{ "EROFS", EROFS },   { "EACCES", EACCES }, { "EPERM", EPERM },
	{ "EFBIG", EFBIG },   { "ENOENT", ENOENT }, { "EEXIST", EEXIST },
	{ "EMFILE", EMFILE }, { "ENFILE", ENFILE }, { "EBADF", EBADF },
	{ "EXDEV", EXDEV },   { "EINTR", EINTR },   { "EAGAIN", EAGAIN },
	{ "ENOTDIR", ENOTDIR }, { "EISDIR", EISDIR }, { "ENOMEM", ENOMEM },
	{ "ESTALE", ESTALE }, { "ENOSYS", ENOSYS },
};

/* The configuration: written by fsfault_init before main, read-only after. */
static unsigned cfg_calls;              /* FSFAULT_* bits */
static char cfg_path[PATH_MAX] = "*";
static int cfg_errno = EIO;
static unsigned long cfg_after;
static unsigned long cfg_times = (unsigned long)-1;
static unsigned long cfg_delay_ms;
static int cfg_log_fd = -1;
static int cfg_verbose;

static atomic_ulong matched; /* matching calls seen */
static atomic_ulong failed;  /* calls failed */

/* libc's own functions, found once (a call before the constructor, from
 * another library's, finds its own: the same pointer either way). */
static int (*real_open)(const char *, int, ...);
static int (*real_open64)(const char *, int, ...);
static int (*real_openat)(int, const char *, int, ...);
static int (*real_openat64)(int, const char *, int, ...);
static int (*real___open_2)(const char *, int);
static int (*real___open64_2)(const char *, int);
static int (*real___openat_2)(int, const char *, int);
static int (*real___openat64_2)(int, const char *, int);
static ssize_t (*real_write)(int, const void *, size_t);
static ssize_t (*real_pwrite)(int, const void *, size_t, off_t);
static ssize_t (*real_pwrite64)(int, const void *, size_t, off64_t);
static ssize_t (*real_writev)(int, const struct iovec *, int);
static int (*real_fsync)(int);
static int (*real_fdatasync)(int);
static int (*real_syncfs)(int);
static int (*real_rename)(const char *, const char *);
static int (*real_renameat)(int, const char *, int, const char *);
static int (*real_renameat2)(int, const char *, int, const char *, unsigned);
static int (*real_close)(int);

#define RESOLVE(fn)                                                       \
	do {                                                              \
		if (real_##fn == NULL)                                    \
			*(void **)&real_##fn = dlsym(RTLD_NEXT, #fn);     \
	} while (0)

/* In a wrapper: libc's function, or fail as a kernel without it would. */
#define NEED(fn)                                                          \
	do {                                                              \
		RESOLVE(fn);                                              \
		if (real_##fn == NULL) {                                  \
			errno = ENOSYS;                                   \
			return -1;                                        \
		}                                                         \
	} while (0)

static void resolve_all(void)
{
	RESOLVE(open);
	RESOLVE(open64);
	RESOLVE(openat);
	RESOLVE(openat64);
	RESOLVE(__open_2);
	RESOLVE(__open64_2);
	RESOLVE(__openat_2);
	RESOLVE(__openat64_2);
	RESOLVE(write);
	RESOLVE(pwrite);
	RESOLVE(pwrite64);
	RESOLVE(writev);
	RESOLVE(fsync);
	RESOLVE(fdatasync);
	RESOLVE(syncfs);
	RESOLVE(rename);
	RESOLVE(renameat);
	RESOLVE(renameat2);
	RESOLVE(close);
}

/* Say what is wrong with the configuration and end the process. */
static void config_error(const char *var, const char *value, const char *why)
{
	char msg[PATH_MAX + 256];
	int n = snprintf(msg, sizeof(msg), "fsfault: %s=%s: %s\n", var, value,
			 why);

	if (n > 0 && real_write != NULL)
		real_write(2, msg, (size_t)n < sizeof(msg) ? (size_t)n
							    : sizeof(msg) - 1);
	_exit(125);
}

static unsigned long parse_count(const char *var, const char *v)
{
	char *end;
	unsigned long n;

	errno = 0;
	n = strtoul(v, &end, 10);
	if (errno != 0 || end == v || *end != '\0' || v[0] == '-')
		config_error(var, v, "not a count");
	return n;
}

static void parse_calls(const char *v)
{
	const char *p = v;

	while (*p != '\0') {
		size_t len = strcspn(p, ",");
		size_t i;
		int known = 0;

		if (len == 3 && strncmp(p, "all", 3) == 0) {
			cfg_calls = ~0u;
			known = 1;
		}
		for (i = 0; i < sizeof(call_names) / sizeof(call_names[0]); i++)
			if (strlen(call_names[i].name) == len &&
			    strncmp(p, call_names[i].name, len) == 0) {
				cfg_calls |= call_names[i].bit;
				known = 1;
			}
		if (!known && len > 0)
			config_error("FSFAULT_CALLS", v,
				     "unknown call (known: open, write, fsync, "
				     "fdatasync, syncfs, rename, close, all)");
		p += len;
		if (*p == ',')
			p++;
	}
}

static int parse_errno(const char *v)
{
	size_t i;

	for (i = 0; i < sizeof(errno_names) / sizeof(errno_names[0]); i++)
		if (strcmp(v, errno_names[i].name) == 0)
			return errno_names[i].value;
	if (v[0] >= '0' && v[0] <= '9') {
		unsigned long n = parse_count("FSFAULT_ERRNO", v);

		if (n > 0 && n < 4096)
			return (int)n;
	}
	config_error("FSFAULT_ERRNO", v, "not an errno name this shim knows, "
		     "nor a number from 1 to 4095");
	return EIO;
}

static const char *errno_name(int e)
{
	size_t i;

	for (i = 0; i < sizeof(errno_names) / sizeof(errno_names[0]); i++)
		if (errno_names[i].value == e)
			return errno_names[i].name;
	return "E?";
}

__attribute__((constructor)) static void fsfault_init(void)
{
	const char *v;

	resolve_all();
	v = getenv("FSFAULT_CALLS");
	if (v == NULL || v[0] == '\0')
		return;
	parse_calls(v);
	v = getenv("FSFAULT_PATH");
	if (v != NULL && v[0] != '\0') {
		if (strlen(v) >= sizeof(cfg_path))
			config_error("FSFAULT_PATH", v, "too long");
		strcpy(cfg_path, v);
	}
	v = getenv("FSFAULT_ERRNO");
	if (v != NULL && v[0] != '\0')
		cfg_errno = parse_errno(v);
	v = getenv("FSFAULT_AFTER");
	if (v != NULL && v[0] != '\0')
		cfg_after = parse_count("FSFAULT_AFTER", v);
	v = getenv("FSFAULT_TIMES");
	if (v != NULL && v[0] != '\0')
		cfg_times = parse_count("FSFAULT_TIMES", v);
	v = getenv("FSFAULT_DELAY_MS");
	if (v != NULL && v[0] != '\0')
		cfg_delay_ms = parse_count("FSFAULT_DELAY_MS", v);
	v = getenv("FSFAULT_VERBOSE");
	cfg_verbose = v != NULL && strcmp(v, "1") == 0;
	v = getenv("FSFAULT_LOG");
	if (v != NULL && v[0] != '\0') {
		cfg_log_fd = real_open(v, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
				       0666);
		if (cfg_log_fd < 0)
			config_error("FSFAULT_LOG", v, strerror(errno));
	}
}

/* The absolute form of `path` relative to `dirfd` (AT_FDCWD: the working
 * folder), into buf. Not normalized: the pattern sees "a/./b" as given. */
static void absolute(int dirfd, const char *path, char *buf, size_t size)
{
	char link[64];
	ssize_t n;
	size_t len;

	if (path == NULL) {
		snprintf(buf, size, "(null)");
		return;
	}
	if (path[0] == '/') {
		snprintf(buf, size, "%s", path);
		return;
	}
	if (dirfd == AT_FDCWD) {
		if (getcwd(buf, size) == NULL)
			buf[0] = '\0';
	} else {
		snprintf(link, sizeof(link), "/proc/self/fd/%d", dirfd);
		n = readlink(link, buf, size - 1);
		buf[n < 0 ? 0 : n] = '\0';
	}
	len = strlen(buf);
	snprintf(buf + len, size - len, "/%s", path);
}

/* What descriptor fd is open on, into buf ("" when unknown). */
static void path_of_fd(int fd, char *buf, size_t size)
{
	char link[64];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, buf, size - 1);
	buf[n < 0 ? 0 : n] = '\0';
}

static int path_matches(const char *path)
{
	return path[0] != '\0' && fnmatch(cfg_path, path, 0) == 0;
}

static void log_line(int fail, const char *call, int fd, const char *path,
		     const char *path2)
{
	char line[2 * PATH_MAX + 128];
	int n;

	if (cfg_log_fd < 0)
		return;
	n = snprintf(line, sizeof(line), "%s %s %s fd=%d %s%s%s\n",
		     fail ? "fail" : "pass", call,
		     fail ? errno_name(cfg_errno) : "-", fd, path,
		     path2 ? " -> " : "", path2 ? path2 : "");
	if (n <= 0)
		return;
	if ((size_t)n >= sizeof(line)) {
		n = (int)sizeof(line) - 1;
		line[n - 1] = '\n';
	}
	real_write(cfg_log_fd, line, (size_t)n);
}

/*
 * Decide one call: 1 to fail it (errno set, logged), 0 to let it through.
 * `bit` is the call's family; the path(s) are already absolute. A call let
 * through that must be logged after it ran gets *log_pass set.
 */
static int decide(unsigned bit, const char *call, int fd, const char *path,
		  const char *path2, int *log_pass)
{
	unsigned long seen, nfailed;

	*log_pass = 0;
	if (!path_matches(path) && (path2 == NULL || !path_matches(path2)))
		return 0;
	seen = atomic_fetch_add(&matched, 1);
	if (cfg_delay_ms > 0) {
		struct timespec ts = { (time_t)(cfg_delay_ms / 1000),
				       (long)(cfg_delay_ms % 1000) * 1000000 };

		while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
			;
	}
	if (seen >= cfg_after) {
		nfailed = atomic_fetch_add(&failed, 1);
		if (nfailed < cfg_times) {
			log_line(1, call, fd, path, path2);
			errno = cfg_errno;
			return 1;
		}
	}
	*log_pass = cfg_verbose || (bit & FSFAULT_SYNC_FAMILY) != 0;
	return 0;
}

/* The fd-based calls: 1 when the call was failed (errno set). */
static int fd_call(unsigned bit, const char *call, int fd, int *log_pass,
		   char *path, size_t size)
{
	int saved = errno;

	*log_pass = 0;
	if ((cfg_calls & bit) == 0)
		return 0;
	path_of_fd(fd, path, size);
	if (decide(bit, call, fd, path, NULL, log_pass))
		return 1;
	errno = saved;
	return 0;
}

static void after_pass(int log_pass, const char *call, int fd,
		       const char *path, const char *path2)
{
	int saved = errno;

	if (log_pass)
		log_line(0, call, fd, path, path2);
	errno = saved;
}

/* ---- open ---- */

static int open_call(int dirfd, const char *pathname, int *log_pass,
		     char *path, size_t size)
{
	int saved = errno;

	*log_pass = 0;
	if ((cfg_calls & FSFAULT_OPEN) == 0)
		return 0;
	absolute(dirfd, pathname, path, size);
	if (decide(FSFAULT_OPEN, "open", -1, path, NULL, log_pass))
		return 1;
	errno = saved;
	return 0;
}

static mode_t mode_arg(int flags, va_list ap)
{
	return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE
		       ? (mode_t)va_arg(ap, int) : 0;
}

#define OPEN_BODY(fn, dirfd, pathname, flags, mode_expr, call_expr)          \
	char path[PATH_MAX];                                                 \
	int log_pass, fd;                                                    \
	mode_t mode = mode_expr;                                             \
	(void)mode;                                                          \
	NEED(fn);                                                            \
	if (open_call(dirfd, pathname, &log_pass, path, sizeof(path)))       \
		return -1;                                                   \
	fd = call_expr;                                                      \
	after_pass(log_pass, "open", fd, path, NULL);                        \
	return fd

int open(const char *pathname, int flags, ...)
{
	va_list ap;
	mode_t m;

	va_start(ap, flags);
	m = mode_arg(flags, ap);
	va_end(ap);
	{
		OPEN_BODY(open, AT_FDCWD, pathname, flags, m,
			  real_open(pathname, flags, mode));
	}
}

int open64(const char *pathname, int flags, ...)
{
	va_list ap;
	mode_t m;

	va_start(ap, flags);
	m = mode_arg(flags, ap);
	va_end(ap);
	{
		OPEN_BODY(open64, AT_FDCWD, pathname, flags, m,
			  real_open64(pathname, flags, mode));
	}
}

int openat(int dirfd, const char *pathname, int flags, ...)
{
	va_list ap;
	mode_t m;

	va_start(ap, flags);
	m = mode_arg(flags, ap);
	va_end(ap);
	{
		OPEN_BODY(openat, dirfd, pathname, flags, m,
			  real_openat(dirfd, pathname, flags, mode));
	}
}

int openat64(int dirfd, const char *pathname, int flags, ...)
{
	va_list ap;
	mode_t m;

	va_start(ap, flags);
	m = mode_arg(flags, ap);
	va_end(ap);
	{
		OPEN_BODY(openat64, dirfd, pathname, flags, m,
			  real_openat64(dirfd, pathname, flags, mode));
	}
}

int __open_2(const char *pathname, int flags);
int __open_2(const char *pathname, int flags)
{
	OPEN_BODY(__open_2, AT_FDCWD, pathname, flags, 0,
		  real___open_2(pathname, flags));
}

int __open64_2(const char *pathname, int flags);
int __open64_2(const char *pathname, int flags)
{
	OPEN_BODY(__open64_2, AT_FDCWD, pathname, flags, 0,
		  real___open64_2(pathname, flags));
}

int __openat_2(int dirfd, const char *pathname, int flags);
int __openat_2(int dirfd, const char *pathname, int flags)
{
	OPEN_BODY(__openat_2, dirfd, pathname, flags, 0,
		  real___openat_2(dirfd, pathname, flags));
}

int __openat64_2(int dirfd, const char *pathname, int flags);
int __openat64_2(int dirfd, const char *pathname, int flags)
{
	OPEN_BODY(__openat64_2, dirfd, pathname, flags, 0,
		  real___openat64_2(dirfd, pathname, flags));
}

/* ---- write ---- */

#define FD_BODY(fn, bit, name, fd, type, call_expr)                          \
	char path[PATH_MAX];                                                 \
	int log_pass;                                                        \
	type r;                                                              \
	NEED(fn);                                                            \
	if (fd_call(bit, name, fd, &log_pass, path, sizeof(path)))           \
		return -1;                                                   \
	r = call_expr;                                                       \
	after_pass(log_pass, name, fd, path, NULL);                          \
	return r

ssize_t write(int fd, const void *buf, size_t count)
{
	FD_BODY(write, FSFAULT_WRITE, "write", fd, ssize_t,
		real_write(fd, buf, count));
}

ssize_t pwrite(int fd, const void *buf, size_t count, off_t offset)
{
	FD_BODY(pwrite, FSFAULT_WRITE, "pwrite", fd, ssize_t,
		real_pwrite(fd, buf, count, offset));
}

ssize_t pwrite64(int fd, const void *buf, size_t count, off64_t offset)
{
	FD_BODY(pwrite64, FSFAULT_WRITE, "pwrite64", fd, ssize_t,
		real_pwrite64(fd, buf, count, offset));
}

ssize_t writev(int fd, const struct iovec *iov, int iovcnt)
{
	FD_BODY(writev, FSFAULT_WRITE, "writev", fd, ssize_t,
		real_writev(fd, iov, iovcnt));
}

/* ---- flushes ---- */

int fsync(int fd)
{
	FD_BODY(fsync, FSFAULT_FSYNC, "fsync", fd, int, real_fsync(fd));
}

int fdatasync(int fd)
{
	FD_BODY(fdatasync, FSFAULT_FDATASYNC, "fdatasync", fd, int,
		real_fdatasync(fd));
}

int syncfs(int fd)
{
	FD_BODY(syncfs, FSFAULT_SYNCFS, "syncfs", fd, int, real_syncfs(fd));
}

/* ---- close: the descriptor is gone whatever close says ---- */

int close(int fd)
{
	char path[PATH_MAX];
	int log_pass, r;

	NEED(close);
	if (fd_call(FSFAULT_CLOSE, "close", fd, &log_pass, path, sizeof(path))) {
		real_close(fd);
		errno = cfg_errno;
		return -1;
	}
	r = real_close(fd);
	after_pass(log_pass, "close", fd, path, NULL);
	return r;
}

/* ---- rename ---- */

static int rename_call(int olddirfd, const char *oldpath, int newdirfd,
		       const char *newpath, int *log_pass, char *from,
		       char *to, size_t size)
{
	int saved = errno;

	*log_pass = 0;
	if ((cfg_calls & FSFAULT_RENAME) == 0)
		return 0;
	absolute(olddirfd, oldpath, from, size);
	absolute(newdirfd, newpath, to, size);
	if (decide(FSFAULT_RENAME, "rename", -1, from, to, log_pass))
		return 1;
	errno = saved;
	return 0;
}

#define RENAME_BODY(fn, od, op, nd, np, call_expr)                           \
	char from[PATH_MAX], to[PATH_MAX];                                   \
	int log_pass, r;                                                     \
	NEED(fn);                                                            \
	if (rename_call(od, op, nd, np, &log_pass, from, to, sizeof(from)))  \
		return -1;                                                   \
	r = call_expr;                                                       \
	after_pass(log_pass, "rename", -1, from, to);                        \
	return r

int rename(const char *oldpath, const char *newpath)
{
	RENAME_BODY(rename, AT_FDCWD, oldpath, AT_FDCWD, newpath,
		    real_rename(oldpath, newpath));
}

int renameat(int olddirfd, const char *oldpath, int newdirfd,
	     const char *newpath)
{
	RENAME_BODY(renameat, olddirfd, oldpath, newdirfd, newpath,
		    real_renameat(olddirfd, oldpath, newdirfd, newpath));
}

int renameat2(int olddirfd, const char *oldpath, int newdirfd,
	      const char *newpath, unsigned flags)
{
	RENAME_BODY(renameat2, olddirfd, oldpath, newdirfd, newpath,
		    real_renameat2(olddirfd, oldpath, newdirfd, newpath, flags));
}
