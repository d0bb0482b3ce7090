/* SPDX-License-Identifier: MIT */
/*
 * test_rf.c -- random forests: a depth-1 tree equals the best stump
 * found by brute force (Gini, every feature and midpoint), a full tree
 * without bootstrap fits distinct training rows exactly (classification
 * and regression), the out-of-bag predictions and accuracy against a
 * direct computation (bootstrap replayed from the documented seeds, one
 * tree at a time), K-class probabilities sum to 1, byte-identical
 * forests for any thread count, encode/decode round trip and damaged
 * payloads refused, path contributions that sum to the prediction;
 * updates (the old trees kept, the new ones numbered on, --max-trees,
 * the same bytes for any thread count), merges (the union of the trees)
 * and version 1 sections (no parameters block) still read.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "am_rand.h"
#include "am_rf.h"
#include "unit.h"

struct data {
	struct am_csr x;
	double *y;
	size_t n, nfeat;
};

/*
 * 'n' rows of 'nfeat' features, some sparse (zeros left out); y is a
 * noisy function of the first two features: a class index in [0, K)
 * or, with K == 0, a value.
 */
static void
make_data(struct data *d, size_t n, size_t nfeat, size_t K, uint64_t seed)
{
	struct am_rand r;
	struct am_err err = { 0 };
	uint32_t idx[16];
	double val[16];
	size_t i, j, nnz;

	am_rand_seed(&r, seed);
	am_csr_init(&d->x);
	d->n = n;
	d->nfeat = nfeat;
	d->y = malloc(n * sizeof(double));
	for (i = 0; i < n; i++) {
		double s = 0;
		for (j = 0, nnz = 0; j < nfeat; j++) {
			double v = am_rand_unif(&r) < 0.2
			    ? 0
			    : am_rand_normal(&r) + (double)j;
			if (j < 2)
				s += v - (double)j;
			if (v != 0) {
				idx[nnz] = (uint32_t)j;
				val[nnz++] = v;
			}
		}
		s += 0.5 * am_rand_normal(&r);
		if (K == 0)
			d->y[i] = s;
		else if (K == 2)
			d->y[i] = s > 0;
		else
			d->y[i] = s < -0.7 ? 0 : s < 0.7 ? 1 : 2;
		CHECK(am_csr_push(&d->x, nnz, idx, val, &err) == 0);
	}
}

static void
free_data(struct data *d)
{
	am_csr_release(&d->x);
	free(d->y);
}

/* Value of feature j in row i. */
static double
xval(const struct data *d, size_t i, size_t j)
{
	size_t k;

	for (k = d->x.ptr[i]; k < d->x.ptr[i + 1]; k++)
		if (d->x.idx[k] == j)
			return d->x.val[k];
	return 0;
}

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void
predict_row(const struct am_rf *f, const struct data *d, size_t i, double *out)
{
	size_t k = d->x.ptr[i];

	am_rf_predict(f, d->x.ptr[i + 1] - k, d->x.idx + k, d->x.val + k, out);
}

/* Brute force: the Gini stump over all features and midpoints. */
static void
test_stump(void)
{
	struct am_rf_params p = AM_RF_PARAMS_INIT;
	struct am_err err = { 0 };
	struct data d;
	struct am_rf *f;
	double best = -1, bthr = 0, pl = 0, pr = 0, *v, out;
	size_t i, j, bj = 0, n = 60, bad = 0;

	make_data(&d, n, 4, 2, 7);
	v = malloc(n * sizeof(double));
	for (j = 0; j < d.nfeat; j++) {
		for (i = 0; i < n; i++)
			v[i] = xval(&d, i, j);
		qsort(v, n, sizeof(double), cmp);
		for (i = 0; i + 1 < n; i++) {
			double thr = (v[i] + v[i + 1]) / 2, nl = 0, nr = 0;
			double l1 = 0, r1 = 0, sc;
			size_t r;
			if (v[i] == v[i + 1])
				continue;
			for (r = 0; r < n; r++) {
				if (xval(&d, r, j) <= thr) {
					nl++;
					l1 += d.y[r];
				} else {
					nr++;
					r1 += d.y[r];
				}
			}
			/* sum over classes of count^2 / side size */
			sc = (l1 * l1 + (nl - l1) * (nl - l1)) / nl +
			    (r1 * r1 + (nr - r1) * (nr - r1)) / nr;
			if (sc > best + 1e-12) {
				best = sc;
				bj = j;
				bthr = thr;
				pl = l1 / nl;
				pr = r1 / nr;
			}
		}
	}
	p.ntrees = 1;
	p.max_depth = 1;
	p.bootstrap = 0;
	p.max_feat = 1.0 * (double)d.nfeat;
	f = am_rf_fit(&d.x, d.nfeat, d.y, NULL, 2, NULL, &p, &err);
	CHECK(f != NULL);
	for (i = 0; f != NULL && i < n; i++) {
		predict_row(f, &d, i, &out);
		bad += out != (xval(&d, i, bj) <= bthr ? pl : pr);
	}
	CHECK(bad == 0);
	CHECK(pl != pr);
	am_rf_free(f);
	free(v);
	free_data(&d);
}

