/* SPDX-License-Identifier: MIT */
/*
 * test_feat.c -- the feature transform: statistics against a hand
 * calculation, fit output equal to the replay of a saved and reloaded
 * transform, refusal of wrong or damaged artifacts (every stage), version
 * 1 payloads, rule parsing, polynomial term counts; and the modules it
 * builds on, am_select (scores by hand) and am_dates.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "am_art.h"
#include "am_buf.h"
#include "am_dates.h"
#include "am_err.h"
#include "am_feat.h"
#include "am_select.h"
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

/* Fit 'text' with 'o' and return the CSV written, or NULL. */
static char *
fit_text(const char *text, const struct am_feat_opts *o, struct am_feat **fp)
{
	struct am_err err = { 0 };
	struct run r;
	struct am_feat *f;
	int ok;

	if (run_open(&r, text) != 0)
		return NULL;
	ok = (f = am_feat_fit(r.in, o, &err)) != NULL &&
	    am_feat_write_fitted(f, &(struct am_feat_out){ r.fp, AM_FS_CSV, 0 },
	        &err) == 0;
	if (!ok)
		(void)fprintf(stderr, "fit: %s\n", err.msg);
	run_close(&r); /* sets r.out */
	if (!ok) {
		free(r.out);
		r.out = NULL;
	}
	if (fp != NULL)
		*fp = f;
	else
		am_feat_free(f);
	return r.out;
}

/* A version-1 payload (standard scaling, one-hot) still loads. */
static void
test_v1(void)
{
	struct am_buf b = AM_BUF_INIT;
	struct am_err err = { 0 };
	struct am_art *a = am_art_new(AM_FEAT_KIND, AM_FEAT_ALGO);
	struct am_feat *f;
	struct run r;

	am_buf_u32(&b, 1); /* version */
	am_buf_u32(&b, 0); /* no ids */
	am_buf_u8(&b, 2);  /* categorical target */
	am_buf_str(&b, "y");
	am_buf_u32(&b, 2);
	am_buf_str(&b, "no");
	am_buf_str(&b, "yes");
	am_buf_u32(&b, 2);   /* columns */
	am_buf_str(&b, "x"); /* numeric: mean 3, std 2 */
	am_buf_u8(&b, 0);
	am_buf_f64(&b, 3);
	am_buf_f64(&b, 2);
	am_buf_str(&b, "c"); /* categorical, no other, levels blue red */
	am_buf_u8(&b, 1);
	am_buf_u8(&b, 0);
	am_buf_u32(&b, 2);
	am_buf_str(&b, "blue");
	am_buf_str(&b, "red");
	CHECK(am_art_add_buf(a, "xform", &b) == 0);
	f = am_feat_load(a, "v1.amm", &err);
	CHECK(f != NULL);
	CHECK(run_open(&r, table) == 0);
	if (f != NULL) {
		CHECK(am_feat_apply(f, r.in,
		          &(struct am_feat_out){ r.fp, AM_FS_CSV, 0 },
		          &err) == 0);
		(void)fflush(r.fp);
		CHECK(r.out != NULL &&
		    strcmp(r.out,
		        "y,x,c=blue,c=red\nno,-1,0,1\nyes,-0.5,1,0\n"
		        "no,0,0,1\nyes,1.5,0,0\n") == 0);
		CHECK(am_feat_unseen(f) == 1); /* green */
	}
	run_close(&r);
	free(r.out);
	am_feat_free(f);
	am_art_free(a);
	am_buf_release(&b);
}

