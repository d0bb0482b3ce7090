/* SPDX-License-Identifier: MIT */
/*
 * am_gmm.c -- EM for Gaussian mixtures (see am_gmm.h).
 *
 * One EM iteration is two passes over the rows, each cut into the fixed
 * tasks of am_seg_tasks():
 *
 *   E pass   per row the log joint of each component (Cholesky solve
 *            for full and tied, a scaled sum of squares otherwise), its
 *            log-sum-exp and the responsibilities, stored n x k; each task
 *            also sums the log-likelihood, the responsibilities and the
 *            responsibility-weighted rows (for the means);
 *   C pass   each task sums the responsibility-weighted centred outer
 *            products (full, tied: lower triangle) or squares (diag,
 *            spherical) around the new means.
 *
 * Centred sums (rather than E[xx'] - mu mu') keep the covariance
 * positive semi-definite up to rounding however far the data sit from
 * the origin.  The Cholesky factorisation is a plain column-oriented
 * one: d is the number of features, small next to the row count.
 */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "am_buf.h"
#include "am_gmm.h"
#include "am_kmeans.h"
#include "am_rand.h"

#include "am_banned.h"

#define LOG_2PI 1.8378770664093454836

static const char *const cov_names[] = { "full", "diag", "spherical", "tied" };

int
am_gmm_cov_byname(const char *name)
{
	int i;

	for (i = 0; i < 4; i++)
		if (strcmp(name, cov_names[i]) == 0)
			return i;
	return -1;
}

const char *
am_gmm_cov_name(int cov)
{
	return cov >= 0 && cov < 4 ? cov_names[cov] : "?";
}

static size_t
sigma_len(int cov, size_t k, size_t d)
{
	switch (cov) {
	case AM_GMM_FULL:
		return k * d * d;
	case AM_GMM_DIAG:
		return k * d;
	case AM_GMM_SPHERICAL:
		return k;
	default:
		return d * d;
	}
}

size_t
am_gmm_nparams(const struct am_gmm *g)
{
	size_t k = g->k, d = g->d, c;

	switch (g->cov) {
	case AM_GMM_FULL:
		c = k * d * (d + 1) / 2;
		break;
	case AM_GMM_DIAG:
		c = k * d;
		break;
	case AM_GMM_SPHERICAL:
		c = k;
		break;
	default:
		c = d * (d + 1) / 2;
		break;
	}
	return c + k * d + k - 1;
}

void
am_gmm_release(struct am_gmm *g)
{
	free(g->w);
	free(g->mu);
	free(g->sigma);
	free(g->chol);
	free(g->lconst);
	free(g->trace);
	free(g->nk);
	free(g->scat);
	memset(g, 0, sizeof(*g));
}

/* Lower Cholesky factor of the d x d matrix 'a' into 'l'; its log
 * determinant into '*logdet'.  -1 if not positive definite. */
static int
cholesky(const double *a, size_t d, double *l, double *logdet)
{
	size_t i, j, q;
	double s;

	*logdet = 0;
	memset(l, 0, d * d * sizeof(double));
	for (j = 0; j < d; j++) {
		s = a[j * d + j];
		for (q = 0; q < j; q++)
			s -= l[j * d + q] * l[j * d + q];
		if (!(s > 0) || !isfinite(s))
			return -1;
		l[j * d + j] = sqrt(s);
		*logdet += log(s);
		for (i = j + 1; i < d; i++) {
			s = a[i * d + j];
			for (q = 0; q < j; q++)
				s -= l[i * d + q] * l[j * d + q];
			l[i * d + j] = s / l[j * d + j];
		}
	}
	return 0;
}

int
am_gmm_prepare(struct am_gmm *g, struct am_err *err)
{
	size_t k = g->k, d = g->d, c, j;
	double logdet = 0, ld;

	if (g->lconst == NULL &&
	    (g->lconst = malloc((k + 1) * sizeof(double))) == NULL)
		return am_seterr(err, AM_ENOMEM, "out of memory");
	if ((g->cov == AM_GMM_FULL || g->cov == AM_GMM_TIED) &&
	    g->chol == NULL &&
	    (g->chol = malloc(
	         (sigma_len(g->cov, k, d) + 1) * sizeof(double))) == NULL)
		return am_seterr(err, AM_ENOMEM, "out of memory");
	if (g->cov == AM_GMM_TIED &&
	    cholesky(g->sigma, d, g->chol, &logdet) != 0)
		return am_seterr(err, AM_EARG,
		    "covariance is not positive definite (raise --reg-covar)");
	for (c = 0; c < k; c++) {
		switch (g->cov) {
		case AM_GMM_FULL:
			if (cholesky(g->sigma + c * d * d, d,
			        g->chol + c * d * d, &logdet) != 0)
				return am_seterr(err, AM_EARG,
				    "component %zu: covariance is not positive "
				    "definite (raise --reg-covar)",
				    c);
			break;
		case AM_GMM_DIAG:
			for (logdet = 0, j = 0; j < d; j++) {
				ld = g->sigma[c * d + j];
				if (!(ld > 0) || !isfinite(ld))
					return am_seterr(err, AM_EARG,
					    "component %zu: variance is not "
					    "positive (raise --reg-covar)",
					    c);
				logdet += log(ld);
			}
			break;
		case AM_GMM_SPHERICAL:
			if (!(g->sigma[c] > 0) || !isfinite(g->sigma[c]))
				return am_seterr(err, AM_EARG,
				    "component %zu: variance is not positive "
				    "(raise --reg-covar)",
				    c);
			logdet = (double)d * log(g->sigma[c]);
			break;
		default:
			break;
		}
		g->lconst[c] =
		    log(g->w[c]) - 0.5 * ((double)d * LOG_2PI + logdet);
	}
	return 0;
}

