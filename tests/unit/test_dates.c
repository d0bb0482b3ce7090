/* SPDX-License-Identifier: MIT */
/*
 * test_dates.c -- day numbers against known dates (the Unix epoch, leap
 * days, days of the week from a calendar), every accepted spelling, and
 * refusals of impossible dates.
 */
#include <string.h>

#include "am_dates.h"
#include "unit.h"

static int
parse(const char *s, long *d, long *t)
{
	return am_date_parse(s, strlen(s), d, t);
}

int
main(void)
{
	long d, t, y, k;
	int m, day;

	CHECK(am_days_from_civil(1970, 1, 1) == 0);
	CHECK(am_days_from_civil(2000, 3, 1) == 11017);
	CHECK(am_days_from_civil(1969, 12, 31) == -1);
	CHECK(am_date_dow(0) == 3);                               /* Thursday */
	CHECK(am_date_dow(am_days_from_civil(2024, 2, 29)) == 3); /* Thu */
	CHECK(am_date_dow(am_days_from_civil(2023, 12, 25)) == 0); /* Mon */
	CHECK(am_date_dow(-1) == 2);
	for (k = -800000; k < 800000; k += 997) {
		am_civil_from_days(k, &y, &m, &day);
		CHECK(am_days_from_civil(y, m, day) == k);
	}
	CHECK(parse("2011-12-09 12:50:07", &d, &t) == 0 &&
	    d == am_days_from_civil(2011, 12, 9) &&
	    t == 12 * 3600 + 50 * 60 + 7);
	CHECK(parse("2011-12-09T08:05Z", &d, &t) == 0 && t == 8 * 3600 + 300);
	CHECK(parse("20111209", &d, &t) == 0 &&
	    d == am_days_from_civil(2011, 12, 9) && t == 0);
	CHECK(parse("12/9/2011 7:05", &d, &t) == 0 &&
	    d == am_days_from_civil(2011, 12, 9) && t == 7 * 3600 + 300);
	CHECK(parse("2011/1/2", &d, &t) == 0 &&
	    d == am_days_from_civil(2011, 1, 2));
	CHECK(parse("2011-12-09 12:50:07.250", &d, &t) == 0);
	CHECK(parse("2024-02-29", &d, &t) == 0);
	CHECK(parse("2023-02-29", &d, &t) == -1);
	CHECK(parse("1900-02-29", &d, &t) == -1);
	CHECK(parse("2000-02-29", &d, &t) == 0);
	CHECK(parse("2011-13-01", &d, &t) == -1);
	CHECK(parse("2011-12-09 25:00", &d, &t) == -1);
	CHECK(parse("2011-12-09x", &d, &t) == -1);
	CHECK(parse("yesterday", &d, &t) == -1);
	CHECK(parse("", &d, &t) == -1);
	CHECK(parse("2011-12", &d, &t) == -1);
	return unit_failures;
}
