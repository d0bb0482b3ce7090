/* SPDX-License-Identifier: MIT */
/*
 * am_table.h -- a whole feature stream in memory, for the fitters that
 * must see every row (am-train).
 *
 * am_table_load() reads a feature stream (am_fs: BIN, CSV or LIBSVM)
 * into a CSR matrix of features, a target per row and, when the stream
 * has a weight column, a weight per row.  While reading it hashes the
 * input (SHA-256 of the bytes, for the artifact's lineage) and counts the
 * rows.  Id columns are not kept: training does not need them.
 *
 * Target classes.  A categorical target's classes are put in byte order
 * (strcmp), whatever order the stream listed them in, and each row's
 * target becomes its class index in that order; so "no" is class 0 and
 * "yes" class 1.  am_table_classify() turns a numeric target with few
 * distinct values (a LIBSVM label, a 0/1 CSV column) into classes named
 * by the values ("%.15g"), ordered by value: -1 before 1, 0 before 1.
 *
 * Memory: 12 bytes per stored (nonzero) feature value, plus 8 bytes per
 * row for the row offsets, 8 for the target and 8 for the weight when
 * there is one.  From a regular file the arrays are sized once, early,
 * from the rows per byte read so far (1/16 spare); from a pipe they grow
 * by doubling, so the peak is up to twice that.  Large arrays ask for
 * huge pages (am_mat_advise()).  am_table_bytes() tells the current
 * amount.
 *
 * Dense tables.  The segmentation fitters work on a dense row-major
 * matrix; loaded with AM_TABLE_DENSE, a table holds its features that way
 * ('dense'), 8 bytes per value and no column index per value: a third
 * less memory than the CSR for a dense input, and no copy afterwards.
 */
#ifndef AM_TABLE_H
#define AM_TABLE_H

#include <stddef.h>

#include "am_err.h"
#include "am_fs.h"
#include "am_mat.h"

struct am_table {
	struct am_csr x;            /* features; x.cols <= schema.nfeat */
	double *y;                  /* per row: class index, or value */
	double *w;                  /* per row weight, or NULL (all 1) */
	size_t rows;                /* == x.rows */
	struct am_fs_schema schema; /* names, roles, classes (strcmp order) */
	int format;                 /* enum am_fs_format that was read */
	char *input;                /* input name ("<stdin>" for stdin) */
	char sha256[65];            /* of the input bytes */
	unsigned long long bytes;   /* input bytes read */
	double *dense;              /* AM_TABLE_DENSE: rows x schema.nfeat */
};

/* Flags for am_table_load(). */
#define AM_TABLE_NEED_TARGET 0x1 /* every row must have a target */
#define AM_TABLE_DENSE       0x2 /* features in 'dense' when they are */

/*
 * Read all rows of the feature stream in 'path' ("-" = stdin) with
 * 'opts' (see am_fs_open()).  With AM_TABLE_NEED_TARGET the stream must
 * have a target (AM_EARG "FILE: no target column (use -t COL)") and no
 * row may miss it (AM_EFORMAT "FILE:LINE: missing target 'y'").  An
 * input without rows is AM_EFORMAT "FILE: no rows".  A weight must be
 * finite and >= 0 (AM_EFORMAT "FILE:LINE: weight -1 is negative").
 * Returns a table to am_table_free(), or NULL with the reader's errors
 * (AM_EIO, AM_EFORMAT, AM_ELIMIT, AM_ENOMEM) in 'err'.
 *
 * With AM_TABLE_DENSE the features of a CSV or BIN stream go into
 * 'dense': rows x schema.nfeat doubles, row-major, an absent value 0,
 * every value finite (AM_EFORMAT "FILE: row 12: feature 'age' is not
 * finite" otherwise); 'x' then stays empty (no rows).  This is only for
 * callers that read the features through am_seg_dense() (am_kmeans.h),
 * which takes either form: a LIBSVM stream (whose width grows while it
 * is read) and rows that turn out mostly zero (fewer nonzero values than
 * a quarter of rows x nfeat, beyond the first million values: the dense
 * matrix would outgrow the CSR) are loaded into 'x' as without the flag,
 * with 'dense' NULL.  The rows, targets, weights and 'x' (when used) are
 * the same as without the flag.
 */
struct am_table *am_table_load(const char *path, const struct am_fs_opts *opts,
    unsigned flags, struct am_err *err);

/* Free 't' and all it holds.  NULL does nothing. */
void am_table_free(struct am_table *t);

/*
 * Make a numeric target categorical: its distinct values, at most
 * 'maxclass' of them, become classes ordered by value and named "%.15g".
 * Does nothing for a target that already has classes.  Returns 0,
 * AM_EFORMAT ("FILE: target 'y' has more than MAX distinct values") or
 * AM_ENOMEM.
 */
int am_table_classify(struct am_table *t, size_t maxclass, struct am_err *err);

/* Rows of each class into 'count' (schema.nclass entries). */
void am_table_class_counts(const struct am_table *t, size_t *count);

/* Bytes of memory the table holds. */
size_t am_table_bytes(const struct am_table *t);

#endif
