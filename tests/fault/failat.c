/* SPDX-License-Identifier: MIT */
/*
 * failat.c -- fault injection for the tests: an LD_PRELOAD shim that
 * makes one family of calls fail at its Nth call after main() starts.
 *
 *   FAILAT_FUNC   write   fwrite fputs fputc putc fprintf vfprintf printf
 *                         puts putchar fflush fclose write: at the Nth
 *                         call the stream's file descriptor is replaced
 *                         by /dev/full, so the write fails with ENOSPC in
 *                         the kernel, as on a full disk (stderr is never
 *                         touched)
 *                 fsync   fsync fdatasync: -1, EIO
 *                 rename  rename renameat: -1, EIO
 *                 malloc  malloc calloc realloc strdup: NULL, ENOMEM
 *                 fopen   fopen fdopen open openat mkstemp: NULL/-1,
 *                         EACCES
 *   FAILAT_N      the call that fails (1 = the first); 0 or unset: none
 *   FAILAT_STICKY when "1", every call from the Nth on fails
 *   FAILAT_COUNT  a file to which the number of calls of the family is
 *                 written at exit, to choose N
 *   FAILAT_SLOW   microseconds to sleep in each call of the family (no
 *                 failure needed), to widen a window for a kill test
 *
 * Calls made before main() (by the dynamic loader, libc or OpenBLAS
 * constructors) are neither counted nor failed.  Built by fuzz.mk as
 * $(B)/fault/failat.so; use it with plain (not sanitizer) binaries.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

enum { F_NONE, F_WRITE, F_FSYNC, F_RENAME, F_MALLOC, F_FOPEN };

static int family = F_NONE, sticky, armed;
static unsigned long target, calls;
static long slow_us;
static const char *count_path;

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);

/* Nonzero if this call of family 'f' must fail; counts it. */
static int
hit(int f)
{
	if (!armed || f != family)
		return 0;
	calls++;
	if (slow_us > 0) {
		struct timespec ts = { slow_us / 1000000,
			(slow_us % 1000000) * 1000 };
		nanosleep(&ts, NULL);
	}
	if (target == 0)
		return 0;
	return calls == target || (sticky && calls > target);
}

static void
report(void)
{
	char buf[32];
	int fd, n;

	armed = 0;
	if (count_path == NULL)
		return;
	n = snprintf(buf, sizeof(buf), "%lu\n", calls);
	fd = (int)syscall(SYS_openat, AT_FDCWD, count_path,
	    O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd >= 0) {
		(void)syscall(SYS_write, fd, buf, (size_t)n);
		(void)syscall(SYS_close, fd);
	}
}

static void
setup(void)
{
	const char *f = getenv("FAILAT_FUNC"), *s;

	if (f == NULL)
		return;
	family = strcmp(f, "write") == 0 ? F_WRITE
	    : strcmp(f, "fsync") == 0    ? F_FSYNC
	    : strcmp(f, "rename") == 0   ? F_RENAME
	    : strcmp(f, "malloc") == 0   ? F_MALLOC
	    : strcmp(f, "fopen") == 0    ? F_FOPEN
	                                 : F_NONE;
	target = (s = getenv("FAILAT_N")) ? strtoul(s, NULL, 10) : 0;
	sticky = (s = getenv("FAILAT_STICKY")) && strcmp(s, "1") == 0;
	slow_us = (s = getenv("FAILAT_SLOW")) ? strtol(s, NULL, 10) : 0;
	count_path = getenv("FAILAT_COUNT");
	atexit(report);
}

/* Wrap main() so that counting starts there. */
static int (*real_main)(int, char **, char **);

static int
main_hook(int argc, char **argv, char **envp)
{
	setup();
	armed = family != F_NONE;
	return real_main(argc, argv, envp);
}

int
__libc_start_main(int (*main)(int, char **, char **), int argc, char **argv,
    void (*init)(void), void (*fini)(void), void (*rtld_fini)(void),
    void *stack_end)
{
	int (*next)(int (*)(int, char **, char **), int, char **,
	    void (*)(void), void (*)(void), void (*)(void), void *);

	next = (__typeof__(next))dlsym(RTLD_NEXT, "__libc_start_main");
	real_main = main;
	return next(main_hook, argc, argv, init, fini, rtld_fini, stack_end);
}

