/* SPDX-License-Identifier: MIT */
/*
 * unit.h -- the smallest test harness: CHECK() records a failure with its
 * line and goes on; main() returns the number of failures.  Each
 * tests/unit/test_<module>.c is one program run by tests/lib.bats.
 */
#ifndef UNIT_H
#define UNIT_H

#include <math.h>
#include <stdio.h>

static int unit_failures;

#define CHECK(cond)                                                        \
	do {                                                               \
		if (!(cond)) {                                             \
			(void)fprintf(stderr, "%s:%d: check failed: %s\n", \
			    __FILE__, __LINE__, #cond);                    \
			unit_failures++;                                   \
		}                                                          \
	} while (0)

#define CHECK_NEAR(a, b, tol) CHECK(fabs((double)(a) - (double)(b)) <= (tol))

#endif
