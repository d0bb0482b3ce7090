/* SPDX-License-Identifier: MIT */
/*
 * fuzz_argv.c -- the option parser of every program, in process.  Each
 * cmd/am-*.c is compiled into this harness with its main() renamed and
 * exit(), err(), errx(), _exit() and am_close_stdout() redirected (see
 * fuzz_cmd.h), so that one run of a program costs a function call rather
 * than a fork and an exec.
 *
 * Input: the first byte picks the program (am, am-clean, am-eval,
 * am-features, am-model, am-predict, am-recommend, am-train); the rest,
 * split at newlines, is its argv (at most MAXARGS words).  Each run:
 *
 *   - starts getopt afresh (optind = 0), resets the file mode of
 *     am_atomic_set_mode() and names the program for warnx();
 *   - reads stdin from a small CSV and runs in a scratch folder under
 *     /dev/shm (the harness goes back to its own between runs) holding
 *     fixtures: CSV, binary streams, LIBSVM, a trained model, a
 *     segmentation, a feature spec, a cleaning fit, a recommender and
 *     scores;
 *   - writes stdout to /dev/null and stderr to a memory file (libFuzzer
 *     is started with -close_fd_mask=3, added to its flags here unless
 *     given, and keeps its own log on a copy of the old stderr).
 *
 * A run fails (abort, so libFuzzer keeps the input) when its status is
 * not 0-3, when status 2 comes without a "usage:" or "PROG: " line on
 * stderr, or status 1 without a "PROG: " line; and on any sanitizer
 * report or leak, as in the other harnesses.
 *
 * Inputs are skipped (not run) when they could leave the scratch folder
 * or take long: a word with a '/' other than in "notdir/" (notdir is a
 * plain file, so such paths never exist), or a number above MAXNUM and
 * below 1e13 (no option accepts more than 1e12, so larger values only
 * test the parsers' range checks), which bounds trees, iterations,
 * threads, k and the like; MAXBITS when a word starts "--ha" (--hash
 * BITS makes 2^BITS columns).
 *
 * A run fails too when it leaves a file descriptor, a stdio stream or a
 * thread behind.  After a run that changed the folder, files
 * it made are removed and fixtures it replaced are restored, so that
 * every input behaves the same whenever it runs.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio_ext.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>

#include "am_io.h"
#include "fuzz.h"
#include "fuzz_cmd.h"

#define MAXARGS 48
#define MAXNUM  64.0
#define MAXBITS 12.0
#ifndef FUZZ_DICT
#define FUZZ_DICT "tests/fuzz/fuzz_argv.dict"
#endif

int LLVMFuzzerInitialize(int *argc, char ***argv);

static const struct prog {
	const char *name;
	int (*main)(int, char *[]);
} progs[] = {
	{ "am", am_fuzz_main_am },
	{ "am-clean", am_fuzz_main_am_clean },
	{ "am-eval", am_fuzz_main_am_eval },
	{ "am-features", am_fuzz_main_am_features },
	{ "am-model", am_fuzz_main_am_model },
	{ "am-predict", am_fuzz_main_am_predict },
	{ "am-recommend", am_fuzz_main_am_recommend },
	{ "am-train", am_fuzz_main_am_train },
};
#define NPROGS (sizeof(progs) / sizeof(progs[0]))

/* Fixtures written as they are; the others are made by the programs. */
static const char small_csv[] = "id,age,city,y\n"
                                "1,20,paris,no\n"
                                "2,30,lyon,yes\n"
                                "3,,paris,yes\n"
                                "4,50,nice,no\n";
static const char train_csv[] = "id,x1,x2,wt,y\n"
                                "c00,-0.26,0.51,1,no\n"
                                "c01,1.11,0.54,2,yes\n"
                                "c02,0.35,-1.2,1,no\n"
                                "c03,1.9,0.1,1,yes\n"
                                "c04,-1.4,0.33,1,no\n"
                                "c05,0.8,1.5,2,yes\n"
                                "c06,-0.5,-0.2,1,no\n"
                                "c07,1.3,0.9,1,yes\n";
static const char syn_svm[] = "1 1:0.5 3:1\n"
                              "-1 2:1.5\n"
                              "1 1:1 2:0.25 4:2\n"
                              "-1 3:-1\n";