/* Fully grown, no bootstrap: distinct rows are fitted exactly. */
static void
test_full(void)
{
	struct am_rf_params p = AM_RF_PARAMS_INIT;
	struct am_err err = { 0 };
	struct data d;
	struct am_rf *f;
	size_t i, K, bad;
	double out[3];

	for (K = 0; K <= 3; K++) {
		if (K == 1)
			continue;
		make_data(&d, 200, 5, K, 11 + K);
		p.ntrees = 3;
		p.bootstrap = 0;
		p.max_feat = 2;
		p.criterion = K == 0 ? AM_RF_MSE : AM_RF_ENTROPY;
		f = am_rf_fit(&d.x, d.nfeat, d.y, NULL, K, NULL, &p, &err);
		CHECK(f != NULL);
		for (i = 0, bad = 0; f != NULL && i < d.n; i++) {
			predict_row(f, &d, i, out);
			if (K == 0) /* three equal terms / 3: rounding */
				bad += fabs(out[0] - d.y[i]) > 1e-12;
			else if (K == 2)
				bad += out[0] != d.y[i];
			else
				bad += out[(size_t)d.y[i]] != 1;
		}
		if (bad != 0)
			(void)fprintf(stderr, "K=%zu: %zu rows off\n", K, bad);
		CHECK(bad == 0);
		am_rf_free(f);
		free_data(&d);
	}
}

/* OOB: replay each tree's bootstrap and average the out-of-bag trees. */
static void
test_oob(size_t K)
{
	struct am_rf_params p = AM_RF_PARAMS_INIT;
	struct am_err err = { 0 };
	struct am_rf_info info;
	struct data d;
	struct am_rf *f;
	unsigned char *inbag;
	double out[3], got[3], t[3], good = 0, mean = 0, sse = 0, sst = 0;
	size_t i, k, r, nt = 15, seen = 0, nout = K > 2 ? K : 1, bad = 0;

	make_data(&d, 150, 4, K, 5);
	p.ntrees = (int)nt;
	p.seed = 42;
	p.min_leaf = 2;
	f = am_rf_fit(&d.x, d.nfeat, d.y, NULL, K, NULL, &p, &err);
	CHECK(f != NULL);
	if (f == NULL)
		return;
	inbag = calloc(nt * d.n, 1);
	for (i = 0; i < nt; i++) {
		struct am_rand rng;
		am_rand_seed(&rng, am_rf_tree_seed(42, i));
		for (r = 0; r < d.n; r++)
			inbag[i * d.n + am_rand_below(&rng, d.n)] = 1;
	}
	for (r = 0; r < d.n; r++)
		mean += d.y[r] / (double)d.n;
	for (r = 0; r < d.n; r++) {
		size_t c = 0, x0 = d.x.ptr[r], nnz = d.x.ptr[r + 1] - x0;
		memset(out, 0, sizeof(out));
		for (i = 0; i < nt; i++) {
			if (inbag[i * d.n + r])
				continue;
			am_rf_predict_tree(f, i, nnz, d.x.idx + x0,
			    d.x.val + x0, t);
			for (k = 0; k < nout; k++)
				out[k] += t[k];
			c++;
		}
		if (c == 0) {
			CHECK(am_rf_oob_row(f, r, got) == -1);
			continue;
		}
		seen++;
		CHECK(am_rf_oob_row(f, r, got) == 0);
		for (k = 0; k < nout; k++)
			bad += fabs(got[k] - out[k] / (double)c) > 1e-12;
		if (K == 2) {
			good += (out[0] / (double)c > 0.5) == (d.y[r] == 1);
		} else if (K == 3) {
			size_t b = 0;
			for (k = 1; k < 3; k++)
				if (out[k] > out[b])
					b = k;
			good += b == (size_t)d.y[r];
		} else {
			sse += pow(out[0] / (double)c - d.y[r], 2);
			sst += pow(d.y[r] - mean, 2);
		}
	}
	CHECK(bad == 0);
	am_rf_info(f, &info);
	CHECK(info.oob_rows == seen);
	CHECK(seen > d.n / 2);
	if (K > 0) {
		CHECK_NEAR(info.oob_score, good / (double)seen, 1e-12);
		CHECK(info.oob_score > 0.6);
	} else {
		/* R^2 uses the mean over the out-of-bag rows; all are here */
		CHECK(seen == d.n);
		CHECK_NEAR(info.oob_score, 1 - sse / sst, 1e-9);
	}
	CHECK(K != 2 || (info.oob_auc > 0.7 && info.oob_auc <= 1));
	free(inbag);
	am_rf_free(f);
	free_data(&d);
}

