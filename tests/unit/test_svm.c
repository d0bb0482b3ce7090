/*
 * test_svm -- the dual coordinate descent solver at a tight tolerance
 * against the optimality conditions of the primal problems (the gradient
 * of the L2-loss objective vanishes; the L1-loss dual values are within
 * their box and complementary to the margins), determinism, warm
 * starts, and Platt's sigmoid against a closed-form case.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "am_rand.h"
#include "am_svm.h"
#include "unit.h"

#define N 200
#define P 4

static void
make(struct am_csr *x, double *y, double *c)
{
	struct am_rand r;
	struct am_err err;
	uint32_t idx[P];
	double val[P];
	size_t i, j;

	am_csr_init(x);
	am_rand_seed(&r, 11);
	for (i = 0; i < N; i++) {
		double z = 0.3;
		for (j = 0; j < P; j++) {
			idx[j] = (uint32_t)j;
			val[j] = am_rand_normal(&r);
			z += (double)(j + 1) * 0.5 * val[j];
		}
		y[i] = z + am_rand_normal(&r) > 0 ? 1 : -1;
		c[i] = i % 3 == 0 ? 2 : 1;
		CHECK(am_csr_push(x, P, idx, val, &err) == 0);
	}
}

static double
margin(const struct am_csr *x, size_t i, const double *w)
{
	return am_csr_dot(x, i, w) + w[P];
}

static void
test_l2(void)
{
	struct am_svm_param p = { 2, 1e-10, 100000, 1, 3 };
	struct am_svm_info info;
	struct am_err err;
	struct am_csr x;
	double y[N], c[N], w[P + 1], g[P + 1], w2[P + 1], a[N];
	size_t i, j;

	make(&x, y, c);
	CHECK(am_svm_fit(&x, P, y, c, &p, NULL, w, &info, &err) == 0);
	CHECK(info.converged);
	/* Gradient of 1/2 |w|^2 + sum c_i max(0, 1 - y_i w'x_i)^2. */
	memcpy(g, w, sizeof(g));
	for (i = 0; i < N; i++) {
		double h = 1 - y[i] * margin(&x, i, w);
		if (h > 0) {
			for (j = x.ptr[i]; j < x.ptr[i + 1]; j++)
				g[x.idx[j]] -= 2 * c[i] * h * y[i] * x.val[j];
			g[P] -= 2 * c[i] * h * y[i];
		}
	}
	for (j = 0; j <= P; j++)
		CHECK_NEAR(g[j], 0, 1e-6);
	/* Another seed, same optimum; a warm start reaches it too. */
	p.seed = 99;
	memset(a, 0, sizeof(a));
	CHECK(am_svm_fit(&x, P, y, c, &p, a, w2, NULL, &err) == 0);
	for (j = 0; j <= P; j++)
		CHECK_NEAR(w2[j], w[j], 1e-7);
	CHECK(am_svm_fit(&x, P, y, c, &p, a, w2, &info, &err) == 0);
	CHECK(info.iter <= 2);
	for (j = 0; j <= P; j++)
		CHECK_NEAR(w2[j], w[j], 1e-7);
	am_csr_release(&x);
}

static void
test_l1(void)
{
	struct am_svm_param p = { 1, 1e-10, 100000, 1, 5 };
	struct am_svm_info info;
	struct am_err err;
	struct am_csr x;
	double y[N], c[N], w[P + 1], a[N], v[P + 1] = { 0 };
	size_t i, j;

	make(&x, y, c);
	memset(a, 0, sizeof(a));
	CHECK(am_svm_fit(&x, P, y, c, &p, a, w, &info, &err) == 0);
	CHECK(info.converged);
	for (i = 0; i < N; i++) {
		double m = y[i] * margin(&x, i, w);
		CHECK(a[i] >= 0 && a[i] <= c[i]);
		/* Complementary slackness, to the tolerance. */
		if (a[i] == 0)
			CHECK(m >= 1 - 1e-6);
		else if (a[i] == c[i])
			CHECK(m <= 1 + 1e-6);
		else
			CHECK_NEAR(m, 1, 1e-6);
		for (j = x.ptr[i]; j < x.ptr[i + 1]; j++)
			v[x.idx[j]] += a[i] * y[i] * x.val[j];
		v[P] += a[i] * y[i];
	}
	/* w = sum a_i y_i x_i */
	for (j = 0; j <= P; j++)
		CHECK_NEAR(v[j], w[j], 1e-9);
	am_csr_release(&x);
}

/* Platt on f = +-1 labelled +-1 with k of n on each side mislabelled:
 * the fitted sigmoid at f = 1 is the smoothed positive rate. */
static void
test_platt(void)
{
	double f[40], y[40], a, b, p1;
	size_t i;

	for (i = 0; i < 40; i++) {
		f[i] = i < 20 ? 1 : -1;
		y[i] = i < 20 ? (i < 16 ? 1 : -1) : (i < 36 ? -1 : 1);
	}
	am_svm_platt(f, y, 40, &a, &b);
	p1 = 1 / (1 + exp(a + b));
	/* Targets: (n+ + 1)/(n+ + 2) = 21/22 and 1/(n- + 2) = 1/22;
	 * at f = 1: 16 of target 21/22 and 4 of 1/22. */
	CHECK_NEAR(p1, (16 * 21.0 / 22 + 4 * 1.0 / 22) / 20, 1e-5);
	CHECK_NEAR(1 / (1 + exp(-a + b)), 1 - p1, 1e-5);
	CHECK(a < 0);
}

static void
test_errors(void)
{
	struct am_svm_param p = { 3, 0.1, 10, 1, 1 };
	struct am_err err;
	struct am_csr x;
	double y[N], c[N], w[P + 1];

	make(&x, y, c);
	CHECK(am_svm_fit(&x, P, y, c, &p, NULL, w, NULL, &err) == AM_EARG);
	p.loss = 2;
	CHECK(am_svm_fit(&x, P - 1, y, c, &p, NULL, w, NULL, &err) == AM_EARG);
	am_csr_release(&x);
}

int
main(void)
{
	test_l2();
	test_l1();
	test_platt();
	test_errors();
	return unit_failures;
}
