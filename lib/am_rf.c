/* SPDX-License-Identifier: MIT */
/*
 * am_rf.c -- random forests on binned features (see am_rf.h).
 *
 * Fitting first turns the CSR rows into a column-major matrix of bin
 * numbers (one byte per row and feature), through a transpose of the
 * nonzeros: a feature's sorted values with their counts (the implicit
 * zeros included) give its cut points.  Each tree then grows depth first
 * over an index array of its in-bag rows, partitioned in place at every
 * split.  A node's split search builds, for each candidate feature, a
 * histogram of weighted class counts (or weighted sums of y and y^2) per
 * bin in one pass over the node's rows, then scans the bins left to
 * right: the cost per node is O(rows + bins) per feature instead of a
 * sort.  The node's classes and weights sit beside its row numbers and
 * move with them, so that pass reads them in order and gathers only the
 * feature's bin byte of each row.  A classifier with unit row weights
 * (the usual case) counts in integers, exactly, in four interleaved
 * copies for features of few bins (one-hot columns: one bin gets most
 * rows, and one copy would make every addition wait for the previous);
 * a node with few rows for a feature's bins visits only the bins its
 * rows fall in.  A node's totals are computed once, by its parent.
 * Every sum runs in the order of the one-pass version, so the trees do
 * not depend on these choices.  Candidate features are drawn without
 * replacement until 'max_features' of them were not constant in the
 * node (constant ones do not count, as in scikit-learn).
 *
 * Trees are independent tasks of am_pool; tree i keeps everything it
 * makes in its own slot, and the reductions (out-of-bag predictions,
 * importances) run in tree order afterwards, so the result does not
 * depend on the thread count.
 */
#include <limits.h>
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "am_metrics.h"
#include "am_pool.h"
#include "am_rand.h"
#include "am_rf.h"

#include "am_banned.h"

#define LEAF     UINT32_MAX
#define MAXBIN   256
#define VERSION  2 /* 1: no parameters block; still read */
#define OOBTASKS 64
#define OOBROWS  256 /* rows of a task that share a pass over the trees */
#define LANES    8   /* trees one row walks at once in am_rf_predict() */

struct node {
	uint32_t feat; /* LEAF for a leaf */
	uint32_t left; /* left child (right = left + 1); K-class leaf: slot */
	double thr;    /* go left if x <= thr; binary/regression leaf: value */
};

struct tree {
	struct node *n;
	size_t nn, cap;
	double *val; /* K-class leaves: K probabilities each */
	float *nval; /* every node: its value(s), nout each (explain) */
	size_t nout;
	size_t nv, vcap;
	uint8_t *bthr;   /* while fitting: split bin of each node */
	uint64_t *inbag; /* while fitting: bitset of in-bag rows */
	double *imp;     /* while fitting: impurity decrease per feature */
	double *perm;    /* while fitting: permutation importance */
	int depth, fail;
};

struct am_rf {
	size_t nfeat, nclass, ntrees;
	struct tree *t;
	struct am_rf_params p;
	double *imp, *imp_perm; /* nfeat each */
	double *oob;            /* rows x nout, NAN where no tree had it */
	size_t rows, oob_rows;
	double oob_score, oob_auc;
	size_t grown; /* trees ever grown: the next tree's number */
	double seen;  /* rows of every fit and update */
};

/* Shared by the tasks of one fit. */
struct fit {
	struct am_rf *f;
	const uint8_t *bins;       /* nfeat x rows, column-major */
	const double *const *edge; /* per feature: nbin[j] - 1 cut points */
	const int *nbin;
	const double *y, *rw; /* target, row weight (w x class cost) */
	size_t rows, nfeat, K, nout, mtry;
	size_t first; /* number of the first tree (updates continue) */
	double total_w;
	int unit;         /* a classifier whose row weights are all 1 */
	atomic_int *done; /* trees finished, for progress */
};

static size_t
nout_of(size_t nclass)
{
	return nclass > 2 ? nclass : 1;
}

static void
tree_release(struct tree *t)
{
	free(t->n);
	free(t->val);
	free(t->nval);
	free(t->bthr);
	free(t->inbag);
	free(t->imp);
	free(t->perm);
	memset(t, 0, sizeof(*t));
}

void
am_rf_free(struct am_rf *f)
{
	size_t i;

	if (f == NULL)
		return;
	for (i = 0; i < f->ntrees && f->t != NULL; i++)
		tree_release(&f->t[i]);
	free(f->t);
	free(f->imp);
	free(f->imp_perm);
	free(f->oob);
	free(f);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* A threshold strictly between a < b that sends a left and b right. */
static double
midpoint(double a, double b)
{
	double m = a / 2 + b / 2;

	return m >= b || m < a ? a : m;
}

/*
 * Cut points of a feature whose 'nd' distinct nonzero values 'v'
 * (ascending; an explicit zero merges with the implicit ones) occur 'c'
 * times each among 'rows' rows, the other 'zeros' rows being 0: every
 * gap between distinct values when there are at most MAXBIN of them,
 * else the gaps at the quantiles.  Returns the count.
 */
static int
cut_points(const double *v, const size_t *c, size_t nd, size_t zeros,
    size_t rows, double *edge)
{
	size_t i, nall = nd, cum = 0;
	int ne = 0, zdone = zeros == 0, have = 0;
	double prev = 0;

	/* Count distinct values, zero included when present. */
	if (zeros > 0) {
		int zin = 0;
		for (i = 0; i < nd && !zin; i++)
			zin = v[i] == 0;
		nall += !zin;
	}
	/* Walk the values in order with their counts, zeros merged in. */
	i = 0;
	while (i < nd || !zdone) {
		double x;
		size_t n = 0;
		if (!zdone && (i >= nd || v[i] >= 0)) {
			x = 0;
			n = zeros;
			zdone = 1;
			if (i < nd && v[i] == 0)
				n += c[i++];
		} else {
			x = v[i];
			n = c[i++];
		}
		if (have && ne < MAXBIN - 1 &&
		    (nall <= MAXBIN ||
		        (double)cum >=
		            (double)(ne + 1) * (double)rows / MAXBIN))
			edge[ne++] = midpoint(prev, x);
		cum += n;
		prev = x;
		have = 1;
	}
	return ne;
}

static uint8_t
bin_of(const double *edge, int ne, double x)
{
	int lo = 0, hi = ne;

	/* The first cut point >= x; ne when none (NaN included). */
	while (lo < hi) {
		int mid = (lo + hi) / 2;
		if (x <= edge[mid])
			hi = mid;
		else
			lo = mid + 1;
	}
	return (uint8_t)lo;
}

/*
 * The distinct values of 'v' (n of them) ascending into 'd' with their
 * counts in 'c', when there are at most MAXBIN + 1 and none is NaN:
 * returns their count, or -1 (then sort).  Insertion into a short
 * sorted list: a one-hot column costs a comparison or two per value.
 */
static long
few_values(const double *v, size_t n, double *d, size_t *c)
{
	size_t i, nd = 0, last = 0;

	for (i = 0; i < n; i++) {
		double x = v[i];
		size_t lo = 0, hi = nd, k;
		if (isnan(x))
			return -1;
		if (nd > 0 && d[last] == x) {
			c[last]++;
			continue;
		}
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			if (d[mid] < x)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < nd && d[lo] == x) {
			c[lo]++;
			last = lo;
			continue;
		}
		if (nd == MAXBIN + 1)
			return -1;
		for (k = nd; k > lo; k--) {
			d[k] = d[k - 1];
			c[k] = c[k - 1];
		}
		d[lo] = x;
		c[lo] = 1;
		last = lo;
		nd++;
	}
	return (long)nd;
}

/* The binning of one fit: the nonzeros transposed, by feature. */
struct binning {
	const size_t *cnt;    /* nfeat + 1 offsets into cv and crow */
	const double *cv;     /* values, by feature */
	const uint32_t *crow; /* their rows */
	size_t rows;
	uint8_t *bins;
	double **edge;
	int *nbin;
	unsigned char *fail; /* per feature */
};

/* Cut points and bins of feature 'j' (a task). */
static void
bin_task(void *arg, size_t j)
{
	struct binning *B = arg;
	size_t nz = B->cnt[j + 1] - B->cnt[j], k, nd = 0, rows = B->rows;
	const double *v = B->cv + B->cnt[j];
	double *d = malloc((MAXBIN + 2) * sizeof(*d)), *sorted = NULL;
	size_t *c = malloc((MAXBIN + 2) * sizeof(*c)), *sc = NULL;
	uint8_t zb, *col = B->bins + j * rows;
	long few;

	if (d == NULL || c == NULL ||
	    (B->edge[j] = malloc(MAXBIN * sizeof(double))) == NULL)
		goto fail;
	if ((few = few_values(v, nz, d, c)) >= 0) {
		B->nbin[j] =
		    cut_points(d, c, (size_t)few, rows - nz, rows, B->edge[j]) +
		    1;
	} else {
		/* Many values: sort them, then count the runs. */
		if ((sorted = malloc((nz + 1) * sizeof(*sorted))) == NULL ||
		    (sc = malloc((nz + 1) * sizeof(*sc))) == NULL)
			goto fail;
		memcpy(sorted, v, nz * sizeof(*sorted));
		qsort(sorted, nz, sizeof(*sorted), cmp_double);
		for (k = 0; k < nz; k++) {
			if (k == 0 || sorted[k] != sorted[nd - 1]) {
				sorted[nd] = sorted[k];
				sc[nd++] = 0;
			}
			sc[nd - 1]++;
		}
		B->nbin[j] =
		    cut_points(sorted, sc, nd, rows - nz, rows, B->edge[j]) + 1;
	}
	zb = bin_of(B->edge[j], B->nbin[j] - 1, 0);
	memset(col, zb, rows);
	for (k = 0; k < nz; k++)
		col[B->crow[B->cnt[j] + k]] =
		    bin_of(B->edge[j], B->nbin[j] - 1, v[k]);
	goto out;
fail:
	B->fail[j] = 1;
out:
	free(d);
	free(c);
	free(sorted);
	free(sc);
}

