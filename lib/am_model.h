/* SPDX-License-Identifier: MIT */
/*
 * am_model.h -- the one interface every learning algorithm implements,
 * and the model artifact (kind "model") they share.
 *
 * An algorithm is a table of operations (struct am_model_ops, like
 * Miller's verb table): fit on an in-memory table, predict one sparse
 * row, save its payload into an artifact, load it back, free its state.
 * am_model_ops_byname() finds the table by the name given to
 * "am-train -a NAME" ("logreg" today; linreg, svm, rf, mlp, gmm and
 * kmeans are planned to plug in here).
 *
 * struct am_model wraps an algorithm's state with what every model needs
 * at predict time: the training stream's schema (feature names in
 * order, target name and classes, id and weight column names), the
 * positive class of a binary classifier, and the format it was trained
 * on.  am_model_save() writes these into the artifact in a way common to
 * all algorithms:
 *
 *   schema columns   the feature names, in order, type "number"
 *   meta             "model.target", "model.classes" (comma separated,
 *                    for reading only), "model.positive"
 *   section "schema" target, classes, ids, weight, positive class index
 *                    and training format, encoded with am_buf
 *   sections         the algorithm's payload (for logreg: "logreg")
 *   meta "hyper.*"   the algorithm's hyper-parameters
 *   meta "metric.*"  what the fit reported (iterations, objective)
 *
 * Binding.  Before predicting rows of a stream, am_model_bind() maps the
 * stream's feature columns to the model's: by name for CSV and BIN input
 * (order does not matter, extra input columns are ignored, a model
 * feature missing from the input is AM_EMODEL naming it); by position for
 * LIBSVM input (index j is model feature j, indices beyond the model's
 * features are ignored, as LIBLINEAR does).
 */
#ifndef AM_MODEL_H
#define AM_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "am_art.h"
#include "am_err.h"
#include "am_fs.h"
#include "am_table.h"

struct am_rf_params;
struct am_mlp_params;
struct am_seg_params;

/* Hyper-parameters of every algorithm; each uses what applies to it. */
struct am_model_params {
	double C;        /* cost of errors (-c), > 0; default 1 */
	double lambda;   /* > 0: use C = 1 / (lambda * rows) instead of C */
	double eps;      /* stopping tolerance (-e); <= 0: the default */
	int max_iter;    /* iterations at most; <= 0: the default */
	double bias;     /* constant feature value (-B); 0: none */
	int intercept;   /* unregularised intercept (--intercept) */
	const char *pos; /* positive class name (--pos), or NULL */
	size_t ncw;      /* class weights (--class-weight LABEL=W) */
	const char *const *cw_label;
	const double *cw;
	int balanced; /* class weight rows / (classes * class rows) */
	unsigned long long seed;
	int threads; /* >= 1 */
	/* Called after each iteration when not NULL (progress on a TTY). */
	void (*progress)(void *ctx, int iter, double obj, double gnorm);
	void *ctx;
	/* Linear models (logreg, linreg, svm). */
	int penalty;     /* AM_PENALTY_L2 (default), _L1 or _ENET */
	double l1_ratio; /* elastic net mix in [0, 1]; < 0: the default */
	double alpha;    /* linreg: penalty weight (0: OLS) */
	int loss;        /* svm: 1 (hinge) or 2 (squared hinge); 0: 2 */
	int multiclass;  /* logreg: AM_MULTI_AUTO, _OVR or _SOFTMAX */
	/* Trees and networks: their own parameters, NULL for defaults. */
	const struct am_rf_params *rf;   /* rf (am_rf.h) */
	const struct am_mlp_params *mlp; /* mlp (am_mlp.h) */
	const struct am_seg_params *seg; /* gmm, kmeans (am_kmeans.h) */
};

/* Penalties of the linear models. */
#define AM_PENALTY_L2   0
#define AM_PENALTY_L1   1
#define AM_PENALTY_ENET 2

