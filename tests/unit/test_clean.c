/* SPDX-License-Identifier: MIT */
/*
 * test_clean.c -- am_clean: value kinds, option specs, and a fit whose
 * replay gives the same bytes, all in memory.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "am_art.h"
#include "am_clean.h"
#include "am_csv.h"
#include "am_io.h"
#include "unit.h"

static void
test_value_type(void)
{
	static const struct {
		const char *s;
		int type;
	} c[] = {
		{ "12", AM_COL_INTEGER },
		{ "-7", AM_COL_INTEGER },
		{ "0", AM_COL_INTEGER },
		{ "1.5", AM_COL_NUMBER },
		{ "1e3", AM_COL_NUMBER },
		{ "yes", AM_COL_BOOLEAN },
		{ "FALSE", AM_COL_BOOLEAN },
		{ "t", AM_COL_BOOLEAN },
		{ "2024-02-29", AM_COL_DATE },
		{ "2024-02-29 23:59:59", AM_COL_DATE },
		{ "2024-02-29T00:00:00", AM_COL_DATE },
		{ "2024-13-01", AM_COL_CATEGORY },
		{ "2024-1-01", AM_COL_CATEGORY },
		{ "inf", AM_COL_CATEGORY },
		{ "nan", AM_COL_CATEGORY },
		{ "0x10", AM_COL_CATEGORY },
		{ "paris", AM_COL_CATEGORY },
	};
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		CHECK(am_clean_value_type(c[i].s, strlen(c[i].s)) == c[i].type);
}

static void
test_specs(void)
{
	struct am_clean_opts o = AM_CLEAN_OPTS_INIT;
	struct am_err err = { 0 };

	CHECK(am_impute_byname("median") == AM_IMPUTE_MEDIAN);
	CHECK(am_impute_byname("const") == -1);
	CHECK(strcmp(am_impute_name(AM_IMPUTE_MODE), "mode") == 0);
	o.types = "a=integer,b=text";
	o.impute = "a=mean,b=const:x y,c=none";
	CHECK(am_clean_check_opts(&o, &err) == 0);
	o.types = "a=int";
	CHECK(am_clean_check_opts(&o, &err) == AM_EARG);
	o.types = "=integer";
	CHECK(am_clean_check_opts(&o, &err) == AM_EARG);
	o.types = NULL;
	o.impute = "a=auto";
	CHECK(am_clean_check_opts(&o, &err) == AM_EARG);
	o.impute = "a=";
	CHECK(am_clean_check_opts(&o, &err) == AM_EARG);
}

/* Run am_clean over 'in'; the output in a new string. */
static char *
run(const char *in, const struct am_clean_opts *o, struct am_art **fit,
    const struct am_art *model, struct am_clean_stats *st, int *rc)
{
	FILE *fp = fmemopen((void *)(uintptr_t)in, strlen(in), "r");
	struct am_clean_io io = { NULL, NULL, NULL, 0, fit, model, "m", NULL };
	struct am_err err = { 0 };
	struct am_csv_reader *r = NULL;
	struct am_src *src = am_src_fdopen(fp, "in.csv", &err);
	char *buf = NULL;
	size_t n = 0;

	io.out = open_memstream(&buf, &n);
	if (src != NULL)
		r = am_csv_open(src, NULL, &err);
	*rc = r != NULL && io.out != NULL ? am_clean_run(r, o, &io, st, &err)
	                                  : -99;
	if (io.out != NULL)
		(void)fclose(io.out);
	am_csv_close(r);
	am_src_close(src);
	return buf;
}