/*
 * Bin the rows of 'x': bins, cut points and bin counts per feature, the
 * features spread over 'pool'.
 */
static int
bin_features(const struct am_csr *x, size_t nfeat, uint8_t *bins, double **edge,
    int *nbin, struct am_pool *pool)
{
	size_t rows = x->rows, i, j, k, *cnt, *pos;
	double *cv = NULL;
	uint32_t *crow = NULL;
	unsigned char *fail = NULL;
	struct binning B;
	int rc = AM_ENOMEM;

	cnt = calloc(nfeat + 1, sizeof(*cnt));
	pos = calloc(nfeat + 1, sizeof(*pos));
	cv = malloc((x->nnz + 1) * sizeof(*cv));
	crow = malloc((x->nnz + 1) * sizeof(*crow));
	fail = calloc(nfeat + 1, 1);
	if (cnt == NULL || pos == NULL || cv == NULL || crow == NULL ||
	    fail == NULL)
		goto out;
	for (k = 0; k < x->nnz; k++)
		if (x->idx[k] < nfeat)
			cnt[x->idx[k] + 1]++;
	for (j = 0; j < nfeat; j++)
		cnt[j + 1] += cnt[j];
	memcpy(pos, cnt, (nfeat + 1) * sizeof(*pos));
	for (i = 0; i < rows; i++)
		for (k = x->ptr[i]; k < x->ptr[i + 1]; k++) {
			uint32_t c = x->idx[k];
			if (c >= nfeat)
				continue;
			cv[pos[c]] = x->val[k];
			crow[pos[c]++] = (uint32_t)i;
		}
	B.cnt = cnt;
	B.cv = cv;
	B.crow = crow;
	B.rows = rows;
	B.bins = bins;
	B.edge = edge;
	B.nbin = nbin;
	B.fail = fail;
	am_pool_run(pool, nfeat, bin_task, &B);
	for (j = 0; j < nfeat; j++)
		if (fail[j])
			goto out;
	rc = 0;
out:
	free(cnt);
	free(pos);
	free(cv);
	free(crow);
	free(fail);
	return rc;
}

/* Node impurity from class weights (or sums) 'h' of total weight 'w'. */
static double
impurity(int crit, const double *h, size_t K, double w)
{
	double s = 0, m;
	size_t k;

	if (!(w > 0))
		return 0;
	if (crit == AM_RF_MSE) {
		m = h[0] / w;
		s = h[1] / w - m * m;
		return s > 0 ? s : 0;
	}
	for (k = 0; k < K; k++) {
		double p = h[k] / w;
		if (crit == AM_RF_GINI)
			s += p * p;
		else if (p > 0)
			s -= p * log2(p);
	}
	return crit == AM_RF_GINI ? 1 - s : s;
}

/*
 * The quantity a split maximises, from the left and right class weights
 * (or sums): for Gini sum_k L_k^2 / W_L + R_k^2 / W_R, for entropy
 * minus the weighted child entropies (in nats), for squared error
 * S_L^2 / W_L + S_R^2 / W_R.
 */
static double
proxy(int crit, const double *l, const double *r, size_t K, double wl,
    double wr)
{
	double a = 0, b = 0;
	size_t k;

	if (crit == AM_RF_MSE)
		return l[0] * l[0] / wl + r[0] * r[0] / wr;
	for (k = 0; k < K; k++) {
		if (crit == AM_RF_GINI) {
			a += l[k] * l[k];
			b += r[k] * r[k];
		} else {
			if (l[k] > 0)
				a += l[k] * log(l[k] / wl);
			if (r[k] > 0)
				b += r[k] * log(r[k] / wr);
		}
	}
	return crit == AM_RF_GINI ? a / wl + b / wr : a + b;
}

/* Copies of a small integer histogram, to break add-to-memory chains. */
#define NCOPY 4

/*
 * Per task scratch space.  The in-bag rows of the tree are listed in
 * 'idx'; beside each position the sample's class ('pk') and its weight:
 * a bootstrap count ('pc') when every row weight is 1 ("unit" fits of a
 * classifier, counted in integers), else a double ('pw', with the target
 * 'py' of a regressor).  A split partitions the four arrays in place,
 * so a node's rows, classes and weights are contiguous and a histogram
 * pass gathers only the feature's bin of each row.
 */
struct scratch {
	uint32_t *idx;   /* in-bag rows */
	double *sw;      /* sample weight per row (bootstrap count x rw) */
	uint16_t *pk;    /* class at each position (classifier) */
	uint32_t *pc;    /* bootstrap count at each position (unit fits) */
	double *pw, *py; /* weight and target at each position (others) */
	uint32_t *pool;  /* candidate feature lists of the nodes, a stack */
	size_t pcap;
	double *hist;   /* MAXBIN x H */
	uint32_t *hcnt; /* MAXBIN; zero between uses */
	uint32_t *ih;   /* unit fits: NCOPY x MAXBIN x (K + 1), zero */
	uint8_t *list;  /* the bins seen, ascending */
	double *tot, *lft, *rgt, *bl;
	struct stack {
		uint32_t node, lo, hi;
		size_t foff, flen; /* features not known constant */
		int depth;
	} * st;
	double *stot; /* per stack entry: H totals and the weight */
	size_t stcap;
};

static int
add_node(struct tree *t)
{
	if (t->nn == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 64;
		struct node *n = realloc(t->n, cap * sizeof(*n));
		uint8_t *b;
		float *v;
		if (n == NULL)
			return -1;
		t->n = n;
		if ((b = realloc(t->bthr, cap)) == NULL)
			return -1;
		t->bthr = b;
		if ((v = realloc(t->nval, cap * t->nout * sizeof(*v))) == NULL)
			return -1;
		t->nval = v;
		t->cap = cap;
	}
	memset(&t->n[t->nn], 0, sizeof(t->n[0]));
	t->bthr[t->nn] = 0;
	t->nn++;
	return 0;
}

/* Make node 'id' a leaf holding the distribution or mean 'tot'. */
static int
make_leaf(const struct fit *F, struct tree *t, uint32_t id, const double *tot,
    double w)
{
	struct node *n = &t->n[id];
	size_t k;

	n->feat = LEAF;
	if (F->K == 0) {
		n->thr = w > 0 ? tot[0] / w : 0;
	} else if (F->K == 2) {
		n->thr = w > 0 ? tot[1] / w : 0;
	} else {
		if (t->nv + F->K > t->vcap) {
			size_t cap = t->vcap ? 2 * t->vcap : 64 * F->K;
			double *v = realloc(t->val, cap * sizeof(*v));
			if (v == NULL)
				return -1;
			t->val = v;
			t->vcap = cap;
		}
		n->left = (uint32_t)(t->nv / F->K);
		for (k = 0; k < F->K; k++)
			t->val[t->nv++] = w > 0 ? tot[k] / w : 0;
	}
	return 0;
}

/*
 * Sums over positions [lo, hi): class weights (K) or S, S2; returns the
 * total weight.  Unit fits add integers, exactly.
 */
static double
node_totals(const struct fit *F, const struct scratch *s, size_t lo, size_t hi,
    double *tot)
{
	size_t i, k, H = F->K ? F->K : 2;
	double w = 0;

	memset(tot, 0, H * sizeof(*tot));
	if (F->unit) {
		uint64_t c[2] = { 0, 0 };
		if (F->K == 2) {
			for (i = lo; i < hi; i++)
				c[s->pk[i]] += s->pc[i];
			tot[0] = (double)c[0];
			tot[1] = (double)c[1];
		} else {
			for (i = lo; i < hi; i++)
				tot[s->pk[i]] += s->pc[i];
		}
		for (k = 0; k < H; k++)
			w += tot[k];
		return w;
	}
	for (i = lo; i < hi; i++) {
		double sw = s->pw[i];
		w += sw;
		if (F->K) {
			tot[s->pk[i]] += sw;
		} else {
			tot[0] += sw * s->py[i];
			tot[1] += sw * s->py[i] * s->py[i];
		}
	}
	return w;
}

static int
push(struct scratch *s, size_t H, size_t *top, uint32_t node, size_t lo,
    size_t hi, size_t foff, size_t flen, int depth, const double *tot, double w)
{
	if (*top == s->stcap) {
		size_t cap = s->stcap ? 2 * s->stcap : 64;
		struct stack *st = realloc(s->st, cap * sizeof(*st));
		double *sv;
		if (st == NULL)
			return -1;
		s->st = st;
		if ((sv = realloc(s->stot, cap * (H + 1) * sizeof(*sv))) ==
		    NULL)
			return -1;
		s->stot = sv;
		s->stcap = cap;
	}
	s->st[*top].node = node;
	s->st[*top].lo = (uint32_t)lo;
	s->st[*top].hi = (uint32_t)hi;
	s->st[*top].foff = foff;
	s->st[*top].flen = flen;
	s->st[*top].depth = depth;
	memcpy(s->stot + *top * (H + 1), tot, H * sizeof(*tot));
	s->stot[*top * (H + 1) + H] = w;
	(*top)++;
	return 0;
}

/*
 * Whether a node of 'cnt' rows visits only the bins it touches of a
 * feature's 'nb' (rather than clearing and scanning all of them).
 */
static int
is_sparse(size_t cnt, size_t nb)
{
	return cnt * 4 < nb;
}

/* Sort the 'n' bin numbers 'b' ascending (insertion: n is small). */
static void
sort_bins(uint8_t *b, size_t n)
{
	size_t i, k;

	for (i = 1; i < n; i++) {
		uint8_t v = b[i];
		for (k = i; k > 0 && b[k - 1] > v; k--)
			b[k] = b[k - 1];
		b[k] = v;
	}
}

/*
 * The histogram of feature column 'col' over positions [lo, hi) into
 * s->hist and s->hcnt, and the bins holding rows into s->list in
 * ascending order; returns their count.  A node with few rows for the
 * feature's 'nb' bins is counted sparsely: only the bins it touches are
 * visited and cleared.  Sums run in position order, as one pass would.
 */
