/* SPDX-License-Identifier: MIT */
/*
 * am_rec.h -- recommenders learned from interaction logs (artifact kind
 * "recommender"), for am-train, am-recommend and am-predict.
 *
 * Input is a CSV of interactions: a user column, an item column, and
 * optionally a value (a rating, or a weight such as a quantity), a
 * timestamp and a context column.  User and item ids are arbitrary
 * strings, numbered internally in order of first appearance.
 *
 * Algorithms (am_rec_algo_byname()):
 *   popularity  items ranked by their number of events (time-decayed
 *               when a half-life is given; only the last 'window' days
 *               when a window is given), globally and per context value
 *   itemknn     item-item similarity (cosine, adjusted cosine, Jaccard)
 *               with shrinkage, the k most similar items kept per item;
 *               score(u, j) = sum over the items i of the user among
 *               the k neighbours of j of sim(i, j) * value(u, i)
 *   userknn     the same between users; score(u, j) = sum over the k
 *               most similar users v of sim(u, v) * value(v, j)
 *   mf          biased matrix factorisation of explicit ratings fitted by
 *               SGD (Funk; Surprise's SVD): mu + b_u + b_i + p_u'q_i
 *   ials        implicit ALS (Hu, Koren, Volinsky) with confidence
 *               1 + alpha * value, each least-squares step solved by a
 *               few conjugate-gradient steps (Takacs, Pilaszy, Tikk)
 *   bpr         Bayesian personalised ranking MF (Rendle), SGD on
 *               (user, seen item, unseen item) triples
 *
 * Every recommender also keeps the global and per-context popularity, the
 * fallback for users it cannot score (see am_rec_top()), and the training
 * interactions, so that seen items can be excluded.
 *
 * Repeated (user, item) pairs: for mf the last rating counts (the latest
 * timestamp, else the later line); for the others the values add up.
 * Rows with an empty user or item are skipped and counted; for every
 * algorithm but mf, rows with a value <= 0 are skipped and counted too.
 * Everything is deterministic for a seed, whatever the thread count.
 */
#ifndef AM_REC_H
#define AM_REC_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "am_art.h"
#include "am_buf.h"
#include "am_err.h"

enum am_rec_algo {
	AM_REC_POPULARITY,
	AM_REC_ITEMKNN,
	AM_REC_USERKNN,
	AM_REC_MF,
	AM_REC_IALS,
	AM_REC_BPR,
};

enum am_rec_sim { AM_REC_COSINE, AM_REC_ADJCOS, AM_REC_JACCARD };

/* The algorithm called 'name', or -1; the names, comma separated. */
int am_rec_algo_byname(const char *name);
const char *am_rec_algos(void);
/* The similarity called 'name' (cosine, adjusted, jaccard), or -1. */
int am_rec_sim_byname(const char *name);

/* Where the interactions are in the CSV; NULL columns are absent. */
struct am_rec_input {
	const char *user, *item;  /* required */
	const char *value;        /* rating or weight; else 1 per row */
	const char *time;         /* seconds, or YYYY-MM-DD[ HH:MM[:SS]] */
	const char *context;      /* popularity per value of this column */
	const char *const *where; /* NULL-terminated "COL=VALUE" filters */
	int delim;                /* 0: detect */
};

struct am_rec_params {
	int algo, sim;
	int k;            /* neighbours kept (knn); default 50 */
	double shrink;    /* similarity shrinkage; default 0 */
	int factors;      /* latent factors; default 64 */
	int iters;        /* epochs or sweeps; <= 0: per-algorithm default */
	double lr, reg;   /* <= 0: per-algorithm default */
	double alpha;     /* ials confidence slope; default 20 */
	double half_life; /* days; > 0: weight 0.5^(age / half_life) */
	double window;    /* days; > 0: popularity over the last days only */
	unsigned long long seed;
	int threads; /* >= 1 */
	int passes;  /* am_rec_update(): epochs or sweeps over all, after */
};

