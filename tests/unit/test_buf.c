/* SPDX-License-Identifier: MIT */
/*
 * test_buf.c -- am_buf/am_rd: exact little-endian bytes, round trips,
 * and reads past the end that fail, stick, and yield zeros.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "am_buf.h"
#include "unit.h"

static void
test_bytes(void)
{
	static const unsigned char want[] = { 0x7f, 0x04, 0x03, 0x02, 0x01,
		0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01, 0x02, 0x00,
		0x00, 0x00, 'h', 'i', 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xf0,
		0x3f };
	struct am_buf b = AM_BUF_INIT;

	am_buf_u8(&b, 0x7f);
	am_buf_u32(&b, 0x01020304u);
	am_buf_u64(&b, 0x0102030405060708ull);
	am_buf_str(&b, "hi");
	am_buf_f64(&b, 1.0); /* 0x3ff0000000000000 */
	CHECK(!am_buf_error(&b));
	CHECK(b.len == sizeof(want));
	CHECK(b.len == sizeof(want) && memcmp(b.data, want, b.len) == 0);
	am_buf_release(&b);
	CHECK(b.data == NULL && b.len == 0 && b.cap == 0);
}

static void
test_round_trip(void)
{
	double v[5] = { 0.0, -0.0, 1e-310, -HUGE_VAL, 3.141592653589793 };
	double w[5];
	struct am_buf b = AM_BUF_INIT;
	struct am_rd r;
	char *s, *e;
	size_t i;

	am_buf_u32(&b, UINT32_MAX);
	am_buf_u64(&b, UINT64_MAX);
	am_buf_f64(&b, (double)NAN);
	am_buf_f64s(&b, v, 5);
	am_buf_str(&b, "caf\xc3\xa9");
	am_buf_str(&b, "");
	for (i = 0; i < 100000; i++) /* forces many reallocs */
		am_buf_u8(&b, (uint8_t)i);
	CHECK(!am_buf_error(&b));
	CHECK(b.len == 4 + 8 + 8 + 40 + 9 + 4 + 100000);

	am_rd_init(&r, b.data, b.len);
	CHECK(am_rd_u32(&r) == UINT32_MAX);
	CHECK(am_rd_u64(&r) == UINT64_MAX);
	CHECK(isnan(am_rd_f64(&r)));
	am_rd_f64s(&r, w, 5);
	CHECK(memcmp(v, w, sizeof(v)) == 0); /* bit for bit, -0.0 too */
	s = am_rd_str(&r, 100);
	CHECK(s != NULL && strcmp(s, "caf\xc3\xa9") == 0);
	e = am_rd_str(&r, 0);
	CHECK(e != NULL && *e == '\0');
	free(s);
	free(e);
	for (i = 0; i < 100000; i++)
		if (am_rd_u8(&r) != (uint8_t)i)
			break;
	CHECK(i == 100000);
	CHECK(am_rd_left(&r) == 0 && !am_rd_error(&r));
	/* One more byte: sticky failure and a zero. */
	CHECK(am_rd_u8(&r) == 0);
	CHECK(am_rd_error(&r));
	am_buf_release(&b);
}

static void
test_bounds(void)
{
	static const unsigned char d[] = { 1, 2, 3, 4, 5, 6, 7 };
	unsigned char out[4] = { 9, 9, 9, 9 };
	double w[2] = { 5, 5 };
	struct am_rd r;

	/* A u64 from 7 bytes fails, then even a u8 that would fit fails. */
	am_rd_init(&r, d, sizeof(d));
	CHECK(am_rd_u64(&r) == 0);
	CHECK(am_rd_error(&r));
	CHECK(am_rd_u8(&r) == 0);
	CHECK(am_rd_left(&r) == 0);

	am_rd_init(&r, d, sizeof(d));
	CHECK(am_rd_u32(&r) == 0x04030201u);
	am_rd_get(&r, out, 4); /* 3 left */
	CHECK(am_rd_error(&r));
	CHECK(out[0] == 0 && out[3] == 0);

	/* f64s refuses without reading when too few remain. */
	am_rd_init(&r, d, sizeof(d));
	am_rd_f64s(&r, w, 1);
	CHECK(am_rd_error(&r) && w[0] == 0.0 && w[1] == 5.0);

	/* NULL data with length is an empty reader. */
	am_rd_init(&r, NULL, 100);
	CHECK(am_rd_left(&r) == 0);
	CHECK(am_rd_u8(&r) == 0 && am_rd_error(&r));
}

static void
test_strings(void)
{
	struct am_buf b = AM_BUF_INIT;
	struct am_rd r;
	char *s;

	/* Longer than 'max'. */
	am_buf_str(&b, "abcdef");
	am_rd_init(&r, b.data, b.len);
	CHECK(am_rd_str(&r, 5) == NULL && am_rd_error(&r));
	am_rd_init(&r, b.data, b.len);
	s = am_rd_str(&r, 6);
	CHECK(s != NULL && strcmp(s, "abcdef") == 0);
	free(s);

	/* A length past the end: refused without allocating 4 GB. */
	am_buf_release(&b);
	am_buf_u32(&b, UINT32_MAX);
	am_buf_put(&b, "xy", 2);
	am_rd_init(&r, b.data, b.len);
	CHECK(am_rd_str(&r, SIZE_MAX) == NULL && am_rd_error(&r));

	/* An embedded NUL. */
	am_buf_release(&b);
	am_buf_u32(&b, 3);
	am_buf_put(&b, "a\0b", 3);
	am_rd_init(&r, b.data, b.len);
	CHECK(am_rd_str(&r, 10) == NULL && am_rd_error(&r));

	/* Cut inside the length. */
	am_rd_init(&r, b.data, 3);
	CHECK(am_rd_str(&r, 10) == NULL && am_rd_error(&r));
	am_buf_release(&b);
}

static void
test_empty_put(void)
{
	struct am_buf b = AM_BUF_INIT;

	am_buf_put(&b, NULL, 0);
	am_buf_f64s(&b, NULL, 0);
	CHECK(b.len == 0 && !am_buf_error(&b));
	am_buf_release(&b);
}

int
main(void)
{
	test_bytes();
	test_round_trip();
	test_bounds();
	test_strings();
	test_empty_put();
	return unit_failures;
}
