/* SPDX-License-Identifier: MIT */
/*
 * am_svm.c -- linear SVM by dual coordinate descent, one vs rest, Platt
 * probabilities from held-out folds (see am_svm.h).
 *
 * Training runs one task per (vector, fold) pair plus one per vector on
 * all rows, spread over a thread pool; each task has its own seed and
 * writes only its own slot, so the model is the same for any -j.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "am_buf.h"
#include "am_logreg.h"
#include "am_pool.h"
#include "am_rand.h"
#include "am_svm.h"

#include "am_banned.h"

static double
row_dot(const struct am_csr *x, size_t i, size_t nfeat, const double *w,
    double bias)
{
	double z = bias > 0 ? w[nfeat] * bias : 0;
	size_t k;

	for (k = x->ptr[i]; k < x->ptr[i + 1]; k++)
		if (x->idx[k] < nfeat)
			z += w[x->idx[k]] * x->val[k];
	return z;
}

/*
 * The solver's state of one row, in one 64-byte line: the coordinate
 * loop visits rows in random order, so each visit costs a cache miss
 * per array it touches; packing alpha, the label, Q_ii, D_ii, the bound
 * and the row's extent together makes that one miss, and the loop
 * prefetches the lines of the rows a few steps ahead (their state,
 * then their indices and values), which hides most of the rest.
 */
struct drow {
	double alpha, y, qd, diag, ub;
	size_t lo, hi; /* the row's entries in x: [lo, hi) */
	size_t row;
};

/* Rows ahead whose state, and then whose entries, are prefetched. */
#define AHEAD_STATE 12
#define AHEAD_DATA  6

#if defined(__GNUC__) || defined(__clang__)
#define PREFETCH(p) __builtin_prefetch(p)
#else
#define PREFETCH(p) ((void)(p))
#endif

/* Prefetch the entries of row 'r' (every cache line of both ranges). */
static void
prefetch_row(const struct am_csr *x, const struct drow *r)
{
	size_t k;

	for (k = r->lo; k < r->hi; k += 16)
		PREFETCH(x->idx + k);
	for (k = r->lo; k < r->hi; k += 8)
		PREFETCH(x->val + k);
}

int
am_svm_fit(const struct am_csr *x, size_t nfeat, const double *y,
    const double *c, const struct am_svm_param *p, double *a0, double *w,
    struct am_svm_info *info, struct am_err *err)
{
	size_t l = x->rows, nw = nfeat + (p->bias > 0), i, s, k, active, n;
	const double bias = p->bias;
	double pgmax_old = HUGE_VAL, pgmin_old = -HUGE_VAL;
	struct drow *st;
	void *raw;
	size_t *index;
	struct am_rand rng;
	struct am_svm_info dummy;
	int iter = 0;

	if (info == NULL)
		info = &dummy;
	memset(info, 0, sizeof(*info));
	if ((p->loss != 1 && p->loss != 2) || !(p->eps > 0) ||
	    p->max_iter < 1 || !(p->bias >= 0) || x->cols > nfeat)
		return am_seterr(err, AM_EARG, "svm: bad parameters");
	for (n = 0, i = 0; i < l; i++)
		n += y[i] != 0 && c[i] > 0;
	/* Aligned by hand: aligned_alloc() cost glibc megabytes of RSS. */
	raw = malloc((n + 1) * sizeof(*st) + 63);
	index = malloc((n + 1) * sizeof(*index));
	if (raw == NULL || index == NULL) {
		free(raw);
		free(index);
		return am_seterr(err, AM_ENOMEM, "out of memory");
	}
	st = (struct drow *)(((uintptr_t)raw + 63) & ~(uintptr_t)63);
	memset(w, 0, nw * sizeof(*w));
	am_rand_seed(&rng, p->seed);
	for (n = 0, i = 0; i < l; i++) {
		struct drow *r = st + n;
		double q = bias * bias;
		if (y[i] == 0 || !(c[i] > 0))
			continue;
		r->alpha = 0;
		r->y = y[i];
		r->diag = p->loss == 2 ? 0.5 / c[i] : 0;
		r->ub = p->loss == 2 ? HUGE_VAL : c[i];
		r->lo = x->ptr[i];
		r->hi = x->ptr[i + 1];
		r->row = i;
		for (k = r->lo; k < r->hi; k++)
			q += x->val[k] * x->val[k];
		r->qd = q + r->diag;
		index[n] = n;
		n++;
		/* A warm start: w = sum y_i a_i x_i. */
		if (a0 != NULL && a0[i] > 0) {
			double d;
			r->alpha = a0[i] < r->ub ? a0[i] : r->ub;
			d = r->alpha * r->y;
			for (k = r->lo; k < r->hi; k++)
				w[x->idx[k]] += d * x->val[k];
			if (bias > 0) /* w has no slot nfeat without one */
				w[nfeat] += d * bias;
		}
	}
	active = n;
	while (iter < p->max_iter) {
		double pgmax_new = -HUGE_VAL, pgmin_new = HUGE_VAL;
		for (s = 0; s + 1 < active; s++) {
			size_t j = s + (size_t)am_rand_below(&rng, active - s);
			size_t t = index[s];
			index[s] = index[j];
			index[j] = t;
		}
		for (s = 0; s < AHEAD_STATE && s < active; s++)
			PREFETCH(st + index[s]);
		for (s = 0; s < AHEAD_DATA && s < active; s++)
			prefetch_row(x, st + index[s]);
		for (s = 0; s < active; s++) {
			struct drow *r = st + index[s];
			double g, pg = 0, alpha = r->alpha;
			if (s + AHEAD_STATE < active)
				PREFETCH(st + index[s + AHEAD_STATE]);
			if (s + AHEAD_DATA < active)
				prefetch_row(x, st + index[s + AHEAD_DATA]);
			g = bias > 0 ? w[nfeat] * bias : 0;
			for (k = r->lo; k < r->hi; k++)
				g += w[x->idx[k]] * x->val[k];
			g = r->y * g - 1 + alpha * r->diag;
			if (alpha == 0) {
				if (g > pgmax_old) {
					active--;
					index[s] = index[active];
					index[active] = (size_t)(r - st);
					s--;
					continue;
				}
				if (g < 0)
					pg = g;
			} else if (alpha == r->ub) {
				if (g < pgmin_old) {
					active--;
					index[s] = index[active];
					index[active] = (size_t)(r - st);
					s--;
					continue;
				}
				if (g > 0)
					pg = g;
			} else {
				pg = g;
			}
			if (pg > pgmax_new)
				pgmax_new = pg;
			if (pg < pgmin_new)
				pgmin_new = pg;
			if (fabs(pg) > 1e-12 && r->qd > 0) {
				double d;
				alpha = alpha - g / r->qd;
				if (alpha < 0)
					alpha = 0;
				if (alpha > r->ub)
					alpha = r->ub;
				d = (alpha - r->alpha) * r->y;
				r->alpha = alpha;
				for (k = r->lo; k < r->hi; k++)
					w[x->idx[k]] += d * x->val[k];
				if (bias > 0)
					w[nfeat] += d * bias;
			}
		}
		iter++;
		if (pgmax_new - pgmin_new <= p->eps) {
			if (active == n) {
				info->converged = 1;
				break;
			}
			active = n;
			pgmax_old = HUGE_VAL;
			pgmin_old = -HUGE_VAL;
			continue;
		}
		pgmax_old = pgmax_new <= 0 ? HUGE_VAL : pgmax_new;
		pgmin_old = pgmin_new >= 0 ? -HUGE_VAL : pgmin_new;
	}
	info->iter = iter;
	{
		double v = 0;
		for (k = 0; k < nw; k++)
			v += w[k] * w[k];
		v *= 0.5;
		for (s = 0; s < n; s++)
			v += st[s].alpha * (st[s].alpha * st[s].diag * 0.5 - 1);
		info->obj = v;
	}
	if (a0 != NULL) {
		memset(a0, 0, l * sizeof(*a0));
		for (s = 0; s < n; s++)
			a0[st[s].row] = st[s].alpha;
	}
	free(raw);
	free(index);
	return 0;
}

