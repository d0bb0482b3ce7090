/* SPDX-License-Identifier: MIT */
/*
 * am_metrics.c -- binary classification metrics.
 *
 * The rank metrics (ROC AUC, average precision, KS, lift) need the rows
 * in score order.  We copy each row of positive weight into a 16-byte
 * item (an order-preserving 64-bit key made from the score's bits, and
 * the weight carrying the label in its sign) and sort the items with an
 * LSD radix sort, 8 bits a pass, skipping the passes where every key has
 * the same byte; tied scores then sit next to each other and are walked
 * as one group, which is what makes ties exact.  The thresholded
 * metrics and log loss need no sort and are summed in row order.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "am_metrics.h"
#include "am_rand.h"

#include "am_banned.h"

#define UNDEF ((double)NAN) /* an undefined metric */

struct item {
	uint64_t key; /* order-preserving image of the score */
	double w;     /* weight; negative for a row with label 0 */
};

/* One run of tied scores. */
struct group {
	double pos, neg; /* weight of positive and negative rows */
	double score;
};

static uint64_t
score_key(double s)
{
	uint64_t b;

	if (s == 0.0)
		s = 0.0; /* -0.0 ties with 0.0 */
	memcpy(&b, &s, sizeof b);
	return (b >> 63) != 0 ? ~b : b | 0x8000000000000000ULL;
}

static double
key_score(uint64_t k)
{
	uint64_t b = (k >> 63) != 0 ? k & 0x7fffffffffffffffULL : ~k;
	double s;

	memcpy(&s, &b, sizeof s);
	return s;
}

static int
check_input(const unsigned char *y, const double *score, const double *w,
    size_t n, double *total, struct am_err *err)
{
	double sum = 0.0;
	size_t i;

	if (n == 0)
		return am_seterr(err, AM_EARG, "no rows");
	for (i = 0; i < n; i++) {
		if (y[i] > 1)
			return am_seterr(err, AM_EARG,
			    "row %zu: label %d is not 0 or 1", i + 1, y[i]);
		if (!isfinite(score[i]))
			return am_seterr(err, AM_EARG,
			    "row %zu: score is not a finite number", i + 1);
		if (w != NULL) {
			if (!isfinite(w[i]) || w[i] < 0.0)
				return am_seterr(err, AM_EARG,
				    "row %zu: weight %g is not a finite number "
				    ">= 0",
				    i + 1, w[i]);
			sum += w[i];
		}
	}
	if (w == NULL)
		sum = (double)n;
	if (!(sum > 0.0) || !isfinite(sum))
		return am_seterr(err, AM_EARG,
		    "the weights sum to %g (need a positive total)", sum);
	*total = sum;
	return 0;
}

/*
 * LSD radix sort of 'a[0 .. n)' by key, ascending, stable; 'tmp' holds n
 * items.  The result ends in 'a'.
 */
static void
radix_sort(struct item *a, struct item *tmp, size_t n)
{
	size_t count[8][256], i, sum, c;
	struct item *src = a, *dst = tmp, *t;
	int d, shift;

	memset(count, 0, sizeof count);
	for (i = 0; i < n; i++)
		for (d = 0; d < 8; d++)
			count[d][(a[i].key >> (8 * d)) & 0xff]++;
	for (d = 0; d < 8; d++) {
		shift = 8 * d;
		if (count[d][(src[0].key >> shift) & 0xff] == n)
			continue; /* every key has this byte: nothing moves */
		for (sum = 0, c = 0; c < 256; c++) {
			size_t k = count[d][c];

			count[d][c] = sum;
			sum += k;
		}
		for (i = 0; i < n; i++)
			dst[count[d][(src[i].key >> shift) & 0xff]++] = src[i];
		t = src;
		src = dst;
		dst = t;
	}
	if (src != a)
		memcpy(a, src, n * sizeof *a);
}

/*
 * Sort the rows of positive weight by score and collapse tied scores into
 * groups, ascending: '*gp' (to free()) receives '*ngp' groups.  Totals of
 * positive and negative weight go to '*pos' and '*neg'.
 */
static int
sorted_groups(const unsigned char *y, const double *score, const double *w,
    size_t n, struct group **gp, size_t *ngp, double *pos, double *neg,
    struct am_err *err)
{
	struct item *it, *tmp;
	struct group *g;
	size_t i, m = 0, k = 0;
	double wi, p = 0.0, q = 0.0;