/* clang-format off */
#define AM_REC_PARAMS_INIT \
	{ AM_REC_ITEMKNN, AM_REC_COSINE, 50, 0, 64, 0, 0, 0, 20, 0, 0, 1, 1, 0 }
/* clang-format on */

/* What a fit read and learned, for reports and lineage. */
struct am_rec_report {
	unsigned long long rows;    /* data rows read */
	unsigned long long skipped; /* rows skipped (see above) */
	unsigned long long dups;    /* repeated (user, item) pairs merged */
	size_t users, items, pairs;
	char input[1024];
	char sha256[65];
	double train_rmse; /* mf: on the training pairs; else NAN */
};

struct am_rec;

/*
 * Read the interaction CSV 'path' ("-" = stdin) as 'in' says and fit
 * 'p->algo'.  Returns a recommender to am_rec_free(), or NULL with
 * AM_EARG (a named column missing from the header, a bad "COL=VALUE"),
 * AM_EFORMAT ("FILE:LINE: column 'rating': 'x' is not a number", an
 * unreadable timestamp, no usable rows), AM_EIO or AM_ENOMEM.
 */
struct am_rec *am_rec_fit(const char *path, const struct am_rec_input *in,
    const struct am_rec_params *p, struct am_rec_report *rep,
    struct am_err *err);

/*
 * Fold the interactions of CSV 'path' into 'r' (am-train --update),
 * read with r's own columns ('in' gives only 'where' and 'delim'); new
 * users and items are numbered after the old ones in order of first
 * appearance, so an update with the rows that followed the training
 * rows numbers them as a fit on all rows would.  Only what changed is
 * recomputed:
 *   popularity  event counts (and per-context counts) add up
 *   itemknn     the interaction matrix kept in the model gains the new
 *   userknn     values; the neighbour lists of the changed objects and
 *               of the objects sharing a user (item) with them are
 *               recomputed, the others kept: the model equals a fit on
 *               old and new rows together (the same similarities up to
 *               the summation order of repeated pairs' values)
 *   ials        new users and items start from small random factors;
 *               then 'p->iters' (default 2) alternations solve the
 *               factors of the users, then the items, that have new
 *               interactions, exactly (conjugate gradient run to k
 *               steps), the other factors fixed
 *   mf, bpr     new users and items start as in a fit; 'p->iters'
 *               SGD epochs (default: the model's) over the new
 *               interactions move only their parameters
 * and then 'p->passes' (default 0) more epochs (ials: alternations over
 * all users and items) move every parameter.  For mf a new rating of a
 * known pair replaces the old one; for the others values add up.
 * Models with a half-life or a window are refused (AM_EARG: the ages
 * of the old events are not kept), as are unreadable rows (as for
 * am_rec_fit()).  'rep' gets the new rows read.  Returns 0 or AM_E*; on
 * failure 'r' may be half-updated and is to be freed.
 */
int am_rec_update(struct am_rec *r, const char *path,
    const struct am_rec_input *in, const struct am_rec_params *p,
    struct am_rec_report *rep, struct am_err *err);

/*
 * A recommender merged from the 'n' >= 1 recommenders 'src' trained on
 * shards of one log with the same algorithm and settings: users, items
 * and contexts are joined by name (src[0]'s first, then each next
 * one's new names), interaction values, event counts and per-context
 * counts add up, and a kNN model's neighbours are computed from the
 * summed interactions, so the result equals a fit on the shards'
 * rows concatenated in order.  Factor models (mf, ials, bpr) cannot be
 * merged: the factors of separate fits do not align (AM_EARG), nor can
 * models with a half-life or a window; shards of different algorithms,
 * columns or settings are AM_EMODEL.  Returns a recommender to
 * am_rec_free(), or NULL with 'err' set.
 */
