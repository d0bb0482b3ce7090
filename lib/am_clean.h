/* SPDX-License-Identifier: MIT */
/*
 * am_clean.h -- what am-clean does to a table: per-column type inference,
 * a profile report, missing-value imputation fitted on one table and
 * replayed on others, and a seeded train/test split.
 *
 * One entry point, am_clean_run(), reads every record of a CSV reader and
 * chooses its work from 'struct am_clean_io':
 *
 *   pass-through  'out' set, no 'fit', no 'model': each record is written
 *                 again as ',' CSV as soon as it is read (streaming).
 *   fit           'fit' set: the records are spooled in memory (about the
 *                 input size plus one byte per cell and 8 per row), types
 *                 and imputation values are learned from them, a "clean"
 *                 artifact (algorithm "impute") is returned through
 *                 '*fit', and the spooled records are then written to
 *                 'out' through the very code that replays the artifact,
 *                 so a replay of the same input gives the same bytes.
 *   replay        'model' set: the artifact's imputation values fill the
 *                 missing cells of each record as it streams past; its
 *                 outlier bounds, dropped columns (--drop-missing-cols)
 *                 and category levels (--unseen) apply as the fit's did.
 *   report        'report' set: a profile of the records written to
 *                 'out' (the training part with a split) is written there
 *                 at the end, as aligned text or JSON.  'out' may be NULL
 *                 to profile without writing the table.
 *   split         'test' set: each record goes to 'out' with probability
 *                 opts.split, else to 'test' unchanged; the choice hashes
 *                 the record's number (0-based, in input order) with the
 *                 seed, so it depends on nothing else.
 *
 * A record that no step changes and whose line am_csv_verbatim() vouches
 * for is written by copying that line: the same bytes, much faster.
 * A header naming a column twice is an error (AM_EFORMAT).
 *
 * Output: ',' delimited; a missing cell is written empty; an empty string
 * that is not missing (a quoted "") is written "".  With opts.target set,
 * records whose target cell is missing are dropped and counted; the
 * target is never imputed.
 */
#ifndef AM_CLEAN_H
#define AM_CLEAN_H

#include <stdint.h>
#include <stdio.h>

#include "am_art.h"
#include "am_csv.h"
#include "am_err.h"

/* Imputation methods (also the payload codes of the artifact). */
enum am_impute {
	AM_IMPUTE_NONE = 0,   /* leave the cell missing */
	AM_IMPUTE_MEAN = 1,   /* numeric columns: the mean, "%.15g" */
	AM_IMPUTE_MEDIAN = 2, /* numeric columns: the lower median */
	AM_IMPUTE_MODE = 3,   /* the most frequent value (ties: byte order) */
	AM_IMPUTE_CONST = 4,  /* a constant given by the user */
	AM_IMPUTE_AUTO = 5,   /* numbers: median, category/boolean: mode */
};

/* "none", "mean", ... -> enum am_impute, or -1 ("const" needs a value). */
int am_impute_byname(const char *name);
const char *am_impute_name(int method);

/* Distinct values counted per column; beyond it counts are partial. */
#define AM_CLEAN_DISTINCT_CAP 10000
/* A string column with more distinct values than this is "text". */
#define AM_CLEAN_MAX_LEVELS 1000

/* Text normalisation (struct am_clean_opts.norm). */
#define AM_NORM_TRIM     0x1 /* strip leading and trailing white space */
#define AM_NORM_COLLAPSE 0x2 /* runs of inner white space become one ' ' */
#define AM_NORM_LOWER    0x4 /* ASCII case folding of non-number cells */

/* Outlier actions (struct am_clean_opts.outlier_action). */
enum { AM_OUT_FLAG = 0, AM_OUT_CLIP = 1, AM_OUT_DROP = 2 };

