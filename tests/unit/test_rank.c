/* SPDX-License-Identifier: MIT */
/*
 * test_rank.c -- ranking metrics on the hand-computed fixture of
 * tests/fixtures/am-eval/rank.txt, built from arrays; string interning.
 */
#include <math.h>
#include <string.h>

#include "am_rank.h"
#include "unit.h"

#define TOL 1e-14

static void
test_fixture(void)
{
	/* users u1..u6 = 0..5, items i1..i9 = 0..8; keys: minus the rank */
	const uint32_t pu[] = { 0, 0, 0, 0, 1, 1, 1, 2, 2, 3 };
	const uint32_t pi[] = { 0, 1, 2, 3, 1, 4, 0, 5, 6, 0 };
	const double key[] = { -1, -2, -3, -4, -1, -2, -3, -1, -2, -1 };
	const uint32_t tu[] = { 0, 0, 0, 1, 2, 4, 5 };
	const uint32_t ti[] = { 1, 3, 8, 0, 7, 2, 4 };
	const double rel[] = { 1, 2, 1, 1, 3, 0, 1 };
	const double w[] = { 1, 0, 0, 0 };
	struct am_rankdata *d;
	struct am_rankmetrics m;
	struct am_err err = { 0 };
	double n1 = (1 / log2(3.0)) / (2.5 + 1 / log2(3.0));

	d = am_rank_build(pu, pi, key, 10, tu, ti, rel, 7, 6, 9, 3, &err);
	CHECK(d != NULL);
	if (d == NULL)
		return;
	CHECK(am_rank_users(d) == 4);
	CHECK(am_rank_metrics(d, NULL, &m, &err) == 0);
	CHECK(m.users == 4 && m.users_skipped == 1);
	CHECK_NEAR(m.precision, 1.0 / 6.0, TOL);
	CHECK_NEAR(m.recall, 1.0 / 3.0, TOL);
	CHECK_NEAR(m.map, 1.0 / 8.0, TOL);
	CHECK_NEAR(m.ndcg, (n1 + 0.5) / 4.0, TOL);
	CHECK_NEAR(m.hit_rate, 0.5, TOL);
	CHECK_NEAR(m.mrr, 5.0 / 24.0, TOL);
	CHECK_NEAR(m.coverage, 6.0 / 9.0, TOL);
	/* weights pick users: u1 alone */
	CHECK(am_rank_metrics(d, w, &m, &err) == 0);
	CHECK_NEAR(m.ndcg, n1, TOL);
	CHECK_NEAR(m.mrr, 0.5, TOL);
	CHECK(am_rank_metrics(d, (const double[]){ 0, 0, 0, 0 }, &m, &err) ==
	    AM_EARG);
	am_rank_free(d);
	CHECK(am_rank_build(pu, pi, key, 10, tu, ti, rel, 7, 6, 9, 0, &err) ==
	    NULL);
	CHECK(err.code == AM_EARG);
}

/* A repeated prediction counts once, at its first place. */
static void
test_repeats(void)
{
	const uint32_t pu[] = { 0, 0, 0 }, pi[] = { 0, 0, 1 };
	const double key[] = { 3, 2, 1 };
	const uint32_t tu[] = { 0 }, ti[] = { 1 };
	const double rel[] = { 1 };
	struct am_rankdata *d;
	struct am_rankmetrics m;
	struct am_err err = { 0 };

	d = am_rank_build(pu, pi, key, 3, tu, ti, rel, 1, 1, 2, 2, &err);
	CHECK(d != NULL && am_rank_metrics(d, NULL, &m, &err) == 0);
	CHECK_NEAR(m.mrr, 0.5, TOL);
	CHECK_NEAR(m.precision, 0.5, TOL);
	am_rank_free(d);
}

int
main(void)
{
	test_fixture();
	test_repeats();
	return unit_failures;
}
