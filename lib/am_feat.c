/* SPDX-License-Identifier: MIT */
/*
 * am_feat.c -- standard scaling and one-hot encoding (am_feat.h).
 *
 * Fitting stores every row's cells in one arena, in a fixed layout (ids,
 * target, feature columns), each as a missing flag, a length, the bytes
 * and a NUL.  Column types are inferred while reading (a column stays
 * numeric until a non-missing cell fails am_parse_number); a second pass
 * over the arena computes means and standard deviations (Welford's
 * update, stable and order-deterministic) and counts categorical levels;
 * a third pass writes the rows.  Replay builds the same cell views from
 * the CSV reader, so one function, transform(), turns cells into a row in
 * both cases: that is what makes replayed output byte-identical.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "am_buf.h"
#include "am_feat.h"

#include "am_banned.h"

#define XFORM_VERSION 1
#define OTHER         "_other_"

/* A name -> index table over an array of names owned elsewhere. */
struct tab {
	uint32_t *slot; /* index + 1, 0 = empty */
	size_t cap;     /* power of two, or 0 */
};

static uint64_t
hash(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603u;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211u;
	return h;
}

static long
tab_find(const struct tab *t, char *const *names, const char *s, size_t n)
{
	size_t i;

	if (t->cap == 0)
		return -1;
	for (i = (size_t)hash(s, n) & (t->cap - 1); t->slot[i] != 0;
	     i = (i + 1) & (t->cap - 1)) {
		const char *c = names[t->slot[i] - 1];
		if (strncmp(c, s, n) == 0 && c[n] == '\0')
			return (long)t->slot[i] - 1;
	}
	return -1;
}

static void
tab_put(struct tab *t, char *const *names, size_t k)
{
	size_t i;

	for (i = (size_t)hash(names[k], strlen(names[k])) & (t->cap - 1);
	     t->slot[i] != 0; i = (i + 1) & (t->cap - 1))
		;
	t->slot[i] = (uint32_t)k + 1;
}

/* Index names[0 .. count) (the last one new); load kept under 1/2. */
static int
tab_add(struct tab *t, char *const *names, size_t count)
{
	uint32_t *ns;
	size_t k, cap;

	if (2 * count > t->cap) {
		cap = t->cap ? 2 * t->cap : 16;
		while (2 * count > cap)
			cap *= 2;
		if ((ns = calloc(cap, sizeof(*ns))) == NULL)
			return AM_ENOMEM;
		free(t->slot);
		t->slot = ns;
		t->cap = cap;
		for (k = 0; k < count; k++)
			tab_put(t, names, k);
		return 0;
	}
	tab_put(t, names, count - 1);
	return 0;
}

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

struct col {
	char *name;
	int numeric;
	long in;          /* column index in the current CSV input */
	double mean, std; /* numeric: x -> (x - mean) / std */
	size_t nlev;      /* categorical: kept levels, strcmp order */
	char **lev;
	int other;      /* a last "col=_other_" feature */
	struct tab tab; /* level -> index */
	size_t base;    /* its first output feature */
	/* while fitting */
	unsigned long long n;
	double m2;
	unsigned long long *cnt; /* per level, first-appearance order */
	size_t levcap;
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
	struct tab ctab;
	size_t ncol;
	struct col *col;
	struct am_fs_schema out; /* with the target */
	unsigned long min_freq;
	char *drop; /* comma list, for the artifact */

	/* fitted rows */
	unsigned char *arena;
	size_t alen, acap;
	unsigned long long nfit;
	const char *inname;

	/* per row */
	struct cell *cells; /* nid + 1 + ncol */
	const char **ids;
	uint32_t *idx;
	double *val;
	unsigned long long rows, unseen;
};

void
am_feat_free(struct am_feat *f)
{
	size_t i;

	if (f == NULL)
		return;
	for (i = 0; i < f->ncol; i++) {
		struct col *c = &f->col[i];
		free(c->name);
		free_strv(c->lev, c->nlev);
		free(c->tab.slot);
		free(c->cnt);
	}
	free(f->col);
	free_strv(f->id, f->nid);
	free(f->idin);
	free(f->target);
	free_strv(f->classes, f->nclass);
	free(f->ctab.slot);
	am_fs_schema_release(&f->out);
	free(f->drop);
	free(f->arena);
	free(f->cells);
	free(f->ids);
	free(f->idx);
	free(f->val);
	free(f);
}

