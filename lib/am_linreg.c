/* SPDX-License-Identifier: MIT */
/*
 * am_linreg.c -- OLS, ridge, lasso and elastic net (see am_linreg.h).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "am_buf.h"
#include "am_linreg.h"

#include "am_banned.h"

static double
soft(double z, double t)
{
	return z > t ? z - t : z < -t ? z + t : 0;
}

/* Coordinate descent on G/W, c/W; w holds the start and the result. */
static void
cd(const double *g, const double *c, size_t p,
    const struct am_linreg_param *par, double *w, double *gw,
    struct am_linreg_info *info)
{
	double l1 = par->alpha * par->l1_ratio;
	double l2 = par->alpha * (1 - par->l1_ratio);
	size_t j, k;
	int it;

	for (j = 0; j < p; j++)
		for (gw[j] = 0, k = 0; k < p; k++)
			gw[j] += g[j * p + k] * w[k];
	info->converged = 0;
	for (it = 1; it <= par->max_iter; it++) {
		double dmax = 0, wmax = 0;
		for (j = 0; j < p; j++) {
			double gjj = g[j * p + j], old = w[j], d;
			if (!(gjj > 0) && l2 == 0) {
				w[j] = 0;
			} else {
				double rho = c[j] - gw[j] + gjj * old;
				w[j] = soft(rho, l1) / (gjj + l2);
			}
			if ((d = w[j] - old) != 0) {
				for (k = 0; k < p; k++)
					gw[k] += d * g[k * p + j];
				if (fabs(d) > dmax)
					dmax = fabs(d);
			}
			if (fabs(w[j]) > wmax)
				wmax = fabs(w[j]);
		}
		info->iter = it;
		if (dmax <= par->eps * wmax || wmax == 0) {
			info->converged = 1;
			break;
		}
	}
}

int
am_linreg_stats_init(struct am_linreg_stats *st, size_t nfeat)
{
	memset(st, 0, sizeof(*st));
	st->nfeat = nfeat;
	st->sx = calloc(nfeat + 1, sizeof(double));
	st->sxy = calloc(nfeat + 1, sizeof(double));
	st->sxx = calloc(nfeat * nfeat + 1, sizeof(double));
	if (st->sx == NULL || st->sxy == NULL || st->sxx == NULL) {
		am_linreg_stats_release(st);
		return AM_ENOMEM;
	}
	return 0;
}

void
am_linreg_stats_release(struct am_linreg_stats *st)
{
	free(st->sx);
	free(st->sxy);
	free(st->sxx);
	st->sx = st->sxy = st->sxx = NULL;
}

void
am_linreg_stats_add(struct am_linreg_stats *st, const struct am_csr *x,
    const double *y, const double *sw)
{
	size_t i, a, b, n = st->nfeat;

	for (i = 0; i < x->rows; i++) {
		double s = sw != NULL ? sw[i] : 1;
		size_t end = x->ptr[i + 1];
		if (s == 0)
			continue;
		st->sw += s;
		st->sy += s * y[i];
		st->syy += s * y[i] * y[i];
		for (a = x->ptr[i]; a < end; a++) {
			uint32_t ja = x->idx[a];
			double sv = s * x->val[a];
			if (ja >= n)
				continue;
			st->sx[ja] += sv;
			st->sxy[ja] += sv * y[i];
			/* the lower triangle; mirrored by the solve */
			for (b = x->ptr[i]; b <= a; b++)
				if (x->idx[b] < n)
					st->sxx[ja * n + x->idx[b]] +=
					    sv * x->val[b];
		}
	}
}

void
am_linreg_stats_sum(struct am_linreg_stats *dst,
    const struct am_linreg_stats *src)
{
	size_t j, n = dst->nfeat;

	dst->sw += src->sw;
	dst->sy += src->sy;
	dst->syy += src->syy;
	for (j = 0; j < n; j++) {
		dst->sx[j] += src->sx[j];
		dst->sxy[j] += src->sxy[j];
	}
	for (j = 0; j < n * n; j++)
		dst->sxx[j] += src->sxx[j];
}