static size_t
histogram(const struct fit *F, struct scratch *s, const uint8_t *col, size_t lo,
    size_t hi, size_t nb)
{
	size_t H = F->K ? F->K : 2, i, b, k, u = 0, cnt = hi - lo;
	const uint32_t *idx = s->idx;
	int sparse = is_sparse(cnt, nb);

	if (F->unit && F->K == 2 && nb == 2) {
		/*
		 * Two classes, two bins (a one-hot column): count bin 1 in
		 * registers, without branches; bin 0 is the rest.
		 */
		uint64_t n1 = 0, a0 = 0, a1 = 0;
		for (i = lo; i < hi; i++) {
			uint32_t m = 0u - (uint32_t)col[idx[i]];
			uint32_t v = s->pc[i] & m, pm = 0u - (uint32_t)s->pk[i];
			n1 += m & 1;
			a1 += v & pm;
			a0 += v & ~pm;
		}
		s->hcnt[0] = (uint32_t)(cnt - n1);
		s->hcnt[1] = (uint32_t)n1;
		s->hist[2] = (double)a0;
		s->hist[3] = (double)a1;
		s->hist[0] = s->tot[0] - (double)a0;
		s->hist[1] = s->tot[1] - (double)a1;
		for (b = 0; b < 2; b++)
			if (s->hcnt[b] > 0)
				s->list[u++] = (uint8_t)b;
		return u;
	}
	if (F->unit) {
		/* Layout per bin: the row count, then K class weights. */
		size_t E = F->K + 1;
		uint32_t *ih = s->ih;
		size_t nc =
		    !sparse && nb <= 16 && cnt >= 64 && F->K <= 8 ? NCOPY : 1;
		if (nc > 1) {
			for (i = lo; i + NCOPY <= hi; i += NCOPY) {
				for (k = 0; k < NCOPY; k++) {
					uint32_t *h = ih + k * nb * E +
					    (size_t)col[idx[i + k]] * E;
					h[0]++;
					h[1 + s->pk[i + k]] += s->pc[i + k];
				}
			}
			for (; i < hi; i++) {
				uint32_t *h = ih + (size_t)col[idx[i]] * E;
				h[0]++;
				h[1 + s->pk[i]] += s->pc[i];
			}
			for (k = 1; k < nc; k++)
				for (b = 0; b < nb * E; b++)
					ih[b] += ih[k * nb * E + b];
		} else if (sparse) {
			for (i = lo; i < hi; i++) {
				uint8_t bin = col[idx[i]];
				uint32_t *h = ih + (size_t)bin * E;
				if (h[0]++ == 0)
					s->list[u++] = bin;
				h[1 + s->pk[i]] += s->pc[i];
			}
		} else {
			for (i = lo; i < hi; i++) {
				uint32_t *h = ih + (size_t)col[idx[i]] * E;
				h[0]++;
				h[1 + s->pk[i]] += s->pc[i];
			}
		}
		if (sparse)
			sort_bins(s->list, u);
		else
			for (b = 0; b < nb; b++)
				if (ih[b * E] > 0)
					s->list[u++] = (uint8_t)b;
		/* Copied out as doubles (exact), and cleared. */
		for (i = 0; i < u; i++) {
			uint32_t *h = ih + (size_t)s->list[i] * E;
			b = s->list[i];
			s->hcnt[b] = h[0];
			for (k = 0; k < F->K; k++)
				s->hist[b * H + k] = (double)h[1 + k];
			if (sparse)
				memset(h, 0, E * sizeof(*h));
		}
		if (!sparse)
			memset(ih, 0, nc * nb * E * sizeof(*ih));
		return u;
	}
	if (!sparse)
		memset(s->hist, 0, nb * H * sizeof(*s->hist));
	for (i = lo; i < hi; i++) {
		uint8_t bin = col[idx[i]];
		double sw = s->pw[i];
		if (s->hcnt[bin]++ == 0 && sparse) {
			s->list[u++] = bin;
			memset(s->hist + (size_t)bin * H, 0,
			    H * sizeof(*s->hist));
		}
		if (F->K) {
			s->hist[(size_t)bin * H + s->pk[i]] += sw;
		} else {
			s->hist[(size_t)bin * H] += sw * s->py[i];
			s->hist[(size_t)bin * H + 1] += sw;
		}
	}
	if (sparse)
		sort_bins(s->list, u);
	else
		for (b = 0; b < nb; b++)
			if (s->hcnt[b] > 0)
				s->list[u++] = (uint8_t)b;
	return u;
}

/*
 * After the scan of a histogram of 'u' bins (of 'nb'): clear the row
 * counts for the next one (weighted fits; unit fits write the counts of
 * the bins they list).
 */
static void
histogram_done(const struct fit *F, struct scratch *s, size_t u, size_t cnt,
    size_t nb)
{
	size_t i;

	if (F->unit)
		return;
	if (is_sparse(cnt, nb))
		for (i = 0; i < u; i++)
			s->hcnt[s->list[i]] = 0;
	else
		memset(s->hcnt, 0, nb * sizeof(*s->hcnt));
}

/* Swap positions a and b of the node arrays. */
static void
swap_pos(const struct fit *F, struct scratch *s, size_t a, size_t b)
{
	uint32_t r = s->idx[a];

	s->idx[a] = s->idx[b];
	s->idx[b] = r;
	if (F->K) {
		uint16_t k = s->pk[a];
		s->pk[a] = s->pk[b];
		s->pk[b] = k;
	}
	if (F->unit) {
		uint32_t c = s->pc[a];
		s->pc[a] = s->pc[b];
		s->pc[b] = c;
	} else {
		double v = s->pw[a];
		s->pw[a] = s->pw[b];
		s->pw[b] = v;
		if (F->K == 0) {
			v = s->py[a];
			s->py[a] = s->py[b];
			s->py[b] = v;
		}
	}
}

/* Grow tree 't' with generator 'rng'; 0 or -1 (out of memory). */
static int
grow(const struct fit *F, struct tree *t, struct scratch *s,
    struct am_rand *rng)
{
	const struct am_rf_params *p = &F->f->p;
	size_t H = F->K ? F->K : 2, n = 0, top = 0, i, j, nf;
	int crit = F->K ? p->criterion : AM_RF_MSE;
	double w0;

	/* The sample: bootstrap counts times row weights. */
	if (p->bootstrap) {
		memset(s->sw, 0, F->rows * sizeof(*s->sw));
		for (i = 0; i < F->rows; i++)
			s->sw[am_rand_below(rng, F->rows)] += 1;
		for (i = 0; i < F->rows; i++)
			s->sw[i] *= F->rw[i];
	} else {
		memcpy(s->sw, F->rw, F->rows * sizeof(*s->sw));
	}
	for (i = 0; i < F->rows; i++)
		if (s->sw[i] > 0) {
			s->idx[n] = (uint32_t)i;
			if (F->K)
				s->pk[n] = (uint16_t)F->y[i];
			if (F->unit) {
				s->pc[n] = (uint32_t)s->sw[i];
			} else {
				s->pw[n] = s->sw[i];
				if (F->K == 0)
					s->py[n] = F->y[i];
			}
			n++;
			t->inbag[i / 64] |= (uint64_t)1 << (i % 64);
		}
	for (j = 0, nf = 0; j < F->nfeat; j++)
		if (F->nbin[j] > 1)
			s->pool[nf++] = (uint32_t)j;
	w0 = node_totals(F, s, 0, n, s->tot);
	if (add_node(t) != 0 ||
	    push(s, H, &top, 0, 0, n, 0, nf, 0, s->tot, w0) != 0)
		return -1;
	while (top > 0) {
		struct stack cur = s->st[--top];
		size_t lo = cur.lo, hi = cur.hi, cnt = hi - lo, visited = 0;
		double w = s->stot[top * (H + 1) + H], best = -HUGE_VAL, imp;
		float *nv = t->nval + (size_t)cur.node * t->nout;
		long bf = -1;
		int bb = 0;
		size_t fo, end;
		uint32_t *fl;

		memcpy(s->tot, s->stot + top * (H + 1), H * sizeof(*s->tot));
		imp = impurity(crit, s->tot, H, w);
		if (F->K == 0)
			nv[0] = (float)(w > 0 ? s->tot[0] / w : 0);
		else if (F->K == 2)
			nv[0] = (float)(w > 0 ? s->tot[1] / w : 0);
		else
			for (j = 0; j < F->K; j++)
				nv[j] = (float)(w > 0 ? s->tot[j] / w : 0);
		if (cur.depth > t->depth)
			t->depth = cur.depth;
		if (cnt < (size_t)p->min_split ||
		    cnt < 2 * (size_t)p->min_leaf ||
		    (p->max_depth > 0 && cur.depth >= p->max_depth) ||
		    imp <= 0 ||
		    (crit == AM_RF_MSE && imp <= 1e-12 * s->tot[1] / w)) {
			if (make_leaf(F, t, cur.node, s->tot, w) != 0)
				return -1;
			continue;
		}
		/*
		 * Candidates: a copy of the node's list on top of the pool.
		 * Features found constant here move past 'end' and leave the
		 * list the children inherit.
		 */
		fo = cur.foff + cur.flen;
		if (fo + cur.flen > s->pcap) {
			size_t cap = 2 * (fo + cur.flen);
			uint32_t *np = realloc(s->pool, cap * sizeof(*np));
			if (np == NULL)
				return -1;
			s->pool = np;
			s->pcap = cap;
		}
		fl = s->pool + fo;
		memcpy(fl, s->pool + cur.foff, cur.flen * sizeof(*fl));
		end = cur.flen;
		for (j = 0; j < end && visited < F->mtry;) {
			size_t r = j + (size_t)am_rand_below(rng, end - j);
			uint32_t f = fl[r], nb = (uint32_t)F->nbin[f];
			const uint8_t *col = F->bins + (size_t)f * F->rows;
			size_t b, nl = 0, k, u, q;
			double wl = 0;

			fl[r] = fl[j];
			fl[j] = f;
			u = histogram(F, s, col, lo, hi, nb);
			if (u < 2) { /* constant here: does not count */
				histogram_done(F, s, u, cnt, nb);
				fl[j] = fl[end - 1];
				fl[--end] = f;
				continue;
			}
			visited++;
			j++;
			memset(s->lft, 0, H * sizeof(*s->lft));
			/* The last bin holding rows splits nothing. */
			for (q = 0; q + 1 < u; q++) {
				double wr, sc;
				b = s->list[q];
				nl += s->hcnt[b];
				if (F->K) {
					for (k = 0; k < H; k++) {
						s->lft[k] += s->hist[b * H + k];
						wl += s->hist[b * H + k];
					}
				} else {
					s->lft[0] += s->hist[b * H];
					wl += s->hist[b * H + 1];
				}
				if (nl < (size_t)p->min_leaf)
					continue;
				if (cnt - nl < (size_t)p->min_leaf)
					break;
				wr = w - wl;
				if (!(wl > 0) || !(wr > 0))
					continue;
				for (k = 0; k < H; k++)
					s->rgt[k] = s->tot[k] - s->lft[k];
				sc = proxy(crit, s->lft, s->rgt, F->K ? H : 1,
				    wl, wr);
				if (sc > best) {
					best = sc;
					bf = (long)f;
					bb = (int)b;
					if (F->unit)
						memcpy(s->bl, s->lft,
						    H * sizeof(*s->bl));
				}
			}
			histogram_done(F, s, u, cnt, nb);
		}
		if (bf < 0) {
			if (make_leaf(F, t, cur.node, s->tot, w) != 0)
				return -1;
			continue;
		}
		{
			const uint8_t *col = F->bins + (size_t)bf * F->rows;
			size_t a = lo, z = hi, k;
			uint32_t left = (uint32_t)t->nn;
			double wl = 0, wr = 0, il, ir;

			while (a < z) {
				if (col[s->idx[a]] <= bb)
					a++;
				else
					swap_pos(F, s, a, --z);
			}
			if (F->unit) {
				/* Integer sums: the best split's, exactly. */
				for (k = 0; k < H; k++) {
					s->lft[k] = s->bl[k];
					s->rgt[k] = s->tot[k] - s->bl[k];
					wl += s->lft[k];
					wr += s->rgt[k];
				}
			} else {
				wl = node_totals(F, s, lo, a, s->lft);
				wr = node_totals(F, s, a, hi, s->rgt);
			}
			il = impurity(crit, s->lft, H, wl);
			ir = impurity(crit, s->rgt, H, wr);
			t->imp[bf] += w * imp - wl * il - wr * ir;
			if (add_node(t) != 0 || add_node(t) != 0)
				return -1;
			t->n[cur.node].feat = (uint32_t)bf;
			t->n[cur.node].left = left;
			t->n[cur.node].thr = F->edge[bf][bb];
			t->bthr[cur.node] = (uint8_t)bb;
			if (push(s, H, &top, left + 1, a, hi, fo, end,
			        cur.depth + 1, s->rgt, wr) != 0 ||
			    push(s, H, &top, left, lo, a, fo, end,
			        cur.depth + 1, s->lft, wl) != 0)
				return -1;
		}
	}
	return 0;
}