static void
test_fit_replay(void)
{
	static const char in[] = "x,c,y\n1,a,1\n,b,0\n3,,1\n5,b,\n4,b,0\n";
	struct am_clean_opts o = AM_CLEAN_OPTS_INIT;
	struct am_clean_stats st;
	struct am_art *a = NULL;
	char *fit, *rep;
	int rc;

	o.target = "y";
	fit = run(in, &o, &a, NULL, &st, &rc);
	CHECK(rc == 0 && a != NULL);
	CHECK(st.rows == 5 && st.out == 4 && st.dropped == 1);
	CHECK(st.imputed == 2);
	/* x: 1 3 4 -> lower median 3; c: mode b; y never imputed. */
	CHECK(fit != NULL &&
	    strcmp(fit, "x,c,y\n1,a,1\n3,b,0\n3,b,1\n4,b,0\n") == 0);
	CHECK(a != NULL && am_art_ncols(a) == 3 &&
	    am_art_col_type(a, 0) == AM_COL_INTEGER &&
	    am_art_col_type(a, 1) == AM_COL_CATEGORY);
	o.target = NULL;
	rep = run(in, &o, NULL, a, &st, &rc);
	CHECK(rc == 0 && fit != NULL && rep != NULL && strcmp(fit, rep) == 0);
	free(fit);
	free(rep);
	am_art_free(a);
}

static void
test_errors(void)
{
	struct am_clean_opts o = AM_CLEAN_OPTS_INIT;
	struct am_clean_stats st;
	struct am_art *a = NULL, *f = am_art_new("features", "scale+onehot");
	char *out;
	int rc;

	o.impute = "c=median";
	out = run("x,c\n1,a\n", &o, &a, NULL, &st, &rc);
	CHECK(rc == AM_EFORMAT && a == NULL);
	free(out);
	o.impute = NULL;
	out = run("x,c\n1,a\n", &o, NULL, f, &st, &rc);
	CHECK(rc == AM_EMODEL);
	free(out);
	am_art_free(f);
}

/* Issue 4 through the library: dedupe, rules, outliers, sample. */
static void
test_ops(void)
{
	static const char in[] = "k,v\na,1\nb,2\na,1\nc,100\nd, \n";
	struct am_clean_opts o = AM_CLEAN_OPTS_INIT;
	struct am_clean_stats st;
	struct am_err err = { 0 };
	char *out;
	int rc;

	o.dedupe = 1;
	out = run(in, &o, NULL, NULL, &st, &rc);
	CHECK(rc == 0 && st.dups == 1 && out != NULL &&
	    strcmp(out, "k,v\na,1\nb,2\nc,100\nd,\n") == 0);
	free(out);
	o.dedupe = 0;
	o.range = "v=0:10";
	o.allow = "k=a|b|c|d";
	out = run(in, &o, NULL, NULL, &st, &rc);
	CHECK(rc == 0 && st.rejected == 1 && out != NULL &&
	    strcmp(out, "k,v\na,1\nb,2\na,1\nd,\n") == 0);
	free(out);
	o.range = NULL;
	o.allow = NULL;
	/* v: 1 1 2 100: quartiles 1 and 26.5 (type 7), upper fence 64.75 */
	o.outliers = "v=iqr";
	o.outlier_action = AM_OUT_CLIP;
	out = run(in, &o, NULL, NULL, &st, &rc);
	CHECK(rc == 0 && st.outliers == 1 && out != NULL &&
	    strcmp(out, "k,v\na,1\nb,2\na,1\nc,64.75\nd,\n") == 0);
	free(out);
	o.outliers = NULL;
	o.sample = 2;
	out = run(in, &o, NULL, NULL, &st, &rc);
	CHECK(rc == 0 && st.out == 2 && st.sampled == 3);
	free(out);
	o.sample = 0;
	o.range = "v=3";
	CHECK(am_clean_check_opts(&o, &err) == AM_EARG);
	o.range = NULL;
	o.outliers = "v=zz";
	CHECK(am_clean_check_opts(&o, &err) == AM_EARG);
}

int
main(void)
{
	test_value_type();
	test_specs();
	test_fit_replay();
	test_errors();
	test_ops();
	return unit_failures;
}
