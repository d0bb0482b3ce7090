/* SPDX-License-Identifier: MIT */
/*
 * am_mat.c -- dense matrices over cblas/LAPACKE and a growable CSR matrix.
 *
 * BLAS takes int sizes: the level-1 kernels split longer vectors into
 * int-sized pieces; level-2/3 calls refuse shapes beyond INT_MAX with
 * AM_ELIMIT rather than truncating.  The CSR kernels are plain loops: the
 * index arrays are 32-bit and kept apart from the values so that a row is
 * two sequential streams.
 */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cblas.h>
#include <lapacke.h>

#include "am_mat.h"

#include "am_banned.h"

struct am_mat *
am_mat_new(size_t rows, size_t cols, struct am_err *err)
{
	struct am_mat *m;
	size_t n = rows * cols;

	if (cols != 0 && n / cols != rows) {
		am_seterr(err, AM_ENOMEM, "out of memory (%zu x %zu matrix)",
		    rows, cols);
		return NULL;
	}
	if ((m = calloc(1, sizeof(*m))) == NULL ||
	    (m->data = calloc(n > 0 ? n : 1, sizeof(double))) == NULL) {
		free(m);
		am_seterr(err, AM_ENOMEM, "out of memory (%zu x %zu matrix)",
		    rows, cols);
		return NULL;
	}
	m->rows = rows;
	m->cols = cols;
	m->stride = cols;
	m->owned = 1;
	return m;
}

void
am_mat_free(struct am_mat *m)
{
	if (m == NULL)
		return;
	if (m->owned)
		free(m->data);
	free(m);
}

struct am_mat
am_mat_view(const struct am_mat *m, size_t row0, size_t col0, size_t nrows,
    size_t ncols)
{
	struct am_mat v;

	if (row0 > m->rows)
		row0 = m->rows;
	if (col0 > m->cols)
		col0 = m->cols;
	if (nrows > m->rows - row0)
		nrows = m->rows - row0;
	if (ncols > m->cols - col0)
		ncols = m->cols - col0;
	v.rows = nrows;
	v.cols = ncols;
	v.stride = m->stride;
	v.data = m->data + row0 * m->stride + col0;
	v.owned = 0;
	return v;
}

/* Pieces of at most INT_MAX elements for the level-1 kernels. */
#define PIECE ((size_t)INT_MAX)

double
am_dot(size_t n, const double *x, const double *y)
{
	double s = 0;
	size_t k, off;

	for (off = 0; off < n; off += k) {
		k = n - off < PIECE ? n - off : PIECE;
		s += cblas_ddot((int)k, x + off, 1, y + off, 1);
	}
	return s;
}

void
am_axpy(size_t n, double a, const double *x, double *y)
{
	size_t k, off;

	for (off = 0; off < n; off += k) {
		k = n - off < PIECE ? n - off : PIECE;
		cblas_daxpy((int)k, a, x + off, 1, y + off, 1);
	}
}

void
am_scal(size_t n, double a, double *x)
{
	size_t k, off;

	for (off = 0; off < n; off += k) {
		k = n - off < PIECE ? n - off : PIECE;
		cblas_dscal((int)k, a, x + off, 1);
	}
}

double
am_nrm2(size_t n, const double *x)
{
	if (n <= PIECE)
		return cblas_dnrm2((int)n, x, 1);
	return sqrt(am_dot(n, x, x));
}

static int
too_big(const struct am_mat *m, struct am_err *err)
{
	if (m->rows > PIECE || m->cols > PIECE || m->stride > PIECE)
		return am_seterr(err, AM_ELIMIT,
		    "matrix of %zu x %zu is too large for BLAS", m->rows,
		    m->cols);
	return 0;
}

/* BLAS wants a leading dimension of at least 1, even for empty matrices. */
static int
ld(const struct am_mat *m)
{
	return m->stride > 0 ? (int)m->stride : 1;
}

int
am_mat_gemv(int trans, double alpha, const struct am_mat *a, const double *x,
    double beta, double *y, struct am_err *err)
{
	if (too_big(a, err) != 0)
		return AM_ELIMIT;
	if (a->rows == 0 || a->cols == 0) {
		size_t n = trans ? a->cols : a->rows;
		am_scal(n, beta, y);
		return 0;
	}
	cblas_dgemv(CblasRowMajor, trans ? CblasTrans : CblasNoTrans,
	    (int)a->rows, (int)a->cols, alpha, a->data, ld(a), x, 1, beta, y,
	    1);
	return 0;
}