static void
scratch_release(struct scratch *s)
{
	free(s->idx);
	free(s->sw);
	free(s->pk);
	free(s->pc);
	free(s->pw);
	free(s->py);
	free(s->pool);
	free(s->hist);
	free(s->hcnt);
	free(s->ih);
	free(s->list);
	free(s->tot);
	free(s->st);
	free(s->stot);
}

uint64_t
am_rf_tree_seed(uint64_t seed, size_t i)
{
	unsigned char b[8];
	size_t k;

	for (k = 0; k < 8; k++)
		b[k] = (unsigned char)((uint64_t)i >> (8 * k));
	return am_hash64(b, sizeof(b), seed);
}

/* The leaf of tree 't' row 'r' falls in, feature 'pf' read from 'pr'. */
static const struct node *
walk_bins(const struct fit *F, const struct tree *t, size_t r, uint32_t pf,
    size_t pr)
{
	uint32_t id = 0;

	while (t->n[id].feat != LEAF) {
		uint32_t f = t->n[id].feat;
		uint8_t b = F->bins[(size_t)f * F->rows + (f == pf ? pr : r)];
		id = t->n[id].left + (b > t->bthr[id]);
	}
	return &t->n[id];
}

/*
 * The leaves of tree 't' for the 'm' <= LANES training rows 'r', read
 * from the bins: the rows go down together, a level at a time, so their
 * memory reads overlap.
 */
static void
walk_bins_lanes(const struct fit *F, const struct tree *t, const size_t *r,
    size_t m, const struct node **leaf)
{
	uint32_t id[LANES];
	size_t l;
	int more = 1;

	for (l = 0; l < m; l++)
		id[l] = 0;
	while (more) {
		more = 0;
		for (l = 0; l < m; l++) {
			const struct node *n = &t->n[id[l]];
			if (n->feat != LEAF) {
				uint8_t b =
				    F->bins[(size_t)n->feat * F->rows + r[l]];
				id[l] = n->left + (b > t->bthr[id[l]]);
				more = 1;
			}
		}
	}
	for (l = 0; l < m; l++)
		leaf[l] = &t->n[id[l]];
}

/* The tree's output for leaf 'n' into 'out' (nout values), added. */
static void
leaf_add(const struct am_rf *f, const struct tree *t, const struct node *n,
    double *out)
{
	size_t k;

	if (f->nclass > 2) {
		const double *v = t->val + (size_t)n->left * f->nclass;
		for (k = 0; k < f->nclass; k++)
			out[k] += v[k];
	} else {
		out[0] += n->thr;
	}
}

/* Predicted class from outputs (ties to the lower class). */
static size_t
argmax(const double *out, size_t nclass)
{
	size_t k, best = 0;

	if (nclass == 2)
		return out[0] > 0.5;
	for (k = 1; k < nclass; k++)
		if (out[k] > out[best])
			best = k;
	return best;
}

/* Permutation importance of the features tree 't' uses, out of bag. */
static int
permute_tree(const struct fit *F, struct tree *t, struct am_rand *rng)
{
	size_t i, n = 0, j, nout = F->nout;
	size_t *oob = malloc((F->rows + 1) * sizeof(*oob));
	size_t *perm = malloc((F->rows + 1) * sizeof(*perm));
	unsigned char *used = calloc(F->nfeat + 1, 1);
	double base = 0, *o = NULL;
	int rc = -1;

	if (oob == NULL || perm == NULL || used == NULL ||
	    (o = malloc((nout + 1) * sizeof(*o))) == NULL)
		goto out;
	for (i = 0; i < F->rows; i++)
		if (!(t->inbag[i / 64] >> (i % 64) & 1))
			oob[n++] = i;
	for (i = 0; i < t->nn; i++)
		if (t->n[i].feat != LEAF)
			used[t->n[i].feat] = 1;
	if (n == 0) {
		rc = 0;
		goto out;
	}
#define ERR(row, pf, pr)                                          \
	(memset(o, 0, nout * sizeof(*o)),                         \
	    leaf_add(F->f, t, walk_bins(F, t, row, pf, pr), o),   \
	    F->K ? (double)(argmax(o, F->K) != (size_t)F->y[row]) \
	         : (o[0] - F->y[row]) * (o[0] - F->y[row]))
	for (i = 0; i < n; i++)
		base += ERR(oob[i], LEAF, 0);
	for (j = 0; j < F->nfeat; j++) {
		double e = 0;
		if (!used[j])
			continue;
		memcpy(perm, oob, n * sizeof(*perm));
		am_rand_shuffle(rng, perm, n);
		for (i = 0; i < n; i++)
			e += ERR(oob[i], (uint32_t)j, perm[i]);
		t->perm[j] = (e - base) / (double)n;
	}
#undef ERR
	rc = 0;
out:
	free(oob);
	free(perm);
	free(used);
	free(o);
	return rc;
}

static void
tree_task(void *arg, size_t i)
{
	const struct fit *F = arg;
	struct tree *t = &F->f->t[i];
	struct scratch s = { 0 };
	struct am_rand rng;
	size_t H = F->K ? F->K : 2;

	am_rand_seed(&rng, am_rf_tree_seed(F->f->p.seed, F->first + i));
	t->nout = F->nout;
	s.idx = malloc((F->rows + 1) * sizeof(*s.idx));
	s.sw = malloc((F->rows + 1) * sizeof(*s.sw));
	s.pk = malloc((F->rows + 1) * sizeof(*s.pk));
	if (F->unit) {
		s.pc = malloc((F->rows + 1) * sizeof(*s.pc));
		s.ih = calloc((size_t)(F->K <= 8 ? NCOPY : 1) * MAXBIN *
		        (F->K + 1),
		    sizeof(*s.ih));
	} else {
		s.pw = malloc((F->rows + 1) * sizeof(*s.pw));
		s.py = malloc((F->rows + 1) * sizeof(*s.py));
	}
	s.pcap = 4 * F->nfeat + 16;
	s.pool = malloc(s.pcap * sizeof(*s.pool));
	s.hist = malloc(MAXBIN * H * sizeof(*s.hist));
	s.hcnt = calloc(MAXBIN, sizeof(*s.hcnt));
	s.list = malloc(MAXBIN);
	s.tot = malloc(4 * H * sizeof(*s.tot));
	t->inbag = calloc(F->rows / 64 + 1, sizeof(*t->inbag));
	t->imp = calloc(F->nfeat + 1, sizeof(*t->imp));
	if (F->f->p.permutation)
		t->perm = calloc(F->nfeat + 1, sizeof(*t->perm));
	if (s.idx == NULL || s.sw == NULL || s.pk == NULL ||
	    (F->unit ? s.pc == NULL || s.ih == NULL
	             : s.pw == NULL || s.py == NULL) ||
	    s.pool == NULL || s.hist == NULL || s.hcnt == NULL ||
	    s.list == NULL || s.tot == NULL || t->inbag == NULL ||
	    t->imp == NULL || (F->f->p.permutation && t->perm == NULL)) {
		t->fail = 1;
		goto out;
	}
	s.lft = s.tot + H;
	s.rgt = s.tot + 2 * H;
	s.bl = s.tot + 3 * H;
	if (grow(F, t, &s, &rng) != 0) {
		t->fail = 1;
		goto out;
	}
	if (F->f->p.permutation && F->f->p.bootstrap &&
	    permute_tree(F, t, &rng) != 0)
		t->fail = 1;
out:
	scratch_release(&s);
	if (F->f->p.progress != NULL)
		F->f->p.progress(F->f->p.ctx, atomic_fetch_add(F->done, 1) + 1,
		    (int)F->f->ntrees);
}

