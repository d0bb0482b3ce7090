/* SPDX-License-Identifier: MIT */
/*
 * test_mat.c -- dense wrappers against hand-computed products, the
 * Cholesky solve against a known solution, CSR growth and products
 * against the same matrix held dense.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "am_mat.h"
#include "unit.h"

static void
test_dense(void)
{
	struct am_err err = { 0 };
	struct am_mat *a = am_mat_new(2, 3, &err), *b = am_mat_new(3, 2, &err);
	struct am_mat *c = am_mat_new(2, 2, &err), v;
	double x[3] = { 1, -1, 2 }, y[2] = { 10, 20 }, yt[3];
	int i, j;

	CHECK(a != NULL && b != NULL && c != NULL);
	if (a == NULL || b == NULL || c == NULL)
		goto out;
	CHECK(AM_MAT_AT(a, 1, 2) == 0); /* zeroed */
	/* a = [1 2 3; 4 5 6], b = a' */
	for (i = 0; i < 2; i++)
		for (j = 0; j < 3; j++) {
			AM_MAT_AT(a, i, j) = 3 * i + j + 1;
			AM_MAT_AT(b, j, i) = 3 * i + j + 1;
		}
	/* y = 2 a x + 1 y: a x = (1 - 2 + 6, 4 - 5 + 12) = (5, 11) */
	CHECK(am_mat_gemv(0, 2, a, x, 1, y, &err) == 0);
	CHECK(y[0] == 20 && y[1] == 42);
	/* a' (1, 1) = (5, 7, 9) */
	y[0] = y[1] = 1;
	CHECK(am_mat_gemv(1, 1, a, y, 0, yt, &err) == 0);
	CHECK(yt[0] == 5 && yt[1] == 7 && yt[2] == 9);
	/* a a' = [14 32; 32 77], computed both ways */
	CHECK(am_mat_gemm(0, 0, 1, a, b, 0, c, &err) == 0);
	CHECK(AM_MAT_AT(c, 0, 0) == 14 && AM_MAT_AT(c, 0, 1) == 32);
	CHECK(AM_MAT_AT(c, 1, 0) == 32 && AM_MAT_AT(c, 1, 1) == 77);
	CHECK(am_mat_gemm(0, 1, 1, a, a, -1, c, &err) == 0);
	CHECK(AM_MAT_AT(c, 0, 0) == 0 && AM_MAT_AT(c, 1, 1) == 0);
	/* shape mismatch */
	CHECK(am_mat_gemm(0, 0, 1, a, a, 0, c, &err) == AM_EDIM);
	CHECK(err.code == AM_EDIM && strstr(err.msg, "2 x 3 by 2 x 3") != NULL);
	/* a view of a's second column block */
	v = am_mat_view(a, 0, 1, 2, 5);
	CHECK(v.rows == 2 && v.cols == 2 && v.stride == 3 && !v.owned);
	CHECK(AM_MAT_AT(&v, 1, 0) == 5 && AM_MAT_AT(&v, 0, 1) == 3);
	CHECK(am_mat_gemv(0, 1, &v, x, 0, y, &err) == 0); /* x = (1, -1) */
	CHECK(y[0] == -1 && y[1] == -1);
	/* level 1 */
	CHECK(am_dot(3, x, x) == 6);
	CHECK_NEAR(am_nrm2(3, x), sqrt(6.0), 1e-15);
	am_axpy(3, 2, x, yt); /* (5, 7, 9) + 2 (1, -1, 2) */
	CHECK(yt[0] == 7 && yt[1] == 5 && yt[2] == 13);
	am_scal(3, 0.5, yt);
	CHECK(yt[2] == 6.5);
out:
	am_mat_free(a);
	am_mat_free(b);
	am_mat_free(c);
	am_mat_free(NULL);
}

