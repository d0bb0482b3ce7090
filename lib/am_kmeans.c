/* SPDX-License-Identifier: MIT */
/*
 * am_kmeans.c -- k-means++ seeding, Lloyd iterations with Hamerly's
 * bounds, mini-batch k-means, the silhouette, and the "kmeans" model
 * (see am_kmeans.h).
 *
 * Hamerly keeps per row the assigned center a, an upper bound u on the
 * distance to it and a lower bound l on the distance to any other
 * center.  With s[j] half the distance from center j to its nearest
 * other center, a row with u <= max(s[a], l) cannot change center and
 * costs nothing; otherwise u is made exact, and only if the test still
 * fails are all k distances computed.  After the centers move by p[j],
 * u grows by p[a] and l shrinks by the largest move of another center.
 * Centers are recomputed from full sums every iteration (no incremental
 * updates), so the result is Lloyd's, bit for bit, for any thread count.
 */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "am_buf.h"
#include "am_kmeans.h"
#include "am_segeval.h"

#include "am_banned.h"

#define MAX_TASKS  64
#define MIN_CHUNK  1024
#define KM_VERSION 1

size_t
am_seg_tasks(size_t n, size_t *chunk)
{
	size_t c = (n + MAX_TASKS - 1) / MAX_TASKS;

	if (c < MIN_CHUNK)
		c = MIN_CHUNK;
	*chunk = c;
	return n == 0 ? 1 : (n + c - 1) / c;
}

void
am_seg_match(const double *a, const double *b, size_t k, size_t d, size_t *perm,
    unsigned char *used)
{
	unsigned char *ua = used, *ub = used + k;
	size_t step, i, j, bi = 0, bj = 0, q;
	double best, v, t;

	memset(used, 0, 2 * k);
	for (step = 0; step < k; step++) {
		best = HUGE_VAL;
		for (i = 0; i < k; i++) {
			if (ua[i])
				continue;
			for (j = 0; j < k; j++) {
				if (ub[j])
					continue;
				for (v = 0, q = 0; q < d; q++) {
					t = a[i * d + q] - b[j * d + q];
					v += t * t;
				}
				/* Ties (and NaN) keep the first pair. */
				if (v < best || best == HUGE_VAL) {
					best = v;
					bi = i;
					bj = j;
				}
			}
		}
		ua[bi] = ub[bj] = 1;
		perm[bi] = bj;
	}
}

void
am_seg_run(struct am_pool *pool, size_t ntasks,
    void (*fn)(void *arg, size_t task), void *arg)
{
	size_t i;

	if (pool != NULL) {
		am_pool_run(pool, ntasks, fn, arg);
		return;
	}
	for (i = 0; i < ntasks; i++)
		fn(arg, i);
}

static double
dist2(const double *a, const double *b, size_t d)
{
	double s = 0, t;
	size_t j;

	for (j = 0; j < d; j++) {
		t = a[j] - b[j];
		s += t * t;
	}
	return s;
}

/*
 * dist2() of 'x' to the four points 'c[0..3]' into 'out': four sums side
 * by side, each added in dist2()'s order (so the very same bits), which
 * runs about four times faster than four dist2() calls, whose one sum
 * waits on each addition.
 */
static void
dist2x4(const double *x, const double *const *c, size_t d, double *out)
{
	const double *c0 = c[0], *c1 = c[1], *c2 = c[2], *c3 = c[3];
	double s0 = 0, s1 = 0, s2 = 0, s3 = 0, t0, t1, t2, t3;
	size_t j;

	for (j = 0; j < d; j++) {
		t0 = x[j] - c0[j];
		t1 = x[j] - c1[j];
		t2 = x[j] - c2[j];
		t3 = x[j] - c3[j];
		s0 += t0 * t0;
		s1 += t1 * t1;
		s2 += t2 * t2;
		s3 += t3 * t3;
	}
	out[0] = s0;
	out[1] = s1;
	out[2] = s2;
	out[3] = s3;
}

/* dist2() of 'x' to each of the 'k' rows of 'c' (k x d) into 'out'. */
static void
dist2_all(const double *x, const double *c, size_t k, size_t d, double *out)
{
	const double *p[4];
	size_t q = 0;

	for (; q + 4 <= k; q += 4) {
		p[0] = c + q * d;
		p[1] = p[0] + d;
		p[2] = p[1] + d;
		p[3] = p[2] + d;
		dist2x4(x, p, d, out + q);
	}
	for (; q < k; q++)
		out[q] = dist2(x, c + q * d, d);
}

void
am_kmeans_release(struct am_kmeans *km)
{
	free(km->centers);
	free(km->size);
	memset(km, 0, sizeof(*km));
}

size_t
am_kmeans_nearest(const struct am_kmeans *km, const double *x, double *d2)
{
	size_t j, k = km->k, best = 0;
	double b = HUGE_VAL, t[4];

	for (j = 0; j < k; j++) {
		if (j % 4 == 0)
			dist2_all(x, km->centers + j * km->d,
			    k - j < 4 ? k - j : 4, km->d, t);
		if (t[j % 4] < b) {
			b = t[j % 4];
			best = j;
		}
	}
	if (d2 != NULL)
		*d2 = b;
	return best;
}

/* k-means++: the potential of each candidate, split over tasks. */
struct pp_job {
	const double *x;
	size_t n, d, chunk, ncand;
	const double *mind; /* current squared distance to the centers */
	const size_t *cand; /* candidate rows */
	double *pot;        /* ntasks x ncand partial potentials */
	double **newd;      /* ncand arrays of n: distances with each */
};

