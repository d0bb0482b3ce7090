/* SPDX-License-Identifier: MIT */
/*
 * am_mlp.c -- a multi-layer perceptron trained by mini-batch Adam or SGD
 * with momentum (see am_mlp.h).
 *
 * The parameters live in one flat array, layer by layer: W_l (rows: the
 * width of layer l-1, columns: the width of layer l, row-major) then b_l.
 * One flat array means one optimiser loop for every parameter, and the
 * gradient check of the unit tests can perturb any entry.
 *
 * A batch of B rows is made dense (B x nfeat) and pushed through the
 * layers as matrix products: Z_l = A_{l-1} W_l + b_l, A_l = act(Z_l).
 * Backward, the output error D_L = c (A_L - Y) / B is the same for
 * sigmoid + log loss, softmax + cross-entropy and identity + squared
 * error; then grad W_l = A_{l-1}' D_l (+ alpha W_l / B), grad b_l = the
 * column sums of D_l, D_{l-1} = (D_l W_l') * act'(A_{l-1}), where act' is
 * read off the activations (ReLU: A > 0; tanh: 1 - A^2).
 *
 * Prediction of one sparse row does the first layer as a sum of the
 * rows of W_1 picked by the row's nonzeros, and the rest as plain loops,
 * on two stack buffers: no allocation, safe from several threads.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "am_mlp.h"
#include "am_rand.h"

#include "am_banned.h"

#define VERSION 1
#define MAXOUT  AM_MLP_MAXWIDTH

struct am_mlp {
	size_t nfeat, nclass, nout, L; /* L: layers with weights */
	size_t width[AM_MLP_MAXLAYER + 2];
	size_t woff[AM_MLP_MAXLAYER + 1], boff[AM_MLP_MAXLAYER + 1];
	int act;
	double *p;
	size_t np;
	struct am_mlp_params par;
	struct am_mlp_info info;
};

/* Buffers for a batch of up to B rows. */
struct work {
	size_t B;
	double *a[AM_MLP_MAXLAYER + 2]; /* activations per layer, B x width */
	double *d0, *d1;                /* errors, B x the widest layer */
};

void
am_mlp_free(struct am_mlp *n)
{
	if (n == NULL)
		return;
	free(n->p);
	free(n);
}

size_t
am_mlp_nparams(const struct am_mlp *n)
{
	return n->np;
}

double *
am_mlp_params(struct am_mlp *n)
{
	return n->p;
}

void
am_mlp_info(const struct am_mlp *n, struct am_mlp_info *info)
{
	*info = n->info;
}

static int
check_params(const struct am_mlp_params *p, struct am_err *err)
{
	int i;

	if (p->nhidden < 1 || p->nhidden > AM_MLP_MAXLAYER)
		return am_seterr(err, AM_EARG,
		    "--hidden: %d layers is not 1 to %d", p->nhidden,
		    AM_MLP_MAXLAYER);
	for (i = 0; i < p->nhidden; i++)
		if (p->hidden[i] < 1 || p->hidden[i] > AM_MLP_MAXWIDTH)
			return am_seterr(err, AM_EARG,
			    "--hidden: width %zu is not in [1, %d]",
			    p->hidden[i], AM_MLP_MAXWIDTH);
	if (p->activation != AM_MLP_RELU && p->activation != AM_MLP_TANH)
		return am_seterr(err, AM_EARG, "--activation: unknown");
	if (p->solver != AM_MLP_ADAM && p->solver != AM_MLP_SGD)
		return am_seterr(err, AM_EARG, "--solver: unknown");
	if (!(p->lr > 0) || !isfinite(p->lr))
		return am_seterr(err, AM_EARG, "--lr: %g is not positive",
		    p->lr);
	if (!(p->momentum >= 0 && p->momentum < 1))
		return am_seterr(err, AM_EARG,
		    "--momentum: %g is not in [0, 1)", p->momentum);
	if (!(p->alpha >= 0) || !isfinite(p->alpha))
		return am_seterr(err, AM_EARG, "--l2: %g is negative",
		    p->alpha);
	if (p->epochs < 1 || p->batch < 1 || p->patience < 1)
		return am_seterr(err, AM_EARG,
		    "--epochs, --batch and --patience must be >= 1");
	if (!(p->valid >= 0 && p->valid < 1))
		return am_seterr(err, AM_EARG,
		    "--early-stop: %g is not in [0, 1)", p->valid);
	if (!(p->tol >= 0))
		return am_seterr(err, AM_EARG, "tolerance %g is negative",
		    p->tol);
	return 0;
}

