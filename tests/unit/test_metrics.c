/* SPDX-License-Identifier: MIT */
/*
 * test_metrics.c -- binary metrics against hand-computed values, a
 * brute-force O(n^2) AUC, and weights checked against repeated rows.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "am_metrics.h"
#include "am_rand.h"
#include "unit.h"

#define TOL 1e-12

/* The example of sklearn's roc_auc_score documentation, by hand. */
static void
test_basic(void)
{
	const unsigned char y[] = { 0, 0, 1, 1 };
	const double s[] = { 0.1, 0.4, 0.35, 0.8 };
	struct am_binmetrics m;
	struct am_err err = { 0 };
	double v;

	CHECK(am_metrics_binary(y, s, NULL, 4, 0.5, &m, &err) == 0);
	CHECK(m.rows == 4 && m.positives == 2);
	/* only 0.8 is >= 0.5: tp 1, fp 0, fn 1, tn 2 */
	CHECK(m.tp == 1 && m.fp == 0 && m.fn == 1 && m.tn == 2);
	CHECK_NEAR(m.accuracy, 0.75, TOL);
	CHECK_NEAR(m.precision, 1.0, TOL);
	CHECK_NEAR(m.recall, 0.5, TOL);
	CHECK_NEAR(m.f1, 2.0 / 3.0, TOL);
	/* pairs (pos, neg): 0.35>0.1, 0.35<0.4, 0.8>0.1, 0.8>0.4: 3/4 */
	CHECK_NEAR(m.auc, 0.75, TOL);
	/* precision 1 at recall 1/2, 2/3 at recall 1: (1 + 2/3) / 2 */
	CHECK_NEAR(m.pr_auc, 5.0 / 6.0, TOL);
	CHECK_NEAR(m.logloss,
	    -(log(0.9) + log(0.6) + log(0.35) + log(0.8)) / 4.0, TOL);
	CHECK_NEAR(m.brier, (0.01 + 0.16 + 0.4225 + 0.04) / 4.0, TOL);
	CHECK_NEAR(m.ks, 0.5, TOL);
	/* the threshold is inclusive */
	CHECK(am_metrics_binary(y, s, NULL, 4, 0.4, &m, &err) == 0);
	CHECK(m.tp == 1 && m.fp == 1);
	CHECK(am_metrics_get(&m, "fp", &v) == 0 && v == 1.0);
	CHECK(am_metrics_get(&m, "auc", &v) == 0 && v == m.auc);
	CHECK(am_metrics_get(&m, "bogus", &v) == -1);
	CHECK(am_metrics_auc(y, s, NULL, 4, &v, &err) == 0);
	CHECK_NEAR(v, 0.75, TOL);
}

static void
test_ties(void)
{
	const unsigned char y[] = { 1, 0, 1, 0 };
	const double s[] = { 0.5, 0.5, 0.5, 0.2 };
	const double z[] = { 0.0, -0.0, 0.0, -0.0 };
	const double neg[] = { -3.0, -1e300, 2.5, -2.0 };
	struct am_binmetrics m;
	struct am_err err = { 0 };
	double v;

	/* each positive: half against the tied 0.5, one against 0.2 */
	CHECK(am_metrics_binary(y, s, NULL, 4, 0.5, &m, &err) == 0);
	CHECK_NEAR(m.auc, (0.5 + 1.0) * 2.0 / 4.0, TOL);
	/* one threshold at 0.5 (tp 2, fp 1): precision 2/3, recall 1 */
	CHECK_NEAR(m.pr_auc, 2.0 / 3.0, TOL);
	/* -0.0 and 0.0 tie: AUC 1/2 */
	CHECK(am_metrics_auc(y, z, NULL, 4, &v, &err) == 0);
	CHECK_NEAR(v, 0.5, TOL);
	/* any real scores: pos -3 beats -1e300, pos 2.5 beats both */
	CHECK(am_metrics_binary(y, neg, NULL, 4, 0.0, &m, &err) == 0);
	CHECK_NEAR(m.auc, 3.0 / 4.0, TOL);
	CHECK(isnan(m.logloss) && isnan(m.brier));
}