/* Squared Mahalanobis distance of 'x' to component 'c'; z: d scratch. */
static double
maha(const struct am_gmm *g, size_t c, const double *x, double *z)
{
	size_t d = g->d, i, q;
	const double *mu = g->mu + c * d, *l;
	double s = 0, t;

	switch (g->cov) {
	case AM_GMM_DIAG:
		for (i = 0; i < d; i++) {
			t = x[i] - mu[i];
			s += t * t / g->sigma[c * d + i];
		}
		return s;
	case AM_GMM_SPHERICAL:
		for (i = 0; i < d; i++) {
			t = x[i] - mu[i];
			s += t * t;
		}
		return s / g->sigma[c];
	default:
		l = g->cov == AM_GMM_FULL ? g->chol + c * d * d : g->chol;
		for (i = 0; i < d; i++) {
			t = x[i] - mu[i];
			for (q = 0; q < i; q++)
				t -= l[i * d + q] * z[q];
			z[i] = t / l[i * d + i];
			s += z[i] * z[i];
		}
		return s;
	}
}

/*
 * Returns log p(x) by log-sum-exp of the log joints, and leaves the
 * posteriors P(c | x) in lp (k): exp(lp - max) / sum, one exp per
 * component.  With no finite log joint, lp is left as the log joints.
 */
static double
logjoint(const struct am_gmm *g, const double *x, double *lp, double *z)
{
	size_t c;
	double mx = -HUGE_VAL, s = 0;

	for (c = 0; c < g->k; c++) {
		lp[c] = g->lconst[c] - 0.5 * maha(g, c, x, z);
		if (lp[c] > mx)
			mx = lp[c];
	}
	if (!isfinite(mx))
		return mx;
	for (c = 0; c < g->k; c++)
		s += lp[c] = exp(lp[c] - mx);
	for (c = 0; c < g->k; c++)
		lp[c] /= s;
	return mx + log(s);
}

double
am_gmm_score(const struct am_gmm *g, const double *x, double *post,
    double *scratch)
{
	double *lp = scratch + g->d, ll;
	size_t c;

	ll = logjoint(g, x, lp, scratch);
	if (post != NULL)
		for (c = 0; c < g->k; c++)
			post[c] = isfinite(ll) ? lp[c] : exp(lp[c] - ll);
	return ll;
}

struct em_job {
	const struct am_gmm *g;
	const double *x;
	size_t n, d, k, chunk;
	int estep;        /* compute the responsibilities first */
	double *resp;     /* n x k */
	double *ll;       /* per task */
	double *nk;       /* ntasks x k */
	double *sx;       /* ntasks x k x d */
	double *cv;       /* ntasks x sigma_len */
	double *scratch;  /* ntasks x (d + k) */
	const double *mu; /* new means, for the C pass */
};

static void
acc_task(void *arg, size_t t)
{
	struct em_job *j = arg;
	size_t i, c, q, d = j->d, k = j->k, lo = t * j->chunk,
	                hi = lo + j->chunk;
	double *nk = j->nk + t * k, *sx = j->sx + t * k * d, ll = 0, l;
	double *z = j->scratch + t * (d + k), *lp = z + d;

	if (hi > j->n)
		hi = j->n;
	memset(nk, 0, k * sizeof(double));
	memset(sx, 0, k * d * sizeof(double));
	for (i = lo; i < hi; i++) {
		const double *xi = j->x + i * d;
		double *r = j->resp + i * k;
		if (j->estep) {
			l = logjoint(j->g, xi, lp, z);
			ll += l;
			for (c = 0; c < k; c++)
				r[c] = isfinite(l) ? lp[c] : exp(lp[c] - l);
		}
		for (c = 0; c < k; c++) {
			nk[c] += r[c];
			for (q = 0; q < d; q++)
				sx[c * d + q] += r[c] * xi[q];
		}
	}
	j->ll[t] = ll;
}

static void
cov_task(void *arg, size_t t)
{
	struct em_job *j = arg;
	const struct am_gmm *g = j->g;
	size_t i, c, a, b, d = j->d, k = j->k, lo = t * j->chunk,
	                   hi = lo + j->chunk, len = sigma_len(g->cov, k, d);
	double *cv = j->cv + t * len, *z = j->scratch + t * (d + k), rc;

	if (hi > j->n)
		hi = j->n;
	memset(cv, 0, len * sizeof(double));
	for (i = lo; i < hi; i++) {
		const double *xi = j->x + i * d;
		for (c = 0; c < k; c++) {
			rc = j->resp[i * k + c];
			if (rc == 0)
				continue;
			for (a = 0; a < d; a++)
				z[a] = xi[a] - j->mu[c * d + a];
			switch (g->cov) {
			case AM_GMM_FULL:
			case AM_GMM_TIED: {
				double *m =
				    g->cov == AM_GMM_FULL ? cv + c * d * d : cv;
				for (a = 0; a < d; a++) {
					double ra = rc * z[a];
					for (b = 0; b <= a; b++)
						m[a * d + b] += ra * z[b];
				}
				break;
			}
			case AM_GMM_DIAG:
				for (a = 0; a < d; a++)
					cv[c * d + a] += rc * z[a] * z[a];
				break;
			default:
				for (a = 0; a < d; a++)
					cv[c] += rc * z[a] * z[a];
				break;
			}
		}
	}
}

/*
 * The old statistics an update combines with the new rows', counted 'f'
 * times (see am_gmm_update()); copies, as g's own are overwritten.
 */
struct prior {
	double f;
	double *nk, *mu, *scat;
};

/* Symmetrise the lower triangles of scat (full, tied), then w, sigma and
 * the factors from nk and scat. */
static int
from_stats(struct am_gmm *g, double reg, struct am_err *err)
{
	size_t k = g->k, d = g->d, c, a, b;
	double tot = 0, *m, *sg, den;

	for (c = 0; c < k; c++)
		tot += g->nk[c];
	for (c = 0; c < k; c++)
		g->w[c] = g->nk[c] / tot;
	switch (g->cov) {
	case AM_GMM_FULL:
	case AM_GMM_TIED:
		for (c = 0; c < (g->cov == AM_GMM_FULL ? k : 1); c++) {
			m = g->scat + c * d * d;
			sg = g->sigma + c * d * d;
			den = g->cov == AM_GMM_FULL ? g->nk[c] : tot;
			for (a = 0; a < d; a++) {
				for (b = 0; b <= a; b++) {
					m[b * d + a] = m[a * d + b];
					sg[a * d + b] = sg[b * d + a] =
					    m[a * d + b] / den;
				}
				sg[a * d + a] += reg;
			}
		}
		break;
	case AM_GMM_DIAG:
		for (c = 0; c < k; c++)
			for (a = 0; a < d; a++)
				g->sigma[c * d + a] =
				    g->scat[c * d + a] / g->nk[c] + reg;
		break;
	default:
		for (c = 0; c < k; c++)
			g->sigma[c] = g->scat[c] / (g->nk[c] * (double)d) + reg;
		break;
	}
	return am_gmm_prepare(g, err);
}

