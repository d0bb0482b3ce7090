/* SPDX-License-Identifier: MIT */
/*
 * am_mlp.h -- the multi-layer perceptron: "am-train -a mlp".
 *
 * A feed-forward network of 1 to 3 hidden layers (ReLU or tanh) and an
 * output layer chosen by the target: one sigmoid unit for a binary
 * classifier (P(class 1)), K softmax units for K classes, one linear unit
 * for a regressor.  It minimises the mean log loss (cross-entropy) or
 * half the mean squared error over mini-batches, plus the L2 penalty
 * alpha / (2 B) |W|^2 on the weights (not the biases) for a batch of B
 * rows, as scikit-learn's MLPClassifier does.  Row weights and class
 * costs multiply each row's loss.
 *
 * Training: weights start Glorot-uniform (bound sqrt(6 / (fan_in +
 * fan_out)), biases too) from the seed; each epoch shuffles the rows
 * with the seeded generator and steps through batches with Adam (Kingma
 * and Ba; beta1 0.9, beta2 0.999, epsilon 1e-8) or SGD with momentum.
 * Forward and backward passes are matrix products through am_mat (BLAS
 * dgemm) on a dense copy of each batch, so memory is bounded by the batch
 * and the layer widths, not the rows.  Stopping: after 'epochs', or when
 * the loss (the training loss, or with 'valid' > 0 the loss on a held-out
 * fraction of the rows, whose best weights are then kept) has not
 * improved by 'tol' for 'patience' epochs in a row.
 *
 * Determinism: the same rows, parameters and seed give the same bits as
 * long as BLAS sums in a fixed order (OPENBLAS_NUM_THREADS=1); every
 * other sum runs in row order.
 */
#ifndef AM_MLP_H
#define AM_MLP_H

#include <stddef.h>
#include <stdint.h>

#include "am_buf.h"
#include "am_err.h"
#include "am_mat.h"
#include "am_model.h"

#define AM_MLP_RELU 0
#define AM_MLP_TANH 1

#define AM_MLP_ADAM 0
#define AM_MLP_SGD  1

#define AM_MLP_MAXLAYER 3    /* hidden layers at most */
#define AM_MLP_MAXWIDTH 4096 /* units per hidden layer at most */

struct am_mlp_params {
	int nhidden;                    /* hidden layers, 1 to 3 */
	size_t hidden[AM_MLP_MAXLAYER]; /* their widths; default 100 */
	int activation;                 /* AM_MLP_RELU (default), _TANH */
	int solver;                     /* AM_MLP_ADAM (default), _SGD */
	double lr;                      /* step size; default 0.001 */
	double momentum;                /* SGD; default 0.9 */
	double alpha;                   /* L2 penalty; default 1e-4 */
	int epochs;                     /* at most; default 200 */
	int batch;                      /* rows per batch; default 200 */
	double valid;                   /* early stopping fraction, 0 off */
	int patience;                   /* epochs without progress; 10 */
	double tol;                     /* progress at least; 1e-4 */
	uint64_t seed;
	/* Called after each epoch when not NULL. */
	void (*progress)(void *ctx, int epoch, double loss, double vloss);
	void *ctx;
};

#define AM_MLP_PARAMS_INIT                                                   \
	{                                                                    \
		.nhidden = 1, .hidden = { 100, 0, 0 }, .lr = 0.001,          \
		.momentum = 0.9, .alpha = 1e-4, .epochs = 200, .batch = 200, \
		.patience = 10, .tol = 1e-4, .seed = 1                       \
	}

struct am_mlp;

/*
 * A network for 'nfeat' inputs and 'nclass' classes (0: a regressor)
 * with the architecture of 'p' and weights drawn from 'p->seed'.
 * Returns it to am_mlp_free(), or NULL with AM_EARG (a bad parameter,
 * naming its option) or AM_ENOMEM.
 */
struct am_mlp *am_mlp_new(size_t nfeat, size_t nclass,
    const struct am_mlp_params *p, struct am_err *err);

/*
 * Fit a network on the rows of 'x': targets 'y' are class indices for a
 * classifier ('nclass' >= 2) or values ('nclass' == 0); 'w' (or NULL)
 * and 'cost' (per class, or NULL) weight the rows.  Returns the fitted
 * network or NULL with 'err' set (AM_EARG, AM_ENOMEM, AM_ELIMIT).
 */
struct am_mlp *am_mlp_fit(const struct am_csr *x, size_t nfeat, const double *y,
    const double *w, size_t nclass, const double *cost,
    const struct am_mlp_params *p, struct am_err *err);

/*
 * Train the existing network 'n' further on the rows of 'x' (as
 * am_mlp_fit() does, from n's weights instead of a fresh start): 'p'
 * gives the training options (solver, lr, alpha, epochs, batch, valid,
 * patience, tol, seed); its architecture is ignored.  Adam's moments
 * start at zero.  Returns 0 or AM_E* (the network may then be partly
 * trained).  am-train --update for -a mlp.
 */
int am_mlp_train(struct am_mlp *n, const struct am_csr *x, const double *y,
    const double *w, const double *cost, const struct am_mlp_params *p,
    struct am_err *err);

void am_mlp_free(struct am_mlp *n);

/*
 * Predict one sparse row: P(class 1) for a binary network, K class
 * probabilities, or the value.  Safe from several threads.
 */
void am_mlp_predict(const struct am_mlp *n, size_t nnz, const uint32_t *idx,
    const double *val, double *out);

/*
 * The training objective of 'n' on the 'x->rows' dense rows of 'x'
 * (nfeat columns) with targets 'y' and row weights 'c' (NULL: 1): the
 * mean weighted loss plus the L2 term, with its gradient with respect to
 * every parameter into 'grad' (am_mlp_nparams() entries) unless NULL.
 * Returns the objective, or NAN when out of memory.  For tests.
 */
double am_mlp_objective(const struct am_mlp *n, const struct am_mat *x,
    const double *y, const double *c, double *grad);

/* The parameters of 'n', in place (weights then biases, layer by layer). */
size_t am_mlp_nparams(const struct am_mlp *n);
double *am_mlp_params(struct am_mlp *n);

/* What the fit did. */
struct am_mlp_info {
	int epochs;        /* epochs run */
	double loss;       /* training loss of the last epoch */
	double vloss;      /* best validation loss, NAN without one */
	int early;         /* stopped before 'epochs' */
	size_t train_rows; /* rows trained on (the rest validated) */
};

void am_mlp_info(const struct am_mlp *n, struct am_mlp_info *info);

/* Encode into 'b' (errors show in am_buf_error()). */
void am_mlp_encode(const struct am_mlp *n, struct am_buf *b);

/*
 * Decode a network of 'nfeat' inputs and 'nclass' classes: AM_EFORMAT
 * ("'mlp' section: ...") or AM_ENOMEM.
 */
struct am_mlp *am_mlp_decode(const void *data, size_t len, size_t nfeat,
    size_t nclass, struct am_err *err);

/*
 * The operations of "am-train -a mlp" (see am_model.h).  Update: the
 * stored network trained for more epochs on the new rows only, with
 * this run's training options; it can forget what the old rows taught
 * (no prior holds it near the old weights), so keep --epochs small
 * and --lr low.  Merge: the rows-weighted mean of the parameters of
 * networks with one architecture (AM_EMODEL otherwise), sound for
 * networks from a common start (the same seed, few epochs apart, or
 * updates of one model), not for networks trained apart from scratch,
 * whose hidden units need not correspond.
 */
extern const struct am_model_ops am_mlp_ops;

#endif
