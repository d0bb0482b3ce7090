/* SPDX-License-Identifier: MIT */
/*
 * test_mlp.c -- the multi-layer perceptron: the gradient of the objective
 * against central differences (sigmoid, softmax and linear outputs; ReLU
 * and tanh; 1 to 3 hidden layers; row weights and L2), the one-row
 * prediction path against the batch path (loss = -log p), a nonlinear
 * problem (XOR) learnt by Adam and by SGD, a regression fit, the same
 * bits on a second fit, early stopping, encode/decode round trip and
 * damaged payloads refused.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "am_mlp.h"
#include "am_rand.h"
#include "unit.h"

static void
check_grad(int nh, int act, size_t K, uint64_t seed)
{
	struct am_mlp_params p = AM_MLP_PARAMS_INIT;
	struct am_err err = { 0 };
	struct am_mlp *n;
	struct am_mat *x;
	struct am_rand r;
	double y[7], c[7], *g, *w, f0, worst = 0;
	size_t i, j, np, rows = 7, nf = 4;

	p.nhidden = nh;
	p.hidden[0] = 5;
	p.hidden[1] = 3;
	p.hidden[2] = 4;
	p.activation = act;
	p.alpha = 0.3;
	p.seed = seed;
	n = am_mlp_new(nf, K, &p, &err);
	x = am_mat_new(rows, nf, &err);
	CHECK(n != NULL && x != NULL);
	if (n == NULL || x == NULL)
		return;
	am_rand_seed(&r, seed + 100);
	for (i = 0; i < rows; i++) {
		for (j = 0; j < nf; j++)
			AM_MAT_AT(x, i, j) = am_rand_normal(&r);
		y[i] =
		    K == 0 ? am_rand_normal(&r) : (double)am_rand_below(&r, K);
		c[i] = 0.5 + am_rand_unif(&r);
	}
	np = am_mlp_nparams(n);
	g = calloc(np, sizeof(double));
	w = am_mlp_params(n);
	f0 = am_mlp_objective(n, x, y, c, g);
	CHECK(isfinite(f0) && f0 > 0);
	for (j = 0; j < np; j++) {
		double keep = w[j], h = 1e-6, fp, fm, num;
		w[j] = keep + h;
		fp = am_mlp_objective(n, x, y, c, NULL);
		w[j] = keep - h;
		fm = am_mlp_objective(n, x, y, c, NULL);
		w[j] = keep;
		num = (fp - fm) / (2 * h);
		if (fabs(num - g[j]) > worst)
			worst = fabs(num - g[j]);
	}
	if (worst > 1e-6)
		(void)fprintf(stderr, "grad nh=%d act=%d K=%zu: off by %g\n",
		    nh, act, K, worst);
	CHECK(worst <= 1e-6);
	free(g);
	am_mat_free(x);
	am_mlp_free(n);
}

/* XOR of the signs of two features, plus a noise feature. */
static void
xor_data(struct am_csr *x, double *y, size_t rows, uint64_t seed)
{
	struct am_rand r;
	struct am_err err = { 0 };
	uint32_t idx[3] = { 0, 1, 2 };
	double v[3];
	size_t i;

	am_rand_seed(&r, seed);
	am_csr_init(x);
	for (i = 0; i < rows; i++) {
		v[0] = 2 * am_rand_unif(&r) - 1;
		v[1] = 2 * am_rand_unif(&r) - 1;
		v[2] = am_rand_normal(&r);
		y[i] = (v[0] > 0) != (v[1] > 0);
		CHECK(am_csr_push(x, 3, idx, v, &err) == 0);
	}
}

static double
accuracy(const struct am_mlp *n, const struct am_csr *x, const double *y)
{
	size_t i, good = 0;
	double o;

	for (i = 0; i < x->rows; i++) {
		size_t k = x->ptr[i];
		am_mlp_predict(n, x->ptr[i + 1] - k, x->idx + k, x->val + k,
		    &o);
		good += (o > 0.5) == (y[i] == 1);
	}
	return (double)good / (double)x->rows;
}

static void
test_xor(void)
{
	struct am_mlp_params p = AM_MLP_PARAMS_INIT;
	struct am_err err = { 0 };
	struct am_mlp_info info;
	struct am_csr x;
	struct am_mlp *a, *b, *s, *d;
	struct am_buf buf = AM_BUF_INIT;
	double y[400], o1, o2, one = 1;
	size_t i, bad = 0;
	uint32_t i0 = 0;

	xor_data(&x, y, 400, 3);
	p.hidden[0] = 16;
	p.lr = 0.01;
	p.batch = 32;
	p.epochs = 300;
	a = am_mlp_fit(&x, 3, y, NULL, 2, NULL, &p, &err);
	b = am_mlp_fit(&x, 3, y, NULL, 2, NULL, &p, &err);
	CHECK(a != NULL && b != NULL);
	if (a == NULL || b == NULL)
		return;
	CHECK(accuracy(a, &x, y) >= 0.95);
	CHECK(am_mlp_nparams(a) == 3 * 16 + 16 + 16 + 1);
	CHECK(memcmp(am_mlp_params(a), am_mlp_params(b),
	          am_mlp_nparams(a) * sizeof(double)) == 0);
	am_mlp_info(a, &info);
	CHECK(info.epochs >= 1 && info.epochs <= 300 && info.loss < 0.3);
	/* SGD with momentum learns it too */
	p.solver = AM_MLP_SGD;
	p.lr = 0.05;
	s = am_mlp_fit(&x, 3, y, NULL, 2, NULL, &p, &err);
	CHECK(s != NULL && accuracy(s, &x, y) >= 0.95);
	/* round trip */
	am_mlp_encode(a, &buf);
	d = am_mlp_decode(buf.data, buf.len, 3, 2, &err);
	CHECK(d != NULL);
	for (i = 0; d != NULL && i < x.rows; i++) {
		size_t k = x.ptr[i];
		am_mlp_predict(a, 3, x.idx + k, x.val + k, &o1);
		am_mlp_predict(d, 3, x.idx + k, x.val + k, &o2);
		bad += o1 != o2;
	}
	CHECK(bad == 0);
	/* an index beyond the features is ignored */
	am_mlp_predict(a, 1, &i0, &one, &o1);
	{
		uint32_t ii[2] = { 0, 99 };
		double vv[2] = { 1, 5 };
		am_mlp_predict(a, 2, ii, vv, &o2);
		CHECK(o1 == o2);
	}
	CHECK(am_mlp_decode(buf.data, buf.len - 8, 3, 2, &err) == NULL);
	CHECK(err.code == AM_EFORMAT);
	CHECK(am_mlp_decode(buf.data, buf.len, 4, 2, &err) == NULL);
	buf.data[buf.len - 1] = 0x7f; /* last weight: a NaN */
	buf.data[buf.len - 2] = 0xf8;
	CHECK(am_mlp_decode(buf.data, buf.len, 3, 2, &err) == NULL);
	am_buf_release(&buf);
	am_mlp_free(a);
	am_mlp_free(b);
	am_mlp_free(s);
	am_mlp_free(d);
	am_csr_release(&x);
}