/*
 * Add to g->scat (lower triangles for full and tied) the scatter 'S0'
 * of 'nk0' rows around the means 'mu0', moved to g's means and weighted
 * 'f': f (S0 + nk0 (mu0 - mu)(mu0 - mu)').  'perm' (or NULL: the
 * identity) maps g's components to those of the statistics; 'z' is
 * scratch of d values.
 */
static void
add_scatter(struct am_gmm *g, double f, const double *nk0, const double *mu0,
    const double *s0, const size_t *perm, double *z)
{
	size_t k = g->k, d = g->d, c, a, b, pc;
	double fa, v;
	int tied_done = 0;

	for (c = 0; c < k; c++) {
		pc = perm != NULL ? perm[c] : c;
		fa = f * nk0[pc];
		for (a = 0; a < d; a++)
			z[a] = mu0[pc * d + a] - g->mu[c * d + a];
		switch (g->cov) {
		case AM_GMM_FULL:
		case AM_GMM_TIED: {
			double *m = g->cov == AM_GMM_FULL ? g->scat + c * d * d
			                                  : g->scat;
			const double *o =
			    g->cov == AM_GMM_FULL ? s0 + pc * d * d : s0;
			int own = g->cov == AM_GMM_FULL || !tied_done;
			for (a = 0; a < d; a++)
				for (b = 0; b <= a; b++)
					m[a * d + b] +=
					    (own ? f * o[a * d + b] : 0) +
					    fa * z[a] * z[b];
			tied_done = 1;
			break;
		}
		case AM_GMM_DIAG:
			for (a = 0; a < d; a++)
				g->scat[c * d + a] +=
				    f * s0[pc * d + a] + fa * z[a] * z[a];
			break;
		default:
			for (v = 0, a = 0; a < d; a++)
				v += z[a] * z[a];
			g->scat[c] += f * s0[pc] + fa * v;
			break;
		}
	}
}

/*
 * The M-step from the task slots of an acc pass, with the old
 * statistics of 'pr' when not NULL: counts and means, then a C pass for
 * the scatter, then weights, covariances and their factors.
 */
static int
mstep(struct am_gmm *g, struct em_job *j, size_t ntasks, double reg,
    const struct prior *pr, struct am_pool *pool, struct am_err *err)
{
	size_t k = g->k, d = g->d, c, q, t, a, len = sigma_len(g->cov, k, d);
	double v;

	for (c = 0; c < k; c++) {
		double s = pr != NULL ? pr->f * pr->nk[c] : 0;
		for (t = 0; t < ntasks; t++)
			s += j->nk[t * k + c];
		g->nk[c] = s + 10 * DBL_EPSILON;
		for (q = 0; q < d; q++) {
			double m = pr != NULL
			    ? pr->f * pr->nk[c] * pr->mu[c * d + q]
			    : 0;
			for (t = 0; t < ntasks; t++)
				m += j->sx[(t * k + c) * d + q];
			g->mu[c * d + q] = m / g->nk[c];
		}
	}
	j->mu = g->mu;
	am_seg_run(pool, ntasks, cov_task, j);
	for (a = 0; a < len; a++) {
		for (v = 0, t = 0; t < ntasks; t++)
			v += j->cv[t * len + a];
		g->scat[a] = v;
	}
	if (pr != NULL)
		add_scatter(g, pr->f, pr->nk, pr->mu, pr->scat, NULL,
		    j->scratch);
	return from_stats(g, reg, err);
}

/*
 * E and M steps on the rows of 'j' from the parameters in 'g', until
 * the mean log-likelihood settles; then the log-likelihood of the final
 * parameters.  The trace into g->trace (max_iter + 1 values).
 */
static int
em_loop(struct am_gmm *g, size_t n, const struct am_gmm_params *p,
    struct em_job *j, size_t ntasks, int max_iter, const struct prior *pr,
    struct am_err *err)
{
	double ll, prev = -HUGE_VAL, tol = p->tol < 0 ? 1e-3 : p->tol,
	           reg = p->reg < 0 ? 1e-6 : p->reg;
	size_t t;
	int it, rc;

	g->converged = 0;
	j->estep = 1;
	for (it = 0; it < max_iter; it++) {
		am_seg_run(p->pool, ntasks, acc_task, j);
		for (ll = 0, t = 0; t < ntasks; t++)
			ll += j->ll[t];
		ll /= (double)n;
		g->trace[it] = ll;
		if ((rc = mstep(g, j, ntasks, reg, pr, p->pool, err)) != 0)
			return rc;
		if (fabs(ll - prev) < tol) {
			g->converged = 1;
			it++;
			break;
		}
		prev = ll;
	}
	g->iter = it;
	/* The log-likelihood of the final parameters. */
	am_seg_run(p->pool, ntasks, acc_task, j);
	for (ll = 0, t = 0; t < ntasks; t++)
		ll += j->ll[t];
	g->loglik = ll / (double)n;
	return 0;
}

/* One restart into 'g' (allocated); the trace into g->trace. */
static int
em(struct am_gmm *g, const double *x, size_t n, const struct am_gmm_params *p,
    struct am_rand *r, struct em_job *j, size_t ntasks, int max_iter,
    struct am_err *err)
{
	size_t k = g->k, d = g->d, i, c;
	double *cent = g->mu, reg = p->reg < 0 ? 1e-6 : p->reg;
	int rc;
	struct am_kmeans km = { 0 };

	/*
	 * Seed: k-means++ centers (into mu), each row to the nearest.  The
	 * responsibilities, filled next, lend k-means++ its scratch.
	 */
	if ((rc = am_kmeans_pp_work(x, n, d, k, r, p->pool, cent,
	         am_kmeans_pp_len(n, k) <= n * k ? j->resp : NULL, err)) != 0)
		return rc;
	km.k = k;
	km.d = d;
	km.centers = cent;
	for (i = 0; i < n; i++) {
		c = am_kmeans_nearest(&km, x + i * d, NULL);
		memset(j->resp + i * k, 0, k * sizeof(double));
		j->resp[i * k + c] = 1;
	}
	j->estep = 0;
	am_seg_run(p->pool, ntasks, acc_task, j);
	if ((rc = mstep(g, j, ntasks, reg, NULL, p->pool, err)) != 0)
		return rc;
	return em_loop(g, n, p, j, ntasks, max_iter, NULL, err);
}

