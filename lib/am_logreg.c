/* SPDX-License-Identifier: MIT */
/*
 * am_logreg.c -- the TRON solver for L2-regularised logistic regression
 * (see am_logreg.h for the problem and the references).
 *
 * Data passes dominate the cost, so each is fused: one pass over the rows
 * computes the objective, the gradient, the Hessian's diagonal D and the
 * preconditioner together (LIBLINEAR needs two passes for this), and one
 * pass per conjugate-gradient step computes H v (row i's x_i'v is used at
 * once to add D_ii x_i'v x_i).  The objective is evaluated at a trial
 * point with its gradient; a rejected trial point costs nothing more than
 * the objective would have, and rejections are rare.
 *
 * Determinism across thread counts: see "chunks" below.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "am_logreg.h"
#include "am_pool.h"

#include "am_banned.h"

/* Trust-region constants (Lin and More 1999; Hsia, Chiang and Lin 2017). */
#define ETA0       1e-4
#define ETA1       0.25
#define ETA2       0.75
#define SIGMA1     0.25
#define SIGMA2     0.5
#define SIGMA3     4.0
#define EPS_CG     0.1  /* CG stops when ||r|| <= EPS_CG ||g|| (M norms) */
#define ALPHA_PCG  0.01 /* preconditioner (1 - a) I + a diag(H) */
#define MAX_CHUNKS 16

enum job { JOB_FUNGRAD, JOB_HV };

struct prob {
	const struct am_csr *x;
	size_t nfeat, nw, n;
	const double *y, *cost;
	double bias;
	int intercept;
	int sqhinge;           /* squared hinge loss instead of logistic */
	int pfull;             /* ph is nw x nw, else its diagonal */
	const double *ph, *pb; /* the prior 1/2 w'Pw - b'w, or NULL */
	/*
	 * Chunks: rows [cbeg[k], cbeg[k+1]) sum into buf + 2 k nw (two
	 * vectors: gradient and diagonal, or H v) and part[k].
	 */
	size_t nchunk, *cbeg;
	double *buf, *part;
	struct am_pool *pool; /* NULL: run chunks in order on this thread */
	/* The current job's arguments. */
	enum job job;
	const double *in;  /* w for JOB_FUNGRAD, v for JOB_HV */
	double *dout;      /* D_ii: written by FUNGRAD */
	const double *din; /* D_ii: read by HV */
};

static double
regw(const struct prob *p, size_t j)
{
	return j == p->nfeat && p->intercept ? 0.0 : 1.0;
}

double
am_sigmoid(double z)
{
	if (z >= 0)
		return 1.0 / (1.0 + exp(-z));
	return exp(z) / (1.0 + exp(z));
}

double
am_logreg_margin(const double *w, size_t nfeat, double bias, size_t nnz,
    const uint32_t *idx, const double *val)
{
	double s = 0;
	size_t k;

	for (k = 0; k < nnz; k++)
		if (idx[k] < nfeat)
			s += w[idx[k]] * val[k];
	if (bias > 0)
		s += w[nfeat] * bias;
	return s;
}

size_t
am_logreg_nweights(size_t nfeat, const struct am_logreg_param *p)
{
	return nfeat + (p->bias > 0 ? 1 : 0);
}

/*
 * Rows of chunk k: the objective terms, and the gradient and diagonal
 * sums, for JOB_FUNGRAD; H v sums for JOB_HV.
 */
static void
run_chunk(struct prob *p, size_t k)
{
	const struct am_csr *x = p->x;
	const uint32_t *idx = x->idx;
	const double *val = x->val, *in = p->in;
	double *g = p->buf + 2 * k * p->nw, *dg = g + p->nw;
	double bias = p->bias, inb = bias > 0 ? in[p->nfeat] : 0, f = 0;
	size_t i, e, nfeat = p->nfeat;
	int clip = x->cols > nfeat;

	memset(g, 0, 2 * p->nw * sizeof(double));
	for (i = p->cbeg[k]; i < p->cbeg[k + 1]; i++) {
		size_t b = x->ptr[i], kk;
		double z = inb * bias;

		e = x->ptr[i + 1];
		if (clip) {
			for (kk = b; kk < e; kk++)
				if (idx[kk] < nfeat)
					z += in[idx[kk]] * val[kk];
		} else {
			for (kk = b; kk < e; kk++)
				z += in[idx[kk]] * val[kk];
		}
		if (p->job == JOB_FUNGRAD) {
			double c = p->cost[i], yi = p->y[i], t = yi * z;
			double ex, s, loss, u, di;

			if (p->sqhinge) {
				double mg = 1 - t > 0 ? 1 - t : 0;
				loss = mg * mg;
				u = -2 * c * mg * yi;
				di = mg > 0 ? 2 * c : 0;
			} else if (t >= 0) {
				ex = exp(-t);
				loss = log1p(ex);
				s = 1.0 / (1.0 + ex);
			} else {
				ex = exp(t);
				loss = -t + log1p(ex);
				s = ex / (1.0 + ex);
			}
			if (!p->sqhinge) {
				di = c * s * (1.0 - s);
				u = c * (s - 1.0) * yi;
			}
			f += c * loss;
			p->dout[i] = di;
			for (kk = b; kk < e; kk++) {
				if (clip && idx[kk] >= nfeat)
					continue;
				g[idx[kk]] += u * val[kk];
				dg[idx[kk]] += di * val[kk] * val[kk];
			}
			if (bias > 0) {
				g[nfeat] += u * bias;
				dg[nfeat] += di * bias * bias;
			}
		} else {
			double t = p->din[i] * z;

			if (t == 0)
				continue;
			for (kk = b; kk < e; kk++) {
				if (clip && idx[kk] >= nfeat)
					continue;
				g[idx[kk]] += t * val[kk];
			}
			if (bias > 0)
				g[nfeat] += t * bias;
		}
	}
	p->part[k] = f;
}

static void
task(void *arg, size_t k)
{
	run_chunk(arg, k);
}

/*
 * Run the current job over all chunks, on the pool when there is one.
 * Each chunk writes only its own buffer, so who runs it does not matter.
 */
static void
run(struct prob *p)
{
	size_t k;

	if (p->pool != NULL) {
		am_pool_run(p->pool, p->nchunk, task, p);
		return;
	}
	for (k = 0; k < p->nchunk; k++)
		run_chunk(p, k);
}

/* Add the chunk buffers, in chunk order, into 'a' (and 'b' unless NULL). */
static void
reduce(const struct prob *p, double *a, double *b)
{
	size_t k, j, nw = p->nw;

	memcpy(a, p->buf, nw * sizeof(double));
	if (b != NULL)
		memcpy(b, p->buf + nw, nw * sizeof(double));
	for (k = 1; k < p->nchunk; k++) {
		const double *ga = p->buf + 2 * k * nw, *gb = ga + nw;
		for (j = 0; j < nw; j++)
			a[j] += ga[j];
		if (b != NULL)
			for (j = 0; j < nw; j++)
				b[j] += gb[j];
	}
}

/*
 * P v into 'out' (added to it) for the prior's P, full or diagonal.
 */
static void
prior_hv(size_t n, int full, const double *ph, const double *v, double *out)
{
	size_t j, k;

	for (j = 0; j < n; j++) {
		double s = 0;
		if (!full) {
			out[j] += ph[j] * v[j];
			continue;
		}
		for (k = 0; k < n; k++)
			s += ph[j * n + k] * v[k];
		out[j] += s;
	}
}

/* The prior term 1/2 w'Pw - b'w; its gradient P w - b added to 'g'. */
static double
prior(const struct prob *p, const double *w, double *g)
{
	size_t j, k, n = p->nw;
	double f = 0;

	for (j = 0; j < n; j++) {
		double pw = 0;
		if (p->pfull)
			for (k = 0; k < n; k++)
				pw += p->ph[j * n + k] * w[k];
		else
			pw = p->ph[j] * w[j];
		f += w[j] * (0.5 * pw - p->pb[j]);
		g[j] += pw - p->pb[j];
	}
	return f;
}

/*
 * f(w); the gradient into 'g', D_ii into 'd', and the preconditioner
 * (1 - a) + a diag(H) into 'm' (each unless NULL: then a scratch is used).
 */
