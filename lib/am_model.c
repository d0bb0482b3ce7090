/* SPDX-License-Identifier: MIT */
/*
 * am_model.c -- the algorithm table, the common part of model artifacts,
 * and the binding of input features to model features (see am_model.h).
 *
 * The binding by name uses an open-addressing hash table of the model's
 * feature names (am_hash64), built once per input stream: predicting a
 * row then costs one array lookup per nonzero value.
 */
#include <stdlib.h>
#include <string.h>

#include "am_gmm.h"
#include "am_kmeans.h"
#include "am_linreg.h"
#include "am_logreg.h"
#include "am_mlp.h"
#include "am_model.h"
#include "am_rand.h"
#include "am_rf.h"
#include "am_strtab.h"
#include "am_svm.h"

#include "am_banned.h"

#define SCHEMA_VERSION 1
#define MAX_NAME       65536
#define NONE           UINT32_MAX

struct am_model {
	const struct am_model_ops *ops;
	void *state;
	struct am_fs_schema schema;
	size_t pos;
	int format;
};

static const struct am_model_ops *const algos[] = {
	&am_logreg_ops,
	&am_linreg_ops,
	&am_svm_ops,
	&am_rf_ops,
	&am_mlp_ops,
	&am_gmm_ops,
	&am_kmeans_ops,
};

const struct am_model_ops *
am_model_ops_byname(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(algos) / sizeof(algos[0]); i++)
		if (strcmp(algos[i]->name, name) == 0)
			return algos[i];
	return NULL;
}

const char *
am_model_algos(void)
{
	return "logreg,linreg,svm,rf,mlp,gmm,kmeans";
}

const struct am_model_ops *
am_model_ops(const struct am_model *m)
{
	return m->ops;
}

const struct am_fs_schema *
am_model_schema(const struct am_model *m)
{
	return &m->schema;
}

size_t
am_model_nfeat(const struct am_model *m)
{
	return m->schema.nfeat;
}

size_t
am_model_positive(const struct am_model *m)
{
	return m->pos;
}

int
am_model_format(const struct am_model *m)
{
	return m->format;
}

int
am_model_is_classifier(const struct am_model *m)
{
	return m->schema.nclass > 0;
}

size_t
am_model_nout(const struct am_model *m)
{
	if (m->ops->nout != NULL)
		return m->ops->nout(m);
	return m->schema.nclass > 2 ? m->schema.nclass : 1;
}

size_t
am_model_label(const struct am_model *m, const double *out)
{
	size_t k, best = 0;

	if (m->schema.nclass <= 2)
		return out[0] >= 0.5 ? m->pos : 1 - m->pos;
	for (k = 1; k < m->schema.nclass; k++)
		if (out[k] > out[best])
			best = k;
	return best;
}

void
am_model_set_state(struct am_model *m, void *state)
{
	m->state = state;
}

void *
am_model_state(const struct am_model *m)
{
	return m->state;
}

void
am_model_free(struct am_model *m)
{
	if (m == NULL)
		return;
	if (m->state != NULL && m->ops != NULL)
		m->ops->free(m->state);
	am_fs_schema_release(&m->schema);
	free(m);
}

static long
class_index(const struct am_fs_schema *s, const char *name)
{
	size_t k;

	for (k = 0; k < s->nclass; k++)
		if (strcmp(s->classes[k], name) == 0)
			return (long)k;
	return -1;
}

int
am_model_class_costs(const struct am_model *m, const struct am_table *t,
    const struct am_model_params *p, double *cost, struct am_err *err)
{
	size_t k, nc = m->schema.nclass, *count;
	long c;

	if ((count = calloc(nc > 0 ? nc : 1, sizeof(*count))) == NULL)
		return am_seterr(err, AM_ENOMEM, "out of memory");
	am_table_class_counts(t, count);
	for (k = 0; k < nc; k++)
		cost[k] = p->balanced && count[k] > 0
		    ? (double)t->rows / ((double)nc * (double)count[k])
		    : 1.0;
	free(count);
	for (k = 0; k < p->ncw; k++) {
		if ((c = class_index(&m->schema, p->cw_label[k])) < 0)
			return am_seterr(err, AM_EARG,
			    "--class-weight: no class '%s' in target '%s'",
			    p->cw_label[k], m->schema.target);
		cost[c] = p->cw[k];
	}
	return 0;
}

