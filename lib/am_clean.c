/* SPDX-License-Identifier: MIT */
/*
 * am_clean.c -- type inference, profiling, imputation and splits for
 * am-clean.
 *
 * Every record becomes a 'struct view' (text, length and state of each
 * cell), whether it comes straight from the reader or back from the
 * spool; emit() is the only code that writes a cleaned record, which is
 * why a fit and a replay of the same input give the same bytes.
 *
 * Column statistics are kept as the records stream past: which value
 * kinds (integer, number, boolean, date) every cell so far satisfies,
 * Welford's running mean and variance of the numbers, and a small
 * open-addressing hash of distinct values with their counts, capped at
 * AM_CLEAN_DISTINCT_CAP keys per column so that memory stays bounded.
 * The fit spools the records as [u32 length|state][bytes] per cell; the
 * numbers a median or numeric mode needs are parsed again from the spool
 * in a second pass, once the types are known.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "am_buf.h"
#include "am_clean.h"
#include "am_rand.h"

#include "am_banned.h"

/* Value kinds: a bit set for every kind a cell satisfies. */
#define K_INT  0x1
#define K_NUM  0x2
#define K_BOOL 0x4
#define K_DATE 0x8
#define K_ALL  0xf

/* Cell states in a view and in the spool. */
enum { S_VALUE = 0, S_MISSING = 1, S_EMPTY = 2 };

#define SHOW 40 /* bytes of a cell quoted in messages */

struct hent {
	uint64_t h;
	size_t off, len;
	unsigned long long count;
};

struct colstat {
	unsigned long long n, miss, sumlen, nnum;
	unsigned kinds;
	double min, max, mean, m2;
	struct hent *tab;
	size_t tcap, tn;
	int overflow;
	char *keys;
	size_t klen, kcap;
	long dmin, dmax; /* key offsets of the least and greatest date */
	struct {
		unsigned long line;
		char text[SHOW + 1];
	} bad[4]; /* the first cell that broke each kind */
};

struct view {
	const char **f;
	size_t *len;
	unsigned char *st;
};

struct spec {
	char *name;
	int type;   /* --types */
	int method; /* --impute */
	char *value;
};

struct run {
	struct am_csv_reader *r;
	const struct am_clean_opts *o;
	const struct am_clean_io *io;
	struct am_clean_stats st;
	size_t ncols;
	long target;
	struct colstat *cs; /* NULL unless profiling or fitting */
	struct view v;
	char **fill; /* per input column: the value for a missing cell */
	size_t *filllen;
	struct am_csv_writer w, wt;
	struct spec *types, *imps;
	size_t ntypes, nimps;
	/* The spool of a fit. */
	unsigned char *sp;
	size_t splen, spcap;
	size_t *rows;
	size_t nrows, rcap;
};

static const char *const impute_names[] = { "none", "mean", "median", "mode",
	"const", "auto" };

int
am_impute_byname(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(impute_names) / sizeof(impute_names[0]); i++)
		if (i != AM_IMPUTE_CONST && strcmp(name, impute_names[i]) == 0)
			return (int)i;
	return -1;
}

const char *
am_impute_name(int method)
{
	if (method < 0 ||
	    (size_t)method >= sizeof(impute_names) / sizeof(impute_names[0]))
		return "?";
	return impute_names[method];
}

static int
grow(void **p, size_t *cap, size_t need, size_t size)
{
	size_t n = *cap ? *cap : 16;
	void *np;

	while (n < need) {
		if (n > SIZE_MAX / 2 / size)
			return -1;
		n *= 2;
	}
	if (n == *cap)
		return 0;
	if ((np = realloc(*p, n * size)) == NULL)
		return -1;
	*p = np;
	*cap = n;
	return 0;
}

/* Value kinds. */

static int
digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

static int
num2(const char *s, int lo, int hi)
{
	int v = (s[0] - '0') * 10 + (s[1] - '0');

	return digits(s, 2) && v >= lo && v <= hi;
}

/* YYYY-MM-DD, optionally followed by ' ' or 'T' and HH:MM:SS. */
static int
is_date(const char *s, size_t n)
{
	if (n != 10 && n != 19)
		return 0;
	if (!digits(s, 4) || s[4] != '-' || s[7] != '-' ||
	    !num2(s + 5, 1, 12) || !num2(s + 8, 1, 31))
		return 0;
	if (n == 10)
		return 1;
	return (s[10] == ' ' || s[10] == 'T') && num2(s + 11, 0, 23) &&
	    s[13] == ':' && num2(s + 14, 0, 59) && s[16] == ':' &&
	    num2(s + 17, 0, 60);
}

static int
is_bool(const char *s, size_t n)
{
	static const char *const words[] = { "yes", "no", "true", "false", "t",
		"f", "y", "n" };
	size_t i;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strlen(words[i]) == n && strncasecmp(s, words[i], n) == 0)
			return 1;
	return 0;
}

static unsigned
kinds(const char *s, size_t n, double *num)
{
	size_t k = n > 0 && (s[0] == '-' || s[0] == '+');

	if (n > 0 && am_parse_number(s, n, num) == 0)
		return n > k && digits(s + k, n - k) ? K_INT | K_NUM : K_NUM;
	if (is_bool(s, n))
		return K_BOOL;
	if (is_date(s, n))
		return K_DATE;
	return 0;
}

