/* SPDX-License-Identifier: MIT */
/*
 * am_plot.c -- ROC, precision-recall, lift, gains and calibration panels
 * written as one SVG document.  Every coordinate is printed with two
 * decimals, so the bytes depend only on the data.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "am_plot.h"

#include "am_banned.h"

/* Size of one panel and the margins of its plotting area, in pixels. */
#define PW      440.0
#define PH      380.0
#define ML      64.0
#define MR      18.0
#define MT      36.0
#define MB      52.0
#define TITLE_H 30.0
#define CHAR_W  6.6 /* rough width of a 12px sans-serif character */

#define C_MODEL   "#1f77b4"
#define C_BASE    "#7f7f7f"
#define C_PERFECT "#2ca02c"
#define C_BAR     "#aec7e8"
#define C_GRID    "#e5e5e5"

/* One panel: its place in the document and the ranges of its axes. */
struct panel {
	FILE *f;
	double ox, oy;         /* top-left corner of the panel */
	double x0, x1, y0, y1; /* data ranges */
};

/* One legend line. */
struct entry {
	const char *label;
	const char *color;
	const char *dash; /* stroke-dasharray, or NULL */
	int bar;          /* a filled square instead of a line */
};

enum { TOP_LEFT, TOP_RIGHT, BOTTOM_RIGHT };

static const char *const kind_names[] = { "roc", "pr", "lift", "gains",
	"calibration" };

static void put(FILE *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
put(FILE *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)vfprintf(f, fmt, ap);
	va_end(ap);
}

/* Text with the XML special characters escaped. */
static void
put_text(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '&':
			(void)fputs("&amp;", f);
			break;
		case '<':
			(void)fputs("&lt;", f);
			break;
		case '>':
			(void)fputs("&gt;", f);
			break;
		case '"':
			(void)fputs("&quot;", f);
			break;
		default:
			if ((unsigned char)*s >= 0x20 || *s == '\t')
				(void)fputc(*s, f);
		}
	}
}

int
am_plot_parse(const char *list, unsigned *kinds, struct am_err *err)
{
	const char *p = list, *q;
	size_t len, i;
	unsigned set = 0;

	for (;;) {
		q = strchr(p, ',');
		len = q != NULL ? (size_t)(q - p) : strlen(p);
		if (len == 3 && strncmp(p, "all", 3) == 0) {
			set |= AM_PLOT_ALL;
		} else {
			for (i = 0; i < 5; i++)
				if (strlen(kind_names[i]) == len &&
				    strncmp(p, kind_names[i], len) == 0)
					break;
			if (i == 5)
				return am_seterr(err, AM_EARG,
				    "'%.*s' is not a plot (roc, pr, lift, "
				    "gains, calibration or all)",
				    (int)(len < 40 ? len : 40), p);
			set |= 1u << i;
		}
		if (q == NULL)
			break;
		p = q + 1;
	}
	*kinds = set;
	return 0;
}

const char *
am_plot_name(unsigned kind)
{
	size_t i;

	for (i = 0; i < 5; i++)
		if (kind == 1u << i)
			return kind_names[i];
	return NULL;
}

static double
px(const struct panel *p, double x)
{
	return p->ox + ML + (x - p->x0) / (p->x1 - p->x0) * (PW - ML - MR);
}

static double
py(const struct panel *p, double y)
{
	return p->oy + PH - MB - (y - p->y0) / (p->y1 - p->y0) * (PH - MT - MB);
}

/* A step of about 'range' / 5 rounded to 1, 2 or 5 times a power of 10. */
static double
nice_step(double range)
{
	double raw = range / 5.0, mag, norm;

	if (!(raw > 0.0) || !isfinite(raw))
		return 1.0;
	mag = pow(10.0, floor(log10(raw)));
	norm = raw / mag;
	if (norm <= 1.0)
		return mag;
	if (norm <= 2.0)
		return 2.0 * mag;
	if (norm <= 5.0)
		return 5.0 * mag;
	return 10.0 * mag;
}

static int
decimals(double step)
{
	int d = (int)-floor(log10(step) + 1e-9);

	return d > 0 ? d : 0;
}

/*
 * The title, grid, frame, ticks and axis labels of a panel.  'xstep' and
 * 'ystep' space the ticks; 'xcat' > 0 labels the x ticks 1 .. xcat at the
 * middle of each unit (bins) instead.
 */
