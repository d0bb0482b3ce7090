/* SPDX-License-Identifier: MIT */
/*
 * am_io.c -- buffered, hashing byte source and atomic file output.
 * SHA-256 comes from nettle (a well-kept library, not a home-made copy).
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nettle/sha2.h>

#include "am_io.h"

#include "am_banned.h"

/*
 * The read buffer starts at AM_SRC_PEEK_MAX bytes (the most a peek needs)
 * and doubles up to BUFSZ once the input has outgrown it, so that a small
 * input costs one small allocation and a large one is read in large
 * chunks.
 */
#define BUFSZ (256 * 1024)

struct am_src {
	FILE *fp;
	char *name;
	unsigned char *buf;
	size_t cap;      /* bytes at 'buf' */
	size_t pos, len; /* unconsumed bytes are buf[pos .. len) */
	int eof, own, hashing, started;
	uint64_t bytes;
	struct sha256_ctx sha;
};

static struct am_src *
src_new(FILE *fp, const char *name, int own, struct am_err *err)
{
	struct am_src *s;

	if ((s = calloc(1, sizeof(*s))) == NULL ||
	    (s->buf = malloc(AM_SRC_PEEK_MAX)) == NULL ||
	    (s->name = strdup(name)) == NULL) {
		if (s != NULL)
			free(s->buf);
		free(s);
		am_seterr(err, AM_ENOMEM, "out of memory");
		return NULL;
	}
	s->cap = AM_SRC_PEEK_MAX;
	s->fp = fp;
	s->own = own;
	return s;
}

struct am_src *
am_src_open(const char *path, struct am_err *err)
{
	struct am_src *s;
	FILE *fp;

	if (path == NULL || strcmp(path, "-") == 0)
		return src_new(stdin, "<stdin>", 0, err);
	if ((fp = fopen(path, "rb")) == NULL) {
		am_seterr_sys(err, errno, "cannot open '%s'", path);
		return NULL;
	}
	if ((s = src_new(fp, path, 1, err)) == NULL)
		(void)fclose(fp);
	return s;
}

struct am_src *
am_src_fdopen(FILE *fp, const char *name, struct am_err *err)
{
	struct am_src *s = src_new(fp, name, fp != stdin, err);

	if (s == NULL && fp != stdin)
		(void)fclose(fp);
	return s;
}

void
am_src_close(struct am_src *s)
{
	if (s == NULL)
		return;
	if (s->own)
		(void)fclose(s->fp);
	free(s->buf);
	free(s->name);
	free(s);
}

const char *
am_src_name(const struct am_src *s)
{
	return s->name;
}

/*
 * Move unconsumed bytes to the front and read more with ONE read(2), so
 * that a record arriving on a pipe is seen as soon as it is written
 * (stdio's fread would wait for a full buffer).  0 or AM_EIO.
 */
static int
fill(struct am_src *s, struct am_err *err)
{
	ssize_t n;

	if (s->eof)
		return 0;
	if (s->pos > 0) {
		memmove(s->buf, s->buf + s->pos, s->len - s->pos);
		s->len -= s->pos;
		s->pos = 0;
	}
	if (s->cap < BUFSZ && s->bytes + s->len >= s->cap) {
		/* the input outgrew the buffer; keep it if realloc fails */
		unsigned char *nb = realloc(s->buf, 2 * s->cap);
		if (nb != NULL) {
			s->buf = nb;
			s->cap *= 2;
		}
	}
	if (s->len == s->cap)
		return 0;
	if (fileno(s->fp) == -1) { /* a memory stream (fmemopen): no fd */
		n = (ssize_t)fread(s->buf + s->len, 1, s->cap - s->len, s->fp);
		if (n == 0 && ferror(s->fp))
			return am_seterr_sys(err, EIO, "%s: read error",
			    s->name);
	} else {
		do
			n = read(fileno(s->fp), s->buf + s->len,
			    s->cap - s->len);
		while (n == -1 && errno == EINTR);
		if (n == -1)
			return am_seterr_sys(err, errno, "%s: read error",
			    s->name);
	}
	if (n == 0)
		s->eof = 1;
	s->len += (size_t)n;
	return 0;
}

static void
consume(struct am_src *s, const unsigned char *p, size_t n)
{
	s->started = 1;
	s->bytes += n;
	if (s->hashing)
		sha256_update(&s->sha, n, p);
}

int
am_src_peek(struct am_src *s, size_t want, const unsigned char **p, size_t *n,
    struct am_err *err)
{
	if (want > AM_SRC_PEEK_MAX)
		want = AM_SRC_PEEK_MAX;
	while (s->len - s->pos < want && !s->eof)
		if (fill(s, err) != 0)
			return AM_EIO;
	*p = s->buf + s->pos;
	*n = s->len - s->pos;
	return 0;
}