/* Per-row buffers, once the columns are known. */
static int
alloc_row(struct am_feat *f)
{
	size_t n = f->ncol ? f->ncol : 1;

	f->cells = calloc(f->nid + 1 + f->ncol, sizeof(*f->cells));
	f->ids = calloc(f->nid ? f->nid : 1, sizeof(*f->ids));
	f->idx = calloc(n, sizeof(*f->idx));
	f->val = calloc(n, sizeof(*f->val));
	if (f->cells == NULL || f->ids == NULL || f->idx == NULL ||
	    f->val == NULL)
		return AM_ENOMEM;
	return 0;
}

static char *
join(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b);
	char *s = malloc(na + nb + 2);

	if (s == NULL)
		return NULL;
	memcpy(s, a, na);
	s[na] = '=';
	memcpy(s + na + 1, b, nb + 1);
	return s;
}

/*
 * Number the output features and build the output schema.  Returns 0,
 * AM_ELIMIT or AM_ENOMEM.
 */
static int
build_schema(struct am_feat *f, struct am_err *err)
{
	struct am_fs_schema *s = &f->out;
	size_t i, k, n = 0;

	for (i = 0; i < f->ncol; i++) {
		struct col *c = &f->col[i];
		c->base = n;
		n += c->numeric ? 1 : c->nlev + (size_t)c->other;
		if (n > AM_FS_MAX_FEAT)
			return am_seterr(err, AM_ELIMIT,
			    "more than %u output features (column '%s' has "
			    "%zu levels; drop it or use --min-freq)",
			    (unsigned)AM_FS_MAX_FEAT, c->name, c->nlev);
	}
	memset(s, 0, sizeof(*s));
	if (n > 0 && (s->feat = calloc(n, sizeof(*s->feat))) == NULL)
		goto nomem;
	for (i = 0; i < f->ncol; i++) {
		struct col *c = &f->col[i];
		if (c->numeric) {
			if ((s->feat[s->nfeat++] = strdup(c->name)) == NULL)
				goto nomem;
			continue;
		}
		for (k = 0; k < c->nlev; k++)
			if ((s->feat[s->nfeat++] = join(c->name, c->lev[k])) ==
			    NULL)
				goto nomem;
		if (c->other &&
		    (s->feat[s->nfeat++] = join(c->name, OTHER)) == NULL)
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
	if (alloc_row(f) != 0)
		goto nomem;
	return 0;
nomem:
	return am_seterr(err, AM_ENOMEM, "out of memory");
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
	size_t i, nnz = 0;
	double x, v;
	long k;

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
		} else if ((k = tab_find(&f->ctab, f->classes, cl->s,
		                cl->len)) >= 0)
			row->target = (double)k;
		else
			return am_seterr(err, AM_EFORMAT,
			    "%s:%lu: target '%s': class '%.40s' was not seen "
			    "when fitting",
			    name, line, f->target, cl->s);
	}
	cl++;
	for (i = 0; i < f->ncol; i++) {
		const struct col *c = &f->col[i];
		if (cl[i].missing)
			continue; /* the mean (0 once scaled), or no level */
		if (c->numeric) {
			if (am_parse_number(cl[i].s, cl[i].len, &x) != 0)
				return am_seterr(err, AM_EFORMAT,
				    "%s:%lu: column '%s': '%.40s' is not a "
				    "number",
				    name, line, c->name, cl[i].s);
			v = (x - c->mean) / c->std;
			if (v == 0)
				continue;
			f->idx[nnz] = (uint32_t)c->base;
			f->val[nnz++] = v;
			continue;
		}
		k = tab_find(&c->tab, c->lev, cl[i].s, cl[i].len);
		if (k < 0) {
			f->unseen++;
			if (!c->other)
				continue;
			k = (long)c->nlev;
		}
		f->idx[nnz] = (uint32_t)(c->base + (size_t)k);
		f->val[nnz++] = 1;
	}
	row->nnz = nnz;
	row->idx = f->idx;
	row->val = f->val;
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
	if ((f->col = calloc(ncols ? ncols : 1, sizeof(*f->col))) == NULL)
		goto nomem;
	for (i = 0; i < ncols; i++) {
		const char *name = am_csv_colname(in, i);
		if (role[i])
			continue;
		if (am_csv_col(in, name) != (long)i) {
			rc = am_seterr(err, AM_EFORMAT,
			    "%s: duplicate column name '%s'", am_csv_name(in),
			    name);
			goto out;
		}
		if ((f->col[f->ncol].name = strdup(name)) == NULL)
			goto nomem;
		f->col[f->ncol].in = (long)i;
		f->col[f->ncol].numeric = 1;
		f->ncol++;
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
			if (!miss && c->numeric &&
			    am_parse_number(am_csv_field(in, k),
			        am_csv_len(in, k), &x) != 0)
				c->numeric = 0;
		}
		f->nfit++;
	}
	return rc;
