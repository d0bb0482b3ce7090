/* SPDX-License-Identifier: MIT */
/*
 * am_cv.c -- cross-validation and validation sets (see am_cv.h).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "am_cv.h"
#include "am_metrics.h"
#include "am_pool.h"
#include "am_rand.h"

#include "am_banned.h"

struct am_table *
am_cv_subset(const struct am_table *t, const size_t *rows, size_t n,
    struct am_err *err)
{
	struct am_table *s;
	size_t i;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		goto nomem;
	am_csr_init(&s->x);
	s->y = malloc((n + 1) * sizeof(*s->y));
	if (t->w != NULL)
		s->w = malloc((n + 1) * sizeof(*s->w));
	s->input = strdup(t->input);
	if (s->y == NULL || (t->w != NULL && s->w == NULL) ||
	    s->input == NULL || am_fs_schema_copy(&s->schema, &t->schema) != 0)
		goto nomem;
	for (i = 0; i < n; i++) {
		size_t r = rows[i], a = t->x.ptr[r], b = t->x.ptr[r + 1];
		if (am_csr_push(&s->x, b - a, t->x.idx + a, t->x.val + a,
		        err) != 0) {
			am_table_free(s);
			return NULL;
		}
		s->y[i] = t->y[r];
		if (s->w != NULL)
			s->w[i] = t->w[r];
	}
	s->rows = n;
	s->format = t->format;
	memcpy(s->sha256, t->sha256, sizeof(s->sha256));
	return s;
nomem:
	am_table_free(s);
	am_seterr(err, AM_ENOMEM, "out of memory");
	return NULL;
}

/*
 * Every row's outputs (rows x nout, row-major) into job->o, in blocks of
 * EVAL_BLOCK rows over a pool: a row's outputs do not depend on the
 * block, so any -j gives the same bits.  A task predicts with its own
 * binding (scratch space is per binding).
 */
#define EVAL_BLOCK 4096

struct eval_job {
	const struct am_model *m;
	const struct am_table *t;
	struct am_model_bind *const *b; /* one a task */
	size_t nout, per;               /* blocks a task */
	double *o;
	int *rc; /* one a task */
};

static void
eval_task(void *arg, size_t task)
{
	const struct eval_job *j = arg;
	const struct am_csr *x = &j->t->x;
	size_t i = task * j->per * EVAL_BLOCK,
	       end = (task + 1) * j->per * EVAL_BLOCK;

	if (end > j->t->rows)
		end = j->t->rows;
	for (; i < end; i++) {
		size_t a = x->ptr[i], e = x->ptr[i + 1];
		if (am_model_predict(j->m, j->b[task], e - a, x->idx + a,
		        x->val + a, j->o + i * j->nout) != 0) {
			j->rc[task] = AM_ENOMEM;
			return;
		}
	}
}

static int
eval_predict(const struct am_model *m, const struct am_table *t,
    struct am_model_bind *b, int threads, double *o, struct am_err *err)
{
	size_t nb = (t->rows + EVAL_BLOCK - 1) / EVAL_BLOCK, ntask, k;
	struct am_model_bind **bs = NULL;
	struct am_pool *pool = NULL;
	struct eval_job j;
	int *rcs = NULL, rc = AM_ENOMEM;

	ntask = threads > 1 && nb > 1 ? (size_t)threads * 4 : 1;
	if (ntask > nb)
		ntask = nb > 0 ? nb : 1;
	j.m = m;
	j.t = t;
	j.nout = am_model_nout(m);
	j.per = (nb + ntask - 1) / ntask;
	j.o = o;
	if ((bs = calloc(ntask, sizeof(*bs))) == NULL ||
	    (rcs = calloc(ntask, sizeof(*rcs))) == NULL)
		goto out;
	bs[0] = b;
	for (k = 1; k < ntask; k++)
		if ((bs[k] = am_model_bind_dup(b, err)) == NULL)
			goto out;
	j.b = bs;
	j.rc = rcs;
	if (ntask == 1) {
		eval_task(&j, 0);
	} else {
		if ((pool = am_pool_new(threads, err)) == NULL) {
			rc = err != NULL ? err->code : AM_ENOMEM;
			goto out;
		}
		am_pool_run(pool, ntask, eval_task, &j);
	}
	rc = 0;
	for (k = 0; k < ntask; k++)
		if (rcs[k] != 0)
			rc = rcs[k];
out:
	if (rc == AM_ENOMEM)
		am_seterr(err, rc, "out of memory");
	am_pool_free(pool);
	if (bs != NULL)
		for (k = 1; k < ntask; k++)
			am_model_bind_free(bs[k]);
	free(bs);
	free(rcs);
	return rc;
}