	it = malloc(n * sizeof *it);
	tmp = malloc(n * sizeof *tmp);
	if (it == NULL || tmp == NULL) {
		free(it);
		free(tmp);
		return am_seterr(err, AM_ENOMEM,
		    "out of memory sorting %zu scores", n);
	}
	for (i = 0; i < n; i++) {
		wi = w != NULL ? w[i] : 1.0;
		if (wi == 0.0)
			continue;
		it[m].key = score_key(score[i]);
		it[m].w = y[i] ? wi : -wi;
		m++;
	}
	if (m > 0)
		radix_sort(it, tmp, m);
	free(tmp);
	/* At most one group per item. */
	if ((g = malloc((m > 0 ? m : 1) * sizeof *g)) == NULL) {
		free(it);
		return am_seterr(err, AM_ENOMEM,
		    "out of memory sorting %zu scores", n);
	}
	for (i = 0; i < m; i++) {
		if (i == 0 || it[i].key != it[i - 1].key) {
			g[k].pos = g[k].neg = 0.0;
			g[k].score = key_score(it[i].key);
			k++;
		}
		if (it[i].w > 0.0) {
			g[k - 1].pos += it[i].w;
			p += it[i].w;
		} else {
			g[k - 1].neg -= it[i].w;
			q -= it[i].w;
		}
	}
	free(it);
	*gp = g;
	*ngp = k;
	*pos = p;
	*neg = q;
	return 0;
}

/* AUC, average precision and KS from the ascending groups. */
static void
rank_metrics(const struct group *g, size_t k, double pos, double neg,
    struct am_binmetrics *m)
{
	double below = 0.0, area = 0.0, tp = 0.0, fp = 0.0, ap = 0.0;
	double ks = 0.0, d, prev = 0.0;
	size_t i;

	for (i = 0; i < k; i++) {
		area += g[i].pos * (below + 0.5 * g[i].neg);
		below += g[i].neg;
	}
	for (i = k; i-- > 0;) {
		tp += g[i].pos;
		fp += g[i].neg;
		if (pos > 0.0 && tp > prev) {
			ap += (tp - prev) / pos * (tp / (tp + fp));
			prev = tp;
		}
		if (pos > 0.0 && neg > 0.0) {
			d = fabs(tp / pos - fp / neg);
			if (d > ks)
				ks = d;
		}
	}
	m->auc = pos > 0.0 && neg > 0.0 ? area / (pos * neg) : UNDEF;
	m->ks = pos > 0.0 && neg > 0.0 ? ks : UNDEF;
	m->pr_auc = pos > 0.0 ? ap : UNDEF;
}

double
am_metrics_logloss(const unsigned char *y, const double *score, const double *w,
    size_t n)
{
	double sum = 0.0, tw = 0.0, p, wi;
	size_t i;

	for (i = 0; i < n; i++) {
		p = score[i];
		wi = w != NULL ? w[i] : 1.0;
		if (!(p >= 0.0 && p <= 1.0) || !(wi >= 0.0) || !isfinite(wi))
			return UNDEF;
		if (p < AM_LOGLOSS_EPS)
			p = AM_LOGLOSS_EPS;
		else if (p > 1.0 - AM_LOGLOSS_EPS)
			p = 1.0 - AM_LOGLOSS_EPS;
		sum -= wi * (y[i] ? log(p) : log1p(-p));
		tw += wi;
	}
	return tw > 0.0 ? sum / tw : UNDEF;
}

static double
brier_score(const unsigned char *y, const double *score, const double *w,
    size_t n, double total)
{
	double sum = 0.0, d;
	size_t i;

	for (i = 0; i < n; i++) {
		if (!(score[i] >= 0.0 && score[i] <= 1.0))
			return UNDEF;
		d = score[i] - (double)y[i];
		sum += (w != NULL ? w[i] : 1.0) * d * d;
	}
	return sum / total;
}