/* Lay out the parameters of 'n' from its widths; 0 or -1 if too many. */
static int
layout(struct am_mlp *n)
{
	size_t l, off = 0;

	for (l = 1; l <= n->L; l++) {
		size_t in = n->width[l - 1], out = n->width[l];
		if (in > ((size_t)1 << 40) / out)
			return -1;
		n->woff[l - 1] = off;
		off += in * out;
		n->boff[l - 1] = off;
		off += out;
	}
	n->np = off;
	return 0;
}

static struct am_mlp *
alloc_net(size_t nfeat, size_t nclass, int nhidden, const size_t *hidden,
    struct am_err *err)
{
	struct am_mlp *n;
	int i;

	if ((n = calloc(1, sizeof(*n))) == NULL)
		goto nomem;
	n->nfeat = nfeat;
	n->nclass = nclass;
	n->nout = nclass > 2 ? nclass : 1;
	n->L = (size_t)nhidden + 1;
	n->width[0] = nfeat > 0 ? nfeat : 1;
	for (i = 0; i < nhidden; i++)
		n->width[i + 1] = hidden[i];
	n->width[n->L] = n->nout;
	if (n->nout > MAXOUT || layout(n) != 0) {
		am_mlp_free(n);
		am_seterr(err, AM_ELIMIT, "mlp: the network is too large");
		return NULL;
	}
	if ((n->p = calloc(n->np + 1, sizeof(double))) == NULL)
		goto nomem;
	n->info.vloss = (double)NAN;
	return n;
nomem:
	am_mlp_free(n);
	am_seterr(err, AM_ENOMEM, "out of memory");
	return NULL;
}

struct am_mlp *
am_mlp_new(size_t nfeat, size_t nclass, const struct am_mlp_params *p,
    struct am_err *err)
{
	struct am_mlp *n;
	struct am_rand r;
	size_t l, i;

	if (check_params(p, err) != 0)
		return NULL;
	if (nclass == 1) {
		am_seterr(err, AM_EARG, "mlp: one class is not a target");
		return NULL;
	}
	if ((n = alloc_net(nfeat, nclass, p->nhidden, p->hidden, err)) == NULL)
		return NULL;
	n->par = *p;
	n->act = p->activation;
	am_rand_seed(&r, p->seed);
	for (l = 1; l <= n->L; l++) {
		size_t in = n->width[l - 1], out = n->width[l];
		double bound = sqrt(6.0 / (double)(in + out));
		for (i = 0; i < in * out + out; i++)
			n->p[n->woff[l - 1] + i] =
			    (2 * am_rand_unif(&r) - 1) * bound;
	}
	return n;
}

static void
work_release(struct work *w)
{
	size_t l;

	for (l = 0; l < AM_MLP_MAXLAYER + 2; l++)
		free(w->a[l]);
	free(w->d0);
	free(w->d1);
}

static int
work_init(struct work *w, const struct am_mlp *n, size_t B)
{
	size_t l, maxw = 0;

	memset(w, 0, sizeof(*w));
	w->B = B;
	for (l = 0; l <= n->L; l++) {
		if (n->width[l] > maxw)
			maxw = n->width[l];
		if ((w->a[l] = malloc(B * n->width[l] * sizeof(double))) ==
		    NULL)
			return -1;
	}
	w->d0 = malloc(B * maxw * sizeof(double));
	w->d1 = malloc(B * maxw * sizeof(double));
	return w->d0 == NULL || w->d1 == NULL ? -1 : 0;
}

static struct am_mat
mat(size_t rows, size_t cols, double *data)
{
	struct am_mat m;

	m.rows = rows;
	m.cols = cols;
	m.stride = cols;
	m.data = data;
	m.owned = 0;
	return m;
}

static double
sigmoid(double z)
{
	if (z >= 0)
		return 1 / (1 + exp(-z));
	return exp(z) / (1 + exp(z));
}

