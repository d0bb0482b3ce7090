/* SPDX-License-Identifier: MIT */
/*
 * test_rand.c -- am_rand gives the published generator's numbers, the
 * same for the same seed, and well-formed bounded draws and shuffles.
 *
 * The expected outputs were computed once by an independent Python
 * reimplementation of splitmix64 and xoshiro256** written from Blackman
 * and Vigna's reference descriptions (64-bit masks on Python integers),
 * not from lib/am_rand.c.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "am_rand.h"
#include "unit.h"

static const uint64_t seed1[] = { 0xb3f2af6d0fc710c5ULL, 0x853b559647364ceaULL,
	0x92f89756082a4514ULL, 0x642e1c7bc266a3a7ULL, 0xb27a48e29a233673ULL };
static const uint64_t seed0[] = { 0x99ec5f36cb75f2b4ULL, 0xbf6e1f784956452aULL,
	0x1a5f849d4933e6e0ULL, 0x6aa594f1262d2d2cULL, 0xbba5ad4a1f842e59ULL };

static void
test_known(void)
{
	struct am_rand r;
	size_t i;

	am_rand_seed(&r, 1);
	for (i = 0; i < 5; i++)
		CHECK(am_rand_u64(&r) == seed1[i]);
	am_rand_seed(&r, 0);
	for (i = 0; i < 5; i++)
		CHECK(am_rand_u64(&r) == seed0[i]);
	/* (0xb3f2af6d0fc710c5 >> 11) * 2^-53, from the same script */
	am_rand_seed(&r, 1);
	CHECK(am_rand_unif(&r) == 0.7029218331588505);
}

static void
test_same_seed(void)
{
	struct am_rand a, b, c;
	int i, differ = 0;

	am_rand_seed(&a, 42);
	am_rand_seed(&b, 42);
	am_rand_seed(&c, 43);
	for (i = 0; i < 1000; i++) {
		uint64_t x = am_rand_u64(&a);

		CHECK(x == am_rand_u64(&b));
		differ += x != am_rand_u64(&c);
	}
	CHECK(differ > 990);
}

static void
test_ranges(void)
{
	struct am_rand r;
	uint64_t hist[7] = { 0 }, n;
	double u, sum = 0.0, sq = 0.0, z;
	int i, ok = 1;

	am_rand_seed(&r, 7);
	for (i = 0; i < 70000; i++) {
		n = am_rand_below(&r, 7);
		if (n >= 7) {
			ok = 0;
			break;
		}
		hist[n]++;
	}
	CHECK(ok);
	for (i = 0; i < 7; i++) /* 10000 expected, sd ~ 93 */
		CHECK(hist[i] > 9500 && hist[i] < 10500);
	for (i = 0; i < 1000; i++)
		CHECK(am_rand_below(&r, 1) == 0);
	/* a bound above 2^63 exercises the rejection loop */
	for (i = 0; i < 1000; i++)
		CHECK(am_rand_below(&r, 0xc000000000000000ULL) <
		    0xc000000000000000ULL);
	for (i = 0; i < 100000; i++) {
		u = am_rand_unif(&r);
		ok &= u >= 0.0 && u < 1.0;
		z = am_rand_normal(&r);
		sum += z;
		sq += z * z;
	}
	CHECK(ok);
	CHECK_NEAR(sum / 100000, 0.0, 0.02); /* sd of the mean ~ 0.003 */
	CHECK_NEAR(sq / 100000, 1.0, 0.03);
}

static void
test_shuffle(void)
{
	struct am_rand r, r2;
	size_t idx[100], idx2[100], seen[100], i, moved = 0;

	for (i = 0; i < 100; i++)
		idx[i] = idx2[i] = i;
	am_rand_seed(&r, 5);
	am_rand_seed(&r2, 5);
	am_rand_shuffle(&r, idx, 100);
	am_rand_shuffle(&r2, idx2, 100);
	memset(seen, 0, sizeof seen);
	for (i = 0; i < 100; i++) {
		CHECK(idx[i] < 100);
		if (idx[i] < 100)
			seen[idx[i]]++;
		moved += idx[i] != i;
		CHECK(idx[i] == idx2[i]);
	}
	for (i = 0; i < 100; i++)
		CHECK(seen[i] == 1);
	CHECK(moved > 80);
	am_rand_shuffle(&r, idx, 0); /* no-ops */
	am_rand_shuffle(&r, idx, 1);
}

static void
test_hash(void)
{
	CHECK(am_hash64("abc", 3, 1) == am_hash64("abc", 3, 1));
	CHECK(am_hash64("abc", 3, 1) != am_hash64("abc", 3, 2));
	CHECK(am_hash64("abc", 3, 1) != am_hash64("abd", 3, 1));
}

int
main(void)
{
	test_known();
	test_same_seed();
	test_ranges();
	test_shuffle();
	test_hash();
	return unit_failures;
}