int
am_src_next_chunk(struct am_src *s, const unsigned char **p, size_t *n,
    struct am_err *err)
{
	if (s->pos == s->len) {
		s->pos = s->len = 0;
		if (fill(s, err) != 0)
			return AM_EIO;
	}
	*p = s->buf + s->pos;
	*n = s->len - s->pos;
	consume(s, *p, *n);
	s->pos = s->len;
	return 0;
}

long
am_src_read(struct am_src *s, void *buf, size_t n, struct am_err *err)
{
	unsigned char *out = buf;
	size_t got = 0, k;

	if (n > (size_t)LONG_MAX)
		n = (size_t)LONG_MAX;
	while (got < n) {
		if (s->pos == s->len) {
			s->pos = s->len = 0;
			if (fill(s, err) != 0)
				return AM_EIO;
			if (s->len == 0)
				break;
		}
		k = s->len - s->pos;
		if (k > n - got)
			k = n - got;
		memcpy(out + got, s->buf + s->pos, k);
		consume(s, s->buf + s->pos, k);
		s->pos += k;
		got += k;
	}
	return (long)got;
}

uint64_t
am_src_bytes(const struct am_src *s)
{
	return s->bytes;
}

void
am_src_hash(struct am_src *s)
{
	if (s->started)
		return;
	s->hashing = 1;
	sha256_init(&s->sha);
}

static void
tohex(const unsigned char *d, size_t n, char *hex)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		hex[2 * i] = digits[d[i] >> 4];
		hex[2 * i + 1] = digits[d[i] & 15];
	}
	hex[2 * n] = '\0';
}

void
am_src_sha256(struct am_src *s, char hex[65])
{
	unsigned char d[SHA256_DIGEST_SIZE];
	struct sha256_ctx copy;

	if (!s->hashing) {
		hex[0] = '\0';
		return;
	}
	copy = s->sha;
	sha256_digest(&copy, sizeof(d), d);
	tohex(d, sizeof(d), hex);
}

void
am_sha256(const void *data, size_t len, unsigned char out[32])
{
	struct sha256_ctx c;

	sha256_init(&c);
	sha256_update(&c, len, data);
	sha256_digest(&c, SHA256_DIGEST_SIZE, out);
}

void
am_sha256_hex(const void *data, size_t len, char hex[65])
{
	unsigned char d[32];

	am_sha256(data, len, d);
	tohex(d, sizeof(d), hex);
}

struct am_atomic {
	FILE *fp;
	char *path, *tmp;
	int slot; /* in the signal cleanup table, or -1 */
};

/*
 * Temporary files to remove on a fatal signal (see am_io.h).  This is
 * the one piece of mutable global state in am_io: a fixed table, so that
 * the handler needs no allocation and no lock.  A slot is free (0),
 * being filled (1) or live (2); the handler only reads live slots.
 */
#define TMP_SLOTS 16
static struct {
	atomic_int state;
	char path[PATH_MAX];
} tmp_slot[TMP_SLOTS];
static atomic_flag tmp_handled = ATOMIC_FLAG_INIT;

static void
on_fatal_signal(int sig)
{
	size_t i;

	for (i = 0; i < TMP_SLOTS; i++)
		if (atomic_load(&tmp_slot[i].state) == 2)
			(void)unlink(tmp_slot[i].path);
	/* die of the same signal, so the status still tells it */
	(void)signal(sig, SIG_DFL);
	(void)raise(sig);
}

/* Catch the signals that the program leaves at their default action. */
static void
tmp_install(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa, old;
	size_t i;

	if (atomic_flag_test_and_set(&tmp_handled))
		return;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_fatal_signal;
	(void)sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (sigaction(sigs[i], NULL, &old) == 0 &&
		    !(old.sa_flags & SA_SIGINFO) && old.sa_handler == SIG_DFL)
			(void)sigaction(sigs[i], &sa, NULL);
}

/* Record 'path' for removal on a signal; the slot, or -1 if none. */
static int
tmp_remember(const char *path)
{
	size_t n = strlen(path), i;
	int expect;

	if (n >= PATH_MAX)
		return -1;
	for (i = 0; i < TMP_SLOTS; i++) {
		expect = 0;
		if (atomic_compare_exchange_strong(&tmp_slot[i].state, &expect,
		        1)) {
			memcpy(tmp_slot[i].path, path, n + 1);
			atomic_store(&tmp_slot[i].state, 2);
			tmp_install();
			return (int)i;
		}
	}
	return -1;
}

static void
tmp_forget(int slot)
{
	if (slot >= 0)
		atomic_store(&tmp_slot[slot].state, 0);
}

/*
 * The mode of new files (am_atomic_set_mode()): process-wide, like the
 * umask it stands in for, and set by a program before it writes.
 */
static int file_mode = AM_MODE_UMASK;

void
am_atomic_set_mode(int mode)
{
	file_mode = mode >= 0 && mode <= 07777 ? mode : AM_MODE_UMASK;
}