/* Output activation of one row of 'k' values in place. */
static void
out_act(const struct am_mlp *n, double *z)
{
	size_t k;
	double mx, s = 0;

	if (n->nclass == 0)
		return;
	if (n->nout == 1) {
		z[0] = sigmoid(z[0]);
		return;
	}
	mx = z[0];
	for (k = 1; k < n->nout; k++)
		if (z[k] > mx)
			mx = z[k];
	for (k = 0; k < n->nout; k++)
		s += (z[k] = exp(z[k] - mx));
	for (k = 0; k < n->nout; k++)
		z[k] /= s;
}

/* Forward pass of the B rows in w->a[0]; 0 or an AM_E* code. */
static int
forward(const struct am_mlp *n, struct work *w, size_t B)
{
	size_t l, i, j;

	for (l = 1; l <= n->L; l++) {
		size_t in = n->width[l - 1], out = n->width[l];
		struct am_mat A = mat(B, in, w->a[l - 1]);
		struct am_mat W = mat(in, out, n->p + n->woff[l - 1]);
		struct am_mat Z = mat(B, out, w->a[l]);
		const double *b = n->p + n->boff[l - 1];
		int rc;

		for (i = 0; i < B; i++)
			memcpy(w->a[l] + i * out, b, out * sizeof(double));
		if ((rc = am_mat_gemm(0, 0, 1, &A, &W, 1, &Z, NULL)) != 0)
			return rc;
		if (l < n->L) {
			double *z = w->a[l];
			for (j = 0; j < B * out; j++)
				z[j] = n->act == AM_MLP_RELU
				    ? (z[j] > 0 ? z[j] : 0)
				    : tanh(z[j]);
		} else {
			for (i = 0; i < B; i++)
				out_act(n, w->a[l] + i * out);
		}
	}
	return 0;
}

/* Loss of one row with outputs 'o' and target 'y' (unweighted). */
static double
row_loss(const struct am_mlp *n, const double *o, double y)
{
	double p;

	if (n->nclass == 0)
		return 0.5 * (o[0] - y) * (o[0] - y);
	p = n->nout == 1 ? (y == 1 ? o[0] : 1 - o[0]) : o[(size_t)y];
	if (p < 1e-300)
		p = 1e-300;
	return -log(p);
}

/* Half the sum of squared weights (not biases). */
static double
l2(const struct am_mlp *n)
{
	size_t l, i;
	double s = 0;

	for (l = 1; l <= n->L; l++) {
		const double *W = n->p + n->woff[l - 1];
		for (i = 0; i < n->width[l - 1] * n->width[l]; i++)
			s += W[i] * W[i];
	}
	return 0.5 * s;
}

/*
 * Backward pass after forward() on B rows with targets 'y' and weights
 * 'c' (NULL: 1): the gradient of the batch objective into 'g'.
 */
static int
backward(const struct am_mlp *n, struct work *w, size_t B, const double *y,
    const double *c, double *g)
{
	size_t l, i, j, K = n->nout;
	double *D = w->d0, *Dp = w->d1, *tmp, scale = 1 / (double)B;
	int rc;

	for (i = 0; i < B; i++) {
		const double *o = w->a[n->L] + i * K;
		double ci = (c != NULL ? c[i] : 1) * scale;
		for (j = 0; j < K; j++) {
			double t = n->nclass == 0 ? y[i]
			    : K == 1              ? y[i]
			                          : (double)((size_t)y[i] == j);
			D[i * K + j] = ci * (o[j] - t);
		}
	}
	for (l = n->L; l >= 1; l--) {
		size_t in = n->width[l - 1], out = n->width[l];
		struct am_mat A = mat(B, in, w->a[l - 1]);
		struct am_mat Dm = mat(B, out, D);
		struct am_mat W = mat(in, out, n->p + n->woff[l - 1]);
		struct am_mat G = mat(in, out, g + n->woff[l - 1]);
		double *gb = g + n->boff[l - 1];
		const double *Wd = n->p + n->woff[l - 1];

		if ((rc = am_mat_gemm(1, 0, 1, &A, &Dm, 0, &G, NULL)) != 0)
			return rc;
		for (j = 0; j < in * out; j++)
			G.data[j] += n->par.alpha * scale * Wd[j];
		memset(gb, 0, out * sizeof(double));
		for (i = 0; i < B; i++)
			for (j = 0; j < out; j++)
				gb[j] += D[i * out + j];
		if (l == 1)
			break;
		{
			struct am_mat P = mat(B, in, Dp);
			const double *a = w->a[l - 1];
			if ((rc = am_mat_gemm(0, 1, 1, &Dm, &W, 0, &P, NULL)) !=
			    0)
				return rc;
			for (j = 0; j < B * in; j++)
				Dp[j] *= n->act == AM_MLP_RELU
				    ? (a[j] > 0 ? 1.0 : 0.0)
				    : 1 - a[j] * a[j];
		}
		tmp = D;
		D = Dp;
		Dp = tmp;
	}
	return 0;
}