int
am_linreg_fit(const struct am_csr *x, size_t nfeat, const double *y,
    const double *sw, const struct am_linreg_param *p, const double *w0,
    double *w, struct am_linreg_info *info, struct am_err *err)
{
	struct am_linreg_stats st;
	int rc;

	if (am_linreg_stats_init(&st, nfeat) != 0)
		return am_seterr(err, AM_ENOMEM, "out of memory");
	am_linreg_stats_add(&st, x, y, sw);
	rc = am_linreg_solve(&st, p, w0, w, info, err);
	am_linreg_stats_release(&st);
	return rc;
}

int
am_linreg_solve(const struct am_linreg_stats *st,
    const struct am_linreg_param *p, const double *w0, double *w,
    struct am_linreg_info *info, struct am_err *err)
{
	struct am_linreg_info dummy;
	struct am_mat *g = NULL, *c = NULL;
	double *m = NULL, *gw = NULL, sum = st->sw, ybar = 0;
	size_t j, k, n = st->nfeat;
	int rc = 0;

	if (info == NULL)
		info = &dummy;
	memset(info, 0, sizeof(*info));
	info->rank = n;
	if (!(p->alpha >= 0) || !isfinite(p->alpha) || !(p->l1_ratio >= 0) ||
	    !(p->l1_ratio <= 1) || !(p->eps > 0) || p->max_iter < 1)
		return am_seterr(err, AM_EARG, "linreg: bad parameters");
	if (p->l1_ratio > 0 && !(p->alpha > 0))
		return am_seterr(err, AM_EARG,
		    "linreg: lasso and elastic net need alpha > 0");
	g = am_mat_new(n, n, err);
	c = am_mat_new(n > 0 ? n : 1, 1, err);
	m = calloc(n + 1, sizeof(*m));
	gw = calloc(n + 1, sizeof(*gw));
	if (g == NULL || c == NULL || m == NULL || gw == NULL) {
		rc = am_seterr(err, AM_ENOMEM, "out of memory");
		goto out;
	}
	if (!(sum > 0)) {
		rc = am_seterr(err, AM_EARG, "linreg: every row weight is 0");
		goto out;
	}
	if (p->intercept) {
		ybar = st->sy / sum;
		for (j = 0; j < n; j++)
			m[j] = st->sx[j] / sum;
	}
	/* sum s (x - m)(x - m)' = raw - W m m'; sum s (x - m)(y - ybar) =
	 * raw - W m ybar. */
	for (j = 0; j < n; j++) {
		c->data[j] = st->sxy[j] - sum * m[j] * ybar;
		for (k = 0; k <= j; k++) {
			double v = st->sxx[j * n + k] - sum * m[j] * m[k];
			AM_MAT_AT(g, j, k) = AM_MAT_AT(g, k, j) = v;
		}
	}
	if (p->l1_ratio > 0) {
		for (j = 0; j < n * n; j++)
			g->data[j] /= sum;
		for (j = 0; j < n; j++)
			c->data[j] /= sum;
		for (j = 0; j < n; j++)
			w[j] = w0 != NULL ? w0[j] : 0;
		cd(g->data, c->data, n, p, w, gw, info);
	} else if (n > 0) {
		struct am_mat *g2, *c2;
		struct am_err e2;
		g2 = am_mat_new(n, n, err);
		c2 = am_mat_new(n, 1, err);
		if (g2 == NULL || c2 == NULL) {
			am_mat_free(g2);
			am_mat_free(c2);
			rc = AM_ENOMEM;
			goto out;
		}
		memcpy(g2->data, g->data, n * n * sizeof(double));
		memcpy(c2->data, c->data, n * sizeof(double));
		for (j = 0; j < n; j++)
			AM_MAT_AT(g2, j, j) += p->alpha;
		if (am_mat_chol_solve(g2, c2, &e2) == 0) {
			memcpy(w, c2->data, n * sizeof(double));
		} else {
			/* Singular: the minimum-norm solution. */
			memcpy(g2->data, g->data, n * n * sizeof(double));
			for (j = 0; j < n; j++)
				AM_MAT_AT(g2, j, j) += p->alpha;
			memcpy(c2->data, c->data, n * sizeof(double));
			rc = am_mat_lstsq(g2, c2, 1e-12, &info->rank, err);
			memcpy(w, c2->data, n * sizeof(double));
			info->svd = 1;
		}
		am_mat_free(g2);
		am_mat_free(c2);
		if (rc != 0)
			goto out;
		info->converged = 1;
	}
	w[n] = ybar;
	if (p->intercept)
		for (j = 0; j < n; j++)
			w[n] -= m[j] * w[j];
	else
		w[n] = 0;
out:
	am_mat_free(g);
	am_mat_free(c);
	free(m);
	free(gw);
	return rc;
}

