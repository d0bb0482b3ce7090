/* SPDX-License-Identifier: MIT */
/*
 * am_buf.h -- little-endian binary encoding with bounds-checked decoding,
 * shared by the artifact container, its payloads and the binary feature
 * stream.
 *
 * A struct am_buf grows as values are appended; an error (out of memory)
 * is sticky and reported once by am_buf_error(), so encoders can append
 * without checking every call.  A struct am_rd reads from borrowed bytes;
 * every read checks the remaining length, and the first failure is
 * sticky too: after it every read yields zeros and am_rd_error() is
 * nonzero.  Decoding hostile bytes can therefore never read out of bounds;
 * callers check am_rd_error() before trusting what they decoded, and
 * check any count against am_rd_left() before allocating for it.
 *
 * Integers are fixed width little-endian; doubles are their IEEE-754 bit
 * pattern as a u64; strings are a u32 length and the bytes (no NUL).
 */
#ifndef AM_BUF_H
#define AM_BUF_H

#include <stddef.h>
#include <stdint.h>

struct am_buf {
	unsigned char *data;
	size_t len, cap;
	int oom; /* sticky: an append failed */
};

/* An empty buffer; am_buf_release() frees its data. */
/* clang-format off */
#define AM_BUF_INIT { NULL, 0, 0, 0 }
/* clang-format on */
void am_buf_release(struct am_buf *b);

void am_buf_put(struct am_buf *b, const void *p, size_t n);
void am_buf_u8(struct am_buf *b, uint8_t v);
void am_buf_u32(struct am_buf *b, uint32_t v);
void am_buf_u64(struct am_buf *b, uint64_t v);
void am_buf_f64(struct am_buf *b, double v);
void am_buf_str(struct am_buf *b, const char *s);
/* 'n' doubles, in order. */
void am_buf_f64s(struct am_buf *b, const double *v, size_t n);

/* Nonzero if any append failed (out of memory). */
int am_buf_error(const struct am_buf *b);

struct am_rd {
	const unsigned char *p;
	size_t left;
	int bad; /* sticky: a read went past the end or was malformed */
};

void am_rd_init(struct am_rd *r, const void *data, size_t len);
uint8_t am_rd_u8(struct am_rd *r);
uint32_t am_rd_u32(struct am_rd *r);
uint64_t am_rd_u64(struct am_rd *r);
double am_rd_f64(struct am_rd *r);
/* Copy 'n' bytes into 'out' (zeros after an error). */
void am_rd_get(struct am_rd *r, void *out, size_t n);
/*
 * A string: returns a new NUL-terminated copy to free() (NULL after an
 * error, or when out of memory, which also sets the error), refusing
 * strings holding a NUL byte or longer than 'max' bytes.
 */
char *am_rd_str(struct am_rd *r, size_t max);
/* 'n' doubles into 'out'; fails without reading if fewer remain. */
void am_rd_f64s(struct am_rd *r, double *out, size_t n);

/* Bytes left; nonzero if a read failed. */
size_t am_rd_left(const struct am_rd *r);
int am_rd_error(const struct am_rd *r);

#endif
