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

struct am_feat_opts {
	const char *target;     /* target column, or NULL */
	const char *const *ids; /* id columns carried as text */
	size_t nid;
	const char *const *drop; /* columns left out */
	size_t ndrop;
	unsigned long min_freq; /* > 1: rarer levels go to "col=_other_" */
};

#define AM_FEAT_OPTS_INIT      \
	{                      \
		.target = NULL \
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

/* Rows written by the last am_feat_write_fitted() or am_feat_apply(). */
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

void am_feat_free(struct am_feat *f);

#endif