/*
 * Out-of-bag predictions of the rows in block 'task', OOBROWS rows at a
 * time, tree by tree (one tree stays in cache while it serves them):
 * each row still adds its trees in tree order.
 */
static void
oob_task(void *arg, size_t task)
{
	const struct fit *F = arg;
	struct am_rf *f = F->f;
	size_t per = (F->rows + OOBTASKS - 1) / OOBTASKS, r, i, k, b0, b1;
	size_t lo = task * per, hi = lo + per < F->rows ? lo + per : F->rows;
	uint32_t c[OOBROWS];

	for (b0 = lo; b0 < hi; b0 = b1) {
		b1 = b0 + OOBROWS < hi ? b0 + OOBROWS : hi;
		memset(f->oob + b0 * F->nout, 0,
		    (b1 - b0) * F->nout * sizeof(double));
		memset(c, 0, sizeof(c));
		for (i = 0; i < f->ntrees; i++) {
			const struct tree *t = &f->t[i];
			const struct node *leaf[LANES];
			size_t rl[LANES], m = 0, l;
			for (r = b0; r < b1; r++) {
				if (!(t->inbag[r / 64] >> (r % 64) & 1))
					rl[m++] = r;
				if (m < LANES && !(r + 1 == b1 && m > 0))
					continue;
				walk_bins_lanes(F, t, rl, m, leaf);
				for (l = 0; l < m; l++) {
					leaf_add(f, t, leaf[l],
					    f->oob + rl[l] * F->nout);
					c[rl[l] - b0]++;
				}
				m = 0;
			}
		}
		for (r = b0; r < b1; r++) {
			double *o = f->oob + r * F->nout;
			for (k = 0; k < F->nout; k++)
				o[k] = c[r - b0] > 0 ? o[k] / (double)c[r - b0]
				                     : (double)NAN;
		}
	}
}

/* Score the out-of-bag predictions: accuracy or R^2, and binary AUC. */
static int
oob_score(const struct fit *F, struct am_err *err)
{
	struct am_rf *f = F->f;
	unsigned char *yb = NULL;
	double *sc = NULL, good = 0, mean = 0, sse = 0, sst = 0;
	size_t r, n = 0;
	int rc = 0;

	for (r = 0; r < F->rows; r++) {
		const double *o = f->oob + r * F->nout;
		if (isnan(o[0]))
			continue;
		n++;
		if (F->K)
			good += argmax(o, F->K) == (size_t)F->y[r];
		else
			mean += F->y[r];
	}
	f->oob_rows = n;
	if (n == 0)
		return 0;
	if (F->K) {
		f->oob_score = good / (double)n;
	} else {
		mean /= (double)n;
		for (r = 0; r < F->rows; r++) {
			const double *o = f->oob + r * F->nout;
			if (isnan(o[0]))
				continue;
			sse += (o[0] - F->y[r]) * (o[0] - F->y[r]);
			sst += (F->y[r] - mean) * (F->y[r] - mean);
		}
		f->oob_score = sst > 0 ? 1 - sse / sst : (double)NAN;
	}
	if (F->K != 2)
		return 0;
	yb = malloc(n + 1);
	sc = malloc((n + 1) * sizeof(*sc));
	if (yb == NULL || sc == NULL) {
		rc = am_seterr(err, AM_ENOMEM, "out of memory");
		goto out;
	}
	for (r = 0, n = 0; r < F->rows; r++) {
		if (isnan(f->oob[r]))
			continue;
		yb[n] = F->y[r] == 1;
		sc[n++] = f->oob[r];
	}
	for (r = 0; r < n && yb[r] == yb[0]; r++)
		;
	if (r < n && am_metrics_auc(yb, sc, NULL, n, &f->oob_auc, err) != 0)
		rc = err != NULL ? err->code : AM_ENOMEM;
out:
	free(yb);
	free(sc);
	return rc;
}

static int
check_params(const struct am_rf_params *p, size_t nclass, struct am_err *err)
{
	if (p->ntrees < 1 || p->ntrees > 100000)
		return am_seterr(err, AM_EARG,
		    "--trees: %d is not in [1, 100000]", p->ntrees);
	if (p->min_leaf < 1)
		return am_seterr(err, AM_EARG, "--min-leaf: %d is below 1",
		    p->min_leaf);
	if (p->min_split < 2)
		return am_seterr(err, AM_EARG, "--min-split: %d is below 2",
		    p->min_split);
	if (p->max_depth < 0)
		return am_seterr(err, AM_EARG, "--max-depth: %d is negative",
		    p->max_depth);
	if (!(p->max_feat >= 0 || p->max_feat == AM_RF_LOG2) ||
	    !isfinite(p->max_feat))
		return am_seterr(err, AM_EARG,
		    "--max-features: %g is not a fraction or a count",
		    p->max_feat);
	if (nclass > 0 && p->criterion == AM_RF_MSE)
		return am_seterr(err, AM_EARG,
		    "--criterion: mse is for a numeric target");
	if (nclass == 0 && p->criterion != AM_RF_MSE &&
	    p->criterion != AM_RF_GINI)
		return am_seterr(err, AM_EARG,
		    "--criterion: gini and entropy are for a categorical target");
	return 0;
}

/* am_rf_fit() whose trees are numbered from 'first'. */
static struct am_rf *
fit_forest(const struct am_csr *x, size_t nfeat, const double *y,
    const double *w, size_t nclass, const double *cost,
    const struct am_rf_params *p, size_t first, struct am_err *err)
{
	struct fit F = { 0 };
	atomic_int done = 0;
	struct am_rf *f = NULL;
	struct am_pool *pool = NULL;
	uint8_t *bins = NULL;
	double **edge = NULL, *rw = NULL, sum;
	int *nbin = NULL;
	size_t i, j, rows = x->rows;

	if (check_params(p, nclass, err) != 0)
		return NULL;
	if (nclass > UINT16_MAX) {
		am_seterr(err, AM_EARG, "rf: %zu classes is above %d", nclass,
		    UINT16_MAX);
		return NULL;
	}
	if (rows == 0 || rows >= UINT32_MAX || nfeat >= UINT32_MAX ||
	    (nfeat > 0 && rows > SIZE_MAX / nfeat)) {
		am_seterr(err, AM_EARG, "rf: %zu rows is out of range", rows);
		return NULL;
	}
	if ((f = calloc(1, sizeof(*f))) == NULL)
		goto nomem;
	f->nfeat = nfeat;
	f->nclass = nclass;
	f->p = *p;
	f->rows = rows;
	f->grown = first + (size_t)p->ntrees;
	f->seen = (double)rows;
	f->oob_score = f->oob_auc = (double)NAN;
	if (!p->bootstrap) {
		f->p.oob = 0;
		f->p.permutation = 0;
	}
	if (f->p.permutation)
		f->p.oob = 1;
	f->t = calloc((size_t)p->ntrees, sizeof(*f->t));
	f->imp = calloc(nfeat + 1, sizeof(*f->imp));
	if (f->t == NULL || f->imp == NULL)
		goto nomem;
	f->ntrees = (size_t)p->ntrees;
	bins = malloc(nfeat * rows + 1);
	edge = calloc(nfeat + 1, sizeof(*edge));
	nbin = calloc(nfeat + 1, sizeof(*nbin));
	rw = malloc(rows * sizeof(*rw));
	if (bins == NULL || edge == NULL || nbin == NULL || rw == NULL)
		goto nomem;
	F.unit = nclass > 0;
	for (i = 0; i < rows; i++) {
		rw[i] = (w != NULL ? w[i] : 1) *
		    (nclass > 0 && cost != NULL ? cost[(size_t)y[i]] : 1);
		if (rw[i] != 1)
			F.unit = 0;
	}
	if ((pool = am_pool_new(p->threads, err)) == NULL)
		goto fail;
	if (bin_features(x, nfeat, bins, edge, nbin, pool) != 0)
		goto nomem;
	F.f = f;
	F.done = &done;
	F.bins = bins;
	F.edge = (const double *const *)edge;
	F.nbin = nbin;
	F.y = y;
	F.rw = rw;
	F.rows = rows;
	F.nfeat = nfeat;
	F.K = nclass;
	F.nout = nout_of(nclass);
	F.first = first;
	if (p->max_feat == 0)
		F.mtry = nclass > 0 ? (size_t)sqrt((double)nfeat) : nfeat;
	else if (p->max_feat == AM_RF_LOG2)
		F.mtry = (size_t)log2((double)nfeat);
	else if (p->max_feat < 1)
		F.mtry = (size_t)(p->max_feat * (double)nfeat);
	else
		F.mtry = (size_t)p->max_feat;
	if (F.mtry < 1)
		F.mtry = 1;
	if (F.mtry > nfeat)
		F.mtry = nfeat;
	am_pool_run(pool, f->ntrees, tree_task, &F);
	for (i = 0; i < f->ntrees; i++)
		if (f->t[i].fail)
			goto nomem;
	/* Impurity importances: per tree normalised, averaged, in order. */
	for (i = 0; i < f->ntrees; i++) {
		for (j = 0, sum = 0; j < nfeat; j++)
			sum += f->t[i].imp[j];
		for (j = 0; j < nfeat && sum > 0; j++)
			f->imp[j] += f->t[i].imp[j] / sum;
	}
	for (j = 0, sum = 0; j < nfeat; j++)
		sum += f->imp[j];
	for (j = 0; j < nfeat && sum > 0; j++)
		f->imp[j] /= sum;
	if (f->p.permutation) {
		if ((f->imp_perm = calloc(nfeat + 1, sizeof(double))) == NULL)
			goto nomem;
		for (i = 0; i < f->ntrees; i++)
			for (j = 0; j < nfeat; j++)
				f->imp_perm[j] +=
				    f->t[i].perm[j] / (double)f->ntrees;
	}
	if (f->p.oob) {
		if ((f->oob = malloc(rows * F.nout * sizeof(double))) == NULL)
			goto nomem;
		am_pool_run(pool, OOBTASKS, oob_task, &F);
		if (oob_score(&F, err) != 0)
			goto fail;
	}
	for (i = 0; i < f->ntrees; i++) {
		struct tree *t = &f->t[i];
		free(t->bthr);
		free(t->inbag);
		free(t->imp);
		free(t->perm);
		t->bthr = NULL;
		t->inbag = NULL;
		t->imp = t->perm = NULL;
	}
	goto out;
nomem:
	am_seterr(err, AM_ENOMEM, "out of memory");
fail:
	am_rf_free(f);
	f = NULL;
out:
	am_pool_free(pool);
	for (j = 0; edge != NULL && j < nfeat; j++)
		free(edge[j]);
	free(edge);
	free(nbin);
	free(bins);
	free(rw);
	return f;
}