int
am_metrics_binary(const unsigned char *y, const double *score, const double *w,
    size_t n, double threshold, struct am_binmetrics *m, struct am_err *err)
{
	struct group *g;
	double total, pos, neg, wi, p, r;
	size_t i, k, npos = 0;
	int rc;

	if ((rc = check_input(y, score, w, n, &total, err)) != 0)
		return rc;
	memset(m, 0, sizeof *m);
	m->threshold = threshold;
	for (i = 0; i < n; i++) {
		wi = w != NULL ? w[i] : 1.0;
		npos += y[i];
		if (score[i] >= threshold) {
			if (y[i])
				m->tp += wi;
			else
				m->fp += wi;
		} else {
			if (y[i])
				m->fn += wi;
			else
				m->tn += wi;
		}
	}
	m->rows = (double)n;
	m->positives = (double)npos;
	m->accuracy = (m->tp + m->tn) / total;
	p = m->precision = m->tp + m->fp > 0.0 ? m->tp / (m->tp + m->fp) : 0.0;
	r = m->recall = m->tp + m->fn > 0.0 ? m->tp / (m->tp + m->fn) : 0.0;
	m->f1 = p + r > 0.0 ? 2.0 * p * r / (p + r) : 0.0;
	m->logloss = am_metrics_logloss(y, score, w, n);
	m->brier = brier_score(y, score, w, n, total);
	if ((rc = sorted_groups(y, score, w, n, &g, &k, &pos, &neg, err)) != 0)
		return rc;
	rank_metrics(g, k, pos, neg, m);
	free(g);
	return 0;
}

int
am_metrics_auc(const unsigned char *y, const double *score, const double *w,
    size_t n, double *auc, struct am_err *err)
{
	struct am_binmetrics m;
	struct group *g;
	double total, pos, neg;
	size_t k;
	int rc;

	if ((rc = check_input(y, score, w, n, &total, err)) != 0)
		return rc;
	if ((rc = sorted_groups(y, score, w, n, &g, &k, &pos, &neg, err)) != 0)
		return rc;
	rank_metrics(g, k, pos, neg, &m);
	free(g);
	*auc = m.auc;
	return 0;
}

int
am_metrics_lift(const unsigned char *y, const double *score, const double *w,
    size_t n, size_t nbins, struct am_lift_bin *bins, struct am_err *err)
{
	struct group *g;
	double total, pos, neg, cap, left, take, f, rate, cw, cp;
	size_t i, k, b = 0;
	int rc;

	if (nbins == 0)
		return am_seterr(err, AM_EARG, "the number of bins is 0");
	if ((rc = check_input(y, score, w, n, &total, err)) != 0)
		return rc;
	if ((rc = sorted_groups(y, score, w, n, &g, &k, &pos, &neg, err)) != 0)
		return rc;
	memset(bins, 0, nbins * sizeof *bins);
	total = pos + neg;
	cap = total / (double)nbins;
	for (i = k; i-- > 0;) {
		left = g[i].pos + g[i].neg;
		while (left > 0.0) {
			take = b + 1 == nbins ? left : cap - bins[b].rows;
			if (take > left)
				take = left;
			if (take > 0.0) {
				f = take / (g[i].pos + g[i].neg);
				bins[b].rows += take;
				bins[b].positives += f * g[i].pos;
				bins[b].min_score = g[i].score;
				left -= take;
			}
			if (left > 0.0)
				b++;
		}
	}
	free(g);
	rate = pos / total;
	for (cw = cp = 0.0, b = 0; b < nbins; b++) {
		cw += bins[b].rows;
		cp += bins[b].positives;
		bins[b].rate = bins[b].rows > 0.0
		    ? bins[b].positives / bins[b].rows
		    : UNDEF;
		bins[b].lift = pos > 0.0 ? bins[b].rate / rate : UNDEF;
		bins[b].cum_gain = pos > 0.0 ? cp / pos : UNDEF;
		bins[b].cum_lift =
		    pos > 0.0 ? (cp / pos) / (cw / total) : UNDEF;
		bins[b].cum_rows = cw;
		bins[b].cum_positives = cp;
		bins[b].cum_rate = cw > 0.0 ? cp / cw : UNDEF;
		if (bins[b].rows == 0.0)
			bins[b].min_score = UNDEF;
	}
	return 0;
}

static const char *const names[] = { "rows", "positives", "accuracy",
	"precision", "recall", "f1", "auc", "logloss", "pr_auc", "brier", "ks",
	"tp", "fp", "tn", "fn", NULL };

const char *const *
am_metrics_names(void)
{
	return names;
}

int
am_metrics_get(const struct am_binmetrics *m, const char *name, double *out)
{
	const double v[] = { m->rows, m->positives, m->accuracy, m->precision,
		m->recall, m->f1, m->auc, m->logloss, m->pr_auc, m->brier,
		m->ks, m->tp, m->fp, m->tn, m->fn };
	size_t i;

	for (i = 0; names[i] != NULL; i++)
		if (strcmp(names[i], name) == 0) {
			*out = v[i];
			return 0;
		}
	return -1;
}

