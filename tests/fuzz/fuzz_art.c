/* SPDX-License-Identifier: MIT */
/*
 * fuzz_art.c -- the artifact container (am_art_decode) and the payload
 * loader of each kind behind it.  The trailing SHA-256 of the input is
 * recomputed first, so that mutations reach the parsers behind the
 * checksum (a bad checksum is a one-line test of its own).  Then:
 *
 *   - a decoded artifact must encode, and the encoding must decode;
 *   - "features": am_feat_load(), and a replay of one made-up row;
 *   - "model": am_model_load(), a binding to its own schema, and one
 *     prediction;
 *   - "clean": a replay (am_clean_run) of a header of its own columns
 *     and two made-up rows;
 *   - "recommender": am_rec_load(), top items for a known and an unknown
 *     user with reasons, similar items, and one predicted value.
 *
 * Every failure must be a one-line message.
 */
#include <stdint.h>

#include "am_art.h"
#include "am_clean.h"
#include "am_csv.h"
#include "am_feat.h"
#include "am_model.h"
#include "am_rec.h"
#include "fuzz.h"

/* CSV text: a header naming 'n' columns 'name(i)', then 'rows' rows. */
static void
make_csv(struct am_buf *text, size_t n,
    const char *(*name)(const void *, size_t), const void *obj,
    const char *const *rows, size_t nrows)
{
	size_t i, k;

	for (i = 0; i < n; i++) {
		const char *s = name(obj, i);
		if (i > 0)
			am_buf_put(text, ",", 1);
		am_buf_put(text, "\"", 1);
		for (; *s != '\0'; s++)
			am_buf_put(text, s, *s == '"' ? 0 : 1);
		am_buf_put(text, "\"", 1);
	}
	am_buf_put(text, "\n", 1);
	for (k = 0; k < nrows; k++) {
		for (i = 0; i < n; i++) {
			if (i > 0)
				am_buf_put(text, ",", 1);
			am_buf_put(text, rows[k], strlen(rows[k]));
		}
		am_buf_put(text, "\n", 1);
	}
}

static const char *
art_col(const void *a, size_t i)
{
	return am_art_col_name(a, i);
}

static void
try_clean(const struct am_art *a)
{
	static const char *const rows[] = { "1", "" };
	struct am_clean_opts o = AM_CLEAN_OPTS_INIT;
	struct am_clean_io io = { 0 };
	struct am_csv_reader *r;
	struct am_src *src;
	struct am_buf text = { 0 };
	struct am_err err;
	size_t n = am_art_ncols(a);
	char *copy;

	if (n == 0 || n > 64)
		return;
	make_csv(&text, n, art_col, a, rows, 2);
	memset(&err, 0, sizeof(err));
	if (!am_buf_error(&text) &&
	    (src = fuzz_src(text.data, text.len, &copy)) != NULL) {
		if ((r = am_csv_open(src, NULL, &err)) != NULL) {
			io.out = fopen("/dev/null", "w");
			io.model = a;
			io.model_name = "fuzz";
			if (io.out != NULL) {
				if (am_clean_run(r, &o, &io, NULL, &err) != 0)
					fuzz_check_msg(err.msg);
				(void)fclose(io.out);
			}
			am_csv_close(r);
		}
		am_src_close(src);
		free(copy);
	}
	am_buf_release(&text);
}

static void
try_recommender(const struct am_art *a)
{
	struct am_rec_query q = { 0 };
	struct am_rec_scratch *s;
	struct am_rec_hit hit[5];
	struct am_rec *r;
	struct am_err err;
	size_t k, n;
	char why[256];

	memset(&err, 0, sizeof(err));
	if ((r = am_rec_load(a, "fuzz", &err)) == NULL) {
		fuzz_check_msg(err.msg);
		return;
	}
	q.n = 5;
	q.explain = 1;
	q.context = am_rec_context_find(r, "x");
	if ((s = am_rec_scratch_new(r)) != NULL) {
		am_rec_top(r, am_rec_nusers(r) > 0 ? 0 : -1, &q, s, hit, &n);
		FUZZ_CHECK(n <= q.n);
		for (k = 0; k < n; k++) {
			FUZZ_CHECK(hit[k].item < am_rec_nitems(r));
			am_rec_reason(r, &hit[k], why, sizeof(why));
		}
		am_rec_top(r, -1, &q, s, hit, &n);
		FUZZ_CHECK(n <= q.n);
		if (am_rec_nitems(r) > 0) {
			am_rec_similar(r, 0, &q, s, hit, &n);
			FUZZ_CHECK(n <= q.n);
			for (k = 0; k < n; k++)
				am_rec_reason(r, &hit[k], why, sizeof(why));
		}
		am_rec_scratch_free(s);
	}
	(void)am_rec_predict(r, am_rec_nusers(r) > 0 ? 0 : -1,
	    am_rec_nitems(r) > 0 ? 0 : -1);
	am_rec_free(r);
}