/* Rule parsing: fields, defaults and refusals. */
static void
test_rules(void)
{
	struct am_feat_rule r;
	struct am_feat_select s;
	struct am_err err = { 0 };

	CHECK(am_feat_rule_parse(AM_FEAT_BIN, "edges:1/2.5/9:onehot:a,b", &r,
	          &err) == 0);
	CHECK(r.method == AM_BIN_EDGES && r.onehot && r.nedge == 3 &&
	    r.edges[1] == 2.5 && r.ncols == 2 && strcmp(r.cols[1], "b") == 0);
	am_feat_rule_release(&r);
	CHECK(am_feat_rule_parse(AM_FEAT_BIN, "quantile:4", &r, &err) == 0);
	CHECK(r.k == 4 && !r.onehot && r.ncols == 0);
	am_feat_rule_release(&r);
	CHECK(
	    am_feat_rule_parse(AM_FEAT_BIN, "edges:3/1", &r, &err) == AM_EARG);
	am_feat_rule_release(&r);
	CHECK(am_feat_rule_parse(AM_FEAT_CLIP, "-1:1e3:x", &r, &err) == 0);
	CHECK(r.lo == -1 && r.hi == 1000 && r.ncols == 1);
	am_feat_rule_release(&r);
	CHECK(am_feat_rule_parse(AM_FEAT_CLIP, "5:1", &r, &err) == AM_EARG);
	am_feat_rule_release(&r);
	CHECK(am_feat_rule_parse(AM_FEAT_DATE, "year+dow:d", &r, &err) == 0);
	CHECK(r.k == (AM_DATE_YEAR | AM_DATE_DOW) && r.ncols == 1);
	am_feat_rule_release(&r);
	CHECK(am_feat_rule_parse(AM_FEAT_SCALE, "robust:a,,b", &r, &err) ==
	    AM_EARG);
	am_feat_rule_release(&r);
	CHECK(am_feat_select_parse("var:0.25", &s, &err) == 0 &&
	    s.method == AM_SEL_VAR && s.arg == 0.25);
	CHECK(am_feat_select_parse("chi2:0", &s, &err) == AM_EARG);
}

/* Term counts of --poly 3 over 6 numeric columns, with and without powers. */
static void
test_poly(void)
{
	static const char *six = "a,b,c,d,e,f\n1,2,3,4,5,6\n2,1,0,1,2,1\n";
	struct am_feat_rule r;
	struct am_feat_opts o = AM_FEAT_OPTS_INIT;
	struct am_err err = { 0 };
	struct am_feat *f = NULL;
	char *out;

	CHECK(am_feat_rule_parse(AM_FEAT_POLY, "3", &r, &err) == 0);
	o.rules = &r;
	o.nrule = 1;
	out = fit_text(six, &o, &f);
	/* 6 + C(7, 2) = 21 squares and products + C(8, 3) = 56 cubes */
	CHECK(out != NULL && f != NULL && am_feat_schema(f)->nfeat == 83);
	if (f != NULL)
		CHECK(strcmp(am_feat_schema(f)->feat[82], "f^3") == 0 &&
		    strcmp(am_feat_schema(f)->feat[27], "a^3") == 0);
	free(out);
	am_feat_free(f);
	o.interaction_only = 1;
	out = fit_text(six, &o, &f);
	/* 6 + C(6, 2) + C(6, 3) */
	CHECK(out != NULL && f != NULL && am_feat_schema(f)->nfeat == 41);
	if (f != NULL)
		CHECK(strcmp(am_feat_schema(f)->feat[40], "d*e*f") == 0);
	free(out);
	am_feat_free(f);
	am_feat_rule_release(&r);
}

/*
 * A transform using every stage, saved, then its payload cut at every
 * length and with bytes flipped: each load fails cleanly or succeeds,
 * never crashes (run under ASan), and the whole payload replays.
 */