struct am_rf *
am_rf_fit(const struct am_csr *x, size_t nfeat, const double *y,
    const double *w, size_t nclass, const double *cost,
    const struct am_rf_params *p, struct am_err *err)
{
	struct am_rf_params q = *p;

	if (q.ntrees == 0)
		q.ntrees = 100;
	return fit_forest(x, nfeat, y, w, nclass, cost, &q, 0, err);
}

/* A deep copy of tree 's' into 'd' (zeroed); 0 or AM_ENOMEM. */
static int
tree_copy(struct tree *d, const struct tree *s)
{
	d->n = malloc((s->nn + 1) * sizeof(*d->n));
	d->val = malloc((s->nv + 1) * sizeof(*d->val));
	d->nval = malloc((s->nn * s->nout + 1) * sizeof(*d->nval));
	if (d->n == NULL || d->val == NULL || d->nval == NULL)
		return AM_ENOMEM;
	memcpy(d->n, s->n, s->nn * sizeof(*d->n));
	if (s->nv > 0)
		memcpy(d->val, s->val, s->nv * sizeof(*d->val));
	memcpy(d->nval, s->nval, s->nn * s->nout * sizeof(*d->nval));
	d->nn = d->cap = s->nn;
	d->nv = d->vcap = s->nv;
	d->nout = s->nout;
	d->depth = s->depth;
	return 0;
}

int
am_rf_update(struct am_rf *f, const struct am_csr *x, const double *y,
    const double *w, const double *cost, const struct am_rf_params *p,
    struct am_err *err)
{
	struct am_rf_params q = f->p;
	struct am_rf *g;
	struct tree *t;
	size_t i, keep, drop, total;
	double n;

	if (p->ntrees > 0) {
		q.ntrees = p->ntrees;
	} else {
		n = (double)f->ntrees * (double)x->rows /
		    (f->seen >= 1 ? f->seen : 1);
		q.ntrees = n < 1 ? 1 : n > 100000 ? 100000 : (int)lround(n);
	}
	if (p->max_trees < 0)
		return am_seterr(err, AM_EARG, "--max-trees: %d is negative",
		    p->max_trees);
	q.oob = p->oob;
	q.permutation = p->permutation;
	q.threads = p->threads;
	q.progress = p->progress;
	q.ctx = p->ctx;
	q.max_trees = p->max_trees;
	total = f->ntrees + (size_t)q.ntrees;
	keep = p->max_trees > 0 && total > (size_t)p->max_trees
	    ? (size_t)p->max_trees
	    : total;
	if (keep > 100000)
		return am_seterr(err, AM_EARG,
		    "rf: %zu trees is above 100000 (use --max-trees)", keep);
	if ((g = fit_forest(x, f->nfeat, y, w, f->nclass, cost, &q, f->grown,
	         err)) == NULL)
		return err != NULL && err->code != 0 ? err->code : AM_ENOMEM;
	if ((t = calloc(keep, sizeof(*t))) == NULL) {
		am_rf_free(g);
		return am_seterr(err, AM_ENOMEM, "out of memory");
	}
	/* The newest 'keep' of old and new trees, oldest first. */
	drop = total - keep;
	for (i = 0; i < f->ntrees; i++)
		if (i < drop)
			tree_release(&f->t[i]);
		else
			t[i - drop] = f->t[i];
	for (i = 0; i < g->ntrees; i++)
		if (f->ntrees + i < drop)
			tree_release(&g->t[i]);
		else
			t[f->ntrees + i - drop] = g->t[i];
	free(f->t);
	f->t = t;
	f->ntrees = keep;
	g->ntrees = 0; /* its trees moved to f */
	/* What the fit measured is the new trees'. */
	free(f->imp);
	free(f->imp_perm);
	free(f->oob);
	f->imp = g->imp;
	f->imp_perm = g->imp_perm;
	f->oob = g->oob;
	g->imp = g->imp_perm = g->oob = NULL;
	f->rows = g->rows;
	f->oob_rows = g->oob_rows;
	f->oob_score = g->oob_score;
	f->oob_auc = g->oob_auc;
	f->grown = g->grown;
	f->seen += g->seen;
	f->p.oob = g->p.oob;
	f->p.permutation = g->p.permutation;
	f->p.ntrees = (int)keep;
	am_rf_free(g);
	return 0;
}

struct am_rf *
am_rf_merge(const struct am_rf *const *src, size_t n, struct am_err *err)
{
	struct am_rf *f;
	size_t i, j, nt = 0, k = 0;

	for (i = 0; i < n; i++) {
		if (src[i]->nfeat != src[0]->nfeat ||
		    src[i]->nclass != src[0]->nclass) {
			am_seterr(err, AM_EMODEL,
			    "forest %zu has other features or classes", i + 1);
			return NULL;
		}
		nt += src[i]->ntrees;
	}
	if (n == 0 || nt > 100000) {
		am_seterr(err, AM_EARG, "rf: %zu trees is not in [1, 100000]",
		    nt);
		return NULL;
	}
	if ((f = calloc(1, sizeof(*f))) == NULL ||
	    (f->t = calloc(nt, sizeof(*f->t))) == NULL ||
	    (f->imp = calloc(src[0]->nfeat + 1, sizeof(*f->imp))) == NULL)
		goto nomem;
	f->nfeat = src[0]->nfeat;
	f->nclass = src[0]->nclass;
	f->p = src[0]->p;
	f->p.oob = f->p.permutation = 0;
	f->p.ntrees = (int)nt;
	f->oob_score = f->oob_auc = (double)NAN;
	for (i = 0; i < n; i++) {
		f->grown += src[i]->grown;
		f->seen += src[i]->seen;
		for (j = 0; j < src[i]->ntrees; j++, k++) {
			f->ntrees = k + 1;
			if (tree_copy(&f->t[k], &src[i]->t[j]) != 0)
				goto nomem;
		}
	}
	return f;
nomem:
	am_rf_free(f);
	am_seterr(err, AM_ENOMEM, "out of memory");
	return NULL;
}

/*
 * The leaves of the 'm' <= LANES trees 't' for the dense row 'x' into
 * 'leaf': the trees are walked together, a level at a time, so the
 * memory reads of their nodes overlap instead of waiting one by one.
 */
static void
walk_lanes(const struct tree *t, size_t m, const double *x,
    const struct node **leaf)
{
	size_t l;
	int more = 1;

	for (l = 0; l < m; l++)
		leaf[l] = t[l].n;
	while (more) {
		more = 0;
		for (l = 0; l < m; l++) {
			const struct node *n = leaf[l];
			if (n->feat != LEAF) {
				leaf[l] =
				    t[l].n + n->left + !(x[n->feat] <= n->thr);
				more = 1;
			}
		}
	}
}

/* Leaf of tree 't' for a sparse row, looking features up by a scan. */
static const struct node *
walk_sparse(const struct tree *t, size_t nnz, const uint32_t *idx,
    const double *val)
{
	uint32_t id = 0;
	size_t k;

	while (t->n[id].feat != LEAF) {
		double v = 0;
		for (k = 0; k < nnz; k++)
			if (idx[k] == t->n[id].feat) {
				v = val[k];
				break;
			}
		id = t->n[id].left + !(v <= t->n[id].thr);
	}
	return &t->n[id];
}

#define STACKFEAT 512

void
am_rf_predict(const struct am_rf *f, size_t nnz, const uint32_t *idx,
    const double *val, double *out)
{
	double stack[STACKFEAT], *x = stack;
	size_t i, k, nout = nout_of(f->nclass);

	if (f->nfeat > STACKFEAT)
		x = calloc(f->nfeat, sizeof(*x));
	else
		memset(stack, 0, f->nfeat * sizeof(*stack));
	memset(out, 0, nout * sizeof(*out));
	if (x != NULL)
		for (k = 0; k < nnz; k++)
			if (idx[k] < f->nfeat)
				x[idx[k]] = val[k];
	for (i = 0; i < f->ntrees && x != NULL; i += LANES) {
		const struct node *n[LANES];
		size_t l, m = f->ntrees - i < LANES ? f->ntrees - i : LANES;
		walk_lanes(f->t + i, m, x, n);
		for (l = 0; l < m; l++)
			leaf_add(f, &f->t[i + l], n[l], out);
	}
	for (i = 0; i < f->ntrees && x == NULL; i++)
		leaf_add(f, &f->t[i], walk_sparse(&f->t[i], nnz, idx, val),
		    out);
	for (k = 0; k < nout; k++)
		out[k] /= (double)f->ntrees;
	if (x != stack)
		free(x);
}

void
am_rf_predict_tree(const struct am_rf *f, size_t i, size_t nnz,
    const uint32_t *idx, const double *val, double *out)
{
	memset(out, 0, nout_of(f->nclass) * sizeof(*out));
	leaf_add(f, &f->t[i], walk_sparse(&f->t[i], nnz, idx, val), out);
}