static int
alloc_gmm(struct am_gmm *g, size_t k, size_t d, int cov, int max_iter)
{
	g->k = k;
	g->d = d;
	g->cov = cov;
	g->w = malloc(k * sizeof(double));
	g->mu = malloc((k * d + 1) * sizeof(double));
	g->sigma = malloc((sigma_len(cov, k, d) + 1) * sizeof(double));
	g->trace = malloc(((size_t)max_iter + 1) * sizeof(double));
	g->nk = malloc(k * sizeof(double));
	g->scat = malloc((sigma_len(cov, k, d) + 1) * sizeof(double));
	return g->w && g->mu && g->sigma && g->trace && g->nk && g->scat ? 0
	                                                                 : -1;
}

static void
swap_gmm(struct am_gmm *a, struct am_gmm *b)
{
	struct am_gmm t = *a;

	*a = *b;
	*b = t;
}

static void
job_free(struct em_job *j)
{
	free(j->resp);
	free(j->ll);
	free(j->nk);
	free(j->sx);
	free(j->cv);
	free(j->scratch);
	memset(j, 0, sizeof(*j));
}

/* The buffers of an EM run on the 'n' rows at 'x'; the task count, or 0
 * when out of memory. */
static size_t
job_init(struct em_job *j, const double *x, size_t n, size_t d, size_t k,
    int cov)
{
	size_t ntasks, len = sigma_len(cov, k, d);

	memset(j, 0, sizeof(*j));
	ntasks = am_seg_tasks(n, &j->chunk);
	j->x = x;
	j->n = n;
	j->d = d;
	j->k = k;
	j->resp = am_seg_alloc((n * k + 1) * sizeof(double));
	j->ll = malloc(ntasks * sizeof(double));
	j->nk = malloc(ntasks * k * sizeof(double));
	j->sx = malloc((ntasks * k * d + 1) * sizeof(double));
	j->cv = malloc((ntasks * len + 1) * sizeof(double));
	j->scratch = malloc(ntasks * (d + k) * sizeof(double));
	if (j->resp == NULL || j->ll == NULL || j->nk == NULL ||
	    j->sx == NULL || j->cv == NULL || j->scratch == NULL) {
		job_free(j);
		return 0;
	}
	return ntasks;
}

int
am_gmm_fit(struct am_gmm *g, const double *x, size_t n, size_t d,
    const struct am_gmm_params *p, struct am_err *err)
{
	struct am_gmm cur = { 0 };
	struct em_job j;
	struct am_rand r;
	size_t ntasks, k = p->k;
	int rs, rc = 0, restarts = p->restarts > 0 ? p->restarts : 1;
	int max_iter = p->max_iter > 0 ? p->max_iter : 100;

	memset(g, 0, sizeof(*g));
	memset(&j, 0, sizeof(j));
	if (k == 0 || k > n)
		return am_seterr(err, AM_EARG,
		    "k %zu is larger than the %zu rows", k, n);
	if (p->cov < 0 || p->cov > AM_GMM_TIED)
		return am_seterr(err, AM_EARG, "unknown covariance type");
	ntasks = job_init(&j, x, n, d, k, p->cov);
	if (ntasks == 0 || alloc_gmm(&cur, k, d, p->cov, max_iter) != 0) {
		rc = am_seterr(err, AM_ENOMEM, "out of memory");
		goto out;
	}
	g->loglik = -HUGE_VAL;
	for (rs = 0; rs < restarts; rs++) {
		am_rand_seed(&r,
		    p->seed + UINT64_C(0x9e3779b97f4a7c15) * (uint64_t)rs);
		j.g = &cur;
		if ((rc = em(&cur, x, n, p, &r, &j, ntasks, max_iter, err)) !=
		    0)
			goto out;
		if (rs == 0 || cur.loglik > g->loglik)
			swap_gmm(g, &cur);
		if (cur.w == NULL &&
		    alloc_gmm(&cur, k, d, p->cov, max_iter) != 0) {
			rc = am_seterr(err, AM_ENOMEM, "out of memory");
			goto out;
		}
	}
out:
	if (rc != 0)
		am_gmm_release(g);
	am_gmm_release(&cur);
	job_free(&j);
	return rc;
}

int
am_gmm_update(struct am_gmm *g, const double *x, size_t n, double decay,
    const struct am_gmm_params *p, struct am_err *err)
{
	struct em_job j;
	struct prior pr;
	size_t k = g->k, d = g->d, ntasks, len = sigma_len(g->cov, g->k, g->d);
	int rc, max_iter = p->max_iter > 0 ? p->max_iter : 100;
	double *tr;

	if (n == 0)
		return am_seterr(err, AM_EARG, "no rows to update with");
	pr.f = decay < 0 ? 0 : decay > 1 ? 1 : decay;
	pr.nk = malloc((k + k * d + len + 1) * sizeof(double));
	tr = realloc(g->trace, ((size_t)max_iter + 1) * sizeof(double));
	if (tr != NULL)
		g->trace = tr;
	ntasks = job_init(&j, x, n, d, k, g->cov);
	if (pr.nk == NULL || tr == NULL || ntasks == 0) {
		free(pr.nk);
		job_free(&j);
		return am_seterr(err, AM_ENOMEM, "out of memory");
	}
	pr.mu = pr.nk + k;
	pr.scat = pr.mu + k * d;
	memcpy(pr.nk, g->nk, k * sizeof(double));
	memcpy(pr.mu, g->mu, k * d * sizeof(double));
	memcpy(pr.scat, g->scat, len * sizeof(double));
	j.g = g;
	rc = em_loop(g, n, p, &j, ntasks, max_iter, &pr, err);
	free(pr.nk);
	job_free(&j);
	return rc;
}

