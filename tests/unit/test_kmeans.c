/* SPDX-License-Identifier: MIT */
/*
 * test_kmeans.c -- k-means: Hamerly's bounds give plain Lloyd's result
 * (checked against a naive Lloyd written here from the same seeding), any
 * thread count gives the same bits, k-means++ on duplicates, the
 * silhouette against a hand computation, mini-batch close to full.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "am_kmeans.h"
#include "am_segeval.h"
#include "am_pool.h"
#include "am_rand.h"
#include "unit.h"

/* 'n' rows of 'd' values around 'k' well-spread centers. */
static double *
blobs(size_t n, size_t d, size_t k, uint64_t seed)
{
	struct am_rand r;
	double *x = malloc(n * d * sizeof(double));
	size_t i, j;

	am_rand_seed(&r, seed);
	for (i = 0; i < n; i++) {
		size_t c = (size_t)am_rand_below(&r, k);
		for (j = 0; j < d; j++)
			x[i * d + j] = 3.0 * (double)((c * 7 + j * 3) % 5) +
			    am_rand_normal(&r);
	}
	return x;
}

/* Plain Lloyd from 'c' until no center moves; the inertia. */
static double
naive_lloyd(const double *x, size_t n, size_t d, size_t k, double *c)
{
	double *s = calloc(k * d, sizeof(double)), *cnt = calloc(k, 8), in = 0;
	size_t *a = calloc(n, sizeof(size_t)), i, j, q, it;

	for (it = 0; it < 1000; it++) {
		int moved = 0;
		memset(s, 0, k * d * sizeof(double));
		memset(cnt, 0, k * sizeof(double));
		for (i = 0; i < n; i++) {
			double best = HUGE_VAL;
			for (q = 0; q < k; q++) {
				double t = 0;
				for (j = 0; j < d; j++)
					t += (x[i * d + j] - c[q * d + j]) *
					    (x[i * d + j] - c[q * d + j]);
				if (t < best) {
					best = t;
					a[i] = q;
				}
			}
			cnt[a[i]] += 1;
			for (j = 0; j < d; j++)
				s[a[i] * d + j] += x[i * d + j];
		}
		for (q = 0; q < k; q++)
			for (j = 0; j < d; j++) {
				double v = cnt[q] > 0 ? s[q * d + j] / cnt[q]
				                      : c[q * d + j];
				if (v != c[q * d + j])
					moved = 1;
				c[q * d + j] = v;
			}
		if (!moved)
			break;
	}
	for (i = 0; i < n; i++)
		for (j = 0; j < d; j++)
			in += (x[i * d + j] - c[a[i] * d + j]) *
			    (x[i * d + j] - c[a[i] * d + j]);
	free(s);
	free(cnt);
	free(a);
	return in;
}

static void
test_hamerly_is_lloyd(void)
{
	size_t n = 900, d = 3, k = 5, q;
	double *x = blobs(n, d, k, 42), *c = malloc(k * d * sizeof(double));
	struct am_kmeans_params p = AM_KMEANS_PARAMS_INIT;
	struct am_kmeans km;
	struct am_rand r;
	double in;

	p.k = k;
	p.tol = 0;
	p.max_iter = 1000;
	p.seed = 9;
	CHECK(am_kmeans_fit(&km, x, n, d, &p, NULL) == 0);
	/* The same seeding as the first restart of am_kmeans_fit(). */
	am_rand_seed(&r, 9);
	CHECK(am_kmeans_pp(x, n, d, k, &r, NULL, c, NULL) == 0);
	in = naive_lloyd(x, n, d, k, c);
	CHECK_NEAR(km.inertia, in, 1e-9 * in);
	for (q = 0; q < k * d; q++)
		CHECK_NEAR(km.centers[q], c[q], 1e-12);
	CHECK(km.converged);
	am_kmeans_release(&km);
	free(x);
	free(c);
}

static void
test_threads_same_bits(void)
{
	size_t n = 5000, d = 4, k = 6;
	double *x = blobs(n, d, k, 7);
	struct am_kmeans_params p = AM_KMEANS_PARAMS_INIT;
	struct am_kmeans a, b;
	struct am_pool *pool = am_pool_new(3, NULL);

	p.k = k;
	p.restarts = 2;
	CHECK(am_kmeans_fit(&a, x, n, d, &p, NULL) == 0);
	p.pool = pool;
	CHECK(am_kmeans_fit(&b, x, n, d, &p, NULL) == 0);
	CHECK(memcmp(a.centers, b.centers, k * d * sizeof(double)) == 0);
	CHECK(a.inertia == b.inertia);
	CHECK(a.iter == b.iter);
	am_kmeans_release(&a);
	am_kmeans_release(&b);
	am_pool_free(pool);
	free(x);
}

static void
test_degenerate(void)
{
	double x[] = { 1, 1, 1, 1, 1, 1, 2, 2 }; /* 4 rows, 2 distinct */
	struct am_kmeans_params p = AM_KMEANS_PARAMS_INIT;
	struct am_kmeans km;
	struct am_err e = { 0 };
	size_t q;

	p.k = 4;
	CHECK(am_kmeans_fit(&km, x, 4, 2, &p, NULL) == 0);
	CHECK(km.inertia == 0);
	for (q = 0; q < 8; q++)
		CHECK(isfinite(km.centers[q]));
	am_kmeans_release(&km);
	p.k = 5;
	CHECK(am_kmeans_fit(&km, x, 4, 2, &p, &e) == AM_EARG);
	CHECK(strcmp(e.msg, "k 5 is larger than the 4 rows") == 0);
	CHECK(km.centers == NULL);
}