static void
pp_task(void *arg, size_t t)
{
	struct pp_job *j = arg;
	size_t i, c, nc = j->ncand, lo = t * j->chunk, hi = lo + j->chunk;
	const double *xc[32], *xi;
	double s[32], v[32];

	/*
	 * Row by row, every candidate at once (four at a time): each row is
	 * read once, and each candidate's sum adds its rows in order.
	 */
	if (hi > j->n)
		hi = j->n;
	for (c = 0; c < nc; c++) {
		xc[c] = j->x + j->cand[c] * j->d;
		s[c] = 0;
	}
	for (i = lo; i < hi; i++) {
		xi = j->x + i * j->d;
		for (c = 0; c + 4 <= nc; c += 4)
			dist2x4(xi, xc + c, j->d, v + c);
		for (; c < nc; c++)
			v[c] = dist2(xi, xc[c], j->d);
		for (c = 0; c < nc; c++) {
			if (v[c] > j->mind[i])
				v[c] = j->mind[i];
			j->newd[c][i] = v[c];
			s[c] += v[c];
		}
	}
	for (c = 0; c < nc; c++)
		j->pot[t * nc + c] = s[c];
}

/* The first row whose cumulative weight passes 'u' (of total 'tot'). */
static size_t
draw(const double *w, size_t n, double u)
{
	size_t i;
	double acc = 0;

	for (i = 0; i < n; i++) {
		acc += w[i];
		if (acc > u)
			return i;
	}
	/* Rounding left 'u' at the very top: the last row with weight. */
	for (i = n; i-- > 0;)
		if (w[i] > 0)
			return i;
	return n - 1;
}

/* Candidates per step: 2 + ln k, as scikit-learn's, at most 32. */
static size_t
pp_trials(size_t k)
{
	size_t t = 2 + (size_t)log((double)k);

	return t < 32 ? t : 32;
}

size_t
am_kmeans_pp_len(size_t n, size_t k)
{
	return (pp_trials(k) + 1) * n;
}

int
am_kmeans_pp(const double *x, size_t n, size_t d, size_t k, struct am_rand *r,
    struct am_pool *pool, double *centers, struct am_err *err)
{
	return am_kmeans_pp_work(x, n, d, k, r, pool, centers, NULL, err);
}

int
am_kmeans_pp_work(const double *x, size_t n, size_t d, size_t k,
    struct am_rand *r, struct am_pool *pool, double *centers, double *work,
    struct am_err *err)
{
	struct pp_job j;
	size_t ntasks, chunk, trials = pp_trials(k), c, t, i, best, m;
	double *mind = NULL, *buf = NULL, *pot = NULL, tot, bp, s, *slot[33];
	size_t cand[32];

	ntasks = am_seg_tasks(n, &chunk);
	/* trials + 1 arrays of n distances: the current minimum and one
	 * per candidate; the kept candidate's array becomes the minimum by
	 * swapping pointers, not copying. */
	if (work == NULL)
		work = buf = am_seg_alloc((trials + 1) * n * sizeof(*buf));
	pot = malloc(ntasks * trials * sizeof(*pot));
	if (work == NULL || pot == NULL) {
		free(buf);
		free(pot);
		return am_seterr(err, AM_ENOMEM, "out of memory");
	}
	for (t = 0; t <= trials; t++)
		slot[t] = work + t * n;
	mind = slot[trials];
	i = (size_t)am_rand_below(r, n);
	memcpy(centers, x + i * d, d * sizeof(double));
	tot = 0;
	for (i = 0; i < n; i++)
		tot += (mind[i] = dist2(x + i * d, centers, d));
	for (c = 1; c < k; c++) {
		if (!(tot > 0)) {
			/* Fewer distinct rows than centers: repeat one. */
			i = (size_t)am_rand_below(r, n);
			memcpy(centers + c * d, x + i * d, d * sizeof(double));
			continue;
		}
		for (t = 0; t < trials; t++)
			cand[t] = draw(mind, n, am_rand_unif(r) * tot);
		j.x = x;
		j.n = n;
		j.d = d;
		j.chunk = chunk;
		j.ncand = trials;
		j.mind = mind;
		j.cand = cand;
		j.pot = pot;
		j.newd = slot;
		am_seg_run(pool, ntasks, pp_task, &j);
		best = 0;
		bp = HUGE_VAL;
		for (t = 0; t < trials; t++) {
			for (s = 0, m = 0; m < ntasks; m++)
				s += pot[m * trials + t];
			if (s < bp) {
				bp = s;
				best = t;
			}
		}
		memcpy(centers + c * d, x + cand[best] * d, d * sizeof(double));
		slot[trials] = slot[best];
		slot[best] = mind;
		mind = slot[trials];
		tot = bp;
	}
	free(buf);
	free(pot);
	return 0;
}

/* One Lloyd iteration with Hamerly's bounds, over tasks. */
struct ham_job {
	const double *x;
	size_t n, d, k, chunk;
	const double *c;    /* centers */
	const double *s;    /* half distance to the nearest other center */
	const double *p;    /* last moves of the centers */
	double pmax, pmax2; /* largest and second largest move */
	size_t pmaxj;       /* center of the largest move */
	uint32_t *a;
	double *u, *l;
	double *sum; /* ntasks x k x d */
	double *cnt; /* ntasks x k */
};

static void
ham_task(void *arg, size_t t)
{
	struct ham_job *j = arg;
	size_t i, q, d = j->d, lo = t * j->chunk, hi = lo + j->chunk;
	double *sum = j->sum + t * j->k * d, *cnt = j->cnt + t * j->k;

	if (hi > j->n)
		hi = j->n;
	memset(sum, 0, j->k * d * sizeof(double));
	memset(cnt, 0, j->k * sizeof(double));
	for (i = lo; i < hi; i++) {
		const double *xi = j->x + i * d;
		uint32_t a = j->a[i];
		double m;

		j->u[i] += j->p[a];
		j->l[i] -= a == j->pmaxj ? j->pmax2 : j->pmax;
		m = j->s[a] > j->l[i] ? j->s[a] : j->l[i];
		if (j->u[i] > m) {
			j->u[i] = sqrt(dist2(xi, j->c + a * d, d));
			if (j->u[i] > m) {
				double b1 = HUGE_VAL, b2 = HUGE_VAL, v, v4[4];
				size_t bj = 0;
				for (q = 0; q < j->k; q++) {
					if (q % 4 == 0)
						dist2_all(xi, j->c + q * d,
						    j->k - q < 4 ? j->k - q : 4,
						    d, v4);
					v = v4[q % 4];
					if (v < b1) {
						b2 = b1;
						b1 = v;
						bj = q;
					} else if (v < b2)
						b2 = v;
				}
				j->a[i] = a = (uint32_t)bj;
				j->u[i] = sqrt(b1);
				j->l[i] = sqrt(b2);
			}
		}
		cnt[a] += 1;
		for (q = 0; q < d; q++)
			sum[a * d + q] += xi[q];
	}
}

