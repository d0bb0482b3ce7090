/* SPDX-License-Identifier: MIT */
/*
 * am_table.c -- load a feature stream into memory (see am_table.h).
 *
 * Rows go straight from the stream reader into the growing CSR matrix
 * (or, with AM_TABLE_DENSE, the dense matrix); the target and weight
 * arrays grow alongside by doubling.  Class indices are re-mapped to byte
 * order once, at the end, because a CSV stream numbers classes in order
 * of first appearance.
 *
 * A dense load watches the share of nonzero values: once the dense
 * matrix would hold more than four times the values the CSR would
 * (beyond DENSE_SLACK), the rows read so far move to the CSR, zeros left
 * out as the stream reader leaves them out, and the load goes on as a
 * sparse one.  So a sparse binary stream with millions of columns never
 * costs rows x columns of memory.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "am_table.h"

#include "am_banned.h"

void
am_table_free(struct am_table *t)
{
	if (t == NULL)
		return;
	am_csr_release(&t->x);
	free(t->dense);
	free(t->y);
	free(t->w);
	am_fs_schema_release(&t->schema);
	free(t->input);
	free(t);
}

/*
 * Make the array at '*p', 'old' bytes of which 'used' are filled, hold
 * 'bytes'.  A large array is aligned to 2 MiB and advised for huge pages
 * before any byte of it is written (am_mat_advise()), and the bytes in
 * use are copied over: realloc() would copy them too (it cannot move an
 * aligned block's pages), into memory that faults in 4 KiB pages, five
 * times the cost on a virtual machine.  The size estimate makes this
 * copy rare.  0 or -1.
 */
#define HUGE_PAGE (2u << 20)

static int
grow(void **p, size_t used, size_t bytes)
{
	void *q;

	if (bytes >= HUGE_PAGE) {
		/* whole huge pages: a part of one would fault in 4 KiB */
		if (bytes > SIZE_MAX - HUGE_PAGE)
			return -1;
		bytes = (bytes + HUGE_PAGE - 1) & ~(size_t)(HUGE_PAGE - 1);
		if (posix_memalign(&q, HUGE_PAGE, bytes) != 0)
			return -1;
		am_mat_advise(q, bytes);
		if (used > 0)
			memcpy(q, *p, used);
		free(*p);
	} else {
		if ((q = realloc(*p, bytes)) == NULL)
			return -1;
		am_mat_advise(q, bytes);
	}
	*p = q;
	return 0;
}

/* Make y (and w) hold 'n' rows; 0 or -1. */
static int
rows_room(struct am_table *t, size_t *cap, size_t n, int weights)
{
	size_t used = t->rows * sizeof(double);
	void *p;

	if (n <= *cap)
		return 0;
	if (n > SIZE_MAX / sizeof(double))
		return -1;
	p = t->y;
	if (grow(&p, used, n * sizeof(double)) != 0)
		return -1;
	t->y = p;
	if (weights) {
		p = t->w;
		if (grow(&p, used, n * sizeof(double)) != 0)
			return -1;
		t->w = p;
	}
	*cap = n;
	return 0;
}

/* Size of the regular file behind 'path' ("-" is stdin), or 0. */
static unsigned long long
input_size(const char *path)
{
	struct stat st;
	int rc;

	if (path == NULL || strcmp(path, "-") == 0)
		rc = fstat(STDIN_FILENO, &st);
	else
		rc = stat(path, &st);
	if (rc != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0)
		return 0;
	return (unsigned long long)st.st_size;
}

/* A load in progress: what the arrays hold. */
struct load {
	size_t cap;  /* rows that y (and w) hold */
	size_t dcap; /* rows that 'dense' holds */
	size_t d;    /* values per dense row (schema.nfeat) */
	size_t nnz;  /* values the CSR would hold for the dense rows */
	int weights;
	int estimated; /* reserve_all() done */
};

/*
 * A dense load stays dense while rows x d is at most 4 nnz + DENSE_SLACK
 * (values): at most about three times the memory of the CSR (12 bytes a
 * value), and any matrix of up to a million values.
 */
#define DENSE_SLACK (1u << 20)

/* Make 'dense' hold 'n' rows; 0 or -1. */
static int
dense_room(struct am_table *t, struct load *ld, size_t n)
{
	size_t row = ld->d * sizeof(double);
	void *p = t->dense;

	if (n <= ld->dcap)
		return 0;
	if (n > SIZE_MAX / row || grow(&p, t->rows * row, n * row) != 0)
		return -1;
	t->dense = p;
	ld->dcap = n;
	return 0;
}

