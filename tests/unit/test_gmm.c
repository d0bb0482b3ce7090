/* SPDX-License-Identifier: MIT */
/*
 * test_gmm.c -- Gaussian mixtures: parameters recovered from a sampled
 * mixture, the same bits on any thread count, the log-density against
 * the closed form, posteriors summing to 1, parameter counts, the
 * covariance floor on singular data, a non-decreasing EM trace.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "am_gmm.h"
#include "am_pool.h"
#include "am_rand.h"
#include "unit.h"

#define LOG_2PI 1.8378770664093454836

/* n rows from two 2-D components: weights .6/.4, means (0,0) and (5,5),
 * covariances diag(1, 4) and [[1, .8], [.8, 1]]. */
static double *
sample(size_t n, uint64_t seed)
{
	struct am_rand r;
	double *x = malloc(n * 2 * sizeof(double)), z1, z2;
	size_t i;

	am_rand_seed(&r, seed);
	for (i = 0; i < n; i++) {
		z1 = am_rand_normal(&r);
		z2 = am_rand_normal(&r);
		if (am_rand_unif(&r) < 0.6) {
			x[2 * i] = z1;
			x[2 * i + 1] = 2 * z2;
		} else {
			x[2 * i] = 5 + z1;
			x[2 * i + 1] = 5 + 0.8 * z1 + 0.6 * z2;
		}
	}
	return x;
}

static void
test_recovery(void)
{
	size_t n = 20000, c0;
	double *x = sample(n, 5);
	struct am_gmm_params p = AM_GMM_PARAMS_INIT;
	struct am_gmm g;
	const double *s;
	int it;

	p.k = 2;
	p.cov = AM_GMM_FULL;
	CHECK(am_gmm_fit(&g, x, n, 2, &p, NULL) == 0);
	c0 = g.mu[0] < 2.5 ? 0 : 1; /* the component near (0, 0) */
	/* Tolerances: about 4 standard errors at n = 20000. */
	CHECK_NEAR(g.w[c0], 0.6, 0.015);
	CHECK_NEAR(g.mu[c0 * 2], 0, 0.04);
	CHECK_NEAR(g.mu[c0 * 2 + 1], 0, 0.08);
	CHECK_NEAR(g.mu[(1 - c0) * 2], 5, 0.04);
	CHECK_NEAR(g.mu[(1 - c0) * 2 + 1], 5, 0.04);
	s = g.sigma + c0 * 4;
	CHECK_NEAR(s[0], 1, 0.05);
	CHECK_NEAR(s[1], 0, 0.08);
	CHECK_NEAR(s[3], 4, 0.2);
	s = g.sigma + (1 - c0) * 4;
	CHECK_NEAR(s[0], 1, 0.06);
	CHECK_NEAR(s[1], 0.8, 0.05);
	CHECK_NEAR(s[3], 1, 0.06);
	CHECK(s[1] == s[2]);
	CHECK(g.converged);
	for (it = 1; it < g.iter; it++)
		CHECK(g.trace[it] >= g.trace[it - 1] - 1e-12);
	am_gmm_release(&g);
	free(x);
}

static void
test_threads(void)
{
	size_t n = 7000;
	double *x = sample(n, 11);
	struct am_gmm_params p = AM_GMM_PARAMS_INIT;
	struct am_gmm a, b;
	struct am_pool *pool = am_pool_new(4, NULL);
	int cov;

	p.k = 3;
	p.restarts = 2;
	for (cov = AM_GMM_FULL; cov <= AM_GMM_TIED; cov++) {
		p.cov = cov;
		p.pool = NULL;
		CHECK(am_gmm_fit(&a, x, n, 2, &p, NULL) == 0);
		p.pool = pool;
		CHECK(am_gmm_fit(&b, x, n, 2, &p, NULL) == 0);
		CHECK(a.loglik == b.loglik);
		CHECK(a.iter == b.iter);
		CHECK(memcmp(a.mu, b.mu, 6 * sizeof(double)) == 0);
		am_gmm_release(&a);
		am_gmm_release(&b);
	}
	am_pool_free(pool);
	free(x);
}