struct am_atomic *
am_atomic_open(const char *path, struct am_err *err)
{
	struct am_atomic *a;
	size_t n = strlen(path) + sizeof(".tmp.XXXXXX");
	struct stat st;
	mode_t mask;
	int fd;

	/* A rename would replace a device or FIFO (as root, /dev/null) */
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		am_seterr(err, AM_EIO,
		    "'%s' is not a regular file (outputs replace a file whole)",
		    path);
		return NULL;
	}
	if ((a = calloc(1, sizeof(*a))) == NULL ||
	    (a->path = strdup(path)) == NULL || (a->tmp = malloc(n)) == NULL) {
		if (a != NULL)
			free(a->path);
		free(a);
		am_seterr(err, AM_ENOMEM, "out of memory");
		return NULL;
	}
	(void)snprintf(a->tmp, n, "%s.tmp.XXXXXX", path);
	if ((fd = mkstemp(a->tmp)) == -1) {
		am_seterr_sys(err, errno, "cannot create '%s'", path);
		goto fail;
	}
	if (file_mode >= 0) {
		(void)fchmod(fd, (mode_t)file_mode);
	} else {
		mask = umask(0);
		(void)umask(mask);
		(void)fchmod(fd, 0666 & ~mask);
	}
	if ((a->fp = fdopen(fd, "wb")) == NULL) {
		am_seterr_sys(err, errno, "cannot create '%s'", path);
		(void)close(fd);
		(void)unlink(a->tmp);
		goto fail;
	}
	a->slot = tmp_remember(a->tmp);
	return a;
fail:
	free(a->tmp);
	free(a->path);
	free(a);
	return NULL;
}

FILE *
am_atomic_fp(struct am_atomic *a)
{
	return a->fp;
}

static void
atomic_free(struct am_atomic *a)
{
	/* after the rename or unlink: a signal before it still cleans up */
	tmp_forget(a->slot);
	free(a->tmp);
	free(a->path);
	free(a);
}

void
am_atomic_abort(struct am_atomic *a)
{
	if (a == NULL)
		return;
	if (a->fp != NULL)
		(void)fclose(a->fp);
	(void)unlink(a->tmp);
	atomic_free(a);
}

/* fsync the folder holding 'path' so that the rename is durable. */
static void
sync_dir(const char *path)
{
	char *copy = strdup(path);
	int fd;

	if (copy == NULL)
		return;
	if ((fd = open(dirname(copy), O_RDONLY | O_DIRECTORY)) != -1) {
		(void)fsync(fd);
		(void)close(fd);
	}
	free(copy);
}

int
am_atomic_commit(struct am_atomic *a, struct am_err *err)
{
	FILE *fp = a->fp;
	int e = 0;

	a->fp = NULL;
	if (fflush(fp) != 0 || ferror(fp))
		e = errno ? errno : EIO;
	if (e == 0 && fsync(fileno(fp)) != 0)
		e = errno;
	if (fclose(fp) != 0 && e == 0)
		e = errno ? errno : EIO;
	if (e == 0 && rename(a->tmp, a->path) != 0)
		e = errno;
	if (e != 0) {
		am_seterr_sys(err, e, "cannot write '%s'", a->path);
		(void)unlink(a->tmp);
		atomic_free(a);
		return AM_EIO;
	}
	sync_dir(a->path);
	atomic_free(a);
	return 0;
}

int
am_write_file_atomic(const char *path, const void *data, size_t len,
    struct am_err *err)
{
	struct am_atomic *a;

	if ((a = am_atomic_open(path, err)) == NULL)
		return AM_EIO;
	if (len > 0 && fwrite(data, 1, len, am_atomic_fp(a)) != len) {
		am_seterr_sys(err, errno ? errno : EIO, "cannot write '%s'",
		    path);
		am_atomic_abort(a);
		return AM_EIO;
	}
	return am_atomic_commit(a, err);
}

int
am_read_file(const char *path, size_t max, unsigned char **out, size_t *len,
    struct am_err *err)
{
	struct am_src *s;
	unsigned char *buf = NULL, *nb;
	size_t cap = 0, n = 0;
	long got;

	if ((s = am_src_open(path, err)) == NULL)
		return AM_EIO;
	for (;;) {
		if (n == cap) {
			if (cap > max) {
				free(buf);
				am_src_close(s);
				return am_seterr(err, AM_ELIMIT,
				    "%s: larger than %zu bytes", path, max);
			}
			cap = cap ? 2 * cap : 65536;
			if ((nb = realloc(buf, cap)) == NULL) {
				free(buf);
				am_src_close(s);
				return am_seterr(err, AM_ENOMEM,
				    "out of memory");
			}
			buf = nb;
		}
		if ((got = am_src_read(s, buf + n, cap - n, err)) < 0) {
			free(buf);
			am_src_close(s);
			return AM_EIO;
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
	am_src_close(s);
	if (n > max) {
		free(buf);
		return am_seterr(err, AM_ELIMIT, "%s: larger than %zu bytes",
		    path, max);
	}
	*out = buf;
	*len = n;
	return 0;
}