static void
test_one_class(void)
{
	const unsigned char one[] = { 1, 1, 1 }, zero[] = { 0, 0, 0 };
	const double s[] = { 0.2, 0.9, 0.6 };
	struct am_binmetrics m;
	struct am_err err = { 0 };

	CHECK(am_metrics_binary(one, s, NULL, 3, 0.5, &m, &err) == 0);
	CHECK(isnan(m.auc) && isnan(m.ks));
	CHECK_NEAR(m.pr_auc, 1.0, TOL);
	CHECK_NEAR(m.recall, 2.0 / 3.0, TOL);
	CHECK(am_metrics_binary(zero, s, NULL, 3, 0.5, &m, &err) == 0);
	CHECK(isnan(m.auc) && isnan(m.pr_auc));
	CHECK(m.precision == 0.0 && m.recall == 0.0 && m.f1 == 0.0);
	CHECK(am_metrics_binary(zero, s, NULL, 3, 0.95, &m, &err) == 0);
	CHECK(m.precision == 0.0 && m.accuracy == 1.0);
}

static void
test_clip(void)
{
	const unsigned char y[] = { 1, 0 };
	const double s[] = { 0.0, 0.0 };

	/* -log(1e-15) for the positive, -log(1 - 1e-15) for the negative */
	CHECK_NEAR(am_metrics_logloss(y, s, NULL, 2),
	    (34.538776394910684 + 1.1102230246251565e-15) / 2.0, 1e-12);
	CHECK(isnan(
	    am_metrics_logloss(y, (const double[]){ 0.5, 1.5 }, NULL, 2)));
}

static void
test_errors(void)
{
	const unsigned char y[] = { 0, 2 };
	const double s[] = { 0.1, 0.2 }, bad[] = { 0.1, (double)NAN };
	const double wneg[] = { 1, -1 }, wzero[] = { 0, 0 };
	const unsigned char y01[] = { 0, 1 };
	struct am_binmetrics m;
	struct am_err err = { 0 };

	CHECK(am_metrics_binary(y01, s, NULL, 0, 0.5, &m, &err) == AM_EARG);
	CHECK(strcmp(err.msg, "no rows") == 0);
	CHECK(am_metrics_binary(y, s, NULL, 2, 0.5, &m, &err) == AM_EARG);
	CHECK(am_metrics_binary(y01, bad, NULL, 2, 0.5, &m, &err) == AM_EARG);
	CHECK(am_metrics_binary(y01, s, wneg, 2, 0.5, &m, &err) == AM_EARG);
	CHECK(am_metrics_binary(y01, s, wzero, 2, 0.5, &m, &err) == AM_EARG);
}

/* Brute-force AUC over all pairs. */
static double
pairs_auc(const unsigned char *y, const double *s, size_t n)
{
	double num = 0.0, den = 0.0;
	size_t i, j;

	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++)
			if (y[i] == 1 && y[j] == 0) {
				num += s[i] > s[j] ? 1.0
				    : s[i] == s[j] ? 0.5
				                   : 0.0;
				den += 1.0;
			}
	return num / den;
}