int
am_cv_eval(const struct am_model *m, const struct am_table *t, int threads,
    struct am_cv_metrics *out, struct am_err *err)
{
	const struct am_fs_schema *ms = am_model_schema(m);
	struct am_model_bind *b = NULL;
	size_t i, k, nout = am_model_nout(m), nc = ms->nclass, *map = NULL;
	double *pred = NULL, *o = NULL;
	unsigned *yc = NULL;
	unsigned char *yb = NULL;
	int rc = AM_ENOMEM;

	memset(out, 0, sizeof(*out));
	out->auc = out->logloss = out->accuracy = (double)NAN;
	out->rmse = out->mae = out->r2 = (double)NAN;
	out->regression = nc == 0;
	if ((b = am_model_bind(m, &t->schema, t->format, err)) == NULL)
		return am_err_prefix(err, "%s", t->input);
	pred = malloc((t->rows * (nout > 1 ? nout : 1) + 1) * sizeof(*pred));
	o = malloc((t->rows * nout + 1) * sizeof(*o));
	if (pred == NULL || o == NULL)
		goto nomem;
	if ((rc = eval_predict(m, t, b, threads, o, err)) != 0)
		goto out;
	rc = AM_ENOMEM;
	if (nc > 0) {
		/* Classes of 't' to the model's, by name. */
		if ((map = malloc((t->schema.nclass + 1) * sizeof(*map))) ==
		        NULL ||
		    (yc = malloc((t->rows + 1) * sizeof(*yc))) == NULL ||
		    (yb = malloc(t->rows + 1)) == NULL)
			goto nomem;
		for (i = 0; i < t->schema.nclass; i++) {
			for (k = 0; k < nc; k++)
				if (strcmp(ms->classes[k],
				        t->schema.classes[i]) == 0)
					break;
			map[i] = k;
		}
	}
	for (i = 0; i < t->rows; i++) {
		const double *oi = o + i * nout;
		if (nc == 0) {
			pred[i] = oi[0];
			continue;
		}
		if ((size_t)t->y[i] >= t->schema.nclass ||
		    map[(size_t)t->y[i]] >= nc) {
			rc = am_seterr(err, AM_EFORMAT,
			    "%s: class '%s' of target '%s' is unknown to the "
			    "model",
			    t->input,
			    (size_t)t->y[i] < t->schema.nclass
			        ? t->schema.classes[(size_t)t->y[i]]
			        : "?",
			    ms->target ? ms->target : "");
			goto out;
		}
		yc[i] = (unsigned)map[(size_t)t->y[i]];
		if (nc == 2) {
			pred[i] = oi[0];
			yb[i] = yc[i] == am_model_positive(m);
		} else {
			memcpy(pred + i * nc, oi, nc * sizeof(*oi));
		}
	}
	if (nc == 0) {
		struct am_regmetrics r;
		if ((rc = am_metrics_regression(t->y, pred, t->w, t->rows, &r,
		         err)) != 0)
			goto out;
		out->rmse = r.rmse;
		out->mae = r.mae;
		out->r2 = r.r2;
	} else if (nc == 2) {
		double right = 0;
		if ((rc = am_metrics_auc(yb, pred, t->w, t->rows, &out->auc,
		         err)) != 0)
			goto out;
		out->logloss = am_metrics_logloss(yb, pred, t->w, t->rows);
		for (i = 0; i < t->rows; i++) {
			double w = t->w != NULL ? t->w[i] : 1;
			right += w * ((pred[i] >= 0.5) == yb[i]);
			out->rows += w;
		}
		out->accuracy = out->rows > 0 ? right / out->rows : (double)NAN;
		rc = 0;
		goto out;
	} else {
		struct am_mcmetrics mc;
		double *mem = calloc(nc * nc + 4 * nc, sizeof(double));
		if (mem == NULL)
			goto nomem;
		memset(&mc, 0, sizeof(mc));
		mc.k = nc;
		mc.conf = mem;
		mc.precision = mem + nc * nc;
		mc.recall = mc.precision + nc;
		mc.f1 = mc.recall + nc;
		mc.support = mc.f1 + nc;
		rc = am_metrics_multiclass(yc, NULL, pred, t->w, t->rows, &mc,
		    err);
		free(mem);
		if (rc != 0)
			goto out;
		out->accuracy = mc.accuracy;
		out->logloss = mc.logloss;
		out->auc = mc.auc_ovr;
	}
	for (i = 0; i < t->rows; i++)
		out->rows += t->w != NULL ? t->w[i] : 1;
	rc = 0;
	goto out;
nomem:
	rc = am_seterr(err, AM_ENOMEM, "out of memory");
out:
	am_model_bind_free(b);
	free(pred);
	free(o);
	free(map);
	free(yc);
	free(yb);
	return rc;
}