void
am_rf_explain(const struct am_rf *f, size_t nnz, const uint32_t *idx,
    const double *val, size_t k, double *contrib)
{
	double stack[STACKFEAT], *x = stack, *c = contrib;
	size_t i, kk, nt = f->ntrees;

	if (f->nfeat > STACKFEAT && (x = calloc(f->nfeat, sizeof(*x))) == NULL)
		return;
	if (x == stack)
		memset(stack, 0, f->nfeat * sizeof(*stack));
	for (kk = 0; kk < nnz; kk++)
		if (idx[kk] < f->nfeat)
			x[idx[kk]] = val[kk];
	if (f->nclass <= 2)
		k = 0;
	for (i = 0; i < nt; i++) {
		const struct tree *t = &f->t[i];
		uint32_t id = 0;
		c[f->nfeat] += (double)t->nval[k] / (double)nt;
		while (t->n[id].feat != LEAF) {
			uint32_t ch =
			    t->n[id].left + !(x[t->n[id].feat] <= t->n[id].thr);
			c[t->n[id].feat] +=
			    ((double)t->nval[ch * t->nout + k] -
			        (double)t->nval[id * t->nout + k]) /
			    (double)nt;
			id = ch;
		}
	}
	if (x != stack)
		free(x);
}

void
am_rf_info(const struct am_rf *f, struct am_rf_info *info)
{
	size_t i, j;

	memset(info, 0, sizeof(*info));
	info->ntrees = f->ntrees;
	info->grown = f->grown;
	info->seen = f->seen;
	for (i = 0; i < f->ntrees; i++) {
		info->nodes += f->t[i].nn;
		for (j = 0; j < f->t[i].nn; j++)
			info->leaves += f->t[i].n[j].feat == LEAF;
		if (f->t[i].depth > info->max_depth)
			info->max_depth = f->t[i].depth;
	}
	info->oob_score = f->oob_score;
	info->oob_auc = f->oob_auc;
	info->oob_rows = f->oob_rows;
	info->imp_impurity = f->imp;
	info->imp_perm = f->imp_perm;
}

int
am_rf_oob_row(const struct am_rf *f, size_t i, double *out)
{
	size_t k, nout = nout_of(f->nclass);

	if (f->oob == NULL || i >= f->rows || isnan(f->oob[i * nout]))
		return -1;
	for (k = 0; k < nout; k++)
		out[k] = f->oob[i * nout + k];
	return 0;
}

void
am_rf_encode(const struct am_rf *f, struct am_buf *b)
{
	size_t i, j;

	am_buf_u32(b, VERSION);
	am_buf_u64(b, f->nfeat);
	am_buf_u32(b, (uint32_t)f->nclass);
	am_buf_u32(b, (uint32_t)f->ntrees);
	/* Version 2: what an update needs, the forest's own parameters. */
	am_buf_u64(b, f->p.seed);
	am_buf_u64(b, f->grown);
	am_buf_f64(b, f->seen);
	am_buf_u32(b, (uint32_t)f->p.max_depth);
	am_buf_u32(b, (uint32_t)f->p.min_leaf);
	am_buf_u32(b, (uint32_t)f->p.min_split);
	am_buf_f64(b, f->p.max_feat);
	am_buf_u32(b, (uint32_t)f->p.criterion);
	am_buf_u32(b, (uint32_t)f->p.bootstrap);
	for (i = 0; i < f->ntrees; i++) {
		const struct tree *t = &f->t[i];
		am_buf_u32(b, (uint32_t)t->nn);
		am_buf_u32(b, (uint32_t)t->depth);
		for (j = 0; j < t->nn; j++) {
			am_buf_u32(b, t->n[j].feat);
			am_buf_u32(b, t->n[j].left);
			am_buf_f64(b, t->n[j].thr);
		}
		if (f->nclass > 2) {
			am_buf_u32(b, (uint32_t)(t->nv / f->nclass));
			am_buf_f64s(b, t->val, t->nv);
		}
		for (j = 0; j < t->nn * t->nout; j++) {
			uint32_t u;
			memcpy(&u, &t->nval[j], sizeof(u));
			am_buf_u32(b, u);
		}
	}
}

static int
bad(struct am_err *err, const char *what, size_t tree)
{
	return am_seterr(err, AM_EFORMAT, "'rf' section: tree %zu: %s",
	    tree + 1, what);
}

/* Read tree 'i' of 'f' from 'r'; 0 or an AM_E* code. */
static int
decode_tree(struct am_rf *f, size_t i, struct am_rd *r, struct am_err *err)
{
	struct tree *t = &f->t[i];
	size_t j, nn = am_rd_u32(r), nleaf = 0;

	t->depth = (int)am_rd_u32(r);
	if (am_rd_error(r) || nn == 0 || nn > am_rd_left(r) / 16 ||
	    t->depth < 0)
		return bad(err, "truncated", i);
	if ((t->n = malloc(nn * sizeof(*t->n))) == NULL)
		return am_seterr(err, AM_ENOMEM, "out of memory");
	t->nn = t->cap = nn;
	for (j = 0; j < nn; j++) {
		struct node *n = &t->n[j];
		n->feat = am_rd_u32(r);
		n->left = am_rd_u32(r);
		n->thr = am_rd_f64(r);
		if (n->feat == LEAF) {
			if (f->nclass == 2 && !(n->thr >= 0 && n->thr <= 1))
				return bad(err, "leaf value out of [0, 1]", i);
			if (!isfinite(n->thr))
				return bad(err, "leaf value not finite", i);
			if (f->nclass > 2 && n->left > nn)
				return bad(err, "leaf slot out of range", i);
			nleaf++;
		} else if (n->feat >= f->nfeat || n->left <= j ||
		    (size_t)n->left + 1 >= nn || isnan(n->thr)) {
			return bad(err, "node out of range", i);
		}
	}
	if (f->nclass > 2) {
		size_t nv = am_rd_u32(r);
		if (am_rd_error(r) || nv > nleaf ||
		    nv > am_rd_left(r) / 8 / f->nclass)
			return bad(err, "truncated", i);
		t->nv = t->vcap = nv * f->nclass;
		if ((t->val = malloc((t->nv + 1) * sizeof(*t->val))) == NULL)
			return am_seterr(err, AM_ENOMEM, "out of memory");
		am_rd_f64s(r, t->val, t->nv);
		for (j = 0; j < t->nv; j++)
			if (!(t->val[j] >= 0 && t->val[j] <= 1))
				return bad(err,
				    "class probability out of range", i);
		for (j = 0; j < nn; j++)
			if (t->n[j].feat == LEAF && t->n[j].left >= nv)
				return bad(err, "leaf slot out of range", i);
	}
	t->nout = f->nclass > 2 ? f->nclass : 1;
	if (nn > am_rd_left(r) / 4 / t->nout)
		return bad(err, "truncated", i);
	if ((t->nval = malloc(nn * t->nout * sizeof(*t->nval))) == NULL)
		return am_seterr(err, AM_ENOMEM, "out of memory");
	for (j = 0; j < nn * t->nout; j++) {
		uint32_t u = am_rd_u32(r);
		memcpy(&t->nval[j], &u, sizeof(u));
		if (!isfinite(t->nval[j]))
			return bad(err, "node value not finite", i);
	}
	return am_rd_error(r) ? bad(err, "truncated", i) : 0;
}

struct am_rf *
am_rf_decode(const void *data, size_t len, size_t nfeat, size_t nclass,
    struct am_err *err)
{
	struct am_rf_params dp = AM_RF_PARAMS_INIT;
	struct am_rf *f;
	struct am_rd r;
	size_t i, nt;
	uint64_t nf;
	uint32_t version;

	am_rd_init(&r, data, len);
	if ((version = am_rd_u32(&r)) != VERSION && version != 1) {
		am_seterr(err, AM_EFORMAT, "'rf' section: unknown version");
		return NULL;
	}
	nf = am_rd_u64(&r);
	if (am_rd_error(&r) || nf != nfeat || am_rd_u32(&r) != nclass) {
		am_seterr(err, AM_EFORMAT,
		    "'rf' section does not match the model's %zu features",
		    nfeat);
		return NULL;
	}
	nt = am_rd_u32(&r);
	if (am_rd_error(&r) || nt == 0 || nt > am_rd_left(&r) / 24) {
		am_seterr(err, AM_EFORMAT, "'rf' section: bad tree count");
		return NULL;
	}
	if ((f = calloc(1, sizeof(*f))) == NULL ||
	    (f->t = calloc(nt, sizeof(*f->t))) == NULL) {
		free(f);
		am_seterr(err, AM_ENOMEM, "out of memory");
		return NULL;
	}
	f->nfeat = nfeat;
	f->nclass = nclass;
	f->ntrees = nt;
	f->oob_score = f->oob_auc = (double)NAN;
	f->p = dp;
	f->p.ntrees = (int)nt;
	f->grown = nt;
	if (version >= 2) {
		f->p.seed = am_rd_u64(&r);
		f->grown = (size_t)am_rd_u64(&r);
		f->seen = am_rd_f64(&r);
		f->p.max_depth = (int)am_rd_u32(&r);
		f->p.min_leaf = (int)am_rd_u32(&r);
		f->p.min_split = (int)am_rd_u32(&r);
		f->p.max_feat = am_rd_f64(&r);
		f->p.criterion = (int)am_rd_u32(&r);
		f->p.bootstrap = (int)am_rd_u32(&r);
		if (am_rd_error(&r) || f->grown < nt || !(f->seen >= 0) ||
		    check_params(&f->p, nclass, NULL) != 0 ||
		    f->p.criterion < 0 || f->p.criterion > AM_RF_MSE ||
		    f->p.bootstrap < 0 || f->p.bootstrap > 1) {
			am_seterr(err, AM_EFORMAT,
			    "'rf' section: bad parameters");
			goto fail;
		}
	} else if (nclass == 0) {
		f->p.criterion = AM_RF_MSE;
	}
	for (i = 0; i < nt; i++)
		if (decode_tree(f, i, &r, err) != 0)
			goto fail;
	if (am_rd_left(&r) != 0) {
		am_seterr(err, AM_EFORMAT, "'rf' section: trailing bytes");
		goto fail;
	}
	return f;
fail:
	am_rf_free(f);
	return NULL;
}

/* The model interface: the state is the forest. */

static void
rf_free(void *state)
{
	am_rf_free(state);
}

