/* SPDX-License-Identifier: MIT */
/*
 * am_rank.c -- ranking metrics.  Building sorts the predictions by
 * (user, key descending, input order) and the truth by (user, item), then
 * walks both once, user by user, computing the six per-user values of
 * every judged user; am_rank_metrics() only averages them, so that a
 * bootstrap over users costs O(users) per replicate.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "am_csv.h"
#include "am_rank.h"
#include "am_strtab.h"

#include "am_banned.h"

enum { P_PREC, P_REC, P_AP, P_NDCG, P_HIT, P_RR, NPER };

struct am_rankdata {
	size_t nuser;   /* judged users */
	double skipped; /* users of the truth without a relevant item */
	double coverage;
	double *per; /* nuser * NPER */
};

struct pred {
	uint32_t user, item;
	double key;
	size_t order;
};

struct truth {
	uint32_t user, item;
	double rel;
};

static int
cmp_pred(const void *a, const void *b)
{
	const struct pred *x = a, *y = b;

	if (x->user != y->user)
		return x->user < y->user ? -1 : 1;
	if (x->key != y->key)
		return x->key > y->key ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

static int
cmp_truth(const void *a, const void *b)
{
	const struct truth *x = a, *y = b;

	if (x->user != y->user)
		return x->user < y->user ? -1 : 1;
	return x->item < y->item ? -1 : x->item > y->item;
}

static int
cmp_desc(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x > y ? -1 : x < y;
}

/* Relevance of 'item' among the truth rows t[0 .. n), sorted by item. */
static double
relevance(const struct truth *t, size_t n, uint32_t item)
{
	size_t lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (t[mid].item < item)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && t[lo].item == item ? t[lo].rel : 0.0;
}

/* The first k distinct items of p[0 .. n) into 'top'; returns how many. */
static size_t
top_items(const struct pred *p, size_t n, size_t k, uint32_t *top)
{
	size_t i, j, m = 0;

	for (i = 0; i < n && m < k; i++) {
		for (j = 0; j < m && top[j] != p[i].item; j++)
			;
		if (j == m)
			top[m++] = p[i].item;
	}
	return m;
}

/* The six values of one judged user. */
static void
judge(const struct truth *t, size_t nt, const uint32_t *top, size_t m, size_t k,
    double *rels, double *v)
{
	size_t i, nr = 0, hits = 0;
	double dcg = 0.0, idcg = 0.0, ap = 0.0, rr = 0.0, r;

	for (i = 0; i < nt; i++)
		if (t[i].rel > 0.0)
			rels[nr++] = t[i].rel;
	qsort(rels, nr, sizeof *rels, cmp_desc);
	for (i = 0; i < nr && i < k; i++)
		idcg += rels[i] / log2((double)i + 2.0);
	for (i = 0; i < m; i++) {
		r = relevance(t, nt, top[i]);
		if (r <= 0.0)
			continue;
		hits++;
		dcg += r / log2((double)i + 2.0);
		ap += (double)hits / (double)(i + 1);
		if (rr == 0.0)
			rr = 1.0 / (double)(i + 1);
	}
	v[P_PREC] = (double)hits / (double)k;
	v[P_REC] = (double)hits / (double)nr;
	v[P_AP] = ap / (double)(nr < k ? nr : k);
	v[P_NDCG] = dcg / idcg;
	v[P_HIT] = hits > 0 ? 1.0 : 0.0;
	v[P_RR] = rr;
}

struct am_rankdata *
am_rank_build(const uint32_t *pu, const uint32_t *pi, const double *key,
    size_t np, const uint32_t *tu, const uint32_t *ti, const double *rel,
    size_t nt, size_t nusers, size_t nitems, size_t k, struct am_err *err)
{
	struct am_rankdata *d = calloc(1, sizeof *d);
	struct pred *p = malloc((np > 0 ? np : 1) * sizeof *p);
	struct truth *t = malloc((nt > 0 ? nt : 1) * sizeof *t);
	unsigned char *seen = calloc(nitems > 0 ? nitems : 1, 1);
	uint32_t *top = malloc((k > 0 ? k : 1) * sizeof *top);
	double *rels = malloc((nt > 0 ? nt : 1) * sizeof *rels);
	size_t i, j, a = 0, b = 0, a2, b2, m, covered = 0, pos;
	uint32_t u, it;
	int anyrel;

	if (d == NULL || p == NULL || t == NULL || seen == NULL ||
	    top == NULL || rels == NULL) {
		am_seterr(err, AM_ENOMEM, "out of memory");
		goto fail;
	}
	if (k == 0) {
		am_seterr(err, AM_EARG, "the cut-off k is 0");
		goto fail;
	}
	for (i = 0; i < np; i++) {
		if (pu[i] >= nusers || pi[i] >= nitems || !isfinite(key[i])) {
			am_seterr(err, AM_EARG, "prediction %zu is invalid",
			    i + 1);
			goto fail;
		}
		p[i] = (struct pred){ pu[i], pi[i], key[i], i };
	}
	for (i = 0; i < nt; i++) {
		if (tu[i] >= nusers || ti[i] >= nitems || !isfinite(rel[i])) {
			am_seterr(err, AM_EARG, "truth row %zu is invalid",
			    i + 1);
			goto fail;
		}
		t[i] = (struct truth){ tu[i], ti[i], rel[i] };
	}
	qsort(p, np, sizeof *p, cmp_pred);
	qsort(t, nt, sizeof *t, cmp_truth);
	/* drop repeated (user, item) truth rows: the first one counts */
	for (m = 0, i = 0; i < nt; i++)
		if (m == 0 || t[m - 1].user != t[i].user ||
		    t[m - 1].item != t[i].item)
			t[m++] = t[i];
	nt = m;
	if ((d->per = malloc((nt > 0 ? nt : 1) * NPER * sizeof *d->per)) ==
	    NULL) {
		am_seterr(err, AM_ENOMEM, "out of memory");
		goto fail;
	}
	/* coverage over every user of the predictions */
	for (i = 0; i < np; i = j) {
		for (j = i; j < np && p[j].user == p[i].user; j++)
			;
		m = top_items(p + i, j - i, k, top);
		for (pos = 0; pos < m; pos++)
			if (!seen[top[pos]]) {
				seen[top[pos]] = 1;
				covered++;
			}
	}
	memset(seen, 0, nitems);
	for (i = 0, m = 0; i < np + nt; i++) {
		it = i < np ? p[i].item : t[i - np].item;
		if (!seen[it]) {
			seen[it] = 1;
			m++;
		}
	}
	d->coverage = m > 0 ? (double)covered / (double)m : (double)NAN;
	/* judge user by user, walking both sorted arrays */
	while (a < nt) {
		u = t[a].user;
		for (a2 = a, anyrel = 0; a2 < nt && t[a2].user == u; a2++)
			anyrel |= t[a2].rel > 0.0;
		while (b < np && p[b].user < u)
			b++;
		for (b2 = b; b2 < np && p[b2].user == u; b2++)
			;
		if (anyrel) {
			m = top_items(p + b, b2 - b, k, top);
			judge(t + a, a2 - a, top, m, k, rels,
			    d->per + d->nuser * NPER);
			d->nuser++;
		} else
			d->skipped += 1.0;
		a = a2;
		b = b2;
	}
	free(p);
	free(t);
	free(seen);
	free(top);
	free(rels);
	return d;
fail:
	free(p);
	free(t);
	free(seen);
	free(top);
	free(rels);
	am_rank_free(d);
	return NULL;
}

void
am_rank_free(struct am_rankdata *d)
{
	if (d == NULL)
		return;
	free(d->per);
	free(d);
}

size_t
am_rank_users(const struct am_rankdata *d)
{
	return d->nuser;
}

int
am_rank_metrics(const struct am_rankdata *d, const double *w,
    struct am_rankmetrics *m, struct am_err *err)
{
	double sum[NPER] = { 0 }, tw = 0.0, wi;
	size_t i, j;

	if (d->nuser == 0)
		return am_seterr(err, AM_EARG,
		    "no user of the truth has a relevant item");
	for (i = 0; i < d->nuser; i++) {
		wi = w != NULL ? w[i] : 1.0;
		tw += wi;
		for (j = 0; j < NPER; j++)
			sum[j] += wi * d->per[i * NPER + j];
	}
	if (!(tw > 0.0))
		return am_seterr(err, AM_EARG, "the user weights sum to 0");
	m->users = (double)d->nuser;
	m->users_skipped = d->skipped;
	m->precision = sum[P_PREC] / tw;
	m->recall = sum[P_REC] / tw;
	m->map = sum[P_AP] / tw;
	m->ndcg = sum[P_NDCG] / tw;
	m->hit_rate = sum[P_HIT] / tw;
	m->mrr = sum[P_RR] / tw;
	m->coverage = d->coverage;
	return 0;
}

/* Growing arrays of one input file. */
struct cols {
	uint32_t *u, *i;
	double *v;
	size_t n, cap;
};

static int
push(struct cols *c, uint32_t u, uint32_t i, double v, struct am_err *err)
{
	void *p;
	size_t cap;

	if (c->n == c->cap) {
		cap = c->cap != 0 ? 2 * c->cap : 1024;
		if ((p = realloc(c->u, cap * sizeof *c->u)) == NULL)
			goto nomem;
		c->u = p;
		if ((p = realloc(c->i, cap * sizeof *c->i)) == NULL)
			goto nomem;
		c->i = p;
		if ((p = realloc(c->v, cap * sizeof *c->v)) == NULL)
			goto nomem;
		c->v = p;
		c->cap = cap;
	}
	c->u[c->n] = u;
	c->i[c->n] = i;
	c->v[c->n++] = v;
	return 0;
nomem:
	return am_seterr(err, AM_ENOMEM, "out of memory");
}

/*
 * Read 'path': user and item numbers from the tables, and the value of
 * column 'vname' (NULL: every value is 1), negated if 'neg'.
 */
static int
read_file(const char *path, const struct am_rank_opts *o, const char *vname,
    int neg, struct am_strtab *users, struct am_strtab *items, struct cols *c,
    struct am_err *err)
{
	struct am_csv_opts co = { o->delim, 0, NULL };
	struct am_csv_reader *r = NULL;
	struct am_src *src;
	const char *name;
	long cu, ci, cv = -1;
	uint32_t u, it;
	double v = 1.0;
	int rc;

	if ((src = am_src_open(path, err)) == NULL)
		return err->code;
	if ((r = am_csv_open(src, &co, err)) == NULL) {
		rc = err->code;
		goto out;
	}
	name = am_csv_name(r);
	if ((cu = am_csv_col(r, o->user)) < 0 ||
	    (ci = am_csv_col(r, o->item)) < 0) {
		rc = am_seterr(err, AM_EFORMAT, "%s: no column '%s'", name,
		    cu < 0 ? o->user : o->item);
		goto out;
	}
	if (vname != NULL && (cv = am_csv_col(r, vname)) < 0) {
		rc = am_seterr(err, AM_EFORMAT, "%s: no column '%s'", name,
		    vname);
		goto out;
	}
	while ((rc = am_csv_next(r, err)) == 1) {
		if (am_csv_missing(r, (size_t)cu) ||
		    am_csv_missing(r, (size_t)ci)) {
			rc = am_seterr(err, AM_EFORMAT,
			    "%s:%lu: missing user or item", name,
			    am_csv_line(r));
			goto out;
		}
		if (cv >= 0 &&
		    (rc = am_csv_double(r, (size_t)cv, &v, err)) != 0) {
			if (rc == 1)
				rc = am_seterr(err, AM_EFORMAT,
				    "%s:%lu: column '%s': missing value", name,
				    am_csv_line(r), vname);
			goto out;
		}
		if ((rc = am_strtab_intern(users, am_csv_field(r, (size_t)cu),
		         am_csv_len(r, (size_t)cu), &u, err)) != 0 ||
		    (rc = am_strtab_intern(items, am_csv_field(r, (size_t)ci),
		         am_csv_len(r, (size_t)ci), &it, err)) != 0 ||
		    (rc = push(c, u, it, neg ? -v : v, err)) != 0)
			goto out;
	}
	if (rc == 0 && c->n == 0)
		rc = am_seterr(err, AM_EFORMAT, "%s: no rows", name);
out:
	am_csv_close(r);
	am_src_close(src);
	return rc;
}

/* Does the header of 'path' have column 'col'?  -1 on error. */
static int
has_col(const char *path, int delim, const char *col, struct am_err *err)
{
	struct am_csv_opts co = { delim, 0, NULL };
	struct am_csv_reader *r;
	struct am_src *src;
	int rc;

	if ((src = am_src_open(path, err)) == NULL)
		return -1;
	if ((r = am_csv_open(src, &co, err)) == NULL) {
		am_src_close(src);
		return -1;
	}
	rc = am_csv_col(r, col) >= 0;
	am_csv_close(r);
	am_src_close(src);
	return rc;
}

struct am_rankdata *
am_rank_load(const char *pred, const char *truth, const struct am_rank_opts *o,
    struct am_err *err)
{
	struct am_strtab *users = NULL, *items = NULL;
	struct cols p = { 0 }, t = { 0 };
	struct am_rankdata *d = NULL;
	const char *score = o->score, *rel = o->relevance;
	int asc = o->ascending, h;

	if ((users = am_strtab_new(err)) == NULL ||
	    (items = am_strtab_new(err)) == NULL)
		goto out;
	/* a file read twice must be a file, not a pipe: only the truth */
	if (rel == NULL) {
		if ((h = has_col(truth, o->delim, "relevance", err)) < 0)
			goto out;
		rel = h ? "relevance" : NULL;
	}
	if (read_file(truth, o, rel, 0, users, items, &t, err) != 0)
		goto out;
	if (score == NULL) {
		/* the prediction header is read once: decide inside */
		score = "rank";
		asc = 1;
		if (strcmp(pred, "-") != 0) {
			if ((h = has_col(pred, o->delim, "rank", err)) < 0)
				goto out;
			if (!h) {
				score = "score";
				asc = o->ascending;
			}
		}
	} else if (strcmp(score, "rank") == 0)
		asc = 1;
	if (read_file(pred, o, score, asc, users, items, &p, err) != 0)
		goto out;
	d = am_rank_build(p.u, p.i, p.v, p.n, t.u, t.i, t.v, t.n,
	    am_strtab_size(users), am_strtab_size(items), o->k, err);
out:
	free(p.u);
	free(p.i);
	free(p.v);
	free(t.u);
	free(t.i);
	free(t.v);
	am_strtab_free(users);
	am_strtab_free(items);
	return d;
}
