/* SPDX-License-Identifier: MIT */
/*
 * test_plot.c -- am_metrics_curve() against a hand computation (ties
 * included) and against am_metrics_auc() by the trapezoid rule, with and
 * without thinning; am_plot_parse(); am_plot_svg() output, escaping and
 * errors.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "am_metrics.h"
#include "am_plot.h"
#include "am_rand.h"
#include "unit.h"

static double
trapezoid(const struct am_curve_pt *p, size_t n)
{
	double a = 0.0;
	size_t i;

	for (i = 1; i < n; i++)
		a +=
		    (p[i].fpr - p[i - 1].fpr) * (p[i].tpr + p[i - 1].tpr) / 2.0;
	return a;
}

static void
test_curve_hand(void)
{
	/* rows by decreasing score: 0.9 (1), 0.8 (0, 1 tied), 0.3 (1), 0.1 (0) */
	const unsigned char y[] = { 1, 0, 1, 1, 0 };
	const double s[] = { 0.9, 0.8, 0.8, 0.3, 0.1 };
	struct am_curve_pt *p = NULL;
	struct am_err e = { 0 };
	size_t n = 0;

	CHECK(am_metrics_curve(y, s, NULL, 5, 0, &p, &n, &e) == 0);
	CHECK(n == 5);
	if (n != 5) {
		free(p);
		return;
	}
	CHECK(p[0].fpr == 0.0 && p[0].tpr == 0.0 && p[0].precision == 1.0);
	CHECK(p[0].threshold > 1e308);
	CHECK(p[1].threshold == 0.9);
	CHECK_NEAR(p[1].tpr, 1.0 / 3.0, 1e-15);
	CHECK(p[1].fpr == 0.0 && p[1].precision == 1.0);
	CHECK(p[2].threshold == 0.8); /* the tie moves in one step */
	CHECK_NEAR(p[2].tpr, 2.0 / 3.0, 1e-15);
	CHECK_NEAR(p[2].fpr, 0.5, 1e-15);
	CHECK_NEAR(p[2].precision, 2.0 / 3.0, 1e-15);
	CHECK_NEAR(p[3].tpr, 1.0, 1e-15);
	CHECK_NEAR(p[3].fpr, 0.5, 1e-15);
	CHECK_NEAR(p[3].precision, 0.75, 1e-15);
	CHECK_NEAR(p[4].fpr, 1.0, 1e-15);
	CHECK_NEAR(p[4].precision, 0.6, 1e-15);
	/* hand: 4 pairs with the positive above, 1 tie (1/2), of 6 */
	CHECK_NEAR(trapezoid(p, n), 4.5 / 6.0, 1e-15);
	free(p);
	/* weights count as rows */
	{
		const double w[] = { 2, 1, 1, 1, 1 };

		CHECK(am_metrics_curve(y, s, w, 5, 0, &p, &n, &e) == 0);
		CHECK(n == 5 && p[1].tpr == 0.5);
		free(p);
	}
	/* one class: rates of the missing class are NAN */
	{
		const unsigned char y1[] = { 1, 1 };

		CHECK(am_metrics_curve(y1, s, NULL, 2, 0, &p, &n, &e) == 0);
		CHECK(n == 3 && isnan(p[1].fpr) && p[2].tpr == 1.0);
		free(p);
	}
	CHECK(am_metrics_curve(y, s, NULL, 0, 0, &p, &n, &e) == AM_EARG);
}

static void
test_curve_random(void)
{
	enum { N = 20000 };
	unsigned char *y = malloc(N);
	double *s = malloc(N * sizeof *s), auc = 0.0, a;
	struct am_curve_pt *p = NULL, *q = NULL;
	struct am_rand r;
	struct am_err e = { 0 };
	size_t i, n = 0, m = 0;

	am_rand_seed(&r, 5);
	if (y == NULL || s == NULL) {
		CHECK(0);
		goto out;
	}
	for (i = 0; i < N; i++) {
		s[i] = (double)am_rand_below(&r, 1000) / 1000.0; /* ties */
		y[i] = am_rand_unif(&r) < 0.2 + 0.5 * s[i];
	}
	CHECK(am_metrics_auc(y, s, NULL, N, &auc, &e) == 0);
	CHECK(am_metrics_curve(y, s, NULL, N, 0, &p, &n, &e) == 0);
	CHECK(n == 1001);
	CHECK_NEAR(trapezoid(p, n), auc, 1e-12);
	CHECK(am_metrics_curve(y, s, NULL, N, 20, &q, &m, &e) == 0);
	CHECK(m < n && m >= 10);
	if (m > 0) {
		CHECK(q[0].fpr == 0.0 && q[m - 1].fpr == 1.0);
		CHECK(q[m - 1].tpr == 1.0);
		a = trapezoid(q, m);
		CHECK_NEAR(a, auc, 0.01);
	}
out:
	free(p);
	free(q);
	free(y);
	free(s);
}