static double
fungrad(struct prob *p, const double *w, double *g, double *d, double *m)
{
	size_t j, k;
	double f = 0;

	p->job = JOB_FUNGRAD;
	p->in = w;
	p->dout = d;
	run(p);
	reduce(p, g, m);
	for (k = 0; k < p->nchunk; k++)
		f += p->part[k];
	if (p->ph != NULL) {
		f += prior(p, w, g);
		for (j = 0; m != NULL && j < p->nw; j++)
			m[j] = (1 - ALPHA_PCG) +
			    ALPHA_PCG *
			        (m[j] + p->ph[p->pfull ? j * p->nw + j : j]);
		return f;
	}
	for (j = 0; j < p->nw; j++) {
		double r = regw(p, j);
		f += 0.5 * r * w[j] * w[j];
		g[j] += r * w[j];
		if (m != NULL)
			m[j] = (1 - ALPHA_PCG) + ALPHA_PCG * (m[j] + r);
	}
	return f;
}

/* out = H v, with D from the last accepted fungrad(). */
static void
hv(struct prob *p, const double *d, const double *v, double *out)
{
	size_t j;

	p->job = JOB_HV;
	p->in = v;
	p->din = d;
	run(p);
	reduce(p, out, NULL);
	if (p->ph != NULL) {
		prior_hv(p->nw, p->pfull, p->ph, v, out);
		return;
	}
	for (j = 0; j < p->nw; j++)
		out[j] += regw(p, j) * v[j];
}

static double
dot(size_t n, const double *a, const double *b)
{
	double s = 0;
	size_t j;

	for (j = 0; j < n; j++)
		s += a[j] * b[j];
	return s;
}

/* sqrt(v' M v) and sqrt(v' M^-1 v) for the diagonal M. */
static double
mnorm(size_t n, const double *m, const double *v)
{
	double s = 0;
	size_t j;

	for (j = 0; j < n; j++)
		s += m[j] * v[j] * v[j];
	return sqrt(s);
}

static double
minvnorm(size_t n, const double *m, const double *v)
{
	double s = 0;
	size_t j;

	for (j = 0; j < n; j++)
		s += v[j] * v[j] / m[j];
	return sqrt(s);
}

/* Scratch vectors of the CG solve, nw doubles each. */
struct cg {
	double *s, *r, *z, *dvec, *hd;
};

/*
 * Preconditioned CG (Steihaug) for H s = -g within ||s||_M <= delta.
 * Leaves the step in cg->s and the residual -g - H s in cg->r.  Returns
 * the number of iterations; '*boundary' tells whether the step reached
 * the trust region's boundary.
 */
static long
trcg(struct prob *p, const double *d, const double *m, double delta,
    const double *g, struct cg *cg, int *boundary)
{
	size_t j, n = p->nw;
	double *s = cg->s, *r = cg->r, *z = cg->z, *dv = cg->dvec, *hd = cg->hd;
	double rz, cgtol, alpha, beta, dhd, rznew;
	long it = 0;

	*boundary = 0;
	for (j = 0; j < n; j++) {
		s[j] = 0;
		r[j] = -g[j];
		z[j] = r[j] / m[j];
		dv[j] = z[j];
	}
	rz = dot(n, r, z);
	cgtol = EPS_CG * sqrt(rz);
	while (sqrt(rz) > cgtol) {
		it++;
		hv(p, d, dv, hd);
		dhd = dot(n, dv, hd);
		if (!(dhd > 0))
			break;
		alpha = rz / dhd;
		for (j = 0; j < n; j++)
			z[j] = s[j] + alpha * dv[j]; /* z: trial s */
		if (mnorm(n, m, z) > delta) {
			double sms = 0, smd = 0, dmd = 0, dsq = delta * delta;
			double rad, tau;

			for (j = 0; j < n; j++) {
				sms += m[j] * s[j] * s[j];
				smd += m[j] * s[j] * dv[j];
				dmd += m[j] * dv[j] * dv[j];
			}
			rad = sqrt(smd * smd + dmd * (dsq - sms));
			tau = smd >= 0 ? (dsq - sms) / (smd + rad)
			               : (rad - smd) / dmd;
			for (j = 0; j < n; j++) {
				s[j] += tau * dv[j];
				r[j] -= tau * hd[j];
			}
			*boundary = 1;
			break;
		}
		for (j = 0; j < n; j++) {
			s[j] = z[j];
			r[j] -= alpha * hd[j];
			z[j] = r[j] / m[j];
		}
		rznew = dot(n, r, z);
		beta = rznew / rz;
		for (j = 0; j < n; j++)
			dv[j] = z[j] + beta * dv[j];
		rz = rznew;
	}
	return it;
}

/* Cut the rows into chunks: a count that depends only on the data. */
static int
setup(struct prob *p, const struct am_csr *x, size_t nfeat, const double *y,
    const double *cost, const struct am_logreg_param *par)
{
	size_t k, nc;

	memset(p, 0, sizeof(*p));
	p->x = x;
	p->nfeat = nfeat;
	p->nw = am_logreg_nweights(nfeat, par);
	p->n = x->rows;
	p->y = y;
	p->cost = cost;
	p->bias = par->bias > 0 ? par->bias : 0;
	p->intercept = par->intercept && p->bias > 0;
	p->sqhinge = par->sqhinge;
	p->pfull = par->prior_full;
	p->ph = par->prior_h;
	p->pb = par->prior_b;
	/* Keep the per-chunk buffer work small next to the data pass. */
	nc = (x->nnz + p->n) / (8 * (p->nw + 1));
	if (nc > MAX_CHUNKS)
		nc = MAX_CHUNKS;
	if (nc > p->n / 64)
		nc = p->n / 64;
	if (nc < 1)
		nc = 1;
	p->nchunk = nc;
	p->cbeg = malloc((nc + 1) * sizeof(*p->cbeg));
	p->part = calloc(nc, sizeof(*p->part));
	p->buf = malloc(2 * nc * (p->nw > 0 ? p->nw : 1) * sizeof(double));
	if (p->cbeg == NULL || p->part == NULL || p->buf == NULL)
		return AM_ENOMEM;
	for (k = 0; k <= nc; k++)
		p->cbeg[k] = p->n / nc * k + (k < p->n % nc ? k : p->n % nc);
	if (par->threads > 1 && nc > 1 &&
	    (p->pool =
	            am_pool_new(par->threads < (int)nc ? par->threads : (int)nc,
	                NULL)) == NULL)
		return AM_ENOMEM;
	return 0;
}

static void
teardown(struct prob *p)
{
	free(p->cbeg);
	free(p->part);
	free(p->buf);
	am_pool_free(p->pool);
}

static int
check(const struct am_csr *x, const double *y, const double *cost,
    const struct am_logreg_param *par, size_t *npos, struct am_err *err)
{
	size_t i;

	if (!(par->eps > 0) || par->max_iter < 1 || !(par->bias >= 0) ||
	    !isfinite(par->bias))
		return am_seterr(err, AM_EARG,
		    "logreg: invalid parameters (eps %g, max_iter %d, bias %g)",
		    par->eps, par->max_iter, par->bias);
	*npos = 0;
	for (i = 0; i < x->rows; i++) {
		if (y[i] != 1 && y[i] != -1)
			return am_seterr(err, AM_EARG,
			    "logreg: row %zu: label %g is not +1 or -1", i + 1,
			    y[i]);
		if (!(cost[i] >= 0) || !isfinite(cost[i]))
			return am_seterr(err, AM_EARG,
			    "logreg: row %zu: cost %g is negative", i + 1,
			    cost[i]);
		*npos += y[i] > 0;
	}
	return 0;
}

double
am_logreg_objective(const struct am_csr *x, size_t nfeat, const double *y,
    const double *cost, const struct am_logreg_param *par, const double *w,
    double *grad)
{
	struct prob p;
	double *g = NULL, *d = NULL, f = (double)NAN;

	if (setup(&p, x, nfeat, y, cost, par) == 0 &&
	    (g = malloc((p.nw + 1) * sizeof(*g))) != NULL &&
	    (d = malloc((p.n + 1) * sizeof(*d))) != NULL) {
		f = fungrad(&p, w, g, d, NULL);
		if (grad != NULL)
			memcpy(grad, g, p.nw * sizeof(*g));
	}
	free(g);
	free(d);
	teardown(&p);
	return f;
}

/* The nw-sized work vectors of the solver. */
enum { V_G, V_GNEW, V_M, V_MNEW, V_WNEW, V_S, V_R, V_Z, V_D, V_HD, NVEC };

int
am_logreg_fit(const struct am_csr *x, size_t nfeat, const double *y,
    const double *cost, const struct am_logreg_param *par, double *w,
    struct am_logreg_info *info, struct am_err *err)
{
	struct am_logreg_info inf = { 0 };
	struct prob p;
	struct cg cg;
	double *vec[NVEC], *mem = NULL, *d = NULL, *dnew = NULL, *t;
	double f, fnew, gnorm, delta, tol, gs, prered, actred, snorm, alpha;
	size_t npos = 0, nw, j, i;
	int boundary, rc, loops = 0;