/* -log-likelihood term of one row at fApB with target t. */
static double
platt_term(double fapb, double t)
{
	return fapb >= 0 ? t * fapb + log1p(exp(-fapb))
	                 : (t - 1) * fapb + log1p(exp(fapb));
}

/*
 * Platt's Newton method with line search (Lin, Lin and Weng), with the
 * optional prior 1/2 d'H0 d, d = (A, B) - (a0, b0), H0 = {h11, h21,
 * h22} = h0[0..2], added to the objective; the search then starts at
 * (a0, b0).  Without a prior the arithmetic is that of the plain fit.
 */
static void
platt_solve(const double *f, const double *y, size_t n, const double *h0,
    double a0, double b0, double *a, double *b)
{
	double prior1 = 0, prior0 = 0, hi, lo, fval = 0, A, B;
	size_t i;
	int it;

	for (i = 0; i < n; i++) {
		prior1 += y[i] > 0;
		prior0 += y[i] < 0;
	}
	hi = (prior1 + 1) / (prior1 + 2);
	lo = 1 / (prior0 + 2);
	A = h0 != NULL ? a0 : 0;
	B = h0 != NULL ? b0 : log((prior0 + 1) / (prior1 + 1));
	for (i = 0; i < n; i++)
		if (y[i] != 0)
			fval += platt_term(f[i] * A + B, y[i] > 0 ? hi : lo);
	for (it = 0; it < 100; it++) {
		double h11 = 1e-12, h22 = 1e-12, h21 = 0, g1 = 0, g2 = 0;
		double det, da, db, gd, step;
		for (i = 0; i < n; i++) {
			double fapb = f[i] * A + B, pp, qq, t, d2, d1;
			if (y[i] == 0)
				continue;
			t = y[i] > 0 ? hi : lo;
			if (fapb >= 0) {
				pp = exp(-fapb) / (1 + exp(-fapb));
				qq = 1 / (1 + exp(-fapb));
			} else {
				pp = 1 / (1 + exp(fapb));
				qq = exp(fapb) / (1 + exp(fapb));
			}
			d2 = pp * qq;
			h11 += f[i] * f[i] * d2;
			h22 += d2;
			h21 += f[i] * d2;
			d1 = t - pp;
			g1 += f[i] * d1;
			g2 += d1;
		}
		if (h0 != NULL) {
			g1 += h0[0] * (A - a0) + h0[1] * (B - b0);
			g2 += h0[1] * (A - a0) + h0[2] * (B - b0);
			h11 += h0[0];
			h21 += h0[1];
			h22 += h0[2];
		}
		if (fabs(g1) < 1e-5 && fabs(g2) < 1e-5)
			break;
		det = h11 * h22 - h21 * h21;
		da = -(h22 * g1 - h21 * g2) / det;
		db = -(-h21 * g1 + h11 * g2) / det;
		gd = g1 * da + g2 * db;
		for (step = 1; step >= 1e-10; step /= 2) {
			double na = A + step * da, nb = B + step * db, nf = 0;
			for (i = 0; i < n; i++)
				if (y[i] != 0)
					nf += platt_term(f[i] * na + nb,
					    y[i] > 0 ? hi : lo);
			if (h0 != NULL) {
				double ea = na - a0, eb = nb - b0;
				nf += 0.5 *
				    (h0[0] * ea * ea + 2 * h0[1] * ea * eb +
				        h0[2] * eb * eb);
			}
			if (nf < fval + 1e-4 * step * gd) {
				A = na;
				B = nb;
				fval = nf;
				break;
			}
		}
		if (step < 1e-10)
			break;
	}
	*a = A;
	*b = B;
}

void
am_svm_platt(const double *f, const double *y, size_t n, double *a, double *b)
{
	platt_solve(f, y, n, NULL, 0, 0, a, b);
}

/*
 * Add to h (h11, h21, h22) the Hessian of Platt's objective at (a, b)
 * over the rows with y != 0: what the sigmoid keeps of its rows.
 */
static void
platt_hess(const double *f, const double *y, size_t n, double a, double b,
    double *h)
{
	size_t i;

	for (i = 0; i < n; i++) {
		double pp, d2;
		if (y[i] == 0)
			continue;
		pp = am_sigmoid(-(a * f[i] + b));
		d2 = pp * (1 - pp);
		h[0] += f[i] * f[i] * d2;
		h[1] += f[i] * d2;
		h[2] += d2;
	}
}