struct am_rec *am_rec_merge(const struct am_rec *const *src, size_t n,
    int threads, struct am_err *err);

/*
 * The artifact merged from the 'n' recommender artifacts 'in' (see
 * am_rec_merge(); loaded as "recommender 1", ...), of the first one's
 * algorithm, without lineage (am_merge() adds it); or NULL with 'err'
 * set.
 */
struct am_art *am_rec_merge_art(struct am_art *const *in, size_t n,
    struct am_err *err);

/*
 * Write 'r' into 'a' (a new artifact of kind "recommender" and the
 * algorithm's name): columns, hyper-parameters, ids, interactions,
 * popularity and the model.  Returns 0 or AM_ENOMEM.
 */
int am_rec_save(const struct am_rec *r, struct am_art *a, struct am_err *err);

/*
 * A recommender from artifact 'a' (borrowed), which must be of kind
 * "recommender" (AM_EMODEL otherwise); every count and index is checked
 * (AM_EFORMAT "NAME: ...").
 */
struct am_rec *am_rec_load(const struct am_art *a, const char *name,
    struct am_err *err);
void am_rec_free(struct am_rec *r);

int am_rec_algo(const struct am_rec *r);
const char *am_rec_algo_name(const struct am_rec *r);
size_t am_rec_nusers(const struct am_rec *r);
size_t am_rec_nitems(const struct am_rec *r);
const char *am_rec_user_name(const struct am_rec *r, size_t u);
const char *am_rec_item_name(const struct am_rec *r, size_t i);
/* The number of user or item 'name', or -1 when unknown. */
long am_rec_user_find(const struct am_rec *r, const char *name);
long am_rec_item_find(const struct am_rec *r, const char *name);
/* Training column names (user, item, value; value may be NULL). */
const char *am_rec_col(const struct am_rec *r, int which);
/* The number of context value 'name', or -1. */
long am_rec_context_find(const struct am_rec *r, const char *name);

/* Where a recommendation came from. */
enum { AM_REC_SRC_MODEL, AM_REC_SRC_CONTEXT, AM_REC_SRC_POPULAR };

struct am_rec_hit {
	uint32_t item;
	double score;
	int src;      /* AM_REC_SRC_* */
	long because; /* item (itemknn, mf...), user (userknn) or -1 */
	int f1, f2;   /* top latent factors (mf, ials, bpr) or -1 */
};

/* What to recommend. */
struct am_rec_query {
	size_t n;                   /* list length */
	int repeat;                 /* allow items already seen */
	const unsigned char *allow; /* per item: candidate; NULL = all */
	const unsigned char *deny;  /* per item: never; NULL = none */
	long context;               /* context value number, or -1 */
	int explain;                /* fill 'because' and factors */
};

/*
 * Scratch space for one thread of am_rec_top(): allocate with
 * am_rec_scratch_new(), free with free().
 */
struct am_rec_scratch;
struct am_rec_scratch *am_rec_scratch_new(const struct am_rec *r);
void am_rec_scratch_free(struct am_rec_scratch *s);

/*
 * The top 'q->n' items for user 'u' (-1: an unknown user) into 'out'
 * (q->n entries), their number into '*nout'.  The fallback chain: the
 * model's scored items first (a kNN model scores only items reached
 * through neighbours; a factor model scores all); then, for the places
 * left, the items most popular in context 'q->context'; then the most
 * popular overall.  Seen items (unless q->repeat), denied items and
 * items not allowed are never listed.  Ties go to the item seen first in
 * training.  Safe to call from several threads with separate scratch.
 */
void am_rec_top(const struct am_rec *r, long u, const struct am_rec_query *q,
    struct am_rec_scratch *s, struct am_rec_hit *out, size_t *nout);

/*
 * The 'n' items most similar to item 'i' (itemknn: its neighbours; factor
 * models: cosine of item factors; others: co-occurrence cosine computed
 * on the fly), honouring 'q->allow' and 'q->deny'.
 */