int
am_clean_value_type(const char *s, size_t len)
{
	double d;
	unsigned k = kinds(s, len, &d);

	if (k & K_INT)
		return AM_COL_INTEGER;
	if (k & K_NUM)
		return AM_COL_NUMBER;
	if (k & K_BOOL)
		return AM_COL_BOOLEAN;
	if (k & K_DATE)
		return AM_COL_DATE;
	return AM_COL_CATEGORY;
}

/* Specs: "col=type,..." and "col=method,...". */

static void
free_specs(struct spec *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(s[i].name);
		free(s[i].value);
	}
	free(s);
}

static int
parse_specs(const char *text, int impute, struct spec **out, size_t *nout,
    struct am_err *err)
{
	const char *opt = impute ? "--impute" : "--types";
	const char *p = text, *comma, *eq;
	struct spec *v = NULL, *s;
	size_t n = 0, cap = 0, len;

	*out = NULL;
	*nout = 0;
	while (*p != '\0') {
		comma = strchr(p, ',');
		len = comma != NULL ? (size_t)(comma - p) : strlen(p);
		eq = memchr(p, '=', len);
		if (eq == NULL || eq == p || eq == p + len - 1) {
			free_specs(v, n);
			return am_seterr(err, AM_EARG,
			    "%s: '%.*s' is not COLUMN=%s", opt, (int)len, p,
			    impute ? "METHOD" : "TYPE");
		}
		if (grow((void **)&v, &cap, n + 1, sizeof(*v)) != 0)
			goto nomem;
		s = &v[n++];
		memset(s, 0, sizeof(*s));
		if ((s->name = strndup(p, (size_t)(eq - p))) == NULL)
			goto nomem;
		eq++;
		len -= (size_t)(eq - p);
		if (!impute) {
			char word[16];
			if (len >= sizeof(word))
				len = sizeof(word) - 1;
			memcpy(word, eq, len);
			word[len] = '\0';
			if ((s->type = am_coltype_byname(word)) < 0) {
				am_seterr(err, AM_EARG,
				    "--types: unknown type '%s' (number, "
				    "integer, boolean, category, text, date)",
				    word);
				free_specs(v, n);
				return AM_EARG;
			}
		} else if (len > 6 && strncmp(eq, "const:", 6) == 0) {
			s->method = AM_IMPUTE_CONST;
			if ((s->value = strndup(eq + 6, len - 6)) == NULL)
				goto nomem;
		} else {
			char word[16];
			if (len >= sizeof(word))
				len = sizeof(word) - 1;
			memcpy(word, eq, len);
			word[len] = '\0';
			s->method = am_impute_byname(word);
			if (s->method < 0 || s->method == AM_IMPUTE_AUTO) {
				am_seterr(err, AM_EARG,
				    "--impute: unknown method '%s' (mean, "
				    "median, mode, const:VALUE, none)",
				    word);
				free_specs(v, n);
				return AM_EARG;
			}
		}
		p = comma != NULL ? comma + 1 : p + strlen(p);
	}
	*out = v;
	*nout = n;
	return 0;
nomem:
	free_specs(v, n);
	return am_seterr(err, AM_ENOMEM, "out of memory");
}

int
am_clean_check_opts(const struct am_clean_opts *o, struct am_err *err)
{
	struct spec *s;
	size_t n;
	int rc;

	if (o->types != NULL) {
		if ((rc = parse_specs(o->types, 0, &s, &n, err)) != 0)
			return rc;
		free_specs(s, n);
	}
	if (o->impute != NULL) {
		if ((rc = parse_specs(o->impute, 1, &s, &n, err)) != 0)
			return rc;
		free_specs(s, n);
	}
	return 0;
}

/* Column statistics. */

static int
hash_add(struct colstat *c, const char *s, size_t n)
{
	uint64_t h = am_hash64(s, n, 0);
	size_t i, j, cap;
	struct hent *t;

	if (c->tcap == 0) {
		if ((c->tab = calloc(64, sizeof(*c->tab))) == NULL)
			return -1;
		c->tcap = 64;
	}
	for (i = (size_t)h & (c->tcap - 1);; i = (i + 1) & (c->tcap - 1)) {
		t = &c->tab[i];
		if (t->count == 0)
			break;
		if (t->h == h && t->len == n &&
		    memcmp(c->keys + t->off, s, n) == 0) {
			t->count++;
			return (int)i;
		}
	}
	if (c->tn >= AM_CLEAN_DISTINCT_CAP) {
		c->overflow = 1;
		return -2;
	}
	if (grow((void **)&c->keys, &c->kcap, c->klen + n + 1, 1) != 0)
		return -1;
	memcpy(c->keys + c->klen, s, n);
	c->keys[c->klen + n] = '\0';
	t->h = h;
	t->off = c->klen;
	t->len = n;
	t->count = 1;
	c->klen += n + 1;
	c->tn++;
	j = i;
	if (c->tn * 2 > c->tcap) { /* rehash at half full */
		struct hent *old = c->tab, *nt;
		size_t k, oldcap = c->tcap;
		cap = c->tcap * 2;
		if ((nt = calloc(cap, sizeof(*nt))) == NULL)
			return -1;
		for (k = 0; k < oldcap; k++) {
			if (old[k].count == 0)
				continue;
			for (i = (size_t)old[k].h & (cap - 1); nt[i].count != 0;
			     i = (i + 1) & (cap - 1))
				;
			nt[i] = old[k];
			if (k == j)
				j = i;
		}
		free(old);
		c->tab = nt;
		c->tcap = cap;
	}
	return (int)j;
}