/* The next definition of 'name', looked up once. */
#define NEXT(name)                                                          \
	({                                                                  \
		static __typeof__(&name) next_;                             \
		if (next_ == NULL)                                          \
			next_ = (__typeof__(&name))dlsym(RTLD_NEXT, #name); \
		next_;                                                      \
	})

/* ---- write: the stream's descriptor becomes /dev/full ---- */

static void
fill_up(FILE *fp)
{
	int fd, full;

	if (fp == NULL || fp == stderr || (fd = fileno(fp)) < 0 || fd == 2)
		return;
	if ((full = open("/dev/full", O_WRONLY)) >= 0) {
		(void)dup2(full, fd);
		(void)close(full);
	}
}

static int
write_hit(FILE *fp)
{
	if (fp == stderr)
		return 0;
	if (hit(F_WRITE)) {
		if (getenv("FAILAT_DEBUG") != NULL)
			(void)NEXT(fprintf)(stderr,
			    "failat: write call %lu on fd %d\n", calls,
			    fileno(fp));
		fill_up(fp);
		return 1;
	}
	return 0;
}

size_t
fwrite(const void *p, size_t size, size_t n, FILE *fp)
{
	(void)write_hit(fp);
	return NEXT(fwrite)(p, size, n, fp);
}

int
fputs(const char *s, FILE *fp)
{
	(void)write_hit(fp);
	return NEXT(fputs)(s, fp);
}

int
fputc(int c, FILE *fp)
{
	(void)write_hit(fp);
	return NEXT(fputc)(c, fp);
}

int
putc(int c, FILE *fp)
{
	(void)write_hit(fp);
	return NEXT(putc)(c, fp);
}

int
putchar(int c)
{
	(void)write_hit(stdout);
	return NEXT(fputc)(c, stdout);
}

int
puts(const char *s)
{
	(void)write_hit(stdout);
	return NEXT(puts)(s);
}

int
vfprintf(FILE *fp, const char *fmt, va_list ap)
{
	(void)write_hit(fp);
	return NEXT(vfprintf)(fp, fmt, ap);
}

int
fprintf(FILE *fp, const char *fmt, ...)
{
	va_list ap;
	int n;

	(void)write_hit(fp);
	va_start(ap, fmt);
	n = NEXT(vfprintf)(fp, fmt, ap);
	va_end(ap);
	return n;
}

int
printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	(void)write_hit(stdout);
	va_start(ap, fmt);
	n = NEXT(vfprintf)(stdout, fmt, ap);
	va_end(ap);
	return n;
}

int
fflush(FILE *fp)
{
	if (fp != NULL)
		(void)write_hit(fp);
	return NEXT(fflush)(fp);
}

int
fclose(FILE *fp)
{
	/* only streams opened for writing count */
	if ((fcntl(fileno(fp), F_GETFL) & O_ACCMODE) != O_RDONLY)
		(void)write_hit(fp);
	return NEXT(fclose)(fp);
}

ssize_t
write(int fd, const void *p, size_t n)
{
	if (fd != 2 && hit(F_WRITE)) {
		errno = ENOSPC;
		return -1;
	}
	return NEXT(write)(fd, p, n);
}

/* ---- fsync, rename ---- */

int
fsync(int fd)
{
	if (hit(F_FSYNC)) {
		errno = EIO;
		return -1;
	}
	return NEXT(fsync)(fd);
}

int
fdatasync(int fd)
{
	if (hit(F_FSYNC)) {
		errno = EIO;
		return -1;
	}
	return NEXT(fdatasync)(fd);
}

int
rename(const char *from, const char *to)
{
	if (hit(F_RENAME)) {
		errno = EIO;
		return -1;
	}
	return NEXT(rename)(from, to);
}

int
renameat(int fromfd, const char *from, int tofd, const char *to)
{
	if (hit(F_RENAME)) {
		errno = EIO;
		return -1;
	}
	return NEXT(renameat)(fromfd, from, tofd, to);
}

/* ---- malloc: glibc's own entry points, no dlsym (which allocates) ---- */

void *
malloc(size_t n)
{
	if (hit(F_MALLOC)) {
		errno = ENOMEM;
		return NULL;
	}
	return __libc_malloc(n);
}

void *
calloc(size_t n, size_t size)
{
	if (hit(F_MALLOC)) {
		errno = ENOMEM;
		return NULL;
	}
	return __libc_calloc(n, size);
}

void *
realloc(void *p, size_t n)
{
	if (hit(F_MALLOC)) {
		errno = ENOMEM;
		return NULL;
	}
	return __libc_realloc(p, n);
}

char *
strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = malloc(n);

	if (d != NULL)
		memcpy(d, s, n);
	return d;
}

/* ---- fopen and friends ---- */

FILE *
fopen(const char *path, const char *mode)
{
	if (hit(F_FOPEN)) {
		errno = EACCES;
		return NULL;
	}
	return NEXT(fopen)(path, mode);
}

FILE *
fopen64(const char *path, const char *mode)
{
	return fopen(path, mode);
}

FILE *
fdopen(int fd, const char *mode)
{
	if (hit(F_FOPEN)) {
		errno = EACCES;
		return NULL;
	}
	return NEXT(fdopen)(fd, mode);
}

int
mkstemp(char *tmpl)
{
	if (hit(F_FOPEN)) {
		errno = EACCES;
		return -1;
	}
	return NEXT(mkstemp)(tmpl);
}

int
open(const char *path, int flags, ...)
{
	va_list ap;
	int mode = 0;

	if (flags & (O_CREAT | O_TMPFILE)) {
		va_start(ap, flags);
		mode = va_arg(ap, int);
		va_end(ap);
	}
	if (hit(F_FOPEN)) {
		errno = EACCES;
		return -1;
	}
	return NEXT(open)(path, flags, mode);
}
