/* SPDX-License-Identifier: MIT */
/*
 * am_table.c -- load a feature stream into memory (see am_table.h).
 *
 * Rows go straight from the stream reader into the growing CSR matrix;
 * the target and weight arrays grow alongside by doubling.  Class
 * indices are re-mapped to byte order once, at the end, because a CSV
 * stream numbers classes in order of first appearance.
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
	free(t->y);
	free(t->w);
	am_fs_schema_release(&t->schema);
	free(t->input);
	free(t);
}

/* Make y (and w) hold 'n' rows; 0 or -1. */
static int
rows_room(struct am_table *t, size_t *cap, size_t n, int weights)
{
	double *p;

	if (n <= *cap)
		return 0;
	if (n > SIZE_MAX / sizeof(double))
		return -1;
	if ((p = realloc(t->y, n * sizeof(double))) == NULL)
		return -1;
	am_mat_advise(p, n * sizeof(double));
	t->y = p;
	if (weights) {
		if ((p = realloc(t->w, n * sizeof(double))) == NULL)
			return -1;
		am_mat_advise(p, n * sizeof(double));
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

/*
 * Once ESTIMATE_AT rows are in, make room for the whole input in one
 * step: the rows and values read so far, scaled by the file's size over
 * the bytes read, plus 1/16.  Only a hint, so that the arrays are not
 * reallocated ten times over: a failure is ignored, and growth by
 * doubling takes over if the estimate falls short.  Never more rows or
 * values than the file has bytes.
 */
#define ESTIMATE_AT 65536

static void
reserve_all(struct am_table *t, size_t *cap, int weights,
    unsigned long long size, unsigned long long done)
{
	double f, rows, nnz;

	if (size <= done || done == 0)
		return;
	f = (double)size / (double)done * (17.0 / 16);
	rows = (double)t->rows * f + 1024;
	nnz = (double)t->x.nnz * f + 1024;
	if (rows > (double)size)
		rows = (double)size;
	if (nnz > (double)size)
		nnz = (double)size;
	if (rows_room(t, cap, (size_t)rows, weights) == 0)
		(void)am_csr_reserve(&t->x, (size_t)rows, (size_t)nnz, NULL);
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
	size_t cap = 0;
	unsigned long long size;
	int rc, weights;

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
	weights = s->weight != NULL;
	if (weights && (t->w = malloc(sizeof(double))) == NULL)
		goto nomem;
	while ((rc = am_fs_next(r, &row, err)) == 1) {
		if (check_row(t, r, &row, flags, err) != 0)
			goto fail;
		if (t->rows == cap &&
		    rows_room(t, &cap, cap ? 2 * cap : 1024, weights) != 0)
			goto nomem;
		if (am_csr_push(&t->x, row.nnz, row.idx, row.val, err) != 0) {
			if (err != NULL && err->code == AM_EARG)
				am_err_prefix(err, "%s:%lu", t->input,
				    am_fs_line(r));
			goto fail;
		}
		t->y[t->rows] = row.target;
		if (weights)
			t->w[t->rows] = row.weight;
		t->rows++;
		if (t->rows == ESTIMATE_AT && size > 0)
			reserve_all(t, &cap, weights, size, am_src_bytes(src));
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

	if (t->w != NULL)
		b += t->rows * sizeof(double);
	return b;
}
