/* SPDX-License-Identifier: MIT */
/*
 * am_feat.c -- the feature transform of am-features (am_feat.h).
 *
 * Fitting stores every row's cells in one arena, in a fixed layout (ids,
 * target, feature columns), each as a missing flag, a length, the bytes
 * and a NUL.  Column types are inferred while reading (a column stays
 * numeric until a non-missing cell fails am_parse_number).  Later passes
 * over the arena compute the statistics (Welford means, sorted values for
 * medians and quantiles, level counts, target sums per level and fold),
 * then the selection scores and the PCA covariance when asked, and the
 * last pass writes the rows.  Replay builds the same cell views from the
 * CSV reader, so one function, transform(), turns cells into a row in
 * every case: that is what makes replayed output byte-identical.
 *
 * A row goes through four stages, each producing sparse (index, value)
 * pairs in increasing index order: the column blocks (with the shared
 * hash block after them), the polynomial terms, the selection (a
 * monotone renumbering), and PCA (dense components).
 */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "am_buf.h"
#include "am_cli.h"
#include "am_dates.h"
#include "am_feat.h"
#include "am_mat.h"
#include "am_rand.h"
#include "am_select.h"
#include "am_strtab.h"

#include "am_banned.h"

#define XFORM_VERSION 2 /* 1: standard scaling and one-hot only */
#define OTHER         "_other_"
#define NONE          UINT32_MAX
#define PCA_MAX       4096 /* PCA input features */

enum { K_NUM, K_CAT, K_DATE };
enum { PRE_NONE, PRE_LOG1P, PRE_SQRT };

static void
free_strv(char **v, size_t n)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* A growable sparse vector. */
struct vec {
	uint32_t *idx;
	double *val;
	size_t n, cap;
};

static int
vec_push(struct vec *v, uint32_t i, double x)
{
	if (v->n == v->cap) {
		size_t cap = v->cap ? 2 * v->cap : 64;
		uint32_t *ni = realloc(v->idx, cap * sizeof(*ni));
		double *nv;
		if (ni == NULL)
			return AM_ENOMEM;
		v->idx = ni;
		if ((nv = realloc(v->val, cap * sizeof(*nv))) == NULL)
			return AM_ENOMEM;
		v->val = nv;
		v->cap = cap;
	}
	v->idx[v->n] = i;
	v->val[v->n++] = x;
	return 0;
}

static void
vec_release(struct vec *v)
{
	free(v->idx);
	free(v->val);
	memset(v, 0, sizeof(*v));
}

struct col {
	char *name;
	int kind; /* K_NUM, K_CAT, K_DATE */
	int forced;
	long in;     /* column index in the current CSV input */
	int poly;    /* its features enter the polynomial terms */
	size_t base; /* its first output feature */
	size_t nout; /* its output features */
	/* numeric: clip, then log1p or sqrt, then scale or bin */
	int clip, pre, scale, bin, bin_onehot;
	double lo, hi;
	double center, div; /* x -> (x - center) / div */
	unsigned nbin;      /* requested bins */
	double *edges;      /* inner edges, increasing */
	size_t nedge;
	int prio[4]; /* rule priority per slot: clip, pre, shape, encoding */
	/* categorical */
	int enc;     /* AM_FEAT_ONEHOT ... AM_FEAT_HASH */
	size_t nlev; /* kept levels, strcmp order */
	char **lev;
	int other; /* a last "col=_other_" feature (or ordinal code) */
	struct am_strindex tab; /* level -> index */
	double *lval;           /* freq, target: value per level */
	double dval;            /* freq, target: missing or unseen level */
	uint64_t hseed;         /* hash: seed from the name */
	/* date */
	unsigned parts;
	long ref;
	/* while fitting */
	unsigned long long n;
	double mean, m2, mn, mx;
	double *vals; /* values kept for medians and quantiles */
	size_t nvals, valcap;
	unsigned long long *cnt; /* per level, first-appearance order */
	size_t levcap;
	double *tsum, *tcnt; /* target: per level x fold */
};

struct cell {
	const char *s; /* NUL-terminated */
	size_t len;
	int missing;
};

struct am_feat {
	size_t nid;
	char **id;
	long *idin;
	char *target;
	int tkind; /* 0 none, 1 numeric, 2 categorical */
	long tin;
	size_t nclass;
	char **classes;
	struct am_strindex ctab;
	size_t ncol;
	struct col *col;
	struct am_fs_schema out; /* with the target */
	unsigned long min_freq, max_cats;
	char *drop; /* comma list, for the artifact */

	/* stage 1: column blocks and the hash block */
	size_t ncolout;    /* features of the column blocks */
	unsigned hashbits; /* 0: no hash block */
	size_t nbase;      /* ncolout + hash block */
	char **bname;      /* base feature names */
	/* stage 2: polynomial terms over base features */
	unsigned deg;
	int inter;
	size_t np;      /* base features in the terms */
	uint32_t *pq;   /* their base indices, increasing */
	long *qpos;     /* base index -> position in pq, or -1 */
	uint32_t *ptab; /* term rank -> term number, NONE: skipped */
	size_t nrank2, nrank3;
	size_t nterm;
	char **tname;
	size_t ncand; /* nbase + nterm */
	/* stage 3: selection over the candidates */
	int has_sel;
	uint32_t *sel; /* candidate -> kept number, or NONE */
	size_t nsel;
	double *scores; /* last step's scores, while fitting */
	size_t nscores;
	/* stage 4: PCA over the selected features */
	size_t pca_k, pca_p;
	int whiten;
	double *pmean, *pw, *pvar, *pratio, *pconst;

	/* target encoding */
	double smoothing;
	unsigned folds;
	double *fsum, *fcnt; /* target sums and counts per fold */
	unsigned char *fold; /* per fitted row */
	int fitting;         /* rows are fitted rows: out-of-fold values */
	unsigned long long seed;

	/* fitted rows */
	unsigned char *arena;
	size_t alen, acap;
	unsigned long long nfit;
	const char *inname;

	/* per row */
	struct cell *cells; /* nid + 1 + ncol */
	const char **ids;
	struct vec v1, v2, hv;
	double *dense; /* PCA output */
	unsigned long long rows, unseen, cur;
};

static void
col_release(struct col *c)
{
	free(c->name);
	free(c->edges);
	free_strv(c->lev, c->nlev);
	am_strindex_release(&c->tab);
	free(c->lval);
	free(c->vals);
	free(c->cnt);
	free(c->tsum);
	free(c->tcnt);
}

void
am_feat_free(struct am_feat *f)
{
	size_t i;

	if (f == NULL)
		return;
	for (i = 0; i < f->ncol; i++)
		col_release(&f->col[i]);
	free(f->col);
	free_strv(f->id, f->nid);
	free(f->idin);
	free(f->target);
	free_strv(f->classes, f->nclass);
	am_strindex_release(&f->ctab);
	am_fs_schema_release(&f->out);
	free(f->drop);
	free_strv(f->bname, f->nbase);
	free(f->pq);
	free(f->qpos);
	free(f->ptab);
	free_strv(f->tname, f->nterm);
	free(f->sel);
	free(f->scores);
	free(f->pmean);
	free(f->pw);
	free(f->pvar);
	free(f->pratio);
	free(f->pconst);
	free(f->fsum);
	free(f->fcnt);
	free(f->fold);
	free(f->arena);
	free(f->cells);
	free(f->ids);
	vec_release(&f->v1);
	vec_release(&f->v2);
	vec_release(&f->hv);
	free(f->dense);
	free(f);
}

/* Rules. */

static const char *const opname[] = { "scale", "log1p", "sqrt", "clip", "bin",
	"onehot", "ordinal", "freq", "target", "hash", "date", "poly" };

void
am_feat_rule_release(struct am_feat_rule *r)
{
	if (r == NULL)
		return;
	free(r->edges);
	free_strv(r->cols, r->ncols);
	memset(r, 0, sizeof(*r));
}

/* Split 's' at commas into r->cols. */
static int
parse_cols(struct am_feat_rule *r, const char *s, struct am_err *err)
{
	const char *p;
	size_t n;

	for (;;) {
		p = strchr(s, ',');
		n = p ? (size_t)(p - s) : strlen(s);
		if (n == 0)
			return am_seterr(err, AM_EARG,
			    "--%s: empty column name", opname[r->op]);
		char **v = realloc(r->cols, (r->ncols + 1) * sizeof(*v));
		if (v == NULL)
			return am_seterr(err, AM_ENOMEM, "out of memory");
		r->cols = v;
		if ((v[r->ncols] = strndup(s, n)) == NULL)
			return am_seterr(err, AM_ENOMEM, "out of memory");
		r->ncols++;
		if (p == NULL)
			return 0;
		s = p + 1;
	}
}

/* The text before the next ':' of '*s' in 'buf', advancing '*s'. */
static int
field(const char **s, char *buf, size_t size)
{
	const char *p = strchr(*s, ':');
	size_t n = p ? (size_t)(p - *s) : strlen(*s);

	if (n >= size)
		return -1;
	memcpy(buf, *s, n);
	buf[n] = '\0';
	*s = p ? p + 1 : *s + n;
	return p != NULL;
}

static int
parse_num(const char *s, double *out)
{
	return am_parse_number(s, strlen(s), out) != 0 || !isfinite(*out) ? -1
	                                                                  : 0;
}

static int
cmp_dbl(const void *a, const void *b)
{
	double p = *(const double *)a, q = *(const double *)b;

	return (p > q) - (p < q);
}

static int
parse_edges(struct am_feat_rule *r, char *s)
{
	char *p;
	size_t i;

	for (;;) {
		double *e = realloc(r->edges, (r->nedge + 1) * sizeof(*e));
		if (e == NULL)
			return AM_ENOMEM;
		r->edges = e;
		if ((p = strchr(s, '/')) != NULL)
			*p = '\0';
		if (parse_num(s, &e[r->nedge]) != 0)
			return AM_EARG;
		r->nedge++;
		if (p == NULL)
			break;
		s = p + 1;
	}
	for (i = 1; i < r->nedge; i++)
		if (!(r->edges[i] > r->edges[i - 1]))
			return AM_EARG;
	return 0;
}

static int
parse_parts(const char *s, unsigned *parts)
{
	static const char *const name[] = { "year", "month", "dow", "hour",
		"days" };
	size_t i, n;

	*parts = 0;
	for (;;) {
		const char *p = strchr(s, '+');
		n = p ? (size_t)(p - s) : strlen(s);
		for (i = 0; i < 5; i++)
			if (strlen(name[i]) == n && strncmp(name[i], s, n) == 0)
				break;
		if (i == 5)
			return -1;
		*parts |= 1u << i;
		if (p == NULL)
			return 0;
		s = p + 1;
	}
}

int
am_feat_rule_parse(int op, const char *arg, struct am_feat_rule *r,
    struct am_err *err)
{
	char a[256], b[256];
	const char *s = arg;
	long n;
	int more, rc;