/* Exact assignment and inertia of every row, over tasks. */
struct fin_job {
	const double *x;
	size_t n, d, chunk;
	const struct am_kmeans *km;
	uint32_t *a;
	double *dist; /* per row, or NULL */
	double *part; /* per task */
};

static void
fin_task(void *arg, size_t t)
{
	struct fin_job *j = arg;
	size_t i, lo = t * j->chunk, hi = lo + j->chunk;
	double s = 0, v;

	if (hi > j->n)
		hi = j->n;
	for (i = lo; i < hi; i++) {
		j->a[i] =
		    (uint32_t)am_kmeans_nearest(j->km, j->x + i * j->d, &v);
		if (j->dist != NULL)
			j->dist[i] = v;
		s += v;
	}
	j->part[t] = s;
}

/* Assign every row exactly: labels in 'a', sizes and inertia in 'km'. */
static void
finish(struct am_kmeans *km, const double *x, size_t n, struct am_pool *pool,
    uint32_t *a, double *part)
{
	struct fin_job f;
	size_t t, i, ntasks = am_seg_tasks(n, &f.chunk);

	f.x = x;
	f.n = n;
	f.d = km->d;
	f.km = km;
	f.a = a;
	f.dist = NULL;
	f.part = part;
	am_seg_run(pool, ntasks, fin_task, &f);
	km->inertia = 0;
	for (t = 0; t < ntasks; t++)
		km->inertia += part[t];
	memset(km->size, 0, km->k * sizeof(double));
	for (i = 0; i < n; i++)
		km->size[a[i]] += 1;
}

/*
 * Mean feature variance times tol: the stopping threshold.  Two passes
 * in row order with a sum per column in 'acc' (2 d doubles), which adds
 * each column's values in the same order as a pass down the column, at
 * a twentieth of the memory traffic for d = 10.
 */
static double
threshold(const double *x, size_t n, size_t d, double tol, double *acc)
{
	double tot = 0, *mean = acc, *ss = acc + d, v;
	size_t i, q;

	memset(acc, 0, 2 * d * sizeof(double));
	for (i = 0; i < n; i++)
		for (q = 0; q < d; q++)
			mean[q] += x[i * d + q];
	for (q = 0; q < d; q++)
		mean[q] /= (double)n;
	for (i = 0; i < n; i++)
		for (q = 0; q < d; q++) {
			v = x[i * d + q] - mean[q];
			ss[q] += v * v;
		}
	for (q = 0; q < d; q++)
		tot += ss[q] / (double)n;
	return d > 0 ? tol * tot / (double)d : 0;
}

/* Move empty centers to the rows farthest from their centers. */
static void
reseat(struct am_kmeans *km, const double *x, size_t n, const double *cnt,
    double *c, const uint32_t *a, double *far)
{
	size_t i, j, d = km->d, best;
	int have = 0;

	for (j = 0; j < km->k; j++) {
		if (cnt[j] > 0)
			continue;
		if (!have) {
			for (i = 0; i < n; i++)
				far[i] =
				    dist2(x + i * d, km->centers + a[i] * d, d);
			have = 1;
		}
		for (best = 0, i = 1; i < n; i++)
			if (far[i] > far[best])
				best = i;
		memcpy(c + j * d, x + best * d, d * sizeof(double));
		far[best] = -1;
	}
}

static int
lloyd(struct am_kmeans *km, const double *x, size_t n, int max_iter, double thr,
    struct am_pool *pool, uint32_t *a, double *u, double *l, double *work,
    struct am_err *err)
{
	struct ham_job j;
	size_t k = km->k, d = km->d, ntasks, i, q, t;
	double *sum, *cnt, *s, *p, *nc, *far, shift, v;
	int it;

	ntasks = am_seg_tasks(n, &j.chunk);
	sum = malloc(
	    (ntasks * k * d + ntasks * k + 3 * k + k * d + n) * sizeof(double));
	if (sum == NULL)
		return am_seterr(err, AM_ENOMEM, "out of memory");
	cnt = sum + ntasks * k * d;
	s = cnt + ntasks * k;
	p = s + k;
	nc = p + k;
	far = nc + k * d;
	(void)work;
	for (i = 0; i < n; i++) {
		a[i] = 0;
		u[i] = HUGE_VAL;
		l[i] = 0;
	}
	memset(p, 0, k * sizeof(double));
	j.x = x;
	j.n = n;
	j.d = d;
	j.k = k;
	j.c = km->centers;
	j.s = s;
	j.p = p;
	j.pmax = j.pmax2 = 0;
	j.pmaxj = 0;
	j.a = a;
	j.u = u;
	j.l = l;
	j.sum = sum;
	j.cnt = cnt;
	km->converged = 0;
	for (it = 0; it < max_iter; it++) {
		for (q = 0; q < k; q++) {
			double b = HUGE_VAL;
			for (t = 0; t < k; t++)
				if (t != q &&
				    (v = dist2(km->centers + q * d,
				         km->centers + t * d, d)) < b)
					b = v;
			s[q] = k > 1 ? 0.5 * sqrt(b) : HUGE_VAL;
		}
		am_seg_run(pool, ntasks, ham_task, &j);
		/* Reduce the task slots in task order. */
		for (q = 0; q < k; q++) {
			double cn = 0;
			for (t = 0; t < ntasks; t++)
				cn += cnt[t * k + q];
			for (i = 0; i < d; i++) {
				double sm = 0;
				for (t = 0; t < ntasks; t++)
					sm += sum[(t * k + q) * d + i];
				nc[q * d + i] = cn > 0 ? sm / cn : 0;
			}
			cnt[q] = cn; /* slot 0 now holds the totals */
		}
		reseat(km, x, n, cnt, nc, a, far);
		shift = 0;
		j.pmax = j.pmax2 = 0;
		j.pmaxj = 0;
		for (q = 0; q < k; q++) {
			v = dist2(nc + q * d, km->centers + q * d, d);
			shift += v;
			p[q] = sqrt(v);
			if (p[q] > j.pmax) {
				j.pmax2 = j.pmax;
				j.pmax = p[q];
				j.pmaxj = q;
			} else if (p[q] > j.pmax2)
				j.pmax2 = p[q];
		}
		memcpy(km->centers, nc, k * d * sizeof(double));
		if (shift <= thr) {
			km->converged = 1;
			it++;
			break;
		}
	}
	km->iter = it;
	free(sum);
	return 0;
}