/*
 * The first dense matrix: 1024 rows, or fewer for wide rows (at least
 * one, at most DENSE_SLACK values).  Without it the load is a sparse one.
 */
static void
dense_start(struct am_table *t, struct load *ld)
{
	size_t n = DENSE_SLACK / ld->d;

	(void)dense_room(t, ld, n < 1 ? 1 : n > 1024 ? 1024 : n);
}

/*
 * Once ESTIMATE_AT rows are in (for a dense load: or ESTIMATE_BYTES of
 * input read, which may come first for wide rows), make room for the
 * whole input in one step: the rows and values read so far, scaled by
 * the file's size over the bytes read, plus 1/16.  Only a hint, so that
 * the arrays are not reallocated ten times over: a failure is ignored,
 * and growth by doubling takes over if the estimate falls short; what it
 * reserved beyond the rows is never touched.  Never more rows or values
 * than the file has bytes, nor more dense rows than the sparsity rule
 * allows.  The bytes read are counted in whole blocks of the binary
 * stream (64 KiB) or of the CSV reader (256 KiB): at the estimate they
 * are off by at most 1/32 of what was read.
 */
#define ESTIMATE_AT    65536
#define ESTIMATE_BYTES (8u << 20)

static void
reserve_all(struct am_table *t, struct load *ld, unsigned long long size,
    unsigned long long done)
{
	double f, rows, nnz, drows;

	if (size <= done || done == 0)
		return;
	f = (double)size / (double)done * (17.0 / 16);
	rows = (double)t->rows * f + 1024;
	nnz = (double)(t->dense != NULL ? ld->nnz : t->x.nnz) * f + 1024;
	if (rows > (double)size)
		rows = (double)size;
	if (nnz > (double)size)
		nnz = (double)size;
	if (rows_room(t, &ld->cap, (size_t)rows, ld->weights) != 0)
		return;
	if (t->dense == NULL) {
		(void)am_csr_reserve(&t->x, (size_t)rows, (size_t)nnz, NULL);
		return;
	}
	drows = (4 * nnz + DENSE_SLACK) / (double)ld->d;
	(void)dense_room(t, ld, (size_t)(rows < drows ? rows : drows));
}

/*
 * Move the dense rows read so far into the CSR, leaving zeros out (as the
 * stream reader does), and free the dense matrix.  0 or AM_ENOMEM.
 */
static int
to_csr(struct am_table *t, struct load *ld, struct am_err *err)
{
	size_t i, j, nnz, d = ld->d;
	uint32_t *idx = malloc(d * sizeof(*idx));
	double *val = malloc(d * sizeof(*val)), v;
	const double *row;
	int rc = 0;

	if (idx == NULL || val == NULL ||
	    am_csr_reserve(&t->x, t->rows, ld->nnz, err) != 0) {
		rc = am_seterr(err, AM_ENOMEM, "out of memory (%zu rows read)",
		    t->rows);
		goto out;
	}
	for (i = 0; i < t->rows && rc == 0; i++) {
		row = t->dense + i * d;
		for (j = 0, nnz = 0; j < d; j++) {
			v = row[j];
			if (v == 0 && !signbit(v))
				continue;
			idx[nnz] = (uint32_t)j;
			val[nnz++] = v;
		}
		rc = am_csr_push(&t->x, nnz, idx, val, err);
	}
	free(t->dense);
	t->dense = NULL;
	ld->dcap = 0;
out:
	free(idx);
	free(val);
	return rc;
}

/*
 * Put 'row' into the dense matrix as row t->rows (room made), checking
 * that its values are finite while they are at hand.  0 or AM_EFORMAT.
 */
static int
dense_put(struct am_table *t, struct load *ld, const struct am_fs_row *row,
    struct am_err *err)
{
	size_t d = ld->d, e, j;
	double *dst = t->dense + t->rows * d;
	int bad = 0;

	if (row->nnz == d) { /* increasing indices below d: 0 .. d-1 */
		memcpy(dst, row->val, d * sizeof(double));
	} else {
		memset(dst, 0, d * sizeof(double));
		for (e = 0; e < row->nnz; e++)
			if (row->idx[e] < d)
				dst[row->idx[e]] = row->val[e];
	}
	for (j = 0; j < d; j++)
		bad |= !isfinite(dst[j]);
	if (bad) {
		for (j = 0; isfinite(dst[j]); j++)
			;
		return am_seterr(err, AM_EFORMAT,
		    "%s: row %zu: feature '%s' is not finite", t->input,
		    t->rows + 1, t->schema.feat[j]);
	}
	ld->nnz += row->nnz;
	return 0;
}