/* Multi-class strategies. */
#define AM_MULTI_AUTO    0 /* the algorithm's default */
#define AM_MULTI_OVR     1 /* one vs rest */
#define AM_MULTI_SOFTMAX 2 /* multinomial */

/* Fields not named here start as 0 or NULL: add new ones at the end. */
#define AM_MODEL_PARAMS_INIT                                                   \
	{                                                                      \
		.C = 1.0, .bias = 1.0, .seed = 1, .threads = 1, .l1_ratio = -1 \
	}

struct am_model;

/*
 * What predict writes (the "outputs" of a model), by kind of model:
 *
 *   binary classifier      out[0] = P(positive class)            (1)
 *   classifier, K > 2      out[k] = P(class k), k < K, sum 1     (K)
 *   regressor              out[0] = the predicted value          (1)
 *   other (ops->nout)      what the algorithm documents (nout)
 *
 * am_model_nout() gives the count; am_model_label() the predicted class
 * of a classifier from its outputs (binary: positive when out[0] >= 0.5;
 * K > 2: the first largest probability).
 *
 * Concurrency: predict and explain are called from several threads at
 * once on the same model (am-predict -j): they must not write to the
 * model; scratch space goes on the stack or is allocated per call.
 */
struct am_model_ops {
	const char *name; /* "logreg" */
	int classifier;   /* can fit a categorical target */
	size_t maxclass;  /* most classes it handles (2: binary) */
	/*
	 * Fit on 't' (targets are class indices for a classifier) and set
	 * the model's state with am_model_set_state().  The positive class
	 * is am_model_positive(m).  0 or AM_E*.
	 */
	int (*fit)(struct am_model *m, const struct am_table *t,
	    const struct am_model_params *p, struct am_err *err);
	/*
	 * Score one row given in the model's feature indices (any order,
	 * indices < nfeat): out[0] is P(positive class) for a binary
	 * classifier.
	 */
	void (*predict)(const struct am_model *m, size_t nnz,
	    const uint32_t *idx, const double *val, double *out);
	/* Add payload sections and hyper.* and metric.* meta to 'a'. */
	int (*save)(const struct am_model *m, struct am_art *a,
	    struct am_err *err);
	/* Read the payload of 'a' into state; AM_EFORMAT if inconsistent. */
	int (*load)(struct am_model *m, const struct am_art *a,
	    struct am_err *err);
	void (*free)(void *state);
	/*
	 * Linear models: the weights, one per feature in order, then the
	 * bias weight when '*bias' > 0 (the bias value).  NULL for others.
	 */
	const double *(*coef)(const struct am_model *m, double *bias);
	/*
	 * Optional (NULL when absent), added after the members above.
	 *
	 * regressor: can fit a numeric target.  With both 'classifier' and
	 * 'regressor' set, a target with classes (categorical) is
	 * classified and a numeric one regressed; with only 'classifier', a
	 * numeric target is made categorical (am_table_classify()).
	 */
	int regressor;
	/*
	 * nout: outputs predict writes, when not those of the table above
	 * (e.g. a segmenter); NULL: 1, or K for a K-class classifier.
	 * outname: the CSV column name of output k for such models (NULL:
	 * "score", or "p_<class>" for K classes, or "value").
	 */
	size_t (*nout)(const struct am_model *m);
	const char *(*outname)(const struct am_model *m, size_t k);
	/*
	 * explain: the contribution of every model feature to the score of
	 * class 'cls' (binary classifiers: cls is the positive class; a
	 * regressor: 0) for one row given as for predict, into 'contrib'
	 * (nfeat + 1 entries, zeroed by the caller; the last is the part
	 * that belongs to no feature: bias, intercept or base value).  The
	 * scale is the algorithm's own (linear models: terms w_j x_j of the
	 * margin, log-odds for logreg; trees: path contributions) and is
	 * named by 'unit' ("margin", "log-odds", "probability", "value").
	 * Returns 0 or AM_ENOMEM.
	 */
	int (*explain)(const struct am_model *m, size_t nnz,
	    const uint32_t *idx, const double *val, size_t cls,
	    double *contrib);
	const char *unit;
	/*
	 * update: continue training 'm' (loaded from an artifact) on the
	 * new rows of 't' without starting from scratch (am-train
	 * --update).  am_model_update() has already mapped 't' to the
	 * model: t's feature j is model feature j, a class index is the
	 * model's class index, and t's schema is a copy of the model's.
	 * The structural hyper-parameters (penalty and C, architecture,
	 * covariance type and K, tree settings) are the model's own, kept
	 * in its state; 'p' gives the run's controls (eps, max_iter, seed,
	 * threads, progress) and the algorithm's update options (in p->rf,
	 * p->mlp, p->seg).  The state is changed in place; on failure the
	 * model may be left half-updated and is freed by the caller.
	 * NULL: the algorithm cannot be updated.
	 */
	int (*update)(struct am_model *m, const struct am_table *t,
	    const struct am_model_params *p, struct am_err *err);
	/*
	 * merge: set the state of 'm' (new: the shards' common schema, no
	 * state yet) from the states of the n >= 1 models in 'src' of this
	 * algorithm, trained on shards of one data set; w[i] > 0 is the
	 * weight of src[i] (the rows it was trained on).  Examples: linear
	 * models average their weights (iterative parameter mixing), a GMM
	 * sums the shards' sufficient statistics, popularity counts add.
	 * NULL: models of this algorithm cannot be merged.
	 */
	int (*merge)(struct am_model *m, const struct am_model *const *src,
	    const double *w, size_t n, struct am_err *err);
};

