/* SPDX-License-Identifier: MIT */
/*
 * am_rfm.h -- RFM features from a transaction log (am-features --rfm):
 * the rows of a CSV log are grouped by a customer column and one row per
 * customer is written, in byte order of the customer id:
 *
 *   recency    days from the customer's last purchase to the reference
 *              date (default: the day after the latest date in the log)
 *   frequency  distinct orders: distinct values of the order column, or,
 *              without one, distinct purchase date-times
 *   monetary   total amount
 *   mean       monetary / frequency
 *   tenure     days from the first purchase to the reference date
 *
 * and, with scores, r, f and m scores 1-5 by quintiles over the
 * customers (edges at the 20/40/60/80 % quantiles, linear interpolation;
 * a value scores 1 + the number of edges below it, recency the reverse,
 * 6 - that) and the cell "rfm" ("545").
 *
 * The amount is one column or the product of two (quantity * unit
 * price).  Rows with a missing customer are skipped; so are rows whose
 * amount is negative (returns, cancellations); both are counted.  A zero
 * amount (a free item) is a purchase.  A date that does not parse (am_dates.h) or an amount that is
 * not a number is an error naming FILE:LINE.
 *
 * Memory: one record per customer and one 12-byte entry per distinct
 * (customer, order); the log itself streams.
 */
#ifndef AM_RFM_H
#define AM_RFM_H

#include <stdio.h>

#include "am_csv.h"
#include "am_err.h"

struct am_rfm_opts {
	const char *customer, *date; /* column names */
	const char *amount;          /* amount column, or NULL */
	const char *qty, *price;     /* or quantity and unit price */
	const char *order;           /* order id column, or NULL */
	int has_ref;
	long ref_days; /* reference date as a day number (am_dates.h) */
	int scores;
};

/*
 * Parse "CUST,DATE,AMOUNT[,ORDER]" (AMOUNT may be "QTY*PRICE") into 'o';
 * the names point into 'spec', which the caller modifies and keeps.
 * Returns 0 or AM_EARG.
 */
int am_rfm_parse(char *spec, struct am_rfm_opts *o, struct am_err *err);

struct am_rfm_stats {
	unsigned long long rows, customers, skipped_customer, skipped_amount;
	long ref_days;
};

/*
 * Read every row of 'in' (borrowed) and write the customers' rows as CSV
 * to 'out'.  Fills 'st' when not NULL.  Returns 0, AM_EARG for a column
 * not in the input, AM_EFORMAT "FILE:LINE: ..." for a bad cell, AM_EIO
 * or AM_ENOMEM.
 */
int am_rfm_run(struct am_csv_reader *in, const struct am_rfm_opts *o, FILE *out,
    struct am_rfm_stats *st, struct am_err *err);

#endif