int
am_cv_run(const struct am_model_ops *ops, const struct am_table *t,
    const struct am_model_params *p, size_t k, struct am_cv_metrics *fold,
    struct am_err *err)
{
	struct am_rand rng;
	size_t *order = NULL, *fid = NULL, *tr = NULL, *te = NULL;
	size_t i, f, n = t->rows, nc = t->schema.nclass, c, pos;
	int rc = AM_ENOMEM;

	if (k < 2 || k > n)
		return am_seterr(err, AM_EARG,
		    "--cv: %zu folds for %zu rows (2 to rows)", k, n);
	order = malloc((n + 1) * sizeof(*order));
	fid = malloc((n + 1) * sizeof(*fid));
	tr = malloc((n + 1) * sizeof(*tr));
	te = malloc((n + 1) * sizeof(*te));
	if (order == NULL || fid == NULL || tr == NULL || te == NULL) {
		am_seterr(err, rc, "out of memory");
		goto out;
	}
	am_rand_seed(&rng, p->seed);
	for (i = 0; i < n; i++)
		order[i] = i;
	am_rand_shuffle(&rng, order, n);
	/* Stratify: deal each class's rows (in shuffled order) in turn. */
	pos = 0;
	for (c = 0; c < (nc > 0 ? nc : 1); c++)
		for (i = 0; i < n; i++)
			if (nc == 0 || (size_t)t->y[order[i]] == c)
				fid[order[i]] = pos++ % k;
	for (f = 0; f < k; f++) {
		struct am_table *a = NULL, *b = NULL;
		struct am_model *m = NULL;
		size_t ntr = 0, nte = 0;
		for (i = 0; i < n; i++)
			if (fid[i] == f)
				te[nte++] = i;
			else
				tr[ntr++] = i;
		if ((a = am_cv_subset(t, tr, ntr, err)) == NULL ||
		    (b = am_cv_subset(t, te, nte, err)) == NULL) {
			am_table_free(a);
			rc = err != NULL ? err->code : AM_ENOMEM;
			goto out;
		}
		if ((m = am_model_fit(ops, a, p, err)) == NULL) {
			rc = err != NULL ? err->code : AM_ENOMEM;
			am_err_prefix(err, "--cv fold %zu", f + 1);
		} else {
			rc = am_cv_eval(m, b, p->threads, &fold[f], err);
		}
		am_model_free(m);
		am_table_free(a);
		am_table_free(b);
		if (rc != 0)
			goto out;
	}
	rc = 0;
out:
	free(order);
	free(fid);
	free(tr);
	free(te);
	return rc;
}
