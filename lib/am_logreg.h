/* SPDX-License-Identifier: MIT */
/*
 * am_logreg.h -- binary L2-regularised logistic regression, solved in the
 * primal by a trust-region Newton method (TRON: Lin, Weng and Keerthi,
 * "Trust region Newton method for large-scale logistic regression", JMLR
 * 2008), the method of LIBLINEAR -s 0.
 *
 * The problem, for rows x_i with labels y_i in {-1, +1} and costs c_i >= 0:
 *
 *	min_w  f(w) = 1/2 sum_j r_j w_j^2 + sum_i c_i log(1 + exp(-y_i w'x_i))
 *
 * c_i = C * (class weight of y_i) * (sample weight of row i).  With a bias
 * b > 0, every x_i gets one more constant feature of value b (LIBLINEAR's
 * -B b), whose weight is w[nfeat]; r_j = 1, except r_nfeat = 0 for an
 * unregularised intercept.
 *
 * Each Newton step solves H s = -g approximately by conjugate gradients
 * preconditioned with (1 - a) I + a diag(H), a = 0.01, inside a trust
 * region; the Hessian is never formed: H v = r.v + X'(D (X v)) with
 * D_ii = c_i s_i (1 - s_i), s_i = sigmoid(y_i w'x_i).  The solver stops when
 * ||g(w)|| <= eps * max(min(n+, n-), 1) / n * ||g(w0)|| (LIBLINEAR's rule,
 * n+ and n- the counts of positive and negative rows) or after max_iter
 * Newton steps.
 *
 * Threads: rows are cut into a fixed number of chunks that depends only on
 * the data, each chunk sums into its own buffer, and the buffers are added
 * in chunk order.  The result is therefore byte-identical for any number
 * of threads.
 */
#ifndef AM_LOGREG_H
#define AM_LOGREG_H

#include <stddef.h>
#include <stdint.h>

#include "am_buf.h"
#include "am_err.h"
#include "am_mat.h"
#include "am_model.h"

struct am_logreg_param {
	double eps;    /* relative stopping tolerance (-e), > 0 */
	int max_iter;  /* Newton iterations at most, >= 1 */
	double bias;   /* > 0: append a constant feature of this value */
	int intercept; /* nonzero: the bias weight is not regularised */
	int threads;   /* worker threads, >= 1 */
	/* Called after each Newton iteration when not NULL. */
	void (*progress)(void *ctx, int iter, double obj, double gnorm);
	void *ctx;
	/*
	 * Optional, 0 or NULL in AM_LOGREG_PARAM_INIT.  sqhinge: the loss
	 * is c_i max(0, 1 - y_i w'x_i)^2 (the L2-loss SVM in the primal,
	 * LIBLINEAR -s 2; D_ii = 2 c_i on the rows inside the margin).
	 * prior_h: the term 1/2 sum_j r_j w_j^2 becomes the prior
	 * 1/2 w'Pw - b'w with P = prior_h (nw x nw row-major when
	 * prior_full, else its diagonal; positive definite) and
	 * b = prior_b (nw): see struct am_logreg_quad.
	 */
	int sqhinge;
	int prior_full;
	const double *prior_h, *prior_b;
};

#define AM_LOGREG_EPS      0.01
#define AM_LOGREG_MAX_ITER 1000
#define AM_LOGREG_PARAM_INIT                                          \
	{                                                             \
		.eps = AM_LOGREG_EPS, .max_iter = AM_LOGREG_MAX_ITER, \
		.bias = 1.0, .threads = 1                             \
	}

struct am_logreg_info {
	int iter;      /* Newton iterations taken */
	long cg_iter;  /* conjugate-gradient iterations, all steps */
	double obj;    /* f(w) at the end */
	double gnorm0; /* ||g(w0)|| */
	double gnorm;  /* ||g(w)|| at the end */
	int converged; /* the stopping rule held (else max_iter was hit) */
};

/* Weights in w: nfeat, plus one for the bias when p->bias > 0. */
size_t am_logreg_nweights(size_t nfeat, const struct am_logreg_param *p);

/*
 * Fit w on rows 'x' (features with index >= 'nfeat' are ignored), labels
 * 'y' (each +1 or -1) and costs 'cost' (each >= 0: a row of cost 0 has
 * no effect), one per row of 'x'.
 * 'w' (am_logreg_nweights() entries) holds the starting point on entry
 * (zeros for LIBLINEAR's) and the solution on return; 'info' may be NULL.
 * Returns 0 (also when max_iter was hit: see info->converged), AM_EARG
 * for bad parameters or labels, or AM_ENOMEM.
 */
int am_logreg_fit(const struct am_csr *x, size_t nfeat, const double *y,
    const double *cost, const struct am_logreg_param *p, double *w,
    struct am_logreg_info *info, struct am_err *err);

/*
 * f(w) of the problem above, and its gradient into 'grad' (nweights
 * entries) unless NULL.  For checks and tests.  Returns f, or NAN when out
 * of memory.
 */
double am_logreg_objective(const struct am_csr *x, size_t nfeat,
    const double *y, const double *cost, const struct am_logreg_param *p,
    const double *w, double *grad);

/*
 * The margin w'x of one sparse row (with the bias term when 'bias' > 0,
 * its weight being w[nfeat]); indices >= 'nfeat' are ignored.
 */
double am_logreg_margin(const double *w, size_t nfeat, double bias, size_t nnz,
    const uint32_t *idx, const double *val);

/* 1 / (1 + exp(-z)), without overflow. */
double am_sigmoid(double z);