/* The "svm" model. */
struct svm {
	size_t nfeat, nvec, nw;
	double bias;
	int loss;
	double *w;     /* nvec * nw */
	double *platt; /* nvec * 2 */
	double C, eps;
	int max_iter, iter, fitted;
	double obj;
	/*
	 * What updates and merges need (section "svm.update", squared
	 * hinge only): lambda (0: C was given), the rows covered, the
	 * class cost factors and the expansion of the data term at w, one
	 * block per vector; has_quad is 0 without it.
	 */
	int has_quad;
	double lambda, rows;
	double *cc; /* schema nclass entries */
	/* nvec * 3: Hessian (h11, h21, h22) of each Platt objective. */
	double *plh;
	struct am_logreg_quad q;
};

static void
svm_free(void *state)
{
	struct svm *s = state;

	if (s == NULL)
		return;
	am_logreg_quad_release(&s->q);
	free(s->cc);
	free(s->plh);
	free(s->w);
	free(s->platt);
	free(s);
}

struct job {
	const struct am_table *t;
	const struct svm *s;
	const double *cost; /* per row */
	const size_t *fold; /* per row */
	size_t pos;         /* binary: the positive class */
	unsigned long long seed;
	double *wcv;   /* per task: nw weights */
	double *alpha; /* per vector: rows dual values of the full fit */
	int phase;     /* 0: full fits, 1: folds */
	double *dec;   /* per vector: rows held-out decision values */
	int *rc;       /* per task */
	int *iters;    /* per task */
	double *obj;   /* per task */
};

/* Label of row i for vector v: +1, -1. */
static double
label_of(const struct job *j, size_t v, size_t i)
{
	size_t k = (size_t)j->t->y[i];

	if (j->s->nvec == 1)
		return k == j->pos ? 1 : -1;
	return k == v ? 1 : -1;
}

static void
run_task(void *arg, size_t task)
{
	struct job *j = arg;
	const struct svm *s = j->s;
	size_t folds = AM_SVM_FOLDS, v, f, i, rows = j->t->rows;
	struct am_svm_param p;
	struct am_svm_info info;
	double *y = malloc((rows + 1) * sizeof(*y)), *a0 = NULL, *w;

	if (j->phase == 0) {
		v = task;
		f = folds;
	} else {
		v = task / folds;
		f = task % folds;
	}
	task = v * (folds + 1) + f;
	w = j->wcv + task * s->nw;
	if (y == NULL ||
	    (f < folds && (a0 = malloc((rows + 1) * sizeof(*a0))) == NULL)) {
		j->rc[task] = AM_ENOMEM;
		free(y);
		return;
	}
	if (f < folds)
		memcpy(a0, j->alpha + v * rows, rows * sizeof(*a0));
	for (i = 0; i < rows; i++) {
		y[i] = label_of(j, v, i);
		if (f < folds && j->fold[i] == f)
			y[i] = 0; /* held out */
	}
	p.loss = s->loss;
	p.eps = s->eps;
	/* A fold starts next to its solution: fewer sweeps do. */
	p.max_iter =
	    f < folds && s->max_iter > 100 ? s->max_iter / 10 : s->max_iter;
	p.bias = s->bias;
	p.seed = j->seed + 0x9e3779b97f4a7c15ULL * (task + 1);
	j->rc[task] = am_svm_fit(&j->t->x, s->nfeat, y, j->cost, &p,
	    f < folds ? a0 : j->alpha + v * rows, w, &info, NULL);
	j->iters[task] = info.iter;
	j->obj[task] = info.obj;
	if (j->rc[task] == 0 && f < folds)
		for (i = 0; i < rows; i++)
			if (j->fold[i] == f)
				j->dec[v * rows + i] =
				    row_dot(&j->t->x, i, s->nfeat, w, s->bias);
	free(y);
	free(a0);
}

/* Labels of vector v (+1 / -1) for the rows of 't' into 'y'. */
static void
svm_labels(const struct svm *s, const struct am_model *m,
    const struct am_table *t, size_t v, double *y)
{
	size_t i, target = s->nvec == 1 ? am_model_positive(m) : v;

	for (i = 0; i < t->rows; i++)
		y[i] = (size_t)t->y[i] == target ? 1 : -1;
}

/*
 * Add the squared hinge data term of t's rows (costs 'c') at s->w to
 * the expansion, allocated here when empty; 'y' is scratch (rows).
 */
static int
svm_summarise(struct svm *s, const struct am_model *m, const struct am_table *t,
    const double *c, double *y, struct am_err *err)
{
	size_t v;

	if (s->q.g == NULL &&
	    am_logreg_quad_init(&s->q, s->nvec, s->nw, 1) != 0)
		return am_seterr(err, AM_ENOMEM, "out of memory");
	for (v = 0; v < s->nvec; v++) {
		svm_labels(s, m, t, v, y);
		am_logreg_quad_add(&s->q, v, &t->x, s->nfeat, s->bias, y, c,
		    AM_LOSS_SQHINGE, 1, s->w + v * s->nw);
	}
	s->has_quad = 1;
	return 0;
}