static int
stat_cell(struct run *c, size_t i, const char *s, size_t n, int state)
{
	struct colstat *cs = &c->cs[i];
	unsigned k, lost;
	double x = 0, d;
	int slot, b;

	if (state == S_MISSING) {
		cs->miss++;
		return 0;
	}
	cs->n++;
	cs->sumlen += n;
	k = kinds(s, n, &x);
	if ((lost = cs->kinds & ~k) != 0) {
		for (b = 0; b < 4; b++)
			if (lost & (1u << b)) {
				cs->bad[b].line = am_csv_line(c->r);
				(void)snprintf(cs->bad[b].text,
				    sizeof(cs->bad[b].text), "%.*s",
				    n > SHOW ? SHOW : (int)n, s);
			}
		cs->kinds &= k;
	}
	if (k & K_NUM) {
		cs->nnum++;
		if (cs->nnum == 1 || x < cs->min)
			cs->min = x;
		if (cs->nnum == 1 || x > cs->max)
			cs->max = x;
		d = x - cs->mean;
		cs->mean += d / (double)cs->nnum;
		cs->m2 += d * (x - cs->mean);
	}
	if ((slot = hash_add(cs, s, n)) == -1)
		return am_seterr(NULL, AM_ENOMEM, "out of memory");
	if (slot >= 0 && (k & K_DATE)) {
		const char *key = cs->keys + cs->tab[slot].off;
		if (cs->dmin < 0 || strcmp(key, cs->keys + cs->dmin) < 0)
			cs->dmin = (long)cs->tab[slot].off;
		if (cs->dmax < 0 || strcmp(key, cs->keys + cs->dmax) > 0)
			cs->dmax = (long)cs->tab[slot].off;
	}
	return 0;
}

static int
infer(const struct colstat *cs)
{
	if (cs->n == 0)
		return AM_COL_TEXT;
	if (cs->kinds & K_INT)
		return AM_COL_INTEGER;
	if (cs->kinds & K_NUM)
		return AM_COL_NUMBER;
	if (cs->kinds & K_BOOL)
		return AM_COL_BOOLEAN;
	if (cs->kinds & K_DATE)
		return AM_COL_DATE;
	if (cs->overflow || cs->tn > AM_CLEAN_MAX_LEVELS)
		return AM_COL_TEXT;
	if (cs->sumlen > 32 * cs->n && cs->tn * 2 > cs->n)
		return AM_COL_TEXT;
	return AM_COL_CATEGORY;
}

static const struct spec *
find_spec(const struct spec *s, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(s[i].name, name) == 0)
			return &s[i];
	return NULL;
}

/* The type of column 'i': forced by --types (checked), else inferred. */
static int
col_type(struct run *c, size_t i, int *type, struct am_err *err)
{
	static const struct {
		int type;
		unsigned kind;
		const char *what;
	} need[] = {
		{ AM_COL_INTEGER, K_INT, "an integer" },
		{ AM_COL_NUMBER, K_NUM, "a number" },
		{ AM_COL_BOOLEAN, K_BOOL, "a boolean" },
		{ AM_COL_DATE, K_DATE, "a date" },
	};
	const char *name = am_csv_colname(c->r, i);
	const struct spec *s = find_spec(c->types, c->ntypes, name);
	const struct colstat *cs = &c->cs[i];
	size_t k;
	int b;

	if (s == NULL) {
		*type = infer(cs);
		return 0;
	}
	*type = s->type;
	for (k = 0; k < sizeof(need) / sizeof(need[0]); k++) {
		if (need[k].type != s->type || (cs->kinds & need[k].kind))
			continue;
		for (b = 0; (1u << b) != need[k].kind; b++)
			;
		return am_seterr(err, AM_EFORMAT,
		    "%s:%lu: column '%s': '%s' is not %s (--types)",
		    am_csv_name(c->r), cs->bad[b].line, name, cs->bad[b].text,
		    need[k].what);
	}
	return 0;
}

/* Views. */

static void
view_from_reader(struct run *c)
{
	size_t i;

	for (i = 0; i < c->ncols; i++) {
		c->v.f[i] = am_csv_field(c->r, i);
		c->v.len[i] = am_csv_len(c->r, i);
		c->v.st[i] = am_csv_missing(c->r, i) ? S_MISSING
		    : c->v.len[i] == 0               ? S_EMPTY
		                                     : S_VALUE;
	}
}

/* Spooled cell: u32 = length << 2 | state, then the bytes. */
static int
spool(struct run *c)
{
	size_t i, need = 0;
	uint32_t h;

	for (i = 0; i < c->ncols; i++)
		need += 4 + c->v.len[i];
	if (grow((void **)&c->sp, &c->spcap, c->splen + need, 1) != 0 ||
	    grow((void **)&c->rows, &c->rcap, c->nrows + 1, sizeof(*c->rows)) !=
	        0)
		return -1;
	c->rows[c->nrows++] = c->splen;
	for (i = 0; i < c->ncols; i++) {
		h = (uint32_t)(c->v.len[i] << 2 | c->v.st[i]);
		memcpy(c->sp + c->splen, &h, 4);
		memcpy(c->sp + c->splen + 4, c->v.f[i], c->v.len[i]);
		c->splen += 4 + c->v.len[i];
	}
	return 0;
}

