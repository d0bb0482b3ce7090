/* SPDX-License-Identifier: MIT */
/*
 * am_plot.h -- charts of a binary classifier as a self-contained SVG
 * file: ROC curve, precision-recall curve, lift by bin, cumulative gains
 * and a reliability (calibration) diagram, one panel each, laid out in a
 * grid.  The SVG is hand-written (no font, script or external resource:
 * any browser shows it); the same data give the same bytes (numbers are
 * printed with fixed precision in the C locale's format).
 *
 * The module draws only; the curves come from am_metrics (see
 * am_metrics_curve(), am_metrics_lift(), am_metrics_calibration()).  It
 * prints nothing except into the stream the caller gives.
 */
#ifndef AM_PLOT_H
#define AM_PLOT_H

#include <stddef.h>
#include <stdio.h>

#include "am_err.h"
#include "am_metrics.h"

/* The panels, as bits of a set, in drawing order. */
enum {
	AM_PLOT_ROC = 1,
	AM_PLOT_PR = 2,
	AM_PLOT_LIFT = 4,
	AM_PLOT_GAINS = 8,
	AM_PLOT_CALIBRATION = 16,
	AM_PLOT_ALL = 31
};

/*
 * Parse a comma-separated list of panel names ("roc", "pr", "lift",
 * "gains", "calibration", or "all") into the set '*kinds'.  Returns 0, or
 * AM_EARG (an unknown or empty name) with a message in 'err'.
 */
int am_plot_parse(const char *list, unsigned *kinds, struct am_err *err);

/* The name of one panel bit ("roc" ...), or NULL. */
const char *am_plot_name(unsigned kind);

/* What the panels draw; a panel needs only its own fields. */
struct am_plot_data {
	const char *title;             /* above the grid, or NULL */
	const struct am_curve_pt *pts; /* ROC and PR: the curve points */
	size_t npts;
	double auc, pr_auc; /* shown in the legends (NAN: left out) */
	double base_rate;   /* share of positive weight (PR baseline) */
	const struct am_lift_bin *lift; /* lift and gains: the bins */
	size_t nlift;
	const struct am_calib_bin *calib; /* calibration: the bins */
	size_t ncalib;
	double ece; /* shown in the calibration legend (NAN: left out) */
};

/*
 * Write an SVG document with one panel per bit of 'kinds' to 'f'.
 * Returns 0, AM_EARG ('kinds' is empty or names a panel whose data are
 * missing) or AM_EIO (writing failed).
 */
int am_plot_svg(FILE *f, unsigned kinds, const struct am_plot_data *d,
    struct am_err *err);

#endif