static void
test_damage(void)
{
	static const char *text = "id,x,c,d,y\n"
	                          "a,1,red,2024-01-02,no\n"
	                          "b,2,blue,2024-02-03 10:00,yes\n"
	                          "c,,red,,no\n"
	                          "d,6,green,2023-12-31,yes\n"
	                          "e,4,blue,2024-01-09,no\n";
	static const char *const spec[][2] = { { "b", "edges:2/5:onehot:x" },
		{ "t", "c" }, { "d", "d" }, { "p", "2:x,c" } };
	struct am_feat_rule r[5];
	struct am_feat_select sel = { AM_SEL_VAR, 0 };
	struct am_feat_opts o = AM_FEAT_OPTS_INIT;
	struct am_err err = { 0 };
	struct am_feat *f = NULL, *g;
	struct am_art *a, *bad;
	const void *sec;
	unsigned char *buf;
	size_t len, cut, i;
	char *out;
	int ops[] = { AM_FEAT_BIN, AM_FEAT_TARGET, AM_FEAT_DATE, AM_FEAT_POLY };
	const char *ids[] = { "id" };

	for (i = 0; i < 4; i++)
		CHECK(am_feat_rule_parse(ops[i], spec[i][1], &r[i], &err) == 0);
	CHECK(am_feat_rule_parse(AM_FEAT_HASH, "4:c", &r[4], &err) == 0);
	o.target = "y";
	o.ids = ids;
	o.nid = 1;
	o.rules = r;
	o.nrule = 4;
	o.select = &sel;
	o.nselect = 1;
	o.pca = 3;
	out = fit_text(text, &o, &f);
	CHECK(out != NULL && f != NULL);
	free(out);
	if (f == NULL)
		goto done;
	CHECK(am_feat_schema(f)->nfeat == 3);
	a = am_art_new(AM_FEAT_KIND, AM_FEAT_ALGO);
	CHECK(am_feat_save(f, a) == 0);
	sec = am_art_section(a, "xform", &len);
	g = am_feat_load(a, "full.amm", &err);
	CHECK(g != NULL);
	am_feat_free(g);
	buf = malloc(len);
	for (cut = 0; sec != NULL && buf != NULL && cut < len; cut++) {
		bad = am_art_new(AM_FEAT_KIND, AM_FEAT_ALGO);
		CHECK(am_art_add_section(bad, "xform", sec, cut) == 0);
		CHECK(am_feat_load(bad, "x.amm", &err) == NULL);
		am_art_free(bad);
		memcpy(buf, sec, len);
		buf[cut] ^= 0x5a;
		bad = am_art_new(AM_FEAT_KIND, AM_FEAT_ALGO);
		CHECK(am_art_add_section(bad, "xform", buf, len) == 0);
		am_feat_free(am_feat_load(bad, "x.amm", &err));
		am_art_free(bad);
	}
	free(buf);
	am_art_free(a);
	/* every hashed column: the hash block comes after the columns */
	o.rules = r + 4;
	o.nrule = 1;
	o.nselect = 0;
	o.pca = 0;
	am_feat_free(f);
	out = fit_text(text, &o, &f);
	CHECK(out != NULL &&
	    strstr(out, ",d=2024-02-03 10:00,hash0,hash1,") != NULL &&
	    strstr(out, ",hash15\n") != NULL);
	free(out);
done:
	am_feat_free(f);
	for (i = 0; i < 5; i++)
		am_feat_rule_release(&r[i]);
}

/*
 * am_select: feature scores against hand calculations: the ANOVA F of
 * two groups, chi2 of a 0/1 feature, Pearson r, the digamma function, and
 * mutual information of a feature that determines the class (log 2), is
 * independent of it (0), or is continuous (counted by hand).
 */
static void
test_select(void)
{
	/* groups {1, 2, 3} and {4, 5, 6}: means 2, 5, grand 3.5;
	   SSB = 3 (1.5^2) * 2 = 13.5, SSW = 2 + 2 = 4; F = (13.5 / 1) / (4 / 4) */
	double x[] = { 1, 2, 3, 4, 5, 6 }, s;
	int y[] = { 0, 0, 0, 1, 1, 1 };
	/* feature 1 in 2 of 3 rows of class 0, 1 of 3 of class 1: O = (2, 1),
	   E = (1.5, 1.5): chi2 = 0.25 / 1.5 * 2 */
	double b[] = { 1, 1, 0, 1, 0, 0 }, yd[] = { 2, 4, 6, 8, 10, 13 };
	double neg[] = { -1, 0, 0, 0, 0, 0 };
	double sep[] = { 0, 0, 0, 1, 1, 1 }, ind[] = { 0, 1, 0, 1 };
	int yi[] = { 0, 0, 1, 1 };

	CHECK_NEAR(am_sel_f(x, y, 6, 2), 13.5, 1e-12);
	CHECK(am_sel_f(sep, y, 6, 2) == 0); /* no within-group spread */
	CHECK(am_sel_chi2(b, y, 6, 2, &s) == 0);
	CHECK_NEAR(s, 1.0 / 3, 1e-15);
	CHECK(am_sel_chi2(neg, y, 6, 2, &s) == AM_EARG);
	CHECK_NEAR(am_sel_variance(x, 6), 17.5 / 6, 1e-15);
	/* r of x with yd from the sums, by the textbook formula */
	{
		double sx = 21, sy = 43, sxx = 91, syy = 389, sxy = 188, n = 6;
		double r = (n * sxy - sx * sy) /
		    sqrt((n * sxx - sx * sx) * (n * syy - sy * sy));
		CHECK_NEAR(am_sel_corr(x, yd, 6), r, 1e-14);
	}
	CHECK_NEAR(am_digamma(1), -0.57721566490153286, 1e-13);
	CHECK_NEAR(am_digamma(0.5), -1.9635100260214235, 1e-13);
	CHECK_NEAR(am_digamma(100), 4.6001618527380874, 1e-14);
	/* a 0/1 feature equal to the class: MI = log 2; independent: 0 */
	CHECK(am_sel_mi(sep, y, 6, 2, 1, 3, &s) == 0);
	CHECK_NEAR(s, log(2.0), 1e-15);
	CHECK(am_sel_mi(ind, yi, 4, 2, 1, 3, &s) == 0);
	CHECK_NEAR(s, 0, 1e-15);
	/* continuous: k = 2 (classes of 3); the 2nd neighbour of 1, 2, 3 in
	   its class is at 2, 1, 2, and strictly closer lie 2, 1, 3 points
	   (itself included; 4 is closer to 3 than 1 is); 4, 5, 6 mirror it:
	   MI = psi(6) + psi(2) - psi(3) - (psi(2) + psi(1) + psi(3)) / 3 */
	CHECK(am_sel_mi(x, y, 6, 2, 0, 3, &s) == 0);
	CHECK_NEAR(s,
	    am_digamma(6) + am_digamma(2) - am_digamma(3) -
	        (am_digamma(2) + am_digamma(1) + am_digamma(3)) / 3,
	    1e-14);
}

