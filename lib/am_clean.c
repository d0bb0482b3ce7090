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
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "am_buf.h"
#include "am_clean.h"
#include "am_rand.h"
#include "am_strtab.h"

#include "am_banned.h"

/* Value kinds: a bit set for every kind a cell satisfies. */
#define K_INT  0x1
#define K_NUM  0x2
#define K_BOOL 0x4
#define K_DATE 0x8
#define K_ALL  0xf

/*
 * Cell states in a view and in the spool.  S_FFILL is a value that was
 * missing and came from --ffill (it counts for COL_missing).
 */
enum { S_VALUE = 0, S_MISSING = 1, S_EMPTY = 2, S_FFILL = 3 };

/* Outlier methods (payload codes of the "ops" section). */
enum { O_NONE = 0, O_Z = 1, O_IQR = 2, O_MAD = 3 };

/* Rejection reasons, counted in struct run.rej. */
enum {
	R_RANGE,
	R_ALLOW,
	R_REQUIRED,
	R_MISSING,
	R_OUTLIER,
	R_UNSEEN,
	R_DUP,
	R_N
};
static const char *const reason_names[R_N] = { "range", "allow", "required",
	"missing", "outlier", "unseen", "duplicate" };

#define SHOW 40 /* bytes of a cell quoted in messages */

struct hent {
	uint64_t h;
	size_t off, len;
	unsigned long long count;
};

struct colstat {
	unsigned long long n, miss, sumlen, nnum, nff;
	unsigned kinds;
	double min, max, mean, m2;
	struct hent *tab;
	size_t tcap, tn;
	int overflow;
	char *keys;
	size_t klen, kcap;
	long dmin, dmax;       /* >= 0 once a date was seen */
	char dlo[20], dhi[20]; /* the least and greatest date */
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

/* What issue 4 does to column 'i' (struct run.ops). */
struct colops {
	int type;  /* checked type, or -1 */
	char *fmt; /* date format of --types col=date:FMT, or NULL */
	int hasrange;
	double rlo, rhi;
	char *allow; /* "a|b|c", or NULL */
	unsigned char require, dropmiss, ind, ffill, key, oflag;
	unsigned char gone;    /* --drop-missing-cols: not written */
	struct am_strtab *lev; /* replay: the fitted categories, or NULL */
	unsigned long long nunseen;
	int ometh;
	double ok, lo, hi; /* outlier factor and bounds */
	unsigned long long nbad, nrej, nout, nimp, nmiss;
};

/* Fingerprints of the keys seen (dedupe): 8 bytes a slot, <= 3/4 full. */
struct dtab {
	uint64_t *h;
	size_t *row; /* --keep last: the last record of each key */
	size_t cap, n;
};

struct ffgroup {
	char **v;
	size_t *len;
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
	/* Issue 4. */
	struct colops *ops;
	char *scr; /* rewritten cells of the current record */
	size_t scrcap;
	struct dtab dd;
	long group;
	struct am_strtab *groups;
	struct ffgroup *ffg;
	size_t nffg;
	struct am_csv_writer wr;
	unsigned long long rej[R_N];
	int spooling, fitops;
	size_t *res; /* reservoir: spooled row numbers */
	size_t nres;
	unsigned long long nseen; /* records offered to the sample */
	struct am_rand rng;
	unsigned char *sel; /* spooling: rows selected for output */
	struct dtab rdup;   /* --report: exact duplicates as read */
	unsigned long long rdups;
	long bcol; /* column of a stratified or time split, or -1 */
	int light; /* process() has nothing to do but blank cells */
	/*
	 * The verbatim line of the current record (am_csv_verbatim(), ','
	 * input only), and whether a step changed a cell since it was read:
	 * an unchanged verbatim record is written by copying its line.
	 */
	const char *raw;
	size_t rawlen;
	int dirty;
	int extra; /* emit() adds COL_missing or COL_outlier columns */
	char *kb;  /* the key of a record being hashed (dedupe) */
	size_t kbcap;
	int haslev;     /* some column has fitted categories (replay) */
	uint64_t curh;  /* --keep last: the key of the current record */
	uint64_t *rowh; /* ... and of each spooled record */
	size_t rowhcap;
};

static int check_specs(const struct am_clean_opts *o, struct am_err *err);

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