void am_rec_similar(const struct am_rec *r, size_t i,
    const struct am_rec_query *q, struct am_rec_scratch *s,
    struct am_rec_hit *out, size_t *nout);

/*
 * The reason for 'h' as text into 'buf' (always NUL-terminated):
 * "because of ITEM" (itemknn, similar items), "chosen by similar user
 * USER" (userknn), "factors F1,F2 like ITEM" (mf, ials, bpr),
 * "popular in CONTEXT", "popular".
 */
void am_rec_reason(const struct am_rec *r, const struct am_rec_hit *h,
    char *buf, size_t len);

/*
 * Append CSV rows "USER,RANK,ITEM,SCORE[,REASON]" for 'n' hits to 'out'
 * (fields quoted when needed, score "%.15g").
 */
void am_rec_format(const struct am_rec *r, const char *user,
    const struct am_rec_hit *h, size_t n, int explain, struct am_buf *out);

/*
 * Recommend for every training user, in their order, writing CSV rows
 * (no header) to 'fp', with 'threads' threads; the bytes do not depend on
 * 'threads'.  Returns 0, AM_ENOMEM or AM_EIO (write error).
 */
int am_rec_all_users(const struct am_rec *r, const struct am_rec_query *q,
    int threads, FILE *fp, struct am_err *err);

/*
 * The predicted value of (u, i), either -1 when unknown: mf gives
 * mu + b_u + b_i + p_u'q_i, and the knn models a similarity-weighted
 * mean of the neighbours' ratings, both clipped to the training range;
 * a missing neighbourhood or an unknown id falls back to the user's
 * mean, the item's mean, then the global mean.  ials and bpr give their
 * ranking score, popularity the item's popularity.
 */
double am_rec_predict(const struct am_rec *r, long u, long i);

/*
 * Rating prediction for am-predict: read CSV 'path' with the model's user
 * and item columns (a value column of the model's name is passed through
 * when present) and write "USER,ITEM[,VALUE],score" to 'fp', flushing
 * each row when 'lbuf'.  Returns 0, AM_EMODEL (a column missing),
 * AM_EFORMAT, AM_EIO or AM_ENOMEM.
 */
int am_rec_predict_csv(const struct am_rec *r, const char *path, int delim,
    int lbuf, FILE *fp, unsigned long long *nrows, struct am_err *err);

/* Nonzero if 'path' holds a loadable artifact of kind "recommender". */
int am_rec_is_file(const char *path);

/* How am_rec_split() divides an interaction log. */
enum { AM_REC_SPLIT_RANDOM, AM_REC_SPLIT_LAST, AM_REC_SPLIT_TIME };

struct am_rec_split_opts {
	int mode;           /* AM_REC_SPLIT_* */
	double fraction;    /* random: share of rows to the test file */
	const char *user;   /* last: the user column */
	const char *time;   /* last, time: the time column */
	const char *cutoff; /* time: rows at or after it go to test */
	unsigned long long seed;
	int delim; /* 0: detect */
};

/*
 * Split the interaction CSV 'path' ("-" = stdin, read into memory) into
 * 'train' and 'test' (',' CSV, the header on both): random sends each row
 * to test with probability 'fraction', drawn from the seed and the row's
 * number (so the same rows for the same seed); last sends each user's
 * latest row (by time, the later line on a tie) to test, leave-last-out;
 * time sends the rows at or after 'cutoff' to test.  '*ntrain' and
 * '*ntest' receive the counts.  Returns 0, AM_EARG (a missing column, a
 * bad cut-off), AM_EFORMAT (a bad time), AM_EIO or AM_ENOMEM.
 */
int am_rec_split(const char *path, const struct am_rec_split_opts *o,
    FILE *train, FILE *test, unsigned long long *ntrain,
    unsigned long long *ntest, struct am_err *err);

#endif
