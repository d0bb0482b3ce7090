/* SPDX-License-Identifier: MIT */
/*
 * am_feat.h -- the feature transform of am-features: standard scaling of
 * numeric columns and one-hot encoding of categorical ones, fitted on a
 * CSV table, saved in an artifact (kind "features", algorithm
 * "scale+onehot") and replayed on new rows.
 *
 * Fitting reads every row of its input and keeps the cells in memory
 * (about the input's size plus 5 bytes per cell), because the types and
 * statistics of the columns are known only at the end and the fitted
 * rows are then written transformed.  Replaying streams: it holds one row
 * and the transform.  Both write through the same code, so a replay of
 * the fitting input gives the same bytes as the fit.
 *
 * The transform, column by column in input order (ids, the target and
 * dropped columns are not features):
 *
 *   numeric     a column whose every non-missing cell is a number:
 *               (x - mean) / std, with the population std (1 when it is
 *               0); a missing cell becomes the mean, so 0.  One output
 *               feature, named like the column.
 *   categorical any other column: one output feature per level seen
 *               when fitting, in strcmp order, named "col=level", 1 for
 *               the row's level and 0 elsewhere.  With min_freq, levels
 *               seen fewer times share one last feature "col=_other_".
 *               A missing cell, and a level not seen when fitting (an
 *               "unseen" value, counted), give all zeros; when the
 *               column has "col=_other_", an unseen level goes there.
 *
 * The target is carried: a categorical target as its class (classes in
 * strcmp order), a numeric one as its value.  Ids are carried as text.
 */
#ifndef AM_FEAT_H
#define AM_FEAT_H

#include <stddef.h>
#include <stdio.h>

#include "am_art.h"
#include "am_csv.h"
#include "am_err.h"
#include "am_fs.h"

#define AM_FEAT_KIND "features"
#define AM_FEAT_ALGO "scale+onehot"

/*
 * Per-column rules (the --scale, --bin, --hash ... options of
 * am-features).  A rule names its columns, or none to apply to every
 * column it fits (numeric columns for the numeric rules, categorical ones
 * for the categorical rules).  A rule naming a column wins over one that
 * names none; of two rules of the same group naming a column, the later
 * wins.  The groups are independent: a numeric column gets at most one
 * clip, one of log1p/sqrt, and one of scale/bin; a categorical column one
 * encoding (onehot, ordinal, freq, target, hash); a column named by a
 * categorical rule or by date is treated as such even if it is numeric.
 */
enum am_feat_op {
	AM_FEAT_SCALE,   /* method: AM_SCALE_* */
	AM_FEAT_LOG1P,   /* log(1 + x), x > -1 */
	AM_FEAT_SQRT,    /* sqrt(x), x >= 0 */
	AM_FEAT_CLIP,    /* clamp to [lo, hi] (before log1p/sqrt) */
	AM_FEAT_BIN,     /* method: AM_BIN_*; k bins or edges; onehot */
	AM_FEAT_ONEHOT,  /* one feature per level */
	AM_FEAT_ORDINAL, /* level's rank + 1 in strcmp order, 0 missing */
	AM_FEAT_FREQ,    /* level's share of the fitted rows */
	AM_FEAT_TARGET,  /* smoothed target mean, out-of-fold when fitting */
	AM_FEAT_HASH,    /* k = bits: "col=level" hashed to hash0 .. */
	AM_FEAT_DATE,    /* k = parts (AM_DATE_*) */
	AM_FEAT_POLY,    /* k = degree 2 or 3, over the columns' features */
};

enum {
	AM_SCALE_STANDARD,
	AM_SCALE_MINMAX,
	AM_SCALE_ROBUST,
	AM_SCALE_MAXABS,
	AM_SCALE_NONE
};
enum { AM_BIN_UNIFORM = 1, AM_BIN_QUANTILE, AM_BIN_EDGES };
enum {
	AM_DATE_YEAR = 1,
	AM_DATE_MONTH = 2,
	AM_DATE_DOW = 4,
	AM_DATE_HOUR = 8,
	AM_DATE_DAYS = 16,
	AM_DATE_ALL = 31
};

struct am_feat_rule {
	int op;        /* enum am_feat_op */
	int method;    /* scale or bin method */
	int onehot;    /* bin: one feature per bin, else the bin number */
	unsigned k;    /* bins, hash bits, date parts or poly degree */
	double lo, hi; /* clip bounds */
	double *edges; /* bin: increasing inner edges */
	size_t nedge;
	char **cols; /* columns, or NULL (ncols 0) for all that fit */
	size_t ncols;
};

/*
 * Parse the argument of one rule option into 'r' (to release with
 * am_feat_rule_release()); 'op' says which option.  The syntax, with
 * COLS a comma list and brackets optional:
 *   scale   METHOD[:COLS]        standard minmax robust maxabs none
 *   log1p, sqrt, onehot, ordinal, freq, target   [COLS]
 *   clip    LO:HI[:COLS]
 *   bin     uniform:K[:onehot|ordinal][:COLS], quantile:K[...],
 *           edges:E1/E2/...[:onehot|ordinal][:COLS]
 *   hash    BITS[:COLS]          1 <= BITS <= 24
 *   date    [PARTS:]COLS         PARTS: '+'-list of year month dow hour
 *                                days (default all)
 *   poly    DEGREE[:COLS]        2 or 3
 * Returns 0 or AM_EARG with a message naming what is wrong (or
 * AM_ENOMEM).
 */
int am_feat_rule_parse(int op, const char *arg, struct am_feat_rule *r,
    struct am_err *err);
void am_feat_rule_release(struct am_feat_rule *r);