	if ((rc = check(x, y, cost, par, &npos, err)) != 0)
		return rc;
	if (setup(&p, x, nfeat, y, cost, par) != 0)
		goto nomem;
	nw = p.nw;
	if ((mem = malloc(NVEC * (nw + 1) * sizeof(double))) == NULL ||
	    (d = malloc((p.n + 1) * sizeof(double))) == NULL ||
	    (dnew = malloc((p.n + 1) * sizeof(double))) == NULL)
		goto nomem;
	for (i = 0; i < NVEC; i++)
		vec[i] = mem + i * (nw + 1);
	cg.s = vec[V_S];
	cg.r = vec[V_R];
	cg.z = vec[V_Z];
	cg.dvec = vec[V_D];
	cg.hd = vec[V_HD];

	f = fungrad(&p, w, vec[V_G], d, vec[V_M]);
	gnorm = sqrt(dot(nw, vec[V_G], vec[V_G]));
	inf.gnorm0 = gnorm;
	{
		size_t nneg = p.n - npos, mn = npos < nneg ? npos : nneg;
		tol = par->eps * (double)(mn > 1 ? mn : 1) /
		    (double)(p.n > 0 ? p.n : 1) * gnorm;
	}
	delta = minvnorm(nw, vec[V_M], vec[V_G]);
	inf.converged = gnorm <= tol;
	while (!inf.converged && inf.iter < par->max_iter &&
	    loops++ < 10 * par->max_iter) {
		inf.cg_iter +=
		    trcg(&p, d, vec[V_M], delta, vec[V_G], &cg, &boundary);
		for (j = 0; j < nw; j++)
			vec[V_WNEW][j] = w[j] + cg.s[j];
		gs = dot(nw, vec[V_G], cg.s);
		prered = -0.5 * (gs - dot(nw, cg.s, cg.r));
		fnew = fungrad(&p, vec[V_WNEW], vec[V_GNEW], dnew, vec[V_MNEW]);
		actred = f - fnew;
		snorm = mnorm(nw, vec[V_M], cg.s);
		if (inf.iter == 0 && snorm < delta)
			delta = snorm;
		if (fnew - f - gs <= 0)
			alpha = SIGMA3;
		else
			alpha = fmax(SIGMA1, -0.5 * (gs / (fnew - f - gs)));
		if (actred < ETA0 * prered)
			delta = fmin(alpha * snorm, SIGMA2 * delta);
		else if (actred < ETA1 * prered)
			delta = fmax(SIGMA1 * delta,
			    fmin(alpha * snorm, SIGMA2 * delta));
		else if (actred < ETA2 * prered)
			delta = fmax(SIGMA1 * delta,
			    fmin(alpha * snorm, SIGMA3 * delta));
		else if (boundary)
			delta = SIGMA3 * delta;
		else
			delta =
			    fmax(delta, fmin(alpha * snorm, SIGMA3 * delta));
		if (actred > ETA0 * prered) {
			inf.iter++;
			memcpy(w, vec[V_WNEW], nw * sizeof(double));
			f = fnew;
			t = vec[V_G], vec[V_G] = vec[V_GNEW], vec[V_GNEW] = t;
			t = vec[V_M], vec[V_M] = vec[V_MNEW], vec[V_MNEW] = t;
			t = d, d = dnew, dnew = t;
			gnorm = sqrt(dot(nw, vec[V_G], vec[V_G]));
			if (par->progress != NULL)
				par->progress(par->ctx, inf.iter, f, gnorm);
			if (gnorm <= tol) {
				inf.converged = 1;
				break;
			}
		}
		if (f < -1e32)
			break;
		if (fabs(actred) <= 0 && prered <= 0)
			break;
		if (fabs(actred) <= 1e-12 * fabs(f) &&
		    fabs(prered) <= 1e-12 * fabs(f))
			break;
	}
	inf.obj = f;
	inf.gnorm = gnorm;
	if (info != NULL)
		*info = inf;
	rc = 0;
	goto out;
nomem:
	rc = am_seterr(err, AM_ENOMEM, "logreg: out of memory");
out:
	free(mem);
	free(d);
	free(dnew);
	teardown(&p);
	return rc;
}

/*
 * The Laplace summaries (struct am_logreg_quad): one pass over the rows
 * at the final weights.  A full block costs sum_i nnz_i^2 per row, the
 * cost of forming X'DX; blocks are small (AM_LOGREG_QUAD_FULL).
 */
int
am_logreg_quad_init(struct am_logreg_quad *q, size_t nb, size_t bs, int full)
{
	size_t nh;

	memset(q, 0, sizeof(*q));
	q->nb = nb;
	q->bs = bs;
	q->full = full && bs <= AM_LOGREG_QUAD_FULL;
	nh = q->full ? nb * bs * bs : nb * bs;
	q->g = calloc(nb * bs + 1, sizeof(double));
	q->h = calloc(nh + 1, sizeof(double));
	if (q->g == NULL || q->h == NULL) {
		am_logreg_quad_release(q);
		return AM_ENOMEM;
	}
	return 0;
}

void
am_logreg_quad_release(struct am_logreg_quad *q)
{
	free(q->g);
	free(q->h);
	q->g = q->h = NULL;
}

/* Entry (j, k) of block 'blk': only the diagonal when not full. */
static double *
quad_h(const struct am_logreg_quad *q, size_t blk)
{
	return q->h + blk * (q->full ? q->bs * q->bs : q->bs);
}

/* H += d u u' for the sparse vector u = (idx, val) plus 'bias' at nfeat. */
static void
quad_rank1(const struct am_logreg_quad *q, double *h, size_t off, double d,
    const uint32_t *idx, const double *val, size_t nnz, size_t nfeat,
    double bias)
{
	size_t a, b, n = q->bs;

	for (a = 0; a <= nnz; a++) {
		size_t ja = a < nnz ? idx[a] : nfeat;
		double va = a < nnz ? val[a] : bias;
		if ((a < nnz && ja >= nfeat) || (a == nnz && !(bias > 0)))
			continue;
		ja += off;
		if (!q->full) {
			h[ja] += d * va * va;
			continue;
		}
		for (b = 0; b <= nnz; b++) {
			size_t jb = b < nnz ? idx[b] : nfeat;
			double vb = b < nnz ? val[b] : bias;
			if ((b < nnz && jb >= nfeat) ||
			    (b == nnz && !(bias > 0)))
				continue;
			h[ja * n + jb + off] += d * va * vb;
		}
	}
}

void
am_logreg_quad_add(struct am_logreg_quad *q, size_t blk, const struct am_csr *x,
    size_t nfeat, double bias, const double *y, const double *cost, int loss,
    size_t nvec, const double *w)
{
	size_t nw = nfeat + (bias > 0), i, k, v, nv;
	double *g = q->g + blk * q->bs, *h = quad_h(q, blk), zs[64], *z = zs;

	nv = loss == AM_LOSS_SOFTMAX ? nvec : 1;
	if (nv > 64 && (z = malloc(nv * sizeof(*z))) == NULL)
		return;
	for (i = 0; i < x->rows; i++) {
		const uint32_t *idx = x->idx + x->ptr[i];
		const double *val = x->val + x->ptr[i];
		size_t nnz = x->ptr[i + 1] - x->ptr[i];
		double c = cost[i], mx = 0, sum = 0;

		if (!(c > 0) || (loss == AM_LOSS_SQHINGE && y[i] == 0))
			continue;
		for (v = 0; v < nv; v++) {
			z[v] = am_logreg_margin(w + v * nw, nfeat, bias, nnz,
			    idx, val);
			if (v == 0 || z[v] > mx)
				mx = z[v];
		}
		for (v = 0; v < nv; v++) {
			double u, d;
			if (loss == AM_LOSS_SOFTMAX) {
				double pv;
				if (v == 0)
					for (sum = 0, k = 0; k < nv; k++)
						sum += exp(z[k] - mx);
				pv = exp(z[v] - mx) / sum;
				u = c * (pv - (v == (size_t)y[i] ? 1 : 0));
				d = c * pv * (1 - pv);
			} else if (loss == AM_LOSS_SQHINGE) {
				double mg = 1 - y[i] * z[0];
				if (!(mg > 0))
					continue;
				u = -2 * c * mg * y[i];
				d = 2 * c;
			} else {
				double s = am_sigmoid(y[i] * z[0]);
				u = c * (s - 1) * y[i];
				d = c * s * (1 - s);
			}
			for (k = 0; k < nnz; k++)
				if (idx[k] < nfeat)
					g[v * nw + idx[k]] += u * val[k];
			if (bias > 0)
				g[v * nw + nfeat] += u * bias;
			quad_rank1(q, h, v * nw, d, idx, val, nnz, nfeat, bias);
		}
	}
	if (z != zs)
		free(z);
}

