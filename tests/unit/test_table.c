/* SPDX-License-Identifier: MIT */
/*
 * test_table.c -- am_table_load() with and without AM_TABLE_DENSE: the
 * dense matrix holds, bit for bit, the values of the CSR loaded from the
 * same CSV or binary stream (-0.0 kept, absent values 0), across the
 * size estimate of a large file; targets, weights, rows and the input
 * hash are the same; a stream that turns out sparse, and LIBSVM, load
 * into the CSR exactly as without the flag.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "am_kmeans.h"
#include "am_table.h"
#include "unit.h"

static char path[] = "/tmp/test_table.XXXXXX";

/* The densified row 'i' of the CSR of 't' into 'out' (d values). */
static void
csr_row(const struct am_table *t, size_t i, double *out)
{
	size_t e, d = t->schema.nfeat;

	memset(out, 0, d * sizeof(double));
	for (e = t->x.ptr[i]; e < t->x.ptr[i + 1]; e++)
		out[t->x.idx[e]] = t->x.val[e];
}

/*
 * Load 'path' both ways; check the dense table against the CSR one.
 * 'want_dense': whether the flag should give a dense matrix.
 */
static void
check_both(const struct am_fs_opts *o, int want_dense)
{
	struct am_err err = { 0 };
	struct am_table *s, *t;
	double *row, *own;
	const double *x;
	size_t i, d, bad = 0;

	s = am_table_load(path, o, 0, &err);
	t = am_table_load(path, o, AM_TABLE_DENSE, &err);
	CHECK(s != NULL && t != NULL);
	if (s == NULL || t == NULL) {
		(void)fprintf(stderr, "%s\n", err.msg);
		goto out;
	}
	d = s->schema.nfeat;
	CHECK(s->dense == NULL);
	CHECK(t->rows == s->rows && t->schema.nfeat == d);
	CHECK(strcmp(t->sha256, s->sha256) == 0 && t->bytes == s->bytes);
	CHECK(memcmp(t->y, s->y, s->rows * sizeof(double)) == 0);
	CHECK((t->w == NULL) == (s->w == NULL));
	if (s->w != NULL && t->w != NULL)
		CHECK(memcmp(t->w, s->w, s->rows * sizeof(double)) == 0);
	CHECK((t->dense != NULL) == want_dense);
	if (t->dense == NULL) { /* then the very same CSR */
		CHECK(t->x.rows == s->x.rows && t->x.nnz == s->x.nnz &&
		    t->x.cols == s->x.cols);
		CHECK(memcmp(t->x.ptr, s->x.ptr,
		          (s->rows + 1) * sizeof(size_t)) == 0);
		CHECK(memcmp(t->x.idx, s->x.idx, s->x.nnz * 4) == 0);
		CHECK(memcmp(t->x.val, s->x.val, s->x.nnz * 8) == 0);
		goto out;
	}
	CHECK(t->x.rows == 0 && t->x.nnz == 0);
	CHECK(am_table_bytes(t) < am_table_bytes(s) || s->x.nnz < s->rows * d);
	if ((row = malloc(d * sizeof(double))) == NULL)
		goto out;
	for (i = 0; i < s->rows; i++) {
		csr_row(s, i, row);
		bad += memcmp(row, t->dense + i * d, d * sizeof(double)) != 0;
	}
	CHECK(bad == 0);
	free(row);
	/* am_seg_dense() hands out the dense matrix itself. */
	x = am_seg_dense(t, &own, &err);
	CHECK(x == t->dense && own == NULL);
out:
	am_table_free(s);
	am_table_free(t);
}

static FILE *
create(void)
{
	FILE *fp = fopen(path, "w");

	CHECK(fp != NULL);
	return fp;
}

/* CSV: numbers with zeros and -0, a target and a weight. */
static void
test_csv(void)
{
	struct am_fs_opts o = AM_FS_OPTS_INIT;
	FILE *fp = create();
	size_t i;

	if (fp == NULL)
		return;
	(void)fputs("y,a,b,w,c\n", fp);
	for (i = 0; i < 50; i++)
		(void)fprintf(fp, "%zu,%g,%s,%zu,%g\n", i % 3,
		    i % 4 ? (double)i * 0.25 : 0.0, i % 5 ? "-0" : "1.5", i % 2,
		    -(double)i);
	(void)fclose(fp);
	o.target = "y";
	o.weight = "w";
	check_both(&o, 1);
}

