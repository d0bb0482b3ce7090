/* SPDX-License-Identifier: MIT */
/*
 * test_rec.c -- am_rec on a hand-checked log: cosine and Jaccard item
 * similarities, item-kNN and user-kNN scores, the popularity fallback,
 * rating prediction fallbacks, a save/load round trip, and a damaged
 * payload refused.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "am_art.h"
#include "am_buf.h"
#include "am_rec.h"
#include "unit.h"

#include "am_banned.h"

/* a = {u1,u2,u4}, b = {u1,u3}, c = {u2,u3}, d = {u3} */
static const char events[] = "user,item,rating\n"
                             "u1,a,5\nu1,b,3\nu2,a,4\nu2,c,2\n"
                             "u3,b,4\nu3,c,1\nu3,d,5\nu4,a,2\n";

static struct am_rec *
fit(const char *path, int algo, int sim, const char *value)
{
	struct am_rec_params p = AM_REC_PARAMS_INIT;
	struct am_rec_input in = { "user", "item", NULL, NULL, NULL, NULL, 0 };
	struct am_rec_report rep;
	struct am_err e = { 0 };
	struct am_rec *r;

	p.algo = algo;
	p.sim = sim;
	in.value = value;
	r = am_rec_fit(path, &in, &p, &rep, &e);
	CHECK(r != NULL);
	if (r == NULL)
		(void)fprintf(stderr, "%s\n", e.msg);
	else
		CHECK(rep.users == 4 && rep.items == 4 && rep.pairs == 8);
	return r;
}

static struct am_rec_hit *
find(struct am_rec_hit *h, size_t n, const struct am_rec *r, const char *item)
{
	size_t j;

	for (j = 0; j < n; j++)
		if (strcmp(am_rec_item_name(r, h[j].item), item) == 0)
			return &h[j];
	return NULL;
}

static void
test_knn(const char *path)
{
	struct am_rec_query q = { 10, 0, NULL, NULL, -1, 1 };
	struct am_rec_hit h[10], *x;
	struct am_rec_scratch *s;
	struct am_rec *r = fit(path, AM_REC_ITEMKNN, AM_REC_COSINE, NULL);
	size_t n;

	if (r == NULL)
		return;
	s = am_rec_scratch_new(r);
	CHECK(s != NULL);
	am_rec_similar(r, (size_t)am_rec_item_find(r, "b"), &q, s, h, &n);
	CHECK(n == 3);
	CHECK(strcmp(am_rec_item_name(r, h[0].item), "d") == 0);
	CHECK_NEAR(h[0].score, 1 / sqrt(2), 1e-12);
	CHECK_NEAR(h[1].score, 0.5, 1e-12);
	CHECK_NEAR(h[2].score, 1 / sqrt(6), 1e-12);
	/* u1 = {a, b}: c = ac + bc, d = bd, then nothing popular is left */
	am_rec_top(r, am_rec_user_find(r, "u1"), &q, s, h, &n);
	CHECK(n == 2);
	CHECK((x = find(h, n, r, "c")) != NULL && x == &h[0]);
	if (x != NULL)
		CHECK_NEAR(x->score, 1 / sqrt(6) + 0.5, 1e-12);
	CHECK((x = find(h, n, r, "d")) != NULL && x->src == AM_REC_SRC_MODEL);
	if (x != NULL)
		CHECK_NEAR(x->score, 1 / sqrt(2), 1e-12);
	/* an unknown user: a 3, b 2, c 2, d 1 events */
	am_rec_top(r, -1, &q, s, h, &n);
	CHECK(n == 4 && h[0].src == AM_REC_SRC_POPULAR && h[0].score == 3);
	CHECK(strcmp(am_rec_item_name(r, h[1].item), "b") == 0);
	CHECK(strcmp(am_rec_item_name(r, h[3].item), "d") == 0);
	am_rec_scratch_free(s);
	am_rec_free(r);

	r = fit(path, AM_REC_ITEMKNN, AM_REC_JACCARD, NULL);
	if (r == NULL)
		return;
	s = am_rec_scratch_new(r);
	am_rec_similar(r, (size_t)am_rec_item_find(r, "b"), &q, s, h, &n);
	CHECK(n == 3);
	CHECK_NEAR(h[0].score, 0.5, 1e-12);
	CHECK_NEAR(h[1].score, 1.0 / 3, 1e-12);
	CHECK_NEAR(h[2].score, 0.25, 1e-12);
	am_rec_scratch_free(s);
	am_rec_free(r);

	/* user-kNN: cos(u1,u2) = 1/2, cos(u1,u3) = 1/sqrt(6) */
	r = fit(path, AM_REC_USERKNN, AM_REC_COSINE, NULL);
	if (r == NULL)
		return;
	s = am_rec_scratch_new(r);
	am_rec_top(r, am_rec_user_find(r, "u1"), &q, s, h, &n);
	CHECK((x = find(h, n, r, "c")) != NULL);
	if (x != NULL)
		CHECK_NEAR(x->score, 0.5 + 1 / sqrt(6), 1e-12);
	am_rec_scratch_free(s);
	am_rec_free(r);
}