static void
test_chol(void)
{
	struct am_err err = { 0 };
	struct am_mat *a = am_mat_new(3, 3, &err), *b = am_mat_new(3, 1, &err);
	/* A = [4 2 0; 2 5 1; 0 1 3], x = (1, -2, 3): b = A x = (0, -5, 7) */
	static const double av[9] = { 4, 2, 0, 2, 5, 1, 0, 1, 3 };
	static const double bv[3] = { 0, -5, 7 };

	CHECK(a != NULL && b != NULL);
	if (a == NULL || b == NULL)
		goto out;
	memcpy(a->data, av, sizeof(av));
	memcpy(b->data, bv, sizeof(bv));
	CHECK(am_mat_chol_solve(a, b, &err) == 0);
	CHECK_NEAR(b->data[0], 1, 1e-12);
	CHECK_NEAR(b->data[1], -2, 1e-12);
	CHECK_NEAR(b->data[2], 3, 1e-12);
	/* not positive definite: [1 2; 2 1] */
	memset(a->data, 0, 9 * sizeof(double));
	a->data[0] = 1, a->data[1] = 2, a->data[3] = 2, a->data[4] = 1;
	a->data[8] = 1;
	CHECK(am_mat_chol_solve(a, b, &err) == AM_EARG);
	CHECK(
	    strstr(err.msg, "not positive definite (leading minor 2)") != NULL);
out:
	am_mat_free(a);
	am_mat_free(b);
}

static void
test_csr(void)
{
	struct am_err err = { 0 };
	struct am_csr c;
	/* [1 0 2 0; 0 0 0 0; 0 3 0 4] */
	static const uint32_t i0[] = { 0, 2 }, i2[] = { 1, 3 },
	                      bad[] = { 2, 2 };
	static const double v0[] = { 1, 2 }, v2[] = { 3, 4 };
	double x[4] = { 1, 10, 100, 1000 }, y[3], xt[3] = { 1, 5, -1 };
	double yt[4] = { 0, 0, 0, 1 };

	am_csr_init(&c);
	CHECK(am_csr_push(&c, 2, i0, v0, &err) == 0);
	CHECK(am_csr_push(&c, 0, NULL, NULL, &err) == 0);
	CHECK(am_csr_push(&c, 2, i2, v2, &err) == 0);
	CHECK(c.rows == 3 && c.cols == 4 && c.nnz == 4);
	CHECK(c.ptr[0] == 0 && c.ptr[1] == 2 && c.ptr[2] == 2 && c.ptr[3] == 4);
	CHECK(am_csr_push(&c, 2, bad, v0, &err) == AM_EARG);
	CHECK(c.rows == 3 && strstr(err.msg, "row 4") != NULL);
	CHECK(am_csr_dot(&c, 2, x) == 4030);
	am_csr_gemv(&c, x, y);
	CHECK(y[0] == 201 && y[1] == 0 && y[2] == 4030);
	am_csr_gemv_t(&c, xt, yt); /* += (1, -3, 2, -4) */
	CHECK(yt[0] == 1 && yt[1] == -3 && yt[2] == 2 && yt[3] == -3);
	CHECK(am_csr_bytes(&c) >= 4 * sizeof(size_t) + 4 * 12);
	am_csr_release(&c);
	CHECK(c.rows == 0 && c.ptr == NULL);
	am_csr_release(&c);
}

/* Many rows: growth keeps every row intact. */
static void
test_csr_grow(void)
{
	struct am_err err = { 0 };
	struct am_csr c;
	uint32_t idx[3];
	double val[3], s = 0, *x;
	size_t i, n = 10000;
	int ok = 1;

	am_csr_init(&c);
	for (i = 0; i < n && ok; i++) {
		idx[0] = (uint32_t)(i % 7);
		idx[1] = 7 + (uint32_t)(i % 5);
		idx[2] = 12 + (uint32_t)(i % 3);
		val[0] = (double)i, val[1] = 1, val[2] = -1;
		ok = am_csr_push(&c, 3, idx, val, &err) == 0;
	}
	CHECK(ok && c.rows == n && c.nnz == 3 * n && c.cols == 15);
	x = calloc(15, sizeof(*x));
	if (x != NULL) {
		for (i = 0; i < 15; i++)
			x[i] = 1;
		for (i = 0; i < n; i++)
			s += am_csr_dot(&c, i, x);
		CHECK(s == (double)n * (double)(n - 1) / 2);
	}
	free(x);
	am_csr_release(&c);
}

int
main(void)
{
	test_dense();
	test_chol();
	test_csr();
	test_csr_grow();
	return unit_failures;
}
