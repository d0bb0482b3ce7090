/* SPDX-License-Identifier: MIT */
/*
 * am_dates.c -- day numbers from and to civil dates (am_dates.h).  The
 * conversions are Howard Hinnant's era-based formulas: exact for every
 * proleptic Gregorian date, with no tables and no loops.
 */
#include <string.h>

#include "am_dates.h"

#include "am_banned.h"

long
am_days_from_civil(long y, int m, int d)
{
	long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153L * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void
am_civil_from_days(long z, long *y, int *m, int *d)
{
	long era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

int
am_date_dow(long days)
{
	/* 1970-01-01 was a Thursday (3) */
	long w = (days + 3) % 7;

	return (int)(w < 0 ? w + 7 : w);
}

/* Read 1 to 'max' digits at s[*i]; -1 if there are none. */
static long
digits(const char *s, size_t len, size_t *i, int min, int max)
{
	long v = 0;
	int n = 0;

	while (*i < len && n < max && s[*i] >= '0' && s[*i] <= '9') {
		v = v * 10 + (s[*i] - '0');
		(*i)++;
		n++;
	}
	return n >= min ? v : -1;
}

static int
days_in_month(long y, int m)
{
	static const int dm[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30,
		31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return dm[m - 1];
}

int
am_date_parse(const char *s, size_t len, long *days, long *secs)
{
	size_t i = 0;
	long y, m, d, hh = 0, mm = 0, ss = 0;

	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == 'Z'))
		len--;
	while (i < len && i < 8 && s[i] >= '0' && s[i] <= '9')
		i++;
	if (i == 8) { /* YYYYMMDD */
		i = 0;
		y = digits(s, len, &i, 4, 4);
		m = digits(s, len, &i, 2, 2);
		d = digits(s, len, &i, 2, 2);
	} else if (len >= 8 && i == 4 && (s[4] == '-' || s[4] == '/')) {
		i = 0;
		char sep = s[4];
		y = digits(s, len, &i, 4, 4);
		i++;
		m = digits(s, len, &i, 1, 2);
		if (i >= len || s[i] != sep)
			return -1;
		i++;
		d = digits(s, len, &i, 1, 2);
	} else { /* M/D/YYYY */
		i = 0;
		m = digits(s, len, &i, 1, 2);
		if (i >= len || s[i] != '/')
			return -1;
		i++;
		d = digits(s, len, &i, 1, 2);
		if (i >= len || s[i] != '/')
			return -1;
		i++;
		y = digits(s, len, &i, 4, 4);
	}
	if (y < 0 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, (int)m))
		return -1;
	if (i < len) {
		if (s[i] != ' ' && s[i] != 'T')
			return -1;
		i++;
		hh = digits(s, len, &i, 1, 2);
		if (hh < 0 || hh > 23 || i >= len || s[i] != ':')
			return -1;
		i++;
		if ((mm = digits(s, len, &i, 2, 2)) < 0 || mm > 59)
			return -1;
		if (i < len && s[i] == ':') {
			i++;
			if ((ss = digits(s, len, &i, 2, 2)) < 0 || ss > 60)
				return -1;
			if (i < len && s[i] == '.') {
				i++;
				if (digits(s, len, &i, 1, 9) < 0)
					return -1;
			}
		}
		if (i != len)
			return -1;
	}
	*days = am_days_from_civil(y, (int)m, (int)d);
	*secs = hh * 3600 + mm * 60 + ss;
	return 0;
}