double
am_mlp_objective(const struct am_mlp *n, const struct am_mat *x,
    const double *y, const double *c, double *grad)
{
	struct work w;
	size_t B = x->rows, i, j;
	double loss = 0;

	if (B == 0 || work_init(&w, n, B) != 0) {
		work_release(&w);
		return (double)NAN;
	}
	for (i = 0; i < B; i++)
		for (j = 0; j < n->width[0]; j++)
			w.a[0][i * n->width[0] + j] =
			    j < x->cols ? AM_MAT_AT(x, i, j) : 0;
	if (forward(n, &w, B) != 0 ||
	    (grad != NULL && backward(n, &w, B, y, c, grad) != 0)) {
		work_release(&w);
		return (double)NAN;
	}
	for (i = 0; i < B; i++)
		loss += (c != NULL ? c[i] : 1) *
		    row_loss(n, w.a[n->L] + i * n->nout, y[i]);
	work_release(&w);
	return (loss + n->par.alpha * l2(n)) / (double)B;
}

/* Rows rows[0 .. B) of 'x' into w->a[0], dense. */
static void
fill_batch(const struct am_mlp *n, struct work *w, const struct am_csr *x,
    const size_t *rows, size_t B)
{
	size_t i, k, nf = n->width[0];

	memset(w->a[0], 0, B * nf * sizeof(double));
	for (i = 0; i < B; i++) {
		size_t r = rows[i];
		for (k = x->ptr[r]; k < x->ptr[r + 1]; k++)
			if (x->idx[k] < n->nfeat)
				w->a[0][i * nf + x->idx[k]] = x->val[k];
	}
}

/* Weighted mean loss over 'nrows' rows (validation); NAN on error. */
static double
eval_loss(const struct am_mlp *n, struct work *w, const struct am_csr *x,
    const double *y, const double *rw, const size_t *rows, size_t nrows)
{
	size_t s, i;
	double loss = 0, cw = 0;

	for (s = 0; s < nrows; s += w->B) {
		size_t B = nrows - s < w->B ? nrows - s : w->B;
		fill_batch(n, w, x, rows + s, B);
		if (forward(n, w, B) != 0)
			return (double)NAN;
		for (i = 0; i < B; i++) {
			size_t r = rows[s + i];
			loss +=
			    rw[r] * row_loss(n, w->a[n->L] + i * n->nout, y[r]);
			cw += rw[r];
		}
	}
	return cw > 0 ? loss / cw : 0;
}

struct am_mlp *
am_mlp_fit(const struct am_csr *x, size_t nfeat, const double *y,
    const double *w, size_t nclass, const double *cost,
    const struct am_mlp_params *p, struct am_err *err)
{
	struct am_mlp *n;

	if ((n = am_mlp_new(nfeat, nclass, p, err)) == NULL)
		return NULL;
	if (am_mlp_train(n, x, y, w, cost, p, err) != 0) {
		am_mlp_free(n);
		return NULL;
	}
	return n;
}

int
am_mlp_train(struct am_mlp *n, const struct am_csr *x, const double *y,
    const double *w, const double *cost, const struct am_mlp_params *p,
    struct am_err *err)
{
	size_t nclass = n->nclass;
	struct am_rand r;
	struct work wk = { 0 };
	size_t rows = x->rows, ntrain, nval = 0, i, s, B;
	size_t *order = NULL;
	double *rw = NULL, *g = NULL, *m1 = NULL, *m2 = NULL, *best = NULL;
	double *yb = NULL, *cb = NULL, bestloss = HUGE_VAL, b1t = 1, b2t = 1;
	int epoch, stall = 0, rc;

