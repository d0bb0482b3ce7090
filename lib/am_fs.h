/* SPDX-License-Identifier: MIT */
/*
 * am_fs.h -- the feature stream: numeric rows with named columns and
 * roles, read from and written to three formats.
 *
 *   AM_FS_BIN     the binary feature stream of am-stream(5): magic, a
 *                 self-describing header (names, roles, target classes),
 *                 then blocks of dense or sparse rows, then an end block.
 *   AM_FS_CSV     a header line; the target, id and weight columns are
 *                 named by the caller; every other column is a feature and
 *                 must be numeric (a missing cell is an error naming
 *                 FILE:LINE and the column).
 *   AM_FS_LIBSVM  "LABEL IDX:VAL ..." lines, 1-based increasing indices;
 *                 features are named "1", "2", ...; the label is the
 *                 target; an optional "# ID" comment is not read.
 *
 * A row is a target, a weight, id strings, and its features in sparse
 * form (increasing indices below the schema's nfeat).  A categorical
 * target is carried as its class index, with the class names in the
 * schema; a numeric target as its value.
 *
 * Reading from CSV: a target cell that is not a number makes the target
 * categorical; classes are numbered in order of first appearance and the
 * schema's class list grows as they appear (consumers that need a fixed
 * order, such as am-train, re-map after reading).  Reading from LIBSVM:
 * nfeat grows to the largest index seen so far.
 *
 * Memory: a reader or writer holds one block of rows, never the stream.
 */
#ifndef AM_FS_H
#define AM_FS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "am_csv.h"
#include "am_err.h"
#include "am_io.h"

enum am_fs_format {
	AM_FS_DETECT = -1, /* BIN by its magic, else CSV */
	AM_FS_CSV = 0,
	AM_FS_BIN = 1,
	AM_FS_LIBSVM = 2,
};

/* "csv", "bin", "libsvm" -> enum; -1 if unknown. */
int am_fs_format_byname(const char *name);

/* Magic bytes that open a binary feature stream. */
#define AM_FS_MAGIC     "\211AMF\r\n\032\n" /* 0x89 'AMF' CR LF 0x1a LF */
#define AM_FS_MAGIC_LEN 8

/* Nonzero if the 'n' bytes at 'p' start with AM_FS_MAGIC. */
int am_fs_is_bin(const unsigned char *p, size_t n);

/*
 * The binary stream's format version, and its limits (am-stream(5)).  A
 * reader refuses a declared count or length beyond a limit with
 * AM_ELIMIT before allocating anything for it; a writer closes a block
 * once it holds AM_FS_BLOCK_ROWS rows or AM_FS_BLOCK_BYTES bytes.
 */
#define AM_FS_VERSION     1
#define AM_FS_MAX_HEADER  (64u << 20)  /* bytes of the header */
#define AM_FS_MAX_NAME    65536        /* bytes of one name or id value */
#define AM_FS_MAX_IDS     256          /* id columns */
#define AM_FS_MAX_CLASSES (1u << 20)   /* target classes */
#define AM_FS_MAX_FEAT    (1u << 24)   /* feature columns */
#define AM_FS_MAX_INDEX   (1u << 22)   /* LIBSVM index: a model column each */
#define AM_FS_MAX_BLOCK   (256u << 20) /* bytes of one block */
#define AM_FS_MAX_LINE    (256u << 20) /* bytes of one LIBSVM line */
#define AM_FS_BLOCK_ROWS  1024
#define AM_FS_BLOCK_BYTES 65536

/*
 * The stream's checksum: Fletcher-64 over little-endian 32-bit words of
 * 'data', the last one padded with zero bytes (am-stream(5)).
 */
uint64_t am_fs_checksum(const void *data, size_t n);

struct am_fs_schema {
	size_t nfeat;   /* number of feature columns */
	char **feat;    /* their names */
	size_t nid;     /* id columns, carried as text */
	char **id;      /* their names */
	char *target;   /* target column name, or NULL */
	size_t nclass;  /* > 0: categorical target with these classes */
	char **classes; /* class k's name */
	char *weight;   /* weight column name, or NULL */
	char *names;    /* if not NULL: one block holding every feat name */
};

