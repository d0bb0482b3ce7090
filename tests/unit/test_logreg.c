/* SPDX-License-Identifier: MIT */
/*
 * test_logreg.c -- the TRON solver: a one-weight case solved by hand
 * (bisection on the optimality condition), the gradient of the objective
 * against central differences, a vanishing gradient at the solution with
 * and without an intercept, byte-identical weights for any thread count,
 * and rejected inputs.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "am_logreg.h"
#include "am_rand.h"
#include "unit.h"

/* Rows x = 1 with labels +1, +1, -1, C = 1, no bias. */
static void
test_hand(void)
{
	struct am_logreg_param p = AM_LOGREG_PARAM_INIT;
	struct am_logreg_info info;
	struct am_err err = { 0 };
	struct am_csr x;
	static const uint32_t idx[1] = { 0 };
	static const double one[1] = { 1 };
	double y[3] = { 1, 1, -1 }, c[3] = { 1, 1, 1 }, w[1] = { 0 }, g[1];
	double lo = 0, hi = 2, mid = 0;
	int i;

	am_csr_init(&x);
	for (i = 0; i < 3; i++)
		CHECK(am_csr_push(&x, 1, idx, one, &err) == 0);
	p.bias = 0;
	/* f(0) = 3 log 2; f'(0) = 2 (1/2 - 1) + (1/2) = -1/2 */
	CHECK_NEAR(am_logreg_objective(&x, 1, y, c, &p, w, g), 3 * log(2.0),
	    1e-15);
	CHECK_NEAR(g[0], -0.5, 1e-15);
	/* optimum: w + 3 sigmoid(w) - 2 = 0, increasing in w */
	for (i = 0; i < 100; i++) {
		mid = (lo + hi) / 2;
		if (mid + 3 / (1 + exp(-mid)) - 2 > 0)
			hi = mid;
		else
			lo = mid;
	}
	p.eps = 1e-10;
	CHECK(am_logreg_fit(&x, 1, y, c, &p, w, &info, &err) == 0);
	CHECK(info.converged && info.iter >= 1);
	CHECK_NEAR(w[0], mid, 1e-9);
	CHECK_NEAR(info.obj,
	    0.5 * mid * mid + 2 * log1p(exp(-mid)) + log1p(exp(mid)), 1e-12);
	am_csr_release(&x);
}

struct data {
	struct am_csr x;
	double *y, *c;
	size_t n, nfeat;
};

/* n rows of nfeat sparse features from a planted model, seeded. */
static int
make_data(struct data *d, size_t n, size_t nfeat, uint64_t seed)
{
	struct am_rand r;
	struct am_err err = { 0 };
	uint32_t *idx = malloc(nfeat * sizeof(*idx));
	double *val = malloc(nfeat * sizeof(*val)), *wt;
	size_t i, j, k;
	int rc = 0;

	am_rand_seed(&r, seed);
	am_csr_init(&d->x);
	d->n = n;
	d->nfeat = nfeat;
	d->y = malloc(n * sizeof(double));
	d->c = malloc(n * sizeof(double));
	wt = malloc(nfeat * sizeof(double));
	if (idx == NULL || val == NULL || wt == NULL || d->y == NULL ||
	    d->c == NULL) {
		rc = -1;
		goto out;
	}
	for (j = 0; j < nfeat; j++)
		wt[j] = am_rand_normal(&r);
	for (i = 0; i < n && rc == 0; i++) {
		double z = 0.3;
		for (j = k = 0; j < nfeat; j++) {
			if (am_rand_unif(&r) < 0.5)
				continue;
			idx[k] = (uint32_t)j;
			val[k] = am_rand_normal(&r);
			z += wt[j] * val[k++];
		}
		d->y[i] = am_rand_unif(&r) < 1 / (1 + exp(-z)) ? 1 : -1;
		d->c[i] = i % 3 == 0 ? 2.5 : 0.5; /* uneven costs */
		rc = am_csr_push(&d->x, k, idx, val, &err);
	}
out:
	free(idx);
	free(val);
	free(wt);
	return rc;
}

static void
free_data(struct data *d)
{
	am_csr_release(&d->x);
	free(d->y);
	free(d->c);
}

/* Gradient of am_logreg_objective() against central differences. */
static void
test_gradient(const struct data *d, int intercept)
{
	struct am_logreg_param p = AM_LOGREG_PARAM_INIT;
	size_t j, nw;
	double w[16], g[16], wp[16], h = 1e-5;

	p.bias = 1.5;
	p.intercept = intercept;
	nw = am_logreg_nweights(d->nfeat, &p);
	CHECK(nw == d->nfeat + 1 && nw <= 16);
	for (j = 0; j < nw; j++)
		w[j] = 0.1 * (double)j - 0.3;
	(void)am_logreg_objective(&d->x, d->nfeat, d->y, d->c, &p, w, g);
	for (j = 0; j < nw; j++) {
		double fp, fm;
		memcpy(wp, w, sizeof(w));
		wp[j] += h;
		fp = am_logreg_objective(&d->x, d->nfeat, d->y, d->c, &p, wp,
		    NULL);
		wp[j] -= 2 * h;
		fm = am_logreg_objective(&d->x, d->nfeat, d->y, d->c, &p, wp,
		    NULL);
		CHECK_NEAR((fp - fm) / (2 * h), g[j], 1e-5 * (1 + fabs(g[j])));
	}
}

