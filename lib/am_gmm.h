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
	/*
	 * The sufficient statistics of the last M-step, from which w, mu
	 * and sigma were computed: nk[k] the responsibility sums (rows),
	 * and scat the responsibility-weighted scatter around the means in
	 * sigma's layout (full: k centred d x d sums; diag: k x d sums of
	 * squares; spherical: k sums over all d features; tied: one d x d
	 * sum over all components), so that sigma = scat / nk + reg.
	 */
	double *nk;
	double *scat;
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

/*
 * Continue EM on the 'n' new rows at 'x' from the parameters and
 * statistics in 'g' (a fitted or loaded mixture whose nk and scat are
 * set).  Each M-step combines the new rows' statistics with the old ones
 * counted 'decay' times (in [0, 1]: 1 weighs every old row as a new one,
 * 0 forgets them), around the new means:
 *
 *   N_k = decay N0_k + sum_i r_ik
 *   mu_k = (decay N0_k mu0_k + sum_i r_ik x_i) / N_k
 *   S_k = decay (S0_k + N0_k (mu0_k - mu_k)(mu0_k - mu_k)')
 *         + sum_i r_ik (x_i - mu_k)(x_i - mu_k)'
 *
 * and sigma = S_k / N_k + p->reg.  E and M steps alternate until the
 * mean log-likelihood of the new rows changes by less than p->tol, or
 * p->max_iter times; loglik, iter, converged and the trace then describe
 * the new rows.  p->k, cov, restarts and seed are not used.  Returns 0,
 * AM_EARG (a covariance not positive definite) or AM_ENOMEM; on failure
 * 'g' may be left half-updated.
 */
int am_gmm_update(struct am_gmm *g, const double *x, size_t n, double decay,
    const struct am_gmm_params *p, struct am_err *err);

/*
 * Set nk and scat of 'g' (w, mu, sigma set; nk and scat allocated) from
 * its parameters as if it had been fitted on 'rows' rows with floor
 * 'reg': nk = w rows, scat = nk (sigma - reg), the diagonal kept >= 0.
 * For artifacts saved before the statistics were stored.
 */
void am_gmm_derive_stats(struct am_gmm *g, double rows, double reg);

/*
 * Merge the 'n' >= 1 mixtures 'src' (one K, d and covariance type),
 * fitted on shards of one data set, into 'g' (zeroed): the component
 * statistics are summed and one M-step taken with floor 'reg'.
 * Components are matched to those of src[0] by their means: the closest
 * pair (Euclidean) first, then the closest among the rest, and so on.
 * Shards grown from one model by am_gmm_update() keep its order, and
 * the matching then is the identity.  Returns 0, AM_EMODEL (K, d or
 * covariance types differ), AM_EARG (not positive definite) or
 * AM_ENOMEM.
 */
int am_gmm_merge(struct am_gmm *g, const struct am_gmm *const *src, size_t n,
    double reg, struct am_err *err);

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