void
am_logreg_quad_move(struct am_logreg_quad *q, size_t blk, double a,
    const double *w0, const double *w1)
{
	size_t j, k, n = q->bs;
	double *g = q->g + blk * n, *h = quad_h(q, blk);

	for (j = 0; j < n; j++) {
		double s = 0;
		if (q->full)
			for (k = 0; k < n; k++)
				s += h[j * n + k] * (w1[k] - w0[k]);
		else
			s = h[j] * (w1[j] - w0[j]);
		g[j] = a * (g[j] + s);
	}
	for (j = 0; j < (q->full ? n * n : n); j++)
		h[j] *= a;
}

void
am_logreg_quad_prior(const struct am_logreg_quad *q, size_t blk, double a,
    const double *w, double *ph, double *pb)
{
	size_t j, k, n = q->bs;
	const double *g = q->g + blk * n, *h = quad_h(q, blk);

	for (j = 0; j < n; j++) {
		double s = 0;
		if (q->full) {
			for (k = 0; k < n; k++) {
				s += h[j * n + k] * w[k];
				ph[j * n + k] += a * h[j * n + k];
			}
		} else {
			s = h[j] * w[j];
			ph[j] += a * h[j];
		}
		pb[j] += a * (s - g[j]);
	}
}

void
am_logreg_quad_sum(struct am_logreg_quad *dst, const struct am_logreg_quad *src,
    size_t blk)
{
	size_t j, n = dst->bs, nh = dst->full ? n * n : n;
	double *h = quad_h(dst, blk);
	const double *hs = quad_h(src, blk);

	for (j = 0; j < n; j++)
		dst->g[blk * n + j] += src->g[blk * n + j];
	for (j = 0; j < nh; j++)
		h[j] += hs[j];
}

void
am_logreg_quad_encode(const struct am_logreg_quad *q, struct am_buf *b)
{
	am_buf_u8(b, (uint8_t)q->full);
	am_buf_u64(b, q->nb);
	am_buf_u64(b, q->bs);
	am_buf_f64s(b, q->g, q->nb * q->bs);
	am_buf_f64s(b, q->h, q->nb * (q->full ? q->bs * q->bs : q->bs));
}

int
am_logreg_quad_decode(struct am_logreg_quad *q, struct am_rd *r, size_t nb,
    size_t bs, const char *name, struct am_err *err)
{
	uint8_t full = am_rd_u8(r);
	uint64_t n1 = am_rd_u64(r), n2 = am_rd_u64(r);
	size_t j, nh;

	memset(q, 0, sizeof(*q));
	if (am_rd_error(r) || full > 1 || n1 != nb || n2 != bs ||
	    (full && bs > AM_LOGREG_QUAD_FULL))
		return am_seterr(err, AM_EFORMAT,
		    "'%s' section: the summary does not match the weights",
		    name);
	nh = full ? nb * bs * bs : nb * bs;
	if (am_rd_left(r) / 8 < nb * bs + nh)
		return am_seterr(err, AM_EFORMAT, "'%s' section: truncated",
		    name);
	if (am_logreg_quad_init(q, nb, bs, full) != 0)
		return am_seterr(err, AM_ENOMEM, "out of memory");
	am_rd_f64s(r, q->g, nb * bs);
	am_rd_f64s(r, q->h, nh);
	for (j = 0; j < nb * bs; j++)
		if (!isfinite(q->g[j]))
			goto bad;
	for (j = 0; j < nh; j++)
		if (!isfinite(q->h[j]))
			goto bad;
	return 0;
bad:
	am_logreg_quad_release(q);
	return am_seterr(err, AM_EFORMAT,
	    "'%s' section: a summary value is not finite", name);
}

/*
 * Multinomial and L1 / elastic-net logistic regression by OWL-QN
 * (Andrew and Gao, "Scalable training of L1-regularized log-linear
 * models", ICML 2007): L-BFGS on the smooth part with the pseudo-gradient
 * of the L1 term, directions kept in its orthant, a backtracking line
 * search projected onto the orthant.  With no L1 term it is L-BFGS.
 *
 *   F(W) = sum_k [(1 - r)/2 ||w_k||^2 + r ||w_k||_1] + sum_i c_i l_i(W)
 *
 * l_i = log(1 + exp(-y_i w'x_i)) for one vector (binary, y_i = +-1), or
 * -log softmax(W x_i)[y_i] for K vectors (y_i a class index).  The bias
 * weight is penalised unless 'intercept'.
 */
#define OWLQN_M 10

struct owl {
	const struct am_csr *x;
	size_t nfeat, nw, nvec, n; /* n = nvec * nw */
	const double *y, *c;
	double bias, l1, l2;
	int intercept;
	double *z; /* nvec scratch */
	/* The prior 1/2 w'Pw - b'w in place of the L2 term, or NULL. */
	int pfull;
	const double *ph, *pb;
};

/* Smooth part of F (loss + L2) and its gradient. */
static double
owl_smooth(const struct owl *o, const double *w, double *g)
{
	const struct am_csr *x = o->x;
	size_t i, k, v, nw = o->nw;
	double f = 0;

	memset(g, 0, o->n * sizeof(*g));
	for (i = 0; i < x->rows; i++) {
		double ci = o->c[i];
		if (ci == 0)
			continue;
		for (v = 0; v < o->nvec; v++) {
			const double *wv = w + v * nw;
			double z = o->bias > 0 ? wv[o->nfeat] * o->bias : 0;
			for (k = x->ptr[i]; k < x->ptr[i + 1]; k++)
				z += wv[x->idx[k]] * x->val[k];
			o->z[v] = z;
		}
		if (o->nvec == 1) {
			double yz = o->y[i] * o->z[0], d;
			f += ci *
			    (yz >= 0 ? log1p(exp(-yz)) : -yz + log1p(exp(yz)));
			d = -ci * o->y[i] * am_sigmoid(-yz);
			for (k = x->ptr[i]; k < x->ptr[i + 1]; k++)
				g[x->idx[k]] += d * x->val[k];
			if (o->bias > 0)
				g[o->nfeat] += d * o->bias;
		} else {
			double mx = o->z[0], sum = 0;
			size_t yi = (size_t)o->y[i];
			for (v = 1; v < o->nvec; v++)
				if (o->z[v] > mx)
					mx = o->z[v];
			for (v = 0; v < o->nvec; v++)
				sum += exp(o->z[v] - mx);
			/* sum >= 1: the term of the largest z is exp(0) */
			/* cppcheck-suppress invalidFunctionArg */
			f += ci * (mx + log(sum) - o->z[yi]);
			for (v = 0; v < o->nvec; v++) {
				double d = ci *
				    (exp(o->z[v] - mx) / sum -
				        (v == yi ? 1 : 0));
				double *gv = g + v * nw;
				for (k = x->ptr[i]; k < x->ptr[i + 1]; k++)
					gv[x->idx[k]] += d * x->val[k];
				if (o->bias > 0)
					gv[o->nfeat] += d * o->bias;
			}
		}
	}
	if (o->ph != NULL) {
		for (k = 0; k < o->n; k++) {
			double pw = 0;
			if (o->pfull)
				for (v = 0; v < o->n; v++)
					pw += o->ph[k * o->n + v] * w[v];
			else
				pw = o->ph[k] * w[k];
			f += w[k] * (0.5 * pw - o->pb[k]);
			g[k] += pw - o->pb[k];
		}
		return f;
	}
	for (v = 0; v < o->nvec; v++)
		for (k = 0; k < nw; k++) {
			double wk = w[v * nw + k];
			if (o->intercept && o->bias > 0 && k == o->nfeat)
				continue;
			f += 0.5 * o->l2 * wk * wk;
			g[v * nw + k] += o->l2 * wk;
		}
	return f;
}

static int
owl_penalised(const struct owl *o, size_t j)
{
	return !(o->intercept && o->bias > 0 && j % o->nw == o->nfeat);
}

static double
owl_l1(const struct owl *o, const double *w)
{
	double s = 0;
	size_t j;

	if (o->l1 == 0)
		return 0;
	for (j = 0; j < o->n; j++)
		if (owl_penalised(o, j))
			s += fabs(w[j]);
	return o->l1 * s;
}

