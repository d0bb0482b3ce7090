/* SPDX-License-Identifier: MIT */
/*
 * am_select.h -- univariate feature scores for feature selection, each
 * over one feature column 'x' of 'n' rows, defined as in
 * scikit-learn's sklearn.feature_selection so that the numbers can be
 * checked against it:
 *
 *   variance  population variance (VarianceThreshold)
 *   F         one-way ANOVA F statistic of x across the classes
 *             (f_classif); 0 when x is constant
 *   chi2      sum over classes of (O - E)^2 / E, O the sum of x over the
 *             class's rows, E the class share times the sum of x (chi2);
 *             x must be >= 0; 0 when x sums to 0
 *   corr      |Pearson r| of x with a numeric target (abs of r_regression);
 *             0 when either is constant
 *   MI        mutual information (nats) of x with the class: for a
 *             discrete x, from the contingency table (mutual_info_score);
 *             for a continuous x, the k-nearest-neighbour estimator of
 *             Ross (2014) that mutual_info_classif uses (k = 3 there).
 *             scikit-learn adds 1e-10-scale noise to continuous columns,
 *             so its numbers differ from these where values tie.
 *
 * Classes are numbered 0 .. nclass - 1 in 'y'.  The functions allocate
 * scratch memory; they return a negative AM_E* code only for AM_ENOMEM
 * (and AM_EARG for a negative value in chi2).
 */
#ifndef AM_SELECT_H
#define AM_SELECT_H

#include <stddef.h>

double am_sel_variance(const double *x, size_t n);
double am_sel_f(const double *x, const int *y, size_t n, size_t nclass);
int am_sel_chi2(const double *x, const int *y, size_t n, size_t nclass,
    double *score);
double am_sel_corr(const double *x, const double *y, size_t n);
int am_sel_mi(const double *x, const int *y, size_t n, size_t nclass,
    int discrete, unsigned k, double *score);

/* The digamma function psi(x) for x > 0 (used by the MI estimator). */
double am_digamma(double x);

#endif