static void
test_predict_and_roundtrip(const char *path)
{
	struct am_rec *r = fit(path, AM_REC_MF, 0, "rating"), *r2;
	struct am_art *a, *b;
	struct am_buf buf = AM_BUF_INIT;
	struct am_err e = { 0 };
	const void *sec;
	size_t len;
	long u1, c;

	if (r == NULL)
		return;
	u1 = am_rec_user_find(r, "u1");
	c = am_rec_item_find(r, "c");
	/* fallbacks: item mean, user mean, global mean (26 / 8) */
	CHECK_NEAR(am_rec_predict(r, -1, am_rec_item_find(r, "a")), 11.0 / 3,
	    1e-12);
	CHECK_NEAR(am_rec_predict(r, u1, -1), 4, 1e-12);
	CHECK_NEAR(am_rec_predict(r, -1, -1), 3.25, 1e-12);
	CHECK(am_rec_predict(r, u1, c) >= 1 && am_rec_predict(r, u1, c) <= 5);
	a = am_art_new("recommender", "mf");
	CHECK(a != NULL && am_rec_save(r, a, &e) == 0);
	CHECK(am_art_encode(a, &buf) == 0);
	b = am_art_decode(buf.data, buf.len, "t", "recommender", &e);
	CHECK(b != NULL);
	r2 = b ? am_rec_load(b, "t", &e) : NULL;
	CHECK(r2 != NULL);
	if (r2 != NULL) {
		CHECK(am_rec_predict(r2, u1, c) == am_rec_predict(r, u1, c));
		CHECK(am_rec_nusers(r2) == 4 && am_rec_nitems(r2) == 4);
		CHECK(strcmp(am_rec_col(r2, 2), "rating") == 0);
	}
	am_rec_free(r2);
	/* a truncated payload is refused, not trusted */
	sec = a ? am_art_section(a, "rec", &len) : NULL;
	CHECK(sec != NULL);
	if (sec != NULL) {
		struct am_art *d = am_art_new("recommender", "mf");
		CHECK(am_art_add_section(d, "rec", sec, len / 2) == 0);
		CHECK(am_rec_load(d, "d", &e) == NULL && e.code == AM_EFORMAT);
		am_art_free(d);
	}
	am_buf_release(&buf);
	am_art_free(a);
	am_art_free(b);
	am_rec_free(r);
}

int
main(void)
{
	char path[] = "/tmp/test_rec.XXXXXX";
	int fd = mkstemp(path);
	FILE *fp;

	CHECK(am_rec_algo_byname("ials") == AM_REC_IALS);
	CHECK(am_rec_algo_byname("logreg") == -1);
	CHECK(am_rec_sim_byname("jaccard") == AM_REC_JACCARD);
	CHECK(fd >= 0);
	if (fd < 0 || (fp = fdopen(fd, "w")) == NULL)
		return unit_failures + 1;
	CHECK(fputs(events, fp) >= 0);
	CHECK(fclose(fp) == 0);
	test_knn(path);
	test_predict_and_roundtrip(path);
	(void)unlink(path);
	return unit_failures;
}