static void
frame(const struct panel *p, const char *title, const char *xlabel,
    const char *ylabel, double xstep, double ystep, size_t xcat)
{
	FILE *f = p->f;
	double left = px(p, p->x0), right = px(p, p->x1);
	double top = py(p, p->y1), bottom = py(p, p->y0), v;
	int xd = decimals(xstep), yd = decimals(ystep);
	size_t i, n, every;

	put(f, "<g class=\"panel\">\n");
	put(f,
	    "<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"middle\" "
	    "font-size=\"14\" font-weight=\"bold\">",
	    (left + right) / 2.0, p->oy + MT - 12.0);
	put_text(f, title);
	put(f, "</text>\n");
	put(f,
	    "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" "
	    "fill=\"#ffffff\"/>\n",
	    left, top, right - left, bottom - top);
	/* y grid and tick labels */
	n = (size_t)floor((p->y1 - p->y0) / ystep + 1e-9);
	for (i = 0; i <= n; i++) {
		v = p->y0 + (double)i * ystep;
		put(f,
		    "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" "
		    "stroke=\"" C_GRID "\"/>\n",
		    left, py(p, v), right, py(p, v));
		put(f,
		    "<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"end\" "
		    "font-size=\"11\">%.*f</text>\n",
		    left - 6.0, py(p, v) + 4.0, yd, v);
	}
	/* x grid and tick labels */
	if (xcat > 0) {
		every = (xcat + 19) / 20;
		for (i = 0; i < xcat; i++) {
			if ((i + 1) % every != 0 && i != 0)
				continue;
			v = (double)i + 0.5;
			put(f,
			    "<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"middle\" "
			    "font-size=\"11\">%zu</text>\n",
			    px(p, v), bottom + 16.0, i + 1);
		}
	} else {
		n = (size_t)floor((p->x1 - p->x0) / xstep + 1e-9);
		for (i = 0; i <= n; i++) {
			v = p->x0 + (double)i * xstep;
			put(f,
			    "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" "
			    "y2=\"%.2f\" stroke=\"" C_GRID "\"/>\n",
			    px(p, v), top, px(p, v), bottom);
			put(f,
			    "<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"middle\" "
			    "font-size=\"11\">%.*f</text>\n",
			    px(p, v), bottom + 16.0, xd, v);
		}
	}
	put(f,
	    "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" "
	    "fill=\"none\" stroke=\"#000000\"/>\n",
	    left, top, right - left, bottom - top);
	put(f,
	    "<text class=\"xlabel\" x=\"%.2f\" y=\"%.2f\" "
	    "text-anchor=\"middle\" font-size=\"12\">",
	    (left + right) / 2.0, bottom + 38.0);
	put_text(f, xlabel);
	put(f, "</text>\n");
	put(f,
	    "<text class=\"ylabel\" x=\"%.2f\" y=\"%.2f\" "
	    "text-anchor=\"middle\" font-size=\"12\" "
	    "transform=\"rotate(-90 %.2f %.2f)\">",
	    p->ox + 18.0, (top + bottom) / 2.0, p->ox + 18.0,
	    (top + bottom) / 2.0);
	put_text(f, ylabel);
	put(f, "</text>\n");
}

/* A polyline through the points with finite coordinates. */
static void
polyline(const struct panel *p, const double *x, const double *y, size_t n,
    const char *color, const char *dash, double width)
{
	FILE *f = p->f;
	size_t i, k = 0;

	put(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"%.1f\"",
	    color, width);
	if (dash != NULL)
		put(f, " stroke-dasharray=\"%s\"", dash);
	put(f, " points=\"");
	for (i = 0; i < n; i++) {
		if (!isfinite(x[i]) || !isfinite(y[i]))
			continue;
		put(f, "%s%.2f,%.2f", k++ > 0 ? " " : "", px(p, x[i]),
		    py(p, y[i]));
	}
	put(f, "\"/>\n");
}

static void
markers(const struct panel *p, const double *x, const double *y, size_t n,
    const char *color)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (isfinite(x[i]) && isfinite(y[i]))
			put(p->f,
			    "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"3\" "
			    "fill=\"%s\"/>\n",
			    px(p, x[i]), py(p, y[i]), color);
}