static int
svm_fit(struct am_model *m, const struct am_table *t,
    const struct am_model_params *p, struct am_err *err)
{
	const struct am_fs_schema *sc = am_model_schema(m);
	struct svm *s;
	struct job j;
	struct am_pool *pool = NULL;
	struct am_rand rng;
	size_t nc = sc->nclass, rows = t->rows, i, v, ntask, *perm = NULL;
	size_t folds = AM_SVM_FOLDS;
	double *cc = NULL, *yv = NULL, *cost = NULL;
	size_t *fold = NULL;
	int rc = AM_ENOMEM;

	memset(&j, 0, sizeof(j));
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return am_seterr(err, AM_ENOMEM, "out of memory");
	am_model_set_state(m, s);
	s->nfeat = sc->nfeat;
	s->bias = p->bias > 0 ? p->bias : 0;
	s->nw = s->nfeat + (s->bias > 0);
	s->nvec = nc == 2 ? 1 : nc;
	s->loss = p->loss == 1 ? 1 : 2;
	s->C = p->lambda > 0 ? 1 / (p->lambda * (double)rows) : p->C;
	s->eps = p->eps > 0 ? p->eps : AM_SVM_EPS;
	s->max_iter = p->max_iter > 0 ? p->max_iter : AM_SVM_MAX_ITER;
	if (!(s->C > 0) || !isfinite(s->C))
		return am_seterr(err, AM_EARG, "svm: C %g is not positive",
		    s->C);
	ntask = s->nvec * (folds + 1);
	s->w = calloc(s->nvec * s->nw + 1, sizeof(double));
	s->platt = calloc(s->nvec * 2, sizeof(double));
	s->plh = calloc(s->nvec * 3, sizeof(double));
	cc = calloc(nc + 1, sizeof(double));
	{
		cost = malloc((rows + 1) * sizeof(double));
		fold = malloc((rows + 1) * sizeof(size_t));
		j.cost = cost;
		j.fold = fold;
		perm = malloc((rows + 1) * sizeof(size_t));
		j.wcv = calloc(ntask * s->nw + 1, sizeof(double));
		j.dec = calloc(s->nvec * rows + 1, sizeof(double));
		j.alpha = calloc(s->nvec * rows + 1, sizeof(double));
		j.rc = calloc(ntask, sizeof(int));
		j.iters = calloc(ntask, sizeof(int));
		j.obj = calloc(ntask, sizeof(double));
		yv = malloc((rows + 1) * sizeof(double));
		if (s->w == NULL || s->platt == NULL || s->plh == NULL ||
		    cc == NULL || cost == NULL || fold == NULL ||
		    perm == NULL || j.wcv == NULL || j.dec == NULL ||
		    j.alpha == NULL || j.rc == NULL || j.obj == NULL ||
		    j.iters == NULL || yv == NULL) {
			am_seterr(err, rc, "out of memory");
			goto out;
		}
		if ((rc = am_model_class_costs(m, t, p, cc, err)) != 0)
			goto out;
		for (i = 0; i < rows; i++)
			cost[i] = s->C * cc[(size_t)t->y[i]] *
			    (t->w != NULL ? t->w[i] : 1);
		am_rand_seed(&rng, p->seed);
		for (i = 0; i < rows; i++)
			perm[i] = i;
		am_rand_shuffle(&rng, perm, rows);
		for (i = 0; i < rows; i++)
			fold[perm[i]] = i % folds;
	}
	j.t = t;
	j.s = s;
	j.pos = am_model_positive(m);
	j.seed = p->seed;
	if ((pool = am_pool_new(p->threads > 0 ? p->threads : 1, err)) ==
	    NULL) {
		rc = err != NULL ? err->code : AM_ENOMEM;
		goto out;
	}
	/* The full fits, then the folds warm-started from them. */
	j.phase = 0;
	am_pool_run(pool, s->nvec, run_task, &j);
	j.phase = 1;
	am_pool_run(pool, s->nvec * folds, run_task, &j);
	for (i = 0; i < ntask; i++)
		if (j.rc[i] != 0) {
			rc = am_seterr(err, j.rc[i], "svm: out of memory");
			goto out;
		}
	for (v = 0; v < s->nvec; v++) {
		size_t task = v * (folds + 1) + folds;
		for (i = 0; i < rows; i++)
			yv[i] = j.cost[i] > 0 ? label_of(&j, v, i) : 0;
		am_svm_platt(j.dec + v * rows, yv, rows, &s->platt[2 * v],
		    &s->platt[2 * v + 1]);
		platt_hess(j.dec + v * rows, yv, rows, s->platt[2 * v],
		    s->platt[2 * v + 1], s->plh + 3 * v);
		memcpy(s->w + v * s->nw, j.wcv + task * s->nw,
		    s->nw * sizeof(double));
		if (j.iters[task] > s->iter)
			s->iter = j.iters[task];
		s->obj += j.obj[task];
	}
	s->lambda = p->lambda > 0 ? p->lambda : 0;
	s->rows = (double)rows;
	s->cc = cc;
	cc = NULL;
	if (s->loss == 2 && (rc = svm_summarise(s, m, t, j.cost, yv, err)) != 0)
		goto out;
	s->fitted = 1;
	rc = 0;
out:
	am_pool_free(pool);
	free(cc);
	free(cost);
	free(fold);
	free(perm);
	free(j.wcv);
	free(j.dec);
	free(j.alpha);
	free(j.rc);
	free(j.iters);
	free(j.obj);
	free(yv);
	return rc;
}

/* Decision values of every vector for one row. */
static void
decisions(const struct svm *s, size_t nnz, const uint32_t *idx,
    const double *val, double *f)
{
	size_t v, k;

	for (v = 0; v < s->nvec; v++) {
		const double *w = s->w + v * s->nw;
		double z = s->bias > 0 ? w[s->nfeat] * s->bias : 0;
		for (k = 0; k < nnz; k++)
			if (idx[k] < s->nfeat)
				z += w[idx[k]] * val[k];
		f[v] = z;
	}
}

static double
platt_p(const double *ab, double f)
{
	double z = ab[0] * f + ab[1];

	return z >= 0 ? exp(-z) / (1 + exp(-z)) : 1 / (1 + exp(z));
}

#define STACK_CLASSES 64