static void
test_random(void)
{
	enum { N = 2000 };
	static unsigned char y[N], yy[4 * N];
	static double s[N], w[N], ss[4 * N];
	struct am_binmetrics m, mw, mx;
	struct am_err err = { 0 };
	struct am_rand r;
	size_t i, k, n = 0;
	double v;

	am_rand_seed(&r, 3);
	for (i = 0; i < N; i++) {
		/* coarse scores (many ties), some negative and huge */
		s[i] = floor(am_rand_unif(&r) * 20.0) / 10.0 - 0.5;
		if (i % 97 == 0)
			s[i] = i % 2 ? 1e200 : -1e200;
		y[i] = am_rand_unif(&r) < 0.3 + 0.2 * s[i];
		w[i] = (double)am_rand_below(&r, 4); /* 0 .. 3 */
	}
	CHECK(am_metrics_auc(y, s, NULL, N, &v, &err) == 0);
	CHECK_NEAR(v, pairs_auc(y, s, N), 1e-12);
	/* integer weights = repeated rows */
	for (i = 0; i < N; i++)
		for (k = 0; k < (size_t)w[i]; k++) {
			yy[n] = y[i];
			ss[n++] = s[i];
		}
	CHECK(am_metrics_binary(y, s, w, N, 0.3, &mw, &err) == 0);
	CHECK(am_metrics_binary(yy, ss, NULL, n, 0.3, &mx, &err) == 0);
	CHECK_NEAR(mw.auc, mx.auc, 1e-12);
	CHECK_NEAR(mw.pr_auc, mx.pr_auc, 1e-12);
	CHECK_NEAR(mw.ks, mx.ks, 1e-12);
	CHECK_NEAR(mw.accuracy, mx.accuracy, 1e-12);
	CHECK_NEAR(mw.f1, mx.f1, 1e-12);
	CHECK(mw.tp == mx.tp && mw.fn == mx.fn);
	/* reversing the rows changes nothing in the rank metrics */
	CHECK(am_metrics_binary(y, s, NULL, N, 0.3, &m, &err) == 0);
	for (i = 0; i < N / 2; i++) {
		unsigned char t = y[i];
		double u = s[i];

		y[i] = y[N - 1 - i];
		y[N - 1 - i] = t;
		s[i] = s[N - 1 - i];
		s[N - 1 - i] = u;
	}
	CHECK(am_metrics_binary(y, s, NULL, N, 0.3, &mx, &err) == 0);
	CHECK(m.auc == mx.auc && m.pr_auc == mx.pr_auc && m.ks == mx.ks);
}