/* The algorithm called 'name', or NULL. */
const struct am_model_ops *am_model_ops_byname(const char *name);
/* The known algorithm names, comma separated ("logreg"). */
const char *am_model_algos(void);

/*
 * Fit algorithm 'ops' on 't'.  For a classifier, 't' must have classes
 * (see am_table_classify()), at least 2 and at most ops->maxclass
 * (AM_EARG otherwise, naming the target and the count); the positive
 * class is 'p->pos' (AM_EARG "--pos: no class 'X' in target 'y'") or the
 * last class.  Class weights name classes (AM_EARG for an unknown one).
 * Returns a model to am_model_free(), or NULL with 'err' set.
 */
struct am_model *am_model_fit(const struct am_model_ops *ops,
    const struct am_table *t, const struct am_model_params *p,
    struct am_err *err);

/*
 * Record 'm' in 'a' (a new artifact of kind "model" and m's algorithm):
 * the common part described above, then the algorithm's payload.
 * Returns 0 or AM_ENOMEM.
 */
int am_model_save(const struct am_model *m, struct am_art *a,
    struct am_err *err);

/*
 * A model from artifact 'a', which must be of kind "model" (AM_EMODEL
 * otherwise) and of a known algorithm (AM_EMODEL "unknown algorithm
 * 'X'").  Every count and index is checked (AM_EFORMAT "NAME: ...").
 * 'a' is borrowed and may be freed afterwards.
 */
struct am_model *am_model_load(const struct am_art *a, const char *name,
    struct am_err *err);

void am_model_free(struct am_model *m);

/*
 * Continue training 'm' on the rows of 't' (see ops->update).  The
 * table is first mapped onto the model, in place: its features must be
 * the model's, by name, in any order (AM_EMODEL "FILE: feature 'x' is
 * not in the model" / "feature 'x' of the model is missing from FILE"),
 * its target the model's (AM_EMODEL naming both), a classifier's rows
 * classes the model knows (AM_EMODEL "FILE: class 'x' is not in the
 * model"; call am_table_classify() first for a numeric 0/1 target) and a
 * regressor's target numeric.  An algorithm without ops->update is
 * AM_EARG ("ALGO models cannot be updated").  Returns 0 or AM_E*.
 */