static void
svm_predict(const struct am_model *m, size_t nnz, const uint32_t *idx,
    const double *val, double *out)
{
	const struct svm *s = am_model_state(m);
	double fbuf[STACK_CLASSES], *f = fbuf, sum = 0, pmax;
	size_t v, best = 0;

	if (s->nvec > STACK_CLASSES &&
	    (f = malloc(s->nvec * sizeof(*f))) == NULL) {
		for (v = 0; v < s->nvec; v++)
			out[v] = (double)NAN;
		return;
	}
	decisions(s, nnz, idx, val, f);
	if (s->nvec == 1) {
		double p = platt_p(s->platt, f[0]);
		/* The label is the sign of the decision value. */
		if (f[0] >= 0 && p < 0.5)
			p = 0.5;
		else if (f[0] < 0 && p >= 0.5)
			p = 0.499999999999999; /* below 0.5 in "%.15g" */
		out[0] = p;
		goto out;
	}
	for (v = 0; v < s->nvec; v++) {
		out[v] = platt_p(s->platt + 2 * v, f[v]);
		if (f[v] > f[best])
			best = v;
	}
	pmax = 0;
	for (v = 0; v < s->nvec; v++)
		if (v != best && out[v] > pmax)
			pmax = out[v];
	/* The class of the largest decision value is the most probable. */
	if (!(out[best] > pmax * (1 + 1e-9)))
		out[best] = pmax * (1 + 1e-9) + 1e-300;
	for (v = 0; v < s->nvec; v++)
		sum += out[v];
	for (v = 0; v < s->nvec; v++)
		out[v] /= sum;
out:
	if (f != fbuf)
		free(f);
}

static int
svm_explain(const struct am_model *m, size_t nnz, const uint32_t *idx,
    const double *val, size_t cls, double *contrib)
{
	const struct svm *s = am_model_state(m);
	const double *w;
	double sign = 1;
	size_t k;

	if (s->nvec == 1) {
		w = s->w;
		sign = cls == am_model_positive(m) ? 1 : -1;
	} else {
		w = s->w + cls * s->nw;
	}
	for (k = 0; k < nnz; k++)
		if (idx[k] < s->nfeat)
			contrib[idx[k]] += sign * w[idx[k]] * val[k];
	if (s->bias > 0)
		contrib[s->nfeat] += sign * w[s->nfeat] * s->bias;
	return 0;
}

static int
svm_save(const struct am_model *m, struct am_art *a, struct am_err *err)
{
	const struct svm *s = am_model_state(m);
	struct am_buf b = AM_BUF_INIT;
	size_t v;
	int rc;

	am_buf_u32(&b, 1);
	am_buf_u64(&b, s->nfeat);
	am_buf_f64(&b, s->bias);
	am_buf_u8(&b, (uint8_t)s->loss);
	am_buf_u32(&b, (uint32_t)s->nvec);
	for (v = 0; v < s->nvec; v++) {
		am_buf_f64s(&b, s->platt + 2 * v, 2);
		am_buf_f64s(&b, s->w + v * s->nw, s->nw);
	}
	rc = am_art_add_buf(a, "svm", &b);
	am_buf_release(&b);
	if (rc == 0 && s->has_quad) {
		size_t nc = am_model_schema(m)->nclass;
		/* Version 1: what an update or a merge needs. */
		am_buf_u32(&b, 1);
		am_buf_f64(&b, s->C);
		am_buf_f64(&b, s->lambda);
		am_buf_f64(&b, s->eps);
		am_buf_u32(&b, (uint32_t)s->max_iter);
		am_buf_f64(&b, s->rows);
		am_buf_u64(&b, nc);
		am_buf_f64s(&b, s->cc, nc);
		am_buf_f64s(&b, s->plh, 3 * s->nvec);
		am_logreg_quad_encode(&s->q, &b);
		rc = am_art_add_buf(a, "svm.update", &b);
		am_buf_release(&b);
	}
	if (rc == 0 && s->fitted) {
		rc |= am_art_setf(a, "hyper.C", "%.17g", s->C);
		rc |= am_art_setf(a, "hyper.loss", "%d", s->loss);
		rc |= am_art_setf(a, "hyper.eps", "%.17g", s->eps);
		rc |= am_art_setf(a, "hyper.max_iter", "%d", s->max_iter);
		rc |= am_art_setf(a, "hyper.bias", "%.17g", s->bias);
		rc |= am_art_setf(a, "metric.iterations", "%d", s->iter);
		rc |= am_art_setf(a, "metric.objective", "%.17g", s->obj);
	}
	return rc != 0 ? am_seterr(err, AM_ENOMEM, "out of memory") : 0;
}

/* Section "svm.update" (see svm_save()) into 's'. */
static int
svm_load_update(struct svm *s, const struct am_fs_schema *sc, const void *sec,
    size_t len, struct am_err *err)
{
	struct am_rd r;
	uint64_t nc;
	size_t k;
	int rc;

	am_rd_init(&r, sec, len);
	if (am_rd_u32(&r) != 1)
		return am_seterr(err, AM_EFORMAT,
		    "'svm.update' section: unknown version");
	s->C = am_rd_f64(&r);
	s->lambda = am_rd_f64(&r);
	s->eps = am_rd_f64(&r);
	s->max_iter = (int)am_rd_u32(&r);
	s->rows = am_rd_f64(&r);
	nc = am_rd_u64(&r);
	if (am_rd_error(&r) || s->loss != 2 || !(s->C > 0) || !isfinite(s->C) ||
	    !(s->lambda >= 0) || !isfinite(s->lambda) || !(s->eps > 0) ||
	    s->max_iter < 1 || !(s->rows >= 0) || !isfinite(s->rows) ||
	    nc != sc->nclass || am_rd_left(&r) / 8 < nc + 3 * s->nvec)
		return am_seterr(err, AM_EFORMAT,
		    "'svm.update' section: bad settings");
	s->cc = malloc((nc + 1) * sizeof(double));
	s->plh = malloc((3 * s->nvec + 1) * sizeof(double));
	if (s->cc == NULL || s->plh == NULL)
		return am_seterr(err, AM_ENOMEM, "out of memory");
	am_rd_f64s(&r, s->cc, nc);
	am_rd_f64s(&r, s->plh, 3 * s->nvec);
	for (k = 0; k < nc; k++)
		if (!(s->cc[k] >= 0) || !isfinite(s->cc[k]))
			return am_seterr(err, AM_EFORMAT,
			    "'svm.update' section: bad class cost");
	for (k = 0; k < s->nvec; k++) {
		const double *h = s->plh + 3 * k;
		if (!(h[0] >= 0) || !(h[2] >= 0) || !isfinite(h[0]) ||
		    !isfinite(h[1]) || !isfinite(h[2]))
			return am_seterr(err, AM_EFORMAT,
			    "'svm.update' section: bad Platt summary");
	}
	if ((rc = am_logreg_quad_decode(&s->q, &r, s->nvec, s->nw, "svm.update",
	         err)) != 0)
		return rc;
	if (am_rd_left(&r) != 0 || s->q.full != (s->nw <= AM_LOGREG_QUAD_FULL))
		return am_seterr(err, AM_EFORMAT,
		    "'svm.update' section: wrong size");
	s->has_quad = 1;
	s->fitted = 1;
	return 0;
}