static void
test_density(void)
{
	/* One diagonal component: log N(x) by hand; two equal components:
	 * posteriors 1/2 each. */
	double w[2] = { 0.25, 0.75 }, mu[4] = { 1, 2, 1, 2 },
	       sg[4] = { 4, 9, 4, 9 }, x[2] = { 3, -1 }, post[2], scr[4];
	struct am_gmm g;
	double want, ll;

	memset(&g, 0, sizeof(g));
	g.k = 2;
	g.d = 2;
	g.cov = AM_GMM_DIAG;
	g.w = w;
	g.mu = mu;
	g.sigma = sg;
	CHECK(am_gmm_prepare(&g, NULL) == 0);
	want = -LOG_2PI - 0.5 * log(36) - 0.5 * (4.0 / 4 + 9.0 / 9);
	ll = am_gmm_score(&g, x, post, scr);
	CHECK_NEAR(ll, want, 1e-13);
	CHECK_NEAR(post[0], 0.25, 1e-15);
	CHECK_NEAR(post[1], 0.75, 1e-15);
	CHECK(am_gmm_nparams(&g) == 2 * 2 + 2 * 2 + 1);
	g.cov = AM_GMM_FULL;
	CHECK(am_gmm_nparams(&g) == 2 * 3 + 2 * 2 + 1);
	g.cov = AM_GMM_SPHERICAL;
	CHECK(am_gmm_nparams(&g) == 2 + 2 * 2 + 1);
	g.cov = AM_GMM_TIED;
	CHECK(am_gmm_nparams(&g) == 3 + 2 * 2 + 1);
	free(g.lconst);
	free(g.chol);
	/* Not positive definite: refused, not NaN. */
	{
		double bad[4] = { 1, 2, 2, 1 }, w1 = 1, m1[2] = { 0, 0 };
		struct am_gmm h;
		struct am_err e = { 0 };
		memset(&h, 0, sizeof(h));
		h.k = 1;
		h.d = 2;
		h.cov = AM_GMM_FULL;
		h.w = &w1;
		h.mu = m1;
		h.sigma = bad;
		CHECK(am_gmm_prepare(&h, &e) == AM_EARG);
		CHECK(strstr(e.msg, "not positive definite") != NULL);
		free(h.lconst);
		free(h.chol);
	}
}

static void
test_singular(void)
{
	/* A constant column and duplicated rows: the floor keeps it finite. */
	double x[16] = { 1, 7, 1, 7, 1, 7, 2, 7, 2, 7, 2, 7, 3, 7, 3, 7 };
	struct am_gmm_params p = AM_GMM_PARAMS_INIT;
	struct am_gmm g;
	int cov;

	p.k = 3;
	for (cov = AM_GMM_FULL; cov <= AM_GMM_TIED; cov++) {
		p.cov = cov;
		CHECK(am_gmm_fit(&g, x, 8, 2, &p, NULL) == 0);
		CHECK(isfinite(g.loglik));
		am_gmm_release(&g);
	}
	p.k = 9;
	CHECK(am_gmm_fit(&g, x, 8, 2, &p, NULL) == AM_EARG);
}

/* Mean log-density of the n rows at x under g. */
static double
meanll(const struct am_gmm *g, const double *x, size_t n)
{
	double scratch[16], s = 0;
	size_t i;

	for (i = 0; i < n; i++)
		s += am_gmm_score(g, x + i * g->d, NULL, scratch);
	return s / (double)n;
}

