/* SPDX-License-Identifier: MIT */
/*
 * am_segeval.c -- segment profiles and silhouette.  The table is read
 * once into columns that keep both the number of each cell (NAN when it
 * is missing or not a number) and its interned string, since whether a
 * column is numeric is known only at the end.  Counting the values of a
 * categorical column per segment uses one count array of segments x
 * distinct values per column, which is small for the columns that are
 * worth profiling; a column with more distinct values than
 * AM_SEG_MAX_LEVELS (an id) gets no top values.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "am_csv.h"
#include "am_rand.h"
#include "am_segeval.h"
#include "am_strtab.h"

#include "am_banned.h"

#define AM_SEG_MAX_LEVELS 10000

struct col {
	double *num;
	uint32_t *id;
	struct am_strtab *tab;
	int numeric; /* every present cell is a number */
	int present; /* some cell is present */
};

struct priv {
	struct am_strtab *segs;
	struct col *col;
	size_t ncol;
	char **names; /* column names */
};

double
am_silhouette(const double *x, size_t n, size_t d, const uint32_t *lab,
    size_t k)
{
	double *sum, *cnt, a, b, dist, t, s = 0.0;
	size_t i, j, c, present = 0;

	if (n < 2 || (sum = calloc(2 * k, sizeof *sum)) == NULL)
		return (double)NAN;
	cnt = sum + k;
	for (i = 0; i < n; i++)
		cnt[lab[i]] += 1.0;
	for (c = 0; c < k; c++)
		present += cnt[c] > 0.0;
	if (present < 2 || present > n - 1) {
		free(sum);
		return (double)NAN;
	}
	for (i = 0; i < n; i++) {
		memset(sum, 0, k * sizeof *sum);
		for (j = 0; j < n; j++) {
			for (dist = 0.0, c = 0; c < d; c++) {
				t = x[i * d + c] - x[j * d + c];
				dist += t * t;
			}
			sum[lab[j]] += sqrt(dist);
		}
		if (cnt[lab[i]] <= 1.0)
			continue; /* alone in its segment: 0 */
		a = sum[lab[i]] / (cnt[lab[i]] - 1.0);
		b = HUGE_VAL;
		for (c = 0; c < k; c++)
			if (c != lab[i] && cnt[c] > 0.0 && sum[c] / cnt[c] < b)
				b = sum[c] / cnt[c];
		if (a > 0.0 || b > 0.0)
			s += (b - a) / (a > b ? a : b);
	}
	free(sum);
	return s / (double)n;
}

void
am_seg_report_free(struct am_seg_report *r)
{
	struct priv *p;
	size_t i;

	if (r == NULL)
		return;
	if ((p = r->priv) != NULL) {
		for (i = 0; i < p->ncol; i++) {
			free(p->col[i].num);
			free(p->col[i].id);
			am_strtab_free(p->col[i].tab);
			free(p->names[i]);
		}
		free(p->col);
		free(p->names);
		am_strtab_free(p->segs);
		free(p);
	}
	free(r->seg);
	free(r->prof);
	free(r->top);
	free(r);
}

static int
nomem(struct am_err *err)
{
	return am_seterr(err, AM_ENOMEM, "out of memory");
}