static void
test_silhouette(void)
{
	/* 1-D rows 0, 1 | 4, 6: by hand
	 * row 0: a = 1, b = (4 + 6) / 2 = 5, s = 4/5
	 * row 1: a = 1, b = (3 + 5) / 2 = 4, s = 3/4
	 * row 4: a = 2, b = (4 + 3) / 2 = 3.5, s = 1.5/3.5
	 * row 6: a = 2, b = (6 + 5) / 2 = 5.5, s = 3.5/5.5 */
	double x[] = { 0, 1, 4, 6 };
	uint32_t lab[] = { 0, 0, 1, 1 }, one[] = { 0, 0, 0, 0 };
	double want = (0.8 + 0.75 + 1.5 / 3.5 + 3.5 / 5.5) / 4;

	CHECK_NEAR(am_silhouette(x, 4, 1, lab, 2), want, 1e-15);
	CHECK(isnan(am_silhouette(x, 4, 1, one, 2)));
}

static void
test_minibatch(void)
{
	size_t n = 6000, d = 2, k = 4;
	double *x = blobs(n, d, k, 3);
	struct am_kmeans_params p = AM_KMEANS_PARAMS_INIT;
	struct am_kmeans full, mb;

	p.k = k;
	p.restarts = 3;
	CHECK(am_kmeans_fit(&full, x, n, d, &p, NULL) == 0);
	p.batch = 256;
	CHECK(am_kmeans_fit(&mb, x, n, d, &p, NULL) == 0);
	CHECK(mb.inertia >= full.inertia * (1 - 1e-12));
	CHECK(mb.inertia <= full.inertia * 1.02);
	am_kmeans_release(&full);
	am_kmeans_release(&mb);
	free(x);
}

static void
test_tasks(void)
{
	size_t chunk, n;

	CHECK(am_seg_tasks(10, &chunk) == 1 && chunk == 1024);
	CHECK(am_seg_tasks(2049, &chunk) == 3);
	n = am_seg_tasks(1000000, &chunk);
	CHECK(n == 64 && chunk * 64 >= 1000000);
}

/* Greedy matching of centers, closest pair first. */
static void
test_match(void)
{
	double a[6] = { 0, 0, 10, 0, 0, 10 }, b[6] = { 0, 9, 1, 1, 9, 0 };
	size_t perm[3];
	unsigned char used[6];

	am_seg_match(a, b, 3, 2, perm, used);
	CHECK(perm[0] == 1 && perm[1] == 2 && perm[2] == 0);
}

/* Update and merge against hand computations (1-D, k = 2). */
static void
test_update_merge(void)
{
	double c[2] = { 0, 10 }, sz[2] = { 2, 2 }, x[3] = { 1, 9, 11 };
	double c2[2] = { 0, 10 }, s2[2] = { 1, 3 }, c3[2] = { 11, 1 },
	       s3[2] = { 1, 1 };
	struct am_kmeans km = { 0 }, a = { 0 }, b = { 0 }, mg;
	const struct am_kmeans *src[2];

	km.k = a.k = b.k = 2;
	km.d = a.d = b.d = 1;
	km.centers = c;
	km.size = sz;
	/* One batch: (2 * 0 + 1) / 3 and (2 * 10 + 9 + 11) / 4. */
	CHECK(am_kmeans_update(&km, x, 3, 1, 100, 1, 1, NULL, NULL) == 0);
	CHECK_NEAR(c[0], 1.0 / 3, 1e-15);
	CHECK_NEAR(c[1], 10, 1e-15);
	CHECK(sz[0] == 3 && sz[1] == 4);
	CHECK_NEAR(km.inertia, 4.0 / 9 + 2, 1e-12);
	/* Half-weighted old counts: (1 * 10 + 9 + 11) / 3. */
	c[0] = 0;
	c[1] = 10;
	sz[0] = sz[1] = 2;
	CHECK(am_kmeans_update(&km, x, 3, 0.5, 100, 1, 1, NULL, NULL) == 0);
	CHECK_NEAR(c[0], 0.5, 1e-15);
	CHECK_NEAR(c[1], 10, 1e-15);
	CHECK(sz[0] == 2 && sz[1] == 3);
	/* Merge: b's 1 pairs with a's 0, b's 11 with a's 10. */
	a.centers = c2;
	a.size = s2;
	a.inertia = 2;
	b.centers = c3;
	b.size = s3;
	src[0] = &a;
	src[1] = &b;
	CHECK(am_kmeans_merge(&mg, src, 2, NULL) == 0);
	CHECK_NEAR(mg.centers[0], 0.5, 1e-15);
	CHECK_NEAR(mg.centers[1], 10.25, 1e-15);
	CHECK(mg.size[0] == 2 && mg.size[1] == 4);
	CHECK_NEAR(mg.inertia, 3.25, 1e-12);
	am_kmeans_release(&mg);
	b.k = 3;
	CHECK(am_kmeans_merge(&mg, src, 2, NULL) == AM_EMODEL);
}

int
main(void)
{
	test_hamerly_is_lloyd();
	test_threads_same_bits();
	test_degenerate();
	test_silhouette();
	test_minibatch();
	test_tasks();
	test_match();
	test_update_merge();
	return unit_failures;
}