static void
test_lift(void)
{
	const unsigned char y[] = { 0, 0, 0, 0, 0, 0, 0, 1, 1, 1 };
	const double s[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
	const unsigned char ty[] = { 1, 0, 0, 0 };
	const double ts[] = { 1, 1, 1, 0 };
	struct am_lift_bin b[5];
	struct am_err err = { 0 };

	CHECK(am_metrics_lift(y, s, NULL, 10, 5, b, &err) == 0);
	/* bins of 2 rows from the top: positives 2, 1, 0, 0, 0 */
	CHECK(b[0].rows == 2 && b[0].positives == 2);
	CHECK(b[1].rows == 2 && b[1].positives == 1);
	CHECK(b[4].rows == 2 && b[4].positives == 0);
	CHECK_NEAR(b[0].lift, 1.0 / 0.3, TOL);
	CHECK_NEAR(b[1].lift, 0.5 / 0.3, TOL);
	CHECK_NEAR(b[0].cum_gain, 2.0 / 3.0, TOL);
	CHECK_NEAR(b[1].cum_gain, 1.0, TOL);
	CHECK_NEAR(b[1].cum_lift, 1.0 / 0.4, TOL);
	CHECK_NEAR(b[4].cum_lift, 1.0, TOL);
	CHECK(b[0].min_score == 9 && b[4].min_score == 1);
	/* three tied rows (one positive) straddle the cut after 2 rows */
	CHECK(am_metrics_lift(ty, ts, NULL, 4, 2, b, &err) == 0);
	CHECK_NEAR(b[0].positives, 2.0 / 3.0, TOL);
	CHECK_NEAR(b[1].positives, 1.0 / 3.0, TOL);
	CHECK(b[0].rows == 2 && b[1].rows == 2);
	CHECK(am_metrics_lift(ty, ts, NULL, 4, 0, b, &err) == AM_EARG);
}

/* Integer weights in a lift table equal repeated rows. */
static void
test_lift_weights(void)
{
	const unsigned char y[] = { 1, 0, 1, 0, 0, 1 };
	const double s[] = { 0.9, 0.8, 0.8, 0.3, 0.2, 0.1 };
	const double w[] = { 2, 1, 3, 0, 2, 1 };
	unsigned char yy[9];
	double ss[9];
	struct am_lift_bin a[3], b[3];
	struct am_err err = { 0 };
	size_t i, k, n = 0;

	for (i = 0; i < 6; i++)
		for (k = 0; k < (size_t)w[i]; k++) {
			yy[n] = y[i];
			ss[n++] = s[i];
		}
	CHECK(n == 9);
	CHECK(am_metrics_lift(y, s, w, 6, 3, a, &err) == 0);
	CHECK(am_metrics_lift(yy, ss, NULL, n, 3, b, &err) == 0);
	for (i = 0; i < 3; i++) {
		CHECK_NEAR(a[i].rows, 3.0, TOL);
		CHECK_NEAR(a[i].positives, b[i].positives, TOL);
		CHECK_NEAR(a[i].cum_lift, b[i].cum_lift, TOL);
	}
	/* top 3 of 9: 0.9 (x2, pos) and one of the four 0.8 rows (3 pos) */
	CHECK_NEAR(a[0].positives, 2.0 + 0.75, TOL);
}

/* Regression by hand; integer weights equal repeated rows. */
static void
test_regression(void)
{
	const double y[] = { 1, 2, 4, 0 }, p[] = { 2, 2, 3, 1 };
	const double w[] = { 2, 1, 1, 3 };
	const double yr[] = { 1, 1, 2, 4, 0, 0, 0 },
	             pr[] = { 2, 2, 2, 3, 1, 1, 1 };
	struct am_regmetrics m, a, b;
	struct am_err err = { 0 };

	CHECK(am_metrics_regression(y, p, NULL, 4, &m, &err) == 0);
	CHECK_NEAR(m.mae, 0.75, TOL);
	CHECK_NEAR(m.rmse, sqrt(0.75), TOL);
	CHECK_NEAR(m.medae, 1.0, TOL);
	CHECK_NEAR(m.r2, 1.0 - 3.0 / 8.75, TOL);
	CHECK_NEAR(m.mape, 1.25 / 3.0, TOL);
	CHECK(m.mape_skipped == 1.0);
	/* errors -1 0 1 -1: mean -1/4, variance 11/16 */
	CHECK_NEAR(m.explained_variance, 1.0 - (11.0 / 16.0 * 4.0) / 8.75, TOL);
	CHECK(am_metrics_regression(y, p, w, 4, &a, &err) == 0);
	CHECK(am_metrics_regression(yr, pr, NULL, 7, &b, &err) == 0);
	CHECK_NEAR(a.mae, b.mae, TOL);
	CHECK_NEAR(a.r2, b.r2, TOL);
	CHECK_NEAR(a.medae, b.medae, TOL);
	CHECK_NEAR(a.explained_variance, b.explained_variance, TOL);
	/* a constant target: scikit-learn's force_finite */
	CHECK(am_metrics_regression(p + 1, p + 1, NULL, 1, &m, &err) == 0);
	CHECK(m.r2 == 1.0 && m.explained_variance == 1.0);
	CHECK(am_metrics_regression(y, p, NULL, 0, &m, &err) == AM_EARG);
}

/* Three classes by hand. */
static void
test_multiclass(void)
{
	const unsigned y[] = { 0, 0, 1, 1, 2, 2 },
	               pred[] = { 0, 1, 1, 1, 0, 2 };
	double conf[9], per[12];
	struct am_mcmetrics m;
	struct am_err err = { 0 };
	const double pr[] = { 0.8, 0.1, 0.1, 0.5, 0.5, 0.0, 0.2, 0.7, 0.1, 0.1,
		0.8, 0.1, 0.6, 0.1, 0.3, 0.2, 0.2, 0.6 };

	memset(&m, 0, sizeof m);
	m.k = 3;
	m.conf = conf;
	m.precision = per;
	m.recall = per + 3;
	m.f1 = per + 6;
	m.support = per + 9;
	CHECK(am_metrics_multiclass(y, pred, NULL, NULL, 6, &m, &err) == 0);
	CHECK(conf[0] == 1 && conf[1] == 1 && conf[4] == 2 && conf[6] == 1 &&
	    conf[8] == 1);
	/* precision 1/2, 2/3, 1; recall 1/2, 1, 1/2 */
	CHECK_NEAR(m.precision_macro, (0.5 + 2.0 / 3.0 + 1.0) / 3.0, TOL);
	CHECK_NEAR(m.recall_macro, 2.0 / 3.0, TOL);
	CHECK_NEAR(m.f1[1], 0.8, TOL);
	CHECK_NEAR(m.accuracy, 4.0 / 6.0, TOL);
	CHECK_NEAR(m.f1_micro, m.accuracy, TOL);
	CHECK(isnan(m.auc_ovr) && isnan(m.logloss));
	/* from probabilities: row 2 ties 0.5/0.5, the first class wins */
	CHECK(am_metrics_multiclass(y, NULL, pr, NULL, 6, &m, &err) == 0);
	CHECK(conf[0] == 2 && conf[4] == 2 && conf[6] == 1 && conf[8] == 1);
	CHECK_NEAR(m.logloss,
	    -(log(0.8) + log(0.5) + log(0.7) + log(0.8) + log(0.3) + log(0.6)) /
	        6.0,
	    1e-9);
	CHECK(m.auc_ovr > 0.5 && m.auc_ovr <= 1.0);
	CHECK(am_metrics_multiclass((const unsigned[]){ 3 }, pred, NULL, NULL,
	          1, &m, &err) == AM_EARG);
}

static void
test_choose_profit(void)
{
	const unsigned char y[] = { 1, 1, 0, 1, 0, 0 };
	const double s[] = { 0.9, 0.8, 0.7, 0.6, 0.3, 0.1 };
	struct am_calib_bin cb[2];
	struct am_profit pf;
	struct am_err err = { 0 };
	double t, ece, v[] = { 3, 1, (double)NAN, 2, 4 };

	/* F1 by cut: 2/4, 4/5, 4/6, 6/7, 6/8, 6/9: best at 0.6 */
	CHECK(am_metrics_choose(y, s, NULL, 6, AM_THR_MAX_F1, 0, 0, &t, &err) ==
	        0 &&
	    t == 0.6);
	CHECK(am_metrics_choose(y, s, NULL, 6, AM_THR_YOUDEN, 0, 0, &t, &err) ==
	        0 &&
	    t == 0.6);
	/* a third of 6 rows: 2 rows */
	CHECK(am_metrics_choose(y, s, NULL, 6, AM_THR_TOP, 1.0 / 3.0, 0, &t,
	          &err) == 0 &&
	    t == 0.8);
	/* costs 10 per FP, 1 per FN: 3 (none), 2, 1, 11, 10, ...: 0.8 */
	CHECK(am_metrics_choose(y, s, NULL, 6, AM_THR_COST, 10, 1, &t, &err) ==
	        0 &&
	    t == 0.8);
	/* misses cost nothing: predicting none ties 0.9 and wins */
	CHECK(am_metrics_choose(y, s, NULL, 6, AM_THR_COST, 1, 0, &t, &err) ==
	        0 &&
	    t > 0.9 && t < 0.9000001);
	/* value 3, cost 1 a contact: 2, 4, 3, 5, 4, 3 */
	CHECK(am_metrics_profit(y, s, NULL, 6, 1, 3, &pf, &err) == 0);
	CHECK(pf.profit == 5 && pf.contacts == 4 && pf.threshold == 0.6);
	CHECK_NEAR(pf.depth, 4.0 / 6.0, TOL);
	CHECK(am_metrics_calibration(y, s, NULL, 6, 2, cb, &ece, &err) == 0);
	/* (0, 0.5]: 0.3 0.1, no positive; (0.5, 1]: 3 of 4 */
	CHECK(cb[0].rows == 2 && cb[0].frac_pos == 0);
	CHECK_NEAR(cb[1].mean_score, 0.75, TOL);
	CHECK_NEAR(ece, (2 * 0.2 + 4 * 0.0) / 6.0, TOL);
	/* percentiles drop NAN, interpolate linearly: 1 2 3 4 */
	CHECK_NEAR(am_metrics_percentile(v, 5, 0.5), 2.5, TOL);
	CHECK_NEAR(am_metrics_percentile(v, 4, 0.25), 1.75, TOL);
}

int
main(void)
{
	test_basic();
	test_ties();
	test_one_class();
	test_clip();
	test_errors();
	test_random();
	test_lift();
	test_lift_weights();
	test_regression();
	test_multiclass();
	test_choose_profit();
	return unit_failures;
}