/* Read the table: segment numbers into '*segp', the other columns. */
static int
read_table(const char *path, const struct am_seg_opts *o, struct priv *p,
    uint32_t **segp, size_t *np, struct am_err *err)
{
	struct am_csv_opts co = { o->delim, 0, NULL };
	struct am_csv_reader *r = NULL;
	struct am_src *src;
	size_t i, j, n = 0, cap = 0, nc;
	uint32_t *seg = NULL, id;
	long sc;
	void *q;
	int rc;

	if ((src = am_src_open(path, err)) == NULL)
		return err->code;
	if ((r = am_csv_open(src, &co, err)) == NULL) {
		rc = err->code;
		goto out;
	}
	if ((sc = am_csv_col(r, o->segments)) < 0) {
		rc = am_seterr(err, AM_EFORMAT, "%s: no segment column '%s'",
		    am_csv_name(r), o->segments);
		goto out;
	}
	nc = am_csv_ncols(r);
	p->col = calloc(nc, sizeof *p->col);
	p->names = calloc(nc, sizeof *p->names);
	if (p->col == NULL || p->names == NULL) {
		rc = nomem(err);
		goto out;
	}
	p->ncol = nc;
	for (j = 0; j < nc; j++) {
		p->col[j].numeric = 1;
		if ((p->names[j] = strdup(am_csv_colname(r, j))) == NULL ||
		    (p->col[j].tab = am_strtab_new(err)) == NULL) {
			rc = nomem(err);
			goto out;
		}
	}
	while ((rc = am_csv_next(r, err)) == 1) {
		if (n == cap) {
			cap = cap != 0 ? 2 * cap : 1024;
			if ((q = realloc(seg, cap * sizeof *seg)) == NULL) {
				rc = nomem(err);
				goto out;
			}
			seg = q;
			for (j = 0; j < nc; j++) {
				struct col *c = &p->col[j];

				if ((q = realloc(c->num,
				         cap * sizeof *c->num)) == NULL) {
					rc = nomem(err);
					goto out;
				}
				c->num = q;
				if ((q = realloc(c->id, cap * sizeof *c->id)) ==
				    NULL) {
					rc = nomem(err);
					goto out;
				}
				c->id = q;
			}
		}
		if (am_csv_missing(r, (size_t)sc)) {
			rc = am_seterr(err, AM_EFORMAT,
			    "%s:%lu: column '%s': missing segment",
			    am_csv_name(r), am_csv_line(r), o->segments);
			goto out;
		}
		if ((rc = am_strtab_intern(p->segs, am_csv_field(r, (size_t)sc),
		         am_csv_len(r, (size_t)sc), &seg[n], err)) != 0)
			goto out;
		for (j = 0; j < nc; j++) {
			struct col *c = &p->col[j];
			const char *f = am_csv_field(r, j);
			size_t len = am_csv_len(r, j);

			if ((long)j == sc)
				continue;
			if (am_csv_missing(r, j)) {
				c->num[n] = (double)NAN;
				c->id[n] = UINT32_MAX;
				continue;
			}
			c->present = 1;
			if (am_parse_number(f, len, &c->num[n]) != 0) {
				c->num[n] = (double)NAN;
				c->numeric = 0;
			}
			if (am_strtab_size(c->tab) <= AM_SEG_MAX_LEVELS) {
				if ((rc = am_strtab_intern(c->tab, f, len, &id,
				         err)) != 0)
					goto out;
				c->id[n] = id;
			} else
				c->id[n] = UINT32_MAX;
		}
		n++;
	}
	if (rc == 0 && n == 0)
		rc = am_seterr(err, AM_EFORMAT, "%s: no rows", am_csv_name(r));
	for (i = 0; rc == 0 && i < nc; i++)
		if ((long)i == sc)
			p->col[i].present = 0; /* not profiled */
out:
	am_csv_close(r);
	am_src_close(src);
	*segp = seg;
	*np = n;
	return rc;
}

/* A segment and its sort key. */
struct segkey {
	uint32_t id;
	double num; /* its name as a number, when every name is one */
	const char *name;
};