/*
 * What a fit knew about its rows, kept so that a model can be updated
 * with new rows or merged with models fitted on other shards without
 * the old rows (the Laplace approximation).  The data term of the
 * objective, L(w) = sum_i c_i l_i(w) (the objective without its
 * penalty), is replaced by its second-order expansion at the model's
 * weights w:
 *
 *	L(v) ~ L(w) + g'(v - w) + 1/2 (v - w)' H (v - w)
 *
 * so that an update minimises 1/2 sum_j r_j v_j^2 + a (g'(v - w) + 1/2
 * (v - w)' H (v - w)) + sum_new c_i l_i(v), a quadratic prior plus the
 * new rows' loss (a = C_new / C_old rescales the old data term when C
 * changes, as with --lambda), and a merge minimises the penalty plus
 * the sum of the shards' expansions.  At an exact optimum of the L2
 * problem g = -r.w, so the prior is 1/2 (v - w)' (H + diag r) (v - w):
 * the old objective's Hessian centred at the old solution.
 *
 * The weights are cut into 'nb' independent blocks of 'bs' weights
 * (one per weight vector for a binary or one-vs-rest model; one block
 * of all K vectors for a multinomial one).  'g' holds nb * bs entries;
 * 'h' the Hessian of each block, nb * bs * bs entries row-major when
 * 'full', else only its diagonal (nb * bs), used beyond
 * AM_LOGREG_QUAD_FULL weights per block (memory grows as bs^2) and for
 * multinomial models.  For the squared hinge the generalised Hessian
 * (2 c_i x_i x_i' over the rows inside the margin) is used.
 */
#define AM_LOGREG_QUAD_FULL 256

struct am_logreg_quad {
	size_t nb, bs;
	int full;
	double *g, *h;
};

/* Losses of am_logreg_quad_add(). */
#define AM_LOSS_LOGISTIC 0 /* y_i = +1 / -1 */
#define AM_LOSS_SQHINGE  1 /* y_i = +1 / -1 / 0 (skipped) */
#define AM_LOSS_SOFTMAX  2 /* y_i a class index < nvec */

/*
 * Allocate 'q' (zeroed) for 'nb' blocks of 'bs' weights, full when
 * 'full' and bs <= AM_LOGREG_QUAD_FULL.  0 or AM_ENOMEM.
 * am_logreg_quad_release() frees it (also a zeroed one).
 */
int am_logreg_quad_init(struct am_logreg_quad *q, size_t nb, size_t bs,
    int full);
void am_logreg_quad_release(struct am_logreg_quad *q);

/*
 * Add to block 'blk' of 'q' the gradient and Hessian at 'w' (the
 * block's weights: nvec * nw for AM_LOSS_SOFTMAX, else nw, nw = nfeat
 * + (bias > 0)) of sum_i cost_i l_i over the rows of 'x' (indices >=
 * nfeat ignored) with labels 'y' as 'loss' says.
 */
void am_logreg_quad_add(struct am_logreg_quad *q, size_t blk,
    const struct am_csr *x, size_t nfeat, double bias, const double *y,
    const double *cost, int loss, size_t nvec, const double *w);

/*
 * Move block 'blk' of 'q' from the point 'w0' to 'w1' and scale it by
 * 'a': g = a (g + H (w1 - w0)), H = a H (the expansion's own gradient
 * at w1).
 */
void am_logreg_quad_move(struct am_logreg_quad *q, size_t blk, double a,
    const double *w0, const double *w1);

/*
 * Add block 'blk' of 'q' (expanded at 'w'), scaled by 'a', to a prior
 * (P, b) of the solver: P += a H (P full when q->full, else diagonal),
 * b += a (H w - g).
 */
void am_logreg_quad_prior(const struct am_logreg_quad *q, size_t blk, double a,
    const double *w, double *ph, double *pb);

/* Block 'blk' of 'src' added to block 'blk' of 'dst' (same shape). */
void am_logreg_quad_sum(struct am_logreg_quad *dst,
    const struct am_logreg_quad *src, size_t blk);

/*
 * Encode 'q' into 'b' (u8 full, u64 nb, u64 bs, f64 g, f64 h), and
 * decode it from 'r' expecting 'nb' blocks of 'bs' weights: 0,
 * AM_EFORMAT ("'NAME' section: ...") or AM_ENOMEM.
 */
void am_logreg_quad_encode(const struct am_logreg_quad *q, struct am_buf *b);
int am_logreg_quad_decode(struct am_logreg_quad *q, struct am_rd *r, size_t nb,
    size_t bs, const char *name, struct am_err *err);

/*
 * The "logreg" algorithm of am_model.h.  Fit: y_i = +1 for the positive
 * class, -1 otherwise; c_i = C * class cost * sample weight, where C is
 * p->C, or 1 / (p->lambda * rows) when p->lambda > 0, so that with
 * lambda the objective divided by C * rows is
 * lambda/2 ||w||^2 + mean loss.  Defaults: eps AM_LOGREG_EPS, max_iter
 * AM_LOGREG_MAX_ITER.  Predict: out[0] = sigmoid(w'x).  Payload: section
 * "logreg" (u32 version 1, u64 nfeat, f64 bias, u8 intercept, u64 count
 * and the f64 weights); meta hyper.C, hyper.lambda, hyper.eps,
 * hyper.max_iter, hyper.bias, hyper.intercept, hyper.class_weight,
 * metric.iterations, metric.objective, metric.converged.
 */
extern const struct am_model_ops am_logreg_ops;

#endif