struct am_model *
am_model_fit(const struct am_model_ops *ops, const struct am_table *t,
    const struct am_model_params *p, struct am_err *err)
{
	struct am_model *m;
	const char *tname = t->schema.target ? t->schema.target : "";
	double *cost = NULL;
	long pos;

	if ((m = calloc(1, sizeof(*m))) == NULL) {
		am_seterr(err, AM_ENOMEM, "out of memory");
		return NULL;
	}
	m->ops = ops;
	m->format = t->format;
	if (am_fs_schema_copy(&m->schema, &t->schema) != 0) {
		am_seterr(err, AM_ENOMEM, "out of memory");
		goto fail;
	}
	if (!ops->classifier && t->schema.nclass > 0) {
		am_seterr(err, AM_EARG,
		    "%s: target '%s' is categorical; %s needs a numeric target",
		    t->input, tname, ops->name);
		goto fail;
	}
	if (ops->classifier && (!ops->regressor || t->schema.nclass > 0)) {
		size_t nc = t->schema.nclass;
		if (nc < 2 || nc > ops->maxclass) {
			am_seterr(err, AM_EARG,
			    "%s: target '%s' has %zu class%s; %s needs %s%zu",
			    t->input, tname, nc, nc == 1 ? "" : "es", ops->name,
			    ops->maxclass > 2 ? "2 to " : "", ops->maxclass);
			goto fail;
		}
		pos = (long)nc - 1;
		if (p->pos != NULL &&
		    (pos = class_index(&t->schema, p->pos)) < 0) {
			am_seterr(err, AM_EARG,
			    "--pos: no class '%s' in target '%s'", p->pos,
			    tname);
			goto fail;
		}
		m->pos = (size_t)pos;
		/* Check the class weights now, for every algorithm. */
		if ((cost = malloc(nc * sizeof(*cost))) == NULL) {
			am_seterr(err, AM_ENOMEM, "out of memory");
			goto fail;
		}
		if (am_model_class_costs(m, t, p, cost, err) != 0)
			goto fail;
		free(cost);
		cost = NULL;
	}
	if (ops->fit(m, t, p, err) != 0)
		goto fail;
	return m;
fail:
	free(cost);
	am_model_free(m);
	return NULL;
}

/* Strings equal, NULL equal only to NULL. */
static int
same_str(const char *a, const char *b)
{
	return a == NULL || b == NULL ? a == b : strcmp(a, b) == 0;
}

/* Sort the entries of one CSR row by index (rows are short). */
static void
sort_row(uint32_t *idx, double *val, size_t n)
{
	size_t i, j;

	for (i = 1; i < n; i++) {
		uint32_t k = idx[i];
		double v = val[i];
		for (j = i; j > 0 && idx[j - 1] > k; j--) {
			idx[j] = idx[j - 1];
			val[j] = val[j - 1];
		}
		idx[j] = k;
		val[j] = v;
	}
}

/* Renumber t's features as the model's (see am_model_update()). */
static int
map_features(const struct am_model *m, struct am_table *t, struct am_err *err)
{
	const struct am_fs_schema *ms = &m->schema, *ts = &t->schema;
	struct am_strindex x = { 0 };
	uint32_t *map = NULL;
	unsigned char *seen = NULL;
	size_t j, r, moved = 0;
	int rc = AM_ENOMEM;
	long k;

	map = calloc(ts->nfeat + 1, sizeof(*map));
	seen = calloc(ms->nfeat + 1, 1);
	if (map == NULL || seen == NULL) {
		am_seterr(err, rc, "out of memory");
		goto out;
	}
	for (j = 0; j < ms->nfeat; j++)
		if (am_strindex_add(&x, ms->feat, j + 1) != 0) {
			am_seterr(err, rc, "out of memory");
			goto out;
		}
	for (j = 0; j < ts->nfeat; j++) {
		k = am_strindex_find(&x, ms->feat, ts->feat[j],
		    strlen(ts->feat[j]));
		if (k < 0 || seen[k]) {
			rc = am_seterr(err, AM_EMODEL,
			    "%s: feature '%s' is not in the model (replay the "
			    "model's am-features artifact)",
			    t->input, ts->feat[j]);
			goto out;
		}
		seen[k] = 1;
		map[j] = (uint32_t)k;
		moved += map[j] != j;
	}
	for (j = 0; j < ms->nfeat; j++)
		if (!seen[j]) {
			rc = am_seterr(err, AM_EMODEL,
			    "feature '%s' of the model is missing from %s",
			    ms->feat[j], t->input);
			goto out;
		}
	if (moved > 0) {
		for (j = 0; j < t->x.nnz; j++)
			t->x.idx[j] = map[t->x.idx[j]];
		for (r = 0; r < t->x.rows; r++)
			sort_row(t->x.idx + t->x.ptr[r], t->x.val + t->x.ptr[r],
			    t->x.ptr[r + 1] - t->x.ptr[r]);
	}
	t->x.cols = ms->nfeat;
	rc = 0;
out:
	free(map);
	free(seen);
	am_strindex_release(&x);
	return rc;
}