/* A straight segment in data coordinates. */
static void
segment(const struct panel *p, double xa, double ya, double xb, double yb,
    const char *color, const char *dash)
{
	const double x[] = { xa, xb }, y[] = { ya, yb };

	polyline(p, x, y, 2, color, dash, 1.5);
}

static void
legend(const struct panel *p, const struct entry *e, size_t n, int corner)
{
	FILE *f = p->f;
	double w = 0.0, h = 18.0 * (double)n + 8.0, x, y, lw;
	size_t i;

	for (i = 0; i < n; i++) {
		lw = 34.0 + CHAR_W * (double)strlen(e[i].label);
		if (lw > w)
			w = lw;
	}
	w += 10.0;
	x = corner == TOP_LEFT ? px(p, p->x0) + 8.0 : px(p, p->x1) - 8.0 - w;
	y = corner == BOTTOM_RIGHT ? py(p, p->y0) - 8.0 - h
	                           : py(p, p->y1) + 8.0;
	put(f, "<g class=\"legend\">\n");
	put(f,
	    "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" "
	    "fill=\"#ffffff\" fill-opacity=\"0.9\" stroke=\"#999999\"/>\n",
	    x, y, w, h);
	for (i = 0; i < n; i++) {
		double ly = y + 4.0 + 18.0 * (double)i + 9.0;

		if (e[i].bar)
			put(f,
			    "<rect x=\"%.2f\" y=\"%.2f\" width=\"22\" "
			    "height=\"10\" fill=\"%s\"/>\n",
			    x + 6.0, ly - 5.0, e[i].color);
		else {
			put(f,
			    "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" "
			    "y2=\"%.2f\" stroke=\"%s\" stroke-width=\"2\"",
			    x + 6.0, ly, x + 28.0, ly, e[i].color);
			if (e[i].dash != NULL)
				put(f, " stroke-dasharray=\"%s\"", e[i].dash);
			put(f, "/>\n");
		}
		put(f, "<text x=\"%.2f\" y=\"%.2f\" font-size=\"12\">",
		    x + 34.0, ly + 4.0);
		put_text(f, e[i].label);
		put(f, "</text>\n");
	}
	put(f, "</g>\n");
}

/* Format "NAME S" with S = "%.3f" of v, or NAME alone when v is NAN. */
static void
label_with(char *buf, size_t size, const char *name, const char *what, double v)
{
	if (isfinite(v))
		(void)snprintf(buf, size, "%s (%s %.3f)", name, what, v);
	else
		(void)snprintf(buf, size, "%s", name);
}

static int
draw_curve(struct panel *p, const struct am_plot_data *d, int pr,
    struct am_err *err)
{
	double *x, *y;
	char lab[64], base[64];
	struct entry e[2];
	size_t i;

	if (d->pts == NULL || d->npts == 0)
		return am_seterr(err, AM_EARG, "no curve points to plot");
	if ((x = malloc(2 * d->npts * sizeof *x)) == NULL)
		return am_seterr(err, AM_ENOMEM, "out of memory plotting");
	y = x + d->npts;
	for (i = 0; i < d->npts; i++) {
		x[i] = pr ? d->pts[i].tpr : d->pts[i].fpr;
		y[i] = pr ? d->pts[i].precision : d->pts[i].tpr;
	}
	p->x0 = p->y0 = 0.0;
	p->x1 = p->y1 = 1.0;
	if (pr) {
		frame(p, "Precision-recall curve", "Recall", "Precision", 0.2,
		    0.2, 0);
		if (isfinite(d->base_rate))
			segment(p, 0.0, d->base_rate, 1.0, d->base_rate, C_BASE,
			    "6,4");
	} else {
		frame(p, "ROC curve", "False positive rate",
		    "True positive rate", 0.2, 0.2, 0);
		segment(p, 0.0, 0.0, 1.0, 1.0, C_BASE, "6,4");
	}
	polyline(p, x, y, d->npts, C_MODEL, NULL, 2.0);
	free(x);
	label_with(lab, sizeof lab, "model", pr ? "AP" : "AUC",
	    pr ? d->pr_auc : d->auc);
	e[0] = (struct entry){ lab, C_MODEL, NULL, 0 };
	if (pr)
		label_with(base, sizeof base, "random", "rate", d->base_rate);
	else
		(void)snprintf(base, sizeof base, "random (AUC 0.5)");
	e[1] = (struct entry){ base, C_BASE, "6,4", 0 };
	legend(p, e, 2, pr ? TOP_RIGHT : BOTTOM_RIGHT);
	put(p->f, "</g>\n");
	return 0;
}

