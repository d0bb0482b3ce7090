/*
 * test_linreg -- OLS and ridge against the normal equations solved here
 * independently (Gaussian elimination with partial pivoting on the
 * augmented design [X 1]), lasso and elastic-net paths against
 * scikit-learn 1.2.1's lasso_path / enet_path (tol 1e-14) on a small
 * fixture, the minimum-norm solution of a singular design.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "am_linreg.h"
#include "am_rand.h"
#include "unit.h"

#define N 8
#define P 3

static const double X[N][P] = { { 1, 2, 0.5 }, { 2, 0, 1.5 }, { 3, 1, -1 },
	{ 4, 3, 2 }, { 5, -1, 0 }, { 6, 2, 1 }, { 7, 0, -2 }, { 8, 1, 1 } };
static const double Y[N] = { 3.1, 4.2, 4.8, 9.5, 6.1, 10.2, 8.3, 12.9 };

static void
load(struct am_csr *x, size_t n, size_t p, const double *data)
{
	uint32_t idx[16];
	double val[16];
	size_t i, j, k;
	struct am_err err;

	am_csr_init(x);
	for (i = 0; i < n; i++) {
		for (k = 0, j = 0; j < p; j++)
			if (data[i * p + j] != 0) {
				idx[k] = (uint32_t)j;
				val[k++] = data[i * p + j];
			}
		CHECK(am_csr_push(x, k, idx, val, &err) == 0);
	}
	x->cols = p;
}

/* Solve the m x m system a z = b in place (partial pivoting). */
static void
gauss(double *a, double *b, size_t m)
{
	size_t i, j, k, piv;

	for (k = 0; k < m; k++) {
		piv = k;
		for (i = k + 1; i < m; i++)
			if (fabs(a[i * m + k]) > fabs(a[piv * m + k]))
				piv = i;
		for (j = 0; j < m; j++) {
			double t = a[k * m + j];
			a[k * m + j] = a[piv * m + j];
			a[piv * m + j] = t;
		}
		{
			double t = b[k];
			b[k] = b[piv];
			b[piv] = t;
		}
		for (i = k + 1; i < m; i++) {
			double f = a[i * m + k] / a[k * m + k];
			for (j = k; j < m; j++)
				a[i * m + j] -= f * a[k * m + j];
			b[i] -= f * b[k];
		}
	}
	for (k = m; k-- > 0;) {
		for (j = k + 1; j < m; j++)
			b[k] -= a[k * m + j] * b[j];
		b[k] /= a[k * m + k];
	}
}

/* Normal equations of [X 1] with weights and ridge alpha (not on 1). */
static void
normal_eq(size_t n, size_t p, const double *data, const double *y,
    const double *sw, double alpha, double *z)
{
	size_t m = p + 1, i, j, k;
	double a[64], xi[8];

	memset(a, 0, sizeof(a));
	memset(z, 0, m * sizeof(*z));
	for (i = 0; i < n; i++) {
		double s = sw != NULL ? sw[i] : 1;
		for (j = 0; j < p; j++)
			xi[j] = data[i * p + j];
		xi[p] = 1;
		for (j = 0; j < m; j++) {
			for (k = 0; k < m; k++)
				a[j * m + k] += s * xi[j] * xi[k];
			z[j] += s * xi[j] * y[i];
		}
	}
	for (j = 0; j < p; j++)
		a[j * m + j] += alpha;
	gauss(a, z, m);
}

static void
test_ols_ridge(void)
{
	struct am_linreg_param par = AM_LINREG_PARAM_INIT;
	struct am_linreg_info info;
	struct am_err err;
	struct am_csr x;
	double w[P + 1], z[P + 1], sw[N];
	size_t j, i;

	load(&x, N, P, &X[0][0]);
	/* OLS */
	CHECK(am_linreg_fit(&x, P, Y, NULL, &par, NULL, w, &info, &err) == 0);
	normal_eq(N, P, &X[0][0], Y, NULL, 0, z);
	for (j = 0; j <= P; j++)
		CHECK_NEAR(w[j], z[j], 1e-8);
	CHECK(info.svd == 0);
	/* Ridge with weights */
	for (i = 0; i < N; i++)
		sw[i] = 0.5 + (double)i / 4;
	par.alpha = 2.5;
	CHECK(am_linreg_fit(&x, P, Y, sw, &par, NULL, w, &info, &err) == 0);
	normal_eq(N, P, &X[0][0], Y, sw, 2.5, z);
	for (j = 0; j <= P; j++)
		CHECK_NEAR(w[j], z[j], 1e-8);
	am_csr_release(&x);
}