/* The one-row prediction gives the batch loss: -log p, alpha = 0. */
static void
test_paths(void)
{
	struct am_mlp_params p = AM_MLP_PARAMS_INIT;
	struct am_err err = { 0 };
	struct am_mlp *n;
	struct am_mat *m;
	double o[3], y = 2;
	uint32_t idx[4] = { 0, 1, 2, 3 };

	p.nhidden = 2;
	p.hidden[1] = 7;
	p.activation = AM_MLP_TANH;
	p.alpha = 0;
	n = am_mlp_new(4, 3, &p, &err);
	m = am_mat_new(1, 4, &err);
	CHECK(n != NULL && m != NULL);
	if (n == NULL || m == NULL)
		return;
	m->data[0] = 0.3;
	m->data[1] = -1.2;
	m->data[2] = 0;
	m->data[3] = 2.5;
	am_mlp_predict(n, 4, idx, m->data, o);
	CHECK_NEAR(o[0] + o[1] + o[2], 1, 1e-15);
	CHECK_NEAR(am_mlp_objective(n, m, &y, NULL, NULL), -log(o[2]), 1e-12);
	am_mat_free(m);
	am_mlp_free(n);
}

static void
test_regression_early(void)
{
	struct am_mlp_params p = AM_MLP_PARAMS_INIT;
	struct am_err err = { 0 };
	struct am_mlp_info info;
	struct am_csr x;
	struct am_mlp *n;
	struct am_rand r;
	double y[300], o, sse = 0, sst = 0, mean = 0;
	uint32_t idx[1] = { 0 };
	size_t i;

	am_rand_seed(&r, 8);
	am_csr_init(&x);
	for (i = 0; i < 300; i++) {
		double v = 6 * am_rand_unif(&r) - 3;
		y[i] = sin(v) + 0.05 * am_rand_normal(&r);
		mean += y[i] / 300;
		CHECK(am_csr_push(&x, 1, idx, &v, &err) == 0);
	}
	p.hidden[0] = 32;
	p.activation = AM_MLP_TANH;
	p.lr = 0.01;
	p.batch = 20;
	p.epochs = 400;
	p.valid = 0.2;
	n = am_mlp_fit(&x, 1, y, NULL, 0, NULL, &p, &err);
	CHECK(n != NULL);
	if (n == NULL)
		return;
	for (i = 0; i < 300; i++) {
		am_mlp_predict(n, 1, idx, x.val + i, &o);
		sse += (o - y[i]) * (o - y[i]);
		sst += (y[i] - mean) * (y[i] - mean);
	}
	CHECK(1 - sse / sst > 0.95);
	am_mlp_info(n, &info);
	CHECK(info.train_rows == 240);
	CHECK(isfinite(info.vloss) && info.vloss < 0.02);
	am_mlp_free(n);
	am_csr_release(&x);
}

static void
test_bad(void)
{
	struct am_mlp_params p = AM_MLP_PARAMS_INIT;
	struct am_err err = { 0 };

	p.nhidden = 4;
	CHECK(am_mlp_new(3, 2, &p, &err) == NULL && err.code == AM_EARG);
	p.nhidden = 1;
	p.hidden[0] = 0;
	CHECK(am_mlp_new(3, 2, &p, &err) == NULL && err.code == AM_EARG);
	p.hidden[0] = 10;
	p.lr = -1;
	CHECK(am_mlp_new(3, 2, &p, &err) == NULL && err.code == AM_EARG);
	p.lr = 0.1;
	p.valid = 1;
	CHECK(am_mlp_new(3, 2, &p, &err) == NULL && err.code == AM_EARG);
}

int
main(void)
{
	check_grad(1, AM_MLP_RELU, 2, 1);
	check_grad(2, AM_MLP_TANH, 3, 2);
	check_grad(3, AM_MLP_RELU, 0, 3);
	check_grad(3, AM_MLP_TANH, 2, 4);
	check_grad(1, AM_MLP_TANH, 0, 5);
	test_paths();
	test_xor();
	test_regression_early();
	test_bad();
	return unit_failures;
}