static int
svm_load(struct am_model *m, const struct am_art *a, struct am_err *err)
{
	const struct am_fs_schema *sc = am_model_schema(m);
	struct svm *s;
	const void *sec;
	struct am_rd r;
	size_t len, v, j;
	uint64_t nfeat;
	uint32_t nvec;

	if ((sec = am_art_section(a, "svm", &len)) == NULL)
		return am_seterr(err, AM_EFORMAT, "no 'svm' section");
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return am_seterr(err, AM_ENOMEM, "out of memory");
	am_model_set_state(m, s);
	am_rd_init(&r, sec, len);
	if (am_rd_u32(&r) != 1)
		return am_seterr(err, AM_EFORMAT,
		    "'svm' section: unknown version");
	nfeat = am_rd_u64(&r);
	s->bias = am_rd_f64(&r);
	s->loss = am_rd_u8(&r);
	nvec = am_rd_u32(&r);
	if (am_rd_error(&r) || nfeat != am_model_nfeat(m) || !(s->bias >= 0) ||
	    !isfinite(s->bias) || (s->loss != 1 && s->loss != 2) ||
	    nvec != (sc->nclass == 2 ? 1 : sc->nclass))
		return am_seterr(err, AM_EFORMAT,
		    "'svm' section does not match the model's %zu features "
		    "and %zu classes",
		    am_model_nfeat(m), sc->nclass);
	s->nfeat = (size_t)nfeat;
	s->nvec = nvec;
	s->nw = s->nfeat + (s->bias > 0);
	if (am_rd_left(&r) / 8 / (s->nw + 2) != s->nvec ||
	    am_rd_left(&r) != 8 * (s->nw + 2) * s->nvec)
		return am_seterr(err, AM_EFORMAT, "'svm' section: wrong size");
	s->w = malloc(s->nvec * s->nw * sizeof(double) + 1);
	s->platt = malloc(s->nvec * 2 * sizeof(double) + 1);
	if (s->w == NULL || s->platt == NULL)
		return am_seterr(err, AM_ENOMEM, "out of memory");
	for (v = 0; v < s->nvec; v++) {
		am_rd_f64s(&r, s->platt + 2 * v, 2);
		am_rd_f64s(&r, s->w + v * s->nw, s->nw);
	}
	for (j = 0; j < s->nvec * s->nw; j++)
		if (!isfinite(s->w[j]))
			return am_seterr(err, AM_EFORMAT,
			    "'svm' section: weight %zu is not finite", j + 1);
	for (j = 0; j < 2 * s->nvec; j++)
		if (!isfinite(s->platt[j]))
			return am_seterr(err, AM_EFORMAT,
			    "'svm' section: Platt parameter is not finite");
	if ((sec = am_art_section(a, "svm.update", &len)) == NULL)
		return 0; /* before updates, or the hinge loss: no summary */
	return svm_load_update(s, sc, sec, len, err);
}

static const double *
svm_coef(const struct am_model *m, double *bias)
{
	const struct svm *s = am_model_state(m);

	*bias = s->bias;
	return s->w;
}

/*
 * Solve vector v of 's' by TRON on the squared hinge of t's rows
 * (labels 'y', costs 'c') plus the prior (ph, pb) in place of the L2
 * term, from the weights in 'w' (nw), which receive the solution.
 */
static int
svm_tron(const struct svm *s, const struct am_table *t, const double *y,
    const double *c, const double *ph, const double *pb, double eps,
    int max_iter, const struct am_model_params *p, double *w,
    struct am_logreg_info *info, struct am_err *err)
{
	struct am_logreg_param par = AM_LOGREG_PARAM_INIT;

	par.eps = eps;
	par.max_iter = max_iter;
	par.bias = s->bias;
	par.intercept = 0; /* the bias weight is penalised, as in a fit */
	par.threads = p->threads > 0 ? p->threads : 1;
	par.progress = p->progress;
	par.ctx = p->ctx;
	par.sqhinge = 1;
	par.prior_full = s->q.full;
	par.prior_h = ph;
	par.prior_b = pb;
	return am_logreg_fit(&t->x, s->nfeat, y, c, &par, w, info, err);
}

/* The prior of vector v: P = I + a H, b = a (H w0 - g). */
static void
svm_prior(const struct svm *s, size_t v, double a, const double *w0, double *ph,
    double *pb)
{
	size_t j, nh = s->q.full ? s->nw * s->nw : s->nw;

	memset(ph, 0, nh * sizeof(double));
	memset(pb, 0, s->nw * sizeof(double));
	for (j = 0; j < s->nw; j++)
		ph[s->q.full ? j * s->nw + j : j] = 1;
	am_logreg_quad_prior(&s->q, v, a, w0, ph, pb);
}

/*
 * Platt's sigmoid of vector v refitted on the new rows: each of
 * AM_SVM_FOLDS seeded folds is held out (cost 0) in turn, the rest
 * fitted with the prior from the updated weights, and the sigmoid is
 * fitted to the held-out decision values with the old sigmoid's
 * Laplace prior 1/2 d'H0 d (H0 the Hessian of its objective, d the
 * change of (A, B)), so that it is calibrated on the old and the new
 * rows together, as a fit on all of them would be; H0 then adds the new
 * rows' Hessian.  With fewer new rows than folds the old sigmoid stays.
 */
static int
svm_update_platt(struct svm *s, const struct am_table *t, size_t v,
    const double *y, const double *c, const size_t *fold, const double *ph,
    const double *pb, double eps, int max_iter, const struct am_model_params *p,
    struct am_err *err)
{
	size_t rows = t->rows, i, f;
	double *cf = NULL, *wf = NULL, *dec = NULL, *yv = NULL, h0[3];
	const double *w = s->w + v * s->nw;
	int rc = 0;