static int
minibatch(struct am_kmeans *km, const double *x, size_t n, size_t batch,
    int max_iter, struct am_rand *r, struct am_err *err)
{
	size_t k = km->k, d = km->d, steps, st, b, q, i, *rows, *lab;
	double *v, *bs, *bc, ewa = -1, best = HUGE_VAL, alpha, bi, dd;
	int ep, noimp = 0;

	if (batch > n)
		batch = n;
	steps = (n + batch - 1) / batch;
	alpha = 2.0 * (double)batch / ((double)n + 1);
	if (alpha > 1)
		alpha = 1;
	rows = malloc(2 * batch * sizeof(size_t));
	v = calloc(2 * k + k * d, sizeof(double));
	if (rows == NULL || v == NULL) {
		free(rows);
		free(v);
		return am_seterr(err, AM_ENOMEM, "out of memory");
	}
	lab = rows + batch;
	bc = v + k;
	bs = bc + k;
	km->converged = 0;
	for (ep = 0; ep < max_iter && !km->converged; ep++) {
		for (st = 0; st < steps; st++) {
			memset(bc, 0, (k + k * d) * sizeof(double));
			bi = 0;
			for (b = 0; b < batch; b++) {
				rows[b] = (size_t)am_rand_below(r, n);
				lab[b] =
				    am_kmeans_nearest(km, x + rows[b] * d, &dd);
				bi += dd;
				bc[lab[b]] += 1;
				for (q = 0; q < d; q++)
					bs[lab[b] * d + q] +=
					    x[rows[b] * d + q];
			}
			for (i = 0; i < k; i++) {
				double tot = v[i] + bc[i];
				if (bc[i] == 0)
					continue;
				for (q = 0; q < d; q++)
					km->centers[i * d + q] =
					    (km->centers[i * d + q] * v[i] +
					        bs[i * d + q]) /
					    tot;
				v[i] = tot;
			}
			bi /= (double)batch;
			ewa = ewa < 0 ? bi : ewa * (1 - alpha) + bi * alpha;
			if (ewa < best) {
				best = ewa;
				noimp = 0;
			} else if (++noimp >= 10) {
				km->converged = 1;
				break;
			}
		}
	}
	km->iter = ep;
	free(rows);
	free(v);
	return 0;
}

int
am_kmeans_fit(struct am_kmeans *km, const double *x, size_t n, size_t d,
    const struct am_kmeans_params *p, struct am_err *err)
{
	struct am_kmeans cur = { 0 };
	struct am_rand r;
	uint32_t *a = NULL;
	double *u = NULL, *l = NULL, *part = NULL, thr;
	int rs, restarts = p->restarts > 0 ? p->restarts : 1, rc = 0;
	int max_iter = p->max_iter > 0 ? p->max_iter : p->batch ? 100 : 300;
	size_t chunk, ntasks = am_seg_tasks(n, &chunk), plen;

	memset(km, 0, sizeof(*km));
	if (p->k == 0 || p->k > n)
		return am_seterr(err, AM_EARG,
		    "k %zu is larger than the %zu rows", p->k, n);
	plen = am_kmeans_pp_len(n, p->k);
	/* u and l start a block that k-means++ borrows before Lloyd. */
	a = am_seg_alloc(n * sizeof(*a));
	u = am_seg_alloc((plen > 2 * n ? plen : 2 * n) * sizeof(*u));
	l = u != NULL ? u + n : NULL;
	part = malloc((ntasks + 2 * d) * sizeof(*part));
	cur.k = km->k = p->k;
	cur.d = km->d = d;
	cur.centers = malloc((p->k * d + 1) * sizeof(double));
	cur.size = malloc(p->k * sizeof(double));
	km->centers = malloc((p->k * d + 1) * sizeof(double));
	km->size = malloc(p->k * sizeof(double));
	if (a == NULL || u == NULL || l == NULL || part == NULL ||
	    cur.centers == NULL || cur.size == NULL || km->centers == NULL ||
	    km->size == NULL) {
		rc = am_seterr(err, AM_ENOMEM, "out of memory");
		goto out;
	}
	thr = threshold(x, n, d, p->tol < 0 ? 1e-4 : p->tol, part + ntasks);
	km->inertia = HUGE_VAL;
	for (rs = 0; rs < restarts; rs++) {
		am_rand_seed(&r,
		    p->seed + UINT64_C(0x9e3779b97f4a7c15) * (uint64_t)rs);
		if ((rc = am_kmeans_pp_work(x, n, d, p->k, &r, p->pool,
		         cur.centers, u, err)) != 0)
			goto out;
		if (p->batch > 0)
			rc = minibatch(&cur, x, n, p->batch, max_iter, &r, err);
		else
			rc = lloyd(&cur, x, n, max_iter, thr, p->pool, a, u, l,
			    NULL, err);
		if (rc != 0)
			goto out;
		finish(&cur, x, n, p->pool, a, part);
		if (cur.inertia < km->inertia) {
			memcpy(km->centers, cur.centers,
			    p->k * d * sizeof(double));
			memcpy(km->size, cur.size, p->k * sizeof(double));
			km->inertia = cur.inertia;
			km->iter = cur.iter;
			km->converged = cur.converged;
		}
	}
out:
	if (rc != 0)
		am_kmeans_release(km);
	am_kmeans_release(&cur);
	free(a);
	free(u);
	free(part);
	return rc;
}