/*
 * CSV of 70,000 rows from a regular file: the arrays are sized from the
 * file size after 65,536 rows (the estimate), then given back.
 */
static void
test_estimate(void)
{
	struct am_fs_opts o = AM_FS_OPTS_INIT;
	FILE *fp = create();
	size_t i;

	if (fp == NULL)
		return;
	(void)fputs("a,b,c\n", fp);
	for (i = 0; i < 70000; i++)
		(void)fprintf(fp, "%zu,%g,1e-3\n", i, (double)(i % 13) - 6);
	(void)fclose(fp);
	check_both(&o, 1);
}

static char n_f[4096][8];
static char *fnames[4096];

/*
 * A binary stream of 'rows' rows of 'd' features: the first 'ndense'
 * rows dense (every value nonzero), the rest sparse with one value.
 */
static void
write_bin(size_t rows, size_t d, size_t ndense)
{
	struct am_fs_schema s;
	struct am_fs_writer *w;
	struct am_fs_row row;
	struct am_err err = { 0 };
	uint32_t *idx = malloc(d * sizeof(*idx));
	double *val = malloc(d * sizeof(*val));
	FILE *fp = create();
	size_t i, j;

	memset(&s, 0, sizeof(s));
	s.nfeat = d;
	s.feat = fnames;
	if (fp == NULL || idx == NULL || val == NULL ||
	    (w = am_fs_writer_open(fp, AM_FS_BIN, &s, &err)) == NULL) {
		CHECK(0);
		goto out;
	}
	memset(&row, 0, sizeof(row));
	row.target = (double)NAN;
	row.weight = 1;
	row.idx = idx;
	row.val = val;
	for (i = 0; i < rows; i++) {
		if (i < ndense) {
			for (j = 0; j < d; j++) {
				idx[j] = (uint32_t)j;
				val[j] = (double)(i + j) + 0.5;
			}
			row.nnz = d;
		} else {
			idx[0] = (uint32_t)(i % d);
			val[0] = i % 7 ? (double)i : -0.0;
			row.nnz = 1;
		}
		CHECK(am_fs_write(w, &row, &err) == 0);
	}
	CHECK(am_fs_writer_close(w, &err) == 0);
out:
	if (fp != NULL)
		(void)fclose(fp);
	free(idx);
	free(val);
}

static void
test_bin(void)
{
	struct am_fs_opts o = AM_FS_OPTS_INIT;
	size_t j;

	for (j = 0; j < 4096; j++) {
		(void)snprintf(n_f[j], sizeof(n_f[j]), "f%zu", j);
		fnames[j] = n_f[j];
	}
	/* dense, then a few sparse rows: still dense */
	write_bin(3000, 10, 2900);
	check_both(&o, 1);
	/* 500 wide: sparse after 300 dense rows; the switch at ~3,200 */
	write_bin(5000, 500, 300);
	check_both(&o, 0);
	/* 4096 wide and sparse from the first row */
	write_bin(2000, 4096, 0);
	check_both(&o, 0);
}

/* LIBSVM (its width grows while reading): always the CSR. */
static void
test_libsvm(void)
{
	struct am_fs_opts o = AM_FS_OPTS_INIT;
	FILE *fp = create();

	if (fp == NULL)
		return;
	(void)fputs("1 1:0.5 3:2\n0 2:1\n1 1:-1 2:-0 3:4\n", fp);
	(void)fclose(fp);
	o.format = AM_FS_LIBSVM;
	check_both(&o, 0);
}

int
main(void)
{
	int fd = mkstemp(path);

	if (fd == -1) {
		perror("mkstemp");
		return 1;
	}
	(void)close(fd);
	test_csv();
	test_estimate();
	test_bin();
	test_libsvm();
	(void)unlink(path);
	return unit_failures;
}