	if (rows < AM_SVM_FOLDS)
		return 0;
	cf = malloc((rows + 1) * sizeof(double));
	dec = calloc(rows + 1, sizeof(double));
	yv = malloc((rows + 1) * sizeof(double));
	wf = malloc((s->nw + 1) * sizeof(double));
	if (cf == NULL || dec == NULL || yv == NULL || wf == NULL) {
		rc = am_seterr(err, AM_ENOMEM, "out of memory");
		goto out;
	}
	for (f = 0; f < AM_SVM_FOLDS; f++) {
		for (i = 0; i < rows; i++)
			cf[i] = fold[i] == f ? 0 : c[i];
		memcpy(wf, w, s->nw * sizeof(double));
		if ((rc = svm_tron(s, t, y, cf, ph, pb, eps, max_iter, p, wf,
		         NULL, err)) != 0)
			goto out;
		for (i = 0; i < rows; i++)
			if (fold[i] == f)
				dec[i] =
				    row_dot(&t->x, i, s->nfeat, wf, s->bias);
	}
	for (i = 0; i < rows; i++)
		yv[i] = c[i] > 0 ? y[i] : 0;
	memcpy(h0, s->plh + 3 * v, sizeof(h0));
	platt_solve(dec, yv, rows, h0, s->platt[2 * v], s->platt[2 * v + 1],
	    &s->platt[2 * v], &s->platt[2 * v + 1]);
	platt_hess(dec, yv, rows, s->platt[2 * v], s->platt[2 * v + 1],
	    s->plh + 3 * v);
out:
	free(cf);
	free(dec);
	free(yv);
	free(wf);
	return rc;
}

/*
 * Update (squared hinge): as logreg's (am_logreg.h, struct
 * am_logreg_quad), the old data term's expansion at w0, rescaled by
 * a = C_new / C_old, is the prior of a TRON fit on the new rows from
 * w0, one vector at a time; Platt's sigmoids are refitted on held-out
 * folds of the new rows; the new expansion is the moved old one plus
 * the new rows' term at the new weights, so updates chain.
 */
