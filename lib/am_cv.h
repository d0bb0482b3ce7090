/* SPDX-License-Identifier: MIT */
/*
 * am_cv.h -- judging a model on rows it was not fitted on: k-fold
 * cross-validation (am-train --cv K) and a validation set (--valid FILE).
 *
 * Metrics by kind of model: a binary classifier gets auc, logloss and
 * accuracy (label at 0.5); a K-class classifier accuracy, logloss and
 * the one-vs-rest macro auc; a regressor rmse, mae and r2 (am_metrics).
 * Row weights weigh every metric.
 *
 * Folds: the rows are shuffled with the seed (am_rand) and row r of the
 * shuffled order goes to fold r mod K; for a classifier the shuffle is
 * done within each class and the classes are dealt in turn, so every
 * fold has about the same class mix (stratified).  Fold f's model is
 * fitted on the other K - 1 folds with the same parameters.
 */
#ifndef AM_CV_H
#define AM_CV_H

#include <stddef.h>

#include "am_err.h"
#include "am_model.h"
#include "am_table.h"

struct am_cv_metrics {
	int regression; /* which of the two groups below is filled */
	double rows;    /* rows judged (their total weight) */
	double auc, logloss, accuracy;
	double rmse, mae, r2;
};

/*
 * Judge model 'm' on table 't': features bound by name (am_model_bind),
 * classes matched by name (AM_EFORMAT "FILE: class 'x' of target 'y' is
 * unknown to the model").  Rows are predicted on 'threads' threads (the
 * same result for any count).  Returns 0, that, or AM_ENOMEM.
 */
int am_cv_eval(const struct am_model *m, const struct am_table *t, int threads,
    struct am_cv_metrics *out, struct am_err *err);

/*
 * K-fold cross-validation of algorithm 'ops' with parameters 'p' on 't'
 * (2 <= k <= rows, AM_EARG otherwise): the metrics of each fold into
 * 'fold' (k entries).  Returns 0 or the first error of a fit.
 */
int am_cv_run(const struct am_model_ops *ops, const struct am_table *t,
    const struct am_model_params *p, size_t k, struct am_cv_metrics *fold,
    struct am_err *err);

/* The rows of 't' listed in 'rows' (n of them), as a new table. */
struct am_table *am_cv_subset(const struct am_table *t, const size_t *rows,
    size_t n, struct am_err *err);

#endif
