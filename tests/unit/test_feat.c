/* SPDX-License-Identifier: MIT */
/*
 * test_feat.c -- the scale+onehot transform: statistics against a hand
 * calculation, fit output equal to the replay of a saved and reloaded
 * transform, and refusal of wrong or damaged artifacts.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "am_art.h"
#include "am_buf.h"
#include "am_feat.h"
#include "unit.h"

static const char *table = "id,x,c,y\n"
                           "a,1,red,no\n"
                           "b,2,blue,yes\n"
                           "c,,red,no\n"
                           "d,6,green,yes\n";

struct run {
	struct am_src *src;
	struct am_csv_reader *in;
	char *out;
	size_t n;
	FILE *fp;
};

static int
run_open(struct run *r, const char *text)
{
	struct am_err err = { 0 };

	memset(r, 0, sizeof(*r));
	r->src =
	    am_src_fdopen(fmemopen((void *)(uintptr_t)text, strlen(text), "rb"),
	        "t.csv", &err);
	if (r->src == NULL || (r->in = am_csv_open(r->src, NULL, &err)) == NULL)
		return -1;
	r->fp = open_memstream(&r->out, &r->n);
	return 0;
}

static void
run_close(struct run *r)
{
	am_csv_close(r->in);
	am_src_close(r->src);
	if (r->fp != NULL)
		(void)fclose(r->fp);
}

int
main(void)
{
	const char *ids[] = { "id" };
	struct am_feat_opts o = AM_FEAT_OPTS_INIT;
	struct am_err err = { 0 };
	struct am_feat *f, *g;
	struct am_art *a, *b, *bad;
	struct am_buf enc = AM_BUF_INIT;
	struct run fit, rep;
	const struct am_fs_schema *s;
	const void *sec;
	size_t len;
	double mean, std, hm = 3, hs = sqrt((4.0 + 1 + 9) / 3);

	o.target = "y";
	o.ids = ids;
	o.nid = 1;
	CHECK(run_open(&fit, table) == 0);
	f = am_feat_fit(fit.in, &o, &err);
	CHECK(f != NULL);
	if (f == NULL)
		return unit_failures;
	CHECK(am_feat_ncols(f) == 2 && am_feat_col_numeric(f, 0) &&
	    !am_feat_col_numeric(f, 1));
	am_feat_col_scale(f, 0, &mean, &std);
	CHECK_NEAR(mean, hm, 1e-15);
	CHECK_NEAR(std, hs, 1e-15);
	s = am_feat_schema(f);
	CHECK(s->nfeat == 4 && strcmp(s->feat[1], "c=blue") == 0 &&
	    strcmp(s->feat[3], "c=red") == 0);
	CHECK(s->nclass == 2 && strcmp(s->classes[1], "yes") == 0);
	CHECK(am_feat_write_fitted(f,
	          &(struct am_feat_out){ fit.fp, AM_FS_CSV, 0 }, &err) == 0);
	(void)fflush(fit.fp);
	CHECK(fit.out != NULL &&
	    strncmp(fit.out, "id,y,x,c=blue,c=green,c=red\na,no,", 33) == 0);
	CHECK(am_feat_rows(f) == 4);

	/* save, encode, decode, load, replay: the same bytes */
	a = am_art_new(AM_FEAT_KIND, AM_FEAT_ALGO);
	CHECK(am_feat_save(f, a) == 0);
	CHECK(am_art_encode(a, &enc) == 0);
	b = am_art_decode(enc.data, enc.len, "t.amm", AM_FEAT_KIND, &err);
	CHECK(b != NULL);
	g = b ? am_feat_load(b, "t.amm", &err) : NULL;
	CHECK(g != NULL);
	CHECK(am_art_ncols(b) == 3 && am_art_col_type(b, 2) == AM_COL_CATEGORY);
	CHECK(run_open(&rep, table) == 0);
	if (g != NULL) {
		CHECK(am_feat_apply(g, rep.in,
		          &(struct am_feat_out){ rep.fp, AM_FS_CSV, 0 },
		          &err) == 0);
		(void)fflush(rep.fp);
		CHECK(rep.n == fit.n && memcmp(rep.out, fit.out, fit.n) == 0);
		CHECK(am_feat_unseen(g) == 0);
	}
	run_close(&rep);
	free(rep.out);

	/* an artifact of another algorithm, and a cut payload */
	bad = am_art_new(AM_FEAT_KIND, "pca");
	CHECK(
	    am_feat_load(bad, "p.amm", &err) == NULL && err.code == AM_EMODEL);
	am_art_free(bad);
	sec = am_art_section(a, "xform", &len);
	for (size_t cut = 0; sec != NULL && cut < len; cut += 7) {
		bad = am_art_new(AM_FEAT_KIND, AM_FEAT_ALGO);
		CHECK(am_art_add_section(bad, "xform", sec, cut) == 0);
		err.code = 0;
		CHECK(am_feat_load(bad, "x.amm", &err) == NULL &&
		    err.code == AM_EFORMAT);
		am_art_free(bad);
	}
	CHECK(strcmp(err.msg, "x.amm: bad 'xform' section") == 0);

	am_feat_free(f);
	am_feat_free(g);
	am_art_free(a);
	am_art_free(b);
	am_buf_release(&enc);
	run_close(&fit);
	free(fit.out);
	return unit_failures;
}