static const char events_csv[] = "user,item,t\n"
                                 "u1,a,1\nu1,b,2\nu2,a,1\nu2,c,3\n"
                                 "u3,b,2\nu3,a,3\n";

static struct fixture {
	const char *name;
	char *data;
	size_t len;
	ino_t ino;
} fix[16];
static size_t nfix;

static char scratch[64];
static int home = -1; /* the folder the harness started in */
static struct timespec scratch_mtime;
static int capture = -1;          /* memory file behind stderr, or -1 */
static off_t capture_off;         /* where the run's stderr starts in it */
static int logfd = STDERR_FILENO; /* the harness's own messages */
static jmp_buf back;
static int back_status;

void
fuzz_exit(int status)
{
	back_status = status;
	longjmp(back, 1);
}

static int exit_now; /* the run ended by _exit(): nothing flushed */

void
fuzz_exit_now(int status)
{
	exit_now = 1;
	fuzz_exit(status);
}

void
fuzz_err(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn(fmt, ap);
	va_end(ap);
	fuzz_exit(status);
}

void
fuzz_errx(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarnx(fmt, ap);
	va_end(ap);
	fuzz_exit(status);
}

/* am_close_stdout() without the close; a write error still counts. */
int
fuzz_close_stdout(int status)
{
	int bad = fflush(stdout) != 0 || ferror(stdout);

	clearerr(stdout);
	if (bad) {
		warnx("write error");
		return AM_EXIT_FAILURE;
	}
	return status;
}

int
fuzz_execv(const char *path, char *const argv[])
{
	(void)path;
	(void)argv;
	errno = ENOENT;
	return -1;
}

int
fuzz_execlp(const char *file, const char *arg, ...)
{
	(void)file;
	(void)arg;
	errno = ENOENT;
	return -1;
}

pid_t
fuzz_fork_fails(void)
{
	errno = EAGAIN;
	return -1;
}

/*
 * The blocks allocated during a run and not yet freed, by any code (the
 * program, libam, libc), seen through the sanitizer allocator's hooks: a
 * set of pointers (open addressing; NULL empty, TOMB deleted) in memory
 * from mmap, so that the hooks never allocate.  A run that ends by
 * exit() leaves what its callers held: the harness frees it as the end
 * of the process would (sparing the stdio buffers of stdin and stdout),
 * so that it is neither reported as a leak nor piled up over millions of
 * runs.  A run that returns from main() must have freed everything
 * itself, as LeakSanitizer then checks.
 */
static const void **live;
static size_t live_cap;   /* capacity, a power of 2 */
static size_t live_used;  /* slots not NULL (TOMB included) */
static size_t live_count; /* pointers in the set */
static atomic_int tracking;
static pthread_mutex_t live_mu = PTHREAD_MUTEX_INITIALIZER;
static char tomb;
#define TOMB ((const void *)&tomb)

typedef void malloc_hook_fn(const volatile void *, size_t);
typedef void free_hook_fn(const volatile void *);
int __sanitizer_install_malloc_and_free_hooks(malloc_hook_fn *, free_hook_fn *);

static size_t
slot_of(const void *p, size_t cap)
{
	uint64_t h = (uint64_t)(uintptr_t)p;

	h ^= h >> 17;
	h *= 0x9e3779b97f4a7c15u;
	return (size_t)(h >> 7) & (cap - 1);
}

static void
live_put(const void **set, size_t cap, const void *p)
{
	size_t i;

	for (i = slot_of(p, cap); set[i] != NULL && set[i] != TOMB;
	     i = (i + 1) & (cap - 1))
		if (set[i] == p)
			return;
	if (set[i] == NULL)
		live_used++;
	live_count++;
	set[i] = p;
}

