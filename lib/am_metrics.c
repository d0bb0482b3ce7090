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
