/* SPDX-License-Identifier: MIT */
/*
 * test_dtoa.c -- am_dtoa_g15() against snprintf "%.15g", byte for byte:
 * hand-picked edges (ties, carries, the ends of fixed notation, signed
 * zeros, subnormals, infinities, NaN), then millions of random doubles
 * drawn several ways (every bit pattern, the fast range, probabilities,
 * short decimals, neighbours of powers of ten).
 */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "am_dtoa.h"
#include "am_rand.h"
#include "unit.h"

static long checked, shown;

static void
same(double v)
{
	char want[64], got[AM_DTOA_MAX];
	size_t n;
	int w;

	memset(got, 'x', sizeof(got));
	n = am_dtoa_g15(v, got);
	w = snprintf(want, sizeof(want), "%.15g", v);
	checked++;
	if (w < 0 || (size_t)w != n || strcmp(want, got) != 0) {
		if (shown++ < 10)
			(void)fprintf(stderr, "%a: want '%s', got '%s'\n", v,
			    want, got);
		unit_failures++;
	}
}

static double
from_bits(uint64_t u)
{
	double v;

	memcpy(&v, &u, sizeof(v));
	return v;
}

int
main(void)
{
	static const double edge[] = { 0.0, 1.0, -1.0, 0.5, 0.1, 0.2, 0.3, 1e-4,
		1e-5, 9.99999999999999e-5, 0.000099999999999999995,
		0.00009999999999999999, 1e14, 1e15, 999999999999999.0,
		999999999999999.4, 999999999999999.5, 999999999999999.6,
		99999999999999.95, 9.999999999999995, 0.9999999999999995,
		0.99999999999999995, 1234567890123.125, 1234567890123.375,
		1234567890123.625, 1234567890123.875, 0.0001220703125,
		12345678901234.5, 12345678901233.5, 2.5, 3.5, 0.125, 1.0 / 3.0,
		2.0 / 3.0, 123456789012345678.0, 1e300, 1e-300, DBL_MAX,
		DBL_MIN, DBL_EPSILON, 4.9406564584124654e-324,
		2.2250738585072009e-308, 0.30000000000000004, 100.0, 1e-3,
		0.0012, 5e-324, 1125899906842624.0, 562949953421312.125 };
	struct am_rand r;
	size_t i;
	long j;
	int d;

	for (i = 0; i < sizeof(edge) / sizeof(edge[0]); i++) {
		same(edge[i]);
		same(-edge[i]);
		same(nextafter(edge[i], 0.0));
		same(nextafter(edge[i], HUGE_VAL));
	}
	same(-0.0);
	same(HUGE_VAL);
	same(-HUGE_VAL);
	same(nan(""));
	same(-nan(""));
	/* neighbours of every power of ten and of its halfway points */
	for (d = -330; d <= 310; d++) {
		double t = pow(10.0, d), h = 5.0 * pow(10.0, d - 16);
		same(t);
		same(nextafter(t, 0.0));
		same(nextafter(t, HUGE_VAL));
		same(t - h);
		same(-(t + h));
	}
	am_rand_seed(&r, 42);
	for (j = 0; j < 1000000; j++) /* any bit pattern */
		same(from_bits(am_rand_u64(&r)));
	for (j = 0; j < 1000000; j++) /* the fast range, any exponent */
		same((am_rand_unif(&r) - 0.5) *
		    pow(10.0, (double)am_rand_below(&r, 22) - 6.0));
	for (j = 0; j < 1000000; j++) { /* probabilities, as scores are */
		double z = 8.0 * am_rand_normal(&r);
		same(1.0 / (1.0 + exp(-z)));
	}
	for (j = 0; j < 500000; j++) { /* short decimals: 1.25, 0.003 */
		double n = (double)am_rand_below(&r, 2000000) - 1000000.0;
		same(n / pow(10.0, (double)am_rand_below(&r, 10)));
	}
	/* exact ties at the 16th digit: integers + k/8 around 10^13 */
	for (j = 0; j < 200000; j++)
		same((double)(am_rand_below(&r, 8000000000000ull) +
		         1000000000000ull) +
		    (double)am_rand_below(&r, 8) / 8.0);
	CHECK(checked > 3500000);
	if (unit_failures > 0)
		(void)fprintf(stderr, "%d of %ld differ\n", unit_failures,
		    checked);
	return unit_failures != 0;
}
