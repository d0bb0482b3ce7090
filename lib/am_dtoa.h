/* SPDX-License-Identifier: MIT */
/*
 * am_dtoa.h -- doubles to text, fast and byte for byte as printf does.
 *
 * Data is printed with "%.15g" (STYLE.md); formatting scores is most of
 * what am-predict spends its time on, and glibc's printf is general and
 * slow (a format parser, multi-precision arithmetic, locale lookups).
 * am_dtoa_g15() writes exactly the bytes of snprintf(buf, n, "%.15g", v)
 * under the C locale, and takes a fast path for the values data is made
 * of: finite numbers printed in fixed notation (magnitudes from 1e-4 to
 * below 1e15).  There the fifteen significant digits are computed
 * exactly, in 128-bit integer arithmetic, and rounded to nearest with
 * ties to even as glibc does; every other value (zero, subnormals, huge
 * and tiny numbers written with an exponent, infinities, NaN) goes to
 * snprintf.
 */
#ifndef AM_DTOA_H
#define AM_DTOA_H

#include <stddef.h>

/* Bytes enough for any "%.15g" output and its NUL ("-1.23456789012345e-308"). */
#define AM_DTOA_MAX 32

/*
 * Write 'v' as "%.15g" does into 'buf' (AM_DTOA_MAX bytes at least), NUL
 * terminated.  Returns the length written, without the NUL.  Thread
 * safe; keeps no state.
 */
size_t am_dtoa_g15(double v, char *buf);

#endif