static int
cmp_seg(const void *a, const void *b)
{
	const struct segkey *x = a, *y = b;

	if (x->num != y->num && !isnan(x->num))
		return x->num < y->num ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* Silhouette over the standardised numeric columns of a sample. */
static double
silhouette(const struct priv *p, const uint32_t *seg, size_t n,
    const struct am_seg_opts *o, size_t *sampled, const uint32_t *rank,
    size_t nseg)
{
	size_t m = o->sample > 0 && o->sample < n ? o->sample : n;
	size_t d = 0, i, j, c, *idx = NULL;
	double *x = NULL, *mu = NULL, *sd = NULL, v, s = (double)NAN;
	uint32_t *lab = NULL;
	struct am_rand r;

	for (j = 0; j < p->ncol; j++)
		d += p->col[j].present && p->col[j].numeric;
	*sampled = m;
	if (d == 0)
		return (double)NAN;
	idx = malloc(n * sizeof *idx);
	x = malloc(m * d * sizeof *x);
	mu = calloc(2 * d, sizeof *mu);
	lab = malloc(m * sizeof *lab);
	if (idx == NULL || x == NULL || mu == NULL || lab == NULL)
		goto out;
	sd = mu + d;
	for (c = 0, j = 0; j < p->ncol; j++) {
		const struct col *cl = &p->col[j];
		double cnt = 0.0, sum = 0.0, ss = 0.0;

		if (!(cl->present && cl->numeric))
			continue;
		for (i = 0; i < n; i++)
			if (!isnan(cl->num[i])) {
				sum += cl->num[i];
				cnt += 1.0;
			}
		mu[c] = sum / cnt;
		for (i = 0; i < n; i++)
			if (!isnan(cl->num[i]))
				ss +=
				    (cl->num[i] - mu[c]) * (cl->num[i] - mu[c]);
		sd[c] = sqrt(ss / cnt);
		c++;
	}
	for (i = 0; i < n; i++)
		idx[i] = i;
	if (m < n) {
		am_rand_seed(&r, o->seed);
		am_rand_shuffle(&r, idx, n);
	}
	for (i = 0; i < m; i++) {
		lab[i] = rank[seg[idx[i]]];
		for (c = 0, j = 0; j < p->ncol; j++) {
			const struct col *cl = &p->col[j];

			if (!(cl->present && cl->numeric))
				continue;
			v = cl->num[idx[i]];
			x[i * d + c] = isnan(v) || !(sd[c] > 0.0)
			    ? 0.0
			    : (v - mu[c]) / sd[c];
			c++;
		}
	}
	s = am_silhouette(x, m, d, lab, nseg);
out:
	free(idx);
	free(x);
	free(mu);
	free(lab);
	return s;
}

/* One value of a column within a segment, for the top lists. */
struct level {
	uint32_t id;
	double count;
	const char *name;
};

static int
cmp_level(const void *a, const void *b)
{
	const struct level *x = a, *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return strcmp(x->name, y->name);
}

static int
add_prof(struct am_seg_report *r, size_t k, struct am_err *err)
{
	void *q = realloc(r->prof, (r->nprof + k) * sizeof *r->prof);

	if (q == NULL)
		return nomem(err);
	r->prof = q;
	return 0;
}

static int
add_top(struct am_seg_report *r, size_t k, struct am_err *err)
{
	void *q = realloc(r->top, (r->ntop + k) * sizeof *r->top);

	if (q == NULL)
		return nomem(err);
	r->top = q;
	return 0;
}

/* Means of the numeric columns, top values of the categorical ones. */
static int
profiles(struct am_seg_report *r, const struct priv *p, const uint32_t *seg,
    const uint32_t *rank, size_t top, struct am_err *err)
{
	size_t n = r->rows, k = r->nseg, i, j, s, v, nl;
	double *sum, *cnt, *lc = NULL, *tot, pm;
	struct level *lv = NULL;
	int rc = 0;

	if ((sum = calloc(2 * (k + 1), sizeof *sum)) == NULL)
		return nomem(err);
	cnt = sum + k + 1;
	for (j = 0; j < p->ncol; j++) {
		const struct col *c = &p->col[j];

		if (!c->present)
			continue;
		if (c->numeric) {
			memset(sum, 0, 2 * (k + 1) * sizeof *sum);
			for (i = 0; i < n; i++)
				if (!isnan(c->num[i])) {
					sum[rank[seg[i]]] += c->num[i];
					cnt[rank[seg[i]]] += 1.0;
					sum[k] += c->num[i];
					cnt[k] += 1.0;
				}
			pm = sum[k] / cnt[k];
			if ((rc = add_prof(r, k, err)) != 0)
				goto out;
			for (s = 0; s < k; s++) {
				struct am_seg_prof *pf = &r->prof[r->nprof++];

				pf->segment = r->seg[s].name;
				pf->column = p->names[j];
				pf->mean = cnt[s] > 0.0 ? sum[s] / cnt[s]
				                        : (double)NAN;
				pf->index = pm != 0.0 ? 100.0 * pf->mean / pm
				                      : (double)NAN;
			}
			continue;
		}
		nl = am_strtab_size(c->tab);
		if (nl > AM_SEG_MAX_LEVELS || nl == n || top == 0)
			continue; /* an identifier: nothing to profile */
		if ((lc = calloc((k + 1) * nl, sizeof *lc)) == NULL ||
		    (lv = malloc(nl * sizeof *lv)) == NULL) {
			rc = nomem(err);
			goto out;
		}
		tot = lc + k * nl;
		for (i = 0; i < n; i++)
			if (c->id[i] != UINT32_MAX) {
				lc[rank[seg[i]] * nl + c->id[i]] += 1.0;
				tot[c->id[i]] += 1.0;
			}
		for (s = 0; s < k; s++) {
			for (v = 0; v < nl; v++)
				lv[v] = (struct level){ (uint32_t)v,
					lc[s * nl + v],
					am_strtab_get(c->tab, (uint32_t)v) };
			qsort(lv, nl, sizeof *lv, cmp_level);
			if ((rc = add_top(r, top, err)) != 0)
				goto out;
			for (v = 0; v < nl && v < top && lv[v].count > 0.0;
			     v++) {
				struct am_seg_top *t = &r->top[r->ntop++];

				t->segment = r->seg[s].name;
				t->column = p->names[j];
				t->value = lv[v].name;
				t->rows = lv[v].count;
				t->share = lv[v].count / r->seg[s].rows;
				t->index = 100.0 * t->share /
				    (tot[lv[v].id] / (double)n);
			}
		}
		free(lc);
		free(lv);
		lc = NULL;
		lv = NULL;
	}
out:
	free(sum);
	free(lc);
	free(lv);
	return rc;
}

struct am_seg_report *
am_seg_eval(const char *path, const struct am_seg_opts *o, struct am_err *err)
{
	struct am_seg_report *r = calloc(1, sizeof *r);
	struct priv *p = calloc(1, sizeof *p);
	struct segkey *key = NULL;
	uint32_t *seg = NULL, *rank = NULL;
	size_t i, k, n = 0, j;
	int numeric = 1;

	if (r == NULL || p == NULL || (p->segs = am_strtab_new(err)) == NULL) {
		free(r);
		free(p);
		nomem(err);
		return NULL;
	}
	r->priv = p;
	if (read_table(path, o, p, &seg, &n, err) != 0)
		goto fail;
	k = am_strtab_size(p->segs);
	key = malloc(k * sizeof *key);
	rank = malloc(k * sizeof *rank);
	r->seg = calloc(k, sizeof *r->seg);
	if (key == NULL || rank == NULL || r->seg == NULL) {
		nomem(err);
		goto fail;
	}
	for (i = 0; i < k; i++) {
		key[i].id = (uint32_t)i;
		key[i].name = am_strtab_get(p->segs, (uint32_t)i);
		if (am_parse_number(key[i].name, strlen(key[i].name),
		        &key[i].num) != 0)
			numeric = 0;
	}
	for (i = 0; i < k; i++)
		if (!numeric)
			key[i].num = (double)NAN;
	qsort(key, k, sizeof *key, cmp_seg);
	for (i = 0; i < k; i++) {
		rank[key[i].id] = (uint32_t)i;
		r->seg[i].name = key[i].name;
	}
	for (i = 0; i < n; i++)
		r->seg[rank[seg[i]]].rows += 1.0;
	for (i = 0; i < k; i++)
		r->seg[i].share = r->seg[i].rows / (double)n;
	r->rows = n;
	r->nseg = k;
	for (j = 0; j < p->ncol; j++)
		r->nnum += p->col[j].present && p->col[j].numeric;
	if (profiles(r, p, seg, rank, o->top, err) != 0)
		goto fail;
	r->silhouette = silhouette(p, seg, n, o, &r->sampled, rank, k);
	free(key);
	free(seg);
	free(rank);
	return r;
fail:
	free(key);
	free(seg);
	free(rank);
	am_seg_report_free(r);
	return NULL;
}
