/* SPDX-License-Identifier: MIT */
/*
 * am_mat.h -- dense and sparse (CSR) matrices of doubles, and thin
 * wrappers over BLAS (cblas) and LAPACK (LAPACKE).  This module is the
 * only includer of <cblas.h> and <lapacke.h>: every other module does its
 * linear algebra through these functions, so the BLAS in use is a build
 * detail.
 *
 * struct am_mat is transparent, as in LIBLINEAR, because the learning
 * loops need raw speed: element (i, j) is data[i * stride + j], row-major.
 * A matrix made by am_mat_new() owns its data; a view (am_mat_view())
 * borrows the data of another matrix and must not outlive it.
 *
 * struct am_csr is a compressed sparse row matrix: row i holds the
 * entries idx[ptr[i] .. ptr[i+1]) with values val[...].  Column indices
 * within a row are increasing.  It grows row by row (am_csr_push()), which
 * is how a feature stream is loaded for training.
 *
 * Results depend on the BLAS summation order; tests pin
 * OPENBLAS_NUM_THREADS=1 for byte-identical output.
 */
#ifndef AM_MAT_H
#define AM_MAT_H

#include <stddef.h>
#include <stdint.h>

#include "am_err.h"

struct am_mat {
	size_t rows, cols;
	size_t stride; /* doubles between the starts of two rows, >= cols */
	double *data;
	int owned; /* am_mat_free() frees 'data' */
};

/* Element (i, j) of a struct am_mat pointer 'm', as an lvalue. */
#define AM_MAT_AT(m, i, j) ((m)->data[(size_t)(i) * (m)->stride + (size_t)(j)])

/*
 * A new 'rows' x 'cols' matrix of zeros, to am_mat_free().  Returns NULL
 * with AM_ENOMEM (also when rows * cols overflows) in 'err'.
 */
struct am_mat *am_mat_new(size_t rows, size_t cols, struct am_err *err);

/* Free 'm' and, if it owns it, its data.  NULL does nothing. */
void am_mat_free(struct am_mat *m);

/*
 * A view of the 'nrows' x 'ncols' block of 'm' starting at ('row0',
 * 'col0'), sharing its data (the block is clamped to 'm').  Returned by
 * value; nothing to free.
 */
struct am_mat am_mat_view(const struct am_mat *m, size_t row0, size_t col0,
    size_t nrows, size_t ncols);

/* Vector kernels over 'n' doubles (BLAS level 1). */
double am_dot(size_t n, const double *x, const double *y);    /* x'y */
void am_axpy(size_t n, double a, const double *x, double *y); /* y += a x */
void am_scal(size_t n, double a, double *x);                  /* x *= a */
double am_nrm2(size_t n, const double *x);                    /* ||x||_2 */

/*
 * y = alpha * op(A) x + beta * y, where op(A) is A ('trans' == 0) or A'
 * ('trans' != 0).  'x' has op(A)'s cols entries and 'y' its rows.
 * Returns 0, or AM_ELIMIT if a size exceeds what BLAS can index.
 */
int am_mat_gemv(int trans, double alpha, const struct am_mat *a,
    const double *x, double beta, double *y, struct am_err *err);

/*
 * C = alpha * op(A) op(B) + beta * C.  Returns 0, AM_EDIM if the shapes
 * do not agree (the message gives them), or AM_ELIMIT.
 */
int am_mat_gemm(int transa, int transb, double alpha, const struct am_mat *a,
    const struct am_mat *b, double beta, struct am_mat *c, struct am_err *err);

/*
 * Solve A X = B for a symmetric positive definite 'a' (n x n) by
 * Cholesky factorisation (LAPACK dposv).  'a' is overwritten by its
 * factor and 'b' (n x k) by the solution.  Returns 0, AM_EDIM, AM_ELIMIT,
 * or AM_EARG if 'a' is not positive definite ("matrix is not positive
 * definite (leading minor K)").
 */
int am_mat_chol_solve(struct am_mat *a, struct am_mat *b, struct am_err *err);

struct am_csr {
	size_t rows, cols, nnz;
	size_t *ptr;   /* rows + 1 offsets into idx and val; ptr[0] == 0 */
	uint32_t *idx; /* column indices, increasing within a row */
	double *val;
	size_t cap_rows, cap_nnz; /* allocated sizes */
};

/* An empty 0 x 0 matrix; am_csr_release() frees what it grew. */
void am_csr_init(struct am_csr *c);
void am_csr_release(struct am_csr *c);

/*
 * Append a row of 'nnz' entries ('idx' increasing, copied with 'val').
 * 'cols' grows to the largest index + 1.  Returns 0, AM_EARG if 'idx' is
 * not increasing, or AM_ENOMEM.
 */
int am_csr_push(struct am_csr *c, size_t nnz, const uint32_t *idx,
    const double *val, struct am_err *err);

/*
 * Make room for 'rows' rows and 'nnz' values in all, so that pushing
 * that many allocates nothing more (a loader that can estimate its input
 * reserves once instead of doubling).  Returns 0 or AM_ENOMEM.
 */
int am_csr_reserve(struct am_csr *c, size_t rows, size_t nnz,
    struct am_err *err);

/*
 * Hint that the 'bytes' at 'p', a large array about to be filled, be
 * backed by huge pages (madvise MADV_HUGEPAGE where the system has it):
 * fewer page faults when it is first written.  Arrays below 2 MiB are
 * left alone; the hint never fails.
 */
void am_mat_advise(void *p, size_t bytes);

/* Row i times 'x' (x has at least c->cols entries). */
double am_csr_dot(const struct am_csr *c, size_t i, const double *x);

/* y = A x: 'x' has cols entries, 'y' rows. */
void am_csr_gemv(const struct am_csr *c, const double *x, double *y);

/* y += A' x: 'x' has rows entries, 'y' cols. */
void am_csr_gemv_t(const struct am_csr *c, const double *x, double *y);

/* Bytes of memory the matrix holds (its allocated arrays). */
size_t am_csr_bytes(const struct am_csr *c);

/*
 * Eigenvalues and eigenvectors of the symmetric matrix 'a' (n x n, its
 * upper triangle read) by LAPACK dsyevd: 'w' (n doubles) receives the
 * eigenvalues in ascending order and column j of 'a' the unit eigenvector
 * of w[j] ('a' is overwritten).  Returns 0, AM_EDIM if 'a' is not square,
 * AM_ELIMIT, or AM_EARG if LAPACK did not converge.
 */
int am_mat_syev(struct am_mat *a, double *w, struct am_err *err);

/*
 * The minimum-norm least-squares solution of A X = B (LAPACK dgelsd, by
 * singular values; those below 'rcond' times the largest count as zero):
 * 'a' is m x n and overwritten, 'b' is max(m, n) x k, its first m rows
 * the right-hand sides on entry and its first n rows the solution on
 * return.  '*rank' (may be NULL) receives the effective rank.  Returns 0,
 * AM_EDIM, AM_ELIMIT, AM_ENOMEM, or AM_EARG if the SVD did not converge.
 */
int am_mat_lstsq(struct am_mat *a, struct am_mat *b, double rcond, size_t *rank,
    struct am_err *err);

#endif
