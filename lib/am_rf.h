/* SPDX-License-Identifier: MIT */
/*
 * am_rf.h -- random forests (Breiman 2001) for classification and
 * regression: "am-train -a rf".
 *
 * Each tree is grown on a bootstrap sample of the rows (or on all rows
 * with bootstrap off), choosing at each node the best split among a
 * random subset of the features ('max_features'), by Gini impurity,
 * entropy or squared error, until a node is pure, smaller than twice
 * 'min_leaf', or at 'max_depth'.  A classification forest predicts the
 * mean of the trees' leaf class distributions (soft voting, as
 * scikit-learn does); a regression forest the mean of their leaf means.
 *
 * Split search runs on histograms: before growing, each feature's values
 * are cut into at most 256 bins.  A feature with at most 256 distinct
 * values gets one bin per value and the candidate thresholds are exactly
 * the midpoints between consecutive values, as in an exact search; a
 * feature with more values is cut at midpoints between quantiles.  A row
 * goes left when x <= threshold.  A feature absent from a sparse row is 0.
 *
 * Determinism.  Tree i draws its sample and its features from a generator
 * seeded by am_hash64 of ('seed', i), so the forest does not depend on
 * how the trees are spread over threads: -j 1 and -j 8 give the same
 * bytes.  Out-of-bag scores and importances are reduced in tree order.
 *
 * Storage.  A node is 16 bytes: feature (u32), left child (u32; the
 * right child is the next node) and threshold (f64), plus its value as a
 * float (4 bytes; K floats for K classes) for --explain.  A leaf of a binary
 * or regression forest keeps its value in the threshold slot; a leaf of
 * a K-class forest points into an array of K class probabilities.
 *
 * Memory while fitting: 1 byte per row and feature (the bins; while
 * they are made, 12 bytes per nonzero more), plus per tree being grown
 * 18 bytes per row (30 with row or class weights or a numeric target);
 * the trees themselves take 20 bytes per node (about rows / min_leaf
 * nodes per tree).  The forest does not depend on the thread count nor
 * on how the split search counts: the trees are those of a plain
 * one-pass histogram search.
 */
#ifndef AM_RF_H
#define AM_RF_H

#include <stddef.h>
#include <stdint.h>

#include "am_buf.h"
#include "am_err.h"
#include "am_mat.h"
#include "am_model.h"

/* Split criteria. */
#define AM_RF_GINI    0
#define AM_RF_ENTROPY 1
#define AM_RF_MSE     2

/* max_feat: log2 of the feature count. */
#define AM_RF_LOG2 (-1.0)

struct am_rf_params {
	/*
	 * Trees to grow, >= 1; default 100.  0 asks for the default: 100
	 * for am_rf_fit(), and for am_rf_update() as many trees as keep the
	 * count proportional to the rows (see there).
	 */
	int ntrees;
	int max_depth; /* 0: unlimited */
	int min_leaf;  /* rows at least in a leaf, >= 1; default 1 */
	int min_split; /* rows at least to split a node, >= 2; default 2 */
	/*
	 * Features per split: 0 the default (classification sqrt(nfeat),
	 * regression all), AM_RF_LOG2 log2(nfeat), in (0, 1) a fraction of
	 * them, >= 1 a count (cut to nfeat); at least 1.
	 */
	double max_feat;
	int criterion;   /* AM_RF_GINI, _ENTROPY (classification), _MSE */
	int bootstrap;   /* sample rows with replacement (default 1) */
	int oob;         /* compute the out-of-bag score (needs bootstrap) */
	int permutation; /* also permutation importances (out of bag) */
	uint64_t seed;
	int threads; /* >= 1 */
	/* am_rf_update(): keep at most this many trees, the newest; 0: all. */
	int max_trees;
	/* Called after each tree when not NULL, with trees done so far. */
	void (*progress)(void *ctx, int done, int total);
	void *ctx;
};

#define AM_RF_PARAMS_INIT                                                     \
	{                                                                     \
		.ntrees = 100, .min_leaf = 1, .min_split = 2,                 \
		.criterion = AM_RF_GINI, .bootstrap = 1, .oob = 1, .seed = 1, \
		.threads = 1                                                  \
	}

struct am_rf;

/*
 * Fit a forest on the rows of 'x' ('nfeat' features): targets 'y' are
 * class indices in [0, 'nclass') for a classifier ('nclass' >= 2), or
 * values for a regressor ('nclass' == 0).  'w' (row weights, or NULL)
 * and 'cost' (per class, or NULL) multiply each row's weight.  Returns a
 * forest to am_rf_free(), or NULL with AM_EARG (bad parameters, naming
 * the option) or AM_ENOMEM in 'err'.
 */
struct am_rf *am_rf_fit(const struct am_csr *x, size_t nfeat, const double *y,
    const double *w, size_t nclass, const double *cost,
    const struct am_rf_params *p, struct am_err *err);

void am_rf_free(struct am_rf *f);