/* The "linreg" model. */
struct lin {
	size_t nfeat;
	int intercept, penalty, fitted;
	double *w; /* nfeat + 1, the intercept last */
	double alpha, l1_ratio, eps;
	int max_iter;
	struct am_linreg_info info;
	double rmse;
	int has_stats; /* 0: an artifact from before updates */
	struct am_linreg_stats st;
};

static void
lin_free(void *state)
{
	struct lin *s = state;

	if (s == NULL)
		return;
	am_linreg_stats_release(&s->st);
	free(s->w);
	free(s);
}

/* The weighted RMSE of w on the rows summed in s->st. */
static double
lin_rmse(const struct lin *s)
{
	const struct am_linreg_stats *st = &s->st;
	const double *w = s->w;
	double b = w[s->nfeat], se, xw = 0;
	size_t j, k, n = s->nfeat;

	/* sum s (y - x'w - b)^2, expanded over the statistics */
	se = st->syy - 2 * b * st->sy + b * b * st->sw;
	for (j = 0; j < n; j++) {
		double r = 0;
		for (k = 0; k < j; k++)
			r += st->sxx[j * n + k] * w[k];
		xw += w[j] * (2 * r + st->sxx[j * n + j] * w[j]);
		se += -2 * w[j] * st->sxy[j] + 2 * b * w[j] * st->sx[j];
	}
	se += xw;
	return st->sw > 0 && se > 0 ? sqrt(se / st->sw) : 0;
}

/* The solver's parameters from the model's settings. */
static void
lin_param(const struct lin *s, struct am_linreg_param *par)
{
	par->alpha = s->alpha;
	par->l1_ratio = s->l1_ratio;
	par->intercept = s->intercept;
	par->eps = s->eps;
	par->max_iter = s->max_iter;
}

/* Solve from s->st, warm-started from s->w. */
static int
lin_resolve(struct lin *s, struct am_err *err)
{
	struct am_linreg_param par = AM_LINREG_PARAM_INIT;
	double *w0;
	int rc;

	lin_param(s, &par);
	if ((w0 = malloc((s->nfeat + 1) * sizeof(double))) == NULL)
		return am_seterr(err, AM_ENOMEM, "out of memory");
	memcpy(w0, s->w, (s->nfeat + 1) * sizeof(double));
	rc = am_linreg_solve(&s->st, &par, w0, s->w, &s->info, err);
	free(w0);
	if (rc == 0)
		s->rmse = lin_rmse(s);
	return rc;
}

static int
lin_update(struct am_model *m, const struct am_table *t,
    const struct am_model_params *p, struct am_err *err)
{
	struct lin *s = am_model_state(m);

	if (!s->has_stats)
		return am_seterr(err, AM_EMODEL,
		    "linreg: the model has no statistics for updates (saved "
		    "by an older am-train; train it again)");
	if (p->eps > 0)
		s->eps = p->eps;
	if (p->max_iter > 0)
		s->max_iter = p->max_iter;
	am_linreg_stats_add(&s->st, &t->x, t->y, t->w);
	s->fitted = 1;
	return lin_resolve(s, err);
}