nomem:
	return am_seterr(err, AM_ENOMEM, "out of memory");
}

/* Count level 's' of column 'c' (or class of the target). */
static int
count_level(char ***names, size_t *n, size_t *cap, unsigned long long **cnt,
    struct tab *t, const struct cell *cl)
{
	char **nn;
	unsigned long long *nc;
	long k = tab_find(t, *names, cl->s, cl->len);

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
	return tab_add(t, *names, *n);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sort 'names' by strcmp and rebuild the table over them. */
static int
sort_names(char **names, size_t n, struct tab *t)
{
	size_t k;

	qsort(names, n, sizeof(*names), cmp_str);
	if (t->cap > 0)
		memset(t->slot, 0, t->cap * sizeof(*t->slot));
	for (k = 0; k < n; k++)
		if (tab_add(t, names, k + 1) != 0)
			return AM_ENOMEM;
	return 0;
}

/* Keep the levels of 'c' seen at least 'min' times, sorted. */
static int
finish_levels(struct col *c, unsigned long min)
{
	size_t k, kept = 0;

	for (k = 0; k < c->nlev; k++) {
		if (min > 1 && c->cnt[k] < min) {
			free(c->lev[k]);
			c->other = 1;
			continue;
		}
		c->lev[kept++] = c->lev[k];
	}
	c->nlev = kept;
	free(c->cnt);
	c->cnt = NULL;
	return sort_names(c->lev, c->nlev, &c->tab);
}

static int
fit_stats(struct am_feat *f, struct am_err *err)
{
	size_t pos = 0, i, ccap = 0;
	unsigned long long r;
	double x, d;

	for (r = 0; r < f->nfit; r++) {
		for (i = 0; i < f->nid; i++)
			pos = arena_get(f, pos, &f->cells[0]);
		if (f->tin >= 0) {
			pos = arena_get(f, pos, &f->cells[0]);
			if (f->tkind == 2 && !f->cells[0].missing &&
			    count_level(&f->classes, &f->nclass, &ccap, NULL,
			        &f->ctab, &f->cells[0]) != 0)
				goto nomem;
		}
		for (i = 0; i < f->ncol; i++) {
			struct col *c = &f->col[i];
			pos = arena_get(f, pos, &f->cells[0]);
			if (f->cells[0].missing)
				continue;
			if (c->numeric) {
				(void)am_parse_number(f->cells[0].s,
				    f->cells[0].len, &x);
				c->n++;
				d = x - c->mean;
				c->mean += d / (double)c->n;
				c->m2 += d * (x - c->mean);
			} else if (count_level(&c->lev, &c->nlev, &c->levcap,
			               &c->cnt, &c->tab, &f->cells[0]) != 0)
				goto nomem;
		}
	}
	for (i = 0; i < f->ncol; i++) {
		struct col *c = &f->col[i];
		if (c->numeric) {
			c->std = c->n > 0 ? sqrt(c->m2 / (double)c->n) : 0;
			if (!(c->std > 0) || !isfinite(c->std))
				c->std = 1;
		} else if (finish_levels(c, f->min_freq) != 0)
			goto nomem;
	}
	if (f->tkind == 2 && sort_names(f->classes, f->nclass, &f->ctab) != 0)
		goto nomem;
	return 0;
nomem:
	return am_seterr(err, AM_ENOMEM, "out of memory");
}

struct am_feat *
am_feat_fit(struct am_csv_reader *in, const struct am_feat_opts *o,
    struct am_err *err)
{
	struct am_feat *f;