int
am_kmeans_update(struct am_kmeans *km, const double *x, size_t n, double decay,
    size_t batch, int passes, uint64_t seed, struct am_pool *pool,
    struct am_err *err)
{
	size_t k = km->k, d = km->d, *ord, *lab, i, b, lo, hi, q, j, t, chunk;
	double *v, *bs, *bc, *part;
	uint32_t *a;
	struct am_rand r;
	int ep;

	if (n == 0)
		return am_seterr(err, AM_EARG, "no rows to update with");
	if (decay < 0 || decay > 1)
		decay = 1;
	if (batch == 0)
		batch = 1024;
	if (batch > n)
		batch = n;
	if (passes <= 0)
		passes = 1;
	ord = malloc(n * sizeof(*ord));
	lab = malloc(batch * sizeof(*lab));
	v = malloc((2 * k + k * d + am_seg_tasks(n, &chunk)) * sizeof(double));
	a = malloc(n * sizeof(*a));
	if (ord == NULL || lab == NULL || v == NULL || a == NULL) {
		free(ord);
		free(lab);
		free(v);
		free(a);
		return am_seterr(err, AM_ENOMEM, "out of memory");
	}
	bc = v + k;
	bs = bc + k;
	part = bs + k * d;
	for (j = 0; j < k; j++)
		v[j] = decay * km->size[j];
	for (i = 0; i < n; i++)
		ord[i] = i;
	am_rand_seed(&r, seed ^ UINT64_C(0x6b6d7570));
	for (ep = 0; ep < passes; ep++) {
		/* Fisher-Yates with the seed: the same order everywhere. */
		for (i = n; i > 1; i--) {
			j = (size_t)am_rand_below(&r, i);
			t = ord[i - 1];
			ord[i - 1] = ord[j];
			ord[j] = t;
		}
		for (lo = 0; lo < n; lo = hi) {
			hi = lo + batch < n ? lo + batch : n;
			memset(bc, 0, (k + k * d) * sizeof(double));
			for (b = lo; b < hi; b++)
				lab[b - lo] =
				    am_kmeans_nearest(km, x + ord[b] * d, NULL);
			for (b = lo; b < hi; b++) {
				const double *xi = x + ord[b] * d;
				bc[lab[b - lo]] += 1;
				for (q = 0; q < d; q++)
					bs[lab[b - lo] * d + q] += xi[q];
			}
			for (j = 0; j < k; j++) {
				if (bc[j] == 0)
					continue;
				for (q = 0; q < d; q++)
					km->centers[j * d + q] =
					    (km->centers[j * d + q] * v[j] +
					        bs[j * d + q]) /
					    (v[j] + bc[j]);
				v[j] += bc[j];
			}
		}
	}
	km->iter = passes;
	km->converged = 1;
	for (j = 0; j < k; j++)
		v[j] = decay * km->size[j];
	finish(km, x, n, pool, a, part);
	for (j = 0; j < k; j++)
		km->size[j] += v[j];
	free(ord);
	free(lab);
	free(v);
	free(a);
	return 0;
}

int
am_kmeans_merge(struct am_kmeans *km, const struct am_kmeans *const *src,
    size_t n, struct am_err *err)
{
	size_t k = src[0]->k, d = src[0]->d, i, j, q, pj, *perm;
	unsigned char *used;
	double w, t;

	memset(km, 0, sizeof(*km));
	for (i = 1; i < n; i++)
		if (src[i]->k != k || src[i]->d != d)
			return am_seterr(err, AM_EMODEL,
			    "model %zu has k %zu, model 1 k %zu: cannot merge",
			    i + 1, src[i]->k, k);
	perm = malloc(n * k * sizeof(*perm));
	used = malloc(2 * k);
	km->k = k;
	km->d = d;
	km->centers = calloc(k * d + 1, sizeof(double));
	km->size = calloc(k, sizeof(double));
	if (perm == NULL || used == NULL || km->centers == NULL ||
	    km->size == NULL) {
		free(perm);
		free(used);
		am_kmeans_release(km);
		return am_seterr(err, AM_ENOMEM, "out of memory");
	}
	for (i = 0; i < n; i++) {
		if (i == 0)
			for (j = 0; j < k; j++)
				perm[j] = j;
		else
			am_seg_match(src[0]->centers, src[i]->centers, k, d,
			    perm + i * k, used);
		for (j = 0; j < k; j++) {
			pj = perm[i * k + j];
			w = src[i]->size[pj];
			km->size[j] += w;
			for (q = 0; q < d; q++)
				km->centers[j * d + q] +=
				    w * src[i]->centers[pj * d + q];
		}
	}
	for (j = 0; j < k; j++)
		for (q = 0; q < d; q++)
			km->centers[j * d + q] = km->size[j] > 0
			    ? km->centers[j * d + q] / km->size[j]
			    : src[0]->centers[j * d + q];
	/* Parallel axes: each shard's inertia moved to the new centers. */
	for (i = 0; i < n; i++) {
		km->inertia += src[i]->inertia;
		for (j = 0; j < k; j++) {
			pj = perm[i * k + j];
			t = dist2(src[i]->centers + pj * d, km->centers + j * d,
			    d);
			km->inertia += src[i]->size[pj] * t;
		}
	}
	km->converged = 1;
	free(perm);
	free(used);
	return 0;
}

#define HUGE_PAGE (2u << 20)