static int
lin_merge(struct am_model *m, const struct am_model *const *src,
    const double *wt, size_t n, struct am_err *err)
{
	const struct lin *s0 = am_model_state(src[0]);
	struct lin *s;
	size_t i, j, nf = s0->nfeat;
	int stats = 1;
	double W = 0;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return am_seterr(err, AM_ENOMEM, "out of memory");
	am_model_set_state(m, s);
	*s = *s0;
	s->w = NULL;
	memset(&s->st, 0, sizeof(s->st));
	s->has_stats = 0;
	for (i = 0; i < n; i++) {
		const struct lin *o = am_model_state(src[i]);
		if (o->intercept != s0->intercept || o->alpha != s0->alpha ||
		    o->l1_ratio != s0->l1_ratio)
			return am_seterr(err, AM_EMODEL,
			    "model %zu was fitted with other settings than "
			    "model 1 (penalty, alpha, intercept): cannot merge",
			    i + 1);
		stats = stats && o->has_stats;
		W += wt[i];
	}
	if ((s->w = calloc(nf + 1, sizeof(double))) == NULL)
		return am_seterr(err, AM_ENOMEM, "out of memory");
	for (i = 0; i < n; i++) {
		const struct lin *o = am_model_state(src[i]);
		for (j = 0; j <= nf; j++)
			s->w[j] += wt[i] / W * o->w[j];
	}
	if (!stats)
		return 0;
	if (am_linreg_stats_init(&s->st, nf) != 0)
		return am_seterr(err, AM_ENOMEM, "out of memory");
	for (i = 0; i < n; i++) {
		const struct lin *o = am_model_state(src[i]);
		am_linreg_stats_sum(&s->st, &o->st);
	}
	s->has_stats = 1;
	return lin_resolve(s, err);
}

static double
lin_value(const struct lin *s, size_t nnz, const uint32_t *idx,
    const double *val)
{
	double z = s->w[s->nfeat];
	size_t k;

	for (k = 0; k < nnz; k++)
		if (idx[k] < s->nfeat)
			z += s->w[idx[k]] * val[k];
	return z;
}

static int
lin_fit(struct am_model *m, const struct am_table *t,
    const struct am_model_params *p, struct am_err *err)
{
	struct lin *s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return am_seterr(err, AM_ENOMEM, "out of memory");
	am_model_set_state(m, s);
	s->nfeat = t->schema.nfeat;
	s->intercept = p->bias > 0;
	s->penalty = p->penalty;
	s->alpha = p->alpha;
	s->l1_ratio = p->penalty == AM_PENALTY_L1 ? 1
	    : p->penalty == AM_PENALTY_ENET
	    ? (p->l1_ratio >= 0 ? p->l1_ratio : 0.5)
	    : 0;
	s->eps = p->eps > 0 ? p->eps : AM_LINREG_EPS;
	s->max_iter = p->max_iter > 0 ? p->max_iter : AM_LINREG_MAX_ITER;
	if ((s->w = calloc(s->nfeat + 1, sizeof(double))) == NULL ||
	    am_linreg_stats_init(&s->st, s->nfeat) != 0)
		return am_seterr(err, AM_ENOMEM, "out of memory");
	s->has_stats = 1;
	am_linreg_stats_add(&s->st, &t->x, t->y, t->w);
	s->fitted = 1;
	return lin_resolve(s, err);
}

static void
lin_predict(const struct am_model *m, size_t nnz, const uint32_t *idx,
    const double *val, double *out)
{
	out[0] = lin_value(am_model_state(m), nnz, idx, val);
}

