/* SPDX-License-Identifier: MIT */
/*
 * am_gmm.h -- Gaussian mixture models fitted by EM ("am-train -a gmm"):
 * p(x) = sum_k w_k N(x | mu_k, Sigma_k), for segmenting customers and
 * scoring how unusual a row is (its log-density).
 *
 * Covariance types, as scikit-learn's GaussianMixture:
 *
 *   full       each component its own d x d matrix
 *   diag       each component a diagonal matrix
 *   spherical  each component one variance, s_k^2 I
 *   tied       one d x d matrix shared by all components
 *
 * EM.  Each restart seeds the means by greedy k-means++ (am_kmeans_pp),
 * gives each row wholly to its nearest seed, and runs an M-step; then E
 * and M steps alternate.  The E-step computes the log joint log w_k +
 * log N(x | k) of every row and component and normalises by log-sum-exp,
 * so no density underflows; the mean log-likelihood it yields is the
 * convergence measure: EM stops when it changes by less than 'tol'
 * between iterations, or after max_iter iterations.  The M-step adds
 * 'reg' to every covariance diagonal (a floor: constant columns,
 * duplicated rows and components holding one row stay positive
 * definite), and 10 * DBL_EPSILON to every component's weight count, as
 * scikit-learn does, so an empty component keeps finite parameters.  The
 * restart with the highest final mean log-likelihood is kept, with its
 * trace (the mean log-likelihood of each E-step).
 *
 * Determinism: rows are cut into tasks by am_seg_tasks(), each task sums
 * into its own slot, slots are added in task order: the same bits for
 * any number of threads.
 *
 * Memory: n * k doubles of responsibilities, plus per task (at most 64)
 * k * d * d doubles for a full covariance.
 */
#ifndef AM_GMM_H
#define AM_GMM_H

#include <stddef.h>
#include <stdint.h>

#include "am_err.h"
#include "am_model.h"
#include "am_pool.h"

#define AM_GMM_FULL      0
#define AM_GMM_DIAG      1
#define AM_GMM_SPHERICAL 2
#define AM_GMM_TIED      3

/* "full", "diag", "spherical", "tied" -> AM_GMM_*; -1 if unknown. */
int am_gmm_cov_byname(const char *name);
/* The name of covariance type 'cov'. */
const char *am_gmm_cov_name(int cov);

struct am_gmm_params {
	size_t k;             /* components, >= 1 */
	int cov;              /* AM_GMM_* */
	int restarts;         /* <= 0: 1 */
	int max_iter;         /* <= 0: 100 */
	double tol;           /* < 0: 1e-3 */
	double reg;           /* < 0: 1e-6 */
	uint64_t seed;        /* of the k-means++ seeding */
	struct am_pool *pool; /* NULL: the calling thread only */
};

#define AM_GMM_PARAMS_INIT                                             \
	{                                                              \
		.k = 1, .restarts = 1, .tol = -1, .reg = -1, .seed = 1 \
	}

struct am_gmm {
	size_t k, d;
	int cov;
	double *w;      /* k weights, sum 1 */
	double *mu;     /* k x d means */
	double *sigma;  /* full k*d*d, diag k*d, spherical k, tied d*d */
	double *chol;   /* lower Cholesky factors (full, tied), or NULL */
	double *lconst; /* log w_k - (d log 2 pi + log det Sigma_k) / 2 */
	double loglik;  /* mean log-likelihood of the training rows */
	int iter;       /* EM iterations of the kept restart */
	int converged;  /* it stopped before max_iter */
	double *trace;  /* mean log-likelihood of each E-step (iter) */
};

/*
 * Fit a mixture of p->k components to the 'n' rows of 'd' values at 'x'
 * (row-major), into 'g'.  Returns 0, AM_EARG (k is 0 or larger than n;
 * a covariance not positive definite even with the floor: "component 2:
 * covariance is not positive definite (raise --reg-covar)") or
 * AM_ENOMEM.
 */
int am_gmm_fit(struct am_gmm *g, const double *x, size_t n, size_t d,
    const struct am_gmm_params *p, struct am_err *err);

/*
 * Factor the covariances of a mixture whose k, d, cov, w, mu and sigma
 * are set (after loading it): fills chol and lconst.  Returns 0, AM_EARG
 * (not positive definite) or AM_ENOMEM.
 */
int am_gmm_prepare(struct am_gmm *g, struct am_err *err);

/*
 * The log-density log p(x) of row 'x' (d values); the posterior
 * membership probabilities into 'post' (k values) when not NULL.
 * 'scratch' holds d + k doubles.  Does not write to 'g'.
 */
double am_gmm_score(const struct am_gmm *g, const double *x, double *post,
    double *scratch);

/* Free parameters of 'g': the count that BIC and AIC charge. */
size_t am_gmm_nparams(const struct am_gmm *g);

/* Free what 'g' holds and zero it. */
void am_gmm_release(struct am_gmm *g);

/*
 * The algorithm "gmm" of am_model.  Outputs: out[0] = the segment (the
 * most probable component, 0 .. K-1), out[1 + k] = P(component k | x),
 * out[K + 1] = log p(x).
 */
extern const struct am_model_ops am_gmm_ops;

#endif