struct am_clean_opts {
	const char *target; /* never imputed; missing target drops the row */
	const char *types;  /* "col=type,..." overrides inference, or NULL */
	const char *impute; /* "col=method,..." (const:VALUE), or NULL */
	int impute_default; /* enum am_impute for the other columns */
	double split;       /* fraction of rows kept in 'out' (with 'test') */
	uint64_t seed;      /* for the split and the sample */
	int line_buffered;  /* flush 'out' after every record */
	/* Added by issue 4 (all optional: zero/NULL is "off"). */
	int strict;               /* a cell not of its type is an error */
	const char *range;        /* "col=min:max,..." */
	const char *allow;        /* "col=a|b|c,..." */
	const char *require;      /* "col,...": must exist and be present */
	int dedupe;               /* 0 off, 1 whole rows, 2 key columns */
	const char *dedupe_key;   /* "col,..." with dedupe 2 */
	int keep_last;            /* keep the last of duplicates */
	unsigned norm;            /* AM_NORM_* */
	const char *drop_missing; /* "col,..." or "*": drop rows missing it */
	const char *indicator;    /* "col,...": add COL_missing */
	const char *ffill;        /* "col,..." forward filled */
	const char *ffill_by;     /* ... within groups of this column */
	const char *outliers;     /* "col=z[:K],col=iqr[:K],col=mad[:K]" */
	int outlier_action;       /* AM_OUT_* */
	double sample;            /* 0 off, (0,1) Bernoulli, >= 1 reservoir */
	const char *split_by;     /* --split stratified by this column */
	const char *split_time;   /* --split: test later than train */
	/*
	 * --drop-missing-cols: drop the columns (never the target) missing
	 * in more than drop_cols_ratio of the rows written; learned by a
	 * fit, replayed from the artifact.
	 */
	int drop_cols;
	double drop_cols_ratio;
	/*
	 * --unseen: what replay does with a value of a category column
	 * that the fit did not see (AM_UNSEEN_*; the fit keeps each
	 * category column's values in the artifact's "levels" section).
	 */
	int unseen;
};

enum { AM_UNSEEN_KEEP = 0, AM_UNSEEN_MISSING = 1, AM_UNSEEN_REJECT = 2 };

#define AM_CLEAN_OPTS_INIT                                        \
	{                                                         \
		.target = NULL, .impute_default = AM_IMPUTE_AUTO, \
		.split = 1.0, .seed = 1                           \
	}

struct am_clean_io {
	FILE *out;                  /* the cleaned table, or NULL */
	FILE *test;                 /* the test part of a split, or NULL */
	FILE *report;               /* the profile, or NULL */
	int report_json;            /* JSON rather than text */
	struct am_art **fit;        /* fit: receives the new artifact */
	const struct am_art *model; /* replay this artifact */
	const char *model_name;     /* its file name, for messages */
	FILE *rejects;              /* invalid rows with a reason, or NULL */
};

struct am_clean_stats {
	unsigned long long rows;     /* records read (good width) */
	unsigned long long out;      /* records written to 'out' */
	unsigned long long test;     /* records written to 'test' */
	unsigned long long dropped;  /* records dropped: missing target */
	unsigned long long imputed;  /* cells filled */
	unsigned long skipped;       /* records of the wrong width skipped */
	unsigned long long rejected; /* invalid records (rules, missing) */
	unsigned long long dups;     /* duplicate records removed */
	unsigned long long badtype;  /* cells not of their type (missing) */
	unsigned long long outliers; /* outlier cells found */
	unsigned long long sampled;  /* records left out by --sample */
	unsigned long long unseen;   /* cells of categories not fitted */
};

/*
 * Check the syntax of opts->types and opts->impute before any data is
 * read.  Returns 0 or AM_EARG with the offending item in 'err'.
 */
int am_clean_check_opts(const struct am_clean_opts *o, struct am_err *err);

/*
 * Do the work described above on every record of 'r'.  'r' is borrowed.
 * With io->fit, '*io->fit' receives an artifact to am_art_free() (the
 * caller adds the lineage and saves it).  Returns 0 or a negative AM_E*:
 * AM_EFORMAT for bad input ("FILE:LINE: ..."), a forced --types type the
 * data does not fit, or a method that does not suit a column's type;
 * AM_EMODEL when the artifact is not an "impute" artifact, is malformed,
 * or names a column the input lacks; AM_ENOMEM; AM_EIO never (write
 * errors stay in the streams' error flags for the caller).  Counts go to
 * 'st' (which may be NULL), also on failure.
 */
int am_clean_run(struct am_csv_reader *r, const struct am_clean_opts *o,
    const struct am_clean_io *io, struct am_clean_stats *st,
    struct am_err *err);

/*
 * Infer the type (enum am_coltype) of a column from one value: the
 * narrowest of integer, number, boolean, date that holds it, else
 * category.  Exposed for the unit tests.
 */
int am_clean_value_type(const char *s, size_t len);

#endif