	if ((f = calloc(1, sizeof(*f))) == NULL) {
		am_seterr(err, AM_ENOMEM, "out of memory");
		return NULL;
	}
	f->min_freq = o->min_freq;
	f->inname = am_csv_name(in);
	if (setup_columns(f, in, o, err) != 0)
		goto fail;
	/* a scratch cell for the statistics pass */
	if ((f->cells = calloc(1, sizeof(*f->cells))) == NULL) {
		am_seterr(err, AM_ENOMEM, "out of memory");
		goto fail;
	}
	if (read_rows(f, in, err) != 0 || fit_stats(f, err) != 0)
		goto fail;
	free(f->cells);
	f->cells = NULL;
	if (build_schema(f, err) != 0)
		goto fail;
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
	for (r = 0; in != NULL || r < f->nfit; r++) {
		if (in == NULL) { /* the fitted rows */
			for (i = 0; i < f->nid + 1 + f->ncol; i++) {
				if (i == f->nid && f->tin < 0)
					continue;
				pos = arena_get(f, pos, &f->cells[i]);
			}
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
	return f->col[i].numeric;
}

void
am_feat_col_scale(const struct am_feat *f, size_t i, double *mean, double *std)
{
	*mean = f->col[i].mean;
	*std = f->col[i].std;
}

/* The artifact. */

int
am_feat_save(const struct am_feat *f, struct am_art *a)
{
	struct am_buf b = AM_BUF_INIT;
	size_t i, k;
	int rc = 0;

	for (i = 0; i < f->nid; i++)
		rc |= am_art_add_col(a, f->id[i], AM_COL_TEXT);
	for (i = 0; i < f->ncol; i++)
		rc |= am_art_add_col(a, f->col[i].name,
		    f->col[i].numeric ? AM_COL_NUMBER : AM_COL_CATEGORY);
	if (f->target != NULL) {
		rc |= am_art_set(a, "target", f->target);
		rc |= am_art_set(a, "target.type",
		    f->tkind == 2 ? "category" : "number");
		if (f->tkind == 2)
			rc |=
			    am_art_setf(a, "target.classes", "%zu", f->nclass);
	}
	rc |= am_art_setf(a, "hyper.min_freq", "%lu", f->min_freq);
	if (f->drop != NULL)
		rc |= am_art_set(a, "hyper.drop", f->drop);
	rc |= am_art_setf(a, "features.in", "%zu", f->ncol);
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
	for (i = 0; i < f->ncol; i++) {
		const struct col *c = &f->col[i];
		am_buf_str(&b, c->name);
		am_buf_u8(&b, c->numeric ? 0 : 1);
		if (c->numeric) {
			am_buf_f64(&b, c->mean);
			am_buf_f64(&b, c->std);
			continue;
		}
		am_buf_u8(&b, (uint8_t)c->other);
		am_buf_u32(&b, (uint32_t)c->nlev);
		for (k = 0; k < c->nlev; k++)
			am_buf_str(&b, c->lev[k]);
	}
	rc |= am_art_add_buf(a, "xform", &b);
	am_buf_release(&b);
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

static int
decode(struct am_feat *f, const void *data, size_t len)
{
	struct am_rd rd;
	uint32_t n, i, k;
	int rc;

	am_rd_init(&rd, data, len);
	if (am_rd_u32(&rd) != XFORM_VERSION)
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
			if (tab_add(&f->ctab, f->classes, i + 1) != 0)
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
		struct col *c = &f->col[i];
		f->ncol = i + 1;
		if ((c->name = am_rd_str(&rd, AM_FS_MAX_NAME)) == NULL)
			return AM_EFORMAT;
		k = am_rd_u8(&rd);
		if (k > 1)
			return AM_EFORMAT;
		c->numeric = k == 0;
		if (c->numeric) {
			c->mean = am_rd_f64(&rd);
			c->std = am_rd_f64(&rd);
			if (!isfinite(c->mean) || !isfinite(c->std) ||
			    !(c->std > 0))
				return AM_EFORMAT;
			continue;
		}
		c->other = am_rd_u8(&rd);
		if (c->other > 1)
			return AM_EFORMAT;
		if ((rc = rd_names(&rd, &c->lev, &c->nlev, am_rd_u32(&rd))) !=
		    0)
			return rc;
		for (k = 0; k < c->nlev; k++) {
			if (k > 0 && strcmp(c->lev[k - 1], c->lev[k]) >= 0)
				return AM_EFORMAT;
			if (tab_add(&c->tab, c->lev, k + 1) != 0)
				return AM_ENOMEM;
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
	if ((rc = decode(f, data, len)) != 0) {
		if (rc == AM_ENOMEM)
			am_seterr(err, AM_ENOMEM, "out of memory");
		else
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