static void
view_from_spool(struct run *c, size_t row)
{
	const unsigned char *p = c->sp + c->rows[row];
	size_t i;
	uint32_t h;

	for (i = 0; i < c->ncols; i++) {
		memcpy(&h, p, 4);
		c->v.st[i] = (unsigned char)(h & 3);
		c->v.len[i] = h >> 2;
		c->v.f[i] = (const char *)p + 4;
		p += 4 + c->v.len[i];
	}
}

static void
emit(struct run *c, struct am_csv_writer *w, int fill)
{
	size_t i;

	for (i = 0; i < c->ncols; i++) {
		switch (c->v.st[i]) {
		case S_MISSING:
			if (fill && c->fill[i] != NULL) {
				am_csv_put(w, c->fill[i], c->filllen[i]);
				c->st.imputed++;
			} else {
				am_csv_put(w, "", 0);
			}
			break;
		case S_EMPTY:
			am_csv_put_quoted(w, "", 0);
			break;
		default:
			am_csv_put(w, c->v.f[i], c->v.len[i]);
			break;
		}
	}
	am_csv_end(w);
	if (c->o->line_buffered)
		(void)fflush(w->fp);
}

static void
emit_header(struct run *c, struct am_csv_writer *w)
{
	size_t i;

	for (i = 0; i < c->ncols; i++)
		am_csv_puts(w, am_csv_colname(c->r, i));
	am_csv_end(w);
}

/* Fitting. */

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int
set_fill(struct run *c, size_t i, const char *s, size_t n)
{
	free(c->fill[i]);
	if ((c->fill[i] = malloc(n + 1)) == NULL)
		return -1;
	memcpy(c->fill[i], s, n);
	c->fill[i][n] = '\0';
	c->filllen[i] = n;
	return 0;
}

static int
fill_number(struct run *c, size_t i, double v)
{
	char tmp[32];
	int n;

	if (v == 0)
		v = 0; /* no "-0" */
	n = snprintf(tmp, sizeof(tmp), "%.15g", v);
	return set_fill(c, i, tmp, (size_t)n);
}

/* Median or mode of the numbers of column 'i', from the spool. */
static int
fit_numeric(struct run *c, size_t i, int method)
{
	double *x, best;
	size_t n = 0, row, k, run, bestrun = 0;
	int rc;

	if ((x = malloc((c->nrows + 1) * sizeof(*x))) == NULL)
		return -1;
	for (row = 0; row < c->nrows; row++) {
		view_from_spool(c, row);
		if (c->v.st[i] == S_VALUE &&
		    am_parse_number(c->v.f[i], c->v.len[i], &x[n]) == 0)
			n++;
	}
	if (n == 0) {
		free(x);
		return 0;
	}
	qsort(x, n, sizeof(*x), cmp_double);
	if (method == AM_IMPUTE_MEDIAN) {
		rc = fill_number(c, i, x[(n - 1) / 2]);
	} else {
		best = x[0];
		for (k = 0; k < n; k += run) {
			for (run = 1; k + run < n && x[k + run] == x[k]; run++)
				;
			if (run > bestrun) {
				bestrun = run;
				best = x[k];
			}
		}
		rc = fill_number(c, i, best);
	}
	free(x);
	return rc;
}

/* The most frequent value (ties: the first in byte order). */
static int
fit_mode(struct run *c, size_t i)
{
	const struct colstat *cs = &c->cs[i];
	const struct hent *t, *best = NULL;
	size_t k, m;
	int d;

	for (k = 0; k < cs->tcap; k++) {
		t = &cs->tab[k];
		if (t->count == 0)
			continue;
		if (best != NULL) {
			if (t->count < best->count)
				continue;
			m = t->len < best->len ? t->len : best->len;
			d = memcmp(cs->keys + t->off, cs->keys + best->off, m);
			if (t->count == best->count &&
			    (d > 0 || (d == 0 && t->len > best->len)))
				continue;
		}
		best = t;
	}
	if (best == NULL)
		return 0;
	return set_fill(c, i, cs->keys + best->off, best->len);
}