void
am_gmm_derive_stats(struct am_gmm *g, double rows, double reg)
{
	size_t k = g->k, d = g->d, c, a, b, len = sigma_len(g->cov, k, d);
	double v, den;

	for (c = 0; c < k; c++)
		g->nk[c] = g->w[c] * rows;
	for (a = 0; a < len; a++) {
		switch (g->cov) {
		case AM_GMM_FULL:
			c = a / (d * d);
			b = a % (d * d);
			den = g->nk[c];
			v = g->sigma[a] - (b / d == b % d ? reg : 0);
			if (b / d == b % d && v < 0)
				v = 0;
			break;
		case AM_GMM_TIED:
			den = rows;
			v = g->sigma[a] - (a / d == a % d ? reg : 0);
			if (a / d == a % d && v < 0)
				v = 0;
			break;
		case AM_GMM_DIAG:
			den = g->nk[a / d];
			v = g->sigma[a] > reg ? g->sigma[a] - reg : 0;
			break;
		default:
			den = g->nk[a] * (double)d;
			v = g->sigma[a] > reg ? g->sigma[a] - reg : 0;
			break;
		}
		g->scat[a] = v * den;
	}
}

int
am_gmm_merge(struct am_gmm *g, const struct am_gmm *const *src, size_t n,
    double reg, struct am_err *err)
{
	size_t k = src[0]->k, d = src[0]->d, i, c, q, *perm = NULL,
	       len = sigma_len(src[0]->cov, k, d);
	unsigned char *used = NULL;
	double *z = NULL, ll = 0, tot;
	int rc = AM_ENOMEM;

	memset(g, 0, sizeof(*g));
	for (i = 1; i < n; i++)
		if (src[i]->k != k || src[i]->d != d ||
		    src[i]->cov != src[0]->cov)
			return am_seterr(err, AM_EMODEL,
			    "model %zu has k %zu and %s covariance, model 1 k "
			    "%zu and %s: cannot merge",
			    i + 1, src[i]->k, am_gmm_cov_name(src[i]->cov), k,
			    am_gmm_cov_name(src[0]->cov));
	perm = malloc(n * k * sizeof(*perm));
	used = malloc(2 * k);
	z = malloc((d + 1) * sizeof(double));
	if (perm == NULL || used == NULL || z == NULL ||
	    alloc_gmm(g, k, d, src[0]->cov, 1) != 0)
		goto out;
	/* Counts and means, each shard's components in src[0]'s order. */
	memset(g->nk, 0, k * sizeof(double));
	memset(g->mu, 0, k * d * sizeof(double));
	for (i = 0; i < n; i++) {
		size_t *pm = perm + i * k, pc;
		if (i == 0)
			for (c = 0; c < k; c++)
				pm[c] = c;
		else
			am_seg_match(src[0]->mu, src[i]->mu, k, d, pm, used);
		for (c = 0; c < k; c++) {
			pc = pm[c];
			g->nk[c] += src[i]->nk[pc];
			for (q = 0; q < d; q++)
				g->mu[c * d + q] +=
				    src[i]->nk[pc] * src[i]->mu[pc * d + q];
			ll += src[i]->nk[pc] * src[i]->loglik;
		}
	}
	for (c = 0; c < k; c++) {
		if (!(g->nk[c] > 0)) {
			rc = am_seterr(err, AM_EARG,
			    "component %zu is empty in every model", c);
			goto out;
		}
		for (q = 0; q < d; q++)
			g->mu[c * d + q] /= g->nk[c];
	}
	/* The scatters moved to the merged means, then one M-step. */
	memset(g->scat, 0, len * sizeof(double));
	for (i = 0; i < n; i++)
		add_scatter(g, 1, src[i]->nk, src[i]->mu, src[i]->scat,
		    perm + i * k, z);
	if ((rc = from_stats(g, reg, err)) != 0)
		goto out;
	for (tot = 0, c = 0; c < k; c++)
		tot += g->nk[c];
	g->loglik = ll / tot;
	g->iter = 0;
	g->converged = 1;
out:
	if (rc == AM_ENOMEM)
		am_seterr(err, AM_ENOMEM, "out of memory");
	if (rc != 0)
		am_gmm_release(g);
	free(perm);
	free(used);
	free(z);
	return rc;
}

/*
 * The "gmm" model.  State: the mixture, the output names, and when K was
 * chosen from a range the table of (K, log-likelihood, BIC, AIC).
 *
 * Payload version 2 appends to version 1 the rows the statistics stand
 * for, the covariance floor, and the statistics (nk, scat) that
 * am_gmm_update() and am_gmm_merge() start from.  Version 1 artifacts
 * still load: their statistics are derived from the parameters, the
 * artifact's training rows (lineage.input.rows) and hyper.reg_covar.
 */
#define GMM_VERSION 2

struct gmm_row {
	size_t k;
	double loglik, bic, aic; /* loglik: mean per row */
};

struct gmm_state {
	struct am_gmm g;
	struct gmm_row *sel;
	size_t nsel;
	double rows;  /* rows the statistics stand for (decayed) */
	double reg;   /* the covariance floor of the fit */
	double decay; /* of the last update; < 0: not updated */
	int select;
	struct am_seg_params sp;
	char **names; /* k + 2 output names */
};

static void
gmm_free(void *state)
{
	struct gmm_state *s = state;
	size_t i;

	if (s == NULL)
		return;
	if (s->names != NULL)
		for (i = 0; i < s->g.k + 2; i++)
			free(s->names[i]);
	free(s->names);
	am_gmm_release(&s->g);
	free(s->sel);
	free(s);
}

static int
make_names(struct gmm_state *s)
{
	size_t i, k = s->g.k;
	char buf[32];

	if ((s->names = calloc(k + 2, sizeof(char *))) == NULL)
		return -1;
	for (i = 0; i < k + 2; i++) {
		if (i == 0)
			(void)snprintf(buf, sizeof(buf), "segment");
		else if (i == k + 1)
			(void)snprintf(buf, sizeof(buf), "logdensity");
		else
			(void)snprintf(buf, sizeof(buf), "p_%zu", i - 1);
		if ((s->names[i] = strdup(buf)) == NULL)
			return -1;
	}
	return 0;
}

static void
criteria(struct gmm_row *row, const struct am_gmm *g, double n)
{
	double p = (double)am_gmm_nparams(g), ll = g->loglik * n;

	row->k = g->k;
	row->loglik = g->loglik;
	row->bic = -2 * ll + p * log(n);
	row->aic = -2 * ll + 2 * p;
}