	if (check_params(p, err) != 0)
		return err != NULL ? err->code : AM_EARG;
	n->par = *p;
	n->info.early = 0;
	n->info.vloss = (double)NAN;
	if (rows == 0) {
		am_seterr(err, AM_EARG, "mlp: no rows");
		goto fail;
	}
	am_rand_seed(&r, p->seed ^ 0x6d6c70);
	order = malloc(rows * sizeof(*order));
	rw = malloc(rows * sizeof(*rw));
	g = calloc(n->np + 1, sizeof(*g));
	m1 = calloc(n->np + 1, sizeof(*m1));
	m2 = calloc(n->np + 1, sizeof(*m2));
	if (order == NULL || rw == NULL || g == NULL || m1 == NULL ||
	    m2 == NULL)
		goto nomem;
	for (i = 0; i < rows; i++) {
		order[i] = i;
		rw[i] = (w != NULL ? w[i] : 1) *
		    (nclass > 0 && cost != NULL ? cost[(size_t)y[i]] : 1);
	}
	if (p->valid > 0) {
		am_rand_shuffle(&r, order, rows);
		nval = (size_t)(p->valid * (double)rows);
		if (nval < 1)
			nval = 1;
		if (nval >= rows) {
			am_seterr(err, AM_EARG,
			    "--early-stop: %zu rows leave none to train on",
			    rows);
			goto fail;
		}
		if ((best = malloc(n->np * sizeof(*best))) == NULL)
			goto nomem;
	}
	ntrain = rows - nval;
	n->info.train_rows = ntrain;
	B = (size_t)p->batch < ntrain ? (size_t)p->batch : ntrain;
	yb = malloc(B * sizeof(*yb));
	cb = malloc(B * sizeof(*cb));
	if (yb == NULL || cb == NULL || work_init(&wk, n, B) != 0)
		goto nomem;
	for (epoch = 1; epoch <= p->epochs; epoch++) {
		double eloss = 0, track;
		am_rand_shuffle(&r, order, ntrain);
		for (s = 0; s < ntrain; s += B) {
			size_t b = ntrain - s < B ? ntrain - s : B, j;
			double bl = 0;
			fill_batch(n, &wk, x, order + s, b);
			for (i = 0; i < b; i++) {
				yb[i] = y[order[s + i]];
				cb[i] = rw[order[s + i]];
			}
			if ((rc = forward(n, &wk, b)) != 0 ||
			    (rc = backward(n, &wk, b, yb, cb, g)) != 0) {
				am_seterr(err, rc,
				    "mlp: matrix product failed");
				goto fail;
			}
			for (i = 0; i < b; i++)
				bl += cb[i] *
				    row_loss(n, wk.a[n->L] + i * n->nout,
				        yb[i]);
			eloss += bl + p->alpha * l2(n);
			if (p->solver == AM_MLP_ADAM) {
				double lr;
				b1t *= 0.9;
				b2t *= 0.999;
				lr = p->lr * sqrt(1 - b2t) / (1 - b1t);
				for (j = 0; j < n->np; j++) {
					m1[j] = 0.9 * m1[j] + 0.1 * g[j];
					m2[j] =
					    0.999 * m2[j] + 0.001 * g[j] * g[j];
					n->p[j] -=
					    lr * m1[j] / (sqrt(m2[j]) + 1e-8);
				}
			} else {
				for (j = 0; j < n->np; j++) {
					m1[j] =
					    p->momentum * m1[j] - p->lr * g[j];
					n->p[j] += m1[j];
				}
			}
		}
		eloss /= (double)ntrain;
		n->info.epochs = epoch;
		n->info.loss = eloss;
		if (!isfinite(eloss)) {
			am_seterr(err, AM_EARG,
			    "mlp: the loss diverged at epoch %d (lower --lr)",
			    epoch);
			goto fail;
		}
		track = eloss;
		if (nval > 0) {
			track =
			    eval_loss(n, &wk, x, y, rw, order + ntrain, nval);
			if (track < bestloss)
				memcpy(best, n->p, n->np * sizeof(*best));
		}
		if (p->progress != NULL)
			p->progress(p->ctx, epoch, eloss,
			    nval > 0 ? track : (double)NAN);
		stall = track > bestloss - p->tol ? stall + 1 : 0;
		if (track < bestloss)
			bestloss = track;
		if (stall >= p->patience) {
			n->info.early = epoch < p->epochs;
			break;
		}
	}
	if (nval > 0) {
		memcpy(n->p, best, n->np * sizeof(*best));
		n->info.vloss = bestloss;
	}
	rc = 0;
	goto out;
nomem:
	am_seterr(err, AM_ENOMEM, "out of memory");
fail:
	rc = err != NULL && err->code != 0 ? err->code : AM_ENOMEM;
out:
	work_release(&wk);
	free(order);
	free(rw);
	free(g);
	free(m1);
	free(m2);
	free(best);
	free(yb);
	free(cb);
	return rc;
}