/* At the solution the gradient is (nearly) zero. */
static void
test_optimum(const struct data *d, int intercept, double *wout)
{
	struct am_logreg_param p = AM_LOGREG_PARAM_INIT;
	struct am_logreg_info info;
	struct am_err err = { 0 };
	double w[16] = { 0 }, g[16], gn;
	size_t nw;

	p.bias = 1;
	p.intercept = intercept;
	p.eps = 1e-5;
	nw = am_logreg_nweights(d->nfeat, &p);
	CHECK(am_logreg_fit(&d->x, d->nfeat, d->y, d->c, &p, w, &info, &err) ==
	    0);
	CHECK(info.converged);
	CHECK(info.iter >= 2 && info.iter <= 30);
	(void)am_logreg_objective(&d->x, d->nfeat, d->y, d->c, &p, w, g);
	gn = sqrt(am_dot(nw, g, g));
	CHECK(gn <= 1e-5 * info.gnorm0);
	CHECK_NEAR(gn, info.gnorm, 1e-9 * info.gnorm0);
	if (wout != NULL)
		memcpy(wout, w, nw * sizeof(double));
}

/* The same weights, to the last bit, for 1, 2 and 3 threads. */
static void
test_threads(const struct data *d)
{
	struct am_logreg_param p = AM_LOGREG_PARAM_INIT;
	struct am_err err = { 0 };
	double w1[16] = { 0 }, w2[16] = { 0 }, w3[16] = { 0 };
	size_t nw = d->nfeat + 1;

	p.threads = 1;
	CHECK(am_logreg_fit(&d->x, d->nfeat, d->y, d->c, &p, w1, NULL, &err) ==
	    0);
	p.threads = 2;
	CHECK(am_logreg_fit(&d->x, d->nfeat, d->y, d->c, &p, w2, NULL, &err) ==
	    0);
	p.threads = 3;
	CHECK(am_logreg_fit(&d->x, d->nfeat, d->y, d->c, &p, w3, NULL, &err) ==
	    0);
	CHECK(memcmp(w1, w2, nw * sizeof(double)) == 0);
	CHECK(memcmp(w1, w3, nw * sizeof(double)) == 0);
	CHECK(w1[0] != 0);
}

static void
test_bad(const struct data *d)
{
	struct am_logreg_param p = AM_LOGREG_PARAM_INIT;
	struct am_err err = { 0 };
	double w[16] = { 0 }, y0 = d->y[3], c0 = d->c[4];

	d->y[3] = 0;
	CHECK(am_logreg_fit(&d->x, d->nfeat, d->y, d->c, &p, w, NULL, &err) ==
	    AM_EARG);
	CHECK(strstr(err.msg, "row 4: label 0 is not +1 or -1") != NULL);
	d->y[3] = y0;
	d->c[4] = -1;
	CHECK(am_logreg_fit(&d->x, d->nfeat, d->y, d->c, &p, w, NULL, &err) ==
	    AM_EARG);
	CHECK(strstr(err.msg, "row 5: cost") != NULL);
	d->c[4] = c0;
	p.eps = 0;
	CHECK(am_logreg_fit(&d->x, d->nfeat, d->y, d->c, &p, w, NULL, &err) ==
	    AM_EARG);
}

/* Features beyond nfeat are ignored, as if absent. */
static void
test_clip(const struct data *d)
{
	struct am_logreg_param p = AM_LOGREG_PARAM_INIT;
	struct am_err err = { 0 };
	double w1[16] = { 0 }, w2[16] = { 0 };
	struct am_csr x;
	uint32_t idx[16];
	double val[16];
	size_t i, k, kk;

	am_csr_init(&x);
	for (i = 0; i < d->n; i++) {
		for (k = d->x.ptr[i], kk = 0; k < d->x.ptr[i + 1]; k++)
			if (d->x.idx[k] < 5) {
				idx[kk] = d->x.idx[k];
				val[kk++] = d->x.val[k];
			}
		CHECK(am_csr_push(&x, kk, idx, val, &err) == 0);
	}
	CHECK(am_logreg_fit(&x, 5, d->y, d->c, &p, w1, NULL, &err) == 0);
	CHECK(am_logreg_fit(&d->x, 5, d->y, d->c, &p, w2, NULL, &err) == 0);
	CHECK(memcmp(w1, w2, 6 * sizeof(double)) == 0);
	am_csr_release(&x);
}

int
main(void)
{
	struct data d;
	double wreg[16], wint[16];

	test_hand();
	CHECK(make_data(&d, 5000, 10, 42) == 0);
	test_gradient(&d, 0);
	test_gradient(&d, 1);
	test_optimum(&d, 0, wreg);
	test_optimum(&d, 1, wint);
	/* the unregularised intercept is larger in magnitude */
	CHECK(fabs(wint[10]) > fabs(wreg[10]));
	test_threads(&d);
	test_bad(&d);
	test_clip(&d);
	CHECK_NEAR(am_sigmoid(0), 0.5, 0);
	CHECK(am_sigmoid(-800) >= 0 && am_sigmoid(800) == 1);
	free_data(&d);
	return unit_failures;
}