/* The stored statistics are the parameters' (derive_stats agrees). */
static void
test_stats(void)
{
	size_t n = 5000, i, len[4] = { 8, 4, 2, 4 };
	double *x = sample(n, 11), *nk, *sc;
	struct am_gmm_params p = AM_GMM_PARAMS_INIT;
	struct am_gmm g;
	int cov;

	p.k = 2;
	for (cov = 0; cov < 4; cov++) {
		p.cov = cov;
		CHECK(am_gmm_fit(&g, x, n, 2, &p, NULL) == 0);
		nk = malloc(2 * sizeof(double));
		sc = malloc(len[cov] * sizeof(double));
		memcpy(nk, g.nk, 2 * sizeof(double));
		memcpy(sc, g.scat, len[cov] * sizeof(double));
		CHECK_NEAR(nk[0] + nk[1], (double)n, 1e-6);
		am_gmm_derive_stats(&g, (double)n, 1e-6);
		for (i = 0; i < 2; i++)
			CHECK_NEAR(g.nk[i], nk[i], 1e-6);
		for (i = 0; i < len[cov]; i++)
			CHECK_NEAR(g.scat[i], sc[i], 1e-6 * (1 + fabs(sc[i])));
		free(nk);
		free(sc);
		am_gmm_release(&g);
	}
	free(x);
}

/* Fit on 80%, update on 20%: within 0.003 of the fit on all rows; the
 * same bits on 1 and 2 threads; a merge of a model with itself keeps
 * its parameters and doubles its counts. */
static void
test_update_merge(void)
{
	size_t n = 10000, m = 8000, c;
	double *x = sample(n, 21);
	struct am_gmm_params p = AM_GMM_PARAMS_INIT;
	struct am_gmm all, a, b, mg;
	const struct am_gmm *src[2];
	struct am_pool *pool = am_pool_new(2, NULL);

	p.k = 2;
	p.cov = AM_GMM_FULL;
	CHECK(am_gmm_fit(&all, x, n, 2, &p, NULL) == 0);
	CHECK(am_gmm_fit(&a, x, m, 2, &p, NULL) == 0);
	CHECK(am_gmm_fit(&b, x, m, 2, &p, NULL) == 0);
	CHECK(am_gmm_update(&a, x + m * 2, n - m, 1, &p, NULL) == 0);
	CHECK_NEAR(meanll(&a, x, n), meanll(&all, x, n), 0.003);
	CHECK_NEAR(a.nk[0] + a.nk[1], (double)n, 1e-6);
	p.pool = pool;
	CHECK(am_gmm_update(&b, x + m * 2, n - m, 1, &p, NULL) == 0);
	CHECK(memcmp(a.mu, b.mu, 4 * sizeof(double)) == 0);
	CHECK(memcmp(a.sigma, b.sigma, 8 * sizeof(double)) == 0);
	src[0] = src[1] = &all;
	CHECK(am_gmm_merge(&mg, src, 2, 1e-6, NULL) == 0);
	for (c = 0; c < 2; c++) {
		CHECK_NEAR(mg.w[c], all.w[c], 1e-12);
		CHECK_NEAR(mg.nk[c], 2 * all.nk[c], 1e-6);
		CHECK_NEAR(mg.mu[c * 2 + 1], all.mu[c * 2 + 1], 1e-12);
		CHECK_NEAR(mg.sigma[c * 4 + 1], all.sigma[c * 4 + 1], 1e-12);
	}
	am_gmm_release(&mg);
	src[1] = &a;
	a.k = 1; /* a K mismatch is refused */
	CHECK(am_gmm_merge(&mg, src, 2, 1e-6, NULL) == AM_EMODEL);
	a.k = 2;
	am_gmm_release(&all);
	am_gmm_release(&a);
	am_gmm_release(&b);
	am_pool_free(pool);
	free(x);
}

int
main(void)
{
	test_recovery();
	test_threads();
	test_density();
	test_singular();
	test_stats();
	test_update_merge();
	CHECK(am_gmm_cov_byname("tied") == AM_GMM_TIED);
	CHECK(am_gmm_cov_byname("x") == -1);
	CHECK(strcmp(am_gmm_cov_name(AM_GMM_DIAG), "diag") == 0);
	return unit_failures;
}
