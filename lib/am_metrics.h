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
	double cum_rows;  /* weight of the rows in bins 1 .. this one */
	double cum_positives; /* weight of the positives in bins 1 .. this */
	double cum_rate;      /* cum_positives / cum_rows */
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

/*
 * Reliability bins (scikit-learn's calibration_curve with the uniform
 * strategy): bin j of 'nbins' holds the scores in (j/nbins, (j+1)/nbins],
 * the first bin also 0; each bin gets its weight, mean score and share of
 * positive weight (NAN when empty).  '*ece' receives the expected
 * calibration error, the weight-averaged |frac_pos - mean_score|.  The
 * scores must lie in [0, 1].  Returns 0, or AM_EARG (as
 * am_metrics_binary(), a score outside [0, 1], 'nbins' is 0).
 */
struct am_calib_bin {
	double lo, hi;     /* the bin's edges */
	double rows;       /* weight of the rows in the bin */
	double mean_score; /* mean score in the bin */
	double frac_pos;   /* share of positive weight in the bin */
};
int am_metrics_calibration(const unsigned char *y, const double *score,
    const double *w, size_t n, size_t nbins, struct am_calib_bin *bins,
    double *ece, struct am_err *err);

/* Rules that choose a decision threshold from the data. */
enum am_thr_rule {
	AM_THR_MAX_F1, /* the threshold of highest F1 */
	AM_THR_YOUDEN, /* highest TPR - FPR (Youden's J) */
	AM_THR_TOP,    /* predict the top share 'a' of the rows positive */
	AM_THR_COST    /* least a * FP + b * FN */
};

/*
 * Choose a threshold by 'rule' (parameters 'a' and 'b' as above) into
 * '*thr'.  The candidates are the distinct scores (predicted positive:
 * score >= candidate); the first best candidate from the top wins, so
 * ties go to the higher threshold.  AM_THR_TOP takes the highest
 * candidate that predicts at least a share 'a' in (0, 1] of the total
 * weight positive (a tie group straddling the cut is taken whole).
 * AM_THR_COST also weighs predicting nothing positive, whose threshold
 * is the next double above the highest score.  Returns 0 or an error of
 * am_metrics_binary().
 */
int am_metrics_choose(const unsigned char *y, const double *score,
    const double *w, size_t n, enum am_thr_rule rule, double a, double b,
    double *thr, struct am_err *err);

/* The optimum of a profit curve, see am_metrics_profit(). */
struct am_profit {
	double profit;    /* the best profit */
	double depth;     /* share of the rows contacted at the best */
	double contacts;  /* weight of the rows contacted */
	double threshold; /* lowest score contacted; NAN when none is */
};

/*
 * Profit of contacting the rows by decreasing score: 'value' per positive
 * reached minus 'cost' per row contacted, over every cut between tie
 * groups (a tie group is contacted whole), contacting nobody included
 * (profit 0).  The first best cut from the top wins.  Returns 0 or an
 * error of am_metrics_binary().
 */
int am_metrics_profit(const unsigned char *y, const double *score,
    const double *w, size_t n, double cost, double value, struct am_profit *p,
    struct am_err *err);

/* Regression metrics; see am_metrics_regression(). */
struct am_regmetrics {
	double rows;         /* rows read (not weighted) */
	double rmse;         /* root of the mean squared error */
	double mae;          /* mean absolute error */
	double r2;           /* 1 - SS_res / SS_tot */
	double mape;         /* mean |y - p| / |y| over rows with y != 0 */
	double mape_skipped; /* rows with y = 0, left out of mape */
	double medae;        /* median absolute error */
	double explained_variance; /* 1 - Var(y - p) / Var(y) */
};

/*
 * Regression metrics of predictions 'pred' against 'y' ('n' finite
 * values each), weighted by 'w' (NULL: every weight 1).  As scikit-learn
 * (force_finite), r2 and explained_variance are 1 when y is constant and
 * predicted without error and 0 when y is constant otherwise; mape is NAN
 * when every y is 0.  The median absolute error with weights is the
 * median of the rows repeated by their weight: the first error whose
 * cumulative weight reaches half the total, averaged with the next one
 * when it reaches exactly half.  Returns 0, AM_EARG (no rows, a value not
 * finite, a bad weight) or AM_ENOMEM (16 bytes a row to sort).
 */