static int
gmm_fit(struct am_model *m, const struct am_table *t,
    const struct am_model_params *p, struct am_err *err)
{
	struct am_gmm_params gp = AM_GMM_PARAMS_INIT;
	struct am_gmm cur;
	struct gmm_state *s;
	struct am_pool *pool = NULL;
	const double *x = NULL;
	double *own = NULL, best = HUGE_VAL, v;
	size_t k, n = t->rows, d = t->schema.nfeat;
	int rc;

	if (d == 0)
		return am_seterr(err, AM_EARG, "%s: no feature columns",
		    t->input);
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return am_seterr(err, AM_ENOMEM, "out of memory");
	if ((rc = am_seg_params_get(p, 1, &s->sp, &pool, err)) != 0)
		goto fail;
	if (s->sp.select == AM_SEG_SILHOUETTE) {
		rc = am_seterr(err, AM_EARG,
		    "--select silhouette is for kmeans; gmm selects by bic "
		    "or aic");
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
	s->rows = (double)n;
	s->reg = s->sp.reg_covar < 0 ? 1e-6 : s->sp.reg_covar;
	s->decay = -1;
	s->select = s->sp.select < 0 ? AM_SEG_BIC : s->sp.select;
	s->nsel = s->sp.kmax - s->sp.kmin + 1;
	if ((s->sel = calloc(s->nsel, sizeof(*s->sel))) == NULL) {
		rc = am_seterr(err, AM_ENOMEM, "out of memory");
		goto fail;
	}
	gp.cov = s->sp.cov;
	gp.restarts = s->sp.restarts;
	gp.max_iter = p->max_iter;
	gp.tol = s->sp.tol;
	gp.reg = s->sp.reg_covar;
	gp.seed = p->seed;
	gp.pool = pool;
	for (k = s->sp.kmin; k <= s->sp.kmax; k++) {
		struct gmm_row *row = &s->sel[k - s->sp.kmin];
		gp.k = k;
		if ((rc = am_gmm_fit(&cur, x, n, d, &gp, err)) != 0) {
			if (s->nsel > 1)
				am_err_prefix(err, "k %zu", k);
			goto fail;
		}
		criteria(row, &cur, (double)n);
		v = s->select == AM_SEG_AIC ? row->aic : row->bic;
		if (s->g.w == NULL || v < best) {
			best = v;
			am_gmm_release(&s->g);
			s->g = cur;
		} else
			am_gmm_release(&cur);
	}
	if (make_names(s) != 0) {
		rc = am_seterr(err, AM_ENOMEM, "out of memory");
		goto fail;
	}
	free(own);
	am_pool_free(pool);
	am_model_set_state(m, s);
	return 0;
fail:
	free(own);
	am_pool_free(pool);
	gmm_free(s);
	return rc;
}

static void
gmm_predict(const struct am_model *m, size_t nnz, const uint32_t *idx,
    const double *val, double *out)
{
	const struct gmm_state *s = am_model_state(m);
	size_t d = s->g.d, k = s->g.k, c, e, best = 0;
	double stack[512], *buf = stack;

	if (2 * d + k > 512 &&
	    (buf = malloc((2 * d + k) * sizeof(double))) == NULL) {
		for (c = 0; c < k + 2; c++)
			out[c] = (double)NAN;
		return;
	}
	memset(buf, 0, d * sizeof(double));
	for (e = 0; e < nnz; e++)
		if (idx[e] < d)
			buf[idx[e]] = val[e];
	out[k + 1] = am_gmm_score(&s->g, buf, out + 1, buf + d);
	for (c = 1; c < k; c++)
		if (out[1 + c] > out[1 + best])
			best = c;
	out[0] = (double)best;
	if (buf != stack)
		free(buf);
}

static size_t
gmm_nout(const struct am_model *m)
{
	const struct gmm_state *s = am_model_state(m);

	return s->g.k + 2;
}

static const char *
gmm_outname(const struct am_model *m, size_t k)
{
	const struct gmm_state *s = am_model_state(m);

	return k < s->g.k + 2 ? s->names[k] : "?";
}

/* Covariance (a, b) of component c, whatever the type. */
static double
cov_at(const struct am_gmm *g, size_t c, size_t a, size_t b)
{
	size_t d = g->d;

	switch (g->cov) {
	case AM_GMM_FULL:
		return g->sigma[c * d * d + a * d + b];
	case AM_GMM_DIAG:
		return a == b ? g->sigma[c * d + a] : 0;
	case AM_GMM_SPHERICAL:
		return a == b ? g->sigma[c] : 0;
	default:
		return g->sigma[a * d + b];
	}
}

/* "a,b,c" of 'n' values through 'get' into an artifact key. */
static int
set_list(struct am_art *a, const char *key, const struct am_gmm *g, size_t c,
    size_t n, int what)
{
	struct am_buf b = AM_BUF_INIT;
	char num[40];
	size_t i;
	int rc;

	for (i = 0; i < n; i++) {
		double v = what == 0 ? g->mu[c * g->d + i]
		                     : cov_at(g, c, i / g->d, i % g->d);
		(void)snprintf(num, sizeof(num), "%s%.10g", i > 0 ? "," : "",
		    v);
		am_buf_put(&b, num, strlen(num));
	}
	am_buf_put(&b, "", 1);
	rc = am_buf_error(&b) ? AM_ENOMEM
	                      : am_art_set(a, key, (const char *)b.data);
	am_buf_release(&b);
	return rc;
}

/* The parameters as text meta, for am-model show: segment.K.weight,
 * .mean (d values) and .cov (d x d, row-major, whatever the type). */
static int
save_params(const struct am_gmm *g, struct am_art *a)
{
	char key[64];
	size_t c;
	int rc = 0;

	for (c = 0; c < g->k && rc == 0; c++) {
		(void)snprintf(key, sizeof(key), "segment.%zu.weight", c);
		rc = am_art_setf(a, key, "%.10g", g->w[c]);
		(void)snprintf(key, sizeof(key), "segment.%zu.mean", c);
		if (rc == 0)
			rc = set_list(a, key, g, c, g->d, 0);
		(void)snprintf(key, sizeof(key), "segment.%zu.cov", c);
		if (rc == 0)
			rc = set_list(a, key, g, c, g->d * g->d, 1);
	}
	return rc;
}

static int
gmm_save(const struct am_model *m, struct am_art *a, struct am_err *err)
{
	const struct gmm_state *s = am_model_state(m);
	const struct am_gmm *g = &s->g;
	struct am_buf b = AM_BUF_INIT, tr = AM_BUF_INIT;
	size_t i, nsel = s->nsel;
	struct gmm_row row;
	char key[64], num[32];
	int rc;

	am_buf_u32(&b, GMM_VERSION);
	am_buf_u32(&b, (uint32_t)g->k);
	am_buf_u32(&b, (uint32_t)g->d);
	am_buf_u32(&b, (uint32_t)g->cov);
	am_buf_f64s(&b, g->w, g->k);
	am_buf_f64s(&b, g->mu, g->k * g->d);
	am_buf_f64s(&b, g->sigma, sigma_len(g->cov, g->k, g->d));
	am_buf_f64(&b, g->loglik);
	am_buf_u32(&b, (uint32_t)g->iter);
	am_buf_u8(&b, (uint8_t)g->converged);
	am_buf_f64s(&b, g->trace, (size_t)g->iter);
	am_buf_u32(&b, (uint32_t)nsel);
	for (i = 0; i < nsel; i++) {
		am_buf_u32(&b, (uint32_t)s->sel[i].k);
		am_buf_f64(&b, s->sel[i].loglik);
		am_buf_f64(&b, s->sel[i].bic);
		am_buf_f64(&b, s->sel[i].aic);
	}
	am_buf_f64(&b, s->rows);
	am_buf_f64(&b, s->reg);
	am_buf_f64s(&b, g->nk, g->k);
	am_buf_f64s(&b, g->scat, sigma_len(g->cov, g->k, g->d));
	rc = am_art_add_buf(a, "gmm", &b);
	am_buf_release(&b);
	for (i = 0; i < (size_t)g->iter; i++) {
		(void)snprintf(num, sizeof(num), "%s%.10g", i > 0 ? "," : "",
		    g->trace[i]);
		am_buf_put(&tr, num, strlen(num));
	}
	am_buf_put(&tr, "", 1);
	if (rc == 0 && am_buf_error(&tr))
		rc = AM_ENOMEM;
	if (rc == 0)
		rc = am_art_setf(a, "hyper.k", "%zu", g->k);
	if (rc == 0 && nsel > 1)
		rc = am_art_setf(a, "hyper.k_range", "%zu..%zu", s->sp.kmin,
		    s->sp.kmax);
	if (rc == 0 && nsel > 1)
		rc = am_art_set(a, "hyper.select",
		    s->select == AM_SEG_AIC ? "aic" : "bic");
	if (rc == 0)
		rc = am_art_set(a, "hyper.covariance", am_gmm_cov_name(g->cov));
	if (rc == 0)
		rc = am_art_setf(a, "hyper.restarts", "%d",
		    s->sp.restarts > 0 ? s->sp.restarts : 1);
	if (rc == 0)
		rc = am_art_setf(a, "hyper.tol", "%g",
		    s->sp.tol < 0 ? 1e-3 : s->sp.tol);
	if (rc == 0)
		rc = am_art_setf(a, "hyper.reg_covar", "%g", s->reg);
	if (rc == 0 && s->decay >= 0)
		rc = am_art_setf(a, "hyper.decay", "%g", s->decay);
	criteria(&row, g, s->rows);
	if (rc == 0)
		rc = am_art_setf(a, "metric.loglik", "%.17g", g->loglik);
	if (rc == 0)
		rc = am_art_setf(a, "metric.objective", "%.17g", g->loglik);
	if (rc == 0)
		rc = am_art_setf(a, "metric.bic", "%.17g", row.bic);
	if (rc == 0)
		rc = am_art_setf(a, "metric.aic", "%.17g", row.aic);
	if (rc == 0)
		rc = am_art_setf(a, "metric.iterations", "%d", g->iter);
	if (rc == 0)
		rc = am_art_setf(a, "metric.converged", "%d", g->converged);
	if (rc == 0)
		rc = am_art_set(a, "metric.trace", (const char *)tr.data);
	for (i = 0; rc == 0 && nsel > 1 && i < nsel; i++) {
		(void)snprintf(key, sizeof(key), "metric.select.k%zu",
		    s->sel[i].k);
		rc = am_art_setf(a, key, "loglik=%.10g bic=%.10g aic=%.10g",
		    s->sel[i].loglik, s->sel[i].bic, s->sel[i].aic);
	}
	am_buf_release(&tr);
	if (rc == 0)
		rc = save_params(g, a);
	return rc != 0 ? am_seterr(err, AM_ENOMEM, "out of memory") : 0;
}

static int
gmm_load(struct am_model *m, const struct am_art *a, struct am_err *err)
{
	struct gmm_state *s;
	struct am_gmm *g;
	struct am_rd r;
	const void *sec;
	size_t len, i, sl;
	uint32_t ver, k, d, cov;
	double tot = 0;

	if ((sec = am_art_section(a, "gmm", &len)) == NULL)
		return am_seterr(err, AM_EFORMAT, "no 'gmm' section");
	am_rd_init(&r, sec, len);
	ver = am_rd_u32(&r);
	k = am_rd_u32(&r);
	d = am_rd_u32(&r);
	cov = am_rd_u32(&r);
	if (am_rd_error(&r) || ver < 1 || ver > GMM_VERSION || k == 0 ||
	    d != am_model_nfeat(m) || cov > AM_GMM_TIED ||
	    (size_t)k * d > am_rd_left(&r) / 8)
		return am_seterr(err, AM_EFORMAT, "malformed 'gmm' section");
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return am_seterr(err, AM_ENOMEM, "out of memory");
	g = &s->g;
	sl = sigma_len((int)cov, k, d);
	s->decay = -1;
	s->sp = (struct am_seg_params)AM_SEG_PARAMS_INIT;
	s->sp.restarts = (int)am_art_get_num(a, "hyper.restarts", 1, 1e6, 1);
	s->sp.tol = am_art_get_num(a, "hyper.tol", 0, 1e9, 1e-3);
	if (sl > am_rd_left(&r) / 8 || alloc_gmm(g, k, d, (int)cov, 1) != 0) {
		gmm_free(s);
		return am_seterr(err, AM_EFORMAT, "malformed 'gmm' section");
	}
	am_rd_f64s(&r, g->w, k);
	am_rd_f64s(&r, g->mu, (size_t)k * d);
	am_rd_f64s(&r, g->sigma, sl);
	g->loglik = am_rd_f64(&r);
	g->iter = (int)am_rd_u32(&r);
	g->converged = am_rd_u8(&r);
	if (am_rd_error(&r) || (size_t)g->iter > am_rd_left(&r) / 8)
		goto bad;
	free(g->trace);
	if ((g->trace = malloc(((size_t)g->iter + 1) * sizeof(double))) == NULL)
		goto bad;
	am_rd_f64s(&r, g->trace, (size_t)g->iter);
	s->nsel = am_rd_u32(&r);
	if (am_rd_error(&r) || s->nsel > am_rd_left(&r) / 28 ||
	    (s->sel = calloc(s->nsel + 1, sizeof(*s->sel))) == NULL)
		goto bad;
	for (i = 0; i < s->nsel; i++) {
		s->sel[i].k = am_rd_u32(&r);
		s->sel[i].loglik = am_rd_f64(&r);
		s->sel[i].bic = am_rd_f64(&r);
		s->sel[i].aic = am_rd_f64(&r);
	}
	if (ver >= 2) {
		s->rows = am_rd_f64(&r);
		s->reg = am_rd_f64(&r);
		am_rd_f64s(&r, g->nk, k);
		am_rd_f64s(&r, g->scat, sl);
	} else {
		s->rows = am_art_get_num(a, "lineage.input.rows", 0, 1e18, 1);
		s->reg = am_art_get_num(a, "hyper.reg_covar", 0, 1e9, 1e-6);
	}
	if (am_rd_error(&r) || am_rd_left(&r) != 0 || !(s->rows > 0) ||
	    !isfinite(s->rows) || !(s->reg >= 0) || !isfinite(s->reg))
		goto bad;
	s->sp.reg_covar = s->reg;
	for (i = 0; i < k; i++) {
		if (!(g->w[i] > 0) || !isfinite(g->w[i]))
			goto bad;
		tot += g->w[i];
	}
	if (fabs(tot - 1) > 1e-6)
		goto bad;
	for (i = 0; i < (size_t)k * d; i++)
		if (!isfinite(g->mu[i]))
			goto bad;
	if (ver < 2)
		am_gmm_derive_stats(g, s->rows, s->reg);
	for (i = 0; i < k; i++)
		if (!(g->nk[i] >= 0) || !isfinite(g->nk[i]))
			goto bad;
	for (i = 0; i < sl; i++)
		if (!isfinite(g->scat[i]))
			goto bad;
	if (am_gmm_prepare(g, NULL) != 0 || make_names(s) != 0)
		goto bad;
	am_model_set_state(m, s);
	return 0;
bad:
	gmm_free(s);
	return am_seterr(err, AM_EFORMAT, "malformed 'gmm' section");
}

/*
 * --update: EM from the stored parameters on the new rows, the old
 * statistics counted --decay times; K, the covariance type and the
 * floor are the model's, the tolerance this run's when given.
 */
static int
gmm_update(struct am_model *m, const struct am_table *t,
    const struct am_model_params *p, struct am_err *err)
{
	struct gmm_state *s = am_model_state(m);
	struct am_gmm_params gp = AM_GMM_PARAMS_INIT;
	struct am_seg_params sp;
	struct am_pool *pool = NULL;
	const double *x;
	double *own = NULL, decay;
	int rc;

	if ((rc = am_seg_params_get(p, 1, &sp, &pool, err)) != 0)
		return rc;
	if ((x = am_seg_dense(t, &own, err)) == NULL) {
		am_pool_free(pool);
		return err != NULL ? err->code : AM_ENOMEM;
	}
	decay = sp.decay < 0 ? 1 : sp.decay;
	gp.max_iter = p->max_iter;
	gp.tol = sp.tol >= 0 ? sp.tol : s->sp.tol;
	gp.reg = s->reg;
	gp.pool = pool;
	rc = am_gmm_update(&s->g, x, t->rows, decay, &gp, err);
	if (rc != 0 && t->rows == 0)
		am_err_prefix(err, "%s", t->input);
	free(own);
	am_pool_free(pool);
	if (rc != 0)
		return rc;
	s->rows = decay * s->rows + (double)t->rows;
	s->decay = decay;
	s->sp.tol = gp.tol;
	s->nsel = 0; /* the K table was the old fit's */
	return 0;
}

/*
 * am-model merge: summed statistics, one M-step (am_gmm_merge()); the
 * shards' rows are in their statistics, so 'w' is not needed.
 */
static int
gmm_merge(struct am_model *m, const struct am_model *const *src,
    const double *w, size_t n, struct am_err *err)
{
	const struct gmm_state *s0 = am_model_state(src[0]);
	const struct am_gmm **gs;
	struct gmm_state *s;
	size_t i;
	int rc;

	(void)w;
	if ((s = calloc(1, sizeof(*s))) == NULL ||
	    (gs = malloc(n * sizeof(*gs))) == NULL) {
		free(s);
		return am_seterr(err, AM_ENOMEM, "out of memory");
	}
	s->sp = s0->sp;
	s->reg = s0->reg;
	s->decay = -1;
	for (i = 0; i < n; i++) {
		const struct gmm_state *si = am_model_state(src[i]);
		gs[i] = &si->g;
		s->rows += si->rows;
	}
	rc = am_gmm_merge(&s->g, gs, n, s->reg, err);
	free(gs);
	if (rc == 0 && make_names(s) != 0)
		rc = am_seterr(err, AM_ENOMEM, "out of memory");
	if (rc != 0) {
		gmm_free(s);
		return rc;
	}
	am_model_set_state(m, s);
	return 0;
}

const struct am_model_ops am_gmm_ops = {
	.name = "gmm",
	.fit = gmm_fit,
	.predict = gmm_predict,
	.save = gmm_save,
	.load = gmm_load,
	.free = gmm_free,
	.nout = gmm_nout,
	.outname = gmm_outname,
	.update = gmm_update,
	.merge = gmm_merge,
};