/* Same bytes for 1 and 3 threads; encode, decode, same predictions. */
static void
test_threads_roundtrip(void)
{
	struct am_rf_params p = AM_RF_PARAMS_INIT;
	struct am_err err = { 0 };
	struct am_buf b1 = AM_BUF_INIT, b3 = AM_BUF_INIT;
	struct am_rf_info i1, i3;
	struct data d;
	struct am_rf *f1, *f3, *g;
	double o1[3], o2[3], sum;
	size_t i, k, bad = 0, j;

	make_data(&d, 300, 6, 3, 9);
	p.ntrees = 20;
	p.permutation = 1;
	p.threads = 1;
	f1 = am_rf_fit(&d.x, d.nfeat, d.y, NULL, 3, NULL, &p, &err);
	p.threads = 3;
	f3 = am_rf_fit(&d.x, d.nfeat, d.y, NULL, 3, NULL, &p, &err);
	CHECK(f1 != NULL && f3 != NULL);
	if (f1 == NULL || f3 == NULL)
		return;
	am_rf_encode(f1, &b1);
	am_rf_encode(f3, &b3);
	CHECK(b1.len == b3.len && memcmp(b1.data, b3.data, b1.len) == 0);
	am_rf_info(f1, &i1);
	am_rf_info(f3, &i3);
	CHECK(
	    memcmp(i1.imp_impurity, i3.imp_impurity, 6 * sizeof(double)) == 0);
	CHECK(memcmp(i1.imp_perm, i3.imp_perm, 6 * sizeof(double)) == 0);
	CHECK(i1.oob_score == i3.oob_score);
	/* the two informative features dominate both importances */
	for (j = 0, sum = 0; j < 6; j++)
		sum += i1.imp_impurity[j];
	CHECK_NEAR(sum, 1, 1e-12);
	for (j = 2; j < 6; j++) {
		CHECK(i1.imp_impurity[j] < i1.imp_impurity[0]);
		CHECK(i1.imp_perm[j] < i1.imp_perm[1]);
	}
	g = am_rf_decode(b1.data, b1.len, 6, 3, &err);
	CHECK(g != NULL);
	for (i = 0; g != NULL && i < d.n; i++) {
		predict_row(f1, &d, i, o1);
		predict_row(g, &d, i, o2);
		bad += memcmp(o1, o2, sizeof(o1)) != 0;
		CHECK_NEAR(o1[0] + o1[1] + o1[2], 1, 1e-12);
		for (k = 0; k < 3; k++)
			CHECK(o1[k] >= 0 && o1[k] <= 1);
	}
	CHECK(bad == 0);
	am_rf_free(g);
	/* damaged: truncated, wrong shape, a child pointing backwards */
	CHECK(am_rf_decode(b1.data, b1.len - 1, 6, 3, &err) == NULL);
	CHECK(err.code == AM_EFORMAT);
	CHECK(am_rf_decode(b1.data, b1.len, 7, 3, &err) == NULL);
	CHECK(am_rf_decode(b1.data, b1.len, 6, 2, &err) == NULL);
	/* first node of tree 1: version 4, nfeat 8, nclass 4, ntrees 4,
	 * parameters 52, nn 4, depth 4, then feat 4 and left 4 */
	b1.data[4 + 8 + 4 + 4 + 52 + 4 + 4 + 4] = 0;
	b1.data[4 + 8 + 4 + 4 + 52 + 4 + 4 + 5] = 0;
	CHECK(am_rf_decode(b1.data, b1.len, 6, 3, &err) == NULL);
	CHECK(err.code == AM_EFORMAT);
	am_buf_release(&b1);
	am_buf_release(&b3);
	am_rf_free(f1);
	am_rf_free(f3);
	free_data(&d);
}