static int
fit(struct run *c, int *types, int *methods, struct am_err *err)
{
	const struct spec *s;
	const char *name;
	size_t i;
	int m, numeric, rc;

	for (i = 0; i < c->ncols; i++) {
		name = am_csv_colname(c->r, i);
		if ((rc = col_type(c, i, &types[i], err)) != 0)
			return rc;
		numeric =
		    types[i] == AM_COL_INTEGER || types[i] == AM_COL_NUMBER;
		s = find_spec(c->imps, c->nimps, name);
		m = s != NULL ? s->method : c->o->impute_default;
		if ((long)i == c->target)
			m = AM_IMPUTE_NONE;
		if (m == AM_IMPUTE_AUTO)
			m = numeric ? AM_IMPUTE_MEDIAN
			    : types[i] == AM_COL_CATEGORY ||
			        types[i] == AM_COL_BOOLEAN
			    ? AM_IMPUTE_MODE
			    : AM_IMPUTE_NONE;
		else if (s == NULL && !numeric &&
		    (m == AM_IMPUTE_MEAN || m == AM_IMPUTE_MEDIAN))
			m = types[i] == AM_COL_CATEGORY ||
			        types[i] == AM_COL_BOOLEAN
			    ? AM_IMPUTE_MODE
			    : AM_IMPUTE_NONE;
		if (!numeric && (m == AM_IMPUTE_MEAN || m == AM_IMPUTE_MEDIAN))
			return am_seterr(err, AM_EFORMAT,
			    "--impute: column '%s' is %s; %s needs numbers",
			    name, am_coltype_name(types[i]), am_impute_name(m));
		methods[i] = m;
		rc = 0;
		if (m == AM_IMPUTE_CONST)
			rc = set_fill(c, i, s->value, strlen(s->value));
		else if (m == AM_IMPUTE_MEAN && c->cs[i].nnum > 0)
			rc = fill_number(c, i, c->cs[i].mean);
		else if (m == AM_IMPUTE_MEDIAN ||
		    (m == AM_IMPUTE_MODE && numeric))
			rc = fit_numeric(c, i, m);
		else if (m == AM_IMPUTE_MODE)
			rc = fit_mode(c, i);
		if (rc != 0)
			return am_seterr(err, AM_ENOMEM, "out of memory");
	}
	return 0;
}

static struct am_art *
make_art(struct run *c, const int *types, const int *methods,
    struct am_err *err)
{
	struct am_buf b = AM_BUF_INIT;
	struct am_art *a;
	size_t i;
	int rc = 0;

	if ((a = am_art_new("clean", "impute")) == NULL)
		goto nomem;
	if (c->o->target != NULL)
		rc |= am_art_set(a, "hyper.target", c->o->target);
	rc |= am_art_set(a, "hyper.impute_default",
	    am_impute_name(c->o->impute_default));
	if (c->o->impute != NULL)
		rc |= am_art_set(a, "hyper.impute", c->o->impute);
	if (c->o->types != NULL)
		rc |= am_art_set(a, "hyper.types", c->o->types);
	am_buf_u32(&b, (uint32_t)c->ncols);
	for (i = 0; i < c->ncols; i++) {
		rc |= am_art_add_col(a, am_csv_colname(c->r, i), types[i]);
		am_buf_u8(&b, (uint8_t)methods[i]);
		am_buf_u8(&b, c->fill[i] != NULL);
		am_buf_str(&b, c->fill[i] != NULL ? c->fill[i] : "");
	}
	rc |= am_art_add_buf(a, "impute", &b);
	am_buf_release(&b);
	if (rc != 0) {
		am_art_free(a);
		am_seterr(err, rc == AM_EARG ? AM_EFORMAT : AM_ENOMEM,
		    "cannot build the clean artifact (%s)",
		    rc == AM_EARG ? "a column name is too long"
		                  : "out of memory");
		return NULL;
	}
	return a;
nomem:
	am_buf_release(&b);
	am_seterr(err, AM_ENOMEM, "out of memory");
	return NULL;
}

/* Replay: map the artifact's values onto the input's columns. */
static int
load_model(struct run *c, const struct am_art *a, struct am_err *err)
{
	const char *mname = c->io->model_name ? c->io->model_name : "artifact";
	const char *target;
	const void *data;
	struct am_rd rd;
	size_t len, i, n;
	uint8_t method, has;
	char *val;
	long k;

	if (strcmp(am_art_kind(a), "clean") != 0 ||
	    strcmp(am_art_algo(a), "impute") != 0)
		return am_seterr(err, AM_EMODEL,
		    "%s: is a '%s' artifact (algorithm '%s'), expected "
		    "'clean' (algorithm 'impute')",
		    mname, am_art_kind(a), am_art_algo(a));
	target =
	    c->o->target != NULL ? c->o->target : am_art_get(a, "hyper.target");
	if ((data = am_art_section(a, "impute", &len)) == NULL)
		return am_seterr(err, AM_EMODEL, "%s: no 'impute' section",
		    mname);
	am_rd_init(&rd, data, len);
	n = am_rd_u32(&rd);
	if (am_rd_error(&rd) || n != am_art_ncols(a))
		return am_seterr(err, AM_EMODEL,
		    "%s: the 'impute' section does not match the schema",
		    mname);
	for (i = 0; i < n; i++) {
		method = am_rd_u8(&rd);
		has = am_rd_u8(&rd);
		val = am_rd_str(&rd, AM_CSV_MAX_FIELD);
		if (am_rd_error(&rd) || method > AM_IMPUTE_CONST || has > 1) {
			free(val);
			return am_seterr(err, AM_EMODEL,
			    "%s: malformed 'impute' section", mname);
		}
		k = am_csv_col(c->r, am_art_col_name(a, i));
		if (k < 0) {
			free(val);
			if (target != NULL &&
			    strcmp(target, am_art_col_name(a, i)) == 0)
				continue;
			return am_seterr(err, AM_EMODEL,
			    "%s: no column '%s' (the clean artifact '%s' "
			    "needs it)",
			    am_csv_name(c->r), am_art_col_name(a, i), mname);
		}
		if (has && c->fill[k] == NULL && (long)k != c->target) {
			c->fill[k] = val;
			c->filllen[k] = strlen(val);
		} else {
			free(val);
		}
	}
	if (am_rd_left(&rd) != 0)
		return am_seterr(err, AM_EMODEL,
		    "%s: malformed 'impute' section", mname);
	return 0;
}