	memset(r, 0, sizeof(*r));
	r->op = op;
	switch (op) {
	case AM_FEAT_SCALE:
		more = field(&s, a, sizeof(a));
		if (strcmp(a, "standard") == 0)
			r->method = AM_SCALE_STANDARD;
		else if (strcmp(a, "minmax") == 0)
			r->method = AM_SCALE_MINMAX;
		else if (strcmp(a, "robust") == 0)
			r->method = AM_SCALE_ROBUST;
		else if (strcmp(a, "maxabs") == 0)
			r->method = AM_SCALE_MAXABS;
		else if (strcmp(a, "none") == 0)
			r->method = AM_SCALE_NONE;
		else
			return am_seterr(err, AM_EARG,
			    "--scale: '%s' is not standard, minmax, robust, "
			    "maxabs or none",
			    arg);
		return more == 1 ? parse_cols(r, s, err) : 0;
	case AM_FEAT_CLIP:
		if (field(&s, a, sizeof(a)) != 1 || parse_num(a, &r->lo) != 0 ||
		    (more = field(&s, b, sizeof(b))) < 0 ||
		    parse_num(b, &r->hi) != 0 || r->lo > r->hi)
			return am_seterr(err, AM_EARG,
			    "--clip: '%s' is not LO:HI[:COLS] with LO <= HI",
			    arg);
		return more == 1 ? parse_cols(r, s, err) : 0;
	case AM_FEAT_BIN:
		if (field(&s, a, sizeof(a)) != 1 ||
		    (more = field(&s, b, sizeof(b))) < 0)
			goto badbin;
		if (strcmp(a, "uniform") == 0 || strcmp(a, "quantile") == 0) {
			r->method =
			    a[0] == 'u' ? AM_BIN_UNIFORM : AM_BIN_QUANTILE;
			if (am_parse_long(b, 1, 65536, &n) != 0)
				goto badbin;
			r->k = (unsigned)n;
		} else if (strcmp(a, "edges") == 0) {
			r->method = AM_BIN_EDGES;
			if ((rc = parse_edges(r, b)) == AM_ENOMEM)
				return am_seterr(err, AM_ENOMEM,
				    "out of memory");
			if (rc != 0)
				goto badbin;
			r->k = (unsigned)r->nedge + 1;
		} else
			goto badbin;
		if (more == 1 &&
		    (strncmp(s, "onehot", 6) == 0 ||
		        strncmp(s, "ordinal", 7) == 0) &&
		    (s[s[1] == 'n' ? 6 : 7] == ':' ||
		        s[s[1] == 'n' ? 6 : 7] == '\0')) {
			r->onehot = s[1] == 'n';
			s += r->onehot ? 6 : 7;
			more = *s == ':';
			s += more;
		}
		return more == 1 ? parse_cols(r, s, err) : 0;
	badbin:
		return am_seterr(err, AM_EARG,
		    "--bin: '%s' is not uniform:K, quantile:K or "
		    "edges:E1/E2/... [:onehot|ordinal][:COLS]",
		    arg);
	case AM_FEAT_HASH:
	case AM_FEAT_POLY:
		more = field(&s, a, sizeof(a));
		if (op == AM_FEAT_HASH ? am_parse_long(a, 1, 24, &n) != 0
		                       : am_parse_long(a, 2, 3, &n) != 0)
			return am_seterr(err, AM_EARG,
			    op == AM_FEAT_HASH
			        ? "--hash: '%s' is not BITS[:COLS] with 1 <= "
			          "BITS <= 24"
			        : "--poly: '%s' is not DEGREE[:COLS] with "
			          "DEGREE 2 or 3",
			    arg);
		r->k = (unsigned)n;
		return more == 1 ? parse_cols(r, s, err) : 0;
	case AM_FEAT_DATE:
		r->k = AM_DATE_ALL;
		if (strchr(s, ':') != NULL) {
			(void)field(&s, a, sizeof(a));
			if (parse_parts(a, &r->k) != 0)
				return am_seterr(err, AM_EARG,
				    "--date: '%s' is not [PARTS:]COLS, PARTS "
				    "from year+month+dow+hour+days",
				    arg);
		}
		return parse_cols(r, s, err);
	case AM_FEAT_LOG1P:
	case AM_FEAT_SQRT:
	case AM_FEAT_ONEHOT:
	case AM_FEAT_ORDINAL:
	case AM_FEAT_FREQ:
	case AM_FEAT_TARGET:
		return *s == '\0' ? 0 : parse_cols(r, s, err);
	default:
		return am_seterr(err, AM_EARG, "unknown rule %d", op);
	}
}

int
am_feat_select_parse(const char *arg, struct am_feat_select *s,
    struct am_err *err)
{
	static const char *const name[] = { "var", "mi", "chi2", "f", "corr" };
	const char *p = strchr(arg, ':');
	size_t i, n = p ? (size_t)(p - arg) : 0;
	long k;

	for (i = 0; p != NULL && i < 5; i++)
		if (strlen(name[i]) == n && strncmp(arg, name[i], n) == 0)
			break;
	if (p == NULL || i == 5)
		goto bad;
	s->method = (int)i + 1;
	if (s->method == AM_SEL_VAR) {
		if (am_parse_double(p + 1, 0, HUGE_VAL, &s->arg) != 0)
			goto bad;
		return 0;
	}
	if (am_parse_long(p + 1, 1, AM_FS_MAX_FEAT, &k) != 0)
		goto bad;
	s->arg = (double)k;
	return 0;
bad:
	return am_seterr(err, AM_EARG,
	    "--select: '%s' is not var:THRESHOLD, or mi:K, chi2:K, f:K or "
	    "corr:K",
	    arg);
}

/* Names and layout. */

static char *
join(const char *a, const char *sep, const char *b)
{
	size_t na = strlen(a), ns = strlen(sep), nb = strlen(b);
	char *s = malloc(na + ns + nb + 1);

	if (s == NULL)
		return NULL;
	memcpy(s, a, na);
	memcpy(s + na, sep, ns);
	memcpy(s + na + ns, b, nb + 1);
	return s;
}

static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));

static char *
fmt(const char *f, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, f);
	n = vsnprintf(NULL, 0, f, ap);
	va_end(ap);
	if (n < 0 || (s = malloc((size_t)n + 1)) == NULL)
		return NULL;
	va_start(ap, f);
	(void)vsnprintf(s, (size_t)n + 1, f, ap);
	va_end(ap);
	return s;
}

static const char *const partname[] = { "year", "month", "dow", "hour",
	"days" };

static size_t
col_nout(const struct col *c)
{
	unsigned b;
	size_t n = 0;

	switch (c->kind) {
	case K_NUM:
		return c->bin && c->bin_onehot ? c->nedge + 1 : 1;
	case K_DATE:
		for (b = 0; b < 5; b++)
			n += (c->parts >> b) & 1;
		return n;
	default:
		if (c->enc == AM_FEAT_HASH)
			return 0;
		if (c->enc == AM_FEAT_ONEHOT)
			return c->nlev + (size_t)c->other;
		return 1;
	}
}

/* Name output feature 'k' of column 'c'. */
static char *
col_fname(const struct col *c, size_t k)
{
	unsigned b;

	switch (c->kind) {
	case K_NUM:
		if (!(c->bin && c->bin_onehot))
			return strdup(c->name);
		if (c->nedge == 0)
			return join(c->name, "=", "all");
		if (k == 0)
			return fmt("%s<%.15g", c->name, c->edges[0]);
		if (k == c->nedge)
			return fmt("%s>=%.15g", c->name, c->edges[k - 1]);
		return fmt("%s=[%.15g,%.15g)", c->name, c->edges[k - 1],
		    c->edges[k]);
	case K_DATE:
		for (b = 0; b < 5; b++)
			if (((c->parts >> b) & 1) && k-- == 0)
				break;
		return join(c->name, ".", partname[b < 5 ? b : 4]);
	default:
		if (c->enc != AM_FEAT_ONEHOT)
			return strdup(c->name);
		return join(c->name, "=", k < c->nlev ? c->lev[k] : OTHER);
	}
}

/* Column owning base feature 'b' and whether it is a 0/1 indicator. */
static size_t
owner(const struct am_feat *f, size_t b, int *binary)
{
	size_t i;

	for (i = 0; i < f->ncol; i++) {
		const struct col *c = &f->col[i];
		if (b >= c->base && b < c->base + c->nout) {
			*binary =
			    (c->kind == K_CAT && c->enc == AM_FEAT_ONEHOT) ||
			    (c->kind == K_NUM && c->bin && c->bin_onehot);
			return i;
		}
	}
	*binary = 1;
	return f->ncol; /* the hash block */
}

static size_t
rank2(size_t p, size_t i, size_t j)
{
	return i * p - (i * (i - (i > 0))) / 2 + (j - i);
}

static size_t
tet(size_t m)
{
	return m * (m + 1) * (m + 2) / 6;
}

static size_t
rank3(size_t p, size_t i, size_t j, size_t k)
{
	return tet(p) - tet(p - i) + rank2(p - i, j - i, k - i);
}

/* Rank of term (a <= b [<= c]) of 'f' among all its candidate terms. */
static size_t
term_rank(const struct am_feat *f, size_t a, size_t b, size_t c, int three)
{
	if (!three)
		return f->inter ? rank2(f->np - 1, a, b - 1)
		                : rank2(f->np, a, b);
	return f->nrank2 +
	    (f->inter ? rank3(f->np - 2, a, b - 1, c - 2)
	              : rank3(f->np, a, b, c));
}

/* A product that is always 0 or repeats a lower term. */
static int
redundant(const struct am_feat *f, const size_t *q, int n)
{
	size_t ca, cb;
	int a, b, ba, bb;

	for (a = 0; a < n; a++)
		for (b = a + 1; b < n; b++) {
			ca = owner(f, f->pq[q[a]], &ba);
			cb = owner(f, f->pq[q[b]], &bb);
			if (q[a] == q[b] ? ba : ca == cb && ba)
				return 1;
		}
	return 0;
}

static char *
term_name(const struct am_feat *f, const size_t *q, int n)
{
	char *s = strdup(""), *t;
	int a, e;

	for (a = 0; s != NULL && a < n; a += e) {
		for (e = 1; a + e < n && q[a + e] == q[a]; e++)
			;
		if (e > 1)
			t = fmt("%s%s%s^%d", s, a ? "*" : "",
			    f->bname[f->pq[q[a]]], e);
		else
			t = fmt("%s%s%s", s, a ? "*" : "",
			    f->bname[f->pq[q[a]]]);
		free(s);
		s = t;
	}
	return s;
}

/* Try term q[0..n) at the next rank; 'want' checks the rank formula. */
static int
add_term(struct am_feat *f, const size_t *q, int n, size_t *cap, size_t want)
{
	size_t r = term_rank(f, q[0], q[1], n == 3 ? q[2] : 0, n == 3);

	if (r != want || r >= f->nrank2 + f->nrank3)
		return AM_EFORMAT;
	if (redundant(f, q, n)) {
		f->ptab[r] = NONE;
		return 0;
	}
	if (f->nterm == *cap) {
		char **v;
		*cap = *cap ? 2 * *cap : 64;
		if ((v = realloc(f->tname, *cap * sizeof(*v))) == NULL)
			return AM_ENOMEM;
		f->tname = v;
	}
	if ((f->tname[f->nterm] = term_name(f, q, n)) == NULL)
		return AM_ENOMEM;
	f->ptab[r] = (uint32_t)f->nterm++;
	return 0;
}

/*
 * The terms of degree 2 (and 3) over f->pq in lexicographic order, with
 * repeats unless interaction-only; products inside one one-hot block and
 * powers of indicators are left out.
 */
static int
build_terms(struct am_feat *f, struct am_err *err)
{
	size_t p = f->np, p2, p3, q[3], r = 0, cap = 0, d = f->inter ? 1 : 0;
	int rc;

	if ((f->qpos = malloc((f->nbase ? f->nbase : 1) * sizeof(long))) ==
	    NULL)
		return am_seterr(err, AM_ENOMEM, "out of memory");
	for (q[0] = 0; q[0] < f->nbase; q[0]++)
		f->qpos[q[0]] = -1;
	for (q[0] = 0; q[0] < p; q[0]++)
		f->qpos[f->pq[q[0]]] = (long)q[0];
	p2 = p >= d ? p - d : 0;
	p3 = f->deg == 3 && p >= 2 * d ? p - 2 * d : 0;
	f->nrank2 = p2 * (p2 + 1) / 2;
	f->nrank3 = f->deg == 3 ? tet(p3) : 0;
	if (p > 100000 || f->nrank2 + f->nrank3 > AM_FS_MAX_FEAT)
		return am_seterr(err, AM_ELIMIT,
		    "--poly: %zu features give more than %u terms", p,
		    (unsigned)AM_FS_MAX_FEAT);
	if ((f->ptab = malloc(
	         (f->nrank2 + f->nrank3 + 1) * sizeof(*f->ptab))) == NULL)
		return am_seterr(err, AM_ENOMEM, "out of memory");
	for (q[0] = 0; q[0] < p; q[0]++)
		for (q[1] = q[0] + d; q[1] < p; q[1]++)
			if ((rc = add_term(f, q, 2, &cap, r++)) != 0)
				goto fail;
	if (f->deg == 3)
		for (q[0] = 0; q[0] < p; q[0]++)
			for (q[1] = q[0] + d; q[1] < p; q[1]++)
				for (q[2] = q[1] + d; q[2] < p; q[2]++)
					if ((rc = add_term(f, q, 3, &cap,
					         r++)) != 0)
						goto fail;
	return 0;
fail:
	return am_seterr(err, rc,
	    rc == AM_ENOMEM ? "out of memory" : "--poly: bad term table");
}

/* Number the base features and name them. */
static int
build_base(struct am_feat *f, struct am_err *err)
{
	size_t i, k, n = 0;

	for (i = 0; i < f->ncol; i++) {
		struct col *c = &f->col[i];
		c->base = n;
		c->nout = col_nout(c);
		n += c->nout;
		if (n > AM_FS_MAX_FEAT)
			return am_seterr(err, AM_ELIMIT,
			    "more than %u output features (column '%s' has "
			    "%zu levels; drop it, use --min-freq, "
			    "--max-cats or --hash)",
			    (unsigned)AM_FS_MAX_FEAT, c->name, c->nlev);
	}
	f->ncolout = n;
	f->nbase = n + (f->hashbits ? (size_t)1 << f->hashbits : 0);
	if (f->nbase > AM_FS_MAX_FEAT)
		return am_seterr(err, AM_ELIMIT, "more than %u output features",
		    (unsigned)AM_FS_MAX_FEAT);
	if ((f->bname = calloc(f->nbase ? f->nbase : 1, sizeof(char *))) ==
	    NULL)
		goto nomem;
	for (i = 0; i < f->ncol; i++)
		for (k = 0; k < f->col[i].nout; k++)
			if ((f->bname[f->col[i].base + k] =
			            col_fname(&f->col[i], k)) == NULL)
				goto nomem;
	for (k = n; k < f->nbase; k++)
		if ((f->bname[k] = fmt("hash%zu", k - n)) == NULL)
			goto nomem;
	return 0;
nomem:
	return am_seterr(err, AM_ENOMEM, "out of memory");
}