static void
try_features(const struct am_art *a)
{
	struct am_feat_out out = { 0 };
	struct am_csv_reader *r;
	struct am_feat *f;
	struct am_src *src;
	struct am_buf text = { 0 };
	struct am_err err;
	size_t i, n;
	char *copy;

	memset(&err, 0, sizeof(err));
	if ((f = am_feat_load(a, "fuzz", &err)) == NULL) {
		fuzz_check_msg(err.msg);
		return;
	}
	/* one row: a number in numeric columns, a made-up level elsewhere */
	n = am_feat_ncols(f);
	for (i = 0; i < n && i < 64; i++) {
		const char *name = am_feat_col_name(f, i);
		if (i > 0)
			am_buf_put(&text, ",", 1);
		am_buf_put(&text, "\"", 1);
		for (; *name != '\0'; name++)
			am_buf_put(&text, name, *name == '"' ? 0 : 1);
		am_buf_put(&text, "\"", 1);
	}
	am_buf_put(&text, "\n", 1);
	for (i = 0; i < n && i < 64; i++)
		am_buf_put(&text, i ? ",1" : "a", i ? 2 : 1);
	am_buf_put(&text, "\n", 1);
	if (n > 0 && n <= 64 && !am_buf_error(&text) &&
	    (src = fuzz_src(text.data, text.len, &copy)) != NULL) {
		if ((r = am_csv_open(src, NULL, &err)) != NULL) {
			out.fp = fopen("/dev/null", "w");
			out.format = AM_FS_CSV;
			if (out.fp != NULL) {
				if (am_feat_apply(f, r, &out, &err) != 0)
					fuzz_check_msg(err.msg);
				(void)fclose(out.fp);
			}
			am_csv_close(r);
		}
		am_src_close(src);
		free(copy);
	}
	am_buf_release(&text);
	am_feat_free(f);
}

static void
try_model(const struct am_art *a)
{
	const struct am_fs_schema *s;
	struct am_model_bind *b;
	struct am_model *m;
	struct am_err err;
	uint32_t idx[4];
	double val[4] = { 1, -2, 0.5, 3 }, *out;
	size_t k, nnz;

	memset(&err, 0, sizeof(err));
	if ((m = am_model_load(a, "fuzz", &err)) == NULL) {
		fuzz_check_msg(err.msg);
		return;
	}
	s = am_model_schema(m);
	FUZZ_CHECK(s != NULL && am_model_nfeat(m) == s->nfeat);
	if ((b = am_model_bind(m, s, am_model_format(m), &err)) == NULL) {
		fuzz_check_msg(err.msg);
		am_model_free(m);
		return;
	}
	nnz = s->nfeat < 4 ? s->nfeat : 4;
	for (k = 0; k < nnz; k++)
		idx[k] = (uint32_t)k;
	if ((out = calloc(s->nclass + 64, sizeof(*out))) != NULL) {
		(void)am_model_predict(m, b, nnz, idx, val, out);
		free(out);
	}
	am_model_bind_free(b);
	am_model_free(m);
}

int
LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct am_buf enc = { 0 };
	struct am_art *a, *again;
	struct am_err err;
	unsigned char *buf;

	if ((buf = malloc(size ? size : 1)) == NULL)
		return 0;
	memcpy(buf, data, size);
	if (size > 32)
		am_sha256(buf, size - 32, buf + size - 32);
	memset(&err, 0, sizeof(err));
	if ((a = am_art_decode(buf, size, "fuzz", NULL, &err)) == NULL) {
		fuzz_check_msg(err.msg);
		free(buf);
		return 0;
	}
	FUZZ_CHECK(strlen(am_art_sha256(a)) == 64);
	FUZZ_CHECK(am_art_encode(a, &enc) == 0);
	again = am_art_decode(enc.data, enc.len, "re-encoded", NULL, &err);
	FUZZ_CHECK(again != NULL);
	FUZZ_CHECK(strcmp(am_art_kind(again), am_art_kind(a)) == 0);
	FUZZ_CHECK(am_art_nmeta(again) == am_art_nmeta(a));
	FUZZ_CHECK(am_art_ncols(again) == am_art_ncols(a));
	FUZZ_CHECK(am_art_nsections(again) == am_art_nsections(a));
	am_art_free(again);
	am_buf_release(&enc);
	if (strcmp(am_art_kind(a), "features") == 0)
		try_features(a);
	else if (strcmp(am_art_kind(a), "model") == 0)
		try_model(a);
	else if (strcmp(am_art_kind(a), "clean") == 0)
		try_clean(a);
	else if (strcmp(am_art_kind(a), "recommender") == 0)
		try_recommender(a);
	am_art_free(a);
	free(buf);
	return 0;
}