/* Report. */

static int
cmp_top(const void *a, const void *b)
{
	const struct hent *x = *(const struct hent *const *)a;
	const struct hent *y = *(const struct hent *const *)b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return 0;
}

/* The up to 5 most frequent values, ties in byte order. */
static size_t
top5(const struct colstat *cs, const struct hent **top)
{
	const struct hent **all;
	size_t k, n = 0, i, j;

	if (cs->tn == 0 || (all = malloc(cs->tn * sizeof(*all))) == NULL)
		return 0;
	for (k = 0; k < cs->tcap; k++)
		if (cs->tab[k].count > 0)
			all[n++] = &cs->tab[k];
	/* Insertion by key among equal counts keeps the order stable. */
	qsort(all, n, sizeof(*all), cmp_top);
	for (i = 1; i < n; i++) {
		const struct hent *h = all[i];
		for (j = i; j > 0 && all[j - 1]->count == h->count; j--) {
			const struct hent *g = all[j - 1];
			size_t m = g->len < h->len ? g->len : h->len;
			int d = memcmp(cs->keys + g->off, cs->keys + h->off, m);
			if (d < 0 || (d == 0 && g->len <= h->len))
				break;
			all[j] = g;
		}
		all[j] = h;
		if (i >= 64 && all[4]->count > h->count)
			break; /* the top five cannot change any more */
	}
	n = n < 5 ? n : 5;
	for (i = 0; i < n; i++)
		top[i] = all[i];
	free(all);
	return n;
}

static void
json_str(FILE *fp, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, k, len;
	unsigned c;

	putc('"', fp);
	while (i < n) {
		c = p[i];
		if (c == '"' || c == '\\') {
			(void)fprintf(fp, "\\%c", c);
			i++;
		} else if (c < 0x20) {
			(void)fprintf(fp, "\\u%04x", c);
			i++;
		} else if (c < 0x80) {
			putc((int)c, fp);
			i++;
		} else {
			len = c >= 0xf0 && c < 0xf5 ? 4
			    : c >= 0xe0             ? 3
			    : c >= 0xc2 && c < 0xe0 ? 2
			                            : 0;
			for (k = 1; len > 0 && k < len; k++)
				if (i + k >= n || (p[i + k] & 0xc0) != 0x80)
					len = 0;
			if (len == 0) { /* not UTF-8: U+FFFD */
				(void)fputs("\\ufffd", fp);
				i++;
			} else {
				(void)fwrite(p + i, 1, len, fp);
				i += len;
			}
		}
	}
	putc('"', fp);
}

/* A cell of the text report: printable bytes, at most 'max'. */
static void
text_cell(char *out, size_t size, const char *s, size_t n, size_t max)
{
	size_t i, k = 0;

	for (i = 0; i < n && i < max && k + 1 < size; i++)
		out[k++] = (unsigned char)s[i] < 0x20 ? '.' : s[i];
	if (n > max && k + 3 < size) {
		memcpy(out + k, "...", 3);
		k += 3;
	}
	out[k] = '\0';
}

struct rcol {
	char cell[9][48];
};