void
am_mlp_predict(const struct am_mlp *n, size_t nnz, const uint32_t *idx,
    const double *val, double *out)
{
	double h0[AM_MLP_MAXWIDTH], h1[AM_MLP_MAXWIDTH], *a = h0, *z = h1;
	size_t l, i, j, k;

	for (l = 1; l <= n->L; l++) {
		size_t in = n->width[l - 1], wo = n->width[l];
		const double *W = n->p + n->woff[l - 1];
		memcpy(z, n->p + n->boff[l - 1], wo * sizeof(double));
		if (l == 1) {
			for (k = 0; k < nnz; k++)
				if (idx[k] < n->nfeat)
					for (j = 0; j < wo; j++)
						z[j] += val[k] *
						    W[(size_t)idx[k] * wo + j];
		} else {
			for (i = 0; i < in; i++)
				for (j = 0; j < wo; j++)
					z[j] += a[i] * W[i * wo + j];
		}
		if (l < n->L) {
			for (j = 0; j < wo; j++)
				z[j] = n->act == AM_MLP_RELU
				    ? (z[j] > 0 ? z[j] : 0)
				    : tanh(z[j]);
		} else {
			out_act(n, z);
		}
		a = z;
		z = a == h0 ? h1 : h0;
	}
	/* n->L >= 1: the loop always ran, so 'a' holds the output layer */
	/* cppcheck-suppress uninitvar */
	memcpy(out, a, n->nout * sizeof(double));
}

void
am_mlp_encode(const struct am_mlp *n, struct am_buf *b)
{
	size_t l;

	am_buf_u32(b, VERSION);
	am_buf_u64(b, n->nfeat);
	am_buf_u32(b, (uint32_t)n->nclass);
	am_buf_u32(b, (uint32_t)(n->L - 1));
	am_buf_u32(b, (uint32_t)n->act);
	for (l = 1; l < n->L; l++)
		am_buf_u32(b, (uint32_t)n->width[l]);
	am_buf_u64(b, n->np);
	am_buf_f64s(b, n->p, n->np);
}

struct am_mlp *
am_mlp_decode(const void *data, size_t len, size_t nfeat, size_t nclass,
    struct am_err *err)
{
	struct am_mlp *n = NULL;
	struct am_rd r;
	size_t hidden[AM_MLP_MAXLAYER], i;
	uint32_t nh, act;
	uint64_t np;

	am_rd_init(&r, data, len);
	if (am_rd_u32(&r) != VERSION) {
		am_seterr(err, AM_EFORMAT, "'mlp' section: unknown version");
		return NULL;
	}
	if (am_rd_u64(&r) != nfeat || am_rd_u32(&r) != nclass ||
	    am_rd_error(&r)) {
		am_seterr(err, AM_EFORMAT,
		    "'mlp' section does not match the model's %zu features",
		    nfeat);
		return NULL;
	}
	nh = am_rd_u32(&r);
	act = am_rd_u32(&r);
	if (am_rd_error(&r) || nh < 1 || nh > AM_MLP_MAXLAYER ||
	    act > AM_MLP_TANH)
		goto bad;
	for (i = 0; i < nh; i++) {
		hidden[i] = am_rd_u32(&r);
		if (hidden[i] < 1 || hidden[i] > AM_MLP_MAXWIDTH)
			goto bad;
	}
	np = am_rd_u64(&r);
	if (am_rd_error(&r) || np > am_rd_left(&r) / 8 ||
	    am_rd_left(&r) != np * 8 || nclass == 1)
		goto bad;
	if ((n = alloc_net(nfeat, nclass, (int)nh, hidden, err)) == NULL)
		return NULL;
	if (n->np != np)
		goto bad;
	n->act = (int)act;
	am_rd_f64s(&r, n->p, n->np);
	for (i = 0; i < n->np; i++)
		if (!isfinite(n->p[i]))
			goto bad;
	return n;
bad:
	am_mlp_free(n);
	am_seterr(err, AM_EFORMAT, "'mlp' section: malformed network");
	return NULL;
}