	if (n == 0 || n > 5)
		return 0;
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

/*
 * Is s[0..n) (not empty) a value of type 't', as kinds() would say?
 * The check of one known type, faster than finding all kinds: a bool
 * word or a date is never a number, a date never a bool word.
 */
static int
of_type(const char *s, size_t n, int t)
{
	size_t k = s[0] == '-' || s[0] == '+';
	double x;

	switch (t) {
	case AM_COL_INTEGER:
		return n > k && digits(s + k, n - k) &&
		    (n < 300 || am_parse_number(s, n, &x) == 0);
	case AM_COL_NUMBER:
		return am_parse_number(s, n, &x) == 0;
	case AM_COL_BOOLEAN:
		return is_bool(s, n);
	case AM_COL_DATE:
		return is_date(s, n);
	default:
		return 1;
	}
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
		if (!impute && len > 5 && strncmp(eq, "date:", 5) == 0) {
			s->type = AM_COL_DATE;
			if ((s->value = strndup(eq + 5, len - 5)) == NULL)
				goto nomem;
		} else if (!impute) {
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
	return check_specs(o, err);
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
	cs->nff += state == S_FFILL;
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
	if ((k & K_DATE) && n < sizeof(cs->dlo)) { /* 10 or 19 bytes */
		char tmp[sizeof(cs->dlo)];
		memcpy(tmp, s, n);
		tmp[n] = '\0';
		if (cs->dmin < 0 || strcmp(tmp, cs->dlo) < 0)
			memcpy(cs->dlo, tmp, n + 1);
		if (cs->dmax < 0 || strcmp(tmp, cs->dhi) > 0)
			memcpy(cs->dhi, tmp, n + 1);
		cs->dmin = cs->dmax = 0;
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

	am_csv_record(c->r, c->v.f, c->v.len, c->v.st);
	for (i = 0; i < c->ncols; i++)
		c->v.st[i] = c->v.st[i] ? S_MISSING
		    : c->v.len[i] == 0  ? S_EMPTY
		                        : S_VALUE;
	c->dirty = 0;
	if (c->w.delim != ',' || am_csv_delim(c->r) != ',' ||
	    !am_csv_verbatim(c->r, &c->raw, &c->rawlen))
		c->raw = NULL;
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
view_at(struct run *c, const unsigned char *p)
{
	size_t i;
	uint32_t h;

	c->raw = NULL;
	for (i = 0; i < c->ncols; i++) {
		memcpy(&h, p, 4);
		c->v.st[i] = (unsigned char)(h & 3);
		c->v.len[i] = h >> 2;
		c->v.f[i] = (const char *)p + 4;
		p += 4 + c->v.len[i];
	}
}

static void
view_from_spool(struct run *c, size_t row)
{
	const unsigned char *p = c->sp + c->rows[row];
	size_t i;
	uint32_t h;

	c->raw = NULL;
	for (i = 0; i < c->ncols; i++) {
		memcpy(&h, p, 4);
		c->v.st[i] = (unsigned char)(h & 3);
		c->v.len[i] = h >> 2;
		c->v.f[i] = (const char *)p + 4;
		p += 4 + c->v.len[i];
	}
}

static int cmp_double(const void *a, const void *b);

/* Issue 4: per-record operations. */

/*
 * Parse 's' by a date format of %Y (4 digits), %m %d %H %M %S (1 or 2
 * digits), %% and literal bytes; write ISO 8601 ("YYYY-MM-DD" or, when
 * the format has %H, "YYYY-MM-DD HH:MM:SS") to 'out' (20 bytes).
 * Returns the length written, or -1.
 */
static int
parse_datefmt(const char *fmt, const char *s, size_t n, char *out)
{
	int v[6] = { -1, -1, -1, 0, 0, 0 }, hastime = 0, k, d, w;
	size_t i = 0;

	for (; *fmt != '\0'; fmt++) {
		if (*fmt != '%' || fmt[1] == '%') {
			if (i >= n || s[i] != *fmt)
				return -1;
			i++;
			fmt += *fmt == '%';
			continue;
		}
		fmt++;
		switch (*fmt) {
		case 'Y':
			k = 0, w = 4;
			break;
		case 'm':
			k = 1, w = 2;
			break;
		case 'd':
			k = 2, w = 2;
			break;
		case 'H':
			k = 3, w = 2, hastime = 1;
			break;
		case 'M':
			k = 4, w = 2;
			break;
		case 'S':
			k = 5, w = 2;
			break;
		default:
			return -1;
		}
		for (d = 0, v[k] = 0;
		     d < w && i < n && s[i] >= '0' && s[i] <= '9'; d++, i++)
			v[k] = v[k] * 10 + (s[i] - '0');
		if (d == 0 || (k == 0 && d != 4))
			return -1;
	}
	if (i != n || v[0] < 0 || v[1] < 1 || v[1] > 12 || v[2] < 1 ||
	    v[2] > 31 || v[3] > 23 || v[4] > 59 || v[5] > 60)
		return -1;
	if (!hastime)
		return snprintf(out, 20, "%04d-%02d-%02d", v[0], v[1], v[2]);
	return snprintf(out, 20, "%04d-%02d-%02d %02d:%02d:%02d", v[0], v[1],
	    v[2], v[3], v[4], v[5]);
}

static int
is_space(int ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n' ||
	    ch == '\v' || ch == '\f';
}

static int
blank(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!is_space((unsigned char)s[i]))
			return 0;
	return 1;
}

/* Normalise s[0..n) into 'out' (at most n bytes); returns the length. */
static size_t
normalise(unsigned norm, const char *s, size_t n, char *out)
{
	size_t i = 0, k = 0;
	double x;
	int space = 0, lower;

	if (norm & AM_NORM_TRIM) {
		while (n > 0 && is_space((unsigned char)s[n - 1]))
			n--;
		while (i < n && is_space((unsigned char)s[i]))
			i++;
	}
	lower = (norm & AM_NORM_LOWER) &&
	    (kinds(s + i, n - i, &x) & (K_NUM | K_DATE)) == 0;
	for (; i < n; i++) {
		char ch = s[i];
		if ((norm & AM_NORM_COLLAPSE) && is_space((unsigned char)ch)) {
			space = 1;
			continue;
		}
		if (space && k > 0)
			out[k++] = ' ';
		else if (space && !(norm & AM_NORM_TRIM))
			out[k++] = ' ';
		space = 0;
		if (lower && ch >= 'A' && ch <= 'Z')
			ch = (char)(ch - 'A' + 'a');
		out[k++] = ch;
	}
	if (space && !(norm & AM_NORM_TRIM))
		out[k++] = ' ';
	return k;
}

/* Mark the columns of "a,b,c" ('*' = all) in the byte at 'field'. */
static int
mark_cols(struct run *c, const char *list, size_t field, const char *opt,
    struct am_err *err)
{
	const char *p = list, *comma;
	char name[1024];
	size_t len, i;
	long k;

	while (*p != '\0') {
		comma = strchr(p, ',');
		len = comma != NULL ? (size_t)(comma - p) : strlen(p);
		if (len == 0 || len >= sizeof(name))
			return am_seterr(err, AM_EARG,
			    "%s: bad column list '%s'", opt, list);
		memcpy(name, p, len);
		name[len] = '\0';
		if (strcmp(name, "*") == 0) {
			for (i = 0; i < c->ncols; i++)
				((unsigned char *)&c->ops[i])[field] = 1;
		} else if ((k = am_csv_col(c->r, name)) < 0) {
			return am_seterr(err, AM_EFORMAT,
			    "%s: %s: no column '%s'", am_csv_name(c->r), opt,
			    name);
		} else {
			((unsigned char *)&c->ops[k])[field] = 1;
		}
		p = comma != NULL ? comma + 1 : p + len;
	}
	return 0;
}

/*
 * "col=X,col=X": call 'fn' with the column and X.  Column names hold no
 * '=' or ','.
 */
static int
each_pair(struct run *c, const char *spec, const char *opt,
    int (*fn)(struct run *, size_t, const char *, size_t, struct am_err *),
    struct am_err *err)
{
	const char *p = spec, *comma, *eq;
	char name[1024];
	size_t len;
	long k;
	int rc;

	while (*p != '\0') {
		comma = strchr(p, ',');
		len = comma != NULL ? (size_t)(comma - p) : strlen(p);
		eq = memchr(p, '=', len);
		if (eq == NULL || eq == p || (size_t)(eq - p) >= sizeof(name))
			return am_seterr(err, AM_EARG,
			    "%s: '%.*s' is not COLUMN=...", opt, (int)len, p);
		memcpy(name, p, (size_t)(eq - p));
		name[eq - p] = '\0';
		if (c != NULL && (k = am_csv_col(c->r, name)) < 0)
			return am_seterr(err, AM_EFORMAT,
			    "%s: %s: no column '%s'", am_csv_name(c->r), opt,
			    name);
		if ((rc = fn(c, c != NULL ? (size_t)k : 0, eq + 1,
		         len - (size_t)(eq - p) - 1, err)) != 0)
			return rc;
		p = comma != NULL ? comma + 1 : p + len;
	}
	return 0;
}

static int
parse_num(const char *s, size_t n, double dflt, double *out)
{
	char tmp[64];

	if (n == 0) {
		*out = dflt;
		return 0;
	}
	if (n >= sizeof(tmp))
		return -1;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	return am_parse_number(tmp, n, out);
}

static int
on_range(struct run *c, size_t i, const char *v, size_t n, struct am_err *err)
{
	const char *colon = memchr(v, ':', n);
	double lo, hi;

	if (colon == NULL ||
	    parse_num(v, (size_t)(colon - v), -HUGE_VAL, &lo) != 0 ||
	    parse_num(colon + 1, n - (size_t)(colon - v) - 1, HUGE_VAL, &hi) !=
	        0 ||
	    lo > hi)
		return am_seterr(err, AM_EARG,
		    "--range: '%.*s' is not MIN:MAX (either may be empty)",
		    (int)n, v);
	if (c != NULL) {
		c->ops[i].hasrange = 1;
		c->ops[i].rlo = lo;
		c->ops[i].rhi = hi;
	}
	return 0;
}

static int
on_allow(struct run *c, size_t i, const char *v, size_t n, struct am_err *err)
{
	if (n == 0)
		return am_seterr(err, AM_EARG, "--allow: an empty list");
	if (c != NULL) {
		free(c->ops[i].allow);
		if ((c->ops[i].allow = strndup(v, n)) == NULL)
			return am_seterr(err, AM_ENOMEM, "out of memory");
	}
	return 0;
}

static int
on_outlier(struct run *c, size_t i, const char *v, size_t n, struct am_err *err)
{
	static const struct {
		const char *name;
		int meth;
		double k;
	} m[] = { { "z", O_Z, 3 }, { "iqr", O_IQR, 1.5 },
		{ "mad", O_MAD, 3.5 } };
	const char *colon = memchr(v, ':', n);
	size_t w = colon != NULL ? (size_t)(colon - v) : n, j;
	double k;

	for (j = 0; j < 3; j++)
		if (strlen(m[j].name) == w && strncmp(v, m[j].name, w) == 0)
			break;
	if (j == 3 ||
	    (colon != NULL &&
	        (parse_num(colon + 1, n - w - 1, -1, &k) != 0 || !(k > 0))))
		return am_seterr(err, AM_EARG,
		    "--outliers: '%.*s' is not z[:K], iqr[:K] or mad[:K] (K > 0)",
		    (int)n, v);
	if (c != NULL) {
		c->ops[i].ometh = m[j].meth;
		c->ops[i].ok = colon != NULL ? k : m[j].k;
	}
	return 0;
}

/* Syntax checks of the issue-4 specs, before any data is read. */
static int
check_specs(const struct am_clean_opts *o, struct am_err *err)
{
	int rc;

	if (o->range != NULL &&
	    (rc = each_pair(NULL, o->range, "--range", on_range, err)) != 0)
		return rc;
	if (o->allow != NULL &&
	    (rc = each_pair(NULL, o->allow, "--allow", on_allow, err)) != 0)
		return rc;
	if (o->outliers != NULL &&
	    (rc = each_pair(NULL, o->outliers, "--outliers", on_outlier,
	         err)) != 0)
		return rc;
	return 0;
}

/* Dedupe. */

/*
 * A 64-bit fingerprint of s[0..n), 8 bytes at a time (MurmurHash3's
 * mixing steps): am_hash64() goes byte by byte, too slow for whole rows.
 * Kept in memory only, never saved, so byte order does not matter.
 */
static uint64_t
fphash(const char *s, size_t n)
{
	uint64_t h = 0x9e3779b97f4a7c15u ^ (uint64_t)n, k;

	for (; n >= 8; s += 8, n -= 8) {
		memcpy(&k, s, 8);
		k *= 0x87c37b91114253d5u;
		k = k << 31 | k >> 33;
		k *= 0x4cf5ad432745937fu;
		h ^= k;
		h = (h << 27 | h >> 37) * 5 + 0x52dce729u;
	}
	k = 0;
	memcpy(&k, s, n);
	h ^= k * 0x87c37b91114253d5u;
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdu;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53u;
	h ^= h >> 33;
	return h != 0 ? h : 1; /* 0 marks an empty slot */
}

/*
 * The fingerprint of the record's key ('all': every column): of the key
 * cells written as ',' CSV -- a missing cell as nothing, an empty string
 * as "", a cell holding ',' '"' CR or LF quoted.  That text tells every
 * two keys apart, and for an unchanged verbatim record it is the line
 * itself, so most rows are hashed without being copied.  Returns 0 when
 * out of memory.
 */
static uint64_t
row_key(struct run *c, int all)
{
	size_t i, k, n, need = 0, nk = 0;
	const char *f;
	char *p;

	all = all || c->o->dedupe != 2;
	if (all && c->raw != NULL && !c->dirty)
		return fphash(c->raw, c->rawlen);
	for (i = 0; i < c->ncols; i++)
		need += 2 * c->v.len[i] + 3;
	if (grow((void **)&c->kb, &c->kbcap, need + 1, 1) != 0)
		return 0;
	for (p = c->kb, i = 0; i < c->ncols; i++) {
		if (!all && !c->ops[i].key)
			continue;
		if (nk++ > 0)
			*p++ = ',';
		f = c->v.f[i];
		n = c->v.len[i];
		if (c->v.st[i] == S_MISSING)
			continue;
		for (k = 0; k < n; k++)
			if (f[k] == ',' || f[k] == '"' || f[k] == '\r' ||
			    f[k] == '\n')
				break;
		if (k == n && n > 0) {
			memcpy(p, f, n);
			p += n;
			continue;
		}
		*p++ = '"';
		for (k = 0; k < n; k++) {
			if (f[k] == '"')
				*p++ = '"';
			*p++ = f[k];
		}
		*p++ = '"';
	}
	return fphash(c->kb, (size_t)(p - c->kb));
}

/*
 * Add key 'h' seen at 'row'.  Returns 1 if it was there (the row kept
 * for it becomes 'row' under --keep last), 0 if new, -1 out of memory.
 */
static int
dtab_put(struct dtab *t, uint64_t h, size_t row, int last)
{
	size_t i, k, cap;

	if ((t->n + 1) * 4 > t->cap * 3) {
		uint64_t *nh;
		size_t *nr = NULL;
		cap = t->cap ? t->cap * 2 : 1024;
		if ((nh = calloc(cap, sizeof(*nh))) == NULL ||
		    (last && (nr = calloc(cap, sizeof(*nr))) == NULL)) {
			free(nh);
			return -1;
		}
		for (k = 0; k < t->cap; k++) {
			if (t->h[k] == 0)
				continue;
			for (i = (size_t)t->h[k] & (cap - 1); nh[i] != 0;
			     i = (i + 1) & (cap - 1))
				;
			nh[i] = t->h[k];
			if (last)
				nr[i] = t->row[k];
		}
		free(t->h);
		free(t->row);
		t->h = nh;
		t->row = nr;
		t->cap = cap;
	}
	for (i = (size_t)h & (t->cap - 1); t->h[i] != 0;
	     i = (i + 1) & (t->cap - 1))
		if (t->h[i] == h) {
			if (last)
				t->row[i] = row;
			return 1;
		}
	t->h[i] = h;
	if (last)
		t->row[i] = row;
	t->n++;
	return 0;
}

static size_t
dtab_row(const struct dtab *t, uint64_t h)
{
	size_t i;

	for (i = (size_t)h & (t->cap - 1); t->h[i] != h;
	     i = (i + 1) & (t->cap - 1))
		;
	return t->row[i];
}

/* Write the current record to --rejects with its reason; count it. */
static void
reject(struct run *c, int why, long col)
{
	char reason[1100];
	size_t i;

	c->rej[why]++;
	c->st.rejected += why != R_DUP;
	if (col >= 0)
		c->ops[col].nrej++;
	if (c->io->rejects == NULL)
		return;
	for (i = 0; i < c->ncols; i++) {
		if (c->v.st[i] == S_MISSING)
			am_csv_put(&c->wr, "", 0);
		else if (c->v.st[i] == S_EMPTY)
			am_csv_put_quoted(&c->wr, "", 0);
		else
			am_csv_put(&c->wr, c->v.f[i], c->v.len[i]);
	}
	if (col >= 0)
		(void)snprintf(reason, sizeof(reason), "%s:%s",
		    reason_names[why], am_csv_colname(c->r, (size_t)col));
	else
		(void)snprintf(reason, sizeof(reason), "%s", reason_names[why]);
	am_csv_puts(&c->wr, reason);
	am_csv_end(&c->wr);
}

static int
allowed(const char *list, const char *s, size_t n)
{
	const char *p = list, *bar;
	size_t len;

	for (;;) {
		bar = strchr(p, '|');
		len = bar != NULL ? (size_t)(bar - p) : strlen(p);
		if (len == n && memcmp(p, s, n) == 0)
			return 1;
		if (bar == NULL)
			return 0;
		p = bar + 1;
	}
}

static int
ffill_cell(struct run *c, size_t i, uint32_t g)
{
	struct ffgroup *fg = &c->ffg[g];

	if (c->v.st[i] == S_MISSING) {
		if (fg->v[i] != NULL) {
			c->v.f[i] = fg->v[i];
			c->v.len[i] = fg->len[i];
			c->v.st[i] = S_FFILL;
			c->dirty = 1;
		}
		return 0;
	}
	free(fg->v[i]);
	if ((fg->v[i] = malloc(c->v.len[i] + 1)) == NULL)
		return -1;
	memcpy(fg->v[i], c->v.f[i], c->v.len[i]);
	fg->v[i][c->v.len[i]] = '\0';
	fg->len[i] = c->v.len[i];
	return 0;
}

static int
ffill(struct run *c, struct am_err *err)
{
	uint32_t g = 0;
	size_t i;

	if (c->group >= 0) {
		size_t gi = (size_t)c->group;
		if (am_strtab_intern(c->groups, c->v.f[gi],
		        c->v.st[gi] == S_MISSING ? 0 : c->v.len[gi], &g,
		        err) != 0)
			return AM_ENOMEM;
	}
	if (g >= c->nffg) {
		struct ffgroup *n = realloc(c->ffg, (g + 1) * sizeof(*n));
		if (n == NULL)
			return am_seterr(err, AM_ENOMEM, "out of memory");
		c->ffg = n;
		for (; c->nffg <= g; c->nffg++) {
			n[c->nffg].v = calloc(c->ncols + 1, sizeof(char *));
			n[c->nffg].len = calloc(c->ncols + 1, sizeof(size_t));
			if (n[c->nffg].v == NULL || n[c->nffg].len == NULL) {
				c->nffg++;
				return am_seterr(err, AM_ENOMEM,
				    "out of memory");
			}
		}
	}
	for (i = 0; i < c->ncols; i++)
		if (c->ops[i].ffill && ffill_cell(c, i, g) != 0)
			return am_seterr(err, AM_ENOMEM, "out of memory");
	return 0;
}

/*
 * Is s[0..n) valid UTF-8 (RFC 3629: no overlong forms, no surrogates,
 * nothing above U+10FFFF)?
 */
static int
utf8(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *e = p + n;
	unsigned c, lo, hi;
	size_t k, len;

	while (p < e) {
		if ((c = *p) < 0x80) {
			p++;
			continue;
		}
		lo = 0x80, hi = 0xbf;
		if (c >= 0xc2 && c <= 0xdf)
			len = 2;
		else if (c >= 0xe0 && c <= 0xef) {
			len = 3;
			lo = c == 0xe0 ? 0xa0 : 0x80;
			hi = c == 0xed ? 0x9f : 0xbf;
		} else if (c >= 0xf0 && c <= 0xf4) {
			len = 4;
			lo = c == 0xf0 ? 0x90 : 0x80;
			hi = c == 0xf4 ? 0x8f : 0xbf;
		} else
			return 0;
		if ((size_t)(e - p) < len || p[1] < lo || p[1] > hi)
			return 0;
		for (k = 2; k < len; k++)
			if ((p[k] & 0xc0) != 0x80)
				return 0;
		p += len;
	}
	return 1;
}

/*
 * The per-record steps before sampling and output: normalise, check
 * types, validity rules, dedupe (first), drop rows missing a value,
 * forward fill.  Returns 1 to keep the record, 0 when it went away
 * (counted), or a negative AM_E*.
 */
static int
process(struct run *c, struct am_err *err)
{
	size_t i, total = 0, off = 0;
	double x;
	int rc, t;

	if (c->light) { /* nothing to check: only white space is missing */
		if (c->raw != NULL)
			return 1; /* verbatim: no cell starts with a space */
		for (i = 0; i < c->ncols; i++)
			if (c->v.st[i] == S_VALUE &&
			    is_space((unsigned char)c->v.f[i][0]) &&
			    blank(c->v.f[i], c->v.len[i]))
				c->v.st[i] = S_MISSING;
		return 1;
	}
	for (i = 0; (c->o->norm != 0 || c->ntypes > 0) && i < c->ncols; i++)
		total += c->v.len[i] + 21;
	if (grow((void **)&c->scr, &c->scrcap, total + 1, 1) != 0)
		return am_seterr(err, AM_ENOMEM, "out of memory");
	for (i = 0; i < c->ncols; i++) {
		struct colops *op = &c->ops[i];
		if (c->v.st[i] != S_VALUE)
			continue;
		if (is_space((unsigned char)c->v.f[i][0]) &&
		    blank(c->v.f[i], c->v.len[i])) {
			c->v.st[i] = S_MISSING; /* white space only */
			c->dirty = 1;
			continue;
		}
		if (c->o->strict && !utf8(c->v.f[i], c->v.len[i]))
			return am_seterr(err, AM_EFORMAT,
			    "%s:%lu: column '%s': the cell is not valid UTF-8 "
			    "(--strict)",
			    am_csv_name(c->r), am_csv_line(c->r),
			    am_csv_colname(c->r, i));
		if (c->o->norm != 0) {
			size_t n = normalise(c->o->norm, c->v.f[i], c->v.len[i],
			    c->scr + off);
			if (n != c->v.len[i] ||
			    memcmp(c->v.f[i], c->scr + off, n) != 0) {
				c->v.f[i] = c->scr + off;
				c->v.len[i] = n;
				off += n;
				c->dirty = 1;
			}
			if (n == 0) {
				c->v.st[i] = S_MISSING;
				continue;
			}
		}
		if ((t = op->type) < 0)
			continue;
		if (op->fmt != NULL) {
			int n = parse_datefmt(op->fmt, c->v.f[i], c->v.len[i],
			    c->scr + off);
			if (n > 0) {
				c->v.f[i] = c->scr + off;
				c->v.len[i] = (size_t)n;
				off += (size_t)n;
				c->dirty = 1;
				continue;
			}
		} else if (of_type(c->v.f[i], c->v.len[i], t)) {
			continue;
		}
		if (c->o->strict)
			return am_seterr(err, AM_EFORMAT,
			    "%s:%lu: column '%s': '%.*s' is not %s%s%s (--strict)",
			    am_csv_name(c->r), am_csv_line(c->r),
			    am_csv_colname(c->r, i),
			    c->v.len[i] > SHOW ? SHOW : (int)c->v.len[i],
			    c->v.f[i], t == AM_COL_INTEGER ? "an " : "a ",
			    am_coltype_name(t),
			    op->fmt != NULL ? " of that format" : "");
		c->v.st[i] = S_MISSING;
		c->dirty = 1;
		op->nbad++;
		c->st.badtype++;
	}
	for (i = 0; i < c->ncols; i++) {
		struct colops *op = &c->ops[i];
		if (c->v.st[i] == S_MISSING) {
			if (op->require) {
				reject(c, R_REQUIRED, (long)i);
				return 0;
			}
			continue;
		}
		if (op->hasrange &&
		    (am_parse_number(c->v.f[i], c->v.len[i], &x) != 0 ||
		        x < op->rlo || x > op->rhi)) {
			reject(c, R_RANGE, (long)i);
			return 0;
		}
		if (op->allow != NULL &&
		    !allowed(op->allow, c->v.f[i], c->v.len[i])) {
			reject(c, R_ALLOW, (long)i);
			return 0;
		}
	}
	if (c->o->dedupe) {
		/* --keep last: record() files the key when it spools */
		if ((c->curh = row_key(c, 0)) == 0)
			return am_seterr(err, AM_ENOMEM, "out of memory");
		rc = c->o->keep_last ? 0 : dtab_put(&c->dd, c->curh, 0, 0);
		if (rc < 0)
			return am_seterr(err, AM_ENOMEM, "out of memory");
		if (rc == 1) {
			c->st.dups++;
			reject(c, R_DUP, -1);
			return 0;
		}
	}
	if (c->ffg != NULL || c->group >= 0 || c->o->ffill != NULL ||
	    c->fitops & 2)
		if ((rc = ffill(c, err)) != 0)
			return rc;
	for (i = 0; i < c->ncols; i++)
		if (c->ops[i].dropmiss && c->v.st[i] == S_MISSING) {
			reject(c, R_MISSING, (long)i);
			return 0;
		}
	return 1;
}

static double
quantile(const double *x, size_t n, double q)
{
	double h = q * (double)(n - 1);
	size_t k = (size_t)h;

	if (k + 1 >= n)
		return x[n - 1];
	return x[k] + (h - (double)k) * (x[k + 1] - x[k]);
}

/* The numbers of column 'i' in the selected spooled rows, sorted. */
static double *
col_numbers(struct run *c, size_t i, size_t *np)
{
	double *x;
	size_t n = 0, row;

	if ((x = malloc((c->nrows + 1) * sizeof(*x))) == NULL)
		return NULL;
	for (row = 0; row < c->nrows; row++) {
		if (c->sel != NULL && !c->sel[row])
			continue;
		view_from_spool(c, row);
		if ((c->v.st[i] == S_VALUE || c->v.st[i] == S_FFILL) &&
		    am_parse_number(c->v.f[i], c->v.len[i], &x[n]) == 0)
			n++;
	}
	qsort(x, n, sizeof(*x), cmp_double);
	*np = n;
	return x;
}

/* Outlier bounds of every column with a method, from the spool. */
static int
fit_outliers(struct run *c, struct am_err *err)
{
	double *x, *d, mean, sd, med, mad, q1, q3;
	size_t i, k, n;

	for (i = 0; i < c->ncols; i++) {
		struct colops *op = &c->ops[i];
		if (op->ometh == O_NONE)
			continue;
		if ((x = col_numbers(c, i, &n)) == NULL)
			return am_seterr(err, AM_ENOMEM, "out of memory");
		op->lo = -HUGE_VAL;
		op->hi = HUGE_VAL;
		if (n == 0) {
			free(x);
			continue;
		}
		if (op->ometh == O_Z) {
			for (mean = 0, k = 0; k < n; k++)
				mean += (x[k] - mean) / (double)(k + 1);
			for (sd = 0, k = 0; k < n; k++)
				sd += (x[k] - mean) * (x[k] - mean);
			sd = n > 1 ? sqrt(sd / (double)(n - 1)) : 0;
			op->lo = mean - op->ok * sd;
			op->hi = mean + op->ok * sd;
		} else if (op->ometh == O_IQR) {
			q1 = quantile(x, n, 0.25);
			q3 = quantile(x, n, 0.75);
			op->lo = q1 - op->ok * (q3 - q1);
			op->hi = q3 + op->ok * (q3 - q1);
		} else {
			med = quantile(x, n, 0.5);
			if ((d = malloc(n * sizeof(*d))) == NULL) {
				free(x);
				return am_seterr(err, AM_ENOMEM,
				    "out of memory");
			}
			for (k = 0; k < n; k++)
				d[k] = fabs(x[k] - med);
			qsort(d, n, sizeof(*d), cmp_double);
			mad = 1.4826 * quantile(d, n, 0.5);
			free(d);
			op->lo = med - op->ok * mad;
			op->hi = med + op->ok * mad;
		}
		free(x);
	}
	return 0;
}

/*
 * Outliers of the current record: count them, set oflag, and return
 * the first column whose outlier drops the record, or -1.
 */
static long
outliers(struct run *c)
{
	size_t i;
	double x;
	long drop = -1;

	for (i = 0; i < c->ncols; i++) {
		struct colops *op = &c->ops[i];
		op->oflag = 0;
		if (op->ometh == O_NONE || op->gone ||
		    (c->v.st[i] != S_VALUE && c->v.st[i] != S_FFILL) ||
		    am_parse_number(c->v.f[i], c->v.len[i], &x) != 0 ||
		    (x >= op->lo && x <= op->hi))
			continue;
		op->oflag = x < op->lo ? 1 : 2;
		op->nout++;
		c->st.outliers++;
		if (drop < 0 && c->o->outlier_action == AM_OUT_DROP)
			drop = (long)i;
	}
	return drop;
}

/*
 * Categories the fit did not see (--unseen): count them, make them
 * missing, or return the first column whose unseen value drops the
 * record (else -1).
 */
static long
unseen(struct run *c)
{
	size_t i, n;

	for (i = 0; i < c->ncols; i++) {
		if (c->ops[i].lev == NULL ||
		    (c->v.st[i] != S_VALUE && c->v.st[i] != S_FFILL))
			continue;
		n = c->v.len[i];
		if (grow((void **)&c->kb, &c->kbcap, n + 1, 1) != 0)
			return -1; /* no room to look: keep the cell */
		memcpy(c->kb, c->v.f[i], n);
		c->kb[n] = '\0';
		if (memchr(c->kb, '\0', n) == NULL &&
		    am_strtab_find(c->ops[i].lev, c->kb) >= 0)
			continue;
		c->ops[i].nunseen++;
		c->st.unseen++;
		if (c->o->unseen == AM_UNSEEN_REJECT)
			return (long)i;
		if (c->o->unseen == AM_UNSEEN_MISSING) {
			c->v.st[i] = S_MISSING;
			c->dirty = 1;
		}
	}
	return -1;
}

/*
 * Does emit() write the cells of the current record as they were read?
 * Not if a missing cell is imputed or an outlier clipped.
 */
static int
unchanged(const struct run *c)
{
	size_t i;

	for (i = 0; i < c->ncols; i++)
		if ((c->v.st[i] == S_MISSING && c->fill[i] != NULL) ||
		    (c->ops[i].oflag && c->o->outlier_action == AM_OUT_CLIP))
			return 0;
	return 1;
}

/*
 * Write the current record (with 'fill': imputed, outliers treated,
 * indicator and flag columns added).  Returns 0 when --outlier-action
 * drop took it instead.
 */
static int
emit(struct run *c, struct am_csv_writer *w, int fill)
{
	char tmp[32];
	size_t i;
	long drop;
	int n;

	if (fill && (drop = outliers(c)) >= 0) {
		reject(c, R_OUTLIER, drop);
		return 0;
	}
	if (fill && c->haslev && (drop = unseen(c)) >= 0) {
		reject(c, R_UNSEEN, drop);
		return 0;
	}
	if (w != NULL && c->raw != NULL && !c->dirty &&
	    (!fill || (!c->extra && unchanged(c)))) {
		(void)fwrite(c->raw, 1, c->rawlen, w->fp);
		putc_unlocked('\n', w->fp);
		if (c->o->line_buffered)
			(void)fflush(w->fp);
		return 1;
	}
	if (w == NULL) { /* a report without the table: count only */
		for (i = 0; i < c->ncols; i++)
			if (c->v.st[i] == S_MISSING && c->fill[i] != NULL &&
			    !c->ops[i].gone) {
				c->st.imputed++;
				c->ops[i].nimp++;
			}
		return 1;
	}
	for (i = 0; i < c->ncols; i++) {
		if (fill && c->ops[i].gone)
			continue;
		switch (c->v.st[i]) {
		case S_MISSING:
			if (fill && c->fill[i] != NULL) {
				am_csv_put(w, c->fill[i], c->filllen[i]);
				c->st.imputed++;
				c->ops[i].nimp++;
			} else {
				am_csv_put(w, "", 0);
			}
			break;
		case S_EMPTY:
			am_csv_put_quoted(w, "", 0);
			break;
		default:
			if (fill && c->ops[i].oflag &&
			    c->o->outlier_action == AM_OUT_CLIP) {
				double b = c->ops[i].oflag == 1 ? c->ops[i].lo
				                                : c->ops[i].hi;
				n = snprintf(tmp, sizeof(tmp), "%.15g",
				    b == 0 ? 0.0 : b);
				am_csv_put(w, tmp, (size_t)n);
			} else {
				am_csv_put(w, c->v.f[i], c->v.len[i]);
			}
			break;
		}
	}
	if (fill) {
		for (i = 0; i < c->ncols; i++)
			if (c->ops[i].ind && !c->ops[i].gone)
				am_csv_put(w,
				    c->v.st[i] == S_MISSING ||
				            c->v.st[i] == S_FFILL
				        ? "1"
				        : "0",
				    1);
		if (c->o->outlier_action == AM_OUT_FLAG)
			for (i = 0; i < c->ncols; i++)
				if (c->ops[i].ometh != O_NONE &&
				    !c->ops[i].gone)
					am_csv_put(w,
					    c->ops[i].oflag ? "1" : "0", 1);
	}
	am_csv_end(w);
	if (c->o->line_buffered)
		(void)fflush(w->fp);
	return 1;
}

/* The header; with 'extra', the COL_missing and COL_outlier columns. */
static void
emit_header(struct run *c, struct am_csv_writer *w, int extra)
{
	char name[1100];
	size_t i;

	for (i = 0; i < c->ncols; i++)
		if (!extra || !c->ops[i].gone)
			am_csv_puts(w, am_csv_colname(c->r, i));
	for (i = 0; extra && i < c->ncols; i++)
		if (c->ops[i].ind && !c->ops[i].gone) {
			(void)snprintf(name, sizeof(name), "%s_missing",
			    am_csv_colname(c->r, i));
			am_csv_puts(w, name);
		}
	for (i = 0;
	     extra && c->o->outlier_action == AM_OUT_FLAG && i < c->ncols; i++)
		if (c->ops[i].ometh != O_NONE && !c->ops[i].gone) {
			(void)snprintf(name, sizeof(name), "%s_outlier",
			    am_csv_colname(c->r, i));
			am_csv_puts(w, name);
		}
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
		if (c->sel != NULL && !c->sel[row])
			continue;
		view_from_spool(c, row);
		if ((c->v.st[i] == S_VALUE || c->v.st[i] == S_FFILL) &&
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

/*
 * Issue 4 in the artifact: the user's rules as hyper.* (replayed when -m
 * is not given them again) and an "ops" section per schema column:
 * u8 version (1) and u32 ncols, then per column u8 flags (1 COL_missing,
 * 2 forward fill), u8 outlier method, f64 factor, f64 low and high bound.
 * An artifact without the section (payload of before issue 4) replays
 * with none of these.
 */
static int
add_ops(struct run *c, struct am_art *a)
{
	const struct am_clean_opts *o = c->o;
	struct am_buf b = AM_BUF_INIT;
	char tmp[32];
	size_t i;
	int rc = 0, gone = 0;

	if (o->range != NULL)
		rc |= am_art_set(a, "hyper.range", o->range);
	if (o->allow != NULL)
		rc |= am_art_set(a, "hyper.allow", o->allow);
	if (o->require != NULL)
		rc |= am_art_set(a, "hyper.require", o->require);
	if (o->drop_missing != NULL)
		rc |= am_art_set(a, "hyper.drop_missing", o->drop_missing);
	if (o->ffill_by != NULL)
		rc |= am_art_set(a, "hyper.ffill_by", o->ffill_by);
	(void)snprintf(tmp, sizeof(tmp), "%u", o->norm);
	rc |= am_art_set(a, "hyper.norm", tmp);
	(void)snprintf(tmp, sizeof(tmp), "%d", o->outlier_action);
	rc |= am_art_set(a, "hyper.outlier_action", tmp);
	if (o->unseen != AM_UNSEEN_KEEP) {
		(void)snprintf(tmp, sizeof(tmp), "%d", o->unseen);
		rc |= am_art_set(a, "hyper.unseen", tmp);
	}
	if (o->outliers != NULL)
		rc |= am_art_set(a, "hyper.outliers", o->outliers);
	if (o->drop_cols) {
		(void)snprintf(tmp, sizeof(tmp), "%.17g", o->drop_cols_ratio);
		rc |= am_art_set(a, "hyper.drop_missing_cols", tmp);
	}
	for (i = 0; i < c->ncols && !gone; i++)
		gone = c->ops[i].gone;
	am_buf_u8(&b, gone ? 2 : 1); /* 2: flag 4 may be set */
	am_buf_u32(&b, (uint32_t)c->ncols);
	for (i = 0; i < c->ncols; i++) {
		const struct colops *op = &c->ops[i];
		am_buf_u8(&b,
		    (uint8_t)(op->ind | op->ffill << 1 | op->gone << 2));
		am_buf_u8(&b, (uint8_t)op->ometh);
		am_buf_f64(&b, op->ok);
		am_buf_f64(&b, op->lo);
		am_buf_f64(&b, op->hi);
	}
	rc |= am_art_add_buf(a, "ops", &b);
	am_buf_release(&b);
	return rc;
}

struct level {
	const char *s;
	size_t len;
};

static int
cmp_level(const void *pa, const void *pb)
{
	const struct level *a = pa, *b = pb;
	size_t m = a->len < b->len ? a->len : b->len;
	int d = memcmp(a->s, b->s, m);

	return d != 0 ? d : a->len < b->len ? -1 : a->len > b->len;
}

/*
 * The "levels" section: u8 version (1), u32 ncols, then per schema
 * column u32 count (UINT32_MAX: none kept) and the values of a category
 * column as seen by the fit, in byte order.  A column whose distinct
 * values overflowed the profile keeps none.
 */
static int
add_levels(struct run *c, struct am_art *a, const int *types)
{
	struct am_buf b = AM_BUF_INIT;
	struct level *v;
	const struct colstat *cs;
	size_t i, k, n;
	int rc;

	am_buf_u8(&b, 1);
	am_buf_u32(&b, (uint32_t)c->ncols);
	for (i = 0; i < c->ncols; i++) {
		cs = &c->cs[i];
		if (types[i] != AM_COL_CATEGORY || cs->overflow ||
		    (long)i == c->target) {
			am_buf_u32(&b, UINT32_MAX);
			continue;
		}
		if ((v = calloc(cs->tn + 1, sizeof(*v))) == NULL) {
			am_buf_release(&b);
			return AM_ENOMEM;
		}
		for (n = 0, k = 0; k < cs->tcap; k++)
			if (cs->tab[k].count > 0) {
				v[n].s = cs->keys + cs->tab[k].off;
				v[n++].len = cs->tab[k].len;
			}
		qsort(v, n, sizeof(*v), cmp_level);
		am_buf_u32(&b, (uint32_t)n);
		for (k = 0; k < n; k++)
			am_buf_str(&b, v[k].s);
		free(v);
	}
	rc = am_art_add_buf(a, "levels", &b);
	am_buf_release(&b);
	return rc;
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
	rc |= add_ops(c, a);
	rc |= add_levels(c, a, types);
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

/* The "ops" section (see add_ops()); absent before issue 4. */
static int
load_ops(struct run *c, const struct am_art *a, const char *mname,
    struct am_err *err)
{
	const void *data;
	struct am_rd rd;
	size_t len, i, n;
	uint8_t flags, meth, version;
	double k, lo, hi;
	long col;

	if ((data = am_art_section(a, "ops", &len)) == NULL)
		return 0;
	am_rd_init(&rd, data, len);
	if ((version = am_rd_u8(&rd)) != 1 && version != 2)
		return am_seterr(err, AM_EMODEL,
		    "%s: 'ops' section of an unknown version", mname);
	n = am_rd_u32(&rd);
	if (am_rd_error(&rd) || n != am_art_ncols(a))
		return am_seterr(err, AM_EMODEL,
		    "%s: the 'ops' section does not match the schema", mname);
	for (i = 0; i < n; i++) {
		flags = am_rd_u8(&rd);
		meth = am_rd_u8(&rd);
		k = am_rd_f64(&rd);
		lo = am_rd_f64(&rd);
		hi = am_rd_f64(&rd);
		if (am_rd_error(&rd) || flags > (version == 1 ? 3 : 7) ||
		    meth > O_MAD || isnan(lo) || isnan(hi))
			return am_seterr(err, AM_EMODEL,
			    "%s: malformed 'ops' section", mname);
		if ((col = am_csv_col(c->r, am_art_col_name(a, i))) < 0)
			continue;
		c->ops[col].ind = flags & 1;
		c->ops[col].ffill = (flags >> 1) & 1;
		c->ops[col].gone = (flags >> 2) & 1;
		c->extra |= c->ops[col].gone;
		c->ops[col].ometh = meth;
		c->ops[col].ok = k;
		c->ops[col].lo = lo;
		c->ops[col].hi = hi;
	}
	if (am_rd_left(&rd) != 0)
		return am_seterr(err, AM_EMODEL, "%s: malformed 'ops' section",
		    mname);
	return 0;
}

/* The "levels" section (see add_levels()); absent before --unseen. */
static int
load_levels(struct run *c, const struct am_art *a, const char *mname,
    struct am_err *err)
{
	struct am_strtab *t;
	const void *data;
	struct am_rd rd;
	size_t len, i, k, n, cnt;
	uint32_t id;
	char *v;
	long col;

	if ((data = am_art_section(a, "levels", &len)) == NULL)
		return 0;
	am_rd_init(&rd, data, len);
	if (am_rd_u8(&rd) != 1)
		return am_seterr(err, AM_EMODEL,
		    "%s: 'levels' section of an unknown version", mname);
	n = am_rd_u32(&rd);
	if (am_rd_error(&rd) || n != am_art_ncols(a))
		return am_seterr(err, AM_EMODEL,
		    "%s: the 'levels' section does not match the schema",
		    mname);
	for (i = 0; i < n; i++) {
		cnt = am_rd_u32(&rd);
		if (am_rd_error(&rd) || (cnt != UINT32_MAX && cnt > len))
			return am_seterr(err, AM_EMODEL,
			    "%s: malformed 'levels' section", mname);
		if (cnt == UINT32_MAX)
			continue;
		col = am_csv_col(c->r, am_art_col_name(a, i));
		t = NULL;
		if (col >= 0 && c->ops[col].lev == NULL &&
		    (t = c->ops[col].lev = am_strtab_new(err)) == NULL)
			return AM_ENOMEM;
		for (k = 0; k < cnt; k++) {
			if ((v = am_rd_str(&rd, AM_CSV_MAX_FIELD)) == NULL)
				return am_seterr(err, AM_EMODEL,
				    "%s: malformed 'levels' section", mname);
			if (t != NULL &&
			    am_strtab_intern(t, v, strlen(v), &id, err) != 0) {
				free(v);
				return AM_ENOMEM;
			}
			free(v);
		}
		c->haslev |= t != NULL;
	}
	if (am_rd_left(&rd) != 0)
		return am_seterr(err, AM_EMODEL,
		    "%s: malformed 'levels' section", mname);
	return 0;
}

/* Did the fit drop schema column 'i' (flag 4 of the "ops" section)? */
static int
dropped(const struct am_art *a, size_t i)
{
	const unsigned char *data;
	size_t len;

	if ((data = am_art_section(a, "ops", &len)) == NULL || len < 5 ||
	    data[0] != 2 || 5 + 26 * i >= len)
		return 0;
	return (data[5 + 26 * i] & 4) != 0;
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
	int rc;

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
			if ((target != NULL &&
			        strcmp(target, am_art_col_name(a, i)) == 0) ||
			    dropped(a, i))
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
		if (am_art_col_type(a, i) <= AM_COL_DATE &&
		    (long)k != c->target)
			c->ops[k].type = am_art_col_type(a, i);
	}
	if (am_rd_left(&rd) != 0)
		return am_seterr(err, AM_EMODEL,
		    "%s: malformed 'impute' section", mname);
	if ((rc = load_ops(c, a, mname, err)) != 0)
		return rc;
	return c->o->unseen != AM_UNSEEN_KEEP ? load_levels(c, a, mname, err)
	                                      : 0;
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

/* Missing cells of column 'i' left after imputation (and --unseen). */
static unsigned long long
miss_after(const struct run *c, size_t i)
{
	unsigned long long m = c->cs[i].miss;

	if (c->o->unseen == AM_UNSEEN_MISSING)
		m += c->ops[i].nunseen;
	return m > c->ops[i].nimp ? m - c->ops[i].nimp : 0;
}

/* Issue 4 in the report: what was found and done. */
static void
col_json(const struct run *c, size_t i, FILE *fp)
{
	const struct colops *op = &c->ops[i];
	const struct colstat *cs = &c->cs[i];

	(void)fprintf(fp,
	    ",\"missing_before\":%llu,\"missing_after\":%llu,"
	    "\"not_of_type\":%llu,\"rejected\":%llu,\"dropped\":%s,"
	    "\"unseen\":%llu",
	    cs->miss + cs->nff, miss_after(c, i), op->nbad, op->nrej,
	    op->gone ? "true" : "false", op->nunseen);
	if (op->ometh != O_NONE)
		(void)fprintf(fp,
		    ",\"outliers\":{\"method\":\"%s\",\"k\":%.15g,"
		    "\"lower\":%.15g,\"upper\":%.15g,\"found\":%llu}",
		    op->ometh == O_Z         ? "z"
		        : op->ometh == O_IQR ? "iqr"
		                             : "mad",
		    op->ok, op->lo, op->hi, op->nout);
}

static void
run_json(const struct run *c, FILE *fp)
{
	int k;

	(void)fprintf(fp,
	    ",\"duplicates\":%llu,\"duplicates_removed\":%llu,"
	    "\"not_of_type\":%llu,\"outliers\":%llu,\"rejected\":{",
	    c->rdups, c->st.dups, c->st.badtype, c->st.outliers);
	for (k = 0; k < R_DUP; k++)
		(void)fprintf(fp, "%s\"%s\":%llu", k > 0 ? "," : "",
		    reason_names[k], c->rej[k]);
	(void)fputs("}", fp);
}

static void
run_text(const struct run *c, const int *types, FILE *fp)
{
	const struct colops *op;
	const struct colstat *cs;
	size_t i;
	int k;

	(void)fprintf(fp,
	    "\nduplicates: %llu exact duplicate rows, %llu "
	    "removed\nrejected: %llu rows (",
	    c->rdups, c->st.dups, c->st.rejected);
	for (k = 0; k < R_DUP; k++)
		(void)fprintf(fp, "%s%s %llu", k > 0 ? ", " : "",
		    reason_names[k], c->rej[k]);
	(void)fputs(")\n", fp);
	for (i = 0; i < c->ncols; i++) {
		op = &c->ops[i];
		cs = &c->cs[i];
		if (op->nbad == 0 && op->nrej == 0 && op->ometh == O_NONE &&
		    op->nimp == 0 && cs->nff == 0 && !op->gone &&
		    op->nunseen == 0)
			continue;
		(void)fprintf(fp, "%s: missing %llu -> %llu",
		    am_csv_colname(c->r, i), cs->miss + cs->nff,
		    miss_after(c, i));
		if (op->nbad > 0)
			(void)fprintf(fp, ", %llu not %s (made missing)",
			    op->nbad, am_coltype_name(types[i]));
		if (op->nrej > 0)
			(void)fprintf(fp, ", %llu rows rejected", op->nrej);
		if (op->nunseen > 0)
			(void)fprintf(fp, ", %llu unseen categories",
			    op->nunseen);
		if (op->gone)
			(void)fprintf(fp,
			    ", column dropped (missing in %llu of "
			    "%llu rows)",
			    op->nmiss, c->st.out);
		if (op->ometh != O_NONE)
			(void)fprintf(fp,
			    ", %llu outliers outside [%.6g, %.6g] (%s)",
			    op->nout, op->lo, op->hi,
			    op->ometh == O_Z         ? "z"
			        : op->ometh == O_IQR ? "iqr"
			                             : "mad");
		putc('\n', fp);
	}
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
				json_str(fp, cs->dlo, strlen(cs->dlo));
				(void)fputs(",\"max\":", fp);
				json_str(fp, cs->dhi, strlen(cs->dhi));
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
			(void)fputs("]", fp);
			col_json(c, i, fp);
			(void)fputs("}", fp);
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
			(void)snprintf(rc[i].cell[5], 48, "%s", cs->dlo);
			(void)snprintf(rc[i].cell[6], 48, "%s", cs->dhi);
		}
		for (k = 0; k < 9; k++)
			if (strlen(rc[i].cell[k]) > w[k])
				w[k] = strlen(rc[i].cell[k]);
	}
	if (c->io->report_json) {
		(void)fputs("]", fp);
		run_json(c, fp);
		(void)fputs("}\n", fp);
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
	run_text(c, types, fp);
	free(rc);
	return 0;
}

/* The run. */

/*
 * The options a clean artifact keeps (hyper.*), for those the command
 * line leaves unset.
 */
static void
replay_opts(struct am_clean_opts *o, const struct am_art *a)
{
	const char *v;
	unsigned long u;

	if (o->types == NULL)
		o->types = am_art_get(a, "hyper.types");
	if (o->range == NULL)
		o->range = am_art_get(a, "hyper.range");
	if (o->allow == NULL)
		o->allow = am_art_get(a, "hyper.allow");
	if (o->require == NULL)
		o->require = am_art_get(a, "hyper.require");
	if (o->drop_missing == NULL)
		o->drop_missing = am_art_get(a, "hyper.drop_missing");
	if (o->ffill_by == NULL)
		o->ffill_by = am_art_get(a, "hyper.ffill_by");
	if (o->norm == 0 && (v = am_art_get(a, "hyper.norm")) != NULL &&
	    (u = strtoul(v, NULL, 10)) <= 7)
		o->norm = (unsigned)u;
	if (o->unseen == AM_UNSEEN_KEEP &&
	    (v = am_art_get(a, "hyper.unseen")) != NULL &&
	    (u = strtoul(v, NULL, 10)) <= AM_UNSEEN_REJECT)
		o->unseen = (int)u;
	if ((v = am_art_get(a, "hyper.outlier_action")) != NULL &&
	    (u = strtoul(v, NULL, 10)) <= AM_OUT_DROP)
		o->outlier_action = (int)u;
}

static int
setup_ops(struct run *c, struct am_err *err)
{
	const struct am_clean_opts *o = c->o;
	size_t i;
	long k;
	int rc;

	for (i = 0; i < c->ntypes; i++) {
		k = am_csv_col(c->r, c->types[i].name);
		c->ops[k].type = c->types[i].type;
		c->ops[k].fmt = c->types[i].value;
	}
	if ((o->range != NULL &&
	        (rc = each_pair(c, o->range, "--range", on_range, err)) != 0) ||
	    (o->allow != NULL &&
	        (rc = each_pair(c, o->allow, "--allow", on_allow, err)) != 0) ||
	    (o->outliers != NULL && c->io->model == NULL &&
	        (rc = each_pair(c, o->outliers, "--outliers", on_outlier,
	             err)) != 0) ||
	    (o->require != NULL &&
	        (rc = mark_cols(c, o->require, offsetof(struct colops, require),
	             "--require-cols", err)) != 0) ||
	    (o->drop_missing != NULL &&
	        (rc = mark_cols(c, o->drop_missing,
	             offsetof(struct colops, dropmiss), "--drop-missing",
	             err)) != 0) ||
	    (o->indicator != NULL &&
	        (rc = mark_cols(c, o->indicator, offsetof(struct colops, ind),
	             "--indicator", err)) != 0) ||
	    (o->ffill != NULL &&
	        (rc = mark_cols(c, o->ffill, offsetof(struct colops, ffill),
	             "--ffill", err)) != 0) ||
	    (o->dedupe == 2 && o->dedupe_key != NULL &&
	        (rc = mark_cols(c, o->dedupe_key, offsetof(struct colops, key),
	             "--dedupe-key", err)) != 0))
		return rc;
	c->bcol = -1;
	if (o->split_by != NULL || o->split_time != NULL) {
		const char *name =
		    o->split_by != NULL ? o->split_by : o->split_time;
		if ((c->bcol = am_csv_col(c->r, name)) < 0)
			return am_seterr(err, AM_EFORMAT,
			    "%s: %s: no column '%s'", am_csv_name(c->r),
			    o->split_by != NULL ? "--split-by" : "--split-time",
			    name);
	}
	for (i = 0; i < c->ncols; i++) /* a range is of numbers */
		if (c->ops[i].hasrange && c->ops[i].type < 0)
			c->ops[i].type = AM_COL_NUMBER;
	c->group = -1;
	if (o->ffill_by != NULL) {
		if ((c->group = am_csv_col(c->r, o->ffill_by)) < 0)
			return am_seterr(err, AM_EFORMAT,
			    "%s: --ffill-by: no column '%s'", am_csv_name(c->r),
			    o->ffill_by);
		if ((c->groups = am_strtab_new(err)) == NULL)
			return AM_ENOMEM;
	}
	for (i = 0; i < c->ncols; i++) {
		if (c->ops[i].ffill)
			c->fitops |= 2;
		if (c->ops[i].ometh != O_NONE && c->io->model == NULL)
			c->fitops |= 1;
		if (c->ops[i].ind ||
		    (c->ops[i].ometh != O_NONE &&
		        o->outlier_action == AM_OUT_FLAG))
			c->extra = 1;
	}
	c->light = o->norm == 0 && !o->dedupe && !(c->fitops & 2) && !o->strict;
	for (i = 0; i < c->ncols; i++)
		if (c->ops[i].type >= 0 || c->ops[i].hasrange ||
		    c->ops[i].allow != NULL || c->ops[i].require ||
		    c->ops[i].dropmiss)
			c->light = 0;
	c->spooling = c->io->fit != NULL || o->keep_last || o->sample >= 1 ||
	    (c->fitops & 1) || (o->drop_cols && c->io->model == NULL);
	if (o->sample >= 1) {
		if (o->sample > (double)(SIZE_MAX / 16))
			return am_seterr(err, AM_EARG,
			    "--sample: too many rows");
		if ((c->res = calloc((size_t)o->sample, sizeof(*c->res))) ==
		    NULL)
			return am_seterr(err, AM_ENOMEM, "out of memory");
		am_rand_seed(&c->rng, o->seed ^ 0x5a4d504c45u);
	}
	return 0;
}

/*
 * A column named twice cannot be told apart by name (--types, -m, the
 * artifact's schema), so it is an error.
 */
static int
check_names(struct run *c, struct am_err *err)
{
	struct am_strtab *t;
	const char *name;
	uint32_t id;
	size_t i;
	int rc = 0;

	if ((t = am_strtab_new(err)) == NULL)
		return AM_ENOMEM;
	for (i = 0; rc == 0 && i < c->ncols; i++) {
		name = am_csv_colname(c->r, i);
		if (am_strtab_intern(t, name, strlen(name), &id, err) != 0)
			rc = AM_ENOMEM;
		else if (id != i)
			rc = am_seterr(err, AM_EFORMAT,
			    "%s:1: column '%s' is named twice (rename one)",
			    am_csv_name(c->r), name);
	}
	am_strtab_free(t);
	return rc;
}

static int
setup(struct run *c, struct am_err *err)
{
	size_t i, n = c->ncols ? c->ncols : 1;
	int rc;

	if ((rc = check_names(c, err)) != 0)
		return rc;

	if ((c->v.f = calloc(n, sizeof(*c->v.f))) == NULL ||
	    (c->v.len = calloc(n, sizeof(*c->v.len))) == NULL ||
	    (c->v.st = calloc(n, 1)) == NULL ||
	    (c->fill = calloc(n, sizeof(*c->fill))) == NULL ||
	    (c->filllen = calloc(n, sizeof(*c->filllen))) == NULL ||
	    (c->ops = calloc(n, sizeof(*c->ops))) == NULL)
		return am_seterr(err, AM_ENOMEM, "out of memory");
	for (i = 0; i < n; i++)
		c->ops[i].type = -1;
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
	return setup_ops(c, err);
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
	for (i = 0; c->ops != NULL && i < c->ncols; i++) {
		free(c->ops[i].allow);
		am_strtab_free(c->ops[i].lev);
	}
	free(c->ops);
	free(c->scr);
	free(c->dd.h);
	free(c->dd.row);
	free(c->kb);
	free(c->rowh);
	free(c->rdup.h);
	am_strtab_free(c->groups);
	for (i = 0; i < c->nffg; i++) {
		size_t k;
		for (k = 0; c->ffg[i].v != NULL && k < c->ncols; k++)
			free(c->ffg[i].v[k]);
		free(c->ffg[i].v);
		free(c->ffg[i].len);
	}
	free(c->ffg);
	free(c->res);
	free(c->sel);
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

/*
 * --sample: 1 to go on with the record, 0 when it is left out; a
 * reservoir spools the record itself (returns 0) and -1 is out of
 * memory.
 */
static int
sample(struct run *c)
{
	unsigned char b[8];
	unsigned long long t;
	size_t i, n, j;

	if (c->o->sample <= 0)
		return 1;
	t = c->nseen++;
	if (c->o->sample < 1) {
		for (i = 0; i < 8; i++)
			b[i] = (unsigned char)(t >> (8 * i));
		if ((double)(am_hash64(b, 8, c->o->seed ^ 0x53414d50u) >> 11) *
		        0x1p-53 <
		    c->o->sample)
			return 1;
		c->st.sampled++;
		return 0;
	}
	n = (size_t)c->o->sample;
	if (t < n)
		j = (size_t)t;
	else if ((j = (size_t)am_rand_below(&c->rng, t + 1)) >= n)
		return 0;
	c->res[j] = c->nrows;
	return spool(c) != 0 ? -1 : 0;
}

/* Spooling: choose the rows to write, profile them. */
static int
select_rows(struct run *c, struct am_err *err)
{
	size_t row, i, n;

	if ((c->sel = calloc(c->nrows + 1, 1)) == NULL)
		return am_seterr(err, AM_ENOMEM, "out of memory");
	if (c->o->sample >= 1) {
		n = (size_t)c->o->sample;
		if (n > c->nseen)
			n = (size_t)c->nseen;
		for (i = 0; i < n; i++)
			c->sel[c->res[i]] = 1;
		c->st.sampled = c->nseen - n;
	} else {
		memset(c->sel, 1, c->nrows);
	}
	for (row = 0; row < c->nrows; row++) {
		if (!c->sel[row])
			continue;
		view_from_spool(c, row);
		if (c->o->keep_last && dtab_row(&c->dd, c->rowh[row]) != row) {
			c->sel[row] = 0;
			c->st.dups++;
			reject(c, R_DUP, -1);
			continue;
		}
		c->st.out++;
		for (i = 0; i < c->ncols; i++)
			c->ops[i].nmiss += c->v.st[i] == S_MISSING;
		if (c->cs != NULL)
			for (i = 0; i < c->ncols; i++)
				if (stat_cell(c, i, c->v.f[i], c->v.len[i],
				        c->v.st[i]) != 0)
					return am_seterr(err, AM_ENOMEM,
					    "out of memory");
	}
	if (c->o->drop_cols)
		for (i = 0; i < c->ncols; i++)
			if ((long)i != c->target &&
			    (double)c->ops[i].nmiss >
			        c->o->drop_cols_ratio * (double)c->st.out) {
				c->ops[i].gone = 1;
				c->extra = 1; /* no line is written as read */
			}
	return 0;
}

/* The steps of one record of the training part (see am-clean(1)). */
static int
record(struct run *c, struct am_err *err)
{
	size_t i;
	int rc;

	if (c->target >= 0 && c->v.st[c->target] == S_MISSING) {
		c->st.dropped++;
		return 0;
	}
	if (c->io->report != NULL) {
		uint64_t h = row_key(c, 1);
		rc = h != 0 ? dtab_put(&c->rdup, h, 0, 0) : -1;
		if (rc < 0)
			return am_seterr(err, AM_ENOMEM, "out of memory");
		c->rdups += (unsigned)rc;
	}
	if ((rc = process(c, err)) < 0)
		return rc;
	if (rc == 0)
		return 0;
	if ((rc = sample(c)) < 0)
		return am_seterr(err, AM_ENOMEM, "out of memory");
	if (rc == 0)
		return 0;
	if (c->spooling) {
		if (c->o->keep_last &&
		    (grow((void **)&c->rowh, &c->rowhcap, c->nrows + 1,
		         sizeof(*c->rowh)) != 0 ||
		        dtab_put(&c->dd, c->curh, c->nrows, 1) < 0))
			return am_seterr(err, AM_ENOMEM, "out of memory");
		if (c->o->keep_last)
			c->rowh[c->nrows] = c->curh;
		if (spool(c) != 0)
			return am_seterr(err, AM_ENOMEM, "out of memory");
		return 0;
	}
	if (c->cs != NULL)
		for (i = 0; i < c->ncols; i++)
			if (stat_cell(c, i, c->v.f[i], c->v.len[i],
			        c->v.st[i]) != 0)
				return am_seterr(err, AM_ENOMEM,
				    "out of memory");
	c->st.out++;
	if (!emit(c, c->io->out != NULL ? &c->w : NULL, 1))
		c->st.out--;
	return 0;
}

struct tkey {
	double x;
	const char *s;
	size_t len, row;
	int kind; /* 0 missing, 1 number, 2 text */
};

static int
cmp_tkey_value(const struct tkey *a, const struct tkey *b)
{
	size_t m;
	int d;

	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	if (a->kind == 1)
		return a->x < b->x ? -1 : a->x > b->x;
	if (a->kind == 0)
		return 0;
	m = a->len < b->len ? a->len : b->len;
	if ((d = memcmp(a->s, b->s, m)) != 0)
		return d;
	return a->len < b->len ? -1 : a->len > b->len;
}

static int
cmp_tkey(const void *pa, const void *pb)
{
	const struct tkey *a = pa, *b = pb;
	int d = cmp_tkey_value(a, b);

	return d != 0 ? d : a->row < b->row ? -1 : a->row > b->row;
}

/*
 * Choose the training rows of a stratified split (each group shuffled
 * with the seed, its first round(F n) rows kept) or of a time split
 * (rows up to the time at rank round(F n) in time order).
 */
static int
assign(struct run *c, const unsigned char *raw, const size_t *rows, size_t n,
    unsigned char *train, struct am_err *err)
{
	size_t row, k, col = (size_t)c->bcol, g, ng, *idx = NULL, *start = NULL;
	struct am_strtab *t = NULL;
	struct tkey *key = NULL;
	struct am_rand rng;
	uint32_t *gid = NULL;
	int rc = AM_ENOMEM;

	if (c->o->split_time != NULL) {
		if ((key = calloc(n + 1, sizeof(*key))) == NULL)
			goto out;
		for (row = 0; row < n; row++) {
			view_at(c, raw + rows[row]);
			key[row].row = row;
			key[row].s = c->v.f[col];
			key[row].len = c->v.len[col];
			key[row].kind = c->v.st[col] == S_MISSING ? 0
			    : am_parse_number(c->v.f[col], c->v.len[col],
			          &key[row].x) == 0
			    ? 1
			    : 2;
		}
		qsort(key, n, sizeof(*key), cmp_tkey);
		k = (size_t)floor(c->o->split * (double)n + 0.5);
		for (row = 0; row < n && k > 0; row++)
			train[key[row].row] =
			    cmp_tkey_value(&key[row], &key[k - 1]) <= 0;
		rc = 0;
		goto out;
	}
	if ((t = am_strtab_new(err)) == NULL ||
	    (gid = calloc(n + 1, sizeof(*gid))) == NULL ||
	    (idx = calloc(n + 1, sizeof(*idx))) == NULL)
		goto out;
	for (row = 0; row < n; row++) {
		view_at(c, raw + rows[row]);
		if (am_strtab_intern(t, c->v.f[col],
		        c->v.st[col] == S_MISSING ? 0 : c->v.len[col],
		        &gid[row], err) != 0)
			goto out;
	}
	ng = am_strtab_size(t);
	if ((start = calloc(ng + 2, sizeof(*start))) == NULL)
		goto out;
	for (row = 0; row < n; row++)
		start[gid[row] + 2]++;
	for (g = 2; g < ng + 2; g++)
		start[g] += start[g - 1];
	for (row = 0; row < n; row++)
		idx[start[gid[row] + 1]++] = row;
	am_rand_seed(&rng, c->o->seed);
	for (g = 0; g < ng; g++) {
		size_t b = g == 0 ? 0 : start[g], e = start[g + 1], m = e - b;
		am_rand_shuffle(&rng, idx + b, m);
		k = (size_t)floor(c->o->split * (double)m + 0.5);
		for (row = 0; row < k; row++)
			train[idx[b + row]] = 1;
	}
	rc = 0;
out:
	if (rc != 0 && (err == NULL || err->code == 0))
		am_seterr(err, AM_ENOMEM, "out of memory");
	am_strtab_free(t);
	free(key);
	free(gid);
	free(idx);
	free(start);
	return rc;
}

/* A stratified or time split: the records were spooled as read. */
static int
bsplit(struct run *c, struct am_err *err)
{
	unsigned char *raw = c->sp, *train = NULL;
	size_t *rows = c->rows, n = c->nrows, row;
	int rc;

	c->sp = NULL;
	c->rows = NULL;
	c->nrows = c->splen = c->spcap = c->rcap = 0;
	if ((train = calloc(n + 1, 1)) == NULL)
		rc = am_seterr(err, AM_ENOMEM, "out of memory");
	else
		rc = assign(c, raw, rows, n, train, err);
	for (row = 0; rc == 0 && row < n; row++) {
		view_at(c, raw + rows[row]);
		if (!train[row]) {
			emit(c, &c->wt, 0);
			c->st.test++;
			continue;
		}
		rc = record(c, err);
	}
	free(raw);
	free(rows);
	free(train);
	return rc;
}

static int
stream(struct run *c, struct am_err *err)
{
	int rc;

	while ((rc = am_csv_next(c->r, err)) == 1) {
		view_from_reader(c);
		if (c->bcol >= 0) {
			c->st.rows++;
			if (spool(c) != 0)
				return am_seterr(err, AM_ENOMEM,
				    "out of memory");
			continue;
		}
		if (!keep(c, c->st.rows++)) {
			emit(c, &c->wt, 0);
			c->st.test++;
			continue;
		}
		if ((rc = record(c, err)) < 0)
			return rc;
	}
	c->st.skipped = am_csv_skipped(c->r);
	if (rc == 0 && c->bcol >= 0)
		rc = bsplit(c, err);
	return rc;
}

int
am_clean_run(struct am_csv_reader *r, const struct am_clean_opts *o,
    const struct am_clean_io *io, struct am_clean_stats *st, struct am_err *err)
{
	struct am_clean_opts eo = *o;
	struct run c;
	int *types = NULL, *methods = NULL, rc;
	size_t i, row;

	memset(&c, 0, sizeof(c));
	if (io->model != NULL)
		replay_opts(&eo, io->model);
	c.r = r;
	c.o = &eo;
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
		emit_header(&c, &c.wt, 0);
	}
	if (io->rejects != NULL) {
		am_csv_writer_init(&c.wr, io->rejects, ',');
		for (i = 0; i < c.ncols; i++)
			am_csv_puts(&c.wr, am_csv_colname(r, i));
		am_csv_puts(&c.wr, "reason");
		am_csv_end(&c.wr);
	}
	if (io->out != NULL && !c.spooling)
		emit_header(&c, &c.w, 1);
	if ((rc = stream(&c, err)) != 0)
		goto out;
	if (c.spooling && (rc = select_rows(&c, err)) != 0)
		goto out;
	if ((c.fitops & 1) && (rc = fit_outliers(&c, err)) != 0)
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
	} else if (io->report != NULL) {
		for (i = 0; i < c.ncols; i++)
			if ((rc = col_type(&c, i, &types[i], err)) != 0)
				goto out;
	}
	if (c.spooling) {
		if (io->out != NULL)
			emit_header(&c, &c.w, 1);
		for (row = 0; row < c.nrows; row++) {
			if (!c.sel[row])
				continue;
			view_from_spool(&c, row);
			if (!emit(&c, io->out != NULL ? &c.w : NULL, 1))
				c.st.out--;
		}
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