/* The class costs of this run into '*cost' (NULL for a regressor). */
static int
rf_costs(struct am_model *m, const struct am_table *t,
    const struct am_model_params *p, double **cost, struct am_err *err)
{
	size_t nc = t->schema.nclass;

	*cost = NULL;
	if (nc > 0) {
		if ((*cost = malloc(nc * sizeof(**cost))) == NULL)
			return am_seterr(err, AM_ENOMEM, "out of memory");
		if (am_model_class_costs(m, t, p, *cost, err) != 0) {
			free(*cost);
			*cost = NULL;
			return err != NULL ? err->code : AM_EARG;
		}
	} else if (p->ncw > 0 || p->balanced) {
		return am_seterr(err, AM_EARG,
		    "rf: class weights need a categorical target");
	}
	return 0;
}

static int
rf_fit(struct am_model *m, const struct am_table *t,
    const struct am_model_params *p, struct am_err *err)
{
	struct am_rf_params rp = AM_RF_PARAMS_INIT;
	size_t nc = t->schema.nclass;
	double *cost = NULL;
	struct am_rf *f;
	int rc;

	if (p->rf != NULL)
		rp = *p->rf;
	rp.seed = p->seed;
	rp.threads = p->threads;
	if (nc == 0 && p->rf == NULL)
		rp.criterion = AM_RF_MSE;
	if ((rc = rf_costs(m, t, p, &cost, err)) != 0)
		return rc;
	f = am_rf_fit(&t->x, t->schema.nfeat, t->y, t->w, nc, cost, &rp, err);
	free(cost);
	if (f == NULL)
		return err != NULL && err->code != 0 ? err->code : AM_ENOMEM;
	am_model_set_state(m, f);
	return 0;
}

/*
 * --update: grow trees on the new rows (p->rf: --trees, --max-trees,
 * --permutation-importance; the rest is the forest's own).
 */
static int
rf_update(struct am_model *m, const struct am_table *t,
    const struct am_model_params *p, struct am_err *err)
{
	struct am_rf_params rp = AM_RF_PARAMS_INIT;
	double *cost = NULL;
	int rc;

	if (p->rf != NULL)
		rp = *p->rf;
	else
		rp.ntrees = 0;
	rp.threads = p->threads;
	if ((rc = rf_costs(m, t, p, &cost, err)) != 0)
		return rc;
	rc = am_rf_update(am_model_state(m), &t->x, t->y, t->w, cost, &rp, err);
	free(cost);
	return rc;
}

/* Merge: the union of the shards' trees (the weights are unused). */
static int
rf_merge(struct am_model *m, const struct am_model *const *src, const double *w,
    size_t n, struct am_err *err)
{
	const struct am_rf **f;
	struct am_rf *g;
	size_t i;

	(void)w;
	if ((f = calloc(n, sizeof(*f))) == NULL)
		return am_seterr(err, AM_ENOMEM, "out of memory");
	for (i = 0; i < n; i++)
		f[i] = am_model_state(src[i]);
	g = am_rf_merge((const struct am_rf *const *)f, n, err);
	free(f);
	if (g == NULL)
		return err != NULL && err->code != 0 ? err->code : AM_ENOMEM;
	am_model_set_state(m, g);
	return 0;
}

static void
rf_predict(const struct am_model *m, size_t nnz, const uint32_t *idx,
    const double *val, double *out)
{
	const struct am_rf *f = am_model_state(m);

	am_rf_predict(f, nnz, idx, val, out);
	if (f->nclass == 2 && am_model_positive(m) == 0)
		out[0] = 1 - out[0];
}

static int
rf_explain(const struct am_model *m, size_t nnz, const uint32_t *idx,
    const double *val, size_t cls, double *contrib)
{
	const struct am_rf *f = am_model_state(m);
	size_t j;

	am_rf_explain(f, nnz, idx, val, cls, contrib);
	if (f->nclass == 2 && cls == 0) /* P(class 0) = 1 - P(class 1) */
		for (j = 0; j <= f->nfeat; j++)
			contrib[j] = (j == f->nfeat ? 1 : 0) - contrib[j];
	return 0;
}

static const char *const crit_name[] = { "gini", "entropy", "mse" };

/* The 'n' largest of 'v' as "name:value,..." into meta 'key'. */
static int
set_top(struct am_art *a, const char *key, const struct am_fs_schema *s,
    const double *v, size_t n)
{
	struct am_buf b = AM_BUF_INIT;
	unsigned char *done = calloc(s->nfeat + 1, 1);
	size_t i, j;
	int rc;

	if (done == NULL)
		return AM_ENOMEM;
	for (i = 0; i < n && i < s->nfeat; i++) {
		size_t best = s->nfeat;
		char num[32];
		int len;
		for (j = 0; j < s->nfeat; j++)
			if (!done[j] && (best == s->nfeat || v[j] > v[best]))
				best = j;
		done[best] = 1;
		if (i > 0)
			am_buf_put(&b, ",", 1);
		am_buf_put(&b, s->feat[best], strlen(s->feat[best]));
		len = snprintf(num, sizeof(num), ":%.4g", v[best]);
		am_buf_put(&b, num, (size_t)len);
	}
	am_buf_put(&b, "", 1);
	rc = am_buf_error(&b) ? AM_ENOMEM
	                      : am_art_set(a, key, (const char *)b.data);
	am_buf_release(&b);
	free(done);
	return rc;
}

static int
rf_save(const struct am_model *m, struct am_art *a, struct am_err *err)
{
	const struct am_rf *f = am_model_state(m);
	struct am_buf b = AM_BUF_INIT;
	struct am_rf_info in;
	int rc;

	am_rf_encode(f, &b);
	rc = am_buf_error(&b) ? AM_ENOMEM : am_art_add_buf(a, "rf", &b);
	am_buf_release(&b);
	am_rf_info(f, &in);
	rc |= am_art_setf(a, "metric.trees", "%zu", in.ntrees);
	rc |= am_art_setf(a, "metric.nodes", "%zu", in.nodes);
	rc |= am_art_setf(a, "metric.leaves", "%zu", in.leaves);
	rc |= am_art_setf(a, "metric.max_depth", "%d", in.max_depth);
	rc |= am_art_setf(a, "metric.trees_grown", "%zu", in.grown);
	if (f->rows > 0) {
		/* Just fitted: the parameters and what the fit measured. */
		const struct am_rf_params *p = &f->p;
		rc |= am_art_setf(a, "hyper.trees", "%d", p->ntrees);
		rc |= am_art_setf(a, "hyper.max_depth", "%d", p->max_depth);
		rc |= am_art_setf(a, "hyper.min_leaf", "%d", p->min_leaf);
		rc |= am_art_setf(a, "hyper.min_split", "%d", p->min_split);
		rc |=
		    am_art_setf(a, "hyper.max_features", "%.17g", p->max_feat);
		rc |= am_art_set(a, "hyper.criterion",
		    crit_name[f->nclass > 0 ? p->criterion : AM_RF_MSE]);
		rc |= am_art_setf(a, "hyper.bootstrap", "%d", p->bootstrap);
		if (!isnan(in.oob_score))
			rc |= am_art_setf(a,
			    f->nclass > 0 ? "metric.oob_accuracy"
			                  : "metric.oob_r2",
			    "%.17g", in.oob_score);
		if (!isnan(in.oob_auc))
			rc |= am_art_setf(a, "metric.oob_auc", "%.17g",
			    in.oob_auc);
		rc |= set_top(a, "metric.importance_impurity",
		    am_model_schema(m), in.imp_impurity, 10);
		if (in.imp_perm != NULL)
			rc |= set_top(a, "metric.importance_permutation",
			    am_model_schema(m), in.imp_perm, 10);
	}
	return rc != 0 ? am_seterr(err, AM_ENOMEM, "out of memory") : 0;
}

/*
 * A version 1 section holds no parameters: take them from the meta data
 * that rf_save() wrote beside it (hyper.*, the seed, the rows).
 */
static void
v1_params(struct am_rf *f, const struct am_art *a)
{
	struct am_rf_params q = f->p;
	const char *c = am_art_get(a, "hyper.criterion");
	size_t k;

	q.max_depth =
	    (int)am_art_get_num(a, "hyper.max_depth", 0, INT_MAX, q.max_depth);
	q.min_leaf =
	    (int)am_art_get_num(a, "hyper.min_leaf", 0, INT_MAX, q.min_leaf);
	q.min_split =
	    (int)am_art_get_num(a, "hyper.min_split", 0, INT_MAX, q.min_split);
	q.max_feat =
	    am_art_get_num(a, "hyper.max_features", 0, 1e9, q.max_feat);
	q.bootstrap = am_art_get_num(a, "hyper.bootstrap", 0, 1, 1) != 0;
	for (k = 0; c != NULL && k < 3; k++)
		if (strcmp(c, crit_name[k]) == 0)
			q.criterion = (int)k;
	q.seed = am_art_seed(a, 1);
	if (check_params(&q, f->nclass, NULL) == 0)
		f->p = q;
	f->seen = am_art_get_num(a, "lineage.input.rows", 0, 1e18, 0);
}

static int
rf_load(struct am_model *m, const struct am_art *a, struct am_err *err)
{
	const void *sec;
	struct am_rf *f;
	size_t len;

	if ((sec = am_art_section(a, "rf", &len)) == NULL)
		return am_seterr(err, AM_EFORMAT, "no 'rf' section");
	f = am_rf_decode(sec, len, am_model_nfeat(m),
	    am_model_schema(m)->nclass, err);
	if (f == NULL)
		return err != NULL && err->code != 0 ? err->code : AM_EFORMAT;
	if (len >= 4 && ((const unsigned char *)sec)[0] == 1)
		v1_params(f, a);
	am_model_set_state(m, f);
	return 0;
}

const struct am_model_ops am_rf_ops = {
	.name = "rf",
	.classifier = 1,
	.maxclass = 1000,
	.fit = rf_fit,
	.predict = rf_predict,
	.save = rf_save,
	.load = rf_load,
	.free = rf_free,
	.regressor = 1,
	.explain = rf_explain,
	.unit = "probability",
	.update = rf_update,
	.merge = rf_merge,
};