static int
lin_explain(const struct am_model *m, size_t nnz, const uint32_t *idx,
    const double *val, size_t cls, double *contrib)
{
	const struct lin *s = am_model_state(m);
	size_t k;

	(void)cls;
	for (k = 0; k < nnz; k++)
		if (idx[k] < s->nfeat)
			contrib[idx[k]] += s->w[idx[k]] * val[k];
	contrib[s->nfeat] += s->w[s->nfeat];
	return 0;
}

static const char *const penalty_names[] = { "l2", "l1", "elasticnet" };

static int
lin_save(const struct am_model *m, struct am_art *a, struct am_err *err)
{
	const struct lin *s = am_model_state(m);
	struct am_buf b = AM_BUF_INIT;
	int rc;

	am_buf_u32(&b, 1);
	am_buf_u64(&b, s->nfeat);
	am_buf_u8(&b, (uint8_t)s->intercept);
	am_buf_f64s(&b, s->w, s->nfeat + 1);
	rc = am_art_add_buf(a, "linreg", &b);
	am_buf_release(&b);
	if (rc == 0 && s->has_stats) {
		const struct am_linreg_stats *st = &s->st;
		am_buf_u32(&b, 1);
		am_buf_f64(&b, s->alpha);
		am_buf_f64(&b, s->l1_ratio);
		am_buf_u8(&b, (uint8_t)s->penalty);
		am_buf_f64(&b, s->eps);
		am_buf_u32(&b, (uint32_t)s->max_iter);
		am_buf_u64(&b, st->nfeat);
		am_buf_f64(&b, st->sw);
		am_buf_f64(&b, st->sy);
		am_buf_f64(&b, st->syy);
		am_buf_f64s(&b, st->sx, st->nfeat);
		am_buf_f64s(&b, st->sxy, st->nfeat);
		am_buf_f64s(&b, st->sxx, st->nfeat * st->nfeat);
		rc = am_art_add_buf(a, "linreg.stats", &b);
		am_buf_release(&b);
	}
	if (rc == 0 && s->fitted) {
		rc |= am_art_setf(a, "hyper.alpha", "%.17g", s->alpha);
		rc |= am_art_set(a, "hyper.penalty",
		    penalty_names[s->penalty >= 0 && s->penalty <= 2
		            ? s->penalty
		            : 0]);
		rc |= am_art_setf(a, "hyper.l1_ratio", "%.17g", s->l1_ratio);
		rc |= am_art_setf(a, "hyper.intercept", "%d", s->intercept);
		if (s->l1_ratio > 0) {
			rc |= am_art_setf(a, "hyper.eps", "%.17g", s->eps);
			rc |=
			    am_art_setf(a, "hyper.max_iter", "%d", s->max_iter);
		}
		rc |= am_art_setf(a, "metric.iterations", "%d", s->info.iter);
		rc |= am_art_setf(a, "metric.rank", "%zu", s->info.rank);
		rc |=
		    am_art_setf(a, "metric.converged", "%d", s->info.converged);
		rc |= am_art_setf(a, "metric.train_rmse", "%.17g", s->rmse);
	}
	return rc != 0 ? am_seterr(err, AM_ENOMEM, "out of memory") : 0;
}