/* Pseudo-gradient of F at w from the smooth gradient g. */
static void
owl_pseudo(const struct owl *o, const double *w, const double *g, double *pg)
{
	size_t j;

	for (j = 0; j < o->n; j++) {
		double l = owl_penalised(o, j) ? o->l1 : 0;
		if (w[j] > 0)
			pg[j] = g[j] + l;
		else if (w[j] < 0)
			pg[j] = g[j] - l;
		else if (g[j] + l < 0)
			pg[j] = g[j] + l;
		else if (g[j] - l > 0)
			pg[j] = g[j] - l;
		else
			pg[j] = 0;
	}
}

static double
nrm2(const double *v, size_t n)
{
	double s = 0;
	size_t j;

	for (j = 0; j < n; j++)
		s += v[j] * v[j];
	return sqrt(s);
}

/* Minimise F from w; 0 or AM_ENOMEM. */
static int
owlqn(struct owl *o, double *w, double eps, int max_iter,
    struct am_logreg_info *info, void (*progress)(void *, int, double, double),
    void *ctx)
{
	size_t n = o->n, j, m, head = 0, used = 0;
	double *mem = calloc((2 * OWLQN_M + 7) * n + OWLQN_M + o->nvec + 1,
	    sizeof(double));
	double *S, *Y, *rho, *g, *pg, *d, *wn, *gn, *q, *alpha, f, pg0;
	int it, rc = 0;

	if (mem == NULL)
		return AM_ENOMEM;
	S = mem;
	Y = S + OWLQN_M * n;
	g = Y + OWLQN_M * n;
	pg = g + n;
	d = pg + n;
	wn = d + n;
	gn = wn + n;
	q = gn + n;
	alpha = q + n;
	rho = alpha + n;
	o->z = rho + OWLQN_M;
	f = owl_smooth(o, w, g) + owl_l1(o, w);
	owl_pseudo(o, w, g, pg);
	pg0 = nrm2(pg, n);
	info->gnorm0 = pg0;
	info->converged = 0;
	for (it = 0; it < max_iter; it++) {
		double gnorm = nrm2(pg, n), step, dg, fn = f;
		int ok = 0;
		info->gnorm = gnorm;
		if (gnorm <= eps * (pg0 > 1 ? pg0 : 1)) {
			info->converged = 1;
			break;
		}
		/* Two-loop recursion on -pg. */
		for (j = 0; j < n; j++)
			q[j] = -pg[j];
		for (m = 0; m < used; m++) {
			size_t b = (head + OWLQN_M - 1 - m) % OWLQN_M;
			double a = 0;
			for (j = 0; j < n; j++)
				a += S[b * n + j] * q[j];
			a *= rho[b];
			alpha[b] = a;
			for (j = 0; j < n; j++)
				q[j] -= a * Y[b * n + j];
		}
		if (used > 0) {
			size_t b = (head + OWLQN_M - 1) % OWLQN_M;
			double yy = 0, sy = 0;
			for (j = 0; j < n; j++) {
				yy += Y[b * n + j] * Y[b * n + j];
				sy += S[b * n + j] * Y[b * n + j];
			}
			for (j = 0; j < n; j++)
				q[j] *= sy / yy;
		} else {
			for (j = 0; j < n; j++)
				q[j] /= gnorm > 1 ? gnorm : 1;
		}
		for (m = used; m-- > 0;) {
			size_t b = (head + OWLQN_M - 1 - m) % OWLQN_M;
			double be = 0;
			for (j = 0; j < n; j++)
				be += Y[b * n + j] * q[j];
			be *= rho[b];
			for (j = 0; j < n; j++)
				q[j] += S[b * n + j] * (alpha[b] - be);
		}
		/* Keep the direction in the orthant of -pg. */
		for (j = 0; j < n; j++)
			d[j] = q[j] * pg[j] >= 0 ? 0 : q[j];
		for (step = 1; step > 1e-20; step *= 0.5) {
			dg = 0;
			for (j = 0; j < n; j++) {
				double xi = w[j] != 0 ? w[j] : -pg[j];
				wn[j] = w[j] + step * d[j];
				if (o->l1 > 0 && owl_penalised(o, j) &&
				    wn[j] * xi <= 0)
					wn[j] = 0;
				dg += pg[j] * (wn[j] - w[j]);
			}
			fn = owl_smooth(o, wn, gn) + owl_l1(o, wn);
			if (fn <= f + 1e-4 * dg) {
				ok = 1;
				break;
			}
		}
		if (!ok) {
			info->converged = 1; /* no progress is possible */
			break;
		}
		{
			double sy = 0;
			for (j = 0; j < n; j++) {
				S[head * n + j] = wn[j] - w[j];
				Y[head * n + j] = gn[j] - g[j];
				sy += S[head * n + j] * Y[head * n + j];
			}
			if (sy > 1e-300) {
				rho[head] = 1 / sy;
				head = (head + 1) % OWLQN_M;
				if (used < OWLQN_M)
					used++;
			}
		}
		memcpy(w, wn, n * sizeof(*w));
		memcpy(g, gn, n * sizeof(*g));
		owl_pseudo(o, w, g, pg);
		info->iter = it + 1;
		if (progress != NULL)
			progress(ctx, it + 1, fn, nrm2(pg, n));
		if (f - fn <= 1e-12 * fabs(f)) {
			f = fn;
			info->converged = 1;
			break;
		}
		f = fn;
	}
	info->obj = f;
	info->gnorm = nrm2(pg, n);
	free(mem);
	return rc;
}

/* The "logreg" algorithm: state, fit, predict, save and load. */
#define LR_SIGMOID 0 /* one vector, P = sigmoid */
#define LR_SOFTMAX 1 /* K vectors, P = softmax */
#define LR_OVR     2 /* K vectors, P = sigmoid normalised */

struct lr {
	size_t nfeat, nw, nvec;
	int kind;
	double bias;
	int intercept;
	double *w; /* nvec * nw */
	/* Hyper-parameters and fit report, for save(). */
	double C, lambda, eps, l1_ratio;
	int max_iter, fitted, penalty;
	char cw[256];
	struct am_logreg_info info;
	/*
	 * What updates and merges need (section "logreg.update"): the
	 * Laplace summary of the data term at w, the rows it covers and
	 * the class cost factors; has_quad is 0 for artifacts without it.
	 */
	int has_quad;
	struct am_logreg_quad q;
	double rows;
	double *cc; /* schema nclass entries */
};

static void
lr_free(void *state)
{
	struct lr *s = state;

	if (s == NULL)
		return;
	am_logreg_quad_release(&s->q);
	free(s->cc);
	free(s->w);
	free(s);
}

/* "no=1,yes=5" or "balanced"; truncated to fit. */
static void
describe_cw(struct lr *s, const struct am_model *m,
    const struct am_model_params *p, const double *cc)
{
	const struct am_fs_schema *sc = am_model_schema(m);
	size_t k, len = 0;

	s->cw[0] = '\0';
	if (!p->balanced && p->ncw == 0)
		return;
	for (k = 0; k < sc->nclass && len < sizeof(s->cw); k++) {
		int n = snprintf(s->cw + len, sizeof(s->cw) - len, "%s%s=%.17g",
		    k > 0 ? "," : "", sc->classes[k], cc[k]);
		if (n < 0)
			break;
		len += (size_t)n;
	}
}

#define LR_OWLQN_EPS 1e-4

/* Whether OWL-QN solves the model (else TRON). */
static int
lr_owl(const struct lr *s)
{
	return s->kind == LR_SOFTMAX || s->l1_ratio > 0;
}

/* Blocks of the Laplace summary: see struct am_logreg_quad. */
static size_t
lr_nblocks(const struct lr *s)
{
	return s->kind == LR_SOFTMAX ? 1 : s->nvec;
}

static size_t
lr_bsize(const struct lr *s)
{
	return s->kind == LR_SOFTMAX ? s->nvec * s->nw : s->nw;
}

/* Labels of block v: +1 / -1, or class indices for softmax. */
static void
lr_labels(const struct lr *s, const struct am_table *t, size_t v, size_t pos,
    double *y)
{
	size_t i, target = s->kind == LR_SIGMOID ? pos : v;

	for (i = 0; i < t->rows; i++)
		y[i] = s->kind == LR_SOFTMAX    ? t->y[i]
		    : (size_t)t->y[i] == target ? 1
		                                : -1;
}

/*
 * A prior for each block (P, b of the solvers): the penalty's diagonal
 * in P (r_j, or (1 - l1_ratio) r_j with OWL-QN), b = 0; the summaries
 * are added by am_logreg_quad_prior().
 */
