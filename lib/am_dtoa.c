/* SPDX-License-Identifier: MIT */
/*
 * am_dtoa.c -- "%.15g" without printf (see am_dtoa.h).
 *
 * A finite positive double is m * 2^e with an integer m < 2^53.  When it
 * lies in [1e-4, 1e15) its decimal exponent p (10^p <= v < 10^(p+1)) is
 * in [-4, 14], and v * 10^(14 - p) = m * 10^k / 2^s with k = 14 - p in
 * [0, 18] and s = -e in [3, 66].  The numerator is below 2^53 * 10^18 <
 * 2^113, so one unsigned 128-bit product and a shift give the integer
 * part q (the fifteen digits) and the exact remainder, from which the
 * rounding is decided exactly: up when the remainder is above one half,
 * to even when it is exactly one half (glibc rounds the exact binary
 * value to nearest, ties to even).  Rounding up may carry into a
 * sixteenth digit (999999999999999.5 -> 1e15): then the exponent grows,
 * and the value leaves the fast path when that makes it 15.
 *
 * %g prints fixed notation when -4 <= p <= 14 after rounding, with
 * trailing zeros (and a trailing point) removed; the fast path writes
 * that form and leaves the exponent form to snprintf.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "am_dtoa.h"

#include "am_banned.h"

__extension__ typedef unsigned __int128 u128;

static const uint64_t pow10[19] = {
	1ull,
	10ull,
	100ull,
	1000ull,
	10000ull,
	100000ull,
	1000000ull,
	10000000ull,
	100000000ull,
	1000000000ull,
	10000000000ull,
	100000000000ull,
	1000000000000ull,
	10000000000000ull,
	100000000000000ull,
	1000000000000000ull,
	10000000000000000ull,
	100000000000000000ull,
	1000000000000000000ull,
};

#define LO15 100000000000000ull  /* 10^14: the smallest 15-digit q */
#define HI15 1000000000000000ull /* 10^15 */

static size_t
slow(double v, char *buf)
{
	int n = snprintf(buf, AM_DTOA_MAX, "%.15g", v);

	return n > 0 ? (size_t)n : 0;
}

size_t
am_dtoa_g15(double v, char *buf)
{
	uint64_t bits, m, q;
	u128 num, rem, half;
	int be, e, s, p, k, tries;
	char dig[15], *o = buf;
	size_t nd, i;

	memcpy(&bits, &v, sizeof(bits));
	be = (int)((bits >> 52) & 0x7ff);
	/* zero and subnormals (be 0), infinities and NaN (0x7ff) */
	if (be == 0 || be == 0x7ff)
		return slow(v, buf);
	m = (bits & ((1ull << 52) - 1)) | (1ull << 52);
	e = be - 1075; /* v = m * 2^e */
	/* e > -3: v >= 2^50 > 1e15; e < -66: v < 2^-14 < 1e-4 */
	if (e > -3 || e < -66)
		return slow(v, buf);
	s = -e;
	/* A first guess of p from the binary exponent, then exact checks. */
	p = (int)((double)(e + 52) * 0.30102999566398120);
	if (e + 52 < 0)
		p--;
	for (tries = 0;; tries++) {
		k = 14 - p;
		if (k < 0 || k > 18 || tries > 4)
			return slow(v, buf);
		num = (u128)m * pow10[k];
		q = (uint64_t)(num >> s);
		if (q >= HI15)
			p++;
		else if (q < LO15)
			p--;
		else
			break;
	}
	rem = num & (((u128)1 << s) - 1);
	half = (u128)1 << (s - 1);
	if (rem > half || (rem == half && (q & 1)))
		q++;
	if (q == HI15) {
		q = LO15;
		p++;
	}
	if (p > 14)
		return slow(v, buf); /* 1e+15: exponent notation */
	for (i = 15; i-- > 0;) {
		dig[i] = (char)('0' + q % 10);
		q /= 10;
	}
	for (nd = 15; dig[nd - 1] == '0'; nd--)
		; /* dig[0] is not '0': q >= 10^14 */
	if (bits >> 63)
		*o++ = '-';
	if (p >= 0) {
		size_t ni = (size_t)p + 1;
		memcpy(o, dig, ni);
		o += ni;
		if (nd > ni) {
			*o++ = '.';
			memcpy(o, dig + ni, nd - ni);
			o += nd - ni;
		}
	} else {
		*o++ = '0';
		*o++ = '.';
		for (i = 0; i < (size_t)(-p - 1); i++)
			*o++ = '0';
		memcpy(o, dig, nd);
		o += nd;
	}
	*o = '\0';
	return (size_t)(o - buf);
}