/* The model interface: the state is the network. */

static void
mlp_free(void *state)
{
	am_mlp_free(state);
}

static int
mlp_fit(struct am_model *m, const struct am_table *t,
    const struct am_model_params *p, struct am_err *err)
{
	struct am_mlp_params mp = AM_MLP_PARAMS_INIT;
	size_t nc = t->schema.nclass;
	double *cost = NULL;
	struct am_mlp *n;

	if (p->mlp != NULL)
		mp = *p->mlp;
	mp.seed = p->seed;
	if (nc > 0) {
		if ((cost = malloc(nc * sizeof(*cost))) == NULL)
			return am_seterr(err, AM_ENOMEM, "out of memory");
		if (am_model_class_costs(m, t, p, cost, err) != 0) {
			free(cost);
			return err != NULL ? err->code : AM_EARG;
		}
	} else if (p->ncw > 0 || p->balanced) {
		return am_seterr(err, AM_EARG,
		    "mlp: class weights need a categorical target");
	}
	n = am_mlp_fit(&t->x, t->schema.nfeat, t->y, t->w, nc, cost, &mp, err);
	free(cost);
	if (n == NULL)
		return err != NULL && err->code != 0 ? err->code : AM_ENOMEM;
	am_model_set_state(m, n);
	return 0;
}

/*
 * Update: more epochs over the new rows from the stored weights, with
 * this run's training options (the architecture is the network's).
 */
static int
mlp_update(struct am_model *m, const struct am_table *t,
    const struct am_model_params *p, struct am_err *err)
{
	struct am_mlp_params mp = AM_MLP_PARAMS_INIT;
	struct am_mlp *n = am_model_state(m);
	size_t nc = t->schema.nclass;
	double *cost = NULL;
	int l, rc;

	if (p->mlp != NULL)
		mp = *p->mlp;
	mp.seed = p->seed;
	mp.activation = n->act;
	mp.nhidden = (int)n->L - 1;
	for (l = 0; l < mp.nhidden; l++)
		mp.hidden[l] = n->width[l + 1];
	if (nc > 0) {
		if ((cost = malloc(nc * sizeof(*cost))) == NULL)
			return am_seterr(err, AM_ENOMEM, "out of memory");
		if ((rc = am_model_class_costs(m, t, p, cost, err)) != 0) {
			free(cost);
			return rc;
		}
	}
	rc = am_mlp_train(n, &t->x, t->y, t->w, cost, &mp, err);
	free(cost);
	return rc;
}

/*
 * Merge: the rows-weighted mean of the parameters of networks of one
 * architecture (meaningful for networks from a common start).
 */
static int
mlp_merge(struct am_model *m, const struct am_model *const *src,
    const double *wt, size_t n, struct am_err *err)
{
	const struct am_mlp *a = am_model_state(src[0]);
	struct am_mlp *out;
	size_t i, j, l;
	double W = 0;

	for (i = 0; i < n; i++) {
		const struct am_mlp *b = am_model_state(src[i]);
		int same = b->L == a->L && b->act == a->act && b->np == a->np;
		for (l = 0; same && l <= a->L; l++)
			same = b->width[l] == a->width[l];
		if (!same)
			return am_seterr(err, AM_EMODEL,
			    "model %zu has another architecture than model 1 "
			    "(hidden layers, activation): cannot merge",
			    i + 1);
		W += wt[i];
	}
	if ((out = alloc_net(a->nfeat, a->nclass, (int)a->L - 1, a->width + 1,
	         err)) == NULL)
		return err != NULL && err->code != 0 ? err->code : AM_ENOMEM;
	am_model_set_state(m, out);
	out->act = a->act;
	out->par = a->par;
	out->info = a->info;
	for (i = 0; i < n; i++) {
		const struct am_mlp *b = am_model_state(src[i]);
		for (j = 0; j < out->np; j++)
			out->p[j] += wt[i] / W * b->p[j];
	}
	return 0;
}