/* Path contributions sum to the prediction (float node values). */
static void
test_explain(void)
{
	struct am_rf_params p = AM_RF_PARAMS_INIT;
	struct am_err err = { 0 };
	struct data d;
	struct am_rf *f;
	size_t K, i, j, k, bad;
	double out[3], c[8];

	for (K = 0; K <= 3; K++) {
		if (K == 1)
			continue;
		make_data(&d, 120, 5, K, 21 + K);
		p.ntrees = 10;
		p.criterion = K == 0 ? AM_RF_MSE : AM_RF_GINI;
		f = am_rf_fit(&d.x, d.nfeat, d.y, NULL, K, NULL, &p, &err);
		CHECK(f != NULL);
		for (i = 0, bad = 0; f != NULL && i < d.n; i++) {
			size_t x0 = d.x.ptr[i], nnz = d.x.ptr[i + 1] - x0;
			predict_row(f, &d, i, out);
			for (k = 0; k < (K > 2 ? K : 1); k++) {
				double sum = 0, tol = K == 0 ? 1e-5 : 1e-6;
				memset(c, 0, sizeof(c));
				am_rf_explain(f, nnz, d.x.idx + x0,
				    d.x.val + x0, k, c);
				for (j = 0; j <= d.nfeat; j++)
					sum += c[j];
				bad += fabs(sum - out[k]) >
				    tol * (1 + fabs(out[k]));
			}
		}
		CHECK(bad == 0);
		am_rf_free(f);
		free_data(&d);
	}
}

static void
test_bad_params(void)
{
	struct am_rf_params p = AM_RF_PARAMS_INIT;
	struct am_err err = { 0 };
	struct data d;

	make_data(&d, 10, 2, 2, 1);
	p.ntrees = -1;
	CHECK(am_rf_fit(&d.x, 2, d.y, NULL, 2, NULL, &p, &err) == NULL);
	CHECK(err.code == AM_EARG);
	p.ntrees = 1;
	p.criterion = AM_RF_MSE;
	CHECK(am_rf_fit(&d.x, 2, d.y, NULL, 2, NULL, &p, &err) == NULL);
	CHECK(err.code == AM_EARG);
	free_data(&d);
}

/* Tree 'i' of 'f' and tree 'j' of 'g' predict alike on every row. */
static int
same_tree(const struct am_rf *f, size_t i, const struct am_rf *g, size_t j,
    const struct data *d)
{
	size_t r;
	double a[3], b[3];

	for (r = 0; r < d->n; r++) {
		size_t x0 = d->x.ptr[r], nnz = d->x.ptr[r + 1] - x0;
		memset(a, 0, sizeof(a));
		memset(b, 0, sizeof(b));
		am_rf_predict_tree(f, i, nnz, d->x.idx + x0, d->x.val + x0, a);
		am_rf_predict_tree(g, j, nnz, d->x.idx + x0, d->x.val + x0, b);
		if (memcmp(a, b, sizeof(a)) != 0)
			return 0;
	}
	return 1;
}