/* Feature selection after the transform (and before PCA). */
enum { AM_SEL_VAR = 1, AM_SEL_MI, AM_SEL_CHI2, AM_SEL_F, AM_SEL_CORR };
struct am_feat_select {
	int method; /* AM_SEL_* */
	double arg; /* AM_SEL_VAR: keep variance > arg; others: keep top arg */
};

/*
 * Parse "var:T", "mi:K", "chi2:K", "f:K" or "corr:K" into 's'.  Returns
 * 0 or AM_EARG.
 */
int am_feat_select_parse(const char *arg, struct am_feat_select *s,
    struct am_err *err);

struct am_feat_opts {
	const char *target;     /* target column, or NULL */
	const char *const *ids; /* id columns carried as text */
	size_t nid;
	const char *const *drop; /* columns left out */
	size_t ndrop;
	unsigned long min_freq; /* > 1: rarer levels go to "col=_other_" */
	/* wave 2 */
	const struct am_feat_rule *rules; /* in command-line order */
	size_t nrule;
	unsigned long max_cats; /* > 0: keep the most frequent levels */
	double smoothing;       /* target encoding: prior weight m */
	unsigned folds;         /* target encoding: out-of-fold folds */
	unsigned long long seed;
	int interaction_only; /* poly: no powers */
	int has_ref;          /* date: ref_days given, else the latest date */
	long ref_days;        /* date: "days" = ref - date */
	const struct am_feat_select *select;
	size_t nselect;
	double pca; /* 0 none; >= 1: components; < 1: variance ratio */
	int whiten; /* PCA: unit-variance components */
};

#define AM_FEAT_OPTS_INIT                                              \
	{                                                              \
		.target = NULL, .smoothing = 10, .folds = 5, .seed = 1 \
	}

/* How to write rows: format (AM_FS_*) and whether to flush each row. */
struct am_feat_out {
	FILE *fp;
	int format;
	int line_buffered;
};

struct am_feat;

/*
 * Fit the transform on every row of 'in' (borrowed) with options 'o',
 * keeping the rows for am_feat_write_fitted().  Returns a transform to
 * am_feat_free(), or NULL with 'err' set: AM_EARG for a column named in
 * 'o' that is not in the input ("FILE: target column 'y' not found"),
 * AM_ELIMIT for more output features than am-stream(5) allows, or the
 * reader's errors (AM_EFORMAT "FILE:LINE: ...", AM_EIO, AM_ENOMEM).
 */
struct am_feat *am_feat_fit(struct am_csv_reader *in,
    const struct am_feat_opts *o, struct am_err *err);

/*
 * Write the rows read by am_feat_fit(), transformed, to 'out', then free
 * them.  Returns 0, AM_EIO or AM_ENOMEM.
 */
int am_feat_write_fitted(struct am_feat *f, const struct am_feat_out *out,
    struct am_err *err);

/*
 * Replay: transform every row of 'in' (borrowed) and write it to 'out'.
 * The input must hold the id and feature columns the transform expects
 * (AM_EMODEL "FILE: column 'age' expected by the transform not found");
 * the target is carried when its column is present.  Returns 0 or an
 * AM_E* with "FILE:LINE:" for a bad cell.
 */
int am_feat_apply(struct am_feat *f, struct am_csv_reader *in,
    const struct am_feat_out *out, struct am_err *err);

/*
 * Rows written by the last am_feat_write_fitted() or am_feat_apply();
 * after am_feat_fit(), the rows fitted on.
 */
unsigned long long am_feat_rows(const struct am_feat *f);
/* Unseen categorical values met by am_feat_apply() so far. */
unsigned long long am_feat_unseen(const struct am_feat *f);

/*
 * The output columns (ids, target with classes, feature names) as
 * written when the target is present.  Valid while 'f' lives.
 */
const struct am_fs_schema *am_feat_schema(const struct am_feat *f);

/* Input columns used as features, and whether column 'i' is numeric. */
size_t am_feat_ncols(const struct am_feat *f);
const char *am_feat_col_name(const struct am_feat *f, size_t i);
int am_feat_col_numeric(const struct am_feat *f, size_t i);
/* Mean and std used to scale numeric column 'i' (std 1 if it was 0). */
void am_feat_col_scale(const struct am_feat *f, size_t i, double *mean,
    double *std);

/*
 * Store the transform in artifact 'a': schema (id columns as text, then
 * the feature columns with their types), metadata ("target",
 * "target.type", "hyper.min_freq", "hyper.drop", "features.out") and the
 * payload section "xform".  Lineage is the caller's.  Returns 0 or
 * AM_ENOMEM.
 */
int am_feat_save(const struct am_feat *f, struct am_art *a);

/*
 * Rebuild a transform from artifact 'a' (kind and algorithm checked,
 * AM_EMODEL otherwise).  The payload is validated before use (AM_EFORMAT
 * "NAME: bad 'xform' section").  'name' is used in messages.
 */
struct am_feat *am_feat_load(const struct am_art *a, const char *name,
    struct am_err *err);

/*
 * PCA figures of a fitted or loaded transform: components kept (0 when
 * there is no PCA), the variance each explains, and its share of the
 * total variance of the PCA input.
 */
size_t am_feat_pca(const struct am_feat *f, const double **variance,
    const double **ratio);

/*
 * Selection scores of the last selection step (one per candidate
 * feature, in the candidates' order) and the candidates' count; 0 when
 * there was no selection.  Valid while 'f' lives; a loaded transform has
 * none.
 */
size_t am_feat_scores(const struct am_feat *f, const double **score);

/* Name of candidate feature 'k' (k < am_feat_scores()' count). */
const char *am_feat_cand_name(const struct am_feat *f, size_t k);

void am_feat_free(struct am_feat *f);

#endif