int
am_mat_gemm(int transa, int transb, double alpha, const struct am_mat *a,
    const struct am_mat *b, double beta, struct am_mat *c, struct am_err *err)
{
	size_t m = transa ? a->cols : a->rows, k = transa ? a->rows : a->cols;
	size_t kb = transb ? b->cols : b->rows, n = transb ? b->rows : b->cols;

	if (k != kb || c->rows != m || c->cols != n)
		return am_seterr(err, AM_EDIM,
		    "gemm: cannot multiply %zu x %zu by %zu x %zu into %zu x %zu",
		    m, k, kb, n, c->rows, c->cols);
	if (too_big(a, err) != 0 || too_big(b, err) != 0 ||
	    too_big(c, err) != 0)
		return AM_ELIMIT;
	if (m == 0 || n == 0)
		return 0;
	if (k == 0) {
		size_t i;
		for (i = 0; i < m; i++)
			am_scal(n, beta, c->data + i * c->stride);
		return 0;
	}
	cblas_dgemm(CblasRowMajor, transa ? CblasTrans : CblasNoTrans,
	    transb ? CblasTrans : CblasNoTrans, (int)m, (int)n, (int)k, alpha,
	    a->data, ld(a), b->data, ld(b), beta, c->data, ld(c));
	return 0;
}

int
am_mat_chol_solve(struct am_mat *a, struct am_mat *b, struct am_err *err)
{
	lapack_int info;

	if (a->rows != a->cols || b->rows != a->rows)
		return am_seterr(err, AM_EDIM,
		    "cholesky: cannot solve %zu x %zu with %zu x %zu", a->rows,
		    a->cols, b->rows, b->cols);
	if (too_big(a, err) != 0 || too_big(b, err) != 0)
		return AM_ELIMIT;
	if (a->rows == 0 || b->cols == 0)
		return 0;
	info = LAPACKE_dposv(LAPACK_ROW_MAJOR, 'L', (lapack_int)a->rows,
	    (lapack_int)b->cols, a->data, ld(a), b->data, ld(b));
	if (info > 0)
		return am_seterr(err, AM_EARG,
		    "matrix is not positive definite (leading minor %d)",
		    (int)info);
	if (info < 0)
		return am_seterr(err, AM_EARG, "dposv: argument %d is invalid",
		    (int)-info);
	return 0;
}

void
am_csr_init(struct am_csr *c)
{
	memset(c, 0, sizeof(*c));
}

void
am_csr_release(struct am_csr *c)
{
	free(c->ptr);
	free(c->idx);
	free(c->val);
	am_csr_init(c);
}

/*
 * Arrays of 2 MiB and more are madvise()d for transparent huge pages.
 * Filling a table of 100 MB touches 25,000 small pages, and the page
 * faults (expensive on virtual machines) cost more than the copying:
 * huge pages halve the time to load a feature stream.  realloc() of such
 * large blocks moves pages (mremap) rather than copying them.
 */
#define HUGE_MIN (2u << 20)

void
am_mat_advise(void *p, size_t bytes)
{
#ifdef MADV_HUGEPAGE
	uintptr_t a = (uintptr_t)p, lo, hi;
	long pg = sysconf(_SC_PAGESIZE);

	if (p == NULL || bytes < HUGE_MIN || pg <= 0)
		return;
	lo = (a + (uintptr_t)pg - 1) & ~((uintptr_t)pg - 1);
	hi = (a + bytes) & ~((uintptr_t)pg - 1);
	if (hi > lo)
		(void)madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
#else
	(void)p;
	(void)bytes;
#endif
}

/*
 * Grow '*p' (of '*cap' elements of 'size' bytes) to hold 'need': to the
 * next power of two times 16 with 'exact' 0, to 'need' itself otherwise.
 */
static int
grow(void **p, size_t *cap, size_t need, size_t size, int exact)
{
	size_t n = *cap > 0 ? *cap : 16;
	void *q;

	if (need <= *cap)
		return 0;
	if (exact)
		n = need;
	while (n < need) {
		if (n > SIZE_MAX / 2 / size)
			return -1;
		n *= 2;
	}
	if (n > SIZE_MAX / size || (q = realloc(*p, n * size)) == NULL)
		return -1;
	am_mat_advise(q, n * size);
	*p = q;
	*cap = n;
	return 0;
}

/* Room for 'rows' rows and 'nnz' values in all, grown as 'exact' says. */
static int
csr_room(struct am_csr *c, size_t rows, size_t nnz, int exact)
{
	size_t cap;

	if (c->ptr == NULL || rows + 1 > c->cap_rows) {
		cap = c->cap_rows;
		if (grow((void **)&c->ptr, &cap, rows + 1, sizeof(*c->ptr),
		        exact) != 0)
			return -1;
		if (c->cap_rows == 0)
			c->ptr[0] = 0;
		c->cap_rows = cap;
	}
	if (nnz > c->cap_nnz) {
		cap = c->cap_nnz;
		if (grow((void **)&c->idx, &cap, nnz, sizeof(*c->idx), exact) !=
		    0)
			return -1;
		cap = c->cap_nnz;
		if (grow((void **)&c->val, &cap, nnz, sizeof(*c->val), exact) !=
		    0)
			return -1;
		c->cap_nnz = cap;
	}
	return 0;
}

