/* SPDX-License-Identifier: MIT */
/*
 * am_rand.h -- a seeded pseudo-random generator that gives the same
 * numbers on every platform and libc: xoshiro256** seeded through
 * splitmix64 (Blackman and Vigna).  Never rand(3).  The state is a plain
 * struct owned by the caller; there is no global generator, so threads
 * and tests each keep their own.
 */
#ifndef AM_RAND_H
#define AM_RAND_H

#include <stddef.h>
#include <stdint.h>

/* The seed every command uses when -s is not given. */
#define AM_DEFAULT_SEED 1u

struct am_rand {
	uint64_t s[4];
};

/* Seed 'r' from 'seed'; every seed, 0 included, gives a valid state. */
void am_rand_seed(struct am_rand *r, uint64_t seed);

/* The next 64 random bits. */
uint64_t am_rand_u64(struct am_rand *r);

/* A uniform double in [0, 1), with 53 random bits. */
double am_rand_unif(struct am_rand *r);

/* A uniform integer in [0, 'n'), without modulo bias; 'n' > 0. */
uint64_t am_rand_below(struct am_rand *r, uint64_t n);

/* A standard normal deviate (Marsaglia's polar method). */
double am_rand_normal(struct am_rand *r);

/* Shuffle 'idx[0 .. n)' in place (Fisher-Yates). */
void am_rand_shuffle(struct am_rand *r, size_t *idx, size_t n);

/*
 * A stable 64-bit hash of 'len' bytes mixed with 'seed' (for seeded
 * splits that must not depend on row order, and for feature hashing).
 */
uint64_t am_hash64(const void *data, size_t len, uint64_t seed);

#endif