static const char *
cand_name(const struct am_feat *f, size_t k)
{
	return k < f->nbase ? f->bname[k] : f->tname[k - f->nbase];
}

/* The output schema and the per-row buffers, once every stage is set. */
static int
build_schema(struct am_feat *f, struct am_err *err)
{
	struct am_fs_schema *s = &f->out;
	size_t i, n;

	am_fs_schema_release(s);
	f->ncand = f->nbase + f->nterm;
	n = f->pca_k ? f->pca_k : f->has_sel ? f->nsel : f->ncand;
	if (n > 0 && (s->feat = calloc(n, sizeof(*s->feat))) == NULL)
		goto nomem;
	if (f->pca_k) {
		for (i = 0; i < n; i++)
			if ((s->feat[s->nfeat++] = fmt("pca%zu", i + 1)) ==
			    NULL)
				goto nomem;
	} else
		for (i = 0; i < f->ncand; i++) {
			if (f->has_sel && f->sel[i] == NONE)
				continue;
			if ((s->feat[s->nfeat++] = strdup(cand_name(f, i))) ==
			    NULL)
				goto nomem;
		}
	if (f->nid > 0) {
		if ((s->id = calloc(f->nid, sizeof(*s->id))) == NULL)
			goto nomem;
		for (s->nid = 0; s->nid < f->nid; s->nid++)
			if ((s->id[s->nid] = strdup(f->id[s->nid])) == NULL)
				goto nomem;
	}
	if (f->target != NULL && (s->target = strdup(f->target)) == NULL)
		goto nomem;
	if (f->nclass > 0) {
		if ((s->classes = calloc(f->nclass, sizeof(*s->classes))) ==
		    NULL)
			goto nomem;
		for (s->nclass = 0; s->nclass < f->nclass; s->nclass++)
			if ((s->classes[s->nclass] =
			            strdup(f->classes[s->nclass])) == NULL)
				goto nomem;
	}
	free(f->cells);
	free(f->ids);
	free(f->dense);
	f->cells = calloc(f->nid + 1 + f->ncol, sizeof(*f->cells));
	f->ids = calloc(f->nid ? f->nid : 1, sizeof(*f->ids));
	f->dense = calloc(f->pca_k ? f->pca_k : 1, sizeof(*f->dense));
	if (f->cells == NULL || f->ids == NULL || f->dense == NULL)
		goto nomem;
	return 0;
nomem:
	return am_seterr(err, AM_ENOMEM, "out of memory");
}

/* One row. */

/* Target-encoding value of level 'k' (-1: missing or unseen). */
static double
te_value(const struct am_feat *f, const struct col *c, long k)
{
	double s = 0, n = 0, ps = 0, pn = 0;
	unsigned fo, j;

	if (!f->fitting || c->tsum == NULL)
		return k < 0 ? c->dval : c->lval[k];
	fo = f->fold[f->cur];
	for (j = 0; j < f->folds; j++) {
		if (j == fo)
			continue;
		ps += f->fsum[j];
		pn += f->fcnt[j];
		if (k >= 0) {
			s += c->tsum[(size_t)k * f->folds + j];
			n += c->tcnt[(size_t)k * f->folds + j];
		}
	}
	ps = pn > 0 ? ps / pn : 0;
	return n + f->smoothing > 0
	    ? (s + f->smoothing * ps) / (n + f->smoothing)
	    : ps;
}

static int
cmp_u32v(const void *a, const void *b)
{
	uint32_t p = *(const uint32_t *)a, q = *(const uint32_t *)b;

	return (p > q) - (p < q);
}

/* Numeric value of a cell after clip and log1p/sqrt; -1 if undefined. */
static int
num_value(const struct col *c, const struct cell *cl, double *x)
{
	if (am_parse_number(cl->s, cl->len, x) != 0 || !isfinite(*x))
		return -1;
	if (c->clip)
		*x = *x < c->lo ? c->lo : *x > c->hi ? c->hi : *x;
	if (c->pre == PRE_LOG1P) {
		if (!(*x > -1))
			return -2;
		*x = log1p(*x);
	} else if (c->pre == PRE_SQRT) {
		if (!(*x >= 0))
			return -2;
		*x = sqrt(*x);
	}
	return 0;
}

