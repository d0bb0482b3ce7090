/* SPDX-License-Identifier: MIT */
/*
 * am_dates.h -- calendar dates without the C library's time zone state:
 * parse the date and date-time spellings found in marketing exports into
 * a day number (days since 1970-01-01, proleptic Gregorian) and seconds
 * into the day, and turn day numbers back into year, month and day.
 *
 * No time zone is applied: a date-time is taken as written (a trailing
 * 'Z' is accepted and ignored).  mktime() and strptime() are not used,
 * because they depend on TZ and locale and would make output differ from
 * one machine to another.
 */
#ifndef AM_DATES_H
#define AM_DATES_H

#include <stddef.h>

/*
 * Parse the 'len' bytes at 's' as one of
 *   YYYY-MM-DD, YYYY/MM/DD, YYYYMMDD           (a date)
 *   M/D/YYYY                                   (US order)
 * optionally followed by ' ' or 'T' and HH:MM or HH:MM:SS (fractions of
 * a second are ignored) and an optional 'Z'.  Stores the day number in
 * '*days' and the seconds since midnight in '*secs' (0 for a date).
 * Returns 0, or -1 if the text is not such a date or names a day that
 * does not exist (2021-02-30).
 */
int am_date_parse(const char *s, size_t len, long *days, long *secs);

/* The day number of year 'y', month 'm' (1-12), day 'd' (1-31). */
long am_days_from_civil(long y, int m, int d);

/* Year, month (1-12) and day (1-31) of day number 'days'. */
void am_civil_from_days(long days, long *y, int *m, int *d);

/* Day of the week of day number 'days': 0 Monday ... 6 Sunday. */
int am_date_dow(long days);

#endif