/* Section "linreg.stats" into 's' (see lin_save()). */
static int
lin_load_stats(struct lin *s, const void *sec, size_t len, struct am_err *err)
{
	struct am_linreg_stats *st = &s->st;
	struct am_rd r;
	uint64_t nf;
	size_t j, n = s->nfeat;

	am_rd_init(&r, sec, len);
	if (am_rd_u32(&r) != 1)
		return am_seterr(err, AM_EFORMAT,
		    "'linreg.stats' section: unknown version");
	s->alpha = am_rd_f64(&r);
	s->l1_ratio = am_rd_f64(&r);
	s->penalty = am_rd_u8(&r);
	s->eps = am_rd_f64(&r);
	s->max_iter = (int)am_rd_u32(&r);
	nf = am_rd_u64(&r);
	if (am_rd_error(&r) || nf != n || !(s->alpha >= 0) ||
	    !isfinite(s->alpha) || !(s->l1_ratio >= 0 && s->l1_ratio <= 1) ||
	    s->penalty > 2 || !(s->eps > 0) || s->max_iter < 1 ||
	    n > am_rd_left(&r) / 8 || am_rd_left(&r) / 8 != 3 + 2 * n + n * n ||
	    am_rd_left(&r) % 8 != 0)
		return am_seterr(err, AM_EFORMAT,
		    "'linreg.stats' section does not match the model");
	if (am_linreg_stats_init(st, n) != 0)
		return am_seterr(err, AM_ENOMEM, "out of memory");
	st->sw = am_rd_f64(&r);
	st->sy = am_rd_f64(&r);
	st->syy = am_rd_f64(&r);
	am_rd_f64s(&r, st->sx, n);
	am_rd_f64s(&r, st->sxy, n);
	am_rd_f64s(&r, st->sxx, n * n);
	if (!isfinite(st->sw) || !isfinite(st->sy) || !isfinite(st->syy))
		goto bad;
	for (j = 0; j < n; j++)
		if (!isfinite(st->sx[j]) || !isfinite(st->sxy[j]))
			goto bad;
	for (j = 0; j < n * n; j++)
		if (!isfinite(st->sxx[j]))
			goto bad;
	s->has_stats = 1;
	s->fitted = 1;
	s->info.rank = n;
	s->rmse = lin_rmse(s);
	return 0;
bad:
	return am_seterr(err, AM_EFORMAT,
	    "'linreg.stats' section: a value is not finite");
}

static int
lin_load(struct am_model *m, const struct am_art *a, struct am_err *err)
{
	struct lin *s;
	const void *sec;
	struct am_rd r;
	size_t len, j;
	uint64_t nfeat;

	if ((sec = am_art_section(a, "linreg", &len)) == NULL)
		return am_seterr(err, AM_EFORMAT, "no 'linreg' section");
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return am_seterr(err, AM_ENOMEM, "out of memory");
	am_model_set_state(m, s);
	am_rd_init(&r, sec, len);
	if (am_rd_u32(&r) != 1)
		return am_seterr(err, AM_EFORMAT,
		    "'linreg' section: unknown version");
	nfeat = am_rd_u64(&r);
	s->intercept = am_rd_u8(&r);
	if (am_rd_error(&r) || nfeat != am_model_nfeat(m) || s->intercept > 1 ||
	    am_rd_left(&r) / 8 != nfeat + 1 || am_rd_left(&r) % 8 != 0)
		return am_seterr(err, AM_EFORMAT,
		    "'linreg' section does not match the model's %zu features",
		    am_model_nfeat(m));
	s->nfeat = (size_t)nfeat;
	if ((s->w = malloc((s->nfeat + 1) * sizeof(double))) == NULL)
		return am_seterr(err, AM_ENOMEM, "out of memory");
	am_rd_f64s(&r, s->w, s->nfeat + 1);
	for (j = 0; j <= s->nfeat; j++)
		if (!isfinite(s->w[j]))
			return am_seterr(err, AM_EFORMAT,
			    "'linreg' section: weight %zu is not finite",
			    j + 1);
	if ((sec = am_art_section(a, "linreg.stats", &len)) == NULL)
		return 0; /* an artifact from before updates */
	return lin_load_stats(s, sec, len, err);
}

static const double *
lin_coef(const struct am_model *m, double *bias)
{
	const struct lin *s = am_model_state(m);

	*bias = 1;
	return s->w;
}

const struct am_model_ops am_linreg_ops = {
	.name = "linreg",
	.classifier = 0,
	.maxclass = 0,
	.fit = lin_fit,
	.predict = lin_predict,
	.save = lin_save,
	.load = lin_load,
	.free = lin_free,
	.coef = lin_coef,
	.regressor = 1,
	.explain = lin_explain,
	.unit = "value",
	.update = lin_update,
	.merge = lin_merge,
};