static void
test_update_merge(void)
{
	struct am_rf_params p = AM_RF_PARAMS_INIT, u = AM_RF_PARAMS_INIT;
	struct am_buf b1 = AM_BUF_INIT, b2 = AM_BUF_INIT;
	struct am_err err = { 0 };
	struct am_rf_info in;
	struct data d, e;
	struct am_rf *f, *g, *h, *all, *m;
	const struct am_rf *src[2];
	size_t i;

	make_data(&d, 150, 4, 2, 31);
	make_data(&e, 50, 4, 2, 32);
	p.ntrees = 8;
	p.seed = 5;
	f = am_rf_fit(&d.x, 4, d.y, NULL, 2, NULL, &p, &err);
	g = am_rf_fit(&d.x, 4, d.y, NULL, 2, NULL, &p, &err);
	p.ntrees = 11;
	all = am_rf_fit(&e.x, 4, e.y, NULL, 2, NULL, &p, &err);
	CHECK(f != NULL && g != NULL && all != NULL);
	if (f == NULL || g == NULL || all == NULL)
		goto out;
	/* default count: 8 trees * 50 / 150 rows = 3 (rounded) */
	u.ntrees = 0;
	u.threads = 1;
	CHECK(am_rf_update(f, &e.x, e.y, NULL, NULL, &u, &err) == 0);
	am_rf_info(f, &in);
	CHECK(in.ntrees == 11 && in.grown == 11);
	CHECK_NEAR(in.seen, 200, 0);
	/* the old trees first, then trees 8..10 of a forest with that seed
	 * grown on the new rows */
	for (i = 0; i < 8; i++)
		CHECK(same_tree(f, i, g, i, &d));
	for (i = 8; i < 11; i++)
		CHECK(same_tree(f, i, all, i, &e));
	/* the same bytes with 3 threads; --max-trees drops the oldest */
	u.threads = 3;
	u.max_trees = 5;
	CHECK(am_rf_update(g, &e.x, e.y, NULL, NULL, &u, &err) == 0);
	am_rf_info(g, &in);
	CHECK(in.ntrees == 5 && in.grown == 11);
	for (i = 0; i < 5; i++)
		CHECK(same_tree(g, i, f, i + 6, &d));
	/* merge: the union, in order */
	src[0] = f;
	src[1] = g;
	m = am_rf_merge(src, 2, &err);
	CHECK(m != NULL);
	if (m != NULL) {
		am_rf_info(m, &in);
		CHECK(in.ntrees == 16);
		CHECK(same_tree(m, 0, f, 0, &d) && same_tree(m, 10, f, 10, &d));
		CHECK(same_tree(m, 11, g, 0, &d) && same_tree(m, 15, g, 4, &d));
	}
	am_rf_free(m);
	/* version 1: no parameters block, the same trees */
	am_rf_encode(f, &b1);
	CHECK(!am_buf_error(&b1) && b1.len > 72);
	am_buf_u32(&b2, 1);
	am_buf_put(&b2, b1.data + 4, 16);
	am_buf_put(&b2, b1.data + 72, b1.len - 72);
	h = am_rf_decode(b2.data, b2.len, 4, 2, &err);
	CHECK(h != NULL);
	for (i = 0; h != NULL && i < 11; i++)
		CHECK(same_tree(h, i, f, i, &d));
	am_rf_free(h);
	/* a damaged parameters block */
	b1.data[4 + 8 + 4 + 4 + 24 + 4] = 0; /* min_leaf 0 */
	CHECK(am_rf_decode(b1.data, b1.len, 4, 2, &err) == NULL);
	CHECK(err.code == AM_EFORMAT);
out:
	am_buf_release(&b1);
	am_buf_release(&b2);
	am_rf_free(f);
	am_rf_free(g);
	am_rf_free(all);
	free_data(&d);
	free_data(&e);
}

int
main(void)
{
	test_stump();
	test_full();
	test_oob(2);
	test_oob(3);
	test_oob(0);
	test_threads_roundtrip();
	test_explain();
	test_bad_params();
	test_update_merge();
	return unit_failures;
}