static int
draw_lift(struct panel *p, const struct am_plot_data *d, struct am_err *err)
{
	const struct am_lift_bin *b = d->lift;
	double top = 1.0, step, *x, *y;
	char xl[64];
	struct entry e[3];
	size_t i, n = d->nlift;

	if (b == NULL || n == 0)
		return am_seterr(err, AM_EARG, "no lift table to plot");
	for (i = 0; i < n; i++) {
		if (isfinite(b[i].lift) && b[i].lift > top)
			top = b[i].lift;
		if (isfinite(b[i].cum_lift) && b[i].cum_lift > top)
			top = b[i].cum_lift;
	}
	step = nice_step(top * 1.05);
	p->x0 = 0.0;
	p->x1 = (double)n;
	p->y0 = 0.0;
	p->y1 = ceil(top * 1.05 / step) * step;
	if (n == 10)
		(void)snprintf(xl, sizeof xl,
		    "Decile (rows by decreasing score)");
	else
		(void)snprintf(xl, sizeof xl,
		    "Bin of %zu (rows by decreasing score)", n);
	frame(p, "Lift by bin", xl, "Lift (response rate / overall)", 1.0, step,
	    n);
	for (i = 0; i < n; i++) {
		if (!isfinite(b[i].lift))
			continue;
		put(p->f,
		    "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" "
		    "height=\"%.2f\" fill=\"" C_BAR "\"/>\n",
		    px(p, (double)i + 0.1), py(p, b[i].lift),
		    px(p, (double)i + 0.9) - px(p, (double)i + 0.1),
		    py(p, 0.0) - py(p, b[i].lift));
	}
	segment(p, 0.0, 1.0, (double)n, 1.0, C_BASE, "6,4");
	if ((x = malloc(2 * n * sizeof *x)) == NULL)
		return am_seterr(err, AM_ENOMEM, "out of memory plotting");
	y = x + n;
	for (i = 0; i < n; i++) {
		x[i] = (double)i + 0.5;
		y[i] = b[i].cum_lift;
	}
	polyline(p, x, y, n, C_MODEL, NULL, 2.0);
	markers(p, x, y, n, C_MODEL);
	free(x);
	e[0] = (struct entry){ "lift of the bin", C_BAR, NULL, 1 };
	e[1] = (struct entry){ "cumulative lift", C_MODEL, NULL, 0 };
	e[2] = (struct entry){ "random (lift 1)", C_BASE, "6,4", 0 };
	legend(p, e, 3, TOP_RIGHT);
	put(p->f, "</g>\n");
	return 0;
}

static int
draw_gains(struct panel *p, const struct am_plot_data *d, struct am_err *err)
{
	const struct am_lift_bin *b = d->lift;
	double *x, *y, total, rate;
	struct entry e[3];
	size_t i, n = d->nlift;

	if (b == NULL || n == 0)
		return am_seterr(err, AM_EARG, "no lift table to plot");
	total = b[n - 1].cum_rows;
	rate = total > 0.0 ? b[n - 1].cum_positives / total : (double)NAN;
	p->x0 = p->y0 = 0.0;
	p->x1 = p->y1 = 1.0;
	frame(p, "Cumulative gains", "Share of rows contacted (by score)",
	    "Share of positives reached", 0.2, 0.2, 0);
	segment(p, 0.0, 0.0, 1.0, 1.0, C_BASE, "6,4");
	if (rate > 0.0) {
		const double ux[] = { 0.0, rate, 1.0 },
		             uy[] = { 0.0, 1.0, 1.0 };

		polyline(p, ux, uy, 3, C_PERFECT, "2,3", 1.5);
	}
	if ((x = malloc(2 * (n + 1) * sizeof *x)) == NULL)
		return am_seterr(err, AM_ENOMEM, "out of memory plotting");
	y = x + n + 1;
	x[0] = y[0] = 0.0;
	for (i = 0; i < n; i++) {
		x[i + 1] = total > 0.0 ? b[i].cum_rows / total : (double)NAN;
		y[i + 1] = b[i].cum_gain;
	}
	polyline(p, x, y, n + 1, C_MODEL, NULL, 2.0);
	markers(p, x + 1, y + 1, n, C_MODEL);
	free(x);
	e[0] = (struct entry){ "model", C_MODEL, NULL, 0 };
	e[1] = (struct entry){ "perfect", C_PERFECT, "2,3", 0 };
	e[2] = (struct entry){ "random", C_BASE, "6,4", 0 };
	legend(p, e, 3, BOTTOM_RIGHT);
	put(p->f, "</g>\n");
	return 0;
}