/* Renumber t's classes as the model's (see am_model_update()). */
static int
map_classes(const struct am_model *m, struct am_table *t, struct am_err *err)
{
	const struct am_fs_schema *ms = &m->schema, *ts = &t->schema;
	long *map;
	size_t k, r;

	if (ms->nclass == 0) {
		if (ts->nclass > 0)
			return am_seterr(err, AM_EMODEL,
			    "%s: target '%s' is categorical; the model is a "
			    "regressor",
			    t->input, ts->target);
		return 0;
	}
	if (ts->nclass == 0)
		return am_seterr(err, AM_EMODEL,
		    "%s: target '%s' is numeric; the model is a classifier",
		    t->input, ts->target);
	if ((map = calloc(ts->nclass, sizeof(*map))) == NULL)
		return am_seterr(err, AM_ENOMEM, "out of memory");
	for (k = 0; k < ts->nclass; k++)
		if ((map[k] = class_index(ms, ts->classes[k])) < 0) {
			am_seterr(err, AM_EMODEL,
			    "%s: class '%s' is not in the model", t->input,
			    ts->classes[k]);
			free(map);
			return AM_EMODEL;
		}
	for (r = 0; r < t->rows; r++)
		t->y[r] = (double)map[(size_t)t->y[r]];
	free(map);
	return 0;
}

int
am_model_update(struct am_model *m, struct am_table *t,
    const struct am_model_params *p, struct am_err *err)
{
	struct am_fs_schema s;
	int rc;

	if (!same_str(m->schema.target, t->schema.target))
		return am_seterr(err, AM_EMODEL,
		    "%s: target '%s' is not the model's target '%s'", t->input,
		    t->schema.target ? t->schema.target : "(none)",
		    m->schema.target ? m->schema.target : "(none)");
	if ((rc = map_features(m, t, err)) != 0 ||
	    (rc = map_classes(m, t, err)) != 0)
		return rc;
	/* The table now speaks the model's schema: give it a copy. */
	if (am_fs_schema_copy(&s, &m->schema) != 0)
		return am_seterr(err, AM_ENOMEM, "out of memory");
	am_fs_schema_release(&t->schema);
	t->schema = s;
	if (m->ops->update == NULL)
		return am_seterr(err, AM_EARG, "%s models cannot be updated",
		    m->ops->name);
	return m->ops->update(m, t, p, err);
}

/* Whether schemas 'a' and 'b' agree; else AM_EMODEL naming shard 'i'. */
static int
same_schema(const struct am_model *a, const struct am_model *b, size_t i,
    struct am_err *err)
{
	const struct am_fs_schema *x = &a->schema, *y = &b->schema;
	size_t j;

	if (x->nfeat != y->nfeat)
		return am_seterr(err, AM_EMODEL,
		    "model %zu has %zu features, model 1 has %zu", i + 1,
		    y->nfeat, x->nfeat);
	for (j = 0; j < x->nfeat; j++)
		if (strcmp(x->feat[j], y->feat[j]) != 0)
			return am_seterr(err, AM_EMODEL,
			    "model %zu has another schema: feature %zu is "
			    "'%s', not '%s'",
			    i + 1, j + 1, y->feat[j], x->feat[j]);
	if (!same_str(x->target, y->target) || x->nclass != y->nclass ||
	    a->pos != b->pos)
		return am_seterr(err, AM_EMODEL,
		    "model %zu has another target or classes", i + 1);
	for (j = 0; j < x->nclass; j++)
		if (strcmp(x->classes[j], y->classes[j]) != 0)
			return am_seterr(err, AM_EMODEL,
			    "model %zu has another class '%s'", i + 1,
			    y->classes[j]);
	return 0;
}

