/* SPDX-License-Identifier: MIT */
/*
 * am_metrics.h -- metrics of binary classification, computed from arrays
 * of true labels (0 or 1), scores and optional weights.
 *
 * Conventions (the same as scikit-learn's, so that the numbers agree):
 *  - A row is predicted positive when its score is >= the threshold.
 *  - Precision is 0 when nothing is predicted positive, recall is 0 when
 *    there is no positive row, F1 is 0 when both are 0.
 *  - ROC AUC is exact: every (positive, negative) pair counts 1 when the
 *    positive scores higher and 1/2 on a tie (the trapezoid rule, equal
 *    to the Mann-Whitney statistic with average ranks).  With a single
 *    class it is undefined: NAN.  Average precision (PR AUC) follows
 *    sklearn's average_precision_score (a step function, tied scores form
 *    one threshold); NAN without positive rows.
 *  - Log loss clips probabilities to [1e-15, 1 - 1e-15] and is the
 *    weighted mean over rows; it and the Brier score need scores in
 *    [0, 1] and are NAN otherwise (rank metrics accept any real score).
 *  - With weights, every count becomes a sum of weights; weights must be
 *    finite and >= 0 with a positive total.
 *
 * Cost: one radix sort of the scores, O(n), with 32 bytes of scratch
 * memory per row, freed before returning.  Results do not
 * depend on the order of the rows except through floating-point sums,
 * which are taken in row order, so the same input gives the same bits.
 */
#ifndef AM_METRICS_H
#define AM_METRICS_H

#include <stddef.h>

#include "am_err.h"

/* Probability clipping used by log loss (scikit-learn's historic eps). */
#define AM_LOGLOSS_EPS 1e-15

/* Every binary metric; a field is NAN when it is undefined. */
struct am_binmetrics {
	double rows;           /* number of rows (not weighted) */
	double positives;      /* rows with label 1 (not weighted) */
	double threshold;      /* the threshold used for tp, fp, tn, fn */
	double tp, fp, tn, fn; /* confusion matrix (weighted) */
	double accuracy;       /* (tp + tn) / total */
	double precision;      /* tp / (tp + fp), 0 if tp + fp = 0 */
	double recall;         /* tp / (tp + fn), 0 if tp + fn = 0 */
	double f1;             /* 2 p r / (p + r), 0 if p + r = 0 */
	double auc;            /* ROC AUC, NAN with one class */
	double logloss;        /* NAN if a score is not in [0, 1] */
	double pr_auc;         /* average precision, NAN if no positive */
	double brier;          /* mean (score - y)^2, NAN as logloss */
	double ks;             /* max |TPR - FPR| over cuts, NAN as auc */
};

/*
 * Compute every metric of 'm' from 'n' rows: 'y[i]' is 0 or 1, 'score[i]'
 * a finite real, 'w' NULL (every weight 1) or 'n' finite weights >= 0.
 * 'threshold' decides the predicted class (score >= threshold).  Returns
 * 0, or AM_EARG ('n' is 0, a label is not 0/1, a score is not finite, a
 * weight is negative or not finite, the weights sum to 0) or AM_ENOMEM,
 * with a message in 'err'.
 */
int am_metrics_binary(const unsigned char *y, const double *score,
    const double *w, size_t n, double threshold, struct am_binmetrics *m,
    struct am_err *err);

/*
 * ROC AUC alone, into '*auc' (NAN with one class).  Same arguments and
 * errors as am_metrics_binary().
 */
int am_metrics_auc(const unsigned char *y, const double *score, const double *w,
    size_t n, double *auc, struct am_err *err);

/*
 * Log loss alone: the weighted mean of -log(p) for positives and
 * -log(1 - p) for negatives, p clipped to AM_LOGLOSS_EPS.  Returns NAN
 * if a score is outside [0, 1] or not finite, or if the total weight is
 * not positive.  Does not fail.
 */
double am_metrics_logloss(const unsigned char *y, const double *score,
    const double *w, size_t n);

/* One bin of a lift table, rows taken by decreasing score. */
struct am_lift_bin {
	double rows; /* weight of the rows in the bin (may be fractional) */
	double positives; /* weight of the positive rows in the bin */
	double rate;      /* positives / rows */
	double lift;      /* rate / overall positive rate */
	double cum_gain;  /* share of all positives in bins 1 .. this one */
	double cum_lift;  /* cum_gain / share of all rows in bins 1 .. this */
	double min_score; /* lowest score in the bin */
};

/*
 * Lift and cumulative gains: sort rows by decreasing score and cut them
 * into 'nbins' bins of equal weight (deciles for 10), into 'bins[0 ..
 * nbins)'.  Rows with tied scores that straddle a cut are shared between
 * the bins in proportion (each bin gets the tie group's positive rate),
 * so the table does not depend on the row order; a bin's "rows" may
 * thus be fractional.  Without positive rows, rate is 0 and the other
 * ratios are NAN.  Returns 0, or AM_EARG (as am_metrics_binary(), or
 * 'nbins' is 0) or AM_ENOMEM.
 */
int am_metrics_lift(const unsigned char *y, const double *score,
    const double *w, size_t n, size_t nbins, struct am_lift_bin *bins,
    struct am_err *err);

/*
 * The names of the fields of struct am_binmetrics, in output order, for
 * printing and for checks such as "auc>=0.8": am_metrics_names() returns
 * a NULL-terminated array of constant strings; am_metrics_get() stores
 * the value of metric 'name' in '*out' and returns 0, or -1 for an
 * unknown name.
 */
const char *const *am_metrics_names(void);
int am_metrics_get(const struct am_binmetrics *m, const char *name,
    double *out);

#endif