int am_metrics_regression(const double *y, const double *pred, const double *w,
    size_t n, struct am_regmetrics *m, struct am_err *err);

/*
 * Multi-class metrics: 'k' classes numbered 0 .. k-1.  The caller fills
 * 'k' and points 'conf' (k * k, row = true class, column = predicted),
 * 'precision', 'recall', 'f1' and 'support' (k each) to memory it owns;
 * am_metrics_multiclass() fills the rest.
 */
struct am_mcmetrics {
	size_t k;
	double *conf, *precision, *recall, *f1, *support;
	double rows;
	double accuracy;
	double precision_macro, recall_macro, f1_macro;
	double precision_micro, recall_micro, f1_micro;
	double precision_weighted, recall_weighted, f1_weighted;
	double auc_ovr; /* macro one-vs-rest ROC AUC; NAN without proba */
	double logloss; /* NAN without proba */
};

/*
 * Fill 'm' from 'n' rows of true classes 'y' and either predicted classes
 * 'pred' or class probabilities 'proba' (n * k, row-major; the predicted
 * class is then the first of the highest probability).  One of 'pred'
 * and 'proba' may be NULL.  As scikit-learn: a per-class ratio with a
 * zero denominator is 0; the macro and weighted averages run over the
 * classes that occur in 'y' or among the predictions; micro averages
 * equal the accuracy.  auc_ovr is the mean over the classes that occur
 * in 'y' of the AUC of that class against the rest (NAN if fewer than
 * two occur); logloss clips each probability to AM_LOGLOSS_EPS and
 * scales each row to sum 1 first (scikit-learn 1.2).  Returns 0,
 * AM_EARG (no rows, a class >= k, a probability not in [0, 1], a bad
 * weight) or AM_ENOMEM.
 */
int am_metrics_multiclass(const unsigned *y, const unsigned *pred,
    const double *proba, const double *w, size_t n, struct am_mcmetrics *m,
    struct am_err *err);

/*
 * Bootstrap helpers.  am_metrics_resample() draws 'n' rows with
 * replacement from 'r' and sets 'out[i]' to the number of times row i was
 * drawn times 'w[i]' ('w' NULL: times 1), so that a weighted metric over
 * 'out' is the metric of the resample.  am_metrics_percentile() sorts
 * 'v[0 .. n)' (NAN values are dropped first) and returns the 'q'
 * quantile (0 <= q <= 1) with linear interpolation between order
 * statistics (numpy's default); NAN if no value is left.  It reorders
 * 'v'.
 */
struct am_rand;
void am_metrics_resample(struct am_rand *r, const double *w, size_t n,
    double *out);
double am_metrics_percentile(double *v, size_t n, double q);

/* One point of the ROC and precision-recall curves, see am_metrics_curve(). */
struct am_curve_pt {
	double threshold; /* rows with score >= threshold are positive */
	double fpr, tpr;  /* false and true positive rates (tpr = recall) */
	double precision; /* tp / (tp + fp); 1 at the first point */
};

/*
 * The ROC and precision-recall curves: one point per distinct score, from
 * the highest down (a tie group moves the curve in one step), preceded by
 * the point (0, 0) of predicting nothing positive (threshold +inf,
 * precision 1 as in scikit-learn).  With 'maxpts' > 0 the curve is
 * thinned for drawing: a point is kept when it lies farther than
 * 1 / 'maxpts' (L1) from the last kept one in ROC or PR space, the first
 * and last points always, so at most about 4 * 'maxpts' points remain.
 * '*pts' (to free()) receives '*npts' points.  Rates are NAN when their
 * denominator is 0.  Returns 0 or an error of am_metrics_binary().
 */
int am_metrics_curve(const unsigned char *y, const double *score,
    const double *w, size_t n, size_t maxpts, struct am_curve_pt **pts,
    size_t *npts, struct am_err *err);

#endif