int
am_metrics_calibration(const unsigned char *y, const double *score,
    const double *w, size_t n, size_t nbins, struct am_calib_bin *bins,
    double *ece, struct am_err *err)
{
	double total, step, wi, e = 0.0;
	size_t i, j, lo, hi, mid;
	int rc;

	if (nbins == 0)
		return am_seterr(err, AM_EARG, "the number of bins is 0");
	if ((rc = check_input(y, score, w, n, &total, err)) != 0)
		return rc;
	for (i = 0; i < n; i++)
		if (!(score[i] >= 0.0 && score[i] <= 1.0))
			return am_seterr(err, AM_EARG,
			    "row %zu: score %g is not in [0, 1]", i + 1,
			    score[i]);
	/* numpy's linspace(0, 1, nbins + 1): edge j is j * (1 / nbins) */
	step = 1.0 / (double)nbins;
	memset(bins, 0, nbins * sizeof *bins);
	for (j = 0; j < nbins; j++) {
		bins[j].lo = (double)j * step;
		bins[j].hi = j + 1 == nbins ? 1.0 : (double)(j + 1) * step;
	}
	for (i = 0; i < n; i++) {
		/* the number of inner edges below the score (searchsorted) */
		lo = 0;
		hi = nbins - 1;
		while (lo < hi) {
			mid = (lo + hi) / 2;
			if ((double)(mid + 1) * step < score[i])
				lo = mid + 1;
			else
				hi = mid;
		}
		wi = w != NULL ? w[i] : 1.0;
		bins[lo].rows += wi;
		bins[lo].mean_score += wi * score[i];
		bins[lo].frac_pos += y[i] ? wi : 0.0;
	}
	for (j = 0; j < nbins; j++) {
		if (bins[j].rows > 0.0) {
			bins[j].mean_score /= bins[j].rows;
			bins[j].frac_pos /= bins[j].rows;
			e += bins[j].rows *
			    fabs(bins[j].frac_pos - bins[j].mean_score);
		} else
			bins[j].mean_score = bins[j].frac_pos = UNDEF;
	}
	*ece = e / total;
	return 0;
}

int
am_metrics_choose(const unsigned char *y, const double *score, const double *w,
    size_t n, enum am_thr_rule rule, double a, double b, double *thr,
    struct am_err *err)
{
	struct group *g;
	double total, pos, neg, tp = 0.0, fp = 0.0, v, best, p, r;
	size_t i, k;
	int rc;

	if ((rc = check_input(y, score, w, n, &total, err)) != 0)
		return rc;
	if ((rc = sorted_groups(y, score, w, n, &g, &k, &pos, &neg, err)) != 0)
		return rc;
	if (k == 0) {
		free(g);
		return am_seterr(err, AM_EARG, "every weight is 0");
	}
	*thr = g[k - 1].score;
	best = -HUGE_VAL;
	if (rule == AM_THR_COST) {
		/* predicting nothing positive: every positive is missed */
		best = -(b * pos);
		*thr = nextafter(g[k - 1].score, HUGE_VAL);
	}
	for (i = k; i-- > 0;) {
		tp += g[i].pos;
		fp += g[i].neg;
		switch (rule) {
		case AM_THR_MAX_F1:
			p = tp / (tp + fp);
			r = pos > 0.0 ? tp / pos : 0.0;
			v = p + r > 0.0 ? 2.0 * p * r / (p + r) : 0.0;
			break;
		case AM_THR_YOUDEN:
			v = (pos > 0.0 ? tp / pos : 0.0) -
			    (neg > 0.0 ? fp / neg : 0.0);
			break;
		case AM_THR_TOP:
			if (tp + fp >= a * (pos + neg) * (1.0 - 1e-12)) {
				*thr = g[i].score;
				free(g);
				return 0;
			}
			continue;
		default:
			v = -(a * fp + b * (pos - tp));
			break;
		}
		if (v > best) {
			best = v;
			*thr = g[i].score;
		}
	}
	free(g);
	return 0;
}

int
am_metrics_profit(const unsigned char *y, const double *score, const double *w,
    size_t n, double cost, double value, struct am_profit *pr,
    struct am_err *err)
{
	struct group *g;
	double total, pos, neg, tp = 0.0, c = 0.0, v;
	size_t i, k;
	int rc;