/* A larger random problem, 1e-8 against the normal equations. */
static void
test_random(void)
{
	struct am_linreg_param par = AM_LINREG_PARAM_INIT;
	struct am_rand r;
	struct am_err err;
	struct am_csr x;
	double data[500 * 5], y[500], w[6], z[6];
	size_t i, j;

	am_rand_seed(&r, 7);
	for (i = 0; i < 500; i++) {
		y[i] = 3;
		for (j = 0; j < 5; j++) {
			data[i * 5 + j] =
			    am_rand_normal(&r) * (double)(j + 1) + (double)j;
			y[i] += (double)j * 0.7 * data[i * 5 + j];
		}
		y[i] += am_rand_normal(&r);
	}
	load(&x, 500, 5, data);
	CHECK(am_linreg_fit(&x, 5, y, NULL, &par, NULL, w, NULL, &err) == 0);
	normal_eq(500, 5, data, y, NULL, 0, z);
	for (j = 0; j <= 5; j++)
		CHECK_NEAR(w[j], z[j], 1e-8);
	am_csr_release(&x);
}

/* scikit-learn 1.2.1 lasso_path / enet_path(l1_ratio=0.5) on the centred
 * fixture, alphas 1, 0.3, 0.1, 0.01, tol 1e-14. */
static const double LASSO[4][P] = {
	{ 1.06694089993284, 0.226936422655027, 0.190754421311842 },
	{ 1.2775520483546, 0.580775688381466, 0.556816655473471 },
	{ 1.33772666218939, 0.681872621446164, 0.661405865233936 },
	{ 1.36480523841504, 0.727366241325276, 0.708471009626146 },
};
static const double ENET[4][P] = {
	{ 1.09005414076599, 0.368681070784038, 0.343553238419891 },
	{ 1.27531849376587, 0.605805149790564, 0.584107666304676 },
	{ 1.3359558719423, 0.688209042545403, 0.66833856003437 },
	{ 1.36457926632885, 0.727903623972037, 0.709059572115347 },
};

static void
test_path(double ratio, const double (*want)[P])
{
	struct am_linreg_param par = AM_LINREG_PARAM_INIT;
	struct am_linreg_info info;
	static const double alphas[4] = { 1, 0.3, 0.1, 0.01 };
	struct am_err err;
	struct am_csr x;
	double w[P + 1], prev[P + 1] = { 0 };
	size_t a, j;

	load(&x, N, P, &X[0][0]);
	par.l1_ratio = ratio;
	par.eps = 1e-13;
	par.max_iter = 100000;
	for (a = 0; a < 4; a++) {
		par.alpha = alphas[a];
		/* Warm start along the path, as lasso_path does. */
		CHECK(am_linreg_fit(&x, P, Y, NULL, &par, prev, w, &info,
		          &err) == 0);
		CHECK(info.converged);
		for (j = 0; j < P; j++)
			CHECK_NEAR(w[j], want[a][j], 1e-9);
		memcpy(prev, w, sizeof(prev));
	}
	/* A large alpha zeroes every weight; the intercept is the mean. */
	par.alpha = 100;
	CHECK(am_linreg_fit(&x, P, Y, NULL, &par, NULL, w, &info, &err) == 0);
	for (j = 0; j < P; j++)
		CHECK(w[j] == 0);
	CHECK_NEAR(w[P], 59.1 / 8, 1e-12);
	am_csr_release(&x);
}

/* Two equal columns: the minimum-norm solution splits the weight. */
static void
test_singular(void)
{
	struct am_linreg_param par = AM_LINREG_PARAM_INIT;
	struct am_linreg_info info;
	struct am_err err;
	struct am_csr x;
	double data[N * 2], w[3], z[2];
	size_t i;

	for (i = 0; i < N; i++)
		data[2 * i] = data[2 * i + 1] = X[i][0];
	load(&x, N, 2, data);
	CHECK(am_linreg_fit(&x, 2, Y, NULL, &par, NULL, w, &info, &err) == 0);
	CHECK(info.svd == 1);
	CHECK(info.rank == 1);
	/* OLS on the column alone. */
	{
		double one[N];
		for (i = 0; i < N; i++)
			one[i] = X[i][0];
		normal_eq(N, 1, one, Y, NULL, 0, z);
	}
	CHECK_NEAR(w[0], z[0] / 2, 1e-9);
	CHECK_NEAR(w[1], z[0] / 2, 1e-9);
	CHECK_NEAR(w[2], z[1], 1e-9);
	am_csr_release(&x);
}

static void
test_errors(void)
{
	struct am_linreg_param par = AM_LINREG_PARAM_INIT;
	struct am_err err;
	struct am_csr x;
	double w[P + 1], zero[N] = { 0 };

	load(&x, N, P, &X[0][0]);
	par.l1_ratio = 1;
	par.alpha = 0;
	CHECK(am_linreg_fit(&x, P, Y, NULL, &par, NULL, w, NULL, &err) ==
	    AM_EARG);
	par.l1_ratio = 0;
	CHECK(am_linreg_fit(&x, P, Y, zero, &par, NULL, w, NULL, &err) ==
	    AM_EARG);
	am_csr_release(&x);
}

int
main(void)
{
	test_ols_ridge();
	test_random();
	test_path(1, LASSO);
	test_path(0.5, ENET);
	test_singular();
	test_errors();
	return unit_failures;
}