/*
 * Predict one sparse row (indices < nfeat, any order): 'out' gets
 * P(class 1) for a binary forest, the K class probabilities for a K-class
 * forest, or the value for a regressor.  Safe from several threads.
 */
void am_rf_predict(const struct am_rf *f, size_t nnz, const uint32_t *idx,
    const double *val, double *out);

/*
 * The prediction of tree 'i' alone (< the tree count) for one row, as
 * am_rf_predict() writes it.  For tests.
 */
void am_rf_predict_tree(const struct am_rf *f, size_t i, size_t nnz,
    const uint32_t *idx, const double *val, double *out);

/*
 * The generator tree 'i' of a forest fitted with 'seed' starts from:
 * am_rand_seed() of am_hash64 of i (8 bytes, little-endian) with 'seed'.
 * Its first draws are the bootstrap sample: rows draws of
 * am_rand_below(rows).
 */
uint64_t am_rf_tree_seed(uint64_t seed, size_t i);

/*
 * Path contributions (Saabas) of one row to output 'k' (binary and
 * regression: 0; K classes: class k): along each tree's path every split
 * adds the change of the node value (class frequency or mean) to its
 * feature; contrib[nfeat] gets the root value.  Averaged over the trees,
 * they are added to 'contrib' (nfeat + 1 entries) and sum to the
 * prediction up to float rounding (node values are stored as floats).
 */
void am_rf_explain(const struct am_rf *f, size_t nnz, const uint32_t *idx,
    const double *val, size_t k, double *contrib);

/*
 * Continue forest 'f' on new rows (am-train --update): grow 'p->ntrees'
 * trees on 'x', 'y', 'w', 'cost' (as for am_rf_fit(); 'x' has f's
 * features and classes) and append them to f's trees; then, when
 * 'p->max_trees' > 0 and the forest has more, drop the oldest.  The
 * structural parameters (depth, leaf and split sizes, features per
 * split, criterion, bootstrap) and the seed are f's own: only
 * 'p->ntrees', 'max_trees', 'oob', 'permutation', 'threads' and
 * 'progress' are read.  The new trees continue f's tree numbering, so
 * tree i of every fit and update of a forest draws from
 * am_rf_tree_seed(seed, i) and the result is the same bytes for any
 * thread count.  'p->ntrees' == 0 grows round(trees * new rows / rows
 * seen so far) trees (at least 1), so that every row weighs about the
 * same in the vote.  Out-of-bag scores and importances afterwards are
 * those of the new trees on the new rows.  Returns 0, AM_EARG or
 * AM_ENOMEM; on failure 'f' is unchanged.
 */
int am_rf_update(struct am_rf *f, const struct am_csr *x, const double *y,
    const double *w, const double *cost, const struct am_rf_params *p,
    struct am_err *err);

/*
 * A forest holding copies of all the trees of the 'n' >= 1 forests 'src',
 * in order, which must share features and classes (AM_EMODEL otherwise):
 * every tree votes with the same weight, so the merged prediction is the
 * average of the shards' predictions weighted by their tree counts.  Its
 * parameters and seed are src[0]'s; it keeps no out-of-bag data or
 * importances.  Returns a forest to am_rf_free(), or NULL with 'err'
 * set (AM_EMODEL, AM_EARG above 100000 trees, AM_ENOMEM).
 */
struct am_rf *am_rf_merge(const struct am_rf *const *src, size_t n,
    struct am_err *err);

/* Encode the forest into 'b' (errors show in am_buf_error()). */
void am_rf_encode(const struct am_rf *f, struct am_buf *b);

/*
 * Decode a forest of 'nfeat' features and 'nclass' classes (0:
 * regression) from 'data'.  Every node index, feature and value is
 * checked: AM_EFORMAT ("'rf' section: ...") or AM_ENOMEM.
 */
struct am_rf *am_rf_decode(const void *data, size_t len, size_t nfeat,
    size_t nclass, struct am_err *err);

/* What the fit measured. */
struct am_rf_info {
	size_t ntrees, nodes, leaves; /* over all trees */
	size_t grown;                 /* trees ever grown (retired too) */
	double seen;                  /* rows of every fit and update */
	int max_depth;                /* deepest leaf */
	double oob_score;             /* accuracy, or R^2; NAN if none */
	double oob_auc;               /* binary forests; NAN otherwise */
	size_t oob_rows;              /* rows out of bag of some tree */
	const double *imp_impurity;   /* nfeat, sum 1 (or all 0) */
	const double *imp_perm;       /* nfeat, or NULL if not computed */
};

void am_rf_info(const struct am_rf *f, struct am_rf_info *info);

/*
 * The out-of-bag prediction of training row 'i' (as am_rf_predict()
 * writes it) into 'out'; returns 0, or -1 when the row was in the bag of
 * every tree or no out-of-bag data was kept.  For tests.
 */
int am_rf_oob_row(const struct am_rf *f, size_t i, double *out);

/* The operations of "am-train -a rf" (see am_model.h). */
extern const struct am_model_ops am_rf_ops;

#endif