	if ((rc = check_input(y, score, w, n, &total, err)) != 0)
		return rc;
	if ((rc = sorted_groups(y, score, w, n, &g, &k, &pos, &neg, err)) != 0)
		return rc;
	pr->profit = pr->depth = pr->contacts = 0.0;
	pr->threshold = UNDEF;
	for (i = k; i-- > 0;) {
		tp += g[i].pos;
		c += g[i].pos + g[i].neg;
		v = value * tp - cost * c;
		if (v > pr->profit) {
			pr->profit = v;
			pr->contacts = c;
			pr->threshold = g[i].score;
		}
	}
	pr->depth = pos + neg > 0.0 ? pr->contacts / (pos + neg) : 0.0;
	free(g);
	return 0;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* An absolute error and its weight, sorted by error. */
struct errw {
	double e, w;
};

static int
cmp_errw(const void *a, const void *b)
{
	return cmp_double(&((const struct errw *)a)->e,
	    &((const struct errw *)b)->e);
}

int
am_metrics_regression(const double *y, const double *pred, const double *w,
    size_t n, struct am_regmetrics *m, struct am_err *err)
{
	double tw = 0.0, my = 0.0, md = 0.0, se = 0.0, ae = 0.0, sst = 0.0;
	double svd = 0.0, mw = 0.0, ma = 0.0, wi, d, half, cum;
	struct errw *ew;
	size_t i, j = 0;

	if (n == 0)
		return am_seterr(err, AM_EARG, "no rows");
	for (i = 0; i < n; i++) {
		wi = w != NULL ? w[i] : 1.0;
		if (!isfinite(y[i]) || !isfinite(pred[i]))
			return am_seterr(err, AM_EARG,
			    "row %zu: a value is not a finite number", i + 1);
		if (!isfinite(wi) || wi < 0.0)
			return am_seterr(err, AM_EARG,
			    "row %zu: weight %g is not a finite number >= 0",
			    i + 1, wi);
		tw += wi;
	}
	if (!(tw > 0.0) || !isfinite(tw))
		return am_seterr(err, AM_EARG,
		    "the weights sum to %g (need a positive total)", tw);
	if ((ew = malloc(n * sizeof *ew)) == NULL)
		return am_seterr(err, AM_ENOMEM, "out of memory at %zu rows",
		    n);
	memset(m, 0, sizeof *m);
	for (i = 0; i < n; i++) {
		wi = w != NULL ? w[i] : 1.0;
		d = y[i] - pred[i];
		my += wi * y[i];
		md += wi * d;
		se += wi * d * d;
		ae += wi * fabs(d);
		if (y[i] != 0.0) {
			ma += wi * fabs(d) / fabs(y[i]);
			mw += wi;
		} else
			m->mape_skipped += 1.0;
		if (wi > 0.0) {
			ew[j].e = fabs(d);
			ew[j++].w = wi;
		}
	}
	my /= tw;
	md /= tw;
	for (i = 0; i < n; i++) {
		wi = w != NULL ? w[i] : 1.0;
		d = y[i] - pred[i] - md;
		sst += wi * (y[i] - my) * (y[i] - my);
		svd += wi * d * d;
	}
	m->rows = (double)n;
	m->rmse = sqrt(se / tw);
	m->mae = ae / tw;
	m->mape = mw > 0.0 ? ma / mw : UNDEF;
	/* scikit-learn's force_finite rule for a constant target */
	if (sst > 0.0) {
		m->r2 = 1.0 - se / sst;
		m->explained_variance = 1.0 - svd / sst;
	} else {
		m->r2 = se == 0.0 ? 1.0 : 0.0;
		m->explained_variance = svd == 0.0 ? 1.0 : 0.0;
	}
	qsort(ew, j, sizeof *ew, cmp_errw);
	half = 0.0;
	for (i = 0; i < j; i++)
		half += ew[i].w;
	half /= 2.0;
	for (cum = 0.0, i = 0; i < j; i++) {
		cum += ew[i].w;
		if (cum >= half) {
			m->medae = cum == half && i + 1 < j
			    ? (ew[i].e + ew[i + 1].e) / 2.0
			    : ew[i].e;
			break;
		}
	}
	free(ew);
	return 0;
}

int
am_metrics_multiclass(const unsigned *y, const unsigned *pred,
    const double *proba, const double *w, size_t n, struct am_mcmetrics *m,
    struct am_err *err)
{
	size_t k = m->k, i, c, used = 0, np, pk;
	double tw = 0.0, wi, ll = 0.0, p, sum, tp = 0.0, sup, pc, auc;
	double aucsum = 0.0, *score = NULL, *predsum;
	unsigned char *yb = NULL;
	unsigned pi;
	int rc = 0;