int am_model_update(struct am_model *m, struct am_table *t,
    const struct am_model_params *p, struct am_err *err);

/*
 * A model merged from the n >= 1 models 'src' (see ops->merge),
 * weighted by 'w'.  They must share the algorithm and the schema
 * (features in order, target, classes, positive class): AM_EMODEL
 * ("model 2 has another schema: feature 'x'") otherwise; an algorithm
 * without ops->merge is AM_EARG ("ALGO models cannot be merged").
 * Returns a model to am_model_free(), or NULL with 'err' set.
 */
struct am_model *am_model_merge(const struct am_model *const *src,
    const double *w, size_t n, struct am_err *err);

/* What a model knows about its training stream and classes. */
const struct am_model_ops *am_model_ops(const struct am_model *m);
const struct am_fs_schema *am_model_schema(const struct am_model *m);
size_t am_model_nfeat(const struct am_model *m);
/* The positive class index (binary classifiers). */
size_t am_model_positive(const struct am_model *m);
/* Whether 'm' is a classifier (its schema has classes). */
int am_model_is_classifier(const struct am_model *m);
/* Outputs predict writes (see the table above struct am_model_ops). */
size_t am_model_nout(const struct am_model *m);
/* The predicted class index of a classifier from its outputs 'out'. */
size_t am_model_label(const struct am_model *m, const double *out);
/* The format (enum am_fs_format) of the training stream. */
int am_model_format(const struct am_model *m);

/*
 * For algorithms: the cost factor of each class (schema nclass entries)
 * from 'p': 1, or rows / (nclass * class rows) with p->balanced, then
 * replaced by p->cw for the classes p->cw_label names.  Returns 0 or
 * AM_EARG ("--class-weight: no class 'X' in target 'y'").
 */
int am_model_class_costs(const struct am_model *m, const struct am_table *t,
    const struct am_model_params *p, double *cost, struct am_err *err);

/* For algorithms: their state, owned by the model once set. */
void am_model_set_state(struct am_model *m, void *state);
void *am_model_state(const struct am_model *m);

struct am_model_bind;

/*
 * Map the features of an input stream with schema 'in' in 'format' to
 * the model's (see "Binding" above).  Returns a binding to
 * am_model_bind_free(), or NULL with AM_EMODEL ("feature 'age' of the
 * model is missing from the input") or AM_ENOMEM.
 */
struct am_model_bind *am_model_bind(const struct am_model *m,
    const struct am_fs_schema *in, int format, struct am_err *err);
void am_model_bind_free(struct am_model_bind *b);
/* Input features the model does not use (by-name bindings). */
size_t am_model_bind_unused(const struct am_model_bind *b);

/*
 * Predict one input row: its features are mapped through 'b' and the
 * algorithm's outputs written to 'out' (out[0] = P(positive) for a binary
 * classifier).  Returns 0 or AM_ENOMEM (the binding's scratch space grows
 * with the row).
 */
int am_model_predict(const struct am_model *m, struct am_model_bind *b,
    size_t nnz, const uint32_t *idx, const double *val, double *out);

/*
 * A copy of 'b' with its own scratch space, for another thread (a
 * binding's scratch is not shared).  NULL with AM_ENOMEM.
 */
struct am_model_bind *am_model_bind_dup(const struct am_model_bind *b,
    struct am_err *err);

/*
 * Explain one input row (mapped through 'b' as for am_model_predict()):
 * contrib (nfeat + 1 entries, see ops->explain) for class 'cls'.
 * Returns 0, AM_ENOMEM, or AM_EMODEL when the algorithm cannot explain.
 */
int am_model_explain(const struct am_model *m, struct am_model_bind *b,
    size_t nnz, const uint32_t *idx, const double *val, size_t cls,
    double *contrib);

#endif