/* Rehash into a table twice the pointers held (tombstones dropped). */
static void
live_grow(void)
{
	size_t cap = 4096, i;
	const void **set;

	while (cap < 4 * (live_count + 1))
		cap *= 2;

	set = mmap(NULL, cap * sizeof(*set), PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (set == MAP_FAILED)
		abort();
	live_used = live_count = 0;
	for (i = 0; i < live_cap; i++)
		if (live[i] != NULL && live[i] != TOMB)
			live_put(set, cap, live[i]);
	if (live != NULL)
		(void)munmap(live, live_cap * sizeof(*live));
	live = set;
	live_cap = cap;
}

static void
on_malloc(const volatile void *p, size_t n)
{
	(void)n;
	if (!atomic_load_explicit(&tracking, memory_order_relaxed) || p == NULL)
		return;
	pthread_mutex_lock(&live_mu);
	if ((live_used + 1) * 2 > live_cap)
		live_grow();
	live_put(live, live_cap, (const void *)(uintptr_t)p);
	pthread_mutex_unlock(&live_mu);
}

static void
on_free(const volatile void *p)
{
	size_t i;

	if (!atomic_load_explicit(&tracking, memory_order_relaxed) ||
	    p == NULL || live_cap == 0)
		return;
	pthread_mutex_lock(&live_mu);
	for (i = slot_of((const void *)(uintptr_t)p, live_cap); live[i] != NULL;
	     i = (i + 1) & (live_cap - 1))
		if (live[i] == (const void *)(uintptr_t)p) {
			live[i] = TOMB;
			live_count--;
			break;
		}
	pthread_mutex_unlock(&live_mu);
}

/*
 * glibc's list of open streams (exported, not declared): exit() flushes
 * and closes what a program left open, and so must the harness, before
 * it frees what the run allocated (a FILE among it).
 */
extern FILE *_IO_list_all;
#define MAXSTREAMS 64
static FILE *before[MAXSTREAMS];
static size_t nbefore;

static void
streams_mark(void)
{
	FILE *fp;

	nbefore = 0;
	for (fp = _IO_list_all; fp != NULL && nbefore < MAXSTREAMS;
	     fp = fp->_chain)
		before[nbefore++] = fp;
}

/* Streams opened by the run and still open; their number. */
static size_t
streams_new(FILE **out)
{
	size_t n = 0, i;
	FILE *fp;

	for (fp = _IO_list_all; fp != NULL && n < MAXSTREAMS; fp = fp->_chain) {
		for (i = 0; i < nbefore && before[i] != fp; i++)
			;
		if (i == nbefore)
			out[n++] = fp;
	}
	return n;
}

/*
 * The number of threads of this process: field 20 of /proc/self/stat,
 * kept open (read with pread) to spare a syscall or two a run.
 */
static long
nthreads(void)
{
	static int fd = -1;
	char buf[1024], *s;
	long n = -1;
	ssize_t len;
	int i;

	if (fd == -1 &&
	    (fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	if ((len = pread(fd, buf, sizeof(buf) - 1, 0)) <= 0)
		return -1;
	buf[len] = '\0';
	if ((s = strrchr(buf, ')')) == NULL)
		return -1;
	for (i = 2; i < 20 && s != NULL; i++)
		s = strchr(s + 1, ' ');
	if (s != NULL)
		n = strtol(s + 1, NULL, 10);
	return n;
}

/*
 * Whether the thread count comes back to 'want' within a second.  A
 * joined thread can still be counted for a moment: pthread_join()
 * returns when the thread clears its tid, before the kernel drops it
 * from the count (2026-11-29: "am-train: 3 threads before, 4 after"
 * once in 86,508 runs, not reproducible).  A leaked thread stays.
 */
static int
threads_settle(long want)
{
	struct timespec ms = { 0, 1000000 };
	int i;

	for (i = 0; i < 1000; i++) {
		if (nthreads() == want)
			return 1;
		(void)nanosleep(&ms, NULL);
	}
	return 0;
}

/*
 * The lowest file descriptor not open before a run: a run that leaves
 * one open takes it.  Found again every 256 runs, or when libFuzzer has
 * taken it between runs (its symbolizer keeps pipes).
 */
static int freefd = -1;

static int
lowest_free(void)
{
	static unsigned runs;

	if (freefd != -1 && ++runs % 256 != 0 && fcntl(freefd, F_GETFD) == -1)
		return freefd;
	if ((freefd = open("/dev/null", O_RDONLY | O_CLOEXEC)) != -1)
		(void)close(freefd);
	return freefd;
}

/* After a run (no more tracking): free what is left if 'drop'; empty. */
static void
live_reset(int drop)
{
	const void *keep1 = stdin->_IO_buf_base, *keep2 = stdout->_IO_buf_base;
	size_t i;

	for (i = 0; i < live_cap && live_used > 0; i++) {
		const void *p = live[i];
		if (drop && p != NULL && p != TOMB && p != keep1 && p != keep2)
			free((void *)(uintptr_t)p);
		if (p != NULL)
			live_used--;
		live[i] = NULL;
	}
	live_used = live_count = 0;
	if (live_cap > 65536) { /* a big run: do not sweep it every time */
		(void)munmap(live, live_cap * sizeof(*live));
		live = NULL;
		live_cap = 0;
	}
}

/* Run program 'p' on 'argv' (argv[argc] NULL); its exit status. */
static int
run(const struct prog *p, int argc, char *argv[])
{
	FILE *open[MAXSTREAMS];
	volatile int status;
	size_t n, i;
	long threads;
	int firstfd;

	optind = 0; /* glibc: initialise getopt again */
	opterr = 1;
	optarg = NULL;
	optopt = '?';
	program_invocation_short_name = (char *)(uintptr_t)p->name;
	program_invocation_name = (char *)(uintptr_t)p->name;
	am_atomic_set_mode(AM_MODE_UMASK);
	if (freopen("stdin.csv", "r", stdin) == NULL)
		abort();
	firstfd = lowest_free();
	threads = nthreads();
	streams_mark();
	atomic_store(&tracking, 1);
	if (setjmp(back) == 0) {
		status = p->main(argc, argv);
		atomic_store(&tracking, 0);
		live_reset(0);
	} else {
		status = back_status;
		/* as exit() or _exit() would: close streams, free memory */
		n = streams_new(open);
		for (i = 0; i < n; i++) {
			if (exit_now)
				__fpurge(open[i]);
			(void)fclose(open[i]);
		}
		if (exit_now)
			__fpurge(stdout);
		exit_now = 0;
		/* stdio frees what it holds for stdin before we free the rest */
		if (freopen("stdin.csv", "r", stdin) == NULL)
			abort();
		atomic_store(&tracking, 0);
		live_reset(1);
	}
	if (!threads_settle(threads)) {
		(void)dprintf(logfd, "%s: %ld threads before, %ld after\n",
		    p->name, threads, nthreads());
		abort();
	}
	if (streams_new(open) != 0) {
		(void)dprintf(logfd, "%s: a stream left open\n", p->name);
		abort();
	}
	if (fcntl(firstfd, F_GETFD) != -1) {
		(void)dprintf(logfd, "%s: file descriptor %d left open\n",
		    p->name, firstfd);
		abort();
	}
	(void)fflush(stdout);
	clearerr(stdout);
	return status;
}

static void __attribute__((noreturn)) die(const char *what)
{
	(void)dprintf(logfd, "fuzz_argv: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void
put_file(const char *name, const char *data, size_t len)
{
	FILE *fp = fopen(name, "wb");

	if (fp == NULL || fwrite(data, 1, len, fp) != len || fclose(fp) != 0)
		die(name);
}

/* Read 'name' into memory and remember it as a fixture. */
static void
keep_fixture(const char *name)
{
	struct fixture *f = &fix[nfix++];
	struct stat st;
	FILE *fp;

	if (nfix > sizeof(fix) / sizeof(fix[0]) || stat(name, &st) != 0 ||
	    (fp = fopen(name, "rb")) == NULL)
		die(name);
	f->name = name;
	f->len = (size_t)st.st_size;
	if ((f->data = malloc(f->len + 1)) == NULL ||
	    fread(f->data, 1, f->len, fp) != f->len)
		die(name);
	(void)fclose(fp);
	f->ino = st.st_ino;
}

/* Make a fixture by running a program, stdout to 'out' if not NULL. */
static void
make(const char *out, const char *prog, ...)
{
	char *argv[MAXARGS + 1];
	const struct prog *p = NULL;
	va_list ap;
	size_t i;
	int argc = 0, fd = -1, saved = -1, status;

	for (i = 0; i < NPROGS; i++)
		if (strcmp(progs[i].name, prog) == 0)
			p = &progs[i];
	argv[argc++] = (char *)(uintptr_t)prog;
	va_start(ap, prog);
	while ((argv[argc] = va_arg(ap, char *)) != NULL && argc < MAXARGS)
		argc++;
	va_end(ap);
	argv[argc] = NULL;
	if (out != NULL) {
		(void)fflush(stdout);
		if ((fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0666)) ==
		        -1 ||
		    (saved = dup(STDOUT_FILENO)) == -1 ||
		    dup2(fd, STDOUT_FILENO) == -1)
			die(out);
	}
	status = run(p, argc, argv);
	if (out != NULL) {
		(void)fflush(stdout);
		(void)dup2(saved, STDOUT_FILENO);
		(void)close(saved);
		(void)close(fd);
	}
	if (status != 0) {
		(void)dprintf(logfd,
		    "fuzz_argv: making fixtures: %s: status %d\n", prog,
		    status);
		exit(1);
	}
}

/* Remove 'name' in the current folder, and what it holds. */
static void
rm_rf(int at, const char *name)
{
	struct dirent *de;
	DIR *d;
	int fd;

	if (unlinkat(at, name, 0) == 0 || errno == ENOENT)
		return;
	if ((fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW)) ==
	        -1 ||
	    (d = fdopendir(fd)) == NULL) {
		if (fd != -1)
			(void)close(fd);
		return;
	}
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0)
			rm_rf(dirfd(d), de->d_name);
	(void)closedir(d);
	(void)unlinkat(at, name, AT_REMOVEDIR);
}

static const struct fixture *
find_fixture(const char *name)
{
	size_t i;

	for (i = 0; i < nfix; i++)
		if (strcmp(fix[i].name, name) == 0)
			return &fix[i];
	return NULL;
}

/* Bring the scratch folder back to its fixtures, if a run changed it. */
static void
restore(void)
{
	struct dirent *de;
	struct stat st;
	DIR *d;
	size_t i;

	if (stat(".", &st) == 0 && st.st_mtim.tv_sec == scratch_mtime.tv_sec &&
	    st.st_mtim.tv_nsec == scratch_mtime.tv_nsec)
		return;
	if ((d = opendir(".")) == NULL)
		die(scratch);
	while ((de = readdir(d)) != NULL) {
		const struct fixture *f = find_fixture(de->d_name);
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (f == NULL || lstat(de->d_name, &st) != 0 ||
		    !S_ISREG(st.st_mode) || st.st_ino != f->ino)
			rm_rf(AT_FDCWD, de->d_name);
	}
	(void)closedir(d);
	for (i = 0; i < nfix; i++) {
		if (stat(fix[i].name, &st) == 0)
			continue;
		put_file(fix[i].name, fix[i].data, fix[i].len);
		if (stat(fix[i].name, &st) != 0)
			die(fix[i].name);
		fix[i].ino = st.st_ino;
	}
	if (stat(".", &st) != 0)
		die(scratch);
	scratch_mtime = st.st_mtim;
}

/*
 * Remove the scratch folders under 'base' left by harnesses that died (a
 * crash found, a kill): their names hold the pid.
 */
static void
remove_stale(const char *base)
{
	struct dirent *de;
	DIR *d;
	long pid;
	char *end;
	int fd;

	if ((d = opendir(base)) == NULL)
		return;
	fd = dirfd(d);
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, "am-fuzz-argv.", 13) != 0)
			continue;
		pid = strtol(de->d_name + 13, &end, 10);
		if (*end == '.' && pid > 0 && kill((pid_t)pid, 0) == -1 &&
		    errno == ESRCH)
			rm_rf(fd, de->d_name);
	}
	(void)closedir(d);
}

