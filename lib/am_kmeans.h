/* SPDX-License-Identifier: MIT */
/*
 * am_kmeans.h -- k-means clustering ("am-train -a kmeans") and the pieces
 * the Gaussian mixture (am_gmm) shares with it: k-means++ seeding, dense
 * rows from a training table, the silhouette of a labelling, and the
 * fixed partition of rows into tasks that makes threaded sums
 * deterministic.
 *
 * Fitting minimises the inertia, the sum over rows of the squared
 * Euclidean distance to the nearest center.  Each restart seeds centers
 * by greedy k-means++ (Arthur and Vassilvitskii 2007; 2 + floor(ln k)
 * candidates per step, the one lowering the potential most is kept, as
 * scikit-learn does), then either
 *
 *   Lloyd iterations accelerated by Hamerly's bounds (2010): an upper
 *   bound on the distance to the assigned center and a lower bound on
 *   the distance to every other center skip most distance computations,
 *   with exactly Lloyd's result; stops when the squared shift of the
 *   centers summed is at most tol times the mean feature variance (as
 *   scikit-learn), or after max_iter iterations; or
 *
 *   mini-batch updates (Sculley 2010) for very large inputs: batches of
 *   'batch' rows drawn with the seed, each center moved toward its rows
 *   with a per-center learning rate 1 / count; up to max_iter passes
 *   over the data, stopping early when the smoothed batch inertia has not
 *   improved for 10 batches.
 *
 * The restart with the lowest inertia is kept.  An emptied center is
 * moved to the row farthest from its center (ties: the first row).
 *
 * Determinism.  Rows are cut into tasks by am_seg_tasks(), which depends
 * on the row count only; each task sums into its own slot and slots are
 * added in task order, so any thread count gives the same bits.
 */
#ifndef AM_KMEANS_H
#define AM_KMEANS_H

#include <stddef.h>
#include <stdint.h>

#include "am_err.h"
#include "am_model.h"
#include "am_pool.h"
#include "am_rand.h"
#include "am_table.h"

struct am_kmeans_params {
	size_t k;             /* centers, >= 1 */
	int restarts;         /* seedings tried; <= 0: 1 */
	int max_iter;         /* iterations (passes); <= 0: 300 (100) */
	double tol;           /* see above; < 0: 1e-4 */
	size_t batch;         /* > 0: mini-batch of this many rows */
	uint64_t seed;        /* of the seeding and the batches */
	struct am_pool *pool; /* NULL: the calling thread only */
};

#define AM_KMEANS_PARAMS_INIT                               \
	{                                                   \
		.k = 8, .restarts = 1, .tol = -1, .seed = 1 \
	}

struct am_kmeans {
	size_t k, d;
	double *centers; /* k x d, row-major */
	double *size;    /* rows nearest to each center */
	double inertia;  /* sum of squared distances to the nearest center */
	int iter;        /* iterations (or passes) of the kept restart */
	int converged;   /* it stopped before max_iter */
};

/*
 * Cluster the 'n' rows of 'd' values at 'x' (row-major) into p->k
 * centers, into 'km' (released first by the caller with
 * am_kmeans_release(), or zeroed).  Returns 0, AM_EARG (k is 0, or
 * larger than n: "k 9 is larger than the 5 rows") or AM_ENOMEM.
 */
int am_kmeans_fit(struct am_kmeans *km, const double *x, size_t n, size_t d,
    const struct am_kmeans_params *p, struct am_err *err);

/*
 * Continue 'km' (fitted or loaded: centers and size set) on the 'n' new
 * rows at 'x' by mini-batch updates (Sculley 2010): each center starts
 * with the count 'decay' * size (decay in [0, 1]), then for 'passes'
 * passes (<= 0: 1) over the new rows in an order shuffled with 'seed',
 * cut into batches of 'batch' rows (0: 1024), every row of a batch is
 * given to its nearest center at the start of the batch and each center
 * moved to (count * center + sum of its rows) / (count + its rows), its
 * count growing by its rows: a learning rate of 1 / count per row.  A
 * batch holding all the rows of one pass thus gives each center the
 * count-weighted mean of its old rows and its new ones.  Then 'inertia'
 * is recomputed on the new rows, and size becomes decay * size plus the
 * new rows nearest to each center.  Returns 0, AM_EARG (no rows) or
 * AM_ENOMEM.
 */
int am_kmeans_update(struct am_kmeans *km, const double *x, size_t n,
    double decay, size_t batch, int passes, uint64_t seed, struct am_pool *pool,
    struct am_err *err);

/*
 * Merge the 'n' >= 1 clusterings 'src' (one K and d), fitted on shards
 * of one data set, into 'km' (zeroed): centers are matched to those of
 * src[0] by am_seg_match(), and each merged center is the size-weighted
 * mean of its matches (a center no shard gave rows keeps src[0]'s);
 * sizes add; the inertia is the shards' plus each center's size times
 * its squared move, the inertia of the shards' own assignments around
 * the merged centers.  Returns 0, AM_EMODEL (K or d differ) or
 * AM_ENOMEM.
 */
int am_kmeans_merge(struct am_kmeans *km, const struct am_kmeans *const *src,
    size_t n, struct am_err *err);

/* Free what 'km' holds and zero it. */
void am_kmeans_release(struct am_kmeans *km);