struct lr_prior {
	int full;
	size_t nh, bs;
	double *ph, *pb;
};

static int
lr_prior_init(const struct lr *s, struct lr_prior *pr)
{
	size_t nb = lr_nblocks(s), bs = lr_bsize(s), blk, j;
	double l2 = lr_owl(s) ? 1 - s->l1_ratio : 1;

	pr->full = s->q.full;
	pr->bs = bs;
	pr->nh = pr->full ? bs * bs : bs;
	pr->ph = calloc(nb * pr->nh + 1, sizeof(double));
	pr->pb = calloc(nb * bs + 1, sizeof(double));
	if (pr->ph == NULL || pr->pb == NULL)
		return AM_ENOMEM;
	for (blk = 0; blk < nb; blk++)
		for (j = 0; j < bs; j++) {
			int pen = !(s->intercept && j % s->nw == s->nfeat);
			pr->ph[blk * pr->nh + (pr->full ? j * bs + j : j)] =
			    pen ? l2 : 0;
		}
	return 0;
}

static void
lr_prior_release(struct lr_prior *pr)
{
	free(pr->ph);
	free(pr->pb);
}

/*
 * Minimise every block from s->w on the rows of 't' (none for a merge)
 * with labels from the table, row costs 'c' and, unless NULL, the prior
 * 'pr' in place of the L2 penalty.  Sets s->info.
 */
static int
lr_solve(struct lr *s, const struct am_model *m, const struct am_table *t,
    const double *c, const struct lr_prior *pr, double eps, int max_iter,
    const struct am_model_params *p, struct am_err *err)
{
	struct am_logreg_param par = AM_LOGREG_PARAM_INIT;
	size_t v, nb = lr_nblocks(s), bs = lr_bsize(s);
	double *y = malloc((t->rows + 1) * sizeof(double));
	int rc = 0;

	if (y == NULL)
		return am_seterr(err, AM_ENOMEM, "out of memory");
	par.eps = eps;
	par.max_iter = max_iter;
	par.bias = s->bias;
	par.intercept = s->intercept;
	par.threads = p->threads;
	par.progress = p->progress;
	par.ctx = p->ctx;
	for (v = 0; v < nb; v++) {
		struct am_logreg_info info;
		lr_labels(s, t, v, am_model_positive(m), y);
		memset(&info, 0, sizeof(info));
		if (lr_owl(s)) {
			struct owl o;
			memset(&o, 0, sizeof(o));
			o.x = &t->x;
			o.nfeat = s->nfeat;
			o.nw = s->nw;
			o.nvec = s->kind == LR_SOFTMAX ? s->nvec : 1;
			o.n = o.nvec * o.nw;
			o.y = y;
			o.c = c;
			o.bias = s->bias;
			o.l1 = s->l1_ratio;
			o.l2 = 1 - s->l1_ratio;
			o.intercept = s->intercept;
			if (pr != NULL) {
				o.pfull = pr->full;
				o.ph = pr->ph + v * pr->nh;
				o.pb = pr->pb + v * bs;
			}
			if (t->x.cols > s->nfeat) {
				rc = am_seterr(err, AM_EARG,
				    "logreg: feature index beyond %zu",
				    s->nfeat);
				goto out;
			}
			if (owlqn(&o, s->w + v * bs, eps, max_iter, &info,
			        p->progress, p->ctx) != 0) {
				rc = am_seterr(err, AM_ENOMEM, "out of memory");
				goto out;
			}
		} else {
			if (pr != NULL) {
				par.prior_full = pr->full;
				par.prior_h = pr->ph + v * pr->nh;
				par.prior_b = pr->pb + v * bs;
			}
			if ((rc = am_logreg_fit(&t->x, s->nfeat, y, c, &par,
			         s->w + v * bs, &info, err)) != 0)
				goto out;
		}
		if (v == 0 || info.iter > s->info.iter)
			s->info.iter = info.iter;
		s->info.obj = v == 0 ? info.obj : s->info.obj + info.obj;
		s->info.converged = v == 0
		    ? info.converged
		    : s->info.converged && info.converged;
	}
out:
	free(y);
	return rc;
}

/* Add the data term of t's rows (costs 'c') at s->w to the summary. */
static int
lr_summarise(struct lr *s, const struct am_model *m, const struct am_table *t,
    const double *c, struct am_err *err)
{
	size_t v, nb = lr_nblocks(s), bs = lr_bsize(s);
	double *y = malloc((t->rows + 1) * sizeof(double));

	if (y == NULL)
		return am_seterr(err, AM_ENOMEM, "out of memory");
	for (v = 0; v < nb; v++) {
		lr_labels(s, t, v, am_model_positive(m), y);
		am_logreg_quad_add(&s->q, v, &t->x, s->nfeat, s->bias, y, c,
		    s->kind == LR_SOFTMAX ? AM_LOSS_SOFTMAX : AM_LOSS_LOGISTIC,
		    s->nvec, s->w + v * bs);
	}
	free(y);
	return 0;
}

/* Row costs C * class cost * sample weight into 'c'. */
static void
lr_costs(const struct lr *s, const struct am_table *t, double C, double *c)
{
	size_t i;

	for (i = 0; i < t->rows; i++)
		c[i] =
		    C * s->cc[(size_t)t->y[i]] * (t->w != NULL ? t->w[i] : 1);
}

static int
lr_fit(struct am_model *m, const struct am_table *t,
    const struct am_model_params *p, struct am_err *err)
{
	struct lr *s;
	double *c = NULL;
	size_t nc = t->schema.nclass;
	int rc = 0;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return am_seterr(err, AM_ENOMEM, "out of memory");
	am_model_set_state(m, s);
	s->nfeat = t->schema.nfeat;
	s->bias = p->bias > 0 ? p->bias : 0;
	s->nw = s->nfeat + (s->bias > 0);
	s->intercept = p->intercept && s->bias > 0;
	s->lambda = p->lambda > 0 ? p->lambda : 0;
	s->C = s->lambda > 0 ? 1 / (s->lambda * (double)t->rows) : p->C;
	s->penalty = p->penalty;
	s->l1_ratio = p->penalty == AM_PENALTY_L1 ? 1
	    : p->penalty == AM_PENALTY_ENET
	    ? (p->l1_ratio >= 0 ? p->l1_ratio : 0.5)
	    : 0;
	s->kind = nc <= 2                   ? LR_SIGMOID
	    : p->multiclass == AM_MULTI_OVR ? LR_OVR
	                                    : LR_SOFTMAX;
	s->nvec = nc <= 2 ? 1 : nc;
	/* TRON for L2 sigmoid problems, OWL-QN (L-BFGS) otherwise. */
	s->eps = p->eps > 0 ? p->eps : lr_owl(s) ? LR_OWLQN_EPS : AM_LOGREG_EPS;
	s->max_iter = p->max_iter > 0 ? p->max_iter : AM_LOGREG_MAX_ITER;
	if (!(s->C > 0) || !isfinite(s->C))
		return am_seterr(err, AM_EARG, "logreg: C %g is not positive",
		    s->C);
	s->w = calloc(s->nvec * s->nw + 1, sizeof(double));
	c = malloc((t->rows + 1) * sizeof(double));
	s->cc = malloc((nc + 1) * sizeof(double));
	if (s->w == NULL || c == NULL || s->cc == NULL ||
	    am_logreg_quad_init(&s->q, lr_nblocks(s), lr_bsize(s),
	        s->kind != LR_SOFTMAX) != 0) {
		rc = am_seterr(err, AM_ENOMEM, "out of memory");
		goto out;
	}
	if ((rc = am_model_class_costs(m, t, p, s->cc, err)) != 0)
		goto out;
	describe_cw(s, m, p, s->cc);
	lr_costs(s, t, s->C, c);
	if ((rc = lr_solve(s, m, t, c, NULL, s->eps, s->max_iter, p, err)) !=
	        0 ||
	    (rc = lr_summarise(s, m, t, c, err)) != 0)
		goto out;
	s->rows = (double)t->rows;
	s->has_quad = 1;
	s->fitted = 1;
out:
	free(c);
	return rc;
}

/*
 * Update (see am_logreg.h, struct am_logreg_quad): the old data term's
 * expansion, rescaled by a = C_new / C_old, is the prior of a fit on
 * the new rows from the old weights; the new summary is the moved old
 * one plus the new rows' data term at the new weights.
 */
