/* SPDX-License-Identifier: MIT */
/*
 * am_rec.c -- recommenders: reading interaction logs, fitting popularity,
 * item/user kNN and three factor models, saving them as artifacts, and
 * answering top-N, similar-item and rating queries.
 *
 * Everything works on one sparse user x item matrix 'ui' (rows sorted by
 * item number), built once from the log after merging repeated pairs;
 * its transpose is rebuilt when a fit needs it.  Parallel work (kNN
 * similarities, ALS sweeps, all-users batches) is cut into tasks whose
 * number does not depend on the thread count, each writing only its own
 * slots, so results are the same bits for any -j.  SGD fits (mf, bpr)
 * run on one thread, in an order drawn from the seed.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "am_art.h"
#include "am_buf.h"
#include "am_csv.h"
#include "am_io.h"
#include "am_pool.h"
#include "am_rand.h"
#include "am_rec.h"
#include "am_strtab.h"

#include "am_banned.h"

#define DAY 86400.0

struct csr {
	size_t n, nnz;
	uint64_t *ptr; /* n + 1 */
	uint32_t *idx;
	double *val;
};

struct am_rec {
	int algo;
	struct am_rec_params p;
	char *col[5]; /* user, item, value, time, context */
	struct am_strtab *users, *items, *ctxs;
	size_t nu, ni;
	struct csr ui;   /* user -> items, the merged values */
	double *pop;     /* per item: decayed, windowed event count */
	double *popg;    /* per item: events */
	uint32_t *order; /* items by popularity */
	struct csr ctx;  /* context value -> items by popularity */
	struct csr nbr;  /* knn: object -> neighbours, by similarity */
	int k;           /* latent factors */
	double mu, rmin, rmax, train_rmse;
	double *bu, *bi, *P, *Q;
	double *umean, *imean; /* computed: means of the values */
};

static const char *const algo_names[] = { "popularity", "itemknn", "userknn",
	"mf", "ials", "bpr" };
static const char *const sim_names[] = { "cosine", "adjusted", "jaccard" };

int
am_rec_algo_byname(const char *name)
{
	size_t i;

	for (i = 0; name != NULL && i < 6; i++)
		if (strcmp(name, algo_names[i]) == 0)
			return (int)i;
	return -1;
}

const char *
am_rec_algos(void)
{
	return "popularity,itemknn,userknn,mf,ials,bpr";
}

int
am_rec_sim_byname(const char *name)
{
	size_t i;

	for (i = 0; name != NULL && i < 3; i++)
		if (strcmp(name, sim_names[i]) == 0)
			return (int)i;
	return -1;
}

static void
csr_release(struct csr *c)
{
	free(c->ptr);
	free(c->idx);
	free(c->val);
	memset(c, 0, sizeof(*c));
}

static int
csr_alloc(struct csr *c, size_t n, size_t nnz)
{
	c->n = n;
	c->nnz = nnz;
	c->ptr = calloc(n + 1, sizeof(*c->ptr));
	c->idx = malloc((nnz + 1) * sizeof(*c->idx));
	c->val = malloc((nnz + 1) * sizeof(*c->val));
	return c->ptr && c->idx && c->val ? 0 : AM_ENOMEM;
}

/* 't' = transpose of 'a', which has 'ncols' columns; rows stay sorted. */
static int
csr_transpose(const struct csr *a, size_t ncols, struct csr *t)
{
	size_t r, j;
	uint64_t *pos;

	if (csr_alloc(t, ncols, a->nnz) != 0)
		return AM_ENOMEM;
	for (j = 0; j < a->nnz; j++)
		t->ptr[a->idx[j] + 1]++;
	for (r = 0; r < ncols; r++)
		t->ptr[r + 1] += t->ptr[r];
	if ((pos = malloc((ncols + 1) * sizeof(*pos))) == NULL)
		return AM_ENOMEM;
	memcpy(pos, t->ptr, (ncols + 1) * sizeof(*pos));
	for (r = 0; r < a->n; r++)
		for (j = a->ptr[r]; j < a->ptr[r + 1]; j++) {
			uint64_t q = pos[a->idx[j]]++;
			t->idx[q] = (uint32_t)r;
			t->val[q] = a->val[j];
		}
	free(pos);
	return 0;
}

/* Nonzero if row 'r' of 'c' holds column 'j' (binary search). */
static long
csr_find(const struct csr *c, size_t r, uint32_t j)
{
	uint64_t lo = c->ptr[r], hi = c->ptr[r + 1];

	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;
		if (c->idx[mid] < j)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < c->ptr[r + 1] && c->idx[lo] == j ? (long)lo : -1;
}

/* ---- reading the log ---------------------------------------------- */

struct row {
	uint32_t u, i, c;
	double v, t;
	uint64_t seq;
};

static long long
days_from_civil(long long y, unsigned m, unsigned d)
{
	long long era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? (unsigned)-3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long long)doe - 719468;
}

static int
digits(const char **s, int n, unsigned *out)
{
	unsigned v = 0;

	while (n-- > 0) {
		if (**s < '0' || **s > '9')
			return -1;
		v = v * 10 + (unsigned)(**s - '0');
		(*s)++;
	}
	*out = v;
	return 0;
}

/* Seconds since 1970 from a number or YYYY-MM-DD[(T| )HH:MM[:SS]]. */
static int
parse_time(const char *s, size_t len, double *out)
{
	unsigned y, mo, d, h = 0, mi = 0, se = 0;

	if (am_parse_number(s, len, out) == 0)
		return 0;
	if (digits(&s, 4, &y) || *s++ != '-' || digits(&s, 2, &mo) ||
	    *s++ != '-' || digits(&s, 2, &d) || mo < 1 || mo > 12 || d < 1 ||
	    d > 31)
		return -1;
	if (*s == ' ' || *s == 'T') {
		s++;
		if (digits(&s, 2, &h) || *s++ != ':' || digits(&s, 2, &mi))
			return -1;
		if (*s == ':' && (s++, digits(&s, 2, &se)))
			return -1;
		if (*s == 'Z')
			s++;
	}
	if (*s != '\0' || h > 23 || mi > 59 || se > 60)
		return -1;
	*out = (double)days_from_civil(y, mo, d) * DAY + h * 3600.0 +
	    mi * 60.0 + se;
	return 0;
}