	if (n == 0)
		return am_seterr(err, AM_EARG, "no rows");
	if (k == 0 || (pred == NULL && proba == NULL))
		return am_seterr(err, AM_EARG, "no classes or no predictions");
	for (i = 0; i < n; i++) {
		wi = w != NULL ? w[i] : 1.0;
		if (!isfinite(wi) || wi < 0.0)
			return am_seterr(err, AM_EARG,
			    "row %zu: weight %g is not a finite number >= 0",
			    i + 1, wi);
		if (y[i] >= k || (pred != NULL && pred[i] >= k))
			return am_seterr(err, AM_EARG,
			    "row %zu: class number out of range", i + 1);
		for (c = 0; proba != NULL && c < k; c++)
			if (!(proba[i * k + c] >= 0.0 &&
			        proba[i * k + c] <= 1.0))
				return am_seterr(err, AM_EARG,
				    "row %zu: probability %g is not in [0, 1]",
				    i + 1, proba[i * k + c]);
		tw += wi;
	}
	if (!(tw > 0.0) || !isfinite(tw))
		return am_seterr(err, AM_EARG,
		    "the weights sum to %g (need a positive total)", tw);
	if ((predsum = calloc(k, sizeof *predsum)) == NULL)
		return am_seterr(err, AM_ENOMEM, "out of memory");
	memset(m->conf, 0, k * k * sizeof *m->conf);
	for (i = 0; i < n; i++) {
		wi = w != NULL ? w[i] : 1.0;
		if (pred != NULL)
			pi = pred[i];
		else {
			for (pi = 0, c = 1; c < k; c++)
				if (proba[i * k + c] > proba[i * k + pi])
					pi = (unsigned)c;
		}
		m->conf[y[i] * k + pi] += wi;
		if (proba != NULL) {
			for (sum = 0.0, c = 0; c < k; c++)
				sum +=
				    fmin(fmax(proba[i * k + c], AM_LOGLOSS_EPS),
				        1.0 - AM_LOGLOSS_EPS);
			p = fmin(fmax(proba[i * k + y[i]], AM_LOGLOSS_EPS),
			    1.0 - AM_LOGLOSS_EPS);
			ll -= wi * log(p / sum);
		}
	}
	m->rows = (double)n;
	m->precision_macro = m->recall_macro = m->f1_macro = 0.0;
	m->precision_weighted = m->recall_weighted = m->f1_weighted = 0.0;
	for (c = 0; c < k; c++) {
		sup = pc = 0.0;
		for (i = 0; i < k; i++) {
			sup += m->conf[c * k + i];
			pc += m->conf[i * k + c];
		}
		predsum[c] = pc;
		tp += m->conf[c * k + c];
		m->support[c] = sup;
		m->precision[c] = pc > 0.0 ? m->conf[c * k + c] / pc : 0.0;
		m->recall[c] = sup > 0.0 ? m->conf[c * k + c] / sup : 0.0;
		m->f1[c] = m->precision[c] + m->recall[c] > 0.0
		    ? 2.0 * m->precision[c] * m->recall[c] /
		        (m->precision[c] + m->recall[c])
		    : 0.0;
		if (sup > 0.0 || pc > 0.0) {
			used++;
			m->precision_macro += m->precision[c];
			m->recall_macro += m->recall[c];
			m->f1_macro += m->f1[c];
		}
		m->precision_weighted += sup * m->precision[c];
		m->recall_weighted += sup * m->recall[c];
		m->f1_weighted += sup * m->f1[c];
	}
	m->precision_macro /= (double)used;
	m->recall_macro /= (double)used;
	m->f1_macro /= (double)used;
	m->precision_weighted /= tw;
	m->recall_weighted /= tw;
	m->f1_weighted /= tw;
	m->accuracy = tp / tw;
	m->precision_micro = m->recall_micro = m->f1_micro = m->accuracy;
	m->auc_ovr = m->logloss = UNDEF;
	free(predsum);
	if (proba == NULL)
		return 0;
	m->logloss = ll / tw;
	score = malloc(n * sizeof *score);
	yb = malloc(n);
	if (score == NULL || yb == NULL) {
		rc = am_seterr(err, AM_ENOMEM, "out of memory");
		goto out;
	}
	for (np = 0, pk = 0, c = 0; c < k; c++) {
		if (!(m->support[c] > 0.0))
			continue;
		np++;
		for (i = 0; i < n; i++) {
			score[i] = proba[i * k + c];
			yb[i] = y[i] == c;
		}
		if ((rc = am_metrics_auc(yb, score, w, n, &auc, err)) != 0)
			goto out;
		if (!isnan(auc)) {
			aucsum += auc;
			pk++;
		}
	}
	m->auc_ovr = np >= 2 && pk > 0 ? aucsum / (double)pk : UNDEF;
out:
	free(score);
	free(yb);
	return rc;
}

void
am_metrics_resample(struct am_rand *r, const double *w, size_t n, double *out)
{
	size_t i;

	memset(out, 0, n * sizeof *out);
	for (i = 0; i < n; i++)
		out[am_rand_below(r, n)] += 1.0;
	if (w != NULL)
		for (i = 0; i < n; i++)
			out[i] *= w[i];
}

double
am_metrics_percentile(double *v, size_t n, double q)
{
	size_t i, m = 0;
	double h, f;

	for (i = 0; i < n; i++)
		if (!isnan(v[i]))
			v[m++] = v[i];
	if (m == 0)
		return UNDEF;
	qsort(v, m, sizeof *v, cmp_double);
	h = q * (double)(m - 1);
	i = (size_t)floor(h);
	if (i + 1 >= m)
		return v[m - 1];
	f = h - (double)i;
	return v[i] + f * (v[i + 1] - v[i]);
}

static double
ratio(double a, double b)
{
	return b > 0.0 ? a / b : UNDEF;
}

int
am_metrics_curve(const unsigned char *y, const double *score, const double *w,
    size_t n, size_t maxpts, struct am_curve_pt **pts, size_t *npts,
    struct am_err *err)
{
	struct group *g;
	struct am_curve_pt *c, *last;
	size_t k, i, m = 0, cap;
	double total, pos, neg, tp = 0.0, fp = 0.0, eps, d;
	int rc;