static void
test_parse(void)
{
	struct am_err e = { 0 };
	unsigned k = 0;

	CHECK(am_plot_parse("roc", &k, &e) == 0 && k == AM_PLOT_ROC);
	CHECK(am_plot_parse("lift,pr,lift", &k, &e) == 0 &&
	    k == (AM_PLOT_LIFT | AM_PLOT_PR));
	CHECK(am_plot_parse("all", &k, &e) == 0 && k == AM_PLOT_ALL);
	CHECK(am_plot_parse("gains,calibration", &k, &e) == 0 &&
	    k == (AM_PLOT_GAINS | AM_PLOT_CALIBRATION));
	CHECK(am_plot_parse("roc,", &k, &e) == AM_EARG);
	CHECK(am_plot_parse("", &k, &e) == AM_EARG);
	CHECK(am_plot_parse("ro", &k, &e) == AM_EARG);
	CHECK(strstr(e.msg, "'ro' is not a plot") != NULL);
	CHECK(strcmp(am_plot_name(AM_PLOT_GAINS), "gains") == 0);
	CHECK(am_plot_name(3) == NULL);
}

static size_t
count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (; (hay = strstr(hay, needle)) != NULL; hay++)
		n++;
	return n;
}

static void
test_svg(void)
{
	const unsigned char y[] = { 1, 0, 1, 1, 0, 0 };
	const double s[] = { 0.9, 0.8, 0.8, 0.3, 0.1, 0.05 };
	struct am_lift_bin lb[3];
	struct am_calib_bin cb[2];
	struct am_plot_data d = { 0 };
	struct am_curve_pt *p = NULL;
	struct am_err e = { 0 };
	char *buf = NULL;
	size_t len = 0, n = 0;
	FILE *f;

	CHECK(am_metrics_curve(y, s, NULL, 6, 0, &p, &n, &e) == 0);
	CHECK(am_metrics_lift(y, s, NULL, 6, 3, lb, &e) == 0);
	CHECK(am_metrics_calibration(y, s, NULL, 6, 2, cb, &d.ece, &e) == 0);
	d.title = "a<b & \"c\"";
	d.pts = p;
	d.npts = n;
	d.auc = 0.75;
	d.pr_auc = (double)NAN;
	d.base_rate = 0.5;
	d.lift = lb;
	d.nlift = 3;
	d.calib = cb;
	d.ncalib = 2;
	if ((f = open_memstream(&buf, &len)) == NULL) {
		CHECK(0);
		free(p);
		return;
	}
	CHECK(am_plot_svg(f, AM_PLOT_ALL, &d, &e) == 0);
	(void)fclose(f);
	CHECK(strncmp(buf, "<?xml", 5) == 0);
	CHECK(strstr(buf, "</svg>\n") == buf + len - 7);
	CHECK(count(buf, "<g class=\"panel\">") == 5);
	CHECK(count(buf, "<g class=\"legend\">") == 5);
	CHECK(strstr(buf, ">a&lt;b &amp; &quot;c&quot;</text>") != NULL);
	CHECK(strstr(buf, "model (AUC 0.750)") != NULL);
	CHECK(strstr(buf, ">model</text>") != NULL); /* AP NAN: no number */
	CHECK(strstr(buf, "width=\"1320\" height=\"790\"") != NULL);
	CHECK(strstr(buf, "nan") == NULL && strstr(buf, "inf") == NULL);
	free(buf);
	buf = NULL;
	/* missing data, nothing asked */
	d.calib = NULL;
	f = open_memstream(&buf, &len);
	CHECK(f != NULL);
	if (f != NULL) {
		CHECK(am_plot_svg(f, AM_PLOT_CALIBRATION, &d, &e) == AM_EARG);
		CHECK(am_plot_svg(f, 0, &d, &e) == AM_EARG);
		(void)fclose(f);
	}
	free(buf);
	free(p);
}

int
main(void)
{
	test_curve_hand();
	test_curve_random();
	test_parse();
	test_svg();
	return unit_failures;
}