struct am_model *
am_model_merge(const struct am_model *const *src, const double *w, size_t n,
    struct am_err *err)
{
	const struct am_model_ops *ops;
	struct am_model *m;
	size_t i;

	if (n == 0) {
		am_seterr(err, AM_EARG, "no models to merge");
		return NULL;
	}
	ops = src[0]->ops;
	if (ops->merge == NULL) {
		am_seterr(err, AM_EARG, "%s models cannot be merged",
		    ops->name);
		return NULL;
	}
	for (i = 1; i < n; i++) {
		if (src[i]->ops != ops) {
			am_seterr(err, AM_EMODEL,
			    "model %zu is %s, model 1 is %s: cannot merge",
			    i + 1, src[i]->ops->name, ops->name);
			return NULL;
		}
		if (same_schema(src[0], src[i], i, err) != 0)
			return NULL;
	}
	for (i = 0; i < n; i++)
		if (!(w[i] > 0)) {
			am_seterr(err, AM_EARG,
			    "model %zu: weight %g is not positive", i + 1,
			    w[i]);
			return NULL;
		}
	if ((m = calloc(1, sizeof(*m))) == NULL ||
	    am_fs_schema_copy(&m->schema, &src[0]->schema) != 0) {
		free(m);
		am_seterr(err, AM_ENOMEM, "out of memory");
		return NULL;
	}
	m->ops = ops;
	m->pos = src[0]->pos;
	m->format = src[0]->format;
	if (ops->merge(m, src, w, n, err) != 0) {
		am_model_free(m);
		return NULL;
	}
	return m;
}

static void
put_opt_str(struct am_buf *b, const char *s)
{
	am_buf_u8(b, s != NULL);
	if (s != NULL)
		am_buf_str(b, s);
}

static void
put_strs(struct am_buf *b, char *const *v, size_t n)
{
	size_t i;

	am_buf_u32(b, (uint32_t)n);
	for (i = 0; i < n; i++)
		am_buf_str(b, v[i]);
}

int
am_model_save(const struct am_model *m, struct am_art *a, struct am_err *err)
{
	const struct am_fs_schema *s = &m->schema;
	struct am_buf b = AM_BUF_INIT, cl = AM_BUF_INIT;
	size_t i;
	int rc = 0;

	for (i = 0; i < s->nfeat && rc == 0; i++)
		rc = am_art_add_col(a, s->feat[i], AM_COL_NUMBER);
	if (rc == 0 && s->target != NULL)
		rc = am_art_set(a, "model.target", s->target);
	if (rc == 0 && s->nclass > 0) {
		for (i = 0; i < s->nclass; i++) {
			if (i > 0)
				am_buf_put(&cl, ",", 1);
			am_buf_put(&cl, s->classes[i], strlen(s->classes[i]));
		}
		am_buf_put(&cl, "", 1);
		rc = am_buf_error(&cl)
		    ? AM_ENOMEM
		    : am_art_set(a, "model.classes", (const char *)cl.data);
		if (rc == 0)
			rc =
			    am_art_set(a, "model.positive", s->classes[m->pos]);
	}
	am_buf_u32(&b, SCHEMA_VERSION);
	put_opt_str(&b, s->target);
	put_strs(&b, s->classes, s->nclass);
	put_strs(&b, s->id, s->nid);
	put_opt_str(&b, s->weight);
	am_buf_u32(&b, (uint32_t)m->pos);
	am_buf_u32(&b, (uint32_t)m->format);
	if (rc == 0)
		rc = am_art_add_buf(a, "schema", &b);
	if (rc == 0)
		rc = m->ops->save(m, a, err);
	else
		am_seterr(err, rc, "out of memory");
	am_buf_release(&b);
	am_buf_release(&cl);
	return rc;
}

/* A count of strings, each at least 4 bytes on disk: checked first. */
static int
get_strs(struct am_rd *r, char ***out, size_t *n)
{
	size_t i, k = am_rd_u32(r);

	*n = 0;
	*out = NULL;
	if (am_rd_error(r) || k > am_rd_left(r) / 4)
		return -1;
	if ((*out = calloc(k > 0 ? k : 1, sizeof(char *))) == NULL)
		return -1;
	*n = k;
	for (i = 0; i < k; i++)
		if (((*out)[i] = am_rd_str(r, MAX_NAME)) == NULL)
			return -1;
	return 0;
}

