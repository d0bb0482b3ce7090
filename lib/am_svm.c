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

int
am_svm_fit(const struct am_csr *x, size_t nfeat, const double *y,
    const double *c, const struct am_svm_param *p, double *a0, double *w,
    struct am_svm_info *info, struct am_err *err)
{
	size_t l = x->rows, nw = nfeat + (p->bias > 0), i, s, k, active, n;
	double *alpha = NULL, *qd = NULL, *diag = NULL, *ub = NULL;
	double pgmax_old = HUGE_VAL, pgmin_old = -HUGE_VAL;
	size_t *index = NULL;
	struct am_rand rng;
	struct am_svm_info dummy;
	int iter = 0;

	if (info == NULL)
		info = &dummy;
	memset(info, 0, sizeof(*info));
	if ((p->loss != 1 && p->loss != 2) || !(p->eps > 0) ||
	    p->max_iter < 1 || !(p->bias >= 0) || x->cols > nfeat)
		return am_seterr(err, AM_EARG, "svm: bad parameters");
	alpha = calloc(l + 1, sizeof(*alpha));
	qd = calloc(l + 1, sizeof(*qd));
	diag = calloc(l + 1, sizeof(*diag));
	ub = calloc(l + 1, sizeof(*ub));
	index = calloc(l + 1, sizeof(*index));
	if (alpha == NULL || qd == NULL || diag == NULL || ub == NULL ||
	    index == NULL) {
		free(alpha);
		free(qd);
		free(diag);
		free(ub);
		free(index);
		return am_seterr(err, AM_ENOMEM, "out of memory");
	}
	memset(w, 0, nw * sizeof(*w));
	am_rand_seed(&rng, p->seed);
	for (n = 0, i = 0; i < l; i++) {
		double q = p->bias * p->bias;
		if (y[i] == 0 || !(c[i] > 0))
			continue;
		if (p->loss == 2) {
			diag[i] = 0.5 / c[i];
			ub[i] = HUGE_VAL;
		} else {
			ub[i] = c[i];
		}
		for (k = x->ptr[i]; k < x->ptr[i + 1]; k++)
			q += x->val[k] * x->val[k];
		qd[i] = q + diag[i];
		index[n++] = i;
		/* A warm start: w = sum y_i a_i x_i. */
		if (a0 != NULL && a0[i] > 0) {
			double d;
			alpha[i] = a0[i] < ub[i] ? a0[i] : ub[i];
			d = alpha[i] * y[i];
			for (k = x->ptr[i]; k < x->ptr[i + 1]; k++)
				w[x->idx[k]] += d * x->val[k];
			w[nfeat] += p->bias > 0 ? d * p->bias : 0;
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
		for (s = 0; s < active; s++) {
			double g, pg = 0, yi, old;
			i = index[s];
			yi = y[i];
			g = p->bias > 0 ? w[nfeat] * p->bias : 0;
			for (k = x->ptr[i]; k < x->ptr[i + 1]; k++)
				g += w[x->idx[k]] * x->val[k];
			g = yi * g - 1 + alpha[i] * diag[i];
			if (alpha[i] == 0) {
				if (g > pgmax_old) {
					active--;
					index[s] = index[active];
					index[active] = i;
					s--;
					continue;
				}
				if (g < 0)
					pg = g;
			} else if (alpha[i] == ub[i]) {
				if (g < pgmin_old) {
					active--;
					index[s] = index[active];
					index[active] = i;
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
			if (fabs(pg) > 1e-12 && qd[i] > 0) {
				double d;
				old = alpha[i];
				alpha[i] = alpha[i] - g / qd[i];
				if (alpha[i] < 0)
					alpha[i] = 0;
				if (alpha[i] > ub[i])
					alpha[i] = ub[i];
				d = (alpha[i] - old) * yi;
				for (k = x->ptr[i]; k < x->ptr[i + 1]; k++)
					w[x->idx[k]] += d * x->val[k];
				if (p->bias > 0)
					w[nfeat] += d * p->bias;
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
		for (i = 0; i < l; i++)
			v += alpha[i] * (alpha[i] * diag[i] * 0.5 - 1);
		info->obj = v;
	}
	if (a0 != NULL)
		memcpy(a0, alpha, l * sizeof(*alpha));
	free(alpha);
	free(qd);
	free(diag);
	free(ub);
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

void
am_svm_platt(const double *f, const double *y, size_t n, double *a, double *b)
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
	A = 0;
	B = log((prior0 + 1) / (prior1 + 1));
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
};

static void
svm_free(void *state)
{
	struct svm *s = state;

	if (s == NULL)
		return;
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
		if (s->w == NULL || s->platt == NULL || cc == NULL ||
		    cost == NULL || fold == NULL || perm == NULL ||
		    j.wcv == NULL || j.dec == NULL || j.alpha == NULL ||
		    j.rc == NULL || j.obj == NULL || j.iters == NULL ||
		    yv == NULL) {
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
		memcpy(s->w + v * s->nw, j.wcv + task * s->nw,
		    s->nw * sizeof(double));
		if (j.iters[task] > s->iter)
			s->iter = j.iters[task];
		s->obj += j.obj[task];
	}
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
	return 0;
}

static const double *
svm_coef(const struct am_model *m, double *bias)
{
	const struct svm *s = am_model_state(m);

	*bias = s->bias;
	return s->w;
}

/*
 * Merge: the rows-weighted mean of the shards' weight vectors and of
 * their Platt parameters (parameter mixing); the shards must share the
 * loss, the bias and the classes.
 */
static int
svm_merge(struct am_model *m, const struct am_model *const *src,
    const double *wt, size_t n, struct am_err *err)
{
	const struct svm *a = am_model_state(src[0]);
	struct svm *s;
	size_t i, j;
	double W = 0;

	for (i = 0; i < n; i++) {
		const struct svm *b = am_model_state(src[i]);
		if (b->loss != a->loss || b->bias != a->bias ||
		    b->nvec != a->nvec || b->nw != a->nw)
			return am_seterr(err, AM_EMODEL,
			    "model %zu was fitted with other settings than "
			    "model 1 (loss, bias): cannot merge",
			    i + 1);
		W += wt[i];
	}
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return am_seterr(err, AM_ENOMEM, "out of memory");
	am_model_set_state(m, s);
	*s = *a;
	s->w = calloc(a->nvec * a->nw + 1, sizeof(double));
	s->platt = calloc(a->nvec * 2 + 1, sizeof(double));
	if (s->w == NULL || s->platt == NULL)
		return am_seterr(err, AM_ENOMEM, "out of memory");
	for (i = 0; i < n; i++) {
		const struct svm *b = am_model_state(src[i]);
		for (j = 0; j < a->nvec * a->nw; j++)
			s->w[j] += wt[i] / W * b->w[j];
		for (j = 0; j < a->nvec * 2; j++)
			s->platt[j] += wt[i] / W * b->platt[j];
	}
	return 0;
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
	.merge = svm_merge,
};
