/* SPDX-License-Identifier: MIT */
/*
 * am_select.c -- univariate feature scores (am_select.h).  Sums are
 * taken in row order in double precision; the MI estimator works on
 * sorted copies, so its cost is O(n log n) per column.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "am_err.h"
#include "am_select.h"

#include "am_banned.h"

double
am_sel_variance(const double *x, size_t n)
{
	double m = 0, v = 0;
	size_t i;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++)
		m += x[i];
	m /= (double)n;
	for (i = 0; i < n; i++)
		v += (x[i] - m) * (x[i] - m);
	return v / (double)n;
}

double
am_sel_f(const double *x, const int *y, size_t n, size_t nclass)
{
	double *s, *c, m = 0, ssb = 0, ssw = 0, f;
	size_t i, k, used = 0;

	if (n == 0 || nclass < 2 ||
	    (s = calloc(2 * nclass, sizeof(*s))) == NULL)
		return 0;
	c = s + nclass;
	for (i = 0; i < n; i++) {
		s[y[i]] += x[i];
		c[y[i]] += 1;
		m += x[i];
	}
	m /= (double)n;
	for (k = 0; k < nclass; k++)
		if (c[k] > 0) {
			double mk = s[k] / c[k];
			ssb += c[k] * (mk - m) * (mk - m);
			used++;
		}
	for (i = 0; i < n; i++) {
		double d = x[i] - s[y[i]] / c[y[i]];
		ssw += d * d;
	}
	free(s);
	if (used < 2 || n <= used || !(ssw > 0))
		return 0;
	f = (ssb / (double)(used - 1)) / (ssw / (double)(n - used));
	return f;
}

int
am_sel_chi2(const double *x, const int *y, size_t n, size_t nclass,
    double *score)
{
	double *obs, *cnt, tot = 0, chi = 0;
	size_t i, k;

	*score = 0;
	if (n == 0 || nclass == 0)
		return 0;
	if ((obs = calloc(2 * nclass, sizeof(*obs))) == NULL)
		return AM_ENOMEM;
	cnt = obs + nclass;
	for (i = 0; i < n; i++) {
		if (x[i] < 0) {
			free(obs);
			return AM_EARG;
		}
		obs[y[i]] += x[i];
		cnt[y[i]] += 1;
		tot += x[i];
	}
	if (tot > 0)
		for (k = 0; k < nclass; k++) {
			double e = cnt[k] / (double)n * tot;
			if (e > 0)
				chi += (obs[k] - e) * (obs[k] - e) / e;
		}
	free(obs);
	*score = chi;
	return 0;
}

double
am_sel_corr(const double *x, const double *y, size_t n)
{
	double mx = 0, my = 0, sxy = 0, sxx = 0, syy = 0;
	size_t i;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++) {
		mx += x[i];
		my += y[i];
	}
	mx /= (double)n;
	my /= (double)n;
	for (i = 0; i < n; i++) {
		sxy += (x[i] - mx) * (y[i] - my);
		sxx += (x[i] - mx) * (x[i] - mx);
		syy += (y[i] - my) * (y[i] - my);
	}
	if (!(sxx > 0) || !(syy > 0))
		return 0;
	return fabs(sxy / sqrt(sxx * syy));
}

double
am_digamma(double x)
{
	double r = 0, f;

	while (x < 10) {
		r -= 1 / x;
		x += 1;
	}
	f = 1 / (x * x);
	return r + log(x) - 0.5 / x -
	    f *
	    (1.0 / 12 -
	        f *
	            (1.0 / 120 -
	                f * (1.0 / 252 - f * (1.0 / 240 - f * (1.0 / 132)))));
}

struct pair {
	double x;
	int y;
};

static int
cmp_pair(const void *a, const void *b)
{
	const struct pair *p = a, *q = b;

	if (p->x != q->x)
		return p->x < q->x ? -1 : 1;
	return (p->y > q->y) - (p->y < q->y);
}

static int
cmp_dbl(const void *a, const void *b)
{
	double p = *(const double *)a, q = *(const double *)b;

	return (p > q) - (p < q);
}

/* MI of a discrete x: the contingency table of sorted (x, y) pairs. */
static double
mi_discrete(struct pair *p, size_t n, size_t nclass, double *ny)
{
	double *nxy, mi = 0, nx;
	size_t i, j, k;

	if ((nxy = calloc(nclass, sizeof(*nxy))) == NULL)
		return (double)NAN;
	for (i = 0; i < n; i = j) {
		memset(nxy, 0, nclass * sizeof(*nxy));
		for (j = i; j < n && p[j].x == p[i].x; j++)
			nxy[p[j].y] += 1;
		nx = (double)(j - i);
		for (k = 0; k < nclass; k++)
			if (nxy[k] > 0)
				mi += nxy[k] / (double)n *
				    log(nxy[k] * (double)n / (nx * ny[k]));
	}
	free(nxy);
	return mi;
}