static int
get_opt_str(struct am_rd *r, char **out)
{
	*out = NULL;
	if (am_rd_u8(r) == 0)
		return am_rd_error(r) ? -1 : 0;
	return (*out = am_rd_str(r, MAX_NAME)) == NULL ? -1 : 0;
}

struct am_model *
am_model_load(const struct am_art *a, const char *name, struct am_err *err)
{
	struct am_model *m;
	struct am_fs_schema *s;
	const void *sec;
	struct am_rd r;
	size_t len, i;
	uint32_t ver, fmt;

	if (strcmp(am_art_kind(a), "model") != 0) {
		am_seterr(err, AM_EMODEL,
		    "%s: is a '%s' artifact, expected 'model'", name,
		    am_art_kind(a));
		return NULL;
	}
	if ((m = calloc(1, sizeof(*m))) == NULL) {
		am_seterr(err, AM_ENOMEM, "out of memory");
		return NULL;
	}
	s = &m->schema;
	if ((m->ops = am_model_ops_byname(am_art_algo(a))) == NULL) {
		am_seterr(err, AM_EMODEL,
		    "%s: unknown algorithm '%s' (this am knows %s)", name,
		    am_art_algo(a), am_model_algos());
		goto fail;
	}
	if ((sec = am_art_section(a, "schema", &len)) == NULL) {
		am_seterr(err, AM_EFORMAT, "%s: no 'schema' section", name);
		goto fail;
	}
	s->nfeat = am_art_ncols(a);
	if ((s->feat = calloc(s->nfeat + 1, sizeof(char *))) == NULL)
		goto nomem;
	for (i = 0; i < s->nfeat; i++)
		if ((s->feat[i] = strdup(am_art_col_name(a, i))) == NULL)
			goto nomem;
	am_rd_init(&r, sec, len);
	ver = am_rd_u32(&r);
	if (!am_rd_error(&r) && ver != SCHEMA_VERSION) {
		am_seterr(err, AM_EMODEL,
		    "%s: model schema version %u is not supported (1)", name,
		    (unsigned)ver);
		goto fail;
	}
	if (get_opt_str(&r, &s->target) != 0 ||
	    get_strs(&r, &s->classes, &s->nclass) != 0 ||
	    get_strs(&r, &s->id, &s->nid) != 0 ||
	    get_opt_str(&r, &s->weight) != 0)
		goto bad;
	m->pos = am_rd_u32(&r);
	fmt = am_rd_u32(&r);
	if (am_rd_error(&r) || am_rd_left(&r) != 0 ||
	    (s->nclass > 0 && m->pos >= s->nclass) ||
	    (s->nclass == 0 && m->pos != 0) || fmt > AM_FS_LIBSVM ||
	    (m->ops->classifier && (!m->ops->regressor || s->nclass > 0) &&
	        (s->nclass < 2 || s->nclass > m->ops->maxclass)) ||
	    (!m->ops->classifier && s->nclass > 0))
		goto bad;
	m->format = (int)fmt;
	if (m->ops->load(m, a, err) != 0)
		goto fail;
	return m;
bad:
	am_seterr(err, AM_EFORMAT, "%s: malformed 'schema' section", name);
	goto fail;
nomem:
	am_seterr(err, AM_ENOMEM, "out of memory");
fail:
	am_model_free(m);
	return NULL;
}

struct am_model_bind {
	int positional;
	size_t nmodel; /* model features */
	uint32_t *map; /* input feature -> model feature or NONE */
	size_t nin, unused;
	uint32_t *idx; /* scratch row */
	double *val;
	size_t cap;
};

void
am_model_bind_free(struct am_model_bind *b)
{
	if (b == NULL)
		return;
	free(b->map);
	free(b->idx);
	free(b->val);
	free(b);
}

size_t
am_model_bind_unused(const struct am_model_bind *b)
{
	return b->unused;
}