static int
draw_calibration(struct panel *p, const struct am_plot_data *d,
    struct am_err *err)
{
	const struct am_calib_bin *b = d->calib;
	double *x, *y;
	char lab[64];
	struct entry e[2];
	size_t i, n = d->ncalib, k = 0;

	if (b == NULL || n == 0)
		return am_seterr(err, AM_EARG, "no calibration table to plot");
	if ((x = malloc(2 * n * sizeof *x)) == NULL)
		return am_seterr(err, AM_ENOMEM, "out of memory plotting");
	y = x + n;
	for (i = 0; i < n; i++) {
		if (!(b[i].rows > 0.0))
			continue;
		x[k] = b[i].mean_score;
		y[k] = b[i].frac_pos;
		k++;
	}
	p->x0 = p->y0 = 0.0;
	p->x1 = p->y1 = 1.0;
	frame(p, "Calibration (reliability)", "Mean predicted probability",
	    "Fraction of positives", 0.2, 0.2, 0);
	segment(p, 0.0, 0.0, 1.0, 1.0, C_BASE, "6,4");
	polyline(p, x, y, k, C_MODEL, NULL, 2.0);
	markers(p, x, y, k, C_MODEL);
	free(x);
	label_with(lab, sizeof lab, "model", "ECE", d->ece);
	e[0] = (struct entry){ lab, C_MODEL, NULL, 0 };
	e[1] = (struct entry){ "perfectly calibrated", C_BASE, "6,4", 0 };
	legend(p, e, 2, TOP_LEFT);
	put(p->f, "</g>\n");
	return 0;
}

int
am_plot_svg(FILE *f, unsigned kinds, const struct am_plot_data *d,
    struct am_err *err)
{
	struct panel p = { 0 };
	size_t n = 0, cols, rows, i, j = 0;
	double top = d->title != NULL ? TITLE_H : 0.0, width, height;
	int rc = 0;

	kinds &= AM_PLOT_ALL;
	for (i = 0; i < 5; i++)
		n += (kinds >> i) & 1u;
	if (n == 0)
		return am_seterr(err, AM_EARG, "no plot asked for");
	cols = n <= 3 ? n : n == 4 ? 2 : 3;
	rows = (n + cols - 1) / cols;
	width = PW * (double)cols;
	height = PH * (double)rows + top;
	put(f,
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" "
	    "width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" "
	    "font-family=\"DejaVu Sans, Arial, Helvetica, sans-serif\">\n",
	    width, height, width, height);
	put(f,
	    "<rect x=\"0\" y=\"0\" width=\"%.0f\" height=\"%.0f\" "
	    "fill=\"#ffffff\"/>\n",
	    width, height);
	if (d->title != NULL) {
		put(f,
		    "<text class=\"title\" x=\"%.2f\" y=\"20\" "
		    "text-anchor=\"middle\" font-size=\"16\" "
		    "font-weight=\"bold\">",
		    width / 2.0);
		put_text(f, d->title);
		put(f, "</text>\n");
	}
	p.f = f;
	for (i = 0; i < 5 && rc == 0; i++) {
		unsigned k = 1u << i;

		if ((kinds & k) == 0)
			continue;
		p.ox = PW * (double)(j % cols);
		p.oy = top + PH * (double)(j / cols);
		j++;
		switch (k) {
		case AM_PLOT_ROC:
			rc = draw_curve(&p, d, 0, err);
			break;
		case AM_PLOT_PR:
			rc = draw_curve(&p, d, 1, err);
			break;
		case AM_PLOT_LIFT:
			rc = draw_lift(&p, d, err);
			break;
		case AM_PLOT_GAINS:
			rc = draw_gains(&p, d, err);
			break;
		default:
			rc = draw_calibration(&p, d, err);
		}
	}
	if (rc != 0)
		return rc;
	put(f, "</svg>\n");
	if (ferror(f))
		return am_seterr(err, AM_EIO, "writing the plot failed");
	return 0;
}