void *
am_seg_alloc(size_t bytes)
{
	void *p;

	if (bytes < HUGE_PAGE)
		return malloc(bytes > 0 ? bytes : 1);
	/* Whole huge pages: a part of one at the end would fault in 4 KiB. */
	if (bytes > SIZE_MAX - HUGE_PAGE)
		return NULL;
	bytes = (bytes + HUGE_PAGE - 1) & ~(size_t)(HUGE_PAGE - 1);
	if (posix_memalign(&p, HUGE_PAGE, bytes) != 0)
		return NULL;
	am_mat_advise(p, bytes);
	return p;
}

const double *
am_seg_dense(const struct am_table *t, double **owned, struct am_err *err)
{
	const struct am_csr *c = &t->x;
	size_t d = t->schema.nfeat, n = t->rows, i, e;
	int full;
	double *x;

	*owned = NULL;
	if (t->dense != NULL)
		return t->dense; /* loaded dense, every value finite */
	/* One scan: every value finite, and is the CSR a dense matrix? */
	full = c->ptr[n] == n * d;
	for (i = 0; i < n; i++)
		for (e = c->ptr[i]; e < c->ptr[i + 1]; e++) {
			if (!isfinite(c->val[e])) {
				am_seterr(err, AM_EFORMAT,
				    "%s: row %zu: feature '%s' is not finite",
				    t->input, i + 1, t->schema.feat[c->idx[e]]);
				return NULL;
			}
			full &= c->idx[e] == e - i * d;
		}
	if (full && n > 0)
		return c->val; /* rows of d values in order: use them */
	if ((x = calloc(n * d + 1, sizeof(double))) == NULL) {
		am_seterr(err, AM_ENOMEM, "out of memory");
		return NULL;
	}
	for (i = 0; i < n; i++)
		for (e = c->ptr[i]; e < c->ptr[i + 1]; e++)
			x[i * d + c->idx[e]] = c->val[e];
	*owned = x;
	return x;
}

/*
 * The "kmeans" model.  State: the centers and, when K was chosen from a
 * range, the table of (K, inertia, silhouette) tried.
 */
struct km_row {
	size_t k;
	double inertia, silhouette;
};

struct km_state {
	struct am_kmeans km;
	struct km_row *sel;
	size_t nsel, chosen;
	struct am_seg_params sp;
	double decay; /* of the last update; < 0: not updated */
};

static void
km_free(void *state)
{
	struct km_state *s = state;

	if (s == NULL)
		return;
	am_kmeans_release(&s->km);
	free(s->sel);
	free(s);
}