	if ((rc = check_input(y, score, w, n, &total, err)) != 0)
		return rc;
	if ((rc = sorted_groups(y, score, w, n, &g, &k, &pos, &neg, err)) != 0)
		return rc;
	cap = maxpts > 0 && 4 * maxpts + 16 < k + 1 ? 4 * maxpts + 16 : k + 1;
	if ((c = malloc(cap * sizeof *c)) == NULL) {
		free(g);
		return am_seterr(err, AM_ENOMEM,
		    "out of memory for a curve of %zu points", cap);
	}
	eps = maxpts > 0 ? 1.0 / (double)maxpts : 0.0;
	c[0].threshold = (double)INFINITY;
	c[0].fpr = neg > 0.0 ? 0.0 : UNDEF;
	c[0].tpr = pos > 0.0 ? 0.0 : UNDEF;
	c[0].precision = 1.0;
	m = 1;
	for (i = k; i-- > 0;) {
		struct am_curve_pt p;

		tp += g[i].pos;
		fp += g[i].neg;
		p.threshold = g[i].score;
		p.fpr = ratio(fp, neg);
		p.tpr = ratio(tp, pos);
		p.precision = ratio(tp, tp + fp);
		last = &c[m - 1];
		if (maxpts > 0 && i > 0) {
			d = fabs(p.fpr - last->fpr) + fabs(p.tpr - last->tpr);
			if (!(d > eps) &&
			    !(fabs(p.precision - last->precision) +
			            fabs(p.tpr - last->tpr) >
			        eps))
				continue;
		}
		if (m == cap) {
			struct am_curve_pt *t;

			cap = 2 * cap < k + 1 ? 2 * cap : k + 1;
			if ((t = realloc(c, cap * sizeof *c)) == NULL) {
				free(c);
				free(g);
				return am_seterr(err, AM_ENOMEM,
				    "out of memory for a curve of %zu points",
				    cap);
			}
			c = t;
		}
		c[m++] = p;
	}
	free(g);
	*pts = c;
	*npts = m;
	return 0;
}
