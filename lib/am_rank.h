/* SPDX-License-Identifier: MIT */
/*
 * am_rank.h -- ranking metrics for recommendations: ranked predictions
 * (user, item, rank or score) judged against held-out truth (user, item,
 * relevance).
 *
 * Definitions, per judged user (a user of the truth with at least one
 * relevant item, relevance > 0), over L, the user's first k distinct
 * predicted items (best first; ties in score keep the input order; an
 * item listed twice counts at its first place), and R, the relevant items:
 *  - precision@k = |L & R| / k (k, not |L|: a short list is not rewarded);
 *  - recall@k    = |L & R| / |R|;
 *  - AP@k        = sum over places i of L holding a relevant item of
 *                  (relevant items in places 1..i) / i, divided by
 *                  min(k, |R|); MAP@k is its mean;
 *  - NDCG@k      = DCG / IDCG, DCG = sum of rel(L_i) / log2(i + 1), IDCG
 *                  the same over the k largest relevances (linear gain,
 *                  as scikit-learn's ndcg_score);
 *  - hit rate@k  = 1 if L holds a relevant item, else 0;
 *  - MRR         = 1 / the place of the first relevant item in L, 0 if
 *                  none (reciprocal rank within the cut-off k).
 * The metrics are the (weighted) means over judged users.  A user of the
 * truth without predictions is judged with zeros; users of the
 * predictions absent from the truth are not judged; users of the truth
 * whose items all have relevance <= 0 are counted as skipped.  Catalogue
 * coverage is the share of the distinct items (of the predictions and
 * the truth together) that appear in some user's first k predictions,
 * every user of the predictions included.
 *
 * Memory: about 40 bytes per prediction and per truth row, plus the
 * distinct user and item names.
 */
#ifndef AM_RANK_H
#define AM_RANK_H

#include <stddef.h>
#include <stdint.h>

#include "am_err.h"

struct am_rankdata;

/* Options of am_rank_load(); NULL names take the defaults. */
struct am_rank_opts {
	int delim;             /* 0 = detect, for both files */
	const char *user;      /* user column of both files */
	const char *item;      /* item column of both files */
	const char *score;     /* NULL: "rank" if present, else "score" */
	const char *relevance; /* NULL: "relevance" if present, else 1 */
	int ascending;         /* smaller is better (implied by "rank") */
	size_t k;              /* the cut-off, >= 1 */
};

/*
 * Read the predictions from 'pred' ("-" = stdin) and the truth from
 * 'truth' (CSV files with headers) and judge every user (see above).
 * Returns a handle to free with am_rank_free(), or NULL with AM_EIO,
 * AM_EFORMAT (a missing column, a bad number, no rows: "FILE:LINE: ...")
 * or AM_ENOMEM in 'err'.
 */
struct am_rankdata *am_rank_load(const char *pred, const char *truth,
    const struct am_rank_opts *o, struct am_err *err);

/*
 * The same from arrays: 'np' predictions (user 'pu[i]', item 'pi[i]',
 * 'key[i]', higher is better) and 'nt' truth rows ('tu', 'ti', 'rel');
 * users and items are numbers below 'nusers' and 'nitems'.  The arrays
 * are borrowed.  Errors: AM_EARG ('k' is 0, a number out of range, a key
 * or relevance not finite), AM_ENOMEM.
 */
struct am_rankdata *am_rank_build(const uint32_t *pu, const uint32_t *pi,
    const double *key, size_t np, const uint32_t *tu, const uint32_t *ti,
    const double *rel, size_t nt, size_t nusers, size_t nitems, size_t k,
    struct am_err *err);

/* Free 'd'.  NULL does nothing. */
void am_rank_free(struct am_rankdata *d);

/* The number of judged users (the units of a bootstrap). */
size_t am_rank_users(const struct am_rankdata *d);

struct am_rankmetrics {
	double users;         /* judged users */
	double users_skipped; /* users of the truth without relevant item */
	double precision, recall, map, ndcg, hit_rate, mrr;
	double coverage; /* does not depend on the user weights */
};

/*
 * The metrics of 'd', each the mean over judged users weighted by 'w'
 * (am_rank_users(d) weights >= 0, or NULL for 1 each).  Returns 0, or
 * AM_EARG when there is no judged user or the weights sum to 0.
 */
int am_rank_metrics(const struct am_rankdata *d, const double *w,
    struct am_rankmetrics *m, struct am_err *err);

#endif
