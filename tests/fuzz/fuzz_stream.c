/* SPDX-License-Identifier: MIT */
/*
 * fuzz_stream.c -- the binary feature stream reader (am-stream(5)).  The
 * first input byte picks the options, the rest is the stream:
 *
 *   bit 0     recompute every checksum (header and blocks) before reading,
 *             so that mutations reach the parsers behind the checksums
 *   bit 1     force AM_FS_BIN (else detect by the magic)
 *   bit 2     expect target "y"
 *   bit 3     expect id column "id"
 */
#include <stdint.h>

#include "fuzz.h"
#include "rows.h"

static uint32_t
u32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static void
put64(unsigned char *p, uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

/* Walk the framing (header, blocks, concatenated streams) fixing sums. */
static void
fix_sums(unsigned char *p, size_t n)
{
	size_t pos = 0, len;

	while (pos + 24 <= n && am_fs_is_bin(p + pos, n - pos)) {
		len = u32(p + pos + 12);
		if (len > n - pos - 24)
			return;
		put64(p + pos + 16, am_fs_checksum(p + pos + 24, len));
		pos += 24 + len;
		while (pos + 16 <= n && !am_fs_is_bin(p + pos, n - pos)) {
			uint32_t rows = u32(p + pos);
			len = u32(p + pos + 4);
			if (len > n - pos - 16)
				return;
			put64(p + pos + 8, am_fs_checksum(p + pos + 16, len));
			pos += 16 + len;
			if (rows == 0)
				break;
		}
	}
}

int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static const char *const ids[] = { "id" };
	struct am_fs_opts o = AM_FS_OPTS_INIT;
	unsigned char *buf;

	if (size < 1)
		return 0;
	if ((buf = malloc(size)) == NULL)
		return 0;
	memcpy(buf, data + 1, size - 1);
	if (data[0] & 1)
		fix_sums(buf, size - 1);
	o.format = (data[0] & 2) ? AM_FS_BIN : AM_FS_DETECT;
	if (data[0] & 4)
		o.target = "y";
	if (data[0] & 8) {
		o.ids = ids;
		o.nid = 1;
	}
	fuzz_rows(buf, size - 1, &o);
	free(buf);
	return 0;
}