static int
cmp_row(const void *pa, const void *pb)
{
	const struct row *a = pa, *b = pb;

	if (a->u != b->u)
		return a->u < b->u ? -1 : 1;
	if (a->i != b->i)
		return a->i < b->i ? -1 : 1;
	if (a->t != b->t)
		return a->t < b->t ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static int
cmp_row_ctx(const void *pa, const void *pb)
{
	const struct row *a = pa, *b = pb;

	if (a->c != b->c)
		return a->c < b->c ? -1 : 1;
	if (a->i != b->i)
		return a->i < b->i ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static long
col_or_fail(struct am_csv_reader *cr, const char *opt, const char *name,
    struct am_err *err)
{
	long c;

	if (name == NULL)
		return -1;
	if ((c = am_csv_col(cr, name)) < 0)
		am_seterr(err, AM_EARG, "%s: no column '%s' in %s", opt, name,
		    am_csv_name(cr));
	return c;
}

struct filter {
	long col;
	const char *val;
};

static int
read_log(struct am_rec *r, const char *path, const struct am_rec_input *in,
    struct am_rec_report *rep, struct row **rowsp, size_t *nrowsp,
    struct am_err *err)
{
	struct am_csv_opts co = { 0, 0, NULL };
	struct am_src *src = NULL;
	struct am_csv_reader *cr = NULL;
	struct filter *flt = NULL;
	struct row *rows = NULL;
	size_t nrows = 0, cap = 0, nf = 0, f;
	long cu, ci, cv, ct, cc;
	int rc, implicit = r->algo != AM_REC_MF;

	co.delim = in->delim;
	if ((src = am_src_open(path, err)) == NULL)
		return err->code;
	am_src_hash(src);
	if ((cr = am_csv_open(src, &co, err)) == NULL) {
		rc = err->code;
		goto out;
	}
	rc = AM_EARG;
	if ((cu = col_or_fail(cr, "--user", in->user, err)) < 0 ||
	    (ci = col_or_fail(cr, "--item", in->item, err)) < 0)
		goto out;
	cv = col_or_fail(cr, "--rating", in->value, err);
	if (in->value != NULL && cv < 0)
		goto out;
	ct = col_or_fail(cr, "--time", in->time, err);
	if (in->time != NULL && ct < 0)
		goto out;
	cc = col_or_fail(cr, "--context", in->context, err);
	if (in->context != NULL && cc < 0)
		goto out;
	while (in->where != NULL && in->where[nf] != NULL)
		nf++;
	if (nf > 0 && (flt = calloc(nf, sizeof(*flt))) == NULL) {
		rc = am_seterr(err, AM_ENOMEM, "out of memory");
		goto out;
	}
	for (f = 0; f < nf; f++) {
		const char *w = in->where[f], *eq = strchr(w, '=');
		char name[256];
		if (eq == NULL || eq == w || (size_t)(eq - w) >= sizeof(name)) {
			am_seterr(err, AM_EARG,
			    "--where: '%s' is not COLUMN=VALUE", w);
			goto out;
		}
		memcpy(name, w, (size_t)(eq - w));
		name[eq - w] = '\0';
		if ((flt[f].col = col_or_fail(cr, "--where", name, err)) < 0)
			goto out;
		flt[f].val = eq + 1;
	}
	while ((rc = am_csv_next(cr, err)) == 1) {
		struct row x = { 0, 0, 0, 1, 0, 0 };
		int skip = 0;
		rep->rows++;
		for (f = 0; f < nf; f++)
			if (strcmp(am_csv_field(cr, (size_t)flt[f].col),
			        flt[f].val) != 0)
				break;
		if (f < nf)
			continue;
		if (am_csv_missing(cr, (size_t)cu) ||
		    am_csv_missing(cr, (size_t)ci))
			skip = 1;
		if (cv >= 0) {
			if ((rc = am_csv_double(cr, (size_t)cv, &x.v, err)) < 0)
				goto out;
			if (rc == 1 || (implicit && !(x.v > 0)))
				skip = 1;
		}
		if (ct >= 0) {
			if (am_csv_missing(cr, (size_t)ct)) {
				skip = 1;
			} else if (parse_time(am_csv_field(cr, (size_t)ct),
			               am_csv_len(cr, (size_t)ct), &x.t) != 0) {
				rc = am_seterr(err, AM_EFORMAT,
				    "%s:%lu: column '%s': '%s' is not a time "
				    "(seconds, or YYYY-MM-DD HH:MM:SS)",
				    am_csv_name(cr), am_csv_line(cr), in->time,
				    am_csv_field(cr, (size_t)ct));
				goto out;
			}
		}
		if (skip) {
			rep->skipped++;
			continue;
		}
		if ((rc = am_strtab_intern(r->users,
		         am_csv_field(cr, (size_t)cu),
		         am_csv_len(cr, (size_t)cu), &x.u, err)) != 0 ||
		    (rc = am_strtab_intern(r->items,
		         am_csv_field(cr, (size_t)ci),
		         am_csv_len(cr, (size_t)ci), &x.i, err)) != 0)
			goto out;
		if (cc >= 0 &&
		    (rc = am_strtab_intern(r->ctxs,
		         am_csv_field(cr, (size_t)cc),
		         am_csv_len(cr, (size_t)cc), &x.c, err)) != 0)
			goto out;
		x.seq = nrows;
		if (nrows == cap) {
			struct row *nr;
			cap = cap ? 2 * cap : 4096;
			if ((nr = realloc(rows, cap * sizeof(*rows))) == NULL) {
				rc = am_seterr(err, AM_ENOMEM, "out of memory");
				goto out;
			}
			rows = nr;
		}
		rows[nrows++] = x;
	}
	if (rc < 0)
		goto out;
	rc = 0;
	if (nrows == 0)
		rc = am_seterr(err, AM_EFORMAT,
		    "%s: no interactions to learn from (%llu rows read, %llu "
		    "skipped)",
		    am_csv_name(cr), rep->rows, rep->skipped);
	(void)snprintf(rep->input, sizeof(rep->input), "%s", am_src_name(src));
	am_src_sha256(src, rep->sha256);
out:
	free(flt);
	am_csv_close(cr);
	am_src_close(src);
	if (rc != 0) {
		free(rows);
		return rc;
	}
	*rowsp = rows;
	*nrowsp = nrows;
	return 0;
}

/* Sort items by 'main' descending, then 'second', then number. */
static void
sort_items(uint32_t *v, size_t n, const double *main, const double *second,
    uint32_t *tmp)
{
	size_t w, i, l, m, h, a, b, o;

	/* bottom-up merge sort, stable, comparator as cmp_pop */
	for (w = 1; w < n; w *= 2) {
		for (i = 0; i < n; i += 2 * w) {
			l = i;
			m = i + w < n ? i + w : n;
			h = i + 2 * w < n ? i + 2 * w : n;
			a = l;
			b = m;
			o = l;
			while (a < m && b < h) {
				uint32_t x = v[a], y = v[b];
				int le = main[x] != main[y] ? main[x] > main[y]
				    : second[x] != second[y]
				    ? second[x] > second[y]
				    : x < y;
				tmp[o++] = le ? v[a++] : v[b++];
			}
			while (a < m)
				tmp[o++] = v[a++];
			while (b < h)
				tmp[o++] = v[b++];
		}
		memcpy(v, tmp, n * sizeof(*v));
	}
}

static int
build_order(struct am_rec *r)
{
	uint32_t *tmp;
	size_t i;

	free(r->order);
	if ((r->order = malloc((r->ni + 1) * sizeof(*r->order))) == NULL ||
	    (tmp = malloc((r->ni + 1) * sizeof(*tmp))) == NULL)
		return AM_ENOMEM;
	for (i = 0; i < r->ni; i++)
		r->order[i] = (uint32_t)i;
	sort_items(r->order, r->ni, r->pop, r->popg, tmp);
	free(tmp);
	return 0;
}

/* Popularity, per context, and the merged matrix 'ui' from the rows. */
static int
build_data(struct am_rec *r, struct row *rows, size_t n,
    struct am_rec_report *rep)
{
	double tmax = -HUGE_VAL, hl = r->p.half_life * DAY;
	double from = r->p.window > 0 ? 0 : -HUGE_VAL;
	size_t j, k, nctx = r->ctxs ? am_strtab_size(r->ctxs) : 0;
	int last = r->algo == AM_REC_MF;

	r->nu = am_strtab_size(r->users);
	r->ni = am_strtab_size(r->items);
	if ((r->pop = calloc(r->ni + 1, sizeof(double))) == NULL ||
	    (r->popg = calloc(r->ni + 1, sizeof(double))) == NULL)
		return AM_ENOMEM;
	for (j = 0; j < n; j++)
		if (rows[j].t > tmax)
			tmax = rows[j].t;
	if (r->p.window > 0)
		from = tmax - r->p.window * DAY;
	for (j = 0; j < n; j++) {
		double d = hl > 0 ? pow(0.5, (tmax - rows[j].t) / hl) : 1;
		if (!last)
			rows[j].v *= d;
		r->popg[rows[j].i] += 1;
		if (rows[j].t >= from)
			r->pop[rows[j].i] += d;
	}
	if (build_order(r) != 0)
		return AM_ENOMEM;
	/* per context: sort by (context, item), sum, then rank each row */
	if (nctx > 0) {
		size_t np = 0;
		uint32_t *tmp;
		double *sc, *sc2;
		qsort(rows, n, sizeof(*rows), cmp_row_ctx);
		for (j = 0; j < n; j++)
			if (j == 0 || rows[j].c != rows[j - 1].c ||
			    rows[j].i != rows[j - 1].i)
				np++;
		if (csr_alloc(&r->ctx, nctx, np) != 0)
			return AM_ENOMEM;
		np = 0;
		for (j = 0; j < n; j++) {
			double d =
			    hl > 0 ? pow(0.5, (tmax - rows[j].t) / hl) : 1;
			if (rows[j].t < from)
				d = 0;
			if (j == 0 || rows[j].c != rows[j - 1].c ||
			    rows[j].i != rows[j - 1].i) {
				r->ctx.idx[np] = rows[j].i;
				r->ctx.val[np++] = 0;
				r->ctx.ptr[rows[j].c + 1]++;
			}
			r->ctx.val[np - 1] += d;
		}
		for (j = 0; j < nctx; j++)
			r->ctx.ptr[j + 1] += r->ctx.ptr[j];
		/* rank: sort each row by score, global popularity, number */
		sc = calloc(r->ni + 1, sizeof(double));
		sc2 = calloc(r->ni + 1, sizeof(double));
		tmp = malloc((r->ni + 1) * sizeof(*tmp));
		if (sc == NULL || sc2 == NULL || tmp == NULL) {
			free(sc);
			free(sc2);
			free(tmp);
			return AM_ENOMEM;
		}
		for (j = 0; j < nctx; j++) {
			uint64_t a = r->ctx.ptr[j], b = r->ctx.ptr[j + 1], q;
			for (q = a; q < b; q++)
				sc[r->ctx.idx[q]] = r->ctx.val[q];
			sort_items(r->ctx.idx + a, (size_t)(b - a), sc, r->pop,
			    tmp);
			for (q = a; q < b; q++)
				r->ctx.val[q] = sc[r->ctx.idx[q]];
		}
		free(sc);
		free(sc2);
		free(tmp);
	}
	/* merge repeated pairs */
	qsort(rows, n, sizeof(*rows), cmp_row);
	for (j = 0, k = 0; j < n; j++)
		if (j == 0 || rows[j].u != rows[j - 1].u ||
		    rows[j].i != rows[j - 1].i)
			k++;
	rep->dups = n - k;
	if (csr_alloc(&r->ui, r->nu, k) != 0)
		return AM_ENOMEM;
	for (j = 0, k = 0; j < n; j++) {
		if (j == 0 || rows[j].u != rows[j - 1].u ||
		    rows[j].i != rows[j - 1].i) {
			r->ui.idx[k] = rows[j].i;
			r->ui.val[k++] = rows[j].v;
			r->ui.ptr[rows[j].u + 1]++;
		} else if (last) {
			r->ui.val[k - 1] = rows[j].v;
		} else {
			r->ui.val[k - 1] += rows[j].v;
		}
	}
	for (j = 0; j < r->nu; j++)
		r->ui.ptr[j + 1] += r->ui.ptr[j];
	rep->users = r->nu;
	rep->items = r->ni;
	rep->pairs = r->ui.nnz;
	return 0;
}

/* Means of the values per user, per item, overall; the value range. */
static int
build_means(struct am_rec *r)
{
	double *ic;
	size_t u, i;
	uint64_t j;

	free(r->umean);
	free(r->imean);
	r->umean = calloc(r->nu + 1, sizeof(double));
	r->imean = calloc(r->ni + 1, sizeof(double));
	ic = calloc(r->ni + 1, sizeof(double));
	if (r->umean == NULL || r->imean == NULL || ic == NULL) {
		free(ic);
		return AM_ENOMEM;
	}
	r->mu = 0;
	r->rmin = HUGE_VAL;
	r->rmax = -HUGE_VAL;
	for (u = 0; u < r->nu; u++) {
		double s = 0;
		for (j = r->ui.ptr[u]; j < r->ui.ptr[u + 1]; j++) {
			double v = r->ui.val[j];
			s += v;
			r->imean[r->ui.idx[j]] += v;
			ic[r->ui.idx[j]] += 1;
			if (v < r->rmin)
				r->rmin = v;
			if (v > r->rmax)
				r->rmax = v;
		}
		r->mu += s;
		if (r->ui.ptr[u + 1] > r->ui.ptr[u])
			r->umean[u] =
			    s / (double)(r->ui.ptr[u + 1] - r->ui.ptr[u]);
	}
	r->mu = r->ui.nnz ? r->mu / (double)r->ui.nnz : 0;
	for (i = 0; i < r->ni; i++)
		r->imean[i] = ic[i] > 0 ? r->imean[i] / ic[i] : r->mu;
	for (u = 0; u < r->nu; u++)
		if (r->ui.ptr[u + 1] == r->ui.ptr[u])
			r->umean[u] = r->mu;
	free(ic);
	return 0;
}

/* ---- kNN ------------------------------------------------------------ */

#define KNN_CHUNK 32

struct knn_job {
	const struct csr *a, *at; /* objects x features, and transpose */
	const double *norm;
	int sim, k;
	double shrink;
	size_t nobj;
	const uint32_t *list; /* the objects to do; NULL: all */
	size_t nlist;         /* their number (nobj when all) */
	uint32_t *nidx;       /* nlist * k, by position in the list */
	double *nsim;
	uint32_t *cnt;
	int *fail; /* per task */
};

/* Min-heap of (sim, idx) pairs where the root is the worst kept. */
static int
worse(double sa, uint32_t ia, double sb, uint32_t ib)
{
	return sa < sb || (sa == sb && ia > ib);
}

static void
heap_push(double *hs, uint32_t *hi, size_t *n, size_t k, double s, uint32_t i)
{
	size_t c, p;

	if (*n == k) {
		if (!worse(hs[0], hi[0], s, i))
			return;
		/* replace root, sift down */
		c = 0;
		for (;;) {
			size_t l = 2 * c + 1, r = l + 1, m = c;
			double ms = s;
			uint32_t mi = i;
			if (l < *n && worse(hs[l], hi[l], ms, mi)) {
				m = l;
				ms = hs[l];
				mi = hi[l];
			}
			if (r < *n && worse(hs[r], hi[r], ms, mi))
				m = r;
			if (m == c)
				break;
			hs[c] = hs[m];
			hi[c] = hi[m];
			c = m;
		}
		hs[c] = s;
		hi[c] = i;
		return;
	}
	c = (*n)++;
	while (c > 0) {
		p = (c - 1) / 2;
		if (!worse(s, i, hs[p], hi[p]))
			break;
		hs[c] = hs[p];
		hi[c] = hi[p];
		c = p;
	}
	hs[c] = s;
	hi[c] = i;
}

/* Sort the kept pairs best first (small k: insertion sort). */
static void
heap_sort_desc(double *hs, uint32_t *hi, size_t n)
{
	size_t a, b;

	for (a = 1; a < n; a++) {
		double s = hs[a];
		uint32_t i = hi[a];
		for (b = a; b > 0 && worse(hs[b - 1], hi[b - 1], s, i); b--) {
			hs[b] = hs[b - 1];
			hi[b] = hi[b - 1];
		}
		hs[b] = s;
		hi[b] = i;
	}
}

static void
knn_task(void *arg, size_t task)
{
	struct knn_job *J = arg;
	size_t lo = task * KNN_CHUNK, hi = lo + KNN_CHUNK, pos, a, nt;
	double *acc = calloc(J->nobj + 1, sizeof(double));
	uint32_t *touch = malloc((J->nobj + 1) * sizeof(uint32_t));
	unsigned char *mark = calloc(J->nobj + 1, 1);
	uint64_t f, g;

	if (acc == NULL || touch == NULL || mark == NULL) {
		J->fail[task] = 1;
		goto out;
	}
	if (hi > J->nlist)
		hi = J->nlist;
	for (pos = lo; pos < hi; pos++) {
		size_t n = 0, t;
		double *hs = J->nsim + pos * (size_t)J->k;
		uint32_t *hix = J->nidx + pos * (size_t)J->k;
		a = J->list != NULL ? J->list[pos] : pos;
		nt = 0;
		for (f = J->a->ptr[a]; f < J->a->ptr[a + 1]; f++) {
			uint32_t feat = J->a->idx[f];
			double va = J->sim == AM_REC_JACCARD ? 1 : J->a->val[f];
			for (g = J->at->ptr[feat]; g < J->at->ptr[feat + 1];
			     g++) {
				uint32_t b = J->at->idx[g];
				if (b == a)
					continue;
				if (!mark[b]) {
					mark[b] = 1;
					touch[nt++] = b;
				}
				acc[b] += J->sim == AM_REC_JACCARD
				    ? 1
				    : va * J->at->val[g];
			}
		}
		for (t = 0; t < nt; t++) {
			uint32_t b = touch[t];
			double s, d;
			if (J->sim == AM_REC_JACCARD)
				d = J->norm[a] + J->norm[b] - acc[b];
			else
				d = J->norm[a] * J->norm[b];
			d += J->shrink;
			s = d > 0 ? acc[b] / d : 0;
			if (s > 0)
				heap_push(hs, hix, &n, (size_t)J->k, s, b);
			acc[b] = 0;
			mark[b] = 0;
		}
		heap_sort_desc(hs, hix, n);
		J->cnt[pos] = (uint32_t)n;
	}
out:
	free(acc);
	free(touch);
	free(mark);
}

/*
 * Neighbours of each row of 'a' (objects x features) into r->nbr.  With
 * 'redo' (per object: recompute), only those objects are computed and
 * the others keep their lists from 'old' (which has them all).
 */
static int
knn_fit(struct am_rec *r, const struct csr *a, const struct csr *at,
    const unsigned char *redo, const struct csr *old, struct am_pool *pool,
    struct am_err *err)
{
	struct knn_job J;
	size_t ntask, o, j, q, pos;
	double *norm = calloc(a->n + 1, sizeof(double));
	uint32_t *list = NULL;
	int rc = 0;
	uint64_t f;

	memset(&J, 0, sizeof(J));
	J.nlist = a->n;
	if (redo != NULL) {
		if ((list = malloc((a->n + 1) * sizeof(*list))) == NULL) {
			free(norm);
			return am_seterr(err, AM_ENOMEM, "out of memory");
		}
		for (o = 0, J.nlist = 0; o < a->n; o++)
			if (redo[o])
				list[J.nlist++] = (uint32_t)o;
		J.list = list;
	}
	ntask = (J.nlist + KNN_CHUNK - 1) / KNN_CHUNK;
	J.a = a;
	J.at = at;
	J.sim = r->p.sim;
	J.k = r->p.k;
	J.shrink = r->p.shrink;
	J.nobj = a->n;
	J.nidx = malloc((J.nlist * (size_t)J.k + 1) * sizeof(uint32_t));
	J.nsim = malloc((J.nlist * (size_t)J.k + 1) * sizeof(double));
	J.cnt = calloc(J.nlist + 1, sizeof(uint32_t));
	J.fail = calloc(ntask + 1, sizeof(int));
	J.norm = norm;
	if (norm == NULL || J.nidx == NULL || J.nsim == NULL || J.cnt == NULL ||
	    J.fail == NULL) {
		rc = am_seterr(err, AM_ENOMEM, "out of memory");
		goto out;
	}
	for (o = 0; o < a->n; o++) {
		for (f = a->ptr[o]; f < a->ptr[o + 1]; f++)
			norm[o] +=
			    J.sim == AM_REC_JACCARD ? 1 : a->val[f] * a->val[f];
		if (J.sim != AM_REC_JACCARD)
			norm[o] = sqrt(norm[o]);
	}
	am_pool_run(pool, ntask, knn_task, &J);
	for (j = 0; j < ntask; j++)
		if (J.fail[j]) {
			rc = am_seterr(err, AM_ENOMEM, "out of memory");
			goto out;
		}
	for (pos = 0, q = 0; pos < J.nlist; pos++)
		q += J.cnt[pos];
	for (o = 0; redo != NULL && o < a->n; o++)
		if (!redo[o])
			q += old->ptr[o + 1] - old->ptr[o];
	csr_release(&r->nbr);
	if (csr_alloc(&r->nbr, a->n, q) != 0) {
		rc = am_seterr(err, AM_ENOMEM, "out of memory");
		goto out;
	}
	for (o = 0, q = 0, pos = 0; o < a->n; o++) {
		if (redo != NULL && !redo[o]) {
			uint64_t b;
			for (b = old->ptr[o]; b < old->ptr[o + 1]; b++, q++) {
				r->nbr.idx[q] = old->idx[b];
				r->nbr.val[q] = old->val[b];
			}
		} else {
			for (j = 0; j < J.cnt[pos]; j++, q++) {
				r->nbr.idx[q] = J.nidx[pos * (size_t)J.k + j];
				r->nbr.val[q] = J.nsim[pos * (size_t)J.k + j];
			}
			pos++;
		}
		r->nbr.ptr[o + 1] = q;
	}
out:
	free(list);
	free(norm);
	free(J.nidx);
	free(J.nsim);
	free(J.cnt);
	free(J.fail);
	return rc;
}

/*
 * The kNN model from r->ui.  With 'utouch' and 'itouch' (the users and
 * items whose interactions changed since 'old' was computed), only the
 * neighbour lists that can differ are recomputed: those of the changed
 * objects (for adjusted cosine, every item of a changed user: its mean
 * moved) and of every object sharing a user (item) with one of them;
 * the similarity of any other pair is unchanged, so the result is that
 * of a full fit.
 */
static int
fit_knn(struct am_rec *r, const unsigned char *utouch,
    const unsigned char *itouch, const struct csr *old, struct am_pool *pool,
    struct am_err *err)
{
	struct csr c = { 0 }, t = { 0 };
	const struct csr *src = &r->ui, *a, *at;
	unsigned char *chg = NULL, *redo = NULL;
	size_t u, n;
	uint64_t j, g;
	int rc;

	if (r->p.sim == AM_REC_ADJCOS) {
		if (csr_alloc(&c, r->nu, r->ui.nnz) != 0)
			goto nomem;
		memcpy(c.ptr, r->ui.ptr, (r->nu + 1) * sizeof(*c.ptr));
		memcpy(c.idx, r->ui.idx, r->ui.nnz * sizeof(*c.idx));
		for (u = 0; u < r->nu; u++)
			for (j = c.ptr[u]; j < c.ptr[u + 1]; j++)
				c.val[j] = r->ui.val[j] - r->umean[u];
		src = &c;
	}
	if (csr_transpose(src, r->ni, &t) != 0)
		goto nomem;
	a = r->algo == AM_REC_ITEMKNN ? &t : src;
	at = r->algo == AM_REC_ITEMKNN ? src : &t;
	n = a->n;
	if (utouch != NULL) {
		if ((chg = calloc(n + 1, 1)) == NULL ||
		    (redo = calloc(n + 1, 1)) == NULL)
			goto nomem;
		if (r->algo == AM_REC_USERKNN)
			memcpy(chg, utouch, n);
		else
			memcpy(chg, itouch, n);
		if (r->algo == AM_REC_ITEMKNN && r->p.sim == AM_REC_ADJCOS)
			for (u = 0; u < r->nu; u++)
				for (j = r->ui.ptr[u];
				     utouch[u] && j < r->ui.ptr[u + 1]; j++)
					chg[r->ui.idx[j]] = 1;
		for (u = 0; u < n; u++)
			for (j = a->ptr[u]; chg[u] && j < a->ptr[u + 1]; j++)
				for (g = at->ptr[a->idx[j]];
				     g < at->ptr[a->idx[j] + 1]; g++)
					redo[at->idx[g]] = 1;
		for (u = 0; u < n; u++)
			redo[u] |= chg[u];
	}
	rc = knn_fit(r, a, at, redo, old, pool, err);
	free(chg);
	free(redo);
	csr_release(&c);
	csr_release(&t);
	return rc;
nomem:
	free(chg);
	free(redo);
	csr_release(&c);
	csr_release(&t);
	return am_seterr(err, AM_ENOMEM, "out of memory");
}

/* ---- factor models ---------------------------------------------------- */

static int
alloc_factors(struct am_rec *r, struct am_rand *rng, double sd)
{
	size_t k = (size_t)r->k, j;

	r->bu = calloc(r->nu + 1, sizeof(double));
	r->bi = calloc(r->ni + 1, sizeof(double));
	r->P = malloc((r->nu * k + 1) * sizeof(double));
	r->Q = malloc((r->ni * k + 1) * sizeof(double));
	if (!r->bu || !r->bi || !r->P || !r->Q)
		return AM_ENOMEM;
	for (j = 0; j < r->nu * k; j++)
		r->P[j] = sd * am_rand_normal(rng);
	for (j = 0; j < r->ni * k; j++)
		r->Q[j] = sd * am_rand_normal(rng);
	return 0;
}

static double
dotk(const double *a, const double *b, size_t k)
{
	double s = 0;
	size_t f;

	for (f = 0; f < k; f++)
		s += a[f] * b[f];
	return s;
}

static int
fit_mf(struct am_rec *r, struct am_err *err)
{
	struct am_rand rng;
	size_t k = (size_t)r->k, n = r->ui.nnz, e, j, f;
	size_t *ord = malloc((n + 1) * sizeof(size_t));
	uint32_t *pu = malloc((n + 1) * sizeof(uint32_t));
	double lr = r->p.lr, reg = r->p.reg, sse = 0;
	uint64_t q;

	am_rand_seed(&rng, r->p.seed);
	if (ord == NULL || pu == NULL || alloc_factors(r, &rng, 0.1) != 0) {
		free(ord);
		free(pu);
		return am_seterr(err, AM_ENOMEM, "out of memory");
	}
	for (j = 0; j < r->nu; j++)
		for (q = r->ui.ptr[j]; q < r->ui.ptr[j + 1]; q++)
			pu[q] = (uint32_t)j;
	for (j = 0; j < n; j++)
		ord[j] = j;
	for (e = 0; e < (size_t)r->p.iters; e++) {
		am_rand_shuffle(&rng, ord, n);
		for (j = 0; j < n; j++) {
			size_t x = ord[j], u = pu[x], i = r->ui.idx[x];
			double *p = r->P + u * k, *qi = r->Q + i * k;
			double d = r->ui.val[x] -
			    (r->mu + r->bu[u] + r->bi[i] + dotk(p, qi, k));
			r->bu[u] += lr * (d - reg * r->bu[u]);
			r->bi[i] += lr * (d - reg * r->bi[i]);
			for (f = 0; f < k; f++) {
				double pf = p[f];
				p[f] += lr * (d * qi[f] - reg * pf);
				qi[f] += lr * (d * pf - reg * qi[f]);
			}
		}
	}
	for (j = 0; j < n; j++) {
		double d =
		    r->ui.val[j] - am_rec_predict(r, pu[j], r->ui.idx[j]);
		sse += d * d;
	}
	r->train_rmse = n ? sqrt(sse / (double)n) : 0;
	free(ord);
	free(pu);
	return 0;
}

/* ALS half-sweep: solve each row of X given Y (confidence 1 + a v). */
struct als_job {
	const struct csr *m;  /* rows of X -> columns of Y, values */
	const uint32_t *rows; /* the rows to solve; NULL: all */
	size_t nrows;         /* their number */
	double *X;
	const double *Y, *G; /* G = Y'Y */
	size_t k;
	double reg, alpha;
	int cg;
};

#define ALS_CHUNK 64

static void
als_task(void *arg, size_t task)
{
	struct als_job *J = arg;
	size_t k = J->k, lo = task * ALS_CHUNK, hi = lo + ALS_CHUNK, row, a, b;
	size_t pos;
	double buf[4 * 256];
	double *rr = buf, *pp = buf + k, *ap = buf + 2 * k;
	uint64_t q;
	int s;

	if (hi > J->nrows)
		hi = J->nrows;
	for (pos = lo; pos < hi; pos++) {
		double *x, rs, rn;
		row = J->rows != NULL ? J->rows[pos] : pos;
		x = J->X + row * k;
		/* r = b - A x, A x = G x + reg x + sum (c - 1)(y'x) y */
		for (a = 0; a < k; a++) {
			double t = 0;
			for (b = 0; b < k; b++)
				t += J->G[a * k + b] * x[b];
			rr[a] = -t - J->reg * x[a];
		}
		for (q = J->m->ptr[row]; q < J->m->ptr[row + 1]; q++) {
			const double *y = J->Y + (size_t)J->m->idx[q] * k;
			double c = 1 + J->alpha * J->m->val[q];
			double t = c - (c - 1) * dotk(y, x, k);
			for (a = 0; a < k; a++)
				rr[a] += t * y[a];
		}
		memcpy(pp, rr, k * sizeof(double));
		rs = dotk(rr, rr, k);
		for (s = 0; s < J->cg && rs > 1e-20; s++) {
			double al;
			for (a = 0; a < k; a++) {
				double t = 0;
				for (b = 0; b < k; b++)
					t += J->G[a * k + b] * pp[b];
				ap[a] = t + J->reg * pp[a];
			}
			for (q = J->m->ptr[row]; q < J->m->ptr[row + 1]; q++) {
				const double *y =
				    J->Y + (size_t)J->m->idx[q] * k;
				double c = 1 + J->alpha * J->m->val[q];
				double t = (c - 1) * dotk(y, pp, k);
				for (a = 0; a < k; a++)
					ap[a] += t * y[a];
			}
			al = rs / dotk(pp, ap, k);
			for (a = 0; a < k; a++) {
				x[a] += al * pp[a];
				rr[a] -= al * ap[a];
			}
			rn = dotk(rr, rr, k);
			for (a = 0; a < k; a++)
				pp[a] = rr[a] + rn / rs * pp[a];
			rs = rn;
		}
	}
}

static void
gram(const double *Y, size_t n, size_t k, double *G)
{
	size_t i, a, b;

	memset(G, 0, k * k * sizeof(double));
	for (i = 0; i < n; i++) {
		const double *y = Y + i * k;
		for (a = 0; a < k; a++)
			for (b = a; b < k; b++)
				G[a * k + b] += y[a] * y[b];
	}
	for (a = 0; a < k; a++)
		for (b = 0; b < a; b++)
			G[a * k + b] = G[b * k + a];
}

/*
 * 'n' alternations: the users' factors given the items', then the
 * items' given the users' ('t' is r->ui transposed, 'G' k x k
 * scratch), each least-squares step 'cg' conjugate-gradient steps; only
 * the 'nu' users 'us' and 'ni' items 'is' when those are not NULL.
 */
static void
als_sweeps(struct am_rec *r, const struct csr *t, double *G, const uint32_t *us,
    size_t nu, const uint32_t *is, size_t ni, int n, int cg,
    struct am_pool *pool)
{
	struct als_job J;
	size_t k = (size_t)r->k;
	int it;

	memset(&J, 0, sizeof(J));
	J.k = k;
	J.reg = r->p.reg;
	J.alpha = r->p.alpha;
	J.cg = cg;
	J.G = G;
	for (it = 0; it < n; it++) {
		gram(r->Q, r->ni, k, G);
		J.m = &r->ui;
		J.X = r->P;
		J.Y = r->Q;
		J.rows = us;
		J.nrows = us != NULL ? nu : r->nu;
		am_pool_run(pool, (J.nrows + ALS_CHUNK - 1) / ALS_CHUNK,
		    als_task, &J);
		gram(r->P, r->nu, k, G);
		J.m = t;
		J.X = r->Q;
		J.Y = r->P;
		J.rows = is;
		J.nrows = is != NULL ? ni : r->ni;
		am_pool_run(pool, (J.nrows + ALS_CHUNK - 1) / ALS_CHUNK,
		    als_task, &J);
	}
}

static int
fit_ials(struct am_rec *r, struct am_pool *pool, struct am_err *err)
{
	struct am_rand rng;
	struct csr t = { 0 };
	size_t k = (size_t)r->k;
	double *G = malloc(k * k * sizeof(double));

	am_rand_seed(&rng, r->p.seed);
	if (G == NULL || alloc_factors(r, &rng, 0.01) != 0 ||
	    csr_transpose(&r->ui, r->ni, &t) != 0) {
		free(G);
		csr_release(&t);
		return am_seterr(err, AM_ENOMEM, "out of memory");
	}
	als_sweeps(r, &t, G, NULL, 0, NULL, 0, r->p.iters, 3, pool);
	free(G);
	csr_release(&t);
	return 0;
}

static int
fit_bpr(struct am_rec *r, struct am_err *err)
{
	struct am_rand rng;
	size_t k = (size_t)r->k, n = r->ui.nnz, s, f, j;
	uint32_t *pu = malloc((n + 1) * sizeof(uint32_t));
	double lr = r->p.lr, reg = r->p.reg;
	uint64_t q;

	am_rand_seed(&rng, r->p.seed);
	if (pu == NULL || alloc_factors(r, &rng, 0.1) != 0) {
		free(pu);
		return am_seterr(err, AM_ENOMEM, "out of memory");
	}
	for (j = 0; j < r->nu; j++)
		for (q = r->ui.ptr[j]; q < r->ui.ptr[j + 1]; q++)
			pu[q] = (uint32_t)j;
	for (s = 0; s < (size_t)r->p.iters * n; s++) {
		size_t x = (size_t)am_rand_below(&rng, n), u = pu[x];
		size_t i = r->ui.idx[x], jn, tries = 0;
		double *p, *qi, *qj, d, g;
		if (r->ui.ptr[u + 1] - r->ui.ptr[u] >= r->ni)
			continue;
		do
			jn = (size_t)am_rand_below(&rng, r->ni);
		while (csr_find(&r->ui, u, (uint32_t)jn) >= 0 && ++tries < 100);
		p = r->P + u * k;
		qi = r->Q + i * k;
		qj = r->Q + jn * k;
		d = r->bi[i] - r->bi[jn] + dotk(p, qi, k) - dotk(p, qj, k);
		g = 1 / (1 + exp(d)); /* sigma(-d) */
		r->bi[i] += lr * (g - reg * r->bi[i]);
		r->bi[jn] += lr * (-g - reg * r->bi[jn]);
		for (f = 0; f < k; f++) {
			double pf = p[f];
			p[f] += lr * (g * (qi[f] - qj[f]) - reg * pf);
			qi[f] += lr * (g * pf - reg * qi[f]);
			qj[f] += lr * (-g * pf - reg * qj[f]);
		}
	}
	free(pu);
	return 0;
}

/* ---- fit, free, accessors ---------------------------------------------- */

static struct am_rec *
rec_new(void)
{
	struct am_rec *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	r->users = am_strtab_new(NULL);
	r->items = am_strtab_new(NULL);
	r->ctxs = am_strtab_new(NULL);
	r->train_rmse = (double)NAN;
	if (!r->users || !r->items || !r->ctxs) {
		am_rec_free(r);
		return NULL;
	}
	return r;
}

void
am_rec_free(struct am_rec *r)
{
	size_t j;

	if (r == NULL)
		return;
	for (j = 0; j < 5; j++)
		free(r->col[j]);
	am_strtab_free(r->users);
	am_strtab_free(r->items);
	am_strtab_free(r->ctxs);
	csr_release(&r->ui);
	csr_release(&r->ctx);
	csr_release(&r->nbr);
	free(r->pop);
	free(r->popg);
	free(r->order);
	free(r->bu);
	free(r->bi);
	free(r->P);
	free(r->Q);
	free(r->umean);
	free(r->imean);
	free(r);
}

static char *
xstrdup(const char *s)
{
	size_t n;
	char *d;

	if (s == NULL)
		return NULL;
	n = strlen(s) + 1;
	if ((d = malloc(n)) != NULL)
		memcpy(d, s, n);
	return d;
}

static void
set_defaults(struct am_rec_params *p)
{
	static const int iters[] = { 0, 0, 0, 40, 15, 30 };
	static const double lr[] = { 0, 0, 0, 0.01, 0, 0.05 };
	static const double reg[] = { 0, 0, 0, 0.1, 100, 0.002 };

	if (p->iters <= 0)
		p->iters = iters[p->algo];
	if (p->lr <= 0)
		p->lr = lr[p->algo];
	if (p->reg <= 0)
		p->reg = reg[p->algo];
	if (p->threads < 1)
		p->threads = 1;
}

struct am_rec *
am_rec_fit(const char *path, const struct am_rec_input *in,
    const struct am_rec_params *p, struct am_rec_report *rep,
    struct am_err *err)
{
	struct am_rec *r;
	struct am_pool *pool = NULL;
	struct row *rows = NULL;
	size_t nrows = 0;
	int rc;

	memset(rep, 0, sizeof(*rep));
	rep->train_rmse = (double)NAN;
	if (p->algo < 0 || p->algo > AM_REC_BPR || p->k < 1 || p->factors < 1 ||
	    p->factors > 256) {
		am_seterr(err, AM_EARG, "bad recommender parameters");
		return NULL;
	}
	if ((r = rec_new()) == NULL) {
		am_seterr(err, AM_ENOMEM, "out of memory");
		return NULL;
	}
	r->algo = p->algo;
	r->p = *p;
	set_defaults(&r->p);
	r->k = p->factors;
	if ((in->user && !(r->col[0] = xstrdup(in->user))) ||
	    (in->item && !(r->col[1] = xstrdup(in->item))) ||
	    (in->value && !(r->col[2] = xstrdup(in->value))) ||
	    (in->time && !(r->col[3] = xstrdup(in->time))) ||
	    (in->context && !(r->col[4] = xstrdup(in->context)))) {
		rc = am_seterr(err, AM_ENOMEM, "out of memory");
		goto out;
	}
	if ((rc = read_log(r, path, in, rep, &rows, &nrows, err)) != 0)
		goto out;
	if ((rc = build_data(r, rows, nrows, rep)) != 0 ||
	    (rc = build_means(r)) != 0) {
		rc = am_seterr(err, AM_ENOMEM, "out of memory");
		goto out;
	}
	free(rows);
	rows = NULL;
	if ((pool = am_pool_new(r->p.threads, err)) == NULL) {
		rc = err->code;
		goto out;
	}
	switch (r->algo) {
	case AM_REC_ITEMKNN:
	case AM_REC_USERKNN:
		rc = fit_knn(r, NULL, NULL, NULL, pool, err);
		break;
	case AM_REC_MF:
		rc = fit_mf(r, err);
		break;
	case AM_REC_IALS:
		rc = fit_ials(r, pool, err);
		break;
	case AM_REC_BPR:
		rc = fit_bpr(r, err);
		break;
	default:
		rc = 0;
	}
	rep->train_rmse = r->train_rmse;
out:
	am_pool_free(pool);
	free(rows);
	if (rc != 0) {
		am_rec_free(r);
		return NULL;
	}
	return r;
}

int
am_rec_algo(const struct am_rec *r)
{
	return r->algo;
}

const char *
am_rec_algo_name(const struct am_rec *r)
{
	return algo_names[r->algo];
}

size_t
am_rec_nusers(const struct am_rec *r)
{
	return r->nu;
}

size_t
am_rec_nitems(const struct am_rec *r)
{
	return r->ni;
}

const char *
am_rec_user_name(const struct am_rec *r, size_t u)
{
	return am_strtab_get(r->users, (uint32_t)u);
}

const char *
am_rec_item_name(const struct am_rec *r, size_t i)
{
	return am_strtab_get(r->items, (uint32_t)i);
}

long
am_rec_user_find(const struct am_rec *r, const char *name)
{
	return am_strtab_find(r->users, name);
}

long
am_rec_item_find(const struct am_rec *r, const char *name)
{
	return am_strtab_find(r->items, name);
}

long
am_rec_context_find(const struct am_rec *r, const char *name)
{
	return am_strtab_find(r->ctxs, name);
}

const char *
am_rec_col(const struct am_rec *r, int which)
{
	return which >= 0 && which < 5 ? r->col[which] : NULL;
}

/* ---- update and merge ------------------------------------------------ */

struct trip {
	uint32_t c, i;
	double v;
};

static int
cmp_trip(const void *pa, const void *pb)
{
	const struct trip *a = pa, *b = pb;

	if (a->c != b->c)
		return a->c < b->c ? -1 : 1;
	return (a->i > b->i) - (a->i < b->i);
}

/*
 * r->ctx from 'n' (context, item, count) triples, repeats adding up,
 * each context's items ranked as build_data() ranks them (r->pop set).
 */
static int
ctx_from_trips(struct am_rec *r, struct trip *tr, size_t n, size_t nctx)
{
	size_t j, np = 0;
	double *sc;
	uint32_t *tmp;

	qsort(tr, n, sizeof(*tr), cmp_trip);
	for (j = 0; j < n; j++)
		np +=
		    j == 0 || tr[j].c != tr[j - 1].c || tr[j].i != tr[j - 1].i;
	csr_release(&r->ctx);
	if (csr_alloc(&r->ctx, nctx, np) != 0)
		return AM_ENOMEM;
	for (j = 0, np = 0; j < n; j++) {
		if (j == 0 || tr[j].c != tr[j - 1].c ||
		    tr[j].i != tr[j - 1].i) {
			r->ctx.idx[np] = tr[j].i;
			r->ctx.val[np++] = 0;
			r->ctx.ptr[tr[j].c + 1]++;
		}
		r->ctx.val[np - 1] += tr[j].v;
	}
	for (j = 0; j < nctx; j++)
		r->ctx.ptr[j + 1] += r->ctx.ptr[j];
	sc = calloc(r->ni + 1, sizeof(double));
	tmp = malloc((r->ni + 1) * sizeof(*tmp));
	if (sc == NULL || tmp == NULL) {
		free(sc);
		free(tmp);
		return AM_ENOMEM;
	}
	for (j = 0; j < nctx; j++) {
		uint64_t a = r->ctx.ptr[j], b = r->ctx.ptr[j + 1], q;
		for (q = a; q < b; q++)
			sc[r->ctx.idx[q]] = r->ctx.val[q];
		sort_items(r->ctx.idx + a, (size_t)(b - a), sc, r->pop, tmp);
		for (q = a; q < b; q++)
			r->ctx.val[q] = sc[r->ctx.idx[q]];
	}
	free(sc);
	free(tmp);
	return 0;
}

/* The ids in 'to' of the names of 'from', interned in order. */
static uint32_t *
map_tab(struct am_strtab *to, const struct am_strtab *from)
{
	size_t j, n = am_strtab_size(from);
	uint32_t *map = malloc((n + 1) * sizeof(*map));

	for (j = 0; map != NULL && j < n; j++) {
		const char *s = am_strtab_get(from, (uint32_t)j);
		if (am_strtab_intern(to, s, strlen(s), &map[j], NULL) != 0) {
			free(map);
			return NULL;
		}
	}
	return map;
}

struct ent {
	uint32_t i;
	double v;
};

static int
cmp_ent(const void *pa, const void *pb)
{
	const struct ent *a = pa, *b = pb;

	return (a->i > b->i) - (a->i < b->i);
}

/* What absorb() learned about the rows it added. */
struct absorbed {
	uint32_t *umap, *imap;  /* b's ids -> r's */
	unsigned char *ut, *it; /* r's users, items that b touched */
};

static void
absorbed_release(struct absorbed *x)
{
	free(x->umap);
	free(x->imap);
	free(x->ut);
	free(x->it);
	memset(x, 0, sizeof(*x));
}

/*
 * Add the data of 'b' to r's: names joined (r's first), interaction
 * values added (mf: b's replace), event and context counts added; then
 * the order and means rebuilt.  The model itself is left to the caller.
 */
static int
absorb(struct am_rec *r, const struct am_rec *b, struct absorbed *x)
{
	struct csr ui = { 0 };
	struct trip *tr = NULL;
	struct ent *row = NULL;
	uint32_t *cmap = NULL, *inv = NULL;
	size_t nu, ni, nctx, u, j, q, nt = 0;
	double *np;
	int rc = AM_ENOMEM, last = r->algo == AM_REC_MF;
	uint64_t a;

	memset(x, 0, sizeof(*x));
	if ((x->umap = map_tab(r->users, b->users)) == NULL ||
	    (x->imap = map_tab(r->items, b->items)) == NULL ||
	    (cmap = map_tab(r->ctxs, b->ctxs)) == NULL)
		goto out;
	nu = am_strtab_size(r->users);
	ni = am_strtab_size(r->items);
	nctx = am_strtab_size(r->ctxs);
	x->ut = calloc(nu + 1, 1);
	x->it = calloc(ni + 1, 1);
	inv = malloc((nu + 1) * sizeof(*inv));
	row = malloc((ni + 1) * sizeof(*row));
	if (x->ut == NULL || x->it == NULL || inv == NULL || row == NULL ||
	    csr_alloc(&ui, nu, r->ui.nnz + b->ui.nnz) != 0)
		goto out;
	for (u = 0; u < nu; u++)
		inv[u] = UINT32_MAX;
	for (u = 0; u < b->nu; u++)
		inv[x->umap[u]] = (uint32_t)u;
	for (u = 0, q = 0; u < nu; u++) {
		uint64_t pa = 0, ea = 0;
		size_t nb = 0, pb = 0;
		if (u < r->nu) {
			pa = r->ui.ptr[u];
			ea = r->ui.ptr[u + 1];
		}
		if (inv[u] != UINT32_MAX) {
			for (a = b->ui.ptr[inv[u]]; a < b->ui.ptr[inv[u] + 1];
			     a++) {
				row[nb].i = x->imap[b->ui.idx[a]];
				row[nb++].v = b->ui.val[a];
			}
			qsort(row, nb, sizeof(*row), cmp_ent);
			x->ut[u] = nb > 0;
		}
		while (pa < ea || pb < nb) {
			if (pb == nb ||
			    (pa < ea && r->ui.idx[pa] < row[pb].i)) {
				ui.idx[q] = r->ui.idx[pa];
				ui.val[q++] = r->ui.val[pa++];
				continue;
			}
			x->it[row[pb].i] = 1;
			ui.idx[q] = row[pb].i;
			ui.val[q] = row[pb].v;
			if (pa < ea && r->ui.idx[pa] == row[pb].i)
				ui.val[q] += last ? 0 : r->ui.val[pa++];
			q++;
			pb++;
		}
		ui.ptr[u + 1] = q;
	}
	ui.nnz = q;
	csr_release(&r->ui);
	r->ui = ui;
	memset(&ui, 0, sizeof(ui));
	/* event counts */
	if ((np = realloc(r->pop, (ni + 1) * sizeof(double))) == NULL)
		goto out;
	r->pop = np;
	if ((np = realloc(r->popg, (ni + 1) * sizeof(double))) == NULL)
		goto out;
	r->popg = np;
	for (j = r->ni; j < ni; j++)
		r->pop[j] = r->popg[j] = 0;
	for (j = 0; j < b->ni; j++) {
		r->pop[x->imap[j]] += b->pop[j];
		r->popg[x->imap[j]] += b->popg[j];
	}
	r->nu = nu;
	r->ni = ni;
	/* context counts */
	if (nctx > 0) {
		if ((tr = malloc(
		         (r->ctx.nnz + b->ctx.nnz + 1) * sizeof(*tr))) == NULL)
			goto out;
		for (j = 0; j < r->ctx.n; j++)
			for (a = r->ctx.ptr[j]; a < r->ctx.ptr[j + 1]; a++) {
				tr[nt].c = (uint32_t)j;
				tr[nt].i = r->ctx.idx[a];
				tr[nt++].v = r->ctx.val[a];
			}
		for (j = 0; j < b->ctx.n; j++)
			for (a = b->ctx.ptr[j]; a < b->ctx.ptr[j + 1]; a++) {
				tr[nt].c = cmap[j];
				tr[nt].i = x->imap[b->ctx.idx[a]];
				tr[nt++].v = b->ctx.val[a];
			}
		if (ctx_from_trips(r, tr, nt, nctx) != 0)
			goto out;
	}
	if (build_order(r) != 0 || build_means(r) != 0)
		goto out;
	rc = 0;
out:
	csr_release(&ui);
	free(tr);
	free(row);
	free(cmap);
	free(inv);
	return rc;
}

/* Grow the factors to r->nu x r->ni, new rows random, new biases 0. */
static int
grow_factors(struct am_rec *r, size_t onu, size_t oni, unsigned long long seed)
{
	struct am_rand rng;
	size_t k = (size_t)r->k, j;
	double *v, sd = r->algo == AM_REC_IALS ? 0.01 : 0.1;

	am_rand_seed(&rng, seed);
	if ((v = realloc(r->bu, (r->nu + 1) * sizeof(double))) == NULL)
		return AM_ENOMEM;
	r->bu = v;
	if ((v = realloc(r->bi, (r->ni + 1) * sizeof(double))) == NULL)
		return AM_ENOMEM;
	r->bi = v;
	if ((v = realloc(r->P, (r->nu * k + 1) * sizeof(double))) == NULL)
		return AM_ENOMEM;
	r->P = v;
	if ((v = realloc(r->Q, (r->ni * k + 1) * sizeof(double))) == NULL)
		return AM_ENOMEM;
	r->Q = v;
	for (j = onu; j < r->nu; j++)
		r->bu[j] = 0;
	for (j = oni; j < r->ni; j++)
		r->bi[j] = 0;
	for (j = onu * k; j < r->nu * k; j++)
		r->P[j] = sd * am_rand_normal(&rng);
	for (j = oni * k; j < r->ni * k; j++)
		r->Q[j] = sd * am_rand_normal(&rng);
	return 0;
}

/*
 * SGD over the 'n' new pairs (user pu[x], item pi[x], value pv[x]) for
 * 'epochs' epochs; with 'onu', 'oni' > 0 only users >= onu and items
 * >= oni move (fold-in), with 0 everything moves.
 */
static void
sgd_new(struct am_rec *r, const uint32_t *pu, const uint32_t *pi,
    const double *pv, size_t n, int epochs, size_t onu, size_t oni,
    struct am_rand *rng, size_t *ord)
{
	size_t k = (size_t)r->k, e, j, f;
	double lr = r->p.lr, reg = r->p.reg;

	for (j = 0; j < n; j++)
		ord[j] = j;
	for (e = 0; e < (size_t)epochs && n > 0; e++) {
		if (r->algo == AM_REC_MF)
			am_rand_shuffle(rng, ord, n);
		for (j = 0; j < n; j++) {
			size_t x = r->algo == AM_REC_MF
			    ? ord[j]
			    : (size_t)am_rand_below(rng, n);
			size_t u = pu[x], i = pi[x], jn = 0, tries = 0;
			int mu = u >= onu, mi = i >= oni, mj;
			double *p = r->P + u * k, *qi = r->Q + i * k, *qj, d, g;
			if (r->algo == AM_REC_MF) {
				d = pv[x] -
				    (r->mu + r->bu[u] + r->bi[i] +
				        dotk(p, qi, k));
				if (mu)
					r->bu[u] += lr * (d - reg * r->bu[u]);
				if (mi)
					r->bi[i] += lr * (d - reg * r->bi[i]);
				for (f = 0; f < k; f++) {
					double pf = p[f];
					if (mu)
						p[f] +=
						    lr * (d * qi[f] - reg * pf);
					if (mi)
						qi[f] +=
						    lr * (d * pf - reg * qi[f]);
				}
				continue;
			}
			/* bpr: a seen item against an unseen one */
			if (r->ui.ptr[u + 1] - r->ui.ptr[u] >= r->ni)
				continue;
			do
				jn = (size_t)am_rand_below(rng, r->ni);
			while (csr_find(&r->ui, u, (uint32_t)jn) >= 0 &&
			    ++tries < 100);
			mj = jn >= oni;
			qj = r->Q + jn * k;
			d = r->bi[i] - r->bi[jn] + dotk(p, qi, k) -
			    dotk(p, qj, k);
			g = 1 / (1 + exp(d));
			if (mi)
				r->bi[i] += lr * (g - reg * r->bi[i]);
			if (mj)
				r->bi[jn] += lr * (-g - reg * r->bi[jn]);
			for (f = 0; f < k; f++) {
				double pf = p[f];
				if (mu)
					p[f] += lr *
					    (g * (qi[f] - qj[f]) - reg * pf);
				if (mi)
					qi[f] += lr * (g * pf - reg * qi[f]);
				if (mj)
					qj[f] += lr * (-g * pf - reg * qj[f]);
			}
		}
	}
}

/* Fold the new pairs of 'b' (ids mapped by 'x') into r's factors. */
static int
fold_in(struct am_rec *r, const struct am_rec *b, const struct absorbed *x,
    size_t onu, size_t oni, const struct am_rec_params *p, struct am_pool *pool)
{
	struct am_rand rng;
	size_t n = b->ui.nnz, j, q, nus = 0, nis = 0, k = (size_t)r->k;
	uint32_t *pu = NULL, *pi = NULL, *us = NULL, *is = NULL;
	double *pv = NULL, *G = NULL, sse = 0;
	size_t *ord = NULL;
	struct csr t = { 0 };
	int rc = AM_ENOMEM, iters = p->iters;

	if (grow_factors(r, onu, oni, p->seed) != 0)
		return AM_ENOMEM;
	am_rand_seed(&rng, p->seed ^ 0x9e3779b97f4a7c15ULL);
	if (r->algo == AM_REC_IALS) {
		us = malloc((r->nu + 1) * sizeof(*us));
		is = malloc((r->ni + 1) * sizeof(*is));
		G = malloc((k * k + 1) * sizeof(*G));
		if (us == NULL || is == NULL || G == NULL ||
		    csr_transpose(&r->ui, r->ni, &t) != 0)
			goto out;
		for (j = 0; j < r->nu; j++)
			if (x->ut[j])
				us[nus++] = (uint32_t)j;
		for (j = 0; j < r->ni; j++)
			if (x->it[j])
				is[nis++] = (uint32_t)j;
		als_sweeps(r, &t, G, us, nus, is, nis, iters > 0 ? iters : 2,
		    (int)k, pool);
		als_sweeps(r, &t, G, NULL, 0, NULL, 0, p->passes, 3, pool);
		rc = 0;
		goto out;
	}
	pu = malloc((n + 1) * sizeof(*pu));
	pi = malloc((n + 1) * sizeof(*pi));
	pv = malloc((n + 1) * sizeof(*pv));
	ord = malloc((n + 1) * sizeof(*ord));
	if (pu == NULL || pi == NULL || pv == NULL || ord == NULL)
		goto out;
	for (j = 0; j < b->nu; j++)
		for (q = b->ui.ptr[j]; q < b->ui.ptr[j + 1]; q++) {
			pu[q] = x->umap[j];
			pi[q] = x->imap[b->ui.idx[q]];
			pv[q] = b->ui.val[q];
		}
	sgd_new(r, pu, pi, pv, n, iters > 0 ? iters : r->p.iters, onu, oni,
	    &rng, ord);
	sgd_new(r, pu, pi, pv, n, p->passes, 0, 0, &rng, ord);
	if (r->algo == AM_REC_MF) {
		for (j = 0; j < r->nu; j++)
			for (q = r->ui.ptr[j]; q < r->ui.ptr[j + 1]; q++) {
				double d = r->ui.val[q] -
				    am_rec_predict(r, (long)j, r->ui.idx[q]);
				sse += d * d;
			}
		r->train_rmse = r->ui.nnz ? sqrt(sse / (double)r->ui.nnz) : 0;
	}
	rc = 0;
out:
	csr_release(&t);
	free(us);
	free(is);
	free(G);
	free(pu);
	free(pi);
	free(pv);
	free(ord);
	return rc;
}

int
am_rec_update(struct am_rec *r, const char *path, const struct am_rec_input *in,
    const struct am_rec_params *p, struct am_rec_report *rep,
    struct am_err *err)
{
	struct am_rec_input ri = { NULL, NULL, NULL, NULL, NULL, NULL, 0 };
	struct am_rec *b = NULL;
	struct am_pool *pool = NULL;
	struct absorbed x = { 0 };
	struct csr old = { 0 };
	struct row *rows = NULL;
	size_t nrows = 0, onu = r->nu, oni = r->ni;
	int rc;

	memset(rep, 0, sizeof(*rep));
	rep->train_rmse = (double)NAN;
	if (r->p.half_life > 0 || r->p.window > 0)
		return am_seterr(err, AM_EARG,
		    "%s models with a half-life or a window cannot be "
		    "updated (fit on all rows)",
		    algo_names[r->algo]);
	ri.user = r->col[0];
	ri.item = r->col[1];
	ri.value = r->col[2];
	ri.time = r->col[3];
	ri.context = r->col[4];
	ri.where = in->where;
	ri.delim = in->delim;
	if ((b = rec_new()) == NULL)
		return am_seterr(err, AM_ENOMEM, "out of memory");
	b->algo = r->algo;
	b->p = r->p;
	if ((rc = read_log(b, path, &ri, rep, &rows, &nrows, err)) != 0)
		goto out;
	rc = AM_ENOMEM;
	if (build_data(b, rows, nrows, rep) != 0 || absorb(r, b, &x) != 0) {
		am_seterr(err, rc, "out of memory");
		goto out;
	}
	rep->users = r->nu;
	rep->items = r->ni;
	rep->pairs = r->ui.nnz;
	if ((pool = am_pool_new(p->threads > 0 ? p->threads : 1, err)) ==
	    NULL) {
		rc = err != NULL ? err->code : AM_ENOMEM;
		goto out;
	}
	switch (r->algo) {
	case AM_REC_ITEMKNN:
	case AM_REC_USERKNN:
		old = r->nbr;
		memset(&r->nbr, 0, sizeof(r->nbr));
		rc = fit_knn(r, x.ut, x.it, &old, pool, err);
		break;
	case AM_REC_MF:
	case AM_REC_IALS:
	case AM_REC_BPR:
		if ((rc = fold_in(r, b, &x, onu, oni, p, pool)) != 0)
			am_seterr(err, rc, "out of memory");
		break;
	default:
		rc = 0;
	}
	rep->train_rmse = r->train_rmse;
out:
	csr_release(&old);
	absorbed_release(&x);
	am_pool_free(pool);
	free(rows);
	am_rec_free(b);
	return rc;
}

struct am_rec *
am_rec_merge(const struct am_rec *const *src, size_t n, int threads,
    struct am_err *err)
{
	struct am_rec *r = NULL;
	struct am_pool *pool = NULL;
	struct absorbed x;
	size_t i, j;

	if (n == 0) {
		am_seterr(err, AM_EARG, "no recommenders to merge");
		return NULL;
	}
	if (src[0]->algo >= AM_REC_MF) {
		am_seterr(err, AM_EARG,
		    "%s models cannot be merged: the factors of separate fits "
		    "do not align (fit one model on all rows, or use "
		    "am-train --update)",
		    algo_names[src[0]->algo]);
		return NULL;
	}
	for (i = 0; i < n; i++) {
		const struct am_rec *s = src[i];
		if (s->p.half_life > 0 || s->p.window > 0) {
			am_seterr(err, AM_EARG,
			    "recommender %zu has a half-life or a window: "
			    "cannot merge",
			    i + 1);
			return NULL;
		}
		for (j = 0; j < 5; j++)
			if ((s->col[j] == NULL) != (src[0]->col[j] == NULL) ||
			    (s->col[j] != NULL &&
			        strcmp(s->col[j], src[0]->col[j]) != 0))
				break;
		if (s->algo != src[0]->algo || j < 5 ||
		    (s->algo != AM_REC_POPULARITY &&
		        (s->p.sim != src[0]->p.sim || s->p.k != src[0]->p.k ||
		            s->p.shrink != src[0]->p.shrink))) {
			am_seterr(err, AM_EMODEL,
			    "recommender %zu has another algorithm, columns or "
			    "settings than recommender 1: cannot merge",
			    i + 1);
			return NULL;
		}
	}
	if ((r = rec_new()) == NULL)
		goto nomem;
	r->algo = src[0]->algo;
	r->p = src[0]->p;
	r->k = src[0]->k;
	for (j = 0; j < 5; j++)
		if (src[0]->col[j] != NULL &&
		    (r->col[j] = xstrdup(src[0]->col[j])) == NULL)
			goto nomem;
	if (csr_alloc(&r->ui, 0, 0) != 0 ||
	    (r->pop = calloc(1, sizeof(double))) == NULL ||
	    (r->popg = calloc(1, sizeof(double))) == NULL)
		goto nomem;
	for (i = 0; i < n; i++) {
		int rc = absorb(r, src[i], &x);
		absorbed_release(&x);
		if (rc != 0)
			goto nomem;
	}
	if (r->algo == AM_REC_ITEMKNN || r->algo == AM_REC_USERKNN) {
		if ((pool = am_pool_new(threads > 0 ? threads : 1, err)) ==
		        NULL ||
		    fit_knn(r, NULL, NULL, NULL, pool, err) != 0)
			goto fail;
	}
	am_pool_free(pool);
	return r;
nomem:
	am_seterr(err, AM_ENOMEM, "out of memory");
fail:
	am_pool_free(pool);
	am_rec_free(r);
	return NULL;
}

struct am_art *
am_rec_merge_art(struct am_art *const *in, size_t n, struct am_err *err)
{
	struct am_rec **src, *m = NULL;
	struct am_art *out = NULL;
	char name[32];
	size_t i;

	if ((src = calloc(n + 1, sizeof(*src))) == NULL) {
		am_seterr(err, AM_ENOMEM, "out of memory");
		return NULL;
	}
	for (i = 0; i < n; i++) {
		(void)snprintf(name, sizeof(name), "recommender %zu", i + 1);
		if ((src[i] = am_rec_load(in[i], name, err)) == NULL)
			goto out;
	}
	if ((m = am_rec_merge((const struct am_rec *const *)src, n, 1, err)) ==
	    NULL)
		goto out;
	if ((out = am_art_new("recommender", am_rec_algo_name(m))) == NULL) {
		am_seterr(err, AM_ENOMEM, "out of memory");
		goto out;
	}
	if (am_rec_save(m, out, err) != 0) {
		am_art_free(out);
		out = NULL;
	}
out:
	am_rec_free(m);
	for (i = 0; i < n; i++)
		am_rec_free(src[i]);
	free(src);
	return out;
}

/* ---- save and load ----------------------------------------------------- */

static void
put_tab(struct am_buf *b, const struct am_strtab *t)
{
	size_t j, n = am_strtab_size(t);

	am_buf_u32(b, (uint32_t)n);
	for (j = 0; j < n; j++)
		am_buf_str(b, am_strtab_get(t, (uint32_t)j));
}

static void
put_csr(struct am_buf *b, const struct csr *c)
{
	size_t j;

	am_buf_u64(b, c->n);
	am_buf_u64(b, c->nnz);
	for (j = 0; j <= c->n; j++)
		am_buf_u64(b, c->ptr ? c->ptr[j] : 0);
	for (j = 0; j < c->nnz; j++)
		am_buf_u32(b, c->idx[j]);
	am_buf_f64s(b, c->val, c->nnz);
}

static int
get_tab(struct am_rd *rd, struct am_strtab *t)
{
	uint32_t n = am_rd_u32(rd), j, id;

	if (am_rd_error(rd) || n > am_rd_left(rd) / 4)
		return -1;
	for (j = 0; j < n; j++) {
		char *s = am_rd_str(rd, 1u << 20);
		if (s == NULL)
			return -1;
		if (am_strtab_intern(t, s, strlen(s), &id, NULL) != 0 ||
		    id != j) {
			free(s);
			return -1;
		}
		free(s);
	}
	return 0;
}

static int
get_csr(struct am_rd *rd, struct csr *c, size_t nrows, size_t ncols)
{
	uint64_t n = am_rd_u64(rd), nnz = am_rd_u64(rd);
	size_t j;

	if (am_rd_error(rd) || n != nrows || n > am_rd_left(rd) / 8 ||
	    nnz > am_rd_left(rd) / 12)
		return -1;
	if (csr_alloc(c, (size_t)n, (size_t)nnz) != 0)
		return -1;
	for (j = 0; j <= n; j++) {
		c->ptr[j] = am_rd_u64(rd);
		if ((j == 0 && c->ptr[0] != 0) ||
		    (j > 0 && c->ptr[j] < c->ptr[j - 1]) || c->ptr[j] > nnz)
			return -1;
	}
	if (c->ptr[n] != nnz)
		return -1;
	for (j = 0; j < nnz; j++)
		if ((c->idx[j] = am_rd_u32(rd)) >= ncols)
			return -1;
	am_rd_f64s(rd, c->val, (size_t)nnz);
	return am_rd_error(rd) ? -1 : 0;
}

int
am_rec_save(const struct am_rec *r, struct am_art *a, struct am_err *err)
{
	static const char *const keys[] = { "rec.user", "rec.item", "rec.value",
		"rec.time", "rec.context" };
	struct am_buf b = AM_BUF_INIT;
	size_t j;
	int rc = 0;

	static const int types[] = { AM_COL_CATEGORY, AM_COL_CATEGORY,
		AM_COL_NUMBER, AM_COL_DATE, AM_COL_CATEGORY };
	for (j = 0; j < 5; j++)
		if (r->col[j] != NULL)
			rc |= am_art_set(a, keys[j], r->col[j]) |
			    am_art_add_col(a, r->col[j], types[j]);
	rc |= am_art_setf(a, "rec.users", "%zu", r->nu);
	rc |= am_art_setf(a, "rec.items", "%zu", r->ni);
	rc |= am_art_setf(a, "rec.pairs", "%zu", r->ui.nnz);
	if (r->algo == AM_REC_ITEMKNN || r->algo == AM_REC_USERKNN) {
		rc |= am_art_set(a, "hyper.similarity", sim_names[r->p.sim]);
		rc |= am_art_setf(a, "hyper.k", "%d", r->p.k);
		rc |= am_art_setf(a, "hyper.shrink", "%.17g", r->p.shrink);
	}
	if (r->algo >= AM_REC_MF) {
		rc |= am_art_setf(a, "hyper.factors", "%d", r->k);
		rc |= am_art_setf(a, "hyper.iterations", "%d", r->p.iters);
		rc |= am_art_setf(a, "hyper.reg", "%.17g", r->p.reg);
		if (r->algo == AM_REC_IALS)
			rc |=
			    am_art_setf(a, "hyper.alpha", "%.17g", r->p.alpha);
		else
			rc |= am_art_setf(a, "hyper.lr", "%.17g", r->p.lr);
	}
	if (r->p.half_life > 0)
		rc |=
		    am_art_setf(a, "hyper.half_life", "%.17g", r->p.half_life);
	if (r->p.window > 0)
		rc |= am_art_setf(a, "hyper.window", "%.17g", r->p.window);
	if (isfinite(r->train_rmse))
		rc |=
		    am_art_setf(a, "metric.train_rmse", "%.17g", r->train_rmse);
	if (rc != 0)
		return am_seterr(err, AM_ENOMEM, "out of memory");
	am_buf_u8(&b, (uint8_t)r->algo);
	am_buf_u8(&b, (uint8_t)r->p.sim);
	am_buf_u32(&b, (uint32_t)r->p.k);
	am_buf_f64(&b, r->p.shrink);
	am_buf_f64(&b, r->p.window);
	am_buf_f64(&b, r->train_rmse);
	put_tab(&b, r->users);
	put_tab(&b, r->items);
	put_tab(&b, r->ctxs);
	put_csr(&b, &r->ui);
	am_buf_f64s(&b, r->pop, r->ni);
	am_buf_f64s(&b, r->popg, r->ni);
	put_csr(&b, &r->ctx);
	rc = am_art_add_buf(a, "rec", &b);
	am_buf_release(&b);
	if (rc == 0 && r->nbr.ptr != NULL) {
		put_csr(&b, &r->nbr);
		rc = am_art_add_buf(a, "neighbours", &b);
		am_buf_release(&b);
	}
	if (rc == 0 && r->P != NULL) {
		am_buf_u32(&b, (uint32_t)r->k);
		am_buf_f64s(&b, r->bu, r->nu);
		am_buf_f64s(&b, r->bi, r->ni);
		am_buf_f64s(&b, r->P, r->nu * (size_t)r->k);
		am_buf_f64s(&b, r->Q, r->ni * (size_t)r->k);
		rc = am_art_add_buf(a, "factors", &b);
		am_buf_release(&b);
	}
	return rc ? am_seterr(err, AM_ENOMEM, "out of memory") : 0;
}

struct am_rec *
am_rec_load(const struct am_art *a, const char *name, struct am_err *err)
{
	static const char *const keys[] = { "rec.user", "rec.item", "rec.value",
		"rec.time", "rec.context" };
	struct am_rec *r;
	struct am_rd rd;
	const void *p;
	size_t len, j;
	uint8_t algo, sim;

	if (strcmp(am_art_kind(a), "recommender") != 0) {
		am_seterr(err, AM_EMODEL,
		    "%s: is a '%s' artifact, expected 'recommender'", name,
		    am_art_kind(a));
		return NULL;
	}
	if ((r = rec_new()) == NULL) {
		am_seterr(err, AM_ENOMEM, "out of memory");
		return NULL;
	}
	for (j = 0; j < 5; j++)
		if (am_art_get(a, keys[j]) != NULL &&
		    (r->col[j] = xstrdup(am_art_get(a, keys[j]))) == NULL)
			goto nomem;
	if ((p = am_art_section(a, "rec", &len)) == NULL)
		goto bad;
	am_rd_init(&rd, p, len);
	algo = am_rd_u8(&rd);
	sim = am_rd_u8(&rd);
	r->p.k = (int)am_rd_u32(&rd);
	r->p.shrink = am_rd_f64(&rd);
	r->p.window = am_rd_f64(&rd);
	r->train_rmse = am_rd_f64(&rd);
	if (am_rd_error(&rd) || algo > AM_REC_BPR || sim > AM_REC_JACCARD ||
	    am_rec_algo_byname(am_art_algo(a)) != algo)
		goto bad;
	r->algo = algo;
	r->p.algo = algo;
	r->p.sim = sim;
	if (get_tab(&rd, r->users) || get_tab(&rd, r->items) ||
	    get_tab(&rd, r->ctxs))
		goto bad;
	r->nu = am_strtab_size(r->users);
	r->ni = am_strtab_size(r->items);
	if (get_csr(&rd, &r->ui, r->nu, r->ni) != 0 ||
	    r->ni > am_rd_left(&rd) / 16)
		goto bad;
	if ((r->pop = malloc((r->ni + 1) * sizeof(double))) == NULL ||
	    (r->popg = malloc((r->ni + 1) * sizeof(double))) == NULL)
		goto nomem;
	am_rd_f64s(&rd, r->pop, r->ni);
	am_rd_f64s(&rd, r->popg, r->ni);
	if (get_csr(&rd, &r->ctx, am_strtab_size(r->ctxs), r->ni) != 0 ||
	    am_rd_left(&rd) != 0)
		goto bad;
	for (j = 0; j + 1 <= r->ui.n; j++) {
		uint64_t q;
		for (q = r->ui.ptr[j] + 1; q < r->ui.ptr[j + 1]; q++)
			if (r->ui.idx[q] <= r->ui.idx[q - 1])
				goto bad;
	}
	if (algo == AM_REC_ITEMKNN || algo == AM_REC_USERKNN) {
		size_t n = algo == AM_REC_ITEMKNN ? r->ni : r->nu;
		if ((p = am_art_section(a, "neighbours", &len)) == NULL)
			goto bad;
		am_rd_init(&rd, p, len);
		if (get_csr(&rd, &r->nbr, n, n) != 0 || am_rd_left(&rd) != 0)
			goto bad;
	}
	if (algo >= AM_REC_MF) {
		size_t k;
		if ((p = am_art_section(a, "factors", &len)) == NULL)
			goto bad;
		am_rd_init(&rd, p, len);
		k = am_rd_u32(&rd);
		if (k < 1 || k > 256 ||
		    (r->nu + r->ni) * (k + 1) * 8 != am_rd_left(&rd))
			goto bad;
		r->k = (int)k;
		r->bu = malloc((r->nu + 1) * sizeof(double));
		r->bi = malloc((r->ni + 1) * sizeof(double));
		r->P = malloc((r->nu * k + 1) * sizeof(double));
		r->Q = malloc((r->ni * k + 1) * sizeof(double));
		if (!r->bu || !r->bi || !r->P || !r->Q)
			goto nomem;
		am_rd_f64s(&rd, r->bu, r->nu);
		am_rd_f64s(&rd, r->bi, r->ni);
		am_rd_f64s(&rd, r->P, r->nu * k);
		am_rd_f64s(&rd, r->Q, r->ni * k);
		if (am_rd_error(&rd))
			goto bad;
	}
	/* what an update needs, from the hyper-parameters recorded */
	r->p.half_life = am_art_get_num(a, "hyper.half_life", 0, 1e9, 0);
	r->p.iters = (int)am_art_get_num(a, "hyper.iterations", 0, 1e9, 0);
	r->p.lr = am_art_get_num(a, "hyper.lr", 0, 1e9, 0);
	r->p.reg = am_art_get_num(a, "hyper.reg", 0, 1e9, 0);
	r->p.alpha = am_art_get_num(a, "hyper.alpha", 0, 1e9, 20);
	r->p.factors = r->k > 0 ? r->k : 64;
	set_defaults(&r->p);
	if (build_order(r) != 0 || build_means(r) != 0)
		goto nomem;
	return r;
bad:
	am_seterr(err, AM_EFORMAT, "%s: damaged recommender payload", name);
	am_rec_free(r);
	return NULL;
nomem:
	am_seterr(err, AM_ENOMEM, "out of memory");
	am_rec_free(r);
	return NULL;
}

/* ---- queries ------------------------------------------------------------ */

struct am_rec_scratch {
	double *score, *best, *uval;
	long *because;
	uint32_t *touch;
	unsigned char *mark, *chosen;
	size_t nt;
};

struct am_rec_scratch *
am_rec_scratch_new(const struct am_rec *r)
{
	struct am_rec_scratch *s = calloc(1, sizeof(*s));
	size_t n = r->ni + 1;

	if (s == NULL)
		return NULL;
	s->score = calloc(n, sizeof(double));
	s->best = calloc(n, sizeof(double));
	s->uval = calloc(n, sizeof(double));
	s->because = malloc(n * sizeof(long));
	s->touch = malloc(n * sizeof(uint32_t));
	s->mark = calloc(n, 1);
	s->chosen = calloc(n, 1);
	if (!s->score || !s->best || !s->uval || !s->because || !s->touch ||
	    !s->mark || !s->chosen) {
		am_rec_scratch_free(s);
		return NULL;
	}
	return s;
}

void
am_rec_scratch_free(struct am_rec_scratch *s)
{
	if (s == NULL)
		return;
	free(s->score);
	free(s->best);
	free(s->uval);
	free(s->because);
	free(s->touch);
	free(s->mark);
	free(s->chosen);
	free(s);
}

static void
add(struct am_rec_scratch *s, uint32_t j, double v, long from)
{
	if (!s->mark[j]) {
		s->mark[j] = 1;
		s->touch[s->nt++] = j;
		s->score[j] = 0;
		s->best[j] = -HUGE_VAL;
		s->because[j] = -1;
	}
	s->score[j] += v;
	if (v > s->best[j]) {
		s->best[j] = v;
		s->because[j] = from;
	}
}

/* Keep the best 'n' of (score desc, item asc) in 'out', sorted. */
static void
keep(struct am_rec_hit *out, size_t *m, size_t n, uint32_t j, double sc,
    long because, int src)
{
	size_t p;

	if (*m == n &&
	    (out[n - 1].score > sc ||
	        (out[n - 1].score == sc && out[n - 1].item < j)))
		return;
	p = *m < n ? (*m)++ : n - 1;
	while (p > 0 &&
	    (out[p - 1].score < sc ||
	        (out[p - 1].score == sc && out[p - 1].item > j))) {
		out[p] = out[p - 1];
		p--;
	}
	out[p].item = j;
	out[p].score = sc;
	out[p].src = src;
	out[p].because = because;
	out[p].f1 = out[p].f2 = -1;
}

static int
eligible(const struct am_rec *r, long u, const struct am_rec_query *q,
    uint32_t j)
{
	if (q->allow != NULL && !q->allow[j])
		return 0;
	if (q->deny != NULL && q->deny[j])
		return 0;
	if (u >= 0 && !q->repeat && csr_find(&r->ui, (size_t)u, j) >= 0)
		return 0;
	return 1;
}

/* Top factors of p_u .* q_j and the seen item nearest to j. */
static void
explain_factors(const struct am_rec *r, long u, struct am_rec_hit *h)
{
	size_t k = (size_t)r->k, f;
	const double *p = r->P + (size_t)u * k, *qj = r->Q + h->item * k;
	double b1 = -HUGE_VAL, b2 = -HUGE_VAL, best = -HUGE_VAL;
	uint64_t q;

	for (f = 0; f < k; f++) {
		double c = p[f] * qj[f];
		if (c > b1) {
			b2 = b1;
			h->f2 = h->f1;
			b1 = c;
			h->f1 = (int)f;
		} else if (c > b2) {
			b2 = c;
			h->f2 = (int)f;
		}
	}
	h->because = -1;
	for (q = r->ui.ptr[u]; q < r->ui.ptr[u + 1]; q++) {
		double c = dotk(r->Q + (size_t)r->ui.idx[q] * k, qj, k);
		if (c > best && r->ui.idx[q] != h->item) {
			best = c;
			h->because = r->ui.idx[q];
		}
	}
}

static void
fill_popular(const struct am_rec *r, long u, const struct am_rec_query *q,
    struct am_rec_scratch *s, struct am_rec_hit *out, size_t *m)
{
	size_t j, start = *m;

	for (j = 0; j < *m; j++)
		s->chosen[out[j].item] = 1;
	if (q->context >= 0 && (size_t)q->context < r->ctx.n) {
		uint64_t a;
		for (a = r->ctx.ptr[q->context];
		     a < r->ctx.ptr[q->context + 1] && *m < q->n; a++) {
			uint32_t i = r->ctx.idx[a];
			if (s->chosen[i] || !eligible(r, u, q, i))
				continue;
			s->chosen[i] = 1;
			out[*m].item = i;
			out[*m].score = r->ctx.val[a];
			out[*m].src = AM_REC_SRC_CONTEXT;
			out[*m].because = q->context;
			out[*m].f1 = out[*m].f2 = -1;
			(*m)++;
		}
	}
	for (j = 0; j < r->ni && *m < q->n; j++) {
		uint32_t i = r->order[j];
		if (s->chosen[i] || !eligible(r, u, q, i))
			continue;
		s->chosen[i] = 1;
		out[*m].item = i;
		out[*m].score = r->pop[i];
		out[*m].src = AM_REC_SRC_POPULAR;
		out[*m].because = -1;
		out[*m].f1 = out[*m].f2 = -1;
		(*m)++;
	}
	for (j = 0; j < *m; j++)
		s->chosen[out[j].item] = 0;
	(void)start;
}

void
am_rec_top(const struct am_rec *r, long u, const struct am_rec_query *q,
    struct am_rec_scratch *s, struct am_rec_hit *out, size_t *nout)
{
	size_t m = 0, t;
	uint64_t a, b;

	*nout = 0;
	if (q->n == 0)
		return;
	s->nt = 0;
	if (u >= 0 &&
	    (r->algo == AM_REC_ITEMKNN || r->algo == AM_REC_USERKNN)) {
		if (r->algo == AM_REC_ITEMKNN) {
			/* the neighbours of each candidate j the user has */
			size_t j;
			for (a = r->ui.ptr[u]; a < r->ui.ptr[u + 1]; a++)
				s->uval[r->ui.idx[a]] = r->ui.val[a];
			for (j = 0; j < r->ni; j++)
				for (b = r->nbr.ptr[j]; b < r->nbr.ptr[j + 1];
				     b++) {
					uint32_t i = r->nbr.idx[b];
					if (s->uval[i] != 0)
						add(s, (uint32_t)j,
						    r->nbr.val[b] * s->uval[i],
						    (long)i);
				}
			for (a = r->ui.ptr[u]; a < r->ui.ptr[u + 1]; a++)
				s->uval[r->ui.idx[a]] = 0;
		} else {
			for (b = r->nbr.ptr[u]; b < r->nbr.ptr[u + 1]; b++) {
				uint32_t v = r->nbr.idx[b];
				for (a = r->ui.ptr[v]; a < r->ui.ptr[v + 1];
				     a++)
					add(s, r->ui.idx[a],
					    r->nbr.val[b] * r->ui.val[a],
					    (long)v);
			}
		}
		for (t = 0; t < s->nt; t++) {
			uint32_t j = s->touch[t];
			s->mark[j] = 0;
			if (eligible(r, u, q, j))
				keep(out, &m, q->n, j, s->score[j],
				    s->because[j], AM_REC_SRC_MODEL);
		}
	} else if (u >= 0 && r->algo >= AM_REC_MF &&
	    r->ui.ptr[u + 1] > r->ui.ptr[u]) {
		size_t k = (size_t)r->k, j;
		const double *p = r->P + (size_t)u * k;
		double base = r->algo == AM_REC_MF ? r->mu + r->bu[u] : 0;
		for (j = 0; j < r->ni; j++)
			if (eligible(r, u, q, (uint32_t)j))
				keep(out, &m, q->n, (uint32_t)j,
				    base + r->bi[j] + dotk(p, r->Q + j * k, k),
				    -1, AM_REC_SRC_MODEL);
		if (q->explain)
			for (j = 0; j < m; j++)
				explain_factors(r, u, &out[j]);
	}
	fill_popular(r, u, q, s, out, &m);
	*nout = m;
}

void
am_rec_similar(const struct am_rec *r, size_t i, const struct am_rec_query *q,
    struct am_rec_scratch *s, struct am_rec_hit *out, size_t *nout)
{
	size_t m = 0, j, t;
	uint64_t a, b;

	*nout = 0;
	if (q->n == 0 || i >= r->ni)
		return;
	if (r->algo == AM_REC_ITEMKNN) {
		for (a = r->nbr.ptr[i]; a < r->nbr.ptr[i + 1]; a++)
			if (eligible(r, -1, q, r->nbr.idx[a]))
				keep(out, &m, q->n, r->nbr.idx[a],
				    r->nbr.val[a], (long)i, AM_REC_SRC_MODEL);
	} else if (r->algo >= AM_REC_MF) {
		size_t k = (size_t)r->k;
		const double *qi = r->Q + i * k;
		double ni = sqrt(dotk(qi, qi, k));
		for (j = 0; j < r->ni; j++) {
			const double *qj = r->Q + j * k;
			double d = ni * sqrt(dotk(qj, qj, k));
			if (j != i && d > 0 && eligible(r, -1, q, (uint32_t)j))
				keep(out, &m, q->n, (uint32_t)j,
				    dotk(qi, qj, k) / d, (long)i,
				    AM_REC_SRC_MODEL);
		}
	} else {
		/* co-occurrence cosine over the users of i, on the fly */
		s->nt = 0;
		for (j = 0; j < r->nu; j++) {
			if (csr_find(&r->ui, j, (uint32_t)i) < 0)
				continue;
			for (a = r->ui.ptr[j]; a < r->ui.ptr[j + 1]; a++)
				if (r->ui.idx[a] != i)
					add(s, r->ui.idx[a], 1, (long)i);
		}
		for (t = 0; t < s->nt; t++) {
			uint32_t x = s->touch[t];
			double d = sqrt(r->popg[i] * r->popg[x]);
			s->mark[x] = 0;
			if (d > 0 && eligible(r, -1, q, x))
				keep(out, &m, q->n, x, s->score[x] / d, (long)i,
				    AM_REC_SRC_MODEL);
		}
		(void)b;
	}
	*nout = m;
}

void
am_rec_reason(const struct am_rec *r, const struct am_rec_hit *h, char *buf,
    size_t len)
{
	if (len == 0)
		return;
	buf[0] = '\0';
	if (h->src == AM_REC_SRC_CONTEXT)
		(void)snprintf(buf, len, "popular in %s",
		    am_strtab_get(r->ctxs, (uint32_t)h->because));
	else if (h->src == AM_REC_SRC_POPULAR)
		(void)snprintf(buf, len, "%s",
		    r->p.window > 0 ? "popular recently" : "popular");
	else if (r->algo == AM_REC_USERKNN && h->because >= 0)
		(void)snprintf(buf, len, "chosen by similar user %s",
		    am_strtab_get(r->users, (uint32_t)h->because));
	else if (r->algo >= AM_REC_MF && h->f1 >= 0)
		(void)snprintf(buf, len, "factors %d,%d like %s", h->f1, h->f2,
		    h->because >= 0
		        ? am_strtab_get(r->items, (uint32_t)h->because)
		        : "-");
	else if (h->because >= 0)
		(void)snprintf(buf, len, "because of %s",
		    am_strtab_get(r->items, (uint32_t)h->because));
}

static void
put_field(struct am_buf *b, const char *s)
{
	const char *c;
	size_t n = strlen(s);
	int q = n > 0 && (s[0] == ' ' || s[n - 1] == ' ');

	for (c = s; *c && !q; c++)
		q = *c == ',' || *c == '"' || *c == '\r' || *c == '\n';
	if (!q) {
		am_buf_put(b, s, n);
		return;
	}
	am_buf_u8(b, '"');
	for (c = s; *c; c++) {
		if (*c == '"')
			am_buf_u8(b, '"');
		am_buf_u8(b, (uint8_t)*c);
	}
	am_buf_u8(b, '"');
}

void
am_rec_format(const struct am_rec *r, const char *user,
    const struct am_rec_hit *h, size_t n, int explain, struct am_buf *out)
{
	char num[64], why[1200];
	size_t j;

	for (j = 0; j < n; j++) {
		put_field(out, user);
		(void)snprintf(num, sizeof(num), ",%zu,", j + 1);
		am_buf_put(out, num, strlen(num));
		put_field(out, am_strtab_get(r->items, h[j].item));
		(void)snprintf(num, sizeof(num), ",%.15g", h[j].score);
		am_buf_put(out, num, strlen(num));
		if (explain) {
			am_rec_reason(r, &h[j], why, sizeof(why));
			am_buf_u8(out, ',');
			put_field(out, why);
		}
		am_buf_u8(out, '\n');
	}
}

#define BATCH_TASKS 32
#define BATCH_USERS 8

struct batch_job {
	const struct am_rec *r;
	const struct am_rec_query *q;
	size_t first;
	struct am_rec_scratch *s[BATCH_TASKS];
	struct am_rec_hit *hits[BATCH_TASKS];
	struct am_buf out[BATCH_TASKS];
};

static void
batch_task(void *arg, size_t task)
{
	struct batch_job *J = arg;
	size_t u = J->first + task * BATCH_USERS, e = u + BATCH_USERS, n;

	if (e > J->r->nu)
		e = J->r->nu;
	for (; u < e; u++) {
		am_rec_top(J->r, (long)u, J->q, J->s[task], J->hits[task], &n);
		am_rec_format(J->r, am_strtab_get(J->r->users, (uint32_t)u),
		    J->hits[task], n, J->q->explain, &J->out[task]);
	}
}

int
am_rec_all_users(const struct am_rec *r, const struct am_rec_query *q,
    int threads, FILE *fp, struct am_err *err)
{
	struct batch_job *J = calloc(1, sizeof(*J));
	struct am_pool *pool = NULL;
	size_t t, ntask;
	int rc = 0;

	if (J == NULL)
		return am_seterr(err, AM_ENOMEM, "out of memory");
	J->r = r;
	J->q = q;
	for (t = 0; t < BATCH_TASKS; t++) {
		J->s[t] = am_rec_scratch_new(r);
		J->hits[t] = malloc((q->n + 1) * sizeof(struct am_rec_hit));
		if (J->s[t] == NULL || J->hits[t] == NULL)
			rc = am_seterr(err, AM_ENOMEM, "out of memory");
	}
	if (rc == 0 && (pool = am_pool_new(threads, err)) == NULL)
		rc = err->code;
	for (J->first = 0; rc == 0 && J->first < r->nu;
	     J->first += BATCH_TASKS * BATCH_USERS) {
		ntask = (r->nu - J->first + BATCH_USERS - 1) / BATCH_USERS;
		if (ntask > BATCH_TASKS)
			ntask = BATCH_TASKS;
		am_pool_run(pool, ntask, batch_task, J);
		for (t = 0; t < ntask; t++) {
			if (am_buf_error(&J->out[t])) {
				rc = am_seterr(err, AM_ENOMEM, "out of memory");
				break;
			}
			if (J->out[t].len > 0 &&
			    fwrite(J->out[t].data, 1, J->out[t].len, fp) !=
			        J->out[t].len) {
				rc = am_seterr(err, AM_EIO, "write error");
				break;
			}
			J->out[t].len = 0;
		}
	}
	am_pool_free(pool);
	for (t = 0; t < BATCH_TASKS; t++) {
		am_rec_scratch_free(J->s[t]);
		free(J->hits[t]);
		am_buf_release(&J->out[t]);
	}
	free(J);
	return rc;
}

static double
clip(const struct am_rec *r, double v)
{
	return v < r->rmin ? r->rmin : v > r->rmax ? r->rmax : v;
}

double
am_rec_predict(const struct am_rec *r, long u, long i)
{
	double num = 0, den = 0;
	uint64_t a;
	long q;

	if (u < 0 && i < 0)
		return r->mu;
	if (u < 0)
		return r->algo == AM_REC_POPULARITY ? r->pop[i] : r->imean[i];
	if (i < 0)
		return r->umean[u];
	switch (r->algo) {
	case AM_REC_MF:
		return clip(r,
		    r->mu + r->bu[u] + r->bi[i] +
		        dotk(r->P + (size_t)u * (size_t)r->k,
		            r->Q + (size_t)i * (size_t)r->k, (size_t)r->k));
	case AM_REC_IALS:
	case AM_REC_BPR:
		return r->bi[i] +
		    dotk(r->P + (size_t)u * (size_t)r->k,
		        r->Q + (size_t)i * (size_t)r->k, (size_t)r->k);
	case AM_REC_ITEMKNN:
		for (a = r->nbr.ptr[i]; a < r->nbr.ptr[i + 1]; a++)
			if ((q = csr_find(&r->ui, (size_t)u, r->nbr.idx[a])) >=
			    0) {
				num += r->nbr.val[a] * r->ui.val[q];
				den += r->nbr.val[a];
			}
		return den > 0 ? clip(r, num / den) : r->umean[u];
	case AM_REC_USERKNN:
		for (a = r->nbr.ptr[u]; a < r->nbr.ptr[u + 1]; a++)
			if ((q = csr_find(&r->ui, r->nbr.idx[a],
			         (uint32_t)i)) >= 0) {
				num += r->nbr.val[a] * r->ui.val[q];
				den += r->nbr.val[a];
			}
		return den > 0 ? clip(r, num / den) : r->umean[u];
	default:
		return r->pop[i];
	}
}

int
am_rec_predict_csv(const struct am_rec *r, const char *path, int delim,
    int lbuf, FILE *fp, unsigned long long *nrows, struct am_err *err)
{
	struct am_csv_opts co = { 0, 0, NULL };
	struct am_csv_writer w;
	struct am_src *src;
	struct am_csv_reader *cr = NULL;
	long cu, ci, cv = -1;
	int rc;

	*nrows = 0;
	co.delim = delim;
	if ((src = am_src_open(path, err)) == NULL)
		return err->code;
	if ((cr = am_csv_open(src, &co, err)) == NULL) {
		rc = err->code;
		goto out;
	}
	if ((cu = am_csv_col(cr, r->col[0])) < 0 ||
	    (ci = am_csv_col(cr, r->col[1])) < 0) {
		rc = am_seterr(err, AM_EMODEL,
		    "%s: no column '%s' (the recommender's %s column)",
		    am_csv_name(cr), cu < 0 ? r->col[0] : r->col[1],
		    cu < 0 ? "user" : "item");
		goto out;
	}
	if (r->col[2] != NULL)
		cv = am_csv_col(cr, r->col[2]);
	am_csv_writer_init(&w, fp, ',');
	am_csv_puts(&w, r->col[0]);
	am_csv_puts(&w, r->col[1]);
	if (cv >= 0)
		am_csv_puts(&w, r->col[2]);
	am_csv_puts(&w, "score");
	am_csv_end(&w);
	if (lbuf)
		(void)fflush(fp);
	while ((rc = am_csv_next(cr, err)) == 1) {
		const char *us = am_csv_field(cr, (size_t)cu);
		const char *is = am_csv_field(cr, (size_t)ci);
		am_csv_put(&w, us, am_csv_len(cr, (size_t)cu));
		am_csv_put(&w, is, am_csv_len(cr, (size_t)ci));
		if (cv >= 0)
			am_csv_put(&w, am_csv_field(cr, (size_t)cv),
			    am_csv_len(cr, (size_t)cv));
		am_csv_put_double(&w,
		    am_rec_predict(r, am_strtab_find(r->users, us),
		        am_strtab_find(r->items, is)));
		am_csv_end(&w);
		if (lbuf)
			(void)fflush(fp);
		if (ferror(fp))
			break;
		(*nrows)++;
	}
out:
	am_csv_close(cr);
	am_src_close(src);
	return rc < 0 ? rc : 0;
}

int
am_rec_is_file(const char *path)
{
	struct am_art *a = am_art_load(path, NULL, NULL);
	int yes = a != NULL && strcmp(am_art_kind(a), "recommender") == 0;

	am_art_free(a);
	return yes;
}

/* ---- evaluation splits ---------------------------------------------- */

/* A CSV reader over the bytes in memory (fmemopen keeps them borrowed). */
static struct am_csv_reader *
mem_csv(const unsigned char *data, size_t len, const char *name, int delim,
    struct am_src **srcp, struct am_err *err)
{
	struct am_csv_opts co = { 0, 0, NULL };
	FILE *fp = fmemopen((void *)(uintptr_t)data, len ? len : 1, "r");
	struct am_csv_reader *cr;

	co.delim = delim;
	if (fp == NULL) {
		am_seterr(err, AM_ENOMEM, "out of memory");
		return NULL;
	}
	if (len == 0) {
		(void)fclose(fp);
		am_seterr(err, AM_EFORMAT,
		    "%s: empty input, expected a header "
		    "line",
		    name);
		return NULL;
	}
	if ((*srcp = am_src_fdopen(fp, name, err)) == NULL)
		return NULL;
	if ((cr = am_csv_open(*srcp, &co, err)) == NULL) {
		am_src_close(*srcp);
		*srcp = NULL;
	}
	return cr;
}

static int
split_time(struct am_csv_reader *cr, long c, const char *col, double *t,
    struct am_err *err)
{
	if (parse_time(am_csv_field(cr, (size_t)c), am_csv_len(cr, (size_t)c),
	        t) == 0)
		return 0;
	return am_seterr(err, AM_EFORMAT,
	    "%s:%lu: column '%s': '%s' is not a time (seconds, or "
	    "YYYY-MM-DD HH:MM:SS)",
	    am_csv_name(cr), am_csv_line(cr), col, am_csv_field(cr, (size_t)c));
}

int
am_rec_split(const char *path, const struct am_rec_split_opts *o, FILE *train,
    FILE *test, unsigned long long *ntrain, unsigned long long *ntest,
    struct am_err *err)
{
	struct am_csv_writer w[2];
	struct am_strtab *users = NULL;
	struct am_src *src = NULL;
	struct am_csv_reader *cr = NULL;
	unsigned char *data = NULL;
	double *best = NULL, cut = 0, t = 0;
	uint64_t *bestrow = NULL, row;
	size_t len, cap = 0, j;
	long cu = -1, ct = -1;
	int rc, pass;
	char name[1024];

	*ntrain = *ntest = 0;
	if ((rc = am_read_file(path, AM_ART_MAX_BYTES, &data, &len, err)) != 0)
		return rc;
	(void)snprintf(name, sizeof(name), "%s",
	    path == NULL || strcmp(path, "-") == 0 ? "<stdin>" : path);
	if (o->mode == AM_REC_SPLIT_TIME &&
	    parse_time(o->cutoff, strlen(o->cutoff), &cut) != 0) {
		rc = am_seterr(err, AM_EARG,
		    "--split: '%s' is not a time (seconds, or YYYY-MM-DD "
		    "HH:MM:SS)",
		    o->cutoff);
		goto out;
	}
	if ((users = am_strtab_new(err)) == NULL) {
		rc = err->code;
		goto out;
	}
	am_csv_writer_init(&w[0], train, ',');
	am_csv_writer_init(&w[1], test, ',');
	for (pass = o->mode == AM_REC_SPLIT_LAST ? 0 : 1; pass < 2; pass++) {
		if ((cr = mem_csv(data, len, name, o->delim, &src, err)) ==
		    NULL) {
			rc = err->code;
			goto out;
		}
		rc = AM_EARG;
		if (o->mode == AM_REC_SPLIT_LAST &&
		    (cu = col_or_fail(cr, "-u", o->user, err)) < 0)
			goto out;
		if (o->mode != AM_REC_SPLIT_RANDOM &&
		    (ct = col_or_fail(cr, "--time", o->time, err)) < 0)
			goto out;
		if (pass == 1)
			for (j = 0; j < am_csv_ncols(cr); j++) {
				am_csv_puts(&w[0], am_csv_colname(cr, j));
				am_csv_puts(&w[1], am_csv_colname(cr, j));
			}
		if (pass == 1) {
			am_csv_end(&w[0]);
			am_csv_end(&w[1]);
		}
		for (row = 0; (rc = am_csv_next(cr, err)) == 1; row++) {
			uint32_t u = 0;
			int to = 0;
			if (ct >= 0 &&
			    (rc = split_time(cr, ct, o->time, &t, err)) != 0)
				goto out;
			if (cu >= 0 &&
			    (rc = am_strtab_intern(users,
			         am_csv_field(cr, (size_t)cu),
			         am_csv_len(cr, (size_t)cu), &u, err)) != 0)
				goto out;
			if (pass == 0) {
				if (u >= cap) {
					size_t nc = cap ? 2 * cap : 1024, k;
					double *nb =
					    realloc(best, nc * sizeof(*best));
					uint64_t *nr;
					if (nb == NULL)
						goto nomem;
					best = nb;
					if ((nr = realloc(bestrow,
					         nc * sizeof(*nr))) == NULL)
						goto nomem;
					bestrow = nr;
					for (k = cap; k < nc; k++) {
						best[k] = -HUGE_VAL;
						bestrow[k] = UINT64_MAX;
					}
					cap = nc;
				}
				if (bestrow[u] == UINT64_MAX || t >= best[u]) {
					best[u] = t;
					bestrow[u] = row;
				}
				continue;
			}
			if (o->mode == AM_REC_SPLIT_RANDOM)
				to = (double)(am_hash64(&row, sizeof(row),
				                  o->seed) >>
				         11) *
				        0x1.0p-53 <
				    o->fraction;
			else if (o->mode == AM_REC_SPLIT_TIME)
				to = t >= cut;
			else
				to = bestrow[u] == row;
			for (j = 0; j < am_csv_ncols(cr); j++)
				am_csv_put(&w[to], am_csv_field(cr, j),
				    am_csv_len(cr, j));
			am_csv_end(&w[to]);
			if (to)
				(*ntest)++;
			else
				(*ntrain)++;
		}
		if (rc < 0)
			goto out;
		rc = 0;
		am_csv_close(cr);
		am_src_close(src);
		cr = NULL;
		src = NULL;
	}
out:
	am_csv_close(cr);
	am_src_close(src);
	am_strtab_free(users);
	free(best);
	free(bestrow);
	free(data);
	return rc;
nomem:
	rc = am_seterr(err, AM_ENOMEM, "out of memory");
	goto out;
}