static int
svm_update(struct am_model *m, const struct am_table *t,
    const struct am_model_params *p, struct am_err *err)
{
	struct svm *s = am_model_state(m);
	struct am_logreg_info info;
	struct am_rand rng;
	size_t rows = t->rows, nh, i, v, *fold = NULL, *perm = NULL;
	double *c = NULL, *y = NULL, *w0 = NULL, *ph = NULL, *pb = NULL;
	double C, a, eps;
	int rc = 0, max_iter;

	if (s->loss != 2)
		return am_seterr(err, AM_EMODEL,
		    "svm: a model with --loss hinge cannot be updated (the "
		    "hinge loss has no curvature to keep; train with the "
		    "squared hinge)");
	if (!s->has_quad)
		return am_seterr(err, AM_EMODEL,
		    "svm: the model has no summary of its data for updates "
		    "(saved by an older am-train; train it again)");
	C = s->lambda > 0 ? 1 / (s->lambda * (s->rows + (double)rows)) : s->C;
	a = C / s->C;
	eps = p->eps > 0 ? p->eps : AM_LOGREG_EPS;
	max_iter = p->max_iter > 0 ? p->max_iter : AM_LOGREG_MAX_ITER;
	nh = s->q.full ? s->nw * s->nw : s->nw;
	c = malloc((rows + 1) * sizeof(double));
	y = malloc((rows + 1) * sizeof(double));
	fold = malloc((rows + 1) * sizeof(size_t));
	perm = malloc((rows + 1) * sizeof(size_t));
	w0 = malloc((s->nvec * s->nw + 1) * sizeof(double));
	ph = malloc((nh + 1) * sizeof(double));
	pb = malloc((s->nw + 1) * sizeof(double));
	if (c == NULL || y == NULL || fold == NULL || perm == NULL ||
	    w0 == NULL || ph == NULL || pb == NULL) {
		rc = am_seterr(err, AM_ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < rows; i++)
		c[i] =
		    C * s->cc[(size_t)t->y[i]] * (t->w != NULL ? t->w[i] : 1);
	am_rand_seed(&rng, p->seed);
	for (i = 0; i < rows; i++)
		perm[i] = i;
	am_rand_shuffle(&rng, perm, rows);
	for (i = 0; i < rows; i++)
		fold[perm[i]] = i % AM_SVM_FOLDS;
	memcpy(w0, s->w, s->nvec * s->nw * sizeof(double));
	s->iter = 0;
	s->obj = 0;
	for (v = 0; v < s->nvec; v++) {
		svm_labels(s, m, t, v, y);
		svm_prior(s, v, a, w0 + v * s->nw, ph, pb);
		memset(&info, 0, sizeof(info));
		if ((rc = svm_tron(s, t, y, c, ph, pb, eps, max_iter, p,
		         s->w + v * s->nw, &info, err)) != 0 ||
		    (rc = svm_update_platt(s, t, v, y, c, fold, ph, pb, eps,
		         max_iter, p, err)) != 0)
			goto out;
		if (info.iter > s->iter)
			s->iter = info.iter;
		s->obj += info.obj;
	}
	for (v = 0; v < s->nvec; v++)
		am_logreg_quad_move(&s->q, v, a, w0 + v * s->nw,
		    s->w + v * s->nw);
	if ((rc = svm_summarise(s, m, t, c, y, err)) != 0)
		goto out;
	s->rows += (double)rows;
	s->C = C;
	s->fitted = 1;
out:
	free(c);
	free(y);
	free(fold);
	free(perm);
	free(w0);
	free(ph);
	free(pb);
	return rc;
}

/*
 * Merge: the rows-weighted mean of the shards' weight vectors and of
 * their Platt parameters (parameter mixing); the shards must share the
 * loss, the bias and the classes.  When every shard has its expansion
 * (squared hinge), the weights are instead the minimum of 1/2 |w|^2
 * plus the sum of the shards' expansions (rescaled to one C), solved
 * by TRON on no rows from the mean, as logreg merges; the Platt
 * parameters stay the mean (no rows to refit them on).
 */
/*
 * The shards' sigmoids merged as their Laplace approximations: the
 * minimum of sum_i 1/2 (t - t_i)'H_i (t - t_i) over t = (A, B), with
 * H = sum H_i; the rows-weighted mean (already in s->platt) stays when
 * H is singular.
 */
static void
svm_merge_platt(struct svm *s, const struct am_model *const *src, size_t n)
{
	size_t i, v;

	for (v = 0; v < s->nvec; v++) {
		double h[3] = { 0, 0, 0 }, r1 = 0, r2 = 0, det;
		for (i = 0; i < n; i++) {
			const struct svm *b = am_model_state(src[i]);
			const double *hi = b->plh + 3 * v,
			             *t = b->platt + 2 * v;
			h[0] += hi[0];
			h[1] += hi[1];
			h[2] += hi[2];
			r1 += hi[0] * t[0] + hi[1] * t[1];
			r2 += hi[1] * t[0] + hi[2] * t[1];
		}
		det = h[0] * h[2] - h[1] * h[1];
		if (!(det > 1e-12 * h[0] * h[2]))
			continue;
		s->platt[2 * v] = (h[2] * r1 - h[1] * r2) / det;
		s->platt[2 * v + 1] = (h[0] * r2 - h[1] * r1) / det;
		memcpy(s->plh + 3 * v, h, sizeof(h));
	}
}

static int
svm_merge(struct am_model *m, const struct am_model *const *src,
    const double *wt, size_t n, struct am_err *err)
{
	const struct svm *a = am_model_state(src[0]);
	const struct am_fs_schema *sc = am_model_schema(m);
	struct svm *s;
	struct am_table empty;
	struct am_model_params p = AM_MODEL_PARAMS_INIT;
	size_t i, j, v, nh, ptr0 = 0;
	double W = 0, rows = 0, C, *ph = NULL, *pb = NULL;
	int quad = 1, rc = 0;

	for (i = 0; i < n; i++) {
		const struct svm *b = am_model_state(src[i]);
		if (b->loss != a->loss || b->bias != a->bias ||
		    b->nvec != a->nvec || b->nw != a->nw)
			return am_seterr(err, AM_EMODEL,
			    "model %zu was fitted with other settings than "
			    "model 1 (loss, bias): cannot merge",
			    i + 1);
		quad = quad && b->has_quad && b->q.full == a->q.full &&
		    (b->lambda > 0) == (a->lambda > 0);
		rows += b->rows;
		W += wt[i];
	}
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return am_seterr(err, AM_ENOMEM, "out of memory");
	am_model_set_state(m, s);
	*s = *a;
	s->cc = NULL;
	s->plh = NULL;
	s->has_quad = 0;
	memset(&s->q, 0, sizeof(s->q));
	s->w = calloc(a->nvec * a->nw + 1, sizeof(double));
	s->platt = calloc(a->nvec * 2 + 1, sizeof(double));
	s->plh = calloc(a->nvec * 3 + 1, sizeof(double));
	if (s->w == NULL || s->platt == NULL || s->plh == NULL)
		return am_seterr(err, AM_ENOMEM, "out of memory");
	for (i = 0; i < n; i++) {
		const struct svm *b = am_model_state(src[i]);
		for (j = 0; j < a->nvec * a->nw; j++)
			s->w[j] += wt[i] / W * b->w[j];
		for (j = 0; j < a->nvec * 2; j++)
			s->platt[j] += wt[i] / W * b->platt[j];
	}
	if (!quad)
		return 0;
	C = a->lambda > 0 ? 1 / (a->lambda * rows) : a->C;
	nh = a->q.full ? a->nw * a->nw : a->nw;
	ph = calloc(nh + 1, sizeof(double));
	pb = calloc(a->nw + 1, sizeof(double));
	s->cc = malloc((sc->nclass + 1) * sizeof(double));
	if (ph == NULL || pb == NULL || s->cc == NULL ||
	    am_logreg_quad_init(&s->q, a->nvec, a->nw, a->q.full) != 0) {
		rc = am_seterr(err, AM_ENOMEM, "out of memory");
		goto out;
	}
	memcpy(s->cc, a->cc, sc->nclass * sizeof(double));
	svm_merge_platt(s, src, n);
	memset(&empty, 0, sizeof(empty));
	empty.x.ptr = &ptr0;
	empty.x.cols = s->nfeat;
	for (v = 0; v < s->nvec; v++) {
		size_t off = v * s->nw;
		svm_prior(s, v, 0, s->w + off, ph, pb); /* P = I, b = 0 */
		for (i = 0; i < n; i++) {
			const struct svm *b = am_model_state(src[i]);
			am_logreg_quad_prior(&b->q, v, C / b->C, b->w + off, ph,
			    pb);
		}
		if ((rc = svm_tron(s, &empty, &C, &C, ph, pb, 1e-6,
		         AM_LOGREG_MAX_ITER, &p, s->w + off, NULL, err)) != 0)
			goto out;
	}
	for (i = 0; i < n; i++) {
		const struct svm *b = am_model_state(src[i]);
		struct am_logreg_quad q;
		if (am_logreg_quad_init(&q, b->nvec, b->nw, b->q.full) != 0) {
			rc = am_seterr(err, AM_ENOMEM, "out of memory");
			goto out;
		}
		memcpy(q.g, b->q.g, b->nvec * b->nw * sizeof(double));
		memcpy(q.h, b->q.h, b->nvec * nh * sizeof(double));
		for (v = 0; v < s->nvec; v++) {
			am_logreg_quad_move(&q, v, C / b->C, b->w + v * b->nw,
			    s->w + v * s->nw);
			am_logreg_quad_sum(&s->q, &q, v);
		}
		am_logreg_quad_release(&q);
	}
	s->C = C;
	s->rows = rows;
	s->has_quad = 1;
out:
	free(ph);
	free(pb);
	return rc;
}

const struct am_model_ops am_svm_ops = {
	.name = "svm",
	.classifier = 1,
	.maxclass = 1000,
	.fit = svm_fit,
	.predict = svm_predict,
	.save = svm_save,
	.load = svm_load,
	.free = svm_free,
	.coef = svm_coef,
	.explain = svm_explain,
	.unit = "margin",
	.update = svm_update,
	.merge = svm_merge,
};