/* Fill b->map by name; 0, AM_EMODEL or AM_ENOMEM. */
static int
bind_names(struct am_model_bind *b, const struct am_fs_schema *ms,
    const struct am_fs_schema *in, struct am_err *err)
{
	struct am_strindex x = { 0 };
	unsigned char *seen = NULL;
	size_t i;
	long k;
	int rc = 0;

	seen = calloc(ms->nfeat + 1, 1);
	b->map = malloc((in->nfeat + 1) * sizeof(*b->map));
	if (seen == NULL || b->map == NULL) {
		rc = am_seterr(err, AM_ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < ms->nfeat; i++)
		if (am_strindex_add(&x, ms->feat, i + 1) != 0) {
			rc = am_seterr(err, AM_ENOMEM, "out of memory");
			goto out;
		}
	/* A duplicate model name is found, and bound, through its first. */
	b->nin = in->nfeat;
	for (i = 0; i < in->nfeat; i++) {
		b->map[i] = NONE;
		k = am_strindex_find(&x, ms->feat, in->feat[i],
		    strlen(in->feat[i]));
		if (k >= 0 && !seen[k])
			b->map[i] = (uint32_t)k;
		if (k >= 0)
			seen[k] = 1;
		b->unused += b->map[i] == NONE;
	}
	for (i = 0; i < ms->nfeat; i++) {
		k = am_strindex_find(&x, ms->feat, ms->feat[i],
		    strlen(ms->feat[i]));
		if (!seen[k]) {
			rc = am_seterr(err, AM_EMODEL,
			    "feature '%s' of the model is missing from the input",
			    ms->feat[i]);
			goto out;
		}
	}
out:
	am_strindex_release(&x);
	free(seen);
	return rc;
}

struct am_model_bind *
am_model_bind(const struct am_model *m, const struct am_fs_schema *in,
    int format, struct am_err *err)
{
	struct am_model_bind *b;

	if ((b = calloc(1, sizeof(*b))) == NULL) {
		am_seterr(err, AM_ENOMEM, "out of memory");
		return NULL;
	}
	b->nmodel = m->schema.nfeat;
	b->positional = format == AM_FS_LIBSVM;
	if (!b->positional && bind_names(b, &m->schema, in, err) != 0) {
		am_model_bind_free(b);
		return NULL;
	}
	return b;
}

/* Room for 'nnz' entries in the scratch row of 'b'. */
static int
grow(struct am_model_bind *b, size_t nnz)
{
	size_t cap;
	uint32_t *ni;
	double *nv;

	if (nnz <= b->cap)
		return 0;
	cap = nnz + nnz / 2 + 16;
	if ((ni = realloc(b->idx, cap * sizeof(*ni))) == NULL)
		return AM_ENOMEM;
	b->idx = ni;
	if ((nv = realloc(b->val, cap * sizeof(*nv))) == NULL)
		return AM_ENOMEM;
	b->val = nv;
	b->cap = cap;
	return 0;
}

/* Map a row into the scratch row of 'b'; the count of entries kept. */
static size_t
map_row(struct am_model_bind *b, size_t nnz, const uint32_t *idx,
    const double *val)
{
	size_t k, n = 0;

	for (k = 0; k < nnz; k++) {
		uint32_t j = idx[k];
		if (b->positional) {
			if (j >= b->nmodel)
				continue;
		} else {
			if (j >= b->nin || (j = b->map[j]) == NONE)
				continue;
		}
		b->idx[n] = j;
		b->val[n++] = val[k];
	}
	return n;
}

int
am_model_predict(const struct am_model *m, struct am_model_bind *b, size_t nnz,
    const uint32_t *idx, const double *val, double *out)
{
	size_t n;

	if (grow(b, nnz) != 0)
		return AM_ENOMEM;
	n = map_row(b, nnz, idx, val);
	m->ops->predict(m, n, b->idx, b->val, out);
	return 0;
}

struct am_model_bind *
am_model_bind_dup(const struct am_model_bind *b, struct am_err *err)
{
	struct am_model_bind *d;

	if ((d = calloc(1, sizeof(*d))) == NULL)
		goto nomem;
	*d = *b;
	d->map = NULL;
	d->idx = NULL;
	d->val = NULL;
	d->cap = 0;
	if (b->map != NULL) {
		if ((d->map = malloc((b->nin + 1) * sizeof(*d->map))) == NULL)
			goto nomem;
		memcpy(d->map, b->map, b->nin * sizeof(*d->map));
	}
	return d;
nomem:
	am_model_bind_free(d);
	am_seterr(err, AM_ENOMEM, "out of memory");
	return NULL;
}

int
am_model_explain(const struct am_model *m, struct am_model_bind *b, size_t nnz,
    const uint32_t *idx, const double *val, size_t cls, double *contrib)
{
	size_t n;

	if (m->ops->explain == NULL)
		return AM_EMODEL;
	if (grow(b, nnz) != 0)
		return AM_ENOMEM;
	n = map_row(b, nnz, idx, val);
	return m->ops->explain(m, n, b->idx, b->val, cls, contrib);
}