static int
lr_update(struct am_model *m, const struct am_table *t,
    const struct am_model_params *p, struct am_err *err)
{
	struct lr *s = am_model_state(m);
	struct lr_prior pr = { 0 };
	size_t v, nb, bs, n;
	double *c = NULL, *w0 = NULL, C, a;
	int rc = 0;

	if (!s->has_quad)
		return am_seterr(err, AM_EMODEL,
		    "logreg: the model has no summary of its data for "
		    "updates (saved by an older am-train; train it again)");
	nb = lr_nblocks(s);
	bs = lr_bsize(s);
	n = s->nvec * s->nw;
	C = s->lambda > 0 ? 1 / (s->lambda * (s->rows + (double)t->rows))
	                  : s->C;
	a = C / s->C;
	c = malloc((t->rows + 1) * sizeof(double));
	w0 = malloc((n + 1) * sizeof(double));
	if (c == NULL || w0 == NULL || lr_prior_init(s, &pr) != 0) {
		rc = am_seterr(err, AM_ENOMEM, "out of memory");
		goto out;
	}
	memcpy(w0, s->w, n * sizeof(double));
	for (v = 0; v < nb; v++)
		am_logreg_quad_prior(&s->q, v, a, w0 + v * bs,
		    pr.ph + v * pr.nh, pr.pb + v * bs);
	lr_costs(s, t, C, c);
	if ((rc = lr_solve(s, m, t, c, &pr,
	         p->eps > 0      ? p->eps
	             : lr_owl(s) ? LR_OWLQN_EPS
	                         : AM_LOGREG_EPS,
	         p->max_iter > 0 ? p->max_iter : s->max_iter, p, err)) != 0)
		goto out;
	for (v = 0; v < nb; v++)
		am_logreg_quad_move(&s->q, v, a, w0 + v * bs, s->w + v * bs);
	if ((rc = lr_summarise(s, m, t, c, err)) != 0)
		goto out;
	s->rows += (double)t->rows;
	s->C = C;
	s->fitted = 1;
out:
	lr_prior_release(&pr);
	free(c);
	free(w0);
	return rc;
}

/* Whether src's state can be merged into s's (same problem). */
static int
lr_same(const struct lr *s, const struct lr *o)
{
	return s->kind == o->kind && s->nvec == o->nvec && s->nw == o->nw &&
	    s->bias == o->bias && s->intercept == o->intercept &&
	    s->l1_ratio == o->l1_ratio && (s->lambda > 0) == (o->lambda > 0);
}

/*
 * Merge: with every shard's summary, the minimum of the penalty plus
 * the sum of the shards' expansions (rescaled to one C), solved on no
 * rows from the weighted mean of the shards' weights; else (artifacts
 * without summaries) the weighted mean itself (parameter mixing).
 */