static void
mlp_predict(const struct am_model *m, size_t nnz, const uint32_t *idx,
    const double *val, double *out)
{
	const struct am_mlp *n = am_model_state(m);

	am_mlp_predict(n, nnz, idx, val, out);
	if (n->nclass == 2 && am_model_positive(m) == 0)
		out[0] = 1 - out[0];
}

static int
mlp_save(const struct am_model *m, struct am_art *a, struct am_err *err)
{
	const struct am_mlp *n = am_model_state(m);
	const struct am_mlp_params *p = &n->par;
	struct am_buf b = AM_BUF_INIT;
	char hid[64];
	int rc, len = 0;
	size_t l;

	am_mlp_encode(n, &b);
	rc = am_buf_error(&b) ? AM_ENOMEM : am_art_add_buf(a, "mlp", &b);
	am_buf_release(&b);
	for (l = 1; l < n->L; l++)
		len += snprintf(hid + len, sizeof(hid) - (size_t)len, "%s%zu",
		    l > 1 ? "," : "", n->width[l]);
	rc |= am_art_set(a, "hyper.hidden", hid);
	rc |= am_art_set(a, "hyper.activation",
	    n->act == AM_MLP_RELU ? "relu" : "tanh");
	rc |= am_art_set(a, "hyper.output",
	    n->nclass == 0       ? "linear"
	        : n->nclass == 2 ? "sigmoid"
	                         : "softmax");
	if (n->info.epochs > 0) {
		rc |= am_art_set(a, "hyper.solver",
		    p->solver == AM_MLP_ADAM ? "adam" : "sgd");
		rc |= am_art_setf(a, "hyper.lr", "%.17g", p->lr);
		if (p->solver == AM_MLP_SGD)
			rc |= am_art_setf(a, "hyper.momentum", "%.17g",
			    p->momentum);
		rc |= am_art_setf(a, "hyper.l2", "%.17g", p->alpha);
		rc |= am_art_setf(a, "hyper.epochs", "%d", p->epochs);
		rc |= am_art_setf(a, "hyper.batch", "%d", p->batch);
		rc |= am_art_setf(a, "hyper.early_stop", "%.17g", p->valid);
		rc |= am_art_setf(a, "hyper.patience", "%d", p->patience);
		rc |= am_art_setf(a, "hyper.tol", "%.17g", p->tol);
		rc |= am_art_setf(a, "metric.epochs", "%d", n->info.epochs);
		rc |= am_art_setf(a, "metric.loss", "%.17g", n->info.loss);
		if (!isnan(n->info.vloss))
			rc |= am_art_setf(a, "metric.valid_loss", "%.17g",
			    n->info.vloss);
		rc |=
		    am_art_setf(a, "metric.stopped_early", "%d", n->info.early);
	}
	return rc != 0 ? am_seterr(err, AM_ENOMEM, "out of memory") : 0;
}

static int
mlp_load(struct am_model *m, const struct am_art *a, struct am_err *err)
{
	const void *sec;
	struct am_mlp *n;
	size_t len;

	if ((sec = am_art_section(a, "mlp", &len)) == NULL)
		return am_seterr(err, AM_EFORMAT, "no 'mlp' section");
	n = am_mlp_decode(sec, len, am_model_nfeat(m),
	    am_model_schema(m)->nclass, err);
	if (n == NULL)
		return err != NULL && err->code != 0 ? err->code : AM_EFORMAT;
	am_model_set_state(m, n);
	return 0;
}

const struct am_model_ops am_mlp_ops = {
	.name = "mlp",
	.classifier = 1,
	.maxclass = 1000,
	.fit = mlp_fit,
	.predict = mlp_predict,
	.save = mlp_save,
	.load = mlp_load,
	.free = mlp_free,
	.regressor = 1,
	.unit = "probability",
	.update = mlp_update,
	.merge = mlp_merge,
};