static void
cleanup(void)
{
	if (scratch[0] != '\0' && chdir("/") == 0)
		rm_rf(AT_FDCWD, scratch);
}

/*
 * Add -close_fd_mask=3 to libFuzzer's flags, and -dict=FUZZ_DICT (the
 * long options of every program) when it exists, unless given.
 */
static void
add_flags(int *argc, char ***argv)
{
	static char mask[] = "-close_fd_mask=3", dict[] = "-dict=" FUZZ_DICT;
	int i, n = 0, has_mask = 0, has_dict = access(FUZZ_DICT, R_OK) != 0;
	char **v;

	for (i = 1; i < *argc; i++) {
		has_mask |= strncmp((*argv)[i], "-close_fd_mask=", 15) == 0;
		has_dict |= strncmp((*argv)[i], "-dict=", 6) == 0;
	}
	if ((v = calloc((size_t)*argc + 3, sizeof(*v))) == NULL)
		die("flags");
	v[n++] = (*argv)[0];
	if (!has_mask)
		v[n++] = mask;
	if (!has_dict)
		v[n++] = dict;
	for (i = 1; i < *argc; i++)
		v[n++] = (*argv)[i];
	*argc = n;
	*argv = v; /* kept for the life of the process */
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";

	add_flags(argc, argv);
	logfd = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
	(void)nthreads(); /* opens its file for good */
	(void)__sanitizer_install_malloc_and_free_hooks(on_malloc, on_free);
	(void)setenv("LC_ALL", "C", 1);
	(void)setenv("SOURCE_DATE_EPOCH", "0", 1);
	remove_stale(base);
	(void)snprintf(scratch, sizeof(scratch), "%s/am-fuzz-argv.%ld.XXXXXX",
	    base, (long)getpid());
	if (mkdtemp(scratch) == NULL)
		die(scratch);
	(void)atexit(cleanup);
	if ((home = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1 ||
	    chdir(scratch) != 0)
		die(scratch);
	put_file("stdin.csv", small_csv, sizeof(small_csv) - 1);
	put_file("small.csv", small_csv, sizeof(small_csv) - 1);
	put_file("train.csv", train_csv, sizeof(train_csv) - 1);
	put_file("syn.svm", syn_svm, sizeof(syn_svm) - 1);
	put_file("events.csv", events_csv, sizeof(events_csv) - 1);
	put_file("notdir", "x\n", 2);
	make("train.bin", "am-features", "-t", "y", "-i", "id", "--to", "bin",
	    "train.csv", (char *)NULL);
	make("/dev/null", "am-features", "-q", "-t", "y", "-o", "feat.amm",
	    "small.csv", (char *)NULL);
	make("seg.bin", "am-features", "-i", "id", "--drop", "y", "--to", "bin",
	    "train.csv", (char *)NULL);
	make(NULL, "am-train", "-q", "-a", "logreg", "-t", "y", "-o",
	    "model.amm", "train.bin", (char *)NULL);
	make(NULL, "am-train", "-q", "-a", "kmeans", "-k", "2", "-o", "km.amm",
	    "seg.bin", (char *)NULL);
	make("scores.csv", "am-predict", "-m", "model.amm", "train.bin",
	    (char *)NULL);
	make("clean.csv", "am-clean", "-q", "-o", "clean.amm", "small.csv",
	    (char *)NULL);
	make(NULL, "am-train", "-q", "-a", "itemknn", "-o", "rec.amm",
	    "events.csv", (char *)NULL);
	keep_fixture("stdin.csv");
	keep_fixture("small.csv");
	keep_fixture("train.csv");
	keep_fixture("syn.svm");
	keep_fixture("events.csv");
	keep_fixture("notdir");
	keep_fixture("train.bin");
	keep_fixture("seg.bin");
	keep_fixture("feat.amm");
	keep_fixture("model.amm");
	keep_fixture("km.amm");
	keep_fixture("scores.csv");
	keep_fixture("clean.csv");
	keep_fixture("clean.amm");
	keep_fixture("rec.amm");
	scratch_mtime.tv_sec = -1;
	restore();
	freefd = -1;           /* make() held descriptors that runs will not */
	if (fchdir(home) != 0) /* libFuzzer's paths are relative to it */
		die("fchdir");
	return 0;
}

/*
 * May 'w' run?  No '/' except right after "notdir", and no number
 * above 'maxnum' (unless it is beyond any option's range).
 */
static int
word_ok(const char *w, double maxnum)
{
	const char *s;
	char *end;
	double v;

	for (s = w; (s = strchr(s, '/')) != NULL; s++)
		if (s - w < 6 || strncmp(s - 6, "notdir", 6) != 0)
			return 0;
	for (s = w; *s != '\0'; s++) {
		if (!(*s >= '0' && *s <= '9'))
			continue;
		v = strtod(s, &end); /* also 1e9, 0x1p30 */
		if (isfinite(v) && fabs(v) > maxnum && fabs(v) < 1e13)
			return 0;
		if (end > s)
			s = end - 1; /* the digits of 1e999 are one number */
	}
	return 1;
}

/* Does one line of 'text' start with 'prefix'? */
static int
has_line(const char *text, const char *prefix)
{
	size_t n = strlen(prefix);
	const char *s;

	for (s = text; s != NULL; s = strchr(s, '\n'))
		if (strncmp(s += *s == '\n', prefix, n) == 0)
			return 1;
	return 0;
}

/* Check what a run wrote on stderr against its status. */
static void
check_stderr(const struct prog *p, int status)
{
	char buf[8192], prefix[32];
	ssize_t n;

	if (capture == -1 ||
	    (status != AM_EXIT_USAGE && status != AM_EXIT_FAILURE))
		return;
	n = pread(capture, buf, sizeof(buf) - 1, capture_off);
	buf[n > 0 ? n : 0] = '\0';
	(void)snprintf(prefix, sizeof(prefix), "%s: ", p->name);
	if (status == AM_EXIT_USAGE && !has_line(buf, "usage:") &&
	    !has_line(buf, prefix)) {
		(void)dprintf(logfd, "%s: status 2 without usage: [%s]\n",
		    p->name, buf);
		abort();
	}
	if (status == AM_EXIT_FAILURE && !has_line(buf, prefix)) {
		(void)dprintf(logfd, "%s: status 1 without a message: [%s]\n",
		    p->name, buf);
		abort();
	}
}

/* Once libFuzzer has put /dev/null behind stderr, capture it instead. */
static void
start_capture(void)
{
	static int done;
	struct stat a, b;
	int fd;

	if (done)
		return;
	done = 1;
	/* with -close_fd_mask=0 (not /dev/null), leave stderr for a person */
	if (fstat(STDERR_FILENO, &a) == 0 && stat("/dev/null", &b) == 0 &&
	    S_ISCHR(a.st_mode) && a.st_rdev == b.st_rdev) {
		if ((fd = memfd_create("fuzz_argv-stderr", MFD_CLOEXEC)) ==
		        -1 ||
		    dup2(fd, STDERR_FILENO) == -1)
			die("memfd");
		capture = fd;
	}
}

int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	const struct prog *p;
	char *buf, *argv[MAXARGS + 1], *s, *nl;
	double maxnum = MAXNUM;
	int argc = 0, status, i;

	if (size < 1)
		return 0;
	p = &progs[data[0] % NPROGS];
	if ((buf = malloc(size)) == NULL)
		return 0;
	memcpy(buf, data + 1, size - 1);
	buf[size - 1] = '\0';
	argv[argc++] = (char *)(uintptr_t)p->name;
	for (s = buf; size > 1 && argc < MAXARGS; s = nl + 1) {
		if ((nl = memchr(s, '\n', (size_t)(buf + size - 1 - s))) !=
		    NULL)
			*nl = '\0';
		argv[argc++] = s;
		/* --hash BITS makes 2^BITS columns */
		if (strncmp(s, "--ha", 4) == 0)
			maxnum = MAXBITS;
		if (nl == NULL)
			break;
	}
	argv[argc] = NULL;
	for (i = 1; i < argc; i++)
		if (!word_ok(argv[i], maxnum)) {
			free(buf);
			return 0;
		}
	start_capture();
	/* the run writes at the end of what runs before it wrote */
	if (capture != -1 &&
	    ((capture_off = lseek(capture, 0, SEEK_CUR)) == -1 ||
	        (capture_off > (1 << 20) &&
	            (ftruncate(capture, 0) != 0 ||
	                (capture_off = lseek(capture, 0, SEEK_SET)) != 0))))
		die("memfd");
	if (chdir(scratch) != 0)
		die(scratch);
	status = run(p, argc, argv);
	if (status < 0 || status > 3) {
		(void)dprintf(logfd, "%s: status %d\n", p->name, status);
		abort();
	}
	check_stderr(p, status);
	restore();
	if (fchdir(home) != 0)
		die("fchdir");
	free(buf);
	return 0;
}