static int
report(struct run *c, const int *types, struct am_err *err)
{
	static const char *const head[] = { "column", "type", "count",
		"missing", "distinct", "min", "max", "mean", "std" };
	FILE *fp = c->io->report;
	const struct colstat *cs;
	const struct hent *top[5];
	struct rcol *rc;
	size_t i, k, nt, w[9];
	int numeric, date;
	char tmp[64];

	if ((rc = calloc(c->ncols + 1, sizeof(*rc))) == NULL)
		return am_seterr(err, AM_ENOMEM, "out of memory");
	if (c->io->report_json) {
		(void)fputs("{\"input\":", fp);
		json_str(fp, am_csv_name(c->r), strlen(am_csv_name(c->r)));
		(void)fprintf(fp, ",\"rows\":%llu,\"columns\":[", c->st.out);
	}
	for (k = 0; k < 9; k++)
		w[k] = strlen(head[k]);
	for (i = 0; i < c->ncols; i++) {
		cs = &c->cs[i];
		numeric =
		    (types[i] == AM_COL_INTEGER || types[i] == AM_COL_NUMBER) &&
		    cs->nnum > 0;
		date = types[i] == AM_COL_DATE && cs->dmin >= 0;
		nt = top5(cs, top);
		if (c->io->report_json) {
			(void)fputs(i > 0 ? ",{\"name\":" : "{\"name\":", fp);
			json_str(fp, am_csv_colname(c->r, i),
			    strlen(am_csv_colname(c->r, i)));
			(void)fprintf(fp,
			    ",\"type\":\"%s\",\"count\":%llu,\"missing\":%llu,"
			    "\"distinct\":%zu,\"distinct_exact\":%s",
			    am_coltype_name(types[i]), cs->n, cs->miss, cs->tn,
			    cs->overflow ? "false" : "true");
			if (numeric)
				(void)fprintf(fp,
				    ",\"min\":%.15g,\"max\":%.15g,\"mean\":%.15g"
				    ",\"std\":%.15g",
				    cs->min, cs->max, cs->mean,
				    cs->nnum > 1
				        ? sqrt(cs->m2 / (double)(cs->nnum - 1))
				        : 0.0);
			else if (date) {
				(void)fputs(",\"min\":", fp);
				json_str(fp, cs->keys + cs->dmin,
				    strlen(cs->keys + cs->dmin));
				(void)fputs(",\"max\":", fp);
				json_str(fp, cs->keys + cs->dmax,
				    strlen(cs->keys + cs->dmax));
			}
			(void)fputs(",\"top\":[", fp);
			for (k = 0; k < nt; k++) {
				(void)fputs(k > 0 ? ",{\"value\":"
				                  : "{\"value\":",
				    fp);
				json_str(fp, cs->keys + top[k]->off,
				    top[k]->len);
				(void)fprintf(fp, ",\"count\":%llu}",
				    top[k]->count);
			}
			(void)fputs("]}", fp);
			continue;
		}
		text_cell(rc[i].cell[0], 48, am_csv_colname(c->r, i),
		    strlen(am_csv_colname(c->r, i)), 32);
		(void)snprintf(rc[i].cell[1], 48, "%s",
		    am_coltype_name(types[i]));
		(void)snprintf(rc[i].cell[2], 48, "%llu", cs->n);
		(void)snprintf(rc[i].cell[3], 48, "%llu", cs->miss);
		(void)snprintf(rc[i].cell[4], 48, "%s%zu",
		    cs->overflow ? ">" : "", cs->tn);
		for (k = 5; k < 9; k++)
			(void)snprintf(rc[i].cell[k], 48, "-");
		if (numeric) {
			(void)snprintf(rc[i].cell[5], 48, "%.6g", cs->min);
			(void)snprintf(rc[i].cell[6], 48, "%.6g", cs->max);
			(void)snprintf(rc[i].cell[7], 48, "%.6g", cs->mean);
			(void)snprintf(rc[i].cell[8], 48, "%.6g",
			    cs->nnum > 1 ? sqrt(cs->m2 / (double)(cs->nnum - 1))
			                 : 0.0);
		} else if (date) {
			(void)snprintf(rc[i].cell[5], 48, "%s",
			    cs->keys + cs->dmin);
			(void)snprintf(rc[i].cell[6], 48, "%s",
			    cs->keys + cs->dmax);
		}
		for (k = 0; k < 9; k++)
			if (strlen(rc[i].cell[k]) > w[k])
				w[k] = strlen(rc[i].cell[k]);
	}
	if (c->io->report_json) {
		(void)fputs("]}\n", fp);
		free(rc);
		return 0;
	}
	(void)fprintf(fp, "input: %s\nrows: %llu\n\n", am_csv_name(c->r),
	    c->st.out);
	for (k = 0; k < 9; k++)
		(void)fprintf(fp, "%-*s  ", (int)w[k], head[k]);
	(void)fputs("top\n", fp);
	for (i = 0; i < c->ncols; i++) {
		for (k = 0; k < 9; k++)
			(void)fprintf(fp, k >= 2 ? "%*s  " : "%-*s  ",
			    (int)w[k], rc[i].cell[k]);
		nt = top5(&c->cs[i], top);
		for (k = 0; k < nt; k++) {
			text_cell(tmp, sizeof(tmp), c->cs[i].keys + top[k]->off,
			    top[k]->len, 24);
			(void)fprintf(fp, "%s%s (%llu)", k > 0 ? ", " : "", tmp,
			    top[k]->count);
		}
		putc('\n', fp);
	}
	free(rc);
	return 0;
}

/* The run. */

static int
setup(struct run *c, struct am_err *err)
{
	size_t i, n = c->ncols ? c->ncols : 1;
	int rc;

	if ((c->v.f = calloc(n, sizeof(*c->v.f))) == NULL ||
	    (c->v.len = calloc(n, sizeof(*c->v.len))) == NULL ||
	    (c->v.st = calloc(n, 1)) == NULL ||
	    (c->fill = calloc(n, sizeof(*c->fill))) == NULL ||
	    (c->filllen = calloc(n, sizeof(*c->filllen))) == NULL)
		return am_seterr(err, AM_ENOMEM, "out of memory");
	if (c->io->report != NULL || c->io->fit != NULL) {
		if ((c->cs = calloc(n, sizeof(*c->cs))) == NULL)
			return am_seterr(err, AM_ENOMEM, "out of memory");
		for (i = 0; i < c->ncols; i++) {
			c->cs[i].kinds = K_ALL;
			c->cs[i].dmin = c->cs[i].dmax = -1;
		}
	}
	if (c->o->types != NULL &&
	    (rc = parse_specs(c->o->types, 0, &c->types, &c->ntypes, err)) != 0)
		return rc;
	if (c->o->impute != NULL &&
	    (rc = parse_specs(c->o->impute, 1, &c->imps, &c->nimps, err)) != 0)
		return rc;
	for (i = 0; i < c->ntypes; i++)
		if (am_csv_col(c->r, c->types[i].name) < 0)
			return am_seterr(err, AM_EFORMAT,
			    "%s: --types: no column '%s'", am_csv_name(c->r),
			    c->types[i].name);
	for (i = 0; i < c->nimps; i++)
		if (am_csv_col(c->r, c->imps[i].name) < 0)
			return am_seterr(err, AM_EFORMAT,
			    "%s: --impute: no column '%s'", am_csv_name(c->r),
			    c->imps[i].name);
	c->target = -1;
	if (c->o->target != NULL &&
	    (c->target = am_csv_col(c->r, c->o->target)) < 0 &&
	    c->io->model == NULL)
		return am_seterr(err, AM_EFORMAT, "%s: no target column '%s'",
		    am_csv_name(c->r), c->o->target);
	if (c->io->model != NULL &&
	    (rc = load_model(c, c->io->model, err)) != 0)
		return rc;
	if (c->io->model != NULL && c->target < 0) {
		const char *t = am_art_get(c->io->model, "hyper.target");
		if (t != NULL)
			c->target = am_csv_col(c->r, t);
	}
	return 0;
}