static int
lr_merge(struct am_model *m, const struct am_model *const *src,
    const double *wt, size_t n, struct am_err *err)
{
	const struct lr *s0 = am_model_state(src[0]);
	const struct am_fs_schema *sc = am_model_schema(m);
	struct lr *s;
	struct lr_prior pr = { 0 };
	struct am_table empty;
	struct am_model_params p = AM_MODEL_PARAMS_INIT;
	size_t ptr0 = 0, i, j, v, nw, nb, bs, nc = sc->nclass;
	double W = 0, rows = 0, C;
	int quad = 1, rc = 0;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return am_seterr(err, AM_ENOMEM, "out of memory");
	am_model_set_state(m, s);
	*s = *s0;
	s->w = NULL;
	s->cc = NULL;
	memset(&s->q, 0, sizeof(s->q));
	memset(&s->info, 0, sizeof(s->info));
	nw = s->nvec * s->nw;
	nb = lr_nblocks(s);
	bs = lr_bsize(s);
	for (i = 0; i < n; i++) {
		const struct lr *o = am_model_state(src[i]);
		if (!lr_same(s0, o))
			return am_seterr(err, AM_EMODEL,
			    "model %zu was fitted with other settings than "
			    "model 1 (penalty, bias, classes): cannot merge",
			    i + 1);
		quad = quad && o->has_quad && o->q.full == s0->q.full;
		rows += o->rows;
		W += wt[i];
	}
	s->w = calloc(nw + 1, sizeof(double));
	s->cc = calloc(nc + 1, sizeof(double));
	if (s->w == NULL || s->cc == NULL)
		return am_seterr(err, AM_ENOMEM, "out of memory");
	if (s0->cc != NULL)
		memcpy(s->cc, s0->cc, nc * sizeof(double));
	for (i = 0; i < n; i++) {
		const struct lr *o = am_model_state(src[i]);
		for (j = 0; j < nw; j++)
			s->w[j] += wt[i] / W * o->w[j];
	}
	s->has_quad = 0;
	s->fitted = s0->fitted;
	if (!quad)
		return 0;
	C = s0->lambda > 0 ? 1 / (s0->lambda * rows) : s0->C;
	if (am_logreg_quad_init(&s->q, nb, bs, s0->q.full) != 0 ||
	    lr_prior_init(s, &pr) != 0) {
		rc = am_seterr(err, AM_ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++) {
		const struct lr *o = am_model_state(src[i]);
		for (v = 0; v < nb; v++)
			am_logreg_quad_prior(&o->q, v, C / o->C, o->w + v * bs,
			    pr.ph + v * pr.nh, pr.pb + v * bs);
	}
	memset(&empty, 0, sizeof(empty));
	empty.x.ptr = &ptr0;
	empty.x.cols = s->nfeat;
	if ((rc = lr_solve(s, m, &empty, NULL, &pr, lr_owl(s) ? 1e-8 : 1e-6,
	         AM_LOGREG_MAX_ITER, &p, err)) != 0)
		goto out;
	for (i = 0; i < n; i++) {
		const struct lr *o = am_model_state(src[i]);
		struct am_logreg_quad q;
		if (am_logreg_quad_init(&q, nb, bs, o->q.full) != 0) {
			rc = am_seterr(err, AM_ENOMEM, "out of memory");
			goto out;
		}
		memcpy(q.g, o->q.g, nb * bs * sizeof(double));
		memcpy(q.h, o->q.h, nb * pr.nh * sizeof(double));
		for (v = 0; v < nb; v++) {
			am_logreg_quad_move(&q, v, C / o->C, o->w + v * bs,
			    s->w + v * bs);
			am_logreg_quad_sum(&s->q, &q, v);
		}
		am_logreg_quad_release(&q);
	}
	s->C = C;
	s->rows = rows;
	s->has_quad = 1;
out:
	lr_prior_release(&pr);
	return rc;
}

static void
lr_predict(const struct am_model *m, size_t nnz, const uint32_t *idx,
    const double *val, double *out)
{
	const struct lr *s = am_model_state(m);
	double mx = 0, sum = 0;
	size_t v;

	if (s->kind == LR_SIGMOID) {
		out[0] = am_sigmoid(
		    am_logreg_margin(s->w, s->nfeat, s->bias, nnz, idx, val));
		return;
	}
	for (v = 0; v < s->nvec; v++) {
		out[v] = am_logreg_margin(s->w + v * s->nw, s->nfeat, s->bias,
		    nnz, idx, val);
		if (v == 0 || out[v] > mx)
			mx = out[v];
	}
	for (v = 0; v < s->nvec; v++) {
		out[v] = s->kind == LR_SOFTMAX ? exp(out[v] - mx)
		                               : am_sigmoid(out[v]);
		sum += out[v];
	}
	for (v = 0; v < s->nvec; v++)
		out[v] /= sum;
}

static const char *const lr_penalty_names[] = { "l2", "l1", "elasticnet" };
static const char *const lr_kind_names[] = { "binary", "softmax", "ovr" };

static int
lr_save(const struct am_model *m, struct am_art *a, struct am_err *err)
{
	const struct lr *s = am_model_state(m);
	struct am_buf b = AM_BUF_INIT;
	size_t nw = s->nvec * s->nw;
	int rc = 0;

	/* Version 1 (binary) stays byte for byte what it was. */
	am_buf_u32(&b, s->kind == LR_SIGMOID ? 1 : 2);
	am_buf_u64(&b, s->nfeat);
	am_buf_f64(&b, s->bias);
	am_buf_u8(&b, (uint8_t)s->intercept);
	if (s->kind != LR_SIGMOID) {
		am_buf_u8(&b, (uint8_t)s->kind);
		am_buf_u32(&b, (uint32_t)s->nvec);
	}
	am_buf_u64(&b, nw);
	am_buf_f64s(&b, s->w, nw);
	rc = am_art_add_buf(a, "logreg", &b);
	am_buf_release(&b);
	if (rc == 0 && s->has_quad) {
		size_t nc = am_model_schema(m)->nclass;
		/* Version 1: what an update or a merge needs. */
		am_buf_u32(&b, 1);
		am_buf_f64(&b, s->C);
		am_buf_f64(&b, s->lambda);
		am_buf_u8(&b, (uint8_t)s->penalty);
		am_buf_f64(&b, s->l1_ratio);
		am_buf_f64(&b, s->eps);
		am_buf_u32(&b, (uint32_t)s->max_iter);
		am_buf_str(&b, s->cw);
		am_buf_f64(&b, s->rows);
		am_buf_u64(&b, nc);
		am_buf_f64s(&b, s->cc, nc);
		am_logreg_quad_encode(&s->q, &b);
		rc = am_art_add_buf(a, "logreg.update", &b);
		am_buf_release(&b);
	}
	if (rc == 0 && s->fitted) {
		rc |= am_art_setf(a, "hyper.C", "%.17g", s->C);
		if (s->lambda > 0)
			rc |=
			    am_art_setf(a, "hyper.lambda", "%.17g", s->lambda);
		rc |= am_art_setf(a, "hyper.eps", "%.17g", s->eps);
		rc |= am_art_setf(a, "hyper.max_iter", "%d", s->max_iter);
		rc |= am_art_setf(a, "hyper.bias", "%.17g", s->bias);
		rc |= am_art_setf(a, "hyper.intercept", "%d", s->intercept);
		rc |= am_art_set(a, "hyper.class_weight",
		    s->cw[0] ? s->cw : "none");
		if (s->penalty != AM_PENALTY_L2) {
			rc |= am_art_set(a, "hyper.penalty",
			    lr_penalty_names[s->penalty == AM_PENALTY_L1 ? 1
			                                                 : 2]);
			rc |= am_art_setf(a, "hyper.l1_ratio", "%.17g",
			    s->l1_ratio);
		}
		if (s->kind != LR_SIGMOID)
			rc |= am_art_set(a, "hyper.multiclass",
			    lr_kind_names[s->kind]);
		rc |= am_art_setf(a, "metric.iterations", "%d", s->info.iter);
		rc |= am_art_setf(a, "metric.objective", "%.17g", s->info.obj);
		rc |=
		    am_art_setf(a, "metric.converged", "%d", s->info.converged);
	}
	return rc != 0 ? am_seterr(err, AM_ENOMEM, "out of memory") : 0;
}

/* Section "logreg.update" (see lr_save()) into 's'. */
static int
lr_load_update(struct lr *s, const struct am_fs_schema *sc, const void *sec,
    size_t len, struct am_err *err)
{
	struct am_rd r;
	char *cw;
	uint64_t nc;
	size_t k;
	int rc;

	am_rd_init(&r, sec, len);
	if (am_rd_u32(&r) != 1)
		return am_seterr(err, AM_EFORMAT,
		    "'logreg.update' section: unknown version");
	s->C = am_rd_f64(&r);
	s->lambda = am_rd_f64(&r);
	s->penalty = am_rd_u8(&r);
	s->l1_ratio = am_rd_f64(&r);
	s->eps = am_rd_f64(&r);
	s->max_iter = (int)am_rd_u32(&r);
	cw = am_rd_str(&r, sizeof(s->cw) - 1);
	s->rows = am_rd_f64(&r);
	nc = am_rd_u64(&r);
	if (cw != NULL) {
		memcpy(s->cw, cw, strlen(cw) + 1);
		free(cw);
	}
	if (am_rd_error(&r) || !(s->C > 0) || !isfinite(s->C) ||
	    !(s->lambda >= 0) || !isfinite(s->lambda) || s->penalty > 2 ||
	    !(s->l1_ratio >= 0 && s->l1_ratio <= 1) || !(s->eps > 0) ||
	    s->max_iter < 1 || !(s->rows >= 0) || nc != sc->nclass ||
	    am_rd_left(&r) / 8 < nc)
		return am_seterr(err, AM_EFORMAT,
		    "'logreg.update' section: bad settings");
	if ((s->cc = malloc((nc + 1) * sizeof(double))) == NULL)
		return am_seterr(err, AM_ENOMEM, "out of memory");
	am_rd_f64s(&r, s->cc, nc);
	for (k = 0; k < nc; k++)
		if (!(s->cc[k] >= 0) || !isfinite(s->cc[k]))
			return am_seterr(err, AM_EFORMAT,
			    "'logreg.update' section: bad class cost");
	if ((rc = am_logreg_quad_decode(&s->q, &r, lr_nblocks(s), lr_bsize(s),
	         "logreg.update", err)) != 0)
		return rc;
	if (am_rd_left(&r) != 0 ||
	    s->q.full !=
	        (s->kind != LR_SOFTMAX && s->nw <= AM_LOGREG_QUAD_FULL))
		return am_seterr(err, AM_EFORMAT,
		    "'logreg.update' section: wrong size");
	s->has_quad = 1;
	s->fitted = 1;
	return 0;
}

static int
lr_load(struct am_model *m, const struct am_art *a, struct am_err *err)
{
	const struct am_fs_schema *sc = am_model_schema(m);
	struct lr *s;
	const void *sec;
	struct am_rd r;
	size_t len, j;
	uint64_t nfeat, n;
	uint32_t ver;

	if ((sec = am_art_section(a, "logreg", &len)) == NULL)
		return am_seterr(err, AM_EFORMAT, "no 'logreg' section");
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return am_seterr(err, AM_ENOMEM, "out of memory");
	am_model_set_state(m, s);
	am_rd_init(&r, sec, len);
	ver = am_rd_u32(&r);
	if (ver != 1 && ver != 2)
		return am_seterr(err, AM_EFORMAT,
		    "'logreg' section: unknown version");
	nfeat = am_rd_u64(&r);
	s->bias = am_rd_f64(&r);
	s->intercept = am_rd_u8(&r);
	s->kind = LR_SIGMOID;
	s->nvec = 1;
	if (ver == 2) {
		s->kind = am_rd_u8(&r);
		s->nvec = am_rd_u32(&r);
	}
	n = am_rd_u64(&r);
	s->nw = (size_t)nfeat + (s->bias > 0);
	if (am_rd_error(&r) || nfeat != am_model_nfeat(m) || !(s->bias >= 0) ||
	    !isfinite(s->bias) || s->intercept > 1 ||
	    (ver == 2 && s->kind != LR_SOFTMAX && s->kind != LR_OVR) ||
	    s->nvec != (sc->nclass <= 2 ? 1 : sc->nclass) ||
	    (ver == 1 && sc->nclass > 2) || n != s->nvec * s->nw ||
	    n > am_rd_left(&r) / 8 || am_rd_left(&r) != n * 8)
		return am_seterr(err, AM_EFORMAT,
		    "'logreg' section does not match the model's %zu features",
		    am_model_nfeat(m));
	s->nfeat = (size_t)nfeat;
	if ((s->w = malloc(((size_t)n + 1) * sizeof(double))) == NULL)
		return am_seterr(err, AM_ENOMEM, "out of memory");
	am_rd_f64s(&r, s->w, (size_t)n);
	for (j = 0; j < n; j++)
		if (!isfinite(s->w[j]))
			return am_seterr(err, AM_EFORMAT,
			    "'logreg' section: weight %zu is not finite",
			    j + 1);
	if ((sec = am_art_section(a, "logreg.update", &len)) == NULL)
		return 0; /* an artifact from before updates: no summary */
	return lr_load_update(s, sc, sec, len, err);
}

static const double *
lr_coef(const struct am_model *m, double *bias)
{
	const struct lr *s = am_model_state(m);

	*bias = s->bias;
	return s->w;
}

static int
lr_explain(const struct am_model *m, size_t nnz, const uint32_t *idx,
    const double *val, size_t cls, double *contrib)
{
	const struct lr *s = am_model_state(m);
	const double *w = s->w;
	double sign = 1;
	size_t k;

	if (s->kind == LR_SIGMOID)
		sign = cls == am_model_positive(m) ? 1 : -1;
	else
		w = s->w + cls * s->nw;
	for (k = 0; k < nnz; k++)
		if (idx[k] < s->nfeat)
			contrib[idx[k]] += sign * w[idx[k]] * val[k];
	if (s->bias > 0)
		contrib[s->nfeat] += sign * w[s->nfeat] * s->bias;
	return 0;
}

const struct am_model_ops am_logreg_ops = {
	.name = "logreg",
	.classifier = 1,
	.maxclass = 1000,
	.fit = lr_fit,
	.predict = lr_predict,
	.save = lr_save,
	.load = lr_load,
	.free = lr_free,
	.coef = lr_coef,
	.explain = lr_explain,
	.unit = "log-odds",
	.update = lr_update,
	.merge = lr_merge,
};
