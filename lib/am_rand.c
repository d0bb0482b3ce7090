/* SPDX-License-Identifier: MIT */
/*
 * am_rand.c -- xoshiro256** and splitmix64, written from the published
 * descriptions.  Everything is in fixed-width unsigned arithmetic, so
 * results do not depend on the platform.
 */
#include <math.h>

#include "am_rand.h"

#include "am_banned.h"

static uint64_t
splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

void
am_rand_seed(struct am_rand *r, uint64_t seed)
{
	uint64_t x = seed;
	int i;

	for (i = 0; i < 4; i++)
		r->s[i] = splitmix64(&x);
}

uint64_t
am_rand_u64(struct am_rand *r)
{
	uint64_t *s = r->s;
	uint64_t out = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return out;
}

double
am_rand_unif(struct am_rand *r)
{
	return (double)(am_rand_u64(r) >> 11) * 0x1.0p-53;
}

uint64_t
am_rand_below(struct am_rand *r, uint64_t n)
{
	uint64_t x, lim = -n % n; /* 2^64 mod n */

	do
		x = am_rand_u64(r);
	while (x < lim);
	return x % n;
}

double
am_rand_normal(struct am_rand *r)
{
	double u, v, s;

	do {
		u = 2.0 * am_rand_unif(r) - 1.0;
		v = 2.0 * am_rand_unif(r) - 1.0;
		s = u * u + v * v;
	} while (s >= 1.0 || s == 0.0);
	return u * sqrt(-2.0 * log(s) / s);
}

void
am_rand_shuffle(struct am_rand *r, size_t *idx, size_t n)
{
	size_t i, j, t;

	for (i = n; i > 1; i--) {
		j = (size_t)am_rand_below(r, i);
		t = idx[i - 1];
		idx[i - 1] = idx[j];
		idx[j] = t;
	}
}

uint64_t
am_hash64(const void *data, size_t len, uint64_t seed)
{
	const unsigned char *p = data;
	uint64_t h = seed ^ 0xcbf29ce484222325ULL, x;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	x = h;
	return splitmix64(&x);
}
