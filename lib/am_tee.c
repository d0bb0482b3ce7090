/* SPDX-License-Identifier: MIT */
/*
 * am_tee.c -- a hashing pass-through stream over fopencookie() or
 * funopen().  The custom stream gets a large buffer of its own, so its
 * write function runs once per 64 KiB: one fwrite() and one fflush() of
 * the underlying stream, and one SHA-256 update, per buffer.
 */
#if defined(__APPLE__) || defined(__FreeBSD__) || defined(__OpenBSD__) || \
    defined(__NetBSD__) || defined(__DragonFly__)
#define USE_FUNOPEN 1
#undef _POSIX_C_SOURCE /* funopen() is hidden in a strict POSIX build */
#else
#define _GNU_SOURCE /* fopencookie() */
#endif

#include <errno.h>
#include <stdlib.h>
#include <sys/types.h>

#include <nettle/sha2.h>

#include "am_tee.h"

#include "am_banned.h"

#define TEE_BUF (64 * 1024)

struct am_tee {
	FILE *fp;  /* the tee's own stream */
	FILE *out; /* borrowed */
	int failed;
	uint64_t bytes;
	struct sha256_ctx sha;
};

/* Pass 'n' bytes on; the count written, or -1 (funopen), 0 (cookie). */
static long
pass(struct am_tee *t, const char *buf, size_t n)
{
	if (t->failed || fwrite(buf, 1, n, t->out) != n ||
	    fflush(t->out) != 0) {
		t->failed = 1;
		return -1;
	}
	sha256_update(&t->sha, n, (const uint8_t *)buf);
	t->bytes += n;
	return (long)n;
}

#ifdef USE_FUNOPEN
static int
tee_write(void *cookie, const char *buf, int n)
{
	return n <= 0 ? 0 : (int)pass(cookie, buf, (size_t)n);
}

static FILE *
open_stream(struct am_tee *t)
{
	return funopen(t, NULL, tee_write, NULL, NULL);
}
#else
static ssize_t
tee_write(void *cookie, const char *buf, size_t n)
{
	/* fopencookie(3): return 0, never a negative count, on error */
	return pass(cookie, buf, n) < 0 ? 0 : (ssize_t)n;
}

static FILE *
open_stream(struct am_tee *t)
{
	cookie_io_functions_t io = { NULL, tee_write, NULL, NULL };

	return fopencookie(t, "w", io);
}
#endif

struct am_tee *
am_tee_open(FILE *fp, struct am_err *err)
{
	struct am_tee *t;

	if ((t = calloc(1, sizeof(*t))) == NULL ||
	    (t->out = fp, t->fp = open_stream(t)) == NULL) {
		free(t);
		am_seterr(err, AM_ENOMEM, "out of memory");
		return NULL;
	}
	sha256_init(&t->sha);
	(void)setvbuf(t->fp, NULL, _IOFBF, TEE_BUF);
	return t;
}

FILE *
am_tee_fp(struct am_tee *t)
{
	return t->fp;
}

int
am_tee_close(struct am_tee *t, char hex[65], uint64_t *bytes,
    struct am_err *err)
{
	static const char digits[] = "0123456789abcdef";
	unsigned char d[SHA256_DIGEST_SIZE];
	size_t i;
	int failed;

	if (t == NULL)
		return 0;
	if (fclose(t->fp) != 0 || ferror(t->out))
		t->failed = 1;
	failed = t->failed;
	sha256_digest(&t->sha, sizeof(d), d);
	if (hex != NULL) {
		for (i = 0; i < sizeof(d); i++) {
			hex[2 * i] = digits[d[i] >> 4];
			hex[2 * i + 1] = digits[d[i] & 15];
		}
		hex[2 * sizeof(d)] = '\0';
	}
	if (bytes != NULL)
		*bytes = t->bytes;
	free(t);
	if (failed)
		return am_seterr_sys(err, errno ? errno : EIO, "write error");
	return 0;
}
