/* SPDX-License-Identifier: MIT */
/*
 * test_select.c -- feature scores against hand calculations: the ANOVA
 * F of two groups, chi2 of a 0/1 feature, Pearson r, the digamma
 * function, and mutual information of a feature that determines the
 * class (log 2) or is independent of it (0).
 */
#include <math.h>
#include <stdio.h>

#include "am_err.h"
#include "am_select.h"
#include "unit.h"

int
main(void)
{
	/* groups {1, 2, 3} and {4, 5, 6}: means 2, 5, grand 3.5;
	   SSB = 3 (1.5^2) * 2 = 13.5, SSW = 2 + 2 = 4; F = (13.5 / 1) / (4 / 4) */
	double x[] = { 1, 2, 3, 4, 5, 6 }, s;
	int y[] = { 0, 0, 0, 1, 1, 1 };
	/* feature 1 in 2 of 3 rows of class 0, 1 of 3 of class 1: O = (2, 1),
	   E = (1.5, 1.5): chi2 = 0.25 / 1.5 * 2 */
	double b[] = { 1, 1, 0, 1, 0, 0 }, yd[] = { 2, 4, 6, 8, 10, 13 };
	double neg[] = { -1, 0, 0, 0, 0, 0 };
	double sep[] = { 0, 0, 0, 1, 1, 1 }, ind[] = { 0, 1, 0, 1 };
	int yi[] = { 0, 0, 1, 1 };

	CHECK_NEAR(am_sel_f(x, y, 6, 2), 13.5, 1e-12);
	CHECK(am_sel_f(sep, y, 6, 2) == 0); /* no within-group spread */
	CHECK(am_sel_chi2(b, y, 6, 2, &s) == 0);
	CHECK_NEAR(s, 1.0 / 3, 1e-15);
	CHECK(am_sel_chi2(neg, y, 6, 2, &s) == AM_EARG);
	CHECK_NEAR(am_sel_variance(x, 6), 17.5 / 6, 1e-15);
	/* r of x with yd from the sums, by the textbook formula */
	{
		double sx = 21, sy = 43, sxx = 91, syy = 389, sxy = 188, n = 6;
		double r = (n * sxy - sx * sy) /
		    sqrt((n * sxx - sx * sx) * (n * syy - sy * sy));
		CHECK_NEAR(am_sel_corr(x, yd, 6), r, 1e-14);
	}
	CHECK_NEAR(am_digamma(1), -0.57721566490153286, 1e-13);
	CHECK_NEAR(am_digamma(0.5), -1.9635100260214235, 1e-13);
	CHECK_NEAR(am_digamma(100), 4.6001618527380874, 1e-14);
	/* a 0/1 feature equal to the class: MI = log 2; independent: 0 */
	CHECK(am_sel_mi(sep, y, 6, 2, 1, 3, &s) == 0);
	CHECK_NEAR(s, log(2.0), 1e-15);
	CHECK(am_sel_mi(ind, yi, 4, 2, 1, 3, &s) == 0);
	CHECK_NEAR(s, 0, 1e-15);
	/* continuous: k = 2 (classes of 3); the 2nd neighbour of 1, 2, 3 in
	   its class is at 2, 1, 2, and strictly closer lie 2, 1, 3 points
	   (itself included; 4 is closer to 3 than 1 is); 4, 5, 6 mirror it:
	   MI = psi(6) + psi(2) - psi(3) - (psi(2) + psi(1) + psi(3)) / 3 */
	CHECK(am_sel_mi(x, y, 6, 2, 0, 3, &s) == 0);
	CHECK_NEAR(s,
	    am_digamma(6) + am_digamma(2) - am_digamma(3) -
	        (am_digamma(2) + am_digamma(1) + am_digamma(3)) / 3,
	    1e-14);
	return unit_failures;
}
