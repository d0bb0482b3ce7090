/* SPDX-License-Identifier: MIT */
/*
 * am_svm.h -- linear support vector machines by dual coordinate descent
 * (Hsieh, Chang, Lin, Keerthi and Sundararajan, "A dual coordinate
 * descent method for large-scale linear SVM", ICML 2008), the method of
 * LIBLINEAR -s 3 (L1 loss, hinge) and -s 1 (L2 loss, squared hinge):
 *
 *	min_w  1/2 ||w||^2 + sum_i c_i max(0, 1 - y_i w'x_i)^q,  q = 1 or 2
 *
 * solved through its dual, min_a 1/2 a'Qa - sum a_i with Q_ij = y_i y_j
 * x_i'x_j + D_ii, 0 <= a_i <= U_i (q = 1: U_i = c_i, D_ii = 0; q = 2:
 * U_i = inf, D_ii = 1 / (2 c_i)), one coordinate at a time in a seeded
 * random order each sweep, with LIBLINEAR's shrinking.  w = sum y_i a_i
 * x_i is kept up to date.  With a bias b > 0 every row gets a constant
 * feature b (LIBLINEAR's -B), whose weight is regularised too.  The
 * solver stops when the projected gradient's spread over a sweep is at
 * most eps (LIBLINEAR's rule) or after max_iter sweeps.
 *
 * Multi-class: one vs rest, one problem per class.  Probabilities: each
 * problem's decision values on held-out folds (5 folds, seeded) are fitted
 * by Platt's sigmoid 1 / (1 + exp(A f + B)) (Lin, Lin and Weng's Newton
 * method, 2007), then the final model is fitted on all rows.
 */
#ifndef AM_SVM_H
#define AM_SVM_H

#include <stddef.h>
#include <stdint.h>

#include "am_err.h"
#include "am_mat.h"
#include "am_model.h"

struct am_svm_param {
	int loss;      /* 1 or 2 */
	double eps;    /* > 0 */
	int max_iter;  /* sweeps at most */
	double bias;   /* > 0: constant feature of this value */
	uint64_t seed; /* order of the coordinates */
};

#define AM_SVM_EPS      0.1
#define AM_SVM_MAX_ITER 1000
#define AM_SVM_FOLDS    5

struct am_svm_info {
	int iter;
	int converged;
	double obj; /* dual objective at the end */
};

/*
 * Fit w (nfeat weights, then the bias weight when p->bias > 0) on rows
 * 'x' (x->cols <= nfeat), labels 'y' (+1 or -1, 0 = skip the row) and
 * costs 'c' (> 0).  'a' (NULL, or one dual value per row) holds a warm
 * start on entry (values clipped to their bounds, skipped rows ignored)
 * and the dual solution on return.  Returns 0, AM_EARG or AM_ENOMEM.
 */
int am_svm_fit(const struct am_csr *x, size_t nfeat, const double *y,
    const double *c, const struct am_svm_param *p, double *a, double *w,
    struct am_svm_info *info, struct am_err *err);

/*
 * Platt's sigmoid fitted to decision values 'f' and labels 'y' (+1, -1,
 * 0 = skip) of 'n' rows: P(y = 1 | f) = 1 / (1 + exp(a f + b)).
 */
void am_svm_platt(const double *f, const double *y, size_t n, double *a,
    double *b);

/*
 * The "svm" algorithm of am_model.h (a classifier, one vs rest).  Fit:
 * p->loss (default 2), C (or lambda), class costs, sample weights, bias,
 * eps (default 0.1), max_iter, seed.  Predict: the Platt probabilities
 * (binary: out[0] = P(positive); K classes: normalised to sum 1), made
 * to agree with the decision values: the predicted label (am_model_label)
 * is always the class of the largest decision value.  Explain: the terms
 * w_j x_j of the decision value of class 'cls' (unit "margin").
 * Payload: section "svm" (u32 version 1, u64 nfeat, f64 bias, u8 loss,
 * u32 vectors, then per vector f64 Platt a, b and the weights); meta
 * hyper.C, hyper.loss, hyper.eps, hyper.max_iter, hyper.bias,
 * hyper.class_weight, metric.iterations.
 *
 * Squared hinge fits also write section "svm.update" (u32 version 1,
 * f64 C, f64 lambda, f64 eps, u32 max_iter, f64 rows, u64 classes and
 * the f64 class cost factors, f64 h11, h21, h22 per vector: the Hessian
 * of Platt's objective at its solution, then the expansion of the data
 * term sum_i c_i max(0, 1 - y_i w'x_i)^2 at w as am_logreg_quad_encode()
 * writes it: one block per vector, full up to AM_LOGREG_QUAD_FULL
 * weights, the generalised Hessian 2 c_i x_i x_i' over the rows inside
 * the margin).  Artifacts without it (older ones, hinge loss) load and
 * predict as before.
 *
 * Update: the Laplace prior of logreg (am_logreg.h) with the squared
 * hinge: each vector minimises 1/2 |v|^2 + a (g'(v - w) + 1/2 (v - w)'
 * H (v - w)) plus the new rows' squared hinge by TRON from w, keeping
 * the model's C (or lambda), class costs and bias; eps (default
 * AM_LOGREG_EPS) and max_iter are TRON's.  Platt's sigmoids are fitted
 * on held-out folds of the new rows with the old sigmoid's Laplace
 * prior; the stored expansions then add the new rows, so updates chain.
 * The hinge loss has no curvature to keep: its models are AM_EMODEL
 * ("svm: a model with --loss hinge cannot be updated"), as are models
 * without "svm.update" ("... no summary of its data ...").
 *
 * Merge: with every shard's "svm.update", the minimum of 1/2 |v|^2 plus
 * the sum of the shards' expansions (the sigmoids likewise combined);
 * otherwise the rows-weighted mean of the shards' weights and Platt
 * parameters (iterative parameter mixing, one round).
 */
extern const struct am_model_ops am_svm_ops;

#endif