int
am_csr_reserve(struct am_csr *c, size_t rows, size_t nnz, struct am_err *err)
{
	if (csr_room(c, rows, nnz, 1) != 0)
		return am_seterr(err, AM_ENOMEM,
		    "out of memory (%zu rows, %zu values)", rows, nnz);
	return 0;
}

int
am_csr_push(struct am_csr *c, size_t nnz, const uint32_t *idx,
    const double *val, struct am_err *err)
{
	size_t j;

	for (j = 1; j < nnz; j++)
		if (idx[j] <= idx[j - 1])
			return am_seterr(err, AM_EARG,
			    "row %zu: column indices are not increasing",
			    c->rows + 1);
	if ((c->ptr == NULL || c->rows + 2 > c->cap_rows ||
	        c->nnz + nnz > c->cap_nnz) &&
	    csr_room(c, c->rows + 1, c->nnz + nnz, 0) != 0)
		goto nomem;
	if (nnz > 0) {
		memcpy(c->idx + c->nnz, idx, nnz * sizeof(*idx));
		memcpy(c->val + c->nnz, val, nnz * sizeof(*val));
		if ((size_t)idx[nnz - 1] + 1 > c->cols)
			c->cols = (size_t)idx[nnz - 1] + 1;
	}
	c->nnz += nnz;
	c->rows++;
	c->ptr[c->rows] = c->nnz;
	return 0;
nomem:
	return am_seterr(err, AM_ENOMEM, "out of memory (%zu rows, %zu values)",
	    c->rows, c->nnz);
}

double
am_csr_dot(const struct am_csr *c, size_t i, const double *x)
{
	size_t k, end = c->ptr[i + 1];
	double s = 0;

	for (k = c->ptr[i]; k < end; k++)
		s += c->val[k] * x[c->idx[k]];
	return s;
}

void
am_csr_gemv(const struct am_csr *c, const double *x, double *y)
{
	size_t i;

	for (i = 0; i < c->rows; i++)
		y[i] = am_csr_dot(c, i, x);
}

void
am_csr_gemv_t(const struct am_csr *c, const double *x, double *y)
{
	size_t i, k;

	for (i = 0; i < c->rows; i++) {
		double xi = x[i];
		if (xi == 0)
			continue;
		for (k = c->ptr[i]; k < c->ptr[i + 1]; k++)
			y[c->idx[k]] += xi * c->val[k];
	}
}

size_t
am_csr_bytes(const struct am_csr *c)
{
	return c->cap_rows * sizeof(*c->ptr) +
	    c->cap_nnz * (sizeof(*c->idx) + sizeof(*c->val));
}

int
am_mat_syev(struct am_mat *a, double *w, struct am_err *err)
{
	lapack_int info;

	if (a->rows != a->cols)
		return am_seterr(err, AM_EDIM, "eigen: %zu x %zu is not square",
		    a->rows, a->cols);
	if (too_big(a, err) != 0)
		return AM_ELIMIT;
	if (a->rows == 0)
		return 0;
	info = LAPACKE_dsyevd(LAPACK_ROW_MAJOR, 'V', 'U', (lapack_int)a->rows,
	    a->data, ld(a), w);
	if (info != 0)
		return am_seterr(err, AM_EARG,
		    "dsyevd: eigenvalues did not converge (info %d)",
		    (int)info);
	return 0;
}

int
am_mat_lstsq(struct am_mat *a, struct am_mat *b, double rcond, size_t *rank,
    struct am_err *err)
{
	size_t mn = a->rows < a->cols ? a->rows : a->cols;
	size_t mx = a->rows > a->cols ? a->rows : a->cols;
	lapack_int info, r = 0;
	double *sv;

	if (b->rows < mx)
		return am_seterr(err, AM_EDIM,
		    "lstsq: cannot solve %zu x %zu with %zu x %zu", a->rows,
		    a->cols, b->rows, b->cols);
	if (too_big(a, err) != 0 || too_big(b, err) != 0)
		return AM_ELIMIT;
	if (rank != NULL)
		*rank = 0;
	if (mn == 0 || b->cols == 0)
		return 0;
	if ((sv = malloc(mn * sizeof(*sv))) == NULL)
		return am_seterr(err, AM_ENOMEM, "out of memory");
	info = LAPACKE_dgelsd(LAPACK_ROW_MAJOR, (lapack_int)a->rows,
	    (lapack_int)a->cols, (lapack_int)b->cols, a->data, ld(a), b->data,
	    ld(b), sv, rcond, &r);
	free(sv);
	if (info != 0)
		return am_seterr(err, AM_EARG, "dgelsd: %s %d",
		    info > 0 ? "no convergence" : "invalid argument",
		    (int)(info > 0 ? info : -info));
	if (rank != NULL)
		*rank = (size_t)r;
	return 0;
}