/*
 * Add 'row' to the dense matrix, or to the CSR once the rows turn out
 * sparse (or were never dense).  0 or an AM_E* code.
 */
static int
put_row(struct am_table *t, struct load *ld, struct am_fs_reader *r,
    const struct am_fs_row *row, struct am_err *err)
{
	int rc;

	if (t->dense != NULL &&
	    (t->rows + 1) * ld->d > 4 * (ld->nnz + row->nnz) + DENSE_SLACK &&
	    (rc = to_csr(t, ld, err)) != 0)
		return rc;
	if (t->dense != NULL) {
		if (t->rows == ld->dcap && dense_room(t, ld, 2 * ld->dcap) != 0)
			return am_seterr(err, AM_ENOMEM,
			    "out of memory (%zu rows read)", t->rows);
		return dense_put(t, ld, row, err);
	}
	rc = am_csr_push(&t->x, row->nnz, row->idx, row->val, err);
	if (rc == AM_EARG)
		am_err_prefix(err, "%s:%lu", t->input, am_fs_line(r));
	return rc;
}

struct named {
	const char *name;
	size_t k;
};

static int
cmp_class(const void *a, const void *b)
{
	return strcmp(((const struct named *)a)->name,
	    ((const struct named *)b)->name);
}

/* Put the classes in strcmp order and re-map the row targets. */
static int
order_classes(struct am_table *t, struct am_err *err)
{
	size_t k, i, nc = t->schema.nclass;
	struct named *order = NULL;
	size_t *rank = NULL;
	char **names = NULL;
	int rc = 0;

	if (nc < 2)
		return 0;
	order = malloc(nc * sizeof(*order));
	rank = malloc(nc * sizeof(*rank));
	names = malloc(nc * sizeof(*names));
	if (order == NULL || rank == NULL || names == NULL) {
		rc = am_seterr(err, AM_ENOMEM, "out of memory");
		goto out;
	}
	for (k = 0; k < nc; k++) {
		order[k].name = t->schema.classes[k];
		order[k].k = k;
	}
	qsort(order, nc, sizeof(*order), cmp_class);
	for (k = 0; k < nc; k++) {
		rank[order[k].k] = k;
		names[k] = t->schema.classes[order[k].k];
	}
	memcpy(t->schema.classes, names, nc * sizeof(*names));
	for (i = 0; i < t->rows; i++)
		t->y[i] = (double)rank[(size_t)t->y[i]];
out:
	free(order);
	free(rank);
	free(names);
	return rc;
}

static int
check_row(struct am_table *t, struct am_fs_reader *r,
    const struct am_fs_row *row, unsigned flags, struct am_err *err)
{
	if ((flags & AM_TABLE_NEED_TARGET) && isnan(row->target))
		return am_seterr(err, AM_EFORMAT, "%s:%lu: missing target '%s'",
		    t->input, am_fs_line(r), t->schema.target);
	if (t->w != NULL && !(row->weight >= 0 && isfinite(row->weight)))
		return am_seterr(err, AM_EFORMAT,
		    "%s:%lu: weight %g is negative or not finite", t->input,
		    am_fs_line(r), row->weight);
	return 0;
}

