/* SPDX-License-Identifier: MIT */
/*
 * am_segeval.h -- "who is in each segment": sizes and shares of the
 * segments of a table, per-segment profiles, and the silhouette of the
 * segmentation.
 *
 * The table is read whole.  Every column but the segment column is
 * numeric when each of its present cells is a number (and one is
 * present), else categorical.  Profiles: for a numeric column, the mean
 * of its present cells in the segment and the index, 100 * segment mean /
 * population mean (NAN when the population mean is 0); for a categorical
 * column, its most frequent values in the segment (ties in byte order),
 * each with its count, share of the segment's rows and index, 100 *
 * share in the segment / share in the population; a column whose values
 * are all distinct (an identifier) or that has more than 10000 distinct
 * values gets no top values.  Segments are listed
 * in numeric order when every name is a number, else in byte order.
 *
 * Silhouette (Rousseeuw 1987, as scikit-learn's silhouette_score with the
 * Euclidean metric): over the numeric columns, each standardised over all
 * rows (mean 0, population standard deviation 1; a constant column is 0;
 * a missing cell takes the mean, 0), on a seeded sample of rows drawn
 * without replacement; the mean over the sample of (b - a) / max(a, b),
 * a the mean distance to the other rows of the same segment, b the
 * smallest mean distance to the rows of another segment, 0 for a row
 * alone in its segment.  NAN with no numeric column or unless the sample
 * holds 2 .. n-1 segments (n its rows).  O(sample^2 * columns) time.
 *
 * Memory: 12 bytes per cell plus the distinct strings of each column.
 */
#ifndef AM_SEGEVAL_H
#define AM_SEGEVAL_H

#include <stddef.h>
#include <stdint.h>

#include "am_err.h"

struct am_seg_opts {
	int delim;            /* 0 = detect */
	const char *segments; /* the segment column */
	size_t sample;        /* rows for silhouette; 0 = all */
	uint64_t seed;        /* of the sample */
	size_t top;           /* most frequent values kept per column */
};

struct am_seg_size {
	const char *name;
	double rows, share;
};

struct am_seg_prof {
	const char *segment, *column;
	double mean, index;
};

struct am_seg_top {
	const char *segment, *column, *value;
	double rows, share, index;
};

/* Strings point into the report and live until am_seg_report_free(). */
struct am_seg_report {
	size_t rows, nseg, nnum, sampled;
	double silhouette;
	struct am_seg_size *seg;  /* nseg, in segment order */
	struct am_seg_prof *prof; /* nprof: segment by segment, columns in
	                             file order */
	size_t nprof;
	struct am_seg_top *top; /* ntop: segment by segment, columns in file
	                           order, values by decreasing count */
	size_t ntop;
	void *priv;
};

/*
 * Read the CSV 'path' ("-" = stdin) and build the report.  Returns it
 * (free with am_seg_report_free()), or NULL with AM_EIO, AM_EFORMAT (no
 * segment column, a missing segment name, no rows: "FILE:LINE: ...") or
 * AM_ENOMEM in 'err'.
 */
struct am_seg_report *am_seg_eval(const char *path, const struct am_seg_opts *o,
    struct am_err *err);

/* Free 'r'.  NULL does nothing. */
void am_seg_report_free(struct am_seg_report *r);

/*
 * Silhouette of 'n' rows of 'x' (row-major, 'd' columns) in segments
 * 'lab' (numbers below 'k'), as described above but on every row given
 * and without standardising.  NAN unless 2 <= segments present <= n - 1.
 * Returns NAN as well when out of memory (8 bytes per segment).
 */
double am_silhouette(const double *x, size_t n, size_t d, const uint32_t *lab,
    size_t k);

#endif