/* A seeded sample of 'm' of the 'n' rows, without replacement. */
static size_t *
sample_rows(size_t n, size_t m, uint64_t seed)
{
	struct am_rand r;
	size_t *idx, i, j, t;

	if ((idx = malloc(n * sizeof(*idx))) == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		idx[i] = i;
	am_rand_seed(&r, seed ^ UINT64_C(0x73696c68));
	for (i = 0; i < m && i + 1 < n; i++) {
		j = i + (size_t)am_rand_below(&r, n - i);
		t = idx[i];
		idx[i] = idx[j];
		idx[j] = t;
	}
	return idx;
}

/* Silhouette of 'km' on a sample of 'm' rows of 'x'. */
static double
km_silhouette(const struct am_kmeans *km, const double *x, size_t n, size_t m,
    uint64_t seed)
{
	size_t *idx, i, d = km->d;
	uint32_t *lab;
	double *xs, s = (double)NAN;

	if (m > n)
		m = n;
	idx = sample_rows(n, m, seed);
	lab = malloc(m * sizeof(*lab));
	xs = malloc(m * d * sizeof(*xs) + 1);
	if (idx != NULL && lab != NULL && xs != NULL) {
		for (i = 0; i < m; i++) {
			memcpy(xs + i * d, x + idx[i] * d, d * sizeof(double));
			lab[i] =
			    (uint32_t)am_kmeans_nearest(km, xs + i * d, NULL);
		}
		s = am_silhouette(xs, m, d, lab, km->k);
	}
	free(idx);
	free(lab);
	free(xs);
	return s;
}

int
am_seg_params_get(const struct am_model_params *p, size_t kdef,
    struct am_seg_params *sp, struct am_pool **pool, struct am_err *err)
{
	struct am_seg_params def = AM_SEG_PARAMS_INIT;

	*sp = p->seg != NULL ? *p->seg : def;
	if (sp->kmin == 0)
		sp->kmin = sp->kmax = kdef;
	if (sp->kmax < sp->kmin)
		sp->kmax = sp->kmin;
	if (sp->sample == 0)
		sp->sample = 2000;
	*pool = NULL;
	if (p->threads > 1 && (*pool = am_pool_new(p->threads, err)) == NULL)
		return err != NULL ? err->code : AM_ENOMEM;
	return 0;
}

static int
km_fit(struct am_model *m, const struct am_table *t,
    const struct am_model_params *p, struct am_err *err)
{
	struct am_kmeans_params kp = AM_KMEANS_PARAMS_INIT;
	struct am_kmeans cur;
	struct km_state *s;
	struct am_pool *pool = NULL;
	const double *x = NULL;
	double *own = NULL, best = -HUGE_VAL;
	size_t k, n = t->rows, d = t->schema.nfeat;
	int rc;

	if (d == 0)
		return am_seterr(err, AM_EARG, "%s: no feature columns",
		    t->input);
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return am_seterr(err, AM_ENOMEM, "out of memory");
	if ((rc = am_seg_params_get(p, 8, &s->sp, &pool, err)) != 0)
		goto fail;
	if (s->sp.select == AM_SEG_BIC || s->sp.select == AM_SEG_AIC) {
		rc = am_seterr(err, AM_EARG,
		    "--select %s is for gmm; kmeans selects by silhouette",
		    s->sp.select == AM_SEG_BIC ? "bic" : "aic");
		goto fail;
	}
	if (s->sp.kmax > n) {
		rc = am_seterr(err, AM_EARG,
		    "%s: k %zu is larger than the %zu rows", t->input,
		    s->sp.kmax, n);
		goto fail;
	}
	if ((x = am_seg_dense(t, &own, err)) == NULL) {
		rc = err != NULL ? err->code : AM_ENOMEM;
		goto fail;
	}
	s->nsel = s->sp.kmax - s->sp.kmin + 1;
	s->decay = -1;
	if ((s->sel = calloc(s->nsel, sizeof(*s->sel))) == NULL) {
		rc = am_seterr(err, AM_ENOMEM, "out of memory");
		goto fail;
	}
	kp.restarts = s->sp.restarts;
	kp.max_iter = p->max_iter;
	kp.tol = s->sp.tol;
	kp.batch = s->sp.batch;
	kp.seed = p->seed;
	kp.pool = pool;
	for (k = s->sp.kmin; k <= s->sp.kmax; k++) {
		struct km_row *row = &s->sel[k - s->sp.kmin];
		kp.k = k;
		if ((rc = am_kmeans_fit(&cur, x, n, d, &kp, err)) != 0)
			goto fail;
		row->k = k;
		row->inertia = cur.inertia;
		row->silhouette = s->nsel > 1
		    ? km_silhouette(&cur, x, n, s->sp.sample, p->seed)
		    : (double)NAN;
		/* Highest silhouette; NAN (one cluster) never wins. */
		if (s->km.centers == NULL ||
		    (s->nsel > 1 && row->silhouette > best)) {
			if (s->nsel > 1 && !isnan(row->silhouette))
				best = row->silhouette;
			am_kmeans_release(&s->km);
			s->km = cur;
			s->chosen = k;
		} else
			am_kmeans_release(&cur);
	}
	free(own);
	am_pool_free(pool);
	am_model_set_state(m, s);
	return 0;
fail:
	free(own);
	am_pool_free(pool);
	km_free(s);
	return rc;
}

/* Row 'idx'/'val' as d dense values into 'buf'. */
static void
densify(size_t d, size_t nnz, const uint32_t *idx, const double *val,
    double *buf)
{
	size_t e;

	memset(buf, 0, d * sizeof(double));
	for (e = 0; e < nnz; e++)
		if (idx[e] < d)
			buf[idx[e]] = val[e];
}

static void
km_predict(const struct am_model *m, size_t nnz, const uint32_t *idx,
    const double *val, double *out)
{
	const struct km_state *s = am_model_state(m);
	double stack[256], *buf = stack, d2;
	size_t d = s->km.d;

	if (d > 256 && (buf = malloc(d * sizeof(double))) == NULL) {
		out[0] = out[1] = (double)NAN;
		return;
	}
	densify(d, nnz, idx, val, buf);
	out[0] = (double)am_kmeans_nearest(&s->km, buf, &d2);
	out[1] = sqrt(d2);
	if (buf != stack)
		free(buf);
}

static size_t
km_nout(const struct am_model *m)
{
	(void)m;
	return 2;
}

static const char *
km_outname(const struct am_model *m, size_t k)
{
	(void)m;
	return k == 0 ? "segment" : "distance";
}

static int
km_save(const struct am_model *m, struct am_art *a, struct am_err *err)
{
	const struct km_state *s = am_model_state(m);
	struct am_buf b = AM_BUF_INIT;
	size_t i;
	int rc = 0;
	char key[64];

	am_buf_u32(&b, KM_VERSION);
	am_buf_u32(&b, (uint32_t)s->km.k);
	am_buf_u32(&b, (uint32_t)s->km.d);
	am_buf_f64s(&b, s->km.centers, s->km.k * s->km.d);
	am_buf_f64s(&b, s->km.size, s->km.k);
	am_buf_f64(&b, s->km.inertia);
	am_buf_u32(&b, (uint32_t)s->km.iter);
	am_buf_u8(&b, (uint8_t)s->km.converged);
	am_buf_u32(&b, (uint32_t)s->nsel);
	for (i = 0; i < s->nsel; i++) {
		am_buf_u32(&b, (uint32_t)s->sel[i].k);
		am_buf_f64(&b, s->sel[i].inertia);
		am_buf_f64(&b, s->sel[i].silhouette);
	}
	rc = am_art_add_buf(a, "kmeans", &b);
	am_buf_release(&b);
	if (rc == 0)
		rc = am_art_setf(a, "hyper.k", "%zu", s->km.k);
	if (rc == 0 && s->nsel > 1)
		rc = am_art_setf(a, "hyper.k_range", "%zu..%zu", s->sp.kmin,
		    s->sp.kmax);
	if (rc == 0 && s->nsel > 1)
		rc = am_art_set(a, "hyper.select", "silhouette");
	if (rc == 0)
		rc = am_art_setf(a, "hyper.restarts", "%d",
		    s->sp.restarts > 0 ? s->sp.restarts : 1);
	if (rc == 0 && s->sp.batch > 0)
		rc = am_art_setf(a, "hyper.mini_batch", "%zu", s->sp.batch);
	if (rc == 0 && s->decay >= 0)
		rc = am_art_setf(a, "hyper.decay", "%g", s->decay);
	if (rc == 0)
		rc = am_art_setf(a, "metric.inertia", "%.17g", s->km.inertia);
	if (rc == 0)
		rc = am_art_setf(a, "metric.objective", "%.17g", s->km.inertia);
	if (rc == 0)
		rc = am_art_setf(a, "metric.iterations", "%d", s->km.iter);
	if (rc == 0)
		rc = am_art_setf(a, "metric.converged", "%d", s->km.converged);
	for (i = 0; rc == 0 && i < s->nsel && s->nsel > 1; i++) {
		(void)snprintf(key, sizeof(key), "metric.select.k%zu",
		    s->sel[i].k);
		rc = am_art_setf(a, key, "inertia=%.10g silhouette=%.6f",
		    s->sel[i].inertia, s->sel[i].silhouette);
	}
	for (i = 0; rc == 0 && i < s->km.k; i++) {
		struct am_buf t = AM_BUF_INIT;
		char num[40];
		size_t q;
		for (q = 0; q < s->km.d; q++) {
			(void)snprintf(num, sizeof(num), "%s%.10g",
			    q > 0 ? "," : "", s->km.centers[i * s->km.d + q]);
			am_buf_put(&t, num, strlen(num));
		}
		am_buf_put(&t, "", 1);
		(void)snprintf(key, sizeof(key), "segment.%zu.center", i);
		rc = am_buf_error(&t)
		    ? AM_ENOMEM
		    : am_art_set(a, key, (const char *)t.data);
		am_buf_release(&t);
		(void)snprintf(key, sizeof(key), "segment.%zu.size", i);
		if (rc == 0)
			rc = am_art_setf(a, key, "%.17g", s->km.size[i]);
	}
	return rc != 0 ? am_seterr(err, AM_ENOMEM, "out of memory") : 0;
}

static int
km_load(struct am_model *m, const struct am_art *a, struct am_err *err)
{
	struct km_state *s;
	struct am_rd r;
	const void *sec;
	size_t len, i;
	uint32_t ver, k, d;

	if ((sec = am_art_section(a, "kmeans", &len)) == NULL)
		return am_seterr(err, AM_EFORMAT, "no 'kmeans' section");
	am_rd_init(&r, sec, len);
	ver = am_rd_u32(&r);
	k = am_rd_u32(&r);
	d = am_rd_u32(&r);
	if (am_rd_error(&r) || ver != KM_VERSION || k == 0 ||
	    d != am_model_nfeat(m) || (size_t)k * d > am_rd_left(&r) / 8)
		return am_seterr(err, AM_EFORMAT, "malformed 'kmeans' section");
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return am_seterr(err, AM_ENOMEM, "out of memory");
	s->decay = -1;
	/* The fit's hyper-parameters, saved again by --update and merge. */
	s->sp = (struct am_seg_params)AM_SEG_PARAMS_INIT;
	s->sp.restarts = (int)am_art_get_num(a, "hyper.restarts", 1, 1e6, 1);
	s->sp.batch = (size_t)am_art_get_num(a, "hyper.mini_batch", 1, 1e8, 0);
	s->km.k = k;
	s->km.d = d;
	s->km.centers = malloc(((size_t)k * d + 1) * sizeof(double));
	s->km.size = malloc(k * sizeof(double));
	if (s->km.centers == NULL || s->km.size == NULL) {
		km_free(s);
		return am_seterr(err, AM_ENOMEM, "out of memory");
	}
	am_rd_f64s(&r, s->km.centers, (size_t)k * d);
	am_rd_f64s(&r, s->km.size, k);
	s->km.inertia = am_rd_f64(&r);
	s->km.iter = (int)am_rd_u32(&r);
	s->km.converged = am_rd_u8(&r);
	s->nsel = am_rd_u32(&r);
	if (am_rd_error(&r) || s->nsel > am_rd_left(&r) / 20 ||
	    (s->sel = calloc(s->nsel + 1, sizeof(*s->sel))) == NULL)
		goto bad;
	for (i = 0; i < s->nsel; i++) {
		s->sel[i].k = am_rd_u32(&r);
		s->sel[i].inertia = am_rd_f64(&r);
		s->sel[i].silhouette = am_rd_f64(&r);
	}
	for (i = 0; i < (size_t)k * d; i++)
		if (!isfinite(s->km.centers[i]))
			goto bad;
	for (i = 0; i < k; i++)
		if (!(s->km.size[i] >= 0) || !isfinite(s->km.size[i]))
			goto bad;
	if (am_rd_error(&r) || am_rd_left(&r) != 0)
		goto bad;
	am_model_set_state(m, s);
	return 0;
bad:
	km_free(s);
	return am_seterr(err, AM_EFORMAT, "malformed 'kmeans' section");
}

/*
 * --update: mini-batch updates from the stored centers and sizes
 * (am_kmeans_update()); --mini-batch sets the batch, --max-iter the
 * passes (default 1), --decay the weight of the old sizes.
 */
static int
km_update(struct am_model *m, const struct am_table *t,
    const struct am_model_params *p, struct am_err *err)
{
	struct km_state *s = am_model_state(m);
	struct am_seg_params sp;
	struct am_pool *pool = NULL;
	const double *x;
	double *own = NULL;
	int rc;

	if ((rc = am_seg_params_get(p, 8, &sp, &pool, err)) != 0)
		return rc;
	if ((x = am_seg_dense(t, &own, err)) == NULL) {
		am_pool_free(pool);
		return err != NULL ? err->code : AM_ENOMEM;
	}
	s->decay = sp.decay < 0 ? 1 : sp.decay;
	rc = am_kmeans_update(&s->km, x, t->rows, s->decay, sp.batch,
	    p->max_iter, p->seed, pool, err);
	free(own);
	am_pool_free(pool);
	s->nsel = 0; /* the K table was the old fit's */
	return rc;
}

/* am-model merge: matched, size-weighted centers (am_kmeans_merge()). */
static int
km_merge(struct am_model *m, const struct am_model *const *src, const double *w,
    size_t n, struct am_err *err)
{
	const struct km_state *s0 = am_model_state(src[0]);
	const struct am_kmeans **ks;
	struct km_state *s;
	size_t i;
	int rc;

	(void)w;
	if ((s = calloc(1, sizeof(*s))) == NULL ||
	    (ks = malloc(n * sizeof(*ks))) == NULL) {
		free(s);
		return am_seterr(err, AM_ENOMEM, "out of memory");
	}
	s->sp = s0->sp;
	s->decay = -1;
	for (i = 0; i < n; i++) {
		const struct km_state *si = am_model_state(src[i]);
		ks[i] = &si->km;
	}
	rc = am_kmeans_merge(&s->km, ks, n, err);
	free(ks);
	if (rc != 0) {
		km_free(s);
		return rc;
	}
	am_model_set_state(m, s);
	return 0;
}

const struct am_model_ops am_kmeans_ops = {
	.name = "kmeans",
	.fit = km_fit,
	.predict = km_predict,
	.save = km_save,
	.load = km_load,
	.free = km_free,
	.nout = km_nout,
	.outname = km_outname,
	.update = km_update,
	.merge = km_merge,
};
