/* SPDX-License-Identifier: MIT */
/*
 * am_merge.c -- merging shard-trained artifacts (see am_merge.h): the
 * dispatch by kind, the weights and the lineage; the algorithms
 * themselves are the models' ops->merge.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "am_merge.h"
#include "am_model.h"
#include "am_rec.h"

#include "am_banned.h"

static struct am_art *
merge_models(struct am_art *const *in, size_t n, double *w, struct am_err *err)
{
	struct am_model **src, *m = NULL;
	struct am_art *out = NULL;
	char name[32];
	size_t i;

	if ((src = calloc(n, sizeof(*src))) == NULL) {
		am_seterr(err, AM_ENOMEM, "out of memory");
		return NULL;
	}
	for (i = 0; i < n; i++) {
		(void)snprintf(name, sizeof(name), "model %zu", i + 1);
		if ((src[i] = am_model_load(in[i], name, err)) == NULL)
			goto out;
	}
	if ((m = am_model_merge((const struct am_model *const *)src, w, n,
	         err)) == NULL)
		goto out;
	if ((out = am_art_new("model", am_art_algo(in[0]))) == NULL) {
		am_seterr(err, AM_ENOMEM, "out of memory");
		goto out;
	}
	if (am_model_save(m, out, err) != 0) {
		am_art_free(out);
		out = NULL;
	}
out:
	am_model_free(m);
	for (i = 0; i < n; i++)
		am_model_free(src[i]);
	free(src);
	return out;
}

struct am_art *
am_merge(struct am_art *const *in, size_t n, const char *cmdline,
    struct am_err *err)
{
	const char *kind;
	struct am_art *out = NULL;
	double *w, rows = 0;
	size_t i;

	if (n < 2) {
		am_seterr(err, AM_EARG, "merge needs two artifacts or more");
		return NULL;
	}
	kind = am_art_kind(in[0]);
	for (i = 1; i < n; i++)
		if (strcmp(am_art_kind(in[i]), kind) != 0 ||
		    strcmp(am_art_algo(in[i]), am_art_algo(in[0])) != 0) {
			am_seterr(err, AM_EMODEL,
			    "artifact %zu is '%s %s', artifact 1 is '%s %s': "
			    "cannot merge",
			    i + 1, am_art_kind(in[i]), am_art_algo(in[i]), kind,
			    am_art_algo(in[0]));
			return NULL;
		}
	if ((w = malloc(n * sizeof(*w))) == NULL) {
		am_seterr(err, AM_ENOMEM, "out of memory");
		return NULL;
	}
	for (i = 0; i < n; i++)
		rows += w[i] =
		    am_art_get_num(in[i], "lineage.input.rows", 1, 1e18, 1);
	if (strcmp(kind, "model") == 0)
		out = merge_models(in, n, w, err);
	else if (strcmp(kind, "recommender") == 0)
		out = am_rec_merge_art(in, n, err);
	else
		am_seterr(err, AM_EARG, "'%s' artifacts cannot be merged",
		    kind);
	free(w);
	if (out == NULL)
		return NULL;
	if (am_art_lineage(out, cmdline, NULL, NULL, (unsigned long long)rows,
	        am_art_seed(in[0], 1)) != 0)
		goto nomem;
	for (i = 0; i < n; i++)
		if (am_art_add_parent(out, in[i]) != 0)
			goto nomem;
	return out;
nomem:
	am_seterr(err, AM_ENOMEM, "out of memory");
	am_art_free(out);
	return NULL;
}