/* The nearest center to row 'x' (ties: the lowest index); its squared
 * distance into '*dist2' when not NULL. */
size_t am_kmeans_nearest(const struct am_kmeans *km, const double *x,
    double *dist2);

/*
 * Greedy k-means++: 'k' rows of 'x' chosen as centers, into 'centers'
 * (k x d).  With fewer distinct rows than k, the rest repeat a row.
 * Returns 0 or AM_ENOMEM.
 */
int am_kmeans_pp(const double *x, size_t n, size_t d, size_t k,
    struct am_rand *r, struct am_pool *pool, double *centers,
    struct am_err *err);

/*
 * am_kmeans_pp() in the scratch 'work' of am_kmeans_pp_len(n, k) doubles
 * (whatever it held is lost), so that a caller with a large array to
 * fill afterwards lends it, and no second set of fresh pages is touched.
 */
size_t am_kmeans_pp_len(size_t n, size_t k);
int am_kmeans_pp_work(const double *x, size_t n, size_t d, size_t k,
    struct am_rand *r, struct am_pool *pool, double *centers, double *work,
    struct am_err *err);

/*
 * Rows of a training table as a dense row-major n x nfeat array (absent
 * values are 0).  A table loaded dense (AM_TABLE_DENSE) gives its 'dense'
 * matrix; when the table's CSR already holds every value of every row
 * in order, that is its value array; both are used in place ('*owned'
 * NULL); otherwise a copy, also in '*owned', to free().  NULL with
 * AM_EFORMAT when a value is not finite ("FILE: row 12: feature 'age' is
 * not finite") or AM_ENOMEM.
 */
const double *am_seg_dense(const struct am_table *t, double **owned,
    struct am_err *err);

/*
 * malloc() for a large array about to be filled: from 2 MiB on, aligned
 * to 2 MiB and advised for huge pages (am_mat_advise()) before a byte of
 * it is touched, so that none of it faults in 4 KiB at a time (on a
 * virtual machine such faults cost five times the huge ones).  To free().
 * NULL when out of memory.
 */
void *am_seg_alloc(size_t bytes);

/*
 * The fixed partition of 'n' rows into tasks: at most 64 tasks of at
 * least 1024 rows; task i covers [i * chunk, min(n, (i + 1) * chunk)).
 * Returns the task count (>= 1) and the chunk in '*chunk'.
 */
size_t am_seg_tasks(size_t n, size_t *chunk);

/*
 * The order of the k centers 'b' that matches them to the k centers 'a'
 * (k x d each), for merging shard models: perm[i] is the center of 'b'
 * paired with a's center i, chosen greedily: the closest pair
 * (Euclidean) first, then the closest pair among the rest, and so on.
 * 'used' is scratch of 2 k bytes.
 */
void am_seg_match(const double *a, const double *b, size_t k, size_t d,
    size_t *perm, unsigned char *used);

/* Run fn over 'ntasks' tasks on 'pool', or inline when it is NULL. */
void am_seg_run(struct am_pool *pool, size_t ntasks,
    void (*fn)(void *arg, size_t task), void *arg);

/*
 * What "am-train -a gmm|kmeans" passes to both algorithms (through
 * struct am_model_params 'seg'; NULL: the defaults below).  With kmin <
 * kmax every K of the range is fitted and the best by 'select' kept;
 * the table of K and criteria is stored in the artifact.
 */
#define AM_SEG_BIC        0 /* gmm default: lowest BIC */
#define AM_SEG_AIC        1 /* lowest AIC */
#define AM_SEG_SILHOUETTE 2 /* kmeans (only choice): highest silhouette */

struct am_seg_params {
	size_t kmin, kmax; /* 1 <= kmin <= kmax; 0: 8 (kmeans), 1 (gmm) */
	int select;        /* AM_SEG_*; < 0: the algorithm's own */
	int cov;           /* gmm: AM_GMM_FULL, _DIAG, _SPHERICAL, _TIED */
	int restarts;      /* <= 0: 1 */
	double tol;        /* < 0: 1e-4 (kmeans), 1e-3 (gmm) */
	double reg_covar;  /* gmm: < 0: 1e-6 */
	size_t batch;      /* kmeans: > 0: mini-batch size */
	size_t sample;     /* kmeans silhouette sample; 0: 2000 */
	double decay;      /* --update: weight of the old statistics, in
	                      [0, 1]; < 0: 1 */
};

#define AM_SEG_PARAMS_INIT                                               \
	{                                                                \
		.select = -1, .restarts = 1, .tol = -1, .reg_covar = -1, \
		.decay = -1                                              \
	}

/*
 * For the gmm and kmeans fits: p->seg or the defaults (K = 'kdef' when
 * no K is given) into 'sp', and a pool of p->threads threads into
 * '*pool' (NULL for one thread; am_pool_free() it).  0 or AM_ENOMEM.
 */
int am_seg_params_get(const struct am_model_params *p, size_t kdef,
    struct am_seg_params *sp, struct am_pool **pool, struct am_err *err);

/* The algorithm "kmeans" of am_model: outputs out[0] = segment (0 ..
 * K-1) and out[1] = the squared distance to its center. */
extern const struct am_model_ops am_kmeans_ops;

#endif
