/* SPDX-License-Identifier: MIT */
/*
 * am_linreg.h -- linear regression: ordinary least squares and ridge by a
 * direct solve, lasso and elastic net by coordinate descent.
 *
 * For rows x_i, targets y_i and sample weights s_i >= 0 (W = sum s_i),
 * with an intercept b (unpenalised) unless disabled:
 *
 *   ols, ridge   min  sum_i s_i (y_i - x_i'w - b)^2 + alpha ||w||^2
 *   lasso, enet  min  1/(2W) sum_i s_i (y_i - x_i'w - b)^2
 *                     + alpha r ||w||_1 + alpha (1 - r)/2 ||w||^2
 *
 * (the objectives of scikit-learn's Ridge, Lasso and ElasticNet; r is
 * the L1 ratio: 1 lasso).  Both work on the weighted Gram matrix of the
 * centred features, G = sum_i s_i (x_i - m)(x_i - m)', and c = sum_i s_i
 * (x_i - m)(y_i - ybar), built in one pass over the rows (cost
 * sum_i nnz_i^2, memory nfeat^2 doubles): ridge solves (G + alpha I) w =
 * c by Cholesky (LAPACK dposv); OLS too, or, when G is singular
 * (collinear features, e.g. every level of a one-hot block with an
 * intercept), takes the minimum-norm solution by SVD (dgelsd).  Lasso
 * and elastic net cycle over the coordinates with soft thresholding
 * ("covariance updates" of Friedman, Hastie and Tibshirani 2010), each
 * update costing O(nfeat), until the largest weight change of a sweep is
 * at most eps times the largest weight.  Then b = ybar - m'w.
 * Polynomial regression: polynomial terms from am-features, then linreg.
 */
#ifndef AM_LINREG_H
#define AM_LINREG_H

#include <stddef.h>

#include "am_err.h"
#include "am_mat.h"
#include "am_model.h"

struct am_linreg_param {
	double alpha;    /* penalty weight, >= 0 (0 with l1_ratio 0: OLS) */
	double l1_ratio; /* 0: OLS/ridge; (0, 1]: elastic net, 1 lasso */
	int intercept;   /* fit the intercept b */
	double eps;      /* coordinate descent tolerance, > 0 */
	int max_iter;    /* coordinate descent sweeps at most */
};

#define AM_LINREG_EPS      1e-4
#define AM_LINREG_MAX_ITER 1000
#define AM_LINREG_PARAM_INIT                               \
	{                                                  \
		0, 0, 1, AM_LINREG_EPS, AM_LINREG_MAX_ITER \
	}

struct am_linreg_info {
	int iter;      /* sweeps (coordinate descent), 0 for a solve */
	int converged; /* coordinate descent met its tolerance */
	size_t rank;   /* rank of G when the SVD was used, else nfeat */
	int svd;       /* the minimum-norm SVD solution was taken */
};

/*
 * Fit on rows 'x' (indices >= nfeat ignored), targets 'y' and weights
 * 'sw' (NULL: all 1): w[0 .. nfeat) the weights, w[nfeat] the intercept
 * (0 without one).  With 'w0' not NULL, coordinate descent starts from
 * it (a warm start along a path).  Returns 0, AM_EARG (bad parameters,
 * or all weights 0) or AM_ENOMEM.
 */
int am_linreg_fit(const struct am_csr *x, size_t nfeat, const double *y,
    const double *sw, const struct am_linreg_param *p, const double *w0,
    double *w, struct am_linreg_info *info, struct am_err *err);

/*
 * The sufficient statistics of the rows for every fit above, kept in
 * the model so that an update adds the new rows' statistics and solves
 * again, and a merge sums the shards' statistics: the results equal a
 * fit on all rows up to rounding.  Raw (uncentred) weighted sums:
 * sw = sum s_i, sy = sum s_i y_i, syy = sum s_i y_i^2, sx = sum s_i x_i,
 * sxy = sum s_i x_i y_i and the lower triangle of sxx = sum s_i x_i x_i'
 * (nfeat x nfeat row-major; the upper triangle is unused).  Centring
 * them in the solve loses digits when a feature's mean is large next to
 * its spread (as any one-pass Gram matrix does); standardise such
 * features first (am-features).
 */
struct am_linreg_stats {
	size_t nfeat;
	double sw, sy, syy;
	double *sx, *sxy, *sxx;
};

/* Zeroed statistics for 'nfeat' features: 0 or AM_ENOMEM. */
int am_linreg_stats_init(struct am_linreg_stats *st, size_t nfeat);
void am_linreg_stats_release(struct am_linreg_stats *st);
/* Add rows 'x' (indices >= nfeat ignored), 'y', weights 'sw' (or NULL). */
void am_linreg_stats_add(struct am_linreg_stats *st, const struct am_csr *x,
    const double *y, const double *sw);
/* dst += src (same nfeat). */
void am_linreg_stats_sum(struct am_linreg_stats *dst,
    const struct am_linreg_stats *src);

/*
 * Fit from statistics, as am_linreg_fit() does from rows (which is
 * stats_init, stats_add, then this).  Same returns.
 */
int am_linreg_solve(const struct am_linreg_stats *st,
    const struct am_linreg_param *p, const double *w0, double *w,
    struct am_linreg_info *info, struct am_err *err);

/*
 * The "linreg" algorithm of am_model.h (a regressor): p->alpha and
 * p->penalty (AM_PENALTY_L2: OLS when alpha is 0, else ridge; _L1: lasso;
 * _ENET: elastic net with p->l1_ratio, default 0.5), intercept unless
 * p->bias is 0, sample weights.  Predict: out[0] = x'w + b.  Payload:
 * section "linreg" (u32 version 1, u64 nfeat, u8 intercept, f64 weights
 * nfeat + 1); meta hyper.alpha, hyper.penalty, hyper.l1_ratio, hyper.eps,
 * hyper.max_iter, metric.iterations, metric.rank, metric.train_rmse.
 * Section "linreg.stats" (u32 version 1, f64 alpha, f64 l1_ratio, u8
 * penalty, f64 eps, u32 max_iter, u64 nfeat, f64 sw, sy, syy, then sx,
 * sxy and sxx) holds struct am_linreg_stats; update adds the new rows'
 * statistics and solves again (coordinate descent warm-started from the
 * old weights), merge sums the shards' statistics.  An artifact without
 * the section (written before updates existed) loads and predicts but
 * cannot be updated, and merges by the rows-weighted mean of weights.
 */
extern const struct am_model_ops am_linreg_ops;

#endif