/*
 * Free what a schema owns and zero it.  The feature names are freed one
 * by one, or as the one block 'names' when it is set (schemas made by
 * am_fs_schema_copy() and LIBSVM's "1".."n": two allocations, not one per
 * feature).
 */
void am_fs_schema_release(struct am_fs_schema *s);
/* Deep copy 'src' into 'dst'.  Returns 0 or AM_ENOMEM. */
int am_fs_schema_copy(struct am_fs_schema *dst, const struct am_fs_schema *src);

struct am_fs_row {
	const char *const *ids; /* schema nid strings */
	double target;          /* NAN if there is no target or it is missing */
	double weight;          /* 1 if there is no weight column */
	size_t nnz;             /* features present */
	const uint32_t *idx;    /* their indices, increasing, < nfeat */
	const double *val;      /* their values */
};

struct am_fs_opts {
	int format;             /* AM_FS_DETECT, or force a format */
	const char *target;     /* target column name, or NULL */
	const char *const *ids; /* id column names */
	size_t nid;
	const char *weight;     /* weight column name, or NULL */
	struct am_csv_opts csv; /* CSV dialect */
	/* LIBSVM: the largest index accepted; 0 or more is AM_FS_MAX_INDEX */
	unsigned long max_index;
};

/* Defaults: detect the format, no roles, default CSV dialect. */
#define AM_FS_OPTS_INIT                \
	{                              \
		.format = AM_FS_DETECT \
	}

struct am_fs_reader;

/*
 * Open a feature stream on 'src' (borrowed) and read its header.  With
 * AM_FS_BIN the names in 'opts' must match the stream's roles when given
 * (AM_EFORMAT otherwise); with CSV they select the columns (AM_EARG
 * "column 'X' not found").  Returns a reader or NULL with 'err' set.
 */
struct am_fs_reader *am_fs_open(struct am_src *src,
    const struct am_fs_opts *opts, struct am_err *err);
void am_fs_close(struct am_fs_reader *r);
int am_fs_format(const struct am_fs_reader *r);
/* The schema; valid until the next am_fs_next() (it may grow) or close. */
const struct am_fs_schema *am_fs_schema(const struct am_fs_reader *r);

/*
 * Read the next row into 'row' (pointers valid until the next call).
 * Returns 1, 0 at end of stream, or a negative AM_E* with "FILE:LINE:" or
 * "FILE: block N:" in the message (a stream cut mid-block is AM_EFORMAT
 * "truncated").
 */
int am_fs_next(struct am_fs_reader *r, struct am_fs_row *row,
    struct am_err *err);

/* Line (CSV, LIBSVM) or row number (BIN) of the last row read. */
unsigned long am_fs_line(const struct am_fs_reader *r);

struct am_fs_writer;

/*
 * Start writing rows of 'schema' (copied) to 'fp' (borrowed) in
 * 'format'.  CSV writes the header: ids, then target (class names for a
 * categorical target), then weight, then features; numbers as "%.15g".
 * BIN writes the header block.  LIBSVM writes the class index (or the
 * value) as the label, and only nonzero features.  Returns a writer or
 * NULL with AM_ENOMEM, or AM_ELIMIT / AM_EARG for a schema beyond the
 * limits of am-stream(5) or malformed (no feature names, say).
 *
 * Rows read from CSV or LIBSVM may grow the schema (classes, nfeat): open
 * a writer for such rows only once the schema is final.
 */
struct am_fs_writer *am_fs_writer_open(FILE *fp, int format,
    const struct am_fs_schema *schema, struct am_err *err);
/*
 * Write one row.  Returns 0; AM_EIO; AM_EARG for a row that does not fit
 * the schema (an index out of range or not increasing, a class index out
 * of range, a missing target in LIBSVM); or AM_ENOMEM.
 */
int am_fs_write(struct am_fs_writer *w, const struct am_fs_row *row,
    struct am_err *err);
/* Write out buffered rows now (for --line-buffered).  0 or AM_EIO. */
int am_fs_writer_flush(struct am_fs_writer *w, struct am_err *err);
/* Flush the last block (and the BIN end block); frees 'w'.  0 or AM_EIO. */
int am_fs_writer_close(struct am_fs_writer *w, struct am_err *err);

#endif