static size_t
bin_of(const struct col *c, double x)
{
	size_t lo = 0, hi = c->nedge;

	while (lo < hi) { /* edges <= x */
		size_t mid = lo + (hi - lo) / 2;
		if (c->edges[mid] <= x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The column blocks and hash block of the row in f->cells into f->v1. */
static int
base_features(struct am_feat *f, const char *name, unsigned long line,
    struct am_err *err)
{
	const struct cell *cl = f->cells + f->nid + 1;
	struct vec *v = &f->v1;
	size_t i, b;
	double x;
	long k, days, secs, y;
	int rc = 0, m, d;

	v->n = 0;
	f->hv.n = 0;
	for (i = 0; i < f->ncol && rc == 0; i++) {
		const struct col *c = &f->col[i];
		uint32_t at = (uint32_t)c->base;
		if (cl[i].missing) {
			if (c->kind == K_CAT && c->enc == AM_FEAT_TARGET &&
			    (x = te_value(f, c, -1)) != 0)
				rc = vec_push(v, at, x);
			continue;
		}
		switch (c->kind) {
		case K_NUM:
			if ((rc = num_value(c, &cl[i], &x)) != 0)
				return am_seterr(err, AM_EFORMAT,
				    rc == -1
				        ? "%s:%lu: column '%s': '%.40s' "
				          "is not a number"
				        : "%s:%lu: column '%s': '%.40s' is "
				          "out of the domain of %s",
				    name, line, c->name, cl[i].s,
				    c->pre == PRE_LOG1P ? "log1p" : "sqrt");
			if (c->bin) {
				b = bin_of(c, x);
				if (c->bin_onehot)
					rc = vec_push(v, at + (uint32_t)b, 1);
				else if (b > 0)
					rc = vec_push(v, at, (double)b);
				break;
			}
			x = (x - c->center) / c->div;
			if (x != 0)
				rc = vec_push(v, at, x);
			break;
		case K_DATE:
			if (am_date_parse(cl[i].s, cl[i].len, &days, &secs) !=
			    0)
				return am_seterr(err, AM_EFORMAT,
				    "%s:%lu: column '%s': '%.40s' is not a date",
				    name, line, c->name, cl[i].s);
			am_civil_from_days(days, &y, &m, &d);
			if ((c->parts & AM_DATE_YEAR) && rc == 0)
				rc = vec_push(v, at++, (double)y);
			if ((c->parts & AM_DATE_MONTH) && rc == 0)
				rc = vec_push(v, at++, m);
			if ((c->parts & AM_DATE_DOW) && rc == 0) {
				if (am_date_dow(days) != 0)
					rc = vec_push(v, at, am_date_dow(days));
				at++;
			}
			if ((c->parts & AM_DATE_HOUR) && rc == 0) {
				if (secs / 3600 != 0)
					rc = vec_push(v, at,
					    (double)(secs / 3600));
				at++;
			}
			if ((c->parts & AM_DATE_DAYS) && rc == 0 &&
			    c->ref != days)
				rc = vec_push(v, at, (double)(c->ref - days));
			break;
		default:
			if (c->enc == AM_FEAT_HASH) {
				uint64_t h =
				    am_hash64(cl[i].s, cl[i].len, c->hseed);
				rc = vec_push(&f->hv,
				    (uint32_t)(f->ncolout +
				        (h &
				            (((uint64_t)1 << f->hashbits) -
				                1))),
				    1);
				break;
			}
			k = am_strindex_find(&c->tab, c->lev, cl[i].s,
			    cl[i].len);
			if (k < 0) {
				if (f->fitting && c->enc == AM_FEAT_TARGET)
					k = -1; /* cannot happen */
				else
					f->unseen++;
			}
			if (c->enc == AM_FEAT_TARGET) {
				if ((x = te_value(f, c, k)) != 0)
					rc = vec_push(v, at, x);
				break;
			}
			if (c->enc == AM_FEAT_FREQ) {
				if ((x = k < 0 ? c->dval : c->lval[k]) != 0)
					rc = vec_push(v, at, x);
				break;
			}
			if (k < 0) {
				if (!c->other)
					break;
				k = (long)c->nlev;
			}
			if (c->enc == AM_FEAT_ORDINAL)
				rc = vec_push(v, at, (double)(k + 1));
			else
				rc = vec_push(v, at + (uint32_t)k, 1);
		}
	}
	if (rc == 0 && f->hv.n > 0) {
		size_t n = f->hv.n, j;
		qsort(f->hv.idx, n, sizeof(*f->hv.idx), cmp_u32v);
		for (i = 0; i < n && rc == 0; i = j) {
			for (j = i; j < n && f->hv.idx[j] == f->hv.idx[i]; j++)
				;
			rc = vec_push(v, f->hv.idx[i], (double)(j - i));
		}
	}
	return rc == 0 ? 0 : am_seterr(err, AM_ENOMEM, "out of memory");
}

/* Append the polynomial terms of the base features in f->v1. */
static int
poly_terms(struct am_feat *f)
{
	struct vec *v = &f->v1;
	size_t nb = v->n, m = 0, a, b, c, q[3];
	uint32_t t, off = (uint32_t)f->nbase;
	int rc = 0;

	/* the row's entries in the terms, as positions in v */
	for (a = 0; a < nb; a++)
		if (f->qpos[v->idx[a]] >= 0)
			f->hv.idx[m++] = (uint32_t)a;
	for (a = 0; a < m && rc == 0; a++)
		for (b = a + (size_t)f->inter; b < m && rc == 0; b++) {
			q[0] = (size_t)f->qpos[v->idx[f->hv.idx[a]]];
			q[1] = (size_t)f->qpos[v->idx[f->hv.idx[b]]];
			t = f->ptab[term_rank(f, q[0], q[1], 0, 0)];
			if (t != NONE)
				rc = vec_push(v, off + t,
				    v->val[f->hv.idx[a]] *
				        v->val[f->hv.idx[b]]);
		}
	if (f->deg == 3)
		for (a = 0; a < m && rc == 0; a++)
			for (b = a + (size_t)f->inter; b < m && rc == 0; b++)
				for (c = b + (size_t)f->inter; c < m && rc == 0;
				     c++) {
					q[0] =
					    (size_t)
					        f->qpos[v->idx[f->hv.idx[a]]];
					q[1] =
					    (size_t)
					        f->qpos[v->idx[f->hv.idx[b]]];
					q[2] =
					    (size_t)
					        f->qpos[v->idx[f->hv.idx[c]]];
					t = f->ptab[term_rank(f, q[0], q[1],
					    q[2], 1)];
					if (t != NONE)
						rc = vec_push(v, off + t,
						    v->val[f->hv.idx[a]] *
						        v->val[f->hv.idx[b]] *
						        v->val[f->hv.idx[c]]);
				}
	return rc;
}

/* Stages 1 and 2: the candidate features of the row into f->v1. */
static int
candidates(struct am_feat *f, const char *name, unsigned long line,
    struct am_err *err)
{
	int rc;

	if ((rc = base_features(f, name, line, err)) != 0)
		return rc;
	if (f->deg == 0)
		return 0;
	/* scratch positions in f->hv, which has room for v1's entries */
	while (f->hv.cap < f->v1.n)
		if (vec_push(&f->hv, 0, 0) != 0)
			return am_seterr(err, AM_ENOMEM, "out of memory");
	if (poly_terms(f) != 0)
		return am_seterr(err, AM_ENOMEM, "out of memory");
	return 0;
}

/* Stage 3: the selected candidates into f->v2 (or v1 as it is). */
static struct vec *
selected(struct am_feat *f)
{
	size_t i;

	if (!f->has_sel)
		return &f->v1;
	f->v2.n = 0;
	for (i = 0; i < f->v1.n; i++) {
		uint32_t k = f->sel[f->v1.idx[i]];
		if (k != NONE && vec_push(&f->v2, k, f->v1.val[i]) != 0)
			return NULL;
	}
	return &f->v2;
}

/*
 * Turn the cells of one row into 'row'.  'has_target' says whether the
 * target cell is there; 'name' and 'line' place errors.
 */
static int
transform(struct am_feat *f, int has_target, struct am_fs_row *row,
    const char *name, unsigned long line, struct am_err *err)
{
	const struct cell *cl = f->cells;
	struct vec *v;
	size_t i, j;
	long k;
	int rc;

	for (i = 0; i < f->nid; i++)
		f->ids[i] = cl[i].s;
	row->ids = f->ids;
	row->target = (double)NAN;
	row->weight = 1;
	cl += f->nid;
	if (has_target && f->tkind != 0 && !cl->missing) {
		if (f->tkind == 1) {
			if (am_parse_number(cl->s, cl->len, &row->target) != 0)
				return am_seterr(err, AM_EFORMAT,
				    "%s:%lu: target '%s': '%.40s' is not a "
				    "number",
				    name, line, f->target, cl->s);
		} else if ((k = am_strindex_find(&f->ctab, f->classes, cl->s,
		                cl->len)) >= 0)
			row->target = (double)k;
		else
			return am_seterr(err, AM_EFORMAT,
			    "%s:%lu: target '%s': class '%.40s' was not seen "
			    "when fitting",
			    name, line, f->target, cl->s);
	}
	if ((rc = candidates(f, name, line, err)) != 0)
		return rc;
	if ((v = selected(f)) == NULL)
		return am_seterr(err, AM_ENOMEM, "out of memory");
	if (f->pca_k == 0) {
		row->nnz = v->n;
		row->idx = v->idx;
		row->val = v->val;
		return 0;
	}
	memcpy(f->dense, f->pconst, f->pca_k * sizeof(*f->dense));
	for (i = 0; i < v->n; i++) {
		const double *w = f->pw + (size_t)v->idx[i] * f->pca_k;
		double x = v->val[i];
		for (j = 0; j < f->pca_k; j++)
			f->dense[j] += x * w[j];
	}
	f->v2.n = 0;
	for (j = 0; j < f->pca_k; j++) {
		double z =
		    f->whiten ? f->dense[j] / sqrt(f->pvar[j]) : f->dense[j];
		if (z != 0 && vec_push(&f->v2, (uint32_t)j, z) != 0)
			return am_seterr(err, AM_ENOMEM, "out of memory");
	}
	row->nnz = f->v2.n;
	row->idx = f->v2.idx;
	row->val = f->v2.val;
	return 0;
}

/* Fitting. */

static int
arena_put(struct am_feat *f, const char *s, size_t len, int missing)
{
	size_t need = 1 + sizeof(size_t) + len + 1, cap;
	unsigned char *p;

	if (f->acap - f->alen < need) {
		cap = f->acap ? f->acap : 1u << 16;
		while (cap - f->alen < need)
			cap *= 2;
		if ((p = realloc(f->arena, cap)) == NULL)
			return AM_ENOMEM;
		f->arena = p;
		f->acap = cap;
	}
	p = f->arena + f->alen;
	*p++ = (unsigned char)missing;
	memcpy(p, &len, sizeof(len));
	p += sizeof(len);
	memcpy(p, s, len);
	p[len] = '\0';
	f->alen += need;
	return 0;
}

static size_t
arena_get(const struct am_feat *f, size_t pos, struct cell *c)
{
	const unsigned char *p = f->arena + pos;

	c->missing = *p++;
	memcpy(&c->len, p, sizeof(c->len));
	c->s = (const char *)p + sizeof(c->len);
	return pos + 1 + sizeof(c->len) + c->len + 1;
}

/* Load fitted row cells into f->cells from arena position '*pos'. */
static void
fitted_row(struct am_feat *f, size_t *pos)
{
	size_t i;

	for (i = 0; i < f->nid + 1 + f->ncol; i++) {
		if (i == f->nid && f->tin < 0) {
			f->cells[i].missing = 1;
			continue;
		}
		*pos = arena_get(f, *pos, &f->cells[i]);
	}
}

/* Put column 'i' of the input in role 'what'; 0 or AM_EARG. */
static int
claim(char *role, struct am_csv_reader *in, const char *col, const char *what,
    long *out, struct am_err *err)
{
	long i = am_csv_col(in, col);

	if (i < 0)
		return am_seterr(err, AM_EARG, "%s: %s column '%s' not found",
		    am_csv_name(in), what, col);
	if (role[i])
		return am_seterr(err, AM_EARG, "%s: column '%s' has two roles",
		    am_csv_name(in), col);
	role[i] = 1;
	if (out != NULL)
		*out = i;
	return 0;
}

static int
names_col(const struct am_feat_rule *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->ncols; i++)
		if (strcmp(r->cols[i], name) == 0)
			return 1;
	return 0;
}

static int
setup_columns(struct am_feat *f, struct am_csv_reader *in,
    const struct am_feat_opts *o, struct am_err *err)
{
	size_t ncols = am_csv_ncols(in), i, k, len;
	char *role;
	int rc = AM_ENOMEM;

	if ((role = calloc(ncols ? ncols : 1, 1)) == NULL)
		return am_seterr(err, AM_ENOMEM, "out of memory");
	if (o->nid > 0) {
		if ((f->id = calloc(o->nid, sizeof(*f->id))) == NULL ||
		    (f->idin = calloc(o->nid, sizeof(*f->idin))) == NULL)
			goto nomem;
		for (i = 0; i < o->nid; i++) {
			if ((rc = claim(role, in, o->ids[i], "id", &f->idin[i],
			         err)) != 0)
				goto out;
			if ((f->id[i] = strdup(o->ids[i])) == NULL)
				goto nomem;
			f->nid = i + 1;
		}
	}
	f->tin = -1;
	if (o->target != NULL) {
		if ((rc = claim(role, in, o->target, "target", &f->tin, err)) !=
		    0)
			goto out;
		if ((f->target = strdup(o->target)) == NULL)
			goto nomem;
		f->tkind = 1; /* until a cell says otherwise */
	}
	for (i = 0, len = 0; i < o->ndrop; i++) {
		if ((rc = claim(role, in, o->drop[i], "dropped", NULL, err)) !=
		    0)
			goto out;
		len += strlen(o->drop[i]) + 1;
	}
	if (o->ndrop > 0) {
		if ((f->drop = malloc(len)) == NULL)
			goto nomem;
		for (i = 0, len = 0; i < o->ndrop; i++) {
			k = strlen(o->drop[i]);
			memcpy(f->drop + len, o->drop[i], k);
			len += k;
			f->drop[len++] = i + 1 < o->ndrop ? ',' : '\0';
		}
	}
	/* every column a rule names must be a feature column */
	for (i = 0; i < o->nrule; i++)
		for (k = 0; k < o->rules[i].ncols; k++) {
			long c = am_csv_col(in, o->rules[i].cols[k]);
			if (c < 0 || role[c]) {
				rc = am_seterr(err, AM_EARG,
				    "%s: --%s: column '%s' %s", am_csv_name(in),
				    opname[o->rules[i].op], o->rules[i].cols[k],
				    c < 0 ? "not found" : "is not a feature");
				goto out;
			}
		}
	if ((f->col = calloc(ncols ? ncols : 1, sizeof(*f->col))) == NULL)
		goto nomem;
	for (i = 0; i < ncols; i++) {
		const char *name = am_csv_colname(in, i);
		struct col *c = &f->col[f->ncol];
		if (role[i])
			continue;
		if (am_csv_col(in, name) != (long)i) {
			rc = am_seterr(err, AM_EFORMAT,
			    "%s: duplicate column name '%s'", am_csv_name(in),
			    name);
			goto out;
		}
		if ((c->name = strdup(name)) == NULL)
			goto nomem;
		c->in = (long)i;
		c->kind = K_NUM;
		c->enc = AM_FEAT_ONEHOT;
		f->ncol++;
		/* a categorical or date rule naming it fixes its kind */
		for (k = 0; k < o->nrule; k++) {
			const struct am_feat_rule *r = &o->rules[k];
			int kind = r->op == AM_FEAT_DATE ? K_DATE
			    : r->op >= AM_FEAT_ONEHOT && r->op <= AM_FEAT_HASH
			    ? K_CAT
			    : -1;
			if (kind < 0 || !names_col(r, name))
				continue;
			if (c->forced && c->kind != kind) {
				rc = am_seterr(err, AM_EARG,
				    "column '%s' is named by --date and a "
				    "categorical rule",
				    name);
				goto out;
			}
			c->forced = 1;
			c->kind = kind;
			if (kind == K_DATE)
				c->parts = r->k;
		}
	}
	free(role);
	return 0;
nomem:
	rc = am_seterr(err, AM_ENOMEM, "out of memory");
out:
	free(role);
	return rc;
}

/* Read every row into the arena, narrowing column types. */
static int
read_rows(struct am_feat *f, struct am_csv_reader *in, struct am_err *err)
{
	size_t i;
	double x;
	int rc;

	while ((rc = am_csv_next(in, err)) == 1) {
		for (i = 0; i < f->nid; i++)
			if (arena_put(f, am_csv_field(in, (size_t)f->idin[i]),
			        am_csv_len(in, (size_t)f->idin[i]), 0) != 0)
				goto nomem;
		if (f->tin >= 0) {
			size_t t = (size_t)f->tin;
			int miss = am_csv_missing(in, t);
			if (arena_put(f, am_csv_field(in, t), am_csv_len(in, t),
			        miss) != 0)
				goto nomem;
			if (!miss && f->tkind == 1 &&
			    am_parse_number(am_csv_field(in, t),
			        am_csv_len(in, t), &x) != 0)
				f->tkind = 2;
		}
		for (i = 0; i < f->ncol; i++) {
			struct col *c = &f->col[i];
			size_t k = (size_t)c->in;
			int miss = am_csv_missing(in, k);
			if (arena_put(f, am_csv_field(in, k), am_csv_len(in, k),
			        miss) != 0)
				goto nomem;
			if (!miss && c->kind == K_NUM && !c->forced &&
			    am_parse_number(am_csv_field(in, k),
			        am_csv_len(in, k), &x) != 0)
				c->kind = K_CAT;
		}
		f->nfit++;
	}
	return rc;
nomem:
	return am_seterr(err, AM_ENOMEM, "out of memory");
}

/*
 * Give every column its settings from the rules, now that the types are
 * known: a rule naming the column beats one naming none, and a later rule
 * beats an earlier one of the same standing.
 */
static int
apply_rules(struct am_feat *f, const struct am_feat_opts *o, struct am_err *err)
{
	size_t i, k;

	for (i = 0; i < f->ncol; i++) {
		struct col *c = &f->col[i];
		for (k = 0; k < o->nrule; k++) {
			const struct am_feat_rule *r = &o->rules[k];
			int named = names_col(r, c->name), slot, prio;
			if (!named && r->ncols > 0)
				continue;
			prio = named ? 2 : 1;
			if (r->op == AM_FEAT_POLY) {
				if (named || c->kind == K_NUM)
					c->poly = 1;
				continue;
			}
			if (r->op == AM_FEAT_DATE)
				continue;
			if (r->op <= AM_FEAT_BIN) { /* numeric rules */
				if (c->kind != K_NUM) {
					if (named)
						return am_seterr(err, AM_EARG,
						    "%s: --%s: column '%s' is "
						    "not numeric",
						    f->inname, opname[r->op],
						    c->name);
					continue;
				}
				slot = r->op == AM_FEAT_CLIP ? 0
				    : r->op == AM_FEAT_LOG1P ||
				        r->op == AM_FEAT_SQRT
				    ? 1
				    : 2;
			} else {
				if (c->kind != K_CAT)
					continue;
				slot = 3;
			}
			if (prio < c->prio[slot])
				continue;
			c->prio[slot] = prio;
			switch (r->op) {
			case AM_FEAT_CLIP:
				c->clip = 1;
				c->lo = r->lo;
				c->hi = r->hi;
				break;
			case AM_FEAT_LOG1P:
			case AM_FEAT_SQRT:
				c->pre = r->op == AM_FEAT_LOG1P ? PRE_LOG1P
				                                : PRE_SQRT;
				break;
			case AM_FEAT_SCALE:
				c->scale = r->method;
				c->bin = 0;
				break;
			case AM_FEAT_BIN:
				c->bin = r->method;
				c->bin_onehot = r->onehot;
				c->nbin = r->k;
				free(c->edges);
				c->edges = NULL;
				c->nedge = 0;
				if (r->method == AM_BIN_EDGES) {
					if ((c->edges = malloc(r->nedge *
					         sizeof(double))) == NULL)
						return am_seterr(err, AM_ENOMEM,
						    "out of memory");
					memcpy(c->edges, r->edges,
					    r->nedge * sizeof(double));
					c->nedge = r->nedge;
				}
				break;
			case AM_FEAT_HASH:
				if (f->hashbits != 0 && f->hashbits != r->k)
					return am_seterr(err, AM_EARG,
					    "--hash: every hashed column must "
					    "use the same BITS");
				f->hashbits = r->k;
				c->enc = r->op;
				break;
			default:
				c->enc = r->op;
			}
		}
		if (c->kind == K_CAT && c->enc == AM_FEAT_HASH)
			c->hseed = am_hash64(c->name, strlen(c->name), 0);
	}
	return 0;
}

/* Count level 's' of column 'c' (or class of the target). */
static int
count_level(char ***names, size_t *n, size_t *cap, unsigned long long **cnt,
    struct am_strindex *t, const struct cell *cl)
{
	char **nn;
	unsigned long long *nc;
	long k = am_strindex_find(t, *names, cl->s, cl->len);

	if (k >= 0) {
		if (cnt != NULL)
			(*cnt)[k]++;
		return 0;
	}
	if (*n == *cap) {
		size_t c = *cap ? 2 * *cap : 16;
		if ((nn = realloc(*names, c * sizeof(*nn))) == NULL)
			return AM_ENOMEM;
		*names = nn;
		if (cnt != NULL) {
			if ((nc = realloc(*cnt, c * sizeof(*nc))) == NULL)
				return AM_ENOMEM;
			*cnt = nc;
		}
		*cap = c;
	}
	if (((*names)[*n] = strdup(cl->s)) == NULL)
		return AM_ENOMEM;
	if (cnt != NULL)
		(*cnt)[*n] = 1;
	(*n)++;
	return am_strindex_add(t, *names, *n);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sort 'names' by strcmp and rebuild the table over them. */
static int
sort_names(char **names, size_t n, struct am_strindex *t)
{
	size_t k;

	qsort(names, n, sizeof(*names), cmp_str);
	am_strindex_clear(t);
	for (k = 0; k < n; k++)
		if (am_strindex_add(t, names, k + 1) != 0)
			return AM_ENOMEM;
	return 0;
}

struct lev {
	char *name;
	unsigned long long cnt;
};

static int
cmp_lev_cnt(const void *a, const void *b)
{
	const struct lev *p = a, *q = b;

	if (p->cnt != q->cnt)
		return p->cnt > q->cnt ? -1 : 1;
	return strcmp(p->name, q->name);
}

static int
cmp_lev_name(const void *a, const void *b)
{
	return strcmp(((const struct lev *)a)->name,
	    ((const struct lev *)b)->name);
}

/*
 * Keep the levels of 'c': for one-hot and ordinal codes those seen at
 * least 'min' times and, with 'max' > 0, only the 'max' most frequent
 * (ties in strcmp order), the others pooled in "_other_"; sorted.  A
 * frequency encoding gets each level's share of the 'n' fitted rows.
 */
static int
finish_levels(struct col *c, unsigned long min, unsigned long max,
    unsigned long long n)
{
	struct lev *l;
	size_t k, kept = 0;
	int pool = c->enc == AM_FEAT_ONEHOT || c->enc == AM_FEAT_ORDINAL;

	if ((l = malloc((c->nlev ? c->nlev : 1) * sizeof(*l))) == NULL)
		return AM_ENOMEM;
	for (k = 0; k < c->nlev; k++) {
		l[k].name = c->lev[k];
		l[k].cnt = c->cnt[k];
	}
	if (pool && max > 0 && c->nlev > max)
		qsort(l, c->nlev, sizeof(*l), cmp_lev_cnt);
	for (k = 0; k < c->nlev; k++) {
		if (pool &&
		    ((min > 1 && l[k].cnt < min) || (max > 0 && k >= max))) {
			free(l[k].name);
			c->other = 1;
			continue;
		}
		l[kept++] = l[k];
	}
	qsort(l, kept, sizeof(*l), cmp_lev_name);
	c->nlev = kept;
	if (c->enc == AM_FEAT_FREQ || c->enc == AM_FEAT_TARGET) {
		if ((c->lval = calloc(kept ? kept : 1, sizeof(double))) ==
		    NULL) {
			free(l);
			return AM_ENOMEM;
		}
		for (k = 0; k < kept; k++)
			c->lval[k] = n > 0 ? (double)l[k].cnt / (double)n : 0;
	}
	for (k = 0; k < kept; k++)
		c->lev[k] = l[k].name;
	free(l);
	free(c->cnt);
	c->cnt = NULL;
	am_strindex_clear(&c->tab);
	for (k = 0; k < kept; k++)
		if (am_strindex_add(&c->tab, c->lev, k + 1) != 0)
			return AM_ENOMEM;
	return 0;
}

/* The 'p' quantile of sorted 'v' by linear interpolation (numpy's). */
static double
quantile(const double *v, size_t n, double p)
{
	double h = (double)(n - 1) * p, fl = floor(h);
	size_t i = (size_t)fl;

	if (i + 1 >= n)
		return v[n - 1];
	return v[i] + (h - fl) * (v[i + 1] - v[i]);
}

static int
finish_numeric(struct col *c)
{
	double *e;
	size_t j, k;

	if (c->vals != NULL)
		qsort(c->vals, c->nvals, sizeof(*c->vals), cmp_dbl);
	c->center = 0;
	c->div = 1;
	if (c->n == 0) {
		c->mn = c->mx = 0;
		return 0;
	}
	if (c->bin == AM_BIN_UNIFORM || c->bin == AM_BIN_QUANTILE) {
		if ((e = malloc(c->nbin * sizeof(*e))) == NULL)
			return AM_ENOMEM;
		for (j = 1, k = 0; j < c->nbin; j++) {
			double x = c->bin == AM_BIN_UNIFORM
			    ? c->mn +
			        (c->mx - c->mn) * (double)j / (double)c->nbin
			    : quantile(c->vals, c->nvals,
			          (double)j / (double)c->nbin);
			if ((k == 0 || x > e[k - 1]) && x > c->mn && x <= c->mx)
				e[k++] = x;
		}
		c->edges = e;
		c->nedge = k;
		return 0;
	}
	switch (c->scale) {
	case AM_SCALE_STANDARD:
		c->center = c->mean;
		c->div = sqrt(c->m2 / (double)c->n);
		break;
	case AM_SCALE_MINMAX:
		c->center = c->mn;
		c->div = c->mx - c->mn;
		break;
	case AM_SCALE_ROBUST:
		c->center = quantile(c->vals, c->nvals, 0.5);
		c->div = quantile(c->vals, c->nvals, 0.75) -
		    quantile(c->vals, c->nvals, 0.25);
		break;
	case AM_SCALE_MAXABS:
		c->div = fabs(c->mn) > fabs(c->mx) ? fabs(c->mn) : fabs(c->mx);
		break;
	default:
		break;
	}
	if (!(c->div > 0) || !isfinite(c->div))
		c->div = 1;
	return 0;
}

static int
fit_stats(struct am_feat *f, const struct am_feat_opts *o, struct am_err *err)
{
	size_t pos = 0, i, ccap = 0;
	unsigned long long r;
	double x, d;
	long days, secs;
	int rc;

	for (r = 0; r < f->nfit; r++) {
		fitted_row(f, &pos);
		if (f->tkind == 2 && !f->cells[f->nid].missing &&
		    count_level(&f->classes, &f->nclass, &ccap, NULL, &f->ctab,
		        &f->cells[f->nid]) != 0)
			goto nomem;
		for (i = 0; i < f->ncol; i++) {
			struct col *c = &f->col[i];
			const struct cell *cl = &f->cells[f->nid + 1 + i];
			if (cl->missing)
				continue;
			if (c->kind == K_DATE) {
				if (am_date_parse(cl->s, cl->len, &days,
				        &secs) != 0)
					return am_seterr(err, AM_EFORMAT,
					    "%s:%llu: column '%s': '%.40s' is "
					    "not a date",
					    f->inname, r + 2, c->name, cl->s);
				if (c->n++ == 0 || (double)days > c->mx)
					c->mx = (double)days;
				continue;
			}
			if (c->kind == K_CAT) {
				if (c->enc != AM_FEAT_HASH &&
				    count_level(&c->lev, &c->nlev, &c->levcap,
				        &c->cnt, &c->tab, cl) != 0)
					goto nomem;
				continue;
			}
			if ((rc = num_value(c, cl, &x)) != 0)
				return am_seterr(err, AM_EFORMAT,
				    "%s:%llu: column '%s': '%.40s' is out of "
				    "the domain of %s",
				    f->inname, r + 2, c->name, cl->s,
				    c->pre == PRE_LOG1P ? "log1p" : "sqrt");
			if (c->n == 0 || x < c->mn)
				c->mn = x;
			if (c->n == 0 || x > c->mx)
				c->mx = x;
			c->n++;
			d = x - c->mean;
			c->mean += d / (double)c->n;
			c->m2 += d * (x - c->mean);
			if (c->scale == AM_SCALE_ROBUST ||
			    c->bin == AM_BIN_QUANTILE) {
				if (c->nvals == c->valcap) {
					size_t cap =
					    c->valcap ? 2 * c->valcap : 1024;
					double *v =
					    realloc(c->vals, cap * sizeof(*v));
					if (v == NULL)
						goto nomem;
					c->vals = v;
					c->valcap = cap;
				}
				c->vals[c->nvals++] = x;
			}
		}
	}
	for (i = 0; i < f->ncol; i++) {
		struct col *c = &f->col[i];
		if (c->kind == K_DATE)
			c->ref = o->has_ref ? o->ref_days : (long)c->mx;
		else if (c->kind == K_CAT) {
			if (finish_levels(c, f->min_freq, f->max_cats,
			        f->nfit) != 0)
				goto nomem;
		} else if (finish_numeric(c) != 0)
			goto nomem;
	}
	if (f->tkind == 2 && sort_names(f->classes, f->nclass, &f->ctab) != 0)
		goto nomem;
	return 0;
nomem:
	return am_seterr(err, AM_ENOMEM, "out of memory");
}

/* Target sums per level and fold, folds drawn from the seed. */
static int
fit_target(struct am_feat *f, struct am_err *err)
{
	struct am_rand rng;
	size_t pos = 0, i, n = 0;
	unsigned long long r;
	double t, s = 0, cnt = 0;
	long k;
	unsigned j;

	for (i = 0; i < f->ncol; i++)
		n += f->col[i].kind == K_CAT && f->col[i].enc == AM_FEAT_TARGET;
	if (n == 0)
		return 0;
	if (f->tkind == 0)
		return am_seterr(err, AM_EARG,
		    "--target-enc needs the target column (-t)");
	if (f->tkind == 2 && f->nclass != 2)
		return am_seterr(err, AM_EARG,
		    "--target-enc needs a numeric or two-class target, '%s' "
		    "has %zu classes",
		    f->target, f->nclass);
	f->fold = malloc(f->nfit ? f->nfit : 1);
	f->fsum = calloc(f->folds, sizeof(double));
	f->fcnt = calloc(f->folds, sizeof(double));
	if (f->fold == NULL || f->fsum == NULL || f->fcnt == NULL)
		goto nomem;
	for (i = 0; i < f->ncol; i++) {
		struct col *c = &f->col[i];
		if (c->kind != K_CAT || c->enc != AM_FEAT_TARGET)
			continue;
		c->tsum =
		    calloc((c->nlev ? c->nlev : 1) * f->folds, sizeof(double));
		c->tcnt =
		    calloc((c->nlev ? c->nlev : 1) * f->folds, sizeof(double));
		if (c->tsum == NULL || c->tcnt == NULL)
			goto nomem;
	}
	am_rand_seed(&rng, f->seed);
	for (r = 0; r < f->nfit; r++) {
		const struct cell *tc = &f->cells[f->nid];
		fitted_row(f, &pos);
		f->fold[r] = (unsigned char)am_rand_below(&rng, f->folds);
		if (tc->missing)
			continue;
		if (f->tkind == 1)
			(void)am_parse_number(tc->s, tc->len, &t);
		else
			t = (double)am_strindex_find(&f->ctab, f->classes,
			    tc->s, tc->len);
		j = f->fold[r];
		f->fsum[j] += t;
		f->fcnt[j] += 1;
		for (i = 0; i < f->ncol; i++) {
			struct col *c = &f->col[i];
			const struct cell *cl = &f->cells[f->nid + 1 + i];
			if (c->tsum == NULL || cl->missing ||
			    (k = am_strindex_find(&c->tab, c->lev, cl->s,
			         cl->len)) < 0)
				continue;
			c->tsum[(size_t)k * f->folds + j] += t;
			c->tcnt[(size_t)k * f->folds + j] += 1;
		}
	}
	for (j = 0; j < f->folds; j++) {
		s += f->fsum[j];
		cnt += f->fcnt[j];
	}
	s = cnt > 0 ? s / cnt : 0;
	for (i = 0; i < f->ncol; i++) {
		struct col *c = &f->col[i];
		if (c->tsum == NULL)
			continue;
		c->dval = s;
		for (k = 0; (size_t)k < c->nlev; k++) {
			double ls = 0, lc = 0;
			for (j = 0; j < f->folds; j++) {
				ls += c->tsum[(size_t)k * f->folds + j];
				lc += c->tcnt[(size_t)k * f->folds + j];
			}
			c->lval[k] = lc + f->smoothing > 0
			    ? (ls + f->smoothing * s) / (lc + f->smoothing)
			    : s;
		}
	}
	return 0;
nomem:
	return am_seterr(err, AM_ENOMEM, "out of memory");
}

/* Selection. */

/* Candidate columns of the fitted rows, column-major. */
struct csc {
	size_t *ptr;
	uint32_t *row;
	double *val;
};

static int
select_step(struct am_feat *f, const struct am_feat_select *s,
    const struct csc *m, const int *y, const double *yd, const char *ok,
    size_t n, size_t nrow, struct am_err *err)
{
	double *x, *score;
	size_t *order, i, j, kept = 0, cnt = 0, lo;
	int rc = 0;

	x = malloc((nrow ? nrow : 1) * sizeof(*x));
	score = calloc(f->ncand ? f->ncand : 1, sizeof(*score));
	order = malloc((f->ncand ? f->ncand : 1) * sizeof(*order));
	if (x == NULL || score == NULL || order == NULL) {
		rc = am_seterr(err, AM_ENOMEM, "out of memory");
		goto out;
	}
	if (s->method != AM_SEL_VAR && f->tkind == 0) {
		rc = am_seterr(err, AM_EARG,
		    "--select: a score against the target needs -t");
		goto out;
	}
	if ((s->method == AM_SEL_MI || s->method == AM_SEL_CHI2 ||
	        s->method == AM_SEL_F) &&
	    f->tkind != 2) {
		rc = am_seterr(err, AM_EARG,
		    "--select: mi, chi2 and f need a categorical target; "
		    "use corr for a numeric one");
		goto out;
	}
	if (s->method == AM_SEL_CORR && f->tkind == 2 && f->nclass != 2) {
		rc = am_seterr(err, AM_EARG,
		    "--select: corr needs a numeric or two-class target");
		goto out;
	}
	for (j = 0; j < f->ncand; j++) {
		int discrete = 1;
		if (f->sel[j] == NONE)
			continue;
		order[cnt++] = j;
		memset(x, 0, nrow * sizeof(*x));
		for (i = m->ptr[j]; i < m->ptr[j + 1]; i++) {
			x[m->row[i]] = m->val[i];
			if (m->val[i] != 1)
				discrete = 0;
		}
		if (s->method == AM_SEL_VAR) {
			score[j] = am_sel_variance(x, nrow);
			continue;
		}
		for (i = 0, lo = 0; i < nrow; i++) /* rows with a target */
			if (ok[i])
				x[lo++] = x[i];
		switch (s->method) {
		case AM_SEL_F:
			score[j] = am_sel_f(x, y, n, f->nclass);
			break;
		case AM_SEL_CORR:
			score[j] = am_sel_corr(x, yd, n);
			break;
		case AM_SEL_CHI2:
			if ((rc = am_sel_chi2(x, y, n, f->nclass, &score[j])) !=
			    0) {
				rc = am_seterr(err, rc,
				    rc == AM_EARG
				        ? "--select chi2: feature '%s' has "
				          "negative values (use --scale minmax)"
				        : "out of memory",
				    cand_name(f, j));
				goto out;
			}
			break;
		default:
			if ((rc = am_sel_mi(x, y, n, f->nclass, discrete, 3,
			         &score[j])) != 0) {
				rc = am_seterr(err, rc, "out of memory");
				goto out;
			}
		}
	}
	if (s->method == AM_SEL_VAR) {
		for (i = 0; i < cnt; i++)
			if (!(score[order[i]] > s->arg))
				f->sel[order[i]] = NONE;
	} else if ((double)cnt > s->arg) {
		/* keep the top arg: stable by score, then by position */
		for (i = 1; i < cnt; i++) {
			size_t v = order[i], h = i;
			while (h > 0 && score[order[h - 1]] < score[v]) {
				order[h] = order[h - 1];
				h--;
			}
			order[h] = v;
		}
		for (i = (size_t)s->arg; i < cnt; i++)
			f->sel[order[i]] = NONE;
	}
	for (j = 0; j < f->ncand; j++)
		if (f->sel[j] != NONE)
			f->sel[j] = (uint32_t)kept++;
	f->nsel = kept;
	free(f->scores);
	f->scores = score;
	f->nscores = f->ncand;
	score = NULL;
out:
	free(x);
	free(score);
	free(order);
	return rc;
}

static int
fit_select(struct am_feat *f, const struct am_feat_opts *o, struct am_err *err)
{
	struct csc m = { 0 };
	size_t pos = 0, i, j, n = 0, *cnt = NULL, total = 0;
	unsigned long long r;
	int *y = NULL, rc = 0;
	double *yd = NULL, t;
	char *ok = NULL;
	struct am_csr rows;

	am_csr_init(&rows);
	f->ncand = f->nbase + f->nterm;
	if ((f->sel = calloc(f->ncand ? f->ncand : 1, sizeof(*f->sel))) == NULL)
		goto nomem;
	f->has_sel = 1;
	y = calloc(f->nfit ? f->nfit : 1, sizeof(*y));
	yd = calloc(f->nfit ? f->nfit : 1, sizeof(*yd));
	ok = calloc(f->nfit ? f->nfit : 1, 1);
	if (y == NULL || yd == NULL || ok == NULL)
		goto nomem;
	f->has_sel = 0; /* the candidates, unselected */
	f->fitting = 1;
	for (r = 0; r < f->nfit; r++) {
		const struct cell *tc = &f->cells[f->nid];
		fitted_row(f, &pos);
		f->cur = r;
		if ((rc = candidates(f, f->inname, (unsigned long)r + 2,
		         err)) != 0)
			goto out;
		if ((rc = am_csr_push(&rows, f->v1.n, f->v1.idx, f->v1.val,
		         err)) != 0)
			goto out;
		if (f->tkind == 0 || tc->missing)
			continue;
		if (f->tkind == 1)
			(void)am_parse_number(tc->s, tc->len, &t);
		else
			t = (double)am_strindex_find(&f->ctab, f->classes,
			    tc->s, tc->len);
		ok[r] = 1;
		y[n] = (int)t;
		yd[n++] = t;
	}
	f->fitting = 0;
	f->has_sel = 1;
	/* transpose */
	if ((cnt = calloc(f->ncand + 1, sizeof(*cnt))) == NULL ||
	    (m.ptr = calloc(f->ncand + 1, sizeof(*m.ptr))) == NULL ||
	    (m.row = malloc((rows.nnz ? rows.nnz : 1) * sizeof(*m.row))) ==
	        NULL ||
	    (m.val = malloc((rows.nnz ? rows.nnz : 1) * sizeof(*m.val))) ==
	        NULL)
		goto nomem;
	for (i = 0; i < rows.nnz; i++)
		cnt[rows.idx[i]]++;
	for (j = 0; j < f->ncand; j++) {
		m.ptr[j] = total;
		total += cnt[j];
		cnt[j] = m.ptr[j];
	}
	m.ptr[f->ncand] = total;
	for (i = 0; i < rows.rows; i++)
		for (j = rows.ptr[i]; j < rows.ptr[i + 1]; j++) {
			size_t at = cnt[rows.idx[j]]++;
			m.row[at] = (uint32_t)i;
			m.val[at] = rows.val[j];
		}
	am_csr_release(&rows);
	for (j = 0; j < f->ncand; j++)
		f->sel[j] = (uint32_t)j;
	f->nsel = f->ncand;
	for (i = 0; i < o->nselect && rc == 0; i++)
		rc = select_step(f, &o->select[i], &m, y, yd, ok, n,
		    (size_t)f->nfit, err);
	goto out;
nomem:
	rc = am_seterr(err, AM_ENOMEM, "out of memory");
out:
	f->fitting = 0;
	am_csr_release(&rows);
	free(m.ptr);
	free(m.row);
	free(m.val);
	free(cnt);
	free(y);
	free(yd);
	free(ok);
	return rc;
}

/* PCA. */

static int
fit_pca(struct am_feat *f, const struct am_feat_opts *o, struct am_err *err)
{
	struct am_mat *c = NULL;
	double *row = NULL, *w = NULL, tot = 0, cum = 0;
	size_t p = f->has_sel ? f->nsel : f->nbase + f->nterm, pos, i, j, k;
	unsigned long long r;
	struct vec *v;
	int rc = 0, pass;

	if (p > PCA_MAX)
		return am_seterr(err, AM_ELIMIT,
		    "--pca: %zu input features, more than %d (select some "
		    "first)",
		    p, PCA_MAX);
	if (f->nfit < 2 || p == 0)
		return am_seterr(err, AM_EARG,
		    "--pca needs at least 2 rows and 1 feature");
	if ((c = am_mat_new(p, p, err)) == NULL)
		return err ? err->code : AM_ENOMEM;
	f->pca_p = p;
	f->pmean = calloc(p, sizeof(double));
	row = malloc(p * sizeof(double));
	w = malloc(p * sizeof(double));
	if (f->pmean == NULL || row == NULL || w == NULL)
		goto nomem;
	f->fitting = 1;
	for (pass = 0; pass < 2; pass++) {
		for (r = 0, pos = 0; r < f->nfit; r++) {
			fitted_row(f, &pos);
			f->cur = r;
			if ((rc = candidates(f, f->inname, (unsigned long)r + 2,
			         err)) != 0)
				goto out;
			if ((v = selected(f)) == NULL)
				goto nomem;
			if (pass == 0) {
				for (i = 0; i < v->n; i++)
					f->pmean[v->idx[i]] += v->val[i];
				continue;
			}
			for (i = 0; i < p; i++)
				row[i] = -f->pmean[i];
			for (i = 0; i < v->n; i++)
				row[v->idx[i]] += v->val[i];
			for (i = 0; i < p; i++) {
				double xi = row[i];
				double *ci = &AM_MAT_AT(c, i, 0);
				if (xi == 0)
					continue;
				for (j = i; j < p; j++)
					ci[j] += xi * row[j];
			}
		}
		if (pass == 0)
			for (i = 0; i < p; i++)
				f->pmean[i] /= (double)f->nfit;
	}
	f->fitting = 0;
	for (i = 0; i < p; i++)
		for (j = i; j < p; j++)
			AM_MAT_AT(c, i, j) /= (double)(f->nfit - 1);
	if ((rc = am_mat_syev(c, w, err)) != 0)
		goto out;
	for (i = 0; i < p; i++)
		tot += w[i] > 0 ? w[i] : 0;
	if (o->pca >= 1)
		k = (size_t)o->pca < p ? (size_t)o->pca : p;
	else
		for (k = 0; k < p;) {
			double e = w[p - 1 - k];
			cum += (e > 0 ? e : 0) / (tot > 0 ? tot : 1);
			k++;
			if (cum > o->pca)
				break;
		}
	f->pca_k = k;
	f->whiten = o->whiten;
	f->pw = malloc(p * k * sizeof(double));
	f->pvar = malloc(k * sizeof(double));
	f->pratio = malloc(k * sizeof(double));
	f->pconst = calloc(k, sizeof(double));
	if (f->pw == NULL || f->pvar == NULL || f->pratio == NULL ||
	    f->pconst == NULL)
		goto nomem;
	for (j = 0; j < k; j++) {
		size_t col = p - 1 - j, big = 0;
		double sign;
		f->pvar[j] = w[col];
		f->pratio[j] = tot > 0 ? (w[col] > 0 ? w[col] : 0) / tot : 0;
		for (i = 1; i < p; i++)
			if (fabs(AM_MAT_AT(c, i, col)) >
			    fabs(AM_MAT_AT(c, big, col)))
				big = i;
		sign = AM_MAT_AT(c, big, col) < 0 ? -1 : 1;
		for (i = 0; i < p; i++) {
			f->pw[i * k + j] = sign * AM_MAT_AT(c, i, col);
			f->pconst[j] -= f->pmean[i] * f->pw[i * k + j];
		}
		if (f->whiten && !(f->pvar[j] > 0))
			f->pvar[j] = 1;
	}
	goto out;
nomem:
	rc = am_seterr(err, AM_ENOMEM, "out of memory");
out:
	f->fitting = 0;
	am_mat_free(c);
	free(row);
	free(w);
	return rc;
}

/* Polynomial terms over the features of the columns marked 'poly'. */
static int
setup_poly(struct am_feat *f, struct am_err *err)
{
	size_t i, k;

	if (f->deg == 0)
		return 0;
	f->np = 0;
	for (i = 0; i < f->ncol; i++)
		if (f->col[i].poly)
			f->np += f->col[i].nout;
	if ((f->pq = malloc((f->np ? f->np : 1) * sizeof(*f->pq))) == NULL)
		return am_seterr(err, AM_ENOMEM, "out of memory");
	f->np = 0;
	for (i = 0; i < f->ncol; i++)
		if (f->col[i].poly)
			for (k = 0; k < f->col[i].nout; k++)
				f->pq[f->np++] = (uint32_t)(f->col[i].base + k);
	return build_terms(f, err);
}

struct am_feat *
am_feat_fit(struct am_csv_reader *in, const struct am_feat_opts *o,
    struct am_err *err)
{
	struct am_feat *f;
	size_t i;

	if ((f = calloc(1, sizeof(*f))) == NULL) {
		am_seterr(err, AM_ENOMEM, "out of memory");
		return NULL;
	}
	f->min_freq = o->min_freq;
	f->max_cats = o->max_cats;
	f->smoothing = o->smoothing;
	f->folds = o->folds >= 2 && o->folds <= 255 ? o->folds : 5;
	f->seed = o->seed;
	f->inter = o->interaction_only;
	f->inname = am_csv_name(in);
	for (i = 0; i < o->nrule; i++)
		if (o->rules[i].op == AM_FEAT_POLY)
			f->deg = o->rules[i].k;
	if (setup_columns(f, in, o, err) != 0)
		goto fail;
	if ((f->cells = calloc(f->nid + 1 + f->ncol, sizeof(*f->cells))) ==
	    NULL) {
		am_seterr(err, AM_ENOMEM, "out of memory");
		goto fail;
	}
	if (read_rows(f, in, err) != 0 || apply_rules(f, o, err) != 0 ||
	    fit_stats(f, o, err) != 0 || fit_target(f, err) != 0 ||
	    build_base(f, err) != 0 || setup_poly(f, err) != 0 ||
	    build_schema(f, err) != 0)
		goto fail;
	if (o->nselect > 0 &&
	    (fit_select(f, o, err) != 0 || build_schema(f, err) != 0))
		goto fail;
	if (o->pca > 0 &&
	    (fit_pca(f, o, err) != 0 || build_schema(f, err) != 0))
		goto fail;
	f->rows = f->nfit; /* for the lineage, until rows are written */
	return f;
fail:
	am_feat_free(f);
	return NULL;
}

/* Writing. */

static int
write_rows(struct am_feat *f, const struct am_feat_out *out,
    const struct am_fs_schema *s, int has_target, struct am_csv_reader *in,
    struct am_err *err)
{
	struct am_fs_writer *w;
	struct am_fs_row row;
	size_t pos = 0, i;
	unsigned long long r;
	int rc = 0;

	if ((w = am_fs_writer_open(out->fp, out->format, s, err)) == NULL)
		return err ? err->code : AM_ENOMEM;
	f->rows = 0;
	f->fitting = in == NULL;
	for (r = 0; in != NULL || r < f->nfit; r++) {
		if (in == NULL) { /* the fitted rows */
			fitted_row(f, &pos);
			f->cur = r;
			rc = transform(f, has_target, &row, f->inname,
			    (unsigned long)r + 2, err);
		} else {
			if ((rc = am_csv_next(in, err)) <= 0)
				break;
			for (i = 0; i < f->nid; i++) {
				f->cells[i].s =
				    am_csv_field(in, (size_t)f->idin[i]);
				f->cells[i].len =
				    am_csv_len(in, (size_t)f->idin[i]);
				f->cells[i].missing = 0;
			}
			if (has_target) {
				struct cell *c = &f->cells[f->nid];
				c->s = am_csv_field(in, (size_t)f->tin);
				c->len = am_csv_len(in, (size_t)f->tin);
				c->missing = am_csv_missing(in, (size_t)f->tin);
			}
			for (i = 0; i < f->ncol; i++) {
				struct cell *c = &f->cells[f->nid + 1 + i];
				size_t k = (size_t)f->col[i].in;
				c->s = am_csv_field(in, k);
				c->len = am_csv_len(in, k);
				c->missing = am_csv_missing(in, k);
			}
			rc = transform(f, has_target, &row, am_csv_name(in),
			    am_csv_line(in), err);
		}
		if (rc != 0 || (rc = am_fs_write(w, &row, err)) != 0)
			break;
		f->rows++;
		if (out->line_buffered &&
		    (rc = am_fs_writer_flush(w, err)) != 0)
			break;
	}
	f->fitting = 0;
	if (rc == 0)
		return am_fs_writer_close(w, err);
	(void)am_fs_writer_close(w, NULL);
	return rc;
}

int
am_feat_write_fitted(struct am_feat *f, const struct am_feat_out *out,
    struct am_err *err)
{
	int rc = write_rows(f, out, &f->out, f->tin >= 0, NULL, err);

	f->unseen = 0; /* rare levels are not unseen ones */
	free(f->arena);
	f->arena = NULL;
	f->alen = f->acap = 0;
	f->nfit = 0;
	return rc;
}

int
am_feat_apply(struct am_feat *f, struct am_csv_reader *in,
    const struct am_feat_out *out, struct am_err *err)
{
	struct am_fs_schema s = f->out;
	size_t i;

	for (i = 0; i < f->nid; i++)
		if ((f->idin[i] = am_csv_col(in, f->id[i])) < 0)
			return am_seterr(err, AM_EMODEL,
			    "%s: id column '%s' expected by the transform not "
			    "found",
			    am_csv_name(in), f->id[i]);
	for (i = 0; i < f->ncol; i++)
		if ((f->col[i].in = am_csv_col(in, f->col[i].name)) < 0)
			return am_seterr(err, AM_EMODEL,
			    "%s: column '%s' expected by the transform not "
			    "found",
			    am_csv_name(in), f->col[i].name);
	f->tin = f->target ? am_csv_col(in, f->target) : -1;
	if (f->tin < 0) { /* prediction data: no target column */
		s.target = NULL;
		s.nclass = 0;
		s.classes = NULL;
	}
	return write_rows(f, out, &s, f->tin >= 0, in, err);
}

unsigned long long
am_feat_rows(const struct am_feat *f)
{
	return f->rows;
}

unsigned long long
am_feat_unseen(const struct am_feat *f)
{
	return f->unseen;
}

const struct am_fs_schema *
am_feat_schema(const struct am_feat *f)
{
	return &f->out;
}

size_t
am_feat_ncols(const struct am_feat *f)
{
	return f->ncol;
}

const char *
am_feat_col_name(const struct am_feat *f, size_t i)
{
	return f->col[i].name;
}

int
am_feat_col_numeric(const struct am_feat *f, size_t i)
{
	return f->col[i].kind == K_NUM;
}

void
am_feat_col_scale(const struct am_feat *f, size_t i, double *mean, double *std)
{
	*mean = f->col[i].center;
	*std = f->col[i].div;
}

size_t
am_feat_pca(const struct am_feat *f, const double **variance,
    const double **ratio)
{
	*variance = f->pvar;
	*ratio = f->pratio;
	return f->pca_k;
}

const char *
am_feat_cand_name(const struct am_feat *f, size_t k)
{
	return cand_name(f, k);
}

size_t
am_feat_scores(const struct am_feat *f, const double **score)
{
	*score = f->scores;
	return f->nscores;
}

/* The artifact. */

static void
put_col(struct am_buf *b, const struct col *c)
{
	size_t k;

	am_buf_str(b, c->name);
	am_buf_u8(b, (uint8_t)c->kind);
	am_buf_u8(b, (uint8_t)c->poly);
	switch (c->kind) {
	case K_NUM:
		am_buf_u8(b, (uint8_t)c->clip);
		am_buf_f64(b, c->lo);
		am_buf_f64(b, c->hi);
		am_buf_u8(b, (uint8_t)c->pre);
		am_buf_u8(b, (uint8_t)c->scale);
		am_buf_f64(b, c->center);
		am_buf_f64(b, c->div);
		am_buf_u8(b, (uint8_t)c->bin);
		am_buf_u8(b, (uint8_t)c->bin_onehot);
		am_buf_u32(b, (uint32_t)c->nedge);
		am_buf_f64s(b, c->edges, c->nedge);
		break;
	case K_DATE:
		am_buf_u8(b, (uint8_t)c->parts);
		am_buf_u64(b, (uint64_t)(int64_t)c->ref);
		break;
	default:
		am_buf_u8(b, (uint8_t)c->enc);
		am_buf_u8(b, (uint8_t)c->other);
		am_buf_u32(b, (uint32_t)c->nlev);
		for (k = 0; k < c->nlev; k++)
			am_buf_str(b, c->lev[k]);
		if (c->enc == AM_FEAT_FREQ || c->enc == AM_FEAT_TARGET) {
			am_buf_f64s(b, c->lval, c->nlev);
			am_buf_f64(b, c->dval);
		}
	}
}

/* "age:minmax, balance:clip+log1p+robust, job:freq, ...", for people. */
static void
describe(const struct am_feat *f, struct am_buf *d)
{
	static const char *const scale[] = { "standard", "minmax", "robust",
		"maxabs", "none" };
	static const char *const bin[] = { "", "uniform", "quantile", "edges" };
	char tmp[64];
	size_t i;

	for (i = 0; i < f->ncol; i++) {
		const struct col *c = &f->col[i];
		const char *what;
		if (i > 0)
			am_buf_put(d, ", ", 2);
		am_buf_put(d, c->name, strlen(c->name));
		am_buf_u8(d, ':');
		if (c->kind == K_DATE) {
			am_buf_put(d, "date", 4);
			continue;
		}
		if (c->kind == K_CAT) {
			what = opname[c->enc];
			am_buf_put(d, what, strlen(what));
			continue;
		}
		if (c->clip)
			am_buf_put(d, "clip+", 5);
		if (c->pre != PRE_NONE)
			am_buf_put(d, c->pre == PRE_LOG1P ? "log1p+" : "sqrt+",
			    c->pre == PRE_LOG1P ? 6 : 5);
		if (c->bin) {
			(void)snprintf(tmp, sizeof(tmp), "bin-%s-%zu%s",
			    bin[c->bin], c->nedge + 1,
			    c->bin_onehot ? "-onehot" : "");
			am_buf_put(d, tmp, strlen(tmp));
		} else
			am_buf_put(d, scale[c->scale], strlen(scale[c->scale]));
	}
	am_buf_u8(d, '\0');
}

int
am_feat_save(const struct am_feat *f, struct am_art *a)
{
	struct am_buf b = AM_BUF_INIT, nb = AM_BUF_INIT;
	size_t i;
	int rc = 0;

	for (i = 0; i < f->nid; i++)
		rc |= am_art_add_col(a, f->id[i], AM_COL_TEXT);
	for (i = 0; i < f->ncol; i++)
		rc |= am_art_add_col(a, f->col[i].name,
		    f->col[i].kind == K_NUM ? AM_COL_NUMBER : AM_COL_CATEGORY);
	if (f->target != NULL) {
		rc |= am_art_set(a, "target", f->target);
		rc |= am_art_set(a, "target.type",
		    f->tkind == 2 ? "category" : "number");
		if (f->tkind == 2)
			rc |=
			    am_art_setf(a, "target.classes", "%zu", f->nclass);
	}
	rc |= am_art_setf(a, "hyper.min_freq", "%lu", f->min_freq);
	if (f->max_cats > 0)
		rc |= am_art_setf(a, "hyper.max_cats", "%lu", f->max_cats);
	if (f->drop != NULL)
		rc |= am_art_set(a, "hyper.drop", f->drop);
	if (f->hashbits)
		rc |= am_art_setf(a, "hyper.hash_bits", "%u", f->hashbits);
	if (f->deg)
		rc |= am_art_setf(a, "hyper.poly", "%u%s", f->deg,
		    f->inter ? " interaction-only" : "");
	if (f->fold != NULL)
		rc |= am_art_setf(a, "hyper.target_enc",
		    "smoothing %.17g, %u folds", f->smoothing, f->folds);
	if (f->has_sel)
		rc |= am_art_setf(a, "features.selected", "%zu of %zu", f->nsel,
		    f->ncand);
	if (f->pca_k) {
		double cum = 0;
		for (i = 0; i < f->pca_k; i++)
			cum += f->pratio[i];
		rc |= am_art_setf(a, "pca.components", "%zu%s", f->pca_k,
		    f->whiten ? " whitened" : "");
		rc |= am_art_setf(a, "pca.explained_variance_ratio", "%.17g",
		    cum);
	}
	rc |= am_art_setf(a, "features.in", "%zu", f->ncol);
	if (f->ncol > 0) {
		struct am_buf d = AM_BUF_INIT;
		describe(f, &d);
		rc |= am_buf_error(&d)
		    ? 1
		    : am_art_set(a, "features.columns", (const char *)d.data);
		am_buf_release(&d);
	}
	rc |= am_art_setf(a, "features.out", "%zu", f->out.nfeat);

	am_buf_u32(&b, XFORM_VERSION);
	am_buf_u32(&b, (uint32_t)f->nid);
	for (i = 0; i < f->nid; i++)
		am_buf_str(&b, f->id[i]);
	am_buf_u8(&b, (uint8_t)f->tkind);
	if (f->tkind != 0) {
		am_buf_str(&b, f->target);
		am_buf_u32(&b, (uint32_t)f->nclass);
		for (i = 0; i < f->nclass; i++)
			am_buf_str(&b, f->classes[i]);
	}
	am_buf_u32(&b, (uint32_t)f->ncol);
	for (i = 0; i < f->ncol; i++)
		put_col(&b, &f->col[i]);
	am_buf_u8(&b, (uint8_t)f->hashbits);
	am_buf_u8(&b, (uint8_t)f->deg);
	am_buf_u8(&b, (uint8_t)f->inter);
	am_buf_u8(&b, (uint8_t)f->has_sel);
	if (f->has_sel) {
		am_buf_u32(&b, (uint32_t)f->nsel);
		for (i = 0; i < f->ncand; i++)
			if (f->sel[i] != NONE)
				am_buf_u32(&b, (uint32_t)i);
	}
	am_buf_u32(&b, (uint32_t)f->pca_k);
	if (f->pca_k) {
		am_buf_u32(&b, (uint32_t)f->pca_p);
		am_buf_u8(&b, (uint8_t)f->whiten);
		am_buf_f64s(&b, f->pmean, f->pca_p);
		am_buf_f64s(&b, f->pw, f->pca_p * f->pca_k);
		am_buf_f64s(&b, f->pvar, f->pca_k);
		am_buf_f64s(&b, f->pratio, f->pca_k);
	}
	rc |= am_art_add_buf(a, "xform", &b);
	/* the output feature names, one a line, for people and tools */
	for (i = 0; i < f->out.nfeat; i++) {
		am_buf_put(&nb, f->out.feat[i], strlen(f->out.feat[i]));
		am_buf_u8(&nb, '\n');
	}
	rc |= am_art_add_buf(a, "names", &nb);
	rc |= am_buf_error(&b) | am_buf_error(&nb);
	am_buf_release(&b);
	am_buf_release(&nb);
	return rc != 0 ? AM_ENOMEM : 0;
}

/* Read 'n' (checked against the bytes left) names into '*v'. */
static int
rd_names(struct am_rd *rd, char ***v, size_t *count, uint32_t n)
{
	size_t i;

	if (n > am_rd_left(rd) / 4)
		return AM_EFORMAT;
	if (n > 0 && (*v = calloc(n, sizeof(**v))) == NULL)
		return AM_ENOMEM;
	for (i = 0; i < n; i++) {
		if (((*v)[i] = am_rd_str(rd, AM_FS_MAX_NAME)) == NULL)
			return AM_EFORMAT;
		*count = i + 1;
	}
	return 0;
}

/* 'n' doubles into a new '*out' (checked against the bytes left). */
static int
rd_f64s(struct am_rd *rd, double **out, size_t n)
{
	if (n > am_rd_left(rd) / 8)
		return AM_EFORMAT;
	if ((*out = calloc(n ? n : 1, sizeof(double))) == NULL)
		return AM_ENOMEM;
	am_rd_f64s(rd, *out, n);
	return am_rd_error(rd) ? AM_EFORMAT : 0;
}

static int
rd_levels(struct am_rd *rd, struct col *c)
{
	uint32_t k;
	int rc;

	if ((rc = rd_names(rd, &c->lev, &c->nlev, am_rd_u32(rd))) != 0)
		return rc;
	for (k = 0; k < c->nlev; k++) {
		if (k > 0 && strcmp(c->lev[k - 1], c->lev[k]) >= 0)
			return AM_EFORMAT;
		if (am_strindex_add(&c->tab, c->lev, k + 1) != 0)
			return AM_ENOMEM;
	}
	return 0;
}

static int
rd_col(struct am_rd *rd, struct col *c, unsigned version)
{
	size_t k;
	int rc;

	if ((c->name = am_rd_str(rd, AM_FS_MAX_NAME)) == NULL)
		return AM_EFORMAT;
	c->kind = am_rd_u8(rd);
	if (version == 1) { /* standard scaling or one-hot */
		if (c->kind > 1)
			return AM_EFORMAT;
		if (c->kind == K_NUM) {
			c->center = am_rd_f64(rd);
			c->div = am_rd_f64(rd);
		} else {
			c->enc = AM_FEAT_ONEHOT;
			c->other = am_rd_u8(rd);
			if ((rc = rd_levels(rd, c)) != 0)
				return rc;
		}
	} else {
		c->poly = am_rd_u8(rd);
		if (c->kind > K_DATE || c->poly > 1)
			return AM_EFORMAT;
		if (c->kind == K_NUM) {
			c->clip = am_rd_u8(rd);
			c->lo = am_rd_f64(rd);
			c->hi = am_rd_f64(rd);
			c->pre = am_rd_u8(rd);
			c->scale = am_rd_u8(rd);
			c->center = am_rd_f64(rd);
			c->div = am_rd_f64(rd);
			c->bin = am_rd_u8(rd);
			c->bin_onehot = am_rd_u8(rd);
			if (c->clip > 1 || c->pre > PRE_SQRT ||
			    c->scale > AM_SCALE_NONE || c->bin > AM_BIN_EDGES ||
			    c->bin_onehot > 1 || (c->clip && !(c->lo <= c->hi)))
				return AM_EFORMAT;
			c->nedge = am_rd_u32(rd);
			if ((rc = rd_f64s(rd, &c->edges, c->nedge)) != 0)
				return rc;
			for (k = 0; k < c->nedge; k++)
				if (!isfinite(c->edges[k]) ||
				    (k > 0 && !(c->edges[k] > c->edges[k - 1])))
					return AM_EFORMAT;
		} else if (c->kind == K_DATE) {
			c->parts = am_rd_u8(rd);
			c->ref = (long)(int64_t)am_rd_u64(rd);
			if (c->parts == 0 || c->parts > AM_DATE_ALL)
				return AM_EFORMAT;
		} else {
			c->enc = am_rd_u8(rd);
			c->other = am_rd_u8(rd);
			if (c->enc < AM_FEAT_ONEHOT || c->enc > AM_FEAT_HASH ||
			    c->other > 1)
				return AM_EFORMAT;
			if ((rc = rd_levels(rd, c)) != 0)
				return rc;
			if (c->enc == AM_FEAT_FREQ ||
			    c->enc == AM_FEAT_TARGET) {
				if ((rc = rd_f64s(rd, &c->lval, c->nlev)) != 0)
					return rc;
				c->dval = am_rd_f64(rd);
			}
			c->hseed = am_hash64(c->name, strlen(c->name), 0);
		}
	}
	if (c->kind == K_NUM &&
	    (!isfinite(c->center) || !isfinite(c->div) || !(c->div > 0)))
		return AM_EFORMAT;
	return am_rd_error(rd) ? AM_EFORMAT : 0;
}

static int
decode(struct am_feat *f, const void *data, size_t len, struct am_err *err)
{
	struct am_rd rd;
	uint32_t n, i, version;
	int rc;

	am_rd_init(&rd, data, len);
	version = am_rd_u32(&rd);
	if (version < 1 || version > XFORM_VERSION)
		return AM_EFORMAT;
	n = am_rd_u32(&rd);
	if (n > AM_FS_MAX_IDS || (rc = rd_names(&rd, &f->id, &f->nid, n)) != 0)
		return AM_EFORMAT;
	if ((f->idin = calloc(f->nid ? f->nid : 1, sizeof(*f->idin))) == NULL)
		return AM_ENOMEM;
	f->tkind = am_rd_u8(&rd);
	if (f->tkind > 2)
		return AM_EFORMAT;
	if (f->tkind != 0) {
		if ((f->target = am_rd_str(&rd, AM_FS_MAX_NAME)) == NULL)
			return AM_EFORMAT;
		n = am_rd_u32(&rd);
		if (n > AM_FS_MAX_CLASSES || (f->tkind == 1 && n != 0))
			return AM_EFORMAT;
		if ((rc = rd_names(&rd, &f->classes, &f->nclass, n)) != 0)
			return rc;
		for (i = 0; i < f->nclass; i++) {
			if (i > 0 &&
			    strcmp(f->classes[i - 1], f->classes[i]) >= 0)
				return AM_EFORMAT;
			if (am_strindex_add(&f->ctab, f->classes, i + 1) != 0)
				return AM_ENOMEM;
		}
	}
	n = am_rd_u32(&rd);
	/* each column takes at least 4 + 1 + 5 bytes */
	if (n > am_rd_left(&rd) / 10)
		return AM_EFORMAT;
	if ((f->col = calloc(n ? n : 1, sizeof(*f->col))) == NULL)
		return AM_ENOMEM;
	for (i = 0; i < n; i++) {
		f->ncol = i + 1;
		if ((rc = rd_col(&rd, &f->col[i], version)) != 0)
			return rc;
	}
	if (version >= 2) {
		f->hashbits = am_rd_u8(&rd);
		f->deg = am_rd_u8(&rd);
		f->inter = am_rd_u8(&rd);
		f->has_sel = am_rd_u8(&rd);
		if (f->hashbits > 24 ||
		    (f->deg != 0 && f->deg != 2 && f->deg != 3) ||
		    f->inter > 1 || f->has_sel > 1)
			return AM_EFORMAT;
	}
	if (am_rd_error(&rd))
		return AM_EFORMAT;
	for (i = 0; i < f->ncol; i++) /* hashed columns need the hash block */
		if (f->col[i].kind == K_CAT && f->col[i].enc == AM_FEAT_HASH &&
		    f->hashbits == 0)
			return AM_EFORMAT;
	if ((rc = build_base(f, err)) != 0 || (rc = setup_poly(f, err)) != 0)
		return rc;
	f->ncand = f->nbase + f->nterm;
	if (version >= 2 && f->has_sel) {
		uint32_t prev = 0;
		f->nsel = am_rd_u32(&rd);
		if (f->nsel > f->ncand || f->nsel > am_rd_left(&rd) / 4)
			return AM_EFORMAT;
		if ((f->sel = malloc(
		         (f->ncand ? f->ncand : 1) * sizeof(*f->sel))) == NULL)
			return AM_ENOMEM;
		for (i = 0; i < f->ncand; i++)
			f->sel[i] = NONE;
		for (i = 0; i < f->nsel; i++) {
			uint32_t k = am_rd_u32(&rd);
			if (k >= f->ncand || (i > 0 && k <= prev))
				return AM_EFORMAT;
			f->sel[k] = i;
			prev = k;
		}
	}
	if (version >= 2 && (f->pca_k = am_rd_u32(&rd)) > 0) {
		size_t p, j;
		f->pca_p = p = am_rd_u32(&rd);
		f->whiten = am_rd_u8(&rd);
		if (p != (f->has_sel ? f->nsel : f->ncand) || p > PCA_MAX ||
		    f->pca_k > p || f->whiten > 1)
			return AM_EFORMAT;
		if ((rc = rd_f64s(&rd, &f->pmean, p)) != 0 ||
		    (rc = rd_f64s(&rd, &f->pw, p * f->pca_k)) != 0 ||
		    (rc = rd_f64s(&rd, &f->pvar, f->pca_k)) != 0 ||
		    (rc = rd_f64s(&rd, &f->pratio, f->pca_k)) != 0)
			return rc;
		if ((f->pconst = calloc(f->pca_k, sizeof(double))) == NULL)
			return AM_ENOMEM;
		for (j = 0; j < f->pca_k; j++) {
			if (f->whiten && !(f->pvar[j] > 0))
				return AM_EFORMAT;
			for (i = 0; i < p; i++)
				f->pconst[j] -=
				    f->pmean[i] * f->pw[i * f->pca_k + j];
		}
	}
	if (am_rd_error(&rd) || am_rd_left(&rd) != 0)
		return AM_EFORMAT;
	return 0;
}

struct am_feat *
am_feat_load(const struct am_art *a, const char *name, struct am_err *err)
{
	struct am_feat *f;
	const void *data;
	size_t len;
	int rc;

	if (strcmp(am_art_kind(a), AM_FEAT_KIND) != 0 ||
	    strcmp(am_art_algo(a), AM_FEAT_ALGO) != 0) {
		am_seterr(err, AM_EMODEL,
		    "%s: is a '%s' artifact (%s), expected '%s' (%s)", name,
		    am_art_kind(a), am_art_algo(a), AM_FEAT_KIND, AM_FEAT_ALGO);
		return NULL;
	}
	if ((data = am_art_section(a, "xform", &len)) == NULL) {
		am_seterr(err, AM_EFORMAT, "%s: no 'xform' section", name);
		return NULL;
	}
	if ((f = calloc(1, sizeof(*f))) == NULL) {
		am_seterr(err, AM_ENOMEM, "out of memory");
		return NULL;
	}
	f->tin = -1;
	if ((rc = decode(f, data, len, err)) != 0) {
		if (rc == AM_ENOMEM)
			am_seterr(err, AM_ENOMEM, "out of memory");
		else if (rc != AM_ELIMIT)
			am_seterr(err, AM_EFORMAT, "%s: bad 'xform' section",
			    name);
		am_feat_free(f);
		return NULL;
	}
	if (build_schema(f, err) != 0) {
		am_feat_free(f);
		return NULL;
	}
	return f;
}