/*
 * am_dates: day numbers against known dates (the Unix epoch, leap days,
 * days of the week from a calendar), every accepted spelling, and
 * refusals of impossible dates.
 */
static int
parse(const char *s, long *d, long *t)
{
	return am_date_parse(s, strlen(s), d, t);
}

static void
test_dates(void)
{
	long d, t, y, k;
	int m, day;

	CHECK(am_days_from_civil(1970, 1, 1) == 0);
	CHECK(am_days_from_civil(2000, 3, 1) == 11017);
	CHECK(am_days_from_civil(1969, 12, 31) == -1);
	CHECK(am_date_dow(0) == 3);                               /* Thursday */
	CHECK(am_date_dow(am_days_from_civil(2024, 2, 29)) == 3); /* Thu */
	CHECK(am_date_dow(am_days_from_civil(2023, 12, 25)) == 0); /* Mon */
	CHECK(am_date_dow(-1) == 2);
	for (k = -800000; k < 800000; k += 997) {
		am_civil_from_days(k, &y, &m, &day);
		CHECK(am_days_from_civil(y, m, day) == k);
	}
	CHECK(parse("2011-12-09 12:50:07", &d, &t) == 0 &&
	    d == am_days_from_civil(2011, 12, 9) &&
	    t == 12 * 3600 + 50 * 60 + 7);
	CHECK(parse("2011-12-09T08:05Z", &d, &t) == 0 && t == 8 * 3600 + 300);
	CHECK(parse("20111209", &d, &t) == 0 &&
	    d == am_days_from_civil(2011, 12, 9) && t == 0);
	CHECK(parse("12/9/2011 7:05", &d, &t) == 0 &&
	    d == am_days_from_civil(2011, 12, 9) && t == 7 * 3600 + 300);
	CHECK(parse("2011/1/2", &d, &t) == 0 &&
	    d == am_days_from_civil(2011, 1, 2));
	CHECK(parse("2011-12-09 12:50:07.250", &d, &t) == 0);
	CHECK(parse("2024-02-29", &d, &t) == 0);
	CHECK(parse("2023-02-29", &d, &t) == -1);
	CHECK(parse("1900-02-29", &d, &t) == -1);
	CHECK(parse("2000-02-29", &d, &t) == 0);
	CHECK(parse("2011-13-01", &d, &t) == -1);
	CHECK(parse("2011-12-09 25:00", &d, &t) == -1);
	CHECK(parse("2011-12-09x", &d, &t) == -1);
	CHECK(parse("yesterday", &d, &t) == -1);
	CHECK(parse("", &d, &t) == -1);
	CHECK(parse("2011-12", &d, &t) == -1);
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
	test_v1();
	test_rules();
	test_poly();
	test_damage();
	test_select();
	test_dates();
	return unit_failures;
}
