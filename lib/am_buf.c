/* SPDX-License-Identifier: MIT */
/*
 * am_buf.c -- little-endian encoding into a growing buffer, and decoding
 * from borrowed bytes with every read bounds-checked.
 *
 * Both sides keep a sticky error flag instead of returning a status from
 * every call: an encoder appends a whole structure and asks once whether
 * it worked, and a decoder reads a whole header and asks once whether it
 * was all there.  After the first failure a buffer ignores appends and a
 * reader returns zeros, so a failed decode can never read out of bounds
 * or act on half-read garbage without the caller being able to tell.
 * Bytes are assembled by shifts, so the code is independent of the host
 * byte order and of alignment.
 */
#include <stdlib.h>
#include <string.h>

#include "am_buf.h"

#include "am_banned.h"

void
am_buf_release(struct am_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
	b->oom = 0;
}

/* Make room for 'n' more bytes; 0, or -1 (and the sticky flag set). */
static int
reserve(struct am_buf *b, size_t n)
{
	unsigned char *p;
	size_t cap;

	if (b->oom)
		return -1;
	if (n <= b->cap - b->len)
		return 0;
	if (n > SIZE_MAX - b->len) {
		b->oom = 1;
		return -1;
	}
	cap = b->cap ? b->cap : 256;
	while (cap < b->len + n)
		cap = cap > SIZE_MAX / 2 ? b->len + n : cap * 2;
	if ((p = realloc(b->data, cap)) == NULL) {
		b->oom = 1;
		return -1;
	}
	b->data = p;
	b->cap = cap;
	return 0;
}

void
am_buf_put(struct am_buf *b, const void *p, size_t n)
{
	if (n == 0 || reserve(b, n) != 0)
		return;
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

void
am_buf_u8(struct am_buf *b, uint8_t v)
{
	am_buf_put(b, &v, 1);
}

void
am_buf_u32(struct am_buf *b, uint32_t v)
{
	unsigned char d[4];
	int i;

	for (i = 0; i < 4; i++)
		d[i] = (unsigned char)(v >> (8 * i));
	am_buf_put(b, d, sizeof(d));
}

void
am_buf_u64(struct am_buf *b, uint64_t v)
{
	unsigned char d[8];
	int i;

	for (i = 0; i < 8; i++)
		d[i] = (unsigned char)(v >> (8 * i));
	am_buf_put(b, d, sizeof(d));
}

void
am_buf_f64(struct am_buf *b, double v)
{
	uint64_t u;

	memcpy(&u, &v, sizeof(u));
	am_buf_u64(b, u);
}

/*
 * A string longer than a u32 can describe cannot be encoded: that is
 * reported as a failed append rather than silently cut.
 */
void
am_buf_str(struct am_buf *b, const char *s)
{
	size_t n = strlen(s);

	if (n > UINT32_MAX) {
		b->oom = 1;
		return;
	}
	am_buf_u32(b, (uint32_t)n);
	am_buf_put(b, s, n);
}

void
am_buf_f64s(struct am_buf *b, const double *v, size_t n)
{
	size_t i;

	if (n > SIZE_MAX / 8 || reserve(b, 8 * n) != 0)
		return;
	for (i = 0; i < n; i++)
		am_buf_f64(b, v[i]);
}

int
am_buf_error(const struct am_buf *b)
{
	return b->oom;
}

void
am_rd_init(struct am_rd *r, const void *data, size_t len)
{
	r->p = data;
	r->left = data != NULL ? len : 0;
	r->bad = 0;
}

/* Consume 'n' bytes: a pointer to them, or NULL (and the flag set). */
static const unsigned char *
take(struct am_rd *r, size_t n)
{
	const unsigned char *p;

	if (r->bad)
		return NULL;
	if (n > r->left) {
		r->bad = 1;
		r->left = 0;
		return NULL;
	}
	p = r->p;
	r->p += n;
	r->left -= n;
	return p;
}

uint8_t
am_rd_u8(struct am_rd *r)
{
	const unsigned char *p = take(r, 1);

	return p != NULL ? p[0] : 0;
}

uint32_t
am_rd_u32(struct am_rd *r)
{
	const unsigned char *p = take(r, 4);
	uint32_t v = 0;
	int i;

	if (p != NULL)
		for (i = 3; i >= 0; i--)
			v = v << 8 | p[i];
	return v;
}

uint64_t
am_rd_u64(struct am_rd *r)
{
	const unsigned char *p = take(r, 8);
	uint64_t v = 0;
	int i;

	if (p != NULL)
		for (i = 7; i >= 0; i--)
			v = v << 8 | p[i];
	return v;
}

double
am_rd_f64(struct am_rd *r)
{
	uint64_t u = am_rd_u64(r);
	double v;

	memcpy(&v, &u, sizeof(v));
	return v;
}

void
am_rd_get(struct am_rd *r, void *out, size_t n)
{
	const unsigned char *p = take(r, n);

	if (n == 0)
		return;
	if (p != NULL)
		memcpy(out, p, n);
	else
		memset(out, 0, n);
}

char *
am_rd_str(struct am_rd *r, size_t max)
{
	const unsigned char *p;
	uint32_t n = am_rd_u32(r);
	char *s;

	if (r->bad)
		return NULL;
	if (n > max || n > r->left) {
		r->bad = 1;
		r->left = 0;
		return NULL;
	}
	p = take(r, n);
	if ((n > 0 && memchr(p, '\0', n) != NULL) ||
	    (s = malloc((size_t)n + 1)) == NULL) {
		r->bad = 1;
		r->left = 0;
		return NULL;
	}
	if (n > 0)
		memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

void
am_rd_f64s(struct am_rd *r, double *out, size_t n)
{
	size_t i;

	if (r->bad || n > r->left / 8) {
		r->bad = 1;
		r->left = 0;
		for (i = 0; i < n; i++)
			out[i] = 0.0;
		return;
	}
	for (i = 0; i < n; i++)
		out[i] = am_rd_f64(r);
}

size_t
am_rd_left(const struct am_rd *r)
{
	return r->left;
}

int
am_rd_error(const struct am_rd *r)
{
	return r->bad;
}