static void
cleanup(struct run *c)
{
	size_t i;

	for (i = 0; i < c->ncols; i++) {
		if (c->fill != NULL)
			free(c->fill[i]);
		if (c->cs != NULL) {
			free(c->cs[i].tab);
			free(c->cs[i].keys);
		}
	}
	free(c->cs);
	free(c->fill);
	free(c->filllen);
	free(c->v.f);
	free(c->v.len);
	free(c->v.st);
	free_specs(c->types, c->ntypes);
	free_specs(c->imps, c->nimps);
	free(c->sp);
	free(c->rows);
}

/* Does record number 'row' go to the training part? */
static int
keep(const struct run *c, unsigned long long row)
{
	unsigned char b[8];
	size_t i;

	if (c->io->test == NULL)
		return 1;
	for (i = 0; i < 8; i++)
		b[i] = (unsigned char)(row >> (8 * i));
	return (double)(am_hash64(b, 8, c->o->seed) >> 11) * 0x1p-53 <
	    c->o->split;
}

static int
stream(struct run *c, struct am_err *err)
{
	size_t i;
	int rc;

	while ((rc = am_csv_next(c->r, err)) == 1) {
		view_from_reader(c);
		if (!keep(c, c->st.rows++)) {
			emit(c, &c->wt, 0);
			c->st.test++;
			continue;
		}
		if (c->target >= 0 && c->v.st[c->target] == S_MISSING) {
			c->st.dropped++;
			continue;
		}
		c->st.out++;
		if (c->cs != NULL)
			for (i = 0; i < c->ncols; i++)
				if (stat_cell(c, i, c->v.f[i], c->v.len[i],
				        c->v.st[i]) != 0)
					return am_seterr(err, AM_ENOMEM,
					    "out of memory");
		if (c->io->fit != NULL) {
			if (spool(c) != 0)
				return am_seterr(err, AM_ENOMEM,
				    "out of memory");
		} else if (c->io->out != NULL) {
			emit(c, &c->w, 1);
		}
	}
	c->st.skipped = am_csv_skipped(c->r);
	return rc;
}

int
am_clean_run(struct am_csv_reader *r, const struct am_clean_opts *o,
    const struct am_clean_io *io, struct am_clean_stats *st, struct am_err *err)
{
	struct run c;
	int *types = NULL, *methods = NULL, rc;
	size_t i, row;

	memset(&c, 0, sizeof(c));
	c.r = r;
	c.o = o;
	c.io = io;
	c.ncols = am_csv_ncols(r);
	if (io->fit != NULL)
		*io->fit = NULL;
	if ((rc = setup(&c, err)) != 0)
		goto out;
	if (io->out != NULL)
		am_csv_writer_init(&c.w, io->out, ',');
	if (io->test != NULL) {
		am_csv_writer_init(&c.wt, io->test, ',');
		emit_header(&c, &c.wt);
	}
	if (io->out != NULL && io->fit == NULL)
		emit_header(&c, &c.w);
	if ((rc = stream(&c, err)) != 0)
		goto out;
	if ((types = calloc(c.ncols + 1, sizeof(*types))) == NULL ||
	    (methods = calloc(c.ncols + 1, sizeof(*methods))) == NULL) {
		rc = am_seterr(err, AM_ENOMEM, "out of memory");
		goto out;
	}
	if (io->fit != NULL) {
		if ((rc = fit(&c, types, methods, err)) != 0)
			goto out;
		if ((*io->fit = make_art(&c, types, methods, err)) == NULL) {
			rc = err != NULL ? err->code : AM_ENOMEM;
			goto out;
		}
		if (io->out != NULL) {
			emit_header(&c, &c.w);
			for (row = 0; row < c.nrows; row++) {
				view_from_spool(&c, row);
				emit(&c, &c.w, 1);
			}
		}
	} else if (io->report != NULL) {
		for (i = 0; i < c.ncols; i++)
			if ((rc = col_type(&c, i, &types[i], err)) != 0)
				goto out;
	}
	if (io->report != NULL)
		rc = report(&c, types, err);
out:
	if (rc != 0 && io->fit != NULL) {
		am_art_free(*io->fit);
		*io->fit = NULL;
	}
	if (st != NULL)
		*st = c.st;
	free(types);
	free(methods);
	cleanup(&c);
	return rc;
}