struct am_table *
am_table_load(const char *path, const struct am_fs_opts *opts, unsigned flags,
    struct am_err *err)
{
	struct am_table *t = NULL;
	struct am_src *src = NULL;
	struct am_fs_reader *r = NULL;
	const struct am_fs_schema *s;
	struct am_fs_row row;
	struct load ld = { 0 };
	unsigned long long size;
	int rc;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		goto nomem;
	am_csr_init(&t->x);
	if ((src = am_src_open(path, err)) == NULL)
		goto fail;
	am_src_hash(src);
	size = input_size(path);
	if ((t->input = strdup(am_src_name(src))) == NULL)
		goto nomem;
	if ((r = am_fs_open(src, opts, err)) == NULL)
		goto fail;
	t->format = am_fs_format(r);
	s = am_fs_schema(r);
	if ((flags & AM_TABLE_NEED_TARGET) && s->target == NULL) {
		am_seterr(err, AM_EARG, "%s: no target column (use -t COL)",
		    t->input);
		goto fail;
	}
	/* The schema's target name is needed for messages while reading. */
	if (am_fs_schema_copy(&t->schema, s) != 0)
		goto nomem;
	ld.weights = s->weight != NULL;
	if (ld.weights && (t->w = malloc(sizeof(double))) == NULL)
		goto nomem;
	/* Dense from the start (if it can), growing by doubling. */
	ld.d = s->nfeat;
	if ((flags & AM_TABLE_DENSE) && t->format != AM_FS_LIBSVM && ld.d > 0)
		dense_start(t, &ld);
	while ((rc = am_fs_next(r, &row, err)) == 1) {
		if (check_row(t, r, &row, flags, err) != 0)
			goto fail;
		if (t->rows == ld.cap &&
		    rows_room(t, &ld.cap, ld.cap ? 2 * ld.cap : 1024,
		        ld.weights) != 0)
			goto nomem;
		if (put_row(t, &ld, r, &row, err) != 0)
			goto fail;
		t->y[t->rows] = row.target;
		if (ld.weights)
			t->w[t->rows] = row.weight;
		t->rows++;
		if (size > 0 && !ld.estimated &&
		    (t->rows == ESTIMATE_AT ||
		        (t->dense != NULL &&
		            am_src_bytes(src) >= ESTIMATE_BYTES))) {
			reserve_all(t, &ld, size, am_src_bytes(src));
			ld.estimated = 1;
		}
	}
	if (rc < 0)
		goto fail;
	if (t->rows == 0) {
		am_seterr(err, AM_EFORMAT, "%s: no rows", t->input);
		goto fail;
	}
	/* The schema may have grown while reading (classes, LIBSVM). */
	am_fs_schema_release(&t->schema);
	if (am_fs_schema_copy(&t->schema, am_fs_schema(r)) != 0)
		goto nomem;
	if (t->dense != NULL && t->schema.nfeat != ld.d &&
	    to_csr(t, &ld, err) != 0)
		goto fail;
	if (order_classes(t, err) != 0)
		goto fail;
	t->bytes = am_src_bytes(src);
	am_src_sha256(src, t->sha256);
	am_fs_close(r);
	am_src_close(src);
	return t;
nomem:
	am_seterr(err, AM_ENOMEM, "out of memory (%zu rows read)",
	    t != NULL ? t->rows : 0);
fail:
	am_fs_close(r);
	am_src_close(src);
	am_table_free(t);
	return NULL;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int
am_table_classify(struct am_table *t, size_t maxclass, struct am_err *err)
{
	double *v = NULL, *hit;
	char **names = NULL, buf[64];
	size_t i, k, nv = 0;
	int rc = 0;

	if (t->schema.nclass > 0)
		return 0;
	/* Distinct values by a scan: no sort of all the rows. */
	if ((v = malloc((maxclass + 1) * sizeof(*v))) == NULL)
		return am_seterr(err, AM_ENOMEM, "out of memory");
	for (i = 0; i < t->rows; i++) {
		for (k = 0; k < nv && v[k] != t->y[i]; k++)
			;
		if (k < nv)
			continue;
		if (nv == maxclass) {
			rc = am_seterr(err, AM_EFORMAT,
			    "%s: target '%s' has more than %zu distinct values",
			    t->input, t->schema.target ? t->schema.target : "",
			    maxclass);
			goto out;
		}
		v[nv++] = t->y[i];
	}
	qsort(v, nv, sizeof(*v), cmp_double);
	if ((names = calloc(nv > 0 ? nv : 1, sizeof(*names))) == NULL)
		goto nomem;
	for (k = 0; k < nv; k++) {
		(void)snprintf(buf, sizeof(buf), "%.15g", v[k]);
		if ((names[k] = strdup(buf)) == NULL)
			goto nomem;
	}
	for (i = 0; i < t->rows; i++) {
		hit = bsearch(&t->y[i], v, nv, sizeof(*v), cmp_double);
		t->y[i] = (double)(hit - v);
	}
	t->schema.classes = names;
	t->schema.nclass = nv;
	names = NULL;
	goto out;
nomem:
	rc = am_seterr(err, AM_ENOMEM, "out of memory");
out:
	if (names != NULL)
		for (k = 0; k < nv; k++)
			free(names[k]);
	free(names);
	free(v);
	return rc;
}

void
am_table_class_counts(const struct am_table *t, size_t *count)
{
	size_t i;

	memset(count, 0, t->schema.nclass * sizeof(*count));
	for (i = 0; i < t->rows; i++)
		count[(size_t)t->y[i]]++;
}

size_t
am_table_bytes(const struct am_table *t)
{
	size_t b = sizeof(*t) + am_csr_bytes(&t->x) + t->rows * sizeof(double);

	if (t->dense != NULL)
		b += t->rows * t->schema.nfeat * sizeof(double);

	if (t->w != NULL)
		b += t->rows * sizeof(double);
	return b;
}