/*
 * MI of a continuous x (Ross 2014): for each point, the distance to its
 * k-th nearest neighbour of the same class, then the count m of all
 * points strictly closer; MI = psi(N) + <psi(k)> - <psi(N_y)> - <psi(m)>.
 * Points alone in their class are left out, as scikit-learn does.
 */
static double
mi_continuous(struct pair *p, size_t n, size_t nclass, double *ny, unsigned kk)
{
	double *all, sk = 0, sy = 0, sm = 0, r;
	size_t i, j, used = 0, start;
	int c;

	if ((all = malloc((n ? n : 1) * sizeof(*all))) == NULL)
		return (double)NAN;
	for (i = 0; i < n; i++)
		if (ny[p[i].y] > 1)
			all[used++] = p[i].x;
	qsort(all, used, sizeof(*all), cmp_dbl);
	/* p is sorted by (x, y): gather each class's sorted values */
	for (c = 0; (size_t)c < nclass; c++) {
		double *v;
		size_t nc = 0, k;
		if (!(ny[c] > 1))
			continue;
		if ((v = malloc((size_t)ny[c] * sizeof(*v))) == NULL) {
			free(all);
			return (double)NAN;
		}
		for (i = 0; i < n; i++)
			if (p[i].y == c)
				v[nc++] = p[i].x;
		k = kk < nc - 1 ? kk : nc - 1;
		for (i = 0; i < nc; i++) {
			size_t l = i, h = i, s, lo, hi;
			double d = 0;
			for (s = 0; s < k; s++) {
				double dl =
				    l > 0 ? v[i] - v[l - 1] : (double)INFINITY;
				double dh = h + 1 < nc ? v[h + 1] - v[i]
				                       : (double)INFINITY;
				if (dl <= dh) {
					d = dl;
					l--;
				} else {
					d = dh;
					h++;
				}
			}
			r = nextafter(d, 0);
			/*
			 * count all[j] with |all[j] - v[i]| <= r, the
			 * distance computed as the KD-tree does (adding r
			 * to v[i] would round onto the k-th neighbour)
			 */
			lo = 0;
			hi = used;
			while (lo < hi) {
				size_t mid = lo + (hi - lo) / 2;
				if (all[mid] < v[i] && v[i] - all[mid] > r)
					lo = mid + 1;
				else
					hi = mid;
			}
			start = lo;
			hi = used;
			while (lo < hi) {
				size_t mid = lo + (hi - lo) / 2;
				if (all[mid] <= v[i] || all[mid] - v[i] <= r)
					lo = mid + 1;
				else
					hi = mid;
			}
			j = lo - start;
			sm += am_digamma((double)(j ? j : 1));
			sk += am_digamma((double)k);
			sy += am_digamma(ny[c]);
		}
		free(v);
	}
	free(all);
	if (used == 0)
		return 0;
	r = am_digamma((double)used) + (sk - sy - sm) / (double)used;
	return r > 0 ? r : 0;
}

int
am_sel_mi(const double *x, const int *y, size_t n, size_t nclass, int discrete,
    unsigned k, double *score)
{
	struct pair *p;
	double *ny, mi;
	size_t i;

	*score = 0;
	if (n == 0 || nclass == 0)
		return 0;
	p = malloc(n * sizeof(*p));
	ny = calloc(nclass, sizeof(*ny));
	if (p == NULL || ny == NULL) {
		free(p);
		free(ny);
		return AM_ENOMEM;
	}
	for (i = 0; i < n; i++) {
		p[i].x = x[i];
		p[i].y = y[i];
		ny[y[i]] += 1;
	}
	qsort(p, n, sizeof(*p), cmp_pair);
	mi = discrete ? mi_discrete(p, n, nclass, ny)
	              : mi_continuous(p, n, nclass, ny, k ? k : 3);
	free(p);
	free(ny);
	if (isnan(mi))
		return AM_ENOMEM;
	*score = mi > 0 ? mi : 0;
	return 0;
}
